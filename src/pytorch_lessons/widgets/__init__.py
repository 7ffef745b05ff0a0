"""The book's interactive widgets: anywidget ESM modules drawing numbers PyTorch computed.

See :mod:`pytorch_lessons.widgets.base`: a widget's state holds its numbers, so an executed
notebook stores everything it needs -- it works in JupyterLab before any cell runs and on the
static site, and asks the kernel only for what it has no numbers for.
"""

from __future__ import annotations

from pytorch_lessons.widgets.conv_explorer import ConvExplorer, apply_kernel, show_conv_explorer
from pytorch_lessons.widgets.digit_pad import DigitPad, show_digit_pad
from pytorch_lessons.widgets.gd_playground import (
    GdPlayground,
    draw_paths,
    run_path,
    show_gd_playground,
)
from pytorch_lessons.widgets.lr_explorer import LrExplorer, show_lr_explorer, train_line
from pytorch_lessons.widgets.prediction_explorer import PredictionExplorer, show_prediction_explorer

__all__ = [
    "ConvExplorer",
    "DigitPad",
    "GdPlayground",
    "LrExplorer",
    "PredictionExplorer",
    "apply_kernel",
    "draw_paths",
    "run_path",
    "show_conv_explorer",
    "show_digit_pad",
    "show_gd_playground",
    "show_lr_explorer",
    "show_prediction_explorer",
    "train_line",
]
