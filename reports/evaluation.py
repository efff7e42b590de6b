"""Post-drill evaluation: critical tasks rated P/S/M/U, a 100-point score, the four gap
findings with their evidence, and the improvement plan.

Rating rule (HSEEP 2020, thresholds in ``reports/data/evaluation.yaml``):

* **P** performed within the plan's target and without challenges;
* **S** performed within the target but with challenges (slips, failures or waits that the
  event log ties to the task), or no more than ``s_over_target`` (25%) over the target;
* **M** performed more than that over the target, or with harm to other tasks or added
  risk (force used on the crowd, injuries);
* **U** not performed by the end of the drill.

Points per rating (P 100, S 75, M 40, U 0) are averaged over the rated tasks into the
score; grades 优 ≥90, 良 ≥75, 一般 ≥60, 差 below. Tasks the plan does not call for in the
run (no statement under a silent policy) are listed as not applicable and not scored.

Everything here reads a :class:`~sim.core.result.DrillResult`; nothing is simulated.
Evidence points at rows of the event log (``event_row`` is the row index in events.csv).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from reports.i18n import CAPABILITIES, ITEMS
from reports.targets import report_deadline, target_rows
from sim.core.result import DrillResult
from sim.core.triggers import parse as parse_condition
from sim.core.types import Capability, Equipment, EventKind, ReleasePolicy
from sim.core.types import Task as TeamTask
from sim.core.yamlio import load_file

RULES_FILE = Path(__file__).parent / "data" / "evaluation.yaml"
GAPS = ("familiarity", "coordination", "equipment", "public_opinion", "force")
AFTER_ACTIVATION = ("activation", "team_on_site", "cordon", "dialogue_start", "representatives",
                    "agreement", "statement", "report")

K = EventKind


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """The evaluation rules and measures catalogue."""
    return load_file(RULES_FILE).data


@dataclass
class Task:
    """One critical task and its rating.

    Attributes:
        id: unique id (``first_report``, ``team_on_site:order``, ``medical:3``...).
        key: the kind of task (a ``TASK_LABELS`` key in ``reports.i18n``).
        subject: the team, report or incident it is about ("" if none).
        target_min: the plan's target in minutes from T0 (None: no target).
        measured_min: when it was done (None: not done).
        rating: P, S, M, U, or ``NA`` (not applicable, not scored).
        challenges: event-log rows of the challenges met.
        reason: a short code for the rating (``within_target``, ``over_target`` ...).
    """

    id: str
    key: str
    subject: str
    target_min: float | None
    measured_min: float | None
    rating: str
    reason: str
    challenges: list[int] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Measure:
    """One row of the improvement plan."""

    gap: str
    cause: str
    subject: str
    element: str
    owner: str
    due_zh: str
    due_en: str
    text_zh: str
    text_en: str
    status: str = "open"


@dataclass
class Finding:
    """A gap the run shows, with its evidence and measures."""

    gap: str
    facts: dict[str, Any]
    evidence: list[int]
    measures: list[Measure] = field(default_factory=list)


@dataclass
class Evaluation:
    tasks: list[Task]
    score: float
    grade_zh: str
    grade_en: str
    findings: list[Finding]
    caps: list[str] = field(default_factory=list)
    """Ids of the caps (``caps`` in evaluation.yaml) that lowered the grade below the score's."""
    caps_met: list[str] = field(default_factory=list)
    """Ids of every cap whose condition the run meets (lowering the grade or not)."""

    @property
    def measures(self) -> list[Measure]:
        return [m for f in self.findings for m in f.measures]

    def counts(self) -> dict[str, int]:
        return {r: sum(1 for t in self.tasks if t.rating == r) for r in ("P", "S", "M", "U", "NA")}

    def finding(self, gap: str) -> Finding | None:
        return next((f for f in self.findings if f.gap == gap), None)


# --------------------------------------------------------------------------- rating


def rate(target: float | None, measured: float | None, challenges: bool, harm: bool) -> tuple[str, str]:
    """The rating and its reason code for one task (see the module docstring)."""
    if measured is None:
        return "U", "not_performed"
    if harm:
        return "M", "harm"
    if target is None:
        return ("S", "challenges") if challenges else ("P", "performed")
    over = rules()["rating"]["s_over_target"]
    if measured <= target:
        return ("S", "challenges") if challenges else ("P", "within_target")
    if measured <= target * (1.0 + over):
        return "S", "slightly_over"
    return "M", "over_target"


def _rows(ev: pd.DataFrame, kinds: tuple[str, ...], **match) -> list[int]:
    mask = ev["kind"].isin(kinds)
    for col, val in match.items():
        mask &= ev[col] == val
    return [int(i) for i in ev.index[mask]]


def _within(ev: pd.DataFrame, rows: list[int], since: float, until: float | None) -> list[int]:
    """The rows dated while a task was under way: from ``since`` to ``until`` (its end; None
    while it is still under way at the end of the run)."""
    return [i for i in rows if float(ev.loc[i, "t_min"]) >= since - 1e-9
            and (until is None or float(ev.loc[i, "t_min"]) <= until + 1e-9)]


def dispatch_message_rows(r: DrillResult, team: str, until: float | None) -> list[int]:
    """Rows of the message events (lost, misdirected, late) of the orders that sent ``team``
    to the site, dated before it arrived (``until``). A message is an order when it was sent
    at the time of a ``dispatch_order`` event naming the team (typed kinds, no text)."""
    ev, msgs = r.events, r.messages
    orders = ev[(ev["kind"] == K.DISPATCH_ORDER.value) & (ev["subject"] == team)]
    if orders.empty or msgs.empty:
        return []
    order_times = orders["t_min"].to_numpy(dtype=float)
    to_team = msgs[msgs["recipient"] == team]
    is_order = to_team["t_sent"].apply(lambda t: bool((abs(order_times - float(t)) < 1e-2).any()))
    order_msgs = to_team[is_order]
    if order_msgs.empty:
        return []
    ids = set(int(x) for x in order_msgs["msg_id"])
    delivered = order_msgs["t_delivered"].to_numpy(dtype=float)
    out = []
    kinds = (K.MESSAGE_LOST.value, K.MESSAGE_MISDIRECTED.value, K.MESSAGE_LATE.value)
    for i in _rows(ev, kinds, subject=team):
        row = ev.loc[i]
        if row.kind == K.MESSAGE_LATE.value:
            ok = bool((abs(delivered - float(row.t_min)) < 1e-2).any())
        else:
            ok = row.value == row.value and int(row.value) in ids
        if ok:
            out.append(i)
    return _within(ev, out, float(order_times.min()), until)


