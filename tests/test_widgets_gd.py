"""The learning-rate explorer and the gradient-descent playground, driven without a browser."""

import math
from unittest import mock

import pytest
import torch
from matplotlib.figure import Figure

from pytorch_lessons.widgets import PrecomputedSlider
from pytorch_lessons.widgets import gd_playground as gd
from pytorch_lessons.widgets import lr_explorer as lr

PNG = b"\x89PNG\r\n\x1a\n"


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_visible()]


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


# --- learning-rate explorer: the picture -----------------------------------------------------


def test_the_picture_shows_the_fit_or_says_diverged():
    picture = lr.LrFigure()
    good = lr.train_line(0.2)
    picture.draw(good)
    assert "diverged" not in _texts(picture.figure)
    xs, ys = picture.fit_line.get_data()
    assert list(ys) == pytest.approx([good.w * v + good.b for v in xs])
    assert picture.title.get_text() == f"lr = 0.2: {good.status()}"
    assert picture.legend.get_texts()[1].get_text() == f"fit: {good.w:.2f} x + {good.b:.2f}"
    assert len(picture.loss_line.get_xdata()) == len(good.losses)

    picture.draw(lr.train_line(5.0))  # redrawn in place: the same figure says diverged twice
    assert _texts(picture.figure).count("diverged") == 2
    assert len(picture.fit_line.get_xdata()) == 0
    assert picture.legend.get_texts()[1].get_text() == "fit: none"
    assert picture.title.get_text().startswith("lr = 5: diverged at step")

    picture.draw(good)  # and recovers
    assert "diverged" not in _texts(picture.figure)


def test_axis_limits_do_not_depend_on_the_learning_rate():
    a, b = lr.draw_lr_run(lr.train_line(0.01)), lr.draw_lr_run(lr.train_line(3.0))
    for ax_a, ax_b in zip(a.axes, b.axes, strict=True):
        assert ax_a.get_xlim() == ax_b.get_xlim() and ax_a.get_ylim() == ax_b.get_ylim()


def test_drawing_rejects_what_is_not_a_run():
    with pytest.raises(TypeError, match="run must be an LrRun"):
        lr.draw_lr_run({"lr": 0.1})
    with pytest.raises(TypeError, match="run must be an LrRun"):
        lr.LrFigure().draw(None)


def test_render_png_gives_png_bytes_for_any_figure():
    assert lr.render_png(lr.draw_lr_run(lr.train_line(0.1))).startswith(PNG)
    bare = Figure(figsize=(1, 1), dpi=20)  # a figure with no Agg canvas yet
    bare.add_subplot().plot([0, 1])
    assert lr.render_png(bare).startswith(PNG)


def test_plot_fit_draws_points_curves_and_validation():
    x = torch.linspace(-1, 1, 10).unsqueeze(1)
    grid = torch.linspace(-1, 1, 5)
    fig = lr.plot_fit(
        x, 2 * x, {"a": (grid, grid), "b": (grid, -grid)}, x[:3, 0], x[:3, 0], "t", ylim=(-3, 3)
    )
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert len(ax.collections) == 2  # training and validation points
    assert ax.get_title() == "t" and ax.get_ylim() == (-3, 3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation", "a", "b"]
    plain = lr.plot_fit(x, x)
    assert [t.get_text() for t in plain.axes[0].get_legend().get_texts()] == ["data"]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([1.0], torch.zeros(1)), {}, TypeError, "x must be a tensor"),
        (
            (torch.zeros(3, 2), torch.zeros(3)),
            {},
            ValueError,
            r"x must have shape \(n,\) or \(n, 1\)",
        ),
        ((torch.zeros(3), torch.zeros(4)), {}, ValueError, "the same number"),
        ((torch.zeros(3), torch.zeros(3)), {"x_valid": torch.zeros(2)}, ValueError, "give both"),
        (
            (torch.zeros(3), torch.zeros(3)),
            {"x_valid": torch.zeros(2), "y_valid": torch.zeros(3)},
            ValueError,
            "differ in length",
        ),
        (
            (torch.zeros(3), torch.zeros(3)),
            {"curves": {"c": (torch.zeros(2), torch.zeros(5))}},
            ValueError,
            "curve 'c' has 2 x values but 5 y values",
        ),
    ],
)
def test_plot_fit_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        lr.plot_fit(*args, **kwargs)


# --- learning-rate explorer: the widget and its static fallback ------------------------------


def test_moving_the_slider_retrains_and_redraws():
    explorer = lr.LrExplorer(lr=0.05)
    first = bytes(explorer.image.value)
    assert first.startswith(PNG) and explorer.run.lr == 0.05
    explorer.slider.value = 0.5  # what a student does in JupyterLab
    assert explorer.run.lr == pytest.approx(0.5) and bytes(explorer.image.value) != first
    explorer.slider.value = 3.0  # the slider's maximum: diverges, shows it, does not crash
    assert explorer.run.diverged and "diverged" in _texts(explorer.figure)
    assert repr(explorer.widget) == "<live learning-rate explorer: move the controls in JupyterLab>"
    assert explorer.widget.explorer is explorer


