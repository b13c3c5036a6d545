"""Tool versions in a repository: the catalogue (data/tools.yaml plus the `tools:` of the
repository's configuration, which config.py parses and validates with `tool_from_spec`), and
every occurrence of a tool's version in its recognised forms.

Each form is anchored to something only that tool has (its variable name, image, chart, release
URL), so a Go toolchain `1.24.0` next to Istio `1.24.0` is never taken for Istio. Chart versions
are located through the parsers (ArgoCD Applications through ruamel, Terraform `helm_release`
through python-hcl2); text forms by patterns over lines.
"""

from __future__ import annotations

import collections
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional, Sequence

from gitops_bot.domain.argocd import may_name_a_chart
from gitops_bot.errors import UserError, did_you_mean
from gitops_bot.text.splice import line_numbers

if TYPE_CHECKING:
    from gitops_bot.domain.config import RepoConfig

FULL = r"v?\d+\.\d+\.\d+(?:-(?:alpha|beta|rc)[.\d]*)?"
MINOR = r"\d+\.\d+"
# Build metadata (semver `+build`: k3s's v1.27.1+k3s1), accepted only for a tool whose entry says
# `build_metadata: true`; identifiers are [0-9A-Za-z] runs joined by dots, so no shell or YAML
# metacharacter can get through. In an image tag (`+` is not allowed there) it is written `-k3s1`.
BUILD = r"\+[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*"
# A suffix after a variable's version that is not a pre-release: a flavour or a vendor's build
# (`KUBERNETES_NODE_VERSION: "1.31-eks-036c24b"`); it stays when the version moves, as an image
# tag's variant does (images.new_tag), and the residue asks to check the result exists.
_VARIABLE_SUFFIX = r"-(?!alpha|beta|rc)[A-Za-z][0-9A-Za-z]*(?:-[0-9A-Za-z]+)*"
TAG_BUILD = r"-[A-Za-z][0-9A-Za-z]*"
_VERSION_RE = re.compile(rf"^{FULL}$")
_BUILD_VERSION_RE = re.compile(rf"^{FULL}(?:{BUILD})?$")
_MINOR_VERSION_RE = re.compile(rf"^v?{MINOR}$")
# A tag's `-build` (not an alpha/beta/rc pre-release, which FULL takes itself).
_TAG_BUILD_RE = re.compile(rf"^(?P<core>{FULL})-(?!(?:alpha|beta|rc))(?P<build>[A-Za-z][0-9A-Za-z]*)$")
_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TOOL_FIELDS = {"description", "github", "variables", "directories", "branch_urls", "images", "charts",
                "terraform", "upgrade_plans", "build_metadata", "eksctl", "tag_prefix", "hubs"}


@dataclass(frozen=True)
class Tool:
    """How one tool's version is written."""

    name: str
    description: str = ""
    github: str | None = None
    variables: tuple[str, ...] = ()
    directories: tuple[str, ...] = ()
    branch_urls: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    chart_repository: str | None = None
    chart_names: tuple[str, ...] = ()
    terraform: tuple[str, ...] = ()  # minor-only HCL attributes and variables (terraform_forms.py)
    upgrade_plans: bool = False  # system-upgrade-controller Plan spec.version
    build_metadata: bool = False  # versions may carry +build (v1.27.1+k3s1)
    eksctl: bool = False  # eksctl ClusterConfig metadata.version (minor only)
    # upgrade_plans: [words]: only Plans whose metadata.name holds one of them (a talos Plan beside a
    # kubernetes Plan in one repository); empty: every Plan (k3s, whose Plans are named server/agent)
    plan_names: tuple[str, ...] = ()
    # The prefix the project's release tags carry ("v": yq's v4.6.1, where its 3.x tags had none);
    # None: not known, every occurrence keeps its own. Written at the whole-tag occurrences only
    # (a release URL's tag, a variable used as one): `yq_${YQ_VERSION}` or an image tag never takes it.
    tag_prefix: str | None = None
    # registries+paths holding the tool's images, written as a `hub:` beside a `tag:` (Istio's values,
    # IstioOperator spec, the sidecar injector's JSON): the tag is the version
    hubs: tuple[str, ...] = ()
    # OCI registries+paths publishing the tool's charts (`oci://quay.io/jetstack/charts`): a Flux
    # OCIRepository whose url is one of them plus a chart name holds the version in `ref.tag`
    chart_registries: tuple[str, ...] = ()

    def variable_names(self) -> tuple[str, ...]:
        """The catalogue's variables, each also in lower case (Terraform and Ansible write
        `istio_version`), and, for a tool whose charts are versioned like it, `<tool>_chart_version`
        (a Terraform local feeding its helm_releases: `istio_chart_version = "1.18.1"`)."""
        names = [*self.variables, *(v.lower() for v in self.variables if v.isupper())]
        if self.chart_names:
            slug = re.sub(r"[^A-Za-z0-9]+", "_", self.name).strip("_")
            names += [f"{slug.lower()}_chart_version", f"{slug.upper()}_CHART_VERSION"]
        return tuple(dict.fromkeys(names))

    def anchors(self) -> "Anchors":
        """The prefilter every file holding one of the tool's forms passes (Anchors.search)."""
        return _anchors(self)


