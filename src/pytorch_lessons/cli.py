"""The ``pytorch-lessons`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pytorch_lessons import __version__


def _student(args: argparse.Namespace) -> int:
    from pytorch_lessons.editions import write_student_edition

    try:
        report = write_student_edition(args.book, args.outdir)
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
        report = write_student_edition(args.book, args.workspace)
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

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
