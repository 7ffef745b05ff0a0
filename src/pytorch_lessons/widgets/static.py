"""A slider over precomputed pictures: interactive HTML + JS with no kernel and no external file."""

from __future__ import annotations

import base64
import hashlib
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Hides the fallback when a live ipywidget rendered in the same output area (JupyterLab), so a
# student sees one control, while the static site -- where widgets cannot render -- shows it.
_SCRIPT = """
(function () {
  // The id comes from the labels, so sliders alike share one: set each up once.
  document.querySelectorAll('[id="%(id)s"]').forEach(function (root) {
    if (root.dataset.plReady) return;
    root.dataset.plReady = "1";
    var area = root.closest(".jp-OutputArea, .output_area, .cell");
    if (area && area.querySelector(".jupyter-widgets, .widget-area")) { root.style.display = "none"; }
    var input = root.querySelector("input[type=range]");
    var frames = root.querySelectorAll(".pl-frame");
    var value = root.querySelector(".pl-value");
    function show() {
      var k = Number(input.value);
      frames.forEach(function (f, i) { f.style.display = i === k ? "" : "none"; });
      value.textContent = frames[k].getAttribute("data-label");
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      // Page Up / Page Down: to the frame the slider names for it (e.g. a decade away)
      var key = {PageUp: "pageUp", PageDown: "pageDown"}[event.key];
      var target = key && frames[Number(input.value)].dataset[key];
      if (target === undefined || target === "") return;
      event.preventDefault();
      input.value = target;
      show();
    });
    show();
  });
})();
"""


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class PrecomputedSlider:
    """HTML for a slider that flips between precomputed frames; shown by Jupyter via ``_repr_html_``."""

    html: str
    frames: int
    label: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # what nbval compares: stable, and says what the output is
        return f"<PrecomputedSlider: {self.label}, {self.frames} frames>"


def precomputed_slider(
    frames: Sequence[tuple[str, Figure]],
    label: str,
    start: int = 0,
    caption: str = "Precomputed: move the slider to compare.",
    pages: Sequence[tuple[int, int]] | None = None,
) -> PrecomputedSlider:
    """A slider over ``frames``, each a ``(value label, matplotlib Figure)`` pair.

    The figures are embedded as PNG data, so the result needs no kernel and no other file.
    Arrow keys step one frame; ``pages`` gives, per frame, where Page Down and Page Up go
    (e.g. a decade of learning rate away).
    """
    if not frames:
        raise ValueError("precomputed_slider needs at least one frame")
    if not 0 <= start < len(frames):
        raise ValueError(f"start must be between 0 and {len(frames) - 1}, got {start}")
    if pages is not None and (
        len(pages) != len(frames) or not all(0 <= k < len(frames) for pair in pages for k in pair)
    ):
        raise ValueError("pages must give one (page down, page up) pair of frame indices per frame")
    hidden = ' style="display:none"'
    jumps = [f' data-page-down="{down}" data-page-up="{up}"' for down, up in pages or []]
    images = "\n".join(
        f'<img class="pl-frame" data-label="{html.escape(str(name))}" alt="{html.escape(label)} = '
        f'{html.escape(str(name))}"{jumps[i] if jumps else ""} src="data:image/png;base64,'
        f'{_png(fig)}"{"" if i == start else hidden}>'
        for i, (name, fig) in enumerate(frames)
    )
    # An id from the labels, not a counter or the pixels: re-running a cell, on any machine, must
    # give the same HTML (nbval compares it). Sliders with the same labels share it harmlessly.
    names = "\0".join(str(name) for name, _ in frames)
    digest = hashlib.sha1(f"{label}\0{start}\0{caption}\0{names}".encode()).hexdigest()[:12]
    uid = f"pl-slider-{digest}"
    markup = (
        f'<div class="pl-slider" id="{uid}">'
        f'<label>{html.escape(label)} <input type="range" min="0" max="{len(frames) - 1}" '
        f'step="1" value="{start}" aria-label="{html.escape(label)}"> '
        f'<output class="pl-value">{html.escape(str(frames[start][0]))}</output></label>'
        f'<div class="pl-frames">{images}</div>'
        f'<div class="pl-caption"><small>{html.escape(caption)}</small></div>'
        f"<script>{_SCRIPT % {'id': uid}}</script></div>"
    )
    return PrecomputedSlider(markup, len(frames), label)
