"""The drill summary report's prose: each section of 二、演练过程 and 三、演练效果评估 as
paragraphs in the register of the seed report, with clock times, the actors by name and what
the event log shows.

Every sentence is built from the run's files (the event log, the time series, the metrics and
the evaluation); a sentence whose fact is not in the run is left out, never written with a
placeholder. Chinese and English mirror each other: each sentence is written once in both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from reports.condition_words import condition_text
from reports.evaluation import Evaluation, rules, rumour_drawn_onlookers, shown_wait_minutes
from reports.i18n import CAUSE_WORDS, ITEMS, VALUE_WORDS, count_en, possessive_en, report_name, word
from sim.core.result import DrillResult
from sim.core.timing import on_time
from sim.core.types import EventKind, ReleasePolicy, Task

K = EventKind

PLACEHOLDER_ORG = {"zh": "[单位名称]", "en": "[organising unit]"}
PLACEHOLDER_DATE = {"zh": "[具体日期]", "en": "[date]"}
MAX_STATE_CHANGES = 6
"""Changes of the crowd's state told in the prose; the rest are in the event record annex."""


def say(lang: str, zh: str, en: str) -> str:
    """The sentence in ``lang``: both languages are written side by side, so they mirror."""
    return zh if lang == "zh" else en


def inline(name: str, lang: str) -> str:
    """A name from a file set inside an English sentence: a leading "The" in lower case
    ("at the square", not "at The square")."""
    if lang == "en" and name.startswith("The "):
        return "the " + name[4:]
    return name


def sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def joined(items: list[str], lang: str) -> str:
    """A list in running text: 甲、乙和丙 / A, B and C."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if lang == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------- clock


@dataclass(frozen=True)
class Clock:
    """Turns minutes from T0 into the time of day, from the scenario's ``start_clock``."""

    start_min: int

    @classmethod
    def of(cls, r: DrillResult) -> Clock:
        hh, mm = str(getattr(r.scenario, "start_clock", "09:00") or "09:00").split(":")
        return cls(int(hh) * 60 + int(mm))

    @staticmethod
    def minute(t: float) -> int:
        """``t`` to the nearest minute, half a minute up (the clock and ``T+`` agree)."""
        return int(math.floor(t + 0.5))

    def parts(self, t: float) -> tuple[int, int, int]:
        """(day offset, hour, minute) of ``t`` minutes from T0 (to the nearest minute, as the
        tables' ``T+`` minutes)."""
        total = self.start_min + self.minute(t)
        return total // 1440, (total % 1440) // 60, total % 60

    def text(self, t: float, lang: str) -> str:
        """``9时03分`` / ``09:03``; ``次日`` / ``next day`` past midnight."""
        day, h, m = self.parts(t)
        if lang == "zh":
            return {1: "次日", -1: "前一日"}.get(day, "") + f"{h}时{m:02d}分"
        return f"{h:02d}:{m:02d}" + {1: " next day", -1: " the day before"}.get(day, "")

    def hhmm(self, t: float) -> str:
        day, h, m = self.parts(t)
        return f"{h:02d}:{m:02d}" + (f"{day:+d}" if day else "")   # +1 next day, -1 the day before

    def stamp(self, t: float, lang: str) -> str:
        """A table's time cell: the clock time with the minutes from T0."""
        mark = f"T{self.minute(t):+d}"   # T+5, or T-120 before T0 on a warning
        return f"{self.hhmm(t)}（{mark}）" if lang == "zh" else f"{self.hhmm(t)} ({mark})"


# --------------------------------------------------------------------------- names


def level_condition(r: DrillResult, level_id: str, lang: str) -> str:
    """A level's ``when`` condition in words ("" when it has none)."""
    lv = next((x for x in r.plan.levels if x.id == level_id), None)
    return condition_text(lv.when, lang) if lv is not None and lv.when else ""


def silent_clause(r: DrillResult, lang: str) -> str:
    """The plan's own words for its silent release policy, in brackets (its clause), or
    nothing when it cites none: never another plan's words."""
    clause = r.plan.publicity.clause
    if not clause:
        return ""
    return f"（{clause.get(lang)}）" if lang == "zh" else f" ({clause.get(lang)})"


def team(r: DrillResult, tid: str, lang: str) -> str:
    """A team by the plan's name for it; other actors by a word, never by an id."""
    t = r.plan.teams.get(tid)
    if t is not None:
        return t.name.get(lang)
    if tid == "responsible_unit":
        return r.plan.responsible_unit.name.get(lang)
    if tid.startswith("upper:"):
        return report_name(r, tid.split(":", 1)[1], lang)
    role = r.plan.roles.get(tid)
    if role is not None:
        return role.name.get(lang)
    names = {"crowd": ("上访群众", "the petitioners"), "online": ("网络", "online"),
             "exercise": ("导调组", "exercise control")}
    zh, en = names.get(tid, ("有关方面", "another party"))
    return say(lang, zh, en)


def level(r: DrillResult, level_id: str, lang: str) -> str:
    lv = next((x for x in r.plan.levels if x.id == level_id), None)
    return lv.name.get(lang) if lv else say(lang, "相应级别", "the matching level")


def response_level(r: DrillResult, level_id: str, lang: str) -> str:
    """``一般（Ⅳ级）响应`` / ``a General (level IV) response``: the level's name once, never
    ``一般级级``."""
    name = level(r, level_id, lang)
    if lang == "zh" and "响应" not in name and not (name.endswith("级") or "级）" in name):
        # a level named by what it does (领导组亲临指挥): quoted, as a level, then 响应
        return f"“{name}”级响应"
    return say(lang, name if "响应" in name else f"{name}响应",
               f"{name}" if "response" in name.lower() else f"a {name} response")


def _kind(ev: pd.DataFrame, *kinds: EventKind) -> pd.DataFrame:
    return ev[ev["kind"].isin([k.value for k in kinds])]


