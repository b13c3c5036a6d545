"""`gitops-bot check`: finds the ignored per-service maps before the recipe and nothing after,
flags parameters the chart does not have, and prints text, JSON, GitHub annotations and SARIF."""

from __future__ import annotations

import json

import pytest

from gitops_bot.checks.chart_parameters import top_key
from gitops_bot.cli import main

from .conftest import EXAMPLE, GOLDEN, materialize


# The rules about values that Helm never reads (the example also has floating image tags and an
# Istio past its end of support, which the version rules report).
CONFIG_RULES = ("--rule", "ignored-service-values", "--rule", "unknown-chart-parameter")


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_finds_every_ignored_map_before_the_recipe(capsys):
    code, out = run(capsys, "check", "--repo", str(EXAMPLE), "--format", "json", *CONFIG_RULES)
    problems = json.loads(out)["problems"]
    assert code == 1
    assert [(p["path"], p["line"], p["rule"]) for p in problems] == [
        ("k8s/helm/environments/dev.yaml", 15, "ignored-service-values"),
        ("k8s/helm/environments/prod.yaml", 9, "ignored-service-values"),
        ("k8s/helm/environments/prod.yaml", 17, "ignored-service-values"),
        ("k8s/helm/environments/prod.yaml", 30, "ignored-service-values"),
        ("k8s/helm/environments/prod.yaml", 36, "ignored-service-values"),
        ("k8s/helm/environments/prod.yaml", 40, "ignored-service-values"),
    ]
    video = problems[2]
    assert "video-service.config" in video["message"] and "storage.path.prefix" in video["message"]
    assert video["fix"] == "gitops-bot apply config-to-params env=prod"


def test_nothing_after_the_recipe_for_both_environments(tmp_path, capsys):
    repo = tmp_path / "repo"
    materialize(EXAMPLE, GOLDEN / "config-to-params" / "prod", repo)
    assert main(["apply", "config-to-params", "env=dev", "--repo", str(repo)]) == 0
    capsys.readouterr()
    code, out = run(capsys, "check", "--repo", str(repo), *CONFIG_RULES)
    assert (code, out) == (0, "no problems\n")


def test_unknown_chart_parameter_is_a_warning(monorepo, capsys):
    app = monorepo / "k8s/argocd/apps/prod/auth-service.yaml"
    app.write_text(app.read_text().replace("name: image.tag", "name: imgae.tag"))
    code, out = run(capsys, "check", "--repo", str(monorepo), "--format", "json")
    warnings = [p for p in json.loads(out)["problems"] if p["rule"] == "unknown-chart-parameter"]
    assert code == 1
    assert warnings == [{
        "rule": "unknown-chart-parameter", "severity": "warning",
        "path": "k8s/argocd/apps/prod/auth-service.yaml", "line": 19,
        "message": "parameter imgae.tag: the chart auth-service has no top-level key 'imgae' in "
                   "k8s/helm/charts/auth-service/values.yaml; Helm will ignore it", "fix": ""}]


def test_unparsable_file_is_a_problem_not_a_crash(monorepo, capsys):
    (monorepo / "k8s/argocd/apps/prod/broken.yaml").write_text("kind: Application\nspec: [1,\n")
    code, out = run(capsys, "check", "--repo", str(monorepo), "--format", "json")
    rules = {(p["path"], p["rule"]) for p in json.loads(out)["problems"]}
    assert code == 1 and ("k8s/argocd/apps/prod/broken.yaml", "unparsable-file") in rules


def test_github_annotations_escape_their_fields(capsys):
    code, out = run(capsys, "check", "--repo", str(EXAMPLE), "--format", "github", *CONFIG_RULES)
    first = out.splitlines()[0]
    assert code == 1
    assert first.startswith("::error file=k8s/helm/environments/dev.yaml,line=15,title=ignored-service-values::")
    assert "%0A" not in first and "Fix: gitops-bot apply config-to-params env=dev" in first
    assert len(out.splitlines()) == 6


def test_sarif_is_2_1_0_with_rules_and_locations(capsys):
    code, out = run(capsys, "check", "--repo", str(EXAMPLE), "--format", "sarif", *CONFIG_RULES)
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run0 = doc["runs"][0]
    rules = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert {"ignored-service-values", "unknown-chart-parameter", "floating-version", "version-drift",
            "end-of-support"} <= set(rules)
    result = run0["results"][0]
    assert rules[result["ruleIndex"]] == result["ruleId"] == "ignored-service-values"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "k8s/helm/environments/dev.yaml"}, "region": {"startLine": 15}}


@pytest.mark.parametrize("name, top", [("config.A", "config"), ("config.a\\.b", "config"),
                                       ("a\\.b.c", "a.b"), ("list[0].x", "list"), ("plain", "plain")])
def test_top_key(name, top):
    assert top_key(name) == top
