"""Exercises of Chapter 05 -- Classification."""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.checks import is_number
from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import expect_equal, expect_function, expect_module


def _softmax(z: torch.Tensor) -> torch.Tensor:
    return torch.softmax(z, dim=-1)


@exercise(
    "classification-softmax",
    why="softmax turns logits into probabilities; without the max trick, logits in the hundreds "
    "overflow float32 and every probability becomes nan.",
    hints=[
        "softmax(z) = exp(z) / exp(z).sum(dim=-1, keepdim=True); keepdim keeps the sum a column "
        "that broadcasts against z.",
        "Subtracting the same number from every logit of a row does not change the softmax: "
        "subtract the row's maximum, z.max(dim=-1, keepdim=True).values, before exp.",
        "e = torch.exp(z - z.max(dim=-1, keepdim=True).values); return e / e.sum(dim=-1, keepdim=True)",
    ],
)
def _softmax_exercise(answer: object) -> None:
    generator = torch.Generator().manual_seed(5)
    small = [
        (torch.randn(4, 3, generator=generator),),
        (torch.randn(1, 10, generator=generator) * 3,),
        (torch.zeros(2, 5),),
    ]
    try:
        expect_function(answer, _softmax, small, name="stable_softmax")
    except RuntimeError as error:
        if "size of tensor" not in str(error):
            raise
        raise Mismatch(
            f"stable_softmax raised RuntimeError: {str(error).splitlines()[0]}. A row sum of "
            "shape (N,) does not line up with z of shape (N, K): sum with keepdim=True, so it "
            "has shape (N, 1) and divides each row by its own sum."
        ) from None
    assert callable(answer)
    large = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    got = answer(large.clone())
    if isinstance(got, torch.Tensor) and not bool(torch.isfinite(got).all()):
        raise Mismatch(
            "stable_softmax gives nan or inf for logits like [1000, 1001, 1002]: exp overflows. "
            "Subtract each row's maximum before taking exp."
        )
    expect_function(answer, _softmax, [(large,)], name="stable_softmax")


def _cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits, labels)


@exercise(
    "classification-cross-entropy",
    why="nn.CrossEntropyLoss is exactly this: log_softmax of the logits, the entry of the true "
    "class, negated, averaged over the batch.",
    hints=[
        "log softmax(z) = z - logsumexp(z) row by row: "
        "torch.logsumexp(logits, dim=1, keepdim=True), or F.log_softmax(logits, dim=1).",
        "Pick each row's entry at its label with log_probabilities[torch.arange(len(labels)), "
        "labels], then negate and take the mean.",
        "return -F.log_softmax(logits, dim=1)[torch.arange(len(labels)), labels].mean()",
    ],
)
def _cross_entropy_exercise(answer: object) -> None:
    generator = torch.Generator().manual_seed(7)
    cases = []
    for n, k in ((4, 3), (6, 5), (1, 2), (8, 10)):
        logits = torch.randn(n, k, generator=generator) * 2
        labels = torch.randint(0, k, (n,), generator=generator)
        cases.append((logits, labels))
    if callable(answer):
        logits, labels = cases[1]
        got = answer(logits.clone(), labels.clone())
        want = _cross_entropy(logits, labels)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            value = float(got.detach())
            if math.isclose(value, -float(want), rel_tol=1e-4):
                raise Mismatch(
                    "cross_entropy has the wrong sign: the loss is MINUS the log-probability."
                )
            if math.isclose(value, float(want) * len(labels), rel_tol=1e-4):
                raise Mismatch("cross_entropy sums over the batch: take the mean instead.")
        elif isinstance(got, torch.Tensor) and tuple(got.shape) == (len(labels),):
            raise Mismatch(
                "cross_entropy returns one loss per example (shape "
                f"{tuple(got.shape)}): average them into a single number with .mean()."
            )
    expect_function(answer, _cross_entropy, cases, name="cross_entropy", atol=1e-4)
    large = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 500.0, 0.0]])
    large_labels = torch.tensor([1, 1])
    assert callable(answer)
    got = answer(large.clone(), large_labels.clone())
    if isinstance(got, torch.Tensor) and not bool(torch.isfinite(got).all()):
        raise Mismatch(
            f"cross_entropy gives {float(got.detach().flatten()[0])} for logits like "
            "[1000, 0, -1000]: exp overflows, or a probability rounds to 0 and its log is -inf. "
            "Do not take the log of a softmax; compute log softmax(z) = z - logsumexp(z) with "
            "torch.logsumexp or F.log_softmax."
        )
    expect_function(
        answer, _cross_entropy, [(large, large_labels)], name="cross_entropy", atol=1e-3
    )


