"""What the comparison and sweep reports show: their sections, tables, sentences and charts,
as a :class:`~reports.document.Document` in one language.

Every number is taken from the frames of :class:`sim.montecarlo.stats.Analysis` (or the sweep table of
:func:`sim.montecarlo.stats.sweep_table`) and formatted by :mod:`reports.comparison_words`; none is
computed or changed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.chart_style import FONT_NOTE, chart_lang, figure
from reports.comparison_charts import (
    draw_differences,
    draw_distributions,
    draw_heatmap,
    draw_probabilities,
)
from reports.comparison_headline import headline
from reports.comparison_words import (
    backend_word,
    cell_words,
    event_label,
    field_label,
    field_value,
    fmt,
    fmt_ci,
    fmt_percentile,
    isnan,
    metric_label,
    ph,
    plan_keys,
    plan_title,
    scenario_title,
    team_names,
)
from reports.document import CHART_KINDS_WEB, Bullets, Document, Section, Subheading, Table
from reports.i18n import VALUE_WORDS, word
from sim.core.bundle import PLANS_DIR
from sim.core.types import RiskOutcome
from sim.montecarlo.stats import EVENTS, TEAM_PREFIX, Analysis, sweep_table, wilson

if TYPE_CHECKING:
    from sim.montecarlo.replicate import Replications

KEY_METRICS = (
    "first_team_on_site_min", "dialogue_start_min", "agreement_min", "cleared_min",
    "peak_crowd", "peak_mean_agitation", "scuffles", "injuries", "health_incidents",
    "first_statement_min", "rumor_peak_reach", "messages_late",
)
"""The metrics the report tables and charts show (``summary.csv`` has them all)."""


def summary_cell(a: Analysis, plan: str, metric: str) -> str:
    """A metric's mean under ``plan`` with its interval, or "—" when the plan has no row."""
    s = a.summary
    hit = s[(s.plan == plan) & (s.metric == metric)]
    if hit.empty:
        return "—"
    r = hit.iloc[0]
    text = fmt_ci(metric, r["mean"], r["ci_low"], r["ci_high"])
    return text


def share_note(a: Analysis, plan: str, metric: str, lang: str) -> str:
    """"(n/N happened)" after a metric that has a value in only some replications."""
    s = a.summary
    hit = s[(s.plan == plan) & (s.metric == metric)]
    if hit.empty:
        return ""
    r = hit.iloc[0]
    if int(r["n"]) == int(r["n_reps"]):
        return ""
    return ph("cell_share", lang, n=int(r["n"]), N=int(r["n_reps"]))


def _verdict(row: dict, lang: str) -> str:
    """What a paired difference says: no comparable data (no pair), not distinguishable
    (its interval holds 0, or there is no interval), clearly higher or lower."""
    if not row or isnan(row.get("n")) or int(row["n"]) == 0:
        return ph("no_data", lang)
    if not row.get("excludes_zero"):
        return ph("unclear", lang)
    return ph("clear_up", lang) if row["ci_low"] > 0 else ph("clear_down", lang)


def cells_with_mean(table, keys: list[str], value: float, lang: str, plan: Any = None) -> str:
    """The sweep cells of ``table`` whose mean is ``value``, as ``field = value`` lists (in
    words with ``plan``): a tie is named whole, never one cell of it."""
    return ("；" if lang == "zh" else "; ").join(
        cell_words(plan, keys, [r[k] for k in keys], lang)
        for _, r in table[table["mean"] == value].iterrows())


def _changes(v, lang: str) -> str:
    """The fields a variant changes: over the base its file extends, then its overrides."""
    parts = []
    if getattr(v, "base", None) is not None:
        base, fields = v.base
        parts.append(ph("over_base", lang, base=base, fields=", ".join(fields) or ph("none", lang)))
    if v.overrides:
        parts.append(", ".join(v.overrides))
    return "; ".join(parts) or ph("none", lang)


