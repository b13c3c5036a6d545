"""`gitops-bot action` end to end: GitHub's own webhook example payloads, a local bare origin,
and the fake GitHub (validated against the OpenAPI description)."""

from __future__ import annotations

import json

import pytest

from gitops_bot.delivery.action import REPLY_MARK
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
    github.attach_git(SLUG, origin)  # the Action commits through the git data API by default

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
        monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
        for name in ("COMMAND", "RECIPE", "PARAMS", "CONFIG", "DRY_RUN", "WORKING_DIRECTORY", "REPOSITORY"):
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
    assert pull.title == "chore(gitops): remove video-service" and "Closes #1." in pull.body
    assert reactions(github) == ["eyes", "rocket"]
    assert replies(github) == [f"@Codertocat opened: https://github.com/{SLUG}/pull/1\n\n{REPLY_MARK}"]
    assert outputs.pop("report").endswith("/gitops-bot-report")  # the PR's full report, for the artifact
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
    assert github.pulls[SLUG][0].title == "chore(gitops): remove livekit"


def test_scheduled_run_with_one_failing_invocation(action, github, repos):
    push_config(repos, "schedule:\n  - recipe: remove-service\n    params: {service: livekit}\n"
                       "  - recipe: set-version\n    params: {tool: nginx, version: 1.2.3}\n")
    code, outputs, summary = action("schedule", {"schedule": "17 6 * * 1"})
    assert code == 1
    assert [p.title for p in github.pulls[SLUG]] == ["chore(gitops): remove livekit"]
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
    assert [p.title for p in github.pulls[SLUG]] == ["chore(gitops): remove livekit"]


def test_manual_dispatch_runs_one_recipe(action, github):
    payload = json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())
    code, outputs, _ = action("workflow_dispatch", payload, recipe="remove-service", params="service=livekit")
    assert code == 0 and outputs["pr-url"] == f"https://github.com/{SLUG}/pull/1"


def test_each_pull_request_s_full_report_is_the_job_s_artifact_and_its_body_links_the_run(action, github,
                                                                                          tmp_path, monkeypatch):
    """The body may list fewer residue entries than the run found (GitHub's size limit): the
    whole report (plan --format json) is written for the `gitops-bot-report` artifact, named in
    the `report` output, and the body links the run that made it."""
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", SLUG)
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    payload = json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())
    code, outputs, _ = action("workflow_dispatch", payload, recipe="remove-service", params="service=livekit")
    assert code == 0 and outputs["report"] == str(tmp_path / "gitops-bot-report")
    (written,) = (tmp_path / "gitops-bot-report").iterdir()
    report = json.loads(written.read_text())
    assert report["format_version"] == 1 and report["recipe"] == "remove-service"
    assert len(report["files"]) == 20
    (pull,) = github.pulls[SLUG]
    assert (f"The full report: the `gitops-bot-report` artifact of [the run that made this]"
            f"(https://github.com/{SLUG}/actions/runs/4242)") in pull.body


def test_dry_run_opens_nothing(action, github):
    payload = json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())
    code, outputs, summary = action("workflow_dispatch", payload, recipe="remove-service",
                                    params="service=livekit", dry_run="true")
    assert code == 0 and github.pulls[SLUG] == [] and "dry run: 20 files" in summary
    # the plan itself, folded, as fenced code
    plan = summary.split("<details><summary>plan: remove-service service=livekit (20 files)</summary>", 1)[1]
    assert plan.startswith("\n\n```text\nremove-service: 20 files") and "\n```diff\n--- a/" in plan
    assert plan.rstrip().endswith("</details>")


def test_bad_config_names_file_and_line(action, github, repos, capsys):
    push_config(repos, "schedule:\n  - recipe: pin-versions\npull_requests:\n  labels: [gitops]\n  colour: red\n")
    assert action("schedule", {"schedule": "17 6 * * 1"})[0] == 2
    assert "gitops-bot: error: .gitops-bot.yaml:5: unknown key 'colour' in pull_requests" in capsys.readouterr().err


def test_check_command_prints_annotations(action, github, capsys):
    code, outputs, summary = action("schedule", {"schedule": "17 6 * * 1"}, command="check")
    assert code == 1
    out = capsys.readouterr().out
    assert "::error file=k8s/helm/environments/dev.yaml,line=15,title=ignored-service-values::" in out
    assert "::warning file=k8s/helm/charts/auth-service/values.yaml,line=6,title=unpinned-image::" in out
    assert out.count("::warning ") == 10 and "are not annotated (GitHub shows 10 per kind per step)" in out
    # every problem in the job summary, and SARIF for upload-sarif
    table = summary.split("### gitops-bot check: ", 1)[1]
    problems = int(table.split(" ", 1)[0])
    assert problems > 10 and table.count("\n| `") == problems
    sarif = json.loads(open(outputs["sarif"], encoding="utf-8").read())
    assert len(sarif["runs"][0]["results"]) == problems


