"""Time every chapter top to bottom in a fresh kernel, in normal and in instructor fast mode.

    python benchmarks/chapter_times.py [book/01-tensors.md ...]

Prints a Markdown table (the one in the README). Floors: each chapter <= 15 s in fast mode.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[1] / "book"


def run(source: Path, fast: bool) -> float:
    notebook = jupytext.read(source)
    os.environ["PYTORCH_LESSONS_FAST"] = "1" if fast else "0"
    start = time.perf_counter()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}
    ).execute()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    sources = [Path(a) for a in argv] or sorted(BOOK.glob("[0-9]*.md"))
    print("| chapter | normal (s) | fast (s) |")
    print("|---|---:|---:|")
    worst = 0.0
    for source in sources:
        normal, fast = run(source, fast=False), run(source, fast=True)
        worst = max(worst, fast)
        print(f"| {source.stem} | {normal:.1f} | {fast:.1f} |", flush=True)
    print(
        f"\nslowest chapter in fast mode: {worst:.1f} s (floor: 15 s) -> {'OK' if worst <= 15 else 'TOO SLOW'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
