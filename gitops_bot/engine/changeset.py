"""The result of running a recipe: per-file changes, residue, refusals and validation, with
renderings as a unified diff, a text summary and JSON, and a writer that applies it to disk."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gitops_bot import FORMAT_VERSION
from gitops_bot.domain.findings import Conflict, Finding, Validation
from gitops_bot.text.diff import unified_diff


@dataclass
class FileChange:
    """One file the recipe changes. `before`/`after` are None for added/deleted files."""

    path: str
    status: str  # modified | deleted | added
    before: str | None
    after: str | None
    kind: str = ""

    def diff(self) -> str:
        a = [] if self.before is None else self.before.splitlines(keepends=True)
        b = [] if self.after is None else self.after.splitlines(keepends=True)
        fromfile = "/dev/null" if self.status == "added" else f"a/{self.path}"
        tofile = "/dev/null" if self.status == "deleted" else f"b/{self.path}"
        return unified_diff(a, b, fromfile, tofile)

    def counts(self) -> tuple[int, int]:
        """(added, removed) lines; the two header lines are skipped, so a removed `---` YAML
        document separator still counts."""
        plus = minus = 0
        for line in self.diff().splitlines()[2:]:
            if line.startswith("+"):
                plus += 1
            elif line.startswith("-"):
                minus += 1
        return plus, minus


@dataclass
class ChangeSet:
    """Everything a recipe run produced; nothing is on disk until `write`."""

    recipe: str
    params: dict[str, str]
    files: list[FileChange] = field(default_factory=list)
    residue: list[Finding] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)
    validation: list[Validation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    found: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.files)

    @property
    def incomplete(self) -> bool:
        """True when a human must finish the change: an edit was refused (a file that does not
        parse, a result that would not verify, an entry kept on purpose) or a conflict is
        unresolved. The residue, mentions left for review, does not count: nearly every removal
        leaves some prose and comments, and a signal that is always on tells nothing."""
        return bool(self.refused or self.conflicts)

    def diff(self) -> str:
        return "".join(f.diff() for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "recipe": self.recipe,
            "params": self.params,
            "files": [{"path": f.path, "status": f.status, "kind": f.kind, "diff": f.diff()}
                      for f in self.files],
            "residue": [r.to_json() for r in self.residue],
            "refused": [r.to_json() for r in self.refused],
            "validation": [asdict(v) for v in self.validation],
            "conflicts": [asdict(c) for c in self.conflicts],
            "found": [f.to_json() for f in self.found],
        }

    def summary(self) -> str:
        """The human summary printed after the diff: counts, the refused edits (first: a human
        must finish them), validation and the residue report."""
        out = []
        by_status: dict[str, int] = {}
        for f in self.files:
            by_status[f.status] = by_status.get(f.status, 0) + 1
        counts = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "no changes"
        out.append(f"{self.recipe}: {len(self.files)} files ({counts})")
        if self.refused:
            out.append(f"refused edits ({len(self.refused)}), for a human to finish:")
            out.extend(f"  {r.path}:{r.line}: {r.reason}" for r in self.refused)
        if self.found:
            tally: dict[str, int] = {}
            for f in self.found:
                tally[f.value] = tally.get(f.value, 0) + 1
            out.append(f"found before the change: {', '.join(f'{v} x{n}' for v, n in sorted(tally.items()))}")
            out.extend(f"  {f.path}:{f.line}: {f.reason}" for f in self.found)
        failed = [v for v in self.validation if not v.ok]
        out.append(f"validation: {len(self.validation) - len(failed)} of {len(self.validation)} checks passed"
                   + (":" if self.validation else ""))
        out.extend(f"  {line}" for line in self.validation_report())
        if self.conflicts:
            out.append(f"conflicts ({len(self.conflicts)}), nothing overwritten; "
                       "choose a side with prefer=values|params:")
            out.extend(f"  {c.service} {c.key}: {c.values_value!r} at {c.values_location} "
                       f"vs {c.param_value!r} at {c.param_location}" for c in self.conflicts)
        if self.residue:
            n = len(self.residue)
            out.append(f"residue: {n} {'entry' if n == 1 else 'entries'} left for a human to review:")
            out.extend(f"  [ ] {r.path}:{r.line}: {r.text.strip()[:100]}  ({r.reason})" for r in self.residue)
        else:
            out.append("residue: none")
        return "\n".join(out) + "\n"

    def validation_report(self) -> list[str]:
        """What was checked, one line per kind of check: the passed ones with how many files
        each covered (or what a whole-tree check read), then each failure."""
        passed: dict[str, list[Validation]] = {}
        for v in self.validation:
            if v.ok:
                passed.setdefault(v.check, []).append(v)
        lines = []
        for check, runs in passed.items():
            files = [v for v in runs if not v.path.startswith("(")]
            count = f"{len(files)} {'file' if len(files) == 1 else 'files'}" if files else ""
            lines.append(f"passed: {check} ({'; '.join(filter(None, [count, *(v.detail for v in runs if v.detail)]))})")
        lines += [f"FAILED {v.path}: {v.check}: {v.detail}" for v in self.validation if not v.ok]
        return lines

    def write(self, root: Path) -> None:
        """Apply the change to the working tree atomically, under the tree's apply lock: every
        new content is staged outside the tree and fsynced, each file is checked to still hold
        the text the plan was computed from, and a journal is committed before the first file is
        moved into place, so an interrupted write is completed by the next run (gitops_bot.engine.journal)."""
        from gitops_bot.engine.journal import write_files

        write_files(root, self.files, self.recipe, self.params)


def deleted_folders(root: Path, deleted: set[str]) -> list[str]:
    """The highest folders under `root` of which every file is in `deleted` (outermost first):
    what a reviewer reads as one deletion (`services/video-service/`, 4 files). Read before the
    change is written."""
    candidates = sorted({"/".join(p.split("/")[:i]) for p in deleted for i in range(1, p.count("/") + 1)},
                        key=lambda d: (d.count("/"), d))
    found: list[str] = []
    for folder in candidates:
        if any(folder.startswith(f + "/") for f in found):
            continue
        if _wholly_deleted(root, folder, deleted):
            found.append(folder)
    return found


def _wholly_deleted(root: Path, folder: str, deleted: set[str]) -> bool:
    """Whether `folder` holds a file and every file under it is in `deleted`. The walk stops at
    the first file that is not: a top folder (`k8s/`) is not walked whole for each deletion."""
    holds_any = False
    for p in (root / folder).rglob("*"):
        if (p.is_file() or p.is_symlink()) and ".git" not in p.relative_to(root).parts:
            if p.relative_to(root).as_posix() not in deleted:
                return False
            holds_any = True
    return holds_any
