"""How the evaluation times and rates tasks under plans unlike the bundled default: tiered
dispatch, reports from a higher level, plans without levels, warnings before T0, staff
splits."""

from __future__ import annotations

import pytest

from reports.evaluation import evaluate
from sim.core.loading import load_drill
from sim.engine import simulate


def _task(e, task_id):
    return next(t for t in e.tasks if t.id == task_id)


def _small_drill(folder, more: str):
    """A drill of a calm crowd of 10-20 under a plan with a command team (HQ) and ``more``
    (YAML lines after the command team: further teams, then other top-level fields)."""
    (folder / "plan.yaml").write_text(
        "name: small\ntitle: Small plan\nteams:\n  command:\n    name: HQ\n"
        "    capabilities: [command]\n    size: 2\n" + more
        + "publicity:\n  release_policy: silent\n  team: command\n"
        "responsible_unit:\n  name: Unit\n", encoding="utf-8")
    (folder / "scenario.yaml").write_text(
        "name: s\ntitle: S\nplan: plan.yaml\nsite:\n  name: Gate\n"
        "crowd:\n  initial: 10\n  mobilised: 20\n", encoding="utf-8")
    return simulate(load_drill(str(folder / "scenario.yaml")), 1)


def test_a_report_from_a_higher_level_is_due_after_that_level_is_declared():
    r = simulate(load_drill("large-sit-in", "department-3level"), 3)
    e = evaluate(r)
    rep = next(x for x in r.plan.reporting if x.from_level)
    times = r.metrics["level_times"]
    ids = [lv.id for lv in r.plan.levels]
    since = min(times[i] for i in ids[ids.index(rep.from_level):] if i in times)
    task = _task(e, f"report:{rep.id}")
    assert task.target_min == pytest.approx(since + rep.within_min, abs=0.02)
    assert task.detail["since_level"] == next(i for i in ids if times.get(i) == since)
    # the rating agrees with the drill's own verdict in the event log
    sent = r.events[(r.events.kind == "report_sent") & (r.events.subject == rep.id)]
    on_time = "on time" in sent["detail"].iloc[0]
    assert (task.rating == "P") == on_time or task.challenges


def test_a_team_kept_for_a_higher_level_is_timed_from_that_level():
    r = simulate(load_drill("gate-blockade"), 1)
    times = r.metrics["level_times"]
    later = [lv for lv in r.plan.levels[1:] if lv.id in times]
    assert later, "the drill should reach a second level"
    first_sent = set(r.plan.levels[0].dispatch)
    kept = [t for t in later[0].dispatch if t not in first_sent]
    assert kept
    teams = r.teams.set_index("team")
    within = r.plan.teams[kept[0]].on_site_within_min or r.plan.targets.team_on_site_min
    assert teams.loc[kept[0], "target_min"] == pytest.approx(times[later[0].id] + within, abs=0.01)
    for tid in first_sent:   # the first level's teams keep the clock from T0
        cfg = r.plan.teams[tid]
        assert teams.loc[tid, "target_min"] == (cfg.on_site_within_min
                                                or r.plan.targets.team_on_site_min)


def test_a_plan_without_levels_rates_the_tasks_it_activated():
    r = simulate(load_drill("gate-blockade", "generic"), 2)
    assert r.metrics["plan_activated_min"] is not None
    e = evaluate(r)
    level = _task(e, "level")
    assert (level.rating, level.reason) == ("NA", "no_levels")
    rated = [t for t in e.tasks if t.rating != "NA"]
    assert len(rated) >= len(e.tasks) - 2, [(t.id, t.rating) for t in e.tasks]
    # an inject expecting a level raised cannot apply: not counted as missed
    raise_level = r.injects[r.injects["expected_action"].isin(["level_raised", "level_declared"])]
    fired = raise_level[raise_level["fired_min"].notna()]
    assert not fired.empty and set(fired["status"]) == {"not_applicable"}
    assert not (r.events["kind"].eq("expected_missed")
                & r.events["subject"].isin(fired["inject"])).any()


