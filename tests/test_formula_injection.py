"""No CSV the project writes has a cell a spreadsheet would run as a formula.

A plan whose name, team ids and inject ids are formulas (``=HYPERLINK(...)``, ``@SUM(1)``,
``+1+1``, ``-2+3``; a team id, being part of override paths, may only start with ``-``) goes
through ``run``, ``compare``, ``sweep`` and ``sensitivity``; every cell of every CSV in their
folders is checked (the rule: :func:`sim.core.files.safe_cell`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.core.files import FORMULA_STARTS, csv_text, neutralise_csv, safe_cell
from sim.core.yamlio import load_file
from tests.conftest import ROOT, call_cli

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
RENAME = {"order": "-cmd", "dialogue": "-SUM", "persuasion": "-2", "logistics": "-1-1"}
PLAN_NAME = "=cmd|' /C calc'!A0"


def dangerous(cell: str) -> bool:
    """Whether a spreadsheet would read ``cell`` as a formula."""
    return cell.startswith(FORMULA_STARTS) and safe_cell(cell) != cell


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("cell, expected", [
    (HYPERLINK, "'" + HYPERLINK), ("@SUM(1)", "'@SUM(1)"), ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("-", "'-"),
    ("-inf", "'-inf"), ("=", "'="),
    ("-2.5", "-2.5"), ("+3", "+3"), ("-1e-05", "-1e-05"), ("1e3", "1e3"), ("", ""),
    ("plain", "plain"), ("a=b", "a=b"), (" =1", " =1"), ("'=1", "'=1"),
])
def test_the_rule(cell, expected):
    assert safe_cell(cell) == expected
    assert safe_cell(3) == 3 and safe_cell(None) is None


def test_csv_text_neutralises_cells_and_headers_and_keeps_the_rest_byte_for_byte():
    df = pd.DataFrame({"plan": [HYPERLINK, "linxiang"], "value": [-2.5, 3.0],
                       "@head": ["x\ny", "-2+3"]})
    text = csv_text(df)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["plan", "value", "'@head"]
    assert rows[1] == ["'" + HYPERLINK, "-2.5", "x\ny"]
    assert rows[2] == ["linxiang", "3.0", "'-2+3"]
    benign = pd.DataFrame({"a": ["x, y", 'q"uote', "-1"], "b": [1.5, -2.0, float("nan")]})
    assert csv_text(benign) == benign.to_csv(index=False, lineterminator="\n")
    assert neutralise_csv("a,b\n1,2\n") == "a,b\n1,2\n"


# --------------------------------------------------------------------------- every writer


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A plan and a scenario full of formulas, in one folder."""
    folder = tmp_path_factory.mktemp("hostile")
    plan = load_file(ROOT / "scenarios" / "plans" / "linxiang.yaml").data
    plan["name"] = PLAN_NAME
    plan["teams"] = {RENAME.get(k, k): v for k, v in plan["teams"].items()}
    for level in plan["levels"]:
        level["dispatch"] = [RENAME.get(t, t) for t in level["dispatch"]]
    for team in plan["teams"].values():
        team["name"] = {"zh": "=1+1", "en": "@risk"}
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True),
                                      encoding="utf-8")
    scenario = load_file(ROOT / "scenarios" / "drills" / "small-group.yaml").data
    scenario["plan"] = "plan.yaml"
    scenario["name"] = "formulas"
    for inject, new_id in zip(scenario["injects"], [HYPERLINK, "@SUM(1)", "+1+1", "-2+3"],
                              strict=False):
        old = inject["id"]
        inject["id"] = new_id
        for other in scenario["injects"]:
            if other.get("contingency_for") == old:
                other["contingency_for"] = new_id
        if inject.get("team") in RENAME:
            inject["team"] = RENAME[inject["team"]]
        inject["note"] = "\t=cmd"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True),
                                          encoding="utf-8")
    return folder


def _outputs(hostile: Path) -> dict[str, Path]:
    scenario, plan = str(hostile / "scenario.yaml"), str(hostile / "plan.yaml")
    commands = {
        "run": ["run", scenario, "--seed", "3", "--formats", "md"],
        "compare": ["compare", scenario, "--plans", plan,
                    f"{plan}[publicity.release_policy=proactive]", "--reps", "2", "--jobs", "1"],
        "sweep": ["sweep", scenario, "--grid", "publicity.release_policy=silent,proactive",
                  "--reps", "1", "--jobs", "1"],
        "sensitivity": ["sensitivity", scenario, "--samples", "2", "--reps", "1",
                        "--only", "levers", "--jobs", "1"],
    }
    out = {}
    for name, args in commands.items():
        folder = hostile / f"out-{name}"
        res = call_cli(*args, "--out", str(folder), "--quiet")
        assert res.returncode == 0, (name, res.stderr)
        out[name] = folder
    return out


def test_no_csv_cell_runs_as_a_formula(hostile):
    folders = _outputs(hostile)
    seen = 0
    neutralised = set()
    for name, folder in folders.items():
        files = sorted(folder.rglob("*.csv"))
        assert files, name
        for path in files:
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.reader(f):
                    for cell in row:
                        seen += 1
                        assert not dangerous(cell), f"{path.relative_to(hostile)}: {cell!r}"
                        if cell.startswith("'") and cell[1:2] in "=+-@\t":
                            neutralised.add((name, path.name))
    # the hostile names did reach the files, neutralised
    assert {("run", "events.csv"), ("run", "messages.csv"), ("compare", "replications.csv"),
            ("compare", "summary.csv"), ("sweep", "replications.csv")} <= neutralised, neutralised
    assert seen > 1000
    events = (folders["run"] / "events.csv").read_text(encoding="utf-8")
    assert "'" + HYPERLINK.replace('"', '""') in events
    run = json.loads((folders["compare"] / "run.json").read_text(encoding="utf-8"))
    assert run["plans"][0]["label"] == PLAN_NAME  # JSON keeps the name as it is
