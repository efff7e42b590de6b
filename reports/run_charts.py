"""The charts annex of a run's report: which charts a run has, drawn in the kinds asked for.

Kept apart from :mod:`reports.content` so that the report's text can be built without
loading matplotlib, while the charts are drawn elsewhere (:mod:`reports.chart_process`).
Everything here works from a run's :class:`~reports.chart_data.ChartData`, not the run itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from reports.chart_data import ChartData
from reports.chart_style import FONT_NOTE, chart_lang, figure
from reports.charts import draw_crowd, draw_gantt, draw_response, draw_rumour
from reports.document import Figure
from reports.i18n import phrase

Chart = tuple[Callable[[str], Any], str]
"""A chart of the annex: its drawing function (of the labels' language) and its name."""


def charts(data: ChartData) -> list[Chart]:
    """The charts of a run's report, in order: the Gantt chart of team activity, the crowd,
    the rumour (when it spread or a statement was released) and the response against the
    plan's targets."""
    drawn: list[Chart] = [(partial(draw_gantt, data), "gantt"),
                          (partial(draw_crowd, data), "crowd")]
    m = data.metrics
    if m["rumor_peak_reach"] > 0 or m["first_statement_min"] is not None:
        drawn.append((partial(draw_rumour, data), "rumour"))
    drawn.append((partial(draw_response, data), "response"))
    return drawn


def drawn(chart: Chart, lang: str, kinds: frozenset[str]) -> Figure:
    """``chart`` drawn in ``kinds`` (:func:`reports.document.chart_kinds`) with its caption
    in ``lang``."""
    draw, name = chart
    return figure(draw, lang, phrase(f"chart_{name}", lang), name, kinds)


def note(lang: str, kinds: frozenset[str]) -> list[str]:
    """The annex's note when its PNG charts cannot be labelled in ``lang`` (no CJK font)."""
    if "png" in kinds and FONT_NOTE.get(lang) and chart_lang(lang) != lang:
        return [FONT_NOTE[lang]]
    return []


def annex(data: ChartData, lang: str, kinds: frozenset[str]) -> list[str | Figure]:
    """The blocks of the charts annex of a run's report in ``lang``: :func:`note`, then every
    chart of :func:`charts` drawn in ``kinds``."""
    return [*note(lang, kinds), *(drawn(c, lang, kinds) for c in charts(data))]
