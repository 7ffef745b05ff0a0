"""The book's notebooks: pairs in sync, exercises wired up, and the student edition."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from pytorch_lessons.authoring import out_of_sync, stated_run_times
from pytorch_lessons.editions import (
    is_setup_cell,
    is_solution_cell,
    student_notebook,
    write_student_edition,
)
from pytorch_lessons.exercises import all_exercises, get

from .conftest import BOOK

CHAPTERS = sorted(BOOK.glob("[0-9]*.md"))
NOTEBOOKS = sorted(BOOK.glob("[0-9]*.ipynb"))
CHECK = re.compile(r"""check\(\s*["']([a-z0-9-]+)["']""")
ACCURACY = re.compile(r"^test accuracy: ([0-9.]+)%", re.M)


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def _exercise_cells(notebook_path: Path) -> dict[str, dict[str, list]]:
    """{id: {"exercise": [cells], "solution": [cells]}} from a notebook's tagged cells."""
    found: dict[str, dict[str, list]] = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        tags = cell.metadata.get("tags", [])
        for kind in ("exercise", "solution"):
            if kind in tags:
                for id_ in CHECK.findall(cell.source):
                    found.setdefault(id_, {"exercise": [], "solution": []})[kind].append(cell)
    return found


def test_every_chapter_has_an_executed_pair_and_they_agree():
    assert CHAPTERS, "no chapters in book/"
    assert [p.stem for p in CHAPTERS] == [p.stem for p in NOTEBOOKS]
    problems = [problem for problem in map(out_of_sync, CHAPTERS) if problem]
    assert problems == [], "run `make notebooks` to re-pair: " + "; ".join(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_is_executed_in_order_without_errors(notebook):
    nb = nbformat.read(notebook, as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "not a clean top-to-bottom run"
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_exercises_stub_fails_kindly_and_solution_passes(notebook):
    exercises = _exercise_cells(notebook)
    assert len(exercises) >= 3, (
        f"{notebook.name} has {len(exercises)} exercises; each chapter needs 3"
    )
    for id_, cells in exercises.items():
        get(id_)  # registered
        assert len(cells["exercise"]) == 1 and len(cells["solution"]) == 1, id_
        assert _text(cells["exercise"][0]).startswith(f"✗ {id_}: not solved yet"), id_
        assert _text(cells["solution"][0]).startswith(f"✓ {id_}: correct!"), id_


def test_every_registered_exercise_is_in_the_book():
    in_book = {id_ for nb in NOTEBOOKS for id_ in _exercise_cells(nb)}
    assert set(all_exercises()) == in_book


def test_exercise_labels_are_unique_across_the_book():
    labels = [m for md in CHAPTERS for m in re.findall(r":label: (ex-[a-z0-9-]+)", md.read_text())]
    assert labels and len(labels) == len(set(labels))


def test_solution_directive_cells_hold_only_the_directive():
    for notebook in NOTEBOOKS:
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "markdown" and is_solution_cell(cell):
                lines = [
                    line
                    for line in cell.source.strip().splitlines()
                    if not line.startswith(":class:")
                ]
                assert (
                    lines[0].startswith(":::{solution-") and lines[-1] == ":::" and len(lines) == 2
                ), f"{notebook.name}: a solution directive cell must contain only the directive"


def test_student_notebook_drops_solutions_and_keeps_stubs():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    student = student_notebook(nb)
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    assert not any(c.source.lstrip().startswith(":::{solution-") for c in student.cells)
    assert sum("exercise" in c.metadata.get("tags", []) for c in student.cells) >= 3
    assert len(nb.cells) > len(student.cells)  # the original is untouched
    sources = "".join(c.source for c in student.cells)
    assert ":::{admonition} In class" in "".join(c.source for c in nb.cells)
    assert "In class" not in sources  # the instructor's notes stay with the instructor
    assert "## Summary" in sources  # ... and the summary around them stays
    assert all(c.execution_count is None for c in student.cells if c.cell_type == "code")
    code = [c for c in student.cells if c.cell_type == "code"]
    assert is_setup_cell(code[0]) and not any(map(is_setup_cell, code[1:]))
    assert code[1].source == next(c for c in nb.cells if c.cell_type == "code").source
    assert '"make lab"' in code[0].source  # no repository given: the course folder's command
    nbformat.validate(student)
    linked = student_notebook(nb, "https://example.org/course.git")
    assert 'git+https://example.org/course.git"' in linked.cells[1].source


def test_setup_cell_imports_the_package_or_says_in_one_line_what_to_do(monkeypatch):
    """Run as plain Python: silent where the package is, one message where it is missing."""
    import sys

    from pytorch_lessons.editions import setup_cell

    code = compile(setup_cell("https://example.org/course").source, "<setup>", "exec")
    exec(code, {})  # the package is installed here: no error
    monkeypatch.setitem(sys.modules, "pytorch_lessons", None)  # now its import fails
    with pytest.raises(Exception) as info:
        exec(code, {})
    message = info.value._render_traceback_()  # what Jupyter shows instead of a traceback
    assert message == [str(info.value)] and "\n" not in message[0]
    assert message[0].startswith("pytorch_lessons is not installed: run  %pip install ")
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_student_edition_never_overwrites_edited_work(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(NOTEBOOKS[0], book)
    out = tmp_path / "student"
    first = write_student_edition(book, out)
    assert [p.name for p in first.written] == [NOTEBOOKS[0].name]
    again = write_student_edition(book, out)
    assert again.unchanged == first.written and again.written == []
    edited = out / NOTEBOOKS[0].name
    edited.write_text(edited.read_text().replace("your code here", "my own attempt"))
    kept = edited.read_text()
    third = write_student_edition(book, out)
    assert third.refused == [edited] and edited.read_text() == kept


def test_student_edition_needs_chapters(tmp_path):
    with pytest.raises(FileNotFoundError, match="no chapter notebooks"):
        write_student_edition(tmp_path, tmp_path / "out")


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_edition_runs_top_to_bottom(notebook, tmp_path, monkeypatch):
    """In instructor fast mode: that tests fast mode on every chapter, and it is quicker."""
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTORCH_LESSONS_FAST", "1")
    student = student_notebook(nbformat.read(notebook, as_version=4))
    # after each live plot's cell: how many points its every curve got
    probe = 'print("plot points:", min(map(len, live.curves.values()), default=0))'
    cells = []
    for cell in student.cells:
        cells.append(cell)
        if cell.cell_type == "code" and "LiveLossPlot(" in cell.source:
            cells.append(nbformat.v4.new_code_cell(probe))
    student.cells = cells
    NotebookClient(
        student, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}
    ).execute()
    shown = [_text(c) for c in student.cells if c.cell_type == "code" and not is_setup_cell(c)]
    assert shown[0].startswith("Instructor fast mode is on"), "the first cell must say so"
    verdicts = [_text(c) for c in student.cells if "exercise" in c.metadata.get("tags", [])]
    assert verdicts and all("not solved yet" in v for v in verdicts)
    # Fast mode stays meaningful: the MNIST model still clearly learns, its plots have points,
    # and no verdict says "False" in front of a class without saying why.
    accuracies = [float(a) for text in shown for a in ACCURACY.findall(text)]
    assert all(a >= 95 for a in accuracies), accuracies
    points = [int(n) for text in shown for n in re.findall(r"^plot points: (\d+)", text, re.M)]
    assert all(n >= 10 for n in points), points
    lines = [line for text in shown for line in text.splitlines()]
    # a result judged against the book's target ("(>= 99 %: False)") must say it is fast mode
    assert not [line for line in lines if "%" in line and "False" in line and "fast" not in line]
    if notebook.stem == "07-mnist":
        assert accuracies and len(points) == 2, (accuracies, points)


def test_no_test_marker_in_what_readers_see():
    """nbval's markers live in cell tags (``:tags: [nbval-ignore-output]``), not in the code."""
    for chapter in CHAPTERS:
        for number, line in enumerate(chapter.read_text().splitlines(), start=1):
            assert "NBVAL_" not in line, f"{chapter.name}:{number}: use the nbval-ignore-output tag"


def test_every_chapter_states_its_run_time_in_both_modes():
    """Instructors plan a lesson around it; benchmarks/chapter_times.py prints it beside measured."""
    for chapter in CHAPTERS:
        times = stated_run_times(chapter.read_text(encoding="utf-8"))
        assert times, (
            f"{chapter.name}: say 'about N s top to bottom ... about M s in instructor fast mode'"
        )
        normal, fast = times
        assert 0 < fast <= 15 and fast <= normal, f"{chapter.name} states {times}"


def test_ignored_outputs_stay_rare():
    """The nbval-ignore-output tag is for what no machine can repeat (timings, uninitialised
    memory, progress bars, the machine's own devices); training numbers get tolerances instead."""
    ignored, code_cells = [], 0
    for notebook in NOTEBOOKS:
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            code_cells += 1
            if "nbval-ignore-output" in cell.metadata.get("tags", []):
                ignored.append(notebook.name)
    assert len(ignored) <= 0.05 * code_cells, f"{len(ignored)} of {code_cells} cells ignored"


def test_no_stored_cell_shows_a_figure_twice_or_an_unfinished_progress_bar():
    for notebook in NOTEBOOKS:
        for number, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            images = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
            assert len(images) == len(set(images)), f"{notebook.name} cell {number}: figure twice"
            streams = [o.output_type for o in cell.outputs if o.output_type == "stream"]
            assert len(streams) <= 2, f"{notebook.name} cell {number}: streams not coalesced"
            for output in cell.outputs:
                text = output.get("text", "") + "".join(
                    output.get("data", {}).get("text/plain", "")
                )
                assert not re.search(r"\b0%\|", text), f"{notebook.name} cell {number}: 0 % bar"


def test_a_collapsed_solution_previews_nothing_of_the_answer():
    """JupyterLab shows a collapsed cell's first line: a solution starts with a comment."""
    for notebook in NOTEBOOKS:
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
                assert cell.source.startswith("# "), f"{notebook.name}: {cell.source[:60]!r}"
                assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


def _stored_weights(notebook: Path) -> int:
    """Characters of model weights a notebook's widgets store (the digit pad's, base64)."""
    metadata = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    models = (metadata.get("widgets") or {}).get("application/vnd.jupyter.widget-state+json", {})
    return sum(len(m["state"].get("weights", "")) for m in (models.get("state") or {}).values())


def test_every_stored_widget_runs_the_current_module():
    """A stored widget carries its ESM module and stylesheet: after a change to widgets/js/,
    the chapters that show it are re-executed (``make notebooks``), or JupyterLab and the site
    would run the old code."""
    import importlib

    for notebook in NOTEBOOKS:
        metadata = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
        models = (metadata.get("widgets") or {}).get("application/vnd.jupyter.widget-state+json")
        for model in ((models or {}).get("state") or {}).values():
            if model["model_module"] != "anywidget":
                continue
            module, _, name = model["state"]["_anywidget_id"].rpartition(".")
            widget = getattr(importlib.import_module(module), name)
            assert model["state"]["_esm"] == str(widget._esm), f"{notebook.name}: {name} is stale"
            assert model["state"]["_css"] == str(widget._css), f"{notebook.name}: {name} is stale"


def test_every_stored_notebook_stays_small():
    """Students clone and diff the notebooks: each stays under 300 KB besides the weights of a
    model a widget runs in the browser (the digit pad's: 65 050 float16 numbers, about 150 KB
    compressed, in base64), and under 450 KB in all."""
    for notebook in NOTEBOOKS:
        size, weights = notebook.stat().st_size, _stored_weights(notebook)
        assert size - weights < 300_000, (
            f"{notebook.name} is {size // 1000} KB besides its weights: shrink what it stores"
        )
        assert size < 450_000, f"{notebook.name} is {size // 1000} KB in all: over 450 KB"


# ---------------------------------------------------------------- typography of the prose

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# code spans, inline math, link targets and HTML comments: not prose
_NOT_PROSE = re.compile(r"(`+).+?\1|\$[^$\n]+\$|(?<=\])\([^)]*\)|<!--.*?-->")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _prose_lines(source: str) -> list[tuple[int, str]]:
    """(line number, text) of a MyST chapter's markdown prose: not its YAML header, code
    blocks, display math, table rules or thematic breaks; code spans and inline math blanked."""
    lines = source.split("\n")
    start = lines.index("---", 1) + 1 if lines and lines[0] == "---" else 0
    found, fence, math = [], "", False
    for number, line in enumerate(lines[start:], start + 1):
        opening = _FENCE.match(line)
        if fence:
            if opening and line.strip()[0] == fence[0] and len(line.strip()) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
        elif line.strip() == "$$":
            math = not math
        elif not (math or _TABLE_RULE.match(line) or re.fullmatch(r"\s*-{3,}\s*", line)):
            found.append((number, _NOT_PROSE.sub(" ", line)))
    return found


def _ascii_dashes(source: str) -> list[str]:
    return [f"{n}: {text.strip()}" for n, text in _prose_lines(source) if "--" in text]


def test_the_dash_finder_sees_prose_only():
    source = (
        "---\njupytext: x\n---\n\nA -- B, with `--flag` and $a--b$ and [x](a--b).\n\n"
        "```{code-cell} ipython3\n!pip install --quiet torch  # -- aside\n```\n\n"
        "| a | b |\n| --- | --- |\n\n---\n\nRanges 5–20 and asides – like this.\n"
    )
    assert _ascii_dashes(source) == ["5: A -- B, with   and   and [x] ."]


@pytest.mark.parametrize("chapter", sorted(BOOK.glob("*.md")), ids=lambda p: p.stem)
def test_prose_has_real_dashes(chapter):
    """``--`` in the text reads as two hyphens (MyST does not turn it into a dash): ranges take
    an en dash (5–20), asides a spaced en dash ( – )."""
    assert _ascii_dashes(chapter.read_text(encoding="utf-8")) == []
