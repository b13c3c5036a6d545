"""Go templates (Helm) for locating and checking: a small action lexer that minds strings and
`{{/* */}}` comments, the block tree of `if/range/with/define/block ... end`, and a masked copy
of the template with the same line geometry whose YAML can be parsed."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

BLOCK_OPENERS = ("if", "range", "with", "define", "block")
_PLACEHOLDER = "x"
_NEWLINE_RE = re.compile("\n")


class TemplateError(ValueError):
    """The template's actions or blocks do not balance."""


@dataclass(frozen=True)
class Action:
    """One `{{ ... }}` action: its span and its keyword (if, end, else, comment, ...)."""

    start: int
    end: int
    body: str

    @property
    def keyword(self) -> str:
        if self.body.startswith("/*"):
            return "comment"
        word = self.body.split(None, 1)[0] if self.body else ""
        return word


def lex(text: str) -> list[Action]:
    """Every action in `text`, in order; raises TemplateError when one is unterminated."""
    actions = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return actions
        end = _action_end(text, start)
        inner = text[start + 2:end - 2]
        inner = inner[1:] if inner.startswith("-") else inner
        inner = inner[:-1] if inner.endswith("-") else inner
        actions.append(Action(start, end, inner.strip()))
        pos = end


def _action_end(text: str, start: int) -> int:
    i = start + 2
    comment = text[i:i + 4].lstrip("- ").startswith("/*")
    if comment:
        close = text.find("*/", i)
        if close < 0:
            raise TemplateError(f"unterminated template comment at offset {start}")
        i = close + 2
    while i < len(text) - 1:
        ch = text[i]
        if ch in "\"'`":
            i = _string_end(text, i)
            continue
        if text.startswith("}}", i):
            return i + 2
        i += 1
    raise TemplateError(f"unterminated template action at offset {start}")


def _string_end(text: str, i: int) -> int:
    quote = text[i]
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and quote != "`":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        if text[j] == "\n" and quote != "`":
            break
        j += 1
    raise TemplateError(f"unterminated string in template action at offset {i}")


@dataclass
class Block:
    """An `if/range/with/define/block` action and its matching `end`, with its own `else`
    actions (`else` and `else if ...`, in order; not those of nested blocks)."""

    open: Action
    close: Action
    has_else: bool
    elses: tuple[Action, ...] = ()


def blocks(actions: list[Action]) -> list[Block]:
    """The block tree flattened; raises TemplateError when blocks do not balance."""
    stack: list[tuple[Action, list[Action]]] = []
    found = []
    for action in actions:
        kw = action.keyword
        if kw in BLOCK_OPENERS:
            stack.append((action, []))
        elif kw == "else":
            if not stack:
                raise TemplateError("`else` outside a block")
            stack[-1][1].append(action)
        elif kw == "end":
            if not stack:
                raise TemplateError("`end` without a block")
            opener, elses = stack.pop()
            found.append(Block(opener, action, bool(elses), tuple(elses)))
    if stack:
        raise TemplateError(f"`{stack[-1][0].keyword}` block is never closed")
    return found


def mask(text: str, actions: list[Action]) -> str:
    """The template with actions masked, same length and line geometry as `text`: an action
    whose lines hold nothing but actions and blanks becomes spaces (the line reads as blank),
    any other action becomes placeholder characters (the line keeps a value). Newlines inside
    an action stay. `actions` are `lex(text)`'s, in order; linear in the text and the actions."""
    starts = _line_starts(text)
    content = _lines_with_content(text, starts, actions)
    out = []
    pos = 0
    for a in actions:
        first, last = bisect_right(starts, a.start) - 1, bisect_right(starts, a.end - 1) - 1
        fill = _PLACEHOLDER if any(content[first:last + 1]) else " "
        out.append(text[pos:a.start])
        out.append("\n".join(fill * len(part) for part in text[a.start:a.end].split("\n")))
        pos = a.end
    out.append(text[pos:])
    return "".join(out)


def _line_starts(text: str) -> list[int]:
    """Offsets where lines start (as text.splice.Lines counts them: after each newline, with no
    empty last line after a final newline)."""
    starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(text)]
    if len(starts) > 1 and starts[-1] == len(text):
        starts.pop()
    return starts


def _lines_with_content(text: str, starts: list[int], actions: list[Action]) -> list[bool]:
    """For each line, whether it holds something other than blanks outside every action. Each
    stretch of text between two actions is visited once, line by line."""
    content = [False] * len(starts)
    gaps = zip([0] + [a.end for a in actions], [a.start for a in actions] + [len(text)])
    for start, end in gaps:
        if start >= end or text[start:end].isspace():
            continue
        n = bisect_right(starts, start) - 1
        while n < len(starts) and starts[n] < end:
            line_end = starts[n + 1] if n + 1 < len(starts) else len(text)
            if not content[n] and text[max(start, starts[n]):min(end, line_end)].strip():
                content[n] = True
            n += 1
    return content


def balanced(fragment: str) -> bool:
    """True when the actions in a removed fragment open and close blocks in pairs."""
    try:
        depth = 0
        for a in lex(fragment):
            if a.keyword in BLOCK_OPENERS:
                depth += 1
            elif a.keyword == "end":
                depth -= 1
                if depth < 0:
                    return False
            elif a.keyword == "else" and depth == 0:
                return False
        return depth == 0
    except TemplateError:
        return False


