"""Trigger conditions of injects: a small grammar of their own, never ``eval``.

Grammar (whitespace between tokens is free)::

    condition  := or_expr [ "for" NUMBER ("min" | "mins" | "minutes") ]
    or_expr    := and_expr { "or" and_expr }
    and_expr   := not_expr { "and" not_expr }
    not_expr   := "not" not_expr | atom
    atom       := "(" or_expr ")" | value COMPARATOR value | NAME
    value      := NAME | NUMBER | STRING
    COMPARATOR := "<" | "<=" | ">" | ">=" | "==" | "!="

Names are the state variables in :data:`VARIABLES`; strings are quoted with ``"`` or ``'``.
``crowd_state`` compares by severity (``crowd_state >= "blocking"``). A condition with
``for N min`` holds once its body has held at every tick for N minutes.

Examples: ``crowd_present >= 100``; ``crowd_state == "blocking" for 10 min``;
``rumor_reach > 0.1 and not statement_out``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

VARIABLES: dict[str, str] = {
    "t_min": "minutes since T0",
    "crowd_present": "petitioners on site (people)",
    "onlookers": "onlookers on site (people)",
    "mean_agitation": "mean agitation of petitioners present (0-1)",
    "active_share": "share of petitioners acting out (0-1)",
    "crowd_state": 'crowd state: "calm" < "vocal" < "blocking" < "scuffle"',
    "legitimacy": "legitimacy of the authorities in the crowd's eyes (0-1)",
    "rumor_reach": "share of the online population that heard the rumour (0-1)",
    "statement_reach": "share reached by the official statement (0-1)",
    "level": 'highest level declared so far, as the plan names it ("IV"), "" before any',
    "officers_on_site": "officers on site (people)",
    "health_incidents": "health incidents so far",
    "statement_out": "an official statement has been issued (true/false)",
    "agreement": "a commitment has been made (true/false)",
    "dialogue": "the dialogue team has started (true/false)",
    "representatives": "the crowd has named its representatives (true/false)",
    "cordon": "the cordon is set (true/false)",
    "expected_crowd": "the crowd intelligence expects: a warning's estimate (people), 0 without",
    "injuries": "people hurt in scuffles so far",
    "person_at_risk": "someone is threatening self-harm at height now (true/false)",
    "dark": "it is dark at the site (true/false): the clock is outside daylight hours",
    "warning": "a warning has been received before or during the drill (true/false)",
}
"""State variables a condition may name, with their meaning and units."""

STATE_ORDER = {"calm": 0, "vocal": 1, "blocking": 2, "scuffle": 3}

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>"[^"\\]*"|'[^'\\]*')
    | (?P<op><=|>=|==|!=|<|>)
    | (?P<paren>[()])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "for", "min", "mins", "minutes", "true", "false"}
MAX_LENGTH = 500
MAX_DEPTH = 20
MAX_HOLD_MIN = 1440.0
"""Longest ``for N min`` (a drill lasts at most a day: sim.core.config.MAX_DRILL_MIN)."""
MAX_NUMBER_CHARS = 64
"""Longest number in a condition, in characters (as in the files themselves)."""


class ConditionError(ValueError):
    """A condition that does not parse; the message says where and what was expected."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition: the expression tree and the minutes it must hold."""

    text: str
    tree: tuple
    hold_min: float = 0.0

    def _nodes(self):
        """Every node of the tree, depth first."""
        stack = [self.tree]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(child for child in node[1:] if isinstance(child, tuple))

    def names(self) -> set[str]:
        return {node[1] for node in self._nodes() if node[0] == "name"}

    def compared_with(self, name: str) -> set[str]:
        """The texts the condition compares variable ``name`` with."""
        out: set[str] = set()
        for node in self._nodes():
            if node[0] == "cmp":
                _, _, left, right = node
                for a, b in ((left, right), (right, left)):
                    if a == ("name", name) and b[0] == "str":
                        out.add(b[1])
        return out

    @cached_property
    def _test(self) -> Callable[[dict[str, Any]], Any]:
        return _compile(self.tree)

    def __getstate__(self) -> dict[str, Any]:
        # the compiled test is remade where the condition is unpickled
        return {k: v for k, v in self.__dict__.items() if k != "_test"}

    def holds(self, state: dict[str, Any]) -> bool:
        """Whether the body holds in ``state`` (one tick; ``for`` is handled by a Watch)."""
        return bool(self._test(state))


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ConditionError(f"unexpected character {text[pos:].lstrip()[:1]!r} at "
                                 f"position {pos + 1}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        if len(text) > MAX_LENGTH:
            raise ConditionError(f"longer than {MAX_LENGTH} characters")
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self, value: str | None = None, kind: str | None = None) -> bool:
        if self.i >= len(self.toks):
            return False
        k, v, _ = self.toks[self.i]
        return (value is None or v == value) and (kind is None or k == kind)

    def take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, what: str):
        if self.i >= len(self.toks):
            raise ConditionError(f"expected {what} at the end")
        k, v, pos = self.toks[self.i]
        if v == "for":   # inside brackets or before more of the condition
            raise ConditionError(f"'for N min' at position {pos + 1} must end the whole "
                                 "condition and applies to all of it; it cannot qualify a part")
        raise ConditionError(f"expected {what} at position {pos + 1}, found {v!r}")

    def parse(self) -> Condition:
        if not self.toks:
            raise ConditionError("the condition is empty")
        tree = self.or_expr()
        hold = 0.0
        if self.peek("for"):
            self.take()
            if not self.peek(kind="number"):
                self.expect("a number of minutes after 'for'")
            _, written, pos = self.take()
            hold = float(written)
            if len(written) > MAX_NUMBER_CHARS or hold > MAX_HOLD_MIN:
                raise ConditionError(f"'for N min' at position {pos + 1}: at most "
                                     f"{MAX_HOLD_MIN:g} minutes (a drill lasts at most a day), "
                                     f"not {_short(written)}")
            if not (self.peek("min") or self.peek("mins") or self.peek("minutes")):
                self.expect("'min' after the number")
            self.take()
            if self.i < len(self.toks):
                k, v, pos = self.toks[self.i]
                raise ConditionError(
                    f"'for N min' must end the condition and applies to all of it; found {v!r} "
                    f"after it at position {pos + 1} (a part that must hold for a while cannot "
                    "be combined with others)")
        if self.i < len(self.toks):
            self.expect("'and', 'or' or the end")
        return Condition(self.text, tree, hold)

    def or_expr(self):
        node = self.and_expr()
        while self.peek("or"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.peek("and"):
            self.take()
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self):
        if self.peek("not"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ConditionError("nested too deeply")
            node = ("not", self.not_expr())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self):
        if self.peek("("):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ConditionError("nested too deeply")
            node = self.or_expr()
            if not self.peek(")"):
                self.expect("')'")
            self.take()
            self.depth -= 1
            return node
        left = self.value()
        if self.peek(kind="op"):
            pos = self.toks[self.i][2]
            op = self.take()[1]
            right = self.value()
            _check_comparison(op, left, right, pos)
            return ("cmp", op, left, right)
        if left[0] == "name":
            return ("truth", left)
        self.expect("a comparison (<, <=, >, >=, ==, !=)")

    def value(self):
        if self.i >= len(self.toks):
            self.expect("a name, a number or a quoted string")
        k, v, pos = self.toks[self.i]
        if k == "number":
            if len(v) > MAX_NUMBER_CHARS:
                raise ConditionError(f"a number of {len(v)} characters at position {pos + 1} "
                                     f"({_short(v)}); at most {MAX_NUMBER_CHARS}")
            self.i += 1
            return ("num", float(v))
        if k == "string":
            self.i += 1
            return ("str", v[1:-1])
        if k == "name" and v in ("true", "false"):
            self.i += 1
            return ("num", 1.0 if v == "true" else 0.0)
        if k == "name" and v not in _KEYWORDS:
            if v not in VARIABLES:
                raise ConditionError(f"unknown variable {v!r} at position {pos + 1} "
                                     f"(known: {', '.join(VARIABLES)})")
            self.i += 1
            return ("name", v)
        self.expect("a name, a number or a quoted string")


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


