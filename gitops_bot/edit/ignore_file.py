"""Ignore files (`.gitignore`, `.dockerignore`, `.prettierignore`, ...) and CODEOWNERS: the
patterns that can only match inside a path the run deleted.

CODEOWNERS lines are `PATTERN OWNER...` with gitignore's pattern rules, read from the
repository root wherever the file is (`.github/`, `docs/` or the root): an entry for a deleted
folder owns nothing any more and goes with its line.

A pattern whose literal leading folders (up to its first glob character) are, or lie in, a
deleted file or folder can match nothing any more (`test/tracing/vars.yaml`,
`./src/video/*.ez`, `!/src/video/keep`): its line goes, with the comment block directly above it
when one of its lines names the component (the shared rule of the other editors; a comment that
does not name it stays and is listed for the reviewer). Patterns are read from the ignore file's
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
    """Remove the patterns that point into paths the run deleted."""
    lines = Lines(text)
    codeowners = _is_codeowners(ctx.path)
    folder = "" if codeowners else posixpath.dirname(ctx.path)
    cuts: list[Cut] = []
    kept_comments: list[str] = []
    removed: set[int] = set()
    for n in range(len(lines)):
        line = lines.line(n)
        pattern = line.split()[0] if codeowners and line.strip() else line  # then its owners
        if not line.strip() or lines.is_comment(n) or not targets_deleted(pattern, folder, ctx.deleted_paths):
            continue
        removed.add(n)
        first = n
        if n == 0 or n - 1 not in removed:  # the first of a run: its comment block may go with it
            first = leading_comments(lines, n, lines.indent(n), ctx.name.names_in_comment)
            kept_comments += kept_comment_above(lines, first, lines.indent(n))
        cuts.append(Cut(lines.span(first, n)))
    expected = [p for n, p in enumerate(text.splitlines()) if n not in removed]
    expected = _patterns("\n".join(expected))
    return finish(text, lines, cuts, [], lambda new: _verify(new, expected), kept_comments)


def _verify(new: str, expected: list[str]) -> str | None:
    return None if _patterns(new) == expected else "the patterns would not match the intended removal"


def still_valid(before: str, after: str) -> str | None:
    """Ignore files have no syntax to break: every line is a pattern, a comment or blank."""
    return newly_broken(lambda text: None, before, after)
