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
from typing import TYPE_CHECKING, Any

from .ansi import ansi_to_html

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


def _image(mime: str, item: Node, ctx: RenderContext) -> str | None:
    """An ``<img>`` for an image output, copying or writing the image file."""
    src = None
    if item.get("path"):
        src = ctx.links.assets.public(item["path"])
    elif "content" in item:
        content = _text(item["content"])
        raw = content.encode("utf-8") if mime == "image/svg+xml" else _b64(content)
        if raw:
            src = ctx.links.assets.generate(raw, _IMAGE_SUFFIX[mime])
    if src is None:
        ctx.warn(f"image output {item.get('hash') or item.get('path')} is missing")
        return None
    return f'<img class="output-image" src="{html.escape(src)}" alt="Cell output: {mime}">'


def _b64(content: str) -> bytes | None:
    """Decode base64 image data (optionally a ``data:`` URL)."""
    try:
        return base64.b64decode(content.split(";base64,")[-1])
    except ValueError:
        return None


def render_mime_bundle(data: Node, ctx: RenderContext) -> str:
    """``display_data`` / ``execute_result``: the richest representation we can show."""
    bundle: dict[str, Node] = data.get("data") or {}
    for mime in MIME_ORDER:
        if mime not in bundle:
            continue
        item = bundle[mime]
        if mime in _IMAGE_SUFFIX:
            image = _image(mime, item, ctx)
            if image is not None:
                return f'<div class="output image">{image}</div>'
            continue
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
        return render_mime_bundle(data, ctx)
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
