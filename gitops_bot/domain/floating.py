"""Floating version references: things that change under you without a commit.

- GitHub release URLs `.../releases/latest/download/<asset>`;
- container images tagged `:latest` or not tagged at all (manifests, values, compose);
- ArgoCD Helm chart sources with `targetRevision` HEAD, `*` or latest;
- Terraform `helm_release` without a `version`;
- GitHub Actions `uses:` on a branch (main, master, ...).
Shared by the `pin-versions` recipe and the `floating-version` check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Bytes every file with a floating reference contains (a cheap prefilter over the tree).
FLOATING_MARK = re.compile(rb"releases/latest/download|image:|tag:\s*[\"']?latest|targetRevision|helm_release|uses:")
LATEST_URL_RE = re.compile(
    r"https://github\.com/(?P<slug>[\w.-]+/[\w.-]+)/releases/(?P<latest>latest/download)/(?P<asset>[^\s\"')]+)")
_IMAGE_LINE_RE = re.compile(
    r"^\s*(?:-\s+)?image:\s*(?P<q>[\"']?)(?P<image>[\w./-]+?)(?::(?P<tag>[\w.-]+))?(?P=q)\s*(?:#.*)?$")
_TAG_LATEST_RE = re.compile(r"^\s*tag:\s*(?P<q>[\"']?)(?P<tag>latest)(?P=q)\s*(?:#.*)?$")
_ACTION_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*[\"']?(?P<slug>[\w.-]+/[\w.-]+)(?P<sub>/[\w./-]+)?@"
                        r"(?P<ref>main|master|develop|dev|trunk|HEAD|latest)[\"']?\s*(?:#.*)?$")
_FLOATING_REVISIONS = {"HEAD", "*", "latest", ""}


@dataclass(frozen=True)
class Floating:
    """One floating reference; `start:end` is what pinning replaces (empty for an insertion)."""

    path: str
    line: int
    kind: str  # release URL | image | chart revision | helm_release without version | action on a branch
    subject: str  # owner/repo, image name, or chart name
    start: int
    end: int
    text: str


def find_floating(path: str, text: str, kind: str) -> list[Floating]:
    found: list[Floating] = []
    for m in LATEST_URL_RE.finditer(text):
        found.append(_at(path, text, "release URL", m.group("slug"), m.start("latest"), m.end("latest")))
    if kind in ("yaml", "helm"):
        found += _images(path, text)
        if "Application" in text and kind == "yaml":
            found += _chart_revisions(path, text)
        if "uses:" in text and ".github/" in f"/{path}":
            found += _actions(path, text)
    if kind == "hcl" and "helm_release" in text:
        found += _unversioned_releases(path, text)
    return sorted(found, key=lambda f: (f.line, f.start))


def _at(path: str, text: str, kind: str, subject: str, start: int, end: int) -> Floating:
    line = text.count("\n", 0, start) + 1
    line_text = text.splitlines()[line - 1] if text else ""
    return Floating(path, line, kind, subject, start, end, line_text.strip())


def _line_offsets(text: str):
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)


def _images(path: str, text: str) -> list[Floating]:
    found = []
    for offset, line in _line_offsets(text):
        if "{{" in line or "@sha256:" in line:
            continue
        m = _IMAGE_LINE_RE.match(line)
        if m and (m.group("tag") in (None, "latest")):
            end = offset + (m.end("tag") if m.group("tag") else m.end("image"))
            start = offset + (m.start("tag") - 1 if m.group("tag") else m.end("image"))
            found.append(_at(path, text, "image", m.group("image"), start, end))
            continue
        m = _TAG_LATEST_RE.match(line)
        if m:
            found.append(_at(path, text, "image", "(values image.tag)", offset + m.start("tag"), offset + m.end("tag")))
    return found


def _actions(path: str, text: str) -> list[Floating]:
    found = []
    for offset, line in _line_offsets(text):
        m = _ACTION_RE.match(line)
        if m:
            found.append(_at(path, text, "action on a branch", m.group("slug"),
                             offset + m.start("ref"), offset + m.end("ref")))
    return found


def _chart_revisions(path: str, text: str) -> list[Floating]:
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.argocd import parse_applications
    from gitops_bot.text.splice import Lines

    try:
        apps = parse_applications(path, text)
    except YAMLError:
        return []
    lines = Lines(text)
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
                found.append(_at(path, text, "chart revision", source.chart, start,
                                 start + len(source.target_revision or "")))
            else:
                found.append(_at(path, text, "chart revision", source.chart, lines.start(source.line - 1),
                                 lines.start(source.line - 1)))
    return found


def _unversioned_releases(path: str, text: str) -> list[Floating]:
    from gitops_bot.parse.hcl import helm_releases_without_version

    try:
        releases = helm_releases_without_version(text)
    except Exception:  # an unparsable .tf file: nothing located, nothing reported
        return []
    lines = text.splitlines(keepends=True)
    found = []
    for name, _repository, chart, line in releases:
        start = sum(len(x) for x in lines[:line - 1])
        found.append(Floating(path, line, "helm_release without version", chart or name, start, start,
                              lines[line - 1].strip() if line <= len(lines) else ""))
    return found
