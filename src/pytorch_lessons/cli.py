"""The ``pytorch-lessons`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pytorch_lessons import __version__


def _student(args: argparse.Namespace) -> int:
    from pytorch_lessons.editions import write_student_edition

    try:
        report = write_student_edition(args.book, args.outdir, final_hint=not args.no_final_hint)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in report.written:
        print(f"wrote      {path}")
    for path in report.unchanged:
        print(f"unchanged  {path}")
    for path in report.refused:
        print(
            f"kept       {path}: it differs from the new edition and may hold your work; "
            "move or delete it to get a fresh copy",
            file=sys.stderr,
        )
    return 1 if report.refused else 0


def _lab(args: argparse.Namespace) -> int:
    from pytorch_lessons.editions import write_student_edition
    from pytorch_lessons.lab import run_lab

    if args.instructor:
        print(f"JupyterLab on {args.book}: the instructor notebooks, solutions collapsed")
        return run_lab(args.book, paired=True)
    try:
        report = write_student_edition(args.book, args.workspace, final_hint=not args.no_final_hint)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    kept = f"; kept {len(report.refused)} you have edited" if report.refused else ""
    print(
        f"student workspace {args.workspace}: {len(report.written)} new notebook(s), "
        f"{len(report.unchanged)} unchanged{kept}"
    )
    return run_lab(args.workspace)


def _data_path(args: argparse.Namespace) -> int:
    from pytorch_lessons.data import data_root

    print(data_root())
    return 0


def _data_verify(args: argparse.Namespace) -> int:
    from pytorch_lessons.data import mnist_raw_folder, verify_mnist

    status = verify_mnist()
    print(f"MNIST in {mnist_raw_folder()}:")
    for name, state in status.items():
        print(f"  {state:8} {name}")
    bad = [name for name, state in status.items() if state != "ok"]
    if bad:
        print(
            f"{len(bad)} of {len(status)} files missing or corrupt: `pytorch-lessons data fetch`",
            file=sys.stderr,
        )
        return 1
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    from pytorch_lessons.data import DataNotFoundError, fetch_mnist

    try:
        raw = fetch_mnist()
    except DataNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"MNIST ready and verified in {raw}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from pytorch_lessons import doctor

    findings = doctor.run()
    print(f"pytorch-lessons {__version__} doctor")
    for finding in findings:
        print(finding)
    problems = sum(not f.ok for f in findings)
    print("All good: ready for the course." if not problems else f"{problems} problem(s) to fix.")
    return 1 if problems else 0


def _grade(args: argparse.Namespace) -> int:
    from pytorch_lessons import grading

    if not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder of student folders", file=sys.stderr)
        return 2
    if args.timeout <= 0 or args.jobs < 1 or args.memory_mb < 0:
        print(
            "error: --timeout and --jobs must be positive, --memory-mb 0 or more", file=sys.stderr
        )
        return 2
    submissions, skipped = grading.find_submissions(args.submissions)
    for line in skipped:
        print(f"skipped    {line}", file=sys.stderr)
    if not submissions:
        print(f"error: no notebooks in {args.submissions}/<student>/", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs else 1
    print(
        f"grading {len(submissions)} notebook(s) of "
        f"{len({s.student for s in submissions})} student(s), {min(jobs, len(submissions))} at a time, "
        f"each up to {args.timeout:g} s",
        file=sys.stderr,
    )
    rows = grading.grade(
        submissions,
        timeout_s=args.timeout,
        memory_mb=args.memory_mb,
        jobs=jobs,
        fast=args.fast,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    grading.write_csv(rows, args.out)
    summary = args.out.with_suffix(".html")
    summary.write_text(grading.summary_html(rows), encoding="utf-8")
    passed = sum(row.passed for row in rows)
    print(f"wrote {args.out} ({len(rows)} rows, {passed} passed) and {summary}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pytorch-lessons`` command."""
    parser = argparse.ArgumentParser(
        prog="pytorch-lessons", description="Tools for the PyTorch Lessons workbook."
    )
    parser.add_argument("--version", action="version", version=f"pytorch-lessons {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    student = commands.add_parser("student", help="write the student edition (solutions removed)")
    student.add_argument("outdir", type=Path, help="folder to write the student notebooks into")
    student.add_argument(
        "--book", type=Path, default=Path("book"), help="folder of the chapter notebooks"
    )
    student.add_argument(
        "--no-final-hint",
        action="store_true",
        help="hold back each exercise's last hint (the full answer) in this edition",
    )
    student.set_defaults(run=_student)

    lab = commands.add_parser(
        "lab", help="JupyterLab on the student workspace (no solutions), or --instructor on book/"
    )
    lab.add_argument(
        "--instructor", action="store_true", help="open book/ itself (solutions collapsed)"
    )
    lab.add_argument(
        "--workspace", type=Path, default=Path("student"), help="the student workspace (student/)"
    )
    lab.add_argument(
        "--book", type=Path, default=Path("book"), help="folder of the chapter notebooks"
    )
    lab.add_argument(
        "--no-final-hint",
        action="store_true",
        help="hold back each exercise's last hint (the full answer) in this edition",
    )
    lab.set_defaults(run=_lab)

    data = commands.add_parser("data", help="the data folder")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    data_commands.add_parser("path", help="print the data folder in use").set_defaults(
        run=_data_path
    )
    data_commands.add_parser("verify", help="check every MNIST file's checksum").set_defaults(
        run=_data_verify
    )
    data_commands.add_parser(
        "fetch", help="download MNIST now (for an offline classroom)"
    ).set_defaults(run=_data_fetch)

    commands.add_parser("doctor", help="check this machine is ready for the course").set_defaults(
        run=_doctor
    )

    grade = commands.add_parser(
        "grade",
        help="run a class's notebooks (SUBMISSIONS/<student>/NN-name.ipynb) and write grades",
        description="Runs each handed-in notebook in a fresh kernel and records what check() "
        "decided. The notebooks' code runs with your rights: for a class you do not trust, run "
        "this inside a container or a JupyterHub user server.",
    )
    grade.add_argument("submissions", type=Path, help="one folder per student, notebooks inside")
    grade.add_argument(
        "--out", type=Path, default=Path("grades.csv"), help="the CSV (an HTML summary beside it)"
    )
    grade.add_argument(
        "--timeout", type=float, default=600, help="seconds one notebook may run (600)"
    )
    grade.add_argument(
        "--memory-mb",
        type=int,
        default=8192,
        help="address-space limit of one notebook's kernel, on Linux (8192; 0: none)",
    )
    grade.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="notebooks run at the same time (default: 2, or 1 on a 1-core machine)",
    )
    grade.add_argument(
        "--fast", action="store_true", help="run the notebooks in instructor fast mode"
    )
    grade.set_defaults(run=_grade)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
