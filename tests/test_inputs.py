"""Bad input: every problem names the file, the dotted field and the line; exit code 2.

Most tests copy a bundled plan or scenario into ``tmp_path``, change one line and check
that the problem is reported at exactly that line, both through ``sim.core.loading`` (the
``Problem`` objects) and through the command line (exit code 2, no traceback).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sim.core import yamlio
from sim.core.errors import InputError, Problem
from sim.core.loading import bundled, load_drill, load_plan, validate_file
from tests.conftest import ROOT, call_cli

PLANS = ROOT / "scenarios" / "plans"
DRILLS = ROOT / "scenarios" / "drills"


# --------------------------------------------------------------------------- helpers


def read_lines(kind: str, name: str) -> list[str]:
    """The lines of a bundled file (``kind``: ``plans`` or ``drills``), with line ends."""
    return (ROOT / "scenarios" / kind / f"{name}.yaml").read_text(encoding="utf-8") \
        .splitlines(keepends=True)


def set_line(lines: list[str], anchor: str | None, target: str, new: str) -> int:
    """Replace the first line starting (after indentation) with ``target`` that follows the
    line equal to ``anchor`` (from the top when ``anchor`` is None) by ``new``, keeping the
    indentation; return its 1-based line number."""
    start = 0
    if anchor is not None:
        start = next(i for i, line in enumerate(lines) if line.rstrip("\r\n") == anchor)
    idx = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(target))
    old = lines[idx]
    indent = old[: len(old) - len(old.lstrip())]
    lines[idx] = f"{indent}{new}\n"
    return idx + 1


def write(lines: list[str], path: Path) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def problem_at(problems: list[Problem], field: str) -> Problem:
    """The problem about ``field``; fails listing all problems when there is none."""
    found = [p for p in problems if p.field == field]
    assert found, f"no problem about {field!r} in {[str(p) for p in problems]}"
    return found[0]


def assert_bad_input(res, *expected: str) -> None:
    """Exit code 2, no traceback, and every ``expected`` text on stderr."""
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    assert "internal error" not in res.stderr, res.stderr
    for text in expected:
        assert text in res.stderr, f"{text!r} not in stderr:\n{res.stderr}"


def dialogue_size_plan(tmp_path: Path, value: str, name: str) -> tuple[Path, int]:
    """linxiang with ``teams.dialogue.size`` set to ``value``."""
    lines = read_lines("plans", "linxiang")
    line = set_line(lines, "  dialogue:", "size:", f"size: {value}")
    return write(lines, tmp_path / name), line


# --------------------------------------------------------------------------- the message format


def test_problem_str_names_file_line_and_field():
    assert str(Problem("p.yaml", "teams.dialogue.size", 113, "too small")) == \
        "p.yaml:113: teams.dialogue.size: too small"
    assert str(Problem("--set", "teams.x", None, "no field")) == "--set: teams.x: no field"


# --------------------------------------------------------------------------- YAML level


def test_malformed_yaml_unclosed_bracket_names_line(tmp_path):
    lines = read_lines("plans", "linxiang")
    line = set_line(lines, "  - id: IV", "dispatch:",
                    "dispatch: [order, dialogue, logistics, medical")
    path = write(lines, tmp_path / "malformed.yaml")

    problems = validate_file(str(path))
    assert len(problems) == 1
    p = problems[0]
    assert p.file == str(path)
    assert "malformed YAML" in p.message
    # PyYAML notices the missing ']' on the next line; either line points at the spot.
    assert p.line in (line, line + 1), p

    res = call_cli("validate", str(path))
    assert_bad_input(res, f"{path}:{p.line}:", "malformed YAML")


def test_python_object_tag_is_refused_and_nothing_constructed(tmp_path):
    lines = read_lines("plans", "linxiang")
    line = set_line(lines, None, "source:", 'source: !!python/object/apply:os.system ["touch pwned"]')
    path = write(lines, tmp_path / "evil.yaml")

    with pytest.raises(InputError) as info:
        yamlio.load_file(path)
    p = problem_at(info.value.problems, "source")
    assert p.line == line
    assert "not allowed" in p.message

    res = call_cli("validate", str(path), cwd=tmp_path)
    assert_bad_input(res, f"{path}:{line}: source:", "not allowed")
    res = call_cli("run", "small-group", "--plan", str(path), "--out", str(tmp_path / "out"),
                   cwd=tmp_path)
    assert_bad_input(res, f"{path}:{line}: source:")
    for where in (tmp_path, ROOT, Path.cwd()):
        assert not (where / "pwned").exists(), f"the tag was executed: {where / 'pwned'}"
    assert not (tmp_path / "out").exists()


def test_file_larger_than_limit_is_refused(tmp_path):
    text = (PLANS / "linxiang.yaml").read_text(encoding="utf-8")
    path = tmp_path / "big.yaml"
    path.write_text(text + "# " + "x" * yamlio.MAX_BYTES + "\n", encoding="utf-8")
    assert path.stat().st_size > yamlio.MAX_BYTES

    with pytest.raises(InputError) as info:
        yamlio.load_file(path)
    assert "larger than" in info.value.problems[0].message
    with pytest.raises(InputError):
        yamlio.load_text(path.read_text(encoding="utf-8"), "big")

    res = call_cli("validate", str(path))
    assert_bad_input(res, str(path), "larger than", "refused")


def test_deeply_nested_file_is_refused(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: deep\nteams: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")

    with pytest.raises(InputError) as info:
        yamlio.load_file(path)
    p = info.value.problems[0]
    assert p.line == 2
    assert "nested" in p.message

    res = call_cli("validate", str(path))
    assert_bad_input(res, f"{path}:2:", "nested", "refused")


def test_billion_laughs_alias_bomb_is_refused_quickly(tmp_path):
    rows = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        rows.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")  # 9**10 values once expanded

    start = time.monotonic()
    with pytest.raises(InputError) as info:
        yamlio.load_file(path)
    assert time.monotonic() - start < 2
    assert "refused" in info.value.problems[0].message

    start = time.monotonic()
    res = call_cli("validate", str(path))
    assert time.monotonic() - start < 6
    assert_bad_input(res, str(path), "refused")


# --------------------------------------------------------------------------- schema level


def test_wrong_type_names_field_and_line(tmp_path):
    path, line = dialogue_size_plan(tmp_path, '"eight"', "eight.yaml")

    p = problem_at(validate_file(str(path)), "teams.dialogue.size")
    assert (p.file, p.line) == (str(path), line)
    assert "integer" in p.message and "eight" in p.message

    res = call_cli("validate", str(path))
    assert_bad_input(res, f"{path}:{line}: teams.dialogue.size:", "integer")


def test_negative_size_names_field_and_line(tmp_path):
    path, line = dialogue_size_plan(tmp_path, "-3", "negative.yaml")

    p = problem_at(validate_file(str(path)), "teams.dialogue.size")
    assert (p.file, p.line) == (str(path), line)
    assert "-3" in p.message

    res = call_cli("validate", str(path))
    assert_bad_input(res, f"{path}:{line}: teams.dialogue.size:", "greater than or equal to 1")


def test_unknown_key_is_an_error_naming_the_field(tmp_path):
    lines = read_lines("plans", "linxiang")
    line = set_line(lines, "  dialogue:", "size:", "sizee: 6")
    path = write(lines, tmp_path / "typo.yaml")

    p = problem_at(validate_file(str(path)), "teams.dialogue.sizee")
    assert (p.file, p.line) == (str(path), line)
    assert "unknown field" in p.message

    res = call_cli("validate", str(path))
    assert_bad_input(res, f"{path}:{line}: teams.dialogue.sizee:", "unknown field")


def test_overlapping_level_thresholds(tmp_path):
    iv = next(lv for lv in load_plan("linxiang").plan.levels if lv.id == "IV")
    assert iv.max_headcount is not None and iv.max_headcount >= 45  # 45 overlaps IV
    lines = read_lines("plans", "linxiang")
    line = set_line(lines, "  - id: III", "min_headcount:", "min_headcount: 45")
    index = [text.strip() for text in lines if text.startswith("  - id: ")].index("- id: III")
    path = write(lines, tmp_path / "overlap.yaml")

    # told at the level that overlaps, not at the list's first line
    field = f"levels.{index}.min_headcount"
    p = problem_at(validate_file(str(path)), field)
    assert (p.file, p.line) == (str(path), line)
    assert "overlap" in p.message and "IV" in p.message

    res = call_cli("validate", str(path))
    assert_bad_input(res, f"{path}:{line}: {field}:", "overlap")


def test_inject_naming_a_missing_team(tmp_path):
    lines = read_lines("drills", "small-group")
    line = set_line(lines, "  - id: SG-1", "capability:", "team: negotiators")
    path = write(lines, tmp_path / "inject.yaml")

    p = problem_at(validate_file(str(path)), "injects.0.team")
    assert (p.file, p.line) == (str(path), line)
    assert "negotiators" in p.message

    expected = f"{path}:{line}: injects.0.team:"
    assert_bad_input(call_cli("validate", str(path)), expected, "negotiators")
    out = tmp_path / "out"
    assert_bad_input(call_cli("run", str(path), "--out", str(out)), expected)
    assert not out.exists()


def test_validate_reports_every_problem(tmp_path):
    lines = read_lines("plans", "linxiang")
    wanted = {
        "teams.order.posture": set_line(lines, "  order:", "posture:", "posture: gentle"),
        "teams.dialogue.size": set_line(lines, "  dialogue:", "size:", 'size: "eight"'),
        "publicity.release_policy": set_line(lines, "publicity:", "release_policy:",
                                             "release_policy: loud"),
    }
    path = write(lines, tmp_path / "three.yaml")

    problems = validate_file(str(path))
    assert {p.field: p.line for p in problems} == wanted

    res = call_cli("validate", str(path))
    assert_bad_input(res, *(f"{path}:{line}: {field}:" for field, line in wanted.items()))
    assert len(res.stderr.strip().splitlines()) == 3, res.stderr


def test_validate_every_bundled_file_is_clean():
    files = bundled("plans") + bundled("drills")
    assert len(bundled("plans")) >= 3 and len(bundled("drills")) >= 3
    for f in files:
        assert validate_file(str(f)) == [], f
    res = call_cli("validate", *map(str, files))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr


# --------------------------------------------------------------------------- overrides


def test_set_override_changes_the_plan(tmp_path):
    inputs = load_drill("gate-blockade", None, ["teams.dialogue.size=8"])
    assert inputs.plan.teams["dialogue"].size == 8
    assert load_drill("gate-blockade").plan.teams["dialogue"].size != 8
    assert load_plan("linxiang", ["teams.order.posture=forceful"]).plan \
        .teams["order"].posture.value == "forceful"

    out = tmp_path / "out"
    res = call_cli("run", "gate-blockade", "--set", "teams.dialogue.size=8", "--seed", "2",
                   "--lang", "en", "--formats", "md", "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(out)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["scenario"] == "gate-blockade"
    assert metrics["seed"] == 2
    # the run had the overridden team: the report's participants table shows its size
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| dialogue | 8 |" in report


def test_set_override_unknown_path_is_an_error(tmp_path):
    with pytest.raises(InputError) as info:
        load_plan("linxiang", ["teams.nosuchteam.size=3"])
    assert info.value.problems[0].field == "teams.nosuchteam.size"

    res = call_cli("run", "small-group", "--set", "teams.nosuchteam.size=3",
                   "--out", str(tmp_path / "out"))
    assert_bad_input(res, "teams.nosuchteam.size", "nosuchteam")
    assert not (tmp_path / "out").exists()


def test_set_override_invalid_value_is_an_error(tmp_path):
    with pytest.raises(InputError) as info:
        load_plan("linxiang", ["teams.dialogue.size=-1"])
    assert info.value.problems[0].field == "teams.dialogue.size"

    res = call_cli("run", "small-group", "--set", "teams.dialogue.size=-1",
                   "--out", str(tmp_path / "out"))
    assert_bad_input(res, "teams.dialogue.size")
    assert not (tmp_path / "out").exists()


def test_inline_plan_override_is_applied_and_named(tmp_path):
    ref = "linxiang[publicity.release_policy=proactive]"
    loaded = load_plan(ref)
    assert loaded.plan.publicity.release_policy.value == "proactive"
    assert loaded.label == ref

    out = tmp_path / "out"
    res = call_cli("run", "gate-blockade", "--plan", ref, "--seed", "2", "--out", str(out),
                   "--quiet")
    assert res.returncode == 0, res.stderr
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["plan"] == ref


def test_unknown_bundled_plan_lists_the_bundled_names(tmp_path):
    res = call_cli("run", "small-group", "--plan", "nosuchplan", "--out", str(tmp_path / "out"))
    assert_bad_input(res, "nosuchplan", *(p.stem for p in bundled("plans")))


# --------------------------------------------------------------------------- missing files


def test_missing_scenario_path(tmp_path):
    missing = tmp_path / "nope" / "nothere.yaml"
    res = call_cli("run", str(missing), "--out", str(tmp_path / "out"))
    assert_bad_input(res, "nothere.yaml")
    res = call_cli("validate", str(missing))
    assert_bad_input(res, "nothere.yaml")


def _scenario_with_missing_plan(tmp_path: Path) -> tuple[Path, int]:
    lines = read_lines("drills", "small-group")
    line = set_line(lines, None, "plan:", "plan: plans/missing-plan.yaml")
    return write(lines, tmp_path / "orphan.yaml"), line


def test_scenario_naming_a_missing_plan_file(tmp_path):
    path, line = _scenario_with_missing_plan(tmp_path)

    p = problem_at(validate_file(str(path)), "plan")
    assert (p.file, p.line) == (str(path), line)
    assert_bad_input(call_cli("validate", str(path)), f"{path}:{line}: plan:", "missing-plan.yaml")

    out = tmp_path / "out"
    assert_bad_input(call_cli("run", str(path), "--out", str(out)), "missing-plan.yaml")
    assert not out.exists()


def test_run_scenario_with_missing_plan_names_scenario_field_and_line(tmp_path):
    path, line = _scenario_with_missing_plan(tmp_path)
    res = call_cli("run", str(path), "--out", str(tmp_path / "out"))
    assert_bad_input(res, f"{path}:{line}: plan:")


# --------------------------------------------------------------------------- nothing is lost


def test_failed_run_leaves_existing_output_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    keep = {"notes.txt": "my notes\n", "metrics.json": '{"old": true}\n'}
    for name, text in keep.items():
        (out / name).write_text(text, encoding="utf-8")
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    lines = read_lines("plans", "linxiang")
    set_line(lines, "  dialogue:", "size:", 'size: "eight"')
    bad_plan = write(lines, tmp_path / "bad.yaml")
    for extra in (["--plan", str(bad_plan)], ["--set", "teams.nosuchteam.size=3"]):
        res = call_cli("run", "small-group", *extra, "--out", str(out))
        assert_bad_input(res)

    assert sorted(p.name for p in out.iterdir()) == sorted(keep)
    for name, text in keep.items():
        assert (out / name).read_text(encoding="utf-8") == text
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


# --------------------------------------------------------------------------- levels


def test_level_for_linxiang():
    plan = load_plan("linxiang").plan
    expected = {19: None, 20: "IV", 49: "IV", 50: "III", 99: "III", 100: "II", 499: "II",
                500: "I"}
    got = {n: (lv.id if (lv := plan.level_for(n)) else None) for n in expected}
    assert got == expected


@pytest.mark.parametrize("name", ["department-3level", "enterprise"])
def test_level_for_other_bundled_plans(name):
    plan = load_plan(name).plan
    levels = plan.levels
    assert len(levels) >= 2
    first = levels[0]
    if first.min_headcount > 0:
        assert plan.level_for(first.min_headcount - 1) is None
    for i, lv in enumerate(levels):
        assert plan.level_for(lv.min_headcount) is lv
        if i + 1 < len(levels):
            nxt = levels[i + 1]
            assert plan.level_for(nxt.min_headcount - 1) is lv
            if lv.max_headcount is not None:
                assert plan.level_for(lv.max_headcount) is lv
                assert plan.level_for(lv.max_headcount + 1) is nxt
        else:
            assert plan.level_for(lv.min_headcount * 10 + 1000) is lv


def test_an_unquoted_clock_is_the_time_it_looks_like(tmp_path):
    lines = read_lines("drills", "gate-blockade")
    at = next(i for i, text in enumerate(lines) if text.startswith("plan:"))
    lines.insert(at + 1, "start_clock: 14:30\n")   # a YAML 1.1 reader would make it 870
    path = write(lines, tmp_path / "clock.yaml")
    assert validate_file(str(path)) == []
    assert load_drill(str(path)).scenario.start_clock == "14:30"


@pytest.mark.parametrize("written", ["2:4", "120:00", "010", "0x8", "0o7", "0b11", "1_0"])
def test_numbers_only_a_yaml_1_1_reader_takes_for_numbers_are_refused_as_text(tmp_path,
                                                                              written):
    """2:4 is not read as 124 (base 60), nor 010 as 8: a count wants a plain decimal."""
    path, line = dialogue_size_plan(tmp_path, written, "odd.yaml")
    p = problem_at(validate_file(str(path)), "teams.dialogue.size")
    assert p.line == line and f"got the text '{written}'" in p.message
    res = call_cli("run", "small-group", "--set", f"teams.dialogue.size={written}")
    assert_bad_input(res, "--set: teams.dialogue.size:", f"got the text '{written}'")


@pytest.mark.parametrize("written", ["'1e1'", '"5E0"', "' 1e1 '"])
def test_a_number_in_exponent_form_in_quotes_is_text(tmp_path, written):
    lines = read_lines("plans", "linxiang")
    line = set_line(lines, "  dialogue:", "travel_min:", f"travel_min: {written}")
    path = write(lines, tmp_path / "quoted.yaml")
    p = problem_at(validate_file(str(path)), "teams.dialogue.travel_min")
    assert p.line == line and "got the text" in p.message
    res = call_cli("run", "small-group", "--set", f"teams.dialogue.travel_min={written}")
    assert_bad_input(res, "--set: teams.dialogue.travel_min:", "got the text")


def test_a_number_in_exponent_form_unquoted_is_the_number(tmp_path):
    lines = read_lines("plans", "linxiang")
    set_line(lines, "  dialogue:", "travel_min:", "travel_min: 1.5e1")
    set_line(lines, "  order:", "travel_min:", "travel_min: 2e1")
    plan = load_plan(str(write(lines, tmp_path / "exp.yaml"))).plan
    assert (plan.teams["dialogue"].travel_min, plan.teams["order"].travel_min) == (15.0, 20.0)
    # a count in exponent form is not a whole number as written
    path, line = dialogue_size_plan(tmp_path, "1e1", "count.yaml")
    p = problem_at(validate_file(str(path)), "teams.dialogue.size")
    assert p.line == line and "exponent form" in p.message


def test_a_scenario_beside_a_broken_plan_is_not_called_checked_against_it(tmp_path):
    lines = read_lines("plans", "linxiang")
    set_line(lines, None, "size:", "size: -30")
    plan = write(lines, tmp_path / "broken-plan.yaml")
    res = call_cli("validate", str(plan), "gate-blockade")
    assert res.returncode == 2
    out = " ".join(res.stdout.split())
    assert "ok gate-blockade (not checked against" in out and "broken-plan.yaml" in out


def test_a_wrong_form_is_told_in_the_files_terms_not_the_schemas_class_names(tmp_path):
    lines = read_lines("drills", "small-group")
    line = set_line(lines, "crowd:", "initial:", "initial: [15, 20, 25]")
    path = write(lines, tmp_path / "span.yaml")
    p = problem_at(validate_file(str(path)), "crowd.initial")
    assert p.line == line
    assert p.message == "expected a range: [low, high], or one number for both (got a list " \
                        "of 3 items)"
    (tmp_path / "null.yaml").write_text("~\n", encoding="utf-8")
    problems = validate_file(str(tmp_path / "null.yaml"))
    assert "got nothing: the value is empty or null" in problems[0].message
    text = "".join(read_lines("drills", "small-group")) + "parameters: {comms: null}\n"
    (tmp_path / "comms.yaml").write_text(text, encoding="utf-8")
    p = problem_at(validate_file(str(tmp_path / "comms.yaml")), "parameters.comms")
    assert p.message.startswith("expected a mapping of fields")
    for q in (p, *problems):
        assert "instance of" not in q.message and "NoneType" not in q.message


def test_a_set_key_a_plan_lacks_names_that_plan():
    res = call_cli("compare", "small-group", "--plans", "linxiang", "generic", "--set",
                   "teams.dialogue.size=3", "--reps", "2")
    assert_bad_input(res, "--set: teams.dialogue.size: no field 'dialogue' at teams of plan "
                          "generic")


def test_a_mistyped_name_gets_a_suggestion():
    res = call_cli("run", "gate-blokade")
    assert res.returncode == 2 and "did you mean 'gate-blockade'?" in res.stderr
    res = call_cli("run", "gate-blockade", "--plan", "linxang")
    assert res.returncode == 2 and "did you mean 'linxiang'?" in res.stderr
    res = call_cli("run", "gate-blockade", "--set", "teams.dialog.size=8")
    assert res.returncode == 2 and "did you mean 'dialogue'?" in res.stderr
