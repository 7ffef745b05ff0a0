"""Exercises of Chapter 07 -- MNIST end to end."""

from __future__ import annotations

import io
import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.exercises.core import Mismatch, exercise, keeps_global_rng
from pytorch_lessons.exercises.expect import expect_function


def _normalize(images: torch.Tensor) -> torch.Tensor:
    return (images.unsqueeze(1).float() / 255 - MNIST_MEAN) / MNIST_STD


@exercise(
    "mnist-normalize",
    why="ToTensor + Normalize, done once for a whole tensor of images instead of once per "
    "sample: the trick that makes in-memory training fast.",
    hints=[
        "Three steps, in this order: give every image a channel dimension, so the shape becomes "
        "(N, 1, 28, 28); scale 0..255 to 0..1; then standardize with MNIST_MEAN and MNIST_STD.",
        "uint8 arithmetic would overflow or truncate: convert with .float() before dividing.",
        "return (images.unsqueeze(1).float() / 255 - MNIST_MEAN) / MNIST_STD",
    ],
)
def _normalize_check(answer: Any) -> None:
    generator = torch.Generator().manual_seed(11)
    cases = [
        (torch.randint(0, 256, (n, 28, 28), generator=generator, dtype=torch.uint8),)
        for n in (1, 3, 7)
    ]
    cases.append((torch.full((2, 28, 28), 255, dtype=torch.uint8),))
    expect_function(answer, _normalize, cases, name="normalize", atol=1e-4)
    result = answer(cases[0][0].clone())
    if result.dtype != torch.float32:
        raise Mismatch(f"normalize should return float32 values, got {result.dtype}.")


def _accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return (logits.argmax(dim=1) == labels).float().mean().item()


@exercise(
    "mnist-accuracy",
    why="argmax over the logits, compare with the labels, average: the number every "
    "classifier is judged by.",
    hints=[
        "The predicted class of each row is logits.argmax(dim=1).",
        "Comparing with labels gives a bool tensor; .float().mean() is the fraction that is True, "
        "and .item() turns it into a Python float.",
        "return (logits.argmax(dim=1) == labels).float().mean().item()",
    ],
)
def _accuracy_check(answer: Any) -> None:
    generator = torch.Generator().manual_seed(3)
    cases = []
    for n in (5, 16, 64):
        logits = torch.randn(n, 10, generator=generator)
        labels = torch.randint(0, 10, (n,), generator=generator)
        cases.append((logits, labels))
    logits = torch.randn(8, 10, generator=generator)
    cases.append((logits, logits.argmax(dim=1)))  # all right: 1.0
    for logits, labels in cases:
        got = answer(logits.clone(), labels.clone())
        if isinstance(got, torch.Tensor):
            raise Mismatch("accuracy should return a Python float, not a tensor: add .item().")
        if not isinstance(got, (int, float)) or not math.isclose(
            float(got), _accuracy(logits, labels), abs_tol=1e-6
        ):
            raise Mismatch(
                f"accuracy on {len(labels)} samples gave {got!r}, expected "
                f"{_accuracy(logits, labels):.4f} (a fraction between 0 and 1)."
            )


def _tiny_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))


