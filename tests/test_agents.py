"""Component tests: each agent's rule on a world built for the purpose, without a whole drill."""

from __future__ import annotations

import math

import pytest

from agents import scuffle
from agents.command import command
from agents.dialogue import success_chance
from agents.leaders import break_promise, commit, leader_arrives
from agents.order import dispersal_rate, force
from agents.persuasion import persuasion_rate
from agents.rumour import Rumour
from sim.core.legitimacy import Legitimacy
from sim.core.loading import load_drill, load_parameters
from sim.core.types import CrowdState, EventKind, Posture, TeamStatus
from sim.engine import build_world
from sim.montecarlo.calibration import Arm, inputs_for


def world_for(scenario: str = "gate-blockade", plan: str = "linxiang", seed: int = 1,
              sets: tuple[str, ...] = (), **scenario_set):
    inputs = inputs_for(Arm(scenario=scenario, plan=plan, sets=list(sets),
                            scenario_set=scenario_set))
    return build_world(inputs, seed)


def arrive_everyone(world) -> None:
    """Put every petitioner on site now."""
    crowd = world.crowd
    crowd.t_arrive[:crowd.n_petitioners] = 0.0
    crowd.status[:crowd.n_petitioners] = 1


def on_site(world, tid: str) -> None:
    world.teams[tid].status = TeamStatus.ON_SITE


def kinds(world) -> list[str]:
    return [e.kind for e in world.rec.events]


# ----------------------------------------------------------------------- legitimacy


def test_legitimacy_is_bounded_and_keeps_a_ledger():
    L = Legitimacy(0.5, 0.05, 0.98)
    L.gain("talks", 0.3)
    L.gain("commitment", 0.5)   # clamped at the ceiling
    L.lose("force", 0.2)
    assert L.value == pytest.approx(0.78)
    assert L.ledger["commitment"] == pytest.approx(0.18)
    assert sum(L.ledger.values()) == pytest.approx(L.value - 0.5)


# ----------------------------------------------------------------------- order and scuffles


def test_no_contact_without_an_opposing_line_and_more_against_a_forceful_one():
    world = world_for(**{"site.security": 0})
    assert scuffle.contact_hazard(world, 20) == 0.0
    on_site(world, "order")
    restrained = scuffle.contact_hazard(world, 20)
    world.set_posture("order", Posture.FORCEFUL)
    forceful = scuffle.contact_hazard(world, 20)
    assert 0 < restrained < forceful
    # contact is limited by the line's width: more pressing people beyond it change nothing
    assert scuffle.contact_hazard(world, 1000) == scuffle.contact_hazard(world, 10_000)


def test_force_pushes_people_off_starts_a_scuffle_and_costs_legitimacy():
    world = world_for()
    arrive_everyone(world)
    on_site(world, "order")
    before = world.crowd.present_petitioners()
    trust = world.legitimacy.value
    force(world, world.teams["order"], "test")
    assert world.crowd.present_petitioners() < before
    assert world.in_scuffle()
    assert world.legitimacy.value < trust
    assert EventKind.FORCE_USED.value in kinds(world)
    assert EventKind.SCUFFLE_STARTED.value in kinds(world)
    started = [e for e in world.rec.events if e.kind == "scuffle_started"][0]
    assert "force" in started.causes


def test_a_scuffle_ends_after_its_episode():
    world = world_for()
    arrive_everyone(world)
    on_site(world, "order")
    scuffle.start(world, [], by_force=False)
    assert world.in_scuffle()
    world.env.run(until=world.state.scuffle_until + 0.5)
    assert scuffle.end_if_over(world)
    assert not world.in_scuffle()
    assert EventKind.SCUFFLE_ENDED.value in kinds(world)


def test_onlookers_are_moved_on_only_once_a_cordon_stands():
    world = world_for()
    on_site(world, "order")
    assert dispersal_rate(world) == 0.0
    world.state.cordon = True
    assert dispersal_rate(world) > 0


def test_officers_on_site_come_from_the_teams_and_their_reinforcements():
    world = world_for()
    assert world.officers_on_site() == 0
    on_site(world, "order")
    assert world.officers_on_site() == world.plan.teams["order"].staff_for(
        next(iter(world.plan.teams["order"].capabilities)))
    world.teams["order"].reinforced = 30
    assert world.officers_on_site() == pytest.approx(50)
    world.teams["order"].status = TeamStatus.STANDBY    # recalled
    assert world.officers_on_site() == 0


def test_staff_split_as_the_plan_says():
    world = world_for(sets=("teams.dialogue.capabilities=[dialogue,persuasion]",
                            "teams.dialogue.staff={dialogue: 5}"))
    team = world.teams["dialogue"]
    from sim.core.types import Capability
    assert team.staff_for(Capability.DIALOGUE) == 5
    assert team.staff_for(Capability.PERSUASION) == team.cfg.size - 5


# ----------------------------------------------------------------------- talks and leaders


def test_talks_succeed_more_with_the_leader_calm_crowd_and_easy_demand():
    world = world_for()
    base = success_chance(world, answered=1.0, heard=True)
    leader_arrives(world)
    with_leader = success_chance(world, answered=1.0, heard=True)
    assert with_leader > base
    world.mean_agitation = 0.6
    assert success_chance(world, 1.0, True) < with_leader
    hard = world_for(**{"talks.demand": 1.0})
    leader_arrives(hard)
    assert success_chance(hard, 1.0, True) < with_leader
    assert success_chance(world, 0.0, False) < success_chance(world, 1.0, True)


