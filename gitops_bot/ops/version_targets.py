"""`set-version` for open targets: `image=REPOSITORY` (any container image, optionally moved to
another repository with `to=`), `chart=NAME` (any Helm chart, by name) and `github=OWNER/REPO`
(any GitHub project's tags and release branches), `provider=NAMESPACE/NAME` and `module=SOURCE`
(Terraform providers' and modules' version constraints). The catalogue's `tool=` stays in
set_version.py, which validates the parameters and dispatches here.

Every reference found is reported (state.found); a reference the bot does not change although
it holds a version (a tag that is not a version, documentation, a digest without `digest=`, a
chart version range, a branch or a commit) goes to the residue or, when changing it was asked
and refused, to the refused edits, each with its line and reason.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable, Iterable

from gitops_bot.domain import (charts, flux_substitution, github_refs, images, python_packages, terraform_refs,
                               toolchains)
from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.domain.versions import HASH_COMMENTS, assignments, is_from, is_version, version_comments
from gitops_bot.domain.worktree import Literals
from gitops_bot.edit import classify
from gitops_bot.errors import UserError
from gitops_bot.ops import latest_versions
from gitops_bot.ops.checked_write import write_checked
from gitops_bot.ops.state import RunState
from gitops_bot.text.splice import Cut, Span, report_line, report_lines

_DOCS = ("markdown", "rst")  # prose: a version there is reported, never rewritten
# A plain YAML scalar a YAML 1.1/1.2 loader would not read back as this string (1.10 -> 1.1).
_NOT_A_STRING_RE = re.compile(r"^(?:[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|true|false|"
                              r"yes|no|on|off|null|~)$", re.IGNORECASE)


def _candidates(state: RunState, word: str, flags: int = 0, pattern: str = "") -> Iterable[tuple[str, str, str]]:
    """(path, text, kind) of each file in the run's scope (paths=) holding `word` (or matching
    the regular expression `pattern`, when given)."""
    for path in state.tree.grep(re.compile((pattern or re.escape(word)).encode(), flags)):
        text = state.tree.read(path) if state.in_scope(path) else None
        if text is not None:
            yield path, text, classify(path, text)


def run_image(state: RunState, image: str, version: str | None, to: str | None, digest: str | None,
              literal: bool = False) -> None:
    """Move every reference to `image` to tag `version` and/or repository `to`; with a version
    alone, a pin of its own (_own_pin: an older major than the newest the tree writes for that
    repository, or an older minor in a kind of file that writes no newest one) is listed, not
    moved (a run limited to it with paths= moves it). Within one major, in the kinds of file that
    write the newest, every version moves: a repository bumping skaffold v2.1.0 and v2.3.1 in
    its Cloud Build files to v2.6.1 moves both. Each tag keeps its own `v` spelling unless the tag
    is `literal` (a registry's own tag, looked up for version=latest-stable) or the image renamed."""
    mention = _image_mention(image)
    charts_read: list[str] = []  # Chart.yaml files whose appVersion is the images' default tag
    found = [(path, text, kind, images.references(text, kind, image))
             for path, text, kind in _candidates(state, images.path_part(image))]
    current = _current_minors(found, image)
    olds: set[str] = set()  # the tags the run moved, as written
    for path, text, kind, refs in found:
        if version and kind in ("yaml", "helm") and posixpath.basename(path) == "values.yaml":
            charts_read += _app_version_chart(state, path, text, image,
                                              {text[r.tag[0]:r.tag[1]].lstrip("v") for r in refs if r.tag})
        cuts, covered, moved = [], set(), []
        for ref in refs:
            tag = text[ref.tag[0]:ref.tag[1]] if ref.tag else ""
            where = report_line(text, ref.line)
            state.found.append(Finding(path, ref.line, where, f"{ref.form}: {tag or 'untagged'}", Kind.VERSION,
                                       tag or "untagged"))
            covered.add(ref.line)
            name = text[ref.name[0]:ref.name[1]] if ref.name else image
            pin = _own_pin(tag, kind, current.get(name)) if version and not to and kind not in _DOCS else ""
            if pin:
                _left(state, path, ref.line, where.strip(),
                      f"{name}: {pin}: a pin of its own, not moved (a run limited to it with paths= moves it)")
                continue
            ref_cuts = _image_cuts(state, path, text, kind, ref, tag, version, to, digest, literal)
            tag_cut = next((cut for cut in ref_cuts if ref.tag and cut.span.start == ref.tag[0]), None)
            if tag_cut is not None:
                _stale(state, path, text, ref.line, ref.tag, tag)
                moved.append((text.count("\n", 0, ref.tag[0]) + 1, tag, tag_cut.replacement.split("@")[0]))
            cuts += ref_cuts
        cuts += _comment_cuts(state, path, text, kind, moved, covered)
        _unrecognised(state, path, text, mention, covered, image)
        write_checked(state, path, text, kind, cuts)
        olds.update(old for _, old, _ in moved)
    for chart in dict.fromkeys(charts_read):
        _app_version_cuts(state, chart, version)
    if version and not to:
        _release_constants(state, image, olds, version)


# `var VERSION = "6.9.2"` / `const Version = "v1.4.0"`: a Go program's own release version
_GO_RELEASE_CONSTANT_RE = re.compile(
    r'^(?:var|const)[ \t]+(?:VERSION|Version)[ \t]*(?:string[ \t]*)?=[ \t]*"(?P<v>v?\d+\.\d+\.\d+)"', re.MULTILINE)


def _project(module: str) -> str:
    """`acme/shop` of the Go module `github.com/acme/shop/v2`: the path its image would carry."""
    return re.sub(r"/v\d+$", "", module).lower().removeprefix("github.com/")


def _release_constants(state: RunState, image: str, olds: set[str], version: str) -> None:
    """The release constant of the image's own program moves with it: in a repository whose Go
    module is the image's project (`module github.com/stefanprodan/podinfo` for
    ghcr.io/stefanprodan/podinfo), a `version.go` of that module declaring `VERSION` (or
    `Version`) as one of the tags the run moved. The binary then reports what the image is
    tagged; any other file holding the old version is only listed (old_versions_elsewhere)."""
    project = images.path_part(image).lower()
    modules = state.go_modules()
    if not any(_project(module) == project for module in modules):
        return
    by_folder = {folder: module for module, folder in modules.items()}
    plain = {old.lstrip("v") for old in olds}
    for path in state.tree.paths():
        if posixpath.basename(path) != "version.go" or not state.in_scope(path):
            continue
        owner = max((f for f in by_folder if f == "" or path.startswith(f + "/")), key=len, default=None)
        if owner is None or _project(by_folder[owner]) != project:
            continue  # the program of another module (a nested go.mod) has a release of its own
        text = state.tree.read(path) or ""
        cuts = []
        for m in _GO_RELEASE_CONSTANT_RE.finditer(text):
            written = m.group("v")
            if written.lstrip("v") not in plain:
                continue
            line = text.count("\n", 0, m.start()) + 1
            state.found.append(Finding(path, line, report_line(text, line).strip(),
                                       f"release constant of the image's own program: {written}", Kind.VERSION,
                                       written))
            new = ("v" if written.startswith("v") else "") + version.lstrip("v")
            if new != written:
                cuts.append(Cut(Span(*m.span("v")), new))
        write_checked(state, path, text, classify(path, text), cuts)


_TAG_MINOR_RE = re.compile(r"v?(\d+)\.(\d+)|v?(\d+)(?![\w.])")


def _minor(tag: str) -> tuple[int, int] | None:
    """(major, minor) of a version-like tag (`3.21.2`, `v1.4`, `15-alpine`: minor 0 for a
    major alone); None for other tags (`latest`, `sha-1a2b`)."""
    m = _TAG_MINOR_RE.match(tag)
    if m is None:
        return None
    return (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)), 0)


