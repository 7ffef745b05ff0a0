"""The learning-rate explorer: train a line with the learning rate you choose, see what happens.

Three layers, each usable alone:

- :func:`train_line` -- the computation: full-batch gradient descent on ``y = w x + b`` with one
  learning rate; returns an :class:`LrRun` (losses, final ``w`` and ``b``, whether it diverged).
- :func:`draw_lr_run` -- the picture: the loss curve and the fitted line, "diverged" when the
  loss became NaN or infinite.
- :class:`LrExplorer` / :func:`show_lr_explorer` -- the live widget (a log-scale slider), plus a
  :func:`~pytorch_lessons.widgets.static.precomputed_slider` over a preset grid of learning
  rates for the static site.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from pytorch_lessons.widgets.live import labelled, show_live_and_static

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pytorch_lessons.widgets.static import PrecomputedSlider

#: The preset grid of the static fallback: too small, slow, good, oscillating, diverging.
DEFAULT_LRS: tuple[float, ...] = (0.001, 0.01, 0.05, 0.2, 0.95, 1.05, 2.0)
DEFAULT_STEPS = 60
_TRUE_W, _TRUE_B = 2.0, 1.0


def explorer_data(
    n: int = 40, noise: float = 0.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The explorer's data set: ``n`` points of ``y = 2 x + 1 + noise``, ``x`` and ``y`` of shape ``(n, 1)``."""
    from pytorch_lessons.data import make_linear_data

    return make_linear_data(n, [_TRUE_W], bias=_TRUE_B, noise=noise, seed=seed)


@dataclass(frozen=True)
class LrRun:
    """One training run: the loss before each step, and where ``w`` and ``b`` ended."""

    lr: float
    losses: tuple[float, ...]
    w: float
    b: float
    diverged: bool
    diverged_at: int | None = None

    @property
    def final_loss(self) -> float:
        """The last loss recorded (NaN or inf after a divergence)."""
        return self.losses[-1]

    @property
    def growing(self) -> bool:
        """True when the loss ended higher than it started: the run is diverging."""
        return self.diverged or self.losses[-1] > self.losses[0]

    def status(self) -> str:
        """A few words for the plot title."""
        if self.diverged:
            return f"diverged at step {self.diverged_at}"
        if self.growing:
            return f"diverging: loss grew to {self.final_loss:.3g}"
        return f"final loss {self.final_loss:.4f}"


