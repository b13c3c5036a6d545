"""set-version's `github=OWNER/REPO` target: every tag or release branch of one GitHub project,
in every form it is written. Constructed before/after trees compared byte for byte, look-alikes
that must not move, refs that are refused or listed (commits, branches, documentation), a
second run that changes nothing, and the parameter contract."""

from __future__ import annotations


import pytest


from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree
from .fakes.releases import FakeReleases

SHA = "0123456789abcdef0123456789abcdef01234567"

# path -> (before, after) for `github=kyverno/kyverno version=v1.5.0`
FORMS = {
    "scripts/install.sh": (
        "#!/bin/sh\nset -eu\n"
        "curl -sL https://github.com/kyverno/kyverno/releases/download/v1.4.1/install.yaml -o kyverno.yaml\n"
        "curl -sL https://github.com/kyverno/kyverno-extra/releases/download/v1.4.1/x.yaml -o x.yaml\n"
        "curl -sL https://github.com/other/kyverno/releases/download/v1.4.1/x.yaml -o y.yaml\n",
        "#!/bin/sh\nset -eu\n"
        "curl -sL https://github.com/kyverno/kyverno/releases/download/v1.5.0/install.yaml -o kyverno.yaml\n"
        "curl -sL https://github.com/kyverno/kyverno-extra/releases/download/v1.4.1/x.yaml -o x.yaml\n"
        "curl -sL https://github.com/other/kyverno/releases/download/v1.4.1/x.yaml -o y.yaml\n"),
    "Makefile": (
        "CLI_URL := https://github.com/kyverno/kyverno/releases/download/1.4.1/kyverno-cli_linux.tar.gz\n"
        "\ncli:\n\tcurl -sL $(CLI_URL) | tar xz\n",
        "CLI_URL := https://github.com/kyverno/kyverno/releases/download/1.5.0/kyverno-cli_linux.tar.gz\n"
        "\ncli:\n\tcurl -sL $(CLI_URL) | tar xz\n"),
    "Dockerfile": (
        "FROM alpine:3.19\n"
        "ADD https://github.com/kyverno/kyverno/releases/download/v1.4.1/kyverno-cli_linux.tar.gz /tmp/\n",
        "FROM alpine:3.19\n"
        "ADD https://github.com/kyverno/kyverno/releases/download/v1.5.0/kyverno-cli_linux.tar.gz /tmp/\n"),
    "infrastructure/kyverno/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        "  # pinned to a release\n"
        "  - https://raw.githubusercontent.com/kyverno/kyverno/v1.4.1/definitions/release/install.yaml\n"
        "  - github.com/kyverno/kyverno//config/crds?ref=v1.4.1\n"
        "  - https://github.com/kyverno/kyverno/config/default?ref=v1.4.1&timeout=90s\n"
        "  - https://github.com/kyverno/kyverno/raw/release-1.4/config/rbac.yaml\n"
        "  - https://raw.githubusercontent.com/kyverno/policies/v1.4.1/pod-security.yaml\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        "  # pinned to a release\n"
        "  - https://raw.githubusercontent.com/kyverno/kyverno/v1.5.0/definitions/release/install.yaml\n"
        "  - github.com/kyverno/kyverno//config/crds?ref=v1.5.0\n"
        "  - https://github.com/kyverno/kyverno/config/default?ref=v1.5.0&timeout=90s\n"
        "  - https://github.com/kyverno/kyverno/raw/release-1.5/config/rbac.yaml\n"
        "  - https://raw.githubusercontent.com/kyverno/policies/v1.4.1/pod-security.yaml\n"),
    "argocd/kyverno.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: kyverno\nspec:\n"
        "  source:\n    repoURL: https://github.com/kyverno/kyverno.git\n    path: config/release\n"
        "    targetRevision: release-1.4  # follow the branch\n"
        "---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: policies\nspec:\n"
        "  source:\n    repoURL: https://github.com/kyverno/kyverno-policies.git\n    path: pss\n"
        "    targetRevision: release-1.4\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: kyverno\nspec:\n"
        "  source:\n    repoURL: https://github.com/kyverno/kyverno.git\n    path: config/release\n"
        "    targetRevision: release-1.5  # follow the branch\n"
        "---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: policies\nspec:\n"
        "  source:\n    repoURL: https://github.com/kyverno/kyverno-policies.git\n    path: pss\n"
        "    targetRevision: release-1.4\n"),
    "argocd/tagged.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: kyverno-crds\nspec:\n"
        "  sources:\n    - repoURL: git@github.com:kyverno/kyverno.git\n      path: config/crds\n"
        "      targetRevision: 'v1.4.1'\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: kyverno-crds\nspec:\n"
        "  sources:\n    - repoURL: git@github.com:kyverno/kyverno.git\n      path: config/crds\n"
        "      targetRevision: 'v1.5.0'\n"),
    "flux/kyverno-source.yaml": (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: kyverno\nspec:\n"
        "  interval: 1h\n  url: https://github.com/kyverno/kyverno\n  ref:\n    tag: \"v1.4.1\"\n",
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: kyverno\nspec:\n"
        "  interval: 1h\n  url: https://github.com/kyverno/kyverno\n  ref:\n    tag: \"v1.5.0\"\n"),
    ".github/workflows/ci.yaml": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - uses: kyverno/kyverno@v1.4.1\n"
        "      - uses: kyverno/kyverno/.github/actions/setup-cli@v1.4.1\n"
        "      - uses: kyverno/kyverno-action@v1.4.1\n",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - uses: kyverno/kyverno@v1.5.0\n"
        "      - uses: kyverno/kyverno/.github/actions/setup-cli@v1.5.0\n"
        "      - uses: kyverno/kyverno-action@v1.4.1\n"),
    # an Action that installs the project's release, by its name (engineerd/setup-kind's
    # `with: version:` moved with kubernetes-sigs/kind in stefanprodan/gitops-istio); the
    # Action's own ref, and another tool's setup Action, stay
    ".github/workflows/e2e.yaml": (
        "on: push\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: acme/setup-kyverno@v0.5.0\n        with:\n          version: v1.4.1\n"
        "      - uses: kyverno/kyverno-action@v2\n        with:\n          kyverno-version: \"1.4.1\"\n"
        "          token: v1.4.1\n"
        "      - uses: engineerd/setup-kind@v0.5.0\n        with:\n          version: v1.4.1\n",
        "on: push\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: acme/setup-kyverno@v0.5.0\n        with:\n          version: v1.5.0\n"
        "      - uses: kyverno/kyverno-action@v2\n        with:\n          kyverno-version: \"1.5.0\"\n"
        "          token: v1.4.1\n"
        "      - uses: engineerd/setup-kind@v0.5.0\n        with:\n          version: v1.4.1\n"),
    "infra/main.tf": (
        'module "kyverno" {\n  source = "git::https://github.com/kyverno/kyverno.git//tf?ref=v1.4.1"\n}\n\n'
        'locals {\n  policies = "https://raw.githubusercontent.com/kyverno/kyverno/v1.4.1/policies.yaml"\n'
        '  istio    = "1.4.1"\n}\n',
        'module "kyverno" {\n  source = "git::https://github.com/kyverno/kyverno.git//tf?ref=v1.5.0"\n}\n\n'
        'locals {\n  policies = "https://raw.githubusercontent.com/kyverno/kyverno/v1.5.0/policies.yaml"\n'
        '  istio    = "1.4.1"\n}\n'),
}
UNCHANGED = {
    "docs/install.md": "Install: `kubectl apply -f "
                       "https://github.com/kyverno/kyverno/releases/download/v1.4.1/install.yaml`\n",
    "env.sh": "ISTIO_VERSION=1.4.1\nKYVERNO_EXTRA=kyverno/kyverno-extra@v1.4.1\n",
    "k8s/pod.yaml": "image: ghcr.io/kyverno/kyverno:v1.4.1\n",
}


