"""Chapter 06's exercises: right answers pass, typical mistakes get a message that helps."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.exercises import get

from .conftest import assert_fails, assert_passes

IDS = ("cnn-conv-by-hand", "cnn-output-size", "cnn-small-net", "cnn-receptive-field")


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    for id_ in IDS:
        ex = get(id_)
        assert ex.chapter == "cnn" and len(ex.hints) >= 2 and ex.why


def test_conv_by_hand():
    def by_hand(image, kernel):
        kh, kw = kernel.shape
        out = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1)
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j] = (image[i : i + kh, j : j + kw] * kernel).sum()
        return out

    def flipped(image, kernel):  # a true convolution is not what PyTorch computes
        return F.conv2d(image[None, None], kernel.flip(0, 1)[None, None])[0, 0]

    def square_only(image, kernel):  # assumes a square kernel
        k = kernel.shape[0]
        return F.conv2d(image[None, None], kernel[:k, :k][None, None])[0, 0]

    assert_passes("cnn-conv-by-hand", by_hand)
    assert_fails("cnn-conv-by-hand", flipped, "differs at")
    assert_fails("cnn-conv-by-hand", square_only, "conv2d_by_hand(")
    assert_fails("cnn-conv-by-hand", lambda image, kernel: None, "returned None")


def test_output_size():
    assert_passes("cnn-output-size", lambda n, k, s, p: (n + 2 * p - k) // s + 1)
    assert_fails(
        "cnn-output-size", lambda n, k, s, p: (n + p - k) // s + 1, "output_size(28, 3, 1, 1)"
    )
    assert_fails("cnn-output-size", lambda n, k, s, p: (n + 2 * p - k) / s + 1, "is 14.5")


def test_small_net():
    right = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )
    assert_passes("cnn-small-net", right)
    no_padding = nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )
    assert_fails("cnn-small-net", no_padding, "")
    # same shapes and parameter count, but a 1×9 kernel instead of 3×3
    wide = nn.Sequential(
        nn.Conv2d(1, 8, (1, 9), padding=(0, 4)),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )
    assert_fails("cnn-small-net", wide, "two 3×3 convolutions")
    assert_fails("cnn-small-net", "model", "should be a torch.nn.Module")


def test_receptive_field():
    assert_passes("cnn-receptive-field", 14)
    assert_fails("cnn-receptive-field", 10, "is 10, but that is not right")
    assert_fails("cnn-receptive-field", torch.tensor(14), "not a tensor")
