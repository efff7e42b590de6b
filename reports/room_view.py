"""What the room's pages show, as display text in one language: built from a session's
snapshot (plain values), the plan and the options offered. The projector view and the
facilitator console draw these values as they are; they never compute wording."""

from __future__ import annotations

from typing import Any

from reports.facilitator import FACILITATOR_ACTIONS, option_key
from reports.i18n import POSTURE, SUBJECTS, word
from reports.room_text import (
    STATUS,
    TEXT,
    clock,
    expected_lines,
    feed_lines,
    inject_text,
    minute,
    state_word,
    t,
)

LABELS = ("level", "crowd", "onlookers", "state", "agitation", "active", "legitimacy", "rumour",
          "statement", "statement_out", "agreement", "health", "team", "status", "posture",
          "doing", "injects", "feed_all", "expected", "none", "options", "controls", "notes",
          "time")
"""Words the pages print as headings, in both languages."""
FEED_LINES = 14
"""Most recent events the projector lists."""


def labels() -> dict[str, dict[str, str]]:
    """The headings of the pages, ``{key: {zh, en}}``."""
    return {k: TEXT[k] for k in LABELS}


def view(snap: dict[str, Any], plan, lang: str) -> dict[str, Any]:
    """The projector's and console's display values in ``lang``."""
    level = snap.get(f"level_{lang}") or snap["level"] or t("no_level", lang)
    teams = []
    for team in snap["teams"]:
        teams.append({
            "name": team["name_zh"] if lang == "zh" else team["name_en"],
            "status": word(STATUS, team["status"], lang), "status_key": team["status"],
            "posture": word(POSTURE, team["posture"], lang) if team["posture"] else "",
            "doing": word(SUBJECTS, team["activity"], lang) if team["activity"] else "",
            "on_site": team["on_site"],
        })
    injects = [{"id": i["id"], "time": minute(i["t_min"]), "text": inject_text(i, lang, plan)}
               for i in snap.get("injects_fired", [])]
    feed = [{"time": minute(when), "text": text}
            for when, text in feed_lines(plan, snap.get("feed", []), lang,
                                         snap.get("injects_fired"))][-FEED_LINES:]
    expected = [{"text": line, "overdue": overdue}
                for line, overdue in expected_lines(snap, lang, plan)]
    return {
        "clock": clock(snap, lang),
        "time_of_day": snap["clock"],
        "t_min": snap["t_min"],
        "level": level,
        "crowd": snap["crowd_present"],
        "onlookers": snap["onlookers"],
        "state": state_word(snap["crowd_state"], lang),
        "state_key": snap["crowd_state"],
        "agitation": f"{snap['mean_agitation']:.2f}",
        "active": f"{snap['active_share']:.0%}",
        "legitimacy": f"{snap['legitimacy']:.2f}",
        "rumour": f"{snap['rumor_reach']:.1%}",
        "statement": f"{snap.get('statement_reach', 0.0):.1%}",
        "statement_out": t("yes", lang) if snap["statement_out"] else t("no", lang),
        "agreement": t("made", lang) if snap["agreement"] else t("not_made", lang),
        "health": snap["health_pending"],
        "teams": teams,
        "injects": injects,
        "feed": feed,
        "expected": expected,
    }


def option_rows(options: list, team_ids: list[str], inject_ids: list[str]) -> list[dict[str, Any]]:
    """The options on offer with their stable keys, trainees' and facilitator's apart."""
    return [{"key": option_key(o, team_ids, inject_ids), "action": o.action,
             "group": "facilitator" if o.action in FACILITATOR_ACTIONS else "trainees",
             "label_zh": o.label_zh, "label_en": o.label_en, "prescribed": o.prescribed}
            for o in options]


def point_label(point, snap: dict[str, Any], lang: str) -> str:
    """Why the drill stopped here, in ``lang``."""
    if point is None:
        return ""
    why = {"inject": t("why_inject", lang, ref=point.ref),
           "level": t("why_level", lang, ref=snap.get(f"level_{lang}") or point.ref),
           "pause": t("why_pause", lang), "time": t("why_time", lang)}.get(point.kind, point.kind)
    return t("title", lang, n=point.index, clock=clock(snap, lang), why=why)
