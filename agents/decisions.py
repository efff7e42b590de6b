"""What trainees can decide at a decision point, and what each choice does to the drill.

Each action is a function ``(world, **args)`` applied at the moment of the decision. The
options offered are those the plan allows at that moment (a team not yet sent can be sent, a
team on site can be recalled, and so on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.command import request_reinforcement
from agents.injects import fire
from agents.leaders import commit, leader_arrives, top_leader_arrives
from agents.logistics import provide_water
from agents.publicity import issue_statement
from agents.teams import order_to_go
from sim.core.config import HealthInject, Inject, ProvocationInject, RumourInject
from sim.core.types import (
    Capability,
    Equipment,
    EventKind,
    InjectKind,
    Posture,
    ReleasePolicy,
    TeamStatus,
)
from sim.core.world import World


@dataclass(frozen=True)
class Option:
    """One choice at a decision point.

    Attributes:
        action: the action's name (a key of :data:`ACTIONS`).
        args: its arguments (team id, posture, minutes...).
        label_zh, label_en: what the facilitator sees.
        prescribed: this is what the plan itself prescribes here (the default).
    """

    action: str
    args: dict[str, Any] = field(default_factory=dict)
    label_zh: str = ""
    label_en: str = ""
    prescribed: bool = False

    def key(self) -> tuple:
        return (self.action, tuple(sorted(self.args.items())))


def _team_label(world: World, tid: str) -> tuple[str, str]:
    """A team's name (its id when the plan has no such team: a choice recorded elsewhere)."""
    t = world.plan.teams.get(tid)
    return (t.name.zh, t.name.en) if t is not None else (tid, tid)


ADDED_KINDS = {"health_incident": ("现场有人晕倒", "someone collapses"),
               "rumour": ("网上出现新的不实信息", "a new false post goes online"),
               "agitation": ("有人起哄，情绪激化", "someone stirs the crowd up")}
"""The kinds of inject a facilitator can add on the spot, in words."""


def label(world: World, action: str, args: dict[str, Any]) -> tuple[str, str]:
    """The words (zh, en) for a choice: what the facilitator sees, and what a report says of
    a recorded choice, applied or not."""
    zh, en = _team_label(world, str(args["team"])) if "team" in args else ("", "")
    if action == "wait":
        return "按预案继续（预案规定的处置自动进行）", "carry on with the plan (its own response goes on)"
    if action == "dispatch":
        return f"派出{zh}", f"dispatch {en}"
    if action == "recall":
        return f"撤回{zh}", f"recall {en}"
    if action == "reinforcement":
        team = world.plan.teams.get(str(args["team"]))
        size = team.reinforcement.size if team is not None and team.reinforcement else ""
        return f"请求增派警力{size}人", f"request {size} reinforcing officers"
    if action == "posture":
        forceful = args["posture"] == Posture.FORCEFUL.value
        return (f"{zh}改为{'强制' if forceful else '克制'}处置",
                f"{en}: switch to a {args['posture']} posture")
    if action == "send_leader":
        return "请涉事单位负责人立即到场", "send the responsible unit's leader now"
    if action == "send_top_leader":
        return "请主要领导到场接见群众", "send the top leader to meet the crowd"
    if action == "water":
        return "向群众提供饮用水", "provide water"
    if action == "statement":
        silent = world.plan.publicity.release_policy is ReleasePolicy.SILENT
        return ("发布权威信息" + ("（预案规定原则上不对外发布）" if silent else ""),
                "issue an official statement" + (" (the plan says no publicity)" if silent else ""))
    if action == "commitment":
        days = args["within_days"]
        return f"作出承诺：{days}日内答复", f"commit to an answer within {days} days"
    if action == "skip_inject":
        return f"跳过注入{args['inject']}", f"skip inject {args['inject']}"
    kind_zh, kind_en = ADDED_KINDS.get(str(args.get("kind")), (args.get("kind"), args.get("kind")))
    return f"临时注入：{kind_zh}", f"add an inject: {kind_en}"


def _option(world: World, action: str, args: dict[str, Any] | None = None,
            prescribed: bool = False) -> Option:
    args = args or {}
    return Option(action, args, *label(world, action, args), prescribed)


def options(world: World) -> list[Option]:
    """The options the plan allows now; carrying on with the plan is marked as its choice."""
    s, out = world.state, []
    # the responders already act as the plan prescribes, so carrying on is the plan's choice:
    # taking it at every point gives exactly the plain run
    out.append(_option(world, "wait", prescribed=True))
    for tid, team in world.teams.items():
        if not (team.dispatched.triggered or team.ordered or team.cfg.prepositioned):
            out.append(_option(world, "dispatch", {"team": tid}))
        elif team.on_site and Capability.COMMAND not in team.cfg.capabilities:
            out.append(_option(world, "recall", {"team": tid}))
    for team in world.teams_with(Capability.ORDER):
        if team.cfg.reinforcement and not team.reinforcement_requested:
            out.append(_option(world, "reinforcement", {"team": team.id}))
        now = world.posture(team.id)
        other = Posture.FORCEFUL if now is Posture.RESTRAINED else Posture.RESTRAINED
        out.append(_option(world, "posture", {"team": team.id, "posture": other.value}))
    if not s.leader_on_site:
        out.append(_option(world, "send_leader"))
    if s.demand_top_leader and not s.top_leader_on_site:
        out.append(_option(world, "send_top_leader"))
    if not s.water and any(t.stock.get(Equipment.WATER, 0) > 0
                           for t in world.teams_with(Capability.LOGISTICS)):
        out.append(_option(world, "water"))
    if not s.statement_out:
        out.append(_option(world, "statement"))
    if not s.commitment and s.dialogue_started:
        out.append(commitment(world, world.params.facilitator.commitment_days))
    for item in world.scenario.injects:
        if item.id not in world.fired and item.id not in world.skipped:
            out.append(_option(world, "skip_inject", {"inject": item.id}))
    for kind in ADDED_KINDS:
        out.append(_option(world, "add_inject", {"kind": kind}))
    return out


