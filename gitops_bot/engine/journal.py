"""Writing a change to the working tree atomically, one `apply` at a time.

The protocol (what `ChangeSet.write` does):

1. **Lock.** `fcntl.flock` on `<staging>/lock`, held from before the recipe reads the tree until
   the last file is in place (`apply_lock`). A second run refuses (UserError, exit 2). The kernel
   drops the lock when its process dies, so a `kill -9` never leaves a stale lock.
2. **Recover.** A committed journal left by an interrupted run is completed (roll forward);
   staged files without a committed journal are deleted (roll back); both say so on stderr.
   Rolling forward never overwrites a change made since the interrupted run: see "Recovery".
3. **Stage.** Every new file content is written to `<staging>/staged/NNNN` with the target's mode,
   and fsynced. Nothing in the tree has changed yet.
4. **Check.** Every file still holds the text the plan was computed from, and none is reached
   through a symbolic link that leaves the tree; otherwise refuse, naming the file, with nothing
   written.
5. **Commit.** The journal (below) is written to `journal.new`, fsynced and renamed to
   `journal.json`: from here on the change is decided, and any later run completes it.
6. **Replace.** `os.replace` each staged file onto its target (new parent directories created),
   then delete the deleted files (emptied parent directories removed), fsync the directories,
   and remove the journal. Each target is first hashed and compared with the journal, exactly as
   in recovery (below). SIGINT/SIGTERM/SIGHUP wait until this step is over.

Staging lives on the tree's file system, outside the tree: `<gitdir>/gitops-bot/` when the tree
is in a git checkout (the gitdir a `.git` file points to, in linked worktrees and submodules),
else `<root>/.gitops-bot/apply/`, which the Worktree skips (SKIP_DIRS has `.gitops-bot`). It is
removed when a run ends with nothing pending. Because the hidden folder is part of the tree (a
tarball could ship one), none of its folders may be a symbolic link, its files are opened with
O_NOFOLLOW, and a journal's paths are all checked before the first move.

Journal (`journal.json`, UTF-8 JSON)::

    {"format": "gitops-bot-apply-journal/2", "pid": 4242,
     "recipe": "remove-service", "params": {"service": "video-service"},
     "root": ".",                       # the tree, relative to the staging's anchor directory
     "replace": [{"staged": "0000", "path": "k8s/apps/a.yaml",         # staged/<staged> -> root/<path>
                  "before": "sha256:<64 hex>",  # what the target held when checked; "absent" for a new file
                  "after": "sha256:<64 hex>"},  # the staged content
                 ...],
     "delete": [{"path": "services/video-service/go.mod", "before": "sha256:<64 hex>"}, ...]}

The anchor is the directory holding `.git` (or the root itself), so the journal stays valid if
the whole checkout is moved. `before` hashes the bytes the check (step 4) read, which are the
plan's `FileChange.before`. A journal of format 1 (no hashes) is refused, naming what to do.

Recovery ("no change is lost"). For each entry, the target's current bytes are hashed (a target
that is missing is "absent"; a link, directory or other non-file matches nothing):
- equal to `after` (or absent, for a deletion): already done, left alone;
- equal to `before`: replaced (or deleted) as planned;
- anything else: someone changed it after the interrupted run. It is left exactly as it is, the
  other entries are completed, and stderr gets one line per such file,
  `gitops-bot: note: <path> changed since the interrupted apply; left as it is, its planned
  content is at <staging>/conflicts/<path>` (the staged file is moved there; for a deletion the
  line ends `left as it is (the plan deleted it)`). The journal is then removed as usual and the
  run stops with exit 1 before it reads the tree (the user reviews those files first; the next
  apply runs normally). The conflicts folder stays until the user deletes it.
The same comparison runs in step 6 of a normal apply, so a file edited between the check and its
replacement is kept too (the note then says "changed while this apply was writing").

Test-only hooks (environment variables nobody sets by accident; each only stops this process,
and the protocol is safe at every point they can stop it):
- `GITOPS_BOT_TEST_KILL_AFTER_STEP=<n>`: SIGKILL this process right after durable step n. Step 0
  is "the lock is held"; then one step per staged file, one for the journal commit, one per
  replaced or deleted file, one for the journal's removal (recovery's replacements count too).
- `GITOPS_BOT_TEST_PAUSE_WHEN_LOCKED=1`: once the lock is held (after recovery), print one line
  on stderr and wait for a line on stdin.
- `GITOPS_BOT_TEST_PAUSE_AFTER_STEP=<n>`: right after durable step n (numbered as above), print
  one line on stderr and wait for a line on stdin (with the signals held back, inside step 6).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import signal
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

from gitops_bot import console
from gitops_bot.errors import UserError

if TYPE_CHECKING:
    from gitops_bot.engine.changeset import FileChange

FORMAT = "gitops-bot-apply-journal/2"
FORMAT_1 = "gitops-bot-apply-journal/1"  # gitops-bot 0.1.0 before content hashes: refused
ABSENT = "absent"  # the state of a target that does not exist
OTHER = "other"  # a link, directory or other non-file: matches no recorded state
GIT_STAGING = "gitops-bot"  # inside the gitdir
HIDDEN = ".gitops-bot"  # at the root, when there is no usable gitdir
HIDDEN_STAGING = "apply"
LEGACY_SUFFIX = ".gitops-bot.tmp"  # the in-tree temporary siblings of gitops-bot <= this version
KILL_HOOK = "GITOPS_BOT_TEST_KILL_AFTER_STEP"
PAUSE_HOOK = "GITOPS_BOT_TEST_PAUSE_WHEN_LOCKED"
PAUSE_AFTER_HOOK = "GITOPS_BOT_TEST_PAUSE_AFTER_STEP"
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

    @property
    def conflicts(self) -> Path:
        """Planned contents of files that were changed since an interrupted apply, by path."""
        return self.dir / "conflicts"


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
    """Test hooks: SIGKILL, or pause, after the n-th durable step (see the module notes)."""
    global _steps
    if os.environ.get(KILL_HOOK) == str(_steps):
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(PAUSE_AFTER_HOOK) == str(_steps):
        sys.stderr.write(f"gitops-bot: test hook: paused after step {_steps} until a line on stdin\n")
        sys.stderr.flush()
        sys.stdin.readline()
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
    temporary files older versions left in the tree. Stops (UserError, exit 1) after all of that
    when files changed since the interrupted apply were left as they are."""
    stop: UserError | None = None
    if staging.journal.exists():
        journal = _read_journal(staging)
        label = _label(journal.get("recipe", "?"), journal.get("params", {}))
        with _signals_deferred():
            done = _roll_forward(staging, journal)
        n = len(done.kept)
        kept = f", left {n} changed {'file as it is' if n == 1 else 'files as they are'}" if n else ""
        _say(f"completed an interrupted apply ({label}): moved {done.moved} of {done.total} staged files into "
             f"place now, made {done.deleted} of {done.deletions} deletions now{kept}")
        if done.kept:
            _report(done.kept, "since the interrupted apply")
            stop = UserError(f"this apply stops here: review the {_files(n)} named above, which changed since the "
                             f"interrupted apply ({label}), then run apply again{_where_planned(staging, done)}",
                             exit_code=1)
    else:
        staging.journal_new.unlink(missing_ok=True)
        dropped = _clear_staged(staging)
        if dropped:
            _say(f"discarded {dropped} staged files of an interrupted apply that had not changed the tree yet")
    from gitops_bot.domain.worktree import Worktree

    legacy = [p for p in Worktree(root).paths() if p.endswith(LEGACY_SUFFIX)]
    for path in legacy:
        (root / path).unlink(missing_ok=True)
    if legacy:
        _say(f"removed {len(legacy)} leftover *{LEGACY_SUFFIX} files of an older gitops-bot: {', '.join(legacy)}")
    if stop is not None:
        raise stop


