"""Every claim of the report checked against the run's files.

The report (Chinese and English) is read as a reader would, and each kind of claim it makes is
checked against events.csv, timeseries.csv, metrics.json and evaluation.json: clock times,
counts, who did what, directions of change, causes, the grade and its caps. A claim the files do
not support fails the test. The default suite checks 3 scenarios x 3 plans x 1 seed; the slow
one 3 x 3 x 20.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from reports import render_md
from reports.content import build
from reports.writer import write_run
from sim.core.loading import load_drill
from sim.engine import simulate

SCENARIOS = ("gate-blockade", "small-group", "large-sit-in")
PLANS = ("linxiang", "department-3level", "enterprise")
GOOD = ("优", "良")


class Run:
    """A run's files, read back as a user would."""

    def __init__(self, folder: Path, start_clock: str):
        self.ev = pd.read_csv(folder / "events.csv", keep_default_na=False,
                              na_values={"value": [""], "t_min": [""]})
        self.ts = pd.read_csv(folder / "timeseries.csv")
        self.metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        self.evaluation = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
        hh, mm = start_clock.split(":")
        self.start = int(hh) * 60 + int(mm)

    def minute(self, h: str, m: str, next_day: bool = False) -> int:
        return int(h) * 60 + int(m) + (1440 if next_day else 0) - self.start

    def kind(self, kind: str) -> pd.DataFrame:
        return self.ev[self.ev["kind"] == kind]

    def first_call_out(self) -> int:
        """Orders to go given in the first one's clock minute (the nearest minute, as the clock
        tells it)."""
        minutes = (self.kind("dispatch_order")["t_min"] + 0.5) // 1
        return int((minutes == minutes.iloc[0]).sum())

    def at(self, kind: str, minute: int, **match) -> pd.DataFrame:
        """Events of ``kind`` within half a minute of ``minute`` (clock times are rounded, some
        from metrics.json, whose minutes are rounded to 0.01: 196.499 there is 196.5)."""
        rows = self.kind(kind)
        rows = rows[(rows["t_min"] - minute).abs() <= 0.5 + 0.01]
        for col, val in match.items():
            rows = rows[rows[col] == val]
        return rows


CLOCK = r"(次日)?(\d{1,2})时(\d{2})分"


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；])", text) if s.strip()]


