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

from reports.comparison_words import event_label, metric_label, plan_keys, scenario_title
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
    """The better plan on one key figure.

    Plans are ranked by their paired difference against the baseline (the same runs under
    each plan), never by their separate means, so the plan named better and the figure quoted
    always agree. ``tie``: no plan differs from the baseline in any run's pair; ``same_as``:
    other plans that do exactly as well as ``better_plan``."""

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
    identical: bool = False   # a tie with the same figure in every pair of runs
    same_as: tuple[str, ...] = ()
    worse: tuple[tuple[str, float, tuple[float, float]], ...] = ()
    """Other variants statistically clearly worse than the baseline: (plan, by how much, the
    interval of ``baseline - plan`` in the good direction), worst first."""


EXACT = 1e-12
"""A paired difference this small is none (the plans gave the same figure in every pair)."""


def _paired(a: Analysis, plan: str, metric: str, kind: str) -> tuple[float, float, float, bool] | None:
    """``plan`` minus the baseline on ``metric``: (difference, interval low, high, clear), or
    None when no pair has it."""
    d = a.difference(plan, metric)
    if not d or not d.get("n"):
        return None
    diff = float(d["diff"] if kind == "event" else d["mean_diff"])
    if math.isnan(diff):
        return None
    return diff, float(d["ci_low"]), float(d["ci_high"]), bool(d.get("excludes_zero"))


def _identical(a: Analysis, plan: str, metric: str, kind: str) -> bool:
    """Whether ``plan`` and the baseline gave the same ``metric`` in every pair of runs."""
    d = a.difference(plan, metric)
    if kind == "event":
        return int(d.get("discordant", 1)) == 0
    return float(d.get("ci_low", 1.0)) == float(d.get("ci_high", 1.0)) == 0.0


def _clearly_worse(pairs: dict[str, tuple[float, float, float, bool]], gain: dict[str, float],
                   higher: bool, *named: str) -> tuple[tuple[str, float, tuple[float, float]], ...]:
    """The variants (but ``named``) that lose to the baseline, statistically clearly: (plan,
    the loss, the interval of ``baseline - plan`` in the good direction), worst first."""
    found = []
    for p, (_, low, high, clear) in pairs.items():
        if p in named or not clear or gain[p] > -EXACT:
            continue
        found.append((p, -gain[p], (-high, -low) if higher else (low, high)))
    return tuple(sorted(found, key=lambda w: -w[1]))


def verdicts(a: Analysis) -> list[Verdict]:
    """For each key figure of the rules: the variant that gains most on the baseline, when one
    gains; else the baseline against the variant that loses least (the next best), with the
    plans that tie with the baseline named; else a tie."""
    out: list[Verdict] = []
    if len(a.plans) < 2:
        return out
    base = a.plans[0]
    for spec in rules()["headline"]:
        metric, kind, higher = spec["metric"], spec["kind"], spec["better"] == "higher"
        pairs = {p: d for p in a.plans[1:] if (d := _paired(a, p, metric, kind)) is not None}
        if not pairs:
            continue
        # gain of each variant over the baseline, in the good direction
        gain = {p: (d[0] if higher else -d[0]) for p, d in pairs.items()}
        same = tuple(p for p in pairs if abs(gain[p]) < EXACT)
        winners = [p for p in pairs if gain[p] >= EXACT]
        losers = [p for p in pairs if gain[p] <= -EXACT]
        matter = float(spec["matter"])
        if winners:
            best = max(winners, key=lambda p: gain[p])
            diff, low, high, clear = pairs[best]
            ties = tuple(p for p in winners if p != best and abs(gain[p] - gain[best]) < EXACT)
            ci = (low, high) if higher else (-high, -low)
            out.append(Verdict(metric, best, base, gain[best], ci, clear,
                               abs(diff) >= matter, matter, higher, same_as=ties,
                               worse=_clearly_worse(pairs, gain, higher)))
        elif losers:
            nearest = max(losers, key=lambda p: gain[p])
            diff, low, high, clear = pairs[nearest]
            # the baseline's advantage is -(variant - baseline), in the good direction
            ci = (-high, -low) if higher else (low, high)
            out.append(Verdict(metric, base, nearest, -gain[nearest], ci, clear,
                               abs(diff) >= matter, matter, higher, same_as=same,
                               worse=_clearly_worse(pairs, gain, higher, nearest)))
        else:
            diff, low, high, clear = pairs[same[0]]
            lows = [pairs[p][1] for p in same]
            highs = [pairs[p][2] for p in same]
            identical = all(_identical(a, p, metric, kind) for p in same)
            out.append(Verdict(metric, base, same[0], 0.0, (min(lows), max(highs)), False,
                               False, matter, higher, tie=True, same_as=same,
                               identical=identical))
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


