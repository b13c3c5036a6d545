"""What compose-first application repositories say about their services in YAML, for the YAML
planner (yaml_file.py) to act on: compose services that are the component's, compose
`environment:` items, another service's settings group for the component, dependabot groups,
and list items that point at a path the run deleted.

Locate-only helpers on ruamel's round-trip data: they decide, the planner cuts.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Callable

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.names import ServiceName, words
from gitops_bot.parse.yaml import load_safe

# Fields of a list item that say which folder or file it builds or watches (a build-matrix
# `include:` item, a dependabot `updates:` entry); read at the item's own level only.
PATH_KEYS = frozenset({"file", "dockerfile", "directory"})
# Top-level keys of a compose file (`x-...` extensions aside).
_COMPOSE_KEYS = frozenset({"version", "name", "include", "services", "networks", "volumes", "configs", "secrets"})
_ENV_ITEM_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:=(.*))?", re.S)
_EXPANDED_RE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def path_pointers(item: Any) -> list[str]:
    """The values of a mapping's own `file:`, `dockerfile:` and `directory:` fields."""
    return [v for k, v in item.items() if k in PATH_KEYS and isinstance(v, str)] if isinstance(item, dict) else []


def into_deleted(value: str, deleted: frozenset[str]) -> bool:
    """True when a path (`./test/tracetesting/Dockerfile`, `/src/video/**`) is, or lies in, a
    file or folder the run deleted (`deleted` holds both, repository-relative)."""
    if not deleted or "/" not in value:
        return False
    path = posixpath.normpath(re.sub(r"(/\*+)+$", "", value.strip()).lstrip("/"))
    parts = path.split("/")
    return any("/".join(parts[:i]) in deleted for i in range(1, len(parts) + 1))


def environment_item(item: str, name: ServiceName) -> tuple[bool, str | None] | None:
    """How a compose `environment:` item (`VIDEO_ADDR`, `VIDEO_ADDR=video:8080`) is judged: by
    its variable name, as a mapping key is. (True, None): the component's address, it goes;
    (False, why): another service's own setting the component's name starts (`LLM_MODEL` for
    the agent) or a value expanding the component's address (`UPSTREAM=${VIDEO_ADDR}`), kept
    and listed; (False, None): not the component's. None: not a NAME[=value] item."""
    m = _ENV_ITEM_RE.fullmatch(item)
    if m is None:
        return None
    variable, value = m.group(1), m.group(2) or ""
    if name.addresses(variable):
        return True, None
    if name.owns(variable):
        return False, f"this service still reads {variable}: check whether it still needs it"
    used = [v for v in _EXPANDED_RE.findall(value) if name.addresses(v)]
    if used:
        return False, f"{variable} uses ${{{used[0]}}}, the removed service's address: rewrite it"
    return False, None


# A setting's name, as environment variables are written: `RETAIL_ORDERS_MESSAGING_PROVIDER`.
_SETTING_RE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# The host a setting's value addresses: `rabbitmq.rabbitmq:5672`, `amqp://user@rabbitmq:5672/`.
_HOST_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([a-z0-9][a-z0-9-]*)(?:\.[a-z0-9.-]+)?(?::\d+)?/?")


def settings_group(node: Any, name: ServiceName) -> set[str]:
    """The keys of another service's settings for the component in one mapping (a ConfigMap's
    `data:`, a values `env:` map), under that service's own prefix: the component's address
    (`RETAIL_ORDERS_MESSAGING_RABBITMQ_ADDRESSES: rabbitmq.rabbitmq:5672`, its name then only
    address words, its value a host named for it) and, under the same prefix, the switch that
    chose it (`RETAIL_ORDERS_MESSAGING_PROVIDER: rabbitmq`): eks-workshop-v2 removed both with
    rabbitmq. Nothing without such an address: a lone `..._PROVIDER: rabbitmq` may be a value
    of the service's own vocabulary."""
    settings = {k: v for k, v in node.items() if isinstance(k, str) and _SETTING_RE.fullmatch(k) and isinstance(v, str)}
    prefixes, found = set(), set()
    for key, value in settings.items():
        prefix = name.address_prefix(key)
        if prefix and _addresses_component(value, name):
            prefixes.add(prefix)
            found.add(key)
    for key, value in settings.items():
        t = words(key)
        if t[:-1] in prefixes and name.identifies(value.strip()):
            found.add(key)
    return found


def _addresses_component(value: str, name: ServiceName) -> bool:
    """Whether every address of a setting's value (comma-separated) is the component's host."""
    hosts = [_HOST_RE.fullmatch(part.strip()) for part in value.split(",")]
    return bool(hosts) and all(h is not None and name.identifies(h.group(1)) for h in hosts)


