"""Every place one GitHub project's version (a tag or a release branch) is written, for
`set-version github=OWNER/REPO`.

Forms: in any text, release asset URLs `https://github.com/OWNER/REPO/releases/download/REF/`,
raw file URLs `https://raw.githubusercontent.com/OWNER/REPO/REF/` (and `github.com/OWNER/REPO/raw/REF/`),
release pages `.../releases/tag/REF`, source archives `.../archive/[refs/tags/]REF.tar.gz`,
kustomize remote bases and resources `github.com/OWNER/REPO//path?ref=REF` (any URL of the
repository with a `ref=` query), GitHub Actions `uses: OWNER/REPO[/path]@REF`, and the release
tag passed to the project's install script piped to a shell (`.../OWNER/REPO/master/install.sh |
sh -s -- -b DIR v1.50.1`); in YAML,
through the parser, ArgoCD Application sources whose `repoURL` is the repository
(`targetRevision`) and Flux `GitRepository` objects whose `spec.url` is the repository
(`spec.ref.tag`, or a release branch in `spec.ref.branch`; other branches, a `semver` range and a
`commit` are reported).

Matching is exact: `OWNER/REPO-extra`, `xOWNER/REPO` and another owner's REPO are not the project
(GitHub names are case-insensitive, so the spelling's case is not).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from typing import Any

from gitops_bot.domain.images import value_span
from gitops_bot.text.splice import Lines, line_numbers

_REF = r"[\w.+-]+"
_VERSION_RE = re.compile(r"^(?P<v>v?)\d+(?:\.\d+)*(?:-[\w.]+)?$")
_RELEASE_BRANCH_RE = re.compile(r"^(?P<prefix>release-(?P<v>v?))(?P<minor>\d+\.\d+)$")
_SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")
_INSTALL_TAG = r"(?P<ref>v?\d+\.\d+[\w.+-]*)"


@dataclass(frozen=True)
class GithubRef:
    """One ref of the project as written: `start:end` spans the ref text (inside its quotes)."""

    line: int  # 1-based
    start: int
    end: int
    ref: str
    form: str
    # the file or folder of the project the occurrence names at that ref (a raw file URL's path,
    # a kustomize remote base's folder, an Action's folder, an ArgoCD source's `path`); "" for none
    path: str = ""


def is_release_branch(ref: str) -> bool:
    """`release-1.7` (or `release-v1.7`): a release branch, moved by minor version."""
    return bool(_RELEASE_BRANCH_RE.match(ref))


def is_version_ref(ref: str) -> bool:
    """A tag that is a version: `v1.4.2`, `1.4.2`, `v1.6.0-rc2`."""
    return bool(_VERSION_RE.match(ref))


def is_commit(ref: str) -> bool:
    """A commit SHA (abbreviated or full): a pin no version can be turned into."""
    return bool(_SHA_RE.match(ref)) and (len(ref) == 40 or any(c.isalpha() for c in ref))


def exact_tag(ref: str, commit: str, tags: dict[str, str]) -> str:
    """The version tag that names `commit` most precisely, for the `# vX.Y.Z` comment beside a
    commit pin: of the tags on that commit that are `ref` or a release within it (`v4` -> `v4.1.1`,
    not `v5`), the one with the most components, the highest on a tie; `ref` itself when none is."""
    def key(tag: str) -> tuple:
        numbers = re.findall(r"\d+", tag.split("-", 1)[0])
        return len(numbers), "-" not in tag, tuple(int(n) for n in numbers)

    within = [t for t, sha in tags.items() if sha == commit and is_version_ref(t)
              and (t == ref or t.startswith(ref + "."))]
    return max(within, key=key, default=ref)


def is_project(text: str) -> bool:
    """Whether `text` is `OWNER/REPO` as GitHub spells names."""
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}", text))


def rewritten(ref: str, version: str) -> str | None:
    """The ref replacing `ref` for `version` (a version tag or a release branch), each in the form
    the occurrence writes (its `v` prefix, a release branch by minor), or None when none can be
    derived (a tag from a release branch, a ref that is no version)."""
    new = _VERSION_RE.match(version)
    branch = _RELEASE_BRANCH_RE.match(ref)
    if branch:
        given = _RELEASE_BRANCH_RE.match(version)
        numbers = given.group("minor") if given else version.lstrip("v").split("-")[0]
        minor = ".".join(numbers.split(".")[:2])
        return branch.group("prefix") + minor if re.fullmatch(r"\d+\.\d+", minor) else None
    old = _VERSION_RE.match(ref)
    if old is None or new is None:
        return None
    return old.group("v") + version[len(new.group("v")):]


def mention(project: str) -> re.Pattern[str]:
    """The project's name where it stands for the project: after a GitHub host or on its own, not
    inside a longer name or another path (`ghcr.io/OWNER/REPO` is an image, not the project)."""
    host = r"(?<=github\.com/)|(?<=github\.com:)|(?<=githubusercontent\.com/)"
    return re.compile(rf"(?:{host}|(?<![\w./:-])){_name(project)}(?![\w-]|\.(?!git\b)\w)")


def _name(project: str) -> str:
    return f"(?i:{re.escape(project)})"


# A ref written as a variable, whole or after a literal prefix: `${YQ_VERSION}`, `v$(VERSION)`, `$TAG`
_VARIABLE_REF = r"(?P<pre>[\w.+%-]*?)(?:\$\{(?P<a>\w+)\}|\$\((?P<b>\w+)\)|\$(?P<c>[A-Za-z_]\w*))"


# The path after a raw URL's ref: up to what ends a URL in YAML, shell, Markdown or HTML.
_URL_PATH = r"(?P<path>[^\s\"'<>()\[\]?#`]*)"


def _literal_path(path: str) -> str:
    """The part of a path written after a ref that names a fixed file or folder: the whole path,
    or where it holds a variable, a template, a glob or an escape (`manifests/${ARCH}/x.yaml`,
    `install-{{ .Values.arch }}.yaml`) only the folders before it; normalised (`./config/` is
    `config`), and "" for the repository's root or a path that leaves it."""
    cut = re.search(r"[${}*%\\]", path)
    if cut:
        head = path[:cut.start()]
        path = head.rsplit("/", 1)[0] if "/" in head else ""
    path = posixpath.normpath(path.strip("/")) if path.strip("/") else ""
    return "" if path in (".", "") or path.startswith("../") or path == ".." else path


