"""YAML for locating and checking: round-trip nodes with positions, plain data, quoted scalars.

Editors, scanners and checks read YAML through these functions only, so that the way YAML is
parsed (and cached) is decided in one place:
- `load_rt` composes with libyaml (parse/libyaml_rt.py: the same nodes and positions as ruamel's
  pure-Python round-trip loader, about ten times faster) and falls back to the pure-Python
  loader for the texts that path does not vouch for and for every error, so errors and their
  messages are the pure loader's;
- `load_safe` is ruamel's safe loader (libyaml-backed when ruamel.yaml.clib is present);
- `load_tagged` is the same, except that application tags (local ones such as CloudFormation's
  `!Ref`, and `!!python/name:...` as mkdocs.yml writes it) read as an inert `Tagged(tag, value)`:
  for comparing data, never for building objects. Object-building tags (`!!python/object...`)
  stay errors, so a file asking for them is still refused and shown to a reviewer;
- both parse a text once per run (parse/cache.py). Their results are shared: read-only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import ScalarNode, SequenceNode

from gitops_bot.parse import libyaml_rt

# An anchor defined again (`&name` in each item of an ExternalSecret list) is valid YAML: ruamel
# warns on stderr, which a user reads as the bot's complaint about their file. Silenced.
warnings.filterwarnings("ignore", category=ReusedAnchorWarning)
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


@dataclass(frozen=True)
class Tagged:
    """A node with an application tag, read as data: the tag and the plain value under it
    (a string, or a tuple of items for a sequence or a mapping)."""

    tag: str
    value: Any


class _TagTolerantConstructor(SafeConstructor):
    """The safe constructor, with application tags read as `Tagged` (a subclass: ruamel's
    constructor registries are class attributes, and the plain safe loader stays strict)."""


def _construct_tagged(constructor: SafeConstructor, suffix: str, node: Any) -> Tagged:
    if isinstance(node, ScalarNode):
        return Tagged(node.tag, constructor.construct_scalar(node))
    if isinstance(node, SequenceNode):
        return Tagged(node.tag, tuple(constructor.construct_sequence(node, deep=True)))
    return Tagged(node.tag, tuple(constructor.construct_mapping(node, deep=True).items()))


for _prefix in ("!", "tag:yaml.org,2002:python/name:"):
    _TagTolerantConstructor.add_multi_constructor(_prefix, _construct_tagged)


def load_tagged(text: str) -> list[Any]:
    """All documents of `text` as plain data, unknown tags read as `Tagged` (see the module
    docstring); YAMLError when the text does not parse."""
    return list(cached("yaml-tagged", text, _load_tagged))


def _load_tagged(text: str) -> list[Any]:
    return _load_plain(text, _TagTolerantConstructor)


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
    return _load_plain(text)


def _load_plain(text: str, constructor: type | None = None) -> list[Any]:
    """All documents as plain data, by libyaml; by ruamel's own parser when libyaml refuses an
    anchor defined again in one document, which YAML allows (an alias means the nearest one
    before it)."""
    def loader(pure: bool) -> YAML:
        yaml = YAML(typ="safe", pure=pure)
        if constructor is not None:
            yaml.Constructor = constructor
        return yaml

    try:
        try:
            return list(loader(pure=False).load_all(text))
        except YAMLError as exc:
            if "duplicate anchor" not in str(exc):
                raise
        return list(loader(pure=True).load_all(text))
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
