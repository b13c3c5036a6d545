"""A stateful fake of the GitHub REST API on 127.0.0.1, spoken to over real HTTP by PyGithub.

It keeps repositories, pull requests, comments, labels, review requests, reactions, releases and
collaborator permissions. Every request it receives is routed to a documented operation and
validated (parameters and body), and every response it sends is validated, against GitHub's
official OpenAPI description (tests/fakes/openapi.py); any violation is recorded in
`violations`, which the `github` test fixture asserts empty. Faults (422, secondary rate limits
with Retry-After, 5xx) are queued with `fail_next`.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import openapi

# Statuses GitHub documents for every operation (authentication, rate limits, outages) rather
# than per operation; their body is GitHub's basic error.
GENERIC_STATUSES = frozenset({401, 403, 429, 500, 502, 503, 504})
# Who GitHub says made a commit through the git data API with the workflow token and no author:
# the token's account authors it and GitHub (web-flow) commits and signs it.
TOKEN_ACCOUNT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
WEB_FLOW = ("GitHub", "noreply@github.com")


@dataclass
class Fault:
    operation: str  # e.g. "POST /repos/{owner}/{repo}/pulls"
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    after: int = 0  # matching requests to let through first


@dataclass
class Pull:
    number: int
    head: str
    base: str
    title: str
    body: str
    draft: bool
    state: str = "open"
    merged: bool = False
    author: str = "gitops-bot"
    labels: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)


class FakeGitHub:
    """One fake GitHub with any number of repositories (`add_repo`)."""

    def __init__(self) -> None:
        self.repos: dict[str, dict[str, Any]] = {}
        self.pulls: dict[str, list[Pull]] = {}
        self.comments: list[dict[str, Any]] = []  # {"repo", "issue", "body", "id", "user"}
        self.reactions: list[dict[str, Any]] = []  # {"repo", "comment_id"|"issue", "content"}
        self.releases: dict[str, str] = {}
        self.permissions: dict[tuple[str, str], str] = {}
        self.team_members: dict[str, set[str]] = {}  # "org/team" -> logins
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, body)
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.git_dirs: dict[str, Path] = {}  # slug -> the bare repository the git data API writes to
        self.signed: set[str] = set()  # commits GitHub signed (made through the API without an author)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # A short poll makes shutdown() return in milliseconds (the default 0.5 s poll made
        # every teardown wait half a second).
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.01}, daemon=True)

    # -- lifecycle and set-up -------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeGitHub":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_repo(self, slug: str, default_branch: str = "main") -> None:
        self.repos[slug] = {"default_branch": default_branch}
        self.pulls.setdefault(slug, [])

    def attach_git(self, slug: str, bare: Path) -> None:
        """Back `slug`'s git data API (blobs, trees, commits, refs) by a bare repository, the one
        the tests' clones use as origin: what the API makes, `git fetch` then sees."""
        self.git_dirs[slug] = Path(bare)

    def fail_next(self, operation: str, status: int, message: str, headers: dict[str, str] | None = None,
                  errors: list[dict[str, Any]] | None = None, after: int = 0) -> None:
        """Answer the next `operation` (after letting `after` of them through) with an error."""
        body: dict[str, Any] = {"message": message, "documentation_url": "https://docs.github.com/rest"}
        if errors:
            body["errors"] = errors
        self.faults.append(Fault(operation, status, body, headers or {}, after))

    def open_pulls(self, slug: str) -> list[Pull]:
        return [p for p in self.pulls[slug] if p.state == "open"]

    # -- HTTP -----------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _dispatch(self, method: str) -> None:
                parts = urlsplit(self.path)
                parts = parts._replace(path=unquote(parts.path))  # PyGithub quotes a ref's slashes
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake._lock:
                    status, payload, headers = fake.handle(method, parts.path, dict(parse_qsl(parts.query)), body)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._dispatch("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._dispatch("POST")

            def do_PATCH(self) -> None:  # noqa: N802
                self._dispatch("PATCH")

            def do_DELETE(self) -> None:  # noqa: N802
                self._dispatch("DELETE")

            def log_message(self, *_args) -> None:
                pass

        return Handler

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        self.requests.append((method, path, body))
        routed = openapi.route(method, path)
        if routed is None:
            self.violations.append(f"{method} {path}: not an operation the bot is allowed to call")
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, {}
        key, params = routed
        self.violations += openapi.validate_parameters(key, params, query)
        if body is not None or openapi.operations()[key]["requestBody"] is not None:
            self.violations += openapi.validate(key, "request", body if body is not None else {})
        fault = next((f for f in self.faults if f.operation == key), None)
        if fault and fault.after:
            fault.after -= 1
            fault = None
        if fault:
            self.faults.remove(fault)
            status, payload, headers = fault.status, fault.body, fault.headers
        else:
            status, payload = self._serve(key, params, query, body or {})
            headers = {}
        documented = openapi.operations()[key]["responses"]
        if fault is not None and status in GENERIC_STATUSES and str(status) not in documented:
            self.violations += openapi.validate_basic_error(payload)
        elif payload is not None or documented.get(str(status)):
            self.violations += openapi.validate(key, "response", payload, str(status))
        return status, payload, headers

    # -- operations -----------------------------------------------------------------------
    def _serve(self, key: str, p: dict[str, str], query: dict[str, str], body: dict[str, Any]):
        if key == "GET /orgs/{org}/teams/{team_slug}/memberships/{username}":
            return self._membership(f"{p['org']}/{p['team_slug']}", p["username"])
        slug = f"{p.get('owner')}/{p.get('repo')}"
        if slug not in self.repos:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        if key.split(" ", 1)[1].startswith("/repos/{owner}/{repo}/git/"):
            return self._git_data(key, slug, p, body)
        handler = {
            "GET /repos/{owner}/{repo}": lambda: (200, self._repo(key, slug)),
            "GET /repos/{owner}/{repo}/pulls": lambda: (200, self._list_pulls(slug, query)),
            "POST /repos/{owner}/{repo}/pulls": lambda: self._create_pull(slug, body),
            "PATCH /repos/{owner}/{repo}/pulls/{pull_number}":
                lambda: self._update_pull(slug, int(p["pull_number"]), body),
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers":
                lambda: self._request_reviewers(slug, int(p["pull_number"]), body),
            "POST /repos/{owner}/{repo}/issues/{issue_number}/comments":
                lambda: self._comment(slug, int(p["issue_number"]), body),
            "POST /repos/{owner}/{repo}/issues/{issue_number}/labels":
                lambda: self._labels(slug, int(p["issue_number"]), body),
            "GET /repos/{owner}/{repo}/releases/latest": lambda: self._latest_release(slug),
            "GET /repos/{owner}/{repo}/collaborators/{username}/permission":
                lambda: self._permission(slug, p["username"]),
            "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions":
                lambda: self._react(slug, {"comment_id": int(p["comment_id"])}, body),
            "POST /repos/{owner}/{repo}/issues/{issue_number}/reactions":
                lambda: self._react(slug, {"issue": int(p["issue_number"])}, body),
        }[key]
        return handler()

    def _repo(self, key: str, slug: str) -> dict[str, Any]:
        repo = openapi.example(key, "200")
        owner, name = slug.split("/")
        repo.update({"name": name, "full_name": slug, "default_branch": self.repos[slug]["default_branch"],
                     "url": f"{self.url}/repos/{slug}", "html_url": f"https://github.com/{slug}"})
        repo["owner"].update({"login": owner})
        return repo

    def _pull_json(self, slug: str, pull: Pull) -> dict[str, Any]:
        data = openapi.example("POST /repos/{owner}/{repo}/pulls", "201")
        base_url = f"{self.url}/repos/{slug}"
        data.update({
            "number": pull.number, "id": pull.number, "state": pull.state, "title": pull.title,
            "body": pull.body, "draft": pull.draft, "merged": pull.merged, "locked": False,
            "url": f"{base_url}/pulls/{pull.number}", "issue_url": f"{base_url}/issues/{pull.number}",
            "comments_url": f"{base_url}/issues/{pull.number}/comments",
            "html_url": f"https://github.com/{slug}/pull/{pull.number}",
            "labels": [dict(openapi.example_at("POST /repos/{owner}/{repo}/pulls", "201", "labels", "items"),
                            name=name) for name in pull.labels],
        })
        data["user"].update({"login": pull.author})
        data["head"].update({"ref": pull.head, "label": f"{slug.split('/')[0]}:{pull.head}"})
        data["base"].update({"ref": pull.base})
        return data

    def _list_pulls(self, slug: str, query: dict[str, str]) -> list[dict[str, Any]]:
        state = query.get("state", "open")
        head = query.get("head")
        found = [p for p in self.pulls[slug]
                 if (state == "all" or p.state == state)
                 and (head is None or head == f"{slug.split('/')[0]}:{p.head}")]
        return [self._pull_json(slug, p) for p in found]

    def _create_pull(self, slug: str, body: dict[str, Any]):
        if any(p.head == body.get("head") and p.state == "open" for p in self.pulls[slug]):
            return 422, {"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest",
                         "errors": [{"resource": "PullRequest", "code": "custom",
                                     "message": f"A pull request already exists for {body.get('head')}."}]}
        pull = Pull(len(self.pulls[slug]) + 1, body["head"], body["base"], body.get("title", ""),
                    body.get("body") or "", bool(body.get("draft")))
        self.pulls[slug].append(pull)
        return 201, self._pull_json(slug, pull)

    def _find(self, slug: str, number: int) -> Pull:
        return next(p for p in self.pulls[slug] if p.number == number)

    def _update_pull(self, slug: str, number: int, body: dict[str, Any]):
        pull = self._find(slug, number)
        pull.title = body.get("title", pull.title)
        pull.body = body.get("body", pull.body)
        pull.state = body.get("state", pull.state)
        return 200, self._pull_json(slug, pull)

    def _request_reviewers(self, slug: str, number: int, body: dict[str, Any]):
        pull = self._find(slug, number)
        pull.reviewers += body.get("reviewers", [])
        return 201, self._pull_json(slug, pull)

    def _comment(self, slug: str, number: int, body: dict[str, Any]):
        comment_id = 1000 + len(self.comments)
        self.comments.append({"repo": slug, "issue": number, "body": body["body"], "id": comment_id})
        data = openapi.example("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", "201")
        data.update({"id": comment_id, "body": body["body"],
                     "html_url": f"https://github.com/{slug}/issues/{number}#issuecomment-{comment_id}",
                     "url": f"{self.url}/repos/{slug}/issues/comments/{comment_id}"})
        return 201, data

    def _labels(self, slug: str, number: int, body: dict[str, Any]):
        labels = body.get("labels", []) if isinstance(body, dict) else body
        issue_labels = next((p.labels for p in self.pulls[slug] if p.number == number), [])
        for name in labels:
            if name not in issue_labels:
                issue_labels.append(name)
        item = openapi.example_at("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", "200", "items")
        return 200, [dict(item, name=name) for name in issue_labels]

    def _latest_release(self, slug: str):
        if slug not in self.releases:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        data = openapi.example("GET /repos/{owner}/{repo}/releases/latest", "200")
        data.update({"tag_name": self.releases[slug], "name": self.releases[slug]})
        return 200, data

    def _permission(self, slug: str, user: str):
        permission = self.permissions.get((slug, user))
        if permission is None:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        data = openapi.example("GET /repos/{owner}/{repo}/collaborators/{username}/permission", "200")
        data.update({"permission": permission, "role_name": permission})
        data["user"].update({"login": user})
        return 200, data

    def _membership(self, team: str, user: str):
        if user not in self.team_members.get(team, set()):
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        data = openapi.example("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", "200")
        data.update({"state": "active"})
        return 200, data

    def _react(self, slug: str, target: dict[str, int], body: dict[str, Any]):
        self.reactions.append({"repo": slug, **target, "content": body["content"]})
        key = ("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions" if "comment_id" in target
               else "POST /repos/{owner}/{repo}/issues/{issue_number}/reactions")
        data = openapi.example(key, "201")
        data.update({"content": body["content"]})
        return 201, data

    # -- the git data API, backed by a bare repository (attach_git) --------------------------------
    def _git(self, slug: str, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        # GitHub's own git: none of the client's environment (its token above all) reaches it.
        base = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(self.git_dirs[slug]),
                "GIT_CONFIG_NOSYSTEM": "1"}
        result = subprocess.run(["git", "--git-dir", str(self.git_dirs[slug]), *args], input=data,
                                capture_output=True, check=True, env={**base, **(env or {})})
        return result.stdout.decode().strip()

    def _git_data(self, key: str, slug: str, p: dict[str, str], body: dict[str, Any]):
        if slug not in self.git_dirs:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        api = f"{self.url}/repos/{slug}/git"
        if key == "POST /repos/{owner}/{repo}/git/blobs":
            data = base64.b64decode(body["content"]) if body.get("encoding") == "base64" else body["content"].encode()
            sha = self._git(slug, "hash-object", "-w", "--stdin", data=data)
            return 201, {"sha": sha, "url": f"{api}/blobs/{sha}"}
        if key == "POST /repos/{owner}/{repo}/git/trees":
            return self._create_tree(slug, api, body)
        if key == "POST /repos/{owner}/{repo}/git/commits":
            return self._create_commit(slug, api, body)
        ref = f"refs/{p['ref']}" if "ref" in p else body.get("ref", "")
        try:
            current = self._git(slug, "rev-parse", "--verify", "--quiet", ref)
        except subprocess.CalledProcessError:
            current = None
        unprocessable = {"message": "Reference does not exist", "documentation_url": "https://docs.github.com/rest"}
        if key == "GET /repos/{owner}/{repo}/git/ref/{ref}":
            return (200, self._ref_json(api, ref, current)) if current else (404, {
                "message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        if key == "POST /repos/{owner}/{repo}/git/refs":
            if current:
                return 422, dict(unprocessable, message="Reference already exists")
            self._git(slug, "update-ref", ref, body["sha"])
            return 201, self._ref_json(api, ref, body["sha"])
        # PATCH /repos/{owner}/{repo}/git/refs/{ref}
        if not current:
            return 422, unprocessable
        if not body.get("force"):
            try:
                self._git(slug, "merge-base", "--is-ancestor", current, body["sha"])
            except subprocess.CalledProcessError:
                return 422, dict(unprocessable, message="Update is not a fast forward")
        self._git(slug, "update-ref", ref, body["sha"])
        return 200, self._ref_json(api, ref, body["sha"])

    def _create_tree(self, slug: str, api: str, body: dict[str, Any]):
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if body.get("base_tree"):
                self._git(slug, "read-tree", body["base_tree"], env=env)
            lines = []
            for entry in body["tree"]:
                if entry.get("sha") is None and "content" not in entry:  # a deletion: mode 0 removes it
                    lines.append(f"0 {'0' * 40}\t{entry['path']}")
                    continue
                sha = entry.get("sha") or self._git(slug, "hash-object", "-w", "--stdin",
                                                    data=entry["content"].encode())
                lines.append(f"{entry['mode']} {sha}\t{entry['path']}")
            self._git(slug, "update-index", "--index-info", data="".join(f"{line}\n" for line in lines).encode(),
                      env=env)
            tree = self._git(slug, "write-tree", env=env)
        listing = []
        for line in self._git(slug, "ls-tree", tree).splitlines():
            meta, path = line.split("\t", 1)
            mode, kind, sha = meta.split()
            listing.append({"path": path, "mode": mode, "type": kind, "sha": sha, "url": f"{api}/{kind}s/{sha}"})
        return 201, {"sha": tree, "url": f"{api}/trees/{tree}", "truncated": False, "tree": listing}

    def _create_commit(self, slug: str, api: str, body: dict[str, Any]):
        author = body.get("author")
        committer = body.get("committer") or author
        signed = author is None and committer is None and "signature" not in body
        who = (author["name"], author["email"]) if author else TOKEN_ACCOUNT
        by = (committer["name"], committer["email"]) if committer else WEB_FLOW
        env = {"GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1],
               "GIT_COMMITTER_NAME": by[0], "GIT_COMMITTER_EMAIL": by[1]}
        parents = [arg for parent in body.get("parents", []) for arg in ("-p", parent)]
        sha = self._git(slug, "commit-tree", body["tree"], *parents, "-m", body["message"], env=env)
        if signed:
            self.signed.add(sha)
        date = "2026-11-01T00:00:00Z"
        return 201, {
            "sha": sha, "node_id": f"C_{sha[:8]}", "url": f"{api}/commits/{sha}",
            "html_url": f"https://github.com/{slug}/commit/{sha}",
            "author": {"name": who[0], "email": who[1], "date": date},
            "committer": {"name": by[0], "email": by[1], "date": date},
            "message": body["message"], "tree": {"sha": body["tree"], "url": f"{api}/trees/{body['tree']}"},
            "parents": [{"sha": parent, "url": f"{api}/commits/{parent}",
                         "html_url": f"https://github.com/{slug}/commit/{parent}"}
                        for parent in body.get("parents", [])],
            "verification": {"verified": signed, "reason": "valid" if signed else "unsigned",
                             "signature": "-----BEGIN PGP SIGNATURE-----" if signed else None,
                             "payload": "tree ..." if signed else None, "verified_at": date if signed else None},
        }

    def _ref_json(self, api: str, ref: str, sha: str) -> dict[str, Any]:
        return {"ref": ref, "node_id": f"REF_{sha[:8]}", "url": f"{api}/{ref}",
                "object": {"type": "commit", "sha": sha, "url": f"{api}/commits/{sha}"}}