def build_compare(reps: Replications, a: Analysis, lang: str = "zh") -> Document:
    """The comparison report's content."""
    keys = plan_keys(a.plans)
    teams = team_names(reps, lang)
    metrics = [m for m in KEY_METRICS if m in set(a.summary["metric"])]
    doc = Document(ph("title", lang),
                   ph("subtitle", lang, scenario=scenario_title(reps, lang), plans=len(a.plans), reps=reps.reps,
                      seed=reps.base_seed), lang)
    doc.preface.extend(headline(reps, a, lang))

    setup = Section(ph("setup", lang))
    setup.blocks.append(ph("setup_line", lang, scenario=scenario_title(reps, lang), reps=reps.reps,
                           sims=reps.reps * len(a.plans), backend=backend_word(reps.backend, lang),
                           workers=reps.workers, elapsed=reps.elapsed_s))
    setup.blocks.append(Table(
        [ph("key", lang), ph("plan", lang), ph("source", lang), ph("overrides", lang),
         ph("cleared_target", lang)],
        [[keys[v.label], plan_title(v, lang), plan_file(v.inputs.plan_path),
          _changes(v, lang),
          fmt("cleared_min", v.cleared_target) if v.cleared_target is not None else ph("none", lang)]
         for v in reps.variants]))
    if reps.sets:
        setup.blocks.append(ph("sets_line", lang, sets=", ".join(reps.sets)))
    setup.blocks.append(ph("seed_line", lang, first=reps.seed(0), last=reps.seed(reps.reps - 1),
                           command=reps.reproduce_command(a.plans[-1], 0)))
    doc.sections.append(setup)

    read = Section(ph("how_to_read", lang))
    read.blocks += [ph("read_ci", lang), ph("read_method", lang), ph("read_nulls", lang),
                    ph("read_failures", lang)]
    if FONT_NOTE.get(lang) and chart_lang(lang) != lang:
        read.blocks.append(FONT_NOTE[lang])
    doc.sections.append(read)

    key = Section(ph("key_figures", lang))
    key.blocks.append(Table(
        [ph("metric", lang), *[f"{keys[p]}: {p}" for p in a.plans]],
        [[metric_label(m, lang, teams),
          *[summary_cell(a, p, m) + share_note(a, p, m, lang) for p in a.plans]]
         for m in metrics]))
    doc.sections.append(key)

    prob = Section(ph("probabilities", lang))
    t = a.probabilities
    prob.blocks.append(Table(
        [ph("event", lang), *[f"{keys[p]}: {p}" for p in a.plans]],
        [[event_label(ev, lang, a.rumour_threshold),
          *[prob_cell(t, p, ev) for p in a.plans]] for ev in EVENTS]))
    if reps.rows:
        prob.blocks.append(figure(lambda lg: draw_probabilities(a, lg), lang,
                                  ph("chart_prob", lang), "probabilities", CHART_KINDS_WEB))
    doc.sections.append(prob)

    person = a.categories[a.categories["metric"] == "person_outcome"]
    if len(person):   # a person threatened to jump: how it ended, under each plan
        order = [v.value for v in RiskOutcome] + ["none"]
        values = sorted(set(person["value"]), key=lambda v: order.index(v) if v in order else 99)
        prob.blocks.append(Subheading(ph("person_outcomes", lang)))
        prob.blocks.append(Table(
            [ph("person_outcome", lang), *[f"{keys[p]}: {p}" for p in a.plans]],
            [[ph("nobody_at_risk", lang) if v == "none" else word(VALUE_WORDS, v, lang),
              *[share_cell(person, p, "person_outcome", v)
                                            for p in a.plans]] for v in values]))

    diff = Section(ph("differences", lang))
    if len(a.plans) < 2:
        diff.blocks.append(ph("no_diff", lang))
    else:
        diff.blocks.append(ph("baseline_line", lang, base=a.plans[0]))
        rows = []
        notes = []
        for p in a.plans[1:]:
            for m in metrics:
                d = a.difference(p, m)
                if not d:
                    continue
                rows.append([metric_label(m, lang, teams), keys[p],
                             fmt_ci(m, d["mean_diff"], d["ci_low"], d["ci_high"], signed=True, lang=lang),
                             str(d["n"]), _verdict(d, lang)])
                if d["share_diff"] and not math.isnan(d["share_diff"]) and d["share_diff"] != 0:
                    notes.append(f"{keys[p]} · " + ph(
                        "share_diff_line", lang, metric=metric_label(m, lang, teams),
                        diff=fmt_ci("agreement_reached", d["share_diff"], d["share_ci_low"],
                                    d["share_ci_high"], signed=True, lang=lang)))
            for ev in EVENTS:
                d = a.difference(p, ev)
                if not d:
                    continue
                rows.append([event_label(ev, lang, a.rumour_threshold), keys[p],
                             fmt_ci(ev, d["diff"], d["ci_low"], d["ci_high"], signed=True, lang=lang),
                             str(d["n"]), _verdict(d, lang)])
        diff.blocks.append(Table([ph("metric", lang), ph("key", lang), f"{ph('diff', lang)} "
                                  f"[{ph('ci', lang)}]", ph("pairs", lang), ph("verdict", lang)],
                                 rows))
        if notes:
            diff.blocks.append(Bullets(notes))
        if rows:
            diff.blocks.append(figure(lambda lg: draw_differences(a, metrics, lg, teams), lang,
                                      ph("chart_diff", lang), "differences", CHART_KINDS_WEB,
                                      dense=True))
    doc.sections.append(diff)

    if metrics:
        dist = Section(ph("distributions", lang))
        dist.blocks.append(figure(lambda lg: draw_distributions(a, metrics, lg, teams), lang,
                                  ph("chart_dist", lang), "distributions", CHART_KINDS_WEB,
                                  dense=True))
        doc.sections.append(dist)

    doc.sections.append(failures_section(reps, len(a.plans), lang))

    appendix = Section(ph("all_metrics", lang))
    counts = a.counts
    s = a.summary
    # each plan's metrics in summary order, the teams' arrival times last
    s = s.assign(_team=s["metric"].str.startswith(TEAM_PREFIX),
                 _plan=s["plan"].map({p: i for i, p in enumerate(a.plans)}))
    s = s.sort_values(["_plan", "_team"], kind="stable")
    own = {p: team_names(reps, lang, p) for p in a.plans}   # each row in its plan's names
    appendix.blocks.append(Table(
        [ph("metric", lang), ph("key", lang), f"{ph('mean', lang)} [{ph('ci', lang)}]",
         ph("median", lang), ph("p90", lang), ph("n", lang), ph("share", lang)],
        [[metric_label(r.metric, lang, own[r.plan]), keys[r.plan],
          fmt_ci(r.metric, r.mean, r.ci_low, r.ci_high), fmt_percentile(r.metric, r.p50, counts),
          fmt_percentile(r.metric, r.p90, counts), str(r.n), f"{r.share:.0%}" if not math.isnan(r.share) else "—"]
         for r in s.itertuples()]))
    doc.sections.append(appendix)
    doc.footer = ph("footer", lang)
    return doc


