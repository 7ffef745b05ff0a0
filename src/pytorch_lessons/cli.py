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


def _data_path(args: argparse.Namespace) -> int:
    from pytorch_lessons.data import data_root

    print(data_root())
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
    student.set_defaults(run=_student)

    data = commands.add_parser("data", help="the data folder")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    data_commands.add_parser("path", help="print the data folder in use").set_defaults(
        run=_data_path
    )

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
