"""``pytorch-lessons grade``: verdicts come from ``check`` itself, one row per exercise, a note
for every notebook that could not be graded, and an HTML summary."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

from pytorch_lessons import grading
from pytorch_lessons.cli import main
from pytorch_lessons.editions import student_notebook
from pytorch_lessons.exercises import all_exercises, check

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHECK = re.compile(r"""check\(\s*["']([a-z0-9-]+)["']""")


def test_every_exercise_belongs_to_the_chapter_whose_notebook_checks_it():
    chapters = grading.chapter_exercises()
    assert sorted(chapters) == sorted(p.stem for p in BOOK.glob("[0-9]*.ipynb"))
    for stem, ids in chapters.items():
        in_book = dict.fromkeys(CHECK.findall((BOOK / f"{stem}.md").read_text(encoding="utf-8")))
        assert set(ids) == set(in_book), stem
    graded = [id_ for ids in chapters.values() for id_ in ids]
    assert sorted(graded) == sorted(all_exercises())


def test_check_records_its_verdict_only_when_the_grader_asks(tmp_path, monkeypatch, capsys):
    log = tmp_path / "verdicts.jsonl"
    check("tensors-arange", ...)
    assert not log.exists()
    monkeypatch.setenv(grading.VERDICTS_ENV, str(log))
    check("tensors-arange", ...)
    print("✓ tensors-broadcast: correct!")  # printed text scores nothing
    check("tensors-argmax", lambda scores: scores.argmax(dim=1))
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[0] == {"exercise": "tensors-arange", "passed": False}
    assert records[1]["exercise"] == "tensors-argmax"
    assert grading._read_verdicts(log) == {
        "tensors-arange": False,
        **{records[1]["exercise"]: records[1]["passed"]},
    }
    capsys.readouterr()


def test_the_last_verdict_of_an_exercise_counts_and_junk_lines_are_ignored(tmp_path):
    log = tmp_path / "v.jsonl"
    log.write_text(
        '{"exercise": "a-b", "passed": false}\nnot json\n[1]\n{"exercise": "a-b", "passed": true}\n'
        '{"exercise": "c-d", "passed": "yes"}\n'
    )
    assert grading._read_verdicts(log) == {"a-b": True, "c-d": False}


def test_submissions_are_found_per_student_and_strays_reported(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "01-tensors.ipynb").write_text("{}")
    (tmp_path / "ann" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "ann" / ".ipynb_checkpoints" / "01-tensors-checkpoint.ipynb").write_text("{}")
    (tmp_path / "ben").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    found, skipped = grading.find_submissions(tmp_path)
    assert [(s.student, s.chapter) for s in found] == [("ann", "01-tensors")]
    assert any("notes.txt" in line for line in skipped)
    assert any(line.startswith("ben: no notebooks") for line in skipped)


def test_summary_table_colours_each_exercise_and_gives_the_pass_rate():
    rows = [
        grading.Row("ann", "01-tensors", "tensors-arange", True),
        grading.Row("ann", "01-tensors", "tensors-argmax", False),
        grading.Row("ben", "01-tensors", "tensors-arange", True),
        grading.Row("ben", "01-tensors", "tensors-argmax", False, "cell [3] raised <b>Error"),
    ]
    page = grading.summary_html(rows)
    assert page.count('class="pass"') == 2 and page.count('class="fail"') == 2
    assert ">100%</td>" in page and ">0%</td>" in page
    assert "&lt;b&gt;Error" in page and "<b>Error" not in page


def test_grade_refuses_bad_input_in_one_line(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "g.csv")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--timeout", "0"]) == 2
    assert "--timeout" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 2
    assert "no notebooks" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.notebooks
def test_grading_a_class_of_three(tmp_path, capsys):
    """Untouched student edition: 0 passed. Worked: all passed. A notebook that never ends is
    stopped at the time limit, noted, and the run finishes; the submissions are unchanged."""
    instructor = nbformat.read(BOOK / "01-tensors.ipynb", as_version=4)
    submissions = tmp_path / "submissions"
    for student in ("ann", "ben", "cat"):
        (submissions / student).mkdir(parents=True)
    untouched = submissions / "ann" / "01-tensors.ipynb"
    nbformat.write(student_notebook(instructor), untouched)
    nbformat.write(grading.worked_submission(instructor), submissions / "ben" / "01-tensors.ipynb")
    endless = student_notebook(instructor)
    endless.cells.insert(2, nbformat.v4.new_code_cell("while True:\n    pass"))
    nbformat.write(endless, submissions / "cat" / "01-tensors.ipynb")
    (submissions / "cat" / "10-extra.ipynb").write_text("{ not a notebook")
    before = {p: p.read_bytes() for p in submissions.rglob("*") if p.is_file()}

    out = tmp_path / "grades.csv"
    status = main(["grade", str(submissions), "--out", str(out), "--timeout", "90", "--jobs", "2"])
    err = capsys.readouterr().err
    assert status == 0, err

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(grading.COLUMNS)
    exercises = grading.chapter_exercises()["01-tensors"]
    by_student: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_student.setdefault(row["student"], []).append(row)
    ann = [r for r in by_student["ann"] if r["chapter"] == "01-tensors"]
    ben = [r for r in by_student["ben"] if r["chapter"] == "01-tensors"]
    cat = [r for r in by_student["cat"] if r["chapter"] == "01-tensors"]
    assert [r["exercise"] for r in ann] == exercises
    assert [r["passed"] for r in ann] == ["false"] * len(exercises), ann
    assert [r["passed"] for r in ben] == ["true"] * len(exercises), (ben, err)
    assert all(r["passed"] == "false" and "time limit" in r["note"] for r in cat), cat
    assert any(r["chapter"] == "10-extra" and r["note"] for r in by_student["cat"])
    assert re.search(r"\[3/3\] .*passed in", err), err  # progress lines

    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert page.count('class="pass"') == len(exercises)
    assert "Pass rate" in page and "time limit" in page
    assert {p: p.read_bytes() for p in submissions.rglob("*") if p.is_file()} == before