def _statement_task(r: DrillResult) -> Task:
    """The first statement. A plan that leaves publicity out is still rated, against what the
    incident needed, when the rumour passed ``gaps.rumour_reach``: the criterion is the drill's
    (``criteria.statement_after_rumour_min`` after the rumour passed it), and a statement
    never made is a plan gap (预案缺陷), not 'not applicable'."""
    ev, m, t = r.events, r.metrics, r.plan.targets
    policy = r.plan.publicity.release_policy
    measured = m["first_statement_min"]
    slips = _within(ev, _rows(ev, (K.SLIP_LATE.value,), subject=TeamTask.STATEMENT.value),
                    0.0, measured)
    threshold = rules()["gaps"]["rumour_reach"]
    ts = r.timeseries
    over = ts[ts["rumor_reach"] >= threshold] if len(ts) else ts
    needed_at = float(over["t_min"].iloc[0]) if len(over) else None
    silent = policy is ReleasePolicy.SILENT and t.first_statement_min is None
    if silent or (t.first_statement_min is None and needed_at is not None):
        if needed_at is None:
            if measured is None:
                return Task("statement", "statement", "", None, None, "NA",
                            "silent_policy" if silent else "no_rumour",
                            _rows(ev, (K.POLICY_SILENT.value,)))
            rating, reason = rate(None, measured, bool(slips), False)
            return Task("statement", "statement", "", None, measured, rating, reason, slips)
        criterion = round(needed_at + rules()["criteria"]["statement_after_rumour_min"], 2)
        rating, reason = rate(criterion, measured, bool(slips), False)
        detail = {"basis": "need", "rumour_over_min": needed_at, "plan_gap": silent,
                  "threshold": threshold}
        if rating == "U" and silent:
            reason = "plan_gap"
        return Task("statement", "statement", "", criterion, measured, rating, reason,
                    slips, detail)
    if policy is ReleasePolicy.REACTIVE and m["rumor_peak_reach"] <= 0:
        return Task("statement", "statement", "", t.first_statement_min, measured, "NA",
                    "no_rumour", [])
    if policy is ReleasePolicy.REACTIVE and t.first_statement_min is not None and len(ts):
        # a plan that answers rumours cannot answer one before it appears: its deadline
        # counts from the rumour's first appearance when that came later than T0
        heard = ts[ts["rumor_reach"] > 0]
        start = float(heard["t_min"].iloc[0]) if len(heard) else None
        if start is not None and start > 0:
            target = round(start + t.first_statement_min, 2)
            rating, reason = rate(target, measured, bool(slips), False)
            return Task("statement", "statement", "", target, measured, rating, reason, slips,
                        {"since_rumour": start, "within": t.first_statement_min})
    rating, reason = rate(t.first_statement_min, measured, bool(slips), False)
    return Task("statement", "statement", "", t.first_statement_min, measured, rating, reason,
                slips)


def _task(tasks: list[Task], id_: str, key: str, subject: str, target, measured,
          challenges: list[int], harm: bool = False, **detail: Any) -> None:
    rating, reason = rate(target, measured, bool(challenges), harm)
    tasks.append(Task(id_, key, subject, target, measured, rating, reason, challenges, detail))


def _counted_from(m: dict[str, Any], target: float | None, within: float | None,
                  always: bool = False) -> dict[str, Any]:
    """Where a deadline of ``within`` minutes starts when it does not start at T0 (or
    ``always``): ``{"within": ..., "since": ..., "since_level": level declared then}``; the
    report names the level instead of leaving a derived figure unexplained."""
    if target is None or within is None:
        return {}
    since = round(target - within, 2)
    if abs(since) < 0.01 and not always:
        return {}
    level = next((lv for lv, t in (m.get("level_times") or {}).items()
                  if abs(t - since) < 0.02), None)
    return {"within": within, "since": since, "since_level": level}


def _person_task(r: DrillResult) -> Task | None:
    """A person at risk protected: the air cushion up or the person safe, within the drill's
    criterion of being seen (the plan sets no minutes: the incident's need); a fall before
    either is U."""
    ev, m = r.events, r.metrics
    seen = ev[ev["kind"] == K.PERSON_AT_RISK.value]
    if seen.empty:
        return None
    t0 = float(seen["t_min"].iloc[0])
    target = round(t0 + rules()["criteria"]["person_protected_min"], 2)
    cushion = ev[(ev["kind"] == K.RESCUE_DEPLOYED.value) & (ev["t_min"] >= t0)]
    done = [float(cushion["t_min"].iloc[0])] if not cushion.empty else []
    if m.get("person_safe_min") is not None:
        done.append(float(m["person_safe_min"]))
    fell = ev[(ev["kind"] == K.PERSON_FELL.value) & (ev["t_min"] >= t0)]
    fell_at = float(fell["t_min"].iloc[0]) if not fell.empty else None
    measured = round(min(done), 2) if done else None
    rows = [int(i) for i in list(cushion.index[:1]) + list(fell.index[:1])]
    if fell_at is not None and (measured is None or measured > fell_at):
        return Task("person_at_risk", "person_at_risk", "", target, None, "U", "person_fell",
                    rows, {"basis": "need", "seen": t0})
    rating, reason = rate(target, measured, False, fell_at is not None)
    return Task("person_at_risk", "person_at_risk", "", target, measured, rating, reason, rows,
                {"basis": "need", "seen": t0, "window": [t0, measured]})


def _true_level(r: DrillResult, headcount: float, t: float | None = None) -> str | None:
    """The level the plan gives ``headcount``; with ``t``, also any level whose own ``when``
    condition held at minute ``t`` (the higher of the two)."""
    if t is None:
        lv = r.plan.level_for(headcount)
    else:
        lv = r.plan.level_for(headcount, lambda text: _condition_held(r, text, t))
    return lv.id if lv else None


