"""The weekly report from Python: the same page as Rust's (the conformance vector
``tests/conformance/report/sample_week.html``), written to a file, shown in a notebook, with
options given as the classes a user already holds."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

import csops
from conftest import REPO

SAMPLE = REPO / "data" / "sample-book"
VECTOR = REPO / "tests" / "conformance" / "report" / "sample_week.html"
SECTIONS = [
    "quality",
    "health",
    "backtest",
    "recalibration",
    "forecast",
    "retention",
    "segmentation",
    "playbooks",
]


@pytest.fixture(scope="module")
def sample() -> csops.Book:
    return csops.load_book(str(SAMPLE), mode="lenient")


@pytest.fixture(scope="module")
def report(sample: csops.Book) -> csops.Report:
    return csops.week_report(sample)


def test_the_page_is_the_cores(report: csops.Report) -> None:
    assert report.to_html() == VECTOR.read_text(encoding="utf-8")


def test_sections_answer_first(report: csops.Report) -> None:
    assert [s["id"] for s in report.sections] == SECTIONS
    assert len(report) == len(SECTIONS)
    for s in report.sections:
        assert s["answer"] and s["tables"]
        for c in s["charts"]:
            assert c["svg"].startswith("<svg") and c["title"] and c["alt"]
    text = repr(report)
    assert text.startswith(report.title)
    assert all(s["answer"] in text for s in report.sections)
    assert report.to_dict()["sections"] == report.sections


def test_to_html_writes_a_file(report: csops.Report, tmp_path: Path) -> None:
    path = tmp_path / "week.html"
    assert report.to_html(path) is None
    assert path.read_text(encoding="utf-8") == report.to_html()
    assert report.to_html(str(tmp_path / "again.html")) is None
    with pytest.raises(csops.CsopsIOError):
        report.to_html(tmp_path / "no-such-dir" / "week.html")


def test_a_notebook_shows_it_in_a_frame(report: csops.Report) -> None:
    html = report._repr_html_()
    assert html.startswith("<iframe") and 'srcdoc="&lt;!DOCTYPE html&gt;' in html


def test_pickles(report: csops.Report) -> None:
    again = pickle.loads(pickle.dumps(report))
    assert again.to_html() == report.to_html()


def test_options_take_the_classes_a_user_holds(sample: csops.Book) -> None:
    same = csops.week_report(
        sample,
        as_of=dt.date(2026, 9, 30),
        scorecard=csops.Scorecard.default_heuristic(),
        tier_rules=csops.TierRules.default(),
        playbook=csops.Playbook.sponsor_left(),
        replay_days=28,
        effect_days=540,
    )
    assert same.to_html() == VECTOR.read_text(encoding="utf-8")
    titled = csops.week_report(sample, title="Week 39", replay_days=7)
    assert titled.title == "Week 39"
    assert "2026-09-24 to 2026-09-30" in titled.sections[-1]["answer"]


def test_bad_options_say_which(sample: csops.Book) -> None:
    with pytest.raises(csops.ArgumentError, match="replay_days"):
        csops.week_report(sample, replay_days="four weeks")
    with pytest.raises(TypeError):
        csops.week_report(sample, colour="blue")  # type: ignore[call-arg]
    with pytest.raises(csops.ConfigError, match="at most 3660 days"):
        csops.week_report(sample, effect_days=10_000_000)


def test_a_book_without_history_still_gets_its_week() -> None:
    tiny = csops.load_book_csv(
        {
            "accounts": "id,name,currency,arr,start_date,renewal_date\n"
            "A1,Acme,USD,1000.00,2024-01-01,2026-06-30\n",
            "usage_events": "account_id,user_id,feature,timestamp\nA1,u1,login,2026-05-01T10:00:00Z\n",
        }
    )
    report = csops.week_report(tiny)
    assert [s["id"] for s in report.sections] == SECTIONS
    backtest = report.sections[2]
    assert backtest["answer"].startswith("Not available for this book:")
    assert "default band priors" in " ".join(report.sections[4]["notes"])
