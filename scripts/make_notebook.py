"""Write docs/acceptance.ipynb: the main job (``cs_week``) in Python, as a notebook.

    python scripts/make_notebook.py [--check]

The notebook is generated from this script so that it can be reviewed as code, and it is
stored without outputs. ``--check`` writes nothing and exits 1 if the stored notebook is not
what this script generates (the Python test suite checks the same, then runs the notebook).

It mirrors the sections of ``csops-core/examples/cs_week.rs``: load and validate, features,
scores and the riskiest accounts, back-test, re-tune, forecast and reconciliation, retention,
segmentation, and the sponsor-left play. Cells tagged ``figures`` print key figures as
``label: value`` lines; the test recomputes each through the API and compares. Cells tagged
``plot`` must produce an image.

Needs nbformat (``pip install nbformat``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "acceptance.ipynb"

#: (kind, id, tags, source): kind "md" or "code"; ids are fixed so the file is reproducible.
CELLS: list[tuple[str, str, list[str], str]] = []


def md(cell_id: str, text: str) -> None:
    CELLS.append(("md", cell_id, [], text.strip("\n")))


def code(cell_id: str, text: str, *tags: str) -> None:
    CELLS.append(("code", cell_id, list(tags), text.strip("\n")))


md(
    "title",
    """
# A CS Ops week with csops, in Python

The acceptance story of csops, run on the shipped sample book of business
(`data/sample-book`): the same ten sections as the main job,
`cargo run --release --example cs_week -- --html week.html`, through the Python package.

1. load and validate the book · 2. point-in-time features · 3. health scores and the riskiest
accounts · 4. back-test the score against last year's renewals · 5. re-tune it and prove it on
held-out renewals · 6. next quarter's renewal forecast, reconciled with the CRM ·
7. GRR / NRR by segment and the ARR bridge · 8. segmentation, coverage and a what-if ·
9. the sponsor-left play, replayed log-only, and its effect · 10. the week as a report

Needs `csops`, `pandas` and `matplotlib` (`pip install csops[plot] pandas`). Run it from the
repository (the root or `docs/`). Cells that end with a csops object show it as HTML; cells
that print `label: value` lines give the section's key figures.
""",
)

code(
    "setup",
    """
%matplotlib inline
import datetime
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import csops
import csops.plot

# The shipped sample book: from the repository root, or from docs/.
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "data" / "sample-book").is_dir())
BOOK_DIR = ROOT / "data" / "sample-book"
print("csops", csops.__version__, "on", BOOK_DIR.relative_to(ROOT))
""",
)

md(
    "s1",
    """
## 1. Load and validate the book

Lenient mode keeps every valid row and reports every problem with its file, row and field:
nothing is dropped silently. (Strict mode, the default, raises `csops.ValidationError`.)
""",
)
code(
    "s1-load",
    """
book = csops.load_book(BOOK_DIR, mode="lenient")
print(book.report.render())
""",
)
code(
    "s1-figures",
    """
counts = book.counts()
print(f"accounts: {counts['accounts']}")
print(f"usage events: {counts['usage_events']}")
print(f"renewal outcomes: {counts['renewal_outcomes']}")
print(f"problems: {len(book.report.problems)}")
print(f"rejected rows: {len(book.report.rejected)}")
""",
    "figures",
)

md(
    "s2",
    """
## 2. Point-in-time features

Every feature as of the book's latest date, computed from nothing dated after it. Missing
values stay missing (NaN), they are not filled in.
""",
)
code(
    "s2-features",
    """
as_of = book.latest_date()
FEATURES = {"snapshot_metrics": ["active_users"]}
frame = book.features_as_of(as_of, config=FEATURES)
print(frame.render_summary())
""",
)
code(
    "s2-figures",
    """
print(f"as of: {frame.as_of}")
print(f"accounts with features: {len(frame)}")
print(f"feature columns: {len(frame.columns)}")
""",
    "figures",
)

md(
    "s3",
    """
## 3. Score every account

The default scorecard is a login-heavy heuristic: a fixed formula, not a fitted model, which
is why section 4 back-tests it. Each score comes with its per-measure contributions.
""",
)
code(
    "s3-card",
    """
card = csops.Scorecard.default_heuristic()
card
""",
)
code(
    "s3-score",
    """
scores = card.score(frame)        # one row per account, indexed by account id
scores["band"].value_counts()
""",
)
code(
    "s3-riskiest",
    """
