"""Chapter 08's exercises: right answers pass, typical mistakes get a message that helps.

The checkers judge trained models on MNIST's test digits; here the held-out set is replaced by
synthetic 14×14 "digits" (a fixed pattern per class plus noise) that a hand-built linear model
classifies perfectly, so the tests need neither MNIST nor training.
"""

from __future__ import annotations

import copy
import re
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset, random_split

from pytorch_lessons.exercises import capstone, get, verdict

from .conftest import assert_fails, assert_passes

IDS = ("capstone-split", "capstone-model", "capstone-train", "capstone-checkpoint")


def test_every_exercise_of_the_chapter_is_registered_with_hints():
    for id_ in IDS:
        ex = get(id_)
        assert ex.chapter == "capstone" and len(ex.hints) >= 2 and ex.why


# -- split ---------------------------------------------------------------------------------------


def _digits(n: int = 60_000, shape: tuple[int, ...] = (1, 14, 14)) -> TensorDataset:
    """A data set of the right length whose images cost no memory (one zero image, expanded)."""
    return TensorDataset(
        torch.zeros(1, *shape).expand(n, *shape), torch.zeros(n, dtype=torch.int64)
    )


def test_split_right_answers_pass():
    digits = _digits()
    assert_passes(
        "capstone-split", random_split(digits, [54_000, 6_000], torch.Generator().manual_seed(0))
    )
    assert_passes(
        "capstone-split", tuple(random_split(digits, [0.9, 0.1], torch.Generator().manual_seed(1)))
    )
    order = torch.randperm(60_000, generator=torch.Generator().manual_seed(2))
    assert_passes("capstone-split", (order[:54_000], order[54_000:]))


def test_split_mistakes_fail_with_a_helpful_message():
    digits = _digits()
    generator = torch.Generator().manual_seed(0)
    swapped = random_split(digits, [6_000, 54_000], generator)
    assert_fails("capstone-split", swapped, "the training part comes first")
    assert_fails(
        "capstone-split",
        random_split(digits, [50_000, 10_000], generator),
        "should have 54,000 (training) and 6,000 (validation)",
    )
    two_draws = (
        torch.randperm(60_000, generator=generator)[:54_000],
        torch.randperm(60_000, generator=generator)[:6_000],
    )
    assert_fails("capstone-split", two_draws, "indices are in both parts")
    in_order = (torch.arange(54_000), torch.arange(54_000, 60_000))
    assert_fails("capstone-split", in_order, "file order")
    first_for_validation = (torch.arange(6_000, 60_000), torch.arange(6_000))
    assert_fails("capstone-split", first_for_validation, "training part is one contiguous block")
    middle = torch.zeros(60_000, dtype=torch.bool)
    middle[20_000:26_000] = True  # a block in the middle: the rest is not one block
    everything = torch.randperm(60_000, generator=generator)
    rest, shuffled_block = everything[~middle[everything]], everything[middle[everything]]
    assert_fails(
        "capstone-split", (rest, shuffled_block), "validation part is one contiguous block"
    )
    images_only = torch.zeros(1, 1, 14, 14).expand(60_000, 1, 14, 14)
    assert_fails(
        "capstone-split",
        random_split(images_only, [54_000, 6_000], generator),
        "not an (image, label) pair: you split the images alone. Split `digits`",
    )
    assert_fails(
        "capstone-split",
        random_split(_digits(shape=(1, 28, 28)), [54_000, 6_000], generator),
        "not the 28×28 originals",
    )
    assert_fails(
        "capstone-split", random_split(_digits(6_000), [5_400, 600], generator), "all 60,000"
    )
    one_part = random_split(digits, [54_000, 6_000], generator)[0]
    assert_fails("capstone-split", one_part, "as a pair")
    assert_fails("capstone-split", ([0.9], [0.1]), "should be a Subset")


# -- model ---------------------------------------------------------------------------------------


class Net(nn.Module):
    def __init__(self, width: int = 8):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten()
        )
        self.classifier = nn.Linear(width * 7 * 7, 10)

    def forward(self, x):
        return self.classifier(self.features(x))


def test_model_right_answers_pass():
    assert_passes("capstone-model", Net)

    class Mlp(nn.Sequential):
        def __init__(self):
            super().__init__(nn.Flatten(), nn.Linear(196, 64), nn.ReLU(), nn.Linear(64, 10))

    assert_passes("capstone-model", Mlp)


def test_model_leaves_the_global_seed_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    assert_passes("capstone-model", Net)
    assert torch.equal(torch.rand(3), expected)


