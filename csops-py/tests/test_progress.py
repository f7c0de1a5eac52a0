"""Long calls report progress (``progress=``) and stop on Ctrl-C within a second, untouched."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

import csops

from conftest import REPO

SAMPLE = REPO / "data" / "sample-book"


def test_a_progress_callable_sees_each_file_from_start_to_end() -> None:
    seen: list[tuple[Any, ...]] = []
    book = csops.load_book(SAMPLE, mode="lenient", progress=lambda *a: seen.append(a))
    stages = {a[0] for a in seen}
    assert {f"reading {f}" for f in book.report.files} <= stages
    usage = [a for a in seen if a[0] == "reading usage_events.csv"]
    size = (SAMPLE / "usage_events.csv").stat().st_size
    assert usage[0][1] == 0 and usage[-1][1:3] == (size, size)
    assert all(a[3] == "bytes" for a in usage)
    # The hook changes nothing.
    assert book.to_json() == csops.load_book(SAMPLE, mode="lenient").to_json()


def test_every_long_call_takes_progress() -> None:
    book = csops.load_book(SAMPLE, mode="lenient")
    card = csops.Scorecard.default_heuristic()
    for call, stage in [
        (lambda p: book.features_as_of("2026-09-30", progress=p), "deriving features"),
        (lambda p: csops.backtest(book, card, progress=p), "back-testing"),
    ]:
        seen: list[tuple[Any, ...]] = []
        call(lambda *a: seen.append(a))
        assert any(a[0] == stage for a in seen), stage


class Stop(Exception):
    pass


def _stop(*_: object) -> None:
    raise Stop("enough")


def test_an_exception_in_the_callable_stops_the_call_and_is_raised() -> None:
    with pytest.raises(Stop):
        csops.load_book(SAMPLE, mode="lenient", progress=_stop)
    book = csops.load_book(SAMPLE, mode="lenient")
    with pytest.raises(Stop):
        book.features_as_of("2026-09-30", progress=_stop)
    with pytest.raises(Stop):
        csops.backtest(book, csops.Scorecard.default_heuristic(), progress=_stop)
    with pytest.raises(TypeError, match="progress must be True"):
        csops.load_book(SAMPLE, progress=42)


def test_progress_true_draws_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    csops.load_book(SAMPLE, mode="lenient", progress=True)
    assert "reading usage_events.csv" in capsys.readouterr().err


CHILD = """
import sys, time, csops
print("start", flush=True)
t = time.monotonic()
try:
    csops.load_book(sys.argv[1], mode="lenient")
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    # Nothing is left half-done: the next call works.
    assert len(csops.load_book(sys.argv[2], mode="lenient")) == 300
    print("ok", flush=True)
"""


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_stops_a_long_load_within_a_second(tmp_path: pathlib.Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "id,name,currency,arr,start_date\nA1,Acme,USD,1000,2024-01-01\n"
    )
    with open(tmp_path / "usage_events.csv", "w") as f:
        f.write("account_id,user_id,feature,timestamp\n")
        f.write("A1,u1,login,2025-01-01T09:30:00Z\n" * 4_000_000)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path), str(SAMPLE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "start"
    time.sleep(0.5)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    line = child.stdout.readline().strip()
    stopped = time.monotonic() - sent
    rest = child.stdout.read()
    child.wait(timeout=60)
    assert line == "interrupted", f"{line} (the load must still run when interrupted)"
    assert stopped < 1.0, f"stopped {stopped:.2f} s after Ctrl-C"
    assert rest.strip() == "ok"
