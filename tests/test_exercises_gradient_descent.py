"""Chapter 04's exercises: right answers pass, typical mistakes get a message that helps."""

import torch

from pytorch_lessons.exercises import get

from .conftest import assert_fails, assert_passes


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    for id_ in ("gd-two-steps", "gd-descend", "gd-momentum", "gd-adam", "gd-critical-lr"):
        ex = get(id_)
        assert ex.chapter == "gradient_descent" and len(ex.hints) >= 2 and ex.why


def test_two_steps():
    theta = torch.tensor([1.0, 1.0])
    for _ in range(2):
        theta = theta - 0.04 * torch.stack([2 * theta[0], 20 * theta[1]])
    assert_passes("gd-two-steps", theta)
    assert_passes("gd-two-steps", theta.double())
    assert_fails(
        "gd-two-steps", torch.tensor([0.92, 0.2]), "differs at index (0,)"
    )  # one step only
    assert_fails("gd-two-steps", [0.8464, 0.04], "should be a torch.Tensor")


def _descend(f, theta0, lr, steps):
    theta = theta0.clone().requires_grad_(True)
    for _ in range(steps):
        (g,) = torch.autograd.grad(f(theta), theta)
        with torch.no_grad():
            theta -= lr * g
    return theta.detach()


def _momentum(f, theta0, lr, beta, steps):
    theta = theta0.clone().requires_grad_(True)
    v = torch.zeros_like(theta)
    for _ in range(steps):
        (g,) = torch.autograd.grad(f(theta), theta)
        with torch.no_grad():
            v = beta * v + g
            theta -= lr * v
    return theta.detach()


def test_descend():
    assert_passes("gd-descend", _descend)

    def in_place(f, theta0, lr, steps):
        theta0.requires_grad_(True)
        for _ in range(steps):
            (g,) = torch.autograd.grad(f(theta0), theta0)
            with torch.no_grad():
                theta0 -= lr * g
        return theta0.detach()

    def attached(f, theta0, lr, steps):
        return _descend(f, theta0, lr, steps).requires_grad_(True)

    assert_fails("gd-descend", in_place, "changed θ₀ in place")
    assert_fails("gd-descend", attached, "still requires gradients")
    assert_fails("gd-descend", lambda f, t, lr, s: _descend(f, t, lr, s - 1), "differs at")
    assert_fails("gd-descend", lambda f, t, lr, s: None, "returned None")
    assert_fails("gd-descend", 0.1, "should be a function")


def test_momentum():
    assert_passes("gd-momentum", _momentum)
    assert_fails("gd-momentum", lambda f, t, lr, beta, s: _descend(f, t, lr, s), "differs at")

    def dampened(f, theta0, lr, beta, steps):  # v = β v + (1 - β) g is a different convention
        theta = theta0.clone().requires_grad_(True)
        v = torch.zeros_like(theta)
        for _ in range(steps):
            (g,) = torch.autograd.grad(f(theta), theta)
            with torch.no_grad():
                v = beta * v + (1 - beta) * g
                theta -= lr * v
        return theta.detach()

    assert_fails("gd-momentum", dampened, "momentum_descent(f, θ₀, lr=0.1, beta=0.9, steps=10)")


def test_critical_lr():
    assert_passes("gd-critical-lr", 0.25)
    assert_passes("gd-critical-lr", torch.tensor(0.25))
    assert_fails("gd-critical-lr", 2.0, "too large")
    assert_fails("gd-critical-lr", 0.125, "too small")
    assert_fails("gd-critical-lr", "0.25", "should be a number")


def _adam(f, theta0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8, correct=True):
    theta = theta0.clone().requires_grad_(True)
    m = torch.zeros_like(theta)
    s = torch.zeros_like(theta)
    for t in range(1, steps + 1):
        (g,) = torch.autograd.grad(f(theta), theta)
        with torch.no_grad():
            m = beta1 * m + (1 - beta1) * g
            s = beta2 * s + (1 - beta2) * g**2
            if correct:
                theta -= lr * (m / (1 - beta1**t)) / ((s / (1 - beta2**t)).sqrt() + eps)
            else:
                theta -= lr * m / (s.sqrt() + eps)
    return theta.detach()


def test_adam_is_compared_with_torch_optim_adam():
    assert_passes("gd-adam", _adam)
    assert_fails("gd-adam", lambda f, t, lr, s: _adam(f, t, lr, s, correct=False), "differs at")
    assert_fails("gd-adam", lambda f, t, lr, s: _descend(f, t, lr, s), "differs at")
    assert_fails("gd-adam", lambda f, t, lr, s: None, "returned None")
