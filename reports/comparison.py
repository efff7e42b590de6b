"""The comparison report of plan variants (``compare``) and the heat map of a sweep (``sweep``).

Content is built as a :class:`~reports.document.Document` and rendered by the same Markdown
and HTML renderers as a drill report. Every number comes from :mod:`sim.stats`; this module
formats, draws and writes them (never SimPy) and computes none.

Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import io
import json
import math
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from reports import render_html, render_md  # noqa: E402
from reports.charts import FONT_NOTE, chart_lang, cjk_font  # noqa: E402
from reports.document import Bullets, Document, Figure, Section, Table  # noqa: E402
from reports.i18n import METRIC_LABELS, lookup, word  # noqa: E402
from reports.render_md import FIGURE_DIR  # noqa: E402
from sim.files import atomic_write  # noqa: E402
from sim.stats import (  # noqa: E402
    DEFAULT_RUMOUR_THRESHOLD,
    EVENTS,
    TEAM_PREFIX,
    Analysis,
    sweep_table,
)

if TYPE_CHECKING:
    from sim.replicate import Replications

KEY_METRICS = (
    "first_team_on_site_min", "dialogue_start_min", "agreement_min", "cleared_min",
    "peak_crowd", "peak_mean_agitation", "scuffles", "injuries", "health_incidents",
    "first_statement_min", "rumor_peak_reach", "messages_late",
)
"""The metrics the report tables and charts show (``summary.csv`` has them all)."""

PLAN_COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037",
                "#ad1457")

TEAM_LABEL = {"zh": "到场：{team}（分钟）", "en": "On site: {team} (min)"}
"""The label of a ``team_on_site_min.<team>`` column; every other metric is labelled by
:data:`reports.i18n.METRIC_LABELS`."""

EVENT_LABELS: dict[str, dict[str, str]] = {
    "any_scuffle": {"zh": "发生推搡冲突", "en": "Any scuffle"},
    "any_injury": {"zh": "有人在冲突中受伤", "en": "Anyone injured in a scuffle"},
    "agreement_reached": {"zh": "达成承诺", "en": "Commitment reached"},
    "cleared_within_target": {"zh": "在预案时限内疏散现场", "en": "Site cleared within the plan's target"},
    "rumour_above_threshold": {"zh": "谣言覆盖率峰值超过 {t:.0%}",
                               "en": "Peak rumour reach above {t:.0%}"},
    "resolved": {"zh": "妥善处置（承诺并疏散）", "en": "Resolved (commitment and site cleared)"},
    "escalated": {"zh": "事态升级未控制", "en": "Escalated, not brought under control"},
}

P: dict[str, dict[str, str]] = {
    "title": {"zh": "应急预案比较：蒙特卡洛推演", "en": "Plan comparison: Monte Carlo drills"},
    "subtitle": {"zh": "情景 {scenario}；{plans} 个预案，各 {reps} 次重复推演；基础种子 {seed}",
                 "en": "Scenario {scenario}; {plans} plans, {reps} replications each; base seed {seed}"},
    "setup": {"zh": "一、比较设置", "en": "1. Setup"},
    "how_to_read": {"zh": "二、如何阅读本报告", "en": "2. How to read this report"},
    "key_figures": {"zh": "三、主要指标（均值及 95% 置信区间）",
                    "en": "3. Key figures (mean and 95% confidence interval)"},
    "probabilities": {"zh": "四、关键事件发生概率", "en": "4. How likely the events that matter are"},
    "differences": {"zh": "五、与基准预案的配对差异", "en": "5. Paired differences against the baseline"},
    "distributions": {"zh": "六、各指标分布", "en": "6. Distributions"},
    "all_metrics": {"zh": "附录：全部指标", "en": "Appendix: every metric"},
    "failures": {"zh": "失败的重复推演", "en": "Failed replications"},
    "key": {"zh": "代号", "en": "Key"},
    "plan": {"zh": "预案（变体）", "en": "Plan (variant)"},
    "source": {"zh": "预案文件", "en": "Plan file"},
    "overrides": {"zh": "修改的字段", "en": "Fields changed"},
    "cleared_target": {"zh": "疏散时限（分钟）", "en": "Clearing target (min)"},
    "none": {"zh": "无", "en": "none"},
    "metric": {"zh": "指标", "en": "Metric"},
    "event": {"zh": "事件", "en": "Event"},
    "diff": {"zh": "差值（变体 − 基准）", "en": "Difference (variant − baseline)"},
    "ci": {"zh": "95% 置信区间", "en": "95% CI"},
    "pairs": {"zh": "配对数", "en": "Pairs"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    "clear_up": {"zh": "明显更高", "en": "clearly higher"},
    "clear_down": {"zh": "明显更低", "en": "clearly lower"},
    "unclear": {"zh": "无法区分", "en": "not distinguishable"},
    "no_data": {"zh": "无可比数据", "en": "no comparable data"},
    "mean": {"zh": "均值", "en": "Mean"},
    "median": {"zh": "中位数", "en": "Median"},
    "p90": {"zh": "90% 分位数", "en": "90th percentile"},
    "n": {"zh": "有值次数", "en": "n with a value"},
    "share": {"zh": "发生概率", "en": "Share with a value"},
    "rep": {"zh": "重复序号", "en": "Replication"},
    "seed": {"zh": "种子", "en": "Seed"},
    "error": {"zh": "错误", "en": "Error"},
    "setup_line": {
        "zh": "情景 {scenario}，每个预案重复推演 {reps} 次，共 {sims} 次；后端 {backend}，"
              "{workers} 个工作进程，用时 {elapsed:.1f} 秒。",
        "en": "Scenario {scenario}, {reps} replications of each plan, {sims} drills in all; "
              "backend {backend} with {workers} workers, {elapsed:.1f} s."},
    "sets_line": {"zh": "对所有预案统一修改（--set）：{sets}。",
                  "en": "Changed for every plan (--set): {sets}."},
    "seed_line": {
        "zh": "第 k 次重复推演（k 从 0 开始）在所有预案下使用同一种子：基础种子 × 1000003 + k"
              "（本次为 {first} 至 {last}），即“共同随机数”：每个预案面对的是同一批群众、同样的天气"
              "与随机事件，差异只来自预案本身。任一次推演可单独复现，例如：`{command}`。",
        "en": "Replication k (from 0) uses the same seed under every plan: base seed × 1000003 + k "
              "(here {first} to {last}). These are common random numbers: every plan meets the "
              "same crowd, weather draws and random events, so differences come from the plans. "
              "Any replication can be replayed on its own, for example `{command}`."},
    "read_ci": {
        "zh": "每个均值后方括号内是 95% 置信区间：若用同样方法反复做这组推演，约 95% 的区间会包含"
              "真实均值。区间越窄，估计越确定；增加重复次数（--reps）可使区间按 1/√n 收窄。"
              "两个预案的区间有重叠并不表示二者没有差别，应看第五节的配对差异：它逐次比较同一种子下"
              "两个预案的结果，若差值的区间不含 0，可认为差异确实存在（而非随机波动）。",
        "en": "The brackets after each mean hold its 95% confidence interval: were the whole batch "
              "repeated many times, about 95% of such intervals would contain the true mean. A "
              "narrow interval is a sure estimate; more replications (--reps) narrow it as 1/√n. "
              "Overlapping intervals of two plans do not mean the plans are alike: read the paired "
              "differences of section 5, which compare the two plans replication by replication "
              "under the same seed. When the interval of a difference excludes 0, the difference "
              "is real and not noise."},
    "read_method": {
        "zh": "均值的区间为 t 区间（均值 ± t(0.975, n−1)·s/√n），数值指标的配对差异对逐次差值作同样"
              "计算；概率的区间为 Wilson 区间；概率的配对差异（事件概率之差、发生概率之差）用配对数据的"
              " Newcombe 混合得分区间（Newcombe 1998 年论文中的方法 10，由两个概率各自的 Wilson 区间"
              "合成），即使每一对结果都相同，区间也不会缩成一点。计数类指标（取值全为整数）的中位数和"
              " 90% 分位数取实际出现过的值（经验分布函数的逆），不作插值。",
        "en": "Means get a Student-t interval (mean ± t(0.975, n−1)·s/√n), and paired differences "
              "of numeric metrics the same on the per-replication differences; probabilities get "
              "a Wilson score interval, and paired differences of probabilities (of an event, or "
              "of the share with a value) Newcombe's hybrid score interval for paired data "
              "(method 10 of Newcombe, 1998), built from the Wilson intervals of the two shares, "
              "which keeps an honest width even when every pair agrees. The median and 90th "
              "percentile of a count (a metric whose values are all whole numbers) are values "
              "that occurred (the inverse of the empirical distribution function), never "
              "interpolated."},
    "read_nulls": {
        "zh": "空值的处理：时间类指标在事情没有发生时为空（如推演结束仍未达成承诺）。其均值、区间和"
              "分位数只在“发生了”的重复中计算（n 为次数），另给出发生概率；配对差异只用两个预案都"
              "发生的重复，并另给出发生概率之差；没有这样的重复时，结论为“无可比数据”。因此某预案"
              "“达成承诺更快”须结合其发生概率一起读。",
        "en": "Nulls: a time is null when the thing never happened (no commitment by the end, say). "
              "Its mean, interval and percentiles are over the replications where it happened (n "
              "counts them), and the share where it happened is given beside them; a paired "
              "difference uses the replications where it happened under both plans, with the "
              "difference in that share beside it; with no such replication it reads 'no "
              "comparable data'. So a plan that reaches a commitment 'sooner' must be read "
              "together with how often it reaches one at all."},
    "read_failures": {
        "zh": "失败的重复推演不会被悄悄丢弃：它们连同种子和错误堆栈写入 failures.csv，并在"
              "“失败的重复推演”一节列出；配对差异不使用任一预案失败的重复。",
        "en": "Failed replications are never dropped silently: they are written with their seed and "
              "traceback to failures.csv and listed in the section 'Failed replications'; paired "
              "differences leave out replications that failed under either plan."},
    "cell_share": {"zh": "（{n}/{N} 次发生）", "en": " ({n}/{N} happened)"},
    "baseline_line": {"zh": "基准预案为第一个预案 {base}。差值为“变体 − 基准”，逐次配对计算。",
                      "en": "The baseline is the first plan, {base}. Differences are variant "
                            "minus baseline, paired replication by replication."},
    "no_diff": {"zh": "只有一个预案，没有可比较的差异。", "en": "Only one plan: nothing to compare."},
    "share_diff_line": {"zh": "{metric}：发生概率之差 {diff}。",
                        "en": "{metric}: difference in the share with a value {diff}."},
    "chart_dist": {"zh": "各预案主要指标的分布（箱线图，点为单次推演）",
                   "en": "Distribution of the key figures under each plan (box plots; dots are drills)"},
    "chart_diff": {"zh": "与基准预案的配对差异及 95% 置信区间（红色：区间不含 0）",
                   "en": "Paired differences against the baseline with 95% CIs (red: excludes 0)"},
    "chart_prob": {"zh": "关键事件发生概率及 95% Wilson 置信区间",
                   "en": "Probabilities of the events that matter, with 95% Wilson intervals"},
    "no_pairs": {"zh": "无可比数据：没有两个预案都有值的重复",
                 "en": "no comparable data: no replication\nwith a value under both"},
    "event_diff_title": {"zh": "事件概率之差（百分点）",
                         "en": "Event probabilities (percentage points)"},
    "failures_line": {"zh": "共 {k} 次推演失败（{share:.1%}）。首个错误：{error}",
                      "en": "{k} drills failed ({share:.1%}). First error: {error}"},
    "all_ok": {"zh": "全部推演成功完成。", "en": "Every drill ran to its end."},
    "footer": {"zh": "由 drill compare 生成；数据见 replications.csv、summary.csv、differences.csv、"
                     "probabilities.csv；设置见 run.json。",
               "en": "Made by drill compare; data in replications.csv, summary.csv, differences.csv, "
                     "probabilities.csv; settings in run.json."},
    # sweep
    "sweep_title": {"zh": "预案参数扫描", "en": "Plan parameter sweep"},
    "sweep_subtitle": {"zh": "情景 {scenario}；预案 {plan}；{cells} 个组合，各 {reps} 次重复；指标 {metric}",
                       "en": "Scenario {scenario}; plan {plan}; {cells} combinations, {reps} "
                             "replications each; metric {metric}"},
    "sweep_setup": {"zh": "一、扫描设置", "en": "1. Setup"},
    "sweep_grid": {"zh": "扫描的字段：{grid}。", "en": "Fields swept: {grid}."},
    "sweep_heat": {"zh": "二、热力图", "en": "2. Heat map"},
    "sweep_table": {"zh": "三、各组合结果", "en": "3. Every combination"},
    "sweep_read": {"zh": "四、如何阅读", "en": "4. How to read"},
    "sweep_chart": {"zh": "{metric}：各组合均值（括号内为 95% 置信区间）",
                    "en": "{metric}: mean of each combination (95% CI in brackets)"},
    "sweep_extremes": {"zh": "最低：{low_cell}（{low}）；最高：{high_cell}（{high}）。",
                       "en": "Lowest: {low_cell} ({low}); highest: {high_cell} ({high})."},
    "sweep_read_text": {
        "zh": "所有组合使用相同的种子（共同随机数），因此组合之间的差异来自所改的字段。热力图颜色为"
              "均值，格内方括号为 95% 置信区间；时间类指标只在事情发生的重复中平均，格内另注发生比例。"
              "本报告不检验两个组合之间的差异；如需检验，请用 compare 命令比较这两个变体。",
        "en": "Every combination runs with the same seeds (common random numbers), so differences "
              "between cells come from the fields changed. Colour is the mean, brackets hold the "
              "95% confidence interval; a time is averaged over the replications where it "
              "happened, and the cell notes how often that was. This report does not test one "
              "cell against another: for that, run the compare command on those two variants."},
    "sweep_method": {
        "zh": "均值的区间为 t 区间（均值 ± t(0.975, n−1)·s/√n），概率的区间为 Wilson 区间。中位数和"
              " 90% 分位数只在有值的重复中计算；计数类指标（取值全为整数）取实际出现过的值（经验分布"
              "函数的逆），不作插值。",
        "en": "Means get a Student-t interval (mean ± t(0.975, n−1)·s/√n), probabilities a Wilson "
              "score interval. Medians and 90th percentiles are over the replications with a "
              "value; those of a count (a metric whose values are all whole numbers) are values "
              "that occurred (the inverse of the empirical distribution function), never "
              "interpolated."},
    "sweep_failures": {
        "zh": "失败的重复推演不会被悄悄丢弃：它们连同种子和错误堆栈写入 failures.csv，并在"
              "“失败的重复推演”一节列出；各组合的结果只用成功完成的重复（n 为次数）。",
        "en": "Failed replications are never dropped silently: they are written with their seed "
              "and traceback to failures.csv and listed in the section 'Failed replications'; "
              "each combination's figures use only the replications that ran to their end."},
    "sweep_footer": {"zh": "由 drill sweep 生成；数据见 sweep.csv、summary.csv、replications.csv。",
                     "en": "Made by drill sweep; data in sweep.csv, summary.csv, replications.csv."},
}


def ph(key: str, lang: str, **fmt) -> str:
    return lookup(P, key, lang, **fmt)


# --------------------------------------------------------------------------- words and numbers


def metric_label(metric: str, lang: str, team_names: dict[str, str] | None = None,
                 threshold: float = DEFAULT_RUMOUR_THRESHOLD) -> str:
    """A metric's name in ``lang``: from :data:`METRIC_LABELS` (team columns name the team,
    events use :data:`EVENT_LABELS`); the key itself only when no table knows it."""
    if metric.startswith(TEAM_PREFIX):
        tid = metric[len(TEAM_PREFIX):]
        name = (team_names or {}).get(tid, tid)
        return TEAM_LABEL[lang].format(team=name)
    if metric in EVENTS:
        return event_label(metric, lang, threshold)
    return word(METRIC_LABELS, metric, lang)


def event_label(event: str, lang: str, threshold: float) -> str:
    return EVENT_LABELS[event][lang].format(t=threshold)


def fmt(metric: str, value: float, signed: bool = False) -> str:
    """A number as the report shows it: shares in %, times to 0.1 min."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "+" if signed else ""
    if "_reach" in metric or metric in EVENTS:
        return f"{value * 100:{sign}.1f}%"
    if abs(value) >= 100:
        return f"{value:{sign}.0f}"
    if abs(value) >= 10:
        return f"{value:{sign}.1f}"
    if abs(value) >= 1 or value == 0:
        return f"{value:{sign}.2f}"
    return f"{value:{sign}.3f}"