def _condition_held(r: DrillResult, text: str, t: float) -> bool:
    """Whether a condition held at minute ``t`` (for its ``for N min`` too), judged from the
    run's record as the drill judged it tick by tick: the time series, with the counts and
    milestones of the events up to each tick. Variables the record does not keep (``dark``,
    ``warning``, ``expected_crowd``) read as unknown, which holds nothing."""
    cond = parse_condition(text)
    ts = r.timeseries
    rows = ts[ts["t_min"] <= t + 1e-9]
    if rows.empty:
        return False
    ev, m = r.events, r.metrics

    def times(kind: EventKind):
        return ev.loc[ev["kind"] == kind.value, "t_min"].to_numpy()

    hurt, ill = times(K.INJURY), times(K.HEALTH_INCIDENT)
    seen, safe = times(K.PERSON_AT_RISK), times(K.PERSON_SAFE)

    def by(key: str, minute: float) -> bool:
        return m.get(key) is not None and float(m[key]) <= minute + 1e-9

    since = None
    for row in rows.to_dict("records"):
        now = float(row["t_min"])
        row.update(injuries=int((hurt <= now).sum()), health_incidents=int((ill <= now).sum()),
                   statement_out=by("first_statement_min", now), agreement=by("agreement_min", now),
                   dialogue=by("dialogue_start_min", now),
                   representatives=by("representatives_min", now), cordon=by("cordon_min", now),
                   person_at_risk=bool((seen <= now).sum() > (safe <= now).sum()))
        held = cond.holds(row)
        since = (now if since is None else since) if held else None
    return since is not None and float(rows["t_min"].iloc[-1]) - since >= cond.hold_min - 1e-9


def critical_tasks(r: DrillResult) -> list[Task]:
    """The plan's critical tasks, timed against their targets and rated."""
    ev, m, t, plan = r.events, r.metrics, r.plan.targets, r.plan
    ts = r.timeseries
    tasks: list[Task] = []
    cmd = plan.command.team

    _task(tasks, "first_report", "first_report", plan.command.first_report_by,
          t.first_report_min, m["first_report_min"],
          _within(ev, _rows(ev, (K.SLIP_LATE.value, K.SLIP_INCOMPLETE.value),
                            subject=TeamTask.FIRST_REPORT.value), 0.0, m["first_report_min"]),
          window=[0.0, m["first_report_min"]])
    _task(tasks, "verification", "verification", cmd, t.verification_min,
          m.get("verification_min"), [])

    # level declared correctly: the first declaration against the level the true count gives
    declared = ev[ev["kind"] == K.LEVEL_DECLARED.value]
    levels = [lv.id for lv in plan.levels]
    if not levels:
        tasks.append(Task("level", "level", "", None, None, "NA", "no_levels", []))
    elif declared.empty:
        peak_level = _true_level(r, m["peak_crowd"])
        if peak_level is None:
            tasks.append(Task("level", "level", "", None, None, "NA", "below_plan", []))
        else:
            tasks.append(Task("level", "level", "", None, None, "U", "not_performed", [],
                              {"correct": peak_level}))
    else:
        row = declared.iloc[0]
        peak_level = _true_level(r, m["peak_crowd"])
        if row.t_min < 0:
            # declared on a warning, before anyone came: judged against the crowd that came
            true_count = int(m["peak_crowd"])
        else:
            at = ts.loc[(ts["t_min"] - row.t_min).abs().idxmin()]
            true_count = int(at["crowd_present"])
        # the headcount's level, or higher where a level's own condition held then (the
        # crowd's state, harm...): the plan's rule, which the headcount alone does not show
        correct = _true_level(r, true_count, None if row.t_min < 0 else float(row.t_min))
        if getattr(row, "causes", "") == "condition":
            correct = row.subject
        off = abs(levels.index(row.subject) - levels.index(correct)) if correct else 1
        highest = m["level"]
        missed_peak = peak_level is not None and highest is not None and \
            levels.index(highest) < levels.index(peak_level)
        rating = "P" if off == 0 and not missed_peak else ("S" if off <= 1 else "M")
        reason = "correct" if rating == "P" else ("under_peak" if missed_peak else "wrong_level")
        tasks.append(Task("level", "level", row.subject, None, float(row.t_min), rating, reason,
                          [int(declared.index[0])],
                          {"declared": row.subject, "correct": correct, "true_count": true_count,
                           "on_warning": bool(row.t_min < 0), "highest": highest,
                           "peak_level": peak_level}))

    _task(tasks, "activation", "activation", cmd, t.plan_activated_min, m["plan_activated_min"],
          _within(ev, _rows(ev, (K.SLIP_LATE.value,), actor=cmd,
                            subject=TeamTask.ACTIVATION.value), 0.0, m["plan_activated_min"]),
          window=[0.0, m["plan_activated_min"]])

    for team in r.teams.itertuples():
        if team.command_post or team.dispatched_min is None:
            continue
        orders = ev[(ev["kind"] == K.DISPATCH_ORDER.value) & (ev["subject"] == team.team)]
        since = float(orders["t_min"].min()) if not orders.empty else 0.0
        until = team.on_site_min
        challenges = _within(ev, _rows(ev, (K.SLIP_LATE.value,), actor=team.team,
                                       subject=TeamTask.MOBILISATION.value), since, until)
        challenges += dispatch_message_rows(r, team.team, until)
        here = team.on_site_min
        steps = ev[(ev["kind"] == K.FIRST_RESPONSE.value) & (ev["actor"] == team.team)]
        duty = not steps.empty and (here is None or float(steps["t_min"].iloc[0]) < here)
        if duty:   # its duty staff reported the crowd and acted on the spot before it came
            here = float(steps["t_min"].iloc[0])
        _task(tasks, f"team_on_site:{team.team}", "team_on_site", team.team, team.target_min,
              here, [] if duty else sorted(challenges), window=[since, until],
              **_counted_from(m, team.target_min, plan.on_site_within(team.team)),
              **({"duty_staff": True} if duty else {}))

    force = _rows(ev, (K.FORCE_USED.value,))
    if any(Capability.ORDER in tm.capabilities for tm in plan.teams.values()):
        cordon_at = m.get("cordon_min")
        before_cordon = _within(ev, force, 0.0, cordon_at)
        _task(tasks, "cordon", "cordon", "", t.cordon_min, cordon_at, before_cordon,
              harm=bool(before_cordon), force_used=len(before_cordon), window=[0.0, cordon_at])
        if force:
            # force on the crowd as a whole, whenever it came, is a task done with harm
            tasks.append(Task("restraint", "restraint", "", None,
                              float(ev.loc[force[0], "t_min"]), "M", "harm", force,
                              {"force_used": len(force)}))

    # the dialogue teams' own loudspeaker, failing or missing before the representatives came
    talkers = set(plan.teams_with(Capability.DIALOGUE))
    dialogue_kit = [i for i in _rows(ev, (K.EQUIPMENT_FAILED.value, K.EQUIPMENT_SHORTAGE.value),
                                     subject=Equipment.LOUDSPEAKER.value)
                    if ev.loc[i, "actor"] in talkers]
    _task(tasks, "dialogue_start", "dialogue_start", "", t.dialogue_start_min,
          m["dialogue_start_min"], [])
    _task(tasks, "representatives", "representatives", "", t.representatives_min,
          m["representatives_min"], _within(ev, dialogue_kit, 0.0, m["representatives_min"]),
          window=[0.0, m["representatives_min"]])
    waits = _within(ev, _rows(ev, (K.TALKS_RESUMED.value,)), m["dialogue_start_min"] or 0.0,
                    m["agreement_min"])
    _task(tasks, "agreement", "agreement", "", t.agreement_min, m["agreement_min"], waits,
          window=[m["dialogue_start_min"] or 0.0, m["agreement_min"]])

    medical = medical_cases(r)
    if medical:
        tasks.append(_medical_task(r, medical))

    risk = _person_task(r)
    if risk is not None:
        tasks.append(risk)

    tasks.append(_statement_task(r))

    sent = ev[ev["kind"] == K.REPORT_SENT.value]
    for rep in plan.reporting:
        if f"report:{rep.id}" not in r.milestones:
            continue
        row = sent[sent["subject"] == rep.id]
        deadline = report_deadline(r, rep)
        measured = round(float(row["t_min"].iloc[0]), 2) if not row.empty else None
        challenges = _within(ev, _rows(ev, (K.SLIP_LATE.value, K.SLIP_INCOMPLETE.value),
                                       subject=TeamTask.REPORT.about(rep.id)), 0.0, measured)
        # the report lost, misdirected or late on its way to the superior (sim.core.comms)
        challenges += _within(ev, _rows(ev, (K.MESSAGE_LOST.value, K.MESSAGE_MISDIRECTED.value,
                                             K.MESSAGE_LATE.value), subject=f"upper:{rep.id}"),
                              0.0, measured)
        _task(tasks, f"report:{rep.id}", "report", rep.id, deadline, measured, challenges,
              window=[0.0, measured], **_counted_from(m, deadline, rep.within_min, True))

    injuries = _rows(ev, (K.INJURY.value,))
    _task(tasks, "cleared", "cleared", "", t.cleared_min, m["cleared_min"], [],
          harm=bool(injuries) and m["cleared_min"] is not None, injuries=len(injuries))
    if tasks[2].reason == "below_plan" and m["plan_activated_min"] is None:
        # the crowd never reached the plan's scope, and the plan was not activated: what
        # follows activation was not called for
        for task in tasks:
            if task.key in AFTER_ACTIVATION:
                task.rating, task.reason = "NA", "below_plan"
    end = float(ts["t_min"].iloc[-1]) if len(ts) else 0.0
    for task in tasks:
        if task.rating == "U" and task.reason == "not_performed" and task.target_min is not None \
                and task.target_min > end:
            # the drill ended before the task was due: nothing was missed
            task.rating, task.reason = "NA", "not_due"
    return tasks


