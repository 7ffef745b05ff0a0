"""Unit tests of the static-site renderer on small hand-made MyST trees (no myst, no browser)."""

from __future__ import annotations

import json
import html
import re
from pathlib import Path
from typing import Any

import pytest

from pytorch_lessons_site.ansi import ansi_to_html, collapse_carriage_returns
from pytorch_lessons_site.build import build_site, dangling_anchors
from pytorch_lessons_site.gates import join_gates
from pytorch_lessons_site.highlighting import highlight_code, pygments_css
from pytorch_lessons_site.links import AssetRegistry, LinkResolver, page_filename
from pytorch_lessons_site.page import NavEntry, PageView, render_shell
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


def test_exercise_shows_number_title_and_label() -> None:
    out = render(
        exercise(
            children=[
                {"type": "admonitionTitle", "children": [text("Sum it")]},
                para(text("Add.")),
            ]
        )
    )
    assert out.startswith('<section class="exercise" id="ex-sum">')
    assert '<span class="exercise-number">Exercise 2</span>' in out
    assert '<span class="exercise-title">(Sum it)</span>' in out
    assert '<code class="exercise-label" title="Label">ex-sum</code>' in out
    unnumbered = render(exercise(enumerated=False, children=[para(text("x"))]))
    assert '<span class="exercise-number">Exercise</span>' in unnumbered


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
    assert "@media (prefers-color-scheme: dark)" in css
    assert highlight_code("x", None) == "x"


# ---------------------------------------------------------------- page shell


def test_page_shell_navigation_toc_download_and_no_external_assets() -> None:
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
        download=("files/01-tensors.ipynb", "01-tensors.ipynb"),
    )
    out = render_shell("Book", nav, page, nav[0], nav[3])
    assert out.startswith("<!DOCTYPE html>")
    assert "<title>Tensors — Book</title>" in out
    assert '<a href="tensors.html" aria-current="page">Tensors</a>' in out
    assert '<li class="nav-group level-1">Part one</li>' in out
    assert 'rel="prev" href="index.html"' in out and 'rel="next" href="mnist.html"' in out
    assert 'href="#a"' in out and 'href="#b"' in out and 'href="#c"' not in out
    assert 'href="files/01-tensors.ipynb" download="01-tensors.ipynb"' in out
    assert 'id="search-input"' in out and "theme-toggle" in out
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", out)
    assert "katex.min.css" not in out
    with_math = render_shell("Book", nav, PageView("tensors", "T", "", has_math=True), None, None)
    assert '<link rel="stylesheet" href="assets/katex/katex.min.css">' in with_math


# ---------------------------------------------------------------- whole site from a folder


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
    (root / "public" / "07-mnist-9.ipynb").write_text("{}")
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
