"""Plots of csops results, with matplotlib (an optional dependency: ``pip install matplotlib``).

Every function takes a csops object and an optional matplotlib ``Axes`` (``ax``; a new
figure's when None), draws the object's own figures on it, and returns the ``Axes``. Nothing
is recomputed here: the numbers come from the object (its DataFrames and totals), so a plot
shows exactly what the report says.

- :func:`band_rates` — renewal rate per health band with its Wilson 95% interval, per slice
  of a back-test (``Backtest.bands``);
- :func:`calibration` — predicted against observed churn by decile (``Backtest.calibration``);
- :func:`roc` — the ROC curve of risk (100 − score) for churn, per slice (``Backtest.roc``);
- :func:`arr_bridge` — the ARR bridge as a waterfall (``ArrBridge``);
- :func:`forecast` — the forecast's renewed-ARR distribution (``RenewalForecast``).

matplotlib is imported when a function is called, not when ``csops.plot`` is imported;
without it each function raises an ``ImportError`` saying ``pip install matplotlib``.
pandas is needed too (the back-test tables are DataFrames).

>>> import csops.plot
>>> book = csops.load_book("data/sample-book", mode="lenient")
>>> ax = csops.plot.arr_bridge(book.arr_bridge("2025-09-30", "2026-09-30"))
>>> ax.get_title()
'ARR bridge 2025-09-30 to 2026-09-30 (USD)'
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - types only
    from csops._csops import ArrBridge, Backtest, RenewalForecast

__all__ = ["arr_bridge", "band_rates", "calibration", "forecast", "roc"]

#: Colours of the usual band names (others take matplotlib's cycle).
BAND_COLOURS: dict[str, str] = {
    "red": "#d62728",
    "yellow": "#e7ba52",
    "amber": "#ff9f1c",
    "green": "#2ca02c",
    "unscored": "#9e9e9e",
}


def _pyplot() -> Any:
    """matplotlib's pyplot, or an ImportError saying how to install it."""
    # By name, so that type checkers do not need matplotlib to check this module.
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as e:
        raise ImportError(
            "csops.plot needs matplotlib, an optional dependency: pip install matplotlib"
        ) from e


