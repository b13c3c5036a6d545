"""Helm templates: Go-template YAML.

Locate with a small Go-template action lexer (strings, raw strings and `{{/* */}}` comments
handled) and the block tree of `if/range/with/define/block ... end`:
- an `{{- if ... }} ... {{- end }}` block whose condition names the service goes whole; with
  the run's `switch` (on/off) an `if` on the service's switch alone is settled instead: the branch
  the switch now always takes stays as it is, the action lines and the other branch go;
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
from gitops_bot.text.splice import Cut, Lines, Span

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


def _unmasked(text: str, masked: str, span: Span) -> bool:
    """Whether the lines a cut touches hold no template action (masking left them as written)."""
    start, end = text.rfind("\n", 0, span.start) + 1, text.find("\n", span.end)
    end = len(text) if end < 0 else end
    return text[start:end] == masked[start:end]


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
    notes: list[tuple[int, str]] = []
    cuts = [c for b in tree for c in _guarded_block_cuts(text, lines, b, ctx, refused, notes)]
    # A refused block stays whole: nothing inside it may be cut either (half a block is worse).
    kept_blocks = [(b, r) for b in tree for r in refused if r.line == lines.line_of(b.open.start) + 1]
    masked = mask(text, actions)
    masked_parses = True
    try:
        plan = yaml_file.plan_removal(masked, name, deleted=ctx.deleted_paths, secrets=ctx.secrets_removed_here(),
                                      leftovers=ctx.leftovers)
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
    # comments are YAML's, around the actions: a history line or an enumeration naming it goes
    # as in plain YAML (`# ... (forgejo, temporal)` above an ExternalSecret's templated key)
    cuts.extend(c for c in yaml_file.history_comment_cuts(masked, name)
                + yaml_file.comment_enumeration_cuts(masked, name, ctx.peers)
                if _unmasked(text, masked, c.span) and not any(c.span.overlaps(k.span) for k in cuts)
                and not _withheld(c, kept_blocks, lines, refused))
    refused.extend(r for r in plan.refused if not any(
        lines.line_of(g.span.start) < r.line <= lines.line_of(g.span.end - 1) + 1 for g in guarded))
    result = finish(text, lines, cuts, refused, lambda new: verify(new, masked_parses), plan.kept_comments)
    if result.text != text:
        result.notes = notes
    return result


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


def _guarded_block_cuts(text: str, lines: Lines, block: Block, ctx: RemovalContext,
                        refused: list[Refusal], notes: list[tuple[int, str]]) -> list[Cut]:
    """The cuts that settle an `if`/`with` block whose condition names the service: the whole
    block, or (with `ctx.switch`) the action lines and the branch that does not survive. No cuts
    (and a Refusal, which keeps the block and what it reads) when it cannot be settled."""
    if block.open.keyword not in ("if", "with") or not _condition_names(block.open.body, ctx.name):
        return []
    where = lines.line_of(block.open.start) + 1
    reads = values_read(text[block.open.start:block.close.end])
    alone = _SWITCH_RE.fullmatch(block.open.body) if block.open.keyword == "if" else None
    if alone and ctx.switch:
        return _settled_switch(lines, block, ctx, alone.group(1) is None, refused, reads, notes)
    if ctx.switch == "on" or (ctx.switch and block.has_else):
        refused.append(Refusal(where, f"switch={ctx.switch} settles only `if .Values.<switch>` (or `if not`); "
                                      "this condition is more than the service's switch", reads))
        return []
    if block.has_else:
        hint = " (switch=on or switch=off says which branch stays)" if alone else ""
        refused.append(Refusal(where, f"the block guarded by the service has an else branch{hint}", reads))
        return []
    if re.search(r"\b(or|not)\b", block.open.body):
        refused.append(Refusal(where, "the condition combines the service with others", reads))
        return []
    return _whole_block_cut(text, lines, block, ctx.name, refused, reads)


# `if .Values.a.b` or `if not .Values.a.b`: a condition that is one switch and nothing else.
_SWITCH_RE = re.compile(r"if\s+(not\s+)?\$?\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _settled_switch(lines: Lines, block: Block, ctx: RemovalContext, positive: bool,
                    refused: list[Refusal], reads, notes: list[tuple[int, str]]) -> list[Cut]:
    """An `if` on the service's switch settled by `switch=on|off`: the branch the switch takes
    stays (its lines as they are), the `if`/`else`/`end` lines and the other branch go. A line
    kept that deploys an image variant of the removed component goes to `notes` (for review)."""
    where = lines.line_of(block.open.start) + 1
    if any(e.body != "else" for e in block.elses):
        refused.append(Refusal(where, "an `else if` chain on the service's switch: settle it by hand", reads))
        return []
    actions = (block.open, *block.elses, block.close)
    if not all(_alone_on_line(lines, a) for a in actions):
        refused.append(Refusal(where, "the block shares a line with other content", reads))
        return []
    first, last = lines.line_of(block.open.start), lines.line_of(block.close.end - 1)
    middle = lines.line_of(block.elses[0].start) if block.elses else None
    keep_if = positive == (ctx.switch == "on")  # the `if` branch is what the switch now always does
    variant = _variant_of_other(lines, block, ctx) if keep_if and middle is not None else None
    if variant:  # that branch only deploys the removed component's image variant: the plain image stays
        suffix, source = variant
        notes.append((lines.line_of(block.elses[0].end - 1) + 2,  # the plain image line, 1-based
                      f"switch={ctx.switch} keeps the plain image: the image variant -{suffix}, which the removed "
                      f"component set ({source}), is no longer deployed here"))
        return [Cut(lines.span(first, lines.line_of(block.elses[0].end - 1))),
                Cut(lines.span(lines.line_of(block.close.start), last))]
    if keep_if:
        kept_at, kept = block.open.end, lines.text[block.open.end:(block.elses or (block.close,))[0].start]
        cuts = [Cut(lines.span(first, lines.line_of(block.open.end - 1))),
                Cut(lines.span(last if middle is None else middle, last))]
    elif middle is not None:  # the `else` branch stays
        kept_at, kept = block.elses[0].end, lines.text[block.elses[0].end:block.close.start]
        cuts = [Cut(lines.span(first, lines.line_of(block.elses[0].end - 1))),
                Cut(lines.span(lines.line_of(block.close.start), last))]
    else:
        return _whole_block_cut(lines.text, lines, block, ctx.name, refused, reads)
    for suffix, source in ctx.image_variants:
        for m in re.finditer(r"-" + re.escape(suffix) + r"(?![\w.-])", kept):
            notes.append((lines.line_of(kept_at + m.start()) + 1,
                          f"switch={ctx.switch} kept the image variant -{suffix}, which the removed component set "
                          f"({source}): check that it is still built"))
    return cuts


def _variant_of_other(lines: Lines, block: Block, ctx: RemovalContext) -> tuple[str, str] | None:
    """The image variant (suffix, file that set it) when the `if` branch of a settled switch is
    the `else` branch plus `-<suffix>` of an image variant the removed component set, and
    nothing else: the variant is that component's artifact, the plain image the one always built."""
    if_text = lines.text[block.open.end:block.elses[0].start]
    else_text = lines.text[block.elses[0].end:block.close.start]
    for suffix, source in ctx.image_variants:
        plain, n = re.subn(r"-" + re.escape(suffix) + r"(?![\w.-])", "", if_text)
        if n and plain == else_text:
            return suffix, source
    return None


def _alone_on_line(lines: Lines, action) -> bool:
    """True when nothing but blanks shares the lines of a template action."""
    first, last = lines.line_of(action.start), lines.line_of(action.end - 1)
    return not (lines.text[lines.start(first):action.start].strip() or lines.text[action.end:lines.end(last)].strip())


def _whole_block_cut(text: str, lines: Lines, block: Block, name, refused: list[Refusal], reads) -> list[Cut]:
    """The whole block, with a comment above it that names the service."""
    first = lines.line_of(block.open.start)
    last = lines.line_of(block.close.end - 1)
    if text[lines.start(first):block.open.start].strip() or text[block.close.end:lines.end(last)].strip():
        refused.append(Refusal(first + 1, "the block shares a line with other content", reads))
        return []
    first = leading_comments(lines, first, lines.indent(first), name.names_in_comment)
    return [Cut(lines.span(first, last))]


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
