"""The bot's commit made through GitHub's git data REST API (`commit: api`), so that GitHub signs
it and shows it Verified, which branch protection that requires signed commits accepts.

The commit is first made locally, exactly as the git path makes it (delivery/git.py): that local
commit is the single source of what goes up. The API then receives the blobs of every path that
changed (their bytes from the local object store, as base64, so nothing is re-encoded), a tree on
the base commit's tree with those entries (their modes as git recorded them, `100755`
executables and `120000` links included; a deleted path is an entry with no sha), and a commit
with the bot's message on the base. GitHub's tree must be the local tree, object for object
(git's ids are content hashes): anything else stops the run before a branch moves.

No author or committer is sent: GitHub only signs a commit an app's token makes through the API
when it sets neither, and authors it as the token's account (`github-actions[bot]` for the
workflow token). So such a commit is recognised as the bot's by `is_api_commit`, not by the
git author.

The branch moves last, under the same rules as a push (never over a human's commits): the
branch's head is read again and must still be the one the decision was made on, then the
branch is created (GitHub refuses if it exists by then) or moved to the new commit.
"""

from __future__ import annotations

from gitops_bot.delivery.git import PushResult, RemoteBranch, RemoteCommit, TreeChange
from gitops_bot.errors import UserError

GITHUB_COMMITTER = "noreply@github.com"  # the committer of commits GitHub makes and signs (web-flow)
_TYPES = {"160000": "commit", "040000": "tree"}  # any other mode is a blob


def is_api_commit(commit: RemoteCommit, message: str) -> bool:
    """Whether a commit on the bot branch is one the API path made for this very invocation:
    committed by GitHub, authored by an app's bot account (`...[bot]@users.noreply.github.com`),
    with the message the bot writes for this recipe and parameters. A human's edit in GitHub's
    web editor is committed by GitHub too, but authored by the human."""
    return (commit.committer_email == GITHUB_COMMITTER
            and commit.author_email.endswith("[bot]@users.noreply.github.com")
            and commit.message.strip() == message.strip())


def create_commit(github, checkout, base_sha: str, tree: str, message: str) -> str:
    """Upload what the local `tree` changes on `base_sha` and create the commit object (no branch
    moves); its sha. UserError when GitHub's tree is not the local one."""
    changes: list[TreeChange] = checkout.tree_changes(base_sha, tree)
    entries = []
    for change in changes:
        if change.blob is None:
            entries.append({"path": change.path, "mode": "100644", "type": "blob", "sha": None})
            continue
        kind = _TYPES.get(change.mode, "blob")
        sha = github.create_blob(checkout.blob(change.blob)) if kind == "blob" else change.blob
        if sha != change.blob:
            raise UserError(f"GitHub API: the blob of {change.path} came back as {sha[:12]}, not {change.blob[:12]}")
        entries.append({"path": change.path, "mode": change.mode, "type": kind, "sha": sha})
    base_tree = checkout.git.rev_parse(f"{base_sha}^{{tree}}")
    remote_tree = github.create_tree(base_tree, entries)
    if remote_tree != tree:
        raise UserError(f"GitHub API: the tree came back as {remote_tree[:12]}, not the local {tree[:12]}; "
                        "nothing was pushed")
    commit = github.create_commit(message, tree, [base_sha])
    return str(commit["sha"])


def update_branch(github, branch: str, sha: str, remote: RemoteBranch | None) -> PushResult:
    """Point `branch` at `sha`, leased on the head `remote` saw: if the branch moved since (a
    human pushed), nothing is changed and the run stops with one line."""
    now = github.branch_head(branch)
    seen = remote.sha if remote else None
    if now != seen:
        raise UserError(f"{branch} changed on GitHub while gitops-bot was working (its head is "
                        f"{(now or 'gone')[:12]}, not {(seen or 'absent')[:12]}); nothing was pushed: run it again")
    if now is None:
        github.create_branch(branch, sha)
    else:
        github.move_branch(branch, sha)
    return PushResult("pushed", sha)
