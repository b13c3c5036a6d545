"""The JSON Schemas of `.gitops-bot.yaml` and recipe files (gitops_bot/data/schemas/) are the one
validator of their shape: the loaders use them, and so does `gitops-bot config validate`. Every
kind of problem names the file and the line; the schemas themselves are valid JSON Schemas, the
built-in recipes and the example monorepo's configuration pass them, and jsonschema is imported
only when a file is validated."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from gitops_bot.cli import main
from gitops_bot.domain.config import parse_config
from gitops_bot.domain.schema import SCHEMAS, schema_text
from gitops_bot.engine.recipe import builtin_recipes, parse_recipe, recipe_problems
from gitops_bot.errors import UserError

from .conftest import EXAMPLE

CONFIG_ERRORS = [
    # (file text, the whole message: FILE:LINE: ...)
    ("- a\n", "c.yaml:1: the configuration must be a mapping, not a list"),
    ("schedule: []\ncolour: red\n",
     "c.yaml:2: unknown key 'colour' (known: commands, pull_requests, recipes, schedule, tools)"),
    ("pull_requests:\n  labels: [a]\n  colour: red\n",
     "c.yaml:3: unknown key 'colour' in pull_requests (known: branch_prefix, commit, draft, labels, reviewers)"),
    ("schedule: 3\n", "c.yaml:1: schedule must be a list of {recipe, params}, not a number"),
    ("schedule:\n  - recipe: a\n  - params: {x: 1}\n", "c.yaml:3: each schedule entry needs `recipe: NAME`"),
    ("schedule:\n  - recipe: a\n    params:\n      x: [1]\n", "c.yaml:4: parameter values must be scalars, not a list"),
    ("schedule:\n  - recipe: a\n    when: daily\n",
     "c.yaml:3: unknown key 'when' in schedule item 1 (known: params, recipe)"),
    ("pull_requests:\n  draft: 'yes'\n", "c.yaml:2: draft must be true or false, not a string"),
    ("pull_requests:\n  branch_prefix: a/../b\n", "c.yaml:2: branch_prefix must be a plain branch name prefix"),
    ("pull_requests:\n  commit: svn\n", "c.yaml:2: commit must be git or api"),
    ("pull_requests:\n  reviewers:\n    - alice\n    - 'bob smith'\n", "c.yaml:4: reviewers must be a list of names"),
    ("pull_requests:\n  labels: [\"a\\tb\"]\n",
     "c.yaml:2: labels must be a list of label names (1-50 characters, no control characters)"),
    ("commands:\n  permission: god\n", "c.yaml:2: permission must be one of read, triage, write, maintain, admin"),
    ("commands:\n  teams: [acme]\n", "c.yaml:2: teams must be a list of ORG/TEAM slugs"),
    ("recipes:\n  set-version: 3\n", "c.yaml:2: recipes.set-version must be a mapping of name: value, not a number"),
    ("recipes:\n  set-version:\n    tool: [a]\n", "c.yaml:3: parameter values must be scalars, not a list"),
    ("tools: [valkey]\n", "c.yaml:1: tools must map a tool name to its forms (see the tool catalogue), not a list"),
    ("schedule: [\n", "c.yaml:2: not valid YAML: expected the node content, but found '<stream end>'"),
    ("x: " + "[" * 3000 + "]" * 3000 + "\n", "c.yaml:1: not valid YAML: nested too deeply to parse"),
    ("schedule: []\n---\nschedule: []\n", "c.yaml:1: one YAML document expected, found 2"),
]


@pytest.mark.parametrize("text, message", CONFIG_ERRORS)
def test_each_kind_of_config_error_names_file_and_line(text, message):
    with pytest.raises(UserError) as raised:
        parse_config(text, "c.yaml")
    assert raised.value.message == message


def test_a_valid_config_is_read_whole():
    config = parse_config("schedule:\n  - recipe: pin-versions\n  - recipe: set-version\n"
                          "    params: {tool: istio, version: 1.28.2, dry: true}\n"
                          "pull_requests:\n  labels: [gitops, good first issue]\n  reviewers: [alice]\n"
                          "  draft: true\n  branch_prefix: bots/gitops/\n  commit: api\n"
                          "commands:\n  permission: maintain\n  users: [alice]\n  teams: [acme/platform]\n"
                          "recipes:\n  config-to-params:\n    values: deploy/{env}.yaml\n    replicas: 2\n"
                          "tools: {}\n")
    assert [(i.recipe, i.params, i.line) for i in config.schedule] == [
        ("pin-versions", {}, 2), ("set-version", {"tool": "istio", "version": "1.28.2", "dry": "true"}, 3)]
    assert (config.labels, config.reviewers, config.draft, config.branch_prefix, config.commit) == (
        ["gitops", "good first issue"], ["alice"], True, "bots/gitops", "api")
    assert (config.permission, config.users, config.teams) == ("maintain", ["alice"], ["acme/platform"])
    assert config.recipe_defaults == {"config-to-params": {"values": "deploy/{env}.yaml", "replicas": "2"}}


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n", "schedule:\npull_requests:\n"])
def test_an_empty_config_gives_the_defaults(text):
    config = parse_config(text, "c.yaml")
    assert (config.schedule, config.labels, config.commit, config.permission) == ([], [], None, "write")


def test_the_example_monorepo_config_is_valid(capsys):
    assert main(["config", "validate", "--repo", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out == ".gitops-bot.yaml: ok (config)\n"
    parse_config((EXAMPLE / ".gitops-bot.yaml").read_text())


RECIPE_ERRORS = [
    ("[]\n", "r.yaml:1: a recipe must be a mapping, not a list"),
    ("name: r\nsteps: [{op: delete_paths, name: x}]\n", "r.yaml:1: recipe needs 'description'"),
    ("name: R\ndescription: d\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:1: recipe name must be lower-case words joined by '-'"),
    ("name: r\ndescription: d\nauthor: me\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:3: unknown key 'author' (known: description, name, parameters, steps, title)"),
    ("name: r\ndescription: d\nsteps: []\n", "r.yaml:3: recipe has no steps"),
    ("name: r\ndescription: d\nsteps: {op: delete_paths}\n", "r.yaml:3: steps must be a list, not a mapping"),
    ("name: r\ndescription: d\nsteps:\n  - name: x\n", "r.yaml:4: step 1 needs an 'op'"),
    ("name: r\ndescription: d\nsteps:\n  - delete_paths\n",
     "r.yaml:4: each step must be a mapping with an 'op', not a string"),
    ("name: r\ndescription: d\nsteps:\n  - op: delete_paths\n    name: x\n  - op: [a]\n",
     "r.yaml:6: step 2: op must be a single value, not a list"),
    ("name: r\ndescription: d\nsteps:\n  - op: delete_paths\n    name: {a: 1}\n",
     "r.yaml:5: step 1: name must be a single value, not a mapping"),
    ("name: r\ndescription: d\nparameters: [a]\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:3: parameters must be a mapping of name: spec, not a list"),
    ("name: r\ndescription: d\nparameters:\n  s: 3\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:4: parameter s must be a mapping, not a number"),
    ("name: r\ndescription: d\nparameters:\n  s:\n    descripton: x\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:5: unknown key 'descripton' in parameter s (known: default, description, pattern, positional, "
     "required)"),
    ("name: r\ndescription: d\nparameters:\n  s:\n    required: maybe\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:5: parameter s: required must be true or false, not a string"),
    ("name: r\ndescription: d\nparameters:\n  a b: {}\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:4: parameter names are letters, digits and _: 'a b'"),
    # what only code knows, with the line too
    ("name: r\ndescription: d\nsteps:\n  - op: delete_paths\n    name: x\n  - op: explode\n",
     "r.yaml:6: step 2: unknown operation 'explode' (known: add_pod_annotation, allow_source, check_references, "
     "delete_paths, list_companions, mesh_mode, move_values_to_params, pin_versions, remove_references, set_param, "
     "set_value, set_version)"),
    ("name: r\ndescription: d\nsteps:\n  - op: delete_paths\n    name: x\n    nmae: x\n",
     "r.yaml:4: step 1 (delete_paths) has no argument nmae (arguments: name, paths)"),
    ("name: r\ndescription: d\nsteps:\n  - op: delete_paths\n    name: '{who}'\n",
     "r.yaml:5: step 1 uses unknown parameter {who}"),
    ("name: r\ndescription: d\nparameters:\n  s:\n    pattern: '('\nsteps: [{op: delete_paths, name: x}]\n",
     "r.yaml:5: parameter s: bad pattern: missing ), unterminated subpattern at position 0"),
]


@pytest.mark.parametrize("text, message", RECIPE_ERRORS)
def test_each_kind_of_recipe_error_names_file_and_line(text, message):
    with pytest.raises(UserError) as raised:
        parse_recipe(text, "r.yaml")
    assert raised.value.message == message
    assert recipe_problems(text, "r.yaml") == [message]


def test_the_schemas_are_valid_json_schemas_and_the_built_ins_pass_them():
    for name in SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(json.loads(schema_text(name)))
    files = sorted((f for f in resources.files("gitops_bot.recipes").iterdir() if f.name.endswith(".yaml")),
                   key=lambda f: f.name)
    assert len(files) == len(builtin_recipes()) > 0
    assert [recipe_problems(f.read_text(), f.name, builtin=True) for f in files] == [[] for _ in files]
    # a built-in is found by its file's name (find_recipe reads that one only)
    assert [f.name for f in files] == [f"{name}.yaml" for name in sorted(builtin_recipes())]


def test_config_validate_lists_every_problem_of_every_file(tmp_path, capsys):
    (tmp_path / ".gitops-bot.yaml").write_text("pull_requests:\n  colour: red\n  draft: maybe\n")
    recipes = tmp_path / ".gitops-bot" / "recipes"
    recipes.mkdir(parents=True)
    (recipes / "a.yaml").write_text("name: a\ndescription: d\nsteps:\n  - op: delete_paths\n    name: x\n")
    (recipes / "b.yaml").write_text("name: remove-service\ndescription: d\nsteps:\n  - op: delete_paths\n"
                                    "    name: x\n")
    assert main(["config", "validate", "--repo", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (
        ".gitops-bot.yaml: 2 problems (config)\n"
        ".gitops-bot/recipes/a.yaml: ok (recipe)\n"
        ".gitops-bot/recipes/b.yaml: 1 problem (recipe)\n"
        ".gitops-bot.yaml:2: unknown key 'colour' in pull_requests (known: branch_prefix, commit, draft, labels, "
        "reviewers)\n"
        ".gitops-bot.yaml:3: draft must be true or false, not a string\n"
        ".gitops-bot/recipes/b.yaml:1: recipe 'remove-service' would shadow a built-in recipe\n")


def test_config_validate_a_named_file_and_the_catalogue_checks(tmp_path, capsys):
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "bot.yaml").write_text("tools:\n  valkey:\n    images: valkey/valkey\n")
    assert main(["config", "validate", "--repo", str(tmp_path), "ci/bot.yaml"]) == 1
    assert capsys.readouterr().out == ("ci/bot.yaml: 1 problem (config)\n"
                                       "ci/bot.yaml: tool valkey: images must be a list of strings "
                                       "(at ci/bot.yaml:3)\n")
    (tmp_path / "r.yaml").write_text("name: r\ndescription: d\nsteps: []\n")
    assert main(["config", "validate", "--repo", str(tmp_path), "--kind", "recipe", "r.yaml"]) == 1
    assert capsys.readouterr().out == "r.yaml: 1 problem (recipe)\nr.yaml:3: recipe has no steps\n"


def test_config_validate_bad_input_and_nothing_to_do(tmp_path, capsys):
    assert main(["config", "validate", "--repo", str(tmp_path), "missing.yaml"]) == 2
    assert capsys.readouterr().err == f"gitops-bot: error: missing.yaml: no such file in {tmp_path}\n"
    assert main(["config", "validate", "--repo", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("nothing to validate: no .gitops-bot.yaml")
    (tmp_path / ".gitops-bot.yaml").write_bytes(b"\xff\xfe")
    assert main(["config", "validate", "--repo", str(tmp_path)]) == 1
    assert capsys.readouterr().out == ".gitops-bot.yaml: 1 problem (config)\n.gitops-bot.yaml: not UTF-8 text\n"


def test_config_schema_prints_the_shipped_schema(capsys):
    assert main(["config", "schema", "recipe"]) == 0
    assert json.loads(capsys.readouterr().out)["title"].startswith("gitops-bot recipe")


def test_help_and_a_recipe_free_command_do_not_import_jsonschema():
    code = ("import sys, contextlib, io\nfrom gitops_bot.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "print('jsonschema' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent)
    assert out.stdout == "False\n"


def test_a_run_on_a_repository_without_configuration_does_not_import_jsonschema(tmp_path):
    """The built-in recipes are held to their schema here, in the tests; a run that reads no
    file of the user's to validate does not pay for the validator."""
    (tmp_path / "values.yaml").write_text("image:\n  tag: 1.0.0\n")
    code = ("import sys, contextlib, io\nfrom gitops_bot.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['plan', 'remove-service', 'service=video-service', '--repo', {str(tmp_path)!r}])\n"
            "print('jsonschema' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent)
    assert out.stdout.splitlines()[-1] == "False", out.stderr
