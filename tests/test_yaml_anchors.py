"""YAML anchors, aliases and merge keys under remove-service (issue 12): a map that receives
keys through `<<: *anchor` is edited through its own keys only (merged keys live where the anchor
is defined), and an entry that defines an anchor the rest of the file still uses is refused with
the reason, never removed into an undefined alias."""

from __future__ import annotations

import json

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

SERVICE = "services/video-service/main.go"


def apply(root) -> int:
    return main(["apply", "remove-service", "service=video-service", "--repo", str(root)])


def plan_json(root, capsys) -> dict:
    capsys.readouterr()
    main(["plan", "remove-service", "service=video-service", "--repo", str(root), "--format", "json"])
    return json.loads(capsys.readouterr().out)


MERGED = """defaults: &defaults
  replicas: 1
  description: >
    a folded
    scalar
services:
  auth-service:
    <<: *defaults
    port: 80
  # the video pipeline
  video-service:
    <<: *defaults
    port: 81
"""


def test_a_map_with_merged_keys_and_a_folded_scalar_is_edited_through_its_own_keys(tmp_path, capsys):
    write_tree(tmp_path, {SERVICE: "package main\n", "k8s/values.yaml": MERGED})
    assert apply(tmp_path) == 0
    assert (tmp_path / "k8s/values.yaml").read_text() == MERGED.split("  # the video pipeline\n")[0]
    before = tree_bytes(tmp_path)
    assert apply(tmp_path) == 0  # a second run changes nothing
    assert tree_bytes(tmp_path) == before


ANCHORED_MAP = """services:
  video-service: &common
    image: video
    port: 81
  auth-service:
    <<: *common
    image: auth
"""
ANCHORED_ITEM = """workers:
  - name: video-service
    env: &env
      LOG: debug
  - name: auth-service
    env: *env
"""


def test_an_entry_whose_anchor_is_still_used_is_refused_with_the_reason(tmp_path, capsys):
    write_tree(tmp_path, {SERVICE: "package main\n", "k8s/map.yaml": ANCHORED_MAP, "k8s/list.yaml": ANCHORED_ITEM})
    report = plan_json(tmp_path, capsys)
    assert {(r["path"], r["line"], r["reason"]) for r in report["refused"]} == {
        ("k8s/map.yaml", 2, "it defines the anchor &common, which line 6 still uses (the result would not parse): "
                            "move the anchor to its next user by hand"),
        ("k8s/list.yaml", 2, "it defines the anchor &env, which line 6 still uses (the result would not parse): "
                             "move the anchor to its next user by hand"),
    }
    assert apply(tmp_path) == 1  # refused: a human finishes it
    assert (tmp_path / "k8s/map.yaml").read_text() == ANCHORED_MAP  # left whole, for a human
    assert (tmp_path / "k8s/list.yaml").read_text() == ANCHORED_ITEM


def test_an_anchor_used_only_inside_the_removed_entry_goes_with_it(tmp_path):
    text = ("workers:\n  - name: video-service\n    env: &venv\n      LOG: debug\n    sidecar:\n      env: *venv\n"
            "  - name: auth-service\n    env:\n      LOG: info\n")
    write_tree(tmp_path, {SERVICE: "package main\n", "k8s/list.yaml": text})
    assert apply(tmp_path) == 0
    assert (tmp_path / "k8s/list.yaml").read_text() == "workers:\n  - name: auth-service\n    env:\n      LOG: info\n"


def test_an_ampersand_inside_a_value_is_not_an_anchor(tmp_path):
    text = ("links:\n  video-service: https://example.com/?a=1&b=2\n  auth-service: https://example.com/?x=*b\n")
    write_tree(tmp_path, {SERVICE: "package main\n", "k8s/links.yaml": text})
    assert apply(tmp_path) == 0
    assert (tmp_path / "k8s/links.yaml").read_text() == "links:\n  auth-service: https://example.com/?x=*b\n"
