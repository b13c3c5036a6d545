"""Operation `set_param`: set, add or remove one Helm parameter (`spec.source(s).helm.parameters`)
in the ArgoCD Applications of some services, or of every Application of an environment.

A platform team changes one setting of a few services in one environment (`autoscaling.minReplicas`
to 2 for two services in prod, `config.ISTIO_JWT_MODE` off for one): the edit is the same in each
Application, and forgetting one is the incident. For each Application in scope:
- the source that deploys the service's chart is edited (edit/yaml_insert.py keeps the list's
  indentation, quoting and comments); an equal parameter is left alone, a different value is
  changed in place (its `forceString` kept), an absent one is appended in the neighbours' style;
- a new value that `--set` would read as another type (`2`, `false`) gets `forceString: true`
  only where the file already uses `forceString`: elsewhere the chart receives the typed value,
  as the neighbouring entries do;
- `unset=true` removes the parameter (the last one takes `parameters:` with it);
- a service with no Application in scope, several chart sources, or a layout the editor will not
  touch is listed in the residue, and the run exits 1.

An Application is in environment E when a folder of its path is E, or its name ends in `-E` or
starts with `E-` (`apps/prod/auth.yaml`, `auth-service-prod`).
"""

from __future__ import annotations

import posixpath

from gitops_bot.domain.argocd import Application, Source, find_application, service_source
from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.domain.helm_params import NewParameter
from gitops_bot.edit import yaml_insert
from gitops_bot.errors import UserError, did_you_mean
from gitops_bot.ops import argocd_tree
from gitops_bot.ops.state import RunState

# What `helm --set` reads as something other than a string (ArgoCD passes parameters that way).
_TYPED = ("true", "false", "null")


def run(state: RunState, args: dict[str, str]) -> None:
    name, value = args["name"], args.get("value") or ""
    env, unset = args.get("env") or "", (args.get("unset") or "false") == "true"
    services = [s.strip() for s in (args.get("apps") or "").split(",") if s.strip()]
    if not (services or env):
        raise UserError("set-param needs apps= or env= (which Applications to change)")
    if not unset and not value:
        raise UserError("set-param needs value= (or unset=true to remove the parameter)")
    state.limit_to(args.get("paths", ""))  # UserError (exit 2) for a bad glob or one matching nothing
    apps = [a for a in argocd_tree.applications(state) if not env or in_environment(a, env)]
    for app, source in _targets(state, apps, services, env):
        _edit(state, app, source, name, value, unset)


def in_environment(app: Application, env: str) -> bool:
    """True when the Application belongs to `env`: by a folder of its file, or by its name."""
    folders = posixpath.dirname(app.file).split("/")
    return env in folders or app.name.endswith(f"-{env}") or app.name.startswith(f"{env}-")


def _targets(state: RunState, apps: list[Application], services: list[str], env: str):
    """(Application, source) pairs to edit; what cannot be found is reported."""
    if not services:
        for app in apps:
            charts = app.chart_sources()
            if len(charts) == 1:
                yield app, charts[0]
            else:
                _report(state, app.file, app.line, f"{app.name}: cannot tell which of its sources deploys the chart")
        return
    where = f" in environment {env}" if env else ""
    found = {service: find_application(apps, service, env) for service in services}
    if not any(found.values()):
        known = sorted({_service_of(a.name, env) for a in apps})
        hint = did_you_mean(services[0], known, cutoff=0.5) or f" ({len(known)} Applications{where})"
        raise UserError(f"no ArgoCD Application for {', '.join(services)}{where}{hint}")
    for service, matches in found.items():
        if not matches:
            _report(state, "ArgoCD Applications", 0, f"no Application for {service}{where}: not changed")
            continue
        for app in matches:
            source = service_source(app, service)
            if source is None:
                _report(state, app.file, app.line, f"{app.name}: cannot tell which source deploys {service}'s chart")
            else:
                yield app, source


def _service_of(app_name: str, env: str) -> str:
    """An Application's name without its environment (`auth-service-prod` -> `auth-service`)."""
    if env and app_name.endswith(f"-{env}"):
        return app_name[:-len(env) - 1]
    return app_name[len(env) + 1:] if env and app_name.startswith(f"{env}-") else app_name


def _edit(state: RunState, app: Application, source: Source, name: str, value: str, unset: bool) -> None:
    tree = state.tree
    existing = next((p for p in source.parameters if p.name == name), None)
    text = tree.read(app.file) or ""
    try:
        if unset:
            if existing is None:
                return
            updated = yaml_insert.remove_parameters(text, app.doc_index, source.index, frozenset({name}))
            check = yaml_insert.REMOVE_CHECK
        else:
            if existing is not None and existing.value == value:
                return
            typed = value.lower() in _TYPED or value.lstrip("+-").isdigit()
            param = NewParameter(name, value, existing is None and typed and "forceString" in text, 0)
            new, replace = ([], {name: param}) if existing is not None else ([param], {})
            updated = yaml_insert.update_parameters(text, app.doc_index, source.index, new, replace)
            check = yaml_insert.CHECK
    except yaml_insert.InsertRefused as exc:
        _report(state, app.file, existing.line if existing else source.line, f"{name} not set: {exc}")
        return
    tree.write(app.file, updated)
    state.validation.append(Validation(app.file, check, True))
    if existing is not None and not unset:
        _note_comment(state, app.file, text, existing.line)


def _note_comment(state: RunState, path: str, text: str, line: int) -> None:
    """A comment beside a changed value (`value: "3"  # raised for the launch`) may no longer be
    true: it is kept, and listed for the reviewer."""
    lines = text.splitlines()
    for number in (line, line + 1):  # the `- name:` line, then its `value:` line
        if number <= len(lines) and " #" in lines[number - 1] and "value:" in lines[number - 1]:
            state.notes.append(Finding(path, number, lines[number - 1].strip(),
                                       "comment beside the changed value: check it still applies"))


def _report(state: RunState, path: str, line: int, reason: str) -> None:
    state.refused.append(Finding(path, line, "", reason, Kind.KEPT))