def test_check_command_honours_inline_suppressions(action, github, repos, capsys):
    _, clone = repos
    values = clone / "k8s/helm/environments/dev.yaml"
    lines = values.read_text().splitlines(keepends=True)
    lines.insert(14, "# gitops-bot: ignore ignored-service-values (moving in the next release)\n")
    values.write_text("".join(lines))
    action("schedule", {"schedule": "17 6 * * 1"}, command="check")
    assert "file=k8s/helm/environments/dev.yaml" not in capsys.readouterr().out


def test_working_directory_and_repository_inputs(action, github, repos, monkeypatch):
    """The fleet's way: the target checked out in a folder of the workspace, acted on as the
    repository the input names (GITHUB_REPOSITORY and GITHUB_WORKSPACE stay GitHub's)."""
    _, clone = repos
    monkeypatch.setenv("GITHUB_WORKSPACE", str(clone.parent))
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/else")
    payload = json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())
    code, outputs, _ = action("workflow_dispatch", payload, recipe="remove-service", params="service=livekit",
                              working_directory=clone.name, repository=SLUG)
    assert code == 0 and outputs["pr-url"] == f"https://github.com/{SLUG}/pull/1"


@pytest.mark.parametrize("folder", ["../elsewhere", "/abs", "missing"])
def test_working_directory_must_be_a_folder_of_the_workspace(action, github, folder, capsys):
    assert action("schedule", {"schedule": "17 6 * * 1"}, command="check", working_directory=folder)[0] == 2
    assert "input working-directory=" in capsys.readouterr().err


# -- authorization first, and it fails closed ---------------------------------------------------
@pytest.fixture
def checkouts(monkeypatch):
    """Counts of the git work the action does: worktrees created and fetches."""
    from gitops_bot.delivery.git import Checkout

    counts = {"worktree": 0, "fetch": 0}
    worktree, fetch = Checkout.worktree, Checkout.fetch

    def counting_worktree(self, *args, **kwargs):
        counts["worktree"] += 1
        return worktree(self, *args, **kwargs)

    def counting_fetch(self, *args, **kwargs):
        counts["fetch"] += 1
        return fetch(self, *args, **kwargs)

    monkeypatch.setattr(Checkout, "worktree", counting_worktree)
    monkeypatch.setattr(Checkout, "fetch", counting_fetch)
    return counts


def test_unauthorized_commenter_gets_a_reaction_and_no_checkout(action, github, repos, checkouts):
    _, clone = repos
    github.permissions[(SLUG, "Codertocat")] = "read"
    assert action("issue_comment", comment("/gitops-bot remove-service video-service"))[0] == 0
    assert [c for c in github.requests if c[0] == "POST" and c[1].endswith("/comments")] == []
    assert reactions(github) == ["confused"]
    assert checkouts == {"worktree": 0, "fetch": 1}  # the default branch, for its configuration
    assert len(git(clone, "worktree", "list").splitlines()) == 1


def test_authorized_command_reads_the_recipes_from_one_worktree(action, github, checkouts):
    action("issue_comment", comment("/gitops-bot remove-servise video-service"))
    assert checkouts["worktree"] == 1 and "unknown recipe" in replies(github)[0]


def test_configured_config_file_that_is_missing_fails_the_job(action, github, repos, capsys):
    # The default file has a schedule: a missing configured file must not fall back to anything.
    push_config(repos, "schedule:\n  - recipe: remove-service\n    params: {service: livekit}\n")
    code, _, summary = action("schedule", {"schedule": "17 6 * * 1"}, config="missing.yaml")
    assert code == 2
    assert "gitops-bot: error: configuration file missing.yaml not found" in capsys.readouterr().err
    assert github.pulls[SLUG] == []


def test_configured_config_file_is_read_from_the_default_branch(action, github, repos, capsys):
    _, clone = repos
    (clone / "ci").mkdir()
    (clone / "ci" / "bot.yaml").write_text("commands:\n  permission: admin\n")
    git(clone, "add", "ci/bot.yaml")
    git(clone, "commit", "--quiet", "-m", "stricter bot config")
    git(clone, "push", "--quiet", "origin", "main")
    action("issue_comment", comment("/gitops-bot remove-service video-service"), config="ci/bot.yaml")
    assert "you need admin permission" in capsys.readouterr().out
    assert github.pulls[SLUG] == [] and replies(github) == [] and reactions(github) == ["confused"]


