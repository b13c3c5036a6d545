"""Delivering a recipe as a pull request: branch name, title, body, and the flow.

The flow (deliver): run the recipe on the up-to-date base branch in a temporary worktree; one
commit on `gitops-bot/<recipe>/<params>`; push unless origin already has the same result or a
human pushed to the branch; open the PR, or update the open one found by its head branch.
No change closes an open bot PR with a comment; a PR a human closed is never reopened.

The hidden marker records the commit the bot pushed (`head`), so a branch a human touched is
recognised by its content, whoever the commit claims as author. Everything in a body or a
comment that comes from outside the bot (file names, file text, parameter values, commit
authors) is shown as an inline code span (`code`), where Markdown, HTML, links and @mentions
are text, not markup.
"""

from __future__ import annotations

import html
import json
import re
import shlex
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import quote

from gitops_bot import __version__
from gitops_bot.delivery.github import LOGIN_RE
from gitops_bot.engine.changeset import ChangeSet, deleted_folders
from gitops_bot.engine.recipe import Recipe
from gitops_bot.errors import UserError
from gitops_bot.text.markdown import code, fence_for

MARKER_RE = re.compile(r"<!-- gitops-bot: (\{.*?\}) -->")
# The re-run checkbox, like Renovate's rebase checkbox: a human ticks it, GitHub sends a
# `pull_request` `edited` event, and the Action runs the recipe again (delivery/action.py).
RERUN_MARK = "<!-- gitops-bot:rerun -->"
RERUN_BOX = f"- [ ] {RERUN_MARK} Re-run this recipe on the latest base"
_RERUN_RE = re.compile(r"^- \[([ xX])\] " + re.escape(RERUN_MARK), re.MULTILINE)
BODY_LIMIT = 60_000  # GitHub rejects bodies over 65,536 characters
RESIDUE_SHOWN = 200
COLLAPSE_OVER = 10  # a file with more residue entries is a collapsed section
LABEL_MAX = 50  # GitHub's limit on a label's name
COMMIT_MODES = ("git", "api")  # how the bot's commit is made: delivery/git.py or delivery/api_commit.py


@dataclass
class Options:
    base: str | None = None
    draft: bool = False
    labels: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    slug: str | None = None
    recreate: bool = False
    author: tuple[str, str] | None = None
    branch_prefix: str = "gitops-bot"
    closes: int | None = None  # the issue a comment command came from
    commit: str = "git"  # git: a local commit, pushed; api: made through GitHub's API (Verified)
    # The Action's: where the full report (plan --format json) is written for the job's artifact,
    # and the run's page the PR body links it from
    report_dir: Path | None = None
    run_url: str = ""

    def __post_init__(self) -> None:
        # Checked here, before anything is fetched or pushed, whether they came from flags or
        # from the configuration.
        check_labels(self.labels)
        check_reviewers(self.reviewers)
        if self.commit not in COMMIT_MODES:
            raise UserError(f"commit {self.commit!r}: one of {', '.join(COMMIT_MODES)}")


def check_labels(labels: Iterable[str]) -> None:
    """UserError unless every label is a name GitHub accepts: 1-50 characters, no control
    characters or line breaks."""
    for label in labels:
        if not label.strip() or len(label) > LABEL_MAX or any(
                unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in label):
            raise UserError(f"label {label!r}: a label is 1-{LABEL_MAX} characters without control characters")


def check_reviewers(reviewers: Iterable[str]) -> None:
    """UserError unless every reviewer is a GitHub login."""
    for login in reviewers:
        if not LOGIN_RE.match(login):
            raise UserError(f"reviewer {login!r} is not a GitHub login (letters, digits and inner hyphens)")


@dataclass(frozen=True)
class Outcome:
    """What happened, for the CLI line and the exit code (0 done, 1 needs a human)."""

    action: str  # opened | updated | up-to-date | closed | no-change | blocked | closed-by-human
    url: str | None
    detail: str = ""

    @property
    def exit_code(self) -> int:
        return 1 if self.action in ("blocked", "closed-by-human") else 0


def branch_name(recipe: Recipe, params: Mapping[str, str], prefix: str = "gitops-bot") -> str:
    """`gitops-bot/remove-service/video-service`: stable per recipe invocation."""
    values = [params[p.name] for p in recipe.parameters if params.get(p.name)]
    slug = re.sub(r"[^a-z0-9._-]+", "-", "-".join(values).lower()).strip("-.") or "default"
    return f"{prefix}/{recipe.name}/{slug[:80]}"


