"""Benchmark the drill engine and the ``run`` command.

Measures, on this machine:
  1. the model alone for one ``large-sit-in`` drill (300+ people, 4 simulated hours), and
     its ratio to a minimal vectorised tick of the same crowd (the floor, bench/references.py);
  2. the model alone for the same drill scaled to 5,000 petitioners;
  3. the cost per person-minute at 5,000 people (the most a scenario may have) against one
     SimPy process per person, and the crowd's own tick at 10,000 people against the same;
  3b. the same drill as 1 with 32 replications' crowds stepped as one batch (what compare,
     sweep and calibrate do), per drill, against the same floor;
  4. the whole ``python run_drill.py run large-sit-in`` command, reports included;
  5. ``list`` and ``validate`` (start-up).
Times are CPU seconds of this process (wall for the commands); the machine's load average is
printed with them, since other work on the machine slows every figure.

Usage:  python bench/bench_drill.py [--reps N] [--json FILE]
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

import numpy as np  # noqa: E402

from agents.crowd import Crowd, TickDrivers  # noqa: E402
from bench.references import minimal_tick, simpy_crowd  # noqa: E402
from sim.core.loading import DrillInputs, apply_overrides, load_drill  # noqa: E402
from sim.engine import simulate  # noqa: E402
from sim.engine.batch import simulate_metrics_batch  # noqa: E402


def _time_model(inputs: DrillInputs, reps: int) -> dict:
    simulate(inputs, 0)  # warm caches and imports
    times, people = [], []
    for seed in range(reps):
        t0 = time.process_time()
        r = simulate(inputs, seed)
        times.append(time.process_time() - t0)
        people.append(r.metrics["arrived"])
    median = statistics.median(times)
    minutes = r.metrics["duration_min"]
    crowd = int(statistics.median(people)) + int(inputs.scenario.crowd.onlookers.max)
    floor = statistics.median(minimal_tick(crowd, int(minutes), s) for s in range(3))
    return {"median_ms": round(median * 1000, 1), "max_ms": round(max(times) * 1000, 1),
            "reps": reps, "people_arrived_median": statistics.median(people),
            "simulated_min": minutes,
            "per_tick_us": round(median / minutes * 1e6, 1),
            "floor_per_tick_us": round(floor / minutes * 1e6, 1),
            "ratio_to_floor": round(median / floor, 1)}


def _time_batched(inputs: DrillInputs, reps: int) -> dict:
    """CPU time per drill of ``reps`` replications run as one batch (sim.engine.batch)."""
    seeds = list(range(reps))
    simulate_metrics_batch(inputs, seeds[:4])
    t0 = time.process_time()
    outcomes = simulate_metrics_batch(inputs, seeds)
    per = (time.process_time() - t0) / reps
    out = [m for m in outcomes if isinstance(m, dict)]
    if len(out) < reps:
        raise RuntimeError(f"{reps - len(out)} drills of the batch failed")
    minutes = statistics.median(m["duration_min"] for m in out)
    crowd = int(statistics.median(m["arrived"] for m in out)) \
        + int(inputs.scenario.crowd.onlookers.max)
    floor = statistics.median(minimal_tick(crowd, int(minutes), s) for s in range(3))
    return {"batch": reps, "median_ms_per_drill": round(per * 1000, 1),
            "per_tick_us": round(per / minutes * 1e6, 1),
            "floor_per_tick_us": round(floor / minutes * 1e6, 1),
            "ratio_to_floor": round(per / floor, 1)}


def _crowd_tick_per_person(people: int, minutes: int) -> dict:
    """The crowd's own tick (agents.crowd_tick) for ``people`` petitioners, all present,
    against one SimPy process per person: the per-person cost without the rest of a drill
    (beyond the 5,000 a scenario may have, so the crowd is made directly)."""
    base = load_drill("large-sit-in")
    cfg = base.scenario.crowd
    span = cfg.initial.model_copy(update={"low": people, "high": people})
    cfg = cfg.model_copy(update={"initial": span, "mobilised": span})
    crowd = Crowd(cfg, base.params.crowd, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    drivers = TickDrivers(legitimacy=0.5, deterrence=20.0, gate_people=12)
    t0 = time.process_time()
    for t in range(minutes):
        crowd.step(float(t), 1.0, drivers, rng)
    return _against_simpy(people, minutes, time.process_time() - t0, "crowd", 4)


def _against_simpy(people: int, minutes: int, model_s: float, name: str, digits: int) -> dict:
    """``model_s`` CPU seconds for ``people`` over ``minutes`` against one SimPy process per
    person, measured now: both per person-minute, and their ratio."""
    ref = simpy_crowd(people, minutes)
    return {"people": people, "minutes": minutes,
            f"{name}_us_per_person_min": round(model_s / (people * minutes) * 1e6, digits),
            "simpy_us_per_person_min": round(ref / (people * minutes) * 1e6, 3),
            f"ratio_simpy_to_{name}": round(ref / model_s, 1)}


def _per_person(people: int, minutes: int) -> dict:
    """Cost per person-minute of the model against one SimPy process per person."""
    base = load_drill("large-sit-in")
    inputs = scaled(base, people)
    inputs = DrillInputs(apply_overrides(inputs.scenario, [f"end.max_min={minutes}"], "bench"),
                         inputs.plan, inputs.plan_label, inputs.params, inputs.scenario_path,
                         inputs.plan_path)
    simulate(inputs, 0)
    t0 = time.process_time()
    simulate(inputs, 1)
    return _against_simpy(people, minutes, time.process_time() - t0, "model", 3)


CLI_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The commands run as on a user's machine: Python keeps its compiled modules (its default),
warmed by one untimed run first."""


