"""Exercises of the Appendix -- common mistakes: find the bug, fix it.

Each checker runs the student's function on data and models it builds itself (never shown in
the notebook) and compares what happens with a correct reference. The checkers leave PyTorch's
global random state as they found it, so checking an answer never changes later results.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.data import make_linear_data
from pytorch_lessons.exercises.core import Mismatch, exercise
from pytorch_lessons.exercises.expect import expect_function, expect_loss_drop, expect_tensor


def _keeps_global_rng(checker: Callable[[Any], None]) -> Callable[[Any], None]:
    """Run ``checker`` without consuming PyTorch's global random numbers (CPU generator)."""

    @functools.wraps(checker)
    def wrapped(answer: Any) -> None:
        with torch.random.fork_rng(devices=[]):
            checker(answer)

    return wrapped


def _expect_callable(answer: Any, name: str) -> None:
    if not callable(answer):
        raise Mismatch(f"{name} should be a function, but it is of type {type(answer).__name__}.")


# -- the training step ------------------------------------------------------------------------


def _reference_train_step(
    model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor
) -> float:
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def _linear_model(seed: int) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(3, 1)


TRAIN_STEPS = 30
# (seed, keyword arguments of torch.optim.SGD)
_OPTIMIZERS: tuple[tuple[int, dict[str, Any]], ...] = (
    (21, {"lr": 0.1}),
    (22, {"lr": 0.05, "momentum": 0.9}),
)


@exercise(
    "mistakes-train-step",
    why=(
        "zero_grad, then backward, then step: clearing first means each step uses this batch's "
        "gradient only, and stepping last means that gradient is actually used."
    ),
    hints=[
        "Look at the order of the three optimizer calls in buggy_train_step: what does "
        "zero_grad() do to the gradients that backward() has just computed?",
        "The gradients must be cleared before backward() fills them, and still be there when "
        "step() reads them. Return the loss as a number with loss.item().",
        "optimizer.zero_grad(); loss = F.mse_loss(model(x), y); loss.backward(); "
        "optimizer.step(); return loss.item()",
    ],
)
@_keeps_global_rng
def _train_step(answer: Any) -> None:
    _expect_callable(answer, "train_step")
    for seed, settings in _OPTIMIZERS:
        x, y = make_linear_data(64, [2.0, -3.0, 0.5], bias=1.0, noise=0.05, seed=seed)
        model, reference = _linear_model(seed), _linear_model(seed)
        optimizer = torch.optim.SGD(model.parameters(), **settings)
        reference_optimizer = torch.optim.SGD(reference.parameters(), **settings)
        losses = []
        for _ in range(TRAIN_STEPS):
            value = answer(model, optimizer, x, y)
            if isinstance(value, torch.Tensor):
                raise Mismatch(
                    "train_step returned a tensor; return the loss as a Python float with "
                    "loss.item() (a kept tensor keeps its whole graph alive)."
                )
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise Mismatch(
                    f"train_step should return the loss as a float, but it returned "
                    f"{type(value).__name__}."
                )
            losses.append(float(value))
            _reference_train_step(reference, reference_optimizer, x, y)
        kind = "SGD with momentum" if "momentum" in settings else "plain SGD"
        expect_loss_drop(losses, 10, name=f"the loss over {TRAIN_STEPS} steps of {kind}")
        expect_tensor(
            model.weight,
            reference.weight,
            name=f"the weights after {TRAIN_STEPS} steps of {kind}",
            atol=1e-4,
        )


# -- prediction at test time ------------------------------------------------------------------


