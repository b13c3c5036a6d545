"""Round-trip YAML nodes composed from libyaml's events: the fast path of `parse.yaml.load_rt`.

ruamel's pure-Python round-trip loader spends most of its time scanning and parsing (and
gathering comments nobody here reads). ruamel.yaml.clib's `CParser` produces the same event
stream from libyaml about ten times faster; ruamel's own `Composer` and `RoundTripConstructor`
turn those events into the same `CommentedMap`/`CommentedSeq`/scalar objects, with the same
`.lc` line/column positions, key order, flow styles, anchors and merge keys.

What differs, and how it is handled:
- comments: libyaml drops them, so `.ca` is empty. No editor, scanner or check reads `.ca`
  (they locate comments in the text, by line), so locating does not need them.
- the position of an empty value in a block mapping (`key:` followed by nothing): libyaml puts it
  just after the colon, ruamel's round-trip parser mostly at the next token. `_Loader` moves it
  to where ruamel puts it (see `_ruamel_empty_mark`).
- what the two scanners read differently, found by comparing them on mutated real files
  (tests/test_parse_yaml_fast.py): ruamel refuses a tab in many places libyaml accepts; ruamel's
  anchor names run to the next space (`&a:b`), libyaml's stop at punctuation; ruamel keeps
  tags its own way (`!!str x` is a TaggedScalar); ruamel records where a folded (`>`) scalar
  was folded; each puts an empty scalar inside a flow mapping (`{a: }`) somewhere else. `load`
  raises `NotHandled` for a text with a tab, a tag, a folded scalar, an empty scalar in a flow
  mapping or an anchor the two do not read alike, and for a text whose line geometry or
  resolution it does not vouch for (a `%YAML`/`%TAG` directive; line breaks other than LF and
  CRLF; a byte order mark after the start). The caller then uses the pure-Python loader. So it
  does for any error: the pure loader is the authority on what does not parse and on the
  message that says so.

tests/test_parse_yaml_fast.py proves the equality on every YAML file and masked template of the
example monorepo and the fixtures, and on mutated copies of them.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from ruamel.yaml.compat import check_anchorname_char
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import StreamMark
from ruamel.yaml import resolver as _resolver
from ruamel.yaml.resolver import VersionedResolver

try:  # ruamel.yaml.clib; without it every load takes the pure-Python path
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - the dependency is declared, but it is a C extension
    CParser = None

# Texts whose handling by libyaml and by ruamel's pure loader this module has not proven equal.
_UNVOUCHED_RE = re.compile(r"[\t\x85\u2028\u2029]|\r(?!\n)|\ufeff|^%", re.MULTILINE)
_DOC_MARKER_RE = re.compile(r"(---|\.\.\.)(\s|$)")
_LINE_BREAK_RE = re.compile(r"\r\n|\n")
# The YAML version ruamel's round-trip loader resolves scalars by when no directive says otherwise
# (texts with a directive take the pure-Python path).
_YAML_VERSION = getattr(_resolver, "_DEFAULT_YAML_VERSION", (1, 2))


class NotHandled(Exception):
    """This text is not one the fast path vouches for: use the pure-Python loader."""


def available() -> bool:
    """True when ruamel.yaml.clib's libyaml parser can be used."""
    return CParser is not None


def load(text: str) -> list[Any]:
    """All documents of `text` as round-trip nodes, as ruamel's pure-Python round-trip loader
    builds them (comments aside). Raises NotHandled for a text it does not vouch for, and
    whatever the parser raises for one that does not parse (the caller re-parses it with the
    pure-Python loader, whose error is the one to report)."""
    if CParser is None or _UNVOUCHED_RE.search(text, 1 if text.startswith("\ufeff") else 0):
        raise NotHandled
    loader = _Loader(text)
    try:
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs
    finally:
        loader.dispose()