def medical_cases(r: DrillResult) -> list[dict[str, Any]]:
    """Each health incident with its attendance (matched by case number, not by order)."""
    ev = r.events
    attended = ev[ev["kind"] == K.MEDICAL_ATTENDED.value]
    by_case = {row.subject: (int(i), float(row.value)) for i, row in attended.iterrows()}
    end = float(r.timeseries["t_min"].iloc[-1]) if len(r.timeseries) else 0.0
    out = []
    for i, inc in ev[ev["kind"].isin((K.HEALTH_INCIDENT.value, K.INJURY.value))].iterrows():
        hit = by_case.get(inc.subject)
        out.append({"case": inc.subject, "incident_row": int(i), "incident_min": float(inc.t_min),
                    "injury": inc.kind == "injury",
                    "attended_row": hit[0] if hit else None,
                    "response_min": round(hit[1], 2) if hit else None,
                    "open_at_end": hit is None and end - float(inc.t_min)
                    < (r.plan.targets.medical_response_min or 0.0)})
    return out


def _medical_task(r: DrillResult, cases: list[dict[str, Any]]) -> Task:
    """Medical care as one task: the longest response against the target; cases left
    unattended (beyond the target before the drill ended) make it M, or U if none was reached."""
    target = r.plan.targets.medical_response_min
    attended = [c for c in cases if c["response_min"] is not None]
    unattended = [c for c in cases if c["response_min"] is None and not c["open_at_end"]]
    late = [c for c in attended if target is not None and c["response_min"] > target]
    worst = max((c["response_min"] for c in attended), default=None)
    rows = [c["incident_row"] for c in late + unattended]
    detail = {"cases": len(cases), "attended": len(attended), "late": len(late),
              "unattended": len(unattended), "within": len(attended) - len(late)}
    if not attended and unattended:
        return Task("medical", "medical", "", target, None, "U", "not_performed", rows, detail)
    rating, reason = rate(target, worst, bool(late), False)
    if unattended:
        rating, reason = "M", "unattended"
    return Task("medical", "medical", "", target, worst, rating, reason, rows, detail)


def score(tasks: list[Task]) -> tuple[float, str, str]:
    """Mean points of the rated tasks and the grade (zh, en)."""
    pts = rules()["points"]
    rated = [pts[t.rating] for t in tasks if t.rating != "NA"]
    value = round(sum(rated) / len(rated), 1) if rated else 0.0
    for g in rules()["grades"]:
        if value >= g["min"]:
            return value, g["zh"], g["en"]
    return value, rules()["grades"][-1]["zh"], rules()["grades"][-1]["en"]


