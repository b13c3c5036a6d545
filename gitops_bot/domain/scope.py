"""Path scopes: the `paths=` parameter that limits a recipe to some files of the repository.

A scope is comma-separated globs over repository-relative POSIX paths, as a user writes them:
`*` is any run of characters within one path segment, `**` any number of whole segments
(`deploy/**`, `**/compose.yml`), `?` one character, `[abc]`/`[!abc]` one of a set. A glob that
names a folder (`deploy/docker-compose` or `deploy/docker-compose/`) covers everything below it.
A glob written with a leading `!` excludes what it covers (`!patterns/legacy/**`: everything but
that folder, or what the other globs cover but that folder), as Renovate's `ignorePaths` does; a
folder holding an excluded file is then not wholly in scope, so nothing deletes it whole.
Every glob must match some file of the tree: a scope that quietly matches nothing would make a
run change nothing and report success.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Iterable

from gitops_bot.errors import UserError


@dataclass(frozen=True)
class PathScope:
    """Parsed globs; `matches(path)` is true when an including glob covers the path (any path,
    when all are exclusions) and no excluding one covers it or anything below it."""

    text: str
    patterns: tuple[re.Pattern[str], ...]
    exclusions: tuple[re.Pattern[str], ...] = ()
    holding_excluded: frozenset[str] = frozenset()  # the folders above an excluded file

    def matches(self, path: str) -> bool:
        """Whether the repository-relative file or folder `path` is inside the scope."""
        if self.patterns and not any(p.fullmatch(path) for p in self.patterns):
            return False
        return path.rstrip("/") not in self.holding_excluded and not any(p.fullmatch(path) for p in self.exclusions)


def parse_scope(text: str, paths: Iterable[str], param: str = "paths") -> PathScope:
    """The scope `text` (comma-separated globs) checked against the tree's file `paths`:
    UserError (exit 2, one line) for an empty element, an absolute path, a `..` segment, an
    unbalanced `[`, or a glob that matches no file."""
    globs = [g.strip() for g in text.split(",")]
    if not text.strip() or any(not g for g in globs):
        raise UserError(f"{param}={text!r}: an empty glob (write comma-separated globs such as deploy/compose/**)")
    compiled = []
    for glob in globs:
        body = glob[1:] if glob.startswith("!") else glob
        problem = _problem(body) if body else "excludes nothing (write !GLOB)"
        if problem:
            raise UserError(f"{param}={text!r}: {glob!r} {problem}")
        try:
            compiled.append(_compile(body))
        except re.error as exc:
            raise UserError(f"{param}={text!r}: {glob!r} is not a glob ({exc.msg})") from exc
    listed = list(paths)
    excluded: set[str] = set()
    for glob, pattern in zip(globs, compiled):
        matched = [p for p in listed if pattern.fullmatch(p)]
        if not matched:
            raise UserError(f"{param}={text!r}: {glob!r} matches no file in the repository")
        if glob.startswith("!"):
            excluded.update(matched)
    including = tuple(p for glob, p in zip(globs, compiled) if not glob.startswith("!"))
    excluding = tuple(p for glob, p in zip(globs, compiled) if glob.startswith("!"))
    holding = {posixpath.dirname(path) for path in excluded}
    for folder in list(holding):
        while folder:
            holding.add(folder)
            folder = posixpath.dirname(folder)
    holding.add("")
    return PathScope(text, including, excluding, frozenset(holding) if excluded else frozenset())


def _problem(glob: str) -> str | None:
    """Why a glob is malformed, or None."""
    if glob.startswith("/"):
        return "is absolute: globs are relative to the repository root"
    if ".." in glob.split("/"):
        return "has a '..' segment: globs are relative to the repository root"
    depth = 0
    for char in glob:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    if depth:
        return "has an unclosed '['"
    if "\\" in glob:
        return "has a backslash: use / between folders"
    return None


def _compile(glob: str) -> re.Pattern[str]:
    """The regex of one glob: it matches the paths the glob names and everything below them."""
    body = glob.rstrip("/")
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if body.startswith("**/", i):
            out.append(r"(?:[^/]+/)*")
            i += 3
        elif body.startswith("**", i):
            out.append(r".*")
            i += 2
        elif char == "*":
            out.append(r"[^/]*")
            i += 1
        elif char == "?":
            out.append(r"[^/]")
            i += 1
        elif char == "[":
            end = body.index("]", i + 1)
            inner = body[i + 1:end]
            negate = inner[:1] in ("!", "^")
            inner = inner[1:] if negate else inner
            out.append("[" + ("^/" if negate else "") + inner.replace("\\", r"\\").replace("^", r"\^") + "]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    # a glob that names a folder covers what is below it
    return re.compile("".join(out) + r"(?:/.*)?", re.DOTALL)


def repo_path(value: str, param: str) -> str:
    """A parameter that names one path inside the repository (`values=`, `file=`), normalised;
    UserError (exit 2) for an absolute path, one that climbs out, or a backslash."""
    path = posixpath.normpath(value)
    if path.startswith(("/", "../")) or path == ".." or "\\" in value:
        raise UserError(f"{param}={value!r} must be a path inside the repository")
    return path
