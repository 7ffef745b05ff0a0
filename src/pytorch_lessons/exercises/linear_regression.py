"""Exercises of Chapter 03 -- Linear regression."""

from __future__ import annotations

import copy
import inspect
import numbers

import torch
from torch import nn

from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import (
    expect_equal,
    expect_function,
    expect_module,
    expect_tensor,
)


def _cases(*shapes: tuple[int, ...], seed: int = 3) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(*shape, generator=generator), torch.randn(*shape, generator=generator))
        for shape in shapes
    ]


def _r2(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    residual = ((target - pred) ** 2).sum()
    total = ((target - target.mean()) ** 2).sum()
    return 1 - residual / total


@exercise(
    "linreg-r2",
    why="R² compares your model with the laziest one -- always predicting the mean -- so it means "
    "the same whatever the units of y.",
    hints=[
        "Two sums of squares: of the residuals (target - pred), and of target - target.mean().",
        "R² = 1 - (residual sum of squares) / (total sum of squares); the result is a scalar tensor.",
        "return 1 - ((target - pred) ** 2).sum() / ((target - target.mean()) ** 2).sum()",
    ],
)
def _r2_exercise(answer: object) -> None:
    cases = _cases((5,), (4, 1), (3, 2), (8, 1))
    cases.append((torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 3.0])))  # a perfect fit
    expect_function(answer, _r2, cases, name="r2_score")


def _standardize(x: torch.Tensor) -> torch.Tensor:
    return (x - x.mean(dim=0)) / x.std(dim=0)


def _standardize_population(x: torch.Tensor) -> torch.Tensor:
    return (x - x.mean(dim=0)) / x.std(dim=0, correction=0)


@exercise(
    "linreg-standardize",
    why="features on similar scales make the loss surface round, so one learning rate suits "
    "every weight (Chapter 04 shows why).",
    hints=[
        "Work column by column: x.mean(dim=0) and x.std(dim=0) give one value per feature.",
        "Broadcasting lines up a (d,) tensor with the (n, d) data, row after row.",
        "return (x - x.mean(dim=0)) / x.std(dim=0)",
    ],
)
def _standardize_exercise(answer: object) -> None:
    generator = torch.Generator().manual_seed(9)
    cases = [
        (torch.randn(10, 3, generator=generator) * torch.tensor([1.0, 100.0, 0.01]) + 5,),
        (torch.rand(6, 1, generator=generator),),
        (torch.randn(20, 5, generator=generator) * 3 - 1,),
    ]
    try:
        expect_function(answer, _standardize, cases, name="standardize", atol=1e-4)
    except Mismatch as wrong:  # the population standard deviation (unbiased=False) is fine too
        try:
            expect_function(answer, _standardize_population, cases, name="standardize", atol=1e-4)
        except Mismatch:
            raise wrong from None


def _normal_equations(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    features = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1)
    return torch.linalg.solve(features.T @ features, features.T @ y)


@exercise(
    "linreg-normal-equations",
    why="setting the gradient of the MSE to zero gives the normal equations: the closed-form "
    "answer that lstsq computes more carefully.",
    hints=[
        "Fold the bias into the weights: A = torch.cat([X, torch.ones(len(X), 1)], dim=1).",
        "The gradient of the MSE is zero where AᵀA w = Aᵀy: solve that with torch.linalg.solve "
        "(better than inverting AᵀA).",
        "A = torch.cat([X, torch.ones(len(X), 1)], dim=1); return torch.linalg.solve(A.T @ A, A.T @ y)",
    ],
)
def _normal_equations_exercise(answer: object) -> None:
    generator = torch.Generator().manual_seed(11)
    cases = []
    for n, d in ((20, 1), (50, 3), (30, 5)):
        x = torch.randn(n, d, generator=generator)
        w = torch.randn(d, 1, generator=generator)
        cases.append((x, x @ w + 0.5 + 0.1 * torch.randn(n, 1, generator=generator)))
    expect_function(answer, _normal_equations, cases, name="normal_equations", atol=1e-3)


def _linear_parameters(sizes: tuple[tuple[int, int], ...]) -> int:
    return sum(n_out * n_in + n_out for n_in, n_out in sizes)


@exercise(
    "linreg-count-parameters",
    why="nn.Linear(in, out) holds an (out, in) weight and out biases: counting them by hand is "
    "how you read a model's size and spot a layer wired the wrong way round.",
    hints=[
        "nn.Linear(in_features, out_features) computes x Wᵀ + b: W has one row per output, so "
        "its shape is (out_features, in_features); b has out_features numbers. ReLU has none.",
        "The first layer: 16 × 4 weights + 16 biases. The second: 3 × 16 weights + 3 biases.",
        "answer = (16 * 4 + 16 + 3 * 16 + 3, (16, 4)), i.e. (131, (16, 4))",
    ],
)
def _count_parameters_exercise(answer: object) -> None:
    expected_count = _linear_parameters(((4, 16), (16, 3)))
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Mismatch(
            "your answer should be a tuple of two things: (number_of_parameters, weight_shape)."
        )
    count, shape = answer
    if isinstance(shape, (torch.Size, list)):
        shape = tuple(shape)
    if isinstance(count, (torch.Tensor, bool)) or not isinstance(count, numbers.Integral):
        raise Mismatch(f"the number of parameters should be an int, not {type(count).__name__}.")
    count = int(count)
    if shape == (4, 16):
        raise Mismatch(
            "the weight shape (4, 16) is the wrong way round: nn.Linear stores (out_features, "
            "in_features), one row per output."
        )
    expect_equal(shape, (16, 4), name="the weight shape")
    if count == 16 * 4 + 16 * 3:
        raise Mismatch(f"{count} counts the weights only: each layer has biases too.")
    expect_equal(count, expected_count, name="the number of parameters")


