"""Unified diffs that read like a human's: patience alignment plus a slider heuristic.

difflib's matcher aligns repeated lines (`port: 8080`, `enabled: true`) greedily and splits one
removed block into odd pieces. Patience diff anchors on lines that occur once in both texts, and
a removed block that could slide over identical neighbours is placed where it starts at the
shallowest indentation, which is where a person sees the entry begin.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from typing import Sequence

Opcode = tuple[str, int, int, int, int]


def unified_diff(a: Sequence[str], b: Sequence[str], fromfile: str, tofile: str, n: int = 3) -> str:
    """A unified diff of two lists of lines (each with its line ending)."""
    ops = _slide(a, b, opcodes(a, b))
    out: list[str] = []
    for group in _groups(ops, n):
        if not out:
            out += [f"--- {fromfile}\n", f"+++ {tofile}\n"]
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + _eol(x) for x in a[a1:a2]]
                continue
            out += ["-" + _eol(x) for x in a[a1:a2]]
            out += ["+" + _eol(x) for x in b[b1:b2]]
    return "".join(out)


def _eol(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """difflib-style opcodes from a patience alignment."""
    matches = _patience(a, 0, len(a), b, 0, len(b))
    ops: list[Opcode] = []
    i = j = 0
    for mi, mj in matches + [(len(a), len(b))]:
        if i < mi or j < mj:
            tag = "replace" if i < mi and j < mj else "delete" if i < mi else "insert"
            ops.append((tag, i, mi, j, mj))
        if mi < len(a):
            ops.append(("equal", mi, mi + 1, mj, mj + 1))
        i, j = mi + 1, mj + 1
    return _join_equal(ops)


def _patience(a, alo, ahi, b, blo, bhi) -> list[tuple[int, int]]:
    """Matching line pairs of a[alo:ahi] and b[blo:bhi]."""
    # Common prefix and suffix first.
    head = []
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        head.append((alo, blo))
        alo, blo = alo + 1, blo + 1
    tail = []
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
        tail.append((ahi, bhi))
    tail.reverse()
    if alo == ahi or blo == bhi:
        return head + tail
    anchors = _unique_lcs(a, alo, ahi, b, blo, bhi)
    middle: list[tuple[int, int]] = []
    if not anchors:
        sm = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
        for block in sm.get_matching_blocks():
            middle += [(alo + block.a + k, blo + block.b + k) for k in range(block.size)]
        return head + middle + tail
    pi, pj = alo, blo
    for ai, bj in anchors + [(ahi, bhi)]:
        middle += _patience(a, pi, ai, b, pj, bj)
        if ai < ahi:
            middle.append((ai, bj))
        pi, pj = ai + 1, bj + 1
    return head + middle + tail


def _unique_lcs(a, alo, ahi, b, blo, bhi) -> list[tuple[int, int]]:
    """Longest increasing run of lines that occur exactly once in each range."""
    count_a: dict[str, list[int]] = {}
    for i in range(alo, ahi):
        count_a.setdefault(a[i], []).append(i)
    count_b: dict[str, list[int]] = {}
    for j in range(blo, bhi):
        count_b.setdefault(b[j], []).append(j)
    pairs = sorted((ia[0], count_b[line][0]) for line, ia in count_a.items()
                   if len(ia) == 1 and len(count_b.get(line, ())) == 1)
    # Patience sorting on the b indices gives the longest increasing subsequence.
    tops: list[int] = []
    back: list[int | None] = []
    top_index: list[int] = []
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tops, j)
        if pos == len(tops):
            tops.append(j)
            top_index.append(k)
        else:
            tops[pos] = j
            top_index[pos] = k
        back.append(top_index[pos - 1] if pos else None)
    result = []
    k = top_index[-1] if top_index else None
    while k is not None:
        result.append(pairs[k])
        k = back[k]
    return result[::-1]


def _join_equal(ops: list[Opcode]) -> list[Opcode]:
    joined: list[Opcode] = []
    for op in ops:
        if joined and joined[-1][0] == op[0] == "equal":
            t, a1, _, b1, _ = joined[-1]
            joined[-1] = (t, a1, op[2], b1, op[4])
        else:
            joined.append(op)
    return joined


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) if line.strip() else 10_000


def _slide(a: Sequence[str], b: Sequence[str], ops: list[Opcode]) -> list[Opcode]:
    """Move each pure deletion or insertion to the equivalent position whose first line is the
    least indented (ties: the latest position, which keeps a block's trailing blank line)."""
    out = list(ops)
    for k, (tag, a1, a2, b1, b2) in enumerate(out):
        if tag not in ("delete", "insert") or k == 0 or k == len(out) - 1:
            continue
        prev, nxt = out[k - 1], out[k + 1]
        if prev[0] != "equal" or nxt[0] != "equal":
            continue
        seq, lo, hi = (a, a1, a2) if tag == "delete" else (b, b1, b2)
        up = 0
        while lo - up - 1 >= (prev[1] if tag == "delete" else prev[3]) and seq[lo - up - 1] == seq[hi - up - 1]:
            up += 1
        down = 0
        limit = nxt[2] if tag == "delete" else nxt[4]
        while hi + down < limit and seq[lo + down] == seq[hi + down]:
            down += 1
        if not up and not down:
            continue
        best = min(range(-up, down + 1), key=lambda s: (_indent(seq[lo + s]), -s))
        if best:
            d = best
            out[k - 1] = (prev[0], prev[1], prev[2] + d, prev[3], prev[4] + d)
            out[k] = (tag, a1 + d, a2 + d, b1 + d, b2 + d)
            out[k + 1] = (nxt[0], nxt[1] + d, nxt[2], nxt[3] + d, nxt[4])
    return [op for op in out if op[1] != op[2] or op[3] != op[4]]


def _groups(ops: list[Opcode], n: int) -> list[list[Opcode]]:
    """Hunks: each change with up to n lines of context; changes closer than 2n lines share one."""
    changes = [op for op in ops if op[0] != "equal"]
    if not changes:
        return []
    groups: list[list[Opcode]] = []
    current: list[Opcode] = []
    for k, op in enumerate(ops):
        tag, a1, a2, b1, b2 = op
        if tag != "equal":
            current.append(op)
            continue
        first, last = k == 0, k == len(ops) - 1
        size = a2 - a1
        if first:
            current.append(("equal", max(a1, a2 - n), a2, max(b1, b2 - n), b2))
        elif last:
            current.append(("equal", a1, min(a2, a1 + n), b1, min(b2, b1 + n)))
        elif size > 2 * n:
            current.append(("equal", a1, a1 + n, b1, b1 + n))
            groups.append(current)
            current = [("equal", a2 - n, a2, b2 - n, b2)]
        else:
            current.append(op)
    groups.append(current)
    return [[op for op in g if op[1] != op[2] or op[3] != op[4]] for g in groups
            if any(op[0] != "equal" for op in g)]
