"""`gitops-bot components`: the inventory of components from the repository's own structure,
every kind of evidence on a constructed tree, the bundled example repository, text and JSON."""

from __future__ import annotations

import json

from gitops_bot.cli import main
from gitops_bot.domain.worktree import Worktree
from gitops_bot.ops.inventory import KINDS, inventory

from .conftest import ROOT, write_tree

APPLICATION = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
spec:
  source:
    repoURL: https://example.com/platform.git
    path: {path}
"""

TREE = {
    "go.work": "go 1.24\n\nuse (\n\t./services/video-service\n\t./libs/common\n)\n",
    "services/video-service/go.mod": "module video\n",
    "services/video-service/Dockerfile": "FROM scratch\n",
    "services/video-service/cmd/server/main.go": "package main\n",
    "services/auth-service/cmd/server/go.mod": "module auth\n",  # named by the folder above server/
    "services/board-service/cmd/server/go.mod": "module board\n",
    "libs/common/go.mod": "module common\n",
    "charts/video/Chart.yaml": "apiVersion: v2\nname: video-service\nversion: 0.1.0\n"
                               "dependencies:\n  - name: redis\n",
    "deploy/apps/dev/video-service.yaml": APPLICATION.format(name="video-service-dev", path="charts/video"),
    "deploy/apps/dev/ingress.yaml": APPLICATION.format(name="ingress", path="deploy/ingress"),
    "deploy/ingress/kustomization.yaml": "resources: []\n",
    "deploy/appsets/preview.yaml": """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: preview
spec:
  generators:
    - matrix:
        generators:
          - list:
              elements:
                - app: chat-service
          - clusters: {}
  template:
    metadata:
      name: 'preview-{{app}}'
""",
    "docker/compose.yaml": "services:\n  video-service:\n    build: ../services/video-service\n"
                           "  redis:\n    image: redis:7\n",
    "platform/mesh/upstream/base/kustomization.yaml": "resources: []\n",
    "platform/dns/upstream/base/kustomization.yaml": "resources: []\n",
    "terraform/modules/video_service/main.tf": "variable \"x\" {}\n",
    "docs/notes.yaml": "kind: Application\nname: not-argocd\n",  # not argoproj.io: no evidence
    "README.md": "# platform\n",
}


def _by_name(root):
    return {c.name: c for c in inventory(Worktree(root))}


def test_every_kind_of_evidence_and_the_paths_it_owns(tmp_path):
    write_tree(tmp_path, TREE)
    found = _by_name(tmp_path)
    assert sorted(found) == ["auth-service", "board-service", "chat-service", "common", "dns", "ingress", "mesh",
                             "redis", "video-service"]
    video = found["video-service"]
    assert [(e.kind, e.source, e.detail) for e in video.evidence] == [
        ("go.work use", "go.work:4", ""),
        ("build file", "services/video-service/", "Dockerfile, go.mod"),
        ("helm chart", "charts/video/Chart.yaml", ""),
        ("argocd application", "deploy/apps/dev/video-service.yaml", ""),  # deploys charts/video: video's
        ("compose service", "docker/compose.yaml", ""),
        ("terraform module", "terraform/modules/video_service/", ""),  # another spelling, one component
    ]
    assert video.paths == ["charts/video/", "deploy/apps/dev/video-service.yaml", "services/video-service/",
                           "terraform/modules/video_service/"]
    assert [(e.kind, e.source) for e in found["chat-service"].evidence] == \
        [("applicationset element", "deploy/appsets/preview.yaml")]
    assert found["ingress"].paths == ["deploy/apps/dev/ingress.yaml", "deploy/ingress/"]
    assert [e.source for e in found["auth-service"].evidence] == ["services/auth-service/cmd/server/"]
    assert [(e.kind, e.source) for e in found["mesh"].evidence] == \
        [("kustomize base", "platform/mesh/upstream/base/kustomization.yaml")]
    assert found["mesh"].paths == ["platform/mesh/upstream/"]
    assert found["redis"].paths == []  # an image only: nothing in the tree is its own


FLUX_KS = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
spec:
  path: {path}
  sourceRef: {{kind: GitRepository, name: flux-system}}
"""
RELEASE = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\nspec: {{}}\n"


