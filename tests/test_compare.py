"""compare and sweep: Monte Carlo replications, intervals, paired differences, backends, notebook.

The heavier checks share work through module-scoped fixtures; the Dask LocalCluster test runs
last because the cluster leaves threads behind in this process.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reports import render_md
from reports.comparison import build_compare
from reports.i18n import METRIC_LABELS
from sim.montecarlo.replicate import (
    MAX_CHUNK_RUNS,
    SEED_STRIDE,
    chunks_for,
    grid_cells,
    parse_grid,
    prepare,
    replication_seed,
    run_replications,
)
from sim.montecarlo.stats import EVENTS, analyse
from tests.conftest import ROOT, call_cli, run_cli

SUMMARY_HEAD = ["plan", "metric", "mean", "ci_low", "ci_high", "p50", "p90", "n"]
PROACTIVE = "linxiang[publicity.release_policy=proactive]"
DIALOGUE8 = "linxiang[teams.dialogue.size=8]"


def header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


# --------------------------------------------------------------------------- statistics


def test_seed_rule_depends_on_base_seed_and_replication_only():
    assert replication_seed(1, 0) == SEED_STRIDE
    assert replication_seed(7, 42) == 7 * SEED_STRIDE + 42
    assert replication_seed(1, SEED_STRIDE - 1) < replication_seed(2, 0)


def test_chunks_cover_every_replication_once():
    for reps, plans, workers in [(1, 2, 2), (7, 3, 2), (1000, 2, 2), (50, 1, 8)]:
        chunks = chunks_for(reps, plans, workers)
        covered = [k for a, b in chunks for k in range(a, b)]
        assert covered == list(range(reps))
        assert max(b - a for a, b in chunks) * plans <= max(plans, MAX_CHUNK_RUNS)


# --------------------------------------------------------------------------- replications


@pytest.fixture(scope="module")
def proactive():
    variants = prepare("gate-blockade", ["linxiang", PROACTIVE])
    reps = run_replications(variants, 20, 1, jobs=2, scenario_ref="gate-blockade")
    return reps, analyse(reps.rows, reps.plans, reps.cleared_targets)


def test_a_known_difference_shows(proactive):
    """A proactive release policy lowers the rumour's peak; the CI excludes zero."""
    reps, a = proactive
    assert not reps.failures and len(reps.rows) == 40
    d = a.difference(PROACTIVE, "rumor_peak_reach")
    assert d["n"] == 20
    assert d["mean_diff"] < 0 and d["ci_high"] < 0
    e = a.difference(PROACTIVE, "rumour_above_threshold")
    assert e["diff"] < 0 and e["ci_high"] < 0
    # the proactive plan issues a statement; linxiang ("no external publicity") never does
    assert a.value("linxiang", "first_statement_min", "share") == 0
    assert a.value(PROACTIVE, "first_statement_min", "share") == 1


@pytest.mark.parametrize("lang, no_data, unclear", [("en", "no comparable data",
                                                     "not distinguishable"),
                                                    ("zh", "无可比数据", "无法区分")])
def test_a_difference_without_pairs_says_there_is_no_data(proactive, lang, no_data, unclear):
    """No replication has a first statement under linxiang, so there is nothing to pair."""
    reps, a = proactive
    assert a.difference(PROACTIVE, "first_statement_min")["n"] == 0
    md = render_md.render(build_compare(reps, a, lang))
    label = METRIC_LABELS["first_statement_min"][lang]
    row = next(line for line in md.splitlines()
               if line.startswith(f"| {label} | B |"))
    assert no_data in row and unclear not in row
    # every metric is named from METRIC_LABELS, the new ones too
    for key in ("injects_fired", "expected_met", "expected_late", "expected_missed"):
        assert key not in md and METRIC_LABELS[key][lang] in md
    # the rumour difference (-100% in every pair) gets an interval of some width
    e = a.difference(PROACTIVE, "rumour_above_threshold")
    assert e["ci_low"] < e["ci_high"] < 0
    rumour = next(line for line in md.splitlines() if "50%" in line and "| B |" in line)
    # a difference of shares is in percentage points, the unit once after the interval
    unit = "个百分点" if lang == "zh" else " pp"
    assert f"{e['ci_high'] * 100:+.1f}\\]{unit}" in rumour and "%\\]" not in rumour


