"""Strict JSON with positions: the value tree with the character span of every value, and of
every object member from its key, for editors that splice the original text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_scanstring = json.decoder.scanstring  # the standard library's (C) string reader


@dataclass
class Node:
    """One JSON value: kind (object, array, string, number, literal), its span, its Python value
    for scalars, its children for containers; a member of an object has its key, and its span
    starts at the key."""

    kind: str
    start: int
    end: int
    value: Any = None
    children: list["Node"] = field(default_factory=list)
    key: str | None = None


def read(text: str) -> Node:
    """The document's root value; ValueError naming the offset when `text` is not strict JSON."""
    node, end = _value(text, _WS.match(text, 0).end())
    end = _WS.match(text, end).end()
    if end != len(text):
        raise ValueError(f"extra data at offset {end}")
    return node


def _value(text: str, i: int) -> tuple[Node, int]:
    ch = text[i:i + 1]
    if ch == "{":
        return _container(text, i, "object", "}")
    if ch == "[":
        return _container(text, i, "array", "]")
    if ch == '"':
        value, end = _scanstring(text, i + 1, True)
        return Node("string", i, end, value), end
    for word, value in _LITERALS.items():
        if text.startswith(word, i):
            return Node("literal", i, i + len(word), value), i + len(word)
    m = _NUMBER.match(text, i)
    if m and m.end() > i:
        return Node("number", i, m.end(), json.loads(m.group())), m.end()
    raise ValueError(f"unexpected {ch or 'end of text'!r} at offset {i}")


def _container(text: str, start: int, kind: str, close: str) -> tuple[Node, int]:
    node = Node(kind, start, start)
    i = _WS.match(text, start + 1).end()
    if text.startswith(close, i):
        node.end = i + 1
        return node, node.end
    while True:
        node.children.append(child := _member(text, i) if kind == "object" else _value(text, i)[0])
        i = _WS.match(text, child.end).end()
        if text.startswith(close, i):
            node.end = i + 1
            node.value = None
            return node, node.end
        if not text.startswith(",", i):
            raise ValueError(f"expected ',' or {close!r} at offset {i}")
        i = _WS.match(text, i + 1).end()


def _member(text: str, i: int) -> Node:
    if not text.startswith('"', i):
        raise ValueError(f"expected a key at offset {i}")
    key, after_key = _scanstring(text, i + 1, True)
    colon = _WS.match(text, after_key).end()
    if not text.startswith(":", colon):
        raise ValueError(f"expected ':' at offset {colon}")
    value, end = _value(text, _WS.match(text, colon + 1).end())
    return Node(value.kind, i, end, value.value, value.children, key)
