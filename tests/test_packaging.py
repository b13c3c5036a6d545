"""The package as users get it: the wheel is built offline (the test venv's setuptools, no build
isolation), holds the same package data as the source tree, and is installed into a fresh venv
that sees only its own runtime dependencies (not the `github` extra: PyGithub and GitPython).
There `gitops-bot recipes --json`, `plan` on the example monorepo, `check` and `config
validate` work, `pr` names the extra to install, and a smoke subset of the tests passes against
the installed wheel (a copy of tests/ and examples/ outside the source tree, so the source
cannot shadow it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from gitops_bot.cli import main

from .conftest import EXAMPLE, ROOT

SMOKE_TESTS = ["tests/test_schema.py", "tests/test_golden.py"]
# What the tests need beside the package's own dependencies, found in this venv.
TEST_RUNNER = ["pytest"]


def _run(*argv, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True)


def _closure(requirements: list[str]) -> set[str]:
    """The installed distributions `requirements` need (extras and markers that do not apply
    left out), by name, with everything they need in turn."""
    from packaging.requirements import Requirement

    found: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = requirement.name.lower().replace("_", "-")
        if name in found:
            continue
        found.add(name)
        todo += [Requirement(r) for r in metadata.requires(name) or []]
    return found


def _wheel_requires(wheel: Path) -> list[str]:
    """The Requires-Dist lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(meta).decode()
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]


def _link_distributions(names: set[str], into: Path) -> None:
    """Symbolic links in `into` to the files of the installed distributions `names` (their
    top-level packages and modules, and their metadata), so a fresh venv sees exactly those."""
    into.mkdir()
    for name in names:
        dist = metadata.distribution(name)
        for file in dist.files or []:
            top = file.parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth") or (into / top).exists():
                continue
            source = Path(dist.locate_file(top))
            if source.exists():
                (into / top).symlink_to(source)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the wheel, the fresh venv's bin folder, a folder with copies of tests/ and examples/)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"  # what an sdist holds: the build never writes into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "gitops_bot", source / "gitops_bot", ignore=shutil.ignore_patterns("__pycache__"))
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "--wheel-dir", tmp / "dist", source, cwd=tmp)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp / "dist").glob("gitops_bot-*.whl")

    venv = tmp / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    requires = _wheel_requires(wheel)
    deps = _closure([r for r in requires if "extra ==" not in r] + TEST_RUNNER) - {"gitops-bot"}
    _link_distributions(deps, tmp / "deps")
    (site / "deps.pth").write_text(f"{tmp / 'deps'}\n")
    install = _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-deps",
                   "--disable-pip-version-check", wheel)
    assert install.returncode == 0, install.stdout + install.stderr

    copies = tmp / "copies"
    shutil.copytree(ROOT / "tests", copies / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "examples", copies / "examples")
    return wheel, venv / "bin", copies


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PYTHON"))}


def test_the_wheel_holds_the_package_data_of_the_source_tree(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    in_wheel = {n for n in names if n.startswith("gitops_bot/") and not n.endswith(".py")}
    in_tree = {p.relative_to(ROOT).as_posix() for p in (ROOT / "gitops_bot").rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert in_wheel == in_tree
    assert {"gitops_bot/recipes/remove-service.yaml", "gitops_bot/data/tools.yaml",
            "gitops_bot/data/schemas/gitops-bot.schema.json", "gitops_bot/data/schemas/recipe.schema.json"} <= in_wheel
    in_tree_py = {p.relative_to(ROOT).as_posix() for p in (ROOT / "gitops_bot").rglob("*.py")}
    assert {n for n in names if n.endswith(".py")} == in_tree_py  # every module, packages declared
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: Apache-2.0" in text and "Project-URL: Homepage, " in text
    assert "Classifier: Programming Language :: Python :: 3.11" in text
    assert "Provides-Extra: github" in text and "Requires-Dist: PyGithub" in text
    assert not any(n.startswith(("tests/", "examples/", "bench/")) for n in names)


def test_the_installed_wheel_runs_without_the_github_extra(installed, tmp_path):
    _, bin_dir, copies = installed
    env = _clean_env()
    where = _run(bin_dir / "python", "-c", "import gitops_bot, importlib.util as u; print(gitops_bot.__file__); "
                 "print(u.find_spec('github'), u.find_spec('git'))", cwd=tmp_path, env=env)
    assert where.stdout.splitlines() == [where.stdout.splitlines()[0], "None None"]
    assert str(bin_dir.parent) in where.stdout.splitlines()[0]  # the wheel, not the source tree
    listed = _run(bin_dir / "gitops-bot", "recipes", "--json", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "remove-service" in [r["name"] for r in json.loads(listed.stdout)["recipes"]]
    repo = copies / "examples" / "monorepo"
    plan = _run(bin_dir / "gitops-bot", "plan", "remove-service", "video-service", "--repo", repo, cwd=tmp_path,
                env=env)
    assert plan.returncode == 0, plan.stderr
    assert "deleted: services/video-service/ (" in plan.stdout
    check = _run(bin_dir / "gitops-bot", "check", "--repo", repo, "--format", "json", cwd=tmp_path, env=env)
    assert check.returncode in (0, 1) and "format_version" in json.loads(check.stdout)
    valid = _run(bin_dir / "gitops-bot", "config", "validate", "--repo", repo, cwd=tmp_path, env=env)
    assert (valid.returncode, valid.stdout) == (0, ".gitops-bot.yaml: ok (config)\n")
    pr = _run(bin_dir / "gitops-bot", "pr", "remove-service", "video-service", "--repo", repo, cwd=tmp_path,
              env=dict(env, GITHUB_TOKEN="t", GITHUB_REPOSITORY="acme/platform"))
    assert pr.returncode == 2
    assert pr.stderr == ("gitops-bot: error: this command needs PyGithub: install gitops-bot with its github "
                         "extra: pip install 'gitops-bot[github]'\n")


def test_a_smoke_subset_of_the_tests_passes_against_the_wheel(installed):
    _, bin_dir, copies = installed
    run = _run(bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *SMOKE_TESTS, cwd=copies,
               env=_clean_env())
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", run.stdout) and not (copies / "gitops_bot").exists()


def test_without_the_extra_pr_and_action_say_what_to_install(monkeypatch, capsys, tmp_path):
    import importlib.util

    find = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("git", "github") else
                        find(name, *a))
    monkeypatch.delitem(sys.modules, "git", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/platform")
    assert main(["pr", "remove-service", "video-service", "--repo", str(EXAMPLE)]) == 2
    assert "pip install 'gitops-bot[github]'" in capsys.readouterr().err


def test_the_source_tree_tracks_no_build_output():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an sdist or a copy): nothing is tracked")
    tracked = _run("git", "ls-files", cwd=ROOT).stdout.splitlines()
    assert [p for p in tracked if re.search(r"(^|/)(build|dist)/|\.egg-info/|__pycache__/|\.pyc$", p)] == []


def test_the_dockerfile_pins_its_base_by_digest_and_no_debian_package_versions():
    text = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert bases and all(re.fullmatch(r"python:3\.11-slim(-\w+)?@sha256:[0-9a-f]{64}", b) for b in bases)
    installs = re.findall(r"apt-get install[^\n]*", text)
    assert installs and not any(re.search(r"\S=\S", line) for line in installs)
    assert '".[github]"' in text  # the container runs pr and action: the github extra is in it
