"""Find, read and validate plans, scenarios and parameters; apply dotted overrides.

Every problem becomes a :class:`~sim.core.errors.Problem` naming the file, the dotted field and
the line, and all problems of a file are collected before raising, so ``validate`` can
list them together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sim.core.bundle import DRILLS_DIR, PLANS_DIR, bundled
from sim.core.config import EquipmentInject, Plan, Scenario
from sim.core.errors import InputError, Problem
from sim.core.kinds import kind_problems
from sim.core.parameters import Parameters, default_parameter_data, merge
from sim.core.triggers import parse as parse_condition
from sim.core.types import Capability, InjectKind, ReleasePolicy
from sim.core.yamlio import Document, dotted, load_file, load_text

M = TypeVar("M", bound=BaseModel)


# --------------------------------------------------------------------------- finding files


def resolve(ref: str, kind: str, relative_to: Path | None = None) -> Path:
    """A file path, or the bundled file named ``ref`` (``kind``: ``plans`` or ``drills``)."""
    path = Path(ref)
    candidates = [path]
    if relative_to is not None and not path.is_absolute():
        candidates.insert(0, relative_to / path)
    for cand in candidates:
        if cand.suffix in (".yaml", ".yml") and cand.is_file():
            return cand
    folder = PLANS_DIR if kind == "plans" else DRILLS_DIR
    named = folder / f"{ref}.yaml"
    if named.is_file():
        return named
    what = "plan" if kind == "plans" else "scenario"
    names = ", ".join(p.stem for p in bundled(kind))
    for cand in candidates:   # something of that name, but not a file to read
        if cand.is_dir():
            raise InputError([Problem(ref, "", None, f"is a folder, not a {what} file; name "
                                      f"a .yaml file or a bundled {what} ({names})")])
        if cand.exists():
            raise InputError([Problem(ref, "", None, f"is not a .yaml file; a {what} file's "
                                      f"name ends in .yaml (bundled: {names})")])
    raise InputError([Problem(ref, "", None,
                              f"no {what} file and no bundled {what} of that name"
                              f"{did_you_mean(ref, [p.stem for p in bundled(kind)])} "
                              f"(bundled: {names})")])


def did_you_mean(ref: str, names: list[str]) -> str:
    """``; did you mean 'x'?`` for the name closest to a mistyped ``ref`` (nothing when none
    is close)."""
    import difflib

    close = difflib.get_close_matches(Path(ref).stem, names, n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


_NAME = re.compile(r"[\w-]+")


def reference(ref: str, kind: str, folder: Path, root: Path) -> Path:
    """The file that a file names: a plan's ``extends:``, a scenario's ``plan:``.

    Files travel between offices and are not trusted, so such a name may only be a bundled
    plan by name (``linxiang``) or a ``.yaml`` file inside ``root``, the folder tree of the
    file the user named: relative to ``referrer``'s folder, with no absolute path and no
    ``..`` or symbolic link leading out of ``root``. A relative path is read from ``folder``,
    the naming file's folder. Nothing outside ``root`` is opened, and whether it exists is not
    told."""
    bundled_dir = PLANS_DIR if kind == "plans" else DRILLS_DIR
    what = "plan" if kind == "plans" else "scenario"
    names = ", ".join(p.stem for p in bundled(kind))

    def refuse(message: str) -> InputError:
        return InputError([Problem(_shorten(ref), "", None, message)])

    if _NAME.fullmatch(ref):
        named = bundled_dir / f"{ref}.yaml"
        if named.is_file():
            return named
        raise refuse(f"no bundled {what} of that name"
                     f"{did_you_mean(ref, [p.stem for p in bundled(kind)])} (bundled: {names}); "
                     "a file is named by its path, ending in .yaml")
    path = Path(ref)
    if path.is_absolute() or ref.startswith("~"):
        raise refuse(f"an absolute path is not allowed here: name a bundled {what} ({names}) "
                     f"or a .yaml file inside {root}")
    if path.suffix not in (".yaml", ".yml"):
        raise refuse(f"expected a bundled {what} ({names}) or the path of a .yaml file")
    real = (folder / path).resolve()
    if not real.is_relative_to(root):
        raise refuse(f"leads out of the folder {root} (through '..' or a symbolic link); a "
                     f"file may name a bundled {what} or a file in its own folder tree only")
    if not real.is_file():
        raise refuse(f"no such {what} file in {root} (bundled: {names})")
    return real


def _shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- validation


def _kind_of(value: Any) -> str:
    """What a value read from YAML is, as a reader would say it."""
    if value is None:
        return "nothing: the value is empty or null"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return "a mapping"
    return f"the {'text' if isinstance(value, str) else 'value'} {_describe(value)}"


def _describe(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return type(value).__name__
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_TAGS = frozenset(k.value for k in InjectKind)


def _without_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the kind pydantic puts into the path of a field inside a tagged union."""
    return tuple(p for i, p in enumerate(loc)
                 if not (p in _TAGS and i > 0 and isinstance(loc[i - 1], int)))


