"""Looking up a GitHub repository's latest release and its tags' commits, through PyGithub.

Settings come from the standard GitHub Actions variables: GITHUB_TOKEN and GITHUB_API_URL
(default https://api.github.com). Without a token nothing is looked up: callers report the
floating reference instead of guessing a version. PyGithub is imported only here, only when a
lookup is needed.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Mapping

from gitops_bot.domain.lookups import checked_tag
from gitops_bot.errors import UserError


class GitHubReleases:
    """The ReleaseLookup the commands give a run: GitHub's API with the environment's settings
    (GITHUB_TOKEN, GITHUB_API_URL), read when the lookup is made."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    def unavailable(self) -> str | None:
        return None if self.env.get("GITHUB_TOKEN") else "no GITHUB_TOKEN"

    def latest_release_tag(self, slug: str) -> str | None:
        """The tag of `slug`'s latest release; None without a token or when it has no release."""
        token = self.env.get("GITHUB_TOKEN")
        if not token:
            return None
        return _lookup(slug, self.env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"), token)

    def tag_commits(self, slug: str) -> dict[str, str] | None:
        """Every tag of `slug` with its commit (`GET /repos/{slug}/tags`, all pages); None without a token."""
        token = self.env.get("GITHUB_TOKEN")
        if not token:
            return None
        return dict(_tags(slug, self.env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"), token))


def _client(base_url: str, token: str):
    from github import Auth, Github

    return Github(base_url=base_url, auth=Auth.Token(token), timeout=15, retry=None, per_page=100,
                  seconds_between_requests=None, lazy=True)


@lru_cache(maxsize=None)
def _tags(slug: str, base_url: str, token: str) -> tuple[tuple[str, str], ...]:
    """(tag, commit) pairs of `slug`, one listing per repository, API and token within a run."""
    from github import GithubException

    try:
        return tuple((str(t.name), str(t.commit.sha)) for t in _client(base_url, token).get_repo(slug).get_tags())
    except GithubException as exc:
        if exc.status == 404:
            return ()
        message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
        raise UserError(f"GitHub API: tags of {slug}: HTTP {exc.status}: {message}") from exc
    except OSError as exc:
        raise UserError(f"GitHub API at {base_url} unreachable: {exc}") from exc


@lru_cache(maxsize=None)
def _lookup(slug: str, base_url: str, token: str) -> str | None:
    """One request per repository, API and token within a run."""
    from github import GithubException

    try:
        return checked_tag(slug, str(_client(base_url, token).get_repo(slug).get_latest_release().tag_name))
    except GithubException as exc:
        if exc.status == 404:
            return None
        message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
        raise UserError(f"GitHub API: latest release of {slug}: HTTP {exc.status}: {message}") from exc
    except OSError as exc:
        raise UserError(f"GitHub API at {base_url} unreachable: {exc}") from exc
