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
    MONITORING = "monitoring"        # online public-opinion monitoring (舆情监测), before T0 too
    PSYCH_SUPPORT = "psych_support"  # psychological support (心理疏导)
    RESCUE = "rescue"                # the fire brigade's rescue (119): air cushion, reaching a person
    EVACUATION = "evacuation"        # moving the uninvolved public away (疏散无关群众)


class FirstStep(str, Enum):
    """A step of the plan's first response (先期处置), taken by the first team on the spot
    right after its first report, before the level's teams arrive."""

    CORDON = "cordon"                      # a provisional cordon by the site's own staff
    TRAFFIC_CONTROL = "traffic_control"    # the road in front closed to through traffic
    DISPERSE_ONLOOKERS = "disperse_onlookers"
    CALM_CROWD = "calm_crowd"              # staff listen and explain: nobody waits unheard
    CALL_AMBULANCE = "call_ambulance"      # the medical teams called at once (120)
    WATER_FOOD = "water_food"              # drinking water from the unit's own stock
    EVACUATE_UNINVOLVED = "evacuate_uninvolved"
    CALL_110 = "call_110"                  # the police called at once, whatever the level
    REPORT_UPWARD = "report_upward"        # the first upward report sent at once


class Precipitation(str, Enum):
    """Rain at the site."""

    NONE = "none"
    RAIN = "rain"
    HEAVY_RAIN = "heavy_rain"


class Signal(str, Enum):
    """A warning sign before T0."""

    ONLINE_CALL = "online_call"    # a call to gather posted online: monitoring can spot it
    TIP_OFF = "tip_off"            # a tip-off reaches command directly


class RiskOutcome(str, Enum):
    """How a person threatening self-harm at height ends."""

    TALKED_DOWN = "talked_down"    # came down after talking
    RESCUED = "rescued"            # brought down by the rescuers
    CAUGHT = "caught"              # fell onto the rescuers' air cushion
    FELL = "fell"                  # fell with nothing to catch them
    AT_RISK = "at_risk"            # still up there when the drill ended


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
        return _CROWD_LABELS[self]


_CROWD_LABELS = {s: s.name.lower() for s in CrowdState}


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
    BROKEN_PROMISE = "broken_promise"   # a promise made to the crowd is seen to be broken
    PERSON_AT_RISK = "person_at_risk"   # someone climbs a crane or a roof and threatens to jump


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
    FOOD_PROVIDED = "food_provided"
    EQUIPMENT_REPLACED = "equipment_replaced"
    MEDICAL_ATTENDED = "medical_attended"
    STATEMENT_ISSUED = "statement_issued"
    REPORT_SENT = "report_sent"
    REINFORCEMENT_REQUESTED = "reinforcement_requested"
    LEADER_ON_SITE = "leader_on_site"
    TOP_LEADER_ON_SITE = "top_leader_on_site"
    COMMANDER_ON_SITE = "commander_on_site"
    CLEARED = "cleared"
    PSYCH_SUPPORT = "psych_support"
    EVACUATED = "evacuated"
    WARNING_DETECTED = "warning_detected"
    FIRST_RESPONSE = "first_response"
    RESCUE_DEPLOYED = "rescue_deployed"
    TALK_DOWN_STARTED = "talk_down_started"
    PERSON_SAFE = "person_safe"


