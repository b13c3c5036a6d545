"""One parse per text per parser within a run.

The one parse memo of a run: a recipe run (`engine.run.run_recipe`) and a check
(`engine.check.check_repo`) open a `scope()`; inside it, `cached(key, text, parse)` parses a text
once per parser and hands every later caller the same result, and `parse_once(parser, text)` does
the same for a parser that is its own key (a scanner of one tool, a Terraform reader), so editors,
scanners and check rules asking for the same text's parse share one. Outside a scope nothing is
kept, so a library caller or a test that parses the same text twice gets two fresh results, and
nothing outlives the run that parsed it.

Results are shared, so they are read-only: a caller that wants to change parsed data copies it
first (yaml_insert deep-copies what it extends). A parse that raised is kept too: the next caller
gets the same exception without a second parse (every rule of `check` asks for an unparsable
file's parse).

Memory: parse trees are several times their text, and a run that edits many files would keep
them all. Once the texts kept pass BUDGET characters, the least recently used results go (a
remove-service run on a 1,200-file platform tree keeps ~0.4 M characters, ~3.5 MB of trees).
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Hashable, Iterator, TypeVar

T = TypeVar("T")

BUDGET = 4_000_000  # characters of parsed text whose results a run keeps


class _Memo(OrderedDict):
    """(key, text) -> (parsed?, result or exception), least recently used first, with the
    characters of the texts they hold."""

    chars = 0


_memo: ContextVar[_Memo | None] = ContextVar("gitops_bot_parse_cache", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Keep parse results until the block ends (nested scopes share the outer one's results)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set(_Memo())
    try:
        yield
    finally:
        _memo.reset(token)


def cached(key: Hashable, text: str, parse: Callable[[str], T]) -> T:
    """`parse(text)`, computed once per (key, text) in the current scope; a parse that raised
    raises the same exception again."""
    memo = _memo.get()
    if memo is None:
        return parse(text)
    entry = (key, text)
    hit = memo.get(entry)
    if hit is not None:
        memo.move_to_end(entry)
    else:
        try:
            hit = (True, parse(text))
        except Exception as exc:  # kept, and raised again to the next caller, as parse would
            hit = (False, exc)
        memo[entry] = hit
        memo.chars += len(text)
        while memo.chars > BUDGET and len(memo) > 1:
            (_, old), _ = memo.popitem(last=False)
            memo.chars -= len(old)
    ok, value = hit
    if not ok:
        raise value
    return value


def parse_once(parser: Callable[[str], T], text: str) -> T:
    """`parser(text)` once per run, the parser being its own key: equal parsers (a dataclass
    scanner of the same tool and file kind) share one result."""
    return cached(parser, text, parser)
