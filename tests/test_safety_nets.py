"""The safety nets behind every edit, each pinned by a test that fails when the net is disabled.

A net is the last check between a wrong edit and a broken file: the set-version and
pin-versions verifier (edit.still_valid, through each editor), the HCL and Helm editors' verifiers, and the
set-version re-scan. Each gets an end-to-end test (an edit that would break a file is refused
and reported, and the file is left as it was) and a direct test of the verifier (a problem for
broken output, None for good output, None when the original was already broken). The diff
slider (difftext._slide) gets a diff whose hunk placement depends on it, as exact text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.versions import Tool
from gitops_bot.edit import hcl, helm
from gitops_bot.edit import still_valid as verify_text
from gitops_bot.ops.set_version import _rescan_problem
from gitops_bot.parse.hcl import parse as parse_hcl
from gitops_bot.text.diff import unified_diff

from .conftest import tree_bytes
from .editors import dedent


def write_repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def apply(repo: Path, *args: str) -> None:
    main(["apply", *args, "--repo", str(repo)])


def plan_report(repo: Path, capsys, *args: str) -> dict:
    """The JSON report of planning the recipe (after `apply`: planning it again on the result)."""
    capsys.readouterr()
    main(["plan", *args, "--repo", str(repo), "--format", "json"])
    return json.loads(capsys.readouterr().out)


def refusals(report: dict) -> dict[str, str]:
    return {r["path"]: r["reason"] for r in report["refused"]}


def failed_checks(report: dict) -> dict[str, str]:
    return {v["path"]: v["detail"] for v in report["validation"] if not v["ok"]}


# -- edit.still_valid: set-version's and pin-versions' re-parse ------------------------
ARCHIVES = dedent("""
    # unpacked Istio releases, by directory
    archives:
      istio-1.24.0: /opt/istio-1.24.0
      istio-1.28.2: /opt/istio-1.28.2
    """)


def test_set_version_refuses_a_yaml_edit_that_would_not_parse(tmp_path, capsys):
    """Moving `istio-1.24.0` to 1.28.2 would give the mapping a duplicate key: ruamel refuses to
    load it, so the edit is refused, reported and not written; a good file still moves."""
    repo = write_repo(tmp_path, {"k8s/istio-archives.yaml": ARCHIVES,
                                 "scripts/install.sh": "#!/bin/sh\nISTIO_VERSION=1.24.0\n"})
    apply(repo, "set-version", "tool=istio", "version=1.28.2")
    assert tree_bytes(repo) == {"k8s/istio-archives.yaml": ARCHIVES.encode(),
                                "scripts/install.sh": b"#!/bin/sh\nISTIO_VERSION=1.28.2\n"}
    report = plan_report(repo, capsys, "set-version", "tool=istio", "version=1.28.2")
    reason = "the result would not parse (while constructing a mapping)"
    assert refusals(report) == {"k8s/istio-archives.yaml": f"edit refused: {reason}"}
    assert failed_checks(report) == {"k8s/istio-archives.yaml": reason}


@pytest.mark.parametrize("kind, old, new, problem", [
    ("yaml", "a: 1\nb: 2\n", "a: 1\na: 2\n", "the result would not parse (while constructing a mapping)"),
    ("yaml", "a: [1, 2]\n", "a: [1, 2\n", "the result would not parse (while parsing a flow sequence)"),
    ("hcl", 'locals {\n  a = "1"\n}\n', 'locals {\n  a = "1"\n', "the result would not parse ("),
    ("helm", "{{- if .A }}\na: 1\n{{- end }}\n", "{{- if .A }}\na: 1\n",
     "template blocks would not balance (`if` block is never closed)"),
    ("make", "ifdef A\nX = 1\nendif\n", "ifdef A\nX = 1\n", "missing endif"),
    ("shell", "if true; then\n  echo\nfi\n", "if true; then\n  echo\n", "bash -n"),
], ids=["yaml-duplicate-key", "yaml-syntax", "hcl", "helm", "make", "shell"])
def test_verify_text_reports_broken_output(kind, old, new, problem):
    assert verify_text(kind, old, new).startswith(problem)


@pytest.mark.parametrize("kind, text", [
    ("yaml", "archives:\n  istio-1.28.2: /opt/istio\n"),
    ("hcl", 'resource "helm_release" "istiod" {\n  version = "1.28.2"\n}\n'),
    ("helm", "{{- if .A }}\nimage: istio/pilot:1.28.2\n{{- end }}\n"),
    ("make", "ISTIO_VERSION ?= 1.28.2\n"),
    ("shell", "ISTIO_VERSION=1.28.2\n"),
], ids=["yaml", "hcl", "helm", "make", "shell"])
def test_verify_text_passes_good_output(kind, text):
    assert verify_text(kind, text.replace("1.28.2", "1.24.0"), text) is None


@pytest.mark.parametrize("kind, old", [
    ("yaml", "a: [1, 2\nISTIO_VERSION: 1.24.0\n"),
    ("hcl", 'locals {\n  version = "1.24.0"\n'),
    ("shell", "if (\nISTIO_VERSION=1.24.0\n"),
    ("helm", "{{- if .A }}\nISTIO_VERSION: 1.24.0\n"),
], ids=["yaml", "hcl", "shell", "helm"])
def test_verify_text_does_not_blame_an_edit_for_a_broken_original(kind, old):
    assert verify_text(kind, old, old.replace("1.24.0", "1.28.2")) is None


# -- set_version._rescan_problem: the edit must read back as the new version -----------------
def test_set_version_refuses_an_edit_that_does_not_read_back(tmp_path, capsys):
    """`istio-1.24.0` moved to the pre-release 1.28.2-rc.1 reads back as Istio 1.28.2 (the
    directory form has no pre-release suffix): the re-scan refuses it and nothing is written;
    the Makefile's variable reads back as 1.28.2-rc.1 and moves."""
    install = "#!/bin/sh\ncd istio-1.24.0/bin\n"
    repo = write_repo(tmp_path, {"scripts/install.sh": install, "Makefile": "ISTIO_VERSION ?= 1.24.0\n"})
    apply(repo, "set-version", "tool=istio", "version=1.28.2-rc.1")
    assert tree_bytes(repo) == {"scripts/install.sh": install.encode(),
                                "Makefile": b"ISTIO_VERSION ?= 1.28.2-rc.1\n"}
    report = plan_report(repo, capsys, "set-version", "tool=istio", "version=1.28.2-rc.1")
    reason = "1 occurrence(s) still carry another version after the edit"
    assert refusals(report) == {"scripts/install.sh": f"edit refused: {reason}"}
    assert failed_checks(report) == {"scripts/install.sh": reason}


