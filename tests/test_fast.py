import pytest

from pytorch_lessons.fast import FAST_VARIABLE, fast_mode, sized


def test_fast_mode_off_by_default_and_sized_picks_normal(monkeypatch):
    monkeypatch.delenv(FAST_VARIABLE, raising=False)
    assert fast_mode() is False and sized(10, 2) == 10


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_fast_mode_from_the_environment(monkeypatch, value):
    monkeypatch.setenv(FAST_VARIABLE, value)
    assert fast_mode() is True and sized(10, 2) == 2


def test_fast_mode_switch_in_a_notebook(monkeypatch):
    monkeypatch.delenv(FAST_VARIABLE, raising=False)
    assert fast_mode(True) is True and sized("all", "some") == "some"
    assert fast_mode(False) is False and sized("all", "some") == "all"


def test_fast_mode_rejects_unclear_values(monkeypatch):
    monkeypatch.setenv(FAST_VARIABLE, "maybe")
    with pytest.raises(ValueError, match="PYTORCH_LESSONS_FAST='maybe' is not understood"):
        fast_mode()
    with pytest.raises(TypeError, match="fast_mode takes True or False"):
        fast_mode("yes")
