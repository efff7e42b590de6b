"""The plan's time targets beside the times measured in a run (evaluation.json, part one).

A target is met when the measured time (minutes from T0) is at or under it; a task that
never happened is ``not_done``; a target the plan does not set is ``no_target``.
"""

from __future__ import annotations

from typing import Any

from sim.core.result import DrillResult
from sim.core.timing import on_time
from sim.core.types import EventKind

TIMED = ("first_report_min", "verification_min", "plan_activated_min", "cordon_min",
         "dialogue_start_min", "representatives_min", "agreement_min", "cleared_min",
         "first_statement_min")

K = EventKind


def _status(target: float | None, measured: float | None) -> tuple[str, float | None]:
    if target is None:
        return "no_target", None
    if measured is None:
        return "not_done", None
    return ("met" if on_time(measured, target) else "missed"), round(target - measured, 2)


def target_rows(r: DrillResult) -> list[dict[str, Any]]:
    """One row per target: ``key``, ``subject``, ``target_min``, ``measured_min``, ``status``, ``margin_min``."""
    t, m = r.plan.targets, r.metrics
    rows = []
    for key in TIMED:
        target = getattr(t, key)
        status, margin = _status(target, m.get(key))
        rows.append({"key": key, "subject": "", "target_min": target,
                     "measured_min": m.get(key), "status": status, "margin_min": margin})
    for team in r.teams.itertuples():
        if team.command_post or team.dispatched_min is None:
            continue
        status, margin = _status(team.target_min, team.on_site_min)
        rows.append({"key": "team_on_site_min", "subject": team.team,
                     "target_min": team.target_min, "measured_min": team.on_site_min,
                     "status": status, "margin_min": margin})
    if m.get("health_incidents"):
        status, margin = _status(t.medical_response_min, m.get("medical_response_max_min"))
        rows.append({"key": "medical_response_min", "subject": "",
                     "target_min": t.medical_response_min,
                     "measured_min": m.get("medical_response_max_min"), "status": status,
                     "margin_min": margin})
    ev = r.events
    sent = ev[ev["kind"] == K.REPORT_SENT.value]
    for rep in r.plan.reporting:
        row = sent[sent["subject"] == rep.id]
        due = report_deadline(r, rep)
        if due is None:
            continue
        if row.empty:
            if rep.from_level is not None and f"report:{rep.id}" not in r.milestones:
                continue
            rows.append({"key": "report", "subject": rep.id, "target_min": round(due, 2),
                         "measured_min": None, "status": "not_done", "margin_min": None})
            continue
        measured = round(float(row["t_min"].iloc[0]), 2)
        status, margin = _status(round(due, 2), measured)
        rows.append({"key": "report", "subject": rep.id, "target_min": round(due, 2),
                     "measured_min": measured, "status": status, "margin_min": margin})
    return rows


def report_deadline(r: DrillResult, rep) -> float | None:
    """When upward report ``rep`` was due (minutes from T0): ``within_min`` after the first
    declaration of its ``from_level`` or a higher level (of any level without one; of the
    plan's activation for a plan without levels), as the drill timed it. None when it was
    never due."""
    ev = r.events
    sent = ev[(ev["kind"] == K.REPORT_SENT.value) & (ev["subject"] == rep.id)]
    if not sent.empty and sent["value"].iloc[0] == sent["value"].iloc[0]:
        # the drill logs the report's margin against its deadline
        return round(float(sent["t_min"].iloc[0]) - float(sent["value"].iloc[0]), 2)
    ids = [lv.id for lv in r.plan.levels]
    if not ids:
        since = r.metrics.get("plan_activated_min")
    else:
        times = r.metrics.get("level_times") or {}
        from_ = ids.index(rep.from_level) if rep.from_level in ids else 0
        starts = [times[i] for i in ids[from_:] if i in times]
        since = min(starts) if starts else None
    return round(since + rep.within_min, 2) if since is not None else None
