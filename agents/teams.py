"""Teams going out: dispatch, mobilisation, travel, arrival, then their work on site.

A team's life, read aloud: it waits for the order to go, mobilises (slower when its staff
do not know the plan), travels, arrives, and starts the work of each capability it has.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from sim.core.rng import uniform
from sim.core.types import Capability, EventKind, Task, TeamStatus
from sim.core.world import TeamState, World

Routine = Callable[[World, TeamState], Generator]
ROUTINES: dict[Capability, Routine] = {}
"""Work on site by capability, filled in by ``agents.register``."""


def deploy(world: World, team: TeamState):
    """The process of one team from standby to work on site."""
    env = world.env
    if team.cfg.prepositioned:
        team.status = TeamStatus.ON_SITE
        team.t_on_site = 0.0
        team.arrived.succeed()
        world.log(team.id, EventKind.PREPOSITIONED, f"{team.id} is on site from the start", team.id, 0.0)
    yield team.dispatched
    # a team ordered out on a warning got its order before T0 (head_start minutes ago)
    team.t_dispatched = world.now - team.head_start
    if not team.on_site:
        team.status = TeamStatus.MOBILISING
        jitter = world.params.teams.delay_jitter
        dark = world.night_x()
        mob = team.cfg.mobilisation_min * world.slowdown(team) * uniform(world.rng.teams, jitter) * dark
        # a team sent on a warning started before T0 (head_start minutes ago)
        mob += world.slip_late(team, Task.MOBILISATION, t=world.now - team.head_start)
        travel = team.cfg.travel_min * uniform(world.rng.teams, jitter) * dark
        # a team warned before T0 has done part of this already: its legs are logged at
        # their own times, before T0
        start = world.now - team.head_start
        yield from _leg(world, team, Task.MOBILISING, start, mob)
        team.status = TeamStatus.TRAVELLING
        yield from _leg(world, team, Task.TRAVELLING, start + mob, travel)
        team.status = TeamStatus.ON_SITE
        early = team.head_start > 0 and mob + travel <= team.head_start
        # a team that came before the crowd is logged at its own time, before T0
        team.t_on_site = start + mob + travel if early else world.now
        team.arrived.succeed()
        world.rec.log(team.t_on_site, team.id, EventKind.TEAM_ON_SITE,
                      f"{team.id} on site" + (" before the crowd (sent on the warning)"
                                              if early else ""), team.id, team.t_on_site)
    for cap in team.cfg.capabilities:
        routine = ROUTINES.get(cap)
        if routine is not None:
            env.process(routine(world, team))


def _leg(world: World, team: TeamState, task: Task, start: float, minutes: float):
    """A leg of a team's way out (mobilising, travelling) from minute ``start`` for
    ``minutes``: what is left of it after now is waited for; both ends are logged at their
    times (before T0 for a team sent on a warning)."""
    world.rec.log(start, team.id, EventKind.TASK_START, f"{team.id} starts {task.value}",
                  task.value)
    yield world.env.timeout(max(0.0, start + minutes - world.now))
    world.rec.log(min(start + minutes, world.now), team.id, EventKind.TASK_END,
                  f"{team.id} finishes {task.value}", task.value, minutes)


def ordered_before_t0(world: World, team_id: str, by: str, reason: str, t: float) -> None:
    """An order to go given at minute ``t`` before T0 (on a warning): delivered by then."""
    team = world.teams[team_id]
    if team.dispatched.triggered or team.ordered:
        return
    team.ordered = True
    world.rec.log(t, by, EventKind.DISPATCH_ORDER, f"{by} orders {team_id} to the site ({reason})",
                  team_id)
    team.dispatched.succeed()
    world.rec.log(t, team_id, EventKind.DISPATCHED, f"{team_id} received the order to go", team_id)


def order_to_go(world: World, team_id: str, by: str, reason: str):
    """Command's order to a team travels as a message; the team is dispatched on delivery."""
    team = world.teams[team_id]
    if team.dispatched.triggered or team.ordered:
        return
    team.ordered = True
    sender = world.teams.get(by)
    fam = sender.familiarity if sender else 1.0
    world.log(by, EventKind.DISPATCH_ORDER, f"{by} orders {team_id} to the site ({reason})", team_id)
    yield world.comms.send(by, team_id, "dispatch", fam)
    if not team.dispatched.triggered:
        team.dispatched.succeed()
        world.log(team_id, EventKind.DISPATCHED, f"{team_id} received the order to go", team_id)
