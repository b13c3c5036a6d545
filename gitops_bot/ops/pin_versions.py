"""Operation `pin_versions`: pin floating references (gitops_bot/domain/floating.py).

- A GitHub `releases/latest/download/<asset>` URL becomes `releases/download/<version>/<asset>`.
  In a shell script or Makefile this is done the way a careful engineer does it: a version
  variable defined once near the top (`ARGO_ROLLOUTS_VERSION="v1.8.3"`, `... ?= v1.8.3`) and used
  in the URL; an existing definition of that variable is reused.
- A GitHub Action on a branch (`@main`) is pinned to the action's latest release tag; one on a
  version tag (`@v6.0.2`) is listed (a tag can be moved). With `actions=commit` both are pinned
  to their commit with the exact release as a comment, `@<sha> # v6.0.2` (`@v4` -> the release
  `v4` points at, `@main` -> the latest release), from the repository's tags (GITHUB_TOKEN).
- Images, chart revisions and helm_release blocks are pinned when `tool=` names their tool and
  `version=` is given.
- With `image=REPOSITORY` (or a glob, `image=*` for all): the unpinned images (`:latest` or no tag,
  domain/unpinned.py: manifests, compose, Helm values tags, workflow containers, Dockerfile FROM)
  of that repository, pinned to `version=` or to the newest stable tag its registry lists;
  `REPO:latest@sha256:D` gets the tag `version=` and keeps its digest (listed, to be checked);
  with `digest=resolve` the tag's digest is looked up and written (`REPO:V@sha256:...`). A Helm
  values `image:` mapping without `tag:` gets one (after `repository: REPO`; for the chart's default
  image, naming no repository, only in the values file named after the image, listed).
- With `github=OWNER/REPO`: the project's refs on a release branch (`raw/release-1.25/`; those on
  the default branch are listed) become the tag `version=` (or its latest release); see _pin_github.
The version comes from `version=` (with `tool=`), or from the repository's latest GitHub release
(GITHUB_TOKEN, GITHUB_API_URL). Without either, the reference is reported, never guessed.
`paths=` limits every form to the files its globs cover.
"""

from __future__ import annotations

import fnmatch
import re

from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.domain.floating import FLOATING_MARK, Floating, actions_on_tags, find_floating
from gitops_bot.domain.github_refs import exact_tag, is_commit, is_project, is_release_branch, is_version_ref
from gitops_bot.domain.images import is_repository, is_tag, is_version_tag, spellings
from gitops_bot.domain.lookups import ReleaseLookup, checked_commit, checked_tag
from gitops_bot.domain.names import words
from gitops_bot.domain.unpinned import (UNPINNED_MARK, VALUES_TAG, UntaggedMapping, may_hold, unpinned_images,
                                        untagged_mappings)
from gitops_bot.domain.versions import Tool, is_minor_only, is_tool_version
from gitops_bot.edit import classify
from gitops_bot.errors import UserError
from gitops_bot.ops import latest_versions, set_version, version_targets
from gitops_bot.ops.checked_write import write_checked
from gitops_bot.ops.state import RunState
from gitops_bot.text.splice import Cut, Lines, Span


