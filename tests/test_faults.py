"""Faults while writing: a kill, a full disk, a second command on the same folder, the main
process of a comparison dying. An output folder is always the old one whole or the new one
whole (:func:`sim.core.files.output_folder`).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.core import files
from sim.core.files import output_folder
from tests.conftest import ROOT, call_cli, run_cli

DATA = ("events.csv", "timeseries.csv", "messages.csv", "metrics.json", "evaluation.json",
        "report.md")
"""The files of a run that are the same byte for byte when it is run again."""
RUN = ("run", "small-group", "--formats", "md,html", "--quiet")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory):
    """A finished run with seed 1 (the old folder) and the reference of a run with seed 2
    (what the new folder must be, whole)."""
    base = tmp_path_factory.mktemp("runs")
    for seed in (1, 2):
        res = call_cli(*RUN, "--seed", str(seed), "--out", str(base / f"seed{seed}"))
        assert res.returncode == 0, res.stderr
    return snapshot(base / "seed1"), snapshot(base / "seed2")


def assert_old_or_new(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    now = snapshot(folder)
    if now == old:
        return "old"
    assert set(now) == set(new), f"a mixture: {sorted(set(now) ^ set(new))}"
    for name in DATA:
        assert now[name] == new[name], f"{name} is not the new run's"
    return "new"


def assert_tidy(parent: Path, keep: str = "out") -> None:
    assert sorted(p.name for p in parent.iterdir()) == [keep], sorted(os.listdir(parent))


def _prepare(tmp_path: Path, old: dict[str, bytes]) -> Path:
    out = tmp_path / "work" / "out"
    for name, data in old.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return out


KILLER = r"""
import os, signal, sys
sys.path.insert(0, {root!r})
import sim.core.files as files
import reports.writer as writer
when = sys.argv[1]
count = 0

def dying(path, data):
    global count
    if when != "commit" and count == int(when):
        os.kill(os.getpid(), signal.SIGKILL)
    count += 1
    original(path, data)

original = writer.atomic_write
writer.atomic_write = dying
if when == "commit":
    commit = files._commit
    def die_after(stage, target, prefix):
        commit(stage, target, prefix)
        os.kill(os.getpid(), signal.SIGKILL)
    files._commit = die_after