def _number_unit(metric: str, value: float, lang: str) -> tuple[str, str]:
    """A difference of ``metric`` as a number and its unit: percentage points for shares,
    minutes, cases (health incidents, as the tables count them), people."""
    if metric.endswith("_reach") or metric in ("agreement_reached", "any_scuffle"):
        return f"{value * 100:.1f}", say(lang, "个百分点", " percentage points")
    if metric.endswith("_min"):
        return f"{value:.1f}", say(lang, "分钟", " min")
    if metric == "health_incidents":
        return f"{value:.2f}", say(lang, "人次", " cases")
    return f"{value:.2f}", say(lang, "人", " people")


def _amount(metric: str, value: float, lang: str) -> str:
    return "".join(_number_unit(metric, value, lang))


def _interval(metric: str, ci: tuple[float, float], lang: str) -> str:
    """A difference's 95% interval in the unit and digits of :func:`_amount` (percentage
    points for shares, never "%"), the unit once, after the second number."""
    low, _ = _number_unit(metric, ci[0], lang)
    high = _amount(metric, ci[1], lang)
    return say(lang, f"95%区间{low}至{high}", f"95% interval {low} to {high}")


def _matters(metric: str, by: float, ci: tuple[float, float], threshold: float,
             lang: str) -> str:
    """Whether a difference of ``by`` (interval ``ci``, both in the good direction) reaches
    the ``threshold`` that matters in practice: said of the whole interval when it lies on
    one side, else of the estimate, with the side the interval reaches."""
    amount = _amount(metric, threshold, lang)
    low, high = ci
    if low >= threshold:
        return say(lang, f"整个区间都达到“有实际意义”的阈值{amount}",
                   f"above the {amount} that matters in practice over the whole interval")
    if high < threshold:
        return say(lang, f"整个区间都未达到“有实际意义”的阈值{amount}",
                   f"below the {amount} that matters in practice over the whole interval")
    if by >= threshold:
        return say(lang, f"估计值达到“有实际意义”的阈值{amount}，但区间下端低于它",
                   f"the estimate is above the {amount} that matters in practice, but the "
                   "interval reaches below it")
    return say(lang, f"估计值未达到“有实际意义”的阈值{amount}，但区间上端高于它",
               f"the estimate is below the {amount} that matters in practice, but the "
               "interval reaches above it")