ISTIO = Tool("istio", variables=("ISTIO_VERSION",), directories=("istio-{version}",),
             images=("istio/proxyv2",))


@pytest.mark.parametrize("text, problem", [
    ("ISTIO_VERSION=1.28.2\ncd istio-1.24.0/bin\n", "1 occurrence(s) still carry another version after the edit"),
    ("ISTIO_VERSION=1.24.0\nimage: istio/proxyv2:v1.2.3\n",
     "2 occurrence(s) still carry another version after the edit"),
    ("ISTIO_VERSION=1.28.2\ncd istio-1.28.2/bin\nimage: istio/proxyv2:1.28.2\n", None),
    # A tag pinned by digest is never moved, so it is not stale.
    ("ISTIO_VERSION=1.28.2\nimage: istio/proxyv2:1.24.0@sha256:" + "0" * 64 + "\n", None),
], ids=["one-stale", "two-stale", "all-moved", "pinned-digest"])
def test_rescan_problem(text, problem):
    assert _rescan_problem("scripts/install.sh", text, "shell", ISTIO, "1.28.2") == problem


# -- edit/hcl.verify ------------------------------------------------------------------------
LEADING_COMMAS = dedent("""
    locals {
      repositories = [
        "prod/video-service"
        , "prod/auth-service"
        , "prod/board-service"
      ]
    }
    """)