def check_zh(run: Run, text: str, r) -> list[str]:
    """What the Chinese report claims that the run's files do not support."""
    bad: list[str] = []
    body, _, annex = text.partition("## 附件一")
    team_names = {t.name.zh: tid for tid, t in r.plan.teams.items()}
    unit = r.plan.responsible_unit.name.zh

    # every clock time is a time the files know (an event, the end, or T0)
    known = {round(x) for x in run.ev["t_min"]} | {0, round(float(run.ts["t_min"].iloc[-1]))}
    peak_at = float(run.ts.loc[run.ts["rumor_reach"].idxmax(), "t_min"])
    known.add(round(peak_at))  # the rumour's peak, a time of the time series
    for nd, h, m in re.findall(CLOCK + "达到峰值", body):
        if abs(run.minute(h, m, bool(nd)) - peak_at) > 1:
            bad.append("the rumour's peak time")
    for nd, h, m in re.findall(CLOCK, body):
        t = run.minute(h, m, bool(nd))
        if not any(abs(t - k) <= 1 for k in known):
            bad.append(f"clock {h}:{m} is no time in the run")

    for s in _sentences(body):
        times = [run.minute(h, m, bool(nd)) for nd, h, m in re.findall(CLOCK, s)]
        # call-outs: the count and the names are the orders given in that minute
        hit = re.search(r"通知(.+?)共(\d+)个工作组赶赴现场", s)
        if hit and times:
            orders = run.at("dispatch_order", times[0])
            named = [n for n in team_names if n in hit.group(1)]
            if int(hit.group(2)) != len(orders) or len(named) != len(orders):
                bad.append(f"call-out count: {s}")
            if {team_names[n] for n in named} != set(orders["subject"]):
                bad.append(f"call-out names: {s}")
        hit = re.search(r"首批通知(\d+)个工作组", s)
        if hit and int(hit.group(1)) != run.first_call_out():
            bad.append(f"first call-out: {s}")
        # arrivals: each team named with its time arrived then
        for name, tid in team_names.items():
            for hm in re.findall(re.escape(name) + r"(?:于|直至)" + CLOCK, s):
                t = run.minute(hm[1], hm[2], bool(hm[0]))
                if run.at("team_on_site", t, actor=tid).empty:
                    bad.append(f"arrival of {tid} at {t}: {s}")
        def told(phrase: str, s: str = s) -> list[int]:
            """The clock times told just before ``phrase`` in sentence ``s``."""
            return [run.minute(h, m, bool(nd)) for nd, h, m in
                    re.findall(CLOCK + r"(?:，[^，。；（]*?)?" + phrase, s)]

        # the top leader and the unit's leader are not confused
        for t in told("主要领导到场"):
            if run.at("top_leader_on_site", t).empty:
                bad.append(f"top leader: {s}")
        for t in told(re.escape(unit) + "负责人到场"):
            if run.at("leader_on_site", t).empty:
                bad.append(f"unit leader: {s}")
        # temperature: the direction is the direction of the change
        for a, verb, b in re.findall(r"气温由(-?[\d.]+)℃(升至|降至)(-?[\d.]+)℃", s):
            up = float(b) > float(a)
            if up != (verb == "升至") or not times or run.at("weather", times[0],
                                                           value=float(b)).empty:
                bad.append(f"temperature: {s}")
        # the crowd's state at that time
        words = {"平稳": "calm", "吵闹": "vocal", "围堵": "blocking", "推搡冲突": "scuffle"}
        for zh, en in words.items():
            for t in told(f"现场态势转为“{zh}”"):
                if run.at("crowd_state", t, subject=en).empty:
                    bad.append(f"crowd state: {s}")
        # causes: onlookers drawn by the rumour only when the rumour was online before a cordon
        if "吸引了" in s and "围观群众" in s:
            cordon = run.metrics["cordon_min"]
            before = run.ts if cordon is None else run.ts[run.ts["t_min"] < cordon]
            if before["rumor_reach"].max() <= 0:
                bad.append(f"drawn by the rumour: {s}")
        # statements and the policy
        for t in told("发布权威信息") + told("发布，"):
            if run.at("statement_issued", t).empty and run.at("decision", t).empty:
                bad.append(f"statement: {s}")
        if "未对外发布权威信息" in s and not run.kind("statement_issued").empty:
            bad.append(f"statement denied: {s}")
        # agreement and clearing
        for t in told("达成承诺"):
            if run.at("agreement", t).empty:
                bad.append(f"agreement: {s}")
        for t in told("现场疏散完毕"):
            if run.at("cleared", t).empty:
                bad.append(f"cleared: {s}")
        # counts of scuffles, injuries and patients
        hit = re.search(r"全程共发生(\d+)次.*?(\d+)人受伤", s)
        if hit and (int(hit.group(1)) != run.metrics["scuffles"]
                    or int(hit.group(2)) != run.metrics["injuries"]):
            bad.append(f"scuffles: {s}")
        hit = re.search(r"共有(\d+)名群众伤病", s)
        if hit and int(hit.group(1)) != len(run.kind("health_incident")) + len(run.kind("injury")):
            bad.append(f"patients: {s}")
        hit = re.search(r"发生推搡冲突(\d+)次，伤病(\d+)人次", s)
        if hit and (int(hit.group(1)) != run.metrics["scuffles"]
                    or int(hit.group(2)) != run.metrics["health_incidents"]):
            bad.append(f"effect counts: {s}")

    # no "no statement" policy told after a statement was issued (the trial's contradiction)
    stated = run.kind("statement_issued")
    if not stated.empty:
        first = float(stated["t_min"].iloc[0])
        for n in re.findall(r"（T\+(\d+)）[^\n]*信息发布政策为不对外发布", text):
            if int(n) >= round(first):
                bad.append("the silent policy told after a statement")

    # names, never ids; no level named twice
    if re.search(r"[（(][a-z_]+[)）]", body):
        bad.append("an English id in brackets in the Chinese text")
    for tid in r.plan.teams:
        if re.search(rf"(?<![\w.\[=]){re.escape(tid)}(?![\w\]])", body):
            bad.append(f"the id {tid!r} in the Chinese text")
    if "级级" in body or "响应响应" in body:
        bad.append("a level named twice")
    if "预案规定的" in body and "时限" in body.split("预案规定的", 1)[1][:6]:
        bad.append("the drill's criteria called the plan's")
    # model internals only in the method annex
    if "随机种子" in body.split("## 三、")[0] or "熟悉度" in body.split("## 三、")[0]:
        bad.append("model inputs among the basics")
    if str(r.seed) not in annex or r.plan_label not in annex.replace("\\", ""):
        bad.append("the method annex lacks the seed or the variant")

    # the grade and its caps
    grade = run.evaluation["grade"]["zh"]
    if f"评定等级：{grade}" not in body:
        bad.append("the grade in the report is not evaluation.json's")
    m = run.metrics
    harmful = (m["outcome"] == "escalated" or m["injuries"] > 0
               or (m["agreement_min"] is None and not m["resolving_at_end"])
               or (m["rumor_peak_reach"] >= 0.05 and m["first_statement_min"] is None))
    if harmful and grade in GOOD:
        bad.append(f"graded {grade} though the run ended badly")
    # challenges in their window
    for task in run.evaluation["tasks"]:
        if task["key"] in ("restraint", "medical") or task["measured_min"] is None:
            continue
        for c in task["challenges"]:
            if c["t_min"] > task["measured_min"] + 1e-6:
                bad.append(f"challenge after the end of {task['id']}")
    return bad


