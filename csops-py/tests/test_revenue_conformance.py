"""Runs the cross-language revenue vectors of ``tests/conformance/revenue/``.

As ``csops-core/tests/conformance.rs::revenue_vectors_agree`` does: each vector's inline JSON
book is loaded (lenient); every ARR bridge, retention cut, forecast and reconciliation it lists
is computed through the Python API (``Book.arr_bridge``, ``Book.retention``,
``csops.forecast``, ``RenewalForecast.reconcile``) and compared with what the vector expects:
amounts as exact ``Decimal`` (``"0"`` equals ``"0.00"``), other numbers within 1e-9 (relative
for large values), text and lists exactly. A bridge whose ``expect`` is ``{"error":
"config"}`` must raise ``csops.ConfigError``.

The forecast ``config`` is the core's ``ForecastConfig`` in its serde form; it is translated
to ``csops.forecast``'s keyword arguments (``from``/``to`` -> ``start``/``end``;
``{"supplied": {"probabilities": P, "fallback": f}}`` -> ``{"supplied": P, "fallback": f}``,
likewise ``band_priors``). The vector's health is passed both as the documented dict and as a
DataFrame (what ``Book.health_as_of`` gives): both must give the expected forecast.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import REPO

pd = pytest.importorskip("pandas", reason="the revenue tables are pandas DataFrames")

VECTORS_DIR = REPO / "tests" / "conformance" / "revenue"
VECTORS = sorted(VECTORS_DIR.glob("*.json"))
TOLERANCE = 1e-9

BRIDGE_AMOUNTS = ["start", "new", "expansion", "contraction", "churn", "reactivation", "end"]
RETENTION_AMOUNTS = ["start_arr", "retained_arr", "end_arr"]
FORECAST_AMOUNTS = ["arr", "expected_renewal", "expected_expansion", "commit", "best_case", "pipeline"]


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 3, f"revenue conformance vectors are missing from {VECTORS_DIR}"


def plain(x: Any) -> Any:
    """A table cell as plain data: NaN / None / pd.NA as None, numpy scalars as Python ones."""
    if x is None:
        return None
    if hasattr(x, "item") and not isinstance(x, (str, bytes, Decimal)):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    if type(x).__name__ in ("NAType", "NaTType"):
        return None
    return x


def rows(df: Any) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in r.items()} for r in df.to_dict("records")]


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
    else:
        assert got == expected, f"{name}: {path} = {got!r}, want {expected!r}"


def same_amount(name: str, path: str, expected: str, got: Any) -> None:
    """An amount: ``got`` must be a ``Decimal`` equal to the vector's decimal text."""
    assert isinstance(got, Decimal), f"{name}: {path} is {got!r}, want a Decimal"
    assert got == Decimal(expected), f"{name}: {path} = {got}, want {expected}"


