"""Instructor fast mode: smaller data and fewer epochs, so every chapter runs in seconds.

Switch it on for a whole session with the environment variable ``PYTORCH_LESSONS_FAST=1``
(before starting JupyterLab), or in a notebook with ``fast_mode(True)`` before the cells that
train. Chapters size their work with ``sized(normal, fast)``.
"""

from __future__ import annotations

import os
from typing import TypeVar

FAST_VARIABLE = "PYTORCH_LESSONS_FAST"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def fast_mode(enable: bool | None = None) -> bool:
    """Whether fast mode is on; ``fast_mode(True)`` / ``fast_mode(False)`` switches it."""
    if enable is not None:
        if not isinstance(enable, bool):
            raise TypeError(f"fast_mode takes True or False, got {enable!r}")
        os.environ[FAST_VARIABLE] = "1" if enable else "0"
        return enable
    value = os.environ.get(FAST_VARIABLE, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{FAST_VARIABLE}={value!r} is not understood: use 1 (on) or 0 (off)")


def sized(normal: T, fast: T) -> T:
    """``normal`` -- or ``fast`` when fast mode is on. E.g. ``epochs = sized(3, 1)``."""
    return fast if fast_mode() else normal
