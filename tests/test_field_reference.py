"""The field reference (docs/fields.md): generated from the schemas, never stale, complete."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim.core import config
from sim.core.config import Plan, Scenario
from sim.core.field_reference import (
    COMMAND,
    ROOTS,
    Row,
    main,
    reachable_models,
    reference,
    sections,
)
from sim.core.types import InjectKind

DOC = Path(__file__).resolve().parent.parent / "docs" / "fields.md"


def _models() -> list[type[BaseModel]]:
    """Every model a plan or a scenario may contain, and every model of sim.core.config."""
    found: list[type[BaseModel]] = []
    for _, root in ROOTS:
        found += [m for m in reachable_models(root) if m not in found]
    for _, obj in inspect.getmembers(config, inspect.isclass):
        if issubclass(obj, BaseModel) and obj.__module__ == config.__name__ \
                and obj not in found:
            found.append(obj)
    return found


def _rows(root: type[BaseModel]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for sec in sections(root):
        for r in sec.rows:
            out.setdefault(r.path, []).append(r)
    return out


def test_committed_reference_is_current() -> None:
    assert DOC.exists(), f"docs/fields.md is missing: run {COMMAND}"
    assert DOC.read_text(encoding="utf-8") == reference(), \
        f"docs/fields.md is out of date with sim/core/config.py: run {COMMAND}"


def test_main_writes_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "fields.md"
    assert main([str(out)]) == 0
    assert out.read_bytes() == reference().encode("utf-8")


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_field_is_described(model: type[BaseModel]) -> None:
    missing = [name for name, field in model.model_fields.items()
               if not (field.description or "").strip()]
    assert not missing, f"{model.__name__}: fields without a description: {missing}"


def test_models_reached() -> None:
    plan = reachable_models(Plan)
    scenario = reachable_models(Scenario)
    in_plan: list[type[BaseModel]] = [config.Team, config.Level, config.Role, config.Targets,
                                      config.Publicity, config.PlanWarning,
                                      config.Reinforcement, config.Text]
    in_scenario: list[type[BaseModel]] = [config.Crowd, config.Expected, config.WeatherInject,
                                          config.ScenarioWarning, config.HeadcountSpan,
                                          config.SimpleInject]
    assert all(m in plan for m in in_plan)
    assert all(m in scenario for m in in_scenario)


def test_every_field_is_in_the_reference() -> None:
    """Each field of each model shows up as the last part of some documented path."""
    text = reference()
    for model in _models():
        if model is config.FactorSpan:   # a range of the model parameters, not of a plan
            continue
        for name in model.model_fields:
            assert f".{name}` |" in text or f"| `{name}` |" in text, \
                f"{model.__name__}.{name} is not in the reference"


def test_paths_as_written_in_yaml() -> None:
    plan, scenario = _rows(Plan), _rows(Scenario)
    for path in ("teams.<team id>.travel_min", "teams.<team id>.on_site_within_min",
                 "teams.<team id>.reinforcement.delay_min", "levels[].dispatch",
                 "levels[].report_up", "roles.<role id>.arrive_min", "command.verify_min",
                 "targets.cleared_min", "publicity.reactive_threshold", "warning.preposition"):
        assert path in plan, path
    for path in ("injects[].expected.action", "injects[].at_min", "crowd.onlookers.max",
                 "warning.signals[].before_min", "end.max_min", "injects[].height_m"):
        assert path in scenario, path


def test_spot_checks() -> None:
    plan, scenario = _rows(Plan), _rows(Scenario)
    on_site = plan["teams.<team id>.on_site_within_min"][0]
    assert on_site.type == "number of minutes, or null"
    assert not on_site.required and on_site.default == "`none`"
    assert "≤ 10,000" in on_site.bounds
    familiarity = plan["teams.<team id>.familiarity"][0]
    assert familiarity.type == "share (0-1)" and familiarity.default == "`0.7`"
    assert plan["levels[].report_up"][0].type == "true or false"
    assert plan["levels[].dispatch"][0].type == "list of team ids"
    assert plan["teams.<team id>.size"][0].required
    assert plan["publicity.release_policy"][0].type == \
        "one of: `proactive`, `reactive`, `silent`"
    action = scenario["injects[].expected.action"][0]
    assert "`statement_issued`" in action.type and action.required
    assert scenario["crowd.hardship"][0].default == "`[0.3, 0.9]`"
    assert scenario["start_clock"][0].default == '`"09:00"`'


def test_a_section_per_inject_kind() -> None:
    text = reference()
    for kind in InjectKind:
        assert f"(kind `{kind.value}`)" in text, kind
    weather = text.split("(kind `weather`)", 1)[1].split("\n### ", 1)[0]
    assert "`injects[].temperature_c`" in weather and "`injects[].precipitation`" in weather
    assert "`injects[].count`" not in weather
    gate = text.split("(kind `block_gate`)", 1)[1].split("\n### ", 1)[0]
    assert "| `injects[].kind` | `block_gate` |" in gate


def test_header_says_generated() -> None:
    head = reference().split("\n## ", 1)[0]
    assert "Generated" in head and COMMAND in head