def test_explorer_rejects_bad_settings():
    with pytest.raises(ValueError, match="lr must be"):
        lr.LrExplorer(lr=-1.0)
    with pytest.raises(ValueError, match="steps must be"):
        lr.LrExplorer(steps=0)


def test_fallback_has_one_frame_per_learning_rate():
    frames = lr.lr_frames((0.01, 0.05, 100.0), steps=10)
    assert [label for label, _ in frames] == ["0.01", "0.05", "100"]
    assert "diverged" in _texts(frames[2][1]) and "diverged" not in _texts(frames[0][1])
    slider = lr.lr_fallback((0.001, 0.06, 2.0), steps=10)
    assert isinstance(slider, PrecomputedSlider) and slider.frames == 3
    assert 'value="1"' in slider.html  # starts at the rate closest to 0.05
    with pytest.raises(ValueError, match="at least one learning rate"):
        lr.lr_frames(())


def test_show_lr_explorer_displays_the_live_widget_then_the_fallback():
    with mock.patch("IPython.display.display") as display:
        assert lr.show_lr_explorer(lrs=(0.1, 2.0), steps=10) is None
    (live,), (static,) = (c.args for c in display.call_args_list)
    assert isinstance(live.explorer, lr.LrExplorer) and live.explorer.steps == 10
    assert isinstance(static, PrecomputedSlider) and static.frames == 2


def test_fast_mode_shows_only_the_live_widgets(monkeypatch):
    monkeypatch.setenv("PYTORCH_LESSONS_FAST", "1")
    with mock.patch("IPython.display.display") as display:
        lr.show_lr_explorer(lrs=(0.1, 2.0), steps=10)
        gd.show_gd_playground()
    shown = [c.args[0] for c in display.call_args_list]
    assert [
        type(obj.explorer if hasattr(obj, "explorer") else obj.playground) for obj in shown
    ] == [
        lr.LrExplorer,
        gd.GdPlayground,
    ]


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
    picture = gd.GdFigure("bowl")
    path = gd.run_path("SGD", 0.3)
    picture.draw(path)
    lines = picture.ax_map.get_lines()
    trajectory = next(line for line in lines if line.get_label() == path.label)
    assert len(trajectory.get_xdata()) == len(path.points)
    assert picture.title.get_text() == "bowl: SGD, lr 0.3"
    assert "diverged" not in _texts(picture.figure)
    before = len(lines)
    picture.draw(gd.run_path("SGD", 0.55))  # redrawn in place: old path gone, no end marker
    assert len(picture.ax_map.get_lines()) == before - 1
    assert _texts(picture.figure) == ["diverged", "diverged"]


def test_several_paths_share_one_picture_with_a_legend():
    paths = {"plain": gd.run_path("SGD", 0.05), "fast": gd.run_path("SGD", 0.55)}
    fig = gd.draw_paths(paths, title="compare")
    ax_map, ax_loss = fig.axes
    assert ax_map.get_title() == "compare"
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == ["plain", "fast"]
    assert "diverged: fast" in _texts(fig)
    listed = gd.draw_paths([gd.run_path("Adam", 0.3), gd.run_path("RMSprop", 0.05)])
    assert listed.axes[0].get_title() == "bowl"
    picture = gd.GdFigure("bowl")
    picture.draw(paths)
    picture.draw(gd.run_path())  # back to one path: the legend goes
    assert picture.ax_loss.get_legend() is None


def test_drawing_rejects_bad_paths():
    bowl, valley = gd.run_path(steps=2), gd.run_path(surface="Rosenbrock", steps=2)
    with pytest.raises(ValueError, match="all paths must be on one surface"):
        gd.draw_paths([bowl, valley])
    with pytest.raises(ValueError, match="cannot be drawn on 'bowl'"):
        gd.GdFigure("bowl").draw(valley)
    with pytest.raises(ValueError, match="at least one path"):
        gd.draw_paths([])
    with pytest.raises(TypeError, match="GdPath objects"):
        gd.draw_paths([bowl, "path"])
    with pytest.raises(TypeError, match="paths must be a GdPath"):
        gd.draw_paths("bowl")
    with pytest.raises(ValueError, match="unknown surface"):
        gd.GdFigure("moon")


# --- gradient-descent playground: the widget and its static fallback -------------------------


