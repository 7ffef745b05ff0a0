"""The Appendix's find-and-fix exercises: fixed code passes, each bug gets a message that points at it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.exercises import all_exercises, get, verdict

IDS = [
    "mistakes-predict",
    "mistakes-flatten",
    "mistakes-logits",
    "mistakes-broadcast-shape",
    "mistakes-inplace",
]


def _fails_with(id_: str, answer, expected: str) -> None:
    result = verdict(id_, answer)
    assert not result.ok, f"{id_} accepted a wrong answer"
    assert result.message.startswith(f"✗ {id_}")
    assert expected in result.message, result.message


@pytest.mark.parametrize("id_", IDS)
def test_registered_with_why_and_hints(id_):
    ex = get(id_)
    assert ex.chapter == "mistakes"
    assert len(ex.why) > 40 and len(ex.hints) >= 2
    assert set(IDS) <= set(all_exercises())


# -- mistakes-predict -------------------------------------------------------------------------


def predict_proba(model, x):
    model.eval()
    with torch.no_grad():
        return F.softmax(model(x), dim=1)


def predict_train_mode(model, x):
    with torch.no_grad():
        return F.softmax(model(x), dim=1)


def predict_with_graph(model, x):
    model.eval()
    return F.softmax(model(x), dim=1)


def predict_nothing(model, x):
    model.eval()


def test_predict_correct_version_passes():
    assert verdict("mistakes-predict", predict_proba).ok


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (predict_with_graph, "requires gradients"),
        (lambda model, x: F.softmax(model(x), dim=1), "requires gradients"),
        (predict_train_mode, "Are dropout and batch norm still in training mode?"),
        (predict_nothing, "returned None"),
        ("predict", "should be a function"),
    ],
)
def test_predict_bugs_are_named(answer, expected):
    _fails_with("mistakes-predict", answer, expected)


# -- mistakes-flatten -------------------------------------------------------------------------


def test_flatten_correct_versions_pass():
    assert verdict("mistakes-flatten", lambda x: torch.flatten(x, 1)).ok
    assert verdict("mistakes-flatten", lambda x: x.reshape(len(x), -1)).ok
    assert verdict("mistakes-flatten", nn.Flatten()).ok


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda x: x.view(-1, 320), "has shape (12, 320), but it should have shape (3, 1280)"),
        (lambda x: x.view(x.size(0), -1), "raised RuntimeError: view size is not compatible"),
        (lambda x: torch.flatten(x), "should have shape (2, 320)"),
        (None, "not solved yet"),
    ],
)
def test_flatten_bugs_are_named(answer, expected):
    _fails_with("mistakes-flatten", answer, expected)


# -- mistakes-logits --------------------------------------------------------------------------


def loss_from_logits(model, x, y):
    return nn.CrossEntropyLoss()(model(x), y)


def loss_log_softmax_nll(model, x, y):
    return F.nll_loss(F.log_softmax(model(x), dim=1), y)


def loss_after_softmax(model, x, y):
    return nn.CrossEntropyLoss()(F.softmax(model(x), dim=1), y)


def loss_as_number(model, x, y):
    return loss_from_logits(model, x, y).item()


def loss_detached(model, x, y):
    return loss_from_logits(model, x, y).detach()


def loss_right_value_no_gradient(model, x, y):
    """The right number, but the weights get no gradient from it."""
    return F.cross_entropy(model(x).detach(), y) + 0 * model.bias.sum()


def test_logits_correct_versions_pass():
    assert verdict("mistakes-logits", loss_from_logits).ok
    assert verdict("mistakes-logits", loss_log_softmax_nll).ok


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (loss_after_softmax, "the loss on hidden batch 1 differs"),
        (loss_as_number, "returned a plain number; return the loss tensor itself"),
        (loss_detached, "should require gradients"),
        (loss_right_value_no_gradient, "the gradient of the weights on hidden batch 1"),
        ([1], "should be a function, but it is of type list"),
    ],
)
def test_logits_bugs_are_named(answer, expected):
    _fails_with("mistakes-logits", answer, expected)


# -- mistakes-broadcast-shape ----------------------------------------------------------------


def test_broadcast_shape_right_answers_pass():
    assert verdict("mistakes-broadcast-shape", (32, 32)).ok
    assert verdict("mistakes-broadcast-shape", [32, 32]).ok
    assert verdict("mistakes-broadcast-shape", (torch.zeros(32, 1) - torch.zeros(32)).shape).ok


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((32, 1), "is the shape of one of the two tensors"),
        ((32,), "is the shape of one of the two tensors"),
        ((1, 32), "is the shape of one of the two tensors"),
        (1024, "is the number of differences; give the shape itself"),
        ((32, 32, 1), "answer is (32, 32, 1), but that is not right"),
        ("32x32", "should be a tuple, but it is of type str"),
        (torch.zeros(32, 1) - torch.zeros(32), "take .shape of the tensor"),
    ],
)
def test_broadcast_shape_mistakes_are_named(answer, expected):
    _fails_with("mistakes-broadcast-shape", answer, expected)


# -- mistakes-inplace -------------------------------------------------------------------------


def activation_buggy(x):
    h = torch.sigmoid(x)
    h.mul_(2).sub_(1)
    return h


def activation_input_in_place(x):
    return x.sigmoid_().mul(2).sub(1)


def activation_augmented_assignment(x):
    h = torch.sigmoid(x)
    h *= 2
    h -= 1
    return h


def activation_detached(x):
    return (2 * torch.sigmoid(x) - 1).detach()


def activation_via_data(x):
    h = torch.sigmoid(x.data)
    return h * 2 - 1


def activation_tanh_wrong_scale(x):
    return torch.tanh(x)


def activation_after_the_saved_one(x):
    """In place, but on a tensor nothing saved: a copy of the sigmoid. Correct."""
    h = torch.sigmoid(x).clone()
    h.mul_(2).sub_(1)
    return h


def test_inplace_right_answers_pass():
    assert verdict("mistakes-inplace", lambda x: 2 * torch.sigmoid(x) - 1).ok
    assert verdict("mistakes-inplace", lambda x: torch.tanh(x / 2)).ok  # the same function
    assert verdict("mistakes-inplace", activation_after_the_saved_one).ok


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (activation_buggy, "backward() through activation on hidden input 1 failed"),
        (activation_augmented_assignment, "instead of the ones ending in _ and of *=, += and -="),
        (activation_input_in_place, "raised RuntimeError: a leaf Variable that requires grad"),
        (activation_detached, "is not connected to x (no grad_fn)"),
        (activation_via_data, "is not connected to x (no grad_fn)"),
        (activation_tanh_wrong_scale, "activation on hidden input 1 differs"),
        (lambda x: None, "returned None"),
        ("tanh", "should be a function, but it is of type str"),
    ],
)
def test_inplace_mistakes_are_named(answer, expected):
    _fails_with("mistakes-inplace", answer, expected)


def test_inplace_message_names_the_cause():
    message = verdict("mistakes-inplace", activation_buggy).message
    assert "modified by an inplace operation" in message and "(h * 2 - 1)" in message


def test_inplace_message_ends_with_one_full_stop():
    message = verdict("mistakes-inplace", activation_input_in_place).message
    assert "in-place operation." in message and ".." not in message


# -- the checkers leave the global random state alone -----------------------------------------


@pytest.mark.parametrize(
    ("id_", "answer"),
    [
        ("mistakes-predict", predict_proba),
        ("mistakes-predict", predict_train_mode),
        ("mistakes-logits", loss_from_logits),
    ],
)
def test_checking_does_not_consume_global_random_numbers(id_, answer):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    verdict(id_, answer)
    assert torch.equal(torch.rand(3), expected)
