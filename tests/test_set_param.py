"""set-param beyond its golden trees: what it refuses and why, what it lists for a reviewer, the
Applications it leaves alone, and the comment command that runs it."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.cli import main
from gitops_bot.delivery.comments import parse, resolve_params
from gitops_bot.engine.recipe import find_recipe

from .conftest import ROOT, tree_bytes, write_tree

FIXTURE = ROOT / "tests" / "fixtures" / "set-param"


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "repo")
    return tmp_path / "repo"


@pytest.mark.parametrize("params, message", [
    (["name=replicaCount", "value=2"], "needs apps= or env="),
    (["name=replicaCount", "env=prod"], "needs value= (or unset=true"),
    (["name=replica count", "value=2", "env=prod"], "does not match"),
    (["name=replicaCount", "value=2", "apps=auth-servce", "env=prod"], "did you mean: auth-service"),
    (["name=replicaCount", "value=2", "env=prod", "paths=nowhere/**"], "nowhere"),
])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(repo, capsys, params, message):
    before = tree_bytes(repo)
    assert main(["apply", "set-param", *params, "--repo", str(repo)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert tree_bytes(repo) == before


def test_a_comment_beside_a_changed_value_is_listed_for_the_reviewer(repo, capsys):
    assert main(["plan", "set-param", "name=autoscaling.minReplicas", "value=2", "apps=auth-service", "env=prod",
                 "--repo", str(repo), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["reason"] for r in report["residue"]] == ["comment beside the changed value: check it still applies"]


def test_paths_limit_the_applications_changed(repo):
    assert main(["apply", "set-param", "name=podLabels.team", "value=platform", "apps=auth-service",
                 "paths=deploy/argocd/staging/**", "--repo", str(repo)]) == 0
    assert "podLabels.team" in (repo / "deploy/argocd/staging/auth-service.yaml").read_text()
    assert "podLabels.team" not in (repo / "deploy/argocd/prod/auth-service.yaml").read_text()


def test_templated_applications_and_other_kinds_are_left_alone(tmp_path):
    repo = write_tree(tmp_path / "repo", {
        "apps/templates/auth.yaml": ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n"
                                     "  name: auth-service-{{ .Values.env }}\nspec:\n  source:\n"
                                     "    path: charts/auth-service\n"),
        "apps/prod/set.yaml": ("apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n"
                               "  name: auth-service-prod\nspec: {}\n"),
    })
    before = tree_bytes(repo)
    assert main(["apply", "set-param", "name=a", "value=b", "env=prod", "--repo", str(repo)]) == 0
    assert tree_bytes(repo) == before


def test_a_comment_command_names_the_parameter_positionally():
    command = parse("/gitops-bot set-param autoscaling.minReplicas value=2 apps=auth-service,user-service env=prod")
    assert resolve_params(command, find_recipe("set-param")) == {
        "name": "autoscaling.minReplicas", "value": "2", "apps": "auth-service,user-service", "env": "prod"}
