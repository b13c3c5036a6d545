"""Markdown: a command of a shell code block that repeats another command of the block for the
service (the same words, but where it names the service) goes whole, with a blank line that
separated it (corpus: a `gcloud projects add-iam-policy-binding ... --role roles/<x>.agent` per
product, one of them the removed one's). Byte-for-byte pairs, look-alikes that stay, and a
second run that changes nothing."""

from __future__ import annotations

import pytest

from gitops_bot.edit import markdown
from tests.editors import ctx, dedent

GRANT = ('gcloud projects add-iam-policy-binding ${PROJECT_ID} \\\n'
         '  --member "serviceAccount:${GSA}@${PROJECT_ID}.iam.gserviceaccount.com" \\\n'
         '  --role roles/{role}\n')


def grant(role: str) -> str:
    return GRANT.replace("{role}", role)


PAIRS = {
    "the block's last command, with the blank line above it": (
        "Grant the roles:\n```bash\n" + grant("auth-service.agent") + "  \n" + grant("video-service.agent") + "```\n",
        "Grant the roles:\n```bash\n" + grant("auth-service.agent") + "```\n",
    ),
    "a command between two others, with one of its blank lines": (
        "```sh\n" + grant("auth-service.agent") + "\n" + grant("video-service.agent") + "\n"
        + grant("board-service.agent") + "```\n",
        "```sh\n" + grant("auth-service.agent") + "\n" + grant("board-service.agent") + "```\n",
    ),
    "one kubectl apply of several, one per component": (
        "```sh\nkubectl apply -k apps/video-service/overlays/dev\n"
        "kubectl apply -k apps/board-service/overlays/dev\n```\n",
        "```sh\nkubectl apply -k apps/board-service/overlays/dev\n```\n",
    ),
    "one-line commands": (
        dedent("""
        ```
        gcloud services enable auth-service.googleapis.com
        gcloud services enable video-service.googleapis.com
        gcloud services enable board-service.googleapis.com
        ```
        """),
        dedent("""
        ```
        gcloud services enable auth-service.googleapis.com
        gcloud services enable board-service.googleapis.com
        ```
        """),
    ),
}

NOOPS = {
    "no other command of its shape": "```bash\n" + grant("video-service.agent") + "\nkubectl get pods\n```\n",
    "another command differs where it does not name the service": (
        "```bash\n" + grant("auth-service.agent").replace("${GSA}", "${OTHER}") + "\n"
        + grant("video-service.agent") + "```\n"
    ),
    "the other differs in another part of the word too": (
        "```bash\n" + grant("auth-service.viewer") + "\n" + grant("video-service.agent") + "```\n"
    ),
    "a stateful builtin": "```bash\ncd auth-service\ncd video-service\nmake\n```\n",
    "a path into another structure": (
        "```sh\nkubectl apply -k ../../common/knative/serving/overlays/gateways\n"
        "kubectl apply -k ../../common/video-service/gateway/base\n```\n"
    ),
    "not a shell block": "```yaml\n- role: roles/auth-service.viewer\n- role: roles/video-service.agent\n```\n",
    "every command names the service": (
        "```bash\ngcloud services enable video-service.googleapis.com\n"
        "gcloud services disable video-service.googleapis.com\n```\n"
    ),
}


@pytest.mark.parametrize("before,after", PAIRS.values(), ids=PAIRS.keys())
def test_pairs(before, after):
    result = markdown.remove(before, ctx())
    assert result.text == after
    assert markdown.remove(result.text, ctx()).text == result.text  # a second run changes nothing


@pytest.mark.parametrize("text", NOOPS.values(), ids=NOOPS.keys())
def test_look_alikes_stay(text):
    assert markdown.remove(text, ctx()).text == text