def fmt_percentile(metric: str, value: float, counts: set[str]) -> str:
    """A median or 90th percentile: a count's as a whole number, any other as :func:`fmt`."""
    if metric in counts and not _isnan(value) and float(value) == round(float(value)):
        return f"{float(value):.0f}"
    return fmt(metric, value)


def fmt_ci(metric: str, mean: float, low: float, high: float, signed: bool = False) -> str:
    if mean is None or math.isnan(mean):
        return "—"
    if low is None or math.isnan(low):
        return fmt(metric, mean, signed)
    return f"{fmt(metric, mean, signed)} [{fmt(metric, low, signed)}, {fmt(metric, high, signed)}]"


def plan_keys(plans: Sequence[str]) -> dict[str, str]:
    """Short keys for charts: A, B, C... (then A2, B2... past Z)."""
    out = {}
    for i, p in enumerate(plans):
        letter = chr(ord("A") + i % 26)
        out[p] = letter if i < 26 else f"{letter}{i // 26 + 1}"
    return out


def _team_names(reps: Replications, lang: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for v in reps.variants:
        for tid, team in v.inputs.plan.teams.items():
            names.setdefault(tid, team.name.get(lang))
    return names


# --------------------------------------------------------------------------- charts


def _rc(lang: str):
    family = cjk_font() if lang == "zh" else None
    return plt.rc_context({"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
                           "axes.unicode_minus": False})


def _make(draw: Callable[[str], Any], lang: str, caption: str, name: str,
          svg: bool = True) -> Figure:
    """A chart as PNG (labelled in English when no CJK font is installed) and, when ``svg``,
    as SVG with live text for the web page (drawn once more in ``lang`` only when the PNG
    had to fall back to English)."""
    lang_png = chart_lang(lang)
    text = ""
    with _rc(lang_png):
        fig = draw(lang_png)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        if svg and lang_png == lang:
            text = _svg(fig)
        plt.close(fig)
    if svg and not text:
        with _rc(lang):
            fig = draw(lang)
            text = _svg(fig)
            plt.close(fig)
    return Figure(caption, name, buf.getvalue(), text)


def _svg(fig) -> str:
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    return buf.getvalue()


def _key_note(fig, keys: dict[str, str]) -> None:
    lines = [f"{k} = {p}" for p, k in keys.items()]
    wrapped = "\n".join(textwrap.fill(line, 110, subsequent_indent="    ") for line in lines)
    fig.text(0.01, -0.01, wrapped, ha="left", va="top", fontsize=7, color="#333")


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
                   showfliers=False, medianprops={"color": "#222"})
        for i, d in enumerate(data):
            if not len(d):
                continue
            show = d if len(d) <= 400 else d[:: math.ceil(len(d) / 400)]
            offs = ((np.arange(len(show)) * 0.6180339887) % 1 - 0.5) * 0.5
            ax.scatter(pos[i] + 0.45 + offs * 0.3, show, s=4, alpha=0.35,
                       color=PLAN_COLOURS[i % len(PLAN_COLOURS)], lw=0)
            ax.plot(pos[i], d.mean(), marker="D", ms=4, color=PLAN_COLOURS[i % len(PLAN_COLOURS)])
        ax.set_xticks(pos, labels, fontsize=7)
        ax.set_title(textwrap.fill(metric_label(m, lang, team_names), 28), fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis("off")
    fig.tight_layout()
    _key_note(fig, keys)
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
                     ("any_scuffle", "cleared_within_target", "rumour_above_threshold")
                     for p in others]
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
            colour = "#c62828" if clear else "#757575"
            if not math.isnan(low):
                ax.plot([low, high], [y, y], color=colour, lw=2)
            ax.plot(mean, y, "o", color=colour, ms=5)
        if not drawn:
            ax.text(0.5, 0.5, ph("no_pairs", lang), transform=ax.transAxes, ha="center",
                    va="center", fontsize=7, color="#757575")
        ax.axvline(0, color="#222", lw=0.8, ls="--")
        ax.set_yticks(ys, labels, fontsize=7)
        ax.set_ylim(-0.7, len(items) - 0.3)
        ax.set_title(textwrap.fill(title, 30), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    _key_note(fig, keys)
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
        ax.barh(y, sub["p"].to_numpy() * 100, height=h * 0.9, color=PLAN_COLOURS[i % len(PLAN_COLOURS)],
                alpha=0.8, label=keys[p])
        ax.errorbar(sub["p"].to_numpy() * 100, y, xerr=err * 100, fmt="none", ecolor="#222", lw=0.8,
                    capsize=2)
    ax.set_yticks(np.arange(len(EVENTS))[::-1],
                  [event_label(e, lang, a.rumour_threshold) for e in EVENTS], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    _key_note(fig, keys)
    return fig


# --------------------------------------------------------------------------- the compare report


def _summary_cell(a: Analysis, plan: str, metric: str) -> str:
    s = a.summary
    hit = s[(s.plan == plan) & (s.metric == metric)]
    if hit.empty:
        return "—"
    r = hit.iloc[0]
    text = fmt_ci(metric, r["mean"], r["ci_low"], r["ci_high"])
    return text


def _share_note(a: Analysis, plan: str, metric: str, lang: str) -> str:
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
    if not row or _isnan(row.get("n")) or int(row["n"]) == 0:
        return ph("no_data", lang)
    if not row.get("excludes_zero"):
        return ph("unclear", lang)
    return ph("clear_up", lang) if row["ci_low"] > 0 else ph("clear_down", lang)


def build_compare(reps: Replications, a: Analysis, lang: str = "zh") -> Document:
    """The comparison report's content."""
    keys = plan_keys(a.plans)
    teams = _team_names(reps, lang)
    metrics = [m for m in KEY_METRICS if m in set(a.summary["metric"])]
    doc = Document(ph("title", lang),
                   ph("subtitle", lang, scenario=reps.scenario, plans=len(a.plans), reps=reps.reps,
                      seed=reps.base_seed), lang)

    setup = Section(ph("setup", lang))
    setup.blocks.append(ph("setup_line", lang, scenario=reps.scenario, reps=reps.reps,
                           sims=reps.reps * len(a.plans), backend=reps.backend,
                           workers=reps.workers, elapsed=reps.elapsed_s))
    setup.blocks.append(Table(
        [ph("key", lang), ph("plan", lang), ph("source", lang), ph("overrides", lang),
         ph("cleared_target", lang)],
        [[keys[v.label], v.label, v.inputs.plan.name,
          ", ".join(v.overrides) or ph("none", lang),
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
          *[_summary_cell(a, p, m) + _share_note(a, p, m, lang) for p in a.plans]]
         for m in metrics]))
    doc.sections.append(key)

    prob = Section(ph("probabilities", lang))
    t = a.probabilities
    prob.blocks.append(Table(
        [ph("event", lang), *[f"{keys[p]}: {p}" for p in a.plans]],
        [[event_label(ev, lang, a.rumour_threshold),
          *[_prob_cell(t, p, ev) for p in a.plans]] for ev in EVENTS]))
    if reps.rows:
        prob.blocks.append(_make(lambda lg: draw_probabilities(a, lg), lang,
                                 ph("chart_prob", lang), "probabilities.png"))
    doc.sections.append(prob)

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
                             fmt_ci(m, d["mean_diff"], d["ci_low"], d["ci_high"], signed=True),
                             str(d["n"]), _verdict(d, lang)])
                if d["share_diff"] and not math.isnan(d["share_diff"]) and d["share_diff"] != 0:
                    notes.append(f"{keys[p]} · " + ph(
                        "share_diff_line", lang, metric=metric_label(m, lang, teams),
                        diff=fmt_ci("agreement_reached", d["share_diff"], d["share_ci_low"],
                                    d["share_ci_high"], signed=True)))
            for ev in EVENTS:
                d = a.difference(p, ev)
                if not d:
                    continue
                rows.append([event_label(ev, lang, a.rumour_threshold), keys[p],
                             fmt_ci(ev, d["diff"], d["ci_low"], d["ci_high"], signed=True),
                             str(d["n"]), _verdict(d, lang)])
        diff.blocks.append(Table([ph("metric", lang), ph("key", lang), f"{ph('diff', lang)} "
                                  f"[{ph('ci', lang)}]", ph("pairs", lang), ph("verdict", lang)],
                                 rows))
        if notes:
            diff.blocks.append(Bullets(notes))
        if rows:
            diff.blocks.append(_make(lambda lg: draw_differences(a, metrics, lg, teams), lang,
                                     ph("chart_diff", lang), "differences.png", svg=False))
    doc.sections.append(diff)

    if metrics:
        dist = Section(ph("distributions", lang))
        dist.blocks.append(_make(lambda lg: draw_distributions(a, metrics, lg, teams), lang,
                                 ph("chart_dist", lang), "distributions.png", svg=False))
        doc.sections.append(dist)

    doc.sections.append(_failures_section(reps, len(a.plans), lang))

    appendix = Section(ph("all_metrics", lang))
    counts = a.counts
    s = a.summary
    # each plan's metrics in summary order, the teams' arrival times last
    s = s.assign(_team=s["metric"].str.startswith(TEAM_PREFIX),
                 _plan=s["plan"].map({p: i for i, p in enumerate(a.plans)}))
    s = s.sort_values(["_plan", "_team"], kind="stable")
    appendix.blocks.append(Table(
        [ph("metric", lang), ph("key", lang), f"{ph('mean', lang)} [{ph('ci', lang)}]",
         ph("median", lang), ph("p90", lang), ph("n", lang), ph("share", lang)],
        [[metric_label(r.metric, lang, teams), keys[r.plan],
          fmt_ci(r.metric, r.mean, r.ci_low, r.ci_high), fmt_percentile(r.metric, r.p50, counts),
          fmt_percentile(r.metric, r.p90, counts), str(r.n), f"{r.share:.0%}" if not math.isnan(r.share) else "—"]
         for r in s.itertuples()]))
    doc.sections.append(appendix)
    doc.footer = ph("footer", lang)
    return doc