_ANY_REF = rf"(?P<ref>{_REF}?)"


def _text_patterns(project: str, ref: str = _ANY_REF) -> list[tuple[str, re.Pattern[str]]]:
    name = _name(project)
    # a script's argument is a tag only when it is written as a version (or as a variable)
    tag = _INSTALL_TAG if ref == _ANY_REF else ref
    end = r"(?![\w.-])"
    return [
        ("release asset URL", re.compile(rf"github\.com/{name}/releases/download/{ref}/")),
        ("raw file URL", re.compile(rf"raw\.githubusercontent\.com/{name}/{ref}/{_URL_PATH}")),
        ("raw file URL", re.compile(rf"github\.com/{name}/raw/{ref}/{_URL_PATH}")),
        ("release page URL", re.compile(rf"github\.com/{name}/releases/tag/{ref}{end}")),
        ("source archive URL", re.compile(rf"github\.com/{name}/archive/(?:refs/tags/)?{ref}"
                                          r"\.(?:tar\.gz|tgz|zip)\b")),
        ("kustomize remote ref", re.compile(rf"github\.com[/:]{name}(?:\.git)?(?:/(?P<path>[^\s?\"'#]*))?\?"
                                         rf"(?:[^\s\"'#]*&)?ref={ref}{end}")),
        ("workflow uses", re.compile(rf"\buses:\s*[\"']?{name}(?:/(?P<path>[\w./-]+))?@{ref}{end}")),
        # the project's install script piped to a shell, the release tag its last argument:
        # `curl -sSfL .../golangci-lint/master/install.sh | sh -s -- -b $(GOBIN) v1.50.1`
        ("install script argument", re.compile(
            rf"raw\.githubusercontent\.com/{name}/[\w.-]+/(?:[\w.-]+/)*install\.sh[\"']?\s*\|\s*(?:ba)?sh\s+-s\s+--"
            rf"(?:\s+-\w+(?:\s+[^\s-]\S*)?)*\s+{tag}{end}")),
    ]


@dataclass(frozen=True)
class VariableRef:
    """A ref of the project written as a variable (`releases/download/${YQ_VERSION}/`): the ref is
    `prefix` + the variable's value, assigned elsewhere (in this file, or where the file is run)."""

    line: int  # 1-based, of the URL
    form: str
    prefix: str
    variable: str
    path: str = ""  # the file or folder named at that ref, as GithubRef.path


def variable_refs(text: str, project: str) -> list[VariableRef]:
    """Every URL of `project` in one file whose ref is a variable, in file order."""
    if "$" not in text:
        return []
    line_of = line_numbers(text)
    found: dict[int, VariableRef] = {}
    for form, pattern in _text_patterns(project, _VARIABLE_REF):
        for m in pattern.finditer(text):
            found.setdefault(m.start("pre"), VariableRef(line_of(m.start("pre")), form, m.group("pre"),
                                                         m.group("a") or m.group("b") or m.group("c"),
                                                         _literal_path(m.groupdict().get("path") or "")))
    return [found[start] for start in sorted(found)]


