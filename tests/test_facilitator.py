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

PROMPT = r"trainees' choice \(keys; Enter = carry on\): "
NOTE = r"note \(optional\): "
CONTROL = r"facilitator's control \(keys; Enter = none\): "
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, [str(ROOT / "run_drill.py"), "run", *args],
                         cwd=str(ROOT), encoding="utf-8", timeout=90, dimensions=(200, 200))


def keys_on_screen(screen: str) -> dict[str, str]:
    """Option key to label, from the option tables on screen."""
    text = ANSI.sub("", screen)
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^\s*(\d|[a-z]\d*|\+[a-z])\s{2}(\S.*?)\s*$", text, flags=re.M)}


def test_interactive_panel_tells_the_room_and_records_choices_that_replay(tmp_path):
    out = tmp_path / "drill"
    child = spawn("gate-blockade", "--interactive", "--seed", "2", "--lang", "en",
                  "--pause-every", "30", "--formats", "md", "--out", str(out))
    screens, seen_keys, step, reasked = [], {}, 0, False
    while True:
        k = child.expect([PROMPT, NOTE, CONTROL, pexpect.EOF])
        if k == 3:
            break
        if k == 1:
            child.sendline(f"note {step}")
            continue
        screen = ANSI.sub("", child.before)
        screens.append(screen)
        shown = keys_on_screen(screen)
        for key, label in shown.items():
            # the same action keeps its key at every pause
            assert seen_keys.setdefault(label.split(" (")[0], key) == key, (label, key)
        if k == 2:
            child.sendline("x3" if step == 1 else "+h" if step == 3 else "")
            continue
        step += 1
        if step == 1:
            child.sendline("banana")            # not a key: asked again
            child.expect(PROMPT)
            reasked = "'banana' is not a key shown" in ANSI.sub("", child.before)
            child.sendline("s l")               # two actions at one pause
        else:
            child.sendline("")
    child.close()
    assert child.exitstatus == 0, child.before
    assert reasked
    text = "\n".join(screens)
    # the clock, T+ and the time of day from the scenario's start_clock (09:00)
    assert re.search(r"T\+30 min \(09:30\)", text)
    # inject texts as they fire, in the chosen language
    assert "Part of the crowd moves to block the gate" in text
    assert "[GB-1]" in text
    # the feed of events since the last pause, in English sentences
    assert "Since the last pause" in text and "arrives on site" in text
    assert "Trainees decide: issue an official statement" in text
    # team board with status and posture
    assert "restrained" in text and ("on site" in text)
    # an expected action past its deadline is marked
    assert "[OVERDUE]" in text or "[OVERDUE]" in ANSI.sub("", child.before or "")
    assert "The drill has ended" in ANSI.sub("", child.before)

    meta, decisions = load_decisions(out / "decisions.yaml")
    assert meta["seed"] == 2 and meta["pause_every_min"] == 30
    first = [d for d in decisions if d.point == decisions[0].point]
    assert [d.action for d in first][:2] == ["statement", "send_leader"]
    assert all(d.note == "note 1" for d in first[:2])
    assert any(d.action == "skip_inject" and d.args == {"inject": "GB-3"} for d in decisions)
    assert any(d.action == "add_inject" for d in decisions)
    events = pd.read_csv(out / "events.csv")
    decided = events[events["kind"] == "decision"]
    assert {"statement", "send_leader"} <= set(decided["subject"])
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
    # the same command again replaces its own folder (plain_metrics.json is one of its files)
    assert (replay / "plain_metrics.json").is_file()
    again = call_cli("run", "gate-blockade", "--decisions", str(out / "decisions.yaml"),
                     "--lang", "en", "--formats", "md", "--out", str(replay))
    assert again.returncode == 0, again.stderr


def test_ctrl_c_saves_the_decisions_so_far_and_says_so_in_the_chosen_language(tmp_path):
    out = tmp_path / "drill"
    child = spawn("gate-blockade", "--interactive", "--seed", "3", "--lang", "zh",
                  "--formats", "md", "--out", str(out))
    child.expect("参训人员选择")
    child.sendline("")
    child.expect("备注")
    child.sendline("first")
    child.expect("导调员操作（操作键")
    child.sendline("")
    child.expect("参训人员选择")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    assert "推演中断：已保存1项决策" in child.before
    assert "interrupted" not in child.before
    data = yaml.safe_load((out / "decisions.yaml").read_text(encoding="utf-8"))
    assert len(data["decisions"]) == 1 and data["decisions"][0]["note"] == "first"


