"""Plans as the seeds write them: levels by condition or none, roles, warnings, first response,
the new capabilities, weather and the clock.

The direction tests compare paired runs (same seeds, common random numbers) with the
criteria of ``tests/test_levers.py``; they are marked ``slow``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest

from sim.core.config import Plan, Scenario
from sim.core.loading import DrillInputs, bundled, load_drill, load_parameters, plan_problems
from sim.core.result import OUTCOMES
from sim.core.types import EventKind
from sim.engine import simulate, simulate_metrics
from tests.conftest import call_cli
from tests.test_levers import assert_paired, assert_share_up

PLANS = [p.stem for p in bundled("plans")]
SCENARIOS = [p.stem for p in bundled("drills")]

Edit = Callable[[dict[str, Any]], None]


def inputs_with(scenario: str, plan: str | None = None, plan_edit: Edit | None = None,
                scenario_edit: Edit | None = None) -> DrillInputs:
    """A bundled drill with its plan and scenario changed by editing their data."""
    base = load_drill(scenario, plan)
    pdata = base.plan.model_dump(mode="json")
    sdata = base.scenario.model_dump(mode="json")
    if plan_edit:
        plan_edit(pdata)
    if scenario_edit:
        scenario_edit(sdata)
    sc = Scenario.model_validate(sdata)
    plan_ = Plan.model_validate(pdata)
    assert not plan_problems(plan_, None), plan_problems(plan_, None)
    return DrillInputs(sc, plan_, base.plan_label, load_parameters(sc),
                       base.scenario_path, base.plan_path)


def only_levels(p: dict[str, Any], levels: list[dict[str, Any]]) -> None:
    """Replace the plan's levels; what referred to the old ones no longer does."""
    p["levels"] = levels
    for team in p["teams"].values():
        team["reinforcement"] = None
    p["reporting"] = [dict(rep, from_level=None) for rep in p["reporting"]]


def kinds(inputs: DrillInputs, seed: int = 1) -> tuple[Any, list[tuple[float, str, str]]]:
    r = simulate(inputs, seed)
    return r, [(row.t_min, row.kind, row.subject) for row in r.events.itertuples()]


# ----------------------------------------------------------------------- the bundle


def test_six_plans_and_five_scenarios_are_bundled():
    assert sorted(PLANS) == sorted(["department-3level", "department-4level", "enterprise",
                                    "generic", "leading-group", "linxiang"])
    assert sorted(SCENARIOS) == sorted(["gate-blockade", "large-sit-in", "online-call",
                                        "self-harm-at-height", "small-group"])
    out = call_cli("list")
    assert out.returncode == 0
    for name in PLANS + SCENARIOS:
        assert name in out.stdout


def test_bundled_scenarios_address_capabilities_not_teams():
    for name in SCENARIOS:
        sc = load_drill(name).scenario
        for inj in sc.injects:
            assert getattr(inj, "team", None) is None, (name, inj.id)
            assert inj.expected is None or inj.expected.team is None, (name, inj.id)


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_runs_under_every_plan(scenario, plan):
    assert call_cli("validate", plan, scenario).returncode == 0
    r = simulate(load_drill(scenario, plan), 1)
    assert r.metrics["outcome"] in OUTCOMES
    assert r.metrics["first_report_min"] is not None


# ----------------------------------------------------------------------- levels


def _level(**fields) -> dict[str, Any]:
    return {"id": "X", "name": {"zh": "测试级", "en": "Test level"}, "dispatch": ["order"],
            **fields}


def _declared_x(when: str) -> list[float]:
    """Minutes at which the added level X, starting on ``when``, was declared or raised to."""
    def edit(p):
        p["levels"].append(_level(when=when))
    _, ev = kinds(inputs_with("gate-blockade", plan_edit=edit))
    return [t for t, k, s in ev if s == "X" and k in ("level_raised", "level_declared")]


def test_a_level_by_condition_is_declared_the_tick_its_condition_holds():
    raised = _declared_x("t_min >= 47")
    assert raised and 47.0 <= raised[0] <= 48.0


def test_a_condition_held_for_a_while_waits_for_it():
    raised = _declared_x("t_min >= 47 for 10 min")
    assert raised and 57.0 <= raised[0] <= 58.0


