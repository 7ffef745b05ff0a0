"""The checker: verdicts, PyTorch-aware comparisons, hints, and clear errors."""

import pytest
import torch
from torch import nn

from pytorch_lessons.exercises import (
    Mismatch,
    UnknownExercise,
    all_exercises,
    check,
    core,
    exercise,
    expect_equal,
    expect_function,
    expect_grad,
    expect_loss_drop,
    expect_module,
    expect_tensor,
    get,
    hint,
    verdict,
)


def test_correct_answer_gets_a_tick_and_why_it_matters(capsys):
    check("tensors-arange", torch.arange(12, dtype=torch.float32).reshape(3, 4))
    out = capsys.readouterr().out
    assert out.startswith("✓ tensors-arange: correct!") and get("tensors-arange").why in out


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (..., "not solved yet"),
        (None, "not solved yet"),
        (
            torch.arange(12).reshape(3, 4),
            "dtype torch.int64, but it should have dtype torch.float32",
        ),
        (torch.arange(12.0), "shape (12,), but it should have shape (3, 4)"),
        ([[0, 1]], "should be a torch.Tensor, but it is of type list"),
        (
            torch.arange(12.0).reshape(3, 4) * 2,
            "differs at index (0, 1): got 2, expected 1 (11 of 12",
        ),
    ],
)
def test_wrong_answers_get_a_cross_saying_what_differs(answer, expected):
    result = verdict("tensors-arange", answer)
    assert not result.ok and result.message.startswith("✗ tensors-arange")
    assert expected in result.message


def _stub(scores): ...


def _raises_not_implemented(scores):
    raise NotImplementedError


def _crashes(scores):
    return scores.no_such_method()


def _forgets_return(scores):
    scores.argmax(dim=1)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_stub, "not solved yet -- replace the ..."),
        (_raises_not_implemented, "not solved yet -- your code still raises NotImplementedError"),
        (
            _crashes,
            "your code raised AttributeError: 'Tensor' object has no attribute 'no_such_method'",
        ),
        (_forgets_return, "returned None: did you forget `return`?"),
        (lambda s: s.argmax(dim=0), "has shape (4,), but it should have shape (3,)"),
    ],
)
def test_mistakes_in_student_functions_never_raise(answer, expected):
    result = verdict("tensors-argmax", answer)
    assert not result.ok and expected in result.message


def test_function_exercises_are_checked_on_hidden_inputs():
    seen = []

    def spy(scores):
        seen.append(tuple(scores.shape))
        return scores.argmax(dim=1)

    assert verdict("tensors-argmax", spy).ok
    assert len(set(seen)) >= 3


def test_only_one_input_right_is_not_enough():
    def overfit(scores):
        if scores.shape == (3, 4):
            return scores.argmax(dim=1)
        return torch.zeros(len(scores), dtype=torch.int64)

    assert not verdict("tensors-argmax", overfit).ok


def test_hints_are_revealed_one_at_a_time(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(core, "_HINTS_SHOWN", {})
    monkeypatch.setattr(core, "_HOLD_BACK_FINAL_HINTS", False)
    monkeypatch.chdir(tmp_path)
    hints = get("tensors-broadcast").hints
    for number in range(1, len(hints) + 1):
        hint("tensors-broadcast")
        assert capsys.readouterr().out.startswith(
            f"Hint {number}/{len(hints)} for tensors-broadcast:"
        )
    hint("tensors-broadcast")
    assert "No more hints for tensors-broadcast: the last one was the full answer." in (
        capsys.readouterr().out
    )


def test_unknown_id_lists_close_matches():
    with pytest.raises(
        UnknownExercise, match=r"unknown exercise id 'tensors-argmx'\. Did you mean: tensors-argmax"
    ):
        verdict("tensors-argmx", 1)
    with pytest.raises(UnknownExercise, match=r"unknown exercise id 'zzz'\.$"):
        get("zzz")
    with pytest.raises(TypeError, match="exercise id must be a string"):
        verdict(3, 1)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: check("tensor-arange", 5),
            "✗ unknown exercise id 'tensor-arange'. Did you mean: tensors-arange,",
        ),
        (lambda: hint("zzz"), "✗ unknown exercise id 'zzz'. Usage: hint("),
        (lambda: check(3, 1), "✗ exercise id must be a string such as 'tensors-zeros', got int"),
        (lambda: check(), '✗ say which exercise: check("exercise-id", answer)'),
        (lambda: hint(), '✗ say which exercise: hint("exercise-id")'),
        (
            lambda: check("tensors-arange"),
            "✗ tensors-arange: give your answer too: check('tensors-arange', answer)",
        ),
    ],
)
def test_mistakes_calling_check_and_hint_print_one_line_and_raise_nothing(call, expected, capsys):
    call()
    out = capsys.readouterr().out
    assert out.startswith(expected) and out.count("\n") == 1, out


