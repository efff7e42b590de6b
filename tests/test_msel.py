"""The injects list: triggers fire when they should, contingencies only on a miss, bad inject
definitions are clear errors, and conditions are parsed, never evaluated as code."""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.errors import InputError
from sim.core.loading import DRILLS_DIR, load_drill, validate_file
from sim.core.triggers import ConditionError, Watch, parse
from sim.engine import simulate
from tests.conftest import call_cli


def scenario_file(tmp_path: Path, injects: list[dict], base: str = "gate-blockade",
                  name: str = "msel") -> Path:
    data = yaml.safe_load((DRILLS_DIR / f"{base}.yaml").read_text(encoding="utf-8"))
    data["name"] = name
    data["injects"] = injects
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


# ----------------------------------------------------------------------------- the grammar


def test_for_condition_fires_only_after_it_has_held_that_long():
    watch = Watch(parse('crowd_state == "blocking" for 10 min'))
    fired = [t for t in range(40) if watch.update(t, {"crowd_state": "blocking" if 5 <= t <= 30
                                                      else "calm"})]
    assert fired[0] == 15
    interrupted = Watch(parse('crowd_state == "blocking" for 10 min'))
    pattern = {t: "blocking" for t in list(range(0, 8)) + list(range(9, 40))}
    first = next(t for t in range(40) if interrupted.update(t, {"crowd_state": pattern.get(t, "calm")}))
    assert first == 19  # the run restarted at 9


def test_condition_semantics():
    assert parse("crowd_present >= 100").holds({"crowd_present": 100})
    assert not parse("crowd_present >= 100").holds({"crowd_present": 99})
    assert parse('crowd_state >= "blocking"').holds({"crowd_state": "scuffle"})
    assert not parse('crowd_state >= "blocking"').holds({"crowd_state": "vocal"})
    c = parse("rumor_reach > 0.1 and not statement_out")
    assert c.holds({"rumor_reach": 0.2, "statement_out": False})
    assert not c.holds({"rumor_reach": 0.2, "statement_out": True})
    assert parse('level == "II" or (crowd_present > 50)').holds({"level": "", "crowd_present": 60})


@pytest.mark.parametrize("text", [
    '__import__("os").system("touch pwned")',
    "open('x').read()",
    "crowd_present >= 1; import os",
    "lambda: 1",
    "crowd_present >= ",
    "nosuch > 3",
    "crowd_present >= 3 for ten min",
    "(" * 50 + "crowd_present > 1" + ")" * 50,
    "",
    # conditions that parse but could never mean what they say
    'crowd_state >= "bloking"',          # a typo: would rank below calm and always hold
    'crowd_state == "Blocking"',
    'level >= "III"',                    # levels are named, not ranked
    'crowd_present >= "lots"',           # a number against text
    "crowd_state == 2",
    "t_min > 5 for 99999999999 min",     # longer than any drill: it could never fire
    "t_min > 5 for 1441 min",
    "crowd_present > " + "9" * 65,       # a number longer than any file may hold
])
def test_bad_conditions_are_rejected(text):
    with pytest.raises(ConditionError):
        parse(text)


def test_a_hold_of_a_whole_day_is_the_longest():
    assert parse("t_min > 5 for 1440 min").hold_min == 1440.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_either_parses_or_raises_condition_error(text):
    with contextlib.suppress(ConditionError):
        parse(text)


def test_a_code_condition_in_a_scenario_is_invalid_and_runs_nothing(tmp_path):
    cwd = tmp_path / "work"
    cwd.mkdir()
    path = scenario_file(tmp_path, [{"id": "X", "when": '__import__("os").system("touch pwned")',
                                     "kind": "agitation", "share": 0.1, "delta": 0.1}])
    for cmd in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
        res = call_cli(*cmd, cwd=cwd)
        assert res.returncode == 2, res.stderr
        assert f"{path}:{line_of(path, '__import__')}: injects.0.when: invalid condition" in res.stderr
        assert "Traceback" not in res.stderr
    assert not (cwd / "pwned").exists() and not Path("pwned").exists()
    assert not os.path.exists(Path(__file__).parent.parent / "pwned")


# ----------------------------------------------------------------------------- in a run


