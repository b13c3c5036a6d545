"""`gitops-bot check` rules, in an explicit registry: rule id -> function(RepoIndex) -> problems.

A new check is one module here, one line in CHECKS, and tests with a fixture it fires on and
one it stays quiet on.
"""

from __future__ import annotations

from typing import Callable

from . import chart_parameters, ignored_values, versions
from .model import Problem, RepoIndex

CHECKS: dict[str, Callable[[RepoIndex], list[Problem]]] = {
    "ignored-service-values": ignored_values.run,
    "unknown-chart-parameter": chart_parameters.run,
    "floating-version": versions.floating,
    "version-drift": versions.drift,
    "end-of-support": versions.end_of_support,
}


def run_checks(index: RepoIndex, rules: list[str] | None = None) -> list[Problem]:
    """The chosen rules' problems (all rules by default) plus files that could not be read,
    sorted by place."""
    problems = []
    for rule, check in CHECKS.items():
        if not rules or rule in rules:
            problems.extend(check(index))
    problems.extend(index.unparsable)  # filled while the rules read files
    return sorted(problems, key=lambda p: (p.path, p.line, p.rule))
