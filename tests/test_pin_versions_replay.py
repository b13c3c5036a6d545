"""pin-versions forms that need a lookup, against local fakes over real HTTP (no network):
`actions=commit` (`uses: OWNER/REPO@REF` -> `@<sha> # vX.Y.Z` from the repository's tags),
`image=* paths=` (compose images to their registry's newest stable tag, in scope only),
`image= version= digest=resolve` (the tag's digest written), the `tag:` key a Helm values image
mapping lacks, and terraform-docs rows in READMEs the repository's pre-commit hook does not
generate. Before/after text byte for byte, look-alikes untouched, second runs no-ops, every
reference left listed with its reason."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.github_refs import exact_tag
from gitops_bot.domain.unpinned import untagged_mappings

from .conftest import tree_bytes, write_tree
from .fakes.registries import FakeRegistry
from .fakes.releases import FakeReleases

A, B, C, D, E = ("a" * 40, "b" * 40, "c" * 40, "0123456789abcdef0123456789abcdef01234567", "e" * 40)
TAGS = {"actions/checkout": {"v4": A, "v4.1.0": B, "v4.1.1": A, "v5": C, "v5.0.0": C},
        "acme/tool": {"v0.3.0": D, "v0.2.0": B},
        "acme/setup": {"v2.0.0": E, "v2": E},
        "acme/mono": {"v1": B, "v1.2.0": B}}
RELEASES = {"acme/tool": "v0.3.0"}


def run(repo, *params, command="apply"):
    return main([command, "pin-versions", *params, "--repo", str(repo)])


def residue(repo, capsys, *params) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = run(repo, *params, "--format", "json", command="plan")
    return code, [f"{r['path']}:{r['line']}: {r['reason']}" for r in json.loads(capsys.readouterr().out)["residue"]]


@pytest.fixture
def github(monkeypatch):
    with FakeReleases(RELEASES, tags=TAGS, page_size=2) as fake:  # tag lists of several pages
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        yield fake


# -- actions=commit ------------------------------------------------------------------------------
WORKFLOW = """\
name: ci
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/tool@main
      - name: quoted
        uses: "acme/setup@v2.0.0"
      - uses: acme/mono/sub/action@v1
      - uses: acme/tool@v0.2.0 # pinned for a reason
      - uses: acme/missing@v3
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v4.0.0
      - uses: ./.github/actions/local
"""
PINNED = f"""\
name: ci
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{A} # v4.1.1
      - uses: acme/tool@{D} # v0.3.0
      - name: quoted
        uses: "acme/setup@{E}" # v2.0.0
      - uses: acme/mono/sub/action@{B} # v1.2.0
      - uses: acme/tool@v0.2.0 # pinned for a reason
      - uses: acme/missing@v3
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v4.0.0
      - uses: ./.github/actions/local
