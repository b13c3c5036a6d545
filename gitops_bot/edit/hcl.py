"""Terraform / HCL: locate with python-hcl2's Lark tree (character offsets), splice, verify.

Removes blocks labelled for the service (`module "pod_identity_video_service"`), attributes and
object entries that name it or point at such a block
(`video_service = module.pod_identity_video_service.role_arn`), and list elements that name it
(`"prod/video-service"`). Verify: the result parses and holds exactly the original top-level
blocks minus the removed ones (parsing only the top-level items the edit changed, when that is
enough: see `verify_cuts`).
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.domain.names import ServiceName, pointer_matches
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, Unparsable, finish, newly_broken
from gitops_bot.edit.blocks import kept_comment_above, leading_comments, tidy_cuts
from gitops_bot.parse.hcl import (
    block_key,
    children,
    is_node,
    token_text,
    top_level_blocks,
    walk,
)
from gitops_bot.parse.hcl import parse as parse_hcl
from gitops_bot.text.splice import Cut, Lines, Span, splice

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
                  lambda new: verify_cuts(text, tree, tidy_cuts(editor.lines, editor.cuts), new,
                                          editor.removed_blocks), editor.kept_comments)


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` no longer parses where `before` did."""
    return newly_broken(_parse_problem, before, after)


def _parse_problem(text: str) -> str | None:
    try:
        parse_hcl(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
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


# -- targeted verification ---------------------------------------------------------------
# python-hcl2 parses ~50-70 kB/s: re-parsing a whole 7 kB file to verify the removal of one of
# its thirty blocks costs 0.1 s. A file's top level is a sequence of items (blocks and
# attributes) with stretches of blank lines and comments between them, and the grammar's body
# is any such sequence (`body: (new_line_or_comment? (attribute | block))* ...`). So when every
# cut lies inside one item, inside one stretch, or takes whole items, and the stretches are
# still blanks and comments, the result parses exactly when each changed item parses on its
# own; an untouched item parses as it did.
def verify_cuts(old: str, old_tree, cuts: list[Cut], new: str, removed: set[tuple[str, ...]]) -> str | None:
    """`verify(old_tree, new, removed)`, parsing only the top-level items the cuts changed when
    that is enough to say the result is right. Whenever it is not (a cut across an item's edge,
    a `/* */` comment between items, an item sharing a line, a changed item that does not parse
    alone as one item of its kind, blocks that differ), the whole result is parsed and judged
    as `verify` judges it, so the verdict and its message are always `verify`'s."""
    pieces = _changed_pieces(old, old_tree, cuts, new)
    if pieces is None:
        return verify(old_tree, new, removed)
    keys = []
    for item, piece in pieces:
        if piece is not None:
            try:
                alone = _items(parse_hcl(piece))
            except Exception:  # python-hcl2 raises lark errors of several types
                return verify(old_tree, new, removed)
            if len(alone) != 1 or alone[0].data != item.data:
                return verify(old_tree, new, removed)
            item = alone[0]
        if is_node(item, "block"):
            keys.append(block_key(item))
    if keys != [k for k in top_level_blocks(old_tree) if k not in removed]:
        return verify(old_tree, new, removed)
    return None


def _items(tree) -> list:
    """The top-level blocks and attributes of a tree, in order."""
    return [n for body in children(tree) for n in children(body) if is_node(n, "block") or is_node(n, "attribute")]


def _changed_pieces(old: str, old_tree, cuts: list[Cut], new: str) -> list[tuple] | None:
    """(item, None) for each untouched item that stays and (item, its new text) for each changed
    one, in order; None when the cuts or the layout do not fit the rules above."""
    extents = _extents(old, old_tree)
    if extents is None:
        return None
    bounds = [0] + [b for _, start, end in extents for b in (start, end)] + [len(old)]
    segments = []
    for k in range(len(bounds) - 1):
        a, b = bounds[k], bounds[k + 1]
        local = []
        for cut in cuts:
            s, e = max(cut.span.start, a), min(cut.span.end, b)
            if s < e or (s == e == cut.span.start == cut.span.end and a <= s < b):
                if cut.replacement and (cut.span.start < a or cut.span.end > b):
                    return None  # a replacement across a boundary
                local.append(Cut(Span(s - a, e - a), cut.replacement))
        segments.append(splice(old[a:b], local) if local else old[a:b])
    if "".join(segments) != new:
        return None  # the cuts given are not the ones that made `new`
    pieces = []
    for k, (item, start, end) in enumerate(extents):
        gap_before, text = segments[2 * k], segments[2 * k + 1]
        if not _blank_or_comments(gap_before) or (gap_before and not gap_before.endswith("\n")) \
                or (text and not text.endswith("\n") and k < len(extents) - 1):
            return None  # a piece that would run into the next one
        if text == old[start:end]:
            pieces.append((item, None))
        elif text:
            if any(cut.span.start < start < cut.span.end or cut.span.start < end < cut.span.end for cut in cuts):
                return None  # partly cut by a cut that reaches outside the item
            pieces.append((item, text))
        elif not any(cut.span.start <= start and end <= cut.span.end for cut in cuts):
            return None  # emptied by cuts inside it, not taken whole
    return pieces if _blank_or_comments(segments[-1]) else None


def _extents(old: str, old_tree) -> list[tuple] | None:
    """(item, first offset, end offset) of each top-level item, as whole lines; None when an
    item shares a line with anything but a trailing comment."""
    lines = Lines(old)
    extents: list[tuple] = []
    for item in _items(old_tree):
        start = lines.start(lines.line_of(item.meta.start_pos))
        end = lines.end(lines.line_of(item.meta.end_pos - 1))
        head, tail = old[start:item.meta.start_pos], old[item.meta.end_pos:end].strip()
        if head.strip() or (tail and not tail.startswith(("#", "//"))) or (extents and start < extents[-1][2]):
            return None
        extents.append((item, start, end))
    return extents


def _blank_or_comments(text: str) -> bool:
    """Only blank lines and `#`/`//` comment lines (a `/* */` comment could hide a cut in it)."""
    return "/*" not in text and all(not line.strip() or line.lstrip().startswith(("#", "//"))
                                    for line in text.split("\n"))
