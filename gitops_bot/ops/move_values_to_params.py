"""Operation `move_values_to_params`: move per-service maps (default `config:`) out of an
environment values file into each service's ArgoCD Application Helm parameters.

ArgoCD deploys each service's chart on its own with the environment file as a value file, and
Helm only reads top-level keys there, so `video-service: {config: {...}}` never reaches the pod
(DOMAIN.md, chore 2). For each top-level service entry holding the map:
- find the service's Application (file name, `metadata.name`, or the chart a source deploys);
- add a `config.KEY` parameter per leaf (helm_params.py says how values become strings);
- an equal parameter is left alone; a different one is a conflict: nothing of that service is
  changed, and the run exits 1, unless `prefer=values` (overwrite) or `prefer=params` (keep);
- a service without an Application, or with a value no parameter can say, keeps its map and is
  reported in the residue;
- finally the moved maps leave the values file (an entry left empty goes with them).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from gitops_bot.domain.argocd import (
    Application,
    Source,
    find_application,
    parse_applications,
    service_source,
)
from gitops_bot.domain.findings import Conflict, Finding, Kind, Validation
from gitops_bot.domain.helm_params import (
    NewParameter,
    Unmovable,
    escape_key,
    parameter_value,
)
from gitops_bot.domain.names import service_name
from gitops_bot.domain.scope import repo_path
from gitops_bot.edit import yaml_file, yaml_insert
from gitops_bot.errors import UserError
from gitops_bot.ops.state import RunState
from gitops_bot.parse.yaml import load_rt
from gitops_bot.text.splice import Lines


def run(state: RunState, args: dict[str, str]) -> None:
    env, key, prefer = args["env"], args.get("key") or "config", args.get("prefer") or ""
    values_path = repo_path(args["values"], "values")
    apps_dir = repo_path(args["apps"], "apps").rstrip("/")
    tree = state.tree
    text = tree.read(values_path) if (tree.root / values_path).is_file() else None
    if text is None:
        raise UserError(f"values file {values_path} not found (or not text)")
    try:
        docs = load_rt(text)
    except YAMLError as exc:
        raise UserError(f"cannot parse {values_path}: {str(exc).splitlines()[0]}") from exc
    apps = _applications(state, apps_dir)
    lines = Lines(text)
    moved: list[tuple[tuple[Any, ...], Any]] = []
    root = docs[0] if docs and isinstance(docs[0], CommentedMap) else CommentedMap()
    for service, entry in root.items():
        if not (isinstance(entry, CommentedMap) and isinstance(entry.get(key), CommentedMap)):
            continue
        line = entry.lc.key(key)[0] + 1

        def report(reason: str, at: int = line) -> None:
            state.notes.append(Finding(values_path, at, lines.line(at - 1).strip(), reason))

        try:
            params = list(_flatten(entry[key], key, lines))
        except Unmovable as exc:
            report(f"{service}.{key} not moved: {exc}", exc.line or line)
            continue
        matches = find_application(apps, str(service), env)
        if len(matches) != 1:
            found = ", ".join(a.file for a in matches)
            report(f"{service}.{key} not moved: " + (
                f"no ArgoCD Application for {service} in {apps_dir}" if not matches
                else f"several Applications match {service}: {found}"))
            continue
        app = matches[0]
        source = service_source(app, str(service))
        if source is None:
            report(f"{service}.{key} not moved: cannot tell which source of {app.file} deploys its chart")
            continue
        plan = _reconcile(str(service), params, app, source, prefer, values_path)
        if isinstance(plan, list):
            state.conflicts.extend(plan)
            continue
        new, replace = plan
        if new or replace:
            try:
                updated = yaml_insert.update_parameters(tree.read(app.file), app.doc_index, source.index,
                                                        new, replace)
            except yaml_insert.InsertRefused as exc:
                state.refused.append(Finding(app.file, source.line, "", f"edit refused: {exc}", Kind.KEPT))
                report(f"{service}.{key} not moved: {app.file} could not be edited ({exc})")
                continue
            tree.write(app.file, updated)
            state.validation.append(Validation(app.file, yaml_insert.CHECK, True))
        moved.append(((0, service, key), service))
    if moved:
        _remove_maps(state, values_path, text, moved)


def _applications(state: RunState, apps_dir: str) -> list[Application]:
    tree = state.tree
    files = [p for p in tree.paths() if p.startswith(apps_dir + "/") and p.endswith((".yaml", ".yml"))]
    if not files:
        raise UserError(f"no ArgoCD Application files under {apps_dir}/")
    apps = []
    for path in files:
        text = tree.read(path)
        if text is None or "Application" not in text:
            continue
        try:
            apps.extend(parse_applications(path, text))
        except YAMLError as exc:
            raise UserError(f"cannot parse {path}: {str(exc).splitlines()[0]}") from exc
    return apps


def _flatten(node: CommentedMap, prefix: str, lines: Lines):
    """NewParameters for every leaf of a map: nested maps become dotted names."""
    for k, value in node.items():
        name = f"{prefix}.{escape_key(str(k))}"
        line, col = node.lc.value(k)
        if isinstance(value, CommentedMap):
            yield from _flatten(value, name, lines)
            continue
        text = lines.line(line)
        end, comment = yaml_insert.scalar_extent(text, col)
        raw = text[col:end]
        try:
            string, force = parameter_value(value, raw, quoted=raw[:1] in ("'", '"', "|", ">"))
        except Unmovable as exc:
            raise Unmovable(f"{name}: {exc}", line + 1) from exc
        yield NewParameter(name, string, force, line + 1, comment)


def _reconcile(service: str, params: list[NewParameter], app: Application, source: Source,
               prefer: str, values_path: str):
    """(new, replace) parameters, or the list of conflicts when the two sides disagree."""
    existing = {p.name: p for p in source.parameters}
    new: list[NewParameter] = []
    replace: dict[str, NewParameter] = {}
    conflicts: list[Conflict] = []
    for p in params:
        old = existing.get(p.name)
        if old is None:
            new.append(p)
        elif old.value == p.value or prefer == "params":
            continue
        elif prefer == "values":
            replace[p.name] = p
        else:
            conflicts.append(Conflict(service, p.name, p.value, f"{values_path}:{p.source_line}",
                                      old.value or "", f"{app.file}:{old.line}"))
    return conflicts if conflicts else (new, replace)


def _remove_maps(state: RunState, values_path: str, text: str, moved) -> None:
    targets = [(path, service_name(str(service))) for path, service in moved]
    result = yaml_file.remove_entries(text, targets)
    for refusal in result.refused:
        state.refused.append(Finding(values_path, refusal.line, "", refusal.reason))
    if result.text != text:
        state.tree.write(values_path, result.text)
        state.validation.append(Validation(values_path, yaml_file.CHECK, True))
        old_lines = text.splitlines()
        for comment in result.kept_comments:
            if comment in old_lines:
                state.notes.append(Finding(values_path, old_lines.index(comment) + 1, comment.strip(),
                                           "comment above a removed entry: check it still applies"))
