"""Build the drill report's content (a :class:`Document`) from a run, in one language."""

from __future__ import annotations

import math
from functools import partial

from reports.chart_style import FONT_NOTE, chart_lang
from reports.charts import (
    draw_crowd,
    draw_gantt,
    draw_response,
    draw_rumour,
    make_figure,
)
from reports.document import Bullets, Document, Section, Subheading, Table
from reports.evaluation import Evaluation, evaluate, rules
from reports.i18n import (
    ACTIONS,
    ACTORS,
    CAPABILITIES,
    CAUSE_WORDS,
    CHALLENGES,
    ELEMENTS,
    EVENTS,
    GAP_FACTS,
    GAP_TITLES,
    INJECT_STATUS,
    ITEMS,
    LATE_WORDS,
    POINTS,
    POLICY_WORDS,
    REASONS,
    TRIGGERS,
    VALUE_WORDS,
    phrase,
    report_name,
    subject_text,
    task_label,
    word,
)
from reports.plan_summary import plan_section
from reports.room_report import room_blocks
from sim.core.result import DrillResult
from sim.core.timing import on_time
from sim.core.types import EventKind


def fmt_min(value, lang: str) -> str:
    """Minutes as text (``—`` for never)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return phrase("never", lang)
    return f"{value:.1f}"


def level_name(r: DrillResult, level_id: str, lang: str) -> str:
    """A level's name as the plan gives it (its id when it is not a level)."""
    level = next((lv for lv in r.plan.levels if lv.id == level_id), None)
    return level.name.get(lang) if level else level_id


def reason_text(r: DrillResult, task, lang: str) -> str:
    """Why a task got its rating, naming the challenges met (from the event log)."""
    text = word(REASONS, task.reason, lang)
    if task.reason != "challenges" or not task.challenges:
        return text
    kinds = []
    for i in task.challenges:
        k = word(CHALLENGES, r.events.loc[i, "kind"], lang)
        if k not in kinds:
            kinds.append(k)
    sep = "、" if lang == "zh" else ", "
    return f"{text}：{sep.join(kinds)}" if lang == "zh" else f"{text}: {sep.join(kinds)}"


def team_or_capability(r: DrillResult, key: str, lang: str) -> str:
    """A team's name, or the names of the teams with capability ``key``."""
    if key in r.plan.teams:
        return team_name(r, key, lang)
    teams = [tid for tid, t in r.plan.teams.items() if key in {c.value for c in t.capabilities}]
    sep = "、" if lang == "zh" else ", "
    return sep.join(team_name(r, tid, lang) for tid in teams) or key


def team_name(r: DrillResult, tid: str, lang: str) -> str:
    team = r.plan.teams.get(tid)
    if team is not None:
        return team.name.get(lang)
    if tid.startswith("upper:"):
        return report_name(r, tid.split(":", 1)[1], lang)
    if tid == "responsible_unit":
        return r.plan.responsible_unit.name.get(lang)
    role = r.plan.roles.get(tid)
    if role is not None:
        return role.name.get(lang)
    return word(ACTORS, tid, lang)


def describe(r: DrillResult, row, lang: str) -> str:
    """One event row as a sentence in ``lang``."""
    template = EVENTS.get(row.kind, {}).get(lang)
    if template is None:
        return row.detail
    value = row.value
    fields = {
        "actor": team_name(r, row.actor, lang),
        "subject": subject_text(r, row.subject, lang),
        "level_name": level_name(r, row.subject, lang),
        "subject_name": team_name(r, row.subject, lang),
        "subject_item": word(ITEMS, row.subject, lang),
        "subject_word": word(VALUE_WORDS, row.subject, lang),
        "value": value,
        "value0": "" if value != value else f"{value:.0f}",
        "value_pct": "" if value != value else f"{value:.1%}",
        "detail": row.detail,
        "late_word": word(LATE_WORDS, "late" if value == value and value > 0 else "on_time", lang),
        "causes_words": ("、" if lang == "zh" else ", ").join(
            word(CAUSE_WORDS, c, lang) for c in str(getattr(row, "causes", "") or "").split(";")
            if c) or word(CAUSE_WORDS, "calming", lang),
    }
    return template.format(**fields)


