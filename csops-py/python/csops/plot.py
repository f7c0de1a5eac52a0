"""Plots of csops results, with matplotlib (an optional dependency: ``pip install matplotlib``).

Every function takes a csops object and an optional matplotlib ``Axes`` (``ax``; a new
figure's when None), draws the object's own figures on it, and returns the ``Axes``. Nothing
is recomputed here: the numbers come from the object (its DataFrames and totals), so a plot
shows exactly what the report says.

- :func:`band_rates` — renewal rate per health band with its Wilson 95% interval and how many
  renewals stand behind it (too few marked in words), per slice of a back-test
  (``Backtest.bands``);
- :func:`calibration` — predicted against observed churn by decile, with each decile's count
  (``Backtest.calibration``);
- :func:`roc` — the ROC curve of risk (100 − score) for churn, per slice (``Backtest.roc``);
- :func:`lift` — the share of churners caught by working the riskiest accounts first
  (``Backtest.lift``);
- :func:`survival` — Kaplan–Meier curves of staying a customer, by band (``Backtest.survival``);
- :func:`arr_bridge` — the ARR bridge as a waterfall (``ArrBridge``);
- :func:`retention` — GRR, NRR and logo retention period by period (``Book.retention_series``);
- :func:`forecast` — renewed ARR by the end of each month, a P10–P50–P90 fan against the ARR
  at stake (``RenewalForecast.months``).

The same figures are the weekly report's charts (``csops.week_report``), drawn there by the
core as SVG.

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

__all__ = [
    "arr_bridge",
    "band_rates",
    "calibration",
    "forecast",
    "lift",
    "retention",
    "roc",
    "survival",
]

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
    its whiskers run from ``ci_lo`` to ``ci_hi``, and its label says how many renewals stand
    behind it (``n=35``; hatched and ``too few`` where the table's ``too_few`` says so); a band
    with no renewals in a slice has no bar. Each slice's bars are one ``BarContainer`` labelled with the slice's name. Returns
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
        too_few = [bool(t) for t in rows["too_few"]]
        bars = ax.bar(
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
        # Too few renewals: hatched, and said in words (not by a paler colour alone).
        for bar, few in zip(bars, too_few):
            if few:
                bar.set_hatch("//")
        ax.bar_label(
            bars,
            labels=[
                f"n={n}" + (" too few" if few else "")
                for n, few in zip(rows["renewals"], too_few)
            ],
            # Inside the bar, on a white ground: clear of the whiskers, readable on any fill.
            label_type="center",
            fontsize="x-small",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
    ax.set_xticks(range(len(bands)), bands)
    ax.set_ylim(0, 1.25 if len(chosen) > 1 else 1.12)
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
    the decile's ``mean_risk``, y its ``observed`` churn rate, and each point is labelled with
    the decile's renewals (``n=21``). The prediction is the back-test's score → P(churn)
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
        # Each decile's count beside its point: a decile of 8 renewals reads as such.
        for xi, yi, n in zip(x, y, rows["n"]):
            ax.annotate(f"n={n}", (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize="x-small")
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
    """Renewed ARR by the end of each month of the forecast's window, from ``rf.months``: the
    P10–P90 band of the running total around its median (P50), against the ARR at stake by
    then (everything due, were every renewal to renew). Never below zero; the legend sits
    below the plot, off the lines. A forecast with nothing renewing draws empty axes with its
    title. Returns the Axes.
    """
    _pyplot()
    ax = _axes(ax)
    months = rf.months
    cur = rf.currency
    x = list(range(len(months)))
    if len(months):
        p10 = months["p10"].to_numpy(dtype=float)
        p50 = months["p50"].to_numpy(dtype=float)
        p90 = months["p90"].to_numpy(dtype=float)
        stake = months["at_stake"].to_numpy(dtype=float)
        ax.fill_between(x, p10, p90, color="#4c72b0", alpha=0.25, label="P10–P90")
        ax.plot(x, p50, color="#4c72b0", marker="o", linewidth=2, label="P50 (median)")
        ax.plot(x, stake, color="black", linestyle="--", linewidth=1, label="ARR at stake")
        ax.set_xticks(x, list(months["month"]))
        ax.set_ylim(0, 1.1 * float(max(stake.max(), p90.max(), 1.0)))
    d = rf.distribution
    spread = f": P10 {d['p10']:,.0f} – P90 {d['p90']:,.0f}" if d is not None else ""
    ax.set_ylabel(f"renewed ARR by month end ({cur})")
    ax.set_xlabel("month")
    ax.set_title(f"Renewals {rf.start} to {rf.end}{spread} {cur}")
    _thousands(ax.yaxis)
    if len(months):
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
    return ax


def lift(bt: Backtest, *, slices: str | Iterable[str] | None = "all", ax: Any = None) -> Any:
    """The share of churners caught by working the riskiest share of renewals first, from
    ``bt.lift``, with the diagonal of a random order.

    One line per slice (``slices`` as for :func:`band_rates`) through (0, 0) and each of the
    table's fractions (x: ``fraction``, y: ``capture``), each point labelled with its
    ``lift``. Returns the Axes.
    """
    _pyplot()
    ax = _axes(ax)
    table = bt.lift
    chosen = _slices(_unique(table["slice"]), slices)
    for name in chosen:
        rows = table[table["slice"] == name]
        x = [0.0, *rows["fraction"].to_numpy(dtype=float)]
        y = [0.0, *rows["capture"].to_numpy(dtype=float)]
        ax.plot(x, y, marker="o", label=name)
        for xi, yi, value in zip(x[1:], y[1:], rows["lift"]):
            ax.annotate(f"lift {value:.1f}", (xi, yi), textcoords="offset points", xytext=(4, -10), fontsize="x-small")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random order")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("riskiest share of renewals worked")
    ax.set_ylabel("share of churners caught")
    ax.set_title(f"Lift of the score, `{bt.scorecard.name}`")
    ax.legend(fontsize="small", loc="lower right")
    return ax


def survival(bt: Backtest, *, ax: Any = None) -> Any:
    """Kaplan–Meier curves of staying a customer after scoring, one step curve per band, from
    ``bt.survival`` (x: days after scoring, y: the share still customers), each starting at
    1 on day 0 and labelled with its band at its end as well as in the legend. Returns the
    Axes.
    """
    _pyplot()
    ax = _axes(ax)
    table = bt.survival
    bands = _unique(table["band"].astype(object))
    lowest = 1.0
    for k, band in enumerate(bands):
        rows = table[table["band"].astype(object) == band]
        t = [0.0, *rows["time"].to_numpy(dtype=float)]
        s_ = [1.0, *rows["survival"].to_numpy(dtype=float)]
        lowest = min(lowest, min(s_))
        colour = BAND_COLOURS.get(str(band), f"C{k}")
        ax.step(t, s_, where="post", color=colour, linewidth=2, label=str(band))
        ax.annotate(str(band), (t[-1], s_[-1]), textcoords="offset points", xytext=(4, 0), fontsize="small", color=colour)
    ax.set_ylim(max(0.0, lowest - 0.05), 1.01)
    ax.set_xlabel("days after scoring")
    ax.set_ylabel("share still a customer")
    ax.set_title(f"Staying a customer by band (Kaplan–Meier), `{bt.scorecard.name}`")
    ax.legend(fontsize="small", loc="lower left")
    return ax


def retention(table: Any, *, ax: Any = None) -> Any:
    """GRR, NRR and logo retention period by period, from a retention table
    (``Book.retention_series``, or ``Book.retention`` cut by cohort): one line each, over
    the table's ``label`` (or ``from``–``to``), each point marked. Returns the Axes.

    >>> import csops.plot
    >>> book = csops.load_book("data/sample-book", mode="lenient")
    >>> ax = csops.plot.retention(book.retention_series("2025-09-30", "2026-09-30"))
    >>> ax.get_legend_handles_labels()[1]
    ['GRR', 'NRR', 'logo retention']
    """
    _pyplot()
    ax = _axes(ax)
    labels = list(table["label"])
    x = list(range(len(labels)))
    for column, name in (("grr", "GRR"), ("nrr", "NRR"), ("logo_retention", "logo retention")):
        ax.plot(x, table[column].to_numpy(dtype=float), marker="o", label=name)
    ax.set_xticks(x, labels, rotation=20)
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
    percent = importlib.import_module("matplotlib.ticker").PercentFormatter(1.0)
    ax.yaxis.set_major_formatter(percent)
    ax.set_ylabel("retained")
    ax.set_title("Retention by period")
    ax.legend(fontsize="small")
    return ax
