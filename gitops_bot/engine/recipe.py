"""Declarative recipes: load and validate recipe files, check parameters, render steps.

A recipe is YAML:

    name: remove-service
    description: One line shown by `gitops-bot recipes`.
    title: remove {service}             # optional: PR title and commit subject
    parameters:
      service:
        description: What the parameter means.
        pattern: '^[a-z][a-z0-9-]*$'   # full match required
        required: true                  # or give a default
        positional: true                # the main parameter (used by comment commands)
    steps:
      - op: delete_paths                # a name from gitops_bot.ops.OPERATIONS
        name: "{service}"               # arguments; {param} is replaced by the value

Built-in recipes live in the top-level recipes/ folder (installed as gitops_bot.recipes); a
repository may add its own in `.gitops-bot/recipes/`, which may not shadow a built-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

from gitops_bot.errors import UNKNOWN_RECIPE, UserError

REPO_RECIPES_DIR = ".gitops-bot/recipes"
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str = ""
    pattern: str = r".+"
    required: bool = True
    default: str | None = None
    positional: bool = False


@dataclass(frozen=True)
class Step:
    op: str
    args: dict[str, str]


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    parameters: tuple[Parameter, ...]
    steps: tuple[Step, ...]
    source: str = "built-in"
    title: str = ""

    @property
    def positional(self) -> str | None:
        """The name of the parameter a bare word gives (CLI and comment commands), if any."""
        return next((p.name for p in self.parameters if p.positional), None)

    def render_title(self, params: Mapping[str, str]) -> str:
        """The PR title and commit subject: the recipe's `title` template, or its name and
        parameter values."""
        if self.title:
            return " ".join(_PLACEHOLDER_RE.sub(lambda m: params.get(m.group(1), ""), self.title).split())
        return " ".join([self.name, *params.values()])

    def check_params(self, given: Mapping[str, str],
                     repo_defaults: Mapping[str, str] | None = None) -> dict[str, str]:
        """The full parameter set (the repository's defaults from `.gitops-bot.yaml`, then the
        recipe's, filled in); UserError on a missing, unknown or malformed parameter."""
        known = {p.name: p for p in self.parameters}
        for key in given:
            if key not in known:
                raise UserError(f"recipe {self.name} has no parameter {key!r} "
                                f"(parameters: {', '.join(known) or 'none'})")
        values: dict[str, str] = {}
        for key in repo_defaults or {}:
            if key not in known:
                raise UserError(f".gitops-bot.yaml: recipes.{self.name} has no parameter {key!r}")
        for p in self.parameters:
            if p.name in given:
                value = given[p.name]
            elif repo_defaults and p.name in repo_defaults:
                value = _PLACEHOLDER_RE.sub(lambda m: given.get(m.group(1), m.group(0)), repo_defaults[p.name])
            elif p.default is not None:
                # Defaults may name other parameters: values: k8s/helm/environments/{env}.yaml
                value = _PLACEHOLDER_RE.sub(lambda m: given.get(m.group(1), m.group(0)), p.default)
            elif p.required:
                raise UserError(f"recipe {self.name} needs parameter {p.name}= ({p.description})")
            else:
                continue
            if not re.fullmatch(p.pattern, value):
                raise UserError(f"parameter {p.name}={value!r} does not match {p.pattern}")
            values[p.name] = value
        return values

    def rendered_steps(self, params: Mapping[str, str]) -> list[Step]:
        def render(value: str) -> str:
            return _PLACEHOLDER_RE.sub(lambda m: params.get(m.group(1), ""), value)
        return [Step(s.op, {k: render(v) for k, v in s.args.items()}) for s in self.steps]


def parse_recipe(text: str, source: str) -> Recipe:
    """Build a Recipe from YAML text; UserError naming `source` when it is malformed."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from gitops_bot.ops import OPERATIONS

    try:
        data = YAML(typ="safe").load(text)  # libyaml-backed where ruamel.yaml.clib is (4x faster)
    except YAMLError as exc:
        raise UserError(f"{source}: recipe is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise UserError(f"{source}: a recipe must be a mapping")
    for key in ("name", "description", "steps"):
        if key not in data:
            raise UserError(f"{source}: recipe needs {key!r}")
    unknown = set(data) - {"name", "description", "title", "parameters", "steps"}
    if unknown:
        raise UserError(f"{source}: unknown recipe keys: {', '.join(sorted(unknown))}")
    # Every field is a scalar: a list or map here (e.g. an alias bomb) is refused before str()
    # could expand it.
    for key in ("name", "description", "title"):
        _scalar(source, key, data.get(key, ""))
    name = str(data["name"])
    if not _NAME_RE.match(name):
        raise UserError(f"{source}: recipe name {name!r} must be lower-case words joined by '-'")
    if not isinstance(data.get("parameters") or {}, dict):
        raise UserError(f"{source}: parameters must be a mapping of name: spec")
    if not isinstance(data["steps"] or [], list):
        raise UserError(f"{source}: steps must be a list")
    params = tuple(_parameter(source, k, v) for k, v in (data.get("parameters") or {}).items())
    steps = []
    for i, raw in enumerate(data["steps"] or []):
        if not isinstance(raw, dict) or "op" not in raw:
            raise UserError(f"{source}: step {i + 1} needs an 'op'")
        op = _scalar(source, f"step {i + 1}: op", raw["op"])
        if op not in OPERATIONS:
            raise UserError(f"{source}: step {i + 1}: unknown operation {op!r} "
                            f"(known: {', '.join(sorted(OPERATIONS))})")
        args = {k: str(_scalar(source, f"step {i + 1}: {k}", v)) for k, v in raw.items() if k != "op"}
        problem = OPERATIONS[op].check_args(args)
        if problem:
            raise UserError(f"{source}: step {i + 1} ({op}) {problem}")
        for value in args.values():
            for ref in _PLACEHOLDER_RE.findall(value):
                if ref not in {p.name for p in params}:
                    raise UserError(f"{source}: step {i + 1} uses unknown parameter {{{ref}}}")
        steps.append(Step(op, args))
    if not steps:
        raise UserError(f"{source}: recipe has no steps")
    return Recipe(name, str(data["description"]).strip(), params, tuple(steps), source,
                  str(data.get("title") or ""))


def _scalar(source: str, where: str, value: Any) -> Any:
    """`value` when it is a string, number or boolean; UserError naming the field otherwise."""
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise UserError(f"{source}: {where} must be a single value, not a {type(value).__name__}")
    return value


def _parameter(source: str, name: str, spec: Any) -> Parameter:
    if not isinstance(spec, dict):
        raise UserError(f"{source}: parameter {name} must be a mapping")
    for key, value in spec.items():
        _scalar(source, f"parameter {name}: {key}", value)
    pattern = str(spec.get("pattern", r".+"))
    try:
        re.compile(pattern)
    except re.error as exc:
        raise UserError(f"{source}: parameter {name}: bad pattern: {exc}") from exc
    default = spec.get("default")
    return Parameter(name, str(spec.get("description", "")), pattern,
                     bool(spec.get("required", default is None)),
                     None if default is None else str(default), bool(spec.get("positional", False)))


@lru_cache(maxsize=1)
def builtin_recipes() -> dict[str, Recipe]:
    """The recipes shipped with gitops-bot (parsed once per process; do not mutate)."""
    found = {}
    for entry in sorted(resources.files("gitops_bot.recipes").iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            recipe = parse_recipe(entry.read_text(encoding="utf-8"), f"recipes/{entry.name}")
            found[recipe.name] = recipe
    return found


def available_recipes(repo: Path | None = None) -> dict[str, Recipe]:
    """Built-in recipes plus the repository's own (`.gitops-bot/recipes/*.yaml`)."""
    recipes = dict(builtin_recipes())
    from gitops_bot.domain.worktree import inside, read_text_inside

    folder = inside(repo, REPO_RECIPES_DIR) if repo else None
    if folder and folder.is_dir():
        for path in sorted(folder.glob("*.y*ml")):
            source = f"{REPO_RECIPES_DIR}/{path.name}"
            recipe = parse_recipe(read_text_inside(repo, source), source)
            if recipe.name in recipes:
                raise UserError(f"{recipe.source}: recipe {recipe.name!r} would shadow a built-in recipe")
            recipes[recipe.name] = recipe
    return recipes


def find_recipe(name: str, repo: Path | None = None) -> Recipe:
    recipes = available_recipes(repo)
    if name not in recipes:
        import difflib

        close = difflib.get_close_matches(name, list(recipes), n=2, cutoff=0.6)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise UserError(f"unknown recipe {name!r}{hint} (available: {', '.join(sorted(recipes))})",
                        kind=UNKNOWN_RECIPE)
    return recipes[name]


def parse_params(items: Sequence[str], positional: str | None = None) -> dict[str, str]:
    """`key=value` words into a dict; one bare word is the value of the recipe's `positional`
    parameter (`remove-service video-service`, as comment commands take it); UserError on
    anything else."""
    params: dict[str, str] = {}
    bare = [item for item in items if "=" not in item]
    if positional and len(bare) == 1 and not any(item.startswith(f"{positional}=") for item in items):
        params[positional] = bare[0]
        items = [item for item in items if item is not bare[0]]
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            hint = f" (one bare word is taken as {positional}=)" if positional else ""
            raise UserError(f"parameter {item!r} is not key=value{hint}")
        if key in params:
            raise UserError(f"parameter {key!r} given twice")
        params[key] = value
    return params
