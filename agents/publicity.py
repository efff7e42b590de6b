"""The publicity team (宣传组) and the plan's information-release policy.

Proactive: a first statement goes out a fixed delay after activation. Reactive: the team
monitors online opinion and drafts a statement once the rumour's reach passes the plan's
threshold. Silent: no statement (the Linxiang plan's "in principle no external publicity").
"""

from __future__ import annotations

from sim.core.types import EventKind, ReleasePolicy, Task
from sim.core.world import World


def publicity(world: World):
    """Started at plan activation."""
    pol = world.plan.publicity
    team = world.teams[pol.team]
    env, p = world.env, world.params.rumour
    if pol.release_policy is ReleasePolicy.SILENT:
        world.log(team.id, EventKind.POLICY_SILENT, "release policy is silent: no statement planned",
                  pol.release_policy.value)
        return
    if pol.release_policy is ReleasePolicy.PROACTIVE:
        delay = pol.proactive_delay_min * world.slowdown(team) + world.slip_late(team, Task.STATEMENT)
        yield from world.task(team, Task.DRAFTING, delay)
    else:
        while world.rumour.reach < pol.reactive_threshold:
            yield env.timeout(p.monitoring_every_min)
            if world.state.cleared:
                return
        world.log(team.id, EventKind.RUMOUR_DETECTED,
                  f"rumour reach {world.rumour.reach:.1%} passed the threshold "
                  f"{pol.reactive_threshold:.0%}", "", world.rumour.reach)
        delay = pol.drafting_min * world.slowdown(team) + world.slip_late(team, Task.STATEMENT)
        yield from world.task(team, Task.DRAFTING, delay)
    issue_statement(world, team.id)


def issue_statement(world: World, by: str) -> None:
    """An official statement goes out: it starts debunking the rumour."""
    reach = world.rumour.reach
    world.rumour.issue_statement(world.plan.publicity.credibility)
    world.state.statement_out = True
    if world.rec.milestone("first_statement", world.now):
        world.rec.counters["rumor_reach_at_statement"] = reach
    world.log(by, EventKind.STATEMENT_ISSUED,
              f"official statement issued (rumour reach then {reach:.1%})", "", reach)
