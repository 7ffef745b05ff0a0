"""The prediction explorer: which digits it holds, and its widget's state (PyTorch's numbers)."""

from __future__ import annotations

import base64
import json
import re
import zlib

import pytest
import torch
from torch import nn

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.evaluation import misclassified, predict_probabilities
from pytorch_lessons.widgets import prediction_explorer as pe
from pytorch_lessons.widgets.base import BookWidget


def _model(classes: int = 3) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, classes))


def _digits(n: int = 40, size: int = 4, classes: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` images normalised like MNIST (from ``uint8`` pixels), and random labels."""
    generator = torch.Generator().manual_seed(1)
    pixels = torch.randint(0, 256, (n, 1, size, size), generator=generator, dtype=torch.uint8)
    images = (pixels.float() / 255 - MNIST_MEAN) / MNIST_STD
    return images, torch.randint(0, classes, (n,), generator=generator)


# --- which digits it holds ----------------------------------------------------------------------


def test_explorer_digits_are_the_first_ones_and_the_most_confident_mistakes():
    # rows: confident right, right, wrong (0.6), wrong (0.9), right, wrong (0.7)
    probabilities = torch.tensor(
        [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.1, 0.9], [0.7, 0.3], [0.3, 0.7]]
    )
    labels = torch.tensor([0, 1, 1, 0, 0, 0])
    assert pe.explorer_digits(probabilities, labels, count=2, max_mistakes=9) == (
        [0, 1, 2, 3, 5],
        [3, 5, 2],
    )
    # the 2 most confident mistakes come in; a mistake among the first digits is always shown
    assert pe.explorer_digits(probabilities, labels, count=3, max_mistakes=1) == (
        [0, 1, 2, 3],
        [3, 2],
    )
    assert pe.explorer_digits(probabilities, labels, count=2, max_mistakes=0) == ([0, 1], [])
    assert pe.explorer_digits(probabilities, labels, count=99, max_mistakes=0)[0] == list(range(6))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"count": 0}, "count must be an int >= 1, got 0"),
        ({"count": 2.0}, "count must be an int >= 1"),
        ({"max_mistakes": -1}, "max_mistakes must be an int >= 0"),
        ({"max_mistakes": True}, "max_mistakes must be an int >= 0"),
    ],
)
def test_explorer_digits_rejects_bad_counts(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pe.explorer_digits(torch.eye(2), torch.tensor([0, 1]), **kwargs)


# --- how pixels and probabilities travel --------------------------------------------------------


def test_pixels_undo_the_mnist_normalisation_exactly():
    pixels = torch.randint(0, 256, (5, 1, 28, 28), dtype=torch.uint8)
    images = (pixels.float() / 255 - MNIST_MEAN) / MNIST_STD
    assert torch.equal(pe.to_pixels(images), pixels[:, 0])
    assert pe.to_pixels(torch.full((1, 2, 2), 99.0)).tolist() == [[[255, 255], [255, 255]]]
    with pytest.raises(ValueError, match="one channel"):
        pe.to_pixels(torch.zeros(1, 3, 2, 2))


def test_pack_is_zlib_little_endian_and_unpack_undoes_it():
    values = torch.tensor([[1, -2, 1000], [0, 0, 300]], dtype=torch.int16)
    text = pe.pack(values)
    assert zlib.decompress(base64.b64decode(text))[:4] == b"\x01\x00\xfe\xff"  # what the JS reads
    assert torch.equal(pe.unpack(text, torch.int16, 2, 3), values)
    pixels = torch.arange(256, dtype=torch.uint8).view(4, 8, 8)
    assert torch.equal(pe.unpack(pe.pack(pixels), torch.uint8, 4, 8, 8), pixels)
    # a digit is mostly black: packed it takes a fraction of its 784 bytes
    sparse = torch.zeros(100, 28, 28, dtype=torch.uint8)
    sparse[:, 8:20, 10:16] = torch.randint(0, 256, (100, 12, 6), dtype=torch.uint8)
    assert len(pe.pack(sparse)) < 100 * 250
    with pytest.raises(TypeError, match="uint8 or int16"):
        pe.pack(torch.zeros(2))


# --- the widget ---------------------------------------------------------------------------------


def test_the_state_holds_pytorchs_probabilities_and_the_real_pixels():
    images, labels = _digits(40)
    model = _model()
    explorer = pe.PredictionExplorer(model, images, labels, count=10, max_mistakes=5)
    assert isinstance(explorer, BookWidget)
    probabilities = predict_probabilities(model, images)
    expected_indices, expected_mistakes = pe.explorer_digits(probabilities, labels, 10, 5)
    assert explorer.indices == expected_indices and explorer.mistakes == expected_mistakes
    assert len(explorer.indices) == 15 and explorer.indices[:10] == list(range(10))
    assert explorer.labels == labels[explorer.indices].tolist()
    stored = explorer.stored_probabilities()
    assert stored.shape == (15, 3)
    assert torch.allclose(stored, probabilities[explorer.indices].double(), atol=1e-3, rtol=0)
    assert explorer.predictions == probabilities[explorer.indices].argmax(1).tolist()
    assert torch.equal(explorer.stored_pixels(), pe.to_pixels(images[explorer.indices]))
    assert (explorer.height, explorer.width, explorer.classes) == (4, 4, 3)
    assert explorer.total == 40
    assert explorer.total_mistakes == len(misclassified(probabilities, labels)) > 5
    assert (
        repr(explorer) == "<prediction explorer: interactive in JupyterLab and on the book's site>"
    )


def test_the_mistakes_shown_are_real_mistakes_most_confident_first():
    images, labels = _digits(60)
    model = _model()
    explorer = pe.PredictionExplorer(model, images, labels, count=20, max_mistakes=100)
    probabilities = predict_probabilities(model, images)
    truly_wrong = (probabilities.argmax(1) != labels).nonzero().flatten().tolist()
    assert sorted(explorer.mistakes) == truly_wrong  # all of them: there are fewer than 100
    explorer.only_mistakes = True
    shown = []
    for position in range(len(explorer.mistakes)):
        explorer.position = position
        shown.append(explorer.current())
    assert [s["index"] for s in shown] == explorer.mistakes
    assert all(s["prediction"] != s["label"] == int(labels[s["index"]]) for s in shown)
    confidence = [float(probabilities[s["index"]].max()) for s in shown]
    assert confidence == sorted(confidence, reverse=True)
    explorer.only_mistakes = False  # back to every digit held, in test-set order
    explorer.position = 3
    assert explorer.current()["index"] == 3
    explorer.position = 10_000  # the module never sends this; Python clamps it anyway
    assert explorer.current()["index"] == explorer.indices[-1]


def test_a_model_without_mistakes_browses_every_digit():
    images, _ = _digits(12)
    model = _model()
    labels = predict_probabilities(model, images).argmax(1)
    explorer = pe.show_prediction_explorer(model, images, labels, count=5)
    assert isinstance(explorer, pe.PredictionExplorer)
    assert explorer.mistakes == [] and explorer.total_mistakes == 0
    explorer.only_mistakes = True
    assert explorer.browsed() == explorer.indices == [0, 1, 2, 3, 4]


def test_the_module_reads_the_state_the_widget_stores():
    explorer = pe.PredictionExplorer(_model(), *_digits(8))
    read = set(re.findall(r'model\.get\("(\w+)"\)', explorer._esm))
    written = set(re.findall(r'model\.set\("(\w+)"', explorer._esm))
    data = {name for name in explorer.trait_names(sync=True) if not name.startswith("_")}
    data -= {"layout", "tabbable", "tooltip"}
    assert read == data and written == {"position", "only_mistakes"}
    assert "export default" in explorer._esm and "DecompressionStream" in explorer._esm
    assert ".pl-prediction-explorer" in explorer._css


def test_the_state_for_mnist_sized_digits_fits_the_notebook_budget():
    """The most digits it holds (the first 150 all right, then 100 mistakes), 28 x 28 with a
    stroke each, stored as a notebook stores widget state (indented JSON): under 80 KB with
    the module and its stylesheet."""
    n = 1000
    generator = torch.Generator().manual_seed(2)
    pixels = torch.zeros(n, 1, 28, 28, dtype=torch.uint8)
    for k in range(n):  # one bright stroke of random length and place per "digit"
        row, col, length = torch.randint(4, 20, (3,), generator=generator).tolist()
        pixels[k, 0, row : row + 3, col : col + length // 2 + 3] = 255
    images = (pixels.float() / 255 - MNIST_MEAN) / MNIST_STD
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    predicted = predict_probabilities(model, images).argmax(1)
    labels = torch.where(torch.arange(n) < pe.DEFAULT_COUNT, predicted, (predicted + 1) % 10)
    explorer = pe.PredictionExplorer(model, images, labels)
    assert len(explorer.indices) == pe.DEFAULT_COUNT + pe.DEFAULT_MAX_MISTAKES == 250
    assert len(explorer.mistakes) == 100 and explorer.total_mistakes == n - 150
    nested = {"metadata": {"widgets": {"mime": {"state": {"id": {"state": explorer.get_state()}}}}}}
    assert len(json.dumps(nested, indent=1)) < 80_000


def test_the_widget_rejects_bad_input():
    images, labels = _digits(6)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        pe.PredictionExplorer("model", images, labels)
    with pytest.raises(TypeError, match="images must be a tensor"):
        pe.PredictionExplorer(_model(), images.tolist(), labels)
    with pytest.raises(ValueError, match="labels has 5 entries, expected 6"):
        pe.PredictionExplorer(_model(), images, labels[:5])
    with pytest.raises(ValueError, match="count must be"):
        pe.PredictionExplorer(_model(), images, labels, count=0)
