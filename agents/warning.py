"""Before T0 (预警): a call to gather spotted online, a tip-off, and what the plan does on it.

Read aloud: some time before the crowd comes, someone posts a call to gather, or a tip-off
reaches command. A call online is seen only if the plan has someone watching online opinion
(a monitoring team), after a while; a tip-off reaches command at once. Either gives an
estimate of the coming crowd. On the first sign command knows, the plan's warning block is
carried out: teams sent ahead of the crowd, a level declared on the intelligence, a
statement drafted. Signs are logged at their (negative) minute before T0; whatever takes
longer than the lead carries on after T0.
"""

from __future__ import annotations

import math

from agents.command import declare_on_warning
from agents.publicity import issue_statement
from agents.teams import order_to_go, ordered_before_t0
from sim.core.config import Level
from sim.core.rng import uniform
from sim.core.triggers import parse as parse_condition
from sim.core.types import Capability, EventKind, Signal, Task
from sim.core.world import World


def signs_known(world: World) -> list[tuple[float, str, float]]:
    """When command learns of each sign: (minute, who tells, estimated crowd), in time order.

    A call online nobody monitors is never learned of before the crowd comes."""
    warning = world.scenario.warning
    if warning is None:
        return []
    p, rng = world.params.warning, world.rng.warning
    monitors = world.teams_with(Capability.MONITORING)
    known = []
    for sign in warning.signals:
        t_sign = -warning.before(sign)
        world.rec.log(t_sign, "online" if sign.kind is Signal.ONLINE_CALL else "exercise",
                      EventKind.WARNING_SIGNAL,
                      (f"a call to gather is posted online: about {sign.expected} people"
                       if sign.kind is Signal.ONLINE_CALL else
                       f"a tip-off: about {sign.expected} people will come"),
                      sign.kind.value, sign.expected)
        if sign.kind is Signal.ONLINE_CALL:
            if not monitors:
                continue
            team = monitors[0]
            t = t_sign + uniform(rng, p.detect_min) * world.slowdown(team)
            sd, who = p.monitoring_sd, team.id
        else:
            t, sd, who = t_sign, p.tip_off_sd, world.plan.command.team
        estimate = sign.expected * math.exp(sd * float(rng.standard_normal()))
        known.append((t, who, estimate))
    return sorted(known)


def warning(world: World):
    """The warning phase: started at T0 by the engine; acts on signs learned before T0 at
    once (logged at their minute) and on later ones when they come."""
    for t, who, estimate in signs_known(world):
        if t > world.now:
            yield world.env.timeout(t - world.now)
        _learned(world, t, who, estimate)


def _learned(world: World, t: float, who: str, estimate: float) -> None:
    s, plan = world.state, world.plan
    first = not s.warning
    s.warning = True
    s.expected_crowd = max(s.expected_crowd, estimate)
    world.rec.milestone("warning", t)
    world.rec.log(t, who, EventKind.WARNING_DETECTED,
                  f"{who} learns that about {estimate:.0f} people are expected", "",
                  round(estimate))
    if plan.warning is None or not first:
        return
    lead = max(0.0, world.now - t)   # minutes of work already done by T0
    cmd = plan.command.team
    for tid in plan.warning.preposition:
        world.teams[tid].head_start = max(world.teams[tid].head_start, lead)
        if t < world.now:
            ordered_before_t0(world, tid, cmd, "warning", t)
        else:
            world.env.process(order_to_go(world, tid, cmd, "warning"))
    level = _warned_level(world) if plan.warning.declare else None
    if level is not None and s.level is None:
        world.aware = True
        declare_on_warning(world, level, s.expected_crowd, t)
    if plan.warning.statement:
        world.env.process(_early_statement(world, t))


def _warned_level(world: World) -> Level | None:
    """The level the plan declares on a warning: the one it names, else the one the expected
    crowd and the conditions call for."""
    w, s = world.plan.warning, world.state
    assert w is not None
    if w.declare_level is not None:
        return next(lv for lv in world.plan.levels if lv.id == w.declare_level)
    world.conditions = {**world.conditions, "expected_crowd": s.expected_crowd, "warning": True}
    return world.plan.level_for(s.expected_crowd, lambda text: _holds(world, text))


def _holds(world: World, text: str) -> bool:
    return parse_condition(text).holds({**world.conditions, "crowd_present": 0.0})


def _early_statement(world: World, t: float):
    """A statement drafted on the warning: out once drafted (at T0 at the earliest)."""
    team = world.teams[world.plan.publicity.team]
    drafting = world.plan.publicity.drafting_min * world.slowdown(team)
    world.rec.log(t, team.id, EventKind.TASK_START, f"{team.id} starts drafting a statement "
                  "on the warning", Task.DRAFTING.value)
    yield world.env.timeout(max(0.0, t + drafting - world.now))
    world.log(team.id, EventKind.TASK_END, f"{team.id} finishes drafting", Task.DRAFTING.value,
              drafting)
    if not world.state.statement_out:
        issue_statement(world, team.id)
