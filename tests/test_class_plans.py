"""Every chapter's "In class" box: a time plan that fits the chapter, and an answer key.

The box is the instructor's (the student edition drops it whole, ``editions.student_notebook``).
It holds, in a fixed form:

- ``**Time plan** (N min in all; running every cell takes about A s, about B s in fast mode):``
  and a table ``| Section | Minutes |`` with one row per ``##`` section of the chapter, in order;
- ``**Ask the class**`` and a numbered list: each item an italic question, then
  ``**Answer:** ...`` and ``**Misconception:** ...``.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

from pytorch_lessons.authoring import stated_run_times
from pytorch_lessons.editions import student_notebook

from .conftest import BOOK

pytestmark = pytest.mark.unit

CHAPTERS = sorted(BOOK.glob("[0-9]*.md"))
BOX = re.compile(r"^:::\{admonition\} In class\n(.*?)^:::$", re.M | re.S)
TIME_PLAN = re.compile(
    r"^\*\*Time plan\*\* \((\d+) min in all; running every cell takes about (\d+) s, "
    r"about (\d+) s in fast mode\):\n\n\| Section \| Minutes \|\n\| --- \| --- \|\n((?:\|.*\|\n)+)",
    re.M,
)
ROW = re.compile(r"^\| (.+) \| ([^|]*) \|$")
ASK = "**Ask the class**"
ITEM = re.compile(r"^(\d+)\. ", re.M)
ANSWER, MISCONCEPTION = "**Answer:**", "**Misconception:**"


def sections(text: str) -> list[str]:
    """The chapter's ``##`` section titles, in order (code cells left out)."""
    found, in_code = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("## "):
            found.append(line[3:].strip())
    return found


def in_class_box(text: str) -> str:
    """The body of the chapter's one "In class" box."""
    boxes = BOX.findall(text)
    assert len(boxes) == 1, f"expected one In class box, found {len(boxes)}"
    return boxes[0]


def time_plan(box: str) -> tuple[int, tuple[int, int], list[tuple[str, str]]]:
    """(stated total minutes, (stated normal, fast run time), [(section, minutes), ...])."""
    found = TIME_PLAN.search(box)
    assert found, "no '**Time plan** (N min in all; ...):' line followed by its table"
    rows = []
    for line in found.group(4).splitlines():
        row = ROW.match(line)
        assert row, f"not a table row: {line!r}"
        rows.append((row.group(1).strip(), row.group(2).strip()))
    return int(found.group(1)), (int(found.group(2)), int(found.group(3))), rows


def ask_items(box: str) -> list[tuple[int, str]]:
    """The numbered items after "**Ask the class**": (number, text)."""
    assert box.count(ASK) == 1, f"expected one '{ASK}' line"
    listing = box.split(ASK, 1)[1]
    starts = list(ITEM.finditer(listing))
    return [
        (int(start.group(1)), listing[start.end() : end].strip())
        for start, end in zip(starts, [s.start() for s in starts[1:]] + [len(listing)], strict=True)
    ]


@pytest.fixture(params=CHAPTERS, ids=lambda path: path.stem)
def chapter(request) -> Path:
    return request.param


def test_the_book_has_chapters():
    assert len(CHAPTERS) >= 9


def test_time_plan_lists_every_section_in_order(chapter):
    text = chapter.read_text(encoding="utf-8")
    _, _, rows = time_plan(in_class_box(text))
    assert [section for section, _ in rows] == sections(text)


def test_time_plan_minutes_add_up(chapter):
    total, _, rows = time_plan(in_class_box(chapter.read_text(encoding="utf-8")))
    for section, minutes in rows:
        assert re.fullmatch(r"[1-9]\d*", minutes), f"{section}: {minutes!r} is not a positive int"
    assert total == sum(int(minutes) for _, minutes in rows)


def test_time_plan_states_the_chapters_run_time(chapter):
    text = chapter.read_text(encoding="utf-8")
    _, run_times, _ = time_plan(in_class_box(text))
    assert run_times == stated_run_times(text)


def test_every_question_has_an_answer_and_a_misconception(chapter):
    items = ask_items(in_class_box(chapter.read_text(encoding="utf-8")))
    assert items, "no numbered questions under 'Ask the class'"
    assert [number for number, _ in items] == list(range(1, len(items) + 1))
    for number, item in items:
        question, answer = item.split(ANSWER, 1) if ANSWER in item else (item, "")
        answer, misconception = (
            answer.split(MISCONCEPTION, 1) if MISCONCEPTION in answer else (answer, "")
        )
        question = question.strip()
        assert len(question) > 2 and question[0] == "*" and question[-1] == "*", (
            f"question {number}: the question in italics first, got {question[:60]!r}"
        )
        assert answer.strip(), f"question {number}: no {ANSWER} (or it comes after the rest)"
        assert misconception.strip(), f"question {number}: no {MISCONCEPTION} after the answer"


def test_parsing_catches_a_broken_plan():
    """The helpers reject what the tests above must catch."""
    text = (
        "## One\n\n```{code-cell} ipython3\n## not a section\n```\n\n## Two\n\n"
        ":::{admonition} In class\n:class: note\n\n"
        "**Time plan** (9 min in all; running every cell takes about 5 s, about 2 s in fast mode):"
        "\n\n| Section | Minutes |\n| --- | --- |\n| One | 4 |\n| Two | 0 |\n\n"
        "**Ask the class**\n\n1. *Why?*\n\n   **Answer:** because.\n\n2. *How?*\n\n   **Answer:** so.\n"
        ":::\n"
    )
    assert sections(text) == ["One", "Two"]
    total, run_times, rows = time_plan(in_class_box(text))
    assert (total, run_times, rows) == (9, (5, 2), [("One", "4"), ("Two", "0")])
    items = ask_items(in_class_box(text))
    assert [number for number, _ in items] == [1, 2]
    assert all(MISCONCEPTION not in item for _, item in items)


def test_the_student_edition_has_no_plan_and_no_answers(chapter):
    """Built from the .md (the .ipynb may be stale until the book is executed again)."""

    def markdown(notebook) -> str:
        return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")

    notebook = jupytext.read(chapter)
    instructor, student = markdown(notebook), markdown(student_notebook(notebook))
    for marker in ("**Time plan**", "| Section | Minutes |", ASK, "Answer:", "Misconception:"):
        assert marker in instructor, f"{marker!r} missing from the instructor notebook"
        assert marker not in student, f"{marker!r} left in the student edition"
