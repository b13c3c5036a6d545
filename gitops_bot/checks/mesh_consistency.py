"""Rule `mesh-mode-consistency` (warning): files that disagree on Istio's data-plane mode, e.g.
an install profile of `ambient` beside namespaces enrolled with `istio-injection: enabled`, or
HBONE rules and a ztunnel release left after a switch to sidecar (domain/mesh.py reads the
signals). Each place stating the less common mode is reported, with where the other mode is
stated; the fix is `mesh-mode` to the more common one (on a tie, the places stating sidecar are
reported, as ambient is the one a partial switch most often leaves behind)."""

from __future__ import annotations

from gitops_bot.checks.model import Problem, RepoIndex, Rule, fix_command, rule_prefilter
from gitops_bot.domain.mesh import file_signals, other, terraform_signals
from gitops_bot.domain.worktree import Literals
from gitops_bot.edit import classify

_FILES = rule_prefilter("mesh-mode", Literals([b"ambient", b"istio-injection", b"dataplane-mode", b"profile", b"15008",
                                                b"ztunnel"]))


def _inconsistent(index: RepoIndex) -> list[Problem]:
    places: dict[str, list[tuple[str, int, str]]] = {"ambient": [], "sidecar": []}
    tree = index.tree
    for path in index.candidates(_FILES):
        text = tree.read(path)
        if text is None:
            continue
        kind = classify(path, text)
        for s in file_signals(text, kind):
            places[s.mode].append((path, s.line + 1, s.what))
        if kind == "hcl":
            for what, start, _end, _name in terraform_signals(text):
                places["ambient"].append((path, text.count("\n", 0, start) + 1, what))
    if not places["ambient"] or not places["sidecar"]:
        return []
    minority = "sidecar" if len(places["sidecar"]) <= len(places["ambient"]) else "ambient"
    majority = other(minority)
    example = places[majority][0]
    return [RULE.problem(path, line, f"{what} states Istio {minority} mode; {len(places[majority])} place(s) state "
                                     f"{majority} mode (e.g. {example[0]}:{example[1]})",
                         fix_command("plan", "mesh-mode", to=majority))
            for path, line, what in sorted(places[minority])]


RULE = Rule("mesh-mode-consistency", "warning",
            "Files that disagree on Istio's data-plane mode (ambient or sidecar)", _inconsistent,
            "Some files state Istio's ambient mode and others sidecar injection (install profile, namespace "
            "labels, HBONE rules, a ztunnel release): a half-finished switch, where workloads get the mode "
            "of whichever file applies last.",
            "Move every place to the mode most of them state: `gitops-bot plan mesh-mode to=MODE` (the finding "
            "gives the mode).")
