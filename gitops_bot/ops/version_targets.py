"""`set-version` for open targets: `image=REPOSITORY` (any container image, optionally moved to
another repository with `to=`), `chart=NAME` (any Helm chart, by name) and `github=OWNER/REPO`
(any GitHub project's tags and release branches). The catalogue's `tool=` stays in
set_version.py, which validates the parameters and dispatches here.

Every reference found is reported (state.found); a reference the bot does not change although
it holds a version (a tag that is not a version, documentation, a digest without `digest=`, a
chart version range, a branch or a commit) goes to the residue or, when changing it was asked
and refused, to the refused edits, each with its line and reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable

from gitops_bot.domain import charts, github_refs, images, toolchains
from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.edit import classify
from gitops_bot.edit import still_valid as verify_text
from gitops_bot.ops.state import RunState
from gitops_bot.text.splice import Cut, Span, splice

_DOCS = ("markdown", "rst")  # prose: a version there is reported, never rewritten
# A plain YAML scalar a YAML 1.1/1.2 loader would not read back as this string (1.10 -> 1.1).
_NOT_A_STRING_RE = re.compile(r"^(?:[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|true|false|"
                              r"yes|no|on|off|null|~)$", re.IGNORECASE)


def _candidates(state: RunState, word: str, flags: int = 0) -> Iterable[tuple[str, str, str]]:
    """(path, text, kind) of each file in the run's scope (paths=) holding `word`."""
    for path in state.tree.grep(re.compile(re.escape(word.encode()), flags)):
        text = state.tree.read(path) if state.in_scope(path) else None
        if text is not None:
            yield path, text, classify(path, text)


def run_image(state: RunState, image: str, version: str | None, to: str | None, digest: str | None) -> None:
    """Move every reference to `image` to tag `version` and/or repository `to`."""
    mention = _image_mention(image)
    for path, text, kind in _candidates(state, images.path_part(image)):
        cuts, covered = [], set()
        for ref in images.references(text, kind, image):
            tag = text[ref.tag[0]:ref.tag[1]] if ref.tag else ""
            where = _line(text, ref.line)
            state.found.append(Finding(path, ref.line, where, f"{ref.form}: {tag or 'untagged'}", Kind.VERSION,
                                       tag or "untagged"))
            covered.add(ref.line)
            ref_cuts = _image_cuts(state, path, text, kind, ref, tag, version, to, digest)
            if ref.tag and any(cut.span.start == ref.tag[0] for cut in ref_cuts):
                _stale(state, path, text, ref.line, ref.tag, tag)
            cuts += ref_cuts
        _unrecognised(state, path, text, mention, covered, image)
        _write(state, path, text, kind, cuts)


def _image_cuts(state: RunState, path: str, text: str, kind: str, ref: images.ImageRef, tag: str,
                version: str | None, to: str | None, digest: str | None) -> list[Cut]:
    """The edits of one reference, or none with the reason in the residue (or the refused edits
    when a change that was asked cannot be made)."""
    line = _line(text, ref.line).strip()

    def note(reason: str, refused: bool = False) -> list[Cut]:
        (state.refused if refused else state.notes).append(
            Finding(path, ref.line, line, reason, Kind.KEPT if refused else Kind.RESIDUE))
        return []

    if kind in _DOCS:
        return note(f"{ref.form} in documentation: not changed")
    cuts, problem = _tag_cut(ref, tag, version, renaming=bool(to))
    if problem:
        return note(problem, refused=problem.startswith("edit refused"))
    if to:
        if ref.name is None:
            return note(f"edit refused: {ref.form}: the repository cannot be renamed in place; rename it by hand",
                        True)
        if text[ref.name[0]:ref.name[1]] != to:
            cuts.append(Cut(Span(*ref.name), to))
    if cuts and (ref.digest or ref.digest_key):
        if digest is None:
            return note("edit refused: image pinned by digest; say digest=keep or digest=drop "
                        "(or update tag and digest together)", True)
        if digest == "drop":
            if ref.digest_key:
                return note("edit refused: the digest is in a key of its own; drop it by hand", True)
            cuts.append(Cut(Span(*ref.digest), ""))
    return cuts


