"""Terraform / HCL: locate with python-hcl2's Lark tree (character offsets), splice, verify.

Removes blocks labelled for the service (`module "pod_identity_video_service"`), attributes and
object entries that name it or point at such a block
(`video_service = module.pod_identity_video_service.role_arn`), and list elements that name it
(`"prod/video-service"`). Verify: the result parses and holds exactly the original top-level
blocks minus the removed ones.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..refs import ServiceName
from .base import EditResult, Refusal, RemovalContext, Unparsable
from .blocks import kept_comment_above, leading_comments, tidy_cuts
from .splice import Cut, Lines, Span, splice
from .yaml_file import pointer_matches

CHECK = "parses; top-level blocks equal the original minus the removed ones"

_REFERENCE_RE = re.compile(r"\b(?:module|[a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
_COMMENT = ("#", "//")


def _parse(text: str):
    import hcl2  # imported here: its grammar loads in ~0.15 s and most runs edit no HCL

    return hcl2.parses_to_tree(text)


def _children(node) -> list:
    return getattr(node, "children", [])


def _is(node, kind: str) -> bool:
    return getattr(node, "data", None) == kind


def _token_text(node) -> str:
    """The literal text of an identifier or a plain string node."""
    if _is(node, "identifier"):
        return str(node.children[0])
    if _is(node, "string"):
        return "".join(str(t) for p in node.children if _is(p, "string_part") for t in p.children)
    if _is(node, "expr_term") or _is(node, "object_elem_key"):
        return _token_text(node.children[0]) if node.children else ""
    return ""


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
        for body in _children(tree):
            self._body(body, top=True)

    def _body(self, body, top: bool = False) -> None:
        for node in _children(body):
            if _is(node, "block"):
                self._block(node, top)
            elif _is(node, "attribute"):
                self._entry(node, _token_text(node.children[0]), node.children[-1])

    def _block(self, node, top: bool) -> None:
        labels = block_key(node)
        if any(self.name.labels(label) for label in labels[1:]):
            if self._cut_lines(node):
                if top:
                    self.removed_blocks.add(labels)
            return
        for child in _children(node):
            if _is(child, "body"):
                self._body(child)

    def _entry(self, node, key: str, value) -> None:
        """An attribute or object element: removed when its key names the service or its value
        points at a block made for it; otherwise searched inside."""
        if self.name.labels(key) or self._points_at_service(value):
            self._cut_lines(node)
            return
        self._expression(value)

    def _expression(self, node) -> None:
        for sub in _walk(node):
            if _is(sub, "object"):
                for elem in _children(sub):
                    if _is(elem, "object_elem"):
                        key = _token_text(elem.children[0])
                        self._entry(elem, key, elem.children[-1])
                return
            if _is(sub, "tuple"):
                self._tuple(sub)
                return

    def _tuple(self, node) -> None:
        elems = [c for c in _children(node) if _is(c, "expr_term")]
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
        literal = _token_text(elem)
        if literal and _is(elem.children[0], "string"):
            return pointer_matches(self.name, literal)
        return self._points_at_service(elem)

    def _points_at_service(self, value) -> bool:
        if getattr(value, "meta", None) is None or value.meta.empty:
            return False
        source = self.text[value.meta.start_pos:value.meta.end_pos]
        if _is(value, "expr_term") and value.children and _is(value.children[0], "string"):
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


def _walk(node) -> Iterator:
    """Pre-order walk that stops at nested objects and tuples (the caller handles those)."""
    yield node
    if _is(node, "object") or _is(node, "tuple"):
        return
    for child in _children(node):
        if hasattr(child, "data"):
            yield from _walk(child)


def block_key(node) -> tuple[str, ...]:
    """A block's type and labels: ('module', 'pod_identity_video_service')."""
    key = []
    for child in _children(node):
        if _is(child, "identifier") or _is(child, "string"):
            key.append(_token_text(child))
        elif _is(child, "body"):
            break
    return tuple(key)


def top_level_blocks(tree) -> list[tuple[str, ...]]:
    return [block_key(n) for body in _children(tree) for n in _children(body) if _is(n, "block")]


def remove_service(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's blocks, entries and list elements from an HCL file."""
    try:
        tree = _parse(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unparsable(getattr(exc, "line", 1) or 1, f"HCL does not parse: {problem}") from exc
    editor = _Editor(text, ctx.name)
    editor.run(tree)
    try:
        new = splice(text, tidy_cuts(editor.lines, editor.cuts))
    except ValueError as exc:
        return EditResult(text, editor.refused + [Refusal(1, f"conflicting edits: {exc}")])
    if new != text:
        problem = verify(tree, new, editor.removed_blocks)
        if problem:
            return EditResult(text, editor.refused + [Refusal(1, f"edit refused: {problem}")])
    return EditResult(new, editor.refused, editor.kept_comments)


def verify(old_tree, new: str, removed: set[tuple[str, ...]]) -> str | None:
    """None when `new` parses and holds the old top-level blocks minus the removed ones."""
    try:
        new_tree = _parse(new)
    except Exception as exc:
        return f"the result would not parse ({str(exc).splitlines()[0]})"
    expected = [k for k in top_level_blocks(old_tree) if k not in removed]
    if top_level_blocks(new_tree) != expected:
        return "the result's blocks differ from the intended removal"
    return None


def helm_release_versions(text: str) -> list[tuple[str | None, str | None, str, int, int]]:
    """(repository, chart, version, start, end) for each `resource "helm_release"` with a
    literal `version`; start/end span the version text inside its quotes."""
    found = []
    for body in _children(_parse(text)):
        for node in _children(body):
            if not _is(node, "block") or block_key(node)[:2] != ("resource", "helm_release"):
                continue
            attrs = {}
            for child in _children(node):
                if _is(child, "body"):
                    for attr in _children(child):
                        if _is(attr, "attribute"):
                            attrs[_token_text(attr.children[0])] = attr.children[-1]
            version = attrs.get("version")
            parts = _string_parts(version) if version is not None else []
            if len(parts) == 1:
                part = parts[0]
                found.append((_literal(attrs.get("repository")), _literal(attrs.get("chart")),
                              "".join(str(t) for t in part.children), part.meta.start_pos, part.meta.end_pos))
    return found


def helm_releases_without_version(text: str) -> list[tuple[str, str | None, str | None, int]]:
    """(name, repository, chart, line) of each `helm_release` that sets no version."""
    found = []
    for body in _children(_parse(text)):
        for node in _children(body):
            key = block_key(node) if _is(node, "block") else ()
            if key[:2] != ("resource", "helm_release"):
                continue
            attrs = {_token_text(a.children[0]): a.children[-1]
                     for child in _children(node) if _is(child, "body")
                     for a in _children(child) if _is(a, "attribute")}
            if "version" not in attrs:
                line = text.count("\n", 0, node.meta.start_pos) + 1
                found.append((key[2] if len(key) > 2 else "", _literal(attrs.get("repository")),
                              _literal(attrs.get("chart")), line))
    return found


def _string_parts(expr) -> list:
    """The string_part nodes of a plain string literal expression (none for interpolations)."""
    node = expr.children[0] if _is(expr, "expr_term") and expr.children else expr
    if not _is(node, "string"):
        return []
    parts = [c for c in _children(node) if _is(c, "string_part")]
    return parts if all(len(p.children) == 1 and getattr(p.children[0], "type", "") == "STRING_CHARS"
                        for p in parts) else []


def _literal(expr) -> str | None:
    if expr is None:
        return None
    node = expr.children[0] if _is(expr, "expr_term") and expr.children else expr
    return _token_text(node) if _is(node, "string") else None
