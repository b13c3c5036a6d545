"""set-version's open targets: `image=` (every reference to one container image, `to=` to move
it, `digest=` for pinned references) and `chart=` (every place one Helm chart's version is set).
Constructed before/after trees compared byte for byte, look-alikes that must not move, the
residue, idempotence, and the parameter contract."""

from __future__ import annotations


import pytest


from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

IMAGE = "ghcr.io/acme/api"
DIGEST = "@sha256:" + "a" * 64

# path -> (before, after) for `image=ghcr.io/acme/api version=1.5.0`
IMAGE_FORMS = {
    "k8s/deploy.yaml": (
        "spec:\n  containers:\n    - name: api\n      image: ghcr.io/acme/api:1.4.2  # pinned\n"
        "    - name: sidecar\n      image: ghcr.io/acme/api-sidecar:1.4.2\n"
        "    - name: mirror\n      image: mirror.ghcr.io/acme/api:1.4.2\n"
        "    - name: hub\n      image: docker.io/acme/api:1.4.2\n",
        "spec:\n  containers:\n    - name: api\n      image: ghcr.io/acme/api:1.5.0  # pinned\n"
        "    - name: sidecar\n      image: ghcr.io/acme/api-sidecar:1.4.2\n"
        "    - name: mirror\n      image: mirror.ghcr.io/acme/api:1.4.2\n"
        "    - name: hub\n      image: docker.io/acme/api:1.4.2\n"),
    "chart/values.yaml": (
        "image:\n  repository: ghcr.io/acme/api\n  tag: \"1.4.2\"\n  pullPolicy: IfNotPresent\n"
        "worker:\n  image: {repository: ghcr.io/acme/api, tag: v1.4.2}\n"
        "split:\n  image:\n    registry: ghcr.io\n    repository: acme/api\n    tag: 1.4.2-alpine\n"
        "other:\n  image:\n    repository: ghcr.io/acme/web\n    tag: 1.4.2\n"
        "job:\n  image: ghcr.io/acme/api\n  tag: 1.4.2\n",
        "image:\n  repository: ghcr.io/acme/api\n  tag: \"1.5.0\"\n  pullPolicy: IfNotPresent\n"
        "worker:\n  image: {repository: ghcr.io/acme/api, tag: v1.5.0}\n"  # its own v form
        "split:\n  image:\n    registry: ghcr.io\n    repository: acme/api\n    tag: 1.5.0-alpine\n"
        "other:\n  image:\n    repository: ghcr.io/acme/web\n    tag: 1.4.2\n"
        "job:\n  image: ghcr.io/acme/api\n  tag: 1.5.0\n"),
    "docker-compose.yml": (
        "services:\n  api:\n    image: 'ghcr.io/acme/api:1.4.2'\n",
        "services:\n  api:\n    image: 'ghcr.io/acme/api:1.5.0'\n"),
    "Dockerfile": (
        "FROM ghcr.io/acme/api:1.4.2 AS base\nRUN echo ghcr.io/acme/api\n",
        "FROM ghcr.io/acme/api:1.5.0 AS base\nRUN echo ghcr.io/acme/api\n"),
    ".github/workflows/ci.yaml": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container: ghcr.io/acme/api:1.4.2\n"
        "    services:\n      api:\n        image: ghcr.io/acme/api:1.4.2\n    steps:\n      - run: make test\n",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container: ghcr.io/acme/api:1.5.0\n"
        "    services:\n      api:\n        image: ghcr.io/acme/api:1.5.0\n    steps:\n      - run: make test\n"),
    "overlays/prod/kustomization.yaml": (
        "resources:\n  - ../../k8s\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.4.2\n"
        "  - name: busybox\n    newName: ghcr.io/acme/api\n    newTag: \"1.4.2\"\n"
        "  - name: ghcr.io/acme/web\n    newTag: 1.4.2\n",
        "resources:\n  - ../../k8s\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.5.0\n"
        "  - name: busybox\n    newName: ghcr.io/acme/api\n    newTag: \"1.5.0\"\n"
        "  - name: ghcr.io/acme/web\n    newTag: 1.4.2\n"),
    "infra/main.tf": (
        'locals {\n  api_image = "ghcr.io/acme/api:1.4.2"\n  istio     = "1.4.2"\n}\n',
        'locals {\n  api_image = "ghcr.io/acme/api:1.5.0"\n  istio     = "1.4.2"\n}\n'),
    "jsonnet/params.libsonnet": (
        '{\n  image: "ghcr.io/acme/api:1.4.2",\n}\n',
        '{\n  image: "ghcr.io/acme/api:1.5.0",\n}\n'),
    # Timoni's values.cue writes Helm's pair in CUE (podinfo's release moved its tag); the test
    # image's pair below names another repository
    "timoni/values.cue": (
        'values: {\n\timage: {\n\t\trepository: "ghcr.io/acme/api"\n\t\ttag:        "1.4.2"\n\t\tdigest:     ""\n'
        '\t}\n\ttest: image: {\n\t\trepository: "ghcr.io/acme/web"\n\t\ttag:        "1.4.2"\n\t}\n}\n',
        'values: {\n\timage: {\n\t\trepository: "ghcr.io/acme/api"\n\t\ttag:        "1.5.0"\n\t\tdigest:     ""\n'
        '\t}\n\ttest: image: {\n\t\trepository: "ghcr.io/acme/web"\n\t\ttag:        "1.4.2"\n\t}\n}\n'),
}
UNCHANGED = {
    "scripts/env.sh": "ISTIO_VERSION=1.4.2\n",
    "README.md": "Run `docker run ghcr.io/acme/api:1.4.2` locally.\n",
    "k8s/debug.yaml": "image: ghcr.io/acme/api:latest\n",
}


