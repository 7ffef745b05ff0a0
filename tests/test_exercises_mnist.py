"""Chapter 07's exercises: right answers pass, typical mistakes get a message that helps."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.exercises import get

from .conftest import assert_fails, assert_passes

IDS = (
    "mnist-normalize",
    "mnist-accuracy",
    "mnist-train-step",
    "mnist-training-loop",
    "mnist-most-confused",
    "mnist-checkpoint",
)


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

    def zero_grad_between(model, optimizer, xb, yb):  # the appendix's buggy_train_step
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        return loss.item()

    assert_fails("mnist-train-step", zero_grad_between, "have not changed at all")
    assert_fails("mnist-train-step", no_zero_grad, "forget optimizer.zero_grad()")
    assert_fails("mnist-train-step", no_step, "have not changed at all")
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


def _train_model(model, x, y, epochs=10, batch_size=64, lr=1e-2):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _epoch in range(epochs):
        for index in torch.randperm(len(x)).split(batch_size):
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def test_training_loop():
    assert_passes("mnist-training-loop", _train_model)

    def sgd_full_batch(model, x, y):  # a different, also right, loop
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        for _ in range(100):
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    assert_passes("mnist-training-loop", sgd_full_batch)

    def new_model(model, x, y):  # trains a copy, not the model it was given
        _train_model(torch.nn.Linear(20, 10), x, y)

    def too_short(model, x, y):
        _train_model(model, x, y, epochs=1, batch_size=1000)

    def diverges(model, x, y):  # what a far too large learning rate ends in
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.fill_(float("nan"))

    assert_fails("mnist-training-loop", lambda model, x, y: None, "have not changed")
    assert_fails("mnist-training-loop", new_model, "train the model you were given")
    assert_fails("mnist-training-loop", too_short, "it needs 90%")
    assert_fails("mnist-training-loop", diverges, "diverged")
    assert_fails("mnist-training-loop", 3, "should be a function")


def test_training_loop_check_leaves_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    assert_passes("mnist-training-loop", _train_model)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_checkpoint():
    assert_passes(
        "mnist-checkpoint",
        lambda model, optimizer, epoch: {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch,
        },
    )
    assert_fails(
        "mnist-checkpoint",
        lambda model, optimizer, epoch: {"model": model, "optimizer": optimizer, "epoch": epoch},
        "weights_only=True) refused",
    )
    assert_fails(
        "mnist-checkpoint",
        lambda model, optimizer, epoch: {"model": model.state_dict(), "epoch": epoch},
        "no 'optimizer'",
    )
    assert_fails(
        "mnist-checkpoint",
        lambda model, optimizer, epoch: {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": 0,
        },
        "checkpoint['epoch']",
    )
    assert_fails(
        "mnist-checkpoint",
        lambda model, optimizer, epoch: {
            "model": optimizer.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch,
        },
        "cannot load checkpoint['model']",
    )
    assert_fails(
        "mnist-checkpoint",
        lambda model, optimizer, epoch: {
            "model": model.state_dict(),
            "optimizer": torch.optim.Adam(model.parameters()).state_dict(),
            "epoch": epoch,
        },
        "did not survive",
    )
    assert_fails("mnist-checkpoint", lambda model, optimizer, epoch: None, "should return a dict")


def test_checkpoint_wants_the_epoch_as_given_not_as_a_tensor():
    assert_fails(
        "mnist-checkpoint",
        lambda model, optimizer, epoch: {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": torch.tensor(epoch),
        },
        "is a tensor",
    )
