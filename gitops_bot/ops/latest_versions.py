"""`version=latest-stable` and `digest=resolve`: versions and digests asked of the run's lookups
(domain/lookups.py; the engine never touches the network itself).

- an image's newest stable tag (X.Y.Z, v-prefixed or not) from its registry's tag list;
- a chart's newest stable version from the `index.yaml` of its Helm repository: `repo=URL`, or
  the HTTP repository the tree names for it (ArgoCD sources whose `chart:` is the chart, Terraform
  `helm_release` `repository`, Chart.yaml dependencies, helmfile `repositories:`);
- a GitHub project's latest release;
- the digest of an image's tag.
`prerelease=true` lets pre-releases (X.Y.Z-rc.1) count. Every value passes the strict grammars
(checked_tag, checked_digest) before anything is written; a lookup that cannot answer is one
UserError and nothing is changed.
"""

from __future__ import annotations

import re

from gitops_bot.domain.lookups import checked_digest, checked_tag, latest_stable
from gitops_bot.errors import UserError
from gitops_bot.ops.state import RunState

NO_STABLE_VERSION = "no-stable-version"  # UserError kind: the lookup worked, no version fits


def prerelease(args: dict[str, str]) -> bool:
    """The `prerelease=` switch (true or false; false when not given)."""
    value = (args.get("prerelease") or "false").lower()
    if value not in ("true", "false"):
        raise UserError(f"prerelease={args['prerelease']!r}: say true or false")
    return value == "true"


def image_version(state: RunState, image: str, pre: bool = False) -> str:
    """The newest stable tag of `image` in its registry."""
    tags = state.releases.image_tags(image)
    if tags is None:
        raise UserError(f"no registry lookup in this run to find the latest tag of {image}")
    return _pick(tags, pre, f"the tags of {image}", "registry: the newest tag of", image)


def image_digest(state: RunState, image: str, tag: str) -> str:
    """The digest of `image:tag`, checked (sha256:<64 hex digits>)."""
    digest = state.releases.image_digest(image, tag)
    if digest is None:
        raise UserError(f"no registry lookup in this run to resolve the digest of {image}:{tag}")
    return checked_digest(f"{image}:{tag}", digest)


def github_version(state: RunState, project: str) -> str:
    """The tag of `project`'s latest GitHub release."""
    tag = state.releases.latest_release_tag(project)
    if tag is None:
        why = state.releases.unavailable()
        raise UserError(f"no latest release of {project}: " + (f"{why} to look it up" if why else
                                                                 "it has no GitHub release"))
    return checked_tag(project, tag)


def chart_version(state: RunState, chart: str, repo_url: str | None, pre: bool = False) -> str:
    """The newest stable version of `chart` in its Helm repository (`repo_url`, or the one the tree names)."""
    if repo_url and not re.match(r"^https?://[^\s]+$", repo_url):
        raise UserError(f"repo={repo_url!r} is not an http(s) Helm repository URL")
    urls = [repo_url] if repo_url else chart_repositories(state, chart)
    if not urls:
        raise UserError(f"version=latest-stable: no HTTP Helm repository for chart {chart} in the repository; "
                        "pass repo=URL")
    if len(urls) > 1:
        raise UserError(f"version=latest-stable: chart {chart} comes from {len(urls)} Helm repositories "
                        f"({', '.join(urls)}); pass repo=URL")
    versions = state.releases.chart_versions(urls[0], chart)
    if versions is None:
        raise UserError(f"no Helm repository lookup in this run to find the latest version of chart {chart}")
    return _pick(versions, pre, f"the versions of chart {chart} in {urls[0]}", f"Helm repository {urls[0]}: chart",
                 chart)


def _pick(values: list[str], pre: bool, what: str, source: str, subject: str) -> str:
    best = latest_stable(values, pre)
    if best is None:
        kind = "version" if pre else "stable version (X.Y.Z)"
        raise UserError(f"no {kind} among {what} ({len(values)} in all)", kind=NO_STABLE_VERSION)
    return checked_tag(subject, best, what=source)


def chart_repositories(state: RunState, chart: str) -> list[str]:
    """The HTTP(S) Helm repository URLs the tree names for `chart`, sorted (OCI ones are not
    index.yaml repositories)."""
    found: set[str] = set()
    for path in state.tree.grep(re.compile(re.escape(chart.encode()))):
        text = state.tree.read(path)
        if text is None or not state.in_scope(path):
            continue
        if path.endswith(".tf"):
            found.update(_terraform(text, chart))
        elif path.endswith((".yaml", ".yml")) and "{{" not in text:
            found.update(_yaml(path, text, chart))
    return sorted(url.rstrip("/") for url in found if re.match(r"^https?://\S+$", url))


def _terraform(text: str, chart: str) -> set[str]:
    from gitops_bot.parse.cache import parse_once
    from gitops_bot.parse.hcl import helm_release_versions

    try:
        releases = parse_once(helm_release_versions, text)
    except Exception:  # an unparsable .tf file names no repository we can trust
        return set()
    return {repository for repository, name, *_ in releases if name == chart and repository}


def _yaml(path: str, text: str, chart: str) -> set[str]:
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.argocd import applications_in
    from gitops_bot.parse.yaml import load_rt

    try:
        docs = load_rt(text)
    except (YAMLError, RecursionError, ValueError):
        return set()
    found = {s.repo_url for app in applications_in(path, docs) for s in app.sources if s.chart == chart}
    for doc in docs:
        if not hasattr(doc, "get"):
            continue
        for dep in doc.get("dependencies") or [] if path.endswith(("Chart.yaml", "requirements.yaml")) else []:
            if hasattr(dep, "get") and dep.get("name") == chart and isinstance(dep.get("repository"), str):
                found.add(dep["repository"])
        repositories = {r.get("name"): r.get("url") for r in doc.get("repositories") or [] if hasattr(r, "get")}
        for release in doc.get("releases") or [] if repositories else []:
            name = release.get("chart") if hasattr(release, "get") else None
            if isinstance(name, str) and name.count("/") == 1 and name.split("/")[1] == chart:
                url = repositories.get(name.split("/")[0])
                if isinstance(url, str):
                    found.add(url)
    return {url for url in found if isinstance(url, str)}
