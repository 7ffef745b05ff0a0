"""Unit tests of the static-site renderer on small hand-made MyST trees (no myst, no browser)."""

from __future__ import annotations

import datetime
import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pytorch_lessons_site.ansi import ansi_to_html, collapse_carriage_returns
from pytorch_lessons_site.build import build_site, dangling_anchors
from pytorch_lessons_site.gates import join_gates
from pytorch_lessons_site.highlighting import (
    DARK_BACKGROUNDS,
    LIGHT_BACKGROUNDS,
    contrast,
    highlight_code,
    pygments_css,
    readable,
)
from pytorch_lessons_site.imagesize import image_size
from pytorch_lessons_site.links import AssetRegistry, LinkResolver, page_filename
from pytorch_lessons_site.page import NavEntry, PageView, render_shell
from pytorch_lessons_site.pageinfo import (
    DESCRIPTION_LENGTH,
    edit_url,
    last_updated,
    page_description,
    project_root,
    readable_records,
    repository_path,
    section_texts,
    shorten,
    source_files,
)
from pytorch_lessons_site.plaintext import math_text, plain_text
from pytorch_lessons_site.render import Heading, RenderContext, Renderer, to_text
from pytorch_lessons_site.source import DirectorySource, open_source

Node = dict[str, Any]

PAGES = {"index": "index.html", "tensors": "tensors.html", "mnist": "mnist.html"}
PUBLIC = {
    "plot-abc.png": b"\x89PNG fake",
    "big-out.txt": b"BIGSTART " + b"y" * 100 + b" BIGEND",
    "big.html": b"<p>BIGHTML</p>",
    "chapter-123.ipynb": b"{}",
}


def text(value: str) -> Node:
    return {"type": "text", "value": value}


def para(*children: Node) -> Node:
    return {"type": "paragraph", "children": list(children)}


def make_renderer() -> Renderer:
    assets = AssetRegistry(public_exists=lambda name: name in PUBLIC)
    links = LinkResolver(page_files=PAGES, index_slug="index", assets=assets)
    return Renderer(RenderContext(links=links, read_public=lambda n: PUBLIC.get(n.lstrip("/"))))


def render(node: Node) -> str:
    return make_renderer().render(node)


# ---------------------------------------------------------------- inline and block nodes


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (para(text("a < b")), "<p>a &lt; b</p>"),
        ({"type": "emphasis", "children": [text("em")]}, "<em>em</em>"),
        ({"type": "strong", "children": [text("st")]}, "<strong>st</strong>"),
        ({"type": "inlineCode", "value": "x<1"}, "<code>x&lt;1</code>"),
        ({"type": "blockquote", "children": [para(text("q"))]}, "<blockquote><p>q</p>"),
        ({"type": "subscript", "children": [text("2")]}, "<sub>2</sub>"),
        ({"type": "superscript", "children": [text("2")]}, "<sup>2</sup>"),
        ({"type": "keyboard", "children": [text("Ctrl")]}, "<kbd>Ctrl</kbd>"),
        ({"type": "delete", "children": [text("old")]}, "<del>old</del>"),
        ({"type": "break"}, "<br>"),
        ({"type": "thematicBreak"}, "<hr>"),
        ({"type": "html", "value": "<b>raw</b>"}, "<b>raw</b>"),
        ({"type": "comment", "value": "hidden"}, ""),
        (
            {"type": "abbreviation", "title": "central processing unit", "children": [text("CPU")]},
            '<abbr title="central processing unit">CPU</abbr>',
        ),
        (
            {
                "type": "definitionList",
                "children": [
                    {"type": "definitionTerm", "children": [text("T")]},
                    {"type": "definitionDescription", "children": [text("D")]},
                ],
            },
            "<dl><dt>T</dt><dd>D</dd></dl>",
        ),
    ],
)
def test_simple_nodes(node: Node, expected: str) -> None:
    assert expected in render(node)


def test_heading_gets_id_anchor_and_toc_entry() -> None:
    renderer = make_renderer()
    out = renderer.render(
        {"type": "heading", "depth": 2, "html_id": "getting-started", "children": [text("Go")]}
    )
    assert out.startswith('<h2 id="getting-started">Go')
    assert 'href="#getting-started"' in out
    assert renderer.headings == [Heading(2, "getting-started", "Go")]


def test_lists_ordered_start_tight_and_task_items() -> None:
    node = {
        "type": "list",
        "ordered": True,
        "start": 3,
        "spread": False,
        "children": [
            {"type": "listItem", "children": [para(text("three"))]},
            {"type": "listItem", "checked": True, "children": [para(text("done"))]},
        ],
    }
    out = render(node)
    assert out.startswith('<ol start="3">')
    assert "<li>three</li>" in out  # tight list: no <p> wrapper
    assert '<input type="checkbox" disabled checked> done' in out
    bullets = render({"type": "list", "children": [{"type": "listItem", "children": [text("x")]}]})
    assert bullets.startswith("<ul>")


def test_table_header_alignment_and_scroll_wrapper() -> None:
    row = lambda *cells: {"type": "tableRow", "children": list(cells)}  # noqa: E731
    node = {
        "type": "table",
        "children": [
            row({"type": "tableCell", "header": True, "children": [text("A")]}),
            row({"type": "tableCell", "align": "center", "children": [text("1")]}),
        ],
    }
    out = render(node)
    assert '<div class="table-wrap"><table>' in out
    assert "<thead><tr><th>A</th></tr></thead>" in out
    assert '<tbody><tr><td style="text-align:center">1</td></tr></tbody>' in out


def test_image_copied_with_alt_and_width() -> None:
    renderer = make_renderer()
    out = renderer.render(
        {
            "type": "image",
            "url": "/plot-abc.png",
            "alt": "A plot",
            "width": "50%",
            "align": "center",
        }
    )
    assert 'src="files/plot-abc.png"' in out
    assert 'alt="A plot"' in out
    assert "width:50%" in out
    assert renderer.ctx.links.assets.copies == {"plot-abc.png": "plot-abc.png"}


def test_remote_image_becomes_link_with_warning(capsys: pytest.CaptureFixture[str]) -> None:
    out = render({"type": "image", "url": "https://example.com/x.png", "alt": "remote"})
    assert "<img" not in out
    assert 'href="https://example.com/x.png"' in out
    assert "remote image" in capsys.readouterr().err


def test_figure_with_caption_number() -> None:
    node = {
        "type": "container",
        "kind": "figure",
        "html_id": "fig-plot",
        "children": [
            {"type": "image", "url": "/plot-abc.png", "alt": "Squares"},
            {
                "type": "caption",
                "children": [
                    para(
                        {"type": "captionNumber", "children": [text("Figure 1:")]},
                        text("The caption."),
                    )
                ],
            },
        ],
    }
    out = render(node)
    assert out.startswith('<figure id="fig-plot" class="figure kind-figure">')
    assert '<figcaption><p><span class="caption-number">Figure 1:</span> The caption.' in out


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "important", "caution"])
def test_admonitions(kind: str) -> None:
    node = {
        "type": "admonition",
        "kind": kind,
        "children": [
            {"type": "admonitionTitle", "children": [text(kind.title())]},
            para(text("body")),
        ],
    }
    out = render(node)
    assert f'<div class="admonition {kind}" role="note">' in out
    assert f'<p class="admonition-title">{kind.title()}</p>' in out
    assert '<div class="admonition-body"><p>body</p></div>' in out


def test_dropdown_admonition_is_collapsible() -> None:
    out = render(
        {
            "type": "admonition",
            "class": "dropdown",
            "children": [{"type": "admonitionTitle", "children": [text("More")]}, para(text("x"))],
        }
    )
    assert out.startswith('<details class="admonition admonition dropdown">')
    assert "<summary>" in out and " open" not in out


def test_math_uses_mathml_from_myst_and_numbers_equations() -> None:
    mathml = '<span class="katex"><span class="katex-mathml"><math><mi>x</mi></math></span></span>'
    inline = render({"type": "inlineMath", "value": "x", "html": mathml})
    assert inline == f'<span class="math-inline">{mathml}</span>'
    display = render(
        {"type": "math", "value": "x", "html": mathml, "enumerator": "1", "html_id": "eq-x"}
    )
    assert display.startswith('<div class="math-display" id="eq-x">')
    assert '<span class="eq-number">(1)</span>' in display
    renderer = make_renderer()
    assert not renderer.has_math
    renderer.render(para(text("no math")))
    assert not renderer.has_math
    renderer.render({"type": "inlineMath", "value": "x", "html": mathml})
    assert renderer.has_math  # the page then links the bundled KaTeX CSS
    fallback = render({"type": "math", "value": "\\frac{a}{b}"})
    assert '<code class="tex">\\frac{a}{b}</code>' in fallback


def test_code_block_is_highlighted_with_copy_button() -> None:
    out = render({"type": "code", "lang": "python", "value": "import torch  # hi"})
    assert '<span class="kn">import</span>' in out
    assert '<span class="c1"># hi</span>' in out
    assert 'class="copy-button"' in out
    assert 'data-lang="python"' in out


