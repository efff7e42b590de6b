"""Files in and out, safely.

Reading (:func:`read_limited`): only regular files, their size checked before a byte is read,
so a device (``/dev/zero``), a pipe or a folder is refused at once instead of filling memory
or waiting forever.

Writing:

* :func:`atomic_write` writes one file through a temporary name in the same folder, so a file
  is never seen half-written under its final name.
* :func:`output_folder` writes a whole output folder as a set: every file goes into a
  temporary folder beside the target, which is swapped in at the end. A crash, a kill or a
  full disk leaves the old folder whole or the new one whole, never a mixture; a lock beside
  the target refuses a second command writing the same folder at the same time.
* :func:`safe_cell` is the one rule for CSV cells a spreadsheet would read as a formula
  (OWASP's advice: a leading single quote), and :func:`csv_text` applies it to every cell of
  every CSV the project writes.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import errno
import fcntl
import hashlib
import io
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, Problem

_UMASK = os.umask(0)
os.umask(_UMASK)


# --------------------------------------------------------------------------- reading


def read_limited(path: str | Path, limit: int, label: str | None = None) -> bytes:
    """The bytes of the regular file at ``path``, refused (``InputError`` naming ``label``)
    when it is not a regular file or is larger than ``limit`` bytes. The size is checked
    before anything is read, and a pipe is never opened for a blocking read."""
    label = label or str(path)

    def refuse(message: str) -> InputError:
        return InputError([Problem(label, "", None, message)])

    try:
        st = os.stat(path)
    except OSError as exc:
        raise refuse(f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise refuse("is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise refuse("is not a regular file (a device, a pipe or a socket); refused")
    if st.st_size > limit:
        raise refuse(f"{st.st_size:,} bytes is larger than {limit:,}; refused")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise refuse(f"cannot read the file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # swapped since the stat above
            raise refuse("is not a regular file (a device, a pipe or a socket); refused")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise refuse(f"larger than {limit:,} bytes; refused")
    return data


# --------------------------------------------------------------------------- one file


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # text is always written as valid UTF-8: an unpaired surrogate (from a file name that is
    # not UTF-8) becomes "?" instead of stopping the run
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- CSV cells


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV
injection)."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def safe_cell(value: Any) -> Any:
    """A CSV cell as a spreadsheet may open it: text that starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading single quote, so it shows as text and
    never runs as a formula; a signed number (``-2.5``, ``+1e3``) is left as it is, and so
    is any value that is not text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if value[0] in "+-" and _NUMBER.match(value):
            return value
        return "'" + value
    return value


def csv_text(df: Any, **options: Any) -> str:
    """A pandas frame as CSV text (``index=False`` and ``"\\n"`` line ends unless
    ``options`` say otherwise), with :func:`safe_cell` applied to every cell, the header
    included: whatever a plan, a scenario or an option put into a frame, no cell of the file
    runs as a formula."""
    options = {"index": False, "lineterminator": "\n", **options}
    text = df.to_csv(**options)
    return neutralise_csv(text, options["lineterminator"])


