"""One random stream per purpose, all split from one seed.

``numpy.random.SeedSequence(seed).spawn`` gives independent child streams; each purpose
always takes the same child, so the crowd a seed draws does not depend on the plan, and
two plans run with the same seed share their random numbers (common random numbers).
"""

from __future__ import annotations

import numpy as np

PURPOSES = (
    "crowd",       # who is in the crowd: size, hardship, thresholds (plan-independent)
    "dynamics",    # who leaves, who is persuaded, onlooker arrivals
    "health",      # health incidents and injuries
    "command",     # report delays, headcount estimates
    "comms",       # message latency and loss
    "teams",       # team delays, familiarity slips
    "equipment",   # random equipment failures
    "talks",       # representatives and talks
    "medical",     # response and treatment times
    "risk",        # a person at risk: talked down, rescued or falling
    "warning",     # signs before T0: when they are spotted, what they say
)


class Streams:
    """Named numpy Generators for one run, split from ``seed`` by purpose."""

    def __init__(self, seed: int):
        children = np.random.SeedSequence(seed).spawn(len(PURPOSES))
        for name, child in zip(PURPOSES, children, strict=True):
            setattr(self, name, np.random.default_rng(child))

    crowd: np.random.Generator
    dynamics: np.random.Generator
    health: np.random.Generator
    command: np.random.Generator
    comms: np.random.Generator
    teams: np.random.Generator
    equipment: np.random.Generator
    talks: np.random.Generator
    medical: np.random.Generator
    risk: np.random.Generator
    warning: np.random.Generator


def uniform(rng: np.random.Generator, span) -> float:
    """A draw from a ``Span``/``Pair`` (anything with ``low`` and ``high``)."""
    if span.high <= span.low:
        return float(span.low)
    return float(rng.uniform(span.low, span.high))
