"""After a removal nothing points at what it deleted unnoticed: structural entries into deleted
paths go (also from files that do not name the component), the rest is listed: refused (exit 1)
in configuration, scripts and build files and for imports of remaining source ("still imported
by PATH:LINE"), residue in prose and comments. The validation report says what was checked."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.imports import go_modules, imports_of_deleted
from gitops_bot.domain.pathrefs import Gone, references, resolve

from .conftest import tree_bytes, write_tree

GONE = Gone(
    deleted=frozenset({"apps/kfserving", "apps/kfserving/base/kustomization.yaml", "apps/kfserving/base",
                       "infra/policies/tenancy.yaml", "deploy/manifests/zipkin-ns.yaml", "charts/video"}),
    files=frozenset({"apps/kfserving/base/kustomization.yaml", "infra/policies/tenancy.yaml",
                     "infra/policies/kustomization.yaml", "deploy/manifests/zipkin-ns.yaml",
                     "deploy/manifests/app.yaml", "docs/charts/video/index.md"}),
    folders=frozenset({"apps", "apps/kfserving", "apps/kfserving/base", "infra", "infra/policies", "deploy",
                       "deploy/manifests", "charts", "charts/video", "docs", "docs/charts", "docs/charts/video"}),
)


@pytest.mark.parametrize(("word", "folder", "target"), [
    ("apps/kfserving/base", "", "apps/kfserving/base"),
    ("./apps/kfserving/", "hack", "apps/kfserving"),
    ("../../apps/kfserving/base", "contrib/kserve", "apps/kfserving/base"),
    ("./infra/policies/tenancy.yaml", "", "infra/policies/tenancy.yaml"),
    ("tenancy.yaml", "infra/policies", "infra/policies/tenancy.yaml"),
    ("~/clone/deploy/manifests/zipkin-ns.yaml", "", "deploy/manifests/zipkin-ns.yaml"),
    ("/home/ubuntu/clone/deploy/manifests/zipkin-ns.yaml", "", "deploy/manifests/zipkin-ns.yaml"),
    ("clone/apps/kfserving/base.", "", "apps/kfserving/base"),
    ("//github.com/o/r/tree/main/apps/kfserving", "", "apps/kfserving"),
    ("./apps/kfserving/cover/", "", "apps/kfserving/cover"),  # never in the tree, but inside a deleted folder
    ("/apps/kfserving", "", "apps/kfserving"),  # a Markdown link from the repository root
])
def test_a_word_that_resolves_to_a_deleted_path(word, folder, target):
    assert resolve(word, folder, GONE) == target


@pytest.mark.parametrize(("word", "folder"), [
    ("infra/policies", ""),  # the folder keeps its kustomization
    ("./infra/policies/kustomization.yaml", ""),
    ("kfserving", "apps"),  # a bare name is a name, not a path
    ("tenancy.yaml", ""),  # not beside the file that names it
    ("docs/charts/video", ""),  # a path that is still there, whatever its tail
    ("charts/video", "docs"),  # from docs/ it is docs/charts/video, which stays
    ("//github.com/o/r/issues/apps/kfserving", ""),
    ("/srv/kfserving", ""),
])
def test_a_word_that_does_not(word, folder):
    assert resolve(word, folder, GONE) is None


def test_references_report_line_column_and_target():
    text = "resources:\n  - ../../apps/kfserving/base # old\n  - ../other\n"
    refs = references(text, "overlays/dev/kustomization.yaml", GONE)
    assert [(r.line, r.column, r.word, r.target) for r in refs] == [
        (2, 5, "../../apps/kfserving/base", "apps/kfserving/base")]


GO_MOD = [("services/api/go.mod", "module example.com/platform/api\n\ngo 1.22\n")]
IMPORT_GONE = Gone(
    deleted=frozenset({"services/api/internal/video", "services/api/internal/video/client.go",
                       "web/src/video.ts", "web/src/player", "web/src/player/index.ts", "tools/gen/video.py",
                       "tools/media", "tools/media/__init__.py"}),
    files=frozenset({"services/api/internal/video/client.go", "web/src/video.ts", "web/src/player/index.ts",
                     "web/src/app.ts", "tools/gen/video.py", "tools/media/__init__.py", "web/src/kept.ts"}),
    folders=frozenset({"services/api/internal/video", "web/src/player", "tools/media", "tools", "tools/gen"}),
)


@pytest.mark.parametrize(("path", "text", "expected"), [
    ("services/api/main.go",
     'package main\n\nimport (\n\t"fmt"\n\tvc "example.com/platform/api/internal/video"\n)\n',
     [(5, "services/api/internal/video")]),
    ("services/api/cmd/x.go", 'package main\nimport "example.com/platform/api/internal/video"\n',
     [(2, "services/api/internal/video")]),
    ("services/api/cmd/y.go", 'package main\nimport "example.com/other/internal/video"\n', []),
    ("web/src/app.ts", 'import { a } from "./video";\nimport b from "./kept";\nconst p = require("./player");\n'
     'export * from "./player/index";\nconst l = await import("./video.ts");\n',
     [(1, "web/src/video.ts"), (3, "web/src/player"), (4, "web/src/player/index.ts"), (5, "web/src/video.ts")]),
    ("web/src/app.ts", 'import { a } from "video";\n', []),  # a package, not a file here
    ("tools/gen/main.py", "from .video import render\nfrom ..media import codec\nfrom . import video, other\n"
     "import video\n", [(1, "tools/gen/video.py"), (2, "tools/media"), (3, "tools/gen/video.py"),
                        (4, "tools/gen/video.py")]),
    # absolute imports: found from the file's folder up; the standard library and packages are not judged
    ("tools/cli.py", "import os\nfrom requests import get\nfrom gen import video\nimport media.codec\n"
     "from gen.other import x\n", [(3, "tools/gen/video.py"), (4, "tools/media")]),
])
def test_imports_of_deleted_paths(path, text, expected):
    found = imports_of_deleted(path, text, IMPORT_GONE, go_modules(GO_MOD))
    assert [(i.line, i.target) for i in found] == expected


# -- the whole run ---------------------------------------------------------------------------
BEFORE = {
    "services/video-service/main.go": "package main\n",
    "services/video-service/Dockerfile": "FROM scratch\n",
    "services/video-service/deploy/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "services/auth-service/main.go": "package main\n",
    "services/auth-service/Dockerfile": "FROM scratch\n",
    "web/package.json": '{"name": "web"}\n',
    "web/src/app.ts": 'import { play } from "../../services/video-service/sdk";\nexport const x = play;\n',
    "web/src/ui.ts": "export const y = 1;\n",
    ".github/workflows/ci.yml": (
        "name: ci\non:\n  push:\n    paths:\n      - services/video-service/**\n      - services/auth-service/**\n"
        "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"),
    "hack/install.sh": ("#!/bin/sh\nset -e\n# installs everything\n"
                        "kustomize build services/auth-service/deploy | kubectl apply -f -\n"
                        "kustomize build services/video-service/deploy | kubectl apply -f -\n"),
    # a link whose text is the file's name: as plain text it would still name it (residue)
    "docs/install.md": ("# Install\n\n"
                        "See [kustomization.yaml](../services/video-service/deploy/kustomization.yaml).\n\n"
                        "Then the rest.\n"),
    "config.yaml": "# services/video-service/ is the old one\nkeep: true\n",
}


def _plan(root, capsys, service="video-service"):
    code = main(["plan", "remove-service", f"service={service}", "--repo", str(root), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _apply(root, capsys, service="video-service"):
    code = main(["apply", "remove-service", f"service={service}", "--repo", str(root), "--format", "json"])
    capsys.readouterr()
    return code


def test_structural_entries_go_and_the_rest_is_listed(tmp_path, capsys):
    write_tree(tmp_path, BEFORE)
    code, report = _plan(tmp_path, capsys)
    assert code == 1
    changed = {f["path"]: f["status"] for f in report["files"]}
    assert changed[".github/workflows/ci.yml"] == "modified"  # the paths filter entry went
    refused = {(r["path"], r["line"]): r["reason"] for r in report["refused"]}
    assert refused == {
        ("hack/install.sh", 5): "still names services/video-service/deploy/, which this change deletes: "
                                "remove or re-point it by hand",
    }
    residue = {(r["path"], r["line"]): r["reason"] for r in report["residue"]}
    assert residue[("docs/install.md", 3)] == (
        "prose (a broken link or command) names services/video-service/deploy/kustomization.yaml, "
        "which this change deletes")
    assert residue[("config.yaml", 1)] == "a comment names services/video-service/, which this change deletes"
    # sdk.ts never existed: not an import of a deleted file, but a path inside the deleted folder
    assert residue[("web/src/app.ts", 1)] == "source code names services/video-service/sdk, which this change deletes"
    checks = [v for v in report["validation"] if v["path"] == "(every file)"]
    assert checks == [{"path": "(every file)", "check": "no path reference or import left pointing at a deleted path",
                       "ok": False, "detail": "searched every file for the 5 deleted paths: 1 reference left in "
                                              "code or configuration (refused edits), 3 in prose, comments or "
                                              "other source (residue)"}]


def test_apply_changes_the_tree_byte_for_byte_and_a_second_run_changes_nothing(tmp_path, capsys):
    write_tree(tmp_path, BEFORE)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 1
    after = {p: t for p, t in BEFORE.items() if not p.startswith("services/video-service/")}
    after[".github/workflows/ci.yml"] = BEFORE[".github/workflows/ci.yml"].replace(
        "      - services/video-service/**\n", "")
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
    capsys.readouterr()
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}


def test_a_deleted_file_still_imported_is_refused_and_listed_where_it_was(tmp_path, capsys):
    files = dict(BEFORE, **{"services/video-service/sdk.ts": "export const play = 1;\n"})
    write_tree(tmp_path, files)
    code, report = _plan(tmp_path, capsys)
    assert code == 1
    refused = {(r["path"], r["line"]): r["reason"] for r in report["refused"]}
    assert refused[("web/src/app.ts", 1)] == ("imports services/video-service/sdk.ts, which this change deletes: "
                                              "the code no longer builds; change it by hand")
    residue = {(r["path"], r["line"], r["text"]): r["reason"] for r in report["residue"]}
    assert residue[("services/video-service/sdk.ts", 0, "(deleted)")] == "still imported by web/src/app.ts:1"


def test_a_go_package_still_imported_by_another_service(tmp_path, capsys):
    files = {
        "go.work": "go 1.22\n\nuse (\n\t./services/auth-service\n\t./services/video-service\n)\n",
        "services/video-service/go.mod": "module example.com/video\n",
        "services/video-service/main.go": "package main\n",
        "services/video-service/Dockerfile": "FROM scratch\n",
        "services/video-service/client/client.go": "package client\n",
        "services/auth-service/go.mod": "module example.com/auth\n",
        "services/auth-service/Dockerfile": "FROM scratch\n",
        "services/auth-service/main.go": ('package main\n\nimport (\n\t"fmt"\n\n\t"example.com/video/client"\n)\n'),
    }
    write_tree(tmp_path, files)
    code, report = _plan(tmp_path, capsys)
    assert code == 1
    assert [(r["path"], r["line"]) for r in report["refused"]] == [("services/auth-service/main.go", 6)]
    residue = {(r["path"], r["text"]): r["reason"] for r in report["residue"]}
    assert residue[("services/video-service/client", "(deleted)")] == (
        "still imported by services/auth-service/main.go:6")


def test_nothing_left_pointing_at_deleted_paths_is_a_passed_check_that_says_what_it_read(tmp_path, capsys):
    write_tree(tmp_path, {
        "services/video-service/main.go": "package main\n",
        "services/video-service/Dockerfile": "FROM scratch\n",
        "services/auth-service/Dockerfile": "FROM scratch\n",
        "kustomization.yaml": "resources:\n  - services/auth-service/deploy\n  - services/video-service/deploy\n",
    })
    code = main(["plan", "remove-service", "service=video-service", "--repo", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert ("  passed: no path reference or import left pointing at a deleted path "
            "(searched every file for the 3 deleted paths: 0 references left in code or configuration, "
            "0 in prose, comments or other source (residue))") in out.splitlines()


def test_a_removal_that_deletes_nothing_adds_no_check(tmp_path, capsys):
    write_tree(tmp_path, {"values.yaml": "video-service:\n  port: 80\nauth-service:\n  port: 81\n",
                          "services/video-service/README.md": "x\n", "services/auth-service/README.md": "y\n"})
    (tmp_path / "services/video-service/README.md").unlink()
    code, report = _plan(tmp_path, capsys)
    assert code == 0
    assert [v for v in report["validation"] if v["path"] == "(every file)"] == []


def test_entries_into_a_deleted_folder_go_from_files_that_do_not_name_the_component(tmp_path, capsys):
    """`istio/gateway/` is istio-gateway's folder, but `istio/gateway` is not a spelling of the
    name: the files that point into it are found by the path, and their structural entries go."""
    before = {
        "istio/gateway/Chart.yaml": "name: gateway\n",
        "istio/gateway/values.yaml": "replicas: 1\n",
        "istio/base/Chart.yaml": "name: base\n",
        ".github/workflows/charts.yml": (
            "name: charts\non:\n  push:\n    paths:\n      - istio/base/**\n      - istio/gateway/**\n"
            "jobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: helm lint istio/base\n"),
        "Dockerfile": "FROM alpine:3.20\nCOPY istio/base/ /charts/base/\nCOPY istio/gateway/ /charts/gateway/\n",
    }
    write_tree(tmp_path, before)
    assert main(["apply", "remove-service", "service=istio-gateway", "--repo", str(tmp_path)]) == 0
    after = {p: t for p, t in before.items() if not p.startswith("istio/gateway/")}
    after[".github/workflows/charts.yml"] = before[".github/workflows/charts.yml"].replace(
        "      - istio/gateway/**\n", "")
    after["Dockerfile"] = "FROM alpine:3.20\nCOPY istio/base/ /charts/base/\n"
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
    capsys.readouterr()
    assert main(["apply", "remove-service", "service=istio-gateway", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}


def test_a_line_an_editor_refused_is_listed_once(tmp_path, capsys):
    write_tree(tmp_path, {
        "services/video-service/Dockerfile": "FROM scratch\n",
        "services/auth-service/Dockerfile": "FROM scratch\n",
        ".pre-commit-config.yaml": ("repos:\n  - repo: local\n    hooks:\n      - id: lint\n"
                                    "        args: [--include, 'services/video-service/*', --exclude, 'docs/*']\n"),
    })
    code, report = _plan(tmp_path, capsys)
    assert code == 1
    assert [(r["path"], r["line"]) for r in report["refused"]] == [(".pre-commit-config.yaml", 5)]
    check = next(v for v in report["validation"] if v["path"] == "(every file)")
    assert not check["ok"] and ": 1 reference left in code or configuration (refused edits), " in check["detail"]


def test_the_validation_report_says_what_each_check_covered():
    from gitops_bot.delivery.pr import render_body
    from gitops_bot.domain.findings import Validation
    from gitops_bot.engine.changeset import ChangeSet
    from gitops_bot.engine.recipe import builtin_recipes

    changes = ChangeSet("remove-service", {"service": "video"}, validation=[
        Validation("a.yaml", "re-parsed", True), Validation("b.yaml", "re-parsed", True),
        Validation("Makefile", "bash -n", True),
        Validation("(every file)", "no reference left", True, "searched every file: 0 files still name one"),
        Validation("c.sh", "bash -n", False, "line 3: syntax error")])
    assert changes.validation_report() == [
        "passed: re-parsed (2 files)", "passed: bash -n (1 file)",
        "passed: no reference left (searched every file: 0 files still name one)",
        "FAILED c.sh: bash -n: line 3: syntax error"]
    assert "validation: 4 of 5 checks passed:\n  passed: re-parsed (2 files)\n" in changes.summary()
    body = render_body(builtin_recipes()["remove-service"], {"service": "video"}, changes, "o/r", "main",
                       "a" * 40, "b" * 40)
    assert ("4 of 5 checks passed:\n\n- ✅ re-parsed (2 files)\n- ✅ bash -n (1 file)\n"
            "- ✅ no reference left (searched every file: 0 files still name one)\n- ❌ `c.sh`: bash -n: "
            "`line 3: syntax error`\n") in body


@pytest.mark.parametrize(("path", "line", "left_as"), [
    ("build/notes.cfg", "# see services/video-service/", "a comment names"),
    ("build/notes.cfg", "key: value  # services/video-service/", "a comment names"),
    ("build/notes.cfg", "// services/video-service/", "a comment names"),
    ("build/notes.cfg", "  --values services/video-service/values.yaml \\", None),  # a flag, not a comment
    ("build/notes.cfg", "COPY services/video-service/ /src/", None),
    ("build/notes.cfg", 'url: "http://x/#/services/video-service/"', None),
])
def test_a_reference_in_a_comment_is_residue_and_one_in_structure_is_refused(tmp_path, capsys, path, line, left_as):
    write_tree(tmp_path, {"services/video-service/values.yaml": "a: 1\n",
                          "services/auth-service/values.yaml": "b: 1\n",
                          "services/video-service/Dockerfile": "FROM scratch\n",
                          "services/auth-service/Dockerfile": "FROM scratch\n",
                          path: f"{line}\n"})
    code, report = _plan(tmp_path, capsys)
    assert [(r["path"], r["line"]) for r in report["refused"]] == ([] if left_as else [(path, 1)])
    assert code == (0 if left_as else 1)
    reasons = [r["reason"] for r in report["residue"] if r["path"] == path]
    assert len(reasons) == 1 and reasons[0].startswith(left_as or "still names")


def test_an_ignore_pattern_into_a_deleted_folder_goes(tmp_path, capsys):
    """The ignore-file editor removes it (s1: the humans of the corpus did), so nothing is left
    for this check to list."""
    write_tree(tmp_path, {"services/video-service/values.yaml": "a: 1\n",
                          "services/auth-service/values.yaml": "b: 1\n",
                          "services/video-service/Dockerfile": "FROM scratch\n",
                          "services/auth-service/Dockerfile": "FROM scratch\n",
                          ".gitignore": "services/auth-service/bin/\nservices/video-service/bin/\n"})
    code, report = _plan(tmp_path, capsys)
    assert code == 0 and report["refused"] == []
    assert [r for r in report["residue"] if r["path"] == ".gitignore"] == []
    diff = next(f["diff"] for f in report["files"] if f["path"] == ".gitignore")
    assert "-services/video-service/bin/" in diff and "-services/auth-service/bin/" not in diff


CONSTRUCTS = {
    "services/video-service/Dockerfile": "FROM scratch\n",
    "services/video-service/values.yaml": "replicas: 1\n",
    "services/video-service/.env": "PORT=80\n",
    "services/video-service/Makefile": "build:\n\techo build\n",
    "services/video-service/config/app.yaml": "a: 1\n",
    "services/auth-service/Dockerfile": "FROM scratch\n",
    "services/auth-service/values.yaml": "replicas: 1\n",
    "modules/video-service/main.tf": "variable \"x\" {}\n",
    "modules/auth-service/main.tf": "variable \"x\" {}\n",
    # ArgoCD: path and valueFiles of an Application not named after the service
    "argocd/media.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: media\nspec:\n  source:\n"
        "    path: services/auth-service\n    helm:\n      valueFiles:\n        - values.yaml\n"
        "        - ../video-service/values.yaml\n"),
    # compose: a volume source, an env_file and a build context of other services
    "docker-compose.yml": (
        "services:\n  auth:\n    build: ./services/auth-service\n    env_file:\n      - services/video-service/.env\n"
        "      - services/auth-service/.env\n    volumes:\n      - ./services/video-service/config:/etc/video\n"
        "      - ./data:/data\n"),
    "go.work": "go 1.22\n\nuse (\n\t./services/auth-service\n\t./services/video-service\n)\n",
    "Makefile": ("all:\n\t$(MAKE) -f services/auth-service/Makefile build\n"
                 "\t$(MAKE) -f services/video-service/Makefile build\n"),
    "infra/main.tf": ('module "media" {\n  source = "../modules/video-service"\n}\n\n'
                      'module "auth" {\n  source = "../modules/auth-service"\n}\n'),
    ".github/workflows/ci.yml": ("name: ci\non:\n  push:\n    paths:\n      - 'services/auth-service/**'\n"
                                 "      - 'services/video-service/**'\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                 "    steps:\n      - run: make\n"),
    "kustomization.yaml": "resources:\n  - services/auth-service\n  - services/video-service/config/app.yaml\n",
    "Dockerfile": "FROM alpine:3.20\nCOPY services/auth-service/ /a/\nCOPY services/video-service/config/ /v/\n",
    "docs/index.md": "# Docs\n\n- [config](../services/video-service/config/app.yaml)\n",
}


def test_no_reference_to_a_deleted_path_is_left_unlisted(tmp_path, capsys):
    """Each construct the editors understand: after the run, every line that still names a
    deleted path is among the refused edits or the residue, never left silently."""
    write_tree(tmp_path, CONSTRUCTS)
    code, report = _plan(tmp_path, capsys)
    assert code in (0, 1)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == code
    gone = Gone(frozenset(p for p in CONSTRUCTS if p.startswith(("services/video-service/", "modules/video-service/")))
                | {"services/video-service", "services/video-service/config", "modules/video-service"},
                frozenset(CONSTRUCTS), frozenset())
    listed = {(r["path"], r["text"].strip()) for r in report["refused"] + report["residue"]}
    left = []
    for path in CONSTRUCTS:
        if (tmp_path / path).exists():
            text = (tmp_path / path).read_text()
            for ref in references(text, path, gone):
                line = text.splitlines()[ref.line - 1].strip()
                if (path, line) not in listed:
                    left.append((path, line))
    assert left == []
    removed = {f["path"] for f in report["files"] if f["status"] == "modified"}
    assert {"go.work", ".github/workflows/ci.yml", "kustomization.yaml", "Dockerfile"} <= removed


def test_a_reference_that_does_not_name_the_component_is_still_listed(tmp_path, capsys):
    """`../gateway/base` from istio/scripts/ is istio-gateway's deleted folder, though it does not
    spell the name: without the check nothing would list it."""
    write_tree(tmp_path, {
        "istio/gateway/base/kustomization.yaml": "resources: []\n",
        "istio/gateway/Chart.yaml": "name: gateway\n",
        "istio/base/kustomization.yaml": "resources: []\n",
        "istio/base/Chart.yaml": "name: base\n",
        "istio/scripts/install.sh": "#!/bin/sh\nkubectl apply -k ../base\nkubectl apply -k ../gateway/base\n",
    })
    code, report = _plan(tmp_path, capsys, "istio-gateway")
    assert code == 1
    assert [(r["path"], r["line"], r["reason"]) for r in report["refused"]] == [
        ("istio/scripts/install.sh", 3, "still names istio/gateway/base/, which this change deletes: "
                                        "remove or re-point it by hand")]


ROUTES = Gone(
    deleted=frozenset({"web/docs/guides/video.md", "web/docs/blueprints/batch", "web/docs/blueprints/batch/index.md",
                       "stacks/video"}),
    files=frozenset({"web/docs/guides/video.md", "web/docs/blueprints/batch/index.md", "web/docs/guides/audio.md"}),
    folders=frozenset({"web", "web/docs", "web/docs/guides", "web/docs/blueprints", "web/docs/blueprints/batch",
                       "stacks", "stacks/video"}),
)


@pytest.mark.parametrize(("word", "target"), [
    ("/site/docs/guides/video", "web/docs/guides/video.md"),  # a site route: the page without .md
    ("/docs/blueprints/batch", "web/docs/blueprints/batch/index.md"),  # the page a folder's route serves
    ("/site/docs/blueprints/batch/", "web/docs/blueprints/batch/index.md"),
    ("/site/guides/video", "web/docs/guides/video.md"),
    ("/site/docs/guides/stacks/video", "stacks/video"),  # a deleted path's own tail comes first
])
def test_a_site_route_names_the_deleted_page(word, target):
    assert resolve(word, "web/docs/other", ROUTES) == target


@pytest.mark.parametrize("word", [
    "/site/docs/guides/audio",  # a page that stays
    "/site/docs/guides/video.png",  # a file, not a route
    "site/docs/guides/video",  # not site-absolute: a path, read as one
    "/video",  # one segment says too little
])
def test_a_route_that_names_no_deleted_page(word):
    assert resolve(word, "web/docs/other", ROUTES) is None


def test_a_route_line_is_found_by_the_page_name():
    text = '<a href="/site/docs/guides/video" className="card">\n'
    assert [r.target for r in references(text, "web/docs/index.md", ROUTES)] == ["web/docs/guides/video.md"]


def _card(title: str, href: str, extra: str = "") -> str:
    return (f'<div className="showcase-card">\n<div className="showcase-content">\n<h3>{title}</h3>\n</div>\n'
            f'<div className="showcase-footer">\n<a href="{href}" className="showcase-link">\n<span>Open</span>\n'
            f'</a>\n{extra}</div>\n</div>\n')


DOCS_SITE = {
    "stacks/video/main.tf": 'resource "null_resource" "video" {}\n',
    "web/docs/blueprints/video.md": "# Video\n\nDeploy stacks/video.\n",
    "web/docs/blueprints/audio.md": "# Audio\n",
    # data-on-eks's shape: a grid of cards, one per page, in a Docusaurus page (.md read as MDX)
    "web/docs/index.md": ("# Stacks\n\n<div className=\"showcase-grid\">\n\n"
                          + _card("Video", "/site/docs/blueprints/video") + "\n"
                          + _card("Audio", "/site/docs/blueprints/audio") + "\n</div>\n\nMore below.\n"),
    # every card of this grid leads to the deleted page: the grid goes with them
    "web/docs/featured.md": ("# Only\n\n<div className=\"showcase-grid\">\n\n"
                               + _card("Video", "/site/docs/blueprints/video") + "\n"
                               + _card("Video backups", "/site/docs/blueprints/video#backups") + "\n</div>\n\n"
                               "{/* End of showcase grid */}\n"),
    # a card that also links elsewhere stays, listed; so does a link in a sentence and one in code
    "web/docs/mixed.md": ("# Mixed\n\n<div className=\"grid\">\n"
                          + _card("Both", "/site/docs/blueprints/video",
                                  '<a href="/site/docs/blueprints/audio">Audio</a>\n')
                          + _card("Audio", "/site/docs/blueprints/audio")
                          + '</div>\n\nSee <a href="/site/docs/blueprints/video">the video stack</a>.\n\n```html\n'
                          + _card("Quoted", "/site/docs/blueprints/video") + "```\n"),
}


def test_a_card_linking_only_to_a_deleted_page_goes_whole(tmp_path, capsys):
    write_tree(tmp_path, DOCS_SITE)
    _code, report = _plan(tmp_path, capsys, "video")
    verdicts = {(r["path"], r["line"]): r["reason"].split(" ")[0] for r in report["residue"]
                if "blueprints/video" in r["reason"]}
    assert verdicts == {("web/docs/index.md", 10): "removed:", ("web/docs/featured.md", 10): "removed:",
                        ("web/docs/featured.md", 21): "removed:", ("web/docs/mixed.md", 9): "prose",
                        ("web/docs/mixed.md", 27): "prose", ("web/docs/mixed.md", 35): "prose"}
    assert _apply(tmp_path, capsys, "video") == 0
    after = tree_bytes(tmp_path)
    assert after["web/docs/index.md"].decode() == (
        "# Stacks\n\n<div className=\"showcase-grid\">\n\n" + _card("Audio", "/site/docs/blueprints/audio")
        + "\n</div>\n\nMore below.\n")
    assert after["web/docs/featured.md"].decode() == "# Only\n\n{/* End of showcase grid */}\n"
    assert after["web/docs/mixed.md"].decode() == DOCS_SITE["web/docs/mixed.md"]
    assert "stacks/video/main.tf" not in after and "web/docs/blueprints/video.md" not in after
    assert _apply(tmp_path, capsys, "video") == 0 and tree_bytes(tmp_path) == after


def _route(kind: str, name: str, host: str, prefix: str) -> str:
    if kind == "Ingress":
        return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\nspec:\n  rules:\n"
                f"    - host: {host}\n      http:\n        paths:\n          - path: {prefix}\n")
    return (f"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: {name}\nspec:\n"
            f"  hostnames:\n    - '{host}'\n  rules:\n    - matches:\n        - path:\n"
            f"            type: PathPrefix\n            value: {prefix}\n")


SHARED_HOST = {
    "apps/game-db/app/httproute.yaml": _route("HTTPRoute", "game-db", "game.${DOMAIN}", "/db"),
    "apps/game-db/app/kustomization.yaml": "resources:\n  - httproute.yaml\n",
    "apps/game-portal/app/httproute.yaml": _route("HTTPRoute", "game-portal", "game.${DOMAIN}", "/"),
    "apps/game-portal/app/resources/header.php": (
        '<nav>\n  <li><a href="/db/">Database</a></li>\n  <li><a href="/account">Account</a></li>\n</nav>\n'),
    "apps/game-portal/app/docs/help.md": "See [the quests](/db/quests) and [the database](/dbx).\n",
    # another host's app with a path of the same name: its own
    "apps/shop/ingress.yaml": _route("Ingress", "shop", "shop.example.com", "/"),
    "apps/shop/index.html": '<a href="/db/">Shop DB</a>\n',
}


def test_a_link_to_a_deleted_routes_path_on_its_host_is_listed(tmp_path, capsys):
    """The portal shares its host with the removed component's route (`/db`): its pages' links
    to that path lead nowhere now and nothing in them names the component. A menu entry of a
    markup page (the link alone on its line, beside another entry) goes, as emberstone-db's human
    removed the portal header's `<li><a href="/db/">Database</a></li>`; the others are listed.
    The same path on another host is another app's."""
    write_tree(tmp_path, SHARED_HOST)
    code, report = _plan(tmp_path, capsys, "game-db")
    assert code == 0
    links = {(r["path"], r["line"]): r["reason"] for r in report["residue"] if "link" in r["reason"]}
    where = "to /db, the path the deleted HTTPRoute game-db served on game.${DOMAIN}"
    assert links == {("apps/game-portal/app/resources/header.php", 2): "removed: the menu entry linking " + where,
                     ("apps/game-portal/app/docs/help.md", 1): "links " + where}
    header = [f for f in report["files"] if f["path"] == "apps/game-portal/app/resources/header.php"]
    assert len(header) == 1 and '-  <li><a href="/db/">Database</a></li>' in header[0]["diff"].splitlines()
    assert _apply(tmp_path, capsys, "game-db") == 0
    assert (tmp_path / "apps/game-portal/app/resources/header.php").read_text() == (
        '<nav>\n  <li><a href="/account">Account</a></li>\n</nav>\n')
    assert (tmp_path / "apps/shop/index.html").read_text() == '<a href="/db/">Shop DB</a>\n'
    before = tree_bytes(tmp_path)
    assert _apply(tmp_path, capsys, "game-db") == 0  # a second run: nothing left to change
    assert tree_bytes(tmp_path) == before