def test_a_commitment_is_made_once_and_a_broken_promise_costs_more_than_it_gained():
    world = world_for()
    start = world.legitimacy.value
    assert commit(world, "dialogue", "test")
    assert not commit(world, "dialogue", "again")
    assert world.agreed.triggered
    gained = world.legitimacy.value - start
    break_promise(world, "test")
    assert world.legitimacy.value < start + gained - world.params.legitimacy.commitment_gain + 1e-9
    assert world.stress.broken_promise > 0


# ----------------------------------------------------------------------- persuasion


def test_persuasion_needs_vehicles_and_is_easier_after_a_commitment():
    world = world_for()
    on_site(world, "persuasion")
    with_vehicles = persuasion_rate(world)
    world.state.commitment = True
    assert persuasion_rate(world) > with_vehicles
    bare = world_for(sets=("teams.persuasion.equipment.vehicle=0",
                           "teams.logistics.equipment.vehicle=0"))
    on_site(bare, "persuasion")
    assert 0 < persuasion_rate(bare) < with_vehicles


# ----------------------------------------------------------------------- command


def _first_levels(world, until: float) -> list[tuple[str, str]]:
    world.env.process(command(world))
    world.env.run(until=until)
    return [(e.kind, e.subject) for e in world.rec.events
            if e.kind in ("level_declared", "level_raised", "level_confirmed")]


def test_the_first_report_declares_a_provisional_level_that_verification_corrects():
    world = world_for("large-sit-in")
    arrive_everyone(world)
    world.params = world.params.with_values({"estimate.first_report_bias": 0.12,
                                             "estimate.first_report_sd": 0.0})
    levels = _first_levels(world, 30)
    assert levels[0][0] == "level_declared" and levels[0][1] in ("IV", "III")
    assert ("level_raised", "II") in levels
    assert "provisional" in [e for e in world.rec.events if e.kind == "level_declared"][0].detail


def test_a_small_crowd_still_gets_the_reception_team():
    world = world_for("small-group", **{"crowd.initial": [5, 5], "crowd.mobilised": [5, 5]})
    arrive_everyone(world)
    world.env.process(command(world))
    world.env.run(until=30)
    assert "below_threshold" in kinds(world)
    assert world.teams["dialogue"].ordered


# ----------------------------------------------------------------------- rumour


def test_a_statement_debunks_only_among_those_it_reaches():
    p = load_parameters().rumour

    def peak(reach: float) -> float:
        r = Rumour(p, reach)
        r.seed(p.seed_share)
        for t in range(600):
            if t == 30:
                r.issue_statement(0.8)
            r.step(1.0)
        assert r.statement_reach <= reach + 1e-12
        return r.reach

    assert peak(0.9) < peak(0.2) < peak(1e-6) + 1e-9
    assert math.isclose(peak(1e-6), 1 - 0.2032, abs_tol=0.01)


def test_crowd_state_is_at_most_blocking_from_the_crowd_itself():
    world = world_for()
    arrive_everyone(world)
    import numpy as np

    from agents.crowd import TickDrivers

    d = TickDrivers(legitimacy=0.05)
    for t in range(30):
        out = world.crowd.step(float(t), 1.0, d, np.random.default_rng(t))
        assert out.state <= CrowdState.BLOCKING


def test_bundled_drills_load():
    for name in ("gate-blockade", "small-group", "large-sit-in"):
        assert load_drill(name).scenario.name == name


def test_an_indoor_site_and_room_to_stand_lower_the_health_rate():
    world = world_for()
    from agents.crowd import HealthHazard

    h = HealthHazard(world.params.health)
    outdoor = h.shared_rate(90.0, True, outdoor=True, density=0.5)
    assert h.shared_rate(90.0, True, outdoor=False, density=0.5) < outdoor
    assert h.shared_rate(90.0, True, outdoor=True, density=4.0) > outdoor


def test_a_group_below_every_level_is_received_and_answered():
    # 9 calm people under a plan whose lowest level starts at 20: the reception team and
    # the responsible leader still come, and talks can end in a commitment
    inputs = inputs_for(Arm(scenario="small-group", plan="linxiang",
                            scenario_set={"crowd.initial": [9, 9], "crowd.mobilised": [9, 9],
                                          "injects": []}))
    from sim.engine import simulate

    rows = [simulate(inputs, s).metrics for s in range(10)]
    assert sum(m["agreement_min"] is not None for m in rows) >= 8


def test_restrained_officers_lead_aside_only_a_few_instigators():
    from sim.engine import simulate

    inputs = inputs_for(Arm(scenario="gate-blockade", plan="linxiang",
                            sets=["teams.dialogue.capabilities=[persuasion]"],
                            scenario_set={"crowd.legitimacy": 0.4}))
    for seed in range(5):
        r = simulate(inputs, seed)
        led = r.events[r.events["kind"] == "targeted_intervention"]["value"].sum()
        assert led <= 0.05 * r.metrics["peak_crowd"] + 1e-9, (seed, led)
