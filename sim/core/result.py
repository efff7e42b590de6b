"""The result of one drill: tidy frames and the flat metrics of INTERFACE.md.

Reports read a :class:`DrillResult` only; they never see SimPy.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.core.config import Plan, Scenario
from sim.core.msel import inject_rows, inject_table
from sim.core.parameters import Parameters
from sim.core.types import Capability, CrowdState, Event, EventKind, Message

if TYPE_CHECKING:
    from sim.core.loading import DrillInputs
    from sim.core.world import World

K = EventKind

OUTCOMES = ("resolved", "dispersed_unresolved", "ongoing_at_end", "escalated")
DECISION_COLUMNS = ("point", "t_min", "trigger", "ref", "action", "label_zh", "label_en",
                    "prescribed", "note")
NOTE_COLUMNS = ("t_min", "author", "text")
UNAPPLIED_COLUMNS = ("point", "t_min", "action", "args", "reason", "label_zh", "label_en")
"""A recorded decision a replay could not apply; ``reason``: ``ended`` (the drill ended before
its time) or ``impossible`` (it never became possible); ``label_zh``/``label_en``: the choice in
words, as the options name it."""


@dataclass
class DrillResult:
    """Everything a run produced.

    Attributes:
        scenario, plan: the validated inputs.
        plan_label: the plan's name as shown in outputs (with any inline overrides).
        seed: the run's seed.
        events: the event log, one row per event, ordered by time (``t_min`` minutes).
        timeseries: one row per tick.
        messages: every message sent between teams.
        teams: one row per team: dispatch and arrival times against its target.
        milestones: first time of each milestone (minutes).
        injects: one row per inject: when it fired, its expected action and response.
        decisions: one row per choice made at a decision point (facilitated runs).
        params: the model parameters the run used.
        metrics: the flat metrics of ``metrics.json``.
        notes: observers' notes of a facilitated drill (``t_min``, ``author``, ``text``).
        replay_file: the animated replay beside the report (a file name), when written.
        own_plan: whether the plan is the one the scenario names (its injects' clauses cite
            that plan's sections).
        unapplied: recorded decisions a replay could not apply (:data:`UNAPPLIED_COLUMNS`).
        scenario_file, plan_file: the files the scenario and the plan were read from
            (absolute paths), so that the run's folder can be replayed from them.
    """

    scenario: Scenario
    plan: Plan
    plan_label: str
    seed: int
    events: pd.DataFrame
    timeseries: pd.DataFrame
    messages: pd.DataFrame
    teams: pd.DataFrame
    milestones: dict[str, float]
    injects: pd.DataFrame = field(default_factory=pd.DataFrame)
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    params: Parameters | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(NOTE_COLUMNS)))
    replay_file: str = ""
    own_plan: bool = True
    unapplied: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(UNAPPLIED_COLUMNS)))
    scenario_file: str = ""
    plan_file: str = ""


def _opt(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 2)


def build_result(world: World, inputs: DrillInputs, seed: int) -> DrillResult:
    """Turn a finished world into a :class:`DrillResult`."""
    rec, plan = world.rec, world.plan
    events = pd.DataFrame(rec.events, columns=Event._fields)
    events = events.sort_values("t_min", kind="stable").reset_index(drop=True)
    data = {k: v[:rec.n] for k, v in rec.series.items()}
    ts = pd.DataFrame(data)
    ts.insert(ts.columns.get_loc("active_share") + 1, "crowd_state", rec.series_state)
    ts["level"] = rec.series_level
    for col in ("crowd_present", "onlookers", "arrived", "left", "in_care"):
        ts[col] = ts[col].astype(int)
    messages = pd.DataFrame(rec.messages, columns=Message._fields)

    rows = []
    level_times = level_times_of(rec.events)
    for tid, team in world.teams.items():
        within = plan.on_site_within(tid)
        rows.append({
            "team": tid, "name_zh": team.cfg.name.zh, "name_en": team.cfg.name.en,
            "size": team.cfg.size, "familiarity": team.familiarity,
            "dispatched_min": _opt(team.t_dispatched), "on_site_min": _opt(team.t_on_site),
            "target_min": _opt(within + sent_later(plan, tid, level_times))
            if within is not None else None,
            "command_post": Capability.COMMAND in team.cfg.capabilities,
        })
    teams = pd.DataFrame(rows)
    for col in ("dispatched_min", "on_site_min", "target_min"):
        # times that never happened stay None (not NaN), as in metrics.json
        teams[col] = teams[col].astype(object).where(teams[col].notna(), None)
    rows = inject_rows(inputs.scenario, plan, world.fired, rec.events, _end(world),
                       rec)
    result = DrillResult(inputs.scenario, plan, inputs.plan_label, seed, events, ts, messages,
                         teams, dict(rec.milestones), inject_table(rows),
                         pd.DataFrame(world.decision_log, columns=DECISION_COLUMNS), inputs.params)
    result.metrics = compute_metrics(world, inputs, seed, rows)
    result.own_plan = inputs.own_plan
    result.unapplied = pd.DataFrame(world.unapplied, columns=list(UNAPPLIED_COLUMNS))
    result.scenario_file = str(Path(inputs.scenario_path).resolve())
    result.plan_file = str(Path(inputs.plan_path).resolve())
    return result


def _end(world: World) -> float:
    """The last tick's minute."""
    rec = world.rec
    return float(rec.table[rec.n - 1, rec.columns.index("t_min")]) if rec.n else 0.0


def run_metrics(world: World, inputs: DrillInputs, seed: int) -> dict[str, Any]:
    """Only the metrics of a finished world (no frames): what Monte Carlo work keeps."""
    rows = inject_rows(inputs.scenario, inputs.plan, world.fired, world.rec.events, _end(world),
                       world.rec)
    return compute_metrics(world, inputs, seed, rows)


def sent_later(plan: Plan, team_id: str, level_times: dict[str, float]) -> float:
    """Minutes after T0 from which a team's arrival target counts: 0 for a team the first
    level declared sends (or the plan sends at once), else the first declaration of a level
    that sends it, when that came later (a team the plan keeps for a higher level is not
    held to a clock that started before it was called for)."""
    if not level_times:
        return 0.0
    first = min(level_times.values())
    mine = [level_times[lv.id] for lv in plan.levels
            if team_id in lv.dispatch and lv.id in level_times]
    if not mine or min(mine) <= first + 1e-9:
        return 0.0
    return max(0.0, min(mine))


def level_times_of(events: list[Event]) -> dict[str, float]:
    """Each level declared, with the first time it was declared or raised to (minutes)."""
    out: dict[str, float] = {}
    for e in events:
        if e.kind in (K.LEVEL_DECLARED.value, K.LEVEL_RAISED.value):
            out.setdefault(str(e.subject), round(float(e.t_min), 2))
    return out


def _first(events: list[Event], kind: EventKind) -> float | None:
    """Minute of the first event of ``kind`` (None if none)."""
    return next((float(e.t_min) for e in events if e.kind == kind.value), None)


def compute_metrics(world: World, inputs: DrillInputs, seed: int,
                    injects: list[dict[str, Any]]) -> dict[str, Any]:
    """The flat metrics object of INTERFACE.md, plus a few extra keys, from the run's raw
    record (no frames: Monte Carlo work needs only this; see :func:`run_metrics`)."""
    rec, plan, s, sc = world.rec, inputs.plan, world.state, inputs.scenario
    n = rec.n
    col = {c: rec.table[:n, j] for j, c in enumerate(rec.columns)}
    events = sorted(rec.events, key=lambda e: e.t_min)
    m = rec.milestones
    ids = [lv.id for lv in plan.levels]
    levels_seen = [lv for lv in dict.fromkeys(rec.series_level) if lv]
    level = max(levels_seen, key=ids.index) if levels_seen else (s.level.id if s.level else None)
    if s.level is not None and (level is None or ids.index(s.level.id) > ids.index(level)):
        level = s.level.id
    states = [CrowdState[x.upper()] for x in dict.fromkeys(rec.series_state)]
    max_state = max(states).label if states else "calm"
    on_site = [t.t_on_site for t in world.teams.values()
               if Capability.COMMAND not in t.cfg.capabilities and t.t_on_site is not None]
    responses = s.medical_responses
    counts = Counter(e.kind for e in events)
    incidents = int(counts.get(K.HEALTH_INCIDENT.value, 0) + counts.get(K.INJURY.value, 0))
    t_end = float(col["t_min"][-1]) if n else 0.0
    window = world.params.scuffle.escalated_window_min
    scuffle_late = s.scuffle_until > t_end or s.last_scuffle_end >= t_end - window
    if "agreement" in m and "cleared" in m:
        outcome = "resolved"
    elif "cleared" in m:
        outcome = "dispersed_unresolved"
    elif scuffle_late:
        outcome = "escalated"
    else:
        outcome = "ongoing_at_end"
    # a run the scenario's time limit cut while it was on its way to resolution: agreement
    # made and the crowd already leaving
    present = col["crowd_present"]
    present_end = int(present[-1]) if n else 0
    peak = int(present.max()) if n else 0
    cut = "cleared" not in m
    resolving = cut and "agreement" in m and not scuffle_late and present_end < 0.5 * max(peak, 1)
    reach_at = rec.counters.get("rumor_reach_at_statement")
    scuffle_min = float(rec.counters.get("scuffle_minutes", 0.0))
    if s.scuffle_until > -math.inf and s.scuffle_until != s.last_scuffle_end:
        scuffle_min += max(0.0, t_end - s.scuffle_started)  # an episode still going at the end
    statuses = Counter(row["status"] for row in injects)
    return {
        "scenario": sc.name,
        "plan": inputs.plan_label,
        "seed": seed,
        "level": level,
        "peak_crowd": peak,
        "peak_onlookers": int(col["onlookers"].max()) if n else 0,
        "peak_mean_agitation": round(float(col["mean_agitation"].max()), 4) if n else 0.0,
        "peak_active_share": round(float(col["active_share"].max()), 4) if n else 0.0,
        "max_crowd_state": max_state,
        "first_report_min": _opt(m.get("first_report")),
        "verification_min": _opt(m.get("verification")),
        "level_declared_min": _opt(m.get("level_declared")),
        "plan_activated_min": _opt(m.get("plan_activated")),
        "first_team_on_site_min": _opt(min(on_site)) if on_site else None,
        "team_on_site_min": {tid: _opt(t.t_on_site) for tid, t in world.teams.items()},
        "cordon_min": _opt(m.get("cordon")),
        "dialogue_start_min": _opt(m.get("dialogue_start")),
        "representatives_min": _opt(m.get("representatives")),
        "agreement_min": _opt(m.get("agreement")),
        "cleared_min": _opt(m.get("cleared")),
        "scuffles": int(rec.counters.get("scuffles", 0)),
        "force_used": int(rec.counters.get("force_used", 0)),
        "injuries": int(counts.get(K.INJURY.value, 0)),
        "health_incidents": incidents,
        "medical_response_mean_min": _opt(float(np.mean(responses))) if responses else None,
        "medical_response_max_min": _opt(float(np.max(responses))) if responses else None,
        "first_statement_min": _opt(m.get("first_statement")),
        "rumor_peak_reach": round(float(col["rumor_reach"].max()), 4) if n else 0.0,
        "rumor_reach_at_statement": round(reach_at, 4) if reach_at is not None else None,
        "equipment_failures": int(rec.counters.get("equipment_failures", 0)),
        "messages_sent": len(rec.messages),
        "messages_late": sum(1 for msg in rec.messages if msg.late),
        "messages_lost": int(rec.counters.get("messages_lost", 0)),
        "slips": int(counts.get(K.SLIP_LATE.value, 0) + counts.get(K.SLIP_INCOMPLETE.value, 0)
                     + counts.get(K.MESSAGE_MISDIRECTED.value, 0)),
        "talks_wait_min": round(float(sum(e.value for e in events
                                          if e.kind == K.TALKS_RESUMED.value
                                          and not math.isnan(e.value))), 2),
        "arrived": int(col["arrived"][-1]) if n else 0,
        "duration_min": round(t_end, 2),
        "injects_fired": sum(1 for row in injects if row["fired_min"] is not None),
        "expected_met": statuses["met"] + statuses["already_done"],
        "expected_late": statuses["late"],
        "expected_missed": statuses["missed"],
        "outcome": outcome,
        "end_reason": "time_limit" if cut else "cleared",
        "resolving_at_end": bool(resolving),
        "scuffle_minutes": round(scuffle_min, 2),
        "health_presentations": int(counts.get(K.HEALTH_INCIDENT.value, 0)
                                    - rec.counters.get("scripted_health", 0)),
        "talks_rounds_failed": int(rec.counters.get("talks_failed", 0)),
        "broken_promises": int(rec.counters.get("broken_promises", 0)),
        "legitimacy_end": round(float(world.legitimacy.value), 4),
        "level_times": level_times_of(events),
        "warning_known_min": _opt(m.get("warning")),
        "first_response_steps": int(counts.get(K.FIRST_RESPONSE.value, 0)),
        "commander_on_site_min": _opt(_first(events, K.COMMANDER_ON_SITE)),
        "person_at_risk_min": _opt(m.get("person_at_risk")),
        "person_outcome": (s.risk_outcome.value if s.risk_outcome is not None
                           else "at_risk" if s.person_at_risk else None),
        "person_safe_min": _opt(m.get("person_safe")),
        "counselled": int(s.counselled),
        "elderly_agitation_end": round(world.crowd.elderly_agitation(), 4),
    }
