"""Each plan lever moves its outcome in the right direction, by more than noise.

Both arms of a comparison run on the same seeds (common random numbers: the crowd a seed
draws does not depend on the plan), and the direction is asserted with a criterion that
one lucky seed cannot satisfy:

- continuous outcomes: paired differences over N seeds, mean difference more than
  ``Z_MIN`` standard errors in the expected direction;
- binary outcomes: a pooled two-proportion z above ``Z_MIN`` (which ignores the pairing and
  so is conservative under common random numbers).

Only numpy is used for the statistics (scipy is not a project dependency).

Each N below was fixed from a measurement made while writing the test (seeds 0..N-1 with
the bundled parameters); the comment next to it gives the arms' means, the paired standard
error and the resulting z, so a model change that shrinks an effect shows up as a
failure here rather than as a silently weaker lever.
"""

from __future__ import annotations

import copy
import math
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from sim.engine import simulate
from sim.loading import DRILLS_DIR, DrillInputs, load_drill
from sim.types import Equipment, ReleasePolicy

Z_MIN = 2.5
"""Required z for every lever (one-sided p ~ 0.006 under the null)."""

# Measured with seeds 0..N-1 (base arm -> variant arm; "diff" is the paired mean
# difference, SE its standard error, z = diff / SE):
#
# 1. dialogue staff 6 -> 12, agreement_min. N=20: gate-blockade 180.5 -> 138.4 min
#    (diff -42.2, SE 0.62, z -68); small-group 115.0 -> 95.3 min (diff -19.7, SE 0.33,
#    z -61). Every run reaches agreement. At N=40 z was -92 and -88: 20 seeds are plenty.
N_DIALOGUE = 20
# 2. loudspeaker failure (inject GB-2 at 32 min) vs the scenario without it, gate-blockade.
#    N=30: representatives_min 52.7 -> 74.1 (diff +21.4, SE 0.85, z 25); agreement_min
#    168.6 -> 179.6 (diff +11.0, SE 0.87, z 12.6). At N=40: z 25 and 14.
N_LOUDSPEAKER = 30
# 3. restrained -> forceful posture, share of gate-blockade runs with scuffles > 0.
#    N=300 per arm: 25.0% -> 41.7%, two-proportion z 4.3 (N=400: 25.0% -> 42.0%, z 5.1;
#    N=150: z 3.1, too close to 2.5). Paired, 50 seeds gain a scuffle and none loses one.
#    600 runs take ~20-30 s on two cores, the bulk of this file's time.
N_POSTURE = 300
# 4. silent -> proactive release, gate-blockade rumor_peak_reach. N=10: 0.786 -> 0.011
#    (diff -0.775, SE 0.003, z -280). Ten seeds are plenty.
N_RELEASE = 10
# 5. medical unit pre-positioned, large-sit-in medical_response_mean_min. N=200 (every
#    seed has incidents in both arms): 13.2 -> 11.7 min (diff -1.48, SD 4.9, SE 0.35,
#    z -4.2); 101 seeds faster, 33 slower, 66 equal. A small effect (the unit is usually on
#    site before most incidents; two crews queue) with a heavy tail: z over prefixes of the
#    seeds ranged 3.3 (N=160) to 4.5 (N=120), so fewer than 200 seeds would be marginal.
N_MEDICAL = 200
# 6. no water -> linxiang's 300 portions, large-sit-in health_incidents. N=40: 14.2 ->
#    11.5 incidents (diff -2.65, SE 0.25, z -10.5).
N_WATER = 40


# --------------------------------------------------------------------------- helpers


@cache
def _inputs(scenario: str, sets: tuple[str, ...]) -> DrillInputs:
    return load_drill(scenario, None, list(sets))


@cache
def _metrics(scenario: str, sets: tuple[str, ...], seed: int) -> dict:
    """Metrics of one run (cached: some arms serve two levers)."""
    return simulate(_inputs(scenario, sets), seed=seed).metrics


def metrics(scenario: str, sets: tuple[str, ...], n: int) -> list[dict]:
    """Metrics of seeds 0..n-1 of one arm."""
    return [_metrics(scenario, sets, s) for s in range(n)]


def values(runs: list[dict], key: str, missing: float | None = None) -> np.ndarray:
    """``key`` of each run as floats; ``None`` (never happened) becomes ``missing``."""
    out = []
    for m in runs:
        v = m[key]
        if v is None:
            assert missing is not None, f"{key} is missing in seed {m['seed']}"
            v = missing
        out.append(float(v))
    return np.asarray(out)


