"""Settings fail loudly on misconfiguration instead of guessing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import wijkportaal.settings as s; print(s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE)",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_not_debugging():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_debug_runs_without_a_secret_key_and_defaults_are_dutch():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "nl", "Europe/Amsterdam"]


def test_debug_is_off_by_default():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.stdout.split()[0] == "False"


@pytest.mark.parametrize("value", ["ja", "2", "maybe"])
def test_a_bad_boolean_fails_loudly(value):
    result = load_settings(DEBUG=value, SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr
