"""Lookups for pinning (domain/lookups.py, delivery/registries.py, delivery/helm_repos.py) against
local fakes over real HTTP (tests/fakes/registries.py: an OCI registry with the anonymous token
flow, a Helm repository): `set-version ... version=latest-stable`, `digest=resolve`,
`pin-versions image=`, bad lookups, and the `unpinned-image` and `version-drift` rules.
Before/after trees byte for byte, look-alikes untouched, second runs no-ops."""

from __future__ import annotations

import base64
import datetime
import json
import socket

import pytest

from gitops_bot.checks.model import RepoIndex
from gitops_bot.checks.versions import drift
from gitops_bot.cli import main
from gitops_bot.delivery.helm_repos import HelmRepositories
from gitops_bot.delivery.registries import OciRegistries, split_image
from gitops_bot.domain.lookups import latest_stable
from gitops_bot.domain.worktree import Worktree
from gitops_bot.errors import UserError

from .conftest import tree_bytes, write_tree
from .fakes.registries import FakeHelmRepo, FakeRegistry, digest_of
from .fakes.releases import FakeReleases

IMAGES = {"library/nginx": ["1.25.3", "1.27", "1.27.3", "1.27.3-alpine", "1.28.0-rc.1", "latest", "mainline"],
          "acme/api": ["1.4.2", "1.5.0", "v1.6.0-beta.1", "sha-0a1b2c3"],
          "library/golang": ["1.23.4", "1.24.0", "1.24"],
          "distroless/static": ["latest", "nonroot"]}
OLD = "sha256:" + "a" * 64


@pytest.fixture
def registry(monkeypatch):
    """The fake registry, standing in for Docker Hub, ghcr.io and gcr.io."""
    with FakeRegistry(IMAGES) as fake:
        monkeypatch.setenv("GITOPS_BOT_REGISTRY_URLS", f"docker.io={fake.url},ghcr.io={fake.url},gcr.io={fake.url}")
        yield fake


def run(repo, command, *params):
    return main([command, *params, "--repo", str(repo)])


def assert_edits(repo, before_after: dict[str, tuple[str, str]]) -> None:
    after = tree_bytes(repo)
    assert {path: after[path].decode() for path in before_after} == {p: a for p, (_, a) in before_after.items()}


# -- the lookups themselves --------------------------------------------------------------------
@pytest.mark.parametrize("versions, prerelease, expected", [
    (["1.2.3", "1.10.0", "1.9.9", "latest", "1.27", "1.11.0-alpine"], False, "1.10.0"),
    (["1.10.0", "1.11.0-rc.1", "1.11.0-rc.10", "1.11.0-rc.9", "1.11.0-alpine"], True, "1.11.0-rc.10"),
    (["1.11.0-rc.1", "1.11.0"], True, "1.11.0"),
    (["v1.2.3", "1.2.3"], False, "1.2.3"),
    (["v2.0.0", "1.9.0"], False, "v2.0.0"),
    (["latest", "1.27", "sha-abc", "1.2.3$(id)", "1.2.3.4"], False, None),
])
def test_latest_stable_picks_only_semantic_versions(versions, prerelease, expected):
    assert latest_stable(versions, prerelease) == expected


@pytest.mark.parametrize("image, expected", [
    ("nginx", ("docker.io", "library/nginx")), ("acme/api", ("docker.io", "acme/api")),
    ("docker.io/nginx", ("docker.io", "library/nginx")), ("index.docker.io/acme/api", ("docker.io", "acme/api")),
    ("ghcr.io/acme/api", ("ghcr.io", "acme/api")), ("registry.k8s.io/pause", ("registry.k8s.io", "pause")),
    ("localhost:5000/x", ("localhost:5000", "x")), ("quay.io/jetstack/cert-manager-controller",
                                                   ("quay.io", "jetstack/cert-manager-controller")),
])
def test_where_an_image_lives(image, expected):
    assert split_image(image) == expected