@dataclass(frozen=True)
class Anchors:
    """A cheap test of a file's bytes that every file holding one of a tool's forms passes.

    Each text form needs a literal of its own in the file: a variable name, an image, the part
    of a directory or branch URL before its version, the GitHub slug (`words`). A chart version
    needs more than the chart's name, which is often a common word (`base`, `gateway`): the
    scanner takes a chart only when its repository equals the tool's, so the file must also
    hold the repository URL, or a backslash (a YAML escape could spell the URL; HCL strings
    are compared as written). On a generated 1,200-file monorepo, istio's candidates go from
    757 files (645 of them hit by `base` alone) to 55; 11 hold an occurrence.
    """

    words: tuple[bytes, ...]
    chart_names: tuple[bytes, ...] = ()
    chart_repository: bytes = b""

    @cached_property
    def gates(self) -> tuple[bytes, ...]:
        """A few substrings such that every word holds one (`istio`, `ISTIO`, `helm.sh/chart` for
        istio's twelve): a file holding none holds no word, and most files are told so in three
        scans instead of twelve."""
        gates: list[bytes] = []
        left = set(self.words)
        while left:
            pieces = collections.Counter(piece for word in left for piece in _pieces(word))
            # the most words; among those a word's start (`ISTIO` of ISTIO_VERSION is rarer in a
            # file than its `ERSIO`)
            gate = max(sorted(pieces), key=lambda piece: (pieces[piece], sum(w.startswith(piece) for w in left)))
            gates.append(gate)
            left = {word for word in left if gate not in word}
        return tuple(gates)

    def search(self, data: bytes) -> bool:
        """Whether a file with these bytes may hold one of the forms (the Worktree.grep API)."""
        if any(map(data.__contains__, self.gates)) and any(map(data.__contains__, self.words)):
            return True  # map: no generator frame per word (Literals.search)
        return (bool(self.chart_names) and (self.chart_repository in data or b"\\" in data)
                and any(name in data for name in self.chart_names))

    @property
    def tested(self) -> tuple[bytes, ...]:
        """The words `search` looks for in every file (worktree.WordTested); the chart names,
        common words, only where the repository is."""
        return (*self.words, self.chart_repository, b"\\") if self.chart_names else self.words

    def search_present(self, data: bytes, present: set[bytes]) -> bool:
        """`search(data)` knowing which of `tested` the bytes hold (Worktree.grep_many's way)."""
        if not present.isdisjoint(self.words):
            return True
        return (bool(self.chart_names) and (self.chart_repository in present or b"\\" in present)
                and any(name in data for name in self.chart_names))


_GATE_LENGTH = 5


def _pieces(word: bytes) -> set[bytes]:
    """The substrings of `word` a gate may be: those of _GATE_LENGTH bytes, or the word itself."""
    if len(word) <= _GATE_LENGTH:
        return {word}
    return {word[i:i + _GATE_LENGTH] for i in range(len(word) - _GATE_LENGTH + 1)}


@lru_cache(maxsize=None)
def _anchors(tool: "Tool") -> Anchors:
    words = [*tool.variable_names(), *tool.images, *tool.terraform, *tool.hubs]
    if tool.upgrade_plans:
        words.append("upgrade.cattle.io/")
    if tool.eksctl:
        words.append("eksctl.io/")
    words += [d.split("{")[0] for d in tool.directories + tool.branch_urls]
    if tool.github:
        words.append(tool.github)
    if tool.chart_names:
        words.append("helm.sh/chart")  # rendered chart labels (_chart_labels)
    words += [r.removeprefix("oci://") for r in tool.chart_registries]  # OCIRepository urls
    charts = [n for n in tool.chart_names if n] if tool.chart_repository else []
    return Anchors(_shortest(w.encode() for w in words if w), _shortest(n.encode() for n in charts),
                   (tool.chart_repository or "").rstrip("/").encode())


def _shortest(words: Iterable[bytes]) -> tuple[bytes, ...]:
    """The words without those that contain another (`docker.io/istio/pilot` holds
    `istio/pilot`): a file holds one of all the words exactly when it holds one of these, and
    each word dropped is one search less through every file of the tree."""
    unique = list(dict.fromkeys(words))
    return tuple(w for w in unique if not any(other != w and other in w for other in unique))


@dataclass(frozen=True)
class Occurrence:
    """One version written in one place: `start:end` is the version text's span in the file."""

    path: str
    line: int  # 1-based
    start: int
    end: int
    version: str  # as written: v1.8.3, 1.24.0, 1.24
    form: str
    minor_only: bool = False
    pinned_digest: bool = False  # image@sha256: changing the tag would leave a stale digest
    tag: bool = False  # an image tag: build metadata is written with `-` (v1.23.4-k3s1)
    # A whole release tag (the tag of a release URL, or a variable the file uses as one) of a tool
    # whose tags carry this prefix: written with it, whatever this occurrence had (Tool.tag_prefix)
    release_tag: str | None = None
    # A digest-pinned image tag: the catalogue image it is a tag of (for a digest lookup) and the
    # span of `@sha256:<64 hex>` after it (None: not a complete digest)
    image: str | None = None
    digest: tuple[int, int] | None = None
    kept: str = ""  # not empty: found, not to be changed, and why (listed for a human)
    # A suffix written right after the version and kept when it moves (`1.31-eks-036c24b`)
    suffix: str = ""

    def rewritten(self, new: str) -> str:
        """`new` in this occurrence's own form (v prefix or not, full or minor only). A
        minor-only `new` (1.23) at an occurrence written with its patch is not defined:
        `keeps_precision` says so first, and the caller lists the occurrence instead."""
        bare = new.lstrip("v")
        if self.minor_only:
            return ".".join(bare.split(".")[:2])
        if self.tag:
            bare = bare.replace("+", "-")
        if self.release_tag is not None:
            return self.release_tag + bare
        return ("v" if self.version.startswith("v") else "") + bare

    def canonical(self) -> str:
        """The version without its v prefix, build metadata written with `+` even where this
        occurrence writes it `-` (an image tag, v1.27.1-k3s1): comparable across forms."""
        bare = self.version.lstrip("v")
        m = _TAG_BUILD_RE.match(bare) if self.tag else None
        return f"{m.group('core')}+{m.group('build')}" if m else bare

    def keeps_precision(self, new: str) -> bool:
        """Whether `new` says everything this occurrence writes: a minor-only version (1.23)
        cannot move a patch-level occurrence (kindest/node:v1.22.9), which would need a patch."""
        return self.minor_only or not is_minor_only(new)


# -- the catalogue ---------------------------------------------------------------------------
# How a tool-validation error is raised: fail(field, message) -> the exception to raise, where
# `field` is the spec's key at fault (None: the tool's entry itself), so that config.py can name
# the line of `.gitops-bot.yaml` and the built-in table its file.
Fail = Callable[[Optional[str], str], Exception]


@lru_cache(maxsize=1)
def builtin_tools() -> Mapping[str, Tool]:
    """The built-in catalogue, data/tools.yaml (parsed once per process)."""
    from ruamel.yaml import YAML

    raw = YAML(typ="safe").load(resources.files("gitops_bot.data").joinpath("tools.yaml").read_text("utf-8"))
    return MappingProxyType({str(name): tool_from_spec(str(name), spec, lambda _field, message: UserError(
        f"tools.yaml: {message}")) for name, spec in raw.items()})


