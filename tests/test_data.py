from pathlib import Path

import pytest
import torch

from pytorch_lessons import data
from pytorch_lessons.data import (
    DataNotFoundError,
    data_root,
    default_data_root,
    load_mnist,
    make_linear_data,
    mnist_present,
    mnist_tensors,
)


def test_data_root_order_argument_then_variable_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTORCH_LESSONS_DATA", str(tmp_path / "from-env"))
    assert data_root(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_root() == tmp_path / "from-env"
    monkeypatch.delenv("PYTORCH_LESSONS_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_root() == default_data_root() == tmp_path / "cache" / "pytorch-lessons"


def test_data_root_rejects_non_paths():
    with pytest.raises(TypeError, match="root must be a path"):
        data_root(42)


def _offline(monkeypatch):
    """Point torchvision's MNIST mirrors at a closed local port: every download fails at once."""
    from torchvision.datasets import MNIST

    monkeypatch.setattr(MNIST, "mirrors", ["http://127.0.0.1:9/"])


def test_missing_mnist_without_download_is_one_clear_error(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(root=tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert "PYTORCH_LESSONS_DATA" in message and "pytorch-lessons data fetch" in message


def test_failed_download_is_one_error_and_leaves_no_partial_files(monkeypatch, tmp_path):
    _offline(monkeypatch)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "notes.txt").write_text("a file that was there before")
    with pytest.raises(DataNotFoundError, match="download failed") as info:
        load_mnist(root=tmp_path)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert sorted(p.name for p in raw.iterdir()) == ["notes.txt"]


def test_load_mnist_reads_the_shared_copy(mnist_root):
    train, test = load_mnist(train=True), load_mnist(train=False)
    assert (len(train), len(test)) == (60_000, 10_000)
    image, label = train[0]
    assert label == 5 and image.size == (28, 28)


def test_mnist_tensors_match_per_sample_transforms(mnist_root):
    from torchvision import transforms

    x, y = mnist_tensors(train=False, limit=50)
    assert x.shape == (50, 1, 28, 28) and x.dtype == torch.float32
    assert y.shape == (50,) and y.dtype == torch.int64
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((data.MNIST_MEAN,), (data.MNIST_STD,))]
    )
    reference = load_mnist(train=False, transform=transform)
    for i in (0, 17, 49):
        image, label = reference[i]
        assert torch.allclose(x[i], image, atol=1e-6) and y[i].item() == label


def test_mnist_present_is_false_for_an_empty_folder(tmp_path):
    assert not mnist_present(tmp_path)


@pytest.mark.parametrize("limit", [0, -3, 2.5, True])
def test_mnist_tensors_rejects_bad_limits(limit):
    with pytest.raises(ValueError, match="limit must be a positive int"):
        mnist_tensors(limit=limit)


def test_make_linear_data_recovers_known_weights():
    x, y = make_linear_data(2000, [2.0, -3.0], bias=0.5, noise=0.01, seed=1)
    assert x.shape == (2000, 2) and y.shape == (2000, 1)
    design = torch.cat([x, torch.ones(len(x), 1)], dim=1)
    solution = torch.linalg.lstsq(design, y).solution.flatten()
    assert torch.allclose(solution, torch.tensor([2.0, -3.0, 0.5]), atol=0.01)


def test_make_linear_data_is_repeatable_and_leaves_the_global_seed_alone():
    torch.manual_seed(0)
    expected_next = torch.rand(1)
    torch.manual_seed(0)
    a = make_linear_data(5, [1.0], seed=3)
    assert torch.equal(torch.rand(1), expected_next)
    b = make_linear_data(5, [1.0], seed=3)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0, "weights": [1.0]}, "n must be a positive int"),
        ({"n": 10, "weights": []}, "weights must have at least one value"),
        ({"n": 10, "weights": [1.0], "noise": -1.0}, "noise must be a finite number"),
        ({"n": 10, "weights": [1.0], "noise": float("nan")}, "noise must be a finite number"),
    ],
)
def test_make_linear_data_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_linear_data(**kwargs)


def test_data_module_does_not_import_torchvision_at_import_time():
    import subprocess
    import sys

    code = "import sys, pytorch_lessons, pytorch_lessons.data; print('torchvision' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_package_import_stays_light():
    import subprocess
    import sys

    code = (
        "import sys, pytorch_lessons; "
        "print(sorted(m for m in ('torch', 'torchvision', 'matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    assert Path(pytorch_lessons_file()).name == "__init__.py"


def pytorch_lessons_file() -> str:
    import pytorch_lessons

    return pytorch_lessons.__file__