def test_the_controls_rerun_and_redraw():
    playground = gd.GdPlayground()
    first = bytes(playground.image.value)
    assert first.startswith(PNG) and playground.path.optimizer == "SGD"
    assert playground.momentum.disabled
    playground.optimizer.value = "SGD + momentum"
    assert playground.path.optimizer == "SGD + momentum" and not playground.momentum.disabled
    assert bytes(playground.image.value) != first
    playground.momentum.value = 0.5
    assert playground.path.momentum == 0.5
    playground.start_x.value = 3.0
    assert playground.path.points[0] == (3.0, 1.5)
    playground.lr.value = 3.0  # far too large: diverges, shows it, does not crash
    assert playground.path.diverged and "diverged" in _texts(playground.picture.figure)
    assert repr(playground.widget) == (
        "<live gradient-descent playground: move the controls in JupyterLab>"
    )


def test_a_new_surface_brings_its_own_view_start_and_learning_rate():
    playground = gd.GdPlayground()
    with mock.patch.object(playground, "update", wraps=playground.update) as update:
        playground.surface.value = "Rosenbrock"
    assert update.call_count == 1  # one rerun, not one per slider it resets
    valley = gd.SURFACES["Rosenbrock"]
    assert (playground.start_x.min, playground.start_x.max) == valley.xlim
    assert (playground.start_y.min, playground.start_y.max) == valley.ylim
    assert playground.path.surface == "Rosenbrock" and playground.path.points[0] == valley.start
    assert playground.lr.value == pytest.approx(valley.lr)
    assert playground.picture.surface is valley


def test_playground_rejects_bad_settings():
    with pytest.raises(ValueError, match="unknown optimizer"):
        gd.GdPlayground(optimizer="Nesterov")
    with pytest.raises(ValueError, match="unknown surface"):
        gd.GdPlayground(surface="moon")


def test_gd_fallback_and_display():
    presets = gd.PRESETS[:2]
    slider = gd.gd_fallback(presets)
    assert slider.frames == 2 and presets[0][0] in slider.html
    with pytest.raises(ValueError, match="at least one"):
        gd.gd_fallback(())
    with (
        mock.patch("IPython.display.display") as display,
        mock.patch.object(gd, "PRESETS", presets),
        mock.patch.object(gd.gd_fallback, "__defaults__", (presets,)),
    ):
        assert gd.show_gd_playground("line", "Adam") is None
    (live,), (static,) = (c.args for c in display.call_args_list)
    assert live.playground.path.surface == "line" and live.playground.path.optimizer == "Adam"
    assert isinstance(static, PrecomputedSlider) and static.frames == 2


def test_the_default_fallbacks_cover_the_preset_grids():
    assert len(lr.DEFAULT_LRS) == 7 and len(gd.PRESETS) == 6
    runs = [lr.train_line(v) for v in lr.DEFAULT_LRS]
    assert runs[0].final_loss > 3 * runs[3].final_loss  # too small
    assert not any(r.growing for r in runs[:5]) and runs[5].growing and runs[6].diverged
    paths = [gd.run_path(**kwargs) for _, kwargs in gd.PRESETS]
    assert [p.diverged for p in paths] == [False, False, True, False, False, False]


# --- speed without changing the numbers or the picture ----------------------------------------


def _pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _in_box(image, artist):
    """The part of ``image`` (rows from the top) under ``artist``'s bounding box."""
    box = artist.get_window_extent()
    height = image.shape[0]
    return image[int(height - box.y1) : int(height - box.y0) + 1, int(box.x0) : int(box.x1) + 1]


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


def test_fast_rendering_matches_a_full_redraw():
    picture = lr.LrFigure()
    for rate in (0.05, 2.0, 0.3):  # the second and third reuse the saved background
        picture.draw(lr.train_line(rate))
        fast, full = _pixels(picture.png()), _pixels(lr.render_png(picture.figure))
        assert fast.shape == full.shape == (256, 640, 3)
        differs = abs(fast - full).sum(axis=-1) > 30
        assert differs.mean() < 0.01  # only where lines cross spines
        assert _in_box(differs, picture.title).mean() < 0.05  # the title is redrawn in its place
    playground = gd.GdFigure("bowl")
    for paths in (gd.run_path("SGD", 0.3), [gd.run_path("SGD", 0.55), gd.run_path("Adam", 0.3)]):
        playground.draw(paths)
        fast, full = _pixels(playground.png()), _pixels(lr.render_png(playground.figure))
        differs = abs(fast - full).sum(axis=-1) > 30
        assert differs.mean() < 0.01 and _in_box(differs, playground.title).mean() < 0.05


def test_fast_rendering_starts_over_when_the_axes_change():
    picture = lr.LrFigure()
    picture.draw(lr.train_line(0.05))
    picture.png()
    background = picture._renderer._background
    picture.png()
    assert picture._renderer._background is background  # reused
    picture.figure.axes[1].set_xlim(-5, 5)
    picture.png()
    assert picture._renderer._background is not background  # redrawn in full