def arrival_time(r: DrillResult, team: str, fallback: float) -> float:
    """When ``team`` came on site, as the event log has it (the teams table rounds to 0.01
    min, which can tip a half minute the other way); ``fallback`` when the log has none."""
    on_site = _kind(r.events, K.TEAM_ON_SITE)
    hit = on_site.loc[on_site["actor"] == team, "t_min"]
    return float(hit.iloc[0]) if len(hit) else float(fallback)


def paragraph(items: list, lang: str) -> str:
    """Sentences as one paragraph in time order: an item is ``(minutes, sentence)`` or a
    sentence that goes with the one before it."""
    keyed, last = [], -math.inf
    for item in items:
        if isinstance(item, tuple):
            last = float(item[0])
            keyed.append((last, item[1]))
        else:
            keyed.append((last, item))
    keyed.sort(key=lambda x: x[0])
    return ("" if lang == "zh" else " ").join(text for _, text in keyed)


def _num(value) -> int:
    return 0 if value != value else int(round(float(value)))


def _pct(x: float) -> str:
    return f"{x:.1%}"


# --------------------------------------------------------------------------- 二、演练过程


def phase_report(r: DrillResult, lang: str) -> list[str]:
    """（一）事件报告与响应."""
    ev, c = r.events, Clock.of(r)
    out: list[str] = []
    cmd = team(r, r.plan.command.team, lang)
    first = _kind(ev, K.FIRST_REPORT)
    s: list = []
    if first.empty:
        below = _kind(ev, K.BELOW_THRESHOLD)
        if below.empty:
            return [say(lang, "推演中没有人员聚集报告。", "No gathering was reported in the run.")]
        row = below.iloc[0]
        return [say(lang,
                    f"{c.text(row.t_min, lang)}，现场约{_num(row.value)}人，未达到预案最低响应级别，"
                    f"{cmd}未启动预案，安排人员继续监测。",
                    f"At {c.text(row.t_min, lang)} about {_num(row.value)} people were present, "
                    f"below the plan's lowest level; {cmd} did not activate the plan and kept "
                    "watching.")]
    row = first.iloc[0]
    reporter = team(r, row.actor, lang)
    site = inline(r.scenario.site.name.get(lang), lang)
    # T0 is the first sighting; the first report reaches command some minutes later
    if c.minute(row.t_min) > 0:
        s.append((0.0, say(lang, f"{c.text(0.0, lang)}（T0），{site}发现有群众聚集。",
                           f"At {c.text(0.0, lang)} (T0) people were first seen gathering "
                           f"(site: {site}).")))
        at = say(lang, f"{c.text(row.t_min, lang)}，", f"At {c.text(row.t_min, lang)} ")
    else:
        at = say(lang, f"{c.text(row.t_min, lang)}，{site}发现有群众聚集，",
                 f"At {c.text(row.t_min, lang)}, people first seen gathering (site: {site}), ")
    if row.actor == r.plan.command.team:
        s.append((row.t_min, say(lang, f"{at}{cmd}值班人员估计约{_num(row.value)}人，随即报告指挥部。",
                                 f"{at}the duty staff of {cmd} put them at about "
                                 f"{_num(row.value)} and reported to command.")))
    else:
        s.append((row.t_min, say(lang, f"{at}{reporter}估计约{_num(row.value)}人，向{cmd}报告。",
                                 f"{at}{reporter} put them at about {_num(row.value)} and "
                                 f"reported to {cmd}.")))
    declared = _kind(ev, K.LEVEL_DECLARED)
    if not declared.empty:
        d = declared.iloc[0]
        if c.hhmm(d.t_min) == c.hhmm(row.t_min):
            s.append((d.t_min, say(lang, f"{cmd}随即宣布启动{response_level(r, d.subject, lang)}。",
                                   f"{cmd} at once declared {response_level(r, d.subject, lang)}.")))
        else:
            s.append((d.t_min, say(lang, f"{c.text(d.t_min, lang)}，{cmd}宣布启动{response_level(r, d.subject, lang)}。",
                                   f"At {c.text(d.t_min, lang)} {cmd} declared {response_level(r, d.subject, lang)}.")))
    verified = _kind(ev, K.VERIFIED)
    if not verified.empty:
        v = verified.iloc[0]
        confirmed = _kind(ev, K.LEVEL_CONFIRMED)
        tail = ""
        if not confirmed.empty and abs(float(confirmed.iloc[0].t_min) - float(v.t_min)) < 1e-6:
            tail = say(lang, "，确认响应级别", ", confirming the level")
        s.append((v.t_min, say(lang, f"{c.text(v.t_min, lang)}核实现场约{_num(v.value)}人{tail}。",
                     f"At {c.text(v.t_min, lang)} the headcount was verified at about "
                     f"{_num(v.value)}{tail}.")))
    s = warning_items(r, lang) + s + first_response_items(r, lang) + commander_items(r, lang)
    activated = _kind(ev, K.PLAN_ACTIVATED)
    if not activated.empty:
        s.append((activated.iloc[0].t_min, say(lang, f"{c.text(activated.iloc[0].t_min, lang)}正式启动应急预案。",
                     f"The plan was activated at {c.text(activated.iloc[0].t_min, lang)}.")))
    out.append(paragraph(s, lang))
    # the orders to go, in groups by the minute they were given
    orders = _kind(ev, K.DISPATCH_ORDER)
    pre = _kind(ev, K.PREPOSITIONED)
    s = []
    pre = pre[pre["actor"] != r.plan.command.team]
    if not pre.empty:
        names = joined([team(r, a, lang) for a in dict.fromkeys(pre["actor"])], lang)
        s.append(say(lang, f"{names}在事发时已在现场。", f"{names} {'was' if len(pre) == 1 else 'were'} on site from the start."))
    groups = dispatch_groups(r)
    for k, (t, tids) in enumerate(groups):
        names = joined([team(r, x, lang) for x in tids], lang)
        n = len(tids)
        if k == 0:
            s.append((t, say(lang, f"{c.text(t, lang)}，{cmd}通知{names}共{n}个工作组赶赴现场。",
                         f"At {c.text(t, lang)} {cmd} ordered {n} team{'s' if n > 1 else ''} "
                         f"to the site: {names}.")))
        else:
            s.append((t, say(lang, f"{c.text(t, lang)}又通知{names}赶赴现场。",
                         f"At {c.text(t, lang)} it also sent {names}.")))
    if orders.empty and pre.empty:
        command = r.plan.command.team
        came = ev[(ev["kind"] == K.TEAM_ON_SITE.value) & (ev["actor"] == command)]
        others = [tid for tid in r.plan.teams if tid != command]
        if came.empty:
            s.append(say(lang, "推演中没有工作组被派往现场。", "No team was sent to the site."))
        else:   # the command team went itself, and had no one else (or sent no one)
            t = float(came["t_min"].iloc[0])
            rest = say(lang, "预案未设其他工作组", "the plan has no other team") if not others \
                else say(lang, "没有其他工作组被派往现场", "no other team was sent")
            s.append((t, say(lang, f"{cmd}于{c.text(t, lang)}到达现场，{rest}。",
                             f"{cmd} reached the site at {c.text(t, lang)}; {rest}.")))
    if s:
        out.append(paragraph(s, lang))
    # the level over time and the upward reports
    s = []
    for row in _kind(ev, K.LEVEL_RAISED, K.LEVEL_LOWERED).itertuples():
        if row.kind == K.LEVEL_RAISED.value and row.causes == "condition":
            # raised by the level's own condition, not by the headcount: the condition named
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，出现{level(r, row.subject, lang)}的启动条件"
                               f"（{level_condition(r, row.subject, lang)}），响应级别提升至{level(r, row.subject, lang)}"
                               f"（现场约{_num(row.value)}人）。",
                         f"At {c.text(row.t_min, lang)} the condition of {level(r, row.subject, lang)} "
                         f"held ({level_condition(r, row.subject, lang)}), and the level was raised "
                         f"to it (about {_num(row.value)} people present).")))
        elif row.kind == K.LEVEL_RAISED.value:
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，现场人数增至约{_num(row.value)}人，"
                               f"响应级别提升至{level(r, row.subject, lang)}。",
                         f"At {c.text(row.t_min, lang)}, with about {_num(row.value)} people "
                         f"present, the level was raised to {level(r, row.subject, lang)}.")))
        elif row.causes == "lowered":   # verified below the level in force: lowered
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，核实现场约{_num(row.value)}人，"
                               f"响应级别下调为{level(r, row.subject, lang)}。",
                         f"At {c.text(row.t_min, lang)} about {_num(row.value)} people were "
                         f"verified, and the level was lowered to {level(r, row.subject, lang)}.")))
        else:
            # a count below the level in force: on a first sighting after a warning, or as a
            # crowd thins
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，现场约{_num(row.value)}人，"
                               f"态势相当于{level(r, row.subject, lang)}。",
                         f"At {c.text(row.t_min, lang)} about {_num(row.value)} people were counted, "
                         f"a situation at {level(r, row.subject, lang)}.")))
    for row in _kind(ev, K.REPORT_SENT).itertuples():
        late = row.value == row.value and float(row.value) > 0
        to = report_name(r, row.subject, lang)
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}向{to}报告"
                           + ("，超出评估标准。" if late else "，在评估标准以内。"),
                     f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} reported to {to}, "
                     + ("later than the drill's criterion." if late else "within the drill's criterion."))))
    for row in _kind(ev, K.REINFORCEMENT_REQUESTED).itertuples():
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{cmd}请求增派警力{_num(row.value)}人。",
                     f"At {c.text(row.t_min, lang)} {cmd} asked for {_num(row.value)} more officers.")))
    if s:
        out.append(paragraph(s, lang))
    return out


