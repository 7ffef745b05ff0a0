"""The convolution explorer and the prediction explorer: their computations, pictures and widgets."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

from pytorch_lessons.widgets import conv_explorer as ce
from pytorch_lessons.widgets import prediction_explorer as pe

IMAGE = torch.arange(36, dtype=torch.float32).reshape(6, 6) / 35


# -- convolution explorer: computation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "expected"),
    [(28, 3, 1, 0, 26), (28, 3, 1, 1, 28), (28, 5, 2, 2, 14), (7, 2, 2, 0, 3), (3, 5, 1, 1, 1)],
)
def test_output_size_matches_conv2d(n, k, s, p, expected):
    assert ce.output_size(n, k, s, p) == expected
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p)
    assert out.shape[-1] == expected


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((5, 7, 1, 0), ValueError, "does not fit"),
        ((0, 3), ValueError, "n must be >= 1"),
        ((5, 3, 0), ValueError, "stride must be >= 1"),
        ((5, 3, 1, -1), ValueError, "padding must be >= 0"),
        ((5.0, 3), TypeError, "n must be an int"),
        ((5, True), TypeError, "k must be an int"),
    ],
)
def test_output_size_rejects_bad_sizes(args, error, match):
    with pytest.raises(error, match=match):
        ce.output_size(*args)


def test_size_formula_shows_the_numbers():
    assert ce.size_formula(28, 3, 1, 1) == "⌊(28 + 2·1 − 3)/1⌋ + 1 = 28"
    assert ce.size_formula(28, 5, 2, 0).endswith("= 12")


def test_preset_kernels():
    assert set(ce.KERNELS) >= {"identity", "box blur", "sharpen", "edges (Laplacian)"}
    for name in ce.KERNELS:
        assert ce.kernel(name).shape == (3, 3)
    assert ce.kernel("box blur").sum().item() == pytest.approx(1.0)
    assert ce.kernel("sharpen").sum().item() == pytest.approx(1.0)
    assert ce.kernel("edges (Laplacian)").sum().item() == pytest.approx(0.0)
    with pytest.raises(ValueError, match="unknown kernel 'blurry'"):
        ce.kernel("blurry")


def test_parse_kernel():
    sobel = ce.parse_kernel("1 0 -1; 2 0 -2; 1 0 -1")
    assert torch.equal(sobel, torch.tensor([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]))
    assert torch.allclose(ce.parse_kernel("1/9,1/9\n1/9, 1/9"), torch.full((2, 2), 1 / 9))
    assert ce.parse_kernel("2.5").shape == (1, 1)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        (" ; ", "empty"),
        ("1 2; 3", "same number of values"),
        ("1 x 3", "'x' in the kernel is not a number"),
        ("1/0", "not a number"),
        ("inf 1", "not a finite number"),
        ("; ".join(["1 " * 8] * 8), "at most 7×7"),
    ],
)
def test_parse_kernel_rejects_bad_text(text, match):
    with pytest.raises(ValueError, match=match):
        ce.parse_kernel(text)


def test_parse_kernel_wants_text():
    with pytest.raises(TypeError, match="string"):
        ce.parse_kernel([[1, 0]])


def test_apply_kernel_is_cross_correlation_like_conv2d():
    weights = torch.tensor([[1.0, 0.0], [0.0, -1.0]])
    result = ce.apply_kernel(IMAGE, weights, stride=2, padding=1)
    expected = F.conv2d(IMAGE[None, None], weights[None, None], stride=2, padding=1)[0, 0]
    assert torch.equal(result.output, expected)
    assert result.output.shape == (4, 4)
    assert result.formula == "⌊(6 + 2·1 − 2)/2⌋ + 1 = 4"
    # identity keeps the image; a batch-shaped image is accepted
    same = ce.apply_kernel(IMAGE[None, None], "identity", padding=1)
    assert torch.allclose(same.output, IMAGE)
    typed = ce.apply_kernel(IMAGE, "0 0 0; 0 2 0; 0 0 0", padding=1)
    assert torch.allclose(typed.output, 2 * IMAGE)


def test_apply_kernel_formula_for_rectangles():
    result = ce.apply_kernel(torch.zeros(6, 8), torch.ones(1, 3))
    assert result.output.shape == (6, 6)
    assert result.formula.startswith("height ⌊(6 + 2·0 − 1)/1⌋ + 1 = 6; width")


@pytest.mark.parametrize(
    ("image", "kernel", "error", "match"),
    [
        ([[1.0]], "identity", TypeError, "image must be a tensor"),
        (torch.zeros(2, 3, 3), "identity", ValueError, "one grey-scale picture"),
        (torch.zeros(0, 4), "identity", ValueError, "one grey-scale picture"),
        (IMAGE, 3, TypeError, "kernel must be a preset name"),
        (IMAGE, torch.ones(3), ValueError, "kernel must be a 2-D tensor"),
        (torch.zeros(2, 2), "identity", ValueError, "does not fit"),
    ],
)
def test_apply_kernel_rejects_bad_input(image, kernel, error, match):
    with pytest.raises(error, match=match):
        ce.apply_kernel(image, kernel)


# -- convolution explorer: pictures and widget --------------------------------------------------


def test_draw_conv_shows_three_panels_and_the_formula():
    fig = ce.draw_conv(ce.apply_kernel(IMAGE, "sharpen", stride=1, padding=2))
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["input (6, 6), padding 2", "kernel 3×3, stride 1", "feature map (8, 8)"]
    assert fig._suptitle.get_text() == "output size: ⌊(6 + 2·2 − 3)/1⌋ + 1 = 8"
    assert len(fig.axes[1].texts) == 9  # the kernel's numbers
    big = ce.draw_conv(ce.apply_kernel(torch.zeros(10, 10), torch.ones(6, 6)))
    assert len(big.axes[1].texts) == 0  # too many numbers to print
    with pytest.raises(TypeError, match="ConvResult"):
        ce.draw_conv("sharpen")


def test_render_png():
    png = ce.render_png(ce.draw_conv(ce.apply_kernel(IMAGE, "identity")))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_conv_explorer_update_and_errors():
    explorer = ce.ConvExplorer(IMAGE, "identity")
    assert explorer.result is not None and explorer.error is None
    first_png = explorer.image_view.value
    assert first_png[:4] == b"\x89PNG"
    result = explorer.update("box blur", 2, 1)
    assert result.output.shape == (3, 3)
    assert "= 3" in explorer.message.value
    assert explorer.image_view.value != first_png
    # the controls drive the same update
    explorer.stride.value = 3
    assert explorer.result.stride == 3 and explorer.result.output.shape == (2, 2)
    explorer.preset.value = ce.CUSTOM
    explorer.text.value = "1 1; 1 1"
    assert explorer.result.kernel.shape == (2, 2)
    # a bad kernel shows its error and keeps the last picture
    picture = explorer.image_view.value
    explorer.text.value = "1 2; 3"
    assert explorer.error is not None and "same number of values" in explorer.message.value
    assert explorer.image_view.value == picture
    assert explorer.update(torch.ones(9, 9), 1, 0) is None
    assert "does not fit" in explorer.error
    assert repr(explorer.widget).startswith("<live convolution explorer")
    assert explorer.widget.explorer is explorer


def test_conv_explorer_rejects_an_unknown_preset():
    with pytest.raises(ValueError, match="unknown kernel"):
        ce.ConvExplorer(IMAGE, "nope")


def test_conv_fallback_and_frames():
    frames = ce.conv_frames(IMAGE, ["identity", "sharpen"])
    assert [name for name, _ in frames] == ["identity", "sharpen"]
    slider = ce.conv_fallback(IMAGE, ["identity", "emboss"], stride=2, padding=0)
    assert slider.frames == 2 and slider.label == "kernel"
    assert "stride 2, padding 0" in slider.html
    with pytest.raises(ValueError, match="at least one"):
        ce.conv_frames(IMAGE, [])


def test_conv_explorer_displays_live_widget_then_fallback(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    ce.show_conv_explorer(IMAGE, names=["identity", "sharpen"])
    assert repr(shown[0]).startswith("<live convolution explorer")
    assert repr(shown[1]) == "<PrecomputedSlider: kernel, 2 frames>"


def test_show_filters_and_feature_maps():
    weight = torch.randn(6, 2, 3, 3)
    fig = ce.show_filters(weight, ncols=4)
    assert sum(1 for ax in fig.axes if ax.images) == 6
    assert fig._suptitle.get_text() == "6 filters, (3, 3)"
    maps = ce.show_feature_maps(torch.rand(1, 3, 5, 5), titles=["a", "b", "c"], title="maps")
    assert [t.get_text() for t in maps.axes[0].texts] == ["maps", "a", "b", "c"]
    default = ce.show_feature_maps(torch.rand(2, 4, 4)).axes[0].texts
    assert [t.get_text() for t in default] == ["2 feature maps, (4, 4)", "0", "1"]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: ce.show_filters([1]), TypeError, "weight must be a tensor"),
        (lambda: ce.show_filters(torch.zeros(3, 3, 3)), ValueError, "out_channels"),
        (lambda: ce.show_filters(torch.zeros(2, 1, 3, 3), ncols=0), ValueError, "ncols"),
        (lambda: ce.show_feature_maps("x"), TypeError, "maps must be a tensor"),
        (lambda: ce.show_feature_maps(torch.zeros(2, 2, 3, 3)), ValueError, r"\(C, H, W\)"),
        (lambda: ce.show_feature_maps(torch.zeros(2, 3, 3), ncols=True), ValueError, "ncols"),
        (lambda: ce.show_feature_maps(torch.zeros(2, 3, 3), titles=["a"]), ValueError, "titles"),
    ],
)
def test_filter_and_map_pictures_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- prediction explorer --------------------------------------------------------------------------


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 3))


def _data(n: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return torch.randn(n, 1, 4, 4, generator=generator), torch.randint(
        0, 3, (n,), generator=generator
    )


def test_predict_probabilities_in_eval_mode_in_batches():
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3), nn.Dropout(0.9))
    model.train()
    images, _ = _data(7)
    probabilities = predict_probabilities = pe.predict_probabilities(model, images, batch_size=3)
    assert probabilities.shape == (7, 3)
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(7))
    model.eval()
    with torch.no_grad():
        expected = model(images).softmax(dim=1)
    assert torch.allclose(predict_probabilities, expected)  # dropout was off
    assert not model.training  # eval() restored what it was at the last call
    model.train()
    pe.predict_probabilities(model, images[:, 0])  # (N, H, W) is accepted
    assert model.training


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("model", torch.zeros(2, 1, 4, 4)), TypeError, "torch.nn.Module"),
        ((nn.Flatten(), [1, 2]), TypeError, "images must be a tensor"),
        ((nn.Flatten(), torch.zeros(4, 4)), ValueError, "images must have shape"),
        ((nn.Flatten(), torch.zeros(0, 1, 4, 4)), ValueError, "N > 0"),
    ],
)
def test_predict_probabilities_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        pe.predict_probabilities(*args)
    with pytest.raises(ValueError, match="batch_size"):
        pe.predict_probabilities(_model(), torch.zeros(2, 1, 4, 4), batch_size=0)


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    predictions = torch.tensor([0, 1, 1, 2, 0, 2])
    matrix = pe.confusion_matrix(predictions, labels, num_classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert pe.confusion_matrix([1, 1], [1, 0], num_classes=2).tolist() == [[0, 1], [0, 1]]


@pytest.mark.parametrize(
    ("predictions", "labels", "kwargs", "error", "match"),
    [
        (torch.tensor([0, 1]), torch.tensor([0]), {}, ValueError, "predictions has 2 entries"),
        (torch.tensor([0.5]), torch.tensor([0]), {}, ValueError, "integer class indices"),
        (torch.tensor([0]), torch.tensor([[0]]), {}, ValueError, "1-D"),
        (torch.tensor([3]), torch.tensor([0]), {"num_classes": 3}, ValueError, r"0\.\.2"),
        (torch.tensor([0]), torch.tensor([-1]), {}, ValueError, "labels must lie"),
        (torch.tensor([0]), torch.tensor([0]), {"num_classes": 0}, ValueError, "num_classes"),
        (torch.tensor([0]), object(), {}, TypeError, "labels must be"),
    ],
)
def test_confusion_matrix_rejects_bad_input(predictions, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        pe.confusion_matrix(predictions, labels, **kwargs)


def test_plot_confusion_writes_the_counts():
    matrix = torch.tensor([[5, 1], [0, 7]])
    fig = pe.plot_confusion(matrix)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "5", "7"]
    with pytest.raises(ValueError, match="square"):
        pe.plot_confusion(torch.zeros(2, 3))


def test_prediction_caption_and_properties():
    p = pe.Prediction(4, 2, torch.tensor([0.1, 0.2, 0.7]))
    assert (p.predicted, p.correct) == (2, True)
    assert p.confidence == pytest.approx(0.7)
    assert p.caption() == "test digit 4: label 2, predicted 2 (70.0%)"
    unknown = pe.Prediction(0, None, torch.tensor([0.6, 0.4]))
    assert unknown.correct is None and unknown.caption() == "test digit 0: predicted 0 (60.0%)"


def test_draw_prediction_colours_truth_and_mistake():
    fig = pe.draw_prediction(torch.rand(28, 28), torch.tensor([0.1, 0.6, 0.3]), label=2, index=9)
    bars = fig.axes[1].patches
    colours = [bar.get_facecolor()[:3] for bar in bars]
    from matplotlib.colors import to_rgb

    assert colours[2] == pytest.approx(to_rgb(pe._RIGHT))
    assert colours[1] == pytest.approx(to_rgb(pe._WRONG))
    assert "label 2, predicted 1" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="one image"):
        pe.draw_prediction(torch.rand(2, 1, 4, 4), torch.tensor([1.0]))
    with pytest.raises(ValueError, match="probabilities"):
        pe.draw_prediction(torch.rand(4, 4), torch.ones(1, 3))


def test_misclassified_most_confident_first():
    probabilities = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    labels = torch.tensor([0, 0, 1, 1])
    assert pe.misclassified(probabilities, labels).tolist() == [1, 2]
    with pytest.raises(ValueError, match="2-D"):
        pe.misclassified(torch.ones(3), labels)


def test_show_misclassified_gallery():
    images = torch.rand(4, 1, 6, 6)
    probabilities = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    labels = torch.tensor([0, 0, 1, 1])
    fig = pe.show_misclassified(images, labels, probabilities, count=5, ncols=1)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.texts] == ["0→1 (80%)\np(0) = 20%", "1→0 (60%)\np(1) = 40%"]
    with pytest.raises(ValueError, match="no misclassified"):
        pe.show_misclassified(images, probabilities.argmax(1), probabilities)
    with pytest.raises(ValueError, match="count"):
        pe.show_misclassified(images, labels, probabilities, count=0)
    with pytest.raises(ValueError, match="one row per image"):
        pe.show_misclassified(images, labels, probabilities[:2])


def test_fallback_indices_mix_first_digits_and_mistakes():
    probabilities = torch.eye(3)[torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])].float()
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 1])  # only index 9 is wrong
    assert pe.fallback_indices(probabilities, labels, count=6) == [0, 1, 2, 3, 4, 9]
    assert pe.fallback_indices(probabilities, labels, count=2) == [0, 1]
    with pytest.raises(ValueError, match="count"):
        pe.fallback_indices(probabilities, labels, count=0)


def test_prediction_explorer_browses_and_filters_mistakes():
    images, labels = _data(10)
    probabilities = pe.predict_probabilities(_model(), images)
    explorer = pe.PredictionExplorer(probabilities, images, labels)
    shown = explorer.show(3)
    assert shown.index == 3 and shown.label == int(labels[3])
    assert explorer.image_view.value[:4] == b"\x89PNG"
    explorer.slider.value = 5
    assert explorer.current.index == 5
    wrong = pe.misclassified(probabilities, labels)
    assert len(wrong) > 0
    explorer.only_mistakes.value = True
    assert explorer.slider.max == len(wrong) - 1
    assert explorer.current.index == int(wrong[0]) and explorer.current.correct is False
    explorer.only_mistakes.value = False
    assert explorer.slider.max == 9
    with pytest.raises(ValueError, match="position"):
        explorer.show(10)
    with pytest.raises(TypeError, match="position"):
        explorer.show("1")
    assert repr(explorer.widget).startswith("<live prediction explorer")
    with pytest.raises(ValueError, match="one row per image"):
        pe.PredictionExplorer(probabilities[:3], images, labels)


def test_prediction_fallback_and_explorer_display(monkeypatch):
    images, labels = _data(10)
    model = _model()
    probabilities = pe.predict_probabilities(model, images)
    frames = pe.prediction_frames(probabilities, images, labels, [0, 4])
    assert [name.split(" (")[0] for name, _ in frames] == ["digit 0", "digit 4"]
    right_then_wrong = torch.tensor([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05]])
    frames = pe.prediction_frames(right_then_wrong, images[:2], torch.tensor([0, 2]), [0, 1])
    assert [name for name, _ in frames] == ["digit 0", "digit 1 (a mistake)"]
    with pytest.raises(ValueError, match="at least one"):
        pe.prediction_frames(probabilities, images, labels, [])
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    pe.show_prediction_explorer(model, images, labels, count=4)
    assert repr(shown[0]).startswith("<live prediction explorer")
    assert repr(shown[1]) == "<PrecomputedSlider: test digit, 4 frames>"
    assert "browse all 10" in shown[1].html
