"""Choosing where tensors live, and making runs repeatable."""

from __future__ import annotations

import os
import random
import sys

import numpy as np
import torch

from pytorch_lessons.checks import is_int

DEVICE_VARIABLE = "PYTORCH_LESSONS_DEVICE"
_KNOWN = ("cpu", "cuda", "mps")


def pick_device(prefer: str | None = None) -> torch.device:
    """Return the best available device: CUDA, then Apple MPS, then the CPU.

    ``prefer`` (or the ``PYTORCH_LESSONS_DEVICE`` environment variable) overrides the choice,
    e.g. ``pick_device("cpu")`` to keep a lesson on the CPU. Asking for a device that is not
    available raises a ``RuntimeError`` that says what is.
    """
    wanted = prefer if prefer is not None else os.environ.get(DEVICE_VARIABLE) or None
    if wanted is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if not isinstance(wanted, str):
        raise TypeError(f"prefer must be a device name such as 'cpu', got {type(wanted).__name__}")
    kind = wanted.split(":")[0].lower()
    if kind not in _KNOWN:
        raise ValueError(f"unknown device {wanted!r}: expected one of {', '.join(_KNOWN)}")
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
    }
    if not available[kind]:
        have = ", ".join(name for name, ok in available.items() if ok)
        raise RuntimeError(
            f"device {wanted!r} is not available on this machine (available: {have})"
        )
    return torch.device(wanted.lower())


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch so that a notebook gives the same numbers every run.

    Also asks PyTorch for deterministic algorithms (warning, not failing, where an operation
    has none), which makes CPU runs repeatable, and -- as PyTorch requires for that on CUDA --
    sets ``CUBLAS_WORKSPACE_CONFIG`` unless it is already set.
    """
    if not is_int(seed):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    _use_deterministic_algorithms()


def _use_deterministic_algorithms() -> None:
    """``torch.use_deterministic_algorithms(True, warn_only=True)``, minus its import of
    ``torch._inductor`` (about 2 s on a small CPU, paid in every notebook's first cell).

    The public call does two things: it sets the flag in the C++ core, and it sets
    ``torch._inductor.config.deterministic``. While inductor is not loaded, the environment
    variable that config reads on import does the second; once it is loaded, or if the core
    setter moves, the public call runs instead.
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True, warn_only=True)
        return
    os.environ["TORCHINDUCTOR_DETERMINISTIC"] = "1"
    setter(True, warn_only=True)
