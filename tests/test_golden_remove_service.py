"""Golden trees: `remove-service` on the example monorepo reproduces the reviewed after-trees
byte for byte, `plan` writes nothing, and a second run changes nothing."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main

from .conftest import EXAMPLE, GOLDEN, assert_same_tree, expected_tree, tree_bytes

CASES = ["video-service", "livekit"]


@pytest.mark.parametrize("service", CASES)
def test_apply_reproduces_golden_tree(monorepo, service, capsys):
    assert main(["apply", "remove-service", f"service={service}", "--repo", str(monorepo)]) == 0
    assert_same_tree(monorepo, EXAMPLE, GOLDEN / "remove-service" / service)


@pytest.mark.parametrize("service", CASES)
def test_second_run_is_a_noop(monorepo, service, capsys):
    main(["apply", "remove-service", f"service={service}", "--repo", str(monorepo)])
    capsys.readouterr()
    assert main(["plan", "remove-service", f"service={service}", "--repo", str(monorepo), "--exit-code"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("remove-service: 0 files (no changes)")


@pytest.mark.parametrize("service", CASES)
def test_plan_changes_nothing_and_matches_apply(monorepo, service, capsys):
    before = tree_bytes(monorepo)
    assert main(["plan", "remove-service", f"service={service}", "--repo", str(monorepo),
                 "--format", "json", "--exit-code"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert tree_bytes(monorepo) == before
    golden = expected_tree(EXAMPLE, GOLDEN / "remove-service" / service)
    statuses = {f["path"]: f["status"] for f in report["files"]}
    expected = {p: ("deleted" if p not in golden else "modified")
                for p, data in before.items() if golden.get(p) != data}
    assert statuses == expected
    assert set(report) == {"format_version", "recipe", "params", "files", "residue", "refused", "validation", "conflicts", "found"}
    assert report["conflicts"] == []
    assert report["params"] == {"service": service}
    assert all(v["ok"] for v in report["validation"])


def test_video_service_residue_is_the_reviewers_checklist(monorepo, capsys):
    main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo), "--format", "json"])
    residue = json.loads(capsys.readouterr().out)["residue"]
    found = {(r["path"], r["line"], r["reason"]) for r in residue}
    assert found == {
        ("dashboards/platform-overview.json", 4, "unrecognised structure"),
        ("docs/runbook.md", 6, "prose"),
        ("docs/runbook.md", 9, "prose"),
        ("docs/services.md", 12, "prose"),
        ("docs/services.md", 15, "prose"),
        ("services/auth-service/cmd/server/scopes.go", 6, "source code"),
        ("services/frontend/src/api.ts", 6, "source code"),
        ("terraform/prod/compute/pod-identity.tf", 16, "comment above a removed entry: check it still applies"),
    }


def test_every_mention_left_is_in_the_residue(monorepo, capsys):
    """Completeness: each line of the result that still names the service is in the report."""
    main(["plan", "remove-service", "service=livekit", "--repo", str(monorepo), "--format", "json"])
    listed = {(r["path"], r["line"]) for r in json.loads(capsys.readouterr().out)["residue"]}
    after = expected_tree(EXAMPLE, GOLDEN / "remove-service" / "livekit")
    mentions = {(p, n) for p, data in after.items()
                for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1)
                if "livekit" in line.lower()}
    assert mentions == listed


@pytest.mark.parametrize("service", CASES)
def test_untouched_bytes_survive(service):
    """Every added line of the golden diff is a removed line with only words taken out: the
    editors cut, they never re-serialize."""
    import difflib

    before, after = tree_bytes(EXAMPLE), expected_tree(EXAMPLE, GOLDEN / "remove-service" / service)
    for path, new in after.items():
        old = before[path]
        if old == new:
            continue
        a, b = old.decode().splitlines(), new.decode().splitlines()
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag in ("insert", "replace"):
                for added in b[j1:j2]:
                    assert any(_is_subsequence(added, removed) for removed in a[i1:i2]), (path, added)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def test_unknown_service_changes_nothing(monorepo, capsys):
    before = tree_bytes(monorepo)
    assert main(["apply", "remove-service", "service=payments-service", "--repo", str(monorepo)]) == 0
    assert tree_bytes(monorepo) == before
    assert "0 files (no changes)" in capsys.readouterr().out


@pytest.mark.parametrize("service", CASES)
def test_every_removed_run_names_the_service(service):
    """No line is removed unless it belongs to a run of removed lines that names the service in
    some spelling (the entry's own block), and only whitespace-only runs may name nothing."""
    import difflib
    import re

    from gitops_bot.domain.names import service_name

    name = service_name(service)
    spellings = name.spellings() + ["".join(name.short)]
    pattern = re.compile("|".join(re.escape(s) for s in spellings), re.IGNORECASE)
    before, after = tree_bytes(EXAMPLE), expected_tree(EXAMPLE, GOLDEN / "remove-service" / service)
    for path, new in after.items():
        a, b = before[path].decode().splitlines(), new.decode().splitlines()
        for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "delete":
                run = a[i1:i2]
                assert any(pattern.search(line) for line in run) or not "".join(run).strip(), (path, run)


def test_livekit_residue_reasons(monorepo, capsys):
    main(["plan", "remove-service", "service=livekit", "--repo", str(monorepo), "--format", "json"])
    reasons = {(r["path"], r["line"]): r["reason"] for r in json.loads(capsys.readouterr().out)["residue"]}
    assert reasons[("docker/compose/docker-compose.yml", 42)] == "comment"
    assert reasons[("docker/compose/docker-compose.yml", 50)] == "unrecognised structure"
    assert reasons[("README.md", 15)] == "prose"
    assert reasons[("services/video-service/internal/room/room.go", 6)] == "source code"
