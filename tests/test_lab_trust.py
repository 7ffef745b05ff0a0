"""``make lab`` trusts the course's chapter notebooks -- and only those -- so that JupyterLab
draws their stored widgets on a fresh clone."""

from __future__ import annotations

import nbformat
from nbformat.sign import NotebookNotary

from pytorch_lessons.lab import trust_chapters


def test_only_chapter_notebooks_are_signed(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))  # a fresh clone: no trust
    for name in ("04-gradient-descent.ipynb", "mine.ipynb", "4-short.ipynb"):
        cell = nbformat.v4.new_code_cell(f"print({name!r})")  # a signature is of the content
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / name)
    notary = NotebookNotary()
    assert not notary.check_signature(nbformat.read(tmp_path / "04-gradient-descent.ipynb", 4))
    assert [p.name for p in trust_chapters(tmp_path)] == ["04-gradient-descent.ipynb"]
    check = NotebookNotary()
    assert check.check_signature(nbformat.read(tmp_path / "04-gradient-descent.ipynb", 4))
    assert not check.check_signature(nbformat.read(tmp_path / "mine.ipynb", 4))
    assert not check.check_signature(nbformat.read(tmp_path / "4-short.ipynb", 4))
    edited = nbformat.read(tmp_path / "04-gradient-descent.ipynb", 4)
    edited.cells[0].outputs = [nbformat.v4.new_output("display_data", {"text/html": "<b>x</b>"})]
    assert not check.check_signature(edited)  # a changed notebook is not trusted by this
