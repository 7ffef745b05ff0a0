"""The gradient-descent playground: an optimizer's path across a 2-D loss surface.

- :data:`SURFACES` -- three loss surfaces of two parameters: an elongated bowl, the Rosenbrock
  valley, and the loss of the learning-rate explorer's line ``(w, b)``.
- :func:`run_path` -- the computation: run one ``torch.optim`` optimizer (SGD, SGD + momentum,
  Adam, RMSprop) from a start point; returns a :class:`GdPath` (every point and loss).
- :func:`draw_paths` -- the picture: the paths on the surface's contour plot, and their losses.
- :class:`GdPlayground` / :func:`show_gd_playground` -- the widget: PyTorch runs every optimizer
  at the learning rates of :data:`STORED_LRS` (and a few momentum values) on each surface once,
  and the module ``js/gd_playground.js`` draws the run the controls point at, at once, with or
  without a kernel. Another start point, momentum or learning rate is run by the kernel
  (:meth:`GdPlayground.answer`).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
import traitlets

from pytorch_lessons.checks import is_int, is_number
from pytorch_lessons.widgets.base import BookWidget, rounded
from pytorch_lessons.widgets.lr_explorer import explorer_data

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
def _grid(name: str, n: int = 120) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The surface's loss on an ``n x n`` grid over its view (computed once): the ``n`` values
    of θ₁, the ``n`` values of θ₂, and the losses, one row per value of θ₂."""
    surface = SURFACES[name]
    xs = torch.linspace(*surface.xlim, n, dtype=torch.float64)
    ys = torch.linspace(*surface.ylim, n, dtype=torch.float64)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")
    return xs, ys, surface.loss(torch.stack([gx, gy], dim=-1))


@functools.cache
def _best(name: str) -> float:
    """The surface's lowest loss (cached: the line's takes a least-squares solve)."""
    return SURFACES[name].minimum()[1]


#: How many contour levels the pictures draw (the highest only touches the corners of the view):
#: few, because every line of the widget's and of the static figures is stored in the notebook.
CONTOURS = 6


def _levels(name: str) -> list[float]:
    """The losses the contour lines are drawn at: :data:`CONTOURS` levels above the minimum,
    evenly spaced on a log scale from a thousandth of the view's range to all of it."""
    _, _, z = _grid(name)
    best = _best(name)
    top = z.max().item() - best
    gaps = torch.logspace(math.log10(top * 1e-3), math.log10(top), CONTOURS, dtype=torch.float64)
    return (best + gaps).tolist()


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
    if not is_number(value):
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
    if not is_int(steps) or steps < 1:
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


