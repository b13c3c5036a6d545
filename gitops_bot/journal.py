"""Writing a change to the working tree atomically, one `apply` at a time.

The protocol (what `ChangeSet.write` does):

1. **Lock.** `fcntl.flock` on `<staging>/lock`, held from before the recipe reads the tree until
   the last file is in place (`apply_lock`). A second run refuses (UserError, exit 2). The kernel
   drops the lock when its process dies, so a `kill -9` never leaves a stale lock.
2. **Recover.** A committed journal left by an interrupted run is completed (roll forward);
   staged files without a committed journal are deleted (roll back); both say so on stderr.
3. **Stage.** Every new file content is written to `<staging>/staged/NNNN` with the target's mode,
   and fsynced. Nothing in the tree has changed yet.
4. **Check.** Every file still holds the text the plan was computed from, and none is reached
   through a symbolic link that leaves the tree; otherwise refuse, naming the file, with nothing
   written.
5. **Commit.** The journal (below) is written to `journal.new`, fsynced and renamed to
   `journal.json`: from here on the change is decided, and any later run completes it.
6. **Replace.** `os.replace` each staged file onto its target (new parent directories created),
   then delete the deleted files (emptied parent directories removed), fsync the directories,
   and remove the journal. SIGINT/SIGTERM/SIGHUP wait until this step is over.

Staging lives on the tree's file system, outside the tree: `<gitdir>/gitops-bot/` when the tree
is in a git checkout (the gitdir a `.git` file points to, in linked worktrees and submodules),
else `<root>/.gitops-bot/apply/`, which the Worktree skips (SKIP_DIRS has `.gitops-bot`). It is
removed when a run ends with nothing pending. Because the hidden folder is part of the tree (a
tarball could ship one), none of its folders may be a symbolic link, its files are opened with
O_NOFOLLOW, and a journal's paths are all checked before the first move.

Journal (`journal.json`, UTF-8 JSON)::

    {"format": "gitops-bot-apply-journal/1", "pid": 4242,
     "recipe": "remove-service", "params": {"service": "video-service"},
     "root": ".",                       # the tree, relative to the staging's anchor directory
     "replace": [{"staged": "0000", "path": "k8s/apps/a.yaml"}, ...],   # staged/<staged> -> root/<path>
     "delete": ["services/video-service/go.mod", ...]}

The anchor is the directory holding `.git` (or the root itself), so the journal stays valid if
the whole checkout is moved.

Test-only hooks (environment variables nobody sets by accident; both only stop this process,
and the protocol is safe at every point they can stop it):
- `GITOPS_BOT_TEST_KILL_AFTER_STEP=<n>`: SIGKILL this process right after durable step n. Step 0
  is "the lock is held"; then one step per staged file, one for the journal commit, one per
  replaced or deleted file, one for the journal's removal (recovery's replacements count too).
- `GITOPS_BOT_TEST_PAUSE_WHEN_LOCKED=1`: once the lock is held (after recovery), print one line
  on stderr and wait for a line on stdin.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

from .errors import UserError

if TYPE_CHECKING:
    from .changeset import FileChange

FORMAT = "gitops-bot-apply-journal/1"
GIT_STAGING = "gitops-bot"  # inside the gitdir
HIDDEN = ".gitops-bot"  # at the root, when there is no usable gitdir
HIDDEN_STAGING = "apply"
LEGACY_SUFFIX = ".gitops-bot.tmp"  # the in-tree temporary siblings of gitops-bot <= this version
KILL_HOOK = "GITOPS_BOT_TEST_KILL_AFTER_STEP"
PAUSE_HOOK = "GITOPS_BOT_TEST_PAUSE_WHEN_LOCKED"
_DEFERRED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@dataclass
class Staging:
    """Where one tree's lock, journal and staged files live."""

    dir: Path
    anchor: Path  # journal paths are relative to this directory
    hidden: bool  # dir is <root>/.gitops-bot/apply (no usable gitdir)

    @property
    def lock(self) -> Path:
        return self.dir / "lock"

    @property
    def journal(self) -> Path:
        return self.dir / "journal.json"

    @property
    def journal_new(self) -> Path:
        return self.dir / "journal.new"

    @property
    def staged(self) -> Path:
        return self.dir / "staged"