def test_anonymous_token_flow_pages_and_digest(monkeypatch):
    with FakeRegistry(IMAGES, page=2) as fake:
        oci = OciRegistries({"GITOPS_BOT_REGISTRY_URLS": f"docker.io={fake.url}"})
        assert oci.image_tags("nginx") == IMAGES["library/nginx"]
        assert oci.image_digest("nginx", "1.27.3") == digest_of("library/nginx", "1.27.3")
        oci.image_tags("nginx")  # once per run
    token = "Bearer anon:repository:library/nginx:pull"
    assert fake.requests == [
        ("GET", "/v2/library/nginx/tags/list", None),
        ("GET", "/token?service=fake-registry&scope=repository%3Alibrary%2Fnginx%3Apull", None),
        ("GET", "/v2/library/nginx/tags/list", token),
        ("GET", "/v2/library/nginx/tags/list?n=2&last=2", token),
        ("GET", "/v2/library/nginx/tags/list?n=2&last=4", token),
        ("GET", "/v2/library/nginx/tags/list?n=2&last=6", token),
        ("HEAD", "/v2/library/nginx/manifests/1.27.3", token),
    ]


def test_a_next_page_on_another_host_is_not_followed():
    with FakeRegistry(IMAGES, page=2, link_base="http://127.0.0.1:1") as fake:
        oci = OciRegistries({"GITOPS_BOT_REGISTRY_URLS": f"docker.io={fake.url}"})
        with pytest.raises(UserError, match="continues on another host"):
            oci.image_tags("nginx")


def test_a_local_registry_is_plain_http_and_credentials_go_to_the_token_realm():
    with FakeRegistry(IMAGES, digest_header=False) as fake:
        oci = OciRegistries({"GITOPS_BOT_REGISTRY_AUTH": f"{fake.host}=bot:s3cret"})
        # no Docker-Content-Digest header: the sha256 of the manifest's bytes
        assert oci.image_digest(f"{fake.host}/acme/api", "1.5.0") == digest_of("acme/api", "1.5.0")
    basic = "Basic " + base64.b64encode(b"bot:s3cret").decode()
    assert [auth for _, path, auth in fake.requests if path.startswith("/token")] == [basic]


def test_helm_repository_index():
    with FakeHelmRepo({"cert-manager": ["v1.16.0", "v1.17.1", "v1.18.0-alpha.0"]}) as repo:
        helm = HelmRepositories()
        assert helm.chart_versions(repo.repo_url + "/", "cert-manager") == ["v1.16.0", "v1.17.1", "v1.18.0-alpha.0"]
        helm.chart_versions(repo.repo_url, "cert-manager")
        with pytest.raises(UserError, match="no chart 'nope' in its index.yaml"):
            helm.chart_versions(repo.repo_url, "nope")
    assert [path for _, path, _ in repo.requests] == ["/charts/index.yaml"]  # one download per repository


def test_help_does_not_import_the_http_machinery():
    import subprocess
    import sys

    code = ("import sys; from gitops_bot.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('urllib.request', 'http.client', "
            "'gitops_bot.delivery'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


# -- set-version version=latest-stable ---------------------------------------------------------
IMAGE_FORMS = {
    "k8s/deploy.yaml": (
        "spec:\n  containers:\n    - image: nginx:1.25.3  # web\n    - image: nginx-exporter:1.25.3\n"
        "    - image: docker.io/library/nginx:1.25.3-alpine\n",
        "spec:\n  containers:\n    - image: nginx:1.27.3  # web\n    - image: nginx-exporter:1.25.3\n"
        "    - image: docker.io/library/nginx:1.27.3-alpine\n"),
    "chart/values.yaml": (
        "image:\n  repository: nginx\n  tag: \"1.25.3\"\nother:\n  repository: bitnami/nginx\n  tag: 1.25.3\n",
        "image:\n  repository: nginx\n  tag: \"1.27.3\"\nother:\n  repository: bitnami/nginx\n  tag: 1.25.3\n"),
    "docker-compose.yml": ("services:\n  web:\n    image: 'nginx:1.25.3'\n",
                           "services:\n  web:\n    image: 'nginx:1.27.3'\n"),
    "Dockerfile": ("FROM nginx:1.25.3 AS web\nRUN echo nginx:1.25.3\n",
                   "FROM nginx:1.27.3 AS web\nRUN echo nginx:1.27.3\n"),
}


def test_set_version_image_latest_stable(tmp_path, registry, capsys):
    repo = write_tree(tmp_path, {path: before for path, (before, _) in IMAGE_FORMS.items()})
    assert run(repo, "apply", "set-version", "image=nginx", "version=latest-stable") == 0
    assert_edits(repo, IMAGE_FORMS)
    assert run(repo, "plan", "set-version", "image=nginx", "version=latest-stable", "--exit-code") == 0


def test_prerelease_true_lets_release_candidates_count(tmp_path, registry, capsys):
    repo = write_tree(tmp_path, {"a.yaml": "image: ghcr.io/acme/api:1.4.2\n"})
    assert run(repo, "apply", "set-version", "image=ghcr.io/acme/api", "version=latest-stable",
               "prerelease=true") == 0
    assert (repo / "a.yaml").read_text() == "image: ghcr.io/acme/api:v1.6.0-beta.1\n"


CHART_APP = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cm\nspec:\n  source:\n"
             "    repoURL: {url}\n    chart: cert-manager\n    targetRevision: v1.16.0  # pinned\n"
             "---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: other\nspec:\n"
             "  source:\n    repoURL: {url}\n    chart: cert-manager-csi\n    targetRevision: v1.16.0\n")


