"""Chapter 02's exercises: right answers pass, typical mistakes get a message that helps."""

import math

import pytest
import torch

from pytorch_lessons.exercises import get

from .conftest import assert_fails, assert_passes


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    for id_ in (
        "autograd-first-grad",
        "autograd-grad-fn",
        "autograd-numerical-grad",
        "autograd-predict-grad",
        "autograd-value",
    ):
        ex = get(id_)
        assert ex.chapter == "autograd" and len(ex.hints) >= 2 and ex.why


def test_first_grad():
    a = torch.tensor(3.0, requires_grad=True)
    (a**3 - 2 * a).backward()
    assert_passes("autograd-first-grad", a.grad)
    assert_fails("autograd-first-grad", torch.tensor(27.0), "got 27, expected 25")
    assert_fails("autograd-first-grad", 25, "should be a torch.Tensor")
    assert_fails("autograd-first-grad", ..., "not solved yet")


def _gradient(f, x):
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x)
    return g


def test_grad_fn():
    assert_passes("autograd-grad-fn", _gradient)

    def keeps_graph(f, x):
        x = x.detach().requires_grad_(True)
        return torch.autograd.grad(f(x), x, create_graph=True)[0]

    assert_fails("autograd-grad-fn", keeps_graph, "still requires gradients")
    assert_fails("autograd-grad-fn", lambda f, x: x, "differs at")
    assert_fails("autograd-grad-fn", lambda f, x: None, "returned None")
    assert_fails("autograd-grad-fn", "grad", "should be a function")
    assert_fails(
        "autograd-grad-fn", lambda f, x: torch.autograd.grad(f(x), x)[0], "your code raised"
    )


def _numerical(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    for i in range(x.numel()):
        step = torch.zeros_like(x)
        step.view(-1)[i] = eps
        grad.view(-1)[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def test_numerical_grad_is_checked_on_functions_autograd_cannot_see():
    assert_passes("autograd-numerical-grad", _numerical)
    assert_fails("autograd-numerical-grad", _gradient, "your code raised RuntimeError")

    def forward_difference(f, x, eps=1e-1):
        grad = torch.zeros_like(x)
        for i in range(x.numel()):
            step = torch.zeros_like(x)
            step.view(-1)[i] = eps
            grad.view(-1)[i] = (f(x + step) - f(x)) / eps
        return grad

    assert_fails("autograd-numerical-grad", forward_difference, "differs at")
    assert_fails("autograd-numerical-grad", lambda f, x: None, "returned None")
    assert_fails("autograd-numerical-grad", 3, "should be a function")


class Value:
    def __init__(self, data, children=()):
        self.data = float(data)
        self.grad = 0.0
        self._children = children
        self._backward = lambda: None

    def __add__(self, other):
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,))

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = type(self)(max(self.data, 0.0), (self,))

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for child in node._children:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class Overwrites(Value):
    """The classic bug: = instead of +=, so a value used twice loses one contribution."""

    def __add__(self, other):
        out = Overwrites(self.data + other.data, (self, other))

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Overwrites(self.data * other.data, (self, other))

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out


class NoTopologicalOrder(Value):
    def backward(self):
        self.grad = 1.0
        self._backward()  # only the last operation


class Stub:
    def __init__(self, data, children=()):
        self.data, self.grad = float(data), 0.0

    def __add__(self, other):
        raise NotImplementedError

    def __mul__(self, other):
        raise NotImplementedError


def test_value_is_compared_with_pytorch():
    assert_passes("autograd-value", Value)
    assert_fails("autograd-value", Overwrites, "a.grad is")
    assert_fails("autograd-value", NoTopologicalOrder, "PyTorch says")
    assert_fails(
        "autograd-value", Stub, "not solved yet -- your code still raises NotImplementedError"
    )
    assert_fails("autograd-value", Value(1.0), "should be the class Value itself")


def _tensor_init(self, data, children=()):
    Value.__init__(self, data, children)
    self.data = torch.tensor(self.data)


class NoBackward:
    def __init__(self, data, children=()):
        self.data, self.grad = float(data), 0.0

    def __add__(self, other):
        return NoBackward(self.data + other.data)

    def __mul__(self, other):
        return NoBackward(self.data * other.data)


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (
            type("NoGrad", (), {"__init__": lambda self, data, children=(): None}),
            "no attribute .data",
        ),
        (NoBackward, "without .data and .backward()"),
        (type("TensorData", (Value,), {"__init__": _tensor_init}), "should be a float"),
    ],
)
def test_value_shape_mistakes(cls, expected):
    assert_fails("autograd-value", cls, expected)


def test_predict_grad_explains_accumulation():
    assert_passes("autograd-predict-grad", (12.0, 27.0))
    assert_passes("autograd-predict-grad", (12, torch.tensor(27.0)))
    assert_fails("autograd-predict-grad", (6.0, 27.0), "gradients accumulate")
    assert_fails("autograd-predict-grad", (12.0, 39.0), "cleared the 12")
    assert_fails("autograd-predict-grad", (9.0, 27.0), "what is d(x²)/dx at 3")
    assert_fails("autograd-predict-grad", (12.0, 9.0), "3x²")
    assert_fails("autograd-predict-grad", [12.0], "a tuple of the two printed numbers")
    assert_fails("autograd-predict-grad", ("12", "27"), "plain numbers")
