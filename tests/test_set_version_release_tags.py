"""set-version tool=: a tool whose release tags carry a prefix (`tag_prefix`, yq's `v` from v4 on)
writes it at its whole-tag occurrences only (a variable the same file uses as the tag of a release
URL, a release URL's tag), whatever they had; and the comment right above a form that says the
form's version (`# helm chart version 0.9.16`) moves with it. Constructed before/after trees byte
for byte, look-alikes that never move, a second run that changes nothing."""

from __future__ import annotations

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

TOOLS_SH = """#!/bin/bash
set -eu

YQ_VERSION="3.4.1"
OTHER_VERSION="3.4.1"

curl -sL https://github.com/mikefarah/yq/releases/download/${YQ_VERSION}/yq_linux_amd64 -o yq
curl -sL https://github.com/acme/yq/releases/download/${OTHER_VERSION}/yq_linux_amd64 -o other
"""

MAKEFILE = """YQ_VERSION ?= 3.4.1

yq:
\tcurl -sL -o bin/yq https://example.com/mirror/yq/v$(YQ_VERSION)/yq_linux_amd64
"""

README = """Tools:

- yq: https://github.com/mikefarah/yq/releases/download/3.4.1/yq_linux_amd64
- an acme fork: https://github.com/acme/yq/releases/download/3.4.1/yq_linux_amd64
"""

WORKFLOW = """jobs:
  lint:
    container:
      image: mikefarah/yq:3.4.1
"""


def _yq_tree(tmp_path):
    return write_tree(tmp_path, {"tools/install.sh": TOOLS_SH, "Makefile": MAKEFILE, "docs/tools.txt": README,
                                 ".github/workflows/lint.yaml": WORKFLOW})


def _yq_after(new_tag: str) -> dict[str, bytes]:
    bare = new_tag.lstrip("v")
    return {
        # an image tag keeps its own form
        ".github/workflows/lint.yaml": WORKFLOW.replace("yq:3.4.1", f"yq:{bare}").encode(),
        "Makefile": MAKEFILE.replace("?= 3.4.1", f"?= {bare}").encode(),  # used as v$(YQ_VERSION): not a whole tag
        "docs/tools.txt": README.replace("mikefarah/yq/releases/download/3.4.1/",
                                         "mikefarah/yq/releases/download/v4.6.1/").encode(),
        "tools/install.sh": TOOLS_SH.replace('YQ_VERSION="3.4.1"', 'YQ_VERSION="v4.6.1"').encode(),
    }


def test_a_variable_used_as_the_release_tag_takes_the_tags_prefix(tmp_path, capsys):
    repo = _yq_tree(tmp_path)
    assert run(repo, "tool=yq", "version=v4.6.1") == 0
    assert tree_bytes(repo) == _yq_after("v4.6.1")
    code, second = report(repo, capsys, "tool=yq", "version=v4.6.1")
    assert code == 0 and second["files"] == []


def test_the_prefix_is_the_projects_not_the_way_the_version_was_typed(tmp_path, capsys):
    repo = _yq_tree(tmp_path)
    assert run(repo, "tool=yq", "version=4.6.1") == 0
    assert tree_bytes(repo) == _yq_after("4.6.1")
    code, second = report(repo, capsys, "tool=yq", "version=4.6.1")
    assert code == 0 and second["files"] == []


def test_a_tool_without_tag_prefix_keeps_each_occurrences_own_form(tmp_path, capsys):
    """argo-rollouts says nothing of its tags: a whole-tag variable keeps the form it had."""
    script = ('ARGO_ROLLOUTS_VERSION="1.8.2"\n'
              "kubectl apply -f https://github.com/argoproj/argo-rollouts/releases/download/${ARGO_ROLLOUTS_VERSION}/"
              "install.yaml\n")
    repo = write_tree(tmp_path, {"install.sh": script})
    assert run(repo, "tool=argo-rollouts", "version=v1.8.3") == 0
    assert (repo / "install.sh").read_text() == script.replace('"1.8.2"', '"1.8.3"')


def test_the_repository_config_may_say_a_tools_tag_prefix(tmp_path, capsys):
    config = ("tools:\n  kubeval:\n    description: kubeval\n    github: instrumenta/kubeval\n"
              "    variables: [KUBEVAL_VERSION]\n    tag_prefix: v\n")
    script = ('KUBEVAL_VERSION="0.15.0"\n'
              "curl -sL https://github.com/instrumenta/kubeval/releases/download/$KUBEVAL_VERSION/kubeval.tar.gz\n")
    repo = write_tree(tmp_path, {".gitops-bot.yaml": config, "ci.sh": script})
    assert run(repo, "tool=kubeval", "version=0.16.1") == 0
    assert (repo / "ci.sh").read_text() == script.replace('"0.15.0"', '"v0.16.1"')


def test_tag_prefix_is_v_or_empty_and_needs_github(tmp_path, capsys):
    for spec, word in (("    github: a/b\n    tag_prefix: release-\n", "tag_prefix"),
                       ("    tag_prefix: v\n", "needs github")):
        repo = write_tree(tmp_path / word.replace(" ", "-"), {
            ".gitops-bot.yaml": "tools:\n  x:\n    description: X\n    variables: [X_VERSION]\n" + spec,
            "a.sh": 'X_VERSION="1.0.0"\n'})
        capsys.readouterr()
        assert run(repo, "tool=x", "version=1.0.1") == 2
        assert word in capsys.readouterr().err
        assert (repo / "a.sh").read_text() == 'X_VERSION="1.0.0"\n'


