"""ArgoCD Applications as gitops-bot needs them: where each one's chart comes from, which value
files it reads, and which Helm parameters it sets, with line numbers for reports.

Only structure is read here; editing is edit/yaml_insert.py's job.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from gitops_bot.domain.names import words


@dataclass
class Parameter:
    """One `spec.source.helm.parameters` entry."""

    name: str
    value: str | None
    line: int  # 1-based
    force_string: bool = False


@dataclass
class Source:
    """One source of an Application (`spec.source`, or an item of `spec.sources`)."""

    index: int | None  # None for spec.source
    repo_url: str
    path: str | None
    chart: str | None
    ref: str | None
    value_files: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    line: int = 0
    target_revision: str | None = None
    target_revision_at: tuple[int, int] | None = None  # 0-based (line, column) of its value

    @property
    def chart_name(self) -> str | None:
        """The deployed chart's name: the chart field, or the last folder of the path."""
        if self.chart:
            return self.chart
        if self.path:
            return posixpath.basename(self.path.rstrip("/"))
        return None


@dataclass
class Application:
    """An ArgoCD Application document in a file."""

    file: str
    doc_index: int
    name: str
    sources: list[Source]
    line: int
    project: str = "default"  # spec.project
    namespace: str = ""  # spec.destination.namespace

    @property
    def multi_source(self) -> bool:
        return bool(self.sources) and self.sources[0].index is not None

    def chart_sources(self) -> list[Source]:
        """Sources that deploy a chart (not `ref:`-only value sources)."""
        return [s for s in self.sources if s.chart_name]


# `chart` as a YAML key is written `chart` or quoted, so followed by a non-word character; any
# other spelling needs an escape. `charts/` (a path) does not count.
_CHART_KEY = re.compile(r"chart(?!\w)|\\")


def may_name_a_chart(text: str) -> bool:
    """False when no Application source of this YAML text can have a `chart` field: a cheap
    test that spares parsing the many Applications that deploy a path of a git repository."""
    return bool(_CHART_KEY.search(text))


def parse_applications(path: str, text: str) -> list[Application]:
    """Applications in one YAML file (raises YAMLError when it does not parse)."""
    from gitops_bot.parse.yaml import load_rt

    return applications_in(path, load_rt(text))


def applications_in(path: str, docs: list[Any]) -> list[Application]:
    """Applications among the documents of a YAML file that `parse.yaml.load_rt` loaded (for
    callers that share one parse of the file); the documents are only read."""
    from ruamel.yaml.comments import CommentedMap

    found = []
    for i, doc in enumerate(docs):
        if not isinstance(doc, CommentedMap) or doc.get("kind") != "Application":
            continue
        spec = doc.get("spec") or {}
        metadata = doc.get("metadata") or {}
        sources: list[Source] = []
        if isinstance(spec.get("source"), CommentedMap):
            sources.append(_source(spec["source"], None))
        if isinstance(spec.get("sources"), list):
            sources.extend(_source(s, k) for k, s in enumerate(spec["sources"]) if isinstance(s, CommentedMap))
        destination = spec.get("destination") if isinstance(spec.get("destination"), CommentedMap) else {}
        found.append(Application(path, i, str(metadata.get("name", "")), sources, doc.lc.line + 1,
                                 str(spec.get("project") or "default"), str(destination.get("namespace") or "")))
    return found


@dataclass
class Project:
    """An ArgoCD AppProject document: the repositories its Applications may deploy from."""

    file: str
    doc_index: int
    name: str
    source_repos: list[str] | None  # None: no sourceRepos (nothing is permitted)
    line: int
    repos_line: int = 0  # 1-based line of `sourceRepos:` (0: absent)


