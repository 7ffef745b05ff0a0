"""Chapter 03's exercises: right answers pass, typical mistakes get a message that helps."""

import numpy as np
import torch
from torch import nn

from pytorch_lessons.data import make_linear_data
from pytorch_lessons.exercises import get

from .conftest import assert_fails, assert_passes


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    ids = (
        "linreg-r2",
        "linreg-standardize",
        "linreg-normal-equations",
        "linreg-count-parameters",
        "linreg-module",
        "linreg-train",
    )
    for id_ in ids:
        ex = get(id_)
        assert ex.chapter == "linear_regression" and len(ex.hints) >= 2 and ex.why


def test_r2():
    assert_passes("linreg-r2", lambda p, t: 1 - ((t - p) ** 2).sum() / ((t - t.mean()) ** 2).sum())
    assert_fails("linreg-r2", lambda p, t: ((t - p) ** 2).mean(), "differs at")
    assert_fails("linreg-r2", lambda p, t: 1 - ((t - p) ** 2).sum() / (t**2).sum(), "differs at")


def test_standardize_accepts_either_standard_deviation():
    assert_passes("linreg-standardize", lambda x: (x - x.mean(dim=0)) / x.std(dim=0))
    assert_passes("linreg-standardize", lambda x: (x - x.mean(dim=0)) / x.std(dim=0, correction=0))
    assert_fails("linreg-standardize", lambda x: x - x.mean(dim=0), "differs at")
    assert_fails("linreg-standardize", lambda x: (x - x.mean()) / x.std(), "differs at")


def test_normal_equations():
    def solve(X, y):
        A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
        return torch.linalg.solve(A.T @ A, A.T @ y)

    def no_bias(X, y):
        return torch.linalg.solve(X.T @ X, X.T @ y)

    def lstsq(X, y):
        return torch.linalg.lstsq(torch.cat([X, torch.ones(len(X), 1)], dim=1), y).solution

    assert_passes("linreg-normal-equations", solve)
    assert_passes("linreg-normal-equations", lstsq)  # the same answer by another route
    assert_fails("linreg-normal-equations", no_bias, "but it should have shape (2, 1)")


def test_train_checks_a_trained_linear_model():
    X, y = make_linear_data(200, [1.5, -2.0, 0.5], bias=1.0, noise=0.1, seed=3)
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(300):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        optimizer.step()
    assert_passes("linreg-train", model)
    assert_fails("linreg-train", nn.Linear(3, 1), "the learned [w1, w2, w3, b] differs")
    assert_fails("linreg-train", nn.Linear(2, 1), "your code raised RuntimeError")
    assert_fails("linreg-train", nn.Sequential(nn.Linear(3, 1)), "should be an nn.Linear")
    assert_fails("linreg-train", nn.Linear(3, 2), "it should give (4, 1)")


def test_count_parameters_names_the_usual_slips():
    assert_passes("linreg-count-parameters", (131, (16, 4)))
    assert_passes("linreg-count-parameters", (131, torch.Size([16, 4])))
    assert_passes("linreg-count-parameters", (np.int64(131), [16, 4]))
    assert_fails("linreg-count-parameters", (131, (4, 16)), "wrong way round")
    assert_fails("linreg-count-parameters", (112, (16, 4)), "counts the weights only")
    assert_fails("linreg-count-parameters", (130, (16, 4)), "is 130, but that is not right")
    assert_fails("linreg-count-parameters", 131, "a tuple of two things")
    assert_fails("linreg-count-parameters", (torch.tensor(131), (16, 4)), "should be an int")


class Polynomial(nn.Module):
    def __init__(self, degree):
        super().__init__()
        self.register_buffer("powers", torch.arange(1, degree + 1, dtype=torch.float32))
        self.linear = nn.Linear(degree, 1)

    def forward(self, x):
        return self.linear(x**self.powers)


class PlainTensorPowers(Polynomial):
    def __init__(self, degree):
        nn.Module.__init__(self)
        self.powers = torch.arange(1, degree + 1, dtype=torch.float32)
        self.linear = nn.Linear(degree, 1)


class WithConstantColumn(Polynomial):
    def __init__(self, degree):
        super().__init__(degree)
        self.register_buffer("powers", torch.arange(0, degree + 1, dtype=torch.float32))
        self.linear = nn.Linear(degree + 1, 1)


class ParametersInAList(nn.Module):
    def __init__(self, degree):
        super().__init__()
        self.register_buffer("powers", torch.arange(1, degree + 1, dtype=torch.float32))
        self.layers = [nn.Linear(degree, 1)]

    def forward(self, x):
        return self.layers[0](x**self.powers)


class NoForward(nn.Module):
    def __init__(self, degree):
        super().__init__()
        self.linear = nn.Linear(degree, 1)


class Stub(nn.Module): ...


def test_module_checks_registration_buffer_and_forward():
    assert_passes("linreg-module", Polynomial)
    assert_fails("linreg-module", Stub, "not solved yet")
    assert_fails("linreg-module", Polynomial(3), "pass the class itself")
    assert_fails("linreg-module", lambda degree: None, "should be a subclass of nn.Module")
    assert_fails("linreg-module", NoForward, "no forward method")
    assert_fails("linreg-module", PlainTensorPowers, "no buffer named 'powers'")
    assert_fails("linreg-module", ParametersInAList, "it should hold one nn.Linear")
    assert_fails("linreg-module", WithConstantColumn, "nn.Linear(1, 1)")
