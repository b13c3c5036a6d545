"""`gitops-bot check` rules, in an explicit registry: rule id -> Rule (id, severity, help and
the function that finds its problems, declared in the rule's module).

A new check is one module here, one line in CHECKS, and tests with a fixture it fires on and
one it stays quiet on.
"""

from __future__ import annotations

from gitops_bot.checks import (
    app_sources,
    chart_parameters,
    ignored_values,
    mesh_consistency,
    sidecar_infra,
    unpinned,
    versions,
)
from gitops_bot.checks.model import UNPARSABLE, Problem, RepoIndex, Rule
from gitops_bot.console import progress

CHECKS: dict[str, Rule] = {rule.id: rule for rule in (
    ignored_values.RULE,
    chart_parameters.RULE,
    versions.FLOATING,
    unpinned.RULE,
    versions.DRIFT,
    versions.END_OF_SUPPORT,
    app_sources.RULE,
    sidecar_infra.RULE,
    mesh_consistency.RULE,
)}

# Every rule a report can name: the registry's, and files that could not be read.
ALL_RULES: dict[str, Rule] = {**CHECKS, UNPARSABLE.id: UNPARSABLE}


def run_checks(index: RepoIndex, rules: list[str] | None = None) -> list[Problem]:
    """The chosen rules' problems (all rules by default) plus files that could not be read,
    sorted by place."""
    problems = []
    chosen = [rule for rule in CHECKS.values() if not rules or rule.id in rules]
    for i, rule in enumerate(chosen, 1):
        progress().begin(rule.id, i, len(chosen))
        problems.extend(rule.run(index))
    problems.extend(UNPARSABLE.run(index))  # filled while the rules read files
    return sorted(problems, key=lambda p: (p.path, p.line, p.rule))
