"""Peer comparison for retention: what a CRO's QBR needs from 1M accounts with two years of
monthly ARR snapshots (the ARR history, the trailing year's ARR bridge, GRR / NRR / logo
retention, the same by segment, the quarterly series over two years), csops against pandas on
the same data, timed in the same run, one core each.

    cargo build --release -p csops-benches --bin retention_scale
    target/release/retention_scale --accounts 1000000 --write /tmp/retention1m
    /tmp/refvenv/bin/python benches/peers/retention_pandas.py --data /tmp/retention1m \
        [--csops target/release/retention_scale] [--runs 5] [--build-runs 3] \
        [--decimal-accounts 100000]

Any Python with pandas and numpy will do (`python -m venv /tmp/pdvenv && /tmp/pdvenv/bin/pip
install pandas`). The script reads the CSV files `retention_scale --write` wrote (untimed:
parsing, and mapping account ids to book positions, as `Book::from_records` does untimed on the
csops side), checks that it read the data csops generates (counts and cent totals per
currency), runs the csops binary itself (which regenerates the same seeded book in memory and
times `ArrHistory::from_book` and the four queries), computes the same answers in pandas,
checks them against csops' and only then prints times and ratios.

Definitions (csops-core/src/retention.rs; scripts/reference/retention_pandas.py implements them
in full): ARR on a day is the latest snapshot on or before it, the first snapshot's between the
start date and the first snapshot, none before the start date (every generated account has
snapshots, so the renewal-outcome and account-ARR fallbacks do not arise here and are not
implemented). Bridge: start against end; reactivation = none at the start but a positive step
in force on some day from the start date to the start of the period. Retention over the cohort
with ARR at the start: GRR = sum(min(end, start)) / sum(start), NRR = sum(end) / sum(start),
logo = cohort accounts with ARR at the end / cohort accounts. Series: each complete calendar
quarter, from the last day of the previous quarter.

pandas is timed in two shapes, each answering every query:

- long: the snapshots as one long frame sorted by (account, date); ARR on a day is a filter on
  the date and `groupby("pos").last()` (the general approach; merge_asof, as the reference
  script uses, measured 2.0 s a day at 1M against 0.45 s for this);
- wide: the build also pivots the snapshots to accounts x snapshot dates and forward-fills
  (25 columns here, as every snapshot falls on a month-end), so ARR on a day is one column.
  Queries become column look-ups; the pivot is paid in the build.

and with amounts in three representations:

- float64: `arr * rate` as floats. Not exact: amounts and rates are checked against csops to
  1e-9 relative (they agree far closer; the gap is printed);
- int64 fixed point: amounts as integers in 1e-4 of the reporting currency (cents x the
  rate in hundredths); exact, as fast as float64, but only because every amount here is
  whole cents and the rate has two decimals. Amounts checked exactly, rates to 1e-12;
- Decimal (object dtype, `decimal.Decimal`): exact in general, as csops is; far slower, so run
  on the first `--decimal-accounts` accounts only (the generator makes the first k accounts of
  a book exactly the book of k accounts), against csops run at that size. Long shape only.

Single thread on both sides: csops is single-threaded; OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,
MKL_NUM_THREADS and BLIS_NUM_THREADS are set to 1 before numpy is imported (pandas' groupby,
pivot and sort are single-threaded anyway). Peak memory is the process's VmHWM during the timed
work (reset just before it), with the input frames already held, like csops' figures with the
book held.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import decimal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# Exact decimal arithmetic in the Decimal variant: any rounding raises.
decimal.setcontext(decimal.Context(prec=80, traps=[decimal.Inexact, decimal.InvalidOperation]))
RATIO = decimal.Context(prec=40)

TRAILING = ("2024-12-31", "2025-12-31")
SERIES = ("2024-01-01", "2025-12-31")
MOVEMENTS = ["none", "flat", "new", "expansion", "contraction", "churn", "reactivation"]
NONE, FLAT, NEW, EXP, CON, CHURN, REACT = range(len(MOVEMENTS))


# --- memory -------------------------------------------------------------------------------------


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --- reading (untimed) --------------------------------------------------------------------------


class Data:
    """The files as frames: accounts (book order) and snapshots with each one's account position."""

    def __init__(self, path: str):
        self.accounts = pd.read_csv(
            os.path.join(path, "accounts.csv"),
            dtype={"id": str, "segment": "category", "currency": "category"},
            keep_default_na=False,
            na_values=[],
            parse_dates=["start_date"],
        )
        s = pd.read_csv(
            os.path.join(path, "arr_snapshots.csv"),
            dtype={"account_id": "category", "currency": "category", "arr": "float64"},
            parse_dates=["date"],
        )
        # Account id -> position in the book (what Book::from_records does, untimed there too).
        codes = pd.Index(self.accounts["id"]).get_indexer(s["account_id"].cat.categories)
        assert (codes >= 0).all(), "snapshots of unknown accounts"
        s["pos"] = codes[s["account_id"].cat.codes]
        s["cents"] = np.rint(s["arr"].to_numpy() * 100).astype(np.int64)
        self.snapshots = s.drop(columns=["account_id"])
        fx = pd.read_csv(os.path.join(path, "fx_rates.csv"), dtype=str)
        reporting = set(fx["reporting_currency"])
        assert len(reporting) == 1, reporting
        self.rates = {reporting.pop(): Decimal(1)}
        self.rates.update({c: Decimal(r) for c, r in zip(fx["currency"], fx["rate"])})
        # Rates in hundredths (int64 fixed point: amounts in cents x rate = 1e-4 units).
        assert all((r * 100) == int(r * 100) for r in self.rates.values())
        self.rate_hundredths = {c: int(r * 100) for c, r in self.rates.items()}

    def head(self, k: int) -> "Data":
        """The first `k` accounts and their snapshots."""
        d = object.__new__(Data)
        d.accounts = self.accounts.iloc[:k].reset_index(drop=True)
        d.snapshots = self.snapshots[self.snapshots["pos"] < k].reset_index(drop=True)
        d.rates, d.rate_hundredths = self.rates, self.rate_hundredths
        return d

    def fingerprint(self) -> dict[str, int]:
        s, a = self.snapshots, self.accounts
        eur = (s["currency"] == "EUR").to_numpy()
        return {
            "eur_snapshots": int(eur.sum()),
            "zero_snapshots": int((s["cents"] == 0).sum()),
            "usd_cents": int(s["cents"][~eur].sum()),
            "eur_cents": int(s["cents"][eur].sum()),
            "eur_accounts": int((a["currency"] == "EUR").sum()),
            "no_segment": int((a["segment"] == "").sum()),
        }


