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


# -- accepting problems: inline suppressions, a baseline, --fail-on ---------------------------
def _mesh_repo(tmp_path, annotation=""):
    """A repository whose namespace label disagrees with its install profile (one warning)."""
    from .conftest import write_tree

    return write_tree(tmp_path / "repo", {
        "install.sh": "istioctl install -y --set profile=ambient\nkubectl label ns a istio.io/dataplane-mode=ambient\n",
        "ns.yaml": f"kind: Namespace\nmetadata:\n  name: b\n  labels:\n{annotation}    istio-injection: enabled\n",
    })


@pytest.mark.parametrize("comment, reported", [
    ("", 1),
    ("    # gitops-bot: ignore mesh-mode-consistency (b keeps sidecars until the migration)\n", 0),
    ("    # gitops-bot: ignore\n", 0),
    ("    # gitops-bot: ignore unpinned-image\n", 1),  # another rule's suppression
])
def test_inline_suppression(tmp_path, capsys, comment, reported):
    repo = _mesh_repo(tmp_path, comment)
    code, out = run(capsys, "check", "--repo", str(repo), "--format", "json", "--rule", "mesh-mode-consistency")
    assert len(json.loads(out)["problems"]) == reported and code == (1 if reported else 0)


def test_a_baseline_accepts_what_it_lists_and_nothing_else(tmp_path, capsys):
    repo = _mesh_repo(tmp_path)
    _, saved = run(capsys, "check", "--repo", str(repo), "--format", "json")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(saved)
    assert run(capsys, "check", "--repo", str(repo), "--baseline", str(baseline)) == (0, "no problems\n")
    (repo / "ns.yaml").write_text("# moved down a line\n" + (repo / "ns.yaml").read_text())
    assert run(capsys, "check", "--repo", str(repo), "--baseline", str(baseline))[0] == 0  # lines may move
    (repo / "ns2.yaml").write_text("kind: Namespace\nmetadata:\n  name: c\n  labels:\n    istio-injection: enabled\n")
    code, out = run(capsys, "check", "--repo", str(repo), "--baseline", str(baseline), "--format", "json")
    assert code == 1 and [p["path"] for p in json.loads(out)["problems"]] == ["ns2.yaml"]


def test_a_file_that_is_not_a_baseline_is_bad_input(tmp_path, capsys):
    (tmp_path / "b.json").write_text("[]")
    assert main(["check", "--repo", str(_mesh_repo(tmp_path)), "--baseline", str(tmp_path / "b.json")]) == 2
    assert "not a `gitops-bot check --format json` output" in capsys.readouterr().err


@pytest.mark.parametrize("fail_on, code", [("warning", 1), ("error", 0), ("never", 0)])
def test_fail_on(tmp_path, capsys, fail_on, code):
    repo = _mesh_repo(tmp_path)  # warnings only
    assert run(capsys, "check", "--repo", str(repo), "--fail-on", fail_on)[0] == code
