"""Property tests: any plan and scenario within the schema's bounds runs to the end.

Hypothesis draws scenarios (crowd, site, weather, talks, injects), plans (team sizes,
familiarity, posture, release policy, delays) and overrides of the model's parameters, every
number anywhere in its schema bounds, and checks that the drill runs, that its metrics are
JSON (no NaN, no infinity) and that its evaluation can be made. The default suite draws a few
dozen small drills; the ``slow`` run draws hundreds over the full bounds (crowds up to the
largest a file may describe).

A test also checks that every number of the schemas has finite bounds on both sides, so a
new field cannot slip in unbounded.
"""

from __future__ import annotations

import json
import math
import typing
from pathlib import Path
from typing import Any

import annotated_types as at
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from reports.evaluation import evaluate, to_json
from sim.core import config
from sim.core.config import Plan, Scenario, Span
from sim.core.loading import (
    PLANS_DIR,
    DrillInputs,
    msel_problems,
    plan_problems,
    scenario_problems,
)
from sim.core.parameters import Parameters, default_parameter_data
from sim.core.yamlio import load_file
from sim.engine import simulate
from tests.conftest import ROOT

DRILLS = ROOT / "scenarios" / "drills"
NUMBERS = (int, float)


# --------------------------------------------------------------------------- bounds


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None, bool, bool]:
    low = high = None
    low_open = high_open = False
    for m in metadata:
        if isinstance(m, at.Ge):
            low = m.ge
        elif isinstance(m, at.Gt):
            low, low_open = m.gt, True
        elif isinstance(m, at.Le):
            high = m.le
        elif isinstance(m, at.Lt):
            high, high_open = m.lt, True
    return low, high, low_open, high_open  # type: ignore[return-value]


def _numeric_fields(model: type[BaseModel], seen: set[type] | None = None,
                    prefix: str = "") -> list[tuple[str, Any, list[Any]]]:
    """(dotted name, type, constraints) of every number in ``model``, recursively: fields,
    optional fields, the values of mappings and the items of lists."""
    seen = seen if seen is not None else set()
    if model in seen:
        return []
    seen.add(model)
    out = []
    for name, info in model.model_fields.items():
        for arg, meta in _leaves(info.annotation, list(info.metadata)):
            if arg in NUMBERS:
                out.append((prefix + name, arg, meta))
            elif isinstance(arg, type) and issubclass(arg, BaseModel):
                out += _numeric_fields(arg, seen, prefix + name + ".")
    return out


def _leaves(ann: Any, meta: list[Any]) -> list[tuple[Any, list[Any]]]:
    """The plain types inside ``ann`` with the constraints that apply to each."""
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(ann)
        more = []
        for m in extra:
            more += list(getattr(m, "metadata", [m]))
        return _leaves(base, meta + more)
    if origin is None:
        return [(ann, meta)]
    args = typing.get_args(ann)
    if origin is dict:
        return _leaves(args[1], [])
    if origin is list:
        return _leaves(args[0], [])
    out = []
    for arg in args:
        out += _leaves(arg, meta)
    return out


def _flatten(ann: Any) -> list[Any]:
    return [a for a, _ in _leaves(ann, [])]


@pytest.mark.parametrize("model", [Plan, Scenario, Parameters],
                         ids=["plan", "scenario", "parameters"])
def test_every_number_of_the_schemas_has_bounds(model):
    unbounded = []
    for name, _ann, metadata in _numeric_fields(model):
        if name.startswith("uncertain"):
            continue  # ranges, each checked against its parameter's own bounds
        low, high, _, _ = _bounds(metadata)
        if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
            unbounded.append(name)
    # the numbers of a plan's or scenario's dict values (equipment, staff, familiarity) and
    # of the inject kinds are annotated types checked by pydantic: tried below
    assert not unbounded, f"numbers without bounds: {unbounded}"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e309"])
def test_no_infinity_or_nan_anywhere(value, tmp_path):
    lines = (DRILLS / "small-group.yaml").read_text(encoding="utf-8").replace(
        "temperature_c: 20", f"temperature_c: {value}")
    path = tmp_path / "inf.yaml"
    path.write_text(lines, encoding="utf-8")
    from sim.core.loading import validate_file

    problems = validate_file(str(path))
    assert any(p.field == "weather.temperature_c" for p in problems), problems


