"""The plan as the drill ran it: an appendix listing every field the plan file set.

A trainer who signs the report must be able to check what was tested: the levels and what
starts each, who commands, the teams with their staff, kit and times, the first-response
steps, the warning measures, the reporting chain and the release policy. Descriptive fields
(names, colours, bands, sources, clauses) appear here and nowhere else.
"""

from __future__ import annotations

from reports.condition_words import condition_text
from reports.document import Bullets, Section, Subheading, Table
from reports.i18n import (
    CAPABILITIES,
    ITEMS,
    POLICY_WORDS,
    TARGET_LABELS,
    VALUE_WORDS,
    colour_word,
    word,
)
from sim.core.result import DrillResult
from sim.core.types import Capability

WORDS: dict[str, dict[str, str]] = {
    "title": {"zh": "附件四：预案要点（本次推演所用）", "en": "Annex 4: The plan as the drill used it"},
    "plan": {"zh": "预案：{title}（{name}；本次推演：{label}）。来源：{source}。",
             "en": "Plan: {title} ({name}; in this drill: {label}). Source: {source}."},
    "no_source": {"zh": "未注明", "en": "not given"},
    "levels": {"zh": "响应级别", "en": "Response levels"},
    "no_levels": {"zh": "预案未分级：指挥部接报后根据情况派出全部力量。",
                  "en": "The plan has no levels: the HQ sends every team on the first report."},
    "level_cols": {"zh": "级别|名称|颜色|启动条件|指挥|出动力量|请求增援|向上报告",
                   "en": "Level|Name|Colour|Starts when|Commander|Teams sent|Reinforcement|Reports up"},
    "band": {"zh": "{low}人起", "en": "from {low} people"},
    "band_to": {"zh": "{low}–{high}人", "en": "{low}-{high} people"},
    "or": {"zh": "；或", "en": "; or "},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "roles": {"zh": "指挥角色", "en": "Commanding roles"},
    "role_cols": {"zh": "角色|到场（分钟）|可决定的诉求难度",
                  "en": "Role|On site after (min)|Hardest demand they may commit to"},
    "teams": {"zh": "工作力量", "en": "Teams"},
    "team_cols": {"zh": "队伍|职能（人数）|集结/路途（分钟）|到场时限|熟悉度|装备|其他",
                  "en": "Team|Tasks (staff)|Call-out / travel (min)|On site within|Familiarity|Kit|Other"},
    "prepositioned": {"zh": "预置现场", "en": "on site from the start"},
    "posture": {"zh": "处置姿态：{p}", "en": "posture: {p}"},
    "restrained": {"zh": "克制", "en": "restrained"},
    "forceful": {"zh": "强制", "en": "forceful"},
    "answers": {"zh": "答复问题{low:.0f}–{high:.0f}分钟", "en": "answers questions in {low:.0f}-{high:.0f} min"},
    "reinforcement": {"zh": "增援{size}人（{delay:.0f}分钟；自{level}起可请求，启动{levels}时请求）",
                      "en": "reinforcement of {size} ({delay:.0f} min; from {level}, requested at "
                            "{levels})"},
    "reinforcement_manual": {"zh": "增援{size}人（{delay:.0f}分钟；自{level}起可请求，但没有级别自动请求，仅可由导调决策请求）",
                             "en": "reinforcement of {size} ({delay:.0f} min; from {level}, "
                                   "requested at no level: only on a facilitator's decision)"},
    "first_response": {"zh": "先期处置", "en": "First response"},
    "none": {"zh": "预案未列先期处置步骤。", "en": "The plan lists no first-response steps."},
    "warning": {"zh": "预警措施", "en": "Warning measures"},
    "warning_text": {"zh": "接到预警后：预置力量 {teams}；宣布级别 {level}；{statement}。",
                     "en": "On a warning: teams sent ahead {teams}; level declared {level}; {statement}."},
    "statement_yes": {"zh": "发布权威信息", "en": "a statement issued"},
    "statement_no": {"zh": "不发布信息", "en": "no statement"},
    "by_condition": {"zh": "按启动条件", "en": "by the levels' conditions"},
    "no_warning": {"zh": "预案未规定预警措施。", "en": "The plan sets no warning measures."},
    "command": {"zh": "指挥与报告", "en": "Command and reporting"},
    "command_text": {"zh": "指挥部：{team}；首报：{reporter}；核实{verify:g}分钟，启动{activate:g}分钟，每{every:g}分钟研判一次。",
                     "en": "HQ: {team}; first report by {reporter}; verification {verify:g} min, activation {activate:g} min, reassessment every {every:g} min."},
    "report_cols": {"zh": "编号|报告对象|时限（分钟）|自何级别",
                    "en": "Id|Report to|Within (min)|From level"},
    "any_level": {"zh": "任一级别", "en": "any level"},
    "publicity": {"zh": "信息发布：{policy}，由{team}负责；主动发布延时{delay:g}分钟，被动回应阈值{threshold:.0%}，起草{drafting:g}分钟，可信度{cred:.0%}，覆盖上限{reach:.0%}。{clause}",
                  "en": "Information release: {policy}, by {team}; proactive after {delay:g} min, reactive at {threshold:.0%} reach, drafting {drafting:g} min, credibility {cred:.0%}, reach ceiling {reach:.0%}. {clause}"},
    "unit": {"zh": "涉事单位：{name}；负责人{leader:g}分钟到场，主要领导{top:g}分钟；可决定的诉求难度{authority:.0%}。",
             "en": "Responsible unit: {name}; its leader comes in {leader:g} min, the top leader in {top:g} min; hardest demand it may commit to {authority:.0%}."},
    "targets": {"zh": "本次推演的评估时限（分钟）：{items}。", "en": "The drill's time criteria (min): {items}."},
}


