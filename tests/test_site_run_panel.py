"""The "Run this chapter" panel: its settings from ``myst.yml``, its markup with and without a
repository, the student notebook each chapter offers, and that notebook run for real.

Unit tests use small hand-made site folders; the ``site`` tests check the real build; the
``notebooks`` test executes a downloaded student notebook in a fresh kernel.
"""

from __future__ import annotations

import html
import json
import re
import sys
import sysconfig
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from pytorch_lessons.editions import SETUP_CELL_ID, is_setup_cell
from pytorch_lessons_site.build import build_site
from pytorch_lessons_site.run import (
    Chapter,
    RunSettings,
    binder_link,
    colab_link,
    jupyterhub_link,
    run_panel,
    run_settings,
    student_download,
)
from pytorch_lessons_site.source import DirectorySource

from .conftest import BOOK, ROOT

REPO = "https://github.com/example-org/pytorch-lessons"
CHAPTER = Chapter(file_name="01-tensors.ipynb", path="book/01-tensors.ipynb")
EVERYTHING = RunSettings(
    repository_url=REPO,
    binder_url="https://mybinder.org",
    jupyterhub_url="https://hub.example.edu",
    colab=True,
)
NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {},
    "cells": [
        {"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# 01 · Tensors"},
        {
            "cell_type": "code",
            "id": "i",
            "metadata": {},
            "source": "import torch",
            "outputs": [],
            "execution_count": 1,
        },
        {
            "cell_type": "markdown",
            "id": "d",
            "metadata": {},
            "source": ":::{solution-start} ex\n:::",
        },
        {
            "cell_type": "code",
            "id": "s",
            "metadata": {"tags": ["solution"]},
            "source": "answer = 42",
            "outputs": [],
            "execution_count": 2,
        },
        {"cell_type": "markdown", "id": "e", "metadata": {}, "source": ":::{solution-end}\n:::"},
    ],
}


class Tags(HTMLParser):
    """Start/end tags of a fragment, to check it is well nested; and its links."""

    VOID = {"br", "img", "input", "meta", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.links: dict[str, str] = {}
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"</{tag}>")
        if tag == "a" and self._href is not None:
            self.links[" ".join(self._text)] = self._href
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None and data.strip():
            self._text.append(data.strip())


def parse(fragment: str) -> Tags:
    tags = Tags()
    tags.feed(fragment)
    tags.close()
    assert not tags.problems and not tags.stack, (tags.problems, tags.stack)
    return tags


