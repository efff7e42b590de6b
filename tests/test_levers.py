"""Each plan lever and model cause moves its outcome in the right direction, by more than noise.

Both arms of a comparison run on the same seeds (common random numbers: the crowd a seed
draws does not depend on the plan), and the direction is asserted with a criterion that
one lucky seed cannot satisfy:

- continuous outcomes: paired differences over N seeds, mean difference more than
  ``Z_MIN`` standard errors in the expected direction;
- binary outcomes: Newcombe's paired interval for the difference of two shares must
  exclude zero in the expected direction.

Heavy checks (hundreds of runs) are marked ``slow``: ``.ci/run`` runs them as a second step.
Each N was chosen from a measurement made while writing the test; the figures are in the
comments, so a model change that shrinks an effect shows up as a failure here rather than
as a silently weaker lever.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from sim.engine import simulate
from sim.montecarlo.calibration import Arm, inputs_for
from sim.montecarlo.stats import newcombe_paired

Z_MIN = 2.5
"""Required z for every continuous lever (one-sided p ~ 0.006 under the null)."""


@cache
def _metrics(arm_json: str, seed: int) -> dict:
    return simulate(inputs_for(Arm.model_validate_json(arm_json)), seed=seed).metrics


def runs(scenario: str, n: int, plan: str = "linxiang", sets: tuple[str, ...] = (),
         scenario_set: tuple[tuple[str, object], ...] = (),
         params_set: tuple[tuple[str, float], ...] = ()) -> list[dict]:
    """Metrics of seeds 0..n-1 of one arm (cached: some arms serve several levers)."""
    arm = Arm(scenario=scenario, plan=plan, sets=list(sets), scenario_set=dict(scenario_set),
              params_set=dict(params_set))
    key = arm.model_dump_json()
    return [_metrics(key, s) for s in range(n)]


def values(rows: list[dict], key: str, missing: float | None = None) -> np.ndarray:
    out = []
    for m in rows:
        v = m[key]
        if v is None:
            assert missing is not None, f"{key} is missing in seed {m['seed']}"
            v = missing
        out.append(float(v))
    return np.asarray(out)


def assert_paired(base: np.ndarray, variant: np.ndarray, direction: int, what: str) -> float:
    """The variant is higher (+1) or lower (-1) than the base by more than Z_MIN paired SEs."""
    assert len(base) == len(variant) >= 10, f"{what}: too few pairs ({len(base)})"
    d = variant - base
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(len(d)))
    z = mean / se if se > 0 else (math.copysign(math.inf, mean) if mean else 0.0)
    assert direction * z > Z_MIN, (f"{what}: N={len(base)} base {base.mean():.3f}, variant "
                                   f"{variant.mean():.3f}, paired diff {mean:+.3f}, z {z:+.2f}")
    return mean


def assert_share_up(base: np.ndarray, variant: np.ndarray, what: str) -> None:
    """The variant's share is higher, by Newcombe's paired 95% interval."""
    diff, low, high = newcombe_paired(base, variant)
    assert low > 0, (f"{what}: N={len(base)} base {base.mean():.3f} variant "
                     f"{variant.mean():.3f}, diff {diff:+.3f} [{low:+.3f}, {high:+.3f}]")


def scuffled(rows: list[dict]) -> np.ndarray:
    return np.array([m["scuffles"] > 0 for m in rows])


# ----------------------------------------------------------------------- plan levers


def test_fewer_dialogue_staff_than_negotiators_slow_agreement():
    # gate-blockade, 2 -> 6 staff, N=20: agreement later with 2 (negotiators saturate at 4,
    # so 6 -> 12 changes the talks little; explaining still gains)
    end = 240.0
    two = values(runs("gate-blockade", 20, sets=("teams.dialogue.size=2",)), "agreement_min", end)
    six = values(runs("gate-blockade", 20, sets=("teams.dialogue.size=6",)), "agreement_min", end)
    assert_paired(two, six, -1, "agreement_min, dialogue 2 -> 6 staff")


def test_no_loudspeaker_delays_representatives():
    # small-group: explaining to ~35 people takes minutes with a loudspeaker, three times
    # longer without one
    base = runs("small-group", 20)
    bare = runs("small-group", 20, sets=("teams.dialogue.equipment.loudspeaker=0",))
    assert_paired(values(base, "representatives_min", 240.0),
                  values(bare, "representatives_min", 240.0), +1,
                  "representatives_min, no loudspeaker")


def test_a_proactive_release_policy_lowers_the_rumours_peak():
    silent = values(runs("gate-blockade", 10, sets=("publicity.release_policy=silent",)),
                    "rumor_peak_reach")
    proactive = values(runs("gate-blockade", 10, sets=("publicity.release_policy=proactive",)),
                       "rumor_peak_reach")
    assert_paired(silent, proactive, -1, "rumor_peak_reach, silent -> proactive")


def test_a_statement_with_low_reach_debunks_less():
    low = values(runs("gate-blockade", 10, sets=("publicity.release_policy=proactive",
                                                 "publicity.reach=0.05")), "rumor_peak_reach")
    high = values(runs("gate-blockade", 10, sets=("publicity.release_policy=proactive",
                                                  "publicity.reach=0.9")), "rumor_peak_reach")
    assert_paired(low, high, -1, "rumor_peak_reach, statement reach 0.05 -> 0.9")


def test_an_undercounted_first_report_delays_the_right_level():
    # large-sit-in peaks above 100 (level II): the first report at a third of the truth
    # declares a lower level, and the right one comes only at verification
    def level_ii_at(rows: list[dict]) -> np.ndarray:
        return values(rows, "level_ii_min", 360.0)

    base = [dict(m, level_ii_min=m["level_times"].get("II")) for m in runs("large-sit-in", 20)]
    under = [dict(m, level_ii_min=m["level_times"].get("II")) for m in runs(
        "large-sit-in", 20, params_set=(("estimate.first_report_bias", 0.33),))]
    assert_paired(level_ii_at(base), level_ii_at(under), +1, "level II time, under-count")


def test_water_lowers_health_presentations():
    no_water = values(runs("large-sit-in", 60, sets=("teams.logistics.equipment.water=0",)),
                      "health_presentations")
    water = values(runs("large-sit-in", 60), "health_presentations")
    assert_paired(no_water, water, -1, "health_presentations, no water -> water")


@pytest.mark.slow
def test_a_forceful_posture_makes_scuffles_and_injuries_likelier():
    # N=100: 0.05 -> 0.70 scuffle share; injuries 0.0 -> ~3 per run
    restrained = runs("gate-blockade", 100)
    forceful = runs("gate-blockade", 100, sets=("teams.order.posture=forceful",))
    assert_share_up(scuffled(restrained), scuffled(forceful), "scuffle share, forceful")
    assert_paired(values(restrained, "injuries"), values(forceful, "injuries"), +1,
                  "injuries, forceful")
    assert_paired(values(restrained, "legitimacy_end"), values(forceful, "legitimacy_end"), -1,
                  "legitimacy at the end, forceful")


@pytest.mark.slow
def test_removing_dialogue_raises_the_scuffle_share():
    # N=400: about 0.05 -> 0.09 (the unheard crowd re-blocks the gate); paired interval > 0
    base = runs("gate-blockade", 400)
    none = runs("gate-blockade", 400, sets=("teams.dialogue.capabilities=[persuasion]",))
    assert_share_up(scuffled(base), scuffled(none), "scuffle share without dialogue")
    assert not any(m["agreement_min"] is not None for m in none)


@pytest.mark.slow
def test_heat_raises_health_more_than_scuffles():
    # gate-blockade at 28 C -> 36 C, N=200: health presentations rise several-fold relative
    # to the scuffle share, which heat moves only a little (heat acts mainly on health)
    base = runs("gate-blockade", 200)
    hot = runs("gate-blockade", 200, scenario_set=(("weather.temperature_c", 36.0),))
    h0, h1 = values(base, "health_presentations"), values(hot, "health_presentations")
    assert_paired(h0, h1, +1, "health presentations, 28 -> 36 C")
    s0, s1 = scuffled(base).mean(), scuffled(hot).mean()
    rel_health = (h1.mean() + 0.01) / (h0.mean() + 0.01)
    rel_scuffle = (s1 + 0.01) / (s0 + 0.01)
    assert rel_health > rel_scuffle, (rel_health, rel_scuffle)


@pytest.mark.slow
def test_a_prepositioned_medical_unit_responds_sooner():
    base = runs("large-sit-in", 100)
    pre = runs("large-sit-in", 100, sets=("teams.medical.prepositioned=true",))
    pairs = [(a["medical_response_mean_min"], b["medical_response_mean_min"])
             for a, b in zip(base, pre, strict=True)
             if a["medical_response_mean_min"] is not None
             and b["medical_response_mean_min"] is not None]
    assert len(pairs) >= 50
    a, b = np.array(pairs).T
    assert_paired(a, b, -1, "medical response, pre-positioned")
