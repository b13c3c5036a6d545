"""Istio's data-plane mode as a repository states it: the places that say "ambient" or "sidecar",
each with the edit that says the other mode where the edit is mechanical.

Signals (each a `Signal`: where, which mode it states, and its rewrite to the other mode if any):
- install profiles: `--set profile=ambient` (istioctl, helm) and `profile: ambient` (IstioOperator,
  istiod values) state ambient; `profile=default` / `profile: default` state sidecar;
- namespace enrolment: `istio.io/dataplane-mode: ambient` (a manifest's label) and
  `istio.io/dataplane-mode=ambient` (a `kubectl label` line) state ambient; `istio-injection:
  enabled` / `istio-injection=enabled` state sidecar; each rewrites to the other;
- values flags: a `mode:` or `dataplaneMode:` key under `istio:`/`mesh:` whose value is
  `ambient` or `sidecar`; `enabled:` under an `ambient:` key;
- Terraform: a `helm_release` of the `ztunnel` chart, and a security-group rule for HBONE
  (`from_port = 15008` and `to_port = 15008`), state ambient; switching to sidecar removes them
  (ops/mesh_mode.py), switching to ambient cannot write them (reported). Terraform also states a
  mode as other files do: namespace labels in a map (`"istio.io/dataplane-mode" = "ambient"`,
  `istio-injection = "enabled"`, as `kubernetes_namespace` and `kubernetes_labels` write them),
  a `helm_release`'s profile (`set { name = "profile"  value = "ambient" }`, or one object of
  a `set = [...]` list), a mode value (an attribute such as `istio_mode = "ambient"` in locals
  or tfvars, or the `default` of `variable "mesh_mode"`: a name with istio or mesh and ending in
  mode) and the flags of a command string (`local-exec`); comments (`#`, `//`, `/* */`) state
  nothing, nor does a block with `count` or `for_each` (it exists only in the mode that gates it).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from gitops_bot.text.splice import Lines

MODES = ("ambient", "sidecar")
HBONE_PORT = 15008

_PROFILE_FLAG = re.compile(r"(--set[ =]profile=)(ambient|default)\b")
_PROFILE_KEY = re.compile(r"^(\s*profile:\s*)([\"']?)(ambient|default)\2\s*(#.*)?$")
_LABEL_FLAG = {"ambient": "istio.io/dataplane-mode=ambient", "sidecar": "istio-injection=enabled"}
_LABEL_KEY = re.compile(r"^(\s*)([\"']?)(istio\.io/dataplane-mode|istio-injection)\2(:\s*)([\"']?)(ambient|enabled)\5"
                        r"(\s*(?:#.*)?)$")
_MODE_KEY = re.compile(r"^(\s*)(mode|dataplaneMode|dataplane-mode):(\s*)([\"']?)(ambient|sidecar)\4(\s*(?:#.*)?)$")
_MESH_PARENTS = frozenset({"istio", "mesh", "servicemesh", "serviceMesh"})
_LABEL_FLAG_RES = {mode: re.compile(re.escape(flag)) for mode, flag in _LABEL_FLAG.items()}
# The lines a YAML signal can be on (each then read by _yaml_line).
_YAML_KEY_LINE = re.compile(r"^[ \t]*[\"']?(?:profile|istio\.io/dataplane-mode|istio-injection|mode|dataplaneMode|"
                            r"dataplane-mode)[\"']?:", re.MULTILINE)
# A word every signal holds: most files hold none, and are not read line by line.
_ANY_SIGNAL = re.compile(r"profile|istio-injection|dataplane-mode|ambient|sidecar")


@dataclass(frozen=True)
class Signal:
    """One place that states a mode: its line (0-based) and text span, the mode, what it is (for
    people), and the text that states `other` mode instead ("" when no mechanical rewrite)."""

    line: int
    start: int  # offsets in the file's text
    end: int
    mode: str
    what: str
    rewrite: str = ""


def other(mode: str) -> str:
    return MODES[1 - MODES.index(mode)]


def file_signals(text: str, kind: str) -> list[Signal]:
    """Signals in a file of an editor's kind (edit.classify): YAML and Helm templates are read as
    YAML (their flags and labels included), shell scripts and Makefiles as scripts, Terraform by
    `hcl_signals`."""
    if kind == "hcl":
        return hcl_signals(text)
    return text_signals(text, kind in ("yaml", "helm"), kind in ("shell", "make"))


def text_signals(text: str, yaml_like: bool, script_like: bool) -> list[Signal]:
    """Signals in a YAML file (`yaml_like`) or a shell script / Makefile / workflow (`script_like`),
    in the order of their lines (on a line: profile flags, label flags, then the YAML key)."""
    if not (script_like or yaml_like) or not _ANY_SIGNAL.search(text):
        return []
    lines = text.splitlines(keepends=True)
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))
    found: list[tuple[int, int, Signal]] = []
    for m in _PROFILE_FLAG.finditer(text):
        mode = "ambient" if m.group(2) == "ambient" else "sidecar"
        found.append((0, m.start(), Signal(_line_of(starts, m.start()), m.start(2), m.end(2), mode,
                                          "install profile", "default" if mode == "ambient" else "ambient")))
    for group, (mode, regex) in enumerate(_LABEL_FLAG_RES.items(), start=1):
        for m in regex.finditer(text):
            found.append((group, m.start(), Signal(_line_of(starts, m.start()), m.start(), m.end(), mode,
                                                  "namespace label", _LABEL_FLAG[other(mode)])))
    if yaml_like:
        for m in _YAML_KEY_LINE.finditer(text):
            n = _line_of(starts, m.start())
            found.extend((3, 0, signal) for signal in _yaml_line(lines, n, lines[n].rstrip("\r\n"), starts[n]))
    return [signal for _, _, signal in sorted(found, key=lambda f: (f[2].line, f[0], f[1]))]


def _line_of(starts: list[int], offset: int) -> int:
    """The 0-based line holding `offset`, from the lines' start offsets."""
    return bisect.bisect_right(starts, offset) - 1


