"""Compare two corpus runs case by case: `score.py --json` files, before and after a change.

    python bench/corpus/compare.py BEFORE.json AFTER.json [--kind remove-service] [--bot gitops]

Prints a Markdown table of every case of that kind (lines matched of the human's, files deleted
right / by the bot, over-reach, damage, invalid files, dangling lines, mentions left, second-run
changes, exit code) as `before -> after`, the totals, and the cases that got worse in any column
that must never get worse (matched lines down; over-reach, damage, invalid, dangling or imported up).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# (column, field, better when): fields of score.py's Score
COLUMNS = (("lines", "matched_lines", "higher"), ("files right", "deleted_both", "higher"),
           ("files by bot", "bot_deleted", None), ("over", "extra_target", "lower"), ("conf", "over_confirmed", None),
           ("damage", "damage", "lower"),
           ("invalid", "invalid", "lower"), ("dangling", "dangling", "lower"),
           ("imported", "imported", "lower"), ("mentions", "mentions_bot", "lower"))


def load(path: Path, bot: str, kind: str | None) -> dict[str, dict]:
    scores = json.loads(path.read_text())
    return {s["case"]: s for s in scores if s["bot"] == bot and (kind is None or s["kind"] == kind)}


def value(score: dict, field: str) -> int:
    v = score.get(field)
    return len(v) if isinstance(v, list) else int(v or 0)


def cell(before: dict | None, after: dict, field: str) -> str:
    new = value(after, field)
    if before is None:
        return str(new)
    old = value(before, field)
    return str(new) if old == new else f"{old} -> {new}"


def worse(before: dict, after: dict) -> list[str]:
    """The columns in which `after` is worse than `before`."""
    out = []
    for label, field, better in COLUMNS:
        old, new = value(before, field), value(after, field)
        if (better == "higher" and new < old) or (better == "lower" and new > old):
            out.append(f"{label} {old} -> {new}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--kind", default="remove-service", help="case kind (default remove-service; 'all' for every)")
    parser.add_argument("--bot", default="gitops")
    args = parser.parse_args()
    kind = None if args.kind == "all" else args.kind
    old, new = load(args.before, args.bot, kind), load(args.after, args.bot, kind)
    head = "| case | human lines | " + " | ".join(c[0] for c in COLUMNS) + " | 2nd run | exit |"
    rows = [head, "|---|" + "---:|" * (len(COLUMNS) + 3)]
    for case, after in sorted(new.items()):
        before = old.get(case)
        second = after.get("second_run")
        rows.append(f"| {case} | {after['human_lines']} | " + " | ".join(cell(before, after, f) for _, f, _ in COLUMNS)
                    + f" | {'' if second is None else len(second)} | {cell(before, after, 'exit_code')} |")
    both = [case for case in new if case in old]  # totals compare the same cases
    totals = [f"{label} {sum(value(old[c], f) for c in both)} -> {sum(value(new[c], f) for c in both)}"
              for label, f, _ in COLUMNS]
    human = sum(new[c]["human_lines"] for c in both)
    print("\n".join(rows))
    print(f"\nTotals over the {len(both)} cases of both runs ({human} human lines): " + "; ".join(totals))
    regressions = {case: worse(old[case], s) for case, s in new.items() if case in old and worse(old[case], s)}
    print("\nWorse than before: " + ("none" if not regressions else
                                     "; ".join(f"{c} ({', '.join(w)})" for c, w in sorted(regressions.items()))))


if __name__ == "__main__":
    main()
