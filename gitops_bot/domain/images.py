"""Every reference to one container image in a file, for `set-version image=REPOSITORY`.

Matching is exact: the image's repository, as the user wrote it or in an equivalent Docker Hub
spelling (`front-end/x`, `docker.io/front-end/x`), never part of a longer name
(`gcr.io/x/app` is not in `gcr.io/x/app-sidecar`, `mirror.gcr.io/x/app` or `other/app`).

Forms: any `REPOSITORY:TAG[@sha256:...]` string in any text (a Kubernetes `image:`, compose,
Dockerfile `FROM`, workflow `container:`/`services:`, Terraform and jsonnet strings), an untagged
`REPOSITORY` string, and, in YAML, the structured spellings: Helm values `repository:` with a
sibling `tag:` (block or flow mapping, optionally with a `registry:` sibling holding the host)
and kustomize `images:` entries (`name`/`newName` with `newTag`, `digest`); in other files, the
same pair as CUE, HCL, jsonnet or JSON write it (`repository: "REPO"` then `tag: "V"`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from gitops_bot.text.splice import Lines, line_numbers

# A repository: lower-case path components, an optional registry host (with a port) first.
_COMPONENT = r"[a-z0-9]+(?:[._-]+[a-z0-9]+)*"
_REPOSITORY_RE = re.compile(rf"^(?:[a-zA-Z0-9.-]+(?::\d+)?/)?{_COMPONENT}(?:/{_COMPONENT})*$")
TAG = r"\w[\w.-]{0,127}"
_TAG_RE = re.compile(rf"^{TAG}$")
_DIGEST = r"@sha256:[0-9a-f]{64}"
# A tag the bot treats as a version it may move: digits first (an optional v): 1.2.3, v5, 0.1,
# 1.25.3-alpine. `latest`, `main`, `sha-1234abc` are not.
_VERSION_TAG_RE = re.compile(r"^v?\d+(?:\.\d+)*(?P<suffix>-[A-Za-z][\w.-]*)?$")
_PRERELEASE_RE = re.compile(r"^-(?:alpha|beta|rc|pre)", re.IGNORECASE)


def is_repository(text: str) -> bool:
    """Whether `text` is an image repository (no tag, no digest)."""
    return bool(_REPOSITORY_RE.match(text)) and len(text) <= 255


def is_tag(text: str) -> bool:
    """Whether `text` is a valid image tag."""
    return bool(_TAG_RE.match(text))


def is_version_tag(tag: str) -> bool:
    """Whether an image tag is a version (so a version bump moves it)."""
    return bool(_VERSION_TAG_RE.match(tag))


def new_tag(old: str, version: str, same_spelling: bool = True) -> str:
    """`version` as the tag replacing `old`: a variant suffix of the old tag (`-alpine`) is kept
    when the new version names none (the image's flavour is not the version's business), and so
    is its `v` prefix, or its absence, unless `same_spelling` is False (a repository's tags keep
    one spelling: flux-operator's manifests artifact is tagged `v0.50.0` while its charts are
    `0.50.0`, and one version=0.53.0 moves both; a rename to another repository takes the tag as
    given)."""
    m = _VERSION_TAG_RE.match(old)
    if m and same_spelling and re.match(r"v?\d", version):
        version = ("v" if old.startswith("v") else "") + version.removeprefix("v")
    suffix = m.group("suffix") if m else None
    if suffix and not _PRERELEASE_RE.match(suffix) and "-" not in version:
        return version + suffix
    return version


def spellings(image: str) -> tuple[str, ...]:
    """The ways `image` may be written: as given, and for a Docker Hub image with and without
    `docker.io/` (and `library/` for official images)."""
    first = image.split("/", 1)[0]
    hub = image
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if image.startswith(prefix):
            hub = image[len(prefix):]
            break
    else:
        if "/" in image and ("." in first or ":" in first or first == "localhost"):
            return (image,)
    names = [hub]
    if hub.startswith("library/") and hub.count("/") == 1:
        names.append(hub[len("library/"):])
    elif "/" not in hub:
        names.append("library/" + hub)
    out = [image]
    for name in names:
        out += [name, "docker.io/" + name, "index.docker.io/" + name]
    return tuple(dict.fromkeys(out))


PREFIX_SUFFIX = "/*"  # image=REGISTRY/PATH/*: every image under that path


def is_prefix(image: str) -> bool:
    """Whether image= names every image under a path (`ghcr.io/acme/*`), not one repository."""
    return image.endswith(PREFIX_SUFFIX) and is_repository(image[:-len(PREFIX_SUFFIX)])


@dataclass(frozen=True)
class Names:
    """The repositories a reference may name: one image's spellings, or, for a prefix
    (`ghcr.io/acme/*`), any repository one or more components below one of the prefix's
    spellings. `pattern` is the regular expression of a name; `in` tests one."""

    pattern: str

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and re.fullmatch(self.pattern, name) is not None


def names(image: str) -> Names:
    """The Names of image= (a repository or a prefix)."""
    if is_prefix(image):
        prefix = image[:-len(PREFIX_SUFFIX)]
        heads = [n for n in spellings(prefix) if not n.startswith("library/") and "/library/" not in n]
        return Names(rf"(?:{_alternatives(heads)})(?:/{_COMPONENT})+")
    return Names(_alternatives(spellings(image)))


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def repository_name(reference: str) -> str:
    """The last path component of an image reference's repository (`kopia` of
    `ghcr.io/onedr0p/kopia:0.13@sha256:...`)."""
    return reference.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]


def path_part(image: str) -> str:
    """The repository without its registry host: the literal every spelling contains."""
    image = image.removesuffix(PREFIX_SUFFIX)
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return rest.removeprefix("library/") if first.endswith("docker.io") else rest
    return image.removeprefix("library/")


@dataclass(frozen=True)
class ImageRef:
    """One reference: spans are (start, end) offsets in the file's text."""

    line: int  # 1-based
    form: str
    name: tuple[int, int] | None  # the repository text, None: not renamable in place
    tag: tuple[int, int] | None  # the tag text, None: untagged
    digest: tuple[int, int] | None = None  # `@sha256:...` right after the tag
    digest_key: bool = False  # a digest in a key of its own (`digest:`)
    plain_yaml: bool = False  # the tag is a plain YAML scalar (its new value must stay a string)
    at: tuple[int, int] | None = None  # the text that names the image, when `name` is None

    def spans(self) -> tuple[tuple[int, int], ...]:
        """The text this reference covers (a later form never claims it again)."""
        return tuple(span for span in (self.name, self.tag, self.digest, self.at) if span)