# --------------------------------------------------------------------------- gaps


def _owner(r: DrillResult, who: str, subject: str) -> str:
    plan = r.plan
    if who == "subject" and subject in plan.teams:
        return subject
    if who == "publicity":
        return plan.publicity.team
    for cap, name in ((Capability.LOGISTICS, "logistics"), (Capability.ORDER, "order"),
                      (Capability.DIALOGUE, "dialogue"), (Capability.MEDICAL, "medical")):
        if who == name:
            teams = plan.teams_with(cap)
            if teams:
                return teams[0]
    return plan.command.team


def _measure(r: DrillResult, gap: str, cause: str, subject: str, lang_args: dict[str, dict]) -> Measure:
    spec = rules()["measures"][cause]
    return Measure(gap, cause, subject, spec["element"], _owner(r, spec["owner"], subject),
                   spec["due"]["zh"], spec["due"]["en"],
                   spec["zh"].format(**lang_args["zh"]), spec["en"].format(**lang_args["en"]))


def _args(r: DrillResult, teams: Sequence[str] = (), item: str = "") -> dict[str, dict]:
    """A measure's words in each language: ``team`` (the teams' names, joined) and ``item``."""
    names = ITEMS.get(item, {"zh": item, "en": item})
    out = {}
    for lang, joint in (("zh", "、"), ("en", " and ")):
        team = joint.join(r.plan.teams[tid].name.get(lang) if tid in r.plan.teams else tid
                          for tid in teams)
        out[lang] = {"team": team, "item": names[lang]}
    return out


def familiarity_gap(r: DrillResult) -> Finding | None:
    ev = r.events
    rows = _rows(ev, (K.SLIP_LATE.value, K.SLIP_INCOMPLETE.value, K.MESSAGE_MISDIRECTED.value))
    if not rows:
        return None
    by_team: dict[str, float] = {}
    causes: dict[tuple[str, str], None] = {}
    for i in rows:
        row = ev.loc[i]
        by_team[row.actor] = by_team.get(row.actor, 0.0) + (
            0.0 if row.kind == "message_misdirected" else float(row.value))
        causes[(row.kind, row.actor)] = None
    f = Finding("familiarity", {"slips": len(rows),
                                "minutes_lost_by_team": {k: round(v, 1) for k, v in by_team.items()}},
                rows)
    for kind, team in causes:
        f.measures.append(_measure(r, "familiarity", kind, team, _args(r, [team])))
    return f


def shown_wait_minutes(r: DrillResult) -> int:
    """Minutes the talks waited for command's answers, each wait to the nearest minute as the
    event log's rows give it, so that the total is the sum of the waits a report lists
    (``talks_wait_min`` in metrics.json is the exact total)."""
    ev = r.events
    waits = ev.loc[ev["kind"] == K.TALKS_RESUMED.value, "value"]
    return int(sum(math.floor(float(w) + 0.5) for w in waits if w == w))


EXERCISE = "exercise"
"""The exercise control's actor id: its messages (injects) are not the plan's own."""


def message_tally(r: DrillResult) -> dict[str, int]:
    """The plan's own messages (the exercise control's injects left out): ``sent``;
    ``late`` (delivered after their deadline); ``resent`` (lost once or more and sent again
    until delivered, late or not); ``lost`` (lost and never delivered); ``misdirected``."""
    msgs = r.messages
    if len(msgs):
        msgs = msgs[(msgs["sender"] != EXERCISE) & (msgs["recipient"] != EXERCISE)]
    if not len(msgs):
        return {"sent": 0, "late": 0, "resent": 0, "lost": 0, "misdirected": 0}
    lost, late = msgs["lost"].astype(bool), msgs["late"].astype(bool)
    delivered = msgs["t_delivered"].notna()
    return {"sent": len(msgs), "late": int(late.sum()), "resent": int((lost & delivered).sum()),
            "lost": int((lost & ~delivered).sum()), "misdirected": int(msgs["misdirected"].sum())}


def late_arrivals(r: DrillResult, tasks: list[Task]) -> list[dict[str, Any]]:
    """Teams on site late (rated M) or never (U) with no slip and no late order to explain
    it: the plan's own call-out, muster and travel did not get them there in time. Each:
    ``team``, ``ordered_min``, ``on_site_min`` (None: never), ``target_min``, ``window_min``
    (from the order to the target), ``own_min`` (the plan's muster and travel minutes)."""
    out = []
    for t in tasks:
        if t.key != "team_on_site" or t.rating not in ("M", "U") or t.challenges \
                or t.target_min is None or t.subject not in r.plan.teams:
            continue
        team = r.plan.teams[t.subject]
        ordered = float(t.detail.get("window", [0.0])[0])
        out.append({"team": t.subject, "ordered_min": ordered, "on_site_min": t.measured_min,
                    "target_min": t.target_min,
                    "window_min": round(t.target_min - ordered, 1),
                    "own_min": team.mobilisation_min + team.travel_min})
    return out


def coordination_gap(r: DrillResult, tasks: list[Task]) -> Finding | None:
    ev = r.events
    plans_own = ev["actor"] != EXERCISE
    late = _rows(ev[plans_own], (K.MESSAGE_LATE.value,))
    lost = _rows(ev[plans_own], (K.MESSAGE_LOST.value,))
    waits = _rows(ev, (K.TALKS_RESUMED.value,))
    outage = _rows(ev, (K.COMMS_OUTAGE.value,))
    wait_total = float(ev.loc[waits, "value"].sum()) if waits else 0.0
    arrivals = late_arrivals(r, tasks)
    if not late and not lost and not outage and not arrivals \
            and wait_total < rules()["gaps"]["coordination_wait_min"]:
        return None
    tally = message_tally(r)
    late_teams = {a["team"] for a in arrivals}
    ordered = [i for i in _rows(ev, (K.DISPATCH_ORDER.value,)) if ev.loc[i, "subject"] in late_teams]
    arrived = [i for i in _rows(ev, (K.TEAM_ON_SITE.value,)) if ev.loc[i, "actor"] in late_teams]
    f = Finding("coordination", {"messages_sent": tally["sent"], "late": tally["late"],
                                 "resent": tally["resent"], "lost": tally["lost"],
                                 "talks_wait_min": shown_wait_minutes(r),
                                 "late_arrivals": arrivals},
                sorted(late + lost + outage + waits + ordered + arrived))
    dispatch_late = [i for i in late if ev.loc[i, "subject"] in r.plan.teams
                     and _is_dispatch(r, i)]
    if lost:
        f.measures.append(_measure(r, "coordination", "message_lost", "", _args(r)))
    if dispatch_late:
        f.measures.append(_measure(r, "coordination", "dispatch_late", "", _args(r)))
    elif late:
        f.measures.append(_measure(r, "coordination", "message_late", "", _args(r)))
    if wait_total >= rules()["gaps"]["coordination_wait_min"]:
        answering = [tid for tid, tm in r.plan.teams.items() if tm.answers_min is not None] \
            or [r.plan.command.team]
        f.measures.append(_measure(r, "coordination", "talks_waiting", "", _args(r, answering)))
    if outage:
        f.measures.append(_measure(r, "coordination", "comms_outage", "", _args(r)))
    for a in arrivals:
        f.measures.append(_measure(r, "coordination", "arrival_late", a["team"],
                                   _args(r, [a["team"]])))
    return f


