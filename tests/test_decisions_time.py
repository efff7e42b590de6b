"""Decisions by time: decisions.yaml keeps each choice's simulated time, and a replay under
another plan applies it at that time (or at the first later moment it is possible, said in
the event log), not at the decision point with the same number."""

from __future__ import annotations

import pandas as pd

from sim.core.loading import load_drill
from sim.engine.session import Decision, DrillSession, load_decisions, save_decisions
from tests.conftest import call_cli


def _drive(session: DrillSession, wanted: dict[float, tuple[str, dict]]) -> None:
    """Take the plan's option everywhere, but ``wanted[t]`` at the point at time ``t``."""
    while (point := session.next_point()) is not None:
        opts = session.options(point)
        want = next((w for t, w in wanted.items() if abs(t - point.t_min) < 1e-6), None)
        chosen = next((o for o in opts if want and (o.action, o.args) == want), None)
        session.decide(point, chosen or next(o for o in opts if o.prescribed))


def _decisions(events: pd.DataFrame, action: str) -> list[float]:
    rows = events[(events["kind"] == "decision") & (events["subject"] == action)]
    return [round(float(t), 3) for t in rows["t_min"]]


def test_a_decision_at_t30_is_applied_at_t30_under_another_plan(tmp_path):
    # under linxiang the pause at T+30 is the 4th decision point; under enterprise the 3rd
    session = DrillSession(load_drill("gate-blockade"), 4, pause_every_min=30,
                           stop_at_decisions=True)
    _drive(session, {30.0: ("posture", {"team": "order", "posture": "forceful"})})
    save_decisions(tmp_path / "d.yaml", session, "linxiang")
    meta, recorded = load_decisions(tmp_path / "d.yaml")
    posture = next(d for d in recorded if d.action == "posture")
    assert posture.t_min == 30.0 and posture.trigger == "pause"
    assert posture.point == 4

    res = call_cli("run", "gate-blockade", "--plan", "enterprise", "--decisions",
                   str(tmp_path / "d.yaml"), "--formats", "md", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    events = pd.read_csv(tmp_path / "o" / "events.csv")
    assert _decisions(events, "posture") == [30.0]
    replayed = load_decisions(tmp_path / "o" / "decisions.yaml")[1]
    moved = next(d for d in replayed if d.action == "posture")
    assert moved.t_min == 30.0 and moved.point != posture.point


def test_a_decision_at_a_point_the_other_plan_lacks_is_applied_at_its_time():
    # linxiang declares level III at about T+26.4; enterprise has no level III
    session = DrillSession(load_drill("gate-blockade"), 4, stop_at_decisions=True)
    level_iii = None
    while (point := session.next_point()) is not None:
        opts = session.options(point)
        if (point.kind, point.ref) == ("level", "III"):
            level_iii = point.t_min
            session.decide(point, next(o for o in opts if o.action == "statement"), "early word")
        else:
            session.decide(point, next(o for o in opts if o.prescribed))
    assert level_iii is not None
    other = DrillSession(load_drill("gate-blockade", "enterprise"), 4, stop_at_decisions=True)
    warnings = other.replay(session.decisions)
    assert warnings == []
    r = other.result()
    applied = _decisions(r.events, "statement")
    assert len(applied) == 1 and abs(applied[0] - level_iii) < 2e-3
    row = r.decisions[r.decisions["action"] == "statement"].iloc[0]
    assert row["note"] == "early word"
    # recorded as a point made at its time: the facilitator's pause, not a scheduled one
    assert next(d for d in other.decisions if d.action == "statement").trigger == "time"
    assert row["trigger"] == "time"


def test_a_decision_not_possible_at_its_time_waits_for_the_nearest_moment_and_says_so():
    # recorded at T+10 (in another run): recall the dialogue team, which here is on site
    # only later
    recall = Decision(1, 10.0, "time", "", "recall", {"team": "dialogue"})
    other = DrillSession(load_drill("gate-blockade"), 4, stop_at_decisions=True)
    warnings = other.replay([recall])
    r = other.result()
    applied = _decisions(r.events, "recall")
    assert len(applied) == 1 and applied[0] > 10.0
    dialogue_on_site = r.teams.set_index("team").loc["dialogue", "on_site_min"]
    assert abs(applied[0] - dialogue_on_site) <= 1.0 + 1e-6
    assert any("not possible then" in str(w) for w in warnings)
    assert [w.kind for w in warnings] == ["waits", "moved"] and "撤回" in warnings[0].label_zh
    detail = r.events[(r.events["kind"] == "decision") & (r.events["subject"] == "recall")]
    assert "recorded at T+10" in detail["detail"].iloc[0]
    assert "顺延" in r.decisions.loc[r.decisions["action"] == "recall", "label_zh"].iloc[0]


def test_several_choices_at_one_point_replay_identically():
    session = DrillSession(load_drill("gate-blockade"), 5, stop_at_decisions=True)
    first = True
    while (point := session.next_point()) is not None:
        opts = session.options(point)
        if first:
            session.decide(point, next(o for o in opts if o.action == "statement"))
            session.decide(point, next(o for o in session.options(point)
                                       if o.action == "send_leader"))
            first = False
        else:
            session.decide(point, next(o for o in opts if o.prescribed))
    session.next_point(until=0)  # nothing further
    a = session.result().events
    other = DrillSession(load_drill("gate-blockade"), 5, stop_at_decisions=True)
    assert other.replay(session.decisions) == []
    b = other.result().events
    pd.testing.assert_frame_equal(a, b)
    assert len(_decisions(b, "statement")) == 1 and len(_decisions(b, "send_leader")) == 1


def test_a_choice_a_replay_could_not_apply_is_kept_so_replaying_again_gives_the_same_run(
        tmp_path):
    (tmp_path / "d.yaml").write_text(
        "scenario: gate-blockade\nplan: linxiang\nseed: 4\ndecisions:\n"
        "  - {point: 1, t_min: 100, trigger: time, ref: '', action: skip_inject, "
        "args: {inject: GB-1}, note: too late to skip}\n"
        "  - {point: 2, t_min: 10, trigger: time, ref: '', action: statement, args: {}, "
        "note: early word}\n", encoding="utf-8")
    first = call_cli("run", "gate-blockade", "--decisions", str(tmp_path / "d.yaml"),
                     "--formats", "md", "--out", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    kept = load_decisions(tmp_path / "a" / "decisions.yaml")[1]
    skip = [d for d in kept if d.action == "skip_inject"]
    assert len(skip) == 1 and skip[0].note == "too late to skip" and skip[0].t_min == 100
    again = call_cli("run", "gate-blockade", "--decisions", str(tmp_path / "a" / "decisions.yaml"),
                     "--formats", "md", "--out", str(tmp_path / "b"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "a" / "events.csv").read_bytes() == \
        (tmp_path / "b" / "events.csv").read_bytes()


def test_a_commitment_on_any_terms_is_applied_with_its_terms(tmp_path):
    session = DrillSession(load_drill("gate-blockade"), 4, stop_at_decisions=True)
    recorded = [Decision(1, 120.0, "time", "", "commitment", {"within_days": 15})]
    assert session.replay(recorded) == []
    r = session.result()
    row = r.events[(r.events["kind"] == "decision") & (r.events["subject"] == "commitment")]
    assert len(row) == 1 and "within 15 days" in row["detail"].iloc[0]


def test_facilitator_controls_are_told_apart_from_the_trainees_decisions(tmp_path):
    from reports.content import build
    from reports.render_md import render

    session = DrillSession(load_drill("gate-blockade"), 4, stop_at_decisions=True)
    recorded = [Decision(1, 10.0, "time", "", "statement", {}, "early word"),
                Decision(2, 20.0, "time", "", "add_inject", {"kind": "agitation"}),
                Decision(3, 300.0, "time", "", "commitment", {"within_days": 15})]
    session.replay(recorded)
    r = session.result()
    plain = DrillSession(load_drill("gate-blockade"), 4).run_to_end()
    text = render(build(r, "en", charts=False, baseline=plain))
    section = text.split("Decisions")[1] if "Decisions" in text else text
    assert "the trainees took 1 decision other than the plan's, and the facilitator made " \
           "1 control" in section
    assert "add an inject: someone stirs the crowd up (the facilitator's control)" in section
    assert "not the trainees' decisions" in section
    bullets = [line for line in section.splitlines() if line.startswith("- At ")]
    assert bullets and not any("stirs" in line for line in bullets)   # no effect claimed
    assert "commit to an answer within 15 days" in section   # unapplied, in words
    assert "within_days" not in text


def test_the_readmes_decisions_file_replays_as_written(tmp_path):
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("A file written by hand", 1)[1].split("```yaml\n", 1)[1]
    (tmp_path / "d.yaml").write_text(block.split("```", 1)[0], encoding="utf-8")
    res = call_cli("run", "gate-blockade", "--decisions", str(tmp_path / "d.yaml"),
                   "--formats", "md", "--out", str(tmp_path / "o"))
    assert res.returncode == 0 and "warning" not in res.stderr, res.stderr


def test_observers_notes_carry_the_clock_as_every_table_does():
    from reports.content import build
    from reports.render_md import render

    session = DrillSession(load_drill("gate-blockade"), 4, stop_at_decisions=True)
    session.notes = [{"t_min": 36.2, "author": "obs", "text": "the line held"}]
    session.run_to_end()
    text = render(build(session.result(), "en", charts=False))
    assert "| 09:36 (T+36) | obs | the line held |" in text
