"""Notebook cell outputs: streams, rich display data (HTML, images, text) and errors.

Each MyST ``output`` node carries the Jupyter output as ``jupyter_data``. Mime bundles hold
``{"content": ...}`` or, for images and anything over 25 000 characters, ``{"hash", "path"}``
naming a file in the site's ``public/`` folder; long streams and tracebacks keep a truncated
``text`` plus ``path`` to the full text.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .ansi import ansi_to_html
from .imagesize import size_attrs

if TYPE_CHECKING:
    from .render import RenderContext

Node = dict[str, Any]

# Richest first. ipywidgets' view needs a kernel: the HTML fallback (if any) is shown instead.
MIME_ORDER = (
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/markdown",
    "text/latex",
    "application/javascript",
    "application/json",
    "text/plain",
)
_IMAGE_SUFFIX = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_WIDGET_REPR = re.compile(r"^[A-Za-z_][\w.]*\(")


# ---------------------------------------------------------------- what a picture shows


@dataclass(frozen=True)
class ImageText:
    """The words a code cell gives its pictures: ``alt`` (its ``alt`` metadata), ``caption``
    (the plain text of its figure caption) and whether the cell is a numbered figure."""

    alt: str = ""
    caption: str = ""
    in_figure: bool = False


#: the key under which :func:`describe_images` leaves an output node its :class:`ImageText`
CELL_TEXT = "pl_cell_text"


def _mime_metadata(data: Node, mime: str) -> dict[str, Any]:
    """The output's metadata for ``mime`` (where Jupyter keeps ``width``, ``alt``, ...)."""
    value = (data.get("metadata") or {}).get(mime)
    return value if isinstance(value, dict) else {}


def image_text(data: Node, mime: str, cell: ImageText) -> ImageText:
    """(alt text, caption to show) of an image output.

    The alt text is the first of: the cell's ``alt`` (the author's words: a code-cell option
    in the chapter source), the output's own ``alt`` metadata (``display(fig, metadata=...)``
    or the book's plot helpers, which describe their figure from its title and curves), the
    cell's figure caption, and the figure's title stored as ``title`` metadata. A picture that
    is not in a numbered figure shows that title as its caption. Notebooks executed before the
    plot helpers stored any metadata get their words from the chapter source alone.
    """
    meta = _mime_metadata(data, mime)
    stored_alt, title = (_string(meta.get(key)) for key in ("alt", "title"))
    alt = cell.alt or stored_alt or cell.caption or title
    caption = "" if cell.in_figure else title
    return ImageText(alt=alt.strip(), caption=caption.strip(), in_figure=cell.in_figure)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def has_image(output: Node) -> bool:
    """Whether an ``output`` node shows a picture."""
    return any(mime in _IMAGE_SUFFIX for mime in _bundle(output))


def _plain(node: Node) -> str:
    """The text of a node (footnote marks and caption numbers left out)."""
    if node.get("type") in ("captionNumber", "footnoteReference", "comment"):
        return ""
    children = node.get("children")
    if isinstance(children, list) and children:
        return "".join(_plain(child) for child in children)
    return str(node.get("value") or "")


def _nodes(node: Node, node_type: str) -> list[Node]:
    found = [node] if node.get("type") == node_type else []
    for child in node.get("children") or []:
        found.extend(_nodes(child, node_type))
    return found


def describe_images(tree: Node) -> Node:
    """Leave on every output of a code cell the :class:`ImageText` of the cell, and return
    ``tree`` (modified; doing it twice changes nothing).

    A cell with ``label`` and ``caption`` metadata is a MyST figure: its block holds a
    ``container`` with the code, the outputs and the caption, and MyST gives the block the
    figure's id too -- the block loses it here, so the id is the figure's alone.
    """
    for block in _nodes(tree, "block"):
        data = block.get("data")
        alt = _string(data.get("alt")) if isinstance(data, dict) else ""
        figure = next(
            (c for c in block.get("children") or [] if c.get("type") == "container"), None
        )
        caption = ""
        if figure is not None:
            captions = [c for c in figure.get("children") or [] if c.get("type") == "caption"]
            caption = " ".join(" ".join(_plain(c).split()) for c in captions)
            if block.get("html_id") and block.get("html_id") == figure.get("html_id"):
                del block["html_id"]
        text = ImageText(alt=" ".join(alt.split()), caption=caption, in_figure=figure is not None)
        for output in _nodes(block, "output"):
            output[CELL_TEXT] = text
    return tree


