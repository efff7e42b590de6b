"""Shared test helpers."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python run_drill.py ARGS`` in a new interpreter and capture its output (text).

    Only for what needs a process of its own: everything the process writes to stderr
    (``--quiet``), a terminal, signals. Otherwise use :func:`call_cli`."""
    return subprocess.run([sys.executable, str(ROOT / "run_drill.py"), *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)


@dataclass
class CliResult:
    """What :func:`call_cli` captured, with the attributes of a ``CompletedProcess``."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def call_cli(*args: str, cwd: Path | None = None) -> CliResult:
    """Run the command line in this process, ``run_drill.main([ARGS])``, in folder ``cwd``
    (default: the project), with stdout and stderr captured. A ``SystemExit`` (usage errors,
    ``--help``) becomes its exit code, as the command would exit."""
    import run_drill

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = run_drill.main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(before)
    return CliResult(list(args), code, out.getvalue(), err.getvalue())
