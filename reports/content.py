"""Build the drill report's content (a :class:`Document`) from a run, in one language."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from reports import narrative
from reports.chart_data import ChartData
from reports.document import Bullets, Document, Figure, Section, Subheading, Table
from reports.evaluation import Evaluation, evaluate, message_tally, rules, score, shown_wait_minutes
from reports.i18n import (
    ACTIONS,
    CAPABILITIES,
    CAUSE_WORDS,
    CHALLENGES,
    ELEMENTS,
    EVENT_VARIANTS,
    EVENTS,
    GAP_FACTS,
    GAP_TITLES,
    INJECT_STATUS,
    ITEMS,
    LATE_WORDS,
    METRIC_LABELS,
    POINTS,
    POLICY_WORDS,
    REASONS,
    TASK_LABELS,
    TRIGGERS,
    VALUE_WORDS,
    count_en,
    phrase,
    possessive_en,
    subject_text,
    task_label,
    word,
)
from reports.inject_words import inject_item, inject_text
from reports.plan_summary import plan_section
from reports.room_report import room_blocks
from sim.core.result import DrillResult
from sim.core.timing import on_time
from sim.core.types import EventKind

response_level = narrative.response_level


def _cap_harm() -> int:
    """The harm the ``many_injured`` cap takes (people hurt in scuffles)."""
    return int(rules()["cap_thresholds"]["many_injured"])


def _score_line(e: Evaluation, counts: dict[str, int], lang: str) -> str:
    """The score, the grade and the ratings' counts (the tasks not applicable only if any)."""
    na = counts.get("NA", 0)
    return phrase("score_line", lang, score=e.score,
                  grade=e.grade_zh if lang == "zh" else e.grade_en,
                  rated=sum(counts[k] for k in "PSMU"), **counts,
                  na_zh=f"；{na}项不适用" if na else "", na_en=f"; {na} not applicable" if na else "")


def _deadline(target_min: float) -> str:
    """A criterion's deadline after ``T``: ``+33``, or ``+32.9`` to the tenth as the ratings
    table gives it (signed: a deadline before T0, a report due after a warning, reads -13)."""
    if abs(target_min - round(target_min)) < 0.05:
        return f"{round(target_min):+d}"
    return f"{target_min:+.1f}"


def fmt_min(value, lang: str) -> str:
    """Minutes as text (``—`` for never)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return phrase("never", lang)
    return f"{value:.1f}"


def level_name(r: DrillResult, level_id: str, lang: str) -> str:
    """A level's name as the plan gives it (its id when it is not a level)."""
    level = next((lv for lv in r.plan.levels if lv.id == level_id), None)
    return level.name.get(lang) if level else level_id


def variant_words(r: DrillResult, lang: str) -> str:
    """The plan variant the drill used: the plan's title, then each override in words with
    its key (``现场秩序维护组：处置方式=强制（teams.order.posture=forceful）``); the label as
    written when it cannot be read."""
    from reports.comparison_words import field_label, field_value
    from sim.core.errors import InputError
    from sim.core.loading import parse_plan_ref

    try:
        base, sets = parse_plan_ref(r.plan_label)
    except InputError:
        return r.plan_label
    title = r.plan.title.get(lang)
    head = f"《{title}》（{base}）" if lang == "zh" else f"{title} ({base})"
    if not sets:
        return head
    words = []
    for kv in sets:
        key, _, value = kv.partition("=")
        text = f"{field_label(r.plan, key.strip(), lang)}={field_value(key.strip(), value.strip(), lang)}"
        words.append(f"{text}（{kv}）" if lang == "zh" else f"{text} ({kv})")
    return head + ("；调整：" if lang == "zh" else "; overrides: ") + \
        ("；" if lang == "zh" else "; ").join(words)


def rating_text(rating: str, lang: str) -> str:
    """A task's rating as tables show it: the letter (P/S/M/U), "not applicable" in words."""
    return phrase("not_rated", lang) if rating == "NA" else rating


def reason_text(r: DrillResult, task, lang: str) -> str:
    """Why a task got its rating, naming the challenges met (from the event log)."""
    text = word(REASONS, task.reason, lang)
    if task.reason == "wrong_level" and task.detail.get("correct"):
        # which level the headcount called for, and the count it was judged on
        d = task.detail
        return phrase("wrong_level_detail", lang, text=text, count=d["true_count"],
                      level=level_name(r, d["correct"], lang),
                      when=phrase("at_peak" if d.get("on_warning") else "at_declaration", lang))
    if task.detail.get("duty_staff"):
        text += narrative.say(lang, "（其值班人员首报后即在现场开展先期处置）",
                              " (its duty staff acted on the spot from the first report)")
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
    return sep.join(team_name(r, tid, lang) for tid in teams) or narrative.say(
        lang, f"{word(CAPABILITIES, key, lang)}：本预案未设", f"{word(CAPABILITIES, key, lang)}: none in this plan")


def team_name(r: DrillResult, tid: str, lang: str) -> str:
    """A team or another actor by name (the plan's names; never an id in the text)."""
    return narrative.team(r, tid, lang)