_ZH_BY_TYPE: dict[str, str] = {
    "greater_than_equal": "应不小于{ge}", "greater_than": "应大于{gt}",
    "less_than_equal": "应不大于{le}", "less_than": "应小于{lt}",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数（不带小数）",
    "float_type": "应为数字", "float_parsing": "应为数字", "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字", "string_too_long": "最多{max_length}个字符",
    "string_too_short": "至少{min_length}个字符", "too_long": "最多{max_length}项",
    "too_short": "至少{min_length}项", "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}", "string_pattern_mismatch": "格式不符",
    "list_type": "应为列表", "dict_type": "应为字段映射",
}
"""pydantic's checks in Chinese, by the error's type (its context fills the braces)."""


def _zh(err: Mapping[str, Any]) -> str:
    """A pydantic error in Chinese ("" for a check of the project's own, told in English)."""
    template = _ZH_BY_TYPE.get(err["type"])
    if template is None:
        return ""
    try:
        text = template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return ""
    if "input" in err and not isinstance(err["input"], (dict, list)):
        text += f"（实为 {_describe(err['input'])}）"
    return text


def problems_from(exc: ValidationError, doc: Document | None, label: str,
                  prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """Turn pydantic's errors into problems that name file, dotted field and line.

    A message tells of the file it names only: problems in fields a plan takes from its base
    (``extends:``) are not spelled out (neither field nor value), but counted in one problem
    at the ``extends`` line that names the base, to be validated on its own."""
    out = []
    inherited: dict[str, int] = {}
    for err in exc.errors(include_url=False):
        loc = _without_tags(tuple(p for p in err["loc"] if p != "[key]"))
        path = prefix + loc + tuple((err.get("ctx") or {}).get("at", ()))
        base = _inherited_from(doc, path)
        if base is not None:
            inherited[base] = inherited.get(base, 0) + 1
            continue
        line = doc.line_of(path) if doc is not None else None
        msg = err["msg"].removeprefix("Value error, ")
        msg_zh = _zh(err)
        if err["type"] == "extra_forbidden":
            msg = "unknown field (not part of the schema; check the spelling)"
            msg_zh = "未知字段（不在字段表中，请检查拼写）"
        elif err["type"] == "missing":
            msg = "required field is missing"
            msg_zh = "缺少必填字段"
        elif err["type"] == "string_unicode":
            msg = "an unpaired surrogate (a broken character) is not allowed in text"
            msg_zh = "文字中有残缺字符（未配对的代理项），不能使用"
        elif err["type"] == "union_tag_invalid":
            # the tags are enum members: listed by their values, as a file writes them
            ctx = err.get("ctx") or {}
            tags = [t.strip() for t in str(ctx.get("expected_tags", "")).split(",")]
            values = [m.group(1) for t in tags if (m := re.search(r"'([^']*)'>?$", t))]
            msg = (f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} "
                   f"{_describe(ctx.get('tag', ''))} (one of: {', '.join(values) or '?'})")
            msg_zh = (f"未知的{ctx.get('discriminator', 'kind').strip(chr(39))} "
                      f"{_describe(ctx.get('tag', ''))}（可选：{'、'.join(values) or '?'}）")
            path = path + (ctx.get("discriminator", "'kind'").strip("'"),)
            line = doc.line_of(path) if doc is not None else None
        elif isinstance(err.get("input"), bool) and (err["type"] == "string_type" or str(
                (err.get("ctx") or {}).get("class_name", "")) == "Text"):
            # YAML reads an unquoted yes/no/on/off/true/false as true or false
            msg = (f"expected text, got {str(err['input']).lower()} (true/false): an unquoted "
                   "yes, no, on, off, true or false is read as true or false; put it in "
                   "quotes if it is text")
            msg_zh = (f"应为文字，实为 {str(err['input']).lower()}（真/假）：不加引号的 yes、no、"
                      "on、off、true、false 会被读作真或假，若是文字请加引号")
        elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
            # pydantic names its classes here: told instead as the file's form
            cls = str((err.get("ctx") or {}).get("class_name", ""))
            got = _kind_of(err.get("input"))
            msg = (f"expected a range: [low, high], or one number for both (got {got})"
                   if cls.endswith("Span") else
                   f"expected a mapping of fields, one `name: value` per line (got {got})")
            msg_zh = ("应为取值范围 [下限, 上限]，或一个数（两端相同）" if cls.endswith("Span")
                      else "应为字段映射，每行一个“名称: 值”")
        elif "input" in err and not isinstance(err["input"], (dict, list)):
            msg = f"{msg} (got {_describe(err['input'])})"
        out.append(Problem(label, _shorten(dotted(path), 120), line, msg, msg_zh))
    for base, n in inherited.items():
        line = doc.line_of(("extends",)) if doc is not None else None
        out.append(Problem(label, "extends", line,
                           f"the base plan {base} has {n} problem{'s' if n > 1 else ''} in "
                           f"fields this plan takes from it; validate {base} on its own"))
    return out