def test_set_version_chart_latest_stable_from_the_repository_the_tree_names(tmp_path, capsys):
    with FakeHelmRepo({"cert-manager": ["v1.16.0", "v1.17.1", "v1.18.0-alpha.0"],
                       "cert-manager-csi": ["v1.16.0", "v9.0.0"]}) as helm:
        before = CHART_APP.format(url=helm.repo_url)
        tf = (f'resource "helm_release" "cm" {{\n  repository = "{helm.repo_url}"\n  chart      = "cert-manager"\n'
              '  version    = "1.16.0"\n}\n')
        repo = write_tree(tmp_path, {"apps/cm.yaml": before, "tf/cm.tf": tf})
        assert run(repo, "apply", "set-version", "chart=cert-manager", "version=latest-stable") == 0
        assert run(repo, "plan", "set-version", "chart=cert-manager", "version=latest-stable", "--exit-code") == 0
    assert (repo / "apps/cm.yaml").read_text() == before.replace("targetRevision: v1.16.0  # pinned",
                                                                 "targetRevision: v1.17.1  # pinned")
    assert (repo / "tf/cm.tf").read_text() == tf.replace('"1.16.0"', '"1.17.1"')


def test_chart_repository_given_or_ambiguous(tmp_path, capsys):
    with FakeHelmRepo({"cert-manager": ["v1.16.0", "v1.17.1"]}) as helm:
        repo = write_tree(tmp_path, {"a/Chart.yaml": "apiVersion: v2\nname: a\nversion: 0.1.0\ndependencies:\n"
                                                      "  - name: cert-manager\n    version: 1.16.0\n"
                                                      "    repository: https://charts.jetstack.io\n",
                                     "b/Chart.yaml": "apiVersion: v2\nname: b\nversion: 0.1.0\ndependencies:\n"
                                                      "  - name: cert-manager\n    version: 1.16.0\n"
                                                      "    repository: https://mirror.example.com/charts\n"})
        before = tree_bytes(repo)
        assert run(repo, "apply", "set-version", "chart=cert-manager", "version=latest-stable") == 2
        assert "comes from 2 Helm repositories" in capsys.readouterr().err and tree_bytes(repo) == before
        assert run(repo, "apply", "set-version", "chart=cert-manager", "version=latest-stable",
                   f"repo={helm.repo_url}") == 0
    assert (repo / "a/Chart.yaml").read_text().count("version: 1.17.1") == 1


def test_set_version_github_latest_stable(tmp_path, monkeypatch, capsys):
    before = "kubectl apply -f https://github.com/kyverno/kyverno/releases/download/v1.12.0/install.yaml\n"
    repo = write_tree(tmp_path, {"install.sh": before})
    with FakeReleases({"kyverno/kyverno": "v1.13.2"}) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        assert run(repo, "apply", "set-version", "github=kyverno/kyverno", "version=latest-stable") == 0
    assert (repo / "install.sh").read_text() == before.replace("v1.12.0", "v1.13.2")