def _polynomial_features(x: torch.Tensor, degree: int) -> torch.Tensor:
    return torch.cat([x**k for k in range(1, degree + 1)], dim=1)


@exercise(
    "linreg-module",
    why="__init__ registers parameters, submodules and buffers; forward says what to compute -- "
    "every model you will write has this shape.",
    hints=[
        "Start with def __init__(self, degree): then super().__init__() before anything else.",
        "Keep the exponents 1, 2, ..., degree in a buffer named powers (self.register_buffer): it "
        "moves with the model to its device but is not trained. The one layer maps degree "
        "features to 1 output. In forward, x of shape (N, 1) raised to the powers broadcasts "
        "to (N, degree), the layer's input.",
        "def __init__(self, degree): super().__init__(); self.register_buffer('powers', "
        "torch.arange(1, degree + 1, dtype=torch.float32)); self.linear = nn.Linear(degree, 1)\n"
        "def forward(self, x): return self.linear(x ** self.powers)",
    ],
)
def _module_exercise(answer: object) -> None:
    if not (inspect.isclass(answer) and issubclass(answer, nn.Module)):
        if isinstance(answer, nn.Module):
            raise Mismatch("pass the class itself -- Polynomial, not Polynomial(3).")
        raise Mismatch(
            f"your answer should be a subclass of nn.Module, but it is {type(answer).__name__}."
        )
    if answer.forward is nn.Module.forward:
        raise Mismatch("your class has no forward method: define def forward(self, x): ...")
    generator = torch.Generator().manual_seed(5)
    for degree in (1, 3, 5):
        model = answer(degree)
        names = [name for name, _ in model.named_parameters()]
        if names != ["linear.weight", "linear.bias"]:
            raise Mismatch(
                f"Polynomial({degree}) has the parameters {names}; it should hold one nn.Linear "
                "as self.linear: ['linear.weight', 'linear.bias']."
            )
        linear = model.linear
        if not isinstance(linear, nn.Linear):
            raise Mismatch(
                f"Polynomial({degree}).linear is a {type(linear).__name__}: make it nn.Linear({degree}, 1)."
            )
        if tuple(linear.weight.shape) != (1, degree):
            raise Mismatch(
                f"Polynomial({degree}).linear has a weight of shape "
                f"{tuple(linear.weight.shape)}: it should map {degree} features to 1 "
                f"output, nn.Linear({degree}, 1)."
            )
        buffers = dict(model.named_buffers())
        if "powers" not in buffers:
            raise Mismatch(
                "there is no buffer named 'powers': create it with self.register_buffer('powers', "
                "...) -- a plain tensor attribute is not saved in the state dict."
            )
        expect_tensor(
            buffers["powers"],
            torch.arange(1, degree + 1, dtype=torch.float32),
            name=f"Polynomial({degree}).powers",
        )
        x = torch.randn(6, 1, generator=generator)
        with torch.no_grad():
            expected = linear(_polynomial_features(x, degree))
            expect_tensor(model(x), expected, name=f"Polynomial({degree})(x)")


def _closed_form(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    features = torch.cat([x, torch.ones(len(x), 1)], dim=1)
    return torch.linalg.lstsq(features, y).solution


@exercise(
    "linreg-train",
    why="nn.Linear + nn.MSELoss + optim.SGD, zero_grad / backward / step: the same loop trains "
    "every model in this course.",
    hints=[
        "X_ex has 3 features and y_ex one target: the model is nn.Linear(3, 1).",
        "Loop: loss = loss_fn(model(X_ex), y_ex); optimizer.zero_grad(); loss.backward(); "
        "optimizer.step(). A few hundred full-batch steps with lr=0.1 are plenty.",
        "model = nn.Linear(3, 1); optimizer = torch.optim.SGD(model.parameters(), lr=0.1); "
        "then loop 300 times; answer = model",
    ],
)
def _train_exercise(answer: object) -> None:
    from pytorch_lessons.data import make_linear_data

    if not isinstance(answer, nn.Linear):
        raise Mismatch(
            f"your model should be an nn.Linear, but it is of type {type(answer).__name__}."
        )
    answer = copy.deepcopy(answer).cpu()  # the check runs on the CPU, wherever you trained
    expect_module(answer, (4, 3), (4, 1), n_parameters=4, name="your model")
    x, y = make_linear_data(200, [1.5, -2.0, 0.5], bias=1.0, noise=0.1, seed=3)
    best = _closed_form(x, y)[:, 0]
    learned = torch.cat([answer.weight.detach().flatten(), answer.bias.detach()]).cpu()
    expect_tensor(
        learned, best, name="the learned [w1, w2, w3, b]", atol=0.02, rtol=0.0, check_dtype=False
    )
