"""Local fakes of an OCI registry (distribution API with the anonymous bearer-token flow) and of
an HTTP Helm repository (index.yaml), served over real HTTP on 127.0.0.1 for the lookups. Both
record every request they receive."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_TAGS = re.compile(r"^/v2/(?P<name>.+)/tags/list$")
_MANIFEST = re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<ref>[^/]+)$")


def manifest(image: str, tag: str) -> bytes:
    """The manifest bytes the fake serves for image:tag (its digest is their sha256)."""
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                       "manifests": [], "annotations": {"fake": f"{image}:{tag}"}}).encode()


def digest_of(image: str, tag: str) -> str:
    """The digest the fake registry answers for image:tag."""
    return "sha256:" + hashlib.sha256(manifest(image, tag)).hexdigest()


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 in a thread, with a request log."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, authorization)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01},
                                       daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._reply(head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                self._reply(head=True)

            def _reply(self, head: bool) -> None:
                fake.requests.append((self.command, self.path, self.headers.get("Authorization")))
                status, headers, body = fake.answer(self)
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def log_message(self, *_args) -> None:
                pass

        return Handler


class FakeRegistry(_Server):
    """`images` maps a repository name (`library/nginx`, `acme/api`) to its tags. Every /v2/ call
    wants the bearer token of its scope, which /token hands out anonymously. `tags_body` replaces
    the tags/list answer (malformed JSON); `status` forces an error for every /v2/ call;
    `digest_header=False` leaves Docker-Content-Digest out; `page` splits tag lists into pages;
    `digests` maps `name:tag` to the digest to answer (a recorded one) instead of digest_of's."""

    def __init__(self, images: dict[str, list[str]], *, tags_body: bytes | None = None, status: int | None = None,
                 digest_header: bool = True, page: int = 0, bad_digest: bool = False, link_base: str = "",
                 digests: dict[str, str] | None = None) -> None:
        super().__init__()
        self.digests = digests or {}
        self.link_base = link_base  # written before the next page's path (another host, for a test)
        self.images, self.tags_body, self.status = images, tags_body, status
        self.digest_header, self.page, self.bad_digest = digest_header, page, bad_digest

    def answer(self, handler):
        url = urlsplit(handler.path)
        query = parse_qs(url.query)
        if url.path == "/token":
            scope = query.get("scope", [""])[0]
            if query.get("service") != ["fake-registry"]:
                return 400, {}, b'{"details": "bad service"}'
            return 200, {"Content-Type": "application/json"}, json.dumps({"token": f"anon:{scope}"}).encode()
        m = _TAGS.match(url.path) or _MANIFEST.match(url.path)
        if not m:
            return 404, {}, b""
        name = m.group("name")
        scope = f"repository:{name}:pull"
        if handler.headers.get("Authorization") != f"Bearer anon:{scope}":
            challenge = f'Bearer realm="{self.url}/token",service="fake-registry",scope="{scope}"'
            return 401, {"WWW-Authenticate": challenge, "Content-Type": "application/json"}, json.dumps(
                {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}).encode()
        if self.status:
            return self.status, {"Content-Type": "application/json"}, json.dumps(
                {"errors": [{"code": "DENIED", "message": "requested access to the resource is denied"}]}).encode()
        if name not in self.images:
            return 404, {"Content-Type": "application/json"}, json.dumps(
                {"errors": [{"code": "NAME_UNKNOWN", "message": "repository name not known to registry"}]}).encode()
        if "ref" not in m.groupdict():
            return self._tags(name, query)
        ref = m.group("ref")
        if ref not in self.images[name]:
            return 404, {}, json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]}
                                       ).encode()
        headers = {"Content-Type": "application/vnd.oci.image.index.v1+json"}
        if self.digest_header:
            headers["Docker-Content-Digest"] = ("sha256:NOT-A-DIGEST" if self.bad_digest else
                                                self.digests.get(f"{name}:{ref}") or digest_of(name, ref))
        return 200, headers, manifest(name, ref)

    def _tags(self, name: str, query: dict):
        if self.tags_body is not None:
            return 200, {"Content-Type": "application/json"}, self.tags_body
        tags = self.images[name]
        headers = {"Content-Type": "application/json"}
        if self.page:
            start = int(query.get("last", ["0"])[0])
            tags, rest = tags[start:start + self.page], tags[start + self.page:]
            if rest:
                following = f"{self.link_base}/v2/{name}/tags/list?n={self.page}&last={start + self.page}"
                headers["Link"] = f'<{following}>; rel="next"'
        return 200, headers, json.dumps({"name": name, "tags": tags}).encode()


class FakeHelmRepo(_Server):
    """`charts` maps a chart name to its versions, served as `<url>/charts/index.yaml`; `body`
    replaces the index (malformed YAML); `status` forces an error."""

    def __init__(self, charts: dict[str, list[str]], *, body: bytes | None = None, status: int | None = None) -> None:
        super().__init__()
        self.charts, self.body, self.status = charts, body, status

    @property
    def repo_url(self) -> str:
        return f"{self.url}/charts"

    def answer(self, handler):
        if urlsplit(handler.path).path != "/charts/index.yaml":
            return 404, {}, b"not found"
        if self.status:
            return self.status, {}, b"error"
        if self.body is not None:
            return 200, {"Content-Type": "application/x-yaml"}, self.body
        lines = ["apiVersion: v1", "entries:"]
        for chart, versions in self.charts.items():
            lines.append(f"  {chart}:")
            for version in versions:
                lines += [f"    - name: {chart}", f"      version: {json.dumps(version)}",
                          f"      urls: [{chart}-{version}.tgz]"]
        lines.append("generated: \"2026-11-01T00:00:00Z\"")
        return 200, {"Content-Type": "application/x-yaml"}, ("\n".join(lines) + "\n").encode()
