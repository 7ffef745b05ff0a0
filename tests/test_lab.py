"""What `make lab` opens, checked through the Jupyter server's contents and settings APIs: the
student workspace shows no solution, the instructor's book keeps them collapsed, a chapter's
.md opens as a notebook, and kernels start with the out-of-order hint."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from pytorch_lessons.editions import write_student_edition
from pytorch_lessons.lab import STARTUP, lab_command

from .conftest import BOOK

pytestmark = pytest.mark.notebooks
TOKEN = "lessons-test"
NOTEBOOKS = sorted(BOOK.glob("[0-9]*.ipynb"))


class Server:
    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, method: str = "GET", body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.base}/{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)


def _serve(folder: Path, paired: bool = False) -> Iterator[Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv, env = lab_command(folder, app="jupyter_server", paired=paired)
    argv += [
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--no-browser",
        f"--IdentityProvider.token={TOKEN}",
    ]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(f"http://127.0.0.1:{port}")
    try:
        for _ in range(120):  # wait for the server to answer
            try:
                server.get("api/status")
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"jupyter server exited: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("jupyter server did not start")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def student(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workspace = tmp_path_factory.mktemp("lab") / "student"
    write_student_edition(BOOK, workspace)
    yield from _serve(workspace)


@pytest.fixture(scope="module")
def book_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of book/: the tests save notebooks through the server."""
    copy = tmp_path_factory.mktemp("lab") / "book"
    shutil.copytree(BOOK, copy)
    return copy


@pytest.fixture(scope="module")
def instructor(book_copy: Path) -> Iterator[Server]:
    yield from _serve(book_copy, paired=True)


def _solutions(notebook: Path) -> list[str]:
    cells = nbformat.read(notebook, as_version=4).cells
    return [c.source for c in cells if "solution" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_student_workspace_shows_no_solution(student: Server, notebook: Path):
    model = student.get(f"api/contents/{notebook.name}?content=1")
    cells = model["content"]["cells"]
    sources = ["".join(c["source"]) for c in cells]
    assert not [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    assert not [s for s in sources if s.lstrip().startswith(":::{solution-")]
    for solution in _solutions(notebook):
        assert solution not in sources
    assert any("exercise" in c["metadata"].get("tags", []) for c in cells)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_instructor_book_keeps_every_solution_collapsed(instructor: Server, notebook: Path):
    cells = instructor.get(f"api/contents/{notebook.name}?content=1")["content"]["cells"]
    solutions = [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    assert solutions
    for cell in solutions:  # one click on the collapsed bar reveals it
        assert cell["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


def test_a_chapter_md_opens_as_its_paired_notebook(instructor: Server):
    model = instructor.get("api/contents/01-tensors.md?type=notebook&content=1")
    stored = nbformat.read(BOOK / "01-tensors.ipynb", as_version=4)
    assert model["type"] == "notebook"
    outputs = [len(c.get("outputs", [])) for c in model["content"]["cells"]]
    assert outputs == [len(c.get("outputs", [])) for c in stored.cells]  # outputs from .ipynb
    viewers = instructor.get("lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    default = viewers["schema"]["properties"]["defaultViewers"]["default"]
    assert default["markdown"] == "Jupytext Notebook"


def test_lab_kernels_start_with_the_out_of_order_hint(monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONSTARTUP", str(STARTUP))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("set_seed(0)")])
    NotebookClient(notebook, kernel_name="python3", allow_errors=True).execute()
    (error,) = notebook.cells[0].outputs
    assert error.traceback == [
        "NameError: name 'set_seed' is not defined -- run the cells above this one first "
        "(Run ▸ Run All Above Selected Cell), or check the spelling."
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_saving_a_chapter_in_jupyterlab_changes_neither_file(
    instructor: Server, book_copy: Path, notebook: Path
):
    """Open and save both halves of the pair as JupyterLab does (contents API, jupytext): no
    version stamp or view state may land in an author's diff."""
    for name in (notebook.name, notebook.with_suffix(".md").name):
        model = instructor.get(f"api/contents/{name}?type=notebook&content=1")
        body = {"type": "notebook", "format": "json", "content": model["content"]}
        instructor.get(f"api/contents/{name}", method="PUT", body=body)
        for original in (notebook, notebook.with_suffix(".md")):
            saved = book_copy / original.name
            assert saved.read_bytes() == original.read_bytes(), (
                f"saving {name} changed {saved.name}"
            )


def test_the_instructor_sees_each_chapter_once(instructor: Server):
    """Only the .md of a pair is listed: opening it gives the notebook with its outputs, in one
    kernel, instead of two documents (and two kernels) for one chapter."""
    names = {item["name"] for item in instructor.get("api/contents/")["content"]}
    chapters = {p.stem for p in NOTEBOOKS}
    assert {f"{stem}.md" for stem in chapters} <= names
    assert not {name for name in names if name.endswith(".ipynb")}
