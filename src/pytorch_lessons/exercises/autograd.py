"""Exercises of Chapter 02 -- Autograd."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import expect_tensor


@exercise(
    "autograd-first-grad",
    why="requires_grad=True, a forward computation, .backward(), then .grad: every training step "
    "in this course is these four moves.",
    hints=[
        "Create the input with torch.tensor(3.0, requires_grad=True).",
        "Compute f from it with ordinary operators, then call f.backward(); the gradient lands in a.grad.",
        "a = torch.tensor(3.0, requires_grad=True); f = a**3 - 2 * a; f.backward(); answer = a.grad",
    ],
)
def _first_grad(answer: object) -> None:
    a = torch.tensor(3.0, requires_grad=True)
    (a**3 - 2 * a).backward()
    assert a.grad is not None  # backward() has just filled it
    expect_tensor(answer, a.grad, name="a.grad")


def _reference_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x)
    return grad


_GRAD_CASES: list[tuple[str, Callable[[torch.Tensor], torch.Tensor], torch.Tensor]] = [
    ("f(x) = sum(x²)", lambda x: (x**2).sum(), torch.tensor([1.0, -2.0, 3.0])),
    ("f(x) = sum(sin(x) * x)", lambda x: (torch.sin(x) * x).sum(), torch.linspace(-2, 2, 5)),
    ("f(x) = mean(exp(x))", lambda x: torch.exp(x).mean(), torch.tensor([[0.5, 1.0], [-1.0, 0.0]])),
    ("f(x) = x[0] * x[1]", lambda x: x[0] * x[1], torch.tensor([4.0, -3.0])),
]


@exercise(
    "autograd-grad-fn",
    why="torch.autograd.grad returns gradients without touching .grad: the tool for gradient "
    "checks, for gradients of gradients, and for code that must not disturb a model.",
    hints=[
        "Your x may not require gradients: make a copy that does, with x.detach().requires_grad_(True).",
        "torch.autograd.grad(output, inputs) returns a tuple with one gradient per input.",
        "x = x.detach().requires_grad_(True); (g,) = torch.autograd.grad(f(x), x); return g",
    ],
)
def _grad_fn(answer: object) -> None:
    if not callable(answer):
        raise Mismatch(
            f"your answer should be a function, but it is of type {type(answer).__name__}."
        )
    for text, f, x in _GRAD_CASES:
        got = answer(f, x.clone())
        if got is None:
            raise Mismatch(f"gradient(f, x) returned None for {text}: did you forget `return`?")
        expect_tensor(
            got, _reference_gradient(f, x), name=f"gradient(f, x) for {text}", check_dtype=False
        )
        if isinstance(got, torch.Tensor) and got.requires_grad:
            raise Mismatch(
                f"gradient(f, x) for {text} still requires gradients: return a plain tensor "
                "(torch.autograd.grad does, unless you ask for create_graph=True)."
            )


def _numpy_function(fn: Callable[[np.ndarray], float]) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function autograd cannot see into: it goes through NumPy."""

    def f(x: torch.Tensor) -> torch.Tensor:
        return torch.tensor(float(fn(x.detach().cpu().numpy())), dtype=torch.float64)

    return f


_NUMERIC_CASES: list[
    tuple[str, Callable[[np.ndarray], float], Callable[[torch.Tensor], torch.Tensor], torch.Tensor]
] = [
    (
        "f(x) = sum(x³)",
        lambda a: np.sum(a**3),
        lambda x: (x**3).sum(),
        torch.tensor([1.0, -0.5, 2.0], dtype=torch.float64),
    ),
    (
        "f(x) = sum(sin(x)²)",
        lambda a: np.sum(np.sin(a) ** 2),
        lambda x: (torch.sin(x) ** 2).sum(),
        torch.tensor([[0.3, -1.2], [2.0, 0.0]], dtype=torch.float64),
    ),
    (
        "f(x) = log(1 + x[0]²) * x[1]",
        lambda a: math.log(1 + a[0] ** 2) * a[1],
        lambda x: torch.log(1 + x[0] ** 2) * x[1],
        torch.tensor([0.7, -2.0], dtype=torch.float64),
    ),
]


@exercise(
    "autograd-numerical-grad",
    why="finite differences need nothing but the function: they are how you test any gradient, "
    "including a hand-written backward pass.",
    hints=[
        "Loop over the elements: x.view(-1)[i] (or x.flatten()) lets you nudge one element at a time.",
        "Central difference: (f(x + eps·e_i) - f(x - eps·e_i)) / (2 eps), where e_i is 1 at element i.",
        "grad = torch.zeros_like(x); for i in range(x.numel()): xp, xm = x.clone(), x.clone(); "
        "xp.view(-1)[i] += eps; xm.view(-1)[i] -= eps; grad.view(-1)[i] = (f(xp) - f(xm)) / (2 * eps)",
    ],
)
def _numerical(answer: object) -> None:
    if not callable(answer):
        raise Mismatch(
            f"your answer should be a function, but it is of type {type(answer).__name__}."
        )
    for text, numpy_fn, torch_fn, x in _NUMERIC_CASES:
        got = answer(_numpy_function(numpy_fn), x.clone())
        if got is None:
            raise Mismatch(
                f"numerical_grad(f, x) returned None for {text}: did you forget `return`?"
            )
        expected = _reference_gradient(torch_fn, x)
        expect_tensor(
            got, expected, name=f"numerical_grad(f, x) for {text}", check_dtype=False, atol=1e-4
        )