def test_trigger_fires_at_the_first_tick_the_condition_holds(tmp_path):
    path = scenario_file(tmp_path, [
        {"id": "T1", "when": "crowd_present >= 50", "kind": "message", "team": "command",
         "message": "fifty"},
        {"id": "T2", "when": "crowd_present >= 50 for 10 min", "kind": "message",
         "team": "command", "message": "fifty for ten"},
    ])
    for seed in (1, 2, 3):
        r = simulate(load_drill(str(path)), seed)
        ts = r.timeseries
        first = float(ts.loc[ts["crowd_present"] >= 50, "t_min"].iloc[0])
        fired = dict(zip(r.injects["inject"], r.injects["fired_min"], strict=True))
        assert fired["T1"] == first
        held = ts[ts["t_min"] >= first]
        # it fires ten minutes on, provided the count stayed at 50 or more throughout
        if (held[held["t_min"] <= first + 10]["crowd_present"] >= 50).all():
            assert fired["T2"] == first + 10
        else:
            assert fired["T2"] is None or fired["T2"] > first + 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_contingency_fires_only_when_the_expected_action_is_missing(seed):
    silent = simulate(load_drill("gate-blockade"), seed).injects.set_index("inject")
    assert silent.loc["GB-3", "status"] == "missed"
    assert silent.loc["GB-4", "fired_min"] == silent.loc["GB-3", "deadline_min"]
    assert silent.loc["GB-4", "trigger"] == "contingency"
    proactive = simulate(load_drill("gate-blockade", None, ["publicity.release_policy=proactive"]),
                         seed).injects.set_index("inject")
    assert proactive.loc["GB-3", "status"] in ("met", "already_done")
    assert proactive.loc["GB-4", "fired_min"] is None
    assert proactive.loc["GB-4", "status"] == "not_fired"


def test_expected_actions_are_timed_from_their_inject():
    timed = 0
    for seed in (1, 2, 3):
        r = simulate(load_drill("gate-blockade"), seed)
        ev = r.events
        for row in r.injects.itertuples():
            if row.status in ("met", "late"):
                # a level declared for the first time answers "level raised" too
                kinds = {row.expected_action} | (
                    {"level_declared"} if row.expected_action == "level_raised" else set())
                hit = ev[ev["kind"].isin(kinds) & (ev["t_min"] == row.action_min)]
                assert not hit.empty
                assert row.response_min == pytest.approx(row.action_min - row.fired_min)
                timed += 1
    assert timed >= 1, "no expected action was met or late in three runs: nothing was checked"


def test_every_bundled_scenario_uses_triggers_expected_actions_and_a_contingency():
    for name in ("gate-blockade", "small-group", "large-sit-in"):
        injects = load_drill(name).scenario.injects
        assert any(i.when for i in injects), name
        assert any(i.contingency_for for i in injects), name
        assert sum(1 for i in injects if i.expected) >= 2, name


# ----------------------------------------------------------------------------- bad definitions


def _problems(path: Path):
    return validate_file(str(path))


def test_unknown_team_in_an_inject(tmp_path):
    path = scenario_file(tmp_path, [{"id": "A", "at_min": 5, "kind": "message",
                                     "team": "negotiators", "message": "hi"}])
    probs = _problems(path)
    assert any(p.field == "injects.0.team" and p.line == line_of(path, "negotiators")
               for p in probs), probs


def test_unknown_team_in_an_expected_action(tmp_path):
    path = scenario_file(tmp_path, [{"id": "A", "at_min": 5, "kind": "agitation",
                                     "share": 0.1, "delta": 0.1, "expected": {"action": "cordon_set", "team": "swat",
                                                  "within_min": 10}}])
    probs = _problems(path)
    assert any(p.field == "injects.0.expected.team" and p.line == line_of(path, "swat")
               for p in probs), probs


def test_condition_on_an_unknown_variable(tmp_path):
    path = scenario_file(tmp_path, [{"id": "A", "when": "crowd_size > 3", "kind": "agitation", "share": 0.1, "delta": 0.1}])
    probs = _problems(path)
    assert any(p.field == "injects.0.when" and p.line == line_of(path, "crowd_size")
               and "unknown variable 'crowd_size'" in p.message for p in probs), probs


def test_contingency_for_an_unknown_inject(tmp_path):
    path = scenario_file(tmp_path, [{"id": "A", "contingency_for": "ZZ", "kind": "agitation", "share": 0.1, "delta": 0.1}])
    probs = _problems(path)
    assert any(p.field == "injects.0.contingency_for" and p.line == line_of(path, "ZZ")
               for p in probs), probs


