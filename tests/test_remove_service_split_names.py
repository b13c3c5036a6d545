"""remove-service for constructs of compose-first demo repositories whose components are written
as one word (`featureflagservice`) and apart (`FEATURE_FLAG_SERVICE_PORT`, `# Feature Flag
service`), with Envoy front proxies and ignore files: the name's split learnt from the
repository, Envoy routes and clusters, ignore-file patterns into deleted folders. Before/after
byte for byte, no-op look-alikes, and second runs that change nothing."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.names import learn_split, service_name
from gitops_bot.edit import classify, ignore_file, removal_kind, yaml_file
from gitops_bot.edit.base import RemovalContext

from .conftest import tree_bytes, write_tree
from .editors import dedent


# -- a name written as one word -----------------------------------------------------------
def test_the_split_is_learnt_from_the_texts_that_write_the_name_apart():
    texts = ["FLAGSERVICE_PORT=1\nFEATURE_FLAG_SERVICE_PORT=8081\n", "container_name: feature-flag-service\n",
             "featureflagservice:\n  image: x\n"]
    assert learn_split("featureflagservice", texts) == ("feature", "flag", "service")
    assert learn_split("featureflagservice", ["featureflagservice: {}\n"]) == ()  # never written apart
    assert learn_split("video-service", texts) == ()  # a name with words has its split already


def test_a_split_name_matches_every_spelling_and_its_short_form():
    name = service_name("featureflagservice", {"frontend", "cartservice"}, ("feature", "flag", "service"))
    assert name.identifies("featureflagservice") and name.identifies("feature-flag-service")
    assert name.identifies("featureflag")  # the short form, as `video` of `video-service`
    assert name.addresses("FEATURE_FLAG_SERVICE_PORT") and name.addresses("featureflagservice")
    assert name.owns("FEATURE_FLAG_SERVICE_HOST") and name.owns("featureflagservice-build")
    assert name.names_in_comment("  # Feature Flag service")
    assert name.mentions("FEATURE_FLAG_SERVICE_ADDR=featureflagservice:8081")
    assert name.labels("pod_identity_feature_flag_service")
    # look-alikes: other words, another order, another component
    assert not name.addresses("FEATURE_FLAG_GRPC_SERVICE_PORT") and not name.identifies("flag-feature")
    assert not name.owns("cartservice") and not name.addresses("FEATURE_PORT")
    # without a split the one-word name still matches the spellings that run its words together
    plain = service_name("featureflagservice")
    assert plain.identifies("FeatureFlagService") and plain.addresses("FEATURE_FLAG_SERVICE_URL")
    assert not plain.identifies("featureflag")  # no short form is known


def test_a_compose_repository_that_writes_the_name_apart_loses_every_spelling(tmp_path, capsys):
    before = {
        "src/featureflagservice/Dockerfile": "FROM elixir:1.15\n",
        ".env": ("# Frontend\nFRONTEND_PORT=8080\n\n"
                 "# Feature Flag Service\nFEATURE_FLAG_SERVICE_PORT=8081\n"
                 "FEATURE_FLAG_SERVICE_HOST=feature-flag-service\n"),
        "compose.yaml": ("services:\n"
                         "  # Feature Flag service\n"
                         "  featureflagservice:\n    container_name: feature-flag-service\n"
                         "    build:\n      dockerfile: ./src/featureflagservice/Dockerfile\n\n"
                         "  # Frontend proxy\n"
                         "  frontendproxy:\n    image: envoy\n    environment:\n"
                         "      - FRONTEND_PORT\n      - FEATURE_FLAG_SERVICE_PORT\n"
                         "      - FEATURE_FLAG_SERVICE_HOST\n"),
    }
    after = {
        ".env": "# Frontend\nFRONTEND_PORT=8080\n",
        "compose.yaml": ("services:\n"
                         "  # Frontend proxy\n"
                         "  frontendproxy:\n    image: envoy\n    environment:\n"
                         "      - FRONTEND_PORT\n"),
    }
    write_tree(tmp_path, before)
    assert main(["apply", "remove-service", "service=featureflagservice", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
    assert main(["apply", "remove-service", "service=featureflagservice", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
    capsys.readouterr()


# -- Envoy: a route to the component's cluster goes with the cluster ----------------------
ENVOY_BEFORE = """
    static_resources:
      listeners:
        - name: main
          filter_chains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    route_config:
                      virtual_hosts:
                        - name: frontend
                          routes:
                            - match: { prefix: "/video" }
                              route: { cluster: video, prefix_rewrite: "/" }
                            - match: { prefix: "/" }
                              route: { cluster: frontend }
      clusters:
        - name: frontend
          type: STRICT_DNS
          load_assignment:
            cluster_name: frontend
        - name: video
          type: STRICT_DNS
          load_assignment:
            cluster_name: video
            endpoints:
              - lb_endpoints:
                  - endpoint:
                      address:
                        socket_address:
                          address: ${VIDEO_HOST}
                          port_value: ${VIDEO_PORT}