@exercise(
    "autograd-predict-grad",
    why="backward() adds into .grad instead of overwriting it: that is why every training loop "
    "clears the gradients before the next backward.",
    hints=[
        "d(x²)/dx = 2x, and each backward() ADDS its gradient into x.grad.",
        "Setting x.grad = None starts from nothing again; d(x³)/dx = 3x².",
        "answer = (2 * 3.0 + 2 * 3.0, 3 * 3.0**2), i.e. (12.0, 27.0)",
    ],
)
def _predict_grad(answer: object) -> None:
    x = torch.tensor(3.0, requires_grad=True)
    for _ in range(2):
        (x**2).backward()
    assert x.grad is not None
    first = x.grad.item()
    x.grad = None
    (x * x * x).backward()
    assert x.grad is not None
    second = x.grad.item()
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Mismatch("your answer should be a tuple of the two printed numbers: (first, second).")
    given = [a.item() if isinstance(a, torch.Tensor) and a.numel() == 1 else a for a in answer]
    if not all(isinstance(g, (int, float)) and not isinstance(g, bool) for g in given):
        raise Mismatch("both numbers should be plain numbers such as 1.5.")
    if math.isclose(given[0], first / 2):
        raise Mismatch(
            f"the first is not {given[0]:g}: that is one backward's gradient, and the loop "
            "calls backward() twice -- gradients accumulate."
        )
    if not math.isclose(given[0], first):
        raise Mismatch(f"the first is not {given[0]:g}: what is d(x²)/dx at 3, and how often?")
    if math.isclose(given[1], second + first):
        raise Mismatch(f"the second is not {given[1]:g}: x.grad = None cleared the 12 from before.")
    if not math.isclose(given[1], second):
        raise Mismatch(f"the second is not {given[1]:g}: d(x³)/dx = 3x².")


def _build(value_cls: type, cases: dict[str, float]) -> dict[str, Any]:
    return {name: value_cls(v) for name, v in cases.items()}


def _compare(text: str, got: Any, expected: float, what: str) -> None:
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        raise Mismatch(
            f"for {text}, {what} should be a float, but it is of type {type(got).__name__}."
        )
    if not math.isclose(float(got), expected, rel_tol=1e-6, abs_tol=1e-6):
        raise Mismatch(f"for {text}, {what} is {float(got):.6g}, but PyTorch says {expected:.6g}.")


# Each case: a description, its inputs, and the same expression written once (it runs on your
# Value objects and on PyTorch tensors alike).
_VALUE_CASES: list[tuple[str, dict[str, float], Callable[[dict[str, Any]], Any]]] = [
    (
        "L = (a*b + c) * f",
        {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0},
        lambda v: (v["a"] * v["b"] + v["c"]) * v["f"],
    ),
    (
        "n = tanh(x1*w1 + x2*w2 + b)",
        {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432},
        lambda v: (v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]).tanh(),
    ),
    ("L = a*a + a  (a used three times)", {"a": -1.5}, lambda v: v["a"] * v["a"] + v["a"]),
    (
        "L = relu(a*b) + relu(a + b)",
        {"a": 3.0, "b": -0.5},
        lambda v: (v["a"] * v["b"]).relu() + (v["a"] + v["b"]).relu(),
    ),
    (
        "L = tanh(relu(a) * b) * (a + b)",
        {"a": 0.8, "b": 1.7},
        lambda v: (v["a"].relu() * v["b"]).tanh() * (v["a"] + v["b"]),
    ),
]


@exercise(
    "autograd-value",
    why="this is reverse-mode automatic differentiation in miniature: PyTorch does the same, "
    "with tensors instead of numbers and C++ instead of Python.",
    hints=[
        "Each operation returns a new Value(result, children=(self, other)) and sets out._backward to "
        "a function that adds out.grad times the local derivative to each child's .grad (+=, not =).",
        "Local derivatives: a + b → 1 and 1; a * b → b.data and a.data; tanh(a) → 1 - t², where t "
        "is the output; relu(a) → 1 if a > 0 else 0.",
        "backward(): build a topological order of the graph (visit children before a node), set "
        "self.grad = 1.0, then call each node's _backward() in reverse order.",
    ],
)
def _value(answer: object) -> None:
    if not isinstance(answer, type):
        raise Mismatch(
            f"your answer should be the class Value itself, got a {type(answer).__name__}."
        )
    probe = answer(1.0)
    for attribute in ("data", "grad"):
        if not hasattr(probe, attribute):
            raise Mismatch(f"Value(1.0) has no attribute .{attribute}: keep the __init__ given.")
    for text, inputs, expression in _VALUE_CASES:
        values = _build(answer, inputs)
        out = expression(values)
        if not (hasattr(out, "data") and callable(getattr(out, "backward", None))):
            raise Mismatch(
                f"for {text}, the result is a {type(out).__name__} without .data and .backward(): "
                "each operation should return a new Value."
            )
        out.backward()
        tensors = {
            k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in inputs.items()
        }
        reference = expression(tensors)
        reference.backward()
        _compare(text, out.data, reference.item(), "the result's .data")
        for name, tensor in tensors.items():
            assert tensor.grad is not None  # every input appears in its expression
            _compare(text, values[name].grad, tensor.grad.item(), f"{name}.grad")
