"""Global sensitivity of a drill's key metrics to the uncertain constants and the plan levers.

Which conclusions of a drill depend on assumptions? This module varies, all at once, the
model constants whose value is uncertain (the ``uncertain`` section of the parameter file,
read at run time) and the numeric plan fields a planner can change (team sizes, the
responsible leader's delay, the statement delay, each team's familiarity with the plan),
runs the scenario at every point of a SALib design, and ranks the factors by their effect on
each key metric.

Factors. A constant ``crowd.active_threshold`` is sampled over its range in the parameter
file; a plan lever ``teams.dialogue.size`` over a range around the plan's own value and
applied through the plan's override machinery (:func:`sim.core.loading.apply_overrides`), so that
every value is validated like ``--set``. Whole-number fields are rounded. ``--factor
NAME=LOW,HIGH`` adds a factor or replaces the range of one.

Designs. Morris elementary effects (the default: ``r`` trajectories of ``k + 1`` points on a
4-level grid; factors ranked by ``mu_star``, the mean absolute elementary effect, which reads
as the change in the metric when the factor crosses its range) or Sobol' indices (Saltelli's
scheme, first-order ``S1`` and total ``ST`` with bootstrap intervals). SALib draws the design
with the base seed, so the same seed gives the same design, the same runs and the same ranks.

Runs. Every design point runs ``reps`` replications with common random numbers: replication
``k`` has the seed :func:`sim.montecarlo.replicate.replication_seed` ``(seed, k)`` at every point, so the
differences between points come from the factors, not from noise. The points are run as the
plans of :func:`sim.montecarlo.replicate.run_replications` (local pool or Dask, progress bar, failures
caught with their seed and traceback); each metric is averaged over the replications of a
point before the analysis.

Metrics. ``agreement_min_censored`` is the time of the commitment, a run without one counting
as the scenario's last minute (``end.max_min``), so that never agreeing is never "faster"
than agreeing; ``agreement_reached`` is the share of replications with a commitment;
``any_scuffle`` the share with at least one scuffle; ``injuries``, ``health_incidents`` and
``rumor_peak_reach`` are the means of the run metrics.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.core.config import MAX_MINUTES, MAX_TEAM_SIZE
from sim.core.errors import InputError, Problem
from sim.core.loading import DrillInputs, apply_overrides, load_drill, plan_problems
from sim.core.parameters import PARAMETERS_FILE, Parameters
from sim.core.yamlio import load_file

METHODS = ("morris", "sobol")
ONLY = ("constants", "levers")
CONSTANT, LEVER = "constant", "lever"

DEFAULT_REPS = 4
"""Replications per design point (averaged before the analysis)."""

DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
"""Morris trajectories, or the Sobol' base sample (a power of two)."""

MORRIS_LEVELS = 4
"""Levels of the Morris grid; a step moves a factor by 2/3 of its range."""

BOOTSTRAP = 1000
"""Resamples of the bootstrap intervals (95%)."""

MAX_POINTS = 20_000
"""The largest design accepted (points, before replications)."""

OUTPUTS = ("agreement_min_censored", "agreement_reached", "any_scuffle", "injuries",
           "health_incidents", "rumor_peak_reach")
"""The metrics analysed, per design point (means over its replications)."""

RAW = ("agreement_min", "scuffles", "duration_min", "outcome")
"""Further run metrics written to ``replications.csv`` beside the outputs (the outputs are
made from them)."""

LEVER_SIZE_SPAN = (0.5, 2.0)
"""A team size is sampled from max(1, round(0.5 x size)) to 2 x size."""

LEVER_DELAY_SPAN = (0.5, 2.0)
"""A delay (leader, statement) is sampled from 0.5x to 2x the plan's figure."""

LEVER_FAMILIARITY = (0.4, 0.95)
"""A team's familiarity with the plan is sampled over this range (widened to include the
plan's own value)."""


# --------------------------------------------------------------------------- factors