def run(state: RunState, args: dict[str, str]) -> None:
    """Pin floating references; with provider= or module=, pin a Terraform constraint (set_version's)."""
    if args.get("actions") and any(args.get(k) for k in ("provider", "module", "github", "image")):
        raise UserError("actions= applies to GitHub Actions, not with provider=, module=, github= or image=")
    state.limit_to(args.get("paths", ""))  # UserError (exit 2) for a bad glob or one matching nothing
    if args.get("provider") or args.get("module"):
        if args.get("tool") or (args.get("provider") and args.get("module")):
            raise UserError("pin-versions takes one target: tool=, provider= or module=")
        set_version.run_terraform(state, args, pin=True)
        return
    if args.get("github"):
        if args.get("tool") or args.get("image"):
            raise UserError("pin-versions takes one target: tool=, image= or github=")
        _pin_github(state, args["github"], args.get("version") or "")
        return
    if args.get("to"):
        raise UserError("pin-versions takes to= with module= only")
    if args.get("image"):
        if args.get("tool"):
            raise UserError("pin-versions takes one target: tool= or image=")
        _pin_images(state, args["image"], args.get("version") or "", latest_versions.prerelease(args),
                    _resolve_digest(args))
        return
    if args.get("digest"):
        raise UserError("digest= applies to image= only")
    if args.get("prerelease"):
        raise UserError("prerelease= applies to image= only (the registry's newest tag)")
    tool = state.tool(args["tool"]) if args.get("tool") else None
    version = args.get("version") or ""
    if version and not tool:
        raise UserError("version= needs tool= (which tool's references to pin)")
    if version and (not is_tool_version(version, tool) or is_minor_only(version)):
        build = ", or X.Y.Z+BUILD" if tool.build_metadata else ""
        raise UserError(f"version={version!r} is not a version (X.Y.Z, optionally v-prefixed{build})")
    commits = _action_commits(args)
    catalogue = state.catalogue
    tree = state.tree
    for path in tree.grep(FLOATING_MARK):
        text = tree.read(path) if state.in_scope(path) else None
        if text is None:
            continue
        kind = classify(path, text)
        on_tags = [f for f in actions_on_tags(path, text) if tool is None or _belongs(f, tool)]
        floating = [f for f in find_floating(path, text, kind) if tool is None or _belongs(f, tool)]
        if commits:  # every action, on a tag or a branch, goes to a commit
            on_tags += [f for f in floating if f.kind == "action on a branch"]
            floating = [f for f in floating if f.kind != "action on a branch"]
        else:
            for f in on_tags:
                state.notes.append(Finding(path, f.line, f.text, f"action on tag {text[f.start:f.end]}, not a commit "
                                                                 "(a tag can be moved): pin it to its commit by hand "
                                                                 "(or pass actions=commit)"))
            on_tags = []
        pinner = _FilePinner(path, text, kind, tool, version, catalogue, state.releases)
        for f in floating:
            reason = pinner.pin(f)
            if reason:
                state.notes.append(Finding(path, f.line, f.text, f"floating {f.kind}: {reason}"))
        cuts = pinner.cuts + [cut for f in on_tags for cut in _commit_pin(state, path, text, f)]
        write_checked(state, path, text, kind, cuts)


def _action_commits(args: dict[str, str]) -> bool:
    """The `actions=` switch: `commit` pins Actions to commits (`@<sha> # v4.1.1`), `tag` (the
    default) pins those on a branch to a release tag and lists those on a tag."""
    value = args.get("actions") or "tag"
    if value not in ("tag", "commit"):
        raise UserError(f"actions={value!r}: say tag or commit")
    return value == "commit"


_AFTER_REF_RE = re.compile(r"(?P<q>[\"']?)[ \t]*(?P<comment>#.*)?")


def _commit_pin(state: RunState, path: str, text: str, f: Floating) -> list[Cut]:
    """The cut pinning one `uses: OWNER/REPO@REF` to its commit with the exact release as a comment,
    `@<sha> # v4.1.1` (a branch: its latest release); none, with the reason in the residue, when
    the lookup cannot tell or the line already carries a comment."""
    ref = text[f.start:f.end]
    eol = text.find("\n", f.end)
    eol = len(text) if eol < 0 else eol - (text[eol - 1] == "\r")
    after = _AFTER_REF_RE.fullmatch(text, f.end, eol)
    if after is None or after.group("comment"):
        state.notes.append(Finding(path, f.line, f.text, f"action on {ref}: a comment follows it; pin it to its "
                                                         "commit by hand"))
        return []
    tags = state.releases.tag_commits(f.subject)
    if tags is None:
        why = state.releases.unavailable() or "no lookup in this run"
        state.notes.append(Finding(path, f.line, f.text, f"action on {ref}: {why} to look up its commit"))
        return []
    tag = ref
    if f.kind == "action on a branch":
        latest = state.releases.latest_release_tag(f.subject)
        if latest is None:
            state.notes.append(Finding(path, f.line, f.text, f"action on branch {ref}: {f.subject} has no "
                                                             "GitHub release to pin to"))
            return []
        tag = checked_tag(f.subject, latest)
    if tag not in tags:
        state.notes.append(Finding(path, f.line, f.text, f"action on {ref}: {f.subject} has no tag {tag}; "
                                                         "pin it by hand"))
        return []
    commit = checked_commit(f"{f.subject}@{tag}", tags[tag])
    exact = checked_tag(f.subject, exact_tag(tag, commit, tags), what="GitHub API: a tag of")
    return [Cut(Span(f.start, eol), f"{commit}{after.group('q')} # {exact}")]


