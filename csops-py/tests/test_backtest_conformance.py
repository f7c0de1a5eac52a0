"""Runs the cross-language back-test vectors of ``tests/conformance/backtest/``.

As ``csops-core/tests/conformance.rs::backtest_vectors_agree`` does: every key present in a
vector's ``expect`` must match what the Python API gives (numbers within 1e-9, relative for
large values), read from the public tables (``Backtest.quarters``, ``bands``, ``lift``,
``measures``, ``logrank``, ``to_dict``; ``Recalibration.train``, ``weights``, ...). An ``error:
"config"`` vector must raise ``csops.ConfigError``. The keyword arguments' defaults are the
core's: a vector with an empty ``config`` or ``recalibration`` runs on the Python defaults and
must give the core's figures. See that directory's README for the format.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import REPO

pytest.importorskip("pandas", reason="the back-test tables are pandas DataFrames")

VECTORS_DIR = REPO / "tests" / "conformance" / "backtest"
VECTORS = sorted(VECTORS_DIR.glob("*.json"))
TOLERANCE = 1e-9

#: Vector `config` keys and the `csops.backtest` keyword arguments they set.
CONFIG_KEYS = {
    "lead_days": "lead_days",
    "quarters": "quarters",
    "end": "end",
    "contraction_is_churn": "contraction_is_churn",
    "lift_fractions": "lift_fractions",
    "features": "feature_config",
    "probability": "probability",
}
RECALIBRATION_KEYS = {"c", "holdout_quarters", "probability", "red_churn_target", "green_churn_target"}


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 5, f"back-test conformance vectors are missing from {VECTORS_DIR}"


def plain(x: Any) -> Any:
    """A table cell as plain data: NaN / None / pd.NA as None, numpy scalars as Python ones."""
    if x is None:
        return None
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    if type(x).__name__ in ("NAType", "NaTType"):
        return None
    return x


def rows(df: Any) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in r.items()} for r in df.to_dict("records")]


def load(vector: dict[str, Any]) -> tuple[csops.Book, csops.Scorecard]:
    if "book_dir" in vector:
        book = csops.load_book(REPO / vector["book_dir"], mode="lenient")
    else:
        book = csops.load_book_json(json.dumps(vector["book_json"]), mode="lenient")
    card_spec = vector.get("scorecard", "default")
    card = csops.Scorecard.default_heuristic() if card_spec == "default" else csops.Scorecard.from_dict(card_spec)
    return book, card


def actual(vector: dict[str, Any]) -> dict[str, Any]:
    """What the vector's ``expect`` holds, from the Python API."""
    book, card = load(vector)
    config = vector.get("config") or {}
    unknown = set(config) - set(CONFIG_KEYS)
    if unknown:
        pytest.skip(f"vector sets {sorted(unknown)}, which csops.backtest does not take")
    kwargs = {CONFIG_KEYS[k]: v for k, v in config.items()}
    try:
        bt = csops.backtest(book, card, **kwargs)
        quarters = rows(bt.quarters)
        overall = quarters[0]
        assert overall["slice"] == "all"
        comparison = bt.to_dict()["overall"]["comparison"]
        out: dict[str, Any] = {
            "error": None,
            "window": [bt.window_start.isoformat(), bt.window_end.isoformat()],
            "renewals": overall["renewals"],
            "churned": overall["churned"],
            "unscored": overall["unscored"],
            "bands": [
                {
                    "band": b["band"],
                    "renewals": b["renewals"],
                    "renewed": b["renewed"],
                    "ci95": None if b["ci_lo"] is None else [b["ci_lo"], b["ci_hi"]],
                    "arr_up": str(b["arr_up"]),
                    "arr_renewed": str(b["arr_renewed"]),
                }
                for b in rows(bt.bands)
                if b["slice"] == "all"
            ],
            "test_used": overall["test_used"],
            "fisher_p": None if comparison is None else comparison["fisher"]["p_value"],
            "separates": overall["separates"],
            "auc": overall["auc"],
            "auc_se_delong": overall["se_delong"],
            "brier": overall["brier"],
            "quarters": [
                {"quarter": q["slice"], "renewals": q["renewals"], "churned": q["churned"]}
                for q in quarters[1:]
            ],
            "lift": [
                {"fraction": lift["fraction"], "k": lift["k"], "captured": lift["captured"]}
                for lift in rows(bt.lift)
                if lift["slice"] == "all"
            ],
            "measures": [
                {"measure": m["measure"], "auc": m["auc"], "flag": m["flag"]} for m in rows(bt.measures)
            ],
            "logrank": None if bt.logrank is None else {"chi2": bt.logrank["chi2"], "df": bt.logrank["df"]},
        }
        if vector.get("recalibration") is not None:
            rc_config = vector["recalibration"]
            assert set(rc_config) <= RECALIBRATION_KEYS, rc_config
            rc = bt.recalibrate(**rc_config)
            out["recalibration"] = {
                "train_renewals": rc.train["renewals"],
                "test_renewals": rc.test["renewals"],
                "dropped": rc.dropped,
                "before_auc": rc.before["auc"],
                "after_auc": rc.after["auc"],
                "after_brier": rc.after["brier"],
                "share_after": {w["measure"]: w["share_after"] for w in rows(rc.weights)},
            }
        return out
    except csops.ConfigError:
        return {"error": "config"}


def subset(name: str, path: str, expected: Any, got: Any) -> None:
    """``expected`` ⊆ ``got``, as the Rust runner checks it."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{name}: {path} is {got!r}, want an object"
        for k, v in expected.items():
            subset(name, f"{path}.{k}", v, got.get(k))
    elif isinstance(expected, list):
        assert isinstance(got, list), f"{name}: {path} is {got!r}, want a list"
        assert len(got) == len(expected), f"{name}: {path} has {len(got)} items, want {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, got)):
            subset(name, f"{path}[{i}]", e, a)
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{name}: {path} = {got!r}"
        assert abs(expected - got) <= TOLERANCE * max(abs(expected), 1.0), f"{name}: {path} = {got}, want {expected}"
    elif isinstance(expected, str) and isinstance(got, str) and expected != got:
        # Money: the same amount (the core writes its exact decimal text; so does str(Decimal)).
        try:
            same = Decimal(expected) == Decimal(got)
        except InvalidOperation:
            same = False
        assert same, f"{name}: {path} = {got!r}, want {expected!r}"
    else:
        assert got == expected, f"{name}: {path} = {got!r}, want {expected!r}"


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    subset(path.name, "expect", vector["expect"], actual(vector))
