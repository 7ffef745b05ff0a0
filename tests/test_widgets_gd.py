"""The gradient-descent playground: its computation (PyTorch's paths), its static picture and
its widget's state."""

import json
import math

import pytest
import torch
from matplotlib.figure import Figure

from pytorch_lessons.widgets import gd_playground as gd
from pytorch_lessons.widgets.base import BookWidget


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_visible()]


# --- gradient-descent playground: the computation --------------------------------------------


def test_a_path_has_one_point_per_step_from_the_start():
    path = gd.run_path("SGD", 0.1)
    bowl = gd.SURFACES["bowl"]
    assert len(path.points) == len(path.losses) == bowl.steps + 1 == path.steps + 1
    assert path.points[0] == bowl.start and not path.diverged
    assert all(b < a for a, b in zip(path.losses, path.losses[1:], strict=False))
    assert path.label == "SGD, lr 0.1" and path.end == path.points[-1]
    assert len(gd.run_path(steps=7).points) == 8


def test_a_too_large_learning_rate_diverges_early_without_raising():
    path = gd.run_path("SGD", 0.55)
    assert path.diverged and path.diverged_at == len(path.points) - 1 < path.steps
    nan = gd.run_path("SGD", 1e30, surface="Rosenbrock")
    assert nan.diverged and len(nan.points) < 5


def test_the_optimizer_choice_changes_the_path():
    ends = {name: gd.run_path(name, 0.05).end for name in gd.OPTIMIZERS}
    assert len(set(ends.values())) == len(gd.OPTIMIZERS)
    # momentum matters to "SGD + momentum" only
    assert gd.run_path("SGD", 0.05, momentum=0.5).end == gd.run_path("SGD", 0.05, momentum=0.9).end
    assert (
        gd.run_path("SGD + momentum", 0.05, momentum=0.5).end
        != gd.run_path("SGD + momentum", 0.05, momentum=0.9).end
    )
    assert gd.run_path("SGD + momentum", 0.05).label == "SGD + momentum 0.9, lr 0.05"


def test_every_optimizer_runs_on_every_surface_from_any_start():
    for surface in gd.SURFACES:
        for name in gd.OPTIMIZERS:
            path = gd.run_path(name, surface=surface, steps=3, start=torch.tensor([0.5, 0.5]))
            assert path.surface == surface and path.points[0] == (0.5, 0.5)


def test_surface_minima():
    assert gd.SURFACES["bowl"].minimum() == ((0.0, 0.0), 0.0)
    assert gd.SURFACES["Rosenbrock"].minimum() == ((1.0, 1.0), 0.0)
    (w, b), best = gd.SURFACES["line"].minimum()
    p = torch.tensor([w, b], dtype=torch.float64, requires_grad=True)
    gd.SURFACES["line"].loss(p).backward()
    assert p.grad.abs().max() < 1e-6 and 0.1 < best < 0.5


def test_make_optimizer():
    p = [torch.zeros(2, requires_grad=True)]
    assert gd.make_optimizer("SGD + momentum", p, 0.1, 0.7).param_groups[0]["momentum"] == 0.7
    assert isinstance(gd.make_optimizer("Adam", p, 0.1), torch.optim.Adam)
    assert isinstance(gd.make_optimizer("RMSprop", p, 0.1), torch.optim.RMSprop)
    with pytest.raises(ValueError, match="unknown optimizer 'Adagrad'"):
        gd.make_optimizer("Adagrad", p, 0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"optimizer": "adam"}, ValueError, "unknown optimizer 'adam': expected one of SGD"),
        ({"surface": "saddle"}, ValueError, "unknown surface 'saddle'"),
        ({"lr": 0.0}, ValueError, "lr must be > 0"),
        ({"lr": math.nan}, ValueError, "lr must be > 0"),
        ({"lr": "big"}, TypeError, "lr must be a number"),
        ({"momentum": 1.0}, ValueError, "momentum must be >= 0 and < 1"),
        ({"momentum": -0.1}, ValueError, "momentum must be >= 0 and < 1"),
        ({"steps": 0}, ValueError, "steps must be a positive int"),
        ({"start": (1.0,)}, ValueError, "start must be two finite numbers"),
        ({"start": (1.0, math.inf)}, ValueError, "start must be two finite numbers"),
        ({"start": ("a", 1.0)}, ValueError, "start must be two finite numbers"),
    ],
)
def test_run_path_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        gd.run_path(**kwargs)


# --- gradient-descent playground: the picture ------------------------------------------------


