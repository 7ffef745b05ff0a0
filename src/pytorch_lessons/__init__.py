"""Helpers for the pytorch-lessons workbook.

Small modules, one concept each, readable alone:

- :mod:`pytorch_lessons.device` -- pick a device, seed everything.
- :mod:`pytorch_lessons.data` -- where data lives, MNIST, synthetic data.
- :mod:`pytorch_lessons.plot` -- loss curves, a live loss plot, digit grids, fits, filters.
- :mod:`pytorch_lessons.evaluation` -- probabilities, confusion matrices, the mistakes.
- :mod:`pytorch_lessons.exercises` -- ``check`` and ``hint`` for the book's exercises.
- :mod:`pytorch_lessons.fast` -- instructor fast mode: ``fast_mode()``, ``sized(normal, fast)``.
- :mod:`pytorch_lessons.lesson` -- ``start_chapter()``, what a chapter's first cell sets up.
- :mod:`pytorch_lessons.widgets` -- the widgets: anywidget modules that work without a kernel.

``import pytorch_lessons`` stays light: torchvision, matplotlib and ipywidgets are imported
only by the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from pytorch_lessons.fast import fast_mode, sized
from pytorch_lessons.lesson import start_chapter

if TYPE_CHECKING:
    from pytorch_lessons.device import pick_device, set_seed

__all__ = ["__version__", "fast_mode", "pick_device", "set_seed", "sized", "start_chapter"]


def __getattr__(name: str) -> Any:
    # pick_device and set_seed need torch: import it only when they are first used, so that
    # tools that need none of it (the site builder, the command line) start quickly.
    if name in ("pick_device", "set_seed"):
        from pytorch_lessons import device

        return getattr(device, name)
    raise AttributeError(f"module 'pytorch_lessons' has no attribute {name!r}")
