"""HCL (Terraform) for locating and checking: python-hcl2's Lark tree, whose nodes carry
character offsets (`meta.start_pos/end_pos`), and the readers built on it."""

from __future__ import annotations

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
    literal `version`; start/end span the version text inside its quotes."""
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


def helm_releases_without_version(text: str) -> list[tuple[str, str | None, str | None, int]]:
    """(name, repository, chart, line) of each `helm_release` that sets no version."""
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
