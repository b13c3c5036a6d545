"""A GitHub workflow that exists only to run a make target the run removed (its jobs check the
code out and run `make build && make video-tests`) goes whole, as a human deletes it (corpus: the
integration-tests workflow of a removed trace-based test suite). A workflow that also does
anything else, or that other workflows call, stays and its call is refused and listed."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

BASE = {
    "services/video/Dockerfile": "FROM scratch\n",
    "services/cart/Dockerfile": "FROM scratch\n",
    "Makefile": (".PHONY: build video-tests cart-tests\n\nbuild:\n\tdocker compose build\n\n"
                 "video-tests:\n\tdocker compose run --rm video\n\n"
                 "cart-tests:\n\tdocker compose run --rm cart\n"),
}
MAKEFILE_AFTER = (".PHONY: build cart-tests\n\nbuild:\n\tdocker compose build\n\n"
                  "cart-tests:\n\tdocker compose run --rm cart\n")

ONLY_RUNS = """\
name: Video tests
on:
  pull_request_review:
    types: [submitted]
jobs:
  run_tests:
    runs-on: ubuntu-latest
    if: github.event.review.state == 'APPROVED'
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-go@v5
      - name: Run the video tests
        run: |
          # build first
          make build && docker system prune -f && make video-tests
"""


def test_a_workflow_that_only_runs_the_removed_target_goes(tmp_path, capsys):
    write_tree(tmp_path, {**BASE, ".github/workflows/integration.yml": ONLY_RUNS})
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == {"Makefile": MAKEFILE_AFTER.encode(),
                                    "services/cart/Dockerfile": b"FROM scratch\n"}
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path)["Makefile"] == MAKEFILE_AFTER.encode()


STAYS = {
    "another step of its own": ONLY_RUNS + "      - uses: actions/upload-artifact@v4\n",
    "another job": ONLY_RUNS + "  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n",
    "a run step that does not call it": ONLY_RUNS + "      - run: make cart-tests\n",
    "reusable": ONLY_RUNS.replace("on:\n  pull_request_review:\n    types: [submitted]\n", "on: [workflow_call]\n"),
    "the call commented out only": ONLY_RUNS.replace("make build && docker system prune -f && make video-tests",
                                                     "make build").replace("# build first", "# make video-tests"),
}


@pytest.mark.parametrize("workflow", STAYS.values(), ids=STAYS.keys())
def test_a_workflow_that_does_more_stays(tmp_path, capsys, workflow):
    write_tree(tmp_path, {**BASE, ".github/workflows/integration.yml": workflow})
    capsys.readouterr()
    main(["plan", "remove-service", "service=video", "--repo", str(tmp_path), "--format", "json"])
    refused = {(r["path"], r["reason"]) for r in json.loads(capsys.readouterr().out)["refused"]}
    if "video-tests" in workflow.split("steps:", 1)[1].replace("# make video-tests", ""):
        assert (".github/workflows/integration.yml",
                "runs make target video-tests, which the run removed: remove or replace the call") in refused
    main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)])
    assert tree_bytes(tmp_path)[".github/workflows/integration.yml"] == workflow.encode()
