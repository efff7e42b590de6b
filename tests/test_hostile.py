"""Hostile and careless inputs: every one exits 0 or 2 as it should, with a clear message,
no traceback, at once.

The corpus is ``tests/hostile/`` (small files, one hostile value each) plus files and
commands made here (too big or too odd to keep: a 5,000-digit number, 9,000 teams, a
13,500-inject chain, a pipe, a device, a symbolic link, servers that are not Dask
schedulers). Each case names the command, the exit code and a fragment of the message.
Disclosure: no message ever shows a line of a file outside the plan's folder tree.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, call_cli, run_cli

HOSTILE = ROOT / "tests" / "hostile"
SECRET = "db_password: hunter2-do-not-print\napi_token: tok-7f3a9c\n"
SECRET_WORDS = ("hunter2", "db_password", "api_token", "tok-7f3a9c")
FAST_S = 20.0
"""Each refusal comes in well under this (most in a fraction of a second)."""


@dataclass
class Case:
    """One hostile command: ``args`` with ``{h}`` (the corpus) and ``{tmp}`` (a fresh
    folder) filled in, the exit code and fragments expected on stderr. ``make`` prepares
    files in ``{tmp}``; ``process`` runs the command in a process of its own (with a time
    limit), for what could hang."""

    id: str
    args: list[str]
    code: int
    fragments: list[str] = field(default_factory=list)
    make: Callable[[Path], None] | None = None
    process: bool = False


def _plan(tmp: Path, name: str, text: str) -> None:
    (tmp / name).write_text(text, encoding="utf-8")


def _long_int(tmp: Path) -> None:
    _plan(tmp, "long-int.yaml", "extends: linxiang\nname: digits\nteams:\n  order:\n    size: "
          + "9" * 5000 + "\n")


def _teams(n: int) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        body = "".join(f"  t{i}: {{name: t, capabilities: [dialogue], size: 1}}\n"
                       for i in range(n))
        _plan(tmp, "teams.yaml", "extends: linxiang\nname: many\nteams:\n" + body)
    return make


def _reports(n: int) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        body = "".join(f"  - {{id: r{i}, to: x, within_min: 5}}\n" for i in range(n))
        _plan(tmp, "reports.yaml", "extends: linxiang\nname: reports\nreporting:\n" + body)
    return make


def _chain(n: int) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        rows = ["  - {id: C0, at_min: 1, kind: rumour, expected: &e {action: statement_issued, "
                "within_min: 1}}\n"]
        rows += [f"  - {{id: C{i}, contingency_for: C{i - 1}, kind: rumour, expected: *e}}\n"
                 for i in range(1, n)]
        text = (HOSTILE / "crowd-billion.yaml").read_text(encoding="utf-8").replace(
            "mobilised: 1000000000", "mobilised: 30")
        assert len(text) + sum(map(len, rows)) < 1_000_000
        _plan(tmp, "chain.yaml", text + "injects:\n" + "".join(rows))
    return make


def _big(tmp: Path) -> None:
    _plan(tmp, "big.yaml", "name: big\n# " + "x" * 1_100_000 + "\n")


def _fifo(tmp: Path) -> None:
    os.mkfifo(tmp / "fifo.yaml")


def _existing_file(tmp: Path) -> None:
    (tmp / "taken").write_text("not a folder\n", encoding="utf-8")


def _folder_named_yaml(tmp: Path) -> None:
    (tmp / "adir.yaml").mkdir()


def _linked_folder(tmp: Path) -> None:
    (tmp / "real").mkdir()
    (tmp / "link").symlink_to(tmp / "real")


def _cycle(tmp: Path) -> None:
    _plan(tmp, "self.yaml", "name: self\nextends: self.yaml\n")
    _plan(tmp, "a.yaml", "name: a\nextends: b.yaml\n")
    _plan(tmp, "b.yaml", "name: b\nextends: a.yaml\n")


def _ghost_decisions(tmp: Path) -> None:
    head = "scenario: small-group\nplan: linxiang\nseed: 1\ndecisions:\n"
    _plan(tmp, "ghost.yaml", head + "  - {point: 1, t_min: 10, trigger: time, action: dispatch, "
          "args: {team: ghost}}\n")
    _plan(tmp, "number.yaml", head + "  - {point: 2, t_min: 12, trigger: time, action: recall, "
          "args: {team: 5}}\n")


def _odd_names(tmp: Path) -> None:
    _plan(tmp, "invisible.yaml", 'name: "\\u200b "\nextends: linxiang\n')
    _plan(tmp, "rlo.yaml", 'name: "gate\\u202eblockade"\nextends: linxiang\n')


def _converted(tmp: Path) -> None:
    # values a schema would convert without a word: each is a mistake to show
    _plan(tmp, "size-true.yaml", "name: t\nextends: linxiang\nteams:\n  dialogue:\n"
          "    size: true\n")
    _plan(tmp, "size-text.yaml", "name: t\nextends: linxiang\nteams:\n  dialogue:\n"
          "    size: ' 6 '\n")
    _plan(tmp, "off.yaml", "name: t\nextends: linxiang\nteams:\n  command:\n"
          "    prepositioned: 'off'\n")


def _stray_keys(tmp: Path) -> None:
    scenario = (ROOT / "scenarios" / "drills" / "small-group.yaml").read_text(encoding="utf-8")
    _plan(tmp, "stray-levels.yaml", scenario + "levels: []\n")
    _plan(tmp, "drop-level.yaml", "name: dropped\nextends: linxiang\nlevels:\n  - id: IV\n"
          "    name: {zh: 四级, en: four}\n    min_headcount: 20\n    dispatch: [order]\n")


def _same_ids(tmp: Path) -> None:
    scenario = (ROOT / "scenarios" / "drills" / "small-group.yaml").read_text(encoding="utf-8")
    head = scenario[:scenario.index("injects:")]
    _plan(tmp, "same-ids.yaml", head + "injects:\n"
          "  - {id: X, at_min: 5, kind: demand_leader}\n"
          "  - {id: Y, at_min: 6, kind: demand_leader}\n"
          "  - {id: X, at_min: 7, kind: demand_leader}\n")


def _gbk(tmp: Path) -> None:
    # a Chinese office's editor may save in GBK: the line of the first odd byte is named
    (tmp / "gbk.yaml").write_bytes("name: gbk\nextends: linxiang\ntitle:\n  zh: 演练\n"
                                   .encode("gbk"))


def _foreign(tmp: Path) -> None:
    (tmp / "mine").mkdir()
    (tmp / "mine" / "thesis.docx").write_bytes(b"years of work")


def _foreign_in_charts(tmp: Path) -> None:
    # an output folder's own names, with someone's work inside them
    (tmp / "mine" / "charts" / "mywork").mkdir(parents=True)
    (tmp / "mine" / "charts" / "mywork" / "thesis.docx").write_bytes(b"years of work")
    (tmp / "mine" / "events.csv").mkdir()


CASES = [
    # --------------------------------------------------------------- where files may point
    Case("extends-absolute", ["validate", "{h}/extends-absolute.yaml"], 2,
         ["extends:", "an absolute path is not allowed"]),
    Case("extends-dotdot", ["validate", "{h}/extends-dotdot.yaml"], 2,
         ["extends:", "leads out of the folder"]),
    Case("extends-not-yaml", ["validate", "{h}/extends-not-yaml.yaml"], 2,
         ["the path of a .yaml file"]),
    Case("scenario-plan-absolute",
         ["run", "{h}/scenario-plan-absolute.yaml", "--out", "{tmp}/out"], 2,
         ["plan:", "an absolute path is not allowed"]),
    Case("scenario-plan-dotdot", ["validate", "{h}/scenario-plan-dotdot.yaml"], 2,
         ["plan:", "leads out of the folder"]),
    # --------------------------------------------------------------- YAML itself
    Case("control-character", ["validate", "{h}/control-char.yaml"], 2,
         ["control-char.yaml:1:", "control character U+0001"]),
    Case("nul", ["validate", "{h}/nul.yaml"], 2, ["nul.yaml:1:", "NUL character"]),
    Case("recursive-alias", ["validate", "{h}/recursive-alias.yaml"], 2,
         ["recursive-alias.yaml:2:", "recursive alias"]),
    Case("recursive-alias-map", ["validate", "{h}/recursive-alias-map.yaml"], 2,
         ["recursive alias"]),
    Case("recursive-alias-decisions",
         ["run", "small-group", "--decisions", "{h}/decisions-recursive.yaml",
          "--out", "{tmp}/out"], 2, ["decisions-recursive.yaml:4:", "recursive alias"]),
    Case("decisions-pause-tiny",
         ["run", "small-group", "--decisions", "{h}/decisions-pause.yaml", "--out", "{tmp}/out"],
         2, ["pause_every_min", "greater than or equal to 1"]),
    Case("merge-key", ["validate", "{h}/merge-key.yaml"], 2, ["merge keys (<<)"]),
    Case("date", ["validate", "{h}/date.yaml"], 2, ["source:", "put it in quotes"]),
    Case("python-tag", ["validate", "{h}/python-tag.yaml"], 2, ["not allowed"]),
    Case("integer-5000-digits", ["validate", "{tmp}/long-int.yaml"], 2,
         ["teams.order.size", "a number of 5,000 characters"], make=_long_int),
    Case("file-over-1MB", ["validate", "{tmp}/big.yaml"], 2, ["larger than"], make=_big),
    # --------------------------------------------------------------- not files at all
    Case("validate-dev-zero", ["validate", "/dev/zero"], 2, ["not a regular file"],
         process=True),
    Case("decisions-dev-zero", ["run", "small-group", "--decisions", "/dev/zero",
                                "--out", "{tmp}/out"], 2, ["not a regular file"], process=True),
    Case("validate-fifo", ["validate", "{tmp}/fifo.yaml"], 2, ["not a regular file"],
         make=_fifo, process=True),
    Case("validate-folder", ["validate", "{h}"], 2, ["is a folder"]),
    # --------------------------------------------------------------- text for Word, charts, tables
    Case("team-name-control", ["run", "small-group", "--plan", "{h}/team-name-control.yaml",
                               "--out", "{tmp}/out"], 2,
         ["teams.dialogue.name.zh", "control character U+0007"]),
    Case("team-name-surrogate", ["run", "small-group", "--plan",
                                 "{h}/team-name-surrogate.yaml", "--out", "{tmp}/out"], 2,
         ["team-name-surrogate.yaml:5:", "invalid Unicode character"]),
    Case("set-surrogate", ["run", "small-group", "--set", "teams.dialogue.name=a\udcffb",
                           "--out", "{tmp}/out"], 2, ["--set", "unpaired surrogate"]),
    Case("team-id-tab", ["validate", "{h}/team-id-tab.yaml"], 2, ["team id is letters"]),
    Case("team-id-formula", ["validate", "{h}/team-id-formula.yaml"], 2,
         ["team id is letters, digits"]),
    Case("plan-ref-control", ["run", "small-group", "--plan",
                              "linxiang[teams.dialogue.name=a\x01b]", "--out", "{tmp}/out"], 2,
         ["control character U+0001"]),
    # --------------------------------------------------------------- numbers out of bounds
    Case("crowd-billion", ["validate", "{h}/crowd-billion.yaml"], 2,
         ["crowd.mobilised", "less than or equal to 5000"]),
    Case("crowd-inf", ["validate", "{h}/crowd-inf.yaml"], 2,
         ["crowd.mobilised", "finite number"]),
    Case("crowd-nan", ["validate", "{h}/crowd-nan.yaml"], 2, ["crowd.initial", "finite number"]),
    Case("crowd-initial-above-mobilised", ["validate", "{h}/crowd-initial-above.yaml"], 2,
         ["crowd-initial-above.yaml:5: crowd:", "high end (80) is above"]),
    Case("onlooker-rate-1e300", ["validate", "{h}/onlooker-rate.yaml"], 2,
         ["crowd.onlookers.rate_per_min", "less than or equal to 100"]),
    Case("site-area-1e-300", ["validate", "{h}/site-area-tiny.yaml"], 2,
         ["site.area_m2", "greater than or equal to 10"]),
    Case("tick-1e-6", ["validate", "{h}/tick-tiny.yaml"], 2,
         ["parameters.tick_min", "greater than or equal to 0.5"]),
    Case("patrol-1e-300", ["validate", "{h}/patrol-tiny.yaml"], 2,
         ["parameters.order.patrol_every_min", "greater than or equal to 1"]),
    Case("reassess-1e-300", ["validate", "{h}/reassess-tiny.yaml"], 2,
         ["command.reassess_every_min", "greater than or equal to 1"]),
    Case("message-loss", ["validate", "{h}/message-loss.yaml"], 2,
         ["parameters.comms.loss_prob", "parameters.comms.ack_timeout_min"]),
    Case("outage-10h", ["validate", "{h}/outage-long.yaml"], 2, ["comms_outage", "at most 480"]),
    Case("heat-ratio", ["validate", "{h}/heat-ratio.yaml"], 2, ["heat_ratio_per_10_at"]),
    Case("team-size-1e9", ["validate", "{h}/team-size-huge.yaml"], 2,
         ["teams.order.size", "less than or equal to 10000"]),
    Case("teams-9000", ["validate", "{tmp}/teams.yaml"], 2, ["more than 50,000 values"],
         make=_teams(9000)),
    Case("teams-51", ["validate", "{tmp}/teams.yaml"], 2, ["teams:", "at most 50"],
         make=_teams(51)),
    Case("reports-20000", ["validate", "{tmp}/reports.yaml"], 2, ["more than 50,000 values"],
         make=_reports(20000)),
    Case("reports-21", ["validate", "{tmp}/reports.yaml"], 2, ["reporting:", "at most 20"],
         make=_reports(21)),
    Case("contingency-chain-13500", ["validate", "{tmp}/chain.yaml"], 2,
         ["more than 50,000 values"], make=_chain(13500)),
    Case("contingency-chain-201", ["validate", "{tmp}/chain.yaml"], 2,
         ["injects:", "at most 200"], make=_chain(201)),
    Case("scenario-name-300", ["run", "{h}/scenario-name-long.yaml"], 2,
         ["name:", "at most 100 characters"]),
    # --------------------------------------------------------------- the command line
    Case("set-key-5000-deep", ["run", "small-group", "--set", "a" + ".a" * 5000 + "=1",
                               "--out", "{tmp}/out"], 2, ["--set", "more than 12 parts"]),
    Case("set-value-5000-deep", ["run", "small-group", "--set",
                                 "teams.dialogue.size=" + "[" * 5000 + "]" * 5000,
                                 "--out", "{tmp}/out"], 2, ["--set", "nested more than"]),
    Case("grid-value-twice-in-two-spellings", ["sweep", "small-group", "--grid",
                                               "teams.dialogue.familiarity=0.5,.5,0.9", "--out",
                                               "{tmp}/out"], 2, ["--grid:", "given twice"]),
    Case("room-empty-host", ["room", "small-group", "--host", "", "--out", "{tmp}/out"], 2,
         ["--host:", "empty address"]),
    Case("extends-itself", ["validate", "{tmp}/self.yaml"], 2,
         ["self.yaml:2: extends:", "in a cycle: self.yaml -> self.yaml"], make=_cycle),
    Case("extends-each-other", ["validate", "{tmp}/a.yaml"], 2,
         ["a.yaml:2: extends:", "in a cycle: a.yaml -> b.yaml -> a.yaml"], make=_cycle),
    Case("decisions-ghost-team", ["run", "small-group", "--decisions", "{tmp}/ghost.yaml",
                                  "--out", "{tmp}/out"], 2,
         ["ghost.yaml:5: decisions.0.args.team: 'ghost' is not a team of plan linxiang"],
         make=_ghost_decisions),
    Case("decisions-team-a-number", ["run", "small-group", "--decisions", "{tmp}/number.yaml",
                                     "--out", "{tmp}/out"], 2,
         ["number.yaml:5: decisions.0.args: team must be an id"], make=_ghost_decisions),
    Case("name-invisible", ["validate", "{tmp}/invisible.yaml"], 2,
         ["invisible.yaml:1: name:", "needs a visible character"], make=_odd_names),
    Case("name-direction-override", ["validate", "{tmp}/rlo.yaml"], 2,
         ["rlo.yaml:1: name:", "direction control U+202E"], make=_odd_names),
    Case("size-true", ["validate", "{tmp}/size-true.yaml"], 2,
         ["size-true.yaml:5: teams.dialogue.size: expected an integer", "got true"], make=_converted),
    Case("size-as-text", ["validate", "{tmp}/size-text.yaml"], 2,
         ["size-text.yaml:5: teams.dialogue.size: expected an integer", "the text ' 6 '"],
         make=_converted),
    Case("flag-as-text", ["validate", "{tmp}/off.yaml"], 2,
         ["off.yaml:5: teams.command.prepositioned: expected true or false"], make=_converted),
    Case("set-size-true", ["run", "small-group", "--set", "teams.dialogue.size=true", "--out",
                           "{tmp}/out"], 2, ["--set: teams.dialogue.size: expected an integer"]),
    Case("scenario-with-a-stray-key", ["validate", "{tmp}/stray-levels.yaml"], 2,
         ["levels: unknown field"], make=_stray_keys),
    Case("inherited-field-points-at-extends", ["validate", "{tmp}/drop-level.yaml"], 2,
         ["drop-level.yaml:2: teams.order.reinforcement.from_level: unknown level 'II'"],
         make=_stray_keys),
    Case("inject-id-repeated", ["validate", "{tmp}/same-ids.yaml"], 2,
         ["injects.2.id: id 'X' is already used by injects.0"], make=_same_ids),
    Case("file-in-gbk", ["validate", "{tmp}/gbk.yaml"], 2,
         ["gbk.yaml:4: not UTF-8 text", "save the file as UTF-8"], make=_gbk),
    Case("set-extends", ["run", "small-group", "--set", "extends=/etc/passwd",
                         "--out", "{tmp}/out"], 2, ["--set: extends:", "read when its file"]),
    Case("posture-on-a-dialogue-team", ["run", "small-group", "--set",
                                        "teams.dialogue.posture=forceful", "--out", "{tmp}/out"],
         2, ["teams.dialogue.posture:", "only a team with the order capability"]),
    Case("pause-every-1e-300", ["run", "small-group", "--interactive", "--pause-every",
                                "1e-300"], 2, ["at least 1"]),
    Case("seed-5000-digits", ["run", "small-group", "--seed", "7" * 5000], 2,
         ["seed must be a whole number"]),
    Case("out-existing-file", ["run", "small-group", "--out", "{tmp}/taken"], 2,
         ["--out:", "exists and is not a folder"], make=_existing_file),
    Case("room-out-existing-file", ["room", "small-group", "--out", "{tmp}/taken"], 2,
         ["--out:", "exists and is not a folder"], make=_existing_file),
    Case("out-symbolic-link", ["run", "small-group", "--out", "{tmp}/link"], 2,
         ["--out:", "is a symbolic link"], make=_linked_folder),
    Case("set-twice-inline", ["run", "small-group", "--plan",
                              "linxiang[teams.dialogue.size=8,teams.dialogue.size=9]"], 2,
         ["teams.dialogue.size: set twice: teams.dialogue.size=8 and teams.dialogue.size=9"]),
    Case("set-twice", ["run", "small-group", "--set", "teams.dialogue.size=8", "--set",
                       "teams.dialogue.size=2"], 2, ["--set: teams.dialogue.size: set twice"]),
    Case("set-inline-and-set", ["run", "small-group", "--plan", "linxiang[teams.dialogue.size=8]",
                                "--set", "teams.dialogue.size=2"], 2,
         ["--set: teams.dialogue.size: set twice", "(the first in linxiang[teams.dialogue"]),
    Case("scenario-is-a-folder", ["run", "{tmp}/adir.yaml"], 2,
         ["adir.yaml:", "is a folder, not a scenario file"], make=_folder_named_yaml),
    Case("plan-is-a-folder", ["run", "small-group", "--plan", "{tmp}/adir.yaml"], 2,
         ["adir.yaml:", "is a folder, not a plan file"], make=_folder_named_yaml),
    Case("out-proc", ["run", "small-group", "--out", "/proc/drill-out"], 2,
         ["--out:", "under /proc"]),
    Case("out-name-300", ["run", "small-group", "--out", "{tmp}/" + "o" * 300], 2,
         ["--out:", "file name too long"]),
    Case("out-foreign-folder", ["run", "small-group", "--out", "{tmp}/mine"], 2,
         ["--out:", "did not write (thesis.docx)"], make=_foreign),
    Case("out-foreign-inside-chart-folder", ["run", "small-group", "--out", "{tmp}/mine"], 2,
         ["--out:", "did not write (charts, events.csv)"], make=_foreign_in_charts),
    Case("scheduler-bogus", ["compare", "small-group", "--plans", "linxiang", "--backend",
                             "dask", "--scheduler", "bogus", "--out", "{tmp}/out"], 2,
         ["--scheduler:", "expected an address tcp://HOST:PORT"]),
    Case("scheduler-http", ["compare", "small-group", "--plans", "linxiang", "--backend",
                            "dask", "--scheduler", "http://127.0.0.1:8786", "--out",
                            "{tmp}/out"], 2, ["--scheduler:", "must start with tcp://"]),
    Case("scheduler-no-port", ["sweep", "small-group", "--grid", "teams.dialogue.size=4,6",
                               "--backend", "dask", "--scheduler", "tcp://127.0.0.1",
                               "--out", "{tmp}/out"], 2, ["--scheduler:", "tcp://HOST:PORT"]),
]


def _fill(args: list[str], tmp: Path) -> list[str]:
    return [a.replace("{h}", str(HOSTILE)).replace("{tmp}", str(tmp)) for a in args]


def _check(res, case: Case, elapsed: float) -> None:
    assert res.returncode == case.code, (case.id, res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr, res.stderr
    assert "internal error" not in res.stderr, res.stderr
    for fragment in case.fragments:
        assert fragment in res.stderr, f"{fragment!r} not in stderr:\n{res.stderr[-2000:]}"
    assert elapsed < FAST_S, f"{case.id} took {elapsed:.1f} s"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case(case: Case, tmp_path):
    if case.make is not None:
        case.make(tmp_path)
    args = _fill(case.args, tmp_path)
    start = time.monotonic()
    if case.process:
        res = run_cli(*args, cwd=tmp_path, timeout=60)
    else:
        res = call_cli(*args, cwd=tmp_path)
    _check(res, case, time.monotonic() - start)
    if case.code == 2:
        assert not (tmp_path / "out").exists()


def test_every_corpus_file_is_used():
    used = {Path(a.split("/")[-1]).name for c in CASES for a in c.args if "{h}/" in a}
    files = {p.name for p in HOSTILE.glob("*.yaml")}
    assert files - used <= {"team-name-mathtext.yaml", "team-name-cr.yaml"}, files - used


# --------------------------------------------------------------------------- disclosure


@pytest.fixture
def secret_tree(tmp_path) -> Path:
    """A secret file beside a plan folder, one inside it, and plans pointing at both."""
    (tmp_path / "secret").mkdir()
    secret = tmp_path / "secret" / "creds.yaml"
    secret.write_text(SECRET, encoding="utf-8")
    plans = tmp_path / "plans"
    (plans / "sub").mkdir(parents=True)
    (plans / "sub" / "creds.yaml").write_text(SECRET, encoding="utf-8")
    (plans / "link.yaml").symlink_to(secret)
    refs = {"absolute": str(secret), "dotdot": "../secret/creds.yaml", "symlink": "link.yaml",
            "inside": "sub/creds.yaml", "home": "~/creds.yaml",
            "dotdot-in-name": "sub/../../secret/creds.yaml"}
    for name, ref in refs.items():
        (plans / f"{name}.yaml").write_text(f"extends: {ref}\nname: {name}\n", encoding="utf-8")
    scenario = (HOSTILE / "crowd-billion.yaml").read_text(encoding="utf-8").replace(
        "mobilised: 1000000000", "mobilised: 30")
    for name, ref in (("s-absolute", str(secret)), ("s-dotdot", "../secret/creds.yaml"),
                      ("s-inside", "sub/creds.yaml")):
        (plans / f"{name}.yaml").write_text(scenario.replace("plan: linxiang", f"plan: {ref}"),
                                            encoding="utf-8")
    return plans


@pytest.mark.parametrize("name", ["absolute", "dotdot", "symlink", "inside", "home",
                                  "dotdot-in-name", "s-absolute", "s-dotdot", "s-inside"])
def test_no_message_shows_another_files_content(secret_tree, name):
    path = secret_tree / f"{name}.yaml"
    commands = [["validate", str(path)],
                ["run", str(path), "--out", str(secret_tree / "out")] if name.startswith("s-")
                else ["run", "small-group", "--plan", str(path),
                      "--out", str(secret_tree / "out")]]
    if name.startswith("s-"):   # a sweep of the scenario's own plan holds it to the same rules
        commands.append(["sweep", str(path), "--grid", "teams.dialogue.size=4,6", "--reps", "1",
                         "--jobs", "1", "--quiet", "--out", str(secret_tree / "sweep")])
    for args in commands:
        res = call_cli(*args)
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr
        for word in SECRET_WORDS:
            assert word not in res.stderr + res.stdout, (name, res.stderr)
    if name not in ("inside", "s-inside"):
        assert ("link.yaml" if name == "symlink" else "creds.yaml") in res.stderr  # named
        assert any(w in res.stderr for w in ("absolute path", "leads out of the folder")), \
            res.stderr


def test_a_base_plan_inside_the_tree_is_used(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "bigger.yaml").write_text(
        "extends: linxiang\nname: bigger\nteams: {dialogue: {size: 9}}\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(
        "extends: base/bigger.yaml\nname: mine\nteams: {order: {size: 25}}\n", encoding="utf-8")
    from sim.core.loading import load_plan

    plan = load_plan(str(tmp_path / "mine.yaml")).plan
    assert (plan.teams["dialogue"].size, plan.teams["order"].size) == (9, 25)
    res = call_cli("validate", str(tmp_path / "mine.yaml"))
    assert res.returncode == 0, res.stderr


# --------------------------------------------------------------------------- text in reports


def test_mathtext_and_carriage_returns_in_team_names_are_drawn_as_text(tmp_path):
    for name in ("team-name-mathtext", "team-name-cr"):
        out = tmp_path / name
        res = call_cli("run", "small-group", "--plan", str(HOSTILE / f"{name}.yaml"), "--lang",
                       "en", "--formats", "md,html,docx", "--out", str(out), "--quiet")
        assert res.returncode == 0, res.stderr
        assert {"report.md", "report.html", "report.docx"} <= {p.name for p in out.iterdir()}
    md = (tmp_path / "team-name-cr" / "report.md").read_text(encoding="utf-8")
    assert "\r" not in md
    # every row of every table has as many cells as its header: no row split by the name
    blocks: list[list[str]] = []
    previous = ""
    for line in md.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                blocks.append([])
            blocks[-1].append(line)
        previous = line
    assert blocks
    for block in blocks:
        widths = {len(re.split(r"(?<!\\)\|", line)) for line in block}
        assert len(widths) == 1, block
    named = [line for block in blocks for line in block if "talks \\|" in line]
    assert named and all("talks \\| x \\| y \\| team" in line for line in named), named
    math = (tmp_path / "team-name-mathtext" / "report.md").read_text(encoding="utf-8")
    assert "$\\\\frac{1}{0}$" in math or "$\\frac{1}{0}$" in math


# --------------------------------------------------------------------------- Dask schedulers


@contextlib.contextmanager
def _server(behaviour: str) -> Iterator[int]:
    """A TCP service on 127.0.0.1 that is not a Dask scheduler: it sends an SSH banner, an
    absurd frame length, or nothing at all."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.settimeout(0.2)
    port = srv.getsockname()[1]
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            held.append(conn)
            if behaviour == "banner":
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
            elif behaviour == "huge":
                conn.sendall((2**40).to_bytes(8, "little"))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(2)
        for c in held:
            c.close()
        srv.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("behaviour, fragment", [
    ("banner", "does not speak Dask's protocol"),
    ("huge", "does not speak Dask's protocol"),
    ("silent", "sent nothing within 1 s"),
    ("refused", "connection refused"),
])
def test_a_scheduler_that_is_not_dask_is_refused_quickly(behaviour, fragment, tmp_path,
                                                         monkeypatch):
    from sim.montecarlo import replicate

    monkeypatch.setattr(replicate, "SCHEDULER_TIMEOUT_S", 1.0)
    with contextlib.ExitStack() as stack:
        port = _free_port() if behaviour == "refused" else stack.enter_context(_server(behaviour))
        start = time.monotonic()
        res = call_cli("compare", "small-group", "--plans", "linxiang", "--reps", "2",
                       "--backend", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
                       "--out", str(tmp_path / "out"), "--quiet")
        elapsed = time.monotonic() - start
    _check(res, Case(behaviour, [], 2, ["--scheduler:", fragment]), elapsed)
    assert elapsed < 8, elapsed
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- resources


