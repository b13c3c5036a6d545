"""Where a Terraform provider's or module's version is written, for `set-version provider=` and
`set-version module=`.

Providers: the `version` of each `terraform { required_providers { NAME = { source, version } } }`
entry whose `source` is the provider (`hashicorp/aws`, also `registry.terraform.io/hashicorp/aws`,
any case). An entry without `source` (or the pre-0.13 shorthand `aws = ">= 3.0"`) is, by
Terraform's own rule, `hashicorp/NAME`: it is the provider when that is the one asked for.
Beside such a module, the terraform-docs rows of its README.md
(`| <a name="requirement_aws"></a> ... | >= 3.72 |`, `provider_aws`, aliases `provider_aws.ecr`)
carry the same constraint, keyed by the entry's local NAME.

Modules: the `version` of each `module` block whose `source` is that registry module
(`terraform-aws-modules/eks/aws`, a `//subdir` of it, or its `registry.terraform.io/` spelling),
and the terraform-docs Modules rows of the README beside it; every block's literal source (for a
move to another source) and the line that adds a `version` aligned as `terraform fmt` aligns.
Git sources (`github.com/OWNER/REPO?ref=V`) are GitHub refs: domain/github_refs.py has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from gitops_bot.text.splice import line_numbers

_VERSION = r"\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?"
_TERM = rf"(?:(?:!=|>=|<=|~>|=|>|<) ?)?{_VERSION}"
_CONSTRAINTS_RE = re.compile(rf"{_TERM}(?:, ?{_TERM})*")
_NAME = r"[a-z0-9][a-z0-9_-]*"
_PROVIDER_RE = re.compile(rf"(?:registry\.terraform\.io/)?(?P<p>{_NAME}/{_NAME})", re.IGNORECASE)
_MODULE_RE = re.compile(rf"(?:registry\.terraform\.io/)?(?P<m>{_NAME}/{_NAME}/{_NAME})(?://[\w./-]*)?",
                        re.IGNORECASE)
_GITHUB_SOURCE_RE = re.compile(r"(?:git::)?(?:https://)?github\.com/(?P<p>[\w-]+/[\w.-]+?)(?:\.git)?"
                               r"(?://[\w./-]*)?(?:\?[^\s\"]*)?", re.IGNORECASE)


@dataclass(frozen=True)
class TfRef:
    """One version as written: `start:end` spans the constraint text (inside its quotes)."""

    line: int  # 1-based
    start: int
    end: int
    version: str
    form: str
    name: str = ""  # the provider's local name, the module block's label (key the README rows)
    plain: bool = True  # a literal constraint; False: an expression, or no version at all (reported only)


def is_constraint(text: str) -> bool:
    """Terraform's version constraint grammar, strictly: `1.2.3`, `~> 5.95`, `>= 4.0, < 6.0`
    (comma-separated `OP VERSION` terms; no other characters)."""
    return bool(_CONSTRAINTS_RE.fullmatch(text))


def admits(constraint: str, version: str) -> bool | None:
    """Whether a Terraform constraint (`>= 4.67.0`, `~> 5.95`, `>= 4.0, < 6.0`) admits an exact
    version (`5.100.0`), by Terraform's rules (`~> 5.95` is `>= 5.95, < 6.0`; `~> 5.95.1` is
    `>= 5.95.1, < 5.96`); None when either is not plain numbers (a pre-release)."""
    def numbers(text: str) -> tuple[int, ...] | None:
        text = text.strip().lstrip("v")
        return tuple(int(n) for n in text.split(".")) if re.fullmatch(r"\d+(?:\.\d+)*", text) else None

    wanted = numbers(version)
    if wanted is None:
        return None
    for term in constraint.split(","):
        m = re.fullmatch(r"\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*", term)
        bound = numbers(m.group(2)) if m else None
        if bound is None:
            return None
        op = m.group(1) or "="
        width = max(len(bound), len(wanted))
        have, edge = wanted + (0,) * (width - len(wanted)), bound + (0,) * (width - len(bound))
        if op == "~>":
            top = bound[:-1] if len(bound) > 1 else bound
            upper = top[:-1] + (top[-1] + 1,) if len(bound) > 1 else None
            ok = have >= edge and (upper is None or have[:len(upper)] < upper)
        else:
            ok = {"=": have == edge, "!=": have != edge, ">": have > edge, ">=": have >= edge,
                  "<": have < edge, "<=": have <= edge}[op]
        if not ok:
            return False
    return True


def provider(text: str) -> str | None:
    """`hashicorp/aws` for a provider source as written (`registry.terraform.io/hashicorp/aws`),
    lower-case; None when it is not NAMESPACE/NAME."""
    m = _PROVIDER_RE.fullmatch(text.strip())
    return m.group("p").lower() if m else None


def registry_module(text: str) -> str | None:
    """`terraform-aws-modules/eks/aws` for a registry module source (also `//subdir`, the
    `registry.terraform.io/` spelling), lower-case; None for any other source."""
    m = _MODULE_RE.fullmatch(text.strip())
    return m.group("m").lower() if m else None


def github_project(source: str) -> str | None:
    """OWNER/REPO of a GitHub module source (`github.com/O/R?ref=V`, `git::https://github.com/O/R.git`,
    a `//subdir` of either); None for any other source."""
    m = _GITHUB_SOURCE_RE.fullmatch(source.strip())
    return m.group("p") if m else None


def provider_references(text: str, wanted: str) -> list[TfRef]:
    """Every `required_providers` version of provider `wanted` (NAMESPACE/NAME) in one HCL text;
    python-hcl2's errors propagate (the caller reports an unparsable file)."""
    from gitops_bot.parse.hcl import attributes, block_key, children, is_node, literal, parse

    found = []
    for body in children(parse(text)):
        for block in children(body):
            if not (is_node(block, "block") and block_key(block) == ("terraform",)):
                continue
            for inner in (n for b in children(block) if is_node(b, "body") for n in children(b)):
                if not (is_node(inner, "block") and block_key(inner) == ("required_providers",)):
                    continue
                for name, expr in attributes(inner).items():
                    fields = _object(expr)
                    source = literal(fields.get("source")) if fields is not None else None
                    version = fields.get("version") if fields is not None else expr
                    implied = f"hashicorp/{name}" if source is None else None
                    if (provider(source) if source is not None else implied) != wanted or version is None:
                        continue
                    form = "required_providers version" + (" (source implied)" if implied else "")
                    found.append(_version_ref(text, version, form, name))
    return found


