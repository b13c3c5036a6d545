"""set-version for language toolchains (`tool=go|node|python|ruby`): every form, each keeping its
own precision and variant suffix, release file names in Go's own naming, look-alikes that must not
move (another tool's same version, Go module versions, node-exporter), ranges and other majors in
the residue, idempotence. Before/after trees compared byte for byte."""

from __future__ import annotations

import contextlib

import pytest

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree
from .fakes.registries import FakeRegistry, digest_of


def check(tmp_path, capsys, forms: dict, unchanged: dict, *params) -> dict:
    """Apply, compare the tree byte for byte, and return the residue of a second (no-op) plan."""
    repo = write_tree(tmp_path, {**{p: b for p, (b, _a) in forms.items()}, **unchanged})
    assert run(repo, *params) == 0
    expected = {**{p: a for p, (_b, a) in forms.items()}, **unchanged}
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(expected.items())}
    code, second = report(repo, capsys, *params)
    assert code == 0 and second["files"] == []  # idempotent
    return {(r["path"], r["line"]): r["reason"] for r in second["residue"]}


GO_FORMS = {
    "svc/go.mod": ("module example.com/svc\n\ngo 1.17\n\nrequire golang.org/x/net v0.1.0\n",
                   "module example.com/svc\n\ngo 1.19\n\nrequire golang.org/x/net v0.1.0\n"),
    "go.work": ("go 1.17.5\n\ntoolchain go1.17.5\n\nuse ./svc\n", "go 1.19.0\n\ntoolchain go1.19\n\nuse ./svc\n"),
    "svc/Dockerfile": ("FROM --platform=$BUILDPLATFORM golang:1.17.7-alpine3.15 as builder\n"
                       "FROM golang:1.17-bullseye AS tools\nFROM istio/proxyv2:1.17.5\n",
                       "FROM --platform=$BUILDPLATFORM golang:1.19.0-alpine3.15 as builder\n"
                       "FROM golang:1.19-bullseye AS tools\nFROM istio/proxyv2:1.17.5\n"),
    ".github/workflows/ci.yaml": (
        "jobs:\n  test:\n    steps:\n      - uses: actions/setup-go@v3\n        with:\n"
        "          go-version: '1.17.5'  # keep in sync\n      - uses: actions/setup-go@v3\n"
        "        with:\n          go-version: 1.17.5\n",
        "jobs:\n  test:\n    steps:\n      - uses: actions/setup-go@v3\n        with:\n"
        "          go-version: '1.19.0'  # keep in sync\n      - uses: actions/setup-go@v3\n"
        "        with:\n          go-version: 1.19.0\n"),
    "install.sh": ("wget https://golang.org/dl/go1.17.5.linux-amd64.tar.gz\nISTIO_VERSION=1.17.5\n"
                   "GO_VERSION=\"${GO_VERSION:-1.17.5}\"\nMY_GO_VERSION=1.17.5\n",
                   "wget https://golang.org/dl/go1.19.linux-amd64.tar.gz\nISTIO_VERSION=1.17.5\n"
                   "GO_VERSION=\"${GO_VERSION:-1.19.0}\"\nMY_GO_VERSION=1.17.5\n"),
    "tools/Dockerfile": ("ARG GOLANG_VERSION=1.17\nFROM golang:${GOLANG_VERSION}-alpine\n",
                         "ARG GOLANG_VERSION=1.19\nFROM golang:${GOLANG_VERSION}-alpine\n"),
    "Makefile": ("GO_VERSION ?= 1.17.5\n", "GO_VERSION ?= 1.19.0\n"),
}
GO_UNCHANGED = {
    "k8s/exporter.yaml": "image: prom/node-exporter:v1.17.5\n",
    "docs/notes.md": "Protocol buffers 1.17.5 are unrelated.\n",
}


def test_go_moves_in_every_form_and_look_alikes_stay(tmp_path, capsys):
    residue = check(tmp_path, capsys, GO_FORMS, GO_UNCHANGED, "tool=go", "version=1.19.0")
    assert residue == {}


