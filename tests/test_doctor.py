import pytest

from pytorch_lessons import doctor
from pytorch_lessons.cli import main


def test_doctor_with_verified_mnist_is_all_ok(mnist_root, capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for line in (
        "Python",
        "torch",
        "torchvision",
        "ipywidgets",
        "device: cpu",
        "MNIST: all 4 files",
    ):
        assert line in out
    assert "PROBLEM" not in out and out.strip().endswith("All good: ready for the course.")


def test_doctor_without_mnist_names_the_fix_and_fails(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PYTORCH_LESSONS_DATA", str(tmp_path))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"PROBLEM  MNIST in {tmp_path}/MNIST/raw: not downloaded yet" in out
    assert "fix: run `pytorch-lessons data fetch` while online" in out


def test_doctor_with_an_unwritable_folder_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTORCH_LESSONS_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(doctor, "_writable", lambda folder: False)
    problem = doctor.check_data()[-1]
    assert not problem.ok and "not writable" in problem.fix


def test_a_broken_package_is_a_problem_with_a_fix():
    finding = doctor.check_import("no_such_module_xyz", "no-such-package")
    assert not finding.ok and "does not import" in finding.what and "make install" in finding.fix
    assert str(finding).startswith("  PROBLEM  no-such-package does not import")


def test_missing_widgets_front_end_is_a_problem(monkeypatch):
    monkeypatch.setattr(
        doctor, "_version", lambda name: None if name == "jupyterlab_widgets" else "1.0"
    )
    assert not doctor.check_widgets().ok
    monkeypatch.setattr(doctor, "_version", lambda name: None if name == "anywidget" else "1.0")
    finding = doctor.check_widgets()
    assert not finding.ok and "anywidget" in finding.what and "pip install anywidget" in finding.fix


def test_unavailable_device_choice_is_a_problem(monkeypatch):
    monkeypatch.setenv("PYTORCH_LESSONS_DEVICE", "tpu")
    finding = doctor.check_device()
    assert not finding.ok and "PYTORCH_LESSONS_DEVICE" in finding.fix


@pytest.mark.parametrize("version", [(3, 10, 14), (3, 11, 0), (3, 12, 1)])
def test_python_version(monkeypatch, version):
    monkeypatch.setattr(doctor.sys, "version_info", version)
    assert doctor.check_python().ok == (version >= (3, 11))
