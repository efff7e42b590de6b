"""A drill that can stop at decision points: the engine side of facilitated runs.

A :class:`DrillSession` runs the SimPy world from one decision point to the next. Decision
points are injects marked ``decision: true``, level declarations, periodic pauses the
facilitator asks for, and any moment the facilitator stops the clock (a ``time`` point, at
the end of that simulated minute's events). At each point one or more choices are applied at
that same simulated instant and recorded with their time; a recorded list of choices replays
the drill exactly (same seed, same plan), and under another plan each choice is applied at
its recorded time, or at the nearest later moment it is possible (said in the event log).
A plain run is a session with no pauses.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import simpy
import yaml
from pydantic import Field, field_validator
from simpy.core import EventPriority

from agents.command import command
from agents.decisions import (
    ACTION_NAMES,
    Option,
    apply,
    check_args,
    commitment,
    label,
    options,
)
from agents.injects import schedule
from agents.teams import deploy
from sim.core.config import MAX_MINUTES, Id, Line, Prose, Strict, one_line
from sim.core.errors import InputError, Problem
from sim.core.files import atomic_write
from sim.core.loading import DrillInputs, validate_document
from sim.core.msel import answer, applies
from sim.core.result import (
    NOTE_COLUMNS,
    DrillResult,
    build_result,
    level_times_of,
    run_metrics,
    sent_later,
)
from sim.core.types import EventKind
from sim.core.world import World
from sim.core.yamlio import load_file
from sim.engine.build import BatchedTick, CrowdTurn, build_world, tick

LATE = EventPriority(2)
"""SimPy priority of the session's own stops: after every event of the model at the same
instant (SimPy's own are 0 and 1), so stopping there never reorders the model's events."""
EPS = 1e-3
"""Times closer than this (minutes) are the same moment (decisions.yaml keeps 3 decimals)."""
TIMED_TARGETS = ("first_report_min", "verification_min", "plan_activated_min", "cordon_min",
                 "dialogue_start_min", "representatives_min", "agreement_min", "cleared_min",
                 "first_statement_min")
"""The plan's targets timed by a milestone of the same name (less ``_min``)."""
ROUNDING = 5e-4
"""The most a time in decisions.yaml differs from the moment it records (3 decimals)."""


class _Late(simpy.Event):
    """An event that fires ``delay`` minutes from now, after the model's events of that
    instant."""

    def __init__(self, env: simpy.Environment, delay: float):
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, LATE, delay)


@dataclass
class DecisionPoint:
    """Where the drill stopped for a decision.

    Attributes:
        index: 1, 2, ... in the order met.
        t_min: simulated minutes from T0.
        kind: ``inject``, ``level``, ``pause``, or ``time`` (the facilitator stopped the
            clock, or a replayed decision is due).
        ref: the inject id, the level id, or ``""``.
    """

    index: int
    t_min: float
    kind: str
    ref: str


@dataclass
class Decision:
    """A choice made (or replayed) at a decision point."""

    point: int
    t_min: float
    trigger: str
    ref: str
    action: str
    args: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class ReplayNote:
    """A recorded decision that did not go as recorded: it ``waits`` (not possible at its
    time; applied when it becomes possible, if ever) or was ``moved`` (applied at
    ``applied_min`` instead of its recorded ``t_min``); or, at the end, the ``count`` of
    recorded decisions ``never`` applied. ``label_zh``/``label_en`` name the choice in
    words."""

    kind: Literal["waits", "moved", "never"]
    point: int
    action: str
    args: dict[str, Any]
    t_min: float
    applied_min: float | None
    label_zh: str
    label_en: str
    count: int = 1

    def __str__(self) -> str:
        if self.kind == "never":
            many = self.count > 1
            return (f"{self.count} recorded decision{'s were' if many else ' was'} never "
                    f"applied: the drill ended first or {'they were' if many else 'it was'} "
                    "never possible")
        if self.kind == "waits":
            return (f"decision {self.point} ({self.action} {self.args}) recorded at "
                    f"T+{self.t_min:g} is not possible then; it waits until it is")
        return (f"decision {self.point} ({self.action}) recorded at T+{self.t_min:g} was "
                f"applied at T+{self.applied_min:g}")


