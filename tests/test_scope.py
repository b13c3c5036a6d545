"""`paths=`: a removal limited to the files some globs cover (a component removed from one
deployment only, as a human removing it from the compose files alone). The globs are checked
before anything changes: a malformed one, or one that matches no file, is exit 2 with one line."""

from __future__ import annotations

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.scope import parse_scope
from gitops_bot.errors import UserError

from .conftest import tree_bytes, write_tree

FILES = ["deploy/compose/docker-compose.yml", "deploy/compose/README.md", "deploy/k8s/zipkin-dep.yaml",
         "deploy/k8s/app.yaml", "docs/a/b/compose.yml"]


@pytest.mark.parametrize(("globs", "inside", "outside"), [
    ("deploy/compose/**", ["deploy/compose/docker-compose.yml", "deploy/compose/README.md"], ["deploy/k8s/app.yaml"]),
    ("deploy/compose", ["deploy/compose/README.md"], ["deploy/compose-x/a", "deploy/k8s/app.yaml"]),
    ("deploy/compose/", ["deploy/compose/README.md"], ["deploy/k8s/app.yaml"]),
    ("deploy/*/zipkin-*.yaml", ["deploy/k8s/zipkin-dep.yaml"], ["deploy/k8s/app.yaml", "deploy/a/b/zipkin-x.yaml"]),
    ("**/compose.yml", ["docs/a/b/compose.yml"], ["deploy/compose/docker-compose.yml"]),
    ("deploy/k8s/[az]pp.yaml", ["deploy/k8s/app.yaml"], ["deploy/k8s/bpp.yaml"]),
    ("deploy/k8s/[!z]*.yaml", ["deploy/k8s/app.yaml"], ["deploy/k8s/zipkin-dep.yaml"]),
    ("deploy/k8s/app.yam?, docs/**", ["deploy/k8s/app.yaml", "docs/a/b/compose.yml"], ["deploy/compose/README.md"]),
    # exclusions: alone they take everything else; beside inclusions, they cut into them
    ("!deploy/k8s", ["deploy/compose/README.md", "docs/a/b/compose.yml"], ["deploy/k8s/app.yaml", "deploy/k8s"]),
    ("deploy/**,!deploy/*/zipkin-*", ["deploy/k8s/app.yaml", "deploy/compose/README.md"],
     ["deploy/k8s/zipkin-dep.yaml", "docs/a/b/compose.yml"]),
    # a folder holding an excluded file is not wholly in scope (nothing deletes it whole)
    ("!deploy/k8s/zipkin-dep.yaml", ["deploy/k8s/app.yaml", "deploy/compose"], ["deploy/k8s", "deploy", ""]),
])
def test_globs_cover_the_paths_a_user_means(globs, inside, outside):
    scope = parse_scope(globs, FILES)
    assert [p for p in inside if not scope.matches(p)] == []
    assert [p for p in outside if scope.matches(p)] == []


@pytest.mark.parametrize(("globs", "problem"), [
    ("deploy/nowhere/**", "'deploy/nowhere/**' matches no file in the repository"),
    ("deploy/compose/**,", "an empty glob"),
    ("/deploy/compose", "is absolute"),
    ("deploy/../etc", "has a '..' segment"),
    ("deploy/[ab", "has an unclosed '['"),
    ("deploy/[]", "is not a glob"),
    ("!deploy/nowhere", "'!deploy/nowhere' matches no file in the repository"),
    ("deploy/**,!", "excludes nothing"),
])
def test_a_bad_glob_is_one_clear_line(globs, problem):
    with pytest.raises(UserError) as caught:
        parse_scope(globs, FILES)
    assert problem in str(caught.value) and "\n" not in str(caught.value)


COMPOSE = ("services:\n  front-end:\n    image: front-end\n    environment:\n      - ZIPKIN=http://zipkin:9411\n"
           "      - PORT=80\n\n  zipkin:\n    image: openzipkin/zipkin\n")
K8S = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: front-end\nspec:\n  template:\n    spec:\n"
       "      containers:\n        - name: front-end\n          env:\n            - name: ZIPKIN\n"
       "              value: http://zipkin:9411\n            - name: PORT\n              value: \"80\"\n")
BEFORE = {
    "deploy/docker-compose/docker-compose.yml": COMPOSE,
    "deploy/kubernetes/front-end-dep.yaml": K8S,
    "deploy/kubernetes/zipkin-dep.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: zipkin\n",
}


def test_a_scoped_removal_changes_only_the_files_in_scope(tmp_path, capsys):
    write_tree(tmp_path, BEFORE)
    args = ["apply", "remove-service", "service=zipkin", "paths=deploy/docker-compose/**", "--repo", str(tmp_path)]
    assert main(args) == 0
    after = dict(BEFORE)
    after["deploy/docker-compose/docker-compose.yml"] = (
        "services:\n  front-end:\n    image: front-end\n    environment:\n      - PORT=80\n")
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
    capsys.readouterr()
    assert main(args) == 0  # a second run changes nothing
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
    # the residue speaks of the scope only: the Kubernetes files are not the run's
    assert "deploy/kubernetes" not in capsys.readouterr().out


def test_without_a_scope_the_whole_tree_is_the_run_s(tmp_path):
    write_tree(tmp_path, BEFORE)
    assert main(["apply", "remove-service", "service=zipkin", "--repo", str(tmp_path)]) == 0
    assert not (tmp_path / "deploy/kubernetes/zipkin-dep.yaml").exists()
    assert "ZIPKIN" not in (tmp_path / "deploy/kubernetes/front-end-dep.yaml").read_text()


def test_a_scope_that_matches_nothing_stops_before_anything_is_written(tmp_path, capsys):
    write_tree(tmp_path, BEFORE)
    code = main(["apply", "remove-service", "service=zipkin", "paths=deploy/compose/**", "--repo", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'deploy/compose/**' matches no file in the repository" in err
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in BEFORE.items()}


def test_a_scope_with_characters_outside_the_grammar_is_refused_by_the_recipe(tmp_path, capsys):
    write_tree(tmp_path, BEFORE)
    assert main(["plan", "remove-service", "service=zipkin", "paths=deploy/$(x)", "--repo", str(tmp_path)]) == 2
    assert "paths=" in capsys.readouterr().err


def test_a_comment_command_scopes_by_folder():
    from gitops_bot.delivery.comments import parse, resolve_params
    from gitops_bot.engine.recipe import builtin_recipes

    recipe = builtin_recipes()["remove-service"]
    command = parse("/gitops-bot remove-service zipkin paths=deploy/docker-compose")
    assert recipe.check_params(resolve_params(command, recipe)) == {
        "service": "zipkin", "paths": "deploy/docker-compose"}


def test_set_version_leaves_the_excluded_folders_as_they_are(tmp_path):
    """A team bumping its clusters except the patterns it pins on purpose (eks-blueprints left two
    patterns at 1.29 when it moved the rest to 1.30): `paths=!patterns/a,!patterns/b`."""
    files = {f"patterns/{name}/main.tf": 'module "eks" {\n  cluster_version = "1.29"\n}\n'
             for name in ("karpenter", "ipv6", "multi-tenancy", "hub-spoke")}
    write_tree(tmp_path, files)
    assert main(["apply", "set-version", "tool=kubernetes", "version=1.30",
                 "paths=!patterns/multi-tenancy,!patterns/hub-spoke/**", "--repo", str(tmp_path)]) == 0
    after = {p: t.replace("1.29", "1.30") if ("karpenter" in p or "ipv6" in p) else t for p, t in files.items()}
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