# The ten riskiest accounts and the measures that pull them down.
names = {a["id"]: a["name"] for a in book.accounts()}
riskiest = scores.dropna(subset=["score"]).sort_values("score", kind="stable").head(10)
pd.DataFrame(
    {
        "name": [names[i] for i in riskiest.index],
        "score": riskiest["score"].round(1),
        "band": riskiest["band"],
        "drivers": [
            ", ".join(f"{d['name']} -{d['points_lost']:.0f}" for d in card.explain(frame, i).top_drivers(3))
            for i in riskiest.index
        ],
    },
    index=riskiest.index,
)
""",
)
code(
    "s3-explain",
    """
card.explain(frame, riskiest.index[0])   # every measure's part in the riskiest account's score
""",
)
code(
    "s3-figures",
    """
print(f"scored accounts: {int(scores['score'].notna().sum())}")
for band, n in scores["band"].value_counts().sort_index().items():
    print(f"band {band}: {n}")
print(f"riskiest account: {riskiest.index[0]} ({riskiest['score'].iloc[0]:.1f})")
""",
    "figures",
)

md(
    "s4",
    """
## 4. Back-test: did the score predict last year's churn?

Every renewal of the last four quarters, scored as the account stood 90 days before it, set
beside what happened: renewal rates per band with Wilson intervals, the verdict of red
against green, the ROC AUC with its DeLong interval, and each measure's own predictive power
beside its weight.
""",
)
code(
    "s4-backtest",
    """
bt = csops.backtest(book, card)
bt
""",
)
code(
    "s4-figures",
    """
overall = bt.quarters.iloc[0]
print(f"renewals: {overall['renewals']}")
print(f"churned: {overall['churned']}")
print(f"AUC: {overall['auc']:.4f} [{overall['auc_lo']:.4f}, {overall['auc_hi']:.4f}]")
print(f"verdict: {bt.verdict}")
measures = bt.measures.set_index("measure")
for m in ["logins", "breadth"]:
    print(f"{m} weight vs power: {measures.loc[m, 'weight_share']:.2f} vs {measures.loc[m, 'power_share']:.2f}")
""",
    "figures",
)
code(
    "s4-bands",
    """
csops.plot.band_rates(bt, slices=None)   # every slice: the whole window, then each quarter
plt.show()
""",
    "plot",
)
code(
    "s4-roc",
    """
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
csops.plot.roc(bt, slices=None, ax=left)
csops.plot.calibration(bt, ax=right)
plt.show()
""",
    "plot",
)
code(
    "s4-measures",
    """
bt.measures
""",
)

md(
    "s5",
    """
## 5. Re-tune: fit weights on the older quarters, prove them on the latest

A logistic regression on the measures' scores, fitted on all but the latest quarter; the old
and new scorecards are compared on the held-out quarter only.
""",
)
code(
    "s5-recalibrate",
    """
rc = bt.recalibrate()
rc
""",
)
code(
    "s5-figures",
    """
print(f"held-out AUC before: {rc.before['auc']:.4f}")
print(f"held-out AUC after: {rc.after['auc']:.4f}")
print(f"held-out Brier before: {rc.before['brier']:.4f}")
print(f"held-out Brier after: {rc.after['brier']:.4f}")
""",
    "figures",
)

md(
    "s6",
    """
## 6. Next quarter's renewal forecast, reconciled with the CRM

P(renew) comes from the re-tuned scorecard's calibrated mapping of today's scores. The
reconciliation sets the forecast against the CRM's open renewal opportunities: within 2%,
or the accounts that break it, by name.
""",
)
code(
    "s6-forecast",
    """
health = book.health_as_of(rc.scorecard)
rf = csops.forecast(book, health=health, probability=rc)
rf
""",
)
code(
    "s6-plot",
    """
csops.plot.forecast(rf)
plt.show()
""",
    "plot",
)
code(
    "s6-reconcile",
    """
rec = rf.reconcile(book)
rec
""",
)
code(
    "s6-figures",
    """
print(f"window: {rf.start} to {rf.end}")
print(f"renewals due: {len(rf)}")
print(f"ARR up for renewal: {rf.arr}")
print(f"expected renewal: {rf.expected_renewal}")
d = rf.distribution
print(f"P10 / P50 / P90: {d['p10']:.0f} / {d['p50']:.0f} / {d['p90']:.0f}")
print(f"CRM ARR: {rec.crm_arr}")
print(f"gap: {100 * rec.gap:+.2f}%")
print(f"reconciles: {rec.passes}")
print(f"issues: {len(rec.issues)}")
""",
    "figures",
)

md(
    "s7",
    """
## 7. Retention: trailing twelve months, by segment, and the ARR bridge

GRR and NRR by segment over the trailing twelve months; the bridge from ARR a year ago to
ARR today holds to the cent (amounts are `decimal.Decimal`).
""",
)
code(
    "s7-retention",
    """
ttm = book.trailing_twelve_months()
book.retention(ttm["from"], ttm["to"], by="segment")
""",
)
code(
    "s7-bridge",
    """
