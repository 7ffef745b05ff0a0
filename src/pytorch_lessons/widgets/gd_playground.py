"""The gradient-descent playground: an optimizer's path across a 2-D loss surface.

- :data:`SURFACES` -- three loss surfaces of two parameters: an elongated bowl, the Rosenbrock
  valley, and the loss of the learning-rate explorer's line ``(w, b)``.
- :func:`run_path` -- the computation: run one ``torch.optim`` optimizer (SGD, SGD + momentum,
  Adam, RMSprop) from a start point; returns a :class:`GdPath` (every point and loss).
- :func:`draw_paths` -- the picture: the paths on the surface's contour plot, and their losses.
- :class:`GdPlayground` / :func:`show_gd_playground` -- the live widget, plus a precomputed slider
  over preset runs for the static site.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from pytorch_lessons.widgets.live import labelled, show_live_and_static
from pytorch_lessons.widgets.lr_explorer import FastRenderer, _log_y, explorer_data

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pytorch_lessons.widgets.static import PrecomputedSlider

OPTIMIZERS: tuple[str, ...] = ("SGD", "SGD + momentum", "Adam", "RMSprop")
_COLORS = ("#c0392b", "#2471a3", "#229954", "#8e44ad", "#d68910", "#17202a")


def _bowl(p: torch.Tensor) -> torch.Tensor:
    return 0.1 * p[..., 0] ** 2 + 2.0 * p[..., 1] ** 2


def _rosenbrock(p: torch.Tensor) -> torch.Tensor:
    return (1 - p[..., 0]) ** 2 + 100 * (p[..., 1] - p[..., 0] ** 2) ** 2


@functools.lru_cache(maxsize=1)
def _line_data() -> tuple[torch.Tensor, torch.Tensor]:
    x, y = explorer_data()
    return x[:, 0].double(), y[:, 0].double()


def _line_loss(p: torch.Tensor) -> torch.Tensor:
    x, y = _line_data()
    w, b = p[..., 0:1], p[..., 1:2]
    return ((w * x + b - y) ** 2).mean(dim=-1)


@dataclass(frozen=True)
class Surface:
    """A loss of two parameters, with the view and defaults the playground uses for it."""

    name: str
    loss: Callable[[torch.Tensor], torch.Tensor] = field(repr=False)
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    lr: float
    steps: int
    argmin: Callable[[], tuple[float, float]] = field(repr=False)
    axis_names: tuple[str, str] = ("θ₁", "θ₂")

    def minimum(self) -> tuple[tuple[float, float], float]:
        """Where the loss is lowest and its value there."""
        point = self.argmin()
        return point, float(self.loss(torch.tensor(point, dtype=torch.float64)))


def _line_argmin() -> tuple[float, float]:
    x, y = _line_data()
    features = torch.stack([x, torch.ones_like(x)], dim=1)
    solution = torch.linalg.lstsq(features, y[:, None]).solution[:, 0]
    return float(solution[0]), float(solution[1])


SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "bowl", _bowl, (-5.0, 5.0), (-2.5, 2.5), (-4.5, 1.5), 0.3, 50, lambda: (0.0, 0.0)
    ),
    "Rosenbrock": Surface(
        "Rosenbrock",
        _rosenbrock,
        (-2.0, 2.0),
        (-1.0, 3.0),
        (-1.5, 2.0),
        0.001,
        300,
        lambda: (1.0, 1.0),
    ),
    "line": Surface(
        "line",
        _line_loss,
        (-2.0, 5.0),
        (-3.0, 4.0),
        (-1.5, -2.5),
        0.1,
        50,
        _line_argmin,
        ("w", "b"),
    ),
}


def _surface(surface: str) -> Surface:
    if not isinstance(surface, str) or surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}: expected one of {', '.join(SURFACES)}")
    return SURFACES[surface]


@functools.cache
def _grid(name: str, n: int = 120):
    """The surface's loss on an ``n x n`` grid over its view, as NumPy arrays (computed once)."""
    surface = SURFACES[name]
    xs = torch.linspace(*surface.xlim, n, dtype=torch.float64)
    ys = torch.linspace(*surface.ylim, n, dtype=torch.float64)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")
    z = surface.loss(torch.stack([gx, gy], dim=-1))
    return gx.numpy(), gy.numpy(), z.numpy()


@dataclass(frozen=True)
class GdPath:
    """One optimizer run: every point visited (start included) and the loss there."""

    surface: str
    optimizer: str
    lr: float
    momentum: float
    points: tuple[tuple[float, float], ...]
    losses: tuple[float, ...]
    diverged: bool
    diverged_at: int | None = None
    steps: int = 0

    @property
    def label(self) -> str:
        """``optimizer, lr`` (and the momentum when it is used)."""
        extra = f" {self.momentum:g}" if self.optimizer == "SGD + momentum" else ""
        return f"{self.optimizer}{extra}, lr {self.lr:g}"

    @property
    def end(self) -> tuple[float, float]:
        """The last point visited."""
        return self.points[-1]


