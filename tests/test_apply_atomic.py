"""`apply` is atomic and exclusive, proven on real processes: a `gitops-bot apply` killed with
SIGKILL at any step of its write leaves no temporary or truncated file, and the next run completes
(or rolls back) the change to exactly the golden tree, except that a file someone edited after the
kill is left exactly as they left it; a second apply on a locked tree refuses; a file changed after
the plan was computed stops the write with nothing written; SIGTERM during the replacements waits
until they are over.

The kill points come from the test-only hook GITOPS_BOT_TEST_KILL_AFTER_STEP (gitops_bot/engine/journal.py):
step 0 is "lock held", then one step per staged file, one for the journal commit, one per replaced
or deleted file, one for removing the journal. No timers: the process kills itself at that step
(GITOPS_BOT_TEST_PAUSE_AFTER_STEP makes it wait for a line on stdin there instead)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gitops_bot.engine.changeset import ChangeSet
from gitops_bot.cli import main
from gitops_bot.engine.run import run_recipe
from gitops_bot.errors import UserError
from gitops_bot.engine.journal import KILL_HOOK, PAUSE_AFTER_HOOK, PAUSE_HOOK
from gitops_bot.engine.recipe import find_recipe

from .conftest import EXAMPLE, GOLDEN, expected_tree, git, tree_bytes

CASE = GOLDEN / "remove-service" / "video-service"
BEFORE = tree_bytes(EXAMPLE)
AFTER = expected_tree(EXAMPLE, CASE)
MODIFIED = sorted(p for p in AFTER if p in BEFORE and AFTER[p] != BEFORE[p])
DELETED = sorted(set(BEFORE) - set(AFTER))
F, D = len(MODIFIED), len(DELETED)
assert not set(AFTER) - set(BEFORE)  # the recipe adds no file

# name -> step after which the apply kills itself
KILL_POINTS = {
    "lock-held": 0,
    "first-staged": 1,
    "all-staged": F,
    "journal-committed": F + 1,
    "first-replaced": F + 2,
    "middle": F + 1 + (F + D) // 2,
    "last-replaced": F + 1 + F,
    "first-deleted": F + 2 + F,
    "last-deleted": F + 1 + F + D,
    "journal-removed": F + F + D + 2,
}
STAGED = range(1, F + 1)  # steps at which staged files exist but no journal
COMMITTED = range(F + 1, F + F + D + 2)  # steps at which the journal is committed and not yet removed


def apply(repo: Path, *, hook: dict[str, str] | None = None, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in (KILL_HOOK, PAUSE_HOOK, PAUSE_AFTER_HOOK)}
    env.update(hook or {})
    return subprocess.run([sys.executable, "-m", "gitops_bot.cli", "apply", "remove-service",
                           "service=video-service", "--repo", str(repo)],
                          env=env, capture_output=True, text=True, **kwargs)


def files(root: Path) -> dict[str, bytes]:
    """The tree as a user sees it: every file except git's and gitops-bot's own folders."""
    return {p: data for p, data in tree_bytes(root).items()
            if not p.startswith((".git/", ".gitops-bot/")) and p != ".git"}


def assert_consistent(root: Path) -> None:
    """No temporary file anywhere, and every file whole: its before or its after bytes."""
    assert not [p for p in root.rglob("*") if p.name.endswith(".gitops-bot.tmp")]
    got = files(root)
    assert set(got) <= set(BEFORE)
    torn = [p for p, data in got.items() if data not in (BEFORE[p], AFTER.get(p))]
    assert not torn, f"files that are neither before nor after: {torn}"


def assert_golden(root: Path) -> None:
    got = files(root)
    assert sorted(got) == sorted(AFTER)
    assert [p for p in AFTER if got[p] != AFTER[p]] == []
    for path in MODIFIED:  # modes survive the replacement
        assert stat.S_IMODE((root / path).stat().st_mode) == stat.S_IMODE((EXAMPLE / path).stat().st_mode)


def assert_noop_rerun(root: Path, capsys) -> None:
    """Apply once more (in this process, to keep the suite quick): nothing changes."""
    snapshot = tree_bytes(root)
    capsys.readouterr()
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("remove-service: 0 files (no changes)") and err == ""
    assert tree_bytes(root) == snapshot


@pytest.mark.parametrize("point", KILL_POINTS)
def test_kill_9_in_the_write_window_then_the_next_apply_completes_it(monorepo, point, capsys):
    step = KILL_POINTS[point]
    killed = apply(monorepo, hook={KILL_HOOK: str(step)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_consistent(monorepo)
    staging = monorepo / ".gitops-bot" / "apply"
    assert (staging / "journal.json").exists() == (step in COMMITTED)
    if step <= F:
        assert files(monorepo) == BEFORE  # nothing in the tree changes before the journal is committed
    if step > F + F + D + 1:
        assert_golden(monorepo)
    done = max(0, step - (F + 1))  # replacements and deletions made before the kill
    got = files(monorepo)
    assert sum(got[p] == AFTER[p] for p in MODIFIED) == min(done, F)
    assert sum(p not in got for p in DELETED) == min(max(0, done - F), D)

    if step in COMMITTED:  # plan reports the half-applied change and writes nothing
        snapshot = tree_bytes(monorepo)
        assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 0
        err = capsys.readouterr().err
        assert err.startswith("gitops-bot: note: ") and "half-applied change" in err
        assert tree_bytes(monorepo) == snapshot

    second = apply(monorepo)
    assert second.returncode == 0, second.stderr
    assert ("completed an interrupted apply (remove-service service=video-service)" in second.stderr) == (
        step in COMMITTED)
    assert (f"discarded {step} staged files" in second.stderr) == (step in STAGED)
    assert_golden(monorepo)
    assert tree_bytes(monorepo) == AFTER  # the staging directory is gone too
    assert_noop_rerun(monorepo, capsys)


def test_kill_9_during_recovery_is_recovered_by_the_run_after(monorepo):
    first = apply(monorepo, hook={KILL_HOOK: str(KILL_POINTS["middle"])})
    assert first.returncode == -signal.SIGKILL
    # recovery's steps: 0 lock held, then one per journal entry; stop it in the part not yet done
    second = apply(monorepo, hook={KILL_HOOK: str(F - 2)})
    assert second.returncode == -signal.SIGKILL
    assert_consistent(monorepo)
    assert (monorepo / ".gitops-bot" / "apply" / "journal.json").exists()
    third = apply(monorepo)
    assert third.returncode == 0 and "completed an interrupted apply" in third.stderr
    assert tree_bytes(monorepo) == AFTER


def _commit(repo: Path) -> None:
    git(repo, "init", "--quiet", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "platform")


def _untracked_or_changed(repo: Path) -> set[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, check=True,
                         capture_output=True, text=True).stdout  # not conftest.git: it strips the first column
    return {line[3:] for line in out.splitlines()}


@pytest.mark.parametrize("point", ["all-staged", "middle"])
def test_in_a_git_checkout_staging_lives_in_the_git_dir(monorepo, point, capsys):
    _commit(monorepo)
    killed = apply(monorepo, hook={KILL_HOOK: str(KILL_POINTS[point])})
    assert killed.returncode == -signal.SIGKILL
    staging = monorepo / ".git" / "gitops-bot"
    assert (staging / "staged").is_dir() and not (monorepo / ".gitops-bot").exists()
    assert _untracked_or_changed(monorepo) <= set(MODIFIED) | set(DELETED)  # git sees no staging file
    assert_consistent(monorepo)
    assert apply(monorepo).returncode == 0
    assert_golden(monorepo)
    assert _untracked_or_changed(monorepo) == set(MODIFIED) | set(DELETED)
    assert not staging.exists()
    assert_noop_rerun(monorepo, capsys)


def test_in_a_linked_worktree_staging_lives_in_its_gitdir(monorepo, tmp_path):
    _commit(monorepo)
    linked = tmp_path / "linked"
    git(monorepo, "worktree", "add", "--quiet", str(linked))
    assert (linked / ".git").is_file()
    killed = apply(linked, hook={KILL_HOOK: str(KILL_POINTS["middle"])})
    assert killed.returncode == -signal.SIGKILL
    journal = json.loads((monorepo / ".git" / "worktrees" / "linked" / "gitops-bot" / "journal.json").read_text())
    assert journal["root"] == "." and journal["recipe"] == "remove-service"
    assert [e["path"] for e in journal["replace"]] == MODIFIED and sorted(e["path"] for e in journal["delete"]) == DELETED
    assert all(e["before"] == _sha(BEFORE[e["path"]]) and e["after"] == _sha(AFTER[e["path"]])
               for e in journal["replace"])
    assert all(e["before"] == _sha(BEFORE[e["path"]]) for e in journal["delete"])
    assert _untracked_or_changed(linked) <= set(MODIFIED) | set(DELETED)
    assert files(monorepo) == BEFORE  # the main checkout is not touched
    second = apply(linked)
    assert second.returncode == 0 and "completed an interrupted apply" in second.stderr
    assert_golden(linked)
    assert not (monorepo / ".git" / "worktrees" / "linked" / "gitops-bot").exists()


def _sha(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


EDIT = b"# a colleague's edit, made after the kill\n"


@pytest.mark.parametrize("point, path, edit, kept", [
    # a target still to be replaced, edited by hand: its planned content goes to conflicts/
    ("journal-committed", "k8s/helm/environments/dev.yaml", "append", "planned"),
    # a target still to be replaced, deleted by hand
    ("journal-committed", "k8s/helm/environments/dev.yaml", "delete", "planned"),
    # a target still to be deleted, edited by hand
    ("journal-committed", "k8s/argocd/apps/dev/video-service.yaml", "append", "deleted"),
    # a target replaced before the kill, edited by hand: its planned content is no longer staged
    ("middle", MODIFIED[0], "append", "gone"),
])
def test_a_file_edited_after_a_kill_is_left_as_it_is_and_the_rest_completed(monorepo, point, path, edit, kept,
                                                                              capsys):
    killed = apply(monorepo, hook={KILL_HOOK: str(KILL_POINTS[point])})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    staging = monorepo / ".gitops-bot" / "apply"
    assert (staging / "journal.json").exists()
    target = monorepo / path
    if edit == "append":
        target.write_bytes(target.read_bytes() + EDIT)
    else:
        target.unlink()
    by_hand = files(monorepo)

    second = apply(monorepo)
    assert second.returncode == 1 and second.stdout == "", second.stderr  # stops before running the recipe
    planned = staging / "conflicts" / path
    tail = {"planned": f"left as it is, its planned content is at {planned.resolve()}",
            "deleted": "left as it is (the plan deleted it)",
            "gone": "left as it is (its planned content is no longer staged)"}[kept]
    lines = second.stderr.splitlines()
    assert lines[0].startswith("gitops-bot: completed an interrupted apply (remove-service service=video-service): ")
    assert lines[0].endswith(", left 1 changed file as it is")
    assert lines[1] == f"gitops-bot: note: {path} changed since the interrupted apply; {tail}"
    assert lines[2].startswith("gitops-bot: error: this apply stops here: review the file named above")
    assert len(lines) == 3
    got = files(monorepo)
    if edit == "append":
        assert got[path] == by_hand[path]  # the hand edit survives byte for byte
    else:
        assert path not in got  # so does the hand deletion
    others = {p: data for p, data in got.items() if p != path}
    assert others == {p: data for p, data in AFTER.items() if p != path}  # everything else is completed
    assert not (staging / "journal.json").exists() and not list(staging.glob("staged/*"))
    assert tree_bytes(staging / "conflicts") == ({path: AFTER[path]} if kept == "planned" else {})

    third = apply(monorepo)  # reviewed: the next apply runs the recipe on the tree as it is now
    assert third.returncode == 0, third.stderr
    assert "completed an interrupted apply" not in third.stderr
    assert {p: data for p, data in files(monorepo).items() if p != path} == {
        p: data for p, data in AFTER.items() if p != path}
    if path == "k8s/helm/environments/dev.yaml" and edit == "append":
        assert files(monorepo)[path].endswith(EDIT)  # computed from the hand-edited file
    assert tree_bytes(staging / "conflicts") == ({path: AFTER[path]} if kept == "planned" else {})


@pytest.mark.parametrize("during", ["apply", "recovery"])
def test_sigterm_during_the_replacements_waits_until_they_are_over(monorepo, during):
    """Deterministic, no timers: the apply pauses (pause hook, signals held back) after its first
    replacement; SIGTERM is sent while it waits on its stdin; then it is let go. It must finish
    every replacement and remove the journal before SIGTERM ends it."""
    if during == "recovery":
        assert apply(monorepo, hook={KILL_HOOK: str(KILL_POINTS["journal-committed"])}).returncode == -signal.SIGKILL
        step = 1  # recovery: 0 lock held, then one per journal entry
    else:
        step = KILL_POINTS["first-replaced"]
    env = {k: v for k, v in os.environ.items() if k not in (KILL_HOOK, PAUSE_HOOK)}
    env[PAUSE_AFTER_HOOK] = str(step)

    def default_sigterm() -> None:  # whatever the test runner does with SIGTERM, the apply gets the default
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})

    proc = subprocess.Popen([sys.executable, "-m", "gitops_bot.cli", "apply", "remove-service",
                             "service=video-service", "--repo", str(monorepo)], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=default_sigterm)
    try:
        assert f"paused after step {step}" in proc.stderr.readline()  # blocks until it is paused there
        got = files(monorepo)
        assert sum(got.get(p) == AFTER[p] for p in MODIFIED) == 1  # mid-way: one file replaced
        os.kill(proc.pid, signal.SIGTERM)
    finally:
        out, err = proc.communicate("go\n")
    assert proc.returncode == -signal.SIGTERM, err  # SIGTERM did end it, once the replacements were over
    assert out == ""  # ... before it printed its summary
    assert files(monorepo) == AFTER
    assert not (monorepo / ".gitops-bot" / "apply" / "journal.json").exists()
    assert not list((monorepo / ".gitops-bot" / "apply").glob("staged/*"))
    again = apply(monorepo)
    assert again.returncode == 0 and again.stderr == "" and tree_bytes(monorepo) == AFTER


def _paused_apply(repo: Path) -> subprocess.Popen:
    """An apply that holds the lock and waits for a line on stdin (the test-only pause hook)."""
    env = {k: v for k, v in os.environ.items() if k not in (KILL_HOOK, PAUSE_AFTER_HOOK)}
    env[PAUSE_HOOK] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "gitops_bot.cli", "apply", "remove-service",
                             "service=video-service", "--repo", str(repo)], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert "holding the apply lock" in proc.stderr.readline()  # blocks until the lock is held
    return proc


def test_a_second_apply_refuses_while_the_first_holds_the_lock(monorepo, capsys):
    first = _paused_apply(monorepo)
    try:
        second = apply(monorepo)
        assert second.returncode == 2 and second.stdout == ""
        assert second.stderr == (f"gitops-bot: error: another gitops-bot apply is running on {monorepo.resolve()} "
                                 f"(pid {first.pid}); try again when it ends\n")
        assert files(monorepo) == BEFORE
        plan = subprocess.run([sys.executable, "-m", "gitops_bot.cli", "plan", "remove-service",
                               "service=video-service", "--repo", str(monorepo), "--exit-code"],
                              capture_output=True, text=True)
        assert plan.returncode == 1 and files(monorepo) == BEFORE  # plan neither locks nor writes
    finally:
        out, err = first.communicate("go\n")
    assert first.returncode == 0, err
    assert out.startswith(f"remove-service: {F + D} files ({D} deleted, {F} modified)")
    assert tree_bytes(monorepo) == AFTER
    assert_noop_rerun(monorepo, capsys)


def test_a_killed_lock_holder_leaves_no_stale_lock(monorepo):
    first = _paused_apply(monorepo)
    first.kill()
    first.communicate()
    assert first.returncode == -signal.SIGKILL
    assert files(monorepo) == BEFORE
    second = apply(monorepo)
    assert second.returncode == 0 and second.stderr == ""
    assert tree_bytes(monorepo) == AFTER


def _plan(repo: Path) -> ChangeSet:
    return run_recipe(repo, find_recipe("remove-service", repo), {"service": "video-service"})


@pytest.mark.parametrize("path, edit, message", [
    ("k8s/argocd/apps/dev/video-service.yaml", "change", "changed since the plan was computed"),
    ("k8s/helm/environments/dev.yaml", "change", "changed since the plan was computed"),
    ("k8s/helm/environments/dev.yaml", "delete", "was deleted since the plan was computed"),
])
def test_a_file_changed_after_the_plan_stops_the_write(monorepo, path, edit, message):
    changes = _plan(monorepo)
    assert path in {f.path for f in changes.files}
    if edit == "change":
        (monorepo / path).write_bytes((monorepo / path).read_bytes() + b"# a colleague's edit\n")
    else:
        (monorepo / path).unlink()
    snapshot = tree_bytes(monorepo)
    with pytest.raises(UserError) as raised:
        changes.write(monorepo)
    assert raised.value.message == f"{path} {message}; nothing written (run apply again)"
    assert tree_bytes(monorepo) == snapshot  # nothing written, no staging left behind


def test_leftover_temporary_files_of_older_versions_are_removed(monorepo):
    leftover = monorepo / "k8s" / "helm" / "environments" / "dev.yaml.gitops-bot.tmp"
    leftover.write_bytes(b"video-service:\n  repl")  # truncated, as the old writer left them
    done = apply(monorepo)
    assert done.returncode == 0
    assert "removed 1 leftover *.gitops-bot.tmp files" in done.stderr
    assert tree_bytes(monorepo) == AFTER
