"""`remove-service` on a compose-first application (the shape of the OpenTelemetry demo): the
`.env` group, the compose service and what other services hold of it, dependabot entries and
groups, and build-matrix items go; another service's own settings stay and are listed. The
whole tree is compared byte for byte, and a second run changes nothing."""

from __future__ import annotations

import json

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

BEFORE = {
    "src/video/main.go": "package main\n",
    "src/video/Dockerfile": "FROM golang:1.22\n",
    "src/cart/main.go": "package main\n",
    "src/agent/app.py": "print('agent')\n",
    ".env": (
        "# Demo App version\nIMAGE_VERSION=2.2.0\n\n"
        "# Cart\nCART_PORT=7070\nCART_ADDR=cart:${CART_PORT}\n\n"
        "# Video Service\nVIDEO_PORT=8080\nVIDEO_ADDR=video:${VIDEO_PORT}\nVIDEO_DOCKERFILE=./src/video/Dockerfile\n\n"
        "# Agent\nAGENT_PORT=8010\nVIDEO_MODEL=large  # the agent's own choice\n"
    ),
    "compose.yaml": (
        "services:\n"
        "  # Cart service\n"
        "  cart:\n    build:\n      dockerfile: ./src/cart/Dockerfile\n"
        "    environment:\n      - CART_PORT\n      - VIDEO_ADDR\n"
        "    depends_on:\n      video:\n        condition: service_started\n\n"
        "  # Video service\n"
        "  video:\n    build:\n      dockerfile: ${VIDEO_DOCKERFILE}\n"
        "    environment:\n      - VIDEO_PORT\n\n"
        "  agent:\n    environment:\n      - VIDEO_MODEL\n"
    ),
    ".github/dependabot.yml": (
        "version: 2\n"
        "multi-ecosystem-groups:\n  src-cart:\n    schedule:\n      interval: \"weekly\"\n"
        "  src-video:\n    schedule:\n      interval: \"weekly\"\n"
        "updates:\n"
        "  - package-ecosystem: \"github-actions\"\n    directory: \"/\"\n"
        "  - package-ecosystem: \"docker\"\n    directory: \"/src\"\n"
        "  - package-ecosystem: \"gomod\"\n    directories:\n      - \"/src/cart/**\"\n"
        "    multi-ecosystem-group: \"src-cart\"\n"
        "  - package-ecosystem: \"gomod\"\n    directories:\n      - \"/src/video/**\"\n"
        "    multi-ecosystem-group: \"src-video\"\n"
    ),
    ".github/workflows/images.yml": (
        "jobs:\n  build:\n    strategy:\n      matrix:\n        include:\n"
        "          - file: ./src/cart/Dockerfile\n            tag_suffix: cart\n            context: ./\n"
        "          - file: ./src/video/Dockerfile\n            tag_suffix: video\n            context: ./\n"
    ),
}

AFTER = {
    "src/cart/main.go": BEFORE["src/cart/main.go"],
    "src/agent/app.py": BEFORE["src/agent/app.py"],
    ".env": (
        "# Demo App version\nIMAGE_VERSION=2.2.0\n\n"
        "# Cart\nCART_PORT=7070\nCART_ADDR=cart:${CART_PORT}\n\n"
        "# Agent\nAGENT_PORT=8010\nVIDEO_MODEL=large  # the agent's own choice\n"
    ),
    "compose.yaml": (
        "services:\n"
        "  # Cart service\n"
        "  cart:\n    build:\n      dockerfile: ./src/cart/Dockerfile\n"
        "    environment:\n      - CART_PORT\n\n"
        "  agent:\n    environment:\n      - VIDEO_MODEL\n"
    ),
    ".github/dependabot.yml": (
        "version: 2\n"
        "multi-ecosystem-groups:\n  src-cart:\n    schedule:\n      interval: \"weekly\"\n"
        "updates:\n"
        "  - package-ecosystem: \"github-actions\"\n    directory: \"/\"\n"
        "  - package-ecosystem: \"docker\"\n    directory: \"/src\"\n"
        "  - package-ecosystem: \"gomod\"\n    directories:\n      - \"/src/cart/**\"\n"
        "    multi-ecosystem-group: \"src-cart\"\n"
    ),
    ".github/workflows/images.yml": (
        "jobs:\n  build:\n    strategy:\n      matrix:\n        include:\n"
        "          - file: ./src/cart/Dockerfile\n            tag_suffix: cart\n            context: ./\n"
    ),
}


def _tree(root):
    return {p: data.decode("utf-8") for p, data in tree_bytes(root).items()}


def test_the_whole_tree_byte_for_byte_and_a_second_run_changes_nothing(tmp_path, capsys):
    write_tree(tmp_path, BEFORE)
    # 1: the agent's own VIDEO_MODEL was kept on purpose, for a human to check
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 1
    assert _tree(tmp_path) == AFTER
    capsys.readouterr()
    assert main(["plan", "remove-service", "service=video", "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == []  # idempotent: nothing left to change
    kept = {(r["path"], r["line"], r["reason"]) for r in report["residue"]}
    assert (".env", 10, "edit refused: VIDEO_MODEL is set among another component's variables: check "
            "whether it still applies") in kept
    assert ("compose.yaml", 11,
            "edit refused: this service still reads VIDEO_MODEL: check whether it still needs it") in kept


def test_a_definition_another_service_still_uses_stays_and_is_listed(tmp_path, capsys):
    files = dict(BEFORE)
    files[".env"] += "UPSTREAM=http://${VIDEO_ADDR}\n"
    write_tree(tmp_path, files)
    assert main(["plan", "remove-service", "service=video", "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert ".env" not in {f["path"] for f in report["files"]}  # the video group stays whole
    assert (".env", 10, "UPSTREAM (line 16) still uses ${VIDEO_ADDR}: rewrite it first") in \
        {(r["path"], r["line"], r["reason"]) for r in report["refused"]}
