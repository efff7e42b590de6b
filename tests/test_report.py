"""The post-drill evaluation and report: gaps appear exactly when their cause is in the run,
every number in the report comes from the run's files, and every format opens."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reports.content import build
from reports.evaluation import evaluate, rules
from reports.writer import write_run
from sim.core.loading import DRILLS_DIR, load_drill
from sim.engine import simulate

SEEDS = (1, 2, 3)


def variant(tmp_path: Path, base: str, name: str, edit) -> str:
    """Write an edited copy of a bundled scenario and return its path."""
    data = yaml.safe_load((DRILLS_DIR / f"{base}.yaml").read_text(encoding="utf-8"))
    edit(data)
    data["name"] = name
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def clean(data: dict) -> None:
    """Well-trained teams, reliable channels, no questions to wait on, no injects."""
    data["familiarity"] = {t: 1.0 for t in
                           ("command", "order", "dialogue", "persuasion", "logistics", "medical")}
    data["parameters"] = {"comms": {"loss_prob": 0.0},
                          "dialogue": {"loudspeaker_fail_per_hour": 0.0},
                          "rumour": {"escalation_seed_share": 0.0}}
    data["talks"]["questions"] = 0
    data["injects"] = []


def findings(ref: str, seed: int, plan: str | None = None, sets=None):
    r = simulate(load_drill(ref, plan, sets), seed)
    return r, evaluate(r)


# ----------------------------------------------------------------------------- gaps


@pytest.mark.parametrize("seed", SEEDS)
def test_failing_loudspeaker_gives_an_equipment_finding_naming_it_and_its_delay(seed):
    r, e = findings("gate-blockade", seed)
    f = e.finding("equipment")
    assert f is not None
    failures = [x for x in f.facts["failures"] if x["item"] == "loudspeaker"]
    assert failures and failures[0]["team"] == "dialogue"
    assert failures[0]["failed_min"] == 32.0  # the inject's time
    assert failures[0]["out_min"] > 0 and failures[0]["during"]["explaining"] > 0
    assert any(m.cause == "equipment_failed" and m.subject == "loudspeaker" for m in f.measures)


@pytest.mark.parametrize("seed", SEEDS)
def test_no_loudspeaker_finding_without_the_failure(tmp_path, seed):
    def edit(d):
        d["injects"] = [i for i in d["injects"] if i["kind"] != "equipment_failure"]
        d["parameters"] = {"dialogue": {"loudspeaker_fail_per_hour": 0.0}}

    _, e = findings(variant(tmp_path, "gate-blockade", "no-failure", edit), seed)
    f = e.finding("equipment")
    assert f is None or not f.facts["failures"]


@pytest.mark.parametrize("seed", SEEDS)
def test_low_familiarity_gives_familiarity_findings_that_cite_the_slips(tmp_path, seed):
    def edit(d):
        d["familiarity"] = {t: 0.1 for t in ("command", "order", "dialogue", "persuasion",
                                             "logistics", "medical")}

    r, e = findings(variant(tmp_path, "gate-blockade", "untrained", edit), seed)
    f = e.finding("familiarity")
    assert f is not None and f.facts["slips"] >= 2
    assert len(f.evidence) >= 2
    kinds = set(r.events.loc[f.evidence, "kind"])
    assert kinds <= {"slip_late", "slip_incomplete", "message_misdirected"}
    slipping = set(r.events.loc[f.evidence, "actor"])
    assert {m.owner for m in f.measures} <= slipping | {r.plan.command.team}


@pytest.mark.parametrize("seed", SEEDS)
def test_comms_outage_gives_coordination_findings(tmp_path, seed):
    def edit(d):
        clean(d)
        d["injects"] = [{"id": "OUT", "at_min": 10, "kind": "comms_outage", "duration_min": 40}]

    r, e = findings(variant(tmp_path, "gate-blockade", "outage", edit), seed)
    f = e.finding("coordination")
    assert f is not None and f.facts["lost"] + f.facts["resent"] >= 1
    lost = r.events.loc[f.evidence]
    assert (lost["kind"] == "message_lost").any()
    assert ((lost["kind"] == "message_lost") & lost["t_min"].between(10, 50)).any()
    assert any(m.cause in ("message_lost", "comms_outage") for m in f.measures)


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_run_has_no_coordination_finding(tmp_path, seed):
    _, e = findings(variant(tmp_path, "gate-blockade", "clean", clean), seed)
    assert e.finding("coordination") is None
    assert e.finding("familiarity") is None


@pytest.mark.parametrize("seed", SEEDS)
def test_silent_policy_with_a_posted_video_gives_a_public_opinion_finding(seed):
    r, e = findings("gate-blockade", seed)
    assert r.plan.publicity.release_policy.value == "silent"
    f = e.finding("public_opinion")
    assert f is not None
    assert f.facts["policy"] == "silent" and f.facts["first_statement_min"] is None
    assert f.facts["rumor_peak_reach"] == r.metrics["rumor_peak_reach"] >= 0.05
    assert "rumour_posted" in set(r.events.loc[f.evidence, "kind"])
    assert f.measures[0].cause == "rumour_silent"


@pytest.mark.parametrize("seed", SEEDS)
def test_no_public_opinion_finding_without_a_video(tmp_path, seed):
    def edit(d):
        rumours = {i["id"] for i in d["injects"] if i["kind"] == "rumour"}
        d["injects"] = [i for i in d["injects"]
                        if i["id"] not in rumours and i.get("contingency_for") not in rumours]
        d["parameters"] = {"rumour": {"escalation_seed_share": 0.0}}

    _, e = findings(variant(tmp_path, "gate-blockade", "no-video", edit), seed)
    assert e.finding("public_opinion") is None


@pytest.mark.parametrize("seed", SEEDS)
def test_proactive_statement_in_time_avoids_the_public_opinion_finding(seed):
    _, e = findings("gate-blockade", seed, sets=["publicity.release_policy=proactive"])
    assert e.finding("public_opinion") is None


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_run_with_trained_teams_has_few_findings_and_high_ratings(tmp_path, seed):
    _, e = findings(variant(tmp_path, "small-group", "clean-small", clean), seed)
    assert len(e.findings) <= 1
    counts = e.counts()
    assert counts["U"] == 0
    assert e.score >= 75


def test_rating_rule():
    from reports.evaluation import rate

    assert rate(10, 8, False, False) == ("P", "within_target")
    assert rate(10, 8, True, False) == ("S", "challenges")
    assert rate(10, 12, False, False) == ("S", "slightly_over")
    assert rate(10, 12.6, False, False) == ("M", "over_target")
    assert rate(10, None, False, False) == ("U", "not_performed")
    assert rate(10, 5, False, True) == ("M", "harm")


# ----------------------------------------------------------------------------- numbers


def _source_numbers(out: Path) -> set[str]:
    """Every number the run's files hold, in the forms the report prints them."""
    values: list[float] = []

    def walk(obj):
        if isinstance(obj, bool):
            return
        if isinstance(obj, (int, float)):
            values.append(float(obj))
        elif isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)
        elif isinstance(obj, str):
            values.extend(float(x) for x in re.findall(r"\d+(?:\.\d+)?", obj))

    walk(json.loads((out / "metrics.json").read_text(encoding="utf-8")))
    walk(json.loads((out / "evaluation.json").read_text(encoding="utf-8")))
    ev = pd.read_csv(out / "events.csv")
    values += ev["t_min"].tolist() + ev["value"].dropna().tolist()
    ts = pd.read_csv(out / "timeseries.csv")
    values.append(float(ts["crowd_present"].iloc[-1]))  # petitioners still there at the end
    return values


