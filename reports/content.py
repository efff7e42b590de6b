"""Build the drill report's content (a :class:`Document`) from a run, in one language."""

from __future__ import annotations

import math

from reports.charts import FONT_NOTE, chart_lang, crowd_chart, rumour_chart
from reports.document import Document, Section, Table
from reports.i18n import (
    ACTORS,
    EVENTS,
    ITEMS,
    LATE_WORDS,
    METRIC_LABELS,
    TARGET_LABELS,
    VALUE_WORDS,
    phrase,
    word,
)
from reports.targets import target_rows
from sim.result import DrillResult

TIMELINE_KINDS = (
    "first_report", "verified", "below_threshold", "level_declared", "level_raised",
    "plan_activated", "team_on_site", "cordon_set", "dialogue_started",
    "representatives_chosen", "talks_waiting", "talks_resumed", "agreement", "cleared",
    "inject", "gate_blocked", "equipment_failed", "equipment_replaced", "equipment_shortage",
    "supply_exhausted", "water_provided", "health_incident", "injury", "medical_attended",
    "rumour_posted", "rumour_detected", "statement_issued", "force_used", "crowd_state",
    "report_sent", "reinforcement_requested", "reinforcement_arrived", "slip_late",
    "slip_incomplete", "message_lost", "message_misdirected", "leader_on_site",
    "top_leader_on_site", "level_lowered", "comms_outage", "demand_leader", "weather",
)


def fmt_min(value, lang: str) -> str:
    """Minutes as text (``—`` for never)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return phrase("never", lang)
    return f"{value:.1f}"


def team_name(r: DrillResult, tid: str, lang: str) -> str:
    team = r.plan.teams.get(tid)
    if team is not None:
        return team.name.get(lang)
    if tid.startswith("upper:"):
        return tid.split(":", 1)[1]
    return word(ACTORS, tid, lang)


def describe(r: DrillResult, row, lang: str) -> str:
    """One event row as a sentence in ``lang``."""
    template = EVENTS.get(row.kind, {}).get(lang)
    if template is None:
        return row.detail
    value = row.value
    fields = {
        "actor": team_name(r, row.actor, lang),
        "subject": row.subject,
        "subject_name": team_name(r, row.subject, lang),
        "subject_item": word(ITEMS, row.subject, lang),
        "subject_word": word(VALUE_WORDS, row.subject, lang),
        "value": value,
        "value0": "" if value != value else f"{value:.0f}",
        "value_pct": "" if value != value else f"{value:.1%}",
        "detail": row.detail,
        "late_word": word(LATE_WORDS, "late" if value == value and value > 0 else "on_time", lang),
    }
    return template.format(**fields)


def metric_text(key: str, value, lang: str) -> str:
    if value is None:
        return phrase("never", lang)
    if isinstance(value, str):
        return word(VALUE_WORDS, value, lang)
    if key.endswith("_reach") or key == "peak_mean_agitation":
        return f"{value:.1%}" if key.endswith("_reach") else f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def build(r: DrillResult, lang: str = "zh", charts: bool = True) -> Document:
    """The drill report for ``r`` in ``lang`` (``zh`` or ``en``)."""
    m, sc, plan = r.metrics, r.scenario, r.plan
    doc = Document(
        title=f"{sc.title.get(lang)} — {phrase('report_title', lang)}",
        subtitle=f"{phrase('plan', lang)}: {plan.title.get(lang)} ({r.plan_label}) · "
                 f"{phrase('seed', lang)} {r.seed}",
        lang=lang,
        footer=phrase("generated", lang),
    )

    s = Section(phrase("summary", lang))
    if sc.description:
        s.blocks.append(sc.description.get(lang))
    s.blocks.append(Table([phrase("metric", lang), phrase("value", lang)], [
        [phrase("scenario", lang), f"{sc.title.get(lang)} ({sc.name})"],
        [phrase("plan", lang), f"{plan.title.get(lang)} ({r.plan_label})"],
        [phrase("site", lang), sc.site.name.get(lang)],
        [phrase("weather", lang), phrase("weather_fmt", lang, t=sc.weather.temperature_c,
                                         h=sc.weather.humidity_pct)],
        [phrase("duration", lang), f"{m['duration_min']:.0f} {phrase('minutes', lang)}"],
        [METRIC_LABELS["outcome"][lang], metric_text("outcome", m["outcome"], lang)],
    ]))
    doc.sections.append(s)

    s = Section(phrase("key_metrics", lang))
    rows = [[METRIC_LABELS[k][lang], metric_text(k, m.get(k), lang)]
            for k in METRIC_LABELS if k != "outcome"]
    s.blocks.append(Table([phrase("metric", lang), phrase("value", lang)], rows))
    doc.sections.append(s)

    s = Section(phrase("targets", lang))
    s.blocks.append(phrase("margin_rule", lang))
    rows = []
    for row in target_rows(r):
        label = TARGET_LABELS[row["key"]][lang]
        if row["key"] == "report":
            rep = next(x for x in plan.reporting if x.id == row["subject"])
            label = label.format(name=rep.to.get(lang))
        elif row["subject"]:
            label = f"{label}：{team_name(r, row['subject'], lang)}" if lang == "zh" else \
                f"{label}: {team_name(r, row['subject'], lang)}"
        rows.append([label,
                     fmt_min(row["target_min"], lang) if row["target_min"] is not None
                     else phrase("no_target", lang),
                     fmt_min(row["measured_min"], lang),
                     "" if row["margin_min"] is None else f"{row['margin_min']:+.1f}",
                     phrase(row["status"], lang)])
    s.blocks.append(Table([phrase("task", lang), phrase("target", lang), phrase("measured", lang),
                           phrase("margin", lang), phrase("status", lang)], rows))
    doc.sections.append(s)

    s = Section(phrase("teams", lang))
    rows = [[f"{t.name_zh if lang == 'zh' else t.name_en} ({t.team})", str(t.size),
             f"{t.familiarity:.0%}", fmt_min(t.dispatched_min, lang), fmt_min(t.on_site_min, lang)]
            for t in r.teams.itertuples()]
    s.blocks.append(Table([phrase("team", lang), phrase("size", lang), phrase("familiarity", lang),
                           phrase("dispatched", lang), phrase("on_site", lang)], rows))
    doc.sections.append(s)

    s = Section(phrase("timeline", lang))
    ev = r.events[r.events["kind"].isin(TIMELINE_KINDS)]
    rows = [[phrase("t_fmt", lang, m=f"{row.t_min:.0f}"), team_name(r, row.actor, lang),
             describe(r, row, lang)] for row in ev.itertuples()]
    s.blocks.append(Table([phrase("time", lang), phrase("actor", lang), phrase("event", lang)], rows))
    doc.sections.append(s)

    if charts:
        s = Section(phrase("charts", lang))
        if chart_lang(lang) != lang and FONT_NOTE.get(lang):
            s.blocks.append(FONT_NOTE[lang])
        s.blocks.append(crowd_chart(r, lang))
        if r.metrics["rumor_peak_reach"] > 0 or r.metrics["first_statement_min"] is not None:
            s.blocks.append(rumour_chart(r, lang))
        doc.sections.append(s)
    return doc
