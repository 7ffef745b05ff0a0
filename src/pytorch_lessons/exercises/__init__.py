"""Exercises that check themselves: ``check(id, answer)`` and ``hint(id)``.

Each chapter's exercises live in a module of this package (``tensors.py`` for Chapter 01, ...),
registered with :func:`exercise`. The expected answers are computed here, not written in the
notebooks, so reading the notebook does not give them away.
"""

from __future__ import annotations

from pytorch_lessons.exercises.core import (
    Exercise,
    Mismatch,
    UnknownExercise,
    Verdict,
    all_exercises,
    check,
    exercise,
    get,
    hint,
    hold_back_final_hints,
    verdict,
)
from pytorch_lessons.exercises.expect import (
    expect_equal,
    expect_function,
    expect_grad,
    expect_loss_drop,
    expect_module,
    expect_tensor,
)

__all__ = [
    "Exercise",
    "Mismatch",
    "UnknownExercise",
    "Verdict",
    "all_exercises",
    "check",
    "exercise",
    "expect_equal",
    "expect_function",
    "expect_grad",
    "expect_loss_drop",
    "expect_module",
    "expect_tensor",
    "get",
    "hint",
    "hold_back_final_hints",
    "verdict",
]
