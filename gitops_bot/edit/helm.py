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

import posixpath
import re

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.findings import Kind
from gitops_bot.edit import yaml_file
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, Unparsable, finish
from gitops_bot.edit.blocks import leading_comments
from gitops_bot.parse.gotemplate import (
    Block,
    TemplateError,
    balanced,
    blocks,
    lex,
    mask,
)
from gitops_bot.parse.yaml import load_safe
from gitops_bot.text.splice import Cut, Lines

KIND = "helm"
CHECK = "template blocks balance; masked YAML parses"

# Comment lines in a template: YAML comments and template comments.
_COMMENTS = ("#", "{{/*", "{{- /*")


def claims(path: str, text: str) -> bool:
    """Chart templates and `.tpl` files, and any YAML with template actions (ApplicationSet
    templates `{{name}}`, values rendered by another tool)."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix == ".tpl":
        return True
    return suffix in (".yaml", ".yml") and ("/templates/" in "/" + path or "{{" in text)


def remove(text: str, ctx: RemovalContext) -> EditResult:
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
        plan = yaml_file.plan_removal(masked, name, deleted=ctx.deleted_paths)
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
    return finish(text, lines, cuts, refused, lambda new: verify(new, masked_parses), plan.kept_comments)


def _withheld(cut: Cut, kept_blocks, lines: Lines, refused: list[Refusal]) -> bool:
    """True (and the refusal recorded) when `cut` falls inside a block that was refused."""
    for block, refusal in kept_blocks:
        if block.open.start < cut.span.end and cut.span.start < block.close.end:
            refused.append(Refusal(lines.line_of(cut.span.start) + 1,
                                   f"withheld: inside the template block at line {refusal.line}, which was "
                                   f"refused ({refusal.reason})", kind=Kind.WITHHELD))
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
            load_safe(mask(new, actions))
        except YAMLError as exc:
            return f"the template's YAML would not parse ({str(exc).splitlines()[0]})"
    return None


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` breaks what `before` had: balanced blocks, and a masked YAML that
    parses (judged only when the original's did). The original is read only when the result
    fails."""
    problem = verify(after, masked_parsed_before=True)
    if problem is None or verify(before, masked_parsed_before=False) is not None:
        return None  # fine, or its blocks were unbalanced already: not the edit's doing
    if verify(before, masked_parsed_before=True) is None:
        return problem
    return verify(after, masked_parsed_before=False)
