"""csops: an open engine for Customer Success Operations.

Everything public is implemented in Rust (the ``csops._csops`` extension
module) and re-exported here. Importing csops imports neither numpy nor pandas.

A first look at the sample book shipped with the repository (run from its root; these lines
are a doctest)::

    >>> import csops
    >>> book = csops.load_book("data/sample-book", mode="lenient")   # keep what is valid
    >>> len(book), book.report.is_clean
    (300, False)
    >>> card = csops.Scorecard.default_heuristic()
    >>> bt = csops.backtest(book, card)                  # last year's renewals, 90 days ahead
    >>> print(bt.quarters["renewals"][0], f"renewals, AUC {bt.quarters['auc'][0]:.2f}")
    205 renewals, AUC 0.64
    >>> rc = bt.recalibrate()                            # new weights, proved on held-out
    >>> rc.after["auc"] > rc.before["auc"]
    True

Load a book of business, see what validation found, derive point-in-time features::

    import csops

    book = csops.load_book("data/my-book", mode="lenient")
    print(book.report.render())
    frame = book.features_as_of(book.latest_date())
    df = frame.to_pandas()

Score every account with a health scorecard, and explain one score::

    card = csops.Scorecard.default_heuristic()      # or Scorecard.load("my-card.toml")
    scores = card.score(frame)            # pandas in (or a FeatureFrame) -> pandas out
    print(card.explain(frame, "A-001"))   # every measure's part, and the top drivers

Back-test the scorecard on last year's renewals, then fit new weights and prove them::

    bt = csops.backtest(book, card)       # scored 90 days before each renewal, 4 quarters
    print(bt)                             # bands, verdict, AUC, lift, measures, quarters
    bt.observations                       # pandas: one row per renewal
    rc = bt.recalibrate()                 # fit on older quarters, evaluate on the latest
    print(rc.before["auc"], rc.after["auc"])
    new_card = rc.scorecard

Retention and the renewal forecast (amounts are ``decimal.Decimal``, days ``datetime.date``)::

    bridge = book.arr_bridge("2025-09-30", "2026-09-30")   # start + new + ... = end, exactly
    print(bridge)
    book.retention("2025-09-30", "2026-09-30", by="segment")  # pandas: GRR, NRR, logos
    book.retention_series("2025-09-30", "2026-09-30", period="quarter")
    book.trailing_twelve_months()["nrr"]
    health = book.health_as_of(rc.scorecard)               # today's scores with the new weights
    rf = csops.forecast(book, health=health, probability=rc)   # next quarter, calibrated
    print(rf)                                              # totals, P10/P50/P90, months
    rf.lines                                               # pandas: one row per renewal
    print(rf.reconcile(book))                              # against the CRM, 2% tolerance

Segmentation: tier rules in the condition language, coverage, CSM load and assignment::

    c = csops.Condition('arr >= 100000 and region in ["EMEA"]')   # or Condition.from_dict({...})
    table = book.account_table(scorecard=rc.scorecard)   # pandas: every field a condition can name
    table[c.filter(table)]                               # the matching accounts
    rules = csops.TierRules.default()                    # or TierRules.load("tiers.toml")
    seg = book.segment(rules, scorecard=rc.scorecard)    # tiers, coverage, CSM load, moves
    print(seg)
    seg.coverage, seg.csms, seg.assignment               # pandas
    lower = csops.TierRules([("high_touch", "arr >= 75000"), ("mid_touch", "arr >= 25000"),
                             ("tech_touch", "arr >= 5000")], default_tier="digital")
    print(seg.what_if(lower))                            # who changes tier, CSMs needed
    csops.segment_table(my_accounts_df, rules)           # the same on your own table

Playbooks: plays that fire tasks, log-only first; review what would have fired, then go live::

    pb = csops.Playbook.sponsor_left()                   # or Playbook.load("plays.toml")
    pb.validate(book, scorecard=rc.scorecard)            # every problem at once
    review = csops.replay_plays(book, pb, "2026-09-03", "2026-09-30",
                                history=csops.FireHistory(last_run="2026-09-02"))
    print(review)                                        # would-have-fired, per play, per CSM
    review.fired                                         # pandas: one row per fired play
    today = csops.run_plays(book, pb, "2026-10-01", history=review.history)
    today.live                                           # the tasks to hand out
    stored = today.history.to_json()                     # keep it for tomorrow's run
    csops.play_effects(book, pb, review)                 # renewals after firing vs the rest

Books that outgrow one machine: ``csops.spark`` (imported on its own, needs pyspark) derives
features, scores and back-tests partition by partition on Spark DataFrames, with results
identical to the calls above (``docs/spark.md``)::

    import csops.spark
    features = csops.spark.features(records, day)         # records: {"accounts": df, ...}
    scores = csops.spark.score(features, card)
    bt = csops.spark.backtest(records, card)              # a csops.Backtest
Plots, with matplotlib (optional: ``pip install matplotlib``), in ``csops.plot``::

    import csops.plot
    csops.plot.band_rates(bt, slices=None)   # renewal rate per band, Wilson CI whiskers
    csops.plot.roc(bt); csops.plot.calibration(bt)
    csops.plot.arr_bridge(bridge); csops.plot.forecast(rf)   # each returns its Axes

The whole week in a notebook: ``docs/acceptance.ipynb``; as a report a CS Ops lead reads in a
browser: ``csops.week_report(book).to_html("week.html")``.

Every error raised by csops is a ``csops.CsopsError``: ``ValidationError``,
``ConfigError``, ``FormatError`` and ``MoneyError`` are also ``ValueError``; ``NotFoundError``
is also a ``KeyError``; ``ArgumentError`` (an argument or option of the wrong shape or type) is
also a ``TypeError``; ``CsopsIOError`` is also an ``OSError``.
"""

from csops import stats
from csops._csops import (
    ArgumentError,
    ArrBridge,
    Backtest,
    Book,
    Condition,
    ConfigError,
    CsopsError,
    CsopsIOError,
    Explanation,
    FeatureFrame,
    FireHistory,
    FormatError,
    NotFoundError,
    ModelSet,
    MoneyError,
    PlayReplay,
    PlayRun,
    Playbook,
    Problem,
    Recalibration,
    Reconciliation,
    RenewalForecast,
    Report,
    Scorecard,
    Segmentation,
    TierRules,
    ValidationError,
    ValidationReport,
    WhatIf,
    __version__,
    backtest,
    forecast,
    load_book,
    load_book_csv,
    load_book_json,
    generate_book,
    load_book_tables,
    play_effects,
    render_fired,
    replay_plays,
    run_plays,
    segment_table,
    default_coverage_model,
    trend,
    week_report,
)

__all__ = [
    "ArrBridge",
    "Backtest",
    "Book",
    "Condition",
    "ConfigError",
    "CsopsError",
    "CsopsIOError",
    "Explanation",
    "FeatureFrame",
    "FireHistory",
    "FormatError",
    "NotFoundError",
    "ModelSet",
    "MoneyError",
    "ArgumentError",
    "PlayReplay",
    "PlayRun",
    "Playbook",
    "Problem",
    "Recalibration",
    "Reconciliation",
    "RenewalForecast",
    "Report",
    "Scorecard",
    "Segmentation",
    "TierRules",
    "ValidationError",
    "ValidationReport",
    "WhatIf",
    "__version__",
    "backtest",
    "forecast",
    "load_book",
    "load_book_csv",
    "load_book_json",
    "generate_book",
    "load_book_tables",
    "play_effects",
    "render_fired",
    "replay_plays",
    "run_plays",
    "segment_table",
    "default_coverage_model",
    "trend",
    "week_report",
]