@dataclass(frozen=True)
class Factor:
    """One varied input.

    Attributes:
        name: a dotted parameter name (``crowd.active_threshold``) or plan field
            (``teams.dialogue.size``).
        kind: ``constant`` (a model parameter) or ``lever`` (a plan field).
        low, high: the range sampled (uniformly; rounded when ``integer``).
        base: the value in the parameter file or the plan.
        integer: whole numbers only.
        source: where the range comes from (``parameters.uncertain``, ``plan: 0.5x-2x``,
            ``factor option``: given with ``--factor``).
        label: a readable name by language (the team's name for a team field).
    """

    name: str
    kind: str
    low: float
    high: float
    base: float | None
    integer: bool = False
    source: str = ""
    label: dict[str, str] = field(default_factory=dict, compare=False)

    def describe(self, lang: str) -> str:
        """The dotted name, with the readable name in brackets when there is one."""
        text = self.label.get(lang)
        if not text:
            return self.name
        return f"{self.name}（{text}）" if lang == "zh" else f"{self.name} ({text})"

    def value(self, x: float) -> float | int:
        """The value applied for a design coordinate ``x`` (rounded half up when integer)."""
        return int(math.floor(x + 0.5)) if self.integer else float(x)


def _factor_problem(name: str, message: str) -> InputError:
    return InputError([Problem("--factor", name, None, message)])


_FACTOR = re.compile(r"^\s*(?P<name>[\w-]+(?:\.[\w-]+)*)\s*=\s*(?P<low>[^,]+),(?P<high>[^,]+)$")