def test_unknown_language_and_no_language_are_escaped() -> None:
    assert "a &lt; b" in render({"type": "code", "lang": "no-such-lang", "value": "a < b"})
    assert "a &lt; b" in render({"type": "code", "value": "a < b"})


def test_mermaid_and_iframe_stay_offline() -> None:
    assert "graph TD" in render({"type": "mermaid", "value": "graph TD; A-->B"})
    out = render({"type": "iframe", "src": "https://example.com/embed"})
    assert "<iframe" not in out and 'href="https://example.com/embed"' in out


def test_tabs_details_and_cards() -> None:
    tabs = render(
        {
            "type": "tabSet",
            "children": [
                {"type": "tabItem", "title": "One", "children": [para(text("1"))]},
                {"type": "tabItem", "title": "Two", "children": [para(text("2"))]},
            ],
        }
    )
    assert tabs.count('role="tab"') == 2 and 'class="tab-panel active"' in tabs
    details = render(
        {
            "type": "details",
            "children": [{"type": "summary", "children": [text("Click")]}, para(text("x"))],
        }
    )
    assert details.startswith('<details class="dropdown"><summary>Click</summary>')
    assert 'class="card"' in render({"type": "card", "children": [para(text("c"))]})


def test_footnotes_collected_at_the_end() -> None:
    renderer = make_renderer()
    body = renderer.render(
        {
            "type": "root",
            "children": [
                para(
                    text("see"),
                    {"type": "footnoteReference", "identifier": "fn1", "enumerator": "1"},
                ),
                {
                    "type": "footnoteDefinition",
                    "identifier": "fn1",
                    "enumerator": "1",
                    "children": [para(text("the footnote text"))],
                },
            ],
        }
    )
    assert '<a href="#fn-fn1" id="fnref-fn1">1</a>' in body
    assert "the footnote text" not in body
    notes = renderer.footnotes_html()
    assert '<li id="fn-fn1" value="1">the footnote text' in notes and 'href="#fnref-fn1"' in notes


def test_unknown_node_renders_text_children_and_warns(capsys: pytest.CaptureFixture[str]) -> None:
    out = render({"type": "fancyNewThing", "children": [text("still "), para(text("shown"))]})
    assert out == "still <p>shown</p>"
    err = capsys.readouterr().err
    assert "warning" in err and "fancyNewThing" in err
    assert render({"type": "otherThing", "value": "v<"}) == "v&lt;"


def test_to_text_skips_footnote_marks() -> None:
    node = para(text("a"), {"type": "footnoteReference", "identifier": "x"}, text("b"))
    assert to_text(node) == "ab"


# ---------------------------------------------------------------- links and references


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/tensors", "tensors.html"),
        ("/tensors#broadcasting", "tensors.html#broadcasting"),
        ("/", "index.html"),
        ("/plot-abc.png", "files/plot-abc.png"),
        ("https://pytorch.org/docs", "https://pytorch.org/docs"),
        ("#local", "#local"),
    ],
)
def test_link_rewriting(url: str, expected: str) -> None:
    out = render({"type": "link", "url": url, "children": [text("x")]})
    assert f'href="{expected}"' in out


def test_external_links_marked_and_unknown_internal_warned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert 'rel="noopener"' in render({"type": "link", "url": "https://x.org", "children": []})
    render({"type": "link", "url": "/no-such-page", "children": [text("x")]})
    assert "no-such-page" in capsys.readouterr().err


def test_cross_references_local_and_remote() -> None:
    local = render(
        {
            "type": "crossReference",
            "identifier": "eq-int",
            "html_id": "eq-int",
            "kind": "equation",
            "children": [text("(1)")],
        }
    )
    assert '<a class="xref xref-equation" href="#eq-int">(1)</a>' == local
    remote = render(
        {
            "type": "crossReference",
            "identifier": "mnist-data",
            "html_id": "mnist-data",
            "remote": True,
            "url": "/mnist",
            "children": [text("the data")],
        }
    )
    assert 'href="mnist.html#mnist-data"' in remote


def test_unresolved_cross_reference_warns(capsys: pytest.CaptureFixture[str]) -> None:
    out = render({"type": "crossReference", "identifier": "nope", "resolved": False})
    assert "unresolved" in out and "nope" in capsys.readouterr().err


def test_page_filename() -> None:
    assert page_filename("index", "index") == "index.html"
    assert page_filename("tensors", "index") == "tensors.html"


# ---------------------------------------------------------------- notebook cells and outputs


def output(data: Node) -> Node:
    return {"type": "output", "jupyter_data": data, "children": []}


def code_cell(*outputs: Node, **attrs: Any) -> Node:
    cell_attrs = {k: v for k, v in attrs.items() if k != "outputs_visibility"}
    code_attrs = (
        {"visibility": cell_attrs.pop("code_visibility")} if "code_visibility" in attrs else {}
    )
    out_attrs = {"visibility": attrs["outputs_visibility"]} if "outputs_visibility" in attrs else {}
    return {
        "type": "block",
        "kind": "notebook-code",
        "html_id": "cell1",
        **cell_attrs,
        "children": [
            {"type": "code", "lang": "python", "executable": True, "value": "run()", **code_attrs},
            {"type": "outputs", "children": list(outputs), **out_attrs},
        ],
    }


STDOUT = {"output_type": "stream", "name": "stdout", "text": "hello stdout\n"}


def test_stream_outputs_stdout_and_stderr() -> None:
    out = render(
        code_cell(
            output(STDOUT),
            output({"output_type": "stream", "name": "stderr", "text": ["warn ", "<ing>\n"]}),
        )
    )
    assert '<div class="cell code-cell" id="cell1">' in out
    assert '<pre class="output stream stdout">hello stdout\n</pre>' in out
    assert '<pre class="output stream stderr">warn &lt;ing&gt;\n</pre>' in out


def test_long_stream_read_from_public_file() -> None:
    data = {**STDOUT, "text": "BIGSTART yyy...", "path": "/big-out.txt"}
    out = render(code_cell(output(data)))
    assert "BIGEND" in out


def test_execute_result_text_plain_and_html_verbatim_with_script() -> None:
    plain = {"output_type": "execute_result", "data": {"text/plain": {"content": "42"}}}
    assert '<pre class="output text-plain">42</pre>' in render(code_cell(output(plain)))
    widget = '<input type="range" id="s"><script>document.getElementById("s").value=3;</script>'
    rich = {
        "output_type": "display_data",
        "data": {"text/html": {"content": widget}, "text/plain": {"content": "<HTML>"}},
    }
    out = render(code_cell(output(rich)))
    assert f'<div class="output html">{widget}</div>' in out
    assert "&lt;HTML&gt;" not in out


def test_large_html_output_read_from_public_file() -> None:
    data = {
        "output_type": "display_data",
        "data": {"text/html": {"hash": "h", "path": "/big.html"}},
    }
    assert "<p>BIGHTML</p>" in render(code_cell(output(data)))


def test_png_and_svg_outputs_become_files() -> None:
    renderer = make_renderer()
    png = {
        "output_type": "display_data",
        "data": {
            "image/png": {"content_type": "image/png", "hash": "abc", "path": "/plot-abc.png"},
            "text/plain": {"content": "<Figure>"},
        },
    }
    svg_text = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
    svg = {"output_type": "display_data", "data": {"image/svg+xml": {"content": svg_text}}}
    out = renderer.render(code_cell(output(png), output(svg)))
    assert '<img class="output-image" src="files/plot-abc.png"' in out
    generated = renderer.ctx.links.assets.generated
    assert len(generated) == 1
    ((name, content),) = generated.items()
    assert name.endswith(".svg") and content == svg_text.encode()
    assert f'src="files/{name}"' in out


def test_error_output_with_ansi_colours() -> None:
    data = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "boom",
        "traceback": ["\x1b[31mValueError\x1b[39m: boom <here>"],
    }
    out = render(code_cell(output(data)))
    assert (
        '<pre class="output error"><span class="ansi-red-fg">ValueError</span>: boom &lt;here&gt;'
        in out
    )


def test_widget_only_output_gets_a_note_but_not_next_to_a_fallback() -> None:
    widget = {
        "output_type": "display_data",
        "data": {
            "application/vnd.jupyter.widget-view+json": {"content": "{}"},
            "text/plain": {"content": "IntSlider(value=1)"},
        },
    }
    alone = render(code_cell(output(widget)))
    assert "widget-note" in alone and "IntSlider" not in alone
    progress = {
        "output_type": "display_data",
        "data": {
            "application/vnd.jupyter.widget-view+json": {"content": "{}"},
            "text/plain": {"content": "100%|##########| 5/5 [00:01<00:00]"},
        },
    }
    assert "100%|##########| 5/5" in render(code_cell(output(progress)))
    fallback = {"output_type": "display_data", "data": {"text/html": {"content": "<b>f</b>"}}}
    both = render(code_cell(output(widget), output(fallback)))
    assert "widget-note" not in both and "<b>f</b>" in both
    described = {
        "output_type": "display_data",
        "data": {
            "application/vnd.jupyter.widget-view+json": {"content": "{}"},
            "text/plain": {"content": "<live explorer: move the controls in JupyterLab>"},
        },
    }
    assert "live explorer" in render(code_cell(output(described)))
    assert "live explorer" not in render(code_cell(output(described), output(fallback)))