def test_a_cycle_of_contingencies(tmp_path):
    exp = {"action": "cordon_set", "within_min": 5}
    path = scenario_file(tmp_path, [
        {"id": "A", "contingency_for": "B", "kind": "agitation", "share": 0.1, "delta": 0.1, "expected": exp},
        {"id": "B", "contingency_for": "A", "kind": "agitation", "share": 0.1, "delta": 0.1, "expected": exp},
    ])
    probs = _problems(path)
    assert any("cycle" in p.message and p.field.endswith("contingency_for") and p.line
               for p in probs), probs
    assert any(p.message.endswith("'A' -> 'B' -> 'A'") for p in probs), probs
    with pytest.raises(InputError):
        load_drill(str(path))


def test_an_inject_needs_exactly_one_trigger(tmp_path):
    path = scenario_file(tmp_path, [
        {"id": "A", "at_min": 5, "when": "crowd_present > 1", "kind": "agitation", "share": 0.1, "delta": 0.1},
        {"id": "B", "kind": "agitation", "share": 0.1, "delta": 0.1},
    ])
    probs = _problems(path)
    fields = {p.field for p in probs}
    assert {"injects.0", "injects.1"} <= fields, probs
    res = call_cli("validate", str(path))
    assert res.returncode == 2 and "exactly one of at_min, when or contingency_for" in res.stderr


def test_a_level_condition_naming_a_level_the_plan_lacks_is_refused_with_its_line(tmp_path):
    # inside one plan a level that names another level the plan does not have is a mistake
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: p\nextends: linxiang\nlevels:\n  - id: IV\n    name: {zh: 四级, en: four}\n"
                    "    min_headcount: 20\n    dispatch: [order]\n  - id: III\n"
                    "    name: {zh: 三级, en: three}\n    when: 'level == \"V\"'\n"
                    "    dispatch: [order]\n", encoding="utf-8")
    res = call_cli("validate", str(plan))
    assert res.returncode == 2, res.stderr
    assert f"{plan}:{line_of(plan, 'level ==')}: levels.1.when:" in res.stderr
    assert "'V' is not a level of plan" in res.stderr
    # a scenario's inject may name levels of other plans too (it runs under any plan), as
    # long as it names one of its own plan's
    ok = scenario_file(tmp_path, [{"id": "X", "when": 'level == "V" or level == "II"',
                                   "kind": "agitation", "share": 0.1, "delta": 0.1}], name="ok")
    assert call_cli("validate", str(ok)).returncode == 0


def test_an_equipment_failure_of_an_item_a_named_team_does_not_carry_is_refused(tmp_path):
    path = scenario_file(tmp_path, [{"id": "E", "at_min": 5, "kind": "equipment_failure",
                                     "item": "ambulance", "team": "dialogue"}], name="by-team")
    res = call_cli("validate", str(path))
    assert res.returncode == 2, res.stderr
    assert "injects.0.item:" in res.stderr and "ambulance" in res.stderr
    # addressed by capability, the inject is meant to run under any plan: accepted
    by_cap = scenario_file(tmp_path, [{"id": "E", "at_min": 5, "kind": "equipment_failure",
                                       "item": "ambulance", "capability": "dialogue"}],
                           name="by-cap")
    assert call_cli("validate", str(by_cap)).returncode == 0


def test_an_unknown_inject_kind_is_named_with_the_kinds_a_file_may_write(tmp_path):
    path = scenario_file(tmp_path, [{"id": "X", "at_min": 5, "kind": "meteor"}])
    res = call_cli("validate", str(path))
    assert res.returncode == 2, res.stderr
    assert f"{path}:{line_of(path, 'meteor')}: injects.0.kind: unknown kind 'meteor'" in res.stderr
    assert "arrivals, agitation" in res.stderr and "InjectKind" not in res.stderr
    for odd in (["message"], {"a": 1}):   # a kind that is not even text
        bad = scenario_file(tmp_path, [{"id": "X", "at_min": 5, "kind": odd}], name="odd")
        res = call_cli("validate", str(bad))
        assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr


def test_an_inject_no_team_can_receive_is_told_as_such_not_as_a_facilitator_skip(tmp_path):
    from reports.content import describe

    data = yaml.safe_load((DRILLS_DIR / "gate-blockade.yaml").read_text(encoding="utf-8"))
    data["injects"].append({"id": "NT", "at_min": 20, "kind": "message",
                            "capability": "psych_support",
                            "message": {"zh": "心理疏导", "en": "counsel"}})
    path = tmp_path / "nt.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = simulate(load_drill(str(path)), 1)
    rows = r.events[r.events["subject"] == "NT"]
    assert "inject_no_team" in set(rows["kind"]) and "inject_skipped" not in set(rows["kind"])
    row = next(rows[rows["kind"] == "inject_no_team"].itertuples())
    assert "facilitator" not in describe(r, row, "en") and "no team" in describe(r, row, "en")


