"""What another component keeps stays documented and named (corpus: the mock LLM removed from the
OpenTelemetry demo, whose agent keeps its own LLM_MODEL settings and whose docs builder lists
acronyms). A Markdown row about a variable named like the component that a `.env` file still
sets is refused, not removed; a row about one the run removed goes. The name in capitals in a list
of capitalised words (a vocabulary) is not the component; in a list of components it is."""

from __future__ import annotations

import json

from gitops_bot.cli import main
from gitops_bot.edit import yaml_file
from tests.editors import ctx, dedent

from .conftest import tree_bytes, write_tree

README = dedent("""
    # Agent

    | Variable | Default | Description |
    |---|---|---|
    | `AGENT_PORT` | `8010` | Where it listens. |
    | `VIDEO_MODEL` | `large` | The model the agent asks for. |
    | `VIDEO_ADDR` | unset | The video service. |
    """)

BEFORE = {
    "src/video/Dockerfile": "FROM golang:1.22\n",
    "src/video/main.go": "package main\n",
    "src/agent/Dockerfile": "FROM python:3.12\n",
    "src/agent/README.md": README,
    ".env": (
        "# Video Service\nVIDEO_PORT=8080\nVIDEO_ADDR=video:${VIDEO_PORT}\n\n"
        "# Agent\nAGENT_PORT=8010\nVIDEO_MODEL=large\n"
    ),
    "compose.yaml": "services:\n  video:\n    build:\n      context: ./src/video\n  agent:\n    image: agent\n",
}


def _tree(root):
    return {p: data.decode("utf-8") for p, data in tree_bytes(root).items()}


def test_a_row_about_a_variable_a_dotenv_still_sets_stays_and_is_listed(tmp_path, capsys):
    write_tree(tmp_path, BEFORE)
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 1
    after = _tree(tmp_path)
    assert after["src/agent/README.md"] == README.replace("| `VIDEO_ADDR` | unset | The video service. |\n", "")
    assert after[".env"] == "# Agent\nAGENT_PORT=8010\nVIDEO_MODEL=large\n"
    capsys.readouterr()
    assert main(["plan", "remove-service", "service=video", "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == []  # a second run changes nothing
    assert ("src/agent/README.md", 6, "documents VIDEO_MODEL, which a .env file still sets for another "
            "component: check whether it still applies") in \
        {(r["path"], r["line"], r["reason"]) for r in report["refused"]}


def test_without_the_setting_left_in_a_dotenv_its_row_goes(tmp_path):
    files = dict(BEFORE)
    files[".env"] = "# Video Service\nVIDEO_PORT=8080\nVIDEO_ADDR=video:${VIDEO_PORT}\n\n# Agent\nAGENT_PORT=8010\n"
    write_tree(tmp_path, files)
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    assert _tree(tmp_path)["src/agent/README.md"] == dedent("""
        # Agent

        | Variable | Default | Description |
        |---|---|---|
        | `AGENT_PORT` | `8010` | Where it listens. |
        """)


VOCABULARY = "acronyms:\n  - AI\n  - API\n  - LLM\n  - OTel\n  - SQL\n"


def test_the_name_in_capitals_in_a_vocabulary_stays():
    result = yaml_file.remove(VOCABULARY, ctx("llm"))
    assert result.text == VOCABULARY


def test_the_name_in_a_list_of_components_goes():
    components = "services:\n  - cart\n  - llm\n  - agent\n"
    assert yaml_file.remove(components, ctx("llm")).text == "services:\n  - cart\n  - agent\n"


def test_the_name_in_capitals_among_lower_case_names_goes():
    mixed = "services:\n  - Cart\n  - LLM\n  - agent-service\n"
    assert yaml_file.remove(mixed, ctx("llm")).text == "services:\n  - Cart\n  - agent-service\n"