def describe(r: DrillResult, row, lang: str) -> str:
    """One event row as a sentence in ``lang``."""
    template = EVENTS.get(row.kind, {}).get(lang)
    if template is None:
        return row.detail
    value = row.value
    if row.kind == K.TARGETED_INTERVENTION.value and value == 0:   # nobody led aside
        template = EVENT_VARIANTS["targeted_intervention_none"][lang]
    elif row.kind == K.PLAN_ACTIVATED.value and not row.subject:   # a plan without levels
        template = EVENT_VARIANTS["plan_activated_no_level"][lang]
    fields = {
        "actor": team_name(r, row.actor, lang),
        "actor_inline": narrative.inline(team_name(r, row.actor, lang), lang),  # mid-sentence
        "level_response": response_level(r, row.subject, lang),
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
    text = template.format(**fields)
    return possessive_en(text) if lang == "en" else text


def criterion_text(task, lang: str) -> str:
    """A critical task's criterion in minutes from T0, marked when the plan sets none and the
    incident's need does (or "no target")."""
    if task.target_min is None:
        return phrase("no_target", lang)
    need = phrase("criterion_need", lang) if task.detail.get("basis") == "need" else ""
    return fmt_min(task.target_min, lang) + need


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
                      K.EQUIPMENT_FAILED, K.EQUIPMENT_REPLACED, K.EQUIPMENT_SHORTAGE, K.NO_SPARE,
                      K.SUPPLY_EXHAUSTED, K.ARRIVALS, K.AGITATION, K.WEATHER, K.COMMS_OUTAGE,
                      K.RECALLED, K.MEDICAL_UNAVAILABLE, K.EVACUATED, K.PSYCH_SUPPORT,
                      K.PERSON_AT_RISK, K.RESCUE_DEPLOYED, K.TALK_DOWN_STARTED, K.PERSON_SAFE,
                      K.PERSON_FELL),
        "information": (K.RUMOUR_POSTED, K.RUMOUR_DETECTED, K.STATEMENT_ISSUED),
        "negotiation": (K.DIALOGUE_STARTED, K.REPRESENTATIVES_CHOSEN, K.LEADER_ON_SITE,
                        K.TOP_LEADER_ON_SITE, K.TALKS_WAITING, K.TALKS_RESUMED, K.TALKS_STALLED,
                        K.TALKS_FAILED, K.AGREEMENT, K.PROMISE_BROKEN, K.ROOM_READY,
                        K.DEMAND_LEADER, K.AWAITING_AUTHORITY),
        "dispersal": (K.CLEARED, K.TRANSPORTED, K.INJECT_SKIPPED, K.INJECT_NO_TEAM,
                      K.INJECT_NO_ITEM, K.INJECT_FEWER),
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


REPEATING = ("targeted_intervention", "force_used")
"""Kinds that recur every patrol: consecutive repeats are shown as one row with its span."""


def _actor(r: DrillResult, row, lang: str) -> str:
    """Who acted, as a reader names them: the top leader is not the responsible unit."""
    if row.kind == K.TOP_LEADER_ON_SITE.value:
        return narrative.say(lang, "主要领导", "The top leader")
    if row.kind == K.LEADER_ON_SITE.value:
        return narrative.say(lang, f"{r.plan.responsible_unit.name.get(lang)}负责人",
                             f"The leader of {narrative.inline(r.plan.responsible_unit.name.get(lang), lang)}")
    return team_name(r, row.actor, lang)


def _event_table(r: DrillResult, kinds: tuple[str, ...], lang: str) -> Table:
    ev = r.events[r.events["kind"].isin(kinds)]
    clock = narrative.Clock.of(r)
    stated = r.events[r.events["kind"] == K.STATEMENT_ISSUED.value]
    first_statement = float(stated["t_min"].iloc[0]) if not stated.empty else math.inf
    rows: list[list[str]] = []
    last_key, last_row = None, None
    for row in ev.itertuples():
        if row.kind == K.POLICY_SILENT.value and row.t_min >= first_statement:
            continue  # a statement already out: the policy line would contradict it
        key = (row.kind, row.actor)
        if row.kind in REPEATING and key == last_key and rows:
            rows[-1][2] = describe(r, last_row, lang) + phrase("repeated", lang,
                                                               t=clock.hhmm(row.t_min) + ("，" if lang == "zh" else ", ")
                                                               + f"T{clock.minute(row.t_min):+d}")
            continue
        last_key, last_row = key, row
        rows.append([clock.stamp(row.t_min, lang), _actor(r, row, lang), describe(r, row, lang)])
    return Table([phrase("time", lang), phrase("actor", lang), phrase("event", lang)], rows)


def _evidence(r: DrillResult, rows: list[int], lang: str) -> Bullets:
    ev = r.events
    clock = narrative.Clock.of(r)
    items = []
    for i in rows:
        row = ev.loc[i]
        colon = "：" if lang == "zh" else ": "
        items.append(f"{clock.stamp(row.t_min, lang)} {_actor(r, row, lang)}{colon}"
                     f"{describe(r, row, lang)}")
    return Bullets(items)


def _late_arrival(r: DrillResult, a: dict, clock, lang: str) -> str:
    """A team late or never on site on timing alone (``evaluation.late_arrivals``), with the
    plan's own muster and travel minutes against the time its order left it."""
    say, who = narrative.say, team_name(r, a["team"], lang)
    # the limit as minutes from T0 (a derived time, not a moment anything happened at)
    ordered, target = clock.text(a["ordered_min"], lang), f"T{_deadline(a['target_min'])}"
    if a["on_site_min"] is None:
        came = say(lang, f"到推演结束仍未到场（时限为{target}）",
                   f"was not on site by the end of the drill (limit {target})")
    else:
        came = say(lang, f"{clock.text(a['on_site_min'], lang)}到场，超出时限（{target}）"
                         f"{a['on_site_min'] - a['target_min']:.0f}分钟",
                   f"was on site at {clock.text(a['on_site_min'], lang)}, "
                   f"{a['on_site_min'] - a['target_min']:.0f} min past its limit ({target})")
    if a["window_min"] <= 0:
        why = say(lang, "接到指令时已过到场时限", "the order came after the limit had passed")
    elif a["own_min"] > a["window_min"]:
        left = say(lang, f"{a['window_min']:.0f}分钟", f"{a['window_min']:.0f} min") \
            if a["window_min"] >= 1 else say(lang, "不到1分钟", "less than a minute")
        why = say(lang, f"预案设定其集结、路途时间合计{a['own_min']:.0f}分钟，而接令后距时限只有"
                        f"{left}，按预案自身的安排无法按时到场",
                  f"the plan gives it {a['own_min']:.0f} min to muster and travel, but only "
                  f"{left} {'was' if a['window_min'] < 1 else 'were'} left between its order and "
                  "the limit: the plan's own timings cannot meet it")
    else:
        why = say(lang, f"预案设定其集结、路途时间合计{a['own_min']:.0f}分钟，本在时限之内，"
                        "实际出动和路途用时超出了预案的设定",
                  f"the plan gives it {a['own_min']:.0f} min to muster and travel, within the "
                  "limit, but the call-out and the journey took longer than that")
    return say(lang, f"{ordered}{who}接到出动指令，{came}；{why}。",
               f"{who} was ordered out at {ordered} and {came}; {why}.")


def _task_words(key: str, lang: str) -> str:
    """A kind of critical task in words, mid-sentence."""
    if key == "medical":   # its label counts the run's cases
        return narrative.say(lang, "伤病员救护", "medical care")
    label = TASK_LABELS[key][lang]
    return label if lang == "zh" else label.lower()


