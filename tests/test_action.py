"""`gitops-bot action` end to end: GitHub's own webhook example payloads, a local bare origin,
and the fake GitHub (validated against the OpenAPI description)."""

from __future__ import annotations

import json

import pytest

from gitops_bot.action import REPLY_MARK
from gitops_bot.cli import main

from .conftest import ROOT, SLUG, git, tree_bytes

WEBHOOKS = ROOT / "tests" / "data" / "webhooks"
COMMENT_ID = json.loads((WEBHOOKS / "issue_comment.created.json").read_text())["comment"]["id"]


@pytest.fixture
def action(github, repos, tmp_path, monkeypatch):
    """Run `gitops-bot action` for an event; returns (exit code, outputs, summary)."""
    origin, clone = repos
    monkeypatch.setenv("GITHUB_WORKSPACE", str(clone))
    github.permissions[(SLUG, "Codertocat")] = "write"

    def run(event: str, payload: dict, **inputs: str):
        event_file = tmp_path / "event.json"
        event_file.write_text(json.dumps(payload))
        outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
        outputs.write_text("")
        summary.write_text("")
        monkeypatch.setenv("GITHUB_EVENT_NAME", event)
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(event_file))
        monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        for name in ("COMMAND", "RECIPE", "PARAMS", "CONFIG", "DRY_RUN"):
            monkeypatch.delenv(f"INPUT_{name}", raising=False)
        for name, value in inputs.items():
            monkeypatch.setenv(f"INPUT_{name.upper()}", value)
        code = main(["action"])
        return code, dict(line.split("=", 1) for line in outputs.read_text().splitlines()), summary.read_text()

    return run


def comment(body: str, *, user_type: str = "User", login: str = "Codertocat", on_pr: bool = False,
            action: str = "created") -> dict:
    name = "issue_comment.created.json" if action == "created" else "issue_comment.edited.json"
    payload = json.loads((WEBHOOKS / name).read_text())
    payload["comment"]["body"] = body
    payload["comment"]["user"].update({"type": user_type, "login": login})
    if on_pr:
        payload["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{SLUG}/pulls/1"}
    return payload


def work_tree(root) -> dict[str, bytes]:
    return {p: data for p, data in tree_bytes(root).items() if not p.startswith(".git/")}


def reactions(github) -> list[str]:
    return [r["content"] for r in github.reactions if r.get("comment_id") == COMMENT_ID]


def replies(github) -> list[str]:
    return [c["body"] for c in github.comments if c["issue"] == 1]


def push_config(repos, text: str, branch: str = "main") -> None:
    _, clone = repos
    (clone / ".gitops-bot.yaml").write_text(text)
    git(clone, "add", ".gitops-bot.yaml")
    git(clone, "commit", "--quiet", "-m", "gitops-bot config")
    git(clone, "push", "--quiet", "origin", f"HEAD:{branch}")


def test_comment_command_opens_a_pr_that_closes_the_issue(action, github):
    code, outputs, summary = action("issue_comment", comment(
        "/gitops-bot remove-service video-service\n\nThe media team retired it last sprint."))
    assert code == 0
    (pull,) = github.pulls[SLUG]
    assert pull.title == "remove video-service" and "Closes #1." in pull.body
    assert reactions(github) == ["eyes", "rocket"]
    assert replies(github) == [f"@Codertocat opened: https://github.com/{SLUG}/pull/1\n\n{REPLY_MARK}"]
    assert outputs == {"pr-url": f"https://github.com/{SLUG}/pull/1", "changed": "true"}
    assert "| `#1: /gitops-bot remove-service video-service` | opened |" in summary


@pytest.mark.parametrize("level", ["read", "triage"])
def test_permission_below_write_is_refused(action, github, level, capsys):
    github.permissions[(SLUG, "Codertocat")] = level
    assert action("issue_comment", comment("/gitops-bot remove-service video-service"))[0] == 0
    assert github.pulls[SLUG] == []
    assert reactions(github) == ["confused"] and replies(github) == []  # a reaction, never a reply
    assert (f"you need write permission on this repository to run gitops-bot (you have {level})"
            in capsys.readouterr().out)  # the reason is in the job log


def test_non_collaborator_is_refused(action, github, capsys):
    del github.permissions[(SLUG, "Codertocat")]
    action("issue_comment", comment("/gitops-bot remove-service video-service"))
    assert "(you have none)" in capsys.readouterr().out
    assert replies(github) == [] and reactions(github) == ["confused"] and github.pulls[SLUG] == []


@pytest.mark.parametrize("payload", [
    comment("/gitops-bot remove-service video-service", user_type="Bot", login="github-actions[bot]"),
    comment(f"/gitops-bot remove-service video-service\n{REPLY_MARK}"),  # the bot's own reply
    comment("/gitops-bot remove-service video-service", action="edited"),
    comment("Could someone run /gitops-bot remove-service video-service?"),  # not on the first line
])
def test_ignored_comments_make_no_call(action, github, payload):
    assert action("issue_comment", payload)[0] == 0
    assert github.requests == []