def test_the_label_on_the_exercise_box_works_as_an_id(capsys, monkeypatch):
    monkeypatch.setattr(core, "_HINTS_SHOWN", {})
    hint("ex-tensors-arange")
    assert capsys.readouterr().out.startswith("Hint 1/")
    check("ex-tensors-arange", ...)
    assert capsys.readouterr().out.startswith("✗ tensors-arange: not solved yet")


def test_registration_rules():
    with pytest.raises(ValueError, match="must be lower-case words joined by '-'"):
        exercise("Bad Id", why="", hints=["h"])
    with pytest.raises(ValueError, match="needs at least one hint"):
        exercise("tensors-new", why="", hints=[])
    with pytest.raises(ValueError, match="registered twice"):
        exercise("tensors-arange", why="", hints=["h"])(lambda a: None)


def test_a_checker_may_say_what_it_measured_and_leaves_the_global_rng_alone(monkeypatch):
    @core.keeps_global_rng
    def measures(answer):
        torch.rand(5)  # a checker that draws random numbers, e.g. to initialize a model
        if answer < 0.5:
            raise Mismatch("too low")
        return f"measured {answer:.1f}"

    monkeypatch.setitem(
        core._REGISTRY, "tests-measured", core.Exercise("tests-measured", measures, "why.")
    )
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    assert (
        verdict("tests-measured", 0.9).message == "✓ tests-measured: correct! measured 0.9 -- why."
    )
    assert verdict("tests-measured", 0.1).message.startswith("✗ tests-measured: too low")
    assert torch.equal(torch.rand(3), expected)


def test_every_exercise_has_hints_and_a_reason():
    exercises = all_exercises()
    assert len(exercises) >= 4
    for ex in exercises.values():
        assert len(ex.hints) >= 2 and ex.why and ex.chapter


# --- the comparisons -------------------------------------------------------------------------


def test_expect_tensor_checks_device_and_requires_grad():
    with pytest.raises(Mismatch, match="should require gradients"):
        expect_tensor(torch.zeros(2), torch.zeros(2), requires_grad=True)
    with pytest.raises(Mismatch, match="should not require gradients"):
        expect_tensor(torch.zeros(2, requires_grad=True), torch.zeros(2), requires_grad=False)
    expect_tensor(torch.zeros(2), torch.zeros(2), check_device=True)
    with pytest.raises(Mismatch, match="differs at its value: got 2, expected 1"):
        expect_tensor(torch.tensor(2), torch.tensor(1))
    expect_tensor(torch.tensor([1.0, 2.0]), torch.tensor([1, 2]), check_dtype=False)


def test_expect_equal():
    expect_equal(3, 3.0)
    with pytest.raises(Mismatch, match="not a tensor"):
        expect_equal(torch.tensor(3), 3)
    with pytest.raises(Mismatch, match="should be a tuple, but it is of type list"):
        expect_equal([1, 2], (1, 2))
    with pytest.raises(Mismatch, match="is 4, but that is not right"):
        expect_equal(4, 3)


