"""MyST AST (``mdast``) to HTML, one small handler per node type.

:class:`Renderer` walks a page's tree; :data:`HANDLERS` maps each node ``type`` to a function
``(renderer, node) -> html``. A type without a handler renders its children (or its text) and
prints a warning to stderr, so a new MyST feature degrades instead of crashing the build.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .bibliography import cited_entries, reference_id, references_section
from .gates import join_gates
from .highlighting import highlight_code
from .imagesize import size_attrs
from .links import LinkResolver
from .outputs import describe_images, render_output, render_outputs
from .previews import Previews

Node = dict[str, Any]
Handler = Callable[["Renderer", Node], str]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the given node types."""

    def register(function: Handler) -> Handler:
        for node_type in types:
            HANDLERS[node_type] = function
        return function

    return register


def esc(text: Any) -> str:
    """HTML-escape ``text`` (attribute-safe)."""
    return html.escape("" if text is None else str(text))


def to_text(node: Node | list[Node]) -> str:
    """The plain text of a node (or list of nodes): every ``value`` below it, in order."""
    if isinstance(node, list):
        return "".join(to_text(child) for child in node)
    if node.get("type") in ("footnoteReference", "comment"):
        return ""
    if "value" in node and not node.get("children"):
        return str(node["value"])
    return to_text(node.get("children") or [])


def _no_public(name: str) -> bytes | None:
    """Default for :attr:`RenderContext.read_public`: no public files."""
    return None


@dataclass
class RenderContext:
    """What rendering a page needs from the site: links, public files, a place to warn."""

    links: LinkResolver
    read_public: Callable[[str], bytes | None] = _no_public
    page: str = ""
    warnings: list[str] = field(default_factory=list)
    #: the widget models the page's notebook stored, by model id (see :mod:`.widgets`)
    widget_models: dict[str, Any] = field(default_factory=dict)
    #: the widget modules and stylesheets the page uses, by element id, written once each
    widget_sources: dict[str, str] = field(default_factory=dict)
    #: every page's MyST JSON, by slug: cross-reference previews of other pages, citations
    page_docs: Mapping[str, Any] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        """Print a warning to stderr (once per page and message) and remember it."""
        text = f"warning: [{self.page or 'page'}] {message}"
        if text not in self.warnings:
            self.warnings.append(text)
            print(text, file=sys.stderr)


@dataclass(frozen=True)
class Heading:
    """A section heading, for the on-page table of contents."""

    depth: int
    html_id: str
    text: str


class Renderer:
    """Renders one page's MyST tree; collects its headings and footnotes on the way."""

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        self.headings: list[Heading] = []
        self.footnotes: dict[str, tuple[str, str]] = {}  # identifier -> (number, html)
        self.has_math = False  # the page then loads the KaTeX stylesheet
        self._footnote_refs: set[str] = set()
        self.solution_ids: set[str] = set()  # ids given to solutions, kept unique per page
        self.previews = Previews()  # hover previews of the page's cross-references
        self._references: dict[str, str] | None = None

    def render(self, node: Node) -> str:
        """HTML for ``node``, dispatched on its ``type``."""
        handler = HANDLERS.get(node.get("type", ""))
        if handler is None:
            return self.unknown(node)
        return handler(self, node)

    def nodes(self, nodes: list[Node] | None) -> str:
        """HTML for a list of nodes."""
        return "".join(self.render(child) for child in nodes or [])

    def children(self, node: Node) -> str:
        """HTML for the children of ``node``."""
        return self.nodes(node.get("children"))

    def unknown(self, node: Node) -> str:
        """An unsupported node: its children, or its text, and a warning."""
        self.ctx.warn(f"unknown MyST node type {node.get('type')!r}: rendering its text only")
        if node.get("children"):
            return self.children(node)
        return esc(node.get("value", ""))

    def render_page(self, mdast: Node) -> str:
        """HTML for a page's whole ``mdast`` tree, gated exercises joined first; then its
        references list and the hidden previews of its cross-references."""
        body = self.render(describe_images(join_gates(mdast)))
        references = references_section(self.references())
        if references:
            self.headings.append(Heading(2, "references", "References"))
        return body + references + self.previews.html(self)

    def references(self) -> dict[str, str]:
        """The page's cited bibliography entries (key -> HTML), in citation order."""
        if self._references is None:
            self._references = cited_entries(self.ctx.page_docs.get(self.ctx.page))
        return self._references

    def footnotes_html(self) -> str:
        """The page's footnotes as an ordered list (empty when there are none)."""
        if not self.footnotes:
            return ""
        items = sorted(self.footnotes.items(), key=lambda kv: _number_key(kv[1][0]))
        rows = "".join(
            f'<li id="fn-{esc(ident)}" value="{esc(num)}">{body}'
            f' <a class="footnote-back" href="#fnref-{esc(ident)}" aria-label="Back to text">'
            "↩</a></li>"
            for ident, (num, body) in items
        )
        return f'<section class="footnotes"><h2>Footnotes</h2><ol>{rows}</ol></section>'


