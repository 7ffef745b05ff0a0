"""What every widget of the book shares: an ``anywidget.AnyWidget`` whose ESM module draws it.

The Python side computes *numbers* with PyTorch (loss curves, optimizer paths, feature maps,
probabilities) and puts them in synced traits; the module in ``js/<name>.js`` draws them as
SVG and redraws from them at once when a control moves. Because the numbers live in the
widget's state, an executed notebook stores everything a widget needs
(``application/vnd.jupyter.widget-state+json`` in its metadata): it works in JupyterLab before
any cell runs, after a reload, and on the static site, with no kernel. Only a control that
leaves the precomputed numbers (a learning rate typed in, a kernel written by hand) asks
Python: the module sends ``{"ask": id, ...}``, :meth:`BookWidget.answer` computes, and the
reply comes back; where no kernel answers, the widget says so.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, ClassVar

import anywidget

JS = Path(__file__).with_name("js")


def module_source(name: str) -> str:
    """The ESM module of widget ``name``: the shared ``common.js``, then ``<name>.js``."""
    return (
        (JS / "common.js").read_text(encoding="utf-8")
        + "\n"
        + (JS / f"{name}.js").read_text(encoding="utf-8")
    )


def rounded(values: Any, digits: int = 4) -> Any:
    """``values`` (numbers, nested lists) to ``digits`` significant digits, NaN and inf as None:
    what the stored state needs, in a quarter of the characters of full floats."""
    if isinstance(values, (list, tuple)):
        return [rounded(v, digits) for v in values]
    value = float(values)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


class BookWidget(anywidget.AnyWidget):
    """Base of the book's widgets. A subclass names its module and what it is::

        class LrExplorer(BookWidget, module="lr_explorer", title="learning-rate explorer"): ...

    and overrides :meth:`answer` if a control can ask the kernel for new numbers.
    """

    title: ClassVar[str] = "widget"

    def __init_subclass__(
        cls, module: str | None = None, title: str | None = None, **kwargs: Any
    ) -> None:
        if module is not None:
            cls._esm = module_source(module)
            cls._css = (JS / "common.css").read_text(encoding="utf-8")
        if title is not None:
            cls.title = title
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._on_message)

    def __repr__(self) -> str:
        # what a text-only front end shows, and nbval compares: the same on every run
        return f"<{self.title}: interactive in JupyterLab and on the book's site>"

    def answer(self, request: dict[str, Any]) -> Any:
        """Compute what the module asked for (``request`` without its ``ask`` id)."""
        raise ValueError(f"{self.title} cannot answer {sorted(request)}")

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or "ask" not in content:
            return
        request = {k: v for k, v in content.items() if k != "ask"}
        try:
            reply = {"answer": content["ask"], "result": self.answer(request)}
        except (TypeError, ValueError) as error:  # bad input: one clear line back to the widget
            reply = {"answer": content["ask"], "error": str(error)}
        json.dumps(reply)  # fail here, not in the front end, if a result is not JSON
        self.send(reply)
