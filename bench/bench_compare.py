"""Benchmark Monte Carlo comparisons (``compare``) on ``large-sit-in``.

Measures, on this machine:
  1. drills per second with 1 process (in this process) and with 2 processes (the local pool)
     on the same drills (same seeds), and the parallel efficiency: rate with 2 / (2 x rate with 1);
  2. the whole command ``compare large-sit-in --plans A B --reps 1000`` (reports included),
     and the replications alone with 2 processes and with 1 (the steadiest efficiency figure:
     short rounds vary by 10% or more on a virtual machine even when it is otherwise idle);
  3. batching: the same drills in one process stepped one at a time (``--batch 1``) and with
     their crowds stepped together (the default batch), and the time per drill of each;
  4. the Dask overhead: per task (empty tasks on a warm LocalCluster of 2 worker processes
     bound to 127.0.0.1) and per drill (the same replications on Dask against the local pool),
     and, for the record, a LocalCluster of 2 threads instead of 2 processes;
  5. with every rate, the peak resident memory of the processes that run the drills (the
     pool's or the cluster's, sampled from a separate process; needs psutil, which comes
     with dask[distributed]).

A "drill" is one replication of one plan. Two plans times 1,000 replications are 2,000 drills.

The machine may be shared: before each measurement the benchmark waits (up to --wait seconds)
until other processes use less than 0.15 of a core, and it records how many cores they used
during the measurement ("background_cores", from /proc/stat less this process and its children).

Usage:  python bench/bench_compare.py [--reps N] [--rounds N] [--big N] [--plans A B] [--no-dask]
        [--batch N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.engine.batch import BATCH_SIZE  # noqa: E402
from sim.montecarlo.replicate import dask_client, prepare, run_replications  # noqa: E402

SCENARIO = "large-sit-in"


HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
QUIET = 0.15
WAIT_S = 600.0


def _busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            vals = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return float("nan")
    return (sum(vals) - vals[3] - vals[4]) / HZ


def _own_s() -> float:
    """CPU seconds of this process and its finished children."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


class Window:
    """How many cores other processes kept busy while the block ran."""

    def __enter__(self):
        self.t, self.busy, self.own = time.perf_counter(), _busy_s(), _own_s()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.t
        others = (_busy_s() - self.busy) - (_own_s() - self.own)
        self.background = round(max(0.0, others) / wall, 2) if wall > 0 else float("nan")
        return False


def wait_quiet(max_wait: float) -> float:
    """Wait until other processes use less than QUIET of a core (2 s samples)."""
    deadline = time.perf_counter() + max_wait
    while True:
        with Window() as w:
            time.sleep(2)
        if w.background < QUIET or time.perf_counter() > deadline:
            return w.background
        time.sleep(3)


_SAMPLER = """
import select, sys
import psutil
me, parent = psutil.Process(), psutil.Process(int(sys.argv[1]))
peak = 0
while not select.select([sys.stdin], [], [], 0.25)[0]:
    total = 0
    for child in parent.children(recursive=True):
        if child.pid == me.pid:
            continue
        try:
            total += child.memory_info().rss
        except psutil.Error:   # ended between the listing and the reading
            pass
    peak = max(peak, total)
print(peak)
"""