def test_a_plan_against_itself_differs_by_exactly_zero():
    variants = prepare("gate-blockade", ["linxiang", "linxiang"])
    assert [v.label for v in variants] == ["linxiang", "linxiang#2"]
    reps = run_replications(variants, 6, 3, jobs=1)
    a = analyse(reps.rows, reps.plans, reps.cleared_targets)
    assert len(a.differences) > 30
    for row in a.differences.itertuples():
        if row.n:
            assert row.mean_diff == 0, row.metric
        if row.n > 1:
            assert row.ci_low == 0 and row.ci_high == 0, row.metric
        assert row.share_diff == 0, row.metric
    assert (a.event_differences["diff"] == 0).all()
    df = a.replications
    first = df[df.plan == "linxiang"].drop(columns="plan").reset_index(drop=True)
    second = df[df.plan == "linxiang#2"].drop(columns="plan").reset_index(drop=True)
    pd.testing.assert_frame_equal(first, second)


def test_a_failing_replication_is_reported_with_seed_and_traceback(monkeypatch, tmp_path, capsys):
    import run_drill
    import sim.montecarlo.replicate as runner

    real = runner.simulate_metrics
    bad_seed = replication_seed(1, 2)

    def flaky(inputs, seed):
        if seed == bad_seed and inputs.plan_label == DIALOGUE8:
            raise RuntimeError("model blew up")
        return real(inputs, seed)

    monkeypatch.setattr(runner, "simulate_metrics", flaky)
    out = tmp_path / "cmp"
    code = run_drill.main(["compare", "small-group", "--plans", "linxiang", DIALOGUE8,
                           "--reps", "4", "--jobs", "1", "--quiet", "--out", str(out),
                           "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1
    assert "1 of 8 replications failed" in err and str(bad_seed) in err
    assert "model blew up" in err and "Traceback" in err
    fails = pd.read_csv(out / "failures.csv")
    assert fails[["plan", "rep", "seed"]].values.tolist() == [[DIALOGUE8, 2, bad_seed]]
    assert "RuntimeError: model blew up" in fails["traceback"][0]
    reps = pd.read_csv(out / "replications.csv")
    assert len(reps) == 7
    diffs = pd.read_csv(out / "differences.csv")
    assert (diffs.loc[diffs.metric == "peak_crowd", "n"] == 3).all()  # the failed pair left out
    summary = pd.read_csv(out / "summary.csv")
    assert summary.loc[(summary.plan == DIALOGUE8) & (summary.metric == "peak_crowd"), "n"].item() == 3
    report = (out / "comparison.md").read_text(encoding="utf-8")
    assert str(bad_seed) in report and "RuntimeError" in report


# --------------------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "small"
    proc = call_cli("compare", "small-group", "--plans", "linxiang", DIALOGUE8, "--reps", "20",
                    "--jobs", "2", "--lang", "en", "--out", str(out))
    return proc, out


def test_compare_writes_the_contract_files(compared):
    proc, out = compared
    assert proc.returncode == 0, proc.stderr
    for name in ("replications.csv", "summary.csv", "comparison.md", "comparison.html",
                 "differences.csv", "probabilities.csv", "failures.csv", "run.json",
                 "charts/distributions.png", "charts/differences.png", "charts/probabilities.svg"):
        assert (out / name).is_file(), name
    assert not list(out.rglob("*.tmp"))
    h = header(out / "replications.csv")
    assert h[:3] == ["plan", "rep", "seed"]
    for key in ("peak_crowd", "agreement_min", "cleared_min", "scuffles", "rumor_peak_reach",
                "outcome", "team_on_site_min.dialogue", "team_on_site_min.order"):
        assert key in h, key
    assert "team_on_site_min" not in h
    reps = pd.read_csv(out / "replications.csv")
    assert len(reps) == 40 and reps.groupby("plan").size().to_dict() == {"linxiang": 20, DIALOGUE8: 20}
    assert reps["seed"].tolist() == [replication_seed(1, k) for k in range(20)] * 2
    assert header(out / "summary.csv")[:8] == SUMMARY_HEAD
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary.plan) == {"linxiang", DIALOGUE8}
    assert not summary.duplicated(["plan", "metric"]).any()
    row = summary[(summary.plan == "linxiang") & (summary.metric == "peak_crowd")].iloc[0]
    values = reps.loc[reps.plan == "linxiang", "peak_crowd"]
    assert row["mean"] == pytest.approx(values.mean()) and row["n"] == 20
    assert row["ci_low"] < row["mean"] < row["ci_high"]
    # a count: percentiles that occurred; a time: interpolated
    assert row["p50"] == np.quantile(values, 0.5, method="inverted_cdf")
    assert row["p90"] == np.quantile(values, 0.9, method="inverted_cdf")
    assert row["p50"] in set(values) and row["p90"] in set(values)
    row = summary[(summary.plan == "linxiang") & (summary.metric == "agreement_min")].iloc[0]
    values = reps.loc[reps.plan == "linxiang", "agreement_min"].dropna()
    assert row["p90"] == pytest.approx(np.quantile(values, 0.9))
    probs = pd.read_csv(out / "probabilities.csv")
    assert set(EVENTS) <= set(probs.event)


def test_the_variant_and_its_overrides_appear_in_every_output(compared):
    _, out = compared
    for name in ("replications.csv", "summary.csv", "differences.csv", "comparison.md",
                 "comparison.html", "run.json"):
        # Markdown shows the label literally, its markup characters escaped
        shown = render_md.md(DIALOGUE8) if name.endswith(".md") else DIALOGUE8
        assert shown in (out / name).read_text(encoding="utf-8"), name
    settings = json.loads((out / "run.json").read_text(encoding="utf-8"))
    plans = {p["label"]: p for p in settings["plans"]}
    assert plans[DIALOGUE8]["overrides"] == ["teams.dialogue.size=8"]
    assert settings["reps"] == 20 and settings["base_seed"] == 1


def test_the_setup_names_the_scenario_and_plans_by_their_titles(compared):
    from sim.core.loading import load_drill

    _, out = compared
    md = (out / "comparison.md").read_text(encoding="utf-8")
    inputs = load_drill("small-group")
    plan_title = load_drill("small-group", "linxiang").plan.title.en
    assert f"{inputs.scenario.title.en} (small-group)" in md
    assert f"{plan_title} (linxiang)" in md


def test_the_report_has_charts_intervals_and_the_reading_guide(compared):
    proc, out = compared
    md = (out / "comparison.md").read_text(encoding="utf-8")
    for text in ("95% confidence interval", "Paired differences", "charts/distributions.png",
                 "charts/differences.png", "Nulls:", "common random numbers"):
        assert text in md, text
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and 'src="charts/' not in html
    # a bigger dialogue team reaches a commitment sooner, and the report says so
    assert "lower (statistically clear)" in md
    assert "40/40" in proc.stderr          # the progress bar, on stderr


def test_a_row_is_replayed_exactly_by_run(compared, tmp_path):
    _, out = compared
    reps = pd.read_csv(out / "replications.csv")
    row = reps[(reps.plan == DIALOGUE8) & (reps.rep == 13)].iloc[0]
    proc = call_cli("run", "small-group", "--plan", row["plan"], "--seed", str(row["seed"]),
                    "--formats", "md", "--quiet", "--out", str(tmp_path / "one"))
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((tmp_path / "one" / "metrics.json").read_text(encoding="utf-8"))
    flat = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    flat.update({f"team_on_site_min.{t}": v for t, v in metrics["team_on_site_min"].items()})
    checked = 0
    for key, value in flat.items():
        if key not in reps.columns:
            continue
        got = row[key]
        if value is None:
            assert pd.isna(got), key
        elif isinstance(value, str):
            assert got == value, key
        else:
            assert float(got) == pytest.approx(float(value), abs=1e-9), key
        checked += 1
    assert checked >= 30


def test_quiet_prints_only_the_folder(tmp_path):
    out = tmp_path / "q"
    proc = run_cli("compare", "small-group", "--plans", "linxiang", "--reps", "2", "--jobs", "1",
                   "--quiet", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out) and proc.stderr == ""
    assert len(pd.read_csv(out / "replications.csv")) == 2


def test_set_applies_to_every_plan(tmp_path):
    out = tmp_path / "s"
    proc = call_cli("compare", "small-group", "--plans", "linxiang", DIALOGUE8, "--reps", "2",
                    "--jobs", "1", "--set", "publicity.release_policy=proactive", "--quiet",
                    "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    reps = pd.read_csv(out / "replications.csv")
    assert reps["first_statement_min"].notna().all()   # both plans now release proactively
    settings = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert settings["set"] == ["publicity.release_policy=proactive"]
    assert settings["plans"][1]["overrides"] == ["teams.dialogue.size=8",
                                                 "publicity.release_policy=proactive"]
    assert render_md.md("publicity.release_policy=proactive") in (out / "comparison.md").read_text(
        encoding="utf-8")


@pytest.mark.parametrize("args, expect", [
    (["compare", "small-group", "--plans", "linxiang", "--reps", "0"], "--reps must be 1 or more"),
    (["compare", "small-group", "--plans", "linxiang", "--jobs", "0"], "--jobs must be 1 or more"),
    (["compare", "small-group", "--plans", "linxiang", "no-such-plan"], "no-such-plan"),
    (["compare", "small-group", "--plans", "linxiang[teams.dialog.size=8]"], "teams.dialog.size"),
    (["compare", "no-such-scenario", "--plans", "linxiang"], "no-such-scenario"),
    (["compare", "small-group", "--plans", "linxiang", "--scheduler", "tcp://127.0.0.1:1"],
     "--backend dask"),
    (["compare", "small-group", "--plans", "linxiang", "--rumour-threshold", "2"], "between 0 and 1"),
    (["sweep", "small-group", "--grid", "teams.dialogue.size"], "KEY=V1,V2"),
    (["sweep", "small-group", "--grid", "teams.dialogue.size=4,,8"], "no empty value"),
    (["sweep", "small-group", "--grid", "teams.dialogue.size=4,4"], "given twice"),
    (["sweep", "small-group", "--grid", "teams.dialogue.size=4,8", "--metric", "happiness"],
     "unknown metric 'happiness'"),
    (["sweep", "small-group", "--grid", "teams.dialogue.size=4", "--set", "teams.dialogue.size=6"],
     "sweep it or fix it"),
    (["sweep", "small-group", "--grid", "teams.dialogue.seize=4,8"], "teams.dialogue.seize"),
])
def test_bad_input_exits_2_with_a_clear_message(args, expect):
    proc = call_cli(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert expect in proc.stderr
    assert "Traceback" not in proc.stderr


def test_grid_cells_are_inline_variants():
    grid = [parse_grid("teams.dialogue.size=4,8"), parse_grid("teams.order.posture=restrained,forceful")]
    cells = grid_cells("linxiang[publicity.release_policy=proactive]", grid)
    assert [c.ref for c in cells][:2] == [
        "linxiang[publicity.release_policy=proactive,teams.dialogue.size=4,teams.order.posture=restrained]",
        "linxiang[publicity.release_policy=proactive,teams.dialogue.size=4,teams.order.posture=forceful]"]
    assert cells[3].values == {"teams.dialogue.size": 8, "teams.order.posture": "forceful"}


def test_sweep_writes_a_heat_map_and_a_table(tmp_path):
    out = tmp_path / "sweep"
    # the unit's leader is there at once, so that talks start when representatives are named
    proc = call_cli("sweep", "small-group", "--plan", "linxiang[responsible_unit.leader_delay_min=0]",
                    "--grid", "teams.dialogue.size=4,8",
                    "--grid", "teams.order.posture=restrained,forceful", "--reps", "4", "--jobs", "2",
                    "--lang", "en", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4
    assert list(table.columns[:4]) == ["teams.dialogue.size", "teams.order.posture", "plan", "metric"]
    assert set(table["metric"]) == {"agreement_min"}
    assert table[["teams.dialogue.size", "teams.order.posture"]].values.tolist() == [
        [4, "restrained"], [4, "forceful"], [8, "restrained"], [8, "forceful"]]
    # a bigger dialogue team reaches a commitment sooner
    by_size = table.groupby("teams.dialogue.size")["mean"].mean()
    assert by_size[8] < by_size[4]
    assert (out / "charts" / "heatmap.svg").stat().st_size > 5000
    md = (out / "sweep.md").read_text(encoding="utf-8")
    assert "charts/heatmap.svg" in md and "teams.order.posture" in md
    # its notes describe only what a sweep report holds
    assert "Every drill ran to its end." in md
    assert "paired difference" not in md.lower() and "listed" not in md
    assert header(out / "summary.csv")[:8] == SUMMARY_HEAD
    assert len(pd.read_csv(out / "replications.csv")) == 16


def test_sweep_an_event_probability(tmp_path):
    out = tmp_path / "sweep"
    proc = call_cli("sweep", "small-group", "--grid", "teams.order.posture=restrained,forceful",
                    "--metric", "any_scuffle", "--reps", "3", "--jobs", "1", "--quiet",
                    "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sweep.csv")
    assert table["mean"].between(0, 1).all() and (table["n"] == 3).all()


@pytest.mark.parametrize("metric", ["commander_on_site_min", "level_times.IV"])
def test_sweep_any_numeric_metric_of_a_run(tmp_path, metric):
    """Every numeric key of metrics.json can be swept, a level's time too."""
    out = tmp_path / "sweep"
    proc = call_cli("sweep", "small-group", "--grid", "teams.dialogue.size=2,6",
                    "--metric", metric, "--reps", "2", "--jobs", "1", "--quiet",
                    "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert set(pd.read_csv(out / "sweep.csv")["metric"]) == {metric}


def test_interface_doc_lists_sweep():
    text = (ROOT / "docs" / "interface.md").read_text(encoding="utf-8")
    assert "| `sweep SCENARIO" in text and "## Files that `sweep` writes" in text


def test_reports_and_stats_do_not_import_simpy():
    # the runner runs drills, so it imports the engine; the reports and statistics never do
    code = ("import sys, reports.comparison, reports.sensitivity, sim.montecarlo.stats; "
            "assert 'simpy' not in sys.modules, 'simpy imported'")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- notebook


@pytest.mark.slow
def test_the_notebook_runs_top_to_bottom():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    path = ROOT / "notebooks" / "compare_plans.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    # the charts shown: probabilities as SVG, the two dense ones as PNG
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == 1
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
    text = "".join(o.get("text", "") for o in outputs)
    assert "80 drills" in text and "0 failed" in text


# --------------------------------------------------------------------------- backends (last)


@pytest.mark.slow
def test_jobs_and_backends_give_identical_replications(tmp_path):
    """--jobs 1, --jobs 2 and Dask on a LocalCluster bound to 127.0.0.1: the same file."""
    pytest.importorskip("dask.distributed", reason="the cluster extra is not installed")
    from reports.comparison import write_data

    variants = prepare("small-group", ["linxiang", DIALOGUE8])
    texts = {}
    for name, kwargs in [("jobs1", {"jobs": 1}), ("jobs2", {"jobs": 2}),
                         ("dask", {"jobs": 2, "backend": "dask"})]:
        reps = run_replications(variants, 6, 5, **kwargs)
        assert not reps.failures
        a = analyse(reps.rows, reps.plans, reps.cleared_targets)
        write_data(reps, a, tmp_path / name)
        texts[name] = (tmp_path / name / "replications.csv").read_text(encoding="utf-8")
        if name == "dask":
            assert reps.backend == "dask" and reps.workers == 2
    assert texts["jobs1"] == texts["jobs2"] == texts["dask"]
    assert texts["jobs1"].count("\n") == 13


def test_a_plan_file_extending_another_lists_the_fields_it_changes(tmp_path):
    (tmp_path / "mine.yaml").write_text("name: mine\nextends: linxiang\nteams:\n  dialogue:\n"
                                        "    size: 10\n", encoding="utf-8")
    variants = prepare("gate-blockade", ["linxiang", str(tmp_path / "mine.yaml")])
    assert variants[0].base is None
    assert variants[1].base == ("linxiang", ("teams.dialogue.size=10",))


def test_a_sweep_names_every_cell_of_a_tie_at_its_lowest_or_highest():
    import pandas as pd

    from reports.comparison_content import cells_with_mean

    table = pd.DataFrame({"policy": ["silent", "reactive", "proactive"], "mean": [0.8, 0.8, 0.1]})
    assert cells_with_mean(table, ["policy"], 0.8, "en") == "policy=silent; policy=reactive"
    assert cells_with_mean(table, ["policy"], 0.1, "en") == "policy=proactive"


def test_each_plan_s_rows_name_its_own_teams_and_levels():
    from reports.comparison_words import metric_label, team_names

    reps = run_replications(prepare("gate-blockade", ["linxiang", "enterprise"]), 2, jobs=1)
    a = analyse(reps.rows, reps.plans, reps.cleared_targets)
    for v in reps.variants:
        own = team_names(reps, "zh", v.label)
        for tid, team in v.inputs.plan.teams.items():
            assert own[tid] == team.name.zh
        for lv in v.inputs.plan.levels:
            assert lv.name.zh in metric_label(f"level_times.{lv.id}", "zh", own)
    shared = team_names(reps, "zh")
    both = {tid for v in reps.variants for tid in v.inputs.plan.teams}
    for tid in both:   # a row about every plan shows every plan's name for the id
        for v in reps.variants:
            if tid in v.inputs.plan.teams:
                assert v.inputs.plan.teams[tid].name.zh in shared[tid]
    text = render_md.render(build_compare(reps, a, "zh"))
    ent = next(v for v in reps.variants if v.label == "enterprise").inputs.plan
    lin = next(v for v in reps.variants if v.label == "linxiang").inputs.plan
    for line in text.splitlines():   # the appendix: B's rows never carry A's team names
        if line.startswith("| 到场：") and "| B |" in line:
            tid = next((t for t, tm in ent.teams.items() if tm.name.zh in line), None)
            assert tid is not None, line
            other = lin.teams.get(tid)
            if other is not None and other.name.zh != ent.teams[tid].name.zh:
                assert other.name.zh not in line, line


def test_a_swept_field_and_its_values_read_in_words():
    from reports.comparison_words import field_label, field_value
    from sim.core.loading import load_drill

    plan = load_drill("gate-blockade").plan
    assert field_label(plan, "teams.dialogue.size", "zh") == f"{plan.teams['dialogue'].name.zh}：人数"
    assert field_label(plan, "publicity.release_policy", "zh") == "信息发布政策"
    assert field_value("publicity.release_policy", "silent", "zh") == "不对外发布"
    assert field_value("teams.order.posture", "forceful", "zh") == "强制"
    assert field_label(plan, "teams.nobody.size", "en") == "teams.nobody.size"   # as written
