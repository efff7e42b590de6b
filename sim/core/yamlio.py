"""Read untrusted YAML safely, remembering the line of every field.

Plan and scenario files travel between offices, so they are read with PyYAML's safe
composer only: no tag outside YAML's core schema is honoured (``!!python/object`` is an
error, nothing is constructed), and a file that is too big, too deeply nested, that
expands into too many nodes through aliases or refers to itself through an alias, or that
holds a number too long to read, is refused before it can exhaust memory or time. Only a
regular file is read, its size checked first (:func:`sim.core.files.read_limited`). Every
refusal is an :class:`~sim.core.errors.InputError` naming the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.core.errors import InputError, Problem
from sim.core.files import read_limited

MAX_BYTES = 1_000_000
"""Largest file read, in bytes: a real plan is a few kilobytes."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences accepted."""
MAX_NODES = 50_000
"""Most YAML values accepted in one file, as written and after alias expansion (the largest
valid scenario or decisions file has a few tens of thousands)."""
MAX_NUMBER_CHARS = 64
"""Longest number literal accepted, in characters (a float has 17 significant digits)."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG_HINTS = {
    "tag:yaml.org,2002:timestamp": "a date or time, which these files do not take; if it is "
                                   "meant as text, put it in quotes (\"2024-05-01\")",
    "tag:yaml.org,2002:binary": "binary data, which these files do not take",
    "tag:yaml.org,2002:set": "a set, which these files do not take; write a list",
    "tag:yaml.org,2002:omap": "an ordered mapping, which these files do not take; write a "
                              "plain mapping",
    "tag:yaml.org,2002:pairs": "a list of pairs, which these files do not take; write a "
                               "plain mapping",
}

_CORE_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_OPENERS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
_VALUES = (yaml.ScalarToken, yaml.AliasToken)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (several times faster), else PyYAML's own."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
"""A whole number as written in decimal: nothing else a YAML 1.1 reader takes for one."""
_DECIMAL_FLOAT = re.compile(r"[-+]?(0|[1-9][0-9]*)?(\.[0-9]*)?([eE][-+]?[0-9]+)?|"
                            r"[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
"""A decimal number with a point or an exponent (and infinity or NaN, which the schemas
refuse by name)."""

_PLAIN_EXPONENT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+")
"""A number in exponent form without a dot (``1e-3``, ``5E2``), which YAML 1.1 reads as text."""


class PlainNumberText(str):
    """An unquoted number in exponent form (``1e-3``) that YAML 1.1 reads as text: whoever
    wrote it meant a number, and a field that takes numbers reads it as one. The same
    characters in quotes are text, refused where a number is wanted."""


Path_ = tuple[Any, ...]


@dataclass
class Document:
    """A YAML file's data with the line of each field.

    Attributes:
        label: the file as named to the user.
        data: the plain Python data (dicts, lists, scalars).
        lines: 1-based line of each field, keyed by its path (keys and list indices).
        inherited: fields the file does not spell out but takes from another (a plan's base,
            ``extends:``), keyed by path, to the name of that other file.
    """

    label: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    inherited: dict[Path_, str] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of ``path`` or of its nearest ancestor that the file spells out; for a field
        taken from a base file that no ancestor spells out, the ``extends`` line."""
        path = wanted = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        if self.inherited and ("extends",) in self.lines and \
                any(wanted[:i] in self.inherited for i in range(1, len(wanted) + 1)):
            return self.lines[("extends",)]
        return self.lines.get((), None)


def dotted(path: Path_) -> str:
    """``("teams", "dialogue", "size")`` -> ``"teams.dialogue.size"``."""
    return ".".join(str(p) for p in path)


def _problem(label: str, line: int | None, message: str, field_: str = "") -> InputError:
    return InputError([Problem(label, field_, line, message)])


def _check_depth(text: str, label: str) -> None:
    """Refuse, from the tokens alone (before anything is built), a file nested more than
    :data:`MAX_DEPTH` deep or with more than :data:`MAX_NODES` values written out."""
    depth = 0
    values = 0
    try:
        for token in yaml.scan(text, Loader=_LOADER):
            if isinstance(token, _OPENERS):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _problem(label, token.start_mark.line + 1,
                                   f"nested more than {MAX_DEPTH} levels deep; refused")
            elif isinstance(token, _CLOSERS):
                depth -= 1
            elif isinstance(token, _VALUES):
                values += 1
                if values > MAX_NODES:
                    raise _problem(label, token.start_mark.line + 1,
                                   f"more than {MAX_NODES:,} values; refused (a plan or "
                                   "scenario has a few thousand at most)")
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, label, text) from None


def _line_at(text: str, position: int) -> int | None:
    """The line of ``position`` in ``text``: a byte offset for libyaml, a character offset
    for PyYAML's own reader."""
    if not text:
        return None
    before = text.encode("utf-8")[:position] if _LOADER is not yaml.SafeLoader \
        else text[:position].encode("utf-8")
    return before.count(b"\n") + 1