MENUS = {
    # the desktop menu's entry and the mobile menu's bare link, each beside entries that stay
    "apps/game-portal/app/resources/header.php": (
        '<ul>\n  <li><a href="./index.php">Home</a></li>\n  <li class="nav"><a href="/db/"><i class="db"></i> '
        'Database</a></li>\n  <?php if ($online) { ?>\n</ul>\n<div>\n  <a onclick="open()">Connect</a>\n'
        '  <a href="/db/quests">Quests</a>\n</div>\n'),
    # a link in a sentence, and one that is the only entry of its menu
    "apps/game-portal/app/resources/footer.html": (
        '<p>Browse <a href="/db/">the database</a> for items.</p>\n<ul>\n  <li><a href="/db/">DB</a></li>\n</ul>\n'),
    # code, not markup: a line of a script is never edited
    "apps/game-portal/app/resources/menu.js": ("const items = [\n  '<a href=\"/db/\">DB</a>',\n"
                                               "  '<a href=\"/\">Home</a>',\n];\n"),
}


def test_only_menu_entries_of_markup_pages_go(tmp_path, capsys):
    write_tree(tmp_path, {**SHARED_HOST, **MENUS})
    _code, report = _plan(tmp_path, capsys, "game-db")
    verdicts = {(r["path"].rsplit("/", 1)[1], r["line"]): r["reason"].split(" ")[0] for r in report["residue"]
                if "/db" in r["reason"]}
    assert verdicts == {("header.php", 3): "removed:", ("header.php", 8): "removed:", ("footer.html", 1): "links",
                        ("footer.html", 3): "links", ("menu.js", 2): "links", ("help.md", 1): "links"}
    assert _apply(tmp_path, capsys, "game-db") == 0
    assert (tmp_path / "apps/game-portal/app/resources/header.php").read_text() == (
        '<ul>\n  <li><a href="./index.php">Home</a></li>\n  <?php if ($online) { ?>\n</ul>\n<div>\n'
        '  <a onclick="open()">Connect</a>\n</div>\n')
    for path in ("apps/game-portal/app/resources/footer.html", "apps/game-portal/app/resources/menu.js"):
        assert (tmp_path / path).read_text() == MENUS[path]