"""


def test_actions_commit_pins_every_ref_to_its_commit_with_the_exact_release(tmp_path, github, capsys):
    repo = write_tree(tmp_path, {".github/workflows/ci.yml": WORKFLOW, "docs/ci.md": "uses: actions/checkout@v4\n"})
    code, notes = residue(repo, capsys, "actions=commit")
    assert code == 0
    assert notes == [".github/workflows/ci.yml:12: action on v0.2.0: a comment follows it; pin it to its commit "
                     "by hand",
                     ".github/workflows/ci.yml:13: action on v3: acme/missing has no tag v3; pin it by hand"]
    assert run(repo, "actions=commit") == 0
    assert tree_bytes(repo)[".github/workflows/ci.yml"].decode() == PINNED
    assert tree_bytes(repo)["docs/ci.md"] == b"uses: actions/checkout@v4\n"  # not a workflow
    assert run(repo, "actions=commit") == 0
    assert tree_bytes(repo)[".github/workflows/ci.yml"].decode() == PINNED  # the second run changes nothing


def test_actions_commit_keeps_line_ends_and_a_missing_final_newline(tmp_path, github):
    repo = write_tree(tmp_path, {})
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/a.yml").write_bytes(b"steps:\r\n  - uses: actions/checkout@v5\r\n"
                                                   b"  - uses: acme/setup@v2")
    assert run(repo, "actions=commit") == 0
    assert (repo / ".github/workflows/a.yml").read_bytes() == (
        f"steps:\r\n  - uses: actions/checkout@{C} # v5.0.0\r\n  - uses: acme/setup@{E} # v2.0.0".encode())


def test_actions_default_keeps_tags_and_names_actions_commit(tmp_path, github, capsys):
    repo = write_tree(tmp_path, {".github/workflows/ci.yml": "steps:\n  - uses: actions/checkout@v4\n"})
    code, notes = residue(repo, capsys)
    assert code == 0 and notes == [".github/workflows/ci.yml:2: action on tag v4, not a commit (a tag can be moved): "
                                   "pin it to its commit by hand (or pass actions=commit)"]
    assert run(repo) == 0 and tree_bytes(repo)[".github/workflows/ci.yml"] == b"steps:\n  - uses: actions/checkout@v4\n"


def test_actions_commit_without_a_token_changes_nothing_and_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    repo = write_tree(tmp_path, {".github/workflows/ci.yml": "steps:\n  - uses: actions/checkout@v4\n"})
    before = tree_bytes(repo)
    code, notes = residue(repo, capsys, "actions=commit")
    assert code == 0 and notes == [".github/workflows/ci.yml:2: action on v4: no GITHUB_TOKEN to look up its commit"]
    assert run(repo, "actions=commit") == 0 and tree_bytes(repo) == before


def test_a_malformed_commit_from_the_api_is_never_written(tmp_path, monkeypatch, capsys):
    with FakeReleases({}, tags={"actions/checkout": {"v4": "$(touch /tmp/x)"}}) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        repo = write_tree(tmp_path, {".github/workflows/ci.yml": "steps:\n  - uses: actions/checkout@v4\n"})
        before = tree_bytes(repo)
        assert run(repo, "actions=commit") == 2
    assert "not 40 hex digits" in capsys.readouterr().err and tree_bytes(repo) == before


def test_paths_limits_actions_commit(tmp_path, github):
    files = {".github/workflows/ci.yml": "steps:\n  - uses: actions/checkout@v4\n",
             "ci/other.yml": "x: 1\n", ".github/actions/a/action.yml": "runs:\n  steps:\n    - uses: acme/setup@v2\n"}
    repo = write_tree(tmp_path, files)
    assert run(repo, "actions=commit", "paths=.github/workflows/") == 0
    after = tree_bytes(repo)
    assert after[".github/workflows/ci.yml"] == f"steps:\n  - uses: actions/checkout@{A} # v4.1.1\n".encode()
    assert after[".github/actions/a/action.yml"] == files[".github/actions/a/action.yml"].encode()


@pytest.mark.parametrize("params, message", [
    (["actions=sha"], "does not match"),
    (["actions=commit", "image=nginx"], "actions= applies to GitHub Actions"),
    (["digest=resolve"], "digest= applies to image= only"),
])
def test_parameter_contract(tmp_path, capsys, params, message):
    repo = write_tree(tmp_path, {"a.yaml": "image: nginx\n"})
    assert run(repo, *params, command="plan") == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("ref, commit, tags, expected", [
    ("v4", A, {"v4": A, "v4.1.1": A, "v4.1.0": B}, "v4.1.1"),
    ("v4", A, {"v4": A, "v4.1": A, "v4.1.1": A, "v4.1.2-rc.1": A}, "v4.1.1"),
    ("v4", A, {"v4": A, "v40.0.0": A}, "v4"),  # v40 is not within v4
    ("v6.0.2", A, {"v6.0.2": A}, "v6.0.2"),
    ("v1", A, {"v1": A, "latest": A}, "v1"),
])
def test_exact_tag(ref, commit, tags, expected):
    assert exact_tag(ref, commit, tags) == expected


# -- image=* paths=, digest=resolve --------------------------------------------------------------
COMPOSE = """\
services:
  front:
    image: acme/front-end
    restart: always
  db:
    image: mongo
  cache:
    image: "redis"
