"""`gitops-bot check` rules, in an explicit registry: rule id -> function(RepoIndex) -> problems.

A new check is one module here, one line in CHECKS, and tests with a fixture it fires on and
one it stays quiet on.
"""

from __future__ import annotations

from typing import Callable

from . import chart_parameters, ignored_values
from .model import Problem, RepoIndex

CHECKS: dict[str, Callable[[RepoIndex], list[Problem]]] = {
    "ignored-service-values": ignored_values.run,
    "unknown-chart-parameter": chart_parameters.run,
}


def run_checks(index: RepoIndex) -> list[Problem]:
    """Every rule's problems plus files that could not be read, sorted by place."""
    problems = []
    for check in CHECKS.values():
        problems.extend(check(index))
    problems.extend(index.unparsable)  # filled while the rules read files
    return sorted(problems, key=lambda p: (p.path, p.line, p.rule))
