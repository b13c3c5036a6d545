"""go.work, shell and Markdown editors."""

from __future__ import annotations

import pytest

from gitops_bot.edit import gowork, markdown, shell
from gitops_bot.edit.base import Unparsable

from .editors import ctx, dedent

GOWORK = (
    "go 1.24\n\nuse (\n\t./packages/common-go\n\t./services/video-service\n\t./services/video-service-gateway\n)\n",
    "go 1.24\n\nuse (\n\t./packages/common-go\n\t./services/video-service-gateway\n)\n",
)


def test_gowork_pair_and_noop():
    before, after = GOWORK
    assert gowork.remove(before, ctx()).text == after
    assert gowork.remove(after, ctx()).text == after


def test_gowork_single_use_line():
    assert gowork.remove("go 1.24\nuse ./services/video-service\nuse ./a\n", ctx()).text == \
        "go 1.24\nuse ./a\n"


def test_gowork_unclosed_block_is_unparsable():
    with pytest.raises(Unparsable):
        gowork.remove("use (\n\t./services/video-service\n", ctx())


SHELL = {
    "array lines, inline array, for list, echo list": (
        """
        #!/usr/bin/env bash
        APPS=(
          auth-service
          video-service
        )
        INLINE=(auth-service video-service board-service)
        echo "Apps:"
        echo "  - auth-service"
        echo "  - video-service"
        for a in auth-service video-service; do echo "$a"; done
        echo "video-service is gone"
        """,
        """
        #!/usr/bin/env bash
        APPS=(
          auth-service
        )
        INLINE=(auth-service board-service)
        echo "Apps:"
        echo "  - auth-service"
        for a in auth-service; do echo "$a"; done
        echo "video-service is gone"
        """),
    "per-component call lines (a commented-out call between them is skipped over)": (
        """
        #!/bin/bash
        gen_proto_go auth-service
        gen_proto_go video-service
        # gen_proto_php quote
        gen_proto_python board-service
        if [ -z "$1" ]; then
          gen_proto_go auth-service
          gen_proto_python "video-service"  # python stubs
        else
          gen_proto_go "$1"
        fi
        """,
        """
        #!/bin/bash
        gen_proto_go auth-service
        # gen_proto_php quote
        gen_proto_python board-service
        if [ -z "$1" ]; then
          gen_proto_go auth-service
        else
          gen_proto_go "$1"
        fi
        """),
    "case patterns lose the service's alternatives": (
        """
        #!/bin/bash
        case "$svc" in
          "auth-service"|"video-service")
            port=80 ;;
          video-service | board-service) port=81 ;;
          auth-service|video-service|video_service|board-service) port=82 ;;
          *) port=0 ;;
        esac
        """,
        """
        #!/bin/bash
        case "$svc" in
          "auth-service")
            port=80 ;;
          board-service) port=81 ;;
          auth-service|board-service) port=82 ;;
          *) port=0 ;;
        esac
        """),
    "a deploy step and its wait go whole, with their messages and pause": (
        """
        #!/bin/bash
        set -euo pipefail

        echo "Deploying auth-service."
        kustomize build apps/auth-service/overlays/dev | kubectl apply -f -

        echo "Deploying video-service."
        kustomize build apps/video-service/overlays/dev | kubectl apply -f -

        # wait for it
        echo "Waiting for video-service to become ready..."
        sleep 5
        kubectl wait --timeout=300s -n apps -l app=video-service --for=condition=Ready pod 2>&1

        echo "Done."
        """,
        """
        #!/bin/bash
        set -euo pipefail

        echo "Deploying auth-service."
        kustomize build apps/auth-service/overlays/dev | kubectl apply -f -

        echo "Done."
        """),
    "steps that do more than the service's own commands stay": (
        """
        #!/bin/bash
        echo "Deploying video-service."
        kubectl apply -f apps/video-service/ && kubectl apply -f apps/auth-service/

        kubectl apply -f apps/video-service/ > applied.txt

        URL=$(kubectl get svc video-service -o name)
        kubectl wait -l app=video-service --for=condition=Ready pod

        kubectl apply -f apps/video-service/
        kubectl apply -f apps/auth-service/

        echo "Waiting for video-service..."
        sleep 5

        if true; then
          kubectl apply -f apps/video-service/

          echo ok
        fi
        """,
        None),
    "calls that are not a list of per-component calls stay": (
        """
        #!/bin/bash
        build video-service
        deploy auth-service --force
        cd video-service
        make build
        cd auth-service
        docker run --rm \\
          build video-service
        echo done
        cat <<EOF
        build video-service
        build auth-service
        EOF
        """,
        None),
}


@pytest.mark.parametrize("name", SHELL)
def test_shell_pairs(name):
    before, after = (dedent(t) if t is not None else None for t in SHELL[name])
    after = before if after is None else after
    result = shell.remove(before, ctx())
    assert result.text == after
    assert shell.remove(after, ctx()).text == after


def test_shell_case_pattern_left_empty_is_refused():
    text = "case $1 in\n  (video-service)\n    run ;;\n  *) other ;;\nesac\necho video-service|auth-service)\n"
    result = shell.remove(text, ctx())
    assert result.text == text and [(r.line, r.reason) for r in result.refused] == [
        (2, "the case pattern would become empty")]  # the line after esac is not a pattern


def test_shell_loop_left_empty_is_refused():
    text = "for a in video-service; do echo $a; done\n"
    result = shell.remove(text, ctx())
    assert result.text == text and "empty" in result.refused[0].reason


def test_shell_verify_refuses_breaking_a_valid_script():
    assert shell.still_valid("if true; then\n  echo\nfi\n", "if true; then\n  echo\n") is not None
    assert shell.still_valid("if (\n", "if (\n") is None  # already broken: not made worse


MARKDOWN = (
    dedent("""
    | Service | Port |
    |---|---|
    | auth-service | 1 |
    | video-service | 2 |

    - **auth-service**: login.
    - **video-service**: rooms,
      on top of LiveKit.
    - [video-service](docs/video.md) - links too
    - **livekit**: used by video-service.

    ```
    kubectl rollout restart deployment/video-service
    ```
    """),
    dedent("""
    | Service | Port |
    |---|---|
    | auth-service | 1 |

    - **auth-service**: login.
    - **livekit**: used by video-service.

    ```
    kubectl rollout restart deployment/video-service
    ```
    """),
)


def test_markdown_pair_and_noop():
    before, after = MARKDOWN
    assert markdown.remove(before, ctx()).text == after
    assert markdown.remove(after, ctx()).text == after


def test_markdown_verify_table_shape():
    assert markdown.verify("| a | b |\n|---|---|\n| 1 | 2 |\n") is None
    assert markdown.verify("| a | b |\n|---|---|\n| 1 |\n") is not None


def test_a_table_already_uneven_does_not_block_an_edit_elsewhere():
    """A footnote row under a table (`| _* recommended_ |`) is the author's: an edit of another
    line goes through; an edit that makes another table uneven is still refused."""
    table = "| Role | Cores |\n|---|---|\n| Worker | 4 |\n| _* recommended_ |\n"
    even = "\n| Name | Port |\n|---|---|\n| auth | 1 |\n"
    assert markdown.still_valid(table + "\nx\n", table + "\ny\n") is None
    assert markdown.still_valid(table + even, table + even.replace("| auth | 1 |", "| auth |")) is not None
    before = table + "\nRuns [a](https://a.example), [b](https://b.example), [video-service](https://v.example).\n"
    after = table + "\nRuns [a](https://a.example), [b](https://b.example).\n"
    assert markdown.remove(before, ctx()).text == after
