"""Markdown: what a careful human removes with a service, and nothing else.

- terraform-docs rows of the variables, outputs and modules the run removed from the module the
  page documents (`RemovalContext.undeclared`);
- table rows and list items whose leading term names the service (a task-list item `- [x] video`
  too), each list item with the lines and nested items indented under it;
- HTML table rows (`<tr>` ... `</tr>` on lines of their own) whose first cell with text names it;
- a heading section (`# video-service` down to the next heading of the same or a higher level)
  whose heading is the service's name; a section that would be the whole document is refused.

Prose stays (the residue report lists it). Code fences are never edited.
Verify: every table keeps a consistent number of columns.
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.domain.names import ServiceName
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish, newly_broken
from gitops_bot.edit.blocks import tidy_blank_lines
from gitops_bot.text.splice import Cut, Lines, Span

KIND = "markdown"
CHECK = "table column counts consistent"

_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
# A delimiter row: `|---|:--:|`, or with single dashes when the pipes frame it (`| - | - |`,
# which GitHub renders too).
_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$|^\s*\|(\s*:?-+:?\s*\|)+\s*$")
_ITEM_RE = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)(\s+#+)?\s*$")
_TASK_RE = re.compile(r"^\[[ xX]\]\s+")
_TAG_RE = re.compile(r"<[^>]*>")
_ANCHOR_RE = re.compile(r"^<a\s+name=\"[^\"]*\"\s*>\s*</a>")
_PATH_CELL_RE = re.compile(r"^`?[\w.-]*(/[\w.-]+)+/?`?$")  # `./modules/x`, apps/x/upstream
_CELL_RE = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.IGNORECASE)
_TFDOCS_ANCHOR_RE = re.compile(r'^\s*\|\s*<a name="((?:input|output|module)_[\w-]+)"></a>')
_MAX_HTML_ROW = 20  # lines; a longer `<tr>` block is not a row of a simple table


def _term(text: str) -> str:
    """The leading term of a list item or a cell: `**video-service**: ...` -> video-service; an
    empty HTML anchor before it and Markdown escapes in it are dropped (terraform-docs writes
    `<a name="module_video_service"></a> [video\\_service](#module\\_video\\_service)`)."""
    text = _ANCHOR_RE.sub("", _TASK_RE.sub("", text.strip())).strip()
    text = text.replace("\\_", "_")
    m = re.match(r"^\[([^\]]+)\]\([^)]*\)", text)
    if m:
        text = m.group(1)
    text = re.split(r"[:(–—]| - ", text, maxsplit=1)[0]
    return text.strip().strip("*_`").strip()


def _is_service(term: str, name: ServiceName) -> bool:
    """The term is the service: one of its own identifiers, or its name written as prose spells
    it (`MetalLB`, `KFServing`, `Video Service`), compared without case and separators."""
    if name.owns(term):
        return True
    return bool(term) and re.sub(r"[-_ ]", "", term).lower() == "".join(name.tokens)


def _row_is_service(cells: list[str], name: ServiceName) -> bool:
    """A table row about the service: its first cell's term is the service, or a cell is only a
    path into the service (terraform-docs' Source column, `./modules/video-service`)."""
    if _is_service(_term(cells[0]), name):
        return True
    return any(_PATH_CELL_RE.match(c) and name.in_path(c.strip("`")) for c in cells[1:])


def _undeclared_row(row: str, undeclared: frozenset[str]) -> bool:
    """A terraform-docs row (`| <a name="input_x"></a> [x](#input\\_x) | ...`) of a variable,
    output or module the run removed from the module the page documents."""
    m = _TFDOCS_ANCHOR_RE.match(row)
    return bool(m and m.group(1) in undeclared)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def claims(path: str, text: str) -> bool:
    """`*.md` and `*.markdown`."""
    return posixpath.splitext(path)[1].lower() in (".md", ".markdown")


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's table rows, list items, HTML table rows and heading section."""
    name = ctx.name
    lines = Lines(text, comment="<!--")
    after_separator = _after_separator(lines)
    fenced = _fenced(lines)
    refused: list[Refusal] = []
    cuts = _section_cuts(lines, fenced, name, refused) + _html_row_cuts(lines, fenced, name)
    for n in range(len(lines)):
        if fenced[n]:
            continue
        line = lines.line(n)
        if _ROW_RE.match(line) and not _SEPARATOR_RE.match(line):
            if n > 0 and _SEPARATOR_RE.match(lines.line(n - 1)) or after_separator[n]:
                if _row_is_service(_cells(line), name) or _undeclared_row(line, ctx.undeclared):
                    cuts.append(Cut(lines.span(n, n)))
            continue
        item = _ITEM_RE.match(line)
        if item and _is_service(_term(item.group(3)), name):
            cuts.append(Cut(lines.span(n, _item_end(lines, n, len(item.group(1))))))
    return finish(text, lines, cuts, refused, verify)


def _item_end(lines: Lines, n: int, indent: int) -> int:
    """Last line of the list item on line n: the lines indented deeper than its marker, nested
    items included (a child left behind would join the previous item)."""
    last = n
    while last + 1 < len(lines) and lines.line(last + 1).strip() and lines.indent(last + 1) > indent:
        last += 1
    return last


def _fenced(lines: Lines) -> list[bool]:
    """For each line, whether it is a fence line or inside a code fence."""
    flags, inside = [], False
    for n in range(len(lines)):
        fence = bool(_FENCE_RE.match(lines.line(n)))
        flags.append(inside or fence)
        inside = inside != fence
    return flags


def _section_cuts(lines: Lines, fenced: list[bool], name: ServiceName, refused: list[Refusal]) -> list[Cut]:
    """The cut of each heading section whose heading is the service's name: from the heading to
    the next heading of the same or a higher level. A section that holds all of the document's
    text (front matter aside) is refused: the document is the service's (delete it, or edit it
    by hand)."""
    headings = [(n, m) for n in range(len(lines)) if not fenced[n]
                for m in [_HEADING_RE.match(lines.line(n))] if m]
    cuts = []
    for i, (first, m) in enumerate(headings):
        if not _is_service(_term(m.group(2)), name):
            continue
        level = len(m.group(1))
        stop = next((n for n, h in headings[i + 1:] if len(h.group(1)) <= level), len(lines))
        last = stop - 1
        while last > first and lines.is_blank(last):
            last -= 1
        front = _front_matter_end(lines)
        if all(lines.is_blank(n) for n in range(front, len(lines)) if not first <= n <= last):
            refused.append(Refusal(first + 1, "the service's section is the whole document: delete the file "
                                              "or edit it by hand"))
            continue
        cuts.append(_whole_lines_cut(lines, first, last))
    return cuts


def _front_matter_end(lines: Lines) -> int:
    """The first line after a leading `---` ... `---` front-matter block (0 without one): a page's
    metadata, not content of its own."""
    if len(lines) and lines.line(0).strip() == "---":
        for n in range(1, len(lines)):
            if lines.line(n).strip() in ("---", "..."):
                return n + 1
    return 0


def _whole_lines_cut(lines: Lines, first: int, last: int) -> Cut:
    """The cut of lines first..last with one separator blank line kept; at the end of a text
    without a final newline, the newline before the cut goes too (the state is kept)."""
    text = lines.text
    first, last = tidy_blank_lines(lines, first, last)
    span = lines.span(first, last)
    if span.end == len(text) and not text.endswith("\n") and span.start > 0:
        span = Span(span.start - 1, span.end)
    return Cut(span)


def _html_row_cuts(lines: Lines, fenced: list[bool], name: ServiceName) -> list[Cut]:
    """The cut of each HTML table row (`<tr>` and `</tr>` on lines of their own) whose first
    cell with text names the service."""
    cuts = []
    n = 0
    while n < len(lines):
        if fenced[n] or lines.line(n).strip().lower() != "<tr>":
            n += 1
            continue
        end = next((k for k in range(n + 1, min(len(lines), n + _MAX_HTML_ROW))
                    if lines.line(k).strip().lower() in ("</tr>", "<tr>")), None)
        if end is None or lines.line(end).strip().lower() != "</tr>":
            n += 1
            continue
        body = " ".join(lines.line(k) for k in range(n + 1, end))
        texts = [t for t in (_TAG_RE.sub("", c).strip() for c in _CELL_RE.findall(body)) if t]
        if texts and _is_service(_term(texts[0]), name):
            cuts.append(Cut(lines.span(n, end)))
        n = end + 1
    return cuts


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
