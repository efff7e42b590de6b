"""Build the SimPy world for one drill, run it, and return a :class:`DrillResult`.

The crowd, the rumour and health incidents advance on a fixed tick; responders, messages
and injects are SimPy processes that change what the tick sees.
"""

from __future__ import annotations

import math

import simpy

import agents.register  # noqa: F401  (fills the capability routines)
from agents.crowd import Crowd, HealthHazard, TickDrivers, heat_index_f
from agents.injects import check_watches
from agents.medical import attend
from agents.rumour import Rumour
from sim.loading import DrillInputs
from sim.recorder import Recorder
from sim.result import DrillResult
from sim.rng import Streams
from sim.types import CrowdState, InjectKind
from sim.world import World


def build_world(inputs: DrillInputs, seed: int) -> World:
    """Everything for one run, ready to start."""
    scenario, params = inputs.scenario, inputs.params
    env = simpy.Environment()
    streams = Streams(seed)
    extra = sum(i.count or 0 for i in scenario.injects if i.kind is InjectKind.ARRIVALS)
    crowd = Crowd(scenario.crowd, params.crowd, streams.crowd, extra_capacity=extra)
    n_ticks = int(math.ceil(scenario.end.max_min / params.tick_min)) + 2
    return World(env, scenario, inputs.plan, params, streams, Recorder(n_ticks), crowd,
                 Rumour(params.rumour))


def simulate(inputs: DrillInputs, seed: int) -> DrillResult:
    """Run one drill with ``seed`` and return its result (the plan decides everything)."""
    from sim.session import DrillSession

    return DrillSession(inputs, seed).run_to_end()


def condition_state(world: World, row: dict) -> dict:
    """The state variables trigger conditions may name (see ``sim.triggers.VARIABLES``)."""
    s = world.state
    return {**row, "health_incidents": world.rec.counters.get("health_incidents_only", 0)
            + world.rec.counters.get("injuries", 0),
            "statement_out": s.statement_out, "agreement": s.commitment, "cordon": s.cordon,
            "dialogue": s.dialogue_started,
            "representatives": "representatives" in world.rec.milestones}


def tick(world: World):
    """The crowd, the rumour and health advance together, one tick at a time."""
    env, p, s, crowd, rec = world.env, world.params, world.state, world.crowd, world.rec
    cp, lp = p.crowd, p.legitimacy
    sc = world.scenario
    dt = p.tick_min
    hazard = HealthHazard(p.health, heat_index_f(s.temperature_c, s.humidity_pct),
                          sc.site.outdoor, sc.site.area_m2, crowd,
                          p.health.scuffle_injury_per_active_hour)
    drivers = TickDrivers(legitimacy=s.legitimacy, resist_agitation=p.persuasion.resist_agitation)
    prev_state = CrowdState.CALM
    last_reach = 0.0
    order_teams = [t for t in world.teams.values() if t.cfg.posture is not None]
    while True:
        t = float(env.now)
        world.rumour.step(dt)
        reach = world.rumour.reach
        if not s.dialogue_started:
            s.legitimacy -= lp.waiting_loss_per_min * dt
        s.legitimacy -= lp.rumour_loss * (reach - last_reach)
        s.legitimacy = min(lp.ceiling, max(lp.floor, s.legitimacy))
        last_reach = reach

        hi = heat_index_f(s.temperature_c, s.humidity_pct)
        heat = max(0.0, hi - p.health.heat_reference_f) / 10.0
        stress = cp.heat_stress_per_10_hi * heat + cp.rumour_stress * reach
        if heat > 0 and not s.water:
            stress += cp.thirst_stress
        if not s.commitment:
            stress += cp.hours_stress_per_hour * t / 60.0

        drivers.legitimacy = s.legitimacy
        drivers.stress = stress
        drivers.officers = s.officers
        drivers.onlooker_inflow = 0.0 if s.cordon else (
            sc.crowd.onlookers.rate_per_min * (1.0 + cp.onlooker_rumour_boost * reach))
        drivers.onlooker_dispersal = s.dispersal_rate
        drivers.persuasion_rate = s.persuasion_rate
        drivers.commitment = s.commitment
        drivers.gate_held = s.gate_hold_until > t
        hazard.water = s.water
        hazard.heat_index_f = hi
        out = crowd.step(t, dt, drivers, world.rng.dynamics, hazard, world.rng.health)
        rec.counters["_mean_agitation"] = out.mean_agitation
        for _ in out.ill:
            env.process(attend(world, injury=False))
        for _ in out.injured:
            env.process(attend(world, injury=True))

        if drivers.gate_held and crowd.willing_share >= cp.vocal_share and \
                not any(team.on_site for team in order_teams):
            s.gate_hold_until = max(s.gate_hold_until, t + dt)
        if out.state is not prev_state:
            rec.log(t, "crowd", "crowd_state", f"crowd now {out.state.label} "
                    f"({out.active_share:.0%} active)", out.state.label, out.active_share)
            if out.state is CrowdState.SCUFFLE:
                rec.count("scuffles")
                world.rumour.seed(p.rumour.escalation_seed_share)
            prev_state = out.state

        row = {
            "t_min": t, "crowd_present": out.present, "onlookers": out.onlookers,
            "arrived": out.arrived, "left": out.left, "in_care": out.in_care,
            "mean_agitation": out.mean_agitation, "active_share": out.active_share,
            "crowd_state": out.state.label, "legitimacy": s.legitimacy, "rumor_reach": reach,
            "statement_reach": world.rumour.statement_reach,
            "rumor_spreaders": world.rumour.y,
            "level": s.level.id if s.level else "", "officers_on_site": s.officers,
            "water": float(s.water),
        }
        rec.tick(row)
        if world.watches:
            check_watches(world, condition_state(world, row))

        if not s.cleared and crowd.all_arrived(t) and t > 0 and \
                out.present <= cp.cleared_share * crowd.peak_present:
            s.cleared = True
            rec.milestone("cleared", t)
            rec.log(t, "crowd", "cleared", f"site cleared: {out.present} petitioners remain",
                    "", out.present)
        if s.cleared and sc.end.stop_when_cleared and s.pending_medical == 0:
            world.done.succeed()
            return
        yield env.timeout(dt)
