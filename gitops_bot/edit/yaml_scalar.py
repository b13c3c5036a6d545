"""Setting one scalar at a dotted path of a YAML file (a Helm values file), as a human types it.

An existing value is replaced in place, its quoting and trailing comment kept; a path that does
not exist yet is created after the last entry of the deepest map that does, one line per
missing key, in the file's own indentation step. Values keep their type where the old one says
what it is: `tag: "1.2"` stays a string (`"1.3"`), `minReplicas: 3` becomes `2`. Refused, with
the reason: a key under a template expression, a value that is a map or list, a block scalar,
an anchor or alias, a list on the way, a file of several documents. Verified: the re-parsed file
equals the original with exactly that value set.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from gitops_bot.edit.blocks import trim_trailing, yaml_entry_stop
from gitops_bot.edit.yaml_insert import scalar_extent
from gitops_bot.parse.yaml import load_rt, load_safe
from gitops_bot.text.splice import Cut, Lines, Span, splice

CHECK = "re-parsed; the file equals the original with exactly the one value set"
_TEMPLATE_LINE = re.compile(r"^\s*\{\{", re.MULTILINE)


class SetRefused(Exception):
    """The value cannot be set safely (the reason is the message)."""


def split_key(key: str) -> list[str]:
    """`a.b\\.c` -> ['a', 'b.c'] (a dot inside a key is escaped, as `helm --set` takes it)."""
    parts = [p.replace("\0", ".") for p in key.replace("\\.", "\0").split(".")]
    if not all(parts):
        raise SetRefused(f"key {key!r} has an empty segment")
    return parts


def set_scalar(text: str, key: str, value: str) -> str:
    """The text with `value` at the dotted `key` (unchanged when it is already there)."""
    path = split_key(key)
    if _TEMPLATE_LINE.search(text):
        raise SetRefused("the file is a template: its keys are under template expressions")
    try:
        docs = load_rt(text)
    except YAMLError as exc:
        raise SetRefused(f"the file does not parse ({str(exc).splitlines()[0]})") from exc
    if len(docs) > 1:
        raise SetRefused("the file holds several YAML documents")
    root = docs[0] if docs else None
    if root is not None and not isinstance(root, CommentedMap):
        raise SetRefused("the file is not a mapping")
    lines = Lines(text)
    node, depth = root, 0
    while node is not None and depth < len(path) and path[depth] in node:
        segment = path[depth]
        line = node.lc.key(segment)[0]
        if "{{" in lines.line(line):
            raise SetRefused(f"{'.'.join(path[:depth + 1])} is under a template expression")
        if depth == len(path) - 1:
            cut = _replace(lines, node, segment, value, key)
            if cut is None:
                return text
            return _verified(text, splice(text, [cut]), path, value)
        child = node[segment]
        if not isinstance(child, CommentedMap):
            raise SetRefused(f"{'.'.join(path[:depth + 1])} is not a map")
        node, depth = child, depth + 1
    cut = _create(text, lines, root, node, path, depth, value)
    return _verified(text, splice(text, [cut]), path, value)


def _replace(lines: Lines, node: CommentedMap, segment: str, value: str, key: str) -> Cut | None:
    old = node[segment]
    if isinstance(old, (dict, list)):
        raise SetRefused(f"{key} holds a {'map' if isinstance(old, dict) else 'list'}, not one value")
    line, col = node.lc.value(segment)
    key_line = lines.line(node.lc.key(segment)[0])
    if re.search(r":\s+[*&]", key_line):
        raise SetRefused(f"{key}'s value is an anchor or alias (shared with other keys)")
    if line != node.lc.key(segment)[0]:
        raise SetRefused(f"{key}'s value is not on its key's line")
    text = lines.line(line)
    end, _ = scalar_extent(text, col)
    raw = text[col:end]
    if raw[:1] in ("|", ">", "&", "*", "!") or not raw:
        raise SetRefused(f"{key}'s value is {'empty' if not raw else 'a block scalar, anchor, alias or tagged'}")
    new = render(value, old, raw[:1] if raw[:1] in ("'", '"') else "")
    if new == raw:
        return None
    start = lines.start(line)
    return Cut(Span(start + col, start + end), new)


def render(value: str, old: Any, quote: str) -> str:
    """`value` as YAML text: in the old value's quotes; plain when it reads back as the same
    kind of thing the old value was (a string stays a string), else in double quotes."""
    if quote == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if quote == '"':
        return json.dumps(value, ensure_ascii=False)
    loaded = _plain_reading(value)
    if loaded is _UNREADABLE:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(old, str) and not (isinstance(loaded, str) and loaded == value):
        return json.dumps(value, ensure_ascii=False)
    if old is not None and not isinstance(old, str) and isinstance(loaded, str) and loaded != value:
        return json.dumps(value, ensure_ascii=False)
    return value


_UNREADABLE = object()


def _plain_reading(value: str) -> Any:
    """What a plain `value` reads back as, or _UNREADABLE when it is not one plain scalar."""
    if not value or value != value.strip() or re.search(r"[#{}\[\],&*!|>'\"%@`]|: |:$", value):
        return _UNREADABLE
    try:
        data = load_safe(f"k: {value}\n")[0]
    except YAMLError:
        return _UNREADABLE
    return data["k"] if isinstance(data, dict) and list(data) == ["k"] else _UNREADABLE


def _create(text: str, lines: Lines, root: Any, node: Any, path: list[str], depth: int, value: str) -> Cut:
    """A cut adding the missing keys path[depth:] under `node` (None: an empty file)."""
    step = _indent_step(root)
    if node is None or not len(node):
        if node is not None and node is not root:
            raise SetRefused(f"{'.'.join(path[:depth])} is an empty map written inline")
        col, at = 0, len(text)
    else:
        if node.fa.flow_style():
            raise SetRefused(f"{'.'.join(path[:depth]) or 'the file'} is a map written inline")
        first = next(iter(node))
        col = node.lc.key(first)[1]
        last_line = node.lc.key(list(node)[-1])[0]
        stop = yaml_entry_stop(lines, last_line, col, True)
        at = lines.end(trim_trailing(lines, last_line, stop, col))
    newline = "\r\n" if "\r\n" in text else "\n"
    body = [" " * (col + step * k) + f"{_key_text(segment)}:" for k, segment in enumerate(path[depth:-1])]
    body.append(" " * (col + step * (len(path) - depth - 1)) + f"{_key_text(path[-1])}: {render(value, None, '')}")
    lead = newline if at == len(text) and text and not text.endswith("\n") else ""
    return Cut(Span(at, at), lead + newline.join(body) + newline)


def _key_text(segment: str) -> str:
    return segment if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", segment) else json.dumps(segment)


def _indent_step(root: Any) -> int:
    """How far the file indents a nested map's keys past their parent's (2 when it has none)."""
    stack = [root] if isinstance(root, CommentedMap) else []
    while stack:
        node = stack.pop()
        for k, child in node.items():
            if isinstance(child, CommentedMap) and len(child) and not child.fa.flow_style():
                step = child.lc.key(next(iter(child)))[1] - node.lc.key(k)[1]
                if step > 0:
                    return step
                stack.append(child)
    return 2


def _verified(old: str, new: str, path: list[str], value: str) -> str:
    try:
        actual = load_safe(new)
    except YAMLError as exc:
        raise SetRefused(f"the result would not parse ({str(exc).splitlines()[0]})") from exc
    expected = copy.deepcopy(load_safe(old)) or [None]
    node = expected[0] if expected[0] is not None else {}
    expected[0] = node
    for segment in path[:-1]:
        node = node.setdefault(segment, {})
    written = actual[0]
    for segment in path:
        written = written[segment]
    node[path[-1]] = written
    if actual != expected or not _reads_as(written, value):
        raise SetRefused("the result's data differs from the intended value")
    return new


def _reads_as(written: Any, value: str) -> bool:
    """Whether the value read back is the one asked for (`2` for "2", True for "true")."""
    if isinstance(written, str):
        return written == value
    if isinstance(written, bool) or written is None:
        return str(written).lower() in (value.lower(), "none" if value.lower() in ("null", "~") else "")
    try:
        return float(value) == written
    except ValueError:
        return False
