"""The `sidecar-on-infra` check: where it fires (injection by Namespace label, by a kubectl line
in a script, through the Application that deploys a chart), where it stays quiet (an opt-out,
an application workload, a namespace without injection, the example repository), its output in
every format, and a fix hint that clears it."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.cli import main

from .conftest import EXAMPLE, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "sidecar-infra"
RULE = ("--rule", "sidecar-on-infra")


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_fires_on_infrastructure_in_injected_namespaces_only(capsys):
    code, out = run(capsys, "check", "--repo", str(FIXTURE), "--format", "json", *RULE)
    found = [(p["path"], p["fix"].rsplit("=", 1)[1]) for p in json.loads(out)["problems"]]
    assert code == 1 and found == [("charts/clickhouse/templates/statefulset.yaml", "clickhouse"),
                                   ("manifests/kafka.yaml", "events"), ("manifests/postgres.yaml", "postgres")]


def test_quiet_without_injection(capsys):
    assert run(capsys, "check", "--repo", str(EXAMPLE), *RULE) == (0, "no problems\n")


@pytest.mark.parametrize("fmt, expected", [
    ("text", "manifests/postgres.yaml:1: warning: StatefulSet postgres (image postgres:16.4) runs in namespace data"),
    ("github", "::warning file=manifests/postgres.yaml,line=1,title=sidecar-on-infra::"),
    ("sarif", '"ruleId": "sidecar-on-infra"'),
    ("json", '"rule": "sidecar-on-infra"'),
])
def test_every_format(capsys, fmt, expected):
    code, out = run(capsys, "check", "--repo", str(FIXTURE), "--format", fmt, *RULE)
    assert code == 1 and expected in out


def test_the_fix_hints_run_and_clear_the_problems(tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    _, out = run(capsys, "check", "--repo", str(repo), "--format", "json", *RULE)
    for problem in json.loads(out)["problems"]:
        verb, recipe, *params = problem["fix"].split()[1:]  # gitops-bot apply sidecar-exclude ...
        assert main([verb, recipe, *params, "--repo", str(repo)]) == 0
    capsys.readouterr()
    assert run(capsys, "check", "--repo", str(repo), *RULE) == (0, "no problems\n")
