"""What compose-first application repositories hold of a component outside its own folder, in
YAML: build-matrix `include:` items and dependabot `updates:` entries that point into it (by
name or into a path the run deleted), dependabot groups only those entries named, and compose
`environment:` items. Before/after pairs byte for byte, no-ops, and a second run that changes
nothing."""

from __future__ import annotations

import pytest

from gitops_bot.domain.findings import Kind
from gitops_bot.domain.names import service_name
from gitops_bot.edit import helm, yaml_apps, yaml_file
from gitops_bot.edit.base import RemovalContext

from .editors import dedent


def ctx(name: str, deleted: frozenset[str] = frozenset()) -> RemovalContext:
    return RemovalContext(service_name(name, {"cart", "video", "video-ui", "agent", "llm"}), deleted)


TRACETESTING = frozenset({"test/tracetesting", "test/tracetesting/Dockerfile", "test/tracetesting/run.bash"})

PAIRS = {
    "a build-matrix item whose file is in the component": ("video", frozenset(), """
        jobs:
          build:
            strategy:
              matrix:
                include:
                  - file: ./src/cart/Dockerfile
                    tag_suffix: cart
                    context: ./
                    setup-qemu: true
                  - file: ./src/video/Dockerfile
                    tag_suffix: video
                    context: ./
                    setup-qemu: true
                  - file: ./src/valkey/Dockerfile
                    tag_suffix: valkey
                    context: ./
    """, """
        jobs:
          build:
            strategy:
              matrix:
                include:
                  - file: ./src/cart/Dockerfile
                    tag_suffix: cart
                    context: ./
                    setup-qemu: true
                  - file: ./src/valkey/Dockerfile
                    tag_suffix: valkey
                    context: ./
    """),
    "a build-matrix item whose file is in a folder the run deleted": ("tracetest", TRACETESTING, """
        include:
          - file: ./src/cart/Dockerfile
            tag_suffix: cart
          - file: ./test/tracetesting/Dockerfile
            tag_suffix: traceBasedTests
            context: ./
    """, """
        include:
          - file: ./src/cart/Dockerfile
            tag_suffix: cart
    """),
    "dependabot entries by directory and directories, and the group only they named": ("llm", frozenset(), """
        version: 2
        multi-ecosystem-groups:
          src-cart:
            schedule:
              interval: "weekly"
          src-llm:
            schedule:
              interval: "weekly"
        updates:
          - package-ecosystem: "docker"
            directory: "/src/llm"
            multi-ecosystem-group: "src-llm"
          - package-ecosystem: "pip"  # a comment on the entry
            directories:
              - "/src/llm/**"
            patterns:
              - "*"
            multi-ecosystem-group: "src-llm"
          - package-ecosystem: "gomod"
            directory: "/src/cart"
            multi-ecosystem-group: "src-cart"
    """, """
        version: 2
        multi-ecosystem-groups:
          src-cart:
            schedule:
              interval: "weekly"
        updates:
          - package-ecosystem: "gomod"
            directory: "/src/cart"
            multi-ecosystem-group: "src-cart"
    """),
    "a dependabot entry in a deleted folder, with its own groups": ("tracetest", TRACETESTING, """
        updates:
          - package-ecosystem: "docker"
            directory: "/test/tracetesting"
            groups:
              test-docker-base-images:
                patterns:
                  - "*"
          - package-ecosystem: "gomod"
            directory: "/src/cart"
    """, """
        updates:
          - package-ecosystem: "gomod"
            directory: "/src/cart"
    """),
    "compose services built from a deleted folder or named for it, and what depends on them": (
        "tracetest", TRACETESTING, """
        services:
          # Frontend Tests
          frontendTests:
            build:
              context: ./
              dockerfile: ./src/frontend/Dockerfile.cypress
            depends_on:
              - frontend
              - tracetest-server

          traceBasedTests:
            build:
              context: ./
              dockerfile: ./test/tracetesting/Dockerfile
            depends_on:
              tracetest-server:
                condition: service_healthy

          tracetest-server:
            image: ${TRACETEST_IMAGE}
            depends_on:
              tracetest-postgres:
                condition: service_healthy

          tracetest-postgres:
            image: ${POSTGRES_IMAGE}

          checks:
            build: test/tracetesting
            depends_on:
              frontendTests:
                condition: service_started
              traceBasedTests:
                condition: service_started
    """, """
        services:
          # Frontend Tests
          frontendTests:
            build:
              context: ./
              dockerfile: ./src/frontend/Dockerfile.cypress
            depends_on:
              - frontend
    """),
    "the component's address leaves another service's environment list": ("video", frozenset(), """
        services:
          frontend:
            environment:
              - CART_ADDR
              - VIDEO_ADDR
              - VIDEO_PORT=8080
              - OTEL_SERVICE_NAME=frontend
    """, """
        services:
          frontend:
            environment:
              - CART_ADDR
              - OTEL_SERVICE_NAME=frontend
    """),
}


