"""The injects list at run time: when each inject fired and whether its expected action came.

An expected action is matched against the event log: the first event of the expected kind
at or after the inject fired, by the expected team when one is named (as the event's actor
or its subject). Its response time runs from the inject to that event; it is *met* by the
deadline (``within_min`` after the inject), *late* after it, *missed* when it never came,
and *open* when the drill ended before the deadline without it. An action already taken
before the inject fired (the cordon was up before the gate was blocked) counts as met with
a response of zero (*already_done*).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from sim.core.config import Expected, Plan, Scenario
from sim.core.types import Event

INJECT_COLUMNS = ("inject", "kind", "trigger", "fired_min", "expected_action", "expected_team",
                  "deadline_min", "action_min", "response_min", "status", "decision",
                  "clause_zh", "clause_en")


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


def inject_rows(scenario: Scenario, plan: Plan, fired: dict[str, tuple[float, str]],
                events: list[Event], end_min: float) -> list[dict]:
    """One row per inject of the scenario: when it fired and how its expected action went."""
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
               "clause_en": inj.clause.en if inj.clause else ""}
        if t_fired is None:
            row["status"] = "not_fired"
        elif exp is None:
            row["status"] = "no_expectation"
        else:
            deadline = round(t_fired + exp.within_min, 3)
            row["deadline_min"] = deadline
            hit = match(ordered, exp, plan, t_fired)
            before = match(ordered, exp, plan) if hit is None else None
            if before is not None and before.t_min <= t_fired:
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
