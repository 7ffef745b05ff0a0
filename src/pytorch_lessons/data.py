"""Where the data lives, MNIST two ways, and small synthetic data sets.

The data folder is chosen, in order, from: an explicit ``root`` argument, the
``PYTORCH_LESSONS_DATA`` environment variable, or a per-user cache folder
(``~/.cache/pytorch-lessons`` on Linux and macOS, ``%LOCALAPPDATA%`` on Windows).
MNIST is read with ``torchvision.datasets.MNIST`` from ``<data folder>/MNIST/raw`` and
downloaded there when missing.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from pathlib import Path

import torch

from pytorch_lessons.checks import positive_int

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


class DataCorruptError(DataNotFoundError):
    """The data files are on disk but unreadable or fail their checksum."""


# MD5 of the four uncompressed IDX files (torchvision checks the downloaded archives' own sums).
MNIST_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


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


def mnist_raw_folder(root: str | os.PathLike[str] | None = None) -> Path:
    """``<data folder>/MNIST/raw``, where torchvision keeps the four IDX files."""
    return data_root(root) / "MNIST" / "raw"


def mnist_present(root: str | os.PathLike[str] | None = None) -> bool:
    """True when the four MNIST files are in ``<root>/MNIST/raw`` (see :func:`verify_mnist`)."""
    raw = mnist_raw_folder(root)
    return all((raw / name).is_file() for name in MNIST_FILES)


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_mnist(root: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Check every MNIST file against its MD5: ``{file name: "ok" | "missing" | "corrupt"}``."""
    raw = mnist_raw_folder(root)
    status = {}
    for name, expected in MNIST_MD5.items():
        path = raw / name
        if not path.is_file():
            status[name] = "missing"
        else:
            status[name] = "ok" if _md5(path) == expected else "corrupt"
    return status


def fetch_mnist(root: str | os.PathLike[str] | None = None) -> Path:
    """Download MNIST into ``<data folder>/MNIST/raw`` unless it is there and verified.

    Downloads from torchvision's own mirrors into a temporary folder beside the data, checks
    every file's MD5, and only then moves the files into place: an interrupted or corrupt
    download leaves nothing behind that could later look valid. Returns the raw folder.
    """
    from torchvision.datasets import MNIST

    folder = data_root(root)
    raw = mnist_raw_folder(folder)
    if all(state == "ok" for state in verify_mnist(folder).values()):
        return raw
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".mnist-download-", dir=folder))
    except OSError as error:
        raise DataNotFoundError(
            f"cannot write to the data folder {folder} ({error.strerror or error}). "
            f"Set {DATA_VARIABLE} to a folder you can write to."
        ) from None
    try:
        try:
            MNIST(root=str(staging), train=True, download=True)
        except Exception as error:  # network errors come in many types; all mean the same here
            text = str(error).strip()
            reason = text.splitlines()[-1] if text else type(error).__name__
            raise DataNotFoundError(
                _missing_message(folder, f"download failed: {reason}")
            ) from None
        bad = [name for name, state in verify_mnist(staging).items() if state != "ok"]
        if bad:
            raise DataCorruptError(
                f"the downloaded MNIST files {', '.join(bad)} failed their checksum; nothing was "
                "kept. Try again later, or copy a verified MNIST/raw folder into place."
            )
        raw.mkdir(parents=True, exist_ok=True)
        for name in MNIST_FILES:
            os.replace(mnist_raw_folder(staging) / name, raw / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return raw


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
    files behind. Unreadable files raise :class:`DataCorruptError`.
    """
    from torchvision.datasets import MNIST

    folder = data_root(root)
    if not mnist_present(folder):
        if not download:
            raise DataNotFoundError(_missing_message(folder, "download=False"))
        fetch_mnist(folder)
    try:
        return MNIST(root=str(folder), train=train, transform=transform, download=False)
    except Exception as error:  # torchvision reports a damaged IDX file in several ways
        raise DataCorruptError(
            f"the MNIST files in {mnist_raw_folder(folder)} are unreadable ({error}). "
            "Run `pytorch-lessons data verify` to see which, then delete them and "
            "`pytorch-lessons data fetch` again."
        ) from None


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
    if limit is not None:
        positive_int("limit", limit, or_none=True)
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
    positive_int("n", n)
    w = torch.as_tensor(weights, dtype=torch.float32).flatten()
    if w.numel() == 0:
        raise ValueError("weights must have at least one value")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, w.numel(), generator=generator)
    y = x @ w + bias + noise * torch.randn(n, generator=generator)
    return x, y.unsqueeze(1)
