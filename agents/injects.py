"""Scripted injects of the scenario (the master scenario events list).

Each inject is a process that waits for its time and then does what its kind says.
"""

from __future__ import annotations

from agents.dialogue import equipment_failed
from agents.medical import attend
from sim.config import Inject
from sim.types import InjectKind
from sim.world import World


def inject(world: World, item: Inject):
    """Fire ``item`` at its time."""
    env, s, crowd = world.env, world.state, world.crowd
    yield env.timeout(item.at_min)
    note = item.note or (item.message.en if item.message else "")
    world.log("exercise", "inject", f"inject {item.id} ({item.kind.value}) {note}".strip(),
              item.id)
    kind = item.kind
    if kind is InjectKind.ARRIVALS:
        n = crowd.schedule_arrivals(item.count or 0, world.now, item.duration_min or 0.0,
                                    world.rng.dynamics)
        world.log("crowd", "arrivals", f"{n} more petitioners on their way", item.id, n)
    elif kind in (InjectKind.BLOCK_GATE, InjectKind.AGITATION):
        n = crowd.shock(item.share if item.share is not None else 1.0,
                        item.delta if item.delta is not None else 0.2, world.rng.dynamics)
        if kind is InjectKind.BLOCK_GATE:
            s.gate_hold_until = world.now + world.params.crowd.block_hold_min
            world.log("crowd", "gate_blocked", f"{n} people block the gate", item.id, n)
        else:
            world.log("crowd", "agitation", f"{n} people provoked", item.id, n)
    elif kind is InjectKind.HEALTH_INCIDENT:
        people = crowd.fall_ill(item.count or 1, world.rng.health,
                                world.params.health.elderly_ratio)
        for _ in people:
            env.process(attend(world, injury=False))
    elif kind is InjectKind.EQUIPMENT_FAILURE:
        equipment_failed(world, world.teams[item.team], item.item, f"inject {item.id}")
    elif kind is InjectKind.RUMOUR:
        share = item.share if item.share is not None else world.params.rumour.seed_share
        world.rumour.seed(share)
        world.log("online", "rumour_posted", "a video of the scene is posted online", item.id, share)
    elif kind is InjectKind.COMMS_OUTAGE:
        world.comms.outage(item.duration_min)
        world.log("exercise", "comms_outage", f"channels down for {item.duration_min:g} min",
                  item.id, item.duration_min)
    elif kind is InjectKind.DEMAND_LEADER:
        s.demand_top_leader = True
        world.log("crowd", "demand_leader", "the crowd demands to see the top leader", item.id)
    elif kind is InjectKind.WEATHER:
        s.temperature_c = item.temperature_c
        world.log("exercise", "weather", f"temperature now {item.temperature_c:g} C", item.id,
                  item.temperature_c)
    elif kind is InjectKind.MESSAGE:
        yield world.comms.send("exercise", item.team, f"inject {item.id}")
        world.log(item.team, "message_received", f"{item.team} receives: {item.message.en}",
                  item.id)
