"""The bot's GitHub calls (PyGithub): find a PR by its head branch, open, update, close, comment,
label, request reviewers. Every call is a documented REST operation with a documented body.

Errors become one UserError line (HTTP status, GitHub's message and its validation errors, or
the network error); transient failures (5xx, secondary rate limits, connection errors) are
retried with backoff, honouring Retry-After (seconds or an HTTP date), each wait at most
MAX_WAIT seconds and all the waits of one call at most TOTAL_WAIT.
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar
from urllib.parse import quote, urlsplit

from gitops_bot.errors import UserError

T = TypeVar("T")
RETRIES = 3
MAX_WAIT = 60.0  # seconds, one wait; also the wait when GitHub asks for a pause without saying how long
TOTAL_WAIT = 120.0  # seconds, all the waits of one call
_sleep = time.sleep  # the wait between retries (tests replace it)
# GitHub's login grammar (users and organisations): letters, digits and single inner hyphens.
LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_REPO_NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True)
class PullRequest:
    number: int
    state: str  # open | closed
    merged: bool
    url: str
    title: str
    body: str


def settings(slug: str | None) -> tuple[str, str, str]:
    """(token, API URL, owner/name) from the GitHub Actions environment; UserError when one is
    missing or malformed (checked before any request, so a typo is one clear line)."""
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise UserError("GITHUB_TOKEN is not set: the token needs contents, pull-requests and issues write")
    slug = slug or os.environ.get("GITHUB_REPOSITORY")
    if not slug:
        raise UserError("no repository: set GITHUB_REPOSITORY=owner/name or pass --repo-slug owner/name")
    return token, check_api_url(os.environ.get("GITHUB_API_URL") or "https://api.github.com"), check_slug(slug)


def check_slug(slug: str) -> str:
    """`slug` when it is OWNER/NAME in GitHub's characters; UserError otherwise."""
    owner, _, name = slug.partition("/")
    if not (LOGIN_RE.match(owner) and _REPO_NAME_RE.match(name) and name not in (".", "..")):
        raise UserError(f"repository {slug!r} is not OWNER/NAME (GitHub's characters: letters, digits, "
                        "- in the owner; letters, digits, . _ - in the name); check --repo-slug or GITHUB_REPOSITORY")
    return slug


