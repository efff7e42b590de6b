"""The charts of the comparison and sweep reports (matplotlib, no display needed).

Fonts, rcParams, colours and the PNG and SVG output come from :mod:`reports.chart_style`, as
for the charts of a drill report. Each ``draw_*`` function takes the frames of
:class:`sim.montecarlo.stats.Analysis` (or the sweep table) and a language, and returns a figure;
:func:`reports.chart_style.figure` turns a drawing into a report
:class:`~reports.document.Figure`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from reports.chart_style import INK, MUTED, PALETTE
from reports.comparison_words import (
    cell_words,
    event_label,
    field_label,
    field_value,
    fmt,
    is_share,
    isnan,
    metric_label,
    ph,
    plan_keys,
)
from sim.montecarlo.stats import EVENTS, Analysis

EXCLUDES_ZERO = PALETTE[1]
"""The colour of a paired difference whose interval excludes 0 (red)."""


def _key_note(fig, keys: dict[str, str]) -> None:
    lines = [f"{k} = {p}" for p, k in keys.items()]
    wrapped = "\n".join(textwrap.fill(line, 110, subsequent_indent="    ") for line in lines)
    fig.text(0.01, -0.01, wrapped, ha="left", va="top", fontsize=8, color="#333")


def _finish(fig, axes, used: int, keys: dict[str, str]) -> None:
    """Hide the panels past the first ``used``, lay the figure out, add the key of the plans."""
    for ax in list(axes.flat)[used:]:
        ax.axis("off")
    fig.tight_layout()
    _key_note(fig, keys)


def _grid(n: int, cols: int = 3) -> tuple[int, int]:
    cols = min(cols, n)
    return math.ceil(n / cols), cols


def draw_distributions(a: Analysis, metrics: Sequence[str], lang: str,
                       team_names: dict[str, str] | None = None):
    """One panel per metric: a box per plan, every drill as a dot beside it."""
    keys = plan_keys(a.plans)
    rows, cols = _grid(len(metrics))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.5 * rows), squeeze=False)
    df = a.replications
    for ax, m in zip(axes.flat, metrics, strict=False):
        data, labels = [], []
        for p in a.plans:
            x = pd.to_numeric(df.loc[df["plan"] == p, m], errors="coerce").to_numpy(dtype=float)
            n_all = len(x)
            x = x[~np.isnan(x)]
            data.append(x)
            labels.append(keys[p] if len(x) == n_all else f"{keys[p]}\n{len(x)}/{n_all}")
        pos = np.arange(1, len(data) + 1)
        ax.boxplot([d if len(d) else [np.nan] for d in data], positions=pos, widths=0.5,
                   showfliers=False, medianprops={"color": INK})
        for i, d in enumerate(data):
            if not len(d):
                continue
            show = d if len(d) <= 400 else d[:: math.ceil(len(d) / 400)]
            offs = ((np.arange(len(show)) * 0.6180339887) % 1 - 0.5) * 0.5
            ax.scatter(pos[i] + 0.45 + offs * 0.3, show, s=4, alpha=0.35,
                       color=PALETTE[i % len(PALETTE)], lw=0)
            ax.plot(pos[i], d.mean(), marker="D", ms=4, color=PALETTE[i % len(PALETTE)])
        ax.set_xticks(pos, labels, fontsize=8)
        ax.set_title(textwrap.fill(metric_label(m, lang, team_names), 28), fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    _finish(fig, axes, len(metrics), keys)
    return fig


def draw_differences(a: Analysis, metrics: Sequence[str], lang: str,
                     team_names: dict[str, str] | None = None):
    """One panel per metric (and one for the event probabilities, in percentage points):
    each variant's paired difference against the baseline with its 95% interval."""
    keys = plan_keys(a.plans)
    others = a.plans[1:]
    panels = [*metrics, "_events"]
    rows, cols = _grid(len(panels))
    height = max(1.6, 0.35 * len(others) + 1.1)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, height * rows), squeeze=False)
    for ax, m in zip(axes.flat, panels, strict=False):
        if m == "_events":
            t = a.event_differences
            items = [(f"{keys[p]} {ev}", t[(t.plan == p) & (t.event == ev)]) for ev in
                     ("agreement_reached", "any_scuffle", "cleared_within_target",
                      "rumour_above_threshold") for p in others]
            scale = 100.0
            title = ph("event_diff_title", lang)
            labels = []
            for label, _ in items:
                k, ev = label.split(" ", 1)
                labels.append(f"{k}: {textwrap.shorten(event_label(ev, lang, a.rumour_threshold), 22)}")
            cols_ = ("diff", "ci_low", "ci_high")
        else:
            t = a.differences
            items = [(keys[p], t[(t.plan == p) & (t.metric == m)]) for p in others]
            labels = [k for k, _ in items]
            scale = 100.0 if "_reach" in m else 1.0
            title = metric_label(m, lang, team_names)
            cols_ = ("mean_diff", "ci_low", "ci_high")
        ys = np.arange(len(items))[::-1]
        drawn = 0
        for y, (_, hit) in zip(ys, items, strict=True):
            if hit.empty or math.isnan(hit[cols_[0]].iloc[0]):
                continue
            drawn += 1
            mean, low, high = (float(hit[c].iloc[0]) * scale for c in cols_)
            clear = bool(hit["excludes_zero"].iloc[0])
            colour = EXCLUDES_ZERO if clear else MUTED
            if not math.isnan(low):
                ax.plot([low, high], [y, y], color=colour, lw=2)
            ax.plot(mean, y, "o", color=colour, ms=5)
        if not drawn:
            ax.text(0.5, 0.5, ph("no_pairs", lang), transform=ax.transAxes, ha="center",
                    va="center", fontsize=8, color=MUTED)
        ax.axvline(0, color=INK, lw=0.8, ls="--")
        ax.set_yticks(ys, labels, fontsize=8)
        ax.set_ylim(-0.7, len(items) - 0.3)
        ax.set_title(textwrap.fill(title, 30), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    _finish(fig, axes, len(panels), keys)
    return fig


def draw_probabilities(a: Analysis, lang: str):
    """Each event's probability per plan with its Wilson interval."""
    keys = plan_keys(a.plans)
    t = a.probabilities
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(EVENTS) * max(1, len(a.plans)) ** 0.5 + 1.2))
    n = len(a.plans)
    h = 0.8 / n
    for i, p in enumerate(a.plans):
        sub = t[t.plan == p].set_index("event").reindex(list(EVENTS))
        y = np.arange(len(EVENTS))[::-1] + (n - 1 - i - (n - 1) / 2) * h
        err = np.clip(np.vstack([(sub["p"] - sub["ci_low"]).to_numpy(),
                                 (sub["ci_high"] - sub["p"]).to_numpy()]), 0, None)
        ax.barh(y, sub["p"].to_numpy() * 100, height=h * 0.9, color=PALETTE[i % len(PALETTE)],
                alpha=0.8, label=keys[p])
        ax.errorbar(sub["p"].to_numpy() * 100, y, xerr=err * 100, fmt="none", ecolor=INK, lw=0.8,
                    capsize=2)
    ax.set_yticks(np.arange(len(EVENTS))[::-1],
                  [event_label(e, lang, a.rumour_threshold) for e in EVENTS], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    _key_note(fig, keys)
    return fig


def draw_heatmap(table: pd.DataFrame, keys: Sequence[str], metric: str, lang: str,
                 team_names: dict[str, str] | None = None, plan: Any = None):
    """The metric's mean over the grid: the last key across, the others down."""
    col_key = keys[-1]
    row_keys = list(keys[:-1])
    col_vals = list(dict.fromkeys(table[col_key].tolist()))
    if row_keys:
        row_ids = list(dict.fromkeys(tuple(r) for r in table[row_keys].itertuples(index=False)))
    else:
        row_ids = [()]
    z = np.full((len(row_ids), len(col_vals)), np.nan)
    text = [["" for _ in col_vals] for _ in row_ids]
    for r in table.itertuples(index=False):
        rec = dict(zip(table.columns, r, strict=True))
        i = row_ids.index(tuple(rec[k] for k in row_keys)) if row_keys else 0
        j = col_vals.index(rec[col_key])
        z[i, j] = rec["mean"]
        cell = fmt(metric, rec["mean"])
        if not isnan(rec["ci_low"]):
            cell += f"\n[{fmt(metric, rec['ci_low'])}, {fmt(metric, rec['ci_high'])}]"
        if metric not in EVENTS and rec["n"] != rec["n_reps"]:
            cell += f"\n{int(rec['n'])}/{int(rec['n_reps'])}"
        text[i][j] = cell
    fig, ax = plt.subplots(figsize=(max(4.5, 1.5 * len(col_vals) + 2),
                                    max(2.2, 0.8 * len(row_ids) + 1.4)))
    masked = np.ma.masked_invalid(z)
    im = ax.imshow(masked, cmap="viridis", aspect="auto")
    finite = z[~np.isnan(z)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0
    for i in range(len(row_ids)):
        for j in range(len(col_vals)):
            colour = "white" if not math.isnan(z[i, j]) and z[i, j] < mid else "black"
            ax.text(j, i, text[i][j] or "—", ha="center", va="center", fontsize=8, color=colour)
    # the fields and their values in words (a team's field names the team)
    ax.set_xticks(range(len(col_vals)), [field_value(col_key, v, lang) for v in col_vals],
                  fontsize=8)
    ax.set_xlabel(field_label(plan, col_key, lang), fontsize=8)
    ax.set_yticks(range(len(row_ids)),
                  [cell_words(plan, row_keys, rid, lang) for rid in row_ids], fontsize=8)
    label = metric_label(metric, lang, team_names)
    bar = fig.colorbar(im, ax=ax, label=textwrap.shorten(label, 40))
    if is_share(metric):   # a share, in % as in its cells
        bar.formatter = PercentFormatter(1.0, decimals=0)
        bar.update_ticks()
    ax.set_title(textwrap.fill(label, 60), fontsize=9)
    fig.tight_layout()
    return fig