def metric_text(key: str, value, lang: str) -> str:
    if value is None:
        return phrase("never", lang)
    if isinstance(value, str):
        return word(VALUE_WORDS, value, lang)
    if key.endswith("_reach") or key == "peak_mean_agitation":
        return f"{value:.1%}" if key.endswith("_reach") else f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


K = EventKind

PHASES: dict[str, tuple[str, ...]] = {
    phase: tuple(k.value for k in kinds) for phase, kinds in {
        "report": (K.FIRST_REPORT, K.VERIFIED, K.BELOW_THRESHOLD, K.LEVEL_DECLARED,
                   K.LEVEL_RAISED, K.LEVEL_CONFIRMED, K.LEVEL_LOWERED, K.PLAN_ACTIVATED,
                   K.REPORT_SENT, K.POLICY_SILENT, K.WARNING_SIGNAL, K.WARNING_DETECTED,
                   K.COMMANDER_CALLED, K.COMMANDER_ON_SITE, K.FIRST_RESPONSE),
        "stabilise": (K.TEAM_ON_SITE, K.CORDON_SET, K.GATE_BLOCKED, K.FORCE_USED,
                      K.TARGETED_INTERVENTION, K.CROWD_STATE, K.SCUFFLE_STARTED,
                      K.SCUFFLE_ENDED, K.WATER_PROVIDED, K.FOOD_PROVIDED, K.HEALTH_INCIDENT, K.INJURY,
                      K.MEDICAL_ATTENDED, K.REINFORCEMENT_REQUESTED, K.REINFORCEMENT_ARRIVED,
                      K.EQUIPMENT_FAILED, K.EQUIPMENT_REPLACED, K.EQUIPMENT_SHORTAGE,
                      K.SUPPLY_EXHAUSTED, K.ARRIVALS, K.AGITATION, K.WEATHER, K.COMMS_OUTAGE,
                      K.RECALLED, K.MEDICAL_UNAVAILABLE, K.EVACUATED, K.PSYCH_SUPPORT,
                      K.PERSON_AT_RISK, K.RESCUE_DEPLOYED, K.TALK_DOWN_STARTED, K.PERSON_SAFE,
                      K.PERSON_FELL),
        "information": (K.RUMOUR_POSTED, K.RUMOUR_DETECTED, K.STATEMENT_ISSUED),
        "negotiation": (K.DIALOGUE_STARTED, K.REPRESENTATIVES_CHOSEN, K.LEADER_ON_SITE,
                        K.TOP_LEADER_ON_SITE, K.TALKS_WAITING, K.TALKS_RESUMED, K.TALKS_STALLED,
                        K.TALKS_FAILED, K.AGREEMENT, K.PROMISE_BROKEN, K.ROOM_READY,
                        K.DEMAND_LEADER, K.AWAITING_AUTHORITY),
        "dispersal": (K.CLEARED, K.TRANSPORTED, K.INJECT_SKIPPED),
    }.items()
}
"""Event kinds shown in each phase of 二、演练过程 (after seed 004's five phases)."""

NOT_IN_PHASES: frozenset[str] = frozenset(k.value for k in (
    K.PREPOSITIONED, K.DISPATCH_ORDER, K.DISPATCHED, K.TASK_START, K.TASK_END, K.SLIP_LATE,
    K.SLIP_INCOMPLETE, K.MESSAGE_MISDIRECTED, K.MESSAGE_LOST, K.MESSAGE_LATE,
    K.MESSAGE_RECEIVED, K.INJECT, K.EXPECTED_MISSED, K.DECISION))
"""Kinds told elsewhere: the Gantt chart (tasks), the gap sections (slips, messages), the
injects table and the trainees' decisions."""


ZH_NUMBERS = "一二三四五六七八九十"


def numbered(section: int, k: int, title: str, lang: str) -> str:
    """A subsection title numbered after the report's style: （三） in Chinese, 3.3 in English."""
    return f"（{ZH_NUMBERS[k - 1]}）{title}" if lang == "zh" else f"{section}.{k} {title}"


def _t(value) -> str:
    return "—" if value is None else f"{value:.0f}"


