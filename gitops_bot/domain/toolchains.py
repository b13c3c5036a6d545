"""Every place a language toolchain's version is written, for `set-version tool=go|node|python|ruby`.

A toolchain is a catalogue entry with forms of its own, none of which names the toolchain the
way a catalogue tool's variable or image does:

- version files whose whole content is the version (`.nvmrc`, `.node-version`, `.python-version`,
  `.ruby-version`) and asdf's `.tool-versions` line (`golang 1.22.4`);
- Go: the `go` and `toolchain` directives of go.mod/go.work, and release archives
  (`go1.22.4.linux-amd64.tar.gz`);
- Node: `engines.node` of package.json when it is one exact version;
- Ruby: the Gemfile's `ruby "3.4.7"`;
- the conventional variables (`GO_VERSION`, `NODE_VERSION`, ...: Dockerfile `ARG`, shell, make,
  YAML, `${NAME:-V}`), exactly named (`MY_GO_VERSION` is another variable);
- the setup action's workflow key (`go-version:`, `node-version:`, `python-version:`, `ruby-version:`);
- the official image's tag (`FROM golang:1.22.4-alpine`, compose `image: node:20`), found by
  images.references, so `prom/node-exporter` or `golang.org/x/net` never count.

Precision: each occurrence keeps its own (`go 1.22` stays minor-only, `node:20-alpine` major-only,
`golang:1.18-alpine` becomes `golang:1.19-alpine`), except names of real release files, which
must name an existing release: Go named its x.y.0 releases `go1.x` until 1.21 (`go1.18.linux-...`).
A version range (`requires-python = ">=3.9"`, `engines.node: ">=18"`) is found and left to a human.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from dataclasses import dataclass
from typing import Callable

from gitops_bot.domain import images
from gitops_bot.text.splice import line_numbers


@dataclass(frozen=True)
class Toolchain:
    """How one language toolchain's version is written."""

    name: str
    image: str  # the official Docker Hub image
    workflow_key: str  # the setup action's input (actions/setup-go: go-version)
    version_files: tuple[str, ...] = ()  # base names of files holding only the version
    asdf: str = ""  # the plugin's name in .tool-versions
    variables: tuple[str, ...] = ()  # conventional variable names (Dockerfile ARG, shell, make, YAML env)
    # Whether two major versions are two languages (Ruby 2 and 3, Python 2 and 3): a repository
    # using both keeps the other major's pins when asked for one. Node's majors are its releases.
    majors_apart: bool = True


TOOLCHAINS = {t.name: t for t in (
    Toolchain("go", "golang", "go-version", asdf="golang", variables=("GO_VERSION", "GOLANG_VERSION")),
    Toolchain("node", "node", "node-version", (".nvmrc", ".node-version"), "nodejs",
              ("NODE_VERSION", "NODEJS_VERSION"), majors_apart=False),
    Toolchain("python", "python", "python-version", (".python-version",), "python", ("PYTHON_VERSION",)),
    Toolchain("ruby", "ruby", "ruby-version", (".ruby-version",), "ruby", ("RUBY_VERSION",)),
)}


@dataclass(frozen=True)
class ToolchainRef:
    """One version as written: `start:end` spans the version text; `new(version)` is what
    replaces it, None when the occurrence must not move (`reason` says why)."""

    line: int  # 1-based
    start: int
    end: int
    version: str
    form: str
    exact: bool = False  # a release file's name: the release's own name, not the old precision
    reason: str = ""  # not empty: found, left to a human
    plain_yaml: bool = False  # a plain YAML scalar: its new value must stay a string
    written_like: str = ""  # not empty: the version whose precision to write (written_like_newest)
    # An official image's tag: the image publishes a tag per minor too (`golang:1.22`), so a
    # patch-level tag moves to a minor-only version as asked (argocd-autopilot's `golang:1.21.7`
    # became `golang:1.22`), its variant suffix kept.
    floating: bool = False
    # An official image pinned by digest (`golang:1.26.5-alpine@sha256:...`): the span of
    # `@sha256:...` and the whole tag's end (the variant suffix after the number), for digest=
    digest: tuple[int, int] | None = None
    tag_end: int = 0
    image: str = ""  # the image as written there (`docker.io/library/golang`), for digest=resolve

    def new(self, version: str) -> str | None:
        """The replacement for `version` (X.Y.Z, or X.Y) in this occurrence's form; None when the
        occurrence must not move, or writes more components than `version` gives (`go1.22.5`
        for version=1.23: a patch cannot be made up)."""
        if self.reason:
            return None
        model = self.written_like or self.version
        if len(version.lstrip("v").split(".")) < (3 if self.exact else len(model.lstrip("v").split("."))):
            return version.lstrip("v") if self.floating else None
        if self.exact:
            return go_release(version)
        if self.written_like:
            prefix = "v" if self.version.startswith("v") else ""
            return prefix + same_precision(self.written_like.lstrip("v"), version)
        return same_precision(self.version, version)


