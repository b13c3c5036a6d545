"""The speed work on scanning must not change a single result. Against the code it replaced
(tests/reference_scanners.py, kept verbatim), on every file of examples/, tests/fixtures/ and
tests/golden/ and on adversarial text:

- the literal-first patterns find exactly the occurrences the lookbehind-first ones found;
- the specific prefilter (a chart name needs its repository) keeps every file holding an
  occurrence, and only files the old prefilter kept;
- the floating-reference finder (line numbers by bisection, chart-key test) finds the same;
- the check rules' shared tree pass and memoized parses give the same candidates, occurrences
  and problems, with the byte cache on or off;
- set-version's lookalike pass (whole-text prefilter, scans reused) notes the same lines.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_bot.checks import run_checks
from gitops_bot.checks.model import RepoIndex
from gitops_bot.checks.versions import _occurrences
from gitops_bot.domain.floating import FLOATING_MARK, find_floating
from gitops_bot.domain.names import Prefilter
from gitops_bot.domain.versions import Tool, builtin_tools, scan
from gitops_bot.domain.worktree import Worktree
from gitops_bot.edit import classify
from gitops_bot.ops import set_version
from gitops_bot.ops.state import RunState

from .conftest import EXAMPLE, ROOT
from .reference_scanners import REFERENCE_FLOATING_MARK, reference_anchors, reference_floating, \
    reference_lookalikes, reference_mentions, reference_scan

TREES = (EXAMPLE, ROOT / "tests" / "fixtures", ROOT / "tests" / "golden")

# Catalogue entries that stress the pattern builder: a template that starts with its version, a
# suffix, regex characters in a literal, a chart repository with a trailing slash, chart names
# without a repository (never a chart form), a tool with nothing to anchor on.
ODD_TOOLS = (
    Tool("odd", variables=("A.B", "X"), directories=("{version}-odd", "odd+{version}.tgz"),
         branch_urls=("o/o/release-{minor}",), images=("reg.io/o+o", "o"),
         chart_repository="https://charts.example.com/o/", chart_names=("base", "o")),
    Tool("names-only", chart_names=("base", "gateway")),
    Tool("empty"),
)


def _reference_forms(tool: Tool) -> Tool:
    """The tool with only the forms the reference scanner knows: the minor-only Terraform forms,
    upgrade Plans and build metadata came after it (tests/test_set_version_precision.py), and so
    did hubs (tests/test_set_version_script_variables.py)."""
    return replace(tool, terraform=(), upgrade_plans=False, build_metadata=False, eksctl=False, hubs=())


# The forms of those (domain/terraform_versions.py, versions._plan_versions), which the reference lacks.
NEW_FORMS = {"Terraform attribute", "Terraform attribute (map)", "Terraform variable default",
             "variable description example", "terraform-docs input row", "upgrade Plan spec.version",
             "eksctl metadata.version", "version comment (above it)"}
TOOLS = tuple(_reference_forms(t) for t in (*builtin_tools().values(), *ODD_TOOLS))


def tree_files() -> list[tuple[str, str]]:
    """(name, text) of every UTF-8 file of the trees the tests and examples use."""
    files = []
    for root in TREES:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            try:
                files.append((path.relative_to(ROOT).as_posix(), path.read_bytes().decode("utf-8")))
            except UnicodeDecodeError:
                continue
    return files


FILES = tree_files()

# Hand-made texts for what the example trees lack: an escaped repository URL, charts named like
# Istio's from another repository, literals at the very start, glued to words, `$`, `.`, `/`.
ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts"
ADVERSARIAL = {
    "apps/escaped.yaml": ("kind: Application\nspec:\n  source:\n    repoURL: \"https:\\/\\/istio\\x2drelease.storage."
                          "googleapis.com\\/charts\"\n    chart: base\n    targetRevision: 1.24.0\n"),
    "apps/escaped-key.yaml": ("kind: Application\nspec:\n  sources:\n    - repoURL: \"https:\\/\\/charts.jetstack.io\"\n"
                              "      \"ch\\x61rt\": cert-manager\n      targetRevision: v1.16.0\n"
                              "    - repoURL: https://e.com\n      \"ch\\x61rt\": x\n      targetRevision: HEAD\n"),
    "apps/other-base.yaml": ("kind: Application\nspec:\n  source:\n    repoURL: https://example.com/charts\n"
                             "    chart: base\n    targetRevision: 1.24.0\n"),
    "apps/istio-base.yaml": (f"kind: Application\nspec:\n  sources:\n    - repoURL: {ISTIO_REPO}/\n"
                             "      chart: gateway\n      targetRevision: \"v1.24.0\"\n    - repoURL: x\n      "
                             "chart: base\n      targetRevision: HEAD\n"),
    "apps/alias.yaml": (f"x: &r {ISTIO_REPO}\n---\nkind: Application\nspec:\n  source:\n    repoURL: {ISTIO_REPO}\n"
                        "    \"chart\": cni\n    targetRevision: '1.23.2'\n"),
    "apps/crlf.yaml": (f"kind: Application\r\nspec:\r\n  source:\r\n    repoURL: {ISTIO_REPO}\r\n    chart: ztunnel\r\n"
                       "    targetRevision: 1.24.0\r\n    path: charts/x\r\n"),
    "tf/istio.tf": (f'resource "helm_release" "b" {{\n  repository = "{ISTIO_REPO}"\n  chart = "base"\n'
                    '  version = "1.24.0"\n}\nresource "helm_release" "o" {\n  repository = "https://e.com"\n'
                    '  chart = "base"\n  version = "1.24.0"\n}\nresource "helm_release" "f" {\n  chart = "x"\n}\n'),
    "tf/labels.tf": (f'resource helm_release b {{\n  repository = "{ISTIO_REPO}"\n  chart = "base"\n'
                     '  version = "1.24.0"\n}\nresource "helm\\u005frelease" "c" {\n  repository = "'
                     f'{ISTIO_REPO}"\n  chart = "cni"\n  version = "1.24.0"\n}}\n'),
    "tf/no-release.tf": 'locals {\n  image = "docker.io/istio/proxyv2:1.24.0" # helm release\n}\n',
    "scripts/glued.sh": ("ISTIO_VERSION=1.24.0\nxISTIO_VERSION=1.0.0\n$ISTIO_VERSION=1.0.1\nA.ISTIO_VERSION=2.0.0\n"
                         "ISTIO_VERSION=1.23.2 istioctl install && echo\nISTIO_VERSION='v1.24.0' # c\n"
                         "echo ${ISTIO_VERSION:-1.24.0}\n./istio-1.24.0/bin a.istio-1.0.0 x-istio-1.0.0 "
                         "istio-1.24.0-rc.1/ istio-1.24.0.1 istio-1.24.0-linux-amd64.tar.gz\n"
                         "docker.io/istio/proxyv2:1.24.0 xistio/pilot:1.0.0 a/istio/pilot:1.0.0 istio/pilot:1.2.3@sha256:a\n"
                         "https://github.com/istio/istio/releases/download/1.24.0/istio.tgz\n"
                         "https://raw.githubusercontent.com/istio/istio/1.24.0/x https://x/istio/istio/release-1.24/y\n"
                         "curl https://github.com/argoproj/argo-rollouts/releases/latest/download/k\n"),
    "Makefile": "ISTIO_VERSION ?= 1.24.0\nK8S_VERSION := v1.31.0\nKIND_NODE_VERSION::=1.30.0\n\tkindest/node:v1.31.0\n",
    "k8s/values.yaml": ("image: nginx\nimage: \"istio/proxyv2\"\ntag: latest\n  - image: docker.io/istio/pilot:1.24.0\r\n"
                        "ISTIO_VERSION: 1.24.0\x0cimage: a\u2028image: b:latest\n"),
    ".github/workflows/ci.yaml": "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@main\n",
    "docs/notes.md": ("We run Istio 1.24.0\r\nistio v1.23.2 here\u2028and ISTIO 1.24.0.1\rkind v1.31.0 "
                      "kubernetes\n| istio | 1.24.0 |\nISTIO_VERSION=1.24.0 istio\n"),
}


def all_texts() -> list[tuple[str, str]]:
    return FILES + sorted(ADVERSARIAL.items())


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_scan_equals_the_reference_on_every_file(tool):
    for path, text in all_texts():
        kind = classify(path, text)
        # the image and digest span of an image tag are new details the reference never had
        found = [replace(o, image=None, digest=None) for o in scan(path, text, kind, tool)]
        assert found == reference_scan(path, text, kind, tool), path


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_the_prefilter_keeps_every_occurrence_and_nothing_new(tool):
    new, old = tool.anchors(), reference_anchors(tool)
    for path, text in all_texts():
        data = text.encode()
        if new.search(data):
            assert old.search(data), f"{path}: the new prefilter is not more specific than the old"
        elif reference_scan(path, text, classify(path, text), tool):
            pytest.fail(f"{path}: an occurrence of {tool.name} in a file the prefilter drops")


def test_a_chart_name_alone_no_longer_makes_a_candidate():
    istio = builtin_tools()["istio"]
    assert not istio.anchors().search(ADVERSARIAL["apps/other-base.yaml"].encode())
    assert reference_anchors(istio).search(ADVERSARIAL["apps/other-base.yaml"].encode())
    # an escaped URL still passes (a backslash), and the scanner finds the chart in it
    escaped = ADVERSARIAL["apps/escaped.yaml"]
    assert "istio-" not in escaped and istio.anchors().search(escaped.encode())
    assert [o.form for o in scan("a.yaml", escaped, "yaml", istio)] == ["chart version (ArgoCD)"]
    escaped_key = ADVERSARIAL["apps/escaped-key.yaml"]
    cert_manager = builtin_tools()["cert-manager"]
    assert [o.version for o in scan("a.yaml", escaped_key, "yaml", cert_manager)] == ["v1.16.0"]
    assert [f.kind for f in find_floating("a.yaml", escaped_key, "yaml")] == ["chart revision"]


# Fragments that sit around and inside every literal a pattern looks for.
FRAGMENTS = st.sampled_from([
    "ISTIO_VERSION", "K8S_VERSION", "A.B", "X", "$", "x", ".", "-", "/", "=", " ?= ", ":=", "::=", "+=", ": ",
    ":\t", "\"", "'", " ", "\t", "\n", "\r\n", "#", "&&", ";", "1.24.0", "v1.24.0", "1.24", "1.2.3-rc.1", "-rc.1",
    ".1", "istio-", "odd+", "-odd", ".tgz", "docker.io/istio/proxyv2", "istio/proxyv2", "reg.io/o+o", "o", ":",
    "@sha256:", "${ISTIO_VERSION:-", "}", "github.com/istio/istio/releases/download/",
    "raw.githubusercontent.com/istio/istio/", "istio/istio/release-", "o/o/release-", "kindest/node"])


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=25).map("".join), st.sampled_from(["shell", "make", "yaml", "other"]))
def test_scan_equals_the_reference_on_adversarial_text(text, kind):
    for tool in (builtin_tools()["istio"], _reference_forms(builtin_tools()["kubernetes"]), ODD_TOOLS[0]):
        found = [replace(o, image=None, digest=None) for o in scan("f", text, kind, tool)]  # details it lacks
        assert found == reference_scan("f", text, kind, tool)
        if not tool.anchors().search(text.encode()):
            assert not reference_scan("f", text, kind, tool)


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=25).map("".join))
def test_the_gates_drop_only_files_without_a_word(text):
    """Anchors.search tests a few gates (`istio`, `ISTIO`, `helm.`) before its words: it answers as
    testing every word would, for every tool of the catalogue."""
    data = text.encode()
    for tool in builtin_tools().values():
        anchors = tool.anchors()
        assert all(any(gate in word for gate in anchors.gates) for word in anchors.words)
        plain = any(word in data for word in anchors.words) or (
            bool(anchors.chart_names) and (anchors.chart_repository in data or b"\\" in data)
            and any(name in data for name in anchors.chart_names))
        assert anchors.search(data) == plain, tool.name


MARK_PIECES = st.sampled_from(["tag:", "tag", ":", " ", "\t", "\n", "\r\n", "'", "\"", "latest", "Latest", "image",
                               "image:", "releases/latest/download", "targetRevision", "helm_release", "uses:", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(MARK_PIECES, max_size=12).map("".join))
def test_the_floating_mark_equals_the_reference_regex(text):
    data = text.encode()
    assert FLOATING_MARK.search(data) == bool(REFERENCE_FLOATING_MARK.search(data))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["istio", "ISTIO", "IsTiO", "ist", "io", "\u0131stio", "\u0130STIO", "\u212a8s",
                                 "k8s", "K8S", "x", "\xe9", "-", "\n"]), max_size=10).map("".join),
       st.sampled_from(["istio", "k8s", "argo", "\xe9t\xe9", "a.b", "c++"]))
def test_the_case_blind_mention_prefilter_equals_the_reference_regex(text, word):
    data = text.encode()
    assert bool(Prefilter((word,)).search(data)) == bool(reference_mentions(word).search(data))


def test_the_cheap_marks_equal_the_reference_regexes_on_every_file():
    for path, text in all_texts():
        data = text.encode()
        assert FLOATING_MARK.search(data) == bool(REFERENCE_FLOATING_MARK.search(data)), path
        for tool in TOOLS:
            word = tool.name.split("-")[0]
            assert bool(Prefilter((word,)).search(data)) == bool(reference_mentions(word).search(data)), path


def test_find_floating_equals_the_reference_on_every_file():
    for path, text in all_texts():
        kind = classify(path, text)
        assert find_floating(path, text, kind) == reference_floating(path, text, kind), path


LINE_PIECES = st.sampled_from(["image: nginx", "image: a:latest", "  - image: 'b'", "tag: latest", "\n", "\r\n",
                               "\r", "\u2028", "\x0c", "x", "https://github.com/a/b/releases/latest/download/c ",
                               "{{ x }}", "@sha256:", "# c"])


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE_PIECES, max_size=30).map("".join))
def test_find_floating_line_numbers_and_texts_equal_the_reference(text):
    assert find_floating("k8s/v.yaml", text, "yaml") == reference_floating("k8s/v.yaml", text, "yaml")


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode())
    return root


@pytest.fixture(params=["example", "fixture", "adversarial"])
def tree_root(request, tmp_path):
    if request.param == "example":
        return EXAMPLE
    if request.param == "fixture":
        return ROOT / "tests" / "fixtures" / "versions" / "repo"
    return write_tree(tmp_path / "adv", ADVERSARIAL)


@pytest.mark.parametrize("budget", [0, 200, 64 * 1024 * 1024])
def test_the_shared_pass_gives_what_one_grep_per_prefilter_gave(tree_root, budget):
    catalogue = builtin_tools()
    tree = Worktree(tree_root, cache_budget=budget)
    matchers = {"floating": FLOATING_MARK, **{name: tool.anchors() for name, tool in catalogue.items()}}
    together = tree.grep_many(matchers)
    fresh = Worktree(tree_root)
    assert together == {key: fresh.grep(m) for key, m in matchers.items()}
    for name, tool in catalogue.items():  # each old candidate list, minus files without occurrences
        old = [p for p in Worktree(tree_root).grep(reference_anchors(tool))
               if reference_scan(p, fresh.read(p), classify(p, fresh.read(p)), tool)]
        known = _reference_forms(tool)
        assert [p for p in together[name] if scan(p, fresh.read(p), classify(p, fresh.read(p)), known)] == old


def reference_occurrences(root: Path) -> dict:
    """checks/versions._occurrences of before: one grep and a scan per tool."""
    tree = Worktree(root)
    found: dict = {}
    for name, tool in builtin_tools().items():
        for path in tree.grep(reference_anchors(tool)):
            text = tree.read(path)
            if text is not None:
                found.setdefault(name, []).extend(reference_scan(path, text, classify(path, text), tool))
    return found


@pytest.mark.parametrize("budget", [0, 64 * 1024 * 1024])
def test_check_occurrences_and_problems_are_unchanged(tree_root, budget):
    index = RepoIndex(Worktree(tree_root, cache_budget=budget))
    new = {name: kept for name, found in _occurrences(index).items()
           if (kept := [replace(o, image=None, digest=None) for o in found if o.form not in NEW_FORMS])}
    old = {name: found for name, found in reference_occurrences(tree_root).items() if found}
    assert new == old and list(new) == list(old)
    problems = run_checks(index)
    assert problems == run_checks(RepoIndex(Worktree(tree_root, cache_budget=0)))
    floating = [(p.path, p.line, p.message) for p in problems if p.rule == "floating-version"]
    tree = Worktree(tree_root)
    expected = []
    for path in tree.grep(REFERENCE_FLOATING_MARK):
        text = tree.read(path)
        if text is not None:
            # images are the unpinned-image rule's (checks/unpinned.py), a deliberate change
            expected += [(path, f.line, f"floating {f.kind} ({f.subject}): it can change without a commit")
                         for f in reference_floating(path, text, classify(path, text)) if f.kind != "image"]
    assert sorted(floating) == sorted(expected)


@pytest.mark.parametrize("tool_name, versions", [("istio", {"1.24.0", "1.23.2"}), ("kubernetes", {"1.31.0"}),
                                                 ("argo-rollouts", {"1.8.3"})])
def test_lookalike_notes_are_unchanged(tree_root, tool_name, versions):
    tool = builtin_tools()[tool_name]
    new, old = RunState(Worktree(tree_root)), RunState(Worktree(tree_root))
    set_version._lookalikes(new, tool, versions)
    reference_lookalikes(old, tool, versions)
    assert new.notes == old.notes


def test_the_version_pattern_of_lookalikes_on_a_whole_text_finds_what_it_finds_on_a_line():
    # the lookalike pass skips a file whose whole text has no old version: sound only if any
    # match on one of its lines is also a match on the whole text (line breaks are no word)
    version_re = re.compile(r"(?<![\w.])v?(1\.24\.0)(?![\w.])")
    for sep in ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]:
        assert not re.match(r"[\w.]", sep)
        text = f"a.b{sep}1.24.0{sep}x"
        assert any(version_re.search(line) for line in text.splitlines()) and version_re.search(text)