# --- amounts ------------------------------------------------------------------------------------


class Float:
    name = "float64"
    zero = 0.0

    @staticmethod
    def convert(d: Data) -> pd.Series:
        rate = d.snapshots["currency"].map({c: float(r) for c, r in d.rates.items()})
        return d.snapshots["arr"] * rate.astype("float64")

    @staticmethod
    def as_decimal(x) -> Decimal:
        return Decimal(repr(float(x)))

    @staticmethod
    def ratio(a, b):
        return None if b == 0 else float(a) / float(b)


class Fixed:
    name = "int64 (1e-4 units)"
    zero = 0

    @staticmethod
    def convert(d: Data) -> pd.Series:
        rate = d.snapshots["currency"].map(d.rate_hundredths).astype("int64")
        return d.snapshots["cents"] * rate

    @staticmethod
    def as_decimal(x) -> Decimal:
        return Decimal(int(x)).scaleb(-4)

    @staticmethod
    def ratio(a, b):
        return None if b == 0 else float(RATIO.divide(Decimal(int(a)), Decimal(int(b))))


class Dec:
    name = "Decimal (object)"
    zero = Decimal(0)

    @staticmethod
    def prepare(d: Data) -> None:
        """The amounts as Decimal, parsed before timing (as the float parse of the CSV is)."""
        d.snapshots["dec"] = [Decimal(int(c)).scaleb(-2) for c in d.snapshots["cents"]]

    @staticmethod
    def convert(d: Data) -> pd.Series:
        rate = d.snapshots["currency"].map(d.rates).astype(object)
        return d.snapshots["dec"] * rate

    @staticmethod
    def as_decimal(x) -> Decimal:
        return Decimal(x)

    @staticmethod
    def ratio(a, b):
        return None if b == 0 else float(RATIO.divide(a, b))


