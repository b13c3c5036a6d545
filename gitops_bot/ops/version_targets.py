"""`set-version` for open targets: `image=REPOSITORY` (any container image, optionally moved to
another repository with `to=`) and `chart=NAME` (any Helm chart, by name). The catalogue's
`tool=` stays in set_version.py, which validates the parameters and dispatches here.

Every reference found is reported (state.found); a reference the bot does not change although
it holds a version (a tag that is not a version, documentation, a digest without `digest=`, a
chart version range) goes to the residue or, when changing it was asked and refused, to the
refused edits, each with its line and reason.
"""

from __future__ import annotations

import re
from functools import lru_cache

from gitops_bot.domain import charts, images
from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.edit import classify
from gitops_bot.edit import still_valid as verify_text
from gitops_bot.ops.state import RunState
from gitops_bot.text.splice import Cut, Span, splice

_DOCS = ("markdown", "rst")  # prose: a version there is reported, never rewritten
# A plain YAML scalar a YAML 1.1/1.2 loader would not read back as this string (1.10 -> 1.1).
_NOT_A_STRING_RE = re.compile(r"^(?:[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|true|false|"
                              r"yes|no|on|off|null|~)$", re.IGNORECASE)


def run_image(state: RunState, image: str, version: str | None, to: str | None, digest: str | None) -> None:
    """Move every reference to `image` to tag `version` and/or repository `to`."""
    word = re.compile(re.escape(images.path_part(image).encode()))
    for path in state.tree.grep(word):
        text = state.tree.read(path)
        if text is None:
            continue
        kind = classify(path, text)
        cuts = []
        for ref in images.references(text, kind, image):
            tag = text[ref.tag[0]:ref.tag[1]] if ref.tag else ""
            where = _line(text, ref.line)
            state.found.append(Finding(path, ref.line, where, f"{ref.form}: {tag or 'untagged'}", Kind.VERSION, tag))
            cuts += _image_cuts(state, path, text, kind, ref, tag, version, to, digest)
        _write(state, path, text, kind, cuts)


def _image_cuts(state: RunState, path: str, text: str, kind: str, ref: images.ImageRef, tag: str,
                version: str | None, to: str | None, digest: str | None) -> list[Cut]:
    line = _line(text, ref.line).strip()

    def note(reason: str, refused: bool = False) -> list[Cut]:
        (state.refused if refused else state.notes).append(
            Finding(path, ref.line, line, reason, Kind.KEPT if refused else Kind.RESIDUE))
        return []

    if kind in _DOCS:
        return note(f"{ref.form} in documentation: not changed")
    cuts = []
    if version and ref.tag:
        if images.is_version_tag(tag):
            replacement = images.new_tag(tag, version)
            if ref.plain_yaml and _NOT_A_STRING_RE.match(replacement):
                return note(f"edit refused: tag {replacement} would not stay a string in plain YAML; quote it", True)
            if replacement != tag:
                cuts.append(Cut(Span(*ref.tag), replacement))
        elif not to:
            return note(f"tag {tag!r} is not a version: left as it is")
    elif version and not to:
        return note(f"{ref.form}: no tag, left as it is")
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


def run_chart(state: RunState, name: str, version: str) -> None:
    """Move every version of chart `name` to `version` (each in its own form: v prefix or not)."""
    word = re.compile(re.escape(name.encode()))
    for path in state.tree.grep(word):
        text = state.tree.read(path)
        if text is None:
            continue
        kind = classify(path, text)
        cuts = []
        for ref in charts.references(path, text, kind, name):
            line = _line(text, ref.line)
            state.found.append(Finding(path, ref.line, line, f"{ref.form}: {ref.version}", Kind.VERSION, ref.version))
            if not ref.plain:
                state.notes.append(Finding(path, ref.line, line.strip(),
                                           f"{ref.form} {ref.version!r} is not a plain version: left as it is"))
                continue
            replacement = ("v" if ref.version.startswith("v") else "") + version.lstrip("v")
            if replacement != ref.version:
                cuts.append(Cut(Span(ref.start, ref.end), replacement))
        _write(state, path, text, kind, cuts)


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
