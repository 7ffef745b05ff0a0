"""Time ``myst build --html`` of the whole book from the stored notebook outputs.

    python benchmarks/site_build.py [--repeat 3]

Prints the median wall time (other programs only ever slow a run down). Goal: under 120 s on a
2-core machine. A figure, not a test: a busy machine must not fail `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 120.0


def build() -> float:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    subprocess.run(
        [str(bin_dir / "myst"), "build", "--html"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="builds to time (3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    times = [build() for _ in range(args.repeat)]
    median = statistics.median(times)
    verdict = "OK" if median <= GOAL else "TOO SLOW"
    runs = ", ".join(f"{t:.1f}" for t in times)
    print(f"myst build --html: median {median:.1f} s of {runs} (goal: {GOAL:.0f} s) -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