"""
ENVOY_AFTER = """
    static_resources:
      listeners:
        - name: main
          filter_chains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    route_config:
                      virtual_hosts:
                        - name: frontend
                          routes:
                            - match: { prefix: "/" }
                              route: { cluster: frontend }
      clusters:
        - name: frontend
          type: STRICT_DNS
          load_assignment:
            cluster_name: frontend
"""


def _ctx(name: str, deleted: frozenset[str] = frozenset(), path: str = "") -> RemovalContext:
    return RemovalContext(service_name(name, {"frontend", "cart", "video-ui"}), deleted, path=path)


def test_an_envoy_route_to_the_components_cluster_goes_with_the_cluster():
    before, after = dedent(ENVOY_BEFORE), dedent(ENVOY_AFTER)
    result = yaml_file.remove(before, _ctx("video-service"))
    assert result.text == after and not result.refused
    assert yaml_file.remove(after, _ctx("video-service")).text == after


def test_a_route_to_another_cluster_or_with_another_destination_stays():
    text = dedent("""
        routes:
          - match: { prefix: "/video-ui" }
            route: { cluster: video-ui }
          - match: { prefix: "/cart" }
            route: { cluster: cart, host_rewrite_literal: video }
    """)
    result = yaml_file.remove(text, _ctx("video-service"))
    assert result.text == text and not result.refused


# -- ignore files ---------------------------------------------------------------------------
DELETED = frozenset({"src/video", "src/video/Dockerfile", "test/tracing", "test/tracing/run.bash"})

IGNORE_PAIRS = {
    "a path and a glob into deleted folders": (".gitignore", """
        src/cart/target/
        test/tracing/vars.yaml

        # Ignore copied/generated protobuf files
        /src/cart/protos/
        /src/video/proto/
        /src/video/src/video_*.erl
        !src/video/keep.txt
        /src/frontend/pb/
    """, """
        src/cart/target/

        # Ignore copied/generated protobuf files
        /src/cart/protos/
        /src/frontend/pb/
    """),
    "a block headed by a comment naming the component": (".dockerignore", """
        ###########
        # cart
        ./src/cart/node_modules/
        ###########

        ###########
        # video
        # Common development/test artifacts
        ./src/video/cover/
        ./src/video/tmp/

        ###########
        # frontend
        ./src/frontend/node_modules/
    """, """
        ###########
        # cart
        ./src/cart/node_modules/
        ###########

        ###########
        # frontend
        ./src/frontend/node_modules/
    """),
    "headings of groups that go whole go, banners of a paragraph that goes whole too": (".dockerignore", """
        ###########
        # cart
        ./src/cart/target
        ###########

        # Build outputs
        ./src/video/_build/
        ./src/video/deps/

        # Crash dumps
        ./src/video/crash.dump
        ./src/cart/crash.dump

        # Static assets
        ./src/cart/static/
        # Static assets of the player
        ./src/video/priv/static/
        ./src/video/assets/
        # Caches
        ./src/cart/cache/

        # Generated
        ./src/video/gen/
        ###########
    """, """
        ###########
        # cart
        ./src/cart/target
        ###########

        # Crash dumps
        ./src/cart/crash.dump

        # Static assets
        ./src/cart/static/
        # Caches
        ./src/cart/cache/
    """),
    "a nested ignore file reads its patterns from its own folder": ("src/.gitignore", """
        /video/build/
        /cart/build/
    """, """
        /cart/build/
    """),
}


@pytest.mark.parametrize("case", IGNORE_PAIRS)
def test_ignore_patterns_into_deleted_paths_go(case):
    path, before, after = IGNORE_PAIRS[case]
    before, after = dedent(before), dedent(after)
    result = ignore_file.remove(before, _ctx("video", DELETED, path))
    assert result.text == after and not result.refused
    assert ignore_file.remove(after, _ctx("video", DELETED, path)).text == after


def test_a_comment_that_does_not_name_the_component_stays_and_is_listed():
    # It heads a group that keeps a pattern: it may still apply.
    before = "*.log\n\n# Mix artifacts\n./src/video/_build/\n./src/cart/_build/\n\n*.tmp\n"
    result = ignore_file.remove(before, _ctx("video", DELETED, ".dockerignore"))
    assert result.text == "*.log\n\n# Mix artifacts\n./src/cart/_build/\n\n*.tmp\n"
    assert result.kept_comments == ["# Mix artifacts"]


def test_the_files_own_header_stays_when_its_first_group_goes():
    # The comment block that opens the file speaks for the whole file, not only for the patterns
    # under it; one that names the component goes with them (the comment-block rule).
    before = "# Files the image build never needs\n./src/video/_build/\n\n*.log\n"
    result = ignore_file.remove(before, _ctx("video", DELETED, ".dockerignore"))
    assert result.text == "# Files the image build never needs\n\n*.log\n"
    assert result.kept_comments == ["# Files the image build never needs"]
    named = "# video\n./src/video/_build/\n\n*.log\n"
    assert ignore_file.remove(named, _ctx("video", DELETED, ".dockerignore")).text == "*.log\n"


def test_headings_of_groups_that_keep_a_pattern_stay():
    text = dedent("""
        ###########
        # Build outputs
        ./src/cart/_build/
        # Caches
        ./src/cart/cache/
        ###########
    """)
    result = ignore_file.remove(text, _ctx("video", DELETED, ".dockerignore"))
    assert result.text == text and not result.refused


@pytest.mark.parametrize("text", [
    "video\n*.log\nnode_modules/\n",  # no folder: matches at any depth
    "src/*/Dockerfile\nsrc/video-ui/dist/\n",  # a glob before the folder, a longer sibling
    "/src/videos/\n../src/video/x\n",  # another folder; outside the file's folder
    "# src/video/ is generated\n",  # a comment
])
def test_ignore_noops(text):
    result = ignore_file.remove(text, _ctx("video", DELETED, ".gitignore"))
    assert result.text == text and not result.refused


@pytest.mark.parametrize("path", [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"])
def test_codeowners_entries_for_deleted_paths_go(path):
    # Patterns are read from the repository root wherever the file is; owners follow the pattern.
    before = dedent("""
        # Platform
        * @acme/platform
        /src/cart/ @acme/shop
        # video team
        /src/video/ @acme/media @acme/platform
        src/video/**/*.go @acme/go
        /src/videos/ @acme/media
        video @acme/media
    """)
    after = dedent("""
        # Platform
        * @acme/platform
        /src/cart/ @acme/shop
        /src/videos/ @acme/media
        video @acme/media
    """)
    result = ignore_file.remove(before, _ctx("video", DELETED, path))
    assert result.text == after and not result.refused
    assert ignore_file.remove(after, _ctx("video", DELETED, path)).text == after


def test_ignore_files_are_claimed_by_name():
    assert ignore_file.claims(".github/CODEOWNERS", "") and not ignore_file.claims("src/CODEOWNERS", "")
    assert ignore_file.claims(".gitignore", "") and ignore_file.claims("src/app/.dockerignore", "")
    assert ignore_file.claims(".helmignore", "")
    assert not ignore_file.claims("ignore", "") and not ignore_file.claims(".ignore", "")
    assert not ignore_file.claims("gitignore.txt", "")


# -- compose pass-throughs of variables the run removed from `.env` ------------------------
def test_a_pass_through_of_a_variable_removed_from_env_goes(tmp_path, capsys):
    before = {
        "src/video/Dockerfile": "FROM golang:1.23\n",
        ".env": ("# Cart\nCART_PORT=7070\n\n"
                 "# Video\nVIDEO_PORT=8081\nVIDEO_ADDR=video:${VIDEO_PORT}\nTRANSCODER_ADDR=video:50053\n"),
        "compose.yaml": ("services:\n"
                         "  cart:\n    image: cart\n    environment:\n"
                         "      - CART_PORT\n      - TRANSCODER_ADDR\n      - TRANSCODER_TIMEOUT=5s\n"),
        # another compose project (its own .env): its pass-through is not the removed variable
        "other/compose.yaml": "services:\n  cart:\n    image: cart\n    environment:\n      - TRANSCODER_ADDR\n",
        "other/.env": "TRANSCODER_ADDR=legacy:1\n",
        # not a compose file: an environment list of another tool stays
        "ci/job.yaml": "job:\n  environment:\n    - TRANSCODER_ADDR\n    - CART_PORT\n",
    }
    write_tree(tmp_path, before)
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    expected = {p: t.encode() for p, t in before.items() if p != "src/video/Dockerfile"}
    expected[".env"] = b"# Cart\nCART_PORT=7070\n"
    expected["compose.yaml"] = ("services:\n  cart:\n    image: cart\n    environment:\n"
                                "      - CART_PORT\n      - TRANSCODER_TIMEOUT=5s\n").encode()
    assert tree_bytes(tmp_path) == expected
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == expected
    capsys.readouterr()


# -- a compose dependency set up for the component goes with it ------------------------------
DEPENDENCY_COMPOSE = """\
services:
  # Video service
  video:
    build:
      context: ./
      dockerfile: ./src/video/Dockerfile
    environment:
      - DATABASE_URL=postgres://v:v@videopostgres:5432/v
    depends_on:
      videopostgres:
        condition: service_healthy
      cache:
        condition: service_started

  cart:
    build: ./src/cart
    depends_on:
      - cache
{shared}
  # ******************
  # Dependent Services
  # ******************
  # Postgres used by the Video service
  videopostgres:
    build:
      context: ./
      dockerfile: ./src/videopostgres/Dockerfile
    healthcheck:
      test: ["CMD-SHELL", "pg_isready"]

  # Valkey used by the Video service
  cache:
    image: valkey:8
