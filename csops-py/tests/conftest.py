"""Shared fixtures: small books as CSV texts."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import csops

REPO = Path(__file__).resolve().parents[2]

# The package test (scripts/test-python-package.sh) runs this suite against a wheel installed
# in a fresh virtualenv: make sure that install is the csops imported, not another one.
_EXPECTED = os.environ.get("CSOPS_EXPECT_INSTALLED")
if _EXPECTED and not Path(csops.__file__).resolve().is_relative_to(Path(_EXPECTED).resolve()):
    raise RuntimeError(f"csops was imported from {csops.__file__}, not from the install in {_EXPECTED}")

#: A clean book touching most files of the layout (and a custom account attribute).
CLEAN_CSV: dict[str, str] = {
    "accounts": (
        "id,name,currency,arr,start_date,renewal_date,seats,segment,attr.source\n"
        "A1,Acme,USD,1000.00,2024-01-01,2024-06-30,4,enterprise,web\n"
        "A2,Beta,EUR,2000.50,2024-02-01,,,smb,\n"
    ),
    "contacts": "id,account_id,name\nC1,A1,Sam\n",
    "contact_roles": "contact_id,role,added,removed\nC1,executive_sponsor,2024-01-01,\n",
    "usage_events": (
        "account_id,user_id,feature,timestamp\n"
        "A1,u1,login,2024-03-30T10:00:00Z\n"
        "A1,u2,reports,2024-03-10T00:00:00Z\n"
        "A1,u1,login,2024-04-02T00:00:00Z\n"
    ),
    "surveys": "id,account_id,date,kind,score\nS1,A1,2024-03-01,nps,10\nS2,A1,2024-02-01,nps,3\n",
    "tickets": (
        "id,account_id,opened,closed,priority,status\n"
        "T1,A2,2024-03-01,,high,open\n"
        "T2,A1,2024-02-01,2024-02-03,low,closed\n"
    ),
    "meetings": "id,account_id,kind,date\nM1,A1,ebr,2024-03-15\n",
}

#: The same accounts with two bad tickets (an unknown priority, an unknown account).
BAD_CSV: dict[str, str] = {
    "accounts": CLEAN_CSV["accounts"],
    "tickets": (
        "id,account_id,opened,closed,priority,status\n"
        "T1,A1,2024-03-01,,critical,open\n"
        "T2,A9,2024-03-01,,high,open\n"
        "T3,A2,2024-03-05,,low,open\n"
    ),
}


@pytest.fixture(scope="session")
def book() -> csops.Book:
    return csops.load_book_csv(CLEAN_CSV)


@pytest.fixture(scope="session")
def lenient_book() -> csops.Book:
    return csops.load_book_csv(BAD_CSV, mode="lenient")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every test must run: a skip (a missing optional dependency, no Java) fails the run.
    Outside CI a skip only says why."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        for report in skipped:
            print(f"skipped in CI: {report.nodeid}: {report.longrepr}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _largest_pause_shares(work: Callable[[], object], runs: int = 3) -> list[float]:
    """Run ``work`` ``runs`` times while another thread records timestamps as fast as it can;
    for each run, the longest stretch without a timestamp as a share of the run's time. A call
    that holds the GIL throughout stops the other thread (share near 1); one that releases it
    lets the thread tick (a small share)."""

    def once() -> float:
        stamps: list[float] = []
        stop = threading.Event()

        def tick() -> None:
            clock, add = time.perf_counter, stamps.append
            while not stop.is_set():
                add(clock())

        ticker = threading.Thread(target=tick)
        ticker.start()
        time.sleep(0.01)
        t0 = time.perf_counter()
        work()
        t1 = time.perf_counter()
        stop.set()
        ticker.join()
        points = [t0] + [s for s in stamps if t0 <= s <= t1] + [t1]
        return max(b - a for a, b in zip(points, points[1:])) / (t1 - t0)

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        return [once() for _ in range(runs)]
    finally:
        sys.setswitchinterval(old)


@pytest.fixture
def pause_shares() -> Callable[[Callable[[], object]], list[float]]:
    """The GIL check: ``pause_shares(lambda: heavy_call())`` (see ``_largest_pause_shares``)."""
    return _largest_pause_shares