def _current_minors(found: list, image: str) -> dict[str, tuple[tuple[int, int], frozenset[str]]]:
    """Per repository as written, the newest (major, minor) its tags in the tree have outside
    documentation (the version a bump moves on from), with the kinds of file that write it."""
    newest: dict[str, tuple[tuple[int, int], frozenset[str]]] = {}
    for _path, text, kind, refs in found:
        if kind in _DOCS:
            continue
        for ref in refs:
            minor = _minor(text[ref.tag[0]:ref.tag[1]]) if ref.tag else None
            name = text[ref.name[0]:ref.name[1]] if ref.name else image
            have = newest.get(name, ((-1, -1), frozenset()))
            if minor and minor > have[0]:
                newest[name] = (minor, frozenset({kind}))
            elif minor and minor == have[0]:
                newest[name] = (minor, have[1] | {kind})
    return newest


def _own_pin(tag: str, kind: str, current: tuple[tuple[int, int], frozenset[str]] | None) -> str:
    """Why a reference is a pin of its own that a bump does not move ("" when it moves): a tag of
    an older major than the newest the tree writes for that repository (a psql client on
    postgres 14 beside the database on 15), or of an older minor in a kind of file that writes
    no newest one (podinfo's chart test hooks on alpine:3.11 beside its Dockerfiles on 3.21)."""
    minor = _minor(tag)
    if current is None or minor is None or minor >= current[0]:
        return ""
    (major, newest_minor), kinds = current
    if minor[0] < major:
        return f"{tag} is of an older major than the current {major}.{newest_minor} here"
    if kind not in kinds and re.match(r"v?\d+\.\d+", tag):  # a major alone (`rabbitmq:3`) floats: it lags nothing
        return f"{tag} lags the current {major}.{newest_minor}, which no {kind} file here writes"
    return ""


def _app_version_chart(state: RunState, values_path: str, values: str, image: str, tags: set[str]) -> list[str]:
    """[the chart's Chart.yaml] when this values.yaml leaves `image`'s tag to the chart
    (`repository:` naming it, `tag: ""`) and a template of the chart tags it with
    `.Chart.AppVersion`, or when its appVersion is the tag the values give the image (`tags`,
    without a `v`: podinfo's chart says `appVersion: 6.9.2` beside `tag: 6.9.2`, the application
    it deploys); else []."""
    keys = images.app_version_keys(values, image)
    folder = posixpath.dirname(values_path)
    chart = posixpath.join(folder, "Chart.yaml")
    if not state.tree.listed(chart) or not state.in_scope(chart) or state.tree.original(chart) is None:
        return []
    app = charts.release_spans(state.tree.original(chart) or "").get("appVersion")
    if app is not None and app.version.lstrip("v") in tags:
        return [chart]
    if not keys:
        return []
    for path in state.tree.under(posixpath.join(folder, "templates")):
        text = state.tree.original(path)
        if text and any(images.reads_app_version(text, key, below) for key, below in keys):
            return [chart]
    return []


def _app_version_cuts(state: RunState, chart: str, version: str) -> None:
    """Move a chart's appVersion, the default tag of the image asked for, to `version`; and the
    chart's own version with it when the two were released together (equal but for a `v`): a
    chart whose content changes gets a new version, and this one follows its application's."""
    text = state.tree.read(chart)
    spans = charts.release_spans(text or "")
    app = spans.get("appVersion")
    if text is None or app is None:
        return
    state.found.append(Finding(chart, app.line, report_line(text, app.line), f"{app.form}, the images' default tag: "
                               f"{app.version}", Kind.VERSION, app.version))
    tag = images.new_tag(app.version, version)
    if not images.is_version_tag(app.version):
        _left(state, chart, app.line, report_line(text, app.line).strip(),
              f"appVersion {app.version!r} is not a version: left as it is")
        return
    cuts = [Cut(Span(app.start, app.end), tag)] if tag != app.version else []
    own = spans.get("version")
    if own is not None and own.version.lstrip("v") == app.version.lstrip("v") and own.plain and is_version(tag):
        new = ("v" if own.version.startswith("v") else "") + tag.lstrip("v")
        state.found.append(Finding(chart, own.line, report_line(text, own.line), f"{own.form}, released with its "
                                   f"appVersion: {own.version}", Kind.VERSION, own.version))
        if new != own.version:
            cuts.append(Cut(Span(own.start, own.end), new))
    write_checked(state, chart, text, classify(chart, text), cuts)