def _number_key(number: str) -> tuple[int, str]:
    """Sort footnote numbers numerically when they are numbers."""
    return (int(number), "") if number.isdigit() else (sys.maxsize, number)


def id_attr(node: Node) -> str:
    """`` id="..."`` for a node with an ``html_id`` (or ``identifier``), else ``""``."""
    ident = node.get("html_id") or node.get("identifier")
    return f' id="{esc(ident)}"' if ident else ""


def class_attr(*classes: str | None) -> str:
    """`` class="..."`` from the non-empty names given."""
    names = " ".join(c.strip() for c in classes if c and c.strip())
    return f' class="{esc(names)}"' if names else ""


def collapsible(summary: str, body: str, classes: str, is_open: bool = False) -> str:
    """A ``<details>`` box."""
    opened = " open" if is_open else ""
    return f"<details{class_attr(classes)}{opened}><summary>{summary}</summary>{body}</details>"


_LINK_TAG = re.compile(r"<a\b[^>]*>|</a>")


def unlinked(summary_html: str) -> str:
    """``summary_html`` without its links: a link inside ``<summary>`` takes the click that
    should open the box (and nests one control in another, which screen readers garble)."""
    return _LINK_TAG.sub("", summary_html)


def scroll_attrs(label: str) -> str:
    """`` tabindex="0" role="group" aria-label="..."`` for a box that may scroll sideways:
    reachable with Tab so that keyboard users can scroll it (``site.js`` drops the
    ``tabindex`` again where nothing overflows), and named for screen readers."""
    return f' tabindex="0" role="group" aria-label="{esc(label)}"'


# ---------------------------------------------------------------- text and inline nodes

SIMPLE_TAGS = {
    "paragraph": "p",
    "emphasis": "em",
    "strong": "strong",
    "blockquote": "blockquote",
    "subscript": "sub",
    "superscript": "sup",
    "keyboard": "kbd",
    "delete": "del",
    "underline": "u",
    "smallcaps": "small",
    "definitionList": "dl",
    "definitionTerm": "dt",
    "definitionDescription": "dd",
    "summary": "summary",
    "legend": "div",
}


@handles(*SIMPLE_TAGS)
def render_simple(r: Renderer, node: Node) -> str:
    """Nodes that map onto one HTML element."""
    tag = SIMPLE_TAGS[node["type"]]
    css = "legend" if node["type"] == "legend" else node.get("class")
    return f"<{tag}{id_attr(node)}{class_attr(css)}>{r.children(node)}</{tag}>"


@handles("glossary")
def render_glossary(r: Renderer, node: Node) -> str:
    """MyST's ``{glossary}``: its definition list, each term a ``<dt id="term-...">`` that
    ``{term}`` roles link to."""
    css = class_attr("glossary", node.get("class"))
    return f"<div{id_attr(node)}{css}>{r.children(node)}</div>"


@handles("root", "embed", "include", "mathGroup")
def render_transparent(r: Renderer, node: Node) -> str:
    """Containers that add no markup of their own."""
    return r.children(node)


@handles("text")
def render_text(r: Renderer, node: Node) -> str:
    """Plain text; Chinese in it marked as such (:func:`zh_spans`)."""
    return zh_spans(esc(node.get("value", "")))


_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
#: a run of Chinese: ideographs and CJK punctuation, with Latin words or numbers between them
#: ("英伟达 GPU 计算平台") inside the run
CJK_RUN = re.compile(f"[{_CJK}]+(?:[ A-Za-z0-9.+-]+[{_CJK}]+)*")


def zh_spans(text_html: str) -> str:
    """``text_html`` (escaped text) with each run of Chinese in ``<span lang="zh">``: the page
    is ``lang="en"``, and without this a screen reader reads 中文 with English rules and a
    browser may pick a Japanese font for it."""
    return CJK_RUN.sub(lambda found: f'<span lang="zh">{found.group(0)}</span>', text_html)


