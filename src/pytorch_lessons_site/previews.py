"""Hover previews of cross-references: what a reader sees on pointing at "Figure 3" or "(2)".

Every cross-reference whose target can be found, on this page or another, gets
``data-preview="xp-N"``, and the page carries one inert ``<template id="xp-N">`` per target
with a short rendering of it: a figure's pictures and caption, an equation, a section's title
and first paragraph, a chapter's title and opening, an exercise's statement, a glossary entry,
a bibliography entry. ``site.js`` shows it in a popup on hover and on keyboard focus. The
content travels in the page because the site works from ``file://``, where a page cannot fetch
another one, and because only what a page links to is needed (a few kB).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .render import Renderer

Node = dict[str, Any]

#: block-level nodes a section or chapter preview may show after its title
FLOW_TYPES = {"paragraph", "list", "math", "blockquote"}
#: a section preview stops after the node that reaches this many characters of text
SECTION_TEXT = 280
#: nodes that carry their target's identifier without being the target
REFERENCE_TYPES = {"crossReference", "link", "cite", "footnoteReference", "captionNumber"}

_PERMALINK = re.compile(r'<a class="anchor"[^>]*>#</a>')
_LINK_TAG = re.compile(r"<a\b[^>]*>|</a>")
_INTERACTIVE_ATTR = re.compile(r'\s(?:id|tabindex|data-preview|aria-describedby)="[^"]*"')


def inert(fragment: str) -> str:
    """``fragment`` made fit for a preview: no ids (the target keeps its own, unique), no
    links, permalinks or tab stops (a preview is a tooltip: nothing in it takes the focus)."""
    fragment = _PERMALINK.sub("", fragment)
    fragment = _LINK_TAG.sub("", fragment)
    return _INTERACTIVE_ATTR.sub("", fragment)


def _children(node: Node) -> list[Node]:
    children = node.get("children")
    return children if isinstance(children, list) else []


def walk(node: Node, node_type: str | None = None) -> Iterator[Node]:
    """``node`` and every node below it (following ``children``), in document order; only
    those of ``node_type`` when given."""
    stack = [node]
    while stack:
        current = stack.pop()
        if node_type is None or current.get("type") == node_type:
            yield current
        stack.extend(reversed(_children(current)))


@dataclass
class Target:
    """A labelled node of a page, with the list it sits in (for a glossary term's definition)."""

    node: Node
    siblings: list[Node]
    index: int


@dataclass
class TargetIndex:
    """The labelled nodes of one page, by identifier and by HTML id, and its text flow."""

    title: str
    flow: list[Node]
    targets: dict[str, Target] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Node) -> TargetIndex:
        """The index of a MyST page JSON ``doc`` (its pictures given their cells' words, as
        when that page renders: a preview of its figure shows the same alt text)."""
        from .outputs import describe_images

        mdast = describe_images(doc.get("mdast") or {})
        title = str((doc.get("frontmatter") or {}).get("title") or "")
        # a notebook's cells are blocks: the text flows through their children
        flow = [
            child
            for top in _children(mdast)
            for child in (_children(top) if top.get("type") == "block" else [top])
        ]
        index = cls(title, flow)
        for parent in walk(mdast):
            siblings = _children(parent)
            for position, child in enumerate(siblings):
                if child.get("type") in REFERENCE_TYPES:
                    continue
                for key in (child.get("identifier"), child.get("html_id")):
                    if isinstance(key, str) and key and key not in index.targets:
                        index.targets[key] = Target(child, siblings, position)
        return index


@dataclass
class Previews:
    """The previews one page needs: registered while it renders, written at its end."""

    ids: dict[tuple[str, str], str] = field(default_factory=dict)
    #: False in the renderer of preview content: a preview holds no previews of its own
    enabled: bool = True
    _indexes: dict[str, TargetIndex | None] = field(default_factory=dict)

    def index(self, r: Renderer, slug: str) -> TargetIndex | None:
        """The target index of page ``slug`` (None for a page the site does not have)."""
        if slug not in self._indexes:
            doc = r.ctx.page_docs.get(slug)
            self._indexes[slug] = TargetIndex.of(doc) if doc is not None else None
        return self._indexes[slug]

    def attr(self, r: Renderer, slug: str, ident: str) -> str:
        """`` data-preview="xp-N"`` for a link to ``ident`` on page ``slug`` (``""``: the
        page itself), or ``""`` when there is nothing to preview."""
        key = (slug, ident)
        if not self.enabled:
            return ""
        if key not in self.ids:
            if not self.body(r, slug, ident):
                return ""
            self.ids[key] = f"xp-{len(self.ids) + 1}"
        return f' data-preview="{self.ids[key]}"'

    def cite_attr(self, r: Renderer, label: str) -> str:
        """`` data-preview`` for a citation of ``label`` (its bibliography entry)."""
        return self.attr(r, "", f"cite:{label}")

    def body(self, r: Renderer, slug: str, ident: str) -> str:
        """The preview HTML of a target ("" when it cannot be found or shows nothing)."""
        if ident.startswith("cite:"):
            entry = r.references().get(ident.removeprefix("cite:"))
            return inert(f'<p class="preview-reference">{entry}</p>') if entry else ""
        index = self.index(r, slug)
        if index is None:
            return ""
        preview = _sub_renderer(r, slug)
        if not ident:
            html_out = _page_preview(preview, index)
        else:
            target = index.targets.get(ident)
            html_out = _target_preview(preview, index, target) if target else ""
        if preview.has_math:
            r.has_math = True
        if html_out and ident and slug != r.ctx.page and index.title:  # another page: which
            html_out += f'<p class="preview-source">{_escape(index.title)}</p>'
        return inert(html_out)

    def html(self, r: Renderer) -> str:
        """The page's ``<template>`` elements, one per previewed target."""
        return "".join(
            f'<template id="{pid}" class="xref-preview-content">{self.body(r, *key)}</template>'
            for key, pid in self.ids.items()
        )


