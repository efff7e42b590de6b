"""The facilitator's console for a drill run with trainees (``run --interactive``).

At each decision point it shows the situation in a panel, lists the options the plan allows
with the plan's own prescription as the default (taken on a bare Enter), asks for the
trainees' choice and a note, and hands them to the session. Input that is not an option is
asked again with the options shown. It reads and writes through the functions it is given,
so tests can drive it, and it never touches SimPy itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reports.i18n import ACTIONS, SUBJECTS, VALUE_WORDS, lookup, word

TEXT = {
    "title": {"zh": "决策点 {n}（T+{t:.0f}分钟）：{why}", "en": "Decision point {n} (T+{t:.0f}): {why}"},
    "why_inject": {"zh": "导调注入 {ref}", "en": "inject {ref}"},
    "why_level": {"zh": "宣布{ref}级响应", "en": "level {ref} declared"},
    "why_pause": {"zh": "定时暂停", "en": "scheduled pause"},
    "situation": {"zh": "现场态势", "en": "Situation"},
    "crowd": {"zh": "上访群众{crowd}人，围观{onlookers}人；态势：{state}；平均激动程度{agitation:.2f}；"
                    "过激比例{active:.0%}；政府公信度{legitimacy:.2f}",
              "en": "{crowd} petitioners, {onlookers} onlookers; crowd {state}; mean agitation "
                    "{agitation:.2f}; acting out {active:.0%}; legitimacy {legitimacy:.2f}"},
    "online": {"zh": "网络谣言覆盖率{reach:.1%}；权威信息：{statement}；承诺：{agreement}；待救治{health}人",
               "en": "rumour reach {reach:.1%}; statement: {statement}; commitment: {agreement}; "
                     "{health} patients waiting"},
    "level": {"zh": "响应级别：{level}", "en": "level: {level}"},
    "team": {"zh": "工作组", "en": "Team"},
    "status": {"zh": "状态", "en": "Status"},
    "activity": {"zh": "当前任务", "en": "Doing"},
    "open": {"zh": "待完成的预期行动：{items}", "en": "expected actions outstanding: {items}"},
    "pending": {"zh": "尚未注入：{items}", "en": "injects still to come: {items}"},
    "options": {"zh": "可选处置", "en": "Options"},
    "default": {"zh": "（预案规定，回车即选）", "en": "(the plan's choice; Enter takes it)"},
    "ask": {"zh": "请选择 [1-{n}]（回车 = {k}）：", "en": "choice [1-{n}] (Enter = {k}): "},
    "bad": {"zh": "“{raw}”不是可选项，请输入1到{n}之间的数字。", "en": "'{raw}' is not an option; enter a number from 1 to {n}."},
    "note": {"zh": "备注（可空）：", "en": "note (optional): "},
    "chosen": {"zh": "已选择：{label}", "en": "chosen: {label}"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "none": {"zh": "无", "en": "none"},
}
STATUS = {
    "standby": {"zh": "待命", "en": "standby"}, "mobilising": {"zh": "集结", "en": "mobilising"},
    "travelling": {"zh": "途中", "en": "travelling"}, "on_site": {"zh": "在现场", "en": "on site"},
}


def _t(key: str, lang: str, **fmt) -> str:
    return lookup(TEXT, key, lang, **fmt)


def situation_panel(snap: dict[str, Any], point, lang: str) -> Panel:
    """The situation at a decision point as a rich panel."""
    why = {"inject": _t("why_inject", lang, ref=point.ref),
           "level": _t("why_level", lang, ref=point.ref),
           "pause": _t("why_pause", lang)}[point.kind]
    yes, no = _t("yes", lang), _t("no", lang)
    lines = [
        _t("level", lang, level=snap["level"] or _t("none", lang)),
        _t("crowd", lang, crowd=snap["crowd_present"], onlookers=snap["onlookers"],
           state=word(VALUE_WORDS, snap["crowd_state"], lang), agitation=snap["mean_agitation"],
           active=snap["active_share"], legitimacy=snap["legitimacy"]),
        _t("online", lang, reach=snap["rumor_reach"], statement=yes if snap["statement_out"] else no,
           agreement=yes if snap["agreement"] else no, health=snap["health_pending"]),
    ]
    table = Table(show_header=True, header_style="bold", expand=True)
    for col in ("team", "status", "activity"):
        table.add_column(_t(col, lang))
    for team in snap["teams"]:
        name = team["name_zh"] if lang == "zh" else team["name_en"]
        table.add_row(name, word(STATUS, team["status"], lang),
                      word(SUBJECTS, team["activity"], lang) if team["activity"] else "")
    extra = []
    if snap["expected_open"]:
        items = ", ".join(f"{x['inject']}: {word(ACTIONS, x['action'], lang)} (T+{x['due_min']:.0f})"
                          for x in snap["expected_open"])
        extra.append(_t("open", lang, items=items))
    if snap["injects_pending"]:
        extra.append(_t("pending", lang, items=", ".join(snap["injects_pending"])))
    from rich.console import Group

    body = Group("\n".join(lines), table, "\n".join(extra))
    return Panel(body, title=_t("title", lang, n=point.index, t=point.t_min, why=why),
                 subtitle=_t("situation", lang))


def choose(options: list, console: Console, ask: Callable[[str], str], lang: str) -> int:
    """Show the options and read a valid choice; returns its index (0-based)."""
    default = next((i for i, o in enumerate(options) if o.prescribed), None)

    def show() -> None:
        table = Table(title=_t("options", lang), show_header=False, box=None)
        table.add_column(justify="right")
        table.add_column()
        for i, o in enumerate(options, start=1):
            label = o.label_zh if lang == "zh" else o.label_en
            if i - 1 == default:
                label = f"[bold]{label}[/] {_t('default', lang)}"
            table.add_row(str(i), label)
        console.print(table)

    show()
    n = len(options)
    while True:
        raw = ask(_t("ask", lang, n=n, k=(default + 1) if default is not None else "-")).strip()
        if raw == "" and default is not None:
            return default
        if raw.isdigit() and 1 <= int(raw) <= n:
            return int(raw) - 1
        console.print(_t("bad", lang, raw=raw, n=n))
        show()


def facilitate(session, console: Console, lang: str = "zh",
               ask: Callable[[str], str] | None = None) -> None:
    """Run ``session`` to its end, asking the facilitator at every decision point.

    ``KeyboardInterrupt`` and end of input propagate, after the choices so far are recorded
    in the session, so the caller can save them.
    """
    ask = ask or (lambda prompt: console.input(Text(prompt)))
    while (point := session.next_point()) is not None:
        console.print(situation_panel(session.snapshot(), point, lang))
        opts = session.options(point)
        index = choose(opts, console, ask, lang)
        note = ask(_t("note", lang)).strip()
        chosen = opts[index]
        session.decide(point, chosen, note)
        console.print(_t("chosen", lang, label=chosen.label_zh if lang == "zh" else chosen.label_en))