@handles("inlineCode")
def render_inline_code(r: Renderer, node: Node) -> str:
    """`` `code` ``."""
    return f"<code>{esc(node.get('value', ''))}</code>"


@handles("break")
def render_break(r: Renderer, node: Node) -> str:
    """A hard line break."""
    return "<br>"


@handles("thematicBreak")
def render_thematic_break(r: Renderer, node: Node) -> str:
    """``---``."""
    return "<hr>"


@handles("html")
def render_html(r: Renderer, node: Node) -> str:
    """Raw HTML written by the author: kept verbatim."""
    return str(node.get("value", ""))


@handles("comment", "mystTarget", "identifier")
def render_nothing(r: Renderer, node: Node) -> str:
    """Nodes with nothing to show."""
    return ""


@handles("abbreviation")
def render_abbreviation(r: Renderer, node: Node) -> str:
    """``{abbr}`` role."""
    title = node.get("title")
    title_attr = f' title="{esc(title)}"' if title else ""
    return f"<abbr{title_attr}>{r.children(node)}</abbr>"


@handles("span", "div", "aside", "card", "grid", "cardTitle", "header", "footer")
def render_generic_container(r: Renderer, node: Node) -> str:
    """Layout containers: an element with the node type (and its classes) as class."""
    inline = node["type"] == "span"
    tag = "span" if inline else ("aside" if node["type"] == "aside" else "div")
    kind = node["type"] if node["type"] not in ("span", "div") else None
    return f"<{tag}{id_attr(node)}{class_attr(kind, node.get('kind'), node.get('class'))}>" + (
        f"{r.children(node)}</{tag}>"
    )


@handles("cite")
def render_cite(r: Renderer, node: Node) -> str:
    """A citation ("LeCun et al., 1998"): a link to its entry in the page's references list,
    previewed on hover; its text alone, and a warning, when the bibliography lacks the key."""
    label = str(node.get("label") or node.get("identifier") or "")
    inner = r.children(node) or esc(label)  # MyST's text, with any "see" and "p. 5" in it
    if label not in r.references():
        r.ctx.warn(f"citation {label!r} is not in the bibliography (myst.yml: bibliography)")
        return f'<cite class="citation unresolved">{inner}</cite>'
    preview = r.previews.cite_attr(r, label)
    return f'<a class="citation" href="#{esc(reference_id(label))}"{preview}>{inner}</a>'


@handles("citeGroup")
def render_cite_group(r: Renderer, node: Node) -> str:
    """``{cite:p}`` "(LeCun et al., 1998; Kingma & Ba, 2015)", ``{cite:t}`` "Kingma & Ba
    (2015)": the brackets and separators MyST leaves to the theme."""
    parts = [r.render(child) for child in node.get("children") or []]
    if node.get("kind") == "parenthetical":
        return f'<span class="cite-group">({"; ".join(parts)})</span>'
    return f'<span class="cite-group">{", ".join(parts)}</span>'


@handles("inlineExpression")
def render_inline_expression(r: Renderer, node: Node) -> str:
    """``{eval}`` results: their rendered children, else the expression."""
    if node.get("children"):
        return r.children(node)
    return f"<code>{esc(node.get('value', ''))}</code>"


@handles("siUnit")
def render_si_unit(r: Renderer, node: Node) -> str:
    """``{si}`` units: their text."""
    return f'<span class="si-unit">{esc(node.get("value") or to_text(node))}</span>'


# ---------------------------------------------------------------- links and references


@handles("link")
def render_link(r: Renderer, node: Node) -> str:
    """A link: internal pages and assets rewritten to relative files, others kept."""
    url = str(node.get("url", ""))
    href = r.ctx.links.url(url)
    if href == url and url.startswith("/"):
        r.ctx.warn(f"link target {url!r} is not a page or file of this site")
    attrs = ""
    if href.startswith(("http://", "https://")):
        attrs = ' class="external" rel="noopener"'
    elif href.startswith("files/"):
        attrs = " download"
    title = node.get("title")
    if title:
        attrs += f' title="{esc(title)}"'
    if node.get("internal") and node.get("identifier"):  # [Chapter 07](#ch-mnist)
        attrs += r.previews.attr(r, _page_slug(r, url), url.partition("#")[2])
    inner = r.children(node) or esc(url)
    return f'<a href="{esc(href)}"{attrs}>{inner}</a>'