def test_teams_sent_on_a_warning_keep_their_times_before_t0():
    r = simulate(load_drill("online-call", "leading-group"), 1)
    teams = r.teams.set_index("team")
    early = teams[teams["dispatched_min"].notna() & (teams["dispatched_min"] < 0)]
    assert not early.empty
    for tid, row in early.iterrows():
        assert row["on_site_min"] is not None and row["dispatched_min"] < row["on_site_min"]
        arrived = r.events[(r.events.kind == "team_on_site") & (r.events.subject == tid)]
        assert arrived["t_min"].iloc[0] == pytest.approx(row["on_site_min"], abs=0.01)
    assert (early["on_site_min"] < 0).any()
    # the level declared on the warning is judged against the crowd that came
    level = _task(evaluate(r), "level")
    assert level.detail["on_warning"] and level.detail["true_count"] == r.metrics["peak_crowd"]


def test_a_larger_team_than_its_staff_split_puts_everyone_to_work():
    from sim.core.config import Team

    inputs = load_drill("gate-blockade", "department-4level")
    base = next(t for t in inputs.plan.teams.values() if t.staff)
    data = base.model_dump(mode="json")
    data.update(capabilities=["order", "evacuation", "intel"], size=12,
                staff={"order": 4, "evacuation": 2})
    team = Team.model_validate(data)
    # every field capability is named: the other six share the work in the same proportions
    assert team.staff_for(team.capabilities[0]) == pytest.approx(8.0)
    assert team.staff_for(team.capabilities[1]) == pytest.approx(4.0)
    exact = Team.model_validate(dict(data, size=6))
    assert exact.staff_for(exact.capabilities[0]) == 4.0
    # with a capability left unnamed, the rest goes to it as before
    some = Team.model_validate(dict(data, staff={"order": 4}))
    assert some.staff_for(some.capabilities[0]) == 4.0
    assert some.staff_for(some.capabilities[1]) == pytest.approx(8.0)


def test_sensitivity_levers_stay_valid_for_a_team_with_a_staff_split():
    from sim.montecarlo.sensitivity import plan_levers

    inputs = load_drill("gate-blockade", "department-4level")
    for f in plan_levers(inputs):
        if f.name.endswith(".size"):
            tid = f.name.split(".")[1]
            assert f.low >= sum(inputs.plan.teams[tid].staff.values())


@pytest.mark.parametrize("seed,plan", [(1, "enterprise"), (2, "enterprise"), (3, "enterprise"),
                                       (1, "linxiang")])   # the last: one resent in time
def test_messages_are_the_plan_s_own_and_a_resent_one_counts_once(seed, plan):
    from reports.evaluation import message_tally

    r = simulate(load_drill("gate-blockade", plan), seed)
    msgs = r.messages
    own = msgs[(msgs.sender != "exercise") & (msgs.recipient != "exercise")]
    tally = message_tally(r)
    assert tally["sent"] == len(own) and len(own) < len(msgs)   # injects are not counted
    assert tally["late"] == int(own["late"].sum())
    # every lost message is either resent until delivered (late or not) or never delivered
    assert tally["resent"] + tally["lost"] == int(own["lost"].sum())
    f = evaluate(r).finding("coordination")
    if f is not None:   # its evidence never cites the exercise control's messages
        assert not (r.events.loc[f.evidence, "actor"] == "exercise").any()


def test_measures_follow_the_evidence_not_a_template():
    from reports.evaluation import hot_drill

    for scenario, plan, seeds in (("gate-blockade", "enterprise", range(1, 6)),
                                  ("online-call", "leading-group", range(1, 4)),
                                  ("large-sit-in", "linxiang", range(1, 3))):
        for seed in seeds:
            r = simulate(load_drill(scenario, plan), seed)
            e = evaluate(r)
            texts = [m.text_zh for m in e.measures]
            causes = {m.cause for f in e.findings for m in f.measures}
            if "medical_heat" in causes:
                assert hot_drill(r)
            if not hot_drill(r):
                assert not any("防暑" in t for t in texts)
            for f in e.findings:
                for m in f.measures:
                    if m.cause == "capability_missing" and m.subject == "medical":
                        assert "120" in m.text_zh and "消防" not in m.text_zh
            # an item that failed with nobody to bring a spare is not called a missing item
            nospare = r.events[r.events.kind == "no_spare"]
            for row in nospare.itertuples():
                assert not ((r.events.kind == "equipment_shortage") & (r.events.t_min == row.t_min)
                            & (r.events.actor == row.actor)).any()