def _version_ref(text: str, expr, form: str, name: str) -> TfRef:
    """The version an expression writes: its literal text, or the expression itself (not plain)."""
    from gitops_bot.parse.hcl import string_parts

    parts = string_parts(expr)
    node = parts[0] if len(parts) == 1 else expr
    start, end = node.meta.start_pos, node.meta.end_pos
    return TfRef(text.count("\n", 0, start) + 1, start, end, text[start:end], form, name, len(parts) == 1)


def _object(expr) -> dict | None:
    """The plain-keyed fields of an object expression (`{ source = ..., version = ... }`)."""
    from gitops_bot.parse.hcl import children, is_node, token_text

    node = expr.children[0] if is_node(expr, "expr_term") and expr.children else expr
    if not is_node(node, "object"):
        return None
    return {token_text(e.children[0]): e.children[-1] for e in children(node) if is_node(e, "object_elem")}


def module_references(text: str, wanted: str) -> list[TfRef]:
    """Every `version` of a `module` block sourced from registry module `wanted` in one HCL text
    (a block without one too, not plain: it floats)."""
    from gitops_bot.parse.hcl import attributes, block_key, literal

    line_of = line_numbers(text)
    found = []
    for block in _module_blocks(text):
        attrs = attributes(block)
        source = literal(attrs.get("source"))
        if source is None or registry_module(source) != wanted:
            continue
        key = block_key(block)
        label = key[1] if len(key) > 1 else ""
        if "version" in attrs:
            found.append(_version_ref(text, attrs["version"], "module version", label))
        else:  # no version: Terraform takes the newest release
            start = attrs["source"].meta.start_pos
            found.append(TfRef(line_of(start), start, start, "", "module without version", label, False))
    return found