def title(recipe: Recipe, params: Mapping[str, str]) -> str:
    """The PR title and commit subject, in Conventional Commits form: `chore(gitops): remove video-service`."""
    return f"chore(gitops): {recipe.render_title(params)}"


def commit_message(recipe: Recipe, params: Mapping[str, str]) -> str:
    lines = [title(recipe, params), "", f"Recipe: {recipe.name}"]
    if params:
        lines.append("Parameters:")
        lines += [f"  {k}={v}" for k, v in params.items()]
    lines += ["", f"Generated by gitops-bot {__version__}."]
    return "\n".join(lines) + "\n"


def reproduce_command(recipe: Recipe, params: Mapping[str, str]) -> str:
    return " ".join(["gitops-bot", "plan", recipe.name] + [shlex.quote(f"{k}={v}") for k, v in params.items()])


def read_marker(body: str) -> dict:
    """The PR's hidden marker: the last one in the body (the bot appends it; text quoted from
    files earlier in the body cannot pose as it), or {} when there is none."""
    found = list(MARKER_RE.finditer(body or ""))
    try:
        marker = json.loads(found[-1].group(1)) if found else {}
    except json.JSONDecodeError:
        return {}
    return marker if isinstance(marker, dict) else {}


def rerun_ticked(body: str | None) -> bool | None:
    """Whether the re-run checkbox of `body` is ticked: its last one at the start of a line (a
    file's text quoted earlier in the body is in a code span, never there), None without one."""
    found = list(_RERUN_RE.finditer(body or ""))
    return found[-1].group(1) != " " if found else None


def rerun_requested(body: str | None, before: str | None) -> bool:
    """True when an edit ticked the re-run checkbox: ticked in `body` and not in `before`, the
    body before the edit (None when the event does not say: then ticked is enough)."""
    return bool(rerun_ticked(body)) and not (before is not None and rerun_ticked(before))


def untick_rerun(body: str) -> str:
    """`body` with its re-run checkbox unticked (after a re-run that could not rebuild the body)."""
    found = list(_RERUN_RE.finditer(body))
    if not found:
        return body
    box = found[-1]
    return body[:box.start(1)] + " " + body[box.end(1):]


def render_body(recipe: Recipe, params: Mapping[str, str], changes: ChangeSet, slug: str, base: str,
                base_sha: str, head_sha: str, closes: int | None = None, folders: Iterable[str] = (),
                run_url: str = "") -> str:
    """The PR description: a summary first, the refused edits (a human must finish them), the
    parameters, the files (a wholly deleted folder as one row, from `folders`), validation,
    conflicts, the residue grouped by file (one list; a file with many entries collapsed), how to
    reproduce (and, from the Action, the run whose `gitops-bot-report` artifact holds the full
    report: `run_url`), the re-run checkbox (unticked), and a hidden marker with recipe, parameters, bot
    version, the bot's head commit and the issue it closes. Paths, file text and values are code
    spans (`code`): inert, whatever they hold.

    The body stays under BODY_LIMIT by structure, not by cutting text: the residue lists fewer
    entries per file, then the file table fewer rows, each saying how many it leaves out; the
    summary, the reproduce command, the re-run checkbox and the marker always stay."""
    blob = f"https://github.com/{slug}/blob/{head_sha[:12]}"  # GitHub resolves an abbreviated commit
    command = reproduce_command(recipe, params)
    tail = ["", "### Reproduce locally", "", *_fenced(command, "sh"),
            "", _full_report(command, run_url), "", "---", "", RERUN_BOX, ""]
    marker = {"recipe": recipe.name, "params": dict(params), "version": __version__, "base": base,
              "base_sha": base_sha, "head": head_sha, **({"closes": closes} if closes else {})}
    folders = sorted(folders)
    # (entries listed per residue file and refused edits, residue files listed, file rows), most first
    for shown, files_shown, rows in ((RESIDUE_SHOWN, 10_000, 10_000), (50, 1_000, 1_000), (10, 200, 300),
                                     (3, 100, 100), (0, 40, 40), (0, 10, 10)):
        out = _summary(recipe, changes, base, base_sha, closes, folders) + _refused(changes, blob, shown or 3)
        out += _parameters(params) + _files(changes, folders, rows)
        out += _validation(changes) + _conflicts(changes) + _residue(changes, blob, shown, files_shown)
        text = "\n".join(out + tail)
        if len(text) <= BODY_LIMIT:
            break
    else:
        text = "\n".join(_summary(recipe, changes, base, base_sha, closes, folders) + tail)
    return f"{text}\n{_marker_comment(marker)}\n"  # appended, never replacing one quoted from a file


