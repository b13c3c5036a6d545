"""YAML for locating and checking: round-trip nodes with positions, plain data, quoted scalars.

Editors, scanners and checks read YAML through these functions only, so that the way YAML is
parsed (and cached) is decided in one place:
- `load_rt` composes with libyaml (parse/libyaml_rt.py: the same nodes and positions as ruamel's
  pure-Python round-trip loader, about ten times faster) and falls back to the pure-Python
  loader for the texts that path does not vouch for and for every error, so errors and their
  messages are the pure loader's;
- `load_safe` is ruamel's safe loader (libyaml-backed when ruamel.yaml.clib is present);
- both parse a text once per run (parse/cache.py). Their results are shared: read-only.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from gitops_bot.parse import libyaml_rt
from gitops_bot.parse.cache import cached


class TooDeep(YAMLError):
    """YAML nested deeper than the parser can follow (ruamel recurses once per level)."""


def load_rt(text: str) -> list[Any]:
    """All documents of `text` as ruamel round-trip nodes (with positions; comments are not
    attached: nothing reads `.ca`, comments are found in the text)."""
    return list(cached("yaml-rt", text, _load_rt))


def load_safe(text: str) -> list[Any]:
    """All documents of `text` as plain data (libyaml-backed when ruamel.yaml.clib is present)."""
    return list(cached("yaml-safe", text, _load_safe))


def load_rt_pure(text: str) -> list[Any]:
    """`load_rt` by ruamel's pure-Python round-trip loader alone (the reference the fast path
    is proven against; comments attached). Not cached."""
    try:
        return list(YAML(typ="rt").load_all(text))
    except RecursionError:
        raise TooDeep("nested too deeply to parse") from None


def _load_rt(text: str) -> list[Any]:
    try:
        return libyaml_rt.load(text)
    except Exception:  # NotHandled, or anything libyaml rejects: the pure loader decides
        return load_rt_pure(text)


def _load_safe(text: str) -> list[Any]:
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
