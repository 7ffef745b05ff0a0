"""Exercises of Chapter 08 -- the capstone: small digits, from the split to a checkpoint.

The checkers judge outcomes, not code: the sizes of a split, what a model class builds, the
accuracy of a trained model on 10 000 held-out digits that only the checker sees, and whether a
checkpoint file reloads into a fresh model that is just as good.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import re
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons.checks import is_int
from pytorch_lessons.exercises.core import Mismatch, exercise

N_DIGITS = 60_000  # the training split of MNIST, downscaled
N_VALIDATION = 6_000
N_TRAIN = N_DIGITS - N_VALIDATION
INPUT_SHAPE = (1, 14, 14)
MAX_PARAMETERS = 50_000
BAR = 0.97  # accuracy on the held-out digits


def small_digits(images: torch.Tensor) -> torch.Tensor:
    """MNIST images ``(N, 1, 28, 28)`` downscaled to 14 × 14: each pixel the mean of a 2 × 2 block."""
    return F.avg_pool2d(images, kernel_size=2)


@functools.cache
def _mnist_held_out() -> tuple[torch.Tensor, torch.Tensor]:
    from pytorch_lessons.data import DataNotFoundError, mnist_tensors

    try:
        images, labels = mnist_tensors(train=False)
    except DataNotFoundError as error:
        raise Mismatch(f"this check needs MNIST's test digits: {error}") from None
    return small_digits(images), labels


def _held_out() -> tuple[torch.Tensor, torch.Tensor]:
    """The 10 000 MNIST test digits at 14 × 14: the chapter never shows them to the student."""
    return _mnist_held_out()


# -- capstone-split ----------------------------------------------------------------------------


def _indices(part: Any, name: str) -> tuple[torch.Tensor, Any]:
    """The indices a split part selects, and the data set it indexes (None for plain indices)."""
    if isinstance(part, torch.utils.data.Subset):
        return torch.as_tensor(list(part.indices), dtype=torch.int64), part.dataset
    if isinstance(part, torch.Tensor) and part.ndim == 1 and not part.dtype.is_floating_point:
        return part.to(torch.int64).cpu(), None
    raise Mismatch(
        f"the {name} part should be a Subset (what random_split returns) or a 1-D tensor of "
        f"indices, but it is of type {type(part).__name__}."
    )


@exercise(
    "capstone-split",
    why="54 000 digits to learn from and 6 000 that training never touches: every choice you "
    "make from here on is judged on the validation part.",
    hints=[
        "torch.utils.data.random_split(dataset, [54_000, 6_000], generator=...) returns two "
        "Subsets; a seeded torch.Generator makes the split the same every run.",
        "Split the TensorDataset of the 14×14 digits (`digits` above), training part first.",
        "split = random_split(digits, [54_000, 6_000], generator=torch.Generator().manual_seed(0))",
    ],
)
def _split_check(answer: Any) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Mismatch(
            "give the two parts as a pair (train_part, val_part), e.g. the list random_split "
            f"returns; got {type(answer).__name__}"
            + (f" of length {len(answer)}." if isinstance(answer, (tuple, list)) else ".")
        )
    train, train_data = _indices(answer[0], "training")
    val, val_data = _indices(answer[1], "validation")
    if train_data is not None and val_data is not None and train_data is not val_data:
        raise Mismatch("the two parts index different data sets: split one data set in two.")
    dataset = train_data if train_data is not None else val_data
    if dataset is not None:
        if len(dataset) != N_DIGITS:
            raise Mismatch(
                f"you split a data set of {len(dataset):,} samples; split all {N_DIGITS:,} "
                "training digits (`digits`)."
            )
        sample = dataset[0]
        if not (isinstance(sample, (tuple, list)) and len(sample) == 2):
            what = (
                f"a tensor of shape {tuple(sample.shape)}"
                if isinstance(sample, torch.Tensor)
                else f"a {type(sample).__name__}"
            )
            raise Mismatch(
                f"each sample of what you split is {what}, not an (image, label) pair: you "
                "split the images alone. Split `digits`, the TensorDataset of the 14×14 images "
                "and their labels."
            )
        shape = tuple(sample[0].shape) if isinstance(sample[0], torch.Tensor) else None
        if shape != INPUT_SHAPE:
            raise Mismatch(
                f"the samples you split have shape {shape}; split the 14×14 digits, shape "
                f"{INPUT_SHAPE} (`digits`, not the 28×28 originals)."
            )
    if (len(train), len(val)) != (N_TRAIN, N_VALIDATION):
        swapped = (len(train), len(val)) == (N_VALIDATION, N_TRAIN)
        raise Mismatch(
            f"the parts have {len(train):,} and {len(val):,} samples; they should have "
            f"{N_TRAIN:,} (training) and {N_VALIDATION:,} (validation)"
            + (": the training part comes first." if swapped else ".")
        )
    both = torch.cat([train, val])
    if both.numel() and (both.min() < 0 or both.max() >= N_DIGITS):
        raise Mismatch(f"some indices are outside 0..{N_DIGITS - 1}.")
    overlap = len(both) - len(torch.unique(both))
    if overlap:
        raise Mismatch(
            f"{overlap:,} indices are in both parts (or twice in one): a validation digit "
            "the model also trained on says nothing about new digits. Draw one permutation "
            "and cut it, or use random_split."
        )
    for part, name in ((train, "training"), (val, "validation")):
        if _is_block(part):
            raise Mismatch(
                f"the {name} part is one contiguous block of the file (indices "
                f"{int(part.min()):,} to {int(part.max()):,}), a cut in file order: shuffle all "
                f"{N_DIGITS:,} first (random_split with a seeded generator), so that both "
                "parts are drawn from the same mix."
            )


def _is_block(indices: torch.Tensor) -> bool:
    """Whether the indices are one contiguous run of the file, in any order."""
    if not indices.numel():
        return False
    return int(indices.max() - indices.min()) + 1 == len(indices)


# -- capstone-model ----------------------------------------------------------------------------


def _device_of(model: nn.Module) -> torch.device:
    """Where the model's parameters live (the CPU for a model without any)."""
    return next(model.parameters(), torch.empty(0)).device


