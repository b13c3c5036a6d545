"""YAML constructs where the service's name is not a reference to remove (corpus: pi-cluster's
istio-gateway HelmRelease and overlays, billimek's renovate workflow), and the manifest named
for the service that goes whole from a multi-document file: byte-for-byte pairs, refusals that
leave the text unchanged, and a second run that changes nothing."""

from __future__ import annotations

import pytest

from gitops_bot.edit import yaml_file
from tests.editors import ctx, dedent

FLUX_KUSTOMIZATIONS = dedent("""
    ---
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: mesh-app
    spec:
      path: ./platform/mesh/app
      dependsOn:
        - name: cni-app
    ---
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: video-service-app
    spec:
      path: ./platform/mesh/video
      dependsOn:
        - name: mesh-app
      sourceRef:
        kind: GitRepository
        name: flux-system
    """)
FLUX_KUSTOMIZATIONS_AFTER = dedent("""
    ---
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: mesh-app
    spec:
      path: ./platform/mesh/app
      dependsOn:
        - name: cni-app
    """)

WORKFLOW = dedent("""
    on: pull_request
    jobs:
      review:
        runs-on: ubuntu-latest
        steps:
          - name: pick depth
            run: |
              # deep review for components with a large blast radius
              if echo "$title" | grep -qiE 'group|envoy|video-service|cert-manager'; then
                echo "depth=deep" >> "$GITHUB_OUTPUT"
              fi
    """)

ALERTS = dedent("""
    groups:
      - name: up
        rules:
          - alert: Down
            expr: up{job=~"auth-service|video-service"} == 0
    """)
ALERTS_AFTER = ALERTS.replace("auth-service|video-service", "auth-service")


def test_a_manifest_named_for_the_service_goes_whole_from_a_multi_document_file():
    result = yaml_file.remove(FLUX_KUSTOMIZATIONS, ctx())
    assert result.text == FLUX_KUSTOMIZATIONS_AFTER
    assert yaml_file.remove(result.text, ctx()).text == FLUX_KUSTOMIZATIONS_AFTER  # second run


@pytest.mark.parametrize("text", [
    # The service's own HelmRelease: its values ConfigMap is its own, not a reference to cut.
    dedent("""
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: video-service
        spec:
          chart:
            spec:
              chart: streaming
              sourceRef:
                kind: HelmRepository
                name: charts
          valuesFrom:
          - kind: ConfigMap
            name: video-service-helm-values
            valuesKey: base-values.yaml
        """),
    # The service's own overlay: it generates the service's values and patches its release.
    dedent("""
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../../base

        configMapGenerator:
          - name: video-service-helm-values
            behavior: merge
            files:
              - overlay-values.yaml=values.yaml

        patches:
        - target:
            kind: HelmRelease
            name: video-service
          path: helm-patch.yaml
        """),
    # A pattern in a shell script may filter free text (here PR titles): it stays.
    WORKFLOW,
], ids=["own HelmRelease", "own overlay", "shell script pattern"])
def test_the_services_own_files_and_shell_patterns_are_refused_unchanged(text):
    result = yaml_file.remove(text, ctx())
    assert result.text == text
    assert result.refused


def test_a_shared_overlay_still_loses_the_services_patch():
    before = dedent("""
        resources:
          - ../../base
        configMapGenerator:
          - name: platform-values
            files:
              - values.yaml
        patches:
        - target:
            kind: HelmRelease
            name: auth-service
          path: auth-patch.yaml
        - target:
            kind: HelmRelease
            name: video-service
          path: video-patch.yaml
        """)
    after = before[:before.index("- target:\n    kind: HelmRelease\n    name: video-service")]
    result = yaml_file.remove(before, ctx())
    assert result.text == after
    assert yaml_file.remove(after, ctx()).text == after


def test_patterns_outside_shell_scripts_still_lose_the_service():
    result = yaml_file.remove(ALERTS, ctx())
    assert result.text == ALERTS_AFTER
    assert yaml_file.remove(ALERTS_AFTER, ctx()).text == ALERTS_AFTER


