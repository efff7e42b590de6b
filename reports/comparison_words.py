"""What the comparison and sweep reports say, in Chinese and English: their phrases, the
names of metrics and events, and how a number or an interval is written.

Phrases are looked up with :func:`reports.i18n.lookup`; metric names come from
:data:`reports.i18n.METRIC_LABELS`. Nothing here computes a figure: :mod:`sim.montecarlo.stats` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reports.i18n import LEVEL_TIME_LABEL, METRIC_LABELS, POLICY_WORDS, POSTURE, lookup, word
from sim.montecarlo.stats import DEFAULT_RUMOUR_THRESHOLD, EVENTS, TEAM_PREFIX

if TYPE_CHECKING:
    from sim.montecarlo.replicate import Replications

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
    "person_outcomes": {"zh": "高处轻生人员的结局（各结局占比及 95% 置信区间）",
                        "en": "How the person at height ended (share of drills, 95% CI)"},
    "person_outcome": {"zh": "结局", "en": "Outcome"},
    "nobody_at_risk": {"zh": "无人处于危险（该情形未出现）", "en": "nobody at risk (it did not happen)"},
    "overrides": {"zh": "修改的字段", "en": "Fields changed"},
    "over_base": {"zh": "相对所继承的{base}：{fields}", "en": "over the plan it extends, {base}: {fields}"},
    "cleared_target": {"zh": "疏散时限（分钟）", "en": "Clearing target (min)"},
    "none": {"zh": "无", "en": "none"},
    "metric": {"zh": "指标", "en": "Metric"},
    "event": {"zh": "事件", "en": "Event"},
    "diff": {"zh": "差值（变体 − 基准）", "en": "Difference (variant − baseline)"},
    "ci": {"zh": "95% 置信区间", "en": "95% CI"},
    "pairs": {"zh": "配对数", "en": "Pairs"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    "clear_up": {"zh": "更高（统计上可区分）", "en": "higher (statistically clear)"},
    "clear_down": {"zh": "更低（统计上可区分）", "en": "lower (statistically clear)"},
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
        "zh": "情景 {scenario}，每个预案重复推演 {reps} 次，共 {sims} 次；运行方式：{backend}，"
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
              "两个预案的结果，若差值的区间不含 0，说明差异不太可能只是随机波动；但同时比较多个指标时，"
              "约每 20 个区间就有 1 个会因偶然而不含 0，单个“可区分”的结果应结合其大小和其他指标一起看。",
        "en": "The brackets after each mean hold its 95% confidence interval: were the whole batch "
              "repeated many times, about 95% of such intervals would contain the true mean. A "
              "narrow interval is a sure estimate; more replications (--reps) narrow it as 1/√n. "
              "Overlapping intervals of two plans do not mean the plans are alike: read the paired "
              "differences of section 5, which compare the two plans replication by replication "
              "under the same seed. When the interval of a difference excludes 0, the difference "
              "is unlikely to be noise alone; but with many figures compared, about 1 interval in "
              "20 excludes 0 by chance, so read a single \"clear\" result with its size and the "
              "other figures."},
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
    "sweep_flat": {"zh": "网格中每个组合的均值相同（{value}）：在这些推演中，所扫描的参数对该指标没有影响。",
                   "en": "Every cell of the grid has the same mean ({value}): in these runs the swept fields do not move this figure."},
    "sweep_overlap": {"zh": "最低与最高两格的95%区间相互重叠：这些推演还不能说明所扫描的参数对该指标有明确影响。",
                      "en": "The 95% intervals of the lowest and the highest cell overlap: these runs do not show a clear effect of the swept fields on this figure."},
    "sweep_read_text": {
        "zh": "所有组合使用相同的种子（共同随机数），因此组合之间的差异来自所改的字段。热力图颜色为"
              "均值，格内方括号为 95% 置信区间；时间类指标只在事情发生的重复中平均，格内另注发生比例。"
              "正文不检验两个组合之间的差异；每个组合与第一个组合的配对差异及其区间见 differences.csv 和 "
              "event_differences.csv，两个具体组合之间的比较请用 compare 命令。",
        "en": "Every combination runs with the same seeds (common random numbers), so differences "
              "between cells come from the fields changed. Colour is the mean, brackets hold the "
              "95% confidence interval; a time is averaged over the replications where it "
              "happened, and the cell notes how often that was. The text tests no cell against "
              "another: differences.csv and event_differences.csv hold each cell against the "
              "first, paired, with intervals; to weigh two particular cells, run the compare "
              "command on those two variants."},
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


def backend_word(backend: str, lang: str) -> str:
    """Where the replications ran, as a report in ``lang`` says it."""
    words = {"local": {"zh": "本机进程池", "en": "local"}, "dask": {"zh": "Dask 集群", "en": "dask"}}
    return words.get(backend, {}).get(lang, backend)


def ph(key: str, lang: str, **fmt) -> str:
    """The phrase ``key`` of :data:`P` in ``lang``, formatted with ``fmt``."""
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
    if metric.startswith("level_times."):
        level = (team_names or {}).get(metric, metric.split(".", 1)[1])
        return LEVEL_TIME_LABEL[lang].format(level=level)
    return word(METRIC_LABELS, metric, lang)


def event_label(event: str, lang: str, threshold: float) -> str:
    return EVENT_LABELS[event][lang].format(t=threshold)


def fmt(metric: str, value: float, signed: bool = False, lang: str = "en") -> str:
    """A number as the report shows it: shares in %, a difference of shares (``signed``) in
    percentage points, times to 0.1 min."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "+" if signed else ""
    if is_share(metric):
        if signed:
            return f"{value * 100:+.1f}" + _PP[lang]
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
    if metric in counts and not isnan(value) and float(value) == round(float(value)):
        return f"{float(value):.0f}"
    return fmt(metric, value)


