"""Exercises of Chapter 07 -- MNIST end to end."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import expect_function


def _normalize(images: torch.Tensor) -> torch.Tensor:
    return (images.unsqueeze(1).float() / 255 - MNIST_MEAN) / MNIST_STD


@exercise(
    "mnist-normalize",
    why="ToTensor + Normalize, done once for a whole tensor of images instead of once per "
    "sample: the trick that makes in-memory training fast.",
    hints=[
        "Three steps: add the channel dimension (unsqueeze(1)), scale 0..255 to 0..1 (.float() / 255), "
        "then standardize: (x - MNIST_MEAN) / MNIST_STD.",
        "uint8 arithmetic would overflow or truncate: convert with .float() before dividing.",
        "return (images.unsqueeze(1).float() / 255 - MNIST_MEAN) / MNIST_STD",
    ],
)
def _normalize_check(answer: Any) -> None:
    generator = torch.Generator().manual_seed(11)
    cases = [
        (torch.randint(0, 256, (n, 28, 28), generator=generator, dtype=torch.uint8),)
        for n in (1, 3, 7)
    ]
    cases.append((torch.full((2, 28, 28), 255, dtype=torch.uint8),))
    expect_function(answer, _normalize, cases, name="normalize", atol=1e-4)
    result = answer(cases[0][0].clone())
    if result.dtype != torch.float32:
        raise Mismatch(f"normalize should return float32 values, got {result.dtype}.")


def _accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return (logits.argmax(dim=1) == labels).float().mean().item()


@exercise(
    "mnist-accuracy",
    why="argmax over the logits, compare with the labels, average: the number every "
    "classifier is judged by.",
    hints=[
        "The predicted class of each row is logits.argmax(dim=1).",
        "Comparing with labels gives a bool tensor; .float().mean() is the fraction that is True, "
        "and .item() turns it into a Python float.",
        "return (logits.argmax(dim=1) == labels).float().mean().item()",
    ],
)
def _accuracy_check(answer: Any) -> None:
    generator = torch.Generator().manual_seed(3)
    cases = []
    for n in (5, 16, 64):
        logits = torch.randn(n, 10, generator=generator)
        labels = torch.randint(0, 10, (n,), generator=generator)
        cases.append((logits, labels))
    logits = torch.randn(8, 10, generator=generator)
    cases.append((logits, logits.argmax(dim=1)))  # all right: 1.0
    for logits, labels in cases:
        got = answer(logits.clone(), labels.clone())
        if isinstance(got, torch.Tensor):
            raise Mismatch("accuracy should return a Python float, not a tensor: add .item().")
        if not isinstance(got, (int, float)) or not math.isclose(
            float(got), _accuracy(logits, labels), abs_tol=1e-6
        ):
            raise Mismatch(
                f"accuracy on {len(labels)} samples gave {got!r}, expected "
                f"{_accuracy(logits, labels):.4f} (a fraction between 0 and 1)."
            )


def _tiny_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))


def _train_step(model: nn.Module, optimizer: torch.optim.Optimizer, xb, yb) -> float:
    logits = model(xb)
    loss = F.cross_entropy(logits, yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


@exercise(
    "mnist-train-step",
    why="forward, loss, zero_grad, backward, step: the five lines at the heart of every PyTorch "
    "training loop.",
    hints=[
        "Compute logits = model(xb) and loss = nn.functional.cross_entropy(logits, yb) -- on the raw "
        "logits, no softmax.",
        "Then optimizer.zero_grad(), loss.backward(), optimizer.step(); without zero_grad the "
        "gradients of earlier steps add up.",
        "Return loss.item(), a Python float.",
    ],
)
def _train_step_check(answer: object) -> None:
    if not callable(answer):
        raise Mismatch(f"train_step should be a function, got {type(answer).__name__}.")
    generator = torch.Generator().manual_seed(17)
    batches = [
        (torch.randn(6, 4, 4, generator=generator), torch.randint(0, 3, (6,), generator=generator))
        for _ in range(3)
    ]
    state = torch.random.get_rng_state()
    try:
        theirs, ours = _tiny_model(0), _tiny_model(0)
    finally:
        torch.random.set_rng_state(state)
    their_opt = torch.optim.SGD(theirs.parameters(), lr=0.5, momentum=0.9)
    our_opt = torch.optim.SGD(ours.parameters(), lr=0.5, momentum=0.9)
    for step, (xb, yb) in enumerate(batches, start=1):
        got = answer(theirs, their_opt, xb.clone(), yb.clone())
        expected = _train_step(ours, our_opt, xb, yb)
        if got is None:
            raise Mismatch("train_step returned None: return the loss with loss.item().")
        if isinstance(got, torch.Tensor):
            raise Mismatch("train_step should return a Python float: use loss.item().")
        if not isinstance(got, (int, float)) or not math.isclose(got, expected, rel_tol=1e-4):
            raise Mismatch(
                f"step {step} returned the loss {got!r}, expected {expected:.4f}: compute "
                "cross_entropy on the model's raw logits."
            )
        same = all(
            torch.allclose(a, b, atol=1e-5)
            for a, b in zip(theirs.parameters(), ours.parameters(), strict=True)
        )
        if not same:
            why = (
                "did you call optimizer.step() after loss.backward()?"
                if step == 1
                else "did you forget optimizer.zero_grad()? Old gradients add up."
            )
            raise Mismatch(f"after step {step} the weights are not what they should be: {why}")


def _most_confused(confusion: torch.Tensor) -> tuple[int, int]:
    mistakes = confusion.clone()
    mistakes.fill_diagonal_(-1)
    flat = int(mistakes.argmax())
    return (flat // confusion.shape[1], flat % confusion.shape[1])


@exercise(
    "mnist-most-confused",
    why="the largest off-diagonal count of a confusion matrix names the pair of classes your "
    "model mixes up most -- where to look for better data or a better model.",
    hints=[
        "The diagonal holds the right answers: copy the matrix (.clone()) and overwrite the "
        "diagonal (fill_diagonal_) with -1 so that it can never be the largest.",
        "argmax() of the whole matrix gives a flat index; row = index // n_columns, "
        "column = index % n_columns.",
        "Return a tuple of two Python ints: (int(row), int(column)).",
    ],
)
def _most_confused_check(answer: object) -> None:
    if not callable(answer):
        raise Mismatch(f"most_confused should be a function, got {type(answer).__name__}.")
    generator = torch.Generator().manual_seed(29)
    cases = []
    for n in (3, 5, 10):
        matrix = torch.randint(0, 20, (n, n), generator=generator)
        matrix += torch.eye(n, dtype=torch.int64) * 500  # a big diagonal, as in a good model
        cases.append(matrix)
    skewed = torch.eye(4, dtype=torch.int64) * 9
    skewed[3, 0] = 7
    cases.append(skewed)
    for matrix in cases:
        got = answer(matrix.clone())
        expected = _most_confused(matrix)
        if isinstance(got, torch.Tensor) or not isinstance(got, tuple):
            raise Mismatch(
                f"most_confused should return a tuple (true, predicted) of ints, got "
                f"{type(got).__name__}."
            )
        if tuple(int(v) for v in got) != expected or not all(isinstance(v, int) for v in got):
            raise Mismatch(
                f"for a {len(matrix)}×{len(matrix)} confusion matrix you returned {got!r}; the "
                "largest count off the diagonal is elsewhere (and both values must be ints)."
            )
