"""Plans and scenarios as validated data (pydantic v2).

A plan says who commands, which teams exist, how fast they must act and what the
publicity policy is; a scenario says what happens: the site, the weather, the crowd and
the injects. Unknown keys are errors everywhere. Times are minutes, sizes are people.

Plans and scenarios are shared between offices and are not trusted, so every number with a
physical meaning has bounds (no infinity, no NaN anywhere), every list and every text has a
length limit, and texts hold no control character and no unpaired surrogate (a tab, a line
break and a carriage return are allowed in prose). The limits (the ``MAX_`` constants below)
are wide beside any real incident and keep any valid file within the speed budgets and a few
hundred megabytes: the largest crowd a file may describe, for the longest drill, runs in
seconds (docs/interface.md, "Limits").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sim.core.triggers import ConditionError
from sim.core.triggers import parse as parse_condition
from sim.core.types import (
    Action,
    Capability,
    Equipment,
    FirstStep,
    InjectKind,
    Posture,
    Precipitation,
    ReleasePolicy,
    Signal,
)


def at_item(where: tuple[int | str, ...], message: str) -> PydanticCustomError:
    """A list field's validation error told at one of its items: ``where`` is the path below
    the field (the item's index, then its field), which the loader adds to the field's path
    so that the problem names that item's line (:func:`sim.core.loading.problems_from`)."""
    return PydanticCustomError("item_problem", "{detail}", {"detail": message,
                                                            "at": list(where)})


# --------------------------------------------------------------------------- limits

MAX_MINUTES = 10_000.0
"""Longest duration or time of day in minutes anywhere in a plan or scenario (a week)."""
MAX_DRILL_MIN = 1440.0
"""Longest drill (``end.max_min``): a day and a night."""
MAX_PETITIONERS = 5_000
"""Most petitioners: the mobilised crowd and the late arrivals of every ``arrivals`` inject
together (the README's speed budget is measured at this size)."""
MAX_ONLOOKERS = 2_000
"""Most onlookers."""
MAX_OUTAGE_MIN = 480.0
"""Most minutes of ``comms_outage`` in one scenario, all injects together (every message in
flight is resent every few minutes while channels are down)."""
MAX_TEAM_SIZE = 10_000
"""Most people in a team, a reinforcement, a site's security, items of equipment."""
MAX_TEAMS = 50
MAX_LEVELS = 10
MAX_REPORTS = 20
MAX_STEPS = 20
"""Most ``first_response`` steps."""
MAX_INJECTS = 200
MAX_ID = 64
"""Longest id (team, level, inject, report) in characters."""
MAX_NAME = 100
"""Longest plan or scenario name in characters."""
MAX_LINE = 500
"""Longest one-line text (a source, a condition, a file reference) in characters."""
MAX_PROSE = 4000
"""Longest prose (a title, a message, a note) in characters."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
"""Embeddings, overrides and isolates: they reorder the text around them on screen (a name
that reads differently from what it is), so one-line texts refuse them."""


def _char(c: str) -> str:
    if "\ud800" <= c <= "\udfff":
        return f"an unpaired surrogate (U+{ord(c):04X})"
    return f"the control character U+{ord(c):04X}"


def _prose(value: str) -> str:
    """Text with no control character (tab, line break and carriage return allowed) and no
    unpaired surrogate: Word, the charts and the spreadsheet cannot take them."""
    m = _CONTROL.search(value)
    if m:
        raise ValueError(f"{_char(m.group())} at character {m.start() + 1} is not allowed "
                         "in text")
    return value


def one_line(value: str) -> str:
    """:func:`_prose` on one line: no tab or line break either."""
    _prose(value)
    m = _LINE_BREAKS.search(value)
    if m:
        raise ValueError(f"a tab or line break at character {m.start() + 1} is not allowed "
                         "here (one line of text)")
    m = _BIDI_CONTROLS.search(value)
    if m:
        raise ValueError(f"the direction control U+{ord(m.group()):04X} at character "
                         f"{m.start() + 1} is not allowed here (it reorders the text on screen)")
    return value


def _name(value: str) -> str:
    """:func:`one_line`, with something to see: a name only of spaces or invisible characters
    would name nothing (and an output folder after it)."""
    one_line(value)
    if all(c.isspace() or unicodedata.category(c) in ("Cf", "Zs", "Mn") for c in value):
        raise ValueError("a name needs a visible character")
    return value


_TEAM_ID = re.compile(r"[\w-]+")


def _team_id(value: str) -> str:
    if not _TEAM_ID.fullmatch(value):
        raise ValueError("a team id is letters, digits, '_' and '-' only (it is addressed by "
                         "dotted paths such as teams.<id>.size)")
    return value


def _once_each(items: list[Any]) -> list[Any]:
    """A list in which each entry appears once: a repeated one would be acted on twice."""
    seen: set[Any] = set()
    for item in items:
        key = getattr(item, "value", item)
        if key in seen:
            raise ValueError(f"{key!r} is listed twice; list each once")
        seen.add(key)
    return items


Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID),
               AfterValidator(one_line)]
"""An id: a level, an inject, a report."""
TeamId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID),
                   AfterValidator(_team_id)]
"""A team id: a key of a plan's ``teams`` and part of override paths
(``teams.dialogue.size=8``), so letters, digits, ``_`` and ``-`` only."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME),
                 AfterValidator(_name)]
