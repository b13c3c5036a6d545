"""Shell embedded in YAML: the `run: |` script of a workflow step, edited by the shell editor's
rules (shell.py: per-component call lines, `case` pattern alternatives, array and loop words,
single-quoted JSON arrays such as `SERVICES='["a","video-service"]'`).

Locate: the block scalar's content lines, less the block's indentation, are the script (checked
against the value the YAML parser read: a block whose lines do not give back its value, or that
has an explicit indentation indicator, is left alone). The shell planner's cuts are mapped back
into the YAML text: a whole-line cut takes the YAML line, any other cut keeps the block's
indentation. Verify: `bash -n` on the script before and after (the YAML editor then re-parses the
file and compares the step's new script with the one planned here).

Only steps that run a POSIX shell are edited: a step (or its job's or workflow's
`defaults.run.shell`) naming `pwsh`, `python`, `cmd`, ... and jobs on Windows runners are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gitops_bot.domain.names import ServiceName
from gitops_bot.edit import shell
from gitops_bot.edit.base import Refusal
from gitops_bot.text.splice import Cut, Lines, Span

# `run: |`, `run: |-`, `run: |+`, optionally with a comment: no indentation indicator.
_HEADER_RE = re.compile(r":\s*\|[-+]?\s*(#.*)?$")
_POSIX_SHELLS = re.compile(r"^(bash|sh)(\s|$)")


@dataclass
class ScriptEdit:
    """The cuts (into the YAML text) that edit one step's script, the script the step should
    hold afterwards, and what was refused (1-based lines of the YAML text)."""

    cuts: list[Cut] = field(default_factory=list)
    new_value: str | None = None
    refused: list[Refusal] = field(default_factory=list)


def is_step_script(doc: Any, path: tuple[Any, ...], key: Any) -> bool:
    """Whether the block scalar at `path` (document index first) under `key` is the `run:` script of
    a workflow or composite-action step that a POSIX shell runs."""
    if key != "run" or len(path) < 4 or path[-3] != "steps" or not isinstance(path[-2], int):
        return False
    step = _lookup(doc, path[1:-1])
    job = _lookup(doc, path[1:-3]) if path[1:2] == ("jobs",) else None
    shells = [_get(step, "shell"), _get(_get(_get(job, "defaults"), "run"), "shell"),
              _get(_get(_get(doc, "defaults"), "run"), "shell")]
    chosen = next((s for s in shells if s is not None), "bash")
    runner = _get(job, "runs-on")
    on_windows = isinstance(runner, str) and "windows" in runner.lower()
    return isinstance(chosen, str) and bool(_POSIX_SHELLS.match(chosen.strip())) and not on_windows


def edit(lines: Lines, key_line: int, stop: int, value: str, name: ServiceName) -> ScriptEdit:
    """The edit of the script whose block scalar header is on `key_line` and whose content runs
    to line `stop` (exclusive) of the YAML `lines`; `value` is the scalar the parser read."""
    found = ScriptEdit()
    if not _HEADER_RE.search(lines.line(key_line)) or not name.mentions(value):
        return found
    content = _content_lines(lines, key_line + 1, stop)
    if not content:
        return found
    indent = min(lines.indent(n) for n in content if not lines.is_blank(n))
    script = "".join(lines.line(n)[indent:] + "\n" for n in content)
    if script.rstrip("\n") != value.rstrip("\n"):
        return found  # tabs, odd indentation: the lines are not the value; nothing is guessed
    new, cuts, refused = shell.edit_script(script, name)
    first = content[0]
    found.refused = [Refusal(first + r.line, r.reason, kind=r.kind) for r in refused]
    if new == script:
        return found
    problem = shell.still_valid(script, new)
    if problem or not new.strip():
        why = problem or "the script would become empty"
        found.refused.append(Refusal(key_line + 1, f"edit refused: {why}"))
        return found
    script_lines = Lines(script)
    found.cuts = [_mapped(cut, script_lines, lines, first, indent) for cut in cuts]
    found.new_value = _rechomped(new, value)
    return found


def _content_lines(lines: Lines, first: int, stop: int) -> list[int]:
    """The block's lines up to its last non-blank one (trailing blank lines belong to what
    follows); [] when a line inside is less indented than the first (not a plain block)."""
    content = [n for n in range(first, stop)]
    while content and lines.is_blank(content[-1]):
        content.pop()
    filled = [n for n in content if not lines.is_blank(n)]
    if not filled or any(lines.indent(n) < lines.indent(filled[0]) for n in filled):
        return []
    return content


def _mapped(cut: Cut, script: Lines, lines: Lines, first: int, indent: int) -> Cut:
    """A cut of the script as a cut of the YAML text: whole lines stay whole lines, any other
    span moves right by the block's indentation (the shell rules cut within one line)."""
    start, end = cut.span
    a, b = script.line_of(start), script.line_of(max(start, end - 1))
    if start == script.start(a) and end == script.end(b) and not cut.replacement:
        return Cut(lines.span(first + a, first + b))
    return Cut(Span(lines.start(first + a) + indent + start - script.start(a),
                    lines.start(first + b) + indent + end - script.start(b)), cut.replacement)


def _rechomped(new: str, value: str) -> str:
    """The planned script with the original value's trailing newlines (its chomping)."""
    tail = len(value) - len(value.rstrip("\n"))
    return new.rstrip("\n") + "\n" * tail


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _lookup(doc: Any, path: tuple[Any, ...]) -> Any:
    node = doc
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node
