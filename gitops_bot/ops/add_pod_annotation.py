"""Operation `add_pod_annotation`: one annotation on the pod template of named workloads, in
plain manifests and Helm chart templates (edit/pod_annotations.py does the editing).

The chore: opt stateful infrastructure out of the mesh (`sidecar.istio.io/inject: "false"` on
postgres, redis, minio), or add a scrape or restart annotation, across charts and manifests by
hand. A workload is found by its literal `metadata.name`, or in a chart whose templates name it
by expression, by the chart's name. A kustomize strategic-merge patch of a workload whose base is
in the tree is left to the base (the patch merges into it; the report lists it) unless it sets the
key itself. A named workload found nowhere is a refused edit (exit 1); when none of them is found
the run stops (exit 2) with the names it has.
"""

from __future__ import annotations

import posixpath
import re

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.domain.worktree import Literals
from gitops_bot.edit.pod_annotations import POD_TEMPLATE_KINDS, add_annotation
from gitops_bot.edit.yaml_file import KUSTOMIZATION_FILES
from gitops_bot.errors import UserError, did_you_mean
from gitops_bot.ops.state import RunState
from gitops_bot.parse.yaml import load_safe
from gitops_bot.text.splice import report_line

CHECK = "re-parsed (templates through their masked copy); the pod template holds the annotation"
_KIND_RE = re.compile(r"^kind:\s*(\w+)", re.MULTILINE)
_META_NAME_RE = re.compile(r"^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*[\"']?([\w.-]+)", re.MULTILINE)


def run(state: RunState, args: dict[str, str]) -> None:
    key, value = args["key"], args["value"]
    names = {n.strip() for n in args["workloads"].split(",") if n.strip()}
    state.limit_to(args.get("paths", ""))
    charts = _charts(state)
    found: set[str] = set()
    candidates = _candidates(state, names, charts)
    patches = _kustomize_patches(state)
    # A kustomize patch merges into its base: the base is annotated, the patch only when its
    # base is not in the tree, or when it sets the key itself (its value would win).
    ordered = [(p, False) for p in candidates if p not in patches] + [(p, True) for p in candidates if p in patches]
    in_bases: set[str] = set()  # workloads whose own manifest (not a patch) holds the annotation now
    for path, is_patch in ordered:
        text = state.tree.read(path)
        if text is None or not set(_KIND_RE.findall(text)) & (POD_TEMPLATE_KINDS | {"CronJob"}):
            continue
        if is_patch and key not in text:
            _list_left_to_base(state, path, text, names & in_bases)
        wanted = names - found if is_patch and key not in text else names
        if not wanted:
            continue
        result = add_annotation(text, key, value, wanted, _chart_of(path, charts))
        found.update(result.annotated, result.present)
        if not is_patch:
            in_bases.update(result.annotated, result.present)
        for line, reason in result.refused:
            state.refused.append(Finding(path, line, "", reason, Kind.KEPT))
            found.add(reason.split(":", 1)[0])
        for line, comment in result.comments:
            state.notes.append(Finding(path, line, comment,
                                       "comment beside the changed annotation: check it still applies"))
        if result.text != text:
            state.tree.write(path, result.text)
            state.validation.append(Validation(path, CHECK, True))
    missing = sorted(names - found)
    if missing and not found:
        known = sorted(_workload_names(state, charts))
        raise UserError(f"no workload named {', '.join(missing)}{did_you_mean(missing[0], known, cutoff=0.5)}")
    for name in missing:
        state.refused.append(Finding("workloads", 0, name, f"no Deployment, StatefulSet, DaemonSet, Job or CronJob "
                                                           f"named {name}: not annotated", Kind.KEPT))


def _list_left_to_base(state: RunState, path: str, text: str, in_bases: set[str]) -> None:
    """List each workload of a kustomize patch that is left to its base (`in_bases`: annotated
    there): the patch merges into the base, so it needs no edit, and a reviewer is told where it
    was not made (some teams repeat the annotation in the patch, some do not)."""
    for match in _META_NAME_RE.finditer(text):
        if match.group(1) in in_bases:
            line = text.count("\n", 0, match.start(1)) + 1
            state.notes.append(Finding(path, line, report_line(text, line).strip(),
                                       f"kept: a kustomize patch of {match.group(1)}, a workload annotated in its "
                                       "own manifest; the patch merges into it", Kind.KEPT))


def _charts(state: RunState) -> dict[str, str]:
    """Chart folder -> chart name, for every Chart.yaml of the tree."""
    names = {posixpath.dirname(path): state.chart_name(path) for path in state.chart_files()}
    return {folder: name for folder, name in names.items() if name}


def _chart_of(path: str, charts: dict[str, str]) -> str | None:
    """The chart whose templates hold `path` (its name), or None."""
    folder = posixpath.dirname(path)
    while folder:
        if posixpath.basename(folder) == "templates" and posixpath.dirname(folder) in charts:
            return charts[posixpath.dirname(folder)]
        folder = posixpath.dirname(folder)
    return None


def _candidates(state: RunState, names: set[str], charts: dict[str, str]) -> list[str]:
    """YAML files that name a workload, and every template of a chart named like one."""
    tree = state.tree
    by_name = set(tree.grep(Literals(names)))
    in_charts = {p for p in tree.paths() if _chart_of(p, charts) in names}
    return sorted(p for p in by_name | in_charts if p.endswith((".yaml", ".yml")) and state.in_scope(p))


def _kustomize_patches(state: RunState) -> set[str]:
    """Files a kustomization names as strategic-merge patches (`patchesStrategicMerge:` items,
    `patches:` items' `path`), as tree paths."""
    out: set[str] = set()
    for path in state.tree.paths():
        if posixpath.basename(path) not in KUSTOMIZATION_FILES:
            continue
        try:
            docs = load_safe(state.tree.read(path) or "")
        except YAMLError:
            continue
        data = docs[0] if docs and isinstance(docs[0], dict) else {}
        refs = [r for r in data.get("patchesStrategicMerge") or [] if isinstance(r, str)]
        refs += [r["path"] for r in data.get("patches") or []
                 if isinstance(r, dict) and isinstance(r.get("path"), str)]
        folder = posixpath.dirname(path)
        out.update(posixpath.normpath(posixpath.join(folder, r)) for r in refs if "\n" not in r)
    return out


def _workload_names(state: RunState, charts: dict[str, str]) -> set[str]:
    """The names `did you mean` offers: literal workload names and chart names."""
    known = set(charts.values())
    for path in state.tree.grep(Literals([b"kind: Deployment", b"kind: StatefulSet", b"kind: DaemonSet"])):
        text = state.tree.read(path) or ""
        known.update(m.group(1) for m in _META_NAME_RE.finditer(text))
    return known
