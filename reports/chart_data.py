"""What a run's charts are drawn from (:class:`ChartData`): no matplotlib, no schemas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from reports.i18n import task_label

if TYPE_CHECKING:
    import pandas as pd

    from reports.evaluation import Task
    from sim.core.result import DrillResult

LANGS = ("zh", "en")
"""The languages a chart may be labelled in."""


class ResponseBar(NamedTuple):
    """A timed critical task on the response chart (minutes from T0)."""

    label: dict[str, str]         # by language
    measured_min: float | None
    target_min: float
    rating: str                   # P, S, M or U


@dataclass(frozen=True)
class ChartData:
    """What a run's charts are drawn from: its frames, milestones and metrics, and the names
    they are labelled with in each language. Unlike the run itself it holds no validated
    plan or scenario, so a process that only draws charts needs neither the schemas nor
    pydantic (:mod:`reports.chart_process`).

    Attributes:
        timeseries, events, teams: the run's frames (see :class:`~sim.core.result.DrillResult`).
        milestones: first time of each milestone (minutes).
        metrics: the run's metrics.
        team_names: each team's name by language, in the plan's order.
        response: the timed critical tasks of the response chart, in the evaluation's order.
    """

    timeseries: pd.DataFrame
    events: pd.DataFrame
    teams: pd.DataFrame
    milestones: dict[str, float]
    metrics: dict[str, Any]
    team_names: dict[str, dict[str, str]]
    response: tuple[ResponseBar, ...]

    @classmethod
    def of(cls, r: DrillResult, tasks: Sequence[Task]) -> ChartData:
        """The chart data of ``r``, whose evaluation rated ``tasks``. The response chart
        leaves out untimed and unrated tasks, and medical care: its figure is a response
        time (from each incident), not a time from T0, and has its own line in the report."""
        return cls(
            timeseries=r.timeseries, events=r.events, teams=r.teams,
            milestones=dict(r.milestones), metrics=dict(r.metrics),
            team_names={tid: {lang: team.name.get(lang) for lang in LANGS}
                        for tid, team in r.plan.teams.items()},
            response=tuple(
                ResponseBar({lang: task_label(r, t, lang) for lang in LANGS}, t.measured_min,
                            t.target_min, t.rating)
                for t in tasks
                if t.target_min is not None and t.rating != "NA" and t.key != "medical"))
