"""The version scanner, floating-reference finder and lookalike pass as they were before the
speed work (gitops_bot 950afa6), kept verbatim as references: tests/test_scan_equivalence.py
proves the rewritten code finds exactly what these found. Not used by the package."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gitops_bot.domain.findings import Finding
from gitops_bot.domain.floating import Floating, LATEST_URL_RE, _ACTION_RE, _FLOATING_REVISIONS, _IMAGE_LINE_RE, \
    _TAG_LATEST_RE
from gitops_bot.domain.versions import FULL, MINOR, Occurrence, Tool, is_version
from gitops_bot.edit import classify


REFERENCE_FLOATING_MARK = re.compile(
    rb"releases/latest/download|image:|tag:\s*[\"']?latest|targetRevision|helm_release|uses:")


def reference_mentions(word: str) -> re.Pattern[bytes]:
    """set_version._lookalikes' prefilter of before."""
    return re.compile(re.escape(word).encode(), re.IGNORECASE)


def reference_anchors(tool: Tool) -> re.Pattern[bytes]:
    """Tool.anchors() of before: any variable, image, chart name, prefix or slug."""
    words = [*tool.variable_names(), *tool.images, *tool.chart_names]
    words += [d.split("{")[0] for d in tool.directories + tool.branch_urls]
    if tool.github:
        words.append(tool.github)
    words = [w for w in words if w]
    return re.compile(b"|".join(re.escape(w.encode()) for w in words) or b"(?!)")


@dataclass
class _Scan:
    path: str
    text: str
    kind: str
    found: list[Occurrence] = field(default_factory=list)

    def add(self, start: int, end: int, form: str, minor_only: bool = False, digest: bool = False) -> None:
        if any(o.start < end and start < o.end for o in self.found):
            return  # one span, one occurrence (a variable inside a URL, say)
        line = self.text.count("\n", 0, start) + 1
        self.found.append(Occurrence(self.path, line, start, end, self.text[start:end], form, minor_only, digest))


def reference_scan(path: str, text: str, kind: str, tool: Tool) -> list[Occurrence]:
    """Every occurrence of the tool's version in one file, in file order."""
    s = _Scan(path, text, kind)
    if kind == "hcl":
        _helm_releases(s, tool)
    if kind in ("yaml", "helm") and tool.chart_repository and "Application" in text:
        _argocd_charts(s, tool)
    for name in tool.variable_names():
        _variables(s, name)
    for template in tool.directories:
        prefix, suffix = (re.escape(part) for part in template.split("{version}", 1))
        for m in re.finditer(rf"(?<![\w.-]){prefix}(?P<v>\d+\.\d+\.\d+){suffix}(?![\d.]*\d)", text):
            s.add(m.start("v"), m.end("v"), "directory or archive name")
    for template in tool.branch_urls:
        prefix, suffix = (re.escape(part) for part in template.split("{minor}", 1))
        for m in re.finditer(rf"{prefix}(?P<v>{MINOR}){suffix}", text):
            s.add(m.start("v"), m.end("v"), "release-branch URL", minor_only=True)
    if tool.github:
        slug = re.escape(tool.github)
        for pattern, form in ((rf"github\.com/{slug}/releases/download/(?P<v>{FULL})/", "release URL"),
                              (rf"raw\.githubusercontent\.com/{slug}/(?P<v>{FULL})/", "raw URL at a tag")):
            for m in re.finditer(pattern, text):
                s.add(m.start("v"), m.end("v"), form)
    for image in tool.images:
        for m in re.finditer(rf"(?<![\w./-]){re.escape(image)}:(?P<v>{FULL})(?![\w.])(?P<d>@sha256:)?", text):
            s.add(m.start("v"), m.end("v"), "image tag", digest=bool(m.group("d")))
    return sorted(s.found, key=lambda o: o.start)


def _variables(s: _Scan, name: str) -> None:
    text = s.text
    operator = r"(?:\s*(?:\?=|::=|:=|\+=|=)\s*|:[ \t]+)"
    # `+` after it starts build metadata (`1.2.3+k3s1`): not a plain X.Y.Z, never half-moved.
    assign = rf"(?<![\w$]){re.escape(name)}{operator}(?P<q>[\"']?)(?P<v>{FULL})(?P=q)(?![\w.+])"
    for m in re.finditer(assign, text):
        rest = text[m.end():text.find("\n", m.end()) if "\n" in text[m.end():] else len(text)]
        if s.kind == "make":
            form = "make variable"
        elif s.kind in ("yaml", "helm"):
            form = "YAML value"
        elif rest.strip() and not rest.strip().startswith(("#", ";", "&&", "||")):
            form = "inline variable"
        else:
            form = "shell variable"
        s.add(m.start("v"), m.end("v"), form)
    for m in re.finditer(rf"\$\{{{re.escape(name)}:-(?P<v>{FULL})\}}", text):
        s.add(m.start("v"), m.end("v"), "shell default")


def _argocd_charts(s: _Scan, tool: Tool) -> None:
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.argocd import parse_applications
    from gitops_bot.text.splice import Lines

    try:
        apps = parse_applications(s.path, s.text)
    except YAMLError:
        return
    lines = Lines(s.text)
    for app in apps:
        for source in app.sources:
            if (source.chart in tool.chart_names and source.target_revision_at
                    and _same_repo(source.repo_url, tool.chart_repository)):
                line, col = source.target_revision_at
                start = lines.start(line) + col
                raw = lines.line(line)[col:]
                quote = raw[:1] if raw[:1] in "\"'" else ""
                value = str(source.target_revision)
                if is_version(value) and raw[len(quote):].startswith(value):
                    s.add(start + len(quote), start + len(quote) + len(value), "chart version (ArgoCD)")


def _helm_releases(s: _Scan, tool: Tool) -> None:
    if not tool.chart_repository:
        return
    from gitops_bot.parse.hcl import helm_release_versions

    try:
        releases = helm_release_versions(s.text)
    except Exception:  # an unparsable .tf file holds no occurrence we can edit safely
        return
    for repository, chart, version, start, end in releases:
        if chart in tool.chart_names and _same_repo(repository, tool.chart_repository) and is_version(version):
            s.add(start, end, "chart version (Terraform)")


def _same_repo(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.rstrip("/") == b.rstrip("/")


# -- floating.py of before ------------------------------------------------------------------
def reference_floating(path: str, text: str, kind: str) -> list[Floating]:
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


# -- set_version._lookalikes of before ---------------------------------------------------------
def reference_lookalikes(state, tool: Tool, versions: set[str]) -> None:
    """Residue: lines naming the tool next to an old version that no recognised form covers."""
    if not versions:
        return
    name = re.compile(re.escape(tool.name.split("-")[0]), re.IGNORECASE)
    version_re = re.compile(r"(?<![\w.])v?(" + "|".join(re.escape(v) for v in sorted(versions)) + r")(?![\w.])")
    tree = state.tree
    for path in tree.grep(reference_mentions(tool.name.split("-")[0])):
        text = tree.original(path)  # notes speak of the original's lines (the engine maps them)
        if text is None:
            continue
        covered = {o.line for o in reference_scan(path, text, classify(path, text), tool)}
        for number, line in enumerate(text.splitlines(), start=1):
            if number not in covered and name.search(line) and version_re.search(line):
                state.notes.append(Finding(path, number, line.strip(),
                                           f"looks like {tool.name} {version_re.search(line).group(1)} "
                                           "but is not a recognised form"))

