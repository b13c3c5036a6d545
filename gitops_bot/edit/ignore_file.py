"""Ignore files (`.gitignore`, `.dockerignore`, `.prettierignore`, ...) and CODEOWNERS: the
patterns that can only match inside a path the run deleted.

CODEOWNERS lines are `PATTERN OWNER...` with gitignore's pattern rules, read from the
repository root wherever the file is (`.github/`, `docs/` or the root): an entry for a deleted
folder owns nothing any more and goes with its line.

A pattern whose literal leading folders (up to its first glob character) are, or lie in, a
deleted file or folder can match nothing any more (`test/tracing/vars.yaml`,
`./src/video/*.ez`, `!/src/video/keep`): its line goes, with the comment block directly above it
when one of its lines names the component (the shared rule of the other editors; a comment that
does not name it stays and is listed for the reviewer). A heading goes when the whole group it
heads goes, as humans tidy these files: the comment block above a run of patterns that all go,
up to the next comment or blank line (`# Mix artifacts` over three deleted paths), and every line
of a blank-separated paragraph none of whose patterns stays (its banners `####` too), with one
separator blank line kept. The comment block that opens the file (only blank lines above it) is
the file's own header: it stays unless it names the component. Patterns are read from the ignore file's
own folder, as git and docker read them. A pattern without a `/` before its end (`node_modules`,
`*.log`) matches at any depth and always stays, as does anything that does not name a deleted
path.

Verify: the result's patterns are the original's minus the removed ones, in order.
"""

from __future__ import annotations

import posixpath

from gitops_bot.edit.base import EditResult, RemovalContext, finish, newly_broken
from gitops_bot.edit.blocks import kept_comment_above, leading_comments
from gitops_bot.text.splice import Cut, Lines

KIND = "ignore"
CHECK = "patterns re-read; equal to the original's minus the removed ones"

_GLOB_CHARS = "*?[\\"


def claims(path: str, text: str) -> bool:
    """Dotfiles named `.<tool>ignore` (`.gitignore`, `.dockerignore`, `.helmignore`, ...) and
    CODEOWNERS."""
    base = path.rpartition("/")[2]  # posixpath.basename: the listing's paths have no trailing "/"
    return _is_codeowners(path) or (base.startswith(".") and base.endswith("ignore") and len(base) > len(".ignore"))


def _is_codeowners(path: str) -> bool:
    return path in ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")


def targets_deleted(pattern: str, folder: str, deleted: frozenset[str]) -> bool:
    """True when `pattern` (one line of an ignore file in `folder`) can only match inside a
    deleted path: its literal folders before the first glob character name one."""
    body = pattern.strip()
    body = body[1:] if body.startswith("!") else body
    anchored = body.rstrip("/")
    if "/" not in anchored:
        return False  # matches at any depth
    literal = []
    for part in anchored.split("/"):
        if any(c in part for c in _GLOB_CHARS):
            break
        literal.append(part)
    path = posixpath.normpath(posixpath.join(folder, "/".join(literal).lstrip("/"))) if literal else ""
    if not path or path == "." or path.startswith(".."):
        return False
    parts = path.split("/")
    return any("/".join(parts[:i]) in deleted for i in range(1, len(parts) + 1))


def _patterns(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the patterns that point into paths the run deleted, with the headings of the
    groups that go whole."""
    lines = Lines(text)
    codeowners = _is_codeowners(ctx.path)
    folder = "" if codeowners else posixpath.dirname(ctx.path)
    removed: set[int] = set()
    for n in range(len(lines)):
        line = lines.line(n)
        pattern = line.split()[0] if codeowners and line.strip() else line  # then its owners
        if line.strip() and not lines.is_comment(n) and targets_deleted(pattern, folder, ctx.deleted_paths):
            removed.add(n)
    gone = _orphaned_headings(lines, removed)
    cuts = [Cut(lines.span(n, n)) for n in sorted(removed | gone)]
    kept_comments: list[str] = []
    for n in sorted(removed):
        if n - 1 in removed or n - 1 in gone:
            continue  # not the first of a run, or its heading goes already
        first = leading_comments(lines, n, lines.indent(n), ctx.name.names_in_comment)
        kept_comments += kept_comment_above(lines, first, lines.indent(n))
        cuts.append(Cut(lines.span(first, n)))
    expected = [p for n, p in enumerate(text.splitlines()) if n not in removed]
    expected = _patterns("\n".join(expected))
    return finish(text, lines, cuts, [], lambda new: _verify(new, expected), kept_comments)


def _orphaned_headings(lines: Lines, removed: set[int]) -> set[int]:
    """The comment lines that head nothing once the `removed` patterns go: every comment of a
    paragraph (a run of non-blank lines) none of whose patterns stays, and the comment block
    above a run of patterns, up to the next comment or blank line, that all go. The comment
    block that opens the file is its header and is never among them."""
    gone: set[int] = set()
    n = 0
    while n < len(lines):
        if lines.is_blank(n):
            n += 1
            continue
        stop = n
        while stop < len(lines) and not lines.is_blank(stop):
            stop += 1
        gone |= _paragraph_headings(lines, range(n, stop), removed)
        n = stop
    return gone


def _paragraph_headings(lines: Lines, paragraph: range, removed: set[int]) -> set[int]:
    """_orphaned_headings of one paragraph."""
    patterns = [n for n in paragraph if not lines.is_comment(n)]
    header: set[int] = set()
    if all(lines.is_blank(k) for k in range(paragraph.start)):  # the file's first paragraph
        header = set(range(paragraph.start, patterns[0] if patterns else paragraph.stop))
    if patterns and all(n in removed for n in patterns):
        return {n for n in paragraph if lines.is_comment(n)} - header
    gone: set[int] = set()
    heading: list[int] = []
    group: list[int] = []
    for n in [*paragraph, None]:
        if n is None or (lines.is_comment(n) and group):
            if heading and group and all(k in removed for k in group):
                gone.update(heading)
            heading, group = [], []
        if n is None:
            break
        (group if not lines.is_comment(n) else heading).append(n)
    return gone - header


def _verify(new: str, expected: list[str]) -> str | None:
    return None if _patterns(new) == expected else "the patterns would not match the intended removal"


def still_valid(before: str, after: str) -> str | None:
    """Ignore files have no syntax to break: every line is a pattern, a comment or blank."""
    return newly_broken(lambda text: None, before, after)