def load_catalogue(config: "RepoConfig | None" = None) -> dict[str, Tool]:
    """The built-in tools, extended or overridden by the configuration's `tools:` (a
    config.RepoConfig, which parsed and validated them; None: the built-in tools only). The
    configuration file is never read here: whoever loaded the configuration passes it on."""
    tools = dict(builtin_tools())
    if config is not None:
        tools.update(config.tools)
    return tools


def tool_from_spec(name: str, spec: Any, fail: Fail) -> Tool:
    """A Tool from its catalogue entry (data/tools.yaml or `.gitops-bot.yaml` `tools:`); the
    exception `fail` makes for anything malformed. The one validation of a tool's fields."""
    if not isinstance(spec, dict):
        raise fail(None, f"tool {name} must be a mapping of its forms")
    unknown = sorted((key for key in spec if key not in _TOOL_FIELDS), key=str)
    if unknown:
        raise fail(unknown[0], f"tool {name}: unknown fields {', '.join(map(str, unknown))} "
                               f"(known: {', '.join(sorted(_TOOL_FIELDS))})")

    def strings(key: str, value: Any, what: str = "") -> tuple[str, ...]:
        value = value or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"tool {name}: {what or key} must be a list of strings")
        return tuple(str(v) for v in value)

    description = spec.get("description")
    description = "" if description is None else description
    if not isinstance(description, (str, int, float)) or isinstance(description, bool):
        raise fail("description", f"tool {name}: description must be text")
    github = spec.get("github")
    if github is not None and (not isinstance(github, str) or not _SLUG_RE.match(github)):
        raise fail("github", f"tool {name}: github must be OWNER/REPO")
    charts = spec.get("charts")
    charts = {} if charts is None else charts
    if not isinstance(charts, dict) or set(charts) - {"repository", "names", "oci"}:
        raise fail("charts", f"tool {name}: charts must be a mapping of repository: URL, names: [chart, ...] "
                             "and oci: [oci://REGISTRY/PATH, ...]")
    registries = strings("charts", charts.get("oci"), "charts oci")
    if any(not r.startswith("oci://") for r in registries):
        raise fail("charts", f"tool {name}: charts oci entries must be oci://REGISTRY/PATH")
    repository = charts.get("repository")
    if repository is not None and not isinstance(repository, str):
        raise fail("charts", f"tool {name}: charts repository must be a URL")
    chart_names = strings("charts", charts.get("names"), "charts names")
    for item in strings("directories", spec.get("directories")):
        if "{version}" not in item:
            raise fail("directories", f"tool {name}: directories entry {item!r} needs {{version}}")
    for item in strings("branch_urls", spec.get("branch_urls")):
        if "{minor}" not in item:
            raise fail("branch_urls", f"tool {name}: branch_urls entry {item!r} needs {{minor}}")
    for key in ("build_metadata", "eksctl"):
        if not isinstance(spec.get(key, False), bool):
            raise fail(key, f"tool {name}: {key} must be true or false")
    plans = spec.get("upgrade_plans", False)
    if not isinstance(plans, bool):
        plans = strings("upgrade_plans", plans, "upgrade_plans (true, false or a list of Plan name words)")
    terraform = strings("terraform", spec.get("terraform"))
    tag_prefix = spec.get("tag_prefix")
    if tag_prefix is not None and tag_prefix not in ("v", ""):
        raise fail("tag_prefix", f"tool {name}: tag_prefix must be \"v\" or \"\" (the prefix its release tags carry)")
    if tag_prefix is not None and github is None:
        raise fail("tag_prefix", f"tool {name}: tag_prefix needs github (the project whose release tags it describes)")
    for item in terraform:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", item):
            raise fail("terraform", f"tool {name}: terraform entry {item!r} is not an attribute name")
    return Tool(name, str(description), None if github is None else str(github),
                strings("variables", spec.get("variables")), strings("directories", spec.get("directories")),
                strings("branch_urls", spec.get("branch_urls")), strings("images", spec.get("images")),
                None if repository is None else str(repository), chart_names, terraform,
                bool(plans), bool(spec.get("build_metadata", False)),
                bool(spec.get("eksctl", False)), () if isinstance(plans, bool) else plans,
                None if tag_prefix is None else str(tag_prefix),
                tuple(h.rstrip("/") for h in strings("hubs", spec.get("hubs"))),
                tuple(r.rstrip("/") for r in registries))


def find_tool(name: str, catalogue: Mapping[str, Tool]) -> Tool:
    """The catalogue's tool `name`; UserError listing the known tools otherwise."""
    if name not in catalogue:
        raise UserError(f"unknown tool {name!r}{did_you_mean(name, catalogue)} (known: {', '.join(sorted(catalogue))})")
    return catalogue[name]


def is_version(text: str) -> bool:
    """X.Y.Z, optionally v-prefixed, with an alpha/beta/rc pre-release: the strict grammar."""
    return bool(_VERSION_RE.match(text))


def is_minor_only(text: str) -> bool:
    """X.Y, optionally v-prefixed (a tool versioned by minor: Kubernetes 1.23)."""
    return bool(_MINOR_VERSION_RE.match(text))


def is_tool_version(text: str, tool: Tool) -> bool:
    """The strict grammar for `set-version tool=`: X.Y.Z (is_version), or X.Y, or, for a tool
    whose versions carry build metadata, X.Y.Z+BUILD ([0-9A-Za-z.] only)."""
    return is_version(text) or is_minor_only(text) or (tool.build_metadata and bool(_BUILD_VERSION_RE.match(text)))


def is_from(written: str, olds: Sequence[str]) -> bool:
    """Whether a version as written is one of `olds` (set-version's from=), each compared at the
    precision the lesser of the two writes: `go 1.17` is from=1.17.5 written minor-only, and
    from=1.29 takes 1.29.3, from=1.29.1 takes 1.29.1+k3s2; a v prefix does not matter (v1.29 is
    1.29). Both sides are canonical (build metadata with `+`: Occurrence.canonical)."""
    bare = written.lstrip("v")
    for old in olds:
        old = old.lstrip("v")
        if bare == old or old.startswith(bare + ".") or bare.startswith((old + ".", old + "+")):
            return True
    return False


