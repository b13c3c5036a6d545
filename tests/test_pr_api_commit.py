"""`pr --commit api` (and `pull_requests.commit: api`, the Action's default): the bot's commit is
made through GitHub's git data REST API, without an author, so GitHub signs it (Verified). The
fake GitHub serves that API on the bare origin and validates every request and response against
GitHub's OpenAPI description; the same rules as the git path keep a human's commits safe."""

from __future__ import annotations

import subprocess

import pytest

from gitops_bot.cli import main
from gitops_bot.delivery import git as gitmod

from .conftest import SLUG, git, push_as_human
from .fakes.github import TOKEN_ACCOUNT

BRANCH = "gitops-bot/remove-service/video-service"
GIT_DATA = ("/git/blobs", "/git/trees", "/git/commits", "/git/ref", "/git/refs")


@pytest.fixture
def api(github, repos):
    origin, clone = repos
    github.attach_git(SLUG, origin)
    return origin, clone


def pr(clone, *extra):
    return main(["pr", "remove-service", "service=video-service", "--repo", str(clone), "--commit", "api", *extra])


def head(origin, ref=BRANCH):
    return git(origin, "rev-parse", f"refs/heads/{ref}")


def writes(github):
    return [(method, path) for method, path, _ in github.requests if method != "GET"]


def test_the_commit_is_made_by_github_and_signed(github, api, capsys):
    origin, clone = api
    assert pr(clone) == 0
    assert capsys.readouterr().out.strip() == "opened: https://github.com/acme/platform/pull/1"
    sha = head(origin)
    assert sha in github.signed
    log = git(origin, "log", "--format=%an <%ae>|%cn <%ce>|%s", f"main..{BRANCH}").splitlines()
    assert log == [f"{TOKEN_ACCOUNT[0]} <{TOKEN_ACCOUNT[1]}>|GitHub <noreply@github.com>|"
                   "chore(gitops): remove video-service"]
    assert git(origin, "rev-parse", f"{BRANCH}^") == head(origin, "main")
    # no author or committer was sent: that is what makes GitHub sign it
    (commit,) = [body for method, path, body in github.requests if path.endswith("/git/commits")]
    assert sorted(commit) == ["message", "parents", "tree"]
    assert github.pulls[SLUG][0].head == BRANCH and f'"head": "{sha}"' in github.pulls[SLUG][0].body
    assert git(clone, "status", "--porcelain") == ""


def test_the_tree_is_the_git_paths_tree_modes_and_deletions_included(github, api, tmp_path):
    origin, clone = api
    assert pr(clone) == 0
    api_tree = git(origin, "rev-parse", f"{BRANCH}^{{tree}}")
    # the same run through the git path, on a copy of origin, gives the same tree object
    copy = tmp_path / "copy.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(origin), str(copy))
    git(copy, "update-ref", "-d", f"refs/heads/{BRANCH}")
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(copy), str(other))
    github.pulls[SLUG].clear()
    assert main(["pr", "remove-service", "service=video-service", "--repo", str(other), "--commit", "git"]) == 0
    assert git(copy, "rev-parse", f"{BRANCH}^{{tree}}") == api_tree
    changes = git(origin, "diff-tree", "-r", "--no-renames", "main", BRANCH).splitlines()
    deleted = [line.split("\t")[1] for line in changes if line.split("\t")[0].endswith(" D")]
    assert "services/video-service/go.mod" in deleted
    modes = dict(reversed(line.split("\t")[0].split()[0:1] + [line.split("\t")[1]])
                 for line in git(origin, "ls-tree", "-r", BRANCH, "k8s/argocd/scripts").splitlines())
    assert modes == {"k8s/argocd/scripts/status.sh": "100755", "k8s/argocd/scripts/sync-all.sh": "100755"}
    assert "k8s/argocd/scripts/sync-all.sh" in [line.split("\t")[1] for line in changes]


def test_a_second_run_with_the_same_result_writes_nothing(github, api, capsys):
    origin, clone = api
    pr(clone)
    sha, before = head(origin), writes(github)
    assert pr(clone) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "up-to-date: https://github.com/acme/platform/pull/1"
    assert head(origin) == sha and writes(github) == before


