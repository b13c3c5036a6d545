"""The check command's output formats: text, JSON, GitHub workflow annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
from dataclasses import asdict

from gitops_bot import FORMAT_VERSION, __version__
from gitops_bot.checks import ALL_RULES
from gitops_bot.checks.model import Problem

FORMATS = ("text", "json", "github", "sarif")


def _help(rule: str) -> str:
    known = ALL_RULES.get(rule)
    return known.help if known else rule


def render(problems: list[Problem], fmt: str, color: bool = False) -> str:
    """The problems in one of FORMATS (`color`: the text format's severities in ANSI colours)."""
    if fmt == "text":
        return _text(problems, color)
    return {"json": _json, "github": _github, "sarif": _sarif}[fmt](problems)


_SEVERITY_SGR = {"error": "31", "warning": "33"}  # red, yellow


def _text(problems: list[Problem], color: bool = False) -> str:
    out = []
    for p in problems:
        severity = f"\033[{_SEVERITY_SGR[p.severity]}m{p.severity}\033[0m" \
            if color and p.severity in _SEVERITY_SGR else p.severity
        out.append(f"{p.path}:{p.line}: {severity}: {p.message} [{p.rule}]")
        if p.fix:
            out.append(f"  fix: {p.fix}")
    n = len(problems)
    out.append(f"{n} problem{'s' if n != 1 else ''}" if n else "no problems")
    return "\n".join(out) + "\n"


def _json(problems: list[Problem]) -> str:
    payload = {"format_version": FORMAT_VERSION, "problems": [asdict(p) for p in problems]}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        message = p.message + (f" Fix: {p.fix}" if p.fix else "")
        lines.append(f"::{p.severity} file={_escape_property(p.path)},line={p.line},"
                     f"title={_escape_property(p.rule)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def _sarif(problems: list[Problem]) -> str:
    rules = sorted(set(ALL_RULES) | {p.rule for p in problems})
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gitops-bot",
                "version": __version__,
                "informationUri": "https://github.com/gitops-bot/gitops-bot",
                "rules": [{"id": r, "shortDescription": {"text": _help(r)}} for r in rules],
            }},
            "results": [{
                "ruleId": p.rule,
                "ruleIndex": rules.index(p.rule),
                "level": "error" if p.severity == "error" else "warning",
                "message": {"text": p.message + (f" Fix: {p.fix}" if p.fix else "")},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": p.path},
                    "region": {"startLine": p.line},
                }}],
            } for p in problems],
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
