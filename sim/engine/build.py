"""Build the SimPy world for one drill, run it, and return a :class:`DrillResult`.

The crowd, the rumour and health incidents advance on a fixed tick; responders, messages
and injects are SimPy processes that change what the tick sees.
"""

from __future__ import annotations

import math

import simpy
from simpy.core import URGENT

import agents.register  # noqa: F401  (fills the capability routines)
from agents import scuffle
from agents.causes import SharedStress, explain
from agents.command import level_watch
from agents.crowd import Crowd, HealthHazard, TickDrivers, apparent_temperature_f
from agents.injects import check_watches
from agents.medical import attend
from agents.order import dispersal_rate
from agents.persuasion import persuasion_rate
from agents.rumour import Rumour
from agents.warning import warning
from sim.core.loading import DrillInputs
from sim.core.recorder import Recorder
from sim.core.rng import Streams
from sim.core.types import Capability, Cause, CrowdState, EventKind, Precipitation
from sim.core.world import World


def build_world(inputs: DrillInputs, seed: int) -> World:
    """Everything for one run, ready to start."""
    scenario, params = inputs.scenario, inputs.params
    env = simpy.Environment()
    streams = Streams(seed)
    crowd = Crowd(scenario.crowd, params.crowd, streams.crowd,
                  extra_capacity=scenario.late_arrivals)
    n_ticks = int(math.ceil(scenario.end.max_min / params.tick_min)) + 2
    world = World(env, scenario, inputs.plan, params, streams, Recorder(n_ticks), crowd,
                  Rumour(params.rumour, inputs.plan.publicity.reach), SharedStress(params.crowd))
    env.process(warning(world))
    if any(lv.when for lv in inputs.plan.levels):
        env.process(level_watch(world))
    return world


def condition_state(world: World, row: dict) -> dict:
    """The state variables trigger conditions may name (see ``sim.core.triggers.VARIABLES``):
    ``row``, this tick of the time series, with the rest of the state added to it."""
    s = world.state
    row.update(health_incidents=s.health_incidents, statement_out=s.statement_out,
               agreement=s.commitment, cordon=s.cordon, dialogue=s.dialogue_started,
               representatives=s.representatives_chosen, expected_crowd=s.expected_crowd,
               injuries=world.rec.counters.get("injuries", 0), person_at_risk=s.person_at_risk,
               dark=world.dark(), warning=s.warning)
    return row


def _onlooker_inflow(world: World, reach: float) -> float:
    """Expected onlooker arrivals per minute: fewer in the dark, in rain, behind a cordon or
    traffic control; more while someone threatens to jump."""
    s, cp, sc = world.state, world.params.crowd, world.scenario
    if s.cordon:
        return 0.0
    rate = sc.crowd.onlookers.rate_per_min * (1.0 + cp.onlooker_rumour_boost * reach)
    fr, wp = world.params.first_response, world.params.weather
    if s.first_cordon:
        rate *= fr.cordon_onlooker_x
    if s.first_traffic:
        rate *= fr.traffic_onlooker_x
    if world.dark():
        rate *= world.params.night.onlooker_x
    if sc.site.outdoor and s.precipitation is not Precipitation.NONE:
        rate *= wp.rain_onlooker_x ** (2 if s.precipitation is Precipitation.HEAVY_RAIN else 1)
    if s.person_at_risk:
        rate *= world.params.risk.onlooker_x
    return rate


def _evacuation_rate(world: World) -> float:
    """Onlookers moved away per minute by evacuation teams on site and first-response staff."""
    per = world.params.evacuation.per_staff_hour / 60.0
    return world.staff_on_site(Capability.EVACUATION) * per + world.state.first_dispersing


