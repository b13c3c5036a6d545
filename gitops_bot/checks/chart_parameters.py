"""Rule `unknown-chart-parameter` (warning): an Application Helm parameter whose top-level key
does not exist in the chart's values.yaml (nor is a dependency or `global`) and that no template
of the chart reads (its own, or a library chart's named templates it includes: see
domain/helm_reads.py). Helm accepts it without a word and the chart never reads it: usually a typo.

Only charts in this repository are checked (a source `path` with a Chart.yaml).
"""

from __future__ import annotations

import posixpath
import re

from ruamel.yaml.comments import CommentedMap

from gitops_bot.checks.model import Problem, RepoIndex, Rule

_FIRST_SEGMENT_RE = re.compile(r"^((?:[^.\\[]|\\.)*)")


def top_key(name: str) -> str:
    """The first segment of a `--set` name: `config.a\\.b` -> config, `list[0].x` -> list."""
    return _FIRST_SEGMENT_RE.match(name).group(1).replace("\\.", ".").replace("\\,", ",")


def _run(index: RepoIndex) -> list[Problem]:
    problems = []
    for app in index.applications():
        for source in app.chart_sources():
            if not source.path or not source.parameters:
                continue
            chart = index.yaml(posixpath.join(source.path, "Chart.yaml"))
            if not isinstance(chart, CommentedMap):
                continue
            values = index.yaml(posixpath.join(source.path, "values.yaml"))
            known = set(values) if isinstance(values, CommentedMap) else set()
            known |= {str(d.get("alias") or d.get("name")) for d in chart.get("dependencies") or []
                      if isinstance(d, dict)}
            known.add("global")
            name, reads = index.value_reads(source.path.rstrip("/"))
            for p in source.parameters:
                if top_key(p.name) not in known and not reads.reads(top_key(p.name), name):
                    problems.append(RULE.problem(
                        app.file, p.line,
                        f"parameter {p.name}: the chart {source.chart_name} has no top-level key "
                        f"{top_key(p.name)!r} in {source.path}/values.yaml; Helm will ignore it"))
    return problems


RULE = Rule("unknown-chart-parameter", "warning",
            "Application parameter whose top-level key the chart does not have", _run,
            "Helm accepts a parameter whose top-level key neither the chart's values.yaml nor any template it "
            "renders (its own, or a library chart's reached through include) reads, and the chart never uses "
            "it: usually a typo in the parameter name.",
            "Correct the parameter's name to a key the chart reads, or add the key to the chart's values.yaml.")
