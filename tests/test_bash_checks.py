"""`bash -n` runs only where it can tell something: never on a text a run left unchanged, never
twice on one script in a run, and not at all for a Makefile edit that leaves every recipe as
it was (counted processes, not time)."""

from __future__ import annotations

import shutil

import pytest

from gitops_bot.edit import make, shell
from gitops_bot.engine.recipe import find_recipe
from gitops_bot.engine.run import run_recipe
from gitops_bot.parse import bash, cache

from .conftest import EXAMPLE


@pytest.fixture
def checked(monkeypatch):
    """The scripts handed to `bash -n`, in order."""
    scripts: list[str] = []
    real = bash.run_checker

    def run_checker(argv, text):
        scripts.append(text)
        return real(argv, text)

    monkeypatch.setattr(bash, "run_checker", run_checker)
    return scripts


MAKEFILE = "SERVICES = a video-service b\n\nbuild:\n\tfor s in $(SERVICES); do echo $$s; done\n"


def test_a_makefile_edit_that_leaves_the_recipes_alone_starts_no_process(checked):
    new = MAKEFILE.replace(" video-service", "")
    assert make.still_valid(MAKEFILE, new) is None
    assert checked == []


def test_a_makefile_edit_of_a_recipe_checks_the_result_only(checked):
    new = MAKEFILE.replace("; done", "; done\n\techo done")
    assert make.still_valid(MAKEFILE, new) is None
    assert checked == [make.recipe_script(new)]


def test_a_broken_recipe_is_still_caught_and_the_original_checked_once(checked):
    new = MAKEFILE.replace("; done", "")
    assert "bash -n fails on a recipe" in make.still_valid(MAKEFILE, new)
    assert checked == [make.recipe_script(new), make.recipe_script(MAKEFILE)]


def test_in_a_run_one_script_is_checked_once(checked):
    script = "#!/usr/bin/env bash\nfor s in a b; do echo $s; done\n"
    with cache.scope():
        assert shell.bash_syntax(script) is None and shell.bash_syntax(script) is None
        assert shell.still_valid("if true; then\n  echo\nfi\n", "if true; then\n  echo\n") is not None
        assert shell.still_valid("if true; then\n  echo\nfi\n", "if true; then\n  echo\n") is not None
    assert checked == [script, "if true; then\n  echo\n", "if true; then\n  echo\nfi\n"]


def test_remove_service_hands_no_unchanged_text_to_bash_and_no_script_twice(tmp_path, checked):
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    originals = {p.read_text(encoding="utf-8") for p in repo.rglob("*") if p.is_file()
                 and (make.claims(p.name, "") or shell.claims(p.name, p.read_text(encoding="utf-8")))}
    changes = run_recipe(repo, find_recipe("remove-service", repo), {"service": "video-service"})
    results = {f.after for f in changes.files if f.kind in ("make", "shell")}
    assert checked and results, "the example's Makefiles and scripts are edited"
    assert len(checked) == len(set(checked))
    # Only results are checked (an original is checked only when its result fails, and none
    # does here): no original text, or the recipes of an original Makefile, reach bash.
    assert not (originals | {make.recipe_script(text) for text in originals}) & set(checked)
    assert set(checked) <= results | {make.recipe_script(text) for text in results}


def test_a_makefile_is_split_once_per_run(monkeypatch):
    """The editor, the grammar check and the recipe scripts share one split of each text."""
    from gitops_bot.domain.names import service_name
    from gitops_bot.edit.base import RemovalContext

    split: list[str] = []
    real = make._split
    monkeypatch.setattr(make, "_split", lambda text: split.append(text) or real(text))
    with cache.scope():
        result = make.remove(MAKEFILE, RemovalContext(service_name("video-service", frozenset({"video-service"}))))
    assert result.text == MAKEFILE.replace(" video-service", "")
    assert split == [MAKEFILE, result.text]
