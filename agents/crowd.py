"""The crowd of petitioners (上访群众) and onlookers (围观群众), one array entry per person.

The population is updated on a fixed tick with numpy, so 5,000 people cost little more
than 50. Per person: hardship ``H`` and risk aversion ``R`` (Epstein 2002), a peer
threshold ``theta`` (Granovetter 1978), the small group they came and stand with, an
agitation level and the fading agitation of provocations and force they met.

Agitation moves toward ``H * (1 - L)`` plus named causes (waiting unheard, rumour, heat,
thirst, a broken promise, failed talks: shared by everyone present) plus what provoked
the person. A person is *agitated* when ``a > T`` and *willing* to act out when
``a - R * P > T`` (Epstein's rule) with ``P = 1 - exp(-k * C / (A + 1))``: officers deter
acting out, not shouting. A willing person *acts* (blocks, shouts at the gate) once
the share acting among those they see reaches their threshold: what a person sees is
mostly their own group, a little of the whole crowd, so escalation builds group by group
over minutes instead of tipping the whole crowd at once. Hard-core members act whenever
they are willing, which keeps a crowd vocal but rarely tips a calm one.

The visible state follows from absolute counts: *vocal* when a large share is agitated,
*blocking* when enough people act to close the gate (more for a wider gate). Scuffles are
episodes that need an opposing line; the engine starts and ends them (see
``agents.scuffle``). Nothing here knows about SimPy: the engine calls :meth:`Crowd.step`
once a tick.
"""

from __future__ import annotations

import math

import numpy as np

from agents.crowd_tick import CrowdBatch, TickDrivers, TickOutcome
from sim.core.config import Crowd as CrowdConfig
from sim.core.parameters import CrowdParams, HealthParams
from sim.core.types import CrowdState, PersonStatus

_PRESENT = int(PersonStatus.PRESENT)
_NOT_ARRIVED = int(PersonStatus.NOT_ARRIVED)
_LEFT = int(PersonStatus.LEFT)
_IN_CARE = int(PersonStatus.IN_CARE)
_NO_ONE = np.empty(0, dtype=np.int64)
_NO_ONE.flags.writeable = False  # the shared answer of a tick without health incidents


