"""Git for pull requests (GitPython): run a recipe on the up-to-date base branch in a temporary
worktree, commit the result on the bot's branch, and push it without ever overwriting a human.

The user's own checkout is never touched: the recipe runs in `git worktree add --detach` of
`origin/<base>`, and the commit is pushed straight to `refs/heads/<branch>` on origin. A branch
on origin is overwritten (with --force-with-lease) only when every commit on it that is not on
the base is the bot's.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import UserError

DEFAULT_AUTHOR = ("gitops-bot", "gitops-bot@users.noreply.github.com")


@dataclass(frozen=True)
class RemoteBranch:
    """The bot branch as origin has it."""

    sha: str
    foreign_authors: tuple[str, ...]  # authors of commits on it that are not the bot's
    tree: str
    parent: str | None


@dataclass(frozen=True)
class PushResult:
    action: str  # pushed | up-to-date | blocked
    sha: str | None
    detail: str = ""


class Checkout:
    """A local clone whose `origin` is the repository the PR goes to."""

    def __init__(self, path: Path, author: tuple[str, str] = DEFAULT_AUTHOR) -> None:
        import git

        try:
            self.repo = git.Repo(path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise UserError(f"--repo {path}: not a git checkout") from exc
        if "origin" not in [r.name for r in self.repo.remotes]:
            raise UserError(f"{self.repo.working_dir}: no 'origin' remote to push to")
        self.git = self.repo.git
        self.author = author

    def fetch(self, base: str) -> str:
        """Fetch origin's base branch; its sha."""
        import git

        try:
            self.git.fetch("origin", f"+refs/heads/{base}:refs/remotes/origin/{base}", "--quiet")
        except git.GitCommandError as exc:
            raise UserError(f"cannot fetch {base} from origin: {_stderr(exc)}") from exc
        return self.git.rev_parse(f"refs/remotes/origin/{base}")

    def remote_branch(self, branch: str, base_sha: str) -> RemoteBranch | None:
        """The bot branch on origin (fetched), or None when origin has none."""
        import git

        if not self.git.ls_remote("--heads", "origin", f"refs/heads/{branch}").strip():
            return None
        ref = f"refs/gitops-bot/remote/{branch}"
        try:
            self.git.fetch("origin", f"+refs/heads/{branch}:{ref}", "--quiet")
        except git.GitCommandError as exc:
            raise UserError(f"cannot fetch {branch} from origin: {_stderr(exc)}") from exc
        sha = self.git.rev_parse(ref)
        emails = self.git.log("--format=%ae %an", f"{base_sha}..{sha}").splitlines()
        foreign = tuple(sorted({line.split(" ", 1)[1] for line in emails
                                if line.split(" ", 1)[0] != self.author[1]}))
        parents = self.git.rev_parse(f"{sha}^@").split()
        tree = self.git.rev_parse(f"{sha}^{{tree}}")
        return RemoteBranch(sha, foreign, tree, parents[0] if len(parents) == 1 else None)

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
        import git

        tree_git = git.Repo(worktree).git
        tree_git.add("--all")
        tree = tree_git.write_tree()
        name, email = self.author
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        with tree_git.custom_environment(**env):
            sha = tree_git.commit_tree(tree, "-p", base_sha, "-m", message)
        return sha, tree

    def push(self, branch: str, sha: str, tree: str, base_sha: str, remote: RemoteBranch | None,
             recreate: bool = False) -> PushResult:
        """Push `sha` to the bot branch unless origin already has the same result, or a human's
        commits are on it (then nothing is pushed, unless `recreate`)."""
        import git

        if remote is not None:
            if remote.foreign_authors and not recreate:
                return PushResult("blocked", remote.sha,
                                  f"commits by {', '.join(remote.foreign_authors)} are on {branch}")
            if remote.tree == tree and remote.parent == base_sha and not remote.foreign_authors:
                return PushResult("up-to-date", remote.sha)
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