def _inherited_from(doc: Document | None, path: tuple[Any, ...]) -> str | None:
    """The base plan a field of ``doc`` comes from, or None when ``doc`` spells it out."""
    inherited = getattr(doc, "inherited", None)
    if not inherited:
        return None
    for i in range(1, len(path) + 1):
        if path[:i] in inherited:
            return inherited[path[:i]]
    return None


def validate_document(model: type[M], doc: Document) -> M:
    """``doc`` read as ``model``, or an input error listing every problem with its line: values
    of the wrong kind (never converted), repeated ids, and what the schema refuses."""
    if not isinstance(doc.data, dict):
        raise InputError([Problem(doc.label, "", doc.line_of(()),
                                  f"expected a mapping of fields, one `name: value` per line "
                                  f"(got {_kind_of(doc.data)})")])
    # values the schema would convert silently (size: true, familiarity: "0.8") are mistakes
    wrong = [Problem(doc.label, dotted(path), doc.line_of(path), why, why_zh)
             for path, why, why_zh in kind_problems(model, doc.data)]
    repeats = _repeated_ids(doc)
    wrong += repeats
    try:
        validated = model.model_validate(doc.data)
    except ValidationError as exc:
        found = problems_from(exc, doc, doc.label)
        # a list whose ids repeat is told at the repeated id, not at the list's first line
        seen = {p.field for p in wrong} | {p.field.split(".")[0] for p in repeats}
        raise InputError(wrong + [p for p in found if p.field not in seen]) from None
    if wrong:
        raise InputError(wrong)
    return validated


def _repeated_ids(doc: Document) -> list[Problem]:
    """Each level or inject whose id an earlier one of the file already has, at its id's line."""
    out = []
    data = doc.data if isinstance(doc.data, dict) else {}
    for key in ("levels", "injects"):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        first: dict[str, int] = {}
        for j, item in enumerate(items):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str):
                continue
            if ident in first:
                path = (key, j, "id")
                out.append(Problem(doc.label, dotted(path), doc.line_of(path),
                                   f"id {ident!r} is already used by {key}.{first[ident]} "
                                   f"(line {doc.line_of((key, first[ident], 'id'))})"))
            else:
                first[ident] = j
    return out


# --------------------------------------------------------------------------- overrides


MAX_KEY_PARTS = 12
"""Most parts of a dotted key (no field of a plan is deeper)."""

_REF = re.compile(r"^(?P<base>[^\[\]]+?)(?:\[(?P<sets>.*)\])?$")


