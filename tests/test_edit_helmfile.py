"""A helmfile loses the component's release whole (never only its `values:` line, which would
leave a release installing without its values), the repository only that release used, and the
`needs` entries of other releases that waited for it: each waits instead for what the removed
release waited for, so the installation order stays (onedr0p/home-ops did exactly that). Pairs
compared byte for byte; look-alikes stay; a second run changes nothing."""

from __future__ import annotations

import pytest

from gitops_bot.edit import yaml_file
from tests.editors import ctx, dedent

BEFORE = dedent("""
    ---
    # bootstrap order matters
    repositories:
      - name: coredns
        url: https://coredns.github.io/helm

      - name: acme
        url: https://acme.github.io/charts

    releases:
      - name: coredns
        namespace: kube-system
        chart: coredns/coredns
        version: 1.37.0
        needs: ["kube-system/cilium"]

      - name: video-service
        namespace: media
        chart: acme/video-service
        version: 1.2.4
        values: ["../../apps/media/video-service/app/helm-values.yaml"]
        needs: ["kube-system/coredns"]

      - name: auth-service
        namespace: media
        chart: oci://ghcr.io/acme/charts/auth-service
        version: v0.0.28
        needs:
          - media/video-service
          - kube-system/cilium
""")

# What goes: the repository only the release's chart used, the release itself (each with the
# blank line after it); what changes: auth-service now waits for what video-service waited for.
REPOSITORY = "  - name: acme\n    url: https://acme.github.io/charts\n\n"
RELEASE = BEFORE[BEFORE.index("  - name: video-service"):BEFORE.index("  - name: auth-service")]
AFTER = BEFORE.replace(REPOSITORY, "").replace(RELEASE, "").replace(
    "      - media/video-service\n", "      - kube-system/coredns\n")


def test_the_release_goes_whole_with_its_repository_and_its_dependants_are_rewired():
    result = yaml_file.remove(BEFORE, ctx())
    assert result.text == AFTER and result.refused == []
    assert yaml_file.remove(AFTER, ctx()).text == AFTER  # a second run changes nothing


@pytest.mark.parametrize("needs, expected", [
    # it already waits for what the removed release waited for: the entry just goes
    ('["kube-system/coredns", "media/video-service"]', '["kube-system/coredns"]'),
    # the only entry, and nothing to inherit: the key goes
    (None, None),
], ids=["already-there", "nothing-left"])
def test_a_needs_entry_with_nothing_to_inherit_goes(needs, expected):
    removed_needs = "" if needs is None else '    needs: ["kube-system/coredns"]\n'
    dependant_needs = '["media/video-service"]' if needs is None else needs
    before = ("releases:\n  - name: video-service\n    namespace: media\n    chart: acme/video-service\n"
              f"{removed_needs}\n  - name: auth-service\n    chart: acme/auth-service\n"
              f"    needs: {dependant_needs}\n")
    after = "releases:\n  - name: auth-service\n    chart: acme/auth-service\n" + (
        f"    needs: {expected}\n" if expected else "")
    result = yaml_file.remove(before, ctx())
    assert result.text == after and result.refused == []


def test_a_release_that_needed_several_leaves_its_dependants_to_a_human():
    before = ("releases:\n  - name: video-service\n    chart: acme/video-service\n"
              "    needs: [\"a/one\", \"b/two\"]\n\n  - name: auth-service\n    chart: acme/auth-service\n"
              "    needs: [\"video-service\"]\n")
    result = yaml_file.remove(before, ctx())
    assert [(r.line, r.reason) for r in result.refused] == [
        (8, "needs video-service, which the removal takes, and that release needed a/one, b/two: "
            "rewire this release's needs by hand")]
    assert "- name: video-service" not in result.text and 'needs: ["video-service"]' in result.text


def test_look_alikes_stay():
    text = dedent("""
        repositories:
          - name: acme
            url: https://acme.github.io/charts
        releases:
          - name: video-service-gateway
            chart: acme/gateway
            needs: ["media/video-service-gateway-crds"]
          - name: auth-service
            chart: acme/auth-service
            needs: ["media/video-service-gateway"]
    """)
    assert yaml_file.remove(text, ctx()).text == text
