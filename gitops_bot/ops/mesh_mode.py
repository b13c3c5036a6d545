"""Operation `mesh_mode`: the mechanical part of switching Istio's data plane between ambient and
sidecar mode, as one reviewable change (domain/mesh.py finds what states a mode).

A real team took 49 files over 5 commits to go from ambient to sidecar. What is mechanical:
- install profiles in scripts, Makefiles and values (`--set profile=ambient` <-> `default`);
- namespace enrolment in manifests, templates and scripts (`istio.io/dataplane-mode: ambient`
  <-> `istio-injection: enabled`, in labels and in `kubectl label` lines);
- mode values under `istio:`/`mesh:` (`mode: ambient` <-> `sidecar`);
- to sidecar: Terraform's ztunnel `helm_release` and HBONE (15008) security-group rules go
  (a release that something `depends_on` is refused and listed).
What is not (waypoints, AuthorizationPolicies written for one mode, prose, adding ztunnel or
HBONE rules for ambient) is listed in the residue: every remaining line naming the old mode.
"""

from __future__ import annotations

import posixpath
import re

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.domain.mesh import MODES, file_signals, other, terraform_signals
from gitops_bot.domain.worktree import Literals
from gitops_bot.edit import classify
from gitops_bot.errors import UserError
from gitops_bot.ops.state import RunState
from gitops_bot.parse.yaml import load_safe
from gitops_bot.text.splice import Cut, Lines, Span, splice

CHECK = "re-parsed (YAML, Terraform); each change is a line that stated the old mode"
_WORDS = Literals([b"ambient", b"istio-injection", b"dataplane-mode", b"profile", b"15008", b"ztunnel"])
# "sidecar" alone is any helper container (a log shipper, a storage filler): only Istio's counts
_ISTIO_SIDECAR = (r"istio-injection|sidecar\.istio\.io|\bistio-proxy\b"
                  r"|\bsidecar[- ]?(mode|injection|injector|prox(y|ies))\b"
                  r"|\bsidecars?\b.*\b(istio|envoy|mesh)|\b(istio|envoy|mesh)\b.*\bsidecars?\b")
_OLD_MODE_MENTION = {"ambient": re.compile(r"\bambient\b|\bztunnel\b|\bHBONE\b|\bwaypoint", re.IGNORECASE),
                     "sidecar": re.compile(_ISTIO_SIDECAR, re.IGNORECASE)}


def run(state: RunState, args: dict[str, str]) -> None:
    target = args["to"]
    if target not in MODES:
        raise UserError(f"to={target!r}: the mode is ambient or sidecar")
    old = other(target)
    tree = state.tree
    changed: dict[str, list[int]] = {}
    for path in tree.grep(_WORDS):
        if not state.in_scope(path):
            continue
        text = tree.read(path)
        if text is None:
            continue
        kind = classify(path, text)
        cuts, lines = _cuts(state, path, text, kind, old, target)
        if cuts:
            updated = splice(text, cuts)
            problem = _invalid(path, kind, updated)
            if problem:
                state.refused.append(Finding(path, 0, "", f"not switched: {problem}", Kind.UNVERIFIED))
                continue
            tree.write(path, updated)
            state.validation.append(Validation(path, CHECK, True))
            changed[path] = lines
    _residue(state, old, changed)
    _enrolment(state, target)
    if target == "ambient":
        _ambient_install(state)


_INSTALL_KINDS = frozenset({"yaml", "helm", "hcl", "shell", "make", "json"})
_ISTIOCTL_AMBIENT = re.compile(r"\bistioctl\b.*\binstall\b.*\bprofile[= ]ambient\b")


def _ambient_install(state: RunState) -> None:
    """Ambient mode needs ztunnel (and istio-cni) on every node: a switch that finds nothing
    installing them (a ztunnel chart or release in a manifest, values file, Terraform or script,
    or `istioctl install` with the ambient profile) says so, as writing that install is a human's
    change (which charts, which namespace, the CNI's own settings)."""
    for path in state.tree.grep(Literals([b"ztunnel", b"istioctl"])):
        text = state.tree.read(path) or ""
        if classify(path, text) not in _INSTALL_KINDS:
            continue
        for line in text.splitlines():
            code = line.strip()
            if code.startswith(("#", "//")):
                continue
            if re.search(r"\bztunnel\b", code, re.IGNORECASE) or _ISTIOCTL_AMBIENT.search(code):
                return
    state.notes.append(Finding("(repository)", 0, "", "nothing installs ztunnel (a ztunnel chart, or istioctl's "
                                                      "ambient profile): ambient mode needs ztunnel and istio-cni on "
                                                      "every node; add their install by hand"))


