"""Scripted injects of the scenario (the master scenario events list).

An inject fires at its time, at the first tick its condition holds (the engine's tick
checks the watches), or as a contingency when another inject's expected action has not come
by its deadline. Firing does what the inject's kind says; an inject with an expected action
then waits for its deadline and, if the action is missing, fires its contingencies.
"""

from __future__ import annotations

from agents.dialogue import equipment_failed
from agents.leaders import break_promise, demand_top_leader
from agents.medical import attend
from agents.risk import person_at_risk
from sim.core.config import (
    ArrivalsInject,
    EquipmentInject,
    HealthInject,
    Inject,
    MessageInject,
    OutageInject,
    PersonAtRiskInject,
    ProvocationInject,
    RumourInject,
    WeatherInject,
)
from sim.core.msel import answer, applies
from sim.core.triggers import Watch
from sim.core.triggers import parse as parse_condition
from sim.core.types import Cause, EventKind, InjectKind
from sim.core.world import World


def schedule(world: World) -> None:
    """Set up every inject of the scenario: timers, condition watches, contingencies."""
    for item in world.scenario.injects:
        if item.at_min is not None:
            world.env.process(_at(world, item))
        elif item.when is not None:
            world.watches.append((Watch(parse_condition(item.when)), item))
        elif item.contingency_for is not None:
            world.contingencies.setdefault(item.contingency_for, []).append(item)


def check_watches(world: World, state: dict) -> None:
    """Called by the tick: fire every inject whose condition now holds (once each)."""
    t = world.now
    for watch, item in list(world.watches):
        if watch.update(t, state):
            world.watches.remove((watch, item))
            fire(world, item, "when")


def _at(world: World, item: Inject):
    yield world.env.timeout(item.at_min or 0.0)
    fire(world, item, "at")


def fire(world: World, item: Inject, trigger: str) -> None:
    """The inject happens now (unless the facilitator skipped it)."""
    if item.id in world.fired:
        return
    if item.id in world.skipped:
        world.log("exercise", EventKind.INJECT_SKIPPED, f"inject {item.id} skipped by the facilitator",
                  item.id)
        return
    world.fired[item.id] = (world.now, trigger)
    world.env.process(_apply(world, item, trigger))
    if item.expected is not None:
        world.env.process(_deadline(world, item))
    if item.decision:
        world.request_decision("inject", item.id)


def _deadline(world: World, item: Inject):
    exp = item.expected
    if exp is None or not applies(exp, world.plan):
        return   # nothing expected, or nothing this plan could do (a level without levels)
    t_fired = world.now
    yield world.env.timeout(exp.within_min)
    events = sorted(world.rec.events, key=lambda e: e.t_min)
    if any(answer(events, exp, world.plan, t_fired, world.rec)):
        return  # done since the inject, or already before it
    by = exp.team or (exp.capability.value if exp.capability else "")
    world.log("exercise", EventKind.EXPECTED_MISSED,
              f"inject {item.id}: no {exp.action.value}" + (f" by {by}" if by else "")
              + f" within {exp.within_min:g} min",
              item.id, exp.within_min)
    for child in world.contingencies.get(item.id, []):
        fire(world, child, "contingency")


def _nobody(world: World, item: EquipmentInject | MessageInject) -> None:
    """An inject addressed to a capability no team of the plan has: nothing happens."""
    cap = item.capability.value if item.capability else ""
    world.log("exercise", EventKind.INJECT_NO_TEAM,
              f"inject {item.id}: no team of the plan has the {cap} capability", item.id)


def _apply(world: World, item: Inject, trigger: str):
    """What the inject does to the drill, by kind."""
    env, s, crowd = world.env, world.state, world.crowd
    note = item.note or (item.message.en if item.message else "")
    world.log("exercise", EventKind.INJECT, f"inject {item.id} ({item.kind.value}, {trigger}) "
              f"{note}".strip(), item.id)
    kind = item.kind
    if isinstance(item, ArrivalsInject):
        n = crowd.schedule_arrivals(item.count, world.now, item.duration_min, world.rng.dynamics)
        world.log("crowd", EventKind.ARRIVALS, f"{n} more petitioners on their way", item.id, n)
    elif isinstance(item, ProvocationInject):
        n = crowd.shock(item.share, item.delta, world.rng.dynamics)
        if item.delta > 0:
            world.cause_events.append(Cause.PROVOCATION)
        if kind is InjectKind.BLOCK_GATE:
            s.gate_hold_until = world.now + world.params.crowd.block_hold_min
            world.log("crowd", EventKind.GATE_BLOCKED, f"{n} people block the gate", item.id, n,
                      Cause.PROVOCATION.value)
        else:
            world.log("crowd", EventKind.AGITATION, f"{n} people provoked", item.id, n,
                      Cause.PROVOCATION.value if item.delta > 0 else Cause.CALMING.value)
    elif isinstance(item, HealthInject):
        people = crowd.fall_ill(item.count, world.rng.health, world.params.health.elderly_ratio)
        world.rec.count("scripted_health", len(people))
        if len(people) < item.count:   # only those on site can fall ill
            world.log("exercise", EventKind.INJECT_FEWER, f"inject {item.id}: {item.count} "
                      f"asked for, {len(people)} on site fall ill", item.id, len(people))
        for _ in people:
            env.process(attend(world, injury=False))
    elif isinstance(item, EquipmentInject):
        team_id = item.target(world.plan)
        if team_id is None:
            _nobody(world, item)
        elif world.teams[team_id].working(item.item) <= 0:
            # under this plan the team has none of it (or none left working): nothing fails
            world.log(team_id, EventKind.INJECT_NO_ITEM, f"inject {item.id}: {team_id} has no "
                      f"working {item.item.value}; nothing fails", item.item.value)
        else:
            equipment_failed(world, world.teams[team_id], item.item, f"inject {item.id}")
    elif isinstance(item, RumourInject):
        share = item.share if item.share is not None else world.params.rumour.seed_share
        world.rumour.seed(share)
        world.log("online", EventKind.RUMOUR_POSTED, "a video of the scene is posted online",
                  item.id, share)
    elif isinstance(item, OutageInject):
        world.comms.outage(item.duration_min)
        world.log("exercise", EventKind.COMMS_OUTAGE, f"channels down for {item.duration_min:g} min",
                  item.id, item.duration_min)
    elif isinstance(item, WeatherInject):
        if item.temperature_c is not None:
            s.temperature_c = item.temperature_c
        if item.precipitation is not None:
            s.precipitation = item.precipitation
        world.log("exercise", EventKind.WEATHER,
                  f"temperature now {s.temperature_c:g} C, precipitation {s.precipitation.value}",
                  s.precipitation.value, s.temperature_c)
    elif isinstance(item, MessageInject):
        team_id = item.target(world.plan)
        if team_id is None:
            _nobody(world, item)
        else:
            yield world.comms.send("exercise", team_id, f"inject {item.id}")
            world.log(team_id, EventKind.MESSAGE_RECEIVED, f"{team_id} receives: {item.message.en}",
                      item.id)
    elif isinstance(item, PersonAtRiskInject):
        env.process(person_at_risk(world, item.height_m, item.id))
    elif kind is InjectKind.DEMAND_LEADER:
        demand_top_leader(world)
        world.log("crowd", EventKind.DEMAND_LEADER, "the crowd demands to see the top leader",
                  item.id)
    elif kind is InjectKind.BROKEN_PROMISE:
        break_promise(world, item.note or f"inject {item.id}")