# -- digest=resolve ----------------------------------------------------------------------------
def test_digest_resolve_replaces_or_adds_the_new_tags_digest(tmp_path, registry, capsys):
    new = digest_of("acme/api", "1.5.0")
    forms = {
        "a.yaml": (f"image: ghcr.io/acme/api:1.4.2@{OLD}\n", f"image: ghcr.io/acme/api:1.5.0@{new}\n"),
        "b.yaml": ("image: \"ghcr.io/acme/api:1.4.2\"\n", f"image: \"ghcr.io/acme/api:1.5.0@{new}\"\n"),
        "Dockerfile": ("FROM ghcr.io/acme/api:1.4.2\n", f"FROM ghcr.io/acme/api:1.5.0@{new}\n"),
        "values.yaml": ("image:\n  repository: ghcr.io/acme/api\n  tag: 1.4.2\n",
                        "image:\n  repository: ghcr.io/acme/api\n  tag: 1.5.0\n"),
    }
    repo = write_tree(tmp_path, {path: before for path, (before, _) in forms.items()})
    capsys.readouterr()
    assert run(repo, "plan", "set-version", "image=ghcr.io/acme/api", "version=latest-stable", "digest=resolve",
               "--format", "json") == 0
    residue = {r["path"]: r["reason"] for r in json.loads(capsys.readouterr().out)["residue"]}
    assert residue == {"values.yaml": f"Helm values repository/tag has no digest: add {new} where the chart reads "
                                      "it, by hand"}
    assert run(repo, "apply", "set-version", "image=ghcr.io/acme/api", "version=latest-stable", "digest=resolve") == 0
    assert_edits(repo, forms)
    assert run(repo, "plan", "set-version", "image=ghcr.io/acme/api", "version=1.5.0", "digest=resolve",
               "--exit-code") == 0


def test_digest_resolve_refuses_a_tag_of_another_variant(tmp_path, registry, capsys):
    repo = write_tree(tmp_path, {"a.yaml": "image: nginx:1.25.3-alpine\n"})
    assert run(repo, "apply", "set-version", "image=nginx", "version=1.27.3", "digest=resolve") == 1
    assert (repo / "a.yaml").read_text() == "image: nginx:1.25.3-alpine\n"
    assert "this tag would become 1.27.3-alpine" in capsys.readouterr().out


# -- pin-versions image= -----------------------------------------------------------------------
PIN_FORMS = {
    "k8s/deploy.yaml": (
        "spec:\n  containers:\n    - image: nginx\n    - image: nginx:latest  # edge\n"
        "    - image: nginx:1.25.3\n    - image: ghcr.io/acme/api\n",
        "spec:\n  containers:\n    - image: nginx:1.27.3\n    - image: nginx:1.27.3  # edge\n"
        "    - image: nginx:1.25.3\n    - image: ghcr.io/acme/api:1.5.0\n"),
    "chart/values.yaml": (
        "image:\n  repository: ghcr.io/acme/api\n  pullPolicy: Always\n  tag: latest\n"
        "web:\n  image: nginx\n  tag: 1.25.3\nsub:\n  image:\n    repository: nginx\n    tag: \"\"\n",
        "image:\n  repository: ghcr.io/acme/api\n  pullPolicy: Always\n  tag: 1.5.0\n"
        "web:\n  image: nginx\n  tag: 1.25.3\nsub:\n  image:\n    repository: nginx\n    tag: \"\"\n"),
    "docker-compose.yml": ("services:\n  web:\n    image: \"nginx\"\n",
                           "services:\n  web:\n    image: \"nginx:1.27.3\"\n"),
    ".github/workflows/ci.yaml": (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: golang\n    services:\n"
        "      web:\n        image: nginx:latest\n    steps:\n      - run: go test ./...\n",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: golang:1.24.0\n    services:\n"
        "      web:\n        image: nginx:1.27.3\n    steps:\n      - run: go test ./...\n"),
    "Dockerfile": (
        "ARG BASE=golang\nFROM golang AS build\nFROM ${BASE}\nFROM build AS test\nFROM scratch\n"
        "FROM gcr.io/distroless/static:latest\n",
        "ARG BASE=golang\nFROM golang:1.24.0 AS build\nFROM ${BASE}\nFROM build AS test\nFROM scratch\n"
        "FROM gcr.io/distroless/static:latest\n"),
}