@exercise(
    "classification-uniform-loss",
    why="an untrained classifier starts near equal logits, so its first loss is about log K -- a "
    "quick check that the loss and the labels are wired up right.",
    hints=[
        "Equal logits: what probability does softmax give each of the 5 classes?",
        "Every class gets 1/5, whatever the label; the loss is -log(1/5).",
        "answer = math.log(5)  # about 1.609",
    ],
)
def _uniform_loss_exercise(answer: object) -> None:
    expected = math.log(5)
    if isinstance(answer, torch.Tensor):
        raise Mismatch("answer should be a plain number, not a tensor (try .item()).")
    if not is_number(answer):
        raise Mismatch(f"answer should be a number, but it is of type {type(answer).__name__}.")
    if math.isclose(answer, 0.2, abs_tol=1e-3):
        raise Mismatch("0.2 is the probability softmax gives each class; the loss is -log of it.")
    if math.isclose(answer, -expected, abs_tol=1e-3):
        raise Mismatch(f"{answer} has the wrong sign: the loss is MINUS the log-probability.")
    if not math.isclose(answer, expected, abs_tol=1e-3):
        raise Mismatch(f"answer is {answer!r}, but that is not right.")


@exercise(
    "classification-shapes",
    why="CrossEntropyLoss takes logits (N, K) and, usually, one integer label per example (N,); "
    "most shape errors in classification code are one of these two.",
    hints=[
        "nn.Linear(16, 4) gives 4 numbers for each of the 10 points.",
        "Integer class labels are class indices, one per point: a 1-D tensor of length N.",
        "answer = ((10, 4), (10,))",
    ],
)
def _shapes_exercise(answer: object) -> None:
    if isinstance(answer, list):
        answer = tuple(tuple(a) if isinstance(a, list) else a for a in answer)
    if isinstance(answer, tuple) and len(answer) == 2 and answer[1] == (10, 4):
        raise Mismatch(
            "(10, 4) is the shape of one-hot rows or class probabilities (CrossEntropyLoss "
            "accepts float probabilities of that shape too), but the question asks for integer "
            "class labels: one integer class index per example, a 1-D tensor."
        )
    if isinstance(answer, tuple) and len(answer) == 2 and answer[1] == (10, 1):
        raise Mismatch(
            "(10, 1) is a column; CrossEntropyLoss wants the integer class labels as a 1-D "
            "tensor, one integer class index per example."
        )
    if isinstance(answer, tuple) and len(answer) == 2 and answer[1] == 10:
        raise Mismatch("(10) is just the number 10; a shape with one dimension is written (10,).")
    expect_equal(answer, ((10, 4), (10,)), name="answer")


def _spirals(
    n_per_class: int, generator: torch.Generator, noise: float = 0.2
) -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's ``make_spirals``: three interleaved spiral arms, labels 0, 1, 2."""
    xs, ys = [], []
    for k in range(3):
        radius = torch.rand(n_per_class, generator=generator)  # random place along the arm
        angle = 4.0 * (k + radius) + noise * torch.randn(n_per_class, generator=generator)
        xs.append(torch.stack([radius * torch.sin(angle), radius * torch.cos(angle)], dim=1))
        ys.append(torch.full((n_per_class,), k))
    return torch.cat(xs), torch.cat(ys)


def spiral_validation_accuracy(model: nn.Module) -> float:
    """Accuracy of ``model`` on 300 spiral points drawn with a seed the chapter does not use."""
    x, y = _spirals(100, torch.Generator().manual_seed(2024))
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


@exercise(
    "classification-mlp",
    why="a hidden layer with a nonlinearity lets the decision boundary bend; held-out points show "
    "whether it bent to the spirals or just around the training points.",
    hints=[
        "A linear model cannot get far above 50 % here: put nn.ReLU() between two nn.Linear "
        "layers, with a few dozen hidden units.",
        "Train it with the chapter's train(...) and torch.optim.Adam(model.parameters(), lr=0.01) "
        "for about 1000 steps.",
        "answer = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 3)); "
        "train(answer, x_spiral, y_spiral, torch.optim.Adam(answer.parameters(), lr=0.01), steps=1000)",
    ],
)
def _mlp_exercise(answer: object) -> None:
    if not isinstance(answer, nn.Module):
        raise Mismatch(
            f"answer should be your trained nn.Module, but it is of type {type(answer).__name__}."
        )
    model = copy.deepcopy(answer).cpu()  # the check runs on the CPU, wherever you trained
    expect_module(model, (5, 2), (5, 3), name="your model")
    accuracy = spiral_validation_accuracy(model)
    if accuracy < 0.9:
        raise Mismatch(
            f"your model gets {accuracy:.1%} of 300 fresh spiral points right; it needs 90 %. "
            + (
                "About a third is guessing: is it trained?"
                if accuracy < 0.4
                else "Is there a nonlinearity between its layers, and did it train long enough?"
            )
        )