def written_like_newest(refs: list[ToolchainRef]) -> list[ToolchainRef]:
    """`refs` (of the whole run), those of a setup action's key (`go-version:`) that an earlier bump
    left behind written like the key's newest occurrence: with `go-version: '1.18'` in one workflow,
    a stale `go-version: '1.17.5'` in another becomes `'1.19'` as the human writes it, not
    `'1.19.0'`. The repository's newest spelling of that input is its convention; an occurrence at
    the newest minor (1.18 beside 1.18.4) is not stale and keeps its own precision."""
    newest: dict[str, str] = {}
    for ref in refs:
        if _follows_convention(ref) and _numbers(ref.version) > _numbers(newest.get(ref.form, "0")):
            newest[ref.form] = ref.version
    out = []
    for ref in refs:
        model = newest.get(ref.form, "") if _follows_convention(ref) else ""
        depth = min(len(_numbers(ref.version)), len(_numbers(model))) if model else 0
        if model and _numbers(ref.version)[:depth] < _numbers(model)[:depth]:
            ref = dataclasses.replace(ref, written_like=model)
        out.append(ref)
    return out


def _follows_convention(ref: ToolchainRef) -> bool:
    return not ref.reason and not ref.exact and ref.form.startswith("workflow ") and bool(_EXACT_RE.match(ref.version))


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.lstrip("v").split("."))


def major(version: str) -> str:
    """The major version: `2` of v2.7.6."""
    return version.lstrip("v").split(".")[0]


def same_precision(old: str, version: str) -> str:
    """`version` with as many components as `old` (and its `v` prefix): 1.22 -> 1.23, 20 -> 22."""
    parts = version.lstrip("v").split(".")
    kept = ".".join(parts[:len(old.lstrip("v").split("."))])
    return ("v" if old.startswith("v") else "") + kept


def go_release(version: str) -> str:
    """The name Go gives release `version`: 1.18.0 was `1.18`; from 1.21 on, 1.21.0 is `1.21.0`."""
    major, minor, *rest = (version.lstrip("v").split(".") + ["0"])[:3]
    if rest == ["0"] and major == "1" and minor.isdigit() and int(minor) < 21:
        return f"{major}.{minor}"
    return version.lstrip("v")


_NUMBER = r"v?\d+(?:\.\d+){0,2}"
_VERSION_LINE_RE = re.compile(rf"^(?P<v>{_NUMBER})[ \t]*$", re.MULTILINE)
_GO_DIRECTIVE_RE = re.compile(r"^go[ \t]+(?P<v>\d+\.\d+(?:\.\d+)?)[ \t]*(?://.*)?$", re.MULTILINE)
_TOOLCHAIN_DIRECTIVE_RE = re.compile(r"^toolchain[ \t]+go(?P<v>\d+\.\d+(?:\.\d+)?)[ \t]*(?://.*)?$", re.MULTILINE)
_GO_ARCHIVE_RE = re.compile(r"(?<![\w.-])go(?P<v>1\.\d+(?:\.\d+)?)\.(?:src|(?:linux|darwin|windows|freebsd)-\w+)"
                            r"\.(?:tar\.gz|zip|pkg|msi)\b")
_GEMFILE_RUBY_RE = re.compile(r"^ruby[ \t]+(?P<q>[\"'])(?P<v>[^\"']*)(?P=q)", re.MULTILINE)
_REQUIRES_PYTHON_RE = re.compile(r"^requires-python\s*=\s*[\"'](?P<v>[^\"']*)[\"']", re.MULTILINE)
_EXACT_RE = re.compile(rf"^{_NUMBER}$")
_YAML_FLOAT_LIKE_RE = re.compile(r"^\d+(?:\.\d*)?$")


_NAMED_FILES = ("go.mod", "go.work", "package.json", "Gemfile", "pyproject.toml", ".tool-versions")