Line = Annotated[str, StringConstraints(max_length=MAX_LINE), AfterValidator(one_line)]
Prose = Annotated[str, StringConstraints(max_length=MAX_PROSE), AfterValidator(_prose)]

NonNeg = Annotated[float, Field(ge=0, le=MAX_MINUTES)]
Share = Annotated[float, Field(ge=0, le=1)]
Minutes = Annotated[float, Field(ge=0, le=MAX_MINUTES)]
People = Annotated[int, Field(ge=0, le=MAX_PETITIONERS)]
Count = Annotated[int, Field(ge=0, le=MAX_TEAM_SIZE)]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A time of day, ``HH:MM`` on a 24-hour clock."""


class Strict(BaseModel):
    """Base: unknown keys are errors; validated objects are immutable; no infinity or NaN."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Text(Strict):
    """A phrase in both languages."""

    zh: Prose = Field(description="the Chinese wording")
    en: Prose = Field(description="the English wording")

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, value: Any) -> Any:
        # one wording serves both languages: plain text, or a mapping with one of them
        if isinstance(value, str):
            return {"zh": value, "en": value}
        if isinstance(value, dict) and len(value) == 1 and set(value) <= {"zh", "en"}:
            (only,) = value.values()
            return {"zh": only, "en": only}
        return value

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Span(Strict):
    """A uniform range ``[low, high]``; a single number means ``low == high``."""

    low: NonNeg = Field(description="the lower end of the range")
    high: NonNeg = Field(description="the upper end of the range (not below low)")

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"low": value, "high": value}
        if isinstance(value, list) and len(value) == 2:
            return {"low": value[0], "high": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self


class MinutesSpan(Span):
    """A range of minutes."""


class HeadcountSpan(Span):
    """A range of people."""

    low: Annotated[float, Field(ge=0, le=MAX_PETITIONERS)] = Field(
        description="the fewest people")
    high: Annotated[float, Field(ge=0, le=MAX_PETITIONERS)] = Field(
        description="the most people (not below low)")


class ShareSpan(Span):
    """A range of shares (0 to 1)."""

    low: Share = Field(description="the lowest share (0-1)")
    high: Share = Field(description="the highest share (0-1, not below low)")


class FactorSpan(Span):
    """A range of factors (0 to 10)."""

    low: Annotated[float, Field(ge=0, le=10)] = Field(description="the lowest factor")
    high: Annotated[float, Field(ge=0, le=10)] = Field(
        description="the highest factor (not below low)")


# --------------------------------------------------------------------------- plan


def _checked_condition(value: str | None) -> str | None:
    """A condition in the trigger grammar, or None; a ValueError says what is wrong."""
    if value is not None:
        try:
            parse_condition(value)
        except ConditionError as exc:
            raise ValueError(f"invalid condition: {exc}") from None
    return value


Condition = Annotated[str, StringConstraints(max_length=MAX_LINE), AfterValidator(one_line),
                      AfterValidator(_checked_condition)]
"""A condition in the trigger grammar (``sim.core.triggers``)."""


class Level(Strict):
    """A response level: when it applies (a headcount, a condition, or either), who commands,
    who is sent."""

    id: Id = Field(description="the level's id (I, II, red...): named by dispatch, reports, "
                               "warning.declare_level and conditions")
    name: Text = Field(description="the level's name, shown when it is declared and in the "
                                   "report")
    color: Annotated[str, StringConstraints(max_length=40), AfterValidator(one_line)] = Field(
        default="", description="the level's colour (红色, orange...): shown when it is declared")
    min_headcount: Annotated[int, Field(ge=0, le=1_000_000)] | None = Field(
        default=None, description="the level applies once the estimated headcount reaches this")
    max_headcount: Annotated[int, Field(ge=0, le=1_000_000)] | None = Field(
        default=None, description="top of the level's headcount band (checked against the next "
                                  "level's start)")
    when: Condition | None = Field(
        default=None, description="the level applies while this condition holds, as command "
                                  "sees it (crowd_present is command's estimate)")
    commander: Id | None = Field(
        default=None, description="the role (plan `roles`) who takes command at this level")
    dispatch: Annotated[list[TeamId], AfterValidator(_once_each)] = Field(
        default_factory=list, max_length=MAX_TEAMS, description="team ids sent at this level")
    request_reinforcement: bool = Field(
        default=False, description="declaring this level requests the reinforcement of every "
                                   "order team whose reinforcement.from_level is this level "
                                   "or lower")
    report_up: bool = Field(
        default=True, description="declaring this level starts the upward reports "
                                  "(`reporting`) due from it; false: no report starts here")

    @model_validator(mode="after")
    def _applies(self) -> Level:
        if self.min_headcount is None and self.when is None:
            raise ValueError("a level needs min_headcount, when, or both")
        if self.max_headcount is not None and self.min_headcount is None:
            raise ValueError("max_headcount needs min_headcount")
        return self


class Role(Strict):
    """A leader the plan names (指挥长, 分管副市长...): called when a level they command is
    declared, on site after ``arrive_min``; ``authority`` is the hardest demand (``talks.demand``,
    0-1) they can commit to."""

    name: Text = Field(description="the role's title (指挥长, deputy mayor...)")
    arrive_min: Minutes = Field(
        default=30.0, description="minutes from the declaration of a level the role commands "
                                  "until the role is on site (longer in the dark)")
    authority: Share = Field(
        default=1.0, description="the hardest demand (talks.demand, 0-1) the role can commit "
                                 "to while on site; 1: any demand")


class PlanWarning(Strict):
    """What the plan does on a warning before T0 (a call to gather spotted online, a tip-off)."""

    preposition: Annotated[list[TeamId], AfterValidator(_once_each)] = Field(
        default_factory=list, max_length=MAX_TEAMS,
        description="teams sent to the site on the warning, ahead of the crowd")
    declare: bool = Field(
        default=True, description="declare a level on the warning (false: only send teams "
                                  "ahead and wait for the crowd to grade it)")
    declare_level: Id | None = Field(
        default=None, description="the level declared on the warning (else the level whose "
                                  "condition the expected crowd meets, if any)")
    statement: bool = Field(default=False,
                            description="issue a statement on the warning, before the crowd")
    clause: Text | None = Field(
        default=None, description="the plan clause on warnings, quoted in the report's "
                                  "appendix on the plan")


class Reinforcement(Strict):
    """Extra officers the order team can call in (for example the armed police squadron)."""

    size: Annotated[int, Field(ge=1, le=MAX_TEAM_SIZE)] = Field(
        description="officers who join the order team (people)")
    delay_min: Minutes = Field(
        description="minutes from the request until the officers set off; the model's "
                    "reinforcement travel time (order.reinforcement_travel_min) comes on top")
    from_level: Id = Field(description="the lowest level at which it is requested: when a level "
                                       "from this one up with request_reinforcement is declared")


class Team(Strict):
    """A team as the plan defines it."""

    name: Text = Field(description="the team's name, shown on the team board and in the "
                                   "report")
    capabilities: Annotated[list[Capability], AfterValidator(_once_each)] = Field(
        min_length=1, max_length=len(Capability),
        description="what the team does once on site (each capability starts its own work)")
    size: Annotated[int, Field(ge=1, le=MAX_TEAM_SIZE)] = Field(
        description="people in the team (officers, negotiators, medics...): its work on "
                    "site grows with them")
    mobilisation_min: Minutes = Field(
        default=10.0, description="minutes from receiving the order to go until the team sets "
                                  "off (longer at low familiarity and in the dark, with a "
                                  "random spread)")
    travel_min: Minutes = Field(
        default=10.0, description="minutes from setting off until the team is on site (longer "
                                  "in the dark, with a random spread); also the ambulance's "
                                  "drive for a medical team")
    familiarity: Share = Field(
        default=0.7, description="how well the team's staff know the plan, 0-1: lower makes "
                                 "its tasks slower and late starts, redone work and misdirected "
                                 "messages likelier (the scenario's familiarity overrides it)")
    equipment: dict[Equipment, Count] = Field(
        default_factory=dict,
        description="items the team carries and how many (water and food in person-portions); "
                    "an item not listed is missing")
    on_site_within_min: Minutes | None = Field(
        default=None, description="target: on site within this many minutes from T0 (from the "
                                  "declaration of the level that sends the team, if later); "
                                  "none: targets.team_on_site_min")
    prepositioned: bool = Field(
        default=False, description="the team is on site from T0: when ordered out it starts "
                                   "work at once, with no mobilisation or travel")
    posture: Posture | None = Field(
        default=None, description="an order team's force posture (required for one, refused "
                                  "for other teams): restrained leads a few instigators aside "
                                  "when the gate is blocked; forceful clears the crowd by force "
                                  "once it turns vocal with many acting out")
    reinforcement: Reinforcement | None = Field(
        default=None, description="extra officers this order team can call in; none: no "
                                  "reinforcement")
    staff: dict[Capability, Count] = Field(
        default_factory=dict,
        description="how the team's people split between its capabilities; capabilities not "
                    "listed share the rest evenly")
    answers_min: MinutesSpan | None = Field(
        default=None, description="the team answers questions from the talks (法制办, a "
                                  "department concerned) within this many minutes")

    @model_validator(mode="after")
    def _staff_fits(self) -> Team:
        extra = [c.value for c in self.staff if c not in self.capabilities]
        if extra:
            raise ValueError(f"staff names capabilities the team does not have: {', '.join(extra)}")
        if sum(self.staff.values()) > self.size:
            raise ValueError(f"staff adds up to {sum(self.staff.values())}, more than the "
                             f"team's size {self.size}")
        return self

    def staff_for(self, cap: Capability) -> float:
        """People working on ``cap``: as ``staff`` says, else an even share of the rest.
        When ``staff`` names every field capability and the team is larger than its sum,
        the people beyond it share the work in the same proportions (so ``size`` always
        counts).

        Command and intel are carried by the same people as the field work, so they take
        no share of their own."""
        if cap not in self.capabilities:
            return 0.0
        shared = (Capability.COMMAND, Capability.INTEL)
        rest = [c for c in self.capabilities if c not in self.staff and c not in shared]
        named = sum(self.staff.values())
        if cap in self.staff:
            if not rest and 0 < named < self.size:
                return self.staff[cap] * self.size / named
            return float(self.staff[cap])
        left = self.size - named
        if cap in shared:
            return float(left) if not rest else 0.0
        return left / max(1, len(rest))


class Report(Strict):
    """An upward report the plan requires."""

    id: Id = Field(description="the report's id, named in the event log and the report")
    to: Text = Field(description="who receives it (the city government, the petition "
                                 "bureau...)")
    within_min: Minutes = Field(description="deadline in minutes after the level that starts "
                                            "it is declared (without levels: after the first "
                                            "report)")
    from_level: Id | None = Field(
        default=None, description="the lowest level that starts this report (with report_up); "
                                  "none: any level with report_up")


class Targets(Strict):
    """The plan's time targets in minutes from T0 (``None``: the plan sets none)."""

    first_report_min: Minutes | None = Field(
        default=10, description="target: the first report reaches command within this many minutes from T0; none: no target")
    verification_min: Minutes | None = Field(
        default=20, description="target: command has verified the headcount within this many minutes from T0; none: no target")
    plan_activated_min: Minutes | None = Field(
        default=25, description="target: the plan is activated within this many minutes from T0; none: no target")
    team_on_site_min: Minutes | None = Field(
        default=45, description="target for every team without its own on_site_within_min: on site within this many minutes from T0 (or from the later declaration of the level that sends it); none: no target")
    cordon_min: Minutes | None = Field(
        default=60, description="target: the order team has set the cordon within this many minutes from T0; none: no target")
    dialogue_start_min: Minutes | None = Field(
        default=60, description="target: dialogue with the crowd has started within this many minutes from T0; none: no target")
    representatives_min: Minutes | None = Field(
        default=90, description="target: the crowd has chosen representatives for talks within this many minutes from T0; none: no target")
    agreement_min: Minutes | None = Field(
        default=150, description="target: a commitment is agreed with the representatives within this many minutes from T0; none: no target")
    cleared_min: Minutes | None = Field(
        default=210, description="target: the site is cleared within this many minutes from T0; none: no target")
    first_statement_min: Minutes | None = Field(
        default=None, description="target: the first official statement is out within this many minutes from T0; none: no target (with a silent policy, a gap the report names if a rumour spreads)")
    medical_response_min: Minutes | None = Field(
        default=15, description="target: each person taken ill or injured is attended within this many minutes of the incident; none: no target")


class Command(Strict):
    """How the command HQ works."""

    team: TeamId = Field(
        default="command", description="the team that is the command HQ: it verifies the "
                                       "headcount, declares levels, activates the plan, sends "
                                       "teams and reports upward")
    verify_min: Minutes = Field(
        default=5.0, description="minutes from the first report until command has verified "
                                 "the headcount and confirms or corrects the level (longer at "
                                 "low familiarity)")
    activate_min: Minutes = Field(
        default=5.0, description="minutes from declaring a level until the plan is activated "
                                 "and the level's teams are sent (longer at low familiarity)")
    reassess_every_min: Annotated[float, Field(ge=1, le=1000)] = Field(
        default=15.0, description="minutes between reassessments (at least one)")
    first_report_by: TeamId = Field(
        default="command", description="team whose duty staff spot the crowd and report")


class Publicity(Strict):
    """The plan's information-release policy."""

    release_policy: ReleasePolicy = Field(
        description="when official information goes out: proactive (a statement a set delay "
                    "after activation), reactive (once the rumour spreads) or silent (none)")
    team: TeamId = Field(description="team that drafts and issues statements")
    proactive_delay_min: Minutes = Field(
        default=30.0, description="proactive policy: minutes from plan activation until the "
                                  "first statement is out (longer at low familiarity)")
    reactive_threshold: Share = Field(
        default=0.05, description="reactive policy: the rumour's reach (share 0-1 of the online "
                                  "population who heard it) at which drafting starts; a "
                                  "monitoring team notices it sooner")
    drafting_min: Minutes = Field(
        default=20.0, description="minutes to draft a statement once the reactive threshold "
                                  "is passed, or on a warning (longer at low familiarity)")
    credibility: Share = Field(
        default=0.6, description="how far people believe the statement, 0-1: the higher, the "
                                 "faster it stops the rumour spreading")
    reach: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.6, description="share of the online population the statement's channels "
                                 "can reach (official accounts, media)")
    clause: Text | None = Field(
        default=None, description="the plan clause on publicity, quoted in the report")


