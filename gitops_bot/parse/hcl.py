"""HCL (Terraform) for locating and checking: python-hcl2's Lark tree, whose nodes carry
character offsets (`meta.start_pos/end_pos`), and the readers built on it."""

from __future__ import annotations

import bisect
import re
from typing import Iterator

from gitops_bot.parse.cache import cached


def parse(text: str):
    """The Lark tree of an HCL text (parsed once per run: shared, read-only); python-hcl2's
    errors (several lark types) propagate."""
    return cached("hcl", text, _parse)


def _parse(text: str):
    import hcl2  # imported here: its grammar loads in ~0.15 s and most runs edit no HCL

    return hcl2.parses_to_tree(text)


def children(node) -> list:
    return getattr(node, "children", [])


def is_node(node, kind: str) -> bool:
    return getattr(node, "data", None) == kind


def token_text(node) -> str:
    """The literal text of an identifier or a plain string node."""
    if is_node(node, "identifier"):
        return str(node.children[0])
    if is_node(node, "string"):
        return "".join(str(t) for p in node.children if is_node(p, "string_part") for t in p.children)
    if is_node(node, "expr_term") or is_node(node, "object_elem_key"):
        return token_text(node.children[0]) if node.children else ""
    return ""


def walk(node) -> Iterator:
    """Pre-order walk that stops at nested objects and tuples (the caller handles those)."""
    yield node
    if is_node(node, "object") or is_node(node, "tuple"):
        return
    for child in children(node):
        if hasattr(child, "data"):
            yield from walk(child)


def block_key(node) -> tuple[str, ...]:
    """A block's type and labels: ('module', 'pod_identity_video_service')."""
    key = []
    for child in children(node):
        if is_node(child, "identifier") or is_node(child, "string"):
            key.append(token_text(child))
        elif is_node(child, "body"):
            break
    return tuple(key)


def top_level_blocks(tree) -> list[tuple[str, ...]]:
    return [block_key(n) for body in children(tree) for n in children(body) if is_node(n, "block")]


def helm_release_versions(text: str) -> list[tuple[str | None, str | None, str, int, int]]:
    """(repository, chart, version, start, end) for each `resource "helm_release"` with a
    literal `version`; start/end span the version text inside its quotes. Read by a scan of the
    text where it is sure (see _releases), else by the grammar."""
    fast = _releases(text)
    if fast is not None:
        return [(repo, chart, version[0], version[1], version[2])
                for _, repo, chart, version, _ in fast if version is not None and version[0]]
    return _parsed_release_versions(text)


def _parsed_release_versions(text: str) -> list[tuple[str | None, str | None, str, int, int]]:
    found = []
    for body in children(parse(text)):
        for node in children(body):
            if not is_node(node, "block") or block_key(node)[:2] != ("resource", "helm_release"):
                continue
            attrs = {}
            for child in children(node):
                if is_node(child, "body"):
                    for attr in children(child):
                        if is_node(attr, "attribute"):
                            attrs[token_text(attr.children[0])] = attr.children[-1]
            version = try_default(attrs.get("version"))
            parts = string_parts(version) if version is not None else []
            if len(parts) == 1:
                part = parts[0]
                found.append((literal(try_default(attrs.get("repository"))), literal(try_default(attrs.get("chart"))),
                              "".join(str(t) for t in part.children), part.meta.start_pos, part.meta.end_pos))
    return found


def module_chart_versions(text: str) -> list[tuple[str | None, str, int, int]]:
    """(chart, version, start, end) for each `module` block wrapping a Helm release: one with a
    `chart` and a literal `chart_version` (or their `try(var.x.chart_version, "4.10.0")`
    defaults, as aws-ia's eks-blueprints-addons writes each add-on); start/end span the version
    text inside its quotes."""
    found = []
    for body in children(parse(text)):
        for node in children(body):
            if not is_node(node, "block") or block_key(node)[:1] != ("module",):
                continue
            attrs = {token_text(a.children[0]): a.children[-1] for child in children(node) if is_node(child, "body")
                     for a in children(child) if is_node(a, "attribute")}
            version = try_default(attrs.get("chart_version"))
            parts = string_parts(version) if version is not None else []
            if len(parts) == 1:
                part = parts[0]
                found.append((literal(try_default(attrs.get("chart"))), "".join(str(t) for t in part.children),
                              part.meta.start_pos, part.meta.end_pos))
    return found


