"""JSON: remove array items that are the component, by character offsets.

Locate with a small position-keeping reader of JSON (parse/json.py); remove string items
of arrays that name the component or point into it (`"src/video-service/api_pb2.py"`,
`"video-service"`, `"services/video-service/**"`), or at a path the run deleted (relative to the
repository or to the file's folder: a tsconfig `include`). Members keyed by a form of the name stay
(residue): in JSON they are mostly names other parts of the document refer to (a CloudFormation
`ZipkinService` resource is `Ref`-erenced by others), and the corpus showed removing them breaks
what a human deliberately kept. An object item of an array is the component's record when every
string in it is one of those (a Renovate package rule `{matchFileNames: ["src/video/**"],
groupName: "video"}`): it goes whole, as its string list would otherwise become empty. An item
alone on its line goes with its line; an inline item goes with the comma and space that join it
to its neighbour; the last item takes the comma before it. An array or object that would become
empty is refused (its parent means something different then).
Files written as JSON with comments (JSONC: `.jsonc`, tsconfig/jsconfig, `.vscode/`, devcontainer
and Renovate configs) are read with their `//`/`/* */` comments and trailing commas, JSON5 files
(`renovate.json5`) also with bare keys and single-quoted strings (parse/json.py); an item
whose removal would take a comment with it that does not name the component is refused (the
comment may be about its neighbour). Other text that is not strict JSON is refused, never a
stopped run.
Verify: the result parses (as JSONC or JSON5 where the file is) and equals the original data
minus the removed items.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Callable

from gitops_bot.domain.findings import Kind
from gitops_bot.domain.names import pointer_matches
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish, newly_broken
from gitops_bot.parse.json import Node, data, read
from gitops_bot.text.splice import Cut, Lines, Span

KIND = "json"
CHECK = "re-parsed; data equals the original minus the removed items"


# Files their tools read as JSON with comments (and trailing commas).
_JSONC_NAMES = frozenset({"devcontainer.json", ".devcontainer.json", "renovate.json", ".renovaterc",
                          ".renovaterc.json", "turbo.json", ".eslintrc.json", ".babelrc"})
_JSONC_RE = re.compile(r"^(tsconfig|jsconfig)([.-][\w.-]+)?\.json$")
_GLOB_TAIL_RE = re.compile(r"(/\*\*?)+(/\*\.?\w*)?$|/+$")


def claims(path: str, text: str) -> bool:
    """`*.json`, `*.jsonc` and `*.json5` files, and Renovate's `.renovaterc` (lock files are
    classified as generated before any editor is asked)."""
    base = posixpath.basename(path)
    return posixpath.splitext(base)[1].lower() in (".json", ".jsonc", ".json5") or base == ".renovaterc"


def is_json5(path: str) -> bool:
    """Whether `path` is written in JSON5 (by its suffix)."""
    return path.lower().endswith(".json5")


def is_jsonc(path: str) -> bool:
    """Whether the tools that read `path` accept comments and trailing commas in it."""
    base = posixpath.basename(path)
    return (base.endswith(".jsonc") or base in _JSONC_NAMES or bool(_JSONC_RE.match(base))
            or "/.vscode/" in "/" + path)


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the component's array items from a JSON document."""
    comments, json5 = is_jsonc(ctx.path), is_json5(ctx.path)
    try:
        root = read(text, comments, json5)
    except ValueError as exc:
        what = "JSON5 this reader knows" if json5 else "JSON with comments" if comments else "strict JSON"
        return EditResult(text, [Refusal(1, f"not {what} ({exc}): left for a human", kind=Kind.KEPT)])
    lines = Lines(text)
    cuts: list[Cut] = []
    refused: list[Refusal] = []
    removed: list[tuple] = []
    doomed = _doomed_string(ctx)
    _visit(root, (), doomed, text, lines, cuts, refused, removed, ctx.name.mentions)
    expected = _without(data(root), removed)
    return finish(text, lines, cuts, refused, lambda new: _holds(new, expected, comments, json5))


