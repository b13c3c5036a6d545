"""A local fake of GitHub's "get the latest release" and "list repository tags" endpoints, served
over real HTTP on 127.0.0.1, for the pin-versions lookups. It records every request it receives."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_LATEST = re.compile(r"^/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/releases/latest$")
_TAGS = re.compile(r"^/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/tags$")


class FakeReleases:
    """`releases` maps OWNER/REPO to a tag; `tags` maps OWNER/REPO to {tag: commit sha}, listed
    `page_size` a page (GitHub's Link header); `status` forces an error response for every call."""

    def __init__(self, releases: dict[str, str], status: int | None = None,
                 tags: dict[str, dict[str, str]] | None = None, page_size: int = 100) -> None:
        self.releases = releases
        self.tags = tags or {}
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
                match = _LATEST.match(url.path)
                listing = _TAGS.match(url.path)
                if fake.status:
                    self._send(fake.status, {"message": "Bad credentials" if fake.status == 401 else "error",
                                             "documentation_url": "https://docs.github.com/rest"})
                elif match and f"{match['owner']}/{match['repo']}" in fake.releases:
                    slug = f"{match['owner']}/{match['repo']}"
                    self._send(200, _release(slug, fake.releases[slug]))
                elif listing and f"{listing['owner']}/{listing['repo']}" in fake.tags:
                    self._tags(f"{listing['owner']}/{listing['repo']}", parse_qs(url.query))
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


def _release(slug: str, tag: str) -> dict:
    """The fields of GitHub's release object that a client reads."""
    return {
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