# Why a tag pinned by a digest next to it does not move alone (`image:tag@sha256:...`).
PINNED_BY_DIGEST = ("image pinned by digest; update tag and digest together (digest=resolve looks the new one up; "
                    "digest=keep or digest=drop)")


def _image_cuts(state: RunState, path: str, text: str, kind: str, ref: images.ImageRef, tag: str,
                version: str | None, to: str | None, digest: str | None, literal: bool = False) -> list[Cut]:
    """The edits of one reference, or none with the reason in the residue (or the refused edits
    when a change that was asked cannot be made)."""
    # a note on the tag names the line holding it (a values `tag:` below its `repository:`)
    tag_line = text.count("\n", 0, ref.tag[0]) + 1 if ref.tag else ref.line

    def note(reason: str, number: int = ref.line) -> list[Cut]:
        _left(state, path, number, report_line(text, number).strip(), reason)
        return []

    if kind in _DOCS:
        return note(f"{ref.form} in documentation: not changed")
    cuts, problem = _tag_cut(ref, tag, version, renaming=bool(to), literal=literal)
    if problem:
        return note(problem)
    if to:
        if ref.name is None:
            return note(f"edit refused: {ref.form}: the repository cannot be renamed in place; rename it by hand")
        if text[ref.name[0]:ref.name[1]] != to:
            cuts.append(Cut(Span(*ref.name), to))
    if digest and digest.startswith("sha256:"):
        return _with_digest(state, path, text, ref, tag, version, digest, cuts, note)
    if cuts and (ref.digest or ref.digest_key):
        if digest is None:
            return note("edit refused: " + PINNED_BY_DIGEST, tag_line)
        if digest == "drop":
            if ref.digest_key:
                return note("edit refused: the digest is in a key of its own; drop it by hand")
            cuts.append(Cut(Span(*ref.digest), ""))
    return cuts


def _with_digest(state: RunState, path: str, text: str, ref: images.ImageRef, tag: str, version: str | None,
                 digest: str, cuts: list[Cut], note: Callable[[str], list[Cut]]) -> list[Cut]:
    """digest=resolve: the reference's edits with `@digest` (the digest of `version`, looked up)
    replacing its digest or written after its tag."""
    if ref.tag is None or not version:
        return cuts
    new = images.new_tag(tag, version)
    if new != version:
        return note(f"edit refused: digest=resolve looked up the digest of {version}; this tag would become {new}")
    if ref.digest_key:
        return note(f"edit refused: the digest is in a key of its own; set it to {digest} by hand")
    if ref.digest is not None:
        old = text[ref.digest[0]:ref.digest[1]]
        return cuts + ([Cut(Span(*ref.digest), "@" + digest)] if old != "@" + digest else [])
    if ref.name is None or ref.tag[0] != ref.name[1] + 1:
        # the tag in a key of its own (Helm values, kustomize): where a digest goes is the chart's business
        _left(state, path, ref.line, report_line(text, ref.line).strip(),
              f"{ref.form} has no digest: add {digest} where the chart reads it, by hand")
        return cuts
    tag_cut = next((c for c in cuts if c.span.start == ref.tag[0]), None)
    rest = [c for c in cuts if c is not tag_cut]
    return rest + [Cut(Span(*ref.tag), (tag_cut.replacement if tag_cut else tag) + "@" + digest)]


def _left(state: RunState, path: str, number: int, line: str, reason: str, refused: bool | None = None) -> None:
    """A reference left as it is: a refused edit when the reason says so ("edit refused: ...", or
    `refused`), the residue otherwise."""
    refused = reason.startswith("edit refused") if refused is None else refused
    (state.refused if refused else state.notes).append(
        Finding(path, number, line, reason, Kind.KEPT if refused else Kind.RESIDUE))


def _tag_cut(ref: images.ImageRef, tag: str, version: str | None, renaming: bool,
             literal: bool = False) -> tuple[list[Cut], str]:
    """The tag's edit for version= (none without one), or why there is none worth a note."""
    if not version:
        return [], ""
    if ref.tag is None:
        # no tag, no version to move: reported among the references found, not as residue, unless
        # a tag may be there that the parsers could not read
        unlocated = ref.form in images.UNLOCATED_TAGS and not renaming
        return [], f"{ref.form}: check its tag by hand" if unlocated else ""
    if not images.is_version_tag(tag):
        return [], "" if renaming else f"tag {tag!r} is not a version: left as it is"
    replacement = images.new_tag(tag, version, same_spelling=not (renaming or literal))
    if ref.plain_yaml and _NOT_A_STRING_RE.match(replacement):
        return [], f"edit refused: tag {replacement} would not stay a string in plain YAML; quote it"
    return ([Cut(Span(*ref.tag), replacement)] if replacement != tag else []), ""