def _check_lr(lr: Any) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(f"lr must be a number, got {type(lr).__name__}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    return float(lr)


def _check_steps(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    return steps


def _check_xy(x: Any, y: Any) -> tuple[torch.Tensor, torch.Tensor]:
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a tensor, got {type(t).__name__}")
    if x.ndim != 2 or x.shape[1] != 1 or y.shape != x.shape or len(x) == 0:
        raise ValueError(
            f"x and y must both have shape (n, 1) with n > 0, got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    return x.float(), y.float()


def train_line(
    lr: float,
    steps: int = DEFAULT_STEPS,
    x: torch.Tensor | None = None,
    y: torch.Tensor | None = None,
) -> LrRun:
    """Fit ``y = w x + b`` by full-batch gradient descent from ``w = b = 0``.

    Each step is exactly what ``optim.SGD(lr)`` does with the gradient autograd would compute,
    with the MSE's gradient written out (``2·mean(r·x)``, ``2·mean(r)`` for the residual
    ``r = w x + b - y``): the same numbers, fast enough to rerun on every slider move.
    Records the loss before every step. Stops early, with ``diverged=True``, as soon as the
    loss is NaN or infinite -- a too-large learning rate never raises.
    """
    lr = _check_lr(lr)
    steps = _check_steps(steps)
    if x is None or y is None:
        x, y = explorer_data()
    x, y = _check_xy(x, y)
    w = torch.zeros(1)
    b = torch.zeros(1)
    losses: list[float] = []
    with torch.no_grad():
        for step in range(steps + 1):
            residual = x * w + b - y
            value = (residual * residual).mean().item()
            losses.append(value)
            if not math.isfinite(value):
                return LrRun(lr, tuple(losses), math.nan, math.nan, True, step)
            if step == steps:
                break
            w -= lr * 2 * (residual * x).mean()
            b -= lr * 2 * residual.mean()
    return LrRun(lr, tuple(losses), w.item(), b.item(), False)


def _log_y(ax: Any) -> None:
    """A log-scale y axis labelled 0.1, 1, 10, ... in plain text (mathtext labels are slow to draw)."""
    from matplotlib.ticker import FuncFormatter, NullLocator

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_locator(NullLocator())


class LrFigure:
    """The explorer's picture, built once and redrawn in place by :meth:`draw`.

    Left: the loss at each step (log scale); right: the data and the fitted line. Axis limits
    depend only on the data, so pictures for different learning rates compare at a glance.
    Only the curve, the line and the labels change between runs, which keeps a redraw fast.
    """

    def __init__(
        self,
        x: torch.Tensor | None = None,
        y: torch.Tensor | None = None,
        steps: int = DEFAULT_STEPS,
    ) -> None:
        import matplotlib.pyplot as plt

        if x is None or y is None:
            x, y = explorer_data()
        x, y = _check_xy(x, y)
        steps = _check_steps(steps)
        features = torch.cat([x, torch.ones_like(x)], dim=1)
        best = ((features @ torch.linalg.lstsq(features, y).solution - y) ** 2).mean().item()
        start = (y**2).mean().item()

        self.figure, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(8, 3.2), dpi=80)
        plt.close(self.figure)
        ax_loss.axhline(best, color="#999999", linestyle="--", linewidth=1, label="best possible")
        (self.loss_line,) = ax_loss.plot([], [], color="#4c72b0", label="loss")
        _log_y(ax_loss)
        ax_loss.set_ylim(best / 2, start * 1e3)
        ax_loss.set_xlim(0, steps)
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("MSE loss")
        ax_loss.legend(loc="upper right", fontsize=8)

        low, high = x.min().item(), x.max().item()
        self._xs = (low, high)
        ax_fit.scatter(x[:, 0].tolist(), y[:, 0].tolist(), s=12, color="#999999", label="data")
        (self.fit_line,) = ax_fit.plot([], [], color="#4c72b0", label="fit")
        margin = 0.2 * (y.max() - y.min()).item()
        ax_fit.set_xlim(low - 0.1, high + 0.1)
        ax_fit.set_ylim(y.min().item() - margin, y.max().item() + margin)
        ax_fit.set_xlabel("x")
        ax_fit.set_ylabel("y")
        self.legend = ax_fit.legend(loc="upper left", fontsize=8)
        self.title = ax_loss.set_title(" ", fontsize=10, y=1.01)  # a fixed place: redrawn alone
        self.diverged_labels = [
            ax.text(
                0.5,
                0.5,
                "diverged",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=20,
                color="#c0392b",
                alpha=0.8,
                visible=False,
            )
            for ax in (ax_loss, ax_fit)
        ]
        # fixed margins, not tight_layout: a figure without a layout engine renders in one pass
        self.figure.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.9, wspace=0.28)
        self._renderer = FastRenderer(self.figure)

    def png(self) -> bytes:
        """The picture as PNG bytes, redrawing only what :meth:`draw` changes."""
        dynamic = [self.loss_line, self.fit_line, self.title, self.legend, *self.diverged_labels]
        return self._renderer.png(dynamic)

    def draw(self, run: LrRun) -> Figure:
        """Show ``run`` and return the figure."""
        if not isinstance(run, LrRun):
            raise TypeError(f"run must be an LrRun from train_line(), got {type(run).__name__}")
        finite = [v if math.isfinite(v) else math.nan for v in run.losses]
        self.loss_line.set_data(range(len(finite)), finite)
        self.title.set_text(f"lr = {run.lr:g}: {run.status()}")
        for label in self.diverged_labels:
            label.set_visible(run.diverged)
        if run.diverged:
            self.fit_line.set_data([], [])
            fit = "fit: none"
        else:
            low, high = self._xs
            self.fit_line.set_data([low, high], [run.w * low + run.b, run.w * high + run.b])
            fit = f"fit: {run.w:.2f} x + {run.b:.2f}"
        self.legend.get_texts()[1].set_text(fit)
        return self.figure


def draw_lr_run(
    run: LrRun,
    x: torch.Tensor | None = None,
    y: torch.Tensor | None = None,
) -> Figure:
    """Draw ``run`` in a new :class:`LrFigure`: its loss curve and the line it fitted.

    A diverged run says "diverged" in both panels. The figure is closed, so it shows once as
    the last expression of a notebook cell.
    """
    if not isinstance(run, LrRun):
        raise TypeError(f"run must be an LrRun from train_line(), got {type(run).__name__}")
    return LrFigure(x, y, steps=max(len(run.losses) - 1, DEFAULT_STEPS)).draw(run)


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
    import matplotlib.pyplot as plt

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
    return fig


def _agg_canvas(fig: Figure) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)


