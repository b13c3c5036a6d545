"""The repository's `.gitops-bot.yaml`, validated with errors that name the file and the line.

    schedule:                     # invocations the scheduled run keeps up to date as PRs
      - recipe: pin-versions
      - recipe: set-version
        params: {tool: istio, version: 1.28.2}
    pull_requests:                # defaults for every PR the bot opens
      labels: [gitops]
      reviewers: [platform-lead]
      draft: false
      branch_prefix: gitops-bot
      commit: api                 # the bot's commit made through GitHub's API (Verified); git: pushed
    commands:                     # who may use /gitops-bot comment commands
      permission: write           # minimum: read, triage, write, maintain or admin
      users: [alice]              # optional allow-list of logins
      teams: [acme/platform]      # optional allow-list of ORG/TEAM slugs
    recipes:                      # parameter defaults per recipe (where this repo keeps things)
      config-to-params:
        values: deploy/values/{env}.yaml
    tools: {...}                  # catalogue additions (see versions.py)

Its shape is checked by its JSON Schema (gitops_bot/data/schemas/gitops-bot.schema.json).
This is the one place the file is parsed, `tools:` included (validated by versions.py's
`tool_from_spec`, with the line of the entry at fault): the engine and the checks get the
RepoConfig, and build the catalogue from it (versions.load_catalogue), instead of reading the
file again. The action reads it, and the repository's recipes, from the default branch only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitops_bot.domain import schema
from gitops_bot.domain.versions import Tool, tool_from_spec
from gitops_bot.errors import UserError

PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")


@dataclass(frozen=True)
class Invocation:
    recipe: str
    params: dict[str, str]
    line: int

    def describe(self) -> str:
        return " ".join([self.recipe, *(f"{k}={v}" for k, v in self.params.items())])


@dataclass
class RepoConfig:
    schedule: list[Invocation] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    draft: bool = False
    branch_prefix: str = "gitops-bot"
    commit: str | None = None  # how the bot's commit is made: git or api (unset: git in the CLI, api in the Action)
    permission: str = "write"
    users: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    recipe_defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    tools: dict[str, Tool] = field(default_factory=dict)  # catalogue additions and overrides
    source: str = ".gitops-bot.yaml"  # the file it was read from, for messages


def parse_config(text: str, source: str = ".gitops-bot.yaml") -> RepoConfig:
    """A RepoConfig from YAML text; UserError `source:line: ...` for anything malformed.

    The file is checked against its JSON Schema (data/schemas/gitops-bot.schema.json, the one
    validator of its shape; see domain/schema.py), then each tool entry by the catalogue's own
    validation; what is left here only reads the checked data."""
    data = schema.load_yaml(text, source)
    schema.check("gitops-bot", data, source, root="the configuration")
    config = RepoConfig(source=source)
    if data is None:
        return config
    for i, item in enumerate(data.get("schedule") or []):
        config.schedule.append(Invocation(item["recipe"], _params(item.get("params")),
                                          schema.line_of(data, ("schedule", i))))
    prs = data.get("pull_requests") or {}
    config.labels, config.reviewers = list(prs.get("labels") or []), list(prs.get("reviewers") or [])
    config.draft = bool(prs.get("draft", False))
    config.branch_prefix = str(prs.get("branch_prefix", "gitops-bot")).rstrip("/")
    config.commit = prs.get("commit")
    commands = data.get("commands") or {}
    config.permission = str(commands.get("permission", "write"))
    config.users, config.teams = list(commands.get("users") or []), list(commands.get("teams") or [])
    config.recipe_defaults = {str(name): _params(defaults) for name, defaults in (data.get("recipes") or {}).items()}
    tools = data.get("tools") or {}
    for name, spec in tools.items():
        def tool_fail(key: str | None, message: str, spec: Any = spec, name: Any = name) -> UserError:
            # `FILE: tool NAME: ...` as the catalogue words it, then where: the line of the field
            # at fault, else of the tool's own entry.
            at_field = key is not None and isinstance(spec, dict) and key in spec
            line = schema.line_of(data, ("tools", name, key) if at_field else ("tools", name))
            return UserError(f"{source}: {message} (at {source}:{line})")

        config.tools[str(name)] = tool_from_spec(str(name), spec, tool_fail)
    return config


def _params(mapping: Any) -> dict[str, str]:
    """Parameter values (scalars, checked by the schema) as the strings a recipe takes."""
    return {str(k): ("true" if v is True else "false" if v is False else str(v)) for k, v in (mapping or {}).items()}


def load_config(root, name: str = ".gitops-bot.yaml") -> RepoConfig:
    """The configuration file `name`, from the directory `root`, or from `root(name)` when `root`
    is a reader (a function returning the file's text, or None when there is no such file: the
    action reads the default branch's commit this way, without a checkout).

    Only the default `.gitops-bot.yaml` may be absent (then the defaults apply). A file someone
    named that does not exist is a UserError, never the defaults: it may carry a stricter
    `commands.permission` or `users:` list, and falling back would open the bot to everyone
    with write access."""
    if callable(root):
        text = root(name)
    else:
        from gitops_bot.domain.worktree import inside, read_text_inside

        text = read_text_inside(root, name) if inside(root, name).is_file() else None
    if text is not None:
        return parse_config(text, name)
    if name == ".gitops-bot.yaml":
        return RepoConfig()
    raise UserError(f"configuration file {name} not found: the config input names a file the repository "
                    "does not have (remove the input to use the defaults)")


def config_problems(text: str, source: str) -> list[str]:
    """Every problem of a configuration file, `source:line: message` each, for `gitops-bot config
    validate`: all of the schema's, else the first the tool catalogue finds (it stops at one)."""
    data = schema.load_yaml(text, source)
    found = [p.format(source) for p in schema.problems("gitops-bot", data, root="the configuration")]
    if not found:
        try:
            parse_config(text, source)
        except UserError as exc:
            found.append(exc.message)
    return found