@dataclass
class _Found:
    text: str
    refs: list[ImageRef]

    def claimed(self, start: int, end: int) -> bool:
        return any(span[0] < end and start < span[1] for r in self.refs for span in r.spans())


def references(text: str, kind: str, image: str) -> list[ImageRef]:
    """Every reference to `image` in one file's text, in file order."""
    found = _Found(text, [])
    wanted = names(image)
    parsed = True
    if kind in ("yaml", "helm") and any(key in text for key in ("repository", "newName", "newTag", "name:", "tag:")):
        parsed = _yaml_refs(found, wanted)
    elif "repository" in text:
        _keyed_pairs(found, wanted)
    _text_refs(found, wanted, parsed)
    return sorted(found.refs, key=lambda r: r.spans()[0][0])


# What comes before an untagged one-word image (`nginx`) on its line for it to be taken as one.
_IMAGE_KEY_RE = re.compile(r"(?:image|from|repository|newname)\W*$", re.IGNORECASE)
_REPOSITORY_KEY_RE = re.compile(r"^\s*(?:-\s+)?repository:\s*[\"']?$")
UNPARSED_REPOSITORY = "repository key of a YAML file the parser cannot read (its tag was not located)"
UNREADABLE_TAG = "Helm values repository whose tag: is no plain value"
UNLOCATED_TAGS = (UNPARSED_REPOSITORY, UNREADABLE_TAG)  # a tag may be there: a human looks


def _text_refs(found: _Found, names: Names, parsed: bool) -> None:
    # not after `@` or `:`: `tcp://:redis@redis:6379` is a URL's host and port, not an image
    pattern = re.compile(rf"(?:(?<![\w./@:-])|(?<=oci://))(?P<n>{names.pattern})(?::(?P<t>\w[\w.-]*(?<![.-])))?(?P<d>{_DIGEST})?"
                         rf"(?![\w/]|[.:@-]\w)")
    line_of = line_numbers(found.text)
    for m in pattern.finditer(found.text):
        if found.claimed(m.start(), m.end()):
            continue
        form = "image reference"
        if m.group("t") is None:
            before = found.text[found.text.rfind("\n", 0, m.start()) + 1:m.start()]
            if "/" not in m.group("n") and not _IMAGE_KEY_RE.search(before):
                continue  # a bare `nginx` is a word as often as an image
            unparsed_key = not parsed and _REPOSITORY_KEY_RE.match(before)
            form = UNPARSED_REPOSITORY if unparsed_key else "untagged image reference"
        tag = m.span("t") if m.group("t") is not None else None
        digest = m.span("d") if m.group("d") else None
        found.refs.append(ImageRef(line_of(m.start()), form, m.span("n"), tag, digest))