def dispatch_groups(r: DrillResult) -> list[tuple[float, list[str]]]:
    """The orders to go, grouped by the minute they were given as the clock tells it (the
    nearest minute): [(time, [team, ...]), ...]."""
    orders = _kind(r.events, K.DISPATCH_ORDER)
    groups: list[tuple[float, list[str]]] = []
    for row in orders.itertuples():
        if groups and math.floor(float(row.t_min) + 0.5) == math.floor(groups[-1][0] + 0.5):
            if row.subject not in groups[-1][1]:
                groups[-1][1].append(str(row.subject))
        else:
            groups.append((float(row.t_min), [str(row.subject)]))
    return groups


def temperature_changes(r: DrillResult) -> list[tuple[float, float, float]]:
    """Each weather event as (time, temperature before, temperature after)."""
    before = float(r.scenario.weather.temperature_c)
    out = []
    for row in _kind(r.events, K.WEATHER).itertuples():
        after = float(row.value)
        out.append((float(row.t_min), before, after))
        before = after
    return out


def _causes(row, lang: str) -> str:
    causes = [word(CAUSE_WORDS, x, lang) for x in str(row.causes or "").split(";") if x]
    return sep(lang).join(causes)


def phase_stabilise(r: DrillResult, e: Evaluation, lang: str) -> list[str]:
    """（二）现场稳控."""
    ev, m, c = r.events, r.metrics, Clock.of(r)
    out: list[str] = []
    # arrivals
    arrived = r.teams[(~r.teams["command_post"]) & r.teams["on_site_min"].notna()]
    arrived = arrived.sort_values("on_site_min")
    s: list = []
    prepositioned = set(_kind(ev, K.PREPOSITIONED)["actor"])
    in_time: list[tuple[str, float, float | None]] = []
    late: list[tuple[str, float, float | None]] = []
    for t in arrived.itertuples():
        if t.team in prepositioned:
            continue
        target = t.target_min
        at_min = arrival_time(r, t.team, t.on_site_min)
        item = (t.team, at_min, target)
        (late if target is not None and not on_time(at_min, target) else in_time).append(item)
    if in_time:
        parts = [say(lang, f"{team(r, x, lang)}于{c.text(at, lang)}", f"{team(r, x, lang)} at {c.text(at, lang)}")
                 for x, at, _ in in_time]
        s.append(say(lang, f"{sep(lang).join(parts)}" + ("先后到达现场，均在评估标准以内。"
                                                          if len(parts) > 1 else "到达现场，在评估标准以内。"),
                     f"{joined(parts, lang)} arrived on site, within the drill's criteria."))
    for x, at, target in late:
        over = at - (target or 0.0)
        s.append(say(lang, f"{team(r, x, lang)}直至{c.text(at, lang)}才到达现场，比评估标准晚{over:.0f}分钟。",
                     f"{team(r, x, lang)} arrived only at {c.text(at, lang)}, {over:.0f} min "
                     "later than the drill's criterion."))
    never = r.teams[(~r.teams["command_post"]) & r.teams["dispatched_min"].notna()
                    & r.teams["on_site_min"].isna()]
    for t in never.itertuples():
        s.append(say(lang, f"{team(r, t.team, lang)}接令后至推演结束仍未到达现场。",
                     f"{team(r, t.team, lang)} was ordered out but had not arrived by the end."))
    for row in _kind(ev, K.REINFORCEMENT_ARRIVED).itertuples():
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，增援警力{_num(row.value)}人到场。",
                     f"At {c.text(row.t_min, lang)}, {_num(row.value)} reinforcing officers arrived.")))
    if s:
        out.append(paragraph(s, lang))
    # the crowd and what was done about it, in time order
    s = []
    states = _kind(ev, K.CROWD_STATE)
    for k, row in enumerate(states.itertuples()):
        if k == MAX_STATE_CHANGES:
            rest = len(states) - MAX_STATE_CHANGES
            s.append(say(lang, f"此后现场态势又变化{rest}次（见附件）。",
                         f"The crowd's state changed {rest} more time{'s' if rest > 1 else ''} "
                         "(see the annex)."))
            break
        why = _causes(row, lang)
        state = word(VALUE_WORDS, str(row.subject), lang)
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，现场态势转为“{state}”" + (f"（主要原因：{why}）" if why else "") + "。",
                     f"At {c.text(row.t_min, lang)} the crowd's state turned to {state}" + (f" (mainly: {why})" if why else "") + ".")))
    for row in _kind(ev, K.GATE_BLOCKED).itertuples():
        if not _num(row.value):
            continue   # nobody there to block it
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{_num(row.value)}名群众围堵大门。",
                     f"At {c.text(row.t_min, lang)}, {_num(row.value)} people blocked the gate.")))
    for row in _kind(ev, K.CORDON_SET).itertuples():
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}完成警戒区域划定和交通管制。",
                     f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} had the cordon and "
                     "traffic control in place.")))
    if s:
        out.append(paragraph(s, lang))
    s = []
    led = _kind(ev, K.TARGETED_INTERVENTION)
    if not led.empty:
        who = joined([team(r, a, lang) for a in dict.fromkeys(led["actor"])], lang)
        total = int(led["value"].fillna(0).sum())
        t0 = float(led["t_min"].iloc[0])
        # an intervention talks the gate open; it leads people aside only when some act out
        if len(led) == 1:
            s.append((t0, say(lang, f"{c.text(t0, lang)}，{who}到围堵处疏导，劝离过激人员{total}人。",
                              f"At {c.text(t0, lang)} {who} went to talk the blocked way open and "
                              f"led {count_en(total, 'agitator')} away.")))
        else:
            s.append((t0, say(lang, f"{who}自{c.text(t0, lang)}起先后{len(led)}次到围堵处疏导，共劝离过激人员{total}人次。",
                              f"From {c.text(t0, lang)} {who} went {len(led)} times to talk the "
                              f"blocked way open, leading {count_en(total, 'agitator')} away in all.")))
    force = _kind(ev, K.FORCE_USED)
    if not force.empty:
        who = joined([team(r, a, lang) for a in dict.fromkeys(force["actor"])], lang)
        total = int(force["value"].fillna(0).sum())
        s.append((float(force["t_min"].iloc[0]), say(lang, f"{who}自{c.text(force['t_min'].iloc[0], lang)}起{len(force)}次对群众整体使用强制措施，共推离{total}人次。",
                     f"From {c.text(force['t_min'].iloc[0], lang)} {who} used force on the crowd as a "
                     f"whole {len(force)} times, pushing back {total} people in all.")))
    scuffles = _kind(ev, K.SCUFFLE_STARTED)
    if not scuffles.empty:
        first = scuffles.iloc[0]
        why = _causes(first, lang)
        s.append((first.t_min, say(lang, f"{c.text(first.t_min, lang)}现场首次发生推搡冲突（约{_num(first.value)}人接触"
                           + (f"，主要原因：{why}" if why else "") + f"），全程共发生{m['scuffles']}次，累计约{m['scuffle_minutes']:.0f}分钟，"
                           f"{m['injuries']}人受伤。",
                     f"The first scuffle broke out at {c.text(first.t_min, lang)} (about "
                     f"{_num(first.value)} people in contact" + (f"; mainly: {why}" if why else "")
                     + f"); {m['scuffles']} in all, about {m['scuffle_minutes']:.0f} min, "
                     f"{count_en(m['injuries'], 'person', 'people')} injured.")))
    for row in _kind(ev, K.AGITATION).itertuples():
        if not _num(row.value):
            continue   # nobody present to provoke
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{_num(row.value)}名群众情绪被激化。",
                     f"At {c.text(row.t_min, lang)}, {_num(row.value)} people were provoked.")))
    for row in _kind(ev, K.ARRIVALS).itertuples():
        if not _num(row.value):
            continue   # nobody more could come
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，又有{_num(row.value)}名群众赶来。",
                     f"At {c.text(row.t_min, lang)}, {_num(row.value)} more petitioners set out for the site.")))
    if s:
        out.append(paragraph(s, lang))
    # support: water, equipment, weather, channels, health
    s = []
    for row in _kind(ev, K.WATER_PROVIDED).itertuples():
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}向群众提供饮用水。",
                     f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} handed out water.")))
    for row in _kind(ev, K.SUPPLY_EXHAUSTED, K.EQUIPMENT_SHORTAGE, K.NO_SPARE).itertuples():
        thing = word(ITEMS, str(row.subject), lang)
        if row.kind == K.NO_SPARE.value:
            continue   # told with the failure itself, below
        if row.kind == K.SUPPLY_EXHAUSTED.value:
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}的{thing}已用完。",
                         f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} ran out of {thing}.")))
        else:
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}缺少{thing}。",
                         f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} lacked {thing}.")))
    for row in _kind(ev, K.EQUIPMENT_FAILED, K.EQUIPMENT_REPLACED).itertuples():
        thing = word(ITEMS, str(row.subject), lang)
        owner_s = possessive_en(team(r, row.actor, lang) + "'s")
        if row.kind == K.EQUIPMENT_FAILED.value:
            nobody = ((ev["kind"] == K.NO_SPARE.value) & (ev["actor"] == row.actor)
                      & (ev["subject"] == row.subject) & ((ev["t_min"] - row.t_min).abs() < 1e-6)).any()
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}的{thing}发生故障"
                                           + ("，预案中没有后勤保障力量可以更换。" if nobody else "。"),
                         f"At {c.text(row.t_min, lang)} {owner_s} {thing} failed"
                         + ("; no logistics team could replace it." if nobody else "."))))
        else:
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}送来备用{thing}（故障后{_num(row.value)}分钟）。",
                         f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} brought a spare "
                         f"{thing} ({_num(row.value)} min after the failure).")))
    for t, before, after in temperature_changes(r):
        if after > before:
            s.append((t, say(lang, f"{c.text(t, lang)}，气温由{before:g}℃升至{after:g}℃。",
                         f"At {c.text(t, lang)} the temperature rose from {before:g} °C to {after:g} °C.")))
        elif after < before:
            s.append((t, say(lang, f"{c.text(t, lang)}，气温由{before:g}℃降至{after:g}℃。",
                         f"At {c.text(t, lang)} the temperature fell from {before:g} °C to {after:g} °C.")))
    for row in _kind(ev, K.COMMS_OUTAGE).itertuples():
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}起通信中断{_num(row.value)}分钟。",
                     f"From {c.text(row.t_min, lang)} communications were down for {_num(row.value)} min.")))
    health = _kind(ev, K.HEALTH_INCIDENT, K.INJURY)
    if not health.empty:
        med = next((x for x in e.tasks if x.key == "medical"), None)
        attended = _kind(ev, K.MEDICAL_ATTENDED)
        who = joined([team(r, a, lang) for a in dict.fromkeys(attended["actor"])], lang)
        n, reached = len(health), len(attended)
        text = say(lang, f"推演中共有{n}名群众伤病（首例在{c.text(health['t_min'].iloc[0], lang)}）",
                   f"{count_en(n, 'person', 'people')} fell ill or {'was' if n == 1 else 'were'} hurt (the first at "
                   f"{c.text(health['t_min'].iloc[0], lang)})")
        if reached:
            mean = float(attended["value"].mean())
            worst = float(attended["value"].max())
            text += say(lang, f"，{who}到达伤病员身边{reached}例，平均用时{mean:.0f}分钟、最长{worst:.0f}分钟",
                        f"; {who} reached {reached} of them, in {mean:.0f} min on average and "
                        f"{worst:.0f} min at most")
        if med is not None and med.detail.get("unattended"):
            text += say(lang, f"，{med.detail['unattended']}例始终未得到救护",
                        f"; {med.detail['unattended']} were never reached")
        text += say(lang, "。", ".")
        s.append(text)
        moved = _kind(ev, K.TRANSPORTED)
        if not moved.empty:
            s.append(say(lang, f"{len(moved)}名伤病员被送医。", f"{len(moved)} were taken to hospital."))
    if not _kind(ev, K.MEDICAL_UNAVAILABLE).empty:
        s.append(say(lang, "预案未设医疗救护力量。", "The plan has no medical unit."))
    if s:
        out.append(paragraph(s, lang))
    for items in (risk_items(r, lang), care_items(r, lang)):
        if items:
            out.append(paragraph(list(items), lang))
    if not out:
        out.append(say(lang, "本阶段无记录事件。", "Nothing was recorded in this phase."))
    return out


