"""Read untrusted YAML safely, remembering the line of every field.

Plan and scenario files travel between offices, so they are read with PyYAML's safe
composer only: no tag outside YAML's core schema is honoured (``!!python/object`` is an
error, nothing is constructed), and a file that is too big, too deeply nested or that
expands into too many nodes through aliases is refused before it can exhaust memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.core.errors import InputError, Problem

MAX_BYTES = 1_000_000
"""Largest file read, in bytes: a real plan is a few kilobytes."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences accepted."""
MAX_NODES = 100_000
"""Most YAML nodes (after alias expansion) accepted in one file."""

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

Path_ = tuple[Any, ...]


@dataclass
class Document:
    """A YAML file's data with the line of each field.

    Attributes:
        label: the file as named to the user.
        data: the plain Python data (dicts, lists, scalars).
        lines: 1-based line of each field, keyed by its path (keys and list indices).
    """

    label: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of ``path`` or of its nearest ancestor that the file spells out."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def dotted(path: Path_) -> str:
    """``("teams", "dialogue", "size")`` -> ``"teams.dialogue.size"``."""
    return ".".join(str(p) for p in path)


def _problem(label: str, line: int | None, message: str, field_: str = "") -> InputError:
    return InputError([Problem(label, field_, line, message)])


def _check_depth(text: str, label: str) -> None:
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, _OPENERS):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _problem(label, token.start_mark.line + 1,
                                   f"nested more than {MAX_DEPTH} levels deep; refused")
            elif isinstance(token, _CLOSERS):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, label) from None


def _yaml_problem(exc: yaml.MarkedYAMLError, label: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    what = " ".join(s for s in (exc.context, exc.problem) if s)
    return _problem(label, line, f"malformed YAML: {what}")


class _Builder:
    """Turns a composed node tree into plain data and a line map, counting nodes."""

    def __init__(self, label: str):
        self.label = label
        self.lines: dict[Path_, int] = {}
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _problem(self.label, node.start_mark.line + 1,
                           f"more than {MAX_NODES} values (aliases included); refused")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if node.tag not in _CORE_TAGS:
            raise _problem(self.label, node.start_mark.line + 1,
                           f"tag {node.tag!r} is not allowed; plain YAML values only",
                           dotted(path))
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _CORE_TAGS:
                    raise _problem(self.label, key_node.start_mark.line + 1,
                                   "mapping keys must be plain scalars", dotted(path))
                key = self.constructor.construct_object(key_node)
                if key == "<<":
                    raise _problem(self.label, key_node.start_mark.line + 1,
                                   "merge keys (<<) are not supported; write the fields out",
                                   dotted(path))
                if key in out:
                    raise _problem(self.label, key_node.start_mark.line + 1,
                                   f"key {key!r} appears twice", dotted(path + (key,)))
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node)


def load_text(text: str, label: str) -> Document:
    """Parse YAML ``text`` (named ``label`` in messages) into a :class:`Document`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _problem(label, None, f"larger than {MAX_BYTES:,} bytes; refused")
    _check_depth(text, label)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, label) from None
    except RecursionError:
        raise _problem(label, None, "nested too deeply; refused") from None
    if node is None:
        raise _problem(label, 1, "the file is empty")
    builder = _Builder(label)
    try:
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, label) from None
    return Document(label, data, builder.lines)


def load_file(path: str | Path, label: str | None = None) -> Document:
    """Read and parse the YAML file at ``path``; ``InputError`` on any problem."""
    path = Path(path)
    label = label or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _problem(label, None, f"cannot read the file: {exc.strerror}") from None
    if size > MAX_BYTES:
        raise _problem(label, None, f"{size:,} bytes is larger than {MAX_BYTES:,}; refused")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _problem(label, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise _problem(label, None, f"cannot read the file: {exc.strerror}") from None
    return load_text(text, label)