def test_a_minor_version_moves_what_is_written_as_a_minor_and_lists_the_rest(tmp_path, capsys):
    """`tool=go version=1.23` (podinfo's bump of `golang:1.22` images and `ARG GO_VERSION=1.22`):
    every occurrence written X.Y moves; one written with a patch (`go 1.22.5`, a release file
    `go1.22.5.linux-amd64`) cannot be given one: it is listed, not guessed."""
    minor = {"Dockerfile": "ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}-alpine\nFROM golang:1.22 AS tools\n",
             "go.mod": "module m\n\ngo 1.22\n"}
    patch = {"go.work": "go 1.22.5\n\nuse .\n", "get.sh": "curl -LO https://go.dev/dl/go1.22.5.linux-amd64.tar.gz\n"}
    repo = write_tree(tmp_path, {**minor, **patch})
    code, result = report(repo, capsys, "tool=go", "version=1.23")
    assert code == 0 and sorted(f["path"] for f in result["files"]) == ["Dockerfile", "go.mod"]
    assert sorted((r["path"], r["line"]) for r in result["residue"]) == [("get.sh", 1), ("go.work", 1)]
    assert all("more components than version=1.23" in r["reason"] for r in result["residue"])
    assert run(repo, "tool=go", "version=1.23") == 0
    assert tree_bytes(repo) == {**{p: t.replace("1.22", "1.23").encode() for p, t in minor.items()},
                                **{p: t.encode() for p, t in patch.items()}}


def test_an_official_image_with_its_patch_moves_to_the_minor_asked(tmp_path):
    """The official image publishes a tag per minor: argocd-autopilot's human bumped
    `golang:1.21.7` to `golang:1.22` with version=1.22. Its variant suffix stays."""
    repo = write_tree(tmp_path, {"Dockerfile": "FROM docker.io/library/golang:1.21.7 as build\n"
                                               "FROM golang:1.21.7-alpine3.19 AS tools\n"})
    assert run(repo, "tool=go", "version=1.22") == 0
    assert tree_bytes(repo) == {"Dockerfile": b"FROM docker.io/library/golang:1.22 as build\n"
                                              b"FROM golang:1.22-alpine3.19 AS tools\n"}


HELPER = "jobs:\n  build:\n    container:\n      image: quay.io/acme/golang-ci-helper:1.21\n"


@pytest.mark.parametrize("tags, moved", [(["1.21", "1.22"], True), (["1.21"], False), (None, False)])
def test_an_image_named_for_go_moves_when_its_registry_has_the_new_tag(tmp_path, capsys, monkeypatch, tags, moved):
    """A CI helper image built per Go minor (`golang-ci-helper:1.21`) moves with the toolchain
    when its registry (a local fake over real HTTP) lists the new tag; else it is listed, also when
    no registry answers. An image of another name tagged 1.21 (`acme/api:1.21`) stays."""
    files = {"go.mod": "module m\n\ngo 1.21\n", ".github/workflows/ci.yml": HELPER,
             "deploy/api.yaml": "image: quay.io/acme/api:1.21\n"}
    repo = write_tree(tmp_path, files)
    with contextlib.ExitStack() as stack:
        if tags is not None:
            fake = stack.enter_context(FakeRegistry({"acme/golang-ci-helper": tags}))
            monkeypatch.setenv("GITOPS_BOT_REGISTRY_URLS", f"quay.io={fake.url}")
        code, result = report(repo, capsys, "tool=go", "version=1.22")
        assert code == 0
        helper = [r["reason"] for r in result["residue"] if r["path"] == ".github/workflows/ci.yml"]
        assert helper == ([] if moved else [
            "quay.io/acme/golang-ci-helper is named for go and tagged with its old version 1.21, but its registry "
            + ("has no 1.22 tag" if tags is not None else "could not be asked") + ": not changed"])
        assert run(repo, "tool=go", "version=1.22") == 0
    expected = {**files, "go.mod": "module m\n\ngo 1.22\n"}
    if moved:
        expected[".github/workflows/ci.yml"] = HELPER.replace(":1.21", ":1.22")
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(expected.items())}


PINNED = "FROM golang:1.21.6-alpine@sha256:" + "a" * 64 + " AS build\n"


@pytest.mark.parametrize("digest", [None, "keep", "drop", "resolve"])
def test_an_official_image_pinned_by_digest_moves_as_digest_says(tmp_path, capsys, monkeypatch, digest):
    """microservices-demo pins `golang:1.25.0-alpine@sha256:...`: without digest= the edit is
    refused (exit 1, nothing half done); keep moves the tag, drop removes the digest, resolve
    writes the new tag's digest from its registry (a local fake over real HTTP)."""
    repo = write_tree(tmp_path, {"Dockerfile": PINNED, "go.mod": "module m\n\ngo 1.21.6\n"})
    params = ("tool=go", "version=1.22.1", *([f"digest={digest}"] if digest else []))
    with FakeRegistry({"library/golang": ["1.22.1-alpine"]}) as fake:
        monkeypatch.setenv("GITOPS_BOT_REGISTRY_URLS", f"docker.io={fake.url}")
        assert run(repo, *params) == (1 if digest is None else 0)
    tag = {None: "1.21.6-alpine@sha256:" + "a" * 64, "keep": "1.22.1-alpine@sha256:" + "a" * 64,
           "drop": "1.22.1-alpine", "resolve": "1.22.1-alpine@" + digest_of("library/golang", "1.22.1-alpine")}
    assert (repo / "Dockerfile").read_text() == f"FROM golang:{tag[digest]} AS build\n"