def _time_cli(*args: str, reps: int = 5) -> float:
    command = [sys.executable, str(ROOT / "run_drill.py"), *args]
    subprocess.run(command, check=True, capture_output=True, env=CLI_ENV)  # warm
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=CLI_ENV)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 3)


def scaled(inputs: DrillInputs, people: int) -> DrillInputs:
    """The same drill with ``people`` petitioners (half at T0), never stopping early."""
    sc = apply_overrides(inputs.scenario, [
        f"crowd.initial.low={people // 2}", f"crowd.initial.high={people // 2}",
        f"crowd.mobilised.low={people}", f"crowd.mobilised.high={people}",
        f"site.area_m2={max(3000, people)}", "end.stop_when_cleared=false",
    ], "bench")
    return DrillInputs(sc, inputs.plan, inputs.plan_label, inputs.params, inputs.scenario_path,
                       inputs.plan_path)


def _time_command(reps: int) -> dict:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(-1, reps):   # run -1 warms the compiled modules, untimed
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "run_drill.py"), "run", "large-sit-in",
                            "--quiet", "--out", str(Path(tmp) / str(i))], check=True,
                           capture_output=True, env=CLI_ENV)
            if i >= 0:
                times.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2),
            "reps": reps}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=20, help="model repetitions (default 20)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    base = load_drill("large-sit-in")
    base_full = DrillInputs(apply_overrides(base.scenario, ["end.stop_when_cleared=false"], "bench"),
                            base.plan, base.plan_label, base.params, base.scenario_path,
                            base.plan_path)
    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}, {platform.processor() or platform.system()}",
        "large_sit_in_model": _time_model(base_full, args.reps),
        "large_sit_in_batched": _time_batched(base_full, 32),
        "people_5000_model": _time_model(scaled(base, 5000), max(5, args.reps // 4)),
        "people_5000_vs_simpy": _per_person(5_000, 60),
        "crowd_10000_vs_simpy": _crowd_tick_per_person(10_000, 60),
        "run_command": _time_command(5),
        "list_s": _time_cli("list"),
        "validate_s": _time_cli("validate", "linxiang", "gate-blockade"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
