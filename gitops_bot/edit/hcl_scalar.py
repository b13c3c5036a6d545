"""Setting one literal attribute of a Terraform file, as a human types it.

Keys name the attribute the way Terraform addresses its blocks: `variable.NAME.default`,
`resource.TYPE.NAME.ATTR`, `data.TYPE.NAME.ATTR`, `module.NAME.ATTR`, `locals.NAME`; in a
`.tfvars` file, the variable's name alone. Only the value's text changes (alignment, comments
and the rest of the block untouched). A string stays a quoted string; a number or boolean is
written bare when the new value is one, else quoted. Refused, with the reason: an attribute that
is absent, an expression that is not a literal (a reference, a function call, an interpolation,
an object), a block that is not there or is there twice. Verified: the file re-parses and the
attribute reads the new value.
"""

from __future__ import annotations

import json
import re

from gitops_bot.parse import hcl
from gitops_bot.text.splice import Cut, Span, splice

CHECK = "re-parsed; the attribute reads exactly the new value"
_BARE = re.compile(r"-?\d+(\.\d+)?|true|false")
_BLOCK_KEYS = {"variable": 2, "module": 2, "resource": 3, "data": 3}  # segments naming the block


class SetRefused(Exception):
    """The value cannot be set safely (the reason is the message)."""


def set_attribute(text: str, key: str, value: str, tfvars: bool = False) -> str:
    """The text with the attribute `key` set to `value` (unchanged when it already is)."""
    block_key, attr = _address(key, tfvars)
    try:
        tree = hcl.parse(text)
    except Exception as exc:  # python-hcl2 raises several lark error types
        raise SetRefused(f"the file does not parse ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})")
    expr = _find(tree, block_key, attr, key)
    start, end = expr.meta.start_pos, expr.meta.end_pos
    old = text[start:end]
    new = _render(old, value, key)
    if new == old:
        return text
    result = splice(text, [Cut(Span(start, end), new)])
    try:
        again = _find(hcl.parse(result), block_key, attr, key)
    except Exception as exc:
        raise SetRefused(f"the result would not parse ({exc})") from exc
    if result[again.meta.start_pos:again.meta.end_pos] != new:
        raise SetRefused("the result's attribute differs from the intended value")
    return result


def _address(key: str, tfvars: bool) -> tuple[tuple[str, ...] | None, str]:
    """(block key, attribute): None for a top-level attribute (a .tfvars file)."""
    parts = key.split(".")
    if tfvars:
        if len(parts) != 1:
            raise SetRefused(f"in a .tfvars file the key is a variable's name, not {key!r}")
        return None, key
    if parts[0] == "locals" and len(parts) == 2:
        return ("locals",), parts[1]
    size = _BLOCK_KEYS.get(parts[0])
    if size is None or len(parts) != size + 1:
        raise SetRefused(f"key {key!r} is not variable.NAME.default, resource.TYPE.NAME.ATTR, data.TYPE.NAME.ATTR, "
                         "module.NAME.ATTR or locals.NAME")
    return tuple(parts[:size]), parts[size]


def _find(tree, block_key: tuple[str, ...] | None, attr: str, key: str):
    bodies = [body for body in hcl.children(tree)]
    if block_key is not None:
        blocks = [n for body in bodies for n in hcl.children(body)
                  if hcl.is_node(n, "block") and hcl.block_key(n) == block_key]
        if block_key != ("locals",) and len(blocks) != 1:
            raise SetRefused(f"{'.'.join(block_key)} is {'not in the file' if not blocks else 'declared twice'}")
        found = [hcl.attributes(b)[attr] for b in blocks if attr in hcl.attributes(b)]
    else:
        found = [n.children[-1] for body in bodies for n in hcl.children(body)
                 if hcl.is_node(n, "attribute") and hcl.token_text(n.children[0]) == attr]
    if len(found) != 1:
        raise SetRefused(f"{key} is {'not set in the file: add it by hand' if not found else 'set twice'}")
    return found[0]


def _render(old: str, value: str, key: str) -> str:
    if old.startswith('"'):
        if old != '""' and not hcl.string_parts(_parsed_expr(old)):
            raise SetRefused(f"{key} is an interpolated string, not a literal")
        return json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
    if not _BARE.fullmatch(old):
        raise SetRefused(f"{key} is an expression ({old.splitlines()[0][:40]}), not a literal")
    return value if _BARE.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _parsed_expr(text: str):
    tree = hcl.parse(f"x = {text}\n")
    return [n for body in hcl.children(tree) for n in hcl.children(body) if hcl.is_node(n, "attribute")][0].children[-1]
