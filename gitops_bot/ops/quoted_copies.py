"""The same deletion in a documentation page's copy of an edited file (remove-service).

Documentation often quotes a configuration file in a code fence (the external-dns values in a page
about the gateway, `sources:` list and all). When the removal deletes lines of that file, the copy
should follow, as the repository's own later clean-ups do. The lines are deleted from a fenced
copy only where the fence holds them with the same lines around them: at least two lines above and
one below that are not blank, compared without trailing spaces, all at one indentation offset. A
looser likeness is left alone; the reference check lists any mention left there.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitops_bot.edit.markdown import fences
from gitops_bot.text.diff import opcodes
from gitops_bot.text.splice import Lines

CONTEXT = 3  # lines compared above and below a deletion


@dataclass(frozen=True)
class Deletion:
    """Lines one edit deleted, with the unchanged lines around them (without trailing spaces)."""

    above: tuple[str, ...]
    removed: tuple[str, ...]
    below: tuple[str, ...]


def deletions(old: str, new: str) -> list[Deletion]:
    """The deletions (nothing inserted in their place) from `old` to `new` that carry enough
    unchanged context to be recognised in a copy: two lines above that are not blank, one below."""
    a, b = old.splitlines(), new.splitlines()
    ops = opcodes(a, b)
    found = []
    for i, (tag, a1, a2, _, _) in enumerate(ops):
        if tag != "delete":
            continue
        before = ops[i - 1] if i and ops[i - 1][0] == "equal" else None
        after = ops[i + 1] if i + 1 < len(ops) and ops[i + 1][0] == "equal" else None
        above = tuple(x.rstrip() for x in a[max(before[1], a1 - CONTEXT):a1]) if before else ()
        below = tuple(x.rstrip() for x in a[a2:min(after[2], a2 + CONTEXT)]) if after else ()
        if sum(1 for x in above if x.strip()) >= 2 and any(x.strip() for x in below):
            found.append(Deletion(above, tuple(x.rstrip() for x in a[a1:a2]), below))
    return found


def apply(text: str, wanted: list[Deletion]) -> str:
    """`text` (Markdown) without the lines of each deletion that a code fence quotes with its
    context; `text` itself when no fence does."""
    lines = Lines(text)
    drop: set[int] = set()
    for first, end, _ in fences(lines):
        body = [lines.line(n).rstrip() for n in range(first + 1, end)]
        for deletion in wanted:
            for at in _quoted_at(body, deletion):
                drop.update(range(first + 1 + at, first + 1 + at + len(deletion.removed)))
    if not drop:
        return text
    return "".join(text[lines.start(n):lines.end(n)] for n in range(len(lines)) if n not in drop)


def _quoted_at(body: list[str], deletion: Deletion) -> list[int]:
    """Where in a fence's lines the deleted lines start, for each place the fence holds them
    between their context at one indentation offset."""
    run = (*deletion.above, *deletion.removed, *deletion.below)
    found = []
    for start in range(len(body) - len(run) + 1):
        if _same_at_offset(body[start:start + len(run)], run):
            found.append(start + len(deletion.above))
    return found


def _same_at_offset(copy: list[str], original: tuple[str, ...]) -> bool:
    offset = None
    for quoted, line in zip(copy, original):
        if not line.strip():
            if quoted.strip():
                return False
            continue
        shift = len(quoted) - len(quoted.lstrip()) - (len(line) - len(line.lstrip()))
        if offset is None:
            offset = shift
        if shift != offset or quoted.strip() != line.strip():
            return False
    return offset is not None