def text_of(fragment: str) -> str:
    """The fragment's text: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# ---------------------------------------------------------------- settings


def test_settings_come_from_site_options_and_default_to_none() -> None:
    assert run_settings({}) == RunSettings()
    options = {
        "repository_url": REPO + "/",
        "repository_branch": "spring",
        "binder_url": "https://mybinder.org/",
        "jupyterhub_url": "https://hub.example.edu",
        "colab": True,
    }
    settings = run_settings({"options": options})
    assert settings == RunSettings(
        REPO, "spring", "https://mybinder.org", options["jupyterhub_url"], True
    )
    assert settings.repository_name == "pytorch-lessons"
    assert settings.pip_source == REPO + "@spring"
    assert run_settings({"options": {"colab": "yes"}}).colab is False  # only a real boolean


def test_project_github_is_the_repository_unless_repository_url_is_set() -> None:
    for github in (REPO, "example-org/pytorch-lessons"):
        config = {"projects": [{"github": github}]}
        assert run_settings(config).repository_url == REPO
    config = {
        "options": {"repository_url": "https://git.example.edu/c.git"},
        "projects": [{"github": REPO}],
    }
    settings = run_settings(config)
    assert settings.repository_url == "https://git.example.edu/c.git"
    assert settings.repository_name == "c"


@pytest.mark.parametrize("option", ["repository_url", "binder_url", "jupyterhub_url"])
def test_a_malformed_url_option_stops_the_build_naming_the_option(option: str) -> None:
    with pytest.raises(ValueError, match=f"site option {option} must be an http"):
        run_settings({"options": {option: "git@github.com:example-org/pytorch-lessons.git"}})


# ---------------------------------------------------------------- launch links


def test_binder_opens_the_chapter_in_the_student_workspace() -> None:
    link = binder_link(EVERYTHING, CHAPTER)
    assert link == (
        "https://mybinder.org/v2/gh/example-org/pytorch-lessons/HEAD"
        "?urlpath=lab%2Ftree%2Fstudent%2F01-tensors.ipynb"
    )
    other = RunSettings("https://git.example.edu/course.git", "v2", "https://binder.example.edu")
    assert binder_link(other, CHAPTER) == (
        "https://binder.example.edu/v2/git/https%3A%2F%2Fgit.example.edu%2Fcourse.git/v2"
        "?urlpath=lab%2Ftree%2Fstudent%2F01-tensors.ipynb"
    )


def test_jupyterhub_pulls_the_repository_with_nbgitpuller_and_opens_the_chapter() -> None:
    link = jupyterhub_link(EVERYTHING, CHAPTER)
    assert link is not None
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://hub.example.edu/hub/user-redirect/git-pull"
    )
    assert parse_qs(parts.query) == {
        "repo": [REPO],
        "urlpath": ["lab/tree/pytorch-lessons/book/01-tensors.ipynb"],
    }
    branched = RunSettings(REPO, "spring", jupyterhub_url="https://hub.example.edu")
    assert parse_qs(urlsplit(jupyterhub_link(branched, CHAPTER) or "").query)["branch"] == [
        "spring"
    ]


def test_no_repository_no_launch_links() -> None:
    hosts = RunSettings(
        binder_url="https://mybinder.org", jupyterhub_url="https://h.edu", colab=True
    )
    assert binder_link(hosts, CHAPTER) is None
    assert jupyterhub_link(hosts, CHAPTER) is None
    assert colab_link(hosts) is None
    assert colab_link(EVERYTHING) == "https://colab.research.google.com/"
    only_repo = RunSettings(REPO)
    assert binder_link(only_repo, CHAPTER) is None and jupyterhub_link(only_repo, CHAPTER) is None
    assert colab_link(only_repo) is None


# ---------------------------------------------------------------- the panel


def test_panel_with_a_repository_links_it_and_shows_clone_commands_and_launchers() -> None:
    panel = run_panel(EVERYTHING, CHAPTER, "files/01-tensors.ipynb")
    tags = parse(panel)
    assert panel.startswith('<section class="run-panel" aria-labelledby="run-panel-title">')
    assert '<h2 id="run-panel-title" class="run-panel-title">Run this chapter</h2>' in panel
    assert 'href="files/01-tensors.ipynb" download="01-tensors.ipynb"' in panel
    assert tags.links["the repository"] == REPO
    assert tags.links["Binder"] == binder_link(EVERYTHING, CHAPTER)
    assert tags.links["JupyterHub"].startswith("https://hub.example.edu/hub/user-redirect/")
    assert tags.links["Colab"] == "https://colab.research.google.com/"
    code = re.search(r'<div class="code-block run-commands".*?<code>(.*?)</code>', panel, re.S)
    assert code and text_of(code.group(1)).splitlines() == [
        f"git clone {REPO}",
        "cd pytorch-lessons && make lab",
    ]
    assert 'class="copy-button"' in panel  # site.js copies the commands
    assert f"%pip install &quot;pytorch-lessons @ git+{REPO}&quot;" in panel
    assert '<code class="file">01-tensors.ipynb</code>' in panel


def test_panel_with_a_branch_clones_that_branch() -> None:
    panel = run_panel(RunSettings(REPO, "spring"), CHAPTER, None)
    assert f"git clone --branch spring {REPO}" in text_of(panel)
    assert f"git+{REPO}@spring" in panel
    assert "download=" not in panel  # no notebook to offer, no download link


def test_panel_without_a_repository_offers_the_download_and_make_lab_only() -> None:
    settings = RunSettings(binder_url="https://mybinder.org", colab=True)
    panel = run_panel(settings, CHAPTER, "files/01-tensors.ipynb")
    tags = parse(panel)
    assert list(tags.links) == ["Student notebook 01-tensors.ipynb"]
    assert not re.search(r"""href=["']?(https?:)?//""", panel)  # nothing repository-dependent
    assert "git clone" not in panel and "pip install" not in panel and "Open in" not in panel
    code = re.search(r"<code>(.*?)</code></pre>", panel, re.S)
    assert code and text_of(code.group(1)) == "make lab"
    assert "in the course folder" in panel


def test_panel_escapes_what_it_is_given() -> None:
    chapter = Chapter(file_name='a"<b>.ipynb', path="book/a.ipynb")
    panel = run_panel(RunSettings(), chapter, 'files/a".ipynb')
    parse(panel)
    assert "<b>" not in panel and 'download="a&quot;&lt;b&gt;.ipynb"' in panel