def phase_information(r: DrillResult, lang: str) -> list[str]:
    """（三）信息收集与分析: the rumour online and the statement, with the plan's policy."""
    ev, m, c = r.events, r.metrics, Clock.of(r)
    ts = r.timeseries
    s: list = []
    policy = r.plan.publicity.release_policy
    posted = _kind(ev, K.RUMOUR_POSTED)
    statements = _kind(ev, K.STATEMENT_ISSUED)
    decided = _kind(ev, K.DECISION)
    decided = decided[decided["subject"] == "statement"]
    if posted.empty and m["rumor_peak_reach"] <= 0:
        s.append(say(lang, "推演中网上未出现有关本事件的不实信息。",
                     "No false information about the incident appeared online."))
    else:
        if not posted.empty:
            s.append((posted['t_min'].iloc[0], say(lang, f"{c.text(posted['t_min'].iloc[0], lang)}，现场视频被发布到网上。",
                         f"At {c.text(posted['t_min'].iloc[0], lang)} a video of the scene was posted online.")))
        for row in _kind(ev, K.RUMOUR_DETECTED).itertuples():
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}监测到网络谣言，覆盖率已达{_pct(float(row.value))}。",
                         f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} detected the rumour "
                         f"online, at a reach of {_pct(float(row.value))}.")))
        # the first minute at the peak as timeseries.csv holds it (to 4 decimals)
        peak_at = float(ts.loc[ts["rumor_reach"].round(4).idxmax(), "t_min"]) if len(ts) else 0.0
        s.append(say(lang, f"谣言覆盖率于{c.text(peak_at, lang)}达到峰值{_pct(m['rumor_peak_reach'])}。",
                     f"The rumour's reach peaked at {_pct(m['rumor_peak_reach'])} at {c.text(peak_at, lang)}."))
    if not statements.empty:
        row = statements.iloc[0]
        by_trainees = not decided.empty and float(decided["t_min"].iloc[0]) <= float(row.t_min) + 1e-6
        if policy is ReleasePolicy.SILENT and by_trainees:
            s.append(say(lang, f"预案规定不对外发布信息{silent_clause(r, lang)}，但参训人员在{c.text(decided['t_min'].iloc[0], lang)}决定发布权威信息，"
                               f"{team(r, row.actor, lang)}于{c.text(row.t_min, lang)}发布，发布时谣言覆盖率为{_pct(float(row.value))}。",
                         f"The plan calls for no publicity{silent_clause(r, lang)}, but the trainees decided at "
                         f"{c.text(decided['t_min'].iloc[0], lang)} to issue a statement; "
                         f"{team(r, row.actor, lang)} issued it at {c.text(row.t_min, lang)}, when the "
                         f"rumour's reach was {_pct(float(row.value))}."))
        else:
            s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}发布权威信息，发布时谣言覆盖率为{_pct(float(row.value))}。",
                         f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} issued an official "
                         f"statement, when the rumour's reach was {_pct(float(row.value))}.")))
    elif policy is ReleasePolicy.SILENT:
        rule = silent_clause(r, lang)
        s.append(say(lang, f"按照预案不对外发布信息的规定{rule}，推演中未对外发布权威信息。",
                     f"As the plan calls for no publicity{rule}, no official statement was issued."))
        threshold = rules()["gaps"]["rumour_reach"]
        if m["rumor_peak_reach"] >= threshold:
            s.append(say(lang, f"谣言覆盖率超过{threshold:.0%}后，事态已需要发布权威信息，预案对此未作规定，属于预案缺陷。",
                         f"Once the rumour passed {threshold:.0%} the incident needed a statement; the "
                         "plan makes no provision for it, which is a gap in the plan."))
    elif m["rumor_peak_reach"] > 0:
        s.append((math.inf, say(lang, "推演结束时仍未发布权威信息。",
                                "No official statement had been issued by the end.")))
    drawn = rumour_drawn_onlookers(r)
    if drawn:
        s.append(say(lang, f"在划定警戒区域之前，谣言扩散约吸引了{drawn}名围观群众到场。",
                     f"Before the cordon was set the rumour drew about {drawn} onlookers to the site."))
    return [paragraph(s, lang)]


