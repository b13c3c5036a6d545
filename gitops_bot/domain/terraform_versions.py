"""Minor-only versions in Terraform (a Kubernetes `cluster_version = "1.22"`), found by the
attribute or variable that holds them. versions.py's scanner asks; this module only locates.

Forms, for each attribute NAME of the tool's `terraform:` list (cluster_version, ...):
- `NAME = "1.22"` anywhere in a .tf file (a module argument, a local), and each string value of
  a map `NAME = { live = "1.22", ... }` (one version per environment);
- a `variable "X"` block whose name is NAME or ends with `_NAME` (eks_cluster_version): its
  `default = "1.22"`, and the example in its own description (``i.e.: `1.22` ``) when it says
  that default (an example of another version is no version of the variable's);
- the terraform-docs row of such a variable in Markdown (`| <a name="input_X"></a> ...`): the
  default cell (`` `"1.22"` ``) and the description example that says it.
Only values written X.Y are taken: a patch-level string there is not this form.
"""

from __future__ import annotations

import re
from typing import Iterable

MINOR_VALUE = r"\d+\.\d+"
_EXAMPLE = re.compile(rf"(?:i\.e\.|e\.g\.):?\s*`(?P<v>{MINOR_VALUE})`")
_DOCS_DEFAULT = re.compile(rf"`\"(?P<v>{MINOR_VALUE})\"`")


def minor_versions(text: str, kind: str, names: tuple[str, ...]) -> Iterable[tuple[int, int, str]]:
    """(start, end, form) of each minor-only version held by one of `names` in a file of `kind`
    ("hcl" or "markdown")."""
    if kind == "hcl":
        yield from _attributes(text, names)
        yield from _variables(text, names)
    elif kind == "markdown":
        yield from _docs_rows(text, names)


def _names_variable(variable: str, names: tuple[str, ...]) -> bool:
    return any(variable == name or variable.endswith("_" + name) for name in names)


def _attributes(text: str, names: tuple[str, ...]) -> Iterable[tuple[int, int, str]]:
    alternatives = "|".join(re.escape(n) for n in names)
    single = re.compile(rf"^[ \t]*(?:{alternatives})[ \t]*=[ \t]*\"(?P<v>{MINOR_VALUE})\"", re.M)
    for m in single.finditer(text):
        yield m.start("v"), m.end("v"), "Terraform attribute"
    mapping = re.compile(rf"^[ \t]*(?:{alternatives})[ \t]*=[ \t]*\{{[ \t]*\n"
                         rf"(?P<body>(?:[^{{}}\n]*\n)*?)[ \t]*\}}", re.M)
    entry = re.compile(rf"^[ \t]*[\w\"-]+[ \t]*=[ \t]*\"(?P<v>{MINOR_VALUE})\"[ \t]*(?:#.*)?$", re.M)
    for m in mapping.finditer(text):
        for e in entry.finditer(m.group("body")):
            yield m.start("body") + e.start("v"), m.start("body") + e.end("v"), "Terraform attribute (map)"


_VARIABLE = re.compile(r"^variable[ \t]+\"(?P<n>[\w-]+)\"[ \t]*\{[ \t]*\n(?P<body>(?:.*\n)*?)\}", re.M)
_DEFAULT = re.compile(rf"^[ \t]*default[ \t]*=[ \t]*\"(?P<v>{MINOR_VALUE})\"", re.M)
_DESCRIPTION = re.compile(r"^[ \t]*description[ \t]*=[ \t]*\"[^\n]*$", re.M)


def _variables(text: str, names: tuple[str, ...]) -> Iterable[tuple[int, int, str]]:
    for m in _VARIABLE.finditer(text):
        if not _names_variable(m.group("n"), names):
            continue
        body, base = m.group("body"), m.start("body")
        defaults = set()
        for d in _DEFAULT.finditer(body):
            defaults.add(d.group("v"))
            yield base + d.start("v"), base + d.end("v"), "Terraform variable default"
        # the example says the default: it follows it, and is no version of its own otherwise
        # (eks-blueprints-addons kept `(i.e.: \`1.24\`)` when its tests moved from 1.26 to 1.25)
        for line in _DESCRIPTION.finditer(body):
            for e in _EXAMPLE.finditer(line.group()):
                at = base + line.start()
                if e.group("v") in defaults:
                    yield at + e.start("v"), at + e.end("v"), "variable description example"


_DOCS_ROW = re.compile(r"^\|[ \t]*<a name=\"input_(?P<n>[\w-]+)\"></a>[^\n]*$", re.M)


def _docs_rows(text: str, names: tuple[str, ...]) -> Iterable[tuple[int, int, str]]:
    for row in _DOCS_ROW.finditer(text):
        if not _names_variable(row.group("n"), names):
            continue
        defaults = list(_DOCS_DEFAULT.finditer(row.group()))
        examples = [e for e in _EXAMPLE.finditer(row.group()) if e.group("v") in {d.group("v") for d in defaults}]
        for m in sorted(defaults + examples, key=lambda m: m.start()):
            yield row.start() + m.start("v"), row.start() + m.end("v"), "terraform-docs input row"
