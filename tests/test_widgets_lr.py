"""The learning-rate explorer: its computation (PyTorch's numbers) and its widget's state."""

import json
import math

import pytest
import torch

from pytorch_lessons.widgets import lr_explorer as lr
from pytorch_lessons.widgets.base import BookWidget

# --- learning-rate explorer: the computation -------------------------------------------------


def test_explorer_data_is_a_noisy_line_with_known_weights():
    x, y = lr.explorer_data()
    assert x.shape == y.shape == (40, 1)
    features = torch.cat([x, torch.ones_like(x)], dim=1)
    w, b = torch.linalg.lstsq(features, y).solution.flatten().tolist()
    assert abs(w - 2.0) < 0.2 and abs(b - 1.0) < 0.2


def test_a_good_learning_rate_fits_the_line():
    run = lr.train_line(0.2)
    assert not run.diverged and not run.growing and run.diverged_at is None
    assert len(run.losses) == lr.DEFAULT_STEPS + 1
    assert run.losses[-1] < run.losses[0] / 10
    assert abs(run.w - 2.0) < 0.2 and abs(run.b - 1.0) < 0.2
    assert run.status() == f"final loss {run.final_loss:.4f}"


def test_a_tiny_learning_rate_barely_moves():
    slow, good = lr.train_line(0.001), lr.train_line(0.2)
    assert slow.final_loss > 5 * good.final_loss and not slow.growing


def test_a_too_large_learning_rate_grows_then_diverges_without_raising():
    growing = lr.train_line(1.05)
    assert growing.growing and not growing.diverged
    assert growing.status().startswith("diverging: loss grew to")
    diverged = lr.train_line(2.0)
    assert diverged.diverged and diverged.growing
    assert diverged.diverged_at == len(diverged.losses) - 1 < lr.DEFAULT_STEPS
    assert not math.isfinite(diverged.final_loss) and math.isnan(diverged.w)
    assert diverged.status() == f"diverged at step {diverged.diverged_at}"
    assert lr.train_line(1e6, steps=5).diverged


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": 0.0}, ValueError, "lr must be a finite number > 0"),
        ({"lr": -0.1}, ValueError, "lr must be a finite number > 0"),
        ({"lr": math.nan}, ValueError, "lr must be a finite number > 0"),
        ({"lr": math.inf}, ValueError, "lr must be a finite number > 0"),
        ({"lr": "0.1"}, TypeError, "lr must be a number, got str"),
        ({"lr": True}, TypeError, "lr must be a number, got bool"),
        ({"lr": 0.1, "steps": 0}, ValueError, "steps must be a positive int"),
        ({"lr": 0.1, "steps": 2.5}, ValueError, "steps must be a positive int"),
        ({"lr": 0.1, "x": [1.0], "y": [2.0]}, TypeError, "x must be a tensor, got list"),
        (
            {"lr": 0.1, "x": torch.zeros(3, 2), "y": torch.zeros(3, 2)},
            ValueError,
            r"x and y must both have shape \(n, 1\)",
        ),
        (
            {"lr": 0.1, "x": torch.zeros(3, 1), "y": torch.zeros(4, 1)},
            ValueError,
            r"got \(3, 1\) and \(4, 1\)",
        ),
    ],
)
def test_train_line_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        lr.train_line(**kwargs)


@pytest.mark.parametrize("rate", [0.001, 0.2, 0.95, 1.05, 2.0])
def test_train_line_takes_the_same_steps_as_optim_sgd_with_autograd(rate):
    x, y = lr.explorer_data()
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=rate)
    expected = []
    for _ in range(lr.DEFAULT_STEPS + 1):
        loss = ((x * w + b - y) ** 2).mean()
        expected.append(loss.item())
        if not math.isfinite(expected[-1]):
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    run = lr.train_line(rate, x=x, y=y)
    assert len(run.losses) == len(expected)
    finite = [(a, e) for a, e in zip(run.losses, expected, strict=True) if math.isfinite(e)]
    assert all(a == pytest.approx(e, rel=1e-4) for a, e in finite)


# --- the widget: its state holds every run, and it trains a typed-in rate -------------------


def test_the_widget_holds_one_run_per_learning_rate_of_the_grid():
    explorer = lr.LrExplorer(lr=0.05)
    runs = json.loads(explorer.runs)  # one compact string in the stored state
    assert isinstance(explorer, BookWidget)
    assert len(runs) == len(explorer.lrs) == len(lr.LR_GRID) == 93
    assert explorer.lrs[0] == 0.001 and explorer.lrs[-1] == pytest.approx(3.0, rel=0.01)
    assert set(lr.CHAPTER_LRS) <= set(explorer.lrs)  # the slider stops on the chapter's rates
    ratios = [b / a for a, b in zip(explorer.lrs, explorer.lrs[1:], strict=False)]
    assert max(ratios) < 1.11  # fine enough for a slider that feels continuous
    k = min(range(93), key=lambda i: abs(math.log(explorer.lrs[i] / 0.2)))
    run = lr.train_line(explorer.lrs[k])
    state = runs[k]
    assert state["losses"] == pytest.approx(list(run.losses), rel=1e-3)  # PyTorch's numbers
    assert state["w"] == pytest.approx(run.w, rel=1e-3) and state["diverged_at"] is None
    gone = runs[-1]  # lr 3 diverges: the rest of its losses are None, not NaN
    assert gone["diverged_at"] is not None and gone["losses"][-1] is None
    assert len(explorer.x) == len(explorer.y) == 40 and explorer.best < explorer.start_loss
    assert (
        repr(explorer)
        == "<learning-rate explorer: interactive in JupyterLab and on the book's site>"
    )


def test_the_state_is_small_enough_to_store_in_the_notebook():
    explorer = lr.LrExplorer()
    numbers = {k: v for k, v in explorer.get_state().items() if k not in ("_esm", "_css")}
    assert len(json.dumps(numbers)) < 55_000
    assert "export default" in explorer._esm and "function askKernel" in explorer._esm


def test_a_typed_in_rate_is_trained_by_the_kernel_and_bad_ones_get_one_line():
    explorer = lr.LrExplorer()
    sent = []
    explorer.send = sent.append
    explorer._on_message(explorer, {"ask": "1", "lr": 0.3}, [])
    assert sent[-1]["answer"] == "1"
    assert sent[-1]["result"]["losses"] == pytest.approx(list(lr.train_line(0.3).losses), rel=1e-3)
    explorer._on_message(explorer, {"ask": "2", "lr": -1}, [])
    assert sent[-1] == {"answer": "2", "error": "lr must be a finite number > 0, got -1"}
    explorer._on_message(explorer, {"ask": "3"}, [])
    assert sent[-1]["error"] == "lr must be a number, got NoneType"
    explorer._on_message(explorer, {"something": "else"}, [])  # not a question: ignored
    assert len(sent) == 3


def test_the_grid_holds_every_regime_of_the_chapter():
    runs = [lr.train_line(v) for v in lr.LR_GRID]
    final = [r.final_loss for r in runs]
    assert final[0] > 3 * min(final)  # too small: far from the best in 60 steps
    assert any(not r.growing and r.final_loss < 1.01 * min(final) for r in runs)  # good
    assert any(r.growing and not r.diverged for r in runs) and runs[-1].diverged


def test_explorer_rejects_bad_settings():
    with pytest.raises(ValueError, match="lr must be"):
        lr.LrExplorer(lr=-1.0)
    with pytest.raises(ValueError, match="steps must be"):
        lr.LrExplorer(steps=0)