def parse_factor(text: str) -> tuple[str, float, float]:
    """``"teams.dialogue.size=3,12"`` -> ``("teams.dialogue.size", 3.0, 12.0)``."""
    m = _FACTOR.match(text)
    if not m:
        raise _factor_problem("", f"expected NAME=LOW,HIGH with a dotted name, got {text!r}")
    name = m.group("name")
    try:
        low, high = float(m.group("low")), float(m.group("high"))
    except ValueError:
        raise _factor_problem(name, f"LOW and HIGH must be numbers, got {text!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise _factor_problem(name, f"LOW and HIGH must be finite numbers, got {text!r}")
    if low >= high:
        raise _factor_problem(name, f"LOW must be below HIGH, got {low:g} >= {high:g}")
    return name, low, high


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plan_value(plan_data: Mapping[str, Any], name: str) -> Any:
    """The value of a plan field by dotted path, or raise KeyError."""
    node: Any = plan_data
    for part in name.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(name)
    return node


def _param_value(params: Parameters, name: str) -> Any:
    try:
        return params.value_of(name)
    except (ValueError, AttributeError, KeyError):
        raise KeyError(name) from None


def _bare(params: Parameters) -> Parameters:
    """The parameters without their ``uncertain`` ranges, so that a value outside the file's
    range (from ``--factor``) is still checked only against the parameter's own bounds."""
    if not getattr(params, "uncertain", None):
        return params
    return params.model_copy(update={"uncertain": {}})


LABELS_FILE = PARAMETERS_FILE.with_name("parameter_labels.yaml")
"""Readable names of the parameters, by language (words only)."""


@functools.cache
def parameter_labels() -> dict[str, dict[str, str]]:
    """Readable names of the model parameters (:data:`LABELS_FILE`), by dotted name."""
    data = load_file(LABELS_FILE).data
    return {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in data.items()}


def uncertain_constants(params: Parameters) -> list[Factor]:
    """The ``uncertain`` section of the parameters as factors (ranges of zero width skipped)."""
    out = []
    for name, span in (getattr(params, "uncertain", None) or {}).items():
        if span.high <= span.low:
            continue
        base = _param_value(params, name)
        out.append(Factor(name, CONSTANT, float(span.low), float(span.high), base,
                          isinstance(base, int) and not isinstance(base, bool),
                          "parameters.uncertain", dict(parameter_labels().get(name, {}))))
    return out


def _has(capability: str, team: Any) -> bool:
    return any(getattr(c, "value", c) == capability for c in team.capabilities)


def plan_levers(inputs: DrillInputs) -> list[Factor]:
    """The numeric plan fields a planner can change, each over a range around its value:
    the size of every team that holds dialogue or order, the responsible leader's delay (and
    the top leader's when the crowd demands him), the statement delay of the release policy,
    and every team's familiarity with the plan (unless the scenario fixes it)."""
    plan, scenario = inputs.plan, inputs.scenario
    data = plan.model_dump(mode="json")
    out: list[Factor] = []
    seen: set[str] = set()

    def add(name: str, low: float, high: float, integer: bool, source: str,
            label: dict[str, str] | None = None) -> None:
        try:
            base = _plan_value(data, name)
        except KeyError:
            return
        if name in seen or not _is_number(base) or high <= low:
            return
        seen.add(name)
        out.append(Factor(name, LEVER, float(low), float(high), base, integer, source,
                          label or {}))

    def team_label(tid: str, what: dict[str, str]) -> dict[str, str]:
        name = plan.teams[tid].name
        return {lang: f"{name.get(lang)}{'：' if lang == 'zh' else ': '}{what[lang]}"
                for lang in ("zh", "en")}

    lo_x, hi_x = LEVER_SIZE_SPAN
    for tid, team in plan.teams.items():
        if _has("dialogue", team) or _has("order", team):
            size = int(team.size)
            # no smaller than the people its staff split names (a valid plan at both ends)
            least = max(1, int(sum((getattr(team, "staff", None) or {}).values())))
            high = min(hi_x * size, MAX_TEAM_SIZE)   # never past what a plan may hold
            add(f"teams.{tid}.size", max(least, int(math.floor(lo_x * size + 0.5))), high,
                True, f"plan: {lo_x:g}x-{high / size:g}x of {size}",
                team_label(tid, {"zh": "人数", "en": "size"}))
    lo_d, hi_d = LEVER_DELAY_SPAN
    unit = getattr(plan, "responsible_unit", None)
    delays = [("leader_delay_min", {"zh": "涉事单位负责人到场延迟", "en": "responsible leader's delay"})]
    if getattr(getattr(scenario, "crowd", None), "demand_top_leader", False):
        delays.append(("top_leader_delay_min",
                       {"zh": "主要领导到场延迟", "en": "top leader's delay"}))
    for key, label in delays:
        value = getattr(unit, key, None)
        if _is_number(value) and value > 0:
            high = min(hi_d * value, MAX_MINUTES)
            add(f"responsible_unit.{key}", lo_d * value, high, False,
                f"plan: {lo_d:g}x-{high / value:g}x of {value:g}", label)
    pub = getattr(plan, "publicity", None)
    policy = getattr(getattr(pub, "release_policy", None), "value", None)
    statement_key = {"proactive": "proactive_delay_min",
                     "reactive": "drafting_min"}.get(policy or "")
    value = getattr(pub, statement_key, None) if statement_key else None
    if statement_key and _is_number(value) and value > 0:
        high = min(hi_d * value, MAX_MINUTES)
        add(f"publicity.{statement_key}", lo_d * value, high, False,
            f"plan: {lo_d:g}x-{high / value:g}x of {value:g}",
            {"zh": "发布权威信息的准备时间", "en": "statement delay"})
    fixed = set(getattr(scenario, "familiarity", {}) or {})
    lo_f, hi_f = LEVER_FAMILIARITY
    for tid, team in plan.teams.items():
        value = getattr(team, "familiarity", None)
        if tid in fixed or not _is_number(value):
            continue
        add(f"teams.{tid}.familiarity", min(lo_f, value), max(hi_f, value), False,
            f"plan: {min(lo_f, value):g}-{max(hi_f, value):g}",
            team_label(tid, {"zh": "熟悉预案程度", "en": "familiarity with the plan"}))
    return out


def _check_range(inputs: DrillInputs, f: Factor) -> None:
    """Both ends of the range must be valid values of the field, else bad input."""
    for value in (f.value(f.low), f.value(f.high)):
        try:
            apply_values(inputs, [f], [value])
        except InputError as exc:
            raise _factor_problem(f.name, f"{value:g} is not a valid value: "
                                          + "; ".join(p.message for p in exc.problems)) from None
        except Exception as exc:  # pydantic or the parameters' own checks
            raise _factor_problem(f.name, f"{value:g} is not a valid value: {exc}") from None


def custom_factor(inputs: DrillInputs, name: str, low: float, high: float) -> Factor:
    """A ``--factor``: a model parameter or a numeric plan field, checked at both ends."""
    try:
        base = _param_value(inputs.params, name)
        kind = CONSTANT
    except KeyError:
        try:
            base = _plan_value(inputs.plan.model_dump(mode="json"), name)
            kind = LEVER
        except KeyError:
            raise _factor_problem(name, "not a model parameter (sim/data/parameters.yaml) nor "
                                        "a plan field (a dotted path such as "
                                        "teams.dialogue.size)") from None
    if not _is_number(base):
        raise _factor_problem(name, f"is not a numeric field (its value is {base!r})")
    integer = isinstance(base, int)
    if integer and (low != int(low) or high != int(high)):
        raise _factor_problem(name, f"takes whole numbers; got {low:g},{high:g}")
    f = Factor(name, kind, low, high, base, integer, "factor option",
               dict(parameter_labels().get(name, {})) if kind == CONSTANT else {})
    _check_range(inputs, f)
    return f


def build_factors(inputs: DrillInputs, extra: Sequence[str] = (),
                  only: str | None = None) -> list[Factor]:
    """The factors of an analysis: the uncertain constants and the plan levers (``only`` one
    kind when given), then each ``--factor`` (which replaces a factor of the same name)."""
    if only is not None and only not in ONLY:
        raise InputError([Problem("--only", "", None,
                                  f"expected one of {', '.join(ONLY)}, got {only!r}")])
    auto: list[Factor] = []
    if only in (None, "constants"):
        auto += uncertain_constants(inputs.params)
    if only in (None, "levers"):
        levers = plan_levers(inputs)
        names = {f.name for f in auto}
        auto += [f for f in levers if f.name not in names]
    custom: dict[str, Factor] = {}
    problems: list[Problem] = []
    for text in extra:
        try:
            name, low, high = parse_factor(text)
            if name in custom:
                raise _factor_problem(name, "given twice")
            custom[name] = custom_factor(inputs, name, low, high)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    # a factor re-ranged keeps the readable name it had
    factors = [dataclasses.replace(custom.pop(f.name), label=f.label) if f.name in custom else f
               for f in auto] + list(custom.values())
    if not factors:
        raise InputError([Problem("--only" if only else "--factor", "", None,
                                  "nothing to vary: no uncertain constant and no plan lever "
                                  "(add one with --factor NAME=LOW,HIGH)")])
    return factors


# --------------------------------------------------------------------------- design


def salib_problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """The SALib problem of ``factors`` (names and bounds)."""
    return {"num_vars": len(factors), "names": [f.name for f in factors],
            "bounds": [[f.low, f.high] for f in factors]}


def check_samples(method: str, samples: int) -> None:
    if method not in METHODS:
        raise InputError([Problem("--method", "", None,
                                  f"expected one of {', '.join(METHODS)}, got {method!r}")])
    if method == "morris" and samples < 2:
        raise InputError([Problem("--samples", "", None,
                                  f"Morris needs at least 2 trajectories, got {samples}")])
    if method == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise InputError([Problem("--samples", "", None,
                                  f"the Sobol' base sample must be a power of two (2, 4, ... "
                                  f"64, 128...), got {samples}")])


def design_size(method: str, samples: int, k: int) -> int:
    """Points in a design of ``samples`` for ``k`` factors."""
    return samples * (k + 1) if method == "morris" else samples * (k + 2)


def design(factors: Sequence[Factor], method: str, samples: int, seed: int) -> np.ndarray:
    """The design matrix (points x factors), before rounding; the same for the same seed."""
    check_samples(method, samples)
    n = design_size(method, samples, len(factors))
    if n > MAX_POINTS:
        raise InputError([Problem("--samples", "", None,
                                  f"{n} design points; at most {MAX_POINTS} in one analysis")])
    problem = salib_problem(factors)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, samples, calc_second_order=False, seed=seed)