class ResponsibleUnit(Strict):
    """The unit the grievance is about (涉事单位) and its leader."""

    name: Text = Field(description="the unit's name")
    leader_delay_min: Minutes = Field(
        default=45.0, description="minutes from plan activation (or from sending reception "
                                  "staff to a crowd below every level) until the unit's leader "
                                  "is on site")
    top_leader_delay_min: Minutes = Field(
        default=120.0, description="minutes from plan activation before the top leader can "
                                   "meet the crowd; the top leader comes only when the crowd "
                                   "demands it")
    authority: Share = Field(
        default=1.0, description="the hardest demand (talks.demand, 0-1) the unit's leader can "
                                 "commit to; above it a commitment waits for a role or the top "
                                 "leader with the authority")


class Plan(Strict):
    """An emergency plan: levels, teams, reporting chain, targets, policies."""

    name: Name = Field(description="the plan's short name: it labels runs, output folders "
                                   "and comparisons")
    title: Text = Field(description="the plan's full title, shown in the report")
    source: Line = Field(default="", description="where the plan comes from (document, "
                                                 "issuing office), shown in the report")
    extends: Line | None = Field(
        default=None, description="a plan (bundled name, or a path in the plan's own folder "
                                  "tree) whose fields this one overrides")
    levels: list[Level] = Field(
        default_factory=list, max_length=MAX_LEVELS,
        description="response levels from the lowest; none: the HQ acts on its own judgement "
                    "and sends every team on the first report")
    roles: dict[Id, Role] = Field(default_factory=dict, max_length=MAX_TEAMS,
                                  description="leaders a level may name as its commander")
    teams: dict[TeamId, Team] = Field(min_length=1, max_length=MAX_TEAMS,
                                      description="the plan's teams by id")
    command: Command = Field(default=Command(), description="how the command HQ works")
    reporting: list[Report] = Field(default_factory=list, max_length=MAX_REPORTS,
                                    description="upward reports the plan requires")
    targets: Targets = Field(
        default=Targets(), description="time targets the run is graded against; they do not "
                                       "change what happens")
    publicity: Publicity = Field(description="the information-release policy")
    responsible_unit: ResponsibleUnit = Field(
        description="the unit the grievance is about and its leaders")
    first_response: Annotated[list[FirstStep], AfterValidator(_once_each)] = Field(
        default_factory=list, max_length=MAX_STEPS,
        description="steps the first team on the spot takes right after its first report")
    warning: PlanWarning | None = Field(
        default=None, description="what the plan does on a warning before T0")

    @field_validator("levels")
    @classmethod
    def _levels_ordered(cls, levels: list[Level]) -> list[Level]:
        banded = [(j, lv) for j, lv in enumerate(levels) if lv.min_headcount is not None]
        for i, (j, lv) in enumerate(banded):
            assert lv.min_headcount is not None
            if lv.max_headcount is not None and lv.max_headcount < lv.min_headcount:
                raise at_item(
                    (j, "max_headcount"), f"level {lv.id}: max_headcount {lv.max_headcount} is "
                    f"below its min_headcount {lv.min_headcount}")
            if i == 0:
                continue
            k, prev = banded[i - 1]
            assert prev.min_headcount is not None
            if lv.min_headcount <= prev.min_headcount:
                raise at_item(
                    (j, "min_headcount"), f"levels overlap: {lv.id} starts at "
                    f"{lv.min_headcount}, not above {prev.id} (starts at {prev.min_headcount}, "
                    f"levels.{k}); list levels from the lowest")
            if prev.max_headcount is not None and prev.max_headcount >= lv.min_headcount:
                raise at_item(
                    (j, "min_headcount"), f"levels overlap: {prev.id} (levels.{k}) runs to "
                    f"{prev.max_headcount} but {lv.id} starts at {lv.min_headcount}")
        ids = [lv.id for lv in levels]
        if len(set(ids)) != len(ids):
            raise ValueError(f"level ids repeat: {ids}")
        return levels

    def level_for(self, headcount: float, holds: Callable[[str], bool] | None = None
                  ) -> Level | None:
        """The highest level that applies: its band starts at or below ``headcount``, or its
        ``when`` condition holds (``holds`` evaluates one); None when no level applies."""
        found = None
        for lv in self.levels:
            if (lv.min_headcount is not None and headcount >= lv.min_headcount) or \
                    (lv.when is not None and holds is not None and holds(lv.when)):
                found = lv
        return found

    def on_site_within(self, team_id: str) -> float | None:
        """A team's arrival target in minutes: its own ``on_site_within_min``, else the
        plan's ``targets.team_on_site_min`` (None: no target)."""
        own = self.teams[team_id].on_site_within_min
        return own if own is not None else self.targets.team_on_site_min

    def teams_with(self, cap: Capability) -> list[str]:
        """Ids of the teams that have capability ``cap``, in plan order."""
        return [tid for tid, t in self.teams.items() if cap in t.capabilities]