class DrillSession:
    """One drill, run step by step between decision points."""

    def __init__(self, inputs: DrillInputs, seed: int, pause_every_min: float | None = None,
                 stop_at_decisions: bool = False, crowd_turns: list[CrowdTurn] | None = None):
        """``crowd_turns``: the drill's crowd is stepped with a batch's (``sim.engine.batch``)."""
        self.inputs, self.seed = inputs, seed
        self.world: World = build_world(inputs, seed)
        world, env = self.world, self.world.env
        for team in world.teams.values():
            env.process(deploy(world, team))
        world.teams[world.plan.command.team].dispatched.succeed()
        env.process(command(world))
        schedule(world)
        if crowd_turns is None:
            env.process(tick(world))
        else:
            BatchedTick(env, world, crowd_turns)
        # a plain event, not a Condition: SimPy disarms conditions nested in a condition that
        # has fired, and each step below waits on "a decision or the end"
        self.end = env.event()
        for source in (world.done, env.timeout(world.scenario.end.max_min)):
            source.callbacks.append(self._finish)
        self.pending: list[DecisionPoint] = []
        self.decisions: list[Decision] = []
        self.unapplied: list[Decision] = []   # recorded choices a replay could not apply
        self.points = 0
        self.pause_every = pause_every_min
        if stop_at_decisions:
            world.on_decision = self._on_decision
            if pause_every_min:
                env.process(self._pauses(pause_every_min))
        self._stop: simpy.Event | None = None
        self.notes: list[dict[str, Any]] = []
        self.replay_log: list[ReplayNote] = []

    # ------------------------------------------------------------------ stepping

    def _finish(self, _event) -> None:
        if not self.end.triggered:
            self.end.succeed()

    def _on_decision(self, kind: str, ref: str) -> None:
        self.points += 1
        self.pending.append(DecisionPoint(self.points, self.world.now, kind, ref))
        if self._stop is not None and not self._stop.triggered:
            self._stop.succeed()

    def _pauses(self, every: float):
        while True:
            yield self.world.env.timeout(every)
            self.world.request_decision("pause", "")

    def next_point(self, until: float | None = None) -> DecisionPoint | None:
        """Run until the next decision point (returned) or the end of the drill (None).

        With ``until`` (simulated minutes), stop there at the latest, after every event of
        that instant, and return None: :attr:`finished` tells the two apart.
        """
        env = self.world.env
        while not self.pending:
            if self.end.triggered:
                return None
            if until is not None and env.now >= until - EPS:
                return None
            self._stop = env.event()
            stops = [self._stop, self.end]
            if until is not None:
                stops.append(_Late(env, until - env.now))
            env.run(until=env.any_of(stops))
            if not self.pending and (self.end.triggered or until is not None):
                return None
        return self.pending.pop(0)

    @property
    def finished(self) -> bool:
        """The drill has ended (cleared, or out of time)."""
        return self.end.triggered

    def time_point(self) -> DecisionPoint:
        """A decision point here and now, for choices made while the clock is stopped."""
        self.points += 1
        return DecisionPoint(self.points, self.world.now, "time", "")

    def stop_at(self, t_min: float, wanted=None) -> None:
        """Make a ``time`` decision point at ``t_min`` (after that instant's events), when
        ``wanted()`` (if given) is true then."""
        env = self.world.env

        def fire(_event) -> None:
            if wanted is None or wanted():
                self.points += 1
                self.pending.append(DecisionPoint(self.points, self.world.now, "time", ""))
                if self._stop is not None and not self._stop.triggered:
                    self._stop.succeed()

        _Late(env, max(0.0, t_min - env.now)).callbacks.append(fire)

    def add_note(self, text: str, author: str = "") -> dict[str, Any]:
        """An observer's note, kept with the simulated time it was written."""
        note = {"t_min": round(self.world.now, 3), "author": author, "text": text}
        self.notes.append(note)
        return note

    def options(self, point: DecisionPoint | None = None) -> list[Option]:
        return options(self.world)

    def decide(self, point: DecisionPoint, option: Option, note: str = "",
               recorded_min: float | None = None) -> Decision:
        """Apply ``option`` now and record it (several choices may be made at one point).

        ``recorded_min``: a replayed choice recorded at another time; the log says so.
        """
        text = apply(self.world, option.action, dict(option.args))
        moved = recorded_min is not None and abs(recorded_min - self.world.now) > EPS
        if moved:
            text += (f" (recorded at T+{recorded_min:g}, applied at T+{self.world.now:.3g}: "
                     "not possible earlier)")
        self.world.log("exercise", EventKind.DECISION, f"{text}" + (f" ({note})" if note else ""),
                       option.action)
        d = Decision(point.index, round(point.t_min, 3), point.kind, point.ref, option.action,
                     dict(option.args), note)
        self.decisions.append(d)
        zh, en = option.label_zh, option.label_en
        if moved:
            zh += f"（原定T+{recorded_min:g}，此前无法执行，顺延至此）"
            en += f" (recorded at T+{recorded_min:g}; not possible until now)"
        self.world.decision_log.append({
            "point": d.point, "t_min": d.t_min, "trigger": d.trigger, "ref": d.ref,
            "action": d.action, "label_zh": zh, "label_en": en,
            "prescribed": option.prescribed, "note": note})
        return d

    def run_to_end(self) -> DrillResult:
        """Finish the drill taking the plan's prescribed option at every remaining point."""
        while (point := self.next_point()) is not None:
            prescribed = next(o for o in self.options(point) if o.prescribed)
            self.decide(point, prescribed)
        return self.result()

    def replay(self, recorded: list[Decision]) -> list[ReplayNote]:
        """Apply ``recorded`` decisions at their times; returns what did not go as recorded.

        A choice is applied at the decision point it was recorded at (same time, same
        trigger); when this run has no such point (another plan), at a point made at its
        recorded time; when it is not possible then (the team is already out, say), at the
        first later moment it is, checked at every point and every minute; the event log
        and the decision's label say so. Points with no recorded choice take the plan's.
        """
        warnings: list[ReplayNote] = []
        queue = list(recorded)

        def note(kind: Literal["waits", "moved"], d: Decision, at: float | None) -> ReplayNote:
            zh, en = label(self.world, d.action, d.args)
            return ReplayNote(kind, d.point, d.action, dict(d.args), d.t_min, at, zh, en)
        waiting: list[Decision] = []   # due, but not possible yet

        def find(d: Decision) -> Option | None:
            for o in options(self.world):
                if o.action == d.action == "commitment":
                    return commitment(self.world, d.args["within_days"])   # its own terms
                if o.action == d.action and o.args == d.args:
                    return o
            return None

        def due(d: Decision, now: float) -> bool:
            # a choice made at a decision point waits for that point (its time is rounded to
            # 3 decimals), and is due here only once the point's moment has passed
            if d.trigger == "time":
                return d.t_min <= now + EPS
            return d.t_min + ROUNDING < now

        def due_now() -> bool:
            now = self.world.now
            return (any(due(d, now) for d in queue)
                    or any(find(d) is not None for d in waiting))

        def check_waiting(_event) -> None:
            if not waiting or self.end.triggered:
                return
            _Late(self.world.env, 1.0).callbacks.append(check_waiting)
            if any(find(d) is not None for d in waiting):
                self.points += 1
                self.pending.append(DecisionPoint(self.points, self.world.now, "time", ""))
                if self._stop is not None and not self._stop.triggered:
                    self._stop.succeed()

        for t in sorted({d.t_min if d.trigger == "time" else d.t_min + 1.2 * ROUNDING
                         for d in queue}):
            self.stop_at(t, due_now)
        while (point := self.next_point()) is not None:
            now = point.t_min
            if point.kind == "time":
                mine = [d for d in queue if due(d, now)]
            else:
                mine = [d for d in queue if abs(d.t_min - now) <= EPS
                        and (d.trigger, d.ref) == (point.kind, point.ref)]
            applied = 0
            for d in [*waiting, *mine]:
                if d in queue:
                    queue.remove(d)
                chosen = find(d)
                if chosen is None:
                    if d not in waiting:
                        waiting.append(d)
                        warnings.append(note("waits", d, None))
                        if len(waiting) == 1:
                            _Late(self.world.env, 1.0).callbacks.append(check_waiting)
                    continue
                if d in waiting:
                    waiting.remove(d)
                moved = d.t_min if abs(d.t_min - now) > EPS else None
                if moved is not None:
                    warnings.append(note("moved", d, now))
                self.decide(point, chosen, d.note, recorded_min=moved)
                applied += 1
            if not applied and point.kind != "time":
                self.decide(point, next(o for o in options(self.world) if o.prescribed))
        left = queue + waiting
        self.unapplied = list(left)
        if left:
            for d in left:
                reason = "impossible" if d in waiting else "ended"
                self.world.log("exercise", EventKind.DECISION,
                               f"recorded decision {d.point} ({d.action} {d.args}, T+{d.t_min:g}) "
                               + ("was never possible in this run" if reason == "impossible"
                                  else "was not applied: the drill ended before it"), d.action)
                zh, en = label(self.world, d.action, d.args)
                self.world.unapplied.append({"point": d.point, "t_min": d.t_min,
                                             "action": d.action, "args": dict(d.args),
                                             "reason": reason, "label_zh": zh, "label_en": en})
            warnings.append(ReplayNote("never", 0, "", {}, math.nan, None, "", "", len(left)))
        self.replay_log = warnings
        return warnings

    def result(self) -> DrillResult:
        result = build_result(self.world, self.inputs, self.seed)
        result.notes = pd.DataFrame(self.notes, columns=list(NOTE_COLUMNS))
        return result

    def snapshot(self, since_min: float | None = None) -> dict[str, Any]:
        """The situation now, as plain values for the facilitator's panel and the room."""
        return snapshot(self, since_min)