def test_pin_versions_every_image_through_the_registry(tmp_path, registry, capsys):
    repo = write_tree(tmp_path, {path: before for path, (before, _) in PIN_FORMS.items()})
    capsys.readouterr()
    assert run(repo, "plan", "pin-versions", "image=*", "--format", "json") == 0
    residue = [(r["path"], r["line"], r["reason"]) for r in json.loads(capsys.readouterr().out)["residue"]]
    assert residue == [("Dockerfile", 6, "unpinned image: no stable version among the tags of "
                                         "gcr.io/distroless/static; pin it by hand")]
    assert run(repo, "apply", "pin-versions", "image=*") == 0
    assert_edits(repo, PIN_FORMS)
    assert run(repo, "plan", "pin-versions", "image=*", "--exit-code") == 0


def test_pin_versions_one_image_leaves_the_others(tmp_path, registry, capsys):
    repo = write_tree(tmp_path, {path: before for path, (before, _) in PIN_FORMS.items()})
    assert run(repo, "apply", "pin-versions", "image=ghcr.io/acme/api") == 0
    after = tree_bytes(repo)
    assert after["k8s/deploy.yaml"].decode() == PIN_FORMS["k8s/deploy.yaml"][0].replace(
        "ghcr.io/acme/api\n", "ghcr.io/acme/api:1.5.0\n")
    assert after["chart/values.yaml"].decode() == PIN_FORMS["chart/values.yaml"][1]
    assert {p for p, (before, _) in PIN_FORMS.items() if after[p].decode() == before} == {
        "docker-compose.yml", ".github/workflows/ci.yaml", "Dockerfile"}
    assert {path for _, path, _ in registry.requests if "/v2/" in path} == {"/v2/acme/api/tags/list"}


def test_pin_versions_image_with_a_given_version_needs_no_lookup(tmp_path, capsys):
    repo = write_tree(tmp_path, {"a.yaml": "image: nginx\n", "values.yaml": "repository: nginx\ntag: latest\n"})
    assert run(repo, "apply", "pin-versions", "image=nginx", "version=1.27") == 0
    assert (repo / "a.yaml").read_text() == "image: nginx:1.27\n"
    assert (repo / "values.yaml").read_text() == "repository: nginx\ntag: latest\n"  # 1.27 would be a number
    assert run(repo, "apply", "pin-versions", "image=nginx", "version=1.27.3") == 0
    assert (repo / "values.yaml").read_text() == "repository: nginx\ntag: 1.27.3\n"


DIGEST = "sha256:" + "d" * 64
DIGEST_FORMS = {
    "deploy.yaml": (
        f"spec:\n  initContainers:\n    - image: busybox:latest@{DIGEST}\n      name: wait\n"
        f"    - image: busybox@{DIGEST}\n    - image: busybox:1.36.0@{DIGEST}\n"
        f"    - image: busyboxy:latest@{DIGEST}\n",
        f"spec:\n  initContainers:\n    - image: busybox:1.38.0@{DIGEST}\n      name: wait\n"
        f"    - image: busybox@{DIGEST}\n    - image: busybox:1.36.0@{DIGEST}\n"
        f"    - image: busyboxy:latest@{DIGEST}\n"),
    "Dockerfile": (f"FROM busybox:latest@{DIGEST} AS base\nFROM base\n",
                   f"FROM busybox:1.38.0@{DIGEST} AS base\nFROM base\n"),
}


