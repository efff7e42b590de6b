"""The persuade-and-return team (劝阻劝返组): talk individuals into going home, and take them.

Read aloud: staff approach the calmer petitioners one by one; each persuaded person is
escorted home, which needs vehicles; after a commitment most people are easy to persuade.
The crowd tick draws who leaves at the rate this sets.
"""

from __future__ import annotations

from sim.types import Capability, Equipment
from sim.world import TeamState, World


def persuasion(world: World, team: TeamState):
    """Work of a persuasion team on site: set and keep updating the persuasion rate."""
    p, s = world.params.persuasion, world.state
    staff = team.staff_for(Capability.PERSUASION)
    vehicles = team.working(Equipment.VEHICLE) + sum(
        t.working(Equipment.VEHICLE) for t in world.teams.values()
        if t is not team and t.on_site and Capability.LOGISTICS in t.cfg.capabilities)
    eff = 1.0
    if vehicles == 0:
        eff = p.no_vehicle_efficiency
        world.log(team.id, "equipment_shortage", f"{team.id} has no vehicles to take people home",
                  Equipment.VEHICLE.value)
    base = staff * p.per_staff_hour / 60.0 * eff / world.slowdown(team)
    s.persuasion_rate += base
    world.log(team.id, "task_start", f"{team.id} starts persuading people to go home", "persuading")
    committed = False
    rate = base
    while not s.cleared:
        if s.commitment and not committed:
            committed = True
            s.persuasion_rate += base * (p.after_commitment_x - 1.0)
            rate = base * p.after_commitment_x
        if not team.on_site:  # recalled
            s.persuasion_rate -= rate
            break
        yield world.env.timeout(world.params.tick_min)
    world.log(team.id, "task_end", f"{team.id} stops persuading", "persuading")
