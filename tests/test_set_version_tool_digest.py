"""set-version tool= with digest=: a catalogue tool's image pinned by digest (`kindest/node:v1.22.0@sha256:...`)
is refused without it (tag and digest change together); digest=resolve looks the new tag's digest up
(a local fake registry over real HTTP), digest=drop removes it, digest=keep moves the tag alone. The
note right above the image moves only when the image does. Before/after byte for byte, second runs no-ops."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree
from .fakes.registries import FakeRegistry, digest_of

OLD = "sha256:" + "a" * 64
WORKFLOW = f"""jobs:
  e2e:
    steps:
      - uses: helm/kind-action@v1
        with:
          # kind node version v1.22.0
          node_image: kindest/node:v1.22.0@{OLD}
"""
MAKEFILE = "KIND_NODE_VERSION ?= v1.22.0\n"


@pytest.fixture
def registry(monkeypatch):
    with FakeRegistry({"kindest/node": ["v1.22.0", "v1.23.12"]}) as fake:
        monkeypatch.setenv("GITOPS_BOT_REGISTRY_URLS", f"docker.io={fake.url}")
        yield fake


def run(repo, command, *params):
    return main([command, "set-version", *params, "--repo", str(repo)])


def _tree(tmp_path):
    return write_tree(tmp_path, {".github/workflows/e2e.yaml": WORKFLOW, "Makefile": MAKEFILE})


@pytest.mark.parametrize("digest, image", [
    ("resolve", f"kindest/node:v1.23.12@{digest_of('kindest/node', 'v1.23.12')}"),
    ("drop", "kindest/node:v1.23.12"),
    ("keep", f"kindest/node:v1.23.12@{OLD}"),
])
def test_digest_says_what_becomes_of_a_pinned_image(tmp_path, registry, digest, image):
    repo = _tree(tmp_path)
    params = ("tool=kubernetes", "version=v1.23.12", f"digest={digest}")
    assert run(repo, "apply", *params) == 0
    assert tree_bytes(repo) == {
        ".github/workflows/e2e.yaml": WORKFLOW.replace(f"kindest/node:v1.22.0@{OLD}", image)
                                              .replace("version v1.22.0", "version v1.23.12").encode(),
        "Makefile": MAKEFILE.replace("v1.22.0", "v1.23.12").encode(),
    }
    assert run(repo, "plan", *params, "--exit-code") == 0


def test_without_digest_the_pinned_image_and_its_note_stay_and_are_refused(tmp_path, capsys):
    """An edit that was asked for and not made is a refused edit: a human finishes it (exit 1)."""
    repo = _tree(tmp_path)
    capsys.readouterr()
    assert run(repo, "plan", "tool=kubernetes", "version=v1.23.12", "--format", "json") == 1
    result = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in result["files"]] == ["Makefile"]
    assert [(r["path"], r["line"]) for r in result["refused"]] == [(".github/workflows/e2e.yaml", 7)]
    assert "digest=resolve" in result["refused"][0]["reason"] and result["residue"] == []


def test_an_incomplete_digest_is_refused_not_guessed(tmp_path, capsys):
    text = "image: kindest/node:v1.22.0@sha256:abc\n"
    repo = write_tree(tmp_path, {"kind.yaml": text})
    capsys.readouterr()
    assert run(repo, "plan", "tool=kubernetes", "version=v1.23.12", "digest=drop", "--format", "json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["files"] == [] and [(r["path"], r["line"]) for r in result["refused"]] == [("kind.yaml", 1)]


@pytest.mark.parametrize("params, message", [
    (("tool=kubernetes", "version=v1.23.12", "digest=latest"), "does not match ^(keep|drop|resolve)$"),
    (("tool=go", "version=1.23.2", "digest=pin"), "does not match ^(keep|drop|resolve)$"),
    (("chart=istiod", "version=1.23.2", "digest=drop"), "digest= applies to image= and tool="),
])
def test_digest_parameter_contract(tmp_path, capsys, params, message):
    repo = _tree(tmp_path)
    capsys.readouterr()
    assert run(repo, "plan", *params) == 2
    assert message in capsys.readouterr().err
