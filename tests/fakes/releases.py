"""A local fake of GitHub's "get the latest release", "list repository tags" and "get a tree"
endpoints, served over real HTTP on 127.0.0.1, for the lookups of pin-versions and set-version. It
records every request it receives, and every way a request or an answer breaks GitHub's official
OpenAPI description (tests/fakes/openapi.py) in `violations`."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import openapi

_LATEST = re.compile(r"^/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/releases/latest$")
_TAGS = re.compile(r"^/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/tags$")
_TREE = re.compile(r"^/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/git/trees/(?P<ref>[^/]+)$")


class FakeReleases:
    """`releases` maps OWNER/REPO to a tag; `tags` maps OWNER/REPO to {tag: commit sha}, listed
    `page_size` a page (GitHub's Link header); `trees` maps `OWNER/REPO@REF` to the file paths of
    the repository at that ref (their folders are listed too; a key ending in `+` answers a
    listing GitHub truncated); `status` forces an error response for every call."""

    def __init__(self, releases: dict[str, str], status: int | None = None,
                 tags: dict[str, dict[str, str]] | None = None, page_size: int = 100,
                 trees: dict[str, list[str]] | None = None) -> None:
        self.releases = releases
        self.tags = tags or {}
        self.trees = trees or {}
        self.violations: list[str] = []
        self.page_size = page_size
        self.status = status
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, authorization)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # A short poll makes shutdown() return in milliseconds (the default 0.5 s poll made
        # every teardown wait half a second).
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeReleases":
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake.requests.append(("GET", self.path, self.headers.get("Authorization")))
                url = urlsplit(self.path)
                self.operation = fake._route(url)
                match = _LATEST.match(url.path)
                listing = _TAGS.match(url.path)
                tree = _TREE.match(url.path)
                if fake.status:
                    self._send(fake.status, {"message": "Bad credentials" if fake.status == 401 else "error",
                                             "documentation_url": "https://docs.github.com/rest"})
                elif match and f"{match['owner']}/{match['repo']}" in fake.releases:
                    slug = f"{match['owner']}/{match['repo']}"
                    self._send(200, _release(slug, fake.releases[slug]))
                elif listing and f"{listing['owner']}/{listing['repo']}" in fake.tags:
                    self._tags(f"{listing['owner']}/{listing['repo']}", parse_qs(url.query))
                elif tree and fake._tree_key(tree) is not None:
                    key = fake._tree_key(tree)
                    self._send(200, _tree(key.rstrip("+"), fake.trees[key], truncated=key.endswith("+")))
                else:
                    self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

            def _tags(self, slug: str, query: dict) -> None:
                page = int(query.get("page", ["1"])[0])
                size = fake.page_size
                names = list(fake.tags[slug])
                chosen = names[(page - 1) * size:page * size]
                headers = {}
                if page * size < len(names):
                    host = self.headers.get("Host")
                    headers["Link"] = f'<http://{host}/repos/{slug}/tags?per_page={size}&page={page + 1}>; rel="next"'
                self._send(200, [_tag(slug, name, fake.tags[slug][name]) for name in chosen], headers)

            def _send(self, status: int, body, headers: dict | None = None) -> None:
                if self.operation and (status == 200 or str(status) in openapi.operations()[self.operation]["responses"]):
                    fake.violations += openapi.validate(self.operation, "response", body, str(status))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args) -> None:
                pass

        return Handler

    def _route(self, url) -> str | None:
        """The OpenAPI operation of a request (its parameters checked), or None with a violation."""
        routed = openapi.route("GET", url.path)
        if routed is None:
            self.violations.append(f"GET {url.path}: not an operation the bot is allowed to call")
            return None
        key, params = routed
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.violations += openapi.validate_parameters(key, params, query)
        return key

    def _tree_key(self, match) -> str | None:
        slug = f"{match['owner']}/{match['repo']}@{unquote(match['ref'])}"
        return next((k for k in (slug, slug + "+") if k in self.trees), None)


def _tree(key: str, files: list[str], truncated: bool) -> dict:
    """GitHub's recursive tree object (`GET /repos/{owner}/{repo}/git/trees/{tree_sha}?recursive=1`):
    every file as a blob and every folder above one as a tree."""
    slug = key.split("@", 1)[0]
    folders = {f.rsplit("/", i)[0] for f in files for i in range(1, f.count("/") + 1)}
    entries = [{"path": p, "mode": "040000", "type": "tree", "sha": "1" * 40,
                "url": f"https://api.github.com/repos/{slug}/git/trees/{'1' * 40}"} for p in sorted(folders)]
    entries += [{"path": p, "mode": "100644", "type": "blob", "sha": "2" * 40, "size": 1,
                 "url": f"https://api.github.com/repos/{slug}/git/blobs/{'2' * 40}"} for p in sorted(files)]
    return {"sha": "3" * 40, "url": f"https://api.github.com/repos/{slug}/git/trees/{'3' * 40}",
            "tree": entries, "truncated": truncated}


def _release(slug: str, tag: str) -> dict:
    """GitHub's release object: a minimal schema-valid one with the fields a client reads."""
    return {**openapi.example("GET /repos/{owner}/{repo}/releases/latest", "200"),
        "url": f"https://api.github.com/repos/{slug}/releases/1",
        "html_url": f"https://github.com/{slug}/releases/tag/{tag}",
        "id": 1, "node_id": "RE_1", "tag_name": tag, "target_commitish": "main", "name": tag,
        "draft": False, "prerelease": False, "created_at": "2026-10-01T00:00:00Z",
        "published_at": "2026-10-01T00:00:00Z", "assets": [], "body": "",
    }


def _tag(slug: str, name: str, sha: str) -> dict:
    """The fields of GitHub's tag object (`GET /repos/{owner}/{repo}/tags`) that a client reads."""
    return {"name": name, "commit": {"sha": sha, "url": f"https://api.github.com/repos/{slug}/commits/{sha}"},
            "zipball_url": f"https://api.github.com/repos/{slug}/zipball/refs/tags/{name}",
            "tarball_url": f"https://api.github.com/repos/{slug}/tarball/refs/tags/{name}", "node_id": "REF_1"}