def run_chart(state: RunState, name: str, version: str) -> None:
    """Move every version of chart `name` to `version` (each in its own form: v prefix or not)."""
    # the name, not inside a longer name (`cert-manager-controller`); `-1.2.3` may follow (archives)
    mention = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w]|-[A-Za-z])")
    for path, text, kind in _candidates(state, name):
        cuts, covered, moved = [], set(), []
        for ref in charts.references(path, text, kind, name):
            line = report_line(text, ref.line)
            covered.add(ref.line)
            if flux_substitution.variable(ref.version):
                continue  # `${version}`: its value moves where Flux takes it from (run_flux_substituted)
            state.found.append(Finding(path, ref.line, line, f"{ref.form}: {ref.version}", Kind.VERSION, ref.version))
            # a wildcard range asked moves the ranges of its shape (Flux's `version: "54.x"`), and
            # a version asked moves the plain versions: each other kind is listed
            movable = charts.same_wildcard_shape(ref.version, version) if charts.is_wildcard(version) else ref.plain
            if not movable:
                what = "is not a plain version" if not charts.is_wildcard(version) else \
                    f"is not a range of the shape of {version}"
                state.notes.append(Finding(path, ref.line, line.strip(), f"{ref.form} {ref.version!r} {what}: "
                                                                         "left as it is"))
                continue
            replacement = ("v" if ref.version.startswith("v") else "") + version.lstrip("v")
            if replacement != ref.version:
                cuts.append(Cut(Span(ref.start, ref.end), replacement))
                _stale(state, path, text, ref.line, (ref.start, ref.end), ref.version)
                moved.append((ref.line, ref.version, replacement))
        cuts += _comment_cuts(state, path, text, kind, moved, covered, (name,))
        _unrecognised(state, path, text, mention, covered, f"chart {name}")
        if moved and posixpath.basename(path) == "Chart.yaml":
            _umbrella_version(state, path, text, name, version)
        write_checked(state, path, text, kind, cuts)


def _umbrella_version(state: RunState, path: str, text: str, name: str, version: str) -> None:
    """Residue: the own version of a chart whose dependency moved. Helm's convention gives a
    changed chart a new version, and humans differ (eks-blueprints-add-ons bumped its umbrella
    charts' 0.1.0 in two bumps and kept it in a third): the reviewer decides."""
    own = charts.release_spans(text).get("version")
    if own is not None:
        state.notes.append(Finding(path, own.line, report_line(text, own.line).strip(),
                                   f"the chart's own version {own.version}: its dependency {name} moved to {version}; "
                                   "a chart published from here needs a new version: not changed "
                                   "(bump_chart=patch does it)"))


GithubMove = Callable[[str, str, str], tuple[str, str]]  # (kind, ref, version) -> (new ref, or why not)


def run_github(state: RunState, project: str, version: str, move: GithubMove | None = None) -> None:
    """Move every tag or release branch of GitHub project `project` (OWNER/REPO) to `version`
    (a version tag, or a release branch `release-X.Y`), each in its own form; `move` decides each
    ref instead (pin-versions github=: only floating refs, to the tag)."""
    move = move or _github_ref
    for path, text, kind in _candidates(state, project, re.IGNORECASE, github_refs.grep_pattern(project)):
        cuts, covered, moved = [], set(), []
        for ref in github_refs.references(path, text, kind, project):
            line = report_line(text, ref.line)
            covered.add(ref.line)
            state.found.append(Finding(path, ref.line, line, f"{ref.form}: {ref.ref}", Kind.VERSION, ref.ref))
            replacement, problem = move(kind, ref.ref, version)
            if not problem and replacement != ref.ref and ref.path:
                problem = _missing_at(state, project, replacement, ref.path)
            if problem:
                _left(state, path, ref.line, line.strip(), f"{ref.form}: {problem}",
                      refused=problem.startswith("edit refused"))
            elif replacement != ref.ref:
                cuts.append(Cut(Span(ref.start, ref.end), replacement))
                _stale(state, path, text, ref.line, (ref.start, ref.end), ref.ref)
                moved.append((ref.line, ref.ref, replacement))
        cuts += _variable_cuts(state, path, text, kind, project, version, move, covered, moved)
        cuts += _comment_cuts(state, path, text, kind, moved, covered)
        _unrecognised(state, path, text, github_refs.mention(project), covered, f"github {project}")
        write_checked(state, path, text, kind, cuts)


def _missing_at(state: RunState, project: str, ref: str, path: str) -> str:
    """Why the edit that moves a reference to `project`'s `path` onto `ref` is refused: the path is
    not there at that ref (upstream moved or removed the file, so the moved URL would not resolve);
    "" when it is, or when nothing can tell (no lookup in this run, the ref unknown to the API, a
    truncated listing)."""
    tree = state.releases.repository_tree(project, ref)
    if tree is None or tree.has(path) is not False:
        return ""
    elsewhere = tree.named(path)
    there = (f" (the same name there: {', '.join(elsewhere[:3])}{', ...' if len(elsewhere) > 3 else ''})"
             if elsewhere else "")
    return f"edit refused: {path} is not in {project} at {ref}{there}: write the new path by hand"


def _variable_cuts(state: RunState, path: str, text: str, kind: str, project: str, version: str, move: GithubMove,
                   covered: set[int], moved: list[tuple[int, str, str]]) -> list[Cut]:
    """The project's refs written as a variable (`releases/download/${YQ_VERSION}/`): the
    variable's assignments in the same file move as the ref would (prefix + value, each in its
    form). A variable assigned no version here (set in the environment, another file, a workflow
    `env:`) is listed with the URL's line, never skipped."""
    cuts: list[Cut] = []
    uses: dict[str, list[github_refs.VariableRef]] = {}
    for ref in github_refs.variable_refs(text, project):
        uses.setdefault(ref.variable, []).append(ref)
    for name, refs in uses.items():
        covered.update(ref.line for ref in refs)
        first = refs[0]
        prefixes = {ref.prefix for ref in refs}
        found = assignments(path, text, kind, name) if len(prefixes) == 1 else []
        if not found:
            why = (f"its ref is ${{{name}}}, assigned no version in this file: set it where it is assigned"
                   if len(prefixes) == 1 else f"its ref is ${{{name}}} after different prefixes: set it by hand")
            _left(state, path, first.line, report_line(text, first.line).strip(), f"{first.form}: {why}")
            continue
        for o in found:
            line = report_line(text, o.line)
            covered.add(o.line)
            old = first.prefix + o.version
            state.found.append(Finding(path, o.line, line, f"{o.form} (the ref of {first.form}): {old}",
                                       Kind.VERSION, old))
            replacement, problem = move(kind, old, version)
            if not problem and not replacement.startswith(first.prefix):
                problem = f"edit refused: {replacement} does not start with {first.prefix}: change it by hand"
            if not problem and replacement != old:  # every URL the variable builds must still resolve
                problem = next(filter(None, (_missing_at(state, project, replacement, ref.path)
                                             for ref in refs if ref.path)), "")
            if problem:
                _left(state, path, o.line, line.strip(), f"{o.form} (the ref of {first.form}): {problem}",
                      refused=problem.startswith("edit refused"))
            elif replacement != old:
                cuts.append(Cut(Span(o.start, o.end), replacement[len(first.prefix):]))
                moved.append((o.line, o.version, replacement[len(first.prefix):]))
    return cuts


