"""The `.env` editor: the component's variables go by groups, as the heading comment says whose
they are; another component's settings stay (listed); nothing is left expanding a removed
variable. Before/after pairs byte for byte, no-ops, and a second run that changes nothing."""

from __future__ import annotations

import pytest

from gitops_bot.domain.findings import Kind
from gitops_bot.edit import classify, env_file
from gitops_bot.edit.base import RemovalContext
from gitops_bot.domain.names import service_name

from .editors import dedent


def ctx(name: str) -> RemovalContext:
    return RemovalContext(service_name(name, {"cart", "video", "flagd", "flagd-ui", "agent", "llm"}))


PAIRS = {
    "the component's group goes with its heading and one blank line": ("video", """
        # Cart
        CART_HOST=cart
        CART_PORT=7070

        # Video
        VIDEO_HOST=video
        VIDEO_PORT=8080
        VIDEO_ADDR=${VIDEO_HOST}:${VIDEO_PORT}
        VIDEO_DOCKERFILE=./src/video/Dockerfile

        # Valkey
        VALKEY_PORT=6379
    """, """
        # Cart
        CART_HOST=cart
        CART_PORT=7070

        # Valkey
        VALKEY_PORT=6379
    """),
    "the last group takes the blank line above it": ("video", """
        # Cart
        CART_PORT=7070

        # Video service
        VIDEO_PORT=8080
    """, """
        # Cart
        CART_PORT=7070
    """),
    "a two-line heading naming it, most variables its own": ("llm", """
        # LLM service
        LLM_DOCKERFILE=./src/llm/Dockerfile
        LLM_HOST=llm
        LLM_PORT=8000

        # Mock LLM - to use a real OpenAI API-compatible LLM,
        # configure the .env.override file
        LLM_BASE_URL=http://${LLM_HOST}:${LLM_PORT}/v1
        LLM_MODEL=astronomy-llm
        OPENAI_API_KEY=dummy

        # Valkey
        VALKEY_PORT=6379
    """, """
        # Valkey
        VALKEY_PORT=6379
    """),
    "a section banner above the group stays, with the blank line after the group": ("cart", """
        # ******************
        # Core Demo Services
        # ******************
        # Cart Service
        CART_PORT=7070
        CART_ADDR=cart:${CART_PORT}

        # Checkout Service
        CHECKOUT_PORT=5050
    """, """
        # ******************
        # Core Demo Services
        # ******************
        # Checkout Service
        CHECKOUT_PORT=5050
    """),
    "a heading that names none of its variables: one line each": ("tracetest", """
        # Build Args
        TRACETEST_IMAGE_VERSION=v1.7.1
        OTEL_JAVA_AGENT_VERSION=2.28.1

        # Dependent images
        FLAGD_IMAGE=ghcr.io/open-feature/flagd:v0.14.2
        TRACETEST_IMAGE=kubeshop/tracetest:${TRACETEST_IMAGE_VERSION}
    """, """
        # Build Args
        OTEL_JAVA_AGENT_VERSION=2.28.1

        # Dependent images
        FLAGD_IMAGE=ghcr.io/open-feature/flagd:v0.14.2
    """),
    "a flat file without headings": ("video", """
        CART_ADDR=cart:7070
        VIDEO_ADDR=video:8080
        export VIDEO_TOKEN="s3cret"
        VALKEY_PORT=6379
    """, """
        CART_ADDR=cart:7070
        VALKEY_PORT=6379
    """),
    "another component's group keeps all but the component's address": ("video", """
        # Frontend
        FRONTEND_PORT=8080
        VIDEO_ADDR=video:8080
        FRONTEND_ADDR=frontend:${FRONTEND_PORT}
    """, """
        # Frontend
        FRONTEND_PORT=8080
        FRONTEND_ADDR=frontend:${FRONTEND_PORT}
    """),
    "CRLF line endings and no final newline survive": ("video",
        "# Cart\r\nCART_PORT=7070\r\n\r\n# Video\r\nVIDEO_PORT=8080\r\n\r\n# Valkey\r\nVALKEY_PORT=6379",
        "# Cart\r\nCART_PORT=7070\r\n\r\n# Valkey\r\nVALKEY_PORT=6379"),
}


def _text(t: str) -> str:
    return dedent(t) if t.startswith("\n") else t


@pytest.mark.parametrize("case", PAIRS)
def test_pairs_and_a_second_run_changes_nothing(case):
    name, before, after = PAIRS[case]
    before, after = _text(before), _text(after)
    result = env_file.remove(before, ctx(name))
    assert result.text == after
    assert not result.refused
    assert env_file.remove(after, ctx(name)).text == after  # idempotent
    assert env_file.still_valid(before, after) is None


