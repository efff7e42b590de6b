"""The shared world of one run: what every agent reads and writes.

Agents get a :class:`World` and act on it through SimPy processes; the engine builds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import simpy

from agents.crowd import Crowd
from agents.rumour import Rumour
from sim.comms import Comms
from sim.config import Level, Plan, Scenario, Team
from sim.parameters import Parameters
from sim.recorder import Recorder
from sim.rng import Streams, uniform
from sim.types import Capability, Equipment, Posture, TeamStatus


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
    """

    id: str
    cfg: Team
    familiarity: float
    dispatched: simpy.Event
    arrived: simpy.Event
    status: TeamStatus = TeamStatus.STANDBY
    ordered: bool = False
    t_dispatched: float | None = None
    t_on_site: float | None = None
    stock: dict[Equipment, int] = field(default_factory=dict)
    broken: dict[Equipment, int] = field(default_factory=dict)

    @property
    def on_site(self) -> bool:
        return self.status is TeamStatus.ON_SITE

    def working(self, item: Equipment) -> int:
        """Items of this kind in working order."""
        return self.stock.get(item, 0) - self.broken.get(item, 0)

    def field_share(self) -> float:
        """Staff split evenly across the team's field capabilities."""
        n = sum(1 for c in self.cfg.capabilities if c not in (Capability.COMMAND, Capability.INTEL))
        return 1.0 / max(1, n)

    def staff_for(self, cap: Capability) -> float:
        """Staff working on ``cap`` (people)."""
        return self.cfg.size * (self.field_share() if cap in self.cfg.capabilities else 0.0)


@dataclass
class SiteState:
    """What the responders have done to the site, read by the crowd tick."""

    legitimacy: float
    temperature_c: float
    humidity_pct: float
    level: Level | None = None
    level_index: int = -1
    officers: float = 0.0
    deterrence_x: float = 1.0
    cordon: bool = False
    dispersal_rate: float = 0.0
    water: bool = False
    room: bool = False
    dialogue_started: bool = False
    commitment: bool = False
    persuasion_rate: float = 0.0
    gate_hold_until: float = -math.inf
    demand_top_leader: bool = False
    top_leader_on_site: bool = False
    leader_on_site: bool = False
    statement_out: bool = False
    activated_at: float | None = None
    cleared: bool = False
    pending_medical: int = 0
    medical_responses: list[float] = field(default_factory=list)


class World:
    """Everything one run shares: the clock, the inputs, the crowd, the teams, the record."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, plan: Plan,
                 params: Parameters, streams: Streams, recorder: Recorder, crowd: Crowd,
                 rumour: Rumour):
        self.env = env
        self.scenario = scenario
        self.plan = plan
        self.params = params
        self.rng = streams
        self.rec = recorder
        self.crowd = crowd
        self.rumour = rumour
        self.state = SiteState(
            legitimacy=scenario.crowd.legitimacy,
            temperature_c=scenario.weather.temperature_c,
            humidity_pct=scenario.weather.humidity_pct,
            demand_top_leader=scenario.crowd.demand_top_leader,
        )
        self.teams: dict[str, TeamState] = {}
        for tid, team in plan.teams.items():
            self.teams[tid] = TeamState(
                id=tid, cfg=team,
                familiarity=scenario.familiarity.get(tid, team.familiarity),
                dispatched=env.event(), arrived=env.event(),
                stock={k: int(v) for k, v in team.equipment.items()},
            )
        self.comms = Comms(env, params.comms, params.familiarity, streams.comms, recorder,
                           list(self.teams))
        self.done = env.event()
        self.watches: list = []          # (Watch, Inject) pairs not yet fired
        self.contingencies: dict[str, list] = {}
        self.fired: dict[str, tuple[float, str]] = {}   # inject id -> (time, trigger)
        self.skipped: set[str] = set()
        self.decision_requests: list[tuple[float, str, str]] = []
        self.on_decision = None          # set by a facilitated run
        self.posture_override: dict[str, Posture] = {}
        self.recalled: set[str] = set()
        self.added_injects: list = []
        self.decision_log: list[dict] = []   # choices made at decision points, for the report

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

    def log(self, actor: str, kind: str, detail: str, subject: str = "",
            value: float = math.nan) -> None:
        self.rec.log(self.now, actor, kind, detail, subject, value)

    def slowdown(self, team: TeamState) -> float:
        """Task-time multiplier for a team's familiarity with the plan."""
        return 1.0 + self.params.familiarity.slowdown * (1.0 - team.familiarity)

    def slip_late(self, team: TeamState, task: str) -> float:
        """Minutes a task starts late because staff are unsure of the plan (0 if no slip)."""
        f = self.params.familiarity
        if self.rng.teams.random() < f.late_prob * (1.0 - team.familiarity):
            extra = uniform(self.rng.teams, f.late_extra_min)
            self.log(team.id, "slip_late", f"{team.id} started '{task}' {extra:.0f} min late",
                     task, extra)
            return extra
        return 0.0

    def slip_incomplete(self, team: TeamState, task: str) -> float:
        """Minutes lost redoing an incomplete report (0 if complete)."""
        f = self.params.familiarity
        if self.rng.teams.random() < f.incomplete_prob * (1.0 - team.familiarity):
            extra = uniform(self.rng.teams, f.redo_min)
            self.log(team.id, "slip_incomplete",
                     f"{team.id}'s '{task}' lacked required contents; {extra:.0f} min to redo",
                     task, extra)
            return extra
        return 0.0

    def teams_with(self, cap: Capability) -> list[TeamState]:
        return [t for t in self.teams.values() if cap in t.cfg.capabilities]

    def task(self, team: TeamState, name: str, minutes: float):
        """A timed task of a team, logged as start and end (for the Gantt chart)."""
        self.log(team.id, "task_start", f"{team.id} starts {name}", name)
        yield self.env.timeout(minutes)
        self.log(team.id, "task_end", f"{team.id} finishes {name}", name, minutes)
