"""The residue report: every mention of the run's names left in live files, with the reason it
was left (a refused edit, or the kind of text that holds it), in the result's line numbers."""

from __future__ import annotations

import re
from dataclasses import replace

from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.domain.names import ServiceName
from gitops_bot.edit import removal_kind
from gitops_bot.ops.state import RunState
from gitops_bot.text.diff import opcodes

# Residue reason per file kind (a refused edit's own reason wins).
_RESIDUE_REASONS = {
    "markdown": "prose",
    "source": "source code",
    "dockerfile": "Dockerfile instruction the editor does not change (RUN, COPY --from, continued lines)",
    "script": "script or test code (only its list entries are edited)",
    "generated": "generated or binary",
    "binary": "generated or binary",
}


def residue(state: RunState) -> list[Finding]:
    """Every mention of the run's names left in live files, with the reason it was left."""
    tree = state.tree
    # Keyed by line text: a refusal's line number is in the original, residue's in the result.
    refused = {(f.path, f.text.strip()): f for f in state.refused}
    found: list[Finding] = []
    state.prefetch_candidates(state.residue_names)
    for name in state.residue_names:
        regex = name.mention_regex()
        short = _short_form_regex(name)
        for path in sorted(set(state.candidates(name)) | set(tree.touched())):
            if tree.is_deleted(path):
                continue
            text = tree.read(path)
            if text is None:
                if re.search(regex.pattern.encode(), (tree.root / path).read_bytes()):
                    found.append(Finding(path, 0, "(binary file)", "generated or binary"))
                continue
            if not regex.search(text) and not (short and short.search(text)):
                continue
            kind = removal_kind(path, text)
            for number, line in enumerate(text.splitlines(), start=1):
                if name.mentions(line) or (short and short.search(line)):
                    found.append(Finding(path, number, line.strip(),
                                         _reason(kind, line, refused.get((path, line.strip())))))
    found.extend(_in_result(tree, note) for note in state.notes)
    found = _one_per_line(found)
    found.extend(Finding(path, 0, "(unreadable file)", f"could not be read ({why}): check it by hand")
                 for path, why in tree.unreadable.items())
    found.sort(key=lambda f: (f.path, f.line))
    # a line several of the run's names mention is listed once
    unique: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    for finding in found:
        if finding.line == 0 or (finding.path, finding.line) not in seen:
            seen.add((finding.path, finding.line))
            unique.append(finding)
    return unique


def _one_per_line(found: list[Finding]) -> list[Finding]:
    """A mention that a dangling-reference note also names is one entry, with the note's reason
    (it says which deleted path the line names)."""
    dangling = {(f.path, f.line): f for f in found if f.kind is Kind.DANGLING and f.line}
    if not dangling:
        return found
    mentions = {(f.path, f.line) for f in found if f.kind is not Kind.DANGLING}
    return [replace(f, reason=dangling[(f.path, f.line)].reason) if (f.path, f.line) in dangling else f
            for f in found if f.kind is not Kind.DANGLING or (f.path, f.line) not in mentions]


def _short_form_regex(name: ServiceName) -> re.Pattern[str] | None:
    """Mentions of the short form a component's own chart gives it (`MetalLB` for
    `metallb-system`): a name of its own, so prose naming it is left too. None without one (a
    `-service` short form such as `video` is a common word in prose)."""
    if not name.short_form:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(?i:" + r"[-_ ]?".join(map(re.escape, name.short)) + r")(?![a-z0-9])")


def _reason(kind: str, line: str, refusal: Finding | None) -> str:
    """Why a mention is left: its refused edit, else what kind of text holds it."""
    if refusal is not None:
        # A refusal of the whole file's edit or a withheld entry says so itself; the editor's
        # own refusals say only why.
        if refusal.kind in (Kind.UNVERIFIED, Kind.UNPARSABLE, Kind.WITHHELD, Kind.DANGLING):
            return refusal.reason
        return f"edit refused: {refusal.reason}"
    if kind in _RESIDUE_REASONS:
        return _RESIDUE_REASONS[kind]
    return "comment" if line.lstrip().startswith(("#", "//")) else "unrecognised structure"


def _in_result(tree, note: Finding) -> Finding:
    """Operations note lines of the original text; the report speaks of the result, so map an
    unchanged line to where it now stands."""
    if not tree.listed(note.path) or tree.is_deleted(note.path):  # a folder, or a file no longer there
        return note
    before, after = tree.original(note.path), tree.read(note.path)
    if before is None or after is None or before == after:
        return note
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, a1, a2, b1, _ in opcodes(a, b):
        if tag == "equal" and a1 < note.line <= a2:
            return replace(note, line=b1 + note.line - a1)
    return note