class Crowd:
    """Petitioners and onlookers as parallel numpy arrays."""

    def __init__(self, cfg: CrowdConfig, params: CrowdParams, rng: np.random.Generator,
                 extra_capacity: int = 0):
        self.p = params
        n_pet = int(round(rng.uniform(cfg.mobilised.low, cfg.mobilised.high)))
        n0 = min(n_pet, int(round(rng.uniform(cfg.initial.low, cfg.initial.high))))
        n_onl = int(cfg.onlookers.max)
        self.n_petitioners = n_pet
        self.extra_start = n_pet
        self.extra_next = n_pet
        self.onlooker_start = n_pet + extra_capacity
        self.onlooker_next = self.onlooker_start
        n = n_pet + extra_capacity + n_onl
        self.size = n

        self.onlooker = np.zeros(n, dtype=bool)
        self.onlooker[self.onlooker_start:] = True
        self.t_arrive = np.full(n, np.inf)
        self.t_arrive[:n0] = 0.0
        if n_pet > n0:
            self.t_arrive[n0:n_pet] = np.sort(rng.uniform(0, cfg.arrival_window_min, n_pet - n0))
        self.last_scheduled = float(self.t_arrive[:n_pet].max()) if n_pet else 0.0
        self.hardship = rng.uniform(cfg.hardship.low, cfg.hardship.high, n)
        self.hardship[self.onlooker] *= params.onlooker_hardship
        self.risk = rng.uniform(0.0, 1.0, n)
        self.theta = rng.normal(params.peer_threshold_mean, params.peer_threshold_sd, n)
        self.elderly = rng.random(n) < cfg.elderly_share
        self.hard_core = (rng.random(n) < cfg.hard_core_share) & ~self.onlooker
        self.theta[self.hard_core] = 0.0
        # people stand with those they came with: consecutive arrivals form a group
        self.group = np.arange(n) // max(1, params.group_size)
        self.n_groups = int(self.group[-1]) + 1 if n else 0
        self.agitation = self.hardship * (1.0 - cfg.legitimacy) * params.initial_agitation_factor
        self.provoked = np.zeros(n)      # fading agitation from provocations
        self.forced = np.zeros(n)        # fading agitation from force met
        self.relief = np.zeros(n)        # lasting relief from a counsellor's talk
        # which of those are known to be all zero (the tick then skips them)
        self._provoked_any = self._forced_any = self._relief_any = False
        self.is_petitioner = ~self.onlooker
        self._batch: CrowdBatch | None = None   # the rows stepped together (agents.crowd_tick)
        self.status = np.zeros(n, dtype=np.int8)
        self._n_present: int | None = None   # petitioners present, while no status changes
        self.injured = np.zeros(n, dtype=bool)
        self.representative = np.zeros(n, dtype=bool)
        self.active = np.zeros(n, dtype=bool)
        self.share = 0.0
        self.willing_share = 0.0
        self.agitated_share = 0.0
        self.n_active = 0
        self.peak_present = 0
        self.state = CrowdState.CALM

    # ------------------------------------------------------------------ arrivals and shocks

    def schedule_arrivals(self, count: int, t: float, over_min: float,
                          rng: np.random.Generator) -> int:
        """Bring ``count`` extra petitioners between ``t`` and ``t + over_min``."""
        free = self.onlooker_start - self.extra_next
        count = max(0, min(count, free))
        if count:
            idx = slice(self.extra_next, self.extra_next + count)
            self.t_arrive[idx] = np.sort(t + rng.uniform(0, max(over_min, 0.0), count))
            self.extra_next += count
            self.last_scheduled = max(self.last_scheduled, float(self.t_arrive[idx].max()))
        return count

    def _petitioners_present(self) -> np.ndarray:
        return np.flatnonzero((self.status == _PRESENT) & ~self.onlooker)

    def shock(self, share: float, delta: float, rng: np.random.Generator) -> int:
        """Provoke ``share`` of the petitioners present by ``delta`` agitation (a fading term).

        A provocation spreads among people who stand together, so whole groups are chosen,
        at random, until the share is reached. A negative ``delta`` calms them instead.
        """
        idx = self._petitioners_present()
        if len(idx) == 0:
            return 0
        k = max(1, int(round(share * len(idx))))
        groups = np.unique(self.group[idx])
        rng.shuffle(groups)
        chosen: list[np.ndarray] = []
        total = 0
        for g in groups:
            members = idx[self.group[idx] == g]
            chosen.append(members[: k - total])
            total += len(chosen[-1])
            if total >= k:
                break
        people = np.concatenate(chosen)
        self.provoked[people] = np.clip(self.provoked[people] + delta, -1.0, 1.0)
        self._provoked_any = True
        return len(people)

    def force(self, delta: float) -> int:
        """Indiscriminate force: everyone present meets it (ESIM); returns people pushed."""
        idx = self._petitioners_present()
        self.forced[idx] = np.minimum(1.0, self.forced[idx] + delta)
        self._forced_any = True
        return len(idx)

    def remove_active(self, count: int, rng: np.random.Generator) -> int:
        """Lead ``count`` acting people aside (differentiated intervention); they leave."""
        idx = np.flatnonzero(self.active & (self.status == _PRESENT))
        if len(idx) == 0 or count <= 0:
            return 0
        chosen = rng.choice(idx, size=min(count, len(idx)), replace=False)
        self.move(chosen, _LEFT)
        self.active[chosen] = False
        return len(chosen)

    def push_off(self, share: float, rng: np.random.Generator) -> int:
        """A forceful clearance pushes ``share`` of the petitioners present off the site."""
        idx = self._petitioners_present()
        k = int(round(share * len(idx)))
        if k <= 0:
            return 0
        chosen = rng.choice(idx, size=min(k, len(idx)), replace=False)
        self.move(chosen, _LEFT)
        self.active[chosen] = False
        return len(chosen)

    def fall_ill(self, count: int, rng: np.random.Generator, elderly_weight: float) -> np.ndarray:
        """Take ``count`` present petitioners into care, the elderly ``elderly_weight`` times likelier."""
        idx = self._petitioners_present()
        if len(idx) == 0:
            return idx
        weights = np.where(self.elderly[idx], elderly_weight, 1.0)
        size = min(count, len(idx))
        total = float(weights.sum())
        p = weights / total if total > 0 else None
        if p is not None and np.count_nonzero(p) < size:
            p = None  # weights that cannot be drawn from (all zero, too few): even odds
        chosen = rng.choice(idx, size=size, replace=False, p=p)
        self.move(chosen, _IN_CARE)
        return chosen

    def injure(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` people at the line are hurt (those acting first); they go into care."""
        idx = np.flatnonzero(self.active & (self.status == _PRESENT))
        if len(idx) < count:
            rest = np.setdiff1d(self._petitioners_present(), idx)
            idx = np.concatenate([idx, rng.permutation(rest)[: count - len(idx)]])
        if len(idx) == 0 or count <= 0:
            return np.empty(0, dtype=np.int64)
        chosen = rng.choice(idx, size=min(count, len(idx)), replace=False)
        self.move(chosen, _IN_CARE)
        self.injured[chosen] = True
        self.active[chosen] = False
        return chosen

    def counsel(self, count: int, relief: float, distressed: float,
                rng: np.random.Generator) -> int:
        """A counsellor talks with up to ``count`` elderly or distressed petitioners present
        (hardship at or above ``distressed``) not yet counselled, the most agitated first;
        each keeps ``relief`` off their agitation's target."""
        idx = np.flatnonzero((self.status == _PRESENT) & ~self.onlooker & (self.relief == 0)
                             & (self.elderly | (self.hardship >= distressed)))
        if len(idx) == 0 or count <= 0:
            return 0
        chosen = idx[np.argsort(-self.agitation[idx], kind="stable")[:count]]
        self.relief[chosen] = relief
        self._relief_any = True
        return len(chosen)

    def choose_representatives(self) -> int:
        """The petitioners present name up to five representatives (the most aggrieved)."""
        idx = self._petitioners_present()
        k = min(self.p.representatives_max, len(idx))
        if k:
            chosen = idx[np.argsort(-self.hardship[idx])[:k]]
            self.representative[chosen] = True
        return k

    # ------------------------------------------------------------------ counts

    def move(self, people: np.ndarray, status: int) -> None:
        """Give ``people`` (indices) a new status (left, in care) outside the tick."""
        self.status[people] = status
        self._n_present = None

    def present_petitioners(self) -> int:
        """Petitioners present now (people; counted once per change of anyone's status)."""
        n = self._n_present
        if n is None:
            n = self._n_present = int(np.count_nonzero((self.status == _PRESENT) & ~self.onlooker))
        return n

    def elderly_agitation(self) -> float:
        """Mean agitation of the elderly petitioners who came (0 when none did)."""
        mask = self.elderly & ~self.onlooker & (self.status != _NOT_ARRIVED)
        n = int(np.count_nonzero(mask))
        return float(self.agitation[mask].mean()) if n else 0.0

    def all_arrived(self, t: float) -> bool:
        return t >= self.last_scheduled

    def mean_of(self, values: np.ndarray) -> float:
        """Mean of a per-person array over the petitioners present (0 when nobody is)."""
        mask = (self.status == _PRESENT) & ~self.onlooker
        n = int(np.count_nonzero(mask))
        return float(values[mask].sum() / n) if n else 0.0

    # ------------------------------------------------------------------ the tick

    def step(self, t: float, dt: float, d: TickDrivers, rng: np.random.Generator) -> TickOutcome:
        """Advance the population by ``dt`` minutes under drivers ``d`` (a batch of one; the
        tick itself is :meth:`agents.crowd_tick.CrowdBatch.step`)."""
        batch = self._batch if self._batch is not None else CrowdBatch([self])
        if len(batch.crowds) != 1:
            raise RuntimeError("a crowd in a batch of several is stepped with its batch")
        return batch.step(t, dt, [d], [rng])[0]


class HealthHazard:
    """Health incidents as one per-person Poisson hazard (mass-gathering medicine).

    The neutral case (a temperate outdoor gathering of adults with free water and room to
    stand) presents Arbon et al. 2001's 0.992 patients per 1000 attendees over a reference
    event length; heat (continuous, per 10 F of apparent temperature above the neutral case),
    no free water, an indoor site, crowding and old age multiply it, and the expected count
    grows with time on site because the hazard is per person-minute (see
    ``sim/data/parameters.yaml``).
    """

    def __init__(self, params: HealthParams):
        self.p = params
        self._conditions: tuple = ()   # (apparent_f, water, outdoor) of the rate below
        self._rate = 0.0               # the hazard under them, before crowding

    def _weather_rate(self, apparent_f: float, water: bool, outdoor: bool) -> float:
        """Hazard per person-minute before crowding and personal factors (kept while the
        weather, the water and the site stay as they are)."""
        key = (apparent_f, water, outdoor)
        if key != self._conditions:
            p = self.p
            rate = p.ppr_per_1000 / 1000.0 / (p.reference_hours * 60.0)
            rate *= p.heat_ratio_per_10_at ** (max(0.0, apparent_f - p.heat_reference_f) / 10.0)
            if not water:
                rate *= p.no_water_ratio
            if not outdoor:
                rate *= p.indoor_ratio
            self._conditions, self._rate = key, rate
        return self._rate

    def shared_rate(self, apparent_f: float, water: bool, outdoor: bool = True,
                    density: float = 0.0) -> float:
        """Hazard per person-minute before personal factors (``density`` in people per m²)."""
        p = self.p
        return self._weather_rate(apparent_f, water, outdoor) * (
            1.0 + p.density_ratio_per_person_m2 * max(0.0, density - p.density_free_person_m2))

    def sample(self, crowd: Crowd, here: TickOutcome, apparent_f: float, water: bool,
               dt: float, rng: np.random.Generator, outdoor: bool = True,
               area_m2: float = math.inf, cold_elderly_x: float = 1.0) -> np.ndarray:
        """Draw this tick's health incidents among the people present (counted in ``here``,
        the tick's outcome); move them into care.

        ``cold_elderly_x`` multiplies the rate of the elderly (cold weather)."""
        if here.here == 0:
            return _NO_ONE
        p = self.p
        old = p.elderly_ratio * cold_elderly_x
        total = (here.here - here.elderly_here) + here.elderly_here * old
        rate = self._weather_rate(apparent_f, water, outdoor) * (
            1.0 + p.density_ratio_per_person_m2
            * max(0.0, here.here / area_m2 - p.density_free_person_m2))
        k = int(rng.poisson(rate * total * dt))
        if not k:
            return _NO_ONE
        present = np.flatnonzero(crowd.status == _PRESENT)
        weights = np.where(crowd.elderly[present], old, 1.0)
        ill = rng.choice(present, size=min(k, len(present)), replace=False,
                         p=weights / weights.sum())
        crowd.move(ill, _IN_CARE)
        return ill


def apparent_temperature_f(temperature_c: float, humidity_pct: float) -> float:
    """Apparent temperature in degrees F.

    The US NWS heat index (Rothfusz regression) where it is defined, at 80 F and above;
    below that the air temperature itself, so the heat index is never used outside its range.
    """
    t = temperature_c * 9.0 / 5.0 + 32.0
    if t < 80.0:
        return t
    rh = humidity_pct
    hi = (-42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh
          - 6.83783e-3 * t * t - 5.481717e-2 * rh * rh + 1.22874e-3 * t * t * rh
          + 8.5282e-4 * t * rh * rh - 1.99e-6 * t * t * rh * rh)
    return max(t, hi) if rh >= 40 else t

