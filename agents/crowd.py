"""The crowd of petitioners (上访群众) and onlookers (围观群众), one array entry per person.

The population is updated on a fixed tick with numpy, so 5,000 people cost little more
than 50. Per person: hardship ``H`` and risk aversion ``R`` (Epstein 2002), a peer
threshold ``theta`` (Granovetter 1978) and an agitation level. The shared legitimacy ``L``
that the authorities enjoy in the crowd's eyes moves with dialogue, force, waiting and
rumour (ESIM; Lemos et al. 2016) and is held by the caller.

A person is *willing* to act out when ``w = a - R * P > T`` (Epstein's rule), where ``a``
is agitation and ``P = 1 - exp(-k * floor(C / A))`` the perceived chance of being detained
(C officers, A active people plus one; the floor follows Epstein's and Mesa's
implementations). A willing person is *active* (blocking, pushing) once the active share
they perceived at the previous tick reaches their own threshold ``theta`` (Granovetter).
With thresholds spread around 0.25 a crowd has a low equilibrium (a few instigators) and a
high one; a visible act (a blocked gate, indiscriminate force) raises the perceived share
and can tip the crowd from one to the other, so escalation can be sudden, and it falls
back once dialogue makes fewer people willing. The crowd is *vocal* when a large share is
willing even though few act.

Nothing here knows about SimPy: the engine calls :meth:`Crowd.step` once a tick.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.config import Crowd as CrowdConfig
from sim.parameters import CrowdParams, HealthParams
from sim.types import CrowdState, PersonStatus

_PRESENT = PersonStatus.PRESENT
_NOT_ARRIVED = PersonStatus.NOT_ARRIVED


@dataclass
class TickDrivers:
    """What the responders and the world impose on the crowd during one tick.

    Attributes:
        legitimacy: shared legitimacy L in [0, 1].
        stress: agitation added to every target (heat, thirst, rumour, waiting).
        officers: officers on site, weighted by posture (C in Epstein's P).
        onlooker_inflow: expected onlooker arrivals per minute.
        onlooker_dispersal: onlookers moved on per minute by a cordon.
        persuasion_rate: petitioners persuaded to leave per minute.
        commitment: a credible commitment has been made.
        gate_held: the gate is held by the crowd regardless of the active share.
        resist_agitation: people above this agitation cannot be persuaded before a commitment.
    """

    legitimacy: float
    stress: float = 0.0
    officers: float = 0.0
    onlooker_inflow: float = 0.0
    onlooker_dispersal: float = 0.0
    persuasion_rate: float = 0.0
    commitment: bool = False
    gate_held: bool = False
    resist_agitation: float = 1.0


@dataclass
class TickOutcome:
    """Counts after one tick (people)."""

    present: int
    onlookers: int
    arrived: int
    left: int
    in_care: int
    active: int
    active_share: float
    mean_agitation: float
    state: CrowdState
    persuaded: int
    ill: np.ndarray
    injured: np.ndarray


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
        self.leave_draw = rng.random(n)  # kept for reproducible tie-breaks
        self.agitation = self.hardship * (1.0 - cfg.legitimacy) * params.initial_agitation_factor
        self.status = np.zeros(n, dtype=np.int8)
        self.injured = np.zeros(n, dtype=bool)
        self.representative = np.zeros(n, dtype=bool)
        self.active = np.zeros(n, dtype=bool)
        self.share = 0.0
        self.willing_share = 0.0
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

    def shock(self, share: float, delta: float, rng: np.random.Generator) -> int:
        """Raise (or lower) the agitation of a random ``share`` of the petitioners present.

        A visible provocation is also seen by everyone: the perceived active share rises to
        the share provoked, which may tip the crowd (see the module docstring).
        """
        idx = np.flatnonzero((self.status == _PRESENT) & ~self.onlooker)
        if len(idx) == 0:
            return 0
        k = max(1, int(round(share * len(idx))))
        chosen = rng.choice(idx, size=min(k, len(idx)), replace=False)
        self.agitation[chosen] = np.clip(self.agitation[chosen] + delta, 0.0, 1.0)
        if delta > 0:
            self.share = max(self.share, len(chosen) / len(idx))
        return len(chosen)

    def remove_active(self, count: int, rng: np.random.Generator) -> int:
        """Lead ``count`` active people away (differentiated intervention); they leave."""
        idx = np.flatnonzero(self.active & (self.status == _PRESENT))
        if len(idx) == 0 or count <= 0:
            return 0
        chosen = rng.choice(idx, size=min(count, len(idx)), replace=False)
        self.status[chosen] = PersonStatus.LEFT
        self.active[chosen] = False
        return len(chosen)

    def fall_ill(self, count: int, rng: np.random.Generator, elderly_weight: float) -> np.ndarray:
        """Take ``count`` present petitioners into care, the elderly ``elderly_weight`` times likelier."""
        idx = np.flatnonzero((self.status == _PRESENT) & ~self.onlooker)
        if len(idx) == 0:
            return idx
        weights = np.where(self.elderly[idx], elderly_weight, 1.0)
        chosen = rng.choice(idx, size=min(count, len(idx)), replace=False, p=weights / weights.sum())
        self.status[chosen] = PersonStatus.IN_CARE
        return chosen

    def choose_representatives(self) -> int:
        """The petitioners present name up to five representatives (the most aggrieved)."""
        idx = np.flatnonzero((self.status == _PRESENT) & ~self.onlooker)
        k = min(self.p.representatives_max, len(idx))
        if k:
            chosen = idx[np.argsort(-self.hardship[idx])[:k]]
            self.representative[chosen] = True
        return k

    # ------------------------------------------------------------------ counts

    def present_petitioners(self) -> int:
        return int(np.count_nonzero((self.status == _PRESENT) & ~self.onlooker))

    def all_arrived(self, t: float) -> bool:
        return t >= self.last_scheduled

    # ------------------------------------------------------------------ the tick

    def step(self, t: float, dt: float, d: TickDrivers, rng: np.random.Generator,
             health: HealthHazard | None = None, health_rng: np.random.Generator | None = None
             ) -> TickOutcome:
        """Advance the population by ``dt`` minutes under drivers ``d``."""
        p = self.p
        st = self.status
        st[(st == _NOT_ARRIVED) & (self.t_arrive <= t)] = _PRESENT

        # onlookers arrive while nothing cordons the area
        if d.onlooker_inflow > 0 and self.onlooker_next < self.size:
            k = int(rng.poisson(d.onlooker_inflow * dt))
            k = min(k, self.size - self.onlooker_next)
            if k:
                st[self.onlooker_next:self.onlooker_next + k] = _PRESENT
                self.t_arrive[self.onlooker_next:self.onlooker_next + k] = t
                self.onlooker_next += k

        present = st == _PRESENT
        pet = present & ~self.onlooker
        n_pet = int(np.count_nonzero(pet))

        # agitation relaxes toward grievance plus shared stress
        target = self.hardship * (1.0 - d.legitimacy) + d.stress
        self.agitation += (target - self.agitation) * (1.0 - math.exp(-p.agitation_rate_per_min * dt))
        np.clip(self.agitation, 0.0, 1.0, out=self.agitation)

        # activation: Epstein's net risk with Granovetter-style peer thresholds
        n_active_prev = int(np.count_nonzero(self.active & pet))
        ratio = math.floor(d.officers / (n_active_prev + 1))
        arrest_p = 1.0 - math.exp(-p.arrest_k * ratio)
        willing = self.agitation - self.risk * arrest_p
        willing_mask = pet & (willing > p.active_threshold)
        active = willing_mask & (self.theta <= self.share)
        self.active = active
        n_active = int(np.count_nonzero(active))
        self.share = n_active / n_pet if n_pet else 0.0
        self.willing_share = int(np.count_nonzero(willing_mask)) / n_pet if n_pet else 0.0

        # departures: tiredness, satisfaction, persuasion
        hourly = np.where(self.hard_core & ~d.commitment, 0.0, p.base_leave_per_hour)
        if d.commitment:
            hourly = hourly + p.satisfied_leave_per_hour
        leave_p = 1.0 - np.exp(-hourly * dt / 60.0)
        leaving = pet & ~active & (rng.random(self.size) < leave_p)
        persuaded = 0
        if d.persuasion_rate > 0:
            k = int(rng.poisson(d.persuasion_rate * dt))
            if k:
                cand = np.flatnonzero(pet & ~leaving & ~active
                                      & ((self.agitation < d.resist_agitation) | d.commitment)
                                      & (~self.hard_core | d.commitment))
                if len(cand):
                    chosen = rng.choice(cand, size=min(k, len(cand)), replace=False)
                    leaving[chosen] = True
                    persuaded = len(chosen)
        onl = present & self.onlooker
        n_onl = int(np.count_nonzero(onl))
        if n_onl:
            onl_p = 1.0 - math.exp(-(p.onlooker_leave_per_hour / 60.0 + (
                d.onlooker_dispersal / n_onl)) * dt)
            leaving |= onl & (rng.random(self.size) < onl_p)
        st[leaving] = PersonStatus.LEFT

        # crowd state from the active share
        share = self.share
        if share >= p.scuffle_share:
            state = CrowdState.SCUFFLE
        elif share >= p.blocking_share or (d.gate_held and n_pet > 0):
            state = CrowdState.BLOCKING
        elif self.willing_share >= p.vocal_share:
            state = CrowdState.VOCAL
        else:
            state = CrowdState.CALM
        self.state = state

        # health incidents and injuries
        ill = injured = np.empty(0, dtype=np.int64)
        if health is not None and health_rng is not None:
            ill, injured = health.sample(self, t, dt, state, health_rng)

        present = st == _PRESENT
        pet_now = present & ~self.onlooker
        n_present = int(np.count_nonzero(pet_now))
        self.peak_present = max(self.peak_present, n_present)
        arrived_mask = st != _NOT_ARRIVED
        return TickOutcome(
            present=n_present,
            onlookers=int(np.count_nonzero(present & self.onlooker)),
            arrived=int(np.count_nonzero(arrived_mask)),
            left=int(np.count_nonzero(st == PersonStatus.LEFT)),
            in_care=int(np.count_nonzero(st == PersonStatus.IN_CARE)),
            active=n_active,
            active_share=share,
            mean_agitation=float(self.agitation[pet_now].mean()) if n_present else 0.0,
            state=state,
            persuaded=persuaded,
            ill=ill,
            injured=injured,
        )


class HealthHazard:
    """Health incidents as a per-person Poisson hazard (mass-gathering medicine).

    The base rate is Arbon et al. 2001's 0.992 presentations per 1000 attendees, spread
    over a reference event length, multiplied by the published rate ratios for heat,
    outdoor sites and lack of free water, and by assumed factors for age, agitation,
    density and time on site (see ``sim/data/parameters.yaml``).
    """

    def __init__(self, params: HealthParams, heat_index_f: float, outdoor: bool,
                 area_m2: float, crowd: Crowd, scuffle_injury_per_active_hour: float):
        self.p = params
        self.heat_index_f = heat_index_f
        self.outdoor = outdoor
        self.area = area_m2
        self.water = False
        self.injury_rate = scuffle_injury_per_active_hour
        self.person = np.where(crowd.elderly, params.elderly_ratio, 1.0)

    def shared_rate(self, t: float, n_present: int) -> float:
        """Hazard per person-minute before personal factors."""
        p = self.p
        rate = p.ppr_per_1000 / 1000.0 / (p.reference_hours * 60.0)
        excess = max(0.0, self.heat_index_f - p.heat_reference_f)
        rate *= p.heat_ratio_per_10_hi ** (excess / 10.0)
        if self.outdoor:
            rate *= p.outdoor_ratio
        if not self.water:
            rate *= p.no_water_ratio
        density = n_present / self.area
        rate *= 1.0 + p.density_ratio_per_person_m2 * max(0.0, density - p.density_free_person_m2)
        rate *= 1.0 + p.duration_ratio_per_hour * t / 60.0
        return rate

    def sample(self, crowd: Crowd, t: float, dt: float, state: CrowdState,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw this tick's health incidents and scuffle injuries; move them into care."""
        present = np.flatnonzero(crowd.status == _PRESENT)
        empty = np.empty(0, dtype=np.int64)
        if len(present) == 0:
            return empty, empty
        weights = self.person[present] * (1.0 + self.p.agitation_ratio * crowd.agitation[present])
        lam = self.shared_rate(t, len(present)) * float(weights.sum()) * dt
        k = int(rng.poisson(lam))
        ill = empty
        if k:
            ill = rng.choice(present, size=min(k, len(present)), replace=False,
                             p=weights / weights.sum())
            crowd.status[ill] = PersonStatus.IN_CARE
        injured = empty
        if state is CrowdState.SCUFFLE:
            actives = np.flatnonzero(crowd.active & (crowd.status == _PRESENT))
            k = int(rng.poisson(self.injury_rate / 60.0 * len(actives) * dt))
            if k and len(actives):
                injured = rng.choice(actives, size=min(k, len(actives)), replace=False)
                crowd.status[injured] = PersonStatus.IN_CARE
                crowd.injured[injured] = True
        return ill, injured


def heat_index_f(temperature_c: float, humidity_pct: float) -> float:
    """Apparent temperature in degrees F (US NWS: Steadman's simple form, Rothfusz above 80 F)."""
    t = temperature_c * 9.0 / 5.0 + 32.0
    rh = humidity_pct
    simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094)
    if (simple + t) / 2.0 < 80.0:
        return simple
    return (-42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh
            - 6.83783e-3 * t * t - 5.481717e-2 * rh * rh + 1.22874e-3 * t * t * rh
            + 8.5282e-4 * t * rh * rh - 1.99e-6 * t * t * rh * rh)