# ---------------------------------------------------------------- the student notebook


def test_student_download_is_the_student_edition_with_the_repository_in_its_setup_cell() -> None:
    data = json.dumps(NOTEBOOK).encode()
    student = nbformat.reads(student_download(data, RunSettings(REPO, "spring")).decode(), 4)
    nbformat.validate(student)
    sources = [cell.source for cell in student.cells]
    assert sources[0] == "# 01 · Tensors" + "\n" and sources[2] == "import torch"
    assert is_setup_cell(student.cells[1]) and student.cells[1].id == SETUP_CELL_ID
    assert f'git+{REPO}@spring"' in sources[1]
    assert not [s for s in sources if "answer = 42" in s or "solution-" in s]
    local = nbformat.reads(student_download(data, RunSettings()).decode(), 4)
    assert '"make lab"' in local.cells[1].source and "pip install" not in local.cells[1].source


def write_site(root: Path, options: dict[str, object]) -> None:
    """A site folder with an index page and one chapter notebook page."""
    (root / "content").mkdir(parents=True)
    (root / "public").mkdir()
    project = {"index": "index", "pages": [{"slug": "tensors", "level": 1}]}
    (root / "config.json").write_text(json.dumps({"options": options, "projects": [project]}))
    empty = {"type": "root", "children": []}
    index = {"frontmatter": {"title": "Welcome"}, "mdast": empty}
    export = {"format": "ipynb", "filename": "01-tensors.ipynb", "url": "/01-tensors-ab.ipynb"}
    chapter = {
        "frontmatter": {"title": "01 · Tensors", "exports": [export]},
        "location": "/book/01-tensors.ipynb",
        "mdast": empty,
    }
    (root / "content" / "index.json").write_text(json.dumps(index))
    (root / "content" / "tensors.json").write_text(json.dumps(chapter))
    (root / "public" / "01-tensors-ab.ipynb").write_text(json.dumps(NOTEBOOK))


@pytest.mark.parametrize("configured", [True, False], ids=["repository", "no-repository"])
def test_site_build_writes_the_panel_and_the_student_notebook(tmp_path: Path, configured: bool):
    options: dict[str, object] = {"binder_url": "https://mybinder.org", "colab": True}
    if configured:
        options["repository_url"] = REPO
    write_site(tmp_path / "site", options)
    out = tmp_path / "html"
    result = build_site(DirectorySource(tmp_path / "site"), out)
    assert result.warnings == []
    page = (out / "tensors.html").read_text(encoding="utf-8")
    assert re.search(r'<h1>01 · Tensors</h1></header>\s*<section class="run-panel"', page)
    assert 'href="files/01-tensors.ipynb" download="01-tensors.ipynb"' in page
    assert "run-panel" not in (out / "index.html").read_text(encoding="utf-8")  # no notebook
    student = nbformat.read(out / "files" / "01-tensors.ipynb", as_version=4)
    setup = next(cell for cell in student.cells if cell.cell_type == "code")
    assert is_setup_cell(setup) and "answer = 42" not in json.dumps(student)
    assert not (out / "files" / "01-tensors-ab.ipynb").exists()  # the instructor's stays out
    assert ("mybinder.org/v2/gh/example-org/pytorch-lessons" in page) is configured
    assert ("colab.research.google.com" in page) is configured
    assert (f"git clone {REPO}" in text_of(page)) is configured
    assert (f"git+{REPO}" in setup.source) is configured


def test_site_build_warns_about_a_chapter_notebook_it_cannot_read(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {})
    (tmp_path / "site" / "public" / "01-tensors-ab.ipynb").write_text("not json")
    result = build_site(DirectorySource(tmp_path / "site"), tmp_path / "html")
    assert [w for w in result.warnings if "01-tensors.ipynb is no notebook" in w]
    page = (tmp_path / "html" / "tensors.html").read_text(encoding="utf-8")
    assert "run-panel" in page and "download=" not in page  # still the local command
    (tmp_path / "site" / "public" / "01-tensors-ab.ipynb").unlink()
    result = build_site(DirectorySource(tmp_path / "site"), tmp_path / "html")
    assert result.warnings == [
        "warning: [tensors] no notebook /01-tensors-ab.ipynb: no student download"
    ]


# ---------------------------------------------------------------- the real build


