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
        self.columns = [c for c in SERIES_COLUMNS if c not in ("crowd_state", "level")]
        self._table = np.zeros((n_ticks, len(self.columns)))
        self._rows: list[tuple] = []   # ticks not yet written into the table (cheap to append)
        self.series_state: list[str] = []
        self.series_level: list[str] = []
        self.levels: list[tuple[float, str]] = []
        """(minute, level id) each time the level in force changed."""
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

    @property
    def table(self) -> np.ndarray:
        """The numeric time series: one row per tick slot in ``columns`` order (rows from
        ``n`` on are zero)."""
        if self._rows:
            start = self.n - len(self._rows)
            if self.n > len(self._table):
                grown = np.zeros((max(self.n, 2 * len(self._table)), len(self.columns)))
                grown[:start] = self._table[:start]
                self._table = grown
            self._table[start:self.n] = self._rows
            self._rows.clear()
        return self._table

    @property
    def series(self) -> dict[str, np.ndarray]:
        """The numeric time series by column (views of the table, one entry per tick slot)."""
        return {c: self.table[:, j] for j, c in enumerate(self.columns)}

    def value_at(self, column: str, t: float) -> float:
        """``column`` of the time series at minute ``t``: its last tick at or before ``t``
        (0 before the first tick)."""
        i = self._tick_at(t)
        return float(self.table[i, self.columns.index(column)]) if i >= 0 else 0.0

    def _tick_at(self, t: float) -> int:
        """The index of the last tick at or before minute ``t`` (-1 before the first)."""
        times = self.table[:self.n, 0]  # t_min, the first column
        return int(np.searchsorted(times, t + 1e-9, side="right")) - 1

    def crowd_at(self, t: float) -> float:
        """Petitioners present at minute ``t`` (:meth:`value_at`)."""
        return self.value_at("crowd_present", t)

    def level_changed(self, t: float, level_id: str) -> None:
        """The level in force is ``level_id`` from minute ``t`` (before T0 on a warning)."""
        self.levels.append((round(t, 3), level_id))

    def level_at(self, t: float) -> str:
        """The id of the level in force at minute ``t`` ("" when none was): the last change
        at or before it, to the minute of the event (not of the tick)."""
        found = ""
        for when, level_id in sorted(self.levels, key=lambda c: c[0]):
            if when > t + 1e-9:
                break
            found = level_id
        return found

    def tick_values(self, values: tuple, state: str, level: str) -> None:
        """Store one tick: the numeric columns in ``columns`` order, the state and level."""
        self._rows.append(values)
        self.series_state.append(state)
        self.series_level.append(level)
        self.n += 1

    def tick(self, row: dict) -> None:
        """Store one tick of the time series (``row`` has every column)."""
        self.tick_values(tuple(row[c] for c in self.columns), row["crowd_state"], row["level"])
