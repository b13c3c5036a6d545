"""One parse per text per parser within a run.

A run (`engine.run.run_recipe`) opens a `scope()`; inside it, `cached(parser, text, parse)`
parses a text once per parser and hands every later caller the same result. Outside a scope
nothing is kept, so a library caller or a test that parses the same text twice gets two fresh
results, and nothing outlives the run that parsed it.

Results are shared, so they are read-only: a caller that wants to change parsed data copies it
first (yaml_insert deep-copies what it extends). Only results are kept; a text that fails to
parse fails again, at the same cost, the next time it is asked for (the callers that re-parse a
failing text do so only when an edit is being refused, which is rare).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[tuple[str, str], object] | None] = ContextVar("gitops_bot_parse_cache", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Keep parse results until the block ends (nested scopes share the outer one's results)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
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
        return memo[key]  # type: ignore[return-value]
    result = memo[key] = parse(text)
    return result
