import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from pytorch_lessons import pick_device, set_seed


def test_pick_device_defaults_to_an_available_device():
    device = pick_device()
    assert device.type in {"cpu", "cuda", "mps"}
    torch.ones(1, device=device)  # usable


def test_pick_device_honours_preference_and_variable(monkeypatch):
    assert pick_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("PYTORCH_LESSONS_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")


@pytest.mark.parametrize(
    ("prefer", "error", "message"),
    [
        ("tpu", ValueError, "unknown device 'tpu'"),
        (3, TypeError, "prefer must be a device name"),
    ],
)
def test_pick_device_rejects_bad_names(prefer, error, message):
    with pytest.raises(error, match=message):
        pick_device(prefer)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_pick_device_unavailable_device_says_what_is_available():
    with pytest.raises(RuntimeError, match=r"'cuda' is not available.*available: cpu"):
        pick_device("cuda")


def test_set_seed_makes_all_generators_repeat():
    set_seed(123)
    first = (random.random(), np.random.rand(), torch.rand(3))
    set_seed(123)
    second = (random.random(), np.random.rand(), torch.rand(3))
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2])


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_set_seed_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed must be"):
        set_seed(seed)


_DETERMINISM_PROBE = """
import os, sys
import torch
from pytorch_lessons import set_seed
set_seed(0)
assert torch.are_deterministic_algorithms_enabled()
assert torch.is_deterministic_algorithms_warn_only_enabled()
assert torch.empty(4).isnan().all()  # what Chapter 01 and the appendix show
assert "torch._inductor" not in sys.modules, "set_seed imported inductor"
import torch._inductor.config as inductor_config
assert inductor_config.deterministic is True  # what the public call would have set
assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
"""


def test_set_seed_turns_on_deterministic_mode_without_importing_inductor():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TORCHINDUCTOR_DETERMINISTIC", "CUBLAS_WORKSPACE_CONFIG")
    }
    result = subprocess.run(
        [sys.executable, "-c", _DETERMINISM_PROBE],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_set_seed_after_inductor_is_loaded_uses_the_public_call(monkeypatch):
    import torch._inductor.config as inductor_config

    monkeypatch.setattr(inductor_config, "deterministic", False)
    set_seed(0)
    assert inductor_config.deterministic is True
    assert torch.are_deterministic_algorithms_enabled()