def test_remove_service_refuses_an_hcl_edit_that_would_not_parse(tmp_path, capsys):
    """A leading-comma list whose first element is the service: cutting that element's line
    would leave the list opening with a comma; the verifier refuses the edit."""
    repo = write_repo(tmp_path, {"terraform/ecr.tf": LEADING_COMMAS})
    apply(repo, "remove-service", "service=video-service")
    assert tree_bytes(repo) == {"terraform/ecr.tf": LEADING_COMMAS.encode()}
    report = plan_report(repo, capsys, "remove-service", "service=video-service")
    assert refusals(report)["terraform/ecr.tf"].startswith("edit refused: the result would not parse (")
    assert failed_checks(report)["terraform/ecr.tf"].startswith("edit refused: the result would not parse (")
    assert [(r["path"], r["line"]) for r in report["residue"]] == [("terraform/ecr.tf", 3)]


BLOCKS = dedent("""
    module "a" {
      source = "./a"
    }

    module "pod_identity_video_service" {
      source = "./b"
    }
    """)
REMOVED = {("module", "pod_identity_video_service")}


@pytest.mark.parametrize("new, removed, problem", [
    ('module "a" {\n  source = "./a"\n}\n', REMOVED, None),
    (BLOCKS.replace('source = "./a"', 'source = "./c"'), set(), None),
    ('module "a" {\n  source = "./a"\n', REMOVED, "the result would not parse ("),
    ('module "pod_identity_video_service" {\n  source = "./b"\n}\n', REMOVED,
     "the result's blocks differ from the intended removal"),  # the wrong block went
    (BLOCKS, REMOVED, "the result's blocks differ from the intended removal"),  # the block stayed
    ("", set(), "the result's blocks differ from the intended removal"),
], ids=["block-removed", "attribute-changed", "does-not-parse", "wrong-block-removed", "block-kept",
        "everything-gone"])
def test_hcl_verify(new, removed, problem):
    """hcl.verify takes the original's parse tree, so an original that does not parse never
    reaches it (remove_service raises Unparsable first: tests/test_edit_hcl.py)."""
    result = hcl.verify(parse_hcl(BLOCKS), new, removed)
    assert result is None if problem is None else result.startswith(problem)


# -- edit/helm.verify -----------------------------------------------------------------------
CONDITIONAL_KEY = dedent("""
    metadata:
      name: app
    {{- if .Values.videoService.enabled }}
      annotations:
    {{- end }}
        sidecar.istio.io/inject: "true"
    """)


def test_remove_service_refuses_a_template_edit_that_would_not_parse(tmp_path, capsys):
    """Only the key of a mapping is guarded by the service's flag: removing the guarded block
    would leave its entries under `name: app`, which is not YAML; the verifier refuses it."""
    path = "charts/app/templates/deployment.yaml"
    repo = write_repo(tmp_path, {path: CONDITIONAL_KEY})
    apply(repo, "remove-service", "service=video-service")
    assert tree_bytes(repo) == {path: CONDITIONAL_KEY.encode()}
    report = plan_report(repo, capsys, "remove-service", "service=video-service")
    assert refusals(report)[path].startswith("edit refused: the template's YAML would not parse (")
    assert failed_checks(report)[path].startswith("edit refused: the template's YAML would not parse (")
    assert [(r["path"], r["line"]) for r in report["residue"]] == [(path, 3)]


