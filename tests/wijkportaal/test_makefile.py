"""The Makefile's development set-up: the README's manage.py commands work after `make run`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _make_env(directory: Path) -> None:
    shutil.copy(ROOT / "Makefile", directory / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", directory / "pyproject.toml")
    make = shutil.which("make") or "make"
    subprocess.run([make, "-s", ".env"], cwd=directory, check=True, capture_output=True)  # noqa: S603


def test_setup_writes_a_development_env_that_manage_py_reads(tmp_path: Path) -> None:
    _make_env(tmp_path)
    # A manage.py command run without DEBUG or SECRET_KEY in the environment, as the README shows it,
    # reads the .env beside manage.py (settings.BASE_DIR); the test runs it with this checkout's code.
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(dict(_read_env(tmp_path / ".env")))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_setup_never_overwrites_an_existing_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SECRET_KEY=kept\n")
    _make_env(tmp_path)
    assert (tmp_path / ".env").read_text() == "SECRET_KEY=kept\n"


def _read_env(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs.append((key, value))
    return pairs
