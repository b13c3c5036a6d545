"""Operation `list_companions`: settings elsewhere that exist only for the removed component.

Some components are paired with a setting that never names them: kubelet-csr-approver approves the
serving certificates that Talos' `rotate-server-certificates: true` makes every kubelet request
(onedr0p's cluster-template removed both in one commit). Removing the component alone leaves the
setting asking for certificates nobody signs; removing the setting changes how metrics-server
must talk to the kubelets. Neither is the bot's to decide, and nothing in the line lets a name
search find it, so the pairs are data (data/companions.yaml) and each setting found in scope is
listed for the reviewer with why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from ruamel.yaml import YAML

from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.domain.worktree import Literals
from gitops_bot.ops.state import RunState


@dataclass(frozen=True)
class Companion:
    """A setting (`key` set to `value`) that exists for one of `components`."""

    components: frozenset[str]
    key: str
    value: str
    reason: str

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Compiled once per setting (it is tested on every line of every candidate file):
        `key: value`, `key = value`, `key=value`, `--key=value`, `"key": value`, quoted or not."""
        key, value = re.escape(self.key), re.escape(self.value)
        return re.compile(rf"""(?:(?<=--)|(?<![\w.-]))["']?{key}["']?\s*(?::|=)\s*["']?{value}["']?(?![\w.-])""",
                          re.IGNORECASE)


@lru_cache(maxsize=None)
def catalogue() -> tuple[Companion, ...]:
    """Every setting of data/companions.yaml."""
    text = resources.files("gitops_bot.data").joinpath("companions.yaml").read_text("utf-8")
    return tuple(Companion(frozenset(entry["components"]), str(s["key"]), str(s["value"]),
                           " ".join(str(entry["reason"]).split()))
                 for entry in YAML(typ="safe").load(text) for s in entry["settings"])


def run(state: RunState, args: dict[str, str]) -> None:
    name = args["name"].lower()
    companions = [c for c in catalogue() if name in c.components]
    if not companions:
        return
    tree = state.tree
    for path in tree.grep(Literals(sorted({c.key for c in companions}))):
        text = tree.read(path) if state.in_scope(path) and not tree.is_deleted(path) else None
        lines = (text or "").splitlines()
        for number, line in enumerate(lines, start=1):
            for companion in companions:
                if companion.pattern.search(line):
                    why = f"{companion.key}: {companion.value} is for {args['name']}"
                    state.notes.append(Finding(path, number, line.strip(), f"kept: {why}: {companion.reason}",
                                               Kind.KEPT))
                    parent = _sole_parent(lines, number - 1)
                    if parent is not None:
                        state.notes.append(Finding(path, parent + 1, lines[parent].strip(),
                                                   f"kept: holds only {why} (line {number}): it goes with it",
                                                   Kind.KEPT))


_BARE_KEY_RE = re.compile(r"^\s*[\w.-]+:\s*(?:#.*)?$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _sole_parent(lines: list[str], n: int) -> int | None:
    """The YAML key line (`extraArgs:`) whose only entry is line n, or None: removing the setting
    removes that key too (cluster-template's human removed both)."""
    level = _indent(lines[n])
    above = n - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above < 0 or _indent(lines[above]) >= level or not _BARE_KEY_RE.match(lines[above]):
        return None
    below = n + 1
    while below < len(lines) and (not lines[below].strip() or _indent(lines[below]) > level):
        below += 1
    return above if below >= len(lines) or _indent(lines[below]) <= _indent(lines[above]) else None
