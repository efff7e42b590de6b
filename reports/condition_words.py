"""A trigger condition (``levels[].when``, ``injects[].when``) in plain words, for reports.

``crowd_state >= "scuffle" or injuries >= 1 for 5 min`` reads
"现场态势达到“推搡冲突”，或受伤人数达到1人（持续5分钟）" / "the crowd at "scuffle" or worse, or
people hurt at least 1 (for 5 min)". A condition that cannot be read (it never reaches a
report: plans are checked when loaded) is shown as written.
"""

from __future__ import annotations

from reports.i18n import VALUE_WORDS, word
from sim.core.triggers import ConditionError, parse

VARIABLES: dict[str, dict[str, str]] = {
    "t_min": {"zh": "距首次发现聚集", "en": "the time since T0"},
    "crowd_present": {"zh": "现场上访人数", "en": "petitioners on site"},
    "onlookers": {"zh": "围观人数", "en": "onlookers"},
    "mean_agitation": {"zh": "群众平均激动程度", "en": "mean agitation"},
    "active_share": {"zh": "过激人员比例", "en": "share acting out"},
    "crowd_state": {"zh": "现场态势", "en": "the crowd"},
    "legitimacy": {"zh": "政府公信度", "en": "legitimacy"},
    "rumor_reach": {"zh": "网络谣言覆盖率", "en": "the rumour's reach"},
    "statement_reach": {"zh": "权威信息覆盖率", "en": "the statement's reach"},
    "level": {"zh": "已宣布的响应级别", "en": "the level declared"},
    "officers_on_site": {"zh": "现场警力", "en": "officers on site"},
    "health_incidents": {"zh": "伤病人数", "en": "health incidents"},
    "expected_crowd": {"zh": "预警预计人数", "en": "the crowd the warning expects"},
    "injuries": {"zh": "受伤人数", "en": "people hurt"},
}
"""Names of the numeric and text variables."""

FLAGS: dict[str, dict[str, str]] = {
    "statement_out": {"zh": "已发布权威信息", "en": "a statement is out"},
    "agreement": {"zh": "已作出承诺", "en": "a commitment is made"},
    "dialogue": {"zh": "已开始接访对话", "en": "the talks have started"},
    "representatives": {"zh": "群众已推选代表", "en": "the crowd has named representatives"},
    "cordon": {"zh": "已设置警戒区", "en": "the cordon is set"},
    "person_at_risk": {"zh": "有人员扬言轻生", "en": "someone threatens self-harm"},
    "dark": {"zh": "天黑", "en": "it is dark"},
    "warning": {"zh": "已收到预警", "en": "a warning has come"},
}
"""Phrases for the true/false variables."""

SHARES = {"mean_agitation", "active_share", "legitimacy", "rumor_reach", "statement_reach"}
PEOPLE = {"crowd_present", "onlookers", "officers_on_site", "health_incidents",
          "expected_crowd", "injuries"}

OPS: dict[str, dict[str, str]] = {
    ">=": {"zh": "达到", "en": "at least"}, ">": {"zh": "超过", "en": "above"},
    "<=": {"zh": "不超过", "en": "at most"}, "<": {"zh": "低于", "en": "below"},
    "==": {"zh": "为", "en": "is"}, "!=": {"zh": "不为", "en": "is not"},
}
STATE_OPS: dict[str, dict[str, str]] = {
    ">=": {"zh": "达到", "en": "at {v} or worse"}, ">": {"zh": "严重于", "en": "worse than {v}"},
    "<=": {"zh": "不超过", "en": "at {v} or calmer"}, "<": {"zh": "轻于", "en": "calmer than {v}"},
    "==": {"zh": "为", "en": "at {v}"}, "!=": {"zh": "不为", "en": "not at {v}"},
}
FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


def condition_text(text: str, lang: str) -> str:
    """``text`` (a condition as a plan writes it) in words in ``lang``."""
    try:
        cond = parse(text)
    except ConditionError:
        return text
    words = _node(cond.tree, lang, top=True)
    if cond.hold_min:
        words += (f"（持续{cond.hold_min:g}分钟）" if lang == "zh"
                  else f" (for {cond.hold_min:g} min)")
    return words


def _node(node: tuple, lang: str, top: bool = False) -> str:
    kind = node[0]
    if kind in ("or", "and"):
        joint = {"or": {"zh": "，或", "en": ", or "}, "and": {"zh": "，且", "en": ", and "}}
        parts = [_node(n, lang) for n in _flat(node, kind)]
        text = joint[kind][lang].join(parts)
        if top:
            return text
        return f"（{text}）" if lang == "zh" else f"({text})"
    if kind == "not":
        inner = _node(node[1], lang)
        return f"并非{inner}" if lang == "zh" else f"not {inner}"
    if kind == "truth":
        return _truth(node[1], lang)
    return _compare(node, lang)


def _flat(node: tuple, kind: str) -> list[tuple]:
    """The operands of a chain of the same operator (``a or b or c``), in order."""
    out: list[tuple] = []
    for child in node[1:]:
        out += _flat(child, kind) if child[0] == kind else [child]
    return out


def _truth(leaf: tuple, lang: str) -> str:
    if leaf[0] == "name":
        flag = FLAGS.get(leaf[1])
        if flag is not None:
            return flag[lang]
        name = VARIABLES.get(leaf[1], {}).get(lang, leaf[1])
        return f"{name}不为零" if lang == "zh" else f"{name} above zero"
    return str(leaf[1])


def _compare(node: tuple, lang: str) -> str:
    _, op, left, right = node
    if left[0] != "name" and right[0] == "name":   # 5 <= injuries: the variable first
        left, right, op = right, left, FLIP[op]
    if left[0] != "name":
        return f"{_value('', left, lang)} {op} {_value('', right, lang)}"
    var = left[1]
    if var in FLAGS:   # a flag compared with true/false or 1/0
        truth = _value("", right, lang)
        yes = (op in ("==", ">=") and truth in ("1", "true")) or \
            (op in ("!=", "<") and truth in ("0", "false"))
        words = FLAGS[var][lang]
        return words if yes else (f"并非{words}" if lang == "zh" else f"not: {words}")
    name = VARIABLES.get(var, {}).get(lang, var)
    value = _value(var, right, lang)
    if var == "crowd_state":
        if lang == "zh":
            return f"{name}{STATE_OPS[op]['zh']}“{value}”"
        return f"{name} " + STATE_OPS[op]["en"].format(v=f'"{value}"')
    return f"{name}{OPS[op]['zh']}{value}" if lang == "zh" else f"{name} {OPS[op]['en']} {value}"


def _value(var: str, leaf: tuple, lang: str) -> str:
    kind, v = leaf[0], leaf[1]
    if kind == "str":
        text = v.strip("\"'") if isinstance(v, str) else str(v)
        return word(VALUE_WORDS, text, lang) if var == "crowd_state" else text
    if kind == "name":
        return str(v)
    number = float(v)
    if var in SHARES:
        return f"{number * 100:g}%"
    if var in PEOPLE:
        return f"{number:g}人" if lang == "zh" else f"{number:g}"
    if var == "t_min":
        return f"{number:g}分钟" if lang == "zh" else f"{number:g} min"
    return f"{number:g}"