def test_pin_versions_image_keeps_the_digest_of_latest(tmp_path, capsys):
    """`busybox:latest@sha256:D`: the tag is rewritten and the digest kept (and listed to be checked);
    a digest without a tag, another tag and another image are left alone."""
    repo = write_tree(tmp_path, {path: before for path, (before, _) in DIGEST_FORMS.items()})
    capsys.readouterr()
    assert run(repo, "plan", "pin-versions", "image=busybox", "version=1.38.0", "--format", "json") == 0
    residue = [(r["path"], r["line"], r["reason"]) for r in json.loads(capsys.readouterr().out)["residue"]]
    kept = "tag set to 1.38.0, digest kept: check that the digest is 1.38.0's"
    assert residue == [("Dockerfile", 1, kept), ("deploy.yaml", 3, kept)]
    assert run(repo, "apply", "pin-versions", "image=busybox", "version=1.38.0") == 0
    assert_edits(repo, DIGEST_FORMS)
    assert tree_bytes(repo) == {p: a.encode() for p, (_, a) in DIGEST_FORMS.items()}
    assert run(repo, "plan", "pin-versions", "image=busybox", "version=1.38.0", "--exit-code") == 0


def test_pin_versions_latest_with_a_digest_is_listed_without_a_version(tmp_path, capsys, registry):
    repo = write_tree(tmp_path, {"deploy.yaml": f"image: nginx:latest@{DIGEST}\n"})
    capsys.readouterr()
    assert run(repo, "plan", "pin-versions", "image=nginx", "--format", "json") == 0
    residue = [(r["line"], r["reason"]) for r in json.loads(capsys.readouterr().out)["residue"]]
    assert residue == [(1, "image pinned by digest, tagged latest: pass version= to name the version its digest is")]
    assert registry.requests == []


def test_unpinned_image_check_leaves_latest_with_a_digest():
    from gitops_bot.domain.unpinned import unpinned_images
    assert unpinned_images("a.yaml", f"image: busybox:latest@{DIGEST}\n", "yaml") == []
    assert unpinned_images("Dockerfile", f"FROM busybox:latest@{DIGEST}\n", "dockerfile") == []


# -- bad lookups: one line, exit 2, nothing written ----------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("fake, params, message", [
    (lambda: FakeRegistry(IMAGES), ["set-version", "image=ghcr.io/acme/gone", "version=latest-stable"],
     "registry ghcr.io: ghcr.io/acme/gone: not found (HTTP 404"),
    (lambda: FakeRegistry(IMAGES, tags_body=b"{not json"), ["set-version", "image=nginx", "version=latest-stable"],
     "registry: the tag list of nginx is malformed"),
    (lambda: FakeRegistry(IMAGES, tags_body=b'{"tags": "1.0.0"}'), ["pin-versions", "image=nginx"],
     "registry: the tag list of nginx is malformed"),
    (lambda: FakeRegistry(IMAGES, status=403), ["pin-versions", "image=*"],
     "HTTP 403: requested access to the resource is denied"),
    (lambda: FakeRegistry(IMAGES, bad_digest=True),
     ["set-version", "image=nginx", "version=1.27.3", "digest=resolve"],
     "is 'sha256:NOT-A-DIGEST', which is not sha256:<64 hex digits>"),
    (lambda: FakeRegistry({"library/nginx": ["latest", "1.27"]}), ["set-version", "image=nginx",
                                                                   "version=latest-stable"],
     "no stable version (X.Y.Z) among the tags of nginx (2 in all)"),
    (lambda: FakeHelmRepo({}, body=b"entries: [unclosed\n"), ["set-version", "chart=web", "version=latest-stable"],
     "index.yaml does not parse"),
    (lambda: FakeHelmRepo({}, status=404), ["set-version", "chart=web", "version=latest-stable"],
     "index.yaml: HTTP 404"),
    (None, ["set-version", "image=nginx", "version=latest-stable"], "unreachable: [Errno 111] Connection refused"),
    (None, ["set-version", "image=quay.io/x/y", "version=latest-stable"],
     "registry quay.io at quay.io unreachable: [Errno -2] network disabled in tests"),
])
def test_bad_lookups_are_one_line_and_change_nothing(tmp_path, monkeypatch, capsys, fake, params, message):
    server = fake() if fake else None
    url = server.url if server else f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("GITOPS_BOT_REGISTRY_URLS", f"docker.io={url},ghcr.io={url}")
    helm_url = server.repo_url if isinstance(server, FakeHelmRepo) else "http://127.0.0.1:1/charts"
    repo = write_tree(tmp_path, {"a.yaml": "image: nginx\nsidecar: ghcr.io/acme/gone:1.0.0\n",
                                 "app.yaml": f"kind: Application\nspec:\n  source:\n    repoURL: {helm_url}\n"
                                             "    chart: web\n    targetRevision: 1.0.0\n"})
    before = tree_bytes(repo)
    if server:
        with server:
            code = run(repo, "apply", *params)
    else:
        code = run(repo, "apply", *params)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert tree_bytes(repo) == before


