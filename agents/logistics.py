"""The logistics team (后勤保障组): reception room, water and food, vehicles, spare kit.

Read aloud: on arrival the team opens the reception room for talks and hands out water;
when water runs out it says so; when another team's item fails it brings a spare if it
has one.
"""

from __future__ import annotations

from sim.core.rng import uniform
from sim.core.types import Capability, Cause, Equipment, EventKind, Task
from sim.core.world import TeamState, World


def logistics(world: World, team: TeamState):
    """Work of a logistics team on site."""
    env, p, s = world.env, world.params.logistics, world.state
    if team.stock.get(Equipment.WATER, 0) > 0:
        provide_water(world, team.id, "water handed out to the crowd")
    else:
        world.log(team.id, EventKind.EQUIPMENT_SHORTAGE, f"{team.id} has no water to hand out",
                  "water")
    env.process(_water_supply(world, team))
    env.process(_meal(world, team))
    yield from world.task(team, Task.ROOM, p.room_setup_min * world.slowdown(team))
    s.room = True
    world.log(team.id, EventKind.ROOM_READY, "reception room ready for talks", "room")


def provide_water(world: World, by: str, detail: str) -> None:
    """Water reaches the crowd (the plan's logistics or the trainees' order)."""
    s = world.state
    if s.water:
        return
    s.water = True
    world.legitimacy.gain("water", world.params.legitimacy.water_gain)
    world.cause_events.append(Cause.WATER)
    world.log(by, EventKind.WATER_PROVIDED, detail, "water")


def _water_supply(world: World, team: TeamState):
    """Hand out water each tick until the stock runs out."""
    p, s = world.params.logistics, world.state
    stock = float(team.stock.get(Equipment.WATER, 0))
    while s.water and not s.cleared:
        yield world.env.timeout(world.params.tick_min)
        if not team.on_site:  # recalled: nobody hands out water
            s.water = False
            break
        people = world.crowd.present_petitioners()
        stock -= people * p.water_portions_per_person_hour / 60.0 * world.params.tick_min
        if stock <= 0:
            s.water = False
            team.stock[Equipment.WATER] = 0
            world.log(team.id, EventKind.SUPPLY_EXHAUSTED, "water has run out", "water")


def _meal(world: World, team: TeamState):
    """Food for a crowd that has stood there through a meal time, while the stock lasts."""
    p, s = world.params.logistics, world.state
    yield world.env.timeout(max(0.0, p.food_after_min - world.now))
    if s.cleared or not team.on_site:
        return
    people = world.crowd.present_petitioners()
    if team.stock.get(Equipment.FOOD, 0) <= 0:
        world.log(team.id, EventKind.EQUIPMENT_SHORTAGE, f"{team.id} has no food to hand out",
                  Equipment.FOOD.value)
        return
    served = min(people, team.stock[Equipment.FOOD])
    team.stock[Equipment.FOOD] -= served
    world.legitimacy.gain("food", p.food_gain * (served / max(people, 1)))
    world.log(team.id, EventKind.FOOD_PROVIDED, f"{team.id} hands out food to {served} people",
              Equipment.FOOD.value, served)


def request_replacement(world: World, team: TeamState, item: Equipment):
    """``team`` asks logistics for a spare ``item``; logistics brings one if it has it."""
    log_teams = [t for t in world.teams.values() if Capability.LOGISTICS in t.cfg.capabilities
                 and t is not team]
    t_failed = world.now
    if not log_teams:
        world.log(team.id, EventKind.NO_SPARE,
                  f"no logistics team to replace {team.id}'s {item.value}", item.value)
        return
    supplier = log_teams[0]
    yield world.comms.send(team.id, supplier.id, f"spare {item.value}", team.familiarity)
    if not supplier.dispatched.triggered:
        supplier.dispatched.succeed()
        world.log(supplier.id, EventKind.DISPATCHED, f"{supplier.id} sent for on {team.id}'s request",
                  supplier.id)
    yield supplier.arrived
    if supplier.working(item) <= 0:
        world.log(supplier.id, EventKind.EQUIPMENT_SHORTAGE,
                  f"{supplier.id} has no spare {item.value} for {team.id}", item.value)
        return
    yield world.env.timeout(uniform(world.rng.equipment, world.params.logistics.replacement_min)
                            * world.slowdown(supplier))
    supplier.stock[item] -= 1
    team.broken[item] = max(0, team.broken.get(item, 0) - 1)
    supplier.kit_changed()
    team.kit_changed()
    world.log(supplier.id, EventKind.EQUIPMENT_REPLACED,
              f"spare {item.value} brought to {team.id}, {world.now - t_failed:.0f} min after "
              "the failure", item.value, world.now - t_failed)