def test_an_expected_level_raise_is_judged_against_the_band_the_crowd_called_for():
    """department-3level: III from 20 people, II from 50, I from 200. An inject at 100 people
    expects the level raised (to II); a raise to I much later answers another situation."""
    from sim.core.config import Expected
    from sim.core.loading import load_plan
    from sim.core.msel import answer
    from sim.core.types import Capability, Event

    plan = load_plan("department-3level").plan
    exp = Expected(action="level_raised", capability="command", within_min=20)
    cmd = plan.teams_with(Capability.COMMAND)[0]

    class At:
        """The crowd and the level in force when the inject fired."""

        def __init__(self, crowd: float, level: str):
            self.crowd, self.level = crowd, level

        def crowd_at(self, t):
            return self.crowd

        def level_at(self, t):
            return self.level

    def level(t, kind, lv):
        return Event(t, cmd, kind, "", lv, math.nan, "")

    events = [level(6.5, "level_declared", "III"), level(12.7, "level_raised", "II"),
              level(87.7, "level_raised", "I")]
    # II was in force when the inject fired at 100 people: already done, not a late raise to I
    assert answer(events, exp, plan, 32.0, At(102, "II")) == (events[1], None)
    # at 250 people the crowd called for I: the raise at 87.7 answers it (late)
    assert answer(events, exp, plan, 32.0, At(250, "II")) == (None, events[2])
    # without the record, any raise after the inject answers it, as for any other action
    assert answer(events, exp, plan, 32.0) == (None, events[2])
    # III in force at 100 people: the raise to II after the inject answers it
    later = [level(6.5, "level_declared", "III"), level(40.0, "level_raised", "II")]
    assert answer(later, exp, plan, 32.0, At(102, "III")) == (None, later[1])
    # a level declared on a warning before T0, high enough already: already done
    warned = [level(-30.0, "level_declared", "II")]
    assert answer(warned, exp, plan, 32.0, At(102, "II")) == (warned[0], None)
    # a lower count not yet verified leaves II in force: still already done
    unverified = [level(3.0, "level_declared", "II"), level(9.0, "level_lowered", "III")]
    assert answer(unverified, exp, plan, 32.0, At(102, "II")) == (unverified[0], None)
    # nothing reached II: neither
    low = [level(6.5, "level_declared", "III"), level(30.0, "level_confirmed", "III")]
    assert answer(low, exp, plan, 32.0, At(102, "III")) == (None, None)


def test_the_level_in_force_is_read_to_the_minute_of_its_change_not_of_the_tick():
    from sim.core.recorder import Recorder

    rec = Recorder(4)
    rec.level_changed(-30.0, "IV")          # declared on a warning before T0
    rec.tick_values((23.0,) + (0.0,) * (len(rec.columns) - 1), "calm", "IV")
    rec.level_changed(23.65, "III")         # raised between two ticks
    assert rec.level_at(-40.0) == "" and rec.level_at(0.0) == "IV"
    assert rec.level_at(23.8) == "III"      # the tick at 23 still says IV
    assert rec.level_at(23.65) == "III"


def test_the_scenarios_words_for_an_expected_action_show_in_the_report_and_the_live_panel(
        tmp_path):
    from reports.content import build
    from reports.render_md import render
    from reports.room_text import expected_text

    drill = (DRILLS_DIR / "gate-blockade.yaml").read_text(encoding="utf-8")
    old = "expected: {action: cordon_set, capability: order, within_min: 45}"
    assert old in drill
    drill = drill.replace(old, "expected: {action: cordon_set, capability: order, within_min: 45,"
                          " description: {zh: 封闭东门前路段, en: close the road by the east gate}}")
    (tmp_path / "drill.yaml").write_text(drill, encoding="utf-8")
    r = simulate(load_drill(str(tmp_path / "drill.yaml")), 1)
    assert "：封闭东门前路段" in render(build(r, "zh", charts=False))
    assert ": close the road by the east gate" in render(build(r, "en", charts=False))
    item = {"inject": "GB-1", "action": "cordon_set", "team": "order", "due_min": 45.0,
            "description": {"zh": "封闭东门前路段", "en": "close the road by the east gate"}}
    assert "“close the road by the east gate”" in expected_text(item, "en")