# --------------------------------------------------------------------------- strategies


def _number(ann: type, metadata: list[Any], cap: float | None = None) -> st.SearchStrategy:
    low, high, low_open, high_open = _bounds(metadata)
    assert low is not None and high is not None
    if cap is not None:
        high = min(high, cap)
    if ann is int:
        lo = math.floor(low) + (1 if low_open and float(low).is_integer() else 0)
        hi = math.ceil(high) - (1 if high_open and float(high).is_integer() else 0)
        return st.integers(int(math.ceil(lo)), int(math.floor(hi)))
    return st.floats(low, high, exclude_min=low_open, exclude_max=high_open,
                     allow_nan=False, allow_infinity=False)


def _span(cls: type[Span], cap: float | None = None) -> st.SearchStrategy:
    f = cls.model_fields["low"]
    one = _number(float, list(f.metadata), cap)
    return st.tuples(one, one).map(lambda t: sorted(t))


def _parameter_paths() -> list[tuple[str, st.SearchStrategy]]:
    """Every overridable parameter with a strategy over its bounds."""
    out = []
    for section, info in Parameters.model_fields.items():
        ann = info.annotation
        if section == "uncertain":
            continue
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            for name, finfo in ann.model_fields.items():
                fann = _flatten(finfo.annotation)[0]
                if isinstance(fann, type) and issubclass(fann, Span):
                    out.append((f"{section}.{name}", _span(fann)))
                elif fann in NUMBERS:
                    out.append((f"{section}.{name}", _number(fann, list(finfo.metadata))))
        elif _flatten(ann)[0] in NUMBERS:
            out.append((section, _number(_flatten(ann)[0], list(info.metadata))))
    return out


PARAMETER_PATHS = _parameter_paths()


@st.composite
def parameters(draw) -> Parameters:
    data = default_parameter_data()
    data = json.loads(json.dumps(data))
    data["uncertain"] = {}
    chosen = draw(st.lists(st.sampled_from(PARAMETER_PATHS), max_size=10,
                           unique_by=lambda p: p[0]))
    for name, strategy in chosen:
        node = data
        *path, last = name.split(".")
        for part in path:
            node = node[part]
        node[last] = draw(strategy)
    try:
        return Parameters.model_validate(data)
    except ValidationError:
        assume(False)
        raise


KINDS = ["arrivals", "agitation", "block_gate", "health_incident", "equipment_failure",
         "rumour", "comms_outage", "weather", "message", "demand_leader", "broken_promise"]
ACTIONS = ["dialogue_started", "statement_issued", "level_raised", "agreement", "cordon_set"]


@st.composite
def injects(draw, end: float, teams: list[str], equipment: dict[str, list[str]],
            most_people: int) -> list[dict]:
    out: list[dict] = []
    for i in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(KINDS))
        item: dict[str, Any] = {"id": f"H-{i}", "kind": kind}
        trigger = draw(st.sampled_from(["at", "when", "contingency"] if out else ["at", "when"]))
        if trigger == "at":
            item["at_min"] = draw(st.floats(0, end))
        elif trigger == "when":
            item["when"] = draw(st.sampled_from([
                "crowd_present >= 10", "mean_agitation > 0.3 for 5 min", "cordon",
                'crowd_state >= "blocking"', "t_min > 30 and not dialogue", "rumor_reach > 0.1"]))
        else:
            target = next((o for o in out if o.get("expected")), None)
            assume(target is not None)
            item["contingency_for"] = target["id"]  # type: ignore[index]
        if draw(st.booleans()):
            item["expected"] = {"action": draw(st.sampled_from(ACTIONS)),
                                "within_min": draw(st.floats(0.5, 300))}
        if kind == "arrivals":
            item["count"] = draw(st.integers(0, max(0, most_people)))
            item["duration_min"] = draw(st.floats(0, 120))
        elif kind in ("agitation", "block_gate"):
            item["share"] = draw(st.floats(0, 1))
            item["delta"] = draw(st.floats(-1, 1))
        elif kind == "health_incident":
            item["count"] = draw(st.integers(1, 50))
        elif kind == "equipment_failure":
            options = [(t, e) for t, items in equipment.items() for e in items]
            assume(options)
            item["team"], item["item"] = draw(st.sampled_from(options))
        elif kind == "rumour":
            item["share"] = draw(st.one_of(st.none(), st.floats(0, 1)))
        elif kind == "comms_outage":
            item["duration_min"] = draw(st.floats(0, 240))
        elif kind == "weather":
            item["temperature_c"] = draw(st.floats(-40, 50))
        elif kind == "message":
            item["team"] = draw(st.sampled_from(teams))
            item["message"] = "x"
        out.append(item)
    return out


