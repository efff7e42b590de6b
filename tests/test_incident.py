"""The incident is credible: escalation needs an opponent and has causes, harm is bounded,
talks can fail, health follows one rate model, and the calibration machinery measures rows."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from agents.causes import SharedStress, explain
from agents.crowd import Crowd, HealthHazard, TickDrivers, apparent_temperature_f
from sim.core.loading import load_drill, load_parameters
from sim.core.types import Cause, EventKind
from sim.engine import simulate
from sim.montecarlo.calibration import Arm, Row, inputs_for, load_rows, measure

SCENARIOS = ("gate-blockade", "small-group", "large-sit-in")
PLANS = ("linxiang", "department-3level", "enterprise")


def _states_before_line(result) -> list[str]:
    """Crowd states logged before anyone who could face the crowd was on site."""
    ev = result.events
    line = result.scenario.site.security > 0
    order_teams = [t for t, team in result.plan.teams.items()
                   if any(c.value == "order" for c in team.capabilities)]
    arrivals = ev[(ev["kind"].isin(("team_on_site", "prepositioned")))
                  & ev["subject"].isin(order_teams)]
    first = 0.0 if line else (float(arrivals["t_min"].min()) if len(arrivals) else math.inf)
    states = ev[(ev["kind"] == "crowd_state") & (ev["t_min"] < first)]
    return list(states["subject"])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_scuffle_before_an_opposing_line(scenario):
    # no site security, and order teams sent late: whatever the crowd does before the
    # officers arrive, it cannot be a scuffle
    inputs = inputs_for(Arm(scenario=scenario, plan="linxiang",
                            sets=["teams.order.mobilisation_min=120"],
                            scenario_set={"site.security": 0}))
    for seed in range(15):
        r = simulate(inputs, seed)
        assert "scuffle" not in _states_before_line(r), seed
        scuffles = r.events[r.events["kind"] == EventKind.SCUFFLE_STARTED.value]
        officers_at = r.timeseries.set_index("t_min")["officers_on_site"]
        for t in scuffles["t_min"]:
            assert officers_at.loc[:t].iloc[-1] > 0, (seed, t)


def test_a_crowd_with_nobody_to_push_against_never_scuffles_however_agitated():
    inputs = inputs_for(Arm(scenario="gate-blockade", plan="linxiang",
                            sets=["teams.order.capabilities=[intel]", "teams.order.posture=null",
                                  "teams.order.reinforcement=null"],
                            scenario_set={"site.security": 0, "crowd.legitimacy": 0.2}))
    for seed in range(10):
        r = simulate(inputs, seed)
        assert r.metrics["scuffles"] == 0
        assert r.metrics["max_crowd_state"] in ("vocal", "blocking")


@pytest.mark.parametrize("scenario,plan", list(itertools.product(SCENARIOS, PLANS)))
def test_every_state_change_names_its_causes_and_harm_is_bounded(scenario, plan):
    inputs = load_drill(scenario, plan)
    known = {c.value for c in Cause}
    injuries, presentations = [], []
    for seed in range(6):
        r = simulate(inputs, seed)
        changes = r.events[r.events["kind"] == "crowd_state"]
        for row in changes.itertuples():
            causes = [c for c in str(row.causes).split(";") if c]
            assert causes, f"{scenario}/{plan} seed {seed} T+{row.t_min}: no causes"
            assert set(causes) <= known, causes
            assert "causes:" in row.detail
        for row in r.events[r.events["kind"] == "scuffle_started"].itertuples():
            assert "opposing_line" in row.causes or "force" in row.causes
        injuries.append(r.metrics["injuries"])
        presentations.append(r.metrics["health_presentations"])
    # bounded harm: within the calibration table's ranges on average (plus slack for few runs)
    assert np.mean(injuries) <= 3.0, (scenario, plan, injuries)
    assert np.mean(presentations) <= 6.0, (scenario, plan, presentations)


def test_talks_can_fail_and_are_retried():
    inputs = inputs_for(Arm(scenario="gate-blockade", plan="linxiang",
                            scenario_set={"talks.demand": 1.0}))
    failed = retried = 0
    for seed in range(10):
        ev = simulate(inputs, seed).events
        rounds = ev[(ev["kind"] == "task_start") & (ev["subject"] == "talks")]
        fails = ev[ev["kind"] == "talks_failed"]
        failed += len(fails)
        retried += int(len(rounds) > 1)
    assert failed > 0 and retried > 0


def test_a_hard_demand_makes_agreement_rarer():
    def share(demand: float) -> float:
        inputs = inputs_for(Arm(scenario="small-group", plan="linxiang",
                                scenario_set={"talks.demand": demand}))
        rows = [simulate(inputs, s).metrics for s in range(20)]
        return float(np.mean([m["agreement_min"] is not None and m["agreement_min"] <= 150
                              for m in rows]))

    assert share(0.9) < share(0.1)


def test_outcome_says_when_the_time_limit_cut_a_resolving_run():
    inputs = inputs_for(Arm(scenario="small-group", plan="linxiang",
                            scenario_set={"end.max_min": 125.0}))
    rows = [simulate(inputs, s).metrics for s in range(10)]
    assert all(m["end_reason"] in ("time_limit", "cleared") for m in rows)
    cut = [m for m in rows if m["end_reason"] == "time_limit"]
    assert cut, "a 125-minute limit should cut some runs"
    assert all(m["outcome"] != "resolved" for m in cut)
    assert any(m["resolving_at_end"] for m in cut)
    assert not any(m["resolving_at_end"] for m in cut if m["agreement_min"] is None)


# ----------------------------------------------------------------------- components


def _crowd(n: int = 100, legitimacy: float = 0.8) -> Crowd:
    cfg = load_drill("small-group").scenario.crowd
    data = cfg.model_dump() | {"initial": [n, n], "mobilised": [n, n], "legitimacy": legitimacy}
    cfg = type(cfg).model_validate(data)
    return Crowd(cfg, load_parameters().crowd, np.random.default_rng(1))


def test_crowd_conserves_people_and_officers_deter_acting_not_shouting():
    crowd = _crowd(200, legitimacy=0.2)
    rng = np.random.default_rng(2)
    free = TickDrivers(legitimacy=0.2, shared={Cause.WAITING: 0.2})
    for t in range(20):
        out = crowd.step(float(t), 1.0, free, rng)
        assert out.present + out.left + out.in_care + out.onlookers <= crowd.size
    acting_free = crowd.n_active
    agitated_free = crowd.agitated_share
    policed = TickDrivers(legitimacy=0.2, shared={Cause.WAITING: 0.2}, deterrence=80.0)
    for t in range(20, 40):
        crowd.step(float(t), 1.0, policed, rng)
    assert crowd.n_active < acting_free
    assert crowd.agitated_share > 0.5 * agitated_free


def test_provocation_fades_with_its_half_life():
    crowd = _crowd(50)
    crowd.step(0.0, 1.0, TickDrivers(legitimacy=0.8), np.random.default_rng(0))
    crowd.shock(1.0, 0.4, np.random.default_rng(0))
    before = crowd.mean_of(crowd.provoked)
    half = load_parameters().crowd.provocation_half_life_min
    for t in range(1, int(half) + 1):
        crowd.step(float(t), 1.0, TickDrivers(legitimacy=0.8), np.random.default_rng(t))
    assert crowd.mean_of(crowd.provoked) == pytest.approx(before / 2, rel=0.1)


def test_waiting_grows_unheard_and_fades_when_listened_to():
    s = SharedStress(load_parameters().crowd)
    for _ in range(60):
        s.step(1.0, listened=False)
    grown = s.waiting
    assert grown > 0
    for _ in range(30):
        s.step(1.0, listened=True)
    assert s.waiting < grown


def test_explain_names_what_moved():
    before = {Cause.WAITING: 0.05, Cause.RUMOUR: 0.0}
    now = {Cause.WAITING: 0.15, Cause.RUMOUR: 0.01}
    assert explain(before, now, True, [])[0] is Cause.WAITING
    assert explain(now, before, False, [Cause.WATER])[:2] == [Cause.WATER, Cause.LISTENED]


def test_health_rate_neutral_case_is_the_published_baseline_and_heat_is_continuous():
    p = load_parameters().health
    h = HealthHazard(p)
    per_1000 = h.shared_rate(p.heat_reference_f, True) * 1000 * p.reference_hours * 60
    assert per_1000 == pytest.approx(p.ppr_per_1000)
    rates = [h.shared_rate(apparent_temperature_f(c, 60), True) for c in np.arange(20, 40, 0.5)]
    assert all(b >= a for a, b in itertools.pairwise(rates))
    jumps = np.diff(rates) / np.array(rates[:-1])
    assert jumps.max() < 0.2   # no step: half a degree never moves the rate by a fifth
    assert h.shared_rate(p.heat_reference_f, False) / h.shared_rate(p.heat_reference_f, True) \
        == pytest.approx(p.no_water_ratio)


def test_apparent_temperature_never_uses_the_heat_index_outside_its_range():
    assert apparent_temperature_f(20, 90) == pytest.approx(68.0)
    assert apparent_temperature_f(35, 60) > 95.0


# ----------------------------------------------------------------------- calibration


def test_calibration_table_rows_are_well_formed():
    rows = load_rows()
    assert len(rows) >= 15
    assert len({r.id for r in rows}) == len(rows)
    for r in rows:
        assert r.source and r.what.zh and r.what.en
        if r.statistic != "anchor":
            assert r.arms, r.id
            for arm in r.arms:
                inputs_for(arm)   # every arm loads


@pytest.mark.parametrize("row_id", ["maki-thompson", "granovetter", "presentation-rate",
                                    "heat-ratio"])
def test_published_anchors_are_met(row_id):
    row = next(r for r in load_rows() if r.id == row_id)
    m = measure(row)
    assert m.met, (row_id, m.value, row.target)


def test_a_reduced_calibration_run_measures_rows_with_intervals():
    rows = {r.id: r for r in load_rows()}
    m = measure(rows["forceful-doubles-scuffles"], reps=12)
    assert m.arms[1] > m.arms[0]
    m = measure(rows["small-group-agreement"], reps=12)
    assert 0 <= m.low <= m.value <= m.high <= 1
    assert m.value >= 0.6


@pytest.mark.slow
def test_full_calibration_table_is_met():
    failed = []
    for row in load_rows():
        m = measure(row, jobs=2)
        if not m.met:
            failed.append((row.id, m.value, row.target.text()))
    assert not failed, failed


def test_a_share_row_with_conditions_on_text_metrics():
    row = Row.model_validate({
        "id": "x", "what": "x", "source": "x", "statistic": "share",
        "when": ["outcome", "!=", "escalated"], "arms": [{"scenario": "small-group",
                                                          "plan": "linxiang"}],
        "target": {"min": 0.5}})
    m = measure(row, reps=4)
    assert m.n == 4 and m.value == pytest.approx(1.0)
    assert isinstance(pd.Series(m.arms).sum(), float)


# ----------------------------------------------------------------------- vocabulary


def test_every_event_kind_has_a_template_a_phase_and_both_languages():
    from reports.content import NOT_IN_PHASES, PHASES
    from reports.i18n import CAUSE_WORDS, EVENTS

    phased = [k for kinds in PHASES.values() for k in kinds]
    assert len(phased) == len(set(phased)), "a kind is in two phases"
    for kind in EventKind:
        assert (kind.value in phased) != (kind.value in NOT_IN_PHASES), kind
        if kind.value in phased:
            assert {"zh", "en"} <= set(EVENTS[kind.value]), kind
    assert set(EVENTS) <= {k.value for k in EventKind}, set(EVENTS) - {k.value for k in EventKind}
    for cause in Cause:
        assert {"zh", "en"} <= set(CAUSE_WORDS[cause.value]), cause


def test_the_recorder_refuses_an_untyped_kind():
    from sim.core.recorder import Recorder

    with pytest.raises(TypeError):
        Recorder(2).log(0.0, "crowd", "crowd_state", "text")  # type: ignore[arg-type]


def test_every_parameter_is_read_by_the_model():
    """A constant in parameters.yaml that no code reads would mislead a user who changes it."""
    import pathlib
    import re

    import yaml

    root = pathlib.Path(__file__).resolve().parents[1]
    data = yaml.safe_load((root / "sim" / "data" / "parameters.yaml").read_text())
    code = "\n".join(p.read_text() for d in ("agents", "sim", "reports")
                     for p in (root / d).rglob("*.py"))
    unread = []
    for section, values in data.items():
        if section == "uncertain":
            continue
        names = [section] if not isinstance(values, dict) else list(values)
        unread += [f"{section}.{n}" for n in names if not re.search(rf"\.{n}\b", code)]
    assert not unread, unread


def test_every_expected_action_is_an_event_kind():
    from sim.core.types import Action

    assert {a.value for a in Action} <= {k.value for k in EventKind}
