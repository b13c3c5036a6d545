"""Path references into deleted paths: which words of a text name a file or folder a run deleted.

A word names a deleted path when, read as a path, it resolves to one: from the repository root
(`apps/kfserving/overlays/kubeflow`, `./infrastructure/policies/x.yaml`), from the folder of the
file that holds it (`../../common/istio-1-16/base`, a bare `zipkin.env` beside it), or, when
neither of those is a path of the repository, as a repository path with something in front
(`~/clone/deploy/manifests/zipkin.yaml`, `data-on-eks/schedulers/terraform/argo-workflow`, a
`github.com/.../tree/main/...` link): the last two or more segments. Only paths that existed
and are gone, and paths below a deleted folder, count: a folder that keeps some of its files is
not a deleted path.

A deleted folder named for a version (`common/istio-1-16`) may have a successor: the one folder
beside it named for another version of the same thing (`common/istio-1-17`); a command that
applied a path inside the old one can apply the same path inside the new one, when it exists.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable, Iterator

from gitops_bot.domain.worktree import Literals, Worktree

# A path-like word: segments of word characters, dots, dashes, `~`, `@`, `+` around slashes, or a
# bare file name with an extension. `*`, `$`, `{`, quotes and spaces end a word.
_WORD = re.compile(r"[\w.~@+-]*(?:/[\w.~@+-]*)+|[\w@+-][\w.@+-]*\.[A-Za-z][\w]*")
# What precedes a repository path inside a web link: `/tree/main/`, `/blob/v1.2/`, `/-/raw/x/`.
_WEB_REF = re.compile(r"/(?:-/)?(?:tree|blob|raw|edit)/[^/]+/")
# Documentation pages a site serves at a route without the extension (`/docs/a/b` for docs/a/b.md).
_PAGE_SUFFIXES = frozenset({".md", ".mdx"})


@dataclass(frozen=True)
class Gone:
    """The paths a run deleted (`deleted`: files, and folders none of whose files is left) and
    every file and folder the tree had, repository-relative."""

    deleted: frozenset[str]
    files: frozenset[str]
    folders: frozenset[str]

    def existed(self, path: str) -> bool:
        """Whether the tree had `path` (a file or a folder) before the run."""
        return path in self.files or path in self.folders

    def inside_deleted(self, path: str) -> bool:
        """Whether `path` is below a deleted folder (a build output or an ignore pattern of the
        deleted component: `src/video/cover/`), whether or not the tree had it."""
        parent = posixpath.dirname(path)
        while parent:
            if parent in self.deleted:
                return True
            parent = posixpath.dirname(parent)
        return False

    @cached_property
    def tops(self) -> tuple[str, ...]:
        """The top-most deleted paths (a deleted folder stands for everything below it)."""
        return tuple(sorted(p for p in self.deleted if posixpath.dirname(p) not in self.deleted))

    @cached_property
    def routes(self) -> dict[str, str]:
        """The deleted documentation pages by the tails (two segments or more) of their routes,
        the path without its extension or a last `index`: `docs/a/b` and `a/b` of `web/docs/a/b.md`."""
        found: dict[str, str] = {}
        for path in sorted(self.deleted):
            stem, suffix = posixpath.splitext(path)
            if suffix.lower() not in _PAGE_SUFFIXES:
                continue
            parts = stem.split("/")
            if parts[-1].lower() in ("index", "readme") and len(parts) > 1:
                parts = parts[:-1]
            for start in range(len(parts) - 1):
                found.setdefault("/".join(parts[start:]), path)
        return found

    @cached_property
    def basenames(self) -> frozenset[str]:
        """The names a reference to a deleted path must hold: the last segment of each top-most
        deleted path (a reference into a deleted folder names the folder), and of a deleted
        page's route (`b` of `docs/a/b.md`, served at `/docs/a/b`). A deleted Jinja template
        (`openebs.yaml.j2`) is named by what it renders (`openebs.yaml`)."""
        routes = (route.rsplit("/", 1)[-1] for route, page in self.routes.items() if page in self.tops)
        return frozenset(posixpath.basename(p).removesuffix(".j2") for p in self.tops) | frozenset(routes)

    @cached_property
    def lines_naming(self) -> Callable[[list[str]], Iterator[int]]:
        """The indexes of the lines that hold one of the basenames: the cheap test before a
        line's words are resolved. One alternation of the names, run over the lines by C-level
        iteration: a removal of thousands of files has thousands of names, and a short name
        (`ui`) is in most lines of a large tree."""
        if not self.basenames:
            return lambda lines: iter(())
        search = re.compile("|".join(re.escape(n) for n in sorted(self.basenames, key=len, reverse=True))).search
        return lambda lines: itertools.compress(range(len(lines)), map(search, lines))


def gone_paths(tree: Worktree) -> Gone:
    """What the run deleted from `tree` so far: the deleted files, and the folders none of whose
    files is left (so that a reference to `src/video/` is known to point at something deleted)."""
    files = [p for p in tree.paths() if tree.is_deleted(p)]
    folders = {d for p in files for d in _ancestors(p.rpartition("/")[0])}
    emptied = (d for d in folders if all(map(tree.is_deleted, tree.under(d))))
    return Gone(frozenset(files) | frozenset(emptied), frozenset(tree.paths()), frozenset(tree.dirs()))


def _ancestors(folder: str) -> list[str]:
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def referring(tree: Worktree, gone: Gone, among: Iterable[str] | None = None) -> dict[str, list["Reference"]]:
    """The live files that name a deleted path, with those references (one pass over the tree,
    a byte prefilter on the deleted paths' names first; or only the files `among`, when the
    caller ran that prefilter in a pass of its own)."""
    names = gone.basenames
    if not names:
        return {}
    found = {}
    for path in (tree.grep(Literals(names)) if among is None else among):
        text = tree.read(path)
        refs = references(text, path, gone) if text is not None else []
        if refs:
            found[path] = refs
    return found


@dataclass(frozen=True)
class Reference:
    """A word of a line that names a deleted path: its 1-based line, column, the word, the path."""

    line: int
    column: int
    word: str
    target: str


_MKDOCS_CONFIGS = frozenset({"mkdocs.yml", "mkdocs.yaml"})
_DOCS_DIR_RE = re.compile(r"^docs_dir:[ \t]*['\"]?([^'\"#\s]+)", re.MULTILINE)


def docs_root(path: str, text: str) -> str | None:
    """The folder a MkDocs configuration's page paths (`nav:`) are relative to: its `docs_dir`,
    `docs` by default; None for any other file."""
    if posixpath.basename(path) not in _MKDOCS_CONFIGS:
        return None
    m = _DOCS_DIR_RE.search(text)
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(1) if m else "docs"))


def references(text: str, path: str, gone: Gone) -> list[Reference]:
    """Every word of `text` (the file at `path`) that names one of the deleted paths."""
    folder = posixpath.dirname(path)
    pages = docs_root(path, text)
    templated = path.endswith(".j2")  # a Jinja template names the files the others render
    found = []
    lines = text.splitlines()
    for index in gone.lines_naming(lines):  # most lines of a file name no deleted path
        number, line = index + 1, lines[index]
        for match in _WORD.finditer(line):
            target = resolve(match.group(), folder, gone, templated) \
                or (resolve(match.group(), pages, gone) if pages else None)
            if target:
                found.append(Reference(number, match.start() + 1, match.group(), target))
    return found


def resolve(word: str, folder: str, gone: Gone, templated: bool = False) -> str | None:
    """The deleted path `word` names, read from `folder` (the referring file's), or None. From a
    Jinja template (`templated`), a word may name the template rendering it (`openebs.yaml` is
    `openebs.yaml.j2` rendered)."""
    word = word.rstrip(".:,;")
    if word.startswith("//"):  # a web link: only the path after /tree/<ref>/ names a file here
        web = _WEB_REF.search(word)
        rest = word[web.end():].rstrip("/") if web else ""
        return rest if rest in gone.deleted else None
    direct = [form for c in _direct(word, folder) for form in ((c, c + ".j2") if templated else (c,))]
    if any(gone.existed(c) and c not in gone.deleted for c in direct):
        return None  # read one way it names a path that is still there: it may mean that one
    for candidate in direct:
        if candidate in gone.deleted or gone.inside_deleted(candidate):
            return candidate
    if direct and any(gone.existed(c) for c in direct):
        return None
    route = word.startswith("/") and not word.startswith("//") and "." not in word.rsplit("/", 1)[-1]
    return _suffix([s for s in word.split("/") if s not in ("", ".")], gone, route)


def _direct(word: str, folder: str) -> Iterable[str]:
    """The repository paths a relative word may mean: from the root, from the file's folder."""
    if word.startswith(("/", "~")):
        return
    bases = ("", folder) if "/" in word.strip("/") or not folder else (folder,)
    if "/" not in word.strip("/") and "." not in word:
        return  # a bare word without an extension is a name, not a path
    for base in dict.fromkeys(bases):
        joined = posixpath.normpath(posixpath.join(base, word))
        if joined != "." and not joined.startswith("../") and joined != "..":
            yield joined


def _suffix(segments: list[str], gone: Gone, route: bool = False) -> str | None:
    """The longest tail of two or more segments that is a deleted path (a repository path with a
    clone folder, a home directory or a site prefix in front), or with `route` (a site-absolute
    word) the tail of a deleted documentation page's route (`/site/docs/a/b` of the deleted
    `website/docs/a/b.md`)."""
    for start in range(len(segments) - 1):
        tail = "/".join(segments[start:])
        if len(segments) - start >= 2 and tail in gone.deleted:
            return tail
        if route and tail in gone.routes:
            return gone.routes[tail]
    return None


# A folder named for one version of something: `istio-1-16`, `istio-cni-1.17`, `python3`,
# `api-v2`: a stem with a letter in it, an optional separator and `v`, the version's numbers.
_VERSIONED_RE = re.compile(r"^(?P<stem>.*[A-Za-z])(?P<sep>[-_.]?v?)(?P<version>\d+(?:(?P<dot>[-_.])\d+)*)$")


@dataclass(frozen=True)
class Successor:
    """The folder that stays in place of a deleted versioned one (`common/istio-1-17` for the
    deleted `common/istio-1-16`: the same stem, another version, beside it), with the paths
    below it that exist (relative: `istio-crds/base`, `istio-crds/base/kustomization.yaml`)."""

    deleted: str
    folder: str
    below: frozenset[str]

    def repoint(self, path: str) -> str | None:
        """`path` (a repository path inside the deleted folder) inside the successor, when that
        path exists there; else None."""
        if path == self.deleted:
            return self.folder
        rest = path[len(self.deleted) + 1:] if path.startswith(self.deleted + "/") else None
        return f"{self.folder}/{rest}" if rest and rest.rstrip("/") in self.below else None


def successors(tree: Worktree, gone: Gone) -> tuple[Successor, ...]:
    """For each top-most deleted folder named for a version, the one live sibling folder named
    for another version of the same stem, spelled the same way (`istio-1-16` -> `istio-1-17`,
    never `istio-cni-1-17`). Two or more such siblings: none (which one a reference meant is a
    human's call)."""
    found = []
    live = [d for d in tree.dirs() if d not in gone.deleted]
    for top in gone.tops:
        if top not in gone.folders:
            continue
        parent, base = posixpath.split(top)
        shape = _version_shape(base)
        if shape is None:
            continue
        siblings = [d for d in live if posixpath.dirname(d) == parent and d != top
                    and _version_shape(posixpath.basename(d)) == shape]
        if len(siblings) == 1:
            found.append(Successor(top, siblings[0], _below(tree, siblings[0])))
    return tuple(found)


def _version_shape(name: str) -> tuple[str, str, str | None, int] | None:
    """(stem, separator, the version's inner separator, how many numbers) of a versioned folder
    name, or None."""
    m = _VERSIONED_RE.match(name)
    if not m:
        return None
    return m.group("stem"), m.group("sep"), m.group("dot"), len(re.split(r"[-_.]", m.group("version")))


def _below(tree: Worktree, folder: str) -> frozenset[str]:
    """The live files below `folder` and their folders, relative to it."""
    found = set()
    for path in tree.under(folder):
        if not tree.is_deleted(path):
            rest = path[len(folder) + 1:]
            found.add(rest)
            found.update(_ancestors(posixpath.dirname(rest)))
    return frozenset(found)
