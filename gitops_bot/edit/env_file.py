"""`.env` files (docker compose's variables): remove the component's variables by groups.

A `.env` file of a compose-first application is a list of groups separated by blank lines, each
usually headed by a comment that says whose variables follow:

    # Video                                   <- heading: names the component
    VIDEO_HOST=video
    VIDEO_ADDR=${VIDEO_HOST}:${VIDEO_PORT}

What goes, group by group (the heading decides; "owned" is a name such as `VIDEO_PORT` that
extends the component's name, `ServiceName.owns`):
- the component's group (its heading names the component, no variable in it belongs to another
  name of the heading, and most of its variables are owned): the whole group with its heading
  and one separator blank line;
- a group without a heading, or whose heading names none of its variables (`# Build Args`, a
  list of one variable per component): the owned variables, line by line;
- another component's group (`# Agent` with `AGENT_PORT=...` and `LLM_MODEL=...`): only owned
  address variables (`VIDEO_ADDR`); other owned variables there are that component's settings,
  kept and listed.
A variable that stays and uses a removed one (`FRONTEND_ADDR=${VIDEO_ADDR}`) would be left
dangling: the definition it uses stays (with its whole group when it is the component's), and
the refusal names the variable that still uses it. A line that is not `NAME=VALUE`, a comment or
blank (a multi-line quoted value, say) refuses the whole file.

Verify: the result re-parses and its assignments equal the original's minus the removed lines.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from gitops_bot.domain.names import ServiceName, words
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish, newly_broken
from gitops_bot.text.splice import Cut, Lines

KIND = "dotenv"
CHECK = "every line is NAME=VALUE, a comment or blank; assignments equal the original minus the removed ones"

_ASSIGN_RE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)")
_REF_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)")
# A comment line made only of decoration (`# ******`) ends a section banner above a heading.
_BANNER_RE = re.compile(r"\s*#[\s#*=~_-]*")


@dataclass
class _Var:
    line: int
    name: str
    value: str

    def uses(self) -> set[str]:
        """The variables the value expands (`${A}`, `${A:-x}`, `$A`)."""
        return {a or b for a, b in _REF_RE.findall(self.value)}


@dataclass
class _Group:
    """A run of non-blank lines: its heading comment lines (after any banner) and variables."""

    first: int
    last: int
    heading: list[int] = field(default_factory=list)
    variables: list[_Var] = field(default_factory=list)


class _NotDotenv(ValueError):
    def __init__(self, line: int) -> None:
        super().__init__(f"line {line + 1} is not NAME=VALUE, a comment or blank")
        self.line = line


def parse(text: str) -> list[_Group]:
    """The groups of a `.env` text; raises _NotDotenv on a line it cannot read."""
    lines = Lines(text)
    groups: list[_Group] = []
    current: _Group | None = None
    for n in range(len(lines)):
        line = lines.line(n)
        if not line.strip():
            current = None
            continue
        if current is None:
            current = _Group(n, n)
            groups.append(current)
        current.last = n
        if lines.is_comment(n):
            if not current.variables:
                current.heading = [] if _BANNER_RE.fullmatch(line) else current.heading + [n]
            continue
        m = _ASSIGN_RE.fullmatch(line)
        if m is None or _open_quote(m.group(2)):
            raise _NotDotenv(n)
        current.variables.append(_Var(n, m.group(1), m.group(2)))
    return groups


def removed_names(before: str, after: str) -> frozenset[str]:
    """The variables `before` assigns and `after` (a result of `remove`) no longer does."""
    return frozenset(n for n, _ in assignments(before)) - {n for n, _ in assignments(after)}


def _open_quote(value: str) -> bool:
    """True when a quoted value does not close on its own line (a multi-line value)."""
    value = value.strip()
    return bool(value) and value[0] in "\"'" and (len(value) < 2 or value.rfind(value[0]) == 0)


def assignments(text: str) -> list[tuple[str, str]]:
    """(name, value) of every assignment, in order."""
    return [(v.name, v.value) for g in parse(text) for v in g.variables]


class _Planner:
    def __init__(self, text: str, name: ServiceName) -> None:
        self.lines = Lines(text)
        self.name = name
        self.groups = parse(text)
        self.whole: set[int] = set()  # indexes of groups that go whole
        self.doomed: set[int] = set()  # lines of variables that go alone
        self.refused: list[Refusal] = []

    def run(self) -> None:
        for i, group in enumerate(self.groups):
            self._decide(i, group)
        self._keep_what_is_still_used()

    def _decide(self, index: int, group: _Group) -> None:
        heading = self._heading_words(group)
        owned = [v for v in group.variables if self.name.owns(v.name)]
        if not owned:
            return
        owners = {self._owner_in(heading, v.name) for v in group.variables} - {()}
        mine = {self.name.tokens, self.name.short}
        if heading and self._names_me(heading) and owners <= mine and 2 * len(owned) > len(group.variables):
            self.whole.add(index)
        elif not heading or not owners - mine:
            self.doomed.update(v.line for v in owned)
        else:
            for v in owned:
                if self.name.addresses(v.name):
                    self.doomed.add(v.line)
                else:
                    self.refused.append(Refusal(v.line + 1, f"{v.name} is set among another component's "
                                                             "variables: check whether it still applies"))

    def _heading_words(self, group: _Group) -> tuple[str, ...]:
        return tuple(w for n in group.heading for w in words(self.lines.line(n)))

    def _names_me(self, heading: tuple[str, ...]) -> bool:
        return any(heading[i:i + len(seq)] == seq for seq in {self.name.tokens, self.name.short}
                   for i in range(len(heading) - len(seq) + 1))

    @staticmethod
    def _owner_in(heading: tuple[str, ...], variable: str) -> tuple[str, ...]:
        """The longest leading words of `variable` that the heading says consecutively
        (`FLAGD_UI_PORT` under `# Flagd UI` -> ('flagd', 'ui')), or ()."""
        t = words(variable)
        for k in range(len(t), 0, -1):
            if any(heading[i:i + k] == t[:k] for i in range(len(heading) - k + 1)):
                return t[:k]
        return ()

    def removed_lines(self) -> set[int]:
        lines = set(self.doomed)
        for i in self.whole:
            lines.update(v.line for v in self.groups[i].variables)
        return lines

    def _keep_what_is_still_used(self) -> None:
        """Un-remove definitions that a kept variable still expands, until none is left dangling."""
        while True:
            removed = self.removed_lines()
            every = [v for g in self.groups for v in g.variables]
            kept_names = {v.name for v in every if v.line not in removed}
            gone = {v.name for v in every if v.line in removed} - kept_names
            user = next(((v, used) for v in every if v.line not in removed for used in sorted(v.uses() & gone)), None)
            if user is None:
                return
            var, used = user
            for i, group in enumerate(self.groups):
                for v in group.variables:
                    if v.name == used and v.line in removed:
                        self.whole.discard(i)
                        self.doomed.discard(v.line)
                        self.refused.append(Refusal(v.line + 1, f"{var.name} (line {var.line + 1}) still uses "
                                                                 f"${{{used}}}: rewrite it first"))

    def cuts(self) -> list[Cut]:
        cuts = [Cut(self.lines.span(n, n)) for n in self.doomed]
        for i in self.whole:
            group = self.groups[i]
            first = group.heading[0] if group.heading else group.variables[0].line
            last = group.last
            # A section banner kept above the group: its separator blank line goes with the group.
            if first > group.first and last + 1 < len(self.lines) and self.lines.is_blank(last + 1):
                last += 1
            cuts.append(Cut(self.lines.span(first, last)))
        return cuts


def claims(path: str, text: str) -> bool:
    """`.env`, `.env.*` (`.env.example`, `.env.override`) and `*.env` files."""
    base = posixpath.basename(path)
    return base == ".env" or base.startswith(".env.") or (base.endswith(".env") and len(base) > 4)


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the component's variables from a `.env` file (see the module's rules)."""
    try:
        planner = _Planner(text, ctx.name)
    except _NotDotenv as exc:
        return EditResult(text, [Refusal(exc.line + 1, f"edit refused: {exc}; edit it by hand")])
    planner.run()
    removed = planner.removed_lines()
    expected = [(v.name, v.value) for g in planner.groups for v in g.variables if v.line not in removed]
    return finish(text, planner.lines, planner.cuts(), planner.refused, lambda new: _verify(text, new, expected))


def _verify(before: str, after: str, expected: list[tuple[str, str]]) -> str | None:
    problem = still_valid(before, after)
    if problem:
        return problem
    return None if assignments(after) == expected else "the variables would not match the intended removal"


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` has a line that is not NAME=VALUE, a comment or blank where `before`
    had none."""
    return newly_broken(_parse_problem, before, after)


def _parse_problem(text: str) -> str | None:
    try:
        parse(text)
    except _NotDotenv as exc:
        return str(exc)
    return None
