"""The GitHub Action's flow (`gitops-bot action`). It reads the event like any action
(GITHUB_EVENT_NAME, GITHUB_EVENT_PATH; inputs as INPUT_* variables) and routes it:

- `schedule` (and `workflow_dispatch` without a recipe): every invocation in the config's
  `schedule:` goes through the pull-request flow; one failure does not stop the others;
- `workflow_dispatch` with the `recipe` input (or `command: run`): that one invocation;
- `issue_comment` (`created` only): the `/gitops-bot ...` command on the comment's first line,
  from someone with the configured permission, answered on the issue;
- `pull_request` (`edited` only): a human with the same permission ticked the re-run checkbox
  of a gitops-bot PR's body; the recipe and parameters of its marker run again through the
  pull-request flow on the latest default branch;
- `command: check`: `gitops-bot check` (inline suppressions honoured) with workflow annotations
  (GitHub's cap per kind), every problem in the job summary, and a SARIF file (the `sarif`
  output) for code scanning.
`working-directory` is where the repository is checked out, relative to the workspace; with
`repository`, a workflow may act on another repository than its own (the fleet workflow).
The configuration and the repository's recipes are read from the default branch, never from the
branch that triggered the run. Nothing from a comment reaches a shell. A comment command's
permission is checked before anything else is done for it (no checkout, no reply: someone not
allowed gets a reaction only), and whatever a reply quotes from a comment or a file is inert
Markdown (a code span).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from gitops_bot.errors import UNKNOWN_RECIPE, UserError
from gitops_bot.text.markdown import code, fence_for


REPLY_MARK = "<!-- gitops-bot reply -->"
_RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


@dataclass(frozen=True)
class Inputs:
    command: str = "auto"
    recipe: str = ""
    params: str = ""
    config: str = ".gitops-bot.yaml"
    dry_run: bool = False
    working_directory: str = "."
    repository: str = ""  # owner/name; empty: GITHUB_REPOSITORY
    # From the runner, not inputs: where each PR's full report goes for the job's artifact, and
    # the run's page that the PR body links it from
    report_dir: str = ""
    run_url: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Inputs":
        def get(name: str, default: str = "") -> str:
            return env.get(f"INPUT_{name.upper().replace('-', '_')}", default).strip()
        command = get("command", "auto") or "auto"
        if command not in ("auto", "run", "check"):
            raise UserError(f"input command={command!r}: expected auto, run or check")
        config = get("config", ".gitops-bot.yaml") or ".gitops-bot.yaml"
        if config.startswith("/") or ".." in config.split("/"):
            raise UserError(f"input config={config!r} must be a path inside the repository")
        folder = get("working-directory", ".") or "."
        if folder.startswith("/") or ".." in folder.split("/"):
            raise UserError(f"input working-directory={folder!r} must be a folder inside the workspace")
        run = [env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
        return cls(command, get("recipe"), get("params"), config, get("dry-run", "false").lower() == "true",
                   folder, get("repository"),
                   str(Path(env["RUNNER_TEMP"]) / "gitops-bot-report") if env.get("RUNNER_TEMP") else "",
                   "{}/{}/actions/runs/{}".format(*run) if all(run) else "")


@dataclass
class Report:
    """What the run tells the workflow: outputs and the job summary."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # (invocation, result, detail, link)
    pr_urls: list[str] = field(default_factory=list)
    changed: bool = False
    sarif: str = ""  # the SARIF file `command: check` wrote
    report_dir: str = ""  # the folder of the full reports of the PRs delivered (the job's artifact)
    sections: list[str] = field(default_factory=list)  # Markdown after the table: plans, check's problems

    def write(self, env: Mapping[str, str]) -> None:
        if env.get("GITHUB_OUTPUT"):
            with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
                out.write(f"pr-url={self.pr_urls[0] if self.pr_urls else ''}\n")
                out.write(f"changed={'true' if self.changed else 'false'}\n")
                if self.sarif:
                    out.write(f"sarif={self.sarif}\n")
                if self.report_dir:
                    out.write(f"report={self.report_dir}\n")
        if env.get("GITHUB_STEP_SUMMARY") and self.rows:
            lines = ["### gitops-bot", "", "| invocation | result | pull request |", "|---|---|---|"]
            # The invocation and the detail may quote a comment or an error about one: code spans.
            lines += [f"| {code(inv, table=True)} | {result}{': ' + code(detail, table=True) if detail else ''} | "
                      f"{link} |" for inv, result, detail, link in self.rows]
            with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
                out.writelines("\n" + section for section in self.sections)


