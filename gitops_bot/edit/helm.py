"""Helm templates: Go-template YAML.

Locate with a small Go-template action lexer (strings, raw strings and `{{/* */}}` comments
handled) and the block tree of `if/range/with/define/block ... end`:
- an `{{- if ... }} ... {{- end }}` block whose condition names the service goes whole;
- the rest is edited as YAML on a *masked* copy of the template (action-only lines blanked,
  inline actions replaced by a same-length placeholder), which keeps every line and column; a
  YAML cut that would cut through a template block is refused.
Verify: blocks still balance, and the masked template still parses where it parsed before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml.error import YAMLError

from .base import EditResult, Refusal, RemovalContext, Unparsable
from .blocks import leading_comments, tidy_cuts
from .splice import Cut, Lines, splice
from . import yaml_file

CHECK = "template blocks balance; masked YAML parses"

_BLOCK_OPENERS = ("if", "range", "with", "define", "block")
_PLACEHOLDER = "x"
# Comment lines in a template: YAML comments and template comments.
_COMMENTS = ("#", "{{/*", "{{- /*")


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
        if kw in _BLOCK_OPENERS:
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
            if a.keyword in _BLOCK_OPENERS:
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


def remove_service(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's blocks, YAML entries and PromQL alternatives from a template."""
    name = ctx.name
    try:
        actions = lex(text)
        tree = blocks(actions)
    except TemplateError as exc:
        raise Unparsable(1, f"template does not parse: {exc}") from exc
    lines = Lines(text, comment=_COMMENTS)
    refused: list[Refusal] = []
    cuts = [c for c in (_guarded_block_cut(text, lines, b, name, refused) for b in tree) if c]
    # A refused block stays whole: nothing inside it may be cut either (half a block is worse).
    kept_blocks = [(b, r) for b in tree for r in refused if r.line == lines.line_of(b.open.start) + 1]
    masked = mask(text, actions)
    masked_parses = True
    try:
        plan = yaml_file.plan_removal(masked, name)
    except YAMLError:
        masked_parses = False
        plan = yaml_file.Plan()
    guarded = list(cuts)
    for cut in plan.cuts:
        if any(cut.span.start < g.span.end and g.span.start < cut.span.end for g in guarded):
            continue  # the guarded block's removal already takes this content
        if _withheld(cut, kept_blocks, lines, refused):
            continue
        if balanced(text[cut.span.start:cut.span.end]):
            cuts.append(cut)
        else:
            refused.append(Refusal(lines.line_of(cut.span.start) + 1,
                                   "the entry spans a template block boundary"))
    cuts.extend(c for c in _line_cuts(text, masked, name, plan, refused)
                if not _withheld(c, kept_blocks, lines, refused))
    refused.extend(r for r in plan.refused if not any(
        lines.line_of(g.span.start) < r.line <= lines.line_of(g.span.end - 1) + 1 for g in guarded))
    try:
        new = splice(text, tidy_cuts(lines, cuts))
    except ValueError as exc:
        return EditResult(text, refused + [Refusal(1, f"conflicting edits: {exc}")])
    problem = verify(new, masked_parses)
    if problem:
        return EditResult(text, refused + [Refusal(1, f"edit refused: {problem}")])
    return EditResult(new, refused, plan.kept_comments)


def _withheld(cut: Cut, kept_blocks, lines: Lines, refused: list[Refusal]) -> bool:
    """True (and the refusal recorded) when `cut` falls inside a block that was refused."""
    for block, refusal in kept_blocks:
        if block.open.start < cut.span.end and cut.span.start < block.close.end:
            refused.append(Refusal(lines.line_of(cut.span.start) + 1,
                                   f"withheld: inside the template block at line {refusal.line}, which was "
                                   f"refused ({refusal.reason})"))
            return True
    return False


_VALUES_PATH_RE = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def values_read(fragment: str) -> tuple[tuple[str, ...], ...]:
    """The `.Values.a.b` paths a template fragment reads."""
    return tuple(dict.fromkeys(tuple(m.group(1)[1:].split(".")) for m in _VALUES_PATH_RE.finditer(fragment)))


def _guarded_block_cut(text: str, lines: Lines, block: Block, name, refused: list[Refusal]) -> Cut | None:
    """The cut that removes a whole `if`/`with` block whose condition names the service, or None
    (with a Refusal, which keeps the block and what it reads, when it cannot go whole)."""
    if block.open.keyword not in ("if", "with") or not _condition_names(block.open.body, name):
        return None
    first = lines.line_of(block.open.start)
    last = lines.line_of(block.close.end - 1)
    where = first + 1
    reads = values_read(text[block.open.start:block.close.end])
    if block.has_else:
        refused.append(Refusal(where, "the block guarded by the service has an else branch", reads))
        return None
    if re.search(r"\b(or|not)\b", block.open.body):
        refused.append(Refusal(where, "the condition combines the service with others", reads))
        return None
    if text[lines.start(first):block.open.start].strip() or text[block.close.end:lines.end(last)].strip():
        refused.append(Refusal(where, "the block shares a line with other content", reads))
        return None
    first = leading_comments(lines, first, lines.indent(first), name.names_in_comment)
    return Cut(lines.span(first, last))


def _condition_names(body: str, name) -> bool:
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", body[2:])
    strings = re.findall(r"\"([^\"]*)\"", body)
    return any(name.addresses(w) for w in words) or any(name.identifies(s) for s in strings)


def _line_cuts(text: str, masked: str, name, plan, refused: list[Refusal]) -> list[Cut]:
    """Scalar line edits, made only on lines without template actions."""
    cuts = []
    original, masked_lines = Lines(text), Lines(masked)
    for cut in yaml_file.scalar_line_cuts(masked, name, plan):
        n = original.line_of(cut.span.start)
        if original.line(n) != masked_lines.line(n):
            refused.append(Refusal(n + 1, "pattern shares a line with a template action"))
            continue
        cuts.append(cut)
    return cuts


def verify(new: str, masked_parsed_before: bool) -> str | None:
    """None when the edited template still balances and (if it did) still parses as YAML."""
    try:
        actions = lex(new)
        blocks(actions)
    except TemplateError as exc:
        return f"template blocks would not balance ({exc})"
    if masked_parsed_before:
        try:
            yaml_file.load_safe(mask(new, actions))
        except YAMLError as exc:
            return f"the template's YAML would not parse ({str(exc).splitlines()[0]})"
    return None
