import math

import pytest
import torch
from matplotlib.figure import Figure

from pytorch_lessons.plot import (
    LiveLossPlot,
    image_grid,
    plot_fit,
    plot_losses,
    show_broadcast,
    show_digits,
    show_feature_maps,
    show_filters,
)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_plot_losses_draws_train_and_validation_from_a_history():
    history = {"train": [1.0, 0.5, 0.25], "validation": [1.1, 0.6, 0.4]}
    fig = plot_losses(history, log=True)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["train", "validation"]
    assert list(ax.get_lines()[0].get_ydata()) == [1.0, 0.5, 0.25]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_plot_losses_marks_divergence_instead_of_plotting_nan():
    fig = plot_losses({"lr=10": [1.0, 100.0, math.inf, math.nan]})
    ydata = fig.axes[0].get_lines()[0].get_ydata()
    assert ydata[1] == 100.0 and math.isnan(ydata[2])
    assert " diverged" in _texts(fig)


@pytest.mark.parametrize(
    ("history", "error", "message"),
    [
        ({}, ValueError, "every loss curve is empty"),
        ({"train": []}, ValueError, "every loss curve is empty"),
        ([1.0, 2.0], TypeError, "history must be a dict of name -> list of losses"),
        ({"train": ["a"]}, TypeError, "must hold numbers"),
    ],
)
def test_plot_losses_rejects_bad_histories(history, error, message):
    with pytest.raises(error, match=message):
        plot_losses(history)


def test_live_loss_plot_accumulates_points_and_draws_once_closed():
    live = LiveLossPlot(interval=1000)
    live.update(train=1.0)
    live.update(train=0.5, validation=0.7)
    assert live.curves == {"train": [1.0, 0.5], "validation": [0.7]}
    assert live.close() is None  # a cell ending in live.close() shows the plot once, not twice
    assert len(live.figure.axes[0].get_lines()) == 2
    live.update({"train": [3.0, 2.0]})
    assert live.curves == {"train": [3.0, 2.0]}


def test_live_loss_plot_puts_points_at_the_steps_given():
    live = LiveLossPlot(interval=1000, xlabel="step")
    for step in (2, 4, 6):
        live.update(step=step, train=1.0 / step)
    live.close()
    (line,) = live.figure.axes[0].get_lines()
    assert list(line.get_xdata()) == [2.0, 4.0, 6.0]
    assert live.figure.axes[0].get_xlabel() == "step"


def test_live_loss_plot_rejects_a_negative_interval():
    with pytest.raises(ValueError, match="interval must be a number >= 0"):
        LiveLossPlot(interval=-1)


def test_live_loss_plot_displays_and_updates_in_ipython(monkeypatch):
    import IPython
    import IPython.display
    import matplotlib.pyplot as plt

    plt.switch_backend("Agg")  # now: pyplot's first figure would consult the fake IPython below

    class Handle:
        updates = 0

        def update(self, obj):
            Handle.updates += 1

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(
        IPython.display, "display", lambda obj, display_id: shown.append(obj) or Handle()
    )
    live = LiveLossPlot(interval=0)
    # its place is taken at once, before any point, so that later output goes below it -- by a
    # line of text: drawing an empty plot would cost as much as drawing a full one
    assert len(shown) == 1 and "loss plot appears here" in shown[0].data
    live.update(train=1.0)
    live.update(train=0.5)
    assert len(shown) == 1 and Handle.updates == 2  # then drawn in its place
    live.close()
    assert Handle.updates == 3


def test_show_digits_titles_and_marks_wrong_predictions_red():
    images = torch.rand(5, 1, 28, 28)
    fig = show_digits(images, labels=[1, 2, 3, 4, 5], predictions=[1, 2, 0, 4, 5], ncols=3)
    (ax,) = fig.axes  # one picture, not one axes per digit: ten times faster to draw
    assert _texts(fig) == ["1→1", "2→2", "3→0", "4→4", "5→5"]
    assert [t.get_color() for t in ax.texts] == ["black", "black", "red", "black", "black"]


def test_show_digits_labels_only():
    fig = show_digits(torch.rand(2, 28, 28), labels=torch.tensor([7, 1]))
    assert _texts(fig) == ["7", "1"]