@pytest.mark.parametrize("params, message", [
    (["set-version", "tool=istio", "version=latest-stable"], "applies to image=, chart= and github= only"),
    (["set-version", "image=nginx", "version=1.2.3", "prerelease=true"], "prerelease= applies to version=latest"),
    (["set-version", "image=nginx", "version=latest-stable", "repo=https://x"], "repo= applies to chart="),
    (["set-version", "chart=web", "version=latest-stable", "repo=ftp://x"], "does not match"),
    (["set-version", "chart=web", "version=latest-stable"], "no HTTP Helm repository for chart web"),
    (["set-version", "github=kyverno/kyverno", "version=latest-stable", "prerelease=true"], "never one"),
    (["pin-versions", "image=nginx", "tool=istio"], "one target: tool= or image="),
    (["pin-versions", "image=nginx", "version=latest"], "is not a version tag"),
    (["pin-versions", "image=Nginx:1"], "is neither an image repository nor a glob"),
    (["pin-versions", "prerelease=true"], "prerelease= applies to image= only"),
])
def test_bad_parameters(tmp_path, capsys, params, message):
    repo = write_tree(tmp_path, {"a.yaml": "image: nginx\n"})
    assert run(repo, "plan", *params) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_without_a_lookup_the_engine_asks_nothing(tmp_path):
    from gitops_bot.engine.recipe import find_recipe
    from gitops_bot.engine.run import run_recipe

    repo = write_tree(tmp_path, {"a.yaml": "image: nginx\n"})
    with pytest.raises(UserError, match="no registry lookup in this run"):
        run_recipe(repo, find_recipe("pin-versions", repo), {"image": "nginx"})


# -- checks ------------------------------------------------------------------------------------
def test_unpinned_image_rule_fires_on_every_form_with_its_pinned_form(tmp_path, capsys):
    repo = write_tree(tmp_path, {path: before for path, (before, _) in PIN_FORMS.items()})
    assert run(repo, "check", "--rule", "unpinned-image", "--format", "json") == 1
    problems = [(p["path"], p["line"], p["fix"]) for p in json.loads(capsys.readouterr().out)["problems"]]
    assert problems == [
        (".github/workflows/ci.yaml", 5, "pin it as golang:<X.Y.Z>: gitops-bot apply pin-versions image=golang"),
        (".github/workflows/ci.yaml", 8, "pin it as nginx:<X.Y.Z>: gitops-bot apply pin-versions image=nginx"),
        ("Dockerfile", 2, "pin it as golang:<X.Y.Z>: gitops-bot apply pin-versions image=golang"),
        ("Dockerfile", 6, "pin it as gcr.io/distroless/static:<X.Y.Z>: gitops-bot apply pin-versions "
                          "image=gcr.io/distroless/static"),
        ("chart/values.yaml", 4, "pin it as tag: <X.Y.Z>: gitops-bot apply pin-versions image=ghcr.io/acme/api"),
        ("docker-compose.yml", 3, "pin it as nginx:<X.Y.Z>: gitops-bot apply pin-versions image=nginx"),
        ("k8s/deploy.yaml", 3, "pin it as nginx:<X.Y.Z>: gitops-bot apply pin-versions image=nginx"),
        ("k8s/deploy.yaml", 4, "pin it as nginx:<X.Y.Z>: gitops-bot apply pin-versions image=nginx"),
        ("k8s/deploy.yaml", 6, "pin it as ghcr.io/acme/api:<X.Y.Z>: gitops-bot apply pin-versions "
                               "image=ghcr.io/acme/api"),
    ]
    capsys.readouterr()
    assert run(repo, "check", "--format", "sarif") == 1
    rules = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    assert {"unpinned-image": "A container image tagged latest or not tagged at all"}.items() <= \
        {r["id"]: r["shortDescription"]["text"] for r in rules}.items()


