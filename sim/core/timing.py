"""When a measured time is on time against a target: the one rule for every comparison.

Times are simulated minutes from T0. A time is on time when it is at or before its target,
allowing :data:`TOLERANCE_MIN` for floating-point sums (``t_fired + within_min`` and the
like); a time that never came is late; with no target there is nothing to judge. Scalars
and numpy arrays go through the same comparison, :func:`within`.
"""

from __future__ import annotations

import math

import numpy as np

TOLERANCE_MIN = 1e-9
"""A time this much past its target still counts as on time (rounding, not lateness)."""


def within(measured, target):
    """``measured <= target`` up to :data:`TOLERANCE_MIN`; numbers or numpy arrays, no nulls."""
    return measured <= target + TOLERANCE_MIN


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def on_time(measured: float | None, target: float | None) -> bool | None:
    """True when ``measured`` is at or before ``target``; False when later or never
    (``measured`` None or NaN); None when there is no target."""
    if _missing(target):
        return None
    if measured is None or _missing(measured):
        return False
    assert target is not None
    return bool(within(float(measured), float(target)))


def on_time_flags(measured: np.ndarray, target: np.ndarray) -> np.ndarray:
    """:func:`on_time` element by element, as floats: 1.0 on time, 0.0 late or never
    (``measured`` NaN), NaN where ``target`` is NaN."""
    m = np.asarray(measured, dtype=float)
    t = np.asarray(target, dtype=float)
    flags = np.where(np.isnan(m), 0.0, within(m, t).astype(float))
    return np.where(np.isnan(t), np.nan, flags)