def _tag_cut(ref: images.ImageRef, tag: str, version: str | None, renaming: bool) -> tuple[list[Cut], str]:
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
    replacement = images.new_tag(tag, version)
    if ref.plain_yaml and _NOT_A_STRING_RE.match(replacement):
        return [], f"edit refused: tag {replacement} would not stay a string in plain YAML; quote it"
    return ([Cut(Span(*ref.tag), replacement)] if replacement != tag else []), ""


def run_chart(state: RunState, name: str, version: str) -> None:
    """Move every version of chart `name` to `version` (each in its own form: v prefix or not)."""
    # the name, not inside a longer name (`cert-manager-controller`); `-1.2.3` may follow (archives)
    mention = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w]|-[A-Za-z])")
    for path, text, kind in _candidates(state, name):
        cuts, covered = [], set()
        for ref in charts.references(path, text, kind, name):
            line = _line(text, ref.line)
            covered.add(ref.line)
            state.found.append(Finding(path, ref.line, line, f"{ref.form}: {ref.version}", Kind.VERSION, ref.version))
            if not ref.plain:
                state.notes.append(Finding(path, ref.line, line.strip(),
                                           f"{ref.form} {ref.version!r} is not a plain version: left as it is"))
                continue
            replacement = ("v" if ref.version.startswith("v") else "") + version.lstrip("v")
            if replacement != ref.version:
                cuts.append(Cut(Span(ref.start, ref.end), replacement))
                _stale(state, path, text, ref.line, (ref.start, ref.end), ref.version)
        _unrecognised(state, path, text, mention, covered, f"chart {name}")
        _write(state, path, text, kind, cuts)


def run_github(state: RunState, project: str, version: str) -> None:
    """Move every tag or release branch of GitHub project `project` (OWNER/REPO) to `version`
    (a version tag, or a release branch `release-X.Y`), each in its own form."""
    for path, text, kind in _candidates(state, project, re.IGNORECASE):
        cuts, covered = [], set()
        for ref in github_refs.references(path, text, kind, project):
            line = _line(text, ref.line)
            covered.add(ref.line)
            state.found.append(Finding(path, ref.line, line, f"{ref.form}: {ref.ref}", Kind.VERSION, ref.ref))
            replacement, problem = _github_ref(kind, ref.ref, version)
            if problem:
                refused = problem.startswith("edit refused")
                (state.refused if refused else state.notes).append(Finding(
                    path, ref.line, line.strip(), f"{ref.form}: {problem}", Kind.KEPT if refused else Kind.RESIDUE))
            elif replacement != ref.ref:
                cuts.append(Cut(Span(ref.start, ref.end), replacement))
                _stale(state, path, text, ref.line, (ref.start, ref.end), ref.ref)
        _unrecognised(state, path, text, github_refs.mention(project), covered, f"github {project}")
        _write(state, path, text, kind, cuts)


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


def _image_mention(image: str) -> re.Pattern[str]:
    names = "|".join(re.escape(n) for n in sorted(images.spellings(image), key=len, reverse=True))
    return re.compile(rf"(?<![\w./-])(?:{names})(?![\w/]|[.-]\w)")


def _unrecognised(state: RunState, path: str, text: str, mention: re.Pattern[str], covered: set[int],
                  what: str) -> None:
    """Residue: lines naming the target next to a version-shaped token that no recognised form
    covers (prose, a script's `--version`, a template the parsers cannot read)."""
    for number, line in enumerate(_split(text), start=1):
        named = None if number in covered else mention.search(line)
        tokens = list(_VERSION_TOKEN_RE.finditer(line)) if named else []
        if tokens:  # the version nearest the name is the one it most likely speaks of
            token = min(tokens, key=lambda t: min(abs(t.start() - named.end()), abs(named.start() - t.end())))
            state.notes.append(Finding(path, number, line.strip(),
                                       f"names {what} next to {token.group(0)} in no recognised form: not changed"))


