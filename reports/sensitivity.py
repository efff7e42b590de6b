"""The sensitivity report (``sensitivity``): content, chart and the files of the folder.

Numbers come from :mod:`sim.montecarlo.sensitivity`; this module words, draws and writes them. The report
says what was varied (each factor with its range and where the range comes from), how the
factors rank for every key metric, and, in plain sentences, which conclusions depend most on
which assumption. Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from reports import chart_style, render_html, render_md  # noqa: E402
from reports.comparison_words import backend_word  # noqa: E402
from reports.document import Bullets, Document, Figure, Section, Subheading, Table  # noqa: E402
from reports.i18n import lookup  # noqa: E402
from sim.core.files import atomic_write, csv_text, output_folder  # noqa: E402
from sim.montecarlo.sensitivity import (  # noqa: E402
    BOOTSTRAP,
    CONSTANT,
    MORRIS_LEVELS,
    OUTPUTS,
    SCORE,
    Factor,
    MetricIndices,
)

if TYPE_CHECKING:
    from sim.montecarlo.sensitivity import Sensitivity

STEM = "sensitivity"
CHART = f"{STEM}.png"
"""The chart as PNG beside the report (for slides); the report shows ``sensitivity.svg``."""

SHARES = ("agreement_reached", "any_scuffle", "rumor_peak_reach")
"""Outputs that are shares (0 to 1): effects on them are shown in percentage points."""

KIND_COLOURS = {"constant": "#ef6c00", "lever": "#1565c0"}
"""Bars of uncertain constants and of plan levers."""

RELEVANT = 0.2
"""A factor whose score is at least this share of the top score of a metric matters for it."""

NEGLIGIBLE = 0.05
"""A constant below this share of the top score for every metric barely matters."""

MORRIS_ENOUGH = 10
"""Fewest Morris trajectories from which a constant is called negligible: with fewer, each
effect rests on a handful of steps (10 is the low end of the usual 10-50; Campolongo et al.
2007)."""

MAX_BARS = 15
"""Factors drawn per metric (the rest are in the tables)."""

OUTPUT_LABELS: dict[str, dict[str, str]] = {
    "agreement_min_censored": {"zh": "达成承诺时间（分钟；未达成按推演结束计）",
                               "en": "Time to a commitment (min; none counts as the drill's end)"},
    "agreement_reached": {"zh": "达成承诺的概率", "en": "Probability of a commitment"},
    "any_scuffle": {"zh": "发生推搡冲突的比例", "en": "Share of drills with a scuffle"},
    "injuries": {"zh": "冲突受伤人数（均值）", "en": "Injuries in scuffles (mean)"},
    "health_incidents": {"zh": "伤病事件人次（均值）", "en": "Health incidents (mean)"},
    "rumor_peak_reach": {"zh": "谣言覆盖率峰值（均值）", "en": "Peak rumour reach (mean)"},
}

OUTPUT_SHORT: dict[str, dict[str, str]] = {
    "agreement_min_censored": {"zh": "达成承诺时间", "en": "time to a commitment"},
    "agreement_reached": {"zh": "达成承诺的概率", "en": "probability of a commitment"},
    "any_scuffle": {"zh": "推搡冲突比例", "en": "scuffle share"},
    "injuries": {"zh": "受伤人数", "en": "number of injuries"},
    "health_incidents": {"zh": "伤病事件数", "en": "number of health incidents"},
    "rumor_peak_reach": {"zh": "谣言覆盖率峰值", "en": "peak rumour reach"},
}

OUTPUT_UNITS: dict[str, dict[str, str]] = {
    "agreement_min_censored": {"zh": "分钟", "en": "min"},
    "agreement_reached": {"zh": "个百分点", "en": "percentage points"},
    "any_scuffle": {"zh": "个百分点", "en": "percentage points"},
    "injuries": {"zh": "人", "en": "people"},
    "health_incidents": {"zh": "人次", "en": "cases"},
    "rumor_peak_reach": {"zh": "个百分点", "en": "percentage points"},
}

P: dict[str, dict[str, str]] = {
    "title": {"zh": "敏感性分析：结论依赖哪些假设", "en": "Sensitivity analysis: which conclusions depend on assumptions"},
    "subtitle": {"zh": "情景 {scenario}；预案 {plan}；{method}方法，{points} 个设计点 × {reps} 次重复；基础种子 {seed}",
                 "en": "Scenario {scenario}; plan {plan}; {method} method, {points} design points × {reps} replications; base seed {seed}"},
    "morris": {"zh": "Morris ", "en": "Morris"},
    "sobol": {"zh": "Sobol' ", "en": "Sobol'"},
    "findings": {"zh": "一、主要结论", "en": "1. Findings"},
    "factors": {"zh": "二、变动的因素及其范围", "en": "2. What was varied"},
    "ranking": {"zh": "三、各指标的因素排序", "en": "3. Ranking for each metric"},
    "setup": {"zh": "四、分析设置", "en": "4. Setup"},
    "how_to_read": {"zh": "五、如何阅读本报告", "en": "5. How to read this report"},
    "failures": {"zh": "失败的重复推演", "en": "Failed replications"},
    # findings
    "top_constant": {
        "zh": "{metric}最依赖 {factor}（不确定常数，取值 {range}）：以{metric}比较预案，结论的可靠程度取决于 {factor} 的取值。",
        "en": "The {metric} depends most on {factor} (an uncertain constant, {range}): a plan comparison on the {metric} is only as good as the value of {factor}."},
    "top_lever": {
        "zh": "{metric}最依赖预案参数 {factor}（取值 {range}）：预案自身的这一设置，影响排在所有不确定常数之前。",
        "en": "The {metric} depends most on the plan's {factor} ({range}): this setting of the plan ranks above every uncertain constant."},
    "top_lever_close": {
        "zh": "{metric}最依赖预案参数 {factor}（取值 {range}），但不确定常数 {constant} 与之难分先后（置信区间重叠）：预案这一设置的作用不一定大于该常数。",
        "en": "The {metric} depends most on the plan's {factor} ({range}), but the uncertain constant {constant} cannot be told apart from it (their intervals overlap): the plan's setting does not clearly matter more than that constant."},
    "next_constant": {
        "zh": "不确定常数中影响最大的是 {factor}（约为首位因素的 {ratio:.0%}）；以{metric}比较预案时，结论也取决于它的取值。",
        "en": "Among the uncertain constants, {factor} matters most (about {ratio:.0%} of the top factor): a plan comparison on the {metric} also depends on its value."},
    "constants_small": {
        "zh": "不确定常数的影响都不到首位因素的 {share:.0%}：这一指标上的结论对它们的取值不敏感。",
        "en": "No uncertain constant reaches {share:.0%} of the top factor: conclusions on this metric hardly depend on their values."},
    "no_constants": {"zh": "本次分析未变动不确定常数。", "en": "No uncertain constant was varied."},
    "close_second": {
        "zh": "排在第二位的因素 {factor} 与首位因素难分先后（置信区间重叠）。",
        "en": "The second factor, {factor}, cannot be told apart from the first (their intervals overlap)."},
    "unsure": {
        "zh": "排序把握不大：首位因素的置信区间与其数值相当；可增加 --samples 或 --reps。",
        "en": "The ranking is unsure: the top factor's interval is as wide as its value; raise --samples or --reps."},
    "interacts_morris": {
        "zh": "首位因素的效应随其他因素的取值而变（σ 不小于 μ*：非线性或交互作用）。",
        "en": "The top factor's effect changes with the other factors (sigma at least mu*: non-linear or interacting)."},
    "interacts_sobol": {
        "zh": "首位因素的总效应明显大于一阶效应（ST − S1 = {gap:.2f}）：它主要通过与其他因素的交互起作用。",
        "en": "The top factor's total effect clearly exceeds its first-order effect (ST − S1 = {gap:.2f}): much of it acts through interactions."},
    "no_effect": {
        "zh": "没有哪个因素在设计点之间改变{metric}（所有效应均为 0）。",
        "en": "No factor changed the {metric} between design points (every effect is 0)."},
    "constant_metric": {
        "zh": "{metric}在所有设计点上都没有变化（均为 {value}），无法也无需排序。",
        "en": "The {metric} did not vary at any design point (always {value}): there is nothing to rank."},
    "undefined_metric": {
        "zh": "{metric}只在极少数设计点上变化，Sobol' 指数无法估计；可增大 --samples 或改用 Morris 方法。",
        "en": "The {metric} varied at too few design points for Sobol' indices to be estimated; raise --samples or use the Morris method."},
    "missing_metric": {
        "zh": "{metric}缺少足够的有效设计点（重复推演失败），未作分析。",
        "en": "The {metric} lacks enough design points with a value (failed replications): not analysed."},
    "matter_intro": {
        "zh": "以下不确定常数至少在一个指标上达到首位因素的 {share:.0%}，且其效应超出自身的置信区间，应优先核实或校准：",
        "en": "These uncertain constants reach {share:.0%} of the top factor on at least one metric, with an effect larger than its own interval; check or calibrate them first:"},
    "matter_item": {"zh": "{factor}（{metrics}）", "en": "{factor} ({metrics})"},
    "negligible": {
        "zh": "以下不确定常数在本次推演所有可排序的指标上都不到首位因素的 {share:.0%}，这些指标上的结论对其取值不敏感：{factors}。",
        "en": "These uncertain constants stay below {share:.0%} of the top factor on every metric of this drill that could be ranked, so conclusions on those metrics do not hinge on them: {factors}."},
    "negligible_few": {
        "zh": "以下不确定常数在本次推演所有可排序的指标上都不到首位因素的 {share:.0%}：{factors}。但本次只有 {n} 条轨迹（每个常数只测了 {n} 次效应），证据很弱，尚不能据此排除它们；请先增大 --samples（至少 {enough}）。",
        "en": "These uncertain constants stay below {share:.0%} of the top factor on every metric of this drill that could be ranked: {factors}. With only {n} trajectories (each constant's effect measured {n} times) that is weak evidence, not enough to set them aside: raise --samples (to {enough} at least) first."},
    "negligible_untested": {
        "zh": "{metrics}在本次推演中没有变化，无法显示任何常数对它们的作用；在该指标会发生变化的情景中，上述常数可能仍然重要。",
        "en": "{metrics} did not vary in this drill, so no constant could show an effect on them; in a scenario where they do vary, the constants above may still matter."},
    # factors table
    "factor": {"zh": "因素", "en": "Factor"},
    "kind": {"zh": "类型", "en": "Kind"},
    "constant": {"zh": "不确定常数", "en": "uncertain constant"},
    "lever": {"zh": "预案参数", "en": "plan lever"},
    "base": {"zh": "现值", "en": "Value"},
    "range": {"zh": "取值范围", "en": "Range"},
    "source": {"zh": "范围来源", "en": "Source of the range"},
    "whole": {"zh": "（取整）", "en": " (whole numbers)"},
    "src_uncertain": {"zh": "参数文件 uncertain 一节", "en": "the parameter file's uncertain section"},
    "src_factor": {"zh": "命令行 --factor", "en": "--factor on the command line"},
    "src_plan": {"zh": "预案现值的 {rule}", "en": "{rule} of the plan's value"},
    "src_fam": {"zh": "熟悉程度的常用范围", "en": "the usual range of familiarity"},
    "factors_line": {
        "zh": "共 {k} 个因素：{c} 个不确定常数（模型参数，取值范围取自参数文件的 uncertain 一节，依据见该文件中的注释）和 {l} 个预案参数（预案中可改的数值字段，在预案现值附近取值）。各因素在其范围内均匀取值，整数字段取整。",
        "en": "{k} factors: {c} uncertain constants (model parameters, ranges from the uncertain section of the parameter file, whose comments give the sources) and {l} plan levers (numeric plan fields a planner can change, sampled around the plan's value). Each factor is uniform over its range; whole-number fields are rounded."},
    # ranking
    "rank": {"zh": "排名", "en": "Rank"},
    "direction": {"zh": "方向", "en": "Direction"},
    "up": {"zh": "↑ 增大", "en": "↑ raises"},
    "down": {"zh": "↓ 减小", "en": "↓ lowers"},
    "mixed": {"zh": "↕ 不定", "en": "↕ mixed"},
    "relative": {"zh": "相对首位", "en": "Of the top"},
    "unit_line": {"zh": "效应单位：{unit}。", "en": "Effects in {unit}."},
    "chart_caption_morris": {
        "zh": "各指标的因素排序：μ*（条形，误差线为 95% 置信区间）与 σ（菱形）；橙色为不确定常数，蓝色为预案参数",
        "en": "Factors ranked for each metric: mu* (bars, 95% intervals) and sigma (diamonds); orange: uncertain constants, blue: plan levers"},
    "chart_caption_sobol": {
        "zh": "各指标的因素排序：总效应 ST（浅色条形，误差线为 95% 置信区间）与一阶效应 S1（深色条形）；橙色为不确定常数，蓝色为预案参数",
        "en": "Factors ranked for each metric: total index ST (light bars, 95% intervals) and first-order S1 (dark bars); orange: uncertain constants, blue: plan levers"},
    "chart_constant": {"zh": "无变化", "en": "did not vary"},
    "chart_missing": {"zh": "数据不足", "en": "not enough data"},
    "chart_undefined": {"zh": "无法估计", "en": "could not be estimated"},
    "chart_none": {"zh": "没有可排序的指标", "en": "no metric to rank"},
    "chart_left_out": {"zh": "未绘出（{why}）：{metrics}", "en": "Not drawn ({why}): {metrics}"},
    # setup
    "setup_morris": {
        "zh": "Morris 基本效应法（筛选法）：{r} 条轨迹，每条 {k1} 个点（因素数 + 1），{levels} 水平网格，每步移动一个因素其范围的 2/3；共 {points} 个设计点。",
        "en": "Morris elementary effects (screening): {r} trajectories of {k1} points (factors + 1) on a {levels}-level grid, each step moving one factor by 2/3 of its range; {points} design points."},
    "setup_sobol": {
        "zh": "Sobol' 方差分解（Saltelli 抽样）：基础样本 N = {n}，每个样本 {k2} 个点（因素数 + 2，不计二阶指数）；共 {points} 个设计点。",
        "en": "Sobol' variance decomposition (Saltelli sampling): base sample N = {n}, {k2} points each (factors + 2, no second-order indices); {points} design points."},
    "setup_runs": {
        "zh": "每个设计点重复推演 {reps} 次，指标取平均；共 {sims} 次推演，失败 {failed} 次；运行方式：{backend}，{workers} 个工作进程，推演用时 {elapsed:.1f} 秒。",
        "en": "Each design point runs {reps} replications, averaged per point; {sims} drills in all, {failed} failed; backend {backend} with {workers} workers, {elapsed:.1f} s of drills."},
    "setup_seeds": {
        "zh": "共同随机数：第 k 次重复（k 从 0 开始）在每个设计点都使用种子 基础种子 × 1000003 + k（本次为 {first} 至 {last}），因此设计点之间的差异来自因素取值，而非随机波动。SALib 的抽样和自助法也使用基础种子：同一种子得到完全相同的设计、推演与排序。",
        "en": "Common random numbers: replication k (from 0) runs with seed base seed × 1000003 + k at every design point (here {first} to {last}), so differences between points come from the factors, not from noise. SALib's sampler and bootstrap use the base seed too: the same seed gives the same design, drills and ranking."},
    "setup_sets": {"zh": "预案另行修改（--set）：{sets}。", "en": "Plan fields set (--set): {sets}."},
    # how to read
    "read_morris": {
        "zh": "μ*（mu_star）是基本效应绝对值的均值：因素从其范围一端变到另一端时，指标平均变化多少（由范围 2/3 的步长按线性折算，因此概率类指标可超过 100 个百分点；单位同指标）。μ* 越大，该因素越重要；排名按 μ* 从大到小。μ* 置信区间为自助法（{boot} 次重抽样）95% 区间的半宽。σ 是基本效应的标准差：σ 大（与 μ* 相当或更大）说明该因素的效应随其他因素取值而变，即存在非线性或交互作用。μ（不取绝对值）的正负给出“方向”列。",
        "en": "mu* (mu_star) is the mean absolute elementary effect: how much the metric changes, on average, when the factor goes from one end of its range to the other (scaled linearly from steps of 2/3 of the range, so for a share it may exceed 100 percentage points; same unit as the metric). The larger mu*, the more the factor matters; ranks follow mu*. Its interval is the half-width of a bootstrap 95% interval ({boot} resamples). sigma is the spread of the elementary effects: a sigma as large as mu* or larger means the factor's effect depends on the other factors (non-linear or interacting). The sign of mu (without the absolute value) gives the Direction column."},
    "read_sobol": {
        "zh": "S1 是一阶指数：该因素单独解释的指标方差份额；ST 是总指数：包括它与其他因素交互在内的全部份额。排名按 ST 从大到小；ST 明显大于 S1 说明存在交互作用。置信区间为自助法（{boot} 次重抽样）95% 区间的半宽；样本较小时指数可能略小于 0 或区间较宽，可增大 --samples。",
        "en": "S1, the first-order index, is the share of the metric's variance the factor explains alone; ST, the total index, adds its interactions with the others. Ranks follow ST; ST clearly above S1 means interactions. Intervals are half-widths of bootstrap 95% intervals ({boot} resamples); with a small sample an index may dip slightly below 0 or have a wide interval: raise --samples."},
    "read_relative": {
        "zh": "“相对首位”是因素的得分除以该指标首位因素的得分。主要结论中，达到首位 {rel:.0%} 且得分大于其置信区间半宽的常数视为对该指标有明显影响，所有指标上都低于 {neg:.0%} 的常数视为可以忽略。",
        "en": "'Of the top' is a factor's score over the top factor's score for that metric. In the findings, a constant at {rel:.0%} of the top or more, with a score above its interval's half-width, matters for the metric; a constant below {neg:.0%} on every metric barely matters."},
    "read_censoring": {
        "zh": "未达成承诺的处理：推演结束仍未达成承诺的重复，其达成承诺时间按情景的最长推演时间（{end} 分钟）计，使“从未达成”不会比“达成”更快；另单独分析达成承诺的概率。推搡冲突比例是发生至少一次推搡冲突的重复所占比例。",
        "en": "Runs without a commitment: a replication with no commitment by the end counts as the scenario's longest drill time ({end} min), so that never agreeing never looks faster than agreeing; the probability of a commitment is analysed on its own. The scuffle share is the share of replications with at least one scuffle."},
    "read_scope": {
        "zh": "敏感性只在所给范围内成立：范围更宽，影响通常更大。结论只针对本情景和本预案；换一个情景，排序可能不同。",
        "en": "Sensitivities hold within the ranges given: a wider range usually means a larger effect. They are for this scenario and this plan; another scenario may rank the factors differently."},
    "read_failures": {
        "zh": "失败的重复推演不会被悄悄丢弃：它们连同种子和错误堆栈写入 failures.csv；设计点的均值只用成功的重复；Morris 分析略去含无值设计点的整条轨迹。",
        "en": "Failed replications are never dropped silently: they go with their seed and traceback to failures.csv; a point's means use the replications that ran; the Morris analysis leaves out any trajectory with a point without a value."},
    "failures_line": {"zh": "共 {k} 次推演失败。首个错误（设计点 {point}，重复 {rep}，种子 {seed}）：{error}",
                      "en": "{k} drills failed. First error (point {point}, replication {rep}, seed {seed}): {error}"},
    "footer": {"zh": "由 drill sensitivity 生成；数据见 factors.csv、samples.csv、replications.csv、outputs.csv、indices.csv；设置见 run.json。",
               "en": "Made by drill sensitivity; data in factors.csv, samples.csv, replications.csv, outputs.csv, indices.csv; settings in run.json."},
    # console
    "console_top": {"zh": "各指标影响最大的因素", "en": "Most influential factors per metric"},
    "metric": {"zh": "指标", "en": "Metric"},
    "first": {"zh": "第一", "en": "First"},
    "second": {"zh": "第二", "en": "Second"},
    "third": {"zh": "第三", "en": "Third"},
}


def ph(key: str, lang: str, **fmt) -> str:
    return lookup(P, key, lang, **fmt)


def output_label(metric: str, lang: str) -> str:
    return OUTPUT_LABELS.get(metric, {}).get(lang, metric)


def output_short(metric: str, lang: str) -> str:
    return OUTPUT_SHORT.get(metric, {}).get(lang, metric)


# --------------------------------------------------------------------------- numbers


def _nan(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def num(v, digits: int = 3) -> str:
    """A value with ``digits`` significant digits, trailing zeros dropped (whole numbers from
    1000 up with thousands separators)."""
    if _nan(v):
        return "—"
    v = float(v)
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) < 1e-9:   # rounding noise of a sum that is zero (6.97e-15)
        return "0"
    return f"{v:.{digits}g}"


def effect(metric: str, v) -> str:
    """An effect on ``metric``: shares in percentage points, the rest as they are."""
    if _nan(v):
        return "—"
    return num(float(v) * 100) if metric in SHARES else num(v)


def bound(f: Factor, v) -> str:
    return str(int(v)) if f.integer else num(v)


def factor_range(f: Factor, lang: str = "en") -> str:
    """A factor's range: "low–high", or with words where a bound is negative (-2.5–-0.5
    reads as a double minus)."""
    low, high = bound(f, f.low), bound(f, f.high)
    if f.low < 0 or f.high < 0:
        return f"{low}至{high}" if lang == "zh" else f"{low} to {high}"
    return f"{low}–{high}"


def _source(f: Factor, lang: str) -> str:
    if f.source == "parameters.uncertain":
        return ph("src_uncertain", lang)
    if f.source == "factor option":
        return ph("src_factor", lang)
    if f.source.startswith("plan: ") and "x" in f.source:
        rule = f.source[len("plan: "):].split(" of ", 1)[0]
        return ph("src_plan", lang, rule=rule)
    if f.source.startswith("plan: "):
        return ph("src_fam", lang)
    return f.source


def _by_name(s: Sensitivity) -> dict[str, Factor]:
    return {f.name: f for f in s.factors}


# --------------------------------------------------------------------------- findings


def metric_findings(s: Sensitivity, r: MetricIndices, lang: str) -> list[str]:
    """Plain sentences about one metric: what it depends on most, and how sure that is."""
    metric = output_short(r.metric, lang)
    if r.note == "constant":
        values = s.points[r.metric].dropna()
        value = effect(r.metric, values.iloc[0]) if len(values) else "—"
        if r.metric in SHARES and value != "—":
            value += "%"
        return [ph("constant_metric", lang, metric=metric, value=value)]
    if r.note in ("missing", "undefined"):
        return [ph(f"{r.note}_metric", lang, metric=metric)]
    factors = _by_name(s)
    score = SCORE[s.method]
    t = r.table.sort_values("rank")
    top = t.iloc[0]
    f = factors[top["factor"]]
    if _nan(top[score]) or top[score] <= 0:
        return [ph("no_effect", lang, metric=metric)]
    out = []
    named_rival = None   # a constant already named as close to the top lever
    if f.kind == CONSTANT:
        out.append(ph("top_constant", lang, metric=metric, factor=f.describe(lang),
                      range=factor_range(f, lang)))
    else:
        conf = f"{score}_conf"
        consts = t[t["factor"].map(lambda n: factors[n].kind == CONSTANT)]
        rival = consts.iloc[0] if not consts.empty else None
        if rival is not None and rival[score] > 0 and \
                rival[score] + rival[conf] >= top[score] - top[conf]:
            named_rival = rival["factor"]
            out.append(ph("top_lever_close", lang, metric=metric, factor=f.describe(lang),
                          range=factor_range(f, lang),
                          constant=factors[named_rival].describe(lang)))
        else:
            out.append(ph("top_lever", lang, metric=metric, factor=f.describe(lang),
                          range=factor_range(f, lang)))
        if consts.empty:
            out.append(ph("no_constants", lang))
        elif consts.iloc[0]["relative"] >= RELEVANT:
            out.append(ph("next_constant", lang, factor=factors[consts.iloc[0]["factor"]].describe(lang),
                          ratio=float(consts.iloc[0]["relative"]), metric=metric))
        else:
            out.append(ph("constants_small", lang, share=RELEVANT))
    conf = f"{score}_conf"
    if len(t) > 1:
        second = t.iloc[1]
        if second[score] + second[conf] >= top[score] - top[conf] and second[score] > 0 \
                and second["factor"] != named_rival:
            out.append(ph("close_second", lang, factor=factors[second["factor"]].describe(lang)))
    if top[conf] >= top[score]:
        out.append(ph("unsure", lang))
    if s.method == "morris":
        if top["sigma"] >= top["mu_star"] > 0:
            out.append(ph("interacts_morris", lang))
    elif top["ST"] - top["S1"] > 0.1:
        out.append(ph("interacts_sobol", lang, gap=float(top["ST"] - top["S1"])))
    return [t.replace("） ", "）") for t in out] if lang == "zh" else out


def overall_findings(s: Sensitivity, lang: str) -> list:
    """Which constants matter for some metric, and which for none."""
    consts = [f for f in s.factors if f.kind == CONSTANT]
    analysed = [r for r in s.results if r.note == ""]
    if not consts or not analysed:
        return []
    score = SCORE[s.method]
    matter: dict[str, list[str]] = {}
    highest: dict[str, float] = {f.name: 0.0 for f in consts}
    for r in analysed:
        for row in r.table.to_dict("records"):
            if row["factor"] not in highest or _nan(row["relative"]):
                continue
            highest[row["factor"]] = max(highest[row["factor"]], float(row["relative"]))
            # counted only when its effect stands out of its own interval
            if row["relative"] >= RELEVANT and row[score] > row[f"{score}_conf"]:
                matter.setdefault(row["factor"], []).append(output_short(r.metric, lang))
    blocks: list = []
    if matter:
        sep = "、" if lang == "zh" else ", "
        blocks.append(ph("matter_intro", lang, share=RELEVANT))
        blocks.append(Bullets([ph("matter_item", lang, factor=_by_name(s)[name].describe(lang),
                                  metrics=sep.join(ms)) for name, ms in matter.items()]))
    named = _by_name(s)
    small = [named[name].describe(lang) for name, v in highest.items() if v < NEGLIGIBLE]
    if small:
        sep = "、" if lang == "zh" else ", "
        if s.method == "morris" and s.samples < MORRIS_ENOUGH:
            blocks.append(ph("negligible_few", lang, share=NEGLIGIBLE, factors=sep.join(small),
                             n=s.samples, enough=MORRIS_ENOUGH))
        else:
            blocks.append(ph("negligible", lang, share=NEGLIGIBLE, factors=sep.join(small)))
        flat = [output_short(r.metric, lang) for r in s.results if r.note == "constant"]
        if flat:
            text = ph("negligible_untested", lang, metrics=sep.join(flat))
            blocks.append(text[:1].upper() + text[1:])
    return blocks


# --------------------------------------------------------------------------- tables


def ranking_table(s: Sensitivity, r: MetricIndices, lang: str) -> Table:
    factors = _by_name(s)
    t = r.table.sort_values("rank") if r.note == "" else r.table
    m = r.metric
    if s.method == "morris":
        cols = [ph("rank", lang), ph("factor", lang), ph("kind", lang), ph("range", lang),
                "μ*", "μ* ± (95%)", "σ", ph("direction", lang), ph("relative", lang)]
    else:
        cols = [ph("rank", lang), ph("factor", lang), ph("kind", lang), ph("range", lang),
                "ST", "ST ± (95%)", "S1", "S1 ± (95%)", ph("relative", lang)]
    rows = []
    for row in t.itertuples(index=False):
        f = factors[row.factor]
        rank = "—" if _nan(row.rank) else str(int(row.rank))
        rel = "—" if _nan(row.relative) else f"{float(row.relative):.0%}"
        head = [rank, f.describe(lang), ph(f.kind, lang), factor_range(f, lang)]
        if s.method == "morris":
            if _nan(row.mu) or row.mu_star == 0:
                direction = "—"
            elif abs(row.mu) < 0.999 * row.mu_star:
                direction = ph("mixed", lang)
            else:
                direction = ph("up" if row.mu > 0 else "down", lang)
            rows.append([*head, effect(m, row.mu_star), effect(m, row.mu_star_conf),
                         effect(m, row.sigma), direction, rel])
        else:
            rows.append([*head, num(row.ST, 2), num(row.ST_conf, 2), num(row.S1, 2),
                         num(row.S1_conf, 2), rel])
    return Table(cols, rows)


def factors_table(s: Sensitivity, lang: str) -> Table:
    rows = []
    for f in s.factors:
        base = "—" if f.base is None else (str(f.base) if isinstance(f.base, int) else num(f.base))
        rows.append([f.describe(lang), ph(f.kind, lang), base,
                     factor_range(f, lang) + (ph("whole", lang) if f.integer else ""),
                     _source(f, lang)])
    return Table([ph("factor", lang), ph("kind", lang), ph("base", lang), ph("range", lang),
                  ph("source", lang)], rows)


# --------------------------------------------------------------------------- chart


def draw_indices(s: Sensitivity, lang: str):
    """For each metric, the factors ranked: Morris mu* with its interval and sigma, or Sobol'
    ST with its interval and S1; colours tell constants from levers."""
    factors = _by_name(s)
    metrics = [r for r in s.results if not r.note]
    left_out = [r for r in s.results if r.note]
    ncols = 2 if len(metrics) > 1 else 1
    nrows = max(1, math.ceil(len(metrics) / ncols))
    bars = min(MAX_BARS, len(s.factors))
    height = max(2.0, 0.24 * bars + 1.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11 if ncols == 2 else 6.5, height * nrows),
                             squeeze=False)
    score = SCORE[s.method]
    if not metrics:
        axes[0, 0].text(0.5, 0.5, ph("chart_none", lang), ha="center", va="center",
                        transform=axes[0, 0].transAxes, fontsize=9, color="#757575")
        axes[0, 0].axis("off")
    for ax, r in zip(axes.flat, metrics, strict=False):
        ax.set_title(output_short(r.metric, lang), fontsize=9)
        t = r.table.sort_values("rank").head(bars)
        y = list(range(len(t)))
        colours = [KIND_COLOURS[factors[n].kind] for n in t["factor"]]
        scale = 100.0 if (s.method == "morris" and r.metric in SHARES) else 1.0
        ax.barh(y, t[score] * scale, xerr=t[f"{score}_conf"] * scale, color=colours,
                alpha=0.45 if s.method == "sobol" else 0.9, height=0.7,
                error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#222222"})
        if s.method == "morris":
            ax.plot(t["sigma"] * scale, y, "D", color="#222222", ms=3.5, ls="")
            unit = OUTPUT_UNITS.get(r.metric, {}).get(lang, "")
            ax.set_xlabel(f"μ*, σ ({unit})" if unit else "μ*, σ", fontsize=7)
        else:
            ax.barh(y, t["S1"].clip(lower=0), color=colours, height=0.35)
            ax.set_xlabel("ST, S1", fontsize=7)
        # each factor by its readable name (a plan lever's names its team), else its key
        ax.set_yticks(y, [factors[n].label.get(lang) or n for n in t["factor"]], fontsize=6.5)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlim(left=0)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis("off")
    handles: list[Artist] = [Patch(color=KIND_COLOURS["constant"], label=ph("constant", lang)),
               Patch(color=KIND_COLOURS["lever"], label=ph("lever", lang))]
    if s.method == "morris":
        handles.append(Line2D([], [], marker="D", color="#222222", ls="", ms=4, label="σ"))
    sep = "、" if lang == "zh" else ", "
    notes = [ph("chart_left_out", lang, why=ph("chart_" + note, lang),
                metrics=sep.join(output_short(r.metric, lang) for r in left_out
                                 if r.note == note))
             for note in dict.fromkeys(r.note for r in left_out)]
    # from the foot up, in inches turned into fractions of the figure's height: the notes,
    # then the legend above them, then the axes (nothing overlaps)
    inch = 1.0 / (height * nrows)
    line, legend_h = 0.17 * inch, 0.32 * inch
    for i, text in enumerate(notes):
        fig.text(0.5, 0.04 * inch + i * line, text, ha="center", va="bottom", fontsize=7.5,
                 color="#757575")
    legend_at = 0.06 * inch + len(notes) * line
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
               bbox_to_anchor=(0.5, legend_at), frameon=False)
    fig.tight_layout(rect=(0, legend_at + legend_h, 1, 1))
    return fig


def make_chart(s: Sensitivity, lang: str) -> Figure:
    """The chart as SVG with live text (Markdown and the web page) and as PNG (the
    ``sensitivity.png`` beside them, for slides); without a CJK font the PNG is labelled in
    English, the SVG keeps Chinese for the reader's fonts to draw."""
    return chart_style.figure(lambda lg: draw_indices(s, lg), lang,
                              ph(f"chart_caption_{s.method}", lang), STEM)