def test_a_url_whose_host_is_spelled_like_the_image_is_no_reference(tmp_path, capsys):
    """`tcp://:redis@redis:6379` (podinfo's Timoni values) names a host and a port, not the image
    `redis` at tag 6379: it stays, and is not reported as a version found."""
    text = 'redisURL: "tcp://:redis@redis:6379"\nimage: redis:8.6.1\nurl: "redis://cache:redis:6379"\n'
    repo = write_tree(tmp_path, {"debug_values.cue": text})
    code, result = report(repo, capsys, "image=redis", "version=8.6.3")
    assert code == 0 and all("6379" not in f["reason"] for f in result["found"])
    assert run(repo, "image=redis", "version=8.6.3") == 0
    assert (repo / "debug_values.cue").read_text() == text.replace("redis:8.6.1", "redis:8.6.3")


def test_image_version_moves_in_every_form_and_nothing_else(tmp_path, capsys):
    repo = write_tree(tmp_path, {**{p: b for p, (b, _a) in IMAGE_FORMS.items()}, **UNCHANGED})
    assert run(repo, f"image={IMAGE}", "version=1.5.0") == 0
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted({**{p: a for p, (_b, a) in IMAGE_FORMS.items()},
                                                                   **UNCHANGED}.items())}
    code, second = report(repo, capsys, f"image={IMAGE}", "version=1.5.0")
    assert code == 0 and second["files"] == []  # idempotent
    residue = {(r["path"], r["line"]): r["reason"] for r in second["residue"]}
    assert residue[("README.md", 1)] == "image reference in documentation: not changed"
    assert residue[("k8s/debug.yaml", 1)] == "tag 'latest' is not a version: left as it is"