def _anywidget_page(state: dict[str, Any]) -> tuple[Renderer, str]:
    renderer = make_renderer()
    renderer.ctx.widget_models = {
        "m1": {"model_module": "anywidget", "state": state},
        "m2": {"model_module": "@jupyter-widgets/base", "state": {}},
    }
    view = {
        "output_type": "display_data",
        "data": {
            "application/vnd.jupyter.widget-view+json": {"content": json.dumps({"model_id": "m1"})},
            "text/plain": {"content": "<explorer: interactive>"},
        },
    }
    return renderer, renderer.render(code_cell(output(view), output(view)))


def test_an_anywidget_output_runs_on_the_page_from_the_notebook_stored_state() -> None:
    esm = "export default { render({ model, el }) { el.textContent = '</script>'; } };"
    state = {"_esm": esm, "_css": ".x {}", "layout": "IPY_MODEL_m2", "lrs": [0.1, 0.2], "lr": 0.1}
    renderer, out = _anywidget_page(state)
    assert out.count('class="output pl-anywidget"') == 2 and "<explorer" not in out
    (states,) = {m for m in re.findall(r'class="pl-widget-state">(.*?)</script>', out)}
    assert json.loads(states) == {"lrs": [0.1, 0.2], "lr": 0.1}  # no module, no layout
    sources = renderer.ctx.widget_sources
    assert len(sources) == 2  # one module and one stylesheet, however many widgets use them
    (esm_id,) = [k for k in sources if k.startswith("pl-esm-")]
    assert f'data-esm="{esm_id}"' in out and sources[esm_id] == esm
    from pytorch_lessons_site.widgets import sources_html

    page = sources_html(renderer.ctx)
    assert "</script>'" not in page  # the module's text cannot end the script element early
    (text,) = re.findall(rf'id="{esm_id}">(.*?)</script>', page)
    assert json.loads(text) == esm


def test_a_large_widget_value_is_written_apart_and_the_page_stays_small() -> None:
    weights = "A" * 50_000  # e.g. a model's weights, base64
    renderer, out = _anywidget_page({"_esm": "export default {}", "weights": weights, "n": 3})
    assert weights not in out and len(out) < 5_000
    (states,) = set(re.findall(r'class="pl-widget-state">(.*?)</script>', out))
    ref = json.loads(states)["weights"]
    assert ref["src"].startswith("files/") and ref["src"].endswith(".js")
    script = renderer.ctx.links.assets.generated[ref["src"].removeprefix("files/")].decode()
    assert ref["$plData"] in script and weights in script


def test_other_widgets_and_unknown_models_keep_their_text_or_note() -> None:
    renderer = make_renderer()
    renderer.ctx.widget_models = {"m2": {"model_module": "@jupyter-widgets/controls", "state": {}}}
    for model_id in ("m2", "missing"):
        view = {
            "output_type": "display_data",
            "data": {
                "application/vnd.jupyter.widget-view+json": {
                    "content": json.dumps({"model_id": model_id})
                },
                "text/plain": {"content": "IntSlider(value=1)"},
            },
        }
        out = renderer.render(code_cell(output(view)))
        assert "pl-anywidget" not in out and "widget-note" in out


def test_a_myst_anywidget_directive_runs_its_module_with_its_model() -> None:
    renderer = make_renderer()
    esm = b"export default { render() {} };"
    renderer.ctx.read_public = lambda name: {"w.mjs": esm}.get(name.lstrip("/"))
    out = renderer.render({"type": "anywidget", "esm": "/w.mjs", "model": {"n": 2}})
    assert 'class="output pl-anywidget"' in out and '{"n":2}' in out
    assert list(renderer.ctx.widget_sources.values()) == [esm.decode()]
    missing = make_renderer()
    assert missing.render({"type": "anywidget", "esm": "/nope.mjs", "model": {}}) == ""
    assert any("cannot read its module" in w for w in missing.ctx.warnings)


@pytest.mark.parametrize(
    ("attrs", "present", "absent"),
    [
        ({"visibility": "remove"}, [], ["cell-input", "hello stdout"]),
        ({"code_visibility": "remove"}, ["hello stdout"], ["cell-input"]),
        ({"outputs_visibility": "remove"}, ["cell-input"], ["hello stdout"]),
        ({"code_visibility": "hide"}, ['<details class="hidden-input">', "hello stdout"], []),
        ({"outputs_visibility": "hide"}, ['<details class="hidden-output">'], []),
        ({"visibility": "hide"}, ['<details class="hidden-cell">'], []),
    ],
)
def test_cell_tags_remove_and_hide(attrs: Node, present: list[str], absent: list[str]) -> None:
    out = render(code_cell(output(STDOUT), **attrs))
    for snippet in present:
        assert snippet in out
    for snippet in absent:
        assert snippet not in out


# ---------------------------------------------------------------- exercises and solutions


def exercise(**attrs: Any) -> Node:
    return {
        "type": "exercise",
        "label": "ex-sum",
        "identifier": "ex-sum",
        "html_id": "ex-sum",
        "enumerated": True,
        "enumerator": "2",
        **attrs,
    }


def test_exercise_shows_number_title_and_the_id_check_takes() -> None:
    stub = {"type": "code", "executable": True, "value": 'answer = ...\ncheck("sum", answer)'}
    out = render(
        exercise(
            children=[
                {"type": "admonitionTitle", "children": [text("Sum it")]},
                para(text("Add.")),
                {"type": "block", "kind": "notebook-code", "children": [stub]},
            ]
        )
    )
    assert out.startswith('<section class="exercise" id="ex-sum">')
    assert '<span class="exercise-number">Exercise 2</span>' in out
    assert '<span class="exercise-title">(Sum it)</span>' in out
    # the chip is what the reader passes to check() and hint(), not the MyST label ex-sum
    assert re.search(r'<code class="exercise-label"[^>]*>sum</code>', out)
    assert ">ex-sum</code>" not in out
    unnumbered = render(exercise(enumerated=False, children=[para(text("x"))]))
    assert '<span class="exercise-number">Exercise</span>' in unnumbered
    assert "exercise-label" not in unnumbered  # no check() call: no id to show


def test_solution_is_collapsed_details_linking_to_its_exercise() -> None:
    node = {
        "type": "solution",
        "html_id": "sol-sum",
        "children": [
            {
                "type": "admonitionTitle",
                "children": [
                    text("Solution to "),
                    {
                        "type": "crossReference",
                        "identifier": "ex-sum",
                        "html_id": "ex-sum",
                        "kind": "exercise",
                        "children": [text("Exercise 2")],
                    },
                ],
            },
            para(text("It is 4.")),
        ],
    }
    out = render(node)
    assert out.startswith('<details class="solution" id="sol-sum"><summary>')
    assert "open" not in out.split(">", 1)[0]
    assert 'href="#ex-sum"' in out and "It is 4." in out


def _summary(out: str) -> str:
    match = re.search(r"<summary>(.*?)</summary>", out, re.S)
    assert match, out
    return match.group(1)


def test_solution_summary_has_no_link_and_the_links_come_first_in_the_body() -> None:
    """A link inside <summary> took the click meant to open the box (axe nested-interactive):
    the summary is plain text; the exercise link and a permalink open the body."""
    title = {
        "type": "admonitionTitle",
        "children": [
            text("Solution to "),
            {
                "type": "crossReference",
                "identifier": "ex-sum",
                "html_id": "ex-sum",
                "kind": "exercise",
                "children": [text("Exercise\u00a0"), text("2")],
            },
        ],
    }
    out = render({"type": "solution", "children": [title, para(text("It is 4."))]})
    assert _summary(out) == '<span class="solution-title">Solution to Exercise\u00a02</span>'
    assert "<a" not in _summary(out)
    body = out.split("</summary>", 1)[1]
    assert body.startswith(
        '<div class="solution-body"><p class="solution-links">'
        '<a class="solution-exercise" href="#ex-sum">↑ Exercise 2</a> '
        '<a class="anchor" href="#sol-sum" aria-label="Link to this solution">#</a></p>'
    )


def test_solutions_get_stable_unique_ids_from_their_exercise() -> None:
    def solution(exercise_id: str | None, **attrs: Any) -> Node:
        ref = {"type": "crossReference", "html_id": exercise_id, "children": [text("Ex")]}
        title = {"type": "admonitionTitle", "children": [text("Solution to "), ref]}
        return {"type": "solution", "children": [title] if exercise_id else [], **attrs}

    renderer = make_renderer()
    outs = [
        renderer.render(solution("ex-gd-two-steps")),
        renderer.render(solution("ex-gd-two-steps")),  # a second solution of the same one
        renderer.render(solution("momentum")),  # an id without the ex- prefix
        renderer.render(solution("ex-sum", html_id="my-label")),  # its own label wins
        renderer.render(solution(None)),  # nothing to name it after: no id
    ]
    ids = [re.match(r'<details class="solution"(?: id="([^"]*)")?>', out) for out in outs]
    assert [m.group(1) if m else "no match" for m in ids] == [
        "sol-gd-two-steps",
        "sol-gd-two-steps-2",
        "sol-momentum",
        "my-label",
        None,
    ]
    assert "solution-links" not in outs[-1]
    assert _summary(outs[-1]) == '<span class="solution-title">Solution</span>'


