"""Print the fenced code blocks of one language from a Markdown file, for the tests to run.

    python3 scripts/snippets.py README.md python      # every ```python block, in order
    python3 scripts/snippets.py README.md js --split DIR NAME   # each block to DIR/NAME-N.mjs

Blocks are separated by a blank line (Python and Rust) when printed together. Exits 1 when
the file has no block of that language, so a renamed fence never passes by running nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FENCE = re.compile(r"^```(\w+)?\s*$")


def blocks(text: str, language: str) -> list[str]:
    out: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        m = FENCE.match(line)
        if current is None and m and m.group(1) == language:
            current = []
        elif current is not None and line.strip() == "```":
            out.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
        elif m and m.group(1):
            # Another language's block: skip to its end.
            current = None
    return out


def main(argv: list[str]) -> int:
    path, language = Path(argv[0]), argv[1]
    found = blocks(path.read_text(encoding="utf-8"), language)
    if not found:
        print(f"snippets.py: {path} has no ```{language} block", file=sys.stderr)
        return 1
    if len(argv) > 4 and argv[2] == "--split":
        target, name = Path(argv[3]), argv[4]
        target.mkdir(parents=True, exist_ok=True)
        suffix = {"js": ".mjs", "python": ".py", "rust": ".rs"}.get(language, ".txt")
        for i, b in enumerate(found):
            (target / f"{name}-{i}{suffix}").write_text(b, encoding="utf-8")
        return 0
    sys.stdout.write("\n".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
