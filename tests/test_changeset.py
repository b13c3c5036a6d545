"""Writing a ChangeSet: bytes, line endings and file modes survive; deletions clean up; git sees
exactly the change the plan showed."""

from __future__ import annotations

import json
import os
import stat
import subprocess

from gitops_bot.changeset import ChangeSet, FileChange
from gitops_bot.cli import main


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
