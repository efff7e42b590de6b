"""A person threatening self-harm at height (a crane, a roof): rescue and talk-down.

Read aloud: someone climbs up and threatens to jump; the crowd stirs and people stop to
watch. Command calls the fire brigade (119), the police and whoever can talk. Once a
negotiator (a dialogue team, a counsellor) is on site they talk with the person, better with
a counsellor beside them and a leader who can answer the grievance; the rescuers set up an
air cushion and a ladder. The person may come down, be brought down, or fall: onto the
cushion if it is up and the height allows, or onto the ground.
"""

from __future__ import annotations

import math

from agents.medical import attend
from agents.teams import order_to_go
from sim.core.rng import uniform
from sim.core.types import Capability, Cause, CrowdState, EventKind, RiskOutcome
from sim.core.world import World

STEP_MIN = 1.0
"""Resolution of the risk process, in minutes (numerical)."""

CALLED = (Capability.RESCUE, Capability.ORDER, Capability.PSYCH_SUPPORT, Capability.DIALOGUE)
"""Who command calls out to a person at risk, whatever the level."""


def person_at_risk(world: World, height_m: float, ref: str):
    """The process of one person at risk, from climbing up to an outcome."""
    env, p, s = world.env, world.params.risk, world.state
    if s.person_at_risk:
        return
    s.person_at_risk, s.risk_started = True, world.now
    t0 = world.now
    world.rec.milestone("person_at_risk", t0)
    world.log("crowd", EventKind.PERSON_AT_RISK,
              f"a person climbs to {height_m:g} m and threatens to jump", ref, height_m)
    world.crowd.shock(1.0, p.agitation, world.rng.dynamics)
    world.cause_events.append(Cause.PROVOCATION)
    cmd = world.plan.command.team
    for cap in CALLED:
        for team in world.teams_with(cap):
            env.process(order_to_go(world, team.id, cmd, "person at risk"))

    rescuers = world.teams_with(Capability.RESCUE)
    set_up_at = math.inf
    talking = False
    cushion = False
    rng = world.rng.risk
    while True:
        now = world.now
        if set_up_at == math.inf and any(t.on_site for t in rescuers):
            team = next(t for t in rescuers if t.on_site)
            set_up_at = now + uniform(rng, p.rescue_setup_min) * world.slowdown(team)
        if not cushion and now >= set_up_at:
            cushion = True
            catches = height_m <= p.cushion_height_max_m
            world.log(rescuers[0].id, EventKind.RESCUE_DEPLOYED,
                      "rescuers set up an air cushion and a ladder"
                      + ("" if catches else f" (the cushion cannot catch a fall from {height_m:g} m)"),
                      ref, now - t0)
        negotiators = [t for t in world.teams_with(Capability.DIALOGUE)
                       + world.teams_with(Capability.PSYCH_SUPPORT) if t.on_site]
        if negotiators and not talking:
            talking = True
            world.log(negotiators[0].id, EventKind.TALK_DOWN_STARTED,
                      f"{negotiators[0].id} starts talking with the person at risk", ref, now - t0)
        psych = any(Capability.PSYCH_SUPPORT in t.cfg.capabilities for t in negotiators)
        leader = s.leader_on_site or s.top_leader_on_site or bool(world.roles_here)
        down = 0.0
        if talking and negotiators:
            down = p.talk_down_per_hour * (p.talk_down_psych_x if psych else 1.0) \
                * (p.talk_down_leader_x if leader else 1.0)
        reach = p.rescue_reach_per_hour if cushion else 0.0
        jump = p.jump_per_hour * (p.jump_talking_x if talking and negotiators else 1.0) \
            * (p.jump_crowd_x if world.crowd.state >= CrowdState.VOCAL else 1.0)
        total = (down + reach + jump) / 60.0 * STEP_MIN
        if rng.random() < 1.0 - math.exp(-total):
            u = rng.random() * (down + reach + jump)
            if u < down:
                _safe(world, RiskOutcome.TALKED_DOWN, negotiators[0].id, ref, t0)
            elif u < down + reach:
                _safe(world, RiskOutcome.RESCUED, rescuers[0].id, ref, t0)
            elif cushion and height_m <= p.cushion_height_max_m:
                _safe(world, RiskOutcome.CAUGHT, rescuers[0].id, ref, t0)
            else:
                _fell(world, ref, t0)
            return
        yield env.timeout(STEP_MIN)


def _end(world: World, outcome: RiskOutcome, t0: float) -> None:
    s = world.state
    s.person_at_risk = False
    world.rec.milestone("person_safe" if outcome is not RiskOutcome.FELL else "person_fell",
                        world.now)
    s.risk_outcome = outcome


def _safe(world: World, outcome: RiskOutcome, by: str, ref: str, t0: float) -> None:
    _end(world, outcome, t0)
    how = {RiskOutcome.TALKED_DOWN: "comes down after talking",
           RiskOutcome.RESCUED: "is brought down by the rescuers",
           RiskOutcome.CAUGHT: "falls onto the air cushion and is caught"}[outcome]
    world.log(by, EventKind.PERSON_SAFE, f"the person at risk {how} after {world.now - t0:.0f} min",
              outcome.value, world.now - t0)


def _fell(world: World, ref: str, t0: float) -> None:
    _end(world, RiskOutcome.FELL, t0)
    world.env.process(attend(world, injury=True, detail="the person at risk falls and is hurt"))
    world.cause_events.append(Cause.PROVOCATION)
    world.crowd.shock(1.0, world.params.risk.agitation, world.rng.dynamics)
    world.log("crowd", EventKind.PERSON_FELL,
              f"the person at risk falls with nothing to catch them after {world.now - t0:.0f} min",
              RiskOutcome.FELL.value, world.now - t0)