def test_no_summary_holds_a_link() -> None:
    link = {"type": "link", "url": "https://example.org", "children": [text("docs")]}
    dropdown = render(
        {
            "type": "admonition",
            "kind": "note",
            "class": "dropdown",
            "children": [{"type": "admonitionTitle", "children": [text("See "), link]}],
        }
    )
    details = render(
        {
            "type": "details",
            "children": [{"type": "summary", "children": [text("See "), link]}, para(link)],
        }
    )
    for out in (dropdown, details):
        assert "<a" not in _summary(out) and "See docs" in _summary(out)
    assert '<a href="https://example.org"' in details.split("</summary>", 1)[1]


def test_wide_code_and_equations_are_keyboard_reachable_scroll_boxes() -> None:
    """A box that may scroll sideways is in the Tab order and named (axe
    scrollable-region-focusable); an equation's number sits outside its scroll box."""
    code = render({"type": "code", "lang": "python", "value": "x = 1"})
    assert '<pre class="highlight" tabindex="0" role="group" aria-label="Code">' in code
    katex = '<span class="katex-display"><span class="katex">x</span></span>'
    display = render({"type": "math", "value": "x", "html": katex, "enumerator": "2"})
    assert re.fullmatch(
        r'<div class="math-display"[^>]*><span class="katex-display" tabindex="0" role="group"'
        r' aria-label="Equation \(2\)"><span class="katex">x</span></span>'
        r'<span class="eq-number">\(2\)</span></div>',
        display,
    )
    fallback = render({"type": "math", "value": "\\frac{a}{b}", "enumerated": False})
    assert re.match(
        r'<div class="math-display"[^>]*><span class="katex-display" tabindex="0"'
        r' role="group" aria-label="Equation"><code class="tex">',
        fallback,
    )


def test_gated_exercise_and_solution_wrap_code_cells_across_blocks() -> None:
    cell = code_cell(output(STDOUT))
    solution_cell = {**code_cell(output(STDOUT)), "html_id": "cell2"}
    root = {
        "type": "root",
        "children": [
            {
                "type": "block",
                "children": [
                    {"type": "heading", "depth": 2, "children": [text("Exercises")]},
                    exercise(gate="start", children=[para(text("Do it."))]),
                ],
            },
            cell,
            {
                "type": "block",
                "html_id": "b3",
                "children": [
                    {"type": "exercise", "gate": "end"},
                    {"type": "solution", "gate": "start", "children": [para(text("Like so:"))]},
                ],
            },
            solution_cell,
            {
                "type": "block",
                "html_id": "b5",
                "children": [{"type": "solution", "gate": "end"}, para(text("After."))],
            },
        ],
    }
    joined = join_gates(root)
    types = [child["type"] for child in joined["children"]]
    assert types == ["block", "exercise", "solution", "block"]
    exercise_node, solution_node = joined["children"][1:3]
    assert exercise_node["children"][-1] is cell
    assert solution_node["children"][-1] is solution_cell
    assert "gate" not in exercise_node

    html = make_renderer().render_page(
        {"type": "root", "children": [code_cell(), *joined["children"]]}
    )
    ex_start = html.index('<section class="exercise"')
    sol_start = html.index('<details class="solution"')
    assert ex_start < html.index('id="cell1"', ex_start) < html.index("</section>", ex_start)
    assert sol_start < html.index('id="cell2"') < html.index("</details>", sol_start)
    assert html.index("After.") > html.index("</details>", sol_start)


def test_join_gates_leaves_ungated_trees_alone() -> None:
    root = {"type": "root", "children": [{"type": "block", "children": [para(text("x"))]}]}
    assert join_gates(root) == {
        "type": "root",
        "children": [{"type": "block", "children": [para(text("x"))]}],
    }


# ---------------------------------------------------------------- ANSI, highlighting


def test_ansi_colours_bold_256_and_reset() -> None:
    out = ansi_to_html("\x1b[1;32mok\x1b[0m plain \x1b[38;5;196mred\x1b[0m \x1b[2Kgone")
    assert '<span class="ansi-green-intense-fg ansi-bold">ok</span> plain ' in out
    assert '<span style="color: rgb(255,0,0)">red</span>' in out
    assert out.endswith(" gone")


def test_ansi_classes_are_coloured_by_the_stylesheet() -> None:
    """Every colour class nbconvert's ansi2html writes for the 16 colours has a rule."""
    css = (
        Path(__file__).resolve().parents[1] / "src/pytorch_lessons_site/static/style.css"
    ).read_text()
    names = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
    for code in [*range(30, 38), *range(90, 98)]:
        classes = re.findall(r'class="([^"]+)"', ansi_to_html(f"\x1b[{code}mx\x1b[0m"))
        assert classes and classes[0] in css, (code, classes)
    assert all(f".ansi-{name}-fg" in css for name in names)


def test_carriage_returns_keep_the_last_frame() -> None:
    assert collapse_carriage_returns("10%\r50%\r100%\nnext") == "100%\nnext"


def test_pygments_css_has_light_and_dark_rules() -> None:
    css = pygments_css()
    assert ".highlight .k " in css
    assert ":root[data-theme='dark'] .highlight .k " in css
    # the dark colours are for screens only: a page printed from the dark theme prints light
    assert "@media screen and (prefers-color-scheme: dark)" in css
    assert "@media screen {\n:root[data-theme='dark']" in css
    assert highlight_code("x", None) == "x"


def test_every_code_colour_is_readable_on_the_code_background_of_its_theme() -> None:
    """WCAG AA (4.5:1) for each token colour, light and dark, on the block background and on
    an emphasized line; Pygments' own comments (#3d7b7b) and `in`/`is` (#aa22ff) are not."""
    assert contrast("#3d7b7b", LIGHT_BACKGROUNDS[0]) < 4.5
    css = pygments_css()
    light, _, dark = css.partition("@media screen {")
    checked = 0
    for part, backgrounds in ((light, LIGHT_BACKGROUNDS), (dark, DARK_BACKGROUNDS)):
        for color in re.findall(r"(?<![-\w])color: (#[0-9a-fA-F]{3,6})\b", part):
            for background in backgrounds:
                assert contrast(color, background) >= 4.5, (color, background)
                checked += 1
    assert checked > 100
    assert readable("#3d7b7b", LIGHT_BACKGROUNDS) != "#3d7b7b"
    assert readable("#000000", LIGHT_BACKGROUNDS) == "#000000"  # readable colours stay


# ---------------------------------------------------------------- page shell


def test_page_shell_navigation_toc_header_and_no_external_assets() -> None:
    nav = [
        NavEntry("Intro", 1, "index", "index.html"),
        NavEntry("Part one", 1),
        NavEntry("Tensors", 1, "tensors", "tensors.html"),
        NavEntry("MNIST", 1, "mnist", "mnist.html"),
    ]
    page = PageView(
        slug="tensors",
        title="Tensors",
        body_html="<p>body</p>",
        headings=[Heading(2, "a", "A"), Heading(3, "b", "B"), Heading(4, "c", "C")],
        header_html='<section class="run-panel">RUN</section>',
    )
    out = render_shell("Book", nav, page, nav[0], nav[3])
    assert out.startswith("<!DOCTYPE html>")
    assert "<title>Tensors — Book</title>" in out
    assert '<a href="tensors.html" aria-current="page">Tensors</a>' in out
    assert '<li class="nav-group level-1">Part one</li>' in out
    assert 'rel="prev" href="index.html"' in out and 'rel="next" href="mnist.html"' in out
    assert 'href="#a"' in out and 'href="#b"' in out and 'href="#c"' not in out
    assert re.search(r'<h1>Tensors</h1></header>\s*<section class="run-panel">RUN</section>', out)
    assert 'id="search-input"' in out and "theme-toggle" in out
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", out)
    assert "katex.min.css" not in out
    with_math = render_shell("Book", nav, PageView("tensors", "T", "", has_math=True), None, None)
    assert '<link rel="stylesheet" href="assets/katex/katex.min.css">' in with_math


# ---------------------------------------------------------------- whole site from a folder


TINY_NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {},
    "cells": [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Digits"},
        {
            "cell_type": "code",
            "id": "s",
            "metadata": {"tags": ["solution"]},
            "source": "answer = 42",
            "outputs": [],
            "execution_count": 1,
        },
    ],
}