def candidates(paths: list[str], grep: Callable[[re.Pattern[bytes]], list[str]], toolchain: Toolchain) -> list[str]:
    """The paths (of `paths`) that may hold a form: files named for one, and those whose bytes
    `grep(pattern)` finds a form's literal in (the image, the workflow key, `go1.`)."""
    names = set(toolchain.version_files) | set(_NAMED_FILES)
    words = [toolchain.image, toolchain.workflow_key, *toolchain.variables]
    words += ["go1."] if toolchain.name == "go" else []
    found = set(grep(re.compile("|".join(re.escape(w) for w in words).encode())))
    found.update(p for p in paths if posixpath.basename(p) in names)
    return sorted(found)


Add = Callable[..., None]  # add(start, end, form, **ToolchainRef fields): one reference per span


def references(path: str, text: str, kind: str, toolchain: Toolchain) -> list[ToolchainRef]:
    """Every version of `toolchain` written in one file, in file order (one reference per span)."""
    line_of = line_numbers(text)
    found: list[ToolchainRef] = []

    def add(start: int, end: int, form: str, **kw: object) -> None:
        if not any(r.start < end and start < r.end for r in found):
            found.append(ToolchainRef(line_of(start), start, end, text[start:end], form, **kw))

    _named_files(text, posixpath.basename(path), toolchain, add)
    for name in toolchain.variables:
        _variable(text, name, add)
    if kind in ("yaml", "helm"):
        _workflow_key(text, toolchain.workflow_key, add)
    _image_tags(text, kind, toolchain.image, add)
    return sorted(found, key=lambda r: r.start)


def _named_files(text: str, base: str, toolchain: Toolchain, add: Add) -> None:
    """The forms a file's name announces (version files, go.mod, package.json, Gemfile, pyproject.toml)."""
    if base in toolchain.version_files:
        lines = list(_VERSION_LINE_RE.finditer(text))
        several = "one of several versions in a version file: left as it is" if len(lines) > 1 else ""
        for m in lines:
            add(m.start("v"), m.end("v"), f"version file {base}", reason=several)
    if base == ".tool-versions":
        for m in re.finditer(rf"^{re.escape(toolchain.asdf)}[ \t]+(?P<v>{_NUMBER})[ \t]*(?:#.*)?$", text, re.M):
            add(m.start("v"), m.end("v"), "asdf .tool-versions")
    if toolchain.name == "go":
        _go(text, base, add)
    if toolchain.name == "node" and base == "package.json":
        _engines_node(text, add)
    if toolchain.name == "ruby" and base == "Gemfile":
        for m in _GEMFILE_RUBY_RE.finditer(text):
            add(m.start("v"), m.end("v"), "Gemfile ruby", reason=_range(m.group("v")))
    if toolchain.name == "python" and base == "pyproject.toml":
        for m in _REQUIRES_PYTHON_RE.finditer(text):
            add(m.start("v"), m.end("v"), "requires-python", reason=_range(m.group("v")) or "requires-python: "
                "the supported range is the project's decision")


def _image_tags(text: str, kind: str, image: str, add: Add) -> None:
    """The official image's tags (images.references: every spelling, no longer name)."""
    for ref in images.references(text, kind, image):
        if ref.tag is None:
            continue  # `FROM golang:${GO_VERSION}`: the variable is the form that holds it
        tag = text[ref.tag[0]:ref.tag[1]]
        number = re.match(r"v?\d+(?:\.\d+)*", tag)
        if not images.is_version_tag(tag) or number is None:
            add(ref.tag[0], ref.tag[1], f"{image} image", reason=f"tag {tag!r} is not a version: left as it is")
        elif ref.digest_key:
            add(ref.tag[0], ref.tag[1], f"{image} image", reason="edit refused: image pinned by digest; "
                "update tag and digest together")
        elif ref.digest:
            add(ref.tag[0], ref.tag[0] + number.end(), f"{image} image", plain_yaml=ref.plain_yaml, floating=True,
                digest=ref.digest, tag_end=ref.tag[1], image=text[ref.name[0]:ref.name[1]] if ref.name else image)
        else:  # the number only: the variant suffix (-alpine3.22, -slim) stays
            add(ref.tag[0], ref.tag[0] + number.end(), f"{image} image", plain_yaml=ref.plain_yaml, floating=True)


# An image reference with a repository path and a version tag: `quay.io/codefresh/golang-ci-helper:1.21`.
_PATH_IMAGE_RE = re.compile(r"(?<![\w./-])(?P<repo>(?:[\w.-]+(?::\d+)?/)+(?P<base>[\w.-]+)):(?P<tag>v?\d+(?:\.\d+)*)"
                            r"(?![\w.])")


