"""Pictures for the book: loss curves, a live loss plot, grids of digits.

Each function draws a matplotlib ``Figure`` and returns it, closed, so that it is shown
exactly once when it is the last expression of a notebook cell.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pytorch_lessons.train import History


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _curves(history: History | Mapping[str, Sequence[float]]) -> dict[str, list[float]]:
    if isinstance(history, Mapping):
        curves = {str(k): list(v) for k, v in history.items()}
    elif hasattr(history, "train_loss"):
        curves = {"train": list(history.train_loss), "validation": list(history.valid_loss)}
    else:
        raise TypeError(
            "history must be a History from fit() or a dict of name -> list of losses, "
            f"got {type(history).__name__}"
        )
    curves = {name: values for name, values in curves.items() if len(values) > 0}
    if not curves:
        raise ValueError("nothing to plot: every loss curve is empty")
    for name, values in curves.items():
        if not all(isinstance(v, (int, float)) for v in values):
            raise TypeError(f"curve {name!r} must hold numbers")
    return curves


def plot_losses(
    history: History | Mapping[str, Sequence[float]],
    log: bool = False,
    xlabel: str = "epoch",
    title: str = "Loss",
) -> Figure:
    """Plot loss curves (train and validation, or any named curves) against the epoch.

    NaN or infinite values -- a diverged run -- are cut from the curve and marked "diverged".
    ``log=True`` uses a log-scale y axis.
    """
    curves = _curves(history)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=80)
    _draw_curves(ax, curves, log)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _draw_curves(
    ax, curves: dict[str, list[float]], log: bool, xs: Mapping[str, list[float]] | None = None
) -> None:
    for name, values in curves.items():
        finite = [v if math.isfinite(v) else math.nan for v in values]
        given = (xs or {}).get(name, [])
        steps = given if len(given) == len(values) else list(range(1, len(values) + 1))
        (line,) = ax.plot(steps, finite, marker="o" if len(values) <= 30 else None, label=name)
        bad = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
        if bad is not None:
            ax.axvline(steps[bad], color=line.get_color(), linestyle=":")
            ax.text(
                steps[bad],
                0.5,
                " diverged",
                color=line.get_color(),
                transform=ax.get_xaxis_transform(),
            )
    if log:
        ax.set_yscale("log")
    if len(curves) > 1:
        ax.legend()


class LiveLossPlot:
    """A loss plot that redraws in place while a model trains.

    In JupyterLab it updates one output at most every ``interval`` seconds; when run headless
    (nbval, the site build) the notebook keeps one final static figure. Pass
    :meth:`update` as ``fit(..., on_epoch_end=live.update)``, or call it from your own loop
    (``live.update(step=step, train=loss)`` puts the point at that step on the x axis).
    :meth:`close` draws the final picture into the same output: the plot appears once.
    """

    def __init__(self, log: bool = False, interval: float = 0.5, xlabel: str = "epoch") -> None:
        if not (isinstance(interval, (int, float)) and interval >= 0):
            raise ValueError(f"interval must be a number >= 0, got {interval!r}")
        self.log = log
        self.interval = interval
        self.xlabel = xlabel
        self.curves: dict[str, list[float]] = {}
        self.xs: dict[str, list[float]] = {}
        self._handle: Any = None
        plt = _pyplot()
        self.figure, self.ax = plt.subplots(figsize=(6, 3.5), dpi=80)
        plt.close(self.figure)
        # Its place is taken at once, before training starts: output printed while it trains
        # (a progress bar) then stays in one piece below the plot instead of being split
        # around it. A line of text holds the place: drawing an empty plot costs as much as a
        # full one, and the first points come ``interval`` seconds later anyway.
        self._last_draw = time.monotonic()
        self._show(None)

    def update(
        self,
        history: History | Mapping[str, Sequence[float]] | None = None,
        *,
        step: float | None = None,
        **values: float,
    ) -> None:
        """Record new values and redraw if ``interval`` has passed.

        Either pass a whole history (``update(history)``) or new points by name
        (``update(train=0.3, validation=0.4)``), optionally at a ``step`` of the x axis.
        """
        if history is not None:
            self.curves, self.xs = _curves(history), {}
        for name, value in values.items():
            self.curves.setdefault(name, []).append(float(value))
            if step is not None:
                self.xs.setdefault(name, []).append(float(step))
        if time.monotonic() - self._last_draw >= self.interval:
            self._draw()

    def close(self) -> None:
        """Draw the final picture (in place of the live one). Returns nothing, so that as a
        cell's last line it does not show the figure a second time; it is ``.figure``."""
        self._draw()

    def _draw(self) -> None:
        self._last_draw = time.monotonic()
        self.ax.clear()
        if self.curves:
            _draw_curves(self.ax, self.curves, self.log, self.xs)
        self.ax.set_xlabel(self.xlabel)
        self.ax.set_ylabel("loss")
        self.figure.tight_layout()
        self._show(self.figure)

    def _show(self, figure: Figure | None) -> None:
        """Show ``figure`` (None: a line of text holding its place) in the plot's one output,
        in place of what it showed before."""
        try:
            from IPython import get_ipython
            from IPython.display import Pretty, display
        except ImportError:  # plain Python: nothing to show live
            return
        if get_ipython() is None:
            return
        if figure is None:
            what: object = Pretty(
                f"(the loss plot appears here after {self.interval:g} s of training)"
            )
        else:
            what = figure
        if self._handle is None:
            self._handle = display(what, display_id=True)
        else:
            self._handle.update(what)


