"""Throughput of ``pytorch-lessons grade``: a class of N students handing in chapter 01, worked.

    python benchmarks/grading.py [--students 8] [--jobs 1 2]

Builds the class in a temporary folder (the student edition of ``book/01-tensors.ipynb`` with
every exercise worked from its solution), grades it once per ``--jobs`` value, and prints
notebooks per minute and the seconds per notebook. Every grade must be a pass; the script fails
otherwise, so a fast but wrong grader cannot print a good figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from pytorch_lessons import grading

BOOK = Path(__file__).resolve().parents[1] / "book"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    notebook = grading.worked_submission(nbformat.read(BOOK / "01-tensors.ipynb", as_version=4))
    print("| jobs | notebooks | seconds | notebooks per minute | s per notebook |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in range(args.students):
            (root / f"student-{n:02d}").mkdir()
            nbformat.write(notebook, root / f"student-{n:02d}" / "01-tensors.ipynb")
        submissions, _ = grading.find_submissions(root)
        for jobs in args.jobs:
            start = time.perf_counter()
            rows = grading.grade(submissions, jobs=jobs, timeout_s=600)
            seconds = time.perf_counter() - start
            if not all(row.passed for row in rows):
                failed = [(r.student, r.exercise, r.note) for r in rows if not r.passed]
                print(f"not every worked exercise passed: {failed[:3]}", file=sys.stderr)
                return 1
            n = len(submissions)
            print(f"| {jobs} | {n} | {seconds:.1f} | {60 * n / seconds:.1f} | {seconds / n:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
