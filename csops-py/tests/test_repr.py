"""Notebook friendliness: every result and configuration class reads well as text
(``__repr__``) and as HTML (``_repr_html_``, what Jupyter shows), and the HTML escapes user
text: account ids and names, CSM names, tier, play, scorecard and band names.

The escaping test renames accounts and CSMs of the sample book to HTML (``<script>``, an
``<img onerror>``, ``<b>``) and parses every rendering: the only tags in it are csops' own
table markup, and the hostile text shows up escaped, as text.
"""

from __future__ import annotations

import datetime
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import REPO

pytest.importorskip("pandas", reason="the result tables are pandas DataFrames")

SAMPLE_BOOK = REPO / "data" / "sample-book"
#: The tags csops' HTML renderings use; anything else came from the data.
OWN_TAGS = {"div", "p", "b", "i", "br", "code", "table", "thead", "tbody", "tr", "th", "td"}

#: The hostile renamings: an account that the four-week sponsor-left replay fires on and the
#: assignment moves, one the reconciliation flags, and a CSM.
SCRIPT_ID = "<script>alert(49)</script>"
IMG_NAME = '<img src=x onerror="alert(1)"> & Sons'
ITALIC_ID = "<i>236</i>"
BOLD_CSM = "<b>liam</b>"
RENAMES = {"A-00049": SCRIPT_ID, "A-00236": ITALIC_ID, "liam.singh": BOLD_CSM}


class Tags(HTMLParser):
    """Start tags with their attributes, and the text, of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.ends: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> Tags:
    p = Tags()
    p.feed(fragment)
    p.close()
    return p


def check_html(fragment: str, css_class: str) -> str:
    """Well-formed csops markup: one outer div of the class, only csops' own tags (attributes
    only on that div), every tag closed but ``br``. Returns the text, unescaped."""
    assert fragment.startswith(f'<div class="{css_class}">') and fragment.endswith("</div>")
    p = parse(fragment)
    tags = [t for t, _ in p.tags]
    assert set(tags) <= OWN_TAGS, f"tags from the data: {set(tags) - OWN_TAGS}"
    assert p.tags[0] == ("div", [("class", css_class)])
    assert all(not attrs for _, attrs in p.tags[1:])
    opened = sorted(t for t in tags if t != "br")
    assert opened == sorted(p.ends)
    return "".join(p.text)


# The audit: every class that renders, on the sample book -------------------------------------------


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    """One object of every class the notebook shows, from the main job's steps."""
    book = csops.load_book(SAMPLE_BOOK, mode="lenient")
    as_of = book.latest_date()
    frame = book.features_as_of(as_of)
    card = csops.Scorecard.default_heuristic()
    bt = csops.backtest(book, card)
    rc = bt.recalibrate()
    rf = csops.forecast(book, health=book.health_as_of(rc.scorecard), probability=rc)
    seg = book.segment(scorecard=rc.scorecard)
    pb = csops.Playbook.sponsor_left()
    start = as_of - datetime.timedelta(days=27)
    history = csops.FireHistory(last_run=start - datetime.timedelta(days=1))
    return {
        "book": book,
        "frame": frame,
        "report": book.report,
        "card": card,
        "explanation": card.explain(frame, frame.account_ids[0]),
        "backtest": bt,
        "recalibration": rc,
        "bridge": book.arr_bridge("2025-09-30", "2026-09-30"),
        "forecast": rf,
        "reconciliation": rf.reconcile(book),
        "rules": csops.TierRules.default(),
        "segmentation": seg,
        "what_if": seg.what_if(csops.TierRules.default()),
        "playbook": pb,
        "history": history,
        "run": csops.run_plays(book, pb, as_of, history=history),
        "replay": csops.replay_plays(book, pb, start, as_of, history=history),
        "modelset": csops.ModelSet(card),
        "condition": csops.Condition("arr >= 100000"),
        "problem": book.report.problems[0],
    }


#: The class of each object's HTML rendering (every result and configuration a notebook shows).
HTML_CLASSES = {
    "report": "csops-validation-report",
    "card": "csops-scorecard",
    "explanation": "csops-explanation",
    "backtest": "csops-backtest",
    "recalibration": "csops-recalibration",
    "bridge": "csops-arr-bridge",
    "forecast": "csops-forecast",
    "reconciliation": "csops-reconciliation",
    "rules": "csops-tier-rules",
    "segmentation": "csops-segmentation",
    "what_if": "csops-what-if",
    "playbook": "csops-playbook",
    "run": "csops-play-run",
    "replay": "csops-play-replay",
}


def test_every_object_has_a_readable_repr(sample: dict[str, Any]) -> None:
    for name, obj in sample.items():
        text = repr(obj)
        assert not re.match(r"<(csops\.)?\w+ object at 0x", text), f"{name}: default repr"
        assert text.strip() and "\x00" not in text, name


@pytest.mark.parametrize("name", sorted(HTML_CLASSES))
def test_html_renderings_are_well_formed(sample: dict[str, Any], name: str) -> None:
    obj = sample[name]
    assert callable(getattr(type(obj), "_repr_html_", None)), f"{type(obj).__name__} has no _repr_html_"
    text = check_html(obj._repr_html_(), HTML_CLASSES[name])
    assert text.strip()