def test_docker_hub_spellings_are_one_image_and_untagged_references_are_reported(tmp_path, capsys):
    repo = write_tree(tmp_path, {
        "a.yaml": "image: weaveworksdemos/front-end:0.3.10\n",
        "b.yaml": "image: docker.io/weaveworksdemos/front-end:0.3.10\n",
        "compose.yml": "services:\n  web:\n    image: weaveworksdemos/front-end\n",
        "c.yaml": "image: weaveworksdemos/front-end-v2:0.3.10\n",
        "values.yaml": "image:\n  repository: weaveworksdemos/front-end\n  tag: \"\"\n"})
    code, result = report(repo, capsys, "image=weaveworksdemos/front-end", "version=0.3.11")
    assert code == 0
    assert sorted(f["path"] for f in result["files"]) == ["a.yaml", "b.yaml"]
    # no tag, no version to move: found (a reviewer sees it), not residue; the longer name at
    # the same version is another image, listed only as holding the version moved from
    assert [(r["path"], r["reason"]) for r in result["residue"]] == [
        ("c.yaml", "holds 0.3.10, the version weaveworksdemos/front-end moved from, in no form of it: check whether "
                   "it is the same")]
    assert ("compose.yml", "untagged image reference: untagged") in [(f["path"], f["reason"]) for f in result["found"]]


def test_a_digest_is_refused_unless_the_user_says_keep_or_drop(tmp_path):
    before = {"app.yaml": f"app:\n  image:\n    repository: {IMAGE}\n    tag: 1.4.2{DIGEST}\n",
              "pod.yaml": f"image: {IMAGE}:1.4.2{DIGEST}\n"}
    repo = write_tree(tmp_path / "refuse", before)
    assert run(repo, f"image={IMAGE}", "version=1.5.0") == 1  # refused: a human must finish
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(before.items())}
    repo = write_tree(tmp_path / "keep", before)
    assert run(repo, f"image={IMAGE}", "version=1.5.0", "digest=keep") == 0
    assert (repo / "pod.yaml").read_text() == f"image: {IMAGE}:1.5.0{DIGEST}\n"
    repo = write_tree(tmp_path / "drop", before)
    assert run(repo, f"image={IMAGE}", "version=1.5.0", "digest=drop") == 0
    assert (repo / "app.yaml").read_text() == f"app:\n  image:\n    repository: {IMAGE}\n    tag: 1.5.0\n"
    assert (repo / "pod.yaml").read_text() == f"image: {IMAGE}:1.5.0\n"
    assert run(repo, f"image={IMAGE}", "version=1.5.0", "digest=drop", "--exit-code", command="plan") == 0


def test_a_reference_of_an_older_major_is_a_pin_of_its_own(tmp_path, capsys):
    """bank-of-anthos: the database's `postgres:15-alpine` moves to 15.0-alpine; the psql client
    jobs pinned to `postgres:14-alpine` (an older major) stay and are listed; a run limited to
    them moves them."""
    before = {"db.yaml": "image: postgres:15-alpine\n", "jobs/populate.yaml": "image: postgres:14-alpine\n"}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "image=postgres", "version=15.0-alpine")
    assert code == 0 and [f["path"] for f in result["files"]] == ["db.yaml"]
    assert [(r["path"], r["reason"]) for r in result["residue"]] == [
        ("jobs/populate.yaml", "postgres: 14-alpine is of an older major than the current 15.0 here: a pin of its "
                               "own, not moved (a run limited to it with paths= moves it)")]
    assert run(repo, "image=postgres", "version=15.0-alpine", "paths=jobs/") == 0
    assert (repo / "jobs/populate.yaml").read_text() == "image: postgres:15.0-alpine\n"


