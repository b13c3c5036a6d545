"""YAML editor: before/after pairs, no-op cases and refusals."""

from __future__ import annotations

import pytest

from gitops_bot.edit import yaml_file
from gitops_bot.edit.base import Unparsable

from .editors import ctx, dedent

PAIRS = {
    "mapping entry with trailing blank kept once": (
        """
        a: 1

        video-service:
          replicaCount: 1

        b: 2
        """,
        """
        a: 1

        b: 2
        """),
    "camelCase key and UPPER_SNAKE address key": (
        """
        services:
          authService: {enabled: true}
          videoService:
            enabled: true
        env:
          VIDEO_SERVICE_URL: "http://video-service:8080"
          AUTH_SERVICE_URL: "http://auth-service:8080"
        """,
        """
        services:
          authService: {enabled: true}
        env:
          AUTH_SERVICE_URL: "http://auth-service:8080"
        """),
    "comment naming the entry goes, section comment of the next stays": (
        """
        targets:
          auth:
            port: 1
          # video service metrics
          videoService:
            port: 2
            # deeper comment belongs to the entry

          # Spring Boot Service
          notification:
            port: 3
        """,
        """
        targets:
          auth:
            port: 1

          # Spring Boot Service
          notification:
            port: 3
        """),
    "flush sequence of database entries with an inline comment": (
        """
        databases:
        - name: app_auth
          user: auth
        - name: app_video   # rooms
          user: video
        - name: app_board
          user: board
        """,
        """
        databases:
        - name: app_auth
          user: auth
        - name: app_board
          user: board
        """),
    "indented sequence of paths": (
        """
        paths:
          - 'services/auth-service/**'
          - 'services/video-service/**'
        """,
        """
        paths:
          - 'services/auth-service/**'
        """),
    "flow sequence, middle, short name": (
        "services: [auth, video, board]\n",
        "services: [auth, board]\n"),
    "flow sequence, last item": (
        "matrix: [auth-service, video-service]\n",
        "matrix: [auth-service]\n"),
    "flow sequence, first item and quotes": (
        "x: ['video-service', \"auth-service\"]\n",
        "x: [\"auth-service\"]\n"),
    "only child takes its parent entry": (
        """
        board:
          depends_on:
            - video-service
          image: board
        """,
        """
        board:
          image: board
        """),
    "route whose only destination is the service": (
        """
        http:
          - match: [{uri: {prefix: /a}}]
            route:
              - destination:
                  host: auth-service
          - match: [{uri: {prefix: /v}}]
            route:
              - destination:
                  host: video-service.platform.svc.cluster.local
        """,
        """
        http:
          - match: [{uri: {prefix: /a}}]
            route:
              - destination:
                  host: auth-service
        """),
    "PromQL alternatives and or-lines": (
        """
        expr: up{job=~"auth-service|video-service|board-service"} == 0
        multi: |
          sum(rate(auth_service_total[5m]))
            or sum(rate(video_service_total[5m]))
        """,
        """
        expr: up{job=~"auth-service|board-service"} == 0
        multi: |
          sum(rate(auth_service_total[5m]))
        """),
    "embedded YAML in a block scalar": (
        """
        data:
          prometheus.yml: |
            scrape_configs:
              - job_name: auth-service
              - job_name: video-service
                static_configs:
                  - targets: ["video-service:9102"]
        """,
        """
        data:
          prometheus.yml: |
            scrape_configs:
              - job_name: auth-service
        """),
    "embedded YAML opening with a document marker (gethomepage's services.yaml)": (
        """
        data:
          services.yaml: |
            ---
            - Media:
                - Auth:
                    href: https://auth.example.com
                - Video-Service:
                    href: https://video.example.com
                    widget:
                      url: http://video-service.default.svc:8080
                - Board:
                    href: https://board.example.com
        """,
        """
        data:
          services.yaml: |
            ---
            - Media:
                - Auth:
                    href: https://auth.example.com
                - Board:
                    href: https://board.example.com
        """),
    "CRLF line endings and no final newline": (
        "a: 1\r\nvideo-service:\r\n  x: 1\r\nb: 2",
        "a: 1\r\nb: 2"),
    "non-ASCII comments survive": (
        """
        # 설정
        auth-service: 1  # 인증
        video-service: 2  # 비디오
        """,
        """
        # 설정
        auth-service: 1  # 인증
        """),
    "a Flux Alert's event filter naming the service": (
        """
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: cluster
        spec:
          exclusionList:
            - "waiting.*socket"
            - "video-service configured"
            - "Health check passed in"
        """,
        """
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: cluster
        spec:
          exclusionList:
            - "waiting.*socket"
            - "Health check passed in"
        """),
    "a comment paragraph of its own goes with its entry": (
        """
        serviceAccounts:
          create: true

        # Specifies if the probes use the native streaming protocol of Kubernetes 1.24.
        videoService: false

        networkPolicies:
          create: false
        """,
        """
        serviceAccounts:
          create: true

        networkPolicies:
          create: false
        """),
    "a comment between two removed items goes with them": (
        """
        matrix:
          include:
            - file: ./src/auth-service/Dockerfile
              tag: auth-service
            - file: ./src/video-service-db/Dockerfile
              tag: video-service-db
            # NOTE: pinned until arm runners exist;
            # do not change the runtime version.
            - file: ./src/video-service/Dockerfile
              tag: video-service
            - file: ./src/board-service/Dockerfile
              tag: board-service
        """,
        """
        matrix:
          include:
            - file: ./src/auth-service/Dockerfile
              tag: auth-service
            - file: ./src/board-service/Dockerfile
              tag: board-service
        """),
    "a longer sibling component is not this service": (
        """
        video-service-gateway: 1
        video-service: 2
        """,
        """
        video-service-gateway: 1
        """),
}