REPORT_ARTIFACT = "gitops-bot-report"


def _full_report(command: str, run_url: str) -> str:
    """Where the whole report is, every entry the body may list fewer of."""
    if run_url:
        return (f"The full report: the `{REPORT_ARTIFACT}` artifact of [the run that made this]({run_url}), "
                f"or {code(command + ' --format json')}.")
    return f"The full report: {code(command + ' --format json')}."


def write_report(folder: Path, branch: str, changes: ChangeSet) -> Path:
    """The run's full report (what `plan --format json` prints) as `folder/<branch>.json`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (re.sub(r"[^\w.-]+", "_", branch) + ".json")
    path.write_text(json.dumps(changes.to_json(), indent=2) + "\n", encoding="utf-8")
    return path


def _summary(recipe: Recipe, changes: ChangeSet, base: str, base_sha: str, closes: int | None,
             folders: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for f in changes.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    parts = [f"{n} {s}" for s, n in sorted(counts.items())]
    where = f" (folders: {', '.join(code(d + '/') for d in folders)})" if folders else ""
    lines = [f"`{recipe.name}` run by gitops-bot on {code(base)} at {base_sha[:12]}: {len(changes.files)} files "
             f"({', '.join(parts)}){where}; {len(changes.refused)} refused edits, {len(changes.residue)} entries "
             "left for a human.", "", recipe.description, ""]
    return lines + ([f"Closes #{closes}.", ""] if closes else [])


def _refused(changes: ChangeSet, blob: str, shown: int) -> list[str]:
    if not changes.refused:
        return []
    out = ["### Refused: finish these by hand", "",
           "gitops-bot would not make these edits safely; each file is left as it was.", ""]
    out += [f"- [ ] {_link(blob, r.path, r.line)} {code(r.reason[:200])}" for r in changes.refused[:shown]]
    if len(changes.refused) > shown:
        out.append(f"- … and {len(changes.refused) - shown} more: run the command below")
    return out + [""]


def _parameters(params: Mapping[str, str]) -> list[str]:
    if not params:
        return []
    out = ["### Parameters", "", "| parameter | value |", "|---|---|"]
    out += [f"| {code(k, table=True)} | {code(v, table=True)} |" for k, v in params.items()]
    return out + [""]


def _files(changes: ChangeSet, folders: list[str], shown: int) -> list[str]:
    """The changed files as a table of path and change: `+3 -1` for a modified file, `deleted
    (-N)` or `added (+N)`, and a folder whose every file goes as one row. (The kind of edit of each
    file is in `plan --format json`: a column of it cost 400 characters on a 1,200-file tree.)"""
    rows, done = [], set()
    for f in changes.files:
        folder = next((d for d in folders if f.path.startswith(d + "/")), None)
        if folder is None:
            rows.append(f"| {code(f.path, table=True)} | {_change(f.status, *f.counts())} |")
        elif folder not in done:
            done.add(folder)
            inside = [g for g in changes.files if g.path.startswith(folder + "/")]
            lines = sum(len((g.before or "").splitlines()) for g in inside)
            rows.append(f"| {code(folder + '/', table=True)} | deleted folder ({len(inside)} files, -{lines}) |")
    out = ["### Changed files", "", "| file | change |", "|---|---|", *rows[:shown]]
    if len(rows) > shown:
        out.append(f"| … and {len(rows) - shown} more | |")
    return out + [""]


def _change(status: str, plus: int, minus: int) -> str:
    """A file's change in a few characters: `+3 -1` (modified), `deleted (-40)`, `added (+12)`."""
    counts = " ".join(f"{sign}{n}" for sign, n in (("+", plus), ("-", minus)) if n) or "±0"
    return counts if status == "modified" else f"{status} ({counts})"


def _validation(changes: ChangeSet) -> list[str]:
    failed = [v for v in changes.validation if not v.ok]
    out = ["### Validation", "", f"{len(changes.validation) - len(failed)} of {len(changes.validation)} checks passed:",
           ""]
    out += [f"- ✅ {line.removeprefix('passed: ')}" for line in changes.validation_report()
            if line.startswith("passed: ")]
    return out + [f"- ❌ {code(v.path)}: {v.check}: {code(v.detail)}" for v in failed]


