"""An in-memory view of a repository's files: original texts, pending edits and deletions.

Operations read and write through a Worktree; nothing reaches the disk until a ChangeSet is
written. Files are read as bytes and decoded as UTF-8 without newline translation, so CRLF line
endings and a missing final newline survive every edit.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Protocol, TypeVar, runtime_checkable

from gitops_bot.console import progress
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
    needs: tuple[bytes, ...]  # every word each match contains (lowered; `first` is one of them)

    def search_lowered(self, lowered: bytes, /) -> Any: ...


@runtime_checkable
class WordTested(Protocol):
    """A Matcher made of substring tests of its bytes (versions.Anchors, the floating and
    unpinned marks): `grep_many` finds which of all such matchers' `tested` words a file holds at once
    (`_WordIndex`: each distinct word once per file, and only where a shorter key it shares with
    others is found) and asks `search_present`, whose answer is `search`'s."""

    tested: tuple[bytes, ...]  # every word `search_present` looks for in `present`

    def search_present(self, data: bytes, present: set[bytes], /) -> Any:
        """`search(data)`, knowing `present`: which of `tested` `data` holds."""


class _WordIndex:
    """Which of many words a file holds, found with fewer substring searches than words: the
    words are grouped under a key, a KEY-byte piece of the lowered word that the most words
    share (`_version` for a catalogue's fifty variable names, `quay.io/`), and a group's words
    are looked for only in a file whose lowered bytes hold its key (a file holding a word holds
    its lowered key). A check's catalogue anchors and marks, 88 words, take 36 searches of each file
    instead of 88 (0.37 s -> 0.24 s of CPU on bench_realistic.py's tree)."""

    KEY = 8

    def __init__(self, words: Iterable[bytes]) -> None:
        unique = list(dict.fromkeys(words))
        shared: dict[bytes, int] = {}
        for lowered in {w.lower() for w in unique}:
            for piece in self._pieces(lowered):
                shared[piece] = shared.get(piece, 0) + 1
        self.groups: dict[bytes, list[bytes]] = {}
        for word in unique:
            # the most shared piece; among equals the greatest, so that the grouping is the same every run
            key = max(self._pieces(word.lower()), key=lambda piece: (shared[piece], piece))
            self.groups.setdefault(key, []).append(word)

    @classmethod
    def _pieces(cls, lowered: bytes) -> set[bytes]:
        if len(lowered) <= cls.KEY:
            return {lowered}
        return {lowered[i:i + cls.KEY] for i in range(len(lowered) - cls.KEY + 1)}

    def present(self, data: bytes, lowered: bytes) -> set[bytes]:
        """The words `data` holds (`lowered` is `data.lower()`)."""
        return {word for key, words in self.groups.items() if key in lowered for word in words if word in data}


class Probe:
    """A CaseFolded matcher that matches no file: a pass over the whole tree tests its word only
    to remember which files hold it (`_holding`), for the gates of later passes; the files that
    hold it are not kept for it (RunState._foreseen)."""

    def __init__(self, word: str) -> None:
        self.first = word.lower().encode()
        self.needs = (self.first,)

    def search(self, data: bytes) -> None:
        return None

    def search_lowered(self, lowered: bytes) -> None:
        return None


class Literals:
    """A byte prefilter for `Worktree.grep`: any of some words, case-sensitively. A substring
    search per word runs at C speed; a regex alternation of dozens of words does not (Python's
    `re` tries each alternative at each position: 2.7 s instead of 0.1 s on a 1,900-file tree)."""

    def __init__(self, words: Iterable[str | bytes]) -> None:
        self.words = tuple(sorted({w if isinstance(w, bytes) else w.encode() for w in words if w}))

    def search(self, data: bytes) -> bool:
        return any(map(data.__contains__, self.words))  # no generator frame per word: 3x faster