def _is_dispatch(r: DrillResult, row: int) -> bool:
    ev = r.events
    t, team = ev.loc[row, "t_min"], ev.loc[row, "subject"]
    msgs = r.messages
    hit = msgs[(msgs["recipient"] == team) & (msgs["topic"] == "dispatch")
               & ((msgs["t_delivered"] - t).abs() < 1e-6)]
    return not hit.empty


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def equipment_gap(r: DrillResult, tasks: list[Task]) -> Finding | None:
    ev = r.events
    failed = _rows(ev, (K.EQUIPMENT_FAILED.value,))
    short = _rows(ev, (K.EQUIPMENT_SHORTAGE.value, K.SUPPLY_EXHAUSTED.value, K.NO_SPARE.value))
    medical = next((t for t in tasks if t.key == "medical"), None)
    slow_medical = medical is not None and medical.rating in ("M", "U")
    lacking = missing_capabilities(r, tasks)
    if not failed and not short and not slow_medical and not lacking:
        return None
    end = float(r.timeseries["t_min"].iloc[-1])
    outages = []
    for i in failed:
        row = ev.loc[i]
        fixed = ev[(ev["kind"] == K.EQUIPMENT_REPLACED.value) & (ev["subject"] == row.subject)
                   & (ev["t_min"] >= row.t_min)]
        t1 = float(fixed["t_min"].iloc[0]) if not fixed.empty else end
        task_rows = ev[(ev["actor"] == row.actor) & ev["kind"].isin((K.TASK_START.value, K.TASK_END.value))]
        during = {}
        for name in ("explaining", "talks"):
            s = task_rows[(task_rows["subject"] == name) & (task_rows["kind"] == K.TASK_START.value)]
            e = task_rows[(task_rows["subject"] == name) & (task_rows["kind"] == K.TASK_END.value)]
            if not s.empty:
                t_end = float(e["t_min"].iloc[0]) if not e.empty else end
                during[name] = round(_overlap(float(row.t_min), t1, float(s["t_min"].iloc[0]),
                                              t_end), 1)
        outages.append({"event_row": i, "team": row.actor, "item": row.subject,
                        "failed_min": float(row.t_min), "restored_min": None if fixed.empty
                        else t1, "out_min": round(t1 - float(row.t_min), 1),
                        "during": during, "fixed_row": None if fixed.empty
                        else int(fixed.index[0])})
    medical_rows = medical.challenges if medical is not None and slow_medical else []
    lacking_rows = [i for c in lacking for i in c["rows"]]
    evidence = sorted(failed + short + [o["fixed_row"] for o in outages if o["fixed_row"] is not None]
                      + medical_rows + lacking_rows)
    f = Finding("equipment", {"failures": outages,
                              "shortages": sum(ev.loc[i, "kind"] != K.NO_SPARE.value for i in short),
                              "medical_late": medical.detail["late"]
                              if medical is not None and slow_medical else 0,
                              "medical_unattended": medical.detail["unattended"]
                              if medical is not None and slow_medical else 0,
                              "missing_capabilities": [{k: v for k, v in c.items() if k != "rows"}
                                                       for c in lacking]}, evidence)
    seen = set()
    for i in failed + short:
        row = ev.loc[i]
        key = (row.kind, row.subject)
        if key in seen:
            continue
        seen.add(key)
        team = r.plan.teams.get(row.actor)
        if row.kind == K.EQUIPMENT_SHORTAGE.value and team is not None \
                and not team.equipment.get(row.subject):
            # the plan never gave the team the item: a gap in the plan's kit, not in its stock
            f.measures.append(_measure(r, "equipment", "equipment_unlisted", row.actor,
                                       _args(r, [row.actor], row.subject)))
            continue
        f.measures.append(_measure(r, "equipment", row.kind, row.subject,
                                   _args(r, item=row.subject)))
    has_medical = bool(r.plan.teams_with(Capability.MEDICAL))
    if slow_medical and has_medical:   # without a medical unit: the capability it lacks, below
        there = all(r.plan.teams[tid].prepositioned
                    for tid in r.plan.teams_with(Capability.MEDICAL))
        f.measures.append(_measure(r, "equipment", "medical_capacity" if there else "medical_slow",
                                   "", _args(r)))
        if hot_drill(r):   # heat illness: only where the drill was hot
            f.measures.append(_measure(r, "equipment", "medical_heat", "", _args(r)))
    for c in lacking:
        names = CAPABILITIES.get(c["capability"], {"zh": c["capability"], "en": c["capability"]})
        providers = PROVIDERS.get(c["capability"], PROVIDERS["other"])
        f.measures.append(_measure(r, "equipment", "capability_missing", c["capability"],
                                   {"zh": {"team": "", "item": names["zh"],
                                           "who": providers["zh"]},
                                    "en": {"team": "", "item": names["en"],
                                           "who": providers["en"]}}))
    return f


