"""Plumbing shared by the live (ipywidgets) side of every widget."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def labelled(box: type, name: str) -> type:
    """A subclass of the ipywidgets ``box`` whose text form is stable: what a text-only front
    end (and nbval) sees instead of the live widget."""

    def __repr__(self: Any) -> str:
        return f"<live {name}: move the controls in JupyterLab>"

    return type(f"Labelled{box.__name__}", (box,), {"__repr__": __repr__})