# ----------------------------------------------------------------------------- the record


def save_decisions(path: Path, session: DrillSession, plan_label: str) -> None:
    """Write ``decisions.yaml`` (atomically) for a later replay: the choices made, and those
    a replay could not apply, at their recorded times (so that replaying the file gives the
    same run, its unapplied choices and their notes included)."""
    kept = sorted(session.decisions + session.unapplied, key=lambda d: d.t_min)
    doc = {"scenario": session.inputs.scenario.name, "plan": plan_label, "seed": session.seed,
           "pause_every_min": session.pause_every,
           "decisions": [asdict(d) for d in kept],
           "notes": list(session.notes)}
    atomic_write(path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def load_decisions(path: str | Path, inputs: DrillInputs | None = None
                   ) -> tuple[dict[str, Any], list[Decision]]:
    """Read a ``decisions.yaml``; bad content is an input error naming file, field and line.

    With ``inputs`` (the drill it is replayed in) and recorded under the same plan, a choice
    naming a team or an inject that the plan and scenario do not have is bad content too: it
    could never be applied. (Under another plan such choices are warned about in the replay.)"""
    doc = load_file(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(doc.label, "", doc.line_of(()),
                                  "expected a mapping with scenario, plan, seed and decisions")])
    record = validate_document(DecisionsFile, doc)   # wrong kinds of value are refused too
    out = [Decision(d.point, d.t_min, d.trigger, d.ref, d.action, dict(d.args), d.note)
           for d in record.decisions]
    problems = []
    for i, d in enumerate(record.decisions):
        why = check_args(d.action, d.args)
        if why:
            problems.append(Problem(doc.label, f"decisions.{i}.args",
                                    doc.line_of(("decisions", i, "args")), why))
    if not problems and inputs is not None and record.plan in ("", inputs.plan_label):
        plan, scenario = inputs.plan, inputs.scenario
        known = {"team": (set(plan.teams), f"a team of plan {plan.name}"),
                 "inject": ({i.id for i in scenario.injects},
                            f"an inject of scenario {scenario.name}")}
        for i, d in enumerate(record.decisions):
            for key, (ids, what) in known.items():
                value = d.args.get(key)
                if isinstance(value, str) and value not in ids:
                    problems.append(Problem(doc.label, f"decisions.{i}.args.{key}",
                                            doc.line_of(("decisions", i, "args", key)),
                                            f"{value!r} is not {what} (known: "
                                            f"{', '.join(sorted(ids)) or 'none'})"))
    if problems:
        raise InputError(problems)
    return record.model_dump(exclude={"decisions"}), out