def neutralise_csv(text: str, lineterminator: str = "\n") -> str:
    """CSV ``text`` with :func:`safe_cell` applied to every cell; unchanged when no cell
    needs it."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(safe_cell(c) is not c for row in rows for c in row):
        return text
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=lineterminator)
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return buf.getvalue()


# --------------------------------------------------------------------------- output folders


OUTPUT_NAMES = frozenset({
    # run
    "events.csv", "timeseries.csv", "messages.csv", "metrics.json", "evaluation.json",
    "report.md", "report.html", "report.docx", "charts", "decisions.yaml", "replay.html",
    "plain_metrics.json",
    # compare and sweep
    "replications.csv", "summary.csv", "differences.csv", "probabilities.csv",
    "event_differences.csv", "categories.csv", "failures.csv", "run.json", "comparison.md",
    "comparison.html", "comparison.docx", "sweep.csv", "sweep.md", "sweep.html",
    # sensitivity
    "factors.csv", "samples.csv", "outputs.csv", "indices.csv", "sensitivity.png",
    "sensitivity.svg", "sensitivity.md", "sensitivity.html",
})
"""The names an output folder of this project may hold: an existing folder is replaced only
when it is empty or holds nothing else (never a folder of someone's own files)."""

_TEMPORARY = re.compile(r"\..+\.tmp")
"""A file :func:`atomic_write` left half-written when its command was killed."""

MAX_NAME_BYTES = 200
"""Longest output folder name accepted, in bytes (the file system allows 255; the temporary
folder beside it needs the rest)."""

LABEL = "--out"

_open: dict[Path, Path] = {}
"""Staging folders open in this process, to their targets (see :func:`output_folder`)."""


def _refuse(message: str, label: str = LABEL) -> InputError:
    return InputError([Problem(label, "", None, message)])


def _siblings(target: Path) -> str:
    """The prefix of the lock and temporary folders beside ``target``: readable, short."""
    digest = hashlib.sha1(target.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f".{target.name[:40]}.{digest}"


def check_target(target: Path, label: str = LABEL) -> None:
    """Refuse (``InputError``) a target the command could not write or must not replace: an
    existing file, a name too long, a folder under /proc, /sys or /dev, a folder that holds
    files this project did not write."""
    name = target.name
    if not name or name in (".", ".."):
        raise _refuse(f"{target} does not name a folder to write", label)
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise _refuse(f"the folder name is {len(name.encode('utf-8', 'surrogateescape'))} "
                      f"bytes long; at most {MAX_NAME_BYTES} (file name too long)", label)
    resolved = target.resolve()
    for system in ("/proc", "/sys", "/dev"):
        if resolved == Path(system) or Path(system) in resolved.parents:
            raise _refuse(f"{target} is under {system}, which holds no files to write", label)
    if target.is_symlink():
        raise _refuse(f"{target} is a symbolic link; name the folder itself, or a new one",
                      label)
    if target.exists() and not target.is_dir():
        raise _refuse(f"{target} exists and is not a folder; name a new folder or a previous "
                      "output folder", label)
    if target.is_dir():
        try:
            entries = sorted(p.name for p in target.iterdir())
        except OSError as exc:
            raise _refuse(f"cannot read the folder {target}: {exc.strerror or exc}",
                          label) from None
        foreign = [n for n in entries if not _ours(target / n)]
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise _refuse(f"{target} holds files this command did not write ({shown}); it "
                          "would be replaced as a whole, so name a new or empty folder, or a "
                          "previous output folder", label)


CHART_FOLDER = "charts"
_CHART = re.compile(r"[\w.-]+\.(png|svg)")


OS_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files a file browser leaves in a folder it has shown: nobody's work."""


def _ours(path: Path) -> bool:
    """Whether ``path``, an entry of an output folder, is one this project writes there: a
    file of :data:`OUTPUT_NAMES` or a half-written one, or the chart folder holding chart
    images only (a folder of the same name as a file, or anything else inside the chart
    folder, is someone else's)."""
    name = path.name
    if name in OS_FILES:
        return not path.is_dir() or path.is_symlink()
    if _TEMPORARY.fullmatch(name):
        return not path.is_dir() or path.is_symlink()
    if name not in OUTPUT_NAMES:
        return False
    if name != CHART_FOLDER:
        return path.is_symlink() or not path.is_dir()
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        return all((_CHART.fullmatch(p.name) or _TEMPORARY.fullmatch(p.name)
                    or p.name in OS_FILES) and not p.is_dir() for p in path.iterdir())
    except OSError:
        return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False when the
    system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    res = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def _lock(target: Path, label: str) -> Iterator[None]:
    """An exclusive lock on ``target`` for this command (a lock file beside it, removed at
    the end); a second command asking for it is refused at once."""
    path = target.parent / f"{_siblings(target)}.lock"
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
        except OSError as exc:
            raise _refuse(f"cannot write in {target.parent}: {exc.strerror or exc}",
                          label) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            except OSError:
                holder = ""
            os.close(fd)
            by = f" (process {holder})" if holder.isdigit() else ""
            raise _refuse(f"{target} is being written by another command{by}; wait until it "
                          "has finished, or name another output folder", label) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a lock file its last holder removed while we opened it
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _recover(target: Path) -> None:
    """Tidy what a killed command left beside ``target`` (called under the lock): the old
    folder put back if it was moved aside and the new one never moved in, temporary
    folders removed."""
    prefix = _siblings(target)
    leftovers = sorted(target.parent.glob(f"{prefix}.*.old"))
    if leftovers and not target.exists():
        os.rename(leftovers.pop(), target)
    for stale in [*leftovers, *target.parent.glob(f"{prefix}.*.new")]:
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def output_folder(target: str | Path, label: str = LABEL) -> Iterator[Path]:
    """Write an output folder as a set: ``with output_folder(out) as d:`` write every file
    into ``d``, a temporary folder beside ``out``; when the block ends without an error ``d``
    becomes ``out`` in one step (the old ``out`` is removed). An error, a kill or a full disk
    before that leaves ``out`` as it was.

    A lock refuses a second command writing the same folder at the same time
    (``InputError``, exit 2), and so does a target that is a file, under /proc, or a folder of
    files this project did not write (see :func:`check_target`). Within the block, a writer
    called with ``d`` itself writes into it directly (no second folder, no second lock), so a
    command can hold its folder from the start and let the writers fill it.
    """
    target = Path(target)
    if target.resolve() in _open:  # the staging folder of an enclosing block
        yield target
        return
    target = Path(os.path.abspath(target))
    check_target(target, label)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refuse(f"cannot create the folder {target.parent}: {exc.strerror or exc}",
                      label) from None
    with _lock(target, label):
        _recover(target)
        check_target(target, label)
        prefix = _siblings(target)
        try:
            stage = Path(tempfile.mkdtemp(prefix=f"{prefix}.", suffix=".new", dir=target.parent))
            os.chmod(stage, 0o777 & ~_UMASK)
        except OSError as exc:
            raise _refuse(f"cannot write in {target.parent}: {exc.strerror or exc}",
                          label) from None
        _open[stage.resolve()] = target
        try:
            yield stage
            _commit(stage, target, prefix)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        finally:
            _open.pop(stage.resolve(), None)


def _commit(stage: Path, target: Path, prefix: str) -> None:
    """Put ``stage`` in the place of ``target`` in one step; remove the old folder."""
    if not target.exists():
        os.rename(stage, target)
        return
    if _exchange(stage, target):  # stage now holds the old folder
        shutil.rmtree(stage, ignore_errors=True)
        return
    # without an atomic exchange: the old folder aside, the new one in; a kill between the
    # two renames is repaired by the next command (see _recover)
    old = target.parent / f"{prefix}.{secrets.token_hex(4)}.old"
    os.rename(target, old)
    os.rename(stage, target)
    shutil.rmtree(old, ignore_errors=True)


def is_staging(path: Path) -> bool:
    """Whether ``path`` is a folder :func:`output_folder` has open in this process."""
    return Path(path).resolve() in _open
