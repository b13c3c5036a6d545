"""The JSON Schemas of gitops-bot's own files (`.gitops-bot.yaml`, recipe files), and the one
validator that checks YAML against them with messages that name the file and the line.

The schemas live in gitops_bot/data/schemas/ (shipped in the wheel; editors can use them with
`# yaml-language-server: $schema=...`). A schema node may carry `errorMessage` (the convention of
ajv-errors and VS Code): a string for any failure of that node, or a mapping of keyword to
message; `{key}` is the name of the key at fault. Without one, the message is built from the
keyword (`unknown key 'x' in pull_requests`, `schedule item 1 needs 'recipe'`).

jsonschema is imported here, when a file is validated, never at start-up: `gitops-bot --help`
and commands that read no configuration do not pay for it. The data is loaded as round-trip
nodes (parse/yaml.py: libyaml's events, ruamel's nodes), which remember their lines (`.lc`): a
jsonschema error's path is walked back through them to the line of the key or item at fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Iterable

from gitops_bot.errors import UserError

SCHEMAS = ("gitops-bot", "recipe")  # gitops_bot/data/schemas/<name>.schema.json
MAX_VALUES = 100_000  # values a file may expand to through YAML aliases (an alias bomb is refused)
_KINDS = ((bool, "boolean"), (dict, "mapping"), (list, "list"), (str, "string"), ((int, float), "number"))

Describe = Callable[[tuple], str]


@dataclass(frozen=True)
class Problem:
    """One way a file breaks its schema: the line (1-based) and the message."""

    line: int
    message: str

    def format(self, source: str) -> str:
        return f"{source}:{self.line}: {self.message}"


def schema_text(name: str) -> str:
    """The schema `name` (one of SCHEMAS) as shipped, JSON text."""
    return resources.files("gitops_bot.data").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _validator(name: str):
    import jsonschema

    schema = json.loads(schema_text(name))
    return jsonschema.Draft202012Validator(schema)


def load_yaml(text: str, source: str, positions: bool = True) -> Any:
    """YAML text as ruamel round-trip data (mappings and lists remember their lines), or plain
    data without `positions` (faster: for files the tests already hold valid, whose messages
    would then say line 1); UserError `source:line: not valid YAML: ...`, or when aliases would
    expand it beyond MAX_VALUES."""
    from ruamel.yaml.error import YAMLError

    from gitops_bot.parse.yaml import load_rt, load_safe

    try:
        documents = (load_rt if positions else load_safe)(text)  # libyaml-backed either way
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserError(f"{source}:{mark.line + 1 if mark else 1}: not valid YAML: "
                        f"{getattr(exc, 'problem', None) or str(exc).splitlines()[0]}") from exc
    if len(documents) > 1:
        raise UserError(f"{source}:1: one YAML document expected, found {len(documents)}")
    data = documents[0] if documents else None
    try:
        size = _expanded_size(data, {})
    except RecursionError as exc:
        raise UserError(f"{source}:1: not valid YAML: nested too deeply") from exc
    if size > MAX_VALUES:
        raise UserError(f"{source}:1: YAML aliases expand this file to more than {MAX_VALUES:,} values; "
                        "refusing to read it")
    return data


def _expanded_size(node: Any, seen: dict[int, int]) -> int:
    """How many values `node` holds once every alias is expanded (shared nodes are counted once
    per use, computed once: linear in the file, whatever it expands to)."""
    if not isinstance(node, (dict, list)):
        return 1
    if id(node) not in seen:
        seen[id(node)] = 0  # a recursive alias counts as one value, not forever
        children = list(node.items()) if isinstance(node, dict) else [(None, v) for v in node]
        seen[id(node)] = 1 + sum(1 + _expanded_size(v, seen) for _, v in children)
    return seen[id(node)]


def problems(name: str, data: Any, describe: Describe | None = None, root: str = "") -> list[Problem]:
    """Every way `data` (from load_yaml) breaks the schema `name`, first line first. `describe`
    names a path for messages (`step 2`); by default keys are joined by dots and list items are
    `item N`; `root` names the whole file (`recipe`)."""
    describe = describe or default_describe
    validator = _validator(name)
    found = [_problem(error, data, describe, root, validator.schema) for error in validator.iter_errors(data)]
    return sorted(set(found), key=lambda p: (p.line, p.message))


def check(name: str, data: Any, source: str, describe: Describe | None = None, root: str = "") -> None:
    """UserError `source:line: message` for the first problem of `data` against schema `name`."""
    found = problems(name, data, describe, root)
    if found:
        raise UserError(found[0].format(source))


def default_describe(path: tuple) -> str:
    """`pull_requests`, `recipes.set-version`, `schedule item 2`."""
    out = ""
    for step in path:
        out += f" item {step + 1}" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out.strip()


def line_of(data: Any, path: Iterable) -> int:
    """The 1-based line of the deepest key or item of `path` found in `data` (1 at the top)."""
    line, node = _first_line(data), data
    for step in path:
        try:
            if isinstance(node, dict) and hasattr(node, "lc") and step in node:
                line = node.lc.key(step)[0] + 1
            elif isinstance(node, list) and hasattr(node, "lc") and isinstance(step, int) and step < len(node):
                line = node.lc.item(step)[0] + 1
            else:
                break
        except (KeyError, TypeError, IndexError):  # a node without position data
            break
        node = node[step]
    return line


def _first_line(data: Any) -> int:
    lc = getattr(data, "lc", None)
    return (lc.line + 1) if lc is not None and lc.line is not None else 1


def _problem(error, data: Any, describe: Describe, root: str, top: dict) -> Problem:
    full = tuple(error.absolute_path)
    keyword, schema, instance = error.validator, error.schema, error.instance
    custom, depth = _custom_message(error, top)
    if isinstance(custom, dict):
        custom = custom.get(keyword)
    path = full[:depth] if custom else full  # the node whose message it is: `teams`, not its item 0
    key = str(path[-1]) if path else root
    where = describe(path) or root
    if keyword == "additionalProperties" and schema.get("additionalProperties") is False:
        known = schema.get("properties", {})
        extra = sorted((k for k in instance if k not in known), key=lambda k: line_of(data, (*full, k)))[0]
        inside = f" in {where}" if full else ""
        return Problem(line_of(data, (*full, extra)),
                       f"unknown key {str(extra)!r}{inside} (known: {', '.join(sorted(known))})")
    if keyword == "required" and not isinstance(custom, str):
        missing = next(k for k in schema["required"] if k not in instance)
        return Problem(line_of(data, full), f"{where} needs {missing!r}".strip())
    if "propertyNames" in error.schema_path:  # `instance` is the key at fault
        message = custom if isinstance(custom, str) else "not an allowed name"
        return Problem(line_of(data, (*full, instance)), _prefix(full, describe, f"{message}: {str(instance)!r}"))
    if isinstance(custom, str):
        message = custom.replace("{key}", key).replace("{where}", where)
    else:
        message = {"type": f"{key} has the wrong type", "enum": f"{key} must be one of "
                   f"{', '.join(map(str, schema.get('enum', [])))}"}.get(keyword, f"{key} is not valid ({keyword})")
    if keyword == "type" and path == full:
        kind = next((word for types, word in _KINDS if isinstance(instance, types)), None)
        message += ", not empty" if instance is None else (f", not a {kind}" if kind else "")
    if isinstance(custom, str) and "{where}" in custom:  # the message names its own context
        return Problem(line_of(data, full), message)
    return Problem(line_of(data, full), _prefix(path[:-1], describe, message))


def _custom_message(error, root: dict) -> tuple[Any, int]:
    """The `errorMessage` nearest the failing keyword on its schema path (the failing node's
    own, else an enclosing one's: an array's message speaks for its items), and how many steps
    of the instance path lead to the node that carries it; (None, 0) when there is none."""
    node, depth, found = root, 0, (root.get("errorMessage"), 0) if "errorMessage" in root else (None, 0)
    steps = list(error.schema_path)[:-1]
    i = 0
    while i < len(steps) and isinstance(node, dict):
        while "$ref" in node and steps[i] not in node:
            node = _pointer(root, node["$ref"])
        step = steps[i]
        if step in ("properties", "patternProperties", "$defs"):
            node, i, depth = node[step][steps[i + 1]], i + 2, depth + (step != "$defs")
        elif step in ("allOf", "anyOf", "oneOf"):
            node, i = node[step][steps[i + 1]], i + 2
        else:
            node, i, depth = node[step], i + 1, depth + (step in ("items", "additionalProperties"))
        if isinstance(node, dict) and "$ref" in node and "errorMessage" not in node:
            node = _pointer(root, node["$ref"])
        if isinstance(node, dict) and "errorMessage" in node:
            found = (node["errorMessage"], depth)
    return found


def _pointer(root: dict, ref: str) -> Any:
    """A local `#/$defs/...` reference inside `root`."""
    node = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _prefix(path: tuple, describe: Describe, message: str) -> str:
    """`step 1: ...` where the caller's `describe` names the context of the key; the default
    context is left out (the messages name their keys)."""
    if describe is default_describe or not path:
        return message
    context = describe(path)
    return f"{context}: {message}" if context else message