MAX_DECISIONS = 3_000
"""Most decisions a decisions.yaml may hold: a drill of a day pauses at most every minute,
at its decision injects and at each reassessment that changes the level."""


class DecisionRecord(Strict):
    """One line of decisions.yaml (a file that may come from elsewhere: bounded like a plan)."""

    point: Annotated[int, Field(ge=1, le=1_000_000)]
    t_min: Annotated[float, Field(ge=0, le=MAX_MINUTES)]
    trigger: Literal["inject", "level", "pause", "time"]
    ref: Line = ""
    action: Literal[ACTION_NAMES]  # type: ignore[valid-type]
    args: dict[Id, Any] = Field(default_factory=dict, max_length=20)
    note: Prose = ""

    @field_validator("args")
    @classmethod
    def _plain_args(cls, args: dict[str, Any]) -> dict[str, Any]:
        for key, value in args.items():
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, int):
                if not 0 <= value <= 3650:
                    raise ValueError(f"{key}: {value} is out of range (0 to 3650)")
            elif isinstance(value, str):
                one_line(value)
                if len(value) > 64:
                    raise ValueError(f"{key}: longer than 64 characters")
            else:
                raise ValueError(f"{key}: expected a name or a whole number")
        return args


class NoteRecord(Strict):
    """An observer's note, with the simulated time it was written."""

    t_min: Annotated[float, Field(ge=0, le=MAX_MINUTES)]
    author: Line = ""
    text: Prose


