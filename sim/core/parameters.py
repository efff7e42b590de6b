"""The model's parameters: read from ``sim/data/parameters.yaml`` and validated.

Every constant of the model lives in that file with a comment on its source; this module
only declares their types so that a typo in an override is an error, never a silent no-op.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.core.config import Span, Strict
from sim.core.yamlio import load_file

PARAMETERS_FILE = Path(__file__).resolve().parents[1] / "data" / "parameters.yaml"

Pos = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]


_Section = Strict


Pair = Span
"""A uniform range given in YAML as ``[low, high]`` (the same type as the schemas' ``Span``)."""


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
    active_threshold: Pos
    arrest_k: Pos
    peer_threshold_mean: float
    peer_threshold_sd: Pos
    group_size: Annotated[int, Field(ge=1, le=1000)]
    global_visibility: Share
    initial_agitation_factor: Pos
    onlooker_hardship: Share
    agitation_rate_per_min: Pos
    waiting_stress_per_hour: Pos
    waiting_stress_max: Pos
    listened_relief_per_hour: Pos
    provocation_half_life_min: Annotated[float, Field(gt=0)]
    rumour_stress: Pos
    heat_stress_per_10_at: Pos
    thirst_stress_per_10_at: Pos
    comfort_at_f: float
    broken_promise_stress: Pos
    failed_talks_stress: Pos
    vocal_share: Share
    state_exit_share: Share
    blocking_people_per_m: Pos
    blocking_min_people: Annotated[int, Field(ge=1)]
    reblock_share: Share
    reblock_per_hour: Pos
    block_hold_min: Pos
    fatigue_leave_per_hour: Pos
    fatigue_growth_per_hour: Pos
    heat_leave_per_10_at: Pos
    satisfied_leave_per_hour: Pos
    hard_core_satisfied_x: Pos
    onlooker_leave_per_hour: Pos
    onlooker_rumour_boost: Pos
    cleared_share: Share
    representatives_max: Annotated[int, Field(ge=1, le=50)]


class ScuffleParams(_Section):
    contact_per_active_hour: Pos
    forceful_contact_x: Pos
    mean_episode_min: Annotated[float, Field(gt=0)]
    force_extends_min: Pos
    injury_per_contact: Share
    forceful_injury_x: Pos
    contact_per_officer: Pos
    escalated_window_min: Pos


class LegitimacyParams(_Section):
    waiting_loss_per_min: Pos
    explanation_gain_per_staff_min: Pos
    talks_gain_per_min: Pos
    commitment_gain: Share
    water_gain: Share
    force_loss: Share
    targeted_loss: Share
    rumour_loss: Share
    broken_promise_loss: Share
    floor: Share
    ceiling: Share


class HealthParams(_Section):
    ppr_per_1000: Pos
    reference_hours: Annotated[float, Field(gt=0)]
    heat_ratio_per_10_at: Pos
    heat_reference_f: float
    no_water_ratio: Pos
    elderly_ratio: Pos
    transport_share: Share
    on_site_response_min: Pair
    dispatch_min: Pos
    treatment_min: Pair


class EstimateParams(_Section):
    first_report_sd: Pos
    verified_sd: Pos
    intel_sd: Pos
    first_report_bias: Annotated[float, Field(gt=0, le=10)]


class CommandParams(_Section):
    first_report_min: Pair
    report_drafting_min: Pair
    answer_min: Pair
    leader_travel_min: Pos


class CommsParams(_Section):
    latency_min: Pos
    latency_sigma: Pos
    loss_prob: Annotated[float, Field(ge=0, lt=1)]
    ack_timeout_min: Annotated[float, Field(gt=0)]
    late_after_min: Pos


class FamiliarityParams(_Section):
    slowdown: Pos
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
    delay_jitter: Pair


class OrderParams(_Section):
    cordon_staff_min: Pos
    disperse_per_officer_hour: Pos
    patrol_every_min: Annotated[float, Field(gt=0)]
    force_agitation_shock: Share
    forceful_deterrence_x: Pos
    targeted_removals: Annotated[int, Field(ge=0)]
    forceful_clear_share: Share
    security_deterrence_x: Pos
    reinforcement_travel_min: Pos


class DialogueParams(_Section):
    explain_staff_min_per_person: Pos
    explain_staff_min_least: Pos
    explain_staff_max: Annotated[float, Field(gt=0)]
    no_loudspeaker_efficiency: Share
    no_room_efficiency: Share
    agitation_drag: Pos
    leader_absent_efficiency: Share
    loudspeaker_fail_per_hour: Pos


class TalksParams(_Section):
    negotiators_max: Annotated[float, Field(gt=0)]
    understaffed_exponent: Annotated[float, Field(ge=0, le=1)]
    base_logit: float
    leader_logit: float
    top_leader_logit: float
    top_leader_missing_logit: float
    answers_logit: float
    loudspeaker_logit: float
    agitation_logit: float
    legitimacy_logit: float
    demand_logit: float
    retry_work_share: Annotated[float, Field(gt=0, le=1)]
    retry_pause_min: Pos


class PersuasionParams(_Section):
    per_staff_hour: Pos
    after_commitment_x: Pos
    no_vehicle_efficiency: Share
    resist_agitation: Share


class LogisticsParams(_Section):
    water_portions_per_person_hour: Pos
    room_setup_min: Pos
    replacement_min: Pair


class RumourParams(_Section):
    spread_per_min: Pos
    debunk_per_min: Pos
    stifle_per_min: Pos
    seed_share: Share
    escalation_seed_share: Share
    statement_spread_per_min: Pos
    statement_seed_share: Share
    monitoring_every_min: Annotated[float, Field(gt=0)]
    substeps: Annotated[int, Field(ge=1, le=100)]


class Parameters(_Section):
    """All model parameters, by section (see the YAML file for sources)."""

    tick_min: Annotated[float, Field(gt=0, le=10)]
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
    uncertain: dict[str, Range] = Field(default_factory=dict)
    """Constants whose value is uncertain: dotted name to the plausible range [low, high].

    Sensitivity analysis samples these ranges; calibration reports them."""

    @model_validator(mode="after")
    def _uncertain_names(self) -> Parameters:
        for name, span in self.uncertain.items():
            value = self.value_of(name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError(f"uncertain: {name} is not a numeric parameter")
            if not span.low <= value <= span.high:
                raise ValueError(f"uncertain: {name} = {value} lies outside its range "
                                 f"[{span.low}, {span.high}]")
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
