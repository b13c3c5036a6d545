"""Operation `set_version`: move every recognised occurrence of a tool's version to a new one,
each in its own form (v prefix or not, full or minor-only, quotes untouched). The target is one
of `tool=` (the catalogue, here; the language toolchains go, node, python, ruby in
version_targets.py), `image=`, `chart=`, `github=`, `provider=` or `module=` (open targets,
version_targets.py).

The versions found before the change are reported per file, so a reviewer sees whether the
repository was consistent. Lines that name the tool next to one of those versions but are not a
recognised form (prose, an unknown script) go to the residue; an image pinned by digest is not
changed (the digest would no longer match) and is reported too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_bot.domain import charts
from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.domain.lookups import LATEST_STABLE
from gitops_bot.domain.images import is_prefix, is_repository, is_tag
from gitops_bot.domain.names import Prefilter
from gitops_bot.domain.toolchains import TOOLCHAINS
from gitops_bot.domain.versions import (Anchors, Occurrence, Tool, is_from, is_minor_only, is_renovate_config,
                                         is_tool_version, is_version, parse_from, scan)
from gitops_bot.domain.worktree import Probe
from gitops_bot.edit import classify
from gitops_bot.errors import UserError, did_you_mean
from gitops_bot.ops import chart_bump, flux_versions, latest_versions
from gitops_bot.ops.checked_write import write_checked
from gitops_bot.ops.state import RunState
from gitops_bot.parse.cache import parse_once
from gitops_bot.text.splice import Cut, Span, report_line

# The open targets' module (version_targets) and the readers only they use (GitHub, Terraform and
# Python package references) are imported where those targets run: a catalogue tool's run, the
# scheduled bump, loads none of them.


_TARGETS = ("tool", "image", "chart", "github", "provider", "module", "pypi")


def run(state: RunState, args: dict[str, str]) -> None:
    """Dispatch on the target: exactly one of tool=, image=, chart=, github=, provider=, module= (UserError
    otherwise)."""
    given = {key: args[key] for key in _TARGETS if args.get(key)}
    if len(given) != 1:
        raise UserError("set-version needs exactly one target: tool=NAME, image=REPOSITORY, chart=NAME, "
                        "github=OWNER/REPO, provider=NAMESPACE/NAME, module=SOURCE or pypi=PACKAGE"
                        + (f" (given: {', '.join(given)})" if given else ""))
    state.limit_to(args.get("paths", ""))  # UserError (exit 2) for a bad glob or one matching nothing
    if args.get("to") and not given.keys() & {"image", "module"}:
        raise UserError("to= applies to image= only, or to module= (a Terraform module moved to a registry source)")
    if args.get("digest") and not given.keys() & {"image", "tool"}:
        raise UserError("digest= applies to image= and tool= (its images pinned by digest) only")
    if args.get("from") and not given.keys() & {"tool", "pypi"}:
        raise UserError("from= applies to tool= (a catalogue tool or a toolchain) and pypi= only")
    args = _looked_up(state, given, args)
    if "image" in given:
        _run_image(state, args)
    elif "chart" in given:
        from gitops_bot.ops import version_targets

        new = _version(args)
        if not (is_version(new) or charts.is_wildcard(new)):
            raise UserError(f"version={new!r} does not match a chart version (X.Y.Z, optionally v-prefixed, or a "
                            "wildcard range such as 55.x)")
        version_targets.run_chart(state, args["chart"], new)
        flux_versions.run_flux_substituted(state, (args["chart"],), new, f"chart {args['chart']}")
        version_targets.old_versions_elsewhere(state, f"chart {args['chart']}", new)
    elif "github" in given:
        _run_github(state, args)
    elif "provider" in given or "module" in given:
        run_terraform(state, args)
    elif "pypi" in given:
        _run_pypi(state, args)
    else:
        _run_tool(state, args)
    _note_downgrade(state, given, args)
    if args.get("bump_chart"):
        chart_bump.bump_changed_charts(state, args["bump_chart"])


_PLAIN_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


def _numbers(version: str) -> tuple[int, ...] | None:
    """(X, Y[, Z]) of a plain version (`1.29`, `v1.22.3`); None for any other form."""
    m = _PLAIN_VERSION_RE.fullmatch(version)
    return tuple(int(g) for g in m.groups() if g is not None) if m else None


def _note_downgrade(state: RunState, given: dict[str, str], args: dict[str, str]) -> None:
    """A residue entry when the asked version is older than every plain version the run found:
    a typo (`1.2.0` for `1.22.0`) looks like that, and so does a deliberate rollback (3 of the
    corpus's 82 set-version cases: a revert, a test of an update workflow). The run goes on; the
    reviewer's checklist asks to confirm it. from= (the user named the versions to move) and
    Terraform constraints are not judged."""
    if args.get("from") or given.keys() & {"provider", "module"}:
        return
    asked = _numbers(args.get("version") or "")
    found = [f for f in state.found if f.kind is Kind.VERSION and _numbers(f.value)]
    if asked is None or not found:
        return
    olds = [_numbers(f.value) or () for f in found]
    if all(asked[:len(old)] < old[:len(asked)] for old in olds):
        values = [f.value for f in found]
        tally = ", ".join(f"{v} x{values.count(v)}" for v in sorted(set(values)))
        first = min(found, key=lambda f: (f.path, f.line))
        state.notes.append(Finding(first.path, first.line, first.text.strip(),
                                   f"version={args['version']} is older than every version found ({tally}): "
                                   "a downgrade; check it is meant"))


def _version(args: dict[str, str]) -> str:
    if not args.get("version"):
        raise UserError("set-version needs version=")
    return args["version"]


def _run_image(state: RunState, args: dict[str, str]) -> None:
    image, to, version, digest = args["image"], args.get("to") or None, args.get("version") or None, args.get("digest")
    for key, value in (("image", image), ("to", to)):
        if value is not None and not is_repository(value) and not (key == "image" and is_prefix(value)):
            raise UserError(f"{key}={value!r} is not an image repository (REGISTRY/PATH, no tag or digest; "
                            "image= also takes REGISTRY/PATH/* for every image under a path)")
    if to is not None and is_prefix(image):
        raise UserError("to= renames one repository; image= names a prefix (REGISTRY/PATH/*)")
    if version is None and to is None:
        raise UserError("set-version image= needs version= (a tag), to= (another repository), or both")
    if version is not None and not is_tag(version):
        raise UserError(f"version={version!r} is not an image tag")
    if digest and digest not in ("keep", "drop", "resolve"):
        raise UserError(f"digest={digest!r}: say keep, drop or resolve (look up the new tag's digest)")
    if to == image:
        raise UserError("to= names the same repository as image=")
    if digest == "resolve":
        if version is None:
            raise UserError("digest=resolve needs version= (the tag whose digest is looked up)")
        digest = latest_versions.image_digest(state, to or image, version)
    from gitops_bot.ops import version_targets

    version_targets.run_image(state, image, version, to, digest or None, literal=bool(args.get(_LOOKED_UP)))
    if version is not None:
        version_targets.old_versions_elsewhere(state, image, version)


def _run_pypi(state: RunState, args: dict[str, str]) -> None:
    from gitops_bot.domain.python_packages import is_name as is_package
    from gitops_bot.ops import version_targets

    name, new = args["pypi"], _version(args)
    if not is_package(name):
        raise UserError(f"pypi={name!r} is not a Python package name")
    if not is_version(new):
        raise UserError(f"version={new!r} does not match a version (X.Y.Z)")
    version_targets.run_pypi(state, name, new.lstrip("v"), _from(args))


# Set in the arguments when version= came from a lookup: the registry's own tag, written as it is.
_LOOKED_UP = "looked_up"


def _looked_up(state: RunState, given: dict[str, str], args: dict[str, str]) -> dict[str, str]:
    """`args` with version=latest-stable replaced by the version the run's lookups give (image=:
    its registry's newest stable tag, chart=: its Helm repository's, github=: the latest release)."""
    pre = latest_versions.prerelease(args)
    if args.get("prerelease") and args.get("version") != LATEST_STABLE:
        raise UserError("prerelease= applies to version=latest-stable only")
    if args.get("repo") and not (args.get("version") == LATEST_STABLE and "chart" in given):
        raise UserError("repo= applies to chart= with version=latest-stable only (the Helm repository to look in)")
    if args.get("version") != LATEST_STABLE:
        return args
    if "image" in given:
        image = args.get("to") or args["image"]
        if not is_repository(image):
            raise UserError(f"image={image!r} is not an image repository (REGISTRY/PATH, no tag or digest)")
        version = latest_versions.image_version(state, image, pre)
    elif "chart" in given:
        version = latest_versions.chart_version(state, args["chart"], args.get("repo") or None, pre)
    elif "github" in given:
        from gitops_bot.domain.github_refs import is_project

        if not is_project(args["github"]):
            raise UserError(f"github={args['github']!r} is not a GitHub project (OWNER/REPO)")
        if pre:
            raise UserError("prerelease= applies to image= and chart= (a GitHub latest release is never one)")
        version = latest_versions.github_version(state, args["github"])
    else:
        raise UserError("version=latest-stable applies to image=, chart= and github= only")
    return {**args, "version": version, _LOOKED_UP: "true"}


def _run_github(state: RunState, args: dict[str, str]) -> None:
    from gitops_bot.domain.github_refs import is_project, is_release_branch, is_version_ref
    from gitops_bot.ops import version_targets

    project, new = args["github"], _version(args)
    if not is_project(project):
        raise UserError(f"github={project!r} is not a GitHub project (OWNER/REPO)")
    if not (is_version_ref(new) or is_release_branch(new)):
        raise UserError(f"version={new!r} is neither a version tag (v1.2.3, 1.2.3-rc.1) nor a release branch "
                        "(release-1.2)")
    version_targets.run_github(state, project, new)
    version_targets.old_versions_elsewhere(state, project, new)


def run_terraform(state: RunState, args: dict[str, str], pin: bool = False) -> None:
    """provider=NAMESPACE/NAME or module=SOURCE with version= (a Terraform constraint, or a tag for a
    GitHub module source); also pin-versions' entry (`pin`): a constraint pin is writing the
    constraint where it floats (an exact version stays: pinning never moves a pin)."""
    from gitops_bot.domain import terraform_refs
    from gitops_bot.domain.github_refs import is_release_branch, is_version_ref
    from gitops_bot.ops import version_targets

    new = _version(args)
    if args.get("provider"):
        # several providers released together take one constraint (google and google-beta)
        names = args["provider"].split(",")
        wanted = [terraform_refs.provider(name) for name in names]
        if None in wanted:
            bad = names[wanted.index(None)]
            raise UserError(f"provider={bad!r} is not a Terraform provider (NAMESPACE/NAME)")
        if not terraform_refs.is_constraint(new):
            raise UserError(f"version={new!r} is not a Terraform version constraint (1.2.3, ~> 5.95, >= 4.0, < 6.0)")
        for provider in dict.fromkeys(wanted):
            version_targets.run_provider(state, provider, new, pin)
        return
    source, to = args["module"], args.get("to")
    if to:
        if terraform_refs.registry_module(to) is None or "//" in to:
            raise UserError(f"to={to!r} is not a registry module (NAMESPACE/NAME/PROVIDER)")
        if terraform_refs.github_project(source) is None and terraform_refs.registry_module(source) is None:
            raise UserError(f"module={source!r} is neither a registry module (NAMESPACE/NAME/PROVIDER) nor a GitHub "
                            "source (github.com/OWNER/REPO)")
        if not terraform_refs.is_constraint(new):
            raise UserError(f"version={new!r} is not a Terraform version constraint (1.2.3, ~> 1.0, >= 4.0, < 6.0)")
        version_targets.run_module_move(state, source, to, new)
        return
    if terraform_refs.github_project(source) is not None:
        if not (is_version_ref(new) or is_release_branch(new)):
            raise UserError(f"version={new!r} is not a version tag (v1.2.3, 1.2.3) for a GitHub module source")
    elif terraform_refs.registry_module(source) is None:
        raise UserError(f"module={source!r} is neither a registry module (NAMESPACE/NAME/PROVIDER) nor a GitHub "
                        "source (github.com/OWNER/REPO)")
    elif not terraform_refs.is_constraint(new):
        raise UserError(f"version={new!r} is not a Terraform version constraint (1.2.3, ~> 1.0, >= 4.0, < 6.0)")
    version_targets.run_module(state, source, new, pin)


def _from(args: dict[str, str]) -> tuple[str, ...]:
    """from=: the old versions that move (others are kept and listed); empty: every version moves."""
    try:
        return parse_from(args.get("from", ""))
    except ValueError as bad:
        raise UserError(f"from={bad} is not a version (X.Y.Z, X.Y or X, optionally v-prefixed)") from None


def _run_tool(state: RunState, args: dict[str, str]) -> None:
    new, olds, digest = _version(args), _from(args), args.get("digest") or None
    if args["tool"] in TOOLCHAINS and args["tool"] not in state.catalogue:  # the repository's entry wins
        toolchain = TOOLCHAINS[args["tool"]]
        # Node's majors are its releases (`node:22`, `.nvmrc` 22): version=22 moves what is written so
        major = not toolchain.majors_apart and re.fullmatch(r"v?\d+", new)
        if not (is_version(new) or is_minor_only(new) or major):
            raise UserError(f"version={new!r} does not match a version (X.Y.Z or X.Y, optionally v-prefixed"
                            f"{'; or X' if not toolchain.majors_apart else ''})")
        from gitops_bot.ops import version_targets

        version_targets.run_toolchain(state, toolchain, new, olds, digest)
        return
    if args["tool"] not in state.catalogue:
        known = {*state.catalogue, *TOOLCHAINS}
        raise UserError(f"unknown tool {args['tool']!r}{did_you_mean(args['tool'], known)} "
                        f"(known: {', '.join(sorted(known))})")
    tool = state.tool(args["tool"])
    if not is_tool_version(new, tool):
        build = ", or X.Y.Z+BUILD" if tool.build_metadata else ""
        raise UserError(f"version={new!r} does not match a version (X.Y.Z or X.Y, optionally v-prefixed{build})")
    found_versions: set[str] = set()
    found_minors: set[str] = set()
    candidates = _candidates(state, tool)
    for path, text, kind, occurrences in occurrences_in_tree(state, tool, candidates):
        state.found.extend(Finding(path, o.line, report_line(text, o.line), f"{o.form}: {o.version}",
                                   Kind.VERSION, o.version)
                           for o in occurrences)
        found_versions.update(o.version.lstrip("v") for o in occurrences if not o.minor_only)
        found_minors.update(o.version for o in occurrences if o.minor_only and not o.version.startswith("v"))
        cuts = [cut for o in occurrences for cut in _cuts(state, path, text, tool, o, new, olds, digest)]
        write_checked(state, path, text, kind, cuts,
                      rescan=lambda result: _rescan_problem(path, result, kind, tool, new, olds))
    if tool.chart_names:
        flux_versions.run_flux_substituted(state, tool.chart_names, new, tool.name)
    _lookalikes(state, tool, found_versions)
    _path_lookalikes(state, tool, found_versions)
    _minor_lookalikes(state, tool, found_minors, candidates)
    _renovate_lookalikes(state, tool, found_minors)
    _separate_charts(state, tool)


def _cuts(state: RunState, path: str, text: str, tool: Tool, o: Occurrence, new: str, olds: tuple[str, ...],
          digest: str | None) -> list[Cut]:
    """The edits moving one occurrence to `new`, or none with the reason it stays in the residue."""
    def keep(reason: str) -> list[Cut]:
        # an edit asked for and not made is a refused edit (a human finishes it: exit 1), as for image=
        found = state.refused if reason.startswith("edit refused") else state.notes
        found.append(Finding(path, o.line, report_line(text, o.line).strip(), reason, Kind.KEPT))
        return []

    if olds and not is_from(o.canonical(), olds):
        return keep(f"kept: {o.form} {o.version} is not from={','.join(olds)}")
    if o.kept:
        return keep(f"kept: {o.form}: {o.kept}")
    if o.pinned_digest and not digest:
        if o.image is None:
            return []  # the note above a pinned image: the image's own entry says why both stay
        from gitops_bot.ops.version_targets import PINNED_BY_DIGEST

        return keep(f"edit refused: {tool.name} {PINNED_BY_DIGEST}")
    if not o.keeps_precision(new):
        return keep(f"kept: {o.form} {o.version} is written with its patch; version={new} names a minor "
                    "only (ask for X.Y.Z to move it)")
    tag = o.rewritten(new)
    cuts = [Cut(Span(o.start, o.end), tag)] if tag != o.version else []
    if cuts and o.suffix:
        state.notes.append(Finding(path, o.line, report_line(text, o.line).strip(),
                                   f"changed, its suffix kept: check {tag}{o.suffix} is a release"))
    if not (o.pinned_digest and o.image is not None) or digest == "keep" or (digest == "drop" and not cuts):
        return cuts
    if o.digest is None:
        return keep(f"edit refused: {tool.name} image: its digest is not sha256:<64 hex digits>; change it by hand")
    if digest == "drop":
        return cuts + [Cut(Span(*o.digest), "")]
    resolved = "@" + latest_versions.image_digest(state, o.image, tag)
    return cuts + ([Cut(Span(*o.digest), resolved)] if text[o.digest[0]:o.digest[1]] != resolved else [])


def _path_lookalikes(state: RunState, tool: Tool, versions: set[str]) -> None:
    """Residue: in a file whose path names the tool (synchronize-istio-manifests.sh,
    istio/profile.yaml), lines holding an old version in no recognised form although they do not
    name the tool (`COMMIT="1.28.0"`, `tag: 1.28.0`); `_lookalikes` has those that name it."""
    if not versions:
        return
    name = re.compile(re.escape(tool.name.split("-")[0]), re.IGNORECASE)
    version_re = _old_versions(versions)
    for path in state.tree.paths():
        text = state.tree.original(path) if name.search(path) and state.in_scope(path) else None
        if text is None or not _holds(version_re, versions, text):
            continue
        suspects = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
                    if not name.search(line) and version_re.search(line)]
        covered = {o.line for o in _scan(state, path, text, classify(path, text), tool)} if suspects else set()
        for number, line in suspects:
            if number not in covered:
                state.notes.append(Finding(path, number, line.strip(),
                                           f"looks like {tool.name} {version_re.search(line).group(1)} (in a path "
                                           f"naming {tool.name}) but is not a recognised form"))


def _separate_charts(state: RunState, tool: Tool) -> None:
    """Residue: Helm charts named like the tool that the catalogue does not version like it
    (the argo-cd chart is 5.x while Argo CD is 2.x): never moved by tool=, never silent either."""
    if tool.name in tool.chart_names:
        return
    # A chart is named in `chart: NAME`/`chart = "NAME"` (or `REPO/NAME`), or as a Chart.yaml
    # dependency's `name:`: only files with such a line are parsed (a big manifest naming istio is not).
    named = re.compile(rf"chart[\"']?\s*[:=][^\n]*(?<![\w.-]){re.escape(tool.name)}(?![\w.-])", re.IGNORECASE)
    for path in state.tree.grep(Prefilter((tool.name,))):
        text = state.tree.original(path) if state.in_scope(path) else None
        # `chart` first: only ASCII letters match it case-insensitively, and an IGNORECASE pattern is
        # tried at every offset of the text. A dependency's name is the chart's exactly: a Chart.yaml
        # whose `Istio` is in a comment is not parsed.
        if text is None or not (("chart" in text.lower() and named.search(text))
                                or (path.rsplit("/", 1)[-1] in ("Chart.yaml", "requirements.yaml")
                                    and tool.name in text)):
            continue
        for ref in charts.references(path, text, classify(path, text), tool.name):
            state.notes.append(Finding(path, ref.line, report_line(text, ref.line).strip(),
                                       f"kept: {ref.form} {ref.version} of chart {tool.name}, versioned apart from "
                                       f"the tool; set it with chart={tool.name}", Kind.KEPT))


def _candidates(state: RunState, tool: Tool) -> list[str]:
    """The files that may hold one of the tool's forms (its Anchors). The same pass over the tree
    probes the words the run's later passes look for (the tool's name, for its lookalikes and its
    charts; `helmrelease`, for Flux's substituted versions), so that those passes read only the
    files holding them (Worktree.grep_many's gates) instead of the whole tree again."""
    probes = {word: Probe(word) for word in (tool.name.split("-")[0], "helmrelease")}
    return state.tree.grep_many({None: tool.anchors(), **probes})[None]


def occurrences_in_tree(state: RunState, tool: Tool, candidates: list[str]):
    """(path, text, kind, occurrences) for each of the `candidates` in the run's scope (paths=)
    holding one of the tool's forms."""
    tree = state.tree
    for path in candidates:
        text = tree.read(path) if state.in_scope(path) else None
        if text is None:
            continue
        kind = classify(path, text)
        occurrences = _scan(state, path, text, kind, tool)
        if occurrences:
            yield path, text, kind, occurrences


def _scan(state: RunState, path: str, text: str, kind: str, tool: Tool) -> list[Occurrence]:
    """`scan`, once per tool and text in this run (the lookalike pass asks again for the files
    it saw first), with the tree's shared parses."""
    return parse_once(_Scanner(tool, path, kind), text)


@dataclass(frozen=True)
class _Scanner:
    """scan() as a parser of one text, for parse_once: equal scanners share one result."""

    tool: Tool
    path: str
    kind: str

    def __call__(self, text: str) -> list[Occurrence]:
        return scan(self.path, text, self.kind, self.tool)


def _rescan_problem(path: str, text: str, kind: str, tool: Tool, new: str, olds: tuple[str, ...] = ()) -> str | None:
    stale = [o for o in scan(path, text, kind, tool)
             if not o.pinned_digest and not o.kept and o.keeps_precision(new) and o.version != o.rewritten(new)
             and (not olds or is_from(o.canonical(), olds))]
    return f"{len(stale)} occurrence(s) still carry another version after the edit" if stale else None


def _lookalikes(state: RunState, tool: Tool, versions: set[str]) -> None:
    """Residue: lines naming the tool next to an old version that no recognised form covers."""
    if not versions:
        return
    name = re.compile(re.escape(tool.name.split("-")[0]), re.IGNORECASE)
    version_re = _old_versions(versions)
    tree = state.tree
    for path in tree.grep(Prefilter((tool.name.split("-")[0],))):
        text = tree.original(path) if state.in_scope(path) else None  # notes speak of the original's lines
        if text is None or not _holds(version_re, versions, text):
            continue  # no old version anywhere in the file: no line can look like one
        suspects = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
                    if name.search(line) and version_re.search(line)]
        if not suspects:
            continue
        covered = {o.line for o in _scan(state, path, text, classify(path, text), tool)}
        covered |= {f.line for f in state.found if f.path == path}  # another pass's form (Flux substitution)
        for number, line in suspects:
            if number not in covered:
                state.notes.append(Finding(path, number, line.strip(),
                                           f"looks like {tool.name} {version_re.search(line).group(1)} "
                                           "but is not a recognised form"))