MAX_NOTES = 3_000
"""Most observers' notes a decisions.yaml may hold (as many as decisions)."""


class DecisionsFile(Strict):
    """The whole decisions.yaml."""

    scenario: Line = ""
    plan: Line = ""
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 1
    pause_every_min: Annotated[float, Field(ge=1, le=MAX_MINUTES)] | None = None
    decisions: list[DecisionRecord] = Field(max_length=MAX_DECISIONS)
    notes: list[NoteRecord] = Field(default_factory=list, max_length=MAX_NOTES)


def snapshot(session: DrillSession, since_min: float | None = None) -> dict[str, Any]:
    """The situation now, as plain values for the facilitator's panel and the room.

    ``since_min``: the events logged from then on come in ``feed`` (all when None).
    """
    w = session.world
    s, rec, crowd = w.state, w.rec, w.crowd
    i = rec.n - 1
    series = {k: float(v[i]) for k, v in rec.series.items()} if i >= 0 else {}
    open_tasks: dict[str, str] = {}
    for e in rec.events:
        if e.kind == "task_start":
            open_tasks[e.actor] = e.subject
        elif e.kind == "task_end" and open_tasks.get(e.actor) == e.subject:
            open_tasks.pop(e.actor)
    teams = []
    for tid, t in w.teams.items():
        posture = w.posture(tid) if t.cfg.posture is not None or tid in w.posture_override \
            else None
        status = t.status.value
        if status == "standby" and (t.ordered or t.dispatched.triggered) \
                and tid not in w.recalled:
            status = "ordered"
        elif status == "standby" and tid in w.recalled:
            status = "recalled"
        teams.append({"team": tid, "name_zh": t.cfg.name.zh, "name_en": t.cfg.name.en,
                      "status": status, "on_site": t.on_site, "on_site_min": t.t_on_site,
                      "posture": posture.value if posture is not None else "",
                      "size": t.cfg.size, "activity": open_tasks.get(tid, "")})
    waiting = []
    items = {item.id: item for item in w.scenario.injects + w.added_injects}
    events = sorted(rec.events, key=lambda e: e.t_min)
    for item in items.values():
        if item.id in w.fired and item.expected is not None and applies(item.expected, w.plan):
            t0 = w.fired[item.id][0]
            if not any(answer(events, item.expected, w.plan, t0, rec)):
                due = round(t0 + item.expected.within_min, 1)
                waiting.append({"inject": item.id, "action": item.expected.action.value,
                                "team": item.expected.team or (
                                    item.expected.capability.value
                                    if item.expected.capability else ""),
                                "due_min": due, "overdue": w.now > due + EPS,
                                "description": ({"zh": item.expected.description.zh,
                                                 "en": item.expected.description.en}
                                                if item.expected.description else None)})
    targets = []  # the plan's time targets (minutes from T0) not reached yet
    for key in TIMED_TARGETS:
        due = getattr(w.plan.targets, key)
        if due is not None and key[:-len("_min")] not in rec.milestones:
            targets.append({"target": key, "team": "", "due_min": float(due),
                            "overdue": w.now > due + EPS})
    levels = level_times_of(rec.events)
    for tid, t in w.teams.items():
        due = w.plan.on_site_within(tid)
        if due is not None:   # counted as the evaluation counts it (a later level's team later)
            due += sent_later(w.plan, tid, levels)
        if due is not None and not t.on_site and (t.ordered or t.dispatched.triggered) \
                and tid not in w.recalled:
            targets.append({"target": "team_on_site_min", "team": tid, "due_min": float(due),
                            "overdue": w.now > due + EPS})
    targets.sort(key=lambda x: x["due_min"])
    fired = []
    for iid, (t0, trigger) in sorted(w.fired.items(), key=lambda kv: kv[1][0]):
        item = items[iid]
        fired.append({"id": iid, "t_min": round(t0, 2), "trigger": trigger,
                      "kind": item.kind.value,
                      "message_zh": item.message.zh if item.message else "",
                      "message_en": item.message.en if item.message else "",
                      "fields": {k: getattr(getattr(item, k), "value", getattr(item, k)) for k in
                                 ("team", "item", "count", "temperature_c", "duration_min")
                                 if getattr(item, k, None) is not None}})
    feed = [e._asdict() | {"value": None if e.value != e.value else e.value}
            for e in rec.events if since_min is None or e.t_min >= since_min - EPS]
    h, m = (int(x) for x in w.scenario.start_clock.split(":"))
    clock = h * 60 + m + int(math.floor(w.now + 0.5))   # to the nearest minute, as reports
    return {
        "t_min": round(w.now, 3),
        "clock": f"{clock // 60 % 24:02d}:{clock % 60:02d}",
        "start_clock": w.scenario.start_clock,
        "finished": session.finished,
        "level": s.level.id if s.level else "",
        "level_zh": s.level.name.zh if s.level else "",
        "level_en": s.level.name.en if s.level else "",
        "crowd_present": int(series.get("crowd_present", 0)),
        "onlookers": int(series.get("onlookers", 0)),
        "mean_agitation": series.get("mean_agitation", 0.0),
        "active_share": series.get("active_share", 0.0),
        "crowd_state": rec.series_state[i] if i >= 0 else "calm",
        "legitimacy": w.legitimacy.value,
        "rumor_reach": w.rumour.reach,
        "statement_reach": series.get("statement_reach", 0.0),
        "statement_out": s.statement_out,
        "agreement": s.commitment,
        "health_pending": s.pending_medical,
        "teams": teams,
        "expected_open": waiting,
        "targets_open": targets,
        "injects_fired": fired,
        "injects_pending": [item.id for item in w.scenario.injects
                            if item.id not in w.fired and item.id not in w.skipped],
        "injects_skipped": sorted(w.skipped),
        "feed": feed,
        "petitioners_mobilised": crowd.n_petitioners,
    }


def simulate(inputs: DrillInputs, seed: int) -> DrillResult:
    """Run one drill with ``seed`` and return its result (the plan decides everything)."""
    return DrillSession(inputs, seed).run_to_end()


def simulate_metrics(inputs: DrillInputs, seed: int) -> dict[str, Any]:
    """Run one drill like :func:`simulate` and return only its metrics (no frames: what
    replications keep, at a fraction of the cost of the full result)."""
    session = DrillSession(inputs, seed)
    while (point := session.next_point()) is not None:
        session.decide(point, next(o for o in session.options(point) if o.prescribed))
    return run_metrics(session.world, inputs, seed)