def _page_slug(r: Renderer, url: str | None) -> str:
    """The slug of the page a site URL (``/mnist#x``, ``/``) names; this page's for none."""
    if not url:
        return r.ctx.page
    return url.partition("#")[0].strip("/") or r.ctx.links.index_slug


@handles("crossReference")
def render_cross_reference(r: Renderer, node: Node) -> str:
    """A resolved ``{ref}``/``{numref}``/``[](#label)``: a link to the labelled target."""
    inner = r.children(node) or esc(node.get("label") or node.get("identifier"))
    # MyST marks a target it could not find with resolved: false -- or, for a {term} with no
    # glossary entry, leaves the node as parsed: no kind, no HTML id
    unmatched = node.get("resolved") is None and not (node.get("kind") or node.get("html_id"))
    if node.get("resolved") is False or unmatched:
        r.ctx.warn(f"unresolved cross-reference {node.get('identifier')!r}")
        return f'<span class="xref unresolved">{inner}</span>'
    url = node.get("url") if node.get("remote") else None
    ident = node.get("html_id") or node.get("identifier")
    href = r.ctx.links.reference(ident, url)
    kind = node.get("kind")
    css = class_attr("xref", f"xref-{kind}".replace(":", "-") if kind else None)
    target = str(node.get("identifier") or ident or "")
    preview = r.previews.attr(r, _page_slug(r, url), target) if target else ""
    return f'<a{css} href="{esc(href)}"{preview}>{inner}</a>'


@handles("footnoteReference")
def render_footnote_reference(r: Renderer, node: Node) -> str:
    """A footnote mark linking to the footnote at the end of the page."""
    ident = esc(node.get("identifier", ""))
    number = esc(node.get("enumerator") or node.get("label") or ident)
    back = "" if ident in r._footnote_refs else f' id="fnref-{ident}"'
    r._footnote_refs.add(ident)
    return f'<sup class="footnote-ref"><a href="#fn-{ident}"{back}>{number}</a></sup>'


@handles("footnoteDefinition")
def render_footnote_definition(r: Renderer, node: Node) -> str:
    """Collect a footnote; :meth:`Renderer.footnotes_html` prints them at the end."""
    ident = str(node.get("identifier", ""))
    number = str(node.get("enumerator") or node.get("label") or ident)
    body = r.children(node)
    if body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1:
        body = body[3:-4]
    r.footnotes[ident] = (number, body)
    return ""


# ---------------------------------------------------------------- block structure


@handles("heading")
def render_heading(r: Renderer, node: Node) -> str:
    """``<h2 id=...>`` with a permalink; recorded for the on-page table of contents."""
    depth = min(max(int(node.get("depth", 2)), 1), 6)
    ident = node.get("html_id") or node.get("identifier") or _slugify(to_text(node))
    number = node.get("enumerator") if node.get("enumerated") else None
    prefix = f'<span class="heading-number">{esc(number)}</span> ' if number else ""
    r.headings.append(Heading(depth, ident, to_text(node)))
    anchor = f'<a class="anchor" href="#{esc(ident)}" aria-label="Link to this section">#</a>'
    return f'<h{depth} id="{esc(ident)}">{prefix}{r.children(node)}{anchor}</h{depth}>'


