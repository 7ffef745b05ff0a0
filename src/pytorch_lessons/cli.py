"""The ``pytorch-lessons`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pytorch_lessons import __version__, grading

if TYPE_CHECKING:
    from pytorch_lessons.editions import EditionReport


def _student(args: argparse.Namespace) -> int:
    from pytorch_lessons.editions import write_student_edition

    try:
        report = write_student_edition(args.book, args.outdir, final_hint=args.final_hint)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _say_hint_setting(report)
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


def _say_hint_setting(report: EditionReport) -> None:
    """One line when the edition holds the last hints back, so the choice is never a surprise."""
    if report.final_hint:
        return
    why = (
        "as this edition already did; --final-hint shows them"
        if report.kept_setting
        else "--no-final-hint"
    )
    print(f"last hints held back ({why})")


def _lab(args: argparse.Namespace) -> int:
    from pytorch_lessons.editions import write_student_edition
    from pytorch_lessons.lab import run_lab

    if args.instructor:
        print(f"JupyterLab on {args.book}: the instructor notebooks, solutions collapsed")
        return run_lab(args.book, paired=True)
    try:
        report = write_student_edition(args.book, args.workspace, final_hint=args.final_hint)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _say_hint_setting(report)
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
    import math
    import signal

    def refuse(line: str) -> int:
        print(f"error: {line}", file=sys.stderr)
        return 2

    if not args.submissions.is_dir():
        return refuse(f"{args.submissions} is not a folder of student folders")
    if not (math.isfinite(args.timeout) and 0 < args.timeout <= grading.MAX_TIMEOUT_S):
        return refuse(
            f"--timeout must be a number of seconds, over 0 and at most {grading.MAX_TIMEOUT_S}"
        )
    if args.jobs < 1:
        return refuse("--jobs must be 1 or more")
    if not 0 <= args.memory_mb <= grading.MAX_MEMORY_MB:
        return refuse(f"--memory-mb must be 0 (no limit) to {grading.MAX_MEMORY_MB}")
    out, summary = args.out, args.out.with_suffix(".html")
    if out.is_dir():
        return refuse(f"--out {out} is a folder: name the CSV file, e.g. {out / 'grades.csv'}")
    if summary == out:
        return refuse("--out names the CSV (e.g. grades.csv); the HTML summary goes beside it")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return refuse(f"cannot write into {out.parent}: {error.strerror}")
    submissions, skipped = grading.find_submissions(args.submissions)
    for line in skipped:
        print(f"skipped    {line}", file=sys.stderr)
    if not submissions:
        return refuse(f"no notebooks in {args.submissions}/<student>/")
    lacking = grading.missing_data(submissions)
    if lacking:
        return refuse(lacking)
    running = sum(bool(s.chapter) for s in submissions)
    print(
        f"grading {running} notebook(s) of {len({s.student for s in submissions})} student(s), "
        f"{min(args.jobs, max(running, 1))} at a time, each up to {args.timeout:g} s",
        file=sys.stderr,
    )

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        rows = grading.grade(
            submissions,
            timeout_s=args.timeout,
            memory_mb=args.memory_mb,
            jobs=args.jobs,
            fast=args.fast,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except KeyboardInterrupt:
        print(
            f"interrupted: every notebook still running was stopped; nothing written "
            f"({out} is as it was)",
            file=sys.stderr,
        )
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    grading.write_csv(rows, out)
    grading.write_summary(rows, summary)
    passed = sum(row.passed for row in rows)
    print(f"wrote {out} ({len(rows)} rows, {passed} passed) and {summary}")
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
        "--book",
        type=Path,
        default=Path("book"),
        help="folder of the chapter notebooks (default: book, in the course's folder)",
    )
    student.add_argument(
        "--final-hint",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show (--final-hint) or hold back (--no-final-hint) each exercise's last hint, the "
        "full answer; default: as the edition already in the folder does, else shown",
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
        "--book",
        type=Path,
        default=Path("book"),
        help="folder of the chapter notebooks (default: book, in the course's folder)",
    )
    lab.add_argument(
        "--final-hint",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show (--final-hint) or hold back (--no-final-hint) each exercise's last hint, the "
        "full answer; default: as the edition already in the folder does, else shown",
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
        description="Runs each handed-in notebook in a fresh kernel, on a temporary copy, and "
        "records what check() decided. SUBMISSIONS holds one folder per student; notebooks may "
        "sit in sub-folders and are named as in the student edition (01-tensors.ipynb; "
        "'01-Tensors (1).ipynb' is graded as 01-tensors, a second copy of a chapter is skipped). "
        "The time limit counts from the kernel's start; verdicts reached before it still count. "
        "Ctrl-C stops every notebook and writes nothing.",
        epilog="The notebooks' code runs with your rights and beside the checker: it can harm "
        "your files and forge its own verdicts. For a class you do not trust, run this inside "
        "a container or a JupyterHub user server of its own.",
    )
    grade.add_argument("submissions", type=Path, help="one folder per student, notebooks inside")
    grade.add_argument(
        "--out",
        type=Path,
        default=Path("grades.csv"),
        help="the CSV to write (default: grades.csv); the HTML summary goes beside it, .html",
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=grading.DEFAULT_TIMEOUT_S,
        help=f"seconds one notebook may run (default: {grading.DEFAULT_TIMEOUT_S})",
    )
    grade.add_argument(
        "--memory-mb",
        type=int,
        default=grading.DEFAULT_MEMORY_MB,
        help="address-space limit of one notebook's kernel, on Linux "
        f"(default: {grading.DEFAULT_MEMORY_MB}; 0: none; torch needs about 4000)",
    )
    grade.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="notebooks run at the same time, one thread each (default: 2, or 1 on a 1-core machine)",
    )
    grade.add_argument(
        "--fast", action="store_true", help="run the notebooks in instructor fast mode"
    )
    grade.set_defaults(run=_grade)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