def helm_releases_without_version(text: str) -> list[tuple[str, str | None, str | None, int]]:
    """(name, repository, chart, line) of each `helm_release` that sets no version."""
    fast = _releases(text)
    if fast is not None:
        return [(name, repo, chart, text.count("\n", 0, start) + 1)
                for name, repo, chart, version, start in fast if version is None]
    found = []
    for body in children(parse(text)):
        for node in children(body):
            key = block_key(node) if is_node(node, "block") else ()
            if key[:2] != ("resource", "helm_release"):
                continue
            attrs = {token_text(a.children[0]): a.children[-1]
                     for child in children(node) if is_node(child, "body")
                     for a in children(child) if is_node(a, "attribute")}
            if "version" not in attrs:
                line = text.count("\n", 0, node.meta.start_pos) + 1
                found.append((key[2] if len(key) > 2 else "", literal(attrs.get("repository")),
                              literal(attrs.get("chart")), line))
    return found


def try_default(expr):
    """The literal default of `try(var.x.version, "5.43.4")` (its last argument, a plain string),
    the value a module writes when its caller sets none; any other expression as it is."""
    node = expr.children[0] if is_node(expr, "expr_term") and expr.children else expr
    if not is_node(node, "function_call") or not node.children or token_text(node.children[0]) != "try":
        return expr
    arguments = [c for c in children(node) if is_node(c, "arguments")]
    values = [a for a in children(arguments[0]) if hasattr(a, "data")] if arguments else []
    return values[-1] if len(values) >= 2 and literal(values[-1]) is not None else expr


def string_parts(expr) -> list:
    """The string_part nodes of a plain string literal expression (none for interpolations)."""
    node = expr.children[0] if is_node(expr, "expr_term") and expr.children else expr
    if not is_node(node, "string"):
        return []
    parts = [c for c in children(node) if is_node(c, "string_part")]
    return parts if all(len(p.children) == 1 and getattr(p.children[0], "type", "") == "STRING_CHARS"
                        for p in parts) else []


def literal(expr) -> str | None:
    if expr is None:
        return None
    node = expr.children[0] if is_node(expr, "expr_term") and expr.children else expr
    return token_text(node) if is_node(node, "string") else None


def attributes(block) -> dict:
    """The attributes directly in a block's body, by key (their value expressions)."""
    return {token_text(a.children[0]): a.children[-1]
            for child in children(block) if is_node(child, "body")
            for a in children(child) if is_node(a, "attribute")}


def address(key: tuple[str, ...]) -> str | None:
    """How Terraform expressions refer to a top-level block: `module.x`, `var.x`, `data.t.x`,
    `t.x` for a resource; None for blocks nothing refers to by name (output, locals, terraform)."""
    kind, labels = (key[0], key[1:]) if key else ("", ())
    if kind == "module" and len(labels) == 1:
        return f"module.{labels[0]}"
    if kind == "variable" and len(labels) == 1:
        return f"var.{labels[0]}"
    if kind == "data" and len(labels) == 2:
        return f"data.{labels[0]}.{labels[1]}"
    if kind == "resource" and len(labels) == 2:
        return f"{labels[0]}.{labels[1]}"
    return None


# -- helm_release blocks without the grammar ------------------------------------------------------
# Reading `version`, `chart` and `repository` of `resource "helm_release"` blocks is what
# set-version and the version checks ask of most .tf files, and building python-hcl2's parser
# and parsing with it costs more than the rest of such a run. A scan of the text that knows
# HCL's strings, heredocs and comments finds the same blocks and attributes; where a value is
# more than a plain string (`try(...)`, an escape) or the text is not balanced, it answers None
# and the grammar decides.
_RELEASE_HEAD_RE = re.compile(r'^[ \t]*resource[ \t]+"helm_release"[ \t]+"(?P<name>[^"\n]*)"[ \t]*\{', re.MULTILINE)
_ATTRIBUTE_RE = re.compile(r"[ \t]*(?P<key>[A-Za-z_][\w-]*)[ \t]*=(?!=)[ \t]*")
_HEREDOC_RE = re.compile(r"<<-?[ \t]*([A-Za-z_]\w*)[ \t]*\n")
_CLOSERS = {"{": "}", "[": "]", "(": ")"}


def _releases(text: str) -> list[tuple[str, str | None, str | None, tuple[str | None, int, int] | None, int]] | None:
    """(name, repository, chart, version, start) of each `resource "helm_release"` block, read
    without the grammar: repository and chart when plain strings (else None), version as
    (text or None when not a plain string, start, end inside its quotes) or None when the block
    sets none, start the block's offset; None when unsure."""
    if "helm_release" not in text:
        return []
    marks = _scan(text)
    if marks is None:
        return None
    depth_at, closing = marks
    found = []
    for head in _RELEASE_HEAD_RE.finditer(text):
        brace = head.end() - 1
        if depth_at(brace) != 0 or brace not in closing:
            return None
        attrs = _attributes(text, brace + 1, closing[brace], depth_at)
        if attrs is None:
            return None
        plain = {k: v[0] for k, v in attrs.items()}
        found.append((head.group("name"), plain.get("repository"), plain.get("chart"), attrs.get("version"),
                      head.start() + len(head.group(0)) - len(head.group(0).lstrip())))
    return found


