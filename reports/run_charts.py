"""The charts annex of a run's report: which charts a run has, drawn in the kinds asked for.

Kept apart from :mod:`reports.content` so that the report's text can be built without
loading matplotlib, while the charts are drawn elsewhere (:mod:`reports.chart_process`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from reports.chart_style import FONT_NOTE, chart_lang, figure
from reports.charts import draw_crowd, draw_gantt, draw_response, draw_rumour
from reports.document import Figure
from reports.evaluation import Task
from reports.i18n import phrase
from sim.core.result import DrillResult


def annex(r: DrillResult, lang: str, tasks: Sequence[Task],
          kinds: frozenset[str]) -> list[str | Figure]:
    """The blocks of the charts annex of ``r``'s report in ``lang``: a note when the PNG
    charts cannot be labelled in Chinese, then the Gantt chart of team activity, the crowd,
    the rumour (when it spread or a statement was released) and the response against the
    plan's targets (``tasks``: the evaluation's rated tasks), in ``kinds``
    (:func:`reports.document.chart_kinds`)."""
    blocks: list[str | Figure] = []
    if "png" in kinds and FONT_NOTE.get(lang) and chart_lang(lang) != lang:
        blocks.append(FONT_NOTE[lang])
    drawn = [(draw_gantt, "gantt"), (draw_crowd, "crowd")]
    m = r.metrics
    if m["rumor_peak_reach"] > 0 or m["first_statement_min"] is not None:
        drawn.append((draw_rumour, "rumour"))
    drawn.append((partial(draw_response, tasks=list(tasks)), "response"))
    for draw, name in drawn:
        blocks.append(figure(partial(draw, r), lang, phrase(f"chart_{name}", lang), name, kinds))
    return blocks
