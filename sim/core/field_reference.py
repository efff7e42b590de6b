"""The reference of every plan and scenario field, rendered from the schemas (``docs/fields.md``).

The pydantic models of :mod:`sim.core.config` are walked field by field: each field is named
by its dotted path as it is written in YAML (``teams.<team id>.travel_min``,
``levels[].dispatch``, ``injects[].expected.action``), with its type in plain words, whether
it is required, its default, its bounds and its ``description``. The scenario's injects, a
union told apart by ``kind``, get the fields every kind takes and then a section per kind.
Nothing here lists fields by hand: a field added to a model appears in the reference.

Regenerate the committed file with::

    python -m sim.core.field_reference > docs/fields.md

(or ``python -m sim.core.field_reference docs/fields.md``); ``tests/test_field_reference.py``
fails while it is out of date.
"""

from __future__ import annotations

import enum
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import AfterValidator, BaseModel, StringConstraints
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.core import config
from sim.core.config import Plan, Scenario, Span, Text

COMMAND = "python -m sim.core.field_reference > docs/fields.md"
"""How to regenerate the committed reference."""

ROOTS: tuple[tuple[str, type[BaseModel]], ...] = (("Plan", Plan), ("Scenario", Scenario))
"""The documents a user writes, each with the model that reads it."""

_STRING_ALIASES: tuple[tuple[Any, str], ...] = (
    (config.TeamId, "team id"),
    (config.Condition, "condition (trigger grammar)"),
    (config.Clock, "time of day (HH:MM, 24-hour clock)"),
    (config.Name, "name (one line)"),
    (config.Id, "id (one line)"),
    (config.Line, "one line of text"),
    (config.Prose, "text"),
)
"""The string types of the schemas, each in words; a field is matched by the very metadata
objects of its alias (a constraint or validator it shares with nothing else)."""

_STRING_CHECKS: dict[Any, str] = {config.one_line: "one line of text"}
"""String validators in words, for strings declared without one of the aliases above."""

_UNITS: tuple[tuple[str, str], ...] = (
    ("_per_min", "number per minute"),
    ("_staff_min", "number of staff-minutes"),
    ("_min", "number of minutes"),
    ("_m2", "number of square metres"),
    ("_m", "number of metres"),
    ("_c", "number of degrees Celsius"),
    ("_pct", "percentage (0-100)"),
)
"""Units by the ending of a number field's name (the schemas' naming convention)."""


@dataclass(frozen=True)
class Row:
    """One field of the reference."""

    path: str
    type: str
    required: bool
    default: str
    bounds: str
    description: str


@dataclass(frozen=True)
class Section:
    """The fields of one model at one place of a document."""

    path: str
    title: str
    intro: str
    rows: tuple[Row, ...]


# --------------------------------------------------------------------------- annotations


def _split(annotation: Any) -> tuple[list[Any], list[Any], bool]:
    """(the alternatives of ``annotation``, the metadata of Annotated layers, whether None is
    allowed), unions and Annotated unwrapped."""
    out: list[Any] = []
    meta: list[Any] = []
    optional = False
    stack = [annotation]
    while stack:
        a = stack.pop(0)
        origin = get_origin(a)
        if origin is Annotated:
            base, *extra = get_args(a)
            for m in extra:
                meta.extend(m.metadata if isinstance(m, FieldInfo) else [m])
                if isinstance(m, FieldInfo) and m.discriminator:
                    meta.append(("discriminator", m.discriminator))
            stack.insert(0, base)
        elif origin in (Union, types.UnionType):
            stack[:0] = list(get_args(a))
        elif a is type(None):
            optional = True
        else:
            out.append(a)
    return out, meta, optional


def _is_model(a: Any) -> bool:
    return isinstance(a, type) and issubclass(a, BaseModel)


def _is_value_model(a: Any) -> bool:
    """Models written as one value (a text, a range) rather than as a section of fields."""
    return _is_model(a) and issubclass(a, (Text, Span))