def write_site(root: Path) -> None:
    """A two-page MyST site folder, as ``myst build --html`` leaves it."""
    (root / "content").mkdir(parents=True)
    (root / "public").mkdir()
    config = {
        "title": "Tiny",
        "projects": [
            {
                "title": "Tiny",
                "index": "index",
                "pages": [{"slug": "mnist", "title": "Digits with MNIST", "level": 1}],
            }
        ],
    }
    (root / "config.json").write_text(json.dumps(config))
    intro = {
        "frontmatter": {"title": "Welcome"},
        "mdast": {
            "type": "root",
            "children": [
                para({"type": "link", "url": "/mnist", "children": [text("to MNIST")]}),
                {"type": "image", "url": "/pic-1.png", "alt": "pic"},
            ],
        },
    }
    mnist = {
        "frontmatter": {
            "title": "Digits with MNIST",
            "exports": [
                {"format": "ipynb", "filename": "07-mnist.ipynb", "url": "/07-mnist-9.ipynb"}
            ],
        },
        "mdast": {"type": "root", "children": [code_cell(output(STDOUT))]},
    }
    (root / "content" / "index.json").write_text(json.dumps(intro))
    (root / "content" / "mnist.json").write_text(json.dumps(mnist))
    (root / "public" / "pic-1.png").write_bytes(b"png")
    (root / "public" / "07-mnist-9.ipynb").write_text(json.dumps(TINY_NOTEBOOK))
    (root / "public" / "unused-2.png").write_bytes(b"png")
    records = [
        {
            "hierarchy": {"lvl1": "Digits with MNIST"},
            "type": "lvl1",
            "url": "/mnist",
            "position": 0,
        },
        {"hierarchy": {"lvl1": "Welcome"}, "type": "content", "content": "hi", "url": "/"},
    ]
    (root / "myst.search.json").write_text(json.dumps({"version": "1", "records": records}))


def test_build_site_from_folder(tmp_path: Path) -> None:
    site, out = tmp_path / "_build" / "site", tmp_path / "_build" / "html"
    write_site(site)
    (out / "assets").mkdir(parents=True)
    (out / "stale.html").write_text("old")
    (out / "_screenshots").mkdir()
    source = open_source(None, out, None)
    assert isinstance(source, DirectorySource) and source.root == site.resolve()

    result = build_site(source, out)

    assert [p.name for p in result.pages] == ["index.html", "mnist.html"]
    assert not (out / "stale.html").exists() and (out / "_screenshots").is_dir()
    index = (out / "index.html").read_text()
    assert 'href="mnist.html"' in index and 'src="files/pic-1.png"' in index
    mnist = (out / "mnist.html").read_text()
    assert "hello stdout" in mnist and 'download="07-mnist.ipynb"' in mnist
    assert 'rel="prev" href="index.html"' in mnist
    assert sorted(p.name for p in (out / "files").iterdir()) == ["07-mnist.ipynb", "pic-1.png"]
    student = (out / "files" / "07-mnist.ipynb").read_text()  # the student edition
    assert "# Digits" in student and "answer = 42" not in student
    assert {"style.css", "site.js", "pygments.css", "favicon.svg"} <= {
        p.name for p in (out / "assets").iterdir()
    }
    search = json.loads((out / "myst.search.json").read_text())
    assert [r["url"] for r in search["records"]] == ["mnist.html", "index.html"]
    script = (out / "search-index.js").read_text()
    assert script.startswith("window.PL_SEARCH_INDEX = ") and "MNIST" in script


def test_open_source_reports_what_it_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no MyST site JSON in"):
        open_source(tmp_path / "missing", tmp_path / "html", None)
    with pytest.raises(FileNotFoundError, match="run `myst build --html`"):
        open_source(None, tmp_path / "html", None)
    write_site(tmp_path / "_build" / "site")
    source = open_source(None, None, None)
    assert isinstance(source, DirectorySource) and source.root.name == "site"


def test_more_output_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    renderer = make_renderer()
    inline_png = {"output_type": "display_data", "data": {"image/png": {"content": "iVBORw0K"}}}
    latex = {"output_type": "execute_result", "data": {"text/latex": {"content": "$x<1$"}}}
    script = {"output_type": "display_data", "data": {"application/javascript": {"content": "1;"}}}
    bare_error = {"output_type": "error", "ename": "KeyError", "evalue": "'k'", "traceback": []}
    out = renderer.render(
        code_cell(
            output(inline_png),
            output(latex),
            output(script),
            output(bare_error),
            output({"output_type": "mystery"}),
            output({"output_type": "display_data", "data": {"text/html": {"path": "/gone.html"}}}),
            output({**STDOUT, "path": "/gone.txt"}),
        )
    )
    (name,) = renderer.ctx.links.assets.generated
    assert name.endswith(".png") and f'src="files/{name}"' in out
    assert '<pre class="output text-latex">$x&lt;1$</pre>' in out
    assert "<script>1;</script>" in out
    assert html.unescape(out).count("KeyError: 'k'") == 1
    assert "hello stdout" in out  # truncated text shown when the full file is missing
    err = capsys.readouterr().err
    assert "mystery" in err and "gone.html" in err and "gone.txt" in err


def test_main_builds_from_a_site_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pytorch_lessons_site.__main__ import main

    write_site(tmp_path / "site")
    assert main(["--site-dir", str(tmp_path / "site"), "--out", str(tmp_path / "html")]) == 0
    assert (tmp_path / "html" / "mnist.html").is_file()
    assert "2 pages written" in capsys.readouterr().err


def test_http_source_reads_mysts_content_server(tmp_path: Path) -> None:
    """The fallback when _build/site cannot be found: MyST's content server (CONTENT_CDN)."""
    import functools
    import http.server
    import shutil
    import threading

    from pytorch_lessons_site.source import HttpSource

    write_site(tmp_path / "site")
    served = tmp_path / "served"  # the content server's layout: public files at the root
    shutil.copytree(tmp_path / "site", served)
    for path in (served / "public").iterdir():
        path.rename(served / path.name)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        source = open_source(None, tmp_path / "nowhere" / "html", base)  # no _build/site there
        assert isinstance(source, HttpSource)
        assert source.read_public("/no-such-file.png") is None
        with pytest.raises(FileNotFoundError):
            source.read_json("content/missing.json")
        build_site(source, tmp_path / "html")
    finally:
        server.shutdown()
        server.server_close()
    assert (tmp_path / "html" / "files" / "pic-1.png").read_bytes() == b"png"
    assert "hello stdout" in (tmp_path / "html" / "mnist.html").read_text()


def test_dangling_anchors() -> None:
    page = '<h2 id="a">A</h2><a href="#a">ok</a><a href="#gone">bad</a><a href="x.html#y">x</a>'
    assert dangling_anchors(page) == ["gone"]


# ---------------------------------------------------------------- code markers, images


