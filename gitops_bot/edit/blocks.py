"""Line-block rules shared by the indentation-based editors (YAML, Helm templates, HCL, Makefiles).

These encode what careful humans do when they delete an entry:
- trailing blank lines and comments at an indent <= the entry's own column belong to what follows;
- a comment block directly above the entry goes with it only if it names the entity;
- exactly one separator blank line is kept where there was one.
"""

from __future__ import annotations

import re
from typing import Callable

from gitops_bot.text.splice import Cut, Lines, Span, merge_cuts

_DOC_MARKER_RE = re.compile(r"^(---|\.\.\.)(\s|$)")
_FLUSH_ITEM_RE = re.compile(r"-(\s|$)")
# A comment line made only of decoration (`# ******`, `####`): a banner of a section heading.
_BANNER_RE = re.compile(r"\s*#\s*[#*=~_-]{3,}\s*")


def is_banner(line: str) -> bool:
    """True for a comment line made only of decoration (`# ******`): part of a section heading."""
    return _BANNER_RE.fullmatch(line) is not None


def yaml_entry_stop(lines: Lines, first: int, col: int, is_key: bool) -> int:
    """The first line after the YAML block entry that starts on line `first` with its key (or,
    for a list item, its dash) at column `col`: the next content line indented at most `col`,
    except the `- ` items of a flush sequence, which belong to the key above them."""
    n = first + 1
    while n < len(lines):
        text = lines.line(n)
        if _DOC_MARKER_RE.match(text):
            return n
        if text.strip() and not lines.is_comment(n):
            indent = lines.indent(n)
            if indent < col or (indent == col and not (is_key and _FLUSH_ITEM_RE.match(text[col:]))):
                return n
        n += 1
    return n


def trim_trailing(lines: Lines, first: int, stop: int, col: int) -> int:
    """Last line (inclusive) of an entry that starts at `first` and is followed by line `stop`:
    blank lines and comments at indent <= col at its end belong to what follows."""
    last = stop - 1
    while last > first and (lines.is_blank(last) or
                            (lines.is_comment(last) and lines.indent(last) <= col)):
        last -= 1
    return last


def comment_above(lines: Lines, first: int, col: int) -> int:
    """First line of the comment block directly above line `first` (same indent, no blank line
    between), or `first` when there is none. A boxed section heading higher up (`# ****` /
    `# Dependent Services` / `# ****`) is the section's, not the entry's: the block stops below
    its closing banner, unless that box sits directly above the entry."""
    top = first
    while top > 0 and lines.is_comment(top - 1) and lines.indent(top - 1) == col:
        if top < first and _BANNER_RE.fullmatch(lines.line(top - 1)) and top >= 2 \
                and lines.is_comment(top - 2) and lines.indent(top - 2) == col:
            break
        top -= 1
    return top


def leading_comments(lines: Lines, first: int, col: int, names_entity: Callable[[str], bool]) -> int:
    """First line of the entry once a comment block directly above it (comment_above) is
    included, if one of those comment lines names the entity."""
    top = comment_above(lines, first, col)
    if top < first and any(names_entity(lines.line(n)) for n in range(top, first)):
        return top
    return first


def kept_comment_above(lines: Lines, first: int, col: int) -> list[str]:
    """Comment lines directly above a removed entry that stay because they do not name it:
    the reviewer should check they still apply (they are listed in the residue report)."""
    return [lines.line(n) for n in range(comment_above(lines, first, col), first)]


def tidy_blank_lines(lines: Lines, first: int, last: int) -> tuple[int, int]:
    """Widen the deleted lines first..last so that exactly one separator blank line remains
    where the removed entry stood between two blank-separated neighbours."""
    before = first - 1
    after = last + 1
    blank_before = before >= 0 and lines.is_blank(before)
    blank_after = after < len(lines) and lines.is_blank(after)
    at_end = after >= len(lines)
    opener_before = before >= 0 and not blank_before and lines.indent(before) < lines.indent(first)
    # the closing banner of a boxed section heading kept above the removed entry (comment_above)
    # heads what follows it now
    heading_before = before >= 0 and _BANNER_RE.fullmatch(lines.line(before)) is not None \
        and lines.indent(before) <= lines.indent(first)
    closer_after = (not at_end and not blank_after and not lines.is_comment(after)
                    and lines.indent(after) < lines.indent(first))
    if blank_after and (blank_before or opener_before or heading_before or before < 0):
        return first, last + 1
    if blank_before and (at_end or closer_after):
        return first - 1, last
    return first, last


def tidy_cuts(lines: Lines, cuts: list[Cut]) -> list[Cut]:
    """Merge adjacent whole-line deletions (and those only blank lines apart, so that removing
    the last two blank-separated entries of a file leaves no trailing blank line), then keep one
    separator blank line around each."""
    joined: list[Cut] = []
    for cut in merge_cuts(cuts):
        if (joined and cut.replacement == "" and joined[-1].replacement == ""
                and (joined[-1].span.end == cut.span.start or _blank_lines_between(lines, joined[-1], cut))):
            joined[-1] = Cut(Span(joined[-1].span.start, cut.span.end))
        else:
            joined.append(cut)
    tidied = []
    for cut in joined:
        start, end = cut.span
        if cut.replacement == "" and end > start:
            first, last = lines.line_of(start), lines.line_of(end - 1)
            if lines.start(first) == start and lines.end(last) == end:
                first, last = tidy_blank_lines(lines, first, last)
                cut = Cut(lines.span(first, last))
        tidied.append(cut)
    return merge_cuts(tidied)


def _blank_lines_between(lines: Lines, before: Cut, after: Cut) -> bool:
    """True when two whole-line deletions are separated only by blank lines."""
    a, b = before.span.end, after.span.start
    at_line_start = all(lines.start(lines.line_of(x)) == x for x in (before.span.start, a, b))
    whole_last = after.span.end == len(lines.text) or lines.start(lines.line_of(after.span.end)) == after.span.end
    return at_line_start and whole_last and not lines.text[a:b].strip()


_WORD_RE = re.compile(r"[^\s\\;()]+")


def drop_words(lines: Lines, n: int, start: int, end: int, is_doomed: Callable[[str], bool],
               continuation: bool = False) -> list[Cut] | None:
    """Cuts that remove the doomed words of a space-separated list on line n (columns
    start..end), each with the whitespace that separated it from a neighbour. A continuation
    line holding only doomed words goes whole; None when the list would become empty."""
    line = lines.line(n)
    base = lines.start(n)
    found = list(_WORD_RE.finditer(line, start, end))
    doomed = [m for m in found if is_doomed(m.group())]
    if not doomed:
        return []
    if len(doomed) == len(found):
        if not continuation:
            return None
        if not line[:start].strip():
            return [Cut(lines.span(n, n))]  # a continuation line holding only doomed words
        # The list goes on below (`X = video-service \`): cut the words, keep the head.
    cuts = []
    for m in doomed:
        left = m.start()
        while left > start and line[left - 1] in " \t":
            left -= 1
        if left > start and line[start:left].strip():
            cuts.append(Cut(Span(base + left, base + m.end())))
        else:
            right = m.end()
            while right < end and line[right] in " \t":
                right += 1
            cuts.append(Cut(Span(base + m.start(), base + right)))
    return cuts
