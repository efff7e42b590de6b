"""The simulation's core vocabulary: states and kinds as Enums, records as namedtuples.

Agents, the engine, the recorder and the reports all speak these words.
"""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import NamedTuple


class Capability(str, Enum):
    """What a team can do (DESIGN.md section 3)."""

    COMMAND = "command"
    ORDER = "order"
    DIALOGUE = "dialogue"
    PERSUASION = "persuasion"
    LOGISTICS = "logistics"
    MEDICAL = "medical"
    PUBLICITY = "publicity"
    INTEL = "intel"


class Posture(str, Enum):
    """The order team's force posture (ESIM: restrained = differentiated, forceful = indiscriminate)."""

    RESTRAINED = "restrained"
    FORCEFUL = "forceful"


class ReleasePolicy(str, Enum):
    """When the plan lets official information out."""

    PROACTIVE = "proactive"
    REACTIVE = "reactive"
    SILENT = "silent"


class Equipment(str, Enum):
    """Items of a team's kit. Counts are units, except water and food (person-portions)."""

    LOUDSPEAKER = "loudspeaker"
    RADIO = "radio"
    VEHICLE = "vehicle"
    WATER = "water"
    FOOD = "food"
    AMBULANCE = "ambulance"
    BARRIER = "barrier"


class CrowdState(IntEnum):
    """Visible state of the crowd, ordered by severity."""

    CALM = 0
    VOCAL = 1
    BLOCKING = 2
    SCUFFLE = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class PersonStatus(IntEnum):
    """Where a simulated person is. People are conserved: every arrived person is in one state."""

    NOT_ARRIVED = 0
    PRESENT = 1
    LEFT = 2
    IN_CARE = 3


class TeamStatus(str, Enum):
    """A team's progress through the incident."""

    STANDBY = "standby"
    MOBILISING = "mobilising"
    TRAVELLING = "travelling"
    ON_SITE = "on_site"


class InjectKind(str, Enum):
    """What a scripted inject does to the drill."""

    ARRIVALS = "arrivals"               # more petitioners arrive
    BLOCK_GATE = "block_gate"           # the core moves to block the gate
    AGITATION = "agitation"             # a provocation or incident raises agitation
    HEALTH_INCIDENT = "health_incident"  # someone faints or falls ill
    EQUIPMENT_FAILURE = "equipment_failure"
    RUMOUR = "rumour"                   # a video or post goes online
    COMMS_OUTAGE = "comms_outage"       # channels between teams fail for a while
    DEMAND_LEADER = "demand_leader"     # the crowd insists on seeing the top leader
    WEATHER = "weather"                 # temperature changes
    MESSAGE = "message"                 # a message for a team, logged for the exercise


class Action(str, Enum):
    """Event kinds an inject may expect as its response (matched against the event log)."""

    FIRST_REPORT = "first_report"
    LEVEL_DECLARED = "level_declared"
    LEVEL_RAISED = "level_raised"
    PLAN_ACTIVATED = "plan_activated"
    DISPATCHED = "dispatched"
    TEAM_ON_SITE = "team_on_site"
    CORDON_SET = "cordon_set"
    TARGETED_INTERVENTION = "targeted_intervention"
    FORCE_USED = "force_used"
    DIALOGUE_STARTED = "dialogue_started"
    REPRESENTATIVES_CHOSEN = "representatives_chosen"
    AGREEMENT = "agreement"
    WATER_PROVIDED = "water_provided"
    EQUIPMENT_REPLACED = "equipment_replaced"
    MEDICAL_ATTENDED = "medical_attended"
    STATEMENT_ISSUED = "statement_issued"
    REPORT_SENT = "report_sent"
    REINFORCEMENT_REQUESTED = "reinforcement_requested"
    LEADER_ON_SITE = "leader_on_site"
    TOP_LEADER_ON_SITE = "top_leader_on_site"
    CLEARED = "cleared"


class Event(NamedTuple):
    """One row of the event log.

    Attributes:
        t_min: simulated minutes from the first sighting (T0).
        actor: who acted (a team id, ``crowd``, ``online``, ``exercise``).
        kind: what happened (a short snake_case word, see ``sim.recorder.KINDS``).
        detail: one English sentence for a reader of the raw log.
        subject: what it was about (team id, item, message id, level id), or ``""``.
        value: a number that goes with it (minutes, people, share), or ``nan``.
    """

    t_min: float
    actor: str
    kind: str
    detail: str
    subject: str = ""
    value: float = float("nan")


class Message(NamedTuple):
    """One message over a channel, as recorded once it is settled.

    Times are simulated minutes; ``t_delivered`` is ``nan`` for a lost message.
    """

    msg_id: int
    sender: str
    recipient: str
    topic: str
    t_sent: float
    t_delivered: float
    deadline_min: float
    late: bool
    lost: bool
    misdirected: bool