def phase_negotiation(r: DrillResult, lang: str) -> list[str]:
    """（四）协商与处理."""
    ev, c = r.events, Clock.of(r)
    s: list = []
    for row in _kind(ev, K.DIALOGUE_STARTED).itertuples():
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}开始向群众宣讲政策、疏导情绪。",
                     f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} began explaining the "
                     "policy and calming people.")))
    unit = inline(r.plan.responsible_unit.name.get(lang), lang)
    for row in _kind(ev, K.DEMAND_LEADER, K.LEADER_ON_SITE, K.TOP_LEADER_ON_SITE, K.ROOM_READY,
                     K.REPRESENTATIVES_CHOSEN).itertuples():
        at = c.text(row.t_min, lang)
        if row.kind == K.DEMAND_LEADER.value:
            s.append((row.t_min, say(lang, f"{at}，群众要求见主要领导。", f"At {at} the crowd demanded to see the top leader.")))
        elif row.kind == K.LEADER_ON_SITE.value:
            s.append((row.t_min, say(lang, f"{at}，{unit}负责人到场。", f"At {at} the leader of {unit} arrived.")))
        elif row.kind == K.TOP_LEADER_ON_SITE.value:
            s.append((row.t_min, say(lang, f"{at}，主要领导到场接见群众。", f"At {at} the top leader came to meet the crowd.")))
        elif row.kind == K.ROOM_READY.value:
            s.append((row.t_min, say(lang, f"{at}，接访场所准备就绪。", f"At {at} the reception room was ready.")))
        else:
            s.append((row.t_min, say(lang, f"{at}，群众推选出{_num(row.value)}名代表。",
                         f"At {at} the crowd named {_num(row.value)} representatives.")))
    waits = _kind(ev, K.TALKS_RESUMED)
    if not waits.empty:
        # as the event rows give each wait: the total is the sum of the waits listed
        total, longest = shown_wait_minutes(r), math.floor(float(waits["value"].max()) + 0.5)
        # who answers the talks' questions: the plan's answering teams, else command
        answering = [tid for tid, tm in r.plan.teams.items() if tm.answers_min is not None] \
            or [r.plan.command.team]
        who_zh = "、".join(team(r, tid, "zh") for tid in answering)
        who_en = " and ".join(team(r, tid, "en") for tid in answering)
        s.append((float(waits["t_min"].iloc[0]), say(lang, f"协商中{len(waits)}次等待{who_zh}答复，累计{total:.0f}分钟，最长一次{longest:.0f}分钟。",
                     f"The talks waited {'once' if len(waits) == 1 else count_en(len(waits), 'time')} "
                     f"for answers from {who_en}, {total:.0f} min in "
                     f"all, {longest:.0f} min at most.")))
    failed = _kind(ev, K.TALKS_FAILED)
    if not failed.empty:
        s.append(say(lang, f"{len(failed)}轮协商未达成一致。", f"{count_en(len(failed), 'round')} of talks ended without agreement."))
    stalled = _kind(ev, K.TALKS_STALLED)
    if not stalled.empty:
        s.append(say(lang, f"协商因现场冲突暂停{len(stalled)}次。",
                     f"Talks stalled {count_en(len(stalled), 'time')} during scuffles."))
    agreement = _kind(ev, K.AGREEMENT)
    if not agreement.empty:
        row = agreement.iloc[0]
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{team(r, row.actor, lang)}与群众代表达成承诺。",
                     f"At {c.text(row.t_min, lang)} {team(r, row.actor, lang)} reached a commitment "
                     "with the representatives.")))
    elif not _kind(ev, K.DIALOGUE_STARTED).empty:
        s.append((math.inf, say(lang, "推演结束时仍未达成承诺。",
                                "No commitment had been reached by the end.")))
    s += authority_items(r, lang)
    for row in _kind(ev, K.PROMISE_BROKEN).itertuples():
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，群众认为承诺未兑现，情绪反弹。",
                     f"At {c.text(row.t_min, lang)} the crowd saw a promise broken and turned angry again.")))
    if not s:
        s.append(say(lang, "推演中未开展接访对话。", "No dialogue took place."))
    return [paragraph(s, lang)]


