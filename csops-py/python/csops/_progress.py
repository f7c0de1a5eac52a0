"""The bar drawn by ``progress=True``: tqdm when it is installed, a line on stderr if not."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable


def bar() -> Callable[[str, int, int | None, str], None]:
    """A callable ``(stage, done, total, unit)`` drawing one bar per stage."""
    # Imported by name: tqdm is optional, and ships without type stubs.
    tqdm: Any
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:  # pragma: no cover - depends on the environment
        tqdm = None
    state: dict[str, Any] = {"stage": None, "bar": None, "last": 0}

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].close()
            state["bar"] = None

    def update(stage: str, done: int, total: int | None, unit: str) -> None:
        if stage != state["stage"]:
            close()
            state.update(stage=stage, last=0)
            if tqdm is not None:
                state["bar"] = tqdm(total=total, desc=stage, unit=f" {unit}", unit_scale=True, leave=False)
        if state["bar"] is not None:
            state["bar"].update(done - state["last"])
            state["last"] = done
        else:
            of = f" of {total:,}" if total is not None else ""
            sys.stderr.write(f"\r{stage}: {done:,}{of} {unit}")
            if total is not None and done >= total:
                sys.stderr.write("\n")
        if total is not None and done >= total:
            close()

    return update