def test_an_older_minor_moves_where_the_newest_is_written_and_is_a_pin_elsewhere(tmp_path, capsys):
    """podinfo bumped its Dockerfiles' alpine:3.21 to 3.22 and kept its chart test hooks on
    alpine:3.11; bank-of-anthos moved skaffold v2.1.0 and v2.3.1, both in its Cloud Build
    files, to v2.6.1. An older minor moves in the kinds of file that write the newest one, and
    is a pin of its own in the others."""
    before = {"Dockerfile": "FROM alpine:3.21\n", "build/Dockerfile": "FROM alpine:3.19 AS tools\n",
              "chart/templates/tests/hook.yaml": "image: alpine:3.11\n",
              # a major alone floats (sockshop pinned `rabbitmq:3` everywhere): it lags nothing
              "compose.yml": "services:\n  tools:\n    image: alpine:3\n"}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "image=alpine", "version=3.22")
    assert code == 0 and sorted(f["path"] for f in result["files"]) == ["Dockerfile", "build/Dockerfile", "compose.yml"]
    assert [(r["path"], r["reason"]) for r in result["residue"]] == [
        ("chart/templates/tests/hook.yaml", "alpine: 3.11 lags the current 3.21, which no helm file here writes: a "
                                            "pin of its own, not moved (a run limited to it with paths= moves it)")]
    assert run(repo, "image=alpine", "version=3.22") == 0
    assert (repo / "build/Dockerfile").read_text() == "FROM alpine:3.22 AS tools\n"
    assert (repo / "chart/templates/tests/hook.yaml").read_text() == "image: alpine:3.11\n"


def test_to_moves_the_repository_and_keeps_each_tag(tmp_path):
    repo = write_tree(tmp_path, {
        "values.yaml": "image:\n  repository: gcr.io/old/demo\n  tag: 0.1\n",
        "deploy.yaml": "- image: gcr.io/old/demo:0.2\n",
        "app.jsonnet": 'function(image="gcr.io/old/demo:0.2") {}\n',
        "other.yaml": "- image: gcr.io/old/demo-ui:0.2\n"})
    assert run(repo, "image=gcr.io/old/demo", "to=quay.io/new/demo") == 0
    assert tree_bytes(repo) == {
        "app.jsonnet": b'function(image="quay.io/new/demo:0.2") {}\n',
        "deploy.yaml": b"- image: quay.io/new/demo:0.2\n",
        "other.yaml": b"- image: gcr.io/old/demo-ui:0.2\n",
        "values.yaml": b"image:\n  repository: quay.io/new/demo\n  tag: 0.1\n"}
    assert run(repo, "image=quay.io/new/demo", "to=gcr.io/other/app", "version=v5") == 0
    assert (repo / "values.yaml").read_text() == "image:\n  repository: gcr.io/other/app\n  tag: v5\n"
    assert (repo / "deploy.yaml").read_text() == "- image: gcr.io/other/app:v5\n"


def test_renames_that_cannot_be_made_in_place_are_refused(tmp_path, capsys):
    before = {"values.yaml": "image:\n  registry: ghcr.io\n  repository: acme/api\n  tag: 1.0.0\n"}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, f"image={IMAGE}", "to=quay.io/acme/api")
    assert code == 1 and result["files"] == []
    assert "cannot be renamed in place" in result["refused"][0]["reason"]


def test_a_tag_that_would_not_stay_a_string_in_plain_yaml_is_refused(tmp_path):
    before = {"values.yaml": "image:\n  repository: ghcr.io/acme/api\n  tag: 1.9\n"}
    repo = write_tree(tmp_path, before)
    assert run(repo, f"image={IMAGE}", "version=1.10") == 1
    assert tree_bytes(repo) == {"values.yaml": before["values.yaml"].encode()}


