"""Every golden case (tests/golden/<recipe>/<case>/, described by its case.json) checked the same
way, discovered from the folders: `plan` writes nothing and names exactly the files the golden
tree changes; `apply` reproduces the golden after-tree byte for byte with the case's exit code;
a second `apply` changes nothing."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.cli import main

from .conftest import GOLDEN, ROOT, assert_same_tree, expected_tree, tree_bytes
from .fakes.releases import FakeReleases

CASES = sorted(p.parent for p in GOLDEN.glob("*/*/case.json"))


def test_every_golden_folder_is_a_case():
    folders = sorted(p for p in GOLDEN.glob("*/*") if p.is_dir())
    assert folders == CASES and len(CASES) >= 12


@pytest.fixture(params=CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def case(request, tmp_path, monkeypatch):
    """(spec, golden folder, a copy of the before-tree, the command's arguments but the verb)."""
    golden = request.param
    spec = json.loads((golden / "case.json").read_text())
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / spec["before"], repo)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    args = [golden.parent.name, *(f"{k}={v}" for k, v in spec["params"].items()), "--repo", str(repo)]
    if spec.get("releases"):
        with FakeReleases(spec["releases"]) as fake:
            monkeypatch.setenv("GITHUB_TOKEN", "test-token")
            monkeypatch.setenv("GITHUB_API_URL", fake.url)
            yield spec, golden, repo, args
    else:
        yield spec, golden, repo, args


def test_golden_case(case, capsys):
    spec, golden, repo, args = case
    before = ROOT / spec["before"]
    assert main(["plan", *args, "--format", "json"]) == (1 if spec["exit"] == 1 else 0)
    planned = {f["path"] for f in json.loads(capsys.readouterr().out)["files"]}
    assert tree_bytes(repo) == tree_bytes(before)  # plan wrote nothing
    after = expected_tree(before, golden)
    original = tree_bytes(before)
    assert planned == {p for p in set(original) | set(after) if original.get(p) != after.get(p)}

    assert main(["apply", *args]) == spec["exit"]
    assert_same_tree(repo, before, golden)
    capsys.readouterr()
    assert main(["apply", *args]) == spec["exit"]
    assert tree_bytes(repo) == after  # the second run changed nothing
