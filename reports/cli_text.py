"""The command line's own words in Chinese and English: what it prints while it works, its
warnings and notes, and its last word when a command stops early. Each text is
``{"zh": ..., "en": ...}``; :func:`say` picks and formats one.

Problems with a file (bad input) are told in the loader's words, which name the file, the
field and the line; they are not in this table.
"""

from __future__ import annotations

from reports.i18n import lookup

TEXT: dict[str, dict[str, str]] = {
    "simulating": {"zh": "推演进行中…", "en": "simulating…"},
    "writing": {"zh": "正在生成报告…", "en": "writing reports…"},
    "writing_one": {"zh": "正在生成报告…", "en": "writing the report…"},
    "runs_per_s": {"zh": "{rate}次/秒", "en": "{rate} runs/s"},
    "left": {"zh": "剩余", "en": "left"},
    "warning": {"zh": "警告：{text}", "en": "warning: {text}"},
    "note": {"zh": "提示：{text}", "en": "note: {text}"},
    "decisions_scenario": {
        "zh": "{path} 记录的是想定 {recorded!r}，而不是 {now!r}",
        "en": "{path} was recorded for scenario {recorded!r}, not {now!r}"},
    "decisions_plan": {
        "zh": "{path} 记录时使用预案 {recorded!r}；本次按 {now!r} 复演",
        "en": "{path} was recorded under plan {recorded!r}; replaying under {now!r}"},
    "decisions_seed": {
        "zh": "{path} 记录时的随机种子为 {recorded}；本次以种子 {now} 复演",
        "en": "{path} was recorded with seed {recorded}; replaying with seed {now}"},
    "replay_waits": {
        "zh": "第{point}号决策（{label}）记录于T+{t:g}，此时在本次推演中无法执行，顺延至可以执行时",
        "en": "decision {point} ({label}) recorded at T+{t:g} is not possible then; it waits "
              "until it is"},
    "replay_moved": {
        "zh": "第{point}号决策（{label}）记录于T+{t:g}，实际于T+{now:g}执行",
        "en": "decision {point} ({label}) recorded at T+{t:g} was applied at T+{now:g}"},
    "replay_never": {
        "zh": "有{count}项记录的决策始终未执行：推演先行结束，或该决策在本次推演中始终无法执行",
        "en": "recorded decisions never applied: {count} (the drill ended first, or they were "
              "never possible in this run)"},
    "failed": {
        "zh": "{total}次推演中有{n}次出错（错误追踪见 {path}）；第一次：{where}，第{rep}次重复，种子{seed}：",
        "en": "{n} of {total} replications failed (tracebacks in {path}); first: {where}, "
              "rep {rep}, seed {seed}:"},
    "failed_plan": {"zh": "预案 {name}", "en": "plan {name}"},
    "failed_point": {"zh": "设计点 {name}", "en": "point {name}"},
    "jobs_capped": {
        "zh": "--jobs {asked}：本机允许本命令使用{cores}个核心，将启动{workers}个工作进程",
        "en": "--jobs {asked}: this machine lets the command use {cores} cores; running "
              "{workers} worker processes"},
    "csv_cut": {
        "zh": "{path} 的最后一行不完整：该次推演的记录可能被截断",
        "en": "{path} ends in the middle of a line: the run's record may be cut short"},
    "plan_changed": {
        "zh": "{path} 在推演之后已修改（预案名现为 {now!r}，而非 {recorded!r}）；回放按现在的文件生成",
        "en": "{path} has changed since the run (its plan is now named {now!r}, not "
              "{recorded!r}); the replay uses it as it is"},
    "inputs_unread": {
        "zh": "无法读取 {folder} 的预案和想定（{where}）；回放中工作组和导调注入以编号显示",
        "en": "the plan and scenario of {folder} cannot be read ({where}); the replay shows "
              "team and inject ids"},
    "clock_unknown": {"zh": "，时钟从09:00起算", "en": " and a clock from 09:00"},
    "not_recorded": {"zh": "（未记录）", "en": "(not recorded)"},
    "no_record": {
        "zh": "{folder} 中没有可读的 evaluation.json 或 metrics.json：该次推演的预案、想定和时钟未知",
        "en": "{folder} has no readable evaluation.json or metrics.json: the run's plan, "
              "scenario and clock are not known"},
    "written_one": {"zh": "[bold]已写入[/] {path}", "en": "[bold]written[/] {path}"},
    "input_problems": {"zh": "输入有误，共{n}处（以下逐条为“文件:行号: 字段: 问题”，英文说明之后的“——”后为中文；个别只有英文）：",
                       "en": "bad input, {n} problem(s):"},
    "interrupted": {"zh": "已中断；输出文件夹保持原样",
                    "en": "interrupted; the output folder was left as it was"},
    "cannot_write": {
        "zh": "错误：无法写入输出：{why}{where}；输出文件夹保持原样",
        "en": "error: cannot write the output: {why}{where}; the output folder was left as it was"},
    "internal": {"zh": "内部错误：{exc}", "en": "internal error: {exc}"},
    "error": {"zh": "错误：{text}", "en": "error: {text}"},
}


def say(key: str, lang: str, **fmt) -> str:
    """The command line's text ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``fmt``."""
    return lookup(TEXT, key, lang if lang in ("zh", "en") else "en", **fmt)