def make_optimizer(
    name: str, params: Sequence[torch.Tensor], lr: float, momentum: float = 0.9
) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer called ``name`` (one of :data:`OPTIMIZERS`).

    ``momentum`` is used by "SGD + momentum" only; Adam and RMSprop keep their defaults.
    """
    if name == "SGD":
        return torch.optim.SGD(params, lr=lr)
    if name == "SGD + momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}: expected one of {', '.join(OPTIMIZERS)}")


def _number(name: str, value: Any, low: float, high: float, *, open_low: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    ok = math.isfinite(value) and (value > low if open_low else value >= low) and value < high
    if not ok:
        bound = "> " if open_low else ">= "
        raise ValueError(f"{name} must be {bound}{low:g} and < {high:g}, got {value!r}")
    return float(value)


def run_path(
    optimizer: str = "SGD",
    lr: float | None = None,
    momentum: float = 0.9,
    start: Sequence[float] | None = None,
    steps: int | None = None,
    surface: str = "bowl",
) -> GdPath:
    """Run ``optimizer`` on ``surface`` for ``steps`` steps from ``start``; return its path.

    ``lr``, ``start`` and ``steps`` default to the surface's own. A run stops early, with
    ``diverged=True``, when the loss is NaN or infinite or the point flies far outside the
    view -- it never raises because the learning rate is too large.
    """
    s = _surface(surface)
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {optimizer!r}: expected one of {', '.join(OPTIMIZERS)}"
        )
    lr = _number("lr", s.lr if lr is None else lr, 0.0, math.inf, open_low=True)
    momentum = _number("momentum", momentum, 0.0, 1.0)
    steps = s.steps if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    start = s.start if start is None else start
    if isinstance(start, torch.Tensor):
        start = start.tolist()
    if len(start) != 2 or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in start
    ):
        raise ValueError(f"start must be two finite numbers (θ₁, θ₂), got {start!r}")

    p = torch.tensor([float(v) for v in start], dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(optimizer, [p], lr, momentum)
    span = max(s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0])
    points: list[tuple[float, float]] = []
    losses: list[float] = []
    diverged_at = None
    for step in range(steps + 1):
        loss = s.loss(p)
        point = (p[0].item(), p[1].item())
        points.append(point)
        losses.append(loss.item())
        if not math.isfinite(losses[-1]) or max(abs(point[0]), abs(point[1])) > 100 * span:
            diverged_at = step
            break
        if step == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return GdPath(
        s.name,
        optimizer,
        lr,
        momentum,
        tuple(points),
        tuple(losses),
        diverged_at is not None,
        diverged_at,
        steps,
    )


class GdFigure:
    """The playground's picture for one surface, built once and redrawn in place by :meth:`draw`.

    Left: contour lines of the loss, each path as connected dots from its start (○) to its end
    (★), the minimum as ✕. Right: the gap to the minimum at each step, on a log scale. The
    contour plot is drawn once; a redraw only replaces the paths.
    """

    def __init__(self, surface: str = "bowl") -> None:
        import matplotlib.pyplot as plt
        import numpy as np

        self.surface = _surface(surface)
        s = self.surface
        self.figure, (self.ax_map, self.ax_loss) = plt.subplots(
            1, 2, figsize=(9, 3.6), dpi=80, gridspec_kw={"width_ratios": [1.25, 1]}
        )
        plt.close(self.figure)
        gx, gy, z = _grid(s.name)
        (mx, my), self.best = s.minimum()
        top = float(z.max()) - self.best
        levels = self.best + np.geomspace(top * 1e-3, top, 14)
        self.ax_map.contour(gx, gy, z, levels=levels, cmap="viridis", linewidths=0.7, alpha=0.8)
        self.ax_map.plot(mx, my, marker="x", color="black", markersize=9, linestyle="none")
        self.ax_map.set_xlim(*s.xlim)
        self.ax_map.set_ylim(*s.ylim)
        self.ax_map.set_xlabel(s.axis_names[0])
        self.ax_map.set_ylabel(s.axis_names[1])
        _log_y(self.ax_loss)
        self.ax_loss.set_xlabel("step")
        self.ax_loss.set_ylabel("loss − minimum")
        self.title = self.ax_map.set_title(" ", fontsize=10, y=1.01)  # a fixed place: redrawn alone
        self.diverged_labels = [
            ax.text(
                0.5,
                0.88,
                "",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="#c0392b",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
                visible=False,
            )
            for ax in (self.ax_map, self.ax_loss)
        ]
        self._artists: list[Any] = []
        self._legend: Any = None
        # fixed margins, not tight_layout: a figure without a layout engine renders in one pass
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.91, wspace=0.3)
        self._renderer = FastRenderer(self.figure)

    def png(self) -> bytes:
        """The picture as PNG bytes, redrawing only the paths and labels :meth:`draw` changes."""
        dynamic = [*self._artists, self.title, *self.diverged_labels]
        if self._legend is not None:
            dynamic.append(self._legend)
        return self._renderer.png(dynamic)

    def draw(
        self,
        paths: GdPath | Sequence[GdPath] | Mapping[str, GdPath],
        title: str | None = None,
    ) -> Figure:
        """Show ``paths`` (one path, a list, or a mapping from legend label to path)."""
        labelled = _labelled_paths(paths)
        for _, path in labelled:
            if path.surface != self.surface.name:
                raise ValueError(
                    f"a path on the {path.surface!r} surface cannot be drawn on {self.surface.name!r}"
                )
        for artist in self._artists:
            artist.remove()
        self._artists = []
        if self._legend is not None:
            self._legend.remove()
            self._legend = None
        diverged = []
        for k, (label, path) in enumerate(labelled):
            color = _COLORS[k % len(_COLORS)]
            xs = [p[0] for p in path.points]
            ys = [p[1] for p in path.points]
            dots = 2.5 if len(xs) <= 100 else 0.0  # long paths: a line, not a caterpillar
            self._artists += self.ax_map.plot(
                xs, ys, "-o", color=color, markersize=dots, linewidth=1.1, label=label
            )
            self._artists += self.ax_map.plot(
                xs[0], ys[0], "o", color=color, markersize=7, markerfacecolor="white"
            )
            if path.diverged:
                diverged.append(label)
            else:
                self._artists += self.ax_map.plot(xs[-1], ys[-1], "*", color=color, markersize=12)
            gaps = [
                max(v - self.best, 1e-12) if math.isfinite(v) else math.nan for v in path.losses
            ]
            self._artists += self.ax_loss.plot(range(len(gaps)), gaps, color=color, label=label)
        start_gap = max(p.losses[0] - self.best for _, p in labelled)
        self.ax_loss.set_ylim(1e-6, max(start_gap, 1e-3) * 1e3)
        self.ax_loss.set_xlim(0, max(max(max(len(p.losses) - 1, p.steps) for _, p in labelled), 1))
        if title is None:
            title = (
                f"{self.surface.name}: {labelled[0][0]}"
                if len(labelled) == 1
                else self.surface.name
            )
        self.title.set_text(title)
        single = len(labelled) == 1
        text = "" if not diverged else "diverged" if single else "diverged: " + ", ".join(diverged)
        for label in self.diverged_labels:
            label.set_text(text)
            label.set_visible(bool(text))
            label.set_fontsize(16 if single else 10)
        if not single:
            self._legend = self.ax_loss.legend(fontsize=8, loc="lower left")
        return self.figure


def _labelled_paths(
    paths: GdPath | Sequence[GdPath] | Mapping[str, GdPath],
) -> list[tuple[str, GdPath]]:
    if isinstance(paths, GdPath):
        paths = [paths]
    if isinstance(paths, Mapping):
        labelled = [(str(k), v) for k, v in paths.items()]
    elif isinstance(paths, Sequence) and not isinstance(paths, str):
        labelled = [(getattr(p, "label", ""), p) for p in paths]
    else:
        raise TypeError(
            f"paths must be a GdPath, a list or a dict of them, got {type(paths).__name__}"
        )
    if not labelled:
        raise ValueError("draw_paths needs at least one path")
    for _, path in labelled:
        if not isinstance(path, GdPath):
            raise TypeError(
                f"paths must be GdPath objects from run_path(), got {type(path).__name__}"
            )
    return labelled


def draw_paths(
    paths: GdPath | Sequence[GdPath] | Mapping[str, GdPath], title: str | None = None
) -> Figure:
    """Draw one or more paths (all on one surface) in a new :class:`GdFigure` and return it.

    ``paths`` may be one path, a list, or a mapping from legend label to path. A diverged path
    is marked "diverged". The figure is closed, so it shows once as the last expression of a
    notebook cell.
    """
    labelled = _labelled_paths(paths)
    names = {path.surface for _, path in labelled}
    if len(names) != 1:
        raise ValueError(f"all paths must be on one surface, got {', '.join(sorted(names))}")
    return GdFigure(names.pop()).draw(paths, title)


#: The static fallback's frames, on the bowl: a label, then ``run_path`` arguments.
PRESETS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("SGD, lr 0.05 (too small)", {"optimizer": "SGD", "lr": 0.05}),
    ("SGD, lr 0.45 (zig-zag)", {"optimizer": "SGD", "lr": 0.45}),
    ("SGD, lr 0.55 (diverges)", {"optimizer": "SGD", "lr": 0.55}),
    ("SGD + momentum 0.9, lr 0.05", {"optimizer": "SGD + momentum", "lr": 0.05, "momentum": 0.9}),
    ("Adam, lr 0.3", {"optimizer": "Adam", "lr": 0.3}),
    ("RMSprop, lr 0.05", {"optimizer": "RMSprop", "lr": 0.05}),
)


def gd_fallback(presets: Sequence[tuple[str, dict[str, Any]]] = PRESETS) -> PrecomputedSlider:
    """The static-site version: a precomputed slider over ``presets`` (label, run_path kwargs)."""
    from pytorch_lessons.widgets.static import precomputed_slider

    if not presets:
        raise ValueError("presets must hold at least one (label, arguments) pair")
    frames = [(label, draw_paths(run_path(**kwargs))) for label, kwargs in presets]
    return precomputed_slider(
        frames,
        "run",
        caption="Precomputed runs on the bowl; run the notebook to choose your own settings.",
    )


class GdPlayground:
    """The live widget: optimizer, learning rate, momentum, start point and surface.

    ``update()`` is what every control calls: it reruns the optimizer, redraws and returns the
    :class:`GdPath`, so it can be driven and tested without a browser.
    """

    def __init__(self, surface: str = "bowl", optimizer: str = "SGD") -> None:
        import ipywidgets as widgets

        s = _surface(surface)
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {optimizer!r}: expected one of {', '.join(OPTIMIZERS)}"
            )
        self.picture = GdFigure(s.name)
        style = {"description_width": "90px"}
        wide = widgets.Layout(width="330px")
        self.surface = widgets.Dropdown(
            options=list(SURFACES), value=s.name, description="surface", style=style, layout=wide
        )
        self.optimizer = widgets.Dropdown(
            options=list(OPTIMIZERS),
            value=optimizer,
            description="optimizer",
            style=style,
            layout=wide,
        )
        self.lr = widgets.FloatLogSlider(
            value=s.lr,
            base=10,
            min=-4,
            max=0.5,
            step=0.01,
            description="learning rate",
            readout_format=".3g",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self.momentum = widgets.FloatSlider(
            value=0.9,
            min=0.0,
            max=0.99,
            step=0.01,
            description="momentum",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self.start_x = widgets.FloatSlider(
            value=s.start[0],
            min=s.xlim[0],
            max=s.xlim[1],
            step=0.1,
            description="start θ₁",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self.start_y = widgets.FloatSlider(
            value=s.start[1],
            min=s.ylim[0],
            max=s.ylim[1],
            step=0.1,
            description="start θ₂",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self.image = widgets.Image(format="png")
        self.path: GdPath | None = None
        self._quiet = False
        self.update()
        self.surface.observe(self._on_surface, names="value")
        for control in (self.optimizer, self.lr, self.momentum, self.start_x, self.start_y):
            control.observe(lambda _change: self._on_change(), names="value")
        controls = widgets.VBox(
            [self.surface, self.optimizer, self.lr, self.momentum, self.start_x, self.start_y]
        )
        self.widget = labelled(widgets.VBox, "gradient-descent playground")([controls, self.image])
        self.widget.playground = self

    def _on_change(self) -> None:
        if not self._quiet:
            self.update()

    def _on_surface(self, change: dict[str, Any]) -> None:
        """A new surface brings its own view, start point and learning rate."""
        s = SURFACES[change["new"]]
        self._quiet = True
        try:
            for slider, (low, high), value in (
                (self.start_x, s.xlim, s.start[0]),
                (self.start_y, s.ylim, s.start[1]),
            ):
                slider.min, slider.max = min(low, slider.min), max(high, slider.max)
                slider.value = value
                slider.min, slider.max = low, high
            self.lr.value = s.lr
        finally:
            self._quiet = False
        self.update()

    def update(self) -> GdPath:
        """Rerun with the current controls, redraw, and show the new picture."""
        self.momentum.disabled = self.optimizer.value != "SGD + momentum"
        self.path = run_path(
            self.optimizer.value,
            self.lr.value,
            self.momentum.value,
            (self.start_x.value, self.start_y.value),
            surface=self.surface.value,
        )
        if self.picture.surface.name != self.path.surface:
            self.picture = GdFigure(self.path.surface)
        self.picture.draw(self.path)
        self.image.value = self.picture.png()
        return self.path


def show_gd_playground(surface: str = "bowl", optimizer: str = "SGD") -> None:
    """Show the live gradient-descent playground and, below it, its precomputed static version.

    In JupyterLab the static version hides itself when the live widget is shown; on the static
    site (no kernel) it is the one that works. Instructor fast mode skips it. The displayed box
    keeps its :class:`GdPlayground` as ``.playground``.
    """
    playground = GdPlayground(surface, optimizer)
    show_live_and_static(playground.widget, gd_fallback)
