"""set-version bump_chart=: a chart whose files the change touched gets a new version of its own
(Helm's convention; Renovate's bumpVersion), once, and only when asked."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.ops.chart_bump import bumped

from .conftest import tree_bytes, write_tree

UMBRELLA = """apiVersion: v2
name: ingress-nginx
version: 0.1.0   # the umbrella chart
dependencies:
  - name: ingress-nginx
    version: 4.0.6
    repository: https://kubernetes.github.io/ingress-nginx
"""
OTHER = "apiVersion: v2\nname: other\nversion: 0.2.0\ndependencies:\n  - name: cilium\n    version: 1.12.1\n"


def read(root) -> dict[str, str]:
    return {p: data.decode() for p, data in tree_bytes(root).items()}


def apply(root, *params: str) -> int:
    return main(["apply", "set-version", *params, "--repo", str(root)])


def test_an_umbrella_chart_whose_dependency_moved_gets_a_patch_version(tmp_path, capsys):
    write_tree(tmp_path, {"add-ons/ingress-nginx/Chart.yaml": UMBRELLA, "add-ons/other/Chart.yaml": OTHER})
    assert apply(tmp_path, "chart=ingress-nginx", "version=4.0.17", "bump_chart=patch") == 0
    assert read(tmp_path) == {
        "add-ons/ingress-nginx/Chart.yaml": UMBRELLA.replace("0.1.0", "0.1.1").replace("4.0.6", "4.0.17"),
        "add-ons/other/Chart.yaml": OTHER,  # untouched: no new version
    }
    capsys.readouterr()
    # a second run changes no file, so it bumps nothing
    assert main(["plan", "set-version", "chart=ingress-nginx", "version=4.0.17", "bump_chart=patch",
                 "--repo", str(tmp_path), "--exit-code"]) == 0
    assert capsys.readouterr().out.startswith("set-version: 0 files (no changes)")


def test_without_the_parameter_the_version_is_listed_for_the_reviewer(tmp_path, capsys):
    write_tree(tmp_path, {"add-ons/ingress-nginx/Chart.yaml": UMBRELLA})
    assert main(["plan", "set-version", "chart=ingress-nginx", "version=4.0.17", "--repo", str(tmp_path),
                 "--format", "json"]) == 0
    residue = json.loads(capsys.readouterr().out)["residue"]
    assert [(r["line"], r["reason"].endswith("(bump_chart=patch does it)")) for r in residue] == [(3, True)]


def test_a_chart_holding_a_changed_values_file_is_bumped_by_level(tmp_path):
    chart = "apiVersion: v2\nname: api\nversion: \"2.4.7\"\nappVersion: 9.9.9\n"
    values = "image:\n  repository: ghcr.io/acme/worker\n  tag: 1.2.0\n"
    write_tree(tmp_path, {"charts/api/Chart.yaml": chart, "charts/api/values/prod.yaml": values})
    assert apply(tmp_path, "image=ghcr.io/acme/worker", "version=1.3.0", "bump_chart=minor") == 0
    assert read(tmp_path) == {"charts/api/Chart.yaml": chart.replace("2.4.7", "2.5.0"),
                              "charts/api/values/prod.yaml": values.replace("1.2.0", "1.3.0")}


def test_a_chart_whose_own_version_the_run_moved_is_not_bumped_again(tmp_path):
    chart = "apiVersion: v2\nname: app\nversion: 1.2.0\nappVersion: 1.2.0\n"
    values = "image:\n  repository: ghcr.io/acme/app\n  tag: 1.2.0\n"
    write_tree(tmp_path, {"charts/app/Chart.yaml": chart, "charts/app/values.yaml": values})
    assert apply(tmp_path, "image=ghcr.io/acme/app", "version=1.3.0", "bump_chart=patch") == 0
    assert read(tmp_path)["charts/app/Chart.yaml"] == chart.replace("1.2.0", "1.3.0")


def test_a_pre_release_chart_version_is_refused_and_the_rest_is_made(tmp_path, capsys):
    chart = UMBRELLA.replace("version: 0.1.0", "version: 0.1.0-rc.1")
    write_tree(tmp_path, {"add-ons/ingress-nginx/Chart.yaml": chart})
    assert main(["apply", "set-version", "chart=ingress-nginx", "version=4.0.17", "bump_chart=patch",
                 "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(r["line"], "is not X.Y.Z" in r["reason"]) for r in report["refused"]] == [(3, True)]
    assert read(tmp_path)["add-ons/ingress-nginx/Chart.yaml"] == chart.replace("4.0.6", "4.0.17")


def test_a_bad_level_is_one_line_and_changes_nothing(tmp_path, capsys):
    write_tree(tmp_path, {"add-ons/ingress-nginx/Chart.yaml": UMBRELLA})
    assert apply(tmp_path, "chart=ingress-nginx", "version=4.0.17", "bump_chart=huge") == 2
    assert "bump_chart='huge'" in capsys.readouterr().err
    assert read(tmp_path) == {"add-ons/ingress-nginx/Chart.yaml": UMBRELLA}


@pytest.mark.parametrize("version, level, expected", [
    ("0.1.0", "patch", "0.1.1"), ("0.1.9", "minor", "0.2.0"), ("1.4.2", "major", "2.0.0"),
    ("v1.4.2", "patch", "v1.4.3"), ("1.4", "patch", None), ("1.4.2-rc.1", "patch", None), ("1.4.2+b1", "patch", None),
])
def test_bumped(version, level, expected):
    assert bumped(version, level) == expected