def _probe(model: nn.Module, name: str, batch: int = 5) -> torch.Tensor:
    """The model's output, in eval mode and without gradients, for a seeded batch of inputs."""
    generator = torch.Generator().manual_seed(5)
    x = torch.randn(batch, *INPUT_SHAPE, generator=generator)
    device = _device_of(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(x.to(device))
    except RuntimeError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise Mismatch(
            f"{name} fails on a batch of 14×14 digits, shape {(batch, *INPUT_SHAPE)}: {first}"
        ) from None
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise Mismatch(f"{name} returned a {type(out).__name__}, not a tensor of logits.")
    if tuple(out.shape) != (batch, 10):
        raise Mismatch(
            f"{name} maps a batch of shape {(batch, *INPUT_SHAPE)} to shape {tuple(out.shape)}; "
            f"it should give ({batch}, 10): one logit per class."
        )
    return out.float().cpu()


def _check_parameters(model: nn.Module, name: str) -> None:
    count = sum(p.numel() for p in model.parameters())
    if count == 0:
        raise Mismatch(f"{name} has no parameters: there is nothing to train.")
    if count > MAX_PARAMETERS:
        raise Mismatch(
            f"{name} has {count:,} parameters, over the budget of {MAX_PARAMETERS:,}: make "
            "the layers narrower (a small CNN needs far fewer)."
        )


@exercise(
    "capstone-model",
    why="a model is a class: the checkpoint can only be loaded back into a fresh model built "
    "from it, and it has to fit the input and the budget before any training is worth it.",
    hints=[
        "Subclass nn.Module: build the layers in __init__ (after super().__init__()), use them "
        "in forward. Chapter 06's blocks work: Conv2d, MaxPool2d, BatchNorm2d, ReLU, Flatten, "
        "Linear. Two 2×2 poolings take 14×14 to 7×7 to 3×3.",
        "End with a Linear layer that gives 10 outputs and no softmax: CrossEntropyLoss wants "
        "logits. Count the parameters with sum(p.numel() for p in model.parameters()).",
        "class SmallDigitNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.features = nn.Sequential(\n"
        "            nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.MaxPool2d(2), "
        "nn.BatchNorm2d(16), nn.ReLU(),\n"
        "            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.MaxPool2d(2), "
        "nn.BatchNorm2d(32), nn.ReLU())\n"
        "        self.classifier = nn.Linear(32 * 3 * 3, 10)\n\n"
        "    def forward(self, x):\n"
        "        return self.classifier(self.features(x).flatten(1))",
    ],
)
def _model_check(answer: Any) -> None:
    if isinstance(answer, nn.Module):
        raise Mismatch(
            f"give the class itself ({type(answer).__name__}), not a model built from it: the "
            "checkpoint check builds a fresh one."
        )
    if not (inspect.isclass(answer) and issubclass(answer, nn.Module)):
        raise Mismatch(
            f"your answer should be a subclass of nn.Module, but it is {answer!r} of type "
            f"{type(answer).__name__}."
        )
    if answer.forward is nn.Module.forward and answer.__init__ is nn.Module.__init__:
        raise Mismatch(
            f"not solved yet -- {answer.__name__} needs layers (built in __init__) and a "
            "forward method that uses them."
        )
    if answer.forward is nn.Module.forward:
        raise Mismatch(f"{answer.__name__} has no forward method: write one that returns logits.")
    with torch.random.fork_rng(devices=[]):  # building the model must not move the reader's seed
        try:
            model = answer()
        except TypeError as error:
            raise Mismatch(
                f"{answer.__name__}() failed ({error}): it must build with no arguments "
                "(give every argument of __init__ a default)."
            ) from None
    _check_parameters(model, answer.__name__)
    out = _probe(model, answer.__name__)
    ones = torch.ones(len(out))
    if bool((out >= 0).all()) and torch.allclose(out.sum(dim=1), ones, atol=1e-4):
        raise Mismatch(
            f"{answer.__name__} outputs probabilities (each row sums to 1): drop the final "
            "softmax -- CrossEntropyLoss applies softmax to the raw logits itself."
        )
    if bool((out <= 0).all()) and torch.allclose(out.exp().sum(dim=1), ones, atol=1e-4):
        raise Mismatch(
            f"{answer.__name__} outputs log-probabilities (all <= 0, each row's exp() sums to "
            "1): drop the final log_softmax -- CrossEntropyLoss applies it to the raw logits "
            "itself."
        )


# -- capstone-train ----------------------------------------------------------------------------


def held_out_accuracy(model: nn.Module, batch_size: int = 1000) -> float:
    """The fraction of the held-out digits the model classifies right, in eval mode, no grad."""
    images, labels = _held_out()
    device = _device_of(model)
    was_training = model.training
    model.eval()
    correct = 0
    try:
        with torch.no_grad():
            for start in range(0, len(labels), batch_size):
                xb = images[start : start + batch_size].to(device)
                yb = labels[start : start + batch_size].to(device)
                correct += int((model(xb).argmax(dim=1) == yb).sum())
    finally:
        model.train(was_training)
    return correct / len(labels)


def _check_accuracy(accuracy: float, what: str, advice: str) -> str:
    """Below the bar: a Mismatch; above it, what the ✓ line says about the accuracy."""
    if accuracy >= BAR:
        # "accuracy on N digits: 98.6%" is what book/nbval-tolerances.toml's `accuracy` kind finds
        n = len(_held_out()[1])
        return f"held-out accuracy on {n:,} digits: {accuracy:.1%} (bar: {BAR:.0%})"
    chance = " -- chance level: has it been trained at all?" if accuracy < 0.2 else ""
    raise Mismatch(
        f"{what} gets {math.floor(accuracy * 1000) / 10:.1f} % of the check's "
        f"{len(_held_out()[1]):,} held-out digits right{chance}; the bar is {BAR * 100:.0f} %. {advice}"
    )


@exercise(
    "capstone-train",
    why="the held-out digits were never used for a single choice, so their accuracy is an "
    "honest estimate of how the model does on digits it has never seen.",
    hints=[
        "Train on the training part only, with CrossEntropyLoss on the logits and Adam; after "
        "every epoch measure the validation accuracy under model.eval() and torch.no_grad(), "
        "and switch back to model.train() before the next epoch.",
        "Early stopping: keep a copy of the best weights so far "
        "(copy.deepcopy(model.state_dict())), stop when validation accuracy has not improved "
        "for a couple of epochs, and load the best weights back at the end.",
        "x_train, y_train = x_digits[train_part.indices], y_digits[train_part.indices] (and the "
        "same for x_val, y_val); model = SmallDigitNet().to(memory_format=torch.channels_last) "
        "(faster on a CPU); optimizer = torch.optim.Adam("
        "model.parameters(), lr=0.01); then for each of up to 3 epochs: model.train(); for index "
        "in torch.randperm(len(x_train)).split(512): loss = nn.functional.cross_entropy("
        "model(x_train[index]), y_train[index]); optimizer.zero_grad(); loss.backward(); "
        "optimizer.step(). After the epoch: model.eval(), and under torch.no_grad() val = "
        "(model(x_val).argmax(dim=1) == y_val).float().mean().item(); if val beats the best so "
        "far, keep best_epoch = epoch and copy.deepcopy() of model.state_dict() and "
        "optimizer.state_dict(); stop after 2 epochs without progress. Finally "
        "model.load_state_dict(best_model_state) and check('capstone-train', model).",
    ],
)
def _train_check(answer: Any) -> str:
    if inspect.isclass(answer):
        raise Mismatch(
            f"give the trained model, an instance of {answer.__name__}, not the class itself."
        )
    if not isinstance(answer, nn.Module):
        raise Mismatch(
            f"your answer should be the trained nn.Module, but it is of type "
            f"{type(answer).__name__}."
        )
    _check_parameters(answer, "your model")
    _probe(answer, "your model")
    return _check_accuracy(
        held_out_accuracy(answer),
        "your model",
        "Train longer or with another learning rate, and choose on the validation accuracy.",
    )


# -- capstone-checkpoint -----------------------------------------------------------------------

_KEYS = ("model", "optimizer", "epoch")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # the bold/reset codes torch.load puts in its messages
_UNSUPPORTED = re.compile(r"Unsupported global: GLOBAL (\S+)")


def _plain(text: str) -> str:
    """An error message without terminal escape codes."""
    return _ANSI.sub("", text)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 4].rstrip() + " ..."


