"""Git for pull requests (GitPython): run a recipe on the up-to-date base branch in a temporary
worktree, commit the result on the bot's branch, and push it without ever overwriting a human.

The user's own checkout is never touched: the recipe runs in `git worktree add --detach` of
`origin/<base>`, and the commit is pushed straight to `refs/heads/<branch>` on origin. A branch
on origin is overwritten (with --force-with-lease) only when nobody else touched it: every commit
on it that is not on the base is authored by the bot, and its head is the commit the bot
recorded as its own (the PR marker's head; see `assess`).

Every git call runs with `subprocesses.git_overrides()`: the repository's hooks and fsmonitor
are off and secrets are blanked from git's environment.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from gitops_bot.errors import UserError
from gitops_bot.subprocesses import git_overrides, import_git

DEFAULT_AUTHOR = ("gitops-bot", "gitops-bot@users.noreply.github.com")


@dataclass(frozen=True)
class RemoteCommit:
    """One commit of the bot branch beyond the base, as `remote_branch` reads it."""

    sha: str
    author_name: str
    author_email: str
    committer_email: str
    message: str


@dataclass(frozen=True)
class TreeChange:
    """One path the bot's commit changes: its new mode and blob, or None for both when deleted."""

    path: str
    mode: str | None
    blob: str | None


@dataclass(frozen=True)
class RemoteBranch:
    """The bot branch as origin has it."""

    sha: str
    foreign_authors: tuple[str, ...]  # authors of commits on it that are not the bot's
    tree: str
    parent: str | None


@dataclass(frozen=True)
class PushResult:
    action: str  # push | pushed | up-to-date | blocked
    sha: str | None
    detail: str = ""


def assess(branch: str, remote: RemoteBranch | None, tree: str, base_sha: str,
           bot_heads: frozenset[str] | None = None, recreate: bool = False) -> PushResult:
    """Whether the bot may push `tree` on `base_sha` to `branch`: "push", "up-to-date" (origin
    already has exactly this result: one bot commit with this tree on this base, so nothing is
    pushed and nothing can be lost), or "blocked" (a human touched the branch).

    A human is detected by content, not only by name: `bot_heads` are the commits the PR's
    marker says the bot pushed; any other head (an amended or force-pushed commit, even one
    that keeps the bot as author) blocks. `bot_heads` is None when no marker records a head (no
    PR yet, or one from an older bot version): then only the authors decide. `recreate`
    replaces the branch whatever is on it."""
    if remote is None:
        return PushResult("push", None)
    if remote.tree == tree and remote.parent == base_sha and not remote.foreign_authors:
        return PushResult("up-to-date", remote.sha)
    if recreate:
        return PushResult("push", remote.sha)
    if remote.foreign_authors:
        return PushResult("blocked", remote.sha, f"commits by {', '.join(remote.foreign_authors)} are on {branch}")
    if bot_heads is not None and remote.sha not in bot_heads:
        return PushResult("blocked", remote.sha,
                          f"{branch} was changed after gitops-bot pushed it (its head {remote.sha[:12]} is not "
                          f"the bot's commit {' or '.join(sorted(h[:12] for h in bot_heads))})")
    return PushResult("push", remote.sha)