def parse_from(text: str) -> tuple[str, ...]:
    """from=1.29[,1.28]: the old versions a set-version moves from, each X.Y.Z, X.Y or X (v prefix
    and build metadata allowed); empty when not given. ValueError names a bad item."""
    items = tuple(item.strip() for item in text.split(",")) if text else ()
    for item in items:
        if not _FROM_RE.match(item):
            raise ValueError(item)
    return items


_FROM_RE = re.compile(r"^v?[0-9]+(?:\.[0-9]+){0,2}(?:-(?:alpha|beta|rc)[0-9.]*)?(?:\+[0-9A-Za-z.]+)?$")


# -- scanning ---------------------------------------------------------------------------------
# Every pattern starts with the literal its form must contain (a variable name, an image, a
# directory prefix), so that the regex engine searches for that literal at C speed; the
# context test that used to come first (`(?<![\w$])NAME`) follows it, spelled with the literal
# (`NAME(?<![\w$]NAME)`: the character before the literal), which accepts exactly the same
# matches. A pattern opening with a lookbehind is tried at every offset of the file: 30x slower
# on a 1 MB file.
_ASSIGN = r"(?:\s*(?:\?=|::=|:=|\+=|=)\s*|:[ \t]+)"
# What may not come right before each literal: a word character, or `$` (NAME in $NAME), `.`
# and `-` (a longer directory name), `/` (a longer image name).
_BEFORE_VARIABLE, _BEFORE_DIRECTORY, _BEFORE_IMAGE = r"[\w$]", r"[\w.-]", r"[\w./-]"


def _after(literal: str, refused: str) -> str:
    """`literal` not preceded by a character of the class `refused`: the literal first, then
    the lookbehind over the character before it (same matches as `(?<!refused)literal`)."""
    escaped = re.escape(literal)
    return rf"{escaped}(?<!{refused}{escaped})"


@dataclass(frozen=True)
class _Patterns:
    """The patterns of one tool's text forms, in the order the scanner applies them (the first
    form to claim a span keeps it), each after the literal every match of it holds. A pattern
    is compiled (`_rx`) the first time a text holds its literal: a check scans with every tool
    of the catalogue, and compiling the hundred patterns of tools no file names cost more than
    the scans."""

    variables: tuple[tuple[str, str, str], ...]  # name, assignment, ${NAME:-default}
    directories: tuple[tuple[str, str], ...]
    branch_urls: tuple[tuple[str, str], ...]
    urls: tuple[tuple[str, str, str], ...]  # GitHub release and raw URLs: slug, pattern, form
    images: tuple[tuple[str, str], ...]  # (catalogue image, its tag pattern)
    # a variable used as the whole tag of the tool's release URL (`releases/download/${YQ_VERSION}/`),
    # for a tool whose entry says its tags' prefix (None otherwise)
    tag_uses: str | None = None


_rx = lru_cache(maxsize=None)(re.compile)


@lru_cache(maxsize=None)
def _patterns(tool: Tool) -> _Patterns:
    """Built once per tool and process (a check run scans every catalogue tool)."""
    full, tag = (f"{FULL}(?:{BUILD})?", f"{FULL}(?:{TAG_BUILD})?") if tool.build_metadata else (FULL, FULL)
    variables = []
    for name in tool.variable_names():
        # X.Y.Z, or X.Y (a minor-only setting: eks-workshop-v2's docs site `KUBERNETES_VERSION: "1.31"`)
        value = rf"(?P<v>{full}|{MINOR}(?![\d.]))(?P<suffix>{_VARIABLE_SUFFIX})?"
        assign = rf"{_after(name, _BEFORE_VARIABLE)}{_ASSIGN}(?P<q>[\"']?){value}(?P=q)(?![\w.+])"
        default = rf"\$\{{{re.escape(name)}:-(?P<v>{full})\}}"
        variables.append((name, assign, default))
    directories = []
    for template in tool.directories:
        prefix, suffix = template.split("{version}", 1)
        directories.append(
            (prefix, rf"{_after(prefix, _BEFORE_DIRECTORY)}(?P<v>\d+\.\d+\.\d+){re.escape(suffix)}(?![\d.]*\d)"))
    branch_urls = []
    for template in tool.branch_urls:
        prefix, suffix = template.split("{minor}", 1)
        branch_urls.append((prefix, rf"{re.escape(prefix)}(?P<v>{MINOR}){re.escape(suffix)}"))
    urls = []
    if tool.github:
        slug = re.escape(tool.github)
        urls = [(rf"github\.com/{slug}/releases/download/(?P<v>{FULL})/", "release URL"),
                (rf"raw\.githubusercontent\.com/{slug}/(?P<v>{FULL})/", "raw URL at a tag"),
                (rf"github\.com/{slug}/releases/tag/(?P<v>{FULL})(?![\w.-])", "release page URL"),
                # a Markdown link whose text is the version its release page names: [1.28.0](.../tag/1.28.0),
                # either side with or without its v ([7.10.0](.../tag/v7.10.0)); each keeps its own
                (rf"\[(?P<v>v?(?P<bare>{FULL.removeprefix('v?')}))\]"
                 rf"\(https://github\.com/{slug}/releases/tag/v?(?P=bare)\)",
                 "release link text")]
    images = [(image, rf"{_after(image, _BEFORE_IMAGE)}:(?P<v>{tag})(?![\w.])"
                      r"(?P<d>@sha256:(?P<hex>[0-9a-f]{64}(?![0-9a-zA-Z]))?)?")
              for image in tool.images]
    tag_uses = None
    if tool.github and tool.tag_prefix is not None:
        tag_uses = (rf"github\.com/{re.escape(tool.github)}/releases/download/"
                    r"\$(?:\{(?P<a>\w+)\}|\((?P<b>\w+)\)|(?P<c>\w+))/")
    return _Patterns(tuple(variables), tuple(directories), tuple(branch_urls),
                     tuple((tool.github, pattern, form) for pattern, form in urls), tuple(images), tag_uses)


