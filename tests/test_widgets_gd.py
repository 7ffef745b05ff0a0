"""The learning-rate explorer and the gradient-descent playground, driven without a browser."""

import math
from unittest import mock

import pytest
import torch
from matplotlib.figure import Figure

from pytorch_lessons.widgets import gd_playground as gd
from pytorch_lessons.widgets import lr_explorer as lr
from pytorch_lessons.widgets.static import PrecomputedSlider

PNG = b"\x89PNG\r\n\x1a\n"


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


def test_the_default_fallback_covers_the_preset_grid():
    assert len(gd.PRESETS) == 6
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


def test_fast_rendering_matches_a_full_redraw():
    playground = gd.GdFigure("bowl")
    for paths in (gd.run_path("SGD", 0.3), [gd.run_path("SGD", 0.55), gd.run_path("Adam", 0.3)]):
        playground.draw(paths)
        fast, full = _pixels(playground.png()), _pixels(lr.render_png(playground.figure))
        differs = abs(fast - full).sum(axis=-1) > 30
        assert differs.mean() < 0.01 and _in_box(differs, playground.title).mean() < 0.05
