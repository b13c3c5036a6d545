"""Adding one annotation to the pod template of named workloads, in plain manifests and Helm
templates, as a human types it.

The pod template is `spec.template` (Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, Argo
Rollout) or `spec.jobTemplate.spec.template` (CronJob). Templates are read through their masked
copy (parse/gotemplate.py: same line geometry, actions blanked), so positions are the file's:
- `annotations:` with entries: the new one goes after the last, at its column; an equal one is
  left alone, a different value is replaced in place;
- no `annotations:`: it is added as the first key of `metadata:` (and `metadata:` as the first key
  of the pod template when it is absent), in the file's indentation step;
- the chart's usual `{{- with .Values.podAnnotations }}` / `annotations:` / `{{- toYaml . | nindent N }}`
  / `{{- end }}`: `annotations:` moves out of the block, the new entry under it, and the block
  under the entry, so the annotation is always there and the values' ones still follow;
- anything else (annotations rendered by an expression alone, an inline map, a key written by a
  template) is refused with the reason: a human adds it where the chart expects it.
A value YAML would read as something other than that string (`false`, `443`, `null`, one with
`: ` or ` #`) is written double-quoted (annotation values are strings: `"false"`, never
`false`); a plain word (`disabled`) is written bare, as people write it, unless the annotations
beside it quote such words (then it is quoted as they are); a replaced value keeps its quotes.
A workload is named by its literal `metadata.name`, or, when the name is a template expression,
by the chart it belongs to (`default_name`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from gitops_bot.edit.blocks import trim_trailing, yaml_entry_stop
from gitops_bot.edit.yaml_insert import scalar_extent
from gitops_bot.parse import gotemplate
from gitops_bot.parse.yaml import load_rt, load_safe
from gitops_bot.text.splice import Cut, Lines, Span, splice

POD_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "Rollout"})
_WITH_BLOCK = re.compile(r"^(\s*)\{\{-?\s*(with|if)\s")
_END = re.compile(r"^\s*\{\{-?\s*end\s*-?\}\}\s*$")


@dataclass
class AnnotationResult:
    """The new text, the workloads given the annotation (or holding it already), and refusals
    as (1-based line, reason)."""

    text: str
    annotated: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)  # (line, text) beside a replaced value


def add_annotation(text: str, key: str, value: str, names: set[str],
                   default_name: str | None = None) -> AnnotationResult:
    """The text with `key: "value"` in the pod template annotations of the workloads named `names`."""
    result = AnnotationResult(text)
    try:
        actions = gotemplate.lex(text)
        masked = gotemplate.mask(text, actions) if actions else text
        docs = load_rt(masked)
    except (gotemplate.TemplateError, YAMLError):
        return result  # not a manifest this can read; the caller reports files naming a workload
    lines, masked_lines = Lines(text), Lines(masked)
    cuts: list[Cut] = []
    for doc in docs:
        name = _workload_name(doc, lines, default_name)
        if name is None or name not in names:
            continue
        template = _pod_template(doc)
        if template is None:
            result.refused.append((doc.lc.line + 1, f"{name}: no pod template to annotate"))
            continue
        outcome = _plan(lines, masked_lines, template, key, value)
        if isinstance(outcome, str):
            result.refused.append((template.lc.line + 1, f"{name}: {outcome}"))
        elif outcome is None:
            result.present.append(name)
        else:
            cuts.append(outcome)
            result.annotated.append(name)
            line = lines.line_of(outcome.span.start)
            if outcome.span.end > outcome.span.start and " #" in lines.line(line):  # a replaced value
                result.comments.append((line + 1, lines.line(line).strip()))
    if cuts:
        new = splice(text, cuts)
        problem = _verify(new, key, value, set(result.annotated), default_name)
        if problem:
            result.refused.extend((1, f"{name}: {problem}") for name in result.annotated)
            result.annotated = []
        else:
            result.text = new
    return result


def _verify(text: str, key: str, value: str, names: set[str], default_name: str | None) -> str | None:
    """Why the edited text is wrong, or None: it must read back (templates through their masked
    copy) with the annotation in each named workload's pod template."""
    try:
        actions = gotemplate.lex(text)
        gotemplate.blocks(actions)
        masked = gotemplate.mask(text, actions) if actions else text
        docs = load_rt(masked)
    except (gotemplate.TemplateError, YAMLError) as exc:
        return f"the result would not parse ({str(exc).splitlines()[0]})"
    lines = Lines(text)  # the masked copy has the same geometry: positions read the original
    for doc in docs:
        name = _workload_name(doc, lines, default_name)
        if name in names:
            template = _pod_template(doc) or {}
            annotations = (template.get("metadata") or {}).get("annotations") or {}
            if str(annotations.get(key)) != value:
                return "the result's pod template does not hold the annotation"
    return None


def _workload_name(doc: Any, lines: Lines, default_name: str | None) -> str | None:
    """A workload's name: its literal `metadata.name`, or `default_name` (its chart's) when the
    name is written by a template action; None for other kinds."""
    if not isinstance(doc, CommentedMap) or doc.get("kind") not in POD_TEMPLATE_KINDS | {"CronJob"}:
        return None
    metadata = doc.get("metadata")
    if not isinstance(metadata, CommentedMap) or "name" not in metadata:
        return None
    name = metadata.get("name")
    line, col = metadata.lc.value("name")
    templated = "{{" in lines.line(line)[col:]  # the original text: the masked copy blanks the action
    return default_name if templated else (str(name) if name is not None else None)


def _pod_template(doc: CommentedMap) -> CommentedMap | None:
    spec = doc.get("spec")
    if doc.get("kind") == "CronJob":
        job = spec.get("jobTemplate") if isinstance(spec, CommentedMap) else None
        spec = job.get("spec") if isinstance(job, CommentedMap) else None
    template = spec.get("template") if isinstance(spec, CommentedMap) else None
    return template if isinstance(template, CommentedMap) and len(template) and not template.fa.flow_style() else None