@pytest.mark.parametrize("name", PAIRS)
def test_pairs(name):
    before, after = (dedent(t) if "\n" in t[:1] or t.startswith("\n") else t for t in PAIRS[name])
    result = yaml_file.remove(before, ctx())
    assert result.text == after
    assert yaml_file.remove(after, ctx()).text == after  # idempotent


# Comments directly above a removed entry that head more than it stay (listed for review).
KEPT_COMMENTS = {
    "a short heading of a blank-separated section": (
        """
        # Monitoring
        video-service: 1

        grafana: 2
        """,
        """
        # Monitoring

        grafana: 2
        """),
    "a boxed heading": (
        """
        # ******
        # Dependent Services
        # ******
        videoService: 1

        kafka: 2
        """,
        """
        # ******
        # Dependent Services
        # ******
        kafka: 2
        """),
    "a file header directly above the first entry": (
        """
        # Copyright 2024 The Authors. Licensed under the Apache License.
        videoService: 1

        kafka: 2
        """,
        """
        # Copyright 2024 The Authors. Licensed under the Apache License.

        kafka: 2
        """),
    "a document header after its marker": (
        """
        a: 1
        ---
        # Copyright 2024 The Authors. Licensed under the Apache License.
        videoService: 1

        kafka: 2
        """,
        """
        a: 1
        ---
        # Copyright 2024 The Authors. Licensed under the Apache License.

        kafka: 2
        """),
    "a comment whose paragraph goes on below the entry": (
        """
        # These services talk to each other over gRPC.
        video-service: 1
        auth-service: 2
        """,
        """
        # These services talk to each other over gRPC.
        auth-service: 2
        """),
    "a comment after a kept item, above a removed one": (
        """
        include:
          - file: ./src/auth-service/Dockerfile
          # NOTE: pinned until arm runners exist
          - file: ./src/video-service/Dockerfile
          - file: ./src/board-service/Dockerfile
        """,
        """
        include:
          - file: ./src/auth-service/Dockerfile
          # NOTE: pinned until arm runners exist
          - file: ./src/board-service/Dockerfile
        """),
}


@pytest.mark.parametrize("name", KEPT_COMMENTS)
def test_comments_heading_more_than_the_entry_stay(name):
    before, after = (dedent(t) for t in KEPT_COMMENTS[name])
    result = yaml_file.remove(before, ctx())
    assert result.text == after
    assert result.kept_comments
    assert yaml_file.remove(after, ctx()).text == after


NOOPS = [
    "auth-service: {replicas: 1}\n",
    "description: the video-service was retired\n",  # prose in a scalar is residue, not an edit
    "features:\n  video: true\n",  # the short name as a key is not an identity
    # the same pattern outside a Flux Alert is another tool's list: a message is not an identity
    "kind: Other\nspec:\n  exclusionList:\n    - \"video-service configured\"\n    - \"x\"\n",
    "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nspec:\n  exclusionList:\n"
    "    - \"video-gateway configured\"\n    - \"x\"\n",  # another component's events
    # an embedded block holding two documents: parsed where it stands it would be one, so it
    # is not planned (its mention is residue)
    "data:\n  services.yaml: |\n    ---\n    - a: 1\n    ---\n    - Video-Service:\n        href: x\n",
]


@pytest.mark.parametrize("text", NOOPS)
def test_noops(text):
    assert yaml_file.remove(text, ctx()).text == text