# --------------------------------------------------------------------------- scenario


class Site(Strict):
    """Where the crowd gathers."""

    name: Text = Field(description="the site's name")
    outdoor: bool = Field(
        default=True, description="the crowd stands outdoors: rain and cold make people leave "
                                  "and fall ill; false: a hall shelters from weather and part "
                                  "of the heat")
    area_m2: Annotated[float, Field(ge=10, le=1_000_000)] = Field(
        default=800.0, description="the area the crowd stands on (square metres): a denser "
                                   "crowd has more health incidents")
    gate_width_m: Annotated[float, Field(ge=0.5, le=1000)] = Field(
        default=6.0, description="width of the gate a crowd may block: more people are "
                                 "needed to block a wider gate")
    security: Count = Field(
        default=0, description="the site's own security guards present from the start: an "
                               "opposing line for the crowd before any order team arrives")


class Weather(Strict):
    """Air temperature, humidity and rain at the site."""

    temperature_c: Annotated[float, Field(ge=-40, le=50)] = Field(
        default=22.0, description="air temperature at T0 (degrees Celsius): heat raises "
                                  "illness and leaving, cold outdoors too")
    humidity_pct: Annotated[float, Field(ge=0, le=100)] = Field(
        default=50.0, description="relative humidity (percent): with the temperature it gives "
                                  "the felt heat")
    precipitation: Precipitation = Field(
        default=Precipitation.NONE, description="rain at T0: outdoors, rain makes the least "
                                                "committed leave sooner and fewer onlookers "
                                                "come")


