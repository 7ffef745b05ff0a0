"""The page shell: head, top bar (search, theme toggle), book navigation, on-page contents."""

from __future__ import annotations

from dataclasses import dataclass, field

from .render import Heading, esc

ASSETS_DIR = "assets"
_THEME_BOOT = (
    "(function(){var d=document.documentElement;d.classList.add('js');"
    "try{var t=localStorage.getItem('pl-theme');if(t==='light'||t==='dark'){d.dataset.theme=t;}}"
    "catch(e){}})();"
)
_SUN_MOON = (
    '<svg class="icon icon-moon" viewBox="0 0 24 24" aria-hidden="true"><path d="M21 12.8A9 9 0 1 1'
    ' 11.2 3a7 7 0 0 0 9.8 9.8z"/></svg><svg class="icon icon-sun" viewBox="0 0 24 24"'
    ' aria-hidden="true"><circle cx="12" cy="12" r="4.5"/><path d="M12 1.5v3M12 19.5v3M1.5'
    ' 12h3M19.5 12h3M4.6 4.6l2.1 2.1M17.3 17.3l2.1 2.1M4.6 19.4l2.1-2.1M17.3 6.7l2.1-2.1"/>'
    "</svg>"
)
_MENU = (
    '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 6h18M3 12h18M3 18h18"/>'
    "</svg>"
)


@dataclass(frozen=True)
class NavEntry:
    """One line of the book navigation: a page (with ``href``) or a group title."""

    title: str
    level: int = 1
    slug: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class PageView:
    """Everything the shell needs about the page being written."""

    slug: str
    title: str
    body_html: str
    headings: list[Heading] = field(default_factory=list)
    footnotes_html: str = ""
    download: tuple[str, str] | None = None  # (href, file name) of the chapter notebook
    description: str = ""
    authors: list[str] = field(default_factory=list)
    license: tuple[str, str] | None = None  # (name, url)
    has_math: bool = False


def render_shell(
    site_title: str,
    nav: list[NavEntry],
    page: PageView,
    previous: NavEntry | None,
    following: NavEntry | None,
) -> str:
    """The complete HTML document for ``page``."""
    title = page.title if page.title == site_title else f"{page.title} — {site_title}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            _head(title, page.description, page.has_math),
            '<body class="page" data-page="' + esc(page.slug) + '">',
            '<a class="skip-link" href="#main">Skip to content</a>',
            _top_bar(site_title, nav),
            '<div class="layout">',
            _sidebar(nav, page.slug),
            '<main id="main" class="content" tabindex="-1"><article class="article">',
            _page_header(page),
            f'<div class="page-body">{page.body_html}</div>',
            page.footnotes_html,
            _prev_next(previous, following),
            _footer(page),
            "</article></main>",
            _page_toc(page.headings),
            "</div>",
            f'<script src="{ASSETS_DIR}/site.js" defer></script>',
            "</body>",
            "</html>",
        ]
    )


def _head(title: str, description: str, has_math: bool = False) -> str:
    """``<head>``: metadata, local stylesheets, and the theme set before first paint."""
    meta = f'<meta name="description" content="{esc(description)}">' if description else ""
    if has_math:
        meta += f'<link rel="stylesheet" href="{ASSETS_DIR}/katex/katex.min.css">'
    return (
        "<head>"
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{esc(title)}</title>{meta}"
        f'<link rel="icon" href="{ASSETS_DIR}/favicon.svg" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{ASSETS_DIR}/style.css">'
        f'<link rel="stylesheet" href="{ASSETS_DIR}/pygments.css">'
        f"<script>{_THEME_BOOT}</script>"
        "</head>"
    )