# --- the history --------------------------------------------------------------------------------


class Long:
    """ARR history as the long frame of steps sorted by (account, date)."""

    shape = "long"

    def __init__(self, d: Data, amounts):
        self.amounts = amounts
        self.zero = amounts.zero
        acc = d.accounts
        self.n = len(acc)
        self.ids = acc["id"]
        self.segment = acc["segment"]
        self.start = acc["start_date"].to_numpy()
        s = pd.DataFrame(
            {"pos": d.snapshots["pos"], "date": d.snapshots["date"], "value": amounts.convert(d)}
        )
        # Sort by (account, date) unless already in that order (it is, as written).
        pos, date = s["pos"].to_numpy(), s["date"].to_numpy()
        ordered = (pos[1:] > pos[:-1]) | ((pos[1:] == pos[:-1]) & (date[1:] >= date[:-1]))
        if not ordered.all():
            s = s.sort_values(["pos", "date"], kind="stable", ignore_index=True)
        self.steps = s
        self.positive = (s["value"] > 0).to_numpy()
        first = s.groupby("pos", sort=True)["value"].first()
        assert len(first) == self.n, "every account has snapshots here"
        # Between the start date and the first snapshot: the first snapshot's ARR.
        self.first = pd.Series(first.to_numpy(), dtype=s["value"].dtype)
        # The step in force on the start date (for reactivation).
        start_row = self.start[s["pos"].to_numpy()]
        self.at_start = self._last_on_or_before(s["date"].to_numpy() <= start_row) > 0
        self.after_start = s["date"].to_numpy() > start_row

    def _last_on_or_before(self, mask: np.ndarray) -> pd.Series:
        last = self.steps.loc[mask].groupby("pos", sort=False)["value"].last()
        out = self.first.copy()
        out.iloc[last.index.to_numpy()] = last.to_numpy()
        return out

    def arr_on(self, day: pd.Timestamp) -> pd.Series:
        out = self._last_on_or_before(self.steps["date"].to_numpy() <= day.to_datetime64())
        out[self.start > day.to_datetime64()] = self.zero
        return out

    def ever(self, day: pd.Timestamp) -> np.ndarray:
        """Had ARR on some day from its start date to `day`."""
        m = self.positive & self.after_start & (self.steps["date"].to_numpy() <= day.to_datetime64())
        ever = self.at_start.to_numpy().copy()
        ever[self.steps["pos"].to_numpy()[m]] = True
        return ever & (self.start <= day.to_datetime64())


class Wide(Long):
    """The long history plus a forward-filled accounts x snapshot-dates pivot."""

    shape = "wide"

    def __init__(self, d: Data, amounts):
        super().__init__(d, amounts)
        w = self.steps.pivot(index="pos", columns="date", values="value")
        self.cols = w.columns.to_numpy()
        self.filled = w.ffill(axis=1)
        after = self.cols[None, :] > self.start[:, None]
        self.ever_by = pd.DataFrame(w.gt(0).to_numpy() & after).cummax(axis=1).to_numpy()

    def _column(self, day: pd.Timestamp) -> int:
        return int(np.searchsorted(self.cols, day.to_datetime64(), side="right")) - 1

    def arr_on(self, day: pd.Timestamp) -> pd.Series:
        k = self._column(day)
        out = self.first.copy() if k < 0 else self.filled.iloc[:, k].reset_index(drop=True)
        out = out.fillna(self.first).astype(self.first.dtype)
        out[self.start > day.to_datetime64()] = self.zero
        return out

    def ever(self, day: pd.Timestamp) -> np.ndarray:
        k = self._column(day)
        ever = self.at_start.to_numpy().copy()
        if k >= 0:
            ever |= self.ever_by[:, k]
        return ever & (self.start <= day.to_datetime64())


# --- the queries --------------------------------------------------------------------------------


