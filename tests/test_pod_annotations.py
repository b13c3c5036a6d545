"""add-pod-annotation's editor beyond the golden trees: the layouts it refuses and why, a second
run that changes nothing, workloads it must leave alone, and bad input."""

from __future__ import annotations

import json
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


def _write(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


POD = "spec:\n  template:\n    metadata:\n      labels:\n        app: {name}\n{extra}    spec: {{}}\n"
BASE_API = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n" + POD.format(name="api", extra="")


def test_a_kustomize_patch_is_left_to_its_base(tmp_path, capsys):
    """The base Deployment is annotated; the overlay's strategic-merge patch of it is not (it
    merges) and the report lists it; a patch whose base is not in the tree is annotated; a patch
    that sets the key itself has it replaced (its value would win)."""
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
    _write(tmp_path, {
        "base/kustomization.yaml": "resources:\n  - api.yaml\n",
        "base/api.yaml": BASE_API,
        "overlays/db/kustomization.yaml": "resources:\n  - ../../base\npatchesStrategicMerge:\n  - api-patch.yaml\n"
                                          "patches:\n  - path: remote-patch.yaml\n",
        "overlays/db/api-patch.yaml": patch.format(name="api") + POD.format(name="api", extra=""),
        "overlays/db/remote-patch.yaml": patch.format(name="remote") + POD.format(name="remote", extra=""),
        "overlays/mesh/kustomization.yaml": "resources:\n  - ../../base\npatchesStrategicMerge:\n  - api-mesh.yaml\n",
        "overlays/mesh/api-mesh.yaml": patch.format(name="api") + POD.format(
            name="api", extra="      annotations:\n        sidecar.istio.io/inject: \"true\"\n"),
    })
    before = tree_bytes(tmp_path)
    args = ["apply", "sidecar-exclude", "workloads=api,remote", "--repo", str(tmp_path)]
    capsys.readouterr()
    assert main([*args, "--format", "json"]) == 0
    residue = json.loads(capsys.readouterr().out)["residue"]
    assert [(r["path"], r["line"], r["text"]) for r in residue] == [("overlays/db/api-patch.yaml", 4, "name: api")]
    assert "kustomize patch of api" in residue[0]["reason"]
    after = tree_bytes(tmp_path)
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed == {"base/api.yaml", "overlays/db/remote-patch.yaml", "overlays/mesh/api-mesh.yaml"}
    assert b'sidecar.istio.io/inject: "false"' in after["overlays/mesh/api-mesh.yaml"]
    assert b'"true"' not in after["overlays/mesh/api-mesh.yaml"]
    assert main(args) == 0 and tree_bytes(tmp_path) == after


def test_a_literal_name_that_looks_masked_is_still_literal():
    """A literal `xxx` in a name is not a masked template action."""
    text = DEPLOYMENT.replace("name: db", "name: xxx-api") + "    spec: {}\n"
    assert KEY in add_annotation(text, KEY, VALUE, {"xxx-api"}).text


def test_a_replaced_value_with_a_hash_inside_its_quotes_is_replaced_whole():
    text = DEPLOYMENT + '    metadata:\n      annotations:\n        note: "a #1 pick"  # why\n    spec: {}\n'
    assert add_annotation(text, "note", "b", {"db"}).text == text.replace('"a #1 pick"', '"b"')


@pytest.mark.parametrize("existing, value, written", [
    ('        ports: "443"\n', "disabled", "        redirection: disabled\n"),  # "443" had to be quoted
    ("        team: shop\n", "disabled", "        redirection: disabled\n"),
    ('        team: "shop"\n', "disabled", '        redirection: "disabled"\n'),  # the file quotes plain words
    ("        team: shop\n", "false", '        redirection: "false"\n'),
    ("        team: shop\n", "443", '        redirection: "443"\n'),
    ("        team: shop\n", "a: b", '        redirection: "a: b"\n'),
    ("        team: shop\n", "~", '        redirection: "~"\n'),
])
def test_a_value_is_quoted_when_yaml_needs_it_or_the_file_does(existing, value, written):
    text = DEPLOYMENT + "    metadata:\n      annotations:\n" + existing + "    spec: {}\n"
    result = add_annotation(text, "redirection", value, {"db"})
    assert result.text == text.replace("    spec: {}\n", written + "    spec: {}\n")
    assert add_annotation(result.text, "redirection", value, {"db"}).text == result.text  # a second run: no-op


def test_a_new_annotations_map_writes_a_plain_word_bare():
    text = DEPLOYMENT + "    metadata:\n      labels:\n        app: db\n    spec: {}\n"
    result = add_annotation(text, "mode", "disabled", {"db"})
    assert result.text == text.replace("    metadata:\n", "    metadata:\n      annotations:\n        mode: disabled\n")


def test_a_replaced_value_keeps_its_quotes_or_their_absence():
    text = DEPLOYMENT + "    metadata:\n      annotations:\n        mode: enabled\n        b: 'x'\n    spec: {}\n"
    assert add_annotation(text, "mode", "disabled", {"db"}).text == text.replace("mode: enabled", "mode: disabled")
    assert add_annotation(text, "b", "y", {"db"}).text == text.replace("b: 'x'", "b: 'y'")
