"""Reference crowds that the drill model is measured against, in the same process.

- :func:`simpy_crowd`: one SimPy process per person, each minute relaxing its agitation
  toward its grievance and drawing whether it leaves: what a crowd costs written the
  obvious way.
- :func:`minimal_tick`: the least a vectorised crowd can do per tick (relax agitation,
  threshold it, draw who leaves, count): the floor a vectorised model cannot go below.

Both do the same work per person-minute as the core of the model's crowd update, without
groups, causes, deterrence or health; the ratios in ``bench/bench_drill.py`` say how far
the model is from the floor and from the per-person way.
"""

from __future__ import annotations

import time

import numpy as np
import simpy

RATE = 0.08        # agitation relaxation per minute (as crowd.agitation_rate_per_min)
THRESHOLD = 0.1    # acting-out threshold (as crowd.active_threshold)
LEAVE = 0.0005     # chance a person leaves in a minute (about 3% an hour)


def simpy_crowd(people: int, minutes: int, seed: int = 0) -> float:
    """CPU seconds for ``people`` SimPy processes over ``minutes`` simulated minutes."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    hardship = rng.uniform(0.2, 0.9, people)
    counts = {"active": 0}

    def person(i: int):
        a = 0.0
        target = float(hardship[i]) * 0.3
        while True:
            yield env.timeout(1.0)
            a += (target - a) * RATE
            if a > THRESHOLD:
                counts["active"] += 1
            if rng.random() < LEAVE:
                return

    for i in range(people):
        env.process(person(i))
    t0 = time.process_time()
    env.run(until=minutes)
    return time.process_time() - t0


def minimal_tick(people: int, minutes: int, seed: int = 0) -> float:
    """CPU seconds for a minimal vectorised crowd of ``people`` over ``minutes`` ticks."""
    rng = np.random.default_rng(seed)
    hardship = rng.uniform(0.2, 0.9, people)
    agitation = np.zeros(people)
    present = np.ones(people, dtype=bool)
    t0 = time.process_time()
    for _ in range(minutes):
        agitation += (hardship * 0.3 - agitation) * RATE
        active = present & (agitation > THRESHOLD)
        present &= rng.random(people) >= LEAVE
        int(np.count_nonzero(active))
        int(np.count_nonzero(present))
    return time.process_time() - t0