def paired(base: np.ndarray, variant: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``variant - base``, its standard error and z (mean / SE)."""
    d = variant - base
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(len(d)))
    z = mean / se if se > 0 else math.copysign(math.inf, mean) if mean else 0.0
    return mean, se, z


def assert_paired(base: np.ndarray, variant: np.ndarray, direction: int, what: str) -> None:
    """The variant is higher (``direction`` +1) or lower (-1) than the base by more than
    ``Z_MIN`` paired standard errors."""
    assert len(base) == len(variant) >= 10, f"{what}: too few pairs ({len(base)})"
    mean, se, z = paired(base, variant)
    summary = (f"{what}: N={len(base)} base mean {base.mean():.3f}, variant mean "
               f"{variant.mean():.3f}, paired diff {mean:+.3f}, SE {se:.3f}, z {z:+.2f}")
    assert direction * z > Z_MIN, summary


def two_proportion_z(base: np.ndarray, variant: np.ndarray) -> float:
    """Pooled two-proportion z of ``variant.mean() - base.mean()`` (boolean arrays)."""
    n1, n2 = len(base), len(variant)
    p1, p2 = base.mean(), variant.mean()
    p = (base.sum() + variant.sum()) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return float((p2 - p1) / se) if se > 0 else 0.0


def _scenario_copy(tmp_path: Path, name: str, edit) -> str:
    """A copy of a bundled scenario with ``edit(data)`` applied, written into ``tmp_path``."""
    data = yaml.safe_load((DRILLS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    edit(data)
    path = tmp_path / f"{name}-variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- the levers


def test_more_dialogue_staff_reach_agreement_sooner():
    for scenario in ("gate-blockade", "small-group"):
        end = _inputs(scenario, ()).scenario.end.max_min
        six = values(metrics(scenario, ("teams.dialogue.size=6",), N_DIALOGUE),
                     "agreement_min", missing=end)
        twelve = values(metrics(scenario, ("teams.dialogue.size=12",), N_DIALOGUE),
                        "agreement_min", missing=end)
        assert_paired(six, twelve, -1, f"{scenario} agreement_min, dialogue 6 -> 12 staff")


def test_a_failed_loudspeaker_delays_representatives_and_agreement(tmp_path):
    def drop_failure(data):
        before = len(data["injects"])
        data["injects"] = [i for i in data["injects"] if i["id"] != "GB-2"]
        assert len(data["injects"]) == before - 1, "gate-blockade has no inject GB-2"

    no_failure = _scenario_copy(tmp_path, "gate-blockade", drop_failure)
    inputs = load_drill(no_failure)
    assert "GB-2" not in [i.id for i in inputs.scenario.injects]
    assert all(i.kind.value != "equipment_failure" for i in inputs.scenario.injects)
    end = inputs.scenario.end.max_min
    without = [simulate(inputs, seed=s).metrics for s in range(N_LOUDSPEAKER)]
    with_failure = metrics("gate-blockade", (), N_LOUDSPEAKER)
    assert all(m["equipment_failures"] >= 1 for m in with_failure)
    for key in ("representatives_min", "agreement_min"):
        assert_paired(values(without, key, missing=end), values(with_failure, key, missing=end),
                      +1, f"gate-blockade {key}, loudspeaker failure GB-2 vs none")


def test_a_forceful_posture_makes_scuffles_likelier():
    restrained = np.array([m["scuffles"] > 0 for m in metrics(
        "gate-blockade", ("teams.order.posture=restrained",), N_POSTURE)])
    forceful = np.array([m["scuffles"] > 0 for m in metrics(
        "gate-blockade", ("teams.order.posture=forceful",), N_POSTURE)])
    z = two_proportion_z(restrained, forceful)
    assert z > Z_MIN, (f"share of runs with a scuffle: restrained {restrained.mean():.3f}, "
                       f"forceful {forceful.mean():.3f}, N={N_POSTURE} per arm, z {z:.2f}")


def test_a_proactive_release_policy_lowers_the_rumours_peak():
    assert _inputs("gate-blockade", ()).plan.publicity.release_policy is ReleasePolicy.SILENT
    silent = values(metrics("gate-blockade", ("publicity.release_policy=silent",), N_RELEASE),
                    "rumor_peak_reach")
    proactive = values(metrics("gate-blockade", ("publicity.release_policy=proactive",),
                               N_RELEASE), "rumor_peak_reach")
    assert_paired(silent, proactive, -1, "gate-blockade rumor_peak_reach, silent -> proactive")


def test_a_prepositioned_medical_unit_responds_sooner():
    base = metrics("large-sit-in", (), N_MEDICAL)
    pre = metrics("large-sit-in", ("teams.medical.prepositioned=true",), N_MEDICAL)
    assert not _inputs("large-sit-in", ()).plan.teams["medical"].prepositioned
    pairs = [(a["medical_response_mean_min"], b["medical_response_mean_min"])
             for a, b in zip(base, pre, strict=True)
             if a["medical_response_mean_min"] is not None
             and b["medical_response_mean_min"] is not None]
    assert len(pairs) >= 0.9 * N_MEDICAL   # large-sit-in has health incidents in nearly every run
    a, b = (np.array(x) for x in zip(*pairs, strict=True))
    assert_paired(a, b, -1, "large-sit-in medical_response_mean_min, pre-positioned medical")


def test_water_lowers_health_incidents():
    assert _inputs("large-sit-in", ()).plan.teams["logistics"].equipment[Equipment.WATER] == 300
    no_water = values(metrics("large-sit-in", ("teams.logistics.equipment.water=0",), N_WATER),
                      "health_incidents")
    water = values(metrics("large-sit-in", (), N_WATER), "health_incidents")
    assert_paired(no_water, water, -1, "large-sit-in health_incidents, water 0 -> 300")
