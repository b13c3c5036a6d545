"""The check command's output formats: text, JSON, GitHub workflow annotations (and the job
summary that lists every finding), SARIF 2.1.0."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict
from typing import Callable
from urllib.parse import quote

from gitops_bot import FORMAT_VERSION, __version__
from gitops_bot.checks import ALL_RULES
from gitops_bot.checks.model import Problem, Rule
from gitops_bot.text.markdown import code

FORMATS = ("text", "json", "github", "sarif")
# GitHub shows 10 error, 10 warning and 10 notice annotations of one step; the rest of a step's
# workflow commands vanish (actions/toolkit, docs/problem-matchers.md, "Limitations").
ANNOTATIONS_PER_KIND = 10
# GitHub takes at most 1 MiB of job summary per step; the table stops short of it.
SUMMARY_BUDGET = 1_000_000
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# SARIF's runAutomationDetails.id: "category/" (GitHub code scanning keeps one set of alerts per
# category; a run id is not given, so each upload replaces the last).
AUTOMATION_ID = "gitops-bot/check/"
FINGERPRINT_KEY = "gitopsBot/v1"

LineText = Callable[[str, int], str]  # (path, line) -> the line's text ("" when unknown)


def render(problems: list[Problem], fmt: str, line_text: LineText | None = None) -> str:
    """The problems in one of FORMATS. `line_text` gives a problem's line (SARIF's
    partialFingerprints hash it, so that an alert survives lines moving above it)."""
    if fmt == "sarif":
        return _sarif(problems, line_text or (lambda path, line: ""))
    return {"text": _text, "json": _json, "github": _github}[fmt](problems)


def _fix(p: Problem) -> str:
    return f" Fix: {p.fix}" if p.fix else ""


def _text(problems: list[Problem]) -> str:
    out = []
    for p in problems:
        out.append(f"{p.path}:{p.line}: {p.severity}: {p.message} [{p.rule}]")
        if p.fix:
            out.append(f"  fix: {p.fix}")
    n = len(problems)
    out.append(f"{n} problem{'s' if n != 1 else ''}" if n else "no problems")
    return "\n".join(out) + "\n"


def _json(problems: list[Problem]) -> str:
    payload = {"format_version": FORMAT_VERSION, "problems": [asdict(p) for p in problems]}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


# -- GitHub workflow commands and the job summary ----------------------------------------------
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotated(problems: list[Problem]) -> list[bool]:
    """Whether GitHub will show each problem as an annotation: the first ANNOTATIONS_PER_KIND
    of each severity, in place order."""
    seen: Counter[str] = Counter()
    shown = []
    for p in problems:
        seen[p.severity] += 1
        shown.append(seen[p.severity] <= ANNOTATIONS_PER_KIND)
    return shown


def _github(problems: list[Problem]) -> str:
    """An annotation for each problem GitHub shows; the others as plain log lines, and a notice
    saying how many were not annotated (every problem is in the job summary, `summary`)."""
    shown = annotated(problems)
    lines = [f"::{p.severity} file={_escape_property(p.path)},line={p.line},"
             f"title={_escape_property(p.rule)}::{_escape_data(p.message + _fix(p))}"
             for p, annotate in zip(problems, shown) if annotate]
    rest = [p for p, annotate in zip(problems, shown) if not annotate]
    if rest:
        lines += [f"{p.path}:{p.line}: {p.severity}: {p.message} [{p.rule}]{_fix(p)}" for p in rest]
        lines.append(f"::notice title=gitops-bot check::{_not_annotated(len(rest))}")
    return "".join(line + "\n" for line in lines)


def _not_annotated(count: int) -> str:
    return (f"{count} of the problems {'is' if count == 1 else 'are'} not annotated (GitHub shows "
            f"{ANNOTATIONS_PER_KIND} per kind per step): every problem is listed in the job summary")


def summary(problems: list[Problem]) -> str:
    """The job summary: a Markdown table of every problem (file and message as code: they may
    quote the repository), saying how many were not annotated; cut short of SUMMARY_BUDGET."""
    rest = annotated(problems).count(False)
    head = [f"### gitops-bot check: {len(problems)} problem{'s' if len(problems) != 1 else ''}", ""]
    if rest:
        head += [_not_annotated(rest) + ".", ""]
    if not problems:
        return "\n".join(head) + "\n"
    rows = ["| where | severity | rule | problem | fix |", "|---|---|---|---|---|"]
    size = sum(len(line) + 1 for line in head + rows)
    for i, p in enumerate(problems):
        row = (f"| {code(f'{p.path}:{p.line}', table=True)} | {p.severity} | {p.rule} | "
               f"{code(p.message, table=True)} | {code(p.fix, table=True) if p.fix else ''} |")
        if size + len(row) + 200 > SUMMARY_BUDGET:
            rows += ["", f"… and {len(problems) - i} more: run `gitops-bot check` to see them all"]
            break
        rows.append(row)
        size += len(row) + 1
    return "\n".join(head + rows) + "\n"


# -- SARIF 2.1.0 ---------------------------------------------------------------------------------
def artifact_uri(path: str) -> str:
    """A repository path as a SARIF artifact URI: relative, every byte outside RFC 3986's
    unreserved set and `/` percent-encoded (spaces, #, %, ?, non-ASCII as UTF-8)."""
    return quote(path, safe="/")


def _normalized(text: str) -> str:
    """A line's text as fingerprints hash it: whitespace runs as one space, ends trimmed, so that
    re-indenting a line keeps its alert."""
    return re.sub(r"\s+", " ", text).strip()


def fingerprints(problems: list[Problem], line_text: LineText) -> list[str]:
    """Each problem's fingerprint: rule, file and the normalized text of its line, hashed, with
    `:N` counting the problems that share all three (GitHub's primaryLocationLineHash does the
    same). Line numbers are not part of it: lines moving above keep the alert the same."""
    seen: Counter[str] = Counter()
    out = []
    for p in problems:
        digest = hashlib.sha256("\0".join((p.rule, p.path, _normalized(line_text(p.path, p.line))))
                                .encode("utf-8")).hexdigest()[:32]
        seen[digest] += 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def _rule_descriptor(rule: Rule) -> dict:
    description = rule.description or rule.help
    text = description + (f"\n\nFix: {rule.remedy}" if rule.remedy else "")
    markdown = f"**{rule.help}** ({rule.severity})\n\n{description}"
    markdown += f"\n\n**Fix:** {rule.remedy}" if rule.remedy else ""
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in rule.id.split("-")),
        "shortDescription": {"text": rule.help},
        "fullDescription": {"text": description},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _level(rule.severity)},
    }


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def _sarif(problems: list[Problem], line_text: LineText) -> str:
    rules = [ALL_RULES.get(r) or Rule(r, "warning", r, lambda index: [])
             for r in sorted(set(ALL_RULES) | {p.rule for p in problems})]
    index = {rule.id: i for i, rule in enumerate(rules)}
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gitops-bot",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/gitops-bot/gitops-bot",
                "rules": [_rule_descriptor(rule) for rule in rules],
            }},
            "automationDetails": {"id": AUTOMATION_ID},
            "columnKind": "unicodeCodePoints",
            "results": [{
                "ruleId": p.rule,
                "ruleIndex": index[p.rule],
                "level": _level(p.severity),
                "message": {"text": p.message + _fix(p)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(p.path)},
                    "region": {"startLine": max(p.line, 1)},
                }}],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
            } for p, fingerprint in zip(problems, fingerprints(problems, line_text))],
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