class _Geometry:
    """Line starts of a text, with its line breaks counted as YAML counts them (LF, CRLF)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK_RE.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        return self.starts[line] + column

    def mark(self, offset: int) -> StreamMark:
        line = bisect.bisect_right(self.starts, offset) - 1
        return StreamMark(None, offset, line, offset - self.starts[line])


class _Loader(Composer, CParser or object, RoundTripConstructor, VersionedResolver):  # type: ignore[misc]
    """libyaml's events (CParser), ruamel's composer, round-trip constructor and resolver: the
    class ruamel's YAML(typ="rt", pure=False) would assemble if it supported it."""

    comment_handling = None  # RoundTripConstructor asks; None is the round-trip loader's value
    max_depth = 0  # Composer asks; 0 (no limit) is YAML()'s default
    # Answers the resolver and composer would otherwise look up through the loader on every
    # node (by attribute probes that raise and catch AttributeError): a third of the time.
    processing_version = _YAML_VERSION

    @property
    def parser(self) -> Any:
        return self

    @property
    def resolver(self) -> Any:
        return self

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        self._parser = self
        Composer.__init__(self, loader=self)
        self._composer = self
        RoundTripConstructor.__init__(self, loader=self)
        VersionedResolver.__init__(self, loadumper=self)
        self._geometry: _Geometry | None = None
        self._text = text

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if getattr(event, "ctag", None) is not None:
            raise NotHandled  # ruamel's round-trip parser keeps tags its own way (TaggedScalar)
        if getattr(event, "anchor", None) is not None:
            self._check_anchor(event)
        if getattr(event, "style", None) == ">":
            # ruamel's scanner marks where a folded scalar was folded (`fold_pos`, a hint for
            # dumping it again); libyaml does not say.
            raise NotHandled
        return super().compose_node(parent, index)

    def compose_mapping_node(self, anchor: Any) -> Any:
        node = super().compose_mapping_node(anchor)
        for key, value in node.value:
            if node.flow_style and (_is_empty_plain(key) or _is_empty_plain(value)):
                raise NotHandled  # `{a: }`, `[a: ]`, `{? }`: each parser has its own place for it
            if _is_empty_plain(value):
                mark = self._ruamel_empty_mark(value.start_mark, key.start_mark.column)
                value.start_mark = value.end_mark = mark
        return node

    def _check_anchor(self, event: Any) -> None:
        """NotHandled unless both scanners read the same `&name`/`*name` here: libyaml ends a
        name at the first character that is not alphanumeric, `-` or `_`, ruamel only at a
        space or a flow indicator (`&a:b` is one anchor to ruamel, `a` then `:b` to libyaml)."""
        at = self._offset(event.start_mark)
        name = event.anchor
        after = self._text[at + 1 + len(name):at + 2 + len(name)]
        if (self._text[at:at + 1] not in "&*" or self._text[at + 1:at + 1 + len(name)] != name
                or (after and check_anchorname_char(after))):
            raise NotHandled

    def _offset(self, mark: Any) -> int:
        if self._geometry is None:
            self._geometry = _Geometry(self._text)
        return self._geometry.offset(mark.line, mark.column)

    def _ruamel_empty_mark(self, mark: Any, key_column: int) -> Any:
        """Where ruamel's round-trip parser puts the empty value of a block mapping entry whose
        key is at `key_column` and that libyaml puts at `mark` (just after the colon).

        ruamel takes the end of the token after the colon, unless the colon token still holds an
        end-of-line comment, which it keeps only when that next token is the mapping's next key
        (`a:  # c` then `b: 1`): then it takes the colon's end, libyaml's place. The next token
        starts at the first character that is not blank or in a comment; a key or a block end
        there has no width, so its end is that place. An explicit `?` key or a `:` there has a
        width, and is not worth a rule: NotHandled."""
        text, at = self._text, self._offset(mark)
        if text[at - 1:at] != ":":
            return mark  # not the value after a colon: libyaml and ruamel agree
        i = at
        while i < len(text) and text[i] == " ":
            i += 1
        eol_comment = text[i:i + 1] == "#"
        while i < len(text):
            if text[i] in " \r\n":
                i += 1
            elif text[i] == "#":
                i = _line_end(text, i)
            else:
                break
        nxt = self._geometry.mark(i)
        if text[i:i + 1] in ("?", ":") and text[i + 1:i + 2] in ("", " ", "\r", "\n"):
            raise NotHandled
        if eol_comment and i < len(text) and nxt.column == key_column and not _DOC_MARKER_RE.match(text, i):
            return mark
        return nxt


def _is_empty_plain(node: Any) -> bool:
    """A value that is nothing at all in the text (not `""`, not `~`, not a tag or an anchor)."""
    start, end = node.start_mark, node.end_mark
    return (node.id == "scalar" and node.value == "" and not node.style
            and start.line == end.line and start.column == end.column)


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end
