"""Bracketed string lists in the repository's own scripts and tests (Python, Go, TypeScript and
JavaScript): the component's entries go, nothing else is edited.

Which files: only tooling the repository runs on itself, never application source. A file is
tooling when its top folder is one of TOOLING_DIRS (`scripts/`, `hack/`, `tools/`, `test/`,
`tests/`, `e2e/`), also below `.github/` (CI's own `.github/scripts/`; not a bundled action's
`dist/`): `scripts/take-screenshots`, `test/smoke_test.go`, `.github/scripts/plan-examples.py`. Code anywhere else
(`services/x/main.go`, `src/app.ts`) stays source code, listed in the residue and never edited.

What goes, in a list literal assigned to a name or a key (`APPS = [...]`, `var apps = []T{...}`,
`const apps = [...]`, `"apps": [...]`) or looped over (`for x in [...]`, `range []string{...}`);
never a call's argument, keyword arguments included, where a list is often an argv:
- a string entry that is the component or a path into it (`"video-service"`, `'video'`,
  `"services/video-service/api.py"`): on a line of its own it goes with its line (and a comment
  line above it that names the component); inline (`["a", "video-service", "b"]`) it goes with
  the comma and space that join it to its neighbour;
- a record entry (a dict, object, tuple or struct literal of strings, such as
  `{'name': 'video', 'url': '...'}` or `{"video-service", "video"}`) whose identity is the
  component: a `name`/`id`/`app`/`service`/`component` key, or for positional records any
  field, holds its name, and that value is the row's own (no other row holds the same value in
  that field, so `{"grafana", "monitoring"}` is not the `monitoring` row).
Refused (listed for a human): an entry that names the component with more than its name
(`"video-service --debug"`, a record whose identity is something else), a list that would
become empty, a list whose strings look like a command line (an entry starting with `-`).
A file the reader cannot follow (an unterminated string or regular expression, unbalanced
brackets) is not edited.

Verify: the result tokenizes to the original's tokens minus the removed entries and their
commas, no list is left with an empty slot (`[,` or `,,`), and a Python file still parses
(`ast.parse`, which only parses).
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass, field

from gitops_bot.domain.names import ServiceName, pointer_matches, words
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, Unparsable, finish, newly_broken
from gitops_bot.edit.blocks import leading_comments
from gitops_bot.text.splice import Cut, Lines, Span

KIND = "script"
CHECK = "tokens equal the original minus the removed entries; Python re-parsed"

# Top folders that hold the repository's own tooling and tests, not application code.
TOOLING_DIRS = frozenset({"scripts", "script", "hack", "tools", "test", "tests", "e2e"})
_SUFFIX_LANG = {".py": "python", ".go": "go", ".ts": "js", ".js": "js", ".mjs": "js", ".cjs": "js"}
_SHEBANG_RE = re.compile(r"#!\s*/\S*(?:python[0-9.]*|env\s+(?:-S\s+)?(?P<env>python[0-9.]*|node))\b")
# Keys whose value says whose record it is.
_IDENTITY_KEYS = frozenset({"name", "id", "app", "service", "component"})
_OPENERS = {"[": "]", "{": "}", "(": ")"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


@dataclass
class Token:
    """One significant token: its kind, character span and value."""

    kind: str  # str, regex, open, close, comma, colon, eq, word, punct
    start: int
    end: int
    value: str  # a string's content between its quotes, or the token's text
    plain: bool = True  # False for an f-string, a bytes literal, an escape, a template with ${...}


@dataclass
class Group:
    """A bracketed group: its opening token and its elements split at top-level commas. An
    element is a list of items (a Token or a nested Group)."""

    open: Token
    close: Token | None = None
    items: list = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.open.start

    @property
    def end(self) -> int:
        return self.close.end if self.close else self.open.end

    def elements(self) -> list[tuple[list, Token | None]]:
        """(items of each element, the comma after it or None)."""
        out, current = [], []
        for item in self.items:
            if isinstance(item, Token) and item.kind == "comma":
                out.append((current, item))
                current = []
            else:
                current.append(item)
        if current:
            out.append((current, None))
        return out


def language(path: str, text: str) -> str | None:
    """python, go or js from the suffix or the shebang; None for other files."""
    lang = _SUFFIX_LANG.get(posixpath.splitext(path)[1].lower())
    if lang is None and "." not in posixpath.basename(path):
        m = _SHEBANG_RE.match(text.split("\n", 1)[0])
        if m:
            lang = "js" if m.group("env") == "node" else "python"
    return lang


def claims(path: str, text: str) -> bool:
    """Python, Go, TypeScript and JavaScript files (by suffix or shebang) under a tooling
    folder at the top of the repository or of `.github/` (TOOLING_DIRS)."""
    parts = path.split("/")
    top = parts[1] if parts[0] == ".github" and len(parts) > 2 else parts[0]
    return top in TOOLING_DIRS and len(parts) > 1 and language(path, text) is not None


# -- reading ----------------------------------------------------------------------------------
_PY_STRING_RE = re.compile(r"(?P<prefix>[rRbBuUfF]{0,2})(?P<q>'''|\"\"\"|'|\")")
_WORD_RE = re.compile(r"[A-Za-z0-9_$]+")


def tokenize(text: str, lang: str) -> list[Token]:
    """The significant tokens of `text` (comments and whitespace skipped). Raises ValueError
    where the reader cannot follow the text."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\\;":
            i += 1
        elif lang == "python" and c == "#":
            i = _line_end(text, i)
        elif lang != "python" and text.startswith("//", i):
            i = _line_end(text, i)
        elif lang != "python" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ValueError(f"unterminated comment at offset {i}")
            i = end + 2
        elif lang == "python" and (m := _PY_STRING_RE.match(text, i)):
            i = _python_string(text, i, m, tokens)
        elif c in "\"'`":
            i = _c_string(text, i, c, lang, tokens)
        elif c in _OPENERS:
            tokens.append(Token("open", i, i + 1, c))
            i += 1
        elif c in _CLOSERS:
            tokens.append(Token("close", i, i + 1, c))
            i += 1
        elif c == "/" and lang == "js" and _starts_regex(tokens):
            i = _js_regex(text, i, tokens)
        elif (m := _WORD_RE.match(text, i)):
            tokens.append(Token("word", i, m.end(), m.group()))
            i = m.end()
        else:
            kind = {",": "comma", ":": "colon", "=": "eq"}.get(c, "punct")
            tokens.append(Token(kind, i, i + 1, c))
            i += 1
    return tokens


