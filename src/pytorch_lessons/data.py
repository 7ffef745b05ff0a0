"""Where the data lives, MNIST two ways, and small synthetic data sets.

The data folder is chosen, in order, from: an explicit ``root`` argument, the
``PYTORCH_LESSONS_DATA`` environment variable, or a per-user cache folder
(``~/.cache/pytorch-lessons`` on Linux and macOS, ``%LOCALAPPDATA%`` on Windows).
MNIST is read with ``torchvision.datasets.MNIST`` from ``<data folder>/MNIST/raw`` and
downloaded there when missing.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch

DATA_VARIABLE = "PYTORCH_LESSONS_DATA"
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


class DataNotFoundError(RuntimeError):
    """The data is not on disk and could not be downloaded."""


def default_data_root() -> Path:
    """The per-user cache folder used when neither an argument nor the variable is set."""
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pytorch-lessons"


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data folder: ``root`` > ``$PYTORCH_LESSONS_DATA`` > the user cache folder."""
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path, got {type(root).__name__}")
    chosen = root if root is not None else os.environ.get(DATA_VARIABLE) or default_data_root()
    return Path(chosen).expanduser()


def mnist_present(root: str | os.PathLike[str] | None = None) -> bool:
    """True when the four MNIST files are in ``<root>/MNIST/raw``."""
    raw = data_root(root) / "MNIST" / "raw"
    return all((raw / name).is_file() for name in MNIST_FILES)


def load_mnist(
    train: bool = True,
    root: str | os.PathLike[str] | None = None,
    transform=None,
    download: bool = True,
):
    """Return ``torchvision.datasets.MNIST`` for the train or test split.

    Downloads into the data folder when the files are missing (and ``download`` is true).
    If they are missing and cannot be downloaded, raises :class:`DataNotFoundError` with one
    message that says where it looked and how to fix it; a failed download leaves no partial
    files behind.
    """
    from torchvision.datasets import MNIST

    folder = data_root(root)
    if mnist_present(folder):
        return MNIST(root=str(folder), train=train, transform=transform, download=False)
    if not download:
        raise DataNotFoundError(_missing_message(folder, "download=False"))
    raw = folder / "MNIST" / "raw"
    before = set(raw.iterdir()) if raw.is_dir() else set()
    try:
        return MNIST(root=str(folder), train=train, transform=transform, download=True)
    except Exception as error:  # network errors come in many types; all mean the same here
        if raw.is_dir():
            for path in set(raw.iterdir()) - before:
                if path.is_file():
                    path.unlink()
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise DataNotFoundError(_missing_message(folder, f"download failed: {reason}")) from None


def _missing_message(folder: Path, why: str) -> str:
    return (
        f"MNIST is not in {folder / 'MNIST' / 'raw'} ({why}). "
        f"Set {DATA_VARIABLE} to a folder that holds MNIST/raw, "
        "or prefetch it while online with `pytorch-lessons data fetch`."
    )


def mnist_tensors(
    train: bool = True,
    root: str | os.PathLike[str] | None = None,
    device: str | torch.device = "cpu",
    limit: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole MNIST split as two tensors: normalized images ``(N, 1, 28, 28)`` and labels.

    The same numbers as ``ToTensor()`` + ``Normalize((0.1307,), (0.3081,))`` per sample, computed
    once for the whole split -- many times faster to train on. ``limit`` keeps the first N.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}")
    dataset = load_mnist(train=train, root=root)
    images, labels = dataset.data, dataset.targets
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = images.unsqueeze(1).to(torch.float32).div_(255).sub_(MNIST_MEAN).div_(MNIST_STD)
    return x.to(device), labels.to(torch.int64).to(device)


def make_linear_data(
    n: int,
    weights: list[float] | torch.Tensor,
    bias: float = 0.0,
    noise: float = 0.1,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy linear data ``y = X @ weights + bias + noise * N(0, 1)`` with known true weights.

    Returns ``X`` of shape ``(n, d)`` drawn from N(0, 1) and ``y`` of shape ``(n, 1)``.
    Uses its own random generator, so it does not disturb the global seed.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValueError(f"n must be a positive int, got {n!r}")
    w = torch.as_tensor(weights, dtype=torch.float32).flatten()
    if w.numel() == 0:
        raise ValueError("weights must have at least one value")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, w.numel(), generator=generator)
    y = x @ w + bias + noise * torch.randn(n, generator=generator)
    return x, y.unsqueeze(1)
