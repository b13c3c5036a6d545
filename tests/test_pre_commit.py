"""The pre-commit hooks (.pre-commit-hooks.yaml): the manifest is valid for pre-commit, and the
hook runs through `pre-commit try-repo` as a user's config would run it: it fails on a
repository with problems, naming them, and passes on one without. The run uses the hook that
calls the installed gitops-bot (`language: system`): the `language: python` one is the same
entry in an environment pre-commit builds from PyPI, which a test may not download."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLE, ROOT, git, write_tree

MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def pre_commit(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
           f"{os.environ.get('PATH', '')}", "PRE_COMMIT_COLOR": "never", "SKIP": ""}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def hooks_repo(tmp_path: Path) -> Path:
    """A git repository that holds only the hook manifest, as pre-commit clones hook repos."""
    repo = tmp_path / "hooks"
    repo.mkdir()
    shutil.copy(MANIFEST, repo / ".pre-commit-hooks.yaml")
    git(repo, "init", "--quiet", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "hooks")
    return repo


def checked_repo(path: Path) -> Path:
    git(path, "init", "--quiet", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "--quiet", "-m", "platform")
    return path


def test_the_manifest_is_valid(tmp_path):
    result = pre_commit(ROOT, "validate-manifest", str(MANIFEST), home=tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hook_fails_on_problems_and_names_them(tmp_path):
    repo = tmp_path / "platform"
    shutil.copytree(EXAMPLE, repo)
    checked_repo(repo)
    result = pre_commit(repo, "try-repo", str(hooks_repo(tmp_path)), "gitops-bot-check-system", "--all-files",
                        home=tmp_path / "home")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout and "ignored-service-values" in result.stdout


def test_the_hook_passes_on_a_clean_repository(tmp_path):
    repo = checked_repo(write_tree(tmp_path / "clean", {"README.md": "# nothing to check\n"}))
    result = pre_commit(repo, "try-repo", str(hooks_repo(tmp_path)), "gitops-bot-check-system", "--all-files",
                        home=tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