def _resolve_digest(args: dict[str, str]) -> bool:
    """The `digest=` switch of image=: `resolve` looks up the pinned tag's digest and writes it
    (after the tag, or over the digest already there); `keep` (the default) keeps a digest as it is."""
    value = args.get("digest") or "keep"
    if value not in ("keep", "resolve"):
        raise UserError(f"digest={value!r}: say keep or resolve")
    return value == "resolve"


def _pin_images(state: RunState, wanted: str, version: str, pre: bool, resolve: bool = False) -> None:
    """Pin the unpinned images (domain/unpinned.py) that `wanted` names (a repository, or a glob
    such as `*` or `ghcr.io/acme/*`) to `version`, or to the newest stable tag of each in its
    registry (state.releases), looked up once per image; with `resolve`, with the tag's digest."""
    if not (is_repository(wanted) or ("*" in wanted and re.fullmatch(r"[\w.:/*-]+", wanted))):
        raise UserError(f"image={wanted!r} is neither an image repository nor a glob of them (ghcr.io/acme/*)")
    if version and not (is_tag(version) and is_version_tag(version)):
        raise UserError(f"version={version!r} is not a version tag (1.2.3, v5, 1.25.3-alpine)")
    names = spellings(wanted) if "*" not in wanted else ()
    tags: dict[str, str] = {}
    for path in filter(may_hold, state.tree.grep(UNPINNED_MARK)):
        text = state.tree.read(path) if state.in_scope(path) else None
        if text is None:
            continue
        kind = classify(path, text)
        cuts = []
        for f in unpinned_images(path, text, kind, with_digest=True):
            digest = text.startswith("@", f.end)
            if f.subject == VALUES_TAG:
                if "*" in wanted:
                    state.notes.append(Finding(path, f.line, f.text, "unpinned image tag: no repository beside it"))
                continue
            if not (f.subject in names or (not names and fnmatch.fnmatchcase(f.subject, wanted))):
                continue
            if digest and not version:  # a registry's newest tag is not what the digest names
                state.notes.append(Finding(path, f.line, f.text, "image pinned by digest, tagged latest: pass version= "
                                                                 "to name the version its digest is"))
                continue
            if f.subject not in tags:
                tags[f.subject] = version or _newest(state, f.subject, pre, every=not names)
            tag = tags[f.subject]
            if not tag:
                state.notes.append(Finding(path, f.line, f.text, f"unpinned image: no stable version among the tags "
                                                                 f"of {f.subject}; pin it by hand"))
                continue
            if f.kind == "image tag" and _NOT_A_STRING_RE.fullmatch(tag) and not _quoted(text, f):
                state.notes.append(Finding(path, f.line, f.text, f"edit refused: tag {tag} would not stay a string "
                                                                 "in plain YAML; quote it", Kind.KEPT))
                continue
            if resolve:
                cuts.append(_with_digest(state, path, text, f, tag))
                continue
            cuts.append(Cut(Span(f.start, f.end), tag if f.kind == "image tag" else f":{tag}"))
            if digest:  # the digest decides what runs; the new tag only names it
                state.notes.append(Finding(path, f.line, f.text, f"tag set to {tag}, digest kept: check that the "
                                                                 f"digest is {tag}'s"))
        if names and kind == "yaml":
            for m in untagged_mappings(text):
                if _names_mapping(m, path, wanted, names):
                    if wanted not in tags:
                        tags[wanted] = version or _newest(state, wanted, pre, every=False)
                    cuts.append(_tag_key(state, path, m, wanted, tags[wanted]))
        write_checked(state, path, text, kind, cuts)