def _slugify(text: str) -> str:
    """A fallback id for a heading without one."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


@handles("list")
def render_list(r: Renderer, node: Node) -> str:
    """Ordered and bullet lists; tight lists lose their paragraph wrappers."""
    tag = "ol" if node.get("ordered") else "ul"
    start = node.get("start")
    start_attr = f' start="{int(start)}"' if tag == "ol" and start not in (None, 1) else ""
    tight = not node.get("spread")
    items = "".join(_list_item(r, item, tight) for item in node.get("children") or [])
    return f"<{tag}{id_attr(node)}{start_attr}>{items}</{tag}>"


def _list_item(r: Renderer, item: Node, tight: bool) -> str:
    """One ``<li>``, with a checkbox for task-list items."""
    parts = []
    for child in item.get("children") or []:
        if tight and child.get("type") == "paragraph":
            parts.append(r.children(child))
        else:
            parts.append(r.render(child))
    checked = item.get("checked")
    box = ""
    if checked is not None:
        box = f'<input type="checkbox" disabled{" checked" if checked else ""}> '
    return f"<li{id_attr(item)}>{box}{''.join(parts)}</li>"


@handles("listItem")
def render_list_item(r: Renderer, node: Node) -> str:
    """A list item outside a list (unusual): rendered as in a loose list."""
    return _list_item(r, node, tight=False)


@handles("table")
def render_table(r: Renderer, node: Node) -> str:
    """A table; leading all-header rows go in ``<thead>``; wide tables scroll."""
    rows = node.get("children") or []
    head_count = 0
    for row in rows:
        cells = row.get("children") or []
        if cells and all(cell.get("header") for cell in cells):
            head_count += 1
        else:
            break
    head = "".join(r.render(row) for row in rows[:head_count])
    body = "".join(r.render(row) for row in rows[head_count:])
    thead = f"<thead>{head}</thead>" if head else ""
    table = f"<table{id_attr(node)}{class_attr(node.get('class'))}>{thead}<tbody>{body}</tbody>"
    return f'<div class="table-wrap">{table}</table></div>'


@handles("tableRow")
def render_table_row(r: Renderer, node: Node) -> str:
    """``<tr>``."""
    return f"<tr>{r.children(node)}</tr>"


@handles("tableCell")
def render_table_cell(r: Renderer, node: Node) -> str:
    """``<th>``/``<td>`` with alignment and spans."""
    tag = "th" if node.get("header") else "td"
    attrs = ""
    if node.get("align"):
        attrs += f' style="text-align:{esc(node["align"])}"'
    for key in ("colspan", "rowspan"):
        if node.get(key):
            attrs += f' {key}="{int(node[key])}"'
    return f"<{tag}{attrs}>{r.children(node)}</{tag}>"


# ---------------------------------------------------------------- images and figures


def _css_length(value: Any) -> str:
    """``300`` -> ``300px``; ``50%``/``10em`` unchanged."""
    text = str(value).strip()
    return f"{text}px" if text.isdigit() else text


@handles("image")
def render_image(r: Renderer, node: Node) -> str:
    """An image copied into the site; remote images become links (the site stays offline)."""
    url = str(node.get("url", ""))
    alt = node.get("alt") or to_text(node) or ""
    if url.startswith(("http://", "https://", "//")):
        r.ctx.warn(f"remote image {url} not embedded (offline site); linked instead")
        return f'<a class="external remote-image" href="{esc(url)}" rel="noopener">{esc(alt)}</a>'
    src = r.ctx.links.url(url)
    if src == url and url.startswith("/"):
        r.ctx.warn(f"image {url!r} is not among the site's files")
    styles = []
    for key, prop in (("width", "width"), ("height", "height")):
        if node.get(key):
            styles.append(f"{prop}:{_css_length(node[key])}")
    style = f' style="{esc(";".join(styles))}"' if styles else ""
    title = f' title="{esc(node["title"])}"' if node.get("title") else ""
    align = f"align-{node['align']}" if node.get("align") else None
    sizes = size_attrs(r.ctx.read_public(url) if src != url else None)
    return (
        f'<img src="{esc(src)}" alt="{esc(alt)}"{id_attr(node)}'
        f"{class_attr(align, node.get('class'))}{style}{title}{sizes}>"
    )


@handles("container")
def render_container(r: Renderer, node: Node) -> str:
    """Figures, numbered tables and captioned code blocks: a ``<figure>``. A code cell with a
    ``label`` and ``caption`` is one too (class ``cell-figure``): its code, its outputs and
    "Figure 3: ..." under them."""
    kind = node.get("kind", "figure")
    is_cell = any(c.get("type") in ("code", "outputs") for c in node.get("children") or [])
    cell = "cell-figure" if is_cell else None
    css = class_attr("figure", f"kind-{kind}", cell, node.get("class"))
    return f"<figure{id_attr(node)}{css}>{r.children(node)}</figure>"


@handles("caption")
def render_caption(r: Renderer, node: Node) -> str:
    """A figure caption."""
    return f"<figcaption>{r.children(node)}</figcaption>"


@handles("captionNumber")
def render_caption_number(r: Renderer, node: Node) -> str:
    """``Figure 1:`` in front of a caption."""
    return f'<span class="caption-number">{r.children(node)}</span> '


# ---------------------------------------------------------------- math and code


@handles("math", "inlineMath")
def render_math(r: Renderer, node: Node) -> str:
    """Math: MyST's server-side KaTeX HTML (styled by the bundled KaTeX CSS and fonts, with
    MathML for screen readers); the TeX source when KaTeX could not render it."""
    inline = node["type"] == "inlineMath"
    r.has_math = True
    tex = esc(node.get("value", ""))
    body = node.get("html") or f'<code class="tex">{tex}</code>'
    if inline:
        return f'<span class="math-inline">{body}</span>'
    number = node.get("enumerator") if node.get("enumerated", True) else None
    number_html = f'<span class="eq-number">({esc(number)})</span>' if number else ""
    # the KaTeX box scrolls sideways when too wide; the number beside it stays in view
    label = scroll_attrs(f"Equation ({number})" if number else "Equation")
    opening = '<span class="katex-display">'
    if opening in body:
        body = body.replace(opening, f'<span class="katex-display"{label}>', 1)
    else:
        body = f'<span class="katex-display"{label}>{body}</span>'
    # a numbered equation always has an id to link to: its label's, else "equation-<n>"
    ident = id_attr(node) or (f' id="equation-{esc(number)}"' if number else "")
    return f'<div class="math-display"{ident}>{body}{number_html}</div>'


def _code_block(code: str, lang: str, node: Node, extra_class: str = "") -> str:
    """A highlighted block with a copy button."""
    emphasize = [int(n) for n in node.get("emphasizeLines") or [] if str(n).isdigit()]
    body = highlight_code(code, lang, emphasize)
    filename = node.get("filename")
    head = f'<div class="code-filename">{esc(filename)}</div>' if filename else ""
    lang_attr = f' data-lang="{esc(lang)}"' if lang else ""
    return (
        f'<div class="code-block{extra_class}"{lang_attr}{id_attr(node)}>{head}'
        '<button class="copy-button" type="button" aria-label="Copy code to clipboard"'
        ' title="Copy">Copy</button>'
        f'<pre class="highlight"{scroll_attrs("Code")}><code>{body}</code></pre></div>'
    )


# nbval's cell markers (``# NBVAL_IGNORE_OUTPUT``) are for the test run, not for readers
_NBVAL_MARKER = re.compile(r"^[ \t]*#[ \t]*NBVAL_\w+[ \t]*(?:\n|$)", re.MULTILINE)


@handles("code")
def render_code(r: Renderer, node: Node) -> str:
    """A code block or notebook input cell, honouring ``remove-input``/``hide-input``."""
    visibility = node.get("visibility")
    if visibility == "remove":
        return ""
    extra = " cell-input" if node.get("executable") else ""
    code = _NBVAL_MARKER.sub("", str(node.get("value", "")))
    block = _code_block(code, str(node.get("lang") or ""), node, extra)
    if visibility == "hide":
        return collapsible("Show code", block, "hidden-input")
    return block


@handles("mermaid")
def render_mermaid(r: Renderer, node: Node) -> str:
    """Mermaid diagrams need a JS library we do not ship: show their source."""
    block = _code_block(str(node.get("value", "")), "text", node, " diagram-source")
    note = '<p class="code-note">Diagram (Mermaid source)</p>'
    return f'<div class="mermaid-source">{note}{block}</div>'


@handles("iframe")
def render_iframe(r: Renderer, node: Node) -> str:
    """Embedded pages would load from other hosts: link to them instead."""
    src = str(node.get("src", ""))
    link = f'<a href="{esc(src)}" rel="noopener">Open embedded page: {esc(src)}</a>'
    return f'<p class="iframe-link">{link}</p>'


# ---------------------------------------------------------------- notebook cells


@handles("block")
def render_block(r: Renderer, node: Node) -> str:
    """A notebook cell (or ``+++`` block), honouring ``remove-cell``/``hide-cell``."""
    visibility = node.get("visibility")
    if visibility == "remove":
        return ""
    inner = r.children(node)
    if not inner.strip():
        return ""
    is_code = node.get("kind") == "notebook-code"
    css = class_attr("cell", "code-cell" if is_code else None, node.get("class"))
    if visibility == "hide":
        inner = collapsible("Show cell", inner, "hidden-cell")
    return f"<div{css}{id_attr(node)}>{inner}</div>"


@handles("outputs")
def render_outputs_node(r: Renderer, node: Node) -> str:
    """A code cell's outputs, honouring ``remove-output``/``hide-output``."""
    visibility = node.get("visibility")
    if visibility == "remove":
        return ""
    inner = render_outputs(node.get("children") or [], r.ctx, r.nodes)
    if not inner:
        return ""
    inner = f'<div class="cell-outputs">{inner}</div>'
    if visibility == "hide":
        return collapsible("Show output", inner, "hidden-output")
    return inner