def test_expect_grad():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(Mismatch, match=r"x.grad is None: did you call .backward\(\)"):
        expect_grad(x, torch.ones(2))
    (3 * x).sum().backward()
    expect_grad(x, torch.full((2,), 3.0))
    with pytest.raises(Mismatch, match="x.grad differs at index"):
        expect_grad(x, torch.ones(2))
    with pytest.raises(Mismatch, match="does not require gradients"):
        expect_grad(torch.ones(2), torch.ones(2))
    with pytest.raises(Mismatch, match="should be a torch.Tensor"):
        expect_grad(1.0, torch.ones(2))


def test_expect_module_checks_output_shape_and_parameter_count():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    expect_module(model, (2, 2, 2), (2, 3), n_parameters=15)
    with pytest.raises(Mismatch, match=r"to shape \(2, 3\), but it should give \(2, 5\)"):
        expect_module(model, (2, 2, 2), (2, 5))
    with pytest.raises(Mismatch, match="has 15 parameters, but it should have 20"):
        expect_module(model, (2, 2, 2), (2, 3), n_parameters=20)
    with pytest.raises(Mismatch, match="should be a torch.nn.Module"):
        expect_module("model", (1,), (1,))

    class NoReturn(nn.Module):
        def forward(self, x):
            x + 1

    with pytest.raises(Mismatch, match="returned a NoneType, not a tensor"):
        expect_module(NoReturn(), (1,), (1,))


def test_expect_function_with_plain_results_and_non_functions():
    expect_function(lambda a, b: a + b, lambda a, b: a + b, [(1, 2), (3, 4)])
    with pytest.raises(Mismatch, match=r"add\(1, 2\) is 4"):

        def add(a, b):
            return a + b + 1

        expect_function(add, lambda a, b: a + b, [(1, 2)])
    with pytest.raises(Mismatch, match="should be a function"):
        expect_function(3, abs, [(1,)])


def test_expect_loss_drop():
    expect_loss_drop([1.0, 0.5, 0.1], factor=5)
    expect_loss_drop([1.0, 0.0], factor=100)
    with pytest.raises(Mismatch, match=r"went from 1 to 0.5 \(÷2\); it should drop at least ÷5"):
        expect_loss_drop([1.0, 0.5], factor=5)
    with pytest.raises(Mismatch, match="diverged"):
        expect_loss_drop([1.0, float("nan")], factor=2)
    with pytest.raises(Mismatch, match="at least two recorded values"):
        expect_loss_drop([1.0], factor=2)
    with pytest.raises(Mismatch, match="cannot be negative"):
        expect_loss_drop([1.0, -1.0], factor=2)

    class H:
        train_loss = [4.0, 1.0]

    expect_loss_drop(H(), factor=4)


def test_an_edition_without_final_hints_keeps_the_full_answer_back(tmp_path, capsys, monkeypatch):
    """With the instructor's ``--no-final-hint`` setting in the notebook's folder (or above),
    every hint but the last is shown; without it, all of them."""
    ex = core.get("tensors-broadcast")
    assert len(ex.hints) >= 2  # so at least one hint remains
    edition = tmp_path / "student"
    (edition / "week1").mkdir(parents=True)
    (edition / core.EDITION_SETTINGS).write_text('{"final_hint": false}')
    monkeypatch.chdir(edition / "week1")
    monkeypatch.setattr(core, "_HINTS_SHOWN", {})
    monkeypatch.setattr(core, "_HOLD_BACK_FINAL_HINTS", False)
    for _ in range(len(ex.hints) + 1):
        hint(ex.id)
    out = capsys.readouterr().out
    total = len(ex.hints)
    assert f"Hint 1/{total} for {ex.id}" in out  # the count says a last hint exists ...
    assert f"(hint {total}, the full answer, your instructor keeps for later)" in out  # ... kept
    assert ex.hints[-1] not in out and "keeps the last one" in out
    assert all(text in out for text in ex.hints[:-1])

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(core, "_HINTS_SHOWN", {})
    for _ in range(len(ex.hints)):
        hint(ex.id)
    assert ex.hints[-1] in capsys.readouterr().out
    (edition / core.EDITION_SETTINGS).write_text("not json")
    assert not core.final_hint_held_back(edition)
