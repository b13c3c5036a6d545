"""JSON editor: before/after pairs, look-alikes left alone, refusals, idempotence, and a property
test (any array of names loses exactly the component's items and nothing else)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_bot.domain.findings import Kind
from gitops_bot.cli import main
from gitops_bot.edit import classify, json_file
from gitops_bot.parse.json import read

from .conftest import tree_bytes, write_tree
from .editors import ctx, dedent

PAIRS = [
    # one item a line: the line goes; the last item takes the comma before it
    (dedent("""
        {
          "files": [
            "src/auth-service/api_pb2.py",
            "src/video-service/api_pb2.py",
            "src/board-service/api_pb2.py"
          ]
        }
     """), dedent("""
        {
          "files": [
            "src/auth-service/api_pb2.py",
            "src/board-service/api_pb2.py"
          ]
        }
     """)),
    (dedent("""
        {
          "files": [
            "src/auth-service/api_pb2.py",
            "src/video-service/api_pb2.py"
          ]
        }
     """), dedent("""
        {
          "files": [
            "src/auth-service/api_pb2.py"
          ]
        }
     """)),
    # inline arrays: the item with the separator that joins it to a neighbour
    ('{"services": ["auth-service", "video-service", "board-service"], "x": 1}\n',
     '{"services": ["auth-service", "board-service"], "x": 1}\n'),
    ('{"services": ["video-service", "auth-service"]}\n', '{"services": ["auth-service"]}\n'),
    ('{"services": ["auth-service", "video-service"]}', '{"services": ["auth-service"]}'),
    # workspace globs and nested arrays
    ('{"workspaces": ["services/*", "services/video-service/**", "packages/common"]}\n',
     '{"workspaces": ["services/*", "packages/common"]}\n'),
    ('[["video-service", "a"], ["b"]]\n', '[["a"], ["b"]]\n'),
    # CRLF and tabs survive
    ('{\r\n\t"a": [\r\n\t\t"video-service",\r\n\t\t"auth-service"\r\n\t]\r\n}\r\n',
     '{\r\n\t"a": [\r\n\t\t"auth-service"\r\n\t]\r\n}\r\n'),
]

NOOPS = [
    '{"expr": "up{job=~\\"auth-service|video-service\\"}"}\n',  # a PromQL string: residue, not an item
    '{"services": ["video-service-gateway", "auth-service"]}\n',  # a longer sibling component
    '{"title": "video-service"}\n',  # a scalar member's value is not a list item
    '{"video": ["a"]}\n',  # the short form alone
    # members keyed by the name: resource names others refer to (CloudFormation `Ref`)
    '{"VideoService": {"Type": "AWS::ECS::Service"}, "Other": {"Ref": "VideoService"}}\n',
    '{\n  "video-service": {"port": 1},\n  "auth-service": {"port": 2}\n}\n',
    '{"a": [], "b": {}, "c": [[], {}], "d": "video-service.example.com"}\n',  # empty containers
]


@pytest.mark.parametrize("before, after", PAIRS)
def test_pairs(before, after):
    result = json_file.remove(before, ctx())
    assert (result.text, result.refused) == (after, [])
    assert json_file.remove(after, ctx()).text == after  # idempotent


@pytest.mark.parametrize("text", NOOPS)
def test_look_alikes_are_left(text):
    assert json_file.remove(text, ctx()).text == text


def test_an_array_that_would_become_empty_is_refused():
    result = json_file.remove('{"services": ["video-service"]}\n', ctx())
    assert result.text == '{"services": ["video-service"]}\n'
    assert [(r.line, r.reason, r.kind) for r in result.refused] == [(1, "the array would become empty", Kind.KEPT)]


@pytest.mark.parametrize("text", ['// generated\n{"a": ["video-service", "b"]}\n',
                                  '{"a": ["video-service", "b",],}\n', '{"a": [\n'])
def test_text_that_is_not_strict_json_is_refused_not_a_stopped_run(text):
    result = json_file.remove(text, ctx())
    assert result.text == text
    assert result.refused[0].reason.startswith("not strict JSON (")


def test_classification_and_still_valid():
    assert classify("dashboards/a.json", "{}") == "json"
    assert classify("package-lock.json", "{}") == "generated"
    assert json_file.still_valid('{"a": 1}', '{"a": }').startswith("the result would not parse")
    assert json_file.still_valid('{"a": }', '{"a": }') is None


def test_reader_spans_every_value():
    text = '{"a": [1, "x", {"b": null}], "c": true}'
    root = read(text)
    a, c = root.children
    assert (a.key, text[a.start:a.end]) == ("a", '"a": [1, "x", {"b": null}]')
    assert [text[n.start:n.end] for n in a.children] == ["1", '"x"', '{"b": null}']
    assert (c.key, c.value, text[c.start:c.end]) == ("c", True, '"c": true')


NAMES = st.sampled_from(["auth-service", "video-service", "board-service", "services/video-service/x",
                         "video-service-gateway", "chat-service"])


@settings(max_examples=200, deadline=None)
@given(items=st.lists(NAMES, min_size=1, max_size=6), indent=st.sampled_from([None, 2, 4]))
def test_only_the_components_items_go(items, indent):
    text = json.dumps({"list": items, "other": 1}, indent=indent) + "\n"
    result = json_file.remove(text, ctx())
    kept = [i for i in items if i not in ("video-service", "services/video-service/x")]
    if not kept:
        assert result.text == text and result.refused
        return
    assert json.loads(result.text) == {"list": kept, "other": 1}
    assert json_file.remove(result.text, ctx()).text == result.text


# -- JSON with comments (tsconfig, VS Code settings, Renovate) and paths the run deleted -----
JSONC_PAIRS = {
    "tsconfig: comments stay, the last item's line goes with the comma before it": ("tsconfig.json", dedent("""
        {
          // one project per service
          "compilerOptions": {"strict": true,},
          "include": [
            "src/auth-service/**", // auth
            "src/video-service/**"
          ],
        }
     """), dedent("""
        {
          // one project per service
          "compilerOptions": {"strict": true,},
          "include": [
            "src/auth-service/**" // auth
          ],
        }
     """)),
    "VS Code settings: trailing commas kept as written, the item's own comment goes": (".vscode/settings.json", dedent("""
        {
          "python.analysis.extraPaths": [
            "src/auth-service",
            "src/video-service", /* generated stubs */
          ],
          "files.exclude": {"**/node_modules": true},
        }
     """), dedent("""
        {
          "python.analysis.extraPaths": [
            "src/auth-service",
          ],
          "files.exclude": {"**/node_modules": true},
        }
     """)),
    "renovate: a middle item of an inline list in a JSONC file": (".renovaterc", dedent("""
        {
          /* grouped updates */
          "packageRules": [
            {"matchPaths": ["src/auth-service/**", "src/video-service/**", "src/board-service/**"], "groupName": "app"}
          ]
        }
     """), dedent("""
        {
          /* grouped updates */
          "packageRules": [
            {"matchPaths": ["src/auth-service/**", "src/board-service/**"], "groupName": "app"}
          ]
        }
     """)),
}

JSONC_PAIRS["renovate.json5: the component's package rule goes whole (bare keys, single quotes)"] = (
    "renovate.json5", dedent("""
        {
          // one group per service
          labels: ['dependencies'],
          "packageRules": [
            {
              "matchFileNames": ["src/auth-service/**"],
              "groupName": "auth-service",
            },
            {
              matchFileNames: ['src/video-service/**'],
              groupName: 'video-service',
            },
            {
              "matchFileNames": ["src/board-service/**"],
              "groupName": "board-service",
            },
          ],
        }
     """), dedent("""
        {
          // one group per service
          labels: ['dependencies'],
          "packageRules": [
            {
              "matchFileNames": ["src/auth-service/**"],
              "groupName": "auth-service",
            },
            {
              "matchFileNames": ["src/board-service/**"],
              "groupName": "board-service",
            },
          ],
        }
     """))
JSONC_PAIRS["a record of the component's strings goes, numbers and booleans with it; the last takes its comma"] = (
    "services.json", dedent("""
        {
          "services": [
            {"name": "auth-service", "port": 8080},
            {"name": "video-service", "port": 8081, "paths": ["src/video-service/**"], "public": true}
          ]
        }
     """), dedent("""
        {
          "services": [
            {"name": "auth-service", "port": 8080}
          ]
        }
     """))


@pytest.mark.parametrize("path, before, after", JSONC_PAIRS.values(), ids=JSONC_PAIRS.keys())
def test_jsonc_pairs(path, before, after):
    result = json_file.remove(before, replace(ctx(), path=path))
    assert (result.text, result.refused) == (after, [])
    assert json_file.remove(after, replace(ctx(), path=path)).text == after


def test_a_comment_about_a_neighbour_is_not_taken_with_an_item():
    text = dedent("""
        {
          "include": [
            "src/auth-service/**",
            // the board keeps its own stubs
            "src/video-service/**",
            "src/board-service/**",
            "src/chat-service/**"
          ]
        }
     """)
    result = json_file.remove(text, replace(ctx(), path="tsconfig.json"))
    assert result.text == text.replace('    "src/video-service/**",\n', "")  # the comment line stays
    inline = '{"a": ["src/auth-service/x", /* auth stubs */ "src/video-service/x"]}\n'
    result = json_file.remove(inline, replace(ctx(), path="tsconfig.json"))
    assert result.text == inline
    assert [r.reason for r in result.refused] == ["removing the item would take a comment that does not name it"]


def test_comments_are_refused_where_the_tool_reads_strict_json():
    text = '// generated\n{"a": ["video-service", "b"]}\n'
    result = json_file.remove(text, replace(ctx(), path="config/services.json"))
    assert result.text == text and result.refused[0].reason.startswith("not strict JSON (")
    result = json_file.remove('{"a": [\n', replace(ctx(), path="tsconfig.json"))
    assert result.refused[0].reason.startswith("not JSON with comments (")


def test_items_pointing_at_deleted_paths_go_whatever_their_name():
    deleted = frozenset({"tools/vidgen", "tools/vidgen/main.py", "web/player/index.ts", "web/player"})
    context = replace(ctx(), deleted_paths=deleted)
    before = dedent("""
        {
          "workspaces": [
            "packages/*",
            "tools/vidgen",
            "./web/player/",
            "web/playerkit"
          ]
        }
     """)
    after = dedent("""
        {
          "workspaces": [
            "packages/*",
            "web/playerkit"
          ]
        }
     """)
    result = json_file.remove(before, replace(context, path="package.json"))
    assert (result.text, result.refused) == (after, [])
    # relative to the file's folder (a tsconfig include), and globs below a deleted folder
    nested = '{"include": ["player/**/*.ts", "shared/**"]}\n'
    assert json_file.remove(nested, replace(context, path="web/tsconfig.json")).text == '{"include": ["shared/**"]}\n'
    # a glob that only matches a deleted folder among others, a URL, a template: left
    looks = '{"a": ["web/*", "https://x/web/player", "${dir}/web/player", "web/player-two"]}\n'
    assert json_file.remove(looks, replace(context, path="package.json")).text == looks


def test_records_that_are_not_only_the_components_stay():
    # a shared rule, a record with another string, a rule whose list keeps another path
    text = dedent("""
        {
          packageRules: [
            {matchFileNames: ['src/video-service/**'], groupName: 'media'},
            {"name": "video-service", "image": "nginx"},
            {"matchFileNames": ["src/board-service/**", "src/video-service/**"]},
            {"enabled": false},
          ],
        }
     """)
    result = json_file.remove(text, replace(ctx(), path="renovate.json5"))
    assert result.text == text.replace('"src/board-service/**", "src/video-service/**"', '"src/board-service/**"')
    assert [(r.line, r.reason) for r in result.refused] == [(3, "the array would become empty")]  # media's list
    assert json_file.remove(result.text, replace(ctx(), path="renovate.json5")).text == result.text
    assert json_file.remove('[{"name": "video-service"}]\n', ctx()).refused[0].reason == "the array would become empty"


@pytest.mark.parametrize("text", ["{a: 0x10, b: ['video-service', 'x']}\n", "{a: 'line \\\n more'}\n",
                                  "{'a': +1}\n", "{a-b: ['video-service', 'x']}\n"])
def test_json5_this_reader_does_not_know_is_refused(text):
    result = json_file.remove(text, replace(ctx(), path="renovate.json5"))
    assert result.text == text and result.refused[0].reason.startswith("not JSON5 this reader knows (")


def test_json5_reader_reads_single_quotes_as_their_json_strings():
    root = read("{k: 'it\\'s \"q\" \\u0041', 'x y': \"z\",}", json5=True)
    assert [(n.key, n.value) for n in root.children] == [("k", 'it\'s "q" A'), ("x y", "z")]
    with pytest.raises(ValueError):
        read("{k: 1}", comments=True)  # bare keys are JSON5's, not JSONC's


def test_jsonc_classification_and_validity():
    assert classify("renovate.json5", "{}") == "json" and json_file.is_json5(".github/renovate.json5")
    assert json_file.still_valid("{a: [1, 2]}", "{a: [1, ]}") is None
    assert json_file.still_valid("{a: [1, 2]}", "{a: [1,, ]}").startswith("the result would not parse")
    assert classify(".renovaterc", "{}") == "json"
    assert classify(".vscode/settings.jsonc", "{}") == "json"
    assert json_file.is_jsonc("web/tsconfig.app.json") and json_file.is_jsonc(".vscode/launch.json")
    assert not json_file.is_jsonc("dashboards/video.json")
    assert json_file.still_valid('{"a": 1, // x\n}', '{"a": 1, // x\n}') is None
    assert json_file.still_valid('{"a": [1,], // x\n}', '{"a": [1,, // x\n}').startswith("the result would not parse")


def test_remove_service_edits_json_configs_end_to_end(tmp_path):
    write_tree(tmp_path, {
        "src/auth-service/Dockerfile": "FROM scratch\n",
        "src/video-service/Dockerfile": "FROM scratch\n",
        "tsconfig.json": JSONC_PAIRS["tsconfig: comments stay, the last item's line goes with the comma before it"][1],
        ".licenserc.json": '{\n  "ignore": [\n    "src/auth-service/api_pb2.py",\n    "src/video-service/api_pb2.py"\n  ]\n}\n',
    })
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    files = tree_bytes(tmp_path)
    assert files["tsconfig.json"].decode() == \
        JSONC_PAIRS["tsconfig: comments stay, the last item's line goes with the comma before it"][2]
    assert files[".licenserc.json"] == b'{\n  "ignore": [\n    "src/auth-service/api_pb2.py"\n  ]\n}\n'
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == files