def _trees(which):
    return {**{p: pair[which] for p, pair in FORMS.items()}, **UNCHANGED}


def test_every_form_moves_in_its_own_spelling_and_nothing_else(tmp_path, capsys):
    repo = write_tree(tmp_path, _trees(0))
    assert run(repo, "github=kyverno/kyverno", "version=v1.5.0") == 0
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(_trees(1).items())}
    code, second = report(repo, capsys, "github=kyverno/kyverno", "version=v1.5.0")
    assert code == 0 and second["files"] == []  # a second run changes nothing
    assert [(r["path"], r["line"], r["reason"]) for r in second["residue"]] == [
        ("docs/install.md", 1, "release asset URL: in documentation: not changed")]


@pytest.mark.parametrize("path", sorted(FORMS))
def test_each_form_alone(tmp_path, path):
    before, after = FORMS[path]
    repo = write_tree(tmp_path, {path: before})
    assert run(repo, "github=kyverno/kyverno", "version=v1.5.0") == 0
    assert tree_bytes(repo) == {path: after.encode()}


def test_the_project_name_is_case_insensitive_and_the_v_prefix_is_kept_per_occurrence(tmp_path):
    repo = write_tree(tmp_path, {"k.yaml": "resources:\n  - github.com/Kyverno/Kyverno//config?ref=1.4.1\n"
                                           "  - https://raw.githubusercontent.com/kyverno/kyverno/v1.4.1/a.yaml\n"})
    assert run(repo, "github=kyverno/kyverno", "version=1.6.0-rc2") == 0
    assert (repo / "k.yaml").read_text() == (
        "resources:\n  - github.com/Kyverno/Kyverno//config?ref=1.6.0-rc2\n"
        "  - https://raw.githubusercontent.com/kyverno/kyverno/v1.6.0-rc2/a.yaml\n")


