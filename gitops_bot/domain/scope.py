"""Path scopes: the `paths=` parameter that limits a recipe to some files of the repository.

A scope is comma-separated globs over repository-relative POSIX paths, as a user writes them:
`*` is any run of characters within one path segment, `**` any number of whole segments
(`deploy/**`, `**/compose.yml`), `?` one character, `[abc]`/`[!abc]` one of a set. A glob that
names a folder (`deploy/docker-compose` or `deploy/docker-compose/`) covers everything below it.
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
    """Parsed globs; `matches(path)` is true when any of them covers the path."""

    text: str
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, path: str) -> bool:
        """Whether the repository-relative file or folder `path` is inside the scope."""
        return any(p.fullmatch(path) for p in self.patterns)


def parse_scope(text: str, paths: Iterable[str], param: str = "paths") -> PathScope:
    """The scope `text` (comma-separated globs) checked against the tree's file `paths`:
    UserError (exit 2, one line) for an empty element, an absolute path, a `..` segment, an
    unbalanced `[`, or a glob that matches no file."""
    globs = [g.strip() for g in text.split(",")]
    if not text.strip() or any(not g for g in globs):
        raise UserError(f"{param}={text!r}: an empty glob (write comma-separated globs such as deploy/compose/**)")
    compiled = []
    for glob in globs:
        problem = _problem(glob)
        if problem:
            raise UserError(f"{param}={text!r}: {glob!r} {problem}")
        try:
            compiled.append(_compile(glob))
        except re.error as exc:
            raise UserError(f"{param}={text!r}: {glob!r} is not a glob ({exc.msg})") from exc
    listed = list(paths)
    for glob, pattern in zip(globs, compiled):
        if not any(pattern.fullmatch(p) for p in listed):
            raise UserError(f"{param}={text!r}: {glob!r} matches no file in the repository")
    return PathScope(text, tuple(compiled))


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