# --- the static picture -----------------------------------------------------------------------


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
    """Draw one or more paths (all on one surface) and return the figure.

    Left: contour lines of the loss, each path as connected dots from its start (○) to its end
    (★), the minimum as ✕. Right: the gap to the minimum at each step, on a log scale.
    ``paths`` may be one path, a list, or a mapping from legend label to path. A diverged path
    is marked "diverged". The figure is closed, so it shows once as the last expression of a
    notebook cell.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullLocator

    labelled = _labelled_paths(paths)
    names = {path.surface for _, path in labelled}
    if len(names) != 1:
        raise ValueError(f"all paths must be on one surface, got {', '.join(sorted(names))}")
    s = SURFACES[names.pop()]
    fig, (ax_map, ax_loss) = plt.subplots(
        1, 2, figsize=(8, 3.2), dpi=80, gridspec_kw={"width_ratios": [1.25, 1]}
    )
    plt.close(fig)
    xs, ys, z = _grid(s.name)
    (mx, my), best = s.argmin(), _best(s.name)
    ax_map.contour(
        xs.numpy(),
        ys.numpy(),
        z.numpy(),
        levels=_levels(s.name),
        cmap="viridis",
        linewidths=0.7,
        alpha=0.8,
    )
    ax_map.plot(mx, my, marker="x", color="black", markersize=9, linestyle="none")
    diverged = []
    for k, (label, path) in enumerate(labelled):
        color = _COLORS[k % len(_COLORS)]
        px = [p[0] for p in path.points]
        py = [p[1] for p in path.points]
        dots = 2.5 if len(px) <= 100 else 0.0  # long paths: a line, not a caterpillar
        ax_map.plot(px, py, "-o", color=color, markersize=dots, linewidth=1.1, label=label)
        ax_map.plot(px[0], py[0], "o", color=color, markersize=7, markerfacecolor="white")
        if path.diverged:
            diverged.append(label)
        else:
            ax_map.plot(px[-1], py[-1], "*", color=color, markersize=12)
        gaps = [max(v - best, 1e-12) if math.isfinite(v) else math.nan for v in path.losses]
        ax_loss.plot(range(len(gaps)), gaps, color=color, label=label)
    ax_map.set_xlim(*s.xlim)
    ax_map.set_ylim(*s.ylim)
    ax_map.set_xlabel(s.axis_names[0])
    ax_map.set_ylabel(s.axis_names[1])
    # a log axis labelled 0.1, 1, 10, ... in plain text (mathtext labels are slow to draw)
    ax_loss.set_yscale("log")
    ax_loss.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax_loss.yaxis.set_minor_locator(NullLocator())
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss − minimum")
    start_gap = max(p.losses[0] - best for _, p in labelled)
    ax_loss.set_ylim(1e-6, max(start_gap, 1e-3) * 1e3)
    ax_loss.set_xlim(0, max(max(max(len(p.losses) - 1, p.steps) for _, p in labelled), 1))
    single = len(labelled) == 1
    if title is None:
        title = f"{s.name}: {labelled[0][0]}" if single else s.name
    ax_map.set_title(title, fontsize=10, y=1.01)
    text = "" if not diverged else "diverged" if single else "diverged: " + ", ".join(diverged)
    if text:
        for ax in (ax_map, ax_loss):
            ax.text(
                0.5,
                0.88,
                text,
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="#c0392b",
                fontsize=16 if single else 10,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
    if not single:
        ax_loss.legend(fontsize=8, loc="lower left")
    fig.subplots_adjust(left=0.085, right=0.98, bottom=0.15, top=0.91, wspace=0.32)
    from pytorch_lessons.plot import described

    ends = [
        f"{label} ({'diverged' if path.diverged else 'ends at ({:.2f}, {:.2f})'.format(*path.end)})"
        for label, path in labelled
    ]
    alt = (
        f"{title}. Left: the contour lines of the {s.name} surface with the path of "
        f"{'; '.join(ends)}, the minimum marked with a cross. Right: the loss minus its minimum "
        f"on a log scale against the step."
    )
    return described(fig, alt, title)


# --- the widget: the numbers it draws ---------------------------------------------------------

DEFAULT_MOMENTUM = 0.9


def _log_grid(rates: tuple[float, ...], per_decade: int = 8) -> tuple[float, ...]:
    """``rates`` and a log grid across their range, ``per_decade`` steps a decade (about 33 %
    apart), at 3 significant digits: the slider then moves in small steps between the rates
    the chapter names."""
    low, high = min(rates), max(rates)
    n = max(1, round(math.log10(high / low) * per_decade))
    step = math.log(high / low) / n
    grid = {float(f"{low * (high / low) ** (k / n):.3g}") for k in range(n + 1)}
    apart = {g for g in grid if all(abs(math.log(g / r)) > step / 3 for r in rates)}
    return tuple(sorted(apart | set(rates)))


#: The learning rates the widget runs each optimizer at, from each surface's start point (with
#: momentum 0.9): the learning-rate slider stops on these. They are the rates below -- every
#: rate the chapter uses among them; on the bowl and Rosenbrock, SGD's and SGD + momentum's
#: largest diverges -- and, on the bowl and the line, a log grid between them
#: (:func:`_log_grid`). Every path is stored in the executed notebook, which must stay small.
_NAMED_LRS: dict[str, dict[str, tuple[float, ...]]] = {
    "bowl": {
        "SGD": (0.05, 0.1, 0.3, 0.45, 0.5, 0.55),
        "SGD + momentum": (0.01, 0.05, 0.2, 0.5, 1.0),
        "Adam": (0.03, 0.1, 0.3, 1.0),
        "RMSprop": (0.01, 0.05, 0.3, 1.0),
    },
    "Rosenbrock": {
        "SGD": (0.0005, 0.001, 0.002, 0.005),
        "SGD + momentum": (0.0002, 0.0005, 0.001, 0.005),
        "Adam": (0.01, 0.03, 0.1, 0.3),
        "RMSprop": (0.001, 0.003, 0.01, 0.03),
    },
    "line": {
        "SGD": (0.01, 0.1, 0.5, 1.1),
        "SGD + momentum": (0.003, 0.03),
        "Adam": (0.1, 0.3),
        "RMSprop": (0.03, 0.1),
    },
}
STORED_LRS: dict[str, dict[str, tuple[float, ...]]] = {
    surface: {
        # Rosenbrock's paths are 300 steps, six times the others': its named rates only
        optimizer: rates if surface == "Rosenbrock" else _log_grid(rates)
        for optimizer, rates in named.items()
    }
    for surface, named in _NAMED_LRS.items()
}
#: For each surface, a learning rate and the other momentum values the widget runs "SGD +
#: momentum" at there: at that rate the momentum slider needs no kernel at these values either.
STORED_MOMENTA: dict[str, tuple[float, tuple[float, ...]]] = {
    "bowl": (0.05, (0.5, 0.99)),
    "Rosenbrock": (0.001, ()),
    "line": (0.03, ()),
}

_FLOOR = 1e-8  # a smaller gap to the minimum is stored as this (the plot ends at 1e-6)
_TOLERANCE = 1 / 600  # how far a stored line may stray, as a share of its panel: half a pixel


def _span(s: Surface) -> float:
    return max(s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0])


def _unit(s: Surface) -> float:
    """The step coordinates are stored in: a thousandth of the view (a third of a pixel)."""
    return _span(s) / 1000


def _simplify(points: torch.Tensor, tolerance: float) -> list[int]:
    """Which of ``points`` (shape ``(n, d)``) a line must keep to pass within ``tolerance`` of
    all of them (Douglas-Peucker; the first and the last are always kept)."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        chord = points[b] - points[a]
        offsets = points[a + 1 : b] - points[a]
        length2 = chord.dot(chord)
        along = (offsets @ chord / length2).clamp(0, 1) if length2 > 0 else offsets[:, 0] * 0
        distance = (offsets - along[:, None] * chord).norm(dim=1)
        k = int(distance.argmax())
        if distance[k] > tolerance:
            keep.add(a + 1 + k)
            stack += [(a, a + 1 + k), (a + 1 + k, b)]
    return sorted(keep)