class Worktree:
    """Files under `root`, keyed by POSIX-style relative path."""

    def __init__(self, root: Path, cache_budget: int = CACHE_BUDGET, keep: Callable[[str], bool] | None = None) -> None:
        """`keep`: the files no grep matched whose bytes are kept for `original` (None: every
        one while the tree fits); a caller that reads, after its greps, only the files they
        matched and some it names by path says which (check: YAML files, the values files)."""
        self.root = root
        self._keep_unmatched = keep
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
        # For each case-folded word a pass over the whole tree tested, the files that held it
        # then (see grep_many).
        self._holding: dict[bytes, frozenset[str]] = {}
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

    def grep_many(self, patterns: Mapping[K, Matcher], among: Iterable[str] | None = None,
                  where: Mapping[K, Callable[[str], bool]] | None = None) -> dict[K, list[str]]:
        """For each key, the paths of live files whose bytes match its pattern: one pass over
        the tree (or the listed paths `among`) for several prefilters (each file read once).
        `where` gives some keys the only paths their pattern is tested on (a rule that reads
        YAML files only: the others it matches are not kept for it).

        A pass over the whole tree remembers which files hold each case-folded word it tested
        (`_holding`). A later word that contains one of those (`video-service.yaml` holds
        `video`, a Prefilter's word of the name) can only be in those files or in one the run
        has written since, so it is tested there only, and when every pattern is such a word
        the pass reads those files only: what a removal greps for after its first pass costs
        the bytes of the files that mention the component, not the size of the tree."""
        hits: dict[K, list[str]] = {key: [] for key in patterns}
        groups, plain, worded = self._plan(patterns)
        index = _WordIndex(word for _, m in worded for word in m.tested) if worded else None
        gates = [gate for _, gate, _ in groups] + [gate for _, _, gate, _ in plain] + [None for _ in worded]
        if among is not None:
            files: Iterable[str] = among
        elif all(gate is not None for gate in gates):  # only the files in some gate can match
            files = [p for p in sorted(set().union(*gates)) if self.listed(p)]  # the listing's order
        else:
            files = self.paths()
        holding: dict[bytes, list[str]] = {first: [] for first, gate, _ in groups if gate is None}
        scanned = progress().scan
        for p in files:
            data = self._data(p)
            if data is None:
                continue
            scanned()
            matched = False
            lowered = None
            found: list[bytes] = []  # the case-folded words this file holds
            elsewhere = {key for key, holds in where.items() if not holds(p)} if where else ()
            for first, gate, members in groups:
                if gate is not None and p not in gate:
                    continue
                if lowered is None:
                    lowered = data.lower()  # once per file for all of them
                if first not in lowered:
                    continue
                found.append(first)
                if gate is None:
                    holding[first].append(p)
                for key, search in members:
                    if key not in elsewhere and search(lowered):
                        hits[key].append(p)
                        matched = True
            if index is not None:
                if lowered is None:
                    lowered = data.lower()
                present = index.present(data, lowered)
                for key, m in worded:
                    if key not in elsewhere and m.search_present(data, present):
                        hits[key].append(p)
                        matched = True
            for key, search, gate, within in plain:
                if (gate is not None and p not in gate) or (within is not None and within not in found) \
                        or key in elsewhere:
                    continue
                found_for_key = hits[key]
                if found_for_key and found_for_key[-1] is p:
                    continue  # another part of the same pattern matched this file
                if search(data):
                    found_for_key.append(p)
                    matched = True
            if p not in self._current:
                self._keep(p, data, matched)
        if among is None and files is self._paths:  # a whole pass: what it saw holds until a file is written
            self._holding.update((first, frozenset(paths)) for first, paths in holding.items())
        return hits

    def _plan(self, patterns: Mapping[K, Matcher]) -> tuple[list, list, list]:
        """How grep_many tests `patterns`: case-folded ones grouped by their `first` word (tested
        once per file for the group), each with the files it can match in (a gate, or None: any);
        the others, each with its gate and the case-folded word of the same pass a file must hold
        for it to match (or None). A Literals is split by word: each word has its own gate. Third,
        the WordTested matchers grep_many tests with one _WordIndex (when there are several)."""
        written = frozenset(self._current)

        def gate(words: Iterable[bytes]) -> frozenset[str] | None:
            """The files that may hold a match holding each of the lowered `words` (one that
            holds a word a pass over the whole tree found), or None when nothing is known."""
            known = [self._holding[k] for w in words for k in self._holding if k in w]
            return min(known, key=len) | written if known else None

        # several WordTested: one _WordIndex for all (one alone: its own search, which stops at its first word)
        worded = [(key, m) for key, m in patterns.items()
                  if isinstance(m, WordTested) and not isinstance(m, CaseFolded)]
        worded = worded if len(worded) > 1 else []
        indexed = {key for key, _ in worded}
        grouped: dict[tuple[bytes, frozenset[str] | None], list[tuple[K, Any]]] = {}
        for key, m in patterns.items():
            if isinstance(m, CaseFolded):
                grouped.setdefault((m.first, gate(m.needs)), []).append((key, m.search_lowered))
        # an ungated group's word, tested in every file: a literal holding it needs it found
        firsts = sorted(first for first, gated in grouped if gated is None and first)
        plain: list[tuple[K, Any, frozenset[str] | None, bytes | None]] = []
        for key, m in patterns.items():
            if isinstance(m, Literals):
                parts: dict[tuple[frozenset[str] | None, bytes | None], list[bytes]] = {}
                for word in m.words:
                    gated = gate([word.lower()])
                    within = None if gated is not None else next((f for f in firsts if f in word.lower()), None)
                    parts.setdefault((gated, within), []).append(word)
                plain += [(key, Literals(words).search, gated, within) for (gated, within), words in parts.items()]
            elif not isinstance(m, CaseFolded) and key not in indexed:
                plain.append((key, m.search, None, None))
        return [(first, gated, members) for (first, gated), members in grouped.items()], plain, worded

    def _keep(self, path: str, data: bytes, matched: bool) -> None:
        """Keep a file's bytes for the next grep and `original`, within the budget: every text
        file while the tree fits (every one `keep` names), then only files a grep matched."""
        if matched:
            self._matched.add(path)
        elif self._matched_only or (self._keep_unmatched is not None and not self._keep_unmatched(path)):
            return  # the common case on a large tree: decided before looking at the bytes
        if path in self._bytes or self._original.get(path) is not None or data.find(b"\0", 0, _BINARY_SNIFF) != -1:
            return  # kept already (as bytes, or as the text `original` decoded), or binary
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
        text = self._original.get(path)
        if text is not None:
            return text.encode("utf-8")
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
                else:  # the text is kept: a grep encodes it again (UTF-8 gives back the same bytes)
                    self._bytes.pop(path, None)
        return self._original[path]

    def read(self, path: str) -> str | None:
        """The file's current text, with pending edits applied (None when binary or deleted)."""
        if path in self._current:
            return self._current[path]
        return self.original(path)

    def write(self, path: str, text: str) -> None:
        self.original(path)
        if path not in self._current:
            progress().edit()  # each file once, however many operations edit it
        self._current[path] = text

    def delete(self, path: str) -> None:
        self.original(path)
        if path not in self._current:
            progress().edit()
        self._current[path] = None
        self._deleted.add(path)

    def revert(self, path: str) -> None:
        """Drop the pending edit of a file that is not deleted: it reads as on disk again."""
        if not self.is_deleted(path):
            self._current.pop(path, None)

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
