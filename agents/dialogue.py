"""The reception and dialogue team (接访对话组).

Read aloud: on arrival the team explains the policy to the crowd over a loudspeaker and
asks for representatives (at most five); once the unit's leader is there it holds talks
with them, pausing whenever it needs an answer from command; when the talks have done
their work, a commitment is made. A broken loudspeaker, an absent leader, an agitated
crowd and staff who do not know the plan all slow it down.
"""

from __future__ import annotations

from agents.logistics import request_replacement
from sim.rng import uniform
from sim.types import Capability, Equipment
from sim.world import TeamState, World

STEP_MIN = 1.0
"""Resolution of the dialogue work loop, in minutes (numerical, like the crowd tick)."""


def _loudspeaker_efficiency(world: World, team: TeamState) -> float:
    if team.working(Equipment.LOUDSPEAKER) > 0:
        return 1.0
    return world.params.dialogue.no_loudspeaker_efficiency


def _maybe_fail(world: World, team: TeamState) -> None:
    if team.working(Equipment.LOUDSPEAKER) <= 0:
        return
    rate = world.params.dialogue.loudspeaker_fail_per_hour / 60.0 * STEP_MIN
    if world.rng.equipment.random() < rate:
        equipment_failed(world, team, Equipment.LOUDSPEAKER, "worn out in use")


def equipment_failed(world: World, team: TeamState, item: Equipment, why: str) -> None:
    """An item of a team's kit fails; the team asks logistics for a spare."""
    if team.working(item) <= 0:
        return
    team.broken[item] = team.broken.get(item, 0) + 1
    world.rec.count("equipment_failures")
    world.log(team.id, "equipment_failed", f"{team.id}'s {item.value} failed ({why})", item.value)
    world.env.process(request_replacement(world, team, item))


def dialogue(world: World, team: TeamState):
    """Work of a dialogue team on site."""
    env, p, s = world.env, world.params, world.state
    crowd = world.crowd
    staff = team.staff_for(Capability.DIALOGUE)
    s.dialogue_started = True
    world.rec.milestone("dialogue_start", world.now)
    world.log(team.id, "dialogue_started", f"{team.id} starts explaining the policy", team.id)
    if team.stock.get(Equipment.LOUDSPEAKER, 0) == 0:
        world.log(team.id, "equipment_shortage", f"{team.id} has no loudspeaker in its kit",
                  Equipment.LOUDSPEAKER.value)

    # explain the policy and ask for representatives
    world.log(team.id, "task_start", f"{team.id} starts explaining", "explaining")
    t0, done = world.now, 0.0
    while done < p.dialogue.explain_staff_min:
        if not team.on_site:  # recalled: nobody explains
            yield env.timeout(STEP_MIN)
            continue
        _maybe_fail(world, team)
        eff = _loudspeaker_efficiency(world, team)
        drag = 1.0 + p.dialogue.agitation_drag * crowd_mean_agitation(world)
        done += staff * eff / drag / world.slowdown(team) * STEP_MIN
        s.legitimacy = min(p.legitimacy.ceiling,
                           s.legitimacy + p.legitimacy.explanation_gain_per_staff_min
                           * staff * eff * STEP_MIN)
        yield env.timeout(STEP_MIN)
    world.log(team.id, "task_end", f"{team.id} finishes explaining", "explaining", world.now - t0)
    reps = crowd.choose_representatives()
    world.rec.milestone("representatives", world.now)
    world.log("crowd", "representatives_chosen", f"the crowd names {reps} representatives",
              "", reps)

    # the responsible unit's leader must be present for talks
    while not s.leader_on_site:
        yield env.timeout(STEP_MIN)

    work = world.scenario.talks.work_staff_min
    questions = world.scenario.talks.questions
    asks = [work * (k + 1) / (questions + 1) for k in range(questions)]
    world.log(team.id, "task_start", f"{team.id} opens talks with the representatives", "talks")
    t0, progress = world.now, 0.0
    while progress < work:
        if not team.on_site:  # recalled: talks stop
            yield env.timeout(STEP_MIN)
            continue
        if asks and progress >= asks[0]:
            asks.pop(0)
            yield from _ask_command(world, team, questions - len(asks))
        room = 1.0 if s.room else p.dialogue.no_room_efficiency
        leader = 1.0
        if s.demand_top_leader and not s.top_leader_on_site:
            leader = p.dialogue.top_leader_absent_efficiency
        drag = 1.0 + p.dialogue.agitation_drag * crowd_mean_agitation(world)
        progress += staff * room * leader / drag / world.slowdown(team) * STEP_MIN
        s.legitimacy = min(p.legitimacy.ceiling,
                           s.legitimacy + p.legitimacy.talks_gain_per_min * STEP_MIN)
        yield env.timeout(STEP_MIN)
    world.log(team.id, "task_end", f"{team.id} concludes talks", "talks", world.now - t0)
    s.commitment = True
    s.legitimacy = min(p.legitimacy.ceiling, s.legitimacy + p.legitimacy.commitment_gain)
    world.rec.milestone("agreement", world.now)
    world.log(team.id, "agreement", "commitment made to the representatives", team.id)


def crowd_mean_agitation(world: World) -> float:
    """Mean agitation of the petitioners present at the last tick."""
    return world.rec.counters.get("_mean_agitation", 0.0)


def _ask_command(world: World, team: TeamState, number: int):
    """Talks stall while a question goes to command and the answer comes back."""
    env = world.env
    cmd = world.teams[world.plan.command.team]
    t0 = world.now
    world.log(team.id, "talks_waiting", f"talks wait for command's answer to question {number}",
              f"question {number}")
    yield world.comms.send(team.id, cmd.id, f"question {number}", team.familiarity)
    yield env.timeout(uniform(world.rng.talks, world.params.command.answer_min)
                      * world.slowdown(cmd))
    yield world.comms.send(cmd.id, team.id, f"answer {number}", cmd.familiarity)
    world.log(team.id, "talks_resumed", f"answer {number} received; talks resume after "
              f"{world.now - t0:.0f} min", f"question {number}", world.now - t0)


def leaders(world: World):
    """The responsible unit's leader (and the top leader, if demanded) come to the site.

    Started at plan activation; delays are the plan's ``responsible_unit`` figures.
    """
    ru, s, env = world.plan.responsible_unit, world.state, world.env
    yield env.timeout(ru.leader_delay_min)
    if not s.leader_on_site:
        s.leader_on_site = True
        world.log("responsible_unit", "leader_on_site", "the responsible unit's leader arrives",
                  "leader", world.now)
    while not s.demand_top_leader:
        yield env.timeout(STEP_MIN)
        if s.commitment or s.cleared:
            return
    wait = max(0.0, (s.activated_at or 0.0) + ru.top_leader_delay_min - world.now)
    yield env.timeout(wait)
    if not s.top_leader_on_site:
        s.top_leader_on_site = True
        world.log("responsible_unit", "top_leader_on_site", "the top leader meets the crowd",
                  "top_leader", world.now)