class WarningSign(Strict):
    """One sign before T0: a call to gather posted online (monitoring can spot it) or a
    tip-off that reaches command directly."""

    kind: Signal = Field(
        description="online_call: a call to gather posted online, seen only by a monitoring "
                    "team; tip_off: reaches command at once")
    before_min: Annotated[float, Field(gt=0, le=MAX_DRILL_MIN)] | None = Field(
        default=None, description="minutes before T0 the sign appears (default: the warning's "
                                  "lead_min)")
    expected: People = Field(description="the crowd the sign announces (people)")


class ScenarioWarning(Strict):
    """The phase before T0: signs that a crowd is coming."""

    lead_min: Annotated[float, Field(gt=0, le=MAX_DRILL_MIN)] = Field(
        description="how long before T0 the first sign appears (minutes)")
    signals: list[WarningSign] = Field(min_length=1, max_length=20,
                                       description="the signs, at least one")

    @model_validator(mode="after")
    def _within_lead(self) -> ScenarioWarning:
        for i, sign in enumerate(self.signals):
            if sign.before_min is not None and sign.before_min > self.lead_min:
                raise ValueError(f"signals[{i}].before_min ({sign.before_min:g}) is earlier than "
                                 f"the warning's lead_min ({self.lead_min:g})")
        return self

    def before(self, sign: WarningSign) -> float:
        """Minutes before T0 ``sign`` appears."""
        return sign.before_min if sign.before_min is not None else self.lead_min


