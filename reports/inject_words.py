"""An inject in words: what it tells the trainees (its own message), or a sentence for its
kind with its fields filled in. Shared by the report, the room, the terminal and the replay;
reads plain values and the plan's team names, never the simulation.
"""

from __future__ import annotations

from typing import Any

from reports.i18n import CAPABILITIES, ITEMS, word

INJECT_KIND: dict[str, dict[str, str]] = {
    "arrivals": {"zh": "又有{count}名群众赶来。", "en": "{count} more petitioners are coming."},
    "block_gate": {"zh": "部分群众冲到门口，围堵大门、吵闹。",
                   "en": "Part of the crowd moves to block the gate, shouting."},
    "agitation": {"zh": "有人起哄煽动，现场情绪升温。", "en": "Someone stirs the crowd up; tempers rise."},
    "health_incident": {"zh": "现场有人身体不适，晕倒在地。", "en": "Someone in the crowd collapses."},
    "equipment_failure": {"zh": "{team}的{item}发生故障。", "en": "{team}'s {item} fails."},
    "rumour": {"zh": "现场视频被发布到网上，不实信息开始传播。",
               "en": "A video of the scene is posted online; false claims spread."},
    "comms_outage": {"zh": "通信中断，预计{duration_min:g}分钟。",
                     "en": "Communications are down for about {duration_min:g} min."},
    "demand_leader": {"zh": "群众坚持要求见主要领导。", "en": "The crowd insists on seeing the top leader."},
    "weather": {"zh": "气温升至{temperature_c:g}℃。", "en": "The temperature reaches {temperature_c:g} °C."},
    "message": {"zh": "导调信息。", "en": "An exercise message."},
    "broken_promise": {"zh": "群众认为此前的承诺未兑现。", "en": "The crowd sees a promise broken."},
}

FIELDS = ("team", "capability", "item", "count", "temperature_c", "duration_min")
"""The inject fields a kind's sentence may name."""


def inject_item(item) -> dict[str, Any]:
    """A scenario's inject as the plain record :func:`inject_text` reads."""
    return {"id": item.id, "kind": item.kind.value,
            "message_zh": item.message.zh if item.message else "",
            "message_en": item.message.en if item.message else "",
            "fields": {k: getattr(getattr(item, k), "value", getattr(item, k)) for k in FIELDS
                       if getattr(item, k, None) is not None}}


def team_name(plan, tid: str, lang: str) -> str:
    team = plan.teams.get(tid) if plan is not None else None
    return team.name.get(lang) if team is not None else tid


def inject_text(item: dict[str, Any], lang: str, plan=None) -> str:
    """What an inject says to the room: its own message, or a sentence for its kind."""
    own = item.get(f"message_{lang}") or ""
    if own:
        return own
    fields = {k: getattr(v, "value", v) for k, v in (item.get("fields") or {}).items()}
    if "team" in fields:
        fields["team"] = team_name(plan, fields["team"], lang)
    elif "capability" in fields:   # addressed to a capability: the plan's teams that have it
        cap = str(fields["capability"])
        held = [tid for tid, tm in plan.teams.items()
                if cap in {getattr(c, "value", c) for c in tm.capabilities}] \
            if plan is not None else []
        fields["team"] = ("、" if lang == "zh" else ", ").join(
            team_name(plan, tid, lang) for tid in held) or word(CAPABILITIES, cap, lang)
    if "item" in fields:
        fields["item"] = word(ITEMS, str(fields["item"]), lang)
    template = INJECT_KIND.get(item.get("kind", ""), {}).get(lang)
    if template is None:
        return item.get("id", "")
    try:
        return template.format(**fields)
    except (KeyError, ValueError):
        return template.split("{")[0].rstrip("，, ") or item.get("id", "")