def test_jobs_are_capped_at_the_cores(tmp_path):
    from sim.montecarlo.replicate import default_jobs

    res = call_cli("compare", "small-group", "--plans", "linxiang", "--reps", "2", "--jobs",
                   "1000", "--out", str(tmp_path / "out"), "--quiet")
    assert res.returncode == 0, res.stderr
    assert f"将启动{default_jobs()}个工作进程" in res.stderr


def test_read_only_output_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)],
                             capture_output=True).returncode == 0
    if not mounted:
        os.chmod(ro, 0o555)
        if os.access(ro, os.W_OK):  # root without mount: nothing is read-only here
            pytest.skip("cannot make a read-only folder here")
    try:
        res = call_cli("run", "small-group", "--out", str(ro / "out"))
        _check(res, Case("ro", [], 2, ["--out:", "cannot"]), 0)
    finally:
        if mounted:
            subprocess.run(["umount", str(ro)], check=False)
        else:
            os.chmod(ro, 0o755)


# --------------------------------------------------------------------------- the costliest files


def _worst(folder: Path) -> Path:
    """A plan and a scenario at the limits that cost the most: 50 teams of 10,000, 10 levels
    that flip at every reassessment (each minute), 20 upward reports, 5,000 petitioners and
    2,000 onlookers for a day at half-minute ticks, 200 injects (provocations, rumours, broken
    promises, arrivals), 480 minutes without channels and resends every 2 minutes, 50 °C at
    100% humidity, every slip certain, scuffles as likely as the bounds allow."""
    import yaml

    from sim.core.yamlio import load_file

    plan = load_file(ROOT / "scenarios" / "plans" / "linxiang.yaml").data
    base = {k: v for k, v in plan["teams"].items() if k != "command"}
    teams = {"command": plan["teams"]["command"]}
    i = 0
    while len(teams) < 50:
        for tid, team in base.items():
            if len(teams) < 50:
                i += 1
                teams[f"{tid}{i}"] = {**team, "size": 10000, "familiarity": 0.0}
    for team in teams.values():
        if "posture" in team:
            team["posture"] = "forceful"
        if "reinforcement" in team:
            team["reinforcement"] = {**team["reinforcement"], "size": 10000, "from_level": "L1"}
    level = plan["levels"][0]
    plan.update(name="worst", teams=teams, levels=[
        {**level, "id": f"L{k}", "min_headcount": 2**k, "max_headcount": None,
         "dispatch": [t for t in teams if t != "command"], "request_reinforcement": True}
        for k in range(10)])
    plan["reporting"] = [{"id": f"r{k}", "to": "x", "within_min": 1} for k in range(20)]
    plan["command"]["reassess_every_min"] = 1
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    injects = [{"id": f"A{k}", "at_min": k * 20, "kind": "arrivals", "count": 50}
               for k in range(40)]
    injects.append({"id": "OUT", "at_min": 0, "kind": "comms_outage", "duration_min": 480})
    kinds = ["block_gate", "agitation", "rumour", "broken_promise", "health_incident"]
    for k in range(200 - len(injects)):
        item = {"id": f"Z{k}", "when": f"t_min > {k * 9} for 2 min", "kind": kinds[k % 5]}
        if item["kind"] in ("block_gate", "agitation"):
            item.update(share=1, delta=1)
        elif item["kind"] == "rumour":
            item["share"] = 0.9
        elif item["kind"] == "health_incident":
            item["count"] = 100
        injects.append(item)
    scenario = {
        "name": "worst", "title": "worst", "plan": "plan.yaml",
        "site": {"name": "gate", "security": 10000},
        "weather": {"temperature_c": 50, "humidity_pct": 100},
        "crowd": {"initial": 3000, "mobilised": 3000, "hardship": [1, 1], "legitimacy": 0,
                  "hard_core_share": 1, "elderly_share": 1,
                  "onlookers": {"max": 2000, "rate_per_min": 100}},
        "end": {"max_min": 1440, "stop_when_cleared": False},
        "injects": injects,
        "parameters": {
            "tick_min": 0.5, "rumour": {"substeps": 100},
            "comms": {"loss_prob": 0.5, "ack_timeout_min": 2},
            "estimate": {"first_report_sd": 3, "verified_sd": 3, "intel_sd": 3},
            "familiarity": {"misdirect_prob": 1, "late_prob": 1, "incomplete_prob": 1},
            "order": {"patrol_every_min": 1},
            "scuffle": {"contact_per_active_hour": 1000, "mean_episode_min": 0.1,
                        "injury_per_contact": 1},
            "uncertain": {"scuffle.contact_per_active_hour": [0.01, 1000],
                          "scuffle.mean_episode_min": [0.1, 12],
                          "scuffle.injury_per_contact": [0.005, 1]}},
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_costliest_valid_files_run_within_a_minute_and_a_gigabyte(tmp_path):
    import resource

    path = _worst(tmp_path)
    res = call_cli("validate", str(path), str(tmp_path / "plan.yaml"))
    assert res.returncode == 0, res.stderr
    start = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "run_drill.py"), "run", str(path),
                           "--formats", "md,html,docx", "--out", str(tmp_path / "out"),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 60, elapsed
    assert peak_mb < 1024, peak_mb


