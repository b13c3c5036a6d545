"""Shell scripts: line and word edits inside arrays, `for ... in` lists and echo lists.

- an array element on a line of its own (`APPS=(` ... `)`) goes with its line; inline arrays
  (`APPS=(a b c)`) and `for x in a b c; do` lists lose the word;
- an `echo` line that names only the service, among neighbouring echo lines, goes whole;
- a call line `CMD service` (one command word, the service as its only argument) among lines of
  the same shape for other components (`gen_proto_go cart` / `gen_proto_go product-reviews`: a
  list of per-component calls) goes whole, unless CMD is a builtin whose effect outlives the line
  (`cd`, `export`, `source`, ...) or the line continues another or sits in a here-document;
- a `case` pattern loses the service's alternative (`"auth"|"video-service")` -> `"auth")`); a
  pattern that would become empty is refused (what the arm's commands become is a human's call);
- a step of the service: a top-level paragraph (blank lines or the file's ends around it)
  whose commands all name it, with its echo/printf messages, comments and `sleep N` pauses
  (`echo "Deploying X."` / `kustomize build apps/x | kubectl apply -f -`, then `echo "Waiting for
  x..."` / `sleep 5` / `kubectl wait -l app=x`), goes whole: a deploy step whose manifests are
  deleted, and its wait, would fail. Only simple commands qualify: no chaining (`&&`, `;`), command
  substitution, redirection into a file, assignment or stateful builtin, no line continuation;
- a JSON array in single quotes (`SERVICES='["a","b","video-service"]'`, `'services=[...]'`: a
  matrix handed to a workflow) loses the service's string items with their commas; the quoting
  stays, and an array that would become empty is refused.
Verify: `bash -n` (refused when the result fails where the original passed).
The same rules edit shell embedded in YAML (`run: |` steps of a workflow: embedded_shell.py),
through `plan` and `edit_script`.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable

from gitops_bot.domain.names import ServiceName, pointer_matches
from gitops_bot.edit import json_file
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish, newly_broken
from gitops_bot.edit.blocks import drop_words, tidy_cuts
from gitops_bot.parse.bash import syntax_error
from gitops_bot.text.splice import Cut, Lines, Span, splice

KIND = "shell"
_SHEBANGS = ("#!/bin/bash", "#!/usr/bin/env bash", "#!/bin/sh")
CHECK = "bash -n"

_ARRAY_OPEN_RE = re.compile(r"^\s*(?:local\s+|declare\s+-a\s+|readonly\s+)?[A-Za-z_]\w*=\(\s*(#.*)?$")
_ARRAY_INLINE_RE = re.compile(r"^\s*(?:local\s+|declare\s+-a\s+|readonly\s+)?[A-Za-z_]\w*=\(([^)]*)\)")
_FOR_RE = re.compile(r"\bfor\s+\w+\s+in\s+([^;]*?)\s*(;|$|\bdo\b)")
_ECHO_RE = re.compile(r"^\s*(echo|printf)\b")
# `CMD ARG`: one command word and one argument (optionally quoted), then at most a comment.
_CALL_RE = re.compile(r"^\s*(?P<cmd>[A-Za-z_][\w.-]*)\s+(?P<q>[\"']?)(?P<arg>[A-Za-z0-9_][\w./-]*)(?P=q)\s*(?:#.*)?$")
# Builtins and keywords whose effect outlives their line, or that are not calls at all: removing
# one would change what the lines after it do.
STATEFUL = frozenset({"cd", "pushd", "popd", "source", ".", "export", "unset", "set", "shopt", "exec", "eval",
                       "return", "exit", "shift", "local", "declare", "typeset", "readonly", "trap", "alias",
                       "read", "wait", "umask", "ulimit", "then", "do", "else", "elif", "function", "case", "in"})
_CASE_RE = re.compile(r"^\s*case\s.+\sin\s*(?:#.*)?$")
_ESAC_RE = re.compile(r"^\s*esac\b")
# A case pattern: optional `(`, alternatives of plain or quoted words joined by `|`, then `)`.
_PATTERN_RE = re.compile(r"^\s*\(?(?P<alts>\s*[\"']?[\w./*-]+[\"']?\s*(?:\|\s*[\"']?[\w./*-]+[\"']?\s*)*)\)")
_ALT_RE = re.compile(r"[^|\s]+")
_HEREDOC_RE = re.compile(r"(?<!<)<<-?\s*([\"']?)(\w+)\1")
# A single-quoted word holding a JSON array, optionally after `NAME=` inside or outside the quotes.
_JSON_ARRAY_RE = re.compile(r"(?<![\w'])'(?:[A-Za-z_][\w-]*=)?(?P<json>\[[^'\n]*\])'")


def _is_service_word(name, word: str) -> bool:
    word = word.strip("\"'")
    return name.owns(word) or name.in_path(word)


def claims(path: str, text: str) -> bool:
    """`*.sh`, `*.bash`, and files that start with a bash or sh shebang."""
    return posixpath.splitext(path)[1].lower() in (".sh", ".bash") or text.startswith(_SHEBANGS)


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's array elements, loop words and echo lines from a shell script, and
    the `if` blocks that only build a retired image variant of it."""
    lines, cuts, refused = plan(text, ctx.name)
    cuts += variant_block_cuts(lines, ctx.retired_variants)
    return finish(text, lines, cuts, refused, lambda new: still_valid(text, new))