def test_unknown_recipe_is_answered_with_help(action, github):
    action("issue_comment", comment("/gitops-bot remove-servise video-service"))
    (reply,) = replies(github)
    assert "unknown recipe 'remove-servise'" in reply and "- `remove-service`" in reply
    assert reactions(github) == ["eyes", "confused"]


@pytest.mark.parametrize("body", [
    "/gitops-bot remove-service video-service; rm -rf /",
    "/gitops-bot remove-service $(touch pwned)",
    "/gitops-bot remove-service `touch pwned`",
    "/gitops-bot remove-service ../../etc",
    "/gitops-bot config-to-params env=prod values=../../etc/passwd",
    "/gitops-bot remove-service service=video-service|touch",
])
def test_injection_attempts_are_bad_parameters(action, github, repos, body):
    _, clone = repos
    before = work_tree(clone)
    assert action("issue_comment", comment(body))[0] == 0
    assert "bad parameter" in replies(github)[0] or "does not match" in replies(github)[0]
    assert reactions(github) == ["eyes", "confused"]
    assert github.pulls[SLUG] == [] and work_tree(clone) == before
    assert not (clone / "pwned").exists()


def test_comment_on_a_pull_request_is_explained_not_run(action, github):
    action("issue_comment", comment("/gitops-bot remove-service video-service", on_pr=True))
    assert github.pulls[SLUG] == [] and "run from issues, not pull requests" in replies(github)[0]


def test_help_and_plan(action, github):
    action("issue_comment", comment("/gitops-bot help"))
    assert "`/gitops-bot plan <recipe> ...`" in replies(github)[0] and "- `set-version`:" in replies(github)[0]
    action("issue_comment", comment("/gitops-bot plan remove-service livekit"))
    assert "would change 20 files" in replies(github)[1] and github.pulls[SLUG] == []


def test_allow_list_by_user_and_team(action, github, repos, capsys):
    push_config(repos, "commands:\n  permission: write\n  users: [alice]\n  teams: [acme/platform]\n")
    action("issue_comment", comment("/gitops-bot remove-service livekit"))
    assert "not on the list" in capsys.readouterr().out and replies(github) == []
    github.team_members["acme/platform"] = {"Codertocat"}
    action("issue_comment", comment("/gitops-bot remove-service livekit"))
    assert github.pulls[SLUG][0].title == "remove livekit"


def test_scheduled_run_with_one_failing_invocation(action, github, repos):
    push_config(repos, "schedule:\n  - recipe: remove-service\n    params: {service: livekit}\n"
                       "  - recipe: set-version\n    params: {tool: nginx, version: 1.2.3}\n")
    code, outputs, summary = action("schedule", {"schedule": "17 6 * * 1"})
    assert code == 1
    assert [p.title for p in github.pulls[SLUG]] == ["remove livekit"]
    assert "| `remove-service service=livekit` | opened |" in summary
    assert "| `set-version tool=nginx version=1.2.3` | error: `unknown tool 'nginx'" in summary
    assert outputs["changed"] == "true"


def test_config_and_recipes_come_from_the_default_branch(action, github, repos):
    push_config(repos, "schedule:\n  - recipe: remove-service\n    params: {service: livekit}\n")
    _, clone = repos
    git(clone, "checkout", "--quiet", "-b", "feature")
    push_config(repos, "schedule:\n  - recipe: remove-service\n    params: {service: video-service}\n",
                branch="feature")
    action("schedule", {"schedule": "17 6 * * 1"})
    assert [p.title for p in github.pulls[SLUG]] == ["remove livekit"]


def test_manual_dispatch_runs_one_recipe(action, github):
    payload = json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())
    code, outputs, _ = action("workflow_dispatch", payload, recipe="remove-service", params="service=livekit")
    assert code == 0 and outputs["pr-url"] == f"https://github.com/{SLUG}/pull/1"


def test_dry_run_opens_nothing(action, github):
    payload = json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())
    code, outputs, summary = action("workflow_dispatch", payload, recipe="remove-service",
                                    params="service=livekit", dry_run="true")
    assert code == 0 and github.pulls[SLUG] == [] and "dry run: 20 files" in summary


def test_bad_config_names_file_and_line(action, github, repos, capsys):
    push_config(repos, "schedule:\n  - recipe: pin-versions\npull_requests:\n  labels: [gitops]\n  colour: red\n")
    assert action("schedule", {"schedule": "17 6 * * 1"})[0] == 2
    assert "gitops-bot: error: .gitops-bot.yaml:5: unknown key 'colour' in pull_requests" in capsys.readouterr().err


def test_check_command_prints_annotations(action, github, capsys):
    code, _, _ = action("schedule", {"schedule": "17 6 * * 1"}, command="check")
    assert code == 1
    out = capsys.readouterr().out
    assert "::error file=k8s/helm/environments/dev.yaml,line=15,title=ignored-service-values::" in out
    assert "::warning file=k8s/helm/charts/auth-service/values.yaml,line=6,title=floating-version::" in out
