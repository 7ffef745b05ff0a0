import shutil

import pytest

from pytorch_lessons.cli import main

from .conftest import BOOK


def test_student_command_writes_then_keeps_edited_notebooks(tmp_path, capsys):
    book = tmp_path / "book"
    book.mkdir()
    notebook = sorted(BOOK.glob("[0-9]*.ipynb"))[0]
    shutil.copy(notebook, book)
    out = tmp_path / "student"
    assert main(["student", str(out), "--book", str(book)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["student", str(out), "--book", str(book)]) == 0
    assert "unchanged" in capsys.readouterr().out
    (out / notebook.name).write_text("{}")
    assert main(["student", str(out), "--book", str(book)]) == 1
    assert "may hold your work" in capsys.readouterr().err
    assert (out / notebook.name).read_text() == "{}"


def test_no_final_hint_is_the_instructors_choice_per_edition(tmp_path, capsys, monkeypatch):
    """``--no-final-hint``: the edition's hint() stops one short of the full answer. Making the
    edition again without a flag keeps that choice (and says so); ``--final-hint`` gives every
    hint back."""
    from pytorch_lessons.exercises import core

    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(sorted(BOOK.glob("[0-9]*.ipynb"))[0], book)
    out = tmp_path / "student"
    ex = core.get("tensors-arange")

    def hints_seen() -> str:
        monkeypatch.setattr(core, "_HINTS_SHOWN", {})
        monkeypatch.chdir(out)
        for _ in range(len(ex.hints)):
            core.hint(ex.id)
        return capsys.readouterr().out

    assert main(["student", str(out), "--book", str(book), "--no-final-hint"]) == 0
    assert "last hints held back (--no-final-hint)" in capsys.readouterr().out
    held = hints_seen()
    assert ex.hints[-1] not in held and ex.hints[0] in held and "keeps the last one" in held
    assert main(["student", str(out), "--book", str(book)]) == 0
    said = capsys.readouterr().out
    assert "as this edition already did; --final-hint shows them" in said and "unchanged" in said
    assert ex.hints[-1] not in hints_seen()
    assert main(["student", str(out), "--book", str(book), "--final-hint"]) == 0
    assert "wrote" in capsys.readouterr().out  # the notebooks were the other form: not student work
    assert ex.hints[-1] in hints_seen()


def test_a_held_back_notebook_keeps_its_hints_back_wherever_it_is_copied(tmp_path, monkeypatch):
    """The choice is in the notebook's setup cell, not only in the edition's folder: a
    notebook sent on its own still holds its last hints back; the full edition's does not."""
    import nbformat

    from pytorch_lessons.editions import is_setup_cell, student_notebook
    from pytorch_lessons.exercises import core

    chapter = nbformat.read(sorted(BOOK.glob("[0-9]*.ipynb"))[0], as_version=4)
    monkeypatch.chdir(tmp_path)  # no edition settings file here or above
    for final_hint in (True, False):
        monkeypatch.setattr(core, "_HOLD_BACK_FINAL_HINTS", False)
        setup = next(
            c for c in student_notebook(chapter, final_hint=final_hint).cells if is_setup_cell(c)
        )
        exec(compile(setup.source, "<setup>", "exec"), {})
        assert core.final_hint_held_back() is (not final_hint)


def test_student_command_without_chapters_is_a_clear_error(tmp_path, capsys):
    assert main(["student", str(tmp_path / "out"), "--book", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: no chapter notebooks")


def test_data_path_prints_the_folder_in_use(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PYTORCH_LESSONS_DATA", str(tmp_path))
    assert main(["data", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)


def test_version_and_usage_errors(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and "pytorch-lessons 0.1.0" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["nonsense"])
    assert info.value.code == 2