def string_item_cuts(text: str, doomed: Callable[[str], bool]) -> tuple[list[Span], bool] | None:
    """For `text` that is exactly one strict JSON array of strings (a matrix in a shell
    variable): the spans (into `text`) removing the doomed items with their separators, and
    whether every item is doomed (then no span: the array would become empty). None for any
    other text."""
    try:
        root = read(text)
    except ValueError:
        return None
    if root.kind != "array" or any(child.kind != "string" for child in root.children):
        return None
    gone = [i for i, child in enumerate(root.children) if doomed(child.value)]
    if gone and len(gone) == len(root.children):
        return [], True
    return [cut.span for cut in _child_cuts(root, gone, text, Lines(text))], False


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` no longer parses as JSON where `before` did (JSON with comments, or
    JSON5, is judged as such: a file that parses only that way was written for a tool that reads
    it)."""
    problem = _parse_problem(after)
    if problem is None:
        return None
    if _parse_problem(before) is None:
        return problem  # strict JSON it was, strict JSON it stays
    if _jsonc_problem(before) is None:
        return _jsonc_problem(after)
    return newly_broken(_json5_problem, before, after)


def _parse_problem(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as exc:
        return f"the result would not parse ({exc})"
    return None


def _jsonc_problem(text: str) -> str | None:
    try:
        read(text, comments=True)
    except (ValueError, RecursionError) as exc:
        return f"the result would not parse ({exc})"
    return None


def _json5_problem(text: str) -> str | None:
    try:
        read(text, json5=True)
    except (ValueError, RecursionError) as exc:
        return f"the result would not parse ({exc})"
    return None


def _doomed_string(ctx: RemovalContext) -> Callable[[str], bool]:
    """Whether a string item is the component's: it names the component or points into it, or
    it is a path (or a glob below a folder) the run deleted, from the repository's root or from
    the file's folder."""
    folder = posixpath.dirname(ctx.path)
    deleted = ctx.deleted_paths

    def gone(value: str) -> bool:
        if not deleted or "/" not in value or re.search(r"^[a-z]+://|[{$?]", value):
            return False
        core = _GLOB_TAIL_RE.sub("", value.strip()).removeprefix("./").lstrip("/")
        if not core or "*" in core:
            return False
        targets = {posixpath.normpath(core), posixpath.normpath(posixpath.join(folder, core))}
        return any(t in deleted for t in targets if not t.startswith(".."))

    return lambda value: pointer_matches(ctx.name, value) or gone(value)


def _visit(node: Node, path: tuple, doomed_string: Callable[[str], bool], text: str, lines: Lines,
           cuts: list[Cut], refused: list[Refusal], removed: list[tuple],
           mentions: Callable[[str], object]) -> None:
    """Plan the cuts of `node`'s doomed children, and recurse into the ones that stay."""
    if node.kind not in ("array", "object"):
        return
    doomed = [i for i, child in enumerate(node.children)
              if node.kind == "array" and _is_doomed_item(child, doomed_string)]
    if doomed and len(doomed) == len(node.children):
        refused.append(Refusal(lines.line_of(node.start) + 1, f"the {node.kind} would become empty"))
        return
    planned = _child_cuts(node, doomed, text, lines)
    foreign = [c for c in planned
               if any(not mentions(comment) for comment in _comments(text, c.span, node, doomed, lines))]
    if foreign:
        refused.append(Refusal(lines.line_of(foreign[0].span.start) + 1,
                               "removing the item would take a comment that does not name it"))
        doomed = []
    else:
        cuts.extend(planned)
    removed.extend(path + (node.children[i].key if node.kind == "object" else i,) for i in doomed)
    for i, child in enumerate(node.children):
        if i not in doomed:
            _visit(child, path + (child.key if node.kind == "object" else i,), doomed_string, text, lines, cuts,
                   refused, removed, mentions)


def _is_doomed_item(node: Node, doomed_string: Callable[[str], bool]) -> bool:
    """An array item that is the component's: a doomed string, or an object record every string
    of which (at any depth, keys aside) is doomed."""
    if node.kind == "string":
        return doomed_string(node.value)
    if node.kind != "object":
        return False
    strings = _strings(node)
    return bool(strings) and all(doomed_string(s) for s in strings)


def _strings(node: Node) -> list[str]:
    """The string values in a container, at any depth."""
    if node.kind == "string":
        return [node.value]
    return [s for child in node.children for s in _strings(child)]


_COMMENT_RE = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def _comments(text: str, span: Span, node: Node, doomed: list[int], lines: Lines) -> list[str]:
    """The comments inside `span` (between the container's children: the items' own strings may
    hold `//`, as URLs do), except a doomed item's own: one after it on its line."""
    ends = {lines.line_of(node.children[i].end - 1): node.children[i].end for i in doomed}
    found = []
    pos = span.start
    for child in node.children:
        if child.end <= span.start or child.start >= span.end:
            continue
        found += _COMMENT_RE.finditer(text, pos, max(pos, child.start))
        pos = max(pos, child.end)
    found += _COMMENT_RE.finditer(text, pos, max(pos, span.end))
    return [m.group() for m in found if m.start() < ends.get(lines.line_of(m.start()), len(text))]


