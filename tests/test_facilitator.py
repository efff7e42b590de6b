"""Facilitated drills: decision points, the trainees' choices, decisions.yaml and replay."""

from __future__ import annotations

import re
import signal
import sys

import pandas as pd
import pexpect
import pytest
import yaml

from sim.core.loading import load_drill
from sim.engine.session import DrillSession, load_decisions
from tests.conftest import ROOT, call_cli

PROMPT = r"choice \[1-(\d+)\] \(Enter = (\d+)\): "
NOTE = r"note \(optional\): "
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, [str(ROOT / "run_drill.py"), "run", *args],
                         cwd=str(ROOT), encoding="utf-8", timeout=90, dimensions=(60, 160))


def option_number(screen: str, label: str) -> int | None:
    """The number shown before an option's label in the last options list on screen."""
    text = ANSI.sub("", screen)
    found = None
    for m in re.finditer(r"^\s*(\d+)\s+(.+?)\s*$", text, flags=re.M):
        if label in m.group(2):
            found = int(m.group(1))
    return found


def test_interactive_run_records_choices_and_replays_identically(tmp_path):
    out = tmp_path / "drill"
    child = spawn("gate-blockade", "--interactive", "--seed", "2", "--lang", "en",
                  "--pause-every", "60", "--formats", "md", "--out", str(out))
    choices, screens, reasked = [], [], False
    while True:
        k = child.expect([PROMPT, NOTE, pexpect.EOF])
        if k == 2:
            break
        if k == 1:
            child.sendline(f"note {len(choices)}")
            continue
        screen = child.before
        screens.append(screen)
        n, default = int(child.match.group(1)), int(child.match.group(2))
        step = len(choices)
        if step == 0:
            child.sendline("banana")            # not an option: asked again
            child.expect(PROMPT)
            reasked = "'banana' is not an option" in ANSI.sub("", child.before)
            child.sendline(str(n + 5))          # out of range: asked again
            child.expect(PROMPT)
            child.sendline("")                  # Enter: the plan's choice
            choices.append(("default", default))
        elif step == 1:
            skip = option_number(screen, "skip inject GB-3")
            assert skip is not None, "the pending inject GB-3 can be skipped"
            child.sendline(str(skip))
            choices.append(("skip", skip))
        elif step == 2:
            add = option_number(screen, "add an inject: someone collapses")
            child.sendline(str(add))
            choices.append(("add", add))
        else:
            child.sendline("")
            choices.append(("default", default))
    child.close()
    assert child.exitstatus == 0, child.before
    assert reasked
    assert len(choices) >= 4
    meta, decisions = load_decisions(out / "decisions.yaml")
    assert meta["seed"] == 2 and meta["pause_every_min"] == 60
    assert [d.note for d in decisions][:3] == ["note 1", "note 2", "note 3"]
    assert decisions[1].action == "skip_inject" and decisions[1].args == {"inject": "GB-3"}
    assert decisions[2].action == "add_inject"
    assert any(d.trigger == "pause" for d in decisions)
    events = pd.read_csv(out / "events.csv")
    assert (events["kind"] == "inject_skipped").any() or "GB-3" not in set(
        events.loc[events["kind"] == "inject", "subject"])
    assert "F1" in set(events.loc[events["kind"] == "inject", "subject"])

    replay = tmp_path / "replay"
    res = call_cli("run", "gate-blockade", "--decisions", str(out / "decisions.yaml"),
                   "--lang", "en", "--formats", "md", "--out", str(replay))
    assert res.returncode == 0, res.stderr
    assert "warning" not in res.stderr
    assert (out / "events.csv").read_bytes() == (replay / "events.csv").read_bytes()
    assert (out / "timeseries.csv").read_bytes() == (replay / "timeseries.csv").read_bytes()


def test_ctrl_c_saves_the_decisions_so_far(tmp_path):
    out = tmp_path / "drill"
    child = spawn("gate-blockade", "--interactive", "--seed", "3", "--lang", "en",
                  "--formats", "md", "--out", str(out))
    child.expect(PROMPT)
    child.sendline("")
    child.expect(NOTE)
    child.sendline("first")
    child.expect(PROMPT)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    data = yaml.safe_load((out / "decisions.yaml").read_text(encoding="utf-8"))
    assert len(data["decisions"]) == 1 and data["decisions"][0]["note"] == "first"


