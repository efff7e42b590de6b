"""The comparison report's headline: which plan does better on each key figure, by how much,
which direction is good, whether the difference is statistically clear and whether it is large
enough to matter (thresholds in ``reports/data/comparison.yaml``), and a warning when a figure
is censored by the scenario's end time.

Every number comes from :class:`sim.montecarlo.stats.Analysis`; nothing is simulated here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reports.comparison_words import event_label, fmt, metric_label, plan_keys
from sim.core.yamlio import load_file
from sim.montecarlo.stats import Analysis

if TYPE_CHECKING:
    from sim.montecarlo.replicate import Replications

RULES_FILE = Path(__file__).parent / "data" / "comparison.yaml"


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    return load_file(RULES_FILE).data


def say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@dataclass
class Verdict:
    """The better plan on one key figure."""

    metric: str
    better_plan: str
    other_plan: str
    by: float                 # how much better (always >= 0, in the figure's unit)
    ci: tuple[float, float]   # the interval of ``better - other`` in the figure's unit
    clear: bool               # the interval excludes zero
    matters: bool             # |difference| >= the threshold
    threshold: float
    higher_is_better: bool
    tie: bool = False


def _means(a: Analysis, metric: str, kind: str) -> dict[str, float]:
    out = {}
    for p in a.plans:
        if kind == "event":
            t = a.probabilities
            hit = t[(t["plan"] == p) & (t["event"] == metric)]
            value = float(hit["p"].iloc[0]) if len(hit) and int(hit["n"].iloc[0]) else math.nan
        else:
            s = a.summary
            hit = s[(s["plan"] == p) & (s["metric"] == metric)]
            value = float(hit["mean"].iloc[0]) if len(hit) and int(hit["n"].iloc[0]) else math.nan
        if not math.isnan(value):
            out[p] = value
    return out


def verdicts(a: Analysis) -> list[Verdict]:
    """For each key figure of the rules, the better plan against the baseline (or, when the
    baseline is the best, the baseline against the next best)."""
    out: list[Verdict] = []
    if len(a.plans) < 2:
        return out
    base = a.plans[0]
    for spec in rules()["headline"]:
        metric, kind, higher = spec["metric"], spec["kind"], spec["better"] == "higher"
        means = _means(a, metric, kind)
        if base not in means or len(means) < 2:
            continue
        ranked = sorted(means, key=lambda p: means[p], reverse=higher)
        best = ranked[0]
        other = base if best != base else ranked[1]
        variant = best if best != base else other
        d = a.difference(variant, metric)
        if not d or not d.get("n"):
            continue
        diff = float(d["diff"] if kind == "event" else d["mean_diff"])  # variant - baseline
        low, high = float(d["ci_low"]), float(d["ci_high"])
        if best == base:  # the baseline is better: its advantage is -(variant - baseline)
            diff, low, high = -diff, -high, -low
        gain = diff if higher else -diff
        ci = (low, high) if higher else (-high, -low)
        out.append(Verdict(metric, best, other, gain, ci, bool(d.get("excludes_zero")),
                           abs(diff) >= spec["matter"], float(spec["matter"]), higher,
                           tie=abs(diff) < 1e-12))
    return out


def censoring(reps: Replications, a: Analysis) -> list[tuple[str, str, float, float]]:
    """Figures censored by the scenario's end: (figure, plan, share of runs that reached the
    time limit without it, the limit in minutes), where the share is at least
    ``censored_share``."""
    df = a.replications
    if df.empty or "end_reason" not in df:
        return []
    limit = float(reps.variants[0].inputs.scenario.end.max_min)
    out = []
    for figure, column in rules()["censored"].items():
        if column not in df:
            continue
        for p in a.plans:
            rows = df[df["plan"] == p]
            if rows.empty:
                continue
            cut = ((rows["end_reason"] == "time_limit") & rows[column].isna()).mean()
            if cut >= rules()["censored_share"]:
                out.append((figure, p, float(cut), limit))
    return out


def _amount(metric: str, value: float, lang: str) -> str:
    if metric.endswith("_reach") or metric in ("agreement_reached", "any_scuffle"):
        return say(lang, f"{value * 100:.1f}个百分点", f"{value * 100:.1f} percentage points")
    if metric.endswith("_min"):
        return say(lang, f"{value:.1f}分钟", f"{value:.1f} min")
    return say(lang, f"{value:.2f}人", f"{value:.2f} people")


def _label(metric: str, lang: str, threshold: float) -> str:
    if metric in ("agreement_reached", "any_scuffle"):
        return event_label(metric, lang, threshold)
    text = metric_label(metric, lang, {})
    for unit in ("（分钟）", "（人）", "（人次）", "（次）", " (min)"):
        text = text.replace(unit, "")
    return text


def headline(reps: Replications, a: Analysis, lang: str) -> list[str]:
    """The headline paragraphs: the better plan per key figure, then any censoring warning."""
    keys = plan_keys(a.plans)
    out = []

    def name(p: str) -> str:
        return f"{keys[p]}（{p}）" if lang == "zh" else f"{keys[p]} ({p})"

    parts = []
    for v in verdicts(a):
        label = _label(v.metric, lang, a.rumour_threshold)
        direction = say(lang, "越高越好" if v.higher_is_better else "越低越好",
                        "higher is better" if v.higher_is_better else "lower is better")
        if v.tie:
            parts.append(say(lang, f"{label}（{direction}）：各预案相同",
                             f"{label} ({direction}): the same under every plan"))
            continue
        clear = say(lang, "统计上可区分" if v.clear else "统计上尚不能区分",
                    "statistically clear" if v.clear else "not statistically clear")
        matters = say(lang, f"{'达到' if v.matters else '未达到'}“有实际意义”的阈值{_amount(v.metric, v.threshold, lang)}",
                      f"{'above' if v.matters else 'below'} the {_amount(v.metric, v.threshold, lang)} "
                      "that matters in practice")
        ci = say(lang, f"95%区间{fmt(v.metric, v.ci[0])}至{fmt(v.metric, v.ci[1])}",
                 f"95% interval {fmt(v.metric, v.ci[0])} to {fmt(v.metric, v.ci[1])}")
        parts.append(say(lang, f"{label}（{direction}）：{name(v.better_plan)}优于{name(v.other_plan)}，"
                               f"好{_amount(v.metric, v.by, lang)}（{ci}），{clear}，{matters}",
                         f"{label} ({direction}): {name(v.better_plan)} does better than "
                         f"{name(v.other_plan)} by {_amount(v.metric, v.by, lang)} ({ci}), {clear}, "
                         f"{matters}"))
    if not parts:
        return [say(lang, "只比较了一个预案，或没有可比较的数据，无法判断哪个预案更好。",
                    "Only one plan, or no comparable data: the report cannot say which plan does better.")]
    sets = f"{say(lang, '（所有预案均按', ' (every plan with ')}{', '.join(reps.sets)}{say(lang, '修改）', ')')}" \
        if reps.sets else ""
    out.append(say(lang, f"结论：在“{reps.scenario}”情景下，每个预案重复推演{reps.reps}次{sets}，"
                         "按各关键指标比较——" + "；".join(parts) + "。",
                   f"Headline: on the scenario \"{reps.scenario}\", {reps.reps} runs of each plan{sets}. "
                   "Key figure by key figure — " + "; ".join(parts) + "."))
    cut = censoring(reps, a)
    if cut:
        by_column: dict[str, list[tuple[str, float]]] = {}
        limit = cut[0][3]
        for figure, p, share, _ in cut:
            column = rules()["censored"][figure]
            if all(q != p for q, _ in by_column.get(column, [])):
                by_column.setdefault(column, []).append((p, share))
        items = []
        for column, shares in by_column.items():
            label = _label(column, lang, a.rumour_threshold).replace("（分钟）", "").replace(" (min)", "")
            runs = say(lang, "、".join(f"{keys[p]} {share:.0%}" for p, share in shares),
                       ", ".join(f"{keys[p]} {share:.0%}" for p, share in shares))
            items.append(say(lang, f"{label}：到{limit:g}分钟时限仍未发生的推演占{runs}",
                             f"{label}: runs that reached the {limit:g}-minute limit without it: {runs}"))
        out.append(say(lang, "注意：部分结论受想定结束时间截断——" + "；".join(items)
                             + "。时间类指标的均值只计入时限内发生的推演，发生概率只反映时限内的情况；"
                               "时限更长时，差别可能缩小或改变。",
                       "Caution: some figures are cut off by the scenario's end time — "
                       + "; ".join(items) + ". A time's mean counts only the runs where it came "
                       "within the limit, and a probability says what happened within it; with "
                       "more time the difference may shrink or change."))
    return out
