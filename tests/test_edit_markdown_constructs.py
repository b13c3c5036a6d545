"""Markdown constructs a careful human removes with a service (corpus: READMEs with a section per
app, HTML tech-stack tables, task-list roadmaps, nested bullet lists): byte-for-byte pairs,
no-op texts and a second run that changes nothing."""

from __future__ import annotations

import pytest

from gitops_bot.edit import markdown
from tests.editors import ctx, dedent

PAIRS = {
    "section in the middle": (
        dedent("""
        # auth-service

        Logs people in.

        # video-service

        ![](https://example.invalid/video.png)

        [video-service](https://example.invalid) streams rooms.

        * [video-service.yaml](video-service/video-service.yaml)
        * recordings are kept for a week

        ## Scaling

        One replica per room.

        # board-service

        Boards.
        """),
        dedent("""
        # auth-service

        Logs people in.

        # board-service

        Boards.
        """),
    ),
    "last section, no final newline": (
        "# auth-service\n\nLogs people in.\n\n* [auth/](auth/)\n\n# video-service\n\nRooms.\n\n* [video/](video/)",
        "# auth-service\n\nLogs people in.\n\n* [auth/](auth/)",
    ),
    "HTML table row, name spelled as prose": (
        dedent("""
        <table>
            <tr>
                <th>Logo</th>
                <th>Name</th>
            </tr>
            <tr>
                <td><img width="32" src="https://example.invalid/a.svg"></td>
                <td><a href="https://example.invalid/auth">Auth Service</a></td>
            </tr>
            <tr>
                <td><img width="32" src="https://example.invalid/v.svg"></td>
                <td><a href="https://example.invalid/video">VideoService</a></td>
            </tr>
        </table>
        """),
        dedent("""
        <table>
            <tr>
                <th>Logo</th>
                <th>Name</th>
            </tr>
            <tr>
                <td><img width="32" src="https://example.invalid/a.svg"></td>
                <td><a href="https://example.invalid/auth">Auth Service</a></td>
            </tr>
        </table>
        """),
    ),
    "nested items go with their parent; task-list items": (
        dedent("""
        - auth-service:
            - Username: `admin`
        - video-service:
            - Root token: run `./scripts/video-token`
            - Rooms: see the dashboard
        - board-service:
            - Username: `board`

        - [x] auth-service
        - [x] video-service
        - [ ] board-service
        """),
        dedent("""
        - auth-service:
            - Username: `admin`
        - board-service:
            - Username: `board`

        - [x] auth-service
        - [ ] board-service
        """),
    ),
    "terraform-docs rows: by module name, and by a Source cell pointing into the service": (
        dedent("""
        | Name | Source | Version |
        |------|--------|---------|
        | <a name="module_auth_service"></a> [auth\\_service](#module\\_auth\\_service) | ./modules/auth-service | n/a |
        | <a name="module_video_service"></a> [video\\_service](#module\\_video) | ./modules/video-service | n/a |
        | <a name="module_rooms"></a> [rooms](#module\\_rooms) | ./video-service | n/a |
        | <a name="module_vpc"></a> [vpc](#module\\_vpc) | ./modules/vpc | n/a |
        """),
        dedent("""
        | Name | Source | Version |
        |------|--------|---------|
        | <a name="module_auth_service"></a> [auth\\_service](#module\\_auth\\_service) | ./modules/auth-service | n/a |
        | <a name="module_vpc"></a> [vpc](#module\\_vpc) | ./modules/vpc | n/a |
        """),
    ),
    "a table whose delimiter row has single dashes": (
        "| Component | Path |\n| - | - |\n| Auth | apps/auth-service |\n"
        "| VideoService | apps/video-service/upstream |\n",
        "| Component | Path |\n| - | - |\n| Auth | apps/auth-service |\n",
    ),
    "the service's name in prose enumerations of names, first, middle and last": (
        "- [x] Common applications: Gitea, VideoService, Jellyfin, Paperless...\n"
        "- Home automation (Node-RED, Z-Wave JS UI, video-service)\n"
        "Core services (Video Service, Gitea, ArgoCD,...) start first.\n"
        "Built from `auth-service`, `video-service`, `board-service`.\n",
        "- [x] Common applications: Gitea, Jellyfin, Paperless...\n"
        "- Home automation (Node-RED, Z-Wave JS UI)\n"
        "Core services (Gitea, ArgoCD,...) start first.\n"
        "Built from `auth-service`, `board-service`.\n",
    ),
    "the service's link in enumerations of links, the conjunction moved to the new last": (
        "- **Components:** [flux](https://f.example), [cilium](https://c.example), "
        "[reloader](https://r.example), and [video-service](https://v.example).\n"
        "Uses [Video Service](https://v.example), [flux](https://f.example), [cilium](https://c.example).\n"
        "Runs [flux](https://f.example), [video-service](https://v.example) or [cilium](https://c.example).\n",
        "- **Components:** [flux](https://f.example), [cilium](https://c.example), "
        "and [reloader](https://r.example).\n"
        "Uses [flux](https://f.example), [cilium](https://c.example).\n"
        "Runs [flux](https://f.example) or [cilium](https://c.example).\n",
    ),
}

