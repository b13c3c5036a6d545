"""Bracketed string lists in the repository's own scripts and tests (issue 12): the component's
list entries go, one per line with its line or inline with its comma; entries that say more than
the name, call arguments and application source stay."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gitops_bot.cli import main
from gitops_bot.edit import classify, source_list

from .conftest import tree_bytes, write_tree
from .editors import ctx, dedent

# (path, before, after); after None: the text must come back unchanged and nothing is refused.
PAIRS = {
    "python: one entry per line goes with its line and the comment that names it": (
        "scripts/gen.py",
        """
        SERVICES = [
            "auth-service",
            # video-service: recordings
            "video-service",
            'board-service',  # boards
        ]
        """,
        """
        SERVICES = [
            "auth-service",
            'board-service',  # boards
        ]
        """),
    "python: an inline list is edited in place, first, middle and last": (
        "scripts/gen.py",
        """
        A = ["video-service", "auth-service"]
        B = ["auth-service", "video-service", "board-service"]
        C = ["auth-service", "board-service", "video-service"]
        PATHS = ("x", "y")
        """,
        """
        A = ["auth-service"]
        B = ["auth-service", "board-service"]
        C = ["auth-service", "board-service"]
        PATHS = ("x", "y")
        """),
    "python: the last entry without a trailing comma takes the comma before it": (
        "tools/list.py",
        """
        apps = [
            'auth-service',
            'video-service'
        ]
        """,
        """
        apps = [
            'auth-service'
        ]
        """),
    "python: a dict entry whose name is the component goes whole, the short name too": (
        "scripts/take-shots",
        """
        #!/usr/bin/env python3
        apps = [
            {
                'name': 'auth',
                'url': 'https://auth.example.com/login'
            },
            {
                'name': 'video',
                'url': 'https://video.example.com/ui/video/rooms'
            },
            {'name': 'board', 'url': 'https://board.example.com'},
        ]
        """,
        """
        #!/usr/bin/env python3
        apps = [
            {
                'name': 'auth',
                'url': 'https://auth.example.com/login'
            },
            {'name': 'board', 'url': 'https://board.example.com'},
        ]
        """),
    "go: a table row of a test goes; a path entry of a slice too": (
        "test/smoke_test.go",
        """
        package test

        func TestSmoke(t *testing.T) {
        	var apps = []struct {
        		name      string
        		namespace string
        	}{
        		{"auth-server", "auth-service"},
        		{"video-api", "video-service"},
        		{"board", "board-service"},
        	}
        	paths := []string{"services/auth-service/api", "services/video-service/api"}
        	for _, s := range []string{"video-service", "board-service"} {
        		check(t, s, nil)
        	}
        	for _, app := range apps {
        		check(t, app.name, paths)
        	}
        }
        """,
        """
        package test

        func TestSmoke(t *testing.T) {
        	var apps = []struct {
        		name      string
        		namespace string
        	}{
        		{"auth-server", "auth-service"},
        		{"board", "board-service"},
        	}
        	paths := []string{"services/auth-service/api"}
        	for _, s := range []string{"board-service"} {
        		check(t, s, nil)
        	}
        	for _, app := range apps {
        		check(t, app.name, paths)
        	}
        }
        """),
    "typescript: an array constant and an object property": (
        "e2e/services.ts",
        """
        // the services the e2e suite visits
        export const SERVICES: string[] = ['auth-service', 'video-service', 'board-service'];
        const config = {
          apps: [
            { name: 'auth-service', port: 8001 },
            { name: 'video-service', port: 8002 },
          ],
        };
        """,
        """
        // the services the e2e suite visits
        export const SERVICES: string[] = ['auth-service', 'board-service'];
        const config = {
          apps: [
            { name: 'auth-service', port: 8001 },
          ],
        };
        """),
    "loops over a literal list, in Python and Go": (
        "hack/loop.py",
        """
        for svc in ["auth-service", "video-service"]:
            print(svc)
        """,
        """
        for svc in ["auth-service"]:
            print(svc)
        """),
    "python: a set of paths in a CI script loses the paths into the component, comments with them": (
        ".github/scripts/plan.py",
        """
        def roots():
            exclude = {
                'stacks/auth-service',  # needs DNS
                'stacks/video-service/1.primary',  # remote state
                'stacks/video-service/2.replica',  # remote state
                'stacks/board-service/env',
            }
            return exclude
        """,
        """
        def roots():
            exclude = {
                'stacks/auth-service',  # needs DNS
                'stacks/board-service/env',
            }
            return exclude
        """),
    "no-op: a CI script's set of another component's paths, and a longer look-alike name, stays": (
        ".github/scripts/plan.py",
        """
        exclude = {
            'stacks/auth-service',
            'stacks/video-service-gateway/main',
        }
        """,
        None),
    "no-op: call arguments, subscripts, comparisons, dict keys and prose stay": (
        "scripts/ops.py",
        """
        import subprocess
        subprocess.run(["kubectl", "rollout", "restart", "video-service"])
        deploy(services=["auth-service", "video-service"])
        print(urls["video-service"])
        if names == ["video-service", "auth-service"]:
            pass
        PORTS = {"video-service": 8002, "auth-service": 8001}
        HELP = "restarts video-service"
        """,
        None),
    "no-op: another component's longer name and a name in a comment stay": (
        "test/smoke_test.go",
        """
        package test

        // video-service is checked elsewhere
        var apps = []struct{ name, namespace string }{
        	{"gateway", "video-service-gateway"},
        	{"auth", "auth-service"},
        }
        """,
        None),
}


@pytest.mark.parametrize("case", PAIRS)
def test_pairs_and_a_second_run(case):
    path, before, after = PAIRS[case]
    before = dedent(before)
    after = before if after is None else dedent(after)
    c = replace(ctx(), path=path)
    assert classify(path, before) == "script"
    result = source_list.remove(before, c)
    assert result.text == after
    assert not result.refused
    assert source_list.remove(after, c).text == after
    assert source_list.still_valid(before, result.text) is None


REFUSED = {
    "an entry that says more than the name": ('ARGS = ["auth-service", "video-service --debug"]\n', [1]),
    "a record whose identity is another component": (
        "apps = [\n    {'name': 'auth', 'url': 'https://x/video-service'},\n    {'name': 'board', 'url': 'b'},\n]\n",
        [2]),
    "rows sharing the value: it is no row's identity": (
        'package test\n\nvar apps = [][2]string{\n\t{"grafana", "video-service"},\n\t{"loki", "video-service"},\n'
        '\t{"auth", "auth-service"},\n}\n', [4, 5]),
    "a list that would become empty": ('ONLY = ["video-service"]\n', [1]),
    "a list that looks like a command line": ('CMD = ["kubectl", "-n", "video-service", "get", "pods"]\n', [1]),
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_it_refuses_is_listed_and_unchanged(case):
    text, lines = REFUSED[case]
    path = "test/x_test.go" if text.startswith("package") else "scripts/x.py"
    result = source_list.remove(text, replace(ctx(), path=path))
    assert result.text == text
    assert [r.line for r in result.refused] == lines


def test_which_files_it_claims():
    py = "import os\nA = ['video-service']\n"
    for path in ("scripts/gen.py", "hack/update.go", "tools/sync.ts", "tests/e2e/util.js", "test/x/smoke_test.go",
                 ".github/scripts/plan.py"):
        assert classify(path, py) == "script", path
    assert classify("scripts/take-screenshots", "#!/usr/bin/env python\nA = []\n") == "script"
    assert classify("scripts/run", "#!/usr/bin/env node\nconst a = []\n") == "script"
    # application source stays source, wherever its lists are
    for path in ("services/video-service/main.go", "src/app.ts", "gen.py", "frontend/tests.py",
                 ".github/actions/notify/dist/index.js"):
        assert classify(path, py) == "source", path
    assert classify("scripts/deploy.sh", "#!/bin/bash\n") == "shell"
    assert classify("scripts/README.md", "# x\n") == "markdown"


def test_text_it_cannot_follow_is_not_edited():
    for path, text in (("scripts/x.py", "A = ['video-service\n"), ("scripts/x.js", "const re = (/abc\nconst a = [];\n"),
                       ("test/x_test.go", "package x\n\nvar a = []string{\"video-service\"\n")):
        with pytest.raises(source_list.Unparsable):
            source_list.remove(text, replace(ctx(), path=path))


def test_a_javascript_regular_expression_is_one_token_and_a_division_is_none():
    text = "const re = /['video-service',]/g;\nconst half = total / 2;\nconst a = ['video-service', 'b'];\n"
    result = source_list.remove(text, replace(ctx(), path="scripts/x.js"))
    assert result.text == "const re = /['video-service',]/g;\nconst half = total / 2;\nconst a = ['b'];\n"


def test_a_result_that_no_longer_parses_is_refused():
    assert source_list.still_valid("A = ['a', 'b']\n", "A = ['a', , 'b']\n") is not None
    assert source_list.still_valid("A = ['a', 'b']\n", "A = ['a'\n") is not None
    assert source_list.still_valid("A = ['a', 'b']\n", "A = ['a']\n") is None


def test_a_removal_edits_tooling_lists_and_leaves_application_source(tmp_path, capsys):
    files = {
        "services/video-service/main.go": "package main\n",
        "services/video-service/Dockerfile": "FROM scratch\n",
        "services/auth-service/main.go": "package main\n",
        "services/auth-service/Dockerfile": "FROM scratch\n",
        "services/auth-service/clients.go": 'package main\n\nvar peers = []string{\n\t"board-service",\n'
                                            '\t"video-service",\n}\n',
        "scripts/screenshots.py": "APPS = [\n    'auth-service',\n    'video-service',\n]\n",
        "test/go.mod": "module example.com/test\n",
        "test/smoke_test.go": 'package test\n\nvar apps = [][2]string{\n\t{"auth", "auth-service"},\n'
                              '\t{"video", "video-service"},\n}\n',
    }
    write_tree(tmp_path, files)
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(tmp_path), "--format", "json"]) == 0
    residue = {(r["path"], r["reason"]) for r in json.loads(capsys.readouterr().out)["residue"]}
    assert residue == {("services/auth-service/clients.go", "source code")}
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    after = tree_bytes(tmp_path)
    assert after["scripts/screenshots.py"] == b"APPS = [\n    'auth-service',\n]\n"
    assert after["test/smoke_test.go"] == b'package test\n\nvar apps = [][2]string{\n\t{"auth", "auth-service"},\n}\n'
    assert after["services/auth-service/clients.go"] == files["services/auth-service/clients.go"].encode()
    assert "services/video-service/main.go" not in after
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == after


def test_a_refused_entry_is_listed_first_and_the_run_exits_1(tmp_path, capsys):
    write_tree(tmp_path, {
        "services/video-service/Dockerfile": "FROM scratch\n",
        "services/auth-service/Dockerfile": "FROM scratch\n",
        "scripts/shots.py": "APPS = [\n    {'name': 'auth', 'url': 'https://x/video-service'},\n    {'name': 'board'},\n]\n",
    })
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(r["path"], r["line"]) for r in report["refused"]] == [("scripts/shots.py", 2)]
    assert [(r["path"], r["line"], r["reason"][:13]) for r in report["residue"]] == [("scripts/shots.py", 2,
                                                                                      "edit refused:")]


def test_a_list_holding_one_mapping_before_another_group_is_no_type_and_no_crash():
    """SigNoz's integration tests compare `== [ {...} ]` and then `assert {...} in values`: a
    bracket group holding one mapping, read as a type prefix before the next group, ended the
    run with an internal error (found by the sweep of the corpus repositories at HEAD)."""
    text = ('assert x == [\n    {"a": 1}\n]\nassert {"v": 14} in y\n'
            'suites = ["video-service", "board-service"]\n')
    result = source_list.remove(text, replace(ctx(), path="tests/integration/test_x.py"))
    assert result.text == text.replace('"video-service", ', "")