def test_go_release_names_drop_the_patch_only_before_1_21(tmp_path):
    repo = write_tree(tmp_path, {"get.sh": "curl -LO https://go.dev/dl/go1.20.5.darwin-arm64.pkg\n",
                                 "go.mod": "module m\n\ngo 1.20\n\ntoolchain go1.20.5\n"})
    assert run(repo, "tool=go", "version=1.21.0") == 0
    assert tree_bytes(repo) == {"get.sh": b"curl -LO https://go.dev/dl/go1.21.0.darwin-arm64.pkg\n",
                                "go.mod": b"module m\n\ngo 1.21\n\ntoolchain go1.21.0\n"}


NODE_FORMS = {
    ".nvmrc": ("v18.17.0\n", "v20.11.1\n"),
    "web/.node-version": ("18\n", "20\n"),
    "web/package.json": ('{\n  "name": "web",\n  "engines": {\n    "node": "18.17.0"\n  }\n}\n',
                         '{\n  "name": "web",\n  "engines": {\n    "node": "20.11.1"\n  }\n}\n'),
    "chart/values.yaml": ("image:\n  repository: node\n  tag: \"18.17.0-alpine\"\n",
                          "image:\n  repository: node\n  tag: \"20.11.1-alpine\"\n"),
    "compose.yaml": ("services:\n  web:\n    image: docker.io/library/node:18.17.0\n",
                     "services:\n  web:\n    image: docker.io/library/node:20.11.1\n"),
    "web/Dockerfile": ("FROM node:18-alpine AS build\nFROM node:18.17.0-bookworm-slim\n",
                       "FROM node:20-alpine AS build\nFROM node:20.11.1-bookworm-slim\n"),
    ".github/workflows/web.yml": ("steps:\n  - uses: actions/setup-node@v4\n    with:\n      node-version: \"18.x\"\n"
                                  "  - uses: actions/setup-node@v4\n    with:\n      node-version: 18\n",
                                  "steps:\n  - uses: actions/setup-node@v4\n    with:\n      node-version: \"18.x\"\n"
                                  "  - uses: actions/setup-node@v4\n    with:\n      node-version: 20\n"),
}
NODE_UNCHANGED = {
    "api/package.json": '{\n  "name": "api",\n  "engines": {\n    "node": ">=18.17.0"\n  }\n}\n',
    "k8s/ds.yaml": "image: quay.io/prometheus/node-exporter:v18.0.0\nnodeSelector: {}\n",
}


def test_node_moves_in_every_form_and_ranges_are_residue(tmp_path, capsys):
    residue = check(tmp_path, capsys, NODE_FORMS, NODE_UNCHANGED, "tool=node", "version=20.11.1")
    assert residue == {("api/package.json", 4): "'>=18.17.0' is a version range: left as it is",
                       (".github/workflows/web.yml", 4): "'18.x' is not one version: left as it is"}


def test_node_takes_a_major_version_where_a_major_is_written(tmp_path, capsys):
    """`tool=node version=22`: Node's majors are its releases. What is written as a major moves,
    so does the official image's tag (it publishes one per major); a patch-level pin elsewhere
    is listed, a lock file's engines of its dependencies are not (its tool rewrites it), and Go
    still needs X.Y."""
    lock = '{\n  "packages": {\n    "node_modules/x": {\n      "engines": {"node": ">=12.7.0"}\n    }\n  }\n}\n'
    repo = write_tree(tmp_path, {".nvmrc": "20\n", "Dockerfile": "FROM node:20-alpine AS web\nFROM node:20.11.1\n",
                                 "package.json": '{\n  "engines": {\n    "node": "20.11.1"\n  }\n}\n',
                                 "package-lock.json": lock})
    code, result = report(repo, capsys, "tool=node", "version=22")
    assert code == 0 and [(r["path"], r["line"]) for r in result["residue"]] == [("package.json", 3)]
    assert run(repo, "tool=node", "version=22") == 0
    assert tree_bytes(repo) == {".nvmrc": b"22\n", "Dockerfile": b"FROM node:22-alpine AS web\nFROM node:22\n",
                                "package.json": b'{\n  "engines": {\n    "node": "20.11.1"\n  }\n}\n',
                                "package-lock.json": lock.encode()}
    assert run(repo, "tool=go", "version=1") == 2