def test_image_grid_pastes_each_image_on_its_own_grey_scale_in_reading_order():
    images = torch.zeros(5, 4, 3)
    for k in range(5):
        images[k, k % 4, 0] = 10.0 * (k + 1)  # one bright pixel, at a different row in each
    fig = image_grid(images, ncols=3)
    canvas = fig.axes[0].images[0].get_array()
    gap = 1  # height 4 / 14, at least 1
    assert canvas.shape == (2 * (4 + gap) + gap, 3 * (3 + gap) + gap)
    for k in range(5):
        row, col = divmod(k, 3)
        top, left = gap + row * (4 + gap), gap + col * (3 + gap)
        cell = canvas[top : top + 4, left : left + 3]
        assert cell.max() == 1.0 and cell[k % 4, 0] == 1.0 and cell.sum() == 1.0
    assert canvas[top + 4 :, :].min() == 1.0  # white gaps around and below the images
    assert len(fig.axes[0].texts) == 0  # no titles asked for


def test_image_grid_leaves_room_for_titles_of_several_lines():
    one = image_grid(torch.rand(2, 28, 28), ["a", "b"]).axes[0].images[0].get_array()
    two = image_grid(torch.rand(2, 28, 28), ["a\nb", "c"]).axes[0].images[0].get_array()
    plain = image_grid(torch.rand(2, 28, 28)).axes[0].images[0].get_array()
    assert plain.shape[0] < one.shape[0] < two.shape[0]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((torch.rand(0, 28, 28),), {}, ValueError, "images must have shape"),
        ((torch.rand(28, 28),), {}, ValueError, "images must have shape"),
        (([[0.0]],), {}, TypeError, "images must be a tensor"),
        (
            (torch.rand(2, 28, 28),),
            {"labels": [1]},
            ValueError,
            "labels has 1 entries but there are 2 images",
        ),
        ((torch.rand(2, 28, 28),), {"ncols": 0}, ValueError, "ncols must be a positive int"),
    ],
)
def test_show_digits_rejects_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        show_digits(*args, **kwargs)


def test_show_broadcast_draws_real_and_stretched_cells():
    fig = show_broadcast(torch.tensor([[0], [10]]), torch.tensor([1, 2, 3]))
    a_panel, b_panel, result_panel = fig.axes
    assert a_panel.get_title() == "a (2, 1)" and result_panel.get_title() == "a + b (2, 3)"
    assert [t.get_text() for t in result_panel.texts] == ["1", "2", "3", "11", "12", "13"]
    colours = {p.get_facecolor() for p in a_panel.patches}
    assert len(colours) == 2  # real cells and stretched cells differ
    assert len(b_panel.patches) == 6


@pytest.mark.parametrize(
    ("a", "b", "op", "message"),
    [
        (torch.zeros(2, 3), torch.zeros(2), "+", "do not broadcast"),
        (torch.zeros(2, 2, 2), torch.zeros(2), "+", "at most 2 dimensions"),
        (torch.zeros(2), torch.zeros(2), "/", "op must be one of"),
    ],
)
def test_show_broadcast_rejects_bad_input(a, b, op, message):
    with pytest.raises(ValueError, match=message):
        show_broadcast(a, b, op)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((torch.rand(2, 1, 4, 4),), {}, r"shape \(N, H, W\) with N > 0, got \(2, 1, 4, 4\)"),
        (([[0.0]],), {}, "got list"),
        ((torch.rand(2, 4, 4), ["a"]), {}, "titles has 1 entries but there are 2 images"),
        ((torch.rand(2, 4, 4), None, ["red"]), {}, "colors has 1 entries"),
        ((torch.rand(2, 4, 4),), {"ncols": 0}, "ncols must be a positive int"),
    ],
)
def test_image_grid_rejects_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        image_grid(*args, **kwargs)


def test_image_grid_makes_room_for_an_overall_title():
    images = torch.rand(3, 28, 28)
    plain = image_grid(images).axes[0]
    titled = image_grid(images, title="three digits").axes[0]
    assert [t.get_text() for t in titled.texts] == ["three digits"]
    assert titled.images[0].get_array().shape[0] > plain.images[0].get_array().shape[0]