class Onlookers(Strict):
    """Bystanders who gather while nothing cordons the area."""

    max: Annotated[int, Field(ge=0, le=MAX_ONLOOKERS)] = Field(
        default=50, description="the most onlookers who can gather (people)")
    rate_per_min: Annotated[float, Field(ge=0, le=100)] = Field(
        default=0.5, description="onlookers arriving per minute while nothing cordons the area "
                                 "(more as the rumour spreads; fewer in rain, in the dark or "
                                 "with traffic control)")


class Crowd(Strict):
    """The petitioners: how many, how fast, how aggrieved."""

    initial: HeadcountSpan = Field(
        description="petitioners already there at T0 (people, drawn from the range); part of "
                    "the mobilised crowd")
    mobilised: HeadcountSpan = Field(
        description="all the petitioners who come, those at T0 included (people, drawn from "
                    "the range); arrivals injects add to them")
    arrival_window_min: Minutes = Field(
        default=30.0, description="the petitioners not there at T0 arrive at random within "
                                  "this many minutes after T0")
    hardship: ShareSpan = Field(
        default=ShareSpan(low=0.3, high=0.9),
        description="each petitioner's hardship (0-1), drawn from the range: against low "
                    "legitimacy it drives agitation")
    legitimacy: Share = Field(
        default=0.7, description="the authorities' legitimacy in the crowd's eyes at T0 (0-1): "
                                 "the lower, the more agitated the crowd")
    elderly_share: Share = Field(
        default=0.1, description="share of the people who are elderly (0-1): likelier to fall "
                                 "ill, more so in the cold")
    hard_core_share: Share = Field(
        default=0.1, description="share of the petitioners who are instigators (0-1): they act "
                                 "out whenever willing, whatever the others do, and do not "
                                 "leave of their own accord before a commitment")
    demand_top_leader: bool = Field(
        default=False, description="the crowd demands the top leader from T0 (as a "
                                   "demand_leader inject): talks succeed less often until the "
                                   "top leader comes")
    onlookers: Onlookers = Field(default=Onlookers(),
                                 description="bystanders drawn to the scene")

    @model_validator(mode="after")
    def _initial_within(self) -> Crowd:
        if self.initial.high > self.mobilised.high:
            # the crowd at T0 is part of the mobilised crowd: a larger one would be cut to it
            raise ValueError(f"the initial crowd's high end ({self.initial.high:g}) is above the "
                             f"mobilised crowd's ({self.mobilised.high:g}): the crowd at T0 is "
                             "part of the mobilised crowd")
        if self.mobilised.high < 1:
            raise ValueError("the mobilised crowd must have at least one person")
        return self


class Talks(Strict):
    """How much work a commitment takes."""

    work_staff_min: Annotated[float, Field(ge=1, le=1_000_000)] = Field(
        default=300.0, description="negotiators' staff-minutes at the table for one round")
    questions: Annotated[int, Field(ge=0, le=20)] = Field(
        default=2, description="questions per round that need an answer from command")
    demand: Share = Field(
        default=0.5, description="how hard the demand is to answer, 0 (easily) to 1 (beyond "
                                 "local authority)")


class Expected(Strict):
    """The action an inject expects, and how soon (minutes after the inject fires)."""

    action: Action = Field(
        description="the event kind that answers the inject, looked up in the event log after "
                    "the inject fires (or already in effect when it fires)")
    team: TeamId | None = Field(default=None,
                                description="team expected to act (actor or subject)")
    capability: Capability | None = Field(
        default=None, description="any team with this capability (plan-independent)")
    within_min: Annotated[float, Field(gt=0, le=MAX_MINUTES)] = Field(
        description="the deadline in minutes after the inject fires; missed, the inject's "
                    "contingencies fire")
    description: Text | None = Field(
        default=None, description="what is expected, in words, for the room and the report")

    @model_validator(mode="after")
    def _one_actor(self) -> Expected:
        if self.team is not None and self.capability is not None:
            raise ValueError("name a team or a capability, not both")
        return self

    def actors(self, plan: Plan) -> set[str] | None:
        """Team ids that may answer (None: anyone)."""
        if self.team is not None:
            return {self.team}
        if self.capability is not None:
            return set(plan.teams_with(self.capability))
        return None