@handles("output")
def render_single_output(r: Renderer, node: Node) -> str:
    """An ``output`` outside ``outputs`` (unusual)."""
    return render_output(node, r.ctx, r.nodes)


@handles("anywidget")
def render_anywidget(r: Renderer, node: Node) -> str:
    """MyST's ``{anywidget}`` directive: its ESM module (a file MyST copied) run on the page."""
    from .widgets import anywidget_html

    def read(url: Any) -> str | None:
        data = r.ctx.read_public(str(url)) if url else None
        return data.decode("utf-8") if data is not None else None

    esm = read(node.get("esm"))
    if esm is None:
        r.ctx.warn(f"anywidget: cannot read its module {node.get('esm')!r}")
        return ""
    given = node.get("model")
    model: dict[str, Any] = given if isinstance(given, dict) else {}
    return anywidget_html(r.ctx, esm, model, read(node.get("css")))


# ---------------------------------------------------------------- admonitions, exercises


def _split_title(r: Renderer, node: Node) -> tuple[str | None, str]:
    """(title HTML or ``None``, body HTML) of a node that may start with ``admonitionTitle``."""
    children = node.get("children") or []
    if children and children[0].get("type") == "admonitionTitle":
        return r.children(children[0]), r.nodes(children[1:])
    return None, r.nodes(children)


