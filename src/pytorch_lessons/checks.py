"""Argument checks shared by the helpers: one clear line for bad input, in one wording.

``bool`` is an ``int`` in Python, so ``True`` would pass as a count of 1; every check here
refuses it. Each returns the value (as ``int`` / ``float``), so a check reads as an assignment:
``steps = positive_int("steps", steps)``.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard


def is_int(value: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """An ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def positive_int(name: str, value: Any, or_none: bool = False) -> int:
    """``value`` if it is an int >= 1; else ``ValueError: <name> must be a positive int ...``."""
    if not is_int(value) or value <= 0:
        either = " or None" if or_none else ""
        raise ValueError(f"{name} must be a positive int{either}, got {value!r}")
    return int(value)


def int_at_least(name: str, value: Any, minimum: int) -> int:
    """``value`` if it is an int >= ``minimum``; else ``ValueError: <name> must be an int >= ..``."""
    if not is_int(value) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def positive_number(name: str, value: Any) -> float:
    """``value`` if it is a finite number > 0: ``TypeError`` for what is not a number,
    ``ValueError`` for one that is out of range."""
    if not is_number(value):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)
