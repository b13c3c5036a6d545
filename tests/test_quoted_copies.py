"""A documentation page that quotes an edited file in a code fence follows the removal (issue 12):
the external-dns values list loses `- istio-gateway`, and so does the copy of that list in the
gateway page, as the repository's own later clean-up did (ricsanfre/pi-cluster). Only a fence that
holds the same lines around the deletion changes; look-alikes stay; a second run changes nothing."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.ops import quoted_copies

from .conftest import tree_bytes, write_tree

VALUES = ("policy: sync\nsources:\n  - service\n  - gateway-httproute\n  - gateway-udproute\n  - istio-gateway\n"
          "\ndomainFilters: \n  - example.com\n")
KEPT = VALUES.replace("  - istio-gateway\n", "")


def page(listing: str, indent: str = "") -> str:
    body = "".join(indent + line + "\n" if line else "\n" for line in listing.splitlines())
    return (f"# Envoy Gateway\n\n1. Configure external-dns:\n\n{indent}```yaml\n{body}{indent}```\n\n"
            "The gateway routes the sample app.\n")


def tree(docs: dict[str, str]) -> dict[str, str]:
    return {
        "kubernetes/platform/istio/gateway/base/kustomization.yaml": "resources:\n  - helm.yaml\n",
        "kubernetes/platform/istio/gateway/base/helm.yaml": "kind: HelmRelease\nmetadata:\n  name: istio-gateway\n",
        "kubernetes/platform/external-dns/values.yaml": VALUES,
        **docs,
    }


def test_a_fenced_copy_loses_the_same_lines_at_its_own_indentation(tmp_path):
    write_tree(tmp_path, tree({"docs/envoy-gateway.md": page(VALUES, indent="   "),
                               "docs/plain.md": page(VALUES)}))
    assert main(["apply", "remove-service", "service=istio-gateway", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert files["kubernetes/platform/external-dns/values.yaml"] == KEPT
    # the copy said `domainFilters:` without the file's trailing space: still the same lines
    assert files["docs/envoy-gateway.md"] == page(KEPT, indent="   ")
    assert files["docs/plain.md"] == page(KEPT)
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=istio-gateway", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


@pytest.mark.parametrize("copy", [
    # another list around the same item: not a copy of the edited file
    VALUES.replace("  - gateway-httproute\n", "  - ingress\n"),
    # the item alone, no context
    "sources:\n  - istio-gateway\n",
    # lines shifted unevenly: not one indentation offset
    VALUES.replace("  - gateway-udproute\n", "    - gateway-udproute\n"),
], ids=["other-neighbours", "no-context", "uneven-indent"])
def test_look_alikes_stay_and_are_listed(tmp_path, capsys, copy):
    write_tree(tmp_path, tree({"docs/envoy-gateway.md": page(copy)}))
    assert main(["plan", "remove-service", "service=istio-gateway", "--format", "json", "--repo", str(tmp_path)]) == 0
    result = json.loads(capsys.readouterr().out)
    modified = [f["path"] for f in result["files"] if f["status"] == "modified"]
    assert modified == ["kubernetes/platform/external-dns/values.yaml"]
    assert [(r["path"], r["text"]) for r in result["residue"]] == [("docs/envoy-gateway.md", "- istio-gateway")]


def test_a_deletion_needs_two_lines_above_and_one_below_to_be_recognised():
    assert quoted_copies.deletions("a\nb\nx\nc\n", "a\nb\nc\n") == [
        quoted_copies.Deletion(("a", "b"), ("x",), ("c",))]
    assert quoted_copies.deletions("a\n\nx\nc\n", "a\n\nc\n") == []  # one line above is blank
    assert quoted_copies.deletions("a\nb\nx\n", "a\nb\n") == []  # nothing below
    assert quoted_copies.deletions("a\nb\nx\nc\n", "a\nb\ny\nc\n") == []  # replaced, not deleted
