"""Container images not pinned to a version: tagged `:latest` or not tagged at all, for the
`unpinned-image` check and `pin-versions image=`.

Forms: YAML `image: REPO[:latest]` lines (Kubernetes manifests, compose, workflow `services:`),
Helm values `tag: latest` with the `repository:` (and `registry:`) beside it, workflow
`container: REPO[:latest]`, and Dockerfile `FROM REPO[:latest]` (not `scratch`, not an earlier
build stage, not a `$VARIABLE`). An untagged `image:` with a sibling `tag:` is pinned by that tag.
A Helm values `tag: ""` is not reported: the chart's appVersion, pinned by the chart version,
decides the tag (domain/images.py reads it the same way).

Each is a `Floating` of kind "image" (`start:end` is `:latest`, or empty after an untagged name:
pinning replaces it with `:TAG`) or "image tag" (a Helm values tag: pinning writes the bare tag).

`REPO:latest@sha256:D` is pinned by its digest (the check does not report it); asked with
`with_digest=True` (pin-versions image= with a version), its `:latest` is returned too: the digest
decides what runs, so pinning rewrites the misleading tag and keeps the digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_bot.domain.floating import FLOATING_MARK, Floating, floating_images
from gitops_bot.domain.images import is_repository
from gitops_bot.text.splice import line_numbers

VALUES_TAG = "(values image.tag)"  # floating.py's subject for a `tag: latest` line
_FROM_RE = re.compile(r"^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(?P<image>[^\s:@$]+)(?::(?P<tag>[\w.-]+))?(?P<digest>@\S+)?"
                      r"(?:[ \t]+AS[ \t]+(?P<stage>\S+))?[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_CONTAINER_RE = re.compile(r"^[ \t]*container:[ \t]*(?P<q>[\"']?)(?P<image>[\w./-]+?)(?::(?P<tag>[\w.-]+))?(?P=q)"
                           r"[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_LATEST_DIGEST_RE = re.compile(r"^[ \t]*(?:-[ \t]+)?image:[ \t]*(?P<q>[\"']?)(?P<image>[\w./-]+?)(?P<tag>:latest)"
                               r"@sha256:[0-9a-f]{64}(?P=q)[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_KEY_RE = re.compile(r"^(?P<indent>[ \t]*)(?:-[ \t]+)?(?P<key>[\w-]+):[ \t]*(?P<q>[\"']?)(?P<value>[^\"'#\s]*)(?P=q)"
                     r"[ \t]*(?:#.*)?$")


class _UnpinnedMark:
    """Bytes every file with an unpinned image contains (a cheap prefilter over the tree): the
    floating references' (`image:`, `tag: latest`), `container:`, or a line starting with an
    upper-case FROM (a lower-case `from` line is Python's as often as a Dockerfile's: such a
    Dockerfile is not looked at)."""

    _FROM = re.compile(rb"(?m)^[ \t]*FROM[ \t]")

    def search(self, data: bytes) -> bool:
        """Whether `data` may hold an unpinned image (the Worktree.grep API)."""
        return b"container:" in data or FLOATING_MARK.search(data) or (b"FROM" in data and bool(
            self._FROM.search(data)))

    tested = (b"container:", *FLOATING_MARK.tested, b"FROM")

    def search_present(self, data: bytes, present: set[bytes]) -> bool:
        """`search(data)` knowing which of `tested` the bytes hold (worktree.WordTested)."""
        return b"container:" in present or FLOATING_MARK.search_present(data, present) or (
            b"FROM" in present and bool(self._FROM.search(data)))


UNPINNED_MARK = _UnpinnedMark()


def may_hold(path: str) -> bool:
    """Whether a file of this name can hold one of the forms (YAML, a Helm `.tpl`, a Dockerfile).
    The byte prefilter also passes Go and SQL sources (`container:` fields, `FROM` clauses); asking
    this first keeps them unread (they were a third of a check's memory on a 1,200-file tree)."""
    base = path.rpartition("/")[2]
    return base.lower().endswith((".yaml", ".yml", ".tpl")) or base.startswith("Dockerfile") or \
        base == "Containerfile" or base.endswith(".Dockerfile")


def unpinned_images(path: str, text: str, kind: str, with_digest: bool = False) -> list[Floating]:
    """Every unpinned image of one file, in line order (with `with_digest`, also the `:latest` of
    `REPO:latest@sha256:D`: its span ends before the `@`)."""
    found: list[Floating] = []
    if kind in ("yaml", "helm"):
        if with_digest:
            found += _latest_with_digest(path, text)
        lines = text.splitlines()
        for f in floating_images(path, text):
            if f.subject == VALUES_TAG:
                found.append(_values_tag(f, lines))
            elif not _sibling(lines, f.line - 1, ("tag",)):
                found.append(f)
        if ".github/workflows/" in f"/{path}" and "container:" in text:
            found += _matches(path, text, _CONTAINER_RE, set())
    elif kind == "dockerfile" or path.rsplit("/", 1)[-1].startswith("Dockerfile"):
        stages = {m.group("stage").lower() for m in _FROM_RE.finditer(text) if m.group("stage")}
        found += _matches(path, text, _FROM_RE, stages | {"scratch"}, with_digest)
    return sorted(found, key=lambda f: (f.line, f.start))


def _latest_with_digest(path: str, text: str) -> list[Floating]:
    line_of = line_numbers(text)
    return [Floating(path, line_of(m.start()), "image", m.group("image"), m.start("tag"), m.end("tag"),
                     m.group(0).strip()) for m in _LATEST_DIGEST_RE.finditer(text) if is_repository(m.group("image"))]


def _matches(path: str, text: str, pattern: re.Pattern[str], skip: set[str],
             with_digest: bool = False) -> list[Floating]:
    line_of = line_numbers(text)
    found = []
    for m in pattern.finditer(text):
        image, tag = m.group("image"), m.group("tag")
        digest = "digest" in m.groupdict() and m.group("digest")
        if tag not in (None, "latest") or digest and not (with_digest and tag) or image.lower() in skip \
                or not is_repository(image):
            continue
        start, end = (m.start("tag") - 1, m.end("tag")) if tag else (m.end("image"), m.end("image"))
        line = line_of(m.start())
        found.append(Floating(path, line, "image", image, start, end, m.group(0).strip()))
    return found


def _values_tag(f: Floating, lines: list[str]) -> Floating:
    """A `tag: latest` line with the repository its mapping names (VALUES_TAG when none)."""
    values = _sibling(lines, f.line - 1, ("repository", "registry", "image"))
    repository = values.get("repository") or values.get("image") or ""
    if values.get("registry") and "repository" in values:
        repository = f"{values['registry'].rstrip('/')}/{repository}"
    subject = repository if is_repository(repository) else VALUES_TAG
    return Floating(f.path, f.line, "image tag", subject, f.start, f.end, f.text)


def _sibling(lines: list[str], index: int, keys: tuple[str, ...]) -> dict[str, str]:
    """The plain values of `keys` in the block mapping holding line `index` (same indent, not
    past a line indented less)."""
    m = _KEY_RE.match(lines[index]) if index < len(lines) else None
    if m is None:
        return {}
    indent = _column(lines[index])
    found: dict[str, str] = {}
    item_start = lines[index].lstrip().startswith("- ")
    for step in ((1,) if item_start else (-1, 1)):  # a list item's first line has no sibling above it
        n = index + step
        while 0 <= n < len(lines):
            line = lines[n]
            if line.strip() and not line.lstrip().startswith("#"):
                column = _column(line)
                starts_item = line.lstrip().startswith("- ")
                if column < indent or (column == indent and starts_item and step == 1):
                    break
                other = _KEY_RE.match(line)
                if column == indent and other and other.group("key") in keys:
                    found.setdefault(other.group("key"), other.group("value"))
                if column == indent and starts_item:
                    break  # the first line of the item holding the line: nothing above it is a sibling
            n += step
    return found


def _column(line: str) -> int:
    """Where a line's key starts (after a list item's `- `)."""
    stripped = line.lstrip()
    column = len(line) - len(stripped)
    return column + 2 if stripped.startswith("- ") else column


_MAPPING_KEY_RE = re.compile(r"^(?P<indent>[ \t]*)image:[ \t]*(?:#.*)?$")


@dataclass(frozen=True)
class UntaggedMapping:
    """A Helm values `image:` mapping that sets no `tag:` (nor `digest:`): the chart's default tag,
    its appVersion, runs. Not unpinned (the chart version pins it), but `pin-versions image=REPO`
    may pin it by adding the key: `tag: V` goes at `at`, indented `indent`, ended by `newline`."""

    line: int  # 1-based line of the `image:` key
    text: str  # that line, stripped
    repository: str  # registry/repository it names; "" for the chart's default image
    top_level: bool
    at: int
    indent: str
    newline: str


def untagged_mappings(text: str) -> list[UntaggedMapping]:
    """Every block mapping `image:` of a values file whose keys (`repository:`, `pullPolicy:`, ...)
    include no `tag:` and no `digest:`; the tag goes after `repository:`, else after the last key."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found = []
    for i, line in enumerate(lines):
        m = _MAPPING_KEY_RE.match(line.rstrip("\r\n"))
        if m is None:
            continue
        keys, last, child = {}, None, None
        for j in range(i + 1, len(lines)):
            body = lines[j].rstrip("\r\n")
            if not body.strip() or body.lstrip().startswith("#"):
                continue
            column = len(body) - len(body.lstrip(" \t"))
            if column <= len(m.group("indent")) or (child is not None and column < len(child)):
                break
            child = body[:column] if child is None else child
            last = j
            key = _KEY_RE.match(body) if column == len(child) else None
            if key and not body.lstrip().startswith("-"):
                keys[key.group("key")] = (j, key.group("value"))
        if child is None or "tag" in keys or "digest" in keys:
            continue
        repository = keys.get("repository", (None, ""))[1]
        if repository and keys.get("registry", (None, ""))[1]:
            repository = f"{keys['registry'][1].rstrip('/')}/{repository}"
        after = keys["repository"][0] if "repository" in keys else last
        newline = "\r\n" if lines[after].endswith("\r\n") else "\n"
        lead = "" if lines[after].endswith("\n") else newline  # the file's last line has no line end
        found.append(UntaggedMapping(i + 1, line.strip(), repository, not m.group("indent"),
                                     offsets[after + 1], lead + child, newline))
    return found
