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

from pytorch_lessons.checks import positive_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


class _Description:
    """A figure's ``_repr_mimebundle_``: no data of its own (the inline backend still draws
    the PNG), only the metadata a notebook stores with that PNG: ``{"image/png": {"alt": ...,
    "title": ...}}``. The book's site uses it as the picture's alt text (and, outside a
    captioned figure, its caption) where the code cell gives none. A class, not a lambda, so
    that the figure still pickles."""

    def __init__(self, alt: str, title: str) -> None:
        self.metadata = {"alt": alt, **({"title": title} if title else {})}

    def __call__(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return {}, {"image/png": dict(self.metadata)}


def described(fig: Figure, alt: str, title: str | None = None) -> Figure:
    """``fig``, shown in a notebook with ``alt`` (what it shows, in words) and its ``title``
    stored as the picture's output metadata: see :class:`_Description`."""
    fig._repr_mimebundle_ = _Description(" ".join(alt.split()), title or "")  # type: ignore[attr-defined]
    return fig


def _names(items: Sequence[str], limit: int = 24) -> str:
    """``a, b and c`` (the first ``limit`` of them, then "and N more")."""
    shown = [str(item) for item in items[:limit]]
    if len(items) > limit:
        return ", ".join(shown) + f" and {len(items) - limit} more"
    return ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1] if shown else ""


def _titled(title: str | None) -> str:
    return f" titled {title}" if title else ""


def _curves(history: Mapping[str, Sequence[float]]) -> dict[str, list[float]]:
    if not isinstance(history, Mapping):
        raise TypeError(
            f"history must be a dict of name -> list of losses, got {type(history).__name__}"
        )
    curves = {str(k): list(v) for k, v in history.items()}
    curves = {name: values for name, values in curves.items() if len(values) > 0}
    if not curves:
        raise ValueError("nothing to plot: every loss curve is empty")
    for name, values in curves.items():
        if not all(isinstance(v, (int, float)) for v in values):
            raise TypeError(f"curve {name!r} must hold numbers")
    return curves