@pytest.mark.parametrize("text", [
    "# Cart\nCART_PORT=7070\n\n# Valkey\nVALKEY_PORT=6379\n",
    "# the video team owns the next block\nCART_PORT=7070\n",  # prose in a comment is not a variable
    "#VIDEO_PORT=8080\nCART_PORT=7070\n",  # a commented-out line is a comment
    "",
])
def test_noops(text):
    result = env_file.remove(text, ctx("video"))
    assert result.text == text and not result.refused


def test_another_components_settings_stay_and_are_listed():
    """`LLM_MODEL` in the agent's group configures the agent's own LLM client: it stays."""
    text = dedent("""
        # LLM service
        LLM_HOST=llm
        LLM_PORT=8000

        # Agent
        AGENT_PORT=8010
        LLM_BASE_URL=https://local-llm.com
        LLM_MODEL=azure/gpt-5.5
    """)
    result = env_file.remove(text, ctx("llm"))
    assert result.text == dedent("""
        # Agent
        AGENT_PORT=8010
        LLM_BASE_URL=https://local-llm.com
        LLM_MODEL=azure/gpt-5.5
    """)
    assert [(r.line, r.kind) for r in result.refused] == [(7, Kind.KEPT), (8, Kind.KEPT)]
    assert "LLM_BASE_URL is set among another component's variables:" in result.refused[0].reason


def test_a_longer_component_in_the_heading_is_not_the_component():
    """`# Flagd UI` holds flagd-ui's variables, not flagd's, although its heading says `flagd`."""
    text = "# Flagd\nFLAGD_PORT=8013\n\n# Flagd UI\nFLAGD_UI_HOST=flagd-ui\nFLAGD_UI_PORT=4000\n"
    result = env_file.remove(text, RemovalContext(service_name("flagd")))  # flagd-ui not even known
    assert result.text == "# Flagd UI\nFLAGD_UI_HOST=flagd-ui\nFLAGD_UI_PORT=4000\n"
    assert [r.line for r in result.refused] == [5, 6]


def test_a_variable_still_expanding_a_removed_one_keeps_its_definition():
    """`FRONTEND_UPSTREAM=${VIDEO_ADDR}` would be left dangling: the video group stays whole, and
    the refusal says who still uses it."""
    text = dedent("""
        # Video
        VIDEO_HOST=video
        VIDEO_PORT=8080
        VIDEO_ADDR=${VIDEO_HOST}:${VIDEO_PORT}

        # Frontend
        FRONTEND_PORT=8080
        FRONTEND_UPSTREAM=${VIDEO_ADDR}
    """)
    result = env_file.remove(text, ctx("video"))
    assert result.text == text
    assert [(r.line, r.kind) for r in result.refused] == [(4, Kind.KEPT)]
    assert result.refused[0].reason == "FRONTEND_UPSTREAM (line 8) still uses ${VIDEO_ADDR}: rewrite it first"


def test_a_variable_defined_again_elsewhere_is_not_dangling():
    text = "# Video\nVIDEO_MODEL=small\n\n# Agent\nAGENT_PORT=1\nVIDEO_MODEL=large\nAGENT_MODEL=${VIDEO_MODEL}\n"
    result = env_file.remove(text, ctx("video"))
    assert result.text == "# Agent\nAGENT_PORT=1\nVIDEO_MODEL=large\nAGENT_MODEL=${VIDEO_MODEL}\n"
    assert [r.line for r in result.refused] == [6]  # the agent's own VIDEO_MODEL, listed


@pytest.mark.parametrize("text, line", [
    ("VIDEO_PORT=8080\nthis is not an assignment\n", 2),
    ('VIDEO_PORT=8080\nCERT="-----BEGIN\nabc\n-----END"\n', 2),  # a multi-line value
])
def test_a_file_it_cannot_read_is_refused_whole(text, line):
    result = env_file.remove(text, ctx("video"))
    assert result.text == text
    assert [(r.line, r.kind) for r in result.refused] == [(line, Kind.KEPT)]
    assert result.refused[0].reason.startswith("edit refused: ")


def test_still_valid_judges_only_new_problems():
    assert env_file.still_valid("A=1\n", "A=1\nnot an assignment\n") == \
        "line 2 is not NAME=VALUE, a comment or blank"
    assert env_file.still_valid("broken line\nA=1\n", "broken line\n") is None


@pytest.mark.parametrize("path, kind", [(".env", "dotenv"), ("deploy/.env.example", "dotenv"),
                                        ("prod.env", "dotenv"), ("env.yaml", "yaml"), ("environment", "other")])
def test_claims(path, kind):
    assert classify(path, "A=1\n") == kind
