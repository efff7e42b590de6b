"""Outputs that never collide: the folder names the scenario, the plan variant with its
overrides, the seed and the mode; a reused folder keeps no stale file; compare and sweep
folders are named by their plans and settings; the variant's full name is in every output."""

from __future__ import annotations

import json
import re

import yaml

from run_drill import variant_label
from tests.conftest import call_cli


def test_variant_label_joins_set_overrides_to_inline_ones():
    assert variant_label("linxiang", []) == "linxiang"
    assert variant_label("linxiang", ["a.b=1"]) == "linxiang[a.b=1]"
    assert variant_label("linxiang[x=2]", ["a.b=1"]) == "linxiang[x=2,a.b=1]"


def test_runs_that_differ_only_in_set_write_different_folders_each_naming_it(tmp_path):
    plain = call_cli("run", "gate-blockade", "--quiet", "--formats", "md", cwd=tmp_path)
    forceful = call_cli("run", "gate-blockade", "--quiet", "--formats", "md", "--set",
                        "teams.order.posture=forceful", cwd=tmp_path)
    assert plain.returncode == forceful.returncode == 0, forceful.stderr
    a, b = plain.stdout.strip(), forceful.stdout.strip()
    assert a != b and "posture=forceful" in b
    metrics = json.loads((tmp_path / b / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["plan"] == "linxiang[teams.order.posture=forceful]"
    evaluation = json.loads((tmp_path / b / "evaluation.json").read_text(encoding="utf-8"))
    assert evaluation["plan"] == metrics["plan"]
    assert "linxiang[teams.order.posture=forceful]" in (tmp_path / b / "report.md").read_text(
        encoding="utf-8").replace("\\", "")
    assert json.loads((tmp_path / a / "metrics.json").read_text(encoding="utf-8"))["plan"] \
        == "linxiang"


def test_a_long_variant_is_shortened_with_a_hash_and_still_differs(tmp_path):
    sets = [f"teams.dialogue.size={n}" for n in (7, 8)]
    outs = []
    for s in sets:
        res = call_cli("run", "small-group", "--quiet", "--formats", "md", "--set",
                       "publicity.release_policy=proactive", "--set",
                       "teams.order.posture=forceful", "--set", "teams.persuasion.size=12",
                       "--set", s, cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        outs.append(res.stdout.strip())
    assert outs[0] != outs[1] and all(len(o) < 140 for o in outs)


def test_a_reused_folder_keeps_no_stale_file(tmp_path):
    out = tmp_path / "run"
    assert call_cli("run", "small-group", "--quiet", "--formats", "md,docx", "--out",
                    str(out)).returncode == 0
    assert (out / "report.docx").exists()
    assert call_cli("run", "small-group", "--quiet", "--formats", "md", "--out",
                    str(out)).returncode == 0
    assert not (out / "report.docx").exists()


def test_a_replay_writes_beside_its_plain_run_with_the_plain_runs_figures(tmp_path):
    decisions = {"scenario": "gate-blockade", "plan": "linxiang", "seed": 1,
                 "pause_every_min": 9,
                 "decisions": [{"point": 2, "t_min": 9, "trigger": "pause", "ref": "",
                                "action": "statement", "args": {}}]}
    path = tmp_path / "decisions.yaml"
    path.write_text(yaml.safe_dump(decisions), encoding="utf-8")
    plain = call_cli("run", "gate-blockade", "--quiet", "--formats", "md", cwd=tmp_path)
    replay = call_cli("run", "gate-blockade", "--quiet", "--formats", "md", "--decisions",
                      str(path), cwd=tmp_path)
    assert plain.returncode == replay.returncode == 0, replay.stderr
    a, b = tmp_path / plain.stdout.strip(), tmp_path / replay.stdout.strip()
    assert a != b and "replay" in b.name
    base = json.loads((b / "plain_metrics.json").read_text(encoding="utf-8"))
    assert base == json.loads((a / "metrics.json").read_text(encoding="utf-8"))
    own = json.loads((b / "metrics.json").read_text(encoding="utf-8"))
    assert own["first_statement_min"] is not None and base["first_statement_min"] is None
    assert own["rumor_peak_reach"] < base["rumor_peak_reach"]
    md = (b / "report.md").read_text(encoding="utf-8")
    assert f"{own['rumor_peak_reach']:.1%}（按预案运行：{base['rumor_peak_reach']:.1%}）" in md
    # the trainees' statement is told as theirs, and no later line says the policy is silence
    assert "但参训人员在9时09分决定发布权威信息" in md
    told = [int(n) for n in re.findall(r"T\+(\d+)）[^\n]*信息发布政策为不对外发布", md)]
    assert all(n <= own["first_statement_min"] for n in told), told


def test_compare_and_sweep_folders_name_their_plans_and_settings(tmp_path):
    one = call_cli("compare", "small-group", "--plans", "linxiang", "enterprise", "--reps", "2",
                   "--jobs", "1", "--quiet", cwd=tmp_path)
    two = call_cli("compare", "small-group", "--plans", "linxiang", "department-3level",
                   "--reps", "2", "--jobs", "1", "--quiet", cwd=tmp_path)
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout.strip() != two.stdout.strip()
    assert "enterprise" in one.stdout and "department-3level" in two.stdout
    sweep = call_cli("sweep", "small-group", "--grid", "teams.dialogue.size=4,8", "--reps", "2",
                     "--jobs", "1", "--quiet", cwd=tmp_path)
    assert sweep.returncode == 0, sweep.stderr
    assert "teams.dialogue.size=4_8" in sweep.stdout and "agreement_min" in sweep.stdout


def test_start_clock_org_and_date_reach_the_report(tmp_path):
    res = call_cli("run", "small-group", "--quiet", "--formats", "md", "--start-clock", "14:30",
                   "--org", "某县信访局", "--date", "2026年5月8日", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    md = (tmp_path / res.stdout.strip() / "report.md").read_text(encoding="utf-8")
    assert "某县信访局于2026年5月8日" in md and "14时30分至" in md
    bad = call_cli("run", "small-group", "--start-clock", "25:00", cwd=tmp_path)
    assert bad.returncode == 2 and "HH:MM" in bad.stderr


def test_the_same_run_twice_writes_the_same_bytes_in_every_file(tmp_path):
    """A seed reproduces the whole run folder: the charts carry no date and no random ids,
    and the Word file's parts no time of saving."""
    folders = []
    for name in ("a", "b"):
        out = tmp_path / name
        res = call_cli("run", "small-group", "--quiet", "--seed", "3", "--formats",
                       "md,html,docx", "--out", str(out))
        assert res.returncode == 0, res.stderr
        folders.append(out)
    files = sorted(p.relative_to(folders[0]) for p in folders[0].rglob("*") if p.is_file())
    assert any(f.suffix == ".svg" for f in files) and any(f.suffix == ".docx" for f in files)
    assert files == sorted(p.relative_to(folders[1]) for p in folders[1].rglob("*")
                           if p.is_file())
    differ = [str(f) for f in files
              if (folders[0] / f).read_bytes() != (folders[1] / f).read_bytes()]
    assert not differ
