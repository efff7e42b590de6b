"""A drill that can stop at decision points: the engine side of facilitated runs.

A :class:`DrillSession` runs the SimPy world from one decision point to the next. Decision
points are injects marked ``decision: true``, level declarations, and periodic pauses the
facilitator asks for. At each point a choice is applied at that same simulated instant and
recorded; a recorded list of choices replays the drill exactly (same seed, same plan), and
can be tried under another plan. A plain run is a session with no pauses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import simpy
import yaml
from pydantic import Field, ValidationError, field_validator

from agents.command import command
from agents.decisions import ACTION_NAMES, Option, apply, check_args, options
from agents.injects import schedule
from agents.teams import deploy
from sim.core.config import MAX_MINUTES, Id, Line, Prose, Strict, one_line
from sim.core.errors import InputError, Problem
from sim.core.files import atomic_write
from sim.core.loading import DrillInputs, problems_from
from sim.core.msel import match
from sim.core.result import DrillResult, build_result, run_metrics
from sim.core.types import EventKind
from sim.core.world import World
from sim.core.yamlio import load_file
from sim.engine.build import build_world, tick


@dataclass
class DecisionPoint:
    """Where the drill stopped for a decision.

    Attributes:
        index: 1, 2, ... in the order met.
        t_min: simulated minutes from T0.
        kind: ``inject``, ``level`` or ``pause``.
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


class DrillSession:
    """One drill, run step by step between decision points."""

    def __init__(self, inputs: DrillInputs, seed: int, pause_every_min: float | None = None,
                 stop_at_decisions: bool = False):
        self.inputs, self.seed = inputs, seed
        self.world: World = build_world(inputs, seed)
        world, env = self.world, self.world.env
        for team in world.teams.values():
            env.process(deploy(world, team))
        world.teams[world.plan.command.team].dispatched.succeed()
        env.process(command(world))
        schedule(world)
        env.process(tick(world))
        # a plain event, not a Condition: SimPy disarms conditions nested in a condition that
        # has fired, and each step below waits on "a decision or the end"
        self.end = env.event()
        for source in (world.done, env.timeout(world.scenario.end.max_min)):
            source.callbacks.append(self._finish)
        self.pending: list[DecisionPoint] = []
        self.decisions: list[Decision] = []
        self.points = 0
        self.pause_every = pause_every_min
        if stop_at_decisions:
            world.on_decision = self._on_decision
            if pause_every_min:
                env.process(self._pauses(pause_every_min))
        self._stop: simpy.Event | None = None

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

    def next_point(self) -> DecisionPoint | None:
        """Run until the next decision point (returned) or the end of the drill (None)."""
        env = self.world.env
        while not self.pending:
            if self.end.triggered:
                return None
            self._stop = env.event()
            env.run(until=env.any_of([self._stop, self.end]))
            if not self.pending and self.end.triggered:
                return None
        return self.pending.pop(0)

    def options(self, point: DecisionPoint) -> list[Option]:
        return options(self.world)

    def decide(self, point: DecisionPoint, option: Option, note: str = "") -> Decision:
        """Apply ``option`` now and record it."""
        text = apply(self.world, option.action, dict(option.args))
        self.world.log("exercise", EventKind.DECISION, f"{text}" + (f" ({note})" if note else ""),
                       option.action)
        d = Decision(point.index, round(point.t_min, 3), point.kind, point.ref, option.action,
                     dict(option.args), note)
        self.decisions.append(d)
        self.world.decision_log.append({
            "point": d.point, "t_min": d.t_min, "trigger": d.trigger, "ref": d.ref,
            "action": d.action, "label_zh": option.label_zh, "label_en": option.label_en,
            "prescribed": option.prescribed, "note": note})
        return d

    def run_to_end(self) -> DrillResult:
        """Finish the drill taking the plan's prescribed option at every remaining point."""
        while (point := self.next_point()) is not None:
            prescribed = next(o for o in self.options(point) if o.prescribed)
            self.decide(point, prescribed)
        return self.result()

    def replay(self, recorded: list[Decision]) -> list[str]:
        """Apply ``recorded`` decisions at their points; returns warnings for any that did not fit."""
        warnings: list[str] = []
        queue = list(recorded)
        while (point := self.next_point()) is not None:
            opts = self.options(point)
            chosen = None
            if queue and queue[0].point == point.index:
                d = queue.pop(0)
                if (d.trigger, d.ref) != (point.kind, point.ref) or abs(d.t_min - point.t_min) > 1e-3:
                    warnings.append(f"decision {d.point} was recorded at T+{d.t_min:g} "
                                    f"({d.trigger} {d.ref}); here the point is T+{point.t_min:g} "
                                    f"({point.kind} {point.ref})")
                chosen = next((o for o in opts if o.action == d.action and o.args == d.args), None)
                if chosen is None:
                    warnings.append(f"decision {d.point} ({d.action} {d.args}) is not possible "
                                    "here; the plan's option was taken")
                note = d.note
            else:
                note = ""
            if chosen is None:
                chosen = next(o for o in opts if o.prescribed)
            self.decide(point, chosen, note)
        if queue:
            warnings.append(f"{len(queue)} recorded decisions had no decision point to apply to")
        return warnings

    def result(self) -> DrillResult:
        return build_result(self.world, self.inputs, self.seed)

    def snapshot(self) -> dict[str, Any]:
        """The situation now, as plain values for the facilitator's panel."""
        return snapshot(self)