def _say(message: str) -> None:
    """What recovery did: a note (-q silences it)."""
    console.note(message)


def _report(kept: Sequence[tuple[str, str]], when: str) -> None:
    """The files an error that follows names "above": part of the error, never silenced."""
    for path, what in kept:
        print(f"gitops-bot: note: {path} changed {when}; {what}", file=sys.stderr)


def _files(n: int) -> str:
    return "file" if n == 1 else f"{n} files"


def _where_planned(staging: Staging, done: _Outcome) -> str:
    if not any(what.startswith("left as it is, its planned content is at") for _, what in done.kept):
        return ""
    return f" (delete {staging.conflicts} when you no longer need the planned contents)"


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
    if isinstance(journal, dict) and journal.get("format") == FORMAT_1:
        raise UserError(f"{staging.journal} was written by an older gitops-bot and records no content hashes, so "
                        "files edited since cannot be told apart; nothing written: finish or undo that change by "
                        f"hand (its new contents are in {staging.staged}), then delete {staging.dir}")
    if not isinstance(journal, dict) or journal.get("format") != FORMAT:
        raise bad
    try:
        _relative(journal["root"], allow_dot=True)
        for entry in journal["replace"]:
            _relative(entry["path"])
            if "/" in entry["staged"] or entry["staged"] in ("", ".", ".."):
                raise ValueError(entry["staged"])
            if not (_is_state(entry["before"]) and _is_state(entry["after"]) and entry["after"] != ABSENT):
                raise ValueError(entry)
        for entry in journal["delete"]:
            _relative(entry["path"])
            if not _is_state(entry["before"]) or entry["before"] == ABSENT:
                raise ValueError(entry)
    except (KeyError, TypeError, ValueError) as exc:
        raise bad from exc
    return journal