def test_the_picture_draws_the_path_and_marks_divergence():
    path = gd.run_path("SGD", 0.3)
    fig = gd.draw_paths(path)
    ax_map, ax_loss = fig.axes
    trajectory = next(line for line in ax_map.get_lines() if line.get_label() == path.label)
    assert len(trajectory.get_xdata()) == len(path.points)
    assert ax_map.get_title() == "bowl: SGD, lr 0.3" and ax_loss.get_yscale() == "log"
    assert "diverged" not in _texts(fig)
    gone = gd.draw_paths(gd.run_path("SGD", 0.55))  # no end marker, "diverged" on both panels
    assert len(gone.axes[0].get_lines()) == len(ax_map.get_lines()) - 1
    assert _texts(gone) == ["diverged", "diverged"]


def test_several_paths_share_one_picture_with_a_legend():
    paths = {"plain": gd.run_path("SGD", 0.05), "fast": gd.run_path("SGD", 0.55)}
    fig = gd.draw_paths(paths, title="compare")
    ax_map, ax_loss = fig.axes
    assert ax_map.get_title() == "compare"
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == ["plain", "fast"]
    assert "diverged: fast" in _texts(fig)
    listed = gd.draw_paths([gd.run_path("Adam", 0.3), gd.run_path("RMSprop", 0.05)])
    assert listed.axes[0].get_title() == "bowl"
    assert gd.draw_paths(gd.run_path()).axes[1].get_legend() is None  # one path: no legend


def test_drawing_rejects_bad_paths():
    bowl, valley = gd.run_path(steps=2), gd.run_path(surface="Rosenbrock", steps=2)
    with pytest.raises(ValueError, match="all paths must be on one surface"):
        gd.draw_paths([bowl, valley])
    with pytest.raises(ValueError, match="at least one path"):
        gd.draw_paths([])
    with pytest.raises(TypeError, match="GdPath objects"):
        gd.draw_paths([bowl, "path"])
    with pytest.raises(TypeError, match="paths must be a GdPath"):
        gd.draw_paths("bowl")


# --- the widget: how it stores numbers --------------------------------------------------------


def test_encode_writes_whole_numbers_as_short_text_and_decode_reads_them_back():
    values = [0, 1, -1, 15, 16, -16, 100, -5000, None, 3, 3, 2**31]
    text = gd.encode(values)
    assert gd.decode(text) == values
    assert gd.encode([0, 1, 0, -1]) == "0211"  # changes 0, +1, -1, -1 folded to 0, 2, 1, 1
    assert gd.encode([16]) == "W1" and gd.encode([None]) == "."  # 32 = 0 + 1·32: two characters
    assert set(text) <= set(gd._LAST + gd._MORE + gd._MISSING)
    smooth = gd.encode(list(range(0, 500, 7)))  # a smooth series: one character a number
    assert len(smooth) == len(range(0, 500, 7))


def test_simplify_keeps_the_corners_of_a_line_and_drops_what_lies_on_it():
    line = torch.tensor([[0.0, 0.0], [1.0, 0.001], [2.0, 0.0], [2.0, 1.0], [2.0, 2.0]])
    assert gd._simplify(line, 0.01) == [0, 2, 4]
    assert gd._simplify(line, 0.0001) == [0, 1, 2, 4]


def _decoded(text: str, surface: str) -> dict:
    """A stored path as the module reads it (readPath in js/gd_playground.js)."""
    loss, x, y, gap, *kept = text.split(" ")
    unit = gd._unit(gd.SURFACES[surface])
    xs = [None if v is None else v * unit for v in gd.decode(x)]
    ys = [None if v is None else v * unit for v in gd.decode(y)]
    steps = gd.decode(kept[0]) if kept else list(range(len(xs)))
    gaps = [None if v is None else 10 ** (v / 50) for v in gd.decode(gap)]
    return {"loss": float(loss), "xs": xs, "ys": ys, "gaps": gaps, "steps": steps}