import run_drill
sys.exit(run_drill.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("when", ["0", "2", "5", "9", "commit"])
def test_a_run_killed_while_writing_leaves_the_old_folder_or_the_new_one(when, tmp_path,
                                                                         old_and_new):
    old, new = old_and_new
    out = _prepare(tmp_path, old)
    script = tmp_path / "killer.py"
    script.write_text(KILLER.format(root=str(ROOT)), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), when, *RUN, "--seed", "2",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    got = assert_old_or_new(out, old, new)
    assert got == ("new" if when == "commit" else "old")
    # the next command tidies what the killed one left beside the folder
    res = call_cli(*RUN, "--seed", "2", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert assert_old_or_new(out, old, new) == "new"
    assert_tidy(out.parent)


@pytest.mark.slow
def test_a_run_killed_at_any_moment_leaves_the_old_folder_or_the_new_one(tmp_path, old_and_new):
    old, new = old_and_new
    seen = set()
    for i, delay in enumerate([0.3, 0.8, 1.2, 1.5, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.2, 4.0]):
        out = _prepare(tmp_path / str(i), old)
        proc = subprocess.Popen([sys.executable, str(ROOT / "run_drill.py"), *RUN, "--seed", "2",
                                 "--out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait()
        seen.add(assert_old_or_new(out, old, new))
    assert "old" in seen


def test_a_full_disk_midway_leaves_the_old_folder(tmp_path, old_and_new, monkeypatch):
    import reports.writer as writer

    old, _ = old_and_new
    out = _prepare(tmp_path, old)
    original = writer.atomic_write
    calls = []

    def filling(path, data):
        calls.append(path)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        original(path, data)

    monkeypatch.setattr(writer, "atomic_write", filling)
    res = call_cli(*RUN, "--seed", "2", "--out", str(out))
    assert res.returncode == 1, res.stderr
    assert "No space left on device" in res.stderr
    assert "输出文件夹保持原样" in res.stderr and "Traceback" not in res.stderr
    assert snapshot(out) == old
    assert_tidy(out.parent)


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def test_a_really_full_disk_leaves_the_old_folder(tmp_path, old_and_new):
    """On a small tmpfs (root only): the new run, with its Word report, does not fit beside
    the old one."""
    old, _ = old_and_new
    disk = tmp_path / "disk"
    disk.mkdir()
    size = sum(map(len, old.values()))
    if not _mount_tmpfs(disk, f"{size * 3 // 2 // 1024}k"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        out = disk / "out"
        for name, data in old.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(data)
        res = call_cli("run", "small-group", "--seed", "2", "--formats", "md,html,docx",
                       "--out", str(out), "--quiet")
        assert res.returncode == 1, res.stderr
        assert "No space left on device" in res.stderr and "Traceback" not in res.stderr
        assert snapshot(out) == old
        assert_tidy(disk)
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_second_command_on_the_same_folder_is_refused(tmp_path, old_and_new):
    old, new = old_and_new
    out = _prepare(tmp_path, old)
    with output_folder(out) as stage:
        (stage / "metrics.json").write_text("{}", encoding="utf-8")
        for res in (run_cli(*RUN, "--seed", "2", "--out", str(out), timeout=60),
                    call_cli(*RUN, "--seed", "2", "--out", str(out))):
            assert res.returncode == 2, res.stderr
            assert "is being written by another command" in res.stderr
            assert f"(process {os.getpid()})" in res.stderr
            assert "Traceback" not in res.stderr
        assert snapshot(out) == old
    assert snapshot(out) == {"metrics.json": b"{}"}  # the first command's folder, whole
    res = call_cli(*RUN, "--seed", "2", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert assert_old_or_new(out, old, new) == "new"
    assert_tidy(out.parent)


def test_an_old_folder_moved_aside_is_put_back(tmp_path, old_and_new):
    """Without an atomic exchange the old folder goes aside before the new one comes in; a
    kill between the two leaves it aside, and the next command puts it back first."""
    old, _ = old_and_new
    out = _prepare(tmp_path, old)
    aside = out.parent / f"{files._siblings(out)}.deadbeef.old"
    out.rename(aside)
    stale = out.parent / f"{files._siblings(out)}.x1y2z3.new"
    stale.mkdir()
    with output_folder(out):
        assert snapshot(out) == old
        assert not aside.exists() and not stale.exists()
    assert sorted(p.name for p in out.iterdir()) == []


def test_the_swap_without_an_atomic_exchange(tmp_path, old_and_new, monkeypatch):
    old, new = old_and_new
    out = _prepare(tmp_path, old)
    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    res = call_cli(*RUN, "--seed", "2", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert assert_old_or_new(out, old, new) == "new"
    assert_tidy(out.parent)


def test_an_error_inside_the_block_leaves_the_old_folder(tmp_path, old_and_new):
    old, _ = old_and_new
    out = _prepare(tmp_path, old)
    with pytest.raises(KeyboardInterrupt), output_folder(out) as stage:
        (stage / "events.csv").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert snapshot(out) == old
    assert_tidy(out.parent)


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_compare_workers_stop_when_the_main_process_is_killed(tmp_path):
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_drill.py"), "compare",
                             "small-group", "--plans", "linxiang", "enterprise", "--reps", "5000",
                             "--jobs", "2", "--quiet", "--out", str(tmp_path / "out")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = _children(proc.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, workers
        time.sleep(0.5)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "workers outlived the main process"
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in _children(proc.pid):
            os.kill(w, signal.SIGKILL)
    assert not (tmp_path / "out").exists()
