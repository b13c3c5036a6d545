"""Version recipes and checks: set-version and pin-versions golden trees, the GitHub lookup
against a local fake of the releases API, lookalikes that must not move, and the version rules."""

from __future__ import annotations

import datetime
import json
import shutil

import pytest

from gitops_bot.checks.model import RepoIndex
from gitops_bot.checks.versions import end_of_support
from gitops_bot.cli import main
from gitops_bot.domain.versions import Occurrence
from gitops_bot.domain.worktree import Worktree

from .conftest import GOLDEN, ROOT, assert_same_tree, tree_bytes
from .fakes.releases import FakeReleases

FIXTURE = ROOT / "tests" / "fixtures" / "versions" / "repo"
RELEASES = {"argoproj/argo-rollouts": "v1.8.3", "kubernetes-sigs/gateway-api": "v1.3.0",
            "actions/setup-go": "v5.4.0"}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    target = tmp_path / "repo"
    shutil.copytree(FIXTURE, target)
    return target


def test_set_version_golden_and_idempotent(repo, capsys):
    # exit 1: the digest-pinned istio image is a refused edit, for a human to finish
    assert main(["apply", "set-version", "tool=istio", "version=1.28.2", "--repo", str(repo)]) == 1
    assert_same_tree(repo, FIXTURE, GOLDEN / "set-version" / "istio-1.28.2")
    capsys.readouterr()
    assert main(["plan", "set-version", "tool=istio", "version=1.28.2", "--repo", str(repo), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["files"] == []


def test_set_version_leaves_the_go_toolchain_and_other_charts_alone(repo, capsys):
    main(["apply", "set-version", "tool=istio", "version=1.28.2", "--repo", str(repo)])
    after = tree_bytes(repo)
    assert after["go.mod"] == tree_bytes(FIXTURE)["go.mod"]
    makefile = after["Makefile"].decode()
    assert "GO_VERSION    ?= 1.24.0" in makefile and "golang:1.24.0" in makefile
    assert "go-version: '1.24.0'" in after[".github/workflows/ci.yaml"].decode()
    assert 'version    = "1.24.0" # same string, another chart' in after["terraform/helm.tf"].decode()


def test_set_version_reports_what_it_found_and_what_it_left(repo, capsys):
    main(["plan", "set-version", "tool=istio", "version=1.28.2", "--repo", str(repo), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    found = {(f["path"], f["line"], f["reason"]) for f in report["found"]}
    assert ("k8s/manifests/gateway.yaml", 10, "image tag: 1.23.2") in found  # the repo was inconsistent
    assert ("scripts/install-istio.sh", 12, "release-branch URL: 1.24") in found
    assert ("scripts/install-istio.sh", 8, "inline variable: 1.24.0") in found
    assert len(found) == 13
    assert [(r["path"], r["line"], r["reason"].split(":")[0]) for r in report["residue"]] == [
        ("docs/upgrade.md", 3, "looks like istio 1.24.0 but is not a recognised form"),
    ]
    assert [(r["path"], r["line"], r["reason"].split(":")[0]) for r in report["refused"]] == [
        ("k8s/manifests/gateway.yaml", 12, "edit refused"),
    ]


@pytest.mark.parametrize("tool, version", [("argo-rollouts", "v1.8.3"), ("redis", "7.4.1"),
                                           ("metrics-server", "3.12.2")])
def test_pin_versions_with_a_given_version(repo, capsys, tool, version):
    assert main(["apply", "pin-versions", f"tool={tool}", f"version={version}", "--repo", str(repo)]) == 0
    assert_same_tree(repo, FIXTURE, GOLDEN / "pin-versions" / f"{tool}-{version}")
    capsys.readouterr()
    assert main(["plan", "pin-versions", f"tool={tool}", f"version={version}", "--repo", str(repo),
                 "--exit-code"]) == 0


def test_pin_versions_looks_up_latest_releases(repo, capsys, monkeypatch):
    with FakeReleases(RELEASES) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        assert main(["apply", "pin-versions", "--repo", str(repo)]) == 0
    assert_same_tree(repo, FIXTURE, GOLDEN / "pin-versions" / "lookup")
    assert sorted(path for _, path, _ in fake.requests) == [
        "/repos/actions/setup-go/releases/latest",
        "/repos/argoproj/argo-rollouts/releases/latest",
        "/repos/kubernetes-sigs/gateway-api/releases/latest",
    ]  # one lookup per repository, even with two URLs of it
    assert {auth for _, _, auth in fake.requests} == {"Bearer test-token"}  # GitHub's documented scheme


def test_without_token_floating_references_are_reported_not_guessed(repo, capsys):
    before = tree_bytes(repo)
    assert main(["plan", "pin-versions", "--repo", str(repo), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == [] and tree_bytes(repo) == before
    reasons = {r["path"]: r["reason"] for r in report["residue"]}
    assert reasons["scripts/install-rollouts.sh"] == ("floating release URL: no version given and no GITHUB_TOKEN "
                                                      "to look up argoproj/argo-rollouts's latest release")
    assert [(r["line"], r["reason"][:30]) for r in report["residue"] if r["path"] == ".github/workflows/ci.yaml"
            and r["reason"].startswith("action on tag")] == [(9, "action on tag v4, not a commit")]
    assert len(report["residue"]) == 11


def test_repository_without_releases_is_reported(repo, capsys, monkeypatch):
    with FakeReleases({}) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        main(["plan", "pin-versions", "tool=argo-rollouts", "--repo", str(repo), "--format", "json"])
    residue = json.loads(capsys.readouterr().out)["residue"]
    assert residue[0]["reason"] == "floating release URL: argoproj/argo-rollouts has no GitHub release to pin to"


def test_github_error_is_one_line_and_changes_nothing(repo, capsys, monkeypatch):
    before = tree_bytes(repo)
    with FakeReleases(RELEASES, status=401) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "wrong")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        assert main(["apply", "pin-versions", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP 401: Bad credentials" in err
    assert tree_bytes(repo) == before


@pytest.mark.parametrize("argv, message", [
    (["set-version", "tool=nginx", "version=1.2.3"], "unknown tool 'nginx' (known: argo-cd, argo-rollouts"),
    (["set-version", "tool=istoi", "version=1.2.3"], "unknown tool 'istoi'; did you mean: istio? (known: "),
    (["set-version", "tool=istio", "version=latest"], "does not match"),
    (["pin-versions", "version=1.2.3"], "version= needs tool="),
])
def test_bad_input(repo, capsys, argv, message):
    assert main(["plan", *argv, "--repo", str(repo)]) == 2
    assert message in capsys.readouterr().err


def test_bad_catalogue_extension_names_the_file(repo, capsys):
    (repo / ".gitops-bot.yaml").write_text("tools:\n  x:\n    imagez: [a]\n")
    assert main(["plan", "set-version", "tool=x", "version=1.0.0", "--repo", str(repo)]) == 2
    assert ".gitops-bot.yaml: tool x: unknown fields imagez" in capsys.readouterr().err


def test_version_checks(repo, capsys):
    assert main(["check", "--repo", str(repo), "--format", "json", "--rule", "floating-version",
                 "--rule", "version-drift", "--rule", "unpinned-image"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert len([p for p in problems if p["rule"] == "floating-version"]) == 6  # images are unpinned-image's
    assert [(p["path"], p["line"]) for p in problems if p["rule"] == "unpinned-image"] == [
        ("docker/docker-compose.yml", 5), ("k8s/charts/web/values.yaml", 3), ("k8s/manifests/gateway.yaml", 14),
        ("k8s/manifests/gateway.yaml", 16)]
    assert [(p["path"], p["line"]) for p in problems if p["rule"] == "version-drift"] == [
        ("k8s/manifests/gateway.yaml", 10)]


def test_checks_quiet_after_the_fixes(repo, capsys, monkeypatch):
    with FakeReleases(RELEASES) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        main(["apply", "pin-versions", "--repo", str(repo)])
    for tool, version in (("redis", "7.4.1"), ("metrics-server", "3.12.2"), ("istio", "1.28.2")):
        main(["apply", "pin-versions" if tool != "istio" else "set-version", f"tool={tool}",
              f"version={version}", "--repo", str(repo)])
    capsys.readouterr()
    main(["check", "--repo", str(repo), "--format", "json", "--rule", "floating-version", "--rule", "version-drift",
          "--rule", "unpinned-image"])
    left = [(p["path"], p["rule"]) for p in json.loads(capsys.readouterr().out)["problems"]]
    # nginx and the web chart's tag are no catalogue tool's; the digest-pinned image keeps 1.24.0
    assert sorted(left) == [("k8s/charts/web/values.yaml", "unpinned-image"),
                            ("k8s/manifests/gateway.yaml", "unpinned-image"),
                            ("k8s/manifests/gateway.yaml", "version-drift")]


@pytest.mark.parametrize("today, minors", [
    (datetime.date(2025, 1, 1), []),
    (datetime.date(2025, 5, 1), ["1.23"]),
    (datetime.date(2026, 11, 22), ["1.23", "1.24"]),
])
def test_end_of_support_uses_the_support_table(today, minors):
    problems = end_of_support(RepoIndex(Worktree(FIXTURE)), today=today)
    assert sorted(p.message.split()[1] for p in problems) == minors


@pytest.mark.parametrize("written, minor_only, new, expected", [
    ("1.24.0", False, "1.28.2", "1.28.2"), ("v1.24.0", False, "1.28.2", "v1.28.2"),
    ("1.24.0", False, "v1.28.2", "1.28.2"), ("1.24", True, "1.28.2", "1.28"),
])
def test_each_occurrence_keeps_its_form(written, minor_only, new, expected):
    assert Occurrence("p", 1, 0, 0, written, "f", minor_only).rewritten(new) == expected


def test_pin_versions_lists_actions_on_a_version_tag(tmp_path, capsys):
    """`uses: OWNER/REPO@v6.0.2` is pinned to a tag, not a commit: listed with its line, never
    changed; a commit pin, a local action and a `uses:` outside .github/ are not listed."""
    sha = "0123456789abcdef0123456789abcdef01234567"
    workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: actions/checkout@v6.0.2\n"
                f"      - uses: actions/setup-go@{sha}  # v5.4.0\n"
                "      - uses: ./.github/actions/build\n"
                "      - uses: gradle/actions/wrapper-validation@v5\n")
    files = {".github/workflows/ci.yaml": workflow, "docs/ci.yaml": "steps:\n  - uses: actions/checkout@v6\n"}
    repo = tmp_path / "r"
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    before = tree_bytes(repo)
    capsys.readouterr()
    assert main(["plan", "pin-versions", "--repo", str(repo), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(r["path"], r["line"], r["reason"]) for r in report["residue"]] == [
        (".github/workflows/ci.yaml", 6, "action on tag v6.0.2, not a commit (a tag can be moved): "
                                         "pin it to its commit by hand (or pass actions=commit)"),
        (".github/workflows/ci.yaml", 9, "action on tag v5, not a commit (a tag can be moved): "
                                         "pin it to its commit by hand (or pass actions=commit)"),
    ]
    assert main(["apply", "pin-versions", "--repo", str(repo)]) == 0
    assert tree_bytes(repo) == before
    capsys.readouterr()
    assert main(["plan", "pin-versions", "tool=argo-rollouts", "version=v1.8.3", "--repo", str(repo),
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["residue"] == []  # another tool's action: not its target
