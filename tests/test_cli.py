"""The command line's happy paths and the files `run` writes (INTERFACE.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sim.loading import bundled
from tests.conftest import ROOT, run_cli

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
    res = run_cli("run", "small-group", "--seed", "3", "--out", str(out), "--lang", "en",
                  "--formats", "md,html,docx")
    return res, out


@pytest.fixture(scope="module")
def gb_default(tmp_path_factory):
    """`run gate-blockade --seed 2` with no --out, from an empty working folder."""
    cwd = tmp_path_factory.mktemp("cwd")
    res = run_cli("run", "gate-blockade", "--seed", "2", "--lang", "en", cwd=cwd)
    return res, cwd / "out" / "gate-blockade-linxiang-seed2", cwd


# --------------------------------------------------------------------------- list, help, usage


def test_list_names_every_bundled_plan_and_scenario():
    res = run_cli("list")
    assert res.returncode == 0, res.stderr
    names = [p.stem for p in bundled("plans") + bundled("drills")]
    assert {"linxiang", "small-group", "gate-blockade"} <= set(names)
    for name in names:
        assert name in res.stdout, f"{name} missing from:\n{res.stdout}"


def test_help_shows_an_example():
    res = run_cli("--help")
    assert res.returncode == 0, res.stderr
    assert "Example" in res.stdout and "run gate-blockade" in res.stdout
    res = run_cli("run", "--help")
    assert res.returncode == 0, res.stderr
    assert "Example" in res.stdout


@pytest.mark.parametrize("args", [
    ["--formats", "pdf"],
    ["--formats", "md,pdf"],
    ["--seed", "-1"],
    ["--seed", "three"],
], ids=["formats-pdf", "formats-md-pdf", "seed-negative", "seed-word"])
def test_bad_options_exit_2(tmp_path, args):
    out = tmp_path / "out"
    res = run_cli("run", "small-group", *args, "--out", str(out))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    assert args[0] in res.stderr
    assert not out.exists()


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
    _, out = sg_run
    ev = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert isinstance(ev, dict) and ev


def test_reports_md_and_html(sg_run):
    _, out = sg_run
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert md.lstrip().startswith("#")
    assert "<html" in html.lower()


def test_report_docx_has_a_heading(sg_run):
    import docx

    _, out = sg_run
    document = docx.Document(str(out / "report.docx"))
    headings = [p.text for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title")) and p.text.strip()]
    assert headings


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
    res = run_cli("run", str(path), "--formats", "html", "--lang", "en", "--out", str(out),
                  "--quiet")
    assert res.returncode == 0, res.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert script not in html
    assert "&lt;script&gt;" in html
    assert not (out / "report.md").exists()
