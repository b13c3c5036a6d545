"""`gitops-bot check`: run the rules (gitops_bot.checks) read-only on a repository, less what the
repository has chosen to accept: inline suppressions and a baseline.

- A line holding `gitops-bot: ignore` (any comment style), or the line above it, suppresses the
  problems reported on it; `gitops-bot: ignore RULE[,RULE]` only those rules'.
- A baseline is a `check --format json` output saved in the repository: a problem whose rule,
  path and message it lists is accepted (lines are not compared: they move with every edit).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gitops_bot.checks import CHECKS, run_checks
from gitops_bot.checks.model import Problem, RepoIndex
from gitops_bot.domain.config import RepoConfig, load_config
from gitops_bot.domain.worktree import Worktree, read_text_inside
from gitops_bot.engine.recipe import builtin_recipes
from gitops_bot.errors import UserError
from gitops_bot.parse import cache as parse_cache

_IGNORE_RE = re.compile(r"gitops-bot:\s*ignore\b([ \t]+[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)?")


def check_repo(root: Path, rules: list[str] | None = None, config: RepoConfig | None = None) -> list[Problem]:
    """Problems in the repository at `root` (only `rules` when given). `config` is the
    repository's configuration as the caller loaded it (its `tools:` extend the catalogue);
    without one, the tree's own `.gitops-bot.yaml` is read here, once."""
    unknown = [r for r in rules or [] if r not in CHECKS]
    if unknown:
        raise UserError(f"unknown rule {unknown[0]!r} (rules: {', '.join(CHECKS)})")
    config = config if config is not None else load_config(root)
    defaults = {name: recipe.check_params for name, recipe in builtin_recipes().items()}
    with parse_cache.scope():  # each text is parsed once per parser for all rules
        return run_checks(RepoIndex(Worktree(root, keep=RepoIndex.read_by_path), config, recipe_defaults=defaults),
                          rules)


class LineReader:
    """The lines of the repository's files, each file read once (suppressions and SARIF
    fingerprints both read the lines problems name); a file that cannot be read has none."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str]:
        """The file's lines ([] when it cannot be read)."""
        if path not in self._texts:
            self._texts[path] = _lines(self.root, path)
        return self._texts[path]

    def __call__(self, path: str, line: int) -> str:
        """The text of one line (1-based; "" when there is none)."""
        lines = self.lines(path)
        return lines[line - 1] if 0 < line <= len(lines) else ""


def unsuppressed(root: Path, problems: list[Problem], reader: LineReader | None = None) -> list[Problem]:
    """The problems no inline `gitops-bot: ignore` comment suppresses."""
    reader = reader or LineReader(root)
    kept = []
    for problem in problems:
        lines = reader.lines(problem.path)
        around = lines[max(problem.line - 2, 0):problem.line] if problem.line else []
        if not any(_ignores(line, problem.rule) for line in around):
            kept.append(problem)
    return kept


def _ignores(line: str, rule: str) -> bool:
    m = _IGNORE_RE.search(line)
    if not m:
        return False
    named = {r.strip() for r in (m.group(1) or "").split(",") if r.strip()}
    return not named or rule in named


def _lines(root: Path, path: str) -> list[str]:
    try:
        return read_text_inside(root, path).splitlines()
    except (OSError, UserError):  # a file that cannot be read holds no suppression
        return []


def checked(root: Path, rules: list[str] | None = None, config: RepoConfig | None = None,
            baseline: Path | None = None) -> tuple[list[Problem], LineReader]:
    """The problems `check` reports: the rules' (check_repo) less those suppressed inline and
    those the baseline lists; and the reader of their lines (for SARIF's fingerprints)."""
    reader = LineReader(root)
    problems = unsuppressed(root, check_repo(root, rules, config=config), reader)
    if baseline is not None:
        problems = not_in_baseline(problems, baseline)
    return problems, reader


def failing(problems: list[Problem], fail_on: str) -> bool:
    """Whether a problem of severity `fail_on` (error, warning; never: none) or worse remains."""
    severities = {"error": ("error",), "warning": ("error", "warning"), "never": ()}[fail_on]
    return any(p.severity in severities for p in problems)


def not_in_baseline(problems: list[Problem], baseline: Path) -> list[Problem]:
    """The problems a saved `check --format json` output does not list (by rule, path and
    message); UserError when the file is missing or not such an output."""
    try:
        listed = json.loads(baseline.read_text(encoding="utf-8"))["problems"]
        known = {(p["rule"], p["path"], p["message"]) for p in listed}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"baseline {baseline}: not a `gitops-bot check --format json` output ({exc})") from exc
    return [p for p in problems if (p.rule, p.path, p.message) not in known]