def _conflicts(changes: ChangeSet) -> list[str]:
    if not changes.conflicts:
        return []
    out = ["", "### Conflicts (nothing overwritten)", ""]
    return out + [f"- [ ] {code(c.service)} {code(c.key)}: {code(c.values_value)} at {code(c.values_location)} vs "
                  f"{code(c.param_value)} at {code(c.param_location)}" for c in changes.conflicts]


def _residue(changes: ChangeSet, blob: str, shown: int, files_shown: int) -> list[str]:
    """The residue grouped by file, one list of files in path order: a file with one entry is
    one checklist line linked to the line; a file with a few is one item linked to the file with
    its entries nested under it as a checklist of `Lline` and the line's text, grouped by reason;
    a file with more than COLLAPSE_OVER is a collapsed `<details>` section after the list. At
    most `shown` entries per file (0: the files and their counts only) and `files_shown` files."""
    out = ["", "### Left for a human", ""]
    if not changes.residue:
        return out + ["Nothing: no mention is left."]
    by_file: dict[str, list] = {}
    for r in changes.residue:
        by_file.setdefault(r.path, []).append(r)
    out += [f"{len(changes.residue)} entries in {len(by_file)} files still name what the recipe changed; "
            "check each off once handled.", ""]
    files = list(by_file.items())[:files_shown]
    listed = [(path, entries) for path, entries in files if not shown or len(entries) <= COLLAPSE_OVER]
    for path, entries in listed:
        out += _residue_item(blob, path, entries, shown)
    if listed:
        out.append("")
    for path, entries in files:
        if shown and len(entries) > COLLAPSE_OVER:
            out += _residue_section(blob, path, entries, shown)
    if len(by_file) > files_shown:
        out.append(f"… and {len(by_file) - files_shown} more files: run the command below")
    return out


def _residue_item(blob: str, path: str, entries: list, shown: int) -> list[str]:
    """One file of the residue as one list item (see _residue)."""
    if not shown:
        return [f"- {_file_link(blob, path)} ({len(entries)})"]
    if len(entries) == 1:
        r = entries[0]
        return [f"- [ ] {_link(blob, r.path, r.line)} {code(_clip(r.text))} ({_reason(r.reason)})"]
    listed = sorted(entries, key=lambda r: (r.line > 0, r.reason, r.line))[:shown]
    # An entry about the whole file (line 0) carries its own reason; the others are grouped by
    # theirs, on the file's line when they share one.
    whole = [f"- [ ] {_entry(r)} ({_reason(r.reason)})" for r in listed if not r.line]
    lines = [r for r in listed if r.line]
    reasons = list(dict.fromkeys(r.reason for r in lines))
    if len(reasons) == 1:
        out = [f"- {_file_link(blob, path)}: {_reason(reasons[0])}"]
        out += ["  " + item for item in whole] + [f"  - [ ] {_entry(r)}" for r in lines]
    else:
        out = [f"- {_file_link(blob, path)}"] + ["  " + item for item in whole]
        for reason in reasons:
            out.append(f"  - {_reason(reason)}:")
            out += [f"    - [ ] {_entry(r)}" for r in lines if r.reason == reason]
    if len(entries) > len(listed):
        out.append(f"  - … and {len(entries) - len(listed)} more: run the command below")
    return out


def _residue_section(blob: str, path: str, entries: list, shown: int) -> list[str]:
    """A file with many residue entries as a collapsed section (see _residue). Raw HTML: no
    Markdown is rendered in a summary, so the untrusted path is escaped and in <code>; the link
    to the file is Markdown inside, as every other link the bot writes."""
    out = [f"<details><summary><code>{html.escape(path)}</code> ({len(entries)})</summary>", "",
           _file_link(blob, path), ""]
    listed = sorted(entries, key=lambda r: (r.reason, r.line))[:shown]
    for reason in dict.fromkeys(r.reason for r in listed):
        out.append(f"{_reason(reason)}:")
        out += [f"- [ ] {_entry(r)}" for r in listed if r.reason == reason]
    if len(entries) > len(listed):
        out.append(f"- … and {len(entries) - len(listed)} more: run the command below")
    return out + ["", "</details>", ""]