_LAST = "0123456789ABCDEFGHIJKLMNOPQRSTUV"  # the last 5 bits of a number
_MORE = "WXYZabcdefghijklmnopqrstuvwxyz+/"  # 5 bits of a number, more follow
_MISSING = "."


def encode(values: Sequence[int | None]) -> str:
    """Whole numbers as text, one or two characters each for a smooth series: each number is
    stored as its change from the one before, folded to a count (0, -1, 1, -2, ... as 0, 1, 2,
    3, ...) and written 5 bits a character, lowest first (Google's encoded-polyline format,
    with characters that JSON needs no escapes for). ``None`` is ``"."``. The module's
    ``decode`` reads it back."""
    out = []
    last = 0
    for value in values:
        if value is None:
            out.append(_MISSING)
            continue
        change, last = value - last, value
        count = 2 * change if change >= 0 else -2 * change - 1
        while count >= 32:
            out.append(_MORE[count & 31])
            count >>= 5
        out.append(_LAST[count])
    return "".join(out)


def decode(text: str) -> list[int | None]:
    """The numbers :func:`encode` wrote (what the module does in JavaScript)."""
    values: list[int | None] = []
    last = count = shift = 0
    for char in text:
        if char == _MISSING:
            values.append(None)
        elif char in _MORE:
            count += _MORE.index(char) << shift
            shift += 5
        else:
            count += _LAST.index(char) << shift
            last += count // 2 if count % 2 == 0 else -(count + 1) // 2
            values.append(last)
            count = shift = 0
    return values