"""


def test_a_dependency_only_the_component_uses_goes_with_its_build_folder(tmp_path, capsys):
    before = {
        "src/video/Dockerfile": "FROM golang:1.23\n",
        "src/cart/Dockerfile": "FROM golang:1.23\n",
        "src/videopostgres/Dockerfile": "FROM postgres:17\n",
        "compose.yaml": DEPENDENCY_COMPOSE.format(shared=""),
        ".github/workflows/images.yml": (
            "jobs:\n  build:\n    strategy:\n      matrix:\n        include:\n"
            "          - file: ./src/videopostgres/Dockerfile\n            tag_suffix: videopostgres\n"
            "          - file: ./src/cart/Dockerfile\n            tag_suffix: cart\n"),
    }
    write_tree(tmp_path, before)
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    expected = {
        "src/cart/Dockerfile": before["src/cart/Dockerfile"].encode(),
        # the cache stays: cart uses it too
        "compose.yaml": ("services:\n"
                         "  cart:\n    build: ./src/cart\n    depends_on:\n      - cache\n\n"
                         "  # ******************\n  # Dependent Services\n  # ******************\n"
                         "  # Valkey used by the Video service\n  cache:\n    image: valkey:8\n").encode(),
        ".github/workflows/images.yml": (
            "jobs:\n  build:\n    strategy:\n      matrix:\n        include:\n"
            "          - file: ./src/cart/Dockerfile\n            tag_suffix: cart\n").encode(),
    }
    assert tree_bytes(tmp_path) == expected
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == expected
    capsys.readouterr()


@pytest.mark.parametrize("shared", [
    # named by another service's setting
    "\n  reports:\n    image: reports\n    environment:\n      - DB=postgres://videopostgres:5432/r\n",
    "\n  reports:\n    image: reports\n    depends_on: [videopostgres]\n",  # another depends on it
])
def test_a_dependency_another_service_uses_stays(tmp_path, capsys, shared):
    before = {
        "src/video/Dockerfile": "FROM golang:1.23\n",
        "src/cart/Dockerfile": "FROM golang:1.23\n",
        "src/videopostgres/Dockerfile": "FROM postgres:17\n",
        "compose.yaml": DEPENDENCY_COMPOSE.format(shared=shared),
    }
    write_tree(tmp_path, before)
    main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)])
    after = tree_bytes(tmp_path)
    assert "src/videopostgres/Dockerfile" in after and b"  videopostgres:\n" in after["compose.yaml"]
    capsys.readouterr()


def test_a_dependency_whose_comment_does_not_name_the_component_stays(tmp_path, capsys):
    compose = DEPENDENCY_COMPOSE.format(shared="").replace("# Postgres used by the Video service", "# Postgres")
    before = {"src/video/Dockerfile": "FROM golang:1.23\n", "src/cart/Dockerfile": "FROM golang:1.23\n",
              "src/videopostgres/Dockerfile": "FROM postgres:17\n", "compose.yaml": compose}
    write_tree(tmp_path, before)
    main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)])
    assert "src/videopostgres/Dockerfile" in tree_bytes(tmp_path)
    capsys.readouterr()


# -- generated files are regenerated, not edited ----------------------------------------------
def test_a_file_whose_header_says_it_is_generated_is_listed_not_edited(tmp_path, capsys):
    manifest = ("# Copyright the authors\n# This file is generated by 'make generate-manifests'\n---\n"
                "env:\n  - name: VIDEO_PORT\n    value: \"8081\"\n  - name: CART_PORT\n    value: \"7070\"\n")
    # the same words deep in the body, not in the header: an ordinary file
    config = ("env:\n  - name: VIDEO_PORT\n    value: \"8081\"\n  - name: CART_PORT\n    value: \"7070\"\n"
              + "# filler\n" * 60 + "# This file is generated by hand, not by a tool\n")
    before = {"src/video/Dockerfile": "FROM golang:1.23\n", "k8s/demo.yaml": manifest, "k8s/config.yaml": config}
    write_tree(tmp_path, before)
    capsys.readouterr()
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    after = tree_bytes(tmp_path)
    assert after["k8s/demo.yaml"] == manifest.encode()
    assert after["k8s/config.yaml"] == config.replace("  - name: VIDEO_PORT\n    value: \"8081\"\n", "").encode()
    assert "k8s/demo.yaml:5: - name: VIDEO_PORT  (generated or binary)" in capsys.readouterr().out


@pytest.mark.parametrize("header, kind", [
    ("// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n", "generated"),
    ("# @generated by a tool\nkey: 1\n", "generated"),
    ("# This file was auto-generated\nkey: 1\n", "generated"),
    ("# How this file is used: generated reports read it\nkey: 1\n", "yaml"),
    ("key: 1  # regenerate with make\n", "yaml"),
])
def test_generated_headers(header, kind):
    assert removal_kind("x.yaml", header) == kind
    assert classify("x.yaml", header) == "yaml"  # a version bump still edits it, as its humans do


# -- build-args lists of a workflow ---------------------------------------------------------
BUILD_ARGS = """
    steps:
      - name: Build and push
        uses: docker/build-push-action@v6
        with:
          build-args: |
            JAVA_AGENT_VERSION=${{ env.JAVA_AGENT_VERSION }}
            VIDEO_IMAGE_VERSION=${{ env.VIDEO_IMAGE_VERSION }}
            CPP_VERSION=1.27.0
          tags: |
            demo:latest