def _handling_text(r: DrillResult, f, clock, lang: str) -> list[str]:
    """On-site handling (``evaluation.handling_gap``): force, people hurt in scuffles, a
    person at risk protected late or never."""
    say, facts, out = narrative.say, f.facts, []
    hurt = facts["injuries"]
    hurt_en = f"{count_en(hurt, 'person', 'people')} {'was' if hurt == 1 else 'were'} injured"
    if facts["force_used"]:
        ev = r.events
        order = narrative.joined([team_name(r, a, lang) for a in dict.fromkeys(
            ev.loc[ev["kind"] == EventKind.FORCE_USED.value, "actor"])], lang)
        n = facts["force_used"]
        out.append(say(lang, f"{order}自{clock.text(facts['first_min'], lang)}起对群众整体使用强制措施{n}次，"
                             f"推演中{hurt}人在冲突中受伤；强制措施激化对立、消耗群众信任，应以区别对待、疏导为主。",
                       f"{order} used force on the crowd as a whole {count_en(n, 'time')} from "
                       f"{clock.text(facts['first_min'], lang)}; {hurt_en} in scuffles. Force "
                       "hardens the confrontation and spends the crowd's trust; differentiated "
                       "handling should come first."))
    elif hurt:
        n = facts["scuffles"]
        out.append(say(lang, f"推演中共发生推搡冲突{n}次，累计约{facts['scuffle_minutes']:.0f}分钟，{hurt}人在冲突中受伤。",
                       f"{count_en(n, 'scuffle')} broke out, about {facts['scuffle_minutes']:.0f} "
                       f"min in all; {hurt_en}."))
    person = facts.get("person")
    if person:
        seen, target = clock.text(person["seen_min"], lang), f"T{_deadline(person['target_min'])}"
        if person["reason"] == "person_fell":
            how = say(lang, "在得到保护之前坠落", "fell before being protected")
        elif person["measured_min"] is None:
            how = say(lang, "到推演结束仍未得到保护", "was still unprotected at the end of the drill")
        else:
            how = say(lang, f"{clock.text(person['measured_min'], lang)}才得到保护（救生气垫到位或人员脱险），"
                            f"晚于按事态需要设定的时限（{target}）",
                      f"was protected (air cushion up or brought to safety) only at "
                      f"{clock.text(person['measured_min'], lang)}, after the limit the incident "
                      f"called for ({target})")
        out.append(say(lang, f"{seen}发现有人欲轻生，该人员{how}。",
                       f"Someone threatening self-harm was seen at {seen} and {how}."))
    return out


def _gap_text(r: DrillResult, f, lang: str) -> list[str]:
    """A gap's facts as sentences, with clock times and names."""
    say, facts, clock = narrative.say, f.facts, narrative.Clock.of(r)
    if f.gap == "familiarity":
        parts = [say(lang, f"{team_name(r, tid, lang)}{int((r.events.loc[f.evidence, 'actor'] == tid).sum())}次"
                           f"（累计延误{minutes:.0f}分钟）",
                     f"{team_name(r, tid, lang)} {int((r.events.loc[f.evidence, 'actor'] == tid).sum())} "
                     f"({minutes:.0f} min lost)")
                 for tid, minutes in facts["minutes_lost_by_team"].items()]
        return [say(lang, f"推演中共记录因不熟悉预案导致的执行失误{facts['slips']}次，其中{'，'.join(parts)}。",
                    f"{count_en(facts['slips'], 'slip')} by staff unsure of the plan "
                    f"{'was' if facts['slips'] == 1 else 'were'} recorded: "
                    f"{'; '.join(parts)}.")]
    if f.gap == "coordination":
        return [GAP_FACTS["coordination"][lang].format(**facts),
                *(_late_arrival(r, a, clock, lang) for a in facts.get("late_arrivals", []))]
    if f.gap == "equipment":
        out = []
        for o in facts["failures"]:
            restored = say(lang, f"{clock.text(o['restored_min'], lang)}更换备用设备",
                           f"a spare arrived at {clock.text(o['restored_min'], lang)}") \
                if o["restored_min"] is not None else GAP_FACTS["never_restored"][lang]
            item, who = word(ITEMS, o["item"], lang), team_name(r, o["team"], lang)
            owner_s = possessive_en(who + "'s")
            out.append(say(lang, f"{who}的{item}在{clock.text(o['failed_min'], lang)}发生故障，{restored}，"
                                 f"停用{o['out_min']:.0f}分钟，其中{o['during'].get('explaining', 0.0):.0f}分钟处于政策宣讲阶段、"
                                 f"{o['during'].get('talks', 0.0):.0f}分钟处于协商阶段。",
                           f"{owner_s} {item} failed at {clock.text(o['failed_min'], lang)}; {restored}; "
                           f"out for {o['out_min']:.0f} min, {o['during'].get('explaining', 0.0):.0f} of "
                           f"them during the policy explanation and {o['during'].get('talks', 0.0):.0f} "
                           "during talks."))
        if facts["shortages"]:
            out.append(GAP_FACTS["equipment_short"][lang].format(n=facts["shortages"]))
        medical = [GAP_FACTS[key][lang].format(n=facts[fact])
                   for key, fact in (("medical_late", "medical_late"),
                                     ("medical_never", "medical_unattended")) if facts[fact]]
        if medical:   # only the counts that are not zero
            out.append(GAP_FACTS["equipment_medical"][lang].format(
                parts=("，" if lang == "zh" else "; ").join(medical)))
        for c in facts.get("missing_capabilities", []):
            sep_ = "、" if lang == "zh" else ", "
            if c.get("tasks"):
                out.append(GAP_FACTS["equipment_capability_tasks"][lang].format(
                    capability=word(CAPABILITIES, c["capability"], lang),
                    tasks=sep_.join(_task_words(k, lang) for k in c["tasks"])))
            if not c["injects"]:
                continue
            out.append(GAP_FACTS["equipment_capability"][lang].format(
                capability=word(CAPABILITIES, c["capability"], lang),
                injects=sep_.join(c["injects"]),
                actions=sep_.join(dict.fromkeys(word(ACTIONS, a, lang) for a in c["actions"]))))
        return out
    if f.gap == "force":
        return _handling_text(r, f, clock, lang)
    # public opinion
    at = facts["rumor_reach_at_statement"]
    statement = say(lang, "推演中未发布权威信息", "no official statement was issued") \
        if facts["first_statement_min"] is None else \
        say(lang, f"{clock.text(facts['first_statement_min'], lang)}首次发布权威信息",
            f"the first statement came at {clock.text(facts['first_statement_min'], lang)}")
    out = [say(lang, f"预案的信息发布政策为“{word(POLICY_WORDS, facts['policy'], lang)}”，网络谣言覆盖率峰值达"
                     f"{facts['rumor_peak_reach']:.1%}，{statement}。",
               f"The plan's release policy is \"{word(POLICY_WORDS, facts['policy'], lang)}\"; the "
               f"rumour's reach peaked at {facts['rumor_peak_reach']:.1%}; {statement}.")]
    if at is not None:
        out.append(GAP_FACTS["public_opinion_at"][lang].format(at=f"{at:.1%}"))
    if facts.get("onlookers_drawn_by_rumour"):
        out.append(say(lang, f"谣言扩散约吸引了{facts['onlookers_drawn_by_rumour']}名围观群众到场。",
                       f"The rumour drew about {facts['onlookers_drawn_by_rumour']} onlookers to the site."))
    if facts.get("plan_gap"):
        rule = narrative.silent_clause(r, lang)
        out.append(say(lang, f"预案缺陷：预案规定不对外发布信息{rule}，对网络谣言扩散时如何发布权威信息未作规定，"
                             "而本次事件需要及时发布。",
                       f"Plan gap: the plan calls for no publicity{rule} and says nothing on answering a "
                       "spreading rumour, which this incident needed."))
    return out


