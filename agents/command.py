"""Command HQ (指挥部 and its office): reports, levels, activation, dispatch, upward reports.

Read aloud: the duty staff notice the crowd and phone the office with a rough headcount;
the office verifies it, declares the level the plan's thresholds give, activates the plan,
orders the level's teams out and reports upward within the plan's deadlines; then it keeps
reassessing the headcount and re-levels as the crowd grows or shrinks.
"""

from __future__ import annotations

import math

from agents.first_response import first_response
from agents.leaders import leaders
from agents.publicity import publicity
from agents.teams import order_to_go, ordered_before_t0
from sim.core.config import Level
from sim.core.rng import uniform
from sim.core.triggers import Watch
from sim.core.triggers import parse as parse_condition
from sim.core.types import Capability, EventKind, Task
from sim.core.world import World


def estimate_headcount(world: World, sd: float, bias: float = 1.0) -> float:
    """A lognormal estimate of the petitioners present (people), ``bias`` times the truth."""
    true = world.crowd.present_petitioners()
    return float(true * bias * math.exp(sd * world.rng.command.standard_normal()))


def _estimate_sd(world: World) -> float:
    e = world.params.estimate
    if any(t.on_site for t in world.teams_with(Capability.INTEL)):
        return e.intel_sd
    return e.verified_sd


def command(world: World):
    """The command process of one run.

    On the first report command declares a provisional level from the reported headcount,
    activates the plan and sends that level's teams; verification confirms or corrects the
    level (a raise sends more teams). Below the plan's lowest level the reception and dialogue
    function goes out all the same: nobody should wait unheard because the crowd is small.
    """
    env, plan, p = world.env, world.plan, world.params
    cmd = world.teams[plan.command.team]
    reporter = world.teams[plan.command.first_report_by]

    # the first report from the spot
    delay = uniform(world.rng.command, p.command.first_report_min) * world.slowdown(reporter)
    delay += world.slip_late(reporter, Task.FIRST_REPORT)
    yield env.timeout(delay)
    estimate = estimate_headcount(world, p.estimate.first_report_sd, p.estimate.first_report_bias)
    if reporter.id != cmd.id:
        yield world.comms.send(reporter.id, cmd.id, "first_report", reporter.familiarity)
    redo = world.slip_incomplete(reporter, Task.FIRST_REPORT)
    world.rec.milestone("first_report", world.now)
    world.log(reporter.id, EventKind.FIRST_REPORT,
              f"first report to {cmd.id}: about {estimate:.0f} people", cmd.id, round(estimate))
    if redo:
        yield env.timeout(redo)

    world.headcount_estimate = estimate
    world.aware = True
    env.process(first_response(world, reporter, start_report))
    if not plan.levels:
        _own_judgement(world, estimate)
    elif world.state.level is not None:   # declared on a warning before T0
        _relevel(world, estimate, verified=False)
    else:
        level = _applicable(world, estimate)
        if level is not None:
            declared_at = _declare(world, level, estimate, provisional=True)
            env.process(_activate(world, level, declared_at))
        else:
            _reception(world, estimate)

    # verification confirms or corrects the provisional level
    yield env.timeout(plan.command.verify_min * world.slowdown(cmd))
    estimate = estimate_headcount(world, _estimate_sd(world))
    world.headcount_estimate = estimate
    world.rec.milestone("verification", world.now)
    world.log(cmd.id, EventKind.VERIFIED, f"headcount verified at about {estimate:.0f}", "",
              round(estimate))
    _relevel(world, estimate, verified=True)

    # keep reassessing
    while not world.state.cleared:
        yield env.timeout(plan.command.reassess_every_min)
        if world.state.cleared:
            break
        world.headcount_estimate = estimate_headcount(world, _estimate_sd(world))
        _relevel(world, world.headcount_estimate, verified=False)


