"""Build the whole static site: every toc page, the assets they use, and the search index."""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .highlighting import pygments_css
from .links import FILES_DIR, AssetRegistry, LinkResolver, page_filename
from .page import ASSETS_DIR, NavEntry, PageView, render_shell
from .pageinfo import (
    edit_url,
    last_updated,
    page_description,
    project_root,
    readable_records,
    repository_path,
    section_texts,
    source_files,
)
from .render import RenderContext, Renderer
from .run import Chapter, RunSettings, run_panel, run_settings, student_download
from .source import SiteSource
from .widgets import sources_html, stored_models

STATIC_DIR = Path(__file__).parent / "static"
_ID = re.compile(r'\bid="([^"]+)"')
_LOCAL_ANCHOR = re.compile(r'\bhref="#([^"]+)"')
SEARCH_JSON = "myst.search.json"
SEARCH_SCRIPT = "search-index.js"
# What a build writes; only these are removed from the output folder before building.
OWNED_DIRS = (ASSETS_DIR, FILES_DIR)
OWNED_FILES = (SEARCH_JSON, SEARCH_SCRIPT)
KATEX_CSS = "katex/katex.min.css"
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


@dataclass
class BookPage:
    """A toc page: its slug, title, nav level, and MyST page JSON."""

    slug: str
    title: str
    level: int
    doc: dict[str, Any]


@dataclass
class BuildResult:
    """What :func:`build_site` wrote."""

    out_dir: Path
    pages: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class PublicFiles:
    """Cached reads of the site's public files (images, notebooks, large outputs)."""

    def __init__(self, source: SiteSource) -> None:
        self._source = source
        self._cache: dict[str, bytes | None] = {}

    def get(self, name: str) -> bytes | None:
        """Bytes of public file ``name`` (leading ``/`` allowed), or ``None``."""
        key = name.lstrip("/")
        if key not in self._cache:
            self._cache[key] = self._source.read_public(key)
        return self._cache[key]

    def exists(self, name: str) -> bool:
        """Whether public file ``name`` exists."""
        return self.get(name) is not None


def load_book(source: SiteSource) -> tuple[str, list[NavEntry], list[BookPage], str]:
    """Read ``config.json`` and each page: (site title, navigation, pages, index slug)."""
    config = source.read_json("config.json")
    project = (config.get("projects") or [{}])[0]
    options = config.get("options") or {}
    site_title = options.get("logo_text") or config.get("title") or project.get("title") or "Book"
    index_slug = project.get("index") or "index"
    entries = [{"slug": index_slug, "level": 1}, *(project.get("pages") or [])]
    nav: list[NavEntry] = []
    pages: list[BookPage] = []
    for entry in entries:
        slug = entry.get("slug")
        level = int(entry.get("level") or 1)
        if not slug:
            nav.append(NavEntry(title=str(entry.get("title") or ""), level=level))
            continue
        doc = source.read_json(f"content/{slug}.json")
        frontmatter = doc.get("frontmatter") or {}
        title = str(frontmatter.get("title") or entry.get("title") or slug)
        short = str(frontmatter.get("short_title") or entry.get("short_title") or title)
        pages.append(BookPage(slug, title, level, doc))
        nav.append(NavEntry(short, level, slug, page_filename(slug, index_slug)))
    return site_title, nav, pages, index_slug


def clean_output(out_dir: Path) -> None:
    """Remove what an earlier build wrote (pages, assets, files, search index), nothing else."""
    if not out_dir.is_dir():
        return
    for path in out_dir.iterdir():
        if path.is_dir() and path.name in OWNED_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and (path.suffix == ".html" or path.name in OWNED_FILES):
            path.unlink()


def _notebook_export(doc: dict[str, Any]) -> tuple[str, str] | None:
    """(public URL, file name) of the page's source notebook, for a notebook page."""
    for export in (doc.get("frontmatter") or {}).get("exports") or []:
        if export.get("format") == "ipynb" and export.get("url"):
            return str(export["url"]), Path(str(export.get("filename") or export["url"])).name
    return None