def _first_sentence(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line, with reST roles and quotes made plain."""
    if not doc:
        return ""
    para = doc.strip().split("\n\n")[0]
    para = " ".join(line.strip() for line in para.splitlines())
    para = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", para)
    return para.replace("``", "`")


def _code(values: list[Any]) -> str:
    return ", ".join(f"`{getattr(v, 'value', v)}`" for v in values)


def _string_words(meta: list[Any]) -> str:
    ids = {id(m) for m in meta}
    for alias, words in _STRING_ALIASES:
        if any(id(m) in ids for m in get_args(alias)[1:]):
            return words
    for m in meta:
        if isinstance(m, AfterValidator) and m.func in _STRING_CHECKS:
            return _STRING_CHECKS[m.func]
    return "text"


def _number_words(kind: type, name: str, meta: list[Any]) -> str:
    if kind is int:
        return "whole number"
    for ending, words in _UNITS:
        if name.endswith(ending):
            return words
    low = [m.ge for m in meta if isinstance(m, at.Ge)] + [m.gt for m in meta
                                                          if isinstance(m, at.Gt)]
    high = [m.le for m in meta if isinstance(m, at.Le)]
    if low == [0] and high == [1]:
        return "share (0-1)"
    return "number"


def _plural(words: str) -> str:
    """``team id`` -> ``team ids``; longer phrases are left as they are."""
    return words + "s" if re.fullmatch(r"[a-z]+( [a-z]+)?", words) else words


def _value_model_words(model: type[BaseModel]) -> str:
    if issubclass(model, Text):
        return ("text in both languages: `{zh: ..., en: ...}`, or one string (or only one of "
                "`zh`/`en`) for both")
    unit = _first_sentence(model.__doc__).rstrip(".")
    unit = unit[0].lower() + unit[1:] if unit else "range"
    return f"{unit}: `[low, high]`, `{{low: ..., high: ...}}` or one number for both"


def type_words(annotation: Any, name: str = "", meta: list[Any] | None = None) -> str:
    """The type of a field in plain words (``name`` gives the unit of a number)."""
    alts, inner_meta, optional = _split(annotation)
    meta = list(meta or []) + inner_meta
    words = [_one_type(a, name, meta) for a in alts]
    text = " or ".join(words)
    return f"{text}, or null" if optional and text else (text or "null")


def _one_type(a: Any, name: str, meta: list[Any]) -> str:
    origin = get_origin(a)
    if a is bool:
        return "true or false"
    if a in (int, float):
        return _number_words(a, name, meta)
    if a is str:
        return _string_words(meta)
    if a is Any:
        return "any value"
    if origin is Literal:
        values = get_args(a)
        return _code(list(values)) if len(values) == 1 else f"one of: {_code(list(values))}"
    if isinstance(a, type) and issubclass(a, enum.Enum):
        return f"one of: {_code(list(a))}"
    if _is_value_model(a):
        return _value_model_words(a)
    if _is_model(a):
        return "section (its fields below)"
    if origin is list:
        (item,) = get_args(a)
        alts = _split(item)[0]
        if all(_is_model(x) and not _is_value_model(x) for x in alts):
            return "list of sections (their fields below)"
        words = type_words(item, name.rstrip("s"))
        return f"list, each {words}" if words.startswith("one of") else f"list of {_plural(words)}"
    if origin is dict:
        key, value = get_args(a)
        key_words = type_words(key)
        if all(_is_model(x) and not _is_value_model(x) for x in _split(value)[0]):
            return f"mapping: key {key_words}; value a section (its fields below)"
        return f"mapping: key {key_words}; value {type_words(value, name)}"
    raise TypeError(f"no words for the type {a!r} of field {name!r}")


# --------------------------------------------------------------------------- bounds, defaults


def _fmt(x: Any, grouped: bool = True) -> str:
    """A number as a reader writes it: ``10,000`` (``10000`` with ``grouped`` false, as in
    YAML), ``0.5``."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        if float(x).is_integer() and abs(x) < 1e15:
            return f"{int(x):,}" if grouped else str(int(x))
        return f"{x:g}"
    return str(x)


_SINGULAR = {"items": "item", "entries": "entry", "characters": "character"}


def _count(n: int, what: str) -> str:
    return f"{_fmt(n)} {_SINGULAR.get(what, what) if n == 1 else what}"


def _bounds_of(meta: list[Any], what: str) -> list[str]:
    out = []
    for m in meta:
        if isinstance(m, at.Ge):
            out.append(f"≥ {_fmt(m.ge)}")
        elif isinstance(m, at.Gt):
            out.append(f"> {_fmt(m.gt)}")
        elif isinstance(m, at.Le):
            out.append(f"≤ {_fmt(m.le)}")
        elif isinstance(m, at.Lt):
            out.append(f"< {_fmt(m.lt)}")
        elif isinstance(m, at.MinLen):
            out.append(f"at least {_count(m.min_length, what)}")
        elif isinstance(m, at.MaxLen):
            out.append(f"at most {_count(m.max_length, what)}")
        elif isinstance(m, StringConstraints):
            if m.min_length and m.min_length > 1:
                out.append(f"at least {_count(m.min_length, 'characters')}")
            elif m.min_length == 1:
                out.append("not empty")
            if m.max_length is not None:
                out.append(f"at most {_count(m.max_length, 'characters')}")
    return out


def bounds(annotation: Any, meta: list[Any]) -> str:
    """The limits on a field's value in words (``≥ 0, ≤ 10,000``; ``at most 50 items``)."""
    alts, inner_meta, _ = _split(annotation)
    meta = list(meta) + inner_meta
    container = next((get_origin(a) for a in alts if get_origin(a) in (list, dict)), None)
    what = {list: "items", dict: "entries"}.get(container, "characters") \
        if container else "characters"
    parts = [", ".join(_bounds_of(meta, what))]
    for a in alts:
        origin = get_origin(a)
        if origin in (list, dict):
            labels = ("key", "value") if origin is dict else ("each",)
            for label, inner in zip(labels, get_args(a), strict=True):
                sub_alts, sub_meta, _ = _split(inner)
                if any(_is_model(x) for x in sub_alts):
                    continue
                sub = _bounds_of(sub_meta, "characters")
                if sub:
                    parts.append(f"{label}: {', '.join(sub)}")
        elif _is_value_model(a):
            first = next(iter(a.model_fields.values()))
            sub = _bounds_of(list(first.metadata), "characters")
            if sub:
                which = "each language" if issubclass(a, Text) else "each end"
                parts.append(f"{which}: {', '.join(sub)}")
    return "; ".join(p for p in parts if p)


def _literal(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (int, float)):
        return _fmt(value, grouped=False)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Span):
        return f"[{_fmt(value.low)}, {_fmt(value.high)}]"
    raise TypeError(f"no words for the default {value!r}")