def point_values(factors: Sequence[Factor], X: np.ndarray) -> list[list[float | int]]:
    """The values applied at each point (whole-number fields rounded)."""
    return [[f.value(x) for f, x in zip(factors, row, strict=True)] for row in X]


def apply_values(inputs: DrillInputs, factors: Sequence[Factor],
                 values: Sequence[float | int]) -> DrillInputs:
    """``inputs`` with the constants set in the parameters and the levers in the plan
    (through the plan's override machinery, so that every value is validated)."""
    consts = {f.name: v for f, v in zip(factors, values, strict=True) if f.kind == CONSTANT}
    levers = [f"{f.name}={v!r}" for f, v in zip(factors, values, strict=True)
              if f.kind == LEVER]
    try:
        params = _bare(inputs.params).with_values(consts) if consts else inputs.params
    except ValidationError as exc:
        # a combination of values the parameters refuse together (e.g. an unstable step)
        raise InputError([Problem("parameters.uncertain", ", ".join(consts), None,
                                  "refused by the parameters' own rules: "
                                  + "; ".join(str(e.get("msg", "")) for e in exc.errors()))]) \
            from None
    plan = inputs.plan
    if levers:
        plan = apply_overrides(plan, levers, "--factor")
        problems = plan_problems(plan, None)
        if problems:
            raise InputError([Problem("--factor", p.field, None, p.message) for p in problems])
    return dataclasses.replace(inputs, plan=plan, params=params)