_IF_RE = re.compile(r"^(\s*)if\s.*?(;\s*then)?\s*$")
_THEN_RE = re.compile(r"^\s*then\s*$")
_FI_RE = re.compile(r"^\s*fi\s*(#.*)?$")
# Lines that would make the block more than one branch of plain commands.
_COMPOUND_RE = re.compile(r"^\s*(if|elif|else|case|for|while|until|select)\b|[{}]\s*$|<<")


def variant_re(suffix: str) -> re.Pattern[str]:
    """An image reference with the variant suffix: `${image}-native`, `v1.2-native`, not `-native.1`."""
    return re.compile(r"(?<=[\w}])-" + re.escape(suffix) + r"(?![\w.-])")


def variant_block_cuts(lines: Lines, suffixes: frozenset[str]) -> list[Cut]:
    """The `if ...; then ... fi` blocks (one branch, no nested compound commands) whose every
    command line names one of the retired image variants: they only build and push it."""
    if not suffixes:
        return []
    found = [variant_re(s) for s in sorted(suffixes)]
    cuts = []
    n = 0
    while n < len(lines):
        m = _IF_RE.match(lines.line(n))
        end = _variant_block_end(lines, n, m.group(1), bool(m.group(2)), found) if m else None
        if end is not None:
            cuts.append(Cut(lines.span(n, end)))
            n = end
        n += 1
    return cuts


def _variant_block_end(lines: Lines, n: int, indent: str, then_inline: bool,
                       found: list[re.Pattern[str]]) -> int | None:
    """The line of the `fi` closing the `if` on line n when the block only builds a variant."""
    body = n + 1 if then_inline else n + 2
    if not then_inline and not (body - 1 < len(lines) and _THEN_RE.match(lines.line(body - 1))):
        return None
    commands = 0
    for k in range(body, len(lines)):
        line = lines.line(k)
        if _FI_RE.match(line):
            return k if line[:len(line) - len(line.lstrip())] == indent and commands else None
        if lines.is_blank(k) or line.lstrip().startswith("#"):
            continue
        if _COMPOUND_RE.search(line) or not any(r.search(line) for r in found):
            return None
        commands += 1
    return None


def edit_script(script: str, name: ServiceName) -> tuple[str, list[Cut], list[Refusal]]:
    """The script with the service's references removed (the shared blank-line rules applied),
    the tidied cuts that make it, and the refusals; `bash -n` is the caller's to run."""
    lines, cuts, refused = plan(script, name)
    tidied = tidy_cuts(lines, cuts)
    return splice(script, tidied), tidied, refused