def run_provider(state: RunState, wanted: str, constraint: str, pin: bool = False) -> None:
    """Set the version constraint of Terraform provider `wanted` (NAMESPACE/NAME) to `constraint` in
    every `required_providers` entry, and in the terraform-docs rows of the README beside each."""
    declared: dict[str, dict[str, set[str]]] = {}  # folder -> local name -> constraints its .tf files declare
    for path, text, kind in _candidates(state, "required_providers"):
        if kind != "hcl":
            continue
        refs = _hcl_refs(state, path, text, terraform_refs.provider_references, wanted)
        for ref in refs:
            declared.setdefault(posixpath.dirname(path), {}).setdefault(ref.name, set()).add(ref.version)
        write_checked(state, path, text, kind, _constraint_cuts(state, path, text, refs, constraint, pin))
    _mentions(state, wanted, f"provider {wanted}")
    _readmes(state, declared, constraint, terraform_refs.readme_rows)


def _readme_cuts(state: RunState, path: str, text: str, found: list, declared: dict[str, set[str]],
                 constraint: str) -> list[Cut]:
    """The terraform-docs rows that document a constraint the module declares; a row holding
    another value (the lock file's version, a stale table) or outside the generated section is
    residue: regenerating the docs is the reviewer's call."""
    rows, kept = [], []
    hook = state.tree.read(".pre-commit-config.yaml") if state.tree.listed(".pre-commit-config.yaml") else None
    markers = terraform_refs.docs_hook_needs_markers(hook)
    for ref in found:
        if not terraform_refs.in_generated_section(text, ref.start, markers):
            kept.append((ref, "outside the terraform-docs section (BEGIN_TF_DOCS/END_TF_DOCS)" if "<!-- BEGIN" in text
                         else "in a README without terraform-docs markers, which the repository's pre-commit "
                              "terraform_docs hook leaves alone"))
        elif ref.version not in declared[ref.name] | {constraint}:
            kept.append((ref, f"not the constraint the module declares ({', '.join(sorted(declared[ref.name]))})"))
        else:
            rows.append(ref)
    for ref, why in kept:
        state.notes.append(Finding(path, ref.line, report_line(text, ref.line).strip(),
                                   f"{ref.form} {ref.version!r} {why}: not changed"))
    return _constraint_cuts(state, path, text, rows, constraint)


def run_module(state: RunState, source: str, version: str, pin: bool = False) -> None:
    """Set the `version` of every `module` block sourced from registry module `source`; a GitHub
    source's `?ref=` is a GitHub ref (run_github moves it, with every other ref of that project)."""
    project = terraform_refs.github_project(source)
    if project is not None:
        run_github(state, project, version)
        return
    wanted = terraform_refs.registry_module(source)
    declared: dict[str, dict[str, set[str]]] = {}  # folder -> block label -> versions its .tf files set
    for path, text, kind in _candidates(state, wanted, re.IGNORECASE):
        if kind == "hcl":
            refs = _hcl_refs(state, path, text, terraform_refs.module_references, wanted)
            for ref in refs:
                declared.setdefault(posixpath.dirname(path), {}).setdefault(ref.name, set()).add(ref.version)
            # pinning a block without a version (it floats to the newest release) adds one after
            # its source, aligned as terraform fmt aligns (bank-of-anthos pinned sql-db so)
            floating = [r for r in refs if pin and r.form == "module without version"]
            cuts = [Cut(Span(start, end), new) for r in floating for start, end, new
                    in terraform_refs.inserted_attribute(text, text.rfind("\n", 0, r.start) + 1, "version", version)]
            for r in floating:
                state.found.append(Finding(path, r.line, report_line(text, r.line), f"{r.form}: none", Kind.VERSION,
                                           "none"))
            rest = [r for r in refs if r not in floating]
            write_checked(state, path, text, kind, cuts + _constraint_cuts(state, path, text, rest, version, pin))
    covered = _readmes(state, declared, version, lambda text, names: terraform_refs.module_rows(text, names, wanted))
    _mentions(state, wanted, f"module {wanted}", covered)


def _readmes(state: RunState, declared: dict[str, dict[str, set[str]]], constraint: str,
             rows: Callable[[str, set[str]], list]) -> dict[str, set[int]]:
    """Move the terraform-docs rows of the README.md beside each folder in `declared`; the lines
    of the rows found, per README."""
    covered = {}
    for folder, names in sorted(declared.items()):
        path = posixpath.join(folder, "README.md")
        text = state.tree.read(path) if state.tree.listed(path) and state.in_scope(path) else None
        if text is not None:
            found = rows(text, set(names))
            covered[path] = {ref.line for ref in found}
            write_checked(state, path, text, "markdown", _readme_cuts(state, path, text, found, names, constraint))
    return covered


def run_module_move(state: RunState, source: str, to: str, version: str) -> None:
    """Move every `module` block sourced from `source` (a registry module, or a GitHub project at
    any ref) to registry module `to` at `version`: the source is replaced and the block's
    `version` set, or added after the source, aligned as terraform fmt aligns (a floating
    branch of a fork pinned by moving to the registry)."""
    project = terraform_refs.github_project(source)
    wanted = project.lower() if project else terraform_refs.registry_module(source)
    for path, text, kind in _candidates(state, project or wanted, re.IGNORECASE):
        if kind != "hcl":
            continue
        cuts = []
        for block in _hcl_refs(state, path, text, lambda t, _w: terraform_refs.module_sources(t), wanted):
            if not _same_module(block.source, project, wanted):
                continue
            line = report_line(text, block.line)
            state.found.append(Finding(path, block.line, line, f"module source: {block.source}", Kind.VERSION,
                                       block.source))
            if "//" in block.source.split("://")[-1]:
                state.refused.append(Finding(path, block.line, line.strip(), "edit refused: a subdirectory "
                                             "of the source has no registry equivalent the bot can derive", Kind.KEPT))
                continue
            cuts.append(Cut(Span(block.start, block.end), to))
            if block.version is not None:
                cuts += _constraint_cuts(state, path, text, [block.version], version)
            else:
                cuts += [Cut(Span(start, end), new) for start, end, new
                         in terraform_refs.inserted_attribute(text, block.line_start, "version", version)]
        write_checked(state, path, text, kind, cuts)


