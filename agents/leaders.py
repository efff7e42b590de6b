"""The responsible unit's leaders (涉事单位负责人, 主要领导) and the commitment they can make.

Read aloud: once the plan is activated the responsible unit's leader comes to the site; if
the crowd demands the top leader, he comes later. A commitment to the representatives is
the leaders' to give: once given, the crowd's legitimacy rises and most people go home. A
promise seen broken costs more than it gained. These are the only places that change
these conditions, whether the plan or the trainees make them happen.
"""

from __future__ import annotations

from sim.core.types import Cause, EventKind
from sim.core.world import World


def leader_arrives(world: World) -> None:
    """The responsible unit's leader is on site (once)."""
    if world.state.leader_on_site:
        return
    world.state.leader_on_site = True
    world.leader_here.succeed()
    world.log("responsible_unit", EventKind.LEADER_ON_SITE,
              "the responsible unit's leader arrives", "leader", world.now)


def top_leader_arrives(world: World) -> None:
    """The top leader meets the crowd (once)."""
    if world.state.top_leader_on_site:
        return
    world.state.top_leader_on_site = True
    world.top_leader_here.succeed()
    world.log("responsible_unit", EventKind.TOP_LEADER_ON_SITE, "the top leader meets the crowd",
              "top_leader", world.now)


def commit(world: World, by: str, detail: str) -> bool:
    """A commitment is made to the representatives; False if one was made already."""
    s = world.state
    if s.commitment:
        return False
    s.commitment = True
    world.agreed.succeed()
    world.legitimacy.gain("commitment", world.params.legitimacy.commitment_gain)
    world.cause_events.append(Cause.AGREEMENT)
    world.rec.milestone("agreement", world.now)
    world.log(by, EventKind.AGREEMENT, detail, by)
    return True


def demand_top_leader(world: World) -> None:
    """The crowd insists on seeing the top leader."""
    if not world.state.demand_top_leader:
        world.state.demand_top_leader = True
        world.demand_event.succeed()


def break_promise(world: World, why: str) -> None:
    """The crowd sees a promise broken: legitimacy falls and agitation rises."""
    s = world.state
    s.promise_broken = True
    world.legitimacy.lose("broken promise", world.params.legitimacy.broken_promise_loss)
    world.cause_events.append(Cause.BROKEN_PROMISE)
    world.stress.broken_promise += world.params.crowd.broken_promise_stress
    world.rec.count("broken_promises")
    world.log("crowd", EventKind.PROMISE_BROKEN, f"the crowd sees a promise broken ({why})",
              "", float(s.commitment), Cause.BROKEN_PROMISE.value)


def leaders(world: World):
    """The leaders come to the site; started at plan activation with the plan's delays."""
    ru, s, env = world.plan.responsible_unit, world.state, world.env
    yield env.timeout(ru.leader_delay_min)
    leader_arrives(world)
    if not s.demand_top_leader:
        yield world.demand_event
    if s.commitment or s.cleared:
        return
    called = s.activated_at if s.activated_at is not None else world.now - ru.leader_delay_min
    wait = max(0.0, called + ru.top_leader_delay_min - world.now)
    yield env.timeout(wait)
    top_leader_arrives(world)
