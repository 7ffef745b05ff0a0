"""The prediction explorer: browse test digits and see what a trained classifier believes.

Three layers, each usable alone:

- :func:`predict_probabilities` -- the computation: the model's softmax probabilities for a
  batch of images, in ``eval()`` mode under ``torch.no_grad()``.
- :func:`draw_prediction` -- the picture: the digit and a bar chart of the ten probabilities,
  the true class in green, a wrong prediction in red.
- :class:`PredictionExplorer` / :func:`show_prediction_explorer` -- the live widget (a slider over
  the test digits, optionally only the misclassified ones), plus a precomputed slider over a
  dozen digits for the static site.

Also the evaluation pictures of Chapter 07: :func:`confusion_matrix`, :func:`plot_confusion`
and :func:`show_misclassified`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from pytorch_lessons.plot import image_grid
from pytorch_lessons.widgets.conv_explorer import render_png
from pytorch_lessons.widgets.live import labelled, show_live_and_static

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pytorch_lessons.widgets.static import PrecomputedSlider

_RIGHT, _WRONG, _OTHER = "#2e8b57", "#c0392b", "#9aa5b1"


def _check_images(images: Any) -> torch.Tensor:
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a tensor, got {type(images).__name__}")
    if images.ndim == 3:
        images = images.unsqueeze(1)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(
            f"images must have shape (N, H, W) or (N, C, H, W) with N > 0, got {tuple(images.shape)}"
        )
    return images


def predict_probabilities(
    model: nn.Module, images: torch.Tensor, batch_size: int = 1000
) -> torch.Tensor:
    """Softmax probabilities ``(N, classes)`` of ``model`` for ``images``, on the CPU.

    Runs in ``eval()`` mode under ``torch.no_grad()``, on the model's device, ``batch_size``
    images at a time; the model's previous mode is restored.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    images = _check_images(images)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
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


def _as_labels(name: str, values: Any, count: int | None = None) -> torch.Tensor:
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


def confusion_matrix(
    predictions: torch.Tensor, labels: torch.Tensor, num_classes: int = 10
) -> torch.Tensor:
    """Counts ``(num_classes, num_classes)``: row = true class, column = predicted class."""
    labels = _as_labels("labels", labels)
    predictions = _as_labels("predictions", predictions, len(labels))
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes <= 0:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if len(values) and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} must lie in 0..{num_classes - 1}")
    flat = labels * num_classes + predictions
    return torch.bincount(flat, minlength=num_classes**2).view(num_classes, num_classes)


def plot_confusion(matrix: torch.Tensor, title: str = "Confusion matrix") -> Figure:
    """Draw a confusion matrix; off-diagonal counts (the mistakes) are written in the cells."""
    import matplotlib.pyplot as plt

    if (
        not isinstance(matrix, torch.Tensor)
        or matrix.ndim != 2
        or matrix.shape[0] != matrix.shape[1]
    ):
        raise ValueError("matrix must be a square 2-D tensor from confusion_matrix()")
    counts = matrix.detach().cpu()
    n = counts.shape[0]
    errors = counts.clone()
    errors.fill_diagonal_(0)
    fig, ax = plt.subplots(figsize=(5, 4.4), dpi=80)
    plt.close(fig)
    image = ax.imshow(errors.numpy(), cmap="Reds")
    for i in range(n):
        for j in range(n):
            value = int(counts[i, j])
            if value and i != j:
                ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
            elif i == j:
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7, color="#2e8b57")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title + " (colour: mistakes)", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


@dataclass(frozen=True)
class Prediction:
    """What the model said about one image."""

    index: int
    label: int | None
    probabilities: torch.Tensor

    @property
    def predicted(self) -> int:
        return int(self.probabilities.argmax())

    @property
    def confidence(self) -> float:
        return float(self.probabilities.max())

    @property
    def correct(self) -> bool | None:
        return None if self.label is None else self.label == self.predicted

    def caption(self) -> str:
        """E.g. ``test digit 7: label 2, predicted 2 (99.8 %)``."""
        label = "" if self.label is None else f"label {self.label}, "
        return f"test digit {self.index}: {label}predicted {self.predicted} ({self.confidence:.1%})"