@pytest.mark.parametrize("text", ["args:\n  - --upstream\n  - video-service\n",
                                  "args: [--upstream, video-service]\n",
                                  # a path, but after an option that does more than leave it out
                                  "args: [--config, 'stacks/video-service/lint.yaml', --strict]\n",
                                  # an exclusion of the bare name (a check's name, not a path)
                                  "args: [--exclude, video-service, --exclude, 'docs/*']\n",
                                  # nothing would be left of the command
                                  "args: [--exclude, 'stacks/video-service/*']\n"])
def test_flag_list_is_refused(text):
    result = yaml_file.remove(text, ctx())
    assert result.text == text
    assert result.refused and "argument list" in result.refused[0].reason


def test_an_exclusion_of_the_component_paths_goes_with_its_option():
    """`--exclude, 'stacks/video-service/*'` in an argument list leaves out what no longer
    exists: the pair goes, the other options stay (first, middle and last place)."""
    before = dedent("""
        repos:
          - hooks:
              - id: check
                args: [--exclude, 'stacks/video-service/*', --exclude, 'docs/*']
              - id: lint
                args: [--exclude, 'ADOPTERS.md', --exclude, 'stacks/video-service/a/*', --exclude-dir, 'x/*']
              - id: spell
                args: [--ignore, '*.drawio', --skip, stacks/video-service/]  # keep this comment
        """)
    after = dedent("""
        repos:
          - hooks:
              - id: check
                args: [--exclude, 'docs/*']
              - id: lint
                args: [--exclude, 'ADOPTERS.md', --exclude-dir, 'x/*']
              - id: spell
                args: [--ignore, '*.drawio']  # keep this comment
        """)
    result = yaml_file.remove(before, ctx())
    assert result.text == after and not result.refused
    assert yaml_file.remove(after, ctx()).text == after


def test_document_that_would_become_empty_is_refused():
    text = "video-service:\n  x: 1\n"
    result = yaml_file.remove(text, ctx())
    assert result.text == text
    assert "every entry of the document" in result.refused[0].reason


def test_removing_an_anchor_still_used_is_refused():
    text = "video-service: &v\n  x: 1\nauth-service:\n  <<: *v\n"
    result = yaml_file.remove(text, ctx())
    assert result.text == text
    assert "would not parse" in result.refused[-1].reason


def test_flow_mapping_is_refused():
    text = "svc: {auth-service: 1, video-service: 2}\n"
    result = yaml_file.remove(text, ctx())
    assert result.text == text
    assert "flow mapping" in result.refused[0].reason


def test_regex_left_empty_is_refused():
    text = 'a: 1\nexpr: up{job=~"video-service"}\nb: up{job=~"video-service|video-service-x"}\n'
    result = yaml_file.remove(text, ctx())
    assert result.text == text  # a single alternative is not a group; the pair would be emptied
    assert any("every alternative" in r.reason for r in result.refused)


def test_unparsable_yaml_raises():
    with pytest.raises(Unparsable):
        yaml_file.remove("a: [1, 2\nvideo-service: 1\n", ctx())


def test_manifest_document_of_the_service_goes_with_its_marker():
    text = dedent("""
        apiVersion: v1
        kind: Service
        metadata:
          name: auth-service
        ---
        # video
        apiVersion: v1
        kind: Service
        metadata:
          name: video-service
        spec:
          selector:
            app: video-service
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shared
        """)
    result = yaml_file.remove(text, ctx())
    assert result.text == dedent("""
        apiVersion: v1
        kind: Service
        metadata:
          name: auth-service
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shared
        """)


def test_first_manifest_document_takes_the_following_marker():
    text = "kind: Service\nmetadata:\n  name: video-service\n---\nkind: Service\nmetadata:\n  name: a\n"
    assert yaml_file.remove(text, ctx()).text == "kind: Service\nmetadata:\n  name: a\n"


def test_single_manifest_is_not_emptied():
    text = "kind: Service\nmetadata:\n  name: video-service\n"
    result = yaml_file.remove(text, ctx())
    assert result.text == text and result.refused


def test_key_with_a_flush_sequence_goes_whole():
    text = "depends_on:\n- video-service\nimage: x\n"
    assert yaml_file.remove(text, ctx()).text == "image: x\n"
    text = "a: 1\nvideo-service:\n- one\n- two\nb: 2\n"
    assert yaml_file.remove(text, ctx()).text == "a: 1\nb: 2\n"


