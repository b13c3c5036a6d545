"""Every place one Helm chart's version is set, by chart name, for `set-version chart=NAME`.

Forms, each located through its parser (never a pattern over lines): ArgoCD Application
sources whose `chart:` is NAME (`targetRevision`), Flux `HelmRelease` `spec.chart.spec.version`
(`spec.chart.spec.chart` NAME), Terraform `resource "helm_release"` `version` (`chart` NAME, or
an OCI or repository path ending in `/NAME`), Terraform `module` blocks wrapping a Helm release
(`chart` NAME with `chart_version`, also as `try(var.x.chart_version, "4.10.0")` defaults, as
aws-ia's eks-blueprints-addons writes each add-on), `Chart.yaml` (and Helm 2 `requirements.yaml`)
dependencies named NAME, helmfile `releases:` whose `chart:` is NAME or `REPO/NAME`, and Flux
`OCIRepository` `spec.ref.tag` whose `url` ends with `/NAME` (a HelmRelease's `chartRef`, also
inside a Flux Operator ResourceSet).
A version that is not a plain version (a range `~1.2`, `*`) is found, and left to a human.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Iterator

from gitops_bot.domain.images import oci_repositories, value_span
from gitops_bot.domain.versions import is_version


# The form of a Flux HelmRelease's `spec.chart.spec.version`.
FLUX_RELEASE = "chart version (Flux HelmRelease)"


@dataclass(frozen=True)
class ChartRef:
    """One chart version as written: `start:end` spans the version text (inside its quotes)."""

    line: int  # 1-based
    start: int
    end: int
    version: str
    form: str

    @property
    def plain(self) -> bool:
        """Whether the version is one the bot may move (not a range or a wildcard)."""
        return is_version(self.version)


# A wildcard range as Helm and Flux resolve it: `54.x`, `1.2.x`, `v3.*` (the newest matching).
_WILDCARD_RE = re.compile(r"v?\d+(?:\.\d+)*(?:\.[xX*])+")


def is_wildcard(version: str) -> bool:
    """Whether `version` is a wildcard range (`54.x`, `1.2.*`)."""
    return bool(_WILDCARD_RE.fullmatch(version))


def same_wildcard_shape(written: str, asked: str) -> bool:
    """Whether a written range has the asked one's shape: as many fixed numbers, then wildcards
    (`54.x` for `55.x`; not `54.1.x`, not `54.1.0`)."""
    def shape(v: str) -> list[bool]:
        return [p in ("x", "X", "*") for p in v.lstrip("v").split(".")]
    return is_wildcard(written) and is_wildcard(asked) and shape(written) == shape(asked)


def _named(chart: Any, name: str) -> bool:
    return isinstance(chart, str) and (chart == name or chart.rstrip("/").endswith("/" + name))


def references(path: str, text: str, kind: str, name: str) -> list[ChartRef]:
    """Every version of chart `name` set in one file, in file order."""
    found: list[ChartRef] = []
    if kind == "hcl":
        found += _helm_releases(text, name)
    elif kind in ("yaml", "helm"):
        found += _yaml(path, text, name)
    return sorted(found, key=lambda r: r.start)


def _helm_releases(text: str, name: str) -> list[ChartRef]:
    found = _module_charts(text, name) if "chart_version" in text and "module" in text else []
    if "helm_release" not in text:
        return found
    from gitops_bot.parse.cache import parse_once
    from gitops_bot.parse.hcl import helm_release_versions
    from gitops_bot.text.splice import line_numbers

    try:
        releases = parse_once(helm_release_versions, text)
    except Exception:  # an unparsable .tf file holds no occurrence we can edit safely
        return found
    line_of = line_numbers(text)
    return found + [ChartRef(line_of(start), start, end, version, "chart version (Terraform helm_release)")
                    for _repository, chart, version, start, end in releases if _named(chart, name)]


def _module_charts(text: str, name: str) -> list[ChartRef]:
    """The `chart_version` of each module block wrapping a Helm release of chart `name`."""
    from gitops_bot.parse.cache import parse_once
    from gitops_bot.parse.hcl import module_chart_versions
    from gitops_bot.text.splice import line_numbers

    try:
        modules = parse_once(module_chart_versions, text)
    except Exception:  # an unparsable .tf file holds no occurrence we can edit safely
        return []
    line_of = line_numbers(text)
    return [ChartRef(line_of(start), start, end, version, "chart version (Terraform module chart_version)")
            for chart, version, start, end in modules if _named(chart, name)]


def _yaml(path: str, text: str, name: str) -> list[ChartRef]:
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.argocd import applications_in
    from gitops_bot.parse.yaml import load_rt
    from gitops_bot.text.splice import Lines

    try:
        docs = load_rt(text)
    except (YAMLError, RecursionError, ValueError):
        return []
    lines = Lines(text)
    found = []

    def add(mapping: Any, key: str, form: str) -> None:
        span = value_span(mapping, key, lines)
        if span is not None:
            found.append(ChartRef(lines.line_of(span[0]) + 1, span[0], span[1], text[span[0]:span[1]], form))

    if "Application" in text:
        for app in applications_in(path, docs):
            for source in app.sources:
                if source.chart == name and source.target_revision_at:
                    line, col = source.target_revision_at
                    _add_at(found, lines, line, col, "chart version (ArgoCD targetRevision)")
    base = posixpath.basename(path)
    for doc in docs:
        if not hasattr(doc, "get"):
            continue
        if doc.get("kind") == "HelmRelease":
            spec = _get(doc, "spec", "chart", "spec")
            if spec is not None and _named(spec.get("chart"), name) and "version" in spec:
                add(spec, "version", FLUX_RELEASE)
        for oci in oci_repositories(doc) if "OCIRepository" in text else ():
            url = oci["spec"].get("url")
            ref = oci["spec"].get("ref")
            if isinstance(url, str) and url.rstrip("/").rsplit("/", 1)[-1] == name and hasattr(ref, "get") \
                    and "tag" in ref:
                add(ref, "tag", "chart version (Flux OCIRepository ref.tag)")
        if base in ("Chart.yaml", "requirements.yaml"):
            for dep in _items(doc.get("dependencies")):
                if dep.get("name") == name and "version" in dep:
                    add(dep, "version", "chart dependency version (Chart.yaml)")
        if "helmfile" in base or "releases" in doc:
            for release in _items(doc.get("releases")):
                if _named(release.get("chart"), name) and "version" in release:
                    add(release, "version", "chart version (helmfile release)")
    return found


def _add_at(found: list[ChartRef], lines: Any, line: int, col: int, form: str) -> None:
    raw = lines.line(line)[col:]
    start = lines.start(line) + col
    quote = raw[:1] if raw[:1] in "\"'" else ""
    end_in_raw = raw.find(quote, 1) if quote else len(raw.split(" #")[0].rstrip())
    if end_in_raw <= 0:
        return
    value = raw[len(quote):end_in_raw]
    found.append(ChartRef(line + 1, start + len(quote), start + len(quote) + len(value), value, form))


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not hasattr(node, "get"):
            return None
        node = node.get(key)
    return node if hasattr(node, "get") else None


def _items(node: Any) -> Iterator[Any]:
    if isinstance(node, list):
        yield from (item for item in node if hasattr(item, "get"))


def release_spans(chart_yaml: str) -> dict[str, ChartRef]:
    """A Chart.yaml's own `version:` and `appVersion:` as written (keys missing or not plain
    scalars are absent): the chart's release and the release of the application it deploys."""
    from ruamel.yaml.error import YAMLError

    from gitops_bot.parse.yaml import load_rt
    from gitops_bot.text.splice import Lines

    try:
        docs = load_rt(chart_yaml)
    except (YAMLError, RecursionError, ValueError):
        return {}
    doc = docs[0] if docs and hasattr(docs[0], "get") else None
    lines = Lines(chart_yaml)
    found = {}
    for key in ("version", "appVersion"):
        span = value_span(doc, key, lines) if doc is not None and key in doc else None
        if span is not None:
            found[key] = ChartRef(lines.line_of(span[0]) + 1, span[0], span[1], chart_yaml[span[0]:span[1]],
                                  f"chart {key} (Chart.yaml)")
    return found