def is_compose(doc: Any) -> bool:
    """A compose document: compose's top-level keys only, and a `services:` map with at least
    one service that builds or names an image (a Helm values file's `services:` does not)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        return False
    if any(not (isinstance(k, str) and (k in _COMPOSE_KEYS or k.startswith("x-"))) for k in doc):
        return False
    return any(isinstance(s, dict) and ("build" in s or isinstance(s.get("image"), str))
               for s in doc["services"].values())


def compose_services_of(doc: Any, name: ServiceName, deleted: frozenset[str],
                        comment_names_it: Callable[[Any, str], bool] = lambda services, key: False) -> set[str]:
    """The compose services that are the component's: named for it (`llm`, `tracetest-server`:
    names it owns, never a longer known component's such as `flagd-ui` for `flagd`), those
    built from a folder the run deleted (`traceBasedTests` from `test/tracetesting/`), and an
    override of another file's service (no image, no build) that mounts a path the run deleted,
    under a comment naming the component (`# Patch otel-collector to use tracetest config`), as
    `comment_names_it(services, key)` says. Their entries go, and so do the `depends_on` entries
    naming them."""
    if not is_compose(doc):
        return set()
    mine = set()
    for key, service in doc["services"].items():
        if not isinstance(key, str) or not isinstance(service, dict):
            continue
        if name.owns(key) or any(into_deleted(p, deleted) for p in _build_paths(service.get("build"))):
            mine.add(key)
        elif "image" not in service and "build" not in service and _mounts_deleted(service, deleted) \
                and comment_names_it(doc["services"], key):
            mine.add(key)
    return mine


def _mounts_deleted(service: dict, deleted: frozenset[str]) -> bool:
    """True when a volume of the service mounts a path the run deleted (`./x/config.yml:/etc/c.yml`
    or `source: ./x/config.yml`)."""
    volumes = service.get("volumes")
    for volume in volumes if isinstance(volumes, list) else ():
        source = volume.split(":", 1)[0] if isinstance(volume, str) else \
            volume.get("source") if isinstance(volume, dict) else None
        if isinstance(source, str) and into_deleted(source, deleted):
            return True
    return False


def compose_services(text: str) -> set[str]:
    """The services a compose file's text defines (none when it does not parse)."""
    try:
        docs = load_safe(text)
    except YAMLError:
        return set()
    return {k for doc in docs if is_compose(doc) for k in doc["services"] if isinstance(k, str)}


def removed_compose_services(before: str, after: str) -> frozenset[str]:
    """The compose services of `before` that `after` (the same file edited) no longer has."""
    return frozenset(compose_services(before) - compose_services(after))


def dedicated_dependencies(doc: Any, mine: set[str], comment_names_it: Callable[[str], bool]) -> list[str]:
    """The compose services only the component's services (`mine`) use, set up for it: another
    service depends on or names none of them (`depends_on`, `links`, a value such as
    `DATABASE_URL=...@ffspostgres:5432`), and the comment above each names the component
    (`# Postgres used by the Video service`), as `comment_names_it(service)` says."""
    services = doc.get("services") if is_compose(doc) else None
    if not isinstance(services, dict):
        return []
    deps = {d for key in mine if isinstance(services.get(key), dict) for d in _depends_on(services[key])}
    found = []
    for dep in sorted(deps - mine):
        if not isinstance(services.get(dep), dict):
            continue
        word = re.compile(r"(?<![\w.-])" + re.escape(dep) + r"(?![\w-])")
        users = [k for k, s in services.items() if k != dep and k not in mine and _names(s, word)]
        if not users and comment_names_it(dep):
            found.append(dep)
    return found


def build_folder(service: Any) -> str | None:
    """The folder a compose service builds from (its Dockerfile's folder, or its context when
    that is not the project root), repository-relative; None when unknown."""
    paths = _build_paths(service.get("build")) if isinstance(service, dict) else []
    dockerfiles = [p for p in paths if posixpath.basename(p).startswith("Dockerfile")]
    folder = posixpath.dirname(dockerfiles[0]) if dockerfiles else paths[0] if paths else None
    folder = posixpath.normpath(folder) if folder else None
    return None if folder in (None, ".") or folder.startswith("..") or folder.startswith("/") else folder


def _depends_on(service: dict) -> list[str]:
    value = service.get("depends_on")
    return [d for d in value if isinstance(d, str)] if isinstance(value, (list, dict)) else []


def _names(node: Any, word: "re.Pattern[str]") -> bool:
    """True when a key or string under `node` names the service (`word`)."""
    if isinstance(node, dict):
        return any(_names(k, word) or _names(v, word) for k, v in node.items())
    if isinstance(node, list):
        return any(_names(v, word) for v in node)
    return isinstance(node, str) and word.search(node) is not None


