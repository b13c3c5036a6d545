"""Shell embedded in YAML: a workflow step's `run: |` script goes through the shell editor's rules
(call lines, `case` alternatives, loop words, single-quoted JSON arrays), keeping the block's
indentation; the result still parses as YAML; what the rules would guess at is refused and listed.
Workflows with `${{ }}` expressions are claimed by the Helm editor (masked), plain ones by the
YAML editor: both paths are exercised."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from gitops_bot.cli import main
from gitops_bot.edit import classify, editor_for, helm, shell, yaml_file

from .conftest import tree_bytes, write_tree
from .editors import ctx, dedent

WORKFLOW = ".github/workflows/build.yml"

PAIRS = {
    "per-component call lines": (
        """
        on: push
        jobs:
          protos:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: generate stubs
                run: |
                  gen_proto_go auth-service
                  gen_proto_go video-service
                  gen_proto_python board-service

              - run: make check
        """,
        """
        on: push
        jobs:
          protos:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: generate stubs
                run: |
                  gen_proto_go auth-service
                  gen_proto_python board-service

              - run: make check
        """),
    "JSON array in a shell variable, quoting kept": (
        """
        on: workflow_dispatch
        jobs:
          plan:
            runs-on: ubuntu-latest
            outputs:
              services: ${{ steps.list.outputs.services }}
            steps:
              - id: list
                run: |
                  SERVICES='["auth-service","board-service","video-service"]'
                  echo "services=${SERVICES}" >> "$GITHUB_OUTPUT"
        """,
        """
        on: workflow_dispatch
        jobs:
          plan:
            runs-on: ubuntu-latest
            outputs:
              services: ${{ steps.list.outputs.services }}
            steps:
              - id: list
                run: |
                  SERVICES='["auth-service","board-service"]'
                  echo "services=${SERVICES}" >> "$GITHUB_OUTPUT"
        """),
    "JSON array with spaces, the first item": (
        """
        on: push
        jobs:
          plan:
            runs-on: ubuntu-latest
            steps:
              - run: |-
                  echo 'matrix=["video-service", "auth-service"]' >> "$GITHUB_OUTPUT"
        """,
        """
        on: push
        jobs:
          plan:
            runs-on: ubuntu-latest
            steps:
              - run: |-
                  echo 'matrix=["auth-service"]' >> "$GITHUB_OUTPUT"
        """),
    "case pattern alternatives and loop words, with expressions masked": (
        """
        on: pull_request
        jobs:
          deploy:
            runs-on: ubuntu-24.04
            defaults:
              run:
                shell: bash
            steps:
              - name: deploy
                env:
                  REGISTRY: ${{ vars.REGISTRY }}
                run: |
                  for svc in auth-service video-service board-service; do
                    docker build -t "${{ vars.REGISTRY }}/${svc}" "src/${svc}"
                  done
                  case "$TARGET" in
                    "auth-service"|"video-service")
                      echo "go service" ;;
                    *)
                      echo "other" ;;
                  esac
        """,
        """
        on: pull_request
        jobs:
          deploy:
            runs-on: ubuntu-24.04
            defaults:
              run:
                shell: bash
            steps:
              - name: deploy
                env:
                  REGISTRY: ${{ vars.REGISTRY }}
                run: |
                  for svc in auth-service board-service; do
                    docker build -t "${{ vars.REGISTRY }}/${svc}" "src/${svc}"
                  done
                  case "$TARGET" in
                    "auth-service")
                      echo "go service" ;;
                    *)
                      echo "other" ;;
                  esac
        """),
    "composite action step, CRLF": (
        "runs:\r\n  using: composite\r\n  steps:\r\n    - shell: bash\r\n      run: |\r\n"
        "        gen_proto_go auth-service\r\n        gen_proto_go video-service\r\n"
        "        gen_proto_go board-service\r\n",
        "runs:\r\n  using: composite\r\n  steps:\r\n    - shell: bash\r\n      run: |\r\n"
        "        gen_proto_go auth-service\r\n        gen_proto_go board-service\r\n"),
}

NOOPS = {
    "a PowerShell step": """
        on: push
        jobs:
          b:
            runs-on: ubuntu-latest
            steps:
              - shell: pwsh
                run: |
                  gen_proto_go auth-service
                  gen_proto_go video-service
        """,
    "a job on a Windows runner": """
        on: push
        jobs:
          b:
            runs-on: windows-2022
            steps:
              - run: |
                  gen_proto_go auth-service
                  gen_proto_go video-service
        """,
    "the workflow's default shell is Python": """
        on: push
        defaults:
          run:
            shell: python
        jobs:
          b:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  print('video-service')
                  print('auth-service')
        """,
    "a run key that is not a step's": """
        run: |
          gen_proto_go auth-service
          gen_proto_go video-service
        """,
    "a longer sibling, a lone message, a stateful builtin": """
        on: push
        jobs:
          b:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  gen_proto_go video-service-gateway
                  gen_proto_go auth-service
                  echo "building video-service"
                  cd video-service
                  SERVICES='["video-service-gateway","auth-service"]'
        """,
    "a folded scalar is not a script to edit": """
        on: push
        jobs:
          b:
            runs-on: ubuntu-latest
            steps:
              - run: >
                  gen_proto_go auth-service
                  gen_proto_go video-service
        """,
}


def _edit(text: str):
    kind = classify(WORKFLOW, text)
    return editor_for(kind).remove(text, replace(ctx(), path=WORKFLOW))


def _prepared(text: str) -> str:
    return text if "\r\n" in text else dedent(text)


@pytest.mark.parametrize("before, after", PAIRS.values(), ids=PAIRS.keys())
def test_pairs(before, after):
    before, after = _prepared(before), _prepared(after)
    result = _edit(before)
    assert (result.text, result.refused) == (after, [])
    assert _edit(after).text == after  # a second run changes nothing
    YAML(typ="safe").load(after)


def test_both_yaml_paths_are_taken():
    kinds = {name: classify(WORKFLOW, _prepared(before)) for name, (before, _) in PAIRS.items()}
    assert set(kinds.values()) == {"yaml", "helm"}


@pytest.mark.parametrize("text", NOOPS.values(), ids=NOOPS.keys())
def test_look_alikes_are_left(text):
    text = dedent(text)
    result = _edit(text)
    assert result.text == text
    assert result.refused == []


REFUSED = {
    "a case pattern that would become empty": (
        """
        on: push
        jobs:
          b:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  case "$X" in
                    video-service) echo only ;;
                    *) echo rest ;;
                  esac
        """, [(8, "the case pattern would become empty")]),
    "a JSON array that would become empty": (
        """
        on: push
        jobs:
          b:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  SERVICES='["video-service"]'
                  echo "$SERVICES"
        """, [(7, "the JSON array would become empty")]),
    "a regex alternative filtering free text": (
        """
        on: pull_request
        jobs:
          b:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  gen_proto_go auth-service
                  gen_proto_go video-service
                  echo "$TITLE" | grep -qE 'auth-service|video-service' && echo deep
        """, [(9, "pattern in a shell script: it may match more than the service")]),
}


@pytest.mark.parametrize("text, refusals", REFUSED.values(), ids=REFUSED.keys())
def test_ambiguous_lines_are_refused_and_listed(text, refusals):
    text = dedent(text)
    result = _edit(text)
    assert [(r.line, r.reason) for r in result.refused] == refusals
    if "grep" in text:  # the call line still goes; the pattern stays for a human
        assert result.text == text.replace("\n          gen_proto_go video-service\n", "\n")
    else:
        assert result.text == text


def test_a_script_that_bash_would_reject_is_refused_whole(monkeypatch):
    before, _ = (_prepared(t) for t in PAIRS["per-component call lines"])
    monkeypatch.setattr(shell, "still_valid", lambda old, new: "bash -n fails: line 2: syntax error")
    result = _edit(before)
    assert result.text == before
    assert [(r.line, r.reason) for r in result.refused] == [(8, "edit refused: bash -n fails: line 2: syntax error")]


def test_shell_files_get_the_json_array_rule_too():
    before = "#!/bin/bash\nSERVICES='[\"auth-service\", \"video-service\", \"board-service\"]'\n"
    after = "#!/bin/bash\nSERVICES='[\"auth-service\", \"board-service\"]'\n"
    assert shell.remove(before, ctx()).text == after
    assert shell.remove(after, ctx()).text == after
    odd = "#!/bin/bash\nX='[video-service]'\necho '[\"video-service\", 1]'\n"  # not JSON arrays of strings
    assert shell.remove(odd, ctx()).text == odd


def test_plain_yaml_and_template_workflows_agree():
    """The same workflow without expressions (YAML editor) and with one (Helm editor) gets the
    same script edit."""
    before, after = (_prepared(t) for t in PAIRS["per-component call lines"])
    assert yaml_file.remove(before, replace(ctx(), path=WORKFLOW)).text == after
    with_expression = before.replace("make check", "make check ${{ matrix.x }}")
    assert helm.remove(with_expression, replace(ctx(), path=WORKFLOW)).text == \
        after.replace("make check", "make check ${{ matrix.x }}")


def test_remove_service_edits_workflow_scripts_end_to_end(tmp_path):
    before, after = (_prepared(t) for t in PAIRS["case pattern alternatives and loop words, with expressions masked"])
    write_tree(tmp_path, {
        "services/auth-service/Dockerfile": "FROM scratch\n",
        "services/video-service/Dockerfile": "FROM scratch\n",
        "services/board-service/Dockerfile": "FROM scratch\n",
        WORKFLOW: before,
    })
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    files = tree_bytes(tmp_path)
    assert files[WORKFLOW] == after.encode()
    assert not any(p.startswith("services/video-service/") for p in files)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == files


NAMES = st.sampled_from(["auth-service", "video-service", "board-service", "video-service-gateway"])


@settings(max_examples=100, deadline=None)
@given(calls=st.lists(NAMES, min_size=1, max_size=6), indent=st.sampled_from([2, 4]),
       expression=st.booleans())
def test_only_the_components_call_lines_go(calls, indent, expression):
    pad = " " * indent
    head = f"on: push\njobs:\n{pad}b:\n{pad * 2}runs-on: ubuntu-latest\n{pad * 2}steps:\n{pad * 3}- run: |\n"
    tail = f"{pad * 3}- run: echo ${{{{ github.sha }}}}\n" if expression else ""
    inner = pad * 3 + "  " + pad  # deeper than the `run` key after the dash
    body = "".join(f"{inner}gen_proto_go {c}\n" for c in calls)
    text = head + body + tail
    result = _edit(text)
    kept = calls if all(c == "video-service" for c in calls) else [c for c in calls if c != "video-service"]
    assert result.text == head + "".join(f"{inner}gen_proto_go {c}\n" for c in kept) + tail
    assert _edit(result.text).text == result.text
    YAML(typ="safe").load(result.text)


def test_the_services_calls_side_by_side_all_go():
    """`gen_proto_go video-service` then `gen_proto_python video-service`: the second call's
    neighbour is the service's own first call; the list is still one of per-component calls."""
    before = ("#!/bin/bash\ngen_proto_go auth-service\ngen_proto_go video-service\n"
              "# python stubs\ngen_proto_python video-service\ngen_proto_python board-service\n")
    after = "#!/bin/bash\ngen_proto_go auth-service\n# python stubs\ngen_proto_python board-service\n"
    assert shell.remove(before, ctx()).text == after
    alone = "#!/bin/bash\ngen_proto_go video-service\ngen_proto_python video-service\n"
    assert shell.remove(alone, ctx()).text == alone  # no other component: not a per-component list


def test_a_refused_script_line_is_listed_and_the_run_exits_1(tmp_path, capsys):
    text, [(line, reason)] = REFUSED["a case pattern that would become empty"]
    text = dedent(text)
    write_tree(tmp_path, {"services/video-service/Dockerfile": "FROM scratch\n",
                          "services/auth-service/Dockerfile": "FROM scratch\n", WORKFLOW: text})
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(r["path"], r["line"], r["reason"]) for r in report["refused"]] == [(WORKFLOW, line, reason)]
    assert WORKFLOW not in {f["path"] for f in report["files"]}
