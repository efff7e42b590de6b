"""Every field a plan can say has an effect: on the run, or (descriptive fields) on the report.

Each leaf field of each bundled plan is changed in turn (a number doubled or halved, a flag
flipped, an option switched, a list shortened, a text changed) and the drill is run again
with the same seed on a few scenarios. The field passes when the events or metrics of one
of them change, or, for a field listed in DESCRIPTIVE, when the report's text changes.
Fields whose effect needs a context (a proactive delay only matters under a proactive
policy) are changed inside that context (CONTEXT).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from reports.content import build
from reports.render_md import render
from sim.core.config import Plan
from sim.core.loading import bundled, load_drill, plan_problems
from sim.engine import simulate

MASS = str(Path(__file__).parent / "data" / "mass-gathering.yaml")
SCENARIOS = ("gate-blockade", MASS, "large-sit-in", "online-call", "self-harm-at-height",
             "small-group")
SEED = 3

DESCRIPTIVE = ("name", "title", "source", "clause", "color", "to", "levels.*.name",
               "teams.*.name", "roles.*.name", "responsible_unit.name", "max_headcount", "id")
"""Fields that describe rather than act: they must show in the report (``id`` is renamed
together with every reference to it)."""

REFERENCES = {"team": "teams", "first_report_by": "teams", "from_level": "levels",
              "declare_level": "levels", "commander": "roles", "dispatch": "teams",
              "preposition": "teams"}
"""Fields naming another part of the plan, and which part: they are changed to another."""

CONTEXT: dict[str, dict[str, Any]] = {
    "publicity.proactive_delay_min": {"publicity.release_policy": "proactive"},
    "publicity.reactive_threshold": {"publicity.release_policy": "reactive"},
    "publicity.drafting_min": {"publicity.release_policy": "reactive"},
    "publicity.credibility": {"publicity.release_policy": "proactive"},
    "publicity.reach": {"publicity.release_policy": "proactive"},
}
"""A field's effect shows only in a context: the settings to apply first."""


