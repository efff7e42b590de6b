"""The run's record: event log, messages, milestones and the per-tick time series.

Agents write here through :class:`Recorder`; the engine turns it into a ``DrillResult``.
Rows are namedtuples in lists (cheap to append), frames are built once at the end.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.types import Event, EventKind, Message

SERIES_COLUMNS = (
    "t_min", "crowd_present", "onlookers", "arrived", "left", "in_care", "mean_agitation",
    "active_share", "crowd_state", "legitimacy", "rumor_reach", "statement_reach",
    "rumor_spreaders", "level", "officers_on_site", "water", "scuffle",
)


class Recorder:
    """Collects what happens in one run."""

    def __init__(self, n_ticks: int):
        self.events: list[Event] = []
        self.messages: list[Message] = []
        self.milestones: dict[str, float] = {}
        self.counters: dict[str, float] = {}
        self.series = {c: np.zeros(n_ticks) for c in SERIES_COLUMNS if c not in ("crowd_state", "level")}
        self.series_state: list[str] = []
        self.series_level: list[str] = []
        self.n = 0

    def log(self, t: float, actor: str, kind: EventKind, detail: str, subject: str = "",
            value: float = math.nan, causes: str = "") -> None:
        """Append one event (``kind`` must be an :class:`EventKind`)."""
        if not isinstance(kind, EventKind):
            raise TypeError(f"event kind must be an EventKind, not {kind!r}")
        self.events.append(Event(round(t, 3), actor, kind.value, detail, subject, value, causes))

    def milestone(self, name: str, t: float) -> bool:
        """Record the first time ``name`` happens; True when this call set it."""
        if name in self.milestones:
            return False
        self.milestones[name] = round(t, 3)
        return True

    def count(self, name: str, by: float = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by

    def tick(self, row: dict) -> None:
        """Store one tick of the time series (``row`` has every column)."""
        i = self.n
        if i >= len(self.series["t_min"]):
            for key, arr in self.series.items():
                self.series[key] = np.concatenate([arr, np.zeros_like(arr)])
        for key, arr in self.series.items():
            arr[i] = row[key]
        self.series_state.append(row["crowd_state"])
        self.series_level.append(row["level"])
        self.n = i + 1