@pytest.mark.parametrize("case", PAIRS)
def test_pairs_and_a_second_run_changes_nothing(case):
    name, deleted, before, after = PAIRS[case]
    before, after = dedent(before), dedent(after)
    result = yaml_file.remove(before, ctx(name, deleted))
    assert result.text == after
    assert not result.refused
    assert yaml_file.remove(after, ctx(name, deleted)).text == after


@pytest.mark.parametrize("name, text", [
    ("video", "include:\n  - file: ./src/cart/Dockerfile\n    context: ./src/video\n"),  # context is not what it builds
    ("video", "updates:\n  - package-ecosystem: gomod\n    directory: /\n"),
    ("video", "steps:\n  - name: Build the images\n    with:\n      file: ./src/video/Dockerfile\n"),  # a named step
    ("llm", "multi-ecosystem-groups:\n  src-llm:\n    schedule: {interval: weekly}\nupdates:\n"
            "  - package-ecosystem: pip\n    directory: /src/agent\n    multi-ecosystem-group: src-llm\n"),
    ("video", "services:\n  frontend:\n    environment:\n      - CART_ADDR\n      - LOG_LEVEL=debug\n"),
    # a longer known component (flagd-ui for flagd) is not the component's
    ("video", "services:\n  video-ui:\n    build: ./src/video-ui\n  cart:\n    depends_on: [video-ui]\n"),
    # a build whose folder is a variable is not known to be the component's
    ("video", "services:\n  worker:\n    build:\n      context: ./\n      dockerfile: ${WORKER_DOCKERFILE}\n"),
])
def test_noops(name, text):
    result = yaml_file.remove(text, ctx(name))
    assert result.text == text and not result.refused


def test_a_path_outside_deleted_folders_is_not_theirs():
    """A folder is the component's only when the run deleted it whole: `test/` still holds other
    tests, so `directory: /test` stays."""
    text = "updates:\n  - package-ecosystem: docker\n    directory: /test\n  - package-ecosystem: gomod\n" \
           "    directory: /test/tracetesting-other\n"
    assert yaml_file.remove(text, ctx("tracetest", TRACETESTING)).text == text


def test_every_group_named_only_by_removed_entries_takes_the_map():
    text = dedent("""
        version: 2
        multi-ecosystem-groups:
          src-llm:
            schedule:
              interval: "weekly"
        updates:
          - package-ecosystem: "pip"
            directory: "/src/llm"
            multi-ecosystem-group: "src-llm"
          - package-ecosystem: "gomod"
            directory: "/src/cart"
    """)
    result = yaml_file.remove(text, ctx("llm"))
    assert result.text == dedent("""
        version: 2
        updates:
          - package-ecosystem: "gomod"
            directory: "/src/cart"
    """)
    assert yaml_file.remove(result.text, ctx("llm")).text == result.text