def parse_assignment(text: str, label: str) -> tuple[str, Any]:
    """``"teams.dialogue.size=8"`` -> ``("teams.dialogue.size", 8)`` (value read as YAML)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or not re.fullmatch(r"[\w-]+(\.[\w-]+)*", key):
        raise InputError([Problem(label, _shorten(key), None,
                                  f"expected KEY=VALUE with a dotted key, got "
                                  f"{_shorten(repr(text))}")])
    if key.count(".") >= MAX_KEY_PARTS:
        raise InputError([Problem(label, _shorten(key), None,
                                  f"a key of more than {MAX_KEY_PARTS} parts; no field is "
                                  "that deep")])
    if not raw.strip():
        return key, ""
    try:
        value = load_text(raw, label).data
    except InputError as exc:
        if any("malformed YAML" in p.message for p in exc.problems):
            return key, raw  # not YAML: the text as it is
        raise InputError([Problem(label, _shorten(key), None, p.message)
                          for p in exc.problems]) from None
    return key, value


def parse_plan_ref(ref: str) -> tuple[str, list[str]]:
    """``"linxiang[a.b=1,c=x]"`` -> ``("linxiang", ["a.b=1", "c=x"])``."""
    m = _REF.match(ref.strip())
    if not m:
        raise InputError([Problem(ref, "", None, "expected PLAN or PLAN[KEY=VALUE,...]")])
    sets = m.group("sets")
    parts = [s for s in re.split(r",(?=\s*[\w.-]+\s*=)", sets)] if sets else []
    return m.group("base").strip(), [p.strip() for p in parts if p.strip()]


def _given_once(assignments: list[tuple[str, str]]) -> None:
    """Refuse a key set twice (inline, by ``--set``, or one of each): which value was meant
    cannot be told. ``assignments``: (where it was given, ``KEY=VALUE``)."""
    first: dict[str, tuple[str, str]] = {}
    problems = []
    for where, text in assignments:
        key = text.partition("=")[0].strip()
        if key in first:
            was_where, was = first[key]
            first_in = f" (the first in {_shorten(was_where)})" if was_where != where else ""
            problems.append(Problem(where, _shorten(key), None,
                                    f"set twice: {_shorten(was)} and {_shorten(text.strip())}"
                                    f"{first_in}; give each key once"))
        else:
            first[key] = (where, text.strip())
    if problems:
        raise InputError(problems)


def apply_overrides(model: M, assignments: list[str], label: str) -> M:
    """Return ``model`` with dotted-path fields changed; an unknown path is an error."""
    if not assignments:
        return model
    data = model.model_dump(mode="json")
    problems: list[Problem] = []
    for text in assignments:
        key, value = parse_assignment(text, label)
        node: Any = data
        parts = key.split(".")
        if isinstance(model, Plan) and parts[0] == "extends":
            problems.append(Problem(label, key, None, "a plan's base is read when its file is "
                                    "loaded; name the plan to run instead of overriding extends"))
            continue
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                idx: Any = int(part)
            elif isinstance(node, dict) and part in node:
                idx = part
            else:
                have = ", ".join(map(str, node.keys() if isinstance(node, dict) else
                                     range(len(node) if isinstance(node, list) else 0)))
                owner = f" of plan {model.name}" if isinstance(model, Plan) else ""
                near = did_you_mean(part, list(map(str, node.keys()))) \
                    if isinstance(node, dict) else ""
                problems.append(Problem(label, key, None,
                                        f"no field {part!r} at {'.'.join(parts[:i]) or 'the top'}"
                                        f"{owner}{near} (fields there: {have or 'none'})"))
                break
            if last:
                node[idx] = value
            else:
                node = node[idx]
    if problems:
        raise InputError(problems)
    wrong = [Problem(label, dotted(path), None, why, why_zh)
             for path, why, why_zh in kind_problems(type(model), data)]
    if wrong:
        raise InputError(wrong)
    try:
        return type(model).model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, None, label)) from None


# --------------------------------------------------------------------------- plans, scenarios


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan and the name it goes by in outputs (with inline overrides)."""

    plan: Plan
    label: str
    path: Path


def load_plan(ref: str, sets: list[str] | None = None,
              relative_to: Path | None = None, within: Path | None = None) -> LoadedPlan:
    """Load a plan by name or path, with inline ``[k=v,...]`` and ``--set`` overrides.

    ``relative_to``: a folder where a path given on the command line is looked for first.
    ``within``: the plan is named in a file (a scenario's ``plan:``) whose folder tree is
    ``within``: only a bundled plan or a file inside that tree is accepted (see
    :func:`reference`); ``relative_to`` is then the naming file's folder."""
    base, inline = parse_plan_ref(ref)
    if within is not None:
        path = reference(base, "plans", relative_to or within, within)
    else:
        path = resolve(base, "plans", relative_to)
    try:
        doc = plan_document(path)
        plan = validate_document(Plan, doc)
        problems = plan_problems(plan, doc)
        if problems:
            raise InputError(problems)
    except InputError as exc:
        if within is None or path.parent == PLANS_DIR:
            raise
        # a plan another file names: what is wrong inside it is told when it is validated on
        # its own, never here (a message tells of the file the user named)
        n = len(exc.problems)
        raise InputError([Problem(_shorten(base), "", None,
                                  f"has {n} problem{'s' if n > 1 else ''} as a plan; validate "
                                  "it on its own")]) from None
    name = plan.name if path.parent != PLANS_DIR else base
    label = name if not inline else f"{name}[{','.join(inline)}]"
    _given_once([(ref, a) for a in inline] + [("--set", a) for a in sets or []])
    plan = apply_overrides(plan, inline, ref)
    plan = apply_overrides(plan, list(sets or []), "--set")
    for p in plan_problems(plan, None):
        raise InputError([Problem(ref if inline else "--set", p.field, None, p.message)])
    return LoadedPlan(plan, label, path)


def _label(path: Path, folder: Path, kind: str) -> str:
    return f"scenarios/{kind}/{path.name}" if path.parent == folder else str(path)


MAX_EXTENDS = 8
"""Longest chain of ``extends:`` accepted."""

CYCLE = "plans extend each other in a cycle"
CHAIN = "a chain of more than"


def base_changes(path: Path) -> tuple[str, list[str]] | None:
    """For a plan file that extends another: the base as the file names it, and the fields
    the file sets otherwise (``KEY=VALUE``, leaves of the two validated plans; its name and
    ``extends`` aside). None for a plan that extends none, or that does not load."""
    try:
        data = load_file(path).data
        ref = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(ref, str) or not ref:
            return None
        root = PLANS_DIR if path.parent == PLANS_DIR else path.parent.resolve()
        base_path = reference(ref, "plans", path.parent, root)
        own = validate_document(Plan, plan_document(path)).model_dump(mode="json")
        base = validate_document(Plan, plan_document(base_path)).model_dump(mode="json")
    except InputError:
        return None
    changed = [f"{key}={_shorten(json.dumps(value, ensure_ascii=False), 40)}"
               for key, value in _changed_leaves(base, own) if key not in ("name", "extends")]
    return ref, changed