# --------------------------------------------------------------------------- outputs


def rep_outputs(row: Mapping[str, Any], end_min: float) -> dict[str, float]:
    """The analysed outputs of one replication's metrics (see the module's docstring)."""
    def num(key: str) -> float:
        v = row.get(key)
        return float(v) if _is_number(v) and not (isinstance(v, float) and math.isnan(v)) \
            else math.nan

    agreement = num("agreement_min")
    reached = not math.isnan(agreement)
    scuffles = num("scuffles")
    return {
        "agreement_min_censored": min(agreement, end_min) if reached else float(end_min),
        "agreement_reached": 1.0 if reached else 0.0,
        "any_scuffle": math.nan if math.isnan(scuffles) else float(scuffles > 0),
        "injuries": num("injuries"),
        "health_incidents": num("health_incidents"),
        "rumor_peak_reach": num("rumor_peak_reach"),
    }


def point_means(reps_frame: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """One row per design point: ``point``, ``n_reps`` (successful replications), then the
    mean of every output over its replications (NaN when none succeeded)."""
    cols = list(OUTPUTS)
    if reps_frame.empty:
        means = pd.DataFrame(columns=cols, dtype=float)
        counts = pd.Series(dtype=int)
    else:
        means = reps_frame.groupby("point")[cols].mean()
        counts = reps_frame.groupby("point").size()
    idx = pd.Index(range(n_points), name="point")
    out = means.reindex(idx)
    out.insert(0, "n_reps", counts.reindex(idx).fillna(0).astype(int))
    return out.reset_index()


# --------------------------------------------------------------------------- analysis


MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "sigma", "mu")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
SCORE = {"morris": "mu_star", "sobol": "ST"}
"""The column factors are ranked by."""


@dataclass
class MetricIndices:
    """The indices of one metric: a frame with one row per factor, and why it may be empty."""

    metric: str
    table: pd.DataFrame
    note: str = ""
    """``""``, ``constant`` (the metric never varied), ``missing`` (too few points with a
    value to analyse), ``undefined`` (it varied, but too rarely for Sobol' estimates)."""


def _rank(table: pd.DataFrame, score: str) -> pd.DataFrame:
    s = table[score].fillna(-math.inf)
    order = sorted(range(len(table)), key=lambda i: (-s.iloc[i], i))
    ranks = [0] * len(table)
    for r, i in enumerate(order, start=1):
        ranks[i] = r
    table = table.copy()
    table["rank"] = ranks
    top = table[score].max()
    table["relative"] = table[score] / top if top and top > 0 else math.nan
    return table