def _text(value: Any) -> str:
    """Jupyter text fields may be a string or a list of lines."""
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return "" if value is None else str(value)


def _full_text(data: Node, field: str, ctx: RenderContext) -> str:
    """A stream's or traceback's text, reading the whole of it when MyST stored it apart."""
    path = data.get("path")
    if path:
        stored = ctx.read_public(path)
        if stored is not None:
            return stored.decode("utf-8", errors="replace")
        ctx.warn(f"output file {path} is missing; showing the truncated text")
    value = data.get(field)
    if isinstance(value, list) and field == "traceback":
        return "\n".join(str(line) for line in value)
    return _text(value)


def _bundle_text(item: Node, ctx: RenderContext) -> str | None:
    """The text content of one mime-bundle entry (inline, or read from its ``path``)."""
    if "content" in item:
        return _text(item["content"])
    path = item.get("path")
    if path:
        stored = ctx.read_public(path)
        if stored is not None:
            return stored.decode("utf-8", errors="replace")
    ctx.warn(f"output content {item.get('hash') or path} is missing")
    return None


def render_stream(data: Node, ctx: RenderContext) -> str:
    """``print`` output: a scrolling ``<pre>``, stderr tinted."""
    name = data.get("name", "stdout")
    text = _full_text(data, "text", ctx)
    return f'<pre class="output stream {html.escape(name)}">{ansi_to_html(text)}</pre>'


def render_error(data: Node, ctx: RenderContext) -> str:
    """An exception: the coloured traceback, or ``ename: evalue`` without one."""
    text = _full_text(data, "traceback", ctx)
    if not text.strip():
        text = f"{data.get('ename', 'Error')}: {data.get('evalue', '')}"
    return f'<pre class="output error">{ansi_to_html(text)}</pre>'


def _image(mime: str, item: Node, ctx: RenderContext, alt: str) -> str | None:
    """An ``<img>`` for an image output, copying or writing the image file."""
    src = None
    raw = None
    if item.get("path"):
        src = ctx.links.assets.public(item["path"])
        raw = ctx.read_public(item["path"]) if src else None
    elif "content" in item:
        content = _text(item["content"])
        raw = content.encode("utf-8") if mime == "image/svg+xml" else _b64(content)
        if raw:
            src = ctx.links.assets.generate(raw, _IMAGE_SUFFIX[mime])
    if src is None:
        ctx.warn(f"image output {item.get('hash') or item.get('path')} is missing")
        return None
    return (
        f'<img class="output-image" src="{html.escape(src)}" alt="{html.escape(alt)}"'
        f"{size_attrs(raw)}>"
    )


def _b64(content: str) -> bytes | None:
    """Decode base64 image data (optionally a ``data:`` URL)."""
    try:
        return base64.b64decode(content.split(";base64,")[-1])
    except ValueError:
        return None


def render_mime_bundle(data: Node, ctx: RenderContext, cell: ImageText | None = None) -> str:
    """``display_data`` / ``execute_result``: the richest representation we can show. An
    image gets its alt text (and, outside a figure, a caption) from ``cell`` and the output's
    metadata: see :func:`image_text`."""
    bundle: dict[str, Node] = data.get("data") or {}
    for mime in MIME_ORDER:
        if mime not in bundle:
            continue
        item = bundle[mime]
        if mime in _IMAGE_SUFFIX:
            words = image_text(data, mime, cell or ImageText())
            if not words.alt:
                ctx.warn(
                    "an image output has no description: give its code cell an `alt` (and a"
                    " `label` and `caption`) in the chapter source"
                )
            image = _image(mime, item, ctx, words.alt or "A picture drawn by the code above")
            if image is None:
                continue
            if words.caption:
                caption = f"<figcaption>{html.escape(words.caption)}</figcaption>"
                return f'<figure class="output image output-figure">{image}{caption}</figure>'
            return f'<div class="output image">{image}</div>'
        text = _bundle_text(item, ctx)
        if text is None or (WIDGET_MIME in bundle and _is_widget_repr(mime, text)):
            continue
        return _render_text_mime(mime, text)
    if WIDGET_MIME in bundle:
        return ""  # see render_outputs: a note when the cell shows nothing else
    kinds = ", ".join(sorted(bundle)) or "nothing"
    ctx.warn(f"no displayable representation in output ({kinds})")
    return ""


