"""YAML: a commented-out example command that runs a compose service the edit removes, beside the
same command for another service, goes (corpus: a compose test layer's usage note, `docker compose
... run traceBasedTests` under `... run frontendTests`). Byte-for-byte pairs and look-alikes."""

from __future__ import annotations

import pytest

from gitops_bot.edit import yaml_file
from tests.editors import ctx

SERVICES = ("services:\n  auth-service:\n    image: auth\n\n  video-service:\n    image: video\n")
AFTER_SERVICES = "services:\n  auth-service:\n    image: auth\n"

NOTE = ("# Usage:\n"
        "#   docker compose -f compose.yaml \\\n#     -f compose.tests.yaml run auth-service\n"
        "#   docker compose -f compose.yaml \\\n#     -f compose.tests.yaml run video-service\n\n")


def test_the_example_for_the_removed_service_goes():
    before = NOTE + SERVICES
    after = ("# Usage:\n"
             "#   docker compose -f compose.yaml \\\n#     -f compose.tests.yaml run auth-service\n\n") + AFTER_SERVICES
    assert yaml_file.remove(before, ctx()).text == after
    assert yaml_file.remove(after, ctx()).text == after


STAYS = {
    "a lone example": "# Usage:\n#   docker compose run video-service\n\n",
    "differs in two places": "# docker compose run --rm auth-service\n# docker compose up -d video-service\n\n",
    "a two-word comment": "# auth-service tests\n# video-service tests\n\n",
}


@pytest.mark.parametrize("note", STAYS.values(), ids=STAYS.keys())
def test_other_comments_stay(note):
    assert yaml_file.remove(note + SERVICES, ctx()).text == note + AFTER_SERVICES


def test_a_comment_like_line_inside_a_block_scalar_stays():
    text = ("services:\n  auth-service:\n    image: auth\n    command: |\n"
            "      # run auth-service now\n      # run video-service now\n      start\n"
            "  video-service:\n    image: video\n")
    after = yaml_file.remove(text, ctx()).text
    assert "      # run video-service now\n" in after and "  video-service:" not in after