def test_a_release_branch_version_moves_branches_and_refuses_tags(tmp_path, capsys):
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: istio\nspec:\n"
           "  source:\n    repoURL: https://github.com/istio/istio\n    path: manifests\n"
           "    targetRevision: release-1.7\n")
    tagged = "resources:\n  - github.com/istio/istio//manifests?ref=1.7.3\n"
    repo = write_tree(tmp_path, {"app.yaml": app, "kustomization.yaml": tagged})
    code, result = report(repo, capsys, "github=istio/istio", "version=release-1.20")
    assert code == 1 and [f["path"] for f in result["files"]] == ["app.yaml"]
    assert "targetRevision: release-1.20\n" in result["files"][0]["diff"]
    assert [(r["path"], r["line"]) for r in result["refused"]] == [("kustomization.yaml", 2)]
    assert "the ref 1.7.3 cannot be derived from release-1.20" in result["refused"][0]["reason"]


def test_head_main_and_other_branches_are_left_and_listed(tmp_path, capsys):
    before = {
        "app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: k\nspec:\n"
                    "  source:\n    repoURL: https://github.com/kyverno/kyverno\n    path: config\n"
                    "    targetRevision: HEAD\n",
        "k.yaml": "resources:\n  - https://raw.githubusercontent.com/kyverno/kyverno/main/install.yaml\n"}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "github=kyverno/kyverno", "version=v1.5.0")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("app.yaml", 9, "ArgoCD targetRevision: ref 'HEAD' is not a version: left as it is"),
        ("k.yaml", 2, "raw file URL: ref 'main' is not a version: left as it is")]
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(before.items())}


def test_a_commit_pin_is_refused_and_nothing_else_in_the_file_is_half_done(tmp_path, capsys):
    workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                f"      - uses: kyverno/kyverno@{SHA}  # v1.4.1\n      - uses: kyverno/kyverno@v1.4.1\n")
    before = {".github/workflows/ci.yaml": workflow}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "github=kyverno/kyverno", "version=v1.5.0")
    assert code == 1
    assert [(r["line"], r["reason"].split(":")[0]) for r in result["refused"]] == [(6, "workflow uses")]
    assert "a commit pin cannot be derived from a version" in result["refused"][0]["reason"]
    # the version tag on the next line still moves: the refusal is listed, the rest is done
    assert "+      - uses: kyverno/kyverno@v1.5.0" in result["files"][0]["diff"]


def test_flux_refs_that_are_not_tags_are_listed_or_refused(tmp_path, capsys):
    source = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: k\nspec:\n"
              "  url: ssh://git@github.com/kyverno/kyverno.git\n  ref:\n    {}\n")
    before = {"a.yaml": source.format("branch: main"), "b.yaml": source.format("semver: '>=1.4.0'"),
              "c.yaml": source.format(f"commit: {SHA}"), "d.yaml": source.format("branch: release-1.4")}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "github=kyverno/kyverno", "version=v1.5.0")
    assert code == 1 and [f["path"] for f in result["files"]] == ["d.yaml"]
    assert "+    branch: release-1.5" in result["files"][0]["diff"]
    assert [(r["path"], r["reason"]) for r in result["residue"]] == [
        ("a.yaml", "Flux GitRepository spec.ref.branch: ref 'main' is not a version: left as it is"),
        ("b.yaml", "Flux GitRepository spec.ref.semver: ref '>=1.4.0' is not a version: left as it is")]
    assert [r["path"] for r in result["refused"]] == ["c.yaml"]


def test_unrecognised_mentions_next_to_a_version_are_residue(tmp_path, capsys):
    repo = write_tree(tmp_path, {
        "setup.sh": "git clone --branch v1.4.1 https://github.com/kyverno/kyverno\n",
        "notes.txt": "kyverno/kyverno-extra 1.4.1\n"})
    code, result = report(repo, capsys, "github=kyverno/kyverno", "version=v1.5.0")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["reason"]) for r in result["residue"]] == [
        ("setup.sh", "names github kyverno/kyverno next to v1.4.1 in no recognised form: not changed")]