def test_a_level_its_condition_brought_on_is_told_by_its_condition():
    from reports.condition_words import condition_text
    from reports.content import build
    from reports.render_md import render

    r = simulate(load_drill("gate-blockade", "department-4level"), 2)
    raised = r.events[(r.events.kind == "level_raised") & (r.events.causes == "condition")]
    assert not raised.empty
    row = raised.iloc[0]
    lv = next(x for x in r.plan.levels if x.id == row.subject)
    # the headcount alone would not have brought it on
    by_count = r.plan.level_for(float(row.value))
    assert by_count is None or r.plan.levels.index(by_count) < r.plan.levels.index(lv)
    text = render(build(r, "zh"))
    words = condition_text(lv.when, "zh")
    assert f"出现{lv.name.zh}" in text or words in text
    assert lv.when not in text   # never the raw expression in the Chinese report
    assert "现场态势达到“围堵”" in condition_text('crowd_state >= "blocking"', "zh")
    assert condition_text("rumor_reach >= 0.05 for 10 min", "en") == \
        "the rumour's reach at least 5% (for 10 min)"


def test_a_verified_lowering_is_told_as_a_lowering():
    from reports.content import build
    from reports.render_md import render

    r = simulate(load_drill("self-harm-at-height"), 1)
    lowered = r.events[(r.events.kind == "level_lowered") & (r.events.causes == "lowered")]
    assert not lowered.empty
    assert "响应级别下调为" in render(build(r, "zh"))


@pytest.mark.parametrize("text", ['crowd_state >= "blocking" for 5 min or injuries >= 1',
                                  '(crowd_state >= "blocking" for 5 min) or injuries >= 1'])
def test_for_in_the_middle_of_a_condition_is_told_plainly(text):
    from sim.core.triggers import ConditionError, parse

    with pytest.raises(ConditionError, match="must end the"):
        parse(text)


@pytest.mark.parametrize("scenario", ["gate-blockade", "large-sit-in", "small-group"])
def test_every_inject_in_the_table_says_what_it_is(scenario):
    from reports.content import build
    from reports.render_md import render

    r = simulate(load_drill(scenario), 1)
    text = render(build(r, "zh", charts=False))
    for item in r.scenario.injects:
        rows = [line for line in text.splitlines() if line.startswith(f"| {item.id}")]
        assert rows, item.id
        assert rows[0].startswith(f"| {item.id}："), rows[0][:80]


@pytest.mark.parametrize("scenario, plan", [("small-group", "linxiang"),
                                            ("gate-blockade", "department-4level"),
                                            ("small-group", "department-3level")])
def test_the_participants_are_the_teams_that_took_part(scenario, plan):
    import re

    from reports.content import build
    from reports.render_md import render

    r = simulate(load_drill(scenario, plan), 1)
    t = r.teams
    took = t[t["dispatched_min"].notna() | t["on_site_min"].notna() | t["command_post"]]
    text = render(build(r, "zh", charts=False))
    n = int(re.search(r"共(\d+)个工作组，计(\d+)名工作人员", text).group(1))
    assert n == len(took)
    if len(took) < len(t):
        assert "未出动" in text


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_person_at_risk_is_a_rated_task(seed):
    r = simulate(load_drill("self-harm-at-height"), seed)
    task = _task(evaluate(r), "person_at_risk")
    ev = r.events
    seen = float(ev.loc[ev.kind == "person_at_risk", "t_min"].iloc[0])
    assert task.target_min == pytest.approx(seen + 30, abs=0.01)
    if r.metrics["person_outcome"] == "fell":
        assert task.rating in ("U", "M")
    else:
        cushion = ev.loc[ev.kind == "rescue_deployed", "t_min"]
        done = [*cushion[:1], r.metrics["person_safe_min"]]
        assert task.measured_min == pytest.approx(min(d for d in done if d is not None), abs=0.01)
    assert evaluate(simulate(load_drill("gate-blockade"), seed)).tasks   # none without one
    assert not any(t.key == "person_at_risk"
                   for t in evaluate(simulate(load_drill("gate-blockade"), seed)).tasks)