class InjectBase(Strict):
    """A scripted event of the master scenario events list (MSEL): what every kind shares.

    It fires at ``at_min``, or at the first tick its ``when`` condition holds, or, as a
    contingency, when the expected action of inject ``contingency_for`` has not come by its
    deadline: exactly one of the three. Each kind adds the fields it needs (see
    :data:`Inject`); a field another kind needs is an unknown field here.
    """

    id: Id = Field(description="the inject's id, unique in the scenario (GB-5, I-3...)")
    at_min: Minutes | None = Field(
        default=None, description="fire at this many minutes after T0")
    when: Line | None = Field(
        default=None, description="fire at the first tick this condition (trigger grammar, "
                                  "e.g. crowd_present >= 50) holds")
    contingency_for: Id | None = Field(
        default=None, description="fire when the expected action of the inject with this id "
                                  "has not come by its deadline")
    kind: InjectKind = Field(description="what the inject does; each kind takes its own fields")
    expected: Expected | None = Field(
        default=None, description="the response the inject expects, timed and graded in the "
                                  "report; none: nothing expected")
    clause: Text | None = Field(default=None, description="the plan clause the inject tests")
    decision: bool = Field(default=False, description="trainees decide here (facilitator mode)")
    message: Text | None = Field(default=None, description="what the inject says, for the room")
    note: Prose = Field(default="", description="a note logged with the inject (a broken "
                                                "promise's reason)")

    @field_validator("when")
    @classmethod
    def _condition(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_condition(value)
            except ConditionError as exc:
                raise ValueError(f"invalid condition: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_trigger(self) -> InjectBase:
        given = [f for f in ("at_min", "when", "contingency_for") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError("an inject needs exactly one of at_min, when or contingency_for"
                             + (f" (has {', '.join(given)})" if given else ""))
        return self


Delta = Annotated[float, Field(ge=-1, le=1)]


class ArrivalsInject(InjectBase):
    """More petitioners arrive: ``count`` people over ``duration_min`` minutes."""

    kind: Literal[InjectKind.ARRIVALS] = Field(description="more petitioners arrive")
    count: People = Field(description="how many more petitioners come (people)")
    duration_min: Minutes = Field(
        default=0.0, description="they arrive at random over this many minutes; 0: all at "
                                 "once")


class ProvocationInject(InjectBase):
    """A provocation (``agitation``) or a move to block the gate (``block_gate``): ``share`` of
    the petitioners present, in groups, get ``delta`` agitation (negative: calmed)."""

    kind: Literal[InjectKind.AGITATION, InjectKind.BLOCK_GATE] = Field(
        description="agitation: a provocation; block_gate: the core moves to block the gate "
                    "(it stays held for a while)")
    share: Share = Field(description="share of the petitioners present affected (0-1), in "
                                     "the groups they came with")
    delta: Delta = Field(description="change of each affected person's agitation (-1 to 1; "
                                     "negative calms)")


class HealthInject(InjectBase):
    """``count`` people fall ill (the elderly likelier)."""

    kind: Literal[InjectKind.HEALTH_INCIDENT] = Field(description="someone falls ill")
    count: Annotated[int, Field(ge=1, le=MAX_PETITIONERS)] = Field(
        default=1, description="people who fall ill (only those present can)")


class Addressed(InjectBase):
    """An inject for one team: named by ``team``, or the first team of the plan with
    ``capability`` (so that the scenario runs under any plan)."""

    team: TeamId | None = Field(default=None,
                                description="the team the inject is for (or give capability)")
    capability: Capability | None = Field(
        default=None, description="the inject is for the plan's first team with this "
                                  "capability (or give team)")

    @model_validator(mode="after")
    def _one_address(self) -> Addressed:
        if (self.team is None) == (self.capability is None):
            raise ValueError("name a team or a capability (exactly one)")
        return self

    def target(self, plan: Plan) -> str | None:
        """The team the inject is for under ``plan`` (None: no team of the plan has the
        capability). An equipment failure goes to the first such team carrying the item."""
        if self.team is not None:
            return self.team
        assert self.capability is not None
        teams = plan.teams_with(self.capability)
        item = getattr(self, "item", None)
        carrying = [t for t in teams if item is not None and plan.teams[t].equipment.get(item, 0)]
        found = carrying or teams
        return found[0] if found else None


class EquipmentInject(Addressed):
    """An item of a team's kit fails (with ``capability``: the first such team carrying it)."""

    kind: Literal[InjectKind.EQUIPMENT_FAILURE] = Field(description="an item of kit fails")
    item: Equipment = Field(description="the item that fails (one the team carries)")


class RumourInject(InjectBase):
    """A video or post goes online: ``share`` of the online population start spreading it."""

    kind: Literal[InjectKind.RUMOUR] = Field(description="a video or post goes online")
    share: Share | None = Field(
        default=None, description="share of the online population who start spreading it "
                                  "(0-1); none: the model's rumour.seed_share")


class OutageInject(InjectBase):
    """Channels between teams fail for ``duration_min`` minutes."""

    kind: Literal[InjectKind.COMMS_OUTAGE] = Field(description="channels between teams fail")
    duration_min: Minutes = Field(description="minutes the channels stay down")


class WeatherInject(InjectBase):
    """The temperature or the rain changes."""

    kind: Literal[InjectKind.WEATHER] = Field(description="the weather changes")
    temperature_c: Annotated[float, Field(ge=-40, le=50)] | None = Field(
        default=None, description="the new air temperature (degrees Celsius); none: unchanged")
    precipitation: Precipitation | None = Field(
        default=None, description="the new rain; none: unchanged")

    @model_validator(mode="after")
    def _changes(self) -> WeatherInject:
        if self.temperature_c is None and self.precipitation is None:
            raise ValueError("a weather inject changes temperature_c, precipitation or both")
        return self


class PersonAtRiskInject(InjectBase):
    """Someone climbs a crane, a roof or a bridge and threatens to jump."""

    kind: Literal[InjectKind.PERSON_AT_RISK] = Field(
        description="someone threatens to jump")
    height_m: Annotated[float, Field(ge=2, le=300)] = Field(
        default=15.0, description="how high the person is (m); a fall from higher is worse")


class MessageInject(Addressed):
    """A message for a team, logged for the exercise."""

    kind: Literal[InjectKind.MESSAGE] = Field(description="a message for a team")
    message: Text = Field(description="the message, delivered to the team over the channels "
                                      "and logged")


class SimpleInject(InjectBase):
    """Kinds with no fields of their own: the crowd demands the top leader; a promise is
    seen broken."""

    kind: Literal[InjectKind.DEMAND_LEADER, InjectKind.BROKEN_PROMISE] = Field(
        description="demand_leader: the crowd insists on the top leader; broken_promise: the "
                    "crowd sees a promise broken (legitimacy falls, agitation rises)")


Inject = Annotated[
    ArrivalsInject | ProvocationInject | HealthInject | EquipmentInject | RumourInject
    | OutageInject | WeatherInject | MessageInject | SimpleInject | PersonAtRiskInject,
    Field(discriminator="kind")]
"""One inject, its fields checked by kind."""


class End(Strict):
    """When the drill stops."""

    max_min: Annotated[float, Field(ge=1, le=MAX_DRILL_MIN)] = Field(
        default=240.0, description="the drill stops at this many minutes after T0 at the "
                                   "latest")
    stop_when_cleared: bool = Field(
        default=True, description="stop once the site is cleared and no medical case is "
                                  "pending; false: run to max_min")


class Scenario(Strict):
    """A scripted drill: the incident the plan is tested against."""

    name: Name = Field(description="the scenario's short name: it names runs and output "
                                   "folders")
    title: Text = Field(description="the scenario's title, shown in the report")
    plan: Annotated[str, StringConstraints(min_length=1, max_length=MAX_LINE),
                    AfterValidator(one_line)] = Field(
        description="default plan: a bundled name, or a path in the scenario's own folder tree")
    description: Text | None = Field(
        default=None, description="what the scenario is about, for the report")
    start_clock: Clock = Field(
        default="09:00", description="time of day at T0 (HH:MM); clock times in reports count "
                                     "from it, and it decides which minutes are dark")
    site: Site = Field(description="where the crowd gathers")
    weather: Weather = Field(default=Weather(), description="the weather at T0")
    warning: ScenarioWarning | None = Field(
        default=None, description="signs before T0 that a crowd is coming")
    crowd: Crowd = Field(description="the petitioners and onlookers")
    talks: Talks = Field(default=Talks(), description="how much work a commitment takes")
    familiarity: dict[TeamId, Share] = Field(
        default_factory=dict, max_length=MAX_TEAMS,
        description="familiarity with the plan (0-1) by team id, replacing the plan's for "
                    "this drill")
    injects: list[Inject] = Field(
        default_factory=list, max_length=MAX_INJECTS,
        description="the scripted events (master scenario events list)")
    end: End = Field(default=End(), description="when the drill stops")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="overrides of model parameters, by section")

    @field_validator("injects")
    @classmethod
    def _unique_ids(cls, injects: list[Inject]) -> list[Inject]:
        counts = Counter(i.id for i in injects)
        dup = sorted(i for i, n in counts.items() if n > 1)
        if dup:
            raise ValueError(f"inject ids repeat: {', '.join(dup)}")
        outage = sum(i.duration_min for i in injects if isinstance(i, OutageInject))
        if outage > MAX_OUTAGE_MIN:
            raise ValueError(f"comms_outage injects last {outage:g} min together; at most "
                             f"{MAX_OUTAGE_MIN:g}")
        return injects

    @property
    def late_arrivals(self) -> int:
        """Petitioners the ``arrivals`` injects bring, all together (people)."""
        return sum(i.count for i in self.injects if isinstance(i, ArrivalsInject))

    @model_validator(mode="after")
    def _people(self) -> Scenario:
        arrivals = self.late_arrivals
        if self.crowd.mobilised.high + arrivals > MAX_PETITIONERS:
            raise ValueError(f"crowd.mobilised ({self.crowd.mobilised.high:g} at most) and the "
                             f"arrivals injects ({arrivals:,}) add up to more than "
                             f"{MAX_PETITIONERS:,} petitioners")
        return self