def level_watch(world: World):
    """Levels graded by a condition (``levels[].when``): every tick command weighs each
    condition as it sees the situation (its own headcount estimate as ``crowd_present``),
    and raises the level the moment a higher one applies. Started by the engine when a level
    has a condition."""
    while not world.state.cleared:
        if world.aware and world.plan.levels:
            _relevel(world, world.headcount_estimate, verified=False)
        yield world.env.timeout(world.params.tick_min)


def _weigh_conditions(world: World) -> None:
    """Update which levels' conditions hold now, as command sees the situation."""
    if not world.level_watches:
        world.level_watches = {lv.id: Watch(parse_condition(lv.when))
                               for lv in world.plan.levels if lv.when}
    state = {**world.conditions, "crowd_present": world.headcount_estimate}
    world.level_held = {lid: w.update(world.now, state)
                        for lid, w in world.level_watches.items()}


def _applicable(world: World, estimate: float) -> Level | None:
    """The highest level of the plan that applies to ``estimate`` and the conditions held."""
    if any(lv.when for lv in world.plan.levels):
        _weigh_conditions(world)
    held = world.level_held
    by_text = {lv.when: held.get(lv.id, False) for lv in world.plan.levels if lv.when}
    return world.plan.level_for(estimate, lambda text: by_text.get(text, False))


def _own_judgement(world: World, estimate: float) -> None:
    """A plan without levels: the HQ activates the plan and sends every team on the first
    report."""
    world.log(world.plan.command.team, EventKind.BELOW_THRESHOLD,
              f"about {estimate:.0f} people; the plan has no levels: the HQ acts on its own "
              "judgement and sends every team", "", round(estimate))
    world.env.process(_activate(world, None, world.now))


def call_leaders(world: World) -> None:
    """The responsible unit's leaders are asked to come (once): at activation, or when the
    reception team goes out to a crowd below every level."""
    if not world.state.leaders_called:
        world.state.leaders_called = True
        world.env.process(leaders(world))


def _reception(world: World, estimate: float) -> None:
    """A crowd below every level: the reception and dialogue function goes out regardless."""
    cmd_id = world.plan.command.team
    world.log(cmd_id, EventKind.BELOW_THRESHOLD,
              f"about {estimate:.0f} people: below the plan's lowest level; reception staff "
              "sent to listen", "", round(estimate))
    for team in world.teams_with(Capability.DIALOGUE):
        world.env.process(order_to_go(world, team.id, cmd_id, "reception"))
    call_leaders(world)


def _activate(world: World, level: Level | None, declared_at: float):
    """Activate the plan at ``level`` (None: a plan without levels) and act on it."""
    cmd = world.teams[world.plan.command.team]
    yield world.env.timeout(world.plan.command.activate_min * world.slowdown(cmd)
                            + world.slip_late(cmd, Task.ACTIVATION))
    activated(world, level, declared_at, world.now)


def activated(world: World, level: Level | None, declared_at: float, t: float) -> None:
    """The plan is activated at minute ``t`` (before T0 on a warning): publicity starts, the
    leaders are called and the level's teams are sent (every team without levels)."""
    cmd_id = world.plan.command.team
    world.state.activated_at = t
    world.rec.milestone("plan_activated", t)
    # at the level in force now: a verified count may have lowered the one it was declared at
    shown = world.state.level or level
    world.rec.log(t, cmd_id, EventKind.PLAN_ACTIVATED,
                  f"plan activated at level {shown.id}" if shown else
                  "plan activated (no levels: every team is sent)", shown.id if shown else "")
    world.env.process(publicity(world))
    call_leaders(world)
    if level is None:
        for tid in world.plan.teams:
            # every team goes to work, those already on site (prepositioned) included
            if tid != cmd_id:
                world.env.process(order_to_go(world, tid, cmd_id, "plan activated"))
        for rep in world.plan.reporting:
            start_report(world, rep.id, declared_at)
        return
    # act on the level in force now (verification may have raised it meanwhile)
    if t < world.now:   # activated before T0 on a warning: the orders went out then
        for tid in level.dispatch:
            ordered_before_t0(world, tid, cmd_id, f"level {level.id}", t)
    current = world.state.level or level
    if current is not level:   # raised meanwhile: its reports are due from its own declaration
        declared_at = next((when for when, lid in reversed(world.rec.levels) if lid == current.id),
                           declared_at)
    _act_on_level(world, current, declared_at)