def phase_dispersal(r: DrillResult, lang: str) -> list[str]:
    """（五）人员疏散与后续工作."""
    ev, m, c = r.events, r.metrics, Clock.of(r)
    ts = r.timeseries
    end = float(ts["t_min"].iloc[-1]) if len(ts) else 0.0
    remaining = int(ts["crowd_present"].iloc[-1]) if len(ts) else 0
    share = r.params.crowd.cleared_share if r.params is not None else 0.0
    s: list = []
    cleared = _kind(ev, K.CLEARED)
    if not cleared.empty:
        row = cleared.iloc[0]
        s.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，现场疏散完毕（剩余{_num(row.value)}人，不超过峰值的{share:.0%}）。",
                     f"At {c.text(row.t_min, lang)} the site was cleared ({_num(row.value)} people "
                     f"left, at most {share:.0%} of the peak).")))
    else:
        s.append((end, say(lang, f"推演于{c.text(end, lang)}按想定时限结束，此时现场尚有上访群众{remaining}人。",
                     f"The run ended at the scenario's time limit at {c.text(end, lang)}, with "
                     f"{count_en(remaining, 'petitioner')} still on site.")))
        if m.get("resolving_at_end"):
            s.append(say(lang, "此前已达成承诺，群众正在陆续离开，处置正在走向化解。",
                         "A commitment had been made and people were leaving: the response was on its "
                         "way to resolution."))
    persuading = ev[(ev["kind"] == K.TASK_START.value) & (ev["subject"] == Task.PERSUADING.value)]
    if not persuading.empty:
        who = joined([team(r, a, lang) for a in dict.fromkeys(persuading["actor"])], lang)
        t0 = float(persuading["t_min"].iloc[0])   # told in its time, before the clearance
        s.append((t0, say(lang, f"{who}自{c.text(t0, lang)}起劝导群众返回。",
                          f"From {c.text(t0, lang)}, {who} persuaded people to go home.")))
    for row in _kind(ev, K.INJECT_SKIPPED).itertuples():
        s.append(say(lang, f"导调组跳过了注入{row.subject}。", f"Exercise control skipped inject {row.subject}."))
    return [paragraph(s, lang)]


