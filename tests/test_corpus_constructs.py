"""Constructs the corpus (bench/corpus/RESULTS.md) shows the bot mishandling, each written here
as a small fixture of our own (no file of those repositories is copied), so CI pins them without
the network. They are the top failure categories of the corpus, ranked by cases affected:

1. the change cannot be expressed (39 of 84 cases: 35 version changes, 4 config moves): issue #13;
2. the component's files are named differently from the name given (9 removals): issue #12;
3. damage (10 removals, 934 lines), mostly files of the same name under another owner
   (`data-stacks/superset-on-eks/`, `src/agent/agents/llm.py`): issue #12;
4. compose-app references: `.env` variables, dependabot entries, build-matrix items (4 removals,
   all of one repository but each of its removals): issue #12;
5. Terraform blocks and inputs made for the component but labelled otherwise (5 removals): issue #12.

Each test states the result a careful human produces. Today's bot does not, so each is marked
`xfail(strict=True)` with the issue that builds it: the mark is removed when that issue lands,
and a bot that starts passing fails the suite until then, so the mark cannot go stale."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree


def read(root) -> dict[str, str]:
    return {p: data.decode("utf-8") for p, data in tree_bytes(root).items()}


def test_a_toolchain_version_moves_in_every_form(tmp_path, capsys):
    write_tree(tmp_path, {
        "go.mod": "module example.com/shop\n\ngo 1.22.4\n",
        "src/cart/Dockerfile": "FROM golang:1.22.4-alpine AS build\nRUN go build ./...\n",
        ".github/workflows/ci.yaml": "jobs:\n  test:\n    steps:\n      - uses: actions/setup-go@v5\n"
                                    "        with:\n          go-version: \"1.22.4\"\n",
        "docs/notes.md": "Protocol buffers 1.22.4 are unrelated.\n",
    })
    assert main(["apply", "set-version", "tool=go", "version=1.23.2", "--repo", str(tmp_path)]) == 0
    assert read(tmp_path) == {
        "go.mod": "module example.com/shop\n\ngo 1.23.2\n",
        "src/cart/Dockerfile": "FROM golang:1.23.2-alpine AS build\nRUN go build ./...\n",
        ".github/workflows/ci.yaml": "jobs:\n  test:\n    steps:\n      - uses: actions/setup-go@v5\n"
                                    "        with:\n          go-version: \"1.23.2\"\n",
        "docs/notes.md": "Protocol buffers 1.22.4 are unrelated.\n",
    }


def test_a_folder_named_after_a_derived_form_goes(tmp_path):
    write_tree(tmp_path, {
        "services/cart/main.go": "package main\n",
        "test/tracetesting/cart/get.yaml": "type: Test\nname: cart get\n",
        "test/tracetesting/run.bash": "#!/bin/bash\ntracetest run --file cart/get.yaml\n",
        "compose.tests.yaml": "services:\n  tracetest-server:\n    image: kubeshop/tracetest:v1.7.1\n"
                              "  cart-tests:\n    image: cart-tests\n",
    })
    assert main(["apply", "remove-service", "service=tracetest", "--repo", str(tmp_path)]) == 0
    files = read(tmp_path)
    assert not any(p.startswith("test/tracetesting/") for p in files)
    assert files["compose.tests.yaml"] == "services:\n  cart-tests:\n    image: cart-tests\n"


def test_a_same_named_file_of_another_component_stays(tmp_path):
    write_tree(tmp_path, {
        "src/llm/app.py": "print('llm')\n",
        "src/llm/Dockerfile": "FROM python:3.12\n",
        "src/agent/app.py": "from agents import llm\n",
        "src/agent/agents/llm.py": "def complete(prompt):\n    return prompt\n",
        "compose.yaml": "services:\n  llm:\n    build: ./src/llm\n  agent:\n    build: ./src/agent\n",
    })
    assert main(["apply", "remove-service", "service=llm", "--repo", str(tmp_path)]) == 0
    files = read(tmp_path)
    assert "src/agent/agents/llm.py" in files  # the agent still imports it
    assert not any(p.startswith("src/llm/") for p in files)
    assert files["compose.yaml"] == "services:\n  agent:\n    build: ./src/agent\n"


def test_compose_app_references_go(tmp_path):
    write_tree(tmp_path, {
        "src/video/main.go": "package main\n",
        "src/cart/main.go": "package main\n",
        ".env": "# Cart\nCART_HOST=cart\nCART_PORT=7070\n\n# Video\nVIDEO_HOST=video\nVIDEO_PORT=8080\n"
                "VIDEO_ADDR=${VIDEO_HOST}:${VIDEO_PORT}\nVIDEO_DOCKERFILE=./src/video/Dockerfile\n\n"
                "# Valkey\nVALKEY_PORT=6379\n",
        ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: \"gomod\"\n    directory: \"/src/cart\"\n"
                                 "    schedule:\n      interval: \"weekly\"\n  - package-ecosystem: \"gomod\"\n"
                                 "    directory: \"/src/video\"\n    schedule:\n      interval: \"weekly\"\n",
        ".github/workflows/images.yml": "jobs:\n  build:\n    strategy:\n      matrix:\n        include:\n"
                                        "          - file: ./src/cart/Dockerfile\n            tag_suffix: cart\n"
                                        "          - file: ./src/video/Dockerfile\n            tag_suffix: video\n",
    })
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    files = read(tmp_path)
    assert files[".env"] == "# Cart\nCART_HOST=cart\nCART_PORT=7070\n\n# Valkey\nVALKEY_PORT=6379\n"
    assert "/src/video" not in files[".github/dependabot.yml"] and "/src/cart" in files[".github/dependabot.yml"]
    assert files[".github/workflows/images.yml"].endswith("          - file: ./src/cart/Dockerfile\n"
                                                          "            tag_suffix: cart\n")


def test_a_generically_labelled_terraform_block_of_the_component_goes(tmp_path):
    write_tree(tmp_path, {
        "addons/kuberhealthy/main.tf": "resource \"helm_release\" \"kuberhealthy\" {\n  name = \"kuberhealthy\"\n}\n",
        "account/ecr.tf": "# ECR repository for the kuberhealthy checks image\nmodule \"ecr\" {\n"
                          "  source    = \"./modules/ecr\"\n  repo_name = \"platform-kuberhealthy-checks\"\n}\n\n"
                          "module \"ecr_web\" {\n  source    = \"./modules/ecr\"\n  repo_name = \"platform-web\"\n}\n",
    })
    assert main(["apply", "remove-service", "service=kuberhealthy", "--repo", str(tmp_path)]) == 0
    files = read(tmp_path)
    assert "addons/kuberhealthy/main.tf" not in files
    assert files["account/ecr.tf"] == ("module \"ecr_web\" {\n  source    = \"./modules/ecr\"\n"
                                       "  repo_name = \"platform-web\"\n}\n")
