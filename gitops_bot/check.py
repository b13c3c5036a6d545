"""`gitops-bot check`: run every rule (gitops_bot.checks) read-only and print the problems as
text, JSON, GitHub workflow annotations or SARIF 2.1.0."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .checks import CHECKS, run_checks
from .checks.model import Problem, RepoIndex
from .config import RepoConfig, load_config
from .errors import UserError
from .worktree import Worktree

_RULE_HELP = {
    "ignored-service-values": "Per-service maps in an environment values file that Helm never reads",
    "unknown-chart-parameter": "Application parameter whose top-level key the chart does not have",
    "floating-version": "A reference that can change without a commit (latest, no tag, a branch)",
    "version-drift": "One tool with different versions in different places",
    "end-of-support": "A tool version past its end of support",
    "unparsable-file": "A file the checks could not parse",
}


def check_repo(root: Path, rules: list[str] | None = None, config: RepoConfig | None = None) -> list[Problem]:
    """Problems in the repository at `root` (only `rules` when given). `config` is the
    repository's configuration as the caller loaded it (its `tools:` extend the catalogue);
    without one, the tree's own `.gitops-bot.yaml` is read here, once."""
    unknown = [r for r in rules or [] if r not in CHECKS]
    if unknown:
        raise UserError(f"unknown rule {unknown[0]!r} (rules: {', '.join(CHECKS)})")
    return run_checks(RepoIndex(Worktree(root), config if config is not None else load_config(root)), rules)


def render(problems: list[Problem], fmt: str) -> str:
    return {"text": _text, "json": _json, "github": _github, "sarif": _sarif}[fmt](problems)


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
    return json.dumps({"problems": [asdict(p) for p in problems]}, indent=2, ensure_ascii=False) + "\n"


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
    rules = sorted(set(CHECKS) | {p.rule for p in problems})
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gitops-bot",
                "version": __version__,
                "informationUri": "https://github.com/gitops-bot/gitops-bot",
                "rules": [{"id": r, "shortDescription": {"text": _RULE_HELP.get(r, r)}} for r in rules],
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
