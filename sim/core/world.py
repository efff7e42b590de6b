"""The shared world of one run: what every agent reads and writes.

Agents get a :class:`World` and act on it through SimPy processes; the engine builds it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import simpy

if TYPE_CHECKING:  # the population models live with the agents; the engine hands them in
    from agents.causes import SharedStress
    from agents.crowd import Crowd
    from agents.rumour import Rumour

from sim.core.comms import Comms
from sim.core.config import Level, Plan, Scenario, Team
from sim.core.legitimacy import Legitimacy
from sim.core.parameters import Parameters
from sim.core.recorder import Recorder
from sim.core.rng import Streams, uniform
from sim.core.types import (
    Capability,
    Cause,
    Equipment,
    EventKind,
    Posture,
    Precipitation,
    RiskOutcome,
    Task,
    TeamStatus,
)


class Roster:
    """Counts the changes to who is on site and in what strength (team status, reinforcements,
    postures): what the tick asks of the teams each minute is worked out again only after one."""

    __slots__ = ("version",)

    def __init__(self) -> None:
        self.version = 0


_ROSTER_FIELDS = frozenset({"status", "reinforced"})


@dataclass
class TeamState:
    """A team during the run.

    Attributes:
        id: the plan's team id.
        cfg: the plan's definition.
        familiarity: staff familiarity with the plan, 0-1 (scenario may override the plan).
        stock: items carried, by kind (water and food in person-portions).
        broken: items out of order, by kind.
        dispatched: fires when the order to go reaches the team.
        arrived: fires when the team is on site.
        left: fires when the team is taken off the site (recalled).
        reinforced: officers of a reinforcement who have joined the team (people).
        crews: the team's medical crews (one per ambulance), for a medical unit.
    """

    id: str
    cfg: Team
    familiarity: float
    dispatched: simpy.Event
    arrived: simpy.Event
    left: simpy.Event
    status: TeamStatus = TeamStatus.STANDBY
    ordered: bool = False
    t_dispatched: float | None = None
    t_on_site: float | None = None
    stock: dict[Equipment, int] = field(default_factory=dict)
    broken: dict[Equipment, int] = field(default_factory=dict)
    reinforced: int = 0
    reinforcement_requested: bool = False
    crews: simpy.Resource | None = None
    staff: dict[Capability, float] = field(default_factory=dict)
    head_start: float = 0.0   # minutes of mobilisation and travel done before T0 (a warning)
    on_site: bool = field(default=False, init=False, repr=False, compare=False)
    """``status`` is ON_SITE: kept with it (read every tick, set a few times a run)."""
    roster: Roster | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the plan is frozen, so the split of its people is worked out once (the tick reads it)
        self.staff = {c: self.cfg.staff_for(c) for c in self.cfg.capabilities}
        self.on_site = self.status is TeamStatus.ON_SITE

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        if name in _ROSTER_FIELDS:
            if name == "status":
                object.__setattr__(self, "on_site", value is TeamStatus.ON_SITE)
            roster = self.__dict__.get("roster")
            if roster is not None:
                roster.version += 1

    def kit_changed(self) -> None:
        """An item failed, was replaced or was handed over: figures read every tick that
        count working items are worked out again."""
        if self.roster is not None:
            self.roster.version += 1

    def working(self, item: Equipment) -> int:
        """Items of this kind in working order."""
        return self.stock.get(item, 0) - self.broken.get(item, 0)

    def staff_for(self, cap: Capability) -> float:
        """Staff working on ``cap`` (people; see :meth:`sim.core.config.Team.staff_for`)."""
        return self.staff.get(cap, 0.0)


@dataclass
class SiteState:
    """What the responders have done to the site, read by the crowd tick.

    Discrete conditions that processes wait on are SimPy events on :class:`World`
    (``leader_here``, ``top_leader_here``, ``agreed``); these flags mirror them for the tick.
    """

    temperature_c: float
    humidity_pct: float
    level: Level | None = None
    level_index: int = -1
    level_provisional: bool = False
    cordon: bool = False
    water: bool = False
    room: bool = False
    dialogue_started: bool = False
    commitment: bool = False
    promise_broken: bool = False
    gate_hold_until: float = -math.inf
    demand_top_leader: bool = False
    top_leader_on_site: bool = False
    leader_on_site: bool = False
    statement_out: bool = False
    activated_at: float | None = None
    cleared: bool = False
    pending_medical: int = 0
    medical_responses: list[float] = field(default_factory=list)
    scuffle_until: float = -math.inf
    scuffle_started: float = -math.inf
    last_scuffle_end: float = -math.inf
    last_force: float = -math.inf
    removals: int = 0
    representatives_chosen: bool = False
    leaders_called: bool = False
    reports_started: set[str] = field(default_factory=set)
    medical_cases: int = 0
    health_incidents: int = 0   # collapses and injuries so far (people)
    precipitation: Precipitation = Precipitation.NONE
    warning: bool = False          # a warning sign has reached command
    expected_crowd: float = 0.0    # the crowd intelligence expects (people)
    person_at_risk: bool = False   # someone threatens self-harm at height now
    risk_started: float | None = None
    risk_outcome: RiskOutcome | None = None
    # first response (先期处置) in force
    first_cordon: bool = False
    first_traffic: bool = False
    first_dispersing: float = 0.0  # staff of the first team moving onlookers on (people)
    first_listening: bool = False
    counselled: int = 0            # petitioners a counsellor has talked with (people)


_Figure = TypeVar("_Figure")


class World:
    """Everything one run shares: the clock, the inputs, the crowd, the teams, the record."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, plan: Plan,
                 params: Parameters, streams: Streams, recorder: Recorder, crowd: Crowd,
                 rumour: Rumour, stress: SharedStress):
        self.env = env
        self.scenario = scenario
        self.plan = plan
        self.params = params
        self.rng = streams
        self.rec = recorder
        self.crowd = crowd
        self.rumour = rumour
        self.state = SiteState(
            temperature_c=scenario.weather.temperature_c,
            humidity_pct=scenario.weather.humidity_pct,
            demand_top_leader=scenario.crowd.demand_top_leader,
            precipitation=scenario.weather.precipitation,
        )
        hours, minutes = scenario.start_clock.split(":")
        self.start_hour = int(hours) + int(minutes) / 60.0
        self.roles_here: set[str] = set()    # roles of the plan on site (commanders)
        self.roles_called: set[str] = set()
        self.legitimacy = Legitimacy(scenario.crowd.legitimacy, params.legitimacy.floor,
                                     params.legitimacy.ceiling)
        self.leader_here = env.event()
        self.top_leader_here = env.event()
        self.agreed = env.event()
        self.demand_event = env.event()   # the crowd demands the top leader
        self.stress = stress
        self.teams: dict[str, TeamState] = {}
        self.roster = Roster()
        self._memo: dict[object, Any] = {}   # what the tick asks of the teams, this roster
        self._memo_version = -1
        for tid, team in plan.teams.items():
            state = TeamState(
                id=tid, cfg=team,
                familiarity=scenario.familiarity.get(tid, team.familiarity),
                dispatched=env.event(), arrived=env.event(), left=env.event(),
                stock={k: int(v) for k, v in team.equipment.items()}, roster=self.roster,
            )
            if Capability.MEDICAL in team.capabilities:
                state.crews = simpy.Resource(
                    env, capacity=max(1, state.stock.get(Equipment.AMBULANCE, 0)))
            self.teams[tid] = state
        self._with_cap = {cap: [t for t in self.teams.values() if cap in t.cfg.capabilities]
                          for cap in Capability}
        self.comms = Comms(env, params.comms, params.familiarity, streams.comms, recorder,
                           list(self.teams),
                           lambda tid: self.teams[tid].working(Equipment.RADIO) > 0)
        self.done = env.event()
        self.site_cleared = env.event()  # fires when the site is cleared (SiteState.cleared)
        self.watches: list = []          # (Watch, Inject) pairs not yet fired
        self.contingencies: dict[str, list] = {}
        self.fired: dict[str, tuple[float, str]] = {}   # inject id -> (time, trigger)
        self.skipped: set[str] = set()
        self.decision_requests: list[tuple[float, str, str]] = []
        self.on_decision: Callable[[str, str], None] | None = None  # set by a facilitated run
        self.posture_override: dict[str, Posture] = {}
        self.recalled: set[str] = set()
        self.added_injects: list = []
        self.decision_log: list[dict] = []   # choices made at decision points, for the report
        self.unapplied: list[dict] = []      # recorded choices a replay could not apply
        self.cause_events: list[Cause] = []  # what happened since the crowd's last change of state
        self.situation_index = -1           # the level the last reassessment found, when lower
        self.mean_agitation = 0.0            # of the petitioners present at the last tick
        self.conditions: dict = {}           # state variables of trigger conditions, last tick
        self.headcount_estimate = 0.0        # command's latest headcount estimate (people)
        self.aware = False                   # command knows of the incident (report, warning)
        self.level_held: dict[str, bool] = {}  # level id -> its `when` condition holds now
        self.level_watches: dict = {}          # level id -> the Watch of its `when` condition

    # ------------------------------------------------------------------ derived state

    def _roster_memo(self) -> dict[object, Any]:
        """Figures about the teams kept until the roster next changes."""
        if self._memo_version != self.roster.version:
            self._memo.clear()
            self._memo_version = self.roster.version
        return self._memo

    def roster_figure(self, key: object, compute: Callable[[], _Figure]) -> _Figure:
        """A figure about the teams (``compute()``), kept under ``key`` until the roster or a
        team's kit next changes."""
        memo = self._roster_memo()
        value = memo.get(key)
        if value is None:
            value = memo[key] = compute()
        return value

    def officers_on_site(self) -> float:
        """Order officers on site now, reinforcements included (people)."""
        memo = self._roster_memo()
        officers = memo.get("officers")
        if officers is None:
            officers = memo["officers"] = sum(
                t.staff_for(Capability.ORDER) + t.reinforced
                for t in self._with_cap[Capability.ORDER] if t.on_site)
        return officers

    def staff_on_site(self, cap: Capability) -> float:
        """Staff on site working on ``cap`` now (people)."""
        memo = self._roster_memo()
        staff = memo.get(cap)
        if staff is None:
            staff = memo[cap] = sum(t.staff_for(cap) for t in self._with_cap[cap] if t.on_site)
        return staff

    def any_on_site(self, cap: Capability) -> bool:
        """A team with ``cap`` is on site now."""
        memo = self._roster_memo()
        key = ("any", cap)
        here = memo.get(key)
        if here is None:
            here = memo[key] = any(t.on_site for t in self._with_cap[cap])
        return bool(here)

    def set_posture(self, team_id: str, posture: Posture) -> None:
        """Trainees change an order team's posture."""
        self.posture_override[team_id] = posture
        self.roster.version += 1

    def opposing_line(self) -> float:
        """People who stand against the crowd: officers on site and the site's security."""
        return self.officers_on_site() + self.scenario.site.security

    def deterrence(self) -> float:
        """Officers as the crowd weighs them in the chance of arrest (C in Epstein's P)."""
        memo = self._roster_memo()
        c = memo.get("deterrence")
        if c is None:
            c = memo["deterrence"] = self._deterrence()
        return c

    def _deterrence(self) -> float:
        p = self.params.order
        c = self.scenario.site.security * p.security_deterrence_x
        for t in self._with_cap[Capability.ORDER]:
            if t.on_site:
                x = p.forceful_deterrence_x if self.posture(t.id) is Posture.FORCEFUL else 1.0
                c += (t.staff_for(Capability.ORDER) + t.reinforced) * x
        return c

    def forceful_line(self) -> bool:
        """An order team with a forceful posture is on site."""
        return any(t.on_site and self.posture(t.id) is Posture.FORCEFUL
                   for t in self.teams.values() if Capability.ORDER in t.cfg.capabilities)

    def clock_hour(self, t: float | None = None) -> float:
        """Hour of the day (0-24) at minute ``t`` (default now), from the scenario's start_clock."""
        t = self.now if t is None else t
        return (self.start_hour + t / 60.0) % 24.0

    def dark(self, t: float | None = None) -> bool:
        """It is dark at the site at minute ``t`` (default now)."""
        h, n = self.clock_hour(t), self.params.night
        return h >= n.dusk_hour or h < n.dawn_hour

    def authority_here(self) -> float:
        """The hardest demand (0-1) that someone on site can commit to: the responsible
        unit's leader, a role of the plan (a level's commander) or the top leader."""
        best = 0.0
        if self.state.leader_on_site:
            best = self.plan.responsible_unit.authority
        for role in self.roles_here:
            best = max(best, self.plan.roles[role].authority)
        if self.state.top_leader_on_site:
            best = 1.0
        return best

    def in_scuffle(self) -> bool:
        return self.state.scuffle_until > self.env.now

    def posture(self, team_id: str) -> Posture | None:
        """An order team's posture now (the plan's, unless trainees changed it)."""
        return self.posture_override.get(team_id, self.teams[team_id].cfg.posture)

    def request_decision(self, kind: str, ref: str) -> None:
        """A decision point: trainees may decide here (used by facilitated runs)."""
        self.decision_requests.append((self.now, kind, ref))
        if self.on_decision is not None:
            self.on_decision(kind, ref)

    # ------------------------------------------------------------------ helpers for agents

    @property
    def now(self) -> float:
        return float(self.env.now)

    def log(self, actor: str, kind: EventKind, detail: str, subject: str = "",
            value: float = math.nan, causes: str = "") -> None:
        self.rec.log(self.now, actor, kind, detail, subject, value, causes)

    def slowdown(self, team: TeamState) -> float:
        """Task-time multiplier for a team's familiarity with the plan."""
        return 1.0 + self.params.familiarity.slowdown * (1.0 - team.familiarity)

    def night_x(self) -> float:
        """Multiplier of call-out and travel times now (slower in the dark)."""
        return self.params.night.team_delay_x if self.dark() else 1.0

    def slip_late(self, team: TeamState, task: Task, ref: str = "",
                  t: float | None = None) -> float:
        """Minutes a task starts late because staff are unsure of the plan (0 if no slip);
        ``t``: when the task was due to start (default now; before T0 for a team sent on a
        warning)."""
        f = self.params.familiarity
        if self.rng.teams.random() < f.late_prob * (1.0 - team.familiarity):
            extra = uniform(self.rng.teams, f.late_extra_min)
            what = task.about(ref)
            self.rec.log(self.now if t is None else t, team.id, EventKind.SLIP_LATE,
                         f"{team.id} started '{what}' {extra:.0f} min late", what, extra)
            return extra
        return 0.0

    def slip_incomplete(self, team: TeamState, task: Task, ref: str = "") -> float:
        """Minutes lost redoing an incomplete report (0 if complete)."""
        f = self.params.familiarity
        if self.rng.teams.random() < f.incomplete_prob * (1.0 - team.familiarity):
            extra = uniform(self.rng.teams, f.redo_min)
            what = task.about(ref)
            self.log(team.id, EventKind.SLIP_INCOMPLETE,
                     f"{team.id}'s '{what}' lacked required contents; {extra:.0f} min to redo",
                     what, extra)
            return extra
        return 0.0

    def teams_with(self, cap: Capability) -> list[TeamState]:
        """The teams with capability ``cap``, in plan order (a shared list: do not change it)."""
        return self._with_cap[cap]

    def task(self, team: TeamState, task: Task, minutes: float):
        """A timed task of a team, logged as start and end (for the Gantt chart)."""
        self.log(team.id, EventKind.TASK_START, f"{team.id} starts {task.value}", task.value)
        yield self.env.timeout(minutes)
        self.log(team.id, EventKind.TASK_END, f"{team.id} finishes {task.value}", task.value,
                 minutes)