def _forms(values: list[float]) -> set[str]:
    forms = set()
    for v in values:
        forms |= {f"{v:.0f}", f"{v:.1f}", f"{v:g}", f"{v * 100:.1f}", f"{v * 100:.0f}",
                  f"{abs(v):.1f}", f"{abs(v):.0f}"}
    return forms


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_number_in_the_report_comes_from_the_run(tmp_path, lang):
    inputs = load_drill("gate-blockade")
    r = simulate(inputs, 4)
    write_run(r, tmp_path, lang, ["md"])
    sc, plan = inputs.scenario, inputs.plan
    values = _source_numbers(tmp_path)
    values += [sc.weather.temperature_c, sc.weather.humidity_pct, sc.site.area_m2]
    values += [t.size for t in plan.teams.values()] + [t.familiarity for t in plan.teams.values()]
    values += r.teams["dispatched_min"].dropna().tolist() + r.teams["on_site_min"].dropna().tolist()
    values += [len(plan.teams), sum(t.size for t in plan.teams.values())]
    values += [inputs.params.crowd.cleared_share]  # the clearance rule the report states
    values += [r.seed, sc.end.max_min, rules()["criteria"]["statement_after_rumour_min"],
               rules()["gaps"]["rumour_reach"]]  # the method annex; the drill's own criterion
    # the plan's annex prints the plan as the drill used it: every figure the plan file gives
    plan_numbers = re.findall(r"\d+(?:\.\d+)?", inputs.plan.model_dump_json())
    values += [float(n) for n in plan_numbers]
    allowed = _forms(values) | set(plan_numbers)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    strange = []
    start = int(sc.start_clock[:2]) * 60 + int(sc.start_clock[3:])
    for line in text.splitlines():
        if line.startswith("#") or line.startswith("!["):
            continue  # headings carry section numbers; images carry file names
        # a clock time is a time from T0 told from the scenario's start: it must be one too
        for h, mm in re.findall(r"(\d{1,2})(?:时|:)(\d{2})分?", line):
            strange += [] if f"{int(h) * 60 + int(mm) - start}" in allowed else [f"{h}:{mm}"]
        line = re.sub(r"\d{1,2}(?:时|:)\d{2}分?", "", line)
        line = re.sub(r"^\d+\. ", "", line)  # numbered gap titles
        line = re.sub(r"\((linxiang|[\w-]+)\)", "", line)  # ids in brackets
        strange += [n for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", line) if n not in allowed]
    assert not strange, f"numbers with no source in the run: {sorted(set(strange))[:20]}"


def test_ratings_table_matches_evaluation_and_metrics(tmp_path):
    r = simulate(load_drill("gate-blockade"), 5)
    write_run(r, tmp_path, "en", ["md"])
    evaluation = json.loads((tmp_path / "evaluation.json").read_text(encoding="utf-8"))
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    tasks = {t["id"]: t for t in evaluation["tasks"]}
    assert tasks["first_report"]["measured_min"] == metrics["first_report_min"]
    assert tasks["agreement"]["measured_min"] == metrics["agreement_min"]
    assert tasks["cleared"]["measured_min"] == metrics["cleared_min"]
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| First report |"))
    assert f"| {metrics['first_report_min']:.1f} |" in row
    assert f"Score {evaluation['score']:.1f} of 100" in text
    pts = evaluation["points"]
    rated = [pts[t["rating"]] for t in evaluation["tasks"] if t["rating"] != "NA"]
    assert evaluation["score"] == round(sum(rated) / len(rated), 1)


# ----------------------------------------------------------------------------- formats


@pytest.mark.parametrize("lang, scenario", [
    ("zh", "gate-blockade"), ("en", "small-group"),
    *(pytest.param(lang, scenario, marks=pytest.mark.slow)
      for lang, scenario in [("zh", "small-group"), ("zh", "large-sit-in"),
                             ("en", "gate-blockade"), ("en", "large-sit-in")]),
])
def test_reports_for_every_bundled_scenario_in_both_languages(tmp_path, scenario, lang):
    from docx import Document as WordDocument

    r = simulate(load_drill(scenario), 1)
    write_run(r, tmp_path, lang, ["md", "html", "docx"])
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    headings = {"zh": ["一、演练基本情况", "二、演练过程", "三、演练效果评估", "四、改进措施"],
                "en": ["1. Overview", "2. Conduct of the drill", "3. Evaluation",
                       "4. Improvement measures"]}[lang]
    for h in headings:
        assert f"## {h}" in md
    for chart in ("gantt.svg", "crowd.svg", "response.svg"):
        assert (tmp_path / "charts" / chart).stat().st_size > 5000
        assert f"(charts/{chart})" in md
    word = WordDocument(str(tmp_path / "report.docx"))
    titles = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    for h in headings:
        assert h in titles
    header_rows = [[c.text for c in t.rows[0].cells] for t in word.tables]
    rating_col = {"zh": "评定", "en": "Rating"}[lang]
    assert any(rating_col in row for row in header_rows), "no ratings table in the Word file"
    assert len(word.inline_shapes) >= 3
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3 and "<script" not in html.lower()


def test_inject_clauses_show_under_the_plan_the_scenario_names_by_file(tmp_path):
    """A scenario naming its plan by a file path is under its own plan: the clauses show."""
    from reports.content import build

    (tmp_path / "my-plan.yaml").write_text("extends: linxiang\nname: training-centre\n",
                                          encoding="utf-8")
    data = yaml.safe_load((DRILLS_DIR / "gate-blockade.yaml").read_text(encoding="utf-8"))
    data["plan"] = "my-plan.yaml"
    (tmp_path / "drill.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                         encoding="utf-8")
    own = load_drill(str(tmp_path / "drill.yaml"))
    assert own.own_plan
    assert load_drill(str(tmp_path / "drill.yaml"), str(tmp_path / "my-plan.yaml")).own_plan
    other = load_drill(str(tmp_path / "drill.yaml"), "generic")
    assert not other.own_plan
    texts = {}
    for key, inputs in (("own", own), ("other", other)):
        doc = build(simulate(inputs, 3), "en", charts=False)
        texts[key] = "\n".join(str(b) for s in doc.sections for b in s.blocks)
    assert "§4.1" in texts["own"] and "cite the scenario's own plan" not in texts["own"]
    assert "§4.1" not in texts["other"] and "cite the scenario's own plan" in texts["other"]


def test_a_half_minute_shows_the_same_minute_on_the_clock_and_after_t0():
    from reports.narrative import Clock

    clock = Clock(14 * 60 + 30)
    assert clock.stamp(50.5, "en") == "15:21 (T+51)"
    assert clock.stamp(49.5, "en") == "15:20 (T+50)"   # round() would say T+50 for 50.5
    assert clock.stamp(-1.5, "en") == "14:29 (T-1)"


def test_english_counts_take_the_right_number():
    from reports.i18n import count_en

    assert count_en(1, "slip") == "1 slip" and count_en(3, "slip") == "3 slips"
    assert count_en(2, "later call-out") == "2 later call-outs"
    assert count_en(1, "person", "people") == "1 person"
    assert count_en(0, "person", "people") == "0 people"


def test_the_event_record_annex_does_not_reuse_section_twos_numbers():
    from reports.render_md import render

    r = simulate(load_drill("gate-blockade"), 1)
    for lang, numbered in (("en", "### 2.1 Report and response"),
                           ("zh", "### （一）事件报告与响应")):
        text = render(build(r, lang, charts=False))
        annex = text.split("## " + ("Annex 3" if lang == "en" else "附件三"), 1)[1]
        assert text.count(numbered) == 1 and numbered not in annex