def _marching_squares(
    xs: torch.Tensor, ys: torch.Tensor, z: torch.Tensor, level: float
) -> list[list[tuple[float, float]]]:
    """The contour lines where the grid ``z`` (one row per value of ``ys``) crosses ``level``:
    a piece of line in every cell whose corners lie on both sides, the pieces joined up."""
    above = z > level

    def crossing(edge: tuple[str, int, int]) -> tuple[float, float]:
        kind, i, j = edge  # "h": from (i, j) to (i, j + 1); "v": from (i, j) to (i + 1, j)
        i2, j2 = (i, j + 1) if kind == "h" else (i + 1, j)
        t = (level - z[i, j].item()) / (z[i2, j2].item() - z[i, j].item())
        return (
            xs[j].item() + t * (xs[j2].item() - xs[j].item()),
            ys[i].item() + t * (ys[i2].item() - ys[i].item()),
        )

    corners_above = above[:-1, :-1].int() + above[:-1, 1:] + above[1:, :-1] + above[1:, 1:]
    cells = ((corners_above > 0) & (corners_above < 4)).nonzero().tolist()
    neighbours: dict[tuple[str, int, int], list[tuple[str, int, int]]] = {}
    for i, j in cells:
        bottom, right, top, left = ("h", i, j), ("v", i, j + 1), ("h", i + 1, j), ("v", i, j)
        sides = (
            (bottom, (i, j), (i, j + 1)),
            (right, (i, j + 1), (i + 1, j + 1)),
            (top, (i + 1, j + 1), (i + 1, j)),
            (left, (i + 1, j), (i, j)),
        )
        cut = [edge for edge, a, b in sides if above[a] != above[b]]
        if len(cut) == 4:  # a saddle: the cell's centre decides which corners connect
            centre = z[i : i + 2, j : j + 2].mean().item() > level
            if centre == bool(above[i, j]):
                pieces = [(bottom, right), (top, left)]
            else:
                pieces = [(left, bottom), (right, top)]
        else:
            pieces = [(cut[0], cut[1])]
        for a, b in pieces:
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
    lines = []
    open_ends = [edge for edge, near in neighbours.items() if len(near) == 1]
    for first in open_ends + list(neighbours):  # lines that leave the view, then closed ones
        if first not in neighbours:
            continue
        line = [first]
        while True:
            near = neighbours.pop(line[-1])
            following = [edge for edge in near if edge in neighbours]
            if not following:
                break
            line.append(following[0])
        if len(line) > 2 and first in near:
            line.append(first)  # closed: back to where it began
        lines.append([crossing(edge) for edge in line])
    return lines


def _contour_state(name: str) -> list[str]:
    """The surface's contour lines as the module draws them, each as text: the index of its
    level, then its points' θ₁ and θ₂ in :func:`_unit` steps (:func:`encode`d), simplified to
    what the picture shows."""
    s = SURFACES[name]
    xs, ys, z = _grid(name)
    unit, span = _unit(s), _span(s)
    out = []
    for k, level in enumerate(_levels(name)):
        for line in _marching_squares(xs, ys, z, level):
            points = torch.tensor(line, dtype=torch.float64)
            if (points.amax(0) - points.amin(0)).max() < 0.02 * span:
                continue  # a speck where the grid is too coarse for a narrow valley's tip
            kept = points[_simplify(points / span, 1.5 * _TOLERANCE)] / unit
            x, y = kept.round().int().T.tolist()
            out.append(f"{k} {encode(x)} {encode(y)}")
    return out


def _path_state(path: GdPath) -> str:
    """What the module draws of one path, as text: the last loss (4 digits), then each step's
    θ₁ and θ₂ in :func:`_unit` steps and its gap to the minimum in fiftieths of a decade
    (``50 log10(loss - minimum)``), each :func:`encode`d. A path of more than 100 steps, drawn
    as a line without dots, keeps only the steps its lines need, listed as a fifth field."""
    s = SURFACES[path.surface]
    unit, span, best = _unit(s), _span(s), _best(path.surface)

    def place(v: float) -> int | None:  # far outside the view (diverging): drawn at the edge
        return round(max(-10 * span, min(10 * span, v)) / unit) if math.isfinite(v) else None

    def gap(loss: float) -> int | None:
        if not math.isfinite(loss):
            return None
        return round(50 * math.log10(min(max(loss - best, _FLOOR), 1e30)))

    x = [place(p[0]) for p in path.points]
    y = [place(p[1]) for p in path.points]
    g = [gap(v) for v in path.losses]
    last = rounded(path.losses[-1])
    fields = ["nan" if last is None else str(last)]
    if len(x) > 101 and None not in x + y + g:
        # each step as a share of its panel: a thousand steps of the view, 12 decades of loss
        steps = torch.arange(len(x), dtype=torch.float64) * 1000 / path.steps
        shares = torch.tensor([x, y, g], dtype=torch.float64).T * torch.tensor([1, 1, 1000 / 600])
        shares = torch.cat([shares, steps[:, None]], dim=1) / 1000
        kept = _simplify(shares, _TOLERANCE)
        x, y, g = ([values[k] for k in kept] for values in (x, y, g))
        fields += [encode(x), encode(y), encode(g), encode(kept)]
    else:
        fields += [encode(x), encode(y), encode(g)]
    return " ".join(fields)