def fmt_ci(metric: str, mean: float, low: float, high: float, signed: bool = False,
           lang: str = "en") -> str:
    """``mean [low, high]`` as :func:`fmt` writes each; the mean alone without an interval."""
    if mean is None or math.isnan(mean):
        return "—"
    if low is None or math.isnan(low):
        return fmt(metric, mean, signed, lang)
    if signed and is_share(metric):   # percentage points: the unit once, after the interval
        return f"{mean * 100:+.1f} [{low * 100:+.1f}, {high * 100:+.1f}]{_PP[lang]}"
    return (f"{fmt(metric, mean, signed, lang)} [{fmt(metric, low, signed, lang)}, "
            f"{fmt(metric, high, signed, lang)}]")


_PP = {"zh": "个百分点", "en": " pp"}
"""The unit of a difference of shares: percentage points."""


def is_share(metric: str) -> bool:
    """Whether ``metric`` is a share (a reach, or an event's probability)."""
    return "_reach" in metric or metric in EVENTS


def plan_keys(plans: Sequence[str]) -> dict[str, str]:
    """Short keys for charts: A, B, C... (then A2, B2... past Z)."""
    out = {}
    for i, p in enumerate(plans):
        letter = chr(ord("A") + i % 26)
        out[p] = letter if i < 26 else f"{letter}{i // 26 + 1}"
    return out


def team_names(reps: Replications, lang: str, plan: str | None = None) -> dict[str, str]:
    """Names in ``lang`` of the teams (by id) and the levels (by ``level_times.<id>``) of the
    plan variant ``plan``; without it, of every plan compared, where plans that share an id
    but name it differently have their names joined (A's / B's), so a row about several
    plans never shows one plan's name for another's team."""
    found: dict[str, list[str]] = {}
    for v in reps.variants:
        if plan is not None and v.label != plan:
            continue
        named = [(tid, team.name.get(lang)) for tid, team in v.inputs.plan.teams.items()]
        named += [(f"level_times.{lv.id}", lv.name.get(lang))
                  for lv in getattr(v.inputs.plan, "levels", [])]
        for key, name in named:
            if name not in found.setdefault(key, []):
                found[key].append(name)
    joint = "／" if lang == "zh" else " / "
    return {key: joint.join(names) for key, names in found.items()}


def isnan(value: Any) -> bool:
    """True for NaN and for anything that is not a number (None, a string)."""
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


