"""Exercises of Chapter 01 -- Tensors."""

from __future__ import annotations

import torch

from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import expect_function, expect_tensor


def _cases(*shapes: tuple[int, ...], seed: int = 1) -> list[tuple[torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return [(torch.rand(*shape, generator=generator) + 0.1,) for shape in shapes]


@exercise(
    "tensors-arange",
    why="arange + reshape is how most test inputs and index grids are built.",
    hints=[
        "torch.arange(n) counts 0, 1, ..., n-1; its dtype= argument sets the type.",
        "A tensor of 12 values can be reshaped to (3, 4) with .reshape(3, 4).",
        "torch.arange(12, dtype=torch.float32).reshape(3, 4)",
    ],
)
def _arange(answer: object) -> None:
    expect_tensor(answer, torch.arange(12, dtype=torch.float32).reshape(3, 4))


@exercise(
    "tensors-broadcast",
    why="broadcasting does the loop for you: a (3, 1) and a (4,) tensor combine into (3, 4).",
    hints=[
        "Multiply `col` and `row` directly -- no loop and no repeat needed.",
        "Shapes (3, 1) and (4,) broadcast: the 1 stretches to 4 and (4,) is read as (1, 4).",
        "answer = col * row",
    ],
)
def _broadcast(answer: object) -> None:
    col, row = torch.arange(1, 4).reshape(3, 1), torch.arange(1, 5)
    expect_tensor(answer, col * row)


def _normalize_rows(x: torch.Tensor) -> torch.Tensor:
    return x / x.sum(dim=1, keepdim=True)


@exercise(
    "tensors-normalize-rows",
    why="dividing by a sum over dim=1 with keepdim=True is the core of softmax and of row-stochastic matrices.",
    hints=[
        "Sum over the columns of each row: x.sum(dim=1).",
        "That sum has shape (N,); keepdim=True keeps it (N, 1) so that it broadcasts against (N, M).",
        "return x / x.sum(dim=1, keepdim=True)",
    ],
)
def _normalize(answer: object) -> None:
    expect_function(answer, _normalize_rows, _cases((2, 3), (4, 4), (1, 7), (5, 2)))


_SHAPE_QUESTIONS = (
    ("torch.stack([a, b])", "stack adds a NEW dimension (here 0) of size 2"),
    ("torch.cat([a, b], dim=1)", "cat joins along an EXISTING dimension, which grows"),
    ("a.unsqueeze(1)", "unsqueeze(1) inserts a dimension of size 1 at position 1"),
    ("a.T @ b", "a.T has shape (3, 2); (3, 2) @ (2, 3) keeps the outer sizes"),
)


@exercise(
    "tensors-predict-shapes",
    why="predicting shapes before running code is how you find shape bugs before PyTorch does.",
    hints=[
        "stack makes a new dimension; cat lengthens one that exists; unsqueeze adds a 1.",
        "For a matrix product (n, k) @ (k, m) gives (n, m); .T swaps the two dimensions.",
        "answer = [(2, 2, 3), (2, 6), (2, 1, 3), (3, 3)]",
    ],
)
def _predict_shapes(answer: object) -> None:
    a, b = torch.zeros(2, 3), torch.ones(2, 3)
    expected = [
        tuple(torch.stack([a, b]).shape),
        tuple(torch.cat([a, b], dim=1).shape),
        tuple(a.unsqueeze(1).shape),
        tuple((a.T @ b).shape),
    ]
    if not isinstance(answer, (list, tuple)) or len(answer) != len(expected):
        raise Mismatch(f"your answer should be a list of {len(expected)} shapes, one per line.")
    for number, (given, right, (code, why)) in enumerate(
        zip(answer, expected, _SHAPE_QUESTIONS, strict=True), start=1
    ):
        shape = tuple(given) if isinstance(given, (torch.Size, list)) else given
        if not isinstance(shape, tuple) or not all(isinstance(n, int) for n in shape):
            raise Mismatch(f"shape {number} ({code}) should be a tuple of ints such as (2, 3).")
        if shape != right:
            raise Mismatch(f"shape {number}, {code}, is not {shape}: {why}.")


def _best_class(scores: torch.Tensor) -> torch.Tensor:
    return scores.argmax(dim=1)


@exercise(
    "tensors-argmax",
    why="argmax over the class dimension turns a model's scores into its predicted labels.",
    hints=[
        "Each row holds one sample's scores; you want the column index of the largest one.",
        "torch.argmax takes a dim argument: dim=1 works across the columns of each row.",
        "return scores.argmax(dim=1)",
    ],
)
def _argmax(answer: object) -> None:
    expect_function(answer, _best_class, _cases((3, 4), (6, 10), (1, 2), seed=7))