def test_unpinned_image_rule_is_quiet_on_look_alikes(tmp_path, capsys):
    repo = write_tree(tmp_path, {
        "a.yaml": f"image: nginx:1.27.3\nimage: nginx@{OLD}\nimage: \"{{{{ .Values.image }}}}\"\n"
                  "web:\n  image: nginx\n  tag: 1.27.3\nsub:\n  repository: nginx\n  tag: \"\"\n",
        "Dockerfile": "ARG BASE=x\nFROM golang:1.24.0 AS build\nFROM build\nFROM ${BASE}\nFROM scratch\n"
                      f"FROM nginx@{OLD}\n",
        "notes.txt": "image: nginx\nFROM nginx\n",
        ".github/workflows/ci.yaml": "jobs:\n  t:\n    container: ${{ matrix.image }}\n",
    })
    assert run(repo, "check", "--rule", "unpinned-image") == 0


def test_version_drift_never_suggests_a_version_past_end_of_support(tmp_path):
    repo = write_tree(tmp_path, {"a.sh": 'ISTIO_VERSION="1.24.0"\n', "b.sh": 'ISTIO_VERSION="1.24.0"\n',
                                 "c.sh": 'ISTIO_VERSION="1.28.1"\n', "d.sh": 'ISTIO_VERSION="1.23.2"\n'})
    fixes = {p.fix for p in drift(RepoIndex(Worktree(repo)), today=datetime.date(2026, 1, 1))}
    assert fixes == {"gitops-bot apply set-version tool=istio version=1.28.1"}  # 1.24 ended 2025-06-24
    fixes = {p.fix for p in drift(RepoIndex(Worktree(repo)), today=datetime.date(2025, 1, 1))}
    assert fixes == {"gitops-bot apply set-version tool=istio version=1.24.0"}  # still supported then
    fixes = {p.fix for p in drift(RepoIndex(Worktree(repo)), today=datetime.date(2027, 1, 1))}
    assert [("gitops-bot " in fix, "choose a supported release" in fix) for fix in fixes] == [(False, True)]


def test_credentials_never_follow_a_redirect_to_another_host():
    """A registry may redirect (to a blob store, or anywhere): the Authorization header stays with
    the host it was meant for, while the redirect itself is followed."""
    import http.server
    import threading

    from gitops_bot.delivery.http import request

    seen: dict[str, str | None] = {}

    class Target(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen["target"] = self.headers.get("Authorization")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    target = http.server.HTTPServer(("127.0.0.1", 0), Target)

    class Origin(Target):
        def do_GET(self):
            seen["origin"] = self.headers.get("Authorization")
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{target.server_port}/blob")
            self.end_headers()

    origin = http.server.HTTPServer(("127.0.0.1", 0), Origin)
    for server in (target, origin):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        resp = request(f"http://127.0.0.1:{origin.server_port}/v2/x", {"Authorization": "Bearer secret"})
    finally:
        for server in (target, origin):
            server.shutdown()
    assert (resp.status, resp.body) == (200, b"ok")
    assert seen == {"origin": "Bearer secret", "target": None}


@pytest.mark.parametrize("path, expected", [
    ("k8s/app.yaml", True), ("compose.YML", True), ("charts/x/templates/_helpers.tpl", True),
    ("src/api/Dockerfile", True), ("Dockerfile.dev", True), ("build/api.Dockerfile", True), ("Containerfile", True),
    ("internal/k8s/pod.go", False), ("db/migrations/001.sql", False), ("README.md", False)])
def test_only_files_that_can_hold_an_image_form_are_read(path, expected):
    from gitops_bot.domain.unpinned import may_hold
    assert may_hold(path) is expected