def locate(root: Path) -> Staging:
    """The staging of the tree at `root` (nothing is created): the gitdir of the checkout that
    holds `root` when it is on the same file system, else the hidden directory at the root."""
    root = root.resolve()
    device = root.stat().st_dev
    folder = root
    while True:
        dot = folder / ".git"
        if dot.exists():
            gitdir = _gitdir(dot)
            if gitdir is not None and gitdir.is_dir() and gitdir.stat().st_dev == device:
                return Staging(gitdir / GIT_STAGING, folder, hidden=False)
            break
        parent = folder.parent
        if parent == folder or parent.stat().st_dev != device:  # git stops at file system borders too
            break
        folder = parent
    return Staging(root / HIDDEN / HIDDEN_STAGING, root, hidden=True)


def _gitdir(dot: Path) -> Path | None:
    """`.git` itself, or the directory a `.git` file (`gitdir: <path>`) points to."""
    if dot.is_dir():
        return dot.resolve()
    try:
        first = dot.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        return None
    if not first.startswith("gitdir: "):
        return None
    return (dot.parent / first[len("gitdir: "):].strip()).resolve()


# -- the lock ---------------------------------------------------------------------------------
_held: dict[str, Staging] = {}
_steps = 0


@contextmanager
def apply_lock(root: Path) -> Iterator[Staging]:
    """Hold the tree's apply lock (re-entrant within a process). On first acquisition an
    interrupted apply is completed or rolled back before the caller reads the tree."""
    root = root.resolve()
    staging = locate(root)
    key = str(staging.dir)
    if key in _held:
        yield _held[key]
        return
    fd = _acquire(staging, root)
    _held[key] = staging
    try:
        global _steps
        _steps = 0
        _step()
        recover(staging, root)
        if os.environ.get(PAUSE_HOOK):
            sys.stderr.write("gitops-bot: test hook: holding the apply lock, paused until a line on stdin\n")
            sys.stderr.flush()
            sys.stdin.readline()
        yield staging
    finally:
        del _held[key]
        _release(staging, fd)


