"""The repository model's inventory: the components a repository's own structure declares, each
with the evidence that declares it and the paths that are its own.

Evidence, by kind (one pass over the listing; only the files that can declare something are
parsed: go.work, Chart.yaml, compose files, kustomizations, and YAML that names an ArgoCD or a
Flux kind):
- `go.work use`: a module directory the workspace uses (`./services/video-service`);
- `build file`: a folder with a build or package manifest (Dockerfile, go.mod, package.json, ...;
  footprint.PROJECT_MARKERS), named by its folder, or by the folder above when its own name is a
  word of the structure (`src/cart/src/`, `.../cmd/server/` beside other `server/`s: `_named`);
- `helm chart`: a folder with a Chart.yaml, named by the chart's `name:`;
- `argocd application`: an ArgoCD Application, named by `metadata.name`, with its file and the
  folders its sources' `path:` point at;
- `applicationset element`: an element of an ApplicationSet's list generator, named by its
  `name`/`app`/`component`/`service` field;
- `flux kustomization`: a Flux Kustomization, named by `metadata.name`, with its file and the
  folder of the repository its `spec.path` points at; one whose folder holds what declares two
  or more others, or two or more folders of manifests, is the cluster's layout (`cluster-apps`
  over `./kubernetes/apps`), not a component;
- `helm release`: a Flux HelmRelease, named by `metadata.name`, with its file, and its folder when
  that is named for it (`echo/`, or `echo/app/`);
- `compose service`: a top-level `services:` entry of a compose file, with its build context;
- `kustomize base`: a `base/` kustomization, named by the folder above it (the same way);
- `terraform module`: a folder of `.tf` files under `modules/`.
Evidence naming one component in different spellings (`video-service`, `video_service`) is one
component. Nothing is read twice, and nothing is executed.
"""

from __future__ import annotations

import collections
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.names import words
from gitops_bot.domain.worktree import Worktree
from gitops_bot.edit.gowork import use_list
from gitops_bot.ops.footprint import PROJECT_MARKERS
from gitops_bot.parse.yaml import load_safe

# The order evidence is listed in: what builds the component, then what deploys it.
KINDS = ("go.work use", "build file", "helm chart", "argocd application", "applicationset element",
         "flux kustomization", "helm release", "compose service", "kustomize base", "terraform module")
_ARGOCD_KIND_RE = re.compile(r"(?m)^kind:\s*['\"]?(Application|ApplicationSet)['\"]?\s*$")
_COMPOSE_RE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
_CHART_NAME_RE = re.compile(r"(?m)^name:\s*['\"]?([\w.-]+)['\"]?\s*(#.*)?$")
_FLUX_KIND_RE = re.compile(r"(?m)^kind:\s*['\"]?(Kustomization|HelmRelease)['\"]?\s*$")
_ELEMENT_NAME_KEYS = ("name", "app", "appName", "component", "service")
_KUSTOMIZATIONS = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


@dataclass(frozen=True)
class Evidence:
    """One place that declares a component: its kind, where it is written (a file, with the
    line where one is known), and a detail (the build files, the chart's folder)."""

    kind: str
    source: str
    detail: str = ""


@dataclass
class Component:
    """A component of the repository: its name, what declares it, and its own paths (folders
    end with `/`)."""

    name: str
    evidence: list[Evidence] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "paths": self.paths,
                "evidence": [{"kind": e.kind, "source": e.source, "detail": e.detail} for e in self.evidence]}


def inventory(tree: Worktree) -> list[Component]:
    """The components `tree` declares, sorted by name. An ArgoCD Application belongs to the
    component it deploys (the one whose folder its source `path:` is, or the one its file is
    named after: `apps/dev/video-service.yaml` named `video-service-dev`), else to its own name."""
    found: dict[tuple[str, ...], Component] = {}
    entries = list(_evidence(tree))
    apps = [e for e in entries if e[1].kind == "argocd application"]
    for name, evidence, own in [e for e in entries if e[1].kind != "argocd application"]:
        _add(found, words(name), name, evidence, own)
    owners = {path: key for key, component in found.items() for path in component.paths}
    for name, evidence, own in apps:
        stem = words(posixpath.basename(evidence.source).split(".", 1)[0])
        key = next((owners[p] for p in own[1:] if p in owners), stem if stem in found else words(name))
        _add(found, key, name, evidence, own)
    for component in found.values():
        component.paths.sort()
        component.evidence.sort(key=lambda e: (KINDS.index(e.kind), e.source))
    return sorted(found.values(), key=lambda c: c.name)


