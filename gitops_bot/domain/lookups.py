"""What a recipe may ask of the outside world, as an interface the caller supplies.

The engine never touches the network: an operation that needs a latest release, an image's tags
or digest, or a Helm chart's versions asks the lookup it was given (`RunState.releases`). The
commands give the real one (delivery/lookups.py: GitHub releases, OCI registries, Helm
repositories) configured from the environment; a run given none looks nothing up, and what would
need a lookup is reported. Whatever a lookup returns passes a strict grammar (`checked_tag`,
`checked_digest`) before it is written anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Protocol

from gitops_bot.errors import UserError

# A release tag is written into shell scripts, Makefiles and workflow `uses:` lines, so it must be
# a plain version before it is used: `v1.2.3$(touch${IFS}/tmp/x)` is a valid git ref name.
RELEASE_TAG_RE = re.compile(r"v?\d{1,9}(?:\.\d{1,9}){0,3}(?:-[0-9A-Za-z]{1,32}(?:\.[0-9A-Za-z]{1,32}){0,4})?")
# What `latest-stable` may pick: X.Y.Z (v-prefixed or not), no pre-release, no variant suffix.
STABLE_RE = re.compile(r"v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})")
# With prerelease=true also X.Y.Z-rc.1, -beta2, -alpha.0 (not -alpine or other variants).
_PRERELEASE_RE = re.compile(r"v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})-((?:alpha|beta|rc|pre)[0-9A-Za-z.]{0,32})",
                            re.IGNORECASE)
DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")
COMMIT_RE = re.compile(r"[0-9a-f]{40}")  # a full git commit id, as a workflow `uses:` pins it
LATEST_STABLE = "latest-stable"  # the version= value asking for a lookup


def checked_tag(slug: str, tag: str, what: str = "GitHub API: the latest release of") -> str:
    """`tag` when it is a plain version (`v1.8.3`, `1.3.0`, `v4`, `v2.0.0-rc.1`); a UserError naming
    it otherwise, before anything is written."""
    if not RELEASE_TAG_RE.fullmatch(tag):
        raise UserError(f"{what} {slug} has the tag {tag!r}, which is not a "
                        "plain version; refusing to write it anywhere (nothing was changed)")
    return tag


def checked_digest(image: str, digest: str) -> str:
    """`digest` when it is exactly `sha256:` and 64 lower-case hex digits; a UserError otherwise."""
    if not DIGEST_RE.fullmatch(digest):
        raise UserError(f"registry: the digest of {image} is {digest[:100]!r}, which is not sha256:<64 hex digits>; "
                        "refusing to write it anywhere (nothing was changed)")
    return digest


def checked_commit(what: str, sha: str) -> str:
    """`sha` when it is exactly 40 lower-case hex digits (a full commit id); a UserError otherwise."""
    if not COMMIT_RE.fullmatch(sha):
        raise UserError(f"GitHub API: the commit of {what} is {sha[:100]!r}, which is not 40 hex digits; "
                        "refusing to write it anywhere (nothing was changed)")
    return sha


def latest_stable(versions: Iterable[str], prerelease: bool = False) -> str | None:
    """The highest stable semantic version among `versions` (tags or chart versions), as written;
    with `prerelease`, pre-releases count too (1.3.0-rc.1 < 1.3.0). Anything else (`latest`,
    `1.27`, `1.27.3-alpine`, `sha-abc`) is never picked. Of `v1.2.3` and `1.2.3`, the plain one."""
    best: tuple | None = None
    for version in versions:
        m = STABLE_RE.fullmatch(version)
        pre = None
        if m is None and prerelease:
            m = _PRERELEASE_RE.fullmatch(version)
            pre = m.group(4) if m else None
        if m is None:
            continue
        key = (tuple(int(n) for n in m.group(1, 2, 3)), pre is None, _pre_key(pre), not version.startswith("v"))
        if best is None or key > best[0]:
            best = (key, version)
    return best[1] if best else None


def _pre_key(pre: str | None) -> tuple:
    """Semantic-version order of a pre-release (`rc.10` after `rc.9`)."""
    parts = re.split(r"[.]|(?<=[A-Za-z])(?=\d)", pre or "")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


@dataclass(frozen=True)
class RepositoryTree:
    """The paths of a GitHub repository at one ref (its files and folders, as the git trees API
    lists them); `complete` is False when GitHub truncated the listing, so that a path it lacks
    may still be there."""

    paths: frozenset[str]
    complete: bool = True

    def has(self, path: str) -> bool | None:
        """Whether `path` (a file or a folder, `/`-separated, no leading `./`) is there; None when
        the listing is truncated and lacks it."""
        path = path.strip("/")
        if path in self.paths:
            return True
        return False if self.complete else None

    def named(self, path: str) -> list[str]:
        """The files and folders there with `path`'s last name (where a moved file may have gone)."""
        name = path.rstrip("/").rsplit("/", 1)[-1]
        return sorted(p for p in self.paths if p.rsplit("/", 1)[-1] == name)


class ReleaseLookup(Protocol):
    """The lookups a run may be given: a GitHub repository's latest release (`owner/name`), an
    OCI image repository's tags and a tag's digest, a Helm repository's chart versions."""

    def latest_release_tag(self, slug: str) -> str | None:
        """The tag of the latest release (a checked plain version), None when it has none or
        when nothing can be looked up."""
        ...

    def unavailable(self) -> str | None:
        """Why no GitHub release can be looked up (`no GITHUB_TOKEN`), or None when lookups work."""
        ...

    def tag_commits(self, slug: str) -> dict[str, str] | None:
        """Every tag of GitHub repository `slug` with the commit it points at (`{"v4": "<sha>"}`);
        None when nothing can be looked up."""
        ...

    def repository_tree(self, slug: str, ref: str) -> RepositoryTree | None:
        """The paths of GitHub repository `slug` at `ref` (a tag or a branch); None when nothing
        can be looked up or the API does not know that ref."""
        ...

    def image_tags(self, image: str) -> list[str] | None:
        """Every tag of an image repository (`nginx`, `ghcr.io/o/r`); None when nothing can be looked up."""
        ...

    def image_digest(self, image: str, tag: str) -> str | None:
        """The manifest digest (`sha256:...`) of `image:tag`; None when nothing can be looked up."""
        ...

    def chart_versions(self, repo_url: str, chart: str) -> list[str] | None:
        """The versions of `chart` in the Helm repository at `repo_url` (its index.yaml); None when
        nothing can be looked up."""
        ...


class NoLookups:
    """Looks nothing up: every release, tag and chart version is unknown, with the reason given."""

    def __init__(self, reason: str = "no release lookup in this run") -> None:
        self.reason = reason

    def latest_release_tag(self, slug: str) -> str | None:
        return None

    def unavailable(self) -> str | None:
        return self.reason

    def tag_commits(self, slug: str) -> dict[str, str] | None:
        return None

    def repository_tree(self, slug: str, ref: str) -> RepositoryTree | None:
        return None

    def image_tags(self, image: str) -> list[str] | None:
        return None

    def image_digest(self, image: str, tag: str) -> str | None:
        return None

    def chart_versions(self, repo_url: str, chart: str) -> list[str] | None:
        return None