def _acquire(staging: Staging, root: Path) -> int:
    for _ in range(100):  # retried only while another run is removing the staging directory
        try:
            _refuse_links(staging)
            staging.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(staging.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except FileNotFoundError:
            continue
        except UserError:
            raise
        except OSError as exc:
            raise UserError(f"cannot create the lock {staging.lock}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (pid {pid})" if pid.isdigit() else ""
            raise UserError(f"another gitops-bot apply is running on {root}{who}; try again when it ends") from None
        # The previous holder unlinks the lock file before letting go: make sure we locked the
        # file that is still there, not the one it just removed.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(staging.lock))
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd
    raise UserError(f"cannot lock {staging.lock}: it keeps disappearing")


def _refuse_links(staging: Staging) -> None:
    """The hidden staging folder is part of the tree, which anyone may have filled: none of its
    folders may be a symbolic link (the lock, staged files and journal are opened with O_NOFOLLOW)."""
    folders = [staging.dir.parent, staging.dir] if staging.hidden else [staging.dir]
    for folder in [*folders, staging.staged]:
        if folder.is_symlink():
            raise UserError(f"{folder} is a symbolic link; refusing to stage files through it")


def _release(staging: Staging, fd: int) -> None:
    """Remove the lock file (still holding it) and every directory that is left empty."""
    try:
        staging.lock.unlink(missing_ok=True)
        for folder in (staging.staged, staging.dir, *([staging.dir.parent] if staging.hidden else [])):
            try:
                folder.rmdir()
            except OSError:  # not empty (a journal to finish), or gone
                break
    finally:
        os.close(fd)


def _step() -> None:
    """Test hook: SIGKILL after the n-th durable step (see the module notes)."""
    global _steps
    if os.environ.get(KILL_HOOK) == str(_steps):
        os.kill(os.getpid(), signal.SIGKILL)
    _steps += 1


# -- recovery -----------------------------------------------------------------------------
def pending(root: Path) -> str | None:
    """A note when the tree has a committed journal (an apply running or interrupted); reads only."""
    staging = locate(root)
    if not staging.journal.exists():
        return None
    return (f"{root} has a half-applied change (an apply is running, or one was interrupted); "
            "the next `gitops-bot apply` completes it. This reads the tree as it is now.")


def recover(staging: Staging, root: Path) -> None:
    """Under the lock: complete a committed journal, delete staged files without one, and remove
    temporary files older versions left in the tree."""
    if staging.journal.exists():
        journal = _read_journal(staging)
        label = _label(journal.get("recipe", "?"), journal.get("params", {}))
        with _signals_deferred():
            moved, total, deleted = _roll_forward(staging, journal)
        _say(f"completed an interrupted apply ({label}): moved {moved} of {total} staged files into place "
             f"now, {deleted} deletions done")
    else:
        staging.journal_new.unlink(missing_ok=True)
        dropped = _clear_staged(staging)
        if dropped:
            _say(f"discarded {dropped} staged files of an interrupted apply that had not changed the tree yet")
    from .worktree import Worktree

    legacy = [p for p in Worktree(root).paths() if p.endswith(LEGACY_SUFFIX)]
    for path in legacy:
        (root / path).unlink(missing_ok=True)
    if legacy:
        _say(f"removed {len(legacy)} leftover *{LEGACY_SUFFIX} files of an older gitops-bot: {', '.join(legacy)}")


def _say(message: str) -> None:
    print(f"gitops-bot: {message}", file=sys.stderr)


def _label(recipe: str, params: Mapping[str, str]) -> str:
    return " ".join([recipe, *(f"{k}={v}" for k, v in params.items())])


def _clear_staged(staging: Staging) -> int:
    if not staging.staged.is_dir():
        return 0
    count = 0
    for entry in staging.staged.iterdir():
        entry.unlink()
        count += 1
    return count


def _read_journal(staging: Staging) -> dict:
    bad = UserError(f"{staging.journal} is not a gitops-bot journal; inspect it, then delete it")
    try:
        journal = json.loads(staging.journal.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise bad from exc
    if not isinstance(journal, dict) or journal.get("format") != FORMAT:
        raise bad
    try:
        _relative(journal["root"], allow_dot=True)
        for entry in journal["replace"]:
            _relative(entry["path"])
            if "/" in entry["staged"] or entry["staged"] in ("", ".", ".."):
                raise ValueError(entry["staged"])
        for path in journal["delete"]:
            _relative(path)
    except (KeyError, TypeError, ValueError) as exc:
        raise bad from exc
    return journal


def _relative(path: str, allow_dot: bool = False) -> PurePosixPath:
    """A relative POSIX path that stays inside the directory it is relative to."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or (not pure.parts and not allow_dot):
        raise ValueError(f"path {path!r} leaves the tree")
    return pure


# -- writing --------------------------------------------------------------------------------
def write_files(root: Path, files: Sequence[FileChange], recipe: str = "", params: Mapping[str, str] | None = None,
                ) -> None:
    """Apply `files` to the tree at `root` with the protocol in the module notes."""
    if not files:
        return
    root = root.resolve()
    for f in files:
        _relative(f.path)
    with apply_lock(root) as staging:
        replace = [f for f in files if f.after is not None]
        delete = [f.path for f in files if f.after is None]
        _check_same_file_system(staging, root, [f.path for f in files])
        staging.staged.mkdir(parents=True, exist_ok=True)
        entries: list[dict[str, str]] = []
        try:
            for i, f in enumerate(replace):
                name = f"{i:04d}"
                target = root / f.path
                mode = os.stat(target).st_mode & 0o7777 if f.status != "added" and target.exists() else None
                _write_durably(staging.staged / name, f.after.encode("utf-8"), mode)
                entries.append({"staged": name, "path": f.path})
                _step()
            _fsync_dir(staging.staged)
            _check_unchanged(root, files)
        except BaseException:
            _clear_staged(staging)
            raise
        journal = {"format": FORMAT, "pid": os.getpid(), "recipe": recipe, "params": dict(params or {}),
                   "root": root.relative_to(staging.anchor).as_posix(), "replace": entries, "delete": delete}
        with _signals_deferred():
            try:
                _write_durably(staging.journal_new, json.dumps(journal, indent=1).encode("utf-8"), 0o644)
                os.replace(staging.journal_new, staging.journal)
                _fsync_dir(staging.dir)
            except BaseException:
                staging.journal.unlink(missing_ok=True)  # nothing replaced yet: roll back
                staging.journal_new.unlink(missing_ok=True)
                _clear_staged(staging)
                raise
            _step()
            _roll_forward(staging, journal)


def _check_same_file_system(staging: Staging, root: Path, paths: Sequence[str]) -> None:
    device = staging.dir.stat().st_dev
    seen: set[Path] = set()
    for path in paths:
        folder = (root / path).parent
        while not folder.exists():
            folder = folder.parent
        if folder in seen:
            continue
        seen.add(folder)
        if folder.stat().st_dev != device:
            raise UserError(f"{path} is on another file system than {staging.dir}: it cannot be replaced "
                            "atomically; nothing written")


def _check_unchanged(root: Path, files: Sequence[FileChange]) -> None:
    """Refuse, naming the file, when the tree no longer holds what the plan was computed from."""
    for f in files:
        target = root / f.path
        if not _inside(root, target):
            raise UserError(f"{f.path} is behind a symbolic link that leaves the tree; nothing written")
        if target.is_symlink():
            raise UserError(f"{f.path} became a symbolic link since the plan was computed; nothing written")
        if f.status == "added":
            if target.exists():
                raise UserError(f"{f.path} was created since the plan was computed; nothing written "
                                "(run apply again)")
            continue
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise UserError(f"{f.path} was deleted since the plan was computed; nothing written "
                            "(run apply again)") from None
        except IsADirectoryError:
            raise UserError(f"{f.path} became a directory since the plan was computed; nothing written") from None
        if f.before is not None and data != f.before.encode("utf-8"):
            raise UserError(f"{f.path} changed since the plan was computed; nothing written (run apply again)")


def _inside(root: Path, target: Path) -> bool:
    """Whether `target`'s folder (its nearest existing ancestor) really is inside `root` (resolved):
    no symbolic link on the way leads out of the tree."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    real = folder.resolve()
    return real == root or root in real.parents


def _roll_forward(staging: Staging, journal: dict) -> tuple[int, int, int]:
    """Move every staged file that is still staged into place, make the deletions, then drop the
    journal. Safe to repeat: a file already moved is no longer staged. (moved, staged, deleted)"""
    root = staging.anchor / journal["root"]
    # A journal is only ever written by write_files, from checked paths; still, check everything
    # before the first move, so that nothing, however it got there, writes outside the tree.
    real = root.resolve()
    outside = [p for p in [e["path"] for e in journal["replace"]] + journal["delete"] if not _inside(real, root / p)]
    links = [e["staged"] for e in journal["replace"] if (staging.staged / e["staged"]).is_symlink()]
    if not (real == staging.anchor or staging.anchor in real.parents) or outside or links:
        raise UserError(f"{staging.journal} names {(outside + links + [journal['root']])[0]}, which leads out of "
                        "the tree through a symbolic link; nothing written: inspect the journal, then delete it")
    touched: set[Path] = set()
    moved = 0
    current = ""
    try:
        for entry in journal["replace"]:
            current = entry["path"]
            source, target = staging.staged / entry["staged"], root / entry["path"]
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                moved += 1
            touched.add(target.parent)
            _step()
        for path in journal["delete"]:
            current = path
            target = root / path
            target.unlink(missing_ok=True)
            touched.add(_remove_empty_parents(root, target.parent))
            _step()
        current = ""
        for folder in touched:
            if folder.is_dir():
                _fsync_dir(folder)
        staging.journal.unlink()
        _fsync_dir(staging.dir)
        _step()
    except OSError as exc:
        where = f"{current}: " if current else ""
        raise UserError(f"cannot finish writing the change ({where}{exc.strerror or exc}); it is half-applied: "
                        "fix the cause and run apply again to complete it") from exc
    _clear_staged(staging)
    return moved, len(journal["replace"]), len(journal["delete"])


def _remove_empty_parents(root: Path, directory: Path) -> Path:
    """Remove `directory` and its ancestors below `root` while they are empty (starting from the
    nearest one that exists, so a run interrupted half-way up is finished); the first kept one."""
    while directory != root and root in directory.parents and not directory.exists():
        directory = directory.parent
    while directory != root and root in directory.parents and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
    return directory


def _write_durably(path: Path, data: bytes, mode: int | None) -> None:
    path.unlink(missing_ok=True)  # a leftover of an earlier run; never write through what is there
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot fsync a directory
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP until the block ends (they are delivered then)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
