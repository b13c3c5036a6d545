"""One plain HTTP request for the lookups (OCI registries, Helm repositories), over urllib.

Imported only when a lookup is made, so `gitops-bot --help` never loads the HTTP machinery.
HTTP statuses are returned, not raised: each lookup says what a 401 or a 404 means to it.
A network failure is a UserError naming the host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from gitops_bot.errors import UserError

TIMEOUT = 20  # seconds per request
MAX_BODY = 64 * 1024 * 1024  # a Helm index.yaml of a big repository is tens of MB


@dataclass(frozen=True)
class Response:
    """Status, headers (names lower-cased) and body of one response."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def request(url: str, headers: Mapping[str, str] | None = None, method: str = "GET", what: str = "") -> Response:
    """`method url`, redirects followed; a UserError ("<what> at <host> unreachable: ...") when no
    answer comes, or a body larger than MAX_BODY."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise UserError(f"{what or 'lookup'}: {url!r} is not an http(s) URL")
    req = urllib.request.Request(url, method=method)
    for name, value in (headers or {}).items():
        # Credentials go to the host asked, never along a redirect to another one (urllib forwards
        # ordinary headers to wherever a redirect points: a registry's blob store, or anyone).
        if name.lower() == "authorization":
            req.add_unredirected_header(name, value)
        else:
            req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return Response(resp.status, _lower(resp.headers), _read(resp, url, what))
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_BODY) if exc.fp is not None else b""
        return Response(exc.code, _lower(exc.headers), body)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UserError(f"{what or 'lookup'} at {urlsplit(url).netloc} unreachable: {reason}") from exc


def _lower(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers.items() if headers is not None else ())}


def _read(resp, url: str, what: str) -> bytes:
    body = resp.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise UserError(f"{what or 'lookup'}: {url} answered more than {MAX_BODY // 2**20} MB; not read")
    return body