def references(path: str, text: str, kind: str, project: str) -> list[GithubRef]:
    """Every ref of `project` written in one file, in file order (one per span)."""
    line_of = line_numbers(text)
    found: dict[int, GithubRef] = {}
    for form, pattern in _text_patterns(project):
        for match in pattern.finditer(text):
            start, end = match.span("ref")
            path = _literal_path(match.groupdict().get("path") or "")
            found.setdefault(start, GithubRef(line_of(start), start, end, match.group("ref"), form, path))
    if kind in ("yaml", "helm"):
        for ref in _yaml(path, text, project):
            found.setdefault(ref.start, ref)
    return sorted(found.values(), key=lambda r: r.start)


def _is_repository_url(url: Any, project: str) -> bool:
    if not isinstance(url, str):
        return False
    m = re.fullmatch(r"(?:https?://|ssh://git@|git@)?github\.com[/:](?P<p>[^/]+/[^/]+?)(?:\.git)?/?", url.strip())
    return bool(m) and m.group("p").lower() == project.lower()


def _yaml(path: str, text: str, project: str) -> list[GithubRef]:
    from ruamel.yaml.error import YAMLError

    from gitops_bot.domain.argocd import applications_in
    from gitops_bot.parse.yaml import load_rt

    if "Application" not in text and "GitRepository" not in text and "uses:" not in text:
        return []
    try:
        docs = load_rt(text)
    except (YAMLError, RecursionError, ValueError):
        return []
    lines = Lines(text)
    found = []
    for app in applications_in(path, docs):
        for source in app.sources:
            if _is_repository_url(source.repo_url, project) and source.target_revision_at:
                ref = _at(lines, *source.target_revision_at, "ArgoCD targetRevision")
                folder = _literal_path(source.path or "") if source.chart is None else ""
                found += [replace(ref, path=folder)] if ref else []
    for doc in docs:
        spec = doc.get("spec") if hasattr(doc, "get") and doc.get("kind") == "GitRepository" else None
        ref = spec.get("ref") if hasattr(spec, "get") and _is_repository_url(spec.get("url"), project) else None
        # every ref key is reported: a branch, a semver range or a commit the bot cannot move is
        # listed or refused by the caller, never skipped
        for key in ("tag", "branch", "semver", "commit") if hasattr(ref, "get") else ():
            span = value_span(ref, key, lines)
            if span is not None:
                found.append(GithubRef(lines.line_of(span[0]) + 1, span[0], span[1], text[span[0]:span[1]],
                                       f"Flux GitRepository spec.ref.{key}"))
    found += _setup_action_inputs(docs, lines, project)
    return found


def _setup_actions(project: str) -> str:
    """The names of the Actions that install the project's release (a regular expression)."""
    repo = re.escape(project.split("/", 1)[1])
    return rf"(?:setup-{repo}(?:-action)?|{repo}-action)"


def grep_pattern(project: str) -> str:
    """What a file holding one of the project's refs holds (a regular expression, for a
    case-insensitive prefilter): its name, or a step using one of its setup Actions."""
    return rf"{re.escape(project)}|uses:\s*[\"']?[\w.-]+/{_setup_actions(project)}@"


def _setup_action_inputs(docs: list[Any], lines: Lines, project: str) -> list[GithubRef]:
    """The version input of workflow steps whose action installs the project's release, by the
    action's name: `setup-REPO`, `REPO-action` or `setup-REPO-action` of any owner
    (`engineerd/setup-kind` and `helm/kind-action` install kubernetes-sigs/kind), input `version`
    or `REPO-version` (`with: version: v0.11.1`)."""
    repo = project.split("/", 1)[1].lower()
    actions = re.compile(_setup_actions(project), re.IGNORECASE)
    inputs = {"version", f"{repo}-version", f"{repo}_version"}
    found = []
    for doc in docs:
        jobs = doc.get("jobs") if hasattr(doc, "get") else None
        for job in jobs.values() if hasattr(jobs, "values") else ():
            steps = job.get("steps") if hasattr(job, "get") else None
            for step in steps if isinstance(steps, list) else ():
                uses = step.get("uses") if hasattr(step, "get") else None
                action = uses.split("@", 1)[0].split("/")[1:2] if isinstance(uses, str) else []
                given = step.get("with") if action and actions.fullmatch(action[0]) else None
                keys = [k for k in given if isinstance(k, str) and k.lower() in inputs] if hasattr(given, "get") else []
                for key in keys:
                    span = value_span(given, key, lines)
                    if span is not None:
                        found.append(GithubRef(lines.line_of(span[0]) + 1, span[0], span[1],
                                               lines.text[span[0]:span[1]], f"{uses.split('@')[0]} `with: {key}`"))
    return found


def _at(lines: Lines, line: int, col: int, form: str) -> GithubRef | None:
    raw = lines.line(line)[col:]
    start = lines.start(line) + col
    quote = raw[:1] if raw[:1] in "\"'" else ""
    end = raw.find(quote, 1) if quote else len(raw.split(" #")[0].rstrip())
    if end <= 0:
        return None
    value = raw[len(quote):end]
    return GithubRef(line + 1, start + len(quote), start + len(quote) + len(value), value, form)