def _when(value, lang: str) -> str:
    return phrase("never", lang) if value is None else phrase("at_t", lang, t=f"{value:.0f}")


def _phase_line(r: DrillResult, phase: str, lang: str) -> str:
    m, ev = r.metrics, r.events
    if phase == "report":
        if m["plan_activated_min"] is None:
            return phrase("phase_report_none", lang)
        first = ev[ev["kind"] == K.FIRST_REPORT.value]
        declared = ev[ev["kind"] == K.LEVEL_DECLARED.value]
        orders = ev[(ev["kind"] == K.DISPATCH_ORDER.value)]
        return phrase("phase_report_line", lang, first_report=_when(m["first_report_min"], lang),
                      estimate=f"{first['value'].iloc[0]:.0f}" if not first.empty else "—",
                      verified=_when(m["verification_min"], lang),
                      level=level_name(r, declared["subject"].iloc[0], lang)
                      if not declared.empty else "—",
                      activated=_when(m["plan_activated_min"], lang),
                      teams=orders["subject"].nunique())
    if phase == "stabilise":
        return phrase("phase_stabilise_line", lang,
                      first_team=_when(m["first_team_on_site_min"], lang),
                      cordon=_when(m["cordon_min"], lang),
                      state=word(VALUE_WORDS, m["max_crowd_state"], lang))
    if phase == "information":
        return phrase("phase_information_line", lang, reach=f"{m['rumor_peak_reach']:.1%}",
                      statement=_when(m["first_statement_min"], lang))
    if phase == "negotiation":
        return phrase("phase_negotiation_line", lang,
                      dialogue=_when(m["dialogue_start_min"], lang),
                      reps=_when(m["representatives_min"], lang),
                      agreement=_when(m["agreement_min"], lang))
    remaining = int(r.timeseries["crowd_present"].iloc[-1]) if len(r.timeseries) else 0
    share = r.params.crowd.cleared_share if r.params is not None else 0.0
    return phrase("phase_dispersal_line", lang, cleared=_when(m["cleared_min"], lang),
                  remaining=remaining, share=share)


REPEATING = ("targeted_intervention", "force_used")
"""Kinds that recur every patrol: consecutive repeats are shown as one row with its span."""


def _event_table(r: DrillResult, kinds: tuple[str, ...], lang: str) -> Table:
    ev = r.events[r.events["kind"].isin(kinds)]
    rows: list[list[str]] = []
    last_key, last_row = None, None
    for row in ev.itertuples():
        key = (row.kind, row.actor)
        if row.kind in REPEATING and key == last_key and rows:
            rows[-1][2] = describe(r, last_row, lang) + phrase("repeated", lang,
                                                               t=f"{row.t_min:.0f}")
            continue
        last_key, last_row = key, row
        rows.append([phrase("t_fmt", lang, m=f"{row.t_min:.0f}"), team_name(r, row.actor, lang),
                     describe(r, row, lang)])
    return Table([phrase("time", lang), phrase("actor", lang), phrase("event", lang)], rows)


def _evidence(r: DrillResult, rows: list[int], lang: str) -> Bullets:
    ev = r.events
    items = []
    for i in rows:
        row = ev.loc[i]
        when = phrase("t_fmt", lang, m=f"{row.t_min:.0f}")
        items.append(f"{when} {team_name(r, row.actor, lang)}: {describe(r, row, lang)}")
    return Bullets(items)