TEAM_FIELD_WORDS: dict[str, dict[str, str]] = {
    "size": {"zh": "人数", "en": "size"},
    "familiarity": {"zh": "熟悉预案程度", "en": "familiarity with the plan"},
    "mobilisation_min": {"zh": "集结时间（分钟）", "en": "mobilisation (min)"},
    "travel_min": {"zh": "路途时间（分钟）", "en": "travel (min)"},
    "posture": {"zh": "处置方式", "en": "posture"},
    "on_site_within_min": {"zh": "到场时限（分钟）", "en": "on-site target (min)"},
    "prepositioned": {"zh": "事先在现场", "en": "prepositioned"},
}
"""A team's fields in words, for sweep grids."""

FIELD_WORDS: dict[str, dict[str, str]] = {
    "publicity.release_policy": {"zh": "信息发布政策", "en": "release policy"},
    "publicity.proactive_delay_min": {"zh": "主动发布的准备时间（分钟）", "en": "proactive statement delay (min)"},
    "publicity.drafting_min": {"zh": "拟稿时间（分钟）", "en": "drafting time (min)"},
    "publicity.credibility": {"zh": "权威信息可信度", "en": "statement credibility"},
    "publicity.reach": {"zh": "发布渠道覆盖率", "en": "statement channels' reach"},
    "publicity.reactive_threshold": {"zh": "被动回应的谣言覆盖率门槛", "en": "reactive threshold"},
    "responsible_unit.leader_delay_min": {"zh": "涉事单位负责人到场延迟（分钟）", "en": "responsible leader's delay (min)"},
    "responsible_unit.top_leader_delay_min": {"zh": "主要领导到场延迟（分钟）", "en": "top leader's delay (min)"},
    "command.verify_min": {"zh": "核实时间（分钟）", "en": "verification time (min)"},
    "command.activate_min": {"zh": "启动预案用时（分钟）", "en": "activation time (min)"},
}
"""Other plan fields a sweep commonly varies, in words."""


def field_label(plan: Any, key: str, lang: str) -> str:
    """A swept plan field (dotted ``key``) in words: a team's field names the team; a field
    no table knows stays its key."""
    parts = key.split(".")
    teams = getattr(plan, "teams", {}) or {}
    if len(parts) == 3 and parts[0] == "teams" and parts[1] in teams:
        what = TEAM_FIELD_WORDS.get(parts[2], {}).get(lang, parts[2])
        name = teams[parts[1]].name.get(lang)
        return f"{name}：{what}" if lang == "zh" else f"{name}: {what}"
    return FIELD_WORDS.get(key, {}).get(lang, key)


def field_value(key: str, value: Any, lang: str) -> str:
    """A swept field's value in words (a release policy, a posture, yes/no), else as it is."""
    last = key.rsplit(".", 1)[-1]
    if last == "release_policy":
        return word(POLICY_WORDS, str(value), lang)
    if last == "posture":
        return word(POSTURE, str(value), lang)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return str(value)


def cell_words(plan: Any, keys: Sequence[str], values: Sequence[Any], lang: str) -> str:
    """One sweep cell in words: ``field=value`` for each swept field."""
    return ("，" if lang == "zh" else ", ").join(
        f"{field_label(plan, k, lang)}={field_value(k, v, lang)}"
        for k, v in zip(keys, values, strict=True))


def scenario_title(reps: Replications, lang: str) -> str:
    """The scenario as the setup names it: its title in ``lang`` and its name after it."""
    if not reps.variants:
        return reps.scenario
    title = reps.variants[0].inputs.scenario.title.get(lang)
    return f"{title}（{reps.scenario}）" if lang == "zh" else f"{title} ({reps.scenario})"


def plan_title(v: Any, lang: str, label: str | None = None) -> str:
    """A variant as the setup names it: the plan's title in ``lang``, and after it the
    variant's label (what the command line and the tables' headers call it) or ``label``."""
    label = v.label if label is None else label
    title = v.inputs.plan.title.get(lang)
    return f"{title}（{label}）" if lang == "zh" else f"{title} ({label})"