NOOPS = {
    "enumerations whose grammar would change, of two items, or of words that are not names": (
        "Gitea, Jellyfin, video-service and Paperless run here.\n"
        "Gitea, VideoService or Jellyfin.\n"
        "Gitea, video-service.\n"
        "In this guide, video-service, the router, is fast.\n"
        "Gitea, video-service-gateway, Jellyfin\n"
        "Components: Postgres, Redis, VideoService (rooms), Istio.\n"
        "Components: Postgres, VideoService, Redis (cache), Istio.\n"
        "```\nGitea, video-service, Jellyfin\n```\n"),
    "enumerations of links that suggest projects, or of two links": (
        "Check out projects like [rook](https://r.example), [video-service](https://v.example), "
        "[longhorn](https://l.example).\n"
        "Storage: such as [rook](https://r.example), [video-service](https://v.example) and [nfs](https://n.example).\n"
        "Runs [flux](https://f.example) and [video-service](https://v.example).\n"),
    "a path into the service inside prose of a cell": (
        "| Name | Notes |\n|---|---|\n| board-service | replaces ./modules/video-service |\n"),
    "prose heading": "# Moving off video-service\n\nWe did.\n\n# Other\n",
    "another component's section": "# board-service\n\nUses video-service for calls.\n\n# auth-service\n",
    "fenced heading": "# Build\n\n```sh\n# video-service\nmake video-service\n```\n",
    "HTML row of another component": (
        "<table>\n  <tr>\n    <td>board-service</td>\n    <td>uses video-service</td>\n  </tr>\n</table>\n"),
    "row split over a tr that never closes": "<tr>\n<td>video-service</td>\n<tr>\n<td>x</td>\n</tr>\n",
}


@pytest.mark.parametrize("case", sorted(PAIRS))
def test_markdown_construct_pair_and_second_run(case):
    before, after = PAIRS[case]
    result = markdown.remove(before, ctx())
    assert result.text == after
    assert not result.refused
    assert markdown.remove(after, ctx()).text == after  # a second run changes nothing


@pytest.mark.parametrize("case", sorted(NOOPS))
def test_markdown_construct_noop(case):
    text = NOOPS[case]
    assert markdown.remove(text, ctx()).text == text


def test_a_changelog_keeps_its_enumerations():
    """A changelog records what was: `Core services (Vault, Gitea, ArgoCD)` stays there."""
    from dataclasses import replace

    text = "- Core services (Video Service, Gitea, ArgoCD,...)\n"
    assert markdown.remove(text, replace(ctx(), path="docs/reference/changelog.md")).text == text
    assert markdown.remove(text, replace(ctx(), path="CHANGELOG.md")).text == text
    assert markdown.remove(text, replace(ctx(), path="docs/index.md")).text != text


@pytest.mark.parametrize("front", ["", "---\nsidebar_position: 3\ntitle: Video Service\n---\n\n"])
def test_a_section_that_is_the_whole_document_is_refused(front):
    text = front + "# Video Service\n\nStreams rooms.\n\n## Scaling\n\nOne replica.\n"
    result = markdown.remove(text, ctx())
    assert result.text == text
    assert [r.line for r in result.refused] == [text.splitlines().index("# Video Service") + 1]
    assert "whole document" in result.refused[0].reason