def _plan(lines: Lines, masked: Lines, template: CommentedMap, key: str, value: str) -> Cut | str | None:
    """The cut that adds the annotation, None when it is there already, or why not."""
    metadata = template.get("metadata")
    neighbours = metadata.get("annotations") if isinstance(metadata, CommentedMap) else None
    quoted = _quotes_plain_words(lines, neighbours) if isinstance(neighbours, CommentedMap) else False
    entry = f"{_key(key)}: {json.dumps(value) if quoted or not _plain(value) else value}"
    newline = "\r\n" if "\r\n" in lines.text else "\n"
    step = _step(template)
    if "metadata" not in template:
        line, col = template.lc.key(next(iter(template)))
        pad = " " * col
        body = [f"{pad}metadata:", f"{pad}{' ' * step}annotations:", f"{pad}{' ' * 2 * step}{entry}"]
        return Cut(Span(lines.start(line), lines.start(line)), newline.join(body) + newline)
    metadata = template["metadata"]
    if not isinstance(metadata, CommentedMap) or not len(metadata) or metadata.fa.flow_style():
        return "its pod template's metadata is written by a template or inline"
    if "annotations" not in metadata:
        line, col = metadata.lc.key(next(iter(metadata)))
        start = _block_start(lines, line)
        body = [f"{' ' * col}annotations:", f"{' ' * (col + step)}{entry}"]
        return Cut(Span(lines.start(start), lines.start(start)), newline.join(body) + newline)
    annotations = metadata["annotations"]
    line, col = metadata.lc.key("annotations")
    if isinstance(annotations, CommentedMap) and len(annotations) and not annotations.fa.flow_style():
        return _into_map(lines, annotations, key, value, entry, newline)
    if annotations is None and masked.line(line).rstrip().endswith(":"):
        return _out_of_block(lines, line, col, step, entry, newline)
    return "its pod annotations are written inline or by a template expression"


def _into_map(lines: Lines, annotations: CommentedMap, key: str, value: str, entry: str, newline: str):
    if key in annotations:
        if str(annotations[key]) == value:
            return None
        line, col = annotations.lc.value(key)
        end, _ = scalar_extent(lines.line(line), col)
        if line != annotations.lc.key(key)[0] or end <= col:
            return f"its {key} annotation is not a one-line value"
        quote = lines.line(line)[col:col + 1]
        written = json.dumps(value) if quote == '"' or (quote != "'" and not _plain(value)) else value
        if quote == "'":
            written = "'" + value.replace("'", "''") + "'"
        return Cut(Span(lines.start(line) + col, lines.start(line) + end), written)
    last_line, col = annotations.lc.key(list(annotations)[-1])
    at = lines.end(trim_trailing(lines, last_line, yaml_entry_stop(lines, last_line, col, True), col))
    lead = newline if at == len(lines.text) and not lines.text.endswith("\n") else ""
    return Cut(Span(at, at), f"{lead}{' ' * col}{entry}{newline}")


def _out_of_block(lines: Lines, line: int, col: int, step: int, entry: str, newline: str) -> Cut | str:
    """`annotations:` whose entries a template writes: the chart's `with` pattern is rewritten so
    the annotation is always present; anything else is refused."""
    opener = lines.line(line - 1) if line else ""
    m = _WITH_BLOCK.match(opener)
    end = line + 1
    while end < len(lines) and (not lines.line(end).strip() or _indent(lines.line(end)) > col):
        end += 1
    if not m or len(m.group(1)) != col or end >= len(lines) or not _END.match(lines.line(end)):
        return "its pod annotations are written by a template expression: add it where the chart's values set them"
    if _indent(lines.line(end)) != col:
        return "its pod annotations' template block is laid out unusually"
    pad, inner = " " * col, " " * (col + step)
    body = [f"{pad}annotations:", f"{inner}{entry}", inner + opener.lstrip()]
    body += [lines.line(n) for n in range(line + 1, end)]
    body.append(inner + lines.line(end).lstrip())
    return Cut(Span(lines.start(line - 1), lines.end(end)), newline.join(body) + newline)


def _block_start(lines: Lines, line: int) -> int:
    """The first line of the key at `line` with the template actions directly above it that
    open its block (`{{- with ... }}` over `annotations:`): an insertion goes above them."""
    while line > 0 and _WITH_BLOCK.match(lines.line(line - 1)):
        line -= 1
    return line


def _step(node: CommentedMap) -> int:
    for child_key, child in node.items():
        if isinstance(child, CommentedMap) and len(child) and not child.fa.flow_style():
            step = child.lc.key(next(iter(child)))[1] - node.lc.key(child_key)[1]
            if step > 0:
                return step
    return 2


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _plain(value: str) -> bool:
    """Whether `value` can be written bare and still read back as this very string."""
    if not value or value != value.strip() or re.search(r"^[-?:,\[\]{}#&*!|>'\"%@`]|:\s|\s#|:$", value):
        return False
    try:
        return load_safe(f"k: {value}\n") == [{"k": value}]
    except YAMLError:
        return False


def _quotes_plain_words(lines: Lines, annotations: CommentedMap) -> bool:
    """Whether the existing annotations quote values that need no quotes (the file's style)."""
    for k in annotations:
        line, col = annotations.lc.value(k)
        if line == annotations.lc.key(k)[0] and lines.line(line)[col:col + 1] in ('"', "'"):
            if isinstance(annotations[k], str) and _plain(annotations[k]):
                return True
    return False


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./-]*", key) else json.dumps(key)