def _has_class(node: Node, name: str) -> bool:
    return name in str(node.get("class") or "").split()


@handles("admonition")
def render_admonition(r: Renderer, node: Node) -> str:
    """note/tip/warning/important/...; ``:class: dropdown`` makes it collapsible."""
    kind = str(node.get("kind") or "admonition")
    title, body = _split_title(r, node)
    title = title or esc(kind.capitalize())
    classes = f"admonition {esc(kind)} {esc(node.get('class') or '')}".strip()
    body = f'<div class="admonition-body">{body}</div>'
    if _has_class(node, "dropdown"):
        summary = f'<span class="admonition-title">{unlinked(title)}</span>'
        opening = f'<details class="{classes}"{id_attr(node)}>'
        return f"{opening}<summary>{summary}</summary>{body}</details>"
    return (
        f'<div class="{classes}" role="note"{id_attr(node)}>'
        f'<p class="admonition-title">{title}</p>{body}</div>'
    )


@handles("admonitionTitle")
def render_admonition_title(r: Renderer, node: Node) -> str:
    """A title outside an admonition (unusual): a bold paragraph."""
    return f'<p class="admonition-title">{r.children(node)}</p>'


@handles("exercise")
def render_exercise(r: Renderer, node: Node) -> str:
    """An exercise box: "Exercise 3 (title)", its label, and its content (code cells too)."""
    if node.get("hidden"):
        return ""
    title, body = _split_title(r, node)
    number = node.get("enumerator") if node.get("enumerated", True) else None
    name = f"Exercise {esc(number)}" if number else "Exercise"
    heading = f'<span class="exercise-number">{name}</span>'
    if title:
        heading += f' <span class="exercise-title">({title})</span>'
    ident = node.get("html_id") or node.get("identifier")
    check_id = _check_id(node)
    if check_id:
        heading += (
            f' <code class="exercise-label" title="The id to pass to check() and hint()">'
            f"{esc(check_id)}</code>"
        )
    if ident:
        heading += (
            f'<a class="anchor" href="#{esc(ident)}" aria-label="Link to this exercise">#</a>'
        )
    css = class_attr("exercise", node.get("class"))
    return (
        f"<section{css}{id_attr(node)}>"
        f'<header class="exercise-header">{heading}</header>'
        f'<div class="exercise-body">{body}</div></section>'
    )


_CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([\w.-]+)["']""")


def _check_id(node: Node) -> str:
    """The exercise id its code passes to ``check("...")`` (what the reader types, unlike the
    MyST label ``ex-...``), or ``""`` when no code cell in it calls ``check``."""
    stack = list(node.get("children") or [])
    while stack:
        child = stack.pop(0)
        if child.get("type") == "code":
            found = _CHECK_CALL.search(str(child.get("value") or ""))
            if found:
                return found.group(1)
        stack[:0] = child.get("children") or []
    return ""