@pytest.mark.parametrize("seed", [1, 3])
def test_a_team_late_on_the_plans_own_timings_gets_a_finding_and_a_measure(seed):
    from reports.content import _gap_text

    sets = ["teams.order.travel_min=40", "teams.order.on_site_within_min=20",
            "teams.order.familiarity=1"]
    r = simulate(load_drill("gate-blockade", "linxiang", sets), seed)
    e = evaluate(r)
    task = _task(e, "team_on_site:order")
    assert task.rating in ("M", "U") and not task.challenges
    coord = e.finding("coordination")
    assert coord is not None
    late = {a["team"]: a for a in coord.facts["late_arrivals"]}
    assert late["order"]["own_min"] == 50.0 and late["order"]["own_min"] > late["order"]["window_min"]
    # every team late on timing alone is listed, and none rated on time is
    for t in e.tasks:
        if t.key == "team_on_site":
            assert (t.subject in late) == (t.rating in ("M", "U") and not t.challenges)
    measure = next(m for m in coord.measures if m.cause == "arrival_late" and m.subject == "order")
    assert measure.owner == "order" and r.plan.teams["order"].name.zh in measure.text_zh
    text = "".join(_gap_text(r, coord, "zh"))
    assert "按预案自身的安排无法按时到场" in text
    ordered = r.events[(r.events.kind == "dispatch_order") & (r.events.subject == "order")]
    assert int(ordered.index[0]) in coord.evidence


def test_teams_on_time_give_no_late_arrival():
    r = simulate(load_drill("gate-blockade", "linxiang", [
        "teams.order.travel_min=1", "teams.order.mobilisation_min=1",
        "teams.order.on_site_within_min=300"]), 1)
    e = evaluate(r)
    coord = e.finding("coordination")
    late = coord.facts["late_arrivals"] if coord else []
    assert "order" not in {a["team"] for a in late}


def test_what_had_not_happened_by_the_end_is_told_last():
    from reports.narrative import phase_negotiation

    # the top leader came late in this run, after the last round of talks
    r = simulate(load_drill("gate-blockade", "enterprise"), 1)
    assert r.metrics["agreement_min"] is None
    for lang, end in (("zh", "推演结束时仍未达成承诺。"),
                      ("en", "No commitment had been reached by the end.")):
        assert phase_negotiation(r, lang)[0].endswith(end)


def test_a_plan_with_only_a_command_team_is_told_what_it_lacks(tmp_path):
    from reports.content import build
    from reports.render_md import render

    r = _small_drill(tmp_path, "")
    e = evaluate(r)
    assert _task(e, "agreement").rating == "U"
    gap = e.finding("equipment")
    assert gap is not None
    lacking = gap.facts["missing_capabilities"]
    assert [c["capability"] for c in lacking] == ["dialogue"]
    assert lacking[0]["tasks"] == ["dialogue_start", "representatives", "agreement"]
    assert any(m.cause == "capability_missing" and "接访对话" in m.text_zh for m in gap.measures)
    md = render(build(r, "zh", charts=False, e=e))
    assert "本预案没有承担接访对话的力量" in md and "未发现需要整改的问题" not in md
    assert "HQ于" in md and "预案未设其他工作组" in md and "没有工作组被派往现场" not in md
    assert "预案启动（）" not in md and "（）" not in md


def test_a_table_time_says_which_day_it_is():
    from reports.narrative import Clock

    c = Clock(23 * 60 + 50)
    assert c.stamp(0, "en") == "23:50 (T+0)"
    assert c.stamp(20, "en") == "00:10+1 (T+20)"
    assert c.stamp(-1440, "zh") == "23:50-1（T-1440）"