def test_another_services_settings_in_its_environment_stay_listed():
    """The agent reads `LLM_MODEL` and `LLM_BASE_URL` for its own LLM client (not the llm
    service's address), and `UPSTREAM=${VIDEO_ADDR}` would lose its value: kept and listed."""
    text = dedent("""
        services:
          agent:
            environment:
              - LLM_BASE_URL
              - LLM_MODEL
              - LLM_HOST
              - UPSTREAM=http://${LLM_ADDR}/v1
    """)
    result = yaml_file.remove(text, ctx("llm"))
    assert result.text == text.replace("      - LLM_HOST\n", "")
    assert [(r.line, r.kind) for r in result.refused] == [(4, Kind.KEPT), (5, Kind.KEPT), (7, Kind.KEPT)]
    assert result.refused[1].reason == "this service still reads LLM_MODEL: check whether it still needs it"
    assert result.refused[2].reason == "UPSTREAM uses ${LLM_ADDR}, the removed service's address: rewrite it"


@pytest.mark.parametrize("before, after", [
    ("a:\n  x: 1\n\nvideoService:\n  p: 1\n\nvideo-service:\n  p: 2\n", "a:\n  x: 1\n"),  # no trailing blank left
    ("a:\n  x: 1\n\nvideoService:\n  p: 1\n\nvideo-service:\n  p: 2\n\nb: 1\n", "a:\n  x: 1\n\nb: 1\n"),
])
def test_blank_separated_entries_removed_together_keep_one_separator(before, after):
    result = yaml_file.remove(before, RemovalContext(service_name("video-service")))
    assert result.text == after


def test_a_values_files_services_map_is_not_a_compose_file():
    """`services:` in Helm values holds settings, not containers: an entry whose `build:` lies
    in a deleted folder is not taken for a compose service there."""
    values = "replicaCount: 1\nservices:\n  worker:\n    build: ./test/tracetesting\n  auth:\n    enabled: true\n"
    assert yaml_file.remove(values, ctx("tracetest", TRACETESTING)).text == values
    compose = "services:\n  worker:\n    build: ./test/tracetesting\n  auth:\n    image: auth:1\n"
    assert yaml_file.remove(compose, ctx("tracetest", TRACETESTING)).text == "services:\n  auth:\n    image: auth:1\n"


@pytest.mark.parametrize("doc, compose", [
    ({"services": {"a": {"image": "a:1"}}, "volumes": {}, "x-logging": {}}, True),
    ({"services": {"a": {"build": "./a"}}}, True),
    ({"services": {"a": {"image": {"repository": "a"}}}}, False),  # a Helm image map
    ({"replicaCount": 1, "services": {"a": {"image": "a:1"}}}, False),  # not a compose key
    ({"services": ["a"]}, False),
])
def test_what_is_a_compose_document(doc, compose):
    assert yaml_apps.is_compose(doc) is compose


def test_an_environment_list_of_other_words_keeps_the_general_rules():
    text = "environment:\n  - ./src/video/env.conf\n  - ./src/cart/env.conf\n"
    assert yaml_file.remove(text, ctx("video")).text == "environment:\n  - ./src/cart/env.conf\n"


def test_a_workflow_with_expressions_points_into_deleted_folders_too():
    """`${{ ... }}` makes a workflow a template for the Helm editor, which plans with the same
    YAML rules: a matrix item building from a deleted folder goes there too."""
    before = dedent("""
        jobs:
          build:
            strategy:
              matrix:
                file_tag:
                  - file: ./src/cart/Dockerfile
                    tag_suffix: cart
                  - file: ./test/tracetesting/Dockerfile
                    tag_suffix: traceBasedTests
            steps:
              - run: echo ${{ matrix.file_tag.tag_suffix }}
    """)
    result = helm.remove(before, ctx("tracetest", TRACETESTING))
    assert result.text == before.replace("          - file: ./test/tracetesting/Dockerfile\n"
                                         "            tag_suffix: traceBasedTests\n", "")
    assert helm.remove(result.text, ctx("tracetest", TRACETESTING)).text == result.text