def _enrolment(state: RunState, target: str) -> None:
    """A mesh in which no namespace is enrolled for the new mode does nothing: say so."""
    label = {"sidecar": b"istio-injection", "ambient": b"istio.io/dataplane-mode"}[target]
    for path in state.tree.grep(Literals([label])):
        text = state.tree.read(path) or ""
        kind = classify(path, text)
        if any(s.mode == target and s.what == "namespace label"
               for s in file_signals(text, kind)):
            return
    flag = "istio-injection=enabled" if target == "sidecar" else "istio.io/dataplane-mode=ambient"
    state.notes.append(Finding("(repository)", 0, "", f"no namespace is labelled {flag}: no workload joins the "
                                                      f"mesh in {target} mode until one is"))


def _cuts(state: RunState, path: str, text: str, kind: str, old: str, target: str) -> tuple[list[Cut], list[int]]:
    cuts: list[Cut] = []
    touched: list[int] = []
    for signal in file_signals(text, kind):
        if signal.mode == old and signal.rewrite:
            cuts.append(Cut(Span(signal.start, signal.end), signal.rewrite))
            touched.append(signal.line)
    if kind == "hcl" and target == "sidecar":
        lines = Lines(text)
        for what, start, end, name in terraform_signals(text):
            if what.startswith("ztunnel") and _depended_on(state, path, name):
                state.refused.append(Finding(path, lines.line_of(start) + 1, "", f"{what} {name} is referenced "
                                             f"(depends_on or an attribute): remove it by hand", Kind.KEPT))
                continue
            first, last = _whole_lines(lines, start, end)
            cuts.append(Cut(Span(lines.start(first), lines.end(last)), ""))
            touched.extend(range(first, last + 1))
    return cuts, touched


def _whole_lines(lines: Lines, start: int, end: int) -> tuple[int, int]:
    """The lines of a removed block, with a blank line that separated it from what comes next
    (or, at the end of its parent, the one before it), so no double blank line is left."""
    first, last = lines.line_of(start), lines.line_of(max(start, end - 1))
    if last + 1 < len(lines) and not lines.line(last + 1).strip():
        last += 1
    elif first > 0 and not lines.line(first - 1).strip():
        first -= 1
    return first, last


def _depended_on(state: RunState, path: str, name: str) -> bool:
    """Whether any Terraform file of the module folder refers to `helm_release.NAME`."""
    address = f"helm_release.{name.split('.', 1)[-1]}"
    folder = posixpath.dirname(path)
    for other_path in state.tree.grep(Literals([address.encode()])):
        if posixpath.dirname(other_path) == folder and other_path.endswith(".tf"):
            text = state.tree.read(other_path) or ""
            if re.search(re.escape(address) + r"\b", text):
                return True
    return False


def _invalid(path: str, kind: str, text: str) -> str | None:
    if kind == "yaml":
        try:
            load_safe(text)
        except YAMLError as exc:
            return f"the result would not parse ({str(exc).splitlines()[0]})"
    if kind == "hcl":
        from gitops_bot.parse import hcl

        try:
            hcl.parse(text)
        except Exception as exc:  # python-hcl2 raises several lark error types
            return f"the result would not parse ({type(exc).__name__})"
    return None


def _residue(state: RunState, old: str, changed: dict[str, list[int]]) -> None:
    """Every remaining line that names the old mode, for a human to finish."""
    mention = _OLD_MODE_MENTION[old]
    for path in state.tree.grep(_WORDS if old == "ambient" else Literals([b"sidecar", b"istio-injection"])):
        original = state.tree.original(path)
        if original is None or not state.in_scope(path):
            continue
        touched = set(changed.get(path, []))
        for n, line in enumerate(original.splitlines()):
            said = line.split(" #", 1)[1] if n in touched and " #" in line else ("" if n in touched else line)
            if mention.search(said):  # a changed line still counts by its comment
                state.notes.append(Finding(path, n + 1, line.strip(), f"still about {old} mode: check it"))