def test_nbval_markers_are_not_shown_or_copied() -> None:
    cell = {
        "type": "code",
        "executable": True,
        "lang": "python",
        "value": "# NBVAL_IGNORE_OUTPUT\nx = 1\n  #NBVAL_RAISES_EXCEPTION \nprint(x)",
    }
    out = render(cell)
    assert "NBVAL_" not in out
    assert "x" in out and "print" in out


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG file of the given size: all :func:`image_size` reads."""
    ihdr = struct.pack(">II", width, height) + b"\x08\x06\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (png_header(640, 480), (640, 480)),
        (b"GIF89a" + struct.pack("<HH", 3, 2) + b"\0" * 8, (3, 2)),
        (b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08" + struct.pack(">HH", 20, 30), (30, 20)),
        (b'<?xml version="1.0"?>\n<svg width="460.8pt" height="345.6pt" x="1">', (614, 461)),
        (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 12"><path/></svg>', (24, 12)),
        (b'<svg width="100%" viewBox="0,0,10,5"></svg>', (10, 5)),
        (b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (99).to_bytes(3, "little") * 2, (100, 100)),
        (b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f" + (9 | 4 << 14).to_bytes(4, "little"), (10, 5)),
        (b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 10 + struct.pack("<HH", 7, 8), (7, 8)),
        (
            b"\xff\xd8\xff\xe1\x00\x02\xff\xc4\x00\x02\xff\xc2\x00\x11\x08"
            + struct.pack(">HH", 4, 6),
            (6, 4),
        ),
        (b"\xff\xd8junk-after-the-start-of-image", None),
        (b"\x89PNG fake", None),
        (b"", None),
        (b"<p>no picture</p>", None),
    ],
)
def test_image_size_from_headers(data: bytes, size: tuple[int, int] | None) -> None:
    assert image_size(data) == size


def test_images_have_sizes_and_load_lazily() -> None:
    public = {"plot.png": png_header(808, 128), "pic.png": png_header(40, 20)}
    assets = AssetRegistry(public_exists=lambda name: name in public)
    links = LinkResolver(page_files=PAGES, index_slug="index", assets=assets)
    renderer = Renderer(RenderContext(links=links, read_public=lambda n: public.get(n.lstrip("/"))))
    png = {"output_type": "display_data", "data": {"image/png": {"path": "/plot.png"}}}
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="10"></svg>'
    inline_svg = {"output_type": "display_data", "data": {"image/svg+xml": {"content": svg}}}
    out = renderer.render(code_cell(output(png), output(inline_svg)))
    tags = re.findall(r"<img [^>]*>", out)
    assert len(tags) == 2
    assert 'width="808" height="128"' in tags[0] and 'width="30" height="10"' in tags[1]
    image = renderer.render({"type": "image", "url": "/pic.png", "alt": "a picture"})
    assert 'width="40" height="20"' in image
    for tag in [*tags, image]:
        assert 'loading="lazy"' in tag and 'decoding="async"' in tag
    unknown = render({"type": "image", "url": "/plot-abc.png", "alt": "x"})  # no real header
    assert "width=" not in unknown and 'loading="lazy"' in unknown


# ---------------------------------------------------------------- plain text: search, description

KATEX_J = (
    '<span class="katex"><span class="katex-mathml"><math xmlns="http://www.w3.org/1998/Math/'
    'MathML"><semantics><mrow><mi>J</mi><mo stretchy="false">(</mo><mi>θ</mi><mo stretchy="false"'
    "></mo><mo>=</mo><msubsup><mi>θ</mi><mn>1</mn><mn>2</mn></msubsup><mo>+</mo><mn>10</mn>"
    "<mtext>\u00a0</mtext><msubsup><mi>θ</mi><mn>2</mn><mn>2</mn></msubsup></mrow><annotation "
    'encoding="application/x-tex">J(\\theta) = \\theta_1^2 + 10\\,\\theta_2^2</annotation>'
    '</semantics></math></span><span class="katex-html" aria-hidden="true">J θ</span></span>'
).replace('"></mo>', '">)</mo>', 1)
KATEX_FRAC = (
    '<math><semantics><mrow><mfrac><mrow><mi mathvariant="normal">∂</mi><mi>L</mi></mrow><mrow>'
    '<mi mathvariant="normal">∂</mi><mi>w</mi></mrow></mfrac><mo>=</mo><mover accent="true"><mi>y'
    '</mi><mo>^</mo></mover><mo>+</mo><msqrt><mi>x</mi></msqrt></mrow><annotation encoding="appl'
    'ication/x-tex">\\frac{\\partial L}{\\partial w} = \\hat y + \\sqrt{x}</annotation></semantics>'
    "</math>"
)


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"type": "inlineMath", "value": "J(\\theta)", "html": KATEX_J}, "J(θ) = θ₁²+10 θ₂²"),
        ({"type": "math", "value": "...", "html": KATEX_FRAC}, "(∂L)/(∂w) = ŷ+√x"),
        ({"type": "inlineMath", "value": "\\alpha \\cdot \\frac{1}{2}"}, "α · 12"),
        ({"type": "math", "value": "x", "html": "<p>no MathML</p>"}, "x"),
        (
            {
                "type": "math",
                "html": "<math><mrow><mroot><mi>x</mi><mn>3</mn></mroot><mo>+</mo><munderover>"
                "<mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover>"
                "<munder><mi>a</mi><mo>⏟</mo></munder><mphantom><mi>z</mi></mphantom><mtable>"
                "<mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd></mtr><mtr><mtd><mi>c</mi>"
                "</mtd></mtr></mtable><msup><mi>e</mi><mrow><mi>x</mi><mo>+</mo><mi>y</mi>"
                "</mrow></msup><msub><mi>y</mi><mi>max</mi></msub></mrow></math>",
            },
            "³√x+∑ᵢ₌₁ⁿaa b; ce^(x+y)yₘₐₓ",
        ),
    ],
)
def test_math_as_readable_text(node: Node, expected: str) -> None:
    assert math_text(node) == expected


def test_plain_text_of_blocks_and_inline_math() -> None:
    tree = {
        "type": "root",
        "children": [
            para(text("Loss "), {"type": "inlineMath", "value": "J", "html": KATEX_J}, text(".")),
            {"type": "code", "value": "loss.backward()"},
            code_cell(output(STDOUT)),
        ],
    }
    # code keeps its text; the cell's outputs are left out
    assert plain_text(tree) == "Loss J(θ) = θ₁²+10 θ₂².\n\nloss.backward()\n\nrun()"


def test_description_is_frontmatter_first_paragraph_or_project() -> None:
    long = "One sentence that says what the page is about. " * 2 + "And more words " * 10
    doc = {"frontmatter": {}, "mdast": {"type": "root", "children": [para(text(long))]}}
    description = page_description(doc, "Project")
    assert description == "One sentence that says what the page is about. " * 1 + (
        "One sentence that says what the page is about."
    )
    assert len(shorten("word " * 100)) <= DESCRIPTION_LENGTH and shorten("word " * 100)[-1] == "…"
    given = {"frontmatter": {"description": "Given."}, "mdast": doc["mdast"]}
    assert page_description(given, "Project") == "Given."
    assert page_description({"mdast": {"type": "root", "children": []}}, "Project") == "Project"
    cited = para(
        text("MNIST "),
        {"type": "citeGroup", "children": [{"type": "cite", "children": [text("LeCun, 1998")]}]},
        text(", the digits."),
    )
    assert (
        page_description({"mdast": {"type": "root", "children": [cited]}}) == "MNIST, the digits."
    )


def test_search_records_get_readable_section_text() -> None:
    mdast = {
        "type": "root",
        "children": [
            {
                "type": "block",
                "children": [
                    para(text("Intro.")),
                    {"type": "heading", "depth": 2, "html_id": "loss", "children": [text("L")]},
                    para(text("It is "), {"type": "inlineMath", "value": "J", "html": KATEX_J}),
                ],
            },
            {"type": "block", "children": [{"type": "code", "value": "x_i = 1"}]},
        ],
    }
    sections = section_texts(mdast)
    assert sections == {None: "Intro.", "loss": "It is J(θ) = θ₁²+10 θ₂²\n\nx_i = 1"}
    records = [
        {"type": "lvl2", "url": "/ch#loss"},
        {"type": "content", "url": "/ch#loss", "content": "It is J(\\theta) = \\theta_1^2"},
        {"type": "content", "url": "/ch", "content": "Intro."},
        {"type": "content", "url": "/other#x", "content": "kept \\alpha"},
    ]
    readable_records(records, {"ch": sections}, "index")
    assert [r.get("content") for r in records] == [None, sections["loss"], "Intro.", "kept \\alpha"]


def test_edit_url_for_github_and_gitlab() -> None:
    assert edit_url("", "main", "book/a.md") == ""
    assert (
        edit_url("https://github.com/o/pytorch-lessons.git", "", "book/a.md")
        == "https://github.com/o/pytorch-lessons/edit/main/book/a.md"
    )
    assert (
        edit_url("https://gitlab.com/o/r/", "dev", "book/a.md")
        == "https://gitlab.com/o/r/-/edit/dev/book/a.md"
    )


def test_last_updated_from_git_else_the_file_time(tmp_path: Path) -> None:
    (tmp_path / "myst.yml").write_text("version: 1\n")
    (tmp_path / "book").mkdir()
    md, nb = tmp_path / "book" / "01-a.md", tmp_path / "book" / "01-a.ipynb"
    md.write_text("# A\n")
    nb.write_text("{}")
    os.utime(md, (1_700_000_000, 1_700_000_000))
    os.utime(nb, (1_600_000_000, 1_600_000_000))
    doc = {"location": "/book/01-a.ipynb"}
    assert project_root(tmp_path / "_build" / "site") == tmp_path
    files = source_files(doc, tmp_path)
    assert files == [md, nb]  # the authoring source first: the page to edit
    newest = datetime.date.fromtimestamp(1_700_000_000).isoformat()
    assert last_updated(files, tmp_path) == newest  # no repository: the newest file time
    if shutil.which("git") is None:
        return
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_COMMITTER_DATE": "2021-03-04T05:06:07Z",
        "GIT_AUTHOR_DATE": "2021-03-04T05:06:07Z",
    }
    for args in (["init", "-q"], ["add", "book"], ["commit", "-q", "-m", "a"]):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, env=env)
    assert last_updated(files, tmp_path) == "2021-03-04"
    assert repository_path(md, tmp_path) == "book/01-a.md"


def test_built_pages_get_description_date_edit_link_and_outline(tmp_path: Path) -> None:
    site, out = tmp_path / "_build" / "site", tmp_path / "_build" / "html"
    write_site(site)
    config = json.loads((site / "config.json").read_text())
    config["projects"][0]["description"] = "A tiny book."
    config["options"] = {"repository_url": "https://github.com/o/tiny"}
    (site / "config.json").write_text(json.dumps(config))
    mnist = json.loads((site / "content" / "mnist.json").read_text())
    mnist["location"] = "/book/07-mnist.ipynb"
    mnist["mdast"]["children"].insert(
        0, {"type": "heading", "depth": 2, "html_id": "part", "children": [text("Part")]}
    )
    (site / "content" / "mnist.json").write_text(json.dumps(mnist))
    (tmp_path / "myst.yml").write_text("version: 1\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "07-mnist.md").write_text("# Digits\n")
    (tmp_path / "book" / "07-mnist.ipynb").write_text("{}")

    build_site(DirectorySource(site), out)

    index = (out / "index.html").read_text()
    assert '<meta name="description" content="to MNIST">' in index  # its first paragraph
    assert "Edit this page" not in index  # no source file: nothing to edit
    page = (out / "mnist.html").read_text()
    assert '<meta name="description" content="A tiny book.">' in page  # no paragraph of its own
    assert re.search(r'Last updated <time datetime="\d{4}-\d\d-\d\d">', page)
    assert 'href="https://github.com/o/tiny/edit/main/book/07-mnist.md"' in page
    outline = re.search(r'<details class="page-outline">.*?</details>', page, re.S)
    assert outline and 'href="#part"' in outline.group(0)


# ---------------------------------------------------------------- figures, equations, citations,
# cross-reference previews, Chinese text, the glossary

PNG_OUTPUT = {
    "output_type": "display_data",
    "metadata": {},
    "data": {
        "image/png": {"content_type": "image/png", "hash": "abc", "path": "/plot-abc.png"},
        "text/plain": {"content": "<Figure size 480x280 with 1 Axes>"},
    },
}


def figure_cell(alt: str | None = "Two falling curves", label: str = "fig-loss") -> Node:
    """A code cell with ``label``/``caption`` (and ``alt``) metadata, as MyST delivers it."""
    caption = {
        "type": "caption",
        "children": [
            para(
                {
                    "type": "captionNumber",
                    "kind": "figure",
                    "html_id": label,
                    "children": [text("Figure\u00a03:")],
                },
                text("The loss "),
                {"type": "emphasis", "children": [text("falls")]},
                text("."),
            )
        ],
    }
    return {
        "type": "block",
        "kind": "notebook-code",
        "html_id": label,  # MyST gives the labelled cell the figure's id as well
        "data": {"alt": alt} if alt else {},
        "children": [
            {
                "type": "container",
                "kind": "figure",
                "identifier": label,
                "html_id": label,
                "enumerator": "3",
                "children": [
                    {"type": "code", "lang": "python", "executable": True, "value": "plot()"},
                    {"type": "outputs", "children": [output(PNG_OUTPUT)]},
                    caption,
                ],
            }
        ],
    }


def page_renderer(slug: str = "tensors", **docs: Node) -> Renderer:
    """A renderer for page ``slug`` of a site whose pages' JSON are ``docs`` (by slug)."""
    renderer = make_renderer()
    renderer.ctx.page = slug
    renderer.ctx.page_docs = docs
    return renderer