@handles("solution")
def render_solution(r: Renderer, node: Node) -> str:
    """A solution: always collapsed (``<details>``) until the reader opens it.

    Its summary opens it (no link inside); the link to its exercise and its own permalink
    come first in the body. It has a stable id to link to: its label, else
    ``sol-<exercise id without "ex-">`` (``#sol-...`` opens it, see ``site.js``).
    """
    if node.get("hidden"):
        return ""
    title, body = _split_title(r, node)
    summary = f'<span class="solution-title">{unlinked(title or "Solution")}</span>'
    css = class_attr("solution", node.get("class"))
    exercise = _solved_exercise(node)
    ident = _solution_id(r, node, exercise)
    links = []
    if exercise:
        target = r.ctx.links.reference(exercise[0], None)
        links.append(f'<a class="solution-exercise" href="{esc(target)}">↑ {esc(exercise[1])}</a>')
    if ident:
        links.append(
            f'<a class="anchor" href="#{esc(ident)}" aria-label="Link to this solution">#</a>'
        )
    head = f'<p class="solution-links">{" ".join(links)}</p>' if links else ""
    id_html = f' id="{esc(ident)}"' if ident else ""
    return (
        f"<details{css}{id_html}><summary>{summary}</summary>"
        f'<div class="solution-body">{head}{body}</div></details>'
    )


def _solved_exercise(node: Node) -> tuple[str, str] | None:
    """(id, "Exercise 3") of the exercise a solution's title refers to, if it does."""
    children = node.get("children") or []
    if not children or children[0].get("type") != "admonitionTitle":
        return None
    stack = list(children[0].get("children") or [])
    while stack:
        child = stack.pop(0)
        if child.get("type") == "crossReference":
            ident = child.get("html_id") or child.get("identifier")
            if ident:
                text = to_text(child).replace("\u00a0", " ").strip()
                return str(ident), text or str(ident)
        stack[:0] = child.get("children") or []
    return None


def _solution_id(r: Renderer, node: Node, exercise: tuple[str, str] | None) -> str:
    """The solution's own label, else one made from its exercise's id; unique on the page."""
    ident = node.get("html_id") or node.get("identifier")
    if not ident and exercise:
        base = exercise[0].removeprefix("ex-")
        ident = f"sol-{base}"
        n = 2
        while ident in r.solution_ids:
            ident, n = f"sol-{base}-{n}", n + 1
    if ident:
        r.solution_ids.add(str(ident))
    return str(ident or "")


@handles("proof")
def render_proof(r: Renderer, node: Node) -> str:
    """Theorem-like blocks (``{prf:...}``): a titled, numbered box."""
    kind = str(node.get("kind") or "proof")
    title, body = _split_title(r, node)
    number = node.get("enumerator") if node.get("enumerated", True) else None
    heading = kind.capitalize() + (f" {esc(number)}" if number else "")
    if title:
        heading += f" ({title})"
    return (
        f'<div class="admonition proof {esc(kind)}"{id_attr(node)}>'
        f'<p class="admonition-title">{heading}</p><div class="admonition-body">{body}</div></div>'
    )


@handles("details")
def render_details(r: Renderer, node: Node) -> str:
    """``{dropdown}``: a ``<details>`` (its ``summary`` child is rendered as such)."""
    opened = " open" if node.get("open") else ""
    css = class_attr("dropdown", node.get("class"))
    inner = "".join(
        unlinked(r.render(child)) if child.get("type") == "summary" else r.render(child)
        for child in node.get("children") or []
    )
    return f"<details{css}{id_attr(node)}{opened}>{inner}</details>"


@handles("tabSet")
def render_tab_set(r: Renderer, node: Node) -> str:
    """Tabs: buttons plus panels; ``site.js`` shows one panel at a time."""
    items = [c for c in node.get("children") or [] if c.get("type") == "tabItem"]
    selected = next((i for i, item in enumerate(items) if item.get("selected")), 0)
    buttons, panels = [], []
    for index, item in enumerate(items):
        active = index == selected
        title = esc(item.get("title") or f"Tab {index + 1}")
        buttons.append(
            f'<button type="button" role="tab" class="tab-button{" active" if active else ""}"'
            f' aria-selected="{str(active).lower()}">{title}</button>'
        )
        panels.append(
            f'<div class="tab-panel{" active" if active else ""}" role="tabpanel"'
            f' data-title="{title}">{r.children(item)}</div>'
        )
    return (
        f'<div class="tab-set"{id_attr(node)}><div class="tab-labels" role="tablist">'
        f"{''.join(buttons)}</div>{''.join(panels)}</div>"
    )


@handles("tabItem")
def render_tab_item(r: Renderer, node: Node) -> str:
    """A tab outside a tab set (unusual): a titled section."""
    title = esc(node.get("title") or "")
    return f'<div class="tab-panel active"><p class="tab-title">{title}</p>{r.children(node)}</div>'