def _write(state: RunState, path: str, text: str, kind: str, cuts: list[Cut]) -> None:
    if not cuts:
        return
    result = splice(text, cuts)
    problem = verify_text(kind, text, result)
    if problem:
        state.refused.append(Finding(path, 1, "", f"edit refused: {problem}", Kind.UNVERIFIED))
        state.validation.append(Validation(path, "re-parse", False, problem))
        return
    state.tree.write(path, result)
    state.validation.append(Validation(path, "re-parse", True))


def _line(text: str, number: int) -> str:
    lines = _split(text)
    return lines[number - 1] if 0 < number <= len(lines) else ""


@lru_cache(maxsize=1)
def _split(text: str) -> tuple[str, ...]:
    """text.splitlines(), kept for the file at hand (one report line per reference)."""
    return tuple(text.splitlines())


def run_toolchain(state: RunState, toolchain: toolchains.Toolchain, version: str) -> None:
    """Move every version of a language toolchain to `version`, each in its own form and
    precision (domain/toolchains.py); ranges, version lists and digests go to the residue."""
    mention = re.compile(rf"(?<![\w./-])(?:{re.escape(toolchain.image)}|{re.escape(toolchain.workflow_key)})"
                         rf"(?![\w/]|[.-]\w)")
    tree = state.tree
    files = []
    for path in toolchains.candidates(tree.paths(), tree.grep, toolchain):
        text = tree.read(path) if state.in_scope(path) else None
        if text is not None:
            kind = classify(path, text)
            files.append((path, text, kind, toolchains.references(path, text, kind, toolchain)))
    majors = {toolchains.major(ref.version) for *_, refs in files for ref in refs if not ref.reason}
    both = toolchain.majors_apart and toolchains.major(version) in majors
    for path, text, kind, refs in files:
        cuts, covered = [], set()
        for ref in refs:
            line = _line(text, ref.line)
            covered.add(ref.line)
            state.found.append(Finding(path, ref.line, line, f"{ref.form}: {ref.version}", Kind.VERSION, ref.version))
            if both and not ref.reason and toolchains.major(ref.version) != toolchains.major(version):
                state.notes.append(Finding(path, ref.line, line.strip(), f"{toolchain.name} {ref.version} is of "
                                           f"another major version than {version}, which the repository also "
                                           "uses: a separate pin, left as it is"))
                continue
            cut = _toolchain_cut(state, path, text, kind, ref, version)
            if cut is not None:
                cuts.append(cut)
                _stale(state, path, text, ref.line, (ref.start, ref.end), ref.version)
        _unrecognised(state, path, text, mention, covered, toolchain.name)
        _write(state, path, text, kind, cuts)


def _toolchain_cut(state: RunState, path: str, text: str, kind: str, ref: toolchains.ToolchainRef,
                   version: str) -> Cut | None:
    """The edit of one toolchain reference, or None with the reason in the residue."""
    line = _line(text, ref.line).strip()
    replacement = ref.new(version)
    if kind in _DOCS:
        state.notes.append(Finding(path, ref.line, line, f"{ref.form} in documentation: not changed"))
    elif replacement is None:
        refused = ref.reason.startswith("edit refused")
        (state.refused if refused else state.notes).append(
            Finding(path, ref.line, line, ref.reason, Kind.KEPT if refused else Kind.RESIDUE))
    elif not toolchains.stays_a_string(ref, replacement):
        state.refused.append(Finding(path, ref.line, line, f"edit refused: {replacement} would not stay a string "
                                     "in plain YAML; quote it", Kind.KEPT))
    elif replacement != ref.version:
        return Cut(Span(ref.start, ref.end), replacement)
    return None
