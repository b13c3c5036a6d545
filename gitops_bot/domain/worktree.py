"""An in-memory view of a repository's files: original texts, pending edits and deletions.

Operations read and write through a Worktree; nothing reaches the disk until a ChangeSet is
written. Files are read as bytes and decoded as UTF-8 without newline translation, so CRLF line
endings and a missing final newline survive every edit.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gitops_bot.errors import UserError

# Directories that never hold configuration a recipe should edit.
SKIP_DIRS = frozenset({".git", "node_modules", "vendor", ".venv", "venv", "__pycache__", ".terraform",
                       ".idea", ".gitops-bot"})
_BINARY_SNIFF = 8192


class Worktree:
    """Files under `root`, keyed by POSIX-style relative path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._paths: list[str] | None = None
        self._dirs: list[str] | None = None
        self._original: dict[str, str | None] = {}
        self._current: dict[str, str | None] = {}
        self._deleted: set[str] = set()
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
                for entry in entries:
                    if entry.is_symlink():
                        continue
                    if entry.is_dir():
                        if entry.name not in SKIP_DIRS:
                            dirs.append(prefix + entry.name)
                            pending.append((prefix + entry.name + "/", entry.path))
                    elif entry.is_file():
                        files.append(prefix + entry.name)
        self._paths, self._dirs = sorted(files), sorted(dirs)

    def grep(self, pattern: re.Pattern[bytes]) -> list[str]:
        """Paths of live files whose bytes match `pattern` (a cheap prefilter, no decoding)."""
        hits = []
        for p in self.paths():
            if self.is_deleted(p):
                continue
            if p in self._current:
                text = self._current[p]
                if text is not None and pattern.search(text.encode("utf-8")):
                    hits.append(p)
                continue
            try:
                data = (self.root / p).read_bytes()
            except OSError as exc:
                self.unreadable[p] = exc.strerror or type(exc).__name__
                continue
            if pattern.search(data):
                hits.append(p)
        return hits

    # -- contents -------------------------------------------------------------------------
    def original(self, path: str) -> str | None:
        """The file's text as it is on disk, or None for a binary or undecodable file."""
        if path not in self._original:
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
