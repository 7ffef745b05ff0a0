"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


@pytest.fixture
def mnist_root() -> Path:
    """The data folder holding real MNIST (``$PYTORCH_LESSONS_DATA``); skips where it is absent."""
    from pytorch_lessons.data import data_root, mnist_present

    root = data_root()
    if not mnist_present(root):
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide MNIST: none in {root} (set PYTORCH_LESSONS_DATA)")
        pytest.skip(f"MNIST not present in {root}")
    return root


def assert_passes(id_: str, answer: object) -> None:
    """The exercise ``id_`` accepts ``answer``."""
    from pytorch_lessons.exercises import verdict

    result = verdict(id_, answer)
    assert result.ok, result.message


def assert_fails(id_: str, answer: object, expected: str) -> None:
    """The exercise ``id_`` rejects ``answer`` with a message that contains ``expected``."""
    from pytorch_lessons.exercises import verdict

    result = verdict(id_, answer)
    assert not result.ok and expected in result.message, result.message