class Context:
    """Clients and the default branch's configuration, shared by every invocation of a run.

    Creating one makes no request; `load` fetches the default branch (that one ref) and reads
    the configuration from the fetched commit with `git cat-file` (Checkout.read_file): no
    worktree, so a comment command's permission is checked before any checkout exists, and a
    symbolic link in the repository is refused instead of followed. The recipes, which are
    files under `.gitops-bot/recipes/`, are read from a worktree of the same commit on first use.
    """

    def __init__(self, root: Path, inputs: Inputs) -> None:
        from gitops_bot.delivery.git import Checkout
        from gitops_bot.delivery.github import GitHub, settings

        token, api_url, slug = settings(inputs.repository or None)
        self.root, self.inputs, self.slug = root, inputs, slug
        self.github = GitHub(token, api_url, slug)
        self.checkout = Checkout(root)
        self._recipes: dict | None = None

    def load(self) -> "Context":
        """Fetch the default branch and read its configuration; UserError when the configured
        file is missing (only the default `.gitops-bot.yaml` may be) or malformed."""
        from gitops_bot.domain.config import load_config

        self.default_branch = self.github.default_branch()
        self.base_sha = self.checkout.fetch(self.default_branch)
        self.config = load_config(lambda name: self.checkout.read_file(self.base_sha, name), self.inputs.config)
        return self

    @property
    def recipes(self) -> dict:
        """The built-in recipes and the default branch's own."""
        from gitops_bot.engine.recipe import available_recipes

        if self._recipes is None:
            with self.checkout.worktree(self.base_sha) as defaults:
                self._recipes = available_recipes(defaults)
        return self._recipes

    def recipe(self, name: str):
        if name not in self.recipes:
            raise UserError(f"unknown recipe {name!r} (available: {', '.join(sorted(self.recipes))})",
                            kind=UNKNOWN_RECIPE)
        return self.recipes[name]

    def params(self, recipe, given: Mapping[str, str]) -> dict[str, str]:
        return recipe.check_params(given, self.config.recipe_defaults.get(recipe.name))

    def deliver(self, recipe, params: Mapping[str, str], closes: int | None = None):
        from gitops_bot.delivery.pr import Options, deliver

        options = Options(base=self.default_branch, draft=self.config.draft, labels=self.config.labels,
                          reviewers=self.config.reviewers, branch_prefix=self.config.branch_prefix,
                          closes=closes, commit=self.config.commit or "api",  # Verified unless configured
                          report_dir=Path(self.inputs.report_dir) if self.inputs.report_dir else None,
                          run_url=self.inputs.run_url)
        return deliver(self.root, recipe, params, options, github=self.github, checkout=self.checkout,
                       config=self.config)

    def plan(self, recipe, params: Mapping[str, str]):
        from gitops_bot.delivery.lookups import Lookups
        from gitops_bot.engine.run import run_recipe

        base_sha = self.checkout.fetch(self.default_branch)
        with self.checkout.worktree(base_sha) as tree:
            return run_recipe(tree, recipe, params, config=self.config, releases=Lookups())


def run_action(env: Mapping[str, str] | None = None) -> int:
    """Handle the workflow's event; the exit code is the job's."""
    env = os.environ if env is None else env
    event, event_path = env.get("GITHUB_EVENT_NAME"), env.get("GITHUB_EVENT_PATH")
    if not event or not event_path:
        raise UserError("GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set: "
                        "`gitops-bot action` runs in GitHub Actions")
    try:
        payload = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the event payload {event_path}: {exc}") from exc
    inputs = Inputs.from_env(env)
    root = (Path(env.get("GITHUB_WORKSPACE") or ".") / inputs.working_directory).resolve()
    if not root.is_dir():
        raise UserError(f"input working-directory={inputs.working_directory!r}: no such folder in the workspace")
    report = Report()
    try:
        if inputs.command == "check":
            return _check(Context(root, inputs).load(), report, env)
        if inputs.command == "run" or (event == "workflow_dispatch" and inputs.recipe):
            return _dispatched(Context(root, inputs).load(), report)
        if event in ("schedule", "workflow_dispatch"):
            return _scheduled(Context(root, inputs).load(), report)
        if event == "issue_comment":
            return _comment(root, inputs, payload, report)
        if event == "pull_request":
            return _rerun(root, inputs, payload, report)
        print(f"gitops-bot: nothing to do for {event} events")
        return 0
    finally:
        if inputs.report_dir and Path(inputs.report_dir).is_dir() and any(Path(inputs.report_dir).iterdir()):
            report.report_dir = inputs.report_dir
        report.write(env)