@dataclass
class _Scan:
    path: str
    text: str
    kind: str
    found: list[Occurrence] = field(default_factory=list)
    _line_of: Callable[[int], int] | None = None

    def add(self, start: int, end: int, form: str, minor_only: bool = False, digest: bool = False,
            tag: bool = False, release_tag: str | None = None, image: str | None = None,
            digest_span: tuple[int, int] | None = None, kept: str = "", suffix: str = "") -> None:
        if any(o.start < end and start < o.end for o in self.found):
            return  # one span, one occurrence (a variable inside a URL, say)
        if self._line_of is None:
            self._line_of = line_numbers(self.text)
        line = self._line_of(start)
        self.found.append(Occurrence(self.path, line, start, end, self.text[start:end], form, minor_only, digest,
                                     tag, release_tag, image, digest_span, kept, suffix))


def scan(path: str, text: str, kind: str, tool: Tool) -> list[Occurrence]:
    """Every occurrence of the tool's version in one file, in file order. The chart forms' parses
    are the run's (parse.cache): scans of the same text share them."""
    s = _Scan(path, text, kind)
    if kind == "hcl":
        _helm_releases(s, tool)
    if kind in ("yaml", "helm") and tool.chart_repository and "Application" in text and may_name_a_chart(text):
        _argocd_charts(s, tool)
    if (kind in ("yaml", "helm") and tool.chart_repository and "dependencies" in text
            and path.rsplit("/", 1)[-1] in ("Chart.yaml", "requirements.yaml")):
        _chart_dependencies(s, tool)
    patterns = _patterns(tool)  # each pattern only where its literal is (no match elsewhere)
    tags = _tag_variables(text, patterns.tag_uses)
    for name, assign, default in patterns.variables:
        if name in text:
            # X.Y alone is a version of this variable outside prose, and for a name that is not one
            # of the tool's Terraform attributes (terraform_versions owns those, HCL in Markdown aside)
            minor_ok = kind not in ("markdown", "rst") and name not in tool.terraform
            _variables(s, _rx(assign), _rx(default), tool.tag_prefix if name in tags else None, minor_ok)
    for literal, pattern in patterns.directories:
        for m in _rx(pattern).finditer(text) if literal in text else ():
            s.add(m.start("v"), m.end("v"), "directory or archive name")
    for literal, pattern in patterns.branch_urls:
        for m in _rx(pattern).finditer(text) if literal in text else ():
            s.add(m.start("v"), m.end("v"), "release-branch URL", minor_only=True)
    for literal, pattern, form in patterns.urls:
        whole_tag = tool.tag_prefix if form == "release URL" else None  # the others may be a branch's
        for m in _rx(pattern).finditer(text) if literal in text else ():
            s.add(m.start("v"), m.end("v"), form, release_tag=whole_tag)
    for image, pattern in patterns.images:
        for m in _rx(pattern).finditer(text) if image in text else ():
            s.add(m.start("v"), m.end("v"), "image tag", digest=bool(m.group("d")), tag=tool.build_metadata,
                  image=image, digest_span=m.span("d") if m.group("hex") else None)
    if kind == "shell" and "$" in text:
        _feeding_variables(s, patterns, tags, tool.tag_prefix)
    if tool.terraform and kind in ("hcl", "markdown"):
        from gitops_bot.domain.terraform_versions import minor_versions

        for start, end, form in minor_versions(text, kind, tool.terraform):
            s.add(start, end, form, minor_only=True)
    if tool.upgrade_plans and kind in ("yaml", "helm"):
        for start, end in _plan_versions(text, tool):
            s.add(start, end, "upgrade Plan spec.version")
    if tool.eksctl and kind in ("yaml", "helm"):
        for start, end in _eksctl_versions(text):
            s.add(start, end, "eksctl metadata.version", minor_only=True)
    if tool.hubs and kind in ("yaml", "helm") and ("hub:" in text or '"hub"' in text):
        _hub_tags(s, tool)
    if tool.chart_registries and kind in ("yaml", "helm") and "OCIRepository" in text:
        _oci_charts(s, tool)
    if tool.github and "allowedVersions" in text and is_renovate_config(path):
        for start, end in renovate_allowed_minors(text, tool.github):
            s.add(start, end, "Renovate packageRules allowedVersions", minor_only=True)
    if tool.chart_names and kind in ("yaml", "helm") and "helm.sh/chart" in text:
        for start, end, form in _chart_labels(text, tool):
            s.add(start, end, form)
    if s.found and kind in HASH_COMMENTS:
        owners = list(s.found)
        for start, end, index in version_comments(text, [(o.line, o.version) for o in owners]):
            # the note of a digest-pinned image stays with it (moves only when the image does)
            s.add(start, end, "version comment (above it)", digest=owners[index].pinned_digest)
    return sorted(s.found, key=lambda o: o.start)


# Kinds whose comments are `#` lines; a comment saying `version 0.9.16` right above a form is its note.
HASH_COMMENTS = frozenset({"yaml", "helm", "shell", "make", "hcl", "dockerfile", "dotenv"})
_COMMENT_VERSION = re.compile(rf"[ \t]*#[^\n]*?\bversion\b[ \t]*[:=]?[ \t]*(?P<v>{FULL})(?![\w.+-])", re.I)


def version_comments(text: str, written: Sequence[tuple[int, str]],
                     names: Sequence[str] = ()) -> Iterable[tuple[int, int, int]]:
    """The comments describing a version right below them: for each (line, version) of `written`
    (1-based line, the version as written there), in the run of `#` lines directly above that
    line, a line saying `version X` (`# helm chart version 0.9.16`), or one of `names` then X
    (`# Released chart: kguardian 1.17.0 ...`), where X is that version (same number, either v
    form): (start, end, index into `written`) of X. A version in a comment elsewhere, or of
    another number, is not the form's (the residue lists what names the tool). Only for the kinds
    in HASH_COMMENTS."""
    pattern = _COMMENT_VERSION if not names else re.compile(
        rf"[ \t]*#[^\n]*?(?:\bversion\b|(?<![\w.-])(?:{'|'.join(re.escape(n) for n in names)})(?![\w-]))"
        rf"[ \t]*[:=]?[ \t]*(?P<v>{FULL})(?![\w.+-])", re.I)
    if "version" not in text.lower() and not names:
        return
    lines = text.split("\n")  # as line_numbers counts them (an occurrence's line)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for index, (number, version) in enumerate(written):
        n = number - 2  # the line above, 0-based
        while n >= 0 and lines[n].lstrip().startswith("#"):
            m = pattern.match(lines[n])
            if m and m.group("v").lstrip("v") == version.lstrip("v"):
                yield starts[n] + m.start("v"), starts[n] + m.end("v"), index
            n -= 1