@st.composite
def drills(draw, most: int, longest: float) -> DrillInputs:
    """A bundled scenario and plan, varied anywhere within the bounds (crowds up to
    ``most`` people, drills up to ``longest`` minutes)."""
    sdata = json.loads(json.dumps(load_file(
        draw(st.sampled_from(sorted(DRILLS.glob("*.yaml"))))).data))
    plan_path: Path = draw(st.sampled_from(sorted(PLANS_DIR.glob("*.yaml"))))
    pdata = json.loads(json.dumps(load_file(plan_path).data))

    # the plan
    for team in pdata["teams"].values():
        if draw(st.booleans()):
            team["size"] = draw(st.integers(max(1, sum(team.get("staff", {}).values())),
                                            min(config.MAX_TEAM_SIZE, 200)))
        team["familiarity"] = draw(st.floats(0, 1))
        team["mobilisation_min"] = draw(st.floats(0, 120))
        team["travel_min"] = draw(st.floats(0, 120))
        if "posture" in team:
            team["posture"] = draw(st.sampled_from(["restrained", "forceful"]))
    pdata["publicity"]["release_policy"] = draw(
        st.sampled_from(["proactive", "reactive", "silent"]))
    pdata["publicity"]["reach"] = draw(st.floats(0.01, 1))
    pdata["command"]["reassess_every_min"] = draw(st.floats(1, 60))
    pdata["responsible_unit"]["leader_delay_min"] = draw(st.floats(0, 300))
    pdata["responsible_unit"]["top_leader_delay_min"] = draw(st.floats(0, 600))
    try:
        plan = Plan.model_validate(pdata)
    except ValidationError:
        assume(False)
        raise
    assume(not plan_problems(plan, None))

    # the scenario
    crowd = sdata["crowd"]
    hi = draw(st.integers(1, most))
    crowd["mobilised"] = sorted([draw(st.integers(1, hi)), hi])
    crowd["initial"] = sorted([draw(st.integers(0, crowd["mobilised"][0])),
                               draw(st.integers(0, crowd["mobilised"][0]))])
    crowd["arrival_window_min"] = draw(st.floats(0, 240))
    crowd["hardship"] = sorted([draw(st.floats(0, 1)), draw(st.floats(0, 1))])
    for key in ("legitimacy", "elderly_share", "hard_core_share"):
        crowd[key] = draw(st.floats(0, 1))
    crowd["demand_top_leader"] = draw(st.booleans())
    crowd["onlookers"] = {"max": draw(st.integers(0, min(config.MAX_ONLOOKERS, most))),
                          "rate_per_min": draw(st.floats(0, 100))}
    sdata["site"]["outdoor"] = draw(st.booleans())
    sdata["site"]["area_m2"] = draw(st.floats(10, 1_000_000))
    sdata["site"]["gate_width_m"] = draw(st.floats(0.5, 1000))
    sdata["site"]["security"] = draw(st.integers(0, 200))
    sdata["weather"] = {"temperature_c": draw(st.floats(-40, 50)),
                        "humidity_pct": draw(st.floats(0, 100)),
                        "precipitation": draw(st.sampled_from(["none", "rain", "heavy_rain"]))}
    sdata["start_clock"] = f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"
    sdata["talks"] = {"work_staff_min": draw(st.floats(1, 5000)),
                      "questions": draw(st.integers(0, 20)), "demand": draw(st.floats(0, 1))}
    sdata["familiarity"] = {}
    end = draw(st.floats(1, longest))
    sdata["end"] = {"max_min": end, "stop_when_cleared": draw(st.booleans())}
    teams = list(plan.teams)
    kit = {t: [e.value for e, n in plan.teams[t].equipment.items() if n] for t in teams}
    extra = draw(injects(end, teams, kit, most - hi))
    keep = [i for i in sdata["injects"] if i.get("team") in (None, *teams)
            and (i.get("expected") or {}).get("team") in (None, *teams)
            and (i["kind"] != "equipment_failure" or "team" not in i
                 or i.get("item") in kit.get(i["team"], []))
            and (i.get("at_min") is None or i["at_min"] <= end)]
    ids = {i["id"] for i in keep}
    keep = [i for i in keep if i.get("contingency_for") in (None, *ids)]
    sdata["injects"] = keep + extra
    sdata.pop("parameters", None)
    try:
        scenario = Scenario.model_validate(sdata)
    except ValidationError:
        assume(False)
        raise
    assume(not msel_problems(scenario, None))
    assume(not scenario_problems(scenario, plan, None))
    params = draw(parameters())
    return DrillInputs(scenario, plan, plan.name, params, DRILLS / "drawn.yaml", plan_path)