def root(*children: Node) -> Node:
    return {"type": "root", "children": list(children)}


def test_a_captioned_code_cell_is_a_numbered_figure_with_one_id_and_the_cells_alt() -> None:
    out = page_renderer().render_page(root(figure_cell()))
    assert '<figure id="fig-loss" class="figure kind-figure cell-figure">' in out
    assert out.count('id="fig-loss"') == 1  # the cell's block gave it up
    assert 'alt="Two falling curves"' in out and "Cell output" not in out
    assert '<span class="caption-number">Figure\u00a03:</span> The loss <em>falls</em>.' in out
    assert out.index("<img") < out.index("<figcaption>")  # the caption under the plot


@pytest.mark.parametrize(
    ("cell_alt", "metadata", "in_figure", "alt", "caption"),
    [
        # the author's alt (a code-cell option) wins over what the plot helper stored
        ("Author's words", {"alt": "Helper's words"}, True, "Author's words", None),
        (None, {"alt": "Helper's words", "title": "Loss"}, True, "Helper's words", None),
        # no alt anywhere: the figure's caption, as plain text
        (None, {}, True, "Figure caption: The loss falls.", None),
        # an old notebook, a cell without caption: the stored title, shown as caption too
        (None, {"title": "Learning-rate schedules"}, False, "Learning-rate schedules", "same"),
    ],
)
def test_image_alt_text_comes_from_the_cell_then_the_output_then_the_caption(
    cell_alt: str | None, metadata: Node, in_figure: bool, alt: str, caption: str | None
) -> None:
    data = {**PNG_OUTPUT, "metadata": {"image/png": metadata}}
    if in_figure:
        cell = figure_cell(cell_alt)
        cell["children"][0]["children"][1]["children"] = [output(data)]
    else:
        cell = code_cell(output(data), data={"alt": cell_alt} if cell_alt else {})
    out = page_renderer().render_page(root(cell))
    expected = "The loss falls." if alt.startswith("Figure caption") else alt
    assert f'alt="{html.escape(expected)}"' in out
    if caption:
        assert f"<figcaption>{html.escape(expected)}</figcaption>" in out
        assert '<figure class="output image output-figure">' in out
    elif not in_figure:
        assert "<figcaption>" not in out


def test_an_image_without_any_description_warns(capsys: pytest.CaptureFixture[str]) -> None:
    out = page_renderer().render_page(root(code_cell(output(PNG_OUTPUT))))
    assert 'alt="A picture drawn by the code above"' in out and "Cell output" not in out
    assert "has no description" in capsys.readouterr().err


def test_describe_images_can_run_twice() -> None:
    from pytorch_lessons_site.outputs import CELL_TEXT, describe_images

    tree = root(figure_cell())
    describe_images(describe_images(tree))
    (out,) = tree["children"][0]["children"][0]["children"][1]["children"]
    assert out[CELL_TEXT].alt == "Two falling curves"
    assert out[CELL_TEXT].caption == "The loss falls." and out[CELL_TEXT].in_figure
    assert "html_id" not in tree["children"][0]


def test_every_numbered_equation_gets_an_id() -> None:
    labelled = render({"type": "math", "value": "x", "enumerator": "1", "html_id": "eq-x"})
    assert labelled.startswith('<div class="math-display" id="eq-x">')
    unlabelled = render({"type": "math", "value": "y", "enumerator": "2"})
    assert unlabelled.startswith('<div class="math-display" id="equation-2">')
    assert '<span class="eq-number">(2)</span>' in unlabelled
    unnumbered = render({"type": "math", "value": "z", "enumerated": False, "enumerator": "3"})
    assert unnumbered.startswith('<div class="math-display">')


LECUN = (
    "LeCun, Y., Bottou, L., Bengio, Y., &amp; Haffner, P. (1998). Gradient-based learning applied"
    ' to document recognition. <i>Proceedings of the IEEE</i>. <a target="_blank"'
    ' rel="noreferrer" href="https://doi.org/10.1109/5.726791">10.1109/5.726791</a>'
)
REFERENCES = {
    "cite": {
        "order": ["lecun1998", "kingma2015"],
        "data": {
            "lecun1998": {"label": "lecun1998", "enumerator": "1", "html": LECUN},
            "kingma2015": {"label": "kingma2015", "enumerator": "2", "html": "Kingma, D. P."},
        },
    }
}


def cite(label: str, kind: str, *children: Node) -> Node:
    return {
        "type": "cite",
        "kind": kind,
        "label": label,
        "identifier": label,
        "children": list(children),
    }


def test_citations_link_to_the_references_list_at_the_end_of_the_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tree = root(
        para(
            text("MNIST "),
            {
                "type": "citeGroup",
                "kind": "parenthetical",
                "children": [
                    cite("lecun1998", "parenthetical", text("LeCun "), text("et al., 1998")),
                    cite("kingma2015", "parenthetical", text("Kingma & Ba, 2015")),
                ],
            },
            text(" and "),
            {
                "type": "citeGroup",
                "kind": "narrative",
                "children": [cite("kingma2015", "narrative", text("Kingma & Ba (2015)"))],
            },
            {"type": "citeGroup", "kind": "narrative", "children": [cite("nope", "narrative")]},
        )
    )
    renderer = page_renderer("mnist", mnist={"mdast": tree, "references": REFERENCES})
    out = renderer.render_page(tree)
    assert (
        '<span class="cite-group">(<a class="citation" href="#ref-lecun1998" data-preview="xp-1">'
        "LeCun et al., 1998</a>; "
        '<a class="citation" href="#ref-kingma2015" data-preview="xp-2">Kingma &amp; Ba, 2015</a>)'
        "</span>"
    ) in out
    assert '<span class="cite-group"><a class="citation" href="#ref-kingma2015"' in out
    references = re.search(r'<section class="references".*?</section>', out, re.S)
    assert references, out
    items = re.findall(r'<li id="(ref-[^"]+)">', references.group(0))
    assert items == ["ref-lecun1998", "ref-kingma2015"]  # the order of first citation
    assert 'class="external" rel="noopener noreferrer" href="https://doi.org/' in out
    assert 'target="_blank"' not in out
    assert Heading(2, "references", "References") in renderer.headings
    preview = re.search(r'<template id="xp-1"[^>]*>(.*?)</template>', out, re.S)
    assert (
        preview and "Gradient-based learning" in preview.group(1) and "<a " not in preview.group(1)
    )
    assert '<cite class="citation unresolved">' in out
    assert "'nope' is not in the bibliography" in capsys.readouterr().err
    assert "<section" not in page_renderer("x", x={"mdast": root()}).render_page(root())


def heading(depth: int, ident: str, *children: Node) -> Node:
    return {
        "type": "heading",
        "depth": depth,
        "identifier": ident,
        "html_id": ident,
        "children": list(children),
    }


def xref(ident: str, kind: str, label: str, url: str | None = None) -> Node:
    node = {
        "type": "crossReference",
        "identifier": ident,
        "html_id": ident,
        "kind": kind,
        "resolved": True,
        "children": [text(label)],
    }
    if url:
        node.update(remote=True, url=url)
    return node


def preview_of(page_html: str, link_text: str) -> str:
    """The text of the preview template of the link whose text is ``link_text``."""
    link = re.search(
        r'<a [^>]*data-preview="(xp-\d+)"[^>]*>' + re.escape(link_text) + "</a>", page_html
    )
    assert link, f"no previewed link {link_text!r}"
    found = re.search(f'<template id="{link.group(1)}"[^>]*>(.*?)</template>', page_html, re.S)
    assert found
    assert " id=" not in found.group(1) and "<a " not in found.group(1)
    assert "data-preview" not in found.group(1) and "tabindex" not in found.group(1)
    return found.group(1)