# path -> (before, after) for `chart=cert-manager version=1.16.0`
CHART_FORMS = {
    "argocd/cert-manager.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cert-manager\nspec:\n"
        "  source:\n    repoURL: https://charts.jetstack.io\n    chart: cert-manager\n    targetRevision: v1.15.3\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cert-manager\nspec:\n"
        "  source:\n    repoURL: https://charts.jetstack.io\n    chart: cert-manager\n    targetRevision: v1.16.0\n"),
    "flux/release.yaml": (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: certs\nspec:\n  chart:\n"
        "    spec:\n      chart: cert-manager\n      version: \"1.15.3\"\n"
        "      sourceRef:\n        kind: HelmRepository\n"
        "        name: jetstack\n",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: certs\nspec:\n  chart:\n"
        "    spec:\n      chart: cert-manager\n      version: \"1.16.0\"\n"
        "      sourceRef:\n        kind: HelmRepository\n"
        "        name: jetstack\n"),
    "tf/helm.tf": (
        'resource "helm_release" "certs" {\n  repository = "oci://quay.io/jetstack/charts"\n'
        '  chart      = "cert-manager"\n  version    = "1.15.3"\n}\n\n'
        'resource "helm_release" "other" {\n  chart   = "trust-manager"\n'
        '  version = "1.15.3"\n}\n',
        'resource "helm_release" "certs" {\n  repository = "oci://quay.io/jetstack/charts"\n'
        '  chart      = "cert-manager"\n  version    = "1.16.0"\n}\n\n'
        'resource "helm_release" "other" {\n  chart   = "trust-manager"\n'
        '  version = "1.15.3"\n}\n'),
    # a module wrapping a Helm release, its chart and version as try() defaults (aws-ia's
    # eks-blueprints-addons); another add-on's block at the same version stays
    "tf/addons.tf": (
        'module "cert_manager" {\n  source        = "aws-ia/eks-blueprints-addon/aws"\n'
        '  chart         = try(var.cert_manager.chart, "cert-manager")\n'
        '  chart_version = try(var.cert_manager.chart_version, "1.15.3")\n}\n\n'
        'module "trust_manager" {\n  source        = "aws-ia/eks-blueprints-addon/aws"\n'
        '  chart         = "trust-manager"\n  chart_version = "1.15.3"\n}\n',
        'module "cert_manager" {\n  source        = "aws-ia/eks-blueprints-addon/aws"\n'
        '  chart         = try(var.cert_manager.chart, "cert-manager")\n'
        '  chart_version = try(var.cert_manager.chart_version, "1.16.0")\n}\n\n'
        'module "trust_manager" {\n  source        = "aws-ia/eks-blueprints-addon/aws"\n'
        '  chart         = "trust-manager"\n  chart_version = "1.15.3"\n}\n'),
    "umbrella/Chart.yaml": (
        "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n"
        "  - name: trust-manager\n    version: 1.15.3\n"
        "    repository: https://charts.jetstack.io\n  - name: cert-manager\n    version: 1.15.3\n"
        "    repository: https://charts.jetstack.io\n",
        "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n"
        "  - name: trust-manager\n    version: 1.15.3\n"
        "    repository: https://charts.jetstack.io\n  - name: cert-manager\n    version: 1.16.0\n"
        "    repository: https://charts.jetstack.io\n"),
    "helmfile.yaml": (
        "releases:\n  - name: certs\n    chart: jetstack/cert-manager\n    version: 1.15.3\n"
        "  - name: ranged\n    chart: jetstack/cert-manager\n    version: ~1.15.0\n",
        "releases:\n  - name: certs\n    chart: jetstack/cert-manager\n    version: 1.16.0\n"
        "  - name: ranged\n    chart: jetstack/cert-manager\n    version: ~1.15.0\n"),
}


def test_chart_version_moves_in_every_form_and_nothing_else(tmp_path, capsys):
    unchanged = {"docs/versions.md": "cert-manager chart 1.15.3\n", "env.sh": "CERT_MANAGER_VERSION=v1.15.3\n"}
    repo = write_tree(tmp_path, {**{p: b for p, (b, _a) in CHART_FORMS.items()}, **unchanged})
    assert run(repo, "chart=cert-manager", "version=1.16.0") == 0
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted({**{p: a for p, (_b, a) in CHART_FORMS.items()},
                                                                   **unchanged}.items())}
    code, second = report(repo, capsys, "chart=cert-manager", "version=1.16.0")
    assert code == 0 and second["files"] == []
    residue = {(r["path"], r["line"]): r["reason"] for r in second["residue"]}
    assert list(residue) == [("docs/versions.md", 1), ("helmfile.yaml", 7)]
    assert "in no recognised form" in residue[("docs/versions.md", 1)]
    assert "not a plain version" in residue[("helmfile.yaml", 7)]


