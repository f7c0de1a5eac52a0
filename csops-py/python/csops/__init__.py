"""csops: an open engine for Customer Success Operations.

Everything public is implemented in Rust (the ``csops._csops`` extension
module) and re-exported here. Importing csops imports neither numpy nor pandas.

Load a book of business, see what validation found, derive point-in-time features::

    import csops

    book = csops.load_book("data/my-book", mode="lenient")
    print(book.report.render())
    frame = book.features_as_of(book.latest_date())
    df = frame.to_pandas()

Score every account with a health scorecard, and explain one score::

    card = csops.Scorecard.default()      # or Scorecard.load("my-card.toml")
    scores = card.score(frame)            # pandas in (or a FeatureFrame) -> pandas out
    print(card.explain(frame, "A-001"))   # every measure's part, and the top drivers

Back-test the scorecard on last year's renewals, then fit new weights and prove them::

    bt = csops.backtest(book, card)       # scored 90 days before each renewal, 4 quarters
    print(bt)                             # bands, verdict, AUC, lift, measures, quarters
    bt.observations                       # pandas: one row per renewal
    rc = bt.recalibrate()                 # fit on older quarters, evaluate on the latest
    print(rc.before["auc"], rc.after["auc"])
    new_card = rc.scorecard

Every error raised by csops is a ``csops.CsopsError``: ``ValidationError``,
``ConfigError`` and ``FormatError`` are also ``ValueError``; ``CsopsIOError`` is
also an ``OSError``.
"""

from csops._csops import (
    Backtest,
    Book,
    ConfigError,
    CsopsError,
    CsopsIOError,
    Explanation,
    FeatureFrame,
    FormatError,
    ModelSet,
    Problem,
    Recalibration,
    Scorecard,
    ValidationError,
    ValidationReport,
    __version__,
    backtest,
    load_book,
    load_book_csv,
    load_book_json,
    trend,
)

__all__ = [
    "Backtest",
    "Book",
    "ConfigError",
    "CsopsError",
    "CsopsIOError",
    "Explanation",
    "FeatureFrame",
    "FormatError",
    "ModelSet",
    "Problem",
    "Recalibration",
    "Scorecard",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "backtest",
    "load_book",
    "load_book_csv",
    "load_book_json",
    "trend",
]