def _entry(r) -> str:
    """A residue entry under its file: `Lline` and the line's text (the text alone for an entry
    about the whole file, line 0)."""
    return f"L{r.line} {code(_clip(r.text))}" if r.line else code(_clip(r.text))


def _file_link(blob: str, path: str) -> str:
    """`path` linked to the file in the bot's commit."""
    return f"[{code(path)}]({blob}/{quote(path)})"


def _fenced(text: str, info: str) -> list[str]:
    """`text` as a fenced code block on one line, with a fence no line of it can close."""
    fence = fence_for(text, 3)
    return [f"{fence}{info}", " ".join(text.splitlines()), fence]


def _link(blob: str, path: str, line: int) -> str:
    """`path:line` linked to the line in the bot's commit (the path alone for line 0)."""
    return f"[{code(f'{path}:{line}')}]({blob}/{quote(path)}#L{line})" if line else code(path)


def _reason(reason: str) -> str:
    """A residue reason: plain lower-case words stay prose (`prose`, `comment above a removed
    entry: check it still applies`); anything after them that may quote a file (`edit refused:
    <why>`, `floating tag: <value>`) is code."""
    if _PLAIN_RE.fullmatch(reason):
        return reason
    head, sep, why = reason.partition(": ")
    return f"{head}: {code(why)}" if sep and _PLAIN_RE.fullmatch(head) else code(reason)


_PLAIN_RE = re.compile(r"[a-z][a-z ,;:'-]*")


def _clip(text: str, width: int = 80) -> str:
    """A residue line's text, at most `width` characters (the link shows the whole line)."""
    return text if len(text) <= width else text[:width - 1] + "…"


def deliver(root: Path, recipe: Recipe, params: Mapping[str, str], options: Options,
            github=None, checkout=None, config=None) -> Outcome:
    """Run `recipe` on the base branch and open or update its pull request (the GitHub and git
    clients may be passed in to share them across invocations; `config` is the repository
    configuration already loaded, whose tool catalogue the recipe uses)."""
    from gitops_bot.delivery.api_commit import create_commit, is_api_commit
    from gitops_bot.delivery.git import DEFAULT_AUTHOR, Checkout, assess
    from gitops_bot.delivery.github import GitHub, settings
    from gitops_bot.delivery.lookups import Lookups
    from gitops_bot.engine.run import run_recipe

    if github is None:
        github = GitHub(*settings(options.slug))
    checkout = checkout or Checkout(root, options.author or DEFAULT_AUTHOR)
    base = options.base or github.default_branch()
    branch = branch_name(recipe, params, options.branch_prefix)
    if branch == base:
        raise UserError(f"the bot branch {branch} is the base branch: refusing to commit to it")
    base_sha = checkout.fetch(base)
    existing = github.find_pull(branch)
    marker = read_marker(existing.body) if existing else {}
    with checkout.worktree(base_sha) as worktree:
        changes = run_recipe(worktree, recipe, params, config=config, releases=Lookups())
        if not changes.changed:
            return _nothing_to_change(github, existing, marker, reproduce_command(recipe, params), base, base_sha)
        if existing and existing.state == "closed" and not existing.merged and not marker.get("closed_by_bot"):
            return Outcome("closed-by-human", existing.url,
                           "a human closed this PR; gitops-bot does not reopen it (delete the branch to start over)")
        folders = deleted_folders(worktree, {f.path for f in changes.files if f.status == "deleted"})
        if options.report_dir is not None:
            write_report(options.report_dir, branch, changes)
        changes.write(worktree)
        message = commit_message(recipe, params)
        sha, tree = checkout.commit(worktree, base_sha, message)
    owner = _branch_owner(existing, marker)
    heads = bot_heads(marker) if owner else None
    remote = checkout.remote_branch(branch, base_sha, lambda c: c.sha in (heads or ()) or is_api_commit(c, message))
    decision = assess(branch, remote, tree, base_sha, heads, options.recreate)
    if decision.action == "blocked":
        return _blocked(github, existing, marker, branch, decision)
    if decision.action == "up-to-date":
        head = decision.sha
    else:
        if options.commit == "api":  # the same tree, committed by GitHub: signed, Verified
            sha = create_commit(github, checkout, base_sha, tree, message)
        head = _push(github, checkout, owner, marker, branch, sha, remote, options.commit)
    body = render_body(recipe, params, changes, github.slug, base, base_sha, head, options.closes, folders,
                       options.run_url if options.report_dir is not None else "")
    return _publish(github, options, existing, marker, base, branch, title(recipe, params), body)