def test_replay_under_another_plan_warns_where_decisions_do_not_fit(tmp_path):
    inputs = load_drill("gate-blockade")
    session = DrillSession(inputs, 4, stop_at_decisions=True)
    while (point := session.next_point()) is not None:
        session.decide(point, next(o for o in session.options(point) if o.prescribed))
    from sim.engine.session import save_decisions

    save_decisions(tmp_path / "d.yaml", session, "linxiang")
    res = call_cli("run", "gate-blockade", "--plan", "enterprise", "--decisions",
                   str(tmp_path / "d.yaml"), "--formats", "md", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    assert "warning:" in res.stderr
    assert "recorded under plan 'linxiang'; replaying under 'enterprise'" in res.stderr
    assert (tmp_path / "o" / "events.csv").is_file()


def test_decision_points_come_from_decision_injects_and_level_changes():
    session = DrillSession(load_drill("gate-blockade"), 1, stop_at_decisions=True)
    kinds = []
    while (point := session.next_point()) is not None:
        kinds.append((point.kind, point.ref))
        opts = session.options(point)
        assert sum(o.prescribed for o in opts) == 1
        session.decide(point, next(o for o in opts if o.prescribed))
    assert ("inject", "GB-1") in kinds
    assert any(k == "level" for k, _ in kinds)


def test_options_follow_what_the_plan_allows():
    session = DrillSession(load_drill("gate-blockade"), 1, stop_at_decisions=True)
    point = session.next_point()
    actions = {(o.action, tuple(sorted(o.args.items()))) for o in session.options(point)}
    assert ("wait", ()) in actions
    # teams not yet sent can be sent; the prepositioned command post cannot
    assert ("dispatch", (("team", "dialogue"),)) in actions
    assert not any(a == "dispatch" and dict(args).get("team") == "command" for a, args in actions)
    assert ("reinforcement", (("team", "order"),)) in actions
    assert ("posture", (("posture", "forceful"), ("team", "order"))) in actions


@pytest.mark.parametrize("text, field", [
    ("decisions: 3\n", "decisions"),
    ("decisions:\n  - {point: one, t_min: 1, trigger: pause, action: wait}\n", "decisions.0.point"),
    ("seed: abc\ndecisions: []\n", "seed"),
    ("decisions:\n  - {point: 1, t_min: 1, trigger: pause, action: commitment,"
     " args: {within_days: soon}}\n", "decisions.0.args"),
    ("decisions:\n  - {point: 1, t_min: 1, trigger: pause, action: add_inject,"
     " args: {kind: bomb}}\n", "decisions.0.args"),
    ("decisions:\n  - {point: 1, t_min: 1, trigger: pause, action: fly}\n", "decisions.0.action"),
])
def test_bad_decisions_file_is_bad_input(tmp_path, text, field):
    path = tmp_path / "decisions.yaml"
    path.write_text(text, encoding="utf-8")
    res = call_cli("run", "gate-blockade", "--decisions", str(path), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert f"{path}:" in res.stderr and f" {field}:" in res.stderr
    assert "Traceback" not in res.stderr


def test_interactive_and_decisions_together_is_a_usage_error(tmp_path):
    res = call_cli("run", "gate-blockade", "--interactive", "--decisions", str(tmp_path / "x.yaml"))
    assert res.returncode == 2 and "not both" in res.stderr


def test_decisions_recorded_for_another_scenario_warn(tmp_path):
    path = tmp_path / "decisions.yaml"
    path.write_text("scenario: small-group\nplan: enterprise\nseed: 5\ndecisions: []\n",
                    encoding="utf-8")
    res = call_cli("run", "gate-blockade", "--decisions", str(path), "--formats", "md",
                   "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    assert "recorded for scenario 'small-group'" in res.stderr
    assert "recorded under plan 'enterprise'" in res.stderr


def test_taking_the_plan_choice_everywhere_gives_the_plain_run():
    from sim.engine import simulate

    for seed in (1, 2, 3):
        inputs = load_drill("gate-blockade")
        session = DrillSession(inputs, seed, pause_every_min=60, stop_at_decisions=True)
        facilitated = session.run_to_end().metrics
        plain = simulate(inputs, seed).metrics
        assert facilitated == plain
