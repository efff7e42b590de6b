"""The facilitator's terminal panel for a drill run with trainees (``run --interactive``).

At each decision point it tells the room what happened since the last pause: the clock (T+
and the time of day), the injects that fired with what they say, the events in order, the
crowd, the team board with each team's status and posture, and what the plan expects next,
overdue items marked. Then it lists the trainees' options under keys that stay the same at
every pause (``s`` is always the statement, ``d2`` always sends the plan's second team),
reads one or several keys, a note, and hands the choices to the session; the facilitator's
own controls (skip or add an inject) are listed and asked apart. Every word is in the chosen
language. It reads and writes through the functions it is given, so tests can drive it, and
it never touches SimPy itself (the session is duck-typed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reports.i18n import POSTURE, SUBJECTS, word
from reports.room_text import (
    STATUS,
    clock,
    expected_lines,
    feed_lines,
    inject_text,
    minute,
    state_word,
    t,
)

FACILITATOR_ACTIONS = ("skip_inject", "add_inject")
"""Actions that are the facilitator's, not the trainees'."""
ADD_KEYS = {"health_incident": "+h", "rumour": "+r", "agitation": "+a"}
SIMPLE_KEYS = {"wait": "0", "send_leader": "l", "send_top_leader": "t", "water": "w",
               "statement": "s", "commitment": "c"}
TEAM_KEYS = {"dispatch": "d", "recall": "r", "reinforcement": "b", "posture": "p"}


def option_key(option, team_ids: list[str], inject_ids: list[str]) -> str:
    """The key of an option, the same at every pause: a letter for the action, with the
    team's place in the plan or the inject's place in the scenario."""
    a, args = option.action, option.args
    if a in SIMPLE_KEYS:
        return SIMPLE_KEYS[a]
    if a in TEAM_KEYS:
        tid = args["team"]
        return f"{TEAM_KEYS[a]}{team_ids.index(tid) + 1 if tid in team_ids else tid}"
    if a == "skip_inject":
        iid = args["inject"]
        return f"x{inject_ids.index(iid) + 1 if iid in inject_ids else iid}"
    if a == "add_inject":
        return ADD_KEYS.get(args["kind"], f"+{args['kind']}")
    return a


def _label(option, lang: str) -> str:
    return option.label_zh if lang == "zh" else option.label_en


def situation_panel(snap: dict[str, Any], point, lang: str, plan=None,
                    since_min: float = 0.0) -> Panel:
    """The situation at a decision point as a rich panel (all text in ``lang``)."""
    why = {"inject": t("why_inject", lang, ref=point.ref),
           "level": t("why_level", lang, ref=snap.get(f"level_{lang}") or point.ref),
           "pause": t("why_pause", lang),
           "time": t("why_time", lang)}.get(point.kind, point.kind)
    level = snap.get(f"level_{lang}") or snap["level"] or t("no_level", lang)
    sep = "；" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    figures = sep.join([
        f"{t('level', lang)}{colon}{level}",
        f"{t('crowd', lang)}{colon}{snap['crowd_present']}",
        f"{t('onlookers', lang)}{colon}{snap['onlookers']}",
        f"{t('state', lang)}{colon}{state_word(snap['crowd_state'], lang)}",
        f"{t('agitation', lang)}{colon}{snap['mean_agitation']:.2f}",
        f"{t('active', lang)}{colon}{snap['active_share']:.0%}",
    ])
    online = sep.join([
        f"{t('rumour', lang)}{colon}{snap['rumor_reach']:.1%}",
        f"{t('statement_out', lang)}{colon}"
        f"{t('yes', lang) if snap['statement_out'] else t('no', lang)}",
        f"{t('agreement', lang)}{colon}"
        f"{t('made', lang) if snap['agreement'] else t('not_made', lang)}",
        f"{t('legitimacy', lang)}{colon}{snap['legitimacy']:.2f}",
        f"{t('health', lang)}{colon}{snap['health_pending']}",
    ])
    blocks: list[Any] = [Text(figures), Text(online)]

    fired = [i for i in snap.get("injects_fired", []) if i["t_min"] >= since_min - 1e-6]
    if fired:
        blocks.append(Text(t("injects", lang), style="bold"))
        for item in fired:
            blocks.append(Text(f"  {minute(item['t_min'])} [{item['id']}] "
                               f"{inject_text(item, lang, plan)}", style="yellow"))
    blocks.append(Text(t("feed", lang), style="bold"))
    lines = feed_lines(plan, snap.get("feed", []), lang, snap.get("injects_fired"))
    if lines:
        for when, text in lines[-25:]:
            blocks.append(Text(f"  {minute(when)}  {text}"))
    else:
        blocks.append(Text("  " + t("nothing", lang)))

    table = Table(show_header=True, header_style="bold", expand=True)
    for col in ("team", "status", "posture", "doing"):
        table.add_column(t(col, lang))
    for team in snap["teams"]:
        name = team["name_zh"] if lang == "zh" else team["name_en"]
        table.add_row(name, word(STATUS, team["status"], lang),
                      word(POSTURE, team["posture"], lang) if team["posture"] else "",
                      word(SUBJECTS, team["activity"], lang) if team["activity"] else "")
    blocks.append(table)
    blocks.append(Text(t("expected", lang), style="bold"))
    expected = expected_lines(snap, lang, plan)
    if expected:
        for line, overdue in expected:
            blocks.append(Text("  " + line, style="bold red" if overdue else ""))
    else:
        blocks.append(Text("  " + t("none", lang)))
    return Panel(Group(*blocks), title=t("title", lang, n=point.index, clock=clock(snap, lang),
                                         why=why))


def _options_table(title: str, keyed: list[tuple[str, Any]], lang: str) -> Table:
    table = Table(title=title, show_header=False, box=None, title_justify="left")
    table.add_column(justify="right")
    table.add_column()
    for key, o in keyed:
        label = Text(_label(o, lang))
        if o.prescribed:
            label.stylize("bold")
            label.append(" " + t("default", lang))
        table.add_row(key, label)
    return table


def _shown(typed: str, limit: int = 20) -> str:
    """What was typed, as it may be echoed: control characters escaped, cut to ``limit``."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in typed)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _read_keys(prompt: str, valid: dict[str, Any], console: Console,
               ask: Callable[[str], str], lang: str) -> list[str]:
    """Keys typed (separated by spaces or commas), each one of ``valid``; asked again on a
    key that is not."""
    while True:
        raw = ask(prompt).replace(",", " ").replace("，", " ").split()
        bad = [k for k in raw if k not in valid]
        if not bad:
            return list(dict.fromkeys(raw))
        console.print(Text(t("bad", lang, raw=_shown(bad[0]))))