def _module_blocks(text: str) -> Iterator[Any]:
    """The `module` blocks of one HCL text, top level (python-hcl2's errors propagate)."""
    from gitops_bot.parse.hcl import block_key, children, is_node, parse

    for body in children(parse(text)):
        for block in children(body):
            if is_node(block, "block") and block_key(block)[:1] == ("module",):
                yield block


@dataclass(frozen=True)
class ModuleSource:
    """A `module` block's literal `source` as written: `start:end` spans the text inside its quotes;
    `line_start` is the offset of the attribute's line; `version` its `version`, if it has one."""

    line: int
    start: int
    end: int
    source: str
    line_start: int
    version: TfRef | None


def module_sources(text: str) -> list[ModuleSource]:
    """Every `module` block's literal source in one HCL text (python-hcl2's errors propagate)."""
    from gitops_bot.parse.hcl import attributes, string_parts

    line_of = line_numbers(text)
    found = []
    for block in _module_blocks(text):
        attrs = attributes(block)
        parts = string_parts(attrs["source"]) if "source" in attrs else []
        if len(parts) != 1:
            continue
        start, end = parts[0].meta.start_pos, parts[0].meta.end_pos
        version = None
        vparts = string_parts(attrs["version"]) if "version" in attrs else []
        if len(vparts) == 1:
            vs, ve = vparts[0].meta.start_pos, vparts[0].meta.end_pos
            version = TfRef(line_of(vs), vs, ve, text[vs:ve], "module version")
        found.append(ModuleSource(line_of(start), start, end, text[start:end],
                                  text.rfind("\n", 0, start) + 1, version))
    return found


_ATTRIBUTE_LINE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<key>[A-Za-z_][\w-]*)(?P<pad>[ \t]*)=(?!=)")


