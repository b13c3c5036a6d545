"""Looking up a GitHub repository's latest release, its tags' commits and its paths at a ref,
through GitHub's REST API over plain HTTP (delivery/http.py).

Settings come from the standard GitHub Actions variables: GITHUB_TOKEN and GITHUB_API_URL
(default https://api.github.com). Without a token nothing is looked up: callers report the
floating reference instead of guessing a version. No GitHub client library is needed: plan,
apply and check run without the `github` extra (PyGithub, GitPython), which only `pr` and
`action` use.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Mapping

from gitops_bot.domain.lookups import RepositoryTree, checked_tag
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

    def repository_tree(self, slug: str, ref: str) -> RepositoryTree | None:
        """`slug`'s paths at `ref` (`GET /repos/{slug}/git/trees/{ref}?recursive=1`); None without a
        token, or when the API does not know the ref (or does not show this token the repository)."""
        token = self.env.get("GITHUB_TOKEN")
        if not token:
            return None
        return _tree(slug, ref, self.env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"), token)


def _get(url: str, token: str):
    """One GitHub REST GET, over the lookups' plain HTTP (delivery/http.py): no client library,
    so plan, apply and check need nothing that `pr` needs."""
    from gitops_bot.delivery.http import request

    return request(url, {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                         "X-GitHub-Api-Version": "2022-11-28"}, what="GitHub API")


def _json(response, what: str):
    """The body of a 200 as JSON; UserError naming `what` for any other status."""
    import json

    try:
        data = json.loads(response.body or b"null")
    except ValueError:
        data = None
    if response.status != 200:
        message = data.get("message") if isinstance(data, dict) else response.body[:200].decode("utf-8", "replace")
        raise UserError(f"GitHub API: {what}: HTTP {response.status}: {message}")
    return data


@lru_cache(maxsize=None)
def _tags(slug: str, base_url: str, token: str) -> tuple[tuple[str, str], ...]:
    """(tag, commit) pairs of `slug`, one listing per repository, API and token within a run
    (every page, following GitHub's Link header)."""
    from urllib.parse import quote

    found: list[tuple[str, str]] = []
    url: str | None = f"{base_url}/repos/{quote(slug, safe='/')}/tags?per_page=100"
    while url:
        response = _get(url, token)
        if response.status == 404:
            return ()
        found += [(str(t["name"]), str(t["commit"]["sha"])) for t in _json(response, f"tags of {slug}")]
        url = _next_page(response.headers.get("link", ""))
    return tuple(found)


def _next_page(link: str) -> str | None:
    """The `rel="next"` URL of a Link header, or None on the last page."""
    import re

    found = re.search(r'<([^<>]+)>;\s*rel="next"', link)
    return found.group(1) if found else None


@lru_cache(maxsize=None)
def _lookup(slug: str, base_url: str, token: str) -> str | None:
    """One request per repository, API and token within a run."""
    from urllib.parse import quote

    response = _get(f"{base_url}/repos/{quote(slug, safe='/')}/releases/latest", token)
    if response.status == 404:
        return None
    return checked_tag(slug, str(_json(response, f"latest release of {slug}")["tag_name"]))


@lru_cache(maxsize=None)
def _tree(slug: str, ref: str, base_url: str, token: str) -> RepositoryTree | None:
    """One listing per repository, ref, API and token within a run."""
    from urllib.parse import quote

    response = _get(f"{base_url}/repos/{quote(slug, safe='/')}/git/trees/{quote(ref, safe='')}?recursive=1", token)
    if response.status in (404, 409):  # an unknown ref, a repository this token cannot read, an empty one
        return None
    data = _json(response, f"the files of {slug} at {ref}")
    entries = data.get("tree") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UserError(f"GitHub API: the files of {slug} at {ref}: the answer has no tree list")
    paths = frozenset(str(e["path"]) for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str))
    return RepositoryTree(paths, complete=not data.get("truncated", False))
