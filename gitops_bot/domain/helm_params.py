"""Turning values-file entries into ArgoCD Helm parameters that Helm reads the same way.

ArgoCD passes each parameter as `helm template --set NAME=VALUE` (escaping commas in the value
itself, except for `{a,b}` lists) or `--set-string` when `forceString: true`. So:
- names are dotted paths, with `.` and `,` inside a key escaped as `\\.` and `\\,`;
- values are strings: booleans become `true`/`false`, numbers keep the text they were written
  with, the empty string stays `""`;
- a string that `--set` would turn into another type (`"20"`, `"true"`, `"null"`) gets
  `forceString: true`, so the chart sees the string the values file gave it;
- nulls, lists and `{...}` strings cannot be said as a parameter and are reported, not moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_SET_INT_RE = re.compile(r"^[-+]?\d+$")
_SET_LITERALS = frozenset({"true", "false", "null"})
# YAML 1.1 booleans: what Helm's YAML parser reads from a values file.
_YAML11_TRUE = frozenset({"y", "yes", "on", "true"})
_YAML11_FALSE = frozenset({"n", "no", "off", "false"})


@dataclass(frozen=True)
class NewParameter:
    """A parameter to add: its name, string value, and where it came from."""

    name: str
    value: str
    force_string: bool
    source_line: int  # 1-based line in the values file
    comment: str = ""  # inline comment carried over from the values file


class Unmovable(Exception):
    """A value that cannot be expressed as a Helm parameter (`line`: 1-based, 0 if unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def escape_key(key: str) -> str:
    """A key as one segment of a `--set` path."""
    return key.replace("\\", "\\\\").replace(".", "\\.").replace(",", "\\,")


def parameter_value(value: Any, raw: str, quoted: bool) -> tuple[str, bool]:
    """(string value, forceString) for one scalar; `raw` is its text in the values file."""
    if value is None:
        raise Unmovable("null cannot be set as a parameter")
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, (int, float)):
        return (str(value) if isinstance(value, int) else raw), False
    if isinstance(value, str):
        if not quoted and value.lower() in _YAML11_TRUE | _YAML11_FALSE:
            return ("true" if value.lower() in _YAML11_TRUE else "false"), False
        if value.startswith("{") and value.endswith("}"):
            raise Unmovable("a {...} value would be read as a list")
        return value, bool(_SET_INT_RE.match(value) or value.lower() in _SET_LITERALS)
    raise Unmovable(f"a {type(value).__name__} cannot be set as one parameter")
