"""The prediction explorer: browse test digits and see what a trained classifier believes.

- :func:`explorer_digits` -- which digits it holds: the first ``count`` test digits and the
  model's ``max_mistakes`` most confident mistakes on the whole set.
- :class:`PredictionExplorer` / :func:`show_prediction_explorer` -- the widget: PyTorch computes
  the probabilities of every test digit once, when it is made
  (:func:`~pytorch_lessons.evaluation.predict_probabilities`); the module
  ``js/prediction_explorer.js`` draws the digit the slider points at and a bar chart of its ten
  probabilities, at once, with or without a kernel. A box limits the slider to the mistakes.

The two bulky arrays travel packed (:func:`pack`): the pixels as ``uint8`` (0..255, the MNIST
normalisation undone), the probabilities in thousandths as ``int16``, each array in one
zlib-compressed block in base64: about 210 characters an MNIST digit, where its 784 pixels as a
list of numbers take 2 600 in compact JSON and 9 000 as a notebook stores them (a number a line).
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np
import torch
import traitlets
from torch import nn

from pytorch_lessons.checks import int_at_least
from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.evaluation import as_images, as_labels, misclassified, predict_probabilities
from pytorch_lessons.widgets.base import BookWidget

#: How many of the first test digits the explorer holds, and how many mistakes at most: about
#: 230 digits and 76 KB of stored state (its module included) for the chapter's CNN.
DEFAULT_COUNT = 150
DEFAULT_MAX_MISTAKES = 100
#: The packed types, little-endian whatever the machine: what the module reads.
_PACKED: dict[torch.dtype, np.dtype[Any]] = {
    torch.uint8: np.dtype("u1"),
    torch.int16: np.dtype("<i2"),
}


def explorer_digits(
    probabilities: torch.Tensor,
    labels: torch.Tensor,
    count: int = DEFAULT_COUNT,
    max_mistakes: int = DEFAULT_MAX_MISTAKES,
) -> tuple[list[int], list[int]]:
    """``(indices, mistakes)``: the digits the explorer holds, in test-set order -- the first
    ``count`` and the ``max_mistakes`` most confident mistakes -- and every mistake among them,
    the most confident first."""
    count = int_at_least("count", count, 1)
    max_mistakes = int_at_least("max_mistakes", max_mistakes, 0)
    labels = as_labels("labels", labels, len(probabilities))
    wrong = misclassified(probabilities, labels).tolist()
    held = set(range(min(count, len(labels)))) | set(wrong[:max_mistakes])
    return sorted(held), [i for i in wrong if i in held]


def to_pixels(
    images: torch.Tensor, mean: float = MNIST_MEAN, std: float = MNIST_STD
) -> torch.Tensor:
    """Normalised images ``(N, 1, H, W)`` back to ``uint8`` grey values ``(N, H, W)``, 0..255."""
    images = as_images(images)
    if images.shape[1] != 1:
        raise ValueError(f"images must have one channel, got {images.shape[1]}")
    grey = (images[:, 0].detach().cpu().float() * std + mean).clamp(0, 1)
    return (grey * 255).round().to(torch.uint8)


def pack(values: torch.Tensor) -> str:
    """A ``uint8`` or ``int16`` tensor's values, flattened, little-endian, zlib-compressed, in
    base64."""
    if not isinstance(values, torch.Tensor) or values.dtype not in _PACKED:
        raise TypeError("values must be a uint8 or int16 tensor")
    raw = values.detach().cpu().contiguous().numpy().astype(_PACKED[values.dtype]).tobytes()
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def unpack(text: str, dtype: torch.dtype, *shape: int) -> torch.Tensor:
    """The inverse of :func:`pack`: a tensor of ``dtype`` and ``shape``."""
    raw = zlib.decompress(base64.b64decode(text))
    values = np.frombuffer(raw, dtype=_PACKED[dtype]).astype(_PACKED[dtype].newbyteorder("="))
    return torch.from_numpy(values).view(*shape)


class PredictionExplorer(BookWidget, module="prediction_explorer", title="prediction explorer"):
    """The widget: a slider over test digits, each drawn with the model's ten probabilities,
    and a box to browse only the mistakes.

    Made, it computes the probabilities of every test digit once and keeps the digits of
    :func:`explorer_digits`: their test-set ``indices``, ``labels`` and ``predictions``, their
    ``pixels`` and ``permille`` (the probabilities in thousandths), packed, and which of them
    are ``mistakes``. ``position`` and ``only_mistakes`` follow the controls; :meth:`current`
    says which digit they show.
    """

    indices = traitlets.List(traitlets.Int()).tag(sync=True)
    labels = traitlets.List(traitlets.Int()).tag(sync=True)
    predictions = traitlets.List(traitlets.Int()).tag(sync=True)
    mistakes = traitlets.List(traitlets.Int()).tag(sync=True)
    pixels = traitlets.Unicode().tag(sync=True)
    permille = traitlets.Unicode().tag(sync=True)
    height = traitlets.Int().tag(sync=True)
    width = traitlets.Int().tag(sync=True)
    classes = traitlets.Int().tag(sync=True)
    total = traitlets.Int().tag(sync=True)
    total_mistakes = traitlets.Int().tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    only_mistakes = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        model: nn.Module,
        images: torch.Tensor,
        labels: torch.Tensor,
        count: int = DEFAULT_COUNT,
        max_mistakes: int = DEFAULT_MAX_MISTAKES,
    ) -> None:
        images = as_images(images)
        labels = as_labels("labels", labels, len(images))
        probabilities = predict_probabilities(model, images)
        indices, mistakes = explorer_digits(probabilities, labels, count, max_mistakes)
        held = probabilities[indices]
        super().__init__(
            indices=indices,
            labels=labels[indices].tolist(),
            predictions=held.argmax(dim=1).tolist(),
            mistakes=mistakes,
            pixels=pack(to_pixels(images[indices])),
            permille=pack((held * 1000).round().to(torch.int16)),
            height=images.shape[2],
            width=images.shape[3],
            classes=held.shape[1],
            total=len(images),
            total_mistakes=len(misclassified(probabilities, labels)),
        )

    def stored_pixels(self) -> torch.Tensor:
        """The pixels the module draws, ``(digits, height, width)`` ``uint8``."""
        return unpack(self.pixels, torch.uint8, len(self.indices), self.height, self.width)

    def stored_probabilities(self) -> torch.Tensor:
        """The probabilities the module draws, ``(digits, classes)``, to 3 decimals."""
        permille = unpack(self.permille, torch.int16, len(self.indices), self.classes)
        return permille.double() / 1000

    def browsed(self) -> list[int]:
        """The test-set indices the slider runs over now: all the digits held, or the mistakes."""
        return list(self.mistakes) if self.only_mistakes and self.mistakes else list(self.indices)

    def current(self) -> dict[str, Any]:
        """The digit the controls show: its test-set ``index``, ``label`` and ``prediction``."""
        browsed = self.browsed()
        index = browsed[min(max(self.position, 0), len(browsed) - 1)]
        k = self.indices.index(index)
        return {"index": index, "label": self.labels[k], "prediction": self.predictions[k]}


def show_prediction_explorer(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    count: int = DEFAULT_COUNT,
    max_mistakes: int = DEFAULT_MAX_MISTAKES,
) -> PredictionExplorer:
    """The prediction explorer over the first ``count`` of ``images`` and the model's
    ``max_mistakes`` most confident mistakes: shown as a cell's last line."""
    return PredictionExplorer(model, images, labels, count, max_mistakes)
