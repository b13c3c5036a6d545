"""The Dockerfile editor (issue 12): a shared build Dockerfile loses the COPY/ADD instructions and
source words of the removed component, and nothing else."""

from __future__ import annotations

import pytest

from gitops_bot.cli import main
from gitops_bot.edit import classify, dockerfile

from .conftest import tree_bytes, write_tree
from .editors import ctx, dedent

PAIRS = {
    "a COPY of the component goes with the comment naming it; a mixed COPY loses its source word": (
        """
        # syntax=docker/dockerfile:1
        FROM golang:1.24 AS build
        WORKDIR /src
        COPY go.work go.work.sum ./
        COPY services/auth-service/ ./services/auth-service/
        # video-service: the recordings API
        COPY services/video-service/ ./services/video-service/
        COPY services/board-service/go.mod services/video-service/go.mod ./mods/
        ADD ["services/video-service/config.json", "/etc/video.json"]
        RUN go build ./services/...
        """,
        """
        # syntax=docker/dockerfile:1
        FROM golang:1.24 AS build
        WORKDIR /src
        COPY go.work go.work.sum ./
        COPY services/auth-service/ ./services/auth-service/
        COPY services/board-service/go.mod ./mods/
        ADD ["services/video-service/config.json", "/etc/video.json"]
        RUN go build ./services/...
        """),
    "continued lines, --from copies and RUN lines stay": (
        """
        FROM golang:1.24 AS video-service
        FROM alpine:3.20
        COPY --from=video-service /bin/video-service /bin/
        COPY services/video-service/ \\
             /src/video/
        RUN make -C services/video-service build
        """,
        None),
    "a here-document's body is data, also a line that looks like a COPY of the component": (
        """
        # syntax=docker/dockerfile:1
        FROM alpine:3.20
        RUN <<EOT
          rm -f /etc/apt/apt.conf.d/docker-clean
          COPY services/video-service/ /x/
        EOT
        COPY <<-"EOF" /etc/motd
        	hello
        	EOF
        COPY services/video-service/ /srv/video/
        """,
        """
        # syntax=docker/dockerfile:1
        FROM alpine:3.20
        RUN <<EOT
          rm -f /etc/apt/apt.conf.d/docker-clean
          COPY services/video-service/ /x/
        EOT
        COPY <<-"EOF" /etc/motd
        	hello
        	EOF
        """),
}


@pytest.mark.parametrize("name", PAIRS)
def test_pairs_and_a_second_run(name):
    before, after = (dedent(t) if t is not None else None for t in PAIRS[name])
    after = before if after is None else after
    result = dockerfile.remove(before, ctx())
    assert result.text == after and not result.refused
    assert dockerfile.remove(after, ctx()).text == after


def test_which_files_it_claims():
    for path in ("Dockerfile", "docker/Dockerfile.go-services", "build/services.Dockerfile", "Containerfile"):
        assert classify(path, "FROM scratch\n") == "dockerfile"
    assert classify("docs/dockerfiles.md", "FROM scratch\n") == "markdown"


def test_a_dockerfile_that_does_not_parse_is_unparsable_not_a_crash():
    from gitops_bot.edit.base import Unparsable

    with pytest.raises(Unparsable) as caught:
        dockerfile.remove("FROM a\nCOPY services/video-service/ /x/\nnot an instruction\n", ctx())
    assert caught.value.line == 3


def test_a_result_that_is_not_instructions_is_refused():
    assert dockerfile.still_valid("FROM a\nCOPY x y\n", "FROM a\nx y\n") is not None
    assert dockerfile.still_valid("FROM a\nnot an instruction\n", "FROM a\nnot an instruction\n") is None


def test_a_removal_edits_a_shared_dockerfile_and_deletes_the_components_own(tmp_path):
    files = {
        "services/video-service/Dockerfile": "FROM golang:1.24\nCOPY . .\n",
        "services/video-service/main.go": "package main\n",
        "services/auth-service/main.go": "package main\n",
        "docker/Dockerfile.dev": "FROM golang:1.24\nCOPY services/auth-service/ /src/auth/\n"
                                 "COPY services/video-service/ /src/video/\n",
    }
    write_tree(tmp_path, files)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / "docker/Dockerfile.dev").read_text() == "FROM golang:1.24\nCOPY services/auth-service/ /src/auth/\n"
    assert not (tmp_path / "services/video-service").exists()
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before
