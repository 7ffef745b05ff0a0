"""Chapter 05's exercises: right answers pass, typical mistakes get a message that helps."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.exercises import get
from pytorch_lessons.exercises.classification import _spirals, spiral_validation_accuracy

from .conftest import assert_fails, assert_passes

IDS = (
    "classification-softmax",
    "classification-cross-entropy",
    "classification-uniform-loss",
    "classification-shapes",
    "classification-mlp",
)


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    for id_ in IDS:
        ex = get(id_)
        assert ex.chapter == "classification" and len(ex.hints) >= 2 and ex.why


def test_softmax_must_be_stable():
    def stable(z):
        e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
        return e / e.sum(dim=-1, keepdim=True)

    def naive(z):
        return torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)

    assert_passes("classification-softmax", stable)
    assert_passes("classification-softmax", lambda z: torch.softmax(z, dim=1))
    assert_fails("classification-softmax", naive, "exp overflows")
    assert_fails(
        "classification-softmax", lambda z: torch.exp(z) / torch.exp(z).sum(dim=-1), "keepdim=True"
    )
    assert_fails("classification-softmax", lambda z: torch.exp(z) / torch.exp(z).sum(), "differs")
    assert_fails("classification-softmax", lambda z: torch.softmax(z, dim=0), "differs")


def test_cross_entropy_matches_the_library_and_names_common_slips():
    def right(logits, labels):
        return -F.log_softmax(logits, dim=1)[torch.arange(len(labels)), labels].mean()

    def by_logsumexp(logits, labels):
        picked = logits[torch.arange(len(labels)), labels]
        return (torch.logsumexp(logits, dim=1) - picked).mean()

    def rows(logits, labels):
        return -F.log_softmax(logits, dim=1)[torch.arange(len(labels)), labels]

    def unstable(logits, labels):
        return -torch.log(torch.exp(logits) / torch.exp(logits).sum(1, keepdim=True))[
            torch.arange(len(labels)), labels
        ].mean()

    assert_passes("classification-cross-entropy", right)
    assert_passes("classification-cross-entropy", by_logsumexp)
    assert_fails("classification-cross-entropy", lambda z, y: -right(z, y), "wrong sign")
    assert_fails("classification-cross-entropy", lambda z, y: right(z, y) * len(y), "take the mean")
    assert_fails("classification-cross-entropy", rows, "one loss per example")

    def log_of_stable_softmax(logits, labels):
        e = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
        probabilities = e / e.sum(dim=1, keepdim=True)
        return -torch.log(probabilities)[torch.arange(len(labels)), labels].mean()

    assert_fails("classification-cross-entropy", unstable, "Do not take the log of a softmax")
    assert_fails("classification-cross-entropy", log_of_stable_softmax, "gives inf")


def test_uniform_loss_is_log_k():
    assert_passes("classification-uniform-loss", math.log(5))
    assert_passes("classification-uniform-loss", 1.609)
    assert_passes(
        "classification-uniform-loss",
        F.cross_entropy(torch.zeros(8, 5), torch.zeros(8, dtype=torch.long)).item(),
    )
    assert_fails("classification-uniform-loss", 0.2, "probability")
    assert_fails("classification-uniform-loss", -1.609, "wrong sign")
    assert_fails("classification-uniform-loss", torch.tensor(1.609), "not a tensor")
    assert_fails("classification-uniform-loss", math.log(8), "not right")
    assert_fails("classification-uniform-loss", "log 5", "should be a number")


def test_shapes():
    assert_passes("classification-shapes", ((10, 4), (10,)))
    assert_passes("classification-shapes", [[10, 4], [10]])
    assert_fails("classification-shapes", ((10, 4), (10, 4)), "one integer class index")
    assert_fails("classification-shapes", ((10, 4), (10, 1)), "a column")
    assert_fails("classification-shapes", ((10, 4), 10), "written (10,)")
    assert_fails("classification-shapes", ((10, 16), (10,)), "not right")
    assert_fails("classification-shapes", ((4, 10), (10,)), "not right")


def test_validation_spirals_are_the_chapters_data_with_another_seed():
    x, y = _spirals(100, torch.Generator().manual_seed(1))
    assert x.shape == (300, 2) and torch.equal(torch.bincount(y), torch.tensor([100, 100, 100]))
    assert x.abs().max() <= 1.0
    # random places along the arms: another seed gives other radii, not the same ones shifted
    again, _ = _spirals(100, torch.Generator().manual_seed(2))
    assert not torch.allclose(x.norm(dim=1), again.norm(dim=1), atol=0.05)


def _train(model, steps):
    """A few hundred full-batch Adam steps, on one thread: tiny matrices gain nothing from more."""
    x, y = _spirals(100, torch.Generator().manual_seed(1))  # the chapter's training spirals
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(steps):
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
    finally:
        torch.set_num_threads(threads)
    return model


def test_mlp_needs_a_trained_nonlinear_model():
    torch.manual_seed(0)
    mlp = _train(nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 3)), 200)
    assert spiral_validation_accuracy(mlp) > 0.95
    assert_passes("classification-mlp", mlp)
    torch.manual_seed(0)
    assert_fails("classification-mlp", _train(nn.Linear(2, 3), 100), "nonlinearity")
    torch.manual_seed(0)
    untrained = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 3))
    assert_fails("classification-mlp", untrained, "it needs 90 %")
    assert_fails("classification-mlp", nn.Linear(2, 2), "it should give (5, 3)")
    assert_fails("classification-mlp", "model", "should be your trained nn.Module")
