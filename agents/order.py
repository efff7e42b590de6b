"""The order team (现场秩序维护组): cordon, traffic control, onlookers, the gate.

Read aloud: officers set a cordon and control traffic, then move onlookers on; every few
minutes they look at the crowd. A restrained team acts only on a blocked gate, leading
the few active people aside at little cost to the authorities' legitimacy; a forceful team
pushes back any vocal crowd and clears the gate at once, but its indiscriminate force
unites the crowd against it (ESIM: Reicher et al. 2004; Stott et al. 2008).
"""

from __future__ import annotations

from sim.types import Capability, CrowdState, Posture
from sim.world import TeamState, World


def order(world: World, team: TeamState):
    """Work of an order team on site."""
    env, p, s = world.env, world.params.order, world.state
    officers = team.staff_for(Capability.ORDER)
    forceful = world.posture(team.id) is Posture.FORCEFUL
    if forceful:
        s.deterrence_x = p.forceful_deterrence_x
    presence = officers * s.deterrence_x
    s.officers += presence

    cordon_min = p.cordon_staff_min / max(officers, 1.0) * world.slowdown(team)
    yield from world.task(team, "cordon and traffic control", cordon_min)
    s.cordon = True
    s.dispersal_rate += officers * p.disperse_per_officer_hour / 60.0
    world.rec.milestone("cordon", world.now)
    world.log(team.id, "cordon_set", "cordon and traffic control in place; onlookers moved on",
              team.id, world.now)

    if forceful and world.crowd.present_petitioners() > 0:
        _force(world, team, "the crowd is pushed back behind the cordon")
    while not s.cleared:
        yield env.timeout(p.patrol_every_min)
        if not team.on_site:  # recalled
            s.officers -= presence
            s.dispersal_rate -= officers * p.disperse_per_officer_hour / 60.0
            return
        forceful = world.posture(team.id) is Posture.FORCEFUL
        gate_held = s.gate_hold_until > world.now
        # a forceful team treats any vocal crowd as a threat (ESIM); a restrained one acts
        # only on a blocked gate or worse
        trigger = CrowdState.VOCAL if forceful else CrowdState.BLOCKING
        if world.crowd.state < trigger and not gate_held:
            continue
        if forceful:
            _force(world, team, "forceful clearance of the gate")
        else:
            s.legitimacy = max(world.params.legitimacy.floor,
                               s.legitimacy - world.params.legitimacy.targeted_loss)
            led = world.crowd.remove_active(p.targeted_removals, world.rng.dynamics)
            if world.crowd.share < world.params.crowd.blocking_share:
                s.gate_hold_until = min(s.gate_hold_until, world.now)
            world.log(team.id, "targeted_intervention",
                      f"officers talk the gate open; {led} agitators led aside", team.id, led)


def _force(world: World, team: TeamState, what: str) -> None:
    """One indiscriminate intervention: legitimacy falls, everyone present is provoked."""
    s, p = world.state, world.params
    s.legitimacy = max(p.legitimacy.floor, s.legitimacy - p.legitimacy.force_loss)
    hit = world.crowd.shock(1.0, p.order.force_agitation_shock, world.rng.dynamics)
    s.gate_hold_until = world.now
    world.rec.count("force_used")
    world.log(team.id, "force_used", f"{what}; {hit} people pushed", team.id, hit)
