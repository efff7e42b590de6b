"""The state of a drill run in the room, and every control the facilitator has over it.

The simulation advances one simulated minute at a time while it runs (each step stops at the
end of that minute's events), or straight to the next decision point on a step. Choices are
applied at a decision point, or, while the clock runs or is paused, at a ``time`` point at
the end of the current minute; so decisions.yaml replays the room's drill exactly
(:meth:`~sim.engine.session.DrillSession.replay`). A decision point left without a choice
takes the plan's course, as in the terminal.

Nothing here speaks HTTP: :mod:`room.server` calls these methods from its handlers, all
on one event loop, so no two of them run at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reports.facilitator import option_key
from reports.replay import write_replay
from reports.room_view import labels, option_rows, point_label, view
from reports.writer import write_run
from sim.core.files import output_folder
from sim.core.loading import DrillInputs
from sim.engine.session import EPS, DecisionPoint, DrillSession, NoteRecord, save_decisions

STATES = ("ready", "running", "paused", "decision", "ended", "writing", "written", "failed")
"""ready: not started; running: the clock runs; paused: the facilitator stopped it;
decision: stopped at a decision point; ended: the drill is over, its files being written
(writing) or written; failed: they could not be written."""
MAX_NOTE = 2_000
"""Longest observer's note, in characters."""


class ControlError(ValueError):
    """A control that cannot be carried out now (said to the console)."""


def _checked(text: str, author: str = "") -> None:
    """A note or author decisions.yaml can hold (so that it replays): refused otherwise."""
    if len(text) > MAX_NOTE or len(author) > 80:
        raise ControlError(f"the note is longer than {MAX_NOTE} characters")
    try:
        NoteRecord.model_validate({"t_min": 0, "author": author, "text": text})
    except ValidationError as exc:
        raise ControlError("; ".join(e["msg"] for e in exc.errors())) from None


