"""Markdown a careful human removes with a component beyond rows and sections (issue 12): the
install command for it with the sentence introducing it, its image and caption in a one-column
demo table with the link definitions only they used, its node in a Mermaid diagram. Pairs are
compared byte for byte; look-alikes come back unchanged; a second run changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gitops_bot.edit import markdown
from tests.editors import ctx, dedent

PAIRS = {
    "the service's argument lines of continued commands, in the middle and at the end": (
        """
        Enable the APIs:
        ```
        gcloud services enable monitoring.googleapis.com \\
            videoservice.googleapis.com \\
            cloudtrace.googleapis.com
        ```

        ```sh
        gcloud services enable \\
          monitoring.googleapis.com \\
          video-service.googleapis.com
        echo done
        ```
        """,
        """
        Enable the APIs:
        ```
        gcloud services enable monitoring.googleapis.com \\
            cloudtrace.googleapis.com
        ```

        ```sh
        gcloud services enable \\
          monitoring.googleapis.com
        echo done
        ```
        """),
    "an install command for the service with its lead-in": (
        """
        #### Boards

        Install the boards:

        ```sh
        kustomize build apps/board-service/overlays | kubectl apply -f -
        ```

        If you still need the Video Service, install it with
        the following command:

        ```sh
        kustomize build apps/video-service/upstream/overlays/prod | kubectl apply -f -
        ```

        #### Search
        """,
        """
        #### Boards

        Install the boards:

        ```sh
        kustomize build apps/board-service/overlays | kubectl apply -f -
        ```

        #### Search
        """),
    "a pseudo-code step for the service with the lines under it": (
        """
        ```
        build the cluster:
            install k3s
            create VideoService config:
                pick a port
                apply the config
        build ./bootstrap:
            install ArgoCD
        ```
        """,
        """
        ```
        build the cluster:
            install k3s
        build ./bootstrap:
            install ArgoCD
        ```
        """),
    "an image row, its caption and the definition only they used": (
        """
        | Demo                                         |
        | :--:                                         |
        | [![][auth-demo]][auth-demo]                  |
        | Logging in with [Auth](https://auth.example) |
        | [![][video-service-demo]][video-service-demo] |
        | Rooms served by [video-service](https://v.example) |

        [auth-demo]: https://img.example/auth.png
        [video-service-demo]: https://img.example/video.png
        """,
        """
        | Demo                                         |
        | :--:                                         |
        | [![][auth-demo]][auth-demo]                  |
        | Logging in with [Auth](https://auth.example) |

        [auth-demo]: https://img.example/auth.png
        """),
    "a diagram node nothing else in the diagram uses": (
        """
        ```mermaid
        flowchart TD
          subgraph apps
            auth[Auth Service]
            video[Video Service]
            board-service
          end
          gateway --> auth
        ```
        """,
        """
        ```mermaid
        flowchart TD
          subgraph apps
            auth[Auth Service]
            board-service
          end
          gateway --> auth
        ```
        """),
}

NOOPS = {
    "a lead-in that does not name the service, or does not introduce": """
        To reach the UI, forward a port:

        ```sh
        kubectl apply -k apps/video-service/overlays/dev
        ```

        The Video Service is documented below.

        ```sh
        kubectl apply -k apps/video-service/overlays/dev
        ```
        """,
    "a block that also does other things, and a YAML block": """
        Install the Video Service and the boards:

        ```sh
        kubectl apply -k apps/video-service/overlays/dev
        kubectl rollout status deploy/board-service
        ```

        The Video Service reads this:

        ```yaml
        path: apps/video-service/overlays/dev
        ```
        """,
    "a caption that names the service in passing, and a definition still used": """
        | Demo |
        | :--: |
        | [![][auth-demo]][auth-demo] |
        | Logging in, then watching a [video-service](https://v.example) room |

        See [video-service-demo] for a recording.

        [video-service-demo]: https://img.example/video.png
        [auth-demo]: https://img.example/auth.png
        """,
    "outline look-alikes: a condition, a leaf step, a drawn tree, a YAML block": """
        ```
        select values:
            if Video Service unreachable:
                use the cache
            else:
                use the server
            install video-service
        ```

        ```
        apps/
        ├── video-service:
        │   └── values.yaml
        ```

        ```yaml
        video-service:
          replicas: 1
        ```
        """,
    "an argument line that is the command's only operand, an option, or another language's block": """
        ```sh
        gcloud services enable \\
          video-service.googleapis.com
        helm upgrade app ./chart \\
          --set video-service.enabled=false \\
          --wait
        ```

        ```yaml
        args: \\
          video-service
          other
        ```
        """,
    "a diagram node with an edge, and a node in prose": """
        ```mermaid
        flowchart LR
          video[Video Service]
          video --> db
        ```

        video
        """,
}


@pytest.mark.parametrize("case", PAIRS)
def test_pairs_and_a_second_run(case):
    before, after = (dedent(t) for t in PAIRS[case])
    result = markdown.remove(before, ctx())
    assert result.text == after and not result.refused
    assert markdown.remove(after, ctx()).text == after


@pytest.mark.parametrize("case", NOOPS)
def test_look_alikes_stay(case):
    text = dedent(NOOPS[case])
    assert markdown.remove(text, ctx()).text == text


def test_a_command_on_a_path_the_run_deleted_counts_whatever_its_name():
    text = dedent("""
        # Recorder

        Keep using the old recorder (the Video Service's) with:

        ```sh
        kubectl apply -f ./deploy/recorder.yaml
        ```
        """)
    assert markdown.remove(text, ctx()).text == text
    gone = replace(ctx(), deleted_paths=frozenset({"deploy/recorder.yaml"}))
    assert markdown.remove(text, gone).text == "# Recorder\n"


def _known(*names: str):
    from gitops_bot.domain.names import service_name
    from gitops_bot.edit.base import RemovalContext
    return RemovalContext(service_name("video-service", {"video-service", *names}))


SVC = dedent("""
    ```bash
    $ kubectl get svc -A
    NAMESPACE       NAME             TYPE        CLUSTER-IP      PORT(S)    AGE
    auth-service    auth-service     ClusterIP   172.20.1.10     80/TCP     1h
    board-service   board-service    ClusterIP   172.20.1.11     80/TCP     1h
    video-service   video-service    ClusterIP   172.20.1.12     5672/TCP   1h
    video-service   video-cache      ClusterIP   172.20.1.13     6379/TCP   1h
    ```
""")


def test_rows_of_command_output_for_the_component_go_where_the_table_lists_others():
    """`kubectl get svc -A` output quoted in docs: the component's rows (first column, its
    namespace) go, as eks-workshop-v2's docs lost rabbitmq's rows; the other components' stay."""
    result = markdown.remove(SVC, _known("auth-service", "board-service"))
    assert result.text == SVC.replace("video-service   video-service    ClusterIP   172.20.1.12     5672/TCP   1h\n", "") \
        .replace("video-service   video-cache      ClusterIP   172.20.1.13     6379/TCP   1h\n", "")
    assert markdown.remove(result.text, _known("auth-service", "board-service")).text == result.text



def test_peer_folders_stand_for_components_the_inventory_does_not_know():
    """eks-workshop-v2's components are kustomize folders the inventory does not list; the
    folders beside the deleted one (RemovalContext.peers) say the other rows are components."""
    from dataclasses import replace as with_
    from gitops_bot.domain.names import service_name
    from gitops_bot.edit.base import RemovalContext
    text = SVC.replace("auth-service ", "catalog      ").replace("board-service", "orders       ")
    bare = RemovalContext(service_name("video-service", {"video-service"}))
    assert markdown.remove(text, bare).text == text  # nothing says the other rows are components
    result = markdown.remove(text, with_(bare, peers=frozenset({"catalog", "orders"})))
    assert "video-service   video-service" not in result.text and "catalog      " in result.text
