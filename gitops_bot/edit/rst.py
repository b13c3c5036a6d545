"""reStructuredText: entries of Sphinx `.. toctree::` directives that name a page the run deleted.

Locate with the directive's line grammar: the body is every line after `.. toctree::` that is
blank or indented deeper than the directive; its first lines at the body's indent starting with
`:` are options (`:maxdepth: 2`), the rest are entries (`services/video-service`, or
`Video <services/video-service>`). An entry goes, with its line, when its document (relative to
the file's folder, or from any folder above it when written `/docs/...`; with or without its
suffix) is a file the run deleted. An entry whose page stays is kept, even when it names the
component (Sphinx would then report the page as in no toctree); `:glob:` patterns and `self` are
never entries of a page. A toctree that would lose every entry is refused (the directive and
the heading over it are a human's call). Prose is never edited: its mentions are residue.
Verify: the toctrees re-read from the result hold the original entries less the removed ones.
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish
from gitops_bot.text.splice import Cut, Lines

KIND = "rst"
CHECK = "toctrees re-read; entries equal the original less the removed ones"

_TOCTREE_RE = re.compile(r"^(\s*)\.\.\s+toctree::\s*$")
_OPTION_RE = re.compile(r"^:[\w-]+:")
_TITLED_RE = re.compile(r"^(?P<title>.*\S)\s+<(?P<target>[^<>]+)>$")
# The suffixes Sphinx reads pages from (an entry names its document without one, as a rule).
_PAGE_SUFFIXES = ("", ".rst", ".md", ".txt", ".ipynb")  # "" first: the entry as written


def claims(path: str, text: str) -> bool:
    """`*.rst` files."""
    return posixpath.splitext(path)[1].lower() == ".rst"


def toctrees(text: str) -> list[list[tuple[int, str]]]:
    """Each toctree's entries as (0-based line, entry text), in order."""
    lines = Lines(text)
    found = []
    n = 0
    while n < len(lines):
        m = _TOCTREE_RE.match(lines.line(n))
        n += 1
        if not m:
            continue
        indent, entries, options = len(m.group(1).expandtabs()), [], True
        while n < len(lines) and (lines.is_blank(n) or lines.indent(n) > indent):
            line = lines.line(n).strip()
            if not line:
                options = False  # options end at the first blank line
            elif not (options and _OPTION_RE.match(line)) and not line.startswith(".. "):
                options = False
                entries.append((n, line))
            n += 1
        found.append(entries)
    return found


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the toctree entries of pages the run deleted."""
    if not ctx.deleted_paths or "toctree::" not in text:
        return EditResult(text)
    lines = Lines(text)
    cuts: list[Cut] = []
    refused: list[Refusal] = []
    expected = []
    for entries in toctrees(text):
        doomed = [(n, e) for n, e in entries if _deleted_page(e, ctx)]
        if doomed and len(doomed) == len(entries):
            refused.append(Refusal(doomed[0][0] + 1, "the toctree would lose every entry: remove it by hand"))
            doomed = []
        cuts += [Cut(lines.span(n, n)) for n, _ in doomed]
        expected.append([e for n, e in entries if (n, e) not in doomed])
    return finish(text, lines, cuts, refused, lambda new: _same_toctrees(new, expected))


def _deleted_page(entry: str, ctx: RemovalContext) -> bool:
    """Whether the toctree entry's document is a file the run deleted."""
    m = _TITLED_RE.match(entry)
    target = (m.group("target") if m else entry).strip()
    if target == "self" or re.search(r"[*?\[]|://", target):
        return False
    folder = posixpath.dirname(ctx.path)
    if target.startswith("/"):
        parts = folder.split("/") if folder else []
        bases = ["/".join(parts[:i]) for i in range(len(parts) + 1)]
    else:
        bases = [folder]
    for base in bases:
        doc = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
        # `page` is page.rst (or .md, ...): never the folder `page/` beside it
        pages = [doc] if posixpath.splitext(doc)[1] in _PAGE_SUFFIXES[1:] else [doc + s for s in _PAGE_SUFFIXES[1:]]
        if not doc.startswith("..") and any(page in ctx.deleted_paths for page in pages):
            return True
    return False


def _same_toctrees(new: str, expected: list[list[str]]) -> str | None:
    actual = [[e for _, e in entries] for entries in toctrees(new)]
    return None if actual == expected else "the toctrees would not match the intended removal"


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` has fewer toctree directives than `before` (a cut that spilled over
    a directive line)."""
    lost = len(toctrees(before)) - len(toctrees(after))
    return f"{lost} toctree directive(s) would be lost" if lost > 0 else None