# -- schedule and dispatch --------------------------------------------------------------------
def _scheduled(ctx: Context, report: Report) -> int:
    if not ctx.config.schedule:
        print(f"gitops-bot: no schedule in {ctx.inputs.config} on {ctx.default_branch}")
        return 0
    failures = 0
    for invocation in ctx.config.schedule:
        failures += _invoke(ctx, invocation.recipe, invocation.params, invocation.describe(), report)
    return 1 if failures else 0


def _dispatched(ctx: Context, report: Report) -> int:
    from gitops_bot.engine.recipe import parse_params

    if not ctx.inputs.recipe:
        raise UserError("command: run needs the recipe input")
    params = parse_params(ctx.inputs.params.split())
    return _invoke(ctx, ctx.inputs.recipe, params, " ".join([ctx.inputs.recipe, ctx.inputs.params]).strip(), report)


def _invoke(ctx: Context, name: str, given: Mapping[str, str], label: str, report: Report) -> int:
    """One invocation through the PR flow (or plan when dry-run); 1 when it failed."""
    try:
        recipe = ctx.recipe(name)
        params = ctx.params(recipe, given)
        if ctx.inputs.dry_run:
            changes = ctx.plan(recipe, params)
            report.changed |= changes.changed
            report.rows.append((label, f"dry run: {len(changes.files)} files, {len(changes.residue)} residue", "", ""))
            report.sections.append(plan_section(label, changes))
            return 0
        outcome = ctx.deliver(recipe, params)
    except UserError as exc:
        report.rows.append((label, "error", exc.message, ""))
        print(f"gitops-bot: {label}: error: {exc.message}")
        return 1
    report.rows.append((label, outcome.action, outcome.detail, outcome.url or ""))
    if outcome.url:
        report.pr_urls.append(outcome.url)
    report.changed |= outcome.action in ("opened", "updated")
    print(f"gitops-bot: {label}: {outcome.action} {outcome.url or ''}".rstrip())
    return 1 if outcome.exit_code else 0


# The job summary takes 1 MiB per step: a dry run's diff is cut well short of it.
PLAN_SHOWN = 60_000


def plan_section(label: str, changes) -> str:
    """A dry run's plan for the job summary: the change summary and the diff, folded, as
    fenced code (the diff quotes the repository: nothing in it may render as Markdown)."""
    diff = changes.diff()
    cut = diff if len(diff) <= PLAN_SHOWN else diff[:diff.rfind("\n", 0, PLAN_SHOWN) + 1]
    lines = [f"<details><summary>plan: {html.escape(label)} ({len(changes.files)} files)</summary>", ""]
    for text, info in ((changes.summary(), "text"), (cut, "diff")):
        fence = fence_for(text, 3)
        lines += [f"{fence}{info}", text.rstrip("\n"), fence, ""]
    if cut != diff:
        lines += [f"The diff is cut at {len(cut):,} of {len(diff):,} characters: run "
                  f"{code('gitops-bot plan ' + label)} to see it all.", ""]
    return "\n".join(lines + ["</details>", ""])


def _check(ctx: Context, report: Report, env: Mapping[str, str]) -> int:
    """`gitops-bot check` on the workspace, with the default branch's configuration (its
    `tools:` extend the catalogue), as every other command of the action reads it; inline
    suppressions count. Annotations within GitHub's caps, every problem in the job summary,
    and SARIF in RUNNER_TEMP (the `sarif` output) for github/codeql-action/upload-sarif."""
    import tempfile

    from gitops_bot.checks.render import render, summary
    from gitops_bot.engine.check import checked, failing

    problems, reader = checked(ctx.root, config=ctx.config)
    print(render(problems, "github"), end="")
    sarif = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / "gitops-bot.sarif"
    sarif.write_text(render(problems, "sarif", reader), encoding="utf-8")
    report.sarif = str(sarif)
    report.rows.append(("check", f"{len(problems)} problems", "", ""))
    report.sections.append(summary(problems))
    return 1 if failing(problems, "warning") else 0


