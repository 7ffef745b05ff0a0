"""Catch-up checkpoints: small, made by ``make notebooks``, verified, loaded weights-only."""

from __future__ import annotations

import hashlib

import pytest
import torch

from pytorch_lessons.checkpoints import (
    FOLDER,
    SUMS,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from pytorch_lessons.models import MnistCNN


def _trained_like() -> MnistCNN:
    torch.manual_seed(0)
    model = MnistCNN()
    for module in model.modules():  # batch-norm statistics that are not the defaults
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    return model.eval()


def test_a_saved_checkpoint_loads_into_a_fresh_model_with_the_same_predictions(tmp_path):
    model = _trained_like()
    path = save_checkpoint("cnn", model, tmp_path)
    assert (
        tmp_path / SUMS
    ).read_text() == f"{hashlib.sha256(path.read_bytes()).hexdigest()}  cnn.pt\n"
    loaded = load_checkpoint(
        "cnn", MnistCNN().to(memory_format=torch.channels_last), folder=tmp_path
    )
    assert not loaded.training
    assert loaded.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.randn(64, 1, 28, 28)
    with torch.no_grad():
        expected, got = model(x), loaded(x)
    assert torch.equal(expected.argmax(1), got.argmax(1))
    assert (expected - got).abs().max() < 0.05  # float16 weights
    assert path.stat().st_size < 150_000


def test_an_altered_checkpoint_is_refused(tmp_path):
    path = save_checkpoint("cnn", _trained_like(), tmp_path)
    data = bytearray(path.read_bytes())
    data[-100] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="does not match its checksum"):
        load_checkpoint("cnn", MnistCNN(), folder=tmp_path)


class Payload:
    """Not a tensor: a pickle that would run this class's code on loading."""


def test_only_tensors_are_loaded(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"w": torch.zeros(1), "x": Payload()}, path)
    (tmp_path / SUMS).write_text(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  evil.pt\n")
    with pytest.raises(CheckpointError, match="could not be read safely"):
        load_checkpoint("evil", MnistCNN(), folder=tmp_path)


def test_a_model_of_another_shape_or_name_gets_one_line(tmp_path):
    save_checkpoint("cnn", _trained_like(), tmp_path)
    with pytest.raises(CheckpointError, match="features.0.weight is"):
        load_checkpoint("cnn", MnistCNN(widths=(4, 16, 48)), folder=tmp_path)
    with pytest.raises(CheckpointError, match="missing"):
        load_checkpoint("cnn", torch.nn.Linear(2, 2), folder=tmp_path)
    with pytest.raises(CheckpointError, match="no checkpoint 'cnm'; there are: cnn"):
        load_checkpoint("cnm", MnistCNN(), folder=tmp_path)
    with pytest.raises(CheckpointError, match="plain name"):
        load_checkpoint("../cnn", MnistCNN(), folder=tmp_path)


def test_fast_mode_never_stores_the_weaker_model(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTORCH_LESSONS_FAST", "1")
    with pytest.raises(CheckpointError, match="fast mode"):
        save_checkpoint("cnn", _trained_like(), tmp_path)


def test_the_shipped_mnist_checkpoint_is_small_verified_and_accurate(mnist_root):
    from pytorch_lessons.data import mnist_tensors

    assert (FOLDER / "mnist-cnn.pt").stat().st_size < 150_000
    model = load_checkpoint("mnist-cnn", MnistCNN())
    x, y = mnist_tensors(train=False, root=mnist_root, limit=2000)
    with torch.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy > 0.98


@pytest.mark.notebooks
def test_chapter_07_goes_on_from_the_checkpoint_alone(mnist_root):
    """The documented catch-up line replaces the CNN's training cell; every later cell that does
    not need the training run's own files (the two resuming ones) runs without an error, and
    evaluates the checkpoint's model (above fast mode's 96 %)."""
    import os
    import re
    from pathlib import Path

    import jupytext
    from nbclient import NotebookClient

    source = Path(__file__).resolve().parents[1] / "book" / "07-mnist.md"
    text = source.read_text(encoding="utf-8")
    tip = text[text.index(":::{tip} Fell behind?") :]
    line = re.search(r"```python\n(.+?)\n```", tip, re.S).group(1)
    assert line.count("\n") == 0 and line.startswith("model = load_checkpoint(")

    notebook = jupytext.read(source)
    training = [c for c in notebook.cells if "history, best_round = fit(" in c.source]
    assert len(training) == 1
    training[0].source = line
    own_run = re.compile(r"checkpoints\.glob|rmtree\(checkpoints")  # the training run's folder
    needs_own_run = [c for c in notebook.cells if own_run.search(c.source)]
    assert len(needs_own_run) == 2  # the resuming cell and the clean-up cell
    notebook.cells = [c for c in notebook.cells if c not in needs_own_run]

    env = {**os.environ, "PYTORCH_LESSONS_FAST": "1", "PYTORCH_LESSONS_DATA": str(mnist_root)}
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True).execute(
        cwd=str(source.parent), env=env
    )
    errors = [
        (c.source[:60], o.get("ename"), o.get("evalue"))
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
    printed = "".join(
        o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
    )
    accuracy = float(
        re.search(r"CNN: validation loss [0-9.]+, validation accuracy ([0-9.]+)%", printed).group(1)
    )
    assert accuracy > 98.0, accuracy