@pytest.mark.parametrize("level, answered", [("write", True), ("read", False)])
def test_comment_with_a_missing_config_file_fails_closed(action, github, level, answered, capsys):
    github.permissions[(SLUG, "Codertocat")] = level
    code, _, _ = action("issue_comment", comment("/gitops-bot remove-service video-service"), config="missing.yaml")
    assert code == 2 and github.pulls[SLUG] == []
    assert "configuration file missing.yaml not found" in capsys.readouterr().out
    assert reactions(github) == ["confused"]
    if answered:  # a maintainer hears why; someone who may not be allowed gets the reaction only
        (reply,) = replies(github)
        assert reply.startswith("@Codertocat gitops-bot cannot run: `configuration file missing.yaml not found")
    else:
        assert replies(github) == []


def test_config_that_is_a_symlink_is_refused(action, github, repos, capsys):
    _, clone = repos
    (clone / ".gitops-bot.yaml").unlink(missing_ok=True)  # the example's own
    (clone / ".gitops-bot.yaml").symlink_to("/etc/passwd")
    git(clone, "add", ".gitops-bot.yaml")
    git(clone, "commit", "--quiet", "-m", "link")
    git(clone, "push", "--quiet", "origin", "main")
    assert action("schedule", {"schedule": "17 6 * * 1"})[0] == 2
    assert ".gitops-bot.yaml on " in capsys.readouterr().err and github.pulls[SLUG] == []


# -- what the bot writes on GitHub quotes comments and files inertly -----------------------------
def live_markdown(markdown: str, own_link: str = f"https://github.com/{SLUG}/") -> str:
    """What of `markdown` can render as markup: the text with fenced blocks, code spans, the
    bot's own markers and its own links to the repository taken out."""
    import re

    text = re.sub(r"(?ms)^(`{3,})[^\n]*\n.*?^\1\s*$", "", markdown)
    text = re.sub(r"<!-- gitops-bot[^\n]*?-->", "", text)
    text = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)
    return re.sub(r"\]\(" + re.escape(own_link) + r"[^)\s]*\)", "]", text)


def assert_inert(markdown: str, mentions=("@Codertocat",)) -> None:
    text = live_markdown(markdown)
    for mention in mentions:
        text = text.replace(mention, "")
    for live in ("](", "evil", "@everyone", "<img", "<a ", "@"):
        assert live not in text, f"{live!r} is live in {text!r}"


@pytest.mark.parametrize("body", [
    "/gitops-bot remove-service [click](https://evil)",
    "/gitops-bot remove-service @everyone",
    "/gitops-bot @everyone",
    "/gitops-bot plan remove-service service=@everyone",
])
def test_replies_quote_the_comment_inertly(action, github, body):
    action("issue_comment", comment(body))
    (reply,) = replies(github)
    assert "evil" in reply or "@everyone" in reply  # quoted, so the commenter sees what was refused
    assert_inert(reply)


HOSTILE_FILES = ["docs/[click](https:--evil).md", "docs/x) [click](https:--evil) (y.md", "docs/`@everyone`.md"]


