"""anywidget widgets on the static site: the same ESM module as in JupyterLab, run in the page.

Two sources, one form: a notebook cell's widget output, whose state the executed notebook
stored in its metadata (MyST hands it over as the page's ``widgets``), and MyST's
``{anywidget}`` directive (an ``anywidget`` node: ``esm``, ``model``, ``css``). Each becomes a
``<div class="pl-anywidget">`` holding the widget's state as JSON; each distinct module and
stylesheet is written once per page as a JSON string, which ``site.js`` imports from a Blob URL
(that works from ``file://`` too) and runs with a model that has no kernel behind it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .render import RenderContext

STATE_MIME = "application/vnd.jupyter.widget-state+json"
#: A state value longer than this (as JSON) -- a model's weights -- is written as a separate
#: script file instead of into the page, which stays small; ``site.js`` loads it on demand.
LARGE_VALUE = 20_000


def stored_models(widgets: Any) -> dict[str, dict[str, Any]]:
    """The widget models a notebook stored, by model id (empty when it stored none)."""
    if not isinstance(widgets, dict):
        return {}
    state = (widgets.get(STATE_MIME) or {}).get("state")
    return state if isinstance(state, dict) else {}


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside ``<script>``: no ``</script>``, no ``<!--``."""
    return (
        json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _source_id(ctx: RenderContext, kind: str, text: str) -> str:
    key = f"pl-{kind}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    ctx.widget_sources.setdefault(key, text)
    return key


def anywidget_html(
    ctx: RenderContext, esm: str, state: dict[str, Any], css: str | None = None
) -> str:
    """The placeholder ``site.js`` turns into a running widget."""
    attrs = f' data-esm="{_source_id(ctx, "esm", esm)}"'
    state = {key: _maybe_apart(ctx, value) for key, value in state.items()}
    if css:
        attrs += f' data-css="{_source_id(ctx, "css", css)}"'
    return (
        f'<div class="output pl-anywidget"{attrs}>'
        f'<script type="application/json" class="pl-widget-state">{script_json(state)}</script>'
        "</div>"
    )


def _maybe_apart(ctx: RenderContext, value: Any) -> Any:
    """``value`` itself, or -- when it is large -- a reference to the script that holds it."""
    text = script_json(value)
    if len(text) <= LARGE_VALUE:
        return value
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    script = f"(window.plWidgetData = window.plWidgetData || {{}})[{json.dumps(key)}] = {text};\n"
    src = ctx.links.assets.generate(script.encode(), ".js")
    return {"$plData": key, "src": src}


def notebook_widget_html(ctx: RenderContext, model_id: str) -> str | None:
    """A widget output of the notebook as a running widget, or None when it is not an
    anywidget whose state the notebook stored (an ipywidgets progress bar, an old notebook)."""
    model = ctx.widget_models.get(model_id)
    if not model or model.get("model_module") != "anywidget":
        return None
    state = dict(model.get("state") or {})
    esm = state.get("_esm")
    if not isinstance(esm, str) or not esm:
        return None
    css = state.get("_css") if isinstance(state.get("_css"), str) else None
    data = {k: v for k, v in state.items() if not k.startswith("_") and k != "layout"}
    return anywidget_html(ctx, esm, data, css)


def sources_html(ctx: RenderContext) -> str:
    """Every module and stylesheet the page's widgets use, once each."""
    return "".join(
        f'<script type="application/json" id="{key}">{script_json(text)}</script>'
        for key, text in ctx.widget_sources.items()
    )
