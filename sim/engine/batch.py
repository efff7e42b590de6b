"""Several replications of one plan run side by side, their crowds stepped as one batch.

Each drill keeps its own SimPy environment, world and random streams. The runner advances
each environment until its tick asks for its crowd to be stepped (a
:class:`~sim.engine.build.CrowdTurn`) or the drill ends; then every waiting crowd is
stepped in one :class:`~agents.crowd_tick.CrowdBatch` call, and each tick is resumed with
its outcome ahead of every other event of that instant. Each drill therefore sees exactly the events, in the
same order, and the same draws as when it runs alone: the metrics are identical to
:func:`sim.engine.simulate_metrics` for the same seed (tested), only cheaper, since the
crowd's fixed cost per tick is paid once for the batch.

A drill that fails is reported as its exception and leaves the batch; the others go on. If
the shared crowd step itself fails, every drill in it is run again alone, so that each
outcome is still the one the drill has on its own, whatever the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agents.crowd_tick import CrowdBatch, TickOutcome
from sim.core.loading import DrillInputs
from sim.core.result import run_metrics
from sim.engine.build import CrowdTurn
from sim.engine.session import DrillSession, simulate_metrics

BATCH_SIZE = 32
"""Replications stepped together by default: enough that the crowd's fixed cost per tick
is small beside the rest of a drill (``bench/bench_compare.py --batch`` measures it)."""

BATCH_PEOPLE = 20_000
"""Most people (every row's crowd together) in one batch: past this the fixed cost per tick
is shared already, so a larger batch is no faster (measured at 5,000-6,500 people a drill)
and only makes progress come in large jumps."""


def batch_size(inputs: DrillInputs, batch: int = BATCH_SIZE) -> int:
    """Replications of ``inputs`` to step together: ``batch``, fewer for large crowds
    (:data:`BATCH_PEOPLE`), at least 1."""
    sc = inputs.scenario
    people = int(sc.crowd.mobilised.high) + sc.late_arrivals + int(sc.crowd.onlookers.max)
    return max(1, min(batch, BATCH_PEOPLE // max(1, people)))


def _alone(inputs: DrillInputs, seed: int) -> dict[str, Any] | BaseException:
    """The outcome of one drill run on its own: its metrics or its exception."""
    try:
        return simulate_metrics(inputs, seed)
    except Exception as exc:
        return exc


class _Drill:
    """One replication in a batch."""

    def __init__(self, inputs: DrillInputs, seed: int):
        self.seed = seed
        self.turns: list[CrowdTurn] = []
        self.session = DrillSession(inputs, seed, crowd_turns=self.turns)
        env = self.session.world.env
        # what a plain run stops on (DrillSession.next_point with no decision to make)
        self.stop = env.any_of([env.event(), self.session.end])
        self.outcome: tuple[CrowdTurn, TickOutcome] | None = None

    def advance(self) -> CrowdTurn | None:
        """Go on with the last crowd step's outcome (if any) and run until the tick waits for
        its crowd (returned) or the drill ends (None)."""
        env, turns, stop = self.session.world.env, self.turns, self.stop
        if self.outcome is not None:
            # the tick resumes first, as if its crowd had been stepped in the tick itself
            turn, out = self.outcome
            self.outcome = None
            turn.tick.resume(out)
        while not turns:
            if stop.processed:
                return None
            env.step()
        return turns.pop()


def simulate_metrics_batch(inputs: DrillInputs, seeds: Sequence[int],
                           done: Callable[[int, dict[str, Any] | BaseException], None] | None = None,
                           ) -> list[dict[str, Any] | BaseException]:
    """The metrics of one drill per seed (in order), from a run with every crowd stepped in
    one batch; a drill that raised gives its exception in its place. ``done(i, outcome)``
    is called as each drill ends."""
    outcomes: list[dict[str, Any] | BaseException | None] = [None] * len(seeds)
    drills: list[tuple[int, _Drill]] = []
    for i, seed in enumerate(seeds):
        try:
            drills.append((i, _Drill(inputs, seed)))
        except Exception as exc:  # reported in its place, never dropped
            outcomes[i] = exc
            if done is not None:
                done(i, exc)
    if not drills:
        return outcomes  # type: ignore[return-value]
    batch = CrowdBatch([d.session.world.crowd for _, d in drills])

    def finish(i: int, drill: _Drill, outcome: dict[str, Any] | BaseException) -> None:
        outcomes[i] = outcome
        batch.remove(drill.session.world.crowd)
        if done is not None:
            done(i, outcome)

    live = drills
    while live:
        waiting: list[tuple[int, _Drill, CrowdTurn]] = []
        for i, drill in live:
            try:
                turn = drill.advance()
                if turn is None:
                    finish(i, drill, run_metrics(drill.session.world, inputs, drill.seed))
                else:
                    waiting.append((i, drill, turn))
            except Exception as exc:
                finish(i, drill, exc)
        live = [(i, d) for i, d, _ in waiting]
        if not waiting:
            break
        world = waiting[0][1].session.world
        try:
            steps = batch.step(world.now, world.params.tick_min,
                               [turn.drivers for *_, turn in waiting],
                               [d.session.world.rng.dynamics for _, d, _ in waiting])
        except Exception:
            # the step is shared: which drill made it fail cannot be told, so each is run
            # again alone and gets the outcome it has on its own
            for i, drill, _ in waiting:
                finish(i, drill, _alone(inputs, drill.seed))
            break
        for (_, drill, turn), out in zip(waiting, steps, strict=True):
            drill.outcome = (turn, out)
    return outcomes  # type: ignore[return-value]
