"""Psychological support (心理疏导) and evacuation of the uninvolved public (疏散无关群众).

Read aloud: counsellors on site talk with elderly and distressed petitioners one at a time,
which keeps their agitation down for the rest of the day; stewards guide onlookers and
passers-by away from the site. The tick does the work (``sim.engine.build``); these routines
mark the start of it in the log.
"""

from __future__ import annotations

from sim.core.types import Capability, EventKind
from sim.core.world import TeamState, World


def psych_support(world: World, team: TeamState):
    """A psychological support team on site starts counselling."""
    world.log(team.id, EventKind.PSYCH_SUPPORT, f"{team.id} starts counselling the elderly and "
              "distressed", team.id, team.staff_for(Capability.PSYCH_SUPPORT))
    yield world.env.timeout(0)


def evacuation(world: World, team: TeamState):
    """An evacuation team on site starts moving onlookers away."""
    world.log(team.id, EventKind.EVACUATED, f"{team.id} starts moving the uninvolved public away",
              team.id, team.staff_for(Capability.EVACUATION))
    yield world.env.timeout(0)