def test_plot_fit_draws_points_curves_and_validation():
    x = torch.linspace(-1, 1, 10).unsqueeze(1)
    grid = torch.linspace(-1, 1, 5)
    fig = plot_fit(
        x, 2 * x, {"a": (grid, grid), "b": (grid, -grid)}, x[:3, 0], x[:3, 0], "t", ylim=(-3, 3)
    )
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert len(ax.collections) == 2  # training and validation points
    assert ax.get_title() == "t" and ax.get_ylim() == (-3, 3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation", "a", "b"]
    plain = plot_fit(x, x)
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
        plot_fit(*args, **kwargs)


def test_show_filters_and_feature_maps():
    weight = torch.randn(6, 2, 3, 3)
    fig = show_filters(weight, ncols=4)
    assert sum(1 for ax in fig.axes if ax.images) == 6
    assert fig._suptitle.get_text() == "6 filters, (3, 3)"
    maps = show_feature_maps(torch.rand(1, 3, 5, 5), titles=["a", "b", "c"], title="maps")
    assert [t.get_text() for t in maps.axes[0].texts] == ["maps", "a", "b", "c"]
    default = show_feature_maps(torch.rand(2, 4, 4)).axes[0].texts
    assert [t.get_text() for t in default] == ["2 feature maps, (4, 4)", "0", "1"]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: show_filters([1]), TypeError, "weight must be a tensor"),
        (lambda: show_filters(torch.zeros(3, 3, 3)), ValueError, "out_channels"),
        (lambda: show_filters(torch.zeros(2, 1, 3, 3), ncols=0), ValueError, "ncols"),
        (lambda: show_feature_maps("x"), TypeError, "maps must be a tensor"),
        (lambda: show_feature_maps(torch.zeros(2, 2, 3, 3)), ValueError, r"\(C, H, W\)"),
        (lambda: show_feature_maps(torch.zeros(2, 3, 3), ncols=True), ValueError, "ncols"),
        (lambda: show_feature_maps(torch.zeros(2, 3, 3), titles=["a"]), ValueError, "titles"),
    ],
)
def test_filter_and_map_pictures_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_plot_confusion_writes_the_counts():
    from pytorch_lessons.plot import plot_confusion

    fig = plot_confusion(torch.tensor([[5, 1], [0, 7]]))
    assert isinstance(fig, Figure)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["1", "5", "7"]  # no "0" written
    assert fig.axes[0].get_xlabel() == "predicted class"
    with pytest.raises(ValueError, match="square"):
        plot_confusion(torch.zeros(2, 3))


def test_show_misclassified_gallery_most_confident_first():
    from pytorch_lessons.plot import show_misclassified

    images = torch.rand(4, 1, 6, 6)
    probabilities = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    labels = torch.tensor([0, 0, 1, 1])
    fig = show_misclassified(images, labels, probabilities, count=5, ncols=1)
    assert _texts(fig) == ["0→1 (80%)\np(0) = 20%", "1→0 (60%)\np(1) = 40%"]
    assert _texts(show_misclassified(images, labels, probabilities, count=1)) == [
        "0→1 (80%)\np(0) = 20%"
    ]
    with pytest.raises(ValueError, match="no misclassified"):
        show_misclassified(images, probabilities.argmax(1), probabilities)
    with pytest.raises(ValueError, match="count"):
        show_misclassified(images, labels, probabilities, count=0)
    with pytest.raises(ValueError, match="one row per image"):
        show_misclassified(images, labels, probabilities[:2])


def test_figures_carry_their_description_into_the_notebook_output():
    """What a notebook stores with each picture: its alt text and title (the site's fallback
    when the code cell gives no ``alt``), while the inline backend still draws the PNG."""
    from IPython.core.formatters import DisplayFormatter

    losses = plot_losses({"train": [1.0, 0.5], "validation": [1.2, math.inf]}, log=True)
    _, metadata = DisplayFormatter().format(losses)
    assert metadata["image/png"] == {
        "alt": "Line plot titled Loss: the loss on a log scale against epoch for train (from 1 "
        "to 0.5) and validation (diverged).",
        "title": "Loss",
    }
    digits = show_digits(torch.zeros(3, 28, 28), [7, 2, 1], [7, 2, 4])
    _, metadata = DisplayFormatter().format(digits)
    assert metadata["image/png"]["alt"] == (
        "3 hand-written digits, white on black, each titled with its label → prediction: "
        "7→7, 2→2 and 1→4."
    )
    maps = show_feature_maps(torch.rand(2, 4, 4), title="first block")
    assert DisplayFormatter().format(maps)[1]["image/png"]["title"] == "first block"
    import pickle

    assert pickle.loads(pickle.dumps(losses))._repr_mimebundle_()[1] == metadata_of(losses)


def metadata_of(fig: Figure) -> dict:
    from IPython.core.formatters import DisplayFormatter

    return DisplayFormatter().format(fig)[1]


def test_graph_and_path_pictures_describe_themselves_too():
    from pytorch_lessons.graph import draw_graph
    from pytorch_lessons.widgets.gd_playground import draw_paths, run_path

    x = torch.ones(2, requires_grad=True)
    graph = metadata_of(draw_graph((x * 3).sum(), names={"x": x}, title="sum of 3x"))["image/png"]
    assert graph["title"] == "sum of 3x"
    assert graph["alt"] == (
        "Computation graph titled sum of 3x: from the leaves x (2) through MulBackward0, "
        "SumBackward0 to output scalar."
    )
    paths = metadata_of(draw_paths({"slow": run_path("SGD", 0.05, steps=5)}))["image/png"]
    assert "the path of slow (ends at (" in paths["alt"] and "log scale" in paths["alt"]
