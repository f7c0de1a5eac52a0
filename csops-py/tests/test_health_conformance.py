"""Runs the cross-language health-scoring vectors of ``tests/conformance/health/``.

As ``csops-core/tests/conformance.rs::health_scoring_vectors`` does (and the Node suite):
scores, bands, coverage, contributions and explain drivers must match, and an ``error:
"config"`` vector must raise ``csops.ConfigError``. Every vector runs with the frame given
as a dict of lists, and also as a pandas and a polars DataFrame (where installed): the
input kind must not change a number. See that directory's README for the format.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import csops

VECTORS_DIR = Path(__file__).resolve().parents[2] / "tests" / "conformance" / "health"
VECTORS = sorted(VECTORS_DIR.glob("*.json"))
KINDS = ["dict", "pandas", "polars"]
TOLERANCE = 1e-9


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 6, f"health conformance vectors are missing from {VECTORS_DIR}"


def make_data(vector: dict[str, Any], kind: str) -> Any:
    """The vector's frame as a dict of lists (None = missing), or a pandas/polars frame."""
    frame = vector["frame"]
    columns: dict[str, list[float | None]] = frame["columns"]
    ids: list[str] = frame["account_ids"]
    if kind == "dict":
        return {"account_id": ids, **columns}
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        np = pytest.importorskip("numpy")
        return pd.DataFrame(
            {k: np.array([np.nan if x is None else x for x in v], dtype="float64") for k, v in columns.items()},
            index=pd.Index(ids, name="account_id"),
        )
    pl = pytest.importorskip("polars", reason="polars is not installed")
    return pl.DataFrame(
        [pl.Series("account_id", ids)]
        + [pl.Series(k, v, dtype=pl.Float64) for k, v in columns.items()]
    )


def as_columns(result: Any, kind: str) -> dict[str, list[Any]]:
    """Any kind of score table as plain lists (NaN/None as None; band names or None)."""

    def clean(values: Any) -> list[Any]:
        out: list[Any] = []
        for v in list(values):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                out.append(None)
            else:
                out.append(v if isinstance(v, str) else float(v))
        return out

    if kind == "pandas":
        cols = {"account_id": [str(i) for i in result.index]}
        cols.update({c: clean(result[c].astype(object)) for c in result.columns})
        return cols
    if kind == "polars":
        return {c: clean(result[c].to_list()) for c in result.columns}
    return {c: clean(v) if c != "account_id" else list(v) for c, v in result.items()}


def close(name: str, what: str, got: float | None, want: float | None) -> None:
    if want is None:
        assert got is None, f"{name}: {what} = {got}, want none"
    else:
        assert got is not None and math.isclose(got, want, rel_tol=0.0, abs_tol=TOLERANCE), (
            f"{name}: {what} = {got}, want {want}"
        )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_vector(path: Path, kind: str) -> None:
    name = path.name
    vector = json.loads(path.read_text(encoding="utf-8"))
    expect = vector["expect"]
    data = make_data(vector, kind)
    segments = vector.get("segments")

    if expect.get("error") is not None:
        assert expect["error"] == "config", f"{name}: unknown error kind"
        with pytest.raises(csops.CsopsError) as info:
            csops.Scorecard.from_dict(vector["scorecard"]).score(data, segments=segments)
        assert type(info.value) is csops.ConfigError, f"{name}: got {info.value!r}"
        assert info.value.problems, f"{name}: a ConfigError lists its problems"
        return

    card = csops.Scorecard.from_dict(vector["scorecard"])
    result = card.score(data, segments=segments)
    assert type(result).__module__.split(".")[0] == {"dict": "builtins"}.get(kind, kind)
    cols = as_columns(result, kind)
    assert cols["account_id"] == vector["frame"]["account_ids"], f"{name}: account ids"
    for i, want in enumerate(expect["scores"]):
        close(name, f"score[{i}]", cols["score"][i], want)
    assert cols["band"] == expect["bands"], f"{name}: bands"
    for i, want in enumerate(expect.get("coverage", [])):
        close(name, f"coverage[{i}]", cols["coverage"][i], want)
    for measure, values in expect.get("contributions", {}).items():
        for i, want in enumerate(values):
            close(name, f"{measure}[{i}]", cols[f"contribution.{measure}"][i], want)

    if "explain" in expect:
        row = expect["explain"]["row"]
        account = vector["frame"]["account_ids"][row]
        x = card.explain(data, account, segments=segments)
        assert [d["name"] for d in x.top_drivers(10)] == expect["explain"]["top_drivers"], name
        close(name, "explained score", x.score, expect["scores"][row])
        assert x.band == expect["bands"][row], name