def plan(text: str, name: ServiceName) -> tuple[Lines, list[Cut], list[Refusal]]:
    """The cuts that remove the service's references from a shell script, and the refusals
    (line numbers 1-based); nothing is spliced or verified here."""
    lines = Lines(text)
    cuts: list[Cut] = []
    refused: list[Refusal] = []
    in_array = False
    cases = 0  # depth of `case ... in` blocks around line n
    heredoc = _heredoc_lines(lines)
    steps = _service_steps(lines, name, heredoc)
    for n in range(len(lines)):
        line = lines.line(n)
        if n in heredoc:
            continue
        if n in steps:
            cuts.append(Cut(lines.span(n, n)))
            continue
        if "'" in line and "[" in line and _json_arrays(lines, n, name, cuts, refused):
            continue
        if _CASE_RE.match(line):
            cases += 1
            continue
        if _ESAC_RE.match(line):
            cases = max(0, cases - 1)
            continue
        if cases and _PATTERN_RE.match(line):
            _case_pattern(lines, n, lambda w: _is_service_word(name, w), cuts, refused)
            continue
        if in_array:
            if line.strip().startswith(")"):
                in_array = False
                continue
            words = line.split("#")[0].split()
            if words and all(_is_service_word(name, w) for w in words):
                cuts.append(Cut(lines.span(n, n)))
            elif any(_is_service_word(name, w) for w in words):
                cuts.extend(drop_words(lines, n, 0, len(line.split("#")[0]), lambda w: _is_service_word(name, w)) or [])
            continue
        if _ARRAY_OPEN_RE.match(line):
            in_array = True
            continue
        for regex in (_ARRAY_INLINE_RE, _FOR_RE):
            m = regex.search(line)
            if m:
                found = drop_words(lines, n, m.start(1), m.end(1), lambda w: _is_service_word(name, w))
                if found is None:
                    refused.append(Refusal(n + 1, "the list would become empty"))
                else:
                    cuts.extend(found)
                break
        else:
            if _ECHO_RE.match(line) and name.mentions(line) and not name.names_others(line) \
                    and _in_echo_list(lines, n):
                cuts.append(Cut(lines.span(n, n)))
            elif _component_call(lines, n, lambda w: _is_service_word(name, w)):
                cuts.append(Cut(lines.span(n, n)))
    return lines, cuts, refused


# What makes a line more than one simple command, or leaves state behind it: chaining, a
# subshell's output, a redirection into a file (not /dev/null nor another descriptor), an
# assignment, a continuation, a block keyword or brace.
_NOT_SIMPLE_RE = re.compile(r"&&|\|\||;|\$\(|`|(?<![\d&])>>?\s*(?!&|/dev/null)\S|^\s*[A-Za-z_]\w*=|\\\s*$|"
                          r"^\s*(?:if|then|elif|else|fi|for|while|until|do|done|case|esac|function)\b|[{}()]\s*$")
_PAUSE_RE = re.compile(r"^\s*sleep\s+\d+[smh]?\s*(?:#.*)?$")


def _service_steps(lines: Lines, name: ServiceName, heredoc: set[int]) -> set[int]:
    """Indices of the lines of every paragraph that is a step of the service alone (see the
    module's docstring): each line a comment, a pause, a message naming it, or a simple command
    naming it and no other component, with at least one such command."""
    found: set[int] = set()
    n = 0
    while n < len(lines):
        if not lines.line(n).strip():
            n += 1
            continue
        end = n
        while end < len(lines) and lines.line(end).strip():
            end += 1
        if _is_service_step(lines, range(n, end), name, heredoc):
            found.update(range(n, end))
        n = end
    return found


def _is_service_step(lines: Lines, paragraph: range, name: ServiceName, heredoc: set[int]) -> bool:
    texts = [lines.line(k) for k in paragraph]
    if any(t[:1].isspace() for t in texts) or any(k in heredoc for k in paragraph) or texts[0].startswith("#!"):
        return False  # indented: a block's body, which may not be left empty
    commands = 0
    for text in texts:
        stripped = text.strip()
        if stripped.startswith("#") or _PAUSE_RE.match(text):
            continue
        if not name.mentions(text) or name.names_others(text) or _NOT_SIMPLE_RE.search(text):
            return False
        word = stripped.split()[0]
        if word in STATEFUL:
            return False
        commands += not _ECHO_RE.match(text)
    return commands > 0