def default_words(field: FieldInfo) -> str:
    """A field's default as a user would write it; ``-`` for a required field."""
    if field.is_required():
        return "-"
    value = field.get_default(call_default_factory=True)
    if value is PydanticUndefined:
        return "-"
    if isinstance(value, BaseModel) and not isinstance(value, Span):
        return "its fields' defaults"
    return f"`{_literal(value)}`"


# --------------------------------------------------------------------------- walking


def _section_models(annotation: Any) -> list[type[BaseModel]]:
    return [x for x in _split(annotation)[0] if _is_model(x) and not _is_value_model(x)]


def _nested(name: str, annotation: Any) -> list[tuple[str, list[type[BaseModel]], str]]:
    """The sections below field ``name``: (their path below the field, their models, the
    discriminator that tells several models apart)."""
    out: list[tuple[str, list[type[BaseModel]], str]] = []
    for a in _split(annotation)[0]:
        origin = get_origin(a)
        if origin is list:
            (inner,) = get_args(a)
            below = "[]"
        elif origin is dict:
            key, inner = get_args(a)
            below = f".{_key_name(name, key)}"
        else:
            inner, below = a, ""
        models = _section_models(inner)
        if models:
            out.append((below, models, _discriminator(inner) if len(models) > 1 else ""))
    return out


def _discriminator(annotation: Any) -> str:
    for m in _split(annotation)[1]:
        if isinstance(m, tuple) and m[0] == "discriminator":
            return str(m[1])
    raise TypeError(f"several models without a discriminator: {annotation!r}")


def _key_name(field_name: str, key: Any) -> str:
    """How a mapping's key is written in a path: ``<team id>``, ``<role id>``."""
    words = type_words(key)
    if words == "team id":
        return "<team id>"
    if words.startswith("id"):
        return f"<{field_name.rstrip('s')} id>"
    return f"<{field_name.rstrip('s')}>"


def row(path: str, name: str, field: FieldInfo) -> Row:
    """The reference row of one field at ``path``."""
    return Row(path=path, type=type_words(field.annotation, name, list(field.metadata)),
               required=field.is_required(), default=default_words(field),
               bounds=bounds(field.annotation, list(field.metadata)),
               description=(field.description or "").strip())


def sections(model: type[BaseModel], path: str = "", title: str = "",
             skip: frozenset[str] = frozenset()) -> Iterator[Section]:
    """The section of ``model`` at ``path`` and the sections below it, depth first.

    A list of several models told apart by a discriminator (the injects) gets a section of the
    fields all of them take and then one section per value of the discriminator."""
    prefix = f"{path}." if path else ""
    rows = []
    below: list[Iterator[Section]] = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        rows.append(row(prefix + name, name, field))
        for under, models, key in _nested(name, field.annotation):
            if key:
                below.append(_union_sections(models, prefix + name + under, key))
            else:
                below.append(sections(models[0], prefix + name + under))
    yield Section(path=path, title=title or model.__name__,
                  intro=_first_sentence(model.__doc__), rows=tuple(rows))
    for more in below:
        yield from more