@pytest.mark.parametrize("surface", list(gd.SURFACES))
def test_the_contour_lines_lie_on_their_levels(surface):
    s = gd.SURFACES[surface]
    unit, span = gd._unit(s), gd._span(s)
    levels = gd._levels(surface)
    lines = gd._contour_state(surface)
    assert {int(line.split(" ")[0]) for line in lines} >= set(range(len(levels) - 1))
    for line in lines:
        k, x, y = line.split(" ")
        points = torch.tensor(
            list(zip(gd.decode(x), gd.decode(y), strict=True)), dtype=torch.float64
        )
        p = (points * unit).requires_grad_(True)
        loss = s.loss(p)
        (grad,) = torch.autograd.grad(loss.sum(), p)
        # off the level by no more than the slope times how far a stored point may be moved
        allowed = grad.norm(dim=1) * 0.004 * span + 1e-9
        assert ((loss.detach() - levels[int(k)]).abs() <= allowed).all(), (surface, k)
    if surface == "bowl":  # the innermost level: a closed ellipse around the minimum
        _, x, y = lines[0].split(" ")
        xs, ys = gd.decode(x), gd.decode(y)
        assert (
            (xs[0], ys[0]) == (xs[-1], ys[-1]) and min(xs) < 0 < max(xs) and min(ys) < 0 < max(ys)
        )


# --- the widget: its state holds the paths, and it runs the ones it lacks -------------------


@pytest.fixture(scope="module")
def playground():
    return gd.GdPlayground()


def test_the_widget_holds_a_path_for_every_stored_setting(playground):
    assert isinstance(playground, BookWidget)
    surfaces = json.loads(playground.surfaces)
    assert list(surfaces) == list(gd.SURFACES)
    for name, state in surfaces.items():
        s = gd.SURFACES[name]
        assert state["view"] == [*s.xlim, *s.ylim] and state["start"] == list(s.start)
        assert state["steps"] == s.steps and state["unit"] == gd._unit(s)
        for optimizer in gd.OPTIMIZERS:
            assert state["lrs"][optimizer] == list(gd.STORED_LRS[name][optimizer])
            assert len(state["paths"][optimizer]) == len(state["lrs"][optimizer])
            assert all(isinstance(path, str) for path in state["paths"][optimizer])
        lr, momenta = gd.STORED_MOMENTA[name]
        assert state["momentum_lr"] == lr and state["momenta"] == list(momenta)
        assert len(state["momentum_paths"]) == len(momenta)
    assert (playground.surface, playground.optimizer, playground.lr) == ("bowl", "SGD", 0.3)
    assert playground.momentum == 0.9 and playground.start == [-4.5, 1.5]
    assert repr(playground) == (
        "<gradient-descent playground: interactive in JupyterLab and on the book's site>"
    )


def test_the_chapter_s_settings_are_stored():
    lrs = gd.STORED_LRS
    assert {0.05, 0.3, 0.45, 0.55} <= set(lrs["bowl"]["SGD"])
    assert 0.05 in lrs["bowl"]["SGD + momentum"] and 0.05 in lrs["bowl"]["RMSprop"]
    assert 0.3 in lrs["bowl"]["Adam"]
    assert 0.001 in lrs["Rosenbrock"]["SGD"] and 0.001 in lrs["Rosenbrock"]["SGD + momentum"]
    assert 0.1 in lrs["Rosenbrock"]["Adam"]
    for name in ("bowl", "Rosenbrock"):  # SGD's sliders end where it diverges
        for optimizer in ("SGD", "SGD + momentum"):
            fastest = gd.run_path(optimizer, max(lrs[name][optimizer]), surface=name)
            assert fastest.diverged, (name, optimizer)


@pytest.mark.parametrize(
    ("surface", "optimizer", "lr"),
    [("bowl", "SGD", 0.45), ("bowl", "Adam", 1.0), ("line", "SGD", 0.1), ("bowl", "SGD", 0.55)],
)
def test_a_stored_path_is_pytorch_s_path_to_a_third_of_a_pixel(playground, surface, optimizer, lr):
    state = json.loads(playground.surfaces)[surface]
    stored = _decoded(state["paths"][optimizer][state["lrs"][optimizer].index(lr)], surface)
    path = gd.run_path(optimizer, lr, surface=surface)
    unit = gd._unit(gd.SURFACES[surface])
    assert len(stored["xs"]) == len(path.points)  # a diverged path ends where it diverged
    for (x, y), sx, sy in zip(path.points, stored["xs"], stored["ys"], strict=True):
        if max(abs(x), abs(y)) < 10 * gd._span(gd.SURFACES[surface]):  # else: drawn at the edge
            assert abs(sx - x) <= unit / 2 + 1e-12 and abs(sy - y) <= unit / 2 + 1e-12
    best = gd._best(surface)
    for loss, gap in zip(path.losses, stored["gaps"], strict=True):
        if math.isfinite(loss) and loss - best > 1e-8:
            assert abs(math.log10(gap) - math.log10(loss - best)) <= 0.011
    assert stored["loss"] == pytest.approx(path.losses[-1], rel=1e-3) or path.diverged


