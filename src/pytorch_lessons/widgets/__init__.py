"""Interactive widgets for the book, each with a static fallback.

In JupyterLab a widget is live (ipywidgets + matplotlib): move a slider and it recomputes.
Executed headless (nbval, the site build) there is no front-end to draw it, so every widget also
leaves a :func:`precomputed_slider`: the same lesson over a preset grid of values, as
self-contained HTML + JS that stays interactive on the static site without a kernel.
"""

from __future__ import annotations

from pytorch_lessons.widgets.conv_explorer import ConvExplorer, apply_kernel, show_conv_explorer
from pytorch_lessons.widgets.gd_playground import (
    GdPlayground,
    draw_paths,
    run_path,
    show_gd_playground,
)
from pytorch_lessons.widgets.lr_explorer import (
    LrExplorer,
    draw_lr_run,
    plot_fit,
    show_lr_explorer,
    train_line,
)
from pytorch_lessons.widgets.prediction_explorer import PredictionExplorer, show_prediction_explorer
from pytorch_lessons.widgets.static import PrecomputedSlider, precomputed_slider

__all__ = [
    "ConvExplorer",
    "GdPlayground",
    "LrExplorer",
    "PrecomputedSlider",
    "PredictionExplorer",
    "apply_kernel",
    "draw_lr_run",
    "draw_paths",
    "plot_fit",
    "precomputed_slider",
    "run_path",
    "show_conv_explorer",
    "show_gd_playground",
    "show_lr_explorer",
    "show_prediction_explorer",
    "train_line",
]
