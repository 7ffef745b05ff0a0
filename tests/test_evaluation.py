"""The evaluation helpers: probabilities, confusion matrix, mistakes, and their argument checks."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from pytorch_lessons import evaluation as ev


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 3))


def _images(n: int = 7) -> torch.Tensor:
    return torch.randn(n, 1, 4, 4, generator=torch.Generator().manual_seed(1))


def test_predict_probabilities_in_eval_mode_in_batches():
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3), nn.Dropout(0.9))
    model.train()
    images = _images(7)
    probabilities = ev.predict_probabilities(model, images, batch_size=3)
    assert probabilities.shape == (7, 3) and probabilities.device.type == "cpu"
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(7))
    model.eval()
    with torch.no_grad():
        expected = model(images).softmax(dim=1)
    assert torch.allclose(probabilities, expected)  # dropout was off
    model.train()
    ev.predict_probabilities(model, images[:, 0])  # (N, H, W) is accepted
    assert model.training  # the model's mode is restored
    model.eval()
    ev.predict_probabilities(model, images)
    assert not model.training


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("model", torch.zeros(2, 1, 4, 4)), TypeError, "torch.nn.Module"),
        ((nn.Flatten(), [1, 2]), TypeError, "images must be a tensor, got list"),
        ((nn.Flatten(), torch.zeros(4, 4)), ValueError, "images must have shape"),
        ((nn.Flatten(), torch.zeros(0, 1, 4, 4)), ValueError, "N > 0"),
    ],
)
def test_predict_probabilities_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        ev.predict_probabilities(*args)


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, True])
def test_predict_probabilities_rejects_bad_batch_sizes(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        ev.predict_probabilities(_model(), torch.zeros(2, 1, 4, 4), batch_size=batch_size)


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    predictions = torch.tensor([0, 1, 1, 2, 0, 2])
    matrix = ev.confusion_matrix(predictions, labels, num_classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert ev.confusion_matrix([1, 1], [1, 0], num_classes=2).tolist() == [[0, 1], [0, 1]]
    assert ev.confusion_matrix(predictions, labels).shape == (10, 10)


@pytest.mark.parametrize(
    ("predictions", "labels", "kwargs", "error", "match"),
    [
        (torch.tensor([0, 1]), torch.tensor([0]), {}, ValueError, "predictions has 2 entries"),
        (torch.tensor([0.5]), torch.tensor([0]), {}, ValueError, "integer class indices"),
        (torch.tensor([True]), torch.tensor([0]), {}, ValueError, "integer class indices"),
        (torch.tensor([0]), torch.tensor([[0]]), {}, ValueError, "1-D"),
        (torch.tensor([3]), torch.tensor([0]), {"num_classes": 3}, ValueError, r"0\.\.2"),
        (torch.tensor([0]), torch.tensor([-1]), {}, ValueError, "labels must lie"),
        (torch.tensor([0]), torch.tensor([0]), {"num_classes": 0}, ValueError, "num_classes"),
        (torch.tensor([0]), object(), {}, TypeError, "labels must be"),
    ],
)
def test_confusion_matrix_rejects_bad_input(predictions, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        ev.confusion_matrix(predictions, labels, **kwargs)


def test_misclassified_most_confident_first():
    probabilities = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])
    labels = torch.tensor([0, 0, 1, 1, 0])
    assert ev.misclassified(probabilities, labels).tolist() == [4, 1, 2]
    assert ev.misclassified(probabilities, probabilities.argmax(1)).tolist() == []
    with pytest.raises(ValueError, match="2-D"):
        ev.misclassified(torch.ones(3), labels[:3])
    with pytest.raises(ValueError, match="labels has 4 entries, expected 5"):
        ev.misclassified(probabilities, labels[:4])


def test_as_images_and_as_labels():
    assert ev.as_images(torch.zeros(2, 4, 4)).shape == (2, 1, 4, 4)
    assert ev.as_images(torch.zeros(2, 3, 4, 4)).shape == (2, 3, 4, 4)
    labels = ev.as_labels("labels", [1, 2], count=2)
    assert labels.dtype == torch.int64 and labels.tolist() == [1, 2]
    assert ev.as_labels("labels", torch.tensor([3], dtype=torch.uint8)).dtype == torch.int64
