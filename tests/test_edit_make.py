"""Makefile editor: variable lists, rules, for-loops, recipe lines, verification."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gitops_bot.cli import main
from gitops_bot.edit import make

from .conftest import tree_bytes, write_tree
from .editors import ctx, dedent

PAIRS = {
    "word in a list and on a continuation line": (
        "A = auth-service video-service board-service\n"
        "B = auth-service \\\n\tvideo-service \\\n\tboard-service\n",
        "A = auth-service board-service\n"
        "B = auth-service \\\n\tboard-service\n"),
    "only word on the first line of a continued list": (
        "B = video-service \\\n\tauth-service\n",
        "B = \\\n\tauth-service\n"),
    "only word on the last line of a continued list": (
        "B = auth-service \\\n\tboard-service \\\n\tvideo-service\nC = 1\n",
        "B = auth-service \\\n\tboard-service\nC = 1\n"),
    "last two lines of a continued list": (
        "B = auth-service \\\n\tvideo-service-a \\\n\tvideo-service\n",
        "B = auth-service\n"),
    "first word of a list": (
        "A := video-service auth-service\n",
        "A := auth-service\n"),
    "own rules, phony line and section comment": (
        """
        ##@ auth-service
        .PHONY: auth-service-build
        auth-service-build:
        \tdocker build services/auth-service

        ##@ video-service
        .PHONY: video-service-build video-service-all
        video-service-build:
        \tdocker build services/video-service
        video-service-all: video-service-build

        all: auth-service-build video-service-build
        """,
        """
        ##@ auth-service
        .PHONY: auth-service-build
        auth-service-build:
        \tdocker build services/auth-service

        all: auth-service-build
        """),
    "for loop and a recipe line with its echo header": (
        """
        build:
        \t@echo "==> go build video-service"
        \tcd services/video-service && go build ./...
        \t@for s in auth-service video-service; do \\
        \t\techo $$s; \\
        \tdone
        """,
        """
        build:
        \t@for s in auth-service; do \\
        \t\techo $$s; \\
        \tdone
        """),
}


@pytest.mark.parametrize("name", PAIRS)
def test_pairs(name):
    before, after = (dedent(t) if t.startswith("\n") else t for t in PAIRS[name])
    assert make.remove(before, ctx()).text == after
    assert make.remove(after, ctx()).text == after


def test_shared_rule_is_refused():
    text = "auth-service-build video-service-build:\n\tdocker build .\n"
    result = make.remove(text, ctx())
    assert result.text == text
    assert "shared by several targets" in result.refused[0].reason


def test_recipe_line_naming_other_services_is_refused():
    text = "up:\n\tdocker compose up auth-service video-service\n"
    result = make.remove(text, ctx())
    assert result.text == text
    assert "other services" in result.refused[0].reason


def test_list_left_empty_is_refused():
    text = "A = video-service\n"
    result = make.remove(text, ctx())
    assert result.text == text
    assert "empty" in result.refused[0].reason


def test_verification_catches_a_broken_recipe():
    old = "a:\n\tif true; then \\\n\t  echo x; \\\n\tfi\n"
    new = "a:\n\tif true; then \\\n\t  echo x; \\\n"
    assert make.still_valid(old, old) is None
    assert "bash -n" in make.still_valid(old, new)


def test_verification_catches_an_orphaned_recipe():
    assert "recipe commences before first target" in make.still_valid("a:\n\techo a\n", "\techo a\n")


def test_noop():
    text = "include makefiles/x.mk\nA ?= 1\nall:\n\techo $(A)\n"
    assert make.remove(text, ctx()).text == text


def test_define_bodies_are_never_edited():
    text = "define HELP\nvideo-service-build: builds\nA = video-service auth-service\nendef\nB = video-service auth\n"
    assert make.remove(text, ctx()).text == \
        "define HELP\nvideo-service-build: builds\nA = video-service auth-service\nendef\nB = auth\n"


def test_an_include_of_a_deleted_makefile_goes(tmp_path):
    files = {
        "services/video-service/main.go": "package main\n",
        "makefiles/video-service.mk": "video-build:\n\tgo build ./services/video-service\n",
        "makefiles/recordings.mk": "recordings:\n\techo rec\n",  # not the service's: its include stays
        "makefiles/common.mk": "common:\n\techo ok\n",
        "Makefile": "include makefiles/video-service.mk\ninclude makefiles/common.mk\n"
                    "-include makefiles/common.mk makefiles/recordings.mk\n\nall: common\n",
    }
    write_tree(tmp_path, files)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / "Makefile").read_text() == ("include makefiles/common.mk\n-include makefiles/common.mk "
                                                   "makefiles/recordings.mk\n\nall: common\n")
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before


def test_the_words_of_an_include_that_are_deleted_files_go():
    context = replace(ctx(), deleted_paths=frozenset({"mk/old.mk"}), path="Makefile")
    result = make.remove("include mk/a.mk mk/old.mk\nsinclude $(DIR)/old.mk\n", context)
    assert result.text == "include mk/a.mk\nsinclude $(DIR)/old.mk\n"