EFFECT_METRICS: dict[str, tuple[str, ...]] = {
    "statement": ("first_statement_min", "rumor_peak_reach"),
    "dispatch": ("first_team_on_site_min", "cordon_min", "agreement_min"),
    "recall": ("peak_mean_agitation", "scuffles", "agreement_min"),
    "reinforcement": ("scuffles", "injuries", "force_used"),
    "posture": ("force_used", "scuffles", "injuries", "scuffle_minutes"),
    "send_leader": ("agreement_min", "cleared_min"),
    "send_top_leader": ("agreement_min", "cleared_min"),
    "water": ("peak_mean_agitation", "health_incidents"),
    "commitment": ("agreement_min", "cleared_min", "broken_promises"),
    "skip_inject": ("outcome", "agreement_min"),
    "add_inject": ("health_incidents", "rumor_peak_reach", "peak_mean_agitation"),
    "wait": (),
}
"""The metrics each kind of decision acts on, shown beside the plain run's."""

FACILITATOR_CONTROLS = ("add_inject", "skip_inject")
"""Choices that are the facilitator's controls of the exercise, not the trainees' decisions."""


EFFECT_SUMMARY = ("outcome", "agreement_min", "cleared_min", "first_statement_min",
                  "rumor_peak_reach", "scuffles", "injuries", "health_incidents")


def effect_value(r: DrillResult, key: str, value, lang: str) -> str:
    """A metric for the effect table: times as clock times, shares as percentages."""
    if value is None:
        return phrase("never", lang)
    if key.endswith("_min") and key not in ("scuffle_minutes",) and isinstance(value, (int, float)):
        return narrative.Clock.of(r).stamp(float(value), lang)
    if key == "scuffle_minutes":   # a duration: in minutes, with its unit (the label drops it)
        return f"{value:.0f}分钟" if lang == "zh" else f"{value:.0f} min"
    return metric_text(key, value, lang)


def _label(key: str, lang: str) -> str:
    """A metric's name for running text (its unit goes with the value)."""
    text = METRIC_LABELS.get(key, {}).get(lang, key)
    return text.replace("（分钟）", "").replace(" (min)", "")


def _decisions(r: DrillResult, baseline: DrillResult | None, lang: str) -> list:
    """Each decision the trainees took, with what it changed against the plain run."""
    say, clock = narrative.say, narrative.Clock.of(r)
    shown = [d for d in r.decisions.itertuples() if not d.prescribed or d.note]
    controls = [d for d in r.decisions.itertuples() if d.action in FACILITATOR_CONTROLS]
    own = [d for d in r.decisions.itertuples()
           if not d.prescribed and d.action not in FACILITATOR_CONTROLS]
    n = len(r.decisions)
    level_names = {lv.id: lv.name.get(lang) for lv in r.plan.levels}

    def point(d) -> str:
        """What stopped the clock: a level by its name, an inject by its id."""
        ref = level_names.get(d.ref, d.ref) if d.trigger == "level" else d.ref
        return word(POINTS, d.trigger, lang) + (f" {ref}" if ref else "")

    tail = phrase("facilitator_controls", lang, c=len(controls),
                  c_en=count_en(len(controls), "control")) if controls else ""
    blocks: list = [phrase("decisions_line" if shown else "decisions_line_none", lang,
                           n=n, n_en=count_en(n, "decision point"), own=len(own),
                           own_en=count_en(len(own), "decision"),
                           controls_zh=tail if lang == "zh" else "",
                           controls_en=tail if lang == "en" else "")]
    if shown:
        blocks.append(Table(
            [phrase("time", lang), phrase("trigger", lang), phrase("decision_col", lang),
             phrase("note_col", lang)],
            [[clock.stamp(d.t_min, lang), point(d),
              (d.label_zh if lang == "zh" else d.label_en)
              + (say(lang, "（导调员操作）", " (the facilitator's control)")
                 if d.action in FACILITATOR_CONTROLS else ""), d.note]
             for d in shown]))
    for u in r.unapplied.itertuples():
        what = u.label_zh if lang == "zh" else u.label_en
        blocks.append(say(lang, f"记录中原定T+{u.t_min:g}的决策“{what}”未能执行："
                                + ("推演在此之前已结束。" if u.reason == "ended" else "此后始终不具备执行条件。"),
                          f"The recorded decision \"{what}\" at T+{u.t_min:g} was not applied: "
                          + ("the drill ended before it." if u.reason == "ended"
                             else "it never became possible.")))
    if baseline is None:
        return blocks
    if not own and not controls:
        blocks.append(say(lang, "参训人员的决策均与预案规定一致，推演结果与同一随机种子下按预案运行的结果相同。",
                          "Every decision was the plan's own: the run is the plain run with the same seed."))
        return blocks
    m, b = r.metrics, baseline.metrics
    if controls:
        blocks.append(phrase("facilitator_note", lang))
    if not own:
        blocks.append(_effect_table(r, baseline, lang))
        return blocks
    blocks.append(say(lang, f"下面将每项与预案不同的决策，与同一随机种子（{r.seed}）下按预案运行（不作干预）的结果对照"
                            + ("；共有多项决策，所列差别为各项决策共同作用的结果。" if len(own) > 1 else "。"),
                      f"Each decision that departed from the plan, beside the plain run with the same "
                      f"seed ({r.seed}) where nobody intervened"
                      + ("; with several decisions, the differences are their joint effect." if len(own) > 1 else ".")))
    items = []
    for d in own:
        keys = EFFECT_METRICS.get(d.action, ())
        parts = []
        for k in keys:
            if m.get(k) == b.get(k):
                continue
            parts.append(say(lang, f"{_label(k, 'zh')}{effect_value(r, k, m.get(k), lang)}（按预案运行：{effect_value(r, k, b.get(k), lang)}）",
                             f"{_label(k, 'en')} {effect_value(r, k, m.get(k), lang)} (plain run: {effect_value(r, k, b.get(k), lang)})"))
        label = d.label_zh if lang == "zh" else d.label_en
        effect = ("；".join(parts) if lang == "zh" else "; ".join(parts)) if parts else \
            say(lang, "相关指标与按预案运行相同", "the figures it acts on are as in the plain run")
        items.append(say(lang, f"{clock.text(d.t_min, lang)}，{label}：{effect}。",
                         f"At {clock.text(d.t_min, lang)}, {label}: {effect}."))
    blocks.append(Bullets(items))
    blocks.append(_effect_table(r, baseline, lang))
    return blocks


