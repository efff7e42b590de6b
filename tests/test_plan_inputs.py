"""Bad input in the plan and scenario fields of the seed plans: file, field and line, exit 2.

Each case copies a bundled file, changes one line (or adds one), and checks that both
``validate`` and ``run`` name the file, the dotted field and the line, and exit with 2.
"""

from __future__ import annotations

import pytest

from sim.core.loading import PLANS_DIR, load_drill, validate_file
from tests.conftest import call_cli
from tests.test_inputs import assert_bad_input, read_lines, set_line, write

# (kind, file, anchor, target, replacement, where the field's line is (lines below the
# replaced one, or "anchor"), field, message)
CASES = [
    ("plans", "linxiang", "  - id: IV", "commander:", "commander: mayor", 0,
     "levels.0.commander", "unknown role 'mayor'"),
    ("plans", "linxiang", "  - id: IV", "color:", "when: crowd_present >>= 3", 0,
     "levels.0.when", "invalid condition"),
    ("plans", "linxiang", None, "first_response:", "first_response: [cordon, hug_everyone]", 0,
     "first_response.1", "hug_everyone"),
    ("plans", "linxiang", "  logistics:", "size:", "size: 5\n    answers_min: [20, 5]", 1,
     "teams.logistics.answers_min", "low"),
    ("plans", "linxiang", "  deputy_mayor:", "authority:", "authority: 1.5", 0,
     "roles.deputy_mayor.authority", "less than or equal to 1"),
    ("plans", "linxiang", "  - id: IV", "min_headcount:", "report_up: true", "anchor",
     "levels.0", "min_headcount, when, or both"),
    ("plans", "linxiang", None, "name:", "name: linxiang\nwarning:\n"
     "  preposition: [swat]", 2, "warning.preposition.0", "unknown team 'swat'"),
    ("plans", "linxiang", None, "name:", "name: linxiang\nwarning:\n  declare_level: V", 2,
     "warning.declare_level", "unknown level 'V'"),
    ("plans", "linxiang", None, "first_response:", "first_response: [cordon, cordon]", 0,
     "first_response", "'cordon' is listed twice"),
    ("plans", "linxiang", "  dialogue:", "capabilities:", "capabilities: [dialogue, dialogue]", 0,
     "teams.dialogue.capabilities", "'dialogue' is listed twice"),
    ("plans", "linxiang", "  - id: IV", "dispatch:", "dispatch: [order, order]", 0,
     "levels.0.dispatch", "'order' is listed twice"),
    ("plans", "linxiang", "  dialogue:", "name:", "name: no", 0,
     "teams.dialogue.name", "an unquoted yes, no, on, off, true or false is read as true or false"),
    ("drills", "small-group", None, "name:", "name: small-group\nstart_clock: '25:00'", 1,
     "start_clock", "pattern"),
    ("drills", "small-group", None, "humidity_pct:", "humidity_pct: 50\n  precipitation: snow",
     1, "weather.precipitation", "heavy_rain"),
    ("drills", "self-harm-at-height", None, "height_m:", "height_m: -3", 0,
     "injects.0.height_m", "greater than or equal to 2"),
    ("drills", "online-call", None, "- kind: online_call", "- kind: carrier_pigeon", 0,
     "warning.signals.0.kind", "tip_off"),
    ("drills", "online-call", "warning:", "expected: 300", "expected: 300\n      before_min: 500",
     "anchor", "warning", "lead_min"),
    ("drills", "gate-blockade", "  - id: GB-2", "capability:", "capability: juggling", 0,
     "injects.1.capability", "psych_support"),
    ("drills", "gate-blockade", "  - id: GB-2", "capability:",
     "capability: dialogue\n    team: dialogue", "anchor", "injects.1", "a team or a capability"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[6] + ":" + c[1] for c in CASES])
def test_a_bad_new_field_is_named_with_its_line(case, tmp_path):
    kind, name, anchor, target, new, extra, field, message = case
    lines = read_lines(kind, name)
    line = set_line(lines, anchor, target, new)
    if extra == "anchor":   # the problem is the block's, told at the block's first line
        line = next(i for i, text in enumerate(lines, 1) if text.rstrip("\r\n") == anchor)
    else:                   # a field on a line of its own, ``extra`` lines below
        line += extra
    path = write(lines, tmp_path / f"{name}.yaml")
    res = call_cli("validate", str(path))
    assert_bad_input(res, f"{path}:{line}: {field}:", message)


def test_a_reinforcement_no_level_requests_is_told_in_the_appendix(tmp_path):
    """Requested only on a facilitator's decision: the plan's appendix says so (raising
    from_level above every requesting level is a lever: no automatic request)."""
    from reports.plan_summary import plan_section
    from sim.engine import simulate

    r = simulate(load_drill("gate-blockade", "linxiang[teams.order.reinforcement.from_level=I,"
                                             "levels.3.request_reinforcement=false]"), 1)
    text = " ".join(str(b) for b in plan_section(r, "en").blocks)   # tables' cells included
    assert "requested at no level: only on a facilitator's decision" in text
    assert validate_file(str(PLANS_DIR / "linxiang.yaml")) == []


def test_a_text_in_one_language_serves_both():
    from sim.core.config import Text

    assert Text.model_validate({"zh": "市信访局"}).get("en") == "市信访局"
    assert Text.model_validate({"en": "Petition bureau"}).get("zh") == "Petition bureau"
    assert Text.model_validate("市信访局").get("en") == "市信访局"
