"""`.gitops-bot.yaml` is parsed once, `tools:` included, and the catalogue is built from that
RepoConfig: the action's `config:` input names the file its tools come from, read from the
default branch (not the workspace); the CLI reads the checkout's file once; a `tools:` error
names the file and the line."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.config import parse_config
from gitops_bot.engine.run import run_recipe
from gitops_bot.errors import UserError
from gitops_bot.engine.recipe import builtin_recipes

from .conftest import SLUG, git
from .test_action import WEBHOOKS, action, comment, replies  # noqa: F401  (`action` is a fixture)
from .test_versions import FIXTURE

CI_CONFIG = "ci/gitops-bot.yaml"
VALKEY = ("tools:\n"
          "  valkey:\n"
          "    description: Valkey\n"
          "    images: [valkey/valkey]\n"
          "    variables: [VALKEY_VERSION]\n")
# A decoy at the default name: it must not be where the tools come from when `config:` names
# another file (it defines valkey through an image nothing uses).
DECOY = "tools:\n  valkey:\n    images: [example.com/not-valkey]\n"


def push_files(repos, files: dict[str, str]) -> None:
    _, clone = repos
    for path, text in files.items():
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_text(text)
        git(clone, "add", path)
    git(clone, "commit", "--quiet", "-m", "valkey")
    git(clone, "push", "--quiet", "origin", "HEAD:main")


VALKEY_FILES = {
    CI_CONFIG: VALKEY,
    "k8s/valkey/deployment.yaml": "containers:\n  - name: valkey\n    image: valkey/valkey:8.0.1\n",
    "scripts/valkey.sh": 'VALKEY_VERSION="8.0.2"\necho "$VALKEY_VERSION"\n',
}


@pytest.fixture
def valkey_repo(repos):
    """The example monorepo on origin with a valkey deployment, `ci/gitops-bot.yaml` defining
    the valkey tool, and a decoy `.gitops-bot.yaml`."""
    push_files(repos, {**VALKEY_FILES, ".gitops-bot.yaml": DECOY})
    return repos


@pytest.fixture
def valkey_repo_without_decoy(repos):
    """The same without a `.gitops-bot.yaml`: valkey is defined in `ci/gitops-bot.yaml` only."""
    push_files(repos, VALKEY_FILES)
    return repos


@pytest.fixture
def reads(monkeypatch):
    """Every read of a configuration file: through the action's reader (Checkout.read_file, from
    the default branch's commit) and from a tree on disk (worktree.read_text_inside)."""
    from gitops_bot.domain import worktree
    from gitops_bot.delivery.git import Checkout

    seen: list[tuple[str, str]] = []
    read_file, read_text_inside = Checkout.read_file, worktree.read_text_inside

    def spy_read_file(self, sha, path):
        seen.append(("commit", path))
        return read_file(self, sha, path)

    def spy_read_text_inside(root, path):
        seen.append(("tree", str(path)))
        return read_text_inside(root, path)

    monkeypatch.setattr(Checkout, "read_file", spy_read_file)
    monkeypatch.setattr(worktree, "read_text_inside", spy_read_text_inside)
    return lambda: [(where, path) for where, path in seen if path.endswith("gitops-bot.yaml")]


def dispatch_payload() -> dict:
    return json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())


# -- the action: `config:` names where `tools:` come from ----------------------------------------
def test_comment_plan_uses_the_tools_of_the_configured_file(action, github, valkey_repo, reads):
    action("issue_comment", comment("/gitops-bot plan set-version valkey version=8.1.0"), config=CI_CONFIG)
    (reply,) = replies(github)
    assert "unknown tool" not in reply
    assert "would change 2 files" in reply
    assert "`k8s/valkey/deployment.yaml` (modified)" in reply and "`scripts/valkey.sh` (modified)" in reply
    # Read once, from the default branch's commit, under its configured name; never from a tree.
    assert reads() == [("commit", CI_CONFIG)]


def test_dispatched_dry_run_uses_the_tools_of_the_configured_file(action, github, valkey_repo_without_decoy,
                                                                  reads):
    code, outputs, summary = action("workflow_dispatch", dispatch_payload(), recipe="set-version",
                                    params="tool=valkey version=8.1.0", dry_run="true", config=CI_CONFIG)
    assert code == 0, summary  # before: `unknown tool 'valkey'`, the config input was ignored for tools:
    assert "dry run: 2 files" in summary and outputs["changed"] == "true"
    assert reads() == [("commit", CI_CONFIG)]


def test_dispatched_run_opens_a_pr_with_the_tools_of_the_configured_file(action, github, valkey_repo_without_decoy):
    code, outputs, summary = action("workflow_dispatch", dispatch_payload(), recipe="set-version",
                                    params="tool=valkey version=8.1.0", config=CI_CONFIG)
    assert code == 0, summary
    assert outputs["pr-url"] == f"https://github.com/{SLUG}/pull/1"


def test_check_uses_the_tools_of_the_configured_file(action, github, valkey_repo, capsys):
    code, _, _ = action("schedule", {"schedule": "17 6 * * 1"}, command="check", config=CI_CONFIG)
    assert code == 1
    out = capsys.readouterr().out
    drift = [line for line in out.splitlines() if "title=version-drift" in line and "valkey" in line]
    assert drift == ["::warning file=scripts/valkey.sh,line=1,title=version-drift::valkey is 8.0.2 here "
                     "(shell variable) but 8.0.1 in most places; versions: 8.0.1 (1), 8.0.2 (1) "
                     "Fix: gitops-bot apply set-version tool=valkey version=8.0.1"]