def test_nothing_is_told_of_nobody(tmp_path):
    from reports.narrative import phase_stabilise

    r = simulate(load_drill("gate-blockade"), 1)
    e = evaluate(r)
    rows = r.events.index[r.events["kind"].isin(["agitation", "arrivals", "gate_blocked"])]
    assert len(rows) >= 2
    before = " ".join(phase_stabilise(r, e, "zh"))
    assert "名群众情绪被激化" in before and "名群众围堵大门" in before
    r.events.loc[rows, "value"] = 0.0   # as when nobody was there to provoke, come or block
    for lang in ("zh", "en"):
        text = " ".join(phase_stabilise(r, e, lang))
        assert "0名群众" not in text and " 0 people" not in text and ", 0 more" not in text


def test_many_hurt_caps_the_grade_at_poor_and_is_an_on_site_handling_finding():
    r = simulate(load_drill("large-sit-in", "linxiang", ["teams.order.posture=forceful"]), 4)
    assert r.metrics["injuries"] >= 10
    e = evaluate(r)
    assert "many_injured" in e.caps_met and e.grade_zh == "差"
    f = e.finding("force")
    assert f is not None and [m.cause for m in f.measures] == ["force_used"]


def test_people_hurt_in_scuffles_without_force_get_a_finding_and_a_measure():
    from reports.content import _gap_text

    r = simulate(load_drill("gate-blockade", "enterprise"), 5)
    assert r.metrics["injuries"] > 0 and r.metrics["force_used"] == 0
    e = evaluate(r)
    f = e.finding("force")
    assert f is not None and [m.cause for m in f.measures] == ["scuffle_harm"]
    text = "".join(_gap_text(r, f, "zh"))
    assert f"推演中共发生推搡冲突{r.metrics['scuffles']}次" in text
    assert f"{r.metrics['injuries']}人在冲突中受伤" in text


@pytest.mark.parametrize("seed", [1, 3])
def test_a_person_at_risk_protected_late_gets_a_measure(seed):
    r = simulate(load_drill("self-harm-at-height", "enterprise"), seed)
    e = evaluate(r)
    task = _task(e, "person_at_risk")
    assert task.rating in ("M", "U")
    f = e.finding("force")
    assert f is not None and "person_at_risk" in [m.cause for m in f.measures]
    assert f.facts["person"]["rating"] == task.rating


def test_a_call_to_110_never_sends_the_caller_and_says_when_nobody_comes(tmp_path):
    from reports.narrative import first_response_items

    r = _small_drill(tmp_path, "  guards:\n    name: Guards\n    capabilities: [order]\n"
                               "    posture: restrained\n    size: 6\n"
                               "command:\n  team: command\n  first_report_by: guards\n"
                               "first_response: [call_110, call_ambulance]\n")
    ev = r.events
    calls = ev[(ev.kind == "first_response") & ev.subject.isin(["call_110", "call_ambulance"])]
    assert list(calls["value"]) == [0.0, 0.0]
    assert not ((ev.kind == "dispatch_order") & ev.detail.str.contains("first response")).any()
    text = first_response_items(r, "zh")[0][1]
    assert text.count("预案中没有可调派的力量，无人前来") == 2
    # the guards' duty staff were on the spot from their first report: the team is on site then
    task = _task(evaluate(r), "team_on_site:guards")
    first = float(calls["t_min"].min())
    assert task.detail.get("duty_staff") and task.measured_min == pytest.approx(first)


def test_a_report_is_due_from_its_own_level_when_the_level_rose_before_activation():
    # activation slow enough that the level rises from III to II before the plan is activated
    r = simulate(load_drill("gate-blockade", "department-3level", ["command.activate_min=90"]), 1)
    ev = r.events
    declared = ev[ev.kind.isin(["level_declared", "level_raised"])]
    assert list(declared["subject"]) == ["III", "II"]
    assert float(declared["t_min"].iloc[1]) < r.metrics["plan_activated_min"]
    rep = next(x for x in r.plan.reporting if x.from_level == "II")
    sent = ev[(ev.kind == "report_sent") & (ev.subject == rep.id)].iloc[0]
    deadline = float(sent["t_min"]) - float(sent["value"])
    assert deadline == pytest.approx(float(declared["t_min"].iloc[1]) + rep.within_min, abs=0.01)