def _team_drivers(world: World) -> tuple[float, float, float, bool]:
    """What the teams on site do to the crowd each minute: deterrence (officers as the crowd
    weighs them), onlookers moved on and petitioners persuaded per minute, and whether a
    dialogue team is there to listen; worked out again only when the roster, a team's kit, the
    cordon, the first team's dispersal or the commitment change."""
    s = world.state
    return world.roster_figure(
        ("crowd drivers", s.cordon, s.first_dispersing, s.commitment),
        lambda: (world.deterrence(), dispersal_rate(world) + _evacuation_rate(world),
                 persuasion_rate(world), world.any_on_site(Capability.DIALOGUE)))


def _weather_leave(world: World) -> tuple[float, float]:
    """Extra hourly leaving for the least committed (rain, cold) and the elderly's health-rate
    multiplier in the cold (outdoors only)."""
    s, wp = world.state, world.params.weather
    if not world.scenario.site.outdoor:
        return 0.0, 1.0
    rain = {Precipitation.NONE: 0.0, Precipitation.RAIN: 1.0,
            Precipitation.HEAVY_RAIN: wp.heavy_rain_x}[s.precipitation]
    felt_f = s.temperature_c * 9.0 / 5.0 + 32.0 - (wp.wet_cold_f if rain else 0.0)
    cold = max(0.0, wp.cold_below_f - felt_f) / 10.0
    leave = wp.rain_leave_per_hour * rain + wp.cold_leave_per_10_below * cold
    return leave, wp.cold_elderly_ratio_per_10_below ** cold


def _counsel(world: World, dt: float) -> None:
    """Counsellors on site talk with distressed and elderly petitioners, one at a time."""
    pp = world.params.psych_support
    staff = world.staff_on_site(Capability.PSYCH_SUPPORT)
    if staff <= 0 or world.in_scuffle():
        return
    k = int(world.rng.dynamics.poisson(staff * pp.people_per_staff_hour / 60.0 * dt))
    if k:
        done = world.crowd.counsel(k, pp.relief, pp.distressed_hardship, world.rng.dynamics)
        world.state.counselled += done


ESCALATING = (Cause.FORCE, Cause.PROVOCATION, Cause.BROKEN_PROMISE, Cause.FAILED_TALKS)
CALMING = (Cause.REMOVALS, Cause.AGREEMENT, Cause.WATER, Cause.LISTENED)


def _components(world: World, shared: dict[Cause, float]) -> dict[Cause, float]:
    """Every cause of agitation now, as the mean person present feels it."""
    crowd = world.crowd
    out = dict(shared)
    out[Cause.GRIEVANCE] = crowd.mean_of(crowd.hardship) * (1.0 - world.legitimacy.value)
    out[Cause.PROVOCATION] = max(0.0, crowd.mean_of(crowd.provoked))
    out[Cause.FORCE] = crowd.mean_of(crowd.forced)
    return out


class CrowdTurn:
    """The tick waits here for its crowd to be stepped with the others of a batch.

    ``drivers`` are this drill's drivers for the step; the batch's runner hands the
    :class:`~agents.crowd.TickOutcome` back to ``tick`` (a :class:`BatchedTick`) ahead of
    every other event of the instant, so the drill goes on exactly as if its crowd had been
    stepped alone."""

    __slots__ = ("drivers", "tick")

    def __init__(self, drivers: TickDrivers, tick: BatchedTick):
        self.drivers = drivers
        self.tick = tick


class BatchedTick:
    """The tick of a drill in a batch, driven without a SimPy process of its own.

    A process would be resumed twice a minute (by its timeout, then by its crowd's turn);
    here each minute's timeout wakes the tick, which hands its turn to the batch's list and
    stops there, and the batch's runner resumes it with the outcome (:meth:`resume`) before
    any other event of the instant is processed. It starts as a process would (an event of
    the first priority at time 0), so every event keeps its place in the order."""

    __slots__ = ("gen", "turns")

    def __init__(self, env: simpy.Environment, world: World, turns: list[CrowdTurn]):
        self.turns = turns
        self.gen = tick(world, self)
        start = simpy.Event(env)
        start._ok, start._value = True, None
        start.callbacks.append(self._wake)  # type: ignore[union-attr]
        env.schedule(start, URGENT)

    def _wake(self, _event: simpy.Event) -> None:
        self.resume(None)

    def resume(self, outcome) -> None:
        """Go on with ``outcome`` (None when a timeout woke the tick) to the next wait."""
        try:
            wait = self.gen.send(outcome)
        except StopIteration:   # the drill has ended
            return
        if not isinstance(wait, CrowdTurn):
            wait.callbacks.append(self._wake)