# ----------------------------------------------------------------------------- the record


def save_decisions(path: Path, session: DrillSession, plan_label: str) -> None:
    """Write ``decisions.yaml`` (atomically) for a later replay."""
    doc = {"scenario": session.inputs.scenario.name, "plan": plan_label, "seed": session.seed,
           "pause_every_min": session.pause_every,
           "decisions": [asdict(d) for d in session.decisions]}
    atomic_write(path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def load_decisions(path: str | Path) -> tuple[dict[str, Any], list[Decision]]:
    """Read a ``decisions.yaml``; bad content is an input error naming file, field and line."""
    doc = load_file(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(doc.label, "", doc.line_of(()),
                                  "expected a mapping with scenario, plan, seed and decisions")])
    try:
        record = DecisionsFile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, doc, doc.label)) from None
    out = [Decision(d.point, d.t_min, d.trigger, d.ref, d.action, dict(d.args), d.note)
           for d in record.decisions]
    problems = []
    for i, d in enumerate(record.decisions):
        why = check_args(d.action, d.args)
        if why:
            problems.append(Problem(doc.label, f"decisions.{i}.args",
                                    doc.line_of(("decisions", i, "args")), why))
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
    trigger: Literal["inject", "level", "pause"]
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


class DecisionsFile(Strict):
    """The whole decisions.yaml."""

    scenario: Line = ""
    plan: Line = ""
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 1
    pause_every_min: Annotated[float, Field(ge=1, le=MAX_MINUTES)] | None = None
    decisions: list[DecisionRecord] = Field(max_length=MAX_DECISIONS)


def snapshot(session: DrillSession) -> dict[str, Any]:
    """The situation now, as plain values for the facilitator's panel."""
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
        teams.append({"team": tid, "name_zh": t.cfg.name.zh, "name_en": t.cfg.name.en,
                      "status": t.status.value, "on_site_min": t.t_on_site,
                      "activity": open_tasks.get(tid, "")})
    waiting = []
    for item in w.scenario.injects + w.added_injects:
        if item.id in w.fired and item.expected is not None:
            t0 = w.fired[item.id][0]
            if match(rec.events, item.expected, 0.0, w.plan) is None:
                waiting.append({"inject": item.id, "action": item.expected.action.value,
                                "due_min": round(t0 + item.expected.within_min, 1)})
    return {
        "t_min": round(w.now, 1),
        "level": s.level.id if s.level else "",
        "crowd_present": int(series.get("crowd_present", 0)),
        "onlookers": int(series.get("onlookers", 0)),
        "mean_agitation": series.get("mean_agitation", 0.0),
        "active_share": series.get("active_share", 0.0),
        "crowd_state": rec.series_state[i] if i >= 0 else "calm",
        "legitimacy": w.legitimacy.value,
        "rumor_reach": w.rumour.reach,
        "statement_out": s.statement_out,
        "agreement": s.commitment,
        "health_pending": s.pending_medical,
        "teams": teams,
        "expected_open": waiting,
        "injects_pending": [item.id for item in w.scenario.injects
                            if item.id not in w.fired and item.id not in w.skipped],
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