def test_the_writers_take_any_text():
    """Whatever reaches a report (a label from the command line, a future field), Word, the
    web page, Markdown and the charts write it: characters they cannot hold become U+FFFD,
    line breaks in Markdown fold into spaces, ``$...$`` is text."""
    import io

    import matplotlib.pyplot as plt
    from docx import Document as WordDocument

    from reports import chart_style, render_docx, render_html, render_md
    from reports.document import Bullets, Document, Figure, Section, Table

    nasty = "a\x01b\ud800c\r\nd|e$\\undefined$f\x0bg"
    with chart_style.apply("en"):
        fig, ax = plt.subplots()
        ax.set_yticks([0, 1])
        ax.set_yticklabels([nasty, "ok"])
        ax.set_title(nasty)
        ax.plot([0, 1], [0, 1], label=nasty)
        ax.legend()
        png, svg = chart_style.png_bytes(fig), chart_style.svg_text(fig)
        plt.close(fig)
    assert png.startswith(b"\x89PNG") and "\ud800" not in svg and "\x01" not in svg
    doc = Document(nasty, nasty, "en", [Section(nasty, [
        nasty, Table([nasty, "b"], [[nasty, "x"]]), Bullets([nasty] * 3),
        Figure(nasty, "c", png, svg)])], nasty)
    md = render_md.render(doc)
    assert "\r" not in md and "\x01" not in md and "\ud800" not in md
    assert "| a\ufffdb\ufffdc d\\|e$\\\\undefined$f g | b |" in md
    page = render_html.render(doc)
    page.encode("utf-8")
    assert "\x01" not in page
    word = WordDocument(io.BytesIO(render_docx.render(doc)))
    assert "a\ufffdb\ufffdc" in word.paragraphs[0].text
