"""Chapter 06's exercises: right answers pass, typical mistakes get a message that helps."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.exercises import get

from .conftest import assert_fails, assert_passes

IDS = (
    "cnn-conv-by-hand",
    "cnn-output-size",
    "cnn-small-net",
    "cnn-receptive-field",
    "cnn-predict-shape",
    "cnn-batchnorm-by-hand",
)


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


def test_predict_shape():
    stack = nn.Sequential(
        nn.Conv2d(3, 10, kernel_size=5, padding=2),
        nn.MaxPool2d(2),
        nn.Conv2d(10, 20, kernel_size=3, stride=2),
    )
    actual = stack(torch.zeros(4, 3, 32, 32)).shape
    assert_passes("cnn-predict-shape", tuple(actual))
    assert_passes("cnn-predict-shape", actual)  # a torch.Size is a tuple
    assert_passes("cnn-predict-shape", [4, 20, 7, 7])
    assert_fails("cnn-predict-shape", (4, 20, 14, 14), "stride=2")
    assert_fails("cnn-predict-shape", (4, 20, 6, 6), "forgetting padding=2")
    assert_fails("cnn-predict-shape", (4, 20, 15, 15), "padding=2 keeps")
    assert_fails("cnn-predict-shape", (4, 10, 7, 7), "out_channels of the last convolution")
    assert_fails("cnn-predict-shape", (1, 20, 7, 7), "never change")
    assert_fails("cnn-predict-shape", (20, 7, 7), "has 3 numbers")
    assert_fails("cnn-predict-shape", (4, 20, 8, 8), "layer by layer")
    assert_fails("cnn-predict-shape", torch.zeros(4, 20, 7, 7), "not a tensor")
    assert_fails("cnn-predict-shape", "4, 20, 7, 7", "tuple of ints")


def _standardize(x, mean, var, eps):
    return (x - mean) / torch.sqrt(var + eps)


def test_batchnorm_by_hand():
    dims = (0, 2, 3)

    def right(x, eps):
        mean = x.mean(dim=dims, keepdim=True)
        return _standardize(x, mean, x.var(dim=dims, correction=0, keepdim=True), eps)

    def batch_only(x, eps):  # BatchNorm1d thinking: over dim 0 only
        return _standardize(x, x.mean(0), x.var(0, correction=0), eps)

    def unbiased(x, eps):
        return _standardize(x, x.mean(dim=dims, keepdim=True), x.var(dim=dims, keepdim=True), eps)

    def no_eps(x, eps):
        return right(x, 0.0)

    def no_keepdim(x, eps):
        return _standardize(x, x.mean(dim=dims), x.var(dim=dims, correction=0), eps)

    module = nn.BatchNorm2d(3)  # its own answer passes on 3-channel inputs only

    assert_passes("cnn-batchnorm-by-hand", right)
    assert_passes(
        "cnn-batchnorm-by-hand", lambda x, eps: F.batch_norm(x, None, None, training=True, eps=eps)
    )
    assert_fails("cnn-batchnorm-by-hand", batch_only, "over the batch dimension only")
    assert_fails("cnn-batchnorm-by-hand", unbiased, "unbiased variance")
    assert_fails("cnn-batchnorm-by-hand", no_eps, "eps is missing")
    assert_fails("cnn-batchnorm-by-hand", no_keepdim, "keepdim=True")
    assert_fails("cnn-batchnorm-by-hand", lambda x, eps: module(x), "raised")
    assert_fails("cnn-batchnorm-by-hand", lambda x, eps: None, "returned None")


def test_batchnorm_mistakes_are_named_only_where_the_answer_is_wrong():
    def whole(x, eps):
        return (x - x.mean()) / torch.sqrt(x.var(correction=0) + eps)

    def per_image(x, eps):
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        return (x - mean) / torch.sqrt(x.var(dim=(1, 2, 3), correction=0, keepdim=True) + eps)

    # right on a one-channel batch, so that case must not be taken for "eps is missing"
    assert_fails("cnn-batchnorm-by-hand", whole, "the whole batch with one mean")
    assert_fails("cnn-batchnorm-by-hand", per_image, "each image on its own")
