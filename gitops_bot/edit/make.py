"""Makefiles: a line grammar of assignments, rule headers, tab recipes, `\\` continuations and
directives.

Removes, for a service:
- its word in variable lists (`BACKEND_SERVICES = a video-service b`) and `.PHONY`/prerequisite lists;
- its own rules (`video-service-build:` with the recipe), with a comment above that names it;
- the word in `for x in a b c; do` lists inside recipes;
- recipe lines that act only on the service (`helm lint .../video-service`) or run a compose
  service the run removed (`docker compose run traceBasedTests`), with the echo line that
  introduces them;
- a rule without prerequisites all of whose recipe lines go (`run-tracetesting:` running only the
  removed compose service): an empty target, with its word in `.PHONY` and prerequisite lists.
Refuses a rule shared with other targets, and a list the removal would leave empty.
Verify: our own grammar check and `bash -n` on the recipes (make itself never runs: see
`verify`); an edit is refused when it breaks a file that passed before.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Callable

from gitops_bot.domain.names import ServiceName
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish, newly_broken
from gitops_bot.edit.blocks import drop_words, leading_comments
from gitops_bot.parse.bash import syntax_error
from gitops_bot.parse.cache import cached
from gitops_bot.text.splice import Cut, Lines, Span

KIND = "make"
CHECK = "Makefile grammar (conditionals, defines, rules, references) and bash -n on recipes"

_ASSIGN_RE = re.compile(r"^(?:(?:export|override|private)\s+)*[A-Za-z_.][A-Za-z0-9_.-]*\s*(?:\?=|:=|::=|\+=|!=|=)")
_RULE_RE = re.compile(r"^([^\t#=:][^=:]*?)\s*::?(?!=)")
_DIRECTIVE_RE = re.compile(r"^\s*(ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|sinclude"
                           r"|define|endef|export|unexport|vpath)\b")
_FOR_RE = re.compile(r"\bfor\s+\w+\s+in\s+([^;]*?)\s*(;|\bdo\b)")
_INCLUDE_RE = re.compile(r"^\s*(?:-include|sinclude|include)\s+")
_ECHO_RE = re.compile(r"^\t[@+-]*\s*echo\b")
_WORD_RE = re.compile(r"[^\s\\;]+")


@dataclass
class Logical:
    """One logical line: physical lines first..last joined by `\\` continuations."""

    first: int
    last: int
    kind: str  # blank, comment, assign, rule, recipe, directive, other
    text: str


def parse(lines: Lines) -> list[Logical]:
    """Split a Makefile into logical lines and classify them."""
    out: list[Logical] = []
    n = 0
    in_rule = False
    while n < len(lines):
        if re.match(r"^\s*define\b", lines.line(n)):  # a define body is opaque text: never edited
            first = n
            while n + 1 < len(lines) and not re.match(r"^\s*endef\b", lines.line(n)):
                n += 1
            out.append(Logical(first, n, "directive", lines.line(first)))
            n += 1
            in_rule = False
            continue
        first = n
        while lines.line(n).endswith("\\") and n + 1 < len(lines):
            n += 1
        text = "\n".join(lines.line(i) for i in range(first, n + 1))
        kind = _classify(text, in_rule)
        in_rule = kind in ("rule", "recipe") or (in_rule and kind == "comment" and text.startswith("\t"))
        out.append(Logical(first, n, kind, text))
        n += 1
    return out


def parsed(text: str) -> tuple[Lines, list[Logical]]:
    """The lines and logical lines of a Makefile text, split once per run (the editor, the
    grammar check and the recipe script of the same text share them; read-only)."""
    return cached("makefile-lines", text, _split)


def targets(text: str) -> set[str]:
    """The targets of a Makefile's rules (special targets such as `.PHONY` aside)."""
    found = set()
    for lg in parsed(text)[1]:
        if lg.kind == "rule":
            found.update(t for t in lg.text[:_RULE_RE.match(lg.text).end(1)].split() if not t.startswith("."))
    return found


def targets_mentioning(text: str, mentions: Callable[[str], bool]) -> set[str]:
    """The targets of the rules whose every recipe line `mentions` accepts: those a removal of
    what it names may empty and remove (`e2e-media:` whose one recipe line tests the component)."""
    found: set[str] = set()
    rule: set[str] = set()
    recipe: list[str] = []

    def close() -> None:
        if rule and recipe and all(map(mentions, recipe)):
            found.update(rule)

    for lg in parsed(text)[1]:
        if lg.kind == "recipe":
            recipe.append(lg.text)
        elif lg.kind not in ("comment", "blank"):
            close()
            rule = ({t for t in lg.text[:_RULE_RE.match(lg.text).end(1)].split() if not t.startswith(".")}
                    if lg.kind == "rule" else set())
            recipe = []
    close()
    return found


