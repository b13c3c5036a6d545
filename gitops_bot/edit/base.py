"""The editor contract: what every editor returns, the context a removal runs in, the `Editor`
protocol, and `finish`, the splice -> verify -> refuse ending they share."""

from __future__ import annotations

import posixpath

from dataclasses import dataclass, field
from typing import Callable, Protocol

from gitops_bot.domain.findings import Kind
from gitops_bot.domain.names import ServiceName
from gitops_bot.domain.pathrefs import Successor
from gitops_bot.edit.blocks import tidy_cuts
from gitops_bot.text.splice import Cut, Lines, splice


class Unparsable(Exception):
    """The file cannot be parsed, so nothing in it can be located safely."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass
class Refusal:
    """An edit the editor would not make, with the 1-based line it concerns. `reads` holds the
    Helm value paths (`("videoService", "enabled")`) the structure left in place still reads:
    the values that define them must stay too."""

    line: int
    reason: str
    reads: tuple[tuple[str, ...], ...] = ()
    kind: Kind = Kind.KEPT


@dataclass
class EditResult:
    """The new text of one file plus what was refused; `text` is the input when nothing changed.
    `kept_comments` are comment lines left directly above a removed entry, and `notes` (1-based
    line of the original, why) lines the edit kept that a reviewer should check (both residue)."""

    text: str
    refused: list[Refusal] = field(default_factory=list)
    kept_comments: list[str] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Leftovers:
    """What the component's deletion left meaningless in the files that stay, found across the
    tree before any of them is edited (remove_references); the YAML editor removes each where a
    file writes it."""

    # The prefixes of the extended resources the deleted device plugin advertised
    # (`smarter-devices`): a workload's `resources:` request of one (`smarter-devices/coral`) goes.
    device_prefixes: frozenset[str] = frozenset()
    # Flux post-build substitution variables named for the component that nothing left reads
    # (`VOLSYNC_STORAGECLASS`): their `substitute:` entries, and their pass-throughs in a
    # Kustomization patch (`VOLSYNC_STORAGECLASS: ${VOLSYNC_STORAGECLASS}`), go.
    unused_substitutions: frozenset[str] = frozenset()
    # Those still read by a file left (`${VIDEO_SERVICE_HOST}` in another app's route): their
    # entries stay, whatever their names say.
    used_substitutions: frozenset[str] = frozenset()
    # Label keys only the deleted files selected on (a deleted Kyverno policy's
    # `snapshot.home.cluster/enabled`), which files left write only as labels: those labels go.
    orphaned_labels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RemovalContext:
    """What a `remove-service` editor needs to know: the name, and the paths already deleted
    (files, and the folders none of whose files is left)."""

    name: ServiceName
    deleted_paths: frozenset[str] = frozenset()
    # Value paths that a refused template block still reads, with the reason, for the values
    # files of that chart: their entries are withheld rather than removed.
    kept_values: tuple[tuple[tuple[str, ...], str], ...] = ()
    # The file being edited, and the other files of its folder that make one unit with it
    # (a Terraform module's .tf files), as (path, current text): a block still referenced there
    # stays. Empty when the caller does not give them. Relative references in the file (a
    # kustomization's `resources:`) resolve against the path's folder.
    path: str = ""
    neighbours: tuple[tuple[str, str], ...] = ()
    # Inputs (variables) a Terraform module folder drops because only the component read them:
    # (folder, names). A module block whose local source is that folder loses those arguments.
    dropped_inputs: tuple[tuple[str, frozenset[str]], ...] = ()
    # Variables the run removed from `.env` files: (the file's folder, names). A compose file in
    # that folder or below that passes one of them through (`environment: [- NAME]`) loses it.
    removed_variables: tuple[tuple[str, frozenset[str]], ...] = ()
    # Variables named like the component that a `.env` file still sets once edited (its editor
    # keeps another component's settings, `LLM_MODEL` of an agent): documentation of one stays.
    kept_variables: frozenset[str] = frozenset()
    # Compose services the run removed (`traceBasedTests`, built from the component's deleted
    # folder): a Makefile recipe line that runs one acts on the component.
    removed_services: frozenset[str] = frozenset()
    # What the component's Helm switch (`{{ if .Values.<itsName> }}`) becomes: "on" (its feature
    # is made permanent), "off" (its feature goes) or "" (not said: an `if` with an `else` on
    # it is refused, as only the user knows which branch survives).
    switch: str = ""
    # Image tag suffixes (variants) the deleted component's files set, with the file: a branch
    # the switch keeps that still deploys one is listed for the reviewer (is it still built?).
    image_variants: tuple[tuple[str, str], ...] = ()
    # Those of the variants that nothing deploys once the run's edits are made (only build
    # scripts still name them): a script block that only builds and pushes one goes.
    retired_variants: frozenset[str] = frozenset()
    # terraform-docs anchors (`input_x`, `output_y`, `module_z`) of the declarations the run
    # removed from the Terraform module a Markdown file documents (the .tf files of its folder).
    undeclared: frozenset[str] = frozenset()
    # Secrets that files the run deleted defined: (the file's folder, names). A workload in that
    # folder (the same chart or kustomization) that reads one (`secretKeyRef`, `envFrom`) loses it.
    removed_secrets: tuple[tuple[str, frozenset[str]], ...] = ()
    # The folders that stay in place of deleted versioned ones (`common/istio-1-17` for the
    # deleted `common/istio-1-16`): a documented command's path into the old one is re-pointed.
    successors: tuple[Successor, ...] = ()
    # How the repository writes a kustomize list left with no entries: True when some
    # kustomization says `resources: []` (the key is then kept so), False for the bare key.
    empty_lists_bracketed: bool = False
    # The names of the folders beside the component's deleted folders (`catalog`, `orders`
    # beside `base-application/rabbitmq`): its peers, where the inventory may not know them.
    peers: frozenset[str] = frozenset()
    # What the deletion left meaningless in the files that stay (Leftovers).
    leftovers: Leftovers = Leftovers()

    def secrets_removed_here(self) -> frozenset[str]:
        """The secrets deleted files defined in the folder of `path`."""
        folder = posixpath.dirname(self.path)
        return frozenset().union(*(names for where, names in self.removed_secrets if where == folder))

    def variables_removed_here(self) -> frozenset[str]:
        """The variables removed from the `.env` files whose folder holds `path`."""
        return frozenset().union(*(names for folder, names in self.removed_variables
                                   if not folder or self.path.startswith(folder + "/")))


class Editor(Protocol):
    """One file type's editor (a module of gitops_bot.edit, listed once in EDITORS).

    `claims` says whether a file is of this type; `remove` locates the component's references
    with a parser, cuts them and ends with `finish`; `still_valid` says why an edited text is
    worse than its original (it no longer parses or lints where the original did), or None.
    """

    KIND: str  # the file kind reported for the files it claims (yaml, helm, hcl, ...)
    CHECK: str  # what its verification established, as the validation report says it

    def claims(self, path: str, text: str) -> bool: ...

    def remove(self, text: str, ctx: RemovalContext) -> EditResult: ...

    def still_valid(self, before: str, after: str) -> str | None: ...


def newly_broken(problem: Callable[[str], str | None], before: str, after: str) -> str | None:
    """What `problem` finds in `after`, unless it finds something in `before` too (a file that
    was already broken is not held against the edit). The original is judged only when the
    result fails, so most edits cost one check, not two."""
    found = problem(after)
    return found if found is not None and problem(before) is None else None


def finish(text: str, lines: Lines, cuts: list[Cut], refused: list[Refusal],
           verify: Callable[[str], str | None], kept_comments: list[str] | tuple[str, ...] = ()) -> EditResult:
    """The common end of every edit: splice the cuts (with the shared blank-line rules), then
    `verify(new)` (the editor's `still_valid` against the original, or a stricter check that the
    result holds exactly the intended data) and refuse the whole edit if it fails. Overlapping
    cuts are a refusal, never a crash; an edit that changes nothing is not verified."""
    try:
        new = splice(text, tidy_cuts(lines, cuts))
    except ValueError as exc:
        return EditResult(text, refused + [Refusal(1, f"conflicting edits: {exc}", kind=Kind.CONFLICTING)])
    if new == text:
        return EditResult(text, refused)
    problem = verify(new)
    if problem:
        return EditResult(text, refused + [Refusal(1, f"edit refused: {problem}", kind=Kind.UNVERIFIED)])
    return EditResult(new, refused, list(kept_comments))
