"""The injects list at run time: when each inject fired and whether its expected action came.

An expected action is matched against the event log: the first event of the expected kind
at or after the inject fired, by the expected team when one is named (as the event's actor
or its subject). Its response time runs from the inject to that event; it is *met* by the
deadline (``within_min`` after the inject), *late* after it, *missed* when it never came,
and *open* when the drill ended before the deadline without it. An action already taken
before the inject fired (the cordon was up before the gate was blocked) counts as met with
a response of zero (*already_done*).

An inject expecting the level raised is judged by the level the situation called for when it
fired (the plan's band for the crowd present then): a level already at or above it (declared
on a warning, or raised earlier) is *already_done*; otherwise the first declaration or raise
that reaches it answers the inject (a later raise to a still higher level answers it only if
the band had not been reached before).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

import pandas as pd

from sim.core.config import Expected, Level, Plan, Scenario
from sim.core.types import Action, Event, EventKind

INJECT_COLUMNS = ("inject", "kind", "trigger", "fired_min", "expected_action", "expected_team",
                  "deadline_min", "action_min", "response_min", "status", "decision",
                  "clause_zh", "clause_en", "expected_zh", "expected_en", "message_zh",
                  "message_en")
"""The columns of a run's inject table; ``expected_zh``/``expected_en``: the scenario's own
words for the expected action (its ``description``), empty when it has none;
``message_zh``/``message_en``: what the inject tells the trainees (its ``message``)."""


def match(events: Iterable[Event], expected: Expected, plan: Plan,
          t_from: float = -math.inf) -> Event | None:
    """The first event answering ``expected`` at or after ``t_from`` (None if there is none);
    by default at any time, before T0 too (a warning may bring teams, a level or a statement
    ahead of the crowd).

    An expected team (or any team with the expected capability) must be the event's actor
    or its subject.
    """
    kind, teams = expected.action.value, expected.actors(plan)
    for e in events:
        if e.kind != kind or e.t_min < t_from - 1e-9:
            continue
        if teams is None or e.actor in teams or e.subject in teams:
            return e
    return None


class Situation(Protocol):
    """What the run's record says of the situation at a minute (a
    :class:`~sim.core.recorder.Recorder`)."""

    def crowd_at(self, t: float) -> float:
        """Petitioners present at minute ``t``."""
        ...

    def level_at(self, t: float) -> str:
        """The id of the level in force at minute ``t`` ("" when none)."""
        ...


_SETS_LEVEL = (EventKind.LEVEL_DECLARED.value, EventKind.LEVEL_RAISED.value,
               EventKind.LEVEL_LOWERED.value)
"""Events whose subject may be the level in force after them (a lowering only once the count
is verified)."""

_REACHES_LEVEL = (EventKind.LEVEL_DECLARED.value, EventKind.LEVEL_RAISED.value)
"""Events that bring a level up."""


def level_answer(events: Iterable[Event], expected: Expected, plan: Plan, t_fired: float,
                 called: Level, in_force: str) -> tuple[Event | None, Event | None]:
    """For an inject expecting the level raised, fired at ``t_fired`` when the crowd called
    for level ``called`` and level ``in_force`` held (its id, "" for none): (the last event
    at or before ``t_fired`` that set the level in force, when that level is at or above
    ``called``; else the first declaration or raise after ``t_fired`` that reaches
    ``called``; None for what there is not). ``events`` are in time order; the expected
    team filters them as in :func:`match`."""
    rank = {lv.id: i for i, lv in enumerate(plan.levels)}
    need, teams = rank[called.id], expected.actors(plan)
    high_enough = rank.get(in_force, -1) >= need
    setter: Event | None = None
    for e in events:
        if e.kind not in _SETS_LEVEL or str(e.subject) not in rank or \
                (teams is not None and e.actor not in teams and e.subject not in teams):
            continue
        if e.t_min <= t_fired + 1e-9:
            if str(e.subject) == in_force:
                setter = e
        elif high_enough:
            break
        elif e.kind in _REACHES_LEVEL and rank[str(e.subject)] >= need:
            return None, e
    return (setter, None) if high_enough and setter is not None else (None, None)


def answer(events: list[Event], expected: Expected, plan: Plan, t_fired: float,
           situation: Situation | None = None) -> tuple[Event | None, Event | None]:
    """How the events (in time order) answer an inject fired at ``t_fired``: (an event at or
    before it that had already done what was expected, or None; else the first event after
    it that does it, or None). With the run's ``situation``, an expected level raise is
    judged against the level the crowd then called for (:func:`level_answer`); without it,
    or when no band applies, any raise answers, as for any other action."""
    if situation is not None and expected.action is Action.LEVEL_RAISED:
        called = plan.level_for(situation.crowd_at(t_fired))
        if called is not None:
            return level_answer(events, expected, plan, t_fired, called,
                                situation.level_at(t_fired))
    hit = match(events, expected, plan, t_fired)
    before = match(events, expected, plan) if hit is None else None
    if before is not None and (before.t_min > t_fired + 1e-9
                               or _undone(events, expected, before, t_fired)):
        before = None   # done only later, or done once but no longer in effect at the inject
    return before, hit


UNDONE_BY: dict[Action, tuple[str, str]] = {
    Action.WATER_PROVIDED: (EventKind.SUPPLY_EXHAUSTED.value, "water"),
}
"""Actions whose effect an event ends (its kind and subject): water handed out until the
stock runs out."""


def _undone(events: list[Event], expected: Expected, done: Event, t_fired: float) -> bool:
    """Whether what ``done`` did had ended again by ``t_fired``."""
    ends = UNDONE_BY.get(expected.action)
    if ends is None:
        return False
    kind, subject = ends
    last_done = max((e.t_min for e in events if e.kind == done.kind
                     and e.t_min <= t_fired + 1e-9), default=done.t_min)
    return any(e.kind == kind and str(e.subject) == subject
               and last_done - 1e-9 <= e.t_min <= t_fired + 1e-9 for e in events)


LEVEL_ACTIONS = (Action.LEVEL_DECLARED, Action.LEVEL_RAISED)
"""Expected actions about the plan's response levels."""