def _classifier(seed: int) -> nn.Sequential:
    """A small classifier with batch norm and dropout, its batch-norm statistics already filled."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3)
    )
    with torch.no_grad():
        for _ in range(5):
            model(torch.randn(32, 4) * 2 + 1)
    model.train()  # as it is at the end of a training loop
    return model


def _reference_predict_proba(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return F.softmax(model(x), dim=1)


@exercise(
    "mistakes-predict",
    why=(
        "model.eval() switches dropout off and makes batch norm use its running statistics, so "
        "a prediction no longer depends on chance or on the rest of the batch; torch.no_grad() "
        "stops PyTorch from recording a graph nobody will use."
    ),
    hints=[
        "Call buggy_predict_proba twice on the same input: the answers differ. Which layers "
        "behave differently during training?",
        "Put the model in evaluation mode with model.eval(), and compute the output inside a "
        "`with torch.no_grad():` block.",
        "model.eval(); with torch.no_grad(): return F.softmax(model(x), dim=1)",
    ],
)
@_keeps_global_rng
def _predict(answer: Any) -> None:
    _expect_callable(answer, "predict_proba")
    for seed, batch in ((31, 8), (32, 1), (33, 5)):
        torch.manual_seed(seed + 100)
        x = torch.randn(batch, 4) * 2 + 1
        expected = _reference_predict_proba(_classifier(seed), x)
        got = answer(_classifier(seed), x.clone())
        if got is None:
            raise Mismatch("predict_proba returned None: did you forget `return`?")
        name = f"predict_proba on a batch of {batch}"
        if isinstance(got, torch.Tensor) and got.requires_grad:
            raise Mismatch(
                f"{name} requires gradients: PyTorch recorded a graph for it. "
                "Compute it inside `with torch.no_grad():`."
            )
        try:
            expect_tensor(got, expected, name=name, atol=1e-5)
        except Mismatch as wrong:
            raise Mismatch(f"{wrong} Are dropout and batch norm still in training mode?") from None


# -- flattening -------------------------------------------------------------------------------


def _reference_flatten(x: torch.Tensor) -> torch.Tensor:
    return torch.flatten(x, 1)


def _flatten_cases() -> list[tuple[torch.Tensor]]:
    generator = torch.Generator().manual_seed(41)
    return [
        (torch.randn(2, 20, 4, 4, generator=generator),),
        (torch.randn(3, 20, 8, 8, generator=generator),),
        (torch.randn(1, 16, 5, 5, generator=generator),),
        (torch.randn(4, 7, 7, 16, generator=generator).permute(0, 3, 1, 2),),  # not contiguous
        (torch.randn(6, 10, generator=generator),),
    ]


@exercise(
    "mistakes-flatten",
    why=(
        "torch.flatten(x, 1) keeps the batch dimension whatever the image size, and copies only "
        "when it must, so a changed input can no longer mix samples together."
    ),
    hints=[
        "x.view(-1, 320) only works when every sample has exactly 320 numbers -- and then -1 "
        "quietly becomes the batch size. What if the images are larger?",
        "Keep dimension 0 (the batch) and merge all the others: torch.flatten takes a start_dim. "
        "It also works on tensors that are not contiguous, where view fails.",
        "return torch.flatten(x, 1)",
    ],
)
def _flatten(answer: Any) -> None:
    _expect_callable(answer, "flatten_batch")
    expect_function(answer, _reference_flatten, _flatten_cases(), name="flatten_batch")


# -- the classification loss ------------------------------------------------------------------


def _loss_case(seed: int) -> tuple[nn.Linear, torch.Tensor, torch.Tensor]:
    torch.manual_seed(seed)
    model = nn.Linear(5, 4)
    x = torch.randn(12, 5) * 3
    y = torch.randint(0, 4, (12,))
    return model, x, y


@exercise(
    "mistakes-logits",
    why=(
        "nn.CrossEntropyLoss applies log-softmax itself: give it the raw scores (logits). A "
        "softmax in front squashes the scores, so the loss can never reach 0 and its gradients "
        "shrink."
    ),
    hints=[
        "Compare the loss of a perfect prediction with and without the softmax in "
        "buggy_classification_loss.",
        "nn.CrossEntropyLoss expects logits -- the model's raw output -- and class-index labels.",
        "return nn.CrossEntropyLoss()(model(x), y)",
    ],
)
@_keeps_global_rng
def _logits(answer: Any) -> None:
    _expect_callable(answer, "classification_loss")
    for seed in (51, 52, 53):
        model, x, y = _loss_case(seed)
        reference = F.cross_entropy(model(x), y)
        reference.backward()
        assert model.weight.grad is not None  # backward() has just filled it
        expected_grad = model.weight.grad.clone()
        model.zero_grad()
        got = answer(model, x.clone(), y.clone())
        if isinstance(got, (int, float)) and not isinstance(got, bool):
            raise Mismatch(
                "classification_loss returned a plain number; return the loss tensor itself, "
                "so that .backward() can be called on it."
            )
        expect_tensor(
            got,
            reference.detach(),
            name=f"the loss on hidden batch {seed - 50}",
            requires_grad=True,
            atol=1e-5,
        )
        got.backward()
        expect_tensor(
            model.weight.grad,
            expected_grad,
            name=f"the gradient of the weights on hidden batch {seed - 50}",
            atol=1e-5,
        )