def _run_panel(
    page: BookPage, public: PublicFiles, assets: AssetRegistry, settings: RunSettings
) -> tuple[str, list[str]]:
    """A chapter's "Run this chapter" panel (empty for a page that is no notebook), with the
    student edition of its notebook written as ``files/<name>.ipynb``; and any warnings."""
    export = _notebook_export(page.doc)
    if export is None:
        return "", []
    url, name = export
    data = public.get(url)
    href, warnings = None, []
    if data is None:
        warnings.append(f"warning: [{page.slug}] no notebook {url}: no student download")
    else:
        try:
            assets.generated[name] = student_download(data, settings)
            href = f"{FILES_DIR}/{name}"
        except Exception as error:  # nbformat raises many kinds for a broken file
            warnings.append(f"warning: [{page.slug}] {name} is no notebook ({error})")
    location = str(page.doc.get("location") or f"/{name}").lstrip("/")
    return run_panel(settings, Chapter(file_name=name, path=location), href), warnings


def render_book_page(
    page: BookPage,
    links: LinkResolver,
    public: PublicFiles,
    result: BuildResult,
    settings: RunSettings | None = None,
    docs: dict[str, Any] | None = None,
) -> PageView:
    """Render one page's body and collect what the shell needs (``docs``: every page's JSON
    by slug, for previews of cross-references to other pages)."""
    ctx = RenderContext(
        links=links,
        read_public=public.get,
        page=page.slug,
        widget_models=stored_models(page.doc.get("widgets")),
        page_docs=docs if docs is not None else {page.slug: page.doc},
    )
    renderer = Renderer(ctx)
    body = renderer.render_page(page.doc.get("mdast") or {"type": "root", "children": []})
    body += sources_html(ctx)
    result.warnings.extend(ctx.warnings)
    panel, panel_warnings = _run_panel(page, public, links.assets, settings or RunSettings())
    for message in panel_warnings:
        _warn(result, message)
    frontmatter = page.doc.get("frontmatter") or {}
    return PageView(
        slug=page.slug,
        title=page.title,
        body_html=body,
        headings=renderer.headings,
        footnotes_html=renderer.footnotes_html(),
        has_math=renderer.has_math,
        header_html=panel,
        description=str(frontmatter.get("description") or ""),
        authors=[str(a.get("name")) for a in frontmatter.get("authors") or [] if a.get("name")],
        license=_license(frontmatter),
    )


def _license(frontmatter: dict[str, Any]) -> tuple[str, str] | None:
    """(name, url) of the page's content licence, from MyST's expanded frontmatter."""
    licence = frontmatter.get("license") or {}
    content = licence.get("content") if isinstance(licence, dict) else None
    if isinstance(content, dict) and content.get("name"):
        return str(content.get("id") or content["name"]), str(content.get("url") or "")
    return None


def swap_fonts(css: str) -> str:
    """``css`` with ``font-display: swap`` in each ``@font-face`` that sets none: the text of
    an equation shows at once while its KaTeX font loads, instead of staying invisible."""
    return _FONT_FACE.sub(
        lambda m: (
            m.group(0)
            if "font-display" in m.group(0)
            else m.group(0).replace("{", "{font-display:swap;", 1)
        ),
        css,
    )


def write_assets(out_dir: Path, assets: AssetRegistry, public: PublicFiles) -> None:
    """Copy the static CSS/JS, write the Pygments CSS, copy and write the pages' files."""
    static_out = out_dir / ASSETS_DIR
    shutil.copytree(STATIC_DIR, static_out, dirs_exist_ok=True)
    katex_css = static_out / KATEX_CSS
    if katex_css.is_file():
        katex_css.write_text(swap_fonts(katex_css.read_text(encoding="utf-8")), encoding="utf-8")
    (static_out / "pygments.css").write_text(pygments_css(), encoding="utf-8")
    files_out = out_dir / FILES_DIR
    files_out.mkdir(parents=True, exist_ok=True)
    for out_name, public_name in sorted(assets.copies.items()):
        data = public.get(public_name)
        if data is not None:
            (files_out / out_name).write_bytes(data)
    for out_name, data in sorted(assets.generated.items()):
        (files_out / out_name).write_bytes(data)