def failures_section(reps: Replications, plans: int, lang: str) -> Section:
    """The failed replications (seed and error of each, 50 at most) or a line saying that
    every drill ran to its end."""
    fails = Section(ph("failures", lang))
    if reps.failures:
        first = reps.failures[0]
        fails.blocks.append(ph("failures_line", lang, k=len(reps.failures),
                               share=len(reps.failures) / (reps.reps * plans),
                               error=first.traceback.strip().splitlines()[-1]))
        fails.blocks.append(Table([ph("plan", lang), ph("rep", lang), ph("seed", lang),
                                   ph("error", lang)],
                                  [[f.plan, str(f.rep), str(f.seed), f.error]
                                   for f in reps.failures[:50]]))
    else:
        fails.blocks.append(ph("all_ok", lang))
    return fails


def plan_file(path: Path) -> str:
    """A plan's file as the setup table names it: a bundled plan by its name, another by its
    path."""
    return path.stem if path.parent == PLANS_DIR else str(path)


def share_cell(t: pd.DataFrame, plan: str, metric: str, value: str) -> str:
    """The share of the runs under ``plan`` whose categorical ``metric`` took ``value``, with
    its interval and ``k/n`` (from :func:`sim.montecarlo.stats.categories`)."""
    hit = t[(t.plan == plan) & (t.metric == metric) & (t.value == value)]
    ns = t.loc[(t.plan == plan) & (t.metric == metric), "n"]
    if not len(ns):
        return "—"
    k, n = (int(hit["k"].iloc[0]) if len(hit) else 0), int(ns.iloc[0])
    p, low, high = wilson(k, n)
    return f"{fmt_ci('any_scuffle', p, low, high)} ({k}/{n})"  # a share, shown as events are


def prob_cell(t: pd.DataFrame, plan: str, event: str) -> str:
    """An event's probability under ``plan`` with its interval and ``k/n``."""
    hit = t[(t.plan == plan) & (t.event == event)]
    if hit.empty or int(hit["n"].iloc[0]) == 0:
        return "—"
    r = hit.iloc[0]
    return f"{fmt_ci(event, r['p'], r['ci_low'], r['ci_high'])} ({int(r['k'])}/{int(r['n'])})"