def _same_module(written: str, project: str | None, wanted: str) -> bool:
    if project is not None:
        found = terraform_refs.github_project(written)
        return found is not None and found.lower() == wanted
    return terraform_refs.registry_module(written) == wanted


def _mentions(state: RunState, name: str, what: str, covered: dict[str, set[int]] | None = None) -> None:
    """Residue: lines naming a provider or module next to a version outside the forms above (the
    version is on its own line in those, so a line naming the source with a version is no form)."""
    mention = re.compile(rf"(?<![\w./-])(?:registry\.terraform\.io/)?{re.escape(name)}(?![\w/-])", re.IGNORECASE)
    for path, text, _kind in _candidates(state, name, re.IGNORECASE):
        _unrecognised(state, path, state.tree.original(path) or text, mention, (covered or {}).get(path, set()), what)


def _hcl_refs(state: RunState, path: str, text: str, reader: Callable, wanted: str) -> list:
    """reader(text, wanted), or none with the file in the residue when it does not parse."""
    try:
        return reader(text, wanted)
    except Exception as error:  # python-hcl2 raises several lark error types
        if wanted.split("/")[-1] in text.lower():
            state.notes.append(Finding(path, 1, "", f"not parsable as HCL ({type(error).__name__}): "
                                                    f"{wanted} not looked for here"))
        return []


# An exact Terraform version: `21.15`, `= 21.15.1`, `v1.2.3` (one version, no operator but `=`).
_EXACT_CONSTRAINT_RE = re.compile(r"\s*=?\s*v?\d+(?:\.\d+)*(?:-[\w.]+)?\s*")


def _constraint_cuts(state: RunState, path: str, text: str, refs: list, constraint: str,
                     pin: bool = False) -> list[Cut]:
    """Report each version found; a cut for each that differs from `constraint`. With `pin`
    (pin-versions), only floating constraints move: an exact version, newer or older, is a
    human's pin and stays, listed."""
    cuts = []
    for ref in refs:
        state.found.append(Finding(path, ref.line, report_line(text, ref.line), f"{ref.form}: {ref.version or 'none'}",
                                   Kind.VERSION, ref.version or "none"))
        if not ref.plain:
            why = "floats to the newest release" if not ref.version else f"{ref.version!r} is not a literal constraint"
            state.notes.append(Finding(path, ref.line, report_line(text, ref.line).strip(),
                                       f"{ref.form}: {why}: not changed"))
        elif pin and ref.version != constraint and _EXACT_CONSTRAINT_RE.fullmatch(ref.version):
            state.notes.append(Finding(path, ref.line, report_line(text, ref.line).strip(),
                                       f"{ref.form}: already pinned to {ref.version}: not changed "
                                       "(set-version moves a pin)"))
        elif not pin and _EXACT_CONSTRAINT_RE.fullmatch(constraint) \
                and not _EXACT_CONSTRAINT_RE.fullmatch(ref.version) and terraform_refs.admits(ref.version, constraint):
            # a range that already admits the version is the module's own policy (eks-workshop-v2's
            # cluster root kept `>= 4.67.0` when its labs' base moved from 5.99.1 to 5.100.0)
            state.notes.append(Finding(path, ref.line, report_line(text, ref.line).strip(),
                                       f"{ref.form}: {ref.version!r} already admits {constraint}: not narrowed to it "
                                       "(pin-versions pins a range)"))
        elif ref.version != constraint:
            cuts.append(Cut(Span(ref.start, ref.end), constraint))
    return cuts


def github_in_docs(kind: str) -> bool:
    """Whether a file of this kind is prose, where a ref is reported and never rewritten."""
    return kind in _DOCS


def _github_ref(kind: str, ref: str, version: str) -> tuple[str, str]:
    """(the new ref, "") or ("", why it does not move: residue, or a refusal starting "edit refused")."""
    if kind in _DOCS:
        return "", "in documentation: not changed"
    if github_refs.is_commit(ref):
        return "", f"edit refused: {ref} is a commit; a commit pin cannot be derived from a version: pin it by hand"
    if not (github_refs.is_version_ref(ref) or github_refs.is_release_branch(ref)):
        return "", f"ref {ref!r} is not a version: left as it is"
    replacement = github_refs.rewritten(ref, version)
    if replacement is None:
        return "", f"edit refused: the ref {ref} cannot be derived from {version}: change it by hand"
    return replacement, ""


def _comment_cuts(state: RunState, path: str, text: str, kind: str, moved: list[tuple[int, str, str]],
                  covered: set[int], names: tuple[str, ...] = ()) -> list[Cut]:
    """The edits of the comments saying the version of a line right below them
    (`# helm chart version 1.16.6`, or one of `names` then the version: `# chart: kguardian
    1.17.0`, versions.version_comments), for each (line, old, new) version the file's edits move:
    each to the new version in its own v form. Only plain versions: a release branch or a tag with
    a variant says no version a comment could."""
    plain = [(line, old, new) for line, old, new in moved if is_version(old) and is_version(new)]
    if kind not in HASH_COMMENTS or not plain:
        return []
    cuts: dict[int, Cut] = {}
    for start, end, index in version_comments(text, [(line, old) for line, old, _ in plain], names):
        old, number = text[start:end], text.count("\n", 0, start) + 1
        replacement = ("v" if old.startswith("v") else "") + plain[index][2].lstrip("v")
        if start not in cuts:
            state.found.append(Finding(path, number, report_line(text, number), f"version comment (above it): {old}",
                                       Kind.VERSION, old))
            covered.add(number)
            cuts[start] = Cut(Span(start, end), replacement)
    return [cut for cut in cuts.values() if cut.replacement != text[cut.span.start:cut.span.end]]