def test_flux_kustomizations_and_helm_releases_declare_components(tmp_path):
    write_tree(tmp_path, {
        # the cluster's layout: applies the folder of every app (not a component)
        "kubernetes/flux/cluster/ks.yaml": FLUX_KS.format(name="cluster-apps", path="./kubernetes/apps"),
        # an app folder of the onedr0p layout: ks.yaml beside app/helmrelease.yaml
        "kubernetes/apps/default/echo/ks.yaml": FLUX_KS.format(name="echo", path="./kubernetes/apps/default/echo/app"),
        "kubernetes/apps/default/echo/app/helmrelease.yaml": RELEASE.format(name="echo"),
        "kubernetes/apps/default/atuin/ks.yaml": FLUX_KS.format(name="atuin",
                                                                path="./kubernetes/apps/default/atuin/app"),
        "kubernetes/apps/default/atuin/app/helmrelease.yaml": RELEASE.format(name="atuin"),
        # several releases of one folder (billimek's layout): each owns its file only
        "kubernetes/monitoring/releases.yaml": RELEASE.format(name="grafana") + "---\n" + RELEASE.format(name="loki"),
        # stefanprodan/gitops-istio's `apps` over ./apps: folders of plain manifests, the layout too
        "clusters/my-cluster/apps.yaml": FLUX_KS.format(name="apps", path="./apps"),
        "apps/backend/deployment.yaml": "kind: Deployment\n",
        "apps/frontend/deployment.yaml": "kind: Deployment\n",
        # a path relative to another source (an OCI artifact), and a template's name: no evidence
        "clusters/prod/apps.yaml": FLUX_KS.format(name="prod-apps", path="./production"),
        "components/app/ks.yaml": FLUX_KS.format(name="${APP}", path="./components"),
    })
    found = _by_name(tmp_path)
    assert sorted(found) == ["atuin", "echo", "grafana", "loki"]
    assert [(e.kind, e.source) for e in found["echo"].evidence] == [
        ("flux kustomization", "kubernetes/apps/default/echo/ks.yaml"),
        ("helm release", "kubernetes/apps/default/echo/app/helmrelease.yaml")]
    echo = "kubernetes/apps/default/echo/"
    assert found["echo"].paths == [echo + "app/", echo + "app/helmrelease.yaml", echo + "ks.yaml"]
    assert found["loki"].paths == ["kubernetes/monitoring/releases.yaml"]


def test_an_empty_or_unparsable_tree_has_no_components(tmp_path):
    assert inventory(Worktree(tmp_path)) == []
    write_tree(tmp_path, {"go.work": "use (\n", "docker-compose.yml": "services: [\n",
                          "apps/a.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: [\n"})
    assert inventory(Worktree(tmp_path)) == []


def test_text_output(tmp_path, capsys):
    write_tree(tmp_path, {"go.work": "use ./svc/video-service\n", "svc/video-service/go.mod": "module v\n"})
    assert main(["components", "--repo", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        "video-service\n"
        "  go.work use              go.work:1\n"
        "  build file               svc/video-service/ (go.mod)\n"
        "  own paths                svc/video-service/\n"
        "1 component\n")


def test_json_output_on_the_example_repository(capsys):
    repo = ROOT / "examples" / "monorepo"
    assert main(["components", "--repo", str(repo), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["format_version"] == 1
    names = [c["name"] for c in payload["components"]]
    assert names == ["auth-service", "board-service", "chat-service", "common-go", "frontend", "infra",
                     "istio-config", "livekit", "monitoring", "notification-service", "postgres", "redis",
                     "user-service", "video-service"]
    video = next(c for c in payload["components"] if c["name"] == "video-service")
    assert {e["kind"] for e in video["evidence"]} == {"go.work use", "build file", "helm chart", "argocd application",
                                                      "applicationset element", "compose service"}
    assert video["paths"] == ["k8s/argocd/apps/dev/video-service.yaml", "k8s/argocd/apps/prod/video-service.yaml",
                              "k8s/helm/charts/video-service/", "services/video-service/"]
    assert all(e["kind"] in KINDS for c in payload["components"] for e in c["evidence"])


def test_bad_repo_is_exit_2(tmp_path, capsys):
    assert main(["components", "--repo", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err
