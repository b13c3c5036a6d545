"""What every editor returns, and the context a removal runs in."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..refs import ServiceName


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


@dataclass
class EditResult:
    """The new text of one file plus what was refused; `text` is the input when nothing changed.
    `kept_comments` are comment lines left directly above a removed entry (for the reviewer)."""

    text: str
    refused: list[Refusal] = field(default_factory=list)
    kept_comments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RemovalContext:
    """What a `remove-service` editor needs to know: the name, and the paths already deleted."""

    name: ServiceName
    deleted_paths: frozenset[str] = frozenset()
    # Value paths that a refused template block still reads, with the reason, for the values
    # files of that chart: their entries are withheld rather than removed.
    kept_values: tuple[tuple[tuple[str, ...], str], ...] = ()
