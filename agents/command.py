"""Command HQ (指挥部 and its office): reports, levels, activation, dispatch, upward reports.

Read aloud: the duty staff notice the crowd and phone the office with a rough headcount;
the office verifies it, declares the level the plan's thresholds give, activates the plan,
orders the level's teams out and reports upward within the plan's deadlines; then it keeps
reassessing the headcount and re-levels as the crowd grows or shrinks.
"""

from __future__ import annotations

import math

from agents.dialogue import leaders
from agents.publicity import publicity
from agents.teams import order_to_go
from sim.config import Level
from sim.rng import uniform
from sim.types import Capability
from sim.world import World


def estimate_headcount(world: World, sd: float) -> float:
    """A lognormal estimate of the petitioners present (people)."""
    true = world.crowd.present_petitioners()
    return float(true * math.exp(sd * world.rng.command.standard_normal()))


def _estimate_sd(world: World) -> float:
    e = world.params.estimate
    if any(t.on_site for t in world.teams_with(Capability.INTEL)):
        return e.intel_sd
    return e.verified_sd


def command(world: World):
    """The command process of one run."""
    env, plan, p = world.env, world.plan, world.params
    cmd = world.teams[plan.command.team]
    reporter = world.teams[plan.command.first_report_by]

    # the first report from the spot
    delay = uniform(world.rng.command, p.command.first_report_min) * world.slowdown(reporter)
    delay += world.slip_late(reporter, "first report")
    yield env.timeout(delay)
    estimate = estimate_headcount(world, p.estimate.first_report_sd)
    if reporter.id != cmd.id:
        yield world.comms.send(reporter.id, cmd.id, "first_report", reporter.familiarity)
    redo = world.slip_incomplete(reporter, "first report")
    world.rec.milestone("first_report", world.now)
    world.log(reporter.id, "first_report",
              f"first report to {cmd.id}: about {estimate:.0f} people", cmd.id, round(estimate))
    if redo:
        yield env.timeout(redo)

    # verification
    yield env.timeout(plan.command.verify_min * world.slowdown(cmd))
    estimate = estimate_headcount(world, _estimate_sd(world))
    world.rec.milestone("verification", world.now)
    world.log(cmd.id, "verified", f"headcount verified at about {estimate:.0f}", "", round(estimate))

    level = plan.level_for(estimate)
    while level is None:
        world.log(cmd.id, "below_threshold",
                  f"about {estimate:.0f} people: below the plan's lowest level; monitoring",
                  "", round(estimate))
        yield env.timeout(plan.command.reassess_every_min)
        if world.state.cleared:
            return
        estimate = estimate_headcount(world, _estimate_sd(world))
        level = plan.level_for(estimate)

    declared_at = _declare(world, level, estimate)
    yield env.timeout(plan.command.activate_min * world.slowdown(cmd)
                      + world.slip_late(cmd, "plan activation"))
    world.state.activated_at = world.now
    world.rec.milestone("plan_activated", world.now)
    world.log(cmd.id, "plan_activated", f"plan activated at level {level.id}", level.id)
    env.process(publicity(world))
    env.process(leaders(world))
    _act_on_level(world, level, declared_at)

    # keep reassessing
    while not world.state.cleared:
        yield env.timeout(plan.command.reassess_every_min)
        if world.state.cleared:
            break
        estimate = estimate_headcount(world, _estimate_sd(world))
        new = plan.level_for(estimate)
        index = plan.levels.index(new) if new is not None else -1
        if index > world.state.level_index:
            declared_at = _declare(world, new, estimate)
            _act_on_level(world, new, declared_at)
        elif index < world.state.level_index and new is not None:
            world.log(cmd.id, "level_lowered",
                      f"about {estimate:.0f} people: situation at level {new.id}", new.id,
                      round(estimate))


def _declare(world: World, level: Level, estimate: float) -> float:
    index = world.plan.levels.index(level)
    previous = world.state.level
    world.state.level, world.state.level_index = level, index
    world.rec.milestone("level_declared", world.now)
    kind = "level_declared" if previous is None else "level_raised"
    world.log(world.plan.command.team, kind,
              f"level {level.id} declared on about {estimate:.0f} people", level.id,
              round(estimate))
    world.request_decision("level", level.id)
    return world.now


def _act_on_level(world: World, level: Level, declared_at: float) -> None:
    """Dispatch the level's teams, request reinforcement, send the upward reports due."""
    env, plan = world.env, world.plan
    cmd_id = plan.command.team
    for tid in level.dispatch:
        env.process(order_to_go(world, tid, cmd_id, f"level {level.id}"))
    if level.request_reinforcement:
        for team in world.teams_with(Capability.ORDER):
            rf = team.cfg.reinforcement
            if rf and plan.levels.index(level) >= [lv.id for lv in plan.levels].index(rf.from_level):
                env.process(request_reinforcement(world, team.id))
    if not level.report_up:
        return
    ids = [lv.id for lv in plan.levels]
    for rep in plan.reporting:
        key = f"report:{rep.id}"
        if key in world.rec.milestones:
            continue
        if rep.from_level is not None and ids.index(level.id) < ids.index(rep.from_level):
            continue
        world.rec.milestone(key, world.now)
        env.process(_upward_report(world, rep.id, declared_at + rep.within_min))


def _upward_report(world: World, report_id: str, deadline: float):
    """Draft and send one upward report; late if it arrives after the plan's deadline."""
    p = world.params
    cmd = world.teams[world.plan.command.team]
    draft = uniform(world.rng.command, p.command.report_drafting_min) * world.slowdown(cmd)
    draft += world.slip_late(cmd, f"report to {report_id}")
    yield world.env.timeout(draft)
    redo = world.slip_incomplete(cmd, f"report to {report_id}")
    if redo:
        yield world.env.timeout(redo)
    t = yield world.comms.send(cmd.id, f"upper:{report_id}", f"report:{report_id}",
                               cmd.familiarity, deadline)
    late = t > deadline
    world.log(cmd.id, "report_sent",
              f"upward report '{report_id}' delivered"
              + (f", {t - deadline:.0f} min after its deadline" if late else " on time"),
              report_id, round(t - deadline, 2))


def request_reinforcement(world: World, team_id: str):
    """Request the order team's reinforcement; it joins after its delay and travel."""
    team = world.teams[team_id]
    rf = team.cfg.reinforcement
    key = f"reinforcement:{team_id}"
    if key in world.rec.milestones:
        return
    world.rec.milestone(key, world.now)
    world.log(world.plan.command.team, "reinforcement_requested",
              f"reinforcement of {rf.size} requested for {team_id}", team_id, rf.size)
    yield world.env.timeout(rf.delay_min + world.params.order.reinforcement_travel_min)
    yield team.arrived
    world.state.officers += rf.size * world.state.deterrence_x
    world.log(team_id, "reinforcement_arrived", f"{rf.size} more officers join {team_id}",
              team_id, rf.size)
