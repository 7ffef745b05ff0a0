"""The exercise registry, the verdict, and progressive hints."""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import inspect
import json
import os
import pkgutil
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
_REGISTRY: dict[str, Exercise] = {}
_HINTS_SHOWN: dict[str, int] = {}
_LOADED = False
_NOT_EXERCISE_MODULES = {"core", "expect"}
_EMPTY_CLASS_ATTRIBUTES = {
    "__module__",
    "__qualname__",
    "__doc__",
    "__dict__",
    "__weakref__",
    "__firstlineno__",
    "__static_attributes__",
    "__annotations__",
}


class Mismatch(Exception):
    """The answer is not right yet; the message says what differs."""


class UnknownExercise(ValueError):
    """No exercise has that id."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id, the function that checks an answer, why it matters, its hints."""

    id: str
    checker: Callable[[Any], str | None]
    why: str
    hints: tuple[str, ...] = field(default_factory=tuple)
    chapter: str = ""


@dataclass(frozen=True)
class Verdict:
    """The result of checking one answer."""

    ok: bool
    message: str

    def __str__(self) -> str:
        return self.message


def exercise(id: str, *, why: str, hints: list[str] | tuple[str, ...]) -> Callable:
    """Register the decorated function as the checker of exercise ``id``.

    The checker takes the student's answer and raises :class:`Mismatch` when it is wrong. It
    may return a short text for the ✓ line, e.g. the accuracy it measured.
    """
    if not _ID.match(id):
        raise ValueError(
            f"exercise id {id!r} must be lower-case words joined by '-', e.g. 'tensors-zeros'"
        )
    if not hints:
        raise ValueError(f"exercise {id!r} needs at least one hint")

    def register(checker: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
        if id in _REGISTRY:
            raise ValueError(f"exercise id {id!r} is registered twice")
        chapter = checker.__module__.rsplit(".", 1)[-1]
        _REGISTRY[id] = Exercise(id, checker, why, tuple(hints), chapter)
        return checker

    return register


def keeps_global_rng(checker: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """Run ``checker`` without consuming PyTorch's global random numbers (CPU generator), so that
    checking an answer never changes what the chapter's later cells compute."""

    @functools.wraps(checker)
    def wrapped(answer: Any) -> str | None:
        with torch.random.fork_rng(devices=[]):
            return checker(answer)

    return wrapped


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    package = importlib.import_module("pytorch_lessons.exercises")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in _NOT_EXERCISE_MODULES:
            importlib.import_module(f"pytorch_lessons.exercises.{module.name}")
    _LOADED = True


def all_exercises() -> dict[str, Exercise]:
    """Every exercise of the book, by id."""
    _load()
    return dict(_REGISTRY)


def get(id: str) -> Exercise:
    """The exercise with this id; an unknown id raises :class:`UnknownExercise` naming close ones.

    The label the book shows on the exercise box (``ex-tensors-zeros``) is accepted too."""
    if not isinstance(id, str):
        raise TypeError(
            f"exercise id must be a string such as 'tensors-zeros', got {type(id).__name__}"
        )
    _load()
    if id not in _REGISTRY and id.startswith("ex-") and id[3:] in _REGISTRY:
        id = id[3:]
    if id not in _REGISTRY:
        close = difflib.get_close_matches(id, _REGISTRY, n=3, cutoff=0.5)
        suggestion = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownExercise(f"unknown exercise id {id!r}.{suggestion}")
    return _REGISTRY[id]


def _is_stub(answer: Any) -> bool:
    """``...``, ``None``, or a function whose body is still only ``...``."""
    if answer is Ellipsis or answer is None:
        return True
    if inspect.isclass(answer):  # a class whose body is still only ``...`` defines nothing
        return not (set(vars(answer)) - _EMPTY_CLASS_ATTRIBUTES)
    if not inspect.isfunction(answer):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(answer)))
    except (OSError, TypeError, SyntaxError):
        return False
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.FunctionDef) else []
    statements = [
        s
        for s in body
        if not (
            isinstance(s, ast.Expr)
            and isinstance(s.value, ast.Constant)
            and isinstance(s.value.value, str)
        )
    ]
    return (
        len(statements) == 1
        and isinstance(statements[0], ast.Expr)
        and isinstance(statements[0].value, ast.Constant)
        and statements[0].value.value is Ellipsis
    )