def tick(world: World, batched: BatchedTick | None = None):
    """The crowd, the rumour, scuffles and health advance together, one tick at a time.

    ``batched``: the drill runs in a batch, driven by it; each tick's crowd step is handed to
    the batch's runner through its list of turns (see ``sim.engine.batch``) instead of being
    made here."""
    env, p, s, crowd, rec = world.env, world.params, world.state, world.crowd, world.rec
    cp, lp = p.crowd, p.legitimacy
    sc = world.scenario
    dt = p.tick_min
    hazard = HealthHazard(p.health)
    stress = world.stress
    drivers = TickDrivers(legitimacy=world.legitimacy.value,
                          resist_agitation=p.persuasion.resist_agitation,
                          gate_people=max(cp.blocking_min_people,
                                          int(math.ceil(cp.blocking_people_per_m
                                                        * sc.site.gate_width_m))))
    prev_state = CrowdState.CALM
    last_reach = 0.0
    conditioned = any(lv.when for lv in world.plan.levels)   # levels weigh conditions
    mark: dict[Cause, float] = {}
    mark_present = 0
    weather: tuple = ()
    apparent = weather_leave = cold_x = 0.0
    while True:
        t = float(env.now)
        world.rumour.step(dt)
        reach = world.rumour.reach
        if not s.dialogue_started:
            world.legitimacy.lose("waiting", lp.waiting_loss_per_min * dt)
        if reach > last_reach:
            world.legitimacy.lose("rumour", lp.rumour_loss * (reach - last_reach))
        last_reach = reach

        if weather != (s.temperature_c, s.humidity_pct, s.precipitation):
            # the weather changes a few times a drill at most: its effects are worked out then
            weather = (s.temperature_c, s.humidity_pct, s.precipitation)
            apparent = apparent_temperature_f(s.temperature_c, s.humidity_pct)
            if not sc.site.outdoor:  # a hall shelters from part of the heat
                apparent = min(apparent, cp.comfort_at_f + cp.indoor_heat_share
                               * max(0.0, apparent - cp.comfort_at_f))
            weather_leave, cold_x = _weather_leave(world)
        deterrence, moving_on, persuading, listening = _team_drivers(world)
        listened = s.dialogue_started and listening
        stress.step(dt, 1.0 if listened else (
            p.first_response.calm_relief_x if s.first_listening else 0.0))
        shared = stress.components(reach, apparent, s.water, t / 60.0)
        warm = max(0.0, apparent - cp.comfort_at_f) / 10.0

        drivers.legitimacy = world.legitimacy.value
        drivers.shared = shared
        drivers.deterrence = deterrence
        drivers.onlooker_inflow = _onlooker_inflow(world, reach)
        drivers.onlooker_dispersal = moving_on
        drivers.weather_leave_per_hour = weather_leave
        drivers.persuasion_rate = persuading
        drivers.commitment = s.commitment
        drivers.gate_held = s.gate_hold_until > t
        drivers.heat_leave_per_hour = cp.heat_leave_per_10_at * warm
        _counsel(world, dt)
        if batched is None:
            out = crowd.step(t, dt, drivers, world.rng.dynamics)
        else:
            batched.turns.append(turn := CrowdTurn(drivers, batched))
            out = yield turn
        world.mean_agitation = out.mean_agitation
        for _ in hazard.sample(crowd, out, apparent, s.water, dt, world.rng.health,
                               sc.site.outdoor, sc.site.area_m2, cold_x):
            env.process(attend(world, injury=False))

        if not listened and not drivers.gate_held and out.present and \
                stress.waiting >= 0.5 * cp.waiting_stress_max and \
                crowd.agitated_share >= cp.reblock_share and \
                world.rng.dynamics.random() < 1.0 - math.exp(-cp.reblock_per_hour / 60.0 * dt):
            # an agitated crowd nobody listens to moves to block the gate to be heard
            s.gate_hold_until = t + cp.block_hold_min
            world.cause_events.append(Cause.WAITING)
            rec.log(t, "crowd", EventKind.GATE_BLOCKED,
                    f"the crowd moves to block the gate to be heard ({crowd.agitated_share:.0%} "
                    "agitated, nobody listening)", "", out.agitated, Cause.WAITING.value)
        if drivers.gate_held and crowd.agitated_share >= cp.vocal_share and \
                world.officers_on_site() <= 0:
            # the crowd keeps the gate while many are agitated and no officers are there to open it
            s.gate_hold_until = max(s.gate_hold_until, t + 2 * dt)

        # scuffles: episodes at the line
        scuffle.end_if_over(world)
        if not world.in_scuffle() and out.state is CrowdState.BLOCKING and \
                world.rng.dynamics.random() < scuffle.contact_hazard(
                    world, max(out.active, drivers.gate_people if drivers.gate_held else 0)):
            comps = _components(world, shared)
            causes = [Cause.OPPOSING_LINE, *explain({}, comps, True, [])]
            scuffle.start(world, causes[:4], by_force=False)
        state = CrowdState.SCUFFLE if world.in_scuffle() else out.state
        crowd.state = state

        if state is not prev_state:
            rising = state > prev_state
            comps = _components(world, shared)
            events = [c for c in world.cause_events if c in (ESCALATING if rising else CALMING)]
            if not rising and mark_present and out.present < 0.8 * mark_present:
                events.append(Cause.LEAVING)
            if state is CrowdState.SCUFFLE:
                events.insert(0, Cause.OPPOSING_LINE)
            elif prev_state is CrowdState.SCUFFLE:
                events.insert(0, Cause.SCUFFLE_OVER)
            causes = explain(mark, comps, rising, events)
            names = ";".join(c.value for c in causes)
            # (acting and agitated are counted before this minute's leaving: at most all present)
            rec.log(t, "crowd", EventKind.CROWD_STATE,
                    f"crowd now {state.label} ({min(out.active, out.present)} acting, "
                    f"{min(out.agitated, out.present)} agitated of {out.present}"
                    + ("; the gate held" if drivers.gate_held else "")
                    + f"); causes: {names.replace(';', ', ')}",
                    state.label, out.active_share, names)
            world.cause_events.clear()
            mark, mark_present = comps, out.present
            prev_state = state

        # one tick of the time series, in the recorder's column order (SERIES_COLUMNS)
        officers = world.officers_on_site()
        level = s.level.id if s.level else ""
        values = (t, out.present, out.onlookers, out.arrived, out.left, out.in_care,
                  out.mean_agitation, out.active_share, world.legitimacy.value, reach,
                  world.rumour.statement_reach, world.rumour.y, officers, float(s.water),
                  float(state is CrowdState.SCUFFLE))
        rec.tick_values(values, state.label, level)
        if world.watches or world.level_watches or conditioned:
            row: dict[str, float | str] = dict(zip(rec.columns, values, strict=True))
            row["crowd_state"], row["level"] = state.label, level
            world.conditions = condition_state(world, row)
            if world.watches:
                check_watches(world, world.conditions)

        if not s.cleared and crowd.all_arrived(t) and t > 0 and \
                out.present <= cp.cleared_share * crowd.peak_present:
            s.cleared = True
            world.site_cleared.succeed()
            rec.milestone("cleared", t)
            rec.log(t, "crowd", EventKind.CLEARED,
                    f"site cleared: {out.present} petitioners remain", "", out.present)
        if s.cleared and sc.end.stop_when_cleared and s.pending_medical == 0 \
                and not world.in_scuffle() and not s.person_at_risk:
            world.done.succeed()
            return
        yield env.timeout(dt)
