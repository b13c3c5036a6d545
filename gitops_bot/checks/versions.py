"""Version rules:

- `floating-version` (warning): references that change without a commit (floating.py), images
  aside (the `unpinned-image` rule, checks/unpinned.py);
- `version-drift` (warning): one catalogue tool written with different versions in different
  places (the version matrix teams keep by hand); each occurrence off the most common version, with
  a fix that never moves to a version past end of support;
- `end-of-support` (warning): a tool version past the end of support in data/support.yaml.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from importlib import resources

from gitops_bot.checks.model import FLOATING_FILES, Problem, RepoIndex, Rule, fix_command, tool_key
from gitops_bot.domain.floating import find_floating
from gitops_bot.domain.versions import Occurrence, scan
from gitops_bot.edit import classify


def _floating(index: RepoIndex) -> list[Problem]:
    problems = []
    for path, text, kind in _files(index, FLOATING_FILES):
        for f in find_floating(path, text, kind):
            if f.kind == "image":
                continue  # the unpinned-image rule reports images, with their pinned form
            problems.append(FLOATING.problem(path, f.line,
                                             f"floating {f.kind} ({f.subject}): it can change without a commit",
                                             fix_command("apply", "pin-versions")))
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


def _support_table() -> dict:
    """data/support.yaml: tool -> {minor: end-of-support date}, and `updated`."""
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(resources.files("gitops_bot.data").joinpath("support.yaml").read_text("utf-8"))


def _past_support(table: dict, tool: str, version: str, today: datetime.date) -> datetime.date | None:
    """The end-of-support date of `version`'s minor when it has passed, else None."""
    eol = (table.get(tool) or {}).get(".".join(version.lstrip("v").split("+")[0].split(".")[:2]))
    return eol if isinstance(eol, datetime.date) and eol < today else None


def _suggestion(table: dict, tool: str, counts: Counter, today: datetime.date) -> str:
    """The version a drift fix moves to: the most common one, unless the support table says it is
    past end of support: then the newest supported version the repository already writes, or none."""
    for version, _ in counts.most_common():
        if not _past_support(table, tool, version, today):
            break
    else:
        return ""
    common = counts.most_common(1)[0][0]
    if not _past_support(table, tool, common, today):
        return common
    supported = [v for v in counts if not _past_support(table, tool, v, today)]
    return max(supported, key=_version_key)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) if n.isdigit() else 0 for n in re.split(r"[.+-]", version.lstrip("v")))


def _no_supported_version(table: dict, tool: str, today: datetime.date) -> str:
    """The hint when no version the repository writes is supported: which release line to move
    to, in words (a command would need a version the support table does not give)."""
    windows = table.get(tool) or {}
    current = sorted((minor for minor, eol in windows.items()
                      if not (isinstance(eol, datetime.date) and eol < today)), key=_version_key)
    since = f" ({current[0]} or newer)" if current else ""
    return (f"no {tool} version written here is supported: choose a supported release{since} and move every "
            f"place to it with the set-version recipe (tool={tool} version=X.Y.Z)")


def drift(index: RepoIndex, today: datetime.date | None = None) -> list[Problem]:
    """`version-drift`: each occurrence off the most common version of its tool. The fix never
    suggests a version past end of support (data/support.yaml)."""
    table, today = _support_table(), today or datetime.date.today()
    problems = []
    for tool, occurrences in _occurrences(index).items():
        full = [o for o in occurrences if not o.minor_only]
        counts = Counter(o.canonical() for o in full)  # v1.27.1-k3s1 (a tag) is v1.27.1+k3s1
        if not counts:
            continue
        common = counts.most_common(1)[0][0]
        minor = ".".join(common.split(".")[:2])
        seen = ", ".join(f"{v} ({n})" for v, n in counts.most_common())
        target = _suggestion(table, tool, counts, today)
        fix = (fix_command("apply", "set-version", tool=tool, version=target) if target else
               _no_supported_version(table, tool, today))
        for o in occurrences:
            expected = minor if o.minor_only else common
            if (o.version.lstrip("v") if o.minor_only else o.canonical()) != expected:
                problems.append(DRIFT.problem(
                    o.path, o.line,
                    f"{tool} is {o.version} here ({o.form}) but {expected} in most places; versions: {seen}", fix))
    return problems


def end_of_support(index: RepoIndex, today: datetime.date | None = None) -> list[Problem]:
    table = _support_table()
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
                supported = [v for v in {o.canonical() for o in occurrences if not o.minor_only}
                             if not _past_support(table, tool, v, today)]
                fix = (fix_command("plan", "set-version", tool=tool, version=max(supported, key=_version_key))
                       if supported else _no_supported_version(table, tool, today))
                problems.append(END_OF_SUPPORT.problem(
                    first.path, first.line,
                    f"{tool} {minor} reached end of support on {eol.isoformat()}; it is written in "
                    f"{len(places)} place(s) (support table updated {table['updated']})", fix))
    return problems


FLOATING = Rule("floating-version", "warning",
                "A reference that can change without a commit (latest, no tag, a branch)", _floating,
                "A download URL of releases/latest, an Action on a branch or an unpinned chart revision resolves "
                "to something new whenever upstream moves: builds stop being reproducible and changes arrive "
                "unreviewed.",
                "Pin the references: `gitops-bot apply pin-versions` writes the current release in their place.")
DRIFT = Rule("version-drift", "warning", "One tool with different versions in different places", drift,
             "One tool (a catalogue entry: Istio, Go, Terraform, ...) is written with different versions in "
             "different files: the version matrix teams keep by hand has drifted, and environments or CI "
             "no longer run what the others run.",
             "Move every place to one version: `gitops-bot apply set-version tool=TOOL version=X.Y.Z` (the "
             "finding gives the most common version that is still supported).")
END_OF_SUPPORT = Rule("end-of-support", "warning", "A tool version past its end of support", end_of_support,
                      "The version written here is past the end of support its project announced (the support "
                      "table in gitops-bot's data): it gets no more security fixes.",
                      "Move to a supported release: `gitops-bot plan set-version tool=TOOL version=latest-stable` "
                      "shows the change (`apply` writes it).")