_HCL_LABEL = re.compile(r'(?<![\w."/-])("?)(istio\.io/dataplane-mode|istio-injection)\1([ \t]*)([=:])([ \t]*)'
                        r'"(ambient|enabled)"')
_HCL_PROFILE = re.compile(r'\bname\s*=\s*"profile"\s*,?\s*value\s*=\s*"(ambient|default)"'
                          r'|\bvalue\s*=\s*"(ambient|default)"\s*,?\s*name\s*=\s*"profile"')

_MODE_NAME = r'[\w-]*(?:istio|mesh)[\w-]*mode'
_HCL_MODE = re.compile(rf'(?m)^[ \t]*({_MODE_NAME})[ \t]*=[ \t]*"(ambient|sidecar)"'
                       rf'|\bvariable[ \t]+"({_MODE_NAME})"[ \t]*\{{[^{{}}]*?\bdefault[ \t]*=[ \t]*"(ambient|sidecar)"',
                       re.IGNORECASE)


def hcl_signals(text: str) -> list[Signal]:
    """Signals in Terraform: namespace labels in maps, `helm_release` profiles (`set` blocks or
    objects whose `name` is "profile"), and the flags of command strings. Comments are masked
    first, so a commented-out label or block states nothing."""
    code = _mask_hcl_comments(text)
    lines = Lines(code)
    found: list[Signal] = []
    for m in _HCL_LABEL.finditer(code):
        if (m.group(2), m.group(6)) not in (("istio.io/dataplane-mode", "ambient"), ("istio-injection", "enabled")):
            continue
        mode = "ambient" if m.group(6) == "ambient" else "sidecar"
        new_key = "istio-injection" if mode == "ambient" else "istio.io/dataplane-mode"
        pad = m.group(3)
        if len(pad) > 1:  # `=` aligned with the map's other entries: keep its column where it fits
            pad = " " * max(1, len(m.group(1) * 2 + m.group(2)) + len(pad) - len(new_key) - 2)
        rewrite = f'"{new_key}"{pad}{m.group(4)}{m.group(5)}"{"enabled" if mode == "ambient" else "ambient"}"'
        found.append(Signal(lines.line_of(m.start()), m.start(), m.end(), mode, "namespace label", rewrite))
    for m in _HCL_PROFILE.finditer(code):
        group = 1 if m.group(1) else 2
        mode = "ambient" if m.group(group) == "ambient" else "sidecar"
        start, end = m.start(group), m.end(group)
        found.append(Signal(lines.line_of(start), start, end, mode, "install profile",
                            "default" if mode == "ambient" else "ambient"))
    for m in _HCL_MODE.finditer(code):
        group = 2 if m.group(2) else 4
        start, end, mode = m.start(group), m.end(group), m.group(group)
        found.append(Signal(lines.line_of(start), start, end, mode, "mesh mode value", other(mode)))
    for signal in text_signals(code, False, True):  # command strings: `--set profile=`, `kubectl label`
        found.append(signal)
    if not found:
        return []
    gated = _gated_blocks(text) if "count" in code or "for_each" in code else []  # parsed only when it may matter
    return sorted((s for s in found if not any(a <= s.start < b for a, b in gated)), key=lambda s: s.start)


def _gated_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of the top-level blocks created only in some condition (`count`, `for_each`): what
    they state belongs to the switch that gates them (e.g. twin namespaces, one per mode)."""
    from gitops_bot.parse import hcl

    try:
        tree = hcl.parse(text)
    except Exception:  # python-hcl2 raises several lark error types
        return []
    return [(node.meta.start_pos, node.meta.end_pos)
            for body in hcl.children(tree) for node in hcl.children(body)
            if hcl.is_node(node, "block") and {"count", "for_each"} & set(hcl.attributes(node))]


def _mask_hcl_comments(text: str) -> str:
    """`text` with every comment's characters (but newlines) replaced by spaces, so offsets and
    line numbers stay those of the original."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':  # a string: skip to its closing quote (escapes included)
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
        else:
            i += 1
            continue
        for k in range(i, end):
            if out[k] != "\n":
                out[k] = " "
        i = end
    return "".join(out)