_CHART_LABEL = re.compile(rf"^(?P<i>[ \t]+)helm\.sh/chart:[ \t]*(?P<q>[\"']?)(?P<c>[a-z0-9][a-z0-9-]*?)-(?P<v>{FULL})"
                          r"(?P=q)[ \t]*$", re.M)
_VERSION_LABEL = re.compile(rf"app\.kubernetes\.io/version:[ \t]*(?P<q>[\"']?)(?P<v>{FULL})(?P=q)[ \t]*$")


def _chart_labels(text: str, tool: Tool) -> Iterable[tuple[int, int, str]]:
    """Rendered Helm labels (manifests generated by `helm template`/istioctl): `helm.sh/chart:
    NAME-VERSION` where NAME is one of the tool's charts, and the `app.kubernetes.io/version`
    label of the same labels mapping when it holds the same version. A chart name is often a
    common word (`base`), so the labels mapping must also name the tool (`part-of: istio`)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    word = tool.name.split("-")[0].lower()
    for m in _CHART_LABEL.finditer(text):
        if m.group("c") not in tool.chart_names:
            continue
        number = bisect_right(starts, m.start()) - 1
        block = _sibling_lines(lines, number, m.group("i"))
        if not any(word in lines[n].lower() for n in block if n != number):
            continue
        yield m.start("v"), m.end("v"), "chart label (helm.sh/chart)"
        for n in block:
            label = _VERSION_LABEL.match(lines[n].rstrip("\r\n"), len(m.group("i")))
            if label and label.group("v") == m.group("v"):
                yield (starts[n] + label.start("v"), starts[n] + label.end("v"),
                       "version label (app.kubernetes.io/version)")


def _sibling_lines(lines: list[str], number: int, indent: str) -> list[int]:
    """The line numbers (0-based) of the run of keys around `number` written at exactly `indent`
    (one YAML mapping of scalars: a labels block)."""
    def sibling(n: int) -> bool:
        line = lines[n]
        return line.startswith(indent) and len(line) > len(indent) and not line[len(indent)].isspace()

    first = last = number
    while first > 0 and sibling(first - 1):
        first -= 1
    while last + 1 < len(lines) and sibling(last + 1):
        last += 1
    return list(range(first, last + 1))


_TAG_KEY = re.compile(rf"^(?P<i>[ \t]*)(?P<k>\"?)tag(?P=k):[ \t]*(?P<q>[\"']?)(?P<v>{FULL})(?P=q)[ \t]*,?[ \t]*"
                      r"(?:#.*)?\r?$", re.M)
_HUB_KEY = re.compile(r"(?P<k>\"?)hub(?P=k):[ \t]*(?P<q>[\"']?)(?P<h>[^\"'\s,#]+)(?P=q)")


def _hub_tags(s: _Scan, tool: Tool) -> None:
    """`tag: 1.28.0` in a mapping whose `hub:` is one of the tool's hubs (`hub: gcr.io/istio-release`),
    YAML or JSON written one key a line (a ConfigMap's values JSON): the images' shared tag."""
    text = s.text
    matches = list(_TAG_KEY.finditer(text))
    if not matches:
        return
    lines = text.splitlines()
    line_of = line_numbers(text)
    for m in matches:
        hub = _sibling_value(lines, line_of(m.start()) - 1, m.group("i"))
        if hub is not None and hub.rstrip("/") in tool.hubs:
            s.add(m.start("v"), m.end("v"), "image tag beside its hub (hub:/tag:)")


def _sibling_value(lines: list[str], number: int, indent: str) -> str | None:
    """The `hub:` value among the keys written at exactly `indent` in the block around line
    `number` (0-based): up and down until a line indented less (the parent, the next block)."""
    for step in (-1, 1):
        n = number + step
        while 0 <= n < len(lines):
            line = lines[n]
            body = line.lstrip(" \t")
            depth = len(line) - len(body)
            if body and depth < len(indent):
                break
            if body and depth == len(indent):
                m = _HUB_KEY.match(body)
                if m:
                    return m.group("h")
            n += step
    return None


_PLAN_VERSION = re.compile(rf"^[ \t]+version:[ \t]*(?P<q>[\"']?)(?P<v>{FULL}(?:{BUILD})?)(?P=q)[ \t]*(?:#.*)?$", re.M)
_DOCUMENT = re.compile(r"^---[ \t]*$", re.M)


_EKSCTL_VERSION = re.compile(rf"version:[ \t]*(?P<q>[\"']?)(?P<v>{MINOR})(?P=q)[ \t]*(?:#.*)?$")


_METADATA_NAME = re.compile(r"^metadata:[ \t]*\n(?:[ \t]+.*\n|[ \t]*\n)*?[ \t]+name:[ \t]*[\"']?(?P<n>[\w.-]+)", re.M)


def _plan_named(document: str, words: tuple[str, ...]) -> bool:
    """Whether a Plan document's metadata.name holds one of `words` (talos, talos-upgrade)."""
    m = _METADATA_NAME.search(document)
    return bool(m) and any(word in m.group("n").lower() for word in words)


def _documents(text: str, api: str, kind: str) -> Iterable[tuple[int, str]]:
    """(offset, text) of each YAML document of `kind` whose apiVersion starts with `api`."""
    bounds = [0, *(m.end() for m in _DOCUMENT.finditer(text)), len(text)]
    for begin, end in zip(bounds, bounds[1:]):
        document = text[begin:end]
        if (re.search(rf"^apiVersion:[ \t]*[\"']?{re.escape(api)}", document, re.M)
                and re.search(rf"^kind:[ \t]*[\"']?{kind}[\"']?[ \t]*$", document, re.M)):
            yield begin, document


def _eksctl_versions(text: str) -> Iterable[tuple[int, int]]:
    """metadata.version of eksctl ClusterConfigs (`version: "1.22"`): minor only, a direct
    child of the top-level `metadata:`; add-on and node group versions are other keys."""
    if "eksctl.io/" not in text:
        return
    for begin, document in _documents(text, "eksctl.io/", "ClusterConfig"):
        offset, indent, inside = begin, None, False
        for line in document.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            if inside and body.strip() and not body[:1].isspace():
                inside = False  # the next top-level key ends metadata
            elif inside and body.strip() and not body.lstrip().startswith("#"):
                indent = indent if indent is not None else body[:len(body) - len(body.lstrip())]
                m = _EKSCTL_VERSION.match(body, len(indent)) if body.startswith(indent) else None
                if m and not body[len(indent)].isspace():
                    yield offset + m.start("v"), offset + m.end("v")
            if re.match(r"metadata:[ \t]*(?:#.*)?$", body):
                inside, indent = True, None
            offset += len(line)


def _plan_versions(text: str, tool: Tool) -> Iterable[tuple[int, int]]:
    """spec.version of system-upgrade-controller Plans (apiVersion upgrade.cattle.io/...,
    kind: Plan): the only indented `version:` key of such a document. Documents of other kinds
    in the same file are not looked at."""
    if "upgrade.cattle.io/" not in text:
        return
    for begin, document in _documents(text, "upgrade.cattle.io/", "Plan"):
        if tool.plan_names and not _plan_named(document, tool.plan_names):
            continue
        for m in _PLAN_VERSION.finditer(document):
            if tool.build_metadata or "+" not in m.group("v"):
                yield begin + m.start("v"), begin + m.end("v")


def assignments(path: str, text: str, kind: str, name: str) -> list[Occurrence]:
    """The versions assigned to the variable `name` (exactly that name) in one file, each in its
    form: shell `NAME="1.2.3"`, make `NAME ?= 1.2.3` (any operator), YAML `NAME: 1.2.3`, inline
    `NAME=1.2.3 cmd`, `${NAME:-1.2.3}`. A value that is no version (`main`) is not one."""
    s = _Scan(path, text, kind)
    assign = rf"{_after(name, _BEFORE_VARIABLE)}{_ASSIGN}(?P<q>[\"']?)(?P<v>{FULL})(?P=q)(?![\w.+])"
    _variables(s, re.compile(assign), re.compile(rf"\$\{{{re.escape(name)}:-(?P<v>{FULL})\}}"))
    return sorted(s.found, key=lambda o: o.start)


_RENOVATE_CONFIGS = frozenset({"renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json",
                               ".renovaterc.json5"})
# A Renovate `allowedVersions` value, and the first X.Y inside it (`/^v1.31.[0-9]+$/`, `<1.32`).
_ALLOWED_RE = re.compile(r'"allowedVersions"\s*:\s*"(?P<value>[^"\n]*)"')
_ALLOWED_MINOR_RE = re.compile(r"(?<![\d.])v?(?P<v>\d+\.\d+)(?![\d])")
# Projects that release one minor per minor of another and support only that one: a Renovate rule
# holding one to a minor moves with the other (cluster-autoscaler 1.31.x is Kubernetes 1.31's;
# eks-workshop-v2 moved both rules to 1.33 with the cluster).
_MINOR_COMPANIONS = {"kubernetes/kubernetes": ("kubernetes/autoscaler",)}


def is_renovate_config(path: str) -> bool:
    """Whether a file is a Renovate configuration (by its name)."""
    return path.rsplit("/", 1)[-1] in _RENOVATE_CONFIGS


def renovate_allowed_minors(text: str, project: str) -> list[tuple[int, int]]:
    """Spans of the X.Y in the `allowedVersions` of the Renovate package rules that match the
    project (`"matchDepNames": ["kubernetes/kubernetes"]`, or `matchPackageNames`) with a version
    written X.Y then a literal dot or nothing (`/^v1.31.[0-9]+$/`, eks-workshop-v2's kubectl rule,
    moved to 1.33 with the cluster), or a project released per minor of it (_MINOR_COMPANIONS); a
    rule is the flat object around its `allowedVersions`."""
    names = "|".join(re.escape(p) for p in (project, *_MINOR_COMPANIONS.get(project.lower(), ())))
    found = []
    for m in _ALLOWED_RE.finditer(text):
        start, end = text.rfind("{", 0, m.start()), text.find("}", m.end())
        rule = text[start:end if end >= 0 else len(text)]
        if not re.search(rf'"match(?:Dep|Package)Names"\s*:\s*\[[^\]]*"(?:{names})"', rule, re.IGNORECASE):
            continue
        minor = _ALLOWED_MINOR_RE.search(m.group("value"))
        if minor:
            found.append((m.start("value") + minor.start("v"), m.start("value") + minor.end("v")))
    return found


def _tag_variables(text: str, uses: str | None) -> set[str]:
    """The variables `text` uses as the whole tag of the tool's release URL (`${YQ_VERSION}`,
    `$(YQ_VERSION)`, `$YQ_VERSION` right after `releases/download/`): their values are tags."""
    if uses is None or "releases/download/$" not in text:
        return set()
    return {m.group("a") or m.group("b") or m.group("c") for m in _rx(uses).finditer(text)}


def _variables(s: _Scan, assign: re.Pattern[str], default: re.Pattern[str], release_tag: str | None = None,
               minor_ok: bool = True) -> None:
    text = s.text
    for m in assign.finditer(text):
        if not minor_ok and is_minor_only(m.group("v")):
            continue
        if s.kind == "make":
            form = "make variable"
        elif s.kind in ("yaml", "helm"):
            form = "YAML value"
        else:
            newline = text.find("\n", m.end())
            rest = text[m.end():newline if newline >= 0 else len(text)].strip()
            form = "inline variable" if rest and not rest.startswith(("#", ";", "&&", "||")) else "shell variable"
        s.add(m.start("v"), m.end("v"), form, minor_only=is_minor_only(m.group("v")), release_tag=release_tag,
              suffix=m.groupdict().get("suffix") or "")
    for m in default.finditer(text):
        s.add(m.start("v"), m.end("v"), "shell default", release_tag=release_tag)


# A shell variable with a name of its own (COMMIT="1.28.0", RELEASE=v2.43.1) holding a version, and
# the literal assignments a use may also need (REPOSITORY_NAME="dexidp/dex"); quoted or bare, alone on
# its line but for a comment. Names in `export`/`readonly` lines count too.
_SHELL_VERSION = re.compile(rf"^[ \t]*(?:(?:export|readonly)[ \t]+)?(?P<n>[A-Za-z_][A-Za-z0-9_]*)=(?P<q>[\"']?)"
                            rf"(?P<v>{FULL})(?P=q)(?=[ \t]*(?:#.*)?\r?$)", re.M)
_SHELL_LITERAL = re.compile(r"^[ \t]*(?:(?:export|readonly)[ \t]+)?(?P<n>[A-Za-z_][A-Za-z0-9_]*)=(?P<q>[\"']?)"
                            r"(?P<v>[\w./:@-]+)(?P=q)(?=[ \t]*(?:#.*)?\r?$)", re.M)
_SHELL_USE = re.compile(r"\$(?:\{(?P<b>[A-Za-z_][A-Za-z0-9_]*)\??\}|(?P<p>[A-Za-z_][A-Za-z0-9_]*))")


def _feeding_variables(s: _Scan, patterns: _Patterns, tags: set[str] = frozenset(),
                       tag_prefix: str | None = None) -> None:
    """A script variable whose name says nothing (`COMMIT="1.28.0"`) is the tool's version when
    the script itself writes one of the tool's forms with it: `${COMMIT}` in the tool's release
    URL (`github.com/istio/istio/releases/download/${COMMIT}/`), in its image's tag
    (`ghcr.io/dexidp/dex:${COMMIT}`). Each use is expanded with the file's literal assignments and
    scanned like any text; the same value in another tool's URL or image proves nothing. One used
    as the whole tag of the tool's release URL is a release tag (`tags`, written with `tag_prefix`)."""
    versions: dict[str, list[re.Match[str]]] = {}
    for m in _SHELL_VERSION.finditer(s.text):
        versions.setdefault(m.group("n"), []).append(m)
    if not versions:
        return
    literals = {m.group("n"): m.group("v") for m in _SHELL_LITERAL.finditer(s.text)}
    for name, assigned in versions.items():
        values = sorted({m.group("v") for m in assigned})
        if not any(_feeds(s.text, name, value, literals, patterns) for value in values):
            continue
        # assigned two versions (a fallback, a branch): which one the form gets is the script's logic
        kept = f"${name} is assigned {' and '.join(values)}: left to a human" if len(values) > 1 else ""
        for m in assigned:
            s.add(m.start("v"), m.end("v"), f"shell variable (${name} writes the tool's version)", kept=kept,
                  release_tag=tag_prefix if name in tags else None)


def _feeds(text: str, name: str, value: str, literals: dict[str, str], patterns: _Patterns) -> bool:
    """Whether a line using `$name`, its variables expanded, holds `value` in one of the forms."""
    use = re.compile(rf"\$(?:\{{{re.escape(name)}\??\}}|{re.escape(name)}(?![A-Za-z0-9_]))")
    values = {**literals, name: value}
    for line in {m.group(0) for m in re.finditer(rf"^.*{use.pattern}.*$", text, re.M)}:
        expanded = _SHELL_USE.sub(lambda u: values.get(u.group("b") or u.group("p"), u.group(0)), line)
        forms = [*patterns.directories, *((slug, p) for slug, p, _form in patterns.urls), *patterns.images]
        if any(m.group("v") == value for literal, p in forms if literal in expanded
               for m in _rx(p).finditer(expanded)):
            return True
    return False


def _argocd_charts(s: _Scan, tool: Tool) -> None:
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.argocd import applications_in
    from gitops_bot.parse.yaml import load_rt
    from gitops_bot.text.splice import Lines

    try:
        apps = applications_in(s.path, load_rt(s.text))
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


def _oci_charts(s: _Scan, tool: Tool) -> None:
    """Flux OCIRepository objects of one of the tool's charts from one of its OCI registries
    (`url: oci://quay.io/jetstack/charts/cert-manager`): their `ref.tag` is the version
    (budimanjojo's cert-manager bump edited only that tag)."""
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.images import oci_repositories, value_span
    from gitops_bot.parse.yaml import load_rt
    from gitops_bot.text.splice import Lines

    try:
        docs = load_rt(s.text)
    except (YAMLError, RecursionError, ValueError):
        return
    lines = Lines(s.text)
    urls = {f"{r}/{n}" for r in tool.chart_registries for n in tool.chart_names}
    for oci in (o for doc in docs for o in oci_repositories(doc)):
        ref = oci["spec"].get("ref")
        if str(oci["spec"].get("url", "")).rstrip("/") in urls and hasattr(ref, "get") and "tag" in ref:
            span = value_span(ref, "tag", lines)
            if span is not None and is_version(s.text[span[0]:span[1]]):
                s.add(span[0], span[1], "chart version (Flux OCIRepository ref.tag)")


def _chart_dependencies(s: _Scan, tool: Tool) -> None:
    """`Chart.yaml` (Helm 2 `requirements.yaml`) dependencies on one of the tool's charts, from
    the tool's own chart repository: an umbrella chart pinning the tool (`version: v1.14.4`)."""
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.images import value_span
    from gitops_bot.parse.yaml import load_rt
    from gitops_bot.text.splice import Lines

    try:
        docs = load_rt(s.text)
    except (YAMLError, RecursionError, ValueError):
        return
    lines = Lines(s.text)
    for doc in docs:
        dependencies = doc.get("dependencies") if hasattr(doc, "get") else None
        for dep in dependencies if isinstance(dependencies, list) else []:
            if not (hasattr(dep, "get") and dep.get("name") in tool.chart_names
                    and _same_repo(dep.get("repository"), tool.chart_repository)):
                continue
            span = value_span(dep, "version", lines) if "version" in dep else None
            if span is not None and is_version(s.text[span[0]:span[1]]):
                s.add(span[0], span[1], "chart dependency version (Chart.yaml)")


def _helm_releases(s: _Scan, tool: Tool) -> None:
    if not tool.chart_repository or "helm_release" not in s.text or tool.chart_repository.rstrip("/") not in s.text \
            or not any(chart in s.text for chart in tool.chart_names):
        return  # only literal blocks are read: without the literal repository and chart, nothing to parse
    from gitops_bot.parse.cache import parse_once
    from gitops_bot.parse.hcl import helm_release_versions

    try:
        releases = parse_once(helm_release_versions, s.text)
    except Exception:  # an unparsable .tf file holds no occurrence we can edit safely
        return
    for repository, chart, version, start, end in releases:
        if chart in tool.chart_names and _same_repo(repository, tool.chart_repository) and is_version(version):
            s.add(start, end, "chart version (Terraform)")


def _same_repo(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.rstrip("/") == b.rstrip("/")