def test_cross_references_carry_previews_of_their_targets_on_this_page_and_others() -> None:
    exercise = {
        "type": "exercise",
        "identifier": "ex-sum",
        "html_id": "ex-sum",
        "enumerator": "2",
        "children": [
            {"type": "admonitionTitle", "children": [text("Sums")]},
            para(text("Add the rows of a matrix.")),
            code_cell(),
        ],
    }
    math = {
        "type": "math",
        "value": "y = 2x",
        "identifier": "eq-line",
        "html_id": "eq-line",
        "enumerator": "1",
        "html": '<span class="katex">y = 2x</span>',
    }
    body = root(
        {
            "type": "block",
            "children": [
                heading(2, "sec-shapes", text("Shapes")),
                para(text("Every tensor has a shape.")),
            ],
        },
        {
            "type": "block",
            "children": [para(text("More on shapes."), xref("eq-line", "equation", "(1)"))],
        },
        figure_cell(),
        math,
        exercise,
        para(
            xref("sec-shapes", "heading", "Shapes"),
            xref("fig-loss", "figure", "Figure 3"),
            xref("eq-line", "equation", "(1)"),
            xref("ex-sum", "exercise", "Exercise 2"),
            xref("term-tensor", "definitionTerm", "tensors", url="/mnist"),
            {
                "type": "link",
                "url": "/mnist",
                "internal": True,
                "identifier": "ch-mnist",
                "children": [text("Chapter 07")],
            },
            xref("missing", "heading", "Gone"),
        ),
    )
    glossary = {
        "frontmatter": {"title": "07 · MNIST"},
        "mdast": root(
            {"type": "block", "children": [para(text("Seventy thousand digits."))]},
            {
                "type": "glossary",
                "children": [
                    {
                        "type": "definitionList",
                        "children": [
                            {
                                "type": "definitionTerm",
                                "identifier": "term-tensor",
                                "html_id": "term-tensor",
                                "children": [text("tensor")],
                            },
                            {
                                "type": "definitionDescription",
                                "children": [text("张量 · 01 Tensors")],
                            },
                        ],
                    }
                ],
            },
        ),
    }
    renderer = page_renderer("tensors", tensors={"mdast": body}, mnist=glossary)
    out = renderer.render_page(body)

    section = preview_of(out, "Shapes")
    assert '<p class="preview-title">Shapes</p>' in section
    assert "Every tensor has a shape." in section and "More on shapes." in section
    assert "data-preview" not in section  # the (1) inside the section's text: no nested preview
    figure = preview_of(out, "Figure 3")
    assert 'src="files/plot-abc.png"' in figure and "The loss <em>falls</em>." in figure
    assert "plot()" not in figure  # the picture, not the code that drew it
    assert "y = 2x" in preview_of(out, "(1)")
    exercise_preview = preview_of(out, "Exercise 2")
    assert "Exercise 2 (Sums)" in exercise_preview and "Add the rows" in exercise_preview
    term = preview_of(out, "tensors")
    assert '<p class="preview-title">tensor</p>' in term and '<span lang="zh">张量</span>' in term
    assert '<p class="preview-source">07 · MNIST</p>' in term  # from another page: which one
    chapter = preview_of(out, "Chapter 07")
    assert "07 · MNIST" in chapter and "Seventy thousand digits." in chapter
    assert re.search(r'<a class="xref xref-heading" href="#missing">Gone</a>', out)
    # one template per target, however often it is linked
    assert len(re.findall(r"<template ", out)) == len(
        set(re.findall(r'data-preview="(xp-\d+)"', out))
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("English ↔ 中文 glossary", 'English ↔ <span lang="zh">中文</span> glossary'),
        ("CUDA（英伟达 GPU 计算平台）", 'CUDA<span lang="zh">（英伟达 GPU 计算平台）</span>'),
        (
            "Adam 优化器（自适应矩估计） · 04",
            'Adam <span lang="zh">优化器（自适应矩估计）</span> · 04',
        ),
        ("批归一化、批量归一化", '<span lang="zh">批归一化、批量归一化</span>'),
        ("no Chinese <here>", "no Chinese &lt;here&gt;"),
    ],
)
def test_chinese_runs_are_marked_lang_zh(value: str, expected: str) -> None:
    assert render(text(value)) == expected


def test_chinese_in_headings_is_marked_in_the_page_contents_too() -> None:
    from tests.test_site_build import chinese_outside_lang_zh

    renderer = make_renderer()
    body = renderer.render(heading(2, "sec-glossary", text("Glossary · 术语表")))
    body += renderer.render(para(text("准确率 · accuracy")))
    view = PageView(slug="appendix", title="Appendix", body_html=body, headings=renderer.headings)
    page = render_shell(
        "Book", [NavEntry("Appendix", 1, "appendix", "appendix.html")], view, None, None
    )
    assert '<a href="#sec-glossary">Glossary · <span lang="zh">术语表</span></a>' in page
    assert chinese_outside_lang_zh(page) == []
    assert chinese_outside_lang_zh("<p>术语表</p>") == ["术语表"]


def test_glossary_terms_render_as_a_definition_list_that_term_roles_link_to(
    capsys: pytest.CaptureFixture[str],
) -> None:
    glossary = {
        "type": "glossary",
        "children": [
            {
                "type": "definitionList",
                "children": [
                    {
                        "type": "definitionTerm",
                        "identifier": "term-data type (dtype)",
                        "html_id": "term-data-type-dtype",
                        "label": "data type (dtype)",
                        "children": [text("data type (dtype)")],
                    },
                    {
                        "type": "definitionDescription",
                        "children": [
                            text("数据类型 · "),
                            {
                                "type": "link",
                                "url": "/tensors",
                                "internal": True,
                                "identifier": "ch-tensors",
                                "children": [text("01 Tensors")],
                            },
                        ],
                    },
                ],
            }
        ],
    }
    term = xref("term-data-type-dtype", "definitionTerm", "dtype")
    tree = root(glossary, para({"type": "strong", "children": [term]}))
    out = page_renderer(
        "index", index={"mdast": tree}, tensors={"mdast": root(para(text("Tensors.")))}
    ).render_page(tree)
    assert '<div class="glossary"><dl><dt id="term-data-type-dtype">data type (dtype)</dt>' in out
    assert '<dd><span lang="zh">数据类型</span> · <a href="tensors.html" data-preview=' in out
    assert (
        '<strong><a class="xref xref-definitionTerm" href="#term-data-type-dtype" data-preview='
        in out
    )
    assert "数据类型" in preview_of(out, "dtype")
    assert "warning" not in capsys.readouterr().err


def test_previews_of_a_labelled_cell_and_of_what_has_none() -> None:
    cell = code_cell(output(PNG_OUTPUT), html_id="cell-plot", identifier="cell-plot")
    quiet = {"type": "table", "identifier": "tbl-x", "html_id": "tbl-x", "children": []}
    body = root(
        cell,
        quiet,
        para(
            xref("cell-plot", "block", "the plot"),
            xref("tbl-x", "table", "the table"),
            xref("sec-y", "heading", "elsewhere", url="/unknown"),
        ),
    )
    out = page_renderer("tensors", tensors={"mdast": body}).render_page(body)
    assert 'src="files/plot-abc.png"' in preview_of(out, "the plot")
    assert re.search(r'href="#tbl-x">the table</a>', out)  # nothing to preview: a plain link
    assert ">elsewhere</a>" in out and out.count("<template ") == 1


def test_a_term_without_a_glossary_entry_is_unresolved(capsys: pytest.CaptureFixture[str]) -> None:
    """What MyST leaves of ``{term}`dataset``` when no glossary defines it: no kind, no id."""
    node = {"type": "crossReference", "label": "dataset", "identifier": "term-dataset"}
    out = render({**node, "children": [text("dataset")]})
    assert out == '<span class="xref unresolved">dataset</span>'
    assert "unresolved cross-reference 'term-dataset'" in capsys.readouterr().err


def test_highlighting_leaves_out_spans_that_look_like_plain_code() -> None:
    """Names, punctuation and white space look the same with or without their span, in both
    themes: the page is spared an element per token (keywords and numbers keep theirs)."""
    code = "answer = torch.tensor([1, 2])  # two"
    out = highlight_code(code, "python")
    assert not re.search(r'<span class="(n|p|w)">', out)
    assert '<span class="mi">1</span>' in out and '<span class="c1"># two</span>' in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == code
    emphasized = highlight_code("x = 1\ny = 2", "python", [2])
    assert '<span class="hll">y <span class="o">=</span>' in emphasized


def test_a_figure_on_another_page_is_previewed_with_its_cells_alt_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = {"frontmatter": {"title": "04 · Descent"}, "mdast": root(figure_cell())}
    body = root(para(xref("fig-loss", "figure", "Figure 3", url="/mnist")))
    out = page_renderer("tensors", tensors={"mdast": body}, mnist=other).render_page(body)
    preview = preview_of(out, "Figure 3")
    assert 'alt="Two falling curves"' in preview and "04 · Descent" in preview
    assert 'href="mnist.html#fig-loss"' in out
    assert "warning" not in capsys.readouterr().err
