"""A local fake of GitHub's "get the latest release" endpoint, served over real HTTP on
127.0.0.1, for the pin-versions lookups. It records every request it receives."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_LATEST = re.compile(r"^/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/releases/latest$")


class FakeReleases:
    """`releases` maps OWNER/REPO to a tag; `status` forces an error response for every call."""

    def __init__(self, releases: dict[str, str], status: int | None = None) -> None:
        self.releases = releases
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
                match = _LATEST.match(self.path)
                if fake.status:
                    self._send(fake.status, {"message": "Bad credentials" if fake.status == 401 else "error",
                                             "documentation_url": "https://docs.github.com/rest"})
                elif match and f"{match['owner']}/{match['repo']}" in fake.releases:
                    slug = f"{match['owner']}/{match['repo']}"
                    self._send(200, _release(slug, fake.releases[slug]))
                else:
                    self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
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
