"""The comparison report opens with a headline: the better plan per key figure, by how much,
which direction is good, statistically clear beside large enough to matter, and a warning when
a figure is cut off by the scenario's end."""

from __future__ import annotations

import pytest

from reports.comparison_headline import censoring, headline, rules, verdicts
from sim.montecarlo.replicate import prepare, run_replications
from sim.montecarlo.stats import analyse


@pytest.fixture(scope="module")
def compared():
    variants = prepare("gate-blockade", ["linxiang", "linxiang[publicity.release_policy=proactive]"])
    reps = run_replications(variants, 12, 1, jobs=1, show_progress=False)
    return reps, analyse(reps.rows, reps.plans, reps.cleared_targets, 0.5)


def test_every_rule_says_which_direction_is_good_and_what_matters():
    for spec in rules()["headline"]:
        assert spec["better"] in ("lower", "higher") and spec["matter"] > 0, spec


def test_the_headline_names_the_better_plan_per_key_figure(compared):
    reps, a = compared
    found = {v.metric: v for v in verdicts(a)}
    rumour = found["rumor_peak_reach"]
    # a proactive statement answers the rumour: the variant is better, clearly and by a lot
    assert rumour.better_plan == a.plans[1] and rumour.clear and rumour.matters
    assert rumour.by > 0 and rumour.ci[0] > 0
    for v in found.values():
        assert v.by >= 0 and v.better_plan != v.other_plan
    text = headline(reps, a, "zh")[0]
    assert text.startswith("结论：") and "越低越好" in text and "统计上可区分" in text
    assert "有实际意义" in text and a.plans[1] in text
    en = headline(reps, a, "en")[0]
    assert en.startswith("Headline:") and "lower is better" in en


def test_the_report_opens_with_the_headline(compared, tmp_path):
    from reports.comparison_writers import write_compare

    reps, a = compared
    write_compare(reps, a, tmp_path, "zh")
    md = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    first = [line for line in md.splitlines() if line and not line.startswith("#")][1]
    assert first.startswith("结论：")


def test_a_time_cut_off_by_the_end_is_warned(compared):
    reps, a = compared
    cut = censoring(reps, a)
    df = a.replications
    expected = ((df["end_reason"] == "time_limit") & df["agreement_min"].isna()).groupby(
        df["plan"]).mean()
    if (expected >= rules()["censored_share"]).any():
        assert any(figure == "agreement_min" for figure, *_ in cut)
        assert any(p.startswith("注意") for p in headline(reps, a, "zh"))
    else:
        assert not any(figure == "agreement_min" for figure, *_ in cut)


def test_a_third_plan_clearly_worse_than_the_baseline_is_named():
    """B gains on A; C loses to A clearly: the headline says both, not only B against A."""
    rows = []
    for rep in range(30):
        wobble = (rep % 7) - 3.0
        for plan, t in (("A", 100.0), ("B", 92.0), ("C", 130.0)):
            rows.append({"plan": plan, "rep": rep, "seed": rep, "agreement_min": t + wobble
                         + (0.5 if plan == "B" and rep % 2 else 0.0)})
    a = analyse(rows, ["A", "B", "C"], {"A": 150.0, "B": 150.0, "C": 150.0})
    v = next(v for v in verdicts(a) if v.metric == "agreement_min")
    assert (v.better_plan, v.other_plan) == ("B", "A")
    assert [w[0] for w in v.worse] == ["C"] and v.worse[0][1] == pytest.approx(30.0)
    low, high = v.worse[0][2]
    assert 0 < low <= 30.0 <= high
    reps = type("R", (), {"scenario": "s", "reps": 30, "sets": [], "variants": []})()
    text = " ".join(headline(reps, a, "en"))
    assert "C (C) does worse than A (A) by 30.0 min" in text


def test_plans_with_the_same_outcome_in_every_pair_are_called_identical_not_unclear():
    """No scuffle under either plan in any run (and the same agreements): the paired
    difference is exactly zero, whatever the width of a share's interval."""
    rows = []
    for rep in range(10):
        for plan in ("A", "B"):
            rows.append({"plan": plan, "rep": rep, "seed": rep, "scuffles": 0,
                         "agreement_min": 50.0 + rep if rep % 3 else None})
    a = analyse(rows, ["A", "B"], {"A": 150.0, "B": 150.0})
    found = {v.metric: v for v in verdicts(a)}
    assert found["any_scuffle"].tie and found["any_scuffle"].identical
    assert found["agreement_reached"].identical
    reps = type("R", (), {"scenario": "s", "reps": 10, "sets": [], "variants": []})()
    text = " ".join(headline(reps, a, "en"))
    assert "not ruled out" not in text
    assert "scuffle (lower is better): it happened in no run under any plan" in text.lower()
    # a scuffle in every run under both plans: said to have happened, the counts told elsewhere
    every = [dict(row, scuffles=2 + row["rep"] % 2 + (row["plan"] == "B")) for row in rows]
    a = analyse(every, ["A", "B"], {"A": 150.0, "B": 150.0})
    text = " ".join(headline(reps, a, "en")).lower()
    assert "scuffle (lower is better): it happened in every run under every plan (how often" \
        in text
    # scuffles under B in runs 0 and 1 only: the plans differ, so never "identical"
    rows[1]["scuffles"] = 1   # run 0 under B
    rows[3]["scuffles"] = 1   # run 1 under B
    a = analyse(rows, ["A", "B"], {"A": 150.0, "B": 150.0})
    assert not {v.metric: v for v in verdicts(a)}["any_scuffle"].identical


def test_what_matters_in_practice_is_said_of_the_whole_interval_or_only_of_the_estimate():
    from reports.comparison_headline import _matters

    def say(by, ci):
        return _matters("agreement_min", by, ci, 15.0, "en")

    assert say(20.0, (16.0, 24.0)).startswith("above the 15.0 min that matters in practice over")
    assert say(15.3, (8.0, 22.6)) == ("the estimate is above the 15.0 min that matters in "
                                      "practice, but the interval reaches below it")
    assert say(10.0, (2.0, 18.0)).endswith("but the interval reaches above it")
    assert say(5.0, (1.0, 9.0)).startswith("below the 15.0 min that matters in practice over")
