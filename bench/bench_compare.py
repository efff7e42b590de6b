"""Benchmark Monte Carlo comparisons (``compare``) on ``large-sit-in``.

Measures, on this machine:
  1. drills per second with 1 process (in this process) and with 2 processes (the local pool),
     and the parallel efficiency: rate with 2 / (2 x rate with 1);
  2. the Dask overhead: per task (empty tasks on a warm LocalCluster of 2 worker processes
     bound to 127.0.0.1) and per drill (the same replications on Dask against the local pool);
  3. the whole command ``compare large-sit-in --plans A B --reps 1000`` (reports included),
     and the replications alone.

A "drill" is one replication of one plan. Two plans times 1,000 replications are 2,000 drills.

Usage:  python bench/bench_compare.py [--reps N] [--big N] [--plans A B] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.replicate import dask_client, prepare, run_replications  # noqa: E402

SCENARIO = "large-sit-in"


def _rate(variants, reps: int, jobs: int, seed: int, **kw) -> dict:
    res = run_replications(variants, reps, seed, jobs=jobs, **kw)
    if res.failures:
        raise SystemExit(f"{len(res.failures)} drills failed: {res.failures[0].traceback}")
    drills = reps * len(variants)
    return {"drills": drills, "seconds": round(res.elapsed_s, 3),
            "drills_per_s": round(drills / res.elapsed_s, 2),
            "ms_per_drill_in_worker": round(1000 * res.compute_s / drills, 2),
            "workers": res.workers, "tasks": res.chunks}


def _noop(x):
    return x


def _dask_task_overhead(client, n: int = 1000) -> float:
    """Seconds per task of ``n`` empty tasks on a warm cluster (submit to result)."""
    client.gather(client.map(_noop, range(50), pure=False))  # warm
    t0 = time.perf_counter()
    client.gather(client.map(_noop, range(n), pure=False))
    return (time.perf_counter() - t0) / n


def _median_pair(variants, reps, rounds):
    """Interleave 1-process and 2-process runs so that background load hits both alike."""
    one, two = [], []
    for i in range(rounds):
        one.append(_rate(variants, reps, 1, 100 + i))
        two.append(_rate(variants, 2 * reps, 2, 200 + i))
    pick = lambda runs: sorted(runs, key=lambda r: r["drills_per_s"])[len(runs) // 2]  # noqa: E731
    return pick(one), pick(two), [r["drills_per_s"] for r in one], [r["drills_per_s"] for r in two]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=60,
                        help="replications per plan for the 1-process rate (default 60; the "
                             "2-process and Dask runs use twice as many)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the rate measurement")
    parser.add_argument("--big", type=int, default=1000,
                        help="replications per plan of the whole command (default 1000; 0 skips)")
    parser.add_argument("--plans", nargs="+", default=["linxiang", "department-3level"])
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    variants = prepare(SCENARIO, args.plans)
    run_replications(variants, 2, 0, jobs=1)  # warm imports and caches
    figures: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "scenario": SCENARIO, "plans": args.plans,
    }

    one, two, ones, twos = _median_pair(variants, args.reps, args.rounds)
    figures["local_1_process"] = one
    figures["local_2_processes"] = two
    figures["rates_1_process"] = ones
    figures["rates_2_processes"] = twos
    figures["parallel_efficiency_2_processes"] = round(
        two["drills_per_s"] / (2 * one["drills_per_s"]), 3)

    t0 = time.perf_counter()
    with dask_client(workers=2) as client:
        figures["dask_cluster_start_s"] = round(time.perf_counter() - t0, 2)
        _rate(variants, 4, 2, 1, backend="dask", client=client)  # workers import the engine
        per_task = _dask_task_overhead(client)
        dask_runs, local_runs = [], []
        for i in range(args.rounds):
            dask_runs.append(_rate(variants, 2 * args.reps, 2, 300 + i, backend="dask",
                                   client=client))
            local_runs.append(_rate(variants, 2 * args.reps, 2, 300 + i))
    d = statistics.median(r["seconds"] for r in dask_runs)
    lo = statistics.median(r["seconds"] for r in local_runs)
    drills = dask_runs[0]["drills"]
    figures["dask_2_workers"] = sorted(dask_runs, key=lambda r: r["seconds"])[len(dask_runs) // 2]
    figures["dask_overhead_per_task_ms"] = round(per_task * 1000, 3)
    figures["dask_overhead_per_drill_ms"] = round(1000 * (d - lo) / drills, 3)
    figures["dask_overhead_per_drill_from_tasks_ms"] = round(
        1000 * per_task * dask_runs[0]["tasks"] / drills, 4)

    if args.big:
        figures["big_replications_only"] = _rate(variants, args.big, 2, 1)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "run_drill.py"), "compare", SCENARIO,
                            "--plans", *args.plans, "--reps", str(args.big), "--quiet",
                            "--out", str(Path(tmp) / "big")], check=True, capture_output=True)
            figures["big_command"] = {"reps_per_plan": args.big, "plans": len(args.plans),
                                      "seconds": round(time.perf_counter() - t0, 2)}
    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
