"""What a chapter's first cell sets up, so that running a chapter live surprises nobody.

``start_chapter()`` says so when instructor fast mode is on (its numbers differ from the book's),
and makes a ``NameError`` from running a cell before the cells above it say what to do. `make
lab` also installs that hint in every kernel it starts (``PYTHONSTARTUP``), so it holds after a
kernel restart, before the first cell has run.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from pytorch_lessons.fast import FAST_VARIABLE, fast_mode

RUN_ABOVE = "run the cells above this one first (Run ▸ Run All Above Selected Cell)"


def start_chapter() -> None:
    """Call at the top of a chapter: fast-mode notice, and the out-of-order hint."""
    install_name_error_hint()
    if fast_mode():
        print(
            f"Instructor fast mode is on ({FAST_VARIABLE}=1): less data and fewer training steps "
            "than the book, so results are lower and differ from the text."
        )


def install_name_error_hint() -> bool:
    """In IPython, a ``NameError`` raised in the cell itself (not inside a function it calls)
    shows one line: the missing name and "run the cells above first". Returns whether it was
    installed (not outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((NameError,), _name_error)
    return True


def _name_error(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    innermost = tb
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    frame = innermost.tb_frame if innermost is not None else None
    if (
        frame is not None
        and frame.f_code.co_name == "<module>"
        and frame.f_globals is shell.user_ns
    ):
        # The name is missing in the cell's own code: the usual cause is a skipped cell above.
        shown = [f"NameError: {value} -- {RUN_ABOVE}, or check the spelling."]
    else:
        standard = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset)
        shown = [*standard, f"If the name comes from an earlier cell: {RUN_ABOVE}."]
    shell._showtraceback(etype, value, shown)  # IPython leaves showing it to the handler
    return shown