def _keyed_pairs(found: _Found, names: Names) -> None:
    """Helm's values pair written in another configuration language: `repository: "REPO"` and,
    a few lines below at the same indentation, `tag: "V"` (CUE, as Timoni's values.cue writes
    them; `=` as in HCL and jsonnet; quoted keys as in JSON)."""
    key = r'"?{}"?\s*[:=]\s*"'
    pattern = re.compile(rf'^(?P<i>[ \t]*){key.format("repository")}(?P<n>{names.pattern})",?[ \t]*\n'
                         rf'(?:(?P=i)[^\n]*\n){{0,3}}?(?P=i){key.format("tag")}(?P<t>{TAG})"', re.MULTILINE)
    line_of = line_numbers(found.text)
    for m in pattern.finditer(found.text):
        found.refs.append(ImageRef(line_of(m.start("n")), "repository/tag keys", m.span("n"), m.span("t")))


def _yaml_refs(found: _Found, names: Names) -> bool:
    """The structured forms of a YAML file; False when it does not parse."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    from gitops_bot.parse.yaml import load_rt

    try:
        docs = load_rt(found.text)
    except (YAMLError, RecursionError, ValueError):
        return False  # a template or broken file: the text forms still apply
    lines = Lines(found.text)

    def walk(node: Any) -> Iterator[CommentedMap]:
        if isinstance(node, CommentedMap):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, CommentedSeq):
            for item in node:
                yield from walk(item)

    for doc in docs:
        for mapping in walk(doc):
            ref = _helm_pair(mapping, names, lines) or _kustomize_entry(mapping, names, lines) \
                or _oci_repository(mapping, names, lines)
            if ref is not None:
                found.refs.append(ref)
    return True


def value_span(mapping: Any, key: str, lines: Lines) -> tuple[int, int, bool] | None:
    """(start, end, plain) of a scalar value as written (inside its quotes)."""
    value = mapping.get(key)
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    line, col = mapping.lc.value(key)
    raw = lines.line(line)[col:]
    start = lines.start(line) + col
    if raw[:1] in "\"'":
        close = raw.find(raw[0], 1)
        return (start + 1, start + close, False) if close > 0 else None
    token = re.match(r"[^\s,}\]#]+", raw)
    return (start, start + token.end(), True) if token else None


def _scalar(mapping: Any, key: str) -> str | None:
    value = mapping.get(key)
    return str(value) if isinstance(value, str) else None


def _helm_pair(mapping: Any, names: Names, lines: Lines) -> ImageRef | None:
    # `repository:` (with `registry:` perhaps), or an untagged `image:` string beside a `tag:`
    key = "repository" if "repository" in mapping else "image" if "tag" in mapping else None
    repository = _scalar(mapping, key) if key else None
    if repository is None:
        return None
    registry = _scalar(mapping, "registry") if key == "repository" else None
    full = f"{registry.rstrip('/')}/{repository}" if registry else repository
    if full not in names:
        return None
    name = value_span(mapping, key, lines)
    if name is None:
        return None
    tag = value_span(mapping, "tag", lines) if "tag" in mapping else None
    form = f"Helm values {key}/tag" if registry is None else "Helm values registry/repository/tag"
    if tag is None and mapping.get("tag") is not None:
        form = UNREADABLE_TAG  # a template expression, a mapping: not a tag the bot can move
    if tag is not None and tag[0] == tag[1]:
        tag = None  # `tag: ""`: the chart's appVersion decides, there is no tag here to move
    digest = None
    if tag is not None:
        at = lines.text.find("@sha256:", tag[0], tag[1])
        if at >= 0:
            digest, tag = (at, tag[1]), (tag[0], at, tag[2])
    return ImageRef(lines.line_of(name[0]) + 1, form, None if registry else name[:2],
                    tag[:2] if tag else None, digest, bool(_scalar(mapping, "digest")), bool(tag and tag[2]),
                    at=name[:2])


def oci_repositories(node: Any) -> list[Any]:
    """The Flux OCIRepository objects in a document, at its top or inside it (a Flux Operator
    ResourceSet's `resources:`): an OCI artifact whose `spec.ref.tag` is its version (a chart's,
    when its url ends with the chart's name: `oci://ghcr.io/acme/charts/kguardian`)."""
    if isinstance(node, list):
        return [found for item in node for found in oci_repositories(item)]
    if not hasattr(node, "get"):
        return []
    if node.get("kind") == "OCIRepository" and hasattr(node.get("spec"), "get"):
        return [node]
    return [found for value in node.values() for found in oci_repositories(value)]


def _oci_repository(mapping: Any, names: Names, lines: Lines) -> ImageRef | None:
    """A Flux OCIRepository: the artifact `spec.url: oci://REPOSITORY` at `spec.ref.tag` (a chart
    or manifests pushed to a registry: xunholy/k8s-gitops's flux-operator charts)."""
    spec = mapping.get("spec") if mapping.get("kind") == "OCIRepository" else None
    url = _scalar(spec, "url") if hasattr(spec, "get") else None
    ref = spec.get("ref") if url else None
    if not url or not url.startswith("oci://") or url[len("oci://"):] not in names or not hasattr(ref, "get"):
        return None
    name, tag = value_span(spec, "url", lines), value_span(ref, "tag", lines) if "tag" in ref else None
    if name is None:
        return None
    at = (name[0] + len("oci://"), name[1])
    return ImageRef(lines.line_of(at[0]) + 1, "Flux OCIRepository url/ref.tag", at, tag[:2] if tag else None,
                    plain_yaml=bool(tag and tag[2]))


def _kustomize_entry(mapping: Any, names: Names, lines: Lines) -> ImageRef | None:
    if not ({"newTag", "newName", "digest"} & set(mapping)) or _scalar(mapping, "name") is None:
        return None
    target_key = "newName" if _scalar(mapping, "newName") is not None else "name"
    if _scalar(mapping, target_key) not in names:
        if _scalar(mapping, "name") in names:  # replaced by another image: claim the name, change nothing
            span = value_span(mapping, "name", lines)
            return ImageRef(lines.line_of(span[0]) + 1, "kustomize images entry (replaced by newName)",
                            None, None, at=span[:2]) if span else None
        return None
    name = value_span(mapping, target_key, lines)
    if name is None:
        return None
    tag = value_span(mapping, "newTag", lines) if "newTag" in mapping else None
    return ImageRef(lines.line_of(name[0]) + 1, "kustomize images entry",
                    name[:2] if target_key == "newName" else None, tag[:2] if tag else None, None,
                    bool(_scalar(mapping, "digest")), bool(tag and tag[2]), at=name[:2])


# -- a chart's appVersion as its images' default tag ------------------------------------------
def app_version_keys(values: str, image: str) -> list[tuple[str, bool]]:
    """(key, below) of each mapping of a chart's values.yaml whose `repository:` names `image` and
    that sets no tag (`tag: ""` or none): the chart's templates decide, usually with
    `.Chart.AppVersion`. `key` is the mapping's dotted path (`image`, `images`); `below` says the
    repository is image='s prefix itself (`ghcr.io/acme` for ghcr.io/acme/*), the template writing
    the image's name after it."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    from gitops_bot.parse.yaml import load_rt

    try:
        docs = load_rt(values)
    except (YAMLError, RecursionError, ValueError):
        return []
    wanted = names(image)
    found = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, CommentedMap):
            return
        repository, tag = _scalar(node, "repository"), node.get("tag", "")
        if repository and (tag == "" or tag is None) and path:
            if repository in wanted:
                found.append((".".join(path), False))
            elif is_prefix(image) and f"{repository}/x" in wanted:
                found.append((".".join(path), True))
        for key, value in node.items():
            if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][\w]*", key):
                walk(value, (*path, key))

    for doc in docs:
        walk(doc, ())
    return found


def reads_app_version(template: str, key: str, below: bool) -> bool:
    """Whether a chart template writes an image from `.Values.KEY.repository` tagged with the
    chart's appVersion (`{{ .Values.image.repository }}:{{ .Values.image.tag | default
    .Chart.AppVersion }}`, or `.../{{ .Values.x.name }}:...` when `below`)."""
    if ".Chart.AppVersion" not in template:
        return False
    after = r"/[^\n]*?:" if below else r":"
    return re.search(rf"\.Values\.{re.escape(key)}\.repository[ \t]*-?}}}}{after}[^\n]*?\.Chart\.AppVersion\b",
                     template) is not None
