"""Plumbing shared by the live (ipywidgets) side of every widget."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pytorch_lessons.fast import fast_mode


@functools.cache
def labelled(box: type, name: str) -> type:
    """A subclass of the ipywidgets ``box`` whose text form is stable: what a text-only front
    end (and nbval) sees instead of the live widget."""

    def __repr__(self: Any) -> str:
        return f"<live {name}: move the controls in JupyterLab>"

    return type(f"Labelled{box.__name__}", (box,), {"__repr__": __repr__})


def show_live_and_static(widget: Any, static: Callable[[], Any]) -> None:
    """Display a live widget and, below it, the precomputed copy that ``static()`` draws for the
    static site (where no kernel runs the live one).

    In instructor fast mode the static copy is not drawn: it is what the site needs, hidden in
    JupyterLab whenever the live widget renders, and drawing its frames costs a class seconds.
    """
    from IPython.display import display

    display(widget)
    if not fast_mode():
        display(static())
