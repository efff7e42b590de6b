"""The calibration table: what the model as a whole must reproduce, and how it is measured.

Each row of ``sim/data/calibration.yaml`` is a target for a bundled scenario and plan (or a
pair of them, for a direction), or a published anchor of one of the model's parts. A row is
measured over replications with common random numbers (replication k of every arm uses the
same seed, as ``compare`` does) and compared with its target; ``bench/validate.py`` prints
the whole table, and the tests run a reduced version.

Statistics:

* ``share``: the share of replications where a metric condition holds (Wilson interval);
* ``mean``: the mean of a metric over replications (t interval);
* a pair of arms (``arms: [base, variant]``): the paired difference variant − base
  (Newcombe's paired interval for shares, a t interval on the per-replication differences
  for means) and the ratio of the two values;
* ``anchor``: a named check of one model part against its published value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from agents.crowd import HealthHazard
from agents.rumour import Rumour
from sim.core.config import Strict, Text
from sim.core.loading import DrillInputs, load_drill, load_parameters
from sim.core.yamlio import load_file
from sim.montecarlo.replicate import Variant, run_replications
from sim.montecarlo.stats import newcombe_paired, t_interval, wilson

CALIBRATION_FILE = Path(__file__).resolve().parents[1] / "data" / "calibration.yaml"

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


class Arm(Strict):
    """One configuration to run: a bundled scenario under a plan, with overrides."""

    scenario: str
    plan: str
    sets: list[str] = field(default_factory=list)
    scenario_set: dict[str, Any] = field(default_factory=dict)
    params_set: dict[str, float] = field(default_factory=dict)

    def label(self) -> str:
        extra = [*self.sets, *(f"{k}={v}" for k, v in self.scenario_set.items()),
                 *(f"{k}={v}" for k, v in self.params_set.items())]
        return f"{self.scenario}/{self.plan}" + (f" [{', '.join(extra)}]" if extra else "")


class Target(Strict):
    """The bounds a measured value must meet (either or both)."""

    min: float | None = None
    max: float | None = None

    def met(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def text(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min:g} to {self.max:g}"
        if self.min is not None:
            return f">= {self.min:g}"
        return f"<= {self.max:g}"


class Row(Strict):
    """One target of the calibration table."""

    id: str
    what: Text
    source: str
    statistic: Literal["share", "mean", "anchor"]
    metric: str = ""
    when: list[Any] = field(default_factory=list)
    arms: list[Arm] = field(default_factory=list)
    compare: Literal["difference", "ratio"] | None = None
    anchor: str = ""
    target: Target
    reps: int = 200


@dataclass
class Measured:
    """A row's measured value with its 95% interval (``nan`` bounds for anchors)."""

    row: Row
    value: float
    low: float
    high: float
    n: int
    arms: list[float] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.row.target.met(self.value)


def load_rows(path: Path = CALIBRATION_FILE) -> list[Row]:
    """The calibration table as validated rows."""
    doc = load_file(path)
    return [Row.model_validate(r) for r in doc.data["rows"]]


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    node = data
    *path, last = dotted.split(".")
    for part in path:
        node = node[part]
    if last not in node and not isinstance(node, dict):
        raise KeyError(dotted)
    node[last] = value


def inputs_for(arm: Arm) -> DrillInputs:
    """Load an arm's drill with its plan, scenario and parameter overrides."""
    inputs = load_drill(arm.scenario, arm.plan, list(arm.sets))
    if arm.scenario_set:
        data = inputs.scenario.model_dump()
        for key, value in arm.scenario_set.items():
            _set_path(data, key, value)
        inputs = replace(inputs, scenario=type(inputs.scenario).model_validate(data))
    if arm.params_set:
        inputs = replace(inputs, params=inputs.params.with_values(dict(arm.params_set)))
    return inputs


def _indicator(rows: Sequence[dict[str, Any]], when: list[Any]) -> np.ndarray:
    metric, op, value = when
    out = []
    for r in rows:
        x = r.get(metric)
        out.append(x is not None and not (isinstance(x, float) and math.isnan(x))
                   and bool(_OPS[op](x, value)))
    return np.array(out, dtype=bool)


def _values(rows: Sequence[dict[str, Any]], metric: str) -> np.ndarray:
    return np.array([float("nan") if r.get(metric) is None else float(r[metric]) for r in rows])