def _label(metric: str, lang: str, threshold: float) -> str:
    """A key figure's name: an event's, or a metric's without its unit, a time named as one
    (so that "commitment reached", a share, and its time are told apart)."""
    if metric in ("agreement_reached", "any_scuffle"):
        return event_label(metric, lang, threshold)
    text = metric_label(metric, lang, {})
    for unit in ("（分钟）", "（人）", "（人次）", "（次）", " (min)"):
        text = text.replace(unit, "")
    if metric.endswith("_min"):
        return say(lang, f"{text}用时", f"{text}: time")
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
        ci = _interval(v.metric, v.ci, lang)
        if v.tie:
            if v.identical and v.metric in a.indicators:
                # an event that happened in every run, or in none, under every plan
                always = bool(a.indicators[v.metric].fillna(0.0).to_numpy().all())
                parts.append(say(
                    lang, f"{label}（{direction}）：各预案每次推演都" + ("发生" if always else "未发生")
                    + ("（次数等的差别见下文各节）" if always else ""),
                    f"{label} ({direction}): " + ("it happened in every run under every plan"
                                                  if always else "it happened in no run under any plan")
                    + (" (how often and how much differ: see the sections below)" if always
                       else "")))
            elif v.identical:
                parts.append(say(lang, f"{label}（{direction}）：各预案每次推演结果都相同",
                                 f"{label} ({direction}): the same under every plan in every run"))
            else:
                parts.append(say(lang, f"{label}（{direction}）：各预案平均无差别（{ci}，"
                                       "不排除有差别）",
                                 f"{label} ({direction}): no difference between the plans on "
                                 f"average ({ci}: a difference is not ruled out)"))
            continue
        clear = say(lang, "统计上可区分" if v.clear else "统计上尚不能区分",
                    "statistically clear" if v.clear else "not statistically clear")
        matters = _matters(v.metric, v.by, v.ci, v.threshold, lang)
        better = name(v.better_plan)
        if v.same_as:
            better += say(lang, f"（{'、'.join(name(p) for p in v.same_as)}与之相同）",
                          f" (and {', '.join(name(p) for p in v.same_as)}, the same)")
        base = name(a.plans[0])
        worse = "".join(say(lang, f"，{name(p)}比{base}差{_amount(v.metric, by, lang)}"
                                  f"（{_interval(v.metric, w_ci, lang)}，统计上可区分，"
                                  f"{_matters(v.metric, by, w_ci, v.threshold, lang)}）",
                            f"; {name(p)} does worse than {base} by "
                            f"{_amount(v.metric, by, lang)} ({_interval(v.metric, w_ci, lang)}, "
                            f"statistically clear, "
                            f"{_matters(v.metric, by, w_ci, v.threshold, lang)})")
                        for p, by, w_ci in v.worse)
        if v.clear:
            parts.append(say(lang, f"{label}（{direction}）：{better}优于{name(v.other_plan)}，"
                                   f"好{_amount(v.metric, v.by, lang)}（{ci}），{clear}，{matters}{worse}",
                             f"{label} ({direction}): {better} does better than "
                             f"{name(v.other_plan)} by {_amount(v.metric, v.by, lang)} ({ci}), {clear}, "
                             f"{matters}{worse}"))
        else:   # a difference not shown: no plan is called better
            parts.append(say(lang, f"{label}（{direction}）：{better}的估计值比{name(v.other_plan)}"
                                   f"好{_amount(v.metric, v.by, lang)}（{ci}），但{clear}，{matters}{worse}",
                             f"{label} ({direction}): {better}'s estimate is "
                             f"{_amount(v.metric, v.by, lang)} better than {name(v.other_plan)}'s "
                             f"({ci}), but {clear}: neither plan is shown to do better; "
                             f"{matters}{worse}"))
    if not parts:
        return [say(lang, "只比较了一个预案，或没有可比较的数据，无法判断哪个预案更好。",
                    "Only one plan, or no comparable data: the report cannot say which plan does better.")]
    sets = f"{say(lang, '（所有预案均按', ' (every plan with ')}{', '.join(reps.sets)}{say(lang, '修改）', ')')}" \
        if reps.sets else ""
    out.append(say(lang, f"结论：在“{scenario_title(reps, lang)}”情景下，每个预案重复推演{reps.reps}次{sets}，"
                         "按各关键指标比较——" + "；".join(parts) + "。",
                   f"Headline: on the scenario \"{scenario_title(reps, lang)}\", {reps.reps} runs of each plan{sets}. "
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
            label = _label(column, lang, a.rumour_threshold).removesuffix("用时").removesuffix(
                ": time")
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
