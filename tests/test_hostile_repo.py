"""`plan`, `apply`, `pr` and `action` on a repository full of hostile content: Makefiles that
evaluate `$(file)`, `$(shell)`, `load` and `override SHELL`; shell with `$(...)` in strings; YAML
tags that construct objects; symbolic links out of the tree; git hooks.

Python's audit hooks see every file the process opens, every folder it lists and every program
it starts (with that program's environment), so the test can assert what no marker file could:
that nothing outside the repository was read, and that no token reached any subprocess."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from gitops_bot.cli import main

from .conftest import SLUG, git

TOKEN = "ghs_h0stileT0kenValue0123456789"
_recording: list[tuple[str, tuple]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _recording is not None and event in ("open", "os.scandir", "os.listdir", "subprocess.Popen", "os.exec",
                                            "os.posix_spawn"):
        _recording.append((event, args))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one records only inside `audited`


class Audit:
    """What the process did while recording: paths it opened or listed, programs it started."""

    def __init__(self, events: list[tuple[str, tuple]]) -> None:
        self.events = events

    def touched_paths(self) -> list[str]:
        found = []
        for event, args in self.events:
            if event in ("open", "os.scandir", "os.listdir") and args and isinstance(args[0], (str, bytes, Path)):
                found.append(os.path.realpath(os.fsdecode(args[0])))
        return found

    def programs(self) -> list[tuple[str, list[str], dict]]:
        """(executable, argv, environment) of every program started; an inherited environment
        is the process's own."""
        found = []
        for event, args in self.events:
            if event == "subprocess.Popen":
                executable, argv, _cwd, env = args
                argv = [os.fsdecode(a) for a in ([argv] if isinstance(argv, (str, bytes)) else argv)]
                found.append((os.fsdecode(executable or argv[0]), argv, dict(os.environ if env is None else env)))
            elif event in ("os.exec", "os.posix_spawn"):
                found.append((os.fsdecode(args[0]), [os.fsdecode(a) for a in args[1]], dict(args[2] or os.environ)))
        return found


@pytest.fixture
def audited():
    def run(*argv: str) -> tuple[int, Audit]:
        global _recording
        _recording = []
        try:
            code = main(list(argv))
        finally:
            events, _recording = _recording, None
        return code, Audit(events)
    return run


HOOKS = ("post-checkout", "pre-commit", "post-commit", "pre-push", "reference-transaction", "post-index-change",
         "pre-auto-gc", "post-rewrite")


def make_hostile(clone: Path, outside: Path) -> None:
    """Commit hostile content to the clone (and push it to origin), and arm the clone's hooks."""
    makefile = clone / "Makefile"
    makefile.write_text(
        f"$(file >{outside}/make-file,$(GITHUB_TOKEN))\n"
        f"override SHELL := /bin/sh -c 'touch {outside}/make-shell' ; /bin/sh\n"
        f"STAMP := $(shell touch {outside}/make-shellfn)\n"
        f"-load {outside}/evil.so\n"
        f"-include {outside}/generated.mk\n"
        + makefile.read_text(encoding="utf-8"), encoding="utf-8")
    script = clone / "k8s" / "argocd" / "scripts" / "hostile.sh"
    script.write_text("#!/bin/bash\nAPPS=(auth-service video-service)\n"
                      f'echo "$(touch {outside}/sh-subst)" `touch {outside}/sh-backtick`\n'
                      'for a in auth-service video-service; do echo "$a"; done\n')
    (clone / "k8s" / "tags.yaml").write_text(
        f'boom: !!python/object/apply:os.system ["touch {outside}/yaml-tag"]\nvideo-service: 1\nkeep: 2\n')
    (clone / "k8s" / "helm" / "environments" / "linked.yaml").symlink_to(outside / "secret.yaml")
    (clone / "k8s" / "linked-dir").symlink_to(outside / "dir")
    (clone / "docs" / "linked.md").symlink_to(outside / "secret.md")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "hostile content")
    git(clone, "push", "--quiet", "origin", "main")
    for hook in HOOKS:
        path = clone / ".git" / "hooks" / hook
        path.write_text(f"#!/bin/sh\ntouch {outside}/hook-{hook}\n")
        path.chmod(0o755)