"""


def test_a_build_arg_named_for_the_component_leaves_the_list():
    before = dedent(BUILD_ARGS)
    after = "".join(line for line in before.splitlines(keepends=True) if "VIDEO_IMAGE_VERSION" not in line)
    assert after != before
    result = yaml_file.remove(before, _ctx("video"))
    assert result.text == after and not result.refused
    assert yaml_file.remove(after, _ctx("video")).text == after


def test_build_args_look_alikes_stay():
    other_key = dedent(BUILD_ARGS).replace("build-args: |", "labels: |")  # not a build-args list
    assert yaml_file.remove(other_key, _ctx("video")).text == other_key
    only = dedent("""
        with:
          build-args: |
            VIDEO_IMAGE_VERSION=1
    """)
    result = yaml_file.remove(only, _ctx("video"))
    assert result.text == only and [r.line for r in result.refused] == [3]


# -- compose test layers: the comment naming the removed service, the component's patch ----------
TESTS_LAYER = """\
services:
  # Frontend Tests
  frontendTests:
    image: frontend-tests
    depends_on:
      - frontend

  # Tracebased Tests
  traceBasedTests:
    build:
      context: ./
      dockerfile: ./test/tracing/Dockerfile
    volumes:
      - ./test/tracing:/app/test/tracing

  # Patch otel-collector to use video config instead of standard config
  otel-collector:
    command:
      - --config=/etc/otelcol-config.yml
      - --config=/etc/otelcol-config-video.yml
    volumes:
      - ./test/tracing/otelcol-config-video.yml:/etc/otelcol-config-video.yml
    depends_on: []
