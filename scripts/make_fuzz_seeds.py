#!/usr/bin/env python3
"""Write the fuzz targets' seed inputs into fuzz/seeds/<target>/ from the repository's own
data: the first rows of every file of the sample book (as LF, CRLF and CR files), the JSON
books, scorecards, playbooks and conditions of the conformance vectors, and the exports
sample's source map. Deterministic: the same repository gives the same seeds.

    python3 scripts/make_fuzz_seeds.py
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
STEMS = [
    "accounts", "contacts", "contact_roles", "usage_events", "usage_snapshots", "tickets",
    "surveys", "meetings", "milestones", "opportunities", "arr_snapshots", "renewal_outcomes",
]


def write(target: str, name: str, data: bytes) -> None:
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def csv_seeds() -> None:
    book = ROOT / "data" / "sample-book"
    for rows in (3, 12):
        parts = []
        for stem in STEMS:
            lines = (book / f"{stem}.csv").read_text(encoding="utf-8").splitlines()[: rows + 1]
            parts.append("\n".join(lines) + "\n")
        for eol, tag in (("\n", "lf"), ("\r\n", "crlf"), ("\r", "cr")):
            # 0xFF never occurs in UTF-8, so it can separate the files.
            data = b"\xff".join(p.replace("\n", eol).encode("utf-8") for p in parts)
            write("csv_book", f"sample_{rows}_{tag}", data)
    for vector in sorted((ROOT / "tests" / "conformance" / "data_layer").glob("*.json")):
        v = json.loads(vector.read_text(encoding="utf-8"))
        csv = v.get("csv") or {}
        if "accounts" in csv:
            parts = [csv.get(stem, "") for stem in STEMS]
            while parts and not parts[-1]:
                parts.pop()
            write("csv_book", vector.stem, b"\xff".join(p.encode("utf-8") for p in parts))


def json_seeds() -> None:
    for kind in ("data_layer", "revenue", "playbook", "backtest"):
        for vector in sorted((ROOT / "tests" / "conformance" / kind).glob("*.json")):
            v = json.loads(vector.read_text(encoding="utf-8"))
            doc = v.get("book_json") or v.get("json")
            if isinstance(doc, dict):
                write("json_book", f"{kind}_{vector.stem}", json.dumps(doc).encode("utf-8"))


def config_seeds() -> None:
    # The first byte picks the reader (see fuzz/targets.rs `configs`): 1 scorecard JSON,
    # 7 playbook JSON, 12 source map TOML.
    for vector in sorted((ROOT / "tests" / "conformance" / "health").glob("*.json")):
        v = json.loads(vector.read_text(encoding="utf-8"))
        write("configs", f"scorecard_{vector.stem}", b"\x01" + json.dumps(v["scorecard"]).encode())
    for vector in sorted((ROOT / "tests" / "conformance" / "playbook").glob("*.json")):
        v = json.loads(vector.read_text(encoding="utf-8"))
        pb = v.get("playbook")
        if pb is not None:
            data = pb.encode() if isinstance(pb, str) else json.dumps(pb).encode()
            write("configs", f"playbook_{vector.stem}", b"\x07" + data)
    source_map = (ROOT / "data" / "exports-sample" / "source-map.toml").read_bytes()
    write("configs", "source_map_exports_sample", b"\x0c" + source_map)


def condition_seeds() -> None:
    v = json.loads((ROOT / "tests" / "conformance" / "segmentation" / "01_conditions.json").read_text(encoding="utf-8"))
    for i, c in enumerate(v["conditions"]):
        text = c.get("text") if isinstance(c, dict) else None
        if isinstance(text, str):
            write("condition", f"vector_{i:02}", text.encode("utf-8"))


if __name__ == "__main__":
    csv_seeds()
    json_seeds()
    config_seeds()
    condition_seeds()
    for d in sorted(SEEDS.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")