def leaves(model: BaseModel, prefix: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path, value) of every field the plan file sets, down to numbers, texts and lists."""
    out: list[tuple[tuple, Any]] = []
    for name in model.model_fields_set:
        value = getattr(model, name)
        path = (*prefix, name)
        if isinstance(value, BaseModel):
            out += leaves(value, path)
        elif isinstance(value, dict) and value and all(isinstance(v, BaseModel)
                                                        for v in value.values()):
            for key, item in value.items():
                out += leaves(item, (*path, key))
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            for i, item in enumerate(value):
                out += leaves(item, (*path, i))
        else:
            out.append((path, value))
    return out


def matches(path: tuple, pattern: str) -> bool:
    parts = pattern.split(".")
    names = [str(p) for p in path]
    if len(parts) == 1:
        return parts[0] in names
    return len(names) >= len(parts) and all(
        p == "*" or p == n for p, n in zip(parts, names[-len(parts):], strict=True))


def changed_values(value: Any, path: tuple = (), plan: Plan | None = None) -> list[Any]:
    """Other values to try for a field, the likeliest to be valid first."""
    kind = REFERENCES.get(str(path[-1])) if path else None
    if kind is not None and plan is not None:
        ids = list(plan.teams) if kind == "teams" else list(plan.roles) if kind == "roles" \
            else [lv.id for lv in plan.levels]
        if isinstance(value, list):
            return [value[:i] + value[i + 1:] for i in range(len(value))] + \
                [value + [t] for t in ids if t not in value]
        return [i for i in ids if i != value] + ([None] if kind == "roles" else [])
    if value is None:
        return [30, 0.5, True]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, (int, float)):
        if value == 0:
            return [1, 5, 30]
        return [value * 2, value / 2 if isinstance(value, float) else max(1, value // 2),
                value * 1.5 if isinstance(value, float) else int(value * 1.5), value + 1]
    if hasattr(value, "value") and hasattr(type(value), "__members__"):   # an Enum
        return [m for m in type(value) if m is not value]
    if isinstance(value, str):
        return [value + "（改）"]
    if isinstance(value, list):
        out = [value[:i] + value[i + 1:] for i in range(len(value))]
        if value and hasattr(type(value[0]), "__members__"):   # a list of Enum members
            out += [value + [m] for m in type(value[0]) if m not in value]
        return out
    if isinstance(value, dict):
        if not value:
            return []
        first = next(iter(value))
        return [{k: v for k, v in value.items() if k != first},
                {k: (v * 2 if isinstance(v, (int, float)) else v) for k, v in value.items()}]
    return []


def _renamed(data: Any, old: str, new: str) -> Any:
    """``data`` with every string equal to ``old`` (an id and its references) made ``new``."""
    if isinstance(data, dict):
        return {k: _renamed(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_renamed(v, old, new) for v in data]
    return new if data == old else data


def with_value(plan: Plan, path: tuple, value: Any) -> Plan | None:
    """The plan with ``path`` set to ``value``, validated; None when that is invalid."""
    data = plan.model_dump(mode="json")
    node = data
    for key in path[:-1]:
        node = node[key]
    old = node[path[-1]]
    node[path[-1]] = value.value if hasattr(value, "value") and not isinstance(value, str) \
        else value
    if path[-1] == "id":
        data = _renamed(data, old, value)
    try:
        new = Plan.model_validate(data)
    except ValidationError:
        return None
    return None if plan_problems(new, None) else new


def fingerprint(inputs, plan: Plan) -> tuple[str, str]:
    r = simulate(type(inputs)(inputs.scenario, plan, inputs.plan_label, inputs.params,
                              inputs.scenario_path, inputs.plan_path), SEED)
    events = r.events[["t_min", "actor", "kind", "subject"]].to_csv(index=False)
    return (events + str(sorted(r.metrics.items(), key=str)),
            render(build(r, "zh", charts=False)) + render(build(r, "en", charts=False)))


def effect_of(plan_name: str, path: tuple, value: Any) -> str | None:
    """How the field shows ('run' or 'report'; 'rejected' when no other value is valid), or
    None when it changes nothing."""
    descriptive = any(matches(path, d) for d in DESCRIPTIVE)
    context = dict(CONTEXT.get(".".join(str(p) for p in path), {}))
    if path[0] == "teams" and path[-1] in ("mobilisation_min", "travel_min"):
        context[f"teams.{path[1]}.prepositioned"] = False   # else the team never travels
    if path[0] == "roles" and path[-1] == "authority":
        context["responsible_unit.authority"] = 0.0       # else the unit's leader commits
    for scenario in SCENARIOS:
        inputs = load_drill(scenario, plan_name)
        plan = inputs.plan
        for ctx_path, ctx_value in context.items():
            plan = with_value(plan, tuple(ctx_path.split(".")), ctx_value) or plan
        base_run, base_report = fingerprint(inputs, plan)
        valid = 0
        for new in changed_values(value, path, plan):
            changed = with_value(plan, path, new)
            if changed is None:
                continue
            valid += 1
            run, report = fingerprint(inputs, changed)
            if run != base_run and not descriptive:
                return "run"
            if report != base_report:
                return "report"
        if not valid:
            return "rejected"
    return None


def fields_of(plan_name: str) -> list[tuple[tuple, Any]]:
    inputs = load_drill("gate-blockade", plan_name)
    return sorted(leaves(inputs.plan), key=lambda pv: [str(p) for p in pv[0]])


def check_plan(plan_name: str, under: tuple[str, ...] | None = None) -> list[str]:
    """Fields of the plan (those under ``under``, else all) that change nothing."""
    return [".".join(str(p) for p in path) for path, value in fields_of(plan_name)
            if (under is None or str(path[0]) in under)
            and effect_of(plan_name, path, value) is None]


def test_levels_roles_and_first_response_of_the_linxiang_plan_have_effects():
    assert check_plan("linxiang", ("levels", "roles", "first_response", "responsible_unit")) == []


@pytest.mark.slow
@pytest.mark.parametrize("plan_name", [p.stem for p in bundled("plans")])
def test_every_field_of_every_bundled_plan_has_an_effect(plan_name):
    assert check_plan(plan_name) == []