bridge = book.arr_bridge(ttm["from"], ttm["to"])
bridge
""",
)
code(
    "s7-waterfall",
    """
csops.plot.arr_bridge(bridge)
plt.show()
""",
    "plot",
)
code(
    "s7-series",
    """
book.retention_series(ttm["from"], as_of, period="quarter")
""",
)
code(
    "s7-figures",
    """
print(f"TTM: {ttm['from']} to {ttm['to']}")
print(f"GRR: {100 * ttm['grr']:.1f}%")
print(f"NRR: {100 * ttm['nrr']:.1f}%")
print(f"logos retained: {ttm['logos_retained']} of {ttm['logos']}")
print(f"bridge start: {round(bridge.start, 2)}")
print(f"bridge end: {round(bridge.end, 2)}")
""",
    "figures",
)

md(
    "s8",
    """
## 8. Segmentation, coverage and CSM load

Tier rules in the condition language (first match wins), coverage per tier against the
coverage model, each CSM's load, the assignment moves, and a what-if: high touch from 75,000
instead of 100,000.
""",
)
code(
    "s8-rules",
    """
rules = csops.TierRules.default()
rules
""",
)
code(
    "s8-segment",
    """
seg = book.segment(rules, scorecard=rc.scorecard, feature_config=FEATURES)
seg
""",
)
code(
    "s8-whatif",
    """
lower = rules.to_dict()
lower["rules"][0]["when"] = "arr >= 75000"
what_if = seg.what_if(csops.TierRules.from_dict(lower))
what_if
""",
)
code(
    "s8-figures",
    """
for row in seg.coverage.itertuples():
    print(f"tier {row.tier}: {row.accounts} accounts, {row.needed:g} CSMs needed")
print(f"unowned: {seg.unowned}")
print(f"moves: {len(seg.assignment)}")
print(f"what-if changes: {len(what_if)}")
""",
    "figures",
)

md(
    "s9",
    """
## 9. The sponsor-left play, log-only, over the last four weeks

Every new play starts log-only: replay it over the last four weeks and review what it would
have fired (and who would have got the tasks) before it goes live. Then the same play over
eighteen months, and what happened to the accounts it fired on.
""",
)
code(
    "s9-playbook",
    """
pb = csops.Playbook.sponsor_left()
pb.validate(book, scorecard=rc.scorecard)   # every problem at once (ConfigError), or None
pb
""",
)
code(
    "s9-replay",
    """
start = as_of - datetime.timedelta(days=27)
review = csops.replay_plays(
    book, pb, start, as_of,
    history=csops.FireHistory(last_run=start - datetime.timedelta(days=1)),
    scorecard=rc.scorecard,
)
review
""",
)
code(
    "s9-effects",
    """
long_start = as_of - datetime.timedelta(days=540)
long_review = csops.replay_plays(
    book, pb, long_start, as_of,
    history=csops.FireHistory(last_run=long_start - datetime.timedelta(days=1)),
    scorecard=rc.scorecard,
)
effects = csops.play_effects(book, pb, long_review, scorecard=rc.scorecard)
effects
""",
)
code(
    "s9-figures",
    """
print(f"would have fired (4 weeks): {len(review)}")
for csm, n in review.per_csm.items():
    print(f"tasks for {csm}: {n}")
print(f"would have fired (18 months): {len(long_review)}")
print(f"effect: {effects['verdict'].iloc[0]}")
""",
    "figures",
)

md(
    "s10",
    """
## 10. The week as a report for the CS Ops lead

The same week, made by the core as one self-contained HTML page: each section's answer first,
then its charts, then the tables behind them. `report.to_html("week.html")` writes the file to
send; here it shows inline.
""",
)
code(
    "s10-report",
    """
report = csops.week_report(book)
report
""",
)

md(
    "end",
    """
That is the week: the book loaded with every problem named, a score back-tested and re-tuned
with held-out proof, a forecast that reconciles with the CRM (or names who breaks it),
retention by segment, tiers and coverage, and a play reviewed before it goes live.
""",
)


def build() -> nbformat.NotebookNode:
    cells = []
    for kind, cell_id, tags, source in CELLS:
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell["id"] = cell_id
        if tags:
            cell["metadata"]["tags"] = tags
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb["metadata"] = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def text() -> str:
    return nbformat.writes(build()) + "\n"


def main(argv: list[str]) -> int:
    want = text()
    if argv[1:] == ["--check"]:
        have = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if have != want:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python scripts/make_notebook.py")
            return 1
        return 0
    if argv[1:]:
        print(__doc__)
        return 2
    OUT.write_text(want, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(CELLS)} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