def _names_mapping(m: UntaggedMapping, path: str, wanted: str, names) -> bool:
    """Whether an untagged values `image:` mapping is `wanted`'s: it names the repository, or it
    names none (the chart's default image) at the top of a values file named after the image
    (`celeborn.yaml`, `celeborn/values.yaml` for apache/celeborn)."""
    if m.repository:
        return m.repository in names
    folder, _, base = path.rpartition("/")
    stem = base.rsplit(".", 1)[0]
    if stem == "values" or stem.startswith("values-"):
        stem = folder.rpartition("/")[2]
    return m.top_level and stem.lower() == wanted.rpartition("/")[2].lower()


def _tag_key(state: RunState, path: str, m: UntaggedMapping, wanted: str, tag: str) -> Cut:
    """The `tag: V` line a values image mapping lacks, at its keys' indentation (quoted when plain
    YAML would read it as a number); listed when the mapping named no repository."""
    if not m.repository:
        state.notes.append(Finding(path, m.line, m.text, f"tag: {tag} added to the chart's default image, taken "
                                                         f"to be {wanted} (the values file's name): check"))
    value = f'"{tag}"' if _NOT_A_STRING_RE.fullmatch(tag) else tag
    return Cut(Span(m.at, m.at), f"{m.indent}tag: {value}{m.newline}")


def _with_digest(state: RunState, path: str, text: str, f: Floating, tag: str) -> Cut:
    """`:TAG@DIGEST` over an unpinned reference (and the digest already after it), DIGEST the one
    the registry gives for TAG; a tag in a key of its own gets the tag only, and is listed."""
    if f.kind == "image tag":
        state.notes.append(Finding(path, f.line, f.text, f"tag set to {tag} only: a tag in a key of its own has "
                                                         "no digest beside it; pin the digest by hand"))
        return Cut(Span(f.start, f.end), tag)
    digest = latest_versions.image_digest(state, f.subject, tag)
    old = DIGEST_AFTER_RE.match(text, f.end)
    return Cut(Span(f.start, old.end() if old else f.end), f":{tag}@{digest}")


DIGEST_AFTER_RE = re.compile(r"@sha256:[0-9a-f]{64}")
_DEFAULT_BRANCHES = frozenset({"main", "master", "HEAD"})


def _pin_github(state: RunState, project: str, version: str) -> None:
    """Pin the refs of GitHub project `project` on a release branch `release-X.Y`, in every form
    github_refs.py reads (raw and release URLs, kustomize `?ref=`, ArgoCD `targetRevision`, workflow
    `uses:`), to the tag `version` of that branch, or to the project's latest release. Refs on the
    default branch, other tags, branches and commits are listed with the reason they stay."""
    if not is_project(project):
        raise UserError(f"github={project!r} is not a GitHub project (OWNER/REPO)")
    if version and not is_version_ref(version):
        raise UserError(f"version={version!r} is not a version tag (v1.2.3, 1.2.3-rc.1)")
    version_targets.run_github(state, project, version or latest_versions.github_version(state, project),
                               move=_pinned_ref)