def test_a_new_result_rebuilds_the_branch_on_the_new_base(github, api, capsys):
    origin, clone = api
    pr(clone)
    first = head(origin)
    (clone / "docs" / "oncall.md").write_text("- **video-service**: media team\n- **auth-service**: identity\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "on-call list")
    git(clone, "push", "--quiet", "origin", "main")
    assert pr(clone) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "updated: https://github.com/acme/platform/pull/1"
    assert head(origin) != first and head(origin) in github.signed
    assert git(origin, "rev-parse", f"{BRANCH}^") == head(origin, "main")
    assert ("PATCH", f"/repos/{SLUG}/git/refs/heads/{BRANCH}") in writes(github)


def test_a_human_commit_on_the_branch_is_never_overwritten(github, api, tmp_path, capsys):
    origin, clone = api
    pr(clone)
    push_as_human(tmp_path, origin, BRANCH, "NOTES.md", "fixing the docs by hand\n", "docs by hand")
    human = head(origin)
    (clone / "docs" / "oncall.md").write_text("- **video-service**: media\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "base moves on")
    git(clone, "push", "--quiet", "origin", "main")
    before = len([w for w in writes(github) if "/git/" in w[1]])
    assert pr(clone) == 1
    assert "commits by Alice are on" in capsys.readouterr().out
    assert head(origin) == human
    assert len([w for w in writes(github) if "/git/" in w[1]]) == before  # not even a blob
    assert pr(clone, "--recreate") == 0 and head(origin) in github.signed


def test_a_web_editor_commit_with_the_bots_message_is_a_humans(github, api, capsys):
    """GitHub commits (and signs) a web-editor edit too, but authors it as the human."""
    origin, clone = api
    pr(clone)
    message = git(origin, "log", "-1", "--format=%B", BRANCH)
    tree = git(origin, "rev-parse", f"{BRANCH}^{{tree}}")
    env = {"GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com", "GIT_COMMITTER_NAME": "GitHub",
           "GIT_COMMITTER_EMAIL": "noreply@github.com", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(origin)}
    edited = subprocess.run(["git", "commit-tree", tree, "-p", head(origin), "-m", message], cwd=origin, env=env,
                            check=True, capture_output=True, text=True).stdout.strip()
    git(origin, "update-ref", f"refs/heads/{BRANCH}", edited)
    github.pulls[SLUG][0].body = github.pulls[SLUG][0].body.replace('"head"', '"old_head"')  # no marker head
    assert pr(clone) == 1
    assert "commits by Alice are on" in capsys.readouterr().out and head(origin) == edited


def test_a_branch_made_before_a_failed_pr_call_is_picked_up(github, api, capsys):
    origin, clone = api
    github.fail_next("POST /repos/{owner}/{repo}/pulls", 422, "Validation Failed")
    assert pr(clone) == 2
    made = head(origin)  # the branch exists; no PR (so no marker) records its head
    assert github.pulls[SLUG] == []
    assert pr(clone) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "opened: https://github.com/acme/platform/pull/1"
    assert head(origin) == made


def test_a_push_landing_between_read_and_update_is_kept(github, api, tmp_path, monkeypatch, capsys):
    origin, clone = api
    pr(clone)
    (clone / "docs" / "oncall.md").write_text("- **video-service**: media\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "base moves on")
    git(clone, "push", "--quiet", "origin", "main")
    read = gitmod.Checkout.remote_branch

    def read_then_a_human_pushes(self, *args, **kwargs):
        seen = read(self, *args, **kwargs)
        push_as_human(tmp_path, origin, BRANCH, "LATE.md", "late\n", "late", clone="late")
        return seen

    monkeypatch.setattr(gitmod.Checkout, "remote_branch", read_then_a_human_pushes)
    assert pr(clone) == 2
    late = head(origin)
    err = capsys.readouterr().err
    assert f"{BRANCH} changed on GitHub while gitops-bot was working" in err and "nothing was pushed" in err
    assert git(origin, "log", "-1", "--format=%s", late) == "late"


def test_a_tree_github_builds_differently_stops_before_the_branch_moves(github, api, monkeypatch, capsys):
    origin, clone = api
    serve = github._create_tree
    monkeypatch.setattr(github, "_create_tree", lambda slug, url, body: serve(slug, url, dict(
        body, tree=body["tree"][1:])))
    assert pr(clone) == 2
    assert "the tree came back as" in capsys.readouterr().err
    assert git(origin, "branch", "--list", BRANCH) == "" and github.pulls[SLUG] == []


def test_the_config_chooses_api_and_author_is_refused_with_it(github, api, capsys):
    origin, clone = api
    (clone / ".gitops-bot.yaml").write_text("pull_requests:\n  commit: api\n")
    assert main(["pr", "remove-service", "video-service", "--repo", str(clone)]) == 0
    assert head(origin) in github.signed
    assert main(["pr", "remove-service", "video-service", "--repo", str(clone), "--author", "A <a@b.c>"]) == 2
    assert "--author is for git commits" in capsys.readouterr().err
    capsys.readouterr()
    # the git path takes the API commit as the bot's own: the same result is up to date
    assert main(["pr", "remove-service", "video-service", "--repo", str(clone), "--commit", "git"]) == 0
    assert capsys.readouterr().out.startswith("up-to-date: ")
    (clone / "docs" / "oncall.md").write_text("- **video-service**: media\n")
    git(clone, "add", "docs")
    git(clone, "commit", "--quiet", "-m", "base moves on")
    git(clone, "push", "--quiet", "origin", "main")
    assert main(["pr", "remove-service", "video-service", "--repo", str(clone), "--commit", "git"]) == 0
    assert head(origin) not in github.signed  # --commit git wins over the config
    assert git(origin, "log", "-1", "--format=%an", BRANCH) == "gitops-bot"