def _split(text: str) -> tuple[Lines, list[Logical]]:
    lines = Lines(text)
    return lines, parse(lines)


def _classify(text: str, in_rule: bool) -> str:
    if not text.strip():
        return "blank"
    if text.startswith("\t") and in_rule:
        return "recipe"
    if text.lstrip().startswith("#"):
        return "comment"
    if _DIRECTIVE_RE.match(text) and not _ASSIGN_RE.match(text.replace("export ", "", 1)):
        return "directive"
    if _ASSIGN_RE.match(text):
        return "assign"
    if _RULE_RE.match(text):
        return "rule"
    return "other"


class _Editor:
    def __init__(self, text: str, name: ServiceName, deleted: frozenset[str] = frozenset(), folder: str = "",
                 services: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.lines, self.logicals = parsed(text)
        self.name = name
        self.services = services  # compose services the run removed
        self.dead: set[str] = set()  # targets of rules left without a recipe line
        self.deleted, self.folder = deleted, folder
        self.including = False
        self.cuts: list[Cut] = []
        self.refused: list[Refusal] = []

    def run(self) -> None:
        logicals = self.logicals
        self.dead = self._dead_targets()
        removed_rule = False
        for i, lg in enumerate(logicals):
            if lg.kind == "rule":
                removed_rule = self._rule(logicals, i)
            elif lg.kind == "recipe" and not removed_rule:
                self._recipe(logicals, i)
            elif lg.kind == "assign":
                self._words_after(lg, lg.text.index("=") + 1, "variable")
            elif lg.kind == "directive" and _INCLUDE_RE.match(lg.text):
                self._include(lg)
            if lg.kind not in ("recipe", "rule"):
                removed_rule = False

    # -- rules ----------------------------------------------------------------------------
    def _rule(self, logicals: list[Logical], i: int) -> bool:
        lg = logicals[i]
        colon = _RULE_RE.match(lg.text).end()
        targets = lg.text[:_RULE_RE.match(lg.text).end(1)].split()
        owned = [t for t in targets if self.name.owns(t) or t in self.dead]
        if targets and targets[0].startswith("."):
            self._words_after(lg, colon, "prerequisite", drop_line_if_empty=True)
            return False
        if owned and len(owned) < len(targets):
            self._refuse(lg.first, "rule shared by several targets")
            return False
        if not owned:
            self._words_after(lg, colon, "prerequisite")
            return False
        last = lg.last
        j = i + 1
        while j < len(logicals) and logicals[j].kind == "recipe":
            last = logicals[j].last
            j += 1
        first = leading_comments(self.lines, lg.first, 0, self.name.names_in_comment)
        self.cuts.append(Cut(self.lines.span(first, last)))
        return True

    def _dead_targets(self) -> set[str]:
        """The targets of one-target rules without prerequisites whose every recipe line acts
        only on the service (nothing would be left of them)."""
        dead = set()
        for i, lg in enumerate(self.logicals):
            if lg.kind != "rule" or lg.first != lg.last:
                continue
            m = _RULE_RE.match(lg.text)
            targets = lg.text[:m.end(1)].split()
            if len(targets) != 1 or targets[0].startswith(".") or "$" in targets[0] \
                    or lg.text[m.end():].split("#", 1)[0].strip():
                continue
            recipes = []
            for other in self.logicals[i + 1:]:
                if other.kind != "recipe":
                    break
                recipes.append(other)
            if recipes and all(r.first == r.last and self._mentions(r.text) and not self.name.names_others(r.text)
                               and not _FOR_RE.search(r.text) for r in recipes):
                dead.add(targets[0])
        return dead

    def _include(self, lg: Logical) -> None:
        """An `include` of files the run deleted or that are the service's would stop `make`
        ("No such file"): the line goes when every file is such, else the words do."""
        self.including = True  # the words of this line are also doomed when they are deleted files
        try:
            self._words_after(lg, _INCLUDE_RE.match(lg.text).end(), "include list", drop_line_if_empty=True)
        finally:
            self.including = False

    def _deleted_file(self, word: str) -> bool:
        """A path the run deleted, read from the repository root or from the Makefile's folder
        (where `make -C` or a sub-make runs it)."""
        if "$" in word:
            return False
        return any(posixpath.normpath(posixpath.join(base, word)) in self.deleted for base in ("", self.folder))

    # -- recipes --------------------------------------------------------------------------
    def _recipe(self, logicals: list[Logical], i: int) -> None:
        lg = logicals[i]
        loop = _FOR_RE.search(self.lines.line(lg.first))
        if loop:
            self._words_in(lg.first, loop.start(1), loop.end(1), "for-loop list")
            return
        if not self._mentions(lg.text):
            return
        if self.name.names_others(lg.text):
            self._refuse(lg.first, "recipe line also acts on other services")
            return
        if lg.first != lg.last:
            self._refuse(lg.first, "multi-line recipe command")
            return
        first = lg.first
        prev = logicals[i - 1] if i > 0 else None
        if (prev and prev.kind == "recipe" and prev.first == prev.last and _ECHO_RE.match(prev.text)
                and self._mentions(prev.text) and not self.name.names_others(prev.text)):
            first = prev.first
        self.cuts.append(Cut(self.lines.span(first, lg.last)))

    def _mentions(self, text: str) -> bool:
        return bool(self.name.mentions(text)) or any(
            self.name.in_path(w) or self.name.owns(w) or w in self.services for w in _WORD_RE.findall(text))

    # -- word lists -----------------------------------------------------------------------
    def _words_after(self, lg: Logical, offset_in_first: int, what: str, drop_line_if_empty: bool = False) -> None:
        doomed = total = 0
        regions = []
        for n in range(lg.first, lg.last + 1):
            line = self.lines.line(n)
            start = offset_in_first if n == lg.first else 0
            end = len(line) - 1 if line.endswith("\\") else len(line)
            comment = line.find("#", start)
            end = comment if 0 <= comment < end else end
            regions.append((n, start, end))
            words = _WORD_RE.findall(line[start:end])
            total += len(words)
            doomed += sum(1 for w in words if self._word_is_service(w))
        if not doomed:
            return
        if doomed == total:
            if drop_line_if_empty and lg.first == lg.last:
                first = leading_comments(self.lines, lg.first, 0, self.name.names_in_comment)
                self.cuts.append(Cut(self.lines.span(first, lg.last)))
            else:
                self._refuse(lg.first, f"the {what} would become empty")
            return
        for n, start, end in regions:
            if n == lg.last and n > lg.first and self._only_doomed(n, start, end):
                self._cut_last_continuation(lg, regions)
                continue
            self._words_in(n, start, end, what, last_line=(n == lg.last), multi=(lg.first != lg.last))

    def _only_doomed(self, n: int, start: int, end: int) -> bool:
        words = _WORD_RE.findall(self.lines.line(n)[start:end])
        return bool(words) and all(self._word_is_service(w) for w in words)

    def _cut_last_continuation(self, lg: Logical, regions: list[tuple[int, int, int]]) -> None:
        """The list's last line holds only the service: cut it, with the ` \\` that continued the
        last line that stays (`A = a \\` + `    video-service` becomes `A = a`)."""
        keep = lg.last - 1
        while keep > lg.first and self._only_doomed(*regions[keep - lg.first]):
            keep -= 1
        kept = self.lines.line(keep)
        end_of_kept = self.lines.start(keep) + len(kept[:-1].rstrip())  # before the backslash
        last = self.lines.line(lg.last)
        self.cuts.append(Cut(Span(end_of_kept, self.lines.start(lg.last) + len(last))))

    def _words_in(self, n: int, start: int, end: int, what: str, last_line: bool = True,
                  multi: bool = False) -> None:
        cuts = drop_words(self.lines, n, start, end, self._word_is_service,
                          continuation=multi and not last_line)
        if cuts is None:
            self._refuse(n, f"the {what} would become empty")
        else:
            self.cuts.extend(cuts)

    def _word_is_service(self, word: str) -> bool:
        word = word.strip("\"'")
        return self.name.owns(word) or self.name.in_path(word) or word in self.dead \
            or (self.including and self._deleted_file(word))

    def _refuse(self, n: int, reason: str) -> None:
        self.refused.append(Refusal(n + 1, reason))


def claims(path: str, text: str) -> bool:
    """`Makefile`, `makefile`, `GNUmakefile` and `*.mk`."""
    base = posixpath.basename(path)
    return base in ("Makefile", "makefile", "GNUmakefile") or posixpath.splitext(base)[1].lower() == ".mk"


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's words, rules and recipe lines from a Makefile."""
    editor = _Editor(text, ctx.name, ctx.deleted_paths, posixpath.dirname(ctx.path), ctx.removed_services)
    editor.run()
    return finish(text, editor.lines, editor.cuts, editor.refused, lambda new: still_valid(text, new))


# -- verification -------------------------------------------------------------------------
# Never `make`: even `make -n` evaluates `$(file ...)`, `$(shell ...)` under `override SHELL`,
# `load` and generated includes, i.e. it runs the repository. Our own grammar check and `bash -n`
# (which parses without executing, on a copy given on stdin) are enough for deletions.
_CONDITIONAL_OPEN_RE = re.compile(r"^ *(ifeq|ifneq|ifdef|ifndef)\b")
_CONDITIONAL_ELSE_RE = re.compile(r"^ *else\b")
_CONDITIONAL_END_RE = re.compile(r"^ *endif\b")


def still_valid(old: str, new: str) -> str | None:
    """None unless `new` fails our Makefile grammar check or `bash -n` where `old` passed (the
    original is checked only when the result fails: most edits then start one process, not two;
    an edit that leaves every recipe as it was starts none, since `bash -n` would judge the
    same script twice)."""
    problem = newly_broken(grammar_problem, old, new)
    if problem is not None:
        return problem
    script, before = recipe_script(new), recipe_script(old)
    return None if script == before else newly_broken(_bash_problem, before, script)


def grammar_problem(text: str) -> str | None:
    """The first thing GNU make would reject in `text`, as far as a line grammar can tell:
    unbalanced conditionals or `define`s, a recipe line before the first rule, a line that is
    neither an assignment, a rule, a directive, a recipe nor a function call (make's "missing
    separator"), an unterminated variable reference. None when nothing is found."""
    lines, logicals = parsed(text)
    depth = 0
    seen_rule = False
    for lg in logicals:
        where = f"line {lg.first + 1}"
        first_line = lines.line(lg.first)
        if lg.kind == "directive" and re.match(r"^\s*define\b", first_line):
            if not re.match(r"^\s*endef\b", lines.line(lg.last)) or lg.last == lg.first:
                return f"{where}: define without endef"
            continue
        if lg.kind == "recipe" or lg.kind == "blank" or lg.kind == "comment":
            continue
        if first_line.startswith("\t") and lg.text.strip():
            if not seen_rule:
                return f"{where}: recipe commences before first target"
            continue
        if _CONDITIONAL_OPEN_RE.match(first_line):
            depth += 1
        elif _CONDITIONAL_ELSE_RE.match(first_line):
            if depth == 0:
                return f"{where}: else without a conditional"
        elif _CONDITIONAL_END_RE.match(first_line):
            if depth == 0:
                return f"{where}: endif without a conditional"
            depth -= 1
        elif re.match(r"^\s*endef\b", first_line):
            return f"{where}: endef without define"
        elif lg.kind == "rule":
            seen_rule = True
        elif lg.kind == "other" and not _tolerated(lg.text.lstrip(" ")):
            return f"{where}: missing separator"
        if not _references_close(lg.text):
            return f"{where}: unterminated variable reference"
    return "missing endif" if depth else None


def _tolerated(text: str) -> bool:
    """Lines make accepts that our classifier calls "other": indented assignments and rules,
    function calls (`$(eval ...)`), and the rarer directives."""
    return (text.startswith("$") or bool(_ASSIGN_RE.match(text) or _RULE_RE.match(text))
            or bool(re.match(r"(load|-load|undefine|override|private|unexport|vpath)\b", text)))


def _references_close(text: str) -> bool:
    """True when every `$(` / `${` in a (non-recipe) line is closed."""
    text = text.replace("$$", "")
    stack: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "$" and text[i + 1:i + 2] in ("(", "{"):
            stack.append(")" if text[i + 1] == "(" else "}")
            i += 2
            continue
        if stack and text[i] in "({":
            stack.append(")" if text[i] == "(" else "}")
        elif stack and text[i] == stack[-1]:
            stack.pop()
        i += 1
    return not stack


def recipe_script(text: str) -> str:
    """The recipe lines of a Makefile as one script for `bash -n` (make's own syntax turned
    into shell words)."""
    script = []
    for lg in parsed(text)[1]:
        if lg.kind != "recipe":
            continue
        command = "\n".join(re.sub(r"^\t[@+-]*", "", part) for part in lg.text.split("\n"))
        script.append(_unmake(command.replace("\\\n", " ")))
    return "\n".join(script) + "\n"


def _bash_problem(script: str) -> str | None:
    error = syntax_error(script)
    return None if error is None else "bash -n fails on a recipe: " + error


def _unmake(command: str) -> str:
    """A recipe line as the shell sees it: make references become words, `$$` becomes `$`."""
    command = command.replace("$$", "\0")
    previous = None
    while previous != command:
        previous = command
        command = re.sub(r"\$[({][^(){}]*[)}]", "MAKEVAR", command)
    command = re.sub(r"\$[A-Za-z@<^+*?%]", "MAKEVAR", command)
    return command.replace("\0", "$")