PROVIDERS: dict[str, dict[str, str]] = {
    "medical": {"zh": "120急救、卫生健康部门", "en": "the 120 ambulance service or the health authority"},
    "rescue": {"zh": "消防救援", "en": "the fire and rescue service"},
    "dialogue": {"zh": "信访部门、涉事单位", "en": "the petition bureau or the unit concerned"},
    "order": {"zh": "公安机关", "en": "the police"},
    "evacuation": {"zh": "公安机关", "en": "the police"},
    "logistics": {"zh": "办公室、后勤或行政部门", "en": "the office or the administration"},
    "publicity": {"zh": "宣传部门", "en": "the publicity department"},
    "psych_support": {"zh": "卫生健康部门、心理援助机构", "en": "the health authority or a counselling service"},
    "other": {"zh": "相关职能部门", "en": "the department concerned"},
}
"""Who usually provides a capability a plan lacks, as the improvement measure suggests."""

def handling_gap(r: DrillResult, tasks: list[Task]) -> Finding | None:
    """On-site handling: force on the crowd as a whole, people hurt in scuffles, a person at
    risk protected late or never. Facts: ``force_used``, ``first_min`` (of force, None
    without), ``scuffles``, ``scuffle_minutes``, ``injuries``, ``person`` (the person-at-risk
    task's seen, target and measured minutes and rating, None when on time or absent)."""
    ev, m = r.events, r.metrics
    force = _rows(ev, (K.FORCE_USED.value,))
    injuries = _rows(ev, (K.INJURY.value,))
    person = next((t for t in tasks if t.key == "person_at_risk" and t.rating in ("M", "U")),
                  None)
    if not force and not injuries and person is None:
        return None
    scuffles = _rows(ev, (K.SCUFFLE_STARTED.value,))
    facts = {"force_used": len(force), "injuries": len(injuries),
             "first_min": float(ev.loc[force[0], "t_min"]) if force else None,
             "scuffles": int(m.get("scuffles") or 0),
             "scuffle_minutes": float(m.get("scuffle_minutes") or 0.0),
             "person": None if person is None else {
                 "seen_min": person.detail.get("seen"), "target_min": person.target_min,
                 "measured_min": person.measured_min, "rating": person.rating,
                 "reason": person.reason}}
    evidence = sorted(set(force + (scuffles[:1] if injuries else []) + injuries[:1]
                          + (person.challenges if person is not None else [])))
    f = Finding("force", facts, evidence)
    if force:
        f.measures.append(_measure(r, "force", "force_used", "", _args(r)))
    elif injuries:
        f.measures.append(_measure(r, "force", "scuffle_harm", "", _args(r)))
    if person is not None:
        f.measures.append(_measure(r, "force", "person_at_risk", "", _args(r)))
    return f


def hot_drill(r: DrillResult) -> bool:
    """Whether the drill was hot at any time: its weather, or a weather inject, at the
    rules' ``gaps.hot_c`` or above."""
    temps = [r.scenario.weather.temperature_c]
    for item in r.scenario.injects:
        t = getattr(item, "temperature_c", None)
        if t is not None:
            temps.append(float(t))
    return max(temps) >= rules()["gaps"]["hot_c"]


NEEDS: dict[str, str] = {"dialogue_start": Capability.DIALOGUE.value,
                         "representatives": Capability.DIALOGUE.value,
                         "agreement": Capability.DIALOGUE.value,
                         "medical": Capability.MEDICAL.value}
"""Critical tasks only a team with this capability can perform (every petition needs talks)."""


def missing_capabilities(r: DrillResult, tasks: Sequence[Task] = ()) -> list[dict[str, Any]]:
    """What the drill called for that no team of the plan can do: each capability an inject
    expected a response from (and got none), or a critical task of ``tasks`` needed (and
    was not performed), while the plan has no team with it; with the injects, the tasks and
    the event rows of the missed responses."""
    ev = r.events
    have = {c.value for t in r.plan.teams.values() for c in t.capabilities}
    out: dict[str, dict[str, Any]] = {}

    def entry(cap: str) -> dict[str, Any]:
        return out.setdefault(cap, {"capability": cap, "injects": [], "actions": [], "rows": [],
                                    "tasks": []})

    for t in tasks:
        cap = NEEDS.get(t.key)
        if cap is None or cap in have or t.rating not in (("M", "U") if t.key == "medical"
                                                          else ("U",)):
            continue
        entry(cap)["tasks"].append(t.key)
    injects = r.injects
    if not len(injects):
        return list(out.values())
    by_capability = {i.id: i.expected.capability.value for i in r.scenario.injects
                     if i.expected is not None and i.expected.team is None
                     and i.expected.capability is not None}
    for row in injects.itertuples():
        cap = by_capability.get(row.inject)   # a team named by id is another matter
        if row.status != "missed" or cap is None or cap in have:
            continue
        item = entry(cap)
        item["injects"].append(row.inject)
        item["actions"].append(row.expected_action)
        item["rows"] += _rows(ev, (K.EXPECTED_MISSED.value,), subject=row.inject)
    return list(out.values())


def public_opinion_gap(r: DrillResult) -> Finding | None:
    ev, m, ts = r.events, r.metrics, r.timeseries
    threshold = rules()["gaps"]["rumour_reach"]
    if m["rumor_peak_reach"] < threshold:
        return None
    at_statement = m["rumor_reach_at_statement"]
    if at_statement is not None and at_statement < threshold:
        return None
    first = m["first_statement_min"]
    posted = [i for i in _rows(ev, (K.RUMOUR_POSTED.value, K.RUMOUR_DETECTED.value,
                                    K.STATEMENT_ISSUED.value, K.POLICY_SILENT.value))
              # the policy line after a statement already out would contradict it
              if not (ev.loc[i, "kind"] == K.POLICY_SILENT.value and first is not None
                      and float(ev.loc[i, "t_min"]) >= first)]
    online = ts[ts["rumor_reach"] > 0]
    onlookers_peak = int(online["onlookers"].max()) if not online.empty else 0
    drawn = rumour_drawn_onlookers(r)
    silent = r.plan.publicity.release_policy is ReleasePolicy.SILENT
    f = Finding("public_opinion", {
        "policy": r.plan.publicity.release_policy.value,
        "rumor_peak_reach": m["rumor_peak_reach"],
        "rumor_reach_at_statement": at_statement,
        "first_statement_min": m["first_statement_min"],
        "onlookers_peak_while_rumour": onlookers_peak,
        "onlookers_drawn_by_rumour": drawn,
        "plan_gap": silent and r.plan.targets.first_statement_min is None,
    }, posted)
    cause = "rumour_silent" if silent else "rumour_late"
    f.measures.append(_measure(r, "public_opinion", cause, "", _args(r)))
    if drawn and r.plan.teams_with(Capability.ORDER):   # who would widen a cordon
        f.measures.append(_measure(r, "public_opinion", "onlookers_drawn", "", _args(r)))
    return f


