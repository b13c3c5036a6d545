"""`config-to-params`: golden trees byte for byte, idempotence, conflicts, and the effective
parameters each Application ends up with."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.domain.argocd import parse_applications
from gitops_bot.cli import main

from .conftest import EXAMPLE, GOLDEN, ROOT, assert_same_tree, expected_tree, tree_bytes

CONFLICT = ROOT / "tests" / "fixtures" / "config-to-params" / "conflict"


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_golden_and_idempotent(monorepo, env, capsys):
    assert main(["apply", "config-to-params", f"env={env}", "--repo", str(monorepo)]) == 0
    assert_same_tree(monorepo, EXAMPLE, GOLDEN / "config-to-params" / env)
    capsys.readouterr()
    assert main(["plan", "config-to-params", f"env={env}", "--repo", str(monorepo), "--exit-code"]) == 0
    assert capsys.readouterr().out.startswith("config-to-params: 0 files (no changes)")


def _parameters(tree: dict[str, bytes], path: str):
    app = parse_applications(path, tree[path].decode())[0]
    source = next(s for s in app.sources if s.path)
    return {(p.name, p.value, p.force_string) for p in source.parameters}


def test_effective_parameters_are_the_teams_fix():
    after = expected_tree(EXAMPLE, GOLDEN / "config-to-params" / "prod")
    assert _parameters(after, "k8s/argocd/apps/prod/video-service.yaml") == {
        ("config.SERVER_BASE_PATH", "", False),  # the empty string survives as ""
        ("config.ROOM_TTL", "2h", False),
        ("config.MAX_ROOMS", "500", False),
        ("config.RECORDING_ENABLED", "true", False),
        ("config.LIVEKIT_API_KEY", "from-secret", False),
        ("config.storage.bucket", "recordings", False),
        ("config.storage.path\\.prefix", "rooms/", False),  # a dot inside a key is escaped
    }
    assert _parameters(after, "k8s/argocd/apps/prod/board-service.yaml") == {
        ("config.PAGE_SIZE", "20", True),  # "20" was a string: --set would make it a number
        ("config.FEATURE_FLAGS", "search,tags", False),  # ArgoCD escapes the comma itself
    }
    assert _parameters(after, "k8s/argocd/apps/prod/chat-service.yaml") == {("config.HISTORY_DAYS", "30", False)}
    assert _parameters(after, "k8s/argocd/apps/prod/auth-service.yaml") == {
        ("image.tag", "1.14.2", False),
        ("config.JWKS_URL", "https://auth.example.com/.well-known/jwks.json", False),
    }


def test_values_file_keeps_other_keys_and_unmatched_services():
    text = (GOLDEN / "config-to-params" / "prod" / "files" / "k8s/helm/environments/prod.yaml").read_text()
    assert "config:" in text.split("legacy-service:")[1]  # no Application: the map stays
    assert text.count("config:") == 1
    assert "video-service:\n  replicaCount: 2\n" in text
    assert "notification-service" not in text  # its only key moved: the entry went too


def test_service_without_application_is_reported(monorepo, capsys):
    main(["plan", "config-to-params", "env=prod", "--repo", str(monorepo), "--format", "json"])
    residue = json.loads(capsys.readouterr().out)["residue"]
    assert residue == [{"path": "k8s/helm/environments/prod.yaml", "line": 25, "text": "config:",
                        "reason": "legacy-service.config not moved: no ArgoCD Application for legacy-service "
                                  "in k8s/argocd/apps/prod"}]


@pytest.mark.parametrize("prefer, code", [("", 1), ("values", 0), ("params", 0)])
def test_conflicts(tmp_path, capsys, prefer, code):
    repo = tmp_path / "repo"
    shutil.copytree(CONFLICT, repo)
    args = ["apply", "config-to-params", "env=prod", "--repo", str(repo)] + ([f"prefer={prefer}"] if prefer else [])
    assert main(args) == code
    assert_same_tree(repo, CONFLICT, GOLDEN / "config-to-params" / f"conflict-{prefer or 'none'}")


def test_conflict_is_reported_and_overwrites_nothing(tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(CONFLICT, repo)
    video = tree_bytes(repo)["k8s/argocd/apps/prod/video-service.yaml"]
    assert main(["plan", "config-to-params", "env=prod", "--repo", str(repo), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conflicts"] == [{
        "service": "video-service", "key": "config.SERVER_BASE_PATH",
        "values_value": "", "values_location": "k8s/helm/environments/prod.yaml:4",
        "param_value": "/video", "param_location": "k8s/argocd/apps/prod/video-service.yaml:12"}]
    assert "k8s/argocd/apps/prod/video-service.yaml" not in {f["path"] for f in report["files"]}
    assert tree_bytes(repo)["k8s/argocd/apps/prod/video-service.yaml"] == video


@pytest.mark.parametrize("argv, message", [
    (["env=staging"], "values file k8s/helm/environments/staging.yaml not found"),
    (["env=prod", "values=../outside.yaml"], "values='../outside.yaml' must be a path inside the repository"),
    (["env=prod", "apps=k8s/nowhere"], "no ArgoCD Application files under k8s/nowhere/"),
    (["env=prod", "prefer=both"], "does not match"),
])
def test_bad_input(monorepo, capsys, argv, message):
    before = tree_bytes(monorepo)
    assert main(["apply", "config-to-params", *argv, "--repo", str(monorepo)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert tree_bytes(monorepo) == before


def _mini_repo(root, values: str, apps: dict[str, str]):
    (root / "k8s/helm/environments").mkdir(parents=True)
    (root / "k8s/helm/environments/prod.yaml").write_text(values)
    (root / "k8s/argocd/apps/prod").mkdir(parents=True)
    for name, text in apps.items():
        (root / "k8s/argocd/apps/prod" / name).write_text(text)
    return root


APP = ("kind: Application\nmetadata:\n  name: {name}\nspec:\n  source:\n    path: k8s/helm/charts/{chart}\n")


@pytest.mark.parametrize("file, name, chart", [
    ("whatever.yaml", "video-service-prod", "video"),   # found by metadata.name
    ("apps.yaml", "vid", "video-service"),              # found by the chart it deploys
])
def test_application_found_by_name_or_chart(tmp_path, capsys, file, name, chart):
    repo = _mini_repo(tmp_path, "video-service:\n  config:\n    A: 1\n",
                      {file: APP.format(name=name, chart=chart)})
    assert main(["apply", "config-to-params", "env=prod", "--repo", str(repo)]) == 0
    assert "name: config.A" in (repo / "k8s/argocd/apps/prod" / file).read_text()
    assert (repo / "k8s/helm/environments/prod.yaml").read_text() == ""


def test_unmovable_value_keeps_the_map_and_is_reported(tmp_path, capsys):
    values = "video-service:\n  config:\n    A: 1\n    B: ~\n"
    repo = _mini_repo(tmp_path, values, {"video-service.yaml": APP.format(name="v", chart="video-service")})
    assert main(["plan", "config-to-params", "env=prod", "--repo", str(repo), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == []
    assert report["residue"][0]["reason"] == \
        "video-service.config not moved: config.B: null cannot be set as a parameter"
    assert report["residue"][0]["line"] == 4


def test_ambiguous_applications_are_reported(tmp_path, capsys):
    repo = _mini_repo(tmp_path, "video-service:\n  config:\n    A: 1\n", {
        "video-service.yaml": APP.format(name="a", chart="x"),
        "other.yaml": APP.format(name="video-service-prod", chart="y")})
    main(["plan", "config-to-params", "env=prod", "--repo", str(repo), "--format", "json"])
    reason = json.loads(capsys.readouterr().out)["residue"][0]["reason"]
    assert reason.startswith("video-service.config not moved: several Applications match video-service")
