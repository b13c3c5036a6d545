"""Go templates (Helm) for locating and checking: a small action lexer that minds strings and
`{{/* */}}` comments, the block tree of `if/range/with/define/block ... end`, and a masked copy
of the template with the same line geometry whose YAML can be parsed."""

from __future__ import annotations

from dataclasses import dataclass

from gitops_bot.text.splice import Lines

BLOCK_OPENERS = ("if", "range", "with", "define", "block")
_PLACEHOLDER = "x"


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
    """An `if/range/with/define/block` action and its matching `end`, with any `else`."""

    open: Action
    close: Action
    has_else: bool


def blocks(actions: list[Action]) -> list[Block]:
    """The block tree flattened; raises TemplateError when blocks do not balance."""
    stack: list[tuple[Action, bool]] = []
    found = []
    for action in actions:
        kw = action.keyword
        if kw in BLOCK_OPENERS:
            stack.append((action, False))
        elif kw == "else":
            if not stack:
                raise TemplateError("`else` outside a block")
            stack[-1] = (stack[-1][0], True)
        elif kw == "end":
            if not stack:
                raise TemplateError("`end` without a block")
            opener, has_else = stack.pop()
            found.append(Block(opener, action, has_else))
    if stack:
        raise TemplateError(f"`{stack[-1][0].keyword}` block is never closed")
    return found


def mask(text: str, actions: list[Action]) -> str:
    """The template with actions masked, same length and line geometry as `text`."""
    chars = list(text)
    lines = Lines(text)
    for a in actions:
        first, last = lines.line_of(a.start), lines.line_of(a.end - 1)
        alone = _only_actions(text, lines, first, last, actions)
        for i in range(a.start, a.end):
            if chars[i] != "\n":
                chars[i] = " " if alone else _PLACEHOLDER
    return "".join(chars)


def _only_actions(text: str, lines: Lines, first: int, last: int, actions: list[Action]) -> bool:
    span_start, span_end = lines.start(first), lines.end(last)
    rest = list(text[span_start:span_end])
    for a in actions:
        if a.end > span_start and a.start < span_end:
            for i in range(max(a.start, span_start), min(a.end, span_end)):
                rest[i - span_start] = " "
    return not "".join(rest).strip()


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