def _tags(model: type[BaseModel], key: str) -> list[Any]:
    values: list[Any] = []
    for a in _split(model.model_fields[key].annotation)[0]:
        if get_origin(a) is Literal:
            values.extend(get_args(a))
    return values


def _union_sections(models: list[type[BaseModel]], path: str, key: str) -> Iterator[Section]:
    """The fields every member of a tagged union takes, then a section per tag with the
    fields that member adds or redefines."""
    base: type[BaseModel] = next(c for c in models[0].__mro__
                                 if issubclass(c, BaseModel) and all(issubclass(m, c)
                                                                     for m in models))
    yield from sections(base, path, title=f"fields every {key} takes")
    shared = base.model_fields
    for model in models:
        inherited = frozenset(n for n, f in model.model_fields.items()
                              if n in shared and repr(f) == repr(shared[n]))
        for tag in _tags(model, key):
            value = getattr(tag, "value", tag)
            for sec in sections(model, path, title=f"{key} `{value}`", skip=inherited - {key}):
                if sec.path == path:   # the tag's own row: this one value
                    sec = replace(sec, rows=tuple(
                        replace(r, type=f"`{value}`") if r.path == f"{path}.{key}" else r
                        for r in sec.rows))
                yield sec


def reachable_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model a document read by ``root`` may contain (value models such as texts and
    ranges included), ``root`` first."""
    found: list[type[BaseModel]] = []
    stack: list[Any] = [root]
    while stack:
        model = stack.pop(0)
        if model in found:
            continue
        found.append(model)
        for field in model.model_fields.values():
            todo = [field.annotation]
            while todo:
                a = todo.pop()
                for alt in _split(a)[0]:
                    if _is_model(alt):
                        stack.append(alt)
                    else:
                        todo.extend(x for x in get_args(alt) if x is not None)
    return found


# --------------------------------------------------------------------------- Markdown


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") if text else ""


def _table(rows: tuple[Row, ...] | list[Row]) -> list[str]:
    out = ["| field | type | required | default | bounds | description |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| `{_cell(r.path)}` | {_cell(r.type)} | {'yes' if r.required else 'no'} "
                   f"| {_cell(r.default)} | {_cell(r.bounds)} | {_cell(r.description)} |")
    return out


def _value_forms() -> list[str]:
    """The forms shared by many fields: a text in both languages and the ranges."""
    out = ["## Value forms", "",
           "Some values have a short form and a long one. A text in both languages is "
           "`{zh: ..., en: ...}`, or one string (or a mapping with only `zh` or only `en`) used for both. A range is `[low, high]`, "
           "`{low: ..., high: ...}`, or one number that is both ends.", ""]
    seen: list[type[BaseModel]] = []
    for _, root in ROOTS:
        seen += [m for m in reachable_models(root) if _is_value_model(m) and m not in seen]
    for model in seen:
        about = _first_sentence(model.__doc__).rstrip(".")
        out += [f"### {model.__name__}: {about[:1].lower()}{about[1:]}", ""]
        out += _table([row(name, name, f) for name, f in model.model_fields.items()])
        out.append("")
    return out


def reference() -> str:
    """The whole reference as Markdown (what ``docs/fields.md`` holds)."""
    out = ["<!-- Generated by sim/core/field_reference.py from the schemas in "
           "sim/core/config.py: do not edit by hand. -->",
           "",
           "# Plan and scenario fields",
           "",
           "Generated from the schemas in `sim/core/config.py`; regenerate it with "
           f"`{COMMAND}` after changing a field (`tests/test_field_reference.py` fails while "
           "it is out of date).",
           "",
           "Each field is named by its path as it is written in YAML: `a.b` is key `b` inside "
           "`a`, `a[].b` is key `b` of each item of the list `a`, and `<team id>` stands for a "
           "key you choose. Times are minutes and sizes are people unless the field says "
           "otherwise; shares run from 0 to 1. Unknown keys are errors, numbers must be "
           "finite, and `null` is allowed only where the type says so (leaving an optional "
           "field out gives its default).",
           ""]
    out += _value_forms()
    for title, root in ROOTS:
        out += [f"## {title}", "", _first_sentence(root.__doc__), ""]
        for sec in sections(root):
            if sec.path:
                out += [f"### `{sec.path}` ({sec.title})", ""]
            if sec.intro and sec.path:
                out += [sec.intro, ""]
            if sec.rows:
                out += _table(sec.rows)
            else:
                out.append("No fields of its own beyond those every kind takes.")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the reference to the file named on the command line, else to standard output
    (UTF-8 with ``\\n`` line ends either way)."""
    args = sys.argv[1:] if argv is None else argv
    data = reference().encode("utf-8")
    if args:
        with open(args[0], "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