def test_paths_limit_the_change(tmp_path):
    line = "resources:\n  - github.com/kyverno/kyverno//config?ref=v1.4.1\n"
    repo = write_tree(tmp_path, {"prod/kustomization.yaml": line, "dev/kustomization.yaml": line})
    assert run(repo, "github=kyverno/kyverno", "version=v1.5.0", "paths=prod/") == 0
    assert tree_bytes(repo) == {"dev/kustomization.yaml": line.encode(),
                                "prod/kustomization.yaml": line.replace("v1.4.1", "v1.5.0").encode()}


@pytest.mark.parametrize("params, message", [
    (["github=kyverno/kyverno", "tool=istio", "version=1.2.3"], "(given: tool, github)"),
    (["github=kyverno/kyverno", "image=ghcr.io/acme/api", "version=1.2.3"], "(given: image, github)"),
    (["github=kyverno/kyverno", "chart=kyverno", "version=1.2.3"], "(given: chart, github)"),
    (["github=kyverno/kyverno"], "needs version="),
    (["github=kyverno", "version=v1.2.3"], "is not a GitHub project (OWNER/REPO)"),
    (["github=kyverno/kyverno/extra", "version=v1.2.3"], "is not a GitHub project (OWNER/REPO)"),
    (["github=kyverno/kyverno", "version=main"], "neither a version tag"),
    (["github=kyverno/kyverno", "version=" + SHA], "neither a version tag"),
    (["github=kyverno/kyverno", "to=x/y", "version=v1.2.3"], "to= applies to image= only"),
])
def test_parameter_contract(tmp_path, capsys, params, message):
    repo = write_tree(tmp_path, {"k.yaml": "resources:\n  - github.com/kyverno/kyverno//config?ref=v1.4.1\n"})
    assert run(repo, *params, command="plan") == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# -- the files a moved reference names, checked in the project's tree at the new ref -------------
# (GitHub's git trees API, through tests/fakes/releases.py; only when a token is set)
MOVED = {
    "infrastructure/kyverno/kustomization.yaml": (
        "resources:\n"
        "  - https://raw.githubusercontent.com/kyverno/kyverno/v1.5.5/definitions/release/install.yaml\n"
        "  - github.com/kyverno/kyverno//config/crds?ref=v1.5.5\n"
        "  - https://raw.githubusercontent.com/kyverno/kyverno/v1.5.5/samples/${ARCH}/policy.yaml\n"),
    "argocd/kyverno.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: kyverno\nspec:\n"
        "  source:\n    repoURL: https://github.com/kyverno/kyverno.git\n    path: definitions/release\n"
        "    targetRevision: v1.5.5\n"),
    ".github/workflows/ci.yaml": (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: kyverno/kyverno/.github/actions/setup-cli@v1.5.5\n"),
}
# kyverno/kyverno at v1.6.0-rc2, as far as these references go: definitions/ became config/
AT_RC2 = ["config/install.yaml", "config/release/install.yaml", "config/crds/kyverno.io_policies.yaml",
          "samples/amd64/policy.yaml", ".github/actions/setup-cli/action.yaml"]


@pytest.fixture
def github_trees(monkeypatch):
    def serve(trees):
        fake = FakeReleases({}, trees=trees)
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        return fake
    return serve


def test_a_file_upstream_moved_is_refused_with_where_that_name_is_now(tmp_path, capsys, github_trees):
    repo = write_tree(tmp_path, MOVED)
    with github_trees({"kyverno/kyverno@v1.6.0-rc2": AT_RC2}) as fake:
        code, result = report(repo, capsys, "github=kyverno/kyverno", "version=v1.6.0-rc2")
    assert code == 1 and fake.violations == []
    assert [(r["path"], r["line"], r["reason"]) for r in result["refused"]] == [
        ("argocd/kyverno.yaml", 9, "ArgoCD targetRevision: edit refused: definitions/release is not in "
                                   "kyverno/kyverno at v1.6.0-rc2 (the same name there: config/release): "
                                   "write the new path by hand"),
        ("infrastructure/kyverno/kustomization.yaml", 2,
         "raw file URL: edit refused: definitions/release/install.yaml is not in kyverno/kyverno at v1.6.0-rc2 "
         "(the same name there: config/install.yaml, config/release/install.yaml): write the new path by hand")]
    # the references whose files are there move; a folder before a variable is what is checked
    diffs = {f["path"]: f["diff"] for f in result["files"]}
    assert sorted(diffs) == [".github/workflows/ci.yaml", "infrastructure/kyverno/kustomization.yaml"]
    kustomization = diffs["infrastructure/kyverno/kustomization.yaml"]
    assert "+  - github.com/kyverno/kyverno//config/crds?ref=v1.6.0-rc2" in kustomization
    assert "/v1.6.0-rc2/samples/${ARCH}/policy.yaml" in kustomization
    assert "/v1.6.0-rc2/definitions/" not in kustomization
    # one listing per repository and ref
    assert [path for _, path, _ in fake.requests] == ["/repos/kyverno/kyverno/git/trees/v1.6.0-rc2?recursive=1"]
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(MOVED.items())}  # plan writes nothing


