"""go.work: its tiny grammar (`use ( ./a ./b )` or `use ./a`), edited line by line.

Verify: the re-parsed `use` list equals the old one minus the removed directories.
"""

from __future__ import annotations

import re

from .base import EditResult, Refusal, RemovalContext, Unparsable
from .blocks import leading_comments, tidy_cuts
from .splice import Cut, Lines, splice

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


def remove_service(text: str, ctx: RemovalContext) -> EditResult:
    """Remove `use` entries that point into the service's directories."""
    try:
        entries = use_list(text)
    except ValueError as exc:
        raise Unparsable(1, f"go.work does not parse: {exc}") from exc
    lines = Lines(text, comment="//")
    doomed = [(n, d) for n, d in entries if ctx.name.in_path(d) or ctx.name.identifies(d.rsplit("/", 1)[-1])]
    cuts = [Cut(lines.span(leading_comments(lines, n, lines.indent(n), ctx.name.names_in_comment), n))
            for n, _ in doomed]
    new = splice(text, tidy_cuts(lines, cuts))
    expected = [d for n, d in entries if (n, d) not in doomed]
    try:
        actual = [d for _, d in use_list(new)]
    except ValueError as exc:
        actual = [f"<{exc}>"]
    if actual != expected:
        return EditResult(text, [Refusal(1, "edit refused: the use list would not match the intended removal")])
    return EditResult(new)