def draw_prediction(
    image: torch.Tensor, probabilities: torch.Tensor, label: int | None = None, index: int = 0
) -> Figure:
    """The digit and the model's ten probabilities; the true class's bar is green, a wrong
    prediction's red. Returns a closed figure."""
    import matplotlib.pyplot as plt

    picture = _check_images(
        image[None] if isinstance(image, torch.Tensor) and image.ndim < 4 else image
    )
    if len(picture) != 1:
        raise ValueError("draw_prediction shows one image at a time")
    if not isinstance(probabilities, torch.Tensor) or probabilities.ndim != 1:
        raise ValueError("probabilities must be a 1-D tensor, one value per class")
    probabilities = probabilities.detach().cpu().float()
    prediction = Prediction(index, label, probabilities)
    fig, (ax_img, ax_bar) = plt.subplots(
        1, 2, figsize=(6.4, 2.6), dpi=80, gridspec_kw={"width_ratios": [1, 1.8]}
    )
    plt.close(fig)
    ax_img.imshow(picture[0, 0].detach().cpu().float().numpy(), cmap="gray")
    ax_img.axis("off")
    colours = [_OTHER] * len(probabilities)
    if label is not None:
        colours[label] = _RIGHT
    if prediction.correct is False:
        colours[prediction.predicted] = _WRONG
    ax_bar.bar(range(len(probabilities)), probabilities.tolist(), color=colours)
    ax_bar.set_xticks(range(len(probabilities)))
    ax_bar.set_ylim(0, 1.05)
    ax_bar.set_ylabel("probability")
    ax_bar.set_xlabel("class")
    fig.suptitle(
        prediction.caption(), fontsize=10, color=_WRONG if prediction.correct is False else "black"
    )
    fig.tight_layout()
    return fig


