"""Rule `sidecar-on-infra` (warning): a stateful infrastructure workload (a database, cache,
message broker, object store or metrics store) in a namespace where Istio injects sidecars, with
no opt-out on its pod template.

A sidecar in front of postgres, redis or kafka breaks what these expect of the network (startup
before the proxy is ready, replication and cluster ports, long-lived connections through the
proxy's timeouts); teams opt them out one by one after the incident. Injection is on for a
namespace labelled `istio-injection: enabled` or `istio.io/rev` in a Namespace manifest, in an
ArgoCD Application's `managedNamespaceMetadata`, or by a `kubectl label namespace NAME
istio-injection=enabled` line in a script or Makefile. A workload's namespace is its
`metadata.namespace`, or for a chart's templates the destination of the Application that
deploys the chart. Infrastructure is known by its images, else by its workload or chart name.
The fix is `sidecar-exclude`.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from gitops_bot.checks.model import Problem, RepoIndex, Rule, fix_command, rule_prefilter
from gitops_bot.domain.worktree import Literals
from gitops_bot.parse import gotemplate
from gitops_bot.parse.yaml import load_rt

_INFRA = re.compile(r"(?:^|[/_-])(postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|redis|valkey|memcached|minio|etcd|kafka|"
                    r"zookeeper|rabbitmq|nats|cassandra|clickhouse|elasticsearch|opensearch|prometheus|loki|tempo|"
                    r"mimir|thanos|victoria-?metrics)(?:$|[:@/_-])")
_LABEL_CMD = re.compile(r"kubectl\s+label\s+(?:namespace|ns)\s+([a-z0-9-]+)\s+.*?"
                        r"(?:istio-injection=enabled|istio\.io/rev=\S+)")
_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
_OPT_OUT = "sidecar.istio.io/inject"
_WORKLOAD_FILES = rule_prefilter("workloads", Literals([f"kind: {k}".encode() for k in _WORKLOADS]))
_INJECTION_FILES = rule_prefilter("injection", Literals([b"istio-injection", b"istio.io/rev"]))


def _sidecar_on_infra(index: RepoIndex) -> list[Problem]:
    injected = _injected_namespaces(index)
    if not injected:
        return []
    deployed = {}  # chart folder -> namespaces its Applications deploy it to
    for app in index.applications():
        for source in app.sources:
            if source.path and app.namespace:
                deployed.setdefault(posixpath.normpath(source.path), set()).add(app.namespace)
    problems = []
    tree = index.tree
    for path in index.candidates(_WORKLOAD_FILES):
        if not path.endswith((".yaml", ".yml")):
            continue
        chart = _chart_folder(path)
        for doc, line, name in _workloads(tree.read(path) or ""):
            namespaces = {str((doc.get("metadata") or {}).get("namespace") or "")} - {""}
            namespaces = namespaces or deployed.get(chart, set())
            hit = sorted(namespaces & injected)
            what = _infrastructure(doc, name, chart)
            if hit and what and not _opted_out(doc):
                workload = name if name != "(templated)" else posixpath.basename(chart or "")
                label = name if name != "(templated)" else f"of chart {workload}"
                problems.append(RULE.problem(
                    path, line, f"{doc.get('kind')} {label} ({what}) runs in namespace {hit[0]}, where Istio injects "
                                f"sidecars, with no sidecar.istio.io/inject opt-out on its pods",
                    fix_command("apply", "sidecar-exclude", workloads=workload)))
    return problems


def _injected_namespaces(index: RepoIndex) -> set[str]:
    found = set()
    tree = index.tree
    for path in index.candidates(_INJECTION_FILES):
        text = tree.read(path) or ""
        if path.endswith((".yaml", ".yml")) and "{{" not in text:
            try:
                docs = load_rt(text)
            except YAMLError:
                continue
            found.update(_namespaces_labelled(docs))
        found.update(_LABEL_CMD.findall(text))
    return found


def _namespaces_labelled(docs: list[Any]) -> set[str]:
    found = set()
    for doc in docs:
        if not isinstance(doc, CommentedMap):
            continue
        if doc.get("kind") == "Namespace":
            metadata = doc.get("metadata") or {}
            if _injecting(metadata.get("labels")):
                found.add(str(metadata.get("name")))
        elif doc.get("kind") == "Application":
            spec = doc.get("spec") or {}
            managed = (spec.get("syncPolicy") or {}).get("managedNamespaceMetadata") or {}
            namespace = (spec.get("destination") or {}).get("namespace")
            if namespace and _injecting(managed.get("labels")):
                found.add(str(namespace))
    return found


def _injecting(labels: Any) -> bool:
    return isinstance(labels, dict) and (str(labels.get("istio-injection")) == "enabled" or "istio.io/rev" in labels)


def _workloads(text: str):
    """(document, line, name) of each Deployment/StatefulSet/DaemonSet; a templated name reads
    `(templated)`. Templates are read through their masked copy."""
    try:
        actions = gotemplate.lex(text)
        docs = load_rt(gotemplate.mask(text, actions) if actions else text)
    except (gotemplate.TemplateError, YAMLError):
        return
    lines = text.splitlines()  # the masked copy has the same geometry: positions read the original
    for doc in docs:
        if isinstance(doc, CommentedMap) and doc.get("kind") in _WORKLOADS:
            metadata = doc.get("metadata") if isinstance(doc.get("metadata"), CommentedMap) else None
            name = str(metadata.get("name") or "") if metadata else ""
            templated = bool(name) and "{{" in lines[metadata.lc.value("name")[0]]
            yield doc, doc.lc.line + 1, "(templated)" if templated else name


def _pod(doc: CommentedMap) -> dict:
    template = (doc.get("spec") or {}).get("template")
    return template if isinstance(template, dict) else {}


def _infrastructure(doc: CommentedMap, name: str, chart: str | None) -> str:
    """`image postgres:16`, `name redis`, or '' when the workload is not infrastructure."""
    spec = _pod(doc).get("spec") or {}
    for container in (spec.get("containers") or []) if isinstance(spec, dict) else []:
        image = str(container.get("image") or "") if isinstance(container, dict) else ""
        if _INFRA.search(image.rsplit("/", 1)[-1].split(":")[0] or "-"):
            return f"image {image}"
    for candidate in (name, posixpath.basename(chart or "")):
        if candidate and _INFRA.search(candidate):
            return f"name {candidate}"
    return ""


def _opted_out(doc: CommentedMap) -> bool:
    metadata = _pod(doc).get("metadata") or {}
    for field in ("annotations", "labels"):
        values = metadata.get(field) if isinstance(metadata, dict) else None
        if isinstance(values, dict) and str(values.get(_OPT_OUT)).lower() == "false":
            return True
    return False


def _chart_folder(path: str) -> str | None:
    parts = path.split("/")
    return "/".join(parts[:parts.index("templates")]) if "templates" in parts[:-1] else None


RULE = Rule("sidecar-on-infra", "warning",
            "A database, cache, broker or object store in a namespace with Istio sidecar injection and no opt-out",
            _sidecar_on_infra,
            "A sidecar in front of a database, cache, message broker or object store breaks what it expects "
            "of the network (starting before the proxy is ready, replication and cluster ports, long-lived "
            "connections through the proxy's timeouts); teams opt these out one by one after the incident.",
            "Opt the workload out of injection: `gitops-bot apply sidecar-exclude workloads=NAME`.")
