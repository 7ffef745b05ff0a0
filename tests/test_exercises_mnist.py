"""Chapter 07's exercises: right answers pass, typical mistakes get a message that helps."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.exercises import get

from .conftest import assert_fails, assert_passes

IDS = ("mnist-normalize", "mnist-accuracy", "mnist-train-step", "mnist-most-confused")


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    for id_ in IDS:
        ex = get(id_)
        assert ex.chapter == "mnist" and len(ex.hints) >= 2 and ex.why


def test_normalize():
    assert_passes(
        "mnist-normalize",
        lambda images: (images.unsqueeze(1).float() / 255 - MNIST_MEAN) / MNIST_STD,
    )
    assert_fails("mnist-normalize", lambda images: images.unsqueeze(1).float() / 255, "differs at")
    assert_fails(
        "mnist-normalize",
        lambda images: (images.float() / 255 - MNIST_MEAN) / MNIST_STD,
        "shape (1, 28, 28), but it should have shape (1, 1, 28, 28)",
    )
    assert_fails(
        "mnist-normalize",
        lambda images: (images.unsqueeze(1).double() / 255 - MNIST_MEAN) / MNIST_STD,
        "float32",
    )


def test_accuracy():
    assert_passes(
        "mnist-accuracy",
        lambda logits, labels: (logits.argmax(dim=1) == labels).float().mean().item(),
    )
    assert_fails(
        "mnist-accuracy",
        lambda logits, labels: (logits.argmax(dim=1) == labels).float().mean(),
        "not a tensor",
    )
    assert_fails(
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
    assert_passes("mnist-train-step", _right_step)

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

    assert_fails("mnist-train-step", no_zero_grad, "forget optimizer.zero_grad()")
    assert_fails("mnist-train-step", no_step, "did you call optimizer.step()")
    assert_fails("mnist-train-step", softmax_first, "raw logits")
    assert_fails("mnist-train-step", returns_tensor, "Python float")
    assert_fails("mnist-train-step", lambda model, optimizer, xb, yb: None, "returned None")
    assert_fails("mnist-train-step", 3, "should be a function")


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

    assert_passes("mnist-most-confused", right)
    assert_fails("mnist-most-confused", with_diagonal, "largest count off the diagonal")
    assert_fails("mnist-most-confused", as_tensor, "should return a tuple")
    assert_fails("mnist-most-confused", swapped, "you returned")
    assert_fails("mnist-most-confused", "x", "should be a function")