def measure(row: Row, reps: int | None = None, jobs: int | None = 1, base_seed: int = 20261124,
            show_progress: bool = False) -> Measured:
    """Run a row's arms and measure its statistic."""
    if row.statistic == "anchor":
        value = ANCHORS[row.anchor]()
        return Measured(row, value, float("nan"), float("nan"), 0)
    n = reps or row.reps
    variants = [Variant(f"arm{i}", arm.plan, tuple(arm.sets), inputs_for(arm))
                for i, arm in enumerate(row.arms)]
    result = run_replications(variants, n, base_seed, jobs=jobs, show_progress=show_progress)
    if result.failures:
        f = result.failures[0]
        raise RuntimeError(f"calibration row {row.id}: replication {f.rep} failed: {f.error}")
    by_arm = [sorted((r for r in result.rows if r["plan"] == v.label), key=lambda r: r["rep"])
              for v in variants]
    if row.statistic == "share":
        flags = [_indicator(rows, row.when) for rows in by_arm]
        shares = [float(f.mean()) for f in flags]
        if len(flags) == 1:
            value, low, high = wilson(int(flags[0].sum()), len(flags[0]))
            return Measured(row, value, low, high, n, shares)
        if row.compare == "ratio":
            return Measured(row, _ratio(shares[0], shares[1]), float("nan"), float("nan"), n, shares)
        diff, low, high = newcombe_paired(flags[0], flags[1])
        return Measured(row, diff, low, high, n, shares)
    values = [_values(rows, row.metric) for rows in by_arm]
    means = [float(np.nanmean(v)) if np.isfinite(v).any() else float("nan") for v in values]
    if len(values) == 1:
        value, low, high = t_interval(values[0][np.isfinite(values[0])])
        return Measured(row, value, low, high, n, means)
    if row.compare == "ratio":
        return Measured(row, _ratio(means[0], means[1]), float("nan"), float("nan"), n, means)
    d = values[1] - values[0]
    value, low, high = t_interval(d[np.isfinite(d)])
    return Measured(row, value, low, high, n, means)


def _ratio(base: float, variant: float) -> float:
    if base == 0:
        return math.inf if variant > 0 else float("nan")
    return variant / base


# --------------------------------------------------------------------------- anchors


def maki_thompson_never_heard() -> float:
    """Share who never hear a rumour without any statement (Maki & Thompson 1973: 0.2032)."""
    r = Rumour(load_parameters().rumour)
    r.seed(1e-4)
    for _ in range(20_000):
        r.step(1.0)
    return 1.0 - r.reach


def health_neutral_per_1000() -> float:
    """Presentations per 1000 attendees at the neutral gathering over the reference length
    (Arbon et al. 2001: 0.992)."""
    p = load_parameters().health
    rate = HealthHazard(p).shared_rate(p.heat_reference_f, water=True)
    return rate * 1000.0 * p.reference_hours * 60.0


def health_heat_ratio() -> float:
    """Rate ratio for +10 F of apparent temperature (Intern Emerg Med 2016: 1.21)."""
    p = load_parameters().health
    h = HealthHazard(p)
    return h.shared_rate(p.heat_reference_f + 10, True) / h.shared_rate(p.heat_reference_f, True)


def granovetter_critical_sd() -> float:
    """The spread of Normal(0.25, sd) thresholds at which a crowd of 1,000 all willing people
    with one instigator stops cascading to nearly all (Granovetter 1978: about 0.122)."""
    rng = np.random.default_rng(1978)
    z = rng.standard_normal(1000)

    def final_share(sd: float) -> float:
        theta = np.sort(0.25 + sd * z)
        theta[0] = 0.0
        share = 0.0
        for _ in range(2000):
            new = float(np.searchsorted(theta, share, side="right")) / len(theta)
            if new == share:
                break
            share = new
        return share

    lo, hi = 0.05, 0.3
    for _ in range(30):
        mid = (lo + hi) / 2
        if final_share(mid) > 0.5:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


ANCHORS: dict[str, Callable[[], float]] = {
    "maki_thompson_never_heard": maki_thompson_never_heard,
    "health_neutral_per_1000": health_neutral_per_1000,
    "health_heat_ratio": health_heat_ratio,
    "granovetter_critical_sd": granovetter_critical_sd,
}