def test_a_path_another_route_still_serves_on_the_host_is_no_dead_link(tmp_path, capsys):
    tree = {**SHARED_HOST, "apps/game-db-v2/route.yaml": _route("Ingress", "game-db-v2", "game.${DOMAIN}", "/db")}
    write_tree(tmp_path, tree)
    _code, report = _plan(tmp_path, capsys, "game-db")
    assert not [r for r in report["residue"] if "links to" in r["reason"]]


ENVOY = """static_resources:
  listeners:
    - name: frontend
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                route_config:
                  virtual_hosts:
                    - name: frontend
                      domains:
                        - "*"
                      routes:
                        - match: { prefix: "/flags" }
                          route: { cluster: flag-service, prefix_rewrite: "/" }
                        - match: { prefix: "/loadgen" }
                          route: { cluster: loadgen, prefix_rewrite: "/" }
  clusters:
    - name: flag-service
      type: STRICT_DNS
    - name: loadgen
      type: STRICT_DNS
"""


def test_a_link_to_the_path_of_a_proxy_route_the_run_cut_is_listed(tmp_path, capsys):
    """The component's Envoy route (`prefix: "/flags"`) goes with it; a hint or a page linking to
    that path on any host (`http://localhost:8080/flags/`) is listed; `/flagship` and the route
    that stays (`/loadgen`) are not."""
    tree = {
        "src/flag-service/main.go": "package main\n",
        "src/loadgen/main.go": "package main\n",
        "src/proxy/envoy.yaml": ENVOY,
        "Makefile": ("start:\n\t@echo \"Flags UI: http://localhost:8080/flags/\"\n"
                     "\t@echo \"Load: http://localhost:8080/loadgen/\"\n"
                     "\t@echo \"Ship: http://localhost:8080/flagship/\"\n"),
        "docs/ui.md": "- Flags: <http://localhost:8080/flags/>\n",
    }
    write_tree(tmp_path, tree)
    _code, report = _plan(tmp_path, capsys, "flag-service")
    assert "src/proxy/envoy.yaml" in {f["path"] for f in report["files"]}
    why = "links to /flags, the path of the route the run removed from src/proxy/envoy.yaml"
    assert {(r["path"], r["line"]): r["reason"] for r in report["residue"] if "links to" in r["reason"]} == {
        ("Makefile", 2): why, ("docs/ui.md", 1): why}


