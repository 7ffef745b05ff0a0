"""Exercises of the Appendix -- common mistakes: find the bug, fix it.

Each checker runs the student's function on data and models it builds itself (never shown in
the notebook) and compares what happens with a correct reference. The checkers leave PyTorch's
global random state as they found it, so checking an answer never changes later results.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.exercises.core import Mismatch, exercise, keeps_global_rng
from pytorch_lessons.exercises.expect import (
    expect_equal,
    expect_function,
    expect_tensor,
)


def _expect_callable(answer: Any, name: str) -> None:
    if not callable(answer):
        raise Mismatch(f"{name} should be a function, but it is of type {type(answer).__name__}.")


# -- the training step ------------------------------------------------------------------------


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
@keeps_global_rng
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
@keeps_global_rng
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


# -- broadcasting in MSELoss ------------------------------------------------------------------

BROADCAST_BATCH = 32


@exercise(
    "mistakes-broadcast-shape",
    why=(
        "Broadcasting lines shapes up from the right: (32, 1) against (32,) stretches the 1 to 32 "
        "and adds a leading 1 to the target, so MSELoss compares every prediction with every "
        "target, 32 × 32 differences instead of 32."
    ),
    hints=[
        "Write the two shapes one above the other, aligned on the right: (32, 1) and (32,). "
        "The missing dimension on the left counts as 1.",
        "In each dimension a size 1 is stretched to the other size: (32, 1) and (1, 32) give "
        "(32, 32).",
        "answer = (32, 32)",
    ],
)
def _broadcast_shape(answer: Any) -> None:
    n = BROADCAST_BATCH
    if isinstance(answer, torch.Tensor):
        raise Mismatch(
            "answer is a tensor -- the difference itself? The question asks for its shape: "
            "write it as a tuple, or take .shape of the tensor."
        )
    if isinstance(answer, (list, torch.Size)):
        answer = tuple(answer)
    if isinstance(answer, int) and not isinstance(answer, bool) and answer == n * n:
        raise Mismatch(
            f"{answer} is the number of differences; give the shape itself, a tuple: (rows, columns)."
        )
    if answer in ((n, 1), (n,), (1, n)):
        raise Mismatch(
            f"{answer} is the shape of one of the two tensors (or of the target with a 1 added "
            "on the left); broadcasting then stretches each size 1 to the other tensor's size."
        )
    expect_equal(answer, (n, n), name="answer")


# -- an in-place operation that breaks backward -----------------------------------------------


def _reference_activation(x: torch.Tensor) -> torch.Tensor:
    return 2 * torch.sigmoid(x) - 1


def _activation_inputs() -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(61)
    return [
        torch.randn(5, generator=generator) * 3,
        torch.randn(4, 6, generator=generator),
        torch.tensor([0.0, -20.0, 20.0]),
    ]


@exercise(
    "mistakes-inplace",
    why=(
        "sigmoid saves its output for the backward pass (its derivative is s * (1 - s)); "
        "changing that output in place would make the gradient wrong, so autograd refuses. "
        "Out-of-place operations make new tensors and leave the saved one alone."
    ),
    hints=[
        "Run backward() on buggy_activation's result: the error says a tensor needed for the "
        "gradient was modified by an inplace operation. Which operations end in an underscore? "
        "(h *= 2, h += 1 and h -= 1 are in-place too.)",
        "Replace h.mul_(2).sub_(1) by operations that return new tensors: h * 2 - 1.",
        "def activation(x): return 2 * torch.sigmoid(x) - 1",
    ],
)
def _inplace(answer: Any) -> None:
    _expect_callable(answer, "activation")
    for number, values in enumerate(_activation_inputs(), start=1):
        name = f"activation on hidden input {number}"
        x = values.clone().requires_grad_(True)
        reference_x = values.clone().requires_grad_(True)
        expected = _reference_activation(reference_x)
        weights = torch.linspace(-1.0, 2.0, values.numel()).reshape(values.shape)
        (expected * weights).sum().backward()
        assert reference_x.grad is not None  # backward() has just filled it
        try:
            got = answer(x)
        except RuntimeError as error:
            message = str(error).split(":")[0].rstrip(".")
            raise Mismatch(f"{name} raised RuntimeError: {message}.") from None
        if got is None:
            raise Mismatch("activation returned None: did you forget `return`?")
        if isinstance(got, torch.Tensor) and got.grad_fn is None:
            raise Mismatch(
                f"{name} is not connected to x (no grad_fn): do not detach it or use .data, "
                "the gradient must flow back to x."
            )
        expect_tensor(got, expected.detach(), name=name, atol=1e-5)
        try:
            (got * weights).sum().backward()
        except RuntimeError as error:
            message = str(error).split(":")[0].rstrip(".")
            raise Mismatch(
                f"backward() through {name} failed: {message}. Use out-of-place operations "
                "(h * 2 - 1) instead of the ones ending in _ and of *=, += and -=."
            ) from None
        expect_tensor(x.grad, reference_x.grad, name=f"the gradient of {name}", atol=1e-5)
