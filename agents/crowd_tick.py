"""One tick of the crowd for several drills at once: a leading replication axis.

A :class:`CrowdBatch` holds the per-person arrays of one or more :class:`~agents.crowd.Crowd`
objects as rows of 2-D arrays (one row per drill, padded to the largest crowd with people
who never arrive); each crowd keeps views of its own row, so everything else reads and
changes its own people as before. :meth:`CrowdBatch.step` advances every row in one set of
numpy operations, so the fixed cost of a tick (a few dozen array operations) is paid once
for the batch instead of once per drill.

Every draw is made from the drill's own generator, in the same order as for a drill alone,
and every operation is elementwise per row, a count, or a sum in whole units (exact in any
order), so a row gives the same numbers whether it is stepped alone (a batch of one, which is how a
single drill runs) or among 31 others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from sim.core.types import Cause, CrowdState, PersonStatus

Crowd = Any
"""An :class:`agents.crowd.Crowd` (which builds its batches from this module)."""

_PRESENT = int(PersonStatus.PRESENT)
_NOT_ARRIVED = int(PersonStatus.NOT_ARRIVED)
_LEFT = int(PersonStatus.LEFT)
_IN_CARE = int(PersonStatus.IN_CARE)
_SCALE = float(2 ** 40)
"""Agitation is summed as integers in units of 2**-40 (exact, so in any order and any
batch the same), a resolution far below anything the model reads."""

PERSON_ARRAYS: dict[str, tuple[type, float]] = {
    # name: (dtype, value for padding: a person who never arrives and never matters)
    "onlooker": (bool, False), "is_petitioner": (bool, False), "t_arrive": (float, np.inf),
    "hardship": (float, 0.0), "risk": (float, 0.0), "theta": (float, 0.0),
    "elderly": (bool, False), "hard_core": (bool, False), "group": (np.int64, 0),
    "agitation": (float, 0.0), "provoked": (float, 0.0), "forced": (float, 0.0),
    "relief": (float, 0.0), "status": (np.int8, _NOT_ARRIVED), "injured": (bool, False),
    "representative": (bool, False), "active": (bool, False),
}
"""The per-person arrays a crowd keeps in its row of the batch."""


@dataclass
class TickDrivers:
    """What the responders and the world impose on the crowd during one tick.

    Attributes:
        legitimacy: shared legitimacy L in [0, 1].
        shared: agitation added to everyone present, by cause (waiting, rumour, heat...).
        deterrence: officers weighted as the crowd sees them (C in Epstein's P).
        gate_people: people acting needed to block the gate.
        onlooker_inflow: expected onlooker arrivals per minute.
        onlooker_dispersal: onlookers moved on per minute by a cordon.
        persuasion_rate: petitioners persuaded to leave per minute.
        commitment: a credible commitment has been made.
        gate_held: the gate is held by the crowd regardless of who acts (an inject).
        heat_leave_per_hour: extra hourly chance of leaving from heat.
        weather_leave_per_hour: extra hourly chance of leaving in rain or cold, for a person
            of no hardship (scaled by ``1 - hardship``: the least committed go first).
        resist_agitation: people above this agitation cannot be persuaded before a commitment.
    """

    legitimacy: float
    shared: dict[Cause, float] = field(default_factory=dict)
    deterrence: float = 0.0
    gate_people: int = 4
    onlooker_inflow: float = 0.0
    onlooker_dispersal: float = 0.0
    persuasion_rate: float = 0.0
    commitment: bool = False
    gate_held: bool = False
    heat_leave_per_hour: float = 0.0
    weather_leave_per_hour: float = 0.0
    resist_agitation: float = 1.0


class TickOutcome(NamedTuple):
    """Counts after one tick (people)."""

    present: int
    onlookers: int
    arrived: int
    left: int
    in_care: int
    active: int
    willing: int
    agitated: int
    active_share: float
    mean_agitation: float
    state: CrowdState
    persuaded: int
    here: int = 0           # everyone on site: petitioners and onlookers
    elderly_here: int = 0   # of them, the elderly


def _per_row(mask: np.ndarray) -> list[int]:
    """People flagged in each row (a sum of booleans along a row is about twice as fast as
    ``np.count_nonzero`` with an axis)."""
    if len(mask) == 1:
        return [int(np.count_nonzero(mask))]
    return mask.sum(axis=1, dtype=np.int32).tolist()


_BYTE_SUMS = {1: (np.uint8, 1, 0), 2: (np.uint16, 0x0101, 8), 4: (np.uint32, 0x01010101, 24),
              8: (np.uint64, 0x0101010101010101, 56)}
"""Group sizes whose members' flags (one byte each) fit one machine word: the word times
``0x0101...`` holds the sum of its bytes in its top byte (each sum is at most 8, so no byte
carries into the next)."""


def _group_counts(mask: np.ndarray, group_size: int) -> np.ndarray:
    """People flagged in each group of ``group_size`` consecutive people, row by row
    (``mask``: a C-ordered boolean array, rows by whole groups)."""
    if group_size in _BYTE_SUMS:
        word, ones, shift = _BYTE_SUMS[group_size]
        words = mask.view(word)
        if shift == 0:
            return words
        return (words * word(ones)) >> word(shift)
    starts = np.arange(0, mask.shape[1], group_size)
    return np.add.reduceat(mask.view(np.int8), starts, axis=1, dtype=np.int32)


def _column(values: list[float]) -> float | np.ndarray:
    """One value per row, to combine with every person of the row (a plain number for a
    single row: the same arithmetic, without building an array)."""
    if len(values) == 1:
        return values[0]
    return np.array(values)[:, None]


class CrowdBatch:
    """The people of several drills as rows of one set of arrays.

    Attributes:
        crowds: the crowds, in row order.
        width: people per row (the largest crowd, in whole groups; the others are padded).
        onlooker, t_arrive, hardship, ...: the :data:`PERSON_ARRAYS`, rows by columns.
    """

    onlooker: np.ndarray
    is_petitioner: np.ndarray
    t_arrive: np.ndarray
    hardship: np.ndarray
    risk: np.ndarray
    theta: np.ndarray
    elderly: np.ndarray
    hard_core: np.ndarray
    group: np.ndarray
    agitation: np.ndarray
    provoked: np.ndarray
    forced: np.ndarray
    relief: np.ndarray
    status: np.ndarray
    injured: np.ndarray
    representative: np.ndarray
    active: np.ndarray
    buf: np.ndarray     # scratch: the agitation target, then the hourly chance of leaving
    units: np.ndarray   # scratch: agitation in whole units of 2**-40
    yielding: np.ndarray  # not of the hard core

    def __init__(self, crowds: list[Crowd]):
        if not crowds:
            raise ValueError("a batch needs at least one crowd")
        self.crowds: list[Crowd] = []
        self._pack(list(crowds))

    # ------------------------------------------------------------------ rows

    def _pack(self, crowds: list[Crowd]) -> None:
        """(Re)build the arrays from ``crowds``' current values and give each its row."""
        rows = len(crowds)
        # people stand in groups of consecutive arrivals (Crowd.group): rows are whole groups
        self.group_size = gs = max(1, crowds[0].p.group_size)
        self.n_groups = -(-max(c.size for c in crowds) // gs)
        self.width = width = self.n_groups * gs
        for name, (dtype, pad) in PERSON_ARRAYS.items():
            table = np.full((rows, width), pad, dtype=dtype)
            for r, c in enumerate(crowds):
                table[r, :c.size] = getattr(c, name)
            setattr(self, name, table)
        for r, c in enumerate(crowds):
            for name in PERSON_ARRAYS:
                setattr(c, name, getattr(self, name)[r, :c.size])
            c._batch = self
        self.settled = -np.inf   # every arrival scheduled up to this time has been made
        self.buf = np.empty((rows, width))
        self.units = np.empty((rows, width), dtype=np.int64)
        self.yielding = ~self.hard_core   # everyone but the hard core (fixed for a run)
        # uniform draws, one per person (beyond a crowd's own people: never read)
        self.draw = np.zeros((rows, width))
        self.draw2 = np.zeros((rows, width))
        self.crowds = crowds

    def remove(self, crowd: Crowd) -> None:
        """Take ``crowd`` out (its drill has ended): it keeps copies of its arrays."""
        keep = [c for c in self.crowds if c is not crowd]
        for name in PERSON_ARRAYS:
            setattr(crowd, name, getattr(crowd, name).copy())
        crowd._batch = None
        if keep:
            self._pack(keep)
        else:
            self.crowds = []

    # ------------------------------------------------------------------ the tick

    def step(self, t: float, dt: float, drivers: list[TickDrivers],
             rngs: list[np.random.Generator]) -> list[TickOutcome]:
        """Advance every row by ``dt`` minutes at time ``t``; ``drivers`` and ``rngs`` are
        in row order (see :meth:`agents.crowd.Crowd.step`)."""
        crowds = self.crowds
        p = crowds[0].p
        rows = len(crowds)
        st = self.status
        if max(c.last_scheduled for c in crowds) > self.settled:
            # someone may still be due (nobody is once every scheduled arrival has passed)
            st[(st == _NOT_ARRIVED) & (self.t_arrive <= t)] = _PRESENT
            self.settled = t

        # onlookers arrive while nothing cordons the area
        for c, d, rng in zip(crowds, drivers, rngs, strict=True):
            if d.onlooker_inflow > 0 and c.onlooker_next < c.size:
                k = min(int(rng.poisson(d.onlooker_inflow * dt)), c.size - c.onlooker_next)
                if k:
                    c.status[c.onlooker_next:c.onlooker_next + k] = _PRESENT
                    c.t_arrive[c.onlooker_next:c.onlooker_next + k] = t
                    c.onlooker_next += k

        present = st == _PRESENT
        pet = present & self.is_petitioner
        n_pet = _per_row(pet)

        # provocations and force fade; agitation relaxes toward grievance plus causes
        # (in place in a scratch buffer; arrays all zero in every row are skipped)
        fade = 0.5 ** (dt / p.provocation_half_life_min)
        target = self.buf
        legit = _column([d.legitimacy for d in drivers])
        np.multiply(self.hardship, 1.0 - legit, out=target)
        target += _column([sum(d.shared.values()) for d in drivers])
        if any(c._provoked_any for c in crowds):
            self.provoked *= fade
            target += self.provoked
        if any(c._forced_any for c in crowds):
            self.forced *= fade
            target += self.forced
        if any(c._relief_any for c in crowds):
            target -= self.relief
        target -= self.agitation
        target *= 1.0 - math.exp(-p.agitation_rate_per_min * dt)
        agitation = self.agitation
        agitation += target
        np.maximum(agitation, 0.0, out=agitation)   # np.clip, without its overhead
        np.minimum(agitation, 1.0, out=agitation)

        # willing: Epstein's net risk; acting: thresholds against what each person sees
        arrest_p = 1.0 - np.exp(-p.arrest_k * np.array(
            [[d.deterrence / (c.n_active + 1)] for c, d in zip(crowds, drivers, strict=True)]))
        agitated = pet & (agitation > p.active_threshold)
        willing = agitated & (agitation - self.risk * arrest_p > p.active_threshold)
        n_willing = _per_row(willing)
        n_agitated = _per_row(agitated)
        # what each group sees: the share of its members present who act (a count per group)
        gs = self.group_size
        seen_n = _group_counts(pet, gs)
        seen_a = _group_counts(self.active & pet, gs)
        local = (1.0 - p.global_visibility) * (seen_a / np.maximum(seen_n, 1))
        perceived = local + p.global_visibility * _column([c.share for c in crowds])
        grouped = (rows, self.n_groups, self.group_size)
        active = willing & (self.theta.reshape(grouped) <= perceived[:, :, None]).reshape(st.shape)
        # instigators act whenever willing (theta 0 sees any share, even none)
        active |= willing & self.hard_core
        self.active[...] = active
        n_active = _per_row(active)

        # leaving: fatigue growing with hours on site, heat, satisfaction, persuasion
        hours = np.subtract(t, self.t_arrive, out=self.buf)   # the scratch buffer again
        np.maximum(hours, 0.0, out=hours)
        hours *= 1.0 / 60.0
        hours *= p.fatigue_growth_per_hour
        hourly = hours
        hourly += _column([p.fatigue_leave_per_hour + d.heat_leave_per_hour for d in drivers])
        if any(d.weather_leave_per_hour for d in drivers):
            hourly = hourly + _column([d.weather_leave_per_hour for d in drivers]) \
                * (1.0 - self.hardship)
        if any(d.commitment for d in drivers):
            committed = np.array([[bool(d.commitment)] for d in drivers])
            hourly = hourly + p.satisfied_leave_per_hour * committed
            hard = np.where(committed, p.satisfied_leave_per_hour * p.hard_core_satisfied_x, 0.0)
            hourly = np.where(self.hard_core, hard, hourly)
        else:
            hourly *= self.yielding   # the hard core never leave of their own accord
        # a person leaves within the tick with probability 1 - exp(-hourly * dt / 60): when a
        # uniform draw is above the chance of staying
        hourly *= -dt / 60.0
        staying = np.exp(hourly, out=hourly)
        draw = self.draw
        for r, (c, rng) in enumerate(zip(crowds, rngs, strict=True)):
            rng.random(out=draw[r, :c.size])
        leaving = pet & ~active & (draw > staying)
        persuaded = [0] * rows
        for r, (d, rng) in enumerate(zip(drivers, rngs, strict=True)):
            if d.persuasion_rate <= 0:
                continue
            k = int(rng.poisson(d.persuasion_rate * dt))
            if not k:
                continue
            row_leaving = leaving[r]
            cand = np.flatnonzero(pet[r] & ~row_leaving & ~active[r]
                                  & ((agitation[r] < d.resist_agitation) | d.commitment)
                                  & (~self.hard_core[r] | d.commitment))
            if len(cand):
                chosen = rng.choice(cand, size=min(k, len(cand)), replace=False)
                row_leaving[chosen] = True
                persuaded[r] = len(chosen)
        onl = present & self.onlooker
        n_onl = _per_row(onl)
        if any(n_onl):
            draw2 = self.draw2
            stay = np.ones((rows, 1))
            for r, (c, d, rng) in enumerate(zip(crowds, drivers, rngs, strict=True)):
                if n_onl[r]:
                    stay[r, 0] = math.exp(-(p.onlooker_leave_per_hour / 60.0 + (
                        d.onlooker_dispersal / n_onl[r])) * dt)
                    rng.random(out=draw2[r, :c.size])
            leaving |= onl & (draw2 > stay)
        st[leaving] = _LEFT

        # who is where now, and the agitation of the petitioners present
        here = st == _PRESENT
        pet_here = here & self.is_petitioner
        n_here = _per_row(here)
        n_pet_here = _per_row(pet_here)
        elderly_here = _per_row(here & self.elderly)
        n_left = _per_row(st == _LEFT)
        n_care = _per_row(st == _IN_CARE)
        agitation_units = self.units
        np.copyto(agitation_units, np.multiply(agitation, _SCALE, out=self.buf), casting="unsafe")
        agitation_units *= pet_here
        total_agitation = (agitation_units.sum(axis=1) / _SCALE).tolist()

        outcomes = []
        for r, c in enumerate(crowds):
            d = drivers[r]
            npet, nact = n_pet[r], n_active[r]
            c.n_active = nact
            c.share = nact / npet if npet else 0.0
            c.willing_share = n_willing[r] / npet if npet else 0.0
            c.agitated_share = n_agitated[r] / npet if npet else 0.0
            # visible state by absolute counts (scuffles are the engine's episodes) with
            # hysteresis: a state is left only once its measure falls clearly below the
            # level that brought it on, so the state does not flicker around a threshold
            was, keep = c.state, p.state_exit_share
            if npet and (nact >= d.gate_people or d.gate_held
                         or (was >= CrowdState.BLOCKING and nact >= keep * d.gate_people)):
                state = CrowdState.BLOCKING
            elif npet and (c.agitated_share >= p.vocal_share or (
                    was >= CrowdState.VOCAL and c.agitated_share >= keep * p.vocal_share)):
                state = CrowdState.VOCAL
            else:
                state = CrowdState.CALM
            c.state = state
            n_present, n_everyone = n_pet_here[r], n_here[r]
            c._n_present = n_present
            if n_present > c.peak_present:
                c.peak_present = n_present
            # (statuses are four: whoever has arrived is here, gone or in care)
            outcomes.append(TickOutcome(
                n_present, n_everyone - n_present, n_everyone + n_left[r] + n_care[r], n_left[r],
                n_care[r], nact, n_willing[r], n_agitated[r], c.share,
                total_agitation[r] / n_present if n_present else 0.0, state, persuaded[r],
                n_everyone, elderly_here[r]))
        return outcomes