def _push(github, checkout, owner, marker: dict, branch: str, sha: str, remote, mode: str = "git") -> str:
    """Push `sha` (git), or move the branch to it through the API (api). The PR that owns the
    branch records it as `pending` first: should a call after the push fail, the next run still
    knows the new head is the bot's, not a human's."""
    if owner:
        github.update_pull(owner.number, body=_with_marker(owner.body, dict(marker, pending=sha)))
    if mode == "api":
        from gitops_bot.delivery.api_commit import update_branch

        return update_branch(github, branch, sha, remote).sha
    return checkout.push(branch, sha, remote).sha


def bot_heads(marker: Mapping[str, object]) -> frozenset[str] | None:
    """The commits a PR marker says the bot pushed (`head`, and `pending`: one it was about to
    push), or None when the marker records none (a bot version before heads were recorded)."""
    heads = frozenset(v for k in ("head", "pending") if isinstance(v := marker.get(k), str) and v)
    return heads or None


def _branch_owner(existing, marker: Mapping[str, object]):
    """The PR whose marker speaks for the branch now: an open one, or one the bot closed. A merged
    PR (or one a human closed) is history: its branch may have been deleted and started again."""
    if existing and (existing.state == "open" or marker.get("closed_by_bot")):
        return existing
    return None


def _blocked(github, existing, marker: dict, branch: str, decision) -> Outcome:
    """Someone else touched the branch: nothing is pushed; the open PR hears it once per head."""
    open_pr = existing if existing and existing.state == "open" else None
    if open_pr and marker.get("blocked") != decision.sha:
        github.comment(open_pr.number, f"gitops-bot did not update {code(branch)}: {code(decision.detail)}. A human "
                                       f"needs to finish this PR, or re-run with `--recreate` to replace the branch.")
        github.update_pull(open_pr.number, body=_with_marker(open_pr.body, dict(marker, blocked=decision.sha)))
    return Outcome("blocked", open_pr.url if open_pr else None, decision.detail)


def _nothing_to_change(github, existing, marker: dict, command: str, base: str, base_sha: str) -> Outcome:
    """No change: an open bot PR is closed with a comment (marked, so it may come back)."""
    if not (existing and existing.state == "open"):
        return Outcome("no-change", None, f"nothing to change on {base}")
    github.comment(existing.number, f"Closing: {code(command)} no longer changes anything on {code(base)} "
                                    f"({base_sha[:12]}).")
    github.update_pull(existing.number, state="closed",
                       body=_with_marker(existing.body, dict(marker, closed_by_bot=True)))
    return Outcome("closed", existing.url, "no change needed any more")


def _publish(github, options: Options, existing, marker: dict, base: str, branch: str, pr_title: str,
             body: str) -> Outcome:
    """Update the open PR, reopen one the bot closed itself, or open a new one."""
    if existing and existing.state == "open":
        if existing.title == pr_title and existing.body == body:
            return Outcome("up-to-date", existing.url)
        github.update_pull(existing.number, title=pr_title, body=body)
        if options.labels:
            github.add_labels(existing.number, options.labels)
        return Outcome("updated", existing.url)
    if existing and existing.state == "closed" and marker.get("closed_by_bot"):
        github.update_pull(existing.number, state="open", title=pr_title, body=body)
        return Outcome("updated", existing.url, "reopened: the change is needed again")
    created = github.open_pull(base, branch, pr_title, body, options.draft)
    if options.labels:
        github.add_labels(created.number, options.labels)
    if options.reviewers:
        github.request_reviewers(created.number, options.reviewers)
    return Outcome("opened", created.url)


def _with_marker(body: str, marker: Mapping[str, object]) -> str:
    """`body` (one the bot wrote) with its marker, the last one, replaced; or added at the end."""
    found = list(MARKER_RE.finditer(body))
    if not found:
        return f"{body}\n{_marker_comment(marker)}\n"
    last = found[-1]
    return body[:last.start()] + _marker_comment(marker) + body[last.end():]


def _marker_comment(marker: Mapping[str, object]) -> str:
    """The hidden marker. `<` and `>` are JSON-escaped, so no value can end the HTML comment and
    show up as markup."""
    data = json.dumps(marker, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<!-- gitops-bot: {data} -->"
