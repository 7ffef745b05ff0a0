"""Catch-up checkpoints: a trained model for a student who fell behind in class.

Chapter 07 trains a CNN for about 20 s; a student whose kernel died, or who joined late, loads
the one ``make notebooks`` trained instead and goes on with the rest of the chapter::

    model = load_checkpoint("mnist-cnn", MnistCNN().to(device, memory_format=torch.channels_last))

The weights are stored as float16 (half the size; the same predictions) in ``trained/`` beside this module,
with their SHA-256 in ``SHA256SUMS``: a file that does not match is refused, and it is read with
``torch.load(..., weights_only=True)``, which cannot run code from the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch
from torch import nn

FOLDER = Path(__file__).parent / "trained"
SUMS = "SHA256SUMS"


class CheckpointError(ValueError):
    """The checkpoint is missing, altered, or does not fit the model."""


def _sums(folder: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    path = folder / SUMS
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                sums[name.strip()] = digest.strip()
    return sums


def checkpoint_path(name: str, folder: Path = FOLDER) -> Path:
    """The file of checkpoint ``name`` (``mnist-cnn`` -> ``trained/mnist-cnn.pt``)."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or ".." in name:
        raise CheckpointError(
            f"checkpoint name must be a plain name such as 'mnist-cnn', got {name!r}"
        )
    return folder / f"{name}.pt"


def save_checkpoint(name: str, model: nn.Module, folder: Path = FOLDER) -> Path:
    """Store ``model``'s ``state_dict`` as float16 and record its checksum (``make notebooks``
    calls this after running the chapter that trains the model). A model trained in instructor
    fast mode is refused: it is the weaker one."""
    from pytorch_lessons.fast import fast_mode

    if fast_mode():
        raise CheckpointError("not saving a checkpoint trained in instructor fast mode")
    state = {
        key: value.detach().to("cpu", torch.float16) if value.is_floating_point() else value.cpu()
        for key, value in model.state_dict().items()
    }
    path = checkpoint_path(name, folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    sums = _sums(folder)
    sums[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / SUMS).write_text(
        "".join(f"{digest}  {file}\n" for file, digest in sorted(sums.items())), encoding="utf-8"
    )
    return path


def load_checkpoint(
    name: str, model: nn.Module, device: torch.device | str | None = None, folder: Path = FOLDER
) -> nn.Module:
    """``model`` with the weights of checkpoint ``name``, on ``device``, in ``eval()`` mode.
    The weights are copied into the model's own tensors, so it keeps its memory format.

    The file's SHA-256 must match ``SHA256SUMS``; the model must have exactly the checkpoint's
    parameters and buffers (it is built from the chapter's own class)."""
    path = checkpoint_path(name, folder)
    expected = _sums(folder).get(path.name)
    if not path.exists() or expected is None:
        known = sorted(p.stem for p in folder.glob("*.pt"))
        raise CheckpointError(f"no checkpoint {name!r}; there are: {', '.join(known) or 'none'}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise CheckpointError(
            f"checkpoint {name!r} does not match its checksum in {SUMS}: the file was changed "
            "or damaged; reinstall the package (or re-run `make notebooks`)"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # weights_only refuses anything but tensors and plain containers
        raise CheckpointError(f"checkpoint {name!r} could not be read safely: {error}") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"checkpoint {name!r} is not a state_dict of tensors")
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    if missing or extra:
        raise CheckpointError(
            f"checkpoint {name!r} does not fit this model: missing {missing[:3]}, extra {extra[:3]}"
        )
    wrong = [key for key in own if own[key].shape != state[key].shape]
    if wrong:
        raise CheckpointError(
            f"checkpoint {name!r} does not fit this model: {wrong[0]} is "
            f"{tuple(state[wrong[0]].shape)} in the checkpoint, {tuple(own[wrong[0]].shape)} here"
        )
    model.load_state_dict(
        {key: value.to(own[key].dtype) for key, value in state.items()}, strict=True
    )
    if device is not None:
        model.to(device)
    return model.eval()