def _w(key: str, lang: str, **fmt) -> str:
    return WORDS[key][lang].format(**fmt) if fmt else WORDS[key][lang]


def _team(r: DrillResult, tid: str, lang: str) -> str:
    team = r.plan.teams.get(tid)
    return team.name.get(lang) if team is not None else tid


def _level_rows(r: DrillResult, lang: str) -> list[list[str]]:
    plan, sep = r.plan, "、" if lang == "zh" else ", "
    rows = []
    for lv in plan.levels:
        starts = []
        if lv.min_headcount is not None:
            starts.append(_w("band_to", lang, low=lv.min_headcount, high=lv.max_headcount)
                          if lv.max_headcount is not None else _w("band", lang, low=lv.min_headcount))
        if lv.when:
            starts.append(condition_text(lv.when, lang))
        commander = plan.roles[lv.commander].name.get(lang) if lv.commander in plan.roles else "—"
        rows.append([lv.id, lv.name.get(lang), colour_word(lv.color, lang) if lv.color else "—", _w("or", lang).join(starts),
                     commander, sep.join(_team(r, t, lang) for t in lv.dispatch) or "—",
                     _w("yes" if lv.request_reinforcement else "no", lang),
                     _w("yes" if lv.report_up else "no", lang)])
    return rows


def _task(staff: float, name: str, cap: Capability, lang: str) -> str:
    """A capability with its staff; command and intel are done by the team's other staff."""
    if cap in (Capability.COMMAND, Capability.INTEL) and staff == 0:
        return name
    return f"{name}（{staff:g}人）" if lang == "zh" else f"{name} ({staff:g})"


def _team_rows(r: DrillResult, lang: str) -> list[list[str]]:
    sep = "、" if lang == "zh" else ", "
    rows = []
    for t in r.plan.teams.values():
        tasks = sep.join(_task(t.staff_for(c), word(CAPABILITIES, c.value, lang), c, lang)
                         for c in t.capabilities)
        kit = sep.join(f"{word(ITEMS, k.value, lang)} {n}" for k, n in t.equipment.items()) or "—"
        other = []
        if t.prepositioned:
            other.append(_w("prepositioned", lang))
        if t.posture is not None:
            other.append(_w("posture", lang, p=_w(t.posture.value, lang)))
        if t.answers_min is not None:
            other.append(_w("answers", lang, low=t.answers_min.low, high=t.answers_min.high))
        if t.reinforcement is not None:
            rf = t.reinforcement
            # requested at each level from from_level up that requests reinforcement
            ids = [lv.id for lv in r.plan.levels]
            at = [lv.name.get(lang) for lv in r.plan.levels[ids.index(rf.from_level):]
                  if lv.request_reinforcement] if rf.from_level in ids else []
            named = {lv.id: lv.name.get(lang) for lv in r.plan.levels}
            other.append(_w("reinforcement" if at else "reinforcement_manual", lang,
                            size=rf.size, delay=rf.delay_min,
                            level=named.get(rf.from_level, rf.from_level), levels=sep.join(at)))
        within = "—" if t.on_site_within_min is None else f"{t.on_site_within_min:g}"
        rows.append([f"{t.name.get(lang)}（{t.size}人）" if lang == "zh" else f"{t.name.get(lang)} ({t.size})",
                     tasks, f"{t.mobilisation_min:g} / {t.travel_min:g}", within,
                     f"{t.familiarity:.0%}", kit, sep.join(other) or "—"])
    return rows