def verdict(id: str, answer: Any) -> Verdict:
    """Check ``answer`` for exercise ``id`` and return the verdict without printing it.

    Never raises for a wrong answer: a stub, a wrong value, or an exception raised by the
    student's own code all become a ✗ verdict with a pointer to ``hint``.
    """
    ex = get(id)
    if _is_stub(answer):
        return Verdict(False, f"✗ {id}: not solved yet -- replace the ... with your code.")
    try:
        measured = ex.checker(answer)
    except Mismatch as wrong:
        return Verdict(False, f"✗ {id}: {wrong}\n  Stuck? hint({id!r})")
    except NotImplementedError:
        return Verdict(
            False, f"✗ {id}: not solved yet -- your code still raises NotImplementedError."
        )
    except Exception as error:  # the student's code failed: report it, don't end the run
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Verdict(
            False,
            f"✗ {id}: your code raised {type(error).__name__}: {first_line}\n  Stuck? hint({id!r})",
        )
    said = f"{measured} -- " if isinstance(measured, str) and measured else ""
    return Verdict(True, f"✓ {id}: correct! {said}{ex.why}")


_MISSING: Any = object()  # "no argument given", distinct from None and ... (which are stubs)


def _lookup(id: Any, usage: str) -> Exercise | None:
    """The exercise, or None after printing one line that says what is wrong with ``id``: a
    student's typo must not end in a traceback through this package."""
    if id is _MISSING:
        print(f"✗ say which exercise: {usage}")
        return None
    try:
        return get(id)
    except (UnknownExercise, TypeError) as error:
        print(f"✗ {error} Usage: {usage}")
        return None


def check(id: str = _MISSING, answer: Any = _MISSING) -> None:
    """Check your answer to exercise ``id`` and print ✓ (with why it matters) or ✗ (what differs)."""
    usage = 'check("exercise-id", answer)'
    ex = _lookup(id, usage)
    if ex is None:
        return
    if answer is _MISSING:
        print(f"✗ {ex.id}: give your answer too: check({ex.id!r}, answer)")
        return
    result = verdict(ex.id, answer)
    _record(ex.id, result)
    print(result)


def _record(id: str, result: Verdict) -> None:
    """When the grader asks (``PYTORCH_LESSONS_VERDICTS`` names a file), append the verdict as a
    JSON line: the grade comes from this decision, never from the printed ✓."""
    path = os.environ.get("PYTORCH_LESSONS_VERDICTS")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"exercise": id, "passed": result.ok}) + "\n")


#: written into a student edition made with ``--no-final-hint`` (see :mod:`pytorch_lessons.editions`)
EDITION_SETTINGS = ".pytorch-lessons-edition.json"
_HOLD_BACK_FINAL_HINTS = False


def hold_back_final_hints() -> None:
    """What the setup cell of an edition made with ``--no-final-hint`` calls: from then on
    ``hint(...)`` keeps each exercise's last hint, the full answer, back. The call is in the
    notebook itself, so the setting goes wherever the notebook is copied or sent."""
    global _HOLD_BACK_FINAL_HINTS
    _HOLD_BACK_FINAL_HINTS = True


def final_hint_held_back(folder: str | os.PathLike[str] | None = None) -> bool:
    """Whether the student edition this kernel runs holds back each exercise's last hint (the
    full answer): the instructor's choice, made by the notebook's setup cell
    (:func:`hold_back_final_hints`) or read from :data:`EDITION_SETTINGS` in the notebook's
    folder (the kernel's working directory) or a folder above it."""
    if _HOLD_BACK_FINAL_HINTS:
        return True
    start = Path(folder) if folder is not None else Path.cwd()
    for place in (start, *start.parents):
        if (place / EDITION_SETTINGS).is_file():
            return settings_hold_back(place)
    return False


def settings_hold_back(folder: Path) -> bool:
    """Whether :data:`EDITION_SETTINGS` in ``folder`` itself holds the last hints back (a
    missing or unreadable file does not)."""
    try:
        settings = json.loads((folder / EDITION_SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(settings, dict) and settings.get("final_hint") is False


def hint(id: str = _MISSING) -> None:
    """Print the next hint for exercise ``id`` (hint 1, then 2, ...)."""
    ex = _lookup(id, 'hint("exercise-id"), e.g. the id inside check(...) above')
    if ex is None:
        return
    held_back = final_hint_held_back() and len(ex.hints) > 1
    total = len(ex.hints)
    hints = ex.hints[:-1] if held_back else ex.hints
    shown = _HINTS_SHOWN.get(ex.id, 0)
    if shown >= len(hints):
        if held_back:
            print(
                f"No more hints for {ex.id}: your instructor keeps the last one (hint {total}), "
                "the full answer, for later. Ask them, or talk it through with a neighbour."
            )
        else:
            print(f"No more hints for {ex.id}: the last one was the full answer.")
        return
    _HINTS_SHOWN[ex.id] = shown + 1
    last = held_back and shown + 1 == len(hints)
    kept = f" (hint {total}, the full answer, your instructor keeps for later)" if last else ""
    print(f"Hint {shown + 1}/{total} for {ex.id}: {hints[shown]}{kept}")
