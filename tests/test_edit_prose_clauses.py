"""Words about a removed component inside prose that stays (edit/prose.py; issue 12: the
corpus humans drop `and intended replacement for icloudpd`, `previously used by volsync`, a
trailing `Used in conjunction with volsync.`, the `/ KFServing` of a heading and a comment line
recording where a file was ported from): byte-for-byte pairs, look-alikes that stay, and a second
run that changes nothing. Written from scratch with a made-up component, livekit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gitops_bot.edit import markdown, yaml_file
from tests.editors import ctx

MARKDOWN_PAIRS = {
    "relation clause after and": (
        "[jitsi](https://example.invalid) is a fast meeting server and intended replacement for livekit\n",
        "[jitsi](https://example.invalid) is a fast meeting server\n",
    ),
    "appositive relation clause at the sentence's end": (
        "Rooms run on Jitsi, a successor to LiveKit.\n",
        "Rooms run on Jitsi.\n",
    ),
    "participle phrase with previously": (
        "Backups use the same flat-dir pattern previously used by `livekit`.\n",
        "Backups use the same flat-dir pattern.\n",
    ),
    "short gerund clause ending in the participle phrase": (
        "Managed through ResourceSets, mirroring the pattern previously used for LiveKit.\n",
        "Managed through ResourceSets.\n",
    ),
    "participle phrase before a colon": (
        "Use the same backup/restore workflow documented previously for LiveKit:\n\n1. Stop it.\n",
        "Use the same backup/restore workflow:\n\n1. Stop it.\n",
    ),
    "short trailing sentence": (
        "[snap](https://example.invalid): watches snapshots on a CSI endpoint.  Used in conjunction with livekit.\n",
        "[snap](https://example.invalid): watches snapshots on a CSI endpoint.\n",
    ),
    "heading alternative last": (
        "#### Jitsi / LiveKit\n\nJitsi rooms.\n",
        "#### Jitsi\n\nJitsi rooms.\n",
    ),
    "heading alternative first": (
        "## LiveKit/Jitsi\n\nRooms.\n",
        "## Jitsi\n\nRooms.\n",
    ),
}

MARKDOWN_NOOPS = {
    "relation clause as the predicate": "Jitsi is an alternative to LiveKit.\n",
    "relation clause inside the sentence": "Jitsi, a successor to LiveKit, is faster.\n",
    "participle after an auxiliary": "It was previously used by LiveKit.\n",
    "participle without previously": "The pattern used by LiveKit.\n",
    "the first sentence": "Used in conjunction with livekit.\n",
    "trailing sentence naming another": "Rooms. Works together with Jitsi and livekit.\n",
    "trailing sentence too long": "Rooms. It is what we have always used across all of the rooms with livekit.\n",
    "trailing sentence with a link": "Rooms. Used with [livekit](https://example.invalid).\n",
    "heading anchor linked": "## Jitsi / LiveKit\n\nSee [rooms](#jitsi--livekit).\n",
    "heading alternative that is more than the name": "## Jitsi / LiveKit rooms\n\nRooms.\n",
    "heading without alternatives": "## Rooms for LiveKit users\n\nRooms.\n",
    "inside a code fence": "```\nserver and intended replacement for livekit\n```\n",
    "another component's replacement": "Jitsi is fast and intended replacement for coturn\n",
}


@pytest.mark.parametrize("case", sorted(MARKDOWN_PAIRS))
def test_markdown_prose_pair_and_second_run(case):
    before, after = MARKDOWN_PAIRS[case]
    result = markdown.remove(before, ctx("livekit"))
    assert result.text == after
    assert not result.refused
    assert markdown.remove(after, ctx("livekit")).text == after


@pytest.mark.parametrize("case", sorted(MARKDOWN_NOOPS))
def test_markdown_prose_noop(case):
    text = MARKDOWN_NOOPS[case]
    assert markdown.remove(text, ctx("livekit")).text == text


def test_a_changelog_keeps_its_relation_clauses():
    text = "- Add Jitsi, a replacement for LiveKit.\n"
    assert markdown.remove(text, replace(ctx("livekit"), path="docs/changelog.md")).text == text


CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rooms\ndata:\n  size: \"3\"\n"


def test_a_comment_line_recording_the_components_history_goes():
    before = ("---\n# yaml-language-server: $schema=https://example.invalid/schema.json\n"
              "# Rooms for every team.\n# Ported 1:1 from the retired livekit-rooms provider; same fields.\n"
              "# Fields with defaults:\n#   - size: 3\n" + CONFIG)
    after = ("---\n# yaml-language-server: $schema=https://example.invalid/schema.json\n"
             "# Rooms for every team.\n# Fields with defaults:\n#   - size: 3\n" + CONFIG)
    result = yaml_file.remove(before, ctx("livekit"))
    assert result.text == after and not result.refused
    assert yaml_file.remove(after, ctx("livekit")).text == after


@pytest.mark.parametrize("comment", [
    "# Rooms are served by livekit.\n",                                # no history: the residue lists it
    "# Ported from the retired livekit\n# provider, with the same fields.\n",  # a sentence over two lines
    "# Rooms for every team, ported from\n# the retired livekit provider.\n",  # the end of a longer sentence
    "# Ported from the retired coturn provider.\n",                    # another component's history
])
def test_comment_look_alikes_stay(comment):
    text = comment + CONFIG
    assert yaml_file.remove(text, ctx("livekit")).text == text


def test_a_history_line_inside_a_block_scalar_is_data():
    text = CONFIG + "  notes: |\n    # Ported from the retired livekit provider.\n    keep me\n"
    assert yaml_file.remove(text, ctx("livekit")).text == text
