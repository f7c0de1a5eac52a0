"""The declared MSRV (workspace `rust-version`) is at least every dependency's own.

The code's language features are checked by the compiler only on that toolchain, which this
machine cannot fetch; what can be checked here is checked: clippy's MSRV-aware lints
(`incompatible_msrv` and the lints that wait for a version) read `rust-version`, and this
script fails when a dependency declares a newer Rust than we do.
"""

from __future__ import annotations

import json
import subprocess
import sys


def version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def main() -> int:
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    ours = {p["name"]: p.get("rust_version") for p in meta["packages"] if p["id"] in meta["workspace_members"]}
    declared = ours["csops-core"]
    newer = [
        f"{p['name']} {p['version']} needs Rust {p['rust_version']}"
        for p in meta["packages"]
        if p["id"] not in meta["workspace_members"]
        and p.get("rust_version")
        and version(p["rust_version"]) > version(declared)
    ]
    if newer:
        print(f"check-msrv: csops declares Rust {declared}, but:", *newer, sep="\n  ", file=sys.stderr)
        return 1
    print(f"check-msrv: Rust {declared} covers every dependency's declared rust-version")
    return 0


if __name__ == "__main__":
    sys.exit(main())