def _gap_facts(r: DrillResult, f, lang: str) -> list[str]:
    facts = f.facts
    if f.gap == "familiarity":
        teams = "；" if lang == "zh" else "; "
        by_team = teams.join(
            phrase("staff_team", lang, team=team_name(r, tid, lang),
                   n=int((r.events.loc[f.evidence, "actor"] == tid).sum()), minutes=minutes)
            for tid, minutes in facts["minutes_lost_by_team"].items())
        return [GAP_FACTS["familiarity"][lang].format(slips=facts["slips"], teams=by_team)]
    if f.gap == "coordination":
        out = []
        if "messages_sent" in facts:
            out.append(GAP_FACTS["coordination"][lang].format(**facts))
        if facts.get("force_used"):
            out.append(GAP_FACTS["coordination_force"][lang].format(**facts))
        return out
    if f.gap == "equipment":
        out = []
        for o in facts["failures"]:
            restored = GAP_FACTS["never_restored"][lang] if o["restored_min"] is None else \
                GAP_FACTS["restored_at"][lang].format(t=o["restored_min"])
            out.append(GAP_FACTS["equipment_failure"][lang].format(
                team=team_name(r, o["team"], lang), item=word(ITEMS, o["item"], lang),
                failed=o["failed_min"], restored=restored, out=o["out_min"],
                explaining=o["during"].get("explaining", 0.0), talks=o["during"].get("talks", 0.0)))
        if facts["shortages"]:
            out.append(GAP_FACTS["equipment_short"][lang].format(n=facts["shortages"]))
        if facts["medical_late"] or facts["medical_unattended"]:
            out.append(GAP_FACTS["equipment_medical"][lang].format(
                late=facts["medical_late"], never=facts["medical_unattended"]))
        return out
    at = facts["rumor_reach_at_statement"]
    out = [GAP_FACTS["public_opinion"][lang].format(
        policy=word(POLICY_WORDS, facts["policy"], lang), peak=f"{facts['rumor_peak_reach']:.1%}",
        statement=_when(facts["first_statement_min"], lang),
        onlookers=facts["onlookers_peak_while_rumour"])]
    if at is not None:
        out.append(GAP_FACTS["public_opinion_at"][lang].format(at=f"{at:.1%}"))
    return out