# -- comment commands -------------------------------------------------------------------------
def _comment(root: Path, inputs: Inputs, payload: dict, report: Report) -> int:
    """A `/gitops-bot ...` comment: ignored unless new, by a human, and a command; then the
    commenter's permission is checked first, and only an allowed commenter gets a reply."""
    from gitops_bot.delivery import comments

    comment, issue = payload.get("comment") or {}, payload.get("issue") or {}
    user = comment.get("user") or {}
    body = comment.get("body") or ""
    if payload.get("action") != "created":
        print(f"gitops-bot: ignored: comment {payload.get('action')}, only new comments run")
        return 0
    if _is_bot(user) or REPLY_MARK in body:
        print("gitops-bot: ignored: comment by a bot")
        return 0
    if not comments.is_command(body):
        print("gitops-bot: ignored: not a /gitops-bot command")
        return 0
    ctx = Context(root, inputs)
    number, login, comment_id = int(issue["number"]), str(user.get("login")), int(comment["id"])
    try:
        ctx.load()
    except UserError as exc:
        return _cannot_load(ctx, number, comment_id, login, exc)
    denied = _permission_problem(ctx, login)
    if denied:  # no reply to someone not allowed: a reaction, and the reason in the job log
        print(f"gitops-bot: refused {login}: {denied}")
        ctx.github.react(comment_id, "confused")
        return 0
    if issue.get("pull_request"):
        _reply(ctx, number, comment_id, "confused",
               "gitops-bot commands run from issues, not pull requests: the PR it opens would change this "
               "PR's own branch. Write the command on an issue.")
        return 0
    ctx.github.react(comment_id, "eyes")
    return _run_command(ctx, number, comment_id, login, body, report)


def _is_bot(user: Mapping[str, object]) -> bool:
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def _run_command(ctx: Context, number: int, comment_id: int, login: str, body: str, report: Report) -> int:
    """The allowed commenter's command, answered on the issue."""
    from gitops_bot.delivery import comments

    try:
        command = comments.parse(body)
        if command.verb == "help":
            recipes = "\n".join(f"- `{r.name}`: {r.description}" for r in ctx.recipes.values())
            _reply(ctx, number, comment_id, "rocket", comments.HELP + recipes)
            return 0
        recipe = ctx.recipe(command.recipe)
        params = ctx.params(recipe, comments.resolve_params(command, recipe))
        if command.verb == "plan":
            changes = ctx.plan(recipe, params)
            _reply(ctx, number, comment_id, "rocket", _plan_reply(recipe, params, changes))
            return 0
        outcome = ctx.deliver(recipe, params, closes=number)
    except UserError as exc:
        extra = ""
        if exc.kind == UNKNOWN_RECIPE:
            extra = "\n\n" + comments.HELP + "\n".join(f"- `{r}`" for r in sorted(ctx.recipes))
        # The message may quote the comment's words: a code span keeps links and mentions inert.
        _reply(ctx, number, comment_id, "confused", f"@{login} {code(exc.message)}{extra}")
        return 0
    report.rows.append((f"#{number}: {body.splitlines()[0]}", outcome.action, outcome.detail, outcome.url or ""))
    if outcome.url:
        report.pr_urls.append(outcome.url)
    report.changed |= outcome.action in ("opened", "updated")
    messages = {"no-change": "no change needed: the recipe changes nothing on the default branch.",
                "closed": "no change needed any more: its pull request is closed."}
    text = messages.get(outcome.action) or f"{outcome.action}: {outcome.url}" + (
        f" ({code(outcome.detail)})" if outcome.detail else "")
    _reply(ctx, number, comment_id, "confused" if outcome.exit_code else "rocket", f"@{login} {text}")
    return 0


# -- the re-run checkbox ----------------------------------------------------------------------
def _rerun(root: Path, inputs: Inputs, payload: dict, report: Report) -> int:
    """A `pull_request` `edited` event: when a human ticked the re-run checkbox of a gitops-bot
    PR, and may run commands (checked first, as for comment commands), the recipe and parameters
    of the PR's marker run again through the pull-request flow, which rebuilds the body with the
    box unticked. Anything else is ignored without a call."""
    from gitops_bot.delivery.pr import read_marker, rerun_requested

    pull, sender = payload.get("pull_request") or {}, payload.get("sender") or {}
    changes = payload.get("changes")
    # An edit of the title alone says so (`changes` without `body`): the body, box included, is as it was.
    before = pull.get("body") if isinstance(changes, dict) and "body" not in changes else \
        ((changes or {}).get("body") or {}).get("from")
    if payload.get("action") != "edited" or not rerun_requested(pull.get("body"), before):
        print(f"gitops-bot: ignored: pull request {payload.get('action')} without a ticked re-run checkbox")
        return 0
    marker = read_marker(pull.get("body") or "")
    if _is_bot(sender) or not isinstance(marker.get("recipe"), str) or not isinstance(marker.get("params"), dict):
        print("gitops-bot: ignored: a re-run is ticked by a human on a gitops-bot pull request")
        return 0
    ctx = Context(root, inputs).load()
    login, number = str(sender.get("login")), int(pull["number"])
    denied = _permission_problem(ctx, login)
    if denied:  # as for comment commands: no reply, the reason in the job log
        print(f"gitops-bot: refused {login}: {denied}")
        return 0
    label = f"#{number}: re-run {marker['recipe']}"
    try:
        outcome = _rerun_marker(ctx, pull, marker)
    except UserError as exc:
        return _rerun_failed(ctx, pull, login, label, exc, report)
    report.rows.append((label, outcome.action, outcome.detail, outcome.url or ""))
    report.changed |= outcome.action in ("opened", "updated")
    print(f"gitops-bot: {label}: {outcome.action} {outcome.url or ''}".rstrip())
    return 0