def morris_indices(factors: Sequence[Factor], X: np.ndarray, y: np.ndarray, seed: int,
                   metric: str = "y") -> MetricIndices:
    """Morris ``mu_star`` (mean absolute elementary effect), its bootstrap 95% interval half
    width, ``sigma`` and ``mu``, ranked by ``mu_star``. Trajectories with a missing point are
    left out."""
    from SALib.analyze import morris

    k = len(factors)
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    names = [f.name for f in factors]
    size = k + 1
    keep = [t for t in range(len(y) // size) if not np.isnan(y[t * size:(t + 1) * size]).any()]
    empty = pd.DataFrame({"factor": names, **{c: math.nan for c in MORRIS_COLUMNS}})
    if len(keep) < 2:
        return MetricIndices(metric, _with_rank_na(empty), "missing")
    rows = np.concatenate([np.arange(t * size, (t + 1) * size) for t in keep])
    yk, Xk = y[rows], X[rows]
    if np.nanmax(yk) == np.nanmin(yk):
        zero = empty.assign(mu_star=0.0, mu_star_conf=0.0, sigma=0.0, mu=0.0)
        return MetricIndices(metric, _with_rank_na(zero), "constant")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        si = morris.analyze(salib_problem(factors), Xk, yk, num_resamples=BOOTSTRAP,
                            conf_level=0.95, num_levels=MORRIS_LEVELS, seed=seed)
    table = pd.DataFrame({"factor": names,
                          "mu_star": np.asarray(si["mu_star"], dtype=float),
                          "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=float),
                          "sigma": np.asarray(si["sigma"], dtype=float),
                          "mu": np.asarray(si["mu"], dtype=float)})
    return MetricIndices(metric, _rank(table, "mu_star"))


def sobol_indices(factors: Sequence[Factor], y: np.ndarray, seed: int,
                  metric: str = "y") -> MetricIndices:
    """Sobol' first-order ``S1`` and total ``ST`` indices with bootstrap 95% interval half
    widths, ranked by ``ST``."""
    from SALib.analyze import sobol

    y = np.asarray(y, dtype=float)
    names = [f.name for f in factors]
    empty = pd.DataFrame({"factor": names, **{c: math.nan for c in SOBOL_COLUMNS}})
    if np.isnan(y).any():
        return MetricIndices(metric, _with_rank_na(empty), "missing")
    if y.max() == y.min():
        return MetricIndices(metric, _with_rank_na(empty), "constant")
    with warnings.catch_warnings():  # SALib warns of constant sub-samples; the note says it
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        si = sobol.analyze(salib_problem(factors), y, calc_second_order=False,
                           num_resamples=BOOTSTRAP, conf_level=0.95, seed=seed)
    table = pd.DataFrame({"factor": names, **{c: np.asarray(si[c], dtype=float)
                                               for c in SOBOL_COLUMNS}})
    if (table["ST"].fillna(0) <= 0).all():
        return MetricIndices(metric, _with_rank_na(table), "undefined")
    return MetricIndices(metric, _rank(table, "ST"))


def _with_rank_na(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(rank=pd.array([pd.NA] * len(table), dtype="Int64"), relative=math.nan)


def analyse_outputs(factors: Sequence[Factor], method: str, X: np.ndarray,
                    points: pd.DataFrame, seed: int) -> list[MetricIndices]:
    """The indices of every output of :data:`OUTPUTS` (the seed fixes the bootstraps)."""
    out = []
    for metric in OUTPUTS:
        y = points[metric].to_numpy(dtype=float)
        if method == "morris":
            out.append(morris_indices(factors, X, y, seed, metric))
        else:
            out.append(sobol_indices(factors, y, seed, metric))
    return out


def indices_frame(results: Sequence[MetricIndices], factors: Sequence[Factor],
                  method: str) -> pd.DataFrame:
    """``indices.csv``: ``metric, factor, kind, method``, the method's columns, ``rank`` (1:
    the largest effect; empty when the metric did not vary), ``relative`` (the score over
    the top score) and ``note``; rows of a metric in rank order."""
    cols = MORRIS_COLUMNS if method == "morris" else SOBOL_COLUMNS
    kinds = {f.name: f.kind for f in factors}
    frames = []
    for r in results:
        t = r.table.copy()
        if r.note == "":
            t = t.sort_values("rank", kind="stable")
        t.insert(0, "metric", r.metric)
        t.insert(2, "kind", t["factor"].map(kinds))
        t.insert(3, "method", method)
        t["note"] = r.note
        frames.append(t[["metric", "factor", "kind", "method", *cols, "rank", "relative",
                         "note"]])
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- the whole


@dataclass
class Sensitivity:
    """A finished analysis: settings, design, runs and indices."""

    scenario: str
    scenario_ref: str
    plan: str
    plan_ref: str | None
    method: str
    samples: int
    reps_per_point: int
    seed: int
    factors: list[Factor]
    X: np.ndarray
    values: list[list[float | int]]
    replications: Any  # sim.montecarlo.replicate.Replications
    rep_frame: pd.DataFrame
    points: pd.DataFrame
    results: list[MetricIndices]
    end_min: float
    build_s: float = 0.0
    analysis_s: float = 0.0
    sets: list[str] = field(default_factory=list)

    @property
    def n_points(self) -> int:
        return len(self.values)

    @property
    def indices(self) -> pd.DataFrame:
        return indices_frame(self.results, self.factors, self.method)

    @property
    def failures(self) -> list:
        return self.replications.failures

    def samples_frame(self) -> pd.DataFrame:
        """``samples.csv``: the point, its Morris trajectory (or Sobol' matrix row block), and
        the value of every factor applied there."""
        k = len(self.factors)
        df = pd.DataFrame(self.values, columns=[f.name for f in self.factors])
        if self.method == "morris":
            df.insert(0, "trajectory", [i // (k + 1) for i in range(len(df))])
        else:
            df.insert(0, "sample", [i // (k + 2) for i in range(len(df))])
        df.insert(0, "point", range(len(df)))
        return df

    def factors_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"factor": f.name, "kind": f.kind, "base": f.base, "low": f.low,
                              "high": f.high, "integer": f.integer, "source": f.source,
                              "label_zh": f.label.get("zh", ""),
                              "label_en": f.label.get("en", "")} for f in self.factors])

    def settings(self) -> dict[str, Any]:
        r = self.replications
        return {
            "command": "sensitivity", "scenario": self.scenario,
            "scenario_ref": self.scenario_ref, "plan": self.plan, "plan_ref": self.plan_ref,
            "set": list(self.sets), "method": self.method,
            "samples": self.samples,
            "samples_meaning": ("Morris trajectories" if self.method == "morris"
                                else "Sobol' base sample N (Saltelli scheme, no second order)"),
            "morris_levels": MORRIS_LEVELS if self.method == "morris" else None,
            "factors": len(self.factors), "points": self.n_points,
            "reps_per_point": self.reps_per_point, "base_seed": self.seed,
            "seed_rule": "replication k of every point runs with seed base_seed * 1000003 + k "
                         "(common random numbers); SALib's sampler and bootstrap use base_seed",
            "simulations": self.n_points * self.reps_per_point,
            "failed": len(r.failures), "backend": r.backend, "workers": r.workers,
            "chunks": r.chunks, "agreement_censored_at_min": self.end_min,
            "outputs": list(OUTPUTS), "bootstrap_resamples": BOOTSTRAP,
            "build_s": round(self.build_s, 3), "elapsed_s": round(r.elapsed_s, 3),
            "compute_s": round(r.compute_s, 3), "analysis_s": round(self.analysis_s, 3),
        }


def prepare(scenario_ref: str, plan_ref: str | None, sets: Sequence[str] = (),
            extra: Sequence[str] = (), only: str | None = None) -> tuple[DrillInputs, list[Factor]]:
    """The validated base inputs and the factors; every bad input raises :class:`InputError`."""
    inputs = load_drill(scenario_ref, plan_ref, list(sets))
    return inputs, build_factors(inputs, extra, only)
