"""Markdown that points at paths a removal deleted (issue 12, "0 references left pointing at
deleted paths"): a link to a deleted file becomes plain text, a list item that is only such a
link goes, and a documented command into a deleted versioned folder is re-pointed to the version
that stays. Pairs are compared byte for byte; look-alikes come back unchanged; a second run
changes nothing; the whole run leaves no dangling line and lists what it did for the reviewer."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.pathrefs import Gone, Successor, successors
from gitops_bot.domain.worktree import Worktree
from gitops_bot.edit import markdown
from tests.editors import ctx, dedent

from .conftest import tree_bytes, write_tree

DELETED = frozenset({"infra/policies/tenancy.yaml", "platform/mesh-1-4", "platform/mesh-1-4/crds",
                     "platform/mesh-1-4/crds/base", "platform/mesh-1-4/crds/base/kustomization.yaml",
                     "platform/mesh-1-4/legacy", "platform/mesh-1-4/legacy/kustomization.yaml"})
MESH = Successor("platform/mesh-1-4", "platform/mesh-1-5",
                 frozenset({"crds", "crds/base", "crds/base/kustomization.yaml"}))


def _ctx(path: str = "README.md", with_successor: bool = True):
    return replace(ctx("tenancy-policy"), deleted_paths=DELETED, path=path,
                   successors=(MESH,) if with_successor else ())


PAIRS = {
    "a link to a deleted file in a sentence becomes its text": (
        "README.md",
        """
        Then we set up [cluster policies](./infra/policies/tenancy.yaml)
        to isolate tenants, and [the rest](./docs/other.md).
        """,
        """
        Then we set up cluster policies
        to isolate tenants, and [the rest](./docs/other.md).
        """),
    "from a page's own folder, with an anchor": (
        "docs/guide/setup.md",
        """
        See [the policy](../../infra/policies/tenancy.yaml#L3 "policy") for details.
        """,
        """
        See the policy for details.
        """),
    "a table row whose first cell is the link goes, the other rows stay": (
        "docs/index.md",
        """
        | Policy | What it does |
        |--------|--------------|
        | [Quotas](../infra/policies/quotas.yaml) | Limits. |
        | [**Tenancy**](../infra/policies/tenancy.yaml) | Isolates tenants. |
        """,
        """
        | Policy | What it does |
        |--------|--------------|
        | [Quotas](../infra/policies/quotas.yaml) | Limits. |
        """),
    "the table's only row stays (its table would be a bare header): the link becomes its text": (
        "README.md",
        """
        | Policy | Why |
        |---|---|
        | [tenancy](infra/policies/tenancy.yaml) | isolation |
        """,
        """
        | Policy | Why |
        |---|---|
        | tenancy | isolation |
        """),
    "a row whose link is not in its first cell stays: the link becomes its text": (
        "README.md",
        """
        | a | b |
        |---|---|
        | x | [tenancy](infra/policies/tenancy.yaml) |
        | y | z |
        """,
        """
        | a | b |
        |---|---|
        | x | tenancy |
        | y | z |
        """),
    "a sentence that only says where the deleted path is goes, the line's other sentence stays": (
        "docs/guide.md",
        """
        Tenancy is enforced. The policy is in [infra/policies/tenancy.yaml](../infra/policies/tenancy.yaml).
        The code is in [`infra/policies/tenancy.yaml`](https://github.com/o/r/tree/main/infra/policies/tenancy.yaml) \
        directory. Quotas are in `infra/policies/quotas.yaml`.
        """,
        """
        Tenancy is enforced.
        Quotas are in `infra/policies/quotas.yaml`.
        """),
    "a list item that is only the link goes, its neighbours stay": (
        "README.md",
        """
        Policies:

        - [Tenancy](infra/policies/tenancy.yaml)
        - [Quotas](infra/policies/quotas.yaml)
        """,
        """
        Policies:

        - [Quotas](infra/policies/quotas.yaml)
        """),
    "an item whose leading term is the link goes with the lines under it": (
        "docs/variations.md",
        """
        - [**Use a cache**](../components/cache)
          - Adds a cache in front of the store.
        - [**Support the old probes**](../infra/policies/tenancy.yaml) for old clusters
          - Deploys the apps with the old probes.
            More about them.
        - **[Use a registry](../components/registry)**
        """,
        """
        - [**Use a cache**](../components/cache)
          - Adds a cache in front of the store.
        - **[Use a registry](../components/registry)**
        """),
    "an item that mentions the link later is unlinked, not removed": (
        "README.md",
        """
        - Policies: see [tenancy](infra/policies/tenancy.yaml)
        - Quotas
        """,
        """
        - Policies: see tenancy
        - Quotas
        """),
    "the only item of its list is unlinked, not removed": (
        "README.md",
        """
        Policies:

        - [Tenancy](infra/policies/tenancy.yaml)

        More text.
        """,
        """
        Policies:

        - Tenancy

        More text.
        """),
    "a command into a deleted versioned folder is re-pointed to the version that stays": (
        "contrib/serving/README.md",
        """
        1. Install the mesh
           ```sh
           kubectl apply -k ../../platform/mesh-1-4/crds/base
           kubectl apply -k ../../platform/other/base
           ```
        """,
        """
        1. Install the mesh
           ```sh
           kubectl apply -k ../../platform/mesh-1-5/crds/base
           kubectl apply -k ../../platform/other/base
           ```
        """),
    "from the repository root, in a bash block": (
        "docs/install.md",
        """
        ```bash
        kustomize build platform/mesh-1-4/crds/base | kubectl apply -f -
        ```
        """,
        """
        ```bash
        kustomize build platform/mesh-1-5/crds/base | kubectl apply -f -
        ```
        """),
}


@pytest.mark.parametrize("key", list(PAIRS))
def test_pairs(key):
    path, before, after = PAIRS[key]
    before, after = dedent(before), dedent(after)
    result = markdown.remove(before, _ctx(path))
    assert result.text == after
    assert not result.refused
    assert markdown.remove(result.text, _ctx(path)).text == result.text  # a second run changes nothing


NOOPS = {
    "the link's text is the path: as plain text it would still name it": (
        "README.md", "The code is in the [infra/policies/tenancy.yaml](infra/policies/tenancy.yaml) file.\n"),
    "the link's text is the file's name": ("README.md", "See [tenancy.yaml](infra/policies/tenancy.yaml).\n"),
    "a web link: another repository may hold the same path": (
        "README.md", "See [the code](https://github.com/o/r/tree/main/infra/policies/tenancy.yaml).\n"),
    "a site route": ("README.md", "See [the page](/docs/infra/policies/tenancy).\n"),
    "an image": ("README.md", "![policy](infra/policies/tenancy.yaml)\n"),
    "a link inside a code span": ("README.md", "Write `[policy](infra/policies/tenancy.yaml)` to link it.\n"),
    "a link inside a code block": ("README.md", "```md\n[policy](infra/policies/tenancy.yaml)\n```\n"),
    "a same-named file in another folder, which stays": ("docs/README.md", "See [it](policies/tenancy.yaml).\n"),
    "a link to a file that stays, beside the deleted one": ("README.md", "See [it](infra/policies/quotas.yaml).\n"),
    "a path the successor does not hold: the command stays (the residue lists it)": (
        "README.md", "```sh\nkubectl apply -k platform/mesh-1-4/legacy\n```\n"),
    "one path of the line cannot be re-pointed: the whole line stays": (
        "README.md", "```sh\nkubectl apply -k platform/mesh-1-4/crds/base -k platform/mesh-1-4/legacy\n```\n"),
    "a versioned path outside a shell block": ("README.md", "```yaml\nresources: [platform/mesh-1-4/crds/base]\n```\n"),
    "a web link to another path of the same name than its text": (
        "README.md",
        "See it. The [infra/policies/tenancy.yaml](https://github.com/o/r/tree/main/other/tenancy.yaml) file.\n"),
    "a changelog: a record of the past": ("CHANGELOG.md", "- Added [cluster policies](infra/policies/tenancy.yaml)\n"),
    "a sibling version that is not deleted": (
        "README.md", "```sh\nkubectl apply -k platform/mesh-1-3/crds/base\n```\n"),
}


@pytest.mark.parametrize("key", list(NOOPS))
def test_noops(key):
    path, text = NOOPS[key]
    assert markdown.remove(text, _ctx(path)).text == text


def test_no_successor_no_repoint():
    text = "```sh\nkubectl apply -k platform/mesh-1-4/crds/base\n```\n"
    assert markdown.remove(text, _ctx(with_successor=False)).text == text


def test_notes_say_what_to_check():
    result = markdown.remove(dedent(PAIRS["a link to a deleted file in a sentence becomes its text"][1]), _ctx())
    assert result.notes == [(1, "the link to infra/policies/tenancy.yaml, which this change deletes, is plain text "
                                "now: check the sentence still holds")]
    _, before, _ = PAIRS["a command into a deleted versioned folder is re-pointed to the version that stays"]
    result = markdown.remove(dedent(before), _ctx("contrib/serving/README.md"))
    assert result.notes == [(3, "re-pointed to the version that stays (platform/mesh-1-4 -> platform/mesh-1-5): "
                                "check the command still applies")]


def _gone(tree: Worktree, deleted: set[str]) -> Gone:
    return Gone(frozenset(deleted), frozenset(tree.paths()), frozenset(tree.dirs()))


def test_successors_are_the_one_sibling_of_the_same_shape(tmp_path):
    write_tree(tmp_path, {p: "x\n" for p in (
        "common/mesh-1-16/base/k.yaml", "common/mesh-1-17/base/k.yaml", "common/mesh-cni-1-17/k.yaml",
        "common/mesh-1.18/k.yaml", "tools/py3/a.txt", "tools/py2/a.txt", "tools/py4/a.txt", "apps/v1/a.txt",
        "apps/api-v2/a.txt", "apps/api-v3/a.txt")})
    tree = Worktree(tmp_path)
    found = successors(tree, _gone(tree, {"common/mesh-1-16", "tools/py3", "apps/api-v2", "apps/v1"}))
    # mesh-cni-1-17 is another stem, mesh-1.18 another spelling; py2 and py4 are two candidates;
    # v1 has no stem
    assert found == (Successor("apps/api-v2", "apps/api-v3", frozenset({"a.txt"})),
                     Successor("common/mesh-1-16", "common/mesh-1-17", frozenset({"base", "base/k.yaml"})))


# -- the whole run ------------------------------------------------------------------------------
TREE = {
    "platform/mesh-1-4/crds/base/kustomization.yaml": "resources: [crds.yaml]\n",
    "platform/mesh-1-4/crds/base/crds.yaml": "kind: List\n",
    "platform/mesh-1-5/crds/base/kustomization.yaml": "resources: [crds.yaml]\n",
    "platform/mesh-1-5/crds/base/crds.yaml": "kind: List\n",
    "contrib/serving/README.md": "# Serving\n\n```sh\nkubectl apply -k ../../platform/mesh-1-4/crds/base\n```\n",
    "README.md": "# Platform\n\nThe [mesh CRDs](platform/mesh-1-4/crds/base/crds.yaml) come first.\n",
}


def test_the_run_leaves_nothing_pointing_at_the_deleted_folder(tmp_path, capsys):
    write_tree(tmp_path, TREE)
    assert main(["plan", "remove-service", "service=mesh-1-4", "--repo", str(tmp_path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    residue = {(r["path"], r["line"]): r["reason"] for r in report["residue"]}
    assert residue == {
        ("contrib/serving/README.md", 4): "re-pointed to the version that stays (platform/mesh-1-4 -> "
                                          "platform/mesh-1-5): check the command still applies",
        ("README.md", 3): "the link to platform/mesh-1-4/crds/base/crds.yaml, which this change deletes, is "
                          "plain text now: check the sentence still holds",
    }
    assert main(["apply", "remove-service", "service=mesh-1-4", "--repo", str(tmp_path)]) == 0
    after = {p: t for p, t in TREE.items() if not p.startswith("platform/mesh-1-4/")}
    after["contrib/serving/README.md"] = TREE["contrib/serving/README.md"].replace("mesh-1-4", "mesh-1-5")
    after["README.md"] = "# Platform\n\nThe mesh CRDs come first.\n"
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
    capsys.readouterr()
    assert main(["apply", "remove-service", "service=mesh-1-4", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == {p: t.encode() for p, t in after.items()}
