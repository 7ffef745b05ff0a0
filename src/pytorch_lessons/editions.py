"""The student edition: every chapter notebook with its solutions removed.

The instructor edition is ``book/`` itself (solutions included, executed). The student edition
drops every cell tagged ``solution`` and the ``solution-start`` / ``solution-end`` directive cells
around it, keeps the exercise stubs, and never overwrites a notebook a student may have edited.
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


def student_notebook(notebook):
    """A copy of ``notebook`` without its solutions and "In class" notes. Execution counts are
    cleared: with the solutions gone they would jump ([19], [21], ...)."""
    import copy

    result = copy.deepcopy(notebook)
    result.cells = [cell for cell in result.cells if not is_solution_cell(cell)]
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


def write_student_edition(book: Path, out: Path) -> EditionReport:
    """Write the student edition of every ``book/NN-*.ipynb`` into ``out``.

    A notebook already in ``out`` that differs from what would be written is left untouched
    and reported in ``refused``: it may hold a student's work.
    """
    import nbformat

    book, out = Path(book), Path(out)
    chapters = sorted(book.glob("[0-9]*.ipynb"))
    if not chapters:
        raise FileNotFoundError(f"no chapter notebooks (NN-*.ipynb) in {book}")
    out.mkdir(parents=True, exist_ok=True)
    report = EditionReport()
    for chapter in chapters:
        text = nbformat.writes(student_notebook(nbformat.read(chapter, as_version=4))) + "\n"
        target = out / chapter.name
        if target.exists():
            if target.read_text(encoding="utf-8") == text:
                report.unchanged.append(target)
            else:
                report.refused.append(target)
            continue
        target.write_text(text, encoding="utf-8")
        report.written.append(target)
    return report
