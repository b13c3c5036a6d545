"""An in-memory view of a repository's files: original texts, pending edits and deletions.

Operations read and write through a Worktree; nothing reaches the disk until a ChangeSet is
written. Files are read as bytes and decoded as UTF-8 without newline translation, so CRLF line
endings and a missing final newline survive every edit.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol, TypeVar, runtime_checkable

from gitops_bot.errors import UserError

# Directories that never hold configuration a recipe should edit.
SKIP_DIRS = frozenset({".git", "node_modules", "vendor", ".venv", "venv", "__pycache__", ".terraform",
                       ".idea", ".gitops-bot"})
# Of those, the dependency folders a repository commits (Go's `vendor/`, a web app's
# `assets/vendor/`): a deleted component folder takes them along (the others are generated).
VENDORED_DIRS = frozenset({"vendor"})
_BINARY_SNIFF = 8192
_READ_CHUNK = 256 * 1024  # most files are one read; the bytes object is shrunk to what arrived
# How many bytes of file contents a Worktree keeps between greps. A tree that fits (a 12 MB
# GitOps monorepo) is read from disk once per run, whatever the number of greps. When the budget
# runs out, only the files some grep matched are kept (they are the ones read next; the others
# are read again by the next grep, as every file was before), so a 50,000-file tree costs at
# most this much memory plus its matches.
CACHE_BUDGET = 32 * 1024 * 1024

K = TypeVar("K")


class Matcher(Protocol):
    """What `grep` tests a file's bytes with: a compiled bytes pattern, or any object with a
    `search(data)` whose result is truthy for the files to keep (versions.Anchors)."""

    def search(self, data: bytes, /) -> Any: ...


@runtime_checkable
class CaseFolded(Protocol):
    """A Matcher that searches lowered bytes (names.Prefilter): `grep_many` lowers each file
    once for all of them, and tests each distinct `first` word once, instead of once per
    matcher (a run's dozen names, `video-service-build` ...: a dozen passes over every file)."""

    first: bytes  # a word every match contains (lowered)

    def search_lowered(self, lowered: bytes, /) -> Any: ...


class Worktree:
    """Files under `root`, keyed by POSIX-style relative path."""

    def __init__(self, root: Path, cache_budget: int = CACHE_BUDGET) -> None:
        self.root = root
        self._prefix = os.path.join(root, "")  # root and a separator: joined to each scanned path
        self._paths: list[str] | None = None
        self._listed: frozenset[str] | None = None
        self._dirs: list[str] | None = None
        self._original: dict[str, str | None] = {}
        self._current: dict[str, str | None] = {}
        self._deleted: set[str] = set()
        # Bytes of text files read by grep, so that the next grep and `original` do not read the
        # disk again (at most cache_budget bytes in all; see CACHE_BUDGET).
        self._bytes: dict[str, bytes] = {}
        self._cache_left = cache_budget
        self._matched: set[str] = set()  # files a grep matched: kept when the budget runs out
        self._matched_only = False  # the budget ran out once: keep matched files only
        # Files that could not be read while scanning, with why (the residue lists them: they
        # may mention what a recipe changes).
        self.unreadable: dict[str, str] = {}

    # -- listing --------------------------------------------------------------------------
    def paths(self) -> list[str]:
        """Every file in the tree (sorted), skipping VCS and dependency folders."""
        if self._paths is None:
            self._walk()
        return self._paths

    def dirs(self) -> list[str]:
        """Every directory below the root (sorted), skipping the same folders."""
        if self._dirs is None:
            self._walk()
        return self._dirs

    def _walk(self) -> None:
        """One scandir pass: directory entries already say what is a link, so no extra stat."""
        files: list[str] = []
        dirs: list[str] = []
        pending = [("", str(self.root))]
        while pending:
            prefix, folder = pending.pop()
            try:
                entries = os.scandir(folder)
            except OSError as exc:
                raise UserError(f"cannot read the folder {prefix or './'}: {exc.strerror}") from exc
            with entries:
                for entry in entries:  # links are neither a directory nor a file unfollowed
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIP_DIRS:
                            dirs.append(prefix + entry.name)
                            pending.append((prefix + entry.name + "/", entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        files.append(prefix + entry.name)
        self._paths, self._dirs = sorted(files), sorted(dirs)

    def under(self, folder: str) -> list[str]:
        """The paths below `folder` (deleted ones included): one run of the sorted listing, found
        by bisection, so that asking for many folders does not walk the tree once per folder."""
        paths, prefix = self.paths(), folder + "/"
        start = bisect.bisect_left(paths, prefix)
        end = bisect.bisect_left(paths, prefix[:-1] + chr(ord("/") + 1), start)
        return paths[start:end]

    def vendored_under(self, folder: str) -> list[str]:
        """The files inside VENDORED_DIRS folders below `folder` (which the listing skips), read
        from disk without following links, sorted."""
        found = []
        for top, dirs, files in os.walk(self.root / folder):
            rel = Path(top).relative_to(self.root).as_posix()
            skipped = SKIP_DIRS - VENDORED_DIRS
            dirs[:] = [d for d in dirs if d not in skipped and not os.path.islink(os.path.join(top, d))]
            if VENDORED_DIRS & set(rel.split("/")[len(folder.split("/")):]):
                found += [f"{rel}/{f}" for f in files if os.path.isfile(os.path.join(top, f))
                          and not os.path.islink(os.path.join(top, f))]
        return sorted(found)

    def listed(self, path: str) -> bool:
        """Whether `path` is one of `paths()` (a set lookup, built once)."""
        if self._listed is None:
            self._listed = frozenset(self.paths())
        return path in self._listed

    def grep(self, pattern: Matcher, among: Iterable[str] | None = None) -> list[str]:
        """Paths of live files whose bytes match `pattern` (a cheap prefilter, no decoding)."""
        return self.grep_many({None: pattern}, among)[None]

    def grep_many(self, patterns: Mapping[K, Matcher], among: Iterable[str] | None = None) -> dict[K, list[str]]:
        """For each key, the paths of live files whose bytes match its pattern: one pass over
        the tree (or the listed paths `among`) for several prefilters (each file read once)."""
        hits: dict[K, list[str]] = {key: [] for key in patterns}
        plain = [(key, m.search) for key, m in patterns.items() if not isinstance(m, CaseFolded)]
        folded: dict[bytes, list[tuple[K, Any]]] = {}  # by the word each must contain: tested once per file
        for key, m in patterns.items():
            if isinstance(m, CaseFolded):
                folded.setdefault(m.first, []).append((key, m.search_lowered))
        for p in self.paths() if among is None else among:
            data = self._data(p)
            if data is None:
                continue
            matched = False
            for key, search in plain:
                if search(data):
                    hits[key].append(p)
                    matched = True
            lowered = data.lower() if folded else b""  # once per file for all of them
            for first, members in folded.items():
                if first not in lowered:
                    continue
                for key, search in members:
                    if search(lowered):
                        hits[key].append(p)
                        matched = True
            if p not in self._current:
                self._keep(p, data, matched)
        return hits

    def _keep(self, path: str, data: bytes, matched: bool) -> None:
        """Keep a file's bytes for the next grep and `original`, within the budget: every text
        file while the tree fits, then only files a grep matched."""
        if matched:
            self._matched.add(path)
        elif self._matched_only:
            return  # the common case on a large tree: decided before looking at the bytes
        if path in self._bytes or data.find(b"\0", 0, _BINARY_SNIFF) != -1:
            return
        if len(data) > self._cache_left and not self._matched_only:
            self._matched_only = True  # the tree does not fit: let go of what no grep matched
            for kept in [p for p in self._bytes if p not in self._matched]:
                self._cache_left += len(self._bytes.pop(kept))
        if self._matched_only and path not in self._matched:
            return
        if len(data) <= self._cache_left:
            self._bytes[path] = data
            self._cache_left -= len(data)

    def _data(self, path: str) -> bytes | None:
        """The live bytes of a listed file for grep: pending edits encoded, else the kept or the
        disk's bytes; None for a deleted or unreadable file."""
        if self.is_deleted(path):
            return None
        if path in self._current:
            text = self._current[path]
            return None if text is None else text.encode("utf-8")
        data = self._bytes.get(path)
        if data is not None:
            return data
        try:
            return read_file(self._prefix + path)
        except OSError as exc:
            self.unreadable[path] = exc.strerror or type(exc).__name__
            return None

    # -- contents -------------------------------------------------------------------------
    def original(self, path: str) -> str | None:
        """The file's text as it is on disk, or None for a binary or undecodable file."""
        if path not in self._original:
            # grep kept the bytes of listed files only, which the walk found without links
            data = self._bytes.get(path)
            if data is None:
                data = read_inside(self.root, path)
            if b"\0" in data[:_BINARY_SNIFF]:
                self._original[path] = None
            else:
                try:
                    self._original[path] = data.decode("utf-8")
                except UnicodeDecodeError:
                    self._original[path] = None
        return self._original[path]

    def read(self, path: str) -> str | None:
        """The file's current text, with pending edits applied (None when binary or deleted)."""
        if path in self._current:
            return self._current[path]
        return self.original(path)

    def write(self, path: str, text: str) -> None:
        self.original(path)
        self._current[path] = text

    def delete(self, path: str) -> None:
        self.original(path)
        self._current[path] = None
        self._deleted.add(path)

    def is_deleted(self, path: str) -> bool:
        return path in self._deleted

    def is_binary(self, path: str) -> bool:
        return self.original(path) is None

    def touched(self) -> list[str]:
        """Paths that were edited or deleted, sorted."""
        return sorted(p for p in self._current
                      if self.is_deleted(p) or self._current[p] != self._original.get(p))


def read_file(path: str) -> bytes:
    """The bytes of a file the scan reads. The one place a scan reads the disk, so it is the
    lowest-overhead read Python has: os.open/os.read, not pathlib (whose joins alone cost 0.6 s on
    50,000 files) nor open() (whose buffered file object costs a third more per small file)."""
    fd = os.open(path, os.O_RDONLY)  # not inheritable: Python opens with O_CLOEXEC
    try:
        first = os.read(fd, _READ_CHUNK)
        if len(first) < _READ_CHUNK:
            return first
        parts = [first]
        while chunk := os.read(fd, _READ_CHUNK):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def inside(root: Path, path: str) -> Path:
    """`root / path`, refused (UserError) when any part of it is a symbolic link: a link may lead
    out of the repository, and writing to it would replace the link with a regular file."""
    target = root
    for part in Path(path).parts:
        target = target / part
        if target.is_symlink():
            raise UserError(f"{path} is a symbolic link (to {os.readlink(target)}): gitops-bot never reads "
                            "or writes through links")
    return target


def read_inside(root: Path, path: str) -> bytes:
    """The bytes of a file of the repository (see `inside`); UserError when it cannot be read."""
    try:
        return inside(root, path).read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_text_inside(root: Path, path: str) -> str:
    """`read_inside` decoded as UTF-8; UserError naming the file when it is not."""
    try:
        return read_inside(root, path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text") from exc
