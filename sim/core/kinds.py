"""Values of the wrong kind in a plan, scenario or parameter file, found before validation.

The schemas would convert some values silently: ``size: true`` to 1, ``size: " 6 "`` to 6,
``prepositioned: "off"`` to false. In a file a person wrote each of these is a mistake, so
:func:`kind_problems` walks the raw data beside its schema and reports every number or
true/false written as text, every number written as true/false and every true/false written
as a number, with the field's dotted path (from which the caller finds the line).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from sim.core.yamlio import PlainNumberText

_SCALARS = (bool, int, float)



def _unwrap(annotation: Any) -> list[Any]:
    """The plain alternatives of an annotation: Annotated stripped, unions and Optional split."""
    out, stack = [], [annotation]
    while stack:
        a = stack.pop()
        origin = get_origin(a)
        if origin is Annotated:
            stack.append(get_args(a)[0])
        elif origin in (Union, types.UnionType):
            stack.extend(get_args(a))
        elif a is not type(None):
            out.append(a)
    return out


def scalar_kinds(annotation: Any) -> frozenset[type]:
    """The kinds (``int``, ``float``, ``bool``) of a field that takes only numbers and
    true/false; empty when it takes anything else too."""
    found = _unwrap(annotation)
    if found and all(a in _SCALARS for a in found):
        return frozenset(found)
    return frozenset()


def wrong_kind(value: Any, kinds: frozenset[type]) -> tuple[str, str] | None:
    """What is wrong with ``value`` for a field of ``kinds``, in English and in Chinese (None
    when nothing is)."""
    whole = float not in kinds
    number, number_zh = ("an integer (a whole number)", "整数") if whole else ("a number", "数字")
    if isinstance(value, bool):
        if bool not in kinds:
            said = str(value).lower()
            return (f"expected {number}, got {said} (true/false)",
                    f"应为{number_zh}，实为 {said}（真/假）")
    elif isinstance(value, str):
        if isinstance(value, PlainNumberText) and kinds != {bool}:
            # 1e-3 unquoted: a number YAML 1.1 reads as text (the schema reads it as one)
            return None if not whole else (
                f"expected {number}, got {value} (a number in exponent form)",
                f"应为{number_zh}，实为 {value}（指数形式的数）")
        want, want_zh = ("true or false", "true 或 false") if kinds == {bool} \
            else (number, number_zh)
        return (f"expected {want}, got the text {value!r}",
                f"应为{want_zh}，实为文字 {value!r}（数字和真假值不加引号）")
    elif isinstance(value, (int, float)) and kinds == {bool}:
        return f"expected true or false, got {value!r}", f"应为 true 或 false，实为 {value!r}"
    return None


def _kind_tags(model: type[BaseModel]) -> set[Any]:
    """The values a model's ``kind`` field may take (a member of a tagged union)."""
    field = model.model_fields.get("kind")
    if field is None:
        return set()
    tags: set[Any] = set()
    for a in _unwrap(field.annotation):
        if get_origin(a) is Literal:
            for v in get_args(a):
                tags |= {v, getattr(v, "value", v)}
    return tags


def _models(annotation: Any, value: Any) -> list[type[BaseModel]]:
    """The model ``value`` is read as, among the alternatives of ``annotation``: the only
    one, or the one whose ``kind`` matches the value's."""
    found = [a for a in _unwrap(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
    if len(found) > 1 and isinstance(value, dict):
        kind = value.get("kind")
        found = [m for m in found if any(kind == tag for tag in _kind_tags(m))]
    return found[:1]


def _inside(annotation: Any, value: Any, path: tuple[Any, ...]
            ) -> Iterator[tuple[Any, Any, tuple[Any, ...]]]:
    """The values held in ``value`` by a container annotation (a list, a mapping), each with
    its own annotation and path."""
    for a in _unwrap(annotation):
        origin = get_origin(a)
        if origin in (list, tuple, typing.Sequence) and isinstance(value, list):
            inner = get_args(a)[0] if get_args(a) else Any
            for i, item in enumerate(value):
                yield inner, item, (*path, i)
            return
        if origin in (dict, typing.Mapping) and isinstance(value, dict):
            args = get_args(a)
            inner = args[1] if len(args) == 2 else Any
            for key, item in value.items():
                yield inner, item, (*path, key)
            return


def _check(annotation: Any, value: Any, path: tuple[Any, ...]
           ) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    kinds = scalar_kinds(annotation)
    if kinds:
        why = wrong_kind(value, kinds)
        if why:
            yield path, *why
        return
    for model in _models(annotation, value):
        yield from kind_problems(model, value, path)
        return
    for inner, item, sub in _inside(annotation, value, path):
        yield from _check(inner, item, sub)


def kind_problems(model: type[BaseModel], data: Any, path: tuple[Any, ...] = ()
                  ) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """(dotted path as a tuple, what is wrong, the same in Chinese) for each value of ``data`` (raw YAML data read
    as ``model``) whose kind the schema would convert silently."""
    if not isinstance(data, dict):
        return
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in data and data[key] is not None:
            yield from _check(field.annotation, data[key], (*path, key))