def test_every_file_there_moves_as_without_the_check(tmp_path, github_trees):
    repo = write_tree(tmp_path, MOVED)
    at_v156 = AT_RC2 + ["definitions/release/install.yaml"]
    with github_trees({"kyverno/kyverno@v1.5.6": at_v156}) as fake:
        assert run(repo, "github=kyverno/kyverno", "version=v1.5.6") == 0
    assert fake.violations == []
    assert tree_bytes(repo) == {p: t.replace("v1.5.5", "v1.5.6").encode() for p, t in sorted(MOVED.items())}


@pytest.mark.parametrize("trees", [
    {},  # the API does not know the ref (HTTP 404): nothing says the file is missing
    {"kyverno/kyverno@v1.6.0-rc2+": AT_RC2},  # a truncated listing may lack a file that is there
], ids=["unknown-ref", "truncated"])
def test_an_answer_that_cannot_tell_changes_nothing_of_the_edit(tmp_path, github_trees, trees):
    repo = write_tree(tmp_path, MOVED)
    with github_trees(trees) as fake:
        assert run(repo, "github=kyverno/kyverno", "version=v1.6.0-rc2") == 0
    assert fake.violations == [] and len(fake.requests) == 1
    assert tree_bytes(repo) == {p: t.replace("v1.5.5", "v1.6.0-rc2").encode() for p, t in sorted(MOVED.items())}


def test_without_a_token_nothing_is_looked_up(tmp_path, monkeypatch):
    monkeypatch.setattr("socket.socket.connect", lambda *a: pytest.fail("a lookup was made without a token"))
    repo = write_tree(tmp_path, MOVED)
    assert run(repo, "github=kyverno/kyverno", "version=v1.6.0-rc2") == 0
    assert tree_bytes(repo) == {p: t.replace("v1.5.5", "v1.6.0-rc2").encode() for p, t in sorted(MOVED.items())}


def test_a_failed_lookup_is_one_line_and_changes_nothing(tmp_path, capsys, monkeypatch):
    repo = write_tree(tmp_path, MOVED)
    with FakeReleases({}, status=500) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        assert run(repo, "github=kyverno/kyverno", "version=v1.6.0-rc2") == 2
    err = capsys.readouterr().err
    assert "the files of kyverno/kyverno at v1.6.0-rc2: HTTP 500" in err and err.count("\n") == 1
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(MOVED.items())}


def test_the_release_tag_passed_to_the_projects_install_script_moves(tmp_path):
    """golangci-lint's documented install: its script from a branch piped to a shell, the release
    tag the last argument (argocd-autopilot's Makefile). The branch stays; another project's
    script, and an argument that is no version, stay too."""
    before = ("lint:\n"
              "\t@curl -sSfL https://raw.githubusercontent.com/kyverno/kyverno/master/install.sh"
              " | sh -s -- -b $(GOBIN) v1.4.1\n"
              "\tcurl -sSfL https://raw.githubusercontent.com/kyverno/kyverno/HEAD/hack/install.sh"
              " | bash -s -- v1.4.1\n"
              "\tcurl -sSfL https://raw.githubusercontent.com/kyverno/kyverno/master/install.sh | sh -s -- -b bin\n"
              "\tcurl -sSfL https://raw.githubusercontent.com/other/kyverno/master/install.sh | sh -s -- v1.4.1\n")
    repo = write_tree(tmp_path, {"Makefile": before})
    assert run(repo, "github=kyverno/kyverno", "version=v1.5.0") == 0
    lines = before.splitlines(keepends=True)
    lines[1], lines[2] = lines[1].replace("v1.4.1", "v1.5.0"), lines[2].replace("v1.4.1", "v1.5.0")
    assert tree_bytes(repo) == {"Makefile": "".join(lines).encode()}
    assert run(repo, "github=kyverno/kyverno", "version=v1.5.0") == 0
    assert tree_bytes(repo) == {"Makefile": "".join(lines).encode()}  # a second run changes nothing