@pytest.mark.parametrize("params, message", [
    (["version=1.2.3"], "exactly one target"),
    (["tool=istio", "chart=istiod", "version=1.2.3"], "(given: tool, chart)"),
    (["chart=istiod", "to=quay.io/x/y", "version=1.2.3"], "to= applies to image= only"),
    ([f"image={IMAGE}"], "needs version= (a tag), to= (another repository), or both"),
    ([f"image={IMAGE}:1.0"], "is not an image repository"),
    (["chart=istiod"], "needs version="),
    (["chart=istiod", "version=latest"], "does not match a chart version"),
    ([f"image={IMAGE}", "version=1.2.3", "digest=sha256"], "does not match"),
    ([f"image={IMAGE}", "digest=resolve", "to=ghcr.io/acme/b"], "digest=resolve needs version="),
])
def test_parameter_contract(tmp_path, capsys, params, message):
    repo = write_tree(tmp_path, {"a.yaml": "image: ghcr.io/acme/api:1.0.0\n"})
    assert run(repo, *params, command="plan") == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unrecognised_mentions_with_a_version_are_residue(tmp_path, capsys):
    repo = write_tree(tmp_path, {
        "install.sh": "helm install certs jetstack/cert-manager --version 1.15.3\n",
        "docs.md": "| v2.1.0 | Helm chart version: cert-manager-1.15.3 |\n",
        "ctl.yaml": "image: quay.io/jetstack/cert-manager-controller:v1.15.3\n",
        "Chart.yaml": "apiVersion: v2\nname: x\nversion: 0.1.0\ndependencies:\n  - name: cert-manager\n"
                      "    version: 1.15.3\n"})
    code, result = report(repo, capsys, "chart=cert-manager", "version=1.16.0")
    assert code == 0 and [f["path"] for f in result["files"]] == ["Chart.yaml"]
    assert sorted((r["path"], r["line"], r["reason"]) for r in result["residue"]) == [
        ("Chart.yaml", 3, "the chart's own version 0.1.0: its dependency cert-manager moved to 1.16.0; a chart "
                          "published from here needs a new version: not changed (bump_chart=patch does it)"),
        # the controller's image names no chart: it only holds the version moved from
        ("ctl.yaml", 1, "holds v1.15.3, the version chart cert-manager moved from, in no form of it: check whether "
                        "it is the same"),
        ("docs.md", 1, "names chart cert-manager next to 1.15.3 in no recognised form: not changed"),
        ("install.sh", 1, "names chart cert-manager next to 1.15.3 in no recognised form: not changed")]


def test_paths_limit_a_change_to_part_of_the_repository(tmp_path):
    release = 'resource "helm_release" "k" {\n  chart   = "karpenter"\n  version = "1.6.4"\n}\n'
    repo = write_tree(tmp_path, {"infra/terraform/k.tf": release, "blueprints/a/k.tf": release,
                                 "infra/k8s/pod.yaml": "image: ghcr.io/acme/api:1.4.2\n",
                                 "apps/pod.yaml": "image: ghcr.io/acme/api:1.4.2\n",
                                 "infra/env.sh": "ISTIO_VERSION=1.24.0\n", "apps/env.sh": "ISTIO_VERSION=1.24.0\n"})
    assert run(repo, "chart=karpenter", "version=1.9.0", "paths=infra/terraform/") == 0
    assert run(repo, f"image={IMAGE}", "version=1.5.0", "paths=infra/**/*.yaml") == 0
    assert run(repo, f"image={IMAGE}", "version=1.6.0", "paths=infra/*.yaml") == 2  # `*` stays in one folder
    assert run(repo, "tool=istio", "version=1.25.0", "paths=infra/env.sh,nothing/*") == 2  # matches no file
    assert run(repo, "tool=istio", "version=1.25.0", "paths=infra/env.sh") == 0
    assert tree_bytes(repo) == {
        "apps/env.sh": b"ISTIO_VERSION=1.24.0\n", "apps/pod.yaml": b"image: ghcr.io/acme/api:1.4.2\n",
        "blueprints/a/k.tf": release.encode(), "infra/env.sh": b"ISTIO_VERSION=1.25.0\n",
        "infra/k8s/pod.yaml": b"image: ghcr.io/acme/api:1.5.0\n",
        "infra/terraform/k.tf": release.replace("1.6.4", "1.9.0").encode()}


