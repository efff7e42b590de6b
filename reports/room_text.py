"""The words of the drill room, in Chinese and English: the terminal panel of ``run
--interactive``, the projector view and facilitator console of ``room``, and the animated
replay. Each text is ``{"zh": ..., "en": ...}``; :func:`t` picks and formats one.

It reads plain values (a session's snapshot, rows of the event log) and never touches the
simulation.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace
from typing import Any

from reports.content import describe
from reports.i18n import ACTIONS, TARGET_LABELS, VALUE_WORDS, lookup, word
from reports.inject_words import INJECT_KIND, inject_text, team_name
from reports.narrative import Clock

TEXT: dict[str, dict[str, str]] = {
    "clock": {"zh": "T+{t:.0f}分钟（{clock}）", "en": "T+{t:.0f} min ({clock})"},
    "level": {"zh": "响应级别", "en": "Level"},
    "no_level": {"zh": "未启动", "en": "none yet"},
    "crowd": {"zh": "上访群众", "en": "Petitioners"},
    "onlookers": {"zh": "围观", "en": "Onlookers"},
    "state": {"zh": "现场态势", "en": "Crowd"},
    "agitation": {"zh": "平均激动程度", "en": "Mean agitation"},
    "active": {"zh": "过激比例", "en": "Acting out"},
    "legitimacy": {"zh": "政府公信度", "en": "Legitimacy"},
    "rumour": {"zh": "网络谣言覆盖率", "en": "Rumour reach"},
    "statement": {"zh": "权威信息覆盖率", "en": "Statement reach"},
    "statement_out": {"zh": "权威信息", "en": "Statement"},
    "agreement": {"zh": "承诺", "en": "Commitment"},
    "health": {"zh": "待救治", "en": "Patients waiting"},
    "yes": {"zh": "已发布", "en": "out"},
    "no": {"zh": "未发布", "en": "not yet"},
    "made": {"zh": "已作出", "en": "made"},
    "not_made": {"zh": "未作出", "en": "not yet"},
    "team": {"zh": "工作组", "en": "Team"},
    "status": {"zh": "状态", "en": "Status"},
    "posture": {"zh": "处置方式", "en": "Posture"},
    "doing": {"zh": "当前任务", "en": "Doing"},
    "on_site_since": {"zh": "到场", "en": "On site"},
    "injects": {"zh": "导调注入", "en": "Injects"},
    "feed": {"zh": "上次暂停以来发生的情况", "en": "Since the last pause"},
    "feed_all": {"zh": "事件动态", "en": "What happened"},
    "nothing": {"zh": "（无）", "en": "(nothing)"},
    "expected": {"zh": "预案要求的下一步", "en": "What the plan expects next"},
    "expected_item": {"zh": "{inject}：{action}{who}，限T+{due:.0f}前", "en": "{inject}: {action}{who}, "
                      "due by T+{due:.0f}"},
    "overdue": {"zh": "【已超时】", "en": "[OVERDUE] "},
    "target_item": {"zh": "评估时限：{what}{who}，T+{due:.0f}前", "en": "The drill's criterion: {what}{who} "
                    "by T+{due:.0f}"},
    "none": {"zh": "无", "en": "none"},
    "title": {"zh": "决策点 {n}｜{clock}｜{why}", "en": "Decision point {n} | {clock} | {why}"},
    "why_inject": {"zh": "导调注入 {ref}", "en": "inject {ref}"},
    "why_level": {"zh": "宣布{ref}响应", "en": "{ref} declared"},
    "why_pause": {"zh": "定时暂停", "en": "scheduled pause"},
    "why_time": {"zh": "导调员暂停", "en": "the facilitator's pause"},
    "options": {"zh": "参训人员可选处置", "en": "The trainees' options"},
    "controls": {"zh": "导调员操作（仅导调员使用，不向参训人员展示）",
                 "en": "Facilitator's controls (not for the trainees)"},
    "default": {"zh": "（预案规定，回车即选）", "en": "(the plan's course; Enter takes it)"},
    "ask": {"zh": "参训人员选择（选项键，可多个；回车=按预案继续）：",
            "en": "trainees' choice (keys; Enter = carry on): "},
    "ask_control": {"zh": "导调员操作（操作键，可多个；回车=无）：",
                    "en": "facilitator's control (keys; Enter = none): "},
    "bad": {"zh": "“{raw}”不是可选的键，请从上表中选择。", "en": "'{raw}' is not a key shown; "
            "choose from the table."},
    "note": {"zh": "备注（可空）：", "en": "note (optional): "},
    "chosen": {"zh": "已执行：{label}", "en": "done: {label}"},
    "no_longer": {"zh": "“{label}”在前一项执行后已不可选，未执行。",
                  "en": "'{label}' is no longer possible after the previous choice; not done."},
    "inject_event": {"zh": "导调注入{id}：{text}", "en": "Inject {id}: {text}"},
    "decision_event": {"zh": "参训人员决策：{what}", "en": "Trainees decide: {what}"},
    "interrupted": {"zh": "推演中断：已保存{n}项决策至 {path}",
                    "en": "interrupted: {n_en} saved to {path}"},
    "ended": {"zh": "推演结束：{clock}", "en": "The drill has ended: {clock}"},
    "room_start": {"zh": "推演室已启动：投屏 {projector}  导调台 {console}\n结束后输出至 {out}；按 Ctrl-C 关闭。",
                   "en": "The drill room is open: projector {projector}  console {console}\n"
                         "outputs go to {out} at the end; Ctrl-C closes it."},
    "room_token": {"zh": "已向网络开放：每项控制都需要导调员令牌 {token}（导调台地址已包含），投屏页面只读。",
                   "en": "Open to the network: every control needs the facilitator's token {token} "
                         "(the console address carries it); the projector view is read-only."},
    "room_unfinished": {"zh": "推演未结束即关闭：已保存{n}项决策和{m}条观察员记录至 {path}",
                        "en": "closed before the end: {n} decisions and {m} observers' notes saved "
                              "to {path}"},
    "room_unwritten": {"zh": "输出文件未能写入：已保存{n}项决策和{m}条观察员记录至 {path}，可用 run --decisions "
                              "重新生成", "en": "the files could not be written: {n} decisions and "
                       "{m} observers' notes saved to {path}; run --decisions writes them again"},
    "room_written": {"zh": "推演结束，{n}个文件已写入 {out}", "en": "The drill ended; {n} files "
                     "written to {out}"},
    "room_open": {"zh": "推演结束，{n}个文件已写入 {out}；投屏页继续显示结果，按 Ctrl-C 关闭",
                  "en": "The drill ended; {n} files written to {out}. The pages stay up to show "
                        "the result: press Ctrl-C to close the room"},
    "notes": {"zh": "观察员记录", "en": "Observers' notes"},
    "note_author": {"zh": "记录人", "en": "By"},
    "note_text": {"zh": "内容", "en": "Note"},
    "time": {"zh": "时间", "en": "Time"},
    "replay_link": {"zh": "动画回放（拖动时间轴查看推演过程）：replay.html",
                    "en": "Animated replay (drag the time slider through the drill): replay.html"},
}

STATUS: dict[str, dict[str, str]] = {
    "standby": {"zh": "待命", "en": "standby"},
    "ordered": {"zh": "已下令出动", "en": "ordered out"},
    "mobilising": {"zh": "集结", "en": "mobilising"},
    "travelling": {"zh": "赶赴现场", "en": "travelling"},
    "on_site": {"zh": "在现场", "en": "on site"},
    "recalled": {"zh": "已撤回", "en": "recalled"},
}
DECISION_WORDS: dict[str, dict[str, str]] = {
    "wait": {"zh": "按预案继续", "en": "carry on with the plan"},
    "dispatch": {"zh": "派出工作组", "en": "send a team"},
    "recall": {"zh": "撤回工作组", "en": "recall a team"},
    "reinforcement": {"zh": "请求增派警力", "en": "request reinforcement"},
    "posture": {"zh": "改变处置方式", "en": "change the posture"},
    "send_leader": {"zh": "请涉事单位负责人到场", "en": "send the responsible unit's leader"},
    "send_top_leader": {"zh": "请主要领导到场", "en": "send the top leader"},
    "water": {"zh": "提供饮用水", "en": "provide water"},
    "statement": {"zh": "发布权威信息", "en": "issue an official statement"},
    "commitment": {"zh": "作出承诺", "en": "make a commitment"},
    "skip_inject": {"zh": "导调员跳过注入", "en": "the facilitator skips an inject"},
    "add_inject": {"zh": "导调员临时注入", "en": "the facilitator adds an inject"},
}
SKIPPED_EVENTS = ("task_start", "task_end", "message_received")
"""Event kinds the feed leaves out: the team board shows what each team is doing."""


def t(key: str, lang: str, **fmt) -> str:
    """The room text ``key`` in ``lang``, formatted with ``fmt``."""
    return lookup(TEXT, key, lang, **fmt)


def clock(snap: dict[str, Any], lang: str) -> str:
    """``T+44 min (09:44)``, to the nearest minute as the report gives times."""
    return t("clock", lang, t=Clock.minute(snap["t_min"]), clock=snap["clock"])


def clock_at(start_clock: str, t_min: float) -> str:
    """The time of day ``t_min`` minutes after ``start_clock`` (``HH:MM``), to the nearest
    minute as the report gives times."""
    h, m = (int(x) for x in start_clock.split(":"))
    total = h * 60 + m + Clock.minute(t_min)
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def event_text(plan, event: dict[str, Any], lang: str,
               injects: dict[str, dict[str, Any]] | None = None) -> str:
    """One row of the event log as a sentence in ``lang`` (the report's wording); an inject
    says what it says (``injects``: fired injects by id), a decision names the choice."""
    row = dict(event)
    kind, subject = row.get("kind"), str(row.get("subject") or "")
    if kind == "inject":
        item = (injects or {}).get(subject)
        if item is None:  # added on the spot: its kind is in the log's detail
            found = re.search(r"\((\w+), ", str(row.get("detail") or ""))
            if found and found.group(1) in INJECT_KIND:
                item = {"id": subject, "kind": found.group(1)}
        if item is not None:
            return t("inject_event", lang, id=subject, text=inject_text(item, lang, plan))
    if kind == "decision" and subject in DECISION_WORDS:
        return t("decision_event", lang, what=DECISION_WORDS[subject][lang])
    value = row.get("value")
    row["value"] = math.nan if value is None else float(value)
    row.setdefault("causes", "")
    row["causes"] = "" if row["causes"] is None or row["causes"] != row["causes"] \
        else str(row["causes"])
    for key in ("actor", "subject", "detail"):
        v = row.get(key)
        row[key] = "" if v is None or v != v else str(v)
    try:
        # describe() reads only the plan of a result
        return describe(SimpleNamespace(plan=plan), SimpleNamespace(**row), lang)  # type: ignore[arg-type]
    except (KeyError, ValueError, AttributeError, IndexError):
        return row["detail"]


def feed_lines(plan, events: list[dict[str, Any]], lang: str,
               injects: list[dict[str, Any]] | None = None) -> list[tuple[float, str]]:
    """The events worth telling the room, as (time, sentence)."""
    by_id = {i["id"]: i for i in injects or []}
    return [(float(e["t_min"]), event_text(plan, e, lang, by_id)) for e in events
            if e["kind"] not in SKIPPED_EVENTS]


def minute(t_min: float) -> str:
    """``T+44``: a time to the nearest minute (as the clock and the report show it)."""
    return f"T+{Clock.minute(t_min)}"


def expected_text(item: dict[str, Any], lang: str, plan=None) -> str:
    """An expected action still open: what, by whom, by when (and overdue when it is)."""
    who = item.get("team") or ""
    if who:
        name = team_name(plan, who, lang)
        who = f"（{name}）" if lang == "zh" else f" ({name})"
    action = word(ACTIONS, item["action"], lang)
    if item.get("description"):   # the scenario's own words for it
        action += f"“{item['description'][lang]}”" if lang == "zh" else \
            f" (“{item['description'][lang]}”)"
    text = t("expected_item", lang, inject=item["inject"], action=action, who=who,
             due=item["due_min"])
    return (t("overdue", lang) + text) if item.get("overdue") else text


def target_text(item: dict[str, Any], lang: str, plan=None) -> str:
    """A time target of the plan not reached yet (overdue marked)."""
    who = item.get("team") or ""
    if who:
        name = team_name(plan, who, lang)
        who = f"（{name}）" if lang == "zh" else f" ({name})"
    text = t("target_item", lang, what=word(TARGET_LABELS, item["target"], lang), who=who,
             due=item["due_min"])
    return (t("overdue", lang) + text) if item.get("overdue") else text


def expected_lines(snap: dict[str, Any], lang: str, plan=None,
                   targets: int = 3) -> list[tuple[str, bool]]:
    """What the plan expects next: the injects' expected actions still open, then the
    plan's nearest time targets not reached (``targets`` of them, all overdue ones);
    each as (text, overdue)."""
    out = [(expected_text(x, lang, plan), bool(x.get("overdue")))
           for x in snap.get("expected_open", [])]
    open_targets = snap.get("targets_open", [])
    shown = [x for x in open_targets if x.get("overdue")]
    shown += [x for x in open_targets if not x.get("overdue")][:targets]
    out += [(target_text(x, lang, plan), bool(x.get("overdue"))) for x in shown]
    return out


def state_word(state: str, lang: str) -> str:
    return word(VALUE_WORDS, state, lang)
