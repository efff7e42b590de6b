"""Statistics of Monte Carlo replications: summaries, confidence intervals, paired differences.

The one home of every figure ``compare`` and ``sweep`` show or write: the analyst's notebook
(:func:`analyse`) and the reports (:mod:`reports.comparison`) read the same frames, and the
reports only format them.

Everything here works on a tidy frame of replications, one row per replication and plan
(``plan``, ``rep``, ``seed``, then the flat metrics with ``team_on_site_min.<team>``
columns), and knows nothing of SimPy or of reports.

How nulls are treated. A time metric is ``null`` when the thing never happened (no
agreement by the end, say). Its mean, interval and quantiles are taken over the
replications where it happened (``n`` counts them), and its ``share`` column is the
probability that it happened, with a Wilson interval. A paired difference is taken over
the replications where both plans have a value; the difference in the probability that it
happened is reported beside it.

Intervals (95%):

* a mean: Student's t, ``mean ± t(0.975, n-1)·s/√n`` (:func:`t_interval`);
* a paired difference of a numeric metric: the same on the per-replication differences
  (valid because replication k of every plan shares its seed: common random numbers);
* a probability: the Wilson score interval (:func:`wilson`);
* a paired difference of two probabilities (an event's, or the share of replications where
  a metric has a value): Newcombe's hybrid score interval for paired data
  (:func:`newcombe_paired`), never a t-interval on the 0/1 differences, which collapses to
  a point when every pair differs the same way (see :func:`newcombe_paired` for why and
  for the sources).

Quantiles. The median and 90th percentile of a count (a metric whose values, over all
plans, are all whole numbers: :func:`count_metrics`) are values that occurred
(``method="inverted_cdf"``); those of other metrics are interpolated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.core.timing import on_time_flags

CONFIDENCE = 0.95
Z95 = 1.959963984540054

ID_COLUMNS = ("plan", "rep", "seed")
"""The first columns of ``replications.csv``."""

METRICS = (
    "peak_crowd", "peak_onlookers", "arrived", "peak_mean_agitation",
    "first_report_min", "verification_min", "level_declared_min", "plan_activated_min",
    "first_team_on_site_min", "cordon_min", "dialogue_start_min", "representatives_min",
    "agreement_min", "cleared_min", "scuffles", "force_used", "injuries", "health_incidents",
    "medical_response_mean_min", "medical_response_max_min", "first_statement_min",
    "rumor_peak_reach", "rumor_reach_at_statement", "equipment_failures", "messages_sent",
    "messages_late", "messages_lost", "slips", "talks_wait_min", "duration_min",
    "injects_fired", "expected_met", "expected_late", "expected_missed",
    "peak_active_share", "scuffle_minutes", "health_presentations", "talks_rounds_failed",
    "broken_promises", "legitimacy_end", "warning_known_min", "first_response_steps",
    "commander_on_site_min", "person_at_risk_min", "person_safe_min", "counselled",
    "elderly_agitation_end",
)
"""The numeric metrics of a run, in report order (``team_on_site_min.<team>`` come after)."""

CATEGORICAL = ("level", "max_crowd_state", "outcome", "end_reason", "person_outcome")
"""Metrics that are categories: summarised as the share of each value."""

SITUATIONAL = frozenset({"person_outcome"})
"""Categories only some scenarios have (a person threatening to jump): left out of the
summary when no replication has a value."""

TEAM_PREFIX = "team_on_site_min."

EVENTS = ("any_scuffle", "any_injury", "agreement_reached", "cleared_within_target",
          "rumour_above_threshold", "resolved", "escalated")
"""Events whose probability is estimated per plan (see :func:`indicators`)."""

OUTCOME_EVENTS = {"resolved": "resolved", "escalated": "escalated"}
"""The events that are an ``outcome`` of the run (event name: the outcome it is, one of
:data:`sim.core.result.OUTCOMES`)."""

DEFAULT_RUMOUR_THRESHOLD = 0.5

SHARES = frozenset({"peak_mean_agitation", "peak_active_share", "rumor_peak_reach",
                    "rumor_reach_at_statement", "legitimacy_end", "elderly_agitation_end"})
"""Metrics that are shares, 0 to 1."""

DURATIONS = frozenset({"medical_response_mean_min", "medical_response_max_min",
                       "talks_wait_min", "duration_min"})
"""Metrics in minutes that are durations (never negative), not times from T0."""


def bounds(metric: str) -> tuple[float, float]:
    """The values ``metric`` can take: a share 0 to 1; a time from T0 any (a warning can put
    it before T0); a duration, a count or an amount 0 upward. The interval of a mean is kept
    inside them (a t-interval of counts near 0 would otherwise reach below 0)."""
    if metric in SHARES:
        return 0.0, 1.0
    if metric not in DURATIONS and (metric.endswith("_min") or metric.startswith("level_times.")):
        return -math.inf, math.inf
    return 0.0, math.inf


# --------------------------------------------------------------------------- tidy rows


def flatten(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """One flat row: nested mappings become ``outer.inner`` columns."""
    row: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, Mapping):
            for inner, v in value.items():
                row[f"{key}.{inner}"] = v
        else:
            row[key] = value
    return row


def replication_row(plan: str, rep: int, seed: int, metrics: Mapping[str, Any]) -> dict[str, Any]:
    """A ``replications.csv`` row: ``plan, rep, seed`` then the flattened metrics."""
    flat = flatten(metrics)
    row: dict[str, Any] = {"plan": plan, "rep": rep, "seed": seed}
    row.update((k, v) for k, v in flat.items() if k not in row)
    return row


def frame(rows: Sequence[Mapping[str, Any]], plans: Sequence[str]) -> pd.DataFrame:
    """The replications as a frame ordered by plan (in ``plans`` order), then replication."""
    if not rows:
        return pd.DataFrame(columns=list(ID_COLUMNS))
    columns: dict[str, None] = dict.fromkeys(ID_COLUMNS)
    for r in rows:
        columns.update(dict.fromkeys(r))
    df = pd.DataFrame(list(rows), columns=list(columns))
    order = {p: i for i, p in enumerate(plans)}
    df = df.assign(_o=df["plan"].map(order)).sort_values(["_o", "rep"], kind="stable")
    return df.drop(columns="_o").reset_index(drop=True)


def metric_columns(df: pd.DataFrame) -> list[str]:
    """The numeric metric columns of ``df``: :data:`METRICS` order, then teams, then others."""
    skip = set(ID_COLUMNS) | set(CATEGORICAL) | {"scenario"}
    numeric = [c for c in df.columns if c not in skip and _is_numeric(df[c])]
    known = [m for m in METRICS if m in numeric]
    teams = [c for c in numeric if c.startswith(TEAM_PREFIX)]
    rest = [c for c in numeric if c not in known and c not in teams]
    return known + teams + rest


def _is_numeric(col: pd.Series) -> bool:
    values = col.dropna()
    if values.empty:
        return pd.api.types.is_numeric_dtype(col) or col.dtype == object
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
               for v in values)


def _values(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


# --------------------------------------------------------------------------- intervals


@lru_cache(maxsize=4096)
def t_quantile(q: float, df: int) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (scipy.special)."""
    from scipy.special import stdtrit  # lighter to import than scipy.stats

    return float(stdtrit(df, q))