def _encode_png(canvas: Any) -> bytes:
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def render_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, drawn in full once by the Agg renderer."""
    canvas = _agg_canvas(fig)
    canvas.draw()
    return _encode_png(canvas)


class FastRenderer:
    """Renders a figure whose axes stay put, redrawing only the artists that change.

    The first call draws everything except the changing ("dynamic") artists and keeps that
    picture; later calls paste it back and draw only the dynamic artists on top (matplotlib's
    blitting). Axis limits, scales or the figure size changing start over with a full draw.
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self._background: Any = None
        self._key: Any = None

    def _state(self, canvas: Any) -> tuple:
        axes = tuple(
            (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale())
            for ax in self.figure.axes
        )
        return (canvas.get_width_height(physical=True), self.figure.dpi, axes)

    def png(self, dynamic: Sequence[Any]) -> bytes:
        """PNG bytes of the figure as it is now; ``dynamic`` lists every artist that changes."""
        canvas = _agg_canvas(self.figure)
        key = self._state(canvas)
        if self._background is None or key != self._key:
            shown = [artist.get_visible() for artist in dynamic]
            for artist in dynamic:
                artist.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._key = key
            for artist, visible in zip(dynamic, shown, strict=True):
                artist.set_visible(visible)
        canvas.restore_region(self._background)
        for artist in dynamic:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return _encode_png(canvas)


def _fmt_lr(lr: float) -> str:
    return f"{lr:g}"


class LrExplorer:
    """The live widget: a log-scale learning-rate slider over the loss curve and the fitted line.

    ``update(lr)`` is what moving the slider calls: it retrains, redraws and returns the
    :class:`LrRun`, so it can be driven and tested without a browser.
    """

    def __init__(self, lr: float = 0.05, steps: int = DEFAULT_STEPS) -> None:
        import ipywidgets as widgets

        lr = _check_lr(lr)
        self.steps = _check_steps(steps)
        self.x, self.y = explorer_data()
        self.picture = LrFigure(self.x, self.y, self.steps)
        self.figure = self.picture.figure
        self.slider = widgets.FloatLogSlider(
            value=lr,
            base=10,
            min=-3,
            max=math.log10(3),
            step=0.1,  # arrow keys: a tenth of a decade
            description="learning rate",
            readout_format=".3g",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="480px"),
        )
        self.image = widgets.Image(format="png")
        self.run: LrRun | None = None
        self.update(self.slider.value)
        self.slider.observe(lambda change: self.update(change["new"]), names="value")
        self.widget = labelled(widgets.VBox, "learning-rate explorer")([self.slider, self.image])
        self.widget.explorer = self

    def update(self, lr: float) -> LrRun:
        """Retrain with ``lr``, redraw, and show the new picture."""
        self.run = train_line(lr, self.steps, self.x, self.y)
        self.picture.draw(self.run)
        self.image.value = self.picture.png()
        return self.run


def lr_frames(
    lrs: Sequence[float] = DEFAULT_LRS, steps: int = DEFAULT_STEPS
) -> list[tuple[str, Figure]]:
    """One ``(label, figure)`` frame per learning rate, for :func:`precomputed_slider`."""
    if len(lrs) == 0:
        raise ValueError("lrs must hold at least one learning rate")
    x, y = explorer_data()
    return [(_fmt_lr(lr), draw_lr_run(train_line(lr, steps, x, y), x, y)) for lr in lrs]


def decade_pages(lrs: Sequence[float]) -> list[tuple[int, int]]:
    """For each learning rate, the frames Page Down and Page Up go to: the nearest rate a decade
    lower and higher (the first and last frame when none is that far)."""
    logs = [math.log10(lr) for lr in lrs]
    pages = []
    for here in logs:
        down = [i for i, x in enumerate(logs) if x <= here - 1 + 1e-9]
        up = [i for i, x in enumerate(logs) if x >= here + 1 - 1e-9]
        pages.append((down[-1] if down else 0, up[0] if up else len(lrs) - 1))
    return pages


def lr_fallback(
    lrs: Sequence[float] = DEFAULT_LRS, steps: int = DEFAULT_STEPS
) -> PrecomputedSlider:
    """The static-site version: a precomputed slider over ``lrs``."""
    from pytorch_lessons.widgets.static import precomputed_slider

    frames = lr_frames(lrs, steps)
    start = min(range(len(lrs)), key=lambda i: abs(math.log10(lrs[i]) - math.log10(0.05)))
    return precomputed_slider(
        frames,
        "learning rate",
        start=start,
        pages=decade_pages(lrs),
        caption="Precomputed for a few learning rates; run the notebook to choose any value.",
    )


def show_lr_explorer(
    lr: float = 0.05, lrs: Sequence[float] = DEFAULT_LRS, steps: int = DEFAULT_STEPS
) -> None:
    """Show the live learning-rate explorer and, below it, its precomputed static version.

    In JupyterLab the static version hides itself when the live widget is shown; on the static
    site (no kernel) it is the one that works. Instructor fast mode skips it. The displayed box
    keeps its :class:`LrExplorer` as ``.explorer``.
    """
    explorer = LrExplorer(lr, steps)
    show_live_and_static(explorer.widget, lambda: lr_fallback(lrs, steps))