def commitment(world: World, days: int) -> Option:
    """The choice to commit to an answer within ``days`` days (the term is the commitment's
    wording; whatever it is, a commitment is made)."""
    return _option(world, "commitment", {"within_days": days})


ACTION_NAMES = ("wait", "dispatch", "recall", "reinforcement", "posture", "send_leader",
                "send_top_leader", "water", "statement", "commitment", "skip_inject", "add_inject")
"""Every action a decision can take (the keys :func:`apply` understands)."""
ADDABLE = tuple(ADDED_KINDS)
"""Kinds of inject a facilitator can add on the spot."""


def check_args(action: str, args: dict[str, Any]) -> str | None:
    """What is wrong with a recorded action's arguments (None when they are well formed)."""
    need = {"dispatch": ("team",), "recall": ("team",), "reinforcement": ("team",),
            "posture": ("team", "posture"), "commitment": ("within_days",),
            "skip_inject": ("inject",), "add_inject": ("kind",)}.get(action, ())
    missing = [k for k in need if k not in args]
    if missing:
        return f"{action} needs {', '.join(missing)}"
    extra = [k for k in args if k not in need]
    if extra:
        return f"{action} takes no {', '.join(extra)}"
    for key in ("team", "inject"):
        if key in args and not isinstance(args[key], str):
            return f"{key} must be an id (text), got {args[key]!r}"
    if action == "posture" and args["posture"] not in {p.value for p in Posture}:
        return f"posture must be restrained or forceful, got {args['posture']!r}"
    if action == "commitment" and (not isinstance(args["within_days"], int)
                                   or isinstance(args["within_days"], bool)
                                   or args["within_days"] < 1):
        return f"within_days must be a whole number of days, got {args['within_days']!r}"
    if action == "add_inject" and args["kind"] not in ADDABLE:
        return f"kind must be one of {', '.join(ADDABLE)}, got {args['kind']!r}"
    return None


# ----------------------------------------------------------------------------- effects


def apply(world: World, action: str, args: dict[str, Any]) -> str:
    """Carry out a decision now; returns an English description for the event log."""
    env = world.env
    cmd = world.plan.command.team
    if action == "wait":
        return "carry on with the plan"
    if action == "dispatch":
        env.process(order_to_go(world, args["team"], cmd, "trainees' decision"))
        return f"dispatch {args['team']}"
    if action == "recall":
        recall(world, args["team"])
        return f"recall {args['team']}"
    if action == "reinforcement":
        env.process(request_reinforcement(world, args["team"]))
        return f"request reinforcement for {args['team']}"
    if action == "posture":
        world.set_posture(args["team"], Posture(args["posture"]))
        return f"{args['team']} switches to a {args['posture']} posture"
    if action == "send_leader":
        env.process(_leader_arrives(world, top=False))
        return "send the responsible unit's leader"
    if action == "send_top_leader":
        env.process(_leader_arrives(world, top=True))
        return "send the top leader"
    if action == "water":
        for team in world.teams_with(Capability.LOGISTICS):
            if team.stock.get(Equipment.WATER, 0) > 0:
                if team.on_site:
                    provide_water(world, team.id, "water handed out on the trainees' order")
                elif not team.dispatched.triggered:
                    env.process(order_to_go(world, team.id, cmd, "water"))
                break
        return "provide water"
    if action == "statement":
        issue_statement(world, world.plan.publicity.team)
        return "issue an official statement"
    if action == "commitment":
        commit(world, cmd, f"commitment made: an answer within {args['within_days']} days")
        return f"commit to an answer within {args['within_days']} days"
    if action == "skip_inject":
        world.skipped.add(args["inject"])
        return f"skip inject {args['inject']}"
    if action == "add_inject":
        f = world.params.facilitator
        n = len(world.added_injects) + 1
        kind = InjectKind(args["kind"])
        common = {"id": f"F{n}", "at_min": round(world.now, 3), "kind": kind,
                  "note": "added by the facilitator"}
        item: Inject
        if kind is InjectKind.HEALTH_INCIDENT:
            item = HealthInject.model_validate(common | {"count": 1})
        elif kind is InjectKind.RUMOUR:
            item = RumourInject.model_validate(common | {"share": f.rumour_seed_share})
        else:
            item = ProvocationInject.model_validate(
                common | {"share": f.agitation_share, "delta": f.agitation_delta})
        world.added_injects.append(item)
        fire(world, item, "facilitator")
        return f"add inject {item.id} ({args['kind']})"
    raise ValueError(f"unknown action {action!r}")


def recall(world: World, tid: str) -> None:
    """Take a team off the site: its officers, persuasion and water stop."""
    team = world.teams[tid]
    if not team.on_site:
        return
    team.status = TeamStatus.STANDBY
    team.left.succeed()
    world.recalled.add(tid)
    world.log(tid, EventKind.RECALLED, f"{tid} recalled from the site", tid)


def _leader_arrives(world: World, top: bool):
    yield world.env.timeout(world.params.command.leader_travel_min)
    if top:
        top_leader_arrives(world)
    else:
        leader_arrives(world)
