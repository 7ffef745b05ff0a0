"""The page shell: head, top bar (search, theme toggle), book navigation, on-page contents.

The markup is the Jinja2 template ``templates/page.html.j2``, rendered with auto-escaping: a
value is escaped unless this module marks it as HTML already (:class:`markupsafe.Markup`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import jinja2
import markupsafe
from markupsafe import Markup

from .render import Heading, zh_spans

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
    description: str = ""
    authors: list[str] = field(default_factory=list)
    license: tuple[str, str] | None = None  # (name, url)
    has_math: bool = False
    lang: str = "en"
    #: HTML shown between the title and the body (the "run this chapter" panel)
    header_html: str = ""
    edit_url: str = ""
    updated: str = ""  # ISO date the page's source last changed


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("pytorch_lessons_site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["zh"] = _zh
    return environment.get_template("page.html.j2")


def _zh(value: object) -> Markup:
    """Template filter: ``value`` escaped, its Chinese in ``<span lang="zh">`` (headings such
    as "Glossary · 术语表" in the on-page contents)."""
    return Markup(zh_spans(str(markupsafe.escape(value))))


def render_shell(
    site_title: str,
    nav: list[NavEntry],
    page: PageView,
    previous: NavEntry | None,
    following: NavEntry | None,
) -> str:
    """The complete HTML document for ``page``."""
    title = page.title if page.title == site_title else f"{page.title} — {site_title}"
    html_parts = {
        "body_html": Markup(page.body_html),
        "footnotes_html": Markup(page.footnotes_html),
        "header_html": Markup(page.header_html),
    }
    return _template().render(
        site_title=site_title,
        title=title,
        nav=nav,
        page=_Marked(page, html_parts),
        previous=previous,
        following=following,
        home=next((entry.href for entry in nav if entry.href), "index.html"),
        assets=ASSETS_DIR,
        theme_boot=Markup(_THEME_BOOT),
        icons={"menu": Markup(_MENU), "sun_moon": Markup(_SUN_MOON)},
    )


class _Marked:
    """``page`` with its HTML fields marked safe for the template; every other field as is."""

    def __init__(self, page: PageView, html_parts: dict[str, Markup]) -> None:
        self._page = page
        self._html = html_parts

    def __getattr__(self, name: str) -> object:
        if name in self._html:
            return self._html[name]
        return getattr(self._page, name)