# Words after which a `/` starts a regular expression, not a division.
_JS_KEYWORDS = frozenset({"return", "typeof", "case", "in", "of", "delete", "void", "throw", "new", "instanceof",
                          "else", "do", "yield", "await"})


def _starts_regex(tokens: list[Token]) -> bool:
    """Whether a `/` (not a comment) starts a regular expression: after an operator, an opening
    bracket, a comma or a keyword; after a name, a number, a string or a closing bracket it
    divides."""
    if not tokens:
        return True
    prev = tokens[-1]
    if prev.kind == "word":
        return prev.value in _JS_KEYWORDS
    return prev.kind not in ("str", "close")


def _js_regex(text: str, i: int, tokens: list[Token]) -> int:
    """Read a regular expression literal (`/[/']x/g`) as one opaque token."""
    j, in_class = i + 1, False
    while True:
        if j >= len(text) or text[j] == "\n":
            raise ValueError(f"unterminated regular expression at offset {i}")
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == "[":
            in_class = True
        elif text[j] == "]":
            in_class = False
        elif text[j] == "/" and not in_class:
            break
        j += 1
    m = _WORD_RE.match(text, j + 1)
    end = m.end() if m else j + 1
    tokens.append(Token("regex", i, end, text[i:end], plain=False))
    return end


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _python_string(text: str, i: int, m: re.Match, tokens: list[Token]) -> int:
    quote, prefix = m.group("q"), m.group("prefix").lower()
    j = m.end()
    while True:
        if j >= len(text) or (len(quote) == 1 and text[j] == "\n"):
            raise ValueError(f"unterminated string at offset {i}")
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            break
        else:
            j += 1
    tokens.append(Token("str", i, j + len(quote), text[m.end():j], plain="f" not in prefix and "b" not in prefix))
    return j + len(quote)


