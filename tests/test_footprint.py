"""remove-service deletes the component's footprint and nothing else (ops/footprint.py): its own
folders (by name, gerund, or a folder and its parent spelling the name) and the files named after
it at configuration places; a same-named file of another component or of application code stays
and is listed with the reason. Each case compares the whole tree after the run byte for byte,
then runs again to show a second run changes nothing."""

from __future__ import annotations

import json

from gitops_bot.cli import main
from gitops_bot.domain.names import service_name

from .conftest import tree_bytes, write_tree


def remove(root, service: str, capsys, again: int = 0) -> tuple[dict[str, bytes], dict[str, str]]:
    """Apply remove-service and return the tree and the residue's reason per path (the planned
    residue first, as JSON), after checking that a second run (exiting with `again`) changes
    nothing."""
    capsys.readouterr()
    assert main(["plan", "remove-service", f"service={service}", "--repo", str(root), "--format", "json"]) == 0
    residue = {f["path"]: f["reason"] for f in json.loads(capsys.readouterr().out)["residue"] if f["line"] == 0}
    assert main(["apply", "remove-service", f"service={service}", "--repo", str(root)]) == 0
    after = tree_bytes(root)
    assert main(["apply", "remove-service", f"service={service}", "--repo", str(root)]) == again
    assert tree_bytes(root) == after  # idempotent
    return after, residue


def expect(before: dict[str, str], gone: set[str]) -> dict[str, bytes]:
    assert gone <= set(before)
    return {p: t.encode() for p, t in before.items() if p not in gone}


