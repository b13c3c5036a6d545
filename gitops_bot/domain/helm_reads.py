"""Which top-level values a chart in the repository reads: what its templates render, and the
named templates (`define`, `block`) they reach through `include` and `template`, its own or a
library chart's (a dependency of `type: library`, or any local dependency: Helm makes every
chart's named templates visible to the parent).

A chart's values are read where its templates say `.Values.KEY` (`$.Values.KEY`), `index
.Values "KEY"` (or get, hasKey, pluck), or by the chart's own name (`index .Values .Chart.Name`,
a library chart's way of reading a map keyed by the service). `.Values` handed over whole
(`toYaml .Values`, `include "x" .Values`) reads every key. Named templates count only when
reached from a rendered template (an include whose name is computed reaches them all); files
whose name starts with `_` render nothing themselves (Helm's rule). A named template given a
sub-map (`include "x" (dict "Values" .Values.a)`) reads the keys under it as if they were
top-level: the set errs on the side of "read", so that the rules built on it (an unknown
parameter, a map no template reads) never cry wolf over it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from gitops_bot.parse.gotemplate import Action, TemplateError, blocks, lex

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".tpl", ".txt", ".json")
_INCLUDE_RE = re.compile(r'\b(?:include|template|block)\s+"((?:[^"\\]|\\.)*)"')
# A name computed at render time (`include (printf "%s.labels" .Chart.Name) .`) may be any of them.
_DYNAMIC_INCLUDE_RE = re.compile(r"\b(?:include|template)\s+[($]")
_DOTTED_RE = re.compile(r"\.Values\.([A-Za-z_][A-Za-z0-9_]*)")
_BY_NAME_RE = re.compile(r'\b(?:index|get|hasKey|pluck)\s+\$?\.Values\s+(?:"((?:[^"\\]|\\.)*)"|(\$?\.Chart\.Name))')
_WHOLE_RE = re.compile(r"\.Values\b(?!\.[A-Za-z_])")


@dataclass
class ValueReads:
    """The top-level value keys a chart's templates read."""

    keys: set[str] = field(default_factory=set)
    by_chart_name: bool = False  # `index .Values .Chart.Name`
    everything: bool = False  # `.Values` handed over whole

    def reads(self, key: str, chart_name: str) -> bool:
        """Whether the chart (named `chart_name` in its Chart.yaml) reads the top-level `key`."""
        return self.everything or key in self.keys or (self.by_chart_name and key == chart_name)

    def add(self, body: str) -> None:
        """Count the reads of one stretch of template actions."""
        rest = body
        for m in _BY_NAME_RE.finditer(body):
            if m.group(2):
                self.by_chart_name = True
            else:
                self.keys.add(m.group(1))
        rest = _BY_NAME_RE.sub(" ", rest)
        self.keys.update(_DOTTED_RE.findall(rest))
        if _WHOLE_RE.search(_DOTTED_RE.sub(" ", rest)):
            self.everything = True


@dataclass
class _Parsed:
    """One template file: the text of its actions outside named templates, and its named
    templates' actions by name."""

    top: str
    named: dict[str, str]


def _parse(text: str) -> _Parsed:
    try:
        actions = lex(text)
        found = blocks(actions)
    except TemplateError:
        actions, found = _lex_lenient(text), []
    actions = [a for a in actions if a.keyword != "comment"]
    spans = sorted((b.open.start, b.close.end, b.open) for b in found if b.open.keyword in ("define", "block"))
    named: dict[str, list[str]] = {}
    top: list[str] = []
    for start, end, opener in spans:
        m = re.match(r'(?:define|block)\s+"((?:[^"\\]|\\.)*)"', opener.body)
        if not m:
            continue
        named.setdefault(m.group(1), []).append(" ".join(a.body for a in actions if start < a.start < end))
        if opener.keyword == "block":  # a block is defined and run where it stands
            top.append(f'include "{m.group(1)}"')
    inside = [(start, end) for start, end, _ in spans]
    top += [a.body for a in actions if not any(s <= a.start < e for s, e in inside)]
    return _Parsed(" ".join(top), {name: " ".join(bodies) for name, bodies in named.items()})


def _lex_lenient(text: str) -> list[Action]:
    """The actions of a template that does not lex or balance: each `{{ ... }}` as it stands,
    so that reads are still counted (a chart that Helm refuses is not this module's to judge)."""
    return [Action(m.start(), m.end(), m.group(1).strip(" -")) for m in re.finditer(r"\{\{(.*?)\}\}", text, re.S)]


def chart_value_reads(chart_dir: str, chart: Any, under: Callable[[str], list[str]],
                      read: Callable[[str], str | None], load_chart: Callable[[str], Any]) -> ValueReads:
    """The values the chart at `chart_dir` (its Chart.yaml as `chart`) reads. `under(folder)`
    lists the repository's files below a folder, `read(path)` gives a file's text and
    `load_chart(path)` a Chart.yaml's mapping (the caller's parse, shared with its rules)."""
    own = [p for p in under(posixpath.join(chart_dir, "templates")) if p.endswith(TEMPLATE_SUFFIXES)]
    named: dict[str, list[str]] = {}
    entries = []
    for path in own:
        parsed = _parse(read(path) or "")
        for name, body in parsed.named.items():
            named.setdefault(name, []).append(body)
        if not posixpath.basename(path).startswith("_"):
            entries.append(parsed.top)
    for dep_dir in _local_dependencies(chart_dir, chart, under, load_chart):
        for path in under(posixpath.join(dep_dir, "templates")):
            if path.endswith(TEMPLATE_SUFFIXES):
                for name, body in _parse(read(path) or "").named.items():
                    named.setdefault(name, []).append(body)
    reads = ValueReads()
    pending, reached = list(entries), set()
    while pending:
        body = pending.pop()
        reads.add(body)
        names = list(named) if _DYNAMIC_INCLUDE_RE.search(body) else _INCLUDE_RE.findall(body)
        for name in names:
            if name not in reached:
                reached.add(name)
                pending.extend(named.get(name, []))
    return reads


def _local_dependencies(chart_dir: str, chart: Any, under: Callable[[str], list[str]],
                        load_chart: Callable[[str], Any]) -> list[str]:
    """The folders of the chart's dependencies that are in the repository: `repository:
    file://PATH`, or unpacked under `charts/` (any chart there; its named templates are the
    parent's too)."""
    found = []
    for dep in (chart.get("dependencies") if hasattr(chart, "get") else None) or []:
        repo = str(dep.get("repository") or "") if hasattr(dep, "get") else ""
        if repo.startswith("file://"):
            folder = posixpath.normpath(posixpath.join(chart_dir, repo[len("file://"):]))
            if not folder.startswith("..") and load_chart(posixpath.join(folder, "Chart.yaml")) is not None:
                found.append(folder)
    charts = posixpath.join(chart_dir, "charts")
    for path in under(charts):
        rest = path[len(charts) + 1:].split("/")
        if len(rest) == 2 and rest[1] == "Chart.yaml":
            found.append(posixpath.join(charts, rest[0]))
    return sorted(set(found))