TEXT_VARIABLES = frozenset({"crowd_state", "level"})
"""Variables whose values are text; every other variable is a number (true/false as 1/0)."""

ORDERING = frozenset({"<", "<=", ">", ">="})


def _check_comparison(op: str, left: tuple, right: tuple, pos: int) -> None:
    """Refuse a comparison that could never mean what it says: text against a number, an
    unknown crowd state, or an ordering of levels (which the plan names, not ranks)."""
    def text(node: tuple) -> bool:
        return node[0] == "str" or (node[0] == "name" and node[1] in TEXT_VARIABLES)

    where = f"at position {pos + 1}"
    if text(left) != text(right):
        def said(node: tuple) -> str:
            if node[0] == "name":
                return f"{node[1]} ({VARIABLES[node[1]]})"
            return repr(node[1]) if node[0] == "str" else f"{node[1]:g}"
        raise ConditionError(f"'{op}' {where} compares text with a number: {said(left)} "
                             f"{op} {said(right)}")
    names = {n[1] for n in (left, right) if n[0] == "name"}
    for node in (left, right):
        if node[0] == "str" and "crowd_state" in names and node[1] not in STATE_ORDER:
            raise ConditionError(f"unknown crowd state {node[1]!r} {where} (known: "
                                 f"{', '.join(STATE_ORDER)})")
    if "level" in names and op in ORDERING:
        raise ConditionError(f"'{op}' {where}: levels are named by the plan, not ranked; "
                             'compare level with == or != (e.g. level == "II")')


