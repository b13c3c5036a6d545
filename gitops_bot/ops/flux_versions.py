"""The versions Flux substitutes into HelmReleases (`version: "${istio_version}"`): moved where
the Flux Kustomization that builds the release sets them (a ConfigMap key, an inline `substitute`
entry; domain/flux_substitution.py). Used by set-version's chart= and by a catalogue tool's charts.
"""

from __future__ import annotations

from gitops_bot.domain import charts, flux_substitution
from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.domain.versions import is_version
from gitops_bot.domain.worktree import Literals
from gitops_bot.edit import classify
from gitops_bot.ops.checked_write import write_checked
from gitops_bot.ops.state import RunState
from gitops_bot.text.splice import Cut, Span, report_line


def run_flux_substituted(state: RunState, chart_names: tuple[str, ...], version: str, what: str) -> None:
    """Move the values Flux substitutes into the versions of the HelmReleases of `chart_names`
    (`version: "${version}"`): the ConfigMap key or inline `substitute` entry of the Flux
    Kustomization building the release (flux_substitution). A variable whose value is not found
    is listed."""
    wanted = set(chart_names)
    cuts: dict[str, dict[int, Cut]] = {}
    for path in state.tree.grep(Literals([b"HelmRelease"])):
        text = state.tree.read(path) if state.in_scope(path) and path.endswith((".yaml", ".yml")) else None
        for number, name in _substituted_versions(path, text or "", wanted):
            values = flux_substitution.values_of(state.tree, path, name)
            if not values:
                state.notes.append(Finding(path, number, report_line(text, number).strip(),
                                           f"{what}: the version is ${{{name}}}, a Flux substitution whose value "
                                           "was not found: not changed"))
            for value in values:
                if not state.in_scope(value.path) or value.start in cuts.get(value.path, {}):
                    continue
                line = report_line(state.tree.read(value.path) or "", value.line)
                state.found.append(Finding(value.path, value.line, line, f"{value.form}: {value.value}",
                                           Kind.VERSION, value.value))
                if not is_version(value.value):
                    state.notes.append(Finding(value.path, value.line, line.strip(),
                                               f"{value.form} {value.value!r} is not a version: left as it is"))
                    continue
                new = ("v" if value.value.startswith("v") else "") + version.lstrip("v")
                if new != value.value:
                    cuts.setdefault(value.path, {})[value.start] = Cut(Span(value.start, value.end), new)
    for path, by_start in cuts.items():
        text = state.tree.read(path) or ""
        write_checked(state, path, text, classify(path, text), list(by_start.values()))


def _substituted_versions(path: str, text: str, charts_wanted: set[str]) -> list[tuple[int, str]]:
    """(line, variable) of each HelmRelease of one of the charts whose version is a variable."""
    if "${" not in text:
        return []
    return [(ref.line, variable) for chart in sorted(charts_wanted)
            for ref in charts.references(path, text, "yaml", chart)
            if ref.form == charts.FLUX_RELEASE and (variable := flux_substitution.variable(ref.version))]