def _changed_leaves(base: Any, own: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) of each leaf of ``own`` that ``base`` does not have so (mappings
    compared key by key, anything else whole)."""
    if isinstance(base, dict) and isinstance(own, dict):
        out = []
        for key, value in own.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in base:
                out.append((path, value))
            else:
                out += _changed_leaves(base[key], value, path)
        return out
    return [] if base == own else [(prefix, own)]


def plan_document(path: Path, label: str | None = None) -> Document:
    """A plan file's document with any ``extends:`` base merged under it. The bases may be
    bundled plans or files in the plan's own folder tree (see :func:`reference`)."""
    root = PLANS_DIR if path.parent == PLANS_DIR else path.parent.resolve()
    return _plan_document(path, [], root, label)


def _plan_document(path: Path, chain: list[Path], root: Path,
                   label: str | None = None) -> Document:
    """A plan file's document with any ``extends:`` base merged under it.

    Mappings merge key by key (the extending plan wins); lists and values replace. Lines
    point into the extending file where it spells a field out, else to its ``extends`` line;
    the fields taken from the base are listed in the document's ``inherited``.
    """
    doc = load_file(path, label or _label(path, PLANS_DIR, "plans"))
    data = doc.data
    if not isinstance(data, dict) or "extends" not in data:
        return doc
    ref = data["extends"]
    line = doc.line_of(("extends",))
    if not isinstance(ref, str) or not ref:
        raise InputError([Problem(doc.label, "extends", line, "expected a plan name or path")])
    if path.resolve() in chain:
        names = " -> ".join(q.name for q in [*chain, path.resolve()])
        raise InputError([Problem(doc.label, "extends", line, f"{CYCLE}: {names}")])
    if len(chain) >= MAX_EXTENDS:
        raise InputError([Problem(doc.label, "extends", line,
                                  f"{CHAIN} {MAX_EXTENDS} plans extending one another")])
    try:
        base_path = reference(ref, "plans", path.parent, root)
    except InputError as exc:
        raise InputError([Problem(doc.label, "extends", line, f"cannot load the base plan: {p}")
                          for p in exc.problems]) from None
    try:
        base = _plan_document(base_path, [*chain, path.resolve()],
                              PLANS_DIR if base_path.parent == PLANS_DIR else root)
    except InputError as exc:
        chained = [p.message for p in exc.problems
                   if p.message.startswith((CYCLE, CHAIN)) and p.field == "extends"]
        if chained:
            # a cycle or an endless chain is this file's problem too: said here, not "validate
            # the base on its own"
            raise InputError([Problem(doc.label, "extends", line, chained[0])]) from None
        # what is wrong inside the base is told when the base is validated, not here: a
        # message tells of the file it names
        n = len(exc.problems)
        raise InputError([Problem(doc.label, "extends", line,
                                  f"cannot load the base plan {_shorten(ref)}: it has {n} "
                                  f"problem{'s' if n > 1 else ''}; validate it on its own")]) \
            from None
    own = {k: v for k, v in data.items() if k != "extends"}
    merged = merge(base.data, own)
    merged["extends"] = ref
    inherited = {path_: _shorten(ref) for path_ in _inherited(base.data, own)}
    return Document(doc.label, merged, doc.lines, inherited)