def _relevel(world: World, estimate: float, verified: bool) -> None:
    """Compare the level the estimate gives with the one in force, and act on a change."""
    plan, s, cmd_id = world.plan, world.state, world.plan.command.team
    new = _applicable(world, estimate)
    index = plan.levels.index(new) if new is not None else -1
    if new is not None and s.level is None:
        why, cause = _ground(world, new, estimate)
        declared_at = _declare(world, new, estimate, provisional=False, why=why, cause=cause)
        world.env.process(_activate(world, new, declared_at))
    elif new is not None and index > s.level_index:
        why, cause = _ground(world, new, estimate)
        declared_at = _declare(world, new, estimate, provisional=False, why=why, cause=cause)
        if s.activated_at is not None:
            _act_on_level(world, new, declared_at)
    elif verified and s.level is not None and index == s.level_index and s.level_provisional:
        s.level_provisional = False
        world.log(cmd_id, EventKind.LEVEL_CONFIRMED, f"level {s.level.id} confirmed",
                  s.level.id, round(estimate))
    elif index < s.level_index and new is not None and index != world.situation_index:
        world.situation_index = index
        if verified:
            s.level, s.level_index, s.level_provisional = new, index, False
            world.rec.level_changed(world.now, new.id)
        world.log(cmd_id, EventKind.LEVEL_LOWERED,
                  f"about {estimate:.0f} people: " + (f"level lowered to {new.id}" if verified
                                                      else f"situation at level {new.id}"),
                  new.id, round(estimate), "lowered" if verified else "")


def _ground(world: World, level: Level, estimate: float) -> tuple[str, str]:
    """Why ``level`` applies, as ``why`` and ``cause`` of :func:`_declare`: its own condition
    when the headcount alone gives a lower level, else nothing (the headcount)."""
    plan = world.plan
    by_count = plan.level_for(estimate)
    if level.when and (by_count is None or plan.levels.index(by_count) < plan.levels.index(level)):
        return f"its condition ({level.when}), with about {estimate:.0f} people", "condition"
    return "", ""


def _declare(world: World, level: Level, estimate: float, provisional: bool,
             t: float | None = None, why: str = "", cause: str = "") -> float:
    """Declare ``level`` at minute ``t`` (default now; before T0 on a warning); ``why``
    words the ground when it is not the headcount, ``cause`` marks it in the log
    (``condition``: the level's own condition)."""
    t = world.now if t is None else t
    index = world.plan.levels.index(level)
    previous = world.state.level
    world.state.level, world.state.level_index = level, index
    world.state.level_provisional = provisional
    world.rec.level_changed(t, level.id)
    world.rec.milestone("level_declared", t)
    kind = EventKind.LEVEL_DECLARED if previous is None else EventKind.LEVEL_RAISED
    colour = f" ({level.color})" if level.color else ""
    world.rec.log(t, world.plan.command.team, kind,
                  f"level {level.id}{colour} declared on " + (why or f"about {estimate:.0f} people")
                  + (" (provisional, on the first report)" if provisional else ""), level.id,
                  round(estimate), cause)
    if level.commander is not None and level.commander not in world.roles_called:
        world.roles_called.add(level.commander)
        world.env.process(_commander(world, level.commander, t))
    world.request_decision("level", level.id)
    return t


def declare_on_warning(world: World, level: Level, estimate: float, t: float) -> None:
    """A level declared on intelligence at minute ``t`` (before T0: negative), and the plan
    activated on it."""
    cmd = world.teams[world.plan.command.team]
    _declare(world, level, estimate, provisional=False, t=t,
             why=f"the warning (about {estimate:.0f} people expected)")
    at = t + world.plan.command.activate_min * world.slowdown(cmd)
    if at <= world.now:
        for tid in level.dispatch:
            world.teams[tid].head_start = max(world.teams[tid].head_start, world.now - at)
        activated(world, level, t, at)
    else:
        world.env.process(_activate(world, level, t))


