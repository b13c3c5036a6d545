"""Terraform / HCL: locate with python-hcl2's Lark tree (character offsets), splice, verify.

Removes blocks labelled for the service (`module "pod_identity_video_service"`), attributes and
object entries that name it or point at such a block
(`video_service = module.pod_identity_video_service.role_arn`), and list elements that name it
(`"prod/video-service"`). Verify: the result parses and holds exactly the original top-level
blocks minus the removed ones.
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.domain.names import ServiceName, pointer_matches
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, Unparsable, finish
from gitops_bot.edit.blocks import kept_comment_above, leading_comments
from gitops_bot.parse.hcl import (
    block_key,
    children,
    is_node,
    token_text,
    top_level_blocks,
    walk,
)
from gitops_bot.parse.hcl import parse as parse_hcl
from gitops_bot.text.splice import Cut, Lines, Span

KIND = "hcl"
CHECK = "parses; top-level blocks equal the original minus the removed ones"

_REFERENCE_RE = re.compile(r"\b(?:module|[a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
_COMMENT = ("#", "//")


class _Editor:
    def __init__(self, text: str, name: ServiceName) -> None:
        self.text = text
        self.lines = Lines(text, comment=_COMMENT)
        self.name = name
        self.cuts: list[Cut] = []
        self.refused: list[Refusal] = []
        self.removed_blocks: set[tuple[str, ...]] = set()
        self.kept_comments: list[str] = []

    def run(self, tree) -> None:
        for body in children(tree):
            self._body(body, top=True)

    def _body(self, body, top: bool = False) -> None:
        for node in children(body):
            if is_node(node, "block"):
                self._block(node, top)
            elif is_node(node, "attribute"):
                self._entry(node, token_text(node.children[0]), node.children[-1])

    def _block(self, node, top: bool) -> None:
        labels = block_key(node)
        if any(self.name.labels(label) for label in labels[1:]):
            if self._cut_lines(node):
                if top:
                    self.removed_blocks.add(labels)
            return
        for child in children(node):
            if is_node(child, "body"):
                self._body(child)

    def _entry(self, node, key: str, value) -> None:
        """An attribute or object element: removed when its key names the service or its value
        points at a block made for it; otherwise searched inside."""
        if self.name.labels(key) or self._points_at_service(value):
            self._cut_lines(node)
            return
        self._expression(value)

    def _expression(self, node) -> None:
        for sub in walk(node):
            if is_node(sub, "object"):
                for elem in children(sub):
                    if is_node(elem, "object_elem"):
                        key = token_text(elem.children[0])
                        self._entry(elem, key, elem.children[-1])
                return
            if is_node(sub, "tuple"):
                self._tuple(sub)
                return

    def _tuple(self, node) -> None:
        elems = [c for c in children(node) if is_node(c, "expr_term")]
        doomed = [i for i, e in enumerate(elems) if self._element_is_service(e)]
        if not doomed:
            for e in elems:
                self._expression(e)
            return
        if len(doomed) == len(elems):
            self._refuse(node.meta.start_pos, "the list would become empty")
            return
        kept = [i for i in range(len(elems)) if i not in doomed]
        for i in doomed:
            e = elems[i]
            if self._own_line(e.meta.start_pos, e.meta.end_pos):
                self._cut_lines(e)
            elif any(k > i for k in kept):
                self.cuts.append(Cut(Span(e.meta.start_pos, elems[i + 1].meta.start_pos)))
            else:
                prev = elems[max(k for k in kept if k < i)]
                self.cuts.append(Cut(Span(prev.meta.end_pos, e.meta.end_pos)))

    def _element_is_service(self, elem) -> bool:
        literal = token_text(elem)
        if literal and is_node(elem.children[0], "string"):
            return pointer_matches(self.name, literal)
        return self._points_at_service(elem)

    def _points_at_service(self, value) -> bool:
        if getattr(value, "meta", None) is None or value.meta.empty:
            return False
        source = self.text[value.meta.start_pos:value.meta.end_pos]
        if is_node(value, "expr_term") and value.children and is_node(value.children[0], "string"):
            return False
        refs = _REFERENCE_RE.findall(source)
        return bool(refs) and all(self.name.labels(r) for r in refs) and len(source) < 200 \
            and "\n" not in source

    # -- spans ----------------------------------------------------------------------------
    def _own_line(self, start: int, end: int) -> bool:
        first, last = self.lines.line_of(start), self.lines.line_of(end - 1)
        before = self.text[self.lines.start(first):start]
        after = self.text[end:self.lines.start(last) + len(self.lines.line(last))]
        after = re.sub(r"^\s*,?\s*((#|//).*)?$", "", after)
        return not before.strip() and not after.strip()

    def _cut_lines(self, node) -> bool:
        start, end = node.meta.start_pos, node.meta.end_pos
        if not self._own_line(start, end):
            self._refuse(start, "the entry shares its line with other content")
            return False
        first, last = self.lines.line_of(start), self.lines.line_of(end - 1)
        col = self.lines.indent(first)
        first = leading_comments(self.lines, first, col, self.name.names_in_comment)
        self.kept_comments += kept_comment_above(self.lines, first, col)
        self.cuts.append(Cut(self.lines.span(first, last)))
        return True

    def _refuse(self, offset: int, reason: str) -> None:
        self.refused.append(Refusal(self.lines.line_of(offset) + 1, reason))


def claims(path: str, text: str) -> bool:
    """Terraform and HCL files: `.tf`, `.tfvars`, `.hcl`."""
    return posixpath.splitext(path)[1].lower() in (".tf", ".tfvars", ".hcl")


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's blocks, entries and list elements from an HCL file."""
    try:
        tree = parse_hcl(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unparsable(getattr(exc, "line", 1) or 1, f"HCL does not parse: {problem}") from exc
    editor = _Editor(text, ctx.name)
    editor.run(tree)
    return finish(text, editor.lines, editor.cuts, editor.refused,
                  lambda new: verify(tree, new, editor.removed_blocks), editor.kept_comments)


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` no longer parses where `before` did (the original is parsed only
    when the result fails)."""
    try:
        parse_hcl(after)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
        try:
            parse_hcl(before)
        except Exception:
            return None
        return f"the result would not parse ({str(exc).strip().splitlines()[0]})"
    return None


def verify(old_tree, new: str, removed: set[tuple[str, ...]]) -> str | None:
    """None when `new` parses and holds the old top-level blocks minus the removed ones."""
    try:
        new_tree = parse_hcl(new)
    except Exception as exc:
        return f"the result would not parse ({str(exc).splitlines()[0]})"
    expected = [k for k in top_level_blocks(old_tree) if k not in removed]
    if top_level_blocks(new_tree) != expected:
        return "the result's blocks differ from the intended removal"
    return None


