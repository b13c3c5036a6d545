"""What a run finds besides its edits: refused edits and residue, validations, conflicts.

Values with fields, shared by operations, the engine and the renderers (the changeset, the PR
body, the Action's replies)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """What a finding is, for decisions (the text beside it is for people)."""

    RESIDUE = "residue"  # a mention left in the result, for a human to review
    KEPT = "kept"  # an edit the editor or operation would not make (its reason says why)
    UNVERIFIED = "unverified"  # the edited file failed verification: none of its edits was made
    CONFLICTING = "conflicting"  # two of a file's edits overlapped: none was made
    UNPARSABLE = "unparsable"  # the file does not parse: nothing in it was located or changed
    WITHHELD = "withheld"  # kept because a refused template block holds or reads it
    VERSION = "version"  # a version found before the change (set-version)
    DANGLING = "dangling"  # a reference or import left pointing at a path the run deleted

    @property
    def refused_whole_file(self) -> bool:
        """True when verification or overlapping edits refused every edit of the file."""
        return self in (Kind.UNVERIFIED, Kind.CONFLICTING, Kind.UNPARSABLE)


@dataclass
class Finding:
    """A residue entry, a refused edit or a version found: where, what the line says, why (for
    people), what kind of finding it is, and the value it is about (the version found)."""

    path: str
    line: int
    text: str
    reason: str
    kind: Kind = Kind.RESIDUE
    value: str = ""

    def to_json(self) -> dict[str, object]:
        """The report's stable fields (the JSON output's schema): kind and value are for the
        code that decides, the reason says the same to people."""
        return {"path": self.path, "line": self.line, "text": self.text, "reason": self.reason}


@dataclass
class Conflict:
    """A value that two files give differently; nothing is overwritten until a side is chosen."""

    service: str
    key: str
    values_value: str
    values_location: str
    param_value: str
    param_location: str


@dataclass
class Validation:
    """One check run on one touched file."""

    path: str
    check: str
    ok: bool
    detail: str = ""
