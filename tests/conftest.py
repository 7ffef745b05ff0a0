"""Shared test fixtures, and the test tiers.

Every test belongs to one tier (a pytest marker), so each can run alone:

- ``unit`` (``make test-unit``, well under a minute): everything not marked otherwise;
- ``notebooks`` (``make test-notebooks``): tests that execute whole chapters in kernels;
- ``site``: tests that build the book site with ``myst build``;
- ``browser``: tests that drive the built site in Chromium.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
TIERS = ("unit", "notebooks", "site", "browser")
pytest_plugins = ["pytester"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked with no tier is a unit test."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.unit)


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