def _axes(ax: Any) -> Any:
    """``ax``, or the axes of a new figure."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def _thousands(axis: Any) -> None:
    """Tick labels of a money axis as whole amounts with thousands separators."""
    ticker = importlib.import_module("matplotlib.ticker")
    axis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))


def _slices(available: Sequence[str], slices: str | Iterable[str] | None) -> list[str]:
    """The slices to draw, in the table's order: every one (None), one name, or several.
    A name that is not in the table is a ValueError naming those that are."""
    if slices is None:
        return list(available)
    wanted = [slices] if isinstance(slices, str) else list(slices)
    unknown = [s for s in wanted if s not in available]
    if unknown:
        raise ValueError(
            f"no slice {', '.join(map(repr, unknown))} in this back-test; "
            f"its slices are {', '.join(map(repr, available))}"
        )
    return wanted


def _unique(values: Iterable[Any]) -> list[Any]:
    """Values in first-seen order, once each."""
    return list(dict.fromkeys(values))


def band_rates(
    bt: Backtest, *, slices: str | Iterable[str] | None = "all", ax: Any = None
) -> Any:
    """Renewal rate per band with its Wilson 95% interval as whiskers, from ``bt.bands``.

    One group of bars per band (lowest first, then ``unscored``), one bar per slice:
    ``slices`` is ``"all"`` (the whole window, the default), a quarter (``"2026-Q1"``),
    several of them, or None for every slice. Each bar's height is the slice's ``rate``,
    its whiskers run from ``ci_lo`` to ``ci_hi``; a band with no renewals in a slice has no
    bar. Each slice's bars are one ``BarContainer`` labelled with the slice's name. Returns
    the Axes.

    >>> import csops.plot
    >>> bt = csops.backtest(csops.load_book("data/sample-book", mode="lenient"),
    ...                     csops.Scorecard.default_heuristic())
    >>> ax = csops.plot.band_rates(bt)
    >>> bars = ax.containers[-1]          # the bars of slice "all" (after their whiskers)
    >>> bars.get_label(), [b.get_height() for b in bars] == list(bt.bands.query("slice == 'all'").rate)
    ('all', True)
    """
    _pyplot()
    ax = _axes(ax)
    table = bt.bands
    # The unscored renewals' band is missing in the table; the chart names their bars.
    table = table.assign(band=table["band"].astype(object).where(table["band"].notna(), "unscored"))
    chosen = _slices(_unique(table["slice"]), slices)
    bands = _unique(table["band"])
    width = 0.8 / max(len(chosen), 1)
    for k, name in enumerate(chosen):
        rows = table[(table["slice"] == name) & table["rate"].notna()]
        x = [bands.index(b) - 0.4 + width * (k + 0.5) for b in rows["band"]]
        rate = rows["rate"].to_numpy(dtype=float)
        lo = rows["ci_lo"].to_numpy(dtype=float)
        hi = rows["ci_hi"].to_numpy(dtype=float)
        colours = [BAND_COLOURS.get(b, f"C{bands.index(b)}") for b in rows["band"]]
        ax.bar(
            x,
            rate,
            width=width * 0.9,
            yerr=[rate - lo, hi - rate],
            capsize=3,
            color=colours,
            # The whole window solid, quarters lighter.
            alpha=1.0 if name == "all" or len(chosen) == 1 else 0.45,
            edgecolor="black",
            linewidth=0.5,
            label=name,
        )
    ax.set_xticks(range(len(bands)), bands)
    ax.set_ylim(0, 1.2 if len(chosen) > 1 else 1.05)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("renewal rate (Wilson 95% CI)")
    ax.set_xlabel("health band at scoring")
    ax.set_title(f"Renewal rate by band, back-test of `{bt.scorecard.name}`")
    if len(chosen) > 1:
        ax.legend(fontsize="small", loc="upper center", ncol=min(len(chosen), 5))
    return ax


def calibration(
    bt: Backtest, *, slices: str | Iterable[str] | None = "all", ax: Any = None
) -> Any:
    """Observed churn against predicted churn by decile of predicted risk, from
    ``bt.calibration``, with the diagonal of perfect calibration.

    One line per slice (``slices`` as for :func:`band_rates`), labelled with its name: x is
    the decile's ``mean_risk``, y its ``observed`` churn rate, and each point's size grows
    with the decile's renewals ``n``. The prediction is the back-test's score → P(churn)
    mapping (fitted on the same renewals unless the scorecard brought its own, so in-sample).
    Returns the Axes.
    """
    _pyplot()
    ax = _axes(ax)
    table = bt.calibration
    chosen = _slices(_unique(table["slice"]), slices)
    top = 0.0
    for name in chosen:
        rows = table[table["slice"] == name]
        x = rows["mean_risk"].to_numpy(dtype=float)
        y = rows["observed"].to_numpy(dtype=float)
        if len(x):
            top = max(top, float(x.max()), float(y.max()))
        ax.plot(x, y, marker="o", label=name)
    top = min(1.0, top * 1.1) if top > 0 else 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect calibration")
    ax.set_xlabel("predicted P(churn), decile mean")
    ax.set_ylabel("observed churn rate")
    ax.set_title("Calibration by decile of predicted risk")
    ax.legend(fontsize="small")
    return ax


def roc(bt: Backtest, *, slices: str | Iterable[str] | None = "all", ax: Any = None) -> Any:
    """The ROC curve of risk (100 − score) for churn, from ``bt.roc``, with the chance line.

    One line per slice (``slices`` as for :func:`band_rates`; a slice without both churned
    and renewed accounts has no curve), drawn through every point of the core's curve (false
    positive rate on x, true positive rate on y) and labelled with the slice's name and its
    AUC from ``bt.quarters`` (whose trapezoid area the curve's is). Returns the Axes.
    """
    _pyplot()
    ax = _axes(ax)
    curve = bt.roc
    aucs = dict(zip(bt.quarters["slice"], bt.quarters["auc"]))
    chosen = _slices(_unique(bt.quarters["slice"]), slices)
    for name in chosen:
        rows = curve[curve["slice"] == name]
        if rows.empty:
            continue
        auc = aucs.get(name, math.nan)
        ax.plot(
            rows["fpr"].to_numpy(dtype=float),
            rows["tpr"].to_numpy(dtype=float),
            drawstyle="default",
            label=f"{name} (AUC {auc:.3f})",
        )
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate (renewals flagged)")
    ax.set_ylabel("true positive rate (churns caught)")
    ax.set_title(f"ROC of the score for churn, `{bt.scorecard.name}`")
    ax.legend(loc="lower right", fontsize="small")
    return ax


#: The steps of the bridge: (attribute, label, sign).
_BRIDGE_STEPS: tuple[tuple[str, str, int], ...] = (
    ("new", "new", 1),
    ("expansion", "expansion", 1),
    ("contraction", "contraction", -1),
    ("churn", "churn", -1),
    ("reactivation", "reactivation", 1),
)


def arr_bridge(bridge: ArrBridge, *, ax: Any = None) -> Any:
    """The ARR bridge as a waterfall: ``start``, then ``new``, ``expansion``,
    ``contraction``, ``churn`` and ``reactivation`` as floating bars (up green, down red),
    then ``end``.

    Bars are drawn in that order, one ``ax.bar`` call each (``ax.patches`` holds them in
    order): ``start`` and ``end`` stand on zero with heights ``bridge.start`` and
    ``bridge.end``; each movement starts where the previous bar ended, so the last movement
    ends at ``bridge.end`` (the identity holds to the cent in ``Decimal``; the bars are
    floats). Returns the Axes.
    """
    _pyplot()
    ax = _axes(ax)
    level = float(bridge.start)
    highest = level
    labels = ["start"]
    bars = ax.bar(0, level, color="#4c72b0")
    ax.bar_label(bars, labels=[f"{level:,.0f}"], fontsize="small")
    for k, (attr, label, sign) in enumerate(_BRIDGE_STEPS, start=1):
        amount = float(getattr(bridge, attr))
        after = level + sign * amount
        bars = ax.bar(
            k,
            after - level,
            bottom=level,
            color="#2ca02c" if sign > 0 else "#d62728",
        )
        ax.bar_label(bars, labels=[f"{'+' if sign > 0 else '−'}{amount:,.0f}"], fontsize="small")
        labels.append(label)
        level = after
        highest = max(highest, level)
    end = float(bridge.end)
    bars = ax.bar(len(labels), end, color="#4c72b0")
    ax.bar_label(bars, labels=[f"{end:,.0f}"], fontsize="small")
    labels.append("end")
    ax.set_ylim(0, 1.12 * max(highest, end, 1.0))  # room for the labels
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_ylabel(f"ARR ({bridge.currency})")
    ax.set_title(f"ARR bridge {bridge.start_date} to {bridge.end_date} ({bridge.currency})")
    _thousands(ax.yaxis)
    return ax


def forecast(rf: RenewalForecast, *, ax: Any = None) -> Any:
    """The distribution of renewed ARR in the forecast's window, as the forecast reports it.

    Draws the cumulative distribution from the forecast's 1st to 99th percentiles
    (``rf.distribution["percentiles"]``: the chance that renewed ARR is at most x), and,
    below it, the P10–P90 range as a horizontal bar, the median as a vertical line and the
    mean as a diamond, beside the forecast's committed ARR (commit, commit + best case) and
    all of the ARR up for renewal (``rf.arr``) as dashed lines for scale. A forecast with
    nothing renewing (no distribution) draws only the dashed lines. Returns the Axes.
    """
    _pyplot()
    ax = _axes(ax)
    d = rf.distribution
    cur = rf.currency
    if d is not None:
        ax.plot(
            d["percentiles"],
            [k / 100 for k in range(1, 100)],
            color="#4c72b0",
            label="cumulative probability",
        )
        ax.barh(
            -0.3,
            d["p90"] - d["p10"],
            left=d["p10"],
            height=0.4,
            color="#4c72b0",
            alpha=0.5,
            label=f"P10–P90 ({d['method']})",
        )
        ax.vlines(d["p50"], -0.45, -0.15, color="#4c72b0", linewidth=2, label="P50")
        ax.plot([d["mean"]], [-0.3], marker="D", color="black", linestyle="none", label="mean")
    marks = [
        (float(rf.commit), "commit", "#2ca02c"),
        (float(rf.commit + rf.best_case), "commit + best case", "#e7ba52"),
        (float(rf.arr), "ARR up for renewal", "#d62728"),
    ]
    for value, label, colour in marks:
        ax.axvline(value, linestyle="--", color=colour, linewidth=1, label=label)
    ax.set_yticks([0, 0.5, 1.0])
    ax.set_ylim(-0.5, 1.35)
    ax.set_ylabel("P(renewed ARR ≤ x)")
    ax.set_xlabel(f"renewed ARR ({cur})")
    ax.set_title(f"Renewals {rf.start} to {rf.end}: {len(rf)} up, distribution of renewed ARR")
    _thousands(ax.xaxis)
    ax.tick_params(axis="x", labelrotation=20)
    ax.legend(fontsize="small", loc="upper center", ncol=3)
    return ax