def _sub_renderer(r: Renderer, slug: str) -> Renderer:
    """A renderer for content of page ``slug`` shown in a preview: that page's citations, its
    own headings and ids, and no previews in the preview."""
    sub = type(r)(replace(r.ctx, page=slug))
    sub.previews.enabled = False
    return sub


def _escape(text: str) -> str:
    from .render import esc, zh_spans

    return zh_spans(esc(text))


def _title(html_text: str) -> str:
    return f'<p class="preview-title">{html_text}</p>' if html_text else ""


def _following_text(r: Renderer, flow: list[Node], start: int) -> str:
    """The paragraphs (lists, equations) of ``flow`` from ``start`` up to the next heading,
    until about :data:`SECTION_TEXT` characters are shown."""
    from .render import to_text

    parts: list[str] = []
    shown = 0
    for node in flow[start:]:
        if node.get("type") == "heading":
            break
        if node.get("type") not in FLOW_TYPES:
            continue
        parts.append(r.render(node))
        shown += len(to_text(node))
        if shown >= SECTION_TEXT:
            break
    return "".join(parts)


def _page_preview(r: Renderer, index: TargetIndex) -> str:
    """A page: its title and opening paragraph(s)."""
    return _title(_escape(index.title)) + _following_text(r, index.flow, 0)


def _target_preview(r: Renderer, index: TargetIndex, target: Target) -> str:
    """The preview of one labelled node, by kind ("" for a kind that has none)."""
    node = target.node
    kind = node.get("type")
    if kind == "heading":
        start = next((i for i, n in enumerate(index.flow) if n is node), len(index.flow))
        return _title(r.children(node)) + _following_text(r, index.flow, start + 1)
    if kind == "container":
        return _figure_preview(r, node)
    if kind == "math":
        return r.render(node)
    if kind == "exercise":
        return _exercise_preview(r, node)
    if kind == "definitionTerm":
        following = target.siblings[target.index + 1 : target.index + 2]
        definition = [n for n in following if n.get("type") == "definitionDescription"]
        text = r.children(definition[0]) if definition else ""
        return _title(r.children(node)) + (f"<p>{text}</p>" if text else "")
    if kind in ("block", "outputs", "output"):  # a labelled cell without a caption
        images = _images(r, node)
        return f'<div class="preview-figure">{images}</div>' if images else ""
    return ""


def _images(r: Renderer, node: Node) -> str:
    """The pictures below ``node``: image nodes and the image outputs of code cells."""
    from .outputs import has_image, render_output

    parts = []
    for child in walk(node):
        if child.get("type") == "image":
            parts.append(r.render(child))
        elif child.get("type") == "output" and has_image(child):
            parts.append(render_output(child, r.ctx, r.nodes))
    return "".join(parts)


def _figure_preview(r: Renderer, node: Node) -> str:
    """A figure: its pictures (not the code that drew them) and its caption."""
    caption = next((c for c in _children(node) if c.get("type") == "caption"), None)
    images = _images(r, node)
    if not images and caption is None:
        return ""
    figcaption = r.render(caption) if caption is not None else ""
    return f'<div class="preview-figure">{images}{figcaption}</div>'


def _exercise_preview(r: Renderer, node: Node) -> str:
    """An exercise: "Exercise 3 (title)" and the first paragraph of its statement."""
    number = node.get("enumerator")
    name = f"Exercise {number}" if number else "Exercise"
    children = _children(node)
    title = ""
    if children and children[0].get("type") == "admonitionTitle":
        title = f" ({r.children(children[0])})"
    first = next((c for c in children if c.get("type") == "paragraph"), None)
    body = r.render(first) if first is not None else ""
    return _title(f"{name}{title}") + body