@lru_cache(maxsize=1024)
def parse(text: str) -> Condition:
    """Parse ``text``; :class:`ConditionError` says what is wrong and where."""
    if not isinstance(text, str):
        raise ConditionError("a condition must be text")
    return _Parser(text).parse()


def _reader(node) -> Callable[[dict[str, Any]], Any]:
    """What a value node reads from a state: a constant, or a variable (a truth as 1 or 0)."""
    if node[0] == "num" or node[0] == "str":
        const = node[1]
        return lambda state: const
    name = node[1]

    def read(state: dict[str, Any]) -> Any:
        value = state.get(name)
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        return value
    return read


_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _compile(node) -> Callable[[dict[str, Any]], Any]:
    """The tree as a function of the state, once, so that a tick only calls it."""
    kind = node[0]
    if kind in ("or", "and"):
        first, second = _compile(node[1]), _compile(node[2])
        if kind == "or":
            return lambda state: first(state) or second(state)
        return lambda state: first(state) and second(state)
    if kind == "not":
        inner = _compile(node[1])
        return lambda state: not inner(state)
    if kind == "truth":
        value = _reader(node[1])
        return lambda state: bool(value(state))
    _, op, left, right = node
    get_a, get_b, test = _reader(left), _reader(right), _OPS[op]
    by_severity = "crowd_state" in (left[1], right[1])
    mixed = op == "!="   # a number against a text: only "differs" holds

    def compare(state: dict[str, Any]) -> bool:
        a, b = get_a(state), get_b(state)
        if by_severity and isinstance(a, str) and isinstance(b, str):
            a, b = STATE_ORDER.get(a, -1), STATE_ORDER.get(b, -1)
        if isinstance(a, str) != isinstance(b, str):
            return mixed
        if a is None or b is None:
            return False
        return test(a, b)
    return compare


class Watch:
    """Watches one condition tick by tick; :meth:`update` is True at the first tick it fires."""

    def __init__(self, condition: Condition):
        self.condition = condition
        self.since: float | None = None

    def update(self, t: float, state: dict[str, Any]) -> bool:
        if self.condition.holds(state):
            if self.since is None:
                self.since = t
            return t - self.since >= self.condition.hold_min - 1e-9
        self.since = None
        return False
