"""Evidence in its window: a challenge counts against a task only when it happened while the
task was under way and concerned it."""

from __future__ import annotations

import pytest

from reports.evaluation import evaluate
from sim.core.loading import load_drill
from sim.core.types import EventKind
from sim.engine import simulate

K = EventKind


def _check(r) -> int:
    """Assert no challenge is dated after the end of its task (or before its start); return
    how many challenges were checked."""
    e = evaluate(r)
    ev = r.events
    n = 0
    for t in e.tasks:
        window = t.detail.get("window")
        for i in t.challenges:
            at = float(ev.loc[i, "t_min"])
            n += 1
            if t.measured_min is not None and t.key not in ("restraint", "medical"):
                assert at <= t.measured_min + 1e-6, (r.seed, t.id, at, t.measured_min)
            if window is not None:
                assert at >= window[0] - 1e-6, (r.seed, t.id, at, window)
            if t.key == "team_on_site":
                # only the orders that sent this team, and its own mobilisation
                row = ev.loc[i]
                assert row.kind in (K.SLIP_LATE.value, K.MESSAGE_LATE.value,
                                    K.MESSAGE_LOST.value, K.MESSAGE_MISDIRECTED.value)
                if row.kind == K.SLIP_LATE.value:
                    assert row.actor == t.subject
                else:
                    assert row.subject == t.subject
    return n


def test_no_challenge_is_dated_after_the_end_of_its_task_over_50_seeds():
    checked = 0
    for k, scenario in enumerate(("gate-blockade", "large-sit-in")):
        inputs = load_drill(scenario, None, [])
        for seed in range(25):
            checked += _check(simulate(inputs, 100 * k + seed))
    assert checked > 0  # the rule had something to act on


@pytest.mark.parametrize("seed", range(3))
def test_a_late_answer_to_the_talks_is_not_charged_to_the_dialogue_teams_arrival(seed):
    r = simulate(load_drill("gate-blockade", None, []), seed)
    e = evaluate(r)
    arrival = next(t for t in e.tasks if t.id == "team_on_site:dialogue")
    for i in arrival.challenges:
        assert float(r.events.loc[i, "t_min"]) <= arrival.measured_min
