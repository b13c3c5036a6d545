"""Appending strings to a block list of a YAML document, as a human types them.

New items go after the last one, at its dash's column, quoted the way the existing items are;
a list that does not exist yet is created after the last entry of its parent map, its dash
indented as the file indents other lists. Refused: a flow list (`[a, b]`), a parent that is not
a block map, a multi-line last item whose end cannot be told. Verified: the re-parsed document
equals the original with exactly these items appended.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Sequence

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from gitops_bot.edit.blocks import trim_trailing, yaml_entry_stop
from gitops_bot.parse.yaml import load_rt, load_safe
from gitops_bot.text.splice import Cut, Lines, Span, splice

CHECK = "re-parsed; the document equals the original plus exactly the new list items"


class AppendRefused(Exception):
    """The list's layout is one gitops-bot will not edit (the reason is the message)."""


def append_strings(text: str, doc_index: int, path: Sequence[str], values: Sequence[str]) -> str:
    """The text with `values` appended to the list at `path` (keys from the document's root)."""
    docs = load_rt(text)
    lines = Lines(text)
    parent = docs[doc_index]
    for key in path[:-1]:
        parent = parent.get(key) if isinstance(parent, CommentedMap) else None
    if not isinstance(parent, CommentedMap) or parent.fa.flow_style() or not len(parent):
        raise AppendRefused(f"{'.'.join(path[:-1])} is not a block map")
    newline = "\r\n" if "\r\n" in text else "\n"
    items = parent.get(path[-1])
    if items is None:
        cut = _new_list(lines, docs[doc_index], parent, path[-1], values, newline)
    elif isinstance(items, CommentedSeq) and not items.fa.flow_style() and len(items):
        cut = _after_last(lines, items, values, newline)
    else:
        raise AppendRefused(f"{'.'.join(path)} is not a block list")
    result = splice(text, [cut])
    _verify(text, result, doc_index, path, values)
    return result


def _after_last(lines: Lines, items: CommentedSeq, values: Sequence[str], newline: str) -> Cut:
    line, col = items.lc.item(len(items) - 1)
    head = lines.line(line)[:col]
    dash = head.rstrip().rfind("-")
    if dash < 0 or head[:dash].strip():
        raise AppendRefused("the list's items are laid out unusually")
    quote = _quote_style(lines, items)
    at = lines.end(trim_trailing(lines, line, yaml_entry_stop(lines, line, dash, False), dash))
    lead = newline if at == len(lines.text) and not lines.text.endswith("\n") else ""
    return Cut(Span(at, at), lead + "".join(f"{' ' * dash}- {_quote(v, quote)}{newline}" for v in values))


def _new_list(lines: Lines, doc: Any, parent: CommentedMap, key: str, values: Sequence[str], newline: str) -> Cut:
    col = parent.lc.key(next(iter(parent)))[1]
    last = parent.lc.key(list(parent)[-1])[0]
    at = lines.end(trim_trailing(lines, last, yaml_entry_stop(lines, last, col, True), col))
    dash = col + _sequence_offset(lines, doc)
    body = f"{' ' * col}{key}:{newline}" + "".join(f"{' ' * dash}- {_quote(v, '')}{newline}" for v in values)
    lead = newline if at == len(lines.text) and not lines.text.endswith("\n") else ""
    return Cut(Span(at, at), lead + body)


def _sequence_offset(lines: Lines, node: Any) -> int:
    """How far this file indents a block list's dash past its key (0 = flush; 2 if none)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CommentedMap):
            for key, value in current.items():
                if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
                    line, col = value.lc.item(0)
                    head = lines.line(line)[:col]
                    dash = head.rstrip().rfind("-")
                    if dash >= 0 and not head[:dash].strip():
                        return dash - current.lc.key(key)[1]
                stack.append(value)
        elif isinstance(current, CommentedSeq):
            stack.extend(current)
    return 2


def _quote_style(lines: Lines, items: CommentedSeq) -> str:
    line, col = items.lc.item(len(items) - 1)
    first = lines.line(line)[col:col + 1]
    return first if first in ("'", '"') else ""


def _quote(value: str, style: str) -> str:
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == "" and re.fullmatch(r"[A-Za-z0-9_./:@~+-]+", value) and not value.endswith(":"):
        try:
            if load_safe(f"- {value}\n")[0] == [value]:
                return value
        except YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _verify(old: str, new: str, doc_index: int, path: Sequence[str], values: Sequence[str]) -> None:
    try:
        actual = load_safe(new)
    except YAMLError as exc:
        raise AppendRefused(f"the result would not parse ({str(exc).splitlines()[0]})") from exc
    expected = copy.deepcopy(load_safe(old))
    node = expected[doc_index]
    for key in path[:-1]:
        node = node[key]
    node.setdefault(path[-1], []).extend(values)
    if actual != expected:
        raise AppendRefused("the result's data differs from the intended list")