def _effect_table(r: DrillResult, baseline: DrillResult, lang: str) -> Table:
    """The run's key figures beside the plain run's (the same seed, nobody intervening)."""
    say, m, b = narrative.say, r.metrics, baseline.metrics
    return Table(
        [phrase("metric", lang), say(lang, "本次推演（含决策）", "This run (with decisions)"),
         say(lang, "按预案运行（同一随机种子）", "Plain run (same seed)")],
        [[_label(k, lang), effect_value(r, k, m.get(k), lang),
          effect_value(r, k, b.get(k), lang)] for k in EFFECT_SUMMARY])


def _clause_applies(r: DrillResult) -> bool:
    """An inject's clause cites the scenario's own plan: shown only under that plan."""
    return r.own_plan


def _unnumbered(heading: str) -> str:
    """A phase's heading without its number ("2.1 ", "（一）"): in the annex it heads a part of
    the event record, not a part of section 2."""
    return re.sub(r"^(\d+\.\d+\s+|（[一二三四五六七八九十]+）)", "", heading)


def _words_after(row, field: str, lang: str) -> str:
    """The scenario's own words in ``field`` (``message``: what an inject tells the
    trainees; ``expected``: its expected action described), after a colon; empty without."""
    text = getattr(row, f"{field}_{lang}")
    return (("：" if lang == "zh" else ": ") + text) if text else ""


def _inject_words(r: DrillResult, row, lang: str) -> str:
    """An inject as the inject table names it: its id, then what it tells the trainees (its
    message, else a sentence for its kind)."""
    own = _words_after(row, "message", lang)
    if own:
        return row.inject + own
    item = next((i for i in r.scenario.injects if i.id == row.inject), None)
    if item is None:
        return row.inject
    text = inject_text(inject_item(item), lang, r.plan)
    return row.inject + (("：" if lang == "zh" else ": ") + text if text != row.inject else "")


