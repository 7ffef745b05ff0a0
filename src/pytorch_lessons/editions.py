"""The student edition: every chapter notebook with its solutions removed.

The instructor edition is ``book/`` itself (solutions included, executed). The student edition
drops every cell tagged ``solution`` and the ``solution-start`` / ``solution-end`` directive cells
around it, keeps the exercise stubs, and never overwrites a notebook a student may have edited.

Its first code cell is a setup cell: it imports the helper package and, where the package is
missing (a notebook downloaded from the book site, opened in Colab), stops with one line that says
what to do. The same edition fills the ``student/`` workspace and the site's downloads; only that
line differs, naming the repository to install from when the site knows one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SOLUTION_TAG = "solution"
_DIRECTIVES = (":::{solution-start}", ":::{solution-end}")


# The chapter's "In class" box, addressed to the instructor: from its opening fence to its close.
_FOR_INSTRUCTORS = re.compile(r"\n*^:::\{admonition\} In class\n.*?^:::$\n?", re.M | re.S)


def is_solution_cell(cell) -> bool:
    """A cell that gives an answer away: tagged ``solution``, or a solution directive cell."""
    tags = cell.get("metadata", {}).get("tags", [])
    return SOLUTION_TAG in tags or cell.source.lstrip().startswith(_DIRECTIVES)


SETUP_CELL_ID = "setup-pytorch-lessons"
_SETUP_SOURCE = """\
# Setup: the course's helper package. Where it is missing, this cell says what to do.
try:
    import pytorch_lessons
except ModuleNotFoundError as missing:

    class SetupNeeded(Exception):
        def _render_traceback_(self):  # Jupyter shows this one line, not a traceback
            return [str(self)]

    raise SetupNeeded(
        f"{missing.name} is not installed: "
        WHAT_TO_DO
    ) from None"""


def what_to_do(repository_url: str | None = None) -> str:
    """The setup cell's instruction: install from ``repository_url`` (a git repository URL,
    optionally ``@branch``), or, with none, use the course folder."""
    if repository_url:
        return (
            f'run  %pip install "pytorch-lessons @ git+{repository_url}"  in a cell, '
            "then restart the kernel and run this cell again."
        )
    return 'run "make lab" in the course folder: it installs the package and opens the student notebooks.'


_HOLD_BACK_SOURCE = """

# This edition: your instructor keeps each exercise's last hint (the full answer) for later.
from pytorch_lessons.exercises import hold_back_final_hints

hold_back_final_hints()"""


def setup_cell(repository_url: str | None = None, final_hint: bool = True):
    """The student edition's first code cell (a fixed id, so an edition is the same each time).
    With ``final_hint=False`` it also holds back each exercise's last hint, in the notebook
    itself, so the choice survives the notebook being copied or sent on its own."""
    import nbformat

    source = _SETUP_SOURCE.replace("WHAT_TO_DO", repr(what_to_do(repository_url)))
    if not final_hint:
        source += _HOLD_BACK_SOURCE
    cell = nbformat.v4.new_code_cell(source)
    cell.id = SETUP_CELL_ID
    return cell


def is_setup_cell(cell) -> bool:
    """The cell :func:`setup_cell` made."""
    return cell.get("id") == SETUP_CELL_ID


def student_notebook(notebook, repository_url: str | None = None, final_hint: bool = True):
    """A copy of ``notebook`` without its solutions and "In class" notes, with the setup cell
    (:func:`setup_cell`, holding back the last hints when ``final_hint`` is False) as its first
    code cell. Execution counts are cleared: with the solutions gone they would jump ([19],
    [21], ...)."""
    import copy

    result = copy.deepcopy(notebook)
    result.cells = [cell for cell in result.cells if not is_solution_cell(cell)]
    first_code = next(
        (i for i, cell in enumerate(result.cells) if cell.cell_type == "code"), len(result.cells)
    )
    result.cells.insert(first_code, setup_cell(repository_url, final_hint))
    for cell in result.cells:
        if cell.cell_type == "markdown":
            cell.source = _FOR_INSTRUCTORS.sub("\n", cell.source).rstrip() + "\n"
        if cell.cell_type == "code":
            cell.execution_count = None
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = None
    return result


@dataclass
class EditionReport:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    refused: list[Path] = field(default_factory=list)
    #: whether this edition shows each exercise's last hint, and whether that was kept from
    #: the edition already in the folder (no choice given)
    final_hint: bool = True
    kept_setting: bool = False


def write_student_edition(book: Path, out: Path, final_hint: bool | None = None) -> EditionReport:
    """Write the student edition of every ``book/NN-*.ipynb`` into ``out``.

    A notebook already in ``out`` that differs from both forms of the edition (with and without
    the last hints) is left untouched and reported in ``refused``: it may hold a student's work.
    With ``final_hint=False`` the edition's ``hint(...)`` keeps back each exercise's last hint,
    the full answer (its setup cells say so, and a file in ``out`` records the choice; see
    :func:`pytorch_lessons.exercises.core.final_hint_held_back`). ``None`` keeps the choice of
    the edition already in ``out``, and shows every hint in a new one.
    """
    import nbformat

    book, out = Path(book), Path(out)
    chapters = sorted(book.glob("[0-9]*.ipynb"))
    if not chapters:
        where = f" ({book.resolve()})" if not book.is_absolute() else ""
        raise FileNotFoundError(
            f"no chapter notebooks (NN-*.ipynb) in {book}{where}: run this in the course's "
            "folder, or name the chapters' folder with --book"
        )
    report = EditionReport()
    if final_hint is None:
        from pytorch_lessons.exercises.core import settings_hold_back

        final_hint = not settings_hold_back(out)
        report.kept_setting = not final_hint
    report.final_hint = final_hint
    out.mkdir(parents=True, exist_ok=True)
    _write_hint_setting(out, final_hint)
    for chapter in chapters:
        notebook = nbformat.read(chapter, as_version=4)
        text, other = (
            nbformat.writes(student_notebook(notebook, final_hint=choice)) + "\n"
            for choice in (final_hint, not final_hint)
        )
        target = out / chapter.name
        if target.exists():
            present = target.read_text(encoding="utf-8")
            if present == text:
                report.unchanged.append(target)
                continue
            if present != other:
                report.refused.append(target)
                continue
        target.write_text(text, encoding="utf-8")
        report.written.append(target)
    return report


def _write_hint_setting(out: Path, final_hint: bool) -> None:
    """Record the instructor's choice about final hints in the edition's folder."""
    import json

    from pytorch_lessons.exercises.core import EDITION_SETTINGS

    settings = out / EDITION_SETTINGS
    if final_hint:
        settings.unlink(missing_ok=True)
    else:
        settings.write_text(json.dumps({"final_hint": False}) + "\n", encoding="utf-8")