# --------------------------------------------------------------------------- document


def build(s: Sensitivity, lang: str = "zh", chart: Figure | None = None) -> Document:
    """The report's content."""
    reps = s.replications
    doc = Document(ph("title", lang),
                   ph("subtitle", lang, scenario=s.scenario, plan=s.plan,
                      method=ph(s.method, lang), points=s.n_points, reps=s.reps_per_point,
                      seed=s.seed), lang)

    find = Section(ph("findings", lang))
    for r in s.results:
        find.blocks.append(Subheading(output_label(r.metric, lang)))
        find.blocks.append(" ".join(metric_findings(s, r, lang)) if lang == "en"
                           else "".join(metric_findings(s, r, lang)))
    overall = overall_findings(s, lang)
    if overall:
        find.blocks += overall
    doc.sections.append(find)

    n_const = sum(f.kind == CONSTANT for f in s.factors)
    fac = Section(ph("factors", lang))
    fac.blocks.append(ph("factors_line", lang, k=len(s.factors), c=n_const,
                         l=len(s.factors) - n_const))
    fac.blocks.append(factors_table(s, lang))
    doc.sections.append(fac)

    rank = Section(ph("ranking", lang))
    rank.blocks.append(chart or make_chart(s, lang))
    for r in s.results:
        rank.blocks.append(Subheading(output_label(r.metric, lang)))
        if r.note:
            rank.blocks.append(metric_findings(s, r, lang)[0])
            continue
        if s.method == "morris":
            rank.blocks.append(ph("unit_line", lang,
                                  unit=OUTPUT_UNITS.get(r.metric, {}).get(lang, "")))
        rank.blocks.append(ranking_table(s, r, lang))
    doc.sections.append(rank)

    setup = Section(ph("setup", lang))
    k = len(s.factors)
    if s.method == "morris":
        setup.blocks.append(ph("setup_morris", lang, r=s.samples, k1=k + 1,
                               levels=MORRIS_LEVELS, points=s.n_points))
    else:
        setup.blocks.append(ph("setup_sobol", lang, n=s.samples, k2=k + 2, points=s.n_points))
    setup.blocks.append(ph("setup_runs", lang, reps=s.reps_per_point,
                           sims=s.n_points * s.reps_per_point, failed=len(reps.failures),
                           backend=backend_word(reps.backend, lang), workers=reps.workers, elapsed=reps.elapsed_s))
    setup.blocks.append(ph("setup_seeds", lang, first=reps.seed(0),
                           last=reps.seed(s.reps_per_point - 1)))
    if s.sets:
        setup.blocks.append(ph("setup_sets", lang, sets=", ".join(s.sets)))
    doc.sections.append(setup)

    read = Section(ph("how_to_read", lang))
    read.blocks.append(ph(f"read_{s.method}", lang, boot=BOOTSTRAP))
    read.blocks.append(ph("read_relative", lang, rel=RELEVANT, neg=NEGLIGIBLE))
    read.blocks.append(ph("read_censoring", lang, end=num(s.end_min)))
    read.blocks.append(ph("read_scope", lang))
    read.blocks.append(ph("read_failures", lang))
    if chart_style.FONT_NOTE.get(lang) and chart_style.chart_lang(lang) != lang:
        read.blocks.append(chart_style.FONT_NOTE[lang])
    doc.sections.append(read)

    if reps.failures:
        first = reps.failures[0]
        fail = Section(ph("failures", lang))
        fail.blocks.append(ph("failures_line", lang, k=len(reps.failures), point=first.plan,
                              rep=first.rep, seed=first.seed, error=first.error))
        doc.sections.append(fail)
    doc.footer = ph("footer", lang)
    return doc


