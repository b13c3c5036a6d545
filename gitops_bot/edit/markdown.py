"""Markdown: table rows and list items whose leading term names the service.

Prose stays (the residue report lists it). Code fences are never edited.
Verify: every table keeps a consistent number of columns.
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.edit.base import EditResult, RemovalContext, finish, newly_broken
from gitops_bot.text.splice import Cut, Lines

KIND = "markdown"
CHECK = "table column counts consistent"

_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_ITEM_RE = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")


def _term(text: str) -> str:
    """The leading term of a list item or a cell: `**video-service**: ...` -> video-service."""
    text = text.strip()
    m = re.match(r"^\[([^\]]+)\]\([^)]*\)", text)
    if m:
        text = m.group(1)
    text = re.split(r"[:(–—]| - ", text, maxsplit=1)[0]
    return text.strip().strip("*_`").strip()


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def claims(path: str, text: str) -> bool:
    """`*.md` and `*.markdown`."""
    return posixpath.splitext(path)[1].lower() in (".md", ".markdown")


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove table rows and list items whose leading term is the service."""
    name = ctx.name
    lines = Lines(text, comment="<!--")
    after_separator = _after_separator(lines)
    cuts: list[Cut] = []
    fenced = False
    for n in range(len(lines)):
        line = lines.line(n)
        if _FENCE_RE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if _ROW_RE.match(line) and not _SEPARATOR_RE.match(line):
            if n > 0 and _SEPARATOR_RE.match(lines.line(n - 1)) or after_separator[n]:
                if name.owns(_term(_cells(line)[0])):
                    cuts.append(Cut(lines.span(n, n)))
            continue
        item = _ITEM_RE.match(line)
        if item and name.owns(_term(item.group(3))):
            last = n
            while last + 1 < len(lines) and lines.line(last + 1).strip() and \
                    lines.indent(last + 1) > len(item.group(1)) and not _ITEM_RE.match(lines.line(last + 1)):
                last += 1
            cuts.append(Cut(lines.span(n, last)))
    return finish(text, lines, cuts, [], verify)


def still_valid(before: str, after: str) -> str | None:
    """None unless a table whose rows agreed on their column count no longer does."""
    return newly_broken(verify, before, after)


def _after_separator(lines: Lines) -> list[bool]:
    """For each line, whether the unbroken run of table rows directly above it holds a
    separator row (`|---|---|`): one forward pass, where walking back from every row made a
    long table quadratic (3 s for 2,000 rows). Fences are not looked at, as before."""
    flags = []
    seen = False  # a separator in the run of rows that ends on the previous line
    for n in range(len(lines)):
        flags.append(seen)
        line = lines.line(n)
        seen = bool(_ROW_RE.match(line)) and (seen or bool(_SEPARATOR_RE.match(line)))
    return flags


def _table_shapes(text: str) -> list[list[int]]:
    tables: list[list[int]] = []
    previous_row = False
    for line in text.splitlines():
        if _ROW_RE.match(line):
            if not previous_row:
                tables.append([])
            tables[-1].append(len(_cells(line)))
            previous_row = True
        else:
            previous_row = False
    return tables


def verify(new: str) -> str | None:
    """None when every table's rows have as many columns as its header."""
    for table in _table_shapes(new):
        if len(set(table)) > 1:
            return "a table's rows would have different numbers of columns"
    return None
