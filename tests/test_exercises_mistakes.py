"""The Appendix's find-and-fix exercises: fixed code passes, each bug gets a message that points at it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.exercises import all_exercises, get, verdict

IDS = ["mistakes-train-step", "mistakes-predict", "mistakes-flatten", "mistakes-logits"]


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


# -- mistakes-train-step ----------------------------------------------------------------------


def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def train_step_zero_grad_last(model, optimizer, x, y):
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()


def zero_grad_between(model, optimizer, x, y):
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()


def never_zero_grad(model, optimizer, x, y):
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def returns_tensor(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def returns_text(model, optimizer, x, y):
    return f"{train_step(model, optimizer, x, y):.3f}"


def own_update(model, optimizer, x, y):
    """Learns, but ignores the optimizer it was given: the weights differ from a correct run."""
    model.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= 0.2 * p.grad
    return loss.item()


def test_train_step_correct_versions_pass():
    assert verdict("mistakes-train-step", train_step).ok
    assert verdict("mistakes-train-step", train_step_zero_grad_last).ok


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (zero_grad_between, "it should drop at least ÷10"),
        (returns_tensor, "returned a tensor; return the loss as a Python float"),
        (returns_text, "should return the loss as a float, but it returned str"),
        (own_update, "the weights after 30 steps"),
        (42, "should be a function, but it is of type int"),
    ],
)
def test_train_step_bugs_are_named(answer, expected):
    _fails_with("mistakes-train-step", answer, expected)


def test_train_step_without_zero_grad_fails():
    assert not verdict("mistakes-train-step", never_zero_grad).ok


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


# -- the checkers leave the global random state alone -----------------------------------------


@pytest.mark.parametrize(
    ("id_", "answer"),
    [
        ("mistakes-train-step", train_step),
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
