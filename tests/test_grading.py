"""``pytorch-lessons grade``: verdicts come from ``check`` itself, one row per exercise, a note
for every notebook that could not be graded, and an HTML summary."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
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


def test_one_notebook_per_student_and_chapter_whatever_the_zip_made_of_it(tmp_path):
    """Downloads rename (``01-Tensors (1).ipynb``), students keep old copies in sub-folders,
    macOS zips add ``__MACOSX``, and a link may point nowhere: each chapter is graded once,
    from the copy named as the edition names it, nearest the top; every other is a line."""

    def put(relative: str) -> None:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")

    put("ann/01-tensors.ipynb")
    put("ann/old/01-tensors.ipynb")
    put("ann/.hidden/02-autograd.ipynb")
    put("__MACOSX/ann/._01-tensors.ipynb")
    put("ben/01-Tensors (1).ipynb")
    put("ben/work/02-AUTOGRAD.IPYNB")
    put("ben/week 3/my-notes.ipynb")
    (tmp_path / "ben" / "03-linear-regression.ipynb").symlink_to(tmp_path / "nowhere.ipynb")
    (tmp_path / "ben" / "05-classification.ipynb").mkdir()
    (tmp_path / "ben-link").symlink_to(tmp_path / "ben")
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "01-tensors.ipynb").symlink_to(tmp_path / "nowhere.ipynb")
    found, skipped = grading.find_submissions(tmp_path)
    assert [(s.student, s.name, s.chapter) for s in found] == [
        ("ann", "01-tensors.ipynb", "01-tensors"),
        ("ben", "01-Tensors (1).ipynb", "01-tensors"),
        ("ben", "week 3/my-notes.ipynb", ""),
        ("ben", "work/02-AUTOGRAD.IPYNB", "02-autograd"),
    ]
    assert (
        "ann/old/01-tensors.ipynb: a second copy of 01-tensors (graded ann/01-tensors.ipynb)"
        in skipped
    )
    assert "ben/03-linear-regression.ipynb: not a file that can be read" in skipped
    assert "ben/05-classification.ipynb: not a file that can be read" in skipped
    assert "ben-link: the same folder as ben (a link to it)" in skipped
    assert "cat/01-tensors.ipynb: not a file that can be read" in skipped
    assert "cat: no notebooks" not in skipped  # one line is enough
    assert not any("MACOSX" in line or "hidden" in line for line in skipped)


def test_a_chapter_is_told_by_its_name_as_downloads_and_copies_leave_it():
    assert grading.chapter_of("07-mnist.ipynb") == "07-mnist"
    assert grading.chapter_of("07-MNIST (2).ipynb") == "07-mnist"
    assert grading.chapter_of("03-linear-regression_ann.ipynb") == "03-linear-regression"
    assert grading.chapter_of("03-linear.ipynb") == ""
    assert grading.chapter_of("10-extra.ipynb") == ""
    assert grading.chapter_of("01-tensorsX.ipynb") == ""


def test_grades_are_written_whole_and_odd_folder_names_do_not_stop_them(tmp_path):
    """A student's folder name that is not UTF-8 (an old zip) is written escaped; an older
    grades.csv is replaced in one step, and nothing is left beside it."""
    out = tmp_path / "grades.csv"
    out.write_text("the old grades\n")
    odd = "caf\udce9"  # how Python names the byte 0xE9 of a non-UTF-8 file name
    rows = [grading.Row(odd, "01-tensors", "tensors-arange", True, 'said "hi", <b>')]
    grading.write_csv(rows, out)
    grading.write_summary(rows, out.with_suffix(".html"))
    assert list(csv.reader(out.open(encoding="utf-8"))) == [
        list(grading.COLUMNS),
        ["caf\\udce9", "01-tensors", "tensors-arange", "true", 'said "hi", <b>'],
    ]
    assert "&lt;b&gt;" in out.with_suffix(".html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "grades.html"]


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


def test_grade_refuses_bad_input_in_one_line(tmp_path, capsys, monkeypatch):
    assert main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "g.csv")]) == 2
    assert "not a folder" in capsys.readouterr().err
    for bad in (["--timeout", "0"], ["--timeout", "nan"], ["--timeout", "inf"]):
        assert main(["grade", str(tmp_path), *bad]) == 2
        assert "--timeout must be" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--memory-mb", "99999999999999"]) == 2
    assert "--memory-mb must be" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 2
    assert "no notebooks" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()
    # the output is checked before any notebook runs, not after the whole class
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "07-mnist.ipynb").write_text("{}")
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "ann")]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "grades.html")]) == 2
    assert "the HTML summary goes beside it" in capsys.readouterr().err
    # a chapter that reads MNIST, on a machine without it, would fail every student
    monkeypatch.setenv("PYTORCH_LESSONS_DATA", str(tmp_path / "no-data"))
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 2
    err = capsys.readouterr().err
    assert "07-mnist needs MNIST, which is not in" in err and "data fetch" in err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1  # one line, no run
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


def _notebook(folder: Path, name: str, *sources: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path
    )
    return path


@pytest.mark.notebooks
def test_what_a_notebook_leaves_running_does_not_hold_the_grader(tmp_path, monkeypatch):
    """A process the notebook starts in a session of its own, holding the worker's output,
    neither keeps the grader waiting nor turns a finished notebook into "time limit". The
    grader's own kernel runs, whatever ``python3`` kernel the machine has installed; a cell's
    error is noted with its number and message."""
    bogus = tmp_path / "jupyter" / "kernels" / "python3"
    bogus.mkdir(parents=True)
    (bogus / "kernel.json").write_text(json.dumps({"argv": ["false"], "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    leaver = _notebook(
        tmp_path / "ann",
        "01-tensors.ipynb",
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
        " start_new_session=True)\n"
        f"open({str(tmp_path / 'child.pid')!r}, 'w').write(str(child.pid))",
        "x = 1",
        "undefined_name",
    )
    outcome = grading.run_notebook(leaver, timeout_s=40, memory_mb=0, fast=False, threads=1)
    os.kill(int((tmp_path / "child.pid").read_text()), signal.SIGKILL)  # it ran, and outlived
    assert outcome.seconds < 30, outcome
    assert outcome.note == "cell 3 raised NameError: name 'undefined_name' is not defined", outcome


@pytest.mark.notebooks
def test_an_interrupted_grading_stops_every_notebook_and_writes_nothing(tmp_path):
    """Ctrl-C (or SIGTERM) ends the grading at once: the running notebooks are stopped, their
    temporary copies removed, and an older grades.csv is left as it was."""

    for student in ("ann", "ben", "cat"):
        _notebook(tmp_path / "class" / student, "01-tensors.ipynb", "import time\ntime.sleep(120)")
    out = tmp_path / "grades.csv"
    out.write_text("the old grades\n")
    temp = tmp_path / "temp"
    temp.mkdir()
    grader = subprocess.Popen(
        [sys.executable, "-m", "pytorch_lessons.cli", "grade", str(tmp_path / "class"),
         "--out", str(out), "--jobs", "1", "--timeout", "300"],
        env={**os.environ, "TMPDIR": str(temp)},
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(temp.glob("pytorch-lessons-grade-*/work/*.ipynb")):
        assert time.monotonic() < deadline and grader.poll() is None, "no notebook started"
        time.sleep(0.2)
    time.sleep(2)  # the kernel is starting or running the cell
    grader.send_signal(signal.SIGINT)
    _, err = grader.communicate(timeout=30)
    assert grader.returncode == 130, err
    assert "interrupted: every notebook still running was stopped; nothing written" in err
    assert out.read_text() == "the old grades\n"
    assert list(temp.iterdir()) == []
