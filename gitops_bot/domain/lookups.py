"""What a recipe may ask of the outside world, as an interface the caller supplies.

The engine never touches the network: an operation that needs a latest release asks the
`Lookups` it was given. The commands give the GitHub one (delivery/releases.py) configured from
the environment; a run given none looks nothing up, and what would need a lookup is reported.
"""

from __future__ import annotations

from typing import Protocol


class ReleaseLookup(Protocol):
    """The latest release of a GitHub repository (`owner/name`)."""

    def latest_release_tag(self, slug: str) -> str | None:
        """The tag of the latest release (a checked plain version), None when it has none or
        when nothing can be looked up."""
        ...

    def unavailable(self) -> str | None:
        """Why nothing can be looked up (`no GITHUB_TOKEN`), or None when lookups work."""
        ...


class NoLookups:
    """Looks nothing up: every release is unknown, with the reason given."""

    def __init__(self, reason: str = "no release lookup in this run") -> None:
        self.reason = reason

    def latest_release_tag(self, slug: str) -> str | None:
        return None

    def unavailable(self) -> str | None:
        return self.reason