def _top_bar(site_title: str, nav: list[NavEntry]) -> str:
    """Menu button (phones), book title, search box and theme toggle."""
    home = next((entry.href for entry in nav if entry.href), "index.html")
    return (
        '<header class="top-bar">'
        '<button class="icon-button nav-toggle" type="button" aria-controls="sidebar"'
        f' aria-expanded="false" aria-label="Show chapters" title="Chapters">{_MENU}</button>'
        f'<a class="site-title" href="{esc(home)}">{esc(site_title)}</a>'
        '<div class="search" role="search">'
        '<label class="visually-hidden" for="search-input">Search the book</label>'
        '<input id="search-input" class="search-input" type="search" placeholder="Search…"'
        ' autocomplete="off" spellcheck="false" aria-controls="search-results">'
        '<div id="search-results" class="search-results" role="listbox" hidden></div>'
        "</div>"
        '<button class="icon-button theme-toggle" type="button" aria-label="Toggle dark mode"'
        f' title="Toggle dark mode">{_SUN_MOON}</button>'
        "</header>"
    )


def _sidebar(nav: list[NavEntry], current: str) -> str:
    """The book's pages in order, the current one marked with ``aria-current``."""
    items = []
    for entry in nav:
        level = f" level-{min(entry.level, 4)}"
        if entry.href is None:
            items.append(f'<li class="nav-group{level}">{esc(entry.title)}</li>')
            continue
        here = entry.slug == current
        marker = ' aria-current="page"' if here else ""
        css = f"nav-page{level}{' current' if here else ''}"
        items.append(
            f'<li class="{css}"><a href="{esc(entry.href)}"{marker}>{esc(entry.title)}</a></li>'
        )
    return (
        '<nav id="sidebar" class="sidebar" aria-label="Chapters">'
        f'<ol class="nav-list">{"".join(items)}</ol></nav>'
    )


def _page_header(page: PageView) -> str:
    """The page title and the notebook download link."""
    actions = ""
    if page.download:
        href, name = page.download
        actions = (
            '<div class="page-actions">'
            f'<a class="download-notebook" href="{esc(href)}" download="{esc(name)}">'
            f'Download notebook <span class="file-name">{esc(name)}</span></a></div>'
        )
    return f'<header class="page-header"><h1>{esc(page.title)}</h1>{actions}</header>'


def _neighbour_link(entry: NavEntry | None, rel: str, direction: str) -> str:
    """One previous/next link, or ``""``."""
    if entry is None or entry.href is None:
        return ""
    return (
        f'<a class="{rel}" rel="{rel}" href="{esc(entry.href)}">'
        f'<span class="direction">{direction}</span>'
        f'<span class="title">{esc(entry.title)}</span></a>'
    )


def _prev_next(previous: NavEntry | None, following: NavEntry | None) -> str:
    """Links to the neighbouring pages in book order."""
    links = _neighbour_link(previous, "prev", "← Previous")
    links += _neighbour_link(following, "next", "Next →")
    if not links:
        return ""
    return f'<nav class="prev-next" aria-label="Previous and next pages">{links}</nav>'


def _footer(page: PageView) -> str:
    """Authors and licence, when the page's frontmatter names them."""
    parts = []
    if page.authors:
        parts.append("By " + ", ".join(esc(name) for name in page.authors))
    if page.license:
        name, url = page.license
        licence = (
            f'<a href="{esc(url)}" rel="license noopener">{esc(name)}</a>' if url else esc(name)
        )
        parts.append(f"Licence: {licence}")
    if not parts:
        return ""
    return f'<footer class="page-footer">{" · ".join(parts)}</footer>'


def _page_toc(headings: list[Heading]) -> str:
    """The "On this page" list: the two top heading levels of the page."""
    if not headings:
        return '<aside class="page-toc" aria-hidden="true"></aside>'
    top = min(h.depth for h in headings)
    items = "".join(
        f'<li class="toc-depth-{h.depth - top}"><a href="#{esc(h.html_id)}">{esc(h.text)}</a></li>'
        for h in headings
        if h.depth <= top + 1
    )
    return (
        '<aside class="page-toc" aria-label="On this page">'
        f'<p class="page-toc-title">On this page</p><ul>{items}</ul></aside>'
    )