def _pinned_ref(kind: str, ref: str, version: str) -> tuple[str, str]:
    """The tag `version` for a ref on the release branch of that version's minor, or ("", why the
    ref stays): the residue, or a refusal starting "edit refused"."""
    if version_targets.github_in_docs(kind):
        return "", "in documentation: not changed"
    if is_version_ref(ref):
        return (ref, "") if ref == version else ("", f"already pinned to {ref}: left (set-version github= moves it)")
    if is_commit(ref):
        return "", f"pinned to commit {ref}: left as it is"
    if is_release_branch(ref):
        if ref.split("-", 1)[1].lstrip("v") != ".".join(version.lstrip("v").split(".")[:2]):
            return "", f"edit refused: {version} is not a release of branch {ref}: pin it by hand"
        return version, ""
    if ref in _DEFAULT_BRANCHES:  # listed, not pinned: what main holds (a dashboard, docs) may not be in a release
        return "", f"on the default branch {ref}: not pinned (its file may not exist at {version}); pin it by hand"
    return "", f"ref {ref!r} is neither a release branch nor the default branch: left as it is"


def _newest(state: RunState, image: str, pre: bool, every: bool) -> str:
    """The newest stable tag of `image`; "" when it has none and a glob asked for every image
    (one such image does not stop the others; a failed lookup does)."""
    try:
        return latest_versions.image_version(state, image, pre)
    except UserError as exc:
        if every and exc.kind == latest_versions.NO_STABLE_VERSION:
            return ""
        raise


_NOT_A_STRING_RE = re.compile(r"\d+(?:\.\d+)?|\d+e\d+")  # what plain YAML reads as a number


def _quoted(text: str, f: Floating) -> bool:
    return f.start > 0 and text[f.start - 1] in "\"'"


def _belongs(f: Floating, tool: Tool) -> bool:
    if f.kind in ("release URL", "action on a branch", "action on a tag"):
        return f.subject == tool.github
    if f.kind == "upgrade channel":  # https://update.k3s.io/v1-release/channels/v1.23: the tool's own host
        host = f.subject.split("://", 1)[-1].split("/", 1)[0]
        return tool.upgrade_plans and tool.name in host.split(".")
    if f.kind == "image":
        return f.subject in tool.images
    return f.subject in tool.chart_names


