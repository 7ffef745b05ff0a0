"""Chapter 01's predict-the-shape exercise: the right shapes pass, each slip is explained."""

import pytest
import torch

from .conftest import assert_fails, assert_passes

RIGHT = [(2, 2, 3), (2, 6), (2, 1, 3), (3, 3)]


def test_the_right_shapes_pass_as_tuples_lists_or_sizes():
    assert_passes("tensors-predict-shapes", RIGHT)
    assert_passes("tensors-predict-shapes", tuple(RIGHT))
    assert_passes("tensors-predict-shapes", [torch.Size(s) for s in RIGHT])


@pytest.mark.parametrize(
    "answer, expected",
    [
        (
            [(2, 6, 3), *RIGHT[1:]],
            "shape 1, torch.stack([a, b]), is not (2, 6, 3): stack adds a NEW",
        ),
        ([RIGHT[0], (4, 3), *RIGHT[2:]], "EXISTING dimension"),
        ([*RIGHT[:2], (1, 2, 3), RIGHT[3]], "inserts a dimension of size 1 at position 1"),
        ([*RIGHT[:3], (2, 2)], "a.T has shape (3, 2)"),
        (RIGHT[:3], "a list of 4 shapes"),
        ([*RIGHT[:3], "3, 3"], "should be a tuple of ints"),
    ],
)
def test_each_wrong_shape_says_which_and_why(answer, expected):
    assert_fails("tensors-predict-shapes", answer, expected)