class Checkout:
    """A local clone whose `origin` is the repository the PR goes to."""

    def __init__(self, path: Path, author: tuple[str, str] = DEFAULT_AUTHOR) -> None:
        git = import_git()

        try:
            self.repo = git.Repo(path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise UserError(f"--repo {path}: not a git checkout") from exc
        if "origin" not in [r.name for r in self.repo.remotes]:
            raise UserError(f"{self.repo.working_dir}: no 'origin' remote to push to")
        self.git = self.repo.git
        self.git.update_environment(**git_overrides())
        self.author = author

    def fetch(self, base: str) -> str:
        """Fetch origin's base branch; its sha."""
        git = import_git()

        try:
            self.git.fetch("origin", f"+refs/heads/{base}:refs/remotes/origin/{base}", "--quiet")
        except git.GitCommandError as exc:
            raise UserError(f"cannot fetch {base} from origin: {_stderr(exc)}") from exc
        return self.git.rev_parse(f"refs/remotes/origin/{base}")

    def read_file(self, sha: str, path: str) -> str | None:
        """The text of `path` in commit `sha`, or None when the commit has no such entry. Read
        from git's object store, so no checkout is needed, and a symbolic link is refused rather
        than followed (it could point anywhere on the runner)."""
        entry = self.git.ls_tree(sha, "--", path).split("\t", 1)[0].split()
        if not entry:
            return None
        mode, kind, blob = entry
        if kind != "blob" or mode not in ("100644", "100755"):
            raise UserError(f"{path} on {sha[:12]} is not a regular file")
        data = self.git.cat_file("blob", blob, stdout_as_string=False)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(f"{path} on {sha[:12]} is not UTF-8 text") from exc

    def remote_branch(self, branch: str, base_sha: str,
                      also_bot: Callable[[RemoteCommit], bool] | None = None) -> RemoteBranch | None:
        """The bot branch on origin (fetched), or None when origin has none. A commit is the bot's
        when its author is the bot's git identity, or when `also_bot` says so (the commits the
        API path made, which GitHub authors as the token's own account)."""
        git = import_git()

        if not self.git.ls_remote("--heads", "origin", f"refs/heads/{branch}").strip():
            return None
        ref = f"refs/gitops-bot/remote/{branch}"
        try:
            self.git.fetch("origin", f"+refs/heads/{branch}:{ref}", "--quiet")
        except git.GitCommandError as exc:
            raise UserError(f"cannot fetch {branch} from origin: {_stderr(exc)}") from exc
        sha = self.git.rev_parse(ref)
        commits = self._commits(f"{base_sha}..{sha}")
        foreign = tuple(sorted({c.author_name for c in commits
                                if c.author_email != self.author[1] and not (also_bot and also_bot(c))}))
        parents = self.git.rev_parse(f"{sha}^@").split()
        tree = self.git.rev_parse(f"{sha}^{{tree}}")
        return RemoteBranch(sha, foreign, tree, parents[0] if len(parents) == 1 else None)

    def _commits(self, revisions: str) -> list[RemoteCommit]:
        """The commits of `revisions` (`a..b`), newest first, with their identities and messages."""
        out = self.git.log("-z", "--format=%H%x1f%an%x1f%ae%x1f%ce%x1f%B", revisions, strip_newline_in_stdout=False)
        return [RemoteCommit(*record.split("\x1f", 4)) for record in out.split("\0") if record.strip()]

    def tree_changes(self, base_sha: str, tree: str) -> list[TreeChange]:
        """Every path whose entry differs between the base commit's tree and `tree`, with the new
        mode and blob (None for a deleted path): what the API path sends, file modes included."""
        out = self.git.diff_tree("-r", "-z", "--no-renames", "--no-commit-id", base_sha, tree,
                                 strip_newline_in_stdout=False)
        fields = out.split("\0")
        changes = []
        for meta, path in zip(fields[0::2], fields[1::2]):
            _, new_mode, _, new_blob, status = meta.lstrip(":").split(" ")
            deleted = status == "D"
            changes.append(TreeChange(path, None if deleted else new_mode, None if deleted else new_blob))
        return changes

    def blob(self, sha: str) -> bytes:
        """A blob's bytes from the local object store (exactly what the local commit holds)."""
        return self.git.cat_file("blob", sha, stdout_as_string=False, strip_newline_in_stdout=False)

    @contextmanager
    def worktree(self, base_sha: str) -> Iterator[Path]:
        """A temporary detached worktree at the base commit, removed afterwards."""
        tmp = Path(tempfile.mkdtemp(prefix="gitops-bot-"))
        path = tmp / "worktree"
        self.git.worktree("add", "--detach", "--quiet", str(path), base_sha)
        try:
            yield path
        finally:
            self.git.worktree("remove", "--force", str(path))
            shutil.rmtree(tmp, ignore_errors=True)

    def commit(self, worktree: Path, base_sha: str, message: str) -> tuple[str, str]:
        """Commit everything in the worktree on top of the base; (commit sha, tree sha)."""
        git = import_git()

        tree_git = git.Repo(worktree).git
        tree_git.update_environment(**git_overrides())
        tree_git.add("--all")
        tree = tree_git.write_tree()
        name, email = self.author
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        with tree_git.custom_environment(**env):
            sha = tree_git.commit_tree(tree, "-p", base_sha, "-m", message)
        return sha, tree

    def push(self, branch: str, sha: str, remote: RemoteBranch | None) -> PushResult:
        """Push `sha` to the bot branch, leased on the head `remote` saw (so a push that lands in
        between is never overwritten); call only when `assess` said "push"."""
        git = import_git()

        lease = f"refs/heads/{branch}:{remote.sha if remote else ''}"
        try:
            self.git.push("origin", f"{sha}:refs/heads/{branch}", f"--force-with-lease={lease}", "--quiet")
        except git.GitCommandError as exc:
            raise UserError(f"push to {branch} refused: {_stderr(exc)}") from exc
        return PushResult("pushed", sha)


def _stderr(exc) -> str:
    text = (getattr(exc, "stderr", "") or str(exc)).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("stderr:")]
    return (lines[-1] if lines else text).strip("'").replace("error: ", "")
