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

Built-in recipes live in gitops_bot/recipes/ (package data of gitops_bot.recipes); a
repository may add its own in `.gitops-bot/recipes/`, which may not shadow a built-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

from gitops_bot.errors import UNKNOWN_RECIPE, UserError, did_you_mean

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


def parse_recipe(text: str, source: str, positions: bool = True, validate: bool = True) -> Recipe:
    """Build a Recipe from YAML text; UserError `source:line: ...` when it is malformed.

    The shape is checked by the recipe JSON Schema (data/schemas/recipe.schema.json, through
    domain/schema.py); what only code knows is checked here, with the line too: each step's
    operation is in the registry and takes its arguments, placeholders name parameters, and
    patterns compile. Without `positions` the file is read faster and messages say line 1;
    without `validate` (the built-ins, which the tests hold to the schema) the schema is not
    loaded at all: jsonschema's import and the validation are a tenth of a short run."""
    from gitops_bot.domain import schema
    from gitops_bot.ops import OPERATIONS

    data = schema.load_yaml(text, source, positions)
    if validate:
        schema.check("recipe", data, source, describe=_describe, root="recipe")

    def fail(path: tuple, message: str) -> UserError:
        return UserError(f"{source}:{schema.line_of(data, path)}: {message}")

    params = []
    for name, spec in (data.get("parameters") or {}).items():
        pattern = str(spec.get("pattern", r".+"))
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail(("parameters", name, "pattern"), f"parameter {name}: bad pattern: {exc}") from exc
        default = spec.get("default")
        params.append(Parameter(str(name), str(spec.get("description") or ""), pattern,
                                bool(spec.get("required", default is None)),
                                None if default is None else str(default), bool(spec.get("positional", False))))
    names = {p.name for p in params}
    steps = []
    for i, raw in enumerate(data["steps"]):
        op = str(raw["op"])
        if op not in OPERATIONS:
            raise fail(("steps", i, "op"), f"step {i + 1}: unknown operation {op!r} "
                                           f"(known: {', '.join(sorted(OPERATIONS))})")
        args = {str(k): str(v) for k, v in raw.items() if k != "op"}
        problem = OPERATIONS[op].check_args(args)
        if problem:
            raise fail(("steps", i), f"step {i + 1} ({op}) {problem}")
        for key, value in args.items():
            for ref in _PLACEHOLDER_RE.findall(value):
                if ref not in names:
                    raise fail(("steps", i, key), f"step {i + 1} uses unknown parameter {{{ref}}}")
        steps.append(Step(op, args))
    return Recipe(str(data["name"]), str(data["description"]).strip(), tuple(params), tuple(steps), source,
                  str(data.get("title") or ""))


def _describe(path: tuple) -> str:
    """A place in a recipe as its messages name it: `step 2`, `parameter service`."""
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        return f"step {path[1] + 1}"
    if len(path) >= 2 and path[0] == "parameters":
        return f"parameter {path[1]}"
    return ""


def recipe_problems(text: str, source: str, builtin: bool = False) -> list[str]:
    """Every problem of a recipe file, `source:line: message` each, for `gitops-bot config
    validate`: all of the schema's, else the first that only code finds (an unknown operation or
    argument, a placeholder naming no parameter, a bad pattern, a repository recipe named like a
    built-in one)."""
    from gitops_bot.domain import schema

    data = schema.load_yaml(text, source)
    found = [p.format(source) for p in schema.problems("recipe", data, describe=_describe, root="recipe")]
    if found:
        return found
    try:
        recipe = parse_recipe(text, source)
    except UserError as exc:
        return [exc.message]
    if not builtin and recipe.name in _builtin_files():
        return [f"{source}:{schema.line_of(data, ('name',))}: recipe {recipe.name!r} would shadow a built-in recipe"]
    return []


@lru_cache(maxsize=1)
def _builtin_files() -> dict[str, "resources.abc.Traversable"]:
    """The built-in recipe files by recipe name: a built-in's file is named for its recipe
    (test_schema.py holds them to it), so one recipe is found without reading the others."""
    return {entry.name.rsplit(".", 1)[0]: entry
            for entry in sorted(resources.files("gitops_bot.recipes").iterdir(), key=lambda e: e.name)
            if entry.name.endswith((".yaml", ".yml"))}


@lru_cache(maxsize=None)
def builtin_recipe(name: str) -> Recipe | None:
    """The built-in recipe `name` (parsed once per process; do not mutate), or None."""
    entry = _builtin_files().get(name)
    if entry is None:
        return None
    # Without line positions: the built-ins pass the schema in the tests (test_schema.py), and
    # the plain loader reads them in a third of the time.
    return parse_recipe(entry.read_text(encoding="utf-8"), f"recipes/{entry.name}", positions=False, validate=False)


def builtin_recipes() -> dict[str, Recipe]:
    """The recipes shipped with gitops-bot (parsed once per process; do not mutate)."""
    return {name: recipe for name in _builtin_files() if (recipe := builtin_recipe(name)) is not None}


def _repo_recipes(repo: Path | None) -> dict[str, Recipe]:
    """The repository's own recipes (`.gitops-bot/recipes/*.yaml`); none may shadow a built-in."""
    from gitops_bot.domain.worktree import inside, read_text_inside

    recipes: dict[str, Recipe] = {}
    folder = inside(repo, REPO_RECIPES_DIR) if repo else None
    if folder and folder.is_dir():
        for path in sorted(folder.glob("*.y*ml")):
            source = f"{REPO_RECIPES_DIR}/{path.name}"
            recipe = parse_recipe(read_text_inside(repo, source), source)
            if recipe.name in _builtin_files() or recipe.name in recipes:
                raise UserError(f"{recipe.source}: recipe {recipe.name!r} would shadow a built-in recipe")
            recipes[recipe.name] = recipe
    return recipes


def available_recipes(repo: Path | None = None) -> dict[str, Recipe]:
    """Built-in recipes plus the repository's own (`.gitops-bot/recipes/*.yaml`)."""
    return {**builtin_recipes(), **_repo_recipes(repo)}


def find_recipe(name: str, repo: Path | None = None) -> Recipe:
    """The recipe `name`: the repository's own or a built-in (only that one is read)."""
    own = _repo_recipes(repo)
    recipe = own.get(name) or builtin_recipe(name)
    if recipe is None:
        names = sorted({*_builtin_files(), *own})
        raise UserError(f"unknown recipe {name!r}{did_you_mean(name, names, n=2)} "
                        f"(available: {', '.join(names)})", kind=UNKNOWN_RECIPE)
    return recipe


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