@dataclass
class Room:
    """One drill in the room."""

    inputs: DrillInputs
    seed: int
    out: Path
    lang: str = "zh"
    formats: list[str] = field(default_factory=lambda: ["md", "html"])
    pause_every: float | None = None
    session: DrillSession = field(init=False)
    state: str = "ready"
    point: DecisionPoint | None = None
    decided_here: int = 0
    at_late: bool = False
    since: float = 0.0
    written: list[str] = field(default_factory=list)
    error: str = ""
    bad_input: bool = False   # the error was the output folder's (exit 2)
    version: int = 0

    def __post_init__(self) -> None:
        self.session = DrillSession(self.inputs, self.seed, pause_every_min=self.pause_every,
                                    stop_at_decisions=True)
        self.team_ids = list(self.inputs.plan.teams)
        self.inject_ids = [i.id for i in self.inputs.scenario.injects]

    # ------------------------------------------------------------------ the clock

    def _leave_point(self) -> None:
        """Leave the current decision point; one left without a choice takes the plan's."""
        p = self.point
        if p is not None and p.kind != "time" and self.decided_here == 0:
            self.session.decide(p, next(o for o in self.session.options(p) if o.prescribed))
        self.point, self.decided_here = None, 0

    def _arrive(self, point: DecisionPoint | None) -> None:
        if point is not None:
            self.point, self.decided_here, self.at_late = point, 0, False
            self.state = "decision"
        elif self.session.finished:
            self.state = "ended"
        else:
            self.at_late = True
        self.version += 1

    def tick(self) -> None:
        """Advance one simulated minute (to the next decision point, if one comes first)."""
        if self.state != "running":
            return
        s = self.session
        if self.point is not None and self.point.kind == "time":
            self.point = None  # choices made while the clock ran: the next minute starts anew
        self._arrive(s.next_point(until=math.floor(s.world.now + EPS) + 1))

    def control(self, action: str) -> None:
        """start, pause, resume or step (to the next decision point)."""
        if self.state in ("ended", "writing", "written", "failed"):
            raise ControlError("the drill has ended")
        if action in ("start", "resume"):
            if action == "start" and self.state == "running":
                raise ControlError("the drill is running already")
            self._leave_point()
            self.state = "running"
        elif action == "pause":
            if self.state == "running":
                self.state = "paused"
        elif action == "step":
            self._leave_point()
            self.state = "paused"
            self._arrive(self.session.next_point())
            if self.state == "paused" and not self.session.finished:
                self.at_late = False
        else:
            raise ControlError(f"unknown control {action!r}")
        self.version += 1

    def _here(self) -> DecisionPoint:
        """The point choices are made at now: the current decision point, or a ``time``
        point at the end of this minute (advancing there first)."""
        if self.state in ("ended", "writing", "written", "failed"):
            raise ControlError("the drill has ended")
        if self.point is not None:
            return self.point
        s = self.session
        if not self.at_late:
            arrived = s.next_point(until=math.floor(s.world.now + EPS) + 1)
            if arrived is not None:
                self._arrive(arrived)
                return arrived
            if s.finished:
                self.state = "ended"
                raise ControlError("the drill has ended")
            self.at_late = True
        if self.state == "ready":
            self.state = "paused"
        self.point, self.decided_here = s.time_point(), 0
        return self.point

    def decide(self, keys: list[str], note: str = "") -> list[str]:
        """Apply the options under ``keys`` in order; returns the keys applied."""
        if not keys:
            raise ControlError("no option chosen")
        _checked(note)
        known = self._keyed()
        bad = [k for k in keys if k not in known]
        if bad:
            raise ControlError(f"not an option now: {', '.join(bad)}")
        point = self._here()
        done = []
        for k in dict.fromkeys(keys):
            keyed = self._keyed()
            if k in keyed:
                self.session.decide(point, keyed[k], note)
                self.decided_here += 1
                done.append(k)
        self.version += 1
        return done

    def note(self, text: str, author: str = "") -> dict[str, Any]:
        text, author = text.strip(), author.strip()
        if self.state in ("ended", "writing", "written", "failed"):
            raise ControlError("the drill has ended: its files hold the notes made until then")
        if not text:
            raise ControlError("the note is empty")
        _checked(text, author)
        note = self.session.add_note(text, author)
        self.version += 1
        return note

    def _keyed(self) -> dict[str, Any]:
        return {option_key(o, self.team_ids, self.inject_ids): o
                for o in self.session.options(self.point)}

    # ------------------------------------------------------------------ the end

    def write(self) -> list[str]:
        """Write the output folder as ``run`` does (with decisions.yaml, the notes and the
        replay); called once the drill has ended."""
        self._leave_point()
        result = self.session.result()
        result.replay_file = "replay.html"
        # set beside the plain run with the same seed (nobody intervening), as `run` does
        plain = DrillSession(self.inputs, self.seed).run_to_end()
        with output_folder(self.out) as folder:
            files = write_run(result, folder, self.lang, self.formats, baseline=plain)
            save_decisions(folder / "decisions.yaml", self.session, self.inputs.plan_label)
            files.append(folder / "decisions.yaml")
            files.append(write_replay(folder, self.lang, plan=self.inputs.plan,
                                      scenario=self.inputs.scenario))
        return [str(self.out / Path(f).relative_to(folder)) for f in files]

    def save_partial(self, beside: bool = False) -> Path:
        """decisions.yaml (with the notes) of a drill stopped before its end, or, ``beside``,
        of one whose folder could not be written: then next to the folder
        (``<out>-unwritten-decisions.yaml``), so that ``run --decisions`` can write it later."""
        if beside:
            path = self.out.with_name(f"{self.out.name}-unwritten-decisions.yaml")
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            self.out.mkdir(parents=True, exist_ok=True)
            path = self.out / "decisions.yaml"
        save_decisions(path, self.session, self.inputs.plan_label)
        return path

    # ------------------------------------------------------------------ what the pages show

    def status(self) -> dict[str, Any]:
        """Everything the projector and the console show, in both languages."""
        s = self.session
        snap = s.snapshot()
        rec = s.world.rec
        n = rec.n
        series = {k: [round(float(x), 4) for x in rec.series[src][:n]] for k, src in
                  (("t", "t_min"), ("crowd", "crowd_present"), ("agitation", "mean_agitation"),
                   ("rumour", "rumor_reach"), ("statement", "statement_reach"))}
        plan = self.inputs.plan
        options = [] if self.state in ("ended", "writing", "written", "failed") else \
            option_rows(s.options(self.point), self.team_ids, self.inject_ids)
        return {
            "version": self.version,
            "state": self.state,
            "t_min": snap["t_min"],
            "title": {"zh": self.inputs.scenario.title.zh, "en": self.inputs.scenario.title.en},
            "plan": self.inputs.plan_label,
            "zh": view(snap, plan, "zh"),
            "en": view(snap, plan, "en"),
            "labels": labels(),
            "series": series,
            "crowd_max": max(snap["petitioners_mobilised"], 1),
            "point": None if self.point is None else {
                "index": self.point.index, "kind": self.point.kind,
                "zh": point_label(self.point, snap, "zh"),
                "en": point_label(self.point, snap, "en")},
            "options": options,
            "decisions": [
                {"t_min": d["t_min"], "label_zh": d["label_zh"], "label_en": d["label_en"],
                 "note": d["note"]} for d in s.world.decision_log[-12:]],
            "notes": s.notes[-12:],
            "out": str(self.out) if self.state == "written" else "",
            "written": self.written,
            "error": self.error,
        }