"""


def test_a_test_layer_loses_the_components_services_their_comments_and_its_patch():
    before = TESTS_LAYER
    after = ("services:\n  # Frontend Tests\n  frontendTests:\n    image: frontend-tests\n"
             "    depends_on:\n      - frontend\n")
    deleted = frozenset({"test/tracing", "test/tracing/Dockerfile", "test/tracing/otelcol-config-video.yml"})
    result = yaml_file.remove(before, _ctx("video", deleted))
    assert result.text == after and not result.refused
    assert yaml_file.remove(after, _ctx("video", deleted)).text == after


def test_an_override_that_mounts_nothing_deleted_or_whose_comment_names_another_stays():
    deleted = frozenset({"test/tracing", "test/tracing/Dockerfile", "test/tracing/otelcol-config-video.yml"})
    other = TESTS_LAYER.replace("use video config", "use debug config")  # the comment names someone else
    result = yaml_file.remove(other, _ctx("video", deleted))
    assert "  otel-collector:\n" in result.text
    assert "      - ./test/tracing/otelcol-config-video.yml:/etc/otelcol-config-video.yml\n" not in result.text
    kept = TESTS_LAYER.replace("./test/tracing/otelcol-config-video.yml", "./config/video.yml")  # nothing deleted
    assert "  otel-collector:\n" in yaml_file.remove(kept, _ctx("video", deleted)).text
    # a comment that names neither the component nor the removed key stays (listed for the reviewer)
    plain = TESTS_LAYER.replace("# Tracebased Tests", "# Slow suite")
    result = yaml_file.remove(plain, _ctx("video", deleted))
    assert "  # Slow suite\n" in result.text and "  # Slow suite" in result.kept_comments


# -- Makefiles: lines that run a removed compose service, rules left empty -------------------
def test_make_lines_running_a_removed_compose_service_and_rules_left_empty_go(tmp_path, capsys):
    compose = ("services:\n  frontendTests:\n    image: frontend-tests\n\n"
               "  traceBasedTests:\n    build:\n      context: ./\n      dockerfile: ./test/tracetesting/Dockerfile\n")
    makefile = (".PHONY: run-tests\nrun-tests:\n"
                "\t$(COMPOSE) run frontendTests\n"
                "\t$(COMPOSE) run traceBasedTests\n\n"
                ".PHONY: run-tracetesting\nrun-tracetesting:\n"
                "\t$(COMPOSE) run traceBasedTests ${SERVICES_TO_TEST}\n\n"
                # prerequisites: the rule stays, and so does a rule running another service
                "check: lint\n\t$(COMPOSE) run traceBasedTests\n\t./check.sh\n\n"
                "lint:\n\t$(COMPOSE) run frontendTests\n\n"
                "all: run-tracetesting lint\n")
    before = {"test/tracetesting/Dockerfile": "FROM node:22\n", "test/tracetesting/run.bash": "echo tracetest\n",
              "compose.tests.yaml": compose, "Makefile": makefile}
    write_tree(tmp_path, before)
    assert main(["apply", "remove-service", "service=tracetest", "--repo", str(tmp_path)]) == 0
    expected = {
        "compose.tests.yaml": b"services:\n  frontendTests:\n    image: frontend-tests\n",
        "Makefile": (".PHONY: run-tests\nrun-tests:\n"
                     "\t$(COMPOSE) run frontendTests\n\n"
                     "check: lint\n\t./check.sh\n\n"
                     "lint:\n\t$(COMPOSE) run frontendTests\n\n"
                     "all: lint\n").encode(),
    }
    assert tree_bytes(tmp_path) == expected
    assert main(["apply", "remove-service", "service=tracetest", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == expected
    capsys.readouterr()


def test_names_the_run_removed_under_their_own_are_listed_where_they_are_left(tmp_path, capsys):
    """A workflow still calling a make target the run removed, a compose service or a deleted
    folder named elsewhere: listed in the residue. An override removed from the tests layer
    leaves its service defined in the main compose file: neither listed nor taken from Makefiles."""
    before = {
        "test/tracetesting/Dockerfile": "FROM node:22\n",
        "compose.yaml": "services:\n  collector:\n    image: otel/collector\n",
        "compose.tests.yaml": (
            "services:\n  frontendTests:\n    image: frontend-tests\n\n"
            "  traceBasedTests:\n    build:\n      context: ./\n      dockerfile: ./test/tracetesting/Dockerfile\n\n"
            "  # Patch the collector for tracetest\n  collector:\n    volumes:\n"
            "      - ./test/tracetesting/collector.yml:/etc/collector.yml\n"),
        "Makefile": (".PHONY: run-tracetesting\nrun-tracetesting:\n\t$(COMPOSE) run traceBasedTests\n\n"
                     "restart:\n\t$(COMPOSE) restart collector\n"),
        ".github/workflows/it.yml": ("jobs:\n  it:\n    steps:\n      - name: Run tracetesting\n"
                                     "        run: make run-tracetesting\n      - run: make restart\n"),
        "docs/tests.md": "Trace-based tests live in test/tracetesting.\n\n"
                         "    make run-tracetesting\n",
    }
    before["test/tracetesting/collector.yml"] = "receivers: {}\n"
    write_tree(tmp_path, before)
    capsys.readouterr()
    # 1: the workflow still runs the removed make target, a human must finish it
    assert main(["plan", "remove-service", "service=tracetest", "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(r["path"], r["line"]) for r in report["refused"]] == [(".github/workflows/it.yml", 5)]
    residue = {(r["path"], r["line"]) for r in report["residue"]}
    assert {(".github/workflows/it.yml", 4), (".github/workflows/it.yml", 5), ("docs/tests.md", 1)} <= residue
    assert (".github/workflows/it.yml", 6) not in residue and ("compose.yaml", 2) not in residue
    makefile = next(f for f in report["files"] if f["path"] == "Makefile")["diff"].splitlines()
    removed = [line for line in makefile if line.startswith("-") and not line.startswith("---")]
    assert removed == ["-.PHONY: run-tracetesting", "-run-tracetesting:", "-\t$(COMPOSE) run traceBasedTests", "-"]
