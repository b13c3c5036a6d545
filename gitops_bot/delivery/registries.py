"""Image tags and digests from OCI registries, over the distribution API.

- tags: `GET /v2/<name>/tags/list` (following `Link: <...>; rel="next"` pages);
- digest: `HEAD /v2/<name>/manifests/<tag>`, its `Docker-Content-Digest` header (a GET and the
  sha256 of the manifest's bytes when a registry leaves the header out).
Public registries answer anonymously after a token dance: a 401 with
`WWW-Authenticate: Bearer realm=...,service=...,scope=...` -> GET the realm -> a bearer token.

Where an image lives: `nginx` is Docker Hub's `library/nginx`, `acme/api` Docker Hub's
`acme/api`; a first component with a dot, a port or `localhost` names the registry (ghcr.io,
quay.io, gcr.io, registry.k8s.io, ...); docker.io is served by registry-1.docker.io.

Environment:
- GITOPS_BOT_REGISTRY_URLS: `host=URL,...`, where to reach a registry instead (a mirror);
- GITOPS_BOT_REGISTRY_AUTH: `host=user:password,...`, credentials sent (Basic) to that registry's
  token realm, for private repositories. Without it every request is anonymous.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from typing import Mapping

from gitops_bot.delivery.http import Response, request
from gitops_bot.domain.lookups import checked_digest
from gitops_bot.errors import UserError

_HUB_HOSTS = ("docker.io", "index.docker.io", "registry-1.docker.io")
_MANIFESTS = ", ".join((
    "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"))
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_MAX_PAGES = 50


def split_image(image: str) -> tuple[str, str]:
    """(registry host, repository name) of an image reference without tag or digest."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        host, name = first, rest
    else:
        host, name = "docker.io", image
    if host in _HUB_HOSTS:
        host = "docker.io"
        if "/" not in name:
            name = "library/" + name
    return host, name


class OciRegistries:
    """Tags and digests of images, anonymous unless GITOPS_BOT_REGISTRY_AUTH names the registry."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        self._tokens: dict[tuple[str, str], str] = {}
        self._tags: dict[str, list[str]] = {}

    def image_tags(self, image: str) -> list[str]:
        """Every tag of `image` (once per run)."""
        if image not in self._tags:
            host, name = split_image(image)
            base = self._endpoint(host)
            url, tags = f"{base}/v2/{name}/tags/list", []
            for _ in range(_MAX_PAGES):
                resp = self._get(host, name, url, {"Accept": "application/json"}, "GET", image)
                tags += _tag_list(image, resp.body)
                link = _NEXT.search(resp.headers.get("link", ""))
                if not link:
                    break
                url = link.group(1) if "://" in link.group(1) else base + link.group(1)
                if not url.startswith(base + "/"):  # the token is for this registry only
                    raise UserError(f"registry {host}: the tag list of {image} continues on another host ({url})")
            self._tags[image] = tags
        return self._tags[image]

    def image_digest(self, image: str, tag: str) -> str:
        """The digest of `image:tag` (the index's for a multi-platform image)."""
        host, name = split_image(image)
        url = f"{self._endpoint(host)}/v2/{name}/manifests/{tag}"
        resp = self._get(host, name, url, {"Accept": _MANIFESTS}, "HEAD", f"{image}:{tag}")
        digest = resp.headers.get("docker-content-digest")
        if digest is None:
            body = self._get(host, name, url, {"Accept": _MANIFESTS}, "GET", f"{image}:{tag}").body
            digest = "sha256:" + hashlib.sha256(body).hexdigest()
        return checked_digest(f"{image}:{tag}", digest.strip())

    # -- requests ---------------------------------------------------------------------
    def _endpoint(self, host: str) -> str:
        overrides = _pairs(self.env.get("GITOPS_BOT_REGISTRY_URLS", ""))
        if host in overrides:
            return overrides[host].rstrip("/")
        if host == "docker.io":
            return "https://registry-1.docker.io"
        local = host.split(":")[0] in ("localhost", "127.0.0.1")  # as docker: a local registry is plain HTTP
        return f"{'http' if local else 'https'}://{host}"

    def _get(self, host: str, name: str, url: str, headers: dict[str, str], method: str, what: str) -> Response:
        scope = f"repository:{name}:pull"
        token = self._tokens.get((host, scope))
        resp = request(url, {**headers, **({"Authorization": f"Bearer {token}"} if token else {})}, method,
                       what=f"registry {host}")
        if resp.status == 401 and not token:
            token = self._token(host, scope, resp.headers.get("www-authenticate", ""), what)
            resp = request(url, {**headers, "Authorization": f"Bearer {token}"}, method, what=f"registry {host}")
        if resp.status == 404:
            raise UserError(f"registry {host}: {what}: not found (HTTP 404; no such image or tag, or it is private)")
        if resp.status != 200:
            raise UserError(f"registry {host}: {what}: HTTP {resp.status}{_error_text(resp.body)}")
        return resp

    def _token(self, host: str, scope: str, challenge: str, what: str) -> str:
        """The anonymous (or GITOPS_BOT_REGISTRY_AUTH) bearer token the 401's challenge offers."""
        if not challenge.lower().startswith("bearer "):
            raise UserError(f"registry {host}: {what}: HTTP 401 without a bearer token challenge "
                            "(set GITOPS_BOT_REGISTRY_AUTH for a private registry)")
        params = dict(_CHALLENGE_PARAM.findall(challenge))
        realm = params.get("realm", "")
        if not realm.startswith(("https://", "http://")):
            raise UserError(f"registry {host}: {what}: the token challenge names no http(s) realm")
        from urllib.parse import urlencode

        query = {k: v for k, v in (("service", params.get("service")), ("scope", params.get("scope", scope))) if v}
        headers = {}
        credentials = _pairs(self.env.get("GITOPS_BOT_REGISTRY_AUTH", "")).get(host)
        if credentials:
            headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        resp = request(f"{realm}{'&' if '?' in realm else '?'}{urlencode(query)}", headers, what=f"registry {host}")
        if resp.status != 200:
            raise UserError(f"registry {host}: {what}: token request: HTTP {resp.status}{_error_text(resp.body)}")
        try:
            data = json.loads(resp.body)
            token = data.get("token") or data.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise UserError(f"registry {host}: {what}: the token response is not JSON with a token")
        self._tokens[(host, scope)] = token
        return token


def _tag_list(image: str, body: bytes) -> list[str]:
    """The `tags` of a tags/list answer (`"tags": null` for a repository without tags); a
    UserError when it is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    tags = data.get("tags", ()) if isinstance(data, dict) else ()
    tags = [] if tags is None else tags
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise UserError(f"registry: the tag list of {image} is malformed (expected JSON with a list of tags)")
    return tags


def _error_text(body: bytes) -> str:
    """`: <message>` of a registry's JSON error body, when it has one."""
    try:
        errors = json.loads(body).get("errors") or []
        return f": {errors[0]['message']}" if errors else ""
    except (ValueError, AttributeError, KeyError, TypeError, IndexError):
        return ""


def _pairs(setting: str) -> dict[str, str]:
    """`a=x,b=y` as {a: x, b: y}."""
    return dict(item.strip().split("=", 1) for item in setting.split(",") if "=" in item)
