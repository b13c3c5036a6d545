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
    commands:                     # who may use /gitops-bot comment commands
      permission: write           # minimum: read, triage, write, maintain or admin
      users: [alice]              # optional allow-list of logins
      teams: [acme/platform]      # optional allow-list of ORG/TEAM slugs
    recipes:                      # parameter defaults per recipe (where this repo keeps things)
      config-to-params:
        values: deploy/values/{env}.yaml
    tools: {...}                  # catalogue additions (see versions.py)

This is the one place the file is parsed, `tools:` included (validated by versions.py's
`tool_from_spec`, with the line of the entry at fault): the engine and the checks get the
RepoConfig, and build the catalogue from it (versions.load_catalogue), instead of reading the
file again. The action reads it, and the repository's recipes, from the default branch only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gitops_bot.domain.versions import Tool, tool_from_spec
from gitops_bot.errors import UserError

PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
_TOP_KEYS = {"schedule", "pull_requests", "commands", "recipes", "tools"}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$")


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
    permission: str = "write"
    users: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    recipe_defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    tools: dict[str, Tool] = field(default_factory=dict)  # catalogue additions and overrides
    source: str = ".gitops-bot.yaml"  # the file it was read from, for messages


def parse_config(text: str, source: str = ".gitops-bot.yaml") -> RepoConfig:
    """A RepoConfig from YAML text; UserError `source:line: ...` for anything malformed."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserError(f"{source}:{mark.line + 1 if mark else 1}: not valid YAML: "
                        f"{getattr(exc, 'problem', None) or str(exc).splitlines()[0]}") from exc
    config = RepoConfig(source=source)
    if data is None:
        return config

    def line_of(node: Any, key: Any) -> int:
        return node.lc.key(key)[0] + 1 if isinstance(node, CommentedMap) and key in node else (
            node.lc.item(key)[0] + 1 if isinstance(node, CommentedSeq) and isinstance(key, int) else 1)

    def fail(node: Any, key: Any, message: str) -> UserError:
        return UserError(f"{source}:{line_of(node, key)}: {message}")

    if not isinstance(data, CommentedMap):
        raise UserError(f"{source}:1: the configuration must be a mapping")
    for key in data:
        if key not in _TOP_KEYS:
            raise fail(data, key, f"unknown key {key!r} (known: {', '.join(sorted(_TOP_KEYS))})")

    schedule = data.get("schedule")
    schedule = CommentedSeq() if schedule is None else schedule
    if not isinstance(schedule, CommentedSeq):
        raise fail(data, "schedule", "schedule must be a list of {recipe, params}")
    for i, item in enumerate(schedule):
        if not isinstance(item, CommentedMap) or not isinstance(item.get("recipe"), str):
            raise fail(schedule, i, "each schedule entry needs `recipe: NAME`")
        extra = set(item) - {"recipe", "params"}
        if extra:
            raise fail(item, sorted(extra)[0], f"unknown key {sorted(extra)[0]!r} in a schedule entry")
        params = item.get("params")
        params = CommentedMap() if params is None else params
        if not isinstance(params, CommentedMap):
            raise fail(item, "params", "params must be a mapping of name: value")
        config.schedule.append(Invocation(item["recipe"], {str(k): _scalar(v, params, k, fail)
                                                           for k, v in params.items()},
                                          schedule.lc.item(i)[0] + 1))

    prs = data.get("pull_requests")
    prs = CommentedMap() if prs is None else prs
    if not isinstance(prs, CommentedMap):
        raise fail(data, "pull_requests", "pull_requests must be a mapping")
    for key in prs:
        if key not in ("labels", "reviewers", "draft", "branch_prefix"):
            raise fail(prs, key, f"unknown key {key!r} in pull_requests")
    config.labels = _names(prs, "labels", fail)
    config.reviewers = _names(prs, "reviewers", fail)
    if not isinstance(prs.get("draft", False), bool):
        raise fail(prs, "draft", "draft must be true or false")
    config.draft = bool(prs.get("draft", False))
    prefix = prs.get("branch_prefix", "gitops-bot")
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", prefix) or ".." in prefix:
        raise fail(prs, "branch_prefix", "branch_prefix must be a plain branch name prefix")
    config.branch_prefix = prefix.rstrip("/")

    commands = data.get("commands")
    commands = CommentedMap() if commands is None else commands
    if not isinstance(commands, CommentedMap):
        raise fail(data, "commands", "commands must be a mapping")
    for key in commands:
        if key not in ("permission", "users", "teams"):
            raise fail(commands, key, f"unknown key {key!r} in commands")
    permission = commands.get("permission", "write")
    if permission not in PERMISSIONS[1:]:
        raise fail(commands, "permission", f"permission must be one of {', '.join(PERMISSIONS[1:])}")
    config.permission = permission
    config.users = _names(commands, "users", fail)
    config.teams = _names(commands, "teams", fail)
    if any("/" not in t for t in config.teams):
        raise fail(commands, "teams", "teams are ORG/TEAM slugs")

    recipes = data.get("recipes")
    recipes = CommentedMap() if recipes is None else recipes
    if not isinstance(recipes, CommentedMap):
        raise fail(data, "recipes", "recipes must map a recipe name to parameter defaults")
    for name, defaults in recipes.items():
        if not isinstance(defaults, CommentedMap):
            raise fail(recipes, name, f"recipes.{name} must be a mapping of parameter: default")
        config.recipe_defaults[str(name)] = {str(k): _scalar(v, defaults, k, fail) for k, v in defaults.items()}

    tools = data.get("tools")
    tools = CommentedMap() if tools is None else tools
    if not isinstance(tools, CommentedMap):
        raise fail(data, "tools", "tools must map a tool name to its forms (see the tool catalogue)")
    for name, spec in tools.items():
        def tool_fail(key: str | None, message: str, spec: Any = spec, name: Any = name) -> UserError:
            # `FILE: tool NAME: ...` as the catalogue words it, then where: the line of the field
            # at fault, else of the tool's own entry.
            at_field = key is not None and isinstance(spec, CommentedMap) and key in spec
            line = line_of(spec, key) if at_field else line_of(tools, name)
            return UserError(f"{source}: {message} (at {source}:{line})")

        config.tools[str(name)] = tool_from_spec(str(name), spec, tool_fail)
    return config


def _scalar(value: Any, node: Any, key: Any, fail) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, (dict, list)):
        raise fail(node, key, f"parameter values must be scalars, not {value!r}")
    return str(value)


def _names(node: Any, key: str, fail) -> list[str]:
    value = node.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and _NAME_RE.match(v) for v in value):
        raise fail(node, key, f"{key} must be a list of names")
    return list(value)


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
