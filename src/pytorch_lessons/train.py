"""A short, readable training loop: ``fit`` a model, ``evaluate`` it.

The book writes this loop by hand first; these helpers are for later chapters, once the
loop itself is no longer the lesson.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


@dataclass
class History:
    """What ``fit`` measured: one value per epoch, plus every step's training loss."""

    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_accuracy: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


def batches(
    x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = False, seed: int = 0
) -> Batches:
    """Yield ``(x, y)`` mini-batches from two in-memory tensors (a DataLoader without the cost)."""
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    order = (
        torch.randperm(len(x), generator=torch.Generator().manual_seed(seed)) if shuffle else None
    )
    for start in range(0, len(x), batch_size):
        index = (
            slice(start, start + batch_size) if order is None else order[start : start + batch_size]
        )
        yield x[index], y[index]


def evaluate(
    model: nn.Module,
    data: Batches | tuple[torch.Tensor, torch.Tensor],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    batch_size: int = 1000,
) -> dict[str, float]:
    """Mean loss (and accuracy, for class-index targets) of ``model`` over ``data``.

    Runs in ``model.eval()`` mode under ``torch.no_grad()`` and restores the previous mode.
    """
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    device = _model_device(model)
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    try:
        with torch.no_grad():
            for xb, yb in _as_batches(data, batch_size, shuffle=False, seed=0):
                xb, yb = xb.to(device), yb.to(device)
                output = model(xb)
                total_loss += _loss(loss_fn, output, yb).item() * len(xb)
                if _is_classification(output, yb):
                    correct += (output.argmax(dim=1) == yb).sum().item()
                count += len(xb)
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("cannot evaluate on empty data")
    result = {"loss": total_loss / count}
    if _is_classification(output, yb):
        result["accuracy"] = correct / count
    return result


def fit(
    model: nn.Module,
    train_data: Batches | tuple[torch.Tensor, torch.Tensor],
    *,
    epochs: int,
    lr: float = 0.1,
    optimizer: torch.optim.Optimizer | None = None,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    valid_data: Batches | tuple[torch.Tensor, torch.Tensor] | None = None,
    batch_size: int = 64,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    progress: bool = True,
    on_epoch_end: Callable[[History], None] | None = None,
    seed: int = 0,
) -> History:
    """Train ``model`` for ``epochs`` and return its :class:`History`.

    ``train_data`` is a DataLoader (or any iterable of ``(x, y)`` batches, re-iterated every
    epoch) or a pair of tensors ``(x, y)``, then shuffled into ``batch_size`` batches each epoch.
    Uses ``SGD(lr)`` and ``CrossEntropyLoss`` unless given others. ``scheduler`` steps once per
    batch. Stops with :class:`TrainingDiverged` as soon as the loss is NaN or infinite.
    """
    device = _model_device(model)
    _check_positive_int("epochs", epochs)
    _check_positive_int("batch_size", batch_size)
    if optimizer is None:
        if (
            isinstance(lr, bool)
            or not isinstance(lr, (int, float))
            or not math.isfinite(lr)
            or lr <= 0
        ):
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = History()
    bar = _progress(epochs, enabled=progress)
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in _as_batches(train_data, batch_size, shuffle=True, seed=seed + epoch):
            xb, yb = xb.to(device), yb.to(device)
            loss = _loss(loss_fn, model(xb), yb)
            if not torch.isfinite(loss):
                raise TrainingDiverged(
                    f"the loss became {loss.item()} at epoch {epoch + 1}: "
                    "the learning rate is probably too large -- try a smaller one"
                )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            history.step_loss.append(loss.item())
            total += loss.item() * len(xb)
            count += len(xb)
        if count == 0:
            raise ValueError("cannot train on empty data")
        history.train_loss.append(total / count)
        if valid_data is not None:
            metrics = evaluate(model, valid_data, loss_fn)
            history.valid_loss.append(metrics["loss"])
            if "accuracy" in metrics:
                history.valid_accuracy.append(metrics["accuracy"])
        if bar is not None:
            bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}")
            bar.update(1)
        if on_epoch_end is not None:
            on_epoch_end(history)
    if bar is not None:
        bar.close()
    return history


def _as_batches(data, batch_size: int, shuffle: bool, seed: int) -> Batches:
    if (
        isinstance(data, (tuple, list))
        and len(data) == 2
        and all(isinstance(t, torch.Tensor) for t in data)
    ):
        return batches(data[0], data[1], batch_size, shuffle=shuffle, seed=seed)
    if isinstance(data, torch.Tensor) or not isinstance(data, Iterable):
        raise TypeError(
            "data must be a DataLoader (or iterable of (x, y) batches) or a pair of tensors (x, y), "
            f"got {type(data).__name__}"
        )
    return data


def _loss(loss_fn, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    try:
        return loss_fn(output, target)
    except (RuntimeError, ValueError, IndexError) as error:
        raise ValueError(
            f"the model's output of shape {tuple(output.shape)} does not fit targets of shape "
            f"{tuple(target.shape)} and dtype {target.dtype} for {type(loss_fn).__name__}: "
            f"{str(error).splitlines()[0]}"
        ) from None


def _is_classification(output: torch.Tensor, target: torch.Tensor) -> bool:
    return output.ndim == 2 and target.ndim == 1 and not target.is_floating_point()


def _model_device(model: nn.Module) -> torch.device:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="epochs", unit="epoch", leave=False)