def _built_chapters() -> list[tuple[str, Path, str]]:
    """(page name, student notebook, page HTML) of every chapter page of the real build."""
    from .test_site_build import build_book_site, toc_pages

    site = build_book_site()[0]
    chapters = []
    for name, doc in toc_pages():
        exports = (doc.get("frontmatter") or {}).get("exports") or []
        for export in exports:
            if export.get("format") == "ipynb":
                notebook = site / "files" / export["filename"]
                chapters.append((name, notebook, (site / name).read_text(encoding="utf-8")))
    return chapters


@pytest.mark.site
def test_the_real_build_offers_a_student_notebook_on_every_chapter() -> None:
    chapters = _built_chapters()
    assert len(chapters) == len(sorted(BOOK.glob("[0-9]*.ipynb")))
    for name, notebook, page in chapters:
        assert page.count('<section class="run-panel"') == 1, name
        assert f'href="files/{notebook.name}" download="{notebook.name}"' in page, name
        student = nbformat.read(notebook, as_version=4)
        nbformat.validate(student)
        code = [cell for cell in student.cells if cell.cell_type == "code"]
        assert is_setup_cell(code[0]), f"{notebook.name}: the setup cell is not its first code cell"
        assert not [c for c in student.cells if "solution" in c.metadata.get("tags", [])]
        assert "solution-start" not in notebook.read_text(encoding="utf-8"), notebook.name
        assert "In class" not in "".join(cell.source for cell in student.cells), notebook.name


def _isolated_kernel(folder: Path) -> str:
    """A kernel spec whose Python starts without ``site`` (``-S``): the installed packages are
    on ``PYTHONPATH``, but the editable install of pytorch_lessons (a ``.pth`` file) is not."""
    spec = folder / "kernels" / "no-lessons"
    spec.mkdir(parents=True)
    paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    kernel = {
        "argv": [sys.executable, "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "without pytorch_lessons",
        "language": "python",
        "env": {"PYTHONPATH": ":".join(paths)},
    }
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return str(folder / "kernels")


def _run_setup_cell(notebook: Path, cwd: Path, kernel_dirs: list[str] | None = None):
    """The student notebook's setup cell, executed alone in a fresh kernel in ``cwd``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    setup = next(c for c in nbformat.read(notebook, 4).cells if c.cell_type == "code")
    alone = nbformat.v4.new_notebook(cells=[setup])
    if kernel_dirs:
        specs = KernelSpecManager(kernel_dirs=kernel_dirs)
        manager = KernelManager(kernel_name="no-lessons", kernel_spec_manager=specs)
    else:
        manager = KernelManager(kernel_name="python3")
    client = NotebookClient(alone, km=manager, allow_errors=True, timeout=120)
    client.execute(cwd=str(cwd))
    return alone.cells[0]


@pytest.mark.site
def test_a_student_notebook_without_the_package_stops_with_one_line(tmp_path: Path) -> None:
    notebook = _built_chapters()[0][1]
    cell = _run_setup_cell(notebook, tmp_path, [_isolated_kernel(tmp_path / "spec")])
    (error,) = cell.outputs
    assert error.output_type == "error" and error.ename == "SetupNeeded"
    (line,) = error.traceback  # one line, no traceback
    assert line == error.evalue
    assert line.startswith("pytorch_lessons is not installed: ")
    # the real myst.yml sets no repository: the line sends the reader to the course folder
    config = json.loads((ROOT / "_build" / "site" / "config.json").read_text(encoding="utf-8"))
    settings = run_settings(config)
    if settings.repository_url:
        assert f'%pip install "pytorch-lessons @ git+{settings.pip_source}"' in line
    else:
        assert '"make lab" in the course folder' in line


@pytest.mark.site
def test_a_student_notebook_with_the_package_imports_it_silently(tmp_path: Path) -> None:
    cell = _run_setup_cell(_built_chapters()[0][1], tmp_path)
    assert cell.outputs == []


@pytest.mark.notebooks
def test_a_downloaded_student_notebook_runs_top_to_bottom_outside_the_repository(
    tmp_path: Path,
) -> None:
    """Chapter 01 as the site offers it, in a folder outside the repository, in a fresh kernel
    of an environment where the package is installed."""
    from nbclient import NotebookClient

    source = BOOK / "01-tensors.ipynb"
    download = tmp_path / source.name
    download.write_bytes(student_download(source.read_bytes(), RunSettings(REPO)))
    notebook = nbformat.read(download, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute(cwd=str(tmp_path))
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
    verdicts = [c for c in notebook.cells if "exercise" in c.metadata.get("tags", [])]
    assert verdicts and all("not solved yet" in str(c.outputs) for c in verdicts)
