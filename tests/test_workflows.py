"""The Action's delivery: the fleet workflow runs gitops-bot from its own repository and commit
and overrides no GITHUB_* variable; every action the workflows, action.yml and the README's
snippets use is pinned by commit with its release as a comment; the README's workflow snippets
pass actionlint; the lock file the Action installs from pins every dependency of pyproject.toml,
exactly and with hashes, inside the ranges pyproject.toml allows."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from ruamel.yaml import YAML

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
FLEET = WORKFLOWS / "gitops-bot-fleet.yml"
LOCK = ROOT / "requirements.lock"
# The README's own line for gitops-bot (no release commit exists to write): the user pins it.
OWN = re.compile(r"^gitops-bot/gitops-bot(/\S+)?@<release-commit>$")
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/\S+)?@[0-9a-f]{40}$")


def _load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _walk(node, key: str):
    """Every value of `key` anywhere in the document, with the mapping holding it."""
    if isinstance(node, dict):
        for k, value in node.items():
            if k == key:
                yield node, value
            yield from _walk(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


# -- the fleet workflow ---------------------------------------------------------------------------
def test_fleet_sets_no_github_variable():
    envs = [env for _, env in _walk(_load(FLEET), "env")]
    assert [name for env in envs for name in env if name.upper().startswith("GITHUB_")] == []


def test_fleet_runs_the_action_from_its_own_repository_and_commit():
    steps = _load(FLEET)["jobs"]["run"]["steps"]
    local = [s for s in steps if str(s.get("uses", "")).startswith("./")]
    assert len(local) == 1
    folder = local[0]["uses"][2:]
    checkouts = {s["with"].get("path"): s["with"] for s in steps
                 if str(s.get("uses", "")).startswith("actions/checkout@")}
    own = checkouts[folder]
    assert (own["repository"], own["ref"]) == ("${{ job.workflow_repository }}", "${{ job.workflow_sha }}")
    assert own.get("persist-credentials") is False
    # never the caller's repository as the action
    assert all("github.repository" not in str(c.get("repository", "")) for c in checkouts.values())
    # the target: checked out in its own folder, named to the action by its inputs
    given = local[0]["with"]
    target = checkouts[given["working-directory"]]
    assert target["repository"] == given["repository"] == "${{ matrix.repository }}"
    assert given["working-directory"] != folder


# -- pins ---------------------------------------------------------------------------------------
def _readme_yaml_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)


def _uses_lines() -> list[tuple[str, str]]:
    """(where, the `uses:` line) for the workflows, action.yml and the README's YAML snippets."""
    found = []
    sources = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(WORKFLOWS.glob("*.yml"))]
    sources += [("action.yml", (ROOT / "action.yml").read_text(encoding="utf-8"))]
    sources += [(f"README snippet {i}", block) for i, block in enumerate(_readme_yaml_blocks())]
    for where, text in sources:
        found += [(where, line.strip()) for line in text.splitlines()
                  if re.match(r"^\s*(-\s+)?uses:", line) and not line.lstrip().startswith("#")]
    return found


def test_every_action_is_pinned_by_commit_with_its_release():
    lines = _uses_lines()
    assert len([1 for where, _ in lines if where.startswith("README")]) >= 4
    for where, line in lines:
        m = re.match(r"^(?:-\s+)?uses:\s+(\S+)(?:\s+#\s+(\S+))?$", line)
        assert m, (where, line)
        ref, comment = m.group(1), m.group(2)
        if ref.startswith("./"):
            continue
        assert PINNED.match(ref) or (where.startswith("README") and OWN.match(ref)), (where, line)
        assert comment and re.match(r"^v\d+(\.\d+)*$", comment), (where, line)


def test_readme_workflow_snippets_pass_actionlint(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    snippets = [block for block in _readme_yaml_blocks() if re.search(r"^jobs:", block, re.M)]
    assert len(snippets) >= 3
    for i, block in enumerate(snippets):
        text = block.replace("@<release-commit>", "@" + "0" * 40)  # the one placeholder
        if not text.startswith(("name:", "on:")):
            text = "on: push\n" + text  # the fleet call: a fragment of a caller's workflow
        (workflows / f"snippet{i}.yml").write_text(text)
    proc = subprocess.run([str(Path(sys.executable).parent / "actionlint"), "-no-color",
                           *sorted(str(p) for p in workflows.iterdir())],
                          cwd=tmp_path, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (0, "")


# -- the Action's metadata -----------------------------------------------------------------------
def test_action_inputs_outputs_and_install():
    action = _load(ROOT / "action.yml")
    assert {"working-directory", "repository"} <= set(action["inputs"])
    assert action["outputs"]["sarif"]["value"] == "${{ steps.run.outputs.sarif }}"
    steps = action["runs"]["steps"]
    install = next(s for s in steps if s.get("name") == "Install gitops-bot")["run"]
    assert '--require-hashes --no-deps -r "$ACTION_PATH/requirements.lock"' in install
    assert '--no-deps --no-build-isolation "$ACTION_PATH"' in install
    env = next(s for s in steps if s.get("id") == "run")["env"]
    assert env["INPUT_WORKING_DIRECTORY"] == "${{ inputs.working-directory }}"
    assert env["INPUT_REPOSITORY"] == "${{ inputs.repository }}"


# -- the lock file -------------------------------------------------------------------------------
def _locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of requirements.lock."""
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("--hash") else line.strip()
        m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)\s*(.*)$", line)
        if m:
            found[canonicalize_name(m.group(1))] = (m.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
        else:
            assert not line or line.startswith("#"), f"requirements.lock: unexpected line {line!r}"
    return found


def test_the_lock_pins_every_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    locked = _locked()
    assert all(hashes for _, hashes in locked.values())
    extra = project["project"]["optional-dependencies"]["github"]  # the Action opens pull requests
    for spec in project["project"]["dependencies"] + extra + project["build-system"]["requires"]:
        req = Requirement(spec)
        version, _ = locked[canonicalize_name(req.name)]
        assert req.specifier.contains(version, prereleases=True), (spec, version)


@pytest.mark.parametrize("line", ["--index-url", "--extra-index-url", "--find-links", "-e "])
def test_the_lock_names_no_index_of_this_machine(line):
    assert line not in LOCK.read_text(encoding="utf-8")
