"""The reception and dialogue team (接访对话组): explain, ask for representatives, negotiate.

Read aloud: on arrival the team explains the policy to the crowd over a loudspeaker and
asks for representatives (at most five); more staff explain faster, up to a point. Once the
unit's leader is there, a few officials sit down with the representatives and talk in
rounds, pausing whenever they need an answer from command. A round ends in a commitment or
fails: its chance depends on the authority at the table, the answers received, the
crowd's mood and trust, whether people could hear the explanation, and how hard the demand
is. A failed round is logged and a shorter one follows. Nobody can talk through a scuffle.
"""

from __future__ import annotations

import math

from agents.leaders import commit
from agents.logistics import request_replacement
from sim.core.rng import uniform
from sim.core.types import Capability, Cause, Equipment, EventKind, Task
from sim.core.world import TeamState, World

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
    team.kit_changed()
    world.rec.count("equipment_failures")
    world.log(team.id, EventKind.EQUIPMENT_FAILED, f"{team.id}'s {item.value} failed ({why})",
              item.value)
    world.env.process(request_replacement(world, team, item))


def _stalled(world: World, team: TeamState) -> bool:
    """No work this minute: the team was recalled, or a scuffle is going on."""
    return not team.on_site or world.in_scuffle()


def success_chance(world: World, answered: float, heard: bool) -> float:
    """Chance that a round of talks ends in a commitment (logistic in what is present)."""
    p, s = world.params.talks, world.state
    logit = p.base_logit
    if s.leader_on_site or world.roles_here:
        logit += p.leader_logit
    if s.demand_top_leader:
        logit += p.top_leader_logit if s.top_leader_on_site else p.top_leader_missing_logit
    logit += p.answers_logit * answered
    if heard:
        logit += p.loudspeaker_logit
    logit += p.agitation_logit * world.mean_agitation
    logit += p.legitimacy_logit * (world.legitimacy.value - 0.5)
    logit += p.demand_logit * (world.scenario.talks.demand - 0.5)
    return 1.0 / (1.0 + math.exp(-logit))


def dialogue(world: World, team: TeamState):
    """Work of a dialogue team on site."""
    env, p, s = world.env, world.params, world.state
    staff = team.staff_for(Capability.DIALOGUE)
    if not s.dialogue_started:
        s.dialogue_started = True
        world.cause_events.append(Cause.LISTENED)
        world.rec.milestone("dialogue_start", world.now)
        world.log(team.id, EventKind.DIALOGUE_STARTED, f"{team.id} starts explaining the policy",
                  team.id)
    if team.stock.get(Equipment.LOUDSPEAKER, 0) == 0:
        world.log(team.id, EventKind.EQUIPMENT_SHORTAGE, f"{team.id} has no loudspeaker in its kit",
                  Equipment.LOUDSPEAKER.value)

    # explain the policy and ask for representatives (more staff help, up to a point)
    explainers = min(staff, p.dialogue.explain_staff_max)
    world.log(team.id, EventKind.TASK_START, f"{team.id} starts explaining", Task.EXPLAINING.value)
    t0, done, heard = world.now, 0.0, 0.0
    need = max(p.dialogue.explain_staff_min_least,
               p.dialogue.explain_staff_min_per_person * world.crowd.present_petitioners())
    # the crowd names representatives once the explanation has reached everyone, or once the
    # team has been at it for a while: spokespeople step forward before everyone has heard
    patience = p.dialogue.representatives_within_min
    while done < need and world.now - t0 < patience:
        if _stalled(world, team):
            yield env.timeout(STEP_MIN)
            continue
        _maybe_fail(world, team)
        eff = _loudspeaker_efficiency(world, team)
        heard += eff * STEP_MIN
        drag = 1.0 + p.dialogue.agitation_drag * world.mean_agitation
        done += explainers * eff / drag / world.slowdown(team) * STEP_MIN
        world.legitimacy.gain("explanation", p.legitimacy.explanation_gain_per_staff_min
                              * explainers * eff * STEP_MIN)
        yield env.timeout(STEP_MIN)
    world.log(team.id, EventKind.TASK_END, f"{team.id} finishes explaining", Task.EXPLAINING.value,
              world.now - t0)
    if not s.representatives_chosen:
        s.representatives_chosen = True
        reps = world.crowd.choose_representatives()
        world.rec.milestone("representatives", world.now)
        world.log("crowd", EventKind.REPRESENTATIVES_CHOSEN,
                  f"the crowd names {reps} representatives", "", reps)
    could_hear = heard / max(world.now - t0, STEP_MIN) >= 0.5 and done >= need

    # talks need the responsible unit's leader (the plan's 2.2.3) unless the parameters allow
    if not s.leader_on_site and p.dialogue.leader_absent_efficiency <= 0:
        yield world.leader_here
    if s.commitment:
        return
    yield from _talks(world, team, staff, could_hear)