def build_sweep(reps: Replications, a: Analysis, grid: Sequence[tuple[str, list[Any]]],
                cells: Sequence[dict[str, Any]], metric: str, plan: str,
                lang: str = "zh") -> tuple[Document, pd.DataFrame]:
    """The sweep report's content and its table (``sweep.csv``)."""
    teams = team_names(reps, lang)
    keys = [k for k, _ in grid]
    table = sweep_table(a, cells, metric)
    label = metric_label(metric, lang, teams, a.rumour_threshold)
    doc = Document(ph("sweep_title", lang),
                   ph("sweep_subtitle", lang, scenario=scenario_title(reps, lang),
                      plan=plan_title(reps.variants[0], lang, plan) if reps.variants else plan,
                      cells=len(cells), reps=reps.reps, metric=label), lang)
    setup = Section(ph("sweep_setup", lang))
    setup.blocks.append(ph("setup_line", lang, scenario=scenario_title(reps, lang), reps=reps.reps,
                           sims=reps.reps * len(cells), backend=backend_word(reps.backend, lang),
                           workers=reps.workers, elapsed=reps.elapsed_s))
    plan_model = reps.variants[0].inputs.plan if reps.variants else None
    sep = "、" if lang == "zh" else ", "
    setup.blocks.append(ph("sweep_grid", lang, grid=("；" if lang == "zh" else "; ").join(
        (f"{field_label(plan_model, k, lang)}（{k}）" if lang == "zh"
         else f"{field_label(plan_model, k, lang)} ({k})")
        + f" = {sep.join(field_value(k, v, lang) for v in vs)}" for k, vs in grid)))
    if reps.sets:
        setup.blocks.append(ph("sets_line", lang, sets=", ".join(reps.sets)))
    setup.blocks.append(ph("seed_line", lang, first=reps.seed(0), last=reps.seed(reps.reps - 1),
                           command=reps.reproduce_command(cells[0]["plan"], 0)))
    doc.sections.append(setup)
    heat = Section(ph("sweep_heat", lang))
    heat.blocks.append(figure(lambda lg: draw_heatmap(table, keys, metric, lg, teams,
                                                      plan_model), lang,
                              ph("sweep_chart", lang, metric=label), "heatmap", CHART_KINDS_WEB))
    finite = table.dropna(subset=["mean"])
    if len(finite):
        lo = finite.loc[finite["mean"].idxmin()]
        hi = finite.loc[finite["mean"].idxmax()]

        def cells_at(value) -> str:
            return cells_with_mean(finite, keys, value, lang, plan_model)

        if lo["mean"] == hi["mean"]:
            heat.blocks.append(ph("sweep_flat", lang, value=fmt(metric, lo["mean"])))
        else:
            heat.blocks.append(ph("sweep_extremes", lang, low_cell=cells_at(lo["mean"]),
                                  low=fmt_ci(metric, lo["mean"], lo["ci_low"], lo["ci_high"]),
                                  high_cell=cells_at(hi["mean"]),
                                  high=fmt_ci(metric, hi["mean"], hi["ci_low"], hi["ci_high"])))
            if not (hi["ci_low"] > lo["ci_high"]):   # overlapping, or an interval unknown
                heat.blocks.append(ph("sweep_overlap", lang))
    doc.sections.append(heat)
    tab = Section(ph("sweep_table", lang))
    counts = a.counts
    tab.blocks.append(Table(
        [*(field_label(plan_model, k, lang) for k in keys),
         f"{ph('mean', lang)} [{ph('ci', lang)}]", ph("median", lang), ph("p90", lang),
         ph("n", lang)],
        [[*(field_value(k, r[k], lang) for k in keys),
          fmt_ci(metric, r["mean"], r["ci_low"], r["ci_high"]),
          fmt_percentile(metric, r["p50"], counts), fmt_percentile(metric, r["p90"], counts),
          f"{int(r['n'])}/{int(r['n_reps'])}"]
         for _, r in table.iterrows()]))
    doc.sections.append(tab)
    read = Section(ph("sweep_read", lang))
    read.blocks += [ph("sweep_read_text", lang), ph("sweep_method", lang)]
    read.blocks.append(ph("sweep_failures", lang) if reps.failures else ph("all_ok", lang))
    doc.sections.append(read)
    if reps.failures:
        doc.sections.append(failures_section(reps, len(cells), lang))
    doc.footer = ph("sweep_footer", lang)
    return doc, table
