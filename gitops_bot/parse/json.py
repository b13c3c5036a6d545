"""JSON with positions: the value tree with the character span of every value, and of every
object member from its key, for editors that splice the original text. Strict JSON by default;
`comments=True` reads JSON with comments (JSONC: `//` and `/* */` comments, trailing commas), as
tsconfig and VS Code settings are written."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_WS_COMMENTS = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
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


def read(text: str, comments: bool = False) -> Node:
    """The document's root value; ValueError naming the offset when `text` is not strict JSON
    (or, with `comments`, not JSONC)."""
    return _Reader(_WS_COMMENTS if comments else _WS, comments).document(text)


def data(node: Node) -> Any:
    """The Python value of a node (what json.loads gives for the same text)."""
    if node.kind == "object":
        return {child.key: data(child) for child in node.children}
    if node.kind == "array":
        return [data(child) for child in node.children]
    return node.value


class _Reader:
    """One reading: what counts as whitespace, and whether a trailing comma is allowed."""

    def __init__(self, ws: re.Pattern[str], trailing_commas: bool) -> None:
        self.ws = ws
        self.trailing_commas = trailing_commas

    def document(self, text: str) -> Node:
        node, end = self.value(text, self.ws.match(text, 0).end())
        end = self.ws.match(text, end).end()
        if end != len(text):
            raise ValueError(f"extra data at offset {end}")
        return node

    def value(self, text: str, i: int) -> tuple[Node, int]:
        ch = text[i:i + 1]
        if ch == "{":
            return self.container(text, i, "object", "}")
        if ch == "[":
            return self.container(text, i, "array", "]")
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

    def container(self, text: str, start: int, kind: str, close: str) -> tuple[Node, int]:
        node = Node(kind, start, start)
        i = self.ws.match(text, start + 1).end()
        if text.startswith(close, i):
            node.end = i + 1
            return node, node.end
        while True:
            node.children.append(child := self.member(text, i) if kind == "object" else self.value(text, i)[0])
            i = self.ws.match(text, child.end).end()
            if text.startswith(close, i):
                node.end = i + 1
                return node, node.end
            if not text.startswith(",", i):
                raise ValueError(f"expected ',' or {close!r} at offset {i}")
            i = self.ws.match(text, i + 1).end()
            if self.trailing_commas and text.startswith(close, i):
                node.end = i + 1
                return node, node.end

    def member(self, text: str, i: int) -> Node:
        if not text.startswith('"', i):
            raise ValueError(f"expected a key at offset {i}")
        key, after_key = _scanstring(text, i + 1, True)
        colon = self.ws.match(text, after_key).end()
        if not text.startswith(":", colon):
            raise ValueError(f"expected ':' at offset {colon}")
        value, end = self.value(text, self.ws.match(text, colon + 1).end())
        return Node(value.kind, i, end, value.value, value.children, key)
