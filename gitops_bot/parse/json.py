"""JSON with positions: the value tree with the character span of every value, and of every
object member from its key, for editors that splice the original text. Strict JSON by default;
`comments=True` reads JSON with comments (JSONC: `//` and `/* */` comments, trailing commas), as
tsconfig and VS Code settings are written; `json5=True` reads, on top of that, what JSON5 files
(`renovate.json5`) mostly add: keys written as bare identifiers (`labels: [...]`) and strings in
single quotes. The rest of JSON5 (hexadecimal and signed numbers, `Infinity`, line continuations
in strings, escapes JSON lacks) is not read: ValueError, so the file is left to a human."""

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
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")  # a JSON5 bare key (ASCII identifiers only)
_SINGLE_QUOTED = re.compile(r"'((?:[^'\\\n]|\\[^\n])*)'")


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


def read(text: str, comments: bool = False, json5: bool = False) -> Node:
    """The document's root value; ValueError naming the offset when `text` is not strict JSON
    (or, with `comments`, not JSONC; with `json5`, not the JSON5 this reader knows)."""
    return _Reader(_WS_COMMENTS if comments or json5 else _WS, comments or json5, json5).document(text)


def data(node: Node) -> Any:
    """The Python value of a node (what json.loads gives for the same text)."""
    if node.kind == "object":
        return {child.key: data(child) for child in node.children}
    if node.kind == "array":
        return [data(child) for child in node.children]
    return node.value


class _Reader:
    """One reading: what counts as whitespace, and whether a trailing comma is allowed."""

    def __init__(self, ws: re.Pattern[str], trailing_commas: bool, json5: bool = False) -> None:
        self.ws = ws
        self.trailing_commas = trailing_commas
        self.json5 = json5

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
        if ch == '"' or (ch == "'" and self.json5):
            value, end = _string(text, i)
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
        bare = _IDENTIFIER.match(text, i) if self.json5 else None
        if bare:
            key, after_key = bare.group(), bare.end()
        elif text.startswith('"', i) or (self.json5 and text.startswith("'", i)):
            key, after_key = _string(text, i)
        else:
            raise ValueError(f"expected a key at offset {i}")
        colon = self.ws.match(text, after_key).end()
        if not text.startswith(":", colon):
            raise ValueError(f"expected ':' at offset {colon}")
        value, end = self.value(text, self.ws.match(text, colon + 1).end())
        return Node(value.kind, i, end, value.value, value.children, key)


def _string(text: str, i: int) -> tuple[str, int]:
    """The string that starts at offset i (at its quote) and the offset after it. A JSON5
    single-quoted string is read as the double-quoted JSON string it equals (`\\'` is a quote,
    a bare `"` is escaped), so its escapes are JSON's."""
    if text[i] == '"':
        return _scanstring(text, i + 1, True)
    m = _SINGLE_QUOTED.match(text, i)
    if not m:
        raise ValueError(f"unterminated string at offset {i}")
    body = re.sub(r"\\(.)|\"", lambda e: "'" if e.group(1) == "'" else e.group(0) if e.group(1) else '\\"',
                  m.group(1))
    value, _ = _scanstring(body + '"', 0, True)
    return value, m.end()
