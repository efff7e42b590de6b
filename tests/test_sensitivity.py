"""sensitivity: factors, SALib designs and indices, the folder it writes, reproducibility, bad input.

The model's own numbers change as it is developed, so nothing here pins a model figure: the
analysis code is checked on functions whose answer is known, and the command on what it must
write and how it must behave.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.core.errors import InputError
from sim.core.loading import load_drill
from sim.montecarlo.replicate import MAX_CHUNK_RUNS, chunks_for, replication_seed
from sim.montecarlo.sensitivity import (
    CONSTANT,
    LEVER,
    OUTPUTS,
    Factor,
    build_factors,
    design,
    morris_indices,
    parse_factor,
    point_values,
    rep_outputs,
    sobol_indices,
)
from tests.conftest import call_cli, run_cli

FILES = ("factors.csv", "samples.csv", "replications.csv", "outputs.csv", "indices.csv",
         "failures.csv", "run.json", "sensitivity.png", "sensitivity.svg", "sensitivity.md",
         "sensitivity.html")
TINY = ("--samples", "2", "--reps", "1")


def three() -> list[Factor]:
    return [Factor(f"x{i}", CONSTANT, 0.0, 1.0, 0.5) for i in (1, 2, 3)]


def known(X: np.ndarray) -> np.ndarray:
    return 10 * X[:, 0] + X[:, 1] + 0 * X[:, 2]


# --------------------------------------------------------------------------- analysis


def test_morris_ranks_a_known_function():
    factors = three()
    X = design(factors, "morris", 20, seed=3)
    r = morris_indices(factors, X, known(X), seed=3)
    t = r.table.set_index("factor")
    assert r.note == ""
    assert t["rank"].to_dict() == {"x1": 1, "x2": 2, "x3": 3}
    # an elementary effect is the change across the range: exactly the coefficients here
    assert t.loc["x1", "mu_star"] == pytest.approx(10)
    assert t.loc["x2", "mu_star"] == pytest.approx(1)
    assert t.loc["x3", "mu_star"] == 0 and t.loc["x1", "sigma"] == pytest.approx(0, abs=1e-9)


def test_sobol_ranks_a_known_function():
    factors = three()
    X = design(factors, "sobol", 512, seed=3)
    r = sobol_indices(factors, known(X), seed=3)
    t = r.table.set_index("factor")
    assert t["rank"].to_dict() == {"x1": 1, "x2": 2, "x3": 3}
    assert t.loc["x1", "S1"] == pytest.approx(100 / 101, abs=0.05)
    assert t.loc["x1", "ST"] == pytest.approx(100 / 101, abs=0.05)
    assert abs(t.loc["x3", "ST"]) < 0.01


def test_a_metric_that_never_varies_is_not_ranked():
    factors = three()
    X = design(factors, "morris", 4, seed=1)
    r = morris_indices(factors, X, np.zeros(len(X)), seed=1)
    assert r.note == "constant" and r.table["rank"].isna().all()
    X = design(factors, "sobol", 8, seed=1)
    assert sobol_indices(factors, np.ones(len(X)), seed=1).note == "constant"


def test_morris_leaves_out_a_trajectory_with_a_missing_point():
    factors = three()
    X = design(factors, "morris", 6, seed=2)
    y = known(X)
    y[5] = math.nan  # second trajectory (points 4-7)
    r = morris_indices(factors, X, y, seed=2)
    assert r.table.set_index("factor").loc["x1", "mu_star"] == pytest.approx(10)
    y[: 4 * 5] = math.nan  # fewer than two whole trajectories left
    assert morris_indices(factors, X, y, seed=2).note == "missing"


def test_the_design_depends_on_the_seed_only():
    factors = three()
    for method, n in (("morris", 4), ("sobol", 8)):
        a, b = design(factors, method, n, seed=5), design(factors, method, n, seed=5)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, design(factors, method, n, seed=6))


def test_whole_number_factors_are_rounded():
    f = Factor("teams.dialogue.size", LEVER, 3, 12, 6, integer=True)
    assert point_values([f], np.array([[3.0], [6.0], [7.5], [11.6]])) == [[3], [6], [8], [12]]
    assert all(isinstance(v[0], int) for v in point_values([f], np.array([[4.2]])))


def test_outputs_censor_a_missing_agreement_at_the_end():
    out = rep_outputs({"agreement_min": None, "scuffles": 2, "injuries": 1,
                       "health_incidents": 0, "rumor_peak_reach": 0.3}, 240.0)
    assert out["agreement_min_censored"] == 240.0 and out["agreement_reached"] == 0.0
    assert out["any_scuffle"] == 1.0
    out = rep_outputs({"agreement_min": 95.5, "scuffles": 0}, 240.0)
    assert out["agreement_min_censored"] == 95.5 and out["agreement_reached"] == 1.0
    assert out["any_scuffle"] == 0.0 and math.isnan(out["injuries"])
    assert set(out) == set(OUTPUTS)


def test_split_chunks_cover_every_run_once():
    for reps, plans, workers in [(1, 1, 2), (3, 160, 2), (4, 7, 8), (2, 45, 1)]:
        chunks = chunks_for(reps, plans, workers, split_plans=True)
        runs = [(k, p) for a, b, first, last in chunks for k in range(a, b)
                for p in range(first, last)]
        assert sorted(runs) == [(k, p) for k in range(reps) for p in range(plans)]
        assert len(runs) == len(set(runs))
        assert max((b - a) * (last - first) for a, b, first, last in chunks) <= MAX_CHUNK_RUNS


# --------------------------------------------------------------------------- factors


@pytest.fixture(scope="module")
def small():
    return load_drill("small-group", "linxiang")


def test_factors_are_the_uncertain_constants_and_plan_levers(small):
    factors = build_factors(small)
    consts = [f for f in factors if f.kind == CONSTANT]
    levers = [f for f in factors if f.kind == LEVER]
    uncertain = {n: s for n, s in small.params.uncertain.items() if s.high > s.low}
    assert {f.name for f in consts} == set(uncertain)
    for f in consts:
        assert (f.low, f.high) == (uncertain[f.name].low, uncertain[f.name].high)
    plan = small.plan.model_dump(mode="json")
    assert levers and "teams.dialogue.size" in {f.name for f in levers}
    for f in levers:
        node = plan
        for part in f.name.split("."):
            node = node[part]
        assert node == f.base and f.low < f.high
        if f.name.endswith(".size"):
            assert f.integer and f.low == max(1, round(0.5 * f.base)) and f.high == 2 * f.base
    assert {f.kind for f in build_factors(small, only="constants")} == {CONSTANT}
    assert {f.kind for f in build_factors(small, only="levers")} == {LEVER}


def test_a_factor_option_adds_or_replaces(small):
    name = next(iter(small.params.uncertain))
    span = small.params.uncertain[name]
    mid = (span.low + span.high) / 2
    factors = build_factors(small, [f"{name}={span.low},{mid}", "teams.dialogue.size=2,16"],
                            only="constants")
    by = {f.name: f for f in factors}
    assert (by[name].low, by[name].high, by[name].source) == (span.low, mid, "factor option")
    assert by["teams.dialogue.size"].kind == LEVER and by["teams.dialogue.size"].integer
    assert len(factors) == len(build_factors(small, only="constants")) + 1


@pytest.mark.parametrize("text, expect", [
    ("teams.dialogue.size=8,4", "LOW must be below HIGH"),
    ("teams.dialogue.size=4,4", "LOW must be below HIGH"),
    ("teams.dialogue.size=a,4", "numbers"),
    ("teams.dialogue.size", "NAME=LOW,HIGH"),
    ("no.such.field=1,2", "not a model parameter"),
    ("teams.order.posture=1,2", "not a numeric field"),
    ("teams.dialogue.size=0,4", "not a valid value"),
    ("teams.dialogue.size=2.5,4", "whole numbers"),
])
def test_bad_factors_name_the_option(small, text, expect):
    with pytest.raises(InputError) as exc:
        build_factors(small, [text])
    p = exc.value.problems[0]
    assert p.file == "--factor" and expect in p.message


def test_parse_factor():
    assert parse_factor(" crowd.x = 0.1 , 0.2") == ("crowd.x", 0.1, 0.2)


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("sens") / "a"
    res = call_cli("sensitivity", "small-group", "--plan", "linxiang", *TINY, "--jobs", "1",
                   "--quiet", "--out", str(out))
    return res, out


def test_the_command_writes_every_file(tiny):
    res, out = tiny
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(out)
    for name in FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    factors = pd.read_csv(out / "factors.csv")
    k = len(factors)
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 2 * (k + 1)
    assert list(samples.columns) == ["point", "trajectory", *factors["factor"]]
    reps = pd.read_csv(out / "replications.csv")
    assert list(reps.columns[:3]) == ["point", "rep", "seed"]
    assert set(OUTPUTS) <= set(reps.columns) and len(reps) == len(samples)
    assert (reps["seed"] == replication_seed(1, 0)).all()
    idx = pd.read_csv(out / "indices.csv")
    assert list(idx.columns[:4]) == ["metric", "factor", "kind", "method"]
    assert {"mu_star", "mu_star_conf", "sigma", "rank"} <= set(idx.columns)
    assert set(idx["metric"]) == set(OUTPUTS) and len(idx) == k * len(OUTPUTS)
    assert pd.read_csv(out / "failures.csv").empty
    md = (out / "sensitivity.md").read_text(encoding="utf-8")
    assert "(sensitivity.svg)" in md and "敏感性分析" in md
    findings = md.split("## 二、")[0].replace("\\", "")
    for factor in idx.loc[idx["rank"] == 1, "factor"]:
        assert f"最依赖 {factor}" in findings or f"最依赖预案参数 {factor}" in findings
    # two trajectories are too few to set a constant aside: the report says so
    assert "只有 2 条轨迹" in md and "对其取值不敏感" not in md
    html = (out / "sensitivity.html").read_text(encoding="utf-8")
    assert "<svg" in html and 'lang="zh-CN"' in html
    assert (out / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"


def test_the_same_seed_gives_the_same_indices(tiny, tmp_path):
    _, first = tiny
    res = call_cli("sensitivity", "small-group", "--plan", "linxiang", *TINY, "--jobs", "2",
                   "--quiet", "--lang", "en", "--out", str(tmp_path / "b"))
    assert res.returncode == 0, res.stderr
    for name in ("indices.csv", "samples.csv", "replications.csv"):
        assert (tmp_path / "b" / name).read_bytes() == (first / name).read_bytes(), name
    assert "Sensitivity analysis" in (tmp_path / "b" / "sensitivity.md").read_text("utf-8")
    res = call_cli("sensitivity", "small-group", "--plan", "linxiang", *TINY, "--jobs", "1",
                   "--seed", "2", "--quiet", "--out", str(tmp_path / "c"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "c" / "samples.csv").read_bytes() != (first / "samples.csv").read_bytes()


def test_sobol_writes_its_indices(tmp_path):
    res = call_cli("sensitivity", "small-group", "--method", "sobol", "--samples", "2",
                   "--reps", "1", "--only", "constants", "--jobs", "1", "--quiet",
                   "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    idx = pd.read_csv(tmp_path / "indices.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf", "rank"} <= set(idx.columns)
    assert (idx["method"] == "sobol").all()
    k = len(pd.read_csv(tmp_path / "factors.csv"))
    assert len(pd.read_csv(tmp_path / "samples.csv")) == 2 * (k + 2)


def test_default_folder_is_named_by_scenario_plan_method_and_seed(tmp_path):
    res = call_cli("sensitivity", "small-group", "--plan", "linxiang[teams.dialogue.size=8]",
                   *TINY, "--only", "constants", "--jobs", "1", "--seed", "4", "--quiet",
                   cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    [out] = (tmp_path / "out").iterdir()
    assert res.stdout.strip() == str(out.relative_to(tmp_path))
    assert out.name.startswith("sensitivity-small-group-linxiang")
    assert "dialogue.size=8" in out.name and out.name.endswith("-morris-constants-seed4")
    assert (out / "indices.csv").is_file()


@pytest.mark.parametrize("args, option", [
    (["--method", "fast"], "--method"),
    (["--factor", "no.such.field=1,2"], "--factor"),
    (["--factor", "teams.dialogue.size=8,4"], "--factor"),
    (["--method", "sobol", "--samples", "6"], "--samples"),
    (["--reps", "0"], "--reps"),
    (["--only", "both"], "--only"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--plan", "no-such-plan"], "no-such-plan"),
])
def test_bad_input_exits_2_naming_the_option(args, option, tmp_path):
    res = call_cli("sensitivity", "small-group", *args, "--quiet", "--out", str(tmp_path))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert option in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "indices.csv").exists()


def test_a_bad_scenario_exits_2_without_a_traceback():
    res = run_cli("sensitivity", "no-such-scenario", "--quiet")
    assert res.returncode == 2 and "no-such-scenario" in res.stderr
    assert "Traceback" not in res.stderr


def test_a_failing_replication_is_written_and_exits_1(monkeypatch, tmp_path):
    import sim.montecarlo.replicate as runner

    real = runner.simulate_metrics
    calls = {"n": 0}

    def flaky(inputs, seed):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("model blew up")
        return real(inputs, seed)

    monkeypatch.setattr(runner, "simulate_metrics", flaky)
    res = call_cli("sensitivity", "small-group", *TINY, "--only", "constants", "--jobs", "1",
                   "--quiet", "--out", str(tmp_path))
    assert res.returncode == 1
    # told in the command's language (zh by default)
    assert "次推演中有1次出错" in res.stderr and "设计点 2" in res.stderr
    assert "model blew up" in res.stderr
    fails = pd.read_csv(tmp_path / "failures.csv")
    assert fails[["point", "rep", "seed"]].values.tolist() == [[2, 0, replication_seed(1, 0)]]
    assert "RuntimeError: model blew up" in fails["traceback"][0]
    for name in FILES:
        assert (tmp_path / name).is_file(), name
    points = pd.read_csv(tmp_path / "outputs.csv")
    assert points.loc[points.point == 2, "n_reps"].item() == 0
    assert "RuntimeError" in (tmp_path / "sensitivity.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_default_morris_finishes_and_ranks(tmp_path):
    res = call_cli("sensitivity", "gate-blockade", "--jobs", "2", "--quiet",
                   "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    idx = pd.read_csv(tmp_path / "indices.csv")
    ranked = idx[idx["rank"] == 1]
    assert len(ranked) >= 1 and (ranked["mu_star"] > 0).all()
    settings = pd.read_json(tmp_path / "run.json", typ="series")
    assert settings["samples"] == 10 and settings["reps_per_point"] == 4


def test_default_folders_name_the_overrides_and_the_factor_set(tmp_path):
    args = ("sensitivity", "small-group", "--samples", "2", "--reps", "1", "--jobs", "1",
            "--only", "levers", "--quiet")
    plain = call_cli(*args, cwd=tmp_path)
    varied = call_cli(*args, "--set", "teams.dialogue.size=8", cwd=tmp_path)
    assert plain.returncode == 0 and varied.returncode == 0, (plain.stderr, varied.stderr)
    a, b = plain.stdout.strip().splitlines()[-1], varied.stdout.strip().splitlines()[-1]
    assert a != b and "teams.dialogue.size=8" in b and a.endswith("-levers-seed1")


def test_an_uncertain_range_outside_what_the_parameter_may_take_is_refused(tmp_path):
    from tests.conftest import ROOT

    text = (ROOT / "scenarios" / "drills" / "small-group.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad-range.yaml"
    bad.write_text(text + "\nparameters:\n  uncertain:\n    crowd.active_threshold: [-5, 5]\n",
                   encoding="utf-8")
    for args in (["validate", str(bad)],
                 ["sensitivity", str(bad), "--only", "constants", "--samples", "2", "--reps", "1",
                  "--quiet", "--out", str(tmp_path / "out")]):
        res = call_cli(*args)
        assert res.returncode == 2, res.stderr
        assert "bad-range.yaml:" in res.stderr and "crowd.active_threshold" in res.stderr
        assert "-5" in res.stderr and "Traceback" not in res.stderr


def test_rounding_noise_prints_as_zero():
    from reports.sensitivity import num

    assert num(6.97e-15) == "0" and num(-3e-12) == "0"
    assert num(0.00123) == "0.00123" and num(1234.5) == "1,234"


def test_a_lever_re_ranged_keeps_its_name_and_its_source_is_plain_text(small):
    auto = {f.name: f for f in build_factors(small)}
    lever = next(f for f in auto.values() if f.kind == "lever" and f.label)
    again = {f.name: f for f in build_factors(small, [f"{lever.name}={lever.low:g},"
                                                      f"{lever.high * 2:g}"])}
    assert again[lever.name].label == lever.label
    assert again[lever.name].source == "factor option"   # no leading "-" for a spreadsheet


def test_every_uncertain_constant_has_a_readable_name_in_both_languages(small):
    from sim.montecarlo.sensitivity import uncertain_constants

    for f in uncertain_constants(small.params):
        assert f.label.get("zh") and f.label.get("en"), f.name
        assert f.describe("en") == f"{f.name} ({f.label['en']})"


def test_a_negative_range_reads_without_a_double_minus():
    from reports.sensitivity import factor_range
    from sim.montecarlo.sensitivity import CONSTANT, Factor

    f = Factor("talks.base_logit", CONSTANT, -2.5, -0.5, -1.5, False, "parameters.uncertain", {})
    assert factor_range(f, "zh") == "-2.5至-0.5" and factor_range(f, "en") == "-2.5 to -0.5"
    g = Factor("x", CONSTANT, 1.0, 3.0, 2.0, False, "parameters.uncertain", {})
    assert factor_range(g, "zh") == "1–3"


def test_plan_lever_ranges_stay_within_what_a_plan_may_hold():
    from sim.core.config import MAX_MINUTES, MAX_TEAM_SIZE
    from sim.montecarlo.sensitivity import apply_values, plan_levers

    inputs = load_drill("small-group", None, ["teams.dialogue.size=10000",
                                              "responsible_unit.leader_delay_min=7000"])
    levers = {f.name: f for f in plan_levers(inputs)}
    size, delay = levers["teams.dialogue.size"], levers["responsible_unit.leader_delay_min"]
    assert size.high == MAX_TEAM_SIZE and size.low < 10000
    assert delay.high == MAX_MINUTES and delay.low < 7000
    for f in (size, delay):   # both ends are plans that validate
        apply_values(inputs, [f], [f.value(f.high)])
        apply_values(inputs, [f], [f.value(f.low)])