def bridge(h: Long, f: str, t: str):
    s, e, ever = h.arr_on(pd.Timestamp(f)), h.arr_on(pd.Timestamp(t)), h.ever(pd.Timestamp(f))
    sp, ep = (s > 0).to_numpy(), (e > 0).to_numpy()
    gt, lt = (e > s).to_numpy(), (e < s).to_numpy()
    kind = np.select(
        [~sp & ~ep, ~sp & ever, ~sp, ~ep, gt, lt], [NONE, REACT, NEW, CHURN, EXP, CON], FLAT
    )
    keep = kind != NONE
    moved = pd.DataFrame(
        {
            "account_id": h.ids[keep],
            "start": s[keep],
            "end": e[keep],
            "movement": pd.Categorical.from_codes(kind[keep], MOVEMENTS),
        }
    )
    by = moved.groupby("movement", observed=False)[["start", "end"]].sum()
    counts = moved["movement"].value_counts()
    out = {
        "start": moved["start"].sum(),
        "new": by.at["new", "end"],
        "expansion": by.at["expansion", "end"] - by.at["expansion", "start"],
        "contraction": by.at["contraction", "start"] - by.at["contraction", "end"],
        "churn": by.at["churn", "start"],
        "reactivation": by.at["reactivation", "end"],
        "end": moved["end"].sum(),
        "logos_start": int(sp.sum()),
        "logos_new": int(counts["new"]),
        "logos_churned": int(counts["churn"]),
        "logos_reactivated": int(counts["reactivation"]),
        "logos_end": int(ep.sum()),
        "accounts_listed": len(moved),
    }
    return out, moved


def cohort(h: Long, f: str, t: str, labels: pd.Series | None = None) -> dict[str, dict]:
    """Retention per label (or `all`), labels sorted."""
    s = h.arr_on(pd.Timestamp(f))
    e = h.arr_on(pd.Timestamp(t))
    e = e.where(e > 0, h.zero)
    c = (s > 0).to_numpy()
    df = pd.DataFrame(
        {"s": s[c], "e": e[c], "kept": e.where(e < s, s)[c], "retained": (e > 0)[c]}
    )
    df["label"] = "all" if labels is None else labels.to_numpy()[c]
    g = df.groupby("label", sort=True, observed=True).agg(
        logos=("s", "size"),
        logos_retained=("retained", "sum"),
        start_arr=("s", "sum"),
        retained_arr=("kept", "sum"),
        end_arr=("e", "sum"),
    )
    out = {}
    for label, r in g.iterrows():
        logos, kept = int(r["logos"]), int(r["logos_retained"])
        out[str(label)] = {
            "from": f,
            "to": t,
            "logos": logos,
            "logos_retained": kept,
            "start_arr": r["start_arr"],
            "retained_arr": r["retained_arr"],
            "end_arr": r["end_arr"],
            "grr": h.amounts.ratio(r["retained_arr"], r["start_arr"]),
            "nrr": h.amounts.ratio(r["end_arr"], r["start_arr"]),
            "logo": None if logos == 0 else kept / logos,
        }
    return out


def retention_by_segment(h: Long, f: str, t: str) -> dict[str, dict]:
    labels = h.segment.cat.rename_categories(lambda c: c or "none")
    return dict(sorted(cohort(h, f, t, labels).items()))


def series(h: Long, f: str, t: str) -> dict[str, dict]:
    out = {}
    for p in pd.period_range(f, t, freq="Q"):
        first, last = p.start_time.normalize(), p.end_time.normalize()
        if first < pd.Timestamp(f) or last > pd.Timestamp(t):
            continue
        prev = (first - pd.Timedelta(days=1)).date().isoformat()
        out[f"{p.year}-Q{p.quarter}"] = cohort(h, prev, last.date().isoformat())["all"]
    return out