def t_interval(values: Iterable[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """``(mean, low, high)``: a Student-t interval for the mean of ``values`` (NaN ignored).

    With no value everything is NaN; with one value the bounds are NaN (no spread to
    measure); with no spread the interval is the mean itself.
    """
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """``(p, low, high)``: the share ``k/n`` with its Wilson score interval (NaN when n = 0)."""
    if n <= 0:
        return math.nan, math.nan, math.nan
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def newcombe_paired(base: Iterable[bool] | np.ndarray, variant: Iterable[bool] | np.ndarray,
                    z: float = Z95) -> tuple[float, float, float]:
    """``(diff, low, high)``: the share of ``variant`` minus the share of ``base`` over paired
    0/1 outcomes (pair k is ``base[k]``, ``variant[k]``), with a 95% interval (NaN when there
    is no pair).

    The interval is Newcombe's hybrid score interval for the difference of paired
    proportions, method 10 of R. G. Newcombe, "Improved confidence intervals for the
    difference between binomial proportions based on paired data", Statistics in Medicine
    17(22) (1998) 2635-2650 (the "Newcombe square-and-add" interval of M. W. Fagerland,
    S. Lydersen and P. Laake, Statistical Analysis of Contingency Tables, 2017, ch. 8). It
    squares and adds the distances from each share to its Wilson score limits, weighted by
    the correlation ``phi`` of the pairs (moved towards 0 by n/2 when positive, and 0 when a
    margin of the 2x2 table is empty).

    Why this and not a t-interval on the 0/1 differences: that interval is, but for n - 1
    and the t quantile, the simple asymptotic (Wald) interval, which the paper shows to
    cover poorly near the boundaries and to degenerate to zero width when the differences
    do not vary (every pair differs the same way, or none differs). 20 pairs that all go
    from 1 to 0 would read -1 [-1, -1], as if 20 drills proved a difference of exactly
    -100%; Newcombe's interval reads -1 [-1, -0.772] (with 40 pairs -1 [-1, -0.876]), and
    the paper's example of 30 pairs that all differ by +1 gives 1 [0.8395, 1].
    """
    x = np.asarray(list(base) if not isinstance(base, np.ndarray) else base, dtype=bool)
    y = np.asarray(list(variant) if not isinstance(variant, np.ndarray) else variant, dtype=bool)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    both = int(np.sum(x & y))                # 1 under both
    only_variant = int(np.sum(y & ~x))
    only_base = int(np.sum(x & ~y))
    neither = n - both - only_variant - only_base
    p1, l1, u1 = wilson(both + only_variant, n, z)  # the variant's share
    p2, l2, u2 = wilson(both + only_base, n, z)     # the baseline's share
    margins = ((both + only_variant) * (only_base + neither) * (both + only_base)
               * (only_variant + neither))
    phi = 0.0
    if margins > 0:
        cross: float = both * neither - only_variant * only_base
        if cross > n / 2:
            cross -= n / 2
        elif cross >= 0:
            cross = 0
        phi = cross / math.sqrt(margins)
    diff = p1 - p2
    low = diff - math.sqrt(max(0.0, (p1 - l1) ** 2 + (u2 - p2) ** 2
                               - 2 * phi * (p1 - l1) * (u2 - p2)))
    high = diff + math.sqrt(max(0.0, (p2 - l2) ** 2 + (u1 - p1) ** 2
                                - 2 * phi * (p2 - l2) * (u1 - p1)))
    return diff, max(-1.0, low), min(1.0, high)


# --------------------------------------------------------------------------- summaries


def count_metrics(df: pd.DataFrame) -> set[str]:
    """The numeric metrics of the replications whose values, over all plans, are all whole
    numbers (counts such as ``scuffles``; a time that is always 0 too)."""
    out = set()
    for m in metric_columns(df):
        x = _values(df[m])
        x = x[~np.isnan(x)]
        if len(x) and np.all(x == np.round(x)):
            out.add(m)
    return out


def quantiles(x: np.ndarray, count: bool) -> tuple[float, float]:
    """The median and 90th percentile of ``x`` (no NaN): values that occurred for a count
    (the smallest value whose empirical distribution function reaches 0.5 or 0.9),
    interpolated otherwise; NaN when ``x`` is empty."""
    if not len(x):
        return math.nan, math.nan
    p50, p90 = np.quantile(x, [0.5, 0.9], method="inverted_cdf" if count else "linear")
    return float(p50), float(p90)


SUMMARY_COLUMNS = ["plan", "metric", "mean", "ci_low", "ci_high", "p50", "p90", "n",
                   "n_reps", "share", "share_ci_low", "share_ci_high", "sd", "min", "max"]


def summary(df: pd.DataFrame, plans: Sequence[str],
            present: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """One row per plan and numeric metric (``summary.csv``).

    ``mean``, ``ci_low``, ``ci_high``, ``p50``, ``p90``, ``sd``, ``min``, ``max`` are over the
    ``n`` replications where the metric has a value (``p50`` and ``p90`` of a count are
    values that occurred: :func:`quantiles`); ``share`` (with its Wilson interval) is
    ``n / n_reps``, the probability that it had one. ``present`` maps a plan to the columns
    its runs produce, so that a team a plan does not have gets no row.
    """
    rows = []
    metrics = metric_columns(df)
    counts = count_metrics(df)
    for plan in plans:
        sub = df[df["plan"] == plan]
        n_reps = len(sub)
        for m in metrics:
            if present is not None and m not in present.get(plan, set()):
                continue
            x = _values(sub[m])
            x = x[~np.isnan(x)]
            mean, low, high = t_interval(x)
            floor, ceiling = bounds(m)
            low, high = max(low, floor), min(high, ceiling)   # NaN stays NaN
            share, s_low, s_high = wilson(len(x), n_reps)
            p50, p90 = quantiles(x, m in counts)
            has = len(x) > 0
            rows.append({
                "plan": plan, "metric": m, "mean": mean, "ci_low": low, "ci_high": high,
                "p50": p50, "p90": p90, "n": len(x), "n_reps": n_reps, "share": share,
                "share_ci_low": s_low, "share_ci_high": s_high,
                "sd": float(x.std(ddof=1)) if len(x) > 1 else math.nan,
                "min": float(x.min()) if has else math.nan,
                "max": float(x.max()) if has else math.nan,
            })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def present_columns(rows: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """For each plan, the columns its replications produced."""
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["plan"], set()).update(r)
    return out


def categories(df: pd.DataFrame, plans: Sequence[str]) -> pd.DataFrame:
    """The share of each value of each categorical metric, per plan, with Wilson intervals."""
    rows = []
    for plan in plans:
        sub = df[df["plan"] == plan]
        n = len(sub)
        for m in CATEGORICAL:
            if m not in sub or (m in SITUATIONAL and sub[m].isna().all()):
                continue
            counts = sub[m].fillna("none").astype(str).value_counts()
            for value, k in counts.sort_index().items():
                p, low, high = wilson(int(k), n)
                rows.append({"plan": plan, "metric": m, "value": value, "p": p,
                             "ci_low": low, "ci_high": high, "k": int(k), "n": n})
    return pd.DataFrame(rows, columns=["plan", "metric", "value", "p", "ci_low", "ci_high",
                                       "k", "n"])


# --------------------------------------------------------------------------- events


def indicators(df: pd.DataFrame, cleared_targets: Mapping[str, float | None],
               rumour_threshold: float = DEFAULT_RUMOUR_THRESHOLD) -> pd.DataFrame:
    """Per replication, 1.0 when each event of :data:`EVENTS` happened, 0.0 when not.

    ``cleared_within_target`` is NaN for a plan that sets no ``targets.cleared_min``.
    Columns: ``plan``, ``rep``, then one per event.
    """
    out = df[["plan", "rep"]].copy()

    def col(name: str) -> np.ndarray:
        return _values(df[name]) if name in df else np.full(len(df), np.nan)

    out["any_scuffle"] = (np.nan_to_num(col("scuffles")) > 0).astype(float)
    out["any_injury"] = (np.nan_to_num(col("injuries")) > 0).astype(float)
    out["agreement_reached"] = (~np.isnan(col("agreement_min"))).astype(float)
    target = df["plan"].map(lambda p: cleared_targets.get(p)).astype(float).to_numpy()
    out["cleared_within_target"] = on_time_flags(col("cleared_min"), target)
    out["rumour_above_threshold"] = (np.nan_to_num(col("rumor_peak_reach")) > rumour_threshold
                                     ).astype(float)
    outcome = df["outcome"] if "outcome" in df else pd.Series([None] * len(df), index=df.index)
    for event, value in OUTCOME_EVENTS.items():
        out[event] = (outcome == value).astype(float).to_numpy()
    return out


def probabilities(ind: pd.DataFrame, plans: Sequence[str]) -> pd.DataFrame:
    """Each event's probability per plan with its Wilson interval (``probabilities.csv``)."""
    rows = []
    for plan in plans:
        sub = ind[ind["plan"] == plan]
        for ev in EVENTS:
            x = sub[ev].to_numpy(dtype=float)
            x = x[~np.isnan(x)]
            p, low, high = wilson(int(x.sum()), len(x))
            rows.append({"plan": plan, "event": ev, "p": p, "ci_low": low, "ci_high": high,
                         "k": int(x.sum()), "n": len(x)})
    return pd.DataFrame(rows, columns=["plan", "event", "p", "ci_low", "ci_high", "k", "n"])


# --------------------------------------------------------------------------- paired differences


DIFF_COLUMNS = ["plan", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "n",
                "baseline_mean", "plan_mean", "share_diff", "share_ci_low", "share_ci_high",
                "excludes_zero"]


def _paired(df: pd.DataFrame, base: str, plan: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    a = df.loc[df["plan"] == base, ["rep", column]].set_index("rep")[column]
    b = df.loc[df["plan"] == plan, ["rep", column]].set_index("rep")[column]
    reps = a.index.intersection(b.index)
    return (pd.to_numeric(a.loc[reps], errors="coerce").to_numpy(dtype=float),
            pd.to_numeric(b.loc[reps], errors="coerce").to_numpy(dtype=float))


def differences(df: pd.DataFrame, plans: Sequence[str],
                present: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """Each plan against the first, metric by metric, paired by replication.

    ``mean_diff`` (plan minus baseline) and its t-interval are over the replications where
    both have a value (``n``); ``share_diff`` is the paired difference in the probability
    that the metric has a value at all, with Newcombe's interval (:func:`newcombe_paired`).
    Replications that failed under either plan are left out of the pairs.
    """
    rows = []
    if len(plans) < 2:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    base = plans[0]
    for plan in plans[1:]:
        for m in metric_columns(df):
            if present is not None and (m not in present.get(plan, set())
                                        or m not in present.get(base, set())):
                continue
            a, b = _paired(df, base, plan, m)
            both = ~np.isnan(a) & ~np.isnan(b)
            mean, low, high = t_interval(b[both] - a[both])
            s_mean, s_low, s_high = newcombe_paired(~np.isnan(a), ~np.isnan(b))
            rows.append({
                "plan": plan, "baseline": base, "metric": m, "mean_diff": mean,
                "ci_low": low, "ci_high": high, "n": int(both.sum()),
                "baseline_mean": float(a[both].mean()) if both.any() else math.nan,
                "plan_mean": float(b[both].mean()) if both.any() else math.nan,
                "share_diff": s_mean, "share_ci_low": s_low, "share_ci_high": s_high,
                "excludes_zero": bool(low > 0 or high < 0),
            })
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


EVENT_DIFF_COLUMNS = ["plan", "baseline", "event", "diff", "ci_low", "ci_high", "n",
                      "excludes_zero", "discordant"]
"""``discordant``: the pairs in which the event happened under one plan only (none: the
plans gave the same outcome in every replication, whatever the interval's width)."""


def event_differences(ind: pd.DataFrame, plans: Sequence[str]) -> pd.DataFrame:
    """Paired differences in each event's probability against the first plan, with
    Newcombe's interval (:func:`newcombe_paired`) over the pairs where the event is defined
    under both plans (``n``)."""
    rows = []
    if len(plans) < 2:
        return pd.DataFrame(columns=EVENT_DIFF_COLUMNS)
    base = plans[0]
    for plan in plans[1:]:
        for ev in EVENTS:
            a, b = _paired(ind, base, plan, ev)
            both = ~np.isnan(a) & ~np.isnan(b)
            x, y = a[both] > 0.5, b[both] > 0.5
            diff, low, high = newcombe_paired(x, y)
            rows.append({"plan": plan, "baseline": base, "event": ev, "diff": diff,
                         "ci_low": low, "ci_high": high, "n": int(both.sum()),
                         "excludes_zero": bool(low > 0 or high < 0),
                         "discordant": int(np.sum(x != y))})
    return pd.DataFrame(rows, columns=EVENT_DIFF_COLUMNS)


# --------------------------------------------------------------------------- all together


@dataclass
class Analysis:
    """Everything the comparison report shows, as tidy frames."""

    plans: list[str]
    replications: pd.DataFrame
    summary: pd.DataFrame
    categories: pd.DataFrame
    indicators: pd.DataFrame
    probabilities: pd.DataFrame
    differences: pd.DataFrame
    event_differences: pd.DataFrame
    rumour_threshold: float

    @cached_property
    def counts(self) -> set[str]:
        """The metrics that are counts (:func:`count_metrics`): their percentiles are whole."""
        return count_metrics(self.replications)

    def value(self, plan: str, metric: str, column: str = "mean") -> float:
        """One number of the summary (a metric) or of the probabilities (an event)."""
        if metric in EVENTS:
            t = self.probabilities
            hit = t[(t["plan"] == plan) & (t["event"] == metric)]
            column = "p" if column == "mean" else column
        else:
            t = self.summary
            hit = t[(t["plan"] == plan) & (t["metric"] == metric)]
        return float(hit[column].iloc[0]) if len(hit) else math.nan

    def difference(self, plan: str, metric: str) -> dict[str, Any]:
        """The paired difference of ``plan`` against the first plan, as a dict."""
        if metric in EVENTS:
            t = self.event_differences
            hit = t[(t["plan"] == plan) & (t["event"] == metric)]
        else:
            t = self.differences
            hit = t[(t["plan"] == plan) & (t["metric"] == metric)]
        return hit.iloc[0].to_dict() if len(hit) else {}


def analyse(rows: Sequence[Mapping[str, Any]], plans: Sequence[str],
            cleared_targets: Mapping[str, float | None],
            rumour_threshold: float = DEFAULT_RUMOUR_THRESHOLD) -> Analysis:
    """Summaries, probabilities and paired differences of the replications ``rows``."""
    plans = list(plans)
    df = frame(rows, plans)
    present = present_columns(rows)
    ind = indicators(df, cleared_targets, rumour_threshold)
    return Analysis(plans, df, summary(df, plans, present), categories(df, plans), ind,
                    probabilities(ind, plans), differences(df, plans, present),
                    event_differences(ind, plans), rumour_threshold)


def sweep_table(a: Analysis, cells: Sequence[Mapping[str, Any]], metric: str) -> pd.DataFrame:
    """One row per grid cell (``sweep.csv``): its field values (``cell["values"]``), its plan
    label (``cell["plan"]``), then ``metric``'s figures from the summary, or from the
    probabilities for an event (``share`` 1, no percentiles). ``attrs["rumour_threshold"]``
    keeps the threshold for labels."""
    rows = []
    for cell in cells:
        plan = cell["plan"]
        row = {**cell["values"], "plan": plan, "metric": metric}
        if metric in EVENTS:
            t = a.probabilities
            hit = t[(t.plan == plan) & (t.event == metric)]
            r = hit.iloc[0] if len(hit) else None
            row.update({"mean": r["p"] if r is not None else math.nan,
                        "ci_low": r["ci_low"] if r is not None else math.nan,
                        "ci_high": r["ci_high"] if r is not None else math.nan,
                        "p50": math.nan, "p90": math.nan,
                        "n": int(r["n"]) if r is not None else 0,
                        "n_reps": int(r["n"]) if r is not None else 0, "share": 1.0})
        else:
            s = a.summary
            hit = s[(s.plan == plan) & (s.metric == metric)]
            r = hit.iloc[0] if len(hit) else None
            for c in ("mean", "ci_low", "ci_high", "p50", "p90", "n", "n_reps", "share"):
                row[c] = r[c] if r is not None else (0 if c in ("n", "n_reps") else math.nan)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["rumour_threshold"] = a.rumour_threshold
    return table