def test_a_condition_that_never_holds_declares_nothing():
    def edit(p):
        p["levels"].append(_level(when="injuries >= 100000"))
    r, ev = kinds(inputs_with("gate-blockade", plan_edit=edit))
    assert not [k for _, k, s in ev if s == "X"]
    assert r.metrics["level"] != "X"


def test_a_level_by_condition_alone_is_declared_on_the_first_report_when_it_holds():
    def edit(p):
        only_levels(p, [_level(when="crowd_present >= 1", dispatch=["order", "dialogue"])])
    r, ev = kinds(inputs_with("gate-blockade", plan_edit=edit))
    assert r.metrics["level"] == "X"
    assert r.metrics["level_declared_min"] == r.metrics["first_report_min"]


def test_a_plan_without_levels_sends_every_team_on_the_first_report():
    def edit(p):
        only_levels(p, [])
    r, ev = kinds(inputs_with("gate-blockade", plan_edit=edit))
    ordered = {s for _, k, s in ev if k == "dispatch_order"}
    assert ordered == set(r.plan.teams) - {r.plan.command.team}
    assert r.metrics["level"] is None and r.metrics["plan_activated_min"] is not None


def test_a_plan_with_one_level_runs():
    def edit(p):
        only_levels(p, p["levels"][:1])
    r, _ = kinds(inputs_with("large-sit-in", plan_edit=edit))
    assert r.metrics["level"] == r.plan.levels[0].id


def test_a_commitment_beyond_the_units_authority_waits_for_the_commander():
    def edit(p):
        p["responsible_unit"]["authority"] = 0.1
        p["roles"]["bureau_director"]["arrive_min"] = 200   # the only role with enough authority
        p["roles"]["deputy_mayor"]["authority"] = 0.1
    plain, _ = kinds(inputs_with("small-group"))
    r, ev = kinds(inputs_with("small-group", plan_edit=edit))
    waited = [t for t, k, _ in ev if k == EventKind.AWAITING_AUTHORITY.value]
    if plain.metrics["agreement_min"] is not None and plain.metrics["agreement_min"] < 200:
        assert waited
        assert r.metrics["agreement_min"] is None or r.metrics["agreement_min"] >= 200


def test_a_question_goes_to_the_answering_department():
    def edit(p):
        p["teams"]["logistics"]["answers_min"] = [1, 2]
    _, ev = kinds(inputs_with("gate-blockade", plan_edit=edit))
    r = simulate(inputs_with("gate-blockade", plan_edit=edit), 1)
    waits = r.events[r.events["kind"] == EventKind.TALKS_WAITING.value]
    assert len(waits) and waits["detail"].str.contains("logistics").all()


# ----------------------------------------------------------------------- first response


def test_each_first_response_step_is_logged_in_order():
    r = simulate(load_drill("gate-blockade", "linxiang"), 2)
    steps = r.events[r.events["kind"] == EventKind.FIRST_RESPONSE.value]["subject"].tolist()
    assert steps == [s.value for s in r.plan.first_response]


def test_calling_110_sends_the_police_before_the_level_would():
    def edit(p):
        p["first_response"] = ["call_110"]
        p["levels"][0]["dispatch"] = ["dialogue"]
    r = simulate(inputs_with("small-group", plan_edit=edit), 1)
    orders = r.events[(r.events["kind"] == "dispatch_order") & (r.events["subject"] == "order")]
    assert len(orders) == 1


# ----------------------------------------------------------------------- warning


def _monitoring(p: dict[str, Any]) -> None:
    p["teams"]["monitor"] = {"name": {"zh": "网络舆情监测组", "en": "Online monitoring"},
                             "capabilities": ["monitoring"], "size": 2, "travel_min": 0,
                             "mobilisation_min": 0}
    p["warning"] = {"preposition": ["order"], "statement": True}
    p["publicity"]["release_policy"] = "reactive"


def _no_monitoring(p: dict[str, Any]) -> None:
    p["warning"] = {"preposition": ["order"], "statement": True}
    p["publicity"]["release_policy"] = "reactive"


def test_a_monitored_call_to_gather_is_learned_before_t0():
    r, ev = kinds(inputs_with("online-call", plan_edit=_monitoring))
    assert r.metrics["warning_known_min"] is not None and r.metrics["warning_known_min"] < 0
    assert r.metrics["level_declared_min"] < 0
    assert r.metrics["first_statement_min"] is not None
    unmonitored, _ = kinds(inputs_with("online-call", plan_edit=_no_monitoring))
    assert unmonitored.metrics["warning_known_min"] is None


