"""Scuffles (推搡冲突) as episodes at the line between the crowd and those who face it.

Read aloud: a crowd that blocks the gate presses on whoever stands there; now and then
the press turns into pushing and shoving. That needs an opposing line (officers of an order
team, the site's own guards): with nobody to push against, a crowd can shout and block,
not scuffle. An episode starts by chance at a rate per person acting at the line (three
times likelier facing a forceful line), or at once when force is used; it lasts a few
minutes unless force keeps feeding it. Injuries come per episode, per person in contact
(more under force). Someone films it, and the rumour gets a new seed.
"""

from __future__ import annotations

import math

import numpy as np

from agents.medical import attend
from sim.core.types import Cause, EventKind
from sim.core.world import World


def contact_hazard(world: World, active: int) -> float:
    """Chance per minute that pressing at the line turns into a scuffle (0 without a line)."""
    p = world.params.scuffle
    if world.opposing_line() <= 0 or active <= 0:
        return 0.0
    rate = p.contact_per_active_hour / 60.0 * min(active, world.opposing_line() * p.contact_per_officer)
    if world.forceful_line():
        rate *= p.forceful_contact_x
    return 1.0 - math.exp(-rate * world.params.tick_min)


def start(world: World, causes: list[Cause], by_force: bool) -> int:
    """A scuffle episode starts now (or an ongoing one is fed by force); returns injuries."""
    p, s, rng = world.params.scuffle, world.state, world.rng.dynamics
    ongoing = world.in_scuffle()
    if ongoing:
        s.scuffle_until += float(rng.exponential(p.force_extends_min))
    else:
        s.scuffle_started = world.now
        s.scuffle_until = world.now + max(1.0, float(rng.exponential(p.mean_episode_min)))
        world.rec.count("scuffles")
        world.rumour.seed(world.params.rumour.escalation_seed_share)
    crowd = world.crowd
    pressing = max(crowd.n_active, 1) if not by_force else crowd.present_petitioners()
    contacts = min(pressing, world.opposing_line() * p.contact_per_officer)
    rate = p.injury_per_contact * (p.forceful_injury_x if by_force or world.forceful_line() else 1.0)
    k = int(rng.poisson(rate * contacts)) if contacts > 0 else 0
    hurt = crowd.injure(k, world.rng.health) if k else np.empty(0, dtype=np.int64)
    names = ";".join(c.value for c in causes)
    if not ongoing:
        world.log("crowd", EventKind.SCUFFLE_STARTED,
                  f"pushing and shoving at the line: {contacts:.0f} in contact, "
                  f"{len(hurt)} hurt; causes: {names.replace(';', ', ')}",
                  "", round(contacts), names)
    for _ in hurt:
        world.env.process(attend(world, injury=True))
    return len(hurt)


def end_if_over(world: World) -> bool:
    """Close an episode whose time is up; True when one just ended."""
    s = world.state
    if s.scuffle_until == -math.inf or s.scuffle_until > world.now:
        return False
    lasted = world.now - s.scuffle_started
    world.rec.count("scuffle_minutes", lasted)
    s.last_scuffle_end = world.now
    s.scuffle_until = -math.inf
    world.log("crowd", EventKind.SCUFFLE_ENDED, f"the scuffle subsides after {lasted:.0f} min",
              "", round(lasted, 2))
    return True
