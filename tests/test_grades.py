"""Grades that honour the outcome: harm, an escalated or unresolved end and an unanswered
rumour cap the grade, whatever the mean of the task points."""

from __future__ import annotations

from reports.evaluation import cap_grade, evaluate, rules
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