def _minor_lookalikes(state: RunState, tool: Tool, minors: set[str], candidates: list[str]) -> None:
    """Residue: lines naming one of the tool's Terraform attributes (cluster_version), variables,
    or a setting named for it (`KUBERNETES_NODE_VERSION`) next to an old minor version that no
    recognised form covers: HCL in a Markdown code block, a script, a docs site's
    `KUBERNETES_NODE_VERSION: "1.31-eks-036c24b"` (a release a human looks up)."""
    words = (*tool.terraform, *tool.variable_names())
    if not minors or not words:
        return
    setting = rf"{re.escape(tool.name.upper().replace('-', '_'))}_\w*VERSION"
    names = re.compile(r"(?<!\w)(?:" + "|".join([*(re.escape(n) for n in words), setting]) + r")(?!\w)")
    version_re = re.compile(r"(?<![\w.])(" + "|".join(re.escape(v) for v in sorted(minors)) + r")(?![\w.])")
    tree = state.tree
    # files holding one of the words (a setting named for the tool sits beside one of its
    # variables: KUBERNETES_NODE_VERSION beside KUBERNETES_VERSION). The words are among the
    # tool's Anchors, so such a file is one of the `candidates` or one the run has written since.
    among = sorted({*candidates, *tree.touched()})  # the listing's order
    for path in tree.grep(Anchors(tuple(n.encode() for n in words)), among):
        text = tree.original(path) if state.in_scope(path) else None
        if text is None or not _holds(version_re, minors, text):
            continue
        suspects = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
                    if names.search(line) and version_re.search(line)]
        covered = {o.line for o in _scan(state, path, text, classify(path, text), tool)} if suspects else set()
        for number, line in suspects:
            if number not in covered:
                state.notes.append(Finding(path, number, line.strip(),
                                           f"looks like {tool.name} {version_re.search(line).group(1)} "
                                           "but is not a recognised form"))


