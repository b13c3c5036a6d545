"""Dockerfiles shared by several components (a multi-service build image, a dev container):
`COPY`/`ADD` instructions whose sources point into the removed component.

- an instruction on one line whose every source is the component's (`COPY services/video-service/
  ./services/video-service/`) goes with its line, and a comment line directly above that names
  the component goes with it;
- one that also copies other sources loses only the component's source words;
- an instruction continued over several lines (`\\`), the JSON form (`COPY ["a", "b"]`),
  `COPY --from=<stage>` and `RUN` lines are never edited (residue): what they do depends on more
  than one line or on the build; nor is a here-document's body (`RUN <<EOT` ... `EOT`).
Verify: every logical line of the result is still an instruction, a comment or blank, and the
instructions are the original's minus the removed ones.
"""

from __future__ import annotations

import re

from gitops_bot.edit.base import EditResult, RemovalContext, Unparsable, finish, newly_broken
from gitops_bot.edit.blocks import drop_words, leading_comments
from gitops_bot.text.splice import Cut, Lines

KIND = "dockerfile"
CHECK = "instructions re-read"

_INSTRUCTIONS = frozenset({"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
                           "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
                           "HEALTHCHECK", "SHELL"})
# A here-document an instruction opens (BuildKit: `RUN <<EOT`, `COPY <<-"EOF" /x`): its word.
_HEREDOC_RE = re.compile(r"<<-?([\"']?)(?P<word>[A-Za-z_][\w-]*)\1")
_COPY_RE = re.compile(r"^(?P<indent>\s*)(?P<op>COPY|ADD)(?P<flags>(?:\s+--[\w-]+(?:=\S*)?)*)\s+(?P<args>[^\[].*?)\s*$",
                      re.IGNORECASE)


def claims(path: str, text: str) -> bool:
    """`Dockerfile`, `Dockerfile.<variant>`, `<name>.Dockerfile`, `Containerfile`."""
    base = path.rpartition("/")[2]  # posixpath.basename, at a third of the cost: asked of every path
    return base in ("Dockerfile", "Containerfile") or base.startswith("Dockerfile.") or base.endswith(".Dockerfile")


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the component's sources from COPY/ADD instructions."""
    lines = Lines(text)
    cuts: list[Cut] = []
    removed: list[int] = []

    def doomed(word: str) -> bool:
        word = word.strip("\"'")
        return ctx.name.in_path(word) or word.rstrip("/") in ctx.deleted_paths

    bodies = _heredoc_lines(text)
    try:
        instructions = _instructions(text, bodies)
    except _NotAnInstruction as exc:
        raise Unparsable(exc.line, f"Dockerfile does not parse: {exc}") from exc
    for n in range(len(lines)):
        line = lines.line(n)
        m = _COPY_RE.match(line) if n not in bodies else None
        if m is None or "--from" in m.group("flags").lower() or line.rstrip().endswith("\\") \
                or (n > 0 and lines.line(n - 1).rstrip().endswith("\\")):
            continue
        words = m.group("args").split()
        sources = words[:-1]
        if not sources or not any(doomed(w) for w in sources):
            continue
        if all(doomed(w) for w in sources):
            first = leading_comments(lines, n, lines.indent(n), ctx.name.names_in_comment)
            cuts.append(Cut(lines.span(first, n)))
            removed.append(n)
        else:  # only the source words: the destination stays the last word
            dest = m.start("args") + m.group("args").rstrip().rfind(words[-1])
            cuts.extend(drop_words(lines, n, m.start("args"), dest, doomed) or [])
    expected = [op for k, op in instructions if k not in removed]
    return finish(text, lines, cuts, [], lambda new: _same_instructions(new, expected))


def copied_sources(text: str) -> list[str]:
    """The source words of the one-line COPY/ADD instructions that copy from the build context
    (not `--from` a stage, not the JSON form), as written (`telemetry-schema`, `./pb/`)."""
    found = []
    for line in text.splitlines():
        m = _COPY_RE.match(line)
        if m is not None and "--from" not in m.group("flags").lower() and not line.rstrip().endswith("\\"):
            found += [w.strip("\"'") for w in m.group("args").split()[:-1]]
    return found


class _NotAnInstruction(ValueError):
    """A logical line that is no instruction, comment or blank: `line` is 1-based."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(f"line {line} is not an instruction: {text[:40]!r}")
        self.line = line


def _heredoc_lines(text: str) -> set[int]:
    """The 0-based lines of here-document bodies and their closing words: data, not instructions."""
    inside, closing = set(), []
    for n, line in enumerate(text.splitlines()):
        if closing:
            inside.add(n)
            if line.strip() == closing[0]:
                closing.pop(0)
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            closing = [m.group("word") for m in _HEREDOC_RE.finditer(line)]
    return inside


def _instructions(text: str, bodies: set[int] | None = None) -> list[tuple[int, str]]:
    """(line, INSTRUCTION) of every logical line; ValueError naming a line that is none. `bodies`:
    the text's here-document lines (_heredoc_lines), when the caller has them already."""
    found, continued = [], False
    bodies = _heredoc_lines(text) if bodies is None else bodies
    for n, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if n in bodies:
            continue
        if not continued and stripped and not stripped.startswith("#"):
            op = stripped.split(None, 1)[0].upper()
            if op not in _INSTRUCTIONS:
                raise _NotAnInstruction(n + 1, stripped)
            found.append((n, op))
        continued = stripped.endswith("\\") if stripped and not stripped.startswith("#") else continued
    return found


def _same_instructions(new: str, expected: list[str]) -> str | None:
    try:
        actual = [op for _, op in _instructions(new)]
    except ValueError as exc:
        return str(exc)
    return None if actual == expected else "the instructions would not match the intended removal"


def still_valid(before: str, after: str) -> str | None:
    """None unless a line of `after` is no longer an instruction where `before` read as one."""
    return newly_broken(_problem, before, after)


def _problem(text: str) -> str | None:
    try:
        _instructions(text)
    except ValueError as exc:
        return str(exc)
    return None