def names_compose_services(path: tuple[Any, ...]) -> bool:
    """True at `services` (doc, "services") and at a service's `depends_on` (doc, "services",
    NAME, "depends_on"): the places compose names services."""
    return (len(path) == 2 and path[1] == "services") or (
        len(path) == 4 and path[1] == "services" and path[3] == "depends_on")


def _build_paths(build: Any) -> list[str]:
    """What a compose `build:` builds from, as paths (`./test/x/Dockerfile` from `context: ./`
    + `dockerfile: test/x/Dockerfile`); values holding variables are unknown."""
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict):
        return []
    context, dockerfile = build.get("context", "."), build.get("dockerfile")
    found = [context] if isinstance(context, str) and context.strip("./") else []
    if isinstance(context, str) and isinstance(dockerfile, str):
        found.append(posixpath.join(context, dockerfile))
    return [p if "/" in p else "./" + p for p in found if "$" not in p]


def orphaned_dependabot_groups(doc: Any, removed: set[int]) -> list[str]:
    """Dependabot: the `multi-ecosystem-groups` entries that only the removed `updates` entries
    (their indexes) name."""
    groups, updates = (doc.get("multi-ecosystem-groups"), doc.get("updates")) if isinstance(doc, dict) else (0, 0)
    if not isinstance(groups, dict) or not isinstance(updates, list):
        return []
    named: dict[bool, set[Any]] = {True: set(), False: set()}
    for i, update in enumerate(updates):
        if isinstance(update, dict):
            named[i in removed].add(update.get("multi-ecosystem-group"))
    return [key for key in groups if key in named[True] - named[False]]


# -- helmfile: releases, their `needs`, and the repositories only they used --------------------
def is_helmfile(doc: Any) -> bool:
    """A helmfile document: a top-level `releases:` list of mappings with `name` and `chart`."""
    releases = doc.get("releases") if isinstance(doc, dict) else None
    return isinstance(releases, list) and any(isinstance(r, dict) and "name" in r and "chart" in r
                                              for r in releases)


def helmfile_releases_of(doc: Any, name: ServiceName) -> set[int]:
    """Indexes of the component's releases: named for it (`name: spegel`), whatever their other
    fields (namespace, version, values) say; a release is a whole entry, never half edited."""
    return {i for i, r in enumerate(doc["releases"])
            if isinstance(r, dict) and isinstance(r.get("name"), str) and name.owns(r["name"])}


def helmfile_repositories_of(doc: Any, removed: set[int]) -> set[int]:
    """Indexes of the `repositories:` entries only removed releases used (`chart: postfinance/x`)."""
    releases, repos = doc["releases"], doc.get("repositories")
    if not isinstance(repos, list):
        return set()

    def repo_of(release: Any) -> str | None:
        chart = release.get("chart") if isinstance(release, dict) else None
        return chart.split("/", 1)[0] if isinstance(chart, str) and "/" in chart and "://" not in chart else None

    gone = {repo_of(releases[i]) for i in removed} - {None}
    kept = {repo_of(r) for i, r in enumerate(releases) if i not in removed}
    return {i for i, r in enumerate(repos) if isinstance(r, dict) and r.get("name") in gone - kept}


def helmfile_needs(doc: Any, removed: set[int]) -> dict[tuple[int, int], list[str]]:
    """For each `needs` entry of a remaining release that names a removed one (`kube-system/x`,
    or `x`), what replaces it: the removed release's own needs that the release does not already
    have (`kube-system/coredns`), so the order of installation stays; [] when it has them all."""
    releases = doc["releases"]
    gone = {}
    for i in removed:
        r = releases[i]
        needs = r.get("needs")
        gone[(str(r.get("namespace") or ""), str(r["name"]))] = [n for n in needs if isinstance(n, str)] \
            if isinstance(needs, list) else []
    found: dict[tuple[int, int], list[str]] = {}
    for i, release in enumerate(releases):
        needs = release.get("needs") if isinstance(release, dict) and i not in removed else None
        for k, need in enumerate(needs if isinstance(needs, list) else ()):
            hit = next((inherited for key, inherited in gone.items() if _needs_release(need, *key)), None)
            if hit is not None:
                have = {n for n in needs if isinstance(n, str)}
                found[(i, k)] = [n for n in hit if n not in have and not any(_needs_release(n, *key) for key in gone)]
    return found


def _needs_release(need: Any, namespace: str, release: str) -> bool:
    """Whether a `needs` entry (`[kubecontext/][namespace/]name`) names that release."""
    if not isinstance(need, str):
        return False
    parts = need.strip().split("/")
    return parts[-1] == release and (len(parts) == 1 or not namespace or parts[-2] == namespace)
