"""Build the real book site once (``myst build --html``) and check the static output.

:func:`build_book_site` is shared with ``test_site_browser.py`` and runs at most once per
test session.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE_JSON = ROOT / "_build" / "site"
SITE_HTML = ROOT / "_build" / "html"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*["']?\s*((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+["']((?:https?:)?//[^"']+)""", re.IGNORECASE)
ATTR_URL = re.compile(r"""\b(src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.IGNORECASE)


def path_without_node(path: str) -> str:
    """``path`` without the folders that hold a ``node`` executable."""
    kept = [d for d in path.split(os.pathsep) if d and not shutil.which("node", path=d)]
    return os.pathsep.join(kept)


@functools.cache
def build_book_site() -> tuple[Path, str]:
    """Run ``myst build --html`` in the repo root: (output folder, log). How long it takes is
    a figure for ``benchmarks/site_build.py``, not something a test asserts."""
    if not (Path(sys.executable).parent / "myst").exists():
        pytest.fail(f"mystmd is not installed next to {sys.executable} (pip install -e '.[site]')")
    # Built as `make site` builds it, with no system Node.js on PATH: the site extra brings one.
    env = {**os.environ, "PATH": path_without_node(os.environ.get("PATH", ""))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytorch_lessons_site.myst", "build", "--html"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"myst build --html failed ({proc.returncode}):\n{log[-4000:]}")
    return SITE_HTML, log


@pytest.fixture(scope="session")
def book_site() -> Path:
    """The built site folder (``_build/html``)."""
    return build_book_site()[0]


def toc_pages() -> list[tuple[str, dict]]:
    """(html file name, MyST page JSON) for every toc page, in book order."""
    config = json.loads((SITE_JSON / "config.json").read_text())
    project = config["projects"][0]
    index = project.get("index", "index")
    slugs = [index] + [p["slug"] for p in project.get("pages", []) if p.get("slug")]
    pages = []
    for slug in slugs:
        doc = json.loads((SITE_JSON / "content" / f"{slug}.json").read_text())
        pages.append(("index.html" if slug == index else f"{slug}.html", doc))
    return pages


class LinkCollector(HTMLParser):
    """Every (tag, attribute, value) that loads or links something, and every element id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif name in ("src", "href", "srcset", "poster", "data", "action"):
                self.refs.append((tag, name, value))
            elif name == "style":
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def parse(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def built_files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(
        p for p in site.rglob("*") if p.suffix in suffixes and "_screenshots" not in p.parts
    )


def stdout_lines(notebook: Path) -> list[str]:
    """The first line of each stdout stream of a notebook's shown cells."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    hidden = {"remove-output", "remove-cell", "remove-stdout"}
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or hidden & set(cell["metadata"].get("tags", [])):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                text = ANSI.sub("", text)
                first = next((ln.split("\r")[-1] for ln in text.splitlines() if ln.strip()), "")
                if first.strip():
                    lines.append(first)
    return lines


# ---------------------------------------------------------------- tests


def test_build_runs_our_renderer(book_site: Path) -> None:
    _, log = build_book_site()
    assert "pytorch-lessons site:" in log, log[-2000:]


def test_the_real_build_renders_every_node_it_is_given(book_site: Path) -> None:
    """A mystmd upgrade that brings a node type the renderer does not know (or any other
    renderer warning) fails here, instead of silently dropping content from the book."""
    _, log = build_book_site()
    warnings = [line for line in log.splitlines() if line.startswith("warning: [")]
    assert warnings == [], "\n".join(warnings)
    assert "(0 warnings)" in log, log[-2000:]


def test_every_toc_page_is_built_in_order(book_site: Path) -> None:
    pages = toc_pages()
    assert pages[0][0] == "index.html"
    for name, doc in pages:
        path = book_site / name
        assert path.is_file(), f"missing page {name}"
        text = path.read_text(encoding="utf-8")
        title = doc["frontmatter"].get("title", "")
        assert f"<h1>{html.escape(title)}</h1>" in text
    nav_order = re.findall(r'<li class="nav-page[^"]*"><a href="([^"]+)"', text)
    assert nav_order == [name for name, _ in pages]


def test_notebook_pages_show_their_stored_outputs(book_site: Path) -> None:
    checked = 0
    for name, doc in toc_pages():
        location = doc.get("location", "")
        if not location.endswith(".ipynb"):
            continue
        page = (book_site / name).read_text(encoding="utf-8")
        lines = stdout_lines(ROOT / location.lstrip("/"))
        for line in lines:
            assert html.escape(line, quote=False) in page, f"{name}: stdout {line!r} not shown"
            checked += 1
        assert 'class="download-notebook"' in page, f"{name}: no notebook download link"
    assert checked > 0, "no notebook stdout found to check"


def test_no_external_hosts_in_any_built_file(book_site: Path) -> None:
    problems = []
    for path in built_files(book_site, ".html"):
        page = parse(path)
        for tag, attr, value in page.refs:
            if EXTERNAL.match(value) and not (tag == "a" and attr == "href"):
                problems.append(f"{path.name}: <{tag} {attr}={value}>")
        for style in page.styles:
            problems += [f"{path.name}: style url({u})" for u in CSS_URL.findall(style)]
    for path in built_files(book_site, ".css"):
        text = path.read_text(encoding="utf-8")
        problems += [f"{path.name}: url({u})" for u in CSS_URL.findall(text)]
        problems += [f"{path.name}: @import {u}" for u in CSS_IMPORT.findall(text)]
    for path in built_files(book_site, ".js"):
        text = path.read_text(encoding="utf-8")
        problems += [f"{path.name}: {a}={u}" for a, u in ATTR_URL.findall(text)]
        problems += [f"{path.name}: url({u})" for u in CSS_URL.findall(text)]
    assert not problems, "external references:\n" + "\n".join(problems)


def test_local_links_images_and_anchors_resolve(book_site: Path) -> None:
    ids = {p.name: parse(p).ids for p in built_files(book_site, ".html")}
    missing = []
    images = 0
    for path in built_files(book_site, ".html"):
        for tag, attr, value in parse(path).refs:
            if attr == "srcset" or EXTERNAL.match(value) or value.startswith(("data:", "mailto:")):
                continue
            parts = urlsplit(value)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file():
                missing.append(f"{path.name}: <{tag} {attr}={value}> -> no file")
                continue
            images += tag == "img"
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in ids[target.name]:
                missing.append(f"{path.name}: {value} -> no id {fragment!r}")
    for path in built_files(book_site, ".css"):
        for ref in re.findall(r"""url\(\s*["']?([^"')\s]+)""", path.read_text(encoding="utf-8")):
            if not EXTERNAL.match(ref) and not ref.startswith(("data:", "#")):
                if not (path.parent / unquote(urlsplit(ref).path)).is_file():
                    missing.append(f"{path.name}: url({ref}) -> no file")
    assert not missing, "\n".join(missing)
    assert images > 0


def test_assets_search_index_and_notebooks(book_site: Path) -> None:
    for asset in ("assets/style.css", "assets/site.js", "assets/pygments.css"):
        assert (book_site / asset).is_file()
    search = json.loads((book_site / "myst.search.json").read_text(encoding="utf-8"))
    pages = {name for name, _ in toc_pages()}
    assert search["records"]
    for record in search["records"]:
        assert record["url"].split("#")[0] in pages, record["url"]
    for notebook in (book_site / "files").glob("*.ipynb"):
        assert json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def test_page_weight_is_reported(book_site: Path) -> None:
    core = sum(p.stat().st_size for p in (book_site / "assets").iterdir() if p.is_file())
    katex = sum(p.stat().st_size for p in (book_site / "assets" / "katex").rglob("*.*"))
    lines = [
        f"shared CSS/JS: {core / 1024:.0f} KiB; KaTeX CSS + fonts (math pages): "
        f"{katex / 1024:.0f} KiB"
    ]
    for name, _ in toc_pages():
        path = book_site / name
        page = parse(path)
        local = {
            (path.parent / urlsplit(v).path).resolve()
            for tag, attr, v in page.refs
            if tag == "img" and not EXTERNAL.match(v) and not v.startswith("data:")
        }
        weight = path.stat().st_size + sum(p.stat().st_size for p in local if p.is_file())
        lines.append(f"{name}: {weight / 1024:.0f} KiB (html + images)")
        assert weight < 20 * 1024 * 1024
    print("\n" + "\n".join(lines))


def test_every_page_stays_light(book_site: Path) -> None:
    """Each page's HTML stays under 350 KB: widgets carry numbers, not pictures, and a large
    value (a model's weights) is a separate file loaded by the widget that needs it."""
    for name, _ in toc_pages():
        size = (book_site / name).stat().st_size
        assert size < 350_000, f"{name} is {size // 1000} KB of HTML"


def test_no_test_marker_on_any_page(book_site: Path) -> None:
    """Readers never see nbval's markers: they live in cell tags, which pages do not show."""
    for page in sorted(book_site.glob("*.html")):
        assert "NBVAL_" not in page.read_text(encoding="utf-8"), page.name
