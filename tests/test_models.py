"""models: the layer-by-layer summary, and the book's MNIST CNN (which Chapter 07 shows in full)."""

from __future__ import annotations

import inspect
import re

import pytest
import torch
from torch import nn

from pytorch_lessons.models import LayerRow, MnistCNN, ModelSummary, summary

from .conftest import BOOK


class TwoStage(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 13 * 13, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.conv(x)).flatten(1))


def test_summary_lists_every_layer_with_its_output_shape_and_parameters():
    result = summary(TwoStage(), (2, 1, 28, 28))
    assert [(r.name, r.kind, r.output_shape) for r in result.rows] == [
        ("conv", "Conv2d", (2, 4, 26, 26)),
        ("pool", "MaxPool2d", (2, 4, 13, 13)),
        ("fc", "Linear", (2, 10)),
    ]
    assert [r.parameters for r in result.rows] == [4 * 9 + 4, 0, 676 * 10 + 10]
    assert result.total_parameters == result.trainable_parameters == 40 + 6770
    assert result.output_shape == (2, 10)
    assert result.input_shape == (2, 1, 28, 28)


def test_summary_table_text():
    text = str(summary(TwoStage(), (1, 1, 28, 28)))
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "(type)", "output", "shape", "params"]
    assert lines[2].startswith("input") and "(1, 1, 28, 28)" in lines[2]
    assert re.search(r"fc \(Linear\)\s+\(1, 10\)\s+6,770$", text, re.M)
    assert lines[-1] == "total parameters: 6,810"
    assert repr(summary(TwoStage(), (1, 1, 28, 28))) == text


def test_summary_reports_frozen_parameters_and_repeated_modules():
    relu = nn.ReLU()
    model = nn.Sequential(nn.Linear(3, 4), relu, nn.Linear(4, 2), relu)
    model[0].weight.requires_grad_(False)
    result = summary(model, (5, 3))
    assert [r.name for r in result.rows] == ["0", "1", "2", "1"]  # the same ReLU, called twice
    assert result.total_parameters == 16 + 10
    assert result.trainable_parameters == 16 + 10 - 12
    assert "(trainable: 14)" in result.table()


def test_summary_of_a_single_layer_and_a_parameterless_model():
    assert summary(nn.Linear(3, 2), (4, 3)).rows == (LayerRow("Linear", "Linear", (4, 2), 8),)
    flat = summary(nn.Flatten(), [2, 3, 4])
    assert flat.output_shape == (2, 12) and flat.total_parameters == 0


def test_summary_restores_training_mode_and_runs_without_gradients():
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    model.train()
    before = model[1].running_mean.clone()
    summary(model, (4, 3))
    assert model.training
    assert torch.equal(model[1].running_mean, before)  # ran in eval mode: no statistics update
    model.eval()
    summary(model, (4, 3))
    assert not model.training


def test_summary_names_the_layer_whose_input_does_not_fit():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(50, 10))
    with pytest.raises(ValueError, match=r"layer '2' \(Linear\) got an input of shape \(1, 1352\)"):
        summary(model, (1, 1, 28, 28))
    with pytest.raises(ValueError, match="the model failed on an input of shape"):
        summary(_Broken(), (1, 3))


class _Broken(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x) @ torch.zeros(2, 2)  # fails between layers


@pytest.mark.parametrize(
    ("shape", "error"),
    [
        ("1x28", TypeError),
        ((), TypeError),
        (None, TypeError),
        ((1, 0, 28), ValueError),
        ((1, -1), ValueError),
        ((1, 2.5), ValueError),
        ((True, 3), ValueError),
    ],
)
def test_summary_rejects_bad_shapes(shape, error):
    with pytest.raises(error, match="input_shape"):
        summary(nn.Linear(3, 2), shape)


def test_summary_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        summary(lambda x: x, (1, 3))


def test_summary_accepts_torch_size_and_a_model_on_float64():
    model = nn.Linear(3, 2).double()
    assert summary(model, torch.Size([2, 3])).output_shape == (2, 2)


def test_model_summary_with_no_rows_reports_the_input_shape():
    empty = ModelSummary((1, 3), (), 0, 0)
    assert empty.output_shape == (1, 3)


def test_mnist_cnn_shapes_and_parameters():
    model = MnistCNN()
    result = summary(model, (2, 1, 28, 28))
    assert result.output_shape == (2, 10)
    assert result.total_parameters == 65_122
    conv_shapes = [r.output_shape for r in result.rows if r.kind == "Conv2d"]
    assert conv_shapes == [(2, 8, 14, 14), (2, 16, 14, 14), (2, 48, 7, 7)]
    small = summary(MnistCNN(widths=(4, 8, 16), hidden=32, num_classes=3), (1, 1, 28, 28))
    assert small.output_shape == (1, 3)
    assert [r.output_shape for r in small.rows if r.kind == "Linear"] == [(1, 32), (1, 3)]


def test_mnist_cnn_trains_on_a_few_batches():
    torch.manual_seed(0)
    model = MnistCNN(widths=(4, 8, 8), hidden=16)
    x = torch.randn(64, 1, 28, 28)
    y = (x.mean(dim=(1, 2, 3)) > 0).long()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(30):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_chapter_06_shows_exactly_the_packaged_mnist_cnn():
    """The chapter writes the model out; the benchmark imports it from here: they must agree."""
    chapter = (BOOK / "07-mnist.md").read_text(encoding="utf-8")
    source = inspect.getsource(MnistCNN)
    assert source in chapter, "book/07-mnist.md's MnistCNN differs from pytorch_lessons.models"
