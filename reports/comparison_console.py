"""What ``compare`` and ``sweep`` print on the console: the key figures with the paired
differences, and the sweep table (rich tables; the figures of :mod:`sim.montecarlo.stats`, formatted by
:mod:`reports.comparison_words`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.markup import escape
from rich.table import Table as RichTable

from reports.comparison_content import KEY_METRICS, prob_cell, share_note, summary_cell
from reports.comparison_headline import headline
from reports.comparison_words import (
    event_label,
    field_label,
    field_value,
    fmt_ci,
    isnan,
    metric_label,
    ph,
    plan_keys,
    team_names,
)
from sim.montecarlo.stats import DEFAULT_RUMOUR_THRESHOLD, Analysis

if TYPE_CHECKING:
    from sim.montecarlo.replicate import Replications


def print_compare(reps: Replications, a: Analysis, console, lang: str = "zh") -> None:
    """The key figures and the paired differences as a table on the console."""
    keys = plan_keys(a.plans)
    teams = team_names(reps, lang)
    for p in a.plans:
        console.print(f"[bold]{keys[p]}[/] = {escape(p)}")
    table = RichTable(title=ph("key_figures", lang), show_header=True)
    table.add_column(ph("metric", lang))
    for p in a.plans:
        table.add_column(keys[p])
    for p in a.plans[1:]:
        table.add_column(f"{keys[p]} − {keys[a.plans[0]]}")

    def diff_cell(d: dict, metric: str, column: str) -> str:
        if not d or isnan(d.get("n")) or int(d["n"]) == 0:
            return escape(ph("no_data", lang)) if d else "—"
        text = escape(fmt_ci(metric, d[column], d["ci_low"], d["ci_high"], signed=True,
                             lang=lang))
        return f"[bold]{text}[/]" if d["excludes_zero"] else text

    for m in [m for m in KEY_METRICS if m in set(a.summary["metric"])]:
        cells = [escape(summary_cell(a, p, m) + share_note(a, p, m, lang)) for p in a.plans]
        cells += [diff_cell(a.difference(p, m), m, "mean_diff") for p in a.plans[1:]]
        table.add_row(escape(metric_label(m, lang, teams)), *cells)
    for ev in ("any_scuffle", "cleared_within_target", "rumour_above_threshold"):
        cells = [escape(prob_cell(a.probabilities, p, ev)) for p in a.plans]
        cells += [diff_cell(a.difference(p, ev), ev, "diff") for p in a.plans[1:]]
        table.add_row(escape(event_label(ev, lang, a.rumour_threshold)), *cells)
    console.print(table)
    for paragraph in headline(reps, a, lang):
        console.print(escape(paragraph))


def print_sweep(table: pd.DataFrame, keys: Sequence[str], metric: str, console,
                lang: str = "zh", plan: Any = None) -> None:
    """The sweep table on the console."""
    threshold = table.attrs.get("rumour_threshold", DEFAULT_RUMOUR_THRESHOLD)
    out = RichTable(title=escape(metric_label(metric, lang, threshold=threshold)),
                    show_header=True)
    for k in keys:
        out.add_column(escape(field_label(plan, k, lang)))
    out.add_column(f"{ph('mean', lang)} [{ph('ci', lang)}]")
    out.add_column(ph("n", lang))
    for _, r in table.iterrows():
        out.add_row(*(escape(field_value(k, r[k], lang)) for k in keys),
                    escape(fmt_ci(metric, r["mean"], r["ci_low"], r["ci_high"])),
                    f"{int(r['n'])}/{int(r['n_reps'])}")
    console.print(out)