@pytest.mark.parametrize("text", [FLUX_KUSTOMIZATIONS_AFTER, ALERTS_AFTER,
                                  "metadata:\n  name: video-service-gateway\nkind: Service\n"])
def test_noop(text):
    assert yaml_file.remove(text, ctx()).text == text


SERVERS = dedent("""
    predictor_servers:
      SKLEARN_SERVER:
        protocols:
          native:
            image: example/sklearn
          video-service:
            image: example/mlserver
      TRITON_SERVER:
        protocols:
          video-service:
            image: example/triton
    """)


def test_a_deep_key_spelled_like_the_service_with_nothing_of_it_beneath_is_refused():
    # A protocol named like the component: removing it would also empty TRITON_SERVER.
    result = yaml_file.remove(SERVERS, ctx())
    assert result.text == SERVERS
    assert [r.line for r in result.refused] == [6, 10]


def test_a_deep_per_service_entry_that_names_the_service_beneath_still_goes():
    before = dedent("""
        monitoring:
          prometheus:
            scrapeTargets:
              authService:
                host: auth-service
              videoService:
                host: video-service
        """)
    after = before[:before.index("      videoService:")]
    assert yaml_file.remove(before, ctx()).text == after
    assert yaml_file.remove(after, ctx()).text == after


def test_a_deep_entry_among_known_components_still_goes():
    before = dedent("""
        environments:
          dev:
            replicas:
              auth-service:
                count: 1
              video-service:
                count: 2
        """)
    after = before[:before.index("      video-service:")]
    assert yaml_file.remove(before, ctx()).text == after


def test_a_comment_spelling_the_name_with_its_own_capitals_goes_with_the_entry():
    before = dedent("""
        resources:
        # Pipelines
        - ../apps/pipeline/overlays/prod
        # LiveKit
        - ../apps/livekit/overlays/prod
        # Katib
        - ../apps/katib/overlays/prod
        """)
    after = before.replace("# LiveKit\n- ../apps/livekit/overlays/prod\n", "")
    result = yaml_file.remove(before, ctx("livekit"))
    assert result.text == after
    assert yaml_file.remove(after, ctx("livekit")).text == after


def test_a_deep_reference_to_a_service_the_document_defines_still_goes():
    # compose: the long form of depends_on is four keys down, with nothing of the service
    # beneath; the service's own entry higher up says what the name is.
    before = dedent("""
        services:
          video-service:
            image: example/video
          frontend:
            image: example/frontend
            depends_on:
              database:
                condition: service_started
              video-service:
                condition: service_started
        """)
    after = dedent("""
        services:
          frontend:
            image: example/frontend
            depends_on:
              database:
                condition: service_started
        """)
    assert yaml_file.remove(before, ctx()).text == after
    assert yaml_file.remove(after, ctx()).text == after


def test_a_manifest_whose_name_only_starts_with_the_services_stays():
    # `video-service-spark-manager` binds another team's role: two words more than the
    # service's name, so it is not taken for one of the service's parts.
    text = dedent("""
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: spark-team
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: video-service-spark-manager
        subjects:
        - kind: ServiceAccount
          name: spark-team
        roleRef:
          kind: Role
          name: spark-manager
        """)
    assert yaml_file.remove(text, ctx()).text == text


def test_a_compose_reference_to_a_service_defined_elsewhere_still_goes():
    # compose.tests.yaml: the services it depends on are defined in another compose file.
    before = dedent("""
        services:
          integration-tests:
            image: example/tests
            depends_on:
              database:
                condition: service_started
              video-service:
                condition: service_started
        """)
    after = before[:before.index("      video-service:")]
    assert yaml_file.remove(before, ctx()).text == after
    assert yaml_file.remove(after, ctx()).text == after