def _child_cuts(node: Node, doomed: list[int], text: str, lines: Lines) -> list[Cut]:
    """Cuts removing the doomed children with their separators; the container keeps the rest."""
    if not doomed:
        return []
    children = node.children
    kept = [i for i in range(len(children)) if i not in doomed]
    cuts = []
    last_kept = kept[-1]
    for i in doomed:
        if i > last_kept:
            continue  # the tail after the last kept child goes in one cut, below
        cuts.append(Cut(_leading_span(children[i], children[i + 1], text, lines)))
    if doomed and doomed[-1] > last_kept:
        cuts.extend(_tail_cuts(children, last_kept, text, lines))
    return cuts


def _tail_cuts(children: list[Node], last_kept: int, text: str, lines: Lines) -> list[Cut]:
    """Cuts removing every child after `last_kept`. Children alone on their lines go with their
    lines, and the last kept child loses the comma after it (unless the last child had a trailing
    comma itself: JSONC), so that a comment after that comma stays; otherwise the tail goes from
    the end of the last kept child (taking the comma before the first doomed one) to the end of
    the last child."""
    kept, last = children[last_kept], children[-1]
    first_line, last_line = lines.line_of(children[last_kept + 1].start), lines.line_of(last.end - 1)
    after_last = _COMMENT_RE.sub("", text[last.end:lines.end(last_line)]).strip(" \t\r\n")
    own_lines = (first_line > lines.line_of(kept.end - 1) and after_last in ("", ",")
                 and not text[lines.start(first_line):children[last_kept + 1].start].strip()
                 and all(lines.line_of(a.end - 1) < lines.line_of(b.start)
                         for a, b in zip(children[last_kept + 1:], children[last_kept + 2:])))
    if not own_lines:
        return [Cut(Span(kept.end, last.end))]
    cuts = [Cut(lines.span(first_line, last_line))]
    comma = text.find(",", kept.end)
    if after_last == "" and 0 <= comma < lines.end(lines.line_of(kept.end - 1)):
        cuts.append(Cut(Span(comma, comma + 1)))
    return cuts


def _leading_span(child: Node, following: Node, text: str, lines: Lines) -> Span:
    """A child that is not last: with its line when it is alone there, else up to the next one."""
    first, nxt = lines.line_of(child.start), lines.line_of(following.start)
    alone = not text[lines.start(first):child.start].strip() and nxt > lines.line_of(child.end - 1)
    if alone and not text[child.end:lines.end(lines.line_of(child.end - 1))].strip(" \t\r\n,"):
        return Span(lines.start(first), lines.start(nxt))
    return Span(child.start, following.start)


def _without(data, removed: list[tuple]):
    """`data` with the values at the removed paths taken out. Highest paths first, so that taking
    out a list item never shifts an index still to be used (two paths first differ at keys of one
    container, so they compare as numbers or as strings)."""
    for path in sorted(removed, reverse=True):
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    return data


def _holds(new: str, expected, comments: bool, json5: bool = False) -> str | None:
    try:
        actual = data(read(new, comments, json5))
    except ValueError as exc:
        return f"the result would not parse ({exc})"
    return None if actual == expected else "the result's data differs from the intended removal"