def _attributes(text: str, start: int, end: int, depth_at) -> dict[str, tuple[str | None, int, int]] | None:
    """The plain-string attributes directly in a block's body: key -> (value or None when the
    value is not a plain string, start, end of the text inside the quotes); None when a value
    needs the grammar (a `try(...)` default, an escape in a string of interest)."""
    attrs: dict[str, tuple[str | None, int, int]] = {}
    line_start = start
    while line_start < end:
        line_end = text.find("\n", line_start, end)
        line_end = end if line_end < 0 else line_end
        m = _ATTRIBUTE_RE.match(text, line_start, line_end)
        if m and depth_at(line_start) == 1 and m.group("key") in ("version", "chart", "repository"):
            value = text[m.end():line_end]
            if value.startswith("try(") or "\\" in value:
                return None
            plain = re.match(r'"([^"$%\\]*)"[ \t]*(?:(?:#|//).*)?\r?$', value)
            if plain:
                attrs[m.group("key")] = (plain.group(1), m.end() + 1, m.end() + 1 + len(plain.group(1)))
            else:
                attrs[m.group("key")] = (None, 0, 0)
        line_start = line_end + 1
    return attrs


def _scan(text: str, strings: list[tuple[int, int]] | None = None):
    """(depth at an offset, the offset of each opening bracket's closer) outside strings,
    heredocs and comments; None when the text does not balance. `strings`, when given, receives
    the span of each quoted string's body."""
    depth_changes: list[tuple[int, int]] = [(0, 0)]
    closing: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            start, i = i + 1, _string_end(text, i + 1)
            if i < 0:
                return None
            if strings is not None:
                strings.append((start, i - 1))
            continue
        if c == "#" or text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if text.startswith("/*", i):
            i = text.find("*/", i + 2)
            if i < 0:
                return None
            i += 2
            continue
        if text.startswith("<<", i):
            m = _HEREDOC_RE.match(text, i)
            if m:
                close = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"[ \t]*$", re.MULTILINE).search(text, m.end())
                if close is None:
                    return None
                i = close.end()
                continue
        if c in _CLOSERS:
            stack.append((c, i))
            depth_changes.append((i + 1, len(stack)))
        elif c in "}])":
            if not stack or _CLOSERS[stack[-1][0]] != c:
                return None
            closing[stack.pop()[1]] = i
            depth_changes.append((i, len(stack)))
        i += 1
    if stack:
        return None
    offsets = [o for o, _ in depth_changes]

    def depth_at(offset: int) -> int:
        return depth_changes[bisect.bisect_right(offsets, offset) - 1][1]

    return depth_at, closing


def _string_end(text: str, i: int) -> int:
    """The offset after the string whose body starts at i (past escapes and `${...}`
    interpolations, with the strings and braces inside them), or -1 when it does not end on its
    line."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "\n" and depth == 0:
            return -1
        if depth == 0 and (text.startswith("${", i) or text.startswith("%{", i)):
            depth, i = 1, i + 2
            continue
        if depth and c == '"':
            i = _string_end(text, i + 1)
            if i < 0:
                return -1
            continue
        if depth and c == "{":
            depth += 1
        elif depth and c == "}":
            depth -= 1
        elif c == '"' and not depth:
            return i + 1
        i += 1
    return -1


# What a quoted string's new body may hold and leave the file's structure as it was: no quote,
# escape, interpolation or template start, no line break.
_PLAIN_BODY_RE = re.compile(r'[^"\\\n$%{}]*')


def same_structure(before: str, after: str) -> bool:
    """True when `after` differs from `before` only inside quoted strings, each new body plain
    (a version replaced by another): the two then parse alike, and neither needs the grammar.
    False when unsure."""
    spans: list[list[tuple[int, int]]] = [[], []]
    if _scan(before, spans[0]) is None or _scan(after, spans[1]) is None or len(spans[0]) != len(spans[1]):
        return False
    pos = [0, 0]
    for (b1, b2), (a1, a2) in zip(*spans):
        if before[pos[0]:b1] != after[pos[1]:a1]:
            return False
        if before[b1:b2] != after[a1:a2] and not _PLAIN_BODY_RE.fullmatch(after, a1, a2):
            return False
        pos = [b2, a2]
    return before[pos[0]:] == after[pos[1]:]