def write_search_index(
    out_dir: Path,
    source: SiteSource,
    links: LinkResolver,
    sections: dict[str, dict[str | None, str]] | None = None,
) -> None:
    """MyST's search records with page links rewritten, as JSON and as a script.

    The script form (``window.PL_SEARCH_INDEX = ...``) lets search work from ``file://``
    pages too, where browsers refuse ``fetch`` of local JSON. Each section's text is ours
    (``sections``, see :func:`.pageinfo.section_texts`): MyST's has the TeX of every equation.
    """
    raw = source.read_bytes(SEARCH_JSON)
    records = json.loads(raw)["records"] if raw else []
    readable_records(records, sections or {}, links.index_slug)
    for record in records:
        record["url"] = links.url(str(record.get("url") or "/"))
    data = json.dumps({"version": "1", "records": records}, ensure_ascii=False)
    (out_dir / SEARCH_JSON).write_text(data, encoding="utf-8")
    (out_dir / SEARCH_SCRIPT).write_text(f"window.PL_SEARCH_INDEX = {data};\n", encoding="utf-8")


def dangling_anchors(page_html: str) -> list[str]:
    """``#fragment`` links of a page that match no ``id`` on it (e.g. an unresolved label)."""
    ids = set(_ID.findall(page_html))
    return sorted({a for a in _LOCAL_ANCHOR.findall(page_html) if a not in ids})


def _warn(result: BuildResult, message: str) -> None:
    print(message, file=sys.stderr)
    result.warnings.append(message)


def _page_facts(
    view: PageView,
    page: BookPage,
    root: Path | None,
    settings: RunSettings,
    project_description: str,
) -> PageView:
    """``view`` with its description, "Last updated" date and "Edit this page" link."""
    description = page_description(page.doc, project_description)
    files = source_files(page.doc, root) if root is not None else []
    if root is None or not files:
        return replace(view, description=description)
    path = repository_path(files[0], root)
    return replace(
        view,
        description=description,
        updated=last_updated(files, root),
        edit_url=edit_url(settings.repository_url, settings.branch, path),
    )


def build_site(source: SiteSource, out_dir: Path) -> BuildResult:
    """Write the static site for ``source`` into ``out_dir``."""
    site_title, nav, pages, index_slug = load_book(source)
    public = PublicFiles(source)
    links = LinkResolver(
        page_files={page.slug: page_filename(page.slug, index_slug) for page in pages},
        index_slug=index_slug,
        assets=AssetRegistry(public_exists=public.exists),
    )
    settings = run_settings(source.read_json("config.json"))
    result = BuildResult(out_dir=out_dir)
    clean_output(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    linked = [entry for entry in nav if entry.href]
    project = (source.read_json("config.json").get("projects") or [{}])[0]
    root = project_root(getattr(source, "root", None), out_dir)
    sections: dict[str, dict[str | None, str]] = {}
    docs = {book_page.slug: book_page.doc for book_page in pages}
    for position, page in enumerate(pages):
        view = render_book_page(page, links, public, result, settings, docs)
        view = _page_facts(view, page, root, settings, str(project.get("description") or ""))
        sections[page.slug] = section_texts(page.doc.get("mdast") or {})
        previous = linked[position - 1] if position > 0 else None
        following = linked[position + 1] if position + 1 < len(linked) else None
        path = out_dir / page_filename(page.slug, index_slug)
        page_html = render_shell(site_title, nav, view, previous, following)
        for anchor in dangling_anchors(page_html):
            _warn(result, f"warning: [{page.slug}] link to #{anchor}, but no such id on the page")
        path.write_text(page_html, encoding="utf-8")
        result.pages.append(path)
    write_assets(out_dir, links.assets, public)
    write_search_index(out_dir, source, links, sections)
    return result
