"""Exercises of Chapter 06 -- Convolutional networks."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import expect_equal, expect_function, expect_module


def _conv_reference(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    return F.conv2d(image[None, None], kernel[None, None])[0, 0]


def _conv_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(5)
    shapes = [
        ((5, 5), (3, 3)),
        ((6, 8), (3, 3)),
        ((7, 4), (2, 2)),
        ((4, 6), (1, 3)),
        ((3, 3), (3, 3)),
    ]
    return [
        (torch.randn(*image, generator=generator), torch.randn(*kernel, generator=generator))
        for image, kernel in shapes
    ]


@exercise(
    "cnn-conv-by-hand",
    why="a convolution layer is exactly this sliding dot product, repeated for every channel -- "
    "F.conv2d only does it faster.",
    hints=[
        "The output has (H - kH + 1) rows and (W - kW + 1) columns; make it with torch.zeros.",
        "Output [i, j] is (image[i:i + kH, j:j + kW] * kernel).sum(): loop over i and j.",
        "kh, kw = kernel.shape; out = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1); "
        "then out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum() for every i, j.",
    ],
)
def _conv_by_hand(answer: object) -> None:
    expect_function(answer, _conv_reference, _conv_cases(), name="conv2d_by_hand", atol=1e-4)


def _output_size(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


@exercise(
    "cnn-output-size",
    why="⌊(n + 2p − k)/s⌋ + 1 tells you every feature-map size, and so the in_features of the "
    "first nn.Linear after the convolutions.",
    hints=[
        "Padding adds p pixels on both sides, so the padded input has n + 2p pixels.",
        "A kernel of size k fits at (n + 2p − k) // s + 1 positions when it moves s pixels at a time.",
        "return (n + 2 * p - k) // s + 1",
    ],
)
def _output_size_check(answer: object) -> None:
    cases = [
        (28, 3, 1, 0),
        (28, 3, 1, 1),
        (28, 5, 2, 2),
        (32, 3, 2, 0),
        (7, 2, 2, 0),
        (10, 4, 3, 1),
    ]
    expect_function(answer, _output_size, cases, name="output_size")


def _small_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )


@exercise(
    "cnn-small-net",
    why="conv → ReLU → pool blocks, then flatten and a linear layer: the shape of every classic CNN.",
    hints=[
        "Each 3×3 convolution with padding=1 keeps 28×28; each nn.MaxPool2d(2) halves it.",
        "After two pools the 16 feature maps are 7×7, so nn.Linear needs 16 * 7 * 7 inputs.",
        "nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), "
        "nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), "
        "nn.Linear(16 * 7 * 7, 10))",
    ],
)
def _small_net(answer: Any) -> None:
    reference = _small_cnn()
    count = sum(p.numel() for p in reference.parameters())
    expect_module(answer, (4, 1, 28, 28), (4, 10), count, name="model")
    convs = [m for m in answer.modules() if isinstance(m, nn.Conv2d)]
    if [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] != [
        (1, 8, (3, 3)),
        (8, 16, (3, 3)),
    ]:
        raise Mismatch("the model should have two 3×3 convolutions: 1 → 8 and 8 → 16 channels.")


def _receptive_field(layers: list[tuple[int, int]]) -> int:
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


@exercise(
    "cnn-receptive-field",
    why="stacking small kernels and pooling grows what each output pixel sees: deep layers "
    "respond to whole strokes, not single pixels.",
    hints=[
        "Start at 1 pixel. A k×k layer adds (k − 1) × jump pixels, where jump is the product "
        "of the strides of the layers before it.",
        "conv 5×5: 1 + 4 = 5; pool 2×2 stride 2: 5 + 1 = 6, and from now on one step is 2 "
        "input pixels.",
        "Each of the two last 3×3 convolutions adds (3 − 1) × 2 pixels.",
    ],
)
def _receptive(answer: object) -> None:
    expect_equal(answer, _receptive_field([(5, 1), (2, 2), (3, 1), (3, 1)]), name="answer")