def _add(found: dict[tuple[str, ...], Component], key: tuple[str, ...], name: str, evidence: Evidence,
         own: list[str]) -> None:
    if not key:
        return
    component = found.setdefault(key, Component(name))
    if evidence not in component.evidence:
        component.evidence.append(evidence)
    component.paths.extend(p for p in own if p not in component.paths)


def _evidence(tree: Worktree) -> Iterator[tuple[str, Evidence, list[str]]]:
    """(component name, evidence, its own paths) from every kind of declaration."""
    dirs = set(tree.dirs())
    yaml_files, bases = [], []
    for path in tree.paths():
        folder, _, base = path.rpartition("/")
        if base == "go.work":
            yield from _go_work(tree, path, folder, dirs)
        elif base == "Chart.yaml":
            yield from _chart(tree, path, folder)
        elif _COMPOSE_RE.match(base):
            yield from _compose(tree, path, folder, dirs)
        elif base in _KUSTOMIZATIONS and folder.rpartition("/")[2] == "base" and "/" in folder:
            bases.append(path)
        elif base.endswith(".tf") and folder.rpartition("/")[0].rpartition("/")[2] == "modules":
            yield folder.rpartition("/")[2], Evidence("terraform module", folder + "/"), [folder + "/"]
        if base.endswith((".yaml", ".yml")):
            yaml_files.append(path)
    yield from _projects(tree)
    names = _named([b.rpartition("/")[0].rpartition("/")[0] for b in bases])
    for path in bases:
        parent = path.rpartition("/")[0].rpartition("/")[0]
        if parent in names:
            yield names[parent], Evidence("kustomize base", path), [parent + "/"]
    flux = []
    for path in yaml_files:
        text = tree.read(path)
        if text and "argoproj.io" in text and _ARGOCD_KIND_RE.search(text):
            yield from _argocd(path, text, dirs)
        if text and "toolkit.fluxcd.io" in text and _FLUX_KIND_RE.search(text):
            flux += _flux(path, text, dirs)
    yield from _without_structure(flux, yaml_files)


def _go_work(tree: Worktree, path: str, folder: str, dirs: set[str]) -> Iterator[tuple[str, Evidence, list[str]]]:
    try:
        uses = use_list(tree.read(path) or "")
    except ValueError:
        return
    for line, use in uses:
        target = posixpath.normpath(posixpath.join(folder, use))
        if target in dirs:
            yield target.rpartition("/")[2], Evidence("go.work use", f"{path}:{line + 1}"), [target + "/"]


def _projects(tree: Worktree) -> Iterator[tuple[str, Evidence, list[str]]]:
    markers: dict[str, list[str]] = collections.defaultdict(list)
    for p in tree.paths():
        folder, _, base = p.rpartition("/")
        if folder and base in PROJECT_MARKERS:
            markers[folder].append(base)
    names = _named(list(markers))
    for folder, found in sorted(markers.items()):
        if folder in names:
            yield names[folder], Evidence("build file", folder + "/", ", ".join(sorted(found))), [folder + "/"]


def _named(folders: list[str]) -> dict[str, str]:
    """Each folder's component name: its own name, unless that is a word of the structure (a
    folder name that holds several of the folders, as `src/` and `services/` do, or one that
    several of them share, as `upstream/` and `server/` do): then the name of the first folder
    above it that is not. A folder with no such name is left out."""
    base = collections.Counter(f.rpartition("/")[2] for f in folders)
    parents = collections.Counter(f.rpartition("/")[0].rpartition("/")[2] for f in folders if "/" in f)
    structure = {n for n, count in base.items() if count > 1} | {n for n, count in parents.items() if count > 1}
    names = {}
    for folder in folders:
        parts = folder.split("/")
        while parts and parts[-1] in structure:
            parts.pop()
        if parts:
            names[folder] = parts[-1]
    return names


def _chart(tree: Worktree, path: str, folder: str) -> Iterator[tuple[str, Evidence, list[str]]]:
    m = _CHART_NAME_RE.search(tree.read(path) or "")
    name = m.group(1) if m else folder.rpartition("/")[2]
    if name:
        yield name, Evidence("helm chart", path), [(folder + "/") if folder else path]


def _compose(tree: Worktree, path: str, folder: str, dirs: set[str]) -> Iterator[tuple[str, Evidence, list[str]]]:
    doc = _first_doc(tree.read(path) or "")
    services = doc.get("services") if isinstance(doc, dict) else None
    for name, service in services.items() if isinstance(services, dict) else ():
        if not isinstance(name, str):
            continue
        build = service.get("build") if isinstance(service, dict) else None
        context = build.get("context") if isinstance(build, dict) else build
        own = []
        if isinstance(context, str) and not re.search(r"[$:]", context):
            target = posixpath.normpath(posixpath.join(folder, context))
            if target in dirs:
                own.append(target + "/")
        yield name, Evidence("compose service", path), own