def _json_arrays(lines: Lines, n: int, name: ServiceName, cuts: list[Cut], refused: list[Refusal]) -> bool:
    """Cut the service's items from the single-quoted JSON arrays on line n; True when the line
    holds one that names the service (its other rules then leave the line alone)."""
    found = False
    for m in _JSON_ARRAY_RE.finditer(lines.line(n)):
        planned = json_file.string_item_cuts(m.group("json"), lambda v: pointer_matches(name, v))
        if planned is None:
            continue  # not a JSON array of strings: other rules may still apply
        spans, emptied = planned
        if emptied:
            refused.append(Refusal(n + 1, "the JSON array would become empty"))
        offset = lines.start(n) + m.start("json")
        cuts.extend(Cut(Span(offset + s.start, offset + s.end)) for s in spans)
        found = found or bool(spans) or emptied
    return found


def _case_pattern(lines: Lines, n: int, is_service: Callable[[str], bool], cuts: list[Cut],
                  refused: list[Refusal]) -> None:
    """Cut the service's alternatives from the case pattern on line n, each with a `|` beside it."""
    m = _PATTERN_RE.match(lines.line(n))
    alts = list(_ALT_RE.finditer(lines.line(n), m.start("alts"), m.end("alts")))
    doomed = [i for i, a in enumerate(alts) if is_service(a.group())]
    if not doomed:
        return
    if len(doomed) == len(alts):
        refused.append(Refusal(n + 1, "the case pattern would become empty"))
        return
    base, kept = lines.start(n), [i for i in range(len(alts)) if i not in doomed]
    for i in doomed:
        # the separator towards the next kept alternative, or from the previous one at the end
        start, end = (alts[i].start(), alts[i + 1].start()) if i < kept[-1] else (alts[i - 1].end(), alts[i].end())
        cuts.append(Cut(Span(base + start, base + end)))


def _call(line: str) -> re.Match[str] | None:
    """`CMD ARG` of a command whose removal changes nothing but its own call, else None."""
    m = _CALL_RE.match(line)
    return m if m and m.group("cmd") not in STATEFUL else None


def _component_call(lines: Lines, n: int, is_service: Callable[[str], bool]) -> bool:
    """Line n calls a command with the service as its only argument, and a neighbouring line (past
    comment lines and the service's other calls: `gen_proto_go x` then `gen_proto_python x`)
    calls one with another component: a list of per-component calls."""
    if not _service_call(lines, n, is_service):
        return False
    for step in (-1, 1):
        k = n + step
        while 0 <= k < len(lines) and (lines.line(k).lstrip().startswith("#") or _service_call(lines, k, is_service)):
            k += step
        other = _call(lines.line(k)) if 0 <= k < len(lines) else None
        if other is not None and not is_service(other.group("arg")):
            return True
    return False


def _service_call(lines: Lines, n: int, is_service: Callable[[str], bool]) -> bool:
    """Line n is `CMD service` (a removable call), and does not continue the line above."""
    m = _call(lines.line(n))
    return m is not None and is_service(m.group("arg")) and not (n > 0 and lines.line(n - 1).rstrip().endswith("\\"))


def _heredoc_lines(lines: Lines) -> set[int]:
    """Indices of here-document bodies (text, not commands), terminators included."""
    inside: set[int] = set()
    n = 0
    while n < len(lines):
        m = _HEREDOC_RE.search(lines.line(n).split("#")[0])
        n += 1
        if m:
            while n < len(lines) and lines.line(n).strip() != m.group(2):
                inside.add(n)
                n += 1
            inside.add(n)
            n += 1
    return inside


def _in_echo_list(lines: Lines, n: int) -> bool:
    """An echo line among echo lines (a printed list), not a lone message."""
    return any(0 <= m < len(lines) and _ECHO_RE.match(lines.line(m)) for m in (n - 1, n + 1))


def bash_syntax(text: str) -> str | None:
    """None when `bash -n` accepts the script, else its last error line (one process per
    script text in a run: parse/bash.py)."""
    error = syntax_error(text)
    return None if error is None else "bash -n fails: " + error


def still_valid(old: str, new: str) -> str | None:
    """None unless the edit breaks a script that `bash -n` accepted (the original is checked
    only when the result fails)."""
    return newly_broken(bash_syntax, old, new)
