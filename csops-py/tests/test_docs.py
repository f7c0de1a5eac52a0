"""Docstrings: every public item of csops has one, and their examples run (doctests).

The audit walks ``csops.__all__`` (and ``csops.plot``, ``csops.stats``): every function, class, method and
property, plus ``_repr_html_``, must have a docstring. The doctests are the ``>>>`` examples
of those docstrings and of the package's own (``csops/__init__.py``, ``csops/plot.py``),
run from the repository root so that ``"data/sample-book"`` is the shipped sample book, with
``csops`` already imported. Key items must carry an example.
"""

from __future__ import annotations

import doctest
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import csops
import csops.plot
import csops.stats
from conftest import REPO

#: Items whose docstrings must carry a runnable example.
MUST_HAVE_EXAMPLES = {
    "csops",
    "csops.plot",
    "csops.stats",
    "csops.generate_book",
    "csops.load_book",
    "csops.backtest",
    "csops.Backtest.roc",
    "csops.forecast",
    "csops.replay_plays",
    "csops.trend",
    "csops.Condition",
    "csops.plot.band_rates",
}


def members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public members a class defines itself (and ``_repr_html_``), not inherited ones."""
    for name, value in vars(cls).items():
        if not name.startswith("_") or name == "_repr_html_":
            yield name, value


def public_items() -> Iterator[tuple[str, Any]]:
    """(qualified name, object) of the package, its public items and their members."""
    yield "csops", csops
    yield "csops.plot", csops.plot
    yield "csops.stats", csops.stats
    modules = [(csops, csops.__all__), (csops.plot, csops.plot.__all__), (csops.stats, csops.stats.__all__)]
    for module, names in modules:
        prefix = module.__name__
        for name in names:
            if name == "__version__":
                continue
            obj = getattr(module, name)
            yield f"{prefix}.{name}", obj
            if inspect.isclass(obj):
                for member, value in members(obj):
                    yield f"{prefix}.{name}.{member}", value


ITEMS = dict(public_items())


def test_every_public_item_has_a_docstring() -> None:
    missing = [name for name, obj in ITEMS.items() if not (getattr(obj, "__doc__", None) or "").strip()]
    assert missing == []
    # The walk saw the package: every class, every function, and their members.
    assert len(ITEMS) > 250
    assert {"csops.Backtest.roc", "csops.Playbook._repr_html_", "csops.plot.roc"} <= set(ITEMS)


def examples() -> dict[str, str]:
    """The docstrings with examples, by name."""
    out = {}
    for name, obj in ITEMS.items():
        doc = getattr(obj, "__doc__", None) or ""
        if ">>>" in doc:
            out[name] = doc
    return out


EXAMPLES = examples()


def test_key_items_have_examples() -> None:
    assert MUST_HAVE_EXAMPLES <= set(EXAMPLES), sorted(MUST_HAVE_EXAMPLES - set(EXAMPLES))


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Doctests name the sample book by its path from the repository root."""
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_doctest(name: str, at_repo_root: None) -> None:
    needs = EXAMPLES[name]
    pytest.importorskip("pandas", reason="the examples' tables are pandas DataFrames")
    if "csops.plot" in needs:
        mpl = pytest.importorskip("matplotlib", reason="matplotlib is optional (scripts/test-python.sh installs it)")
        mpl.use("Agg")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(EXAMPLES[name], {"csops": csops}, name, None, 0)
    assert test.examples, name
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    if "csops.plot" in needs:
        import matplotlib.pyplot as plt

        plt.close("all")
    assert runner.failures == 0, "".join(failures)