def _inherited(base: Any, own: Any, path: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    """The paths of ``base`` that ``own`` does not spell out (merged as :func:`merge` does)."""
    out: set[tuple[Any, ...]] = set()
    if not isinstance(base, dict):
        return out
    for key, value in base.items():
        if not isinstance(own, dict) or key not in own:
            out.add(path + (key,))
        elif isinstance(value, dict) and isinstance(own[key], dict):
            out |= _inherited(value, own[key], path + (key,))
    return out


def plan_problems(plan: Plan, doc: Document | None) -> list[Problem]:
    """Cross-field checks of a plan: references between levels, teams and policies."""
    label = doc.label if doc else plan.name
    out: list[Problem] = []

    def add(path: tuple[Any, ...], msg: str) -> None:
        out.append(Problem(label, dotted(path), doc.line_of(path) if doc else None, msg))

    team_ids = set(plan.teams)
    level_ids = [lv.id for lv in plan.levels]
    for i, lv in enumerate(plan.levels):
        if lv.when is not None:
            for msg in unknown_levels(lv.when, plan):
                add(("levels", i, "when"), msg)
        for j, tid in enumerate(lv.dispatch):
            if tid not in team_ids:
                add(("levels", i, "dispatch", j),
                    f"unknown team {tid!r} (teams: {', '.join(sorted(team_ids)) or 'none'})")
    for tid, team in plan.teams.items():
        if Capability.ORDER in team.capabilities and team.posture is None:
            add(("teams", tid, "posture"),
                "a team with the order capability needs a posture: restrained or forceful")
        if Capability.ORDER not in team.capabilities:
            # a posture and police reinforcement are the order function's; elsewhere they would do nothing
            for key in ("posture", "reinforcement"):
                if getattr(team, key) is not None:
                    add(("teams", tid, key),
                        f"only a team with the order capability has a {key} (team {tid!r} has "
                        f"{', '.join(c.value for c in team.capabilities) or 'no capability'})")
        if team.reinforcement and team.reinforcement.from_level not in level_ids:
            add(("teams", tid, "reinforcement", "from_level"),
                f"unknown level {team.reinforcement.from_level!r} (levels: "
                f"{', '.join(level_ids) or 'none'})")
    for field, tid in (("command", plan.command.team), ("command", plan.command.first_report_by)):
        if tid not in team_ids:
            key = "team" if tid == plan.command.team else "first_report_by"
            add((field, key), f"unknown team {tid!r} (teams: {', '.join(sorted(team_ids)) or 'none'})")
    if plan.command.team in team_ids and \
            Capability.COMMAND not in plan.teams[plan.command.team].capabilities:
        # told where the capabilities are written, which is where it is usually fixed
        add(("teams", plan.command.team, "capabilities"),
            f"team {plan.command.team!r} is the plan's command team (command.team) but lacks "
            "the command capability")
    if plan.publicity.team not in team_ids:
        add(("publicity", "team"),
            f"unknown team {plan.publicity.team!r} (teams: {', '.join(sorted(team_ids)) or 'none'})")
    for i, rep in enumerate(plan.reporting):
        if rep.from_level is not None and rep.from_level not in level_ids:
            add(("reporting", i, "from_level"),
                f"unknown level {rep.from_level!r} (levels: {', '.join(level_ids) or 'none'})")
    roles = ", ".join(sorted(plan.roles)) or "none declared"
    for i, lv in enumerate(plan.levels):
        if lv.commander is not None and lv.commander not in plan.roles:
            add(("levels", i, "commander"),
                f"unknown role {lv.commander!r} (roles: {roles}); declare it under `roles:`")
    for rid in plan.roles:
        if rid in team_ids:
            add(("roles", rid), f"role {rid!r} has the id of a team; give it another id")
    if plan.warning is not None:
        for j, tid in enumerate(plan.warning.preposition):
            if tid not in team_ids:
                add(("warning", "preposition", j),
                    f"unknown team {tid!r} (teams: {', '.join(sorted(team_ids)) or 'none'})")
        if plan.warning.declare_level is not None and not plan.warning.declare:
            add(("warning", "declare_level"), "declare is false: no level is declared on a warning")
        if plan.warning.declare_level is not None and plan.warning.declare_level not in level_ids:
            add(("warning", "declare_level"),
                f"unknown level {plan.warning.declare_level!r} "
                f"(levels: {', '.join(level_ids) or 'none'})")
        if plan.warning.statement and plan.publicity.release_policy is ReleasePolicy.SILENT:
            add(("warning", "statement"),
                "the plan's release policy is silent: it cannot issue a statement on a warning")
    return out


def load_scenario(ref: str) -> tuple[Scenario, Document, Path]:
    """Load and validate a scenario by name or path (not yet checked against a plan)."""
    path = resolve(ref, "drills")
    doc = load_file(path, _label(path, DRILLS_DIR, "drills"))
    scenario = validate_document(Scenario, doc)
    problems = msel_problems(scenario, doc)
    if problems:
        raise InputError(problems)
    return scenario, doc, path


def scenario_root(path: Path) -> Path:
    """The folder tree a scenario's ``plan:`` must stay in: its own folder (the bundled
    scenarios name bundled plans)."""
    return path.parent.resolve()


def msel_problems(scenario: Scenario, doc: Document | None) -> list[Problem]:
    """Checks of the injects list on its own: contingencies name a known inject that has an
    expected action, and contingencies do not form a cycle."""
    label = doc.label if doc else scenario.name
    out: list[Problem] = []
    by_id = {inj.id: inj for inj in scenario.injects}
    for i, inj in enumerate(scenario.injects):
        target = inj.contingency_for
        if target is None:
            continue
        path = ("injects", i, "contingency_for")
        line = doc.line_of(path) if doc else None
        if target not in by_id:
            out.append(Problem(label, dotted(path), line,
                               f"contingency for unknown inject {target!r} "
                               f"(injects: {', '.join(by_id)})"))
            continue
        if by_id[target].expected is None:
            out.append(Problem(label, dotted(path), line,
                               f"inject {target!r} has no expected action, so it cannot be missed"))
        chain: list[str] = [inj.id]   # this inject, what it stands in for, and so on
        cur: str | None = target
        while cur is not None and cur in by_id:
            if cur in chain:
                loop = [*chain[chain.index(cur):], cur]
                out.append(Problem(label, dotted(path), line,
                                   "contingencies form a cycle: "
                                   + " -> ".join(repr(x) for x in loop)))
                break
            chain.append(cur)
            cur = by_id[cur].contingency_for
    return out


def unknown_levels(condition: str, plan: Plan) -> list[str]:
    """Level names a condition compares ``level`` with that ``plan`` does not have."""
    try:
        texts = parse_condition(condition).compared_with("level")
    except ValueError:
        return []   # a condition that does not parse is reported where it is read
    ids = [lv.id for lv in plan.levels]
    return [f"level {t!r} is not a level of plan {plan.name} (levels: {', '.join(ids) or 'none'};"
            ' "" before any is declared)' for t in sorted(texts) if t and t not in ids]


def _levels_all_unknown(condition: str, plan: Plan) -> bool:
    """Whether ``condition`` compares ``level`` with names and none is a level of ``plan``."""
    try:
        texts = {t for t in parse_condition(condition).compared_with("level") if t}
    except ValueError:
        return False
    return bool(texts) and not texts & {lv.id for lv in plan.levels}


def scenario_problems(scenario: Scenario, plan: Plan, doc: Document | None,
                      own: bool = False) -> list[Problem]:
    """Check a scenario's references against the plan it is run under. ``own``: the plan is
    the one the scenario names, so a condition on the level must name at least one of that
    plan's levels (it may name other plans' too; under a plan whose levels are named
    otherwise, such a condition simply never holds)."""
    label = doc.label if doc else scenario.name
    out: list[Problem] = []

    def add(path: tuple[Any, ...], msg: str) -> None:
        out.append(Problem(label, dotted(path), doc.line_of(path) if doc else None, msg))

    teams = ", ".join(sorted(plan.teams))
    for tid in scenario.familiarity:
        if tid not in plan.teams:
            add(("familiarity", tid), f"unknown team {tid!r} in plan {plan.name} (teams: {teams})")
    for i, inj in enumerate(scenario.injects):
        if own and inj.when is not None and _levels_all_unknown(inj.when, plan):
            # it could never hold under the plan the scenario names: a mistake
            for msg in unknown_levels(inj.when, plan):
                add(("injects", i, "when"), msg + "; name a level of this plan too (a "
                    "condition may also name levels of other plans it runs under)")
        team = getattr(inj, "team", None)
        if team is not None and team not in plan.teams:
            add(("injects", i, "team"),
                f"unknown team {team!r} in plan {plan.name} (teams: {teams})")
        if inj.expected is not None and inj.expected.team is not None and \
                inj.expected.team not in plan.teams:
            add(("injects", i, "expected", "team"),
                f"unknown team {inj.expected.team!r} in plan {plan.name} (teams: {teams})")
        if isinstance(inj, EquipmentInject) and inj.team in plan.teams and \
                plan.teams[inj.team].equipment.get(inj.item, 0) == 0:
            add(("injects", i, "item"),
                f"team {inj.team!r} carries no {inj.item.value} in plan {plan.name}")
        if inj.at_min is not None and inj.at_min > scenario.end.max_min:
            add(("injects", i, "at_min"),
                f"{inj.at_min:g} is after the drill ends (end.max_min {scenario.end.max_min:g})")
    return out


def load_parameters(scenario: Scenario | None = None, doc: Document | None = None) -> Parameters:
    """The bundled parameters with the scenario's ``parameters:`` overrides merged in."""
    data = default_parameter_data()
    if scenario is not None and scenario.parameters:
        wrong = [Problem(doc.label if doc else "parameters", dotted(("parameters", *path)),
                         doc.line_of(("parameters", *path)) if doc else None, why, why_zh)
                 for path, why, why_zh in kind_problems(Parameters, scenario.parameters)]
        if wrong:
            raise InputError(wrong)
        data = merge(data, scenario.parameters)
    try:
        return Parameters.model_validate(data)
    except ValidationError as exc:
        label = doc.label if doc else "parameters"
        raise InputError(problems_from(exc, doc, label, prefix=("parameters",))) from None


@dataclass(frozen=True)
class DrillInputs:
    """Everything a run needs, validated and cross-checked."""

    scenario: Scenario
    plan: Plan
    plan_label: str
    params: Parameters
    scenario_path: Path
    plan_path: Path
    own_plan: bool = True
    """Whether the plan is the one the scenario names (its injects' clauses cite that plan)."""


def _names_plan(scenario: Scenario, spath: Path, plan_path: Path) -> bool:
    """Whether the scenario's ``plan:`` is the plan file ``plan_path`` (by name or path)."""
    try:
        base = parse_plan_ref(scenario.plan)[0]
        named = reference(base, "plans", spath.parent, scenario_root(spath))
    except InputError:
        return False
    return named.resolve() == Path(plan_path).resolve()


def load_drill(scenario_ref: str, plan_ref: str | None = None,
               sets: list[str] | None = None) -> DrillInputs:
    """Load a scenario, its plan (or ``plan_ref``), overrides and parameters; check them together."""
    scenario, doc, spath = load_scenario(scenario_ref)
    if plan_ref is None:
        try:
            loaded = load_plan(scenario.plan, sets, relative_to=spath.parent,
                               within=scenario_root(spath))
        except InputError as exc:
            # the scenario names the plan: say which file, field and line did
            if any(p.file == "--set" for p in exc.problems):
                raise
            raise InputError([Problem(doc.label, "plan", doc.line_of(("plan",)),
                                      f"its plan cannot be loaded: {p}")
                              for p in exc.problems]) from None
    else:
        loaded = load_plan(plan_ref, sets, relative_to=spath.parent)
    own = plan_ref is None or _names_plan(scenario, spath, loaded.path)
    problems = scenario_problems(scenario, loaded.plan, doc, own)
    if problems:
        raise InputError(problems)
    params = load_parameters(scenario, doc)
    return DrillInputs(scenario, loaded.plan, loaded.label, params, spath, loaded.path, own)


def _find_any(ref: str) -> Path:
    """A path, or a bundled scenario or plan of that name (scenarios first)."""
    if Path(ref).exists():
        return Path(ref)
    try:
        return resolve(ref, "drills")
    except InputError:
        pass
    try:
        return resolve(ref, "plans")
    except InputError:
        names = ", ".join(p.stem for p in bundled("drills") + bundled("plans"))
        raise InputError([Problem(ref, "", None, f"no such file and no bundled plan or scenario "
                                                 f"of that name (bundled: {names})")]) from None


def is_plan_file(path: str) -> bool:
    """Whether ``path`` (a file or a bundled name) holds a plan rather than a scenario; False
    when it cannot be read (:func:`validate_file` then says why)."""
    try:
        found = _find_any(path)
        doc = load_file(found, str(found))
    except InputError:
        return False
    return isinstance(doc.data, dict) and looks_like_plan(doc.data)


def looks_like_plan(data: dict[str, Any]) -> bool:
    """Whether a file's top-level fields are more a plan's than a scenario's: counted on the
    fields of both schemas in any case (a misspelt ``Teams:`` still counts), so that one
    stray or misspelt key is reported as such instead of the file being read as the other
    kind."""
    keys = {str(k).lower() for k in data}
    plan = keys & {f.lower() for f in Plan.model_fields}
    scenario = keys & {f.lower() for f in Scenario.model_fields}
    if "extends" in keys:
        return True
    if len(plan - scenario) != len(scenario - plan):
        return len(plan - scenario) > len(scenario - plan)
    return "teams" in keys or "levels" in keys


def validate_file(path: str, plans: list[str] | None = None) -> list[Problem]:
    """Every problem in one plan or scenario file (empty when it is valid).

    A scenario is checked against ``plans`` (files or bundled names) when given, else against
    the plan it names."""
    try:
        found = _find_any(path)
        label = _label(found, PLANS_DIR, "plans") if found.parent == PLANS_DIR else \
            _label(found, DRILLS_DIR, "drills")
        doc = load_file(found, label)
        data = doc.data if isinstance(doc.data, dict) else {}
        is_plan = looks_like_plan(data)
        if is_plan:
            doc = plan_document(found, label)
    except InputError as exc:
        return exc.problems
    try:
        if is_plan:
            return plan_problems(validate_document(Plan, doc), doc)
        obj = validate_document(Scenario, doc)
    except InputError as exc:
        return exc.problems
    problems_msel = msel_problems(obj, doc)
    problems: list[Problem] = []
    refs: list[str | None] = list(plans) if plans else [None]
    for ref in refs:
        try:
            if ref is None:
                loaded = load_plan(obj.plan, relative_to=found.parent, within=scenario_root(found))
            else:
                loaded = load_plan(ref)
            problems += scenario_problems(obj, loaded.plan, doc, own=ref is None)
        except InputError as exc:
            if ref is not None:
                continue   # the plan's own problems are told when it is validated itself
            problems += [Problem(doc.label, "plan", doc.line_of(("plan",)),
                                 f"its plan cannot be loaded: {p}") for p in exc.problems]
    try:
        load_parameters(obj, doc)
    except InputError as exc:
        problems += exc.problems
    return problems_msel + problems
