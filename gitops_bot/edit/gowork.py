"""go.work: its tiny grammar (`use ( ./a ./b )` or `use ./a`), edited line by line.

Verify: the re-parsed `use` list equals the old one minus the removed directories.
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.edit.base import EditResult, RemovalContext, Unparsable, finish, newly_broken
from gitops_bot.edit.blocks import leading_comments
from gitops_bot.text.splice import Cut, Lines

KIND = "gowork"
CHECK = "use list re-parsed"

_USE_ONE_RE = re.compile(r"^\s*use\s+(\S+)\s*(//.*)?$")
_USE_OPEN_RE = re.compile(r"^\s*use\s*\(\s*(//.*)?$")
_ENTRY_RE = re.compile(r"^\s*(\S+)\s*(//.*)?$")


def use_list(text: str) -> list[tuple[int, str]]:
    """(line, directory) for every `use` entry; raises ValueError on an unclosed block."""
    lines = Lines(text, comment="//")
    found = []
    inside = False
    for n in range(len(lines)):
        line = lines.line(n)
        if inside:
            if line.strip().startswith(")"):
                inside = False
            elif line.strip() and not lines.is_comment(n):
                m = _ENTRY_RE.match(line)
                if m:
                    found.append((n, m.group(1).strip('"')))
        elif _USE_OPEN_RE.match(line):
            inside = True
        elif _USE_ONE_RE.match(line):
            found.append((n, _USE_ONE_RE.match(line).group(1).strip('"')))
    if inside:
        raise ValueError("unclosed use ( block")
    return found


def claims(path: str, text: str) -> bool:
    """A `go.work` file."""
    return posixpath.basename(path) == "go.work"


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove `use` entries that point into the service's directories."""
    try:
        entries = use_list(text)
    except ValueError as exc:
        raise Unparsable(1, f"go.work does not parse: {exc}") from exc
    lines = Lines(text, comment="//")
    doomed = [(n, d) for n, d in entries if ctx.name.in_path(d) or ctx.name.identifies(d.rsplit("/", 1)[-1])]
    cuts = [Cut(lines.span(leading_comments(lines, n, lines.indent(n), ctx.name.names_in_comment), n))
            for n, _ in doomed]
    expected = [d for n, d in entries if (n, d) not in doomed]
    return finish(text, lines, cuts, [], lambda new: _same_uses(new, expected))


def _same_uses(new: str, expected: list[str]) -> str | None:
    try:
        actual = [d for _, d in use_list(new)]
    except ValueError as exc:
        actual = [f"<{exc}>"]
    return None if actual == expected else "the use list would not match the intended removal"


def still_valid(before: str, after: str) -> str | None:
    """None unless the `use` list no longer parses where it did."""
    return newly_broken(_parse_problem, before, after)


def _parse_problem(text: str) -> str | None:
    try:
        use_list(text)
    except ValueError as exc:
        return f"the use list would not parse ({exc})"
    return None
