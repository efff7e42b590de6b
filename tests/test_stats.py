"""sim.montecarlo.stats on synthetic replications: intervals against references, nulls, percentiles, the
on-time rule, and the same figures on the notebook's path and on the report's.

Nothing here runs the model: every frame is made up, so no model figure is pinned.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from scipy import stats as scipy_stats

from reports import render_md
from reports.comparison import print_compare, write_compare
from reports.comparison_words import fmt_ci
from sim.core.result import OUTCOMES
from sim.core.timing import on_time, on_time_flags
from sim.montecarlo.replicate import Replications
from sim.montecarlo.stats import (
    EVENTS,
    OUTCOME_EVENTS,
    analyse,
    newcombe_paired,
    t_interval,
    wilson,
)

# --------------------------------------------------------------------------- t interval


@pytest.mark.parametrize("n", [2, 3, 7, 20, 200])
def test_t_interval_matches_scipy(n):
    x = np.random.default_rng(n).normal(30.0, 8.0, n)
    mean, low, high = t_interval(x)
    ref_low, ref_high = scipy_stats.t.interval(0.95, n - 1, loc=x.mean(), scale=scipy_stats.sem(x))
    assert mean == pytest.approx(x.mean(), rel=1e-12)
    assert low == pytest.approx(ref_low, rel=1e-10) and high == pytest.approx(ref_high, rel=1e-10)


def test_t_interval_edge_cases():
    assert all(math.isnan(v) for v in t_interval([]))
    mean, low, high = t_interval([4.0])
    assert mean == 4 and math.isnan(low) and math.isnan(high)
    assert t_interval([2.5] * 7) == (2.5, 2.5, 2.5)
    assert t_interval([1.0, float("nan"), 3.0])[0] == 2.0


# --------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize("k, n, low, high", [
    # R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison
    # of seven methods", Statistics in Medicine 17 (1998) 857-872: the score method
    # without continuity correction on the paper's examples
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_the_published_examples(k, n, low, high):
    p, lo, hi = wilson(k, n)
    assert p == k / n
    assert lo == pytest.approx(low, abs=5e-5) and hi == pytest.approx(high, abs=5e-5)


def test_wilson_edges():
    p, low, high = wilson(20, 20)
    assert p == 1 and high == 1 and low == pytest.approx(1 - wilson(0, 20)[2])
    assert all(math.isnan(v) for v in wilson(0, 0))


# --------------------------------------------------------------------------- Newcombe


def _pairs(both: int, only_variant: int, only_base: int, neither: int):
    """Paired 0/1 outcomes (baseline, variant) from the four cells of a paired 2x2 table."""
    base = [1] * both + [0] * only_variant + [1] * only_base + [0] * neither
    variant = [1] * both + [1] * only_variant + [0] * only_base + [0] * neither
    return base, variant


@pytest.mark.parametrize("cells, low, high", [
    # R. G. Newcombe, "Improved confidence intervals for the difference between binomial
    # proportions based on paired data", Statistics in Medicine 17 (1998) 2635-2650: the
    # paper's four examples under its method 10 (cells: both, first only, second only,
    # neither; the difference is first minus second), as the R package propint checks them
    ((36, 12, 2, 0), 0.0569, 0.3404),
    ((18, 12, 2, 18), 0.0562, 0.3290),
    ((53, 0, 0, 1), -0.0729, 0.0729),
    ((0, 30, 0, 0), 0.8395, 1.0),        # every pair differs by +1
    # the worked example (Cavo et al., 2012) of M. W. Fagerland, S. Lydersen and P. Laake,
    # Statistical Analysis of Contingency Tables (2017), ch. 8: -0.0621 (-0.1186 to -0.0046)
    ((59, 6, 16, 80), -0.1186, -0.0046),
])
def test_newcombe_matches_the_published_examples(cells, low, high):
    both, first, second, neither = cells
    base, variant = _pairs(*cells)
    diff, lo, hi = newcombe_paired(base, variant)
    assert diff == pytest.approx((first - second) / sum(cells))
    assert lo == pytest.approx(low, abs=5e-5) and hi == pytest.approx(high, abs=5e-5)
    # swapping the plans mirrors the interval
    assert newcombe_paired(variant, base) == pytest.approx((-diff, -hi, -lo))


def test_newcombe_when_every_pair_differs_by_minus_one():
    """20 pairs that all go from 1 to 0 do not prove a difference of exactly -100%: the
    interval keeps the width of the Wilson limits of 0/20 (where a t-interval is a point)."""
    diff, low, high = newcombe_paired([1] * 20, [0] * 20)
    assert diff == -1 and low == -1
    assert high == pytest.approx(-1 + math.sqrt(2) * wilson(0, 20)[2])
    assert high == pytest.approx(-0.7721, abs=5e-5)
    assert t_interval(np.zeros(20) - np.ones(20)) == (-1, -1, -1)
    # no change at all leaves room either way
    diff, low, high = newcombe_paired([0] * 40, [0] * 40)
    assert diff == 0 and low == pytest.approx(-wilson(0, 40)[2]) and high == -low
    assert all(math.isnan(v) for v in newcombe_paired([], []))


# --------------------------------------------------------------------------- frames


def _row(plan, rep, agreement, rumour, scuffles=0, cleared=None):
    return {"plan": plan, "rep": rep, "seed": rep, "scenario": "s", "agreement_min": agreement,
            "rumor_peak_reach": rumour, "scuffles": scuffles, "cleared_min": cleared,
            "team_on_site_min.order": 30.0, "outcome": "resolved" if cleared else "ongoing_at_end"}


def test_nulls_are_counted_and_pairs_need_both_values():
    rows = [_row("A", 0, 100.0, 0.8, 1, 200.0), _row("A", 1, None, 0.7), _row("A", 2, 120.0, 0.9),
            _row("B", 0, 90.0, 0.1, 0, 150.0), _row("B", 1, 95.0, 0.2), _row("B", 2, 100.0, 0.3)]
    a = analyse(rows, ["A", "B"], {"A": 210.0, "B": 140.0}, rumour_threshold=0.5)
    s = a.summary.set_index(["plan", "metric"])
    assert s.loc[("A", "agreement_min"), "n"] == 2 and s.loc[("A", "agreement_min"), "n_reps"] == 3
    assert s.loc[("A", "agreement_min"), "mean"] == 110
    assert s.loc[("A", "agreement_min"), "share"] == pytest.approx(2 / 3)
    d = a.difference("B", "agreement_min")
    assert d["n"] == 2                                  # rep 1 has no value under A
    assert d["mean_diff"] == pytest.approx(((90 - 100) + (100 - 120)) / 2)
    assert d["share_diff"] == pytest.approx(1 / 3)      # B always reached it, A two times in three
    assert d["share_ci_low"] < 0 < d["share_ci_high"] < 1   # 1 discordant pair in 3 proves little
    p = a.probabilities.set_index(["plan", "event"])
    assert p.loc[("A", "rumour_above_threshold"), "k"] == 3
    assert p.loc[("B", "rumour_above_threshold"), "k"] == 0
    assert p.loc[("A", "any_scuffle"), "k"] == 1
    assert p.loc[("A", "cleared_within_target"), "k"] == 1   # 200 <= 210
    assert p.loc[("B", "cleared_within_target"), "k"] == 0   # 150 > 140
    e = a.difference("B", "rumour_above_threshold")
    assert e["diff"] == -1 and e["ci_low"] == -1 and -1 < e["ci_high"] < -0.2
    assert e["excludes_zero"] and e["n"] == 3


def test_counts_get_whole_number_percentiles():
    rows = [{"plan": "A", "rep": k, "seed": k, "scuffles": int(k == 9), "agreement_min": 100 + 1.5 * k,
             "messages_lost": 2 * (k % 2)} for k in range(10)]
    a = analyse(rows, ["A"], {"A": None})
    s = a.summary.set_index("metric")
    assert a.counts == {"scuffles", "messages_lost"}
    assert s.loc["scuffles", "p90"] == 0       # interpolation would say 0.1
    assert s.loc["messages_lost", "p50"] == 0 and s.loc["messages_lost", "p90"] == 2
    assert s.loc["scuffles", "mean"] == pytest.approx(0.1)
    # a time keeps its interpolated percentiles
    assert s.loc["agreement_min", "p50"] == pytest.approx(106.75)
    assert s.loc["agreement_min", "p90"] == pytest.approx(112.15)


def test_outcome_events_are_outcomes_of_a_run():
    assert set(OUTCOME_EVENTS) <= set(EVENTS)
    assert set(OUTCOME_EVENTS.values()) <= set(OUTCOMES)


# --------------------------------------------------------------------------- on time


def test_on_time_rule():
    assert on_time(30.0, 30.0) is True and on_time(30.0 + 1e-12, 30.0) is True
    assert on_time(30.01, 30.0) is False
    assert on_time(None, 30.0) is False and on_time(float("nan"), 30.0) is False
    assert on_time(12.0, None) is None and on_time(12.0, float("nan")) is None
    flags = on_time_flags(np.array([10.0, 31.0, np.nan, 5.0]), np.array([30.0, 30.0, 30.0, np.nan]))
    assert flags[:3].tolist() == [1.0, 0.0, 0.0] and math.isnan(flags[3])
    # the same rule, one value at a time
    for m, t, f in zip([10.0, 31.0, None, 5.0], [30.0, 30.0, 30.0, None], flags, strict=True):
        assert on_time(m, t) == (None if math.isnan(f) else bool(f))


# --------------------------------------------------------------------------- one set of figures


PLANS = ["A", "B"]
REPS = 20


def _synthetic_rows() -> list[dict]:
    """20 replications of two plans. Under A every replication reaches a commitment and a
    loud rumour; under B none does: paired differences of exactly -1 in every pair."""
    rng = np.random.default_rng(7)
    rows = []
    for plan in PLANS:
        for k in range(REPS):
            a = plan == "A"
            rows.append({
                "plan": plan, "rep": k, "seed": 1_000_003 + k, "scenario": "synthetic",
                "peak_crowd": int(rng.integers(25, 40)),
                "peak_mean_agitation": float(rng.uniform(0.2, 0.6)),
                "first_team_on_site_min": float(rng.uniform(10, 30)),
                "agreement_min": float(rng.uniform(60, 120)) if a else None,
                "cleared_min": float(rng.uniform(100, 200)) if k % 3 else None,
                "scuffles": int(rng.integers(0, 3)),
                "injuries": 0,
                "rumor_peak_reach": float(rng.uniform(0.6, 0.9) if a else rng.uniform(0.0, 0.3)),
                "team_on_site_min.order": float(rng.uniform(10, 40)),
                "outcome": "resolved" if a and k % 3 else "ongoing_at_end",
            })
    return rows


def _replications(rows: list[dict]) -> Replications:
    """What ``run_replications`` would return for ``rows``, without running the model."""
    def text(words: str) -> SimpleNamespace:
        return SimpleNamespace(get=lambda lang: words)

    variants = [SimpleNamespace(label=p, ref=p, overrides=[], cleared_target=150.0,
                                inputs=SimpleNamespace(
                                    plan=SimpleNamespace(name=p, teams={}, title=text(f"Plan {p}")),
                                    scenario=SimpleNamespace(title=text("Synthetic incident")),
                                    plan_path=Path(f"{p}.yaml")))
                for p in PLANS]
    return Replications("synthetic", "synthetic", variants, [], REPS, 1, "local", 1, rows=rows)


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def test_the_notebook_and_the_report_give_the_same_figures(tmp_path):
    """The notebook reads ``sim.montecarlo.stats.analyse``; ``compare`` writes and shows the same frames,
    the all -1 differences included (Newcombe's interval on both paths)."""
    rows = _synthetic_rows()
    reps = _replications(rows)
    a = analyse(rows, PLANS, reps.cleared_targets)
    notebook = {name: _csv(getattr(a, name)) for name in
                ("replications", "summary", "differences", "probabilities", "event_differences",
                 "categories")}
    write_compare(reps, a, tmp_path, lang="en")
    for name, text in notebook.items():
        assert (tmp_path / f"{name}.csv").read_text(encoding="utf-8") == text, name
    # analysing again gives the very same frames (nothing is refined on the way out)
    assert _csv(analyse(rows, PLANS, reps.cleared_targets).event_differences) == \
        notebook["event_differences"]

    expected_high = -1 + math.sqrt(2) * wilson(0, REPS)[2]        # -0.772
    for event in ("agreement_reached", "rumour_above_threshold"):
        e = a.difference("B", event)
        assert (e["diff"], e["ci_low"], e["n"]) == (-1, -1, REPS)
        assert e["ci_high"] == pytest.approx(expected_high) and e["excludes_zero"]
    d = a.difference("B", "agreement_min")
    assert d["n"] == 0 and d["share_diff"] == -1
    assert d["share_ci_high"] == pytest.approx(expected_high)

    # the report shows those numbers, formatted and nothing else
    e = a.difference("B", "rumour_above_threshold")
    shown = fmt_ci("rumour_above_threshold", e["diff"], e["ci_low"], e["ci_high"], signed=True)
    assert shown == "-100.0 [-100.0, -77.2] pp"   # percentage points
    md = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    assert render_md.md(shown) in md
    assert shown in (tmp_path / "comparison.html").read_text(encoding="utf-8")
    console = Console(record=True, width=300)
    print_compare(reps, a, console, "en")
    assert shown in console.export_text()


def test_a_mean_interval_stays_within_what_the_metric_can_take():
    # one scuffle in ten runs: the t-interval would reach below 0 scuffles; a share near 1 above 1;
    # a time from T0 may be negative (a warning puts it before T0) and is left as it is
    rows = [{"plan": "A", "rep": k, "seed": k, "scuffles": int(k == 9),
             "legitimacy_end": 0.99 if k else 0.6, "level_declared_min": -5.0 + 4 * (k % 2),
             "medical_response_mean_min": [1.0, 30.0, 2.0][k % 3]} for k in range(10)]
    a = analyse(rows, ["A"], {"A": None})
    s = a.summary.set_index("metric")
    assert s.loc["scuffles", "ci_low"] == 0 and s.loc["scuffles", "ci_high"] > 0.1
    t = t_interval([int(k == 9) for k in range(10)])
    assert t[1] < 0 and s.loc["scuffles", "ci_high"] == pytest.approx(t[2])
    assert s.loc["legitimacy_end", "ci_high"] == 1.0
    assert s.loc["level_declared_min", "ci_low"] < -3
    assert s.loc["medical_response_mean_min", "ci_low"] >= 0


def test_the_person_at_risk_outcome_is_summarised_only_where_there_was_one():
    import pandas as pd

    from sim.montecarlo.stats import categories

    rows = pd.DataFrame({"plan": ["A", "A", "B", "B"], "rep": [0, 1, 0, 1],
                         "outcome": ["resolved"] * 4,
                         "person_outcome": ["fell", "talked_down", "talked_down", None]})
    t = categories(rows, ["A", "B"])
    person = t[t.metric == "person_outcome"]
    assert set(zip(person.plan, person.value, person.k, strict=True)) == {
        ("A", "fell", 1), ("A", "talked_down", 1), ("B", "talked_down", 1), ("B", "none", 1)}
    none = categories(rows.assign(person_outcome=None), ["A", "B"])
    assert "person_outcome" not in set(none.metric) and "outcome" in set(none.metric)


def test_a_comparison_tells_how_the_person_at_height_ended():
    from reports.comparison_content import build_compare
    from sim.montecarlo.replicate import prepare, run_replications
    from sim.montecarlo.stats import analyse

    reps = run_replications(prepare("self-harm-at-height", ["enterprise", "generic"]), 3, 1,
                            jobs=1)
    a = analyse(reps.rows, reps.plans, reps.cleared_targets)
    text = "\n".join(str(b) for s in build_compare(reps, a, "en").sections for b in s.blocks)
    assert "How the person at height ended" in text
    assert any(w in text for w in ("talked down", "fell", "caught by the air cushion"))


def test_every_metric_of_a_run_has_a_label_in_both_languages():
    from reports.comparison_words import metric_label
    from sim.core.loading import load_drill
    from sim.engine import simulate_metrics

    m = simulate_metrics(load_drill("self-harm-at-height"), 1)
    flat = [k for k, v in m.items() if not isinstance(v, dict)] + \
        [f"{k}.{inner}" for k, v in m.items() if isinstance(v, dict) and k != "team_on_site_min"
         for inner in v]
    for lang in ("zh", "en"):
        raw = [k for k in flat if k not in ("scenario", "plan", "seed")
               and metric_label(k, lang) == k]
        assert not raw, (lang, raw)
