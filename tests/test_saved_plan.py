"""`plan --out F` saves the plan; `apply F` applies exactly it, and refuses with one line (exit 2)
when any file it touches changed since: the golden remove-service tree, byte for byte, and small
trees of our own for each way a file can change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitops_bot import FORMAT_VERSION
from gitops_bot.cli import main
from gitops_bot.engine import saved_plan
from gitops_bot.engine.changeset import ChangeSet, FileChange

from .conftest import EXAMPLE, GOLDEN, assert_same_tree, tree_bytes, write_tree

CASE = GOLDEN / "remove-service" / "video-service"


def plan_out(repo: Path, out: Path, capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["plan", "remove-service", "video-service", "--repo", str(repo), "--out", str(out), *extra])
    return code, capsys.readouterr().out


def apply_saved(repo: Path, plan: Path, capsys, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["apply", str(plan), "--repo", str(repo), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_saved_plan_applies_to_the_golden_tree(monorepo, tmp_path, capsys):
    plan = tmp_path / "plan.json"
    code, shown = plan_out(monorepo, plan, capsys)
    capsys.readouterr()
    main(["plan", "remove-service", "video-service", "--repo", str(monorepo)])
    assert code == 0 and shown == capsys.readouterr().out  # --out shows the same plan
    assert tree_bytes(monorepo) == tree_bytes(EXAMPLE)  # and writes nothing to the tree
    doc = json.loads(plan.read_text())
    assert (doc["format_version"], doc["saved_plan"], doc["recipe"], doc["params"]) == (
        FORMAT_VERSION, "gitops-bot", "remove-service", {"service": "video-service"})
    assert doc["base"]["files"] == len(doc["files"]) and doc["base"]["fingerprint"].startswith("sha256:")
    go_work = next(f for f in doc["files"] if f["path"] == "go.work")
    assert go_work["status"] == "modified" and go_work["before"].startswith("sha256:")
    assert "video-service" not in go_work["after"] and go_work["diff"].startswith("--- a/go.work")
    code, out, err = apply_saved(monorepo, plan, capsys)
    assert (code, err) == (0, "") and out.startswith("remove-service: ")
    assert_same_tree(monorepo, EXAMPLE, CASE)
    # Applied once: the second time the tree is not the one the plan was made on.
    code, _, err = apply_saved(monorepo, plan, capsys)
    assert code == 2 and err.count("\n") == 1 and "changed since the plan in" in err
    assert_same_tree(monorepo, EXAMPLE, CASE)


def test_a_file_changed_since_the_plan_stops_the_apply(monorepo, tmp_path, capsys):
    plan = tmp_path / "plan.json"
    plan_out(monorepo, plan, capsys)
    (monorepo / "go.work").write_text((monorepo / "go.work").read_text() + "// edited\n")
    before = tree_bytes(monorepo)
    code, out, err = apply_saved(monorepo, plan, capsys)
    assert code == 2 and out == ""
    assert err == (f"gitops-bot: error: go.work changed since the plan in {plan} was made; nothing written "
                   "(run plan --out again)\n")
    assert tree_bytes(monorepo) == before


def test_apply_of_a_saved_plan_in_json(monorepo, tmp_path, capsys):
    plan = tmp_path / "plan.json"
    plan_out(monorepo, plan, capsys)
    code, out, _ = apply_saved(monorepo, plan, capsys, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["format_version"] == FORMAT_VERSION and doc["recipe"] == "remove-service"
    assert {f["path"] for f in doc["files"]} == {f["path"] for f in json.loads(plan.read_text())["files"]}


# -- every way a touched file can differ, on a tree of our own ------------------------------------
@pytest.fixture
def small(tmp_path):
    """A tree and a saved plan that modifies, deletes and adds one file each."""
    root = write_tree(tmp_path / "tree", {"a.yaml": "a: 1\nb: 2\n", "old/x.txt": "x\n"})
    changes = ChangeSet("demo", {"k": "v"}, files=[
        FileChange("a.yaml", "modified", "a: 1\nb: 2\n", "a: 1\n", "yaml"),
        FileChange("old/x.txt", "deleted", "x\n", None, "source"),
        FileChange("new/y.txt", "added", None, "y\n", "source")])
    plan = tmp_path / "plan.json"
    saved_plan.save(changes, root, plan)
    return root, plan


def test_the_small_plan_applies(small, capsys):
    root, plan = small
    assert apply_saved(root, plan, capsys)[0] == 0
    assert tree_bytes(root) == {"a.yaml": b"a: 1\n", "new/y.txt": b"y\n"}


@pytest.mark.parametrize("change, named", [
    (lambda root: (root / "a.yaml").write_text("a: 1\nb: 3\n"), "a.yaml"),  # modified
    (lambda root: (root / "a.yaml").unlink(), "a.yaml"),  # deleted
    (lambda root: (root / "old" / "x.txt").write_bytes(b"x\r\n"), "old/x.txt"),  # line endings only
    (lambda root: (root / "old" / "x.txt").unlink(), "old/x.txt"),  # the plan deletes it
    (lambda root: write_tree(root, {"new/y.txt": "y\n"}), "new/y.txt"),  # created since, even the same
    (lambda root: (root / "a.yaml").unlink() or (root / "a.yaml").symlink_to("old/x.txt"), "a.yaml"),
])
def test_any_touched_file_that_differs_is_named(small, capsys, change, named):
    root, plan = small
    change(root)
    before = tree_bytes(root)
    code, _, err = apply_saved(root, plan, capsys)
    assert code == 2 and err.startswith(f"gitops-bot: error: {named} changed since the plan in ")
    assert tree_bytes(root) == before


def test_a_file_the_plan_does_not_touch_may_change(small, capsys):
    root, plan = small
    write_tree(root, {"README.md": "new\n"})
    assert apply_saved(root, plan, capsys)[0] == 0


@pytest.mark.parametrize("edit, message", [
    (lambda doc: {"files": []}, "not a saved plan (`gitops-bot plan --out FILE` writes one)"),
    (lambda doc: dict(doc, format_version=99), "a saved plan of format_version 99; this gitops-bot reads 1"),
    (lambda doc: dict(doc, files=[dict(doc["files"][0], path="../outside")]), "files are malformed"),
    (lambda doc: dict(doc, files=[dict(doc["files"][0], path="/etc/passwd")]), "files are malformed"),
    (lambda doc: dict(doc, files=[dict(doc["files"][1], after="x")]), "files are malformed"),  # deleted
    (lambda doc: dict(doc, validation=[{"nope": 1}]), "report is malformed"),
])
def test_a_malformed_plan_is_one_line(small, capsys, edit, message):
    root, plan = small
    plan.write_text(json.dumps(edit(json.loads(plan.read_text()))))
    before = tree_bytes(root)
    code, _, err = apply_saved(root, plan, capsys)
    assert code == 2 and err.count("\n") == 1 and message in err
    assert tree_bytes(root) == before


def test_not_json_and_parameters_are_refused(small, capsys):
    root, plan = small
    assert apply_saved(root, plan, capsys, "k=v")[2].endswith("a saved plan takes no parameters (it holds them)\n")
    plan.write_text("{")
    assert "not a saved plan" in apply_saved(root, plan, capsys)[2]


def test_out_into_a_missing_folder_is_one_line(monorepo, tmp_path, capsys):
    code = main(["plan", "remove-service", "video-service", "--repo", str(monorepo),
                 "--out", str(tmp_path / "missing" / "plan.json")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot write the plan: No such file or directory" in err
