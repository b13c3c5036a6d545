"""Writing a ChangeSet: bytes, line endings and file modes survive; deletions clean up; git sees
exactly the change the plan showed."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from gitops_bot.changeset import ChangeSet, FileChange
from gitops_bot.cli import main
from gitops_bot.errors import UserError
from gitops_bot.journal import apply_lock, locate

from .conftest import tree_bytes


def test_write_keeps_mode_and_removes_emptied_directories(tmp_path):
    script = tmp_path / "bin" / "run.sh"
    script.parent.mkdir()
    script.write_bytes(b"#!/bin/sh\r\necho a\r\necho b")
    script.chmod(0o755)
    gone = tmp_path / "svc" / "deep" / "x.txt"
    gone.parent.mkdir(parents=True)
    gone.write_text("x")
    changes = ChangeSet("r", {}, [
        FileChange("bin/run.sh", "modified", "#!/bin/sh\r\necho a\r\necho b", "#!/bin/sh\r\necho b"),
        FileChange("svc/deep/x.txt", "deleted", "x", None),
    ])
    changes.write(tmp_path)
    assert script.read_bytes() == b"#!/bin/sh\r\necho b"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert not (tmp_path / "svc").exists()
    assert not list(tmp_path.rglob("*.gitops-bot.tmp"))
    assert sorted(tree_bytes(tmp_path)) == ["bin/run.sh"]  # no staging directory, no lock left


def test_write_creates_new_parent_directories_and_deletes_binary_files(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\0\1\2")
    changes = ChangeSet("r", {}, [
        FileChange("blob.bin", "deleted", None, None),
        FileChange("new/deep/x.yaml", "added", None, "a: 1\r\nb: \u00e9\r\n"),
    ])
    changes.write(tmp_path)
    assert tree_bytes(tmp_path) == {"new/deep/x.yaml": "a: 1\r\nb: \u00e9\r\n".encode()}


def test_write_keeps_the_repositorys_own_gitops_bot_folder(tmp_path):
    recipe = tmp_path / ".gitops-bot" / "recipes" / "mine.yaml"
    recipe.parent.mkdir(parents=True)
    recipe.write_text("name: mine\n")
    (tmp_path / "a.txt").write_text("old\n")
    ChangeSet("r", {}, [FileChange("a.txt", "modified", "old\n", "new\n")]).write(tmp_path)
    assert tree_bytes(tmp_path) == {".gitops-bot/recipes/mine.yaml": b"name: mine\n", "a.txt": b"new\n"}


@pytest.mark.parametrize("change, message", [
    (FileChange("a.txt", "added", None, "x"), "a.txt was created since the plan was computed"),
    (FileChange("b.txt", "modified", "planned\n", "x"), "b.txt changed since the plan was computed"),
    (FileChange("gone.txt", "deleted", "x", None), "gone.txt was deleted since the plan was computed"),
])
def test_write_refuses_when_the_tree_moved_on_and_writes_nothing(tmp_path, change, message):
    (tmp_path / "a.txt").write_text("someone else's\n")
    (tmp_path / "b.txt").write_text("edited meanwhile\n")
    (tmp_path / "c.txt").write_text("c\n")
    before = tree_bytes(tmp_path)
    changes = ChangeSet("r", {}, [FileChange("c.txt", "modified", "c\n", "C\n"), change])
    with pytest.raises(UserError, match=message):
        changes.write(tmp_path)
    assert tree_bytes(tmp_path) == before  # c.txt untouched too; no staging left


def test_write_refuses_paths_outside_the_tree(tmp_path):
    (tmp_path / "tree").mkdir()
    with pytest.raises(ValueError, match="leaves the tree"):
        ChangeSet("r", {}, [FileChange("../escape.txt", "added", None, "x")]).write(tmp_path / "tree")
    assert not (tmp_path / "escape.txt").exists() and not any((tmp_path / "tree").iterdir())


def test_write_refuses_a_folder_that_became_a_link_out_of_the_tree(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    (outside / "k8s").mkdir(parents=True)
    (outside / "k8s" / "a.yaml").write_text("a: 1\n")
    tree.mkdir()
    (tree / "k8s").symlink_to(outside / "k8s")
    with pytest.raises(UserError, match="k8s/a.yaml is behind a symbolic link that leaves the tree"):
        ChangeSet("r", {}, [FileChange("k8s/a.yaml", "modified", "a: 1\n", "a: 2\n")]).write(tree)
    assert (outside / "k8s" / "a.yaml").read_text() == "a: 1\n"


def test_a_linked_staging_folder_is_refused(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (tree / "a.txt").write_text("a")
    (tree / ".gitops-bot").symlink_to(outside)
    with pytest.raises(UserError, match="is a symbolic link; refusing to stage files through it"):
        ChangeSet("r", {}, [FileChange("a.txt", "modified", "a", "b")]).write(tree)
    assert (tree / "a.txt").read_text() == "a" and not any(outside.iterdir())


def test_a_journal_that_leads_out_of_the_tree_is_not_followed(tmp_path):
    """A hidden staging folder is part of the tree (a tarball may ship one): recovery checks
    every path of a journal before it moves anything."""
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    (tree / "k8s").mkdir(parents=True)
    outside.mkdir()
    (tree / "k8s" / "a.yaml").write_text("a: 1\n")
    (tree / "out").symlink_to(outside)
    staged = tree / ".gitops-bot" / "apply" / "staged"
    staged.mkdir(parents=True)
    (staged / "0000").write_text("a: 2\n")
    (staged / "0001").write_text("evil\n")
    (staged.parent / "journal.json").write_text(json.dumps({
        "format": "gitops-bot-apply-journal/1", "pid": 1, "recipe": "r", "params": {}, "root": ".",
        "replace": [{"staged": "0000", "path": "k8s/a.yaml"}, {"staged": "0001", "path": "out/x"}],
        "delete": []}))
    with pytest.raises(UserError, match="names out/x, which leads out of the tree"):
        ChangeSet("r", {}, [FileChange("k8s/a.yaml", "modified", "a: 1\n", "a: 3\n")]).write(tree)
    assert (tree / "k8s" / "a.yaml").read_text() == "a: 1\n" and not any(outside.iterdir())


def test_staging_is_in_the_gitdir_or_hidden_at_the_root(tmp_path):
    plain = tmp_path / "plain"
    (plain / "sub").mkdir(parents=True)
    assert locate(plain).dir == plain / ".gitops-bot" / "apply"
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "k8s").mkdir()
    assert locate(checkout).dir == checkout / ".git" / "gitops-bot"
    sub = locate(checkout / "k8s")  # a subfolder of a checkout shares the checkout's lock
    assert (sub.dir, sub.anchor) == (checkout / ".git" / "gitops-bot", checkout)
    linked = tmp_path / "linked"
    linked.mkdir()
    (checkout / ".git" / "worktrees" / "linked").mkdir(parents=True)
    (linked / ".git").write_text("gitdir: ../checkout/.git/worktrees/linked\n")
    assert locate(linked).dir == checkout / ".git" / "worktrees" / "linked" / "gitops-bot"
    assert not (checkout / ".git" / "gitops-bot").exists() and not (plain / ".gitops-bot").exists()


def test_the_lock_is_reentrant_in_one_process(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    with apply_lock(tmp_path) as staging:
        assert staging.lock.exists()
        ChangeSet("r", {}, [FileChange("a.txt", "modified", "a", "b")]).write(tmp_path)
        assert staging.lock.exists()
    assert tree_bytes(tmp_path) == {"a.txt": b"b"}


def test_diff_marks_missing_final_newline():
    diff = FileChange("a", "modified", "x\ny", "y").diff()
    assert diff == "--- a/a\n+++ b/a\n@@ -1,2 +1 @@\n-x\n y\n\\ No newline at end of file\n"


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def test_git_sees_exactly_the_planned_change(monorepo, capsys):
    _git(monorepo, "init", "-q")
    _git(monorepo, "add", "-A")
    _git(monorepo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo), "--format", "json"])
    planned = json.loads(capsys.readouterr().out)["files"]
    main(["apply", "remove-service", "service=video-service", "--repo", str(monorepo)])
    status = _git(monorepo, "status", "--porcelain").splitlines()
    assert {line[3:] for line in status} == {f["path"] for f in planned}
    numstat = {line.split("\t")[2]: (int(line.split()[0]), int(line.split()[1]))
               for line in _git(monorepo, "diff", "--numstat").splitlines()}
    ours = {f["path"]: _counts(f["diff"]) for f in planned}
    assert numstat == ours
    assert os.access(monorepo / "k8s" / "argocd" / "scripts" / "status.sh", os.X_OK)


def _counts(diff: str) -> tuple[int, int]:
    body = diff.splitlines()[2:]
    return sum(1 for x in body if x.startswith("+")), sum(1 for x in body if x.startswith("-"))