class MemoryWatch:
    """The peak resident memory of this process's descendants (pool or cluster workers, their
    server or nannies) while the block runs, sampled every 0.25 s by a separate process (a
    thread here would change how the pool starts its workers); None without psutil (it comes
    with dask[distributed])."""

    def __enter__(self):
        self.peak_mb: float | None = None
        try:
            import psutil  # noqa: F401
        except ImportError:
            self._proc = None
            return self
        self._proc = subprocess.Popen([sys.executable, "-c", _SAMPLER, str(os.getpid())],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return self

    def __exit__(self, *exc):
        if self._proc is not None:
            out, _ = self._proc.communicate(b"")
            if self._proc.returncode == 0 and out.strip():
                self.peak_mb = round(int(out) / 2**20, 1)
        return False


BATCH = BATCH_SIZE


def _rate(variants, reps: int, jobs: int, seed: int, wait: bool = True, **kw) -> dict:
    kw.setdefault("batch", BATCH)
    if wait:
        wait_quiet(WAIT_S)
    # this process's children are counted as its own only when the pool forks them (no thread
    # yet) or when there is no pool; forkserver's and Dask's workers are not our children
    measurable = kw.get("backend") != "dask" and (jobs == 1 or threading.active_count() == 1)
    with Window() as w, MemoryWatch() as mem:
        res = run_replications(variants, reps, seed, jobs=jobs, **kw)
    if res.failures:
        raise SystemExit(f"{len(res.failures)} drills failed: {res.failures[0].traceback}")
    drills = reps * len(variants)
    return {"drills": drills, "seconds": round(res.elapsed_s, 3),
            "drills_per_s": round(drills / res.elapsed_s, 2),
            "ms_per_drill_in_worker": round(1000 * res.compute_s / drills, 2),
            "workers": res.workers, "tasks": res.chunks,
            "peak_memory_of_workers_mb": mem.peak_mb,
            "background_cores": w.background if measurable else None}


def _noop(x):
    return x


def _dask_task_overhead(client, n: int = 1000) -> float:
    """Seconds per task of ``n`` empty tasks on a warm cluster (submit to result)."""
    client.gather(client.map(_noop, range(50), pure=False))  # warm
    t0 = time.perf_counter()
    client.gather(client.map(_noop, range(n), pure=False))
    return (time.perf_counter() - t0) / n


def _median(runs: list[dict], key: str = "drills_per_s") -> dict:
    return sorted(runs, key=lambda r: r[key])[len(runs) // 2]


def _efficiency(variants, reps, rounds):
    """Rounds of the same drills (same seeds) with 1 and with 2 processes, interleaved so that
    any background load hits both alike; the efficiency of each round."""
    one, two, eff = [], [], []
    for i in range(rounds):
        one.append(_rate(variants, reps, 1, 100 + i))
        two.append(_rate(variants, reps, 2, 100 + i))
        eff.append(round(two[-1]["drills_per_s"] / (2 * one[-1]["drills_per_s"]), 3))
    return one, two, eff


def main() -> int:
    global WAIT_S, BATCH
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=100,
                        help="replications per plan of each rate measurement (default 100)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the rate measurement")
    parser.add_argument("--big", type=int, default=1000,
                        help="replications per plan of the whole command (default 1000; 0 skips)")
    parser.add_argument("--plans", nargs="+", default=["linxiang", "department-3level"])
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurements")
    parser.add_argument("--no-big-single", action="store_true",
                        help="skip the big run in one process (the long efficiency measure)")
    parser.add_argument("--wait", type=float, default=WAIT_S,
                        help="longest wait for a quiet machine before each measurement (s)")
    parser.add_argument("--batch", type=int, default=BATCH_SIZE,
                        help=f"replications stepped together (default {BATCH_SIZE})")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    WAIT_S, BATCH = args.wait, args.batch

    variants = prepare(SCENARIO, args.plans)
    run_replications(variants, 2, 0, jobs=1)  # warm imports and caches
    figures: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "scenario": SCENARIO, "plans": args.plans, "batch": args.batch,
    }
    # 0. batched against one at a time, the same drills in this process
    alone = _rate(variants, args.reps, 1, 50, batch=1)
    together = _rate(variants, args.reps, 1, 50)
    figures["one_at_a_time_1_process"] = alone
    figures["batched_1_process"] = together
    figures["batching_speed_up"] = round(together["drills_per_s"] / alone["drills_per_s"], 2)

    # 1. one process against two, on the same drills
    ones, twos, eff = _efficiency(variants, args.reps, args.rounds)
    figures["local_1_process"] = _median(ones)
    figures["local_2_processes"] = _median(twos)
    figures["rounds_1_process"] = [(r["drills_per_s"], r["background_cores"]) for r in ones]
    figures["rounds_2_processes"] = [(r["drills_per_s"], r["background_cores"]) for r in twos]
    figures["rounds_efficiency"] = eff
    figures["parallel_efficiency_2_processes"] = statistics.median(eff)

    _save(figures, args.json)

    # 2. the big one (before Dask: its threads would keep the pool from forking)
    if args.big:
        figures["big_replications_only"] = _rate(variants, args.big, 2, 1)
        if not args.no_big_single:
            # the same 2,000 drills in one process: the steadiest measure of the efficiency
            figures["big_1_process"] = _rate(variants, args.big, 1, 1)
            figures["parallel_efficiency_big"] = round(
                figures["big_replications_only"]["drills_per_s"]
                / (2 * figures["big_1_process"]["drills_per_s"]), 3)
        wait_quiet(WAIT_S)
        with tempfile.TemporaryDirectory() as tmp, Window() as w:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "run_drill.py"), "compare", SCENARIO,
                            "--plans", *args.plans, "--reps", str(args.big), "--quiet",
                            "--batch", str(args.batch),
                            "--out", str(Path(tmp) / "big")], check=True, capture_output=True)
            seconds = time.perf_counter() - t0
        figures["big_command"] = {"reps_per_plan": args.big, "plans": len(args.plans),
                                  "seconds": round(seconds, 2), "background_cores": w.background}

    _save(figures, args.json)

    # 3. Dask: per task, per drill against the local pool, and threads instead of processes
    if not args.no_dask:
        wait_quiet(WAIT_S)
        t0 = time.perf_counter()
        with dask_client(workers=2) as client:
            figures["dask_cluster_start_s"] = round(time.perf_counter() - t0, 2)
            _rate(variants, 4, 2, 1, backend="dask", client=client)  # workers import the engine
            per_task = _dask_task_overhead(client)
            dask_runs, local_runs = [], []
            for i in range(args.rounds):
                dask_runs.append(_rate(variants, args.reps, 2, 300 + i, backend="dask",
                                       client=client))
                local_runs.append(_rate(variants, args.reps, 2, 300 + i))
        d = statistics.median(r["seconds"] for r in dask_runs)
        lo = statistics.median(r["seconds"] for r in local_runs)
        drills = dask_runs[0]["drills"]
        figures["dask_2_workers"] = _median(dask_runs)
        figures["local_2_processes_same_drills"] = _median(local_runs)
        figures["dask_overhead_per_task_ms"] = round(per_task * 1000, 3)
        figures["dask_overhead_per_drill_ms"] = round(1000 * (d - lo) / drills, 3)
        figures["dask_overhead_per_drill_from_tasks_ms"] = round(
            1000 * per_task * dask_runs[0]["tasks"] / drills, 4)
        wait_quiet(WAIT_S)
        with dask_client(workers=2, processes=False) as client:
            _rate(variants, 4, 2, 1, backend="dask", client=client, wait=False)
            figures["dask_2_threads"] = _rate(variants, args.reps, 2, 300, backend="dask",
                                              client=client)

    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _save(figures, args.json)
    print(json.dumps(figures, indent=2))
    return 0


def _save(figures: dict, path: Path | None) -> None:
    """Write what has been measured so far (a long run that fails keeps its first parts)."""
    if path:
        path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
