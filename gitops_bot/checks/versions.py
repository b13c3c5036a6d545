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

from ..edit import classify
from ..floating import FLOATING_MARK, find_floating
from ..versions import Occurrence, scan
from .model import Problem, RepoIndex


def floating(index: RepoIndex) -> list[Problem]:
    tree = index.tree
    problems = []
    for path in tree.grep(FLOATING_MARK):
        text = tree.read(path)
        if text is None:
            continue
        for f in find_floating(path, text, classify(path, text)):
            problems.append(Problem("floating-version", "warning", path, f.line,
                                    f"floating {f.kind} ({f.subject}): it can change without a commit",
                                    "gitops-bot apply pin-versions"))
    return problems


def _occurrences(index: RepoIndex) -> dict[str, list[Occurrence]]:
    """Every catalogue tool's occurrences, scanned once per check run (two rules read them)."""
    if index.cache.get("occurrences") is None:
        tree = index.tree
        found: dict[str, list[Occurrence]] = {}
        for name, tool in index.catalogue.items():
            for path in tree.grep(tool.anchors()):
                text = tree.read(path)
                if text is not None:
                    found.setdefault(name, []).extend(scan(path, text, classify(path, text), tool))
        index.cache["occurrences"] = found
    return index.cache["occurrences"]


def drift(index: RepoIndex) -> list[Problem]:
    problems = []
    for tool, occurrences in _occurrences(index).items():
        full = [o for o in occurrences if not o.minor_only]
        counts = Counter(o.version.lstrip("v") for o in full)
        if not counts:
            continue
        common = counts.most_common(1)[0][0]
        minor = ".".join(common.split(".")[:2])
        seen = ", ".join(f"{v} ({n})" for v, n in counts.most_common())
        for o in occurrences:
            expected = minor if o.minor_only else common
            if o.version.lstrip("v") != expected:
                problems.append(Problem(
                    "version-drift", "warning", o.path, o.line,
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
                problems.append(Problem(
                    "end-of-support", "warning", first.path, first.line,
                    f"{tool} {minor} reached end of support on {eol.isoformat()}; it is written in "
                    f"{len(places)} place(s) (support table updated {table['updated']})",
                    f"gitops-bot plan set-version tool={tool} version=<a supported release>"))
    return problems
