"""JSON: remove array items that are the component, by character offsets.

Locate with a small position-keeping reader of strict JSON (parse/json.py); remove string items
of arrays that name the component or point into it (`"src/video-service/api_pb2.py"`,
`"video-service"`, `"services/video-service/**"`). Members keyed by a form of the name stay
(residue): in JSON they are mostly names other parts of the document refer to (a CloudFormation
`ZipkinService` resource is `Ref`-erenced by others), and the corpus showed removing them breaks
what a human deliberately kept. An item alone on its line goes with its line; an inline item goes with the comma and space that
join it to its neighbour; the last item takes the comma before it. An array or object that would
become empty is refused (its parent means something different then). Text that is not strict
JSON (comments, trailing commas: tsconfig, VS Code settings) is refused, never a stopped run.
Verify: the result parses and equals the original data minus the removed items.
"""

from __future__ import annotations

import json
import posixpath

from gitops_bot.domain.findings import Kind
from gitops_bot.domain.names import ServiceName, pointer_matches
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish, newly_broken
from gitops_bot.parse.json import Node, read
from gitops_bot.text.splice import Cut, Lines, Span

KIND = "json"
CHECK = "re-parsed; data equals the original minus the removed items"


def claims(path: str, text: str) -> bool:
    """`*.json` files (lock files are classified as generated before any editor is asked)."""
    return posixpath.splitext(path)[1].lower() == ".json"


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the component's array items from a JSON document."""
    try:
        root = read(text)
    except ValueError as exc:
        return EditResult(text, [Refusal(1, f"not strict JSON ({exc}): left for a human", kind=Kind.KEPT)])
    lines = Lines(text)
    cuts: list[Cut] = []
    refused: list[Refusal] = []
    removed: list[tuple] = []
    _visit(root, (), ctx.name, text, lines, cuts, refused, removed)
    expected = _without(json.loads(text), removed)
    return finish(text, lines, cuts, refused, lambda new: _holds(new, expected))


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` no longer parses as JSON where `before` did."""
    return newly_broken(_parse_problem, before, after)


def _parse_problem(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as exc:
        return f"the result would not parse ({exc})"
    return None


def _visit(node: Node, path: tuple, name: ServiceName, text: str, lines: Lines, cuts: list[Cut],
           refused: list[Refusal], removed: list[tuple]) -> None:
    """Plan the cuts of `node`'s doomed children, and recurse into the ones that stay."""
    if node.kind not in ("array", "object"):
        return
    doomed = [i for i, child in enumerate(node.children) if _is_component(node, child, name)]
    if doomed and len(doomed) == len(node.children):
        refused.append(Refusal(lines.line_of(node.start) + 1, f"the {node.kind} would become empty"))
        return
    cuts.extend(_child_cuts(node, doomed, text, lines))
    removed.extend(path + (node.children[i].key if node.kind == "object" else i,) for i in doomed)
    for i, child in enumerate(node.children):
        if i not in doomed:
            _visit(child, path + (child.key if node.kind == "object" else i,), name, text, lines, cuts,
                   refused, removed)


def _is_component(parent: Node, child: Node, name: ServiceName) -> bool:
    return parent.kind == "array" and child.kind == "string" and pointer_matches(name, child.value)


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
        # The tail goes from the end of the last kept child (taking the comma before the first
        # doomed one) to the end of the last child.
        cuts.append(Cut(Span(children[last_kept].end, children[-1].end)))
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


def _holds(new: str, expected) -> str | None:
    try:
        actual = json.loads(new)
    except ValueError as exc:
        return f"the result would not parse ({exc})"
    return None if actual == expected else "the result's data differs from the intended removal"
