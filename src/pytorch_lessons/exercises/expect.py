"""PyTorch-aware comparisons for exercise checkers: each raises :class:`Mismatch` saying what differs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from pytorch_lessons.exercises.core import Mismatch


def _shape(t: torch.Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def _fmt(value: torch.Tensor) -> str:
    item = value.item()
    return f"{item:.6g}" if isinstance(item, float) else str(item)


def expect_tensor(
    actual: Any,
    expected: torch.Tensor,
    *,
    name: str = "your answer",
    atol: float = 1e-5,
    rtol: float = 1e-4,
    check_dtype: bool = True,
    check_device: bool = False,
    requires_grad: bool | None = None,
) -> None:
    """``actual`` must be a tensor like ``expected``: shape, dtype, (device), values within tolerance."""
    if not isinstance(actual, torch.Tensor):
        raise Mismatch(
            f"{name} should be a torch.Tensor, but it is of type {type(actual).__name__}."
        )
    if _shape(actual) != _shape(expected):
        raise Mismatch(
            f"{name} has shape {_shape(actual)}, but it should have shape {_shape(expected)}."
        )
    if check_dtype and actual.dtype != expected.dtype:
        raise Mismatch(
            f"{name} has dtype {actual.dtype}, but it should have dtype {expected.dtype}."
        )
    if check_device and actual.device != expected.device:
        raise Mismatch(
            f"{name} is on device {actual.device}, but it should be on {expected.device}."
        )
    if requires_grad is not None and actual.requires_grad != requires_grad:
        should = "should" if requires_grad else "should not"
        raise Mismatch(f"{name} {should} require gradients (requires_grad={requires_grad}).")
    a = actual.detach().cpu()
    e = expected.detach().cpu().to(a.dtype) if not check_dtype else expected.detach().cpu()
    if a.dtype.is_floating_point or a.dtype.is_complex:
        close = torch.isclose(a, e.to(a.dtype), atol=atol, rtol=rtol, equal_nan=True)
    else:
        close = a == e
    if not bool(close.all()):
        wrong = (~close).nonzero()
        first = tuple(int(i) for i in wrong[0])
        where = f"index {first}" if first else "its value"
        raise Mismatch(
            f"{name} differs at {where}: got {_fmt(a[first])}, expected {_fmt(e[first])} "
            f"({len(wrong)} of {a.numel()} elements differ)."
        )


def expect_equal(actual: Any, expected: Any, *, name: str = "your answer") -> None:
    """``actual == expected`` for plain Python values (numbers, strings, tuples, ...)."""
    if isinstance(actual, torch.Tensor) and not isinstance(expected, torch.Tensor):
        raise Mismatch(
            f"{name} should be a plain {type(expected).__name__}, not a tensor (try .item() or tuple())."
        )
    if type(actual) is not type(expected) and not (
        isinstance(actual, (int, float)) and isinstance(expected, (int, float))
    ):
        raise Mismatch(
            f"{name} should be a {type(expected).__name__}, but it is of type {type(actual).__name__}."
        )
    if actual != expected:
        raise Mismatch(f"{name} is {actual!r}, but that is not right.")


def expect_grad(
    tensor: Any, expected: torch.Tensor, *, name: str = "x", atol: float = 1e-5
) -> None:
    """``tensor.grad`` must exist and equal ``expected``."""
    if not isinstance(tensor, torch.Tensor):
        raise Mismatch(
            f"{name} should be a torch.Tensor, but it is of type {type(tensor).__name__}."
        )
    if not tensor.requires_grad:
        raise Mismatch(f"{name} does not require gradients: create it with requires_grad=True.")
    if tensor.grad is None:
        raise Mismatch(f"{name}.grad is None: did you call .backward() on the result?")
    expect_tensor(tensor.grad, expected, name=f"{name}.grad", atol=atol)


def expect_module(
    module: Any,
    input_shape: Sequence[int],
    output_shape: Sequence[int],
    n_parameters: int | None = None,
    *,
    name: str = "your model",
) -> None:
    """An ``nn.Module`` that maps ``input_shape`` to ``output_shape`` with ``n_parameters`` parameters."""
    if not isinstance(module, nn.Module):
        raise Mismatch(
            f"{name} should be a torch.nn.Module, but it is of type {type(module).__name__}."
        )
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(torch.zeros(*input_shape))
    finally:
        module.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise Mismatch(
            f"{name} returned a {type(out).__name__}, not a tensor: does forward() return one?"
        )
    if _shape(out) != tuple(output_shape):
        raise Mismatch(
            f"{name} maps an input of shape {tuple(input_shape)} to shape {_shape(out)}, "
            f"but it should give {tuple(output_shape)}."
        )
    if n_parameters is not None:
        count = sum(p.numel() for p in module.parameters())
        if count != n_parameters:
            raise Mismatch(f"{name} has {count:,} parameters, but it should have {n_parameters:,}.")


def expect_function(
    fn: Any,
    reference: Callable[..., Any],
    cases: Sequence[tuple[Any, ...]],
    *,
    name: str | None = None,
    atol: float = 1e-5,
) -> None:
    """``fn(*case)`` must match ``reference(*case)`` on every case -- including ones not in the notebook."""
    if not callable(fn):
        raise Mismatch(f"your answer should be a function, but it is of type {type(fn).__name__}.")
    label = name or getattr(fn, "__name__", "your function")
    for args in cases:
        shown = ", ".join(
            f"tensor of shape {tuple(a.shape)}" if isinstance(a, torch.Tensor) else repr(a)
            for a in args
        )
        expected = reference(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
        got = fn(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
        if got is None:
            raise Mismatch(f"{label}({shown}) returned None: did you forget `return`?")
        try:
            if isinstance(expected, torch.Tensor):
                expect_tensor(got, expected, name=f"{label}({shown})", atol=atol, check_dtype=False)
            else:
                expect_equal(got, expected, name=f"{label}({shown})")
        except Mismatch:
            raise
        except Exception as error:  # e.g. comparing incompatible results
            raise Mismatch(
                f"{label}({shown}) gave a result that cannot be compared: {error}"
            ) from None


def expect_loss_drop(losses: Any, factor: float, *, name: str = "the loss") -> None:
    """Training must have reduced the loss by at least ``factor`` (first value / last value)."""
    if hasattr(losses, "train_loss"):
        losses = losses.train_loss
    values = [float(v) for v in losses]
    if len(values) < 2:
        raise Mismatch(f"{name} needs at least two recorded values, got {len(values)}.")
    first, last = values[0], values[-1]
    if not torch.isfinite(torch.tensor(last)):
        raise Mismatch(f"{name} diverged (last value {last}): try a smaller learning rate.")
    if last < 0:
        raise Mismatch(f"{name} ended at {last:.4g}; a loss here cannot be negative.")
    if last == 0 or first / last >= factor:
        return
    raise Mismatch(
        f"{name} went from {first:.4g} to {last:.4g} (÷{first / last:.3g}); "
        f"it should drop at least ÷{factor:g}."
    )