def _c_string(text: str, i: int, quote: str, lang: str, tokens: list[Token]) -> int:
    j = i + 1
    raw = quote == "`"
    while True:
        if j >= len(text) or (not raw and text[j] == "\n"):
            raise ValueError(f"unterminated string at offset {i}")
        if text[j] == "\\" and not (raw and lang == "go"):
            j += 2
        elif text[j] == quote:
            break
        else:
            j += 1
    value = text[i + 1:j]
    plain = "\\" not in value and not (raw and lang == "js" and "${" in value)
    tokens.append(Token("str", i, j + 1, value, plain=plain))
    return j + 1


def groups(tokens: list[Token]) -> tuple[list, list[Group]]:
    """The top-level items and every group, in order of their opening. ValueError when the
    brackets do not balance."""
    top: list = []
    stack: list[tuple[Group, list]] = []
    found: list[Group] = []
    items = top
    for tok in tokens:
        if tok.kind == "open":
            g = Group(tok)
            found.append(g)
            items.append(g)
            stack.append((g, items))
            items = g.items
        elif tok.kind == "close":
            if not stack or _OPENERS[stack[-1][0].open.value] != tok.value:
                raise ValueError(f"unbalanced {tok.value!r} at offset {tok.start}")
            g, items = stack.pop()
            g.close = tok
        else:
            items.append(tok)
    if stack:
        raise ValueError(f"unclosed {stack[-1][0].open.value!r} at offset {stack[-1][0].start}")
    return top, found


# -- deciding ---------------------------------------------------------------------------------
@dataclass
class _Entry:
    """An element of a list literal: a string, or a record whose string fields are `strings`."""

    items: list
    comma: Token | None
    strings: list[tuple[str | None, Token]]  # (key or None, value) of a record, or [(None, s)]
    record: bool

    @property
    def start(self) -> int:
        return self.items[0].start

    @property
    def end(self) -> int:
        return self.items[-1].end


def _entry(items: list, comma: Token | None) -> _Entry | None:
    """The entry of a list, or None when it is neither a string nor a record of strings."""
    if len(items) == 1 and isinstance(items[0], Token) and items[0].kind == "str":
        return _Entry(items, comma, [(None, items[0])], False)
    if len(items) == 1 and isinstance(items[0], Group) and items[0].open.value in "{(":
        fields = []
        for f_items, _ in items[0].elements():
            toks = [t for t in f_items if isinstance(t, Token)]
            if len(toks) != len(f_items):
                return None
            if len(toks) == 1 and toks[0].kind in ("str", "word"):
                fields.append((None, toks[0]))
            elif len(toks) == 3 and toks[1].kind == "colon" and toks[0].kind in ("str", "word") \
                    and toks[2].kind in ("str", "word"):
                fields.append((toks[0].value, toks[2]))
            else:
                return None
        strings = [(k, t) for k, t in fields if t.kind == "str"]
        return _Entry(items, comma, strings, True) if strings else None
    return None


def _list_entries(g: Group, before: list, in_call: bool) -> list[_Entry] | None:
    """The entries of a group that is a list literal assigned to a name or key, else None. In
    parentheses an `=` passes a keyword argument (`run(args=[...])`): that is a call's too."""
    if g.open.value == "(" or not _assigned(before) or (in_call and _by_eq(before)):
        return None
    entries = []
    for items, comma in g.elements():
        e = _entry(items, comma)
        if e is None:
            return None
        entries.append(e)
    if not entries or len({e.record for e in entries}) != 1:
        return None
    return entries


def _by_eq(before: list) -> bool:
    """Whether the nearest `=` or `:` before a group is an `=`."""
    for item in reversed(before):
        if isinstance(item, Token) and item.kind in ("eq", "colon"):
            return item.kind == "eq"
    return False