def _renovate_lookalikes(state: RunState, tool: Tool, minors: set[str]) -> None:
    """Residue: Renovate rules of other packages whose `allowedVersions` holds an old minor of the
    tool (eks-workshop-v2's cluster-autoscaler rule follows the Kubernetes minor): the reviewer
    decides whether the rule follows the tool."""
    if not minors:
        return
    old = re.compile(r"(?<![\d.])v?(" + "|".join(re.escape(v) for v in sorted(minors)) + r")(?![\d])")
    for path in [p for p in state.tree.paths() if is_renovate_config(p) and not state.tree.is_deleted(p)]:
        text = state.tree.original(path) if state.in_scope(path) else None
        covered = {f.line for f in state.found if f.path == path}
        for number, line in enumerate((text or "").splitlines(), start=1):
            m = old.search(line) if "allowedVersions" in line and number not in covered else None
            if m:
                state.notes.append(Finding(path, number, line.strip(),
                                           f"a Renovate rule allowing {tool.name}'s old minor {m.group(1)}: check "
                                           "whether it follows it"))


def _old_versions(versions: set[str]) -> re.Pattern[str]:
    """One of the old `versions` written alone (group 1), optionally v-prefixed: what a lookalike is."""
    return re.compile(r"(?<![\w.])v?(" + "|".join(re.escape(v) for v in sorted(versions)) + r")(?![\w.])")


def _holds(version_re: re.Pattern[str], versions: set[str], text: str) -> bool:
    """Whether `version_re` (which opens with a lookbehind, then an optional `v`, then one of
    `versions`) matches somewhere in `text`; tried only where a version's literal starts (a match
    starts there or one character before), since a pattern opening with a lookbehind is tried at
    every offset: 0.5 s over the files naming istio in bench_realistic.py's tree, 0.02 s so."""
    for version in versions:
        at = text.find(version)
        while at != -1:
            if version_re.match(text, at) or (at and version_re.match(text, at - 1)):
                return True
            at = text.find(version, at + 1)
    return False
