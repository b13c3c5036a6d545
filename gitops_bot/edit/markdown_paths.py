"""Markdown: the links and documented commands that point at paths the run deleted.

- an inline link (`[cluster policies](./policies/tenancy.yaml)`, not an image) whose relative
  address resolves, from the page's folder, to a deleted file or into a deleted folder: a list
  item whose leading term is that link (`- [**Video**](components/video)`: the entry of what it
  points at) goes with the lines indented under it, while another item of its list stays; so
  does a table row whose first cell is that link (`| [Agones](../add-ons/agones.md) | Deploys
  ... |`: a row of an index page) while another row of its table stays; elsewhere the link
  becomes its plain text (`cluster policies`), and the residue asks to check the sentence. A
  link whose text is itself the path or the file's name would still name it as plain text: its
  sentence only says where the path is, and goes when its line has another sentence (else the
  residue lists it). Web links stay (`https://...`: another repository may hold the same path),
  except one to a repository's tree whose text is the deleted path itself; so do site-absolute
  ones (`/docs/x`: a site's routes, not the repository's paths);
- a path in a command of a shell code block into a deleted folder named for a version
  (`kubectl apply -k ../../common/istio-1-16/istio-crds/base`) whose successor (the one folder
  beside it named for another version, RemovalContext.successors) holds the same path: the
  folder's name is replaced (`istio-1-17`), and the residue asks to check the command. A line
  with a path that cannot be re-pointed stays as it is (the residue lists it).

Code spans and other code blocks are never edited.
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.domain.pathrefs import Successor
from gitops_bot.edit.base import RemovalContext
from gitops_bot.text.markdown import TABLE_DELIMITER_RE
from gitops_bot.text.splice import Cut, Lines, Span

# `[text](address)` or `[text](address "title")`, not preceded by `!` (an image) nor `]` (the
# second half of a reference link); the text holds no brackets (an image inside a link stays).
_LINK_RE = re.compile(r"(?<![!\]\\])\[(?P<text>[^\[\]\n]+)\]\(\s*<?(?P<address>[^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CODE_SPAN_RE = re.compile(r"(`+).+?\1")
_ITEM_RE = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*?)\s*$")
# A path-like word of a command: segments around slashes.
_PATH_WORD_RE = re.compile(r"[\w.~@+-]*(?:/[\w.~@+-]*)+")

Notes = list[tuple[int, str]]


def link_cuts(lines: Lines, fenced: list[bool], ctx: RemovalContext) -> tuple[list[Cut], Notes]:
    """The cuts that remove or unlink the inline links to deleted paths, and their notes."""
    cuts: list[Cut] = []
    notes: Notes = []
    folder = posixpath.dirname(ctx.path)
    for n in range(len(lines)):
        line = lines.line(n)
        if fenced[n] or "](" not in line:
            continue
        code = [m.span() for m in _CODE_SPAN_RE.finditer(line)]
        links = [(m, target) for m in _LINK_RE.finditer(line)
                 if not any(a <= m.start() < b for a, b in code)
                 for target in [_deleted_target(m.group("address"), folder, ctx.deleted_paths)
                                or _own_web_target(m, ctx.deleted_paths)] if target]
        if not links:
            continue
        last = _entry_item_end(lines, n, links[0][0])
        if last is None and _is_entry_row(lines, n, links[0][0]):
            last = n
        if last is not None:
            cuts.append(Cut(lines.span(n, last)))
            continue
        located: set[tuple[int, int]] = set()
        for m, target in links:
            text = m.group("text")
            if "/" in text or posixpath.basename(target).lower() in text.lower():
                # as plain text it would still name the path: the sentence only says where it
                # was, and goes when the line has another
                sentence = _other_sentences_stay(line, m.start())
                if sentence and sentence not in located:
                    located.add(sentence)
                    start = lines.start(n)
                    cuts.append(Cut(Span(start + sentence[0], start + sentence[1])))
                    notes.append((n + 1, f"the sentence pointing at {target}, which this change deletes, is "
                                         "removed: check the paragraph still reads"))
                continue
            start = lines.start(n)
            cuts.append(Cut(Span(start + m.start(), start + m.end()), text))
            notes.append((n + 1, f"the link to {target}, which this change deletes, is plain text now: "
                                 "check the sentence still holds"))
    return cuts, notes


_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[`*_])")
_OWN_WEB_RE = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com)/[^/\s]+/[^/\s]+/(?:-/)?(?:tree|blob)/[^/\s]+/"
                         r"(?P<path>[^#?\s]+?)/?(?:[#?].*)?$")


def _own_web_target(link: re.Match[str], deleted: frozenset[str]) -> str | None:
    """The deleted path a web link to a repository's tree names (`.../tree/main/<path>`), when
    the link's text is that very path: then it is surely this repository's (another's could
    hold the same path, but would not be shown by it)."""
    m = _OWN_WEB_RE.match(link.group("address"))
    if not m or m.group("path") not in deleted:
        return None
    return m.group("path") if link.group("text").strip("`*_ ").rstrip("/") == m.group("path") else None


def _other_sentences_stay(line: str, at: int) -> tuple[int, int] | None:
    """The span of the sentence of `line` holding offset `at`, with the spaces that join it to
    the next sentence (or, for the last one, to the previous), when the line has another."""
    breaks = list(_SENTENCE_BREAK_RE.finditer(line))
    if not breaks:
        return None
    starts = [len(line) - len(line.lstrip())] + [b.end() for b in breaks]
    k = max(i for i, s in enumerate(starts) if s <= at)
    if k + 1 < len(starts):
        return starts[k], starts[k + 1]
    return breaks[-1].start(), len(line.rstrip())


def _deleted_target(address: str, folder: str, deleted: frozenset[str]) -> str | None:
    """The deleted path a relative link address resolves to from `folder`, or None."""
    if re.match(r"^[A-Za-z][\w+.-]*:", address) or address.startswith(("/", "#", "~")):
        return None  # a web or mail link, a site route, an anchor on the page
    path = re.split(r"[#?]", address, maxsplit=1)[0].rstrip("/")
    if not path:
        return None
    joined = posixpath.normpath(posixpath.join(folder, path))
    if joined.startswith("..") or joined == ".":
        return None
    probe = joined
    while probe:
        if probe in deleted:
            return joined
        probe = posixpath.dirname(probe)
    return None


_ROW_RE = re.compile(r"^\s*\|\s*[*_]*")


def _is_entry_row(lines: Lines, n: int, link: re.Match[str]) -> bool:
    """Line n is a table body row whose first cell starts with the link, and the table has
    another body row (above it past the delimiter row, or below it)."""
    row = _ROW_RE.match(lines.line(n))
    if not row or row.end() != link.start():
        return False

    def body_row(k: int) -> bool:
        return 0 <= k < len(lines) and lines.line(k).lstrip().startswith("|") \
            and not TABLE_DELIMITER_RE.match(lines.line(k))

    return body_row(n - 1) or body_row(n + 1)


def _entry_item_end(lines: Lines, n: int, link: re.Match[str]) -> int | None:
    """The last line of the list item on line n when its leading term is the link (`- [Name](x)`,
    `- [**Name**](x): what it is`, with the lines indented under it): the entry of what the link
    points at, which goes while another item of its list stays; else None."""
    item = _ITEM_RE.match(lines.line(n))
    if not item:
        return None
    emphasis = len(item.group(2)) - len(item.group(2).lstrip("*_"))  # `**[Name](x)**`
    if item.start(2) + emphasis != link.start():
        return None
    indent = len(item.group(1))
    last = n
    while last + 1 < len(lines) and lines.line(last + 1).strip() and lines.indent(last + 1) > indent:
        last += 1

    def sibling(k: int) -> bool:
        other = _ITEM_RE.match(lines.line(k)) if 0 <= k < len(lines) else None
        return bool(other) and len(other.group(1)) == indent

    before = n - 1
    while before >= 0 and lines.line(before).strip() and lines.indent(before) > indent:
        before -= 1  # the lines under the item above
    return last if sibling(before) or sibling(last + 1) else None


def repoint_cuts(lines: Lines, blocks: list[range], ctx: RemovalContext) -> tuple[list[Cut], Notes]:
    """The cuts that re-point, in the lines of the shell code blocks `blocks`, the paths into a
    deleted versioned folder to its successor, and their notes."""
    if not ctx.successors:
        return [], []
    cuts: list[Cut] = []
    notes: Notes = []
    folder = posixpath.dirname(ctx.path)
    for block in blocks:
        for n in block:
            line = lines.line(n)
            new, used = _repointed(line, folder, ctx)
            if used:
                start = lines.start(n)
                cuts.append(Cut(Span(start, start + len(line)), new))
                moves = ", ".join(f"{s.deleted} -> {s.folder}" for s in used)
                notes.append((n + 1, f"re-pointed to the version that stays ({moves}): "
                                     "check the command still applies"))
    return cuts, notes


def _repointed(line: str, folder: str, ctx: RemovalContext) -> tuple[str, list[Successor]]:
    """`line` with each path into a deleted versioned folder re-pointed to its successor, and
    the successors used; none when a path into a deleted folder cannot be (the line stays)."""
    out, pos, used = [], 0, []
    for m in _PATH_WORD_RE.finditer(line):
        word = m.group()
        resolved = _resolve(word, folder, ctx.deleted_paths)
        if resolved is None:
            continue
        found = _repoint_word(word, resolved, ctx.successors)
        if found is None:
            return line, []
        out += [line[pos:m.start()], found[0]]
        used += [found[1]] if found[1] not in used else []
        pos = m.end()
    return "".join(out + [line[pos:]]), used


def _resolve(word: str, folder: str, deleted: frozenset[str]) -> tuple[str, str] | None:
    """(the base the word is read from, the deleted path or path into one it names), or None."""
    bare = word.rstrip(".:,;")
    if bare.startswith(("/", "~")):
        return None
    for base in dict.fromkeys((folder, "")):
        joined = posixpath.normpath(posixpath.join(base, bare))
        if joined.startswith("..") or joined == ".":
            continue
        probe = joined
        while probe:
            if probe in deleted:
                return base, joined
            probe = posixpath.dirname(probe)
    return None


def _repoint_word(word: str, resolved: tuple[str, str],
                  successors: tuple[Successor, ...]) -> tuple[str, Successor] | None:
    """The word with the deleted folder's segment renamed to its successor's (and that
    successor), when the path it names exists in the successor; else None."""
    base, path = resolved
    for successor in successors:
        if successor.repoint(path) is None:
            continue
        segments = word.split("/")
        for i, segment in enumerate(segments):
            if segment == posixpath.basename(successor.deleted) and \
                    posixpath.normpath(posixpath.join(base, *segments[:i + 1])) == successor.deleted:
                segments[i] = posixpath.basename(successor.folder)
                return "/".join(segments), successor
    return None
