"""The model's parameters: read from ``sim/data/parameters.yaml`` and validated.

Every constant of the model lives in that file with a comment on its source; this module
only declares their types so that a typo in an override is an error, never a silent no-op.

Every number has bounds: a scenario may override any parameter (``parameters:``), and a
scenario is not trusted, so no value it may give can make a run divide by zero, overflow,
loop without end or take more than the speed budgets allow. The bounds are wide beside the
plausible ranges (the ``uncertain`` section) and their sources; intervals of periodic
processes (a patrol, a check, a resend) are at least a minute, and the rumour's explicit
Euler steps are kept stable (see :meth:`Parameters._stable`).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from sim.core.config import MAX_MINUTES, FactorSpan, MinutesSpan, Strict
from sim.core.yamlio import load_file

PARAMETERS_FILE = Path(__file__).resolve().parents[1] / "data" / "parameters.yaml"

Share = Annotated[float, Field(ge=0, le=1)]
Factor = Annotated[float, Field(ge=0, le=100)]
"""A multiplier or a per-unit effect (times, agitation per cause, people per officer)."""
Rate = Annotated[float, Field(ge=0, le=1000)]
"""A rate per hour or per minute of something that is then drawn or decays."""
Small = Annotated[float, Field(ge=0, le=10)]
"""An effect added to agitation (0 to 1) or a spread on a log scale."""
Duration = Annotated[float, Field(ge=0, le=MAX_MINUTES)]
"""A duration in minutes."""
Interval = Annotated[float, Field(ge=1, le=1000)]
"""The interval of a periodic process, in minutes: at least one, so a run has a bounded
number of steps."""
Logit = Annotated[float, Field(ge=-20, le=20)]
"""A term of a log-odds sum."""
Fahrenheit = Annotated[float, Field(ge=32, le=130)]


_Section = Strict


Pair = MinutesSpan
"""A uniform range of minutes given in YAML as ``[low, high]``."""


MAX_EULER_STEP = 0.5
"""Largest rate x step of the rumour's Euler sub-steps."""


