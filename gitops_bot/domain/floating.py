"""Floating version references: things that change under you without a commit.

- GitHub release URLs `.../releases/latest/download/<asset>`;
- container images tagged `:latest` or not tagged at all (manifests, values, compose);
- ArgoCD Helm chart sources with `targetRevision` HEAD, `*` or latest;
- Terraform `helm_release` without a `version`;
- GitHub Actions `uses:` on a branch (main, master, ...);
- system-upgrade-controller Plans following a release channel (`channel: https://update.k3s.io/...`).
Shared by the `pin-versions` recipe and the `floating-version` check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Callable

from gitops_bot.domain.argocd import may_name_a_chart
from gitops_bot.domain.github_refs import is_version_ref
from gitops_bot.text.splice import line_numbers

class _FloatingMark:
    """Bytes every file with a floating reference contains (a cheap prefilter over the tree):
    one of a few literals, or `tag:` then `latest`. Searched literal by literal: as one regex
    alternation the engine tried every branch at every offset (3.3 s instead of 1.0 s over a
    278 MB tree), for the same answer."""

    _LITERALS = (b"releases/latest/download", b"image:", b"targetRevision", b"helm_release", b"uses:",
                 b"upgrade.cattle.io/")
    _TAG_LATEST = re.compile(rb"tag:\s*[\"']?latest")

    def search(self, data: bytes) -> bool:
        """Whether `data` may hold a floating reference (the Worktree.grep API)."""
        return any(word in data for word in self._LITERALS) or (b"latest" in data and bool(
            self._TAG_LATEST.search(data)))

    tested = (*_LITERALS, b"latest")

    def search_present(self, data: bytes, present: set[bytes]) -> bool:
        """`search(data)` knowing which of `tested` the bytes hold (worktree.WordTested)."""
        return not present.isdisjoint(self._LITERALS) or (b"latest" in present and bool(
            self._TAG_LATEST.search(data)))


FLOATING_MARK = _FloatingMark()
LATEST_URL_RE = re.compile(
    r"https://github\.com/(?P<slug>[\w.-]+/[\w.-]+)/releases/(?P<latest>latest/download)/(?P<asset>[^\s\"')]+)")
_IMAGE_LINE_RE = re.compile(
    r"^\s*(?:-\s+)?image:\s*(?P<q>[\"']?)(?P<image>[\w./-]+?)(?::(?P<tag>[\w.-]+))?(?P=q)\s*(?:#.*)?$")
_TAG_LATEST_RE = re.compile(r"^\s*tag:\s*(?P<q>[\"']?)(?P<tag>latest)(?P=q)\s*(?:#.*)?$")
_ACTION_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*[\"']?(?P<slug>[\w.-]+/[\w.-]+)(?P<sub>/[\w./-]+)?@"
                        r"(?P<ref>main|master|develop|dev|trunk|HEAD|latest)[\"']?\s*(?:#.*)?$")
_FLOATING_REVISIONS = {"HEAD", "*", "latest", ""}
_PLAN_CHANNEL_RE = re.compile(r"^[ \t]+(?P<key>channel:[ \t]*(?P<q>[\"']?)(?P<url>https?://[^\s\"'#]+)(?P=q))"
                              r"[ \t]*(?:#.*)?$",
                              re.M)


@dataclass(frozen=True)
class Floating:
    """One floating reference; `start:end` is what pinning replaces (empty for an insertion)."""

    path: str
    line: int
    kind: str  # release URL | image | chart revision | helm_release without version | action on a branch
    #            | upgrade channel (start:end spans the whole `channel: URL`: pinning changes the key)
    subject: str  # owner/repo, image name, chart name, or channel URL
    start: int
    end: int
    text: str


def find_floating(path: str, text: str, kind: str) -> list[Floating]:
    """Every floating reference of one file, in line order. The parses chart revisions and
    helm_release blocks need are the run's (parse.cache): every caller shares them."""
    file = _File(path, text)
    found: list[Floating] = []
    for m in LATEST_URL_RE.finditer(text):
        found.append(file.at("release URL", m.group("slug"), m.start("latest"), m.end("latest")))
    if kind in ("yaml", "helm"):
        found += _images(file)
        if "Application" in text and kind == "yaml" and may_name_a_chart(text):
            found += _chart_revisions(file)
        if "uses:" in text and ".github/" in f"/{path}":
            found += _actions(file)
        if "upgrade.cattle.io/" in text:
            found += _plan_channels(file)
    if kind == "hcl" and "helm_release" in text:
        found += _unversioned_releases(file)
    return sorted(found, key=lambda f: (f.line, f.start))


