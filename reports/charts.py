"""Charts of a run (matplotlib, no display needed).

Fonts, rcParams, colours and the PNG/SVG output come from :mod:`reports.chart_style`: Chinese
labels use the CJK font that comes with the package. Only when no CJK font is available at all
do the charts fall back to English labels (never boxes), and the report says so
(:data:`reports.chart_style.FONT_NOTE`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from reports import chart_style
from reports.chart_data import ChartData
from reports.chart_style import (
    ALERT,
    GANTT_COLOURS,
    PALETTE,
    RATING_COLOURS,
    STATE_COLOURS,
    TASK_COLOUR,
)
from reports.i18n import VALUE_WORDS, phrase, word
from sim.core.types import EventKind

K = EventKind


def _state_bands(ax, ts) -> None:
    t = ts["t_min"].to_numpy()
    states = ts["crowd_state"].to_numpy()
    start = 0
    for i in range(1, len(t) + 1):
        if i == len(t) or states[i] != states[start]:
            end = t[i] if i < len(t) else t[-1]
            ax.axvspan(t[start], end, color=STATE_COLOURS.get(states[start], "#eee"), lw=0)
            start = i


def draw_crowd(r: ChartData, lang: str):
    """Petitioners and onlookers on site with mean agitation; crowd state as bands."""
    ts = r.timeseries
    fig, ax = plt.subplots(figsize=(8, 3.6))
    _state_bands(ax, ts)
    t = ts["t_min"]
    ax.plot(t, ts["crowd_present"], color=PALETTE[0], label=phrase("crowd_present", lang))
    ax.plot(t, ts["onlookers"], color="#6d4c41", ls="--", label=phrase("onlookers", lang))
    ax.set_xlabel(phrase("minutes_axis", lang))
    ax.set_ylabel(phrase("people", lang))
    ax2 = ax.twinx()
    ax2.plot(t, ts["mean_agitation"], color=PALETTE[1], label=phrase("mean_agitation", lang))
    ax2.set_ylim(0, 1)
    ax2.set_ylabel(phrase("mean_agitation", lang))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    patches = [Patch(color=c, label=word(VALUE_WORDS, k, lang)) for k, c in STATE_COLOURS.items()]
    handles: list[Artist] = [*h1, *h2, *patches]
    ax.legend(handles, l1 + l2 + [p.get_label() for p in patches],
              loc="upper right", fontsize=8, ncol=2)
    ax.set_title(phrase("chart_crowd", lang))
    chart_style.fixed_margins(fig, left=0.75, right=0.7, bottom=0.5, top=0.35)
    return fig


def draw_rumour(r: ChartData, lang: str):
    """Rumour reach against statement reach online, with the statement time marked."""
    ts = r.timeseries
    fig, ax = plt.subplots(figsize=(8, 3.0))
    ax.plot(ts["t_min"], ts["rumor_reach"], color=PALETTE[4], label=phrase("rumor_reach", lang))
    ax.plot(ts["t_min"], ts["statement_reach"], color=PALETTE[2],
            label=phrase("statement_reach", lang))
    st = r.metrics.get("first_statement_min")
    if st is not None:
        ax.axvline(st, color=PALETTE[2], ls=":", label=phrase("statement_time", lang))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))   # in % as in the tables
    ax.set_xlabel(phrase("minutes_axis", lang))
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(phrase("chart_rumour", lang))
    chart_style.fixed_margins(fig, left=0.6, right=0.2, bottom=0.55, top=0.35)
    return fig


def _spans(r: ChartData, end: float) -> list[tuple[str, str, float, float]]:
    """(team, activity, start, end) from the task_start/task_end pairs of the event log."""
    ev = r.events[r.events["kind"].isin((K.TASK_START.value, K.TASK_END.value))]
    open_: dict[tuple[str, str], float] = {}
    out = []
    for row in ev.itertuples():
        key = (row.actor, row.subject)
        if row.kind == "task_start":
            open_[key] = row.t_min
        elif key in open_:
            out.append((row.actor, row.subject, open_.pop(key), row.t_min))
    out += [(team, task, t0, end) for (team, task), t0 in open_.items()]
    return out


def draw_gantt(r: ChartData, lang: str):
    """Each team's activities over time, with milestones and injects marked."""
    ts = r.timeseries
    end = float(ts["t_min"].iloc[-1]) if len(ts) else 0.0
    teams = list(r.team_names)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(teams) + 1.8))
    spans = _spans(r, end)
    for i, tid in enumerate(teams):
        row = r.teams[r.teams["team"] == tid].iloc[0]
        if row.on_site_min is not None:
            ax.barh(i, end - row.on_site_min, left=row.on_site_min, color=GANTT_COLOURS["on_site"],
                    height=0.6)
        for team, task, t0, t1 in spans:
            if team != tid:
                continue
            colour = GANTT_COLOURS.get(task, TASK_COLOUR)
            height = 0.6 if task in GANTT_COLOURS else 0.3
            ax.barh(i, max(t1 - t0, 0.5), left=t0, color=colour, height=height,
                    edgecolor="#555", linewidth=0.3)
    ax.set_yticks(range(len(teams)))
    ax.set_yticklabels([r.team_names[t][lang] for t in teams], fontsize=8)
    ax.invert_yaxis()
    marks = [("first_report", "#1b5e20"), ("plan_activated", "#0d47a1"),
             ("agreement", "#4a148c"), ("cleared", "#000000")]
    for key, colour in marks:
        t = r.milestones.get(key)
        if t is not None:
            ax.axvline(t, color=colour, ls="--", lw=0.8)
            ax.text(t, -0.7, phrase(f"ms_{key}", lang), fontsize=8, color=colour, rotation=90,
                    va="bottom", ha="right")
    injects = r.events[r.events["kind"] == K.INJECT.value]
    # labels of injects close in time go on rows below one another instead of overprinting:
    # a label takes about one axis-hundredth of the time span per character at this size
    char = max(end, 1.0) / 95.0
    row_ends: list[float] = []   # where the last label of each row ends (minutes)
    for row in injects.sort_values("t_min", kind="stable").itertuples():
        ax.plot(row.t_min, len(teams) - 0.4, marker="v", color=ALERT, ms=6)
        half = (len(str(row.subject)) + 1) * char / 2
        level = next((k for k, e in enumerate(row_ends) if row.t_min - half >= e), len(row_ends))
        if level == len(row_ends):
            row_ends.append(0.0)
        row_ends[level] = row.t_min + half
        ax.text(row.t_min, len(teams) - 0.1 + 0.4 * level, row.subject, fontsize=8, color=ALERT,
                ha="center", va="top")
    if len(row_ends) > 1:   # room for the extra rows (the axis runs downward)
        low, high = ax.get_ylim()
        ax.set_ylim(max(low, len(teams) + 0.4 * len(row_ends)), high)
    legend = [Patch(color=GANTT_COLOURS["mobilising"], label=phrase("gantt_mobilising", lang)),
              Patch(color=GANTT_COLOURS["travelling"], label=phrase("gantt_travelling", lang)),
              Patch(color=GANTT_COLOURS["on_site"], label=phrase("gantt_on_site", lang)),
              Patch(color=TASK_COLOUR, label=phrase("gantt_task", lang)),
              Line2D([], [], marker="v", color=ALERT, ls="", label=phrase("gantt_inject", lang))]
    # below the axis label, clear of the inject labels at the foot of the chart
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8,
              ncol=len(legend), frameon=False)
    # from T0, or from the first thing done before it (teams sent on a warning), with room
    # for a milestone at the very end
    start = min([0.0, *(t0 for _, _, t0, _ in spans),
                 *(t for t in (r.milestones.get(k) for k, _ in marks) if t is not None)])
    span = max(end, 1.0) - start
    ax.set_xlim(start, max(end, 1.0) + 0.02 * span)
    if start < 0:
        ax.axvline(0.0, color="#777777", lw=0.6)
    ax.set_xlabel(phrase("minutes_axis", lang))
    ax.set_title(phrase("chart_gantt", lang))
    return fig


def draw_response(r: ChartData, lang: str):
    """Measured times against the drill's criteria for the timed critical tasks
    (:attr:`ChartData.response`), all in minutes from T0."""
    tasks = r.response
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(tasks) + 1.2))
    for i, t in enumerate(tasks):
        value = t.measured_min if t.measured_min is not None else 0.0
        ax.barh(i, value, color=RATING_COLOURS[t.rating], height=0.6)
        ax.plot([t.target_min, t.target_min], [i - 0.4, i + 0.4], color="#000", lw=1.5)
        ax.text(value + 1, i, t.rating, va="center", fontsize=8)
    ax.set_yticks(range(len(tasks)))
    ax.set_yticklabels([t.label[lang] for t in tasks], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(phrase("minutes_axis", lang))
    ax.set_title(phrase("chart_response", lang))
    return fig
