"""What a run finds besides its edits: refused edits and residue, validations, conflicts.

Values with fields, shared by operations, the engine and the renderers (the changeset, the PR
body, the Action's replies)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Finding:
    """A residue entry or a refused edit: where, what the line says, and why it is left."""

    path: str
    line: int
    text: str
    reason: str


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