def _train_step(model: nn.Module, optimizer: torch.optim.Optimizer, xb, yb) -> float:
    logits = model(xb)
    loss = F.cross_entropy(logits, yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


@exercise(
    "mnist-train-step",
    why="forward, loss, zero_grad, backward, step: the five lines at the heart of every PyTorch "
    "training loop.",
    hints=[
        "Compute logits = model(xb) and loss = nn.functional.cross_entropy(logits, yb) -- on the raw "
        "logits, no softmax.",
        "Then optimizer.zero_grad(), loss.backward(), optimizer.step(); without zero_grad the "
        "gradients of earlier steps add up.",
        "Return loss.item(), a Python float.",
    ],
)
def _train_step_check(answer: object) -> None:
    if not callable(answer):
        raise Mismatch(f"train_step should be a function, got {type(answer).__name__}.")
    generator = torch.Generator().manual_seed(17)
    batches = [
        (torch.randn(6, 4, 4, generator=generator), torch.randint(0, 3, (6,), generator=generator))
        for _ in range(3)
    ]
    state = torch.random.get_rng_state()
    try:
        theirs, ours = _tiny_model(0), _tiny_model(0)
    finally:
        torch.random.set_rng_state(state)
    their_opt = torch.optim.SGD(theirs.parameters(), lr=0.5, momentum=0.9)
    our_opt = torch.optim.SGD(ours.parameters(), lr=0.5, momentum=0.9)
    for step, (xb, yb) in enumerate(batches, start=1):
        got = answer(theirs, their_opt, xb.clone(), yb.clone())
        expected = _train_step(ours, our_opt, xb, yb)
        if got is None:
            raise Mismatch("train_step returned None: return the loss with loss.item().")
        if isinstance(got, torch.Tensor):
            raise Mismatch("train_step should return a Python float: use loss.item().")
        if not isinstance(got, (int, float)) or not math.isclose(got, expected, rel_tol=1e-4):
            raise Mismatch(
                f"step {step} returned the loss {got!r}, expected {expected:.4f}: compute "
                "cross_entropy on the model's raw logits."
            )
        same = all(
            torch.allclose(a, b, atol=1e-5)
            for a, b in zip(theirs.parameters(), ours.parameters(), strict=True)
        )
        if not same:
            unchanged = all(
                torch.equal(a, b)
                for a, b in zip(theirs.parameters(), _tiny_model(0).parameters(), strict=True)
            )
            if unchanged:
                why = (
                    "they have not changed at all. Did you call optimizer.step() after "
                    "loss.backward() -- and zero_grad() before backward(), not between backward() "
                    "and step(), where it clears the gradients step() needs?"
                )
            elif step == 1:
                why = "did you call optimizer.step() after loss.backward()?"
            else:
                why = "did you forget optimizer.zero_grad()? Old gradients add up."
            raise Mismatch(f"after step {step} the weights are not what they should be: {why}")


# -- a whole training loop ----------------------------------------------------------------------

LOOP_FEATURES, LOOP_CLASSES, LOOP_BAR = 20, 10, 0.9


def _blobs(count: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Ten overlapping Gaussian clouds in 20 dimensions, the same centres for every seed."""
    centres = torch.randn(LOOP_CLASSES, LOOP_FEATURES, generator=torch.Generator().manual_seed(61))
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, LOOP_CLASSES, (count,), generator=generator)
    points = centres[labels] + 0.6 * torch.randn(count, LOOP_FEATURES, generator=generator)
    return points, labels


def _loop_model() -> nn.Module:
    torch.manual_seed(62)
    return nn.Sequential(nn.Linear(LOOP_FEATURES, 64), nn.ReLU(), nn.Linear(64, LOOP_CLASSES))


@exercise(
    "mnist-training-loop",
    why="a training loop is a handful of lines you will write again and again: an optimizer, "
    "epochs of shuffled mini-batches, and forward, loss, zero_grad, backward, step for each.",
    hints=[
        "Build the optimizer yourself, over model.parameters(): torch.optim.Adam with lr=1e-2 "
        "works well here. Put the model in training mode with model.train().",
        "About 10 epochs. In each, shuffle the indices (torch.randperm) and cut them into "
        "batches of 64 (.split). For each batch: the logits, F.cross_entropy against the labels, "
        "then the optimizer's three steps in their order: clear the old gradients, "
        "backpropagate, update.",
        "optimizer = torch.optim.Adam(model.parameters(), lr=1e-2); model.train(); "
        "for _ in range(10): for index in torch.randperm(len(x)).split(64): "
        "loss = F.cross_entropy(model(x[index]), y[index]); optimizer.zero_grad(); "
        "loss.backward(); optimizer.step()",
    ],
)
@keeps_global_rng
def _training_loop_check(answer: Any) -> None:
    if not callable(answer):
        raise Mismatch(f"train_model should be a function, got {type(answer).__name__}.")
    x, y = _blobs(2000, seed=63)
    x_held_out, y_held_out = _blobs(1000, seed=64)
    model = _loop_model()
    before = [p.detach().clone() for p in model.parameters()]
    torch.manual_seed(65)
    answer(model, x.clone(), y.clone())
    if all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True)):
        raise Mismatch(
            "after train_model the model's weights have not changed: train the model you were "
            "given, in place -- an optimizer over model.parameters(), and optimizer.step() after "
            "loss.backward() for every batch."
        )
    model.eval()
    with torch.no_grad():
        logits = model(x_held_out)
    if not all(math.isfinite(v) for v in logits.flatten().tolist()):
        raise Mismatch(
            "after train_model the model outputs nan or inf: the training diverged. Try a "
            "smaller learning rate."
        )
    accuracy = (logits.argmax(dim=1) == y_held_out).float().mean().item()
    if accuracy < LOOP_BAR:
        raise Mismatch(
            f"after train_model the model gets {accuracy:.1%} of the held-out samples right; it "
            f"needs {LOOP_BAR:.0%}. Train for more epochs or with a larger learning rate, zero "
            "the gradients every step, and compute cross_entropy on the raw logits."
        )


def _most_confused(confusion: torch.Tensor) -> tuple[int, int]:
    mistakes = confusion.clone()
    mistakes.fill_diagonal_(-1)
    flat = int(mistakes.argmax())
    return (flat // confusion.shape[1], flat % confusion.shape[1])


@exercise(
    "mnist-most-confused",
    why="the largest off-diagonal count of a confusion matrix names the pair of classes your "
    "model mixes up most -- where to look for better data or a better model.",
    hints=[
        "The diagonal holds the right answers: copy the matrix (.clone()) and overwrite the "
        "diagonal (fill_diagonal_) with -1 so that it can never be the largest.",
        "argmax() of the whole matrix gives a flat index; row = index // n_columns, "
        "column = index % n_columns.",
        "Return a tuple of two Python ints: (int(row), int(column)).",
    ],
)
def _most_confused_check(answer: object) -> None:
    if not callable(answer):
        raise Mismatch(f"most_confused should be a function, got {type(answer).__name__}.")
    generator = torch.Generator().manual_seed(29)
    cases = []
    for n in (3, 5, 10):
        matrix = torch.randint(0, 20, (n, n), generator=generator)
        matrix += torch.eye(n, dtype=torch.int64) * 500  # a big diagonal, as in a good model
        cases.append(matrix)
    skewed = torch.eye(4, dtype=torch.int64) * 9
    skewed[3, 0] = 7
    cases.append(skewed)
    for matrix in cases:
        got = answer(matrix.clone())
        expected = _most_confused(matrix)
        if isinstance(got, torch.Tensor) or not isinstance(got, tuple):
            raise Mismatch(
                f"most_confused should return a tuple (true, predicted) of ints, got "
                f"{type(got).__name__}."
            )
        if tuple(int(v) for v in got) != expected or not all(isinstance(v, int) for v in got):
            raise Mismatch(
                f"for a {len(matrix)}×{len(matrix)} confusion matrix you returned {got!r}; the "
                "largest count off the diagonal is elsewhere (and both values must be ints)."
            )


# -- a checkpoint --------------------------------------------------------------------------------


def _checkpoint_setup(seed: int) -> tuple[nn.Module, torch.optim.Optimizer]:
    """A tiny model and an Adam that has already taken two steps (so it has state to save)."""
    model = _tiny_model(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(2):
        xb = torch.randn(6, 4, 4, generator=generator)
        yb = torch.randint(0, 3, (6,), generator=generator)
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, optimizer


@exercise(
    "mnist-checkpoint",
    why="to resume a training run you need more than the weights: the optimizer's state (Adam's "
    "running averages, its step count) and where you stopped. state_dicts hold only tensors and "
    "numbers, so torch.load(..., weights_only=True) can read them safely.",
    hints=[
        "Both the model and the optimizer have a state_dict() method; store those, not the "
        "objects themselves (weights_only=True refuses to load whole objects).",
        "Store the epoch unchanged, as the plain int you were given; a dictionary literal with "
        "the three keys is all it takes.",
        'return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}',
    ],
)
@keeps_global_rng
def _checkpoint_check(answer: Any) -> None:
    if not callable(answer):
        raise Mismatch(f"make_checkpoint should be a function, got {type(answer).__name__}.")
    for seed, epoch in ((71, 3), (72, 11)):
        model, optimizer = _checkpoint_setup(seed)
        checkpoint = answer(model, optimizer, epoch)
        if not isinstance(checkpoint, dict):
            raise Mismatch(
                f"make_checkpoint should return a dict, got {type(checkpoint).__name__}."
            )
        missing = {"model", "optimizer", "epoch"} - set(checkpoint)
        if missing:
            raise Mismatch(
                f"the checkpoint has no {', '.join(repr(k) for k in sorted(missing))}: it needs "
                "the keys 'model', 'optimizer' and 'epoch'."
            )
        buffer = io.BytesIO()
        torch.save(checkpoint, buffer)
        buffer.seek(0)
        try:
            loaded = torch.load(buffer, weights_only=True)
        except Exception:  # the unpickler names what it refused; the advice is the same
            raise Mismatch(
                "torch.load(..., weights_only=True) refused the checkpoint: store "
                "model.state_dict() and optimizer.state_dict(), not the objects themselves."
            ) from None
        if isinstance(loaded["epoch"], torch.Tensor):
            raise Mismatch(
                "checkpoint['epoch'] is a tensor; store the epoch you were given unchanged -- a "
                f"plain Python int ({epoch}), which anyone reading the checkpoint can use as is."
            )
        if isinstance(loaded["epoch"], bool) or loaded["epoch"] != epoch:
            raise Mismatch(f"checkpoint['epoch'] is {loaded['epoch']!r}, expected {epoch}.")
        fresh = _tiny_model(seed + 100)
        try:
            fresh.load_state_dict(loaded["model"])
        except Exception:
            raise Mismatch(
                "a fresh model cannot load checkpoint['model']: store model.state_dict()."
            ) from None
        fresh_optimizer = torch.optim.Adam(fresh.parameters(), lr=0.01)
        try:
            fresh_optimizer.load_state_dict(loaded["optimizer"])
        except Exception:
            raise Mismatch(
                "a fresh Adam cannot load checkpoint['optimizer']: store optimizer.state_dict()."
            ) from None
        for (name, theirs), ours in zip(
            fresh.state_dict().items(), model.state_dict().values(), strict=True
        ):
            if not torch.equal(theirs, ours):
                raise Mismatch(f"checkpoint['model'][{name!r}] differs from the model's weights.")
        for theirs_p, ours_p in zip(fresh.parameters(), model.parameters(), strict=True):
            a, b = fresh_optimizer.state.get(theirs_p, {}), optimizer.state[ours_p]
            if "exp_avg" not in a or not (
                torch.equal(a["exp_avg"], b["exp_avg"]) and int(a["step"]) == int(b["step"])
            ):
                raise Mismatch(
                    "the optimizer's state (Adam's running averages) did not survive: store "
                    "optimizer.state_dict()."
                )