def build(r: DrillResult, lang: str = "zh", charts: bool = True,
          e: Evaluation | None = None) -> Document:
    """The drill summary report (演练总结报告) for ``r`` in ``lang`` (``zh`` or ``en``).

    ``e`` is the run's evaluation when the caller already has it.
    """
    m, sc, plan = r.metrics, r.scenario, r.plan
    e = e if e is not None else evaluate(r)
    doc = Document(
        title=f"{sc.title.get(lang)} — {phrase('report_title', lang)}",
        subtitle=f"{phrase('plan', lang)}: {plan.title.get(lang)} ({r.plan_label}) · "
                 f"{phrase('seed', lang)} {r.seed}",
        lang=lang,
        footer=phrase("generated", lang),
    )

    # 一、演练基本情况
    s = Section(phrase("s1", lang))
    s.blocks.append(Subheading(phrase("s1_background", lang)))
    if sc.description:
        s.blocks.append(sc.description.get(lang))
    s.blocks.append(phrase("background_plan", lang, plan=plan.title.get(lang), label=r.plan_label,
                           scenario=sc.title.get(lang)))
    s.blocks.append(Subheading(phrase("s1_objectives", lang)))
    s.blocks.append(phrase("objectives_intro", lang))
    items = []
    for t in e.tasks:
        if t.rating == "NA" or t.key == "medical":
            continue
        label = task_label(r, t, lang)
        items.append(phrase("objective_item", lang, task=label, target=f"{t.target_min:.0f}")
                     if t.target_min is not None else phrase("objective_nolimit", lang, task=label))
    s.blocks.append(Bullets(items))
    s.blocks.append(Subheading(phrase("s1_time_place", lang)))
    s.blocks.append(phrase("time_place", lang, site=sc.site.name.get(lang),
                           where=phrase("outdoor" if sc.site.outdoor else "indoor", lang),
                           area=sc.site.area_m2,
                           weather=phrase("weather_fmt", lang, t=sc.weather.temperature_c,
                                          h=sc.weather.humidity_pct),
                           duration=m["duration_min"], seed=r.seed))
    s.blocks.append(Subheading(phrase("s1_participants", lang)))
    s.blocks.append(phrase("participants_total", lang, teams=len(r.teams),
                           staff=int(r.teams["size"].sum()), crowd=m["peak_crowd"],
                           onlookers=m["peak_onlookers"]))
    s.blocks.append(Table(
        [phrase("team", lang), phrase("capabilities", lang), phrase("size", lang),
         phrase("familiarity", lang), phrase("dispatched", lang), phrase("on_site", lang)],
        [[f"{t.name_zh if lang == 'zh' else t.name_en} ({t.team})",
          ("、" if lang == "zh" else ", ").join(
              word(CAPABILITIES, c.value, lang) for c in plan.teams[t.team].capabilities),
          str(t.size),
          f"{t.familiarity:.0%}", fmt_min(t.dispatched_min, lang), fmt_min(t.on_site_min, lang)]
         for t in r.teams.itertuples()]))
    doc.sections.append(s)

    # 二、演练过程
    s = Section(phrase("s2", lang))
    for phase, kinds in PHASES.items():
        s.blocks.append(Subheading(phrase(f"phase_{phase}", lang)))
        s.blocks.append(_phase_line(r, phase, lang))
        table = _event_table(r, kinds, lang)
        s.blocks.append(table if table.rows else phrase("no_events", lang))
    doc.sections.append(s)

    # 三、演练效果评估
    s = Section(phrase("s3", lang))
    count = iter(range(1, 20))

    def sub(key: str) -> str:
        return numbered(3, next(count), phrase(key, lang), lang)

    counts = e.counts()
    timed = [t for t in e.tasks if t.target_min is not None and t.rating != "NA"]
    s.blocks.append(Subheading(sub("s3_effect")))
    outcome = word(VALUE_WORDS, m["outcome"], lang)
    if m["outcome"] == "resolved":
        s.blocks.append(phrase("effect_resolved", lang, outcome=outcome,
                               agreement=_t(m["agreement_min"]), cleared=_t(m["cleared_min"])))
    else:
        s.blocks.append(phrase("effect_other", lang, outcome=outcome))
    if m.get("end_reason") == "time_limit":
        s.blocks.append(phrase("effect_time_limit", lang, limit=f"{r.scenario.end.max_min:g}"))
        s.blocks.append(phrase("effect_resolving" if m.get("resolving_at_end")
                               else "effect_unresolved", lang))
    s.blocks.append(phrase("effect_tasks", lang,
                           met=sum(1 for t in timed if on_time(t.measured_min, t.target_min)),
                           late=sum(1 for t in timed if t.measured_min is not None
                                    and on_time(t.measured_min, t.target_min) is False),
                           undone=sum(1 for t in timed if t.measured_min is None)))
    s.blocks.append(phrase("effect_state", lang, state=word(VALUE_WORDS, m["max_crowd_state"], lang),
                           scuffles=m["scuffles"], health=m["health_incidents"]))
    s.blocks.append(Subheading(sub("s3_coordination")))
    msgs = r.messages
    s.blocks.append(phrase("coord_line", lang, sent=m["messages_sent"], late=m["messages_late"],
                           lost=m["messages_lost"],
                           misdirected=int(msgs["misdirected"].sum()) if len(msgs) else 0,
                           wait=m["talks_wait_min"]))
    s.blocks.append(Subheading(sub("s3_staff")))
    fam = e.finding("familiarity")
    if fam is None:
        s.blocks.append(phrase("staff_none", lang))
    else:
        s.blocks.append(phrase("staff_line", lang, slips=fam.facts["slips"]))
    s.blocks.append(Subheading(sub("s3_ratings")))
    s.blocks.append(phrase("score_line", lang, score=e.score,
                           grade=e.grade_zh if lang == "zh" else e.grade_en,
                           rated=sum(counts[k] for k in "PSMU"), **counts))
    if e.caps:
        sep = "、" if lang == "zh" else "; "
        s.blocks.append(phrase("grade_capped", lang, caps=sep.join(
            phrase(f"cap_{c}", lang) for c in e.caps)))
    s.blocks.append(Table(
        [phrase("task", lang), phrase("target", lang), phrase("measured", lang),
         phrase("rating", lang), phrase("reason", lang)],
        [[task_label(r, t, lang),
          phrase("no_target", lang) if t.target_min is None else fmt_min(t.target_min, lang),
          fmt_min(t.measured_min, lang), t.rating, reason_text(r, t, lang)]
         for t in e.tasks]))
    over = rules()["rating"]["s_over_target"]
    s.blocks.append(phrase("rating_rule", lang, over=over))
    s.blocks.append(phrase("score_rule", lang, **rules()["points"]))
    inj = r.injects
    if len(inj):
        s.blocks.append(Subheading(sub("s3_injects")))
        expected = inj[inj["expected_action"].notna() & inj["fired_min"].notna()]
        s.blocks.append(phrase(
            "injects_line", lang, fired=int(inj["fired_min"].notna().sum()),
            expected=len(expected),
            met=int(expected["status"].isin(("met", "already_done")).sum()),
            late=int((expected["status"] == "late").sum()),
            missed=int((expected["status"] == "missed").sum())))
        s.blocks.append(Table(
            [phrase("inject", lang), phrase("trigger", lang), phrase("fired", lang),
             phrase("expected_action", lang), phrase("deadline", lang), phrase("response", lang),
             phrase("status_col", lang), phrase("clause", lang)],
            [[row.inject, word(TRIGGERS, row.trigger, lang), fmt_min(row.fired_min, lang),
              "" if row.expected_action is None else
              word(ACTIONS, row.expected_action, lang)
              + ("" if row.expected_team is None else f" ({team_or_capability(r, row.expected_team, lang)})"),
              "" if row.deadline_min is None else fmt_min(row.deadline_min, lang),
              "" if row.response_min is None else fmt_min(row.response_min, lang),
              word(INJECT_STATUS, row.status, lang),
              row.clause_zh if lang == "zh" else row.clause_en]
             for row in inj.itertuples()]))
    if len(r.decisions):
        s.blocks.append(Subheading(sub("s3_decisions")))
        s.blocks.append(phrase("decisions_line", lang, n=len(r.decisions),
                               plan=int(r.decisions["prescribed"].sum())))
        s.blocks.append(Table(
            [phrase("time", lang), phrase("trigger", lang), phrase("decision_col", lang),
             phrase("note_col", lang)],
            [[phrase("t_fmt", lang, m=f"{d.t_min:.0f}"),
              word(POINTS, d.trigger, lang) + (f" {d.ref}" if d.ref else ""),
              d.label_zh if lang == "zh" else d.label_en, d.note]
             for d in r.decisions.itertuples()]))
    s.blocks.extend(room_blocks(r, lang))
    s.blocks.append(Subheading(sub("s3_gaps")))
    if not e.findings:
        s.blocks.append(phrase("no_gaps", lang))
    for n, f in enumerate(e.findings, start=1):
        s.blocks.append(f"{n}. {GAP_TITLES[f.gap][lang]}")
        s.blocks.extend(_gap_facts(r, f, lang))
        s.blocks.append(phrase("evidence", lang))
        s.blocks.append(_evidence(r, f.evidence, lang))
    doc.sections.append(s)

    # 四、改进措施
    s = Section(phrase("s4", lang))
    if e.measures:
        s.blocks.append(phrase("measures_intro", lang))
        s.blocks.append(Table(
            [phrase("issue", lang), phrase("measure", lang), phrase("element", lang),
             phrase("owner", lang), phrase("due", lang), phrase("status_col", lang)],
            [[GAP_TITLES[x.gap][lang], x.text_zh if lang == "zh" else x.text_en,
              word(ELEMENTS, x.element, lang), team_name(r, x.owner, lang),
              x.due_zh if lang == "zh" else x.due_en, phrase(x.status, lang)]
             for x in e.measures]))
    else:
        s.blocks.append(phrase("no_measures", lang))
    doc.sections.append(s)

    if charts:
        s = Section(phrase("s5", lang))
        if chart_lang(lang) != lang and FONT_NOTE.get(lang):
            s.blocks.append(FONT_NOTE[lang])
        s.blocks.append(make_figure(draw_gantt, r, lang, "chart_gantt", "gantt.png"))
        s.blocks.append(make_figure(draw_crowd, r, lang, "chart_crowd", "crowd.png"))
        if m["rumor_peak_reach"] > 0 or m["first_statement_min"] is not None:
            s.blocks.append(make_figure(draw_rumour, r, lang, "chart_rumour", "rumour.png"))
        s.blocks.append(make_figure(partial(draw_response, tasks=e.tasks), r, lang,
                                    "chart_response", "response.png"))
        doc.sections.append(s)
    doc.sections.append(plan_section(r, lang))
    return doc