def check_en(run: Run, text: str, r) -> list[str]:
    """The English report mirrors the Chinese one: its own checkable claims."""
    bad = []
    body = text.partition("## Annex 1")[0]
    for verb, a, b in re.findall(r"temperature (rose|fell) from (-?[\d.]+) °C to (-?[\d.]+) °C",
                                 body):
        if (float(b) > float(a)) != (verb == "rose"):
            bad.append("temperature direction (en)")
    hit = re.search(r"ordered (\d+) teams? to the site", body)
    if hit and int(hit.group(1)) != run.first_call_out():
        bad.append("call-out count (en)")
    if re.search(r"[\u4e00-\u9fff]", body.split("## 1.")[1] if "## 1." in body else ""):
        bad.append("Chinese text in the English report")
    grade = run.evaluation["grade"]["en"]
    if f"grade: {grade}" not in body:
        bad.append("grade (en)")
    return bad


def _one(tmp_path: Path, scenario: str, plan: str, seed: int) -> list[str]:
    r = simulate(load_drill(scenario, plan, []), seed)
    out = tmp_path / f"{scenario}-{plan}-{seed}"
    write_run(r, out, "zh", [])
    run = Run(out, r.scenario.start_clock)
    bad = check_zh(run, render_md.render(build(r, "zh", charts=False)), r)
    bad += check_en(run, render_md.render(build(r, "en", charts=False)), r)
    return [f"{scenario}/{plan}/seed {seed}: {b}" for b in bad]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("plan", PLANS)
def test_every_claim_is_in_the_files(tmp_path, scenario, plan):
    assert not _one(tmp_path, scenario, plan, 3)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("plan", PLANS)
def test_every_claim_is_in_the_files_over_20_seeds(tmp_path, scenario, plan):
    bad = []
    for seed in range(20):
        bad += _one(tmp_path, scenario, plan, 100 + seed)
    assert not bad, "\n".join(bad[:20])


def test_the_checks_catch_wrong_claims(tmp_path):
    """The checks can fail: wrong statements of the kinds the trial found are caught."""
    r = simulate(load_drill("gate-blockade", None, []), 1)
    write_run(r, tmp_path, "zh", [])
    run = Run(tmp_path, r.scenario.start_clock)
    text = render_md.render(build(r, "zh", charts=False))
    assert not check_zh(run, text, r)
    body, annex = text.split("## 附件一", 1)
    wrong = [
        body.replace("共4个工作组", "共5个工作组", 1),
        body + "\n\n10时00分，气温由28℃降至30℃。\n",
        body + "\n\n9时30分，谣言扩散约吸引了20名围观群众到场。\n" if r.metrics["cordon_min"] and
        run.ts[run.ts["t_min"] < r.metrics["cordon_min"]]["rumor_reach"].max() <= 0 else None,
        body.replace("主要领导到场", f"{r.plan.responsible_unit.name.zh}负责人到场", 1),
        body + "\n\n宣布启动一般级级响应。\n",
        body + "\n\n接访对话组（dialogue）到场。\n",
    ]
    for w in wrong:
        if w is not None:
            assert check_zh(run, w + "## 附件一" + annex, r), w[-80:]


def test_the_talks_waits_total_is_the_sum_of_the_waits_listed():
    from reports.evaluation import shown_wait_minutes

    for seed in range(1, 6):
        r = simulate(load_drill("gate-blockade"), seed)
        ev = r.events
        waits = ev.loc[ev["kind"] == "talks_resumed", "value"]
        assert shown_wait_minutes(r) == sum(math.floor(w + 0.5) for w in waits)
        text = render_md.render(build(r, "zh", charts=False))
        if len(waits):
            assert f"累计{shown_wait_minutes(r)}分钟" in text


def test_an_objectives_deadline_has_the_precision_of_the_ratings_table():
    from reports.content import _deadline, fmt_min

    assert _deadline(33.0) == "+33" and _deadline(-13.0) == "-13"
    assert _deadline(32.9) == "+32.9" and fmt_min(32.9, "zh") == "32.9"
