#!/usr/bin/env python3
"""Write the one-fault books of the bad-input suite into tests/conformance/bad_input/.

Each case is a small clean book cut from data/sample-book (its first accounts and every record
of theirs, a few rows a file, plus one account and one contact that nothing refers to) with
exactly one fault put into one cell or row of one file, in LF, CRLF or CR line endings. The
expected result is known from the fault alone: exactly one problem, on that file, that row
(the file line it is on) and that field, of the kind the fault is; that row rejected; every
other row loaded. The cases use the data-layer vector format, so the Rust, Python and Node
conformance runners all run them.

    python3 scripts/make_bad_input_suite.py        (deterministic: seed 17)
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "conformance" / "bad_input"
BOOK = ROOT / "data" / "sample-book"
ROWS = 4  # data rows kept per file (accounts: the first ROWS accounts)

# Files whose rows nothing else refers to: a fault there rejects that row alone.
LEAVES = [
    "contact_roles", "usage_events", "usage_snapshots", "tickets", "surveys", "meetings",
    "milestones", "opportunities", "arr_snapshots", "renewal_outcomes",
]
EOLS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def schema() -> dict[str, dict[str, tuple[str, bool]]]:
    """Per file: column -> (type, required), from docs/schema.md (generated from the core)."""
    out: dict[str, dict[str, tuple[str, bool]]] = {}
    current = None
    for line in (ROOT / "docs" / "schema.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"## `(\w+)\.csv`", line)
        if m:
            current = m.group(1)
            out[current] = {}
            continue
        m = re.match(r"\| `([\w.]+)` \| (\w+) \| (yes|no) \|", line)
        if m and current:
            out[current][m.group(1)] = (m.group(2), m.group(3) == "yes")
    return out


def read(stem: str) -> tuple[list[str], list[list[str]]]:
    with open(BOOK / f"{stem}.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def base_book() -> dict[str, tuple[list[str], list[list[str]]]]:
    head, rows = read("accounts")
    accounts = rows[:ROWS]
    ids = {r[0] for r in accounts}
    lonely = list(rows[ROWS])
    lonely[0] = "A-LONELY"
    book = {"accounts": (head, accounts + [lonely])}
    head, rows = read("contacts")
    ai = head.index("account_id")
    contacts = [r for r in rows if r[ai] in ids][:ROWS]
    contact_ids = {r[0] for r in contacts}
    lone = list(contacts[0])
    lone[0] = "C-LONELY"
    book["contacts"] = (head, contacts + [lone])
    for stem in LEAVES:
        head, rows = read(stem)
        if stem == "contact_roles":
            key = head.index("contact_id")
            keep = [r for r in rows if r[key] in contact_ids]
        else:
            key = head.index("account_id")
            keep = [r for r in rows if r[key] in ids]
            if "contact_id" in head:
                c = head.index("contact_id")
                keep = [r for r in keep if r[c] == "" or r[c] in contact_ids]
        book[stem] = (head, keep[:ROWS])
    return book


def text(head: list[str], rows: list[list[str]], eol: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=eol)
    w.writerow(head)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


# (name, type or "*", bad value or a row operation, expected kind, needs required)
VALUE_FAULTS = [
    ("month_13", "date", "2024-13-01", "malformed"),
    ("two_digit_year", "date", "24-01-01", "malformed"),
    ("unpadded_day", "date", "2024-1-1", "malformed"),
    ("slashed_day", "date", "2024/01/01", "malformed"),
    ("signed_year", "date", "+2024-01-01", "malformed"),
    ("february_30", "date", "2024-02-30", "malformed"),
    ("two_digit_year", "timestamp", "24-01-01T10:00:00Z", "malformed"),
    ("not_a_time", "timestamp", "yesterday", "malformed"),
    ("word", "decimal", "ten", "malformed"),
    ("underscores", "decimal", "1_200", "malformed"),
    ("too_precise", "decimal", "1e-40", "malformed"),
    ("negative", "decimal", "-5", "negative"),
    ("beyond_limit", "decimal", "1000000000000001", "out_of_range"),
    ("fraction", "integer", "2.5", "malformed"),
    ("negative", "integer", "-1", "negative"),
    ("unknown_word", "enum", "platinum", "unknown_value"),
    ("not_iso", "currency", "EURO", "unknown_value"),
    ("word", "number", "abc", "malformed"),
    ("infinite", "number", "inf", "malformed"),
]


def cases() -> list[dict]:
    rng = random.Random(17)
    types = schema()
    book = base_book()
    out = []

    def case(name, stem, row_index, field, kind, record_id, mutate, description):
        eol_name = rng.choice(sorted(EOLS))
        eol = EOLS[eol_name]
        texts = {}
        counts = {}
        for s, (head, rows) in book.items():
            rows = [list(r) for r in rows]
            if s == stem:
                rows = mutate(head, rows)
            texts[s] = text(head, rows, eol)
        problem = {"file": f"{stem}.csv", "row": row_index + 2, "field": field, "kind": kind}
        if record_id is not None:
            problem["record_id"] = record_id
        for s, (head, rows) in book.items():
            counts[s] = len(rows) - (1 if s == stem else 0)
        out.append({
            "name": f"{stem}: {name} ({eol_name})",
            "description": description,
            "mode": "lenient",
            "csv": texts,
            "expect": {"error": None, "counts": counts, "rejected": 1, "problems": [problem]},
        })

    # The book as cut: it must load clean (every later case differs from it by one fault).
    out.append({
        "name": "the clean book",
        "description": "The book every case below starts from: it loads with no problem.",
        "mode": "lenient",
        "csv": {s: text(h, r, "\n") for s, (h, r) in book.items()},
        "expect": {"error": None, "counts": {s: len(r) for s, (h, r) in book.items()}, "rejected": 0, "problems": []},
    })
    targets = [(s, i) for s in LEAVES for i in range(len(book[s][1]))]
    targets += [("accounts", len(book["accounts"][1]) - 1), ("contacts", len(book["contacts"][1]) - 1)]
    n = 0
    for stem, row in targets:
        head, rows = book[stem]
        if not rows:
            continue
        cols = types[stem]
        rid = rows[row][0] if head[0] == "id" else None
        for fname, ftype, bad, kind in VALUE_FAULTS:
            fields = [c for c in head if cols.get(c, ("", False))[0] == ftype]
            # A renewal's ARR that parses but is out of bounds also contradicts its outcome
            # (a second, true problem): those faults are left to the cases of other files.
            if not fields or (stem == "renewal_outcomes" and kind in ("negative", "out_of_range")):
                continue
            field = rng.choice(fields)
            k = head.index(field)

            def mutate(h, rs, k=k, bad=bad, row=row):
                rs[row][k] = bad
                return rs

            case(f"{field} {fname} `{bad}` on row {row + 1}", stem, row, field, kind, rid, mutate,
                 f"`{field}` ({ftype}) is `{bad}` on data row {row + 1}: one problem ({kind}) on its line, "
                 "that row rejected, every other row loaded.")
            n += 1
        required = [c for c in head if cols.get(c, ("", False))[1] and c != "id"]
        if required:
            field = rng.choice(required)
            k = head.index(field)

            def blank(h, rs, k=k, row=row):
                rs[row][k] = ""
                return rs

            case(f"{field} blank on row {row + 1}", stem, row, field, "missing", rid, blank,
                 f"required `{field}` is empty on data row {row + 1}: one `missing` problem, the row rejected.")
        if "account_id" in head:
            k = head.index("account_id")

            def orphan(h, rs, k=k, row=row):
                rs[row][k] = "A-NOPE"
                return rs

            case(f"unknown account on row {row + 1}", stem, row, "account_id", "unknown_reference", rid, orphan,
                 f"data row {row + 1} names account A-NOPE, which is not in the book: unknown_reference.")
    # Row-shape faults: short and long rows, anywhere; an open quote on a file's last row.
    for stem, row in targets:
        head, rows = book[stem]
        if not rows:
            continue

        def short(h, rs, row=row):
            rs[row] = rs[row][:-1]
            return rs

        def long(h, rs, row=row):
            rs[row] = rs[row] + ["EXTRA"]
            return rs

        case(f"a field short on row {row + 1}", stem, row, None, "malformed", None, short,
             f"data row {row + 1} has one field fewer than the header: rejected whole, never padded.")
        case(f"a field too many on row {row + 1}", stem, row, None, "malformed", None, long,
             f"data row {row + 1} has one field more than the header: rejected whole, the extra value kept.")
        if row == len(rows) - 1:
            # The last row's second field opens a quote it never closes (written by hand:
            # csv.writer would escape it). Only where the writer quotes nothing on that line.
            line = text(head, [rows[row]], "\n").split("\n")[1]
            if '"' in line:
                continue
            case(f"open quote on row {row + 1}", stem, row, None, "malformed", None, lambda h, rs: rs,
                 f"data row {row + 1} opens a quote it never closes: that row rejected, nothing else lost.")
            c = out[-1]
            t = c["csv"][stem]
            eol = "\r\n" if "\r\n" in t else ("\r" if "\r" in t else "\n")
            lines = t.split(eol)
            lines[row + 1] = lines[row + 1].replace(",", ',"', 1)
            c["csv"][stem] = eol.join(lines)
    return out


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    all_cases = cases()
    for i, c in enumerate(all_cases):
        slug = re.sub(r"[^a-z0-9]+", "_", c["name"].lower()).strip("_")[:70]
        (OUT / f"{i:03}_{slug}.json").write_text(json.dumps(c, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(all_cases)} one-fault books in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