def test_a_nav_entry_goes_from_a_file_with_application_tags():
    # mkdocs.yml: Material's emoji settings carry python tags no safe loader constructs; the
    # check reads them as inert tagged data and still compares everything else.
    before = dedent("""
        markdown_extensions:
          - pymdownx.emoji:
              emoji_index: !!python/name:material.extensions.emoji.twemoji
        nav:
          - Troubleshooting:
            - how-to-guides/troubleshooting/auth-service.md
            - how-to-guides/troubleshooting/video-service.md
            - how-to-guides/troubleshooting/pxe-boot.md
        """)
    after = before.replace("    - how-to-guides/troubleshooting/video-service.md\n", "")
    result = yaml_file.remove(before, ctx())
    assert (result.text, result.refused) == (after, [])
    assert yaml_file.remove(after, ctx()).text == after


def test_a_tagged_value_changed_by_the_edit_is_still_caught():
    from gitops_bot.edit.yaml_file import Plan, verify
    old = "a: !Ref video-service\nb: 1\n"
    assert verify(old, "a: !Ref other\nb: 1\n", ctx().name, Plan()) is not None
    assert verify(old, "a: !Ref video-service\n", ctx().name, Plan()) is not None


def test_an_object_building_tag_is_still_refused():
    text = 'a: !!python/object/apply:os.system ["true"]\nvideo-service: 1\nb: 2\n'
    result = yaml_file.remove(text, ctx())
    assert result.text == text
    assert "could not determine a constructor" in result.refused[0].reason


def test_a_release_whose_chart_is_a_fork_named_after_the_service_goes():
    before = dedent("""
        releases:
          - name: auth-service
            chart: oci://ghcr.io/example/charts/auth-service
            version: 1.0.0

          - name: video-service
            namespace: media
            chart: oci://ghcr.io/example/charts-mirror/video-service-fork
            version: 0.18.5

          - name: storage
            chart: oci://ghcr.io/example/charts/storage
            version: 2.0.0
        """)
    after = before.replace("""  - name: video-service
    namespace: media
    chart: oci://ghcr.io/example/charts-mirror/video-service-fork
    version: 0.18.5

""", "")
    assert yaml_file.remove(before, ctx()).text == after
    assert yaml_file.remove(after, ctx()).text == after


def test_a_release_of_the_service_from_another_components_chart_stays():
    text = dedent("""
        releases:
          - name: video-service-db
            chart: oci://ghcr.io/example/charts/postgresql
        """)
    assert yaml_file.remove(text, ctx()).text == text


def _kustomization_ctx(deleted: set[str], path: str = "infra/configs/kustomization.yaml"):
    from dataclasses import replace
    return replace(ctx(), deleted_paths=frozenset(deleted), path=path)


KUSTOMIZATION = dedent("""
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - cluster-issuers.yaml
      - network-policies.yaml
      - ../apps/ingress/overlays/prod
    """)


def test_a_kustomization_entry_whose_file_the_run_deleted_goes():
    after = KUSTOMIZATION.replace("  - network-policies.yaml\n", "")
    gone = {"infra/configs/network-policies.yaml"}
    result = yaml_file.remove(KUSTOMIZATION, _kustomization_ctx(gone))
    assert result.text == after
    assert yaml_file.remove(after, _kustomization_ctx(gone)).text == after


def test_a_kustomization_entry_whose_folder_lost_its_kustomization_goes():
    after = KUSTOMIZATION.replace("  - ../apps/ingress/overlays/prod\n", "")
    gone = {"infra/apps/ingress/overlays/prod/kustomization.yaml", "infra/apps/ingress/overlays/prod/patch.yaml"}
    assert yaml_file.remove(KUSTOMIZATION, _kustomization_ctx(gone)).text == after


@pytest.mark.parametrize("deleted, path", [
    ({"infra/configs/network-policies.yaml"}, "infra/configs/values.yaml"),  # not a kustomization
    ({"infra/apps/ingress/overlays/prod/patch.yaml"}, "infra/configs/kustomization.yaml"),  # folder stays
    ({"network-policies.yaml"}, "infra/configs/kustomization.yaml"),  # another folder's file
    (set(), "infra/configs/kustomization.yaml"),
])
def test_kustomization_entries_of_files_that_stay_are_kept(deleted, path):
    assert yaml_file.remove(KUSTOMIZATION, _kustomization_ctx(deleted, path)).text == KUSTOMIZATION
