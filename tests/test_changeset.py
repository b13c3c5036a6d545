"""Writing a ChangeSet: bytes, line endings and file modes survive; deletions clean up; git sees
exactly the change the plan showed; finishing a journal never overwrites a change made since."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess

import pytest

from gitops_bot.engine.changeset import ChangeSet, FileChange
from gitops_bot.cli import main
from gitops_bot.errors import UserError
from gitops_bot.engine import journal
from gitops_bot.engine.journal import apply_lock, locate

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
    _journal(tree, replace=[("k8s/a.yaml", b"a: 1\n", b"a: 2\n"), ("out/x", None, b"evil\n")])
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


def _sha(data: bytes | None) -> str:
    return "absent" if data is None else f"sha256:{hashlib.sha256(data).hexdigest()}"


def _journal(tree, replace=(), delete=(), format="gitops-bot-apply-journal/2"):
    """Leave what a killed apply leaves: staged files and a committed journal. replace: (path,
    before bytes or None for a new file, after bytes); delete: (path, before bytes)."""
    staging = tree / ".gitops-bot" / "apply"
    (staging / "staged").mkdir(parents=True)
    entries = []
    for i, (path, before, after) in enumerate(replace):
        (staging / "staged" / f"{i:04d}").write_bytes(after)
        entries.append({"staged": f"{i:04d}", "path": path, "before": _sha(before), "after": _sha(after)})
    (staging / "journal.json").write_text(json.dumps({
        "format": format, "pid": 1, "recipe": "r", "params": {"k": "v"}, "root": ".", "replace": entries,
        "delete": [{"path": path, "before": _sha(before)} for path, before in delete]}))
    return staging


def test_recovery_completes_what_is_pending_and_keeps_every_change_made_since(tmp_path, capsys):
    tree = tmp_path
    for path, data in {"same.txt": b"old", "done.txt": b"new done", "edited.txt": b"a colleague's",
                       "del.txt": b"bye", "del-edited.txt": b"kept by a colleague", "dir/keep.txt": b"k",
                       "made.txt": b"a colleague made it"}.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_bytes(data)
    (tree / "link.txt").symlink_to("same.txt")  # was a file holding "old"; now a link
    staging = _journal(tree, replace=[
        ("same.txt", b"old", b"new"),                     # untouched since: replaced
        ("done.txt", b"old done", b"new done"),           # already in place: skipped
        ("edited.txt", b"old", b"new edited"),            # edited since: kept
        ("removed.txt", b"old", b"new removed"),          # deleted by hand since: stays deleted
        ("link.txt", b"old", b"new link"),                # became a link: kept, not followed
        ("made.txt", None, b"planned new file"),          # to be created, but someone created it: kept
        ("sub/fresh.txt", None, b"fresh"),                # to be created: created
    ], delete=[("del.txt", b"bye"), ("del-edited.txt", b"bye too"), ("del-done.txt", b"gone")])
    (staging / "staged" / "0001").unlink()  # done.txt was moved before the kill
    with pytest.raises(UserError) as raised:
        with apply_lock(tree):
            pytest.fail("the run must stop after recovery when it kept changed files")
    assert raised.value.exit_code == 1
    assert raised.value.message.startswith("this apply stops here: review the 5 files named above, which changed "
                                           "since the interrupted apply (r k=v), then run apply again (delete ")
    conflicts = (staging / "conflicts").resolve()
    assert capsys.readouterr().err.splitlines() == [
        "gitops-bot: completed an interrupted apply (r k=v): moved 2 of 7 staged files into place now, "
        "made 1 of 3 deletions now, left 5 changed files as they are",
        f"gitops-bot: note: edited.txt changed since the interrupted apply; left as it is, its planned content is "
        f"at {conflicts / 'edited.txt'}",
        f"gitops-bot: note: removed.txt changed since the interrupted apply; left as it is, its planned content is "
        f"at {conflicts / 'removed.txt'}",
        f"gitops-bot: note: link.txt changed since the interrupted apply; left as it is, its planned content is "
        f"at {conflicts / 'link.txt'}",
        f"gitops-bot: note: made.txt changed since the interrupted apply; left as it is, its planned content is "
        f"at {conflicts / 'made.txt'}",
        "gitops-bot: note: del-edited.txt changed since the interrupted apply; left as it is (the plan deleted it)",
    ]
    assert os.readlink(tree / "link.txt") == "same.txt"
    assert tree_bytes(tree) == {
        "same.txt": b"new", "done.txt": b"new done", "edited.txt": b"a colleague's", "link.txt": b"new",
        "made.txt": b"a colleague made it", "sub/fresh.txt": b"fresh", "del-edited.txt": b"kept by a colleague",
        "dir/keep.txt": b"k",
        ".gitops-bot/apply/conflicts/edited.txt": b"new edited",
        ".gitops-bot/apply/conflicts/removed.txt": b"new removed",
        ".gitops-bot/apply/conflicts/link.txt": b"new link",
        ".gitops-bot/apply/conflicts/made.txt": b"planned new file",
    }  # no journal, no staged file, no lock
    with apply_lock(tree):  # the next run has nothing to recover and goes ahead
        pass
    assert capsys.readouterr().err == ""
    assert sorted(p for p in tree_bytes(tree) if p.startswith(".gitops-bot/")) == [
        ".gitops-bot/apply/conflicts/edited.txt", ".gitops-bot/apply/conflicts/link.txt",
        ".gitops-bot/apply/conflicts/made.txt", ".gitops-bot/apply/conflicts/removed.txt"]


def test_recovery_interrupted_after_keeping_a_planned_content_still_names_it(tmp_path, capsys):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "a.yaml").write_bytes(b"edited")
    staging = _journal(tmp_path, replace=[("k8s/a.yaml", b"old", b"new")])
    (staging / "conflicts" / "k8s").mkdir(parents=True)
    (staging / "staged" / "0000").rename(staging / "conflicts" / "k8s" / "a.yaml")  # killed right after the move
    with pytest.raises(UserError, match="review the file named above"):
        with apply_lock(tmp_path):
            pass
    err = capsys.readouterr().err
    assert (f"gitops-bot: note: k8s/a.yaml changed since the interrupted apply; left as it is, its planned "
            f"content is at {(staging / 'conflicts' / 'k8s' / 'a.yaml').resolve()}\n") in err
    assert (tmp_path / "k8s" / "a.yaml").read_bytes() == b"edited"


def test_a_conflicts_folder_that_is_a_link_is_not_written_through(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_bytes(b"edited")
    staging = _journal(tree, replace=[("a.txt", b"old", b"new")])
    (staging / "conflicts").symlink_to(outside)
    with pytest.raises(UserError, match="conflicts is not a plain folder; cannot keep the planned content of a.txt"):
        with apply_lock(tree):
            pass
    assert not any(outside.iterdir()) and (tree / "a.txt").read_bytes() == b"edited"
    assert (staging / "journal.json").exists()  # still pending: fix the folder and run again


def test_a_staged_file_that_does_not_hold_the_journals_content_is_refused(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old")
    (tmp_path / "b.txt").write_bytes(b"old b")
    staging = _journal(tmp_path, replace=[("a.txt", b"old", b"new"), ("b.txt", b"old b", b"new b")])
    (staging / "staged" / "0001").write_bytes(b"tampered")
    with pytest.raises(UserError, match="0001 does not hold the content .* records for b.txt; nothing written"):
        with apply_lock(tmp_path):
            pass
    assert (tmp_path / "a.txt").read_bytes() == b"old" and (tmp_path / "b.txt").read_bytes() == b"old b"


def test_a_journal_without_hashes_is_refused(tmp_path):
    """Format 1 (no hashes) cannot tell a file edited since from one still to be written."""
    (tmp_path / "a.txt").write_bytes(b"edited since")
    staging = _journal(tmp_path, replace=[("a.txt", b"old", b"new")], format="gitops-bot-apply-journal/1")
    with pytest.raises(UserError, match="written by an older gitops-bot and records no content hashes"):
        with apply_lock(tmp_path):
            pass
    assert (tmp_path / "a.txt").read_bytes() == b"edited since" and (staging / "journal.json").exists()


def test_a_file_edited_between_the_check_and_its_replacement_is_kept(tmp_path, monkeypatch, capsys):
    """The same comparison protects a normal apply: a file edited after the journal was committed
    (right after step 3 here: lock, two staged files, commit) is left as it is."""
    for name, data in {"a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n"}.items():
        (tmp_path / name).write_text(data)
    step = journal._step

    def edit_after_the_commit() -> None:
        if journal._steps == 3:
            (tmp_path / "b.txt").write_text("b, edited meanwhile\n")
            (tmp_path / "c.txt").write_text("c, edited meanwhile\n")
        step()

    monkeypatch.setattr(journal, "_step", edit_after_the_commit)
    changes = ChangeSet("r", {}, [FileChange("a.txt", "modified", "a\n", "A\n"),
                                  FileChange("b.txt", "modified", "b\n", "B\n"),
                                  FileChange("c.txt", "deleted", "c\n", None)])
    with pytest.raises(UserError) as raised:
        changes.write(tmp_path)
    assert raised.value.exit_code == 1
    assert raised.value.message.startswith("the 2 files named above changed while this apply was writing")
    planned = (tmp_path / ".gitops-bot" / "apply" / "conflicts" / "b.txt").resolve()
    assert capsys.readouterr().err.splitlines() == [
        f"gitops-bot: note: b.txt changed while this apply was writing; left as it is, its planned content is at "
        f"{planned}",
        "gitops-bot: note: c.txt changed while this apply was writing; left as it is (the plan deleted it)"]
    assert tree_bytes(tmp_path) == {"a.txt": b"A\n", "b.txt": b"b, edited meanwhile\n",
                                    "c.txt": b"c, edited meanwhile\n", ".gitops-bot/apply/conflicts/b.txt": b"B\n"}


def test_deleted_folders_are_the_highest_folders_whose_every_file_goes(tmp_path):
    """What the review diff shows as one line per folder: `svc/video/` (every file of it goes, its
    sub-folder too), never `svc/` (another service stays) nor an empty folder; `.git` is not a file
    of the tree, a link is."""
    from gitops_bot.engine.changeset import deleted_folders

    for path in ("svc/video/main.go", "svc/video/api/v1.proto", "svc/auth/main.go", "docs/video/a.md",
                 "docs/video/b.md", "docs/index.md", "charts/video/.git/HEAD", "charts/video/Chart.yaml"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x\n")
    (tmp_path / "links" / "video").mkdir(parents=True)
    (tmp_path / "links" / "video" / "values.yaml").symlink_to(tmp_path / "docs" / "index.md")
    (tmp_path / "empty" / "video").mkdir(parents=True)
    deleted = {"svc/video/main.go", "svc/video/api/v1.proto", "docs/video/a.md", "charts/video/Chart.yaml",
               "links/video/values.yaml"}
    assert deleted_folders(tmp_path, deleted) == ["charts", "links", "svc/video"]  # docs/video/b.md stays
    assert deleted_folders(tmp_path, deleted | {"docs/video/b.md"}) == ["charts", "links", "docs/video", "svc/video"]
    assert deleted_folders(tmp_path, deleted - {"svc/video/main.go"}) == ["charts", "links", "svc/video/api"]
