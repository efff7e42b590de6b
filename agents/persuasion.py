"""The persuade-and-return team (劝阻劝返组): talk individuals into going home, and take them.

Read aloud: staff approach the calmer petitioners one by one; each persuaded person is
escorted home, which needs vehicles; after a commitment most people are easy to persuade.
The crowd tick draws who leaves at the rate :func:`persuasion_rate` gives for the teams
on site now.
"""

from __future__ import annotations

from sim.core.types import Capability, Equipment, EventKind, Task
from sim.core.world import TeamState, World


def _pooled(world: World) -> int:
    """Working vehicles of the logistics teams on site (lent to any persuasion team)."""
    return sum(t.working(Equipment.VEHICLE) for t in world.teams_with(Capability.LOGISTICS)
               if t.on_site)


def _vehicles(world: World, team: TeamState, pooled: int | None = None) -> int:
    """Vehicles ``team`` can take people home in: its own and the logistics teams' on site
    (``pooled``: :func:`_pooled`, when the caller has it)."""
    pooled = _pooled(world) if pooled is None else pooled
    own = team.working(Equipment.VEHICLE)
    if team.on_site and Capability.LOGISTICS in team.cfg.capabilities:
        pooled -= own   # its own are counted once
    return own + pooled


def persuasion_rate(world: World) -> float:
    """Petitioners persuaded to leave per minute by every persuasion team on site (worked
    out again only when the teams, their kit or the commitment change)."""
    return world.roster_figure(("persuasion", world.state.commitment),
                               lambda: _persuasion_rate(world))


def _persuasion_rate(world: World) -> float:
    p = world.params.persuasion
    total = 0.0
    pooled = None
    for team in world.teams_with(Capability.PERSUASION):
        if not team.on_site:
            continue
        if pooled is None:
            pooled = _pooled(world)
        rate = team.staff_for(Capability.PERSUASION) * p.per_staff_hour / 60.0
        if _vehicles(world, team, pooled) == 0:
            rate *= p.no_vehicle_efficiency
        if world.state.commitment:
            rate *= p.after_commitment_x
        total += rate / world.slowdown(team)
    return total


def persuasion(world: World, team: TeamState):
    """Work of a persuasion team on site (its effect is read by the tick)."""
    if _vehicles(world, team) == 0:
        world.log(team.id, EventKind.EQUIPMENT_SHORTAGE,
                  f"{team.id} has no vehicles to take people home", Equipment.VEHICLE.value)
    world.log(team.id, EventKind.TASK_START, f"{team.id} starts persuading people to go home",
              Task.PERSUADING.value)
    if not world.state.cleared and team.on_site:
        yield world.site_cleared | team.left
    world.log(team.id, EventKind.TASK_END, f"{team.id} stops persuading", Task.PERSUADING.value)
