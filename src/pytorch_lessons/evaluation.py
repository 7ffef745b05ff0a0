"""Evaluating a trained classifier: its probabilities, its confusion matrix, its mistakes.

- :func:`predict_probabilities` -- the model's softmax probabilities for a batch of images, in
  ``eval()`` mode under ``torch.no_grad()``, as Chapter 07 computes them by hand first.
- :func:`confusion_matrix` -- counts of (true class, predicted class), one ``bincount``.
- :func:`misclassified` -- which images the model gets wrong, the most confident mistakes first.

The pictures of these numbers are in :mod:`pytorch_lessons.plot` (:func:`~pytorch_lessons.plot.plot_confusion`,
:func:`~pytorch_lessons.plot.show_misclassified`); the prediction explorer
(:mod:`pytorch_lessons.widgets.prediction_explorer`) lets a reader browse them.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from pytorch_lessons.checks import positive_int


def as_images(images: Any) -> torch.Tensor:
    """``images`` as a batch ``(N, C, H, W)`` with ``N > 0``; ``(N, H, W)`` gets its channel."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a tensor, got {type(images).__name__}")
    if images.ndim == 3:
        images = images.unsqueeze(1)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(
            f"images must have shape (N, H, W) or (N, C, H, W) with N > 0, got {tuple(images.shape)}"
        )
    return images


def as_labels(name: str, values: Any, count: int | None = None) -> torch.Tensor:
    """``values`` as a 1-D ``int64`` tensor of class indices on the CPU (``count`` of them, if
    given); ``name`` is what an error message calls them."""
    if not isinstance(values, torch.Tensor):
        try:
            values = torch.as_tensor(values)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must be a 1-D tensor of class indices") from None
    if values.ndim != 1 or values.dtype.is_floating_point or values.dtype == torch.bool:
        raise ValueError(
            f"{name} must be a 1-D tensor of integer class indices, got shape {tuple(values.shape)} "
            f"and dtype {values.dtype}"
        )
    if count is not None and len(values) != count:
        raise ValueError(f"{name} has {len(values)} entries, expected {count}")
    return values.cpu().long()


def predict_probabilities(
    model: nn.Module, images: torch.Tensor, batch_size: int = 1000
) -> torch.Tensor:
    """Softmax probabilities ``(N, classes)`` of ``model`` for ``images``, on the CPU.

    Runs in ``eval()`` mode under ``torch.no_grad()``, on the model's device, ``batch_size``
    images at a time; the model's previous mode is restored.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    images = as_images(images)
    positive_int("batch_size", batch_size)
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            chunks = [
                model(images[i : i + batch_size].to(device)).softmax(dim=1).cpu()
                for i in range(0, len(images), batch_size)
            ]
    finally:
        model.train(was_training)
    return torch.cat(chunks)


def confusion_matrix(
    predictions: torch.Tensor, labels: torch.Tensor, num_classes: int = 10
) -> torch.Tensor:
    """Counts ``(num_classes, num_classes)``: row = true class, column = predicted class."""
    labels = as_labels("labels", labels)
    predictions = as_labels("predictions", predictions, len(labels))
    positive_int("num_classes", num_classes)
    for name, values in (("labels", labels), ("predictions", predictions)):
        if len(values) and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} must lie in 0..{num_classes - 1}")
    flat = labels * num_classes + predictions
    return torch.bincount(flat, minlength=num_classes**2).view(num_classes, num_classes)


def misclassified(probabilities: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Indices of the wrong predictions, the most confident mistakes first."""
    if not isinstance(probabilities, torch.Tensor) or probabilities.ndim != 2:
        raise ValueError("probabilities must be a 2-D tensor (N, classes)")
    labels = as_labels("labels", labels, len(probabilities))
    confidence, predicted = probabilities.max(dim=1)
    wrong = (predicted != labels).nonzero().flatten()
    return wrong[confidence[wrong].argsort(descending=True, stable=True)]