def misclassified(probabilities: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Indices of the wrong predictions, the most confident mistakes first."""
    if not isinstance(probabilities, torch.Tensor) or probabilities.ndim != 2:
        raise ValueError("probabilities must be a 2-D tensor (N, classes)")
    labels = _as_labels("labels", labels, len(probabilities))
    confidence, predicted = probabilities.max(dim=1)
    wrong = (predicted != labels).nonzero().flatten()
    return wrong[confidence[wrong].argsort(descending=True, stable=True)]


def show_misclassified(
    images: torch.Tensor,
    labels: torch.Tensor,
    probabilities: torch.Tensor,
    count: int = 12,
    ncols: int = 6,
) -> Figure:
    """A gallery of the ``count`` most confident mistakes: each titled
    ``true → predicted`` with the probability given to the prediction and to the truth."""
    images = _check_images(images)
    labels = _as_labels("labels", labels, len(images))
    if not isinstance(probabilities, torch.Tensor) or probabilities.shape[:1] != images.shape[:1]:
        raise ValueError("probabilities must have one row per image")
    for name, value in (("count", count), ("ncols", ncols)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    wrong = misclassified(probabilities, labels)[:count]
    if len(wrong) == 0:
        raise ValueError("there are no misclassified images to show")
    titles = []
    for i in wrong.tolist():
        p = probabilities[i]
        predicted, truth = int(p.argmax()), int(labels[i])
        titles.append(f"{truth}→{predicted} ({p[predicted]:.0%})\np({truth}) = {p[truth]:.0%}")
    return image_grid(images[wrong, 0], titles, [_WRONG] * len(titles), ncols=ncols, fontsize=8)


class PredictionExplorer:
    """The live widget: a slider over the test digits, and a box to show only the mistakes.

    The probabilities are computed once, up front; ``show(position)`` is what moving the slider
    calls and returns the :class:`Prediction` shown, so it can be tested without a browser.
    """

    def __init__(
        self, probabilities: torch.Tensor, images: torch.Tensor, labels: torch.Tensor
    ) -> None:
        import ipywidgets as widgets

        self.images = _check_images(images)
        self.labels = _as_labels("labels", labels, len(self.images))
        if (
            not isinstance(probabilities, torch.Tensor)
            or probabilities.shape[:1] != self.images.shape[:1]
        ):
            raise ValueError("probabilities must have one row per image")
        self.probabilities = probabilities.detach().cpu()
        self.mistakes = misclassified(self.probabilities, self.labels)
        self.indices = torch.arange(len(self.images))
        self.slider = widgets.IntSlider(
            value=0, min=0, max=len(self.images) - 1, description="test digit"
        )
        self.only_mistakes = widgets.Checkbox(
            value=False, description=f"only the {len(self.mistakes)} mistakes"
        )
        self.only_mistakes.disabled = len(self.mistakes) == 0
        self.image_view = widgets.Image(format="png")
        self.current: Prediction | None = None
        self.slider.observe(lambda change: self.show(change["new"]), names="value")
        self.only_mistakes.observe(lambda change: self.filter(change["new"]), names="value")
        self.show(0)
        self.widget = labelled(widgets.VBox, "prediction explorer")(
            [widgets.HBox([self.slider, self.only_mistakes]), self.image_view]
        )
        self.widget.explorer = self

    def filter(self, only_mistakes: bool) -> None:
        """Browse every digit, or only the misclassified ones (most confident first)."""
        self.indices = (
            self.mistakes
            if only_mistakes and len(self.mistakes)
            else torch.arange(len(self.images))
        )
        self.slider.value = 0
        self.slider.max = len(self.indices) - 1
        self.show(0)

    def show(self, position: int) -> Prediction:
        """Show the digit at ``position`` of the current selection."""
        if isinstance(position, bool) or not isinstance(position, int):
            raise TypeError(f"position must be an int, got {type(position).__name__}")
        if not 0 <= position < len(self.indices):
            raise ValueError(f"position must be in 0..{len(self.indices) - 1}, got {position}")
        index = int(self.indices[position])
        label = int(self.labels[index])
        self.current = Prediction(index, label, self.probabilities[index])
        figure = draw_prediction(self.images[index], self.probabilities[index], label, index)
        self.image_view.value = render_png(figure)
        return self.current


def fallback_indices(
    probabilities: torch.Tensor, labels: torch.Tensor, count: int = 12
) -> list[int]:
    """Which digits the static slider shows: the first ``count`` test digits, but with up to a
    third of the places given to the most confident mistakes, so the interesting cases are in."""
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
        raise ValueError(f"count must be a positive int, got {count!r}")
    labels = _as_labels("labels", labels, len(probabilities))
    wrong = [int(i) for i in misclassified(probabilities, labels)[: count // 3]]
    right = [i for i in range(len(labels)) if i not in wrong][: count - len(wrong)]
    return sorted(right + wrong)


def prediction_frames(
    probabilities: torch.Tensor,
    images: torch.Tensor,
    labels: torch.Tensor,
    indices: Sequence[int],
) -> list[tuple[str, Figure]]:
    """One ``(label, figure)`` frame per chosen test digit, for the static slider. A digit the
    model gets wrong is labelled so: the reader can go straight to the mistakes."""
    images = _check_images(images)
    labels = _as_labels("labels", labels, len(images))
    if len(indices) == 0:
        raise ValueError("indices must hold at least one digit")
    predicted = probabilities.argmax(dim=1)
    return [
        (
            f"digit {i} (a mistake)" if int(predicted[i]) != int(labels[i]) else f"digit {i}",
            draw_prediction(images[i], probabilities[i], int(labels[i]), int(i)),
        )
        for i in indices
    ]


def prediction_fallback(
    probabilities: torch.Tensor, images: torch.Tensor, labels: torch.Tensor, count: int = 12
) -> PrecomputedSlider:
    """The static-site version: a precomputed slider over ``count`` digits (mistakes included)."""
    from pytorch_lessons.widgets.static import precomputed_slider

    indices = fallback_indices(probabilities, labels, count)
    return precomputed_slider(
        prediction_frames(probabilities, images, labels, indices),
        "test digit",
        caption=f"Precomputed for {len(indices)} test digits; run the notebook to browse all "
        f"{len(images):,}.",
    )


def show_prediction_explorer(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, count: int = 12
) -> None:
    """Show the live prediction explorer and, below it, its precomputed static version
    (``count`` digits; skipped in instructor fast mode). The displayed box keeps its
    :class:`PredictionExplorer` as ``.explorer``."""
    probabilities = predict_probabilities(model, images)
    explorer = PredictionExplorer(probabilities, images, labels)
    show_live_and_static(
        explorer.widget, lambda: prediction_fallback(probabilities, images, labels, count)
    )
