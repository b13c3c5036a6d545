"""The `bump_chart=` step of set-version: a chart whose files the run changed gets a new version
of its own.

Helm's convention, and chart-testing's `ct lint` check, is that a chart whose content changes
(a dependency's version in its Chart.yaml, an image tag in its values) is released under a new
version. Teams that follow it bump `version:` in the same commit; Renovate does it when
`bumpVersion` is set. It is a choice per repository, and even per change (the same team bumps
the umbrella chart for some dependency updates and not for others), so it is a parameter:
`bump_chart=patch|minor|major`, never a default.

Each chart is bumped once, from the version its Chart.yaml had before the run: a chart whose own
`version:` the run already moved (a project releasing its chart with its app) is left, so a
second run, which changes no file, bumps nothing. A version that is not plain X.Y.Z (a
pre-release, a build suffix) is listed, not guessed at.
"""

from __future__ import annotations

import posixpath
import re

from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.domain.lookups import STABLE_RE
from gitops_bot.edit import classify, still_valid
from gitops_bot.ops.state import RunState

# `version: 0.1.0` at the top level of a Chart.yaml, quoted or not, with an optional comment
_VERSION_LINE_RE = re.compile(
    r"""^version:[ \t]*(?P<q>["']?)(?P<v>[^"'\s#]+)(?P=q)[ \t]*(?:#.*)?$""", re.MULTILINE)


def bumped(version: str, level: str) -> str | None:
    """`version` (X.Y.Z, optionally v-prefixed) moved up by `level`; None for any other form."""
    prefix = "v" if version.startswith("v") else ""
    match = STABLE_RE.fullmatch(version)
    if not match:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    if level == "major":
        return f"{prefix}{major + 1}.0.0"
    if level == "minor":
        return f"{prefix}{major}.{minor + 1}.0"
    return f"{prefix}{major}.{minor}.{patch + 1}"


def bump_changed_charts(state: RunState, level: str) -> None:
    """Give every chart holding a file the run modified a new `version:` (by `level`)."""
    tree = state.tree
    charts = {path for path in tree.paths() if posixpath.basename(path) == "Chart.yaml"}
    touched = [path for path in tree.touched() if not tree.is_deleted(path)]
    for chart_yaml in sorted({owner for path in touched if (owner := _owning_chart(path, charts))}):
        _bump(state, chart_yaml, level)


def _owning_chart(path: str, charts: set[str]) -> str | None:
    """The Chart.yaml of the nearest chart folder holding `path` (its own Chart.yaml included)."""
    folder = posixpath.dirname(path)
    while True:
        candidate = posixpath.join(folder, "Chart.yaml") if folder else "Chart.yaml"
        if candidate in charts:
            return candidate
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _bump(state: RunState, chart_yaml: str, level: str) -> None:
    tree = state.tree
    before, text = tree.original(chart_yaml) or "", tree.read(chart_yaml) or ""
    old, now = _VERSION_LINE_RE.search(before), _VERSION_LINE_RE.search(text)
    if old is None or now is None:
        state.refused.append(Finding(chart_yaml, 1, "", "bump_chart: no top-level `version:` line to bump",
                                     Kind.KEPT))
        return
    if old.group("v") != now.group("v"):
        return  # the run moved the chart's own version already
    line = text.count("\n", 0, now.start()) + 1
    if not state.in_scope(chart_yaml):
        state.notes.append(Finding(chart_yaml, line, now.group(0).strip(),
                                   f"bump_chart: outside paths=, the chart's version {now.group('v')} stays"))
        return
    new = bumped(now.group("v"), level)
    if new is None:
        state.refused.append(Finding(chart_yaml, line, now.group(0).strip(),
                                     f"bump_chart: {now.group('v')} is not X.Y.Z: bump it by hand", Kind.KEPT))
        return
    start, end = now.span("v")
    result = text[:start] + new + text[end:]
    problem = still_valid(classify(chart_yaml, text), text, result)
    if problem:
        state.refused.append(Finding(chart_yaml, line, now.group(0).strip(), f"edit refused: {problem}",
                                     Kind.UNVERIFIED))
        return
    tree.write(chart_yaml, result)
    if not any((v.path, v.check) == (chart_yaml, "re-parse") for v in state.validation):
        state.validation.append(Validation(chart_yaml, "re-parse", True))
    # what the run noted on that line (the version a human should bump) is done
    state.notes = [n for n in state.notes if (n.path, n.line) != (chart_yaml, line)]