def projects_in(path: str, docs: list[Any]) -> list[Project]:
    """AppProjects among the documents of a YAML file (`parse.yaml.load_rt` documents)."""
    from ruamel.yaml.comments import CommentedMap

    found = []
    for i, doc in enumerate(docs):
        if not isinstance(doc, CommentedMap) or doc.get("kind") != "AppProject":
            continue
        spec = doc.get("spec") if isinstance(doc.get("spec"), CommentedMap) else CommentedMap()
        repos = spec.get("sourceRepos")
        listed = [str(r) for r in repos] if isinstance(repos, list) else None
        at = spec.lc.key("sourceRepos")[0] + 1 if "sourceRepos" in spec else 0
        found.append(Project(path, i, str((doc.get("metadata") or {}).get("name", "")), listed, doc.lc.line + 1, at))
    return found


def normalize_repo(url: str) -> str:
    """A repository URL as ArgoCD compares them: lower case, no trailing `/` or `.git`."""
    url = url.strip().lower().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def repo_permitted(url: str, patterns: Iterable[str] | None) -> bool:
    """Whether an AppProject whose sourceRepos are `patterns` lets an Application deploy from
    `url`, as ArgoCD decides: `*` alone permits everything; otherwise globs where `*` stays
    within one path segment and `**` crosses them; a `!pattern` that matches denies."""
    if not patterns:
        return False
    wanted, allowed = normalize_repo(url), False
    for pattern in patterns:
        deny = pattern.startswith("!")
        body = normalize_repo(pattern[1:] if deny else pattern)
        matched = body == "*" or re.fullmatch(_glob(body), wanted) is not None
        if deny and matched:
            return False
        allowed = allowed or (matched and not deny)
    return allowed


def _glob(pattern: str) -> str:
    out = []
    for piece in re.split(r"(\*\*|\*|\?)", pattern):
        out.append({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(piece, re.escape(piece)))
    return "".join(out)


def _source(node: Any, index: int | None) -> Source:
    helm = node.get("helm") or {}
    params = []
    for k, item in enumerate(helm.get("parameters") or []):
        if isinstance(item, dict) and "name" in item:
            value = item.get("value")
            params.append(Parameter(str(item["name"]), None if value is None else str(value),
                                    helm["parameters"].lc.item(k)[0] + 1, bool(item.get("forceString"))))
    revision_at = tuple(node.lc.value("targetRevision")) if "targetRevision" in node else None
    return Source(index, str(node.get("repoURL", "")), _opt(node.get("path")), _opt(node.get("chart")),
                  _opt(node.get("ref")), [str(v) for v in helm.get("valueFiles") or []], params,
                  node.lc.line + 1, _opt(node.get("targetRevision")), revision_at)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def resolve_value_file(app: Application, source: Source, value_file: str) -> str | None:
    """The repository path a value file refers to: relative to the source's path, or
    `$ref/...` relative to the repository root for a multi-source `ref:` source."""
    if value_file.startswith("$"):
        ref, _, rest = value_file[1:].partition("/")
        if any(s.ref == ref for s in app.sources):
            return posixpath.normpath(rest)
        return None
    if source.path is None:
        return None
    return posixpath.normpath(posixpath.join(source.path, value_file))


def find_application(apps: Iterable[Application], service: str, env: str) -> list[Application]:
    """Applications that deploy `service`: by file name, by `metadata.name` (`<service>`,
    `<service>-<env>`, `<env>-<service>`), or by a source whose chart is the service's."""
    wanted = words(service)
    names = {service, f"{service}-{env}", f"{env}-{service}"}
    hits = []
    for app in apps:
        stem = posixpath.basename(app.file).rsplit(".", 1)[0]
        if words(stem) == wanted or app.name in names or any(
                s.chart_name and words(s.chart_name) == wanted for s in app.sources):
            hits.append(app)
    return hits


def service_source(app: Application, service: str) -> Source | None:
    """The source of `app` that deploys the service's chart (the only chart source when the
    chart is named differently)."""
    charts = app.chart_sources()
    for s in charts:
        if s.chart_name and words(s.chart_name) == words(service):
            return s
    return charts[0] if len(charts) == 1 else None
