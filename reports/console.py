"""The summary ``run`` prints: milestones, team arrivals against targets, key figures."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reports.content import fmt_min, metric_text, team_name
from reports.i18n import METRIC_LABELS, TARGET_LABELS, phrase, report_name
from reports.targets import target_rows
from sim.core.result import DrillResult

STATUS_STYLE = {"met": "green", "missed": "red", "not_done": "yellow", "no_target": "dim"}


def print_summary(r: DrillResult, console: Console, lang: str = "zh") -> None:
    """Print the run's summary tables."""
    m = r.metrics
    # titles, names and labels come from plan and scenario files: text, never markup
    console.rule(f"[bold]{escape(r.scenario.title.get(lang))}[/] · {escape(r.plan_label)} · "
                 f"{phrase('seed', lang)} {r.seed}")
    table = Table(title=phrase("targets", lang), show_lines=False)
    for col in ("task", "target", "measured", "margin", "status"):
        table.add_column(phrase(col, lang), justify="left" if col == "task" else "right")
    for row in target_rows(r):
        label = TARGET_LABELS[row["key"]][lang]
        if row["key"] == "report":
            label = label.format(name=report_name(r, row["subject"], lang))
        elif row["subject"]:
            label = f"{label}: {team_name(r, row['subject'], lang)}"
        style = STATUS_STYLE[row["status"]]
        table.add_row(escape(label),
                      fmt_min(row["target_min"], lang) if row["target_min"] is not None else "—",
                      fmt_min(row["measured_min"], lang),
                      "" if row["margin_min"] is None else f"{row['margin_min']:+.1f}",
                      f"[{style}]{phrase(row['status'], lang)}[/]")
    console.print(table)
    figures = Table(title=phrase("key_metrics", lang))
    figures.add_column(phrase("metric", lang))
    figures.add_column(phrase("value", lang), justify="right")
    for key in ("level", "peak_crowd", "max_crowd_state", "scuffles", "health_incidents",
                "medical_response_max_min", "rumor_peak_reach", "first_statement_min",
                "equipment_failures", "messages_late", "slips", "outcome"):
        figures.add_row(METRIC_LABELS[key][lang], escape(metric_text(key, m.get(key), lang)))
    console.print(figures)