def rumour_drawn_onlookers(r: DrillResult) -> int:
    """Onlookers the rumour drew to the site, as the model's own inflow rule gives it: while
    nothing cordons the area onlookers come at ``rate x (1 + boost x rumour reach)`` a minute,
    so the rumour's part is ``rate x boost x reach`` summed over those minutes (capped by the
    onlookers who came). Counted only when at least ``gaps.rumour_drawn_min`` people and
    ``gaps.rumour_drawn_share`` of the onlookers; 0 otherwise (then no report says the rumour
    drew anyone)."""
    ts, params = r.timeseries, r.params
    if params is None or not len(ts) or r.scenario.crowd.onlookers.max <= 0:
        return 0
    cordon = r.metrics.get("cordon_min")
    t = ts["t_min"].to_numpy(dtype=float)
    dt = float(t[1] - t[0]) if len(t) > 1 else 1.0
    open_area = t < cordon if cordon is not None else t >= 0
    reach = ts["rumor_reach"].to_numpy(dtype=float)
    rate = r.scenario.crowd.onlookers.rate_per_min
    extra = float((rate * params.crowd.onlooker_rumour_boost * reach * dt)[open_area].sum())
    peak = int(ts["onlookers"].max())
    drawn = int(min(extra, peak))
    g = rules()["gaps"]
    if drawn < g["rumour_drawn_min"] or drawn < g["rumour_drawn_share"] * max(peak, 1):
        return 0
    return drawn


def _caps_met(r: DrillResult, tasks: list[Task]) -> list[str]:
    """The caps of evaluation.yaml whose condition the run meets, in their order."""
    m = r.metrics
    medical = next((t for t in tasks if t.key == "medical"), None)
    rumour = rules()["gaps"]["rumour_reach"]
    met = {
        "escalated": m["outcome"] == "escalated",
        "many_injured": m["injuries"] >= rules()["cap_thresholds"]["many_injured"],
        "injuries": m["injuries"] > 0,
        "force": m.get("force_used", 0) > 0,
        # a patient nobody reached, whether some were reached or none
        "unattended": medical is not None and medical.detail.get("unattended", 0) > 0,
        "unresolved": m["agreement_min"] is None and not m.get("resolving_at_end", False),
        "rumour_unanswered": m["rumor_peak_reach"] >= rumour and m["first_statement_min"] is None,
    }
    return [c["id"] for c in rules()["caps"] if met.get(c["id"], False)]


def cap_grade(zh: str, en: str, caps: list[str]) -> tuple[str, str, list[str]]:
    """Lower the grade to the lowest cap met; returns the grade and the caps that lowered it."""
    grades = rules()["grades"]
    order = [g["zh"] for g in grades]
    worst = order.index(zh)
    lowering = []
    for cap in rules()["caps"]:
        if cap["id"] in caps and order.index(cap["grade"]) > order.index(zh):
            lowering.append(cap["id"])
            worst = max(worst, order.index(cap["grade"]))
    return grades[worst]["zh"], grades[worst]["en"], lowering


def evaluate(r: DrillResult) -> Evaluation:
    """The whole evaluation of a run."""
    tasks = critical_tasks(r)
    value, zh, en = score(tasks)
    met = _caps_met(r, tasks)
    zh, en, lowering = cap_grade(zh, en, met)
    findings = [f for f in (familiarity_gap(r), coordination_gap(r, tasks), equipment_gap(r, tasks),
                            public_opinion_gap(r)) if f is not None]
    handling = handling_gap(r, tasks)
    if handling is not None:
        findings.append(handling)
        findings.sort(key=lambda f: GAPS.index(f.gap))
    return Evaluation(tasks, value, zh, en, findings, lowering, met)


def to_json(r: DrillResult, e: Evaluation) -> dict[str, Any]:
    """The content of ``evaluation.json``."""
    ev = r.events

    def rows(idx: list[int]) -> list[dict[str, Any]]:
        out = []
        for i in idx:
            row = ev.loc[i]
            out.append({"event_row": int(i), "t_min": float(row.t_min), "actor": row.actor,
                        "kind": row.kind, "subject": row.subject, "detail": row.detail,
                        "value": None if row.value != row.value else float(row.value)})
        return out

    return {
        "scenario": r.scenario.name,
        "plan": r.plan_label,
        "seed": r.seed,
        "start_clock": r.scenario.start_clock,
        "scenario_file": r.scenario_file,
        "plan_file": r.plan_file,
        "rating_rule": {
            "P": "performed within the target and without challenges",
            "S": f"within the target with challenges, or at most "
                 f"{rules()['rating']['s_over_target']:.0%} over it",
            "M": "more than that over the target, or with harm (force used, injuries)",
            "U": "not performed by the end of the drill (reason plan_gap: a task the plan "
                 "leaves out that the incident needed, rated against the drill's criterion)",
            "NA": "not called for by the plan in this run; not scored",
        },
        "points": rules()["points"],
        "grades": rules()["grades"],
        "score": e.score,
        "grade": {"zh": e.grade_zh, "en": e.grade_en},
        "caps": rules()["caps"],
        "grade_capped_by": e.caps,
        "caps_met": e.caps_met,
        "counts": e.counts(),
        "tasks": [{**{k: v for k, v in asdict(t).items() if k != "challenges"},
                   "challenges": rows(t.challenges)} for t in e.tasks],
        "targets": target_rows(r),
        "findings": [{"gap": f.gap, "facts": f.facts, "evidence": rows(f.evidence),
                      "measures": [asdict(x) for x in f.measures]} for f in e.findings],
        "improvement_plan": [asdict(x) for x in e.measures],
        "injects": r.injects.to_dict(orient="records") if len(r.injects) else [],
        "outcome": r.metrics["outcome"],
    }