def _surface_state(name: str, every: bool = True) -> dict[str, Any]:
    """Everything the module needs to draw on one surface without a kernel. ``every=False``
    (instructor fast mode) runs only the path each optimizer starts at; the module asks the
    kernel for the others (None)."""
    s = SURFACES[name]
    start_gap = s.loss(torch.tensor(s.start, dtype=torch.float64)).item() - _best(name)
    momentum_lr, momenta = STORED_MOMENTA[name]

    def stored(optimizer: str, lr: float, momentum: float = DEFAULT_MOMENTUM) -> str | None:
        wanted = every or (
            lr == _nearest(STORED_LRS[name][optimizer], s.lr) and momentum == DEFAULT_MOMENTUM
        )
        return _path_state(run_path(optimizer, lr, momentum, surface=name)) if wanted else None

    return {
        "names": list(s.axis_names),
        "view": [*s.xlim, *s.ylim],
        "start": list(s.start),
        "lr": s.lr,
        "steps": s.steps,
        "unit": _unit(s),
        "minimum": rounded(list(s.argmin())),
        "start_gap": rounded(start_gap),
        "levels": CONTOURS,
        "contours": _contour_state(name),
        "lrs": {optimizer: list(rates) for optimizer, rates in STORED_LRS[name].items()},
        "paths": {
            optimizer: [stored(optimizer, lr) for lr in rates]
            for optimizer, rates in STORED_LRS[name].items()
        },
        "momentum_lr": momentum_lr,
        "momenta": list(momenta),
        "momentum_paths": [stored("SGD + momentum", momentum_lr, beta) for beta in momenta],
    }


@functools.cache
def _surfaces_json(every: bool = True) -> str:
    """Every surface's numbers as one line of JSON (computed once per kernel: they never change).

    One string rather than nested lists and dicts: a notebook file puts every element of a list
    and every key of a dict on a line of its own, indented, which here would cost a fifth more
    bytes in the executed notebook."""
    return json.dumps(
        {name: _surface_state(name, every) for name in SURFACES}, separators=(",", ":")
    )


def _nearest(rates: Sequence[float], lr: float) -> float:
    return min(rates, key=lambda rate: abs(math.log(rate / lr)))


class GdPlayground(BookWidget, module="gd_playground", title="gradient-descent playground"):
    """The widget: surface, optimizer, learning rate, momentum and start point; the path on the
    contour plot and its loss at each step.

    ``surfaces`` holds, as JSON text, each surface's contour lines and the paths PyTorch ran
    from its start point at the rates of :data:`STORED_LRS` and the momenta of
    :data:`STORED_MOMENTA`: the controls pick one of them, without a kernel. The other traits
    follow the controls. :meth:`answer` runs what the module has no path for (another start
    point, momentum or learning rate).
    """

    surfaces = traitlets.Unicode().tag(sync=True)
    surface = traitlets.Unicode().tag(sync=True)
    optimizer = traitlets.Unicode().tag(sync=True)
    lr = traitlets.Float().tag(sync=True)
    momentum = traitlets.Float().tag(sync=True)
    start = traitlets.List(traitlets.Float()).tag(sync=True)

    def __init__(self, surface: str = "bowl", optimizer: str = "SGD") -> None:
        from pytorch_lessons.fast import fast_mode

        s = _surface(surface)
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {optimizer!r}: expected one of {', '.join(OPTIMIZERS)}"
            )
        super().__init__(
            surfaces=_surfaces_json(every=not fast_mode()),
            surface=s.name,
            optimizer=optimizer,
            lr=_nearest(STORED_LRS[s.name][optimizer], s.lr),
            momentum=DEFAULT_MOMENTUM,
            start=list(s.start),
        )

    def answer(self, request: dict[str, Any]) -> str:
        """Settings the module has no path for, e.g. ``{"surface": "bowl", "optimizer": "Adam",
        "lr": 0.3, "momentum": 0.9, "start": [2, -1]}`` -> that path, to draw."""
        wanted = {"surface", "optimizer", "lr", "momentum", "start"}
        if set(request) != wanted:
            raise ValueError(
                f"a path needs {', '.join(sorted(wanted))}; got {', '.join(sorted(request)) or 'nothing'}"
            )
        lr = _number("lr", request["lr"], 0.0, math.inf, open_low=True)
        start = request["start"]
        if not isinstance(start, (list, tuple)):
            raise ValueError(f"start must be two finite numbers (θ₁, θ₂), got {start!r}")
        path = run_path(
            request["optimizer"], lr, request["momentum"], start, surface=request["surface"]
        )
        return _path_state(path)


def show_gd_playground(surface: str = "bowl", optimizer: str = "SGD") -> GdPlayground:
    """The gradient-descent playground on ``surface`` with ``optimizer``: shown as a cell's last line."""
    return GdPlayground(surface, optimizer)
