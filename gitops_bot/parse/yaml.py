"""YAML for locating and checking: round-trip nodes with positions, plain data, quoted scalars.

Editors, scanners and checks read YAML through these functions only, so that the way YAML is
parsed (and cached) is decided in one place.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError


class TooDeep(YAMLError):
    """YAML nested deeper than the parser can follow (ruamel recurses once per level)."""


def load_rt(text: str) -> list[Any]:
    """All documents of `text` as ruamel round-trip nodes (with positions)."""
    try:
        return list(YAML(typ="rt").load_all(text))
    except RecursionError:
        raise TooDeep("nested too deeply to parse") from None


def load_safe(text: str) -> list[Any]:
    """All documents of `text` as plain data (libyaml-backed when ruamel.yaml.clib is present)."""
    try:
        return list(YAML(typ="safe").load_all(text))
    except RecursionError:
        raise TooDeep("nested too deeply to parse") from None


def quoted_end(text: str, start: int) -> int:
    """Offset just past the quoted YAML scalar that starts at `start` (backslash escapes in
    double quotes, doubled quotes in single quotes); the end of `text` if it is unterminated."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            if quote == "'" and text[i + 1:i + 2] == "'":
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)