def test_one_word_images_and_unparsable_values_are_not_silent(tmp_path, capsys):
    repo = write_tree(tmp_path, {
        "compose.yml": "services:\n  web:\n    image: nginx\n  cache:\n    image: nginx:1.25.3-alpine\n",
        "notes.txt": "nginx is a web server\n",
        "values.yaml": "image:\n  repository: ghcr.io/acme/api\n  tag: {{ .Values.tag }}\n",
        "broken.yaml": "image:\n  repository: ghcr.io/acme/api\n  tag: [1.4.2\n"})
    code, result = report(repo, capsys, "image=nginx", "to=ghcr.io/acme/nginx")
    assert code == 0 and [f["path"] for f in result["files"]] == ["compose.yml"]
    assert "image: ghcr.io/acme/nginx\n" in result["files"][0]["diff"]
    assert "image: ghcr.io/acme/nginx:1.25.3-alpine" in result["files"][0]["diff"]
    code, result = report(repo, capsys, "image=nginx", "version=1.27.0")
    assert "image: nginx:1.27.0-alpine" in result["files"][0]["diff"]  # the variant is kept
    code, result = report(repo, capsys, f"image={IMAGE}", "version=1.5.0")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"]) for r in result["residue"]] == [("broken.yaml", 2), ("values.yaml", 2)]
    assert all("check its tag by hand" in r["reason"] for r in result["residue"])


def test_kustomize_entries_a_rename_cannot_make_and_a_digest_key_are_refused(tmp_path, capsys):
    before = {"kustomization.yaml": f"images:\n  - name: {IMAGE}\n    newTag: 1.4.2\n"
                                    f"  - name: busybox\n    newName: {IMAGE}\n    newTag: 1.4.2\n"
                                    f"    digest: sha256:{'b' * 64}\n"}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, f"image={IMAGE}", "to=quay.io/acme/api")
    assert code == 1 and result["files"] == []  # nothing half-renamed
    assert [(r["line"], r["reason"].split(":")[0]) for r in result["refused"]] == [(2, "edit refused"),
                                                                                   (6, "edit refused")]
    code, result = report(repo, capsys, f"image={IMAGE}", "version=1.5.0", "digest=drop")
    assert code == 1 and "a key of its own" in result["refused"][0]["reason"]
    assert run(repo, f"image={IMAGE}", "version=1.5.0", "digest=keep") == 0
    assert (repo / "kustomization.yaml").read_text() == before["kustomization.yaml"].replace("1.4.2", "1.5.0")


def test_a_digest_refusal_names_the_line_of_the_values_tag(tmp_path, capsys):
    """`tag: 1.4.2@sha256:D` below its `repository:`: the refusal is listed at the tag's line."""
    values = f"app:\n  image:\n    repository: {IMAGE}\n    tag: 1.4.2@sha256:{'c' * 64}\n"
    repo = write_tree(tmp_path, {"values.yaml": values})
    code, result = report(repo, capsys, f"image={IMAGE}", "version=1.5.0")
    assert code == 1 and [(r["line"], r["text"]) for r in result["refused"]] == [(4, f"tag: 1.4.2@sha256:{'c' * 64}")]
    assert (repo / "values.yaml").read_text() == values


def test_an_untagged_image_string_beside_a_tag_key_moves_its_tag(tmp_path):
    repo = write_tree(tmp_path, {"values.yaml": "job:\n  image: ghcr.io/acme/api\n  tag: 1.4.2\n"})
    assert run(repo, f"image={IMAGE}", "version=1.5.0") == 0
    assert (repo / "values.yaml").read_text() == "job:\n  image: ghcr.io/acme/api\n  tag: 1.5.0\n"