@pytest.mark.parametrize("new, masked_parsed_before, problem", [
    ("metadata:\n  name: app\n", True, None),
    ("a: {{ .Values.a }}\n{{- if .B }}\nb: 1\n{{- end }}\n", True, None),
    ("a: 1\n{{- if .B }}\nb: 1\n", True, "template blocks would not balance (`if` block is never closed)"),
    ("a: 1\n{{- end }}\n", False, "template blocks would not balance (`end` without a block)"),
    ("a: {{ .Values.a\n", True, "template blocks would not balance (unterminated template action"),
    ("metadata:\n  name: app\n    x: 1\n", True, "the template's YAML would not parse ("),
    # The masked template did not parse before the edit: its YAML is not held against it.
    ("metadata:\n  name: app\n    x: 1\n", False, None),
], ids=["yaml", "balanced-blocks", "unclosed-if", "stray-end", "unterminated-action", "yaml-broken",
        "yaml-already-broken"])
def test_helm_verify(new, masked_parsed_before, problem):
    result = helm.verify(new, masked_parsed_before)
    assert result is None if problem is None else result.startswith(problem)


# -- difftext._slide: a removed entry's hunk starts where the entry starts -------------------
ROUTES = dedent("""
    routes:
      - match:
          prefix: /auth
        route:
          cluster: auth-service
      - match:
          prefix: /video
        route:
          cluster: video-service
      - match:
          prefix: /board
        route:
          cluster: board-service
    """).splitlines(keepends=True)
WITHOUT_VIDEO = ROUTES[:5] + ROUTES[9:]


def test_diff_of_a_removed_list_item_starts_at_its_dash():
    """The alignment matches the removed item's `- match:` with the next item's, so the deletion
    would run from `prefix: /video` to the next `- match:`; the slider moves it up one line."""
    assert unified_diff(ROUTES, WITHOUT_VIDEO, "a/routes.yaml", "b/routes.yaml") == dedent("""
        --- a/routes.yaml
        +++ b/routes.yaml
        @@ -3,10 +3,6 @@
               prefix: /auth
             route:
               cluster: auth-service
        -  - match:
        -      prefix: /video
        -    route:
        -      cluster: video-service
           - match:
               prefix: /board
             route:
        """)


def test_diff_of_an_added_list_item_starts_at_its_dash():
    assert unified_diff(WITHOUT_VIDEO, ROUTES, "a/routes.yaml", "b/routes.yaml") == dedent("""
        --- a/routes.yaml
        +++ b/routes.yaml
        @@ -3,6 +3,10 @@
               prefix: /auth
             route:
               cluster: auth-service
        +  - match:
        +      prefix: /video
        +    route:
        +      cluster: video-service
           - match:
               prefix: /board
             route:
        """)


def test_remove_service_diff_shows_the_whole_list_item(tmp_path, capsys):
    """End to end: the plan's diff of a removed `- port:` item deletes the item's two lines,
    not the tail of one item and the head of the next."""
    services = dedent("""
        services:
          - port: 8080
            name: auth-service
          - port: 8080
            name: video-service
          - port: 8080
            name: board-service
        """)
    repo = write_repo(tmp_path, {"k8s/services.yaml": services})
    main(["plan", "remove-service", "service=video-service", "--repo", str(repo), "--format", "json"])
    [changed] = json.loads(capsys.readouterr().out)["files"]
    assert changed["diff"] == dedent("""
        --- a/k8s/services.yaml
        +++ b/k8s/services.yaml
        @@ -1,7 +1,5 @@
         services:
           - port: 8080
             name: auth-service
        -  - port: 8080
        -    name: video-service
           - port: 8080
             name: board-service
        """)


def test_verify_text_checks_a_templates_yaml_when_it_parsed_before():
    old = "istio-1.24.0: {{ .Values.a }}\nistio-1.28.2: {{ .Values.b }}\n"
    new = old.replace("1.24.0", "1.28.2")
    assert "would not parse" in (verify_text("helm", old, new) or "")
    assert verify_text("helm", old, old.replace("1.24.0", "1.25.0")) is None