def _yaml_problem(exc: yaml.YAMLError, label: str, text: str = "") -> InputError:
    if isinstance(exc, yaml.reader.ReaderError):
        line = _line_at(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        what = "a NUL character" if code == 0 else f"the control character U+{code:04X}"
        return _problem(label, line, f"{what} is not allowed: only text is (a binary or "
                                     "corrupted file?)")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if "nesting depth" in (exc.problem or ""):
            # libyaml's own limit (1,000 levels from PyYAML 6.0.4), met while it reads ahead
            return _problem(label, line, f"nested more than {MAX_DEPTH} levels deep; refused")
        what = " ".join(s for s in (exc.context, exc.problem) if s)
        return _problem(label, line, f"malformed YAML: {what}")
    return _problem(label, None, f"malformed YAML: {exc}")


class _Builder:
    """Turns a composed node tree into plain data and a line map, counting nodes."""

    def __init__(self, label: str):
        self.label = label
        self.lines: dict[Path_, int] = {}
        self.count = 0
        self.constructor = yaml.SafeLoader("")

        self.open: set[int] = set()

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > MAX_NODES:
            raise _problem(self.label, line,
                           f"more than {MAX_NODES} values (aliases included); refused")
        if len(path) > MAX_DEPTH:
            raise _problem(self.label, line, f"nested more than {MAX_DEPTH} levels deep; refused")
        self.lines.setdefault(path, line)
        if node.tag not in _CORE_TAGS:
            hint = _TAG_HINTS.get(node.tag)
            raise _problem(self.label, line,
                           f"this value is {hint}" if hint else
                           f"tag {_short(node.tag)!r} is not allowed; plain YAML values only",
                           dotted(path))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if id(node) in self.open:
            raise _problem(self.label, line, "an alias refers to a value that contains it "
                                             "(a recursive alias); refused", dotted(path))
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                raise _problem(self.label, line, "merge keys (<<) are not supported; write "
                                                 "the fields out", dotted(path))
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _CORE_TAGS:
                raise _problem(self.label, line, "mapping keys must be plain scalars (text or "
                                                 "numbers)", dotted(path))
            key = self._scalar(key_node, path)
            if key in out:
                raise _problem(self.label, line, f"key {_short(key)!r} appears twice",
                               dotted(path + (key,)))
            self.lines[path + (key,)] = line
            out[key] = self.build(value_node, path + (key,))
        return out

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        if node.tag == "tag:yaml.org,2002:int" and not _DECIMAL_INT.fullmatch(node.value) or \
                node.tag == "tag:yaml.org,2002:float" and not _DECIMAL_FLOAT.fullmatch(node.value):
            # YAML 1.1 reads 2:4 as 124 (base 60), 010 as 8, 0x8, 0b11 and 1_0 as numbers: here
            # they stay the text they are, and a field wanting a number says so
            return node.value
        numeric = node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        exponent = node.tag == "tag:yaml.org,2002:str" and not node.style \
            and _PLAIN_EXPONENT.fullmatch(node.value) is not None
        if (numeric or exponent) and len(node.value) > MAX_NUMBER_CHARS:
            raise _problem(self.label, node.start_mark.line + 1,
                           f"a number of {len(node.value):,} characters; at most "
                           f"{MAX_NUMBER_CHARS}", dotted(path))
        if exponent:
            return PlainNumberText(node.value)
        try:
            return self.constructor.construct_object(node)
        except (ValueError, OverflowError) as exc:
            raise _problem(self.label, node.start_mark.line + 1,
                           f"cannot read this value: {exc}", dotted(path)) from None


def _short(value: Any, limit: int = 60) -> str:
    """``value`` as text, cut to ``limit`` characters for a message."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_text(text: str, label: str) -> Document:
    """Parse YAML ``text`` (named ``label`` in messages) into a :class:`Document`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _problem(label, None, f"larger than {MAX_BYTES:,} bytes; refused")
    bad = _SURROGATE.search(text)
    if bad:
        line = text[:bad.start()].count("\n") + 1
        raise _problem(label, line, f"an unpaired surrogate (U+{ord(bad.group()):04X}, a "
                                    "broken character) is not allowed: the text is not valid")
    _check_depth(text, label)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, label, text) from None
    except RecursionError:
        raise _problem(label, None, "nested too deeply; refused") from None
    if node is None:
        raise _problem(label, 1, "the file is empty")
    builder = _Builder(label)
    try:
        data = builder.build(node, ())
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, label, text) from None
    except RecursionError:
        raise _problem(label, None, "nested too deeply; refused") from None
    return Document(label, data, builder.lines)


def load_file(path: str | Path, label: str | None = None) -> Document:
    """Read and parse the YAML file at ``path``; ``InputError`` on any problem."""
    path = Path(path)
    label = label or str(path)
    raw = read_limited(path, MAX_BYTES, label)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise _problem(label, line, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the "
                                    "file as UTF-8") from None
    return load_text(text, label)
