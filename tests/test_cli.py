"""The command line's happy paths and the files `run` writes (INTERFACE.md)."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from sim.core.loading import bundled, load_drill
from tests.conftest import ROOT, call_cli

METRIC_KEYS = {
    "scenario", "plan", "seed", "level", "peak_crowd", "peak_mean_agitation", "max_crowd_state",
    "first_report_min", "plan_activated_min", "first_team_on_site_min", "team_on_site_min",
    "dialogue_start_min", "representatives_min", "agreement_min", "cleared_min", "scuffles",
    "injuries", "health_incidents", "medical_response_mean_min", "medical_response_max_min",
    "first_statement_min", "rumor_peak_reach", "rumor_reach_at_statement", "equipment_failures",
    "messages_sent", "messages_late", "messages_lost", "outcome",
}
OUTCOMES = {"resolved", "dispersed_unresolved", "ongoing_at_end", "escalated"}
CROWD_STATES = {"calm", "vocal", "blocking", "scuffle"}
LINXIANG_TEAMS = {"command", "order", "dialogue", "persuasion", "logistics", "medical"}
TIMESERIES_COLUMNS = ["t_min", "crowd_present", "onlookers", "mean_agitation", "active_share",
                      "crowd_state", "rumor_reach"]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]


# --------------------------------------------------------------------------- runs (module-wide)


@pytest.fixture(scope="module")
def sg_run(tmp_path_factory):
    """`run small-group --seed 3 --lang en --formats md,html,docx` into a fresh folder."""
    out = tmp_path_factory.mktemp("sg") / "out"
    res = call_cli("run", "small-group", "--seed", "3", "--out", str(out), "--lang", "en",
                   "--formats", "md,html,docx")
    return res, out


@pytest.fixture(scope="module")
def gb_default(tmp_path_factory):
    """`run gate-blockade --seed 2` with no --out, from an empty working folder."""
    cwd = tmp_path_factory.mktemp("cwd")
    res = call_cli("run", "gate-blockade", "--seed", "2", "--lang", "en", cwd=cwd)
    return res, cwd / "out" / "gate-blockade-linxiang-seed2", cwd


# --------------------------------------------------------------------------- list, help, usage


def test_list_names_every_bundled_plan_and_scenario():
    res = call_cli("list")
    assert res.returncode == 0, res.stderr
    names = [p.stem for p in bundled("plans") + bundled("drills")]
    assert {"linxiang", "small-group", "gate-blockade"} <= set(names)
    for name in names:
        assert name in res.stdout, f"{name} missing from:\n{res.stdout}"


def test_help_shows_an_example():
    res = call_cli("--help")
    assert res.returncode == 0, res.stderr
    assert "Example" in res.stdout and "run gate-blockade" in res.stdout
    for command in ("run", "compare", "sweep", "sensitivity", "room", "replay", "validate",
                    "list"):
        res = call_cli(command, "--help")
        assert res.returncode == 0, res.stderr
        assert "Example" in res.stdout, command


@pytest.mark.parametrize("args", [
    ["--formats", "pdf"],
    ["--formats", "md,pdf"],
    ["--seed", "-1"],
    ["--seed", "three"],
], ids=["formats-pdf", "formats-md-pdf", "seed-negative", "seed-word"])
def test_bad_options_exit_2(tmp_path, args):
    out = tmp_path / "out"
    res = call_cli("run", "small-group", *args, "--out", str(out))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    assert args[0] in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("value", ["1_000", "\u0663", "2.5", "+"])
def test_counts_are_plain_digits(tmp_path, value):
    res = call_cli("compare", "small-group", "--plans", "linxiang", "--reps", "2", "--batch",
                   value, "--quiet", "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "--batch must be a whole number" in res.stderr, res.stderr


def test_a_base_seed_whose_replications_could_not_be_replayed_is_refused(tmp_path):
    import run_drill
    from sim.montecarlo.replicate import SEED_STRIDE, replication_seed

    assert run_drill.SEED_STRIDE == SEED_STRIDE
    assert replication_seed(run_drill.MAX_BASE_SEED, SEED_STRIDE - 1) <= run_drill.MAX_SEED
    res = call_cli("compare", "small-group", "--plans", "linxiang", "--reps", "2", "--seed",
                   str(run_drill.MAX_BASE_SEED + 1), "--quiet", "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "base seed must be 0 to" in res.stderr, res.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- run small-group


def test_run_small_group_exits_0(sg_run):
    res, out = sg_run
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    for name in ("events.csv", "timeseries.csv", "metrics.json", "evaluation.json",
                 "report.md", "report.html", "report.docx"):
        assert (out / name).is_file(), name


def test_events_csv_columns(sg_run):
    _, out = sg_run
    columns, rows = read_csv(out / "events.csv")
    assert columns[:4] == ["t_min", "actor", "kind", "detail"]
    assert rows


def test_timeseries_csv_columns(sg_run):
    _, out = sg_run
    columns, rows = read_csv(out / "timeseries.csv")
    assert set(TIMESERIES_COLUMNS) <= set(columns), columns
    assert rows
    assert {r["crowd_state"] for r in rows} <= CROWD_STATES
    for r in rows:
        assert 0 <= float(r["rumor_reach"]) <= 1
        assert 0 <= float(r["active_share"]) <= 1


def test_metrics_json(sg_run):
    _, out = sg_run
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert set(m) >= METRIC_KEYS, sorted(METRIC_KEYS - set(m))
    assert (m["scenario"], m["plan"], m["seed"]) == ("small-group", "linxiang", 3)
    assert m["outcome"] in OUTCOMES
    assert m["max_crowd_state"] in CROWD_STATES
    assert isinstance(m["team_on_site_min"], dict)
    assert set(m["team_on_site_min"]) == LINXIANG_TEAMS
    for value in m["team_on_site_min"].values():
        assert value is None or isinstance(value, (int, float))
    assert m["level"] is None or isinstance(m["level"], str)


def test_evaluation_json(sg_run):
    """evaluation.json: ratings that add up to the score, times that are the metrics', evidence
    that points at real rows of events.csv, and every inject of the scenario."""
    _, out = sg_run
    ev = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (ev["scenario"], ev["plan"], ev["seed"]) == ("small-group", "linxiang", 3)
    tasks = {t["id"]: t for t in ev["tasks"]}
    assert {"first_report", "cleared"} <= set(tasks)
    assert tasks["first_report"]["measured_min"] == m["first_report_min"]
    assert tasks["cleared"]["measured_min"] == m["cleared_min"]
    ratings = [t["rating"] for t in ev["tasks"]]
    assert set(ratings) <= {"P", "S", "M", "U", "NA"}
    assert ev["counts"] == {k: Counter(ratings)[k] for k in ev["counts"]}
    assert sum(ev["counts"].values()) == len(ratings)
    rated = [ev["points"][r] for r in ratings if r != "NA"]
    assert rated and ev["score"] == round(sum(rated) / len(rated), 1)
    grade = next(g for g in ev["grades"] if ev["score"] >= g["min"])
    assert ev["grade"] == {"zh": grade["zh"], "en": grade["en"]}
    _, events = read_csv(out / "events.csv")
    for finding in ev["findings"]:
        assert finding["evidence"], finding["gap"]
        for item in finding["evidence"]:
            row = events[item["event_row"]]
            assert (float(row["t_min"]), row["kind"]) == (item["t_min"], item["kind"])
    assert {m["gap"] for m in ev["improvement_plan"]} <= {f["gap"] for f in ev["findings"]}
    scenario = load_drill("small-group").scenario
    assert [i["inject"] for i in ev["injects"]] == [i.id for i in scenario.injects]


def test_reports_md_and_html(sg_run):
    _, out = sg_run
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    title = load_drill("small-group").scenario.title.get("en")
    assert md.startswith(f"# {title}")
    sections = ["1. Overview", "2. Conduct of the drill", "3. Evaluation",
                "4. Improvement measures"]
    for h in sections:
        assert f"## {h}" in md and f">{h}</h2>" in html, h
    for chart in ("gantt", "crowd", "response"):
        assert f"charts/{chart}.svg" in md
        assert (out / "charts" / f"{chart}.svg").stat().st_size > 5000
    assert not list((out / "charts").glob("*.png"))  # no Word asked: no PNG drawn
    assert html.lstrip().lower().startswith("<!doctype html>") and html.count("<svg") >= 3


def test_report_docx_has_the_report_sections(sg_run):
    import docx

    _, out = sg_run
    document = docx.Document(str(out / "report.docx"))
    headings = [p.text for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title")) and p.text.strip()]
    for h in ("1. Overview", "2. Conduct of the drill", "3. Evaluation",
              "4. Improvement measures"):
        assert h in headings, headings
    assert len(document.inline_shapes) >= 3  # the charts


# --------------------------------------------------------------------------- default folder


def test_default_output_folder(gb_default):
    res, out, cwd = gb_default
    assert res.returncode == 0, res.stderr
    assert out.is_dir(), sorted(str(p.relative_to(cwd)) for p in cwd.rglob("*"))
    for name in ("events.csv", "timeseries.csv", "metrics.json", "evaluation.json",
                 "report.md", "report.html"):
        assert (out / name).is_file(), name
    assert not (out / "report.docx").exists()  # default formats: md and html
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (m["scenario"], m["plan"], m["seed"]) == ("gate-blockade", "linxiang", 2)


# --------------------------------------------------------------------------- properties of outputs


@pytest.mark.parametrize("which", ["sg_run", "gb_default"])
def test_no_temp_files_left(request, which):
    out = request.getfixturevalue(which)[1]
    assert out.is_dir()
    assert temp_files(out) == []


@pytest.mark.parametrize("which", ["sg_run", "gb_default"])
def test_events_ordered_by_time(request, which):
    out = request.getfixturevalue(which)[1]
    _, rows = read_csv(out / "events.csv")
    times = [float(r["t_min"]) for r in rows]
    assert len(times) > 1
    assert times == sorted(times)


# --------------------------------------------------------------------------- HTML escaping


def test_html_report_escapes_scenario_text(tmp_path):
    script = "<script>alert(1)</script>"
    lines = (ROOT / "scenarios" / "drills" / "small-group.yaml").read_text(encoding="utf-8") \
        .splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    assert lines[start + 1].startswith("  zh:") and lines[start + 2].startswith("  en:")
    lines[start + 1] = f"  zh: {script}\n"
    lines[start + 2] = f"  en: {script}\n"
    path = tmp_path / "xss.yaml"
    path.write_text("".join(lines), encoding="utf-8")

    out = tmp_path / "out"
    res = call_cli("run", str(path), "--formats", "html", "--lang", "en", "--out", str(out),
                   "--quiet")
    assert res.returncode == 0, res.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert script not in html
    assert "&lt;script&gt;" in html
    assert not (out / "report.md").exists()


# --------------------------------------------------------------------------- optional extras


def test_dask_backend_without_dask_is_bad_input(tmp_path, monkeypatch):
    """Without the cluster extra, --backend dask says what to install and exits 2."""
    monkeypatch.setitem(sys.modules, "dask", None)  # importing dask now fails
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    out = tmp_path / "out"
    res = call_cli("compare", "small-group", "--plans", "linxiang", "--reps", "2",
                   "--backend", "dask", "--quiet", "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert "--backend" in res.stderr and "petition-drill[cluster]" in res.stderr
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    assert not out.exists()


def test_bad_input_under_chinese_says_so_in_chinese_first():
    res = call_cli("run", "small-group", "--set", "teams.dialogue.size=-1")
    assert res.returncode == 2
    first, *rest = res.stderr.strip().splitlines()
    assert first.startswith("输入有误，共1处") and rest == [
        "--set: teams.dialogue.size: Input should be greater than or equal to 1 (got -1) "
        "——应不小于1（实为 -1）"]
    res = call_cli("run", "small-group", "--set", "teams.dialogue.size=-1", "--lang", "en")
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [
        "--set: teams.dialogue.size: Input should be greater than or equal to 1 (got -1)"]


def test_a_file_s_problems_are_told_in_chinese_where_they_have_been_worded(tmp_path):
    from sim.core.errors import InputError

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntitle: t\nplan: linxiang\nsite:\n  name: Gate\n  area_m2: '500'\n"
                   "  colour: red\ncrowd:\n  initial: 10\n  mobilised: 20\n", encoding="utf-8")
    with pytest.raises(InputError) as got:
        load_drill(str(bad))
    said = {p.field: p.text("zh") for p in got.value.problems}
    assert said["site.area_m2"].endswith(
        "site.area_m2: expected a number, got the text '500' ——应为数字，实为文字 '500'（数字和真假值不加引号）")
    assert said["site.colour"].endswith(
        "site.colour: unknown field (not part of the schema; check the spelling) "
        "——未知字段（不在字段表中，请检查拼写）")
    assert all(":6:" in t or ":7:" in t for t in said.values())
    res = call_cli("run", str(bad))
    assert res.returncode == 2 and "应为数字" in res.stderr and "未知字段" in res.stderr
