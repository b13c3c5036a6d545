"""Rule `ignored-service-values` (error): per-service maps in an environment values file that the
Application deploying that service's chart on its own will never read.

ArgoCD renders each service's chart by itself with the environment file as a value file; Helm
reads only the top-level keys of a value file, so `video-service: {config: {...}}` in prod.yaml
never reaches the video-service chart (DOMAIN.md, chore 2). The rule names the file, the line,
the service and the keys, and the recipe that moves them into Application parameters.
A map the chart reads itself is not reported: a chart in the repository whose templates (or a
library chart's named templates they include) read the key, e.g. `index .Values .Chart.Name`
(domain/helm_reads.py).
Scalar entries beside the maps (`replicaCount: 2`) are left to the team: no recipe moves them.
"""

from __future__ import annotations

import posixpath

from ruamel.yaml.comments import CommentedMap

from gitops_bot.checks.model import Problem, RepoIndex, Rule, fix_command
from gitops_bot.domain.argocd import resolve_value_file
from gitops_bot.domain.names import words


def _run(index: RepoIndex) -> list[Problem]:
    problems: dict[tuple[str, int], Problem] = {}
    for app in index.applications():
        for source in app.chart_sources():
            for value_file in source.value_files:
                path = resolve_value_file(app, source, value_file)
                doc = index.yaml(path) if path else None
                if not isinstance(doc, CommentedMap):
                    continue
                for key, entry in doc.items():
                    if not isinstance(entry, CommentedMap) or words(str(key)) != words(source.chart_name):
                        continue
                    if _read_by_chart(index, source.path, str(key)):
                        continue  # the chart (or a library chart it includes) reads the map itself
                    for child, value in entry.items():
                        if isinstance(value, CommentedMap) and len(value):
                            line = entry.lc.key(child)[0] + 1
                            problems.setdefault((path, line), _problem(index, path, line, key, child, value, app.file,
                                                                        source.chart_name))
    return list(problems.values())


def _read_by_chart(index: RepoIndex, chart_dir: str | None, key: str) -> bool:
    """Whether the repository's chart at `chart_dir` reads the top-level `key` (by name, or by
    its own chart name as library charts do: `index .Values .Chart.Name`)."""
    found = index.value_reads(chart_dir.rstrip("/")) if chart_dir else None
    return found is not None and found[1].reads(key, found[0])


def _problem(index: RepoIndex, path: str, line: int, service, child, value: CommentedMap, app_file: str,
             chart: str) -> Problem:
    env = posixpath.basename(path).rsplit(".", 1)[0]
    keys = ", ".join(_leaves(value))
    return RULE.problem(path, line,
                        f"{service}.{child} is never read: {app_file} deploys chart {chart} on its own with "
                        f"this file, and Helm reads only its top-level keys (keys: {keys})",
                        _fix_command(index, env, path, posixpath.dirname(app_file), str(child)))


def _fix_command(index: RepoIndex, env: str, values: str, apps: str, key: str) -> str:
    """The config-to-params call that fixes it, naming only what differs from the recipe's
    own defaults (given by the caller in `index.recipe_defaults`)."""
    given = {"env": env, "values": values, "apps": apps, "key": key}
    defaults_of = index.recipe_defaults.get("config-to-params")
    defaults = defaults_of({"env": env}) if defaults_of else {}
    return fix_command("apply", "config-to-params",
                       **{k: v for k, v in given.items() if k == "env" or defaults.get(k) != v})


def _leaves(node: CommentedMap, prefix: str = "") -> list[str]:
    out = []
    for k, v in node.items():
        name = f"{prefix}{k}"
        out.extend(_leaves(v, name + ".") if isinstance(v, CommentedMap) else [name])
    return out


RULE = Rule("ignored-service-values", "error",
            "Per-service maps in an environment values file that Helm never reads", _run,
            "ArgoCD renders each service's chart on its own with the environment values file; Helm reads only "
            "that file's top-level keys, so a map nested under the service's name never reaches its chart and "
            "the settings in it silently do nothing.",
            "Move the map into the Application's Helm parameters: `gitops-bot apply config-to-params env=ENV` "
            "(the finding gives the exact command).")