class _File:
    """One file being searched, with its line numbers and lines computed once, on demand
    (per reference, they made a file with many floating images quadratic)."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text
        self._line_of: Callable[[int], int] | None = None
        self._split: list[str] | None = None

    def line_of(self, offset: int) -> int:
        """1 + the number of "\\n" before `offset`."""
        if self._line_of is None:
            self._line_of = line_numbers(self.text)
        return self._line_of(offset)

    def split(self) -> list[str]:
        """text.splitlines(): a report shows line n as its n-th item (other line breaks than
        "\\n" shift it, as they always did)."""
        if self._split is None:
            self._split = self.text.splitlines()
        return self._split

    def at(self, kind: str, subject: str, start: int, end: int) -> Floating:
        line = self.line_of(start)
        line_text = self.split()[line - 1] if self.text else ""
        return Floating(self.path, line, kind, subject, start, end, line_text.strip())


def _line_offsets(text: str):
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)


def _images(file: _File) -> list[Floating]:
    found = []
    for offset, line in _line_offsets(file.text):
        if "{{" in line or "@sha256:" in line:
            continue
        m = _IMAGE_LINE_RE.match(line)
        if m and (m.group("tag") in (None, "latest")):
            end = offset + (m.end("tag") if m.group("tag") else m.end("image"))
            start = offset + (m.start("tag") - 1 if m.group("tag") else m.end("image"))
            found.append(file.at("image", m.group("image"), start, end))
            continue
        m = _TAG_LATEST_RE.match(line)
        if m:
            found.append(file.at("image", "(values image.tag)", offset + m.start("tag"), offset + m.end("tag")))
    return found


_ACTION_TAG_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*[\"']?(?P<slug>[\w.-]+/[\w.-]+)(?:/[\w./-]+)?@(?P<ref>v?\d[\w.-]*)"
                            r"[\"']?\s*(?:#.*)?$")


def actions_on_tags(path: str, text: str) -> list[Floating]:
    """Workflow steps `uses: OWNER/REPO@v6.0.2` (a version tag, which its owner can move): not
    floating, but not pinned to a commit either; pin-versions lists them (kind "action on a tag")."""
    if "uses:" not in text or ".github/" not in f"/{path}":
        return []
    file, found = _File(path, text), []
    for offset, line in _line_offsets(text):
        m = _ACTION_TAG_RE.match(line)
        if m and is_version_ref(m.group("ref")):  # a commit SHA can start with a digit
            found.append(file.at("action on a tag", m.group("slug"), offset + m.start("ref"), offset + m.end("ref")))
    return found


def _actions(file: _File) -> list[Floating]:
    found = []
    for offset, line in _line_offsets(file.text):
        m = _ACTION_RE.match(line)
        if m:
            found.append(file.at("action on a branch", m.group("slug"), offset + m.start("ref"), offset + m.end("ref")))
    return found


def _plan_channels(file: _File) -> list[Floating]:
    """`channel: URL` of system-upgrade-controller Plans (documents with apiVersion
    upgrade.cattle.io/... and kind: Plan); documents of other kinds are not looked at."""
    text = file.text
    bounds = [0, *(m.end() for m in re.finditer(r"^---[ \t]*$", text, re.M)), len(text)]
    found = []
    for begin, end in zip(bounds, bounds[1:]):
        document = text[begin:end]
        if "upgrade.cattle.io/" not in document or not re.search(r"^kind:[ \t]*Plan[ \t]*$", document, re.M):
            continue
        for m in _PLAN_CHANNEL_RE.finditer(document):
            found.append(file.at("upgrade channel", m.group("url"), begin + m.start("key"), begin + m.end("key")))
    return found


def _chart_revisions(file: _File) -> list[Floating]:
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.argocd import applications_in
    from gitops_bot.parse.yaml import load_rt
    from gitops_bot.text.splice import Lines

    try:
        apps = applications_in(file.path, load_rt(file.text))
    except YAMLError:
        return []
    lines = Lines(file.text)
    found = []
    for app in apps:
        for source in app.sources:
            if not source.chart or (source.target_revision or "") not in _FLOATING_REVISIONS:
                continue
            if source.target_revision_at:
                line, col = source.target_revision_at
                raw = lines.line(line)[col:]
                quote = 1 if raw[:1] in "\"'" else 0
                start = lines.start(line) + col + quote
                found.append(file.at("chart revision", source.chart, start, start + len(source.target_revision or "")))
            else:
                found.append(file.at("chart revision", source.chart, lines.start(source.line - 1),
                                     lines.start(source.line - 1)))
    return found


def _unversioned_releases(file: _File) -> list[Floating]:
    from gitops_bot.parse.cache import parse_once
    from gitops_bot.parse.hcl import helm_releases_without_version

    try:
        releases = parse_once(helm_releases_without_version, file.text)
    except Exception:  # an unparsable .tf file: nothing located, nothing reported
        return []
    lines = file.text.splitlines(keepends=True)
    offsets = list(accumulate(map(len, lines), initial=0))  # offsets[n]: where lines[n] starts
    found = []
    for name, _repository, chart, line in releases:
        start = offsets[min(line - 1, len(lines))]
        found.append(Floating(file.path, line, "helm_release without version", chart or name, start, start,
                              lines[line - 1].strip() if line <= len(lines) else ""))
    return found


def floating_images(path: str, text: str) -> list[Floating]:
    """The `image:` lines and Helm values `tag: latest` lines of a YAML file that `find_floating`
    reports (domain/unpinned.py builds the unpinned-image forms on them)."""
    return _images(_File(path, text))
