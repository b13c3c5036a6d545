"""Delivery safety of `gitops-bot pr`: Retry-After parsing and wait bounds, validation of flags
and settings before anything is fetched or pushed, inert Markdown in PR bodies, and git calls
that run no repository hook and never see a token. Real git repositories, the fake GitHub."""

from __future__ import annotations

import shutil
import socket
import stat
from datetime import datetime, timezone

import pytest

from gitops_bot.cli import main
from gitops_bot.delivery.github import MAX_WAIT, parse_retry_after

from .conftest import SLUG, git
from .test_action import HOSTILE_FILES, assert_inert, push_hostile_files

BRANCH = "gitops-bot/remove-service/video-service"


def pr(clone, *extra):
    return main(["pr", "remove-service", "service=video-service", "--repo", str(clone), *extra])


def branches(origin) -> list[str]:
    return git(origin, "for-each-ref", "--format=%(refname)", "refs/heads").splitlines()


# -- 8a: Retry-After ----------------------------------------------------------------------------
@pytest.mark.parametrize("value, now, seconds", [
    ("7", None, 7.0),
    ("-5", None, 0.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", None, 0.0),  # in the past
    ("Wed, 21 Oct 2015 07:28:00 GMT", datetime(2015, 10, 21, 7, 27, 50, tzinfo=timezone.utc), 10.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", datetime(2015, 10, 20, tzinfo=timezone.utc), MAX_WAIT),  # capped
    ("86400", None, MAX_WAIT),
    ("soon", None, MAX_WAIT),
    ("nan", None, MAX_WAIT),
    (None, None, MAX_WAIT),
])
def test_retry_after_is_seconds_or_an_http_date_clamped(value, now, seconds):
    assert parse_retry_after(value, now) == seconds


@pytest.mark.parametrize("value", ["Wed, 21 Oct 2015 07:28:00 GMT", "-5"])
def test_retry_after_over_http_never_crashes(github, repos, monkeypatch, value):
    _, clone = repos
    waits = []
    monkeypatch.setattr("gitops_bot.delivery.github._sleep", waits.append)
    github.fail_next("GET /repos/{owner}/{repo}/pulls", 403, "You have exceeded a secondary rate limit.",
                     headers={"Retry-After": value})
    assert pr(clone) == 0
    assert waits == [0.0] and len(github.pulls[SLUG]) == 1


def test_total_wait_is_bounded(github, repos, monkeypatch, capsys):
    _, clone = repos
    waits = []
    monkeypatch.setattr("gitops_bot.delivery.github._sleep", waits.append)
    for _ in range(4):
        github.fail_next("GET /repos/{owner}/{repo}/pulls", 429, "You have exceeded a secondary rate limit.",
                         headers={"Retry-After": "3600"})
    assert pr(clone) == 2
    assert waits == [MAX_WAIT, MAX_WAIT]  # a third minute would pass the 120 s budget: give up
    assert capsys.readouterr().err.startswith("gitops-bot: error: GitHub API: cannot list pull requests: HTTP 429")


# -- 8c: flags are validated before anything is fetched or pushed -----------------------------
@pytest.mark.parametrize("flags, message", [
    (["--repo-slug", "acme/platform/extra"], "repository 'acme/platform/extra' is not OWNER/NAME"),
    (["--repo-slug", "acme/plat form"], "repository 'acme/plat form' is not OWNER/NAME"),
    (["--repo-slug=-acme/platform"], "repository '-acme/platform' is not OWNER/NAME"),
    (["--repo-slug", "acme/.."], "repository 'acme/..' is not OWNER/NAME"),
    (["--label", ""], "label '': a label is 1-50 characters"),
    (["--label", "gitops\nReviewed-by: x"], "label 'gitops\\nReviewed-by: x': a label is 1-50 characters"),
    (["--label", "x" * 51], "a label is 1-50 characters"),
    (["--reviewer", "bob;rm"], "reviewer 'bob;rm' is not a GitHub login"),
    (["--reviewer", "@bob"], "reviewer '@bob' is not a GitHub login"),
    (["--reviewer", "bo--b"], "reviewer 'bo--b' is not a GitHub login"),
    (["--reviewer", "b" * 40], "is not a GitHub login"),
])
def test_bad_flags_are_one_line_before_any_request(github, repos, capsys, flags, message):
    origin, clone = repos
    assert pr(clone, *flags) == 2
    err = capsys.readouterr().err
    assert err.startswith("gitops-bot: error: ") and message in err and err.count("\n") == 1
    assert github.requests == [] and branches(origin) == ["refs/heads/main"]


def test_config_reviewers_are_validated_too(github, repos, capsys):
    origin, clone = repos
    (clone / ".gitops-bot.yaml").write_text("pull_requests:\n  reviewers: [bob_smith]\n")
    assert pr(clone) == 2
    assert "reviewer 'bob_smith' is not a GitHub login" in capsys.readouterr().err
    assert github.requests == [] and branches(origin) == ["refs/heads/main"]


def test_valid_flags_pass(github, repos):
    _, clone = repos
    assert pr(clone, "--repo-slug", SLUG, "--label", "needs review 🚀", "--reviewer", "bob-2") == 0
    (pull,) = github.pulls[SLUG]
    assert pull.labels == ["needs review 🚀"] and pull.reviewers == ["bob-2"]


# -- 8d: GITHUB_API_URL -------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["not a url", "ftp://x", "https://user:pw@api.github.com", "http://"])
def test_bad_api_url_is_one_clear_line(github, repos, capsys, monkeypatch, url):
    origin, clone = repos
    monkeypatch.setenv("GITHUB_API_URL", url)
    assert pr(clone) == 2
    assert capsys.readouterr().err == (
        f"gitops-bot: error: GITHUB_API_URL {url!r} is not an http(s) URL of a GitHub API "
        "(https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise)\n")
    assert branches(origin) == ["refs/heads/main"]


def test_refused_connection_is_one_clear_line(github, repos, capsys, monkeypatch):
    origin, clone = repos
    with socket.socket() as s:  # a local port that was just free: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits = []
    monkeypatch.setattr("gitops_bot.delivery.github._sleep", waits.append)
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{port}")
    assert pr(clone) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gitops-bot: error: GitHub API: cannot read the repository: cannot reach "
                          f"http://127.0.0.1:{port}: ") and "refused" in err and err.count("\n") == 1
    assert waits == [1.0, 2.0, 4.0] and branches(origin) == ["refs/heads/main"]


# -- 8b: PR bodies ------------------------------------------------------------------------------
def test_pr_body_shows_file_names_and_text_inertly(github, repos):
    push_hostile_files(repos)
    _, clone = repos
    assert pr(clone) == 0
    body = github.pulls[SLUG][0].body
    assert body.count("Ask @everyone about video-service") == len(HOSTILE_FILES)  # shown, as code
    assert_inert(body, mentions=())


def test_markdown_in_a_changed_file_name_is_inert(github, repos):
    _, clone = repos
    (clone / "docs" / "[click](https:--evil) @everyone.yaml").write_text(
        "services:\n  video-service:\n    replicas: 1\n  auth-service:\n    replicas: 1\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "notes")
    git(clone, "push", "--quiet", "origin", "main")
    assert pr(clone) == 0
    body = github.pulls[SLUG][0].body
    assert "| `docs/[click](https:--evil) @everyone.yaml` | -2 |" in body
    assert_inert(body, mentions=())


# -- git: no repository hook runs, no token reaches git ------------------------------------------
HOOKS = ("post-checkout", "pre-commit", "post-commit", "pre-push", "reference-transaction", "post-index-change")


def test_repository_hooks_never_run(github, repos, tmp_path):
    origin, clone = repos
    marks = tmp_path / "marks"
    marks.mkdir()
    for name in HOOKS:
        hook = clone / ".git" / "hooks" / name
        hook.write_text(f"#!/bin/sh\ntouch '{marks}/{name}'\n")
        hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    monitor = tmp_path / "fsmonitor"
    monitor.write_text(f"#!/bin/sh\ntouch '{marks}/fsmonitor'\n")
    monitor.chmod(0o755)
    git(clone, "config", "core.fsmonitor", str(monitor))
    assert pr(clone) == 0
    assert BRANCH in git(origin, "branch", "--list", BRANCH)
    assert sorted(p.name for p in marks.iterdir()) == []


def test_token_never_reaches_gits_environment(github, repos, tmp_path, monkeypatch):
    _, clone = repos
    secret = "ghs_n0tL0gg3dAnywhere"
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    monkeypatch.setenv("INPUT_GITHUB-TOKEN", secret)
    monkeypatch.setenv("GH_TOKEN", secret)
    log = tmp_path / "git-env.log"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(f"#!/bin/sh\nenv >> '{log}'\necho ---- >> '{log}'\nexec '{shutil.which('git')}' \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{shutil.which('git').rsplit('/', 1)[0]}:/usr/bin:/bin")
    assert pr(clone) == 0
    text = log.read_text()
    assert text.count("----") >= 5  # git ran through the wrapper: fetch, worktree, commit, push...
    assert "core.hooksPath" in text and secret not in text
