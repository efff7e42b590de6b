"""Shared test helpers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python run_drill.py ARGS`` and capture its output (text)."""
    return subprocess.run([sys.executable, str(ROOT / "run_drill.py"), *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli():
    """The command line as a function: ``cli("run", "small-group", "--out", tmp)``."""
    return run_cli