def test_a_first_report_upward_waits_for_a_report_the_plan_ties_to_a_level():
    from reports.narrative import first_response_items

    r = simulate(load_drill("small-group", "department-3level", ["first_response=[report_upward]"]), 1)
    ev = r.events
    step = ev[(ev.kind == "first_response") & (ev.subject == "report_upward")]
    assert list(step["value"]) == [0.0]   # every report of this plan waits for its level
    assert all(x.from_level for x in r.plan.reporting)
    times = r.metrics["level_times"] or {}
    for x in r.plan.reporting:
        sent = ev[(ev.kind == "report_sent") & (ev.subject == x.id)]
        if x.from_level not in times:
            assert sent.empty
    assert "宣布相应级别后才需报送" in first_response_items(r, "zh")[0][1]


def test_a_reactive_statement_is_due_from_the_rumour_and_nothing_not_yet_due_is_failed():
    checked = 0
    for scenario in ("gate-blockade", "large-sit-in", "small-group"):
        r = simulate(load_drill(scenario, "linxiang", ["publicity.release_policy=reactive",
                                                      "targets.first_statement_min=30"]), 2)
        e = evaluate(r)
        ts = r.timeseries
        end = float(ts["t_min"].iloc[-1])
        for t in e.tasks:   # a task the drill ended before is never failed
            assert not (t.rating == "U" and t.target_min is not None and t.target_min > end), t
        task = _task(e, "statement")
        heard = ts[ts["rumor_reach"] > 0]
        if task.rating == "NA" or heard.empty or float(heard["t_min"].iloc[0]) <= 0:
            continue
        start = float(heard["t_min"].iloc[0])
        assert task.detail["since_rumour"] == start
        assert task.target_min == pytest.approx(start + r.plan.targets.first_statement_min)
        checked += 1
    assert checked


def test_a_shortage_of_an_item_the_plan_never_lists_asks_for_it_in_the_plan():
    r = simulate(load_drill("gate-blockade", "linxiang", ["teams.dialogue.equipment={}"]), 1)
    e = evaluate(r)
    f = e.finding("equipment")
    assert f is not None
    unlisted = [m for m in f.measures if m.cause == "equipment_unlisted"]
    assert unlisted and unlisted[0].owner == "dialogue"
    assert r.plan.teams["dialogue"].name.zh in unlisted[0].text_zh
    assert not any(m.cause == "equipment_shortage" and m.subject == "loudspeaker"
                   for m in f.measures)


def test_the_talks_measure_names_who_answers():
    r = simulate(load_drill("large-sit-in", "department-3level"), 3)
    e = evaluate(r)
    f = e.finding("coordination")
    waiting = [m for m in (f.measures if f else []) if m.cause == "talks_waiting"]
    assert waiting
    answering = [tid for tid, t in r.plan.teams.items() if t.answers_min is not None] \
        or [r.plan.command.team]
    for tid in answering:
        assert r.plan.teams[tid].name.zh in waiting[0].text_zh


def test_english_possessives_and_numbers_read_right():
    from reports.i18n import possessive_en

    assert possessive_en("Security guards's duty staff") == "Security guards' duty staff"
    assert possessive_en("HQ's duty staff") == "HQ's duty staff"


def test_a_level_s_condition_read_from_the_record_agrees_with_the_drill():
    """Each level the drill raised on its condition: the evaluation, reading the record,
    finds the condition held then, and not a minute before it first could."""
    from reports.evaluation import _condition_held

    found = 0
    for seed in range(1, 6):
        r = simulate(load_drill("gate-blockade", "department-4level"), seed)
        ev = r.events
        raised = ev[ev.kind.isin(["level_raised", "level_declared"]) & (ev.causes == "condition")]
        for row in raised.itertuples():
            when = next(lv.when for lv in r.plan.levels if lv.id == row.subject)
            assert _condition_held(r, when, float(row.t_min)), (seed, row.subject, when)
            found += 1
        e = evaluate(r)
        level = _task(e, "level")
        first = ev[ev.kind == "level_declared"].iloc[0]
        if first.causes == "condition":
            assert level.detail["correct"] == first.subject
    assert found