def clock_span(r: DrillResult, lang: str) -> str:
    """The drill's time of day from T0 to its end."""
    c = Clock.of(r)
    end = float(r.timeseries["t_min"].iloc[-1]) if len(r.timeseries) else 0.0
    return say(lang, f"{c.text(0.0, lang)}至{c.text(end, lang)}（推演时长{end:.0f}分钟）",
               f"{c.text(0.0, lang)} to {c.text(end, lang)} ({end:.0f} min)")


def names_of(r: DrillResult, tids: Iterable[str], lang: str) -> str:
    return joined([team(r, t, lang) for t in tids], lang)


# --------------------------------------------------------------------------- the seed plans' parts
# The warning before T0, the first response, a level's commander, a commitment waiting for
# authority, a person at risk, psychological support, evacuation and food: (minute, sentence)
# pairs for the phase paragraphs above.

Items = list[tuple[float, str]]


def warning_items(r: DrillResult, lang: str) -> Items:
    """（一）: the warning signs, who learned of them and when."""
    ev, c, out = r.events, Clock.of(r), []
    for row in _kind(ev, K.WARNING_SIGNAL).itertuples():
        what = word(VALUE_WORDS, row.subject, lang)
        out.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{what}，声称约{row.value:.0f}人参加。",
                                   f"At {c.text(row.t_min, lang)}: {what}, claiming about "
                                   f"{row.value:.0f} people would come.")))
    for row in _kind(ev, K.WARNING_DETECTED).itertuples():
        who = team(r, row.actor, lang)
        out.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{who}获悉预警信息，预计约{row.value:.0f}人聚集。",
                                   f"At {c.text(row.t_min, lang)} {who} learned of it and expected about "
                                   f"{row.value:.0f} people.")))
    return out


CALLS = ("call_ambulance", "call_110")
"""First-response steps that call a public service (their event's value: the units sent)."""