@pytest.mark.parametrize("lang, said", [
    ("en", ["warning:", "recorded under plan 'linxiang'; replaying under 'enterprise'"]),
    ("zh", ["警告：", "记录时使用预案 'linxiang'；本次按 'enterprise' 复演"]),
])
def test_replay_under_another_plan_warns_where_decisions_do_not_fit(tmp_path, lang, said):
    inputs = load_drill("gate-blockade")
    session = DrillSession(inputs, 4, stop_at_decisions=True)
    while (point := session.next_point()) is not None:
        session.decide(point, next(o for o in session.options(point) if o.prescribed))
    from sim.engine.session import save_decisions

    save_decisions(tmp_path / "d.yaml", session, "linxiang")
    res = call_cli("run", "gate-blockade", "--plan", "enterprise", "--decisions",
                   str(tmp_path / "d.yaml"), "--formats", "md", "--out", str(tmp_path / "o"),
                   "--lang", lang)
    assert res.returncode == 0, res.stderr
    for text in said:   # the command line's warnings are in the run's language
        assert text in res.stderr, res.stderr
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
    # values of the wrong kind are refused, never converted
    ("seed: true\ndecisions: []\n", "seed"),
    ("seed: \"1\"\ndecisions: []\n", "seed"),
    ("decisions:\n  - {point: 1, t_min: \"50\", trigger: pause, action: wait}\n",
     "decisions.0.t_min"),
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
    assert "记录的是想定 'small-group'，而不是 'gate-blockade'" in res.stderr
    assert "记录时使用预案 'enterprise'" in res.stderr


def test_taking_the_plan_choice_everywhere_gives_the_plain_run():
    from sim.engine import simulate

    for seed in (1, 2, 3):
        inputs = load_drill("gate-blockade")
        session = DrillSession(inputs, seed, pause_every_min=60, stop_at_decisions=True)
        facilitated = session.run_to_end().metrics
        plain = simulate(inputs, seed).metrics
        assert facilitated == plain


def test_an_interrupted_drill_leaves_an_earlier_run_in_its_folder_whole(tmp_path):
    import subprocess

    from tests.conftest import ROOT

    out = tmp_path / "drill"
    first = subprocess.run([sys.executable, str(ROOT / "run_drill.py"), "run", "small-group",
                            "--formats", "md", "--quiet", "--out", str(out)],
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    before = sorted(p.name for p in out.iterdir())
    events = (out / "events.csv").read_bytes()
    # a script with no input: the facilitated run ends at its first decision point
    res = subprocess.run([sys.executable, str(ROOT / "run_drill.py"), "run", "small-group",
                          "--interactive", "--lang", "en", "--out", str(out)],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert res.returncode == 130
    assert "nothing saved" in res.stderr and str(out) in res.stderr
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "events.csv").read_bytes() == events


def test_a_recorded_decision_the_drill_ends_before_is_said_in_the_report(tmp_path):
    path = tmp_path / "late.yaml"
    path.write_text("decisions:\n  - {point: 1, t_min: 5000, trigger: time, action: statement}\n",
                    encoding="utf-8")
    out = tmp_path / "o"
    res = call_cli("run", "small-group", "--decisions", str(path), "--lang", "en",
                   "--formats", "md", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "never applied" in res.stderr
    md = " ".join((out / "report.md").read_text(encoding="utf-8").split())
    assert "was not applied: the drill ended before it" in md
    events = pd.read_csv(out / "events.csv")
    assert events["detail"].str.contains("the drill ended before it").any()


def test_the_panel_gives_times_to_the_nearest_minute_as_the_report_does():
    from reports.narrative import Clock
    from reports.room_text import clock_at, minute

    for t in (2.4, 2.5, 2.6, 59.5, 0.0):
        assert minute(t) == f"T+{Clock.minute(t)}"
    assert clock_at("14:30", 2.6) == "14:33" and clock_at("14:30", 2.4) == "14:32"
    session = DrillSession(load_drill("gate-blockade"), 2, stop_at_decisions=True)
    point = session.next_point()
    snap = session.snapshot()
    assert snap["clock"] == clock_at(session.inputs.scenario.start_clock, point.t_min)


def test_a_wrong_key_is_echoed_short_and_without_control_characters():
    import io

    from rich.console import Console

    from reports.facilitator import _read_keys

    typed = iter(["s" * 100_000 + " \x1b[A\x00", "a"])
    buf = io.StringIO()
    keys = _read_keys("> ", {"a": 1}, Console(file=buf, width=200), lambda _: next(typed), "en")
    assert keys == ["a"]
    said = buf.getvalue()
    assert len(said) < 200 and "\x1b" not in said and "\x00" not in said