def _is_widget_repr(mime: str, text: str) -> bool:
    """A live widget's plain-text stand-in like ``IntSlider(value=3)``: not worth showing.

    Progress bars (tqdm in a notebook) are widgets too, but their text is the bar itself.
    """
    return mime == "text/plain" and _WIDGET_REPR.match(text.strip()) is not None


def _render_text_mime(mime: str, text: str) -> str:
    """HTML for a textual mime type; ``text/html`` goes in verbatim so its scripts run."""
    if mime == "text/html":
        return f'<div class="output html">{text}</div>'
    if mime == "application/javascript":
        return f'<div class="output javascript"><script>{text}</script></div>'
    if mime == "text/plain":
        return f'<pre class="output text-plain">{ansi_to_html(text)}</pre>'
    return f'<pre class="output {mime.replace("/", "-")}">{html.escape(text)}</pre>'


def render_output(output: Node, ctx: RenderContext, render_nodes: Callable[[list], str]) -> str:
    """One ``output`` node; MyST-converted ``children`` win over the raw ``jupyter_data``."""
    if output.get("visibility") == "remove":
        return ""
    if output.get("children"):
        return f'<div class="output myst">{render_nodes(output["children"])}</div>'
    data = output.get("jupyter_data") or {}
    kind = data.get("output_type")
    if kind == "stream":
        return render_stream(data, ctx)
    if kind == "error":
        return render_error(data, ctx)
    if kind in ("display_data", "execute_result", "update_display_data"):
        return render_mime_bundle(data, ctx, output.get(CELL_TEXT))
    if kind is not None:
        ctx.warn(f"unknown output type {kind!r} skipped")
    return ""


def _bundle(output: Node) -> dict[str, Any]:
    return (output.get("jupyter_data") or {}).get("data") or {}


def _model_id(view: Any) -> str:
    """The model id a widget-view output names (MyST keeps the view as a JSON string)."""
    content = view.get("content", view) if isinstance(view, dict) else view
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return ""
    return str(content.get("model_id", "")) if isinstance(content, dict) else ""


def _is_widget(output: Node) -> bool:
    """Whether ``output`` is a live ipywidget (which needs a kernel to draw)."""
    return WIDGET_MIME in _bundle(output)


def render_outputs(
    outputs: list[Node], ctx: RenderContext, render_nodes: Callable[[list], str]
) -> str:
    """A cell's outputs, with live widgets handled for a page without a kernel.

    Our widgets also display a static fallback (a self-contained HTML slider): when a cell
    has one, its live widgets are left out, so the reader sees one control. A widget alone
    shows its text (a progress bar's text is the bar), or a note when that is only a repr.
    """
    from .widgets import notebook_widget_html

    running = {}  # widgets that run on the page from the notebook's stored state
    for output in outputs:
        if _is_widget(output):
            widget = notebook_widget_html(ctx, _model_id(_bundle(output)[WIDGET_MIME]))
            if widget is not None:
                running[id(output)] = widget
    has_fallback = any(not _is_widget(o) and "text/html" in _bundle(o) for o in outputs)
    shown = [o for o in outputs if id(o) in running or not (has_fallback and _is_widget(o))]
    html_out = "".join(
        running.get(id(output)) or render_output(output, ctx, render_nodes) for output in shown
    )
    if not html_out and any(_is_widget(output) for output in outputs):
        return (
            '<div class="output widget-note">Interactive widget: run the notebook in '
            "Jupyter to use it.</div>"
        )
    return html_out