def qbr(h: Long, runs: int):
    """The four queries, best of `runs` each and of the four back to back."""
    queries = [
        ("bridge", lambda: bridge(h, *TRAILING)),
        ("retention", lambda: cohort(h, *TRAILING)["all"]),
        ("retention_by", lambda: retention_by_segment(h, *TRAILING)),
        ("series", lambda: series(h, *SERIES)),
    ]
    best = {k: float("inf") for k, _ in queries} | {"queries": float("inf")}
    out = {}
    for _ in range(runs):
        total = 0.0
        for key, q in queries:
            t = time.perf_counter()
            r = q()
            dt = time.perf_counter() - t
            out[key] = r  # the previous result is freed here, untimed (as in csops)
            best[key] = min(best[key], dt)
            total += dt
        best["queries"] = min(best["queries"], total)
    return best, out


def best_of(f, runs):
    best, out = float("inf"), None
    for _ in range(runs):
        out = None  # free the previous result first
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


# --- csops --------------------------------------------------------------------------------------


def run_csops(exe: str, n: int, runs: int, build_runs: int) -> dict:
    cmd = [exe, "--accounts", str(n), "--runs", str(runs), "--build-runs", str(build_runs)]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    out: dict = {"retention_by": {}, "series": {}}
    for line in text.splitlines():
        key, *words = line.split()
        if key in ("retention", "retention_by", "series", "bridge", "data"):
            fields = dict(zip(words[0::2], words[1::2]))
            if key in ("retention_by", "series"):
                out[key][fields["label"]] = fields
            else:
                out[key] = fields
        elif key.endswith("_ms") or key.endswith("_mib"):
            out[key] = float(words[0])
            if "peak_mib" in words:
                out[key.removesuffix("_ms") + "_peak_mib"] = float(words[words.index("peak_mib") + 1])
    return out


def compare(amounts, got: dict, want: dict, where: str, worst: dict) -> None:
    """Counts exactly; amounts exactly (exact variants) or to 1e-9 relative (float64); rates to
    1e-12 (exact variants) or 1e-9 (float64) relative. Records the largest relative gaps."""
    exact = amounts is not Float
    for key, value in got.items():
        if key in ("from", "to"):
            assert str(value) == want[key], (where, key, value, want[key])
            continue
        w = want[key]
        if key in ("grr", "nrr", "logo"):
            if value is None or w == "none":
                assert value is None and w == "none", (where, key, value, w)
                continue
            gap = abs(value - float(w)) / abs(float(w))
            tol = 1e-12 if (exact or key == "logo") else 1e-9
            worst["rate"] = max(worst["rate"], gap)
            assert gap <= tol, f"{where} {key}: pandas {value!r}, csops {w}"
        elif key.startswith("logos") or key == "accounts_listed":
            assert int(value) == int(w), f"{where} {key}: pandas {value}, csops {w}"
        else:
            mine, theirs = amounts.as_decimal(value), Decimal(w)
            if exact:
                assert mine == theirs, f"{where} {key}: pandas {mine}, csops {theirs}"
            else:
                diff = abs(mine - theirs)
                gap = float(RATIO.divide(diff, abs(theirs)) if theirs else diff)
                worst["amount"] = max(worst["amount"], gap)
                assert gap <= 1e-9, f"{where} {key}: pandas {mine}, csops {theirs}"


def check(amounts, out: dict, cs: dict) -> dict:
    worst = {"amount": 0.0, "rate": 0.0}
    b, _moved = out["bridge"]
    compare(amounts, b, cs["bridge"], "bridge", worst)
    compare(amounts, out["retention"], cs["retention"], "retention", worst)
    assert list(out["retention_by"]) == list(cs["retention_by"]), "the same segments"
    for label, r in out["retention_by"].items():
        compare(amounts, r, cs["retention_by"][label], f"retention_by {label}", worst)
    assert list(out["series"]) == list(cs["series"]), "the same quarters"
    for label, r in out["series"].items():
        compare(amounts, r, cs["series"][label], f"series {label}", worst)
    return worst


def ratio(peer_ms: float, csops_ms: float) -> str:
    r = peer_ms / csops_ms
    return f"csops {r:.1f}x faster" if r >= 1 else f"csops {1 / r:.1f}x SLOWER"