def _runs(inputs: DrillInputs, seed: int) -> None:
    r = simulate(inputs, seed)
    json.dumps(r.metrics, allow_nan=False)
    json.dumps(to_json(r, evaluate(r)), allow_nan=False)


SEEDS = st.integers(0, 2**40)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(inputs=drills(most=150, longest=180), seed=SEEDS)
def test_any_small_drill_within_the_bounds_runs(inputs, seed):
    _runs(inputs, seed)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(inputs=drills(most=config.MAX_PETITIONERS, longest=config.MAX_DRILL_MIN), seed=SEEDS)
def test_any_drill_within_the_bounds_runs(inputs, seed):
    _runs(inputs, seed)


# --------------------------------------------------------------------------- the NaN crash


@pytest.mark.parametrize("weight", [0.0, 5e-324, 0.1])
@pytest.mark.parametrize("elderly", [1.0, 0.8])
def test_falling_ill_never_draws_with_nan_weights(weight, elderly):
    """``ValueError: Probabilities contain NaN``: a health_incident inject among a crowd that
    is all elderly, with the elderly weighted 0, divided 0 by 0. The weight is now at least
    0.1 in the schema, and the draw falls back to even odds whatever the weights."""
    import numpy as np

    from agents.crowd import Crowd

    scenario = Scenario.model_validate({
        **json.loads(json.dumps(load_file(DRILLS / "small-group.yaml").data)),
        "injects": []})
    params = Parameters.model_validate(default_parameter_data())
    crowd = Crowd(scenario.crowd.model_copy(update={"elderly_share": elderly}), params.crowd,
                  np.random.default_rng(7))
    crowd.status[:] = 1  # everyone present
    chosen = crowd.fall_ill(30, np.random.default_rng(8), weight)
    assert len(chosen) == 30 and len(set(chosen.tolist())) == 30


def test_a_health_incident_in_an_elderly_crowd_runs():
    data = json.loads(json.dumps(load_file(DRILLS / "small-group.yaml").data))
    data["crowd"]["elderly_share"] = 1.0
    data["injects"] = [{"id": "ILL", "at_min": 30, "kind": "health_incident", "count": 40}]
    low = Parameters.model_fields["health"].annotation.model_fields["elderly_ratio"]
    least = _bounds(list(low.metadata))[0]
    data["parameters"] = {"health": {"elderly_ratio": least},
                          "uncertain": {"health.elderly_ratio": [least, 3.5]}}
    scenario = Scenario.model_validate(data)
    plan = Plan.model_validate(load_file(PLANS_DIR / "linxiang.yaml").data)
    from sim.core.loading import load_parameters

    inputs = DrillInputs(scenario, plan, "linxiang", load_parameters(scenario), DRILLS, PLANS_DIR)
    for seed in (1, 1000007):
        _runs(inputs, seed)
