"""One Book shared by several threads: results are identical to a single-threaded run."""

from __future__ import annotations

import datetime
import math
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import csops

THREADS = 4
FEATURES = ["login", "reports", "dashboards", "api", "alerts", "exports"]


def make_book(n_accounts: int = 300, events_per_account: int = 60) -> csops.Book:
    rng = random.Random(7)
    accounts = ["id,name,currency,arr,start_date,renewal_date,seats"]
    events = ["account_id,user_id,feature,timestamp"]
    surveys = ["id,account_id,date,kind,score"]
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    for a in range(n_accounts):
        seats = rng.choice(["", "5", "20"])
        accounts.append(f"A{a},Account {a},USD,{rng.randrange(1000, 90000)}.00,2023-06-01,2024-09-30,{seats}")
        for _ in range(events_per_account):
            ts = start + datetime.timedelta(minutes=rng.randrange(0, 150 * 24 * 60))
            feature = rng.choice(FEATURES)
            events.append(f"A{a},u{rng.randrange(8)},{feature},{ts.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        if a % 3 == 0:
            surveys.append(f"S{a},A{a},2024-03-{1 + a % 28:02d},nps,{rng.randrange(11)}")
    return csops.load_book_csv(
        {
            "accounts": "\n".join(accounts) + "\n",
            "usage_events": "\n".join(events) + "\n",
            "surveys": "\n".join(surveys) + "\n",
        }
    )


def snapshot(frame: csops.FeatureFrame) -> list[tuple[str, str, float | None]]:
    """Every value of a frame, NaN as None, for exact comparison."""
    out = []
    for name in frame.columns:
        for account, v in zip(frame.account_ids, frame.column(name)):
            out.append((account, name, None if math.isnan(v) else v))
    return out


@pytest.fixture(scope="module")
def big_book() -> csops.Book:
    return make_book()


def test_features_from_four_threads(big_book: csops.Book) -> None:
    days = [datetime.date(2024, 3, 1) + datetime.timedelta(days=7 * i) for i in range(6)]
    expected = {d: snapshot(big_book.features_as_of(d)) for d in days}
    assert len(expected[days[0]]) == 300 * 15

    barrier = threading.Barrier(THREADS)

    def work(worker: int) -> dict[datetime.date, list[tuple[str, str, float | None]]]:
        barrier.wait()
        results = {}
        for i in range(len(days) * 3):
            d = days[(i + worker) % len(days)]
            results[d] = snapshot(big_book.features_as_of(d))
        return results

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        all_results = list(pool.map(work, range(THREADS)))
    for results in all_results:
        assert results == expected


def test_loading_from_four_threads(big_book: csops.Book) -> None:
    text = big_book.to_json()

    def work(_: int) -> str:
        return csops.load_book_json(text).to_json()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        assert set(pool.map(work, range(THREADS * 2))) == {text}


def test_errors_from_four_threads(big_book: csops.Book) -> None:
    def work(_: int) -> str:
        with pytest.raises(csops.ConfigError) as info:
            big_book.features_as_of("2024-03-31", config={"usage_window_days": 0})
        return str(info.value)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        assert len(set(pool.map(work, range(THREADS * 4)))) == 1


# Scoring, conditions, plays and merged books from several threads ------------------------------


def test_scoring_from_four_threads_gives_the_same_tables() -> None:
    np = pytest.importorskip("numpy")
    card = csops.Scorecard.default_heuristic()
    rng = np.random.default_rng(3)
    n = 20_000
    data = {
        "account_id": [f"A{i}" for i in range(n)],
        "logins_per_user_week": rng.gamma(2.0, 0.5, n),
        "dau_mau": rng.uniform(0, 0.3, n),
        "feature_breadth": rng.uniform(0, 1, n),
        "seat_utilisation": rng.uniform(0, 1.2, n),
        "exec_sponsor_present": rng.integers(0, 2, n).astype(float),
        "champion_present": rng.integers(0, 2, n).astype(float),
        "days_since_last_ebr": rng.uniform(0, 500, n),
        "open_high_priority_tickets": rng.integers(0, 6, n).astype(float),
        "avg_csat": rng.uniform(1, 5, n),
        "nps": rng.uniform(-100, 100, n),
    }
    want = card.score(data)
    condition = csops.Condition("logins_per_user_week > 1 and nps >= 0")
    mask = condition.filter(data)

    def work(_: int) -> bool:
        got = card.score(data)
        same = all(np.array_equal(got[k], want[k], equal_nan=True) for k in want if k not in ("account_id", "band"))
        return same and got["band"] == want["band"] and bool((condition.filter(data) == mask).all())

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        assert all(pool.map(work, range(THREADS * 3)))


def test_plays_and_merged_books_from_four_threads(big_book: csops.Book) -> None:
    pb = csops.Playbook.from_dict(
        {
            "plays": [
                {
                    "name": "low usage",
                    "owner": "ops",
                    "trigger": {"kind": "level", "when": "logins_per_user_week < 0.5"},
                    "actions": [{"action": "tag", "tag": "low-usage"}],
                }
            ]
        }
    )
    want = csops.run_plays(big_book, pb, "2024-05-01").to_dicts()
    extra = {"surveys": [{"id": "S-new", "account_id": "A1", "date": "2024-04-01", "kind": "nps", "score": 9}]}
    merged = big_book.with_records(extra).to_json()

    def work(i: int) -> bool:
        if i % 2:
            return csops.run_plays(big_book, pb, "2024-05-01").to_dicts() == want
        return big_book.with_records(extra).to_json() == merged

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        assert all(pool.map(work, range(THREADS * 2)))
