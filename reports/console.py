"""The summary ``run`` prints: the critical tasks as rated, the score and grade, key figures."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reports.content import criterion_text, fmt_min, metric_text, rating_text, reason_text
from reports.evaluation import Evaluation, evaluate
from reports.i18n import METRIC_LABELS, phrase, task_label
from sim.core.result import DrillResult

RATING_STYLE = {"P": "green", "S": "yellow", "M": "red", "U": "red", "NA": "dim"}


def print_summary(r: DrillResult, console: Console, lang: str = "zh",
                  e: Evaluation | None = None) -> None:
    """Print the run's summary tables: the critical tasks as the report rates them (the same
    evaluation, so the two never disagree; ``e`` when the caller has it), then the key
    figures."""
    m = r.metrics
    e = e if e is not None else evaluate(r)
    # titles, names and labels come from plan and scenario files: text, never markup
    console.rule(f"[bold]{escape(r.scenario.title.get(lang))}[/] · {escape(r.plan_label)} · "
                 f"{phrase('seed', lang)} {r.seed}")
    table = Table(title=phrase("console_tasks", lang, score=e.score,
                               grade=e.grade_zh if lang == "zh" else e.grade_en),
                  show_lines=False)
    for col in ("task", "criterion", "measured", "rating", "reason"):
        table.add_column(phrase(col, lang), overflow="fold",
                         justify="right" if col in ("criterion", "measured") else "left")
    for t in e.tasks:
        style = RATING_STYLE.get(t.rating, "dim")
        table.add_row(escape(task_label(r, t, lang)), escape(criterion_text(t, lang)),
                      fmt_min(t.measured_min, lang), f"[{style}]{rating_text(t.rating, lang)}[/]",
                      escape(reason_text(r, t, lang)))
    console.print(table)
    figures = Table(title=phrase("key_metrics", lang))
    figures.add_column(phrase("metric", lang))
    figures.add_column(phrase("value", lang), justify="right")
    for key in ("level", "peak_crowd", "max_crowd_state", "scuffles", "health_incidents",
                "medical_response_max_min", "rumor_peak_reach", "first_statement_min",
                "equipment_failures", "messages_late", "slips", "outcome"):
        text = metric_text(key, m.get(key), lang)
        level = next((lv for lv in r.plan.levels if lv.id == m.get(key)), None) \
            if key == "level" else None
        if level is not None:   # the plan's name of the level
            text = level.name.get(lang)
        figures.add_row(METRIC_LABELS[key][lang], escape(text))
    console.print(figures)