@pytest.mark.slow
def test_monitoring_brings_the_statement_and_the_right_level_earlier():
    n = 30
    with_m = [simulate(inputs_with("online-call", plan_edit=_monitoring), s).metrics
              for s in range(n)]
    without = [simulate(inputs_with("online-call", plan_edit=_no_monitoring), s).metrics
               for s in range(n)]
    end = 300.0

    def at(m: dict[str, Any], key: str) -> float:
        return end if m[key] is None else m[key]
    assert_paired(np.array([at(m, "first_statement_min") for m in without]),
                  np.array([at(m, "first_statement_min") for m in with_m]), -1,
                  "first statement")
    assert_paired(np.array([m["level_times"].get("II", end) for m in without]),
                  np.array([m["level_times"].get("II", end) for m in with_m]), -1,
                  "level II declared")


# ----------------------------------------------------------------------- new capabilities


def _rescue(p: dict[str, Any]) -> None:
    p["teams"]["fire"] = {"name": {"zh": "消防救援大队", "en": "Fire and rescue"},
                          "capabilities": ["rescue"], "size": 8, "mobilisation_min": 1,
                          "travel_min": 8}


@pytest.mark.slow
def test_rescue_resolves_a_person_at_risk_more_often_and_sooner():
    n = 60
    base = [simulate(inputs_with("self-harm-at-height"), s).metrics for s in range(n)]
    fire = [simulate(inputs_with("self-harm-at-height", plan_edit=_rescue), s).metrics
            for s in range(n)]
    safe = ("talked_down", "rescued", "caught")
    assert_share_up(np.array([m["person_outcome"] in safe for m in base]),
                    np.array([m["person_outcome"] in safe for m in fire]), "person safe")
    end = 240.0
    assert_paired(np.array([end if m["person_safe_min"] is None else m["person_safe_min"]
                            for m in base]),
                  np.array([end if m["person_safe_min"] is None else m["person_safe_min"]
                            for m in fire]), -1, "time to safety")


def _rain(s: dict[str, Any]) -> None:
    s["weather"]["precipitation"] = "rain"


def _mean_present(r) -> float:
    return float(r.timeseries["crowd_present"].mean())


@pytest.mark.slow
def test_rain_shortens_the_stay_of_a_crowd():
    n = 30
    dry = [_mean_present(simulate(inputs_with("large-sit-in"), s)) for s in range(n)]
    wet = [_mean_present(simulate(inputs_with("large-sit-in", scenario_edit=_rain), s))
           for s in range(n)]
    assert_paired(np.array(dry), np.array(wet), -1, "people on site (rain)")


def _psych(p: dict[str, Any]) -> None:
    p["teams"]["psych"] = {"name": {"zh": "心理疏导组", "en": "Psychological support"},
                           "capabilities": ["psych_support"], "size": 4,
                           "mobilisation_min": 10, "travel_min": 10}
    for level in p["levels"]:
        level["dispatch"].append("psych")


@pytest.mark.slow
def test_psychological_support_lowers_agitation_among_the_elderly():
    n = 30
    base = [simulate(inputs_with("large-sit-in"), s).metrics for s in range(n)]
    psych = [simulate(inputs_with("large-sit-in", plan_edit=_psych), s).metrics for s in range(n)]
    assert_paired(np.array([m["elderly_agitation_end"] for m in base]),
                  np.array([m["elderly_agitation_end"] for m in psych]), -1, "elderly agitation")
    assert all(m["counselled"] > 0 for m in psych)


# ----------------------------------------------------------------------- the clock


@cache
def _onlookers(clock: str) -> float:
    def edit(s):
        s["start_clock"] = clock
    return float(np.mean([simulate(inputs_with("gate-blockade", scenario_edit=edit), seed)
                          .metrics["peak_onlookers"] for seed in range(8)]))


def test_night_thins_onlookers():
    assert _onlookers("21:00") < _onlookers("09:00")


@pytest.mark.parametrize("plan", PLANS)
def test_many_seeds_run_under_every_plan(plan):
    """Processes that wait for a computed time (reports, answers, arrivals) never get a
    negative delay, whatever the seed."""
    for scenario in ("large-sit-in", "gate-blockade", "online-call"):
        inputs = load_drill(scenario, plan)
        for seed in range(8):
            assert simulate_metrics(inputs, seed)["outcome"] in OUTCOMES