def test_html_says_what_the_text_says(sample: dict[str, Any]) -> None:
    """The HTML is the text's content, marked up: spot-check the key figures of each."""
    bt, rf, rec = sample["backtest"], sample["forecast"], sample["reconciliation"]
    assert bt.verdict is not None and html.escape(bt.verdict, quote=True) in bt._repr_html_()
    assert f"{bt.quarters['auc'][0]:.3f}" in bt._repr_html_()
    assert f"{rf.arr:,.2f}" in rf._repr_html_() and f"{rf.arr:,.2f}" in repr(rf)
    assert f"{rec.crm_arr:,.2f}" in rec._repr_html_()
    playbook = check_html(sample["playbook"]._repr_html_(), "csops-playbook")
    assert "sponsor-left" in playbook and "log_only" in playbook and "30 days" in playbook
    for line in repr(sample["playbook"]).splitlines()[2:]:
        assert line.split()[0] in playbook
    rules = check_html(sample["rules"]._repr_html_(), "csops-tier-rules")
    assert "arr >= 100000" in rules and "otherwise" in rules and "digital" in rules
    replay = check_html(sample["replay"]._repr_html_(), "csops-play-replay")
    for title in sample["replay"].fired["title"]:
        assert title in replay


# Escaping: hostile names in the book, the rules and the playbook --------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> csops.Book:
    """The sample book with two account ids, an account name and a CSM made of HTML."""
    d: Path = tmp_path_factory.mktemp("hostile-book")
    for f in SAMPLE_BOOK.glob("*.csv"):
        text = f.read_text(encoding="utf-8")
        for old, new in RENAMES.items():
            text = text.replace(old, new)
        (d / f.name).write_text(text, encoding="utf-8")
    accounts = (d / "accounts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(accounts):
        if line.startswith(SCRIPT_ID + ","):
            cells = line.split(",")
            cells[1] = IMG_NAME
            accounts[i] = ",".join(cells)
    (d / "accounts.csv").write_text("".join(accounts), encoding="utf-8")
    book = csops.load_book(d, mode="lenient")
    assert {a["id"]: a["name"] for a in book.accounts()}[SCRIPT_ID] == IMG_NAME
    return book


def rendered(fragment: str, css_class: str, *expected: str) -> None:
    """No markup from the data, and each expected text present as text."""
    text = check_html(fragment, css_class)
    for e in expected:
        assert e in text, f"{e!r} is not in the text of {css_class}"
        assert e not in fragment, f"{e!r} appears unescaped in {css_class}"


def test_account_and_csm_names_are_escaped(hostile: csops.Book) -> None:
    as_of = hostile.latest_date()
    frame = hostile.features_as_of(as_of)
    card = csops.Scorecard.default_heuristic()
    rendered(card.explain(frame, SCRIPT_ID)._repr_html_(), "csops-explanation", SCRIPT_ID)
    rc = csops.backtest(hostile, card).recalibrate()
    rf = csops.forecast(hostile, health=hostile.health_as_of(rc.scorecard), probability=rc)
    assert ITALIC_ID in set(rf.lines["account_id"])
    rec = rf.reconcile(hostile)
    assert ITALIC_ID in set(rec.issues["account_id"])
    rendered(rec._repr_html_(), "csops-reconciliation", ITALIC_ID)
    seg = hostile.segment(scorecard=rc.scorecard)
    rendered(seg._repr_html_(), "csops-segmentation", BOLD_CSM)
    pb = csops.Playbook.sponsor_left()
    start = as_of - datetime.timedelta(days=27)
    review = csops.replay_plays(hostile, pb, start, as_of, history=csops.FireHistory(last_run=start - datetime.timedelta(days=1)))
    assert SCRIPT_ID in set(review.fired["account_id"])
    # The task title names the account: its HTML name, escaped.
    rendered(review._repr_html_(), "csops-play-replay", SCRIPT_ID, IMG_NAME, BOLD_CSM)
    run = csops.run_plays(hostile, pb, review.fired["date"][list(review.fired["account_id"]).index(SCRIPT_ID)],
                          history=csops.FireHistory(last_run=start - datetime.timedelta(days=1)))
    rendered(run._repr_html_(), "csops-play-run", SCRIPT_ID, IMG_NAME)
    # The validation report names rows by record id.
    rendered(hostile.report._repr_html_(), "csops-validation-report")


def test_configuration_names_are_escaped(hostile: csops.Book) -> None:
    tier = "<script>tier()</script>"
    rules = csops.TierRules([(tier, "arr >= 100000")], default_tier="<u>rest</u>")
    rendered(rules._repr_html_(), "csops-tier-rules", tier, "<u>rest</u>")
    model = {tier: {"accounts_per_csm": 15}, "<u>rest</u>": "pooled"}
    seg = hostile.segment(rules, model=model)
    rendered(seg._repr_html_(), "csops-segmentation", tier)
    other = csops.TierRules([(tier, "arr >= 50000")], default_tier="<u>rest</u>")
    rendered(seg.what_if(other)._repr_html_(), "csops-what-if", tier)
    play = csops.Playbook.sponsor_left().to_dict()["plays"][0]
    play.update(name="<script>play()</script>", owner="<b>ops</b>", filter='segment != "<i>x</i>"')
    pb = csops.Playbook([play])
    rendered(pb._repr_html_(), "csops-playbook", "<script>play()</script>", "<b>ops</b>", '"<i>x</i>"')
    card = csops.Scorecard.default_heuristic().to_dict()
    card["name"] = "<script>card()</script>"
    card["description"] = "<img src=x>"
    for band in card["bands"]:
        band["name"] = f"<b>{band['name']}</b>"
    hostile_card = csops.Scorecard.from_dict(card)
    rendered(hostile_card._repr_html_(), "csops-scorecard", "<script>card()</script>", "<img src=x>")
    bt = csops.backtest(hostile, hostile_card)
    rendered(bt._repr_html_(), "csops-backtest", "<script>card()</script>", "<b>red</b>")
