"""`gitops-bot components`: the inventory of components the repository's structure declares
(ops/inventory.py), as text or JSON; reads the tree once and writes nothing."""

from __future__ import annotations

import argparse
import json
import sys

from gitops_bot.commands.common import repo_dir


def add_parser(sub) -> None:
    p = sub.add_parser("components", help="list the components the repository declares, with the evidence")
    p.add_argument("--repo", default=".", help="repository root (default: current directory)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="json: with a format_version")
    p.add_argument("--json", action="store_true", help="the same as --format json")


def run(args: argparse.Namespace) -> int:
    from gitops_bot.domain.worktree import Worktree
    from gitops_bot import FORMAT_VERSION
    from gitops_bot.ops.inventory import inventory

    components = inventory(Worktree(repo_dir(args.repo)))
    if args.json or args.format == "json":
        payload = {"format_version": FORMAT_VERSION, "components": [c.to_json() for c in components]}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return 0
    out = []
    for component in components:
        out.append(component.name)
        for e in component.evidence:
            out.append(f"  {e.kind:<24} {e.source}" + (f" ({e.detail})" if e.detail else ""))
        if component.paths:
            out.append(f"  {'own paths':<24} " + ", ".join(component.paths))
    out.append(f"{len(components)} component{'s' if len(components) != 1 else ''}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0
