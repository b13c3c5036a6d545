"""set-version image=REGISTRY/PATH/*: every image under one path (a project's own images,
released together) moves to the tag, in each image form (manifest strings, Helm values
repository/tag, kustomize images, compose, Dockerfile FROM). Constructed before/after trees byte
for byte; look-alikes that never move (a sibling path that only starts like the prefix, the
prefix itself as an image, the same tag on another registry's image); tags that are not versions
listed; a second run that changes nothing; bad parameters."""

from __future__ import annotations


import pytest

from gitops_bot.domain.images import Names, is_prefix, names

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

PREFIX = "us-docker.pkg.dev/acme-samples/shop"

# path -> (before, after) for image=us-docker.pkg.dev/acme-samples/shop/* version=v0.10.3
FORMS = {
    "kustomize/base/cart.yaml": (
        f"spec:\n  containers:\n    - name: server\n      image: {PREFIX}/cartservice:v0.10.2\n"
        f"    - name: sidecar\n      image: {PREFIX}-tools/cartservice:v0.10.2\n",
        f"spec:\n  containers:\n    - name: server\n      image: {PREFIX}/cartservice:v0.10.3\n"
        f"    - name: sidecar\n      image: {PREFIX}-tools/cartservice:v0.10.2\n"),
    "release/manifests.yaml": (
        f"image: {PREFIX}/frontend:v0.10.2\n---\nimage: {PREFIX}/email/worker:v0.10.2\n---\n"
        "image: ghcr.io/other/frontend:v0.10.2\n",
        f"image: {PREFIX}/frontend:v0.10.3\n---\nimage: {PREFIX}/email/worker:v0.10.3\n---\n"
        "image: ghcr.io/other/frontend:v0.10.2\n"),
    "helm/values.yaml": (
        f"frontend:\n  image:\n    repository: {PREFIX}/frontend\n    tag: \"v0.10.2\"\n"
        "redis:\n  image:\n    repository: redis\n    tag: \"v0.10.2\"\n",
        f"frontend:\n  image:\n    repository: {PREFIX}/frontend\n    tag: \"v0.10.3\"\n"
        "redis:\n  image:\n    repository: redis\n    tag: \"v0.10.2\"\n"),
    "kustomize/overlay/kustomization.yaml": (
        f"images:\n  - name: {PREFIX}/adservice\n    newTag: v0.10.2\n  - name: busybox\n    newTag: v0.10.2\n",
        f"images:\n  - name: {PREFIX}/adservice\n    newTag: v0.10.3\n  - name: busybox\n    newTag: v0.10.2\n"),
    "src/loadgen/Dockerfile": (
        f"FROM {PREFIX}/base:v0.10.2-slim AS base\nFROM {PREFIX}:v0.10.2\n",
        f"FROM {PREFIX}/base:v0.10.3-slim AS base\nFROM {PREFIX}:v0.10.2\n"),
}


def test_every_image_under_the_path_moves_and_nothing_else(tmp_path, capsys):
    repo = write_tree(tmp_path, {p: pair[0] for p, pair in FORMS.items()})
    assert run(repo, f"image={PREFIX}/*", "version=v0.10.3") == 0
    assert tree_bytes(repo) == {p: pair[1].encode() for p, pair in sorted(FORMS.items())}
    code, second = report(repo, capsys, f"image={PREFIX}/*", "version=v0.10.3")
    assert code == 0 and second["files"] == []


@pytest.mark.parametrize("path", sorted(FORMS))
def test_each_form_alone(tmp_path, path):
    before, after = FORMS[path]
    repo = write_tree(tmp_path, {path: before})
    assert run(repo, f"image={PREFIX}/*", "version=v0.10.3") == 0
    assert tree_bytes(repo) == {path: after.encode()}


def test_a_tag_that_is_not_a_version_is_listed(tmp_path, capsys):
    repo = write_tree(tmp_path, {"k.yaml": f"images:\n  - name: {PREFIX}/cart\n    newTag: RELEASE_TAG\n"})
    code, result = report(repo, capsys, f"image={PREFIX}/*", "version=v0.10.3")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"]) for r in result["residue"]] == [("k.yaml", 2)]


def test_a_docker_hub_prefix_has_its_spellings(tmp_path):
    repo = write_tree(tmp_path, {"c.yaml": "a: acme/api:1.0.0\nb: docker.io/acme/web:1.0.0\nc: acmex/api:1.0.0\n"
                                           "d: library/acme/api:1.0.0\n"})
    assert run(repo, "image=acme/*", "version=1.1.0") == 0
    assert (repo / "c.yaml").read_text() == ("a: acme/api:1.1.0\nb: docker.io/acme/web:1.1.0\nc: acmex/api:1.0.0\n"
                                             "d: library/acme/api:1.0.0\n")


@pytest.mark.parametrize("params", [[f"image={PREFIX}/*", "to=ghcr.io/x/y", "version=v1"],
                                    ["image=/*", "version=v1"], ["image=ghcr.io/acme/*/x", "version=v1"]])
def test_bad_prefix_parameters_exit_2_and_leave_the_tree(tmp_path, params):
    before = {p: pair[0] for p, pair in FORMS.items()}
    repo = write_tree(tmp_path, before)
    assert run(repo, *params) == 2
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(before.items())}


def test_names():
    assert is_prefix("ghcr.io/acme/*") and not is_prefix("ghcr.io/acme") and not is_prefix("*")
    prefix = names("ghcr.io/acme/*")
    assert isinstance(prefix, Names)
    assert "ghcr.io/acme/api" in prefix and "ghcr.io/acme/a/b" in prefix
    assert "ghcr.io/acme" not in prefix and "ghcr.io/acme-x/api" not in prefix and "x.io/acme/api" not in prefix
    one = names("ghcr.io/acme/api")
    assert "ghcr.io/acme/api" in one and "ghcr.io/acme/api2" not in one
