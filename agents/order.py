"""The order team (现场秩序维护组): cordon, traffic control, onlookers, the gate.

Read aloud: officers set a cordon and control traffic, then move onlookers on; every few
minutes they look at the crowd. A restrained team acts only on a blocked gate, leading a
few instigators aside at little cost to the authorities' legitimacy: the crowd acts out
less, but the site is not cleared by it. A forceful team also acts on a vocal crowd in which
people act out, and pushes it back: part of the crowd is driven off the site, but the push is
a scuffle with injuries, someone films it, and the indiscriminate force unites the rest
against the police (ESIM: Reicher et al. 2004; Stott et al. 2008).
"""

from __future__ import annotations

from agents import scuffle
from sim.core.types import Capability, Cause, CrowdState, Equipment, EventKind, Posture, Task
from sim.core.world import TeamState, World


def dispersal_rate(world: World) -> float:
    """Onlookers moved on per minute by the officers on site once a cordon stands."""
    if not world.state.cordon:
        return 0.0
    return world.officers_on_site() * world.params.order.disperse_per_officer_hour / 60.0


def order(world: World, team: TeamState):
    """Work of an order team on site."""
    env, p, s = world.env, world.params.order, world.state
    officers = team.staff_for(Capability.ORDER)
    _look(world, team)  # a blocked gate is dealt with on arrival
    cordon_min = p.cordon_staff_min / max(officers, 1.0) * world.slowdown(team) \
        * (1.0 if team.working(Equipment.BARRIER) > 0 else p.no_barrier_x)
    yield from world.task(team, Task.CORDON, cordon_min)
    if not s.cordon:
        s.cordon = True
        world.rec.milestone("cordon", world.now)
        world.log(team.id, EventKind.CORDON_SET,
                  "cordon and traffic control in place; onlookers moved on", team.id, world.now)

    while not s.cleared:
        if not team.on_site:  # recalled
            return
        _look(world, team)
        yield env.timeout(p.patrol_every_min)


def _look(world: World, team: TeamState) -> None:
    """The team looks at the crowd and acts as its posture says."""
    crowd, s = world.crowd, world.state
    if not team.on_site or world.in_scuffle():
        return
    gate_held = s.gate_hold_until > world.now
    if world.posture(team.id) is Posture.FORCEFUL:
        # a forceful team treats a vocal crowd in which several act out as a threat
        rested = world.now - s.last_force >= world.params.order.force_pause_min
        if rested and (crowd.state >= CrowdState.BLOCKING or gate_held or (
                crowd.state >= CrowdState.VOCAL
                and crowd.n_active >= crowd.p.blocking_min_people)):
            force(world, team, "forceful clearance of the gate")
    elif crowd.state >= CrowdState.BLOCKING or gate_held:
        _targeted(world, team)


def _targeted(world: World, team: TeamState) -> None:
    """One differentiated intervention: a few instigators are led aside."""
    p, s = world.params, world.state
    # a few instigators, two officers to each, and never more than a small share of the crowd
    cap = int(p.order.removal_cap_share * world.crowd.peak_present) - s.removals
    k = min(p.order.targeted_removals, int(world.officers_on_site() // 2), max(0, cap))
    led = world.crowd.remove_active(k, world.rng.dynamics)
    world.legitimacy.lose("targeted intervention", p.legitimacy.targeted_loss)
    s.removals += led
    world.cause_events.append(Cause.REMOVALS)
    if world.crowd.n_active - led < world.crowd.p.blocking_min_people:
        s.gate_hold_until = min(s.gate_hold_until, world.now)
    world.log(team.id, EventKind.TARGETED_INTERVENTION,
              f"officers talk the gate open; {led} instigators led aside", team.id, led)


def force(world: World, team: TeamState, what: str) -> None:
    """One indiscriminate intervention: a push that is a scuffle, people driven off the site,
    legitimacy lost, everyone present provoked."""
    s, p = world.state, world.params
    world.legitimacy.lose("force", p.legitimacy.force_loss)
    pushed = world.crowd.force(p.order.force_agitation_shock)
    off = world.crowd.push_off(p.order.forceful_clear_share, world.rng.dynamics)
    s.gate_hold_until = world.now
    s.last_force = world.now
    world.rec.count("force_used")
    world.cause_events.append(Cause.FORCE)
    world.log(team.id, EventKind.FORCE_USED,
              f"{what}; {pushed} people pushed, {off} driven off the site", team.id, pushed,
              Cause.FORCE.value)
    scuffle.start(world, [Cause.FORCE, Cause.OPPOSING_LINE], by_force=True)