def plot_losses(
    history: Mapping[str, Sequence[float]],
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
    return described(fig, _curves_alt(curves, log, xlabel, title), title)


def _curves_alt(
    curves: Mapping[str, Sequence[float]], log: bool, xlabel: str, title: str | None
) -> str:
    """ "Line plot titled Loss: the loss on a log scale against epoch for train (from 1.2 to
    0.3) and validation (from 1.3 to 0.4)."."""
    parts = []
    for name, values in curves.items():
        finite = [v for v in values if math.isfinite(v)]
        if len(finite) < len(values):
            parts.append(f"{name} (diverged)")
        elif finite:
            parts.append(f"{name} (from {finite[0]:.3g} to {finite[-1]:.3g})")
    scale = "on a log scale " if log else ""
    return f"Line plot{_titled(title)}: the loss {scale}against {xlabel} for {_names(parts)}."


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
    (nbval, the site build) the notebook keeps one final static figure. Call :meth:`update`
    from the training loop (``live.update(step=step, train=loss)`` puts the point at that step
    on the x axis).
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
        history: Mapping[str, Sequence[float]] | None = None,
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
        if self.curves:
            described(self.figure, _curves_alt(self.curves, self.log, self.xlabel, None))
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
    positive_int("ncols", ncols)
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
    labels = f", titled {_names([t.split(chr(10))[0] for t in titles])}" if titles else ""
    alt = f"{n} grey-scale pictures in {rows} row{'s' if rows > 1 else ''}{labels}."
    return described(fig, f"{title}: {alt}" if title else alt, title)


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
    fig = image_grid(images, titles, colors, ncols=ncols)
    what = "label → prediction" if predictions is not None else "label"
    named = f", each titled with its {what}: {_names(titles)}" if titles else ""
    return described(fig, f"{len(images)} hand-written digits, white on black{named}.")


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
    shapes = f"a {tuple(a.shape)} {op} b {tuple(b.shape)}"
    return described(
        fig,
        f"Three grids: a and b, each stretched to {tuple(result.shape)} (the stretched copies "
        f"pale), and {shapes}, the result.",
        f"Broadcasting {shapes}",
    )


def _as_column(name: str, t: Any) -> list[float]:
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a tensor, got {type(t).__name__}")
    if t.ndim == 2 and t.shape[1] == 1:
        t = t[:, 0]
    if t.ndim != 1:
        raise ValueError(f"{name} must have shape (n,) or (n, 1), got {tuple(t.shape)}")
    return t.detach().cpu().double().tolist()


def plot_fit(
    x: torch.Tensor,
    y: torch.Tensor,
    curves: Mapping[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    x_valid: torch.Tensor | None = None,
    y_valid: torch.Tensor | None = None,
    title: str | None = None,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Data points and fitted curves of a 1-D regression, as a closed figure.

    ``x``, ``y``: the training points (shape ``(n,)`` or ``(n, 1)``); ``x_valid``, ``y_valid``:
    optional validation points, drawn hollow; ``curves``: name -> ``(xs, ys)`` of each model's
    predictions, e.g. on a ``torch.linspace`` grid. ``ylim`` keeps wild curves from squashing
    the picture.
    """
    plt = _pyplot()
    xs, ys = _as_column("x", x), _as_column("y", y)
    if len(xs) != len(ys) or not xs:
        raise ValueError(
            f"x and y must hold the same number (> 0) of points, got {len(xs)} and {len(ys)}"
        )
    if (x_valid is None) != (y_valid is None):
        raise ValueError("give both x_valid and y_valid, or neither")
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=80)
    ax.scatter(
        xs, ys, s=16, color="#4c72b0", label="train" if x_valid is not None else "data", zorder=3
    )
    if x_valid is not None:
        xv, yv = _as_column("x_valid", x_valid), _as_column("y_valid", y_valid)
        if len(xv) != len(yv):
            raise ValueError(f"x_valid and y_valid differ in length: {len(xv)} and {len(yv)}")
        ax.scatter(
            xv, yv, s=22, facecolors="none", edgecolors="#c0392b", label="validation", zorder=3
        )
    for k, (name, (cx, cy)) in enumerate((curves or {}).items()):
        line_x, line_y = _as_column(f"curve {name!r} x", cx), _as_column(f"curve {name!r} y", cy)
        if len(line_x) != len(line_y):
            raise ValueError(
                f"curve {name!r} has {len(line_x)} x values but {len(line_y)} y values"
            )
        ax.plot(line_x, line_y, color=f"C{k + 1}", label=name)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    valid = f" and {len(x_valid)} validation points (hollow)" if x_valid is not None else ""
    lines = f", with the curves {_names(list(curves))}" if curves else ""
    return described(fig, f"Scatter plot{_titled(title)} of {len(xs)} points{valid}{lines}.", title)


def plot_confusion(matrix: torch.Tensor, title: str = "Confusion matrix") -> Figure:
    """Draw a confusion matrix; off-diagonal counts (the mistakes) are written in the cells."""
    if (
        not isinstance(matrix, torch.Tensor)
        or matrix.ndim != 2
        or matrix.shape[0] != matrix.shape[1]
    ):
        raise ValueError("matrix must be a square 2-D tensor from confusion_matrix()")
    plt = _pyplot()
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
    right, total = int(counts.diagonal().sum()), int(counts.sum())
    alt = (
        f"{title}: a {n} by {n} grid, true class down the side, predicted class along the "
        f"bottom; {right} of {total} answers right, on the diagonal, and the mistakes shaded "
        f"from white to red, at most {int(errors.max())} in one cell."
    )
    return described(fig, alt, title)


def show_misclassified(
    images: torch.Tensor,
    labels: torch.Tensor,
    probabilities: torch.Tensor,
    count: int = 12,
    ncols: int = 6,
) -> Figure:
    """A gallery of the ``count`` most confident mistakes: each titled
    ``true → predicted`` with the probability given to the prediction and to the truth."""
    from pytorch_lessons.evaluation import as_images, as_labels, misclassified

    images = as_images(images)
    labels = as_labels("labels", labels, len(images))
    if not isinstance(probabilities, torch.Tensor) or probabilities.shape[:1] != images.shape[:1]:
        raise ValueError("probabilities must have one row per image")
    for name, value in (("count", count), ("ncols", ncols)):
        positive_int(name, value)
    wrong = misclassified(probabilities, labels)[:count]
    if len(wrong) == 0:
        raise ValueError("there are no misclassified images to show")
    titles = []
    for i in wrong.tolist():
        p = probabilities[i]
        predicted, truth = int(p.argmax()), int(labels[i])
        titles.append(f"{truth}→{predicted} ({p[predicted]:.0%})\np({truth}) = {p[truth]:.0%}")
    fig = image_grid(images[wrong, 0], titles, ["#c0392b"] * len(titles), ncols=ncols, fontsize=8)
    shown = _names([t.split("\n")[0] for t in titles])
    return described(
        fig, f"The {len(titles)} most confident mistakes, true → predicted (confidence): {shown}."
    )


def _filter_grid(count: int, ncols: int) -> tuple[int, int]:
    cols = max(1, min(ncols, count))
    return math.ceil(count / cols), cols


def show_filters(weight: torch.Tensor, ncols: int = 8, title: str | None = None) -> Figure:
    """A convolution layer's filters, one small picture per output channel (its first input
    channel), in a blue-white-red scale centred on 0: red weights excite, blue inhibit."""
    plt = _pyplot()
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a tensor (e.g. conv.weight), got {type(weight).__name__}")
    if weight.ndim != 4 or weight.shape[0] == 0:
        raise ValueError(
            f"weight must have shape (out_channels, in_channels, kH, kW), got {tuple(weight.shape)}"
        )
    positive_int("ncols", ncols)
    filters = weight.detach().cpu().float()[:, 0]
    limit = max(filters.abs().max().item(), 1e-6)
    rows, cols = _filter_grid(len(filters), ncols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(1.0 * cols, 1.05 * rows + 0.3), dpi=80, squeeze=False
    )
    plt.close(fig)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(filters):
            ax.imshow(filters[i].numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(str(i), fontsize=8)
    heading = title or f"{len(filters)} filters, {tuple(filters.shape[1:])}"
    fig.suptitle(heading, fontsize=10)
    fig.tight_layout()
    size = " by ".join(str(d) for d in filters.shape[1:])
    alt = f"{heading}: {len(filters)} small {size} grids of red (positive) and blue (negative) weights."
    return described(fig, alt, heading)


def show_feature_maps(
    maps: torch.Tensor,
    ncols: int = 8,
    title: str | None = None,
    titles: Sequence[str] | None = None,
) -> Figure:
    """Feature maps ``(C, H, W)`` or ``(1, C, H, W)``: one grey picture per channel, titled by
    its channel number or by ``titles``."""
    if not isinstance(maps, torch.Tensor):
        raise TypeError(f"maps must be a tensor, got {type(maps).__name__}")
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3 or maps.shape[0] == 0:
        raise ValueError(f"maps must have shape (C, H, W) or (1, C, H, W), got {tuple(maps.shape)}")
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"titles has {len(titles)} entries but there are {len(maps)} maps")
    names = [str(i) for i in range(len(maps))] if titles is None else list(titles)
    heading = title or f"{len(maps)} feature maps, {tuple(maps.shape[1:])}"
    fig = image_grid(maps, names, ncols=ncols, fontsize=8, title=heading)
    return described(fig, f"{heading}: {len(maps)} grey pictures, one per channel.", heading)