def build(r: DrillResult, lang: str = "zh", charts: bool = True,
          e: Evaluation | None = None, org: str | None = None, date: str | None = None,
          baseline: DrillResult | None = None,
          chart_kinds: frozenset[str] = frozenset({"png", "svg"}),
          drawn: Callable[[], list[str | Figure] | None] | None = None) -> Document:
    """The drill summary report (演练总结报告) for ``r`` in ``lang`` (``zh`` or ``en``).

    ``e`` is the run's evaluation when the caller already has it; ``org`` and ``date`` the
    organising unit and the date (else the seed report's placeholders); ``baseline`` the plain
    run with the same seed, for a facilitated run's decisions; ``chart_kinds`` the chart kinds
    the formats to be written need (:func:`reports.document.chart_kinds`). ``drawn``, when
    given, is asked for the charts annex's blocks once the text before it is built (charts
    drawn in another process, :mod:`reports.chart_process`); when it has none, the charts
    are drawn here (:func:`reports.run_charts.annex`).
    """
    say = narrative.say
    m, sc, plan = r.metrics, r.scenario, r.plan
    e = e if e is not None else evaluate(r)
    clock = narrative.Clock.of(r)
    org_text = org or narrative.PLACEHOLDER_ORG[lang]
    date_text = date or narrative.PLACEHOLDER_DATE[lang]
    doc = Document(
        title=say(lang, f"{sc.title.get(lang)}总结报告", f"{sc.title.get(lang)}: drill summary report"),
        subtitle="",
        lang=lang,
        footer=phrase("generated", lang),
        org=org_text,
        date=date_text,
    )
    outcome = word(VALUE_WORDS, m["outcome"], lang)
    doc.preface.append(say(
        lang,
        f"为检验《{plan.title.get(lang)}》的可行性和有效性，提高各部门应对群体性上访事件的协调配合和应急处置能力，"
        f"{org_text}于{date_text}组织开展了“{sc.title.get(lang)}”桌面推演。推演以{sc.site.name.get(lang)}发生的群体性上访事件为情景，"
        f"按分钟推演了从发现聚集到{say(lang, '现场疏散' if m['cleared_min'] is not None else '想定时限结束', '')}的全过程，"
        f"结果为“{outcome}”，综合评定等级为“{e.grade_zh}”。以下是对本次推演的总结报告。",
        f"To test whether \"{plan.title.get(lang)}\" is feasible and effective and to improve how "
        f"departments work together in a mass-petition incident, {org_text} held the tabletop drill "
        f"\"{sc.title.get(lang)}\" on {date_text}. The drill played an incident (the site: "
        f"{narrative.inline(sc.site.name.get(lang), lang)}) minute by minute from the first sighting to "
        f"{'the site cleared' if m['cleared_min'] is not None else 'the end of the scenario time'}; "
        f"the outcome was \"{outcome}\" and the overall grade \"{e.grade_en}\". This report sums it up."))

    # 一、演练基本情况
    s = Section(phrase("s1", lang))
    s.blocks.append(Subheading(phrase("s1_background", lang)))
    background = [sc.description.get(lang)] if sc.description else []
    background.append(say(lang, f"本次推演依据《{plan.title.get(lang)}》组织实施。",
                          f"The drill follows \"{plan.title.get(lang)}\"."))
    s.blocks.append("".join(background) if lang == "zh" else " ".join(background))
    s.blocks.append(Subheading(phrase("s1_objectives", lang)))
    s.blocks.append(say(lang, "通过推演，检验预案的可行性和有效性，检验各部门之间的协调联动能力和工作人员的应急处置能力。"
                              "预案对各环节多要求“立即”“迅速”，未规定具体分钟数；本次推演据此设定以下评估标准"
                              "（自首次发现聚集起计时），用于评定各关键任务：",
                        "The drill tests whether the plan is feasible and effective, how departments "
                        "work together and how capable the staff are. The plan asks for most steps "
                        "\"at once\" or \"swiftly\" without a number of minutes; the drill sets the "
                        "following criteria (minutes from the first sighting) to rate the critical tasks:"))
    items = []
    for t in e.tasks:
        if t.rating == "NA" or t.key in ("medical", "restraint"):
            continue
        label = task_label(r, t, lang)
        if t.target_min is None:
            items.append(phrase("objective_level" if t.key == "level" else "objective_nolimit",
                                lang, task=label))
        elif t.detail.get("basis") == "need" and t.key == "person_at_risk":
            within = rules()["criteria"]["person_protected_min"]
            items.append(say(lang, f"{label}：发现有人扬言轻生后{within}分钟内（不超过T{_deadline(t.target_min)}分钟；"
                                   "预案未作规定，按事态需要设定）",
                             f"{label}: within {within} min of the person being seen (by "
                             f"T{_deadline(t.target_min)}; the plan sets nothing, the incident's "
                             "need does)"))
        elif t.detail.get("basis") == "need":
            items.append(say(lang, f"{label}：网络谣言覆盖率超过{t.detail['threshold']:.0%}后"
                                   f"{rules()['criteria']['statement_after_rumour_min']}分钟内（不超过T{_deadline(t.target_min)}分钟；预案未作规定，按事态需要设定）",
                             f"{label}: within {rules()['criteria']['statement_after_rumour_min']} min of the rumour "
                             f"passing {t.detail['threshold']:.0%} (by T{_deadline(t.target_min)}; the plan sets "
                             "nothing, the incident's need does)"))
        elif t.detail.get("since_rumour") is not None:
            # a reactive plan's statement: counted from the rumour's first appearance
            items.append(say(lang, f"{label}：网络谣言出现后{t.detail['within']:g}分钟内（不超过T{_deadline(t.target_min)}分钟；"
                                   "预案为被动回应，自谣言出现起算）",
                             f"{label}: within {t.detail['within']:g} min of the rumour appearing "
                             f"(by T{_deadline(t.target_min)}; the plan answers rumours, so the "
                             "time counts from the rumour)"))
        elif t.detail.get("since_level"):
            # a deadline counted from a level's declaration: said so, with the derived time
            items.append(phrase("objective_from_level", lang, task=label,
                                level=level_name(r, t.detail["since_level"], lang),
                                within=f"{t.detail['within']:g}",
                                target=_deadline(t.target_min)))
        else:
            # signed: a deadline that fell before T0 (a report due after a warning) reads T-13
            items.append(phrase("objective_item", lang, task=label, target=_deadline(t.target_min)))
    s.blocks.append(Bullets(items))
    s.blocks.append(Subheading(phrase("s1_time_place", lang)))
    s.blocks.append(say(lang, f"时间：{date_text} {narrative.clock_span(r, lang)}。",
                        f"Time: {date_text}, {narrative.clock_span(r, lang)}."))
    s.blocks.append(say(lang, f"地点：{sc.site.name.get(lang)}（{phrase('outdoor' if sc.site.outdoor else 'indoor', lang)}，"
                              f"约{sc.site.area_m2:g}平方米）；{phrase('weather_fmt', lang, t=sc.weather.temperature_c, h=sc.weather.humidity_pct)}。",
                        f"Place: {sc.site.name.get(lang)} ({phrase('outdoor' if sc.site.outdoor else 'indoor', lang)}, "
                        f"about {sc.site.area_m2:g} m²); {phrase('weather_fmt', lang, t=sc.weather.temperature_c, h=sc.weather.humidity_pct)}."))
    s.blocks.append(Subheading(phrase("s1_participants", lang)))
    # the teams that took part: sent out, or there from the start; the rest stayed in reserve
    took = r.teams[r.teams["dispatched_min"].notna() | r.teams["on_site_min"].notna()
                   | r.teams["command_post"].astype(bool)]
    idle = [t for t in r.teams["team"] if t not in set(took["team"])]
    names = narrative.names_of(r, list(took["team"]), lang)
    reserve = narrative.names_of(r, idle, lang) if idle else ""
    s.blocks.append(say(lang, f"本次推演涉及{names}共{len(took)}个工作组，计{int(took['size'].sum())}名工作人员"
                              + (f"（{reserve}未出动）" if idle else "") + "；"
                              f"模拟上访群众最多时{m['peak_crowd']}人，围观群众最多时{m['peak_onlookers']}人。",
                        f"{count_en(len(took), 'team')} took part, {int(took['size'].sum())} "
                        f"staff in all: {names}" + (f" ({reserve} not sent out)" if idle else "")
                        + ". "
                        f"At most {count_en(m['peak_crowd'], 'petitioner')} and "
                        f"{count_en(m['peak_onlookers'], 'onlooker')} were present."))
    s.blocks.append(Table(
        [phrase("team", lang), phrase("capabilities", lang), phrase("size", lang),
         say(lang, "接到指令", "Ordered out"), say(lang, "到达现场", "On site")],
        [[team_name(r, t.team, lang),
          ("、" if lang == "zh" else ", ").join(
              word(CAPABILITIES, c.value, lang) for c in plan.teams[t.team].capabilities),
          str(t.size),
          "—" if t.dispatched_min is None else clock.stamp(t.dispatched_min, lang),
          "—" if t.on_site_min is None
          else clock.stamp(narrative.arrival_time(r, t.team, t.on_site_min), lang)]
         for t in r.teams.itertuples()]))
    doc.sections.append(s)

    # 二、演练过程
    s = Section(phrase("s2", lang))
    phases = {"report": narrative.phase_report(r, lang),
              "stabilise": narrative.phase_stabilise(r, e, lang),
              "information": narrative.phase_information(r, lang),
              "negotiation": narrative.phase_negotiation(r, lang),
              "dispersal": narrative.phase_dispersal(r, lang)}
    for phase, paragraphs in phases.items():
        s.blocks.append(Subheading(phrase(f"phase_{phase}", lang)))
        s.blocks.extend(paragraphs)
    doc.sections.append(s)

    # 三、演练效果评估
    s = Section(phrase("s3", lang))
    count = iter(range(1, 20))

    def sub(key: str) -> str:
        return numbered(3, next(count), phrase(key, lang), lang)

    counts = e.counts()
    timed = [t for t in e.tasks if t.target_min is not None and t.rating != "NA"]
    s.blocks.append(Subheading(sub("s3_effect")))
    met = sum(1 for t in timed if on_time(t.measured_min, t.target_min))
    late = sum(1 for t in timed if t.measured_min is not None and on_time(t.measured_min, t.target_min) is False)
    undone = sum(1 for t in timed if t.measured_min is None)
    effect = []
    if m["outcome"] == "resolved":
        effect.append(say(lang, f"从推演结果看，事件得到妥善处置：{clock.text(m['agreement_min'], lang)}达成承诺，"
                                f"{clock.text(m['cleared_min'], lang)}现场疏散完毕。",
                          f"The incident was resolved: a commitment at {clock.text(m['agreement_min'], lang)} "
                          f"and the site cleared at {clock.text(m['cleared_min'], lang)}."))
    else:
        effect.append(phrase("effect_other", lang, outcome=outcome))
    if m.get("end_reason") == "time_limit":
        effect.append(phrase("effect_time_limit", lang, limit=f"{r.scenario.end.max_min:g}"))
        effect.append(phrase("effect_resolving" if m.get("resolving_at_end") else "effect_unresolved", lang))
    effect.append(say(lang, f"有评估标准的关键任务中，{met}项达到标准，{late}项超时，{undone}项未完成。",
                      f"Critical tasks with a criterion: met {met}, late {late}, not done {undone}."))
    effect.append(phrase("effect_state", lang, state=word(VALUE_WORDS, m["max_crowd_state"], lang),
                         scuffles=m["scuffles"], health=m["health_incidents"]))
    effect.append(_score_line(e, counts, lang))
    if e.caps:
        _, scored_zh, scored_en = score(e.tasks)
        effect.append(phrase("grade_capped", lang, caps=("、" if lang == "zh" else "; ").join(
            phrase(f"cap_{c}", lang, n=_cap_harm()) for c in e.caps), scored=scored_zh if lang == "zh" else scored_en,
            grade=e.grade_zh if lang == "zh" else e.grade_en))
    elif e.caps_met:
        worst = max((c["grade"] for c in rules()["caps"] if c["id"] in e.caps_met),
                    key=[g["zh"] for g in rules()["grades"]].index)
        worst_en = next(g["en"] for g in rules()["grades"] if g["zh"] == worst)
        why = ("、" if lang == "zh" else "; ").join(phrase(f"cap_{c}", lang, n=_cap_harm()) for c in e.caps_met)
        effect.append(say(lang, f"因{why}，按评定规则等级不得高于“{worst}”，任务得分对应的等级已不高于此。",
                          f"Because {why}, the rules allow no grade above \"{worst_en}\"; the "
                          "task score's grade is no higher."))
    s.blocks.append("".join(effect) if lang == "zh" else " ".join(effect))
    s.blocks.append(Subheading(sub("s3_coordination")))
    tally = message_tally(r)
    coord = [phrase("coord_line", lang, **tally, wait=shown_wait_minutes(r))]
    groups = narrative.dispatch_groups(r)
    if groups:
        first_t, first = groups[0]
        coord.append(say(lang, f"{clock.text(first_t, lang)}首批通知{len(first)}个工作组"
                               + (f"，此后又分{len(groups) - 1}批通知其余工作组" if len(groups) > 1 else "") + "。",
                         f"The first call-out at {clock.text(first_t, lang)} reached "
                         f"{count_en(len(first), 'team')}"
                         + (f"; the rest were called in {count_en(len(groups) - 1, 'later call-out')}"
                            if len(groups) > 1 else "") + "."))
    s.blocks.append("".join(coord) if lang == "zh" else " ".join(coord))
    s.blocks.append(Subheading(sub("s3_staff")))
    fam = e.finding("familiarity")
    if fam is None:
        s.blocks.append(phrase("staff_none", lang))
    else:
        s.blocks.extend(_gap_text(r, fam, lang))
    s.blocks.append(Subheading(sub("s3_ratings")))
    s.blocks.append(_score_line(e, counts, lang))
    s.blocks.append(Table(
        [phrase("task", lang), phrase("criterion", lang),
         phrase("measured", lang), phrase("rating", lang), phrase("reason", lang)],
        [[task_label(r, t, lang), criterion_text(t, lang),
          fmt_min(t.measured_min, lang), rating_text(t.rating, lang), reason_text(r, t, lang)]
         for t in e.tasks]))
    need = any(t.detail.get("basis") == "need" for t in e.tasks)
    s.blocks.append(say(lang, "说明：表中时限为本次推演设定的评估标准，自首次发现聚集（T0）起计；预案原文多为“立即”“迅速”等要求，"
                              "并非预案规定的分钟数。"
                              + ("标注“按事态需要”的一项，预案未作规定，按事态需要设定。" if need else ""),
                        "Note: the times are criteria the drill sets, in minutes from the first sighting "
                        "(T0); the plan itself mostly says \"at once\" or \"swiftly\" and gives no minutes."
                        + (" A criterion marked \"incident's need\" is one the plan leaves out, set by "
                           "what the incident needed." if need else "")))
    if any(x is not None and x < 0 for t in e.tasks for x in (t.target_min, t.measured_min)):
        s.blocks.append(say(lang, "表中负值表示首次发现聚集（T0）之前的时间（按预警提前处置）。",
                            "A negative time is before the first sighting (T0): work done on a "
                            "warning."))
    over = rules()["rating"]["s_over_target"]
    s.blocks.append(phrase("rating_rule", lang, over=over))
    s.blocks.append(phrase("score_rule", lang, **rules()["points"]))
    grades_en = {g["zh"]: g["en"] for g in rules()["grades"]}
    caps = [say(lang, f"{phrase('cap_' + c['id'], lang, n=_cap_harm())}的，不高于“{c['grade']}”",
                f"{phrase('cap_' + c['id'], lang, n=_cap_harm())}: at most \"{grades_en[c['grade']]}\"")
            for c in rules()["caps"]]
    s.blocks.append(say(lang, "封顶规则（处置后果优先于任务平均分）：" + "；".join(caps) + "。",
                        "Caps (what happened comes before the mean of task points): "
                        + "; ".join(caps) + "."))
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
        applies = _clause_applies(r)
        clauses = bool(((inj["clause_zh"] != "") | (inj["clause_en"] != "")).any())
        if clauses and not applies:
            s.blocks.append(say(lang, "注：导调注入的检验条款按想定的原用预案编写，与本次所用预案不对应，表中不列出。",
                                "Note: the injects' clauses cite the scenario's own plan, not the plan "
                                "used here, and are left out."))
        table = Table(
            [phrase("inject", lang), phrase("trigger", lang), phrase("fired", lang),
             phrase("expected_action", lang), phrase("deadline", lang), phrase("response", lang),
             phrase("status_col", lang), phrase("clause", lang)],
            [[_inject_words(r, row, lang), word(TRIGGERS, row.trigger, lang),
              "—" if row.fired_min is None or row.fired_min != row.fired_min
              else clock.stamp(row.fired_min, lang),
              "" if row.expected_action is None else
              word(ACTIONS, row.expected_action, lang)
              + ("" if row.expected_team is None else
                 say(lang, f"（{team_or_capability(r, row.expected_team, lang)}）",
                     f" ({team_or_capability(r, row.expected_team, lang)})"))
              + _words_after(row, "expected", lang),
              "" if row.deadline_min is None else fmt_min(row.deadline_min, lang),
              "" if row.response_min is None else fmt_min(row.response_min, lang),
              word(INJECT_STATUS, row.status, lang),
              (row.clause_zh if lang == "zh" else row.clause_en) if applies else "—"]
             for row in inj.itertuples()])
        if not clauses:   # no inject cites a clause: no column for them
            table = Table(table.columns[:-1], [row[:-1] for row in table.rows])
        s.blocks.append(table)
    if len(r.decisions) or len(r.unapplied):
        s.blocks.append(Subheading(sub("s3_decisions")))
        s.blocks.extend(_decisions(r, baseline, lang))
    s.blocks.extend(room_blocks(r, lang))
    s.blocks.append(Subheading(sub("s3_gaps")))
    if not e.findings:
        s.blocks.append(phrase("no_gaps", lang))
    for n, f in enumerate(e.findings, start=1):
        text = _gap_text(r, f, lang)
        s.blocks.append(f"{n}. {GAP_TITLES[f.gap][lang]}" + say(lang, "。", ". ") + ("".join(text) if lang == "zh" else " ".join(text)))
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

    # 附件一：推演方法说明 (model internals are here, not among the participants or the place)
    s = Section(say(lang, "附件一：推演方法说明", "Annex 1: Method"))
    fam_text = ("；" if lang == "zh" else "; ").join(
        f"{team_name(r, t.team, lang)} {t.familiarity:.0%}" for t in r.teams.itertuples())
    s.blocks.append(say(lang, f"本报告由计算机桌面推演生成，所有时间、人数和事件均来自本次推演的事件记录（events.csv）、"
                              f"态势序列（timeseries.csv）和指标文件（metrics.json）。推演按分钟进行，T0为首次发现聚集的时刻，"
                              f"对应时钟时间{clock.text(0.0, lang)}；想定时限{r.scenario.end.max_min:g}分钟。",
                        f"This report was generated from a computer tabletop simulation: every time, "
                        f"count and event comes from the run's event log (events.csv), time series "
                        f"(timeseries.csv) and metrics (metrics.json). The run advances minute by "
                        f"minute; T0, the first sighting, is {clock.text(0.0, lang)} on the clock; "
                        f"the scenario's time limit is {r.scenario.end.max_min:g} min."))
    s.blocks.append(Bullets([
        say(lang, f"预案版本（含参数调整）：{variant_words(r, lang)}",
            f"Plan variant (with overrides): {variant_words(r, lang)}"),
        say(lang, f"想定：{r.scenario.title.get(lang)}（{r.scenario.name}）",
            f"Scenario: {r.scenario.title.get(lang)} ({r.scenario.name})"),
        say(lang, f"随机种子：{r.seed}（同一种子、同一输入得到完全相同的推演）",
            f"Seed: {r.seed} (the same seed and inputs give the same run)"),
        say(lang, f"各工作组预案熟悉度（模型输入，影响出动延误和失误概率）：{fam_text}",
            f"Plan familiarity of each team (a model input that drives delays and slips): {fam_text}"),
    ]))
    doc.sections.append(s)

    if charts:
        s = Section(say(lang, "附件二：态势图表", "Annex 2: Charts"))
        blocks = drawn() if drawn is not None else None
        if blocks is None:
            from reports.run_charts import annex  # matplotlib is loaded only to draw here

            blocks = annex(ChartData.of(r, e.tasks), lang, chart_kinds)
        s.blocks.extend(blocks)
        doc.sections.append(s)

    s = Section(say(lang, "附件三：推演事件记录", "Annex 3: Event record"))
    for phase, kinds in PHASES.items():
        table = _event_table(r, kinds, lang)
        if table.rows:
            s.blocks.append(Subheading(_unnumbered(phrase(f"phase_{phase}", lang))))
            s.blocks.append(table)
    doc.sections.append(s)
    doc.sections.append(plan_section(r, lang))
    return doc
