import re

import pytest
from matplotlib.figure import Figure

from pytorch_lessons.widgets.static import precomputed_slider


def _figure(value: float) -> Figure:
    fig = Figure(figsize=(1, 1), dpi=40)
    fig.add_subplot().plot([0, value])
    return fig


def test_precomputed_slider_embeds_every_frame_and_shows_the_start_one():
    slider = precomputed_slider(
        [(f"lr={v}", _figure(v)) for v in (1, 2, 3)], "learning rate", start=1
    )
    html = slider._repr_html_()
    assert html.count('class="pl-frame"') == 3 and html.count("data:image/png;base64,") == 3
    assert 'type="range" min="0" max="2" step="1" value="1"' in html
    assert html.count('style="display:none"') == 2
    assert '<output class="pl-value">lr=2</output>' in html
    assert "http" not in html  # self-contained
    assert repr(slider) == "<PrecomputedSlider: learning rate, 3 frames>"


def test_precomputed_slider_escapes_labels():
    html = precomputed_slider([("<b>", _figure(1))], "a & b").html
    assert "&lt;b&gt;" in html and "a &amp; b" in html


def test_precomputed_slider_rejects_bad_input():
    with pytest.raises(ValueError, match="at least one frame"):
        precomputed_slider([], "x")
    with pytest.raises(ValueError, match="start must be between 0 and 0"):
        precomputed_slider([("a", _figure(1))], "x", start=1)


def test_precomputed_slider_html_is_the_same_when_made_again():
    """Re-running a cell must not change its HTML: the id comes from the labels, not a counter."""
    frames = [(f"lr={v}", _figure(v)) for v in (1, 2)]
    first, second = precomputed_slider(frames, "lr").html, precomputed_slider(frames, "lr").html
    assert first == second

    def slider_id(html: str) -> str:
        return re.search(r'id="(pl-slider-[0-9a-f]+)"', html).group(1)

    assert slider_id(precomputed_slider(frames, "rate").html) != slider_id(first)


def test_page_keys_jump_where_the_slider_says():
    frames = [(f"lr={v}", _figure(v)) for v in (1, 2, 3)]
    html = precomputed_slider(frames, "lr", pages=[(0, 2), (0, 2), (0, 2)]).html
    assert html.count('data-page-down="0" data-page-up="2"') == 3
    assert "PageUp" in html  # the keyboard handler
    with pytest.raises(ValueError, match="one \\(page down, page up\\) pair"):
        precomputed_slider(frames, "lr", pages=[(0, 1)])
    with pytest.raises(ValueError, match="pair of frame indices"):
        precomputed_slider(frames, "lr", pages=[(0, 3)] * 3)