def inserted_attribute(text: str, line_start: int, key: str, value: str) -> list[tuple[int, int, str]]:
    """Edits (start, end, replacement) that add `key = "value"` after the attribute on the line at
    `line_start`, aligned as `terraform fmt` aligns a run of one-line attributes: the run's `=`
    move right when `key` is longer than every key in it (`source =` -> `source  =`)."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    index = offsets.index(line_start)
    run = [index]
    for step in (-1, 1):  # the run: adjacent one-line attributes at the same indent
        i = index + step
        while 0 <= i < len(lines) and _same_run(lines[i], lines[index]):
            run.append(i)
            i += step
    matches = {i: _ATTRIBUTE_LINE_RE.match(lines[i]) for i in run}
    indent = matches[index].group("indent")
    width = max([len(key)] + [len(m.group("key")) for m in matches.values()])
    aligned = len({len(m.group("key")) + len(m.group("pad")) for m in matches.values()}) == 1
    if not aligned:  # not fmt-aligned before: add the line as it is, touch no other
        width = len(key)
    edits = [(offsets[i] + m.end("key"), offsets[i] + m.end("pad"), " " * (width - len(m.group("key")) + 1))
             for i, m in sorted(matches.items()) if aligned and len(m.group("pad")) != width - len(m.group("key")) + 1]
    end = offsets[index + 1]
    newline = "" if lines[index].endswith("\n") else "\n"
    edits.append((end, end, f'{newline}{indent}{key}{" " * (width - len(key) + 1)}= "{value}"\n'))
    return edits


def _same_run(line: str, anchor: str) -> bool:
    m, a = _ATTRIBUTE_LINE_RE.match(line), _ATTRIBUTE_LINE_RE.match(anchor)
    return bool(m and a) and m.group("indent") == a.group("indent") and not line.rstrip().endswith(("{", "[", "("))


def readme_rows(text: str, names: set[str]) -> list[TfRef]:
    """terraform-docs Requirements/Providers rows of the providers' local `names` (aliases too):
    the version cell, when it is a constraint (`n/a` is not)."""
    line_of = line_numbers(text)
    found = []
    for name in sorted(names):
        row = re.compile(rf'^\|\s*<a name="(?P<kind>requirement|provider)_{re.escape(name)}(?:\.[\w-]+)?"></a>'
                         r"[^|\n]*\|\s*(?P<v>[^|\n]*?)\s*\|\s*$", re.MULTILINE)
        for m in row.finditer(text):
            if is_constraint(m.group("v")):
                start, end = m.span("v")
                found.append(TfRef(line_of(start), start, end, m.group("v"),
                                   f"terraform-docs {m.group('kind')} row", name))
    return sorted(found, key=lambda r: r.start)


def module_rows(text: str, names: set[str], wanted: str) -> list[TfRef]:
    """terraform-docs Modules rows (`| <a name="module_eks"></a> [eks](#module\\_eks) | SOURCE | VERSION |`)
    of the module blocks `names` whose source cell is registry module `wanted`: the version cell."""
    line_of = line_numbers(text)
    found = []
    for name in sorted(names):
        row = re.compile(rf'^\|\s*<a name="module_{re.escape(name)}"></a>[^|\n]*\|\s*(?P<src>[^|\n]*?)\s*\|'
                         r"\s*(?P<v>[^|\n]*?)\s*\|\s*$", re.MULTILINE)
        for m in row.finditer(text):
            if registry_module(m.group("src")) == wanted and is_constraint(m.group("v")):
                start, end = m.span("v")
                found.append(TfRef(line_of(start), start, end, m.group("v"), "terraform-docs module row", name))
    return sorted(found, key=lambda r: r.start)


_OLD_MARKER = "<!-- BEGINNING OF PRE-COMMIT-TERRAFORM DOCS HOOK -->"
_OLD_SECTION_RE = re.compile(r"<!-- BEGINNING OF PRE-COMMIT-TERRAFORM DOCS HOOK -->.*?"
                             r"<!-- END OF PRE-COMMIT-TERRAFORM DOCS HOOK -->", re.DOTALL)
# pre-commit-terraform's docs hooks; with `--add-to-existing-file=true` a README without markers gets them
_DOCS_HOOK_RE = re.compile(r"^\s*-?\s*id:\s*[\"']?terraform_docs(?:_without_aggregate_type_defaults)?[\"']?"
                           r"\s*(?:#.*)?$", re.MULTILINE)


def docs_hook_needs_markers(pre_commit_config: str | None) -> bool:
    """Whether a `.pre-commit-config.yaml` runs pre-commit-terraform's terraform_docs hook, which
    writes a README only between its markers (an existing README without them is skipped)."""
    return bool(pre_commit_config and _DOCS_HOOK_RE.search(pre_commit_config)
                and "add-to-existing-file=true" not in pre_commit_config)


def _in_old_section(text: str, offset: int) -> bool:
    """Inside the hook's older markers (BEGINNING OF PRE-COMMIT-TERRAFORM DOCS HOOK)."""
    first = _OLD_SECTION_RE.search(text)
    return bool(first) and first.start() < offset < first.end()


_TF_DOCS_RE = re.compile(r"<!-- BEGIN_TF_DOCS -->(?:(?!<!-- BEGIN_TF_DOCS -->).)*?<!-- END_TF_DOCS -->", re.DOTALL)


def in_generated_section(text: str, offset: int, markers_required: bool = False) -> bool:
    """Whether `offset` is inside the section terraform-docs regenerates: a README without markers
    is all generated (terraform-docs' plain output), unless `markers_required` (the repository
    generates its docs with pre-commit-terraform's terraform_docs hook, which leaves a README
    without markers alone: docs_hook_needs_markers); with markers, only the first
    `<!-- BEGIN_TF_DOCS -->` ... `<!-- END_TF_DOCS -->` (terraform-docs' inject mode replaces that
    one; a second copy, or a BEGIN without its END, is stale text it never touches)."""
    if "<!-- BEGIN_TF_DOCS -->" not in text:
        return not markers_required and _OLD_MARKER not in text or _in_old_section(text, offset)
    first = _TF_DOCS_RE.search(text)
    return bool(first) and text.find("<!-- BEGIN_TF_DOCS -->") == first.start() and first.start() < offset < first.end()