def test_a_tools_error_in_the_configured_file_fails_with_file_and_line(action, github, repos, capsys):
    push_files(repos, {CI_CONFIG: "tools:\n  valkey:\n    images: valkey/valkey\n"})
    code, _, summary = action("workflow_dispatch", dispatch_payload(), recipe="set-version",
                              params="tool=valkey version=8.1.0", config=CI_CONFIG)
    assert code == 2
    assert ("ci/gitops-bot.yaml: tool valkey: images must be a list of strings (at ci/gitops-bot.yaml:3)"
            in capsys.readouterr().err)


# -- the CLI ------------------------------------------------------------------------------------
@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    target = tmp_path / "repo"
    shutil.copytree(FIXTURE, target)
    (target / ".gitops-bot.yaml").write_text(VALKEY)
    (target / "k8s" / "valkey.yaml").write_text("image: valkey/valkey:8.0.1\n")
    return target


def test_cli_plan_set_version_with_a_repository_tool(repo, capsys, reads):
    assert main(["plan", "set-version", "tool=valkey", "version=8.1.0", "--repo", str(repo), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in report["files"]] == ["k8s/valkey.yaml"]
    assert reads() == [("tree", ".gitops-bot.yaml")]  # once, for defaults and the catalogue alike


def test_cli_check_reads_the_config_once(repo, capsys, reads):
    main(["check", "--repo", str(repo), "--rule", "version-drift"])
    assert reads() == [("tree", ".gitops-bot.yaml")]


def test_cli_tools_error_names_the_file_and_line(repo, capsys):
    (repo / ".gitops-bot.yaml").write_text("recipes: {}\ntools:\n  valkey:\n    images: [valkey]\n"
                                           "    directories: [valkey]\n")
    assert main(["plan", "remove-service", "video-service", "--repo", str(repo)]) == 2
    assert capsys.readouterr().err == (
        "gitops-bot: error: .gitops-bot.yaml: tool valkey: directories entry 'valkey' needs {version} "
        "(at .gitops-bot.yaml:5)\n")


# -- config.py validates `tools:` (with versions.py's validation) ----------------------------------
@pytest.mark.parametrize("text, message, line", [
    ("tools: [valkey]\n", "ci/gitops-bot.yaml:1: tools must map a tool name to its forms", None),
    ("schedule: []\ntools:\n  valkey: [a]\n", "tool valkey must be a mapping of its forms", 3),
    ("tools:\n  valkey:\n    description: V\n    imagez: [a]\n", "tool valkey: unknown fields imagez", 4),
    ("tools:\n  valkey:\n    images: [a, 1]\n", "tool valkey: images must be a list of strings", 3),
    ("tools:\n  valkey:\n    branch_urls: [x/release/]\n", "branch_urls entry 'x/release/' needs {minor}", 3),
    ("tools:\n  valkey:\n    github: valkey\n", "tool valkey: github must be OWNER/REPO", 3),
    ("tools:\n  a: {}\n  valkey:\n    charts: [x]\n", "tool valkey: charts must be a mapping", 4),
    ("tools:\n  valkey:\n    charts:\n      names: nope\n", "tool valkey: charts names must be a list of strings", 3),
    ("tools:\n  valkey:\n    charts:\n      oci: [\"https://x\"]\n",
     "charts oci entries must be oci://REGISTRY/PATH", 3),
])
def test_tools_errors_name_the_file_and_the_line(text, message, line):
    with pytest.raises(UserError) as raised:
        parse_config(text, CI_CONFIG)
    assert message in raised.value.message
    if line is not None:
        assert raised.value.message.startswith(f"{CI_CONFIG}: tool valkey")
        assert raised.value.message.endswith(f"(at {CI_CONFIG}:{line})")


def test_other_parameter_errors_name_the_file_they_came_from():
    with pytest.raises(UserError) as raised:
        parse_config("recipes:\n  set-version:\n    tool: [a]\n", CI_CONFIG)
    assert raised.value.message.startswith(f"{CI_CONFIG}:3: parameter values must be scalars")


def test_the_config_carries_the_tools_and_overrides_built_ins():
    config = parse_config(VALKEY + "  istio:\n    images: [example.com/istio]\n", CI_CONFIG)
    assert config.source == CI_CONFIG and sorted(config.tools) == ["istio", "valkey"]
    assert config.tools["valkey"].images == ("valkey/valkey",)
    from gitops_bot.domain.versions import load_catalogue

    catalogue = load_catalogue(config)
    assert catalogue["istio"].images == ("example.com/istio",) and "argo-cd" in catalogue
    assert "valkey" not in load_catalogue()  # the built-in tools alone


# -- the engine and the operations take the catalogue from the run --------------------------------
def test_run_recipe_uses_the_given_config_and_reads_no_file(repo, monkeypatch, reads):
    (repo / ".gitops-bot.yaml").write_text(DECOY)  # what the tree says is not what the run was given
    from gitops_bot.engine import run as engine

    def no_reading(*args, **kwargs):
        raise AssertionError("the run was given its configuration")

    monkeypatch.setattr(engine, "load_config", no_reading)  # where a run without one reads it
    changes = run_recipe(repo, builtin_recipes()["set-version"], {"tool": "valkey", "version": "8.1.0"},
                         config=parse_config(VALKEY, CI_CONFIG))
    assert [f.path for f in changes.files] == ["k8s/valkey.yaml"]
    assert reads() == []


def test_run_recipe_without_a_config_reads_the_trees_file(repo):
    changes = run_recipe(repo, builtin_recipes()["set-version"], {"tool": "valkey", "version": "8.1.0"})
    assert [f.path for f in changes.files] == ["k8s/valkey.yaml"]
