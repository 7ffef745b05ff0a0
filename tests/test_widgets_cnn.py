"""The convolution explorer: its computations, pictures and widget."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from pytorch_lessons.widgets import conv_explorer as ce
from pytorch_lessons.widgets.base import BookWidget

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


# -- convolution explorer: the widget's state holds every preset map, and it convolves a typed kernel


DIGIT = torch.zeros(28, 28)
DIGIT[6:22, 12:16] = 1.0  # a vertical bar: Sobel x answers at its two sides, with opposite signs


def test_the_widget_holds_every_preset_at_every_stride_and_padding():
    explorer = ce.ConvExplorer(DIGIT, "sharpen", stride=2, padding=1)
    assert isinstance(explorer, BookWidget)
    assert explorer.presets == list(ce.KERNELS) and len(explorer.kernels) == len(ce.KERNELS)
    assert explorer.strides == [1, 2, 3, 4] and explorer.paddings == [0, 1, 2, 3, 4]
    assert (explorer.kernel, explorer.stride, explorer.padding) == ("sharpen", 2, 1)
    assert len(explorer.maps) == len(ce.KERNELS)
    assert all(
        len(per_kernel) == 4 and all(len(row) == 5 for row in per_kernel)
        for per_kernel in explorer.maps
    )
    for k, name in enumerate(ce.KERNELS):
        assert torch.allclose(torch.tensor(explorer.kernels[k]), ce.kernel(name), rtol=1e-3)
        for i, s in enumerate(explorer.strides):
            for j, p in enumerate(explorer.paddings):
                result = ce.apply_kernel(DIGIT, name, s, p)  # PyTorch's numbers, F.conv2d
                stored = explorer.maps[k][i][j]
                assert stored["shape"] == list(result.output.shape)
                error = (ce.dequantized(stored) - result.output).abs().max().item()
                assert error <= stored["scale"] / 2 + 1e-6  # int8 with a per-map scale
                assert explorer.formulas[i][j] == result.formula
    assert explorer.formulas[1][1] == "⌊(28 + 2·1 − 3)/2⌋ + 1 = 14"
    assert explorer.maps[0][0][0]["shape"] == [26, 26] and explorer.maps[0][3][4]["shape"] == [9, 9]
    assert torch.allclose(ce.dequantized(explorer.image), DIGIT)  # the image, as uint8
    assert (
        repr(explorer) == "<convolution explorer: interactive in JupyterLab and on the book's site>"
    )


def test_stored_feature_maps_keep_their_sign_and_their_zeros():
    explorer = ce.ConvExplorer(DIGIT)
    sobel = ce.dequantized(explorer.maps[list(ce.KERNELS).index("vertical edges (Sobel x)")][0][1])
    exact = ce.apply_kernel(DIGIT, "vertical edges (Sobel x)", padding=1).output
    assert sobel.min() < 0 < sobel.max() and torch.equal(sobel.sign(), exact.sign())
    assert sobel[0, 0] == 0
    assert sobel[14, 11].item() == pytest.approx(4.0)  # left of the bar: dark to bright
    assert sobel[14, 16].item() == pytest.approx(-4.0)  # right of it: bright to dark
    assert explorer.maps[0][0][0]["dtype"] == "int8" and explorer.image["dtype"] == "uint8"


def test_the_state_is_small_enough_to_store_in_the_notebook():
    import json

    explorer = ce.ConvExplorer(torch.rand(28, 28))
    numbers = {k: v for k, v in explorer.get_state().items() if k not in ("_esm", "_css")}
    assert len(json.dumps(numbers)) < 100_000
    assert "export default" in explorer._esm and "function askKernel" in explorer._esm
    assert ".pl-conv-explorer" in explorer._css


def test_a_typed_kernel_is_convolved_by_the_kernel_and_bad_ones_get_one_line():
    explorer = ce.ConvExplorer(DIGIT)
    sent = []
    explorer.send = sent.append
    explorer._on_message(
        explorer, {"ask": "1", "kernel": "1 1; -1 -1", "stride": 2, "padding": 1}, []
    )
    assert sent[-1]["answer"] == "1"
    result = sent[-1]["result"]
    expected = ce.apply_kernel(DIGIT, "1 1; -1 -1", stride=2, padding=1)
    assert result["kernel"] == [[1.0, 1.0], [-1.0, -1.0]]
    assert result["formula"] == expected.formula == "⌊(28 + 2·1 − 2)/2⌋ + 1 = 15"
    assert result["map"]["shape"] == [15, 15]
    error = (ce.dequantized(result["map"]) - expected.output).abs().max().item()
    assert error <= result["map"]["scale"] / 2 + 1e-6
    explorer._on_message(explorer, {"ask": "2", "kernel": "1 2; 3", "stride": 1, "padding": 0}, [])
    assert sent[-1] == {
        "answer": "2",
        "error": "every kernel row needs the same number of values, got rows of lengths [2, 1]",
    }
    explorer._on_message(explorer, {"ask": "3", "kernel": "1 x", "stride": 1, "padding": 0}, [])
    assert sent[-1]["error"] == "'x' in the kernel is not a number"
    explorer._on_message(explorer, {"ask": "4", "kernel": "1", "stride": 9, "padding": 0}, [])
    assert sent[-1]["error"] == "stride must be one of 1, 2, 3, 4, got 9"
    explorer._on_message(explorer, {"ask": "5", "stride": 1, "padding": 0}, [])
    assert sent[-1]["error"] == "kernel text must be a string, got NoneType"
    explorer._on_message(explorer, {"something": "else"}, [])  # not a question: ignored
    assert len(sent) == 5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kernel": "nope"}, ValueError, "unknown kernel 'nope'"),
        ({"stride": 0}, ValueError, "stride must be one of"),
        ({"padding": 5}, ValueError, "padding must be one of"),
        ({"padding": 1.0}, TypeError, "padding must be an int"),
        ({"custom": 3}, TypeError, "custom must be a string"),
        ({"image": torch.zeros(5, 9)}, ValueError, "at least 7×7"),
        ({"image": [[0.0]]}, TypeError, "image must be a tensor"),
    ],
)
def test_the_widget_rejects_bad_settings(kwargs, error, match):
    arguments = {"image": DIGIT, **kwargs}
    with pytest.raises(error, match=match):
        ce.ConvExplorer(**arguments)


def test_show_conv_explorer_returns_the_widget_to_display():
    shown = ce.show_conv_explorer(DIGIT[None], "emboss", padding=2)
    assert isinstance(shown, ce.ConvExplorer)
    assert (shown.kernel, shown.stride, shown.padding) == ("emboss", 1, 2)
