"""Medical units (卫生局 / 医疗救护): every health incident is attended.

Read aloud: someone collapses; if no medical unit is on site, someone calls it out and an
ambulance comes from its base; a crew walks to the patient, treats them, and sends a few
to hospital. Response time is from the incident to the crew at the patient's side.
"""

from __future__ import annotations

from agents.teams import order_to_go
from sim.core.rng import uniform
from sim.core.types import Capability, EventKind
from sim.core.world import World


def attend(world: World, injury: bool, detail: str | None = None):
    """The process of one health incident, from collapse to care (``detail``: what happened,
    when it was not a collapse or a scuffle injury)."""
    env, p, s = world.env, world.params.health, world.state
    t0 = world.now
    s.pending_medical += 1
    world.rec.count("injuries" if injury else "health_incidents_only")
    s.medical_cases += 1
    s.health_incidents += 1
    case = f"case {s.medical_cases}"
    world.log("crowd", EventKind.INJURY if injury else EventKind.HEALTH_INCIDENT,
              detail or ("a person is injured in the scuffle" if injury else "a person collapses"),
              case)
    units = world.teams_with(Capability.MEDICAL)
    if not units:
        world.log("exercise", EventKind.MEDICAL_UNAVAILABLE, "the plan has no medical unit", "")
        s.pending_medical -= 1
        return
    team = units[0]
    if not team.on_site:
        if not team.dispatched.triggered:
            env.process(order_to_go(world, team.id, world.plan.command.team, "health incident"))
        ambulance = env.timeout(p.dispatch_min + team.cfg.travel_min
                                * uniform(world.rng.medical, world.params.teams.delay_jitter))
        yield ambulance | team.arrived
    assert team.crews is not None  # every medical unit has its crews
    with team.crews.request() as crew:
        yield crew
        yield env.timeout(uniform(world.rng.medical, p.on_site_response_min))
        response = world.now - t0
        s.medical_responses.append(response)
        world.log(team.id, EventKind.MEDICAL_ATTENDED, f"{team.id} reaches the patient after "
                  f"{response:.0f} min ({case})", case, response)
        s.pending_medical -= 1
        if world.rng.medical.random() < p.transport_share:
            world.log(team.id, EventKind.TRANSPORTED, "patient taken to hospital", "")
        yield env.timeout(uniform(world.rng.medical, p.treatment_min))