class EventKind(str, Enum):
    """Every kind of event the simulation logs (the ``kind`` column of ``events.csv``).

    Agents log through :meth:`sim.core.world.World.log`, which takes only these members, so a
    renamed or misspelt kind fails at import or in the tests, never silently in a report.
    """

    # command and the reporting chain
    FIRST_REPORT = "first_report"
    VERIFIED = "verified"
    BELOW_THRESHOLD = "below_threshold"
    LEVEL_DECLARED = "level_declared"
    LEVEL_RAISED = "level_raised"
    LEVEL_CONFIRMED = "level_confirmed"
    LEVEL_LOWERED = "level_lowered"
    COMMANDER_CALLED = "commander_called"
    COMMANDER_ON_SITE = "commander_on_site"
    AWAITING_AUTHORITY = "awaiting_authority"
    FIRST_RESPONSE = "first_response"
    PLAN_ACTIVATED = "plan_activated"
    DISPATCH_ORDER = "dispatch_order"
    DISPATCHED = "dispatched"
    REPORT_SENT = "report_sent"
    REINFORCEMENT_REQUESTED = "reinforcement_requested"
    REINFORCEMENT_ARRIVED = "reinforcement_arrived"
    # before T0: warning signs and what the plan does on them
    WARNING_SIGNAL = "warning_signal"
    WARNING_DETECTED = "warning_detected"
    # teams
    PREPOSITIONED = "prepositioned"
    TEAM_ON_SITE = "team_on_site"
    RECALLED = "recalled"
    TASK_START = "task_start"
    TASK_END = "task_end"
    SLIP_LATE = "slip_late"
    SLIP_INCOMPLETE = "slip_incomplete"
    # messages
    MESSAGE_MISDIRECTED = "message_misdirected"
    MESSAGE_LOST = "message_lost"
    MESSAGE_LATE = "message_late"
    MESSAGE_RECEIVED = "message_received"
    # order
    CORDON_SET = "cordon_set"
    TARGETED_INTERVENTION = "targeted_intervention"
    FORCE_USED = "force_used"
    # dialogue and talks
    DIALOGUE_STARTED = "dialogue_started"
    REPRESENTATIVES_CHOSEN = "representatives_chosen"
    LEADER_ON_SITE = "leader_on_site"
    TOP_LEADER_ON_SITE = "top_leader_on_site"
    TALKS_WAITING = "talks_waiting"
    TALKS_RESUMED = "talks_resumed"
    TALKS_STALLED = "talks_stalled"
    TALKS_FAILED = "talks_failed"
    AGREEMENT = "agreement"
    PROMISE_BROKEN = "promise_broken"
    # logistics and equipment
    WATER_PROVIDED = "water_provided"
    FOOD_PROVIDED = "food_provided"
    SUPPLY_EXHAUSTED = "supply_exhausted"
    ROOM_READY = "room_ready"
    EQUIPMENT_FAILED = "equipment_failed"
    EQUIPMENT_SHORTAGE = "equipment_shortage"
    NO_SPARE = "no_spare"   # an item failed and no team of the plan can bring a spare
    EQUIPMENT_REPLACED = "equipment_replaced"
    # medical
    HEALTH_INCIDENT = "health_incident"
    INJURY = "injury"
    MEDICAL_ATTENDED = "medical_attended"
    MEDICAL_UNAVAILABLE = "medical_unavailable"
    TRANSPORTED = "transported"
    # the crowd
    CROWD_STATE = "crowd_state"
    SCUFFLE_STARTED = "scuffle_started"
    SCUFFLE_ENDED = "scuffle_ended"
    ARRIVALS = "arrivals"
    GATE_BLOCKED = "gate_blocked"
    AGITATION = "agitation"
    DEMAND_LEADER = "demand_leader"
    CLEARED = "cleared"
    EVACUATED = "evacuated"
    PSYCH_SUPPORT = "psych_support"
    # a person threatening self-harm at height
    PERSON_AT_RISK = "person_at_risk"
    RESCUE_DEPLOYED = "rescue_deployed"
    TALK_DOWN_STARTED = "talk_down_started"
    PERSON_SAFE = "person_safe"
    PERSON_FELL = "person_fell"
    # public opinion
    RUMOUR_POSTED = "rumour_posted"
    RUMOUR_DETECTED = "rumour_detected"
    STATEMENT_ISSUED = "statement_issued"
    POLICY_SILENT = "policy_silent"
    # the exercise
    INJECT = "inject"
    INJECT_SKIPPED = "inject_skipped"      # the facilitator skipped it
    INJECT_NO_TEAM = "inject_no_team"      # addressed to a capability no team of the plan has
    INJECT_NO_ITEM = "inject_no_item"      # an equipment failure for a team with no such item working
    INJECT_FEWER = "inject_fewer"          # fewer people than the inject asked for were there
    EXPECTED_MISSED = "expected_missed"
    DECISION = "decision"
    COMMS_OUTAGE = "comms_outage"
    WEATHER = "weather"


class Task(str, Enum):
    """Timed tasks of a team (the ``subject`` of task and slip events, the Gantt chart's bars)."""

    FIRST_REPORT = "first report"
    ACTIVATION = "plan activation"
    MOBILISATION = "mobilisation"
    MOBILISING = "mobilising"
    TRAVELLING = "travelling"
    CORDON = "cordon and traffic control"
    EXPLAINING = "explaining"
    TALKS = "talks"
    PERSUADING = "persuading"
    STATEMENT = "statement"
    DRAFTING = "drafting statement"
    ROOM = "opening the reception room"
    REPORT = "report"

    def about(self, ref: str = "") -> str:
        """The subject text for this task, e.g. ``report to city`` for an upward report."""
        return f"{self.value} to {ref}" if self is Task.REPORT and ref else self.value


class Cause(str, Enum):
    """What drives a change of the crowd's state (named in every ``crowd_state`` event)."""

    GRIEVANCE = "grievance"          # hardship felt against low legitimacy
    WAITING = "waiting"              # waiting with nobody listening
    PROVOCATION = "provocation"      # a provocation or visible act among the crowd
    FORCE = "force"                  # indiscriminate force
    RUMOUR = "rumour"                # the rumour online
    HEAT = "heat"                    # heat
    THIRST = "thirst"                # no water on a hot day
    BROKEN_PROMISE = "broken_promise"
    FAILED_TALKS = "failed_talks"
    OPPOSING_LINE = "opposing_line"  # an opposing line to push against
    SCUFFLE_OVER = "scuffle_over"    # the push at the line has subsided
    LISTENED = "listened"            # someone is listening and explaining
    WATER = "water"
    AGREEMENT = "agreement"
    REMOVALS = "removals"            # instigators led aside
    LEAVING = "leaving"              # people going home
    CALMING = "calming"              # agitation subsiding as provocations fade
    LEGITIMACY = "legitimacy"        # the authorities regaining trust


class Event(NamedTuple):
    """One row of the event log.

    Attributes:
        t_min: simulated minutes from the first sighting (T0).
        actor: who acted (a team id, ``crowd``, ``online``, ``exercise``).
        kind: what happened (an :class:`EventKind` value).
        detail: one English sentence for a reader of the raw log.
        subject: what it was about (team id, item, message id, level id), or ``""``.
        value: a number that goes with it (minutes, people, share), or ``nan``.
        causes: for crowd-state changes and scuffles, the :class:`Cause` values that drove
            it, ``;``-separated, strongest first; ``""`` otherwise.
    """

    t_min: float
    actor: str
    kind: str
    detail: str
    subject: str = ""
    value: float = float("nan")
    causes: str = ""


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
