"""The text `plan` prints, pinned: the summary line, the refused edits, validation and residue
first; a deleted folder as one line; a modified file's diff. A change of layout shows up here as
a diff a reviewer can read (regenerate the snapshot only for a change meant to be seen)."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import ROOT, write_tree

SNAPSHOT = ROOT / "tests" / "data" / "snapshots" / "plan_remove_service.txt"

TREE = {
    "services/video-service/main.go": "package main\n\n" + "// line\n" * 28,
    "services/video-service/go.mod": "module example.com/video\n\ngo 1.24\n",
    "services/auth-service/main.go": "package main\n",
    "go.work": "go 1.24\n\nuse (\n\t./services/auth-service\n\t./services/video-service\n)\n",
    "docker-compose.yml": ("services:\n  auth-service:\n    image: auth:1.0\n  video-service:\n"
                           "    image: video:1.0\n    depends_on:\n      - auth-service\n"),
    "scripts/deploy.sh": "#!/bin/bash\nset -e\nfor s in auth-service video-service; do\n  echo \"$s\"\ndone\n",
    "docs/runbook.md": "# Runbook\n\nWhen video-service is down, page the media team.\n",
}


def test_the_plan_text_snapshot(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    write_tree(tmp_path, TREE)
    assert main(["plan", "remove-service", "video-service", "--repo", str(tmp_path)]) == 0
    out = capsys.readouterr().out.replace(str(tmp_path), "<repo>")
    assert out == SNAPSHOT.read_text(encoding="utf-8")
