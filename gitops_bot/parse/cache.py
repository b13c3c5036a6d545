"""One parse per text per parser within a run.

A run (`engine.run.run_recipe`) opens a `scope()`; inside it, `cached(parser, text, parse)`
parses a text once per parser and hands every later caller the same result. Outside a scope
nothing is kept, so a library caller or a test that parses the same text twice gets two fresh
results, and nothing outlives the run that parsed it.

Results are shared, so they are read-only: a caller that wants to change parsed data copies it
first (yaml_insert deep-copies what it extends). Only results are kept; a text that fails to
parse fails again, at the same cost, the next time it is asked for (the callers that re-parse a
failing text do so only when an edit is being refused, which is rare).

Memory: parse trees are several times their text, and a run that edits many files would keep
them all. Once the texts kept pass BUDGET characters, the least recently used results go (a
remove-service run on a 1,200-file platform tree keeps ~0.4 M characters, ~3.5 MB of trees).
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")

BUDGET = 4_000_000  # characters of parsed text whose results a run keeps


class _Memo(OrderedDict):
    """Results by (parser, text), least recently used first, with the characters they hold."""

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


def cached(parser: str, text: str, parse: Callable[[str], T]) -> T:
    """`parse(text)`, computed once per (parser, text) in the current scope."""
    memo = _memo.get()
    if memo is None:
        return parse(text)
    key = (parser, text)
    if key in memo:
        memo.move_to_end(key)
        return memo[key]  # type: ignore[return-value]
    result = memo[key] = parse(text)
    memo.chars += len(text)
    while memo.chars > BUDGET and len(memo) > 1:
        (_, old), _ = memo.popitem(last=False)
        memo.chars -= len(old)
    return result
