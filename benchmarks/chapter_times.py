"""Time every chapter top to bottom in a fresh kernel, in normal and in instructor fast mode.

    python benchmarks/chapter_times.py [--repeat 3] [book/01-tensors.md ...]

Each chapter runs ``--repeat`` times per mode (the median is reported: other programs on the
machine only ever slow a run down, and the median shrugs off one unlucky run). The time runs from
starting the kernel to the end of the last cell, as a "Restart and run all" in JupyterLab does.

Prints a Markdown table -- the one in the README -- with the run times each chapter states to its
readers beside the measured ones. Floor: every chapter <= 15 s in fast mode.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient

from pytorch_lessons.authoring import stated_run_times

BOOK = Path(__file__).resolve().parents[1] / "book"
FLOOR_FAST = 15.0


def run(source: Path, fast: bool) -> float:
    """Seconds from starting a kernel to the end of ``source``'s last cell (shutting the kernel
    down afterwards is not counted: nobody waits for it)."""
    notebook = jupytext.read(source)
    os.environ["PYTORCH_LESSONS_FAST"] = "1" if fast else "0"
    finished: list[float] = []
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(BOOK)}},
        on_cell_executed=lambda **_: finished.append(time.perf_counter()),
    ).execute()
    return finished[-1] - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter sources (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per chapter and mode (3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    sources = args.chapters or sorted(BOOK.glob("[0-9]*.md"))
    try:
        load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on every OS
        load = "n/a"
    print(f"median of {args.repeat} run(s) per chapter and mode; load average at start {load}\n")
    print("| chapter | normal (s) | fast (s) | stated normal / fast (s) |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for source in sources:
        normal = statistics.median(run(source, fast=False) for _ in range(args.repeat))
        fast = statistics.median(run(source, fast=True) for _ in range(args.repeat))
        worst = max(worst, fast)
        said = stated_run_times(source.read_text(encoding="utf-8"))
        said_text = f"{said[0]} / {said[1]}" if said else "not stated"
        print(f"| {source.stem} | {normal:.1f} | {fast:.1f} | {said_text} |", flush=True)
    verdict = "OK" if worst <= FLOOR_FAST else "TOO SLOW"
    print(f"\nslowest chapter in fast mode: {worst:.1f} s (floor: {FLOOR_FAST:.0f} s) -> {verdict}")
    return 0  # a figure, not a test: a busy machine must not fail `make bench`


if __name__ == "__main__":
    sys.exit(main())