def _yaml_line(lines: list[str], n: int, body: str, offset: int) -> list[Signal]:
    m = _PROFILE_KEY.match(body)
    if m:
        mode = "ambient" if m.group(3) == "ambient" else "sidecar"
        start = offset + m.start(3)
        return [Signal(n, start, start + len(m.group(3)), mode, "install profile", "default" if mode == "ambient"
                       else "ambient")]
    m = _LABEL_KEY.match(body)
    if m and (m.group(3), m.group(6)) in (("istio.io/dataplane-mode", "ambient"), ("istio-injection", "enabled")):
        mode = "ambient" if m.group(6) == "ambient" else "sidecar"
        quote_key, quote_value = m.group(2), m.group(5)
        new_key = "istio-injection" if mode == "ambient" else "istio.io/dataplane-mode"
        new_value = "enabled" if mode == "ambient" else "ambient"
        start = offset + m.start(2)
        end = offset + m.end(6) + len(quote_value)
        return [Signal(n, start, end, mode, "namespace label",
                       f"{quote_key}{new_key}{quote_key}{m.group(4)}{quote_value}{new_value}{quote_value}")]
    m = _MODE_KEY.match(body)
    if m and _parent_key(lines, n, len(m.group(1))) in _MESH_PARENTS:
        start = offset + m.start(5)
        return [Signal(n, start, start + len(m.group(5)), m.group(5), "mesh mode value", other(m.group(5)))]
    return []


def _parent_key(lines: list[str], n: int, indent: int) -> str:
    """The key of the nearest line above `n` indented less than `indent` ('' at the top)."""
    for k in range(n - 1, -1, -1):
        line = lines[k].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) < indent:
            m = re.match(r"\s*([\w.-]+):\s*$", line)
            return m.group(1) if m else ""
    return ""


def terraform_signals(text: str) -> list[tuple[str, int, int, str]]:
    """(what, start, end, name) of the ambient-only Terraform of a file: `helm_release` blocks of
    the ztunnel chart and HBONE (15008) security-group rule entries; spans cover the block or
    the object element. A block with `count` or `for_each` is not one (a mode value or flag
    gates it). Empty when the file does not parse."""
    from gitops_bot.parse import hcl

    if "ztunnel" not in text and str(HBONE_PORT) not in text:
        return []  # neither signal can be written without its literal: no parse (python-hcl2 is slow)
    try:
        tree = hcl.parse(text)
    except Exception:  # python-hcl2 raises several lark error types
        return []
    found = []
    for body in hcl.children(tree):
        for node in hcl.children(body):
            if not hcl.is_node(node, "block"):
                continue
            key = hcl.block_key(node)
            attributes = hcl.attributes(node)
            if "count" in attributes or "for_each" in attributes:
                continue  # created only in some mode: the switch that gates it decides, not this block
            if key[:2] == ("resource", "helm_release") and hcl.literal(attributes.get("chart")) == "ztunnel":
                found.append(("ztunnel helm_release", node.meta.start_pos, node.meta.end_pos, ".".join(key[1:])))
            elif key[:1] == ("resource",) and all(_int(attributes[p]) == HBONE_PORT for p in ("from_port", "to_port")
                                                  if p in attributes) and "from_port" in attributes:
                found.append(("HBONE (15008) rule", node.meta.start_pos, node.meta.end_pos, ".".join(key[1:])))
            else:
                found.extend(_hbone_rules(node))
    return found


def _hbone_rules(node) -> list[tuple[str, int, int, str]]:
    from gitops_bot.parse import hcl

    found = []
    for elem in _walk_all(node):
        if not hcl.is_node(elem, "object_elem"):
            continue
        value = elem.children[-1]
        obj = value.children[0] if hcl.is_node(value, "expr_term") and value.children else value
        if not hcl.is_node(obj, "object"):
            continue
        ports = {}
        for inner in hcl.children(obj):
            if hcl.is_node(inner, "object_elem"):
                ports[hcl.token_text(inner.children[0])] = _int(inner.children[-1])
        if ports.get("from_port") == HBONE_PORT and ports.get("to_port") == HBONE_PORT:
            found.append(("HBONE (15008) rule", elem.meta.start_pos, elem.meta.end_pos,
                          hcl.token_text(elem.children[0])))
    return found


def _walk_all(node):
    yield node
    for child in getattr(node, "children", []):
        if hasattr(child, "data"):
            yield from _walk_all(child)


def _int(expr) -> int | None:
    node = expr
    while hasattr(node, "data") and node.children and node.data in ("expr_term", "int_lit"):
        node = node.children[0]
        if not hasattr(node, "data"):
            break
    try:
        return int(str(node))
    except ValueError:
        return None
