"""The web routes Kubernetes manifests serve, and the links of served pages into them.

A Gateway API `HTTPRoute` serves its `hostnames` at the path prefixes of its rules' matches; an
`Ingress` serves each rule's `host` at its paths. When a removal deletes the route of a component
that shared a hostname with another app (`/db` of emberstone-db on the portal's host), the pages
of the apps still served on that host may link to the path (`<a href="/db/">Database</a>` in the
portal's header): such a link now leads nowhere, and nothing in it names the component.

A proxy's own route table (Envoy's `- match: { prefix: "/feature" }`) names no host: a route the
removal cut from one leaves every link to its path dead (`http://localhost:8080/feature/` in a
Makefile's hint).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Iterator

from ruamel.yaml.error import YAMLError

from gitops_bot.parse.yaml import load_safe

# Folders that lay an app out (`emberstone-portal/app/httproute.yaml`): the app is the one above.
_LAYOUT_FOLDERS = frozenset({"app", "base", "resources", "manifests", "templates", "config"})


@dataclass(frozen=True)
class Route:
    """One path prefix a route manifest serves on its hosts."""

    kind: str
    name: str
    hosts: frozenset[str]
    prefix: str  # `/db`, never `/` alone (a whole host is not a path a link can be told from)


def _route_documents(text: str) -> list[dict]:
    """The HTTPRoute and Ingress documents of a YAML file (none if it does not parse)."""
    if "HTTPRoute" not in text and "Ingress" not in text:
        return []
    try:
        docs = [d for d in load_safe(text) if isinstance(d, dict)]
    except (YAMLError, RecursionError, ValueError):
        return []
    return [d for d in docs if d.get("kind") in ("HTTPRoute", "Ingress")]


def routes(text: str) -> list[Route]:
    """The routes of a YAML file's HTTPRoute and Ingress documents."""
    found = []
    for doc in _route_documents(text):
        metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        name = str(metadata.get("name", ""))
        for hosts, prefix in _served(doc):
            prefix = prefix.rstrip("/*")
            if hosts and prefix.startswith("/") and len(prefix) > 1:
                found.append(Route(str(doc.get("kind")), name, frozenset(hosts), prefix))
    return found


def _served(doc: dict) -> Iterator[tuple[list[str], str]]:
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    if doc.get("kind") == "HTTPRoute":
        hosts = [h for h in _list(spec.get("hostnames")) if isinstance(h, str)]
        for rule in _list(spec.get("rules")):
            for match in _list(rule.get("matches") if isinstance(rule, dict) else None):
                path = match.get("path") if isinstance(match, dict) else None
                if isinstance(path, dict) and isinstance(path.get("value"), str):
                    yield hosts, path["value"]
    elif doc.get("kind") == "Ingress":
        for rule in _list(spec.get("rules")):
            if not isinstance(rule, dict) or not isinstance(rule.get("host"), str):
                continue
            http = rule.get("http") if isinstance(rule.get("http"), dict) else {}
            for path in _list(http.get("paths")):
                if isinstance(path, dict) and isinstance(path.get("path"), str):
                    yield [rule["host"]], path["path"]


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def hosts_served(text: str) -> frozenset[str]:
    """Every host a YAML file's HTTPRoute and Ingress documents serve, at any path."""
    hosts: set[str] = set()
    for doc in _route_documents(text):
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        if doc.get("kind") == "HTTPRoute":
            hosts.update(h for h in _list(spec.get("hostnames")) if isinstance(h, str))
        elif doc.get("kind") == "Ingress":
            hosts.update(r["host"] for r in _list(spec.get("rules")) if isinstance(r, dict)
                         and isinstance(r.get("host"), str))
    return frozenset(hosts)


def app_folder(route_file: str) -> str:
    """The folder of the app a route file belongs to: its own, or the one above a layout folder."""
    folder = posixpath.dirname(route_file)
    while folder and posixpath.basename(folder) in _LAYOUT_FOLDERS:
        folder = posixpath.dirname(folder)
    return folder


def link_pattern(prefix: str, urls: bool = False) -> re.Pattern[str]:
    """A link of a page to the path `prefix` or below it: an HTML `href`, `src` or `action`
    (`<a href="/db/">`), or a Markdown link target (`](/db/quests)`); with `urls`, also a URL on
    any host (`http://localhost:8080/feature/`)."""
    below = rf"{re.escape(prefix)}(?:/[^\s\"'()<>]*)?"
    url = rf"|\bhttps?://[^\s/\"'<>()]+{below}(?![\w.-])" if urls else ""
    return re.compile(rf"""(?:\b(?:href|src|action)\s*=\s*["']{below}["']|\]\({below}\){url})""")


# A proxy route's path prefix on a line of its own: Envoy's `- match: { prefix: "/feature" }`.
_PREFIX_LINE_RE = re.compile(r"""\bprefix:\s*["']?(?P<p>/[\w.-]+(?:/[\w.-]+)*)/?["']?\s*\}?\s*$""")


def removed_prefixes(before: str, after: str) -> frozenset[str]:
    """The path prefixes of proxy routes (`prefix: "/feature"`) that `before` has and `after`
    no longer has."""
    def prefixes(text: str) -> set[str]:
        return {m.group("p") for line in text.splitlines() if (m := _PREFIX_LINE_RE.search(line))}
    return frozenset(prefixes(before) - prefixes(after))
