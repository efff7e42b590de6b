"""Replications batched through one crowd give exactly what one-at-a-time runs give."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import run_drill
from sim.core.loading import DrillInputs, apply_overrides, load_drill
from sim.engine import simulate_metrics
from sim.engine.batch import BATCH_PEOPLE, BATCH_SIZE, batch_size, simulate_metrics_batch

ROOT = Path(__file__).resolve().parent.parent


def _same(a: dict, b: dict) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


@pytest.mark.parametrize("scenario, plan", [
    ("large-sit-in", "linxiang"),
    ("gate-blockade", "department-3level"),
    ("self-harm-at-height", "enterprise"),
    ("online-call", "generic"),
])
def test_a_batch_gives_each_seed_its_one_at_a_time_metrics(scenario, plan):
    inputs = load_drill(scenario, plan)
    seeds = [3, 17, 40, 41, 99, 1_000_003]
    alone = [simulate_metrics(inputs, s) for s in seeds]
    together = simulate_metrics_batch(inputs, seeds)
    assert all(_same(a, b) for a, b in zip(alone, together, strict=True))
    if scenario in ("large-sit-in", "gate-blockade"):
        # drills end at different times: the batch shrinks as they do, the rest go on alike
        assert len({m["duration_min"] for m in alone}) > 1


def test_a_batch_of_different_crowd_sizes_and_injected_arrivals_matches():
    base = load_drill("small-group", "linxiang")   # an inject brings late arrivals
    scenario = apply_overrides(base.scenario, ["crowd.mobilised.low=20",
                                               "crowd.mobilised.high=400"], "test")
    inputs = DrillInputs(scenario, base.plan, base.plan_label, base.params, base.scenario_path,
                         base.plan_path)
    seeds = list(range(10))
    alone = [simulate_metrics(inputs, s) for s in seeds]
    assert len({m["arrived"] for m in alone}) > 5
    assert all(_same(a, b) for a, b in zip(alone, simulate_metrics_batch(inputs, seeds),
                                            strict=True))


def test_a_failing_drill_leaves_the_batch_and_the_others_finish(monkeypatch):
    import agents.rumour as rumour

    inputs = load_drill("gate-blockade")
    seeds = [1, 2, 3]
    alone = [simulate_metrics(inputs, s) for s in seeds]
    original = rumour.Rumour.step
    calls = {"n": 0}

    def step(self, dt):
        calls["n"] += 1
        if calls["n"] == 40:   # the second drill's rumour, a few minutes in
            raise RuntimeError("broken on purpose")
        return original(self, dt)

    monkeypatch.setattr(rumour.Rumour, "step", step)
    outcomes = simulate_metrics_batch(inputs, seeds)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failed) == 1 and "broken on purpose" in str(failed[0])
    kept = [(a, o) for a, o in zip(alone, outcomes, strict=True) if not isinstance(o, BaseException)]
    assert len(kept) == 2 and all(_same(a, o) for a, o in kept)


def test_a_failing_shared_step_runs_each_drill_again_alone(monkeypatch):
    """The crowd step of a batch fails (here only when several rows share it): every drill
    in it is run again on its own and gets the outcome it has alone, whatever the batch."""
    from agents.crowd_tick import CrowdBatch

    inputs = load_drill("gate-blockade")
    seeds = [1, 2, 3, 4]
    alone = [simulate_metrics(inputs, s) for s in seeds]
    original = CrowdBatch.step
    broken = []

    def step(self, t, dt, drivers, rngs):
        if len(self.crowds) > 1 and t >= 30:
            broken.append(t)
            raise RuntimeError("a shared step broken on purpose")
        return original(self, t, dt, drivers, rngs)

    monkeypatch.setattr(CrowdBatch, "step", step)
    outcomes = simulate_metrics_batch(inputs, seeds)
    assert broken == [30]
    assert all(_same(a, o) for a, o in zip(alone, outcomes, strict=True))


def test_large_crowds_are_batched_fewer_at_a_time():
    small = load_drill("gate-blockade")
    assert batch_size(small) == BATCH_SIZE
    assert batch_size(small, 5) == 5
    big = apply_overrides(small.scenario, ["crowd.mobilised.low=4000",
                                           "crowd.mobilised.high=5000"], "test")
    inputs = DrillInputs(big, small.plan, small.plan_label, small.params, small.scenario_path,
                         small.plan_path)
    assert 1 <= batch_size(inputs) <= BATCH_PEOPLE // 5000
    assert batch_size(inputs, 1) == 1


def test_compare_writes_the_same_replications_batched_or_not(tmp_path):
    def compare(out: Path, batch: int) -> bytes:
        subprocess.run([sys.executable, str(ROOT / "run_drill.py"), "compare", "gate-blockade",
                        "--plans", "linxiang", "department-3level", "--reps", "12", "--jobs", "1",
                        "--batch", str(batch), "--quiet", "--out", str(out)],
                       check=True, capture_output=True)
        return (out / "replications.csv").read_bytes()

    one = compare(tmp_path / "one", 1)
    assert one == compare(tmp_path / "batched", 8)
    assert len(one.splitlines()) == 25


def test_the_command_line_default_batch_is_the_engines():
    assert run_drill.BATCH_SIZE == BATCH_SIZE


@pytest.mark.parametrize("group_size", [1, 2, 3, 4, 5, 8, 9])
def test_group_counts_match_a_plain_sum(group_size):
    """The word-sized shortcut for counting flags per group gives the plain sums."""
    from agents.crowd_tick import _group_counts

    rng = np.random.default_rng(group_size)
    mask = rng.random((3, group_size * 50)) < 0.4
    want = mask.reshape(3, 50, group_size).sum(axis=2)
    assert (np.asarray(_group_counts(mask, group_size)) == want).all()