def test_a_long_path_keeps_the_steps_its_line_needs(playground):
    state = json.loads(playground.surfaces)["Rosenbrock"]
    stored = _decoded(state["paths"]["Adam"][state["lrs"]["Adam"].index(0.1)], "Rosenbrock")
    path = gd.run_path("Adam", 0.1, surface="Rosenbrock")
    steps = stored["steps"]
    assert steps[0] == 0 and steps[-1] == 300 and len(steps) < 150  # simplified
    unit = gd._unit(gd.SURFACES["Rosenbrock"])
    xs = torch.tensor([p[0] for p in path.points])
    # between two kept steps the real path stays close to the stored line (here: in θ₁)
    ends = zip(steps, steps[1:], stored["xs"], stored["xs"][1:], strict=False)
    for a, b, xa, xb in ends:
        between = torch.linspace(xa, xb, b - a + 1, dtype=torch.float64)
        assert (xs[a : b + 1].double() - between).abs().max() <= 0.01 * 4 + unit


def test_the_state_is_small_enough_to_store_in_the_notebook(playground):
    numbers = {k: v for k, v in playground.get_state().items() if k not in ("_esm", "_css")}
    assert len(json.dumps(numbers)) < 40_000
    assert "export default" in playground._esm and "function askKernel" in playground._esm


def test_fast_mode_stores_only_the_paths_the_controls_start_at():
    state = gd._surface_state("bowl", every=False)
    kept = {o: [p is not None for p in paths] for o, paths in state["paths"].items()}
    assert kept["SGD"] == [lr == 0.3 for lr in gd.STORED_LRS["bowl"]["SGD"]]
    assert sum(sum(flags) for flags in kept.values()) == 4
    assert state["momentum_paths"] == [None, None]
    assert state["contours"] == gd._contour_state("bowl")


def test_settings_it_lacks_are_run_by_the_kernel_and_bad_ones_get_one_line(playground):
    sent = []
    playground.send = sent.append
    ask = {"surface": "bowl", "optimizer": "Adam", "lr": 0.2, "momentum": 0.9, "start": [2, -1]}
    playground._on_message(playground, {"ask": "1", **ask}, [])
    assert sent[-1]["answer"] == "1"
    answer = _decoded(sent[-1]["result"], "bowl")
    path = gd.run_path("Adam", 0.2, start=(2, -1))
    assert (answer["xs"][0], answer["ys"][0]) == pytest.approx((2, -1))
    assert answer["loss"] == pytest.approx(path.losses[-1], rel=1e-3)
    momentum = {
        **ask,
        "optimizer": "SGD + momentum",
        "lr": 0.05,
        "momentum": 0.73,
        "start": [-4.5, 1.5],
    }
    playground._on_message(playground, {"ask": "2", **momentum}, [])
    expected = gd.run_path("SGD + momentum", 0.05, momentum=0.73)
    assert _decoded(sent[-1]["result"], "bowl")["loss"] == pytest.approx(
        expected.losses[-1], rel=1e-3
    )
    for ask_id, bad, message in [
        ("3", {**ask, "lr": -1}, "lr must be > 0 and < inf, got -1"),
        ("4", {**ask, "optimizer": "Adagrad"}, "unknown optimizer 'Adagrad'"),
        ("5", {**ask, "momentum": 1.5}, "momentum must be >= 0 and < 1, got 1.5"),
        ("6", {**ask, "start": "here"}, "start must be two finite numbers"),
        ("7", {**ask, "surface": "moon"}, "unknown surface 'moon'"),
        ("8", {"lr": 0.1}, "a path needs lr, momentum, optimizer, start, surface; got lr"),
    ]:
        playground._on_message(playground, {"ask": ask_id, **bad}, [])
        assert sent[-1]["answer"] == ask_id and sent[-1]["error"].startswith(message)
    playground._on_message(playground, {"something": "else"}, [])  # not a question: ignored
    assert len(sent) == 8


def test_the_widget_starts_on_the_surface_and_optimizer_asked_for():
    widget = gd.show_gd_playground("line", "Adam")
    assert isinstance(widget, gd.GdPlayground)
    assert (widget.surface, widget.optimizer, widget.lr) == ("line", "Adam", 0.1)
    assert widget.start == list(gd.SURFACES["line"].start)
    with pytest.raises(ValueError, match="unknown optimizer"):
        gd.GdPlayground(optimizer="Nesterov")
    with pytest.raises(ValueError, match="unknown surface"):
        gd.GdPlayground(surface="moon")