def _load_failure(error: Exception) -> str:
    """Why torch.load(path, weights_only=True) refused the file, in the reader's terms."""
    text = _plain(str(error)).strip()
    found = _UNSUPPORTED.search(text)
    if found and found.group(1).startswith("numpy"):
        return (
            "the file does not load with torch.load(path, weights_only=True): it holds a NumPy "
            f"value ({found.group(1)}), which weights_only=True refuses. Save plain Python "
            "numbers instead -- int(epoch), float(...) -- and tensors."
        )
    if found:
        return (
            "the file does not load with torch.load(path, weights_only=True): it holds an "
            f"object of class {found.group(1)}, which weights_only=True refuses. Save state_dict()s "
            "and plain values, not the model or optimizer objects."
        )
    first = text.splitlines()[0] if text else type(error).__name__
    return (
        "the file does not load with torch.load(path, weights_only=True) "
        f"({type(error).__name__}: {_shorten(first, 160)}): write it with "
        "torch.save(checkpoint, path)."
    )


@exercise(
    "capstone-checkpoint",
    why="model weights, optimizer state and epoch: everything needed to use the model later or "
    "to resume its training where it stopped, in a file that loads without running code.",
    hints=[
        "A checkpoint is a plain dict: {'model': model.state_dict(), 'optimizer': "
        "optimizer.state_dict(), 'epoch': ...}; torch.save(checkpoint, path) writes it.",
        "Put the file in a temporary folder (tempfile.mkdtemp()), and give the check the class "
        "and the path: (SmallDigitNet, path). It loads the file with weights_only=True, so save "
        "state_dict()s, not the model or optimizer objects.",
        "path = Path(tempfile.mkdtemp()) / 'small_digits.pt'\n"
        "torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), "
        "'epoch': best_epoch}, path)\n"
        "answer = (SmallDigitNet, path)",
    ],
)
def _checkpoint_check(answer: Any) -> str:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Mismatch("give the class and the file as a pair: (SmallDigitNet, path).")
    model_class, path = answer
    if not (inspect.isclass(model_class) and issubclass(model_class, nn.Module)):
        raise Mismatch(
            "the first item should be your model's class (SmallDigitNet), but it is of type "
            f"{type(model_class).__name__}."
        )
    if not isinstance(path, (str, os.PathLike)):
        raise Mismatch(f"the second item should be the file's path, not a {type(path).__name__}.")
    path = Path(path)
    if path.is_dir():
        raise Mismatch(
            f"{path} is a folder: give the path of the checkpoint file in it, e.g. "
            "Path(folder) / 'small_digits.pt'."
        )
    if not path.is_file():
        raise Mismatch(
            f"there is no file at {path}: did torch.save(checkpoint, path) run, or was its "
            "temporary folder deleted when a `with` block ended? Check inside the block."
        )
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # an UnpicklingError, or a file torch.save did not write
        raise Mismatch(_load_failure(error)) from None
    if not isinstance(checkpoint, dict):
        raise Mismatch(
            f"the file holds a {type(checkpoint).__name__}; a checkpoint is a dict with the "
            f"keys {', '.join(map(repr, _KEYS))}."
        )
    if checkpoint and all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
        raise Mismatch(
            "the file holds a bare state_dict (keys like "
            f"{next(iter(checkpoint))!r}); a checkpoint is a dict with the keys "
            f"{', '.join(map(repr, _KEYS))}, its 'model' entry the state_dict."
        )
    missing = [key for key in _KEYS if key not in checkpoint]
    if missing:
        why = {
            "model": "the model's weights, model.state_dict()",
            "optimizer": "optimizer.state_dict(), so that training can resume where it stopped "
            "(Adam's moment estimates are in it)",
            "epoch": "the number of the last epoch trained (counting from 1), a Python int",
        }
        raise Mismatch(
            f"the checkpoint has no {missing[0]!r} entry: add {why[missing[0]]}. "
            f"Its keys: {sorted(map(str, checkpoint))}."
        )
    epoch = checkpoint["epoch"]
    if not is_int(epoch) or epoch < 0:
        raise Mismatch(
            f"checkpoint['epoch'] should be a Python int >= 0 (the number of the last epoch "
            f"trained, counting from 1), got {epoch!r} of type {type(epoch).__name__}: save "
            "int(epoch)."
        )
    optimizer_state = checkpoint["optimizer"]
    if not (
        isinstance(optimizer_state, dict)
        and "param_groups" in optimizer_state
        and "state" in optimizer_state
    ):
        raise Mismatch(
            "checkpoint['optimizer'] is not an optimizer's state_dict() (it has no "
            "'param_groups' and 'state'): save optimizer.state_dict()."
        )
    with torch.random.fork_rng(devices=[]):
        try:
            fresh = model_class()
        except TypeError as error:
            raise Mismatch(f"{model_class.__name__}() failed ({error}).") from None
    try:
        fresh.load_state_dict(checkpoint["model"])
    except (RuntimeError, TypeError, AttributeError) as error:
        lines = [line.strip() for line in _plain(str(error)).splitlines() if line.strip()]
        if lines and lines[0].startswith("Error(s) in loading state_dict"):
            lines = lines[1:]  # the heading: what follows says which keys or shapes differ
        lines = lines[:2]
        said = " ".join(line if line.endswith((".", ":")) else line + "." for line in lines)
        raise Mismatch(
            f"checkpoint['model'] does not load into a fresh {model_class.__name__}: "
            f"{_shorten(said, 400)} Save model.state_dict() of a model of this class."
        ) from None
    n_params = sum(len(group.get("params", ())) for group in optimizer_state["param_groups"])
    n_tensors = len(list(fresh.parameters()))
    if n_params != n_tensors:
        raise Mismatch(
            f"the optimizer state covers {n_params} parameter tensors, but "
            f"{model_class.__name__} has {n_tensors}: save the optimizer that trained this model."
        )
    keeps_state = any(
        "betas" in group or group.get("momentum", 0) for group in optimizer_state["param_groups"]
    )
    if keeps_state and not optimizer_state["state"]:
        raise Mismatch(
            "the optimizer's state is empty, as if it had never taken a step: save the "
            "optimizer that trained the model, not a new one."
        )
    return _check_accuracy(
        held_out_accuracy(fresh),
        f"a fresh {model_class.__name__} loaded from the checkpoint",
        "Save the weights of the trained model (after loading the best ones back).",
    )