def plan_section(r: DrillResult, lang: str) -> Section:
    """The appendix section listing the plan's fields."""
    plan = r.plan
    s = Section(_w("title", lang))
    s.blocks.append(_w("plan", lang, title=plan.title.get(lang), name=plan.name, label=r.plan_label,
                       source=plan.source or _w("no_source", lang)))
    s.blocks.append(Subheading(_w("levels", lang)))
    if plan.levels:
        s.blocks.append(Table(_w("level_cols", lang).split("|"), _level_rows(r, lang)))
    else:
        s.blocks.append(_w("no_levels", lang))
    if plan.roles:
        s.blocks.append(Subheading(_w("roles", lang)))
        s.blocks.append(Table(_w("role_cols", lang).split("|"), [
            [role.name.get(lang), f"{role.arrive_min:g}", f"{role.authority:.0%}"]
            for role in plan.roles.values()]))
    s.blocks.append(Subheading(_w("teams", lang)))
    s.blocks.append(Table(_w("team_cols", lang).split("|"), _team_rows(r, lang)))
    s.blocks.append(Subheading(_w("first_response", lang)))
    if plan.first_response:
        s.blocks.append(Bullets([word(VALUE_WORDS, step.value, lang)
                                 for step in plan.first_response]))
    else:
        s.blocks.append(_w("none", lang))
    s.blocks.append(Subheading(_w("warning", lang)))
    w = plan.warning
    if w is None:
        s.blocks.append(_w("no_warning", lang))
    else:
        sep = "、" if lang == "zh" else ", "
        s.blocks.append(_w("warning_text", lang,
                           teams=sep.join(_team(r, t, lang) for t in w.preposition) or "—",
                           level=(w.declare_level or _w("by_condition", lang)) if w.declare
                           else _w("no", lang),
                           statement=_w("statement_yes" if w.statement else "statement_no", lang))
                        + (f" {w.clause.get(lang)}" if w.clause else ""))
    s.blocks.append(Subheading(_w("command", lang)))
    c = plan.command
    s.blocks.append(_w("command_text", lang, team=_team(r, c.team, lang),
                       reporter=_team(r, c.first_report_by, lang), verify=c.verify_min,
                       activate=c.activate_min, every=c.reassess_every_min))
    if plan.reporting:
        named = {lv.id: lv.name.get(lang) for lv in plan.levels}
        s.blocks.append(Table(_w("report_cols", lang).split("|"), [
            [rep.id, rep.to.get(lang), f"{rep.within_min:g}",
             named.get(rep.from_level, rep.from_level) if rep.from_level
             else _w("any_level", lang)]
            for rep in plan.reporting]))
    p = plan.publicity
    s.blocks.append(_w("publicity", lang, policy=word(POLICY_WORDS, p.release_policy.value, lang),
                       team=_team(r, p.team, lang), delay=p.proactive_delay_min,
                       threshold=p.reactive_threshold, drafting=p.drafting_min,
                       cred=p.credibility, reach=p.reach,
                       clause=p.clause.get(lang) if p.clause else ""))
    u = plan.responsible_unit
    s.blocks.append(_w("unit", lang, name=u.name.get(lang), leader=u.leader_delay_min,
                       top=u.top_leader_delay_min, authority=u.authority))
    targets = [f"{word(TARGET_LABELS, k, lang)} {v:g}"
               for k, v in plan.targets.model_dump().items() if v is not None]
    s.blocks.append(_w("targets", lang, items=("；" if lang == "zh" else "; ").join(targets) or "—"))
    return s
