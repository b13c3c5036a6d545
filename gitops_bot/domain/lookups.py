"""What a recipe may ask of the outside world, as an interface the caller supplies.

The engine never touches the network: an operation that needs a latest release asks the
`ReleaseLookup` it was given. The commands give the GitHub one (delivery/releases.py) configured from
the environment; a run given none looks nothing up, and what would need a lookup is reported.
Whatever a lookup returns passes `checked_tag` before it is written anywhere.
"""

from __future__ import annotations

import re
from typing import Protocol

from gitops_bot.errors import UserError

# A release tag is written into shell scripts, Makefiles and workflow `uses:` lines, so it must be
# a plain version before it is used: `v1.2.3$(touch${IFS}/tmp/x)` is a valid git ref name.
RELEASE_TAG_RE = re.compile(r"v?\d{1,9}(?:\.\d{1,9}){0,3}(?:-[0-9A-Za-z]{1,32}(?:\.[0-9A-Za-z]{1,32}){0,4})?")


def checked_tag(slug: str, tag: str) -> str:
    """`tag` when it is a plain version (`v1.8.3`, `1.3.0`, `v4`, `v2.0.0-rc.1`); a UserError naming
    it otherwise, before anything is written."""
    if not RELEASE_TAG_RE.fullmatch(tag):
        raise UserError(f"GitHub API: the latest release of {slug} has the tag {tag!r}, which is not a "
                        "plain version; refusing to write it anywhere (nothing was changed)")
    return tag


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
