"""Downloading MNIST: verified, atomic, and one clear error when it cannot be done.

A local HTTP server on 127.0.0.1 plays torchvision's mirror, serving gzip archives made from
small fake IDX files, so the real download path runs without the internet.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import struct
import threading
from pathlib import Path

import pytest

from pytorch_lessons import data
from pytorch_lessons.cli import main
from pytorch_lessons.data import DataCorruptError, DataNotFoundError, fetch_mnist, verify_mnist


def _idx(name: str, samples: int) -> bytes:
    """A tiny valid IDX file: ``samples`` 28x28 images or labels, as torchvision parses them."""
    if "images" in name:
        header = struct.pack(">IIII", 0x803, samples, 28, 28)
        return header + bytes(range(256)) * (samples * 784 // 256) + bytes(samples * 784 % 256)
    return struct.pack(">II", 0x801, samples) + bytes(i % 10 for i in range(samples))


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """Serve gzipped fake MNIST files; patch torchvision and our checksums to expect them."""
    from torchvision.datasets import MNIST

    served = tmp_path / "mirror"
    served.mkdir()
    raw_md5, resources = {}, []
    for number, name in enumerate(data.MNIST_FILES):
        content = _idx(name, samples=2 + number)
        raw_md5[name] = hashlib.md5(content).hexdigest()
        archive = served / f"{name}.gz"
        archive.write_bytes(gzip.compress(content, mtime=0))
        resources.append((archive.name, hashlib.md5(archive.read_bytes()).hexdigest()))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(MNIST, "mirrors", [f"http://127.0.0.1:{server.server_port}/"])
    monkeypatch.setattr(MNIST, "resources", resources)
    monkeypatch.setattr(data, "MNIST_MD5", raw_md5)
    yield served
    server.shutdown()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".mnist-download-"))


def test_fetch_downloads_verifies_and_moves_files_into_place(mirror, tmp_path):
    root = tmp_path / "data"
    raw = fetch_mnist(root)
    assert raw == root / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.MNIST_FILES)
    assert set(verify_mnist(root).values()) == {"ok"} and _leftovers(root) == []
    (mirror / f"{data.MNIST_FILES[0]}.gz").unlink()  # a second fetch needs no download
    assert fetch_mnist(root) == raw


def test_a_corrupt_download_keeps_nothing(mirror, tmp_path, monkeypatch):
    monkeypatch.setitem(data.MNIST_MD5, data.MNIST_FILES[0], "0" * 32)
    root = tmp_path / "data"
    with pytest.raises(DataCorruptError, match="failed their checksum; nothing was kept"):
        fetch_mnist(root)
    assert not (root / "MNIST" / "raw").exists() and _leftovers(root) == []


def test_offline_fetch_is_one_clear_error_and_leaves_nothing(monkeypatch, tmp_path):
    from torchvision.datasets import MNIST

    monkeypatch.setattr(MNIST, "mirrors", ["http://127.0.0.1:9/"])  # a closed port: refused at once
    root = tmp_path / "data"
    with pytest.raises(DataNotFoundError, match=r"download failed: .*Set PYTORCH_LESSONS_DATA"):
        fetch_mnist(root)
    assert _leftovers(root) == [] and not (root / "MNIST").exists()


def test_unwritable_data_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataNotFoundError, match="cannot write to the data folder"):
        fetch_mnist(blocker / "data")


def test_verify_reports_missing_and_corrupt_files(mirror, tmp_path):
    root = tmp_path / "data"
    assert set(verify_mnist(root).values()) == {"missing"}
    fetch_mnist(root)
    damaged = root / "MNIST" / "raw" / data.MNIST_FILES[1]
    damaged.write_bytes(b"garbage")
    (root / "MNIST" / "raw" / data.MNIST_FILES[2]).unlink()
    status = verify_mnist(root)
    assert status[data.MNIST_FILES[1]] == "corrupt" and status[data.MNIST_FILES[2]] == "missing"
    assert status[data.MNIST_FILES[0]] == "ok"


def test_load_mnist_reports_unreadable_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.MNIST_FILES:
        (raw / name).write_bytes(b"not an IDX file")
    with pytest.raises(DataCorruptError, match="unreadable .*pytorch-lessons data verify"):
        data.load_mnist(root=tmp_path)


def test_data_commands(mirror, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PYTORCH_LESSONS_DATA", str(tmp_path / "data"))
    assert main(["data", "verify"]) == 1
    assert "4 of 4 files missing or corrupt" in capsys.readouterr().err
    assert main(["data", "fetch"]) == 0
    assert "MNIST ready and verified" in capsys.readouterr().out
    assert main(["data", "verify"]) == 0
    assert capsys.readouterr().out.count("  ok ") == 4


def test_data_fetch_command_offline(monkeypatch, tmp_path, capsys):
    from torchvision.datasets import MNIST

    monkeypatch.setattr(MNIST, "mirrors", ["http://127.0.0.1:9/"])
    monkeypatch.setenv("PYTORCH_LESSONS_DATA", str(tmp_path))
    assert main(["data", "fetch"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: MNIST is not in") and len(err.strip().splitlines()) == 1
