"""`gitops-bot pr`: real git repositories with a local bare origin, and a fake GitHub over real
HTTP that validates every request and response against GitHub's OpenAPI description."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main

from .conftest import SLUG, git, push_as_human

BRANCH = "gitops-bot/remove-service/video-service"


def pr(clone, *extra):
    return main(["pr", "remove-service", "service=video-service", "--repo", str(clone), *extra])


def head(origin, ref=BRANCH):
    return git(origin, "rev-parse", f"refs/heads/{ref}")


def test_first_run_opens_the_pr(github, repos, capsys):
    origin, clone = repos
    main_before = head(origin, "main")
    assert pr(clone, "--label", "gitops", "--reviewer", "bob") == 0
    assert capsys.readouterr().out.strip() == "opened: https://github.com/acme/platform/pull/1"
    (pull,) = github.pulls[SLUG]
    assert (pull.head, pull.base, pull.title, pull.state) == (BRANCH, "main", "chore(gitops): remove video-service",
                                                              "open")
    assert pull.labels == ["gitops"] and pull.reviewers == ["bob"]
    assert "\n- [`docs/runbook.md`](https://github.com/acme/platform/blob/" in pull.body
    assert "\n  - [ ] L6 `" in pull.body
    assert "\n- [ ] <!-- gitops-bot:rerun --> Re-run this recipe on the latest base\n" in pull.body
    assert "gitops-bot plan remove-service service=video-service" in pull.body
    assert '<!-- gitops-bot: {"base": "main"' in pull.body and '"recipe": "remove-service"' in pull.body
    log = git(origin, "log", "--format=%an <%ae>|%s", f"main..{BRANCH}").splitlines()
    assert log == ["gitops-bot <gitops-bot@users.noreply.github.com>|chore(gitops): remove video-service"]
    assert head(origin, "main") == main_before  # never commits to the base branch
    changed = git(origin, "diff", "--name-only", f"main..{BRANCH}").splitlines()
    assert "go.work" in changed and "services/video-service/go.mod" in changed
    assert git(clone, "status", "--porcelain") == ""  # the maintainer's checkout is untouched


def test_second_run_with_the_same_result_changes_nothing(github, repos, capsys):
    origin, clone = repos
    pr(clone)
    sha = head(origin)
    writes_before = [r for r in github.requests if r[0] != "GET"]
    assert pr(clone) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "up-to-date: https://github.com/acme/platform/pull/1"
    assert head(origin) == sha
    assert [r for r in github.requests if r[0] != "GET"] == writes_before
    assert len(github.pulls[SLUG]) == 1


def test_changed_result_updates_branch_and_body(github, repos, capsys):
    origin, clone = repos
    pr(clone)
    first_sha = head(origin)
    (clone / "docs" / "oncall.md").write_text(
        "# On call\n\n- **video-service**: media team\n- **auth-service**: identity\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "on-call list")
    git(clone, "push", "--quiet", "origin", "main")
    assert pr(clone) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "updated: https://github.com/acme/platform/pull/1"
    assert head(origin) != first_sha
    assert git(origin, "rev-parse", f"{BRANCH}^") == head(origin, "main")  # rebuilt on the new base
    assert "docs/oncall.md" in github.pulls[SLUG][0].body
    assert len(github.pulls[SLUG]) == 1


def test_empty_result_closes_the_pr_with_a_comment(github, repos, capsys):
    origin, clone = repos
    pr(clone)
    git(clone, "fetch", "--quiet", "origin")
    git(clone, "merge", "--quiet", "--ff-only", f"origin/{BRANCH}")  # someone lands the change by hand
    git(clone, "push", "--quiet", "origin", "main")
    github.pulls[SLUG][0].state = "open"
    assert pr(clone) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("closed: https://github.com/acme/platform/pull/1")
    assert github.pulls[SLUG][0].state == "closed"
    assert "no longer changes anything" in github.comments[-1]["body"]


def test_no_change_opens_nothing(github, repos, capsys):
    _, clone = repos
    assert main(["pr", "remove-service", "service=payments-service", "--repo", str(clone)]) == 0
    assert capsys.readouterr().out.startswith("no-change: -")
    assert github.pulls[SLUG] == [] and [r for r in github.requests if r[0] != "GET"] == []


def test_human_commit_on_the_bot_branch_is_not_overwritten(github, repos, tmp_path, capsys):
    origin, clone = repos
    pr(clone)
    push_as_human(tmp_path, origin, BRANCH, "NOTES.md", "fixing the docs by hand\n", "docs by hand")
    human_sha = head(origin)
    (clone / "docs" / "oncall.md").write_text("- **video-service**: media\n- **auth-service**: identity\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "base moves on")
    git(clone, "push", "--quiet", "origin", "main")
    assert pr(clone) == 1
    assert "commits by Alice are on" in capsys.readouterr().out
    assert head(origin) == human_sha
    assert "needs to finish this PR, or re-run with `--recreate`" in github.comments[-1]["body"]
    comments = len(github.comments)
    assert pr(clone) == 1 and len(github.comments) == comments  # said once, not on every run
    assert pr(clone, "--recreate") == 0
    assert git(origin, "log", "--format=%an", f"main..{BRANCH}") == "gitops-bot"


def test_closed_pr_is_not_reopened(github, repos, capsys):
    origin, clone = repos
    pr(clone)
    github.pulls[SLUG][0].state = "closed"  # a human closed it
    sha = head(origin)
    assert pr(clone) == 1
    assert "does not reopen" in capsys.readouterr().out
    assert github.pulls[SLUG][0].state == "closed" and len(github.pulls[SLUG]) == 1
    assert head(origin) == sha


def test_validation_error_is_one_line_and_the_next_run_picks_up_the_push(github, repos, capsys):
    origin, clone = repos
    github.fail_next("POST /repos/{owner}/{repo}/pulls", 422, "Validation Failed",
                     errors=[{"resource": "PullRequest", "code": "custom", "message": "base branch is protected"}])
    assert pr(clone) == 2
    err = capsys.readouterr().err
    assert err == ("gitops-bot: error: GitHub API: cannot open the pull request: HTTP 422: Validation Failed "
                   "(base branch is protected)\n")
    sha = head(origin)  # the push happened before the failed call
    assert pr(clone) == 0
    assert capsys.readouterr().out.startswith("opened:")
    assert head(origin) == sha


def test_secondary_rate_limit_is_retried_after_the_given_wait(github, repos, capsys, monkeypatch):
    _, clone = repos
    waits = []
    monkeypatch.setattr("gitops_bot.delivery.github._sleep", waits.append)
    github.fail_next("GET /repos/{owner}/{repo}/pulls", 403,
                     "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                     headers={"Retry-After": "7"})
    github.fail_next("POST /repos/{owner}/{repo}/pulls", 502, "Server Error")
    assert pr(clone) == 0
    assert waits == [7.0, 1.0]
    assert len(github.pulls[SLUG]) == 1


@pytest.mark.parametrize("unset, message", [
    ("GITHUB_TOKEN", "GITHUB_TOKEN is not set"),
    ("GITHUB_REPOSITORY", "no repository: set GITHUB_REPOSITORY=owner/name or pass --repo-slug"),
])
def test_missing_settings(github, repos, capsys, monkeypatch, unset, message):
    origin, clone = repos
    monkeypatch.delenv(unset)
    assert pr(clone) == 2
    assert message in capsys.readouterr().err
    assert github.requests == []


def test_bad_token_is_one_clear_line(github, repos, capsys):
    _, clone = repos
    github.fail_next("GET /repos/{owner}/{repo}", 401, "Bad credentials")
    assert pr(clone) == 2
    assert capsys.readouterr().err == ("gitops-bot: error: GitHub API: cannot read the repository: HTTP 401: "
                                       "Bad credentials; check GITHUB_TOKEN\n")


def test_not_a_git_checkout(github, tmp_path, capsys):
    assert main(["pr", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 2
    assert "not a git checkout" in capsys.readouterr().err


# -- a human's work on the bot branch is recognised by content, not by author ----------------
BOT = "gitops-bot <gitops-bot@users.noreply.github.com>"


def move_base(clone, name="oncall.md"):
    """A new commit on main that the recipe changes, so the next run has a new result."""
    (clone / "docs" / name).write_text(f"# {name}\n\n- **video-service**: media\n- **auth-service**: identity\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", f"base moves: {name}")
    git(clone, "push", "--quiet", "origin", "main")


def marker_of(github):
    from gitops_bot.delivery.pr import read_marker

    return read_marker(github.pulls[SLUG][0].body)


def test_amended_bot_commit_keeping_the_bot_as_author_is_not_overwritten(github, repos, tmp_path, capsys):
    origin, clone = repos
    assert pr(clone) == 0
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "-b", BRANCH, str(origin), str(other))
    (other / "NOTES.md").write_text("fixed by hand\n")
    git(other, "add", "-A")
    git(other, "commit", "--amend", "--no-edit", "--quiet", author=BOT)  # author and committer stay the bot
    git(other, "push", "--quiet", "--force", "origin", BRANCH)
    human_sha = head(origin)
    assert git(origin, "log", "--format=%an <%ae>", f"main..{BRANCH}") == BOT
    move_base(clone)
    assert pr(clone) == 1
    assert "was changed after gitops-bot pushed it" in capsys.readouterr().out
    assert head(origin) == human_sha  # the human's commit is still there
    assert marker_of(github)["head"] != human_sha  # the marker still names the commit the bot pushed
    assert len(github.comments) == 1 and "A human needs to finish this PR" in github.comments[0]["body"]
    assert pr(clone) == 1 and len(github.comments) == 1  # said once
    assert pr(clone, "--recreate") == 0
    assert head(origin) != human_sha and marker_of(github)["head"] == head(origin)
    assert git(origin, "ls-tree", "--name-only", BRANCH, "NOTES.md") == ""


def test_push_before_a_failed_update_is_picked_up_after_the_base_moves(github, repos, capsys):
    origin, clone = repos
    pr(clone)
    move_base(clone)
    # The update after the push fails (the PATCH before it, which records the pending head, passes).
    github.fail_next("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", 422, "Validation Failed", after=1)
    assert pr(clone) == 2
    pushed = head(origin)
    assert marker_of(github)["pending"] == pushed and marker_of(github)["head"] != pushed
    move_base(clone, "escalation.md")
    assert pr(clone) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "updated: https://github.com/acme/platform/pull/1"
    assert head(origin) != pushed and marker_of(github)["head"] == head(origin)
    assert "pending" not in marker_of(github) and github.comments == []


def test_marker_without_a_head_falls_back_to_the_authors(github, repos, tmp_path, capsys):
    origin, clone = repos
    pr(clone)
    pull = github.pulls[SLUG][0]
    old = marker_of(github)
    del old["head"]  # a PR opened by a bot version that did not record its head
    pull.body = pull.body[:pull.body.index("<!-- gitops-bot:")] + f"<!-- gitops-bot: {json.dumps(old)} -->\n"
    move_base(clone)
    assert pr(clone) == 0 and capsys.readouterr().out.splitlines()[-1].startswith("updated:")
    assert marker_of(github)["head"] == head(origin)  # and from now on it is recorded
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "-b", BRANCH, str(origin), str(other))
    (other / "NOTES.md").write_text("by hand\n")
    git(other, "add", "-A")
    git(other, "commit", "--quiet", "-m", "by hand")  # Alice
    git(other, "push", "--quiet", "origin", BRANCH)
    move_base(clone, "escalation.md")
    assert pr(clone) == 1 and "commits by Alice are on" in capsys.readouterr().out


def test_first_run_picks_up_a_bot_branch_left_by_a_failed_open_after_the_base_moves(github, repos, capsys):
    origin, clone = repos
    github.fail_next("POST /repos/{owner}/{repo}/pulls", 422, "Validation Failed")
    assert pr(clone) == 2
    left = head(origin)
    move_base(clone)
    assert pr(clone) == 0  # no PR, no marker to contradict it, every commit the bot's: replaced
    assert capsys.readouterr().out.splitlines()[-1] == "opened: https://github.com/acme/platform/pull/1"
    assert head(origin) != left and marker_of(github)["head"] == head(origin)
    assert git(origin, "rev-parse", f"{BRANCH}^") == head(origin, "main")


def test_a_fake_marker_quoted_from_a_file_does_not_pose_as_the_bot(github, repos, capsys):
    origin, clone = repos
    (clone / "docs" / "notes.md").write_text(
        'video-service <!-- gitops-bot: {"closed_by_bot": true} -->\n')
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "notes")
    git(clone, "push", "--quiet", "origin", "main")
    pr(clone)
    assert github.pulls[SLUG][0].body.count("<!-- gitops-bot: {") == 2  # the quoted one is in the body
    assert marker_of(github)["head"] == head(origin)  # the bot's own marker, the last one
    github.pulls[SLUG][0].state = "closed"  # a human closed it
    assert pr(clone) == 1 and "does not reopen" in capsys.readouterr().out


def test_refused_edits_come_first_in_the_body(github, repos, capsys):
    origin, clone = repos
    (clone / "k8s" / "anchors.yaml").write_text("services:\n  video-service: &common\n    port: 81\n"
                                                "  auth-service:\n    <<: *common\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "an anchor shared with auth-service")
    git(clone, "push", "--quiet", "origin", "main")
    assert pr(clone) == 0
    (pull,) = github.pulls[SLUG]
    refused = pull.body.index("### Refused: finish these by hand")
    assert refused < pull.body.index("### Changed files") < pull.body.index("### Left for a human")
    assert ("- [ ] [`k8s/anchors.yaml:2`](https://github.com/acme/platform/blob/" in pull.body[refused:]
            and "which line 5 still uses" in pull.body[refused:pull.body.index("### Changed files")])
