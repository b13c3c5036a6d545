"""Shared fixtures: the example monorepo, golden after-trees (stored as the files a recipe
changes plus the paths it deletes), a byte-for-byte tree compare, real git repositories with a
bare origin, and the fake GitHub."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from .fakes.github import FakeGitHub

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "monorepo"
GOLDEN = ROOT / "tests" / "golden"
SLUG = "acme/platform"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """No test touches the network: resolving any host but the loopback fails (a lookup that
    would reach a real registry or API fails loudly instead)."""
    resolve = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK and name is not None:
            raise socket.gaierror(socket.EAI_NONAME, f"network disabled in tests ({name})")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    # A developer's own token or API must not turn on lookups a test did not ask for (set-version
    # github= checks moved paths whenever a token is set): tests that want lookups set both.
    for name in ("GITHUB_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> UTF-8 text) under `root`, creating folders; returns root."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root (relative POSIX path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def set_version(repo: Path, *params: str, command: str = "apply") -> int:
    """`gitops-bot COMMAND set-version PARAMS --repo REPO`: its exit code."""
    from gitops_bot.cli import main

    return main([command, "set-version", *params, "--repo", str(repo)])


def set_version_plan(repo: Path, capsys, *params: str) -> tuple[int, dict]:
    """The exit code and the JSON report of `plan set-version PARAMS` (earlier output dropped)."""
    capsys.readouterr()
    code = set_version(repo, *params, "--format", "json", command="plan")
    return code, json.loads(capsys.readouterr().out)


def expected_tree(before: Path, golden: Path) -> dict[str, bytes]:
    """A reviewed after-tree: the before-tree without the paths in golden/deleted.txt, with the
    files under golden/files/ (each changed file, whole) in place."""
    tree = tree_bytes(before)
    for path in (golden / "deleted.txt").read_text().splitlines():
        del tree[path]  # a stale entry fails loudly
    tree.update(tree_bytes(golden / "files") if (golden / "files").is_dir() else {})
    return tree


def materialize(before: Path, golden: Path, target: Path) -> Path:
    """Write the expected after-tree to `target` (for tests that start from it)."""
    for path, data in expected_tree(before, golden).items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_bytes(data)
    return target


def assert_same_tree(actual: Path, before: Path, golden: Path) -> None:
    """`actual` equals the golden after-tree byte for byte, file for file."""
    got, want = tree_bytes(actual), expected_tree(before, golden)
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


def git(cwd, *args, author="Alice <alice@example.com>"):
    name, email = author[:-1].split(" <")
    env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def push_as_human(workspace, origin, branch: str, name: str, text: str, message: str, clone: str = "other") -> None:
    """Alice clones `branch` of `origin` into `workspace/clone`, writes a file and pushes it: a
    human's commit on the bot's branch."""
    other = workspace / clone
    git(workspace, "clone", "--quiet", "-b", branch, str(origin), str(other))
    (other / name).write_text(text)
    git(other, "add", "-A")
    git(other, "commit", "--quiet", "-m", message)
    git(other, "push", "--quiet", "origin", branch)


@pytest.fixture
def github(monkeypatch):
    fake = FakeGitHub().start()
    fake.add_repo(SLUG)
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", SLUG)
    yield fake
    fake.stop()
    assert fake.violations == []


@pytest.fixture
def repos(tmp_path):
    """(origin bare repository, the maintainer's clone) holding the example monorepo."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    shutil.copytree(EXAMPLE, seed)
    git(seed, "init", "--quiet", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "platform")
    git(seed, "push", "--quiet", str(origin), "main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    return origin, clone