"""


@pytest.fixture
def registry(monkeypatch):
    images = {"acme/front-end": ["0.3.12", "0.3.11", "latest"], "library/mongo": ["3.4", "latest"],
              "library/redis": ["7.4.1"], "library/busybox": ["1.38.0", "1.37.0"], "apache/celeborn": ["0.6.2"]}
    with FakeRegistry(images, digests={"library/busybox:1.38.0": "sha256:" + "f" * 64}) as fake:
        monkeypatch.setenv("GITOPS_BOT_REGISTRY_URLS", f"docker.io={fake.url}")
        yield fake


def test_every_image_in_scope_pinned_to_its_newest_tag(tmp_path, registry, capsys):
    repo = write_tree(tmp_path, {"deploy/a/docker-compose.yml": COMPOSE, "deploy/b/docker-compose.yml": COMPOSE,
                                 "deploy/a/docker-compose.logging.yml": COMPOSE})
    code, notes = residue(repo, capsys, "image=*", "paths=deploy/*/docker-compose.yml")
    assert code == 0
    assert notes == [f"deploy/{x}/docker-compose.yml:6: unpinned image: no stable version among the tags of mongo; "
                     "pin it by hand" for x in "ab"]
    assert run(repo, "image=*", "paths=deploy/*/docker-compose.yml") == 0
    pinned = COMPOSE.replace("acme/front-end", "acme/front-end:0.3.12").replace('"redis"', '"redis:7.4.1"')
    after = tree_bytes(repo)
    assert after["deploy/a/docker-compose.yml"].decode() == after["deploy/b/docker-compose.yml"].decode() == pinned
    assert after["deploy/a/docker-compose.logging.yml"].decode() == COMPOSE  # out of scope
    assert run(repo, "image=*", "paths=deploy/*/docker-compose.yml") == 0 and tree_bytes(repo) == after


def test_digest_resolve_writes_the_tags_digest(tmp_path, registry, capsys):
    old = "sha256:" + "1" * 64
    new = "sha256:" + "f" * 64
    files = {"k8s/a.yaml": "spec:\n  initContainers:\n  - image: busybox:latest\n",
             "k8s/b.yaml": f"spec:\n  containers:\n  - image: busybox:latest@{old}\n",
             "chart/values.yaml": "init:\n  repository: busybox\n  tag: latest\n"}
    repo = write_tree(tmp_path, files)
    code, notes = residue(repo, capsys, "image=busybox", "version=1.38.0", "digest=resolve")
    assert code == 0 and notes == ["chart/values.yaml:3: tag set to 1.38.0 only: a tag in a key of its own has no "
                                   "digest beside it; pin the digest by hand"]
    assert run(repo, "image=busybox", "version=1.38.0", "digest=resolve") == 0
    after = {p: b.decode() for p, b in tree_bytes(repo).items()}
    assert after == {"k8s/a.yaml": f"spec:\n  initContainers:\n  - image: busybox:1.38.0@{new}\n",
                     "k8s/b.yaml": f"spec:\n  containers:\n  - image: busybox:1.38.0@{new}\n",
                     "chart/values.yaml": "init:\n  repository: busybox\n  tag: 1.38.0\n"}
    assert run(repo, "image=busybox", "version=1.38.0", "digest=resolve") == 0
    assert {p: b.decode() for p, b in tree_bytes(repo).items()} == after


# -- the tag: key a values image mapping lacks -------------------------------------------------------
def test_untagged_values_mappings(tmp_path, registry, capsys):
    files = {
        "infra/helm-values/celeborn.yaml": "image:\n  pullPolicy: IfNotPresent\n\nworker:\n  replicas: 3\n",
        "charts/celeborn/values.yaml": "# the chart's default image\nimage:\n    pullPolicy: Always  # keep\n",
        "infra/helm-values/other.yaml": "image:\n  pullPolicy: IfNotPresent\n",  # another chart's image
        "infra/helm-values/named.yaml": "image:\n  repository: apache/celeborn\n  pullPolicy: IfNotPresent\n",
        "infra/helm-values/tagged.yaml": "image:\n  repository: apache/celeborn\n  tag: 0.5.0\n",
        "infra/helm-values/nested.yaml": "worker:\n  image:\n    pullPolicy: IfNotPresent\n",
        "infra/helm-values/last.yaml": "image:\n  pullPolicy: IfNotPresent",
    }
    repo = write_tree(tmp_path, files)
    code, notes = residue(repo, capsys, "image=apache/celeborn", "version=0.6.2")
    assert code == 0
    assert notes == [f"{p}: tag: 0.6.2 added to the chart's default image, taken to be apache/celeborn (the values "
                     "file's name): check"
                     for p in ("charts/celeborn/values.yaml:2", "infra/helm-values/celeborn.yaml:1")]
    assert run(repo, "image=apache/celeborn", "version=0.6.2") == 0
    expected = {**files,
                "infra/helm-values/celeborn.yaml": "image:\n  pullPolicy: IfNotPresent\n  tag: 0.6.2\n\nworker:\n"
                                                   "  replicas: 3\n",
                "charts/celeborn/values.yaml": "# the chart's default image\nimage:\n    pullPolicy: Always  # keep\n"
                                               "    tag: 0.6.2\n",
                "infra/helm-values/named.yaml": "image:\n  repository: apache/celeborn\n  tag: 0.6.2\n"
                                                "  pullPolicy: IfNotPresent\n"}
    assert {p: b.decode() for p, b in tree_bytes(repo).items()} == expected
    assert run(repo, "image=apache/celeborn", "version=0.6.2") == 0  # the second run changes nothing
    assert {p: b.decode() for p, b in tree_bytes(repo).items()} == expected


def test_a_tag_plain_yaml_reads_as_a_number_is_quoted(tmp_path, registry):
    repo = write_tree(tmp_path, {"celeborn.yaml": "image:\n  repository: apache/celeborn\n"})
    assert run(repo, "image=apache/celeborn", "version=1.25") == 0
    assert tree_bytes(repo)["celeborn.yaml"] == b'image:\n  repository: apache/celeborn\n  tag: "1.25"\n'


def test_untagged_mappings_reader():
    text = "image:\r\n  pullPolicy: IfNotPresent\r\nsub:\n  image:\n    registry: ghcr.io\n    repository: a/b\n"
    found = untagged_mappings(text)
    assert [(m.line, m.repository, m.top_level, m.indent, m.newline) for m in found] == [
        (1, "", True, "  ", "\r\n"), (4, "ghcr.io/a/b", False, "    ", "\n")]
    assert text[:found[1].at].endswith("repository: a/b\n")
    assert untagged_mappings("image: nginx\nimage:\n  tag: 1.0\n") == []


# -- terraform-docs rows and the pre-commit hook ------------------------------------------------------
VERSIONS_TF = 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n' \
              '      version = ">= 3.72"\n    }\n  }\n}\n'
ROW = '| <a name="requirement_aws"></a> [aws](#requirement\\_aws) | {v} |\n'
TABLE = "## Requirements\n\n| Name | Version |\n|------|---------|\n" + ROW
HOOK = ("repos:\n  - repo: https://github.com/antonbabenko/pre-commit-terraform\n    hooks:\n"
        "      - id: terraform_docs\n")


@pytest.mark.parametrize("hook, readme, changed", [
    (None, TABLE, True),  # no hook: a README without markers is terraform-docs' plain output
    (HOOK, TABLE, False),  # the hook skips a README without markers
    (HOOK, "# x\n<!-- BEGIN_TF_DOCS -->\n" + TABLE + "<!-- END_TF_DOCS -->\n", True),
    (HOOK, "# x\n<!-- BEGINNING OF PRE-COMMIT-TERRAFORM DOCS HOOK -->\n" + TABLE
     + "<!-- END OF PRE-COMMIT-TERRAFORM DOCS HOOK -->\n", True),
    (HOOK.replace("terraform_docs\n", "terraform_docs\n        args: [--hook-config=--add-to-existing-file=true]\n"),
     TABLE, True),
])
def test_terraform_docs_rows_follow_the_repositorys_hook(tmp_path, capsys, hook, readme, changed):
    files = {"stack/versions.tf": VERSIONS_TF, "stack/README.md": readme.replace("{v}", ">= 3.72")}
    if hook:
        files[".pre-commit-config.yaml"] = hook
    repo = write_tree(tmp_path, files)
    code, notes = residue(repo, capsys, "provider=hashicorp/aws", "version=~> 5.95")
    assert code == 0
    assert run(repo, "provider=hashicorp/aws", "version=~> 5.95") == 0
    after = tree_bytes(repo)
    assert b'version = "~> 5.95"' in after["stack/versions.tf"]
    assert after["stack/README.md"].decode() == readme.replace("{v}", "~> 5.95" if changed else ">= 3.72")
    assert any("without terraform-docs markers" in n for n in notes) == (not changed)
