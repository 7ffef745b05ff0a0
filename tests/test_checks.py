import math

import pytest

from pytorch_lessons.checks import int_at_least, positive_int, positive_number


@pytest.mark.parametrize("good", [1, 7, 10**9])
def test_positive_int_passes_ints_from_one(good):
    assert positive_int("n", good) == good


@pytest.mark.parametrize("bad", [0, -3, True, 2.0, "3", None])
def test_positive_int_refuses_the_rest_in_one_line(bad):
    with pytest.raises(ValueError, match=r"^n must be a positive int, got "):
        positive_int("n", bad)
    with pytest.raises(ValueError, match=r"^limit must be a positive int or None, got "):
        positive_int("limit", bad, or_none=True)


def test_int_at_least():
    assert int_at_least("max_nodes", 2, 2) == 2
    for bad in (1, False, 2.5):
        with pytest.raises(ValueError, match=r"^max_nodes must be an int >= 2, got "):
            int_at_least("max_nodes", bad, 2)


def test_positive_number():
    assert positive_number("lr", 3) == 3.0 and positive_number("lr", 0.5) == 0.5
    for bad in ("0.1", None, True):
        with pytest.raises(TypeError, match=r"^lr must be a number, got "):
            positive_number("lr", bad)
    for bad in (0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got "):
            positive_number("lr", bad)