def _apply(session, point, keys: list[str], keyed: dict[str, Any], note: str,
           console: Console, lang: str, team_ids: list[str], inject_ids: list[str]) -> None:
    for k in keys:
        chosen = keyed[k]
        now = {option_key(o, team_ids, inject_ids): o for o in session.options(point)}
        if k not in now:
            console.print(Text(t("no_longer", lang, label=_label(chosen, lang))))
            continue
        session.decide(point, now[k], note)
        console.print(Text(t("chosen", lang, label=_label(now[k], lang)), style="green"))


def facilitate(session, console: Console, lang: str = "zh",
               ask: Callable[[str], str] | None = None) -> None:
    """Run ``session`` to its end, asking at every decision point.

    ``KeyboardInterrupt`` and end of input propagate, after the choices so far are recorded
    in the session, so the caller can save them.
    """
    ask = ask or (lambda prompt: console.input(Text(prompt)))
    plan = session.inputs.plan
    team_ids = list(plan.teams)
    inject_ids = [i.id for i in session.inputs.scenario.injects]
    since = 0.0
    while (point := session.next_point()) is not None:
        snap = session.snapshot(since)
        console.print(situation_panel(snap, point, lang, plan, since))
        since = point.t_min
        opts = session.options(point)
        keyed = {option_key(o, team_ids, inject_ids): o for o in opts}
        trainees = [(k, o) for k, o in keyed.items() if o.action not in FACILITATOR_ACTIONS]
        controls = [(k, o) for k, o in keyed.items() if o.action in FACILITATOR_ACTIONS]
        console.print(_options_table(t("options", lang), trainees, lang))
        keys = _read_keys(t("ask", lang), dict(trainees), console, ask, lang)
        # a note decisions.yaml can hold: no control characters
        note = "".join(c for c in ask(t("note", lang)).strip() if c.isprintable())
        if not keys:
            keys = [k for k, o in trainees if o.prescribed]
        _apply(session, point, keys, keyed, note, console, lang, team_ids, inject_ids)
        if controls:
            console.print(_options_table(t("controls", lang), controls, lang))
            extra = _read_keys(t("ask_control", lang), dict(controls), console, ask, lang)
            _apply(session, point, extra, keyed, "", console, lang, team_ids, inject_ids)
    snap = session.snapshot(since)
    lines = [Text(f"  {minute(when)}  {text}") for when, text in
             feed_lines(plan, snap.get("feed", []), lang, snap.get("injects_fired"))]
    console.print(Panel(Group(Text(t("feed", lang), style="bold"), *lines[-25:]),
                        title=t("ended", lang, clock=clock(snap, lang))))
