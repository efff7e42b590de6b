"""First response (先期处置): what the first team on the spot does before the level's teams come.

Read aloud: right after phoning in the first report, the staff who saw the crowd take the
steps the plan lists, one after another: a provisional cordon, traffic control, moving
onlookers on, listening to the crowd, calling the ambulance or the police, water from the
unit's own stock, sending the first report upward. Each step takes a few minutes and has
its effect from then on.
"""

from __future__ import annotations

import math

from agents.logistics import provide_water
from agents.teams import order_to_go
from sim.core.rng import uniform
from sim.core.types import Capability, EventKind, FirstStep
from sim.core.world import TeamState, World

WHAT = {
    FirstStep.CORDON: "a provisional cordon around the crowd",
    FirstStep.TRAFFIC_CONTROL: "traffic control on the road in front",
    FirstStep.DISPERSE_ONLOOKERS: "onlookers asked to move on",
    FirstStep.CALM_CROWD: "staff listen to the crowd and explain",
    FirstStep.CALL_AMBULANCE: "the ambulance called",
    FirstStep.WATER_FOOD: "drinking water brought from the unit's stock",
    FirstStep.EVACUATE_UNINVOLVED: "the uninvolved public guided away",
    FirstStep.CALL_110: "the police called (110)",
    FirstStep.REPORT_UPWARD: "the first report sent upward",
}
"""What each step is, in a few English words (the log's detail)."""

CALLS = {FirstStep.CALL_AMBULANCE: (Capability.MEDICAL, "120"),
         FirstStep.CALL_110: (Capability.ORDER, "110")}
"""Calls to a public service: the plan's units with the capability that answers them, and the
number called. The event's value is how many units the call sent (0: the plan has none)."""


def first_response(world: World, team: TeamState, report_upward):
    """The first team's steps, in the plan's order. ``report_upward(world, report_id)``
    starts an upward report (command's, handed in to keep the reporting chain in one place)."""
    env, p, s = world.env, world.params.first_response, world.state
    for step in world.plan.first_response:
        yield env.timeout(uniform(world.rng.teams, p.step_min) * world.slowdown(team)
                          * world.night_x())
        note, sent = "", math.nan   # what came of a call or a report (the event's value)
        if step is FirstStep.CORDON:
            s.first_cordon = True
        elif step is FirstStep.TRAFFIC_CONTROL:
            s.first_traffic = True
        elif step is FirstStep.DISPERSE_ONLOOKERS:
            s.first_dispersing += p.disperse_per_hour / 60.0
        elif step is FirstStep.EVACUATE_UNINVOLVED:
            s.first_dispersing += world.params.evacuation.per_staff_hour * team.cfg.size / 60.0
        elif step is FirstStep.CALM_CROWD:
            s.first_listening = True
        elif step in CALLS:
            # the call brings the plan's units of that kind; the caller itself is there already
            cap, number = CALLS[step]
            called = [u for u in world.teams_with(cap) if u is not team]
            for unit in called:
                env.process(order_to_go(world, unit.id, team.id, f"first response: {number}"))
            note, sent = ("" if called else " (no unit of the plan comes)"), len(called)
        elif step is FirstStep.WATER_FOOD:
            env.process(_water(world, team))
        elif step is FirstStep.REPORT_UPWARD:
            # the plan's first report due from the start; one due from a level waits for it
            due = [rep for rep in world.plan.reporting if rep.from_level is None]
            if due:
                report_upward(world, due[0].id)
            note = "" if due else " (no report of the plan is due before a level)"
            sent = len(due[:1])
        world.log(team.id, EventKind.FIRST_RESPONSE, f"first response: {WHAT[step]}{note}",
                  step.value, sent)

def _water(world: World, team: TeamState):
    yield world.env.timeout(world.params.first_response.water_min)
    provide_water(world, team.id, f"{team.id} hands out water from the unit's own stock")