def _assigned(before: list) -> bool:
    """Whether the items before a group's opening make it the value of an assignment or a key:
    `=`, `:=`, `:` or `return`, after skipping a Go type (`[]string`, `[]struct{...}`, `map[..]T`)."""
    k = len(before) - 1
    while k >= 0:
        item = before[k]
        if isinstance(item, Group):
            if item.open.value == "{" and k > 0 and isinstance(before[k - 1], Token) \
                    and before[k - 1].value in ("struct", "interface"):
                k -= 2
                continue
            if item.open.value == "[" and len(item.items) <= 1 \
                    and all(isinstance(t, Token) and t.kind == "word" for t in item.items):
                k -= 1  # `[]`, `[2]` or `[string]` of a slice, array or map type
                continue
            return False
        if item.kind == "word" and k > 0 and (isinstance(before[k - 1], Group) or item.value == "map"):
            k -= 1  # the element type after `[]` or `map[K]`, or `map` itself
            continue
        if item.kind == "eq":  # `=`, `:=`; not `==`, `!=`, `<=`, `>=`
            return not (k > 0 and isinstance(before[k - 1], Token) and before[k - 1].value in "=!<>")
        return item.kind == "colon" or item.value in ("return", "in", "range")
    return False


class _Planner:
    def __init__(self, text: str, lang: str, ctx: RemovalContext) -> None:
        self.text = text
        self.lang = lang
        self.name: ServiceName = ctx.name
        self.deleted = ctx.deleted_paths
        self.lines = Lines(text, comment="#" if lang == "python" else "//")
        self.cuts: list[Cut] = []
        self.refused: list[Refusal] = []

    def run(self, top: list) -> None:
        self._walk(top)

    def _walk(self, items: list, parent: str = "") -> None:
        for k, item in enumerate(items):
            if isinstance(item, Group):
                entries = _list_entries(item, items[:k], in_call=parent == "(")
                if entries is not None:
                    self._plan(item, entries)
                else:
                    for sub, _ in item.elements():
                        self._walk(sub, item.open.value)

    def _line(self, offset: int) -> int:
        return self.lines.line_of(offset) + 1

    def _is_component(self, value: str) -> bool:
        return pointer_matches(self.name, value) or value.rstrip("/") in self.deleted

    def _names(self, value: str) -> bool:
        """Whether `value` mentions the component outside another known component's longer name
        (`video-service-gateway` does not name `video-service`)."""
        for m in self.name.mentions(value):
            start, end = m.start(), m.end()
            while start > 0 and (value[start - 1].isalnum() or value[start - 1] in "_-"):
                start -= 1
            while end < len(value) and (value[end].isalnum() or value[end] in "_-"):
                end += 1
            if words(value[start:end]) not in self.name.known:
                return True
        return False

    def _doomed(self, entries: list[_Entry], i: int) -> bool | None:
        """True when entry i is the component's, False when it does not name it, None when it
        names it with more than its name (refused)."""
        e = entries[i]
        values = [t.value for _, t in e.strings]
        if not any(self._names(v) or self._is_component(v) for v in values):
            return False
        if not all(t.plain for _, t in e.strings):
            return None
        if not e.record:
            return True if self._is_component(values[0]) else None
        for pos, (key, tok) in enumerate(e.strings):
            if (key is None or key.strip("\"'") in _IDENTITY_KEYS) and self.name.owns(tok.value) \
                    and self._own_value(entries, i, pos, key):
                return True
        return None

    def _own_value(self, entries: list[_Entry], i: int, pos: int, key: str | None) -> bool:
        """No other record holds the same value in that field (so it is this row's identity)."""
        value = entries[i].strings[pos][1].value
        for j, other in enumerate(entries):
            if j == i:
                continue
            same = [t.value for p, (k, t) in enumerate(other.strings) if (k == key if key is not None else p == pos)]
            if value in same:
                return False
        return True

    def _plan(self, g: Group, entries: list[_Entry]) -> None:
        verdicts = [self._doomed(entries, i) for i in range(len(entries))]
        for e, v in zip(entries, verdicts):
            if v is None:
                self.refused.append(Refusal(self._line(e.start), "the entry names the component with more than its "
                                                                 "name: edit it by hand"))
        doomed = [i for i, v in enumerate(verdicts) if v]
        if not doomed:
            return
        if any(not e.record and e.strings[0][1].value.startswith("-") for e in entries):
            self.refused.append(Refusal(self._line(g.start), "the list looks like a command line: edit it by hand"))
            return
        if len(doomed) == len(entries):
            self.refused.append(Refusal(self._line(g.start), "the list would become empty: edit it by hand"))
            return
        self.cuts.extend(self._cuts(entries, doomed))

    def _alone(self, e: _Entry) -> bool:
        """The entry (with its comma) fills its lines: nothing but blanks before it on its first
        line and nothing but a comment after it on its last."""
        first, last_end = self.lines.line_of(e.start), e.comma.end if e.comma else e.end
        before = self.text[self.lines.start(first):e.start]
        after = self.text[last_end:self.lines.end(self.lines.line_of(last_end - 1))].strip()
        comment = "#" if self.lang == "python" else "//"
        return not before.strip() and (not after or after.startswith(comment))

    def _cuts(self, entries: list[_Entry], doomed: list[int]) -> list[Cut]:
        kept = [i for i in range(len(entries)) if i not in doomed]
        last_kept = kept[-1]
        cuts = []
        for i in doomed:
            e = entries[i]
            if self._alone(e):
                first = self.lines.line_of(e.start)
                last = self.lines.line_of((e.comma.end if e.comma else e.end) - 1)
                first = leading_comments(self.lines, first, self.lines.indent(first), self.name.names_in_comment)
                cuts.append(Cut(self.lines.span(first, last)))
                if i == len(entries) - 1 and e.comma is None and entries[last_kept].comma is not None:
                    cuts.append(Cut(Span(entries[last_kept].comma.start, entries[last_kept].comma.end)))
            elif i < last_kept:
                cuts.append(Cut(Span(e.start, entries[i + 1].start)))
            else:  # inline after the last kept entry: from the end of that one
                cuts.append(Cut(Span(entries[last_kept].end, e.end)))
        return cuts


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the component's entries from the list literals of a script or test file."""
    lang = language(ctx.path, text) or _guess(text)
    try:
        tokens = tokenize(text, lang)
        top, _ = groups(tokens)
    except ValueError as exc:
        raise Unparsable(1, str(exc)) from exc
    planner = _Planner(text, lang, ctx)
    planner.run(top)
    cut_spans = [c.span for c in planner.cuts]
    expected = [(t.kind, t.value) for t in tokens if not any(s.start <= t.start < s.end for s in cut_spans)]
    return finish(text, planner.lines, planner.cuts, planner.refused,
                  lambda new: _verify(text, new, lang, expected))


