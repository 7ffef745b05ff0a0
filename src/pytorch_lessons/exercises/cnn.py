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


_STACK_INPUT = (4, 3, 32, 32)
_STACK_OUTPUT = (4, 20, 7, 7)  # conv 5×5 pad 2: 32; pool 2: 16; conv 3×3 stride 2: 7


@exercise(
    "cnn-predict-shape",
    why="reading a stack of layers and knowing the shape that comes out is how you size the "
    "first nn.Linear -- and how you read other people's models.",
    hints=[
        "Batch size and layout never change: (batch, channels, height, width). The channels are "
        "the out_channels of the last convolution.",
        "Height and width, layer by layer with ⌊(n + 2p − k)/s⌋ + 1: the 5×5 convolution with "
        "padding=2 keeps 32; MaxPool2d(2) halves it to 16; the 3×3 convolution with stride=2 "
        "gives (16 − 3) // 2 + 1.",
        "answer = (4, 20, 7, 7)",
    ],
)
def _predict_shape(answer: object) -> None:
    if isinstance(answer, torch.Tensor):
        raise Mismatch("answer should be the shape as a tuple of ints, not a tensor.")
    if not isinstance(answer, (tuple, list)) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in answer
    ):
        raise Mismatch(
            f"answer should be a tuple of ints such as {_STACK_INPUT}, but it is {answer!r}."
        )
    shape = tuple(answer)
    if len(shape) != 4:
        raise Mismatch(
            f"answer has {len(shape)} numbers; a batch of feature maps has 4: "
            "(batch, channels, height, width)."
        )
    batch, channels, height, width = shape
    if batch != _STACK_OUTPUT[0]:
        raise Mismatch(
            f"the batch size is {batch} in your answer, but layers never change it: it stays 4."
        )
    if channels != _STACK_OUTPUT[1]:
        raise Mismatch(
            f"{channels} channels is not right: the channels that come out are the out_channels "
            "of the last convolution."
        )
    if height != width:
        raise Mismatch("height and width should be equal: the input and every kernel are square.")
    if height == 14:
        raise Mismatch(
            "14 is what the last convolution gives with stride 1; with stride=2 it moves 2 pixels "
            "at a time: (16 − 3) // 2 + 1."
        )
    if height == 6:
        raise Mismatch(
            "6 comes from forgetting the + 1 of the formula ((16 − 3) // 2 + 1), or from "
            "forgetting padding=2 (32 → 28 → 14 → 6)."
        )
    if height in (15, 13):
        raise Mismatch(
            f"{height} forgets a layer's effect: padding=2 keeps the 5×5 convolution at 32, the "
            "pool halves it to 16, and only then comes the stride-2 convolution."
        )
    if (height, width) != _STACK_OUTPUT[2:]:
        raise Mismatch(
            f"height and width {height}×{width} are not right: go layer by layer with "
            "⌊(n + 2p − k)/s⌋ + 1, starting from 32."
        )


def _batchnorm_reference(x: torch.Tensor, eps: float) -> torch.Tensor:
    return F.batch_norm(x, None, None, training=True, eps=eps)


def _batchnorm_cases() -> list[tuple[torch.Tensor, float]]:
    generator = torch.Generator().manual_seed(6)
    shapes = [(8, 3, 5, 5), (2, 4, 3, 6), (16, 1, 4, 4), (3, 5, 2, 2)]
    epsilons = [1e-5, 0.5, 1e-5, 0.1]
    return [
        (torch.randn(*shape, generator=generator) * 3 + 2, eps)
        for shape, eps in zip(shapes, epsilons, strict=True)
    ]


def _batchnorm_mistake(answer: Any, x: torch.Tensor, eps: float) -> str | None:
    """A message naming the typical mistake ``answer`` made on ``x``, if it is one of them."""
    got = answer(x.clone(), eps)
    if not isinstance(got, torch.Tensor) or got.shape != x.shape:
        return None
    if torch.allclose(got, _batchnorm_reference(x, eps), atol=1e-4, rtol=1e-4):
        return None  # right on this case (e.g. one channel): it says nothing about the mistake
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    biased = x.var(dim=(0, 2, 3), correction=0, keepdim=True)
    mistakes = {
        "it standardizes over the batch dimension only: BatchNorm2d takes one mean and variance "
        "per channel over dims (0, 2, 3) -- all images and all positions.": (
            x - x.mean(0, keepdim=True)
        )
        / torch.sqrt(x.var(0, correction=0, keepdim=True) + eps),
        "it standardizes the whole batch with one mean and variance: BatchNorm2d takes one per "
        "channel, reducing over dims (0, 2, 3) only.": (x - x.mean())
        / torch.sqrt(x.var(correction=0) + eps),
        "it standardizes each image on its own (dims (1, 2, 3)): BatchNorm2d takes one mean and "
        "variance per channel, over all images and positions -- dims (0, 2, 3).": (
            x - x.mean(dim=(1, 2, 3), keepdim=True)
        )
        / torch.sqrt(x.var(dim=(1, 2, 3), correction=0, keepdim=True) + eps),
        "it uses the unbiased variance (÷ (n − 1)); batch norm normalizes with the biased one: "
        "var(..., correction=0).": (x - mean)
        / torch.sqrt(x.var(dim=(0, 2, 3), keepdim=True) + eps),
        "eps is missing or outside the square root: divide by sqrt(var + eps).": (x - mean)
        / torch.sqrt(biased),
        "it divides by the variance; divide by its square root, sqrt(var + eps).": (x - mean)
        / (biased + eps),
    }
    for message, wrong in mistakes.items():
        if torch.allclose(got, wrong, atol=1e-5, rtol=1e-4):
            return message
    return None


@exercise(
    "cnn-batchnorm-by-hand",
    why="BatchNorm2d is nothing more than this per-channel standardization (plus a learned scale "
    "and shift): statistics over the batch and every position of a feature map.",
    hints=[
        "One mean and one variance per channel: reduce over dims (0, 2, 3) with keepdim=True, so "
        "they have shape (1, C, 1, 1) and broadcast against x.",
        "Use the biased variance, x.var(dim=(0, 2, 3), correction=0, keepdim=True), and put eps "
        "inside the square root.",
        "mean = x.mean(dim=(0, 2, 3), keepdim=True); var = x.var(dim=(0, 2, 3), correction=0, "
        "keepdim=True); return (x - mean) / torch.sqrt(var + eps)",
    ],
)
def _batchnorm_by_hand(answer: object) -> None:
    cases = _batchnorm_cases()
    try:
        expect_function(answer, _batchnorm_reference, cases, name="batchnorm2d_by_hand", atol=1e-4)
    except RuntimeError as error:
        if "size of tensor" not in str(error):
            raise
        raise Mismatch(
            f"your function raised RuntimeError: {str(error).splitlines()[0]}. A mean of shape "
            "(C,) does not line up with the channel dimension of x: reduce with keepdim=True, "
            "so it has shape (1, C, 1, 1)."
        ) from None
    except Mismatch as wrong:
        for x, eps in cases:
            try:
                message = _batchnorm_mistake(answer, x, eps)
            except Exception:  # the student's function fails on this case: keep the first message
                message = None
            if message is not None:
                raise Mismatch(f"{wrong} Your function: {message}") from None
        raise