class _FilePinner:
    """Collects the cuts that pin one file's floating references."""

    def __init__(self, path: str, text: str, kind: str, tool: Tool | None, version: str,
                 catalogue: dict[str, Tool], releases: ReleaseLookup) -> None:
        self.path, self.text, self.kind = path, text, kind
        self.tool, self.version, self.catalogue = tool, version, catalogue
        self.releases = releases
        self.cuts: list[Cut] = []
        self.defined: set[str] = set()

    def pin(self, f: Floating) -> str | None:
        """Add the cuts for one reference; the reason it stays floating otherwise."""
        if f.kind == "release URL":
            version = self._version_for_repo(f.subject)
            if not version:
                return self._unresolved(f.subject)
            return self._pin_url(f, version)
        if f.kind == "action on a branch":
            version = self._looked_up(f.subject)
            if not version:
                return self._unresolved(f.subject)
            self.cuts.append(Cut(Span(f.start, f.end), version))
            return None
        if not (self.tool and self.version):
            return ("pass image=REPOSITORY to pin it to its registry's newest stable tag" if f.kind == "image" else
                    "pass tool= and version= to pin it (no release lookup for charts)")
        if f.kind == "upgrade channel":  # the Plan follows a version instead of the channel
            self.cuts.append(Cut(Span(f.start, f.end), f"version: {self.version}"))
            return None
        if f.kind == "image":
            version = self.version.replace("+", "-")  # an image tag writes build metadata with `-`
            tag = version if f.subject == "(values image.tag)" else f":{version}"
            self.cuts.append(Cut(Span(f.start, f.end), tag))
        elif f.kind == "chart revision" and f.start != f.end:
            self.cuts.append(Cut(Span(f.start, f.end), self.version.lstrip("v")))
        elif f.kind == "helm_release without version":
            return self._add_release_version(f)
        else:
            return "no targetRevision to pin"
        return None

    def _version_for_repo(self, slug: str) -> str | None:
        if self.tool and self.version and self.tool.github == slug:
            return self.version
        return self._looked_up(slug)

    def _looked_up(self, slug: str) -> str | None:
        """The latest release of `slug` from the run's lookup, checked to be a plain version
        (it is written into scripts and workflows)."""
        tag = self.releases.latest_release_tag(slug)
        return checked_tag(slug, tag) if tag is not None else None

    def _unresolved(self, slug: str) -> str:
        why = self.releases.unavailable()
        if why is None:
            return f"{slug} has no GitHub release to pin to"
        return f"no version given and {why} to look up {slug}'s latest release"

    # -- release URLs ---------------------------------------------------------------------
    def _pin_url(self, f: Floating, version: str) -> str | None:
        if self.kind not in ("shell", "make"):
            self.cuts.append(Cut(Span(f.start, f.end), f"download/{version}"))
            return None
        name = self._variable_name(f.subject)
        reference = f"${{{name}}}" if self.kind == "shell" else f"$({name})"
        self.cuts.append(Cut(Span(f.start, f.end), f"download/{reference}"))
        if name not in self.defined and not _defines(self.text, name, self.kind):
            self.cuts.append(_definition(self.text, self.kind, name, version))
        self.defined.add(name)
        return None

    def _variable_name(self, slug: str) -> str:
        for tool in ([self.tool] if self.tool else []) + list(self.catalogue.values()):
            if tool.github == slug and tool.variables:
                return tool.variables[0]
        return "_".join(words(slug.split("/")[1])).upper() + "_VERSION"

    def _add_release_version(self, f: Floating) -> str | None:
        """Insert `version = "X"` after the block's `chart` attribute, aligned like it."""
        lines = Lines(self.text)
        for n in range(f.line - 1, len(lines)):
            m = re.match(r"^(\s*)chart(\s*)=", lines.line(n))
            if m:
                indent, eq_col = m.group(1), m.end() - 1
                pad = " " * max(1, eq_col - len(indent) - len("version"))
                self.cuts.append(Cut(Span(lines.end(n), lines.end(n)),
                                     f'{indent}version{pad}= "{self.version.lstrip("v")}"\n'))
                return None
            if lines.line(n).strip() == "}":
                break
        return "no chart attribute to put the version after"


def _defines(text: str, name: str, kind: str) -> bool:
    op = r"\s*(?:\?=|:=|::=|=)" if kind == "make" else r"="
    return bool(re.search(rf"(?m)^\s*(?:export\s+)?{re.escape(name)}{op}", text))


def _definition(text: str, kind: str, name: str, version: str) -> Cut:
    """An insertion defining the variable after the file's header: below the shebang and
    comments, and below its `set`/`include` lines and first block of assignments."""
    lines = Lines(text, comment="#")
    assignment = re.compile(r"^\s*(?:export\s+)?[A-Za-z_]\w*\s*(\?=|:=|::=|\+=|=)" if kind == "make"
                            else r"^\s*(?:export\s+|readonly\s+)?[A-Za-z_]\w*=")
    last, last_is_assignment, first_code = -1, False, len(lines)
    for n in range(len(lines)):
        line = lines.line(n)
        if lines.is_blank(n) or lines.is_comment(n):
            continue
        if line.startswith(("set ", "include ", "-include ")) or assignment.match(line):
            last, last_is_assignment = n, bool(assignment.match(line))
            continue
        first_code = n
        break
    newline = "\r\n" if "\r\n" in text else "\n"
    definition = f'{name}="{version}"' if kind == "shell" else f"{name} ?= {version}"
    if kind == "make" and last_is_assignment:
        # Line up with an aligned block (`ISTIO_VERSION ?= 1.24.0`) when the name fits.
        column = re.search(r"\s*(\?=|:=|::=|\+=|=)", lines.line(last)).start(1)
        definition = f"{name.ljust(column - 1)} ?= {version}"
    if last >= 0:
        at = lines.end(last)
        return Cut(Span(at, at), (definition if last_is_assignment else newline + definition) + newline)
    at = lines.start(first_code)
    return Cut(Span(at, at), definition + newline + newline)