def check_api_url(url: str) -> str:
    """GITHUB_API_URL without its trailing slash; UserError unless it is an http(s) URL with a
    host and nothing else (no credentials, query or fragment)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("https", "http") or not parts.hostname or parts.username
            or parts.query or parts.fragment or any(ch.isspace() for ch in url.strip())):
        raise UserError(f"GITHUB_API_URL {url!r} is not an http(s) URL of a GitHub API "
                        "(https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise)")
    return url.strip().rstrip("/")


class GitHub:
    """One repository on GitHub."""

    def __init__(self, token: str, api_url: str, slug: str, sleep: Callable[[float], None] | None = None) -> None:
        import importlib.util

        if importlib.util.find_spec("github") is None:
            from gitops_bot.subprocesses import GITHUB_EXTRA

            raise UserError(f"this command needs PyGithub: {GITHUB_EXTRA}")
        from github import Auth, Github

        self.client = Github(base_url=api_url, auth=Auth.Token(token), timeout=30, retry=None,
                             seconds_between_requests=None, seconds_between_writes=None, lazy=True)
        self.slug, self.api_url = slug, api_url
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
        org, slug = team.split("/", 1)
        url = f"{self.client.requester.base_url}/orgs/{org}/teams/{slug}/memberships/{login}"
        data = self._get_or_none(f"read {team} membership", url)
        return data is not None and data.get("state") == "active"

    def _get_or_none(self, what: str, url: str) -> dict[str, Any] | None:
        """The JSON GitHub answers to GET `url`, or None when it answers 404 (no such thing)."""
        from github import GithubException

        try:
            _, data = self._call(what, lambda: self.client.requester.requestJsonAndCheck("GET", url))
        except UserError as exc:
            if isinstance(exc.__cause__, GithubException) and exc.__cause__.status == 404:
                return None
            raise
        return data

    def react(self, comment_id: int, content: str) -> None:
        """Add a reaction (eyes, rocket, confused, ...) to an issue comment."""
        url = f"{self.repo.url}/issues/comments/{comment_id}/reactions"
        self._call("react to the comment", lambda: self.client.requester.requestJsonAndCheck(
            "POST", url, input={"content": content}))

    # -- the git data API (the verified-commit path: delivery/api_commit.py) ------------------
    def create_blob(self, data: bytes) -> str:
        """A blob with exactly these bytes (sent as base64); its sha."""
        import base64

        body = {"content": base64.b64encode(data).decode("ascii"), "encoding": "base64"}
        return str(self._post_json("create a blob", "git/blobs", body)["sha"])

    def create_tree(self, base_tree: str, entries: list[dict[str, Any]]) -> str:
        """A tree: `base_tree` with `entries` ({path, mode, type, sha}; sha None deletes); its sha."""
        return str(self._post_json("create a tree", "git/trees", {"base_tree": base_tree, "tree": entries})["sha"])

    def create_commit(self, message: str, tree: str, parents: list[str]) -> dict[str, Any]:
        """A commit object (no branch moves). No author or committer is sent: GitHub then authors
        it as the token's own account and signs it, so it shows as Verified. The response."""
        return self._post_json("create a commit", "git/commits", {"message": message, "tree": tree, "parents": parents})

    def branch_head(self, branch: str) -> str | None:
        """The commit `refs/heads/<branch>` points at, or None when there is no such branch."""
        url = f"{self.repo.url}/git/ref/heads/{quote(branch, safe='/')}"
        data = self._get_or_none(f"read the branch {branch}", url)
        return None if data is None else str(data["object"]["sha"])

    def create_branch(self, branch: str, sha: str) -> None:
        """A new branch at `sha`; GitHub refuses (422) if it exists by now, so nothing is lost."""
        self._post_json(f"create the branch {branch}", "git/refs", {"ref": f"refs/heads/{branch}", "sha": sha})

    def move_branch(self, branch: str, sha: str) -> None:
        """Point the existing branch at `sha` (force: the bot's commit is rebuilt on the base, so it
        is not a fast-forward of the bot's previous one; the caller checked the head first)."""
        url = f"{self.repo.url}/git/refs/heads/{quote(branch, safe='/')}"
        self._call(f"update the branch {branch}", lambda: self.client.requester.requestJsonAndCheck(
            "PATCH", url, input={"sha": sha, "force": True}))

    def _post_json(self, what: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.repo.url}/{path}"
        _, data = self._call(what, lambda: self.client.requester.requestJsonAndCheck("POST", url, input=body))
        return data

    # -- errors and retries ---------------------------------------------------------------
    def _call(self, what: str, call: Callable[[], T]) -> T:
        """`call()`, retried while the failure is transient and the wait budget (TOTAL_WAIT)
        lasts; a failure left is one UserError line."""
        from github import GithubException

        waited = 0.0
        for attempt in range(RETRIES + 1):
            try:
                return call()
            except (GithubException, OSError) as exc:  # requests' network errors are OSErrors
                wait, message = self._failure(exc, attempt)
                if wait is None or attempt == RETRIES or waited + wait > TOTAL_WAIT:
                    raise UserError(f"GitHub API: cannot {what}: {message}") from exc
            waited += wait
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _failure(self, exc: Exception, attempt: int) -> tuple[float | None, str]:
        """(seconds to wait before retrying, or None when it is not transient; the message)."""
        from github import GithubException

        if isinstance(exc, GithubException):
            return _retry_after(exc, attempt), _describe(exc)
        return float(2 ** attempt), f"cannot reach {self.api_url}: {_network_reason(exc)}"


def _pull(p) -> PullRequest:
    return PullRequest(p.number, p.state, bool(p.merged), p.html_url, p.title or "", p.body or "")


def _retry_after(exc, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when the error is not transient."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    message = str((exc.data or {}).get("message", "")) if isinstance(exc.data, dict) else ""
    if exc.status in (403, 429) and ("retry-after" in headers or "secondary rate limit" in message.lower()):
        return parse_retry_after(headers.get("retry-after"))
    if exc.status in (500, 502, 503, 504):
        return float(2 ** attempt)
    return None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float:
    """A Retry-After header as seconds in [0, MAX_WAIT]: delay-seconds (`7`; a negative number
    is 0) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, relative to `now`; a past one is
    0). None or anything unreadable waits MAX_WAIT, the pause GitHub asks for when it gives no
    time. Never raises: a bad header must not crash the run."""
    from email.utils import parsedate_to_datetime

    text = (value or "").strip()
    seconds = MAX_WAIT
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        seconds = float(text)
    elif text:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
            seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return min(max(seconds, 0.0), MAX_WAIT) if math.isfinite(seconds) else MAX_WAIT


def _network_reason(exc: OSError) -> str:
    """The root of a network error (`[Errno 111] Connection refused`), not urllib3's chain."""
    text = str(exc)
    found = re.findall(r"\[Errno -?\d+\][^'\")\]]*", text)
    return found[-1].strip() if found else (type(exc).__name__ + (f": {text}" if text else ""))[:200]


def _describe(exc) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    text = f"HTTP {exc.status}: {data.get('message', exc.data)}"
    errors = [e.get("message") or e.get("code") for e in data.get("errors") or [] if isinstance(e, dict)]
    if errors:
        text += " (" + "; ".join(str(e) for e in errors) + ")"
    hint = {401: "check GITHUB_TOKEN", 403: "the token needs contents, pull-requests and issues write",
            404: "check the repository name and the token's access"}.get(exc.status)
    return text + (f"; {hint}" if hint else "")