def rates(used: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rates_used`` as the vectors write it: the rate as its exact decimal text, the day as
    ISO text (or None)."""
    out = []
    for r in used:
        assert isinstance(r["rate"], Decimal), f"a rate is {r['rate']!r}, want a Decimal"
        day = r["from"]
        out.append({"currency": r["currency"], "rate": str(r["rate"]), "from": day.isoformat() if day else None})
    return out


def load(vector: dict[str, Any]) -> csops.Book:
    return csops.load_book_json(json.dumps(vector["book_json"]), mode="lenient")


def forecast_kwargs(config: dict[str, Any]) -> dict[str, Any]:
    """The core's ``ForecastConfig`` (serde form) as ``csops.forecast`` keyword arguments."""
    kwargs: dict[str, Any] = {}
    for key, value in config.items():
        if key == "probability":
            ((kind, body),) = value.items()
            source = {"supplied": "probabilities", "band_priors": "priors", "calibrated": "map"}[kind]
            kwargs["probability"] = {kind: body[source], "fallback": body["fallback"]}
        else:
            kwargs[key] = value
    return kwargs


def health_frame(health: dict[str, Any]) -> Any:
    return pd.DataFrame(
        {
            "account_id": list(health),
            "score": [h.get("score") for h in health.values()],
            "band": [h.get("band") for h in health.values()],
        }
    )


def check_bridge(name: str, book: csops.Book, case: dict[str, Any]) -> None:
    expect = case["expect"]
    if expect.get("error") == "config":
        with pytest.raises(csops.ConfigError):
            book.arr_bridge(case["from"], case["to"])
        return
    b = book.arr_bridge(case["from"], case["to"])
    for k in BRIDGE_AMOUNTS:
        same_amount(name, f"bridge.{k}", expect[k], getattr(b, k))
    accounts = rows(b.accounts)
    actual = {
        "logos_start": b.logos_start,
        "logos_new": b.logos_new,
        "logos_churned": b.logos_churned,
        "logos_reactivated": b.logos_reactivated,
        "logos_end": b.logos_end,
        "movements": {a["account_id"]: a["movement"] for a in accounts},
        "rates_used": rates(b.rates_used),
    }
    rest = {k: v for k, v in expect.items() if k not in BRIDGE_AMOUNTS and k != "error"}
    subset(name, "bridge", rest, actual)


def check_retention(name: str, book: csops.Book, case: dict[str, Any]) -> None:
    # The exact table (decimal128 amounts): the vectors' amounts are exact.
    got = book.retention(case["from"], case["to"], by=case["cut"], frame="pyarrow").to_pylist()
    want = case["expect"]
    assert len(got) == len(want), f"{name}: {len(got)} cohorts, want {len(want)}"
    for g, w in zip(got, want):
        for k in RETENTION_AMOUNTS:
            same_amount(name, f"retention[{g['label']}].{k}", w[k], g[k])
        rest = {k: v for k, v in w.items() if k not in RETENTION_AMOUNTS}
        subset(name, "retention", rest, g)


def check_forecast(name: str, book: csops.Book, vector: dict[str, Any], health: Any) -> csops.RenewalForecast:
    fc = vector["forecast"]
    rf = csops.forecast(book, health=health, **forecast_kwargs(fc["config"]))
    e = fc["expect"]
    for k in FORECAST_AMOUNTS:
        same_amount(name, f"forecast.{k}", e[k], getattr(rf, k))
    lines = rows(rf.lines)
    actual = {
        "from": rf.start.isoformat(),
        "to": rf.end.isoformat(),
        "accounts": [line["account_id"] for line in lines],
        "distribution": rf.distribution,
        "rates_used": rates(rf.rates_used),
    }
    expected = {k: e[k] for k in ("from", "to", "accounts", "distribution", "rates_used") if k in e}
    subset(name, "forecast", expected, actual)
    return rf


def check_reconcile(name: str, book: csops.Book, vector: dict[str, Any], rf: csops.RenewalForecast) -> None:
    rc = vector["reconcile"]
    r = rf.reconcile(book, **rc["config"])
    e = rc["expect"]
    same_amount(name, "reconcile.forecast_arr", e["forecast_arr"], r.forecast_arr)
    same_amount(name, "reconcile.crm_arr", e["crm_arr"], r.crm_arr)
    actual = {
        "gap": r.gap,
        "passes": r.passes,
        "issues": [[i["kind"], i["account_id"]] for i in rows(r.issues)],
        "rates_used": rates(r.rates_used),
    }
    subset(name, "reconcile", {k: e[k] for k in ("gap", "passes", "issues", "rates_used") if k in e}, actual)


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    name = path.name
    book = load(vector)
    for case in vector.get("bridge") or []:
        check_bridge(name, book, case)
    for case in vector.get("retention") or []:
        check_retention(name, book, case)
    if vector.get("forecast") is not None:
        health = vector["forecast"].get("health") or {}
        for form in (health, health_frame(health)):
            rf = check_forecast(name, book, vector, form)
            if vector.get("reconcile") is not None:
                check_reconcile(name, book, vector, rf)