def image_grid(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    colors: Sequence[str] | None = None,
    ncols: int = 8,
    fontsize: float = 9,
    title: str | None = None,
) -> Figure:
    """Grey-scale images ``(N, H, W)`` side by side in one picture, each with an optional title,
    and an optional ``title`` over them all.

    The images are pasted into one array and drawn on a single axes -- about ten times faster
    than one axes per image. Each image gets its own grey scale (black = its minimum, white =
    its maximum), as ``imshow`` gives it; titles may span several lines.
    """
    import numpy as np

    if not isinstance(images, torch.Tensor) or images.ndim != 3 or len(images) == 0:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must be a tensor of shape (N, H, W) with N > 0, got {shape}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols <= 0:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    for name, values in (("titles", titles), ("colors", colors)):
        if values is not None and len(values) != len(images):
            raise ValueError(f"{name} has {len(values)} entries but there are {len(images)} images")
    n, height, width = images.shape
    cols = min(ncols, n)
    rows = math.ceil(n / cols)
    zoom = 84 / height  # screen pixels per image pixel: each image about 84 pixels high
    lines = max((title.count("\n") + 1 for title in titles), default=0) if titles else 0
    band = math.ceil(lines * fontsize * 1.4 / zoom)  # room above each image for its title
    gap = max(1, round(height / 14))  # 2 pixels between 28-pixel digits
    head = math.ceil(10 * 1.8 / zoom) if title else 0  # room for the overall title
    cell_h, cell_w = band + height + gap, width + gap
    canvas = np.ones((head + rows * cell_h + gap, cols * cell_w + gap), dtype=np.float32)
    pixels = images.detach().cpu().float()
    low = pixels.amin(dim=(1, 2), keepdim=True)
    high = pixels.amax(dim=(1, 2), keepdim=True)
    scaled = ((pixels - low) / (high - low).clamp_min(1e-12)).numpy()
    for k in range(n):
        row, col = divmod(k, cols)
        top, left = head + gap + row * cell_h + band, gap + col * cell_w
        canvas[top : top + height, left : left + width] = scaled[k]

    plt = _pyplot()
    size = (canvas.shape[1] * zoom / 80, canvas.shape[0] * zoom / 80)
    fig = plt.figure(figsize=size, dpi=80)
    plt.close(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.text((canvas.shape[1] - 1) / 2, head / 2, title, ha="center", va="center", fontsize=10)
    for k, text in enumerate(titles or []):
        row, col = divmod(k, cols)
        ax.text(
            gap + col * cell_w + (width - 1) / 2,
            head + gap + row * cell_h + band - 1.5,
            text,
            ha="center",
            va="bottom",
            fontsize=fontsize,
            color=colors[k] if colors else "black",
        )
    return fig


def show_digits(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor | None = None,
    predictions: Sequence[int] | torch.Tensor | None = None,
    ncols: int = 8,
) -> Figure:
    """A grid of grey-scale images, ``(N, 28, 28)`` or ``(N, 1, H, W)``, with optional titles.

    With ``predictions``, each title reads ``label → prediction`` and wrong ones are red.
    """
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a tensor, got {type(images).__name__}")
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"images must have shape (N, H, W) or (N, 1, H, W) with N > 0, got {tuple(images.shape)}"
        )
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and len(values) != len(images):
            raise ValueError(f"{name} has {len(values)} entries but there are {len(images)} images")
    titles, colors = None, None
    if labels is not None and predictions is not None:
        pairs = [
            (int(label), int(predicted))
            for label, predicted in zip(labels, predictions, strict=True)
        ]
        titles = [f"{label}→{predicted}" for label, predicted in pairs]
        colors = ["black" if label == predicted else "red" for label, predicted in pairs]
    elif labels is not None:
        titles = [str(int(label)) for label in labels]
    return image_grid(images, titles, colors, ncols=ncols)


def show_broadcast(a: torch.Tensor, b: torch.Tensor, op: str = "+") -> Figure:
    """Draw how two tensors of at most 2 dimensions broadcast: each is stretched (faded cells)
    to the common shape, then combined element by element into the result."""
    ops: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
        "+": torch.add,
        "*": torch.mul,
        "-": torch.sub,
    }
    if op not in ops:
        raise ValueError(f"op must be one of {', '.join(ops)}, got {op!r}")
    for name, t in (("a", a), ("b", b)):
        if not isinstance(t, torch.Tensor) or t.ndim > 2:
            raise ValueError(f"{name} must be a tensor with at most 2 dimensions")
    try:
        shape = torch.broadcast_shapes(a.shape, b.shape)
    except RuntimeError:
        raise ValueError(f"shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast") from None
    result = ops[op](a, b)
    rows, cols = (1, *shape)[-2:] if len(shape) < 2 else shape
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(2.2 * 3 + 0.3 * cols, 0.6 * rows + 0.9), dpi=80)
    panels = (
        (a, f"a {tuple(a.shape)}"),
        (b, f"b {tuple(b.shape)}"),
        (result, f"a {op} b {tuple(result.shape)}"),
    )
    for ax, (t, title) in zip(axes, panels, strict=True):
        t2 = t.reshape((1,) * (2 - t.ndim) + tuple(t.shape))
        full = t2.expand(rows, cols)
        for i in range(rows):
            for j in range(cols):
                real = i < t2.shape[0] and j < t2.shape[1]
                ax.add_patch(
                    plt.Rectangle(
                        (j, -i - 1),
                        1,
                        1,
                        facecolor="#4c72b0" if real else "#c9d6ea",
                        edgecolor="white",
                    )
                )
                ax.text(
                    j + 0.5,
                    -i - 0.5,
                    f"{full[i, j].item():g}",
                    ha="center",
                    va="center",
                    color="white" if real else "#333333",
                    fontsize=10,
                )
        ax.set_xlim(0, cols)
        ax.set_ylim(-rows, 0)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    plt.close(fig)
    return fig