def _is_state(value: object) -> bool:
    if value == ABSENT:
        return True
    return (isinstance(value, str) and value.startswith("sha256:") and len(value) == 71
            and all(c in "0123456789abcdef" for c in value[7:]))


def _digest(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def file_state(path: Path) -> str:
    """What `path` holds now, as a journal records it: ABSENT, OTHER (a link, a directory), or
    `sha256:<hex>` of its bytes; a link is never followed. (A saved plan records the same.)"""
    return _state(path)


def _state(path: Path) -> str:
    """What `path` holds now, without following a link: ABSENT, OTHER, or the sha256 of its bytes."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return OTHER
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return ABSENT
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a link since the lstat
            return OTHER
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return OTHER
        sha = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            sha.update(chunk)
        return f"sha256:{sha.hexdigest()}"
    finally:
        os.close(fd)


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
                data = f.after.encode("utf-8")
                _write_durably(staging.staged / name, data, mode)
                entries.append({"staged": name, "path": f.path, "after": _digest(data)})
                _step()
            _fsync_dir(staging.staged)
            before = _check_unchanged(root, files)
        except BaseException:
            _clear_staged(staging)
            raise
        entries = [{"staged": e["staged"], "path": e["path"], "before": before[e["path"]], "after": e["after"]}
                   for e in entries]
        journal = {"format": FORMAT, "pid": os.getpid(), "recipe": recipe, "params": dict(params or {}),
                   "root": root.relative_to(staging.anchor).as_posix(), "replace": entries,
                   "delete": [{"path": path, "before": before[path]} for path in delete]}
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
            done = _roll_forward(staging, journal)
        if done.kept:
            _report(done.kept, "while this apply was writing")
            raise UserError(f"the {_files(len(done.kept))} named above changed while this apply was writing and "
                            "kept those changes; the rest of the change is written: review them, then run apply "
                            f"again{_where_planned(staging, done)}", exit_code=1)


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


def _check_unchanged(root: Path, files: Sequence[FileChange]) -> dict[str, str]:
    """Refuse, naming the file, when the tree no longer holds what the plan was computed from.
    The state each target was checked in (path -> ABSENT or the sha256 of its bytes)."""
    checked: dict[str, str] = {}
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
            checked[f.path] = ABSENT
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
        checked[f.path] = _digest(data)
    return checked


def _inside(root: Path, target: Path) -> bool:
    """Whether `target`'s folder (its nearest existing ancestor) really is inside `root` (resolved):
    no symbolic link on the way leads out of the tree."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    real = folder.resolve()
    return real == root or root in real.parents


@dataclass
class _Outcome:
    moved: int  # staged files moved into place by this call
    total: int  # staged files in the journal
    deleted: int  # deletions made by this call
    deletions: int  # deletions in the journal
    kept: list[tuple[str, str]]  # (path, what was done instead) for targets changed since they were checked


def _roll_forward(staging: Staging, journal: dict) -> _Outcome:
    """Complete the journal's entries, then drop it. Each target is hashed first: one that holds
    the planned content is done already, one that holds what was checked is replaced or deleted,
    and any other one was changed since by someone else and is left as it is (its planned content
    moved to the conflicts folder). Safe to repeat at any point."""
    root = staging.anchor / journal["root"]
    # A journal is only ever written by write_files, from checked paths; still, check everything
    # before the first move, so that nothing, however it got there, writes outside the tree.
    real = root.resolve()
    outside = [p for p in [e["path"] for e in journal["replace"]] + [e["path"] for e in journal["delete"]]
               if not _inside(real, root / p)]
    links = [e["staged"] for e in journal["replace"] if (staging.staged / e["staged"]).is_symlink()]
    if not (real == staging.anchor or staging.anchor in real.parents) or outside or links:
        raise UserError(f"{staging.journal} names {(outside + links + [journal['root']])[0]}, which leads out of "
                        "the tree through a symbolic link; nothing written: inspect the journal, then delete it")
    for entry in journal["replace"]:  # a staged file is whole, or already moved (then it is gone)
        source = staging.staged / entry["staged"]
        if _state(source) not in (ABSENT, entry["after"]):
            raise UserError(f"{source} does not hold the content {staging.journal} records for {entry['path']}; "
                            "nothing written: inspect the journal, then delete it")
    touched: set[Path] = set()
    kept: list[tuple[str, str]] = []
    moved = deleted = 0
    current = ""
    try:
        for entry in journal["replace"]:
            current = entry["path"]
            source, target = staging.staged / entry["staged"], root / entry["path"]
            now = _state(target)
            if now == entry["after"]:
                pass  # moved by the run that wrote the journal, or by an interrupted recovery
            elif now == entry["before"] and source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                moved += 1
            else:
                kept.append((entry["path"], _keep_planned(staging, entry, source, touched)))
            if target.parent.is_dir():
                touched.add(target.parent)
            _step()
        for entry in journal["delete"]:
            current = entry["path"]
            target = root / entry["path"]
            now = _state(target)
            if now == entry["before"]:
                target.unlink()
                deleted += 1
            if now in (entry["before"], ABSENT):  # ABSENT: deleted already, maybe not its emptied folders
                touched.add(_remove_empty_parents(root, target.parent))
            else:
                kept.append((entry["path"], "left as it is (the plan deleted it)"))
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
    return _Outcome(moved, len(journal["replace"]), deleted, len(journal["delete"]), kept)


def _keep_planned(staging: Staging, entry: Mapping[str, str], source: Path, touched: set[Path]) -> str:
    """Move a staged file whose target was changed since to `<staging>/conflicts/<path>` (durably,
    before the journal goes); what to tell the user."""
    dest = staging.conflicts / entry["path"]
    if source.exists():
        folder = staging.conflicts
        for name in ("", *PurePosixPath(entry["path"]).parts[:-1]):
            folder = folder / name
            try:
                folder.mkdir()
            except FileExistsError:
                pass
            if folder.is_symlink() or not folder.is_dir():
                raise UserError(f"{folder} is not a plain folder; cannot keep the planned content of "
                                f"{entry['path']} there: move it away and run apply again")
            touched.add(folder)
        os.replace(source, dest)
        touched.add(staging.staged)
    elif _state(dest) != entry["after"]:  # not moved there by an interrupted recovery either
        return "left as it is (its planned content is no longer staged)"
    return f"left as it is, its planned content is at {dest}"


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
