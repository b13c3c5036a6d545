"""Version rules:

- `floating-version` (warning): references that change without a commit (floating.py);
- `version-drift` (warning): one catalogue tool written with different versions in different
  places (the version matrix teams keep by hand); each occurrence off the most common version;
- `end-of-support` (warning): a tool version past the end of support in data/support.yaml.
"""

from __future__ import annotations

import datetime
from collections import Counter
from importlib import resources

from gitops_bot.checks.model import FLOATING_FILES, Problem, RepoIndex, Rule, tool_key
from gitops_bot.domain.floating import find_floating
from gitops_bot.domain.versions import Occurrence, scan
from gitops_bot.edit import classify


def _floating(index: RepoIndex) -> list[Problem]:
    problems = []
    for path, text, kind in _files(index, FLOATING_FILES):
        for f in find_floating(path, text, kind):
            problems.append(FLOATING.problem(path, f.line,
                                             f"floating {f.kind} ({f.subject}): it can change without a commit",
                                             "gitops-bot apply pin-versions"))
    return problems


def _occurrences(index: RepoIndex) -> dict[str, list[Occurrence]]:
    """Every catalogue tool's occurrences, scanned once per check run (two rules read them)."""
    if index.cache.get("occurrences") is None:
        found: dict[str, list[Occurrence]] = {}
        for name, tool in index.catalogue.items():
            for path, text, kind in _files(index, tool_key(name)):
                found.setdefault(name, []).extend(scan(path, text, kind, tool))
        index.cache["occurrences"] = found
    return index.cache["occurrences"]


def _files(index: RepoIndex, key: tuple[str, str]) -> list[tuple[str, str, str]]:
    """(path, text, kind) of the text files among index.candidates(key): the three version
    rules share the index's one pass over the tree, and a file's kind is decided once."""
    kinds: dict[str, str] = index.cache.setdefault("kinds", {})
    files = []
    for path in index.candidates(key):
        text = index.tree.read(path)
        if text is None:
            continue
        if path not in kinds:
            kinds[path] = classify(path, text)
        files.append((path, text, kinds[path]))
    return files


def _drift(index: RepoIndex) -> list[Problem]:
    problems = []
    for tool, occurrences in _occurrences(index).items():
        full = [o for o in occurrences if not o.minor_only]
        counts = Counter(o.canonical() for o in full)  # v1.27.1-k3s1 (a tag) is v1.27.1+k3s1
        if not counts:
            continue
        common = counts.most_common(1)[0][0]
        minor = ".".join(common.split(".")[:2])
        seen = ", ".join(f"{v} ({n})" for v, n in counts.most_common())
        for o in occurrences:
            expected = minor if o.minor_only else common
            if (o.version.lstrip("v") if o.minor_only else o.canonical()) != expected:
                problems.append(DRIFT.problem(
                    o.path, o.line,
                    f"{tool} is {o.version} here ({o.form}) but {expected} in most places; versions: {seen}",
                    f"gitops-bot apply set-version tool={tool} version={common}"))
    return problems


def end_of_support(index: RepoIndex, today: datetime.date | None = None) -> list[Problem]:
    from ruamel.yaml import YAML

    table = YAML(typ="safe").load(resources.files("gitops_bot.data").joinpath("support.yaml").read_text("utf-8"))
    today = today or datetime.date.today()
    problems = []
    for tool, occurrences in _occurrences(index).items():
        windows = table.get(tool) or {}
        by_minor: dict[str, list[Occurrence]] = {}
        for o in occurrences:
            by_minor.setdefault(".".join(o.version.lstrip("v").split(".")[:2]), []).append(o)
        for minor, places in sorted(by_minor.items()):
            eol = windows.get(minor)
            if isinstance(eol, datetime.date) and eol < today:
                first = places[0]
                problems.append(END_OF_SUPPORT.problem(
                    first.path, first.line,
                    f"{tool} {minor} reached end of support on {eol.isoformat()}; it is written in "
                    f"{len(places)} place(s) (support table updated {table['updated']})",
                    f"gitops-bot plan set-version tool={tool} version=<a supported release>"))
    return problems


FLOATING = Rule("floating-version", "warning",
                "A reference that can change without a commit (latest, no tag, a branch)", _floating)
DRIFT = Rule("version-drift", "warning", "One tool with different versions in different places", _drift)
END_OF_SUPPORT = Rule("end-of-support", "warning", "A tool version past its end of support", end_of_support)
