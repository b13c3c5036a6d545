"""Two components of one name, told apart by a `paths=` scope, and the pictures of a removed
documentation page. Constructed trees, compared whole; a second run changes nothing."""

from __future__ import annotations

import json

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

PNG = "\x89PNG-not-really\n"

TWINS = {
    "legacy/stacks/kafka-lab/main.tf": "locals {}\n",
    "legacy/stacks/kafka-lab/install.sh": "#!/bin/sh\nterraform apply\n",
    "stacks/kafka-lab/main.tf": "locals {}\n",
    "stacks/kafka-lab/install.sh": "#!/bin/sh\nterraform apply\n",
    "site/docs/legacy/kafka-lab.md": (
        "# Kafka lab\n\nDeploy [the stack](../../../legacy/stacks/kafka-lab).\n\n"
        "![pods](img/kafka-pods.png)\n\n<img src=\"img/kafka-ui.png\" width=\"600\">\n\n"
        "![overview](img/overview.png)\n\n![logo](https://example.invalid/logo.png)\n"
    ),
    "site/docs/legacy/img/kafka-pods.png": PNG,
    "site/docs/legacy/img/kafka-ui.png": PNG,
    "site/docs/legacy/img/overview.png": PNG,
    "site/docs/legacy/spark.md": "# Spark\n\n![overview](img/overview.png)\n",
    "site/docs/stacks/kafka-lab/index.md": "# Kafka lab\n\nDeploy [the stack](../../../../stacks/kafka-lab).\n",
}


def _run(root, *params, command="apply"):
    return main([command, "remove-service", "service=kafka-lab", *params, "--repo", str(root)])


def test_without_a_scope_two_components_of_one_name_are_kept(tmp_path, capsys):
    write_tree(tmp_path, TWINS)
    before = tree_bytes(tmp_path)
    capsys.readouterr()
    # 1: the page's heading section is the whole page, which is refused (it is not deleted)
    assert _run(tmp_path, "--format", "json", command="plan") == 1
    residue = {f["path"]: f["reason"] for f in json.loads(capsys.readouterr().out)["residue"] if f["line"] == 0}
    assert residue["legacy/stacks/kafka-lab/"].endswith("delete the one you mean by hand, or limit the run to "
                                                        "it with paths=")
    _run(tmp_path)
    assert tree_bytes(tmp_path) == before


def test_a_scope_that_holds_one_of_them_removes_it_with_its_page_and_the_pictures_only_it_shows(tmp_path):
    write_tree(tmp_path, TWINS)
    scope = "paths=legacy/stacks/kafka-lab,site/docs/legacy"
    assert _run(tmp_path, scope) == 0
    gone = {"legacy/stacks/kafka-lab/main.tf", "legacy/stacks/kafka-lab/install.sh", "site/docs/legacy/kafka-lab.md",
            "site/docs/legacy/img/kafka-pods.png", "site/docs/legacy/img/kafka-ui.png"}
    # overview.png stays: another page shows it; the other kafka-lab and its docs are outside the scope
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in TWINS.items() if p not in gone}
    after = tree_bytes(tmp_path)
    assert _run(tmp_path, scope) == 2  # the scope's folder is gone: a glob that matches no file
    assert tree_bytes(tmp_path) == after


def test_a_picture_another_file_names_stays(tmp_path):
    files = {
        "services/video/main.go": "package main\n",
        "services/video/Dockerfile": "FROM scratch\n",
        "services/cart/Dockerfile": "FROM scratch\n",
        "docs/video.md": "# Video\n\n![flow](img/flow.png)\n\n![rooms](img/rooms.png)\n",
        "docs/img/flow.png": PNG,
        "docs/img/rooms.png": PNG,
        "docs/sidebar.yaml": "images:\n  - img/rooms.png\n",
    }
    write_tree(tmp_path, files)
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    gone = {"services/video/main.go", "services/video/Dockerfile", "docs/video.md", "docs/img/flow.png"}
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in files.items() if p not in gone}