def report(label: str, build_s: float, best: dict, peak: float, cs: dict) -> None:
    print(f"  pandas {label}:")
    rows = [("history build", build_s * 1e3, cs["build_ms"])]
    rows += [
        (k, best[k] * 1e3, cs[f"{k}_ms"])
        for k in ("bridge", "retention", "retention_by", "series", "queries")
    ]
    both = cs["build_ms"] + cs["queries_ms"]
    rows.append(("build + queries", (build_s + best["queries"]) * 1e3, both))
    for name, p, c in rows:
        print(f"    {name:16} pandas {p:9.1f} ms   csops {c:8.1f} ms   -> {ratio(p, c)}")
    print(f"    peak RSS during the timed work: pandas {peak:.0f} MiB")


def run_variant(d: Data, shape, amounts, runs: int, build_runs: int, cs: dict):
    reset_peak()
    build_s, h = best_of(lambda: shape(d, amounts), build_runs)
    best, out = qbr(h, runs)
    peak = peak_mib()
    worst = check(amounts, out, cs)
    return build_s, best, peak, worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/tmp/retention1m")
    ap.add_argument("--csops", default="target/release/retention_scale")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build-runs", type=int, default=3)
    ap.add_argument("--decimal-accounts", type=int, default=100_000, help="0 to skip")
    a = ap.parse_args()

    t = time.perf_counter()
    data = Data(a.data)
    read_s = time.perf_counter() - t
    reset_peak()
    held = peak_mib()  # what the input frames hold (reading itself peaks higher)
    n = len(data.accounts)
    cs = run_csops(a.csops, n, a.runs, a.build_runs)
    for key, value in data.fingerprint().items():
        assert int(cs["data"][key]) == value, f"data differ: {key} {cs['data'][key]} (csops) vs {value}"

    print(
        f"pandas {pd.__version__}, numpy {np.__version__}; one thread each; best of {a.build_runs} "
        f"(build) and {a.runs} (queries)"
    )
    print(
        f"{n} accounts, {len(data.snapshots)} monthly ARR snapshots (read in {read_s:.1f} s, "
        f"untimed); queries: bridge {TRAILING[0]} -> {TRAILING[1]}, retention, retention by "
        f"segment, quarterly series {SERIES[0]} -> {SERIES[1]}"
    )
    print(
        f"csops: book (from_records, untimed) peak {cs['book_peak_mib']:.0f} MiB, then held "
        f"{cs['book_held_mib']:.0f} MiB; history build peak {cs['build_peak_mib']:.0f} MiB; "
        f"queries peak {cs['queries_peak_mib']:.0f} MiB; pandas: input frames held {held:.0f} MiB"
    )
    r = cs["retention"]
    print(f"trailing year: GRR {r['grr']}  NRR {r['nrr']}  logo {r['logo']}  ({r['logos']} logos)")
    for shape in (Wide, Long):
        for amounts in (Float, Fixed):
            build_s, best, peak, worst = run_variant(data, shape, amounts, a.runs, a.build_runs, cs)
            agree = (
                f"amounts within {worst['amount']:.1e}, rates within {worst['rate']:.1e} relative"
                if amounts is Float
                else f"amounts exact, rates within {worst['rate']:.1e} relative"
            )
            print(f"  [{shape.shape}, {amounts.name}] agrees with csops: {agree}")
            report(f"{shape.shape}, {amounts.name}", build_s, best, peak, cs)

    k = min(a.decimal_accounts, n)
    if k > 0:
        small = data.head(k)
        Dec.prepare(small)
        cs_k = run_csops(a.csops, k, a.runs, a.build_runs)
        for key, value in small.fingerprint().items():
            assert int(cs_k["data"][key]) == value, f"data differ at {k}: {key}"
        runs, build_runs = max(1, min(a.runs, 3)), max(1, min(a.build_runs, 2))
        build_s, best, peak, worst = run_variant(small, Long, Dec, runs, build_runs, cs_k)
        print(
            f"first {k} accounts ({len(small.snapshots)} snapshots), Decimal amounts; "
            f"agrees with csops: amounts exact, rates within {worst['rate']:.1e} relative"
        )
        report("long, Decimal (object)", build_s, best, peak, cs_k)


if __name__ == "__main__":
    main()