def _rerun_marker(ctx: Context, pull: Mapping, marker: Mapping):
    """The marker's invocation through the pull-request flow; UserError unless the PR's head is
    the branch gitops-bot keeps for that invocation in this repository (a marker pasted into
    another PR does not make it the bot's)."""
    from gitops_bot.delivery.pr import branch_name

    recipe = ctx.recipe(marker["recipe"])
    params = ctx.params(recipe, {str(k): str(v) for k, v in marker["params"].items()})
    head = pull.get("head") or {}
    branch = branch_name(recipe, params, ctx.config.branch_prefix)
    if head.get("ref") != branch or (head.get("repo") or {}).get("full_name") != ctx.slug:
        raise UserError(f"this pull request's branch {head.get('ref')!r} is not {branch!r} of {ctx.slug}, "
                        "the one gitops-bot keeps for its recipe: nothing was re-run")
    closes = marker.get("closes")
    return ctx.deliver(recipe, params, closes=closes if isinstance(closes, int) else None)


def _rerun_failed(ctx: Context, pull: Mapping, login: str, label: str, exc: UserError, report: Report) -> int:
    """Say why on the PR and untick the box, so that ticking it again tries again."""
    from gitops_bot.delivery.pr import untick_rerun

    number = int(pull["number"])
    report.rows.append((label, "error", exc.message, ""))
    print(f"gitops-bot: {label}: error: {exc.message}")
    ctx.github.comment(number, f"@{login} gitops-bot could not re-run: {code(exc.message)}\n\n{REPLY_MARK}")
    ctx.github.update_pull(number, body=untick_rerun(pull.get("body") or ""))
    return 0


def _cannot_load(ctx: Context, number: int, comment_id: int, login: str, exc: UserError) -> int:
    """The default branch or its configuration cannot be read: the job fails. The commenter's
    permission cannot be checked against a configuration that cannot be read, so the reply goes
    only to someone who reaches the default minimum (write); anyone else gets a reaction."""
    print(f"gitops-bot: error: {exc.message}")
    if _RANK.get(ctx.github.permission(login), 0) >= _RANK["write"]:
        _reply(ctx, number, comment_id, "confused", f"@{login} gitops-bot cannot run: {code(exc.message)}")
    else:
        ctx.github.react(comment_id, "confused")
    return exc.exit_code


def _permission_problem(ctx: Context, login: str) -> str | None:
    config = ctx.config
    level = ctx.github.permission(login)
    if _RANK.get(level, 0) < _RANK[config.permission]:
        return f"you need {config.permission} permission on this repository to run gitops-bot (you have {level})."
    if config.users or config.teams:
        if login in config.users or any(ctx.github.is_team_member(t, login) for t in config.teams):
            return None
        return "you are not on the list of people who may run gitops-bot here (commands: users/teams)."
    return None


def _reply(ctx: Context, number: int, comment_id: int, reaction: str, text: str) -> None:
    ctx.github.comment(number, f"{text}\n\n{REPLY_MARK}")
    ctx.github.react(comment_id, reaction)


def _plan_reply(recipe, params: Mapping[str, str], changes) -> str:
    """The `plan` answer: files and residue, every path and value a code span."""
    from gitops_bot.delivery.pr import reproduce_command

    lines = [f"{code(reproduce_command(recipe, params))} on the default branch would change "
             f"{len(changes.files)} files:", ""]
    lines += [f"- {code(f.path)} ({f.status})" for f in changes.files[:50]]
    if len(changes.files) > 50:
        lines.append(f"- … and {len(changes.files) - 50} more")
    lines += ["", f"Left for a human: {len(changes.residue)}"]
    lines += [f"- [ ] {code(f'{r.path}:{r.line}')} ({code(r.reason)})" for r in changes.residue[:30]]
    return "\n".join(lines)