def applies(exp: Expected, plan: Plan) -> bool:
    """Whether an inject's expected action can apply under ``plan``: a level declared or
    raised cannot under a plan without levels."""
    return bool(plan.levels) or exp.action not in LEVEL_ACTIONS


def inject_rows(scenario: Scenario, plan: Plan, fired: dict[str, tuple[float, str]],
                events: list[Event], end_min: float,
                situation: Situation | None = None) -> list[dict]:
    """One row per inject of the scenario: when it fired and how its expected action went.
    ``situation``: the run's record, for injects expecting the level raised (judged against
    the level the crowd then called for; see the module's text)."""
    rows = []
    ordered = sorted(events, key=lambda e: e.t_min)
    for inj in scenario.injects:
        t_fired, trigger = fired.get(inj.id, (None, "at" if inj.at_min is not None else
                                              "when" if inj.when else "contingency"))
        exp = inj.expected
        row = {"inject": inj.id, "kind": inj.kind.value, "trigger": trigger,
               "fired_min": t_fired, "expected_action": exp.action.value if exp else None,
               "expected_team": (exp.team or (exp.capability.value if exp.capability else None))
               if exp else None, "deadline_min": None,
               "action_min": None, "response_min": None, "decision": inj.decision,
               "clause_zh": inj.clause.zh if inj.clause else "",
               "clause_en": inj.clause.en if inj.clause else "",
               "expected_zh": exp.description.zh if exp and exp.description else "",
               "expected_en": exp.description.en if exp and exp.description else "",
               "message_zh": inj.message.zh if inj.message else "",
               "message_en": inj.message.en if inj.message else ""}
        if t_fired is None:
            row["status"] = "not_fired"
        elif exp is None:
            row["status"] = "no_expectation"
        elif not applies(exp, plan):
            row["status"] = "not_applicable"
        else:
            deadline = round(t_fired + exp.within_min, 3)
            row["deadline_min"] = deadline
            before, hit = answer(ordered, exp, plan, t_fired, situation)
            if before is not None:
                row["action_min"] = before.t_min
                row["response_min"] = 0.0
                row["status"] = "already_done"
            elif hit is not None:
                row["action_min"] = hit.t_min
                row["response_min"] = round(hit.t_min - t_fired, 3)
                row["status"] = "met" if hit.t_min <= deadline + 1e-9 else "late"
            else:
                row["status"] = "open" if deadline > end_min else "missed"
        rows.append(row)
    return rows


def inject_table(rows: list[dict]) -> pd.DataFrame:
    """The rows of :func:`inject_rows` as a frame (what never happened is None)."""
    frame = pd.DataFrame(rows, columns=list(INJECT_COLUMNS)).astype(object)
    return frame.where(frame.notna(), None)  # what never happened stays None, not NaN
