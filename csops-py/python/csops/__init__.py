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

Every error raised by csops is a ``csops.CsopsError``: ``ValidationError``,
``ConfigError`` and ``FormatError`` are also ``ValueError``; ``CsopsIOError`` is
also an ``OSError``.
"""

from csops._csops import (
    Book,
    ConfigError,
    CsopsError,
    CsopsIOError,
    Explanation,
    FeatureFrame,
    FormatError,
    ModelSet,
    Problem,
    Scorecard,
    ValidationError,
    ValidationReport,
    __version__,
    load_book,
    load_book_csv,
    load_book_json,
    trend,
)

__all__ = [
    "Book",
    "ConfigError",
    "CsopsError",
    "CsopsIOError",
    "Explanation",
    "FeatureFrame",
    "FormatError",
    "ModelSet",
    "Problem",
    "Scorecard",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "load_book",
    "load_book_csv",
    "load_book_json",
    "trend",
]