def namesake_images(text: str, toolchain: Toolchain,
                    olds: frozenset[str]) -> list[tuple[int, str, str, tuple[int, int]]]:
    """(line, image, tag, the tag's span) of the images named for the toolchain but not its official image (a
    CI helper `quay.io/codefresh/golang-ci-helper`, `cimg/go`) tagged with one of its `olds`
    versions (or their minor): images built per toolchain version, whose tag a bump may move if
    the image publishes the new one, which only its registry knows."""
    names = {toolchain.image, toolchain.name}
    line_of = line_numbers(text)
    found = []
    for m in _PATH_IMAGE_RE.finditer(text):
        if names & set(re.split(r"[-_.]", m.group("base").lower())) and m.group("tag").lstrip("v") in olds \
                and images.repository_name(m.group("repo")) != toolchain.image:
            found.append((line_of(m.start()), m.group("repo"), m.group("tag"), m.span("tag")))
    return found


def _range(value: str) -> str:
    return "" if _EXACT_RE.match(value) else f"{value!r} is a version range: left as it is"


def _variable(text: str, name: str, add: Add) -> None:
    """`NAME=V` (shell, Dockerfile `ARG`/`ENV`), `NAME ?= V` (make), `NAME: V` (YAML env), `${NAME:-V}`."""
    value = rf"(?P<q>[\"']?)(?P<v>{_NUMBER})(?P=q)(?![\w.-])"
    assign = re.compile(rf"(?<![\w$]){name}(?:[ \t]*(?:\?=|::=|:=|\+=|=)[ \t]*|:[ \t]+){value}")
    for m in assign.finditer(text):
        yaml_plain = not m.group("q") and text[m.start():m.start("v")].rstrip().endswith(":")
        add(m.start("v"), m.end("v"), f"variable {name}", plain_yaml=yaml_plain)
    for m in re.finditer(rf"\$\{{{name}:-(?P<v>{_NUMBER})\}}", text):
        add(m.start("v"), m.end("v"), f"variable {name} default")


def _go(text: str, base: str, add: Add) -> None:
    if base in ("go.mod", "go.work"):
        for m in _GO_DIRECTIVE_RE.finditer(text):
            add(m.start("v"), m.end("v"), f"{base} go directive")
        for m in _TOOLCHAIN_DIRECTIVE_RE.finditer(text):
            add(m.start("v"), m.end("v"), f"{base} toolchain directive", exact=True)
    for m in _GO_ARCHIVE_RE.finditer(text):
        add(m.start("v"), m.end("v"), "Go release archive", exact=True)


def _engines_node(text: str, add: Add) -> None:
    try:
        engines = json.loads(text).get("engines")
    except (ValueError, AttributeError):
        return
    if not isinstance(engines, dict) or not isinstance(engines.get("node"), str):
        return
    m = re.search(r"\"engines\"\s*:\s*\{[^{}]*?\"node\"\s*:\s*\"(?P<v>[^\"]*)\"", text)
    if m is not None and m.group("v") == engines["node"]:
        add(m.start("v"), m.end("v"), "package.json engines.node", reason=_range(m.group("v")))


def _workflow_key(text: str, key: str, add: Add) -> None:
    pattern = re.compile(rf"^[ \t]*(?:-[ \t]+)?{re.escape(key)}:[ \t]*(?P<q>[\"']?)(?P<v>[^\"'\s#]+)(?P=q)"
                         r"[ \t]*(?:#.*)?$", re.MULTILINE)
    for m in pattern.finditer(text):
        value = m.group("v")
        if _EXACT_RE.match(value):
            add(m.start("v"), m.end("v"), f"workflow {key}", plain_yaml=not m.group("q"))
        elif re.search(r"\d", value):  # 1.22.x, 18.x, >=3.10: a range the setup action resolves
            add(m.start("v"), m.end("v"), f"workflow {key}", reason=f"{value!r} is not one version: left as it is")


def stays_a_string(ref: ToolchainRef, new: str) -> bool:
    """Whether `new` written as a plain YAML scalar reads back as the same text: a workflow reads
    `1.21` as the number 1.21, which is still "1.21", but `1.20` as 1.2."""
    if not (ref.plain_yaml and _YAML_FLOAT_LIKE_RE.match(new)):
        return True
    return (str(float(new)) if "." in new else str(int(new))) == new