PYTHON_FORMS = {
    ".python-version": ("3.11.4\n", "3.12.1\n"),
    ".tool-versions": ("nodejs 18.17.0\npython 3.11.4  # pinned\n", "nodejs 18.17.0\npython 3.12.1  # pinned\n"),
    "app/Dockerfile": ("FROM python:3.11-slim\n", "FROM python:3.12-slim\n"),
    ".github/workflows/py.yaml": ("steps:\n  - uses: actions/setup-python@v5\n    with:\n"
                                  "      python-version: '3.11'\nmatrix:\n  python-version: ['3.10', '3.11']\n",
                                  "steps:\n  - uses: actions/setup-python@v5\n    with:\n"
                                  "      python-version: '3.12'\nmatrix:\n  python-version: ['3.10', '3.11']\n"),
}
PYTHON_UNCHANGED = {"pyproject.toml": "[project]\nname = \"app\"\nrequires-python = \">=3.11\"\n"}


def test_python_moves_and_requires_python_is_a_range_left_alone(tmp_path, capsys):
    residue = check(tmp_path, capsys, PYTHON_FORMS, PYTHON_UNCHANGED, "tool=python", "version=3.12.1")
    assert residue == {("pyproject.toml", 3): "'>=3.11' is a version range: left as it is",
                       (".github/workflows/py.yaml", 6): "names python next to 3.10 in no recognised form: not changed"}


def test_ruby_keeps_another_major_the_repository_also_uses(tmp_path, capsys):
    forms = {"email/.ruby-version": ("3.4.7\n", "3.4.8\n"),
             "email/Gemfile": ("source \"https://rubygems.org\"\nruby \"3.4.7\"\n",
                               "source \"https://rubygems.org\"\nruby \"3.4.8\"\n"),
             "email/Dockerfile": ("FROM docker.io/library/ruby:3.4.7-alpine3.22 AS builder\n",
                                  "FROM docker.io/library/ruby:3.4.8-alpine3.22 AS builder\n")}
    unchanged = {"mobile/.ruby-version": "2.7.6\n"}
    residue = check(tmp_path, capsys, forms, unchanged, "tool=ruby", "version=3.4.8")
    assert residue == {("mobile/.ruby-version", 1): "ruby 2.7.6 is of another major version than 3.4.8, which the "
                                                    "repository also uses: a separate pin, left as it is"}


def test_a_whole_repository_may_move_to_a_new_major(tmp_path):
    repo = write_tree(tmp_path, {".ruby-version": "2.7.6\n"})
    assert run(repo, "tool=ruby", "version=3.4.8") == 0
    assert tree_bytes(repo) == {".ruby-version": b"3.4.8\n"}


def test_a_plain_yaml_version_that_would_become_another_number_is_refused(tmp_path, capsys):
    before = {".github/workflows/ci.yaml": "steps:\n  - with:\n      go-version: 1.19\n"}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "tool=go", "version=1.20.3")
    assert code == 1 and result["files"] == []
    assert result["refused"][0]["reason"] == "edit refused: 1.20 would not stay a string in plain YAML; quote it"
    assert run(repo, "tool=go", "version=1.20.3") == 1
    assert tree_bytes(repo) == {p: t.encode() for p, t in before.items()}


def test_a_repository_entry_named_like_a_toolchain_wins(tmp_path):
    repo = write_tree(tmp_path, {".gitops-bot.yaml": "tools:\n  go:\n    description: our Go\n"
                                                     "    variables: [GO_VERSION]\n",
                                 "env.sh": "GO_VERSION=1.22.4\n", "go.mod": "module m\n\ngo 1.22.4\n"})
    assert run(repo, "tool=go", "version=1.23.0") == 0
    files = tree_bytes(repo)
    assert files["env.sh"] == b"GO_VERSION=1.23.0\n" and files["go.mod"] == b"module m\n\ngo 1.22.4\n"


def test_paths_limits_a_toolchain_and_unknown_tools_name_the_toolchains(tmp_path, capsys):
    repo = write_tree(tmp_path, {"a/.python-version": "3.11.4\n", "b/.python-version": "3.11.4\n"})
    assert run(repo, "tool=python", "version=3.12.1", "paths=a/") == 0
    assert tree_bytes(repo) == {"a/.python-version": b"3.12.1\n", "b/.python-version": b"3.11.4\n"}
    capsys.readouterr()
    assert run(repo, "tool=golang", "version=1.2.3") == 2
    assert ("unknown tool 'golang' (known: argo-cd, argo-rollouts, cert-manager, dex, external-secrets, "
            "gateway-api, go, ") in capsys.readouterr().err