@pytest.fixture
def hostile(repos, tmp_path, github, monkeypatch):
    origin, clone = repos
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.yaml").write_text("video-service:\n  config:\n    PASSWORD: hunter2\n")
    (outside / "secret.md").write_text("- **video-service**: secret\n")
    (outside / "dir" / "app.yaml").write_text("services:\n  - video-service\n  - auth-service\n")
    make_hostile(clone, outside)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("BASH_ENV", str(outside / "startup.sh"))
    monkeypatch.setenv("ENV", str(outside / "startup.sh"))
    (outside / "startup.sh").write_text(f"touch {outside}/bash-env\n")
    github.permissions[(SLUG, "Codertocat")] = "write"
    github.attach_git(SLUG, origin)  # the Action commits through the git data API by default
    return clone, outside, sorted(p.name for p in outside.rglob("*"))


def assert_contained(audit: Audit, outside: Path, before: list[str]) -> None:
    assert sorted(p.name for p in outside.rglob("*")) == before, "a file was created outside the repository"
    leaked = [p for p in audit.touched_paths() if p == str(outside) or p.startswith(str(outside) + os.sep)]
    assert leaked == [], f"read outside the repository: {leaked}"
    programs = audit.programs()
    assert programs, "the audit saw no program at all: it would prove nothing"
    for executable, argv, env in programs:
        assert os.path.basename(executable) != "make" and argv[0] != "make", f"make ran: {argv}"
        assert not any(TOKEN in value for value in env.values()), f"the token reached {argv}"
        assert not env.get("BASH_ENV") and not env.get("ENV"), f"a startup file reached {argv}"


def test_plan_and_apply(hostile, audited, tmp_path, capsys):
    clone, outside, before = hostile
    code, audit = audited("plan", "remove-service", "service=video-service", "--repo", str(clone))
    assert code == 1  # k8s/tags.yaml (a python tag) is refused, never constructed: a human finishes it
    out = capsys.readouterr().out
    assert "+APPS=(auth-service)" in out and "-video-service: 1" not in out  # edited, verified, never run
    assert_contained(audit, outside, before)
    copy = tmp_path / "copy"
    shutil.copytree(clone, copy, symlinks=True)
    code, audit = audited("apply", "remove-service", "service=video-service", "--repo", str(copy))
    assert code == 1
    capsys.readouterr()
    assert_contained(audit, outside, before)
    assert (copy / "k8s" / "helm" / "environments" / "linked.yaml").is_symlink()
    assert "video-service" in (outside / "secret.yaml").read_text()


def test_pr(hostile, audited, github, capsys):
    clone, outside, before = hostile
    code, audit = audited("pr", "remove-service", "service=video-service", "--repo", str(clone))
    assert code == 0, capsys.readouterr()
    assert capsys.readouterr().out.startswith("opened: ")
    assert_contained(audit, outside, before)
    assert any("git" in os.path.basename(e) for e, _, _ in audit.programs())


def test_action_comment_commands(hostile, audited, github, tmp_path, monkeypatch, capsys):
    from .test_action import comment

    clone, outside, before = hostile
    monkeypatch.setenv("GITHUB_WORKSPACE", str(clone))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issue_comment")
    for body in ("/gitops-bot plan remove-service video-service", "/gitops-bot remove-service video-service"):
        event = tmp_path / "event.json"
        event.write_text(json.dumps(comment(body)))
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        code, audit = audited("action")
        assert code == 0, capsys.readouterr()
        assert_contained(audit, outside, before)
    capsys.readouterr()
    assert any(c["body"].startswith("@Codertocat opened: ") for c in github.comments)