# --------------------------------------------------------------------------- files


def failures_frame(s: Sensitivity) -> pd.DataFrame:
    return pd.DataFrame([{"point": int(f.plan), "rep": f.rep, "seed": f.seed, "error": f.error,
                          "traceback": f.traceback} for f in s.failures],
                        columns=["point", "rep", "seed", "error", "traceback"])


def _markdown(doc: Document) -> str:
    """Markdown with the chart beside it (``sensitivity.svg``), not under ``charts/``."""
    prefix = f"]({render_md.FIGURE_DIR}/"
    lines = render_md.render(doc).split("\n")
    return "\n".join(line.replace(prefix, "](", 1) if line.startswith("![") else line
                     for line in lines)


def write_sensitivity(s: Sensitivity, out: Path, lang: str = "zh") -> list[Path]:
    """Every file of ``sensitivity`` into ``out``: the data (``factors.csv``, ``samples.csv``,
    ``replications.csv``, ``outputs.csv``, ``indices.csv``, ``failures.csv``, ``run.json``),
    the chart ``sensitivity.svg`` (and ``sensitivity.png`` for slides) and the report
    ``sensitivity.md`` / ``sensitivity.html``,
    as a set (:func:`sim.core.files.output_folder`)."""
    out = Path(out)
    chart = make_chart(s, lang)
    doc = build(s, lang, chart)
    settings = s.settings()
    settings["lang"] = lang
    files: dict[str, str | bytes] = {
        "factors.csv": csv_text(s.factors_frame()),
        "samples.csv": csv_text(s.samples_frame()),
        "replications.csv": csv_text(s.rep_frame),
        "outputs.csv": csv_text(s.points),
        "indices.csv": csv_text(s.indices),
        "failures.csv": csv_text(failures_frame(s)),
        "run.json": json.dumps(_json_safe(settings), ensure_ascii=False, indent=2,
                               allow_nan=False) + "\n",
        CHART: chart.png,
        chart.file: chart.data,
        f"{STEM}.md": _markdown(doc),
        f"{STEM}.html": render_html.render(doc),
    }
    with output_folder(out) as folder:
        for name, data in files.items():
            atomic_write(folder / name, data)
    return [out / name for name in files]


def _json_safe(v):
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json_safe(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# --------------------------------------------------------------------------- console


def print_sensitivity(s: Sensitivity, console, lang: str = "zh") -> None:
    """The top three factors of every metric as a table on the console."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    score = SCORE[s.method]
    table = RichTable(title=ph("console_top", lang), show_header=True)
    table.add_column(ph("metric", lang))
    for key in ("first", "second", "third"):
        table.add_column(ph(key, lang))
    for r in s.results:
        if r.note:
            cells = [escape(ph("chart_" + r.note, lang)), "", ""]
        else:
            t = r.table.sort_values("rank")
            t = t[t[score] > 0].head(3)   # a factor with no effect is not ranked
            names = {f.name: f.label.get(lang) or f.name for f in s.factors}
            cells = [escape(f"{names.get(row.factor, row.factor)} ({effect(r.metric, getattr(row, score)) if s.method == 'morris' else num(getattr(row, score), 2)})")
                     for row in t.itertuples(index=False)]
            cells += ["—"] * (3 - len(cells))
        table.add_row(escape(output_short(r.metric, lang)), *cells)
    console.print(table)


__all__ = ["CHART", "OUTPUTS", "build", "draw_indices", "make_chart", "print_sensitivity",
           "write_sensitivity"]