def first_response_items(r: DrillResult, lang: str) -> Items:
    """（一）: the first team's steps (先期处置), in one sentence."""
    rows = _kind(r.events, K.FIRST_RESPONSE)
    if rows.empty:
        return []
    c = Clock.of(r)
    who = team(r, rows.iloc[0].actor, lang)
    nobody = say(lang, "（预案中没有可调派的力量，无人前来）", " (the plan has no unit to send: nobody came)")
    later = say(lang, "（预案规定的上报均在宣布相应级别后才需报送，此时未报）",
                " (every report of the plan is due only once its level is declared: none sent yet)")

    def step(row) -> str:
        text = word(VALUE_WORDS, row.subject, lang)
        if row.value == 0 and row.subject in CALLS:
            return text + nobody
        if row.value == 0 and row.subject == "report_upward":
            return text + later
        return text
    steps = joined([step(row) for row in rows.itertuples()], lang)
    t0, t1 = float(rows.iloc[0].t_min), float(rows.iloc[-1].t_min)
    teams = r.teams.set_index("team")
    if rows.iloc[0].actor in teams.index:
        here = teams.loc[rows.iloc[0].actor, "on_site_min"]
        if here is None or float(here) > t0:   # the team's duty staff, before the team comes
            who = say(lang, f"{who}现场值班人员", possessive_en(f"{who}'s duty staff on the spot"))
    if c.text(t0, lang) == c.text(t1, lang):   # every step within the same minute
        return [(t0, say(lang, f"{c.text(t0, lang)}，{who}开展先期处置：{steps}。",
                         f"At {c.text(t0, lang)} {who} took the first-response steps: {steps}."))]
    return [(t0, say(lang, f"{c.text(t0, lang)}至{c.text(t1, lang)}，{who}开展先期处置：{steps}。",
                     f"From {c.text(t0, lang)} to {c.text(t1, lang)} {who} took the first-response "
                     f"steps: {steps}."))]


def commander_items(r: DrillResult, lang: str) -> Items:
    """（一）: a level's commander called and arriving."""
    ev, c, out = r.events, Clock.of(r), []
    for row in _kind(ev, K.COMMANDER_ON_SITE).itertuples():
        who = team(r, row.actor, lang)
        out.append((row.t_min, say(lang, f"{c.text(row.t_min, lang)}，{who}到达现场指挥。",
                                   f"At {c.text(row.t_min, lang)} {who} arrived and took command.")))
    return out


def authority_items(r: DrillResult, lang: str) -> Items:
    """（四）: a commitment that waited for someone with the authority to give it."""
    rows = _kind(r.events, K.AWAITING_AUTHORITY)
    if rows.empty:
        return []
    c, t = Clock.of(r), float(rows.iloc[0].t_min)
    return [(t, say(lang, f"{c.text(t, lang)}，群众代表接受方案，但诉求超出现场人员的决定权限，须等待有权限的领导到场作出承诺。",
                    f"At {c.text(t, lang)} the representatives accepted, but the demand was beyond "
                    "the authority of those on site: the commitment had to wait for a leader who "
                    "could give it."))]


def risk_items(r: DrillResult, lang: str) -> Items:
    """（二）: a person threatening self-harm at height, the rescue, the talk-down, the end."""
    ev, c, out = r.events, Clock.of(r), []
    for row in _kind(ev, K.PERSON_AT_RISK, K.RESCUE_DEPLOYED, K.TALK_DOWN_STARTED, K.PERSON_SAFE,
                     K.PERSON_FELL).itertuples():
        at, who = c.text(row.t_min, lang), team(r, row.actor, lang)
        if row.kind == K.PERSON_AT_RISK.value:
            out.append((row.t_min, say(lang, f"{at}，一名人员爬上约{row.value:.0f}米高处，扬言跳下。",
                                       f"At {at} a person climbed to about {row.value:.0f} m and threatened to jump.")))
        elif row.kind == K.RESCUE_DEPLOYED.value:
            out.append((row.t_min, say(lang, f"{at}，{who}铺设救生气垫、架设云梯。",
                                       f"At {at} {who} set up an air cushion and a ladder.")))
        elif row.kind == K.TALK_DOWN_STARTED.value:
            out.append((row.t_min, say(lang, f"{at}，{who}开始与其对话劝导。",
                                       f"At {at} {who} began talking with the person.")))
        elif row.kind == K.PERSON_SAFE.value:
            how = word(VALUE_WORDS, row.subject, lang)
            out.append((row.t_min, say(lang, f"{at}，该人员{how}，安全脱险（历时{row.value:.0f}分钟）。",
                                       f"At {at} the person was safe, {how} (after {row.value:.0f} min).")))
        else:
            out.append((row.t_min, say(lang, f"{at}，该人员坠落受伤（历时{row.value:.0f}分钟）。",
                                       f"At {at} the person fell and was hurt (after {row.value:.0f} min).")))
    if not _kind(ev, K.PERSON_AT_RISK).empty and _kind(ev, K.PERSON_SAFE, K.PERSON_FELL).empty:
        out.append((float(r.metrics["duration_min"]),
                    say(lang, "推演结束时该人员仍未脱险。", "The person was still at risk when the drill ended.")))
    return out


def care_items(r: DrillResult, lang: str) -> Items:
    """（二）: psychological support, evacuation of the uninvolved, food."""
    ev, c, out = r.events, Clock.of(r), []
    for row in _kind(ev, K.PSYCH_SUPPORT, K.EVACUATED, K.FOOD_PROVIDED).itertuples():
        at, who = c.text(row.t_min, lang), team(r, row.actor, lang)
        if row.kind == K.PSYCH_SUPPORT.value:
            n = int(r.metrics.get("counselled") or 0)
            done = say(lang, f"推演中共疏导{n}人", f"{count_en(n, 'person', 'people')} "
                                                     f"{'was' if n == 1 else 'were'} counselled in all") \
                if n else say(lang, "但推演中没有群众接受疏导", "but nobody was counselled")
            out.append((row.t_min, say(lang, f"{at}，{who}开始对老年和情绪激动的群众进行心理疏导，{done}。",
                                       f"At {at} {who} began counselling the elderly and distressed; "
                                       f"{done}.")))
        elif row.kind == K.EVACUATED.value:
            out.append((row.t_min, say(lang, f"{at}，{who}开始疏散无关群众。",
                                       f"At {at} {who} began moving the uninvolved public away.")))
        else:
            out.append((row.t_min, say(lang, f"{at}，{who}为{row.value:.0f}名群众提供食品。",
                                       f"At {at} {who} handed out food to {row.value:.0f} people.")))
    return out