def test_an_edited_line_that_still_holds_the_old_version_is_reported(tmp_path, capsys):
    repo = write_tree(tmp_path, {
        "Dockerfile": "FROM ghcr.io/acme/api:1.4.2 AS api-v1.4.2\n",
        "Chart.yaml": "apiVersion: v2\nname: x\nversion: 0.1.0\ndependencies:\n  - name: cert-manager\n"
                      "    version: 1.15.3  # 1.15.3 pinned for the CRDs\n"})
    code, result = report(repo, capsys, f"image={IMAGE}", "version=1.5.0")
    assert code == 0 and "FROM ghcr.io/acme/api:1.5.0 AS api-v1.4.2" in result["files"][0]["diff"]
    assert [(r["path"], r["reason"]) for r in result["residue"]] == [
        ("Dockerfile", "the edited line still holds 1.4.2 elsewhere: not changed")]
    code, result = report(repo, capsys, "chart=cert-manager", "version=1.16.0")
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        # the umbrella chart's own version: a published chart needs a new one (Helm's convention,
        # which eks-blueprints-add-ons followed in two of its three dependency bumps)
        ("Chart.yaml", 3, "the chart's own version 0.1.0: its dependency cert-manager moved to 1.16.0; a chart "
                          "published from here needs a new version: not changed (bump_chart=patch does it)"),
        ("Chart.yaml", 6, "the edited line still holds 1.15.3 elsewhere: not changed")]


def test_the_old_version_elsewhere_is_listed_but_not_in_lockfiles_or_changelogs(tmp_path, capsys):
    """podinfo's release moved `var VERSION = "6.9.2"` in its Go source too, a line naming no
    image: every other line holding the full version moved from is listed for the reviewer,
    except lockfiles and changelogs (other packages' versions, history)."""
    repo = write_tree(tmp_path, {
        "deploy/app.yaml": "image: ghcr.io/acme/api:1.4.2\n",
        "pkg/version/version.go": 'package version\n\nvar VERSION = "1.4.2"\n',
        "package-lock.json": '{"version": "1.4.2"}\n',
        "CHANGELOG.md": "## 1.4.2\n",
        "docs/versions.md": "Compatible with 1.4.20 and 11.4.2 and 1.4.2.1.\n",
    })
    code, result = report(repo, capsys, f"image={IMAGE}", "version=1.5.0")
    assert code == 0
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("pkg/version/version.go", 3, f"holds 1.4.2, the version {IMAGE} moved from, in no form of it: check "
                                      "whether it is the same")]


def test_a_wildcard_range_moves_the_ranges_of_its_shape(tmp_path, capsys):
    """fluxcd/flux2-monitoring-example moved its HelmRelease's `version: "54.x"` to "55.x": a
    wildcard range asked moves the ranges of its shape; an exact version and a range of another
    shape (`54.1.x`) are listed, kept."""
    def release(version: str) -> str:
        return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: kps\nspec:\n  chart:\n"
                f"    spec:\n      chart: kube-prometheus-stack\n      version: \"{version}\"\n")
    before = {"a.yaml": release("54.x"), "b.yaml": release("54.1.x"), "c.yaml": release("54.1.0")}
    repo = write_tree(tmp_path, before)
    assert run(repo, "chart=kube-prometheus-stack", "version=55.x") == 0
    assert tree_bytes(repo) == {p: (release("55.x") if p == "a.yaml" else t).encode()
                                for p, t in sorted(before.items())}
    code, second = report(repo, capsys, "chart=kube-prometheus-stack", "version=55.x")
    assert code == 0 and second["files"] == []
    assert [(r["path"], r["reason"]) for r in second["residue"]] == [
        ("b.yaml", "chart version (Flux HelmRelease) '54.1.x' is not a range of the shape of 55.x: left as it is"),
        ("c.yaml", "chart version (Flux HelmRelease) '54.1.0' is not a range of the shape of 55.x: left as it is")]