# -- folders ------------------------------------------------------------------------------
def test_a_gerund_folder_goes_but_plural_and_longer_folders_stay(tmp_path, capsys):
    before = {
        "services/cart/main.go": "package main\n",
        "test/tracetesting/cart/get.yaml": "type: Test\n",
        "test/tracetests/notes.txt": "kept: a plural is another folder\n",
        "test/tracetesting-archive/old.yaml": "type: Test\n",
        "docs/tracetest.md": "# Trace tests\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "tracetest", capsys)
    assert after == expect(before, {"test/tracetesting/cart/get.yaml", "docs/tracetest.md"})
    assert residue == {}


def test_the_plural_of_a_name_is_a_sibling_and_stays(tmp_path, capsys):
    before = {
        "schedulers/argo-workflow/main.tf": "locals {}\n",
        "infra/argo-workflows.tf": "locals {}\n",
        "examples/argo-workflows/wf.yaml": "kind: Workflow\n",
        "videos-archive/list.txt": "x\n",
    }
    write_tree(tmp_path, before)
    after, _ = remove(tmp_path, "argo-workflow", capsys)
    assert after == expect(before, {"schedulers/argo-workflow/main.tf"})


def test_the_page_its_readme_sends_readers_to_goes_under_another_name(tmp_path, capsys):
    # the folder's README links to its docs page (a site URL: folder and name of the page), and
    # the page points back at the folder: the page is the component's, plural name or not
    readme = "See the [guide](https://example.org/docs/schedulers/argo-workflows-guide).\n"
    page = ("# Argo Workflows\n\n[Code](https://github.com/o/r/tree/main/blueprints/argo-workflow)\n\n"
            "```\ncd r/blueprints/argo-workflow\n```\n")
    before = {
        "blueprints/argo-workflow/main.tf": "locals {}\n",
        "blueprints/argo-workflow/README.md": readme,
        "site/docs/schedulers/argo-workflows-guide.md": page,
        "site/docs/schedulers/batch.md": "# Batch\n",
    }
    write_tree(tmp_path, before)
    after, _ = remove(tmp_path, "argo-workflow", capsys)
    assert after == expect(before, {"blueprints/argo-workflow/main.tf", "blueprints/argo-workflow/README.md",
                                    "site/docs/schedulers/argo-workflows-guide.md"})


def test_pages_only_linked_to_or_only_naming_the_folder_stay(tmp_path, capsys):
    # the README links to a shared page that does not name the folder; another guide names the
    # folder but the README does not send readers there; a page of the same name in another
    # docs folder is another page; a longer folder name is another folder
    readme = ("See [setup](../../site/docs/start/setup.md) and "
              "[the guide](https://example.org/docs/schedulers/argo-workflows-guide).\n")
    before = {
        "blueprints/argo-workflow/main.tf": "locals {}\n",
        "blueprints/argo-workflow/README.md": readme,
        "site/docs/start/setup.md": "# Setup\n\nInstall the CLI.\n",
        "site/docs/spark/argo-workflows.md": "Code in [blueprints/argo-workflow](../../../blueprints/argo-workflow)\n",
        "site/docs/other/argo-workflows-guide.md": "cd blueprints/argo-workflow\n",
        "site/docs/schedulers/argo-workflows-guide.md": "cd blueprints/argo-workflow-spark\n",
    }
    write_tree(tmp_path, before)
    after, _ = remove(tmp_path, "argo-workflow", capsys)
    assert after == expect(before, {"blueprints/argo-workflow/main.tf", "blueprints/argo-workflow/README.md"})


def test_a_folder_and_its_parent_spelling_the_name_go(tmp_path, capsys):
    before = {
        "platform/istio/gateway/base/values.yaml": "replicas: 1\n",
        "platform/istio/gateway/overlays/prod/values.yaml": "replicas: 2\n",
        "platform/istio/base/values.yaml": "x: 1\n",
        "platform/envoy/gateway/values.yaml": "x: 1\n",
    }
    write_tree(tmp_path, before)
    after, _ = remove(tmp_path, "istio-gateway", capsys)
    assert after == expect(before, {"platform/istio/gateway/base/values.yaml",
                                    "platform/istio/gateway/overlays/prod/values.yaml"})


def test_a_same_named_source_folder_inside_another_project_stays(tmp_path, capsys):
    before = {
        "src/llm/Dockerfile": "FROM python:3.12\n",
        "src/llm/app.py": "print('x')\n",
        "src/agent/Dockerfile": "FROM python:3.12\n",
        "src/agent/agents/llm/__init__.py": "def complete(p):\n    return p\n",
        "test/tracetesting/Dockerfile": "FROM alpine\n",
        "test/tracetesting/llm/get.yaml": "type: Test\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "llm", capsys)
    # the tests folder of the llm inside the tests project is config, and goes with it
    assert after == expect(before, {"src/llm/Dockerfile", "src/llm/app.py", "test/tracetesting/llm/get.yaml"})
    assert residue == {"src/agent/agents/llm/": "named like llm but inside src/agent, another component's "
                                                 "source: kept"}


def test_a_short_form_folder_inside_another_project_stays(tmp_path, capsys):
    before = {
        "services/video-service/go.mod": "module video\n",
        "services/frontend/package.json": "{}\n",
        "services/frontend/public/video/intro.mp4": "mp4\n",
        "services/frontend/public/video-service/help.txt": "help\n",
        "docs/video/index.md": "# Video\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "video-service", capsys)
    # the full name is the component's wherever it is; the short form only outside other projects
    assert after == expect(before, {"services/video-service/go.mod", "services/frontend/public/video-service/help.txt",
                                    "docs/video/index.md"})
    assert residue == {"services/frontend/public/video/": "named like video-service's short form but inside "
                                                          "services/frontend, another component: kept"}


def test_a_project_named_after_the_component_goes_inside_a_workspace(tmp_path, capsys):
    before = {
        "apps/package.json": "{}\n",
        "apps/video/package.json": "{}\n",
        "apps/video/index.ts": "export {}\n",
        "apps/web/package.json": "{}\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "video", capsys)
    assert after == expect(before, {"apps/video/package.json", "apps/video/index.ts"})
    assert residue == {}


# -- files --------------------------------------------------------------------------------
PLATFORM = {
    "services/video-service/Dockerfile": "FROM golang:1.23\n",
    "services/video-service/main.go": "package main\n",
    "services/media-service/Dockerfile": "FROM golang:1.23\n",
    "services/media-service/internal/transcode/video.go": "package transcode\n",
    "services/media-service/config/video-service.yaml": "timeout: 5s\n",
    "services/frontend/package.json": "{}\n",
    "services/frontend/src/api/videoService.ts": "export const videoService = {}\n",
    "scripts/lib/video_service.py": "URL = 'http://x'\n",
    "k8s/argocd/apps/dev/video-service.yaml": "kind: Application\n",
    "k8s/argocd/apps/dev/media-service.yaml": "kind: Application\n",
    "dashboards/video-service.json": "{}\n",
    "docs/img/video-service-flow.png": "png\n",
    "website/package.json": "{}\n",
    "website/docs/video-service.md": "# Video\n",
}


def test_same_named_files_of_other_components_and_code_stay_and_are_listed(tmp_path, capsys):
    write_tree(tmp_path, PLATFORM)
    # once the component is gone, what is left of its name is in most components: a second run
    # refuses the name as structure (exit 2) and changes nothing
    after, residue = remove(tmp_path, "video-service", capsys, again=2)
    assert after == expect(PLATFORM, {"services/video-service/Dockerfile", "services/video-service/main.go",
                                      "k8s/argocd/apps/dev/video-service.yaml", "dashboards/video-service.json",
                                      "website/docs/video-service.md"})
    assert residue == {
        "services/media-service/internal/transcode/video.go":
            "source code named like video-service but inside services/media-service, another component: kept",
        "services/media-service/config/video-service.yaml":
            "a file named like video-service but inside services/media-service, another component: kept",
        "services/frontend/src/api/videoService.ts":
            "source code named like video-service but inside services/frontend, another component: kept",
        "scripts/lib/video_service.py":
            "source code named like video-service: kept (code goes only with the component's folder)",
        "docs/img/video-service-flow.png":
            "an image named like video-service: kept (a page outside its folders may show it)",
    }


def test_a_file_with_the_words_in_another_order_goes(tmp_path, capsys):
    before = {
        "core/components/ingress-beta.tf": "locals {}\n",
        "core/components/ingress-default.tf": "locals {}\n",
        "core/components/beta.tf": "locals {}\n",
    }
    write_tree(tmp_path, before)
    after, _ = remove(tmp_path, "beta-ingress", capsys)
    assert after == expect(before, {"core/components/ingress-beta.tf"})


# -- two components of one name -----------------------------------------------------------
def test_two_components_of_one_name_and_shape_are_both_kept_and_listed(tmp_path, capsys):
    before = {
        "analytics/terraform/superset-on-eks/main.tf": "locals {}\n",
        "analytics/terraform/superset-on-eks/cleanup.sh": "#!/bin/sh\n",
        "data-stacks/superset-on-eks/cleanup.sh": "#!/bin/sh\n",
        "data-stacks/superset-on-eks/deploy.sh": "#!/bin/sh\n",
        "docs/datastacks/superset-on-eks/index.md": "# Superset\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "superset-on-eks", capsys)
    assert after == expect(before, set())
    why = ("2 components are named superset-on-eks (analytics/terraform/superset-on-eks, "
           "data-stacks/superset-on-eks): delete the one you mean by hand, or limit the run to it with paths=")
    assert residue == {"analytics/terraform/superset-on-eks/": why, "data-stacks/superset-on-eks/": why,
                       "docs/datastacks/superset-on-eks/": why}


def test_one_component_per_environment_is_not_two_components(tmp_path, capsys):
    before = {
        "terraform/dev/video/main.tf": "locals {}\n",
        "terraform/prod/video/main.tf": "locals {}\n",
        "terraform/prod/cart/main.tf": "locals {}\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "video", capsys)
    assert after == expect(before, {"terraform/dev/video/main.tf", "terraform/prod/video/main.tf"})
    assert residue == {}


def test_a_chart_and_its_app_folder_are_one_component(tmp_path, capsys):
    before = {
        "charts/video/Chart.yaml": "name: video\n",
        "charts/video/values.yaml": "replicas: 1\n",
        "argocd/apps/video/values.yaml": "replicas: 2\n",
        "argocd/apps/cart/values.yaml": "replicas: 2\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "video", capsys)
    assert after == expect(before, {"charts/video/Chart.yaml", "charts/video/values.yaml",
                                    "argocd/apps/video/values.yaml"})
    assert residue == {}


def test_only_same_named_files_of_others_left_changes_nothing(tmp_path, capsys):
    before = {
        "services/media-service/Dockerfile": "FROM golang:1.23\n",
        "services/media-service/internal/transcode/video.go": "package transcode\n",
        "services/cart/main.go": "package main\n",
        "services/checkout/main.go": "package main\n",
        "scripts/lib/video_service.py": "URL = 'http://x'\n",
        "docs/img/video-service-flow.png": "png\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "video-service", capsys)
    assert after == expect(before, set())
    assert set(residue) == {"services/media-service/internal/transcode/video.go", "scripts/lib/video_service.py",
                            "docs/img/video-service-flow.png"}


# -- names --------------------------------------------------------------------------------
def test_folder_names_of_a_component():
    tracetest = service_name("tracetest")
    assert tracetest.names_folder("tracetesting") and tracetest.names_folder("tracetest")
    assert not tracetest.names_folder("tracetests") and not tracetest.names_folder("tracetesting-old")
    assert service_name("manage").names_folder("managing")
    assert not service_name("video-service").names_folder("video-servicing")
    video = service_name("video", {"video-archive"})
    assert not video.names_folder("videos") and not video.names_folder("videos-archive")
    assert not video.names_folder("video-archive")
    gateway = service_name("istio-gateway")
    assert gateway.spelled_by("istio", "gateway") and not gateway.spelled_by("istio", "base")
    assert not service_name("video-service").spelled_by("video", "service")  # `video/` alone is the short form
    assert service_name("beta-ingress").reorders("ingress-beta")
    assert not service_name("beta-ingress").reorders("beta-ingress")
    assert not service_name("beta-ingress", {"ingress-beta"}).reorders("ingress-beta")


# -- the inventory: project folders are components ----------------------------------------
def test_compose_services_the_component_owns_go_but_a_sibling_projects_stay(tmp_path, capsys):
    compose = ("services:\n"
               "  frontend:\n    build: ./src/frontend\n"
               "  frontend-cache:\n    image: valkey:8\n"
               "  frontend-proxy:\n    build: ./src/frontend-proxy\n"
               "  cart:\n    build: ./src/cart\n")
    before = {
        "src/frontend/Dockerfile": "FROM node:22\n",
        "src/frontend-proxy/Dockerfile": "FROM envoyproxy/envoy:v1.32\n",
        "src/cart/Dockerfile": "FROM golang:1.23\n",
        "compose.yaml": compose,
    }
    write_tree(tmp_path, before)
    after, _ = remove(tmp_path, "frontend", capsys)
    expected = expect(before, {"src/frontend/Dockerfile"})
    # frontend-proxy is a project of its own (its Dockerfile), so a component, never frontend's
    expected["compose.yaml"] = ("services:\n"
                                "  frontend-proxy:\n    build: ./src/frontend-proxy\n"
                                "  cart:\n    build: ./src/cart\n").encode()
    assert after == expected


# -- files another component builds from --------------------------------------------------
def test_a_named_file_in_a_folder_another_components_dockerfile_copies_stays(tmp_path, capsys):
    before = {
        "src/reviews/Dockerfile": "FROM python:3.12\nCOPY schema/ /app/schema/\n",
        "src/reviews/app.py": "print('reviews')\n",
        # the docs builder copies the whole schema folder (from the repository root)
        "src/schema-docs/Dockerfile": "FROM weaver:1\nCOPY --from=base /x /x\nCOPY schema /workspace/schema\n",
        "schema/services/reviews.yaml": "id: service.reviews\n",
        "schema/services/cart.yaml": "id: service.cart\n",
        "schema/services/reviews.md": "# Reviews\n",
        # nobody copies deploy/: the file named after the component is its own
        "deploy/reviews.yaml": "kind: Deployment\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "reviews", capsys)
    assert after == expect(before, {"src/reviews/Dockerfile", "src/reviews/app.py", "deploy/reviews.yaml",
                                    "schema/services/reviews.md"})
    assert residue == {"schema/services/reviews.yaml": "inside schema/, which src/schema-docs/Dockerfile copies "
                                                       "into its image: kept (another component's input)"}


def test_a_folder_only_the_components_own_or_a_stage_copies_is_no_input(tmp_path, capsys):
    before = {
        "src/reviews/Dockerfile": "FROM python:3.12\nCOPY data/ /app/data/\n",
        "src/cart/Dockerfile": "FROM golang:1.23\nCOPY --from=build data /data\nCOPY [\"cfg\", \"/cfg\"]\n",
        "data/reviews.json": "{}\n",
        "cfg/reviews.yaml": "a: 1\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "reviews", capsys)
    assert after == expect(before, {"src/reviews/Dockerfile", "data/reviews.json", "cfg/reviews.yaml"})
    assert residue == {}


def test_a_deleted_folder_takes_its_vendored_dependencies(tmp_path, capsys):
    before = {
        "services/video/main.go": "package main\n",
        "services/video/vendor/github.com/acme/lib/lib.go": "package lib\n",
        "services/video/assets/vendor/topbar.js": "// vendored\n",
        "services/cart/vendor/github.com/acme/lib/lib.go": "package lib\n",  # another component's
        "services/cart/main.go": "package main\n",
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "video", capsys)
    assert after == expect(before, {"services/video/main.go", "services/video/vendor/github.com/acme/lib/lib.go",
                                    "services/video/assets/vendor/topbar.js"})
    assert residue == {}


def test_the_names_deleted_folders_go_by_are_searched_only_when_they_are_the_components(tmp_path):
    from gitops_bot.domain.worktree import Worktree
    from gitops_bot.ops.footprint import footprint, project_dirs

    def aliases(folder, files, component):
        tree = Worktree(write_tree(tmp_path / folder, files))
        return footprint(tree, service_name(component), project_dirs(tree)).aliases
    # the gerund folder is the component's other name; `gateway` of istio/gateway is a word of many
    assert aliases("a", {"test/tracetesting/run.bash": "x\n"}, "tracetest") == ["tracetesting"]
    assert aliases("b", {"istio/gateway/values.yaml": "a: 1\n"}, "istio-gateway") == []
    assert aliases("c", {"services/video/main.go": "package main\n"}, "video") == []



# -- manifests named for it that are another tool's configuration ---------------------------
def _release(name: str) -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\n"
            f"spec:\n  chart:\n    spec:\n      chart: {name}\n")


def _kustomization(*resources: str) -> str:
    return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + \
        "".join(f"  - ./{r}\n" for r in resources)


BACKUPS = {
    "apps/storage/snapper/helmrelease.yaml": _release("snapper"),
    "apps/storage/snapper/kustomization.yaml": _kustomization("helmrelease.yaml"),
    "apps/backup-system/stasher/helmrelease.yaml": _release("stasher"),
    "apps/backup-system/stasher/kustomization.yaml": _kustomization("helmrelease.yaml"),
    # the successor's repository still called after the old tool's data folder
    "apps/storage/stasher-repository/repository.yaml": (
        "apiVersion: stasher.example.com/v1alpha1\nkind: ClusterRepository\nmetadata:\n  name: snapper\n"
        "spec:\n  path: /mnt/nas/snapper\n"),
    "apps/storage/stasher-repository/kustomization.yaml": _kustomization("repository.yaml"),
    # a category label of a group (nothing installed by that name) is no tool: the monitor goes
    "apps/monitoring/monitors/snapper.yaml": (
        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: snapper\n"
        "spec:\n  endpoints:\n    - port: metrics\n"),
    "apps/monitoring/monitors/kustomization.yaml": _kustomization("snapper.yaml", "other.yaml"),
    "apps/monitoring/monitors/other.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n",
    "apps/monitoring/kube-prometheus-stack/helmrelease.yaml": _release("kube-prometheus-stack"),
    **{f"apps/{ns}/{app}/helmrelease.yaml": _release(app)
       for ns, app in [("default", "plex"), ("media", "sonarr"), ("network", "cilium"), ("system", "reloader")]},
}


def test_a_manifest_named_for_it_in_another_tools_folder_of_that_tools_api_group_stays(tmp_path, capsys):
    write_tree(tmp_path, BACKUPS)
    after, residue = remove(tmp_path, "snapper", capsys)
    gone = {"apps/storage/snapper/helmrelease.yaml", "apps/storage/snapper/kustomization.yaml",
            "apps/monitoring/monitors/snapper.yaml"}
    expected = expect(BACKUPS, gone)
    expected["apps/monitoring/monitors/kustomization.yaml"] = _kustomization("other.yaml").encode()
    assert after == expected
    assert residue == {"apps/storage/stasher-repository/repository.yaml":
                       "named for snapper, but resources of stasher's API group in its folder: stasher's "
                       "configuration, kept"}


def test_the_components_namespace_folder_goes_with_its_namespace(tmp_path, capsys):
    """`storage/openebs-system/` holds the namespace and the component's app folder only: the
    namespace was the component's, and the folder goes whole. A namespace folder named for
    something else (`database/`) that held only the component stays, listed."""
    before = {
        "apps/openebs-system/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openebs-system\n",
        "apps/openebs-system/kustomization.yaml": _kustomization("namespace.yaml", "openebs/ks.yaml"),
        "apps/openebs-system/openebs/ks.yaml": _release("openebs"),
        "apps/database/kustomization.yaml": _kustomization("vernemq/ks.yaml"),
        "apps/database/vernemq/ks.yaml": _release("vernemq"),
        **{f"apps/{ns}/{app}/helmrelease.yaml": _release(app)
           for ns, app in [("default", "plex"), ("media", "sonarr"), ("network", "cilium"), ("system", "reloader")]},
    }
    write_tree(tmp_path, before)
    after, residue = remove(tmp_path, "openebs", capsys)
    assert after == expect(before, {"apps/openebs-system/namespace.yaml", "apps/openebs-system/kustomization.yaml",
                                    "apps/openebs-system/openebs/ks.yaml"})
    assert residue == {}
    after, residue = remove(tmp_path, "vernemq", capsys)
    assert "apps/database/kustomization.yaml" in residue
    assert after["apps/database/kustomization.yaml"] == b"apiVersion: kustomize.config.k8s.io/v1beta1\n" \
        b"kind: Kustomization\nresources:\n"