def _failures_section(reps: Replications, plans: int, lang: str) -> Section:
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


def _prob_cell(t: pd.DataFrame, plan: str, event: str) -> str:
    hit = t[(t.plan == plan) & (t.event == event)]
    if hit.empty or int(hit["n"].iloc[0]) == 0:
        return "—"
    r = hit.iloc[0]
    return f"{fmt_ci(event, r['p'], r['ci_low'], r['ci_high'])} ({int(r['k'])}/{int(r['n'])})"


# --------------------------------------------------------------------------- writing


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def failures_frame(reps: Replications) -> pd.DataFrame:
    return pd.DataFrame([{"plan": f.plan, "rep": f.rep, "seed": f.seed, "error": f.error,
                          "traceback": f.traceback} for f in reps.failures],
                        columns=["plan", "rep", "seed", "error", "traceback"])


def write_data(reps: Replications, a: Analysis, out: Path, extra: dict | None = None) -> list[Path]:
    """The data files common to ``compare`` and ``sweep``."""
    out = Path(out)
    files = {
        "replications.csv": _csv(a.replications),
        "summary.csv": _csv(a.summary),
        "differences.csv": _csv(a.differences),
        "probabilities.csv": _csv(a.probabilities),
        "event_differences.csv": _csv(a.event_differences),
        "categories.csv": _csv(a.categories),
        "failures.csv": _csv(failures_frame(reps)),
    }
    written = []
    for name, text in files.items():
        atomic_write(out / name, text)
        written.append(out / name)
    settings = reps.settings()
    settings["rumour_threshold"] = a.rumour_threshold
    settings.update(extra or {})
    atomic_write(out / "run.json",
                 json.dumps(settings, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    written.append(out / "run.json")
    return written


def _write_doc(doc: Document, out: Path, stem: str) -> list[Path]:
    written = []
    for fig in doc.figures():
        atomic_write(out / FIGURE_DIR / fig.name, fig.png)
        written.append(out / FIGURE_DIR / fig.name)
    atomic_write(out / f"{stem}.md", render_md.render(doc))
    atomic_write(out / f"{stem}.html", render_html.render(doc))
    return [*written, out / f"{stem}.md", out / f"{stem}.html"]


def write_compare(reps: Replications, a: Analysis, out: Path, lang: str = "zh") -> list[Path]:
    """Every file of ``compare``: the data, ``comparison.md`` (with ``charts/``) and
    ``comparison.html``."""
    out = Path(out)
    written = write_data(reps, a, out)
    return written + _write_doc(build_compare(reps, a, lang), out, "comparison")


# --------------------------------------------------------------------------- sweep


def draw_heatmap(table: pd.DataFrame, keys: Sequence[str], metric: str, lang: str,
                 team_names: dict[str, str] | None = None):
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
        if not _isnan(rec["ci_low"]):
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
            ax.text(j, i, text[i][j] or "—", ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(len(col_vals)), [str(v) for v in col_vals], fontsize=8)
    ax.set_xlabel(col_key, fontsize=8)
    ax.set_yticks(range(len(row_ids)),
                  [", ".join(f"{k}={v}" for k, v in zip(row_keys, rid, strict=True)) or ""
                   for rid in row_ids], fontsize=8)
    label = metric_label(metric, lang, team_names)
    fig.colorbar(im, ax=ax, label=textwrap.shorten(label, 40))
    ax.set_title(textwrap.fill(label, 60), fontsize=9)
    fig.tight_layout()
    return fig


def build_sweep(reps: Replications, a: Analysis, grid: Sequence[tuple[str, list[Any]]],
                cells: Sequence[dict[str, Any]], metric: str, plan: str,
                lang: str = "zh") -> tuple[Document, pd.DataFrame]:
    """The sweep report's content and its table (``sweep.csv``)."""
    teams = _team_names(reps, lang)
    keys = [k for k, _ in grid]
    table = sweep_table(a, cells, metric)
    label = metric_label(metric, lang, teams, a.rumour_threshold)
    doc = Document(ph("sweep_title", lang),
                   ph("sweep_subtitle", lang, scenario=reps.scenario, plan=plan,
                      cells=len(cells), reps=reps.reps, metric=label), lang)
    setup = Section(ph("sweep_setup", lang))
    setup.blocks.append(ph("setup_line", lang, scenario=reps.scenario, reps=reps.reps,
                           sims=reps.reps * len(cells), backend=reps.backend,
                           workers=reps.workers, elapsed=reps.elapsed_s))
    setup.blocks.append(ph("sweep_grid", lang, grid="; ".join(
        f"{k} = {', '.join(map(str, vs))}" for k, vs in grid)))
    if reps.sets:
        setup.blocks.append(ph("sets_line", lang, sets=", ".join(reps.sets)))
    setup.blocks.append(ph("seed_line", lang, first=reps.seed(0), last=reps.seed(reps.reps - 1),
                           command=reps.reproduce_command(cells[0]["plan"], 0)))
    doc.sections.append(setup)
    heat = Section(ph("sweep_heat", lang))
    heat.blocks.append(_make(lambda lg: draw_heatmap(table, keys, metric, lg, teams), lang,
                             ph("sweep_chart", lang, metric=label), "heatmap.png"))
    finite = table.dropna(subset=["mean"])
    if len(finite):
        lo = finite.loc[finite["mean"].idxmin()]
        hi = finite.loc[finite["mean"].idxmax()]

        def cell_text(r) -> str:
            return ", ".join(f"{k}={r[k]}" for k in keys)

        heat.blocks.append(ph("sweep_extremes", lang, low_cell=cell_text(lo),
                              low=fmt_ci(metric, lo["mean"], lo["ci_low"], lo["ci_high"]),
                              high_cell=cell_text(hi),
                              high=fmt_ci(metric, hi["mean"], hi["ci_low"], hi["ci_high"])))
    doc.sections.append(heat)
    tab = Section(ph("sweep_table", lang))
    counts = a.counts
    tab.blocks.append(Table(
        [*keys, f"{ph('mean', lang)} [{ph('ci', lang)}]", ph("median", lang), ph("p90", lang),
         ph("n", lang)],
        [[*(str(r[k]) for k in keys), fmt_ci(metric, r["mean"], r["ci_low"], r["ci_high"]),
          fmt_percentile(metric, r["p50"], counts), fmt_percentile(metric, r["p90"], counts),
          f"{int(r['n'])}/{int(r['n_reps'])}"]
         for _, r in table.iterrows()]))
    doc.sections.append(tab)
    read = Section(ph("sweep_read", lang))
    read.blocks += [ph("sweep_read_text", lang), ph("sweep_method", lang)]
    read.blocks.append(ph("sweep_failures", lang) if reps.failures else ph("all_ok", lang))
    doc.sections.append(read)
    if reps.failures:
        doc.sections.append(_failures_section(reps, len(cells), lang))
    doc.footer = ph("sweep_footer", lang)
    return doc, table


def write_sweep(reps: Replications, a: Analysis, grid: Sequence[tuple[str, list[Any]]],
                cells: Sequence[dict[str, Any]], metric: str, plan: str, out: Path,
                lang: str = "zh") -> list[Path]:
    """Every file of ``sweep``: the data, ``sweep.csv``, ``sweep.md`` (with
    ``charts/heatmap.png``) and ``sweep.html``."""
    out = Path(out)
    written = write_data(reps, a, out, {"grid": {k: list(vs) for k, vs in grid},
                                        "metric": metric, "plan": plan})
    doc, table = build_sweep(reps, a, grid, cells, metric, plan, lang)
    atomic_write(out / "sweep.csv", _csv(table))
    written.append(out / "sweep.csv")
    return written + _write_doc(doc, out, "sweep")


def _isnan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


# --------------------------------------------------------------------------- console


def print_compare(reps: Replications, a: Analysis, console, lang: str = "zh") -> None:
    """The key figures and the paired differences as a table on the console."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    keys = plan_keys(a.plans)
    teams = _team_names(reps, lang)
    for p in a.plans:
        console.print(f"[bold]{keys[p]}[/] = {escape(p)}")
    table = RichTable(title=ph("key_figures", lang), show_header=True)
    table.add_column(ph("metric", lang))
    for p in a.plans:
        table.add_column(keys[p])
    for p in a.plans[1:]:
        table.add_column(f"{keys[p]} − {keys[a.plans[0]]}")

    def diff_cell(d: dict, metric: str, column: str) -> str:
        if not d or _isnan(d.get("n")) or int(d["n"]) == 0:
            return escape(ph("no_data", lang)) if d else "—"
        text = escape(fmt_ci(metric, d[column], d["ci_low"], d["ci_high"], signed=True))
        return f"[bold]{text}[/]" if d["excludes_zero"] else text

    for m in [m for m in KEY_METRICS if m in set(a.summary["metric"])]:
        cells = [escape(_summary_cell(a, p, m) + _share_note(a, p, m, lang)) for p in a.plans]
        cells += [diff_cell(a.difference(p, m), m, "mean_diff") for p in a.plans[1:]]
        table.add_row(escape(metric_label(m, lang, teams)), *cells)
    for ev in ("any_scuffle", "cleared_within_target", "rumour_above_threshold"):
        cells = [escape(_prob_cell(a.probabilities, p, ev)) for p in a.plans]
        cells += [diff_cell(a.difference(p, ev), ev, "diff") for p in a.plans[1:]]
        table.add_row(escape(event_label(ev, lang, a.rumour_threshold)), *cells)
    console.print(table)


def print_sweep(table: pd.DataFrame, keys: Sequence[str], metric: str, console,
                lang: str = "zh") -> None:
    """The sweep table on the console."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    threshold = table.attrs.get("rumour_threshold", DEFAULT_RUMOUR_THRESHOLD)
    out = RichTable(title=escape(metric_label(metric, lang, threshold=threshold)),
                    show_header=True)
    for k in keys:
        out.add_column(escape(k))
    out.add_column(f"{ph('mean', lang)} [{ph('ci', lang)}]")
    out.add_column(ph("n", lang))
    for _, r in table.iterrows():
        out.add_row(*(escape(str(r[k])) for k in keys),
                    escape(fmt_ci(metric, r["mean"], r["ci_low"], r["ci_high"])),
                    f"{int(r['n'])}/{int(r['n_reps'])}")
    console.print(out)
