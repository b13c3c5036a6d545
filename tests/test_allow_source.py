"""allow-source and the `app-source-not-permitted` check: ArgoCD's permission rules (globs,
`!` denials, URL spellings), the check in every output format, quiet where all is permitted,
and the recipe's refusals. Golden trees: tests/golden/allow-source/."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.argocd import repo_permitted

from .conftest import EXAMPLE, GOLDEN, ROOT, materialize, tree_bytes

FIXTURE = ROOT / "tests" / "fixtures" / "allow-source"
RULE = ("--rule", "app-source-not-permitted")


@pytest.mark.parametrize("url, patterns, permitted", [
    ("https://github.com/acme/api.git", ["https://github.com/acme/api.git"], True),
    ("https://github.com/Acme/api", ["https://github.com/acme/api.git/"], True),  # ArgoCD normalises
    ("https://github.com/acme/api", ["https://github.com/acme/*"], True),
    ("https://github.com/acme/team/api", ["https://github.com/acme/*"], False),  # * stays in its segment
    ("https://github.com/acme/team/api", ["https://github.com/acme/**"], True),
    ("https://anything.example/x", ["*"], True),
    ("https://github.com/acme/secret", ["*", "!https://github.com/acme/secret"], False),
    ("https://github.com/acme/api", [], False),
    ("https://github.com/acme/api", None, False),  # no sourceRepos: nothing is permitted
])
def test_permission_follows_argocd(url, patterns, permitted):
    assert repo_permitted(url, patterns) is permitted


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_the_check_finds_each_unpermitted_source(capsys):
    code, out = run(capsys, "check", "--repo", str(FIXTURE), "--format", "json", *RULE)
    found = [(p["path"], p["line"], p["rule"]) for p in json.loads(out)["problems"]]
    assert code == 1 and found == [("argocd/apps/cert-manager.yaml", 9, "app-source-not-permitted"),
                                   ("argocd/apps/kafka.yaml", 9, "app-source-not-permitted"),
                                   ("argocd/apps/kafka.yaml", 15, "app-source-not-permitted")]


@pytest.mark.parametrize("fmt, expected", [
    ("text", "argocd/apps/cert-manager.yaml:9: error: Application cert-manager deploys from "
             "https://charts.jetstack.io, which AppProject platform"),
    ("github", "::error file=argocd/apps/cert-manager.yaml,line=9,title=app-source-not-permitted::"),
    ("sarif", '"ruleId": "app-source-not-permitted"'),
    ("json", '"rule": "app-source-not-permitted"'),
])
def test_the_check_in_every_format(capsys, fmt, expected):
    code, out = run(capsys, "check", "--repo", str(FIXTURE), "--format", fmt, *RULE)
    assert code == 1 and expected in out


def test_the_check_is_quiet_when_everything_is_permitted(tmp_path, capsys):
    repo = materialize(FIXTURE, GOLDEN / "allow-source" / "every-unpermitted", tmp_path / "repo")
    assert run(capsys, "check", "--repo", str(repo), *RULE) == (0, "no problems\n")
    assert run(capsys, "check", "--repo", str(EXAMPLE), *RULE) == (0, "no problems\n")


def test_the_fix_hint_runs_and_clears_the_problem(tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    _, out = run(capsys, "check", "--repo", str(repo), "--format", "json", *RULE)
    for problem in json.loads(out)["problems"]:
        verb, recipe, *params = problem["fix"].split()[1:]  # gitops-bot apply allow-source ...
        assert main([verb, recipe, *params, "--repo", str(repo)]) == 0
    capsys.readouterr()
    assert run(capsys, "check", "--repo", str(repo), *RULE) == (0, "no problems\n")


@pytest.mark.parametrize("params, message", [
    (["repo=https://example.org/x"], "no Application deploys from https://example.org/x: name the project"),
    (["repo=https://example.org/x", "project=platfrom"], "did you mean: platform?"),
    (["repo=not a url"], "does not match"),
])
def test_bad_input_exits_2_and_changes_nothing(tmp_path, capsys, params, message):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    before = tree_bytes(repo)
    assert main(["apply", "allow-source", *params, "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert tree_bytes(repo) == before