def _commander(world: World, role_id: str, called_at: float):
    """The level's commander (a role of the plan) is called and comes to the site."""
    role = world.plan.roles[role_id]
    world.rec.log(called_at, world.plan.command.team, EventKind.COMMANDER_CALLED,
                  f"{role_id} called to take command", role_id)
    yield world.env.timeout(max(0.0, called_at + role.arrive_min * world.night_x() - world.now))
    world.roles_here.add(role_id)
    world.log(role_id, EventKind.COMMANDER_ON_SITE, f"{role_id} on site and in command", role_id,
              world.now)


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
        if rep.from_level is not None and ids.index(level.id) < ids.index(rep.from_level):
            continue
        start_report(world, rep.id, declared_at)


def start_report(world: World, report_id: str, since: float | None = None) -> None:
    """Start upward report ``report_id`` (once), due ``within_min`` after ``since`` (default
    now)."""
    if report_id in world.state.reports_started:
        return
    rep = next(r for r in world.plan.reporting if r.id == report_id)
    since = world.now if since is None else since
    world.state.reports_started.add(rep.id)
    world.rec.milestone(f"report:{rep.id}", world.now)
    world.env.process(_upward_report(world, rep.id, since + rep.within_min, since))


def _upward_report(world: World, report_id: str, deadline: float, since: float | None = None):
    """Draft and send one upward report; late if it arrives after the plan's deadline.

    A report started before T0 (``since`` < 0, on a warning) has been drafted and sent by
    then if it took less than the lead: it is logged at its minute before T0."""
    p = world.params
    cmd = world.teams[world.plan.command.team]
    draft = uniform(world.rng.command, p.command.report_drafting_min) * world.slowdown(cmd)
    draft += world.slip_late(cmd, Task.REPORT, report_id)
    if since is not None and since < 0.0:   # drafted since before T0, on a warning
        sent = since + draft + p.comms.latency_min
        if sent <= world.now:
            world.rec.log(sent, cmd.id, EventKind.REPORT_SENT,
                          f"upward report '{report_id}' delivered"
                          + (f", {sent - deadline:.0f} min after its deadline"
                             if sent > deadline else " on time"),
                          report_id, round(sent - deadline, 2))
            return
        draft = max(0.0, sent - world.now - p.comms.latency_min)
    yield world.env.timeout(draft)
    redo = world.slip_incomplete(cmd, Task.REPORT, report_id)
    if redo:
        yield world.env.timeout(redo)
    t = yield world.comms.send(cmd.id, f"upper:{report_id}", f"report:{report_id}",
                               cmd.familiarity, deadline)
    late = t > deadline
    world.log(cmd.id, EventKind.REPORT_SENT,
              f"upward report '{report_id}' delivered"
              + (f", {t - deadline:.0f} min after its deadline" if late else " on time"),
              report_id, round(t - deadline, 2))


def request_reinforcement(world: World, team_id: str):
    """Request the order team's reinforcement; it joins after its delay and travel."""
    team = world.teams[team_id]
    rf = team.cfg.reinforcement
    if rf is None or team.reinforcement_requested:
        return
    team.reinforcement_requested = True
    world.rec.milestone(f"reinforcement:{team_id}", world.now)
    world.log(world.plan.command.team, EventKind.REINFORCEMENT_REQUESTED,
              f"reinforcement of {rf.size} requested for {team_id}", team_id, rf.size)
    yield world.env.timeout(rf.delay_min + world.params.order.reinforcement_travel_min)
    yield team.arrived
    team.reinforced += rf.size
    world.log(team_id, EventKind.REINFORCEMENT_ARRIVED, f"{rf.size} more officers join {team_id}",
              team_id, rf.size)
