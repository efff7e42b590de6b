"""Run a sensitivity design: every point ``reps`` times with common random numbers, then
the indices (see :mod:`sim.montecarlo.sensitivity` for the factors, design and analysis).

This module runs drills through the Monte Carlo runner; the design and analysis module does
not, so the reports can read its types without reaching the engine.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import pandas as pd

from sim.core.loading import DrillInputs
from sim.montecarlo.replicate import ProgressWords, Variant, run_replications
from sim.montecarlo.sensitivity import (
    DEFAULT_REPS,
    DEFAULT_SAMPLES,
    LEVER,
    OUTPUTS,
    RAW,
    Factor,
    Sensitivity,
    analyse_outputs,
    apply_values,
    check_samples,
    design,
    point_means,
    point_values,
    rep_outputs,
)
from sim.montecarlo.stats import flatten


def run_sensitivity(inputs: DrillInputs, factors: Sequence[Factor], method: str = "morris",
                    samples: int | None = None, reps: int = DEFAULT_REPS, seed: int = 1, *,
                    jobs: int | None = None, backend: str = "local",
                    scheduler: str | None = None, client=None, show_progress: bool = False,
                    scenario_ref: str | None = None, plan_ref: str | None = None,
                    sets: Sequence[str] = (),
                    progress_words: ProgressWords | None = None) -> Sensitivity:
    """Draw the design, run every point ``reps`` times with common random numbers, analyse."""
    samples = samples if samples is not None else DEFAULT_SAMPLES.get(method, 0)
    check_samples(method, samples)
    t0 = time.perf_counter()
    X = design(factors, method, samples, seed)
    values = point_values(factors, X)
    base_ref = plan_ref or inputs.plan_label
    variants = []
    for i, vals in enumerate(values):
        point = apply_values(inputs, factors, vals)
        levers = [f"{f.name}={v!r}" for f, v in zip(factors, vals, strict=True) if f.kind == LEVER]
        variants.append(Variant(str(i), base_ref, tuple(levers), point))
    build_s = time.perf_counter() - t0
    reps_out = run_replications(variants, reps, seed, jobs=jobs, backend=backend,
                                scheduler=scheduler, client=client,
                                show_progress=show_progress, progress_words=progress_words,
                                scenario_ref=scenario_ref, sets=sets, split_plans=True)
    t1 = time.perf_counter()
    end_min = float(getattr(getattr(inputs.scenario, "end", None), "max_min", math.nan))
    rows = []
    for row in reps_out.rows:
        flat = flatten(row)
        out = {"point": int(row["plan"]), "rep": row["rep"], "seed": row["seed"]}
        out.update(rep_outputs(flat, end_min))
        out.update({k: flat.get(k) for k in RAW if k in flat})
        rows.append(out)
    rep_frame = pd.DataFrame(rows, columns=["point", "rep", "seed", *OUTPUTS, *RAW])
    rep_frame = rep_frame.sort_values(["point", "rep"], kind="stable").reset_index(drop=True)
    points = point_means(rep_frame, len(values))
    results = analyse_outputs(factors, method, X, points, seed)
    return Sensitivity(inputs.scenario.name, scenario_ref or str(inputs.scenario_path),
                       inputs.plan_label, plan_ref, method, samples, reps, seed, list(factors),
                       X, values, reps_out, rep_frame, points, results, end_min,
                       build_s=build_s, analysis_s=time.perf_counter() - t1, sets=list(sets))