def push_hostile_files(repos) -> None:
    _, clone = repos
    for name in HOSTILE_FILES:
        (clone / name).write_text("Ask @everyone about video-service: [click](https://evil) <img src=x>\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "docs")
    git(clone, "push", "--quiet", "origin", "main")


def test_plan_reply_and_pr_body_show_file_names_inertly(action, github, repos):
    push_hostile_files(repos)
    action("issue_comment", comment("/gitops-bot plan remove-service video-service"))
    (reply,) = replies(github)
    assert all(name.split("/")[1][:6] in reply for name in HOSTILE_FILES)
    assert_inert(reply)
    action("issue_comment", comment("/gitops-bot remove-service video-service"))
    body = github.pulls[SLUG][0].body
    assert "docs/%5Bclick%5D%28https%3A--evil%29.md#L1" in body  # the link to the file still works
    assert_inert(body, mentions=())


# -- the re-run checkbox ----------------------------------------------------------------------
def ticked(body: str) -> str:
    return body.replace("- [ ] <!-- gitops-bot:rerun -->", "- [x] <!-- gitops-bot:rerun -->")


def edited(pull, body: str, *, before: str | None, login: str = "Codertocat", user_type: str = "User",
           head: str | None = None, repo: str = SLUG) -> dict:
    """A `pull_request` `edited` event for the fake's `pull`, made from GitHub's `opened` example
    (none of `edited` is published): the body now, and the body before the edit."""
    payload = json.loads((WEBHOOKS / "pull_request.opened.json").read_text())
    payload["action"] = "edited"
    payload["changes"] = {"body": {"from": before}} if before is not None else {"title": {"from": "x"}}
    payload["number"] = pull.number
    payload["pull_request"].update({"number": pull.number, "body": body})
    payload["pull_request"]["head"]["ref"] = head or pull.head
    payload["pull_request"]["head"]["repo"]["full_name"] = repo
    payload["sender"].update({"login": login, "type": user_type})
    return payload


def tick(github, pull) -> dict:
    """A human ticks the box in GitHub's editor: the body is stored ticked, the event says so."""
    before = pull.body
    pull.body = ticked(before)
    return edited(pull, pull.body, before=before)


def test_ticked_rerun_checkbox_runs_the_recipe_again_on_the_latest_base(action, github, repos):
    action("issue_comment", comment("/gitops-bot remove-service video-service"))
    (pull,) = github.pulls[SLUG]
    origin, clone = repos
    first_head = git(origin, "rev-parse", f"refs/heads/{pull.head}")
    (clone / "docs" / "oncall.md").write_text("Page the video-service owner.\n")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "oncall page")
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    github.comments.clear()
    code, outputs, summary = action("pull_request", tick(github, pull))
    assert code == 0 and outputs["changed"] == "true"
    assert "| `#1: re-run remove-service` | updated |" in summary
    assert "\n- [ ] <!-- gitops-bot:rerun --> Re-run this recipe on the latest base\n" in pull.body  # unticked
    assert "docs/oncall.md" in pull.body and "Closes #1." in pull.body  # the new base; the issue kept
    assert git(origin, "rev-parse", f"refs/heads/{pull.head}") != first_head
    assert github.comments == []


def test_rerun_needs_the_same_permission_as_comment_commands(action, github, capsys):
    action("issue_comment", comment("/gitops-bot remove-service video-service"))
    (pull,) = github.pulls[SLUG]
    github.permissions[(SLUG, "Codertocat")] = "read"
    body_before = ticked(pull.body)
    requests = len(github.requests)
    assert action("pull_request", tick(github, pull))[0] == 0
    assert "refused Codertocat: you need write permission" in capsys.readouterr().out
    assert pull.body == body_before  # still ticked: nothing was run or written
    assert not [r for r in github.requests[requests:] if r[0] != "GET"]


@pytest.mark.parametrize("make", [
    lambda pull: edited(pull, pull.body, before=ticked(pull.body)),  # unticked
    lambda pull: edited(pull, ticked(pull.body), before=ticked(pull.body)),  # ticked before: another edit
    lambda pull: edited(pull, ticked(pull.body), before=None),  # the title was edited
    lambda pull: edited(pull, ticked(pull.body), before=pull.body, login="renovate[bot]", user_type="Bot"),
    lambda pull: edited(pull, "- [x] <!-- gitops-bot:rerun --> no marker", before="- [ ] <!-- gitops-bot:rerun -->"),
    lambda pull: dict(edited(pull, ticked(pull.body), before=pull.body), action="synchronize"),
])
def test_other_pull_request_events_make_no_call(action, github, make):
    action("issue_comment", comment("/gitops-bot remove-service video-service"))
    (pull,) = github.pulls[SLUG]
    requests = len(github.requests)
    assert action("pull_request", make(pull))[0] == 0
    assert github.requests[requests:] == []


def test_a_marker_on_another_branch_is_refused_on_the_pr(action, github):
    action("issue_comment", comment("/gitops-bot remove-service video-service"))
    (pull,) = github.pulls[SLUG]
    github.comments.clear()
    payload = tick(github, pull)
    payload["pull_request"]["head"]["ref"] = "feature/mine"
    assert action("pull_request", payload)[0] == 0
    (reply,) = [c["body"] for c in github.comments if c["issue"] == pull.number]
    assert reply.startswith("@Codertocat gitops-bot could not re-run: `this pull request's branch 'feature/mine' is "
                            "not 'gitops-bot/remove-service/video-service' of acme/platform")
    assert "\n- [ ] <!-- gitops-bot:rerun -->" in pull.body  # unticked: ticking again tries again