def test_an_equipment_failure_for_a_team_without_the_item_is_logged_as_acting_on_nothing():
    """A capability-addressed failure runs under any plan; under one whose team carries none
    of the item, the record says nothing could fail."""
    r = simulate(load_drill("gate-blockade", "linxiang[teams.dialogue.equipment={}]"), 1)
    ev = r.events
    gone = ev[ev["kind"] == "inject_no_item"]
    assert list(gone["actor"]) == ["dialogue"] and list(gone["subject"]) == ["loudspeaker"]
    assert not ((ev["kind"] == "equipment_failed") & (ev["detail"].str.contains("GB-2"))).any()


def test_a_condition_on_a_level_its_own_plan_lacks_is_refused_but_runs_under_another_plan(
        tmp_path):
    path = scenario_file(tmp_path, [{"id": "X-1", "when": 'level == "IX"', "kind": "rumour"}])
    problems = validate_file(str(path))
    assert [p.field for p in problems] == ["injects.0.when"], problems
    assert "'IX' is not a level of plan linxiang" in problems[0].message
    assert problems[0].line == line_of(path, "IX")
    with pytest.raises(InputError):
        load_drill(str(path))
    # under a plan whose levels are named otherwise the condition never holds; not an error
    r = simulate(load_drill(str(path), "department-4level"), 1)
    assert r.injects.set_index("inject").loc["X-1", "status"] == "not_fired"


def test_a_scenario_citing_no_clause_gets_no_clause_note_or_column(tmp_path):
    from reports.content import build
    from reports.render_md import render

    path = scenario_file(tmp_path, [{"id": "R-1", "at_min": 10, "kind": "rumour",
                                     "expected": {"action": "statement_issued",
                                                  "capability": "publicity", "within_min": 60}}])
    text = render(build(simulate(load_drill(str(path), "leading-group"), 1), "en", charts=False))
    assert "R-1" in text and "clauses cite" not in text and "Plan clause" not in text
    cited = scenario_file(tmp_path, [{"id": "R-1", "at_min": 10, "kind": "rumour",
                                      "clause": {"zh": "§5", "en": "§5"}}], name="cited")
    text = render(build(simulate(load_drill(str(cited), "leading-group"), 1), "en",
                        charts=False))
    assert "clauses cite the scenario's own plan" in text and "Plan clause" in text


def test_a_health_inject_asking_for_more_people_than_are_there_says_so(tmp_path):
    path = scenario_file(tmp_path, [{"id": "H-1", "at_min": 0, "kind": "health_incident",
                                     "count": 4000}], base="small-group")
    r = simulate(load_drill(str(path)), 1)
    fewer = r.events[r.events["kind"] == "inject_fewer"]
    assert list(fewer["subject"]) == ["H-1"]
    n = int(fewer["value"].iloc[0])
    assert 0 < n < 4000 and r.metrics["health_incidents"] >= n


def test_an_injects_message_to_the_trainees_shows_in_the_report():
    from reports.content import build
    from reports.render_md import render

    r = simulate(load_drill("small-group"), 1)
    text = render(build(r, "en", charts=False))
    assert "| SG-1: The group is calm" in text
    assert "| SG-1：群众情绪平稳" in render(build(r, "zh", charts=False))


def test_water_that_ran_out_before_the_inject_is_not_already_done():
    from sim.core.config import Expected
    from sim.core.msel import answer
    from sim.core.types import Event

    plan = load_drill("gate-blockade").plan
    exp = Expected.model_validate({"action": "water_provided", "within_min": 15})
    given_then_gone = [Event(30.0, "logistics", "water_provided", "water handed out", "water",
                             math.nan, ""),
                       Event(75.0, "logistics", "supply_exhausted", "water has run out", "water",
                             math.nan, "")]
    assert answer(given_then_gone, exp, plan, 90.0) == (None, None)
    # still flowing when the inject came: done already
    before, hit = answer(given_then_gone[:1], exp, plan, 90.0)
    assert before is given_then_gone[0] and hit is None
    # handed out again after it ran out: done already as well
    again = given_then_gone + [Event(80.0, "logistics", "water_provided", "again", "water",
                                     math.nan, "")]
    assert answer(sorted(again, key=lambda e: e.t_min), exp, plan, 90.0)[0] is not None