def test_a_list_item_that_is_one_entry_named_for_the_service_goes_whole():
    """A dashboard's services list (gethomepage: `- Livekit:` with its fields under it, here
    inside a ConfigMap's embedded YAML): the item goes, dash and all, instead of a refusal ("the
    item would lose its dash"); its neighbours stay."""
    before = dedent("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: homepage
        data:
          services.yaml: |
            - Media:
                - Auth:
                    href: https://auth.example.com
                - Livekit:
                    icon: mdi-video
                    href: https://livekit.example.com
                - Board:
                    href: https://board.example.com
    """)
    after = before.replace("        - Livekit:\n            icon: mdi-video\n"
                           "            href: https://livekit.example.com\n", "")
    result = yaml_file.remove(before, ctx("livekit"))
    assert result.text == after and result.refused == []
    assert yaml_file.remove(after, ctx("livekit")).text == after


def test_the_service_leaves_an_enumeration_in_a_comment():
    """`# ... (auth-service, board-service, video-service).` loses `, video-service`, as
    swibrow/home-ops's comment lost `temporal`; a line inside a block scalar is data and stays."""
    before = dedent("""
        # Consumers of the shared cluster (auth-service, board-service, video-service).
        apiVersion: v1
        kind: ConfigMap
        data:
          notes: |
            # auth-service, board-service, video-service
    """)
    after = before.replace("board-service, video-service).", "board-service).")
    result = yaml_file.remove(before, ctx())
    assert result.text == after
    assert yaml_file.remove(after, ctx()).text == after


def test_another_services_settings_group_for_the_service_goes():
    """eks-workshop-v2 removed rabbitmq with the orders service's `..._MESSAGING_PROVIDER:
    rabbitmq` and `..._MESSAGING_RABBITMQ_ADDRESSES: rabbitmq.rabbitmq:5672`: the service's
    address under another service's prefix, and the switch that chose it under the same prefix.
    A lone switch, or an address key whose value is another host, stays."""
    before = dedent("""
        apiVersion: v1
        kind: ConfigMap
        data:
          ORDERS_MESSAGING_PROVIDER: video-service
          ORDERS_MESSAGING_VIDEO_SERVICE_ADDRESSES: video-service.media:5672,amqp://video-service:5673
          ORDERS_PERSISTENCE_PROVIDER: postgres
          ORDERS_PERSISTENCE_ENDPOINT: orders-postgresql:5432
    """)
    after = before.replace("  ORDERS_MESSAGING_PROVIDER: video-service\n", "").replace(
        "  ORDERS_MESSAGING_VIDEO_SERVICE_ADDRESSES: video-service.media:5672,amqp://video-service:5673\n", "")
    assert yaml_file.remove(before, ctx()).text == after
    assert yaml_file.remove(after, ctx()).text == after

    elsewhere = before.replace("video-service.media:5672,amqp://video-service:5673", "broker.media:5672")
    assert yaml_file.remove(elsewhere, ctx()).text == elsewhere


def test_an_anchor_redefined_in_each_document_is_no_orphan():
    """joryirving/home-ops' toolhive.yaml writes `name: &name x` in each document and uses `*name`
    below it: an alias means the nearest anchor of its name before it, in its own document, so the
    service's document goes whole while the next document's alias still has its anchor; an alias
    in the same document as the removed anchor is still refused."""
    other = "---\nkind: MCPServer\nmetadata:\n  name: &name fetch-service\nspec:\n  image: *name\n"
    mine = "---\nkind: MCPServer\nmetadata:\n  name: &name video-service\nspec:\n  image: *name\n"
    before = other + mine + other.replace("fetch-service", "board-service")
    result = yaml_file.remove(before, ctx())
    assert result.text == other + other.replace("fetch-service", "board-service")
    assert yaml_file.remove(result.text, ctx()).text == result.text


def test_objects_of_its_api_and_calls_of_its_tasks_leave_lists():
    """joryirving/home-ops removed volsync with the upgrade controller's health checks on its
    ReplicationSources (`apiVersion: volsync.backube/v1alpha1`: its CRDs go with it) and the
    go-task calls of its Taskfile (`- task: :volsync:state-suspend`); another group's check and
    another namespace's task stay."""
    before = dedent("""
        spec:
          healthChecks:
            - apiVersion: volsync.backube/v1alpha1
              kind: ReplicationSource
              namespace: default
            - apiVersion: ceph.rook.io/v1
              kind: CephCluster
        tasks:
          suspend:
            cmds:
              - until kubectl wait jobs --all; do sleep 5; done
              - task: :volsync:state-suspend
              - task: :rook:status
    """)
    after = before.replace("    - apiVersion: volsync.backube/v1alpha1\n      kind: ReplicationSource\n"
                           "      namespace: default\n", "").replace("      - task: :volsync:state-suspend\n", "")
    result = yaml_file.remove(before, ctx("volsync"))
    assert result.text == after
    assert yaml_file.remove(after, ctx("volsync")).text == after