def _argocd(path: str, text: str, dirs: set[str]) -> Iterator[tuple[str, Evidence, list[str]]]:
    try:
        docs = load_safe(text)
    except (YAMLError, RecursionError):
        return
    for doc in docs:
        if not isinstance(doc, dict) or not str(doc.get("apiVersion", "")).startswith("argoproj.io/"):
            continue
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        if doc.get("kind") == "Application":
            name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else None
            if isinstance(name, str) and "{{" not in name:
                yield name, Evidence("argocd application", path), [path] + _source_paths(spec, dirs)
        elif doc.get("kind") == "ApplicationSet":
            for element in _list_elements(spec.get("generators")):
                name = next((element[k] for k in _ELEMENT_NAME_KEYS if isinstance(element.get(k), str)), None)
                if name:
                    yield name, Evidence("applicationset element", path), []


def _flux(path: str, text: str, dirs: set[str]) -> list[tuple[str, Evidence, list[str]]]:
    """The Flux Kustomizations and HelmReleases of a file (names written with a substitution,
    `${APP}`, are a template's, not a component's)."""
    try:
        docs = load_safe(text)
    except (YAMLError, RecursionError):
        return []
    found = []
    folder = posixpath.dirname(path)
    for doc in docs:
        meta = doc.get("metadata") if isinstance(doc, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][\w.-]*", name):
            continue
        api, spec = str(doc.get("apiVersion", "")), doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        if api.startswith("kustomize.toolkit.fluxcd.io/") and doc.get("kind") == "Kustomization":
            where = spec.get("path")
            target = posixpath.normpath(where.strip().removeprefix("./").strip("/")) if isinstance(where, str) else ""
            if target in dirs and target != ".":  # else relative to another source (an OCI artifact)
                found.append((name, Evidence("flux kustomization", path), [path, target + "/"]))
        elif api.startswith("helm.toolkit.fluxcd.io/") and doc.get("kind") == "HelmRelease":
            named = folder.rpartition("/")[2] == name or (folder.rpartition("/")[2] == "app" and
                                                         folder.rpartition("/")[0].rpartition("/")[2] == name)
            found.append((name, Evidence("helm release", path), [path] + ([folder + "/"] if named else [])))
    return found


def _without_structure(flux: list[tuple[str, Evidence, list[str]]],
                       yaml_files: list[str]) -> list[tuple[str, Evidence, list[str]]]:
    """The Flux declarations less the Kustomizations that apply the cluster's layout, not a
    component: their folder holds what declares two or more others (`cluster-apps` over
    `./kubernetes/apps`), or two or more folders of manifests (`apps` over `./apps` with
    `backend/` and `frontend/`, which remove-service also calls structure)."""
    def structure(name: str, evidence: Evidence, own: list[str]) -> bool:
        if evidence.kind != "flux kustomization":
            return False
        held = {words(other) for other, e, _ in flux if e.source.startswith(own[1]) and words(other) != words(name)}
        folders = {p[len(own[1]):].split("/", 1)[0] for p in yaml_files
                   if p.startswith(own[1]) and "/" in p[len(own[1]):]}
        return len(held) >= 2 or len(folders) >= 2
    return [(name, evidence, own) for name, evidence, own in flux if not structure(name, evidence, own)]


def _source_paths(spec: dict, dirs: set[str]) -> list[str]:
    sources = [spec.get("source")] + (spec.get("sources") if isinstance(spec.get("sources"), list) else [])
    found = []
    for source in sources:
        where = source.get("path") if isinstance(source, dict) else None
        if isinstance(where, str):
            where = posixpath.normpath(where.strip("/"))
            if where in dirs:
                found.append(where + "/")
    return found


def _list_elements(generators: Any) -> Iterator[dict]:
    """The elements of every list generator, nested matrix/merge generators included."""
    for generator in generators if isinstance(generators, list) else ():
        if not isinstance(generator, dict):
            continue
        listed = generator.get("list")
        elements = listed.get("elements") if isinstance(listed, dict) else None
        yield from (e for e in elements if isinstance(e, dict)) if isinstance(elements, list) else ()
        for nested in ("matrix", "merge"):
            inner = generator.get(nested)
            if isinstance(inner, dict):
                yield from _list_elements(inner.get("generators"))


def _first_doc(text: str) -> Any:
    try:
        docs = load_safe(text)
    except (YAMLError, RecursionError):
        return None
    return docs[0] if docs else None
