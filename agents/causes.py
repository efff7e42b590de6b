"""The named causes that move the crowd's agitation, and how a change of state is explained.

Read aloud: every minute the crowd carries a grievance against the authorities, and on top
of it what the situation adds: waiting with nobody listening (it grows until someone comes
and explains, then fades), the rumour online, heat, thirst when no water is given, a promise
seen broken, a failed round of talks. Provocations and force are personal and fade (see
``agents.crowd``). When the crowd's state changes, the causes that rose (or fell) most since
the last change are named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.core.parameters import CrowdParams
from sim.core.types import Cause

RELIEF = {
    Cause.WAITING: Cause.LISTENED,
    Cause.THIRST: Cause.WATER,
    Cause.PROVOCATION: Cause.CALMING,
    Cause.FORCE: Cause.CALMING,
    Cause.GRIEVANCE: Cause.LEGITIMACY,
    Cause.RUMOUR: Cause.CALMING,
    Cause.HEAT: Cause.CALMING,
    Cause.BROKEN_PROMISE: Cause.CALMING,
    Cause.FAILED_TALKS: Cause.CALMING,
}
"""What a fall of each cause is called when the crowd calms."""

NOTABLE = 0.02
"""Smallest change of a cause's agitation (0-1 scale) worth naming (numerical)."""


@dataclass
class SharedStress:
    """Agitation everyone present shares, by cause; advanced once a tick.

    Attributes:
        waiting: agitation from waiting unheard (0 to ``waiting_stress_max``).
        broken_promise, failed_talks: fading agitation from those events.
    """

    p: CrowdParams
    waiting: float = 0.0
    broken_promise: float = 0.0
    failed_talks: float = 0.0

    def step(self, dt: float, listened: float) -> None:
        """Advance ``dt`` minutes; ``listened`` (0-1) is how far someone listens to the crowd
        (1: a dialogue team; less: first-response staff at the gate; 0: nobody)."""
        p = self.p
        if listened > 0:
            self.waiting = max(0.0, self.waiting - listened * p.listened_relief_per_hour * dt / 60.0)
        else:
            self.waiting = min(p.waiting_stress_max,
                               self.waiting + p.waiting_stress_per_hour * dt / 60.0)
        self.broken_promise *= 0.5 ** (dt / (3.0 * p.provocation_half_life_min))
        self.failed_talks *= 0.5 ** (dt / p.provocation_half_life_min)

    def components(self, rumour_reach: float, apparent_f: float, water: bool,
                   hours_on_site: float = math.inf) -> dict[Cause, float]:
        """Agitation added to everyone present, by cause (0-1 scale); thirst builds over
        ``thirst_build_hours`` of the crowd's time on site without water."""
        p = self.p
        warm = max(0.0, apparent_f - p.comfort_at_f) / 10.0
        out: dict[Cause, float] = {}   # only the causes at work, in this order
        if self.waiting > 0.0:
            out[Cause.WAITING] = self.waiting
        if (rumour := p.rumour_stress * rumour_reach) > 0.0:
            out[Cause.RUMOUR] = rumour
        if (heat := p.heat_stress_per_10_at * warm) > 0.0:
            out[Cause.HEAT] = heat
        if not water and (thirst := p.thirst_stress_per_10_at * warm
                          * min(1.0, hours_on_site / p.thirst_build_hours)) > 0.0:
            out[Cause.THIRST] = thirst
        if self.broken_promise > 0.0:
            out[Cause.BROKEN_PROMISE] = self.broken_promise
        if self.failed_talks > 0.0:
            out[Cause.FAILED_TALKS] = self.failed_talks
        return out


def explain(before: dict[Cause, float], now: dict[Cause, float], rising: bool,
            events: list[Cause]) -> list[Cause]:
    """The causes of a change: the components that moved most in its direction, plus the
    discrete events since the last change (force, removals, agreement, ...), strongest first.
    A rise with no component rising names the largest components present."""
    keys = set(before) | set(now)
    moves = {k: now.get(k, 0.0) - before.get(k, 0.0) for k in keys}
    if rising:
        ranked = sorted((k for k, d in moves.items() if d >= NOTABLE), key=lambda k: -moves[k])
        if not ranked:
            ranked = sorted((k for k, v in now.items() if v >= NOTABLE), key=lambda k: -now[k])
    else:
        ranked = [RELIEF.get(k, k) for k in sorted(
            (k for k, d in moves.items() if d <= -NOTABLE), key=lambda k: moves[k])]
    out: list[Cause] = []
    for c in [*events, *ranked]:
        if c not in out:
            out.append(c)
    if not out:
        out.append(Cause.CALMING if not rising else Cause.GRIEVANCE)
    return out[:4]