def _stale(state: RunState, path: str, text: str, number: int, span: tuple[int, int], old: str) -> None:
    """Residue: the edited line still holds the old version outside the span the edit moves
    (`FROM app:1.4.2 AS app-1.4.2`, a trailing comment): the reviewer decides."""
    start = text.rfind("\n", 0, span[0]) + 1
    end = text.find("\n", span[1])
    end = len(text) if end < 0 else end
    rest = text[start:span[0]] + " " + text[span[1]:end]
    if re.search(rf"(?<![\w.])v?{re.escape(old.lstrip('v'))}(?![\w.]*\w)", rest):
        state.notes.append(Finding(path, number, text[start:end].strip(),
                                   f"the edited line still holds {old} elsewhere: not changed"))


_VERSION_TOKEN_RE = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)?(?:-[\w.]+)?(?![\w.]*\w)")


# Files whose versions are other packages' or history: lockfiles, checksums, changelogs.
_NOT_ELSEWHERE_RE = re.compile(r"(?:^|/)(?:go\.(?:sum|work\.sum)|[\w.-]+\.lock|package-lock\.json|pnpm-lock\.yaml"
                               r"|npm-shrinkwrap\.json|\.terraform\.lock\.hcl|(?:CHANGELOG|CHANGES|HISTORY|RELEASE[-_]?NOTES)[\w.-]*)$",
                               re.IGNORECASE)
_FULL_VERSION_RE = re.compile(r"\d+\.\d+\.\d+")


def old_versions_elsewhere(state: RunState, what: str, version: str) -> None:
    """Residue: the lines that hold a full version the run moved (`6.9.2`, X.Y.Z) in no form of
    the target (a release constant of another project's source, a docs site setting): the reviewer
    sees every other place the old version is written. Lockfiles, checksums and changelogs are
    other packages' versions or history: not listed."""
    reported = {(f.path, f.line) for f in state.found + state.notes + state.refused}
    left = {(f.path, f.line) for f in state.notes + state.refused}
    moved = {f.value.lstrip("v") for f in state.found if f.kind is Kind.VERSION and (f.path, f.line) not in left
             and _FULL_VERSION_RE.fullmatch(f.value.lstrip("v"))}
    moved.discard(version.lstrip("v"))
    if not moved:
        return
    pattern = rf"(?<![\w.])v?(?:{'|'.join(re.escape(v) for v in sorted(moved))})(?![\w.]*\w)(?!\.\d)"
    token = re.compile(pattern)
    for path in state.tree.grep(Literals(sorted(moved))):  # a literal pass; the pattern on its hits
        text = state.tree.read(path) if state.in_scope(path) and not _NOT_ELSEWHERE_RE.search(path) else None
        for number, line in enumerate(report_lines(text or ""), start=1):
            m = token.search(line) if (path, number) not in reported else None
            if m:
                state.notes.append(Finding(path, number, line.strip(), f"holds {m.group(0)}, the version {what} "
                                           "moved from, in no form of it: check whether it is the same"))


def _image_mention(image: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w./-])(?:{images.names(image).pattern})(?![\w/]|[.-]\w)")


def _unrecognised(state: RunState, path: str, text: str, mention: re.Pattern[str], covered: set[int],
                  what: str) -> None:
    """Residue: lines naming the target next to a version-shaped token that no recognised form
    covers (prose, a script's `--version`, a template the parsers cannot read)."""
    for number, line in enumerate(report_lines(text), start=1):
        named = None if number in covered else mention.search(line)
        tokens = list(_VERSION_TOKEN_RE.finditer(line)) if named else []
        if tokens:  # the version nearest the name is the one it most likely speaks of
            token = min(tokens, key=lambda t: min(abs(t.start() - named.end()), abs(named.start() - t.end())))
            state.notes.append(Finding(path, number, line.strip(),
                                       f"names {what} next to {token.group(0)} in no recognised form: not changed"))


def run_toolchain(state: RunState, toolchain: toolchains.Toolchain, version: str, olds: tuple[str, ...] = (),
                  digest: str | None = None) -> None:
    """Move every version of a language toolchain to `version`, each in its own form and
    precision (domain/toolchains.py); ranges and version lists go to the residue, and so do
    versions that are not one of `olds` when given (from=). An official image pinned by digest
    moves as `digest` says (keep, drop, resolve: its registry's digest of the new tag), and is
    refused without it."""
    mention = re.compile(rf"(?<![\w./-])(?:{re.escape(toolchain.image)}|{re.escape(toolchain.workflow_key)})"
                         rf"(?![\w/]|[.-]\w)")
    tree = state.tree
    files = []
    for path in toolchains.candidates(tree.paths(), tree.grep, toolchain):
        text = tree.read(path) if state.in_scope(path) else None
        if text is not None:
            kind = classify(path, text)
            files.append((path, text, kind, toolchains.references(path, text, kind, toolchain)))
    every = toolchains.written_like_newest([ref for *_, refs in files for ref in refs])
    files = [(path, text, kind, every[i:i + len(refs)])
             for i, (path, text, kind, refs) in zip(_offsets([refs for *_, refs in files]), files)]
    majors = {toolchains.major(ref.version) for *_, refs in files for ref in refs if not ref.reason}
    both = toolchain.majors_apart and toolchains.major(version) in majors
    # the versions the run moves, and their minors: an image tagged with one may move too
    written = {ref.version.lstrip("v") for *_, refs in files for ref in refs
               if not ref.reason and (not olds or is_from(ref.version, olds))}
    superseded = frozenset(written | {".".join(v.split(".")[:2]) for v in written}) - {version.lstrip("v")}
    registry_tags: dict[str, list[str] | None] = {}  # each image's registry is asked once
    for path, text, kind, refs in files:
        cuts, covered = [], set()
        for ref in refs:
            line = report_line(text, ref.line)
            covered.add(ref.line)
            state.found.append(Finding(path, ref.line, line, f"{ref.form}: {ref.version}", Kind.VERSION, ref.version))
            if olds and not ref.reason and not is_from(ref.version, olds):
                state.notes.append(Finding(path, ref.line, line.strip(), f"kept: {ref.form} {ref.version} is not "
                                           f"from={','.join(olds)}", Kind.KEPT))
                continue
            if both and not ref.reason and toolchains.major(ref.version) != toolchains.major(version):
                state.notes.append(Finding(path, ref.line, line.strip(), f"{toolchain.name} {ref.version} is of "
                                           f"another major version than {version}, which the repository also "
                                           "uses: a separate pin, left as it is"))
                continue
            ref_cuts = _toolchain_cuts(state, path, text, kind, ref, version, digest)
            if ref_cuts:
                cuts += ref_cuts
                _stale(state, path, text, ref.line, (ref.start, ref.end), ref.version)
        if kind != "generated":  # a lock file's `"node": ">=12"` of every dependency is its tool's to rewrite
            _unrecognised(state, path, text, mention, covered, toolchain.name)
        if superseded:
            cuts += _namesake_cuts(state, path, text, toolchain, version, superseded, registry_tags)
        write_checked(state, path, text, kind, cuts)


