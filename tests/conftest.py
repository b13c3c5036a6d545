"""Shared fixtures: the example monorepo, golden after-trees, and a byte-for-byte tree compare."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "monorepo"
GOLDEN = ROOT / "tests" / "golden"


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root (relative POSIX path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_tree(actual: Path, expected: Path) -> None:
    got, want = tree_bytes(actual), tree_bytes(expected)
    assert sorted(got) == sorted(want), (
        f"missing: {sorted(set(want) - set(got))}, unexpected: {sorted(set(got) - set(want))}")
    differing = [p for p in want if got[p] != want[p]]
    assert not differing, f"files differ from the golden tree: {differing}"


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A fresh copy of the example monorepo."""
    target = tmp_path / "monorepo"
    shutil.copytree(EXAMPLE, target)
    return target