KUSTOMIZATION = """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
# external-secrets CRDs
# helm chart version 0.9.16
# installed with installCRDs=false
- https://raw.githubusercontent.com/external-secrets/external-secrets/v0.9.16/deploy/crds/bundle.yaml
# kubectl version 0.9.16 or later is not a note of the line below
- namespace.yaml
"""

CHART = """apiVersion: v2
name: platform
version: 0.0.0
dependencies:
  # chart version: 0.9.16

  - name: external-secrets
    # version 0.9.15 was broken
    version: 0.9.16
    repository: https://charts.external-secrets.io
"""

DEPLOYMENT = """spec:
  containers:
    # image version v0.9.16, pinned by digest
    - image: ghcr.io/external-secrets/external-secrets:v0.9.16@sha256:%s
""" % ("a" * 64)


def test_a_version_comment_right_above_a_form_moves_with_it(tmp_path, capsys):
    repo = write_tree(tmp_path, {"crds/kustomization.yaml": KUSTOMIZATION, "system/Chart.yaml": CHART,
                                 "system/deployment.yaml": DEPLOYMENT})
    assert run(repo, "tool=external-secrets", "version=0.9.17") == 1  # the digest-pinned image is refused
    assert tree_bytes(repo) == {
        "crds/kustomization.yaml": KUSTOMIZATION.replace("chart version 0.9.16", "chart version 0.9.17")
                                                .replace("/v0.9.16/", "/v0.9.17/").encode(),
        # the comment above a blank line, another version's comment, and a digest-pinned image's note stay
        "system/Chart.yaml": CHART.replace("    version: 0.9.16", "    version: 0.9.17").encode(),
        "system/deployment.yaml": DEPLOYMENT.encode(),
    }
    code, second = report(repo, capsys, "tool=external-secrets", "version=0.9.17")
    assert code == 1 and second["files"] == [] and second["residue"] == []
    assert [(r["path"], r["line"]) for r in second["refused"]] == [("system/deployment.yaml", 4)]


def test_a_version_comment_above_no_form_of_the_tool_stays(tmp_path, capsys):
    text = "# helm chart version 0.9.16\n- https://raw.githubusercontent.com/acme/other/v0.9.16/bundle.yaml\n"
    repo = write_tree(tmp_path, {"crds/kustomization.yaml": text})
    code, result = report(repo, capsys, "tool=external-secrets", "version=0.9.17")
    assert code == 0 and result["files"] == []


# target -> (version, before, after): the note right above the moved line moves in its own v form
OPEN_TARGETS = {
    "chart=linkerd-control-plane": ("1.16.10", (
        "apiVersion: v2\nname: mesh\nversion: 0.0.0\ndependencies:\n  # the mesh\n  - name: linkerd-control-plane\n"
        "    # pinned: version 1.16.6\n    version: 1.16.6\n    repository: https://helm.linkerd.io/stable\n"
        "  # crds chart version 1.16.6\n  - name: linkerd-crds\n    version: 1.16.6\n"
        "    repository: https://helm.linkerd.io/stable\n"), (
        "apiVersion: v2\nname: mesh\nversion: 0.0.0\ndependencies:\n  # the mesh\n  - name: linkerd-control-plane\n"
        "    # pinned: version 1.16.10\n    version: 1.16.10\n    repository: https://helm.linkerd.io/stable\n"
        "  # crds chart version 1.16.6\n  - name: linkerd-crds\n    version: 1.16.6\n"
        "    repository: https://helm.linkerd.io/stable\n")),
    "github=kyverno/kyverno": ("v1.6.0", (
        "resources:\n  # kyverno version 1.5.5\n  - https://raw.githubusercontent.com/kyverno/kyverno/v1.5.5/install.yaml\n"
        "  # policies version 1.5.5\n  - https://raw.githubusercontent.com/acme/policies/v1.5.5/all.yaml\n"), (
        "resources:\n  # kyverno version 1.6.0\n  - https://raw.githubusercontent.com/kyverno/kyverno/v1.6.0/install.yaml\n"
        "  # policies version 1.5.5\n  - https://raw.githubusercontent.com/acme/policies/v1.5.5/all.yaml\n")),
    "image=ghcr.io/acme/api": ("1.5.0", (
        "containers:\n  # api version 1.4.2\n  - image: ghcr.io/acme/api:1.4.2\n"
        "  # web version 1.4.2\n  - image: ghcr.io/acme/web:1.4.2\n"), (
        "containers:\n  # api version 1.5.0\n  - image: ghcr.io/acme/api:1.5.0\n"
        "  # web version 1.4.2\n  - image: ghcr.io/acme/web:1.4.2\n")),
}


def test_the_open_targets_move_the_version_comment_above_a_moved_line(tmp_path, capsys):
    for target, (version, before, after) in OPEN_TARGETS.items():
        name = "deploy/Chart.yaml" if target.startswith("chart=") else "deploy/kustomization.yaml"
        repo = write_tree(tmp_path / target.split("=")[0], {name: before})
        assert run(repo, target, f"version={version}") == 0, target
        assert (repo / name).read_text() == after, target
        code, second = report(repo, capsys, target, f"version={version}")
        assert code == 0 and second["files"] == [], target


def test_a_digest_pinned_image_keeps_its_version_comment_with_it(tmp_path, capsys):
    text = "containers:\n  # api version 1.4.2\n  - image: ghcr.io/acme/api:1.4.2@sha256:%s\n" % ("b" * 64)
    repo = write_tree(tmp_path, {"deploy.yaml": text})
    code, result = report(repo, capsys, "image=ghcr.io/acme/api", "version=1.5.0")
    assert code == 1 and result["files"] == []
    assert [(r["path"], r["line"]) for r in result["refused"]] == [("deploy.yaml", 3)]
