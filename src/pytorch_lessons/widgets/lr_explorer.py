"""The learning-rate explorer: train a line with the learning rate you choose, see what happens.

- :func:`train_line` -- the computation: full-batch gradient descent on ``y = w x + b`` with one
  learning rate; returns an :class:`LrRun` (losses, final ``w`` and ``b``, whether it diverged).
- :class:`LrExplorer` / :func:`show_lr_explorer` -- the widget: PyTorch trains the line once for
  every learning rate of :data:`LR_GRID` (93 rates, a log scale from 0.001 to 3); the module
  ``js/lr_explorer.js`` draws the run the slider points at, at once, with or without a kernel.
  A rate typed in is trained by the kernel (:meth:`LrExplorer.answer`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import torch
import traitlets

from pytorch_lessons.checks import positive_int, positive_number
from pytorch_lessons.widgets.base import BookWidget, rounded

#: The rates the chapter discusses: too small, slow, good, oscillating, diverging.
CHAPTER_LRS: tuple[float, ...] = (0.001, 0.01, 0.05, 0.2, 0.95, 1.05, 2.0)
#: The learning rates the explorer trains when it is made: a log scale from 0.001 to 3 in
#: steps of 0.04 decades (10 % apart, fine enough that the slider feels continuous), and the
#: chapter's rates, so that the slider stops on each of them exactly.
LR_GRID: tuple[float, ...] = tuple(
    sorted({round(10 ** (-3 + 0.04 * k), 6) for k in range(88)} | set(CHAPTER_LRS))
)
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
    lr = positive_number("lr", lr)
    steps = positive_int("steps", steps)
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


def _run_state(run: LrRun) -> dict[str, Any]:
    """What the module draws of one run (NaN and inf as None, 4 significant digits)."""
    return {
        "losses": rounded(list(run.losses)),
        "w": rounded(run.w),
        "b": rounded(run.b),
        "diverged_at": run.diverged_at,
    }


class LrExplorer(BookWidget, module="lr_explorer", title="learning-rate explorer"):
    """The widget: a log-scale learning-rate slider over the loss curve and the fitted line.

    Made, it trains the line for every rate of :data:`LR_GRID` (``runs``, in the widget's
    state); the slider only picks one. ``lr`` follows the slider. :meth:`answer` trains a rate
    typed in, which the module asks for.
    """

    x = traitlets.List(traitlets.Float()).tag(sync=True)
    y = traitlets.List(traitlets.Float()).tag(sync=True)
    best = traitlets.Float().tag(sync=True)
    start_loss = traitlets.Float().tag(sync=True)
    steps = traitlets.Int().tag(sync=True)
    lrs = traitlets.List(traitlets.Float()).tag(sync=True)
    #: one JSON string, not a list: a notebook writes each list element on its own line
    runs = traitlets.Unicode().tag(sync=True)
    lr = traitlets.Float().tag(sync=True)

    def __init__(self, lr: float = 0.05, steps: int = DEFAULT_STEPS) -> None:
        lr = positive_number("lr", lr)
        steps = positive_int("steps", steps)
        x, y = explorer_data()
        features = torch.cat([x, torch.ones_like(x)], dim=1)
        best = ((features @ torch.linalg.lstsq(features, y).solution - y) ** 2).mean().item()
        self._data = (x, y)
        super().__init__(
            x=rounded(x[:, 0].tolist()),
            y=rounded(y[:, 0].tolist()),
            best=best,
            start_loss=(y**2).mean().item(),
            steps=steps,
            lrs=rounded(list(LR_GRID)),
            runs=json.dumps(
                [_run_state(train_line(rate, steps, x, y)) for rate in LR_GRID],
                separators=(",", ":"),
            ),
            lr=lr,
        )

    def run(self, lr: float) -> LrRun:
        """Train with ``lr`` on the explorer's data, as a typed-in rate is trained."""
        return train_line(lr, self.steps, *self._data)

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """A learning rate typed in: ``{"lr": 0.3}`` -> that run, to draw."""
        return _run_state(self.run(positive_number("lr", request.get("lr"))))


def show_lr_explorer(lr: float = 0.05, steps: int = DEFAULT_STEPS) -> LrExplorer:
    """The learning-rate explorer, starting at ``lr``: shown as a cell's last line."""
    return LrExplorer(lr, steps)
