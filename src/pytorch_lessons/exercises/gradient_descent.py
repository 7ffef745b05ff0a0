"""Exercises of Chapter 04 -- Gradient descent."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from pytorch_lessons.checks import is_number
from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import expect_tensor


@exercise(
    "gd-two-steps",
    why="two steps by hand show the rule at work: each coordinate moves against its own slope, "
    "scaled by the learning rate.",
    hints=[
        "The gradient of J(θ) = θ₁² + 10 θ₂² is (2 θ₁, 20 θ₂).",
        "One step: θ ← θ − 0.04 · ∇J(θ). Do it twice, recomputing the gradient at the new θ.",
        "theta = torch.tensor([1.0, 1.0]); for _ in range(2): "
        "theta = theta - 0.04 * torch.stack([2 * theta[0], 20 * theta[1]])",
    ],
)
def _two_steps(answer: object) -> None:
    theta = torch.tensor([1.0, 1.0], requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=0.04)
    for _ in range(2):
        optimizer.zero_grad()
        (theta[0] ** 2 + 10 * theta[1] ** 2).backward()
        optimizer.step()
    expect_tensor(answer, theta.detach(), name="θ after two steps", check_dtype=False, atol=1e-5)


Objective = Callable[[torch.Tensor], torch.Tensor]

_CASES: list[tuple[str, Objective, torch.Tensor, float, int]] = [
    (
        "J(θ) = sum((θ - 3)²)",
        lambda t: ((t - 3) ** 2).sum(),
        torch.tensor([0.0, 1.0, -2.0]),
        0.1,
        10,
    ),
    (
        "J(θ) = θ₁² + 10 θ₂²",
        lambda t: t[0] ** 2 + 10 * t[1] ** 2,
        torch.tensor([1.0, 1.0]),
        0.04,
        7,
    ),
    (
        "J(θ) = sum(cos(θ)) + 0.1 sum(θ²)",
        lambda t: torch.cos(t).sum() + 0.1 * (t**2).sum(),
        torch.tensor([[0.5, -1.0], [2.0, 3.0]]),
        0.3,
        12,
    ),
    ("J(θ) = (θ₁ θ₂ - 1)²", lambda t: (t[0] * t[1] - 1) ** 2, torch.tensor([0.5, 2.5]), 0.05, 5),
]


def _reference(
    f: Objective, theta0: torch.Tensor, lr: float, steps: int, beta: float = 0.0, adam: bool = False
) -> torch.Tensor:
    theta = theta0.detach().clone().requires_grad_(True)
    optimizer = (
        torch.optim.Adam([theta], lr=lr) if adam else torch.optim.SGD([theta], lr=lr, momentum=beta)
    )
    for _ in range(steps):
        optimizer.zero_grad()
        f(theta).backward()
        optimizer.step()
    return theta.detach()


def _check_descender(answer: object, name: str, beta: float | None, adam: bool = False) -> None:
    if not callable(answer):
        raise Mismatch(
            f"your answer should be a function, but it is of type {type(answer).__name__}."
        )
    for text, f, theta0, lr, steps in _CASES:
        shown = f"{name}(f, θ₀, lr={lr:g}{'' if beta is None else f', beta={beta:g}'}, steps={steps}) for {text}"
        start = theta0.clone()
        args = (f, start, lr) if beta is None else (f, start, lr, beta)
        got = answer(*args, steps)
        if got is None:
            raise Mismatch(f"{shown} returned None: did you forget `return`?")
        if not torch.equal(start, theta0):
            raise Mismatch(f"{shown} changed θ₀ in place: work on a copy (theta0.clone()).")
        expected = _reference(f, theta0, lr, steps, beta or 0.0, adam)
        expect_tensor(got, expected, name=shown, check_dtype=False, atol=1e-4)
        if isinstance(got, torch.Tensor) and got.requires_grad:
            raise Mismatch(
                f"{shown} returns a tensor that still requires gradients: return theta.detach()."
            )


@exercise(
    "gd-descend",
    why="these few lines are the whole of gradient descent; every optimizer in torch.optim is a "
    "variation on the update line.",
    hints=[
        "Start from a copy that requires gradients: theta = theta0.clone().requires_grad_(True).",
        "Each step: compute f(theta), get its gradient (theta.grad after backward, or "
        "torch.autograd.grad), then update inside torch.no_grad() and clear the gradient.",
        "for _ in range(steps): (g,) = torch.autograd.grad(f(theta), theta); "
        "with torch.no_grad(): theta -= lr * g   ... then return theta.detach()",
    ],
)
def _descend(answer: object) -> None:
    _check_descender(answer, "descend", None)


@exercise(
    "gd-momentum",
    why="momentum remembers past gradients: it speeds up along consistent directions and damps "
    "zig-zags -- exactly what SGD(momentum=β) does.",
    hints=[
        "Keep a velocity v, the same shape as θ, starting at zero.",
        "Each step: v ← β v + ∇J(θ), then θ ← θ − lr · v (PyTorch's convention).",
        "v = torch.zeros_like(theta); each step: (g,) = torch.autograd.grad(f(theta), theta); "
        "with torch.no_grad(): v = beta * v + g; theta -= lr * v",
    ],
)
def _momentum(answer: object) -> None:
    _check_descender(answer, "momentum_descent", 0.9)


@exercise(
    "gd-adam",
    why="Adam is a few lines of tensor code: a momentum average, an RMSprop average, both "
    "corrected for starting at zero -- written out, it is no longer a black box.",
    hints=[
        "Keep m and s, the same shape as θ, starting at zero, and count the steps from t = 1 "
        "(the bias correction divides by 1 − β^t).",
        "Each step: m ← β₁ m + (1 − β₁) g; s ← β₂ s + (1 − β₂) g²; "
        "θ ← θ − lr · (m / (1 − β₁^t)) / (sqrt(s / (1 − β₂^t)) + ε), with β₁ = 0.9, β₂ = 0.999, "
        "ε = 1e-8.",
        "theta = theta0.clone().requires_grad_(True); m = torch.zeros_like(theta); "
        "s = torch.zeros_like(theta); for t in range(1, steps + 1): (g,) = "
        "torch.autograd.grad(f(theta), theta); with torch.no_grad(): m = 0.9 * m + 0.1 * g; "
        "s = 0.999 * s + 0.001 * g**2; theta -= lr * (m / (1 - 0.9**t)) / "
        "((s / (1 - 0.999**t)).sqrt() + 1e-8); then return theta.detach()",
    ],
)
def _adam(answer: object) -> None:
    _check_descender(answer, "adam_descent", None, adam=True)


@exercise(
    "gd-critical-lr",
    why="the steepest direction sets the speed limit: on a quadratic, gradient descent diverges "
    "once lr ≥ 2 / (largest curvature).",
    hints=[
        "Along each axis, J = ½·L·θ² with curvature L; one step multiplies θ by (1 − lr·L).",
        "That factor must stay between −1 and 1 along every axis; the axis with the largest "
        "curvature fails first.",
        "The curvatures of 0.5 θ₁² + 4 θ₂² are 1 and 8: answer = 2 / 8",
    ],
)
def _critical(answer: object) -> None:
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if not is_number(answer):
        raise Mismatch(
            f"your answer should be a number, but it is of type {type(answer).__name__}."
        )
    hessian = torch.autograd.functional.hessian(
        lambda t: 0.5 * t[0] ** 2 + 4 * t[1] ** 2, torch.zeros(2)
    )
    expected = 2 / torch.linalg.eigvalsh(hessian).max().item()
    if not math.isclose(answer, expected, rel_tol=1e-6):
        side = (
            "too large: that run already diverges"
            if answer > expected
            else ("too small: gradient descent still converges a little above it")
        )
        raise Mismatch(f"{answer:g} is {side}.")
