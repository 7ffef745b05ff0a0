"""Chapter 06's exercises: right answers pass, typical mistakes get a message that helps."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.exercises import get, verdict

IDS = ("mnist-normalize", "mnist-accuracy", "mnist-train-step", "mnist-most-confused")


def _ok(id_, answer):
    result = verdict(id_, answer)
    assert result.ok, result.message


def _wrong(id_, answer, expected):
    result = verdict(id_, answer)
    assert not result.ok and expected in result.message, result.message


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    for id_ in IDS:
        ex = get(id_)
        assert ex.chapter == "mnist" and len(ex.hints) >= 2 and ex.why


def test_normalize():
    _ok(
        "mnist-normalize",
        lambda images: (images.unsqueeze(1).float() / 255 - MNIST_MEAN) / MNIST_STD,
    )
    _wrong("mnist-normalize", lambda images: images.unsqueeze(1).float() / 255, "differs at")
    _wrong(
        "mnist-normalize",
        lambda images: (images.float() / 255 - MNIST_MEAN) / MNIST_STD,
        "shape (1, 28, 28), but it should have shape (1, 1, 28, 28)",
    )
    _wrong(
        "mnist-normalize",
        lambda images: (images.unsqueeze(1).double() / 255 - MNIST_MEAN) / MNIST_STD,
        "float32",
    )


def test_accuracy():
    _ok(
        "mnist-accuracy",
        lambda logits, labels: (logits.argmax(dim=1) == labels).float().mean().item(),
    )
    _wrong(
        "mnist-accuracy",
        lambda logits, labels: (logits.argmax(dim=1) == labels).float().mean(),
        "not a tensor",
    )
    _wrong(
        "mnist-accuracy",
        lambda logits, labels: (logits.argmax(dim=1) == labels).sum().item(),
        "a fraction between 0 and 1",
    )


def _right_step(model, optimizer, xb, yb):
    loss = F.cross_entropy(model(xb), yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def test_train_step():
    _ok("mnist-train-step", _right_step)

    def no_zero_grad(model, optimizer, xb, yb):
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss.item()

    def no_step(model, optimizer, xb, yb):
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        return loss.item()

    def softmax_first(model, optimizer, xb, yb):
        loss = F.cross_entropy(model(xb).softmax(dim=1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    def returns_tensor(model, optimizer, xb, yb):
        _right_step(model, optimizer, xb, yb)
        return torch.tensor(0.0)

    _wrong("mnist-train-step", no_zero_grad, "forget optimizer.zero_grad()")
    _wrong("mnist-train-step", no_step, "did you call optimizer.step()")
    _wrong("mnist-train-step", softmax_first, "raw logits")
    _wrong("mnist-train-step", returns_tensor, "Python float")
    _wrong("mnist-train-step", lambda model, optimizer, xb, yb: None, "returned None")
    _wrong("mnist-train-step", 3, "should be a function")


def test_most_confused():
    def right(confusion):
        mistakes = confusion.clone()
        mistakes.fill_diagonal_(-1)
        flat = int(mistakes.argmax())
        return (flat // confusion.shape[1], flat % confusion.shape[1])

    def with_diagonal(confusion):
        flat = int(confusion.argmax())
        return (flat // confusion.shape[1], flat % confusion.shape[1])

    def as_tensor(confusion):
        return torch.tensor(right(confusion))

    def swapped(confusion):
        true, predicted = right(confusion)
        return (predicted, true)

    _ok("mnist-most-confused", right)
    _wrong("mnist-most-confused", with_diagonal, "largest count off the diagonal")
    _wrong("mnist-most-confused", as_tensor, "should return a tuple")
    _wrong("mnist-most-confused", swapped, "you returned")
    _wrong("mnist-most-confused", "x", "should be a function")