def _talks(world: World, team: TeamState, staff: float, could_hear: bool):
    """Rounds of talks until a commitment (or the end of the drill)."""
    env, p, s = world.env, world.params, world.state
    tp = p.talks
    # officials at the table saturate at a few; fewer than that slow a round less than
    # in proportion (one official can still talk, just longer)
    # (the responsible leader, and the top leader when he comes, sit at the table too)
    questions = world.scenario.talks.questions
    work = world.scenario.talks.work_staff_min
    round_no = 0
    while not s.commitment and not s.cleared:
        round_no += 1
        asks = [work * (k + 1) / (questions + 1) for k in range(questions)]
        answered = 0
        world.log(team.id, EventKind.TASK_START,
                  f"{team.id} opens round {round_no} of talks with the representatives",
                  Task.TALKS.value, round_no)
        t0, progress = world.now, 0.0
        while progress < work:
            if s.commitment:
                break
            if _stalled(world, team):
                if world.in_scuffle() and team.on_site:
                    world.log(team.id, EventKind.TALKS_STALLED, "talks stall during the scuffle",
                              Task.TALKS.value)
                    while world.in_scuffle():
                        yield env.timeout(STEP_MIN)
                else:
                    yield env.timeout(STEP_MIN)
                continue
            if asks and progress >= asks[0]:
                asks.pop(0)
                got = yield from _ask_command(world, team, questions - len(asks))
                answered += int(got)
            at_table = staff + float(s.leader_on_site) + float(s.top_leader_on_site)
            negotiators = tp.negotiators_max * min(1.0, at_table / tp.negotiators_max) \
                ** tp.understaffed_exponent
            room = 1.0 if s.room else p.dialogue.no_room_efficiency
            leader = 1.0 if s.leader_on_site else p.dialogue.leader_absent_efficiency
            drag = 1.0 + p.dialogue.agitation_drag * world.mean_agitation
            progress += negotiators * room * leader / drag / world.slowdown(team) * STEP_MIN
            world.legitimacy.gain("talks", p.legitimacy.talks_gain_per_min * STEP_MIN)
            yield env.timeout(STEP_MIN)
        world.log(team.id, EventKind.TASK_END, f"{team.id} ends round {round_no} of talks",
                  Task.TALKS.value, world.now - t0)
        if s.commitment:
            return
        chance = success_chance(world, answered / questions if questions else 1.0,
                                could_hear or team.working(Equipment.LOUDSPEAKER) > 0)
        if world.rng.talks.random() < chance:
            yield from _await_authority(world, team)
            commit(world, team.id, f"commitment made to the representatives after round "
                                   f"{round_no} (chance {chance:.0%})")
            return
        world.rec.count("talks_failed")
        world.stress.failed_talks += p.crowd.failed_talks_stress
        world.cause_events.append(Cause.FAILED_TALKS)
        world.log(team.id, EventKind.TALKS_FAILED,
                  f"round {round_no} of talks ends without agreement (chance was {chance:.0%})",
                  Task.TALKS.value, round(chance, 3), Cause.FAILED_TALKS.value)
        work = world.scenario.talks.work_staff_min * tp.retry_work_share
        yield env.timeout(tp.retry_pause_min)


def _await_authority(world: World, team: TeamState):
    """A demand above the authority of those on site waits for someone who may commit to it
    (a level's commander, the top leader)."""
    demand = world.scenario.talks.demand
    if world.authority_here() >= demand:
        return
    world.log(team.id, EventKind.AWAITING_AUTHORITY,
              f"the representatives accept, but the demand ({demand:.0%}) is above the authority "
              "of those on site: the commitment waits for a leader who may give it", "",
              world.authority_here())
    while world.authority_here() < demand and not world.state.cleared:
        yield world.env.timeout(STEP_MIN)


def _answerer(world: World, number: int) -> TeamState:
    """Who answers question ``number``: the plan's answering teams in turn (``answers_min``),
    else command."""
    answering = [t for t in world.teams.values() if t.cfg.answers_min is not None]
    if answering:
        return answering[(number - 1) % len(answering)]
    return world.teams[world.plan.command.team]


def _ask_command(world: World, team: TeamState, number: int):
    """Talks stall while a question goes to the answering team and the answer comes back.

    Returns True when the answer came (the drill may end first)."""
    env = world.env
    cmd = _answerer(world, number)
    t0 = world.now
    world.log(team.id, EventKind.TALKS_WAITING,
              f"talks wait for {cmd.id}'s answer to question {number}", f"question {number}")
    own = cmd is team   # a team that answers its own questions sends no message for them
    if not own:
        yield world.comms.send(team.id, cmd.id, f"question {number}", team.familiarity)
    span = cmd.cfg.answers_min or world.params.command.answer_min
    yield env.timeout(uniform(world.rng.talks, span) * world.slowdown(cmd))
    if not own:
        yield world.comms.send(cmd.id, team.id, f"answer {number}", cmd.familiarity)
    world.log(team.id, EventKind.TALKS_RESUMED, f"answer {number} received; talks resume after "
              f"{world.now - t0:.0f} min", f"question {number}", world.now - t0)
    return True
