"""add-pod-annotation's editor beyond the golden trees: the layouts it refuses and why, a second
run that changes nothing, workloads it must leave alone, and bad input."""

from __future__ import annotations

import shutil

import pytest

from gitops_bot.cli import main
from gitops_bot.edit.pod_annotations import add_annotation

from .conftest import ROOT, tree_bytes

FIXTURE = ROOT / "tests" / "fixtures" / "pod-annotations"
KEY, VALUE = "sidecar.istio.io/inject", "false"
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: db\nspec:\n  template:\n"


@pytest.mark.parametrize("pod_template, reason", [
    ("    metadata:\n      annotations: {{- toYaml .Values.podAnnotations | nindent 8 }}\n    spec: {}\n",
     "written inline or by a template expression"),
    ("    metadata:\n      annotations:\n        {{- toYaml .Values.podAnnotations | nindent 8 }}\n    spec: {}\n",
     "written by a template expression"),
    ("    metadata:\n      annotations: {a: b}\n    spec: {}\n", "written inline"),
    ("    metadata: {{- include \"x.podMetadata\" . | nindent 6 }}\n    spec: {}\n", "written by a template or inline"),
])
def test_layouts_it_will_not_guess_are_refused(pod_template, reason):
    text = DEPLOYMENT + pod_template
    result = add_annotation(text, KEY, VALUE, {"db"})
    assert result.text == text and not result.annotated
    assert len(result.refused) == 1 and reason in result.refused[0][1]


def test_other_workloads_and_kinds_are_left_alone():
    text = DEPLOYMENT + "    spec: {}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec: {}\n"
    result = add_annotation(text, KEY, VALUE, {"api"})
    assert result.text == text and not result.refused
    service_only = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec: {}\n"
    assert add_annotation(service_only, KEY, VALUE, {"db"}).text == service_only


def test_a_template_named_by_expression_needs_its_chart():
    text = DEPLOYMENT.replace("name: db", "name: {{ .Release.Name }}") + "    spec: {}\n"
    assert add_annotation(text, KEY, VALUE, {"db"}).text == text  # no chart given: not this workload
    assert KEY in add_annotation(text, KEY, VALUE, {"db"}, default_name="db").text


def test_a_second_run_changes_nothing(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    args = ["apply", "sidecar-exclude", "workloads=postgres,redis,minio,backup", "--repo", str(repo)]
    assert main(args) == 0
    after = tree_bytes(repo)
    assert main(args) == 0 and tree_bytes(repo) == after


@pytest.mark.parametrize("params, message", [
    (["workloads=postgress"], "did you mean: postgres"),
    (["workloads=Postgres"], "does not match"),
])
def test_bad_input_exits_2_and_changes_nothing(tmp_path, capsys, params, message):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    before = tree_bytes(repo)
    assert main(["apply", "sidecar-exclude", *params, "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert tree_bytes(repo) == before
