"""The publicity team (宣传组) and the plan's information-release policy.

Proactive: a first statement goes out a fixed delay after activation. Reactive: the team
monitors online opinion and drafts a statement once the rumour's reach passes the plan's
threshold. Silent: no statement (the Linxiang plan's "in principle no external publicity").
"""

from __future__ import annotations

from sim.core.types import Capability, EventKind, ReleasePolicy, Task
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
    if world.state.statement_out:
        return   # a statement went out on the warning already
    if pol.release_policy is ReleasePolicy.PROACTIVE:
        delay = pol.proactive_delay_min * world.slowdown(team) + world.slip_late(team, Task.STATEMENT)
        yield from world.task(team, Task.DRAFTING, delay)
    else:
        # a monitoring team watches online opinion closely and flags the rumour earlier
        monitors = world.teams_with(Capability.MONITORING)
        w = world.params.warning
        every = w.watch_every_min if monitors else p.monitoring_every_min
        threshold = pol.reactive_threshold * (w.threshold_x if monitors else 1.0)
        while world.rumour.reach < threshold:
            yield env.timeout(every)
            if world.state.cleared or world.state.statement_out:
                return
        who = monitors[0].id if monitors else team.id
        world.log(who, EventKind.RUMOUR_DETECTED,
                  f"rumour reach {world.rumour.reach:.1%} passed the threshold "
                  f"{threshold:.1%}", "", world.rumour.reach)
        delay = pol.drafting_min * world.slowdown(team) + world.slip_late(team, Task.STATEMENT)
        yield from world.task(team, Task.DRAFTING, delay)
    issue_statement(world, team.id)


def issue_statement(world: World, by: str) -> None:
    """An official statement goes out: it starts debunking the rumour (once)."""
    reach = world.rumour.reach
    world.rumour.issue_statement(world.plan.publicity.credibility)
    world.state.statement_out = True
    if world.rec.milestone("first_statement", world.now):
        world.rec.counters["rumor_reach_at_statement"] = reach
    world.log(by, EventKind.STATEMENT_ISSUED,
              f"official statement issued (rumour reach then {reach:.1%})", "", reach)