class Range(Strict):
    """A plausible range ``[low, high]`` of an uncertain constant (may be negative)."""

    low: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) == 2:
            return {"low": value[0], "high": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class CrowdParams(_Section):
    active_threshold: Share
    arrest_k: Factor
    peer_threshold_mean: Share
    peer_threshold_sd: Share
    group_size: Annotated[int, Field(ge=1, le=1000)]
    indoor_heat_share: Share
    thirst_build_hours: Annotated[float, Field(gt=0, le=48)]
    global_visibility: Share
    initial_agitation_factor: Small
    onlooker_hardship: Share
    agitation_rate_per_min: Small
    waiting_stress_per_hour: Small
    waiting_stress_max: Small
    listened_relief_per_hour: Small
    provocation_half_life_min: Annotated[float, Field(ge=0.1, le=MAX_MINUTES)]
    rumour_stress: Small
    heat_stress_per_10_at: Small
    thirst_stress_per_10_at: Small
    comfort_at_f: Fahrenheit
    broken_promise_stress: Small
    failed_talks_stress: Small
    vocal_share: Share
    state_exit_share: Share
    blocking_people_per_m: Factor
    blocking_min_people: Annotated[int, Field(ge=1, le=10_000)]
    reblock_share: Share
    reblock_per_hour: Rate
    block_hold_min: Duration
    fatigue_leave_per_hour: Rate
    fatigue_growth_per_hour: Rate
    heat_leave_per_10_at: Rate
    satisfied_leave_per_hour: Rate
    hard_core_satisfied_x: Factor
    onlooker_leave_per_hour: Rate
    onlooker_rumour_boost: Factor
    cleared_share: Share
    representatives_max: Annotated[int, Field(ge=1, le=50)]


class ScuffleParams(_Section):
    contact_per_active_hour: Rate
    forceful_contact_x: Factor
    mean_episode_min: Annotated[float, Field(ge=0.1, le=MAX_MINUTES)]
    force_extends_min: Duration
    injury_per_contact: Share
    forceful_injury_x: Factor
    contact_per_officer: Factor
    escalated_window_min: Duration


class LegitimacyParams(_Section):
    waiting_loss_per_min: Share
    explanation_gain_per_staff_min: Share
    talks_gain_per_min: Share
    commitment_gain: Share
    water_gain: Share
    force_loss: Share
    targeted_loss: Share
    rumour_loss: Share
    broken_promise_loss: Share
    floor: Share
    ceiling: Share

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> LegitimacyParams:
        if self.floor > self.ceiling:
            raise ValueError(f"floor ({self.floor}) is above ceiling ({self.ceiling})")
        return self


class HealthParams(_Section):
    ppr_per_1000: Factor
    reference_hours: Annotated[float, Field(ge=0.5, le=48)]
    heat_ratio_per_10_at: Annotated[float, Field(ge=0.5, le=2)]
    heat_reference_f: Fahrenheit
    no_water_ratio: Annotated[float, Field(ge=0, le=10)]
    elderly_ratio: Annotated[float, Field(ge=0.1, le=10)]
    indoor_ratio: Annotated[float, Field(gt=0, le=10)]
    density_ratio_per_person_m2: Factor
    density_free_person_m2: Factor
    transport_share: Share
    on_site_response_min: Pair
    dispatch_min: Duration
    treatment_min: Pair


class EstimateParams(_Section):
    first_report_sd: Annotated[float, Field(ge=0, le=3)]
    verified_sd: Annotated[float, Field(ge=0, le=3)]
    intel_sd: Annotated[float, Field(ge=0, le=3)]
    first_report_bias: Annotated[float, Field(gt=0, le=10)]


class CommandParams(_Section):
    first_report_min: Pair
    report_drafting_min: Pair
    answer_min: Pair
    leader_travel_min: Duration


class CommsParams(_Section):
    latency_min: Annotated[float, Field(ge=0, le=120)]
    latency_sigma: Annotated[float, Field(ge=0, le=3)]
    loss_prob: Annotated[float, Field(ge=0, le=0.5)]
    ack_timeout_min: Annotated[float, Field(ge=2, le=120)]
    late_after_min: Duration
    no_radio_loss_x: Annotated[float, Field(ge=1, le=20)]
    no_radio_latency_x: Annotated[float, Field(ge=1, le=20)]


class FamiliarityParams(_Section):
    slowdown: Small
    late_prob: Share
    late_extra_min: Pair
    incomplete_prob: Share
    misdirect_prob: Share
    forward_min: Pair
    redo_min: Pair


class FacilitatorParams(_Section):
    rumour_seed_share: Share
    agitation_share: Share
    agitation_delta: Share
    commitment_days: Annotated[int, Field(ge=1, le=365)]


class TeamParams(_Section):
    delay_jitter: FactorSpan


class OrderParams(_Section):
    cordon_staff_min: Annotated[float, Field(ge=0, le=100_000)]
    no_barrier_x: Annotated[float, Field(ge=1, le=10)]
    disperse_per_officer_hour: Rate
    patrol_every_min: Interval
    force_agitation_shock: Share
    forceful_deterrence_x: Factor
    targeted_removals: Annotated[int, Field(ge=0, le=1000)]
    removal_cap_share: Share
    force_pause_min: Duration
    forceful_clear_share: Share
    security_deterrence_x: Factor
    reinforcement_travel_min: Duration


class DialogueParams(_Section):
    explain_staff_min_per_person: Rate
    explain_staff_min_least: Annotated[float, Field(ge=0, le=100_000)]
    representatives_within_min: Interval
    explain_staff_max: Annotated[float, Field(gt=0, le=1000)]
    no_loudspeaker_efficiency: Share
    no_room_efficiency: Share
    agitation_drag: Factor
    leader_absent_efficiency: Share
    loudspeaker_fail_per_hour: Rate


class TalksParams(_Section):
    negotiators_max: Annotated[float, Field(ge=0.1, le=100)]
    understaffed_exponent: Annotated[float, Field(ge=0, le=1)]
    base_logit: Logit
    leader_logit: Logit
    top_leader_logit: Logit
    top_leader_missing_logit: Logit
    answers_logit: Logit
    loudspeaker_logit: Logit
    agitation_logit: Logit
    legitimacy_logit: Logit
    demand_logit: Logit
    retry_work_share: Annotated[float, Field(gt=0, le=1)]
    retry_pause_min: Duration


class PersuasionParams(_Section):
    per_staff_hour: Rate
    after_commitment_x: Factor
    no_vehicle_efficiency: Share
    resist_agitation: Share


class LogisticsParams(_Section):
    water_portions_per_person_hour: Rate
    food_after_min: Duration
    food_gain: Share
    room_setup_min: Duration
    replacement_min: Pair


class RumourParams(_Section):
    spread_per_min: Small
    debunk_per_min: Small
    stifle_per_min: Small
    seed_share: Share
    escalation_seed_share: Share
    statement_spread_per_min: Small
    statement_seed_share: Share
    monitoring_every_min: Interval
    substeps: Annotated[int, Field(ge=1, le=100)]


class WeatherParams(_Section):
    rain_leave_per_hour: Rate
    heavy_rain_x: Factor
    rain_onlooker_x: Share
    cold_below_f: Annotated[float, Field(ge=-40, le=100)]
    wet_cold_f: Annotated[float, Field(ge=0, le=50)]
    cold_leave_per_10_below: Rate
    cold_elderly_ratio_per_10_below: Annotated[float, Field(ge=1, le=10)]


class NightParams(_Section):
    dusk_hour: Annotated[float, Field(ge=12, le=24)]
    dawn_hour: Annotated[float, Field(ge=0, le=12)]
    onlooker_x: Share
    team_delay_x: Annotated[float, Field(ge=1, le=10)]


class WarningParams(_Section):
    detect_min: Pair
    monitoring_sd: Small
    tip_off_sd: Small
    watch_every_min: Interval
    threshold_x: Share


class FirstResponseParams(_Section):
    step_min: Pair
    cordon_onlooker_x: Share
    traffic_onlooker_x: Share
    disperse_per_hour: Rate
    water_min: Duration
    calm_relief_x: Share


class EvacuationParams(_Section):
    per_staff_hour: Rate


class PsychParams(_Section):
    people_per_staff_hour: Rate
    relief: Share
    distressed_hardship: Share


class RiskParams(_Section):
    rescue_setup_min: Pair
    talk_down_per_hour: Rate
    talk_down_psych_x: Factor
    talk_down_leader_x: Factor
    rescue_reach_per_hour: Rate
    jump_per_hour: Rate
    jump_talking_x: Factor
    jump_crowd_x: Factor
    cushion_height_max_m: Annotated[float, Field(ge=0, le=300)]
    agitation: Share
    onlooker_x: Factor


class Parameters(_Section):
    """All model parameters, by section (see the YAML file for sources)."""

    tick_min: Annotated[float, Field(ge=0.5, le=5)]
    crowd: CrowdParams
    scuffle: ScuffleParams
    legitimacy: LegitimacyParams
    health: HealthParams
    estimate: EstimateParams
    command: CommandParams
    comms: CommsParams
    familiarity: FamiliarityParams
    facilitator: FacilitatorParams
    teams: TeamParams
    order: OrderParams
    dialogue: DialogueParams
    talks: TalksParams
    persuasion: PersuasionParams
    logistics: LogisticsParams
    rumour: RumourParams
    weather: WeatherParams
    night: NightParams
    warning: WarningParams
    first_response: FirstResponseParams
    evacuation: EvacuationParams
    psych_support: PsychParams
    risk: RiskParams
    uncertain: dict[str, Range] = Field(default_factory=dict)
    """Constants whose value is uncertain: dotted name to the plausible range [low, high].

    Sensitivity analysis samples these ranges; calibration reports them."""

    @model_validator(mode="after")
    def _stable(self) -> Parameters:
        """The rumour's explicit Euler sub-steps stay stable (no overshoot below zero)."""
        h = self.tick_min / self.rumour.substeps
        for name in ("spread_per_min", "debunk_per_min", "stifle_per_min",
                     "statement_spread_per_min"):
            rate = getattr(self.rumour, name)
            if rate * h > MAX_EULER_STEP:
                raise ValueError(
                    f"rumour.{name} x tick_min / rumour.substeps is {rate * h:g}; at most "
                    f"{MAX_EULER_STEP} for a stable step (raise rumour.substeps)")
        return self

    @model_validator(mode="after")
    def _uncertain_names(self) -> Parameters:
        for name, span in self.uncertain.items():
            value = self.value_of(name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError(f"uncertain: {name} is not a numeric parameter")
            if not span.low <= value <= span.high:
                raise ValueError(f"uncertain: {name} = {value} lies outside its range "
                                 f"[{span.low}, {span.high}]")
            # each end must be a value the parameter may take (the field's own bounds; checked
            # on the field alone, never by validating its owner again)
            *path, last = name.split(".")
            owner: Any = self
            for part in path:
                owner = getattr(owner, part)
            field = type(owner).model_fields.get(last) if isinstance(owner, BaseModel) else None
            if field is not None:
                kind: Any = field.annotation
                if field.metadata:
                    args = (kind, *field.metadata)
                    kind = Annotated[args]  # type: ignore[valid-type]
                adapter: TypeAdapter = TypeAdapter(kind)
                for end in (span.low, span.high):
                    try:
                        adapter.validate_python(end)
                    except ValidationError as exc:
                        why = exc.errors()[0].get("msg", "not allowed")
                        raise ValueError(f"uncertain: {name}: the range's end {end:g} is not a "
                                         f"value the parameter may take ({why})") from None
        return self

    def value_of(self, name: str) -> Any:
        """The value of a parameter by dotted name (``crowd.peer_threshold_sd``)."""
        obj: Any = self
        for part in name.split("."):
            if not hasattr(obj, part) or part == "uncertain":
                raise ValueError(f"unknown parameter {name}")
            obj = getattr(obj, part)
        return obj

    def with_values(self, values: dict[str, float]) -> Parameters:
        """A copy with parameters set by dotted name (validated like the file)."""
        data = self.model_dump()
        for name, value in values.items():
            self.value_of(name)
            node = data
            *path, last = name.split(".")
            for part in path:
                node = node[part]
            node[last] = value
        return Parameters.model_validate(data)


@lru_cache(maxsize=1)
def default_parameter_data() -> dict[str, Any]:
    """The bundled parameter file as plain data (cached; callers get a deep copy)."""
    return load_file(PARAMETERS_FILE).data


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` into a copy of ``base`` (mappings merge, values replace)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
