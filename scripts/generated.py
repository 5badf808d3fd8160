"""A generated file: write it, or with ``--check`` fail when it is not what would be generated."""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def write_or_check(path: pathlib.Path, text: str, check: bool, how: str) -> int:
    """Write ``text`` to ``path`` (exit status 0), or only compare (1 when it differs; ``how`` says how
    to regenerate it)."""
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{shown} is out of date: run `{how}`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {shown}")
    return 0