def _namesake_cuts(state: RunState, path: str, text: str, toolchain: toolchains.Toolchain, version: str,
                   superseded: frozenset[str], registry_tags: dict[str, list[str] | None]) -> list[Cut]:
    """The tags of the images named for the toolchain and tagged with a version the run moves (a
    CI helper image per Go minor, `golang-ci-helper:1.21`), moved when the image's registry lists
    the new tag in the same precision; listed when it does not, or cannot be asked."""
    cuts = []
    for number, image, tag, span in toolchains.namesake_images(text, toolchain, superseded):
        new = toolchains.same_precision(tag, version)
        if image not in registry_tags:
            try:
                registry_tags[image] = state.releases.image_tags(image)
            except UserError:  # unreachable: a lookup the user did not ask for must not stop the run
                registry_tags[image] = None
        tags = registry_tags[image]
        if tags is not None and new in tags:
            cuts.append(Cut(Span(*span), new))
            continue
        why = f"its registry has no {new} tag" if tags is not None else "its registry could not be asked"
        state.notes.append(Finding(path, number, report_line(text, number).strip(),
                                   f"{image} is named for {toolchain.name} and tagged with its old version {tag}, "
                                   f"but {why}: not changed"))
    return cuts


def _offsets(groups: list[list]) -> list[int]:
    """Where each group starts in the groups laid end to end."""
    starts, total = [], 0
    for group in groups:
        starts.append(total)
        total += len(group)
    return starts


def _toolchain_cuts(state: RunState, path: str, text: str, kind: str, ref: toolchains.ToolchainRef,
                    version: str, digest: str | None) -> list[Cut]:
    """The edits of one toolchain reference, or none with the reason in the residue."""
    line = report_line(text, ref.line).strip()
    replacement = ref.new(version)
    if kind in _DOCS:
        state.notes.append(Finding(path, ref.line, line, f"{ref.form} in documentation: not changed"))
    elif replacement is None:
        _left(state, path, ref.line, line, ref.reason or f"{ref.form} {ref.version} is written with more components "
                                                     f"than version={version}: pass the full version")
    elif not toolchains.stays_a_string(ref, replacement):
        state.refused.append(Finding(path, ref.line, line, f"edit refused: {replacement} would not stay a string "
                                     "in plain YAML; quote it", Kind.KEPT))
    elif replacement == ref.version:
        return []
    elif ref.digest is None or digest == "keep":
        return [Cut(Span(ref.start, ref.end), replacement)]
    elif digest is None:
        state.refused.append(Finding(path, ref.line, line, "edit refused: " + PINNED_BY_DIGEST, Kind.KEPT))
    else:
        tag = replacement + text[ref.end:ref.tag_end]  # the variant suffix stays: 1.24.0-alpine
        new_digest = "" if digest == "drop" else "@" + latest_versions.image_digest(state, ref.image, tag)
        return [Cut(Span(ref.start, ref.end), replacement), Cut(Span(*ref.digest), new_digest)]
    return []


def run_pypi(state: RunState, name: str, version: str, olds: tuple[str, ...] = ()) -> None:
    """Move every requirement on the Python package `name` to `version` (domain/python_packages.py):
    the version after ==, ===, >= or ~=, the operator kept; a bound the new version would break,
    a version not in `olds` (from=) and prose are listed."""
    mention = python_packages.mention(name)
    # every spelling holds the name's longest part (kfp-server-api: "server"), in some case
    for path, text, kind in _candidates(state, max(re.split(r"[-_.]+", name), key=len), re.IGNORECASE):
        if not mention.search(text):
            continue
        cuts, covered = [], set()
        for req in python_packages.requirements(text, name, version):
            line = report_line(text, req.line)
            covered.add(req.line)
            state.found.append(Finding(path, req.line, line, f"requirement {req.operator}{req.version}", Kind.VERSION,
                                       req.version))
            if kind in _DOCS:
                _left(state, path, req.line, line.strip(), "requirement in documentation: not changed")
            elif req.reason:
                _left(state, path, req.line, line.strip(), req.reason)
            elif olds and not is_from(req.version, olds):
                _left(state, path, req.line, line.strip(), f"kept: {req.operator}{req.version} is not "
                      f"from={','.join(olds)}")
            elif req.version != version:
                cuts.append(Cut(Span(req.start, req.end), version))
                _stale(state, path, text, req.line, (req.start, req.end), req.version)
        _unrecognised(state, path, text, mention, covered, f"package {name}")
        write_checked(state, path, text, kind, cuts)
