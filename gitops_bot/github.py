"""The bot's GitHub calls (PyGithub): find a PR by its head branch, open, update, close, comment,
label, request reviewers. Every call is a documented REST operation with a documented body.

Errors become one UserError line (HTTP status, GitHub's message and its validation errors);
transient failures (5xx, secondary rate limits) are retried with backoff, honouring Retry-After.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from .errors import UserError

T = TypeVar("T")
RETRIES = 3
_sleep = time.sleep  # the wait between retries (tests replace it)


@dataclass(frozen=True)
class PullRequest:
    number: int
    state: str  # open | closed
    merged: bool
    url: str
    title: str
    body: str


def settings(slug: str | None) -> tuple[str, str, str]:
    """(token, API URL, owner/name) from the GitHub Actions environment; UserError if missing."""
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise UserError("GITHUB_TOKEN is not set: the token needs contents, pull-requests and issues write")
    slug = slug or os.environ.get("GITHUB_REPOSITORY")
    if not slug or slug.count("/") != 1:
        raise UserError("no repository: set GITHUB_REPOSITORY=owner/name or pass --repo-slug owner/name")
    return token, os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"), slug


class GitHub:
    """One repository on GitHub."""

    def __init__(self, token: str, api_url: str, slug: str, sleep: Callable[[float], None] | None = None) -> None:
        from github import Auth, Github

        self.client = Github(base_url=api_url, auth=Auth.Token(token), timeout=30, retry=None,
                             seconds_between_requests=None, seconds_between_writes=None, lazy=True)
        self.slug = slug
        self.repo = self.client.get_repo(slug)
        self.sleep = sleep or (lambda seconds: _sleep(seconds))

    # -- calls ----------------------------------------------------------------------------
    def default_branch(self) -> str:
        return self._call("read the repository", lambda: self.repo.default_branch)

    def find_pull(self, branch: str) -> PullRequest | None:
        """The newest PR whose head is `branch` (open first), or None."""
        owner = self.slug.split("/")[0]
        pulls = self._call("list pull requests",
                           lambda: list(self.repo.get_pulls(state="all", head=f"{owner}:{branch}")))
        if not pulls:
            return None
        pulls.sort(key=lambda p: (p.state == "open", p.number), reverse=True)
        return _pull(pulls[0])

    def open_pull(self, base: str, branch: str, title: str, body: str, draft: bool) -> PullRequest:
        return _pull(self._call("open the pull request",
                                lambda: self.repo.create_pull(base=base, head=branch, title=title, body=body,
                                                              draft=draft)))

    def update_pull(self, number: int, **fields: Any) -> None:
        self._call(f"update pull request #{number}", lambda: self.repo.get_pull(number).edit(**fields))

    def comment(self, number: int, body: str) -> None:
        self._call(f"comment on #{number}", lambda: self.repo.get_issue(number).create_comment(body))

    def add_labels(self, number: int, labels: list[str]) -> None:
        # The documented body is {"labels": [...]} (PyGithub's add_to_labels sends a bare list).
        url = f"{self.repo.url}/issues/{number}/labels"
        self._call(f"label #{number}", lambda: self.client.requester.requestJsonAndCheck(
            "POST", url, input={"labels": labels}))

    def request_reviewers(self, number: int, reviewers: list[str]) -> None:
        self._call(f"request reviewers on #{number}",
                   lambda: self.repo.get_pull(number).create_review_request(reviewers=reviewers))

    def permission(self, login: str) -> str:
        """The user's role on the repository (admin, maintain, write, triage, read, none)."""
        from github import GithubException

        url = f"{self.repo.url}/collaborators/{login}/permission"
        try:
            _, data = self._call(f"read {login}'s permission",
                                 lambda: self.client.requester.requestJsonAndCheck("GET", url))
        except UserError as exc:
            if isinstance(exc.__cause__, GithubException) and exc.__cause__.status == 404:
                return "none"  # not a collaborator
            raise
        return str(data.get("role_name") or data.get("permission") or "none")

    def is_team_member(self, team: str, login: str) -> bool:
        """True when `login` is an active member of ORG/TEAM."""
        from github import GithubException

        org, slug = team.split("/", 1)
        url = f"{self.client.requester.base_url}/orgs/{org}/teams/{slug}/memberships/{login}"
        try:
            _, data = self._call(f"read {team} membership",
                                 lambda: self.client.requester.requestJsonAndCheck("GET", url))
        except UserError as exc:
            if isinstance(exc.__cause__, GithubException) and exc.__cause__.status == 404:
                return False
            raise
        return data.get("state") == "active"

    def react(self, comment_id: int, content: str) -> None:
        """Add a reaction (eyes, rocket, confused, ...) to an issue comment."""
        url = f"{self.repo.url}/issues/comments/{comment_id}/reactions"
        self._call("react to the comment", lambda: self.client.requester.requestJsonAndCheck(
            "POST", url, input={"content": content}))

    # -- errors and retries ---------------------------------------------------------------
    def _call(self, what: str, call: Callable[[], T]) -> T:
        from github import GithubException

        for attempt in range(RETRIES + 1):
            try:
                return call()
            except GithubException as exc:
                wait = _retry_after(exc, attempt)
                if wait is None or attempt == RETRIES:
                    raise UserError(f"GitHub API: cannot {what}: {_describe(exc)}") from exc
                self.sleep(wait)
            except OSError as exc:
                if attempt == RETRIES:
                    raise UserError(f"GitHub API: cannot {what}: {exc}") from exc
                self.sleep(2 ** attempt)
        raise AssertionError("unreachable")


def _pull(p) -> PullRequest:
    return PullRequest(p.number, p.state, bool(p.merged), p.html_url, p.title or "", p.body or "")


def _retry_after(exc, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when the error is not transient."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    message = str((exc.data or {}).get("message", "")) if isinstance(exc.data, dict) else ""
    if exc.status in (403, 429) and ("retry-after" in headers or "secondary rate limit" in message.lower()):
        return float(headers.get("retry-after", 60))
    if exc.status in (500, 502, 503, 504):
        return float(2 ** attempt)
    return None


def _describe(exc) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    text = f"HTTP {exc.status}: {data.get('message', exc.data)}"
    errors = [e.get("message") or e.get("code") for e in data.get("errors") or [] if isinstance(e, dict)]
    if errors:
        text += " (" + "; ".join(str(e) for e in errors) + ")"
    hint = {401: "check GITHUB_TOKEN", 403: "the token needs contents, pull-requests and issues write",
            404: "check the repository name and the token's access"}.get(exc.status)
    return text + (f"; {hint}" if hint else "")