def test_model_mistakes_fail_with_a_helpful_message():
    class Empty(nn.Module):
        pass

    class NoForward(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(196, 10)

    class For28(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

        def forward(self, x):
            return self.net(x)

    class Softmax(Net):
        def forward(self, x):
            return super().forward(x).softmax(dim=1)

    class LogSoftmax(Net):
        def forward(self, x):
            return super().forward(x).log_softmax(dim=1)

    class TooBig(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(
                nn.Flatten(), nn.Linear(196, 512), nn.ReLU(), nn.Linear(512, 10)
            )

        def forward(self, x):
            return self.net(x)

    class NineClasses(Net):
        def forward(self, x):
            return super().forward(x)[:, :9]

    class NeedsArguments(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.linear = nn.Linear(196, width)

        def forward(self, x):
            return self.linear(x.flatten(1))

    assert_fails("capstone-model", Empty, "not solved yet")
    assert_fails("capstone-model", NoForward, "no forward method")
    assert_fails("capstone-model", For28, "fails on a batch of 14×14 digits")
    assert_fails("capstone-model", Softmax, "outputs probabilities (each row sums to 1)")
    assert_fails("capstone-model", Softmax, "drop the final softmax")
    assert_fails("capstone-model", LogSoftmax, "outputs log-probabilities")
    assert_fails("capstone-model", LogSoftmax, "drop the final log_softmax")
    assert_fails("capstone-model", TooBig, "over the budget of 50,000")
    assert_fails("capstone-model", NineClasses, "it should give (5, 10)")
    assert_fails("capstone-model", NeedsArguments, "with no arguments")
    assert_fails("capstone-model", Net(), "give the class itself (Net)")
    assert_fails("capstone-model", "Net", "subclass of nn.Module")


# -- train and checkpoint: on a synthetic held-out set ---------------------------------------------

_PATTERNS = torch.randn(10, 196, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def held_out(monkeypatch):
    """1 000 synthetic 14×14 digits: class k is pattern k plus a little noise."""
    generator = torch.Generator().manual_seed(1)
    labels = torch.arange(1000) % 10
    images = _PATTERNS[labels] + 0.3 * torch.randn(1000, 196, generator=generator)
    data = (images.view(-1, 1, 14, 14), labels)
    monkeypatch.setattr(capstone, "_held_out", lambda: data)
    return data


class Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(196, 10)

    def forward(self, x):
        return self.linear(x.flatten(1))


def _trained() -> Linear:
    """A linear model that classifies the synthetic digits: its weights are the patterns."""
    torch.manual_seed(0)
    model = Linear()
    with torch.no_grad():
        model.linear.weight.copy_(_PATTERNS)
        model.linear.bias.copy_(-0.5 * (_PATTERNS**2).sum(dim=1))
    return model


ACCURACY = re.compile(
    tomllib.loads((Path(__file__).parents[1] / "book" / "nbval-tolerances.toml").read_text())[
        "accuracy"
    ]["pattern"]
)


def test_train_passes_a_trained_model_and_rejects_an_untrained_one(held_out):
    model = _trained()
    model.train()
    said = verdict("capstone-train", model).message
    assert said.startswith(
        "✓ capstone-train: correct! held-out accuracy on 1,000 digits: 100.0% (bar: 97%) -- the "
    ), said
    assert ACCURACY.search(said)["value"] == "100.0", "the book's accuracy tolerance must see it"
    assert_passes("capstone-train", model)
    assert model.training, "the check must leave the model in the mode it found it in"
    torch.manual_seed(0)
    assert_fails("capstone-train", Linear(), "has it been trained at all?")
    half = _trained()
    with torch.no_grad():
        half.linear.weight[5:] = 0
        half.linear.bias[5:] = -1e3
    assert_fails("capstone-train", half, "the bar is 97 %")
    assert_fails("capstone-train", Linear, "not the class itself")
    assert_fails("capstone-train", "model", "should be the trained nn.Module")


def _optimizer_that_trained(model: nn.Module) -> torch.optim.Optimizer:
    optimizer = torch.optim.Adam(model.parameters(), lr=0.0)  # a step that changes nothing
    model(torch.zeros(2, 1, 14, 14)).sum().backward()
    optimizer.step()
    return optimizer


def _checkpoint(model: nn.Module, optimizer, epoch=3) -> dict:
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}


def test_checkpoint_that_reloads_passes(held_out, tmp_path):
    model = _trained()
    path = tmp_path / "small_digits.pt"
    torch.save(_checkpoint(model, _optimizer_that_trained(model)), path)
    said = verdict("capstone-checkpoint", (Linear, path)).message
    assert said.startswith("✓ capstone-checkpoint: correct! held-out accuracy on 1,000 digits: ")
    assert ACCURACY.search(said)["value"] == "100.0"
    assert verdict("capstone-checkpoint", (Linear, tmp_path)).message.count("accuracy") == 0
    assert f"{get('capstone-checkpoint').why}".startswith("model weights"), "used up once shown"
    assert_passes("capstone-checkpoint", (Linear, str(path)))
    plain_sgd = torch.optim.SGD(model.parameters(), lr=0.1)  # keeps no state: fine
    torch.save(_checkpoint(model, plain_sgd, epoch=0), path)
    assert_passes("capstone-checkpoint", (Linear, path))


def test_checkpoint_mistakes_fail_with_a_helpful_message(held_out, tmp_path):
    model = _trained()
    optimizer = _optimizer_that_trained(model)
    path = tmp_path / "small_digits.pt"

    def saved(thing):
        torch.save(thing, path)
        return (Linear, path)

    good = _checkpoint(model, optimizer)
    without = {k: v for k, v in good.items() if k != "optimizer"}
    assert_fails("capstone-checkpoint", saved(without), "no 'optimizer' entry")
    assert_fails("capstone-checkpoint", saved(model.state_dict()), "bare state_dict")
    assert_fails("capstone-checkpoint", saved({**good, "model": model}), "weights_only=True")
    assert_fails(
        "capstone-checkpoint", saved({**good, "epoch": torch.tensor(3)}), "should be a Python int"
    )
    assert_fails(
        "capstone-checkpoint",
        saved({**good, "epoch": torch.tensor(3)}),
        "(the number of the last epoch trained, counting from 1), got tensor(3) of type Tensor: "
        "save int(epoch).",
    )
    numpy_epoch = saved({**good, "epoch": np.int64(3)})
    assert_fails("capstone-checkpoint", numpy_epoch, "it holds a NumPy value (numpy.")
    assert_fails("capstone-checkpoint", numpy_epoch, "int(epoch)")
    message = verdict("capstone-checkpoint", numpy_epoch).message
    assert capstone._plain("\x1b[1mtrust\x1b[0m the source") == "trust the source"
    assert "\x1b" not in message and "model or optimizer objects" not in message, message
    assert_fails(
        "capstone-checkpoint",
        saved({**good, "optimizer": model.state_dict()}),
        "not an optimizer's state_dict()",
    )
    fresh_adam = torch.optim.Adam(model.parameters())
    assert_fails("capstone-checkpoint", saved(_checkpoint(model, fresh_adam)), "never taken a step")
    torch.manual_seed(0)
    untrained = Linear()
    assert_fails(
        "capstone-checkpoint",
        saved(_checkpoint(untrained, _optimizer_that_trained(untrained))),
        "loaded from the checkpoint gets",
    )
    saved(good)
    assert_fails("capstone-checkpoint", (Net, path), "does not load into a fresh Net")
    assert_fails(
        "capstone-checkpoint",
        (Net, path),
        'Net: Missing key(s) in state_dict: "features.0.weight", "features.0.bias", '
        '"classifier.weight", "classifier.bias". Unexpected key(s) in state_dict: '
        '"linear.weight", "linear.bias". Save model.state_dict()',
    )

    class Wider(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(196, 12)

    assert_fails(
        "capstone-checkpoint",
        (Wider, path),
        "Wider: size mismatch for linear.weight: copying a param with shape "
        "torch.Size([10, 196]) from checkpoint, the shape in current model is "
        "torch.Size([12, 196]). size mismatch for linear.bias:",
    )
    assert_fails("capstone-checkpoint", (Linear, tmp_path), f"{tmp_path} is a folder")
    other = nn.Sequential(nn.Linear(196, 10), nn.Linear(10, 10))
    mixed = copy.deepcopy(good)
    mixed["optimizer"] = _optimizer_that_trained_other(other).state_dict()
    assert_fails("capstone-checkpoint", saved(mixed), "covers 4 parameter tensors")
    assert_fails("capstone-checkpoint", (Linear, tmp_path / "missing.pt"), "no file at")
    with tempfile.TemporaryDirectory() as folder:
        gone = Path(folder) / "small_digits.pt"
        torch.save(good, gone)
    assert_fails(
        "capstone-checkpoint",
        (Linear, gone),
        "or was its temporary folder deleted when a `with` block ended?",
    )
    assert_fails("capstone-checkpoint", path, "as a pair")
    assert_fails("capstone-checkpoint", (model, path), "your model's class")


def _optimizer_that_trained_other(model: nn.Sequential) -> torch.optim.Optimizer:
    optimizer = torch.optim.Adam(model.parameters(), lr=0.0)
    model(torch.zeros(2, 196)).sum().backward()
    optimizer.step()
    return optimizer


def test_held_out_set_is_mnist_test_at_14_by_14(mnist_root):
    images, labels = capstone._mnist_held_out()
    assert images.shape == (10_000, 1, 14, 14) and labels.shape == (10_000,)
    assert images.dtype == torch.float32 and labels.dtype == torch.int64
