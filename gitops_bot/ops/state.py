"""The state a recipe run threads through its operations."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..changeset import Conflict, Finding, Validation
from ..refs import ServiceName, service_name
from ..worktree import Worktree

# Folders whose sub-folders are components (services/<name>, charts/<name>, apps/<env>/<name>.yaml).
_COMPONENT_PARENTS = frozenset({"services", "charts", "packages", "components", "apps", "cmd"})


@dataclass
class RunState:
    """The in-memory tree plus what operations report about it."""

    tree: Worktree
    refused: list[Finding] = field(default_factory=list)
    validation: list[Validation] = field(default_factory=list)
    residue_names: list[ServiceName] = field(default_factory=list)
    # Residue the operations found themselves; lines are the original text's (the engine maps
    # them into the result).
    notes: list[Finding] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # What an operation found before changing anything (set-version: each version and its form).
    found: list[Finding] = field(default_factory=list)
    _known: frozenset[str] | None = None
    _candidates: dict[str, list[str]] = field(default_factory=dict)

    def known_components(self) -> frozenset[str]:
        """Names of the repository's components, so that `video-service` is never mistaken for
        part of a longer sibling such as `video-service-gateway`."""
        if self._known is None:
            found: set[str] = set()
            for d in self.tree.dirs():
                parts = d.split("/")
                if len(parts) >= 2 and parts[-2] in _COMPONENT_PARENTS:
                    found.add(parts[-1])
            for p in self.tree.paths():
                parts = p.split("/")
                if len(parts) >= 3 and parts[-3] == "apps" and p.endswith((".yaml", ".yml")):
                    found.add(parts[-1].rsplit(".", 1)[0])
            self._known = frozenset(found)
        return self._known

    def candidates(self, name: ServiceName) -> list[str]:
        """Files whose original text matches the name's prefilter (one pass over the tree per
        name). Every file a remove operation edits, and every residue mention, is among them or
        among the files an operation wrote."""
        if name.raw not in self._candidates:
            self._candidates[name.raw] = self.tree.grep(name.prefilter())
        return self._candidates[name.raw]

    def name(self, raw: str) -> ServiceName:
        return service_name(raw, self.known_components())

    def add_residue_name(self, name: ServiceName) -> None:
        if all(n.raw != name.raw for n in self.residue_names):
            self.residue_names.append(name)