def test_a_route_cut_from_a_shared_file_leaves_its_links_listed(tmp_path, capsys):
    shared = {p: t for p, t in SHARED_HOST.items() if not p.startswith("apps/game-db/")}
    shared["apps/game-db/deployment.yaml"] = "kind: Deployment\nmetadata:\n  name: game-db\n"
    shared["routes/all.yaml"] = (_route("HTTPRoute", "game-db", "game.${DOMAIN}", "/db") + "---\n"
                                 + _route("HTTPRoute", "wiki", "game.${DOMAIN}", "/wiki"))
    write_tree(tmp_path, shared)
    _code, report = _plan(tmp_path, capsys, "game-db")
    assert "routes/all.yaml" in {f["path"] for f in report["files"]}
    assert {(r["path"], r["line"]) for r in report["residue"] if "to /db" in r["reason"]} == {
        ("apps/game-portal/app/resources/header.php", 2), ("apps/game-portal/app/docs/help.md", 1)}


OPERATED = {
    "apps/database/dragonfly-operator/helmrelease.yaml": (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: dragonfly-operator\n"),
    "apps/database/kustomization.yaml": "resources:\n  - ./dragonfly-operator/helmrelease.yaml\n  - ./pg.yaml\n",
    "apps/database/pg.yaml": "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\n",
    "components/dragonfly/cluster.yaml": (
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: ${APP}-dragonfly\n"),
    "apps/ai/litellm/ks.yaml": (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: litellm\nspec:\n"
        "  components:\n    - ../../../components/dragonfly\n  healthChecks:\n"
        "    - apiVersion: dragonflydb.io/v1alpha1\n      kind: Dragonfly\n      name: litellm-dragonfly\n"),
}


def test_objects_of_a_removed_operators_api_group_are_refused_not_deleted(tmp_path, capsys):
    """Removing dragonfly-operator (bjw-s-labs/home-ops at HEAD) leaves apps creating Dragonfly
    instances (dragonflydb.io): their CRDs go with the operator, so they cannot apply. They are
    another app's databases, not the bot's to delete: refused and listed (exit 1)."""
    write_tree(tmp_path, OPERATED)
    code, report = _plan(tmp_path, capsys, "dragonfly-operator")
    assert code == 1
    why = ("refers to objects of dragonflydb.io, whose operator dragonfly-operator this change removes: it cannot "
           "apply without its CRDs; remove or replace it by hand")
    assert {(r["path"], r["line"]): r["reason"] for r in report["refused"]} == {
        ("components/dragonfly/cluster.yaml", 1): why, ("apps/ai/litellm/ks.yaml", 9): why}
    assert "components/dragonfly/cluster.yaml" not in {f["path"] for f in report["files"]}


def test_a_removal_of_many_files_finds_the_same_references():
    """The line prefilter is one alternation of the deleted names: the references found are the
    same, whatever the number of names, and none without a name."""
    many = [f"apps/tool-{i}.yaml" for i in range(40)]
    gone = Gone(frozenset(many), frozenset(many + ["apps/kustomization.yaml", "apps/other.yaml"]),
                frozenset({"apps"}))
    few = Gone(frozenset(many[:3]), gone.files, gone.folders)
    text = "resources:\n  - tool-7.yaml\n  - tool-1.yaml\n  - other.yaml\n# tool-39\n"
    assert len(gone.basenames) == 40 and len(few.basenames) == 3
    assert references(text, "apps/kustomization.yaml", Gone(frozenset(), gone.files, gone.folders)) == []
    assert [(r.line, r.target) for r in references(text, "apps/kustomization.yaml", gone)] == [
        (2, "apps/tool-7.yaml"), (3, "apps/tool-1.yaml")]
    assert [(r.line, r.target) for r in references(text, "apps/kustomization.yaml", few)] == [
        (3, "apps/tool-1.yaml")]
