"""Grades that honour the outcome: harm, an escalated or unresolved end and an unanswered
rumour cap the grade, whatever the mean of the task points."""

from __future__ import annotations

from reports.evaluation import cap_grade, evaluate, rules
from sim.core.types import Capability
from sim.engine import simulate
from sim.montecarlo.calibration import Arm, inputs_for

ORDER = [g["zh"] for g in rules()["grades"]]


def test_a_cap_lowers_a_grade_and_never_raises_one():
    assert cap_grade("优", "Excellent", ["escalated"])[:2] == ("差", "Poor")
    assert cap_grade("优", "Excellent", ["injuries"])[0] == "一般"
    assert cap_grade("差", "Poor", ["rumour_unanswered"]) == ("差", "Poor", [])
    assert cap_grade("优", "Excellent", []) == ("优", "Excellent", [])


def test_force_and_injuries_cap_the_drill_at_fair_and_the_report_says_why(tmp_path):
    r = simulate(inputs_for(Arm(scenario="gate-blockade", plan="linxiang",
                                sets=["teams.order.posture=forceful"])), 1)
    assert r.metrics["injuries"] > 0 and r.metrics["force_used"] > 0
    e = evaluate(r)
    assert ORDER.index(e.grade_zh) >= ORDER.index("一般")
    assert {"injuries", "force"} & set(e.caps) or e.score < 75


def test_an_unresolved_drill_is_never_graded_good():
    inputs = inputs_for(Arm(scenario="gate-blockade", plan="linxiang",
                            sets=["teams.dialogue.capabilities=[persuasion]"]))
    for seed in range(4):
        r = simulate(inputs, seed)
        assert r.metrics["agreement_min"] is None
        assert ORDER.index(evaluate(r).grade_zh) >= ORDER.index("一般"), seed


# ----------------------------------------------------------------------- plan gap and windows

BAD_GRADES = ("优", "良")


def test_a_silent_plan_with_a_spreading_rumour_has_a_plan_gap_not_na():
    from sim.core.loading import load_drill

    r = simulate(load_drill("gate-blockade", None, []), 1)
    assert r.plan.publicity.release_policy.value == "silent"
    assert r.metrics["rumor_peak_reach"] >= rules()["gaps"]["rumour_reach"]
    e = evaluate(r)
    task = next(t for t in e.tasks if t.key == "statement")
    assert task.rating == "U" and task.reason == "plan_gap"
    assert task.detail["basis"] == "need" and task.detail["plan_gap"]
    assert e.finding("public_opinion").facts["plan_gap"]
    assert e.grade_zh not in BAD_GRADES and "rumour_unanswered" in e.caps


def test_the_caps_hold_over_seeds_and_scenarios():
    from sim.core.loading import load_drill

    for scenario in ("gate-blockade", "large-sit-in"):
        inputs = load_drill(scenario, None, [])
        for seed in range(6):
            r = simulate(inputs, seed)
            m, e = r.metrics, evaluate(r)
            bad = (m["outcome"] == "escalated" or m["injuries"] > 0
                   or (m["agreement_min"] is None and not m["resolving_at_end"])
                   or (m["rumor_peak_reach"] >= rules()["gaps"]["rumour_reach"]
                       and m["first_statement_min"] is None))
            if bad:
                assert e.grade_zh not in BAD_GRADES, (scenario, seed, e.score, e.caps)


def test_a_patient_never_reached_caps_the_grade_even_when_others_were_reached():
    from reports.evaluation import _caps_met, critical_tasks

    r = simulate(inputs_for(Arm(scenario="online-call", plan="leading-group")), 1)
    tasks = critical_tasks(r)
    medical = next(t for t in tasks if t.key == "medical")
    if medical.detail["unattended"]:
        assert "unattended" in _caps_met(r, tasks)
        assert ORDER.index(evaluate(r).grade_zh) >= ORDER.index("一般")


def test_a_response_no_team_of_the_plan_can_give_is_an_equipment_gap_with_a_measure():
    from reports.evaluation import missing_capabilities

    r = simulate(inputs_for(Arm(scenario="self-harm-at-height", plan="enterprise")), 1)
    lacking = missing_capabilities(r)
    assert [c["capability"] for c in lacking] == ["rescue"] and lacking[0]["injects"] == ["SH-1"]
    e = evaluate(r)
    gap = e.finding("equipment")
    assert gap is not None and gap.facts["missing_capabilities"][0]["capability"] == "rescue"
    assert any(m.cause == "capability_missing" for m in gap.measures)
    assert set(lacking[0]["rows"]) <= set(gap.evidence)
    # given a team that can do it, the same drill has no such gap
    armed = simulate(inputs_for(Arm(scenario="self-harm-at-height", plan="enterprise", sets=[
        "teams.order.capabilities=[order, rescue]"])), 1)
    assert any(Capability.RESCUE in t.capabilities for t in armed.plan.teams.values())
    assert not any(c["capability"] == "rescue" for c in missing_capabilities(armed))