def _guess(text: str) -> str:
    """The language of a text given without its path (tests, the contract): Go when it starts
    with a package clause, else Python."""
    return "go" if re.match(r"\s*(//.*\n\s*)*package\s", text) else "python"


def _verify(before: str, after: str, lang: str, expected: list[tuple[str, str]]) -> str | None:
    problem = newly_broken(lambda t: _problem(t, lang), before, after)
    if problem:
        return problem
    actual = [(t.kind, t.value) for t in tokenize(after, lang)]
    if actual != expected:
        return "the tokens would not match the intended removal"
    if lang == "python" and _python_problem(before) is None:
        return _python_problem(after)
    return None


def _problem(text: str, lang: str) -> str | None:
    """Why `text` does not read as a file of `lang` with well-formed lists, or None."""
    try:
        tokens = tokenize(text, lang)
        groups(tokens)
    except ValueError as exc:
        return str(exc)
    for a, b in zip(tokens, tokens[1:]):
        if b.kind == "comma" and (a.kind == "comma" or a.kind == "open"):
            return f"an empty slot in a list at offset {b.start}"
    return None


def _python_problem(text: str) -> str | None:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        return f"the result would not parse as Python ({exc})"
    return None


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` no longer reads (balanced brackets, no empty list slot; Python
    parses) where `before` did."""
    lang = _guess(before)

    def problem(text: str) -> str | None:
        return _problem(text, lang) or (_python_problem(text) if lang == "python" else None)

    return newly_broken(problem, before, after)
