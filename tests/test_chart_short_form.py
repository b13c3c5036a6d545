"""A component whose folder is named after its namespace (`system/metallb-system/`) and whose
own chart says its name (`name: metallb`): the chart's name, the leading words of the folder's,
is its short form, as `video` is for `video-service` (issue 12). Nowhere else does a chart name
change what the name matches."""

from __future__ import annotations

import json

from gitops_bot.cli import main
from gitops_bot.domain.worktree import Worktree
from gitops_bot.ops.state import RunState

from .conftest import tree_bytes, write_tree
from .editors import dedent

CHART = "apiVersion: v2\nname: {name}\nversion: 0.0.0\n"
README = dedent("""
    <table>
        <tr>
            <th>Logo</th>
            <th>Name</th>
        </tr>
        <tr>
            <td><img width="32" src="https://example.invalid/lb.png"></td>
            <td><a href="https://lb.example">MetalLB</a></td>
        </tr>
        <tr>
            <td><img width="32" src="https://example.invalid/nginx.png"></td>
            <td><a href="https://nginx.example">NGINX</a></td>
        </tr>
    </table>

    MetalLB hands out the addresses.

    ```mermaid
    flowchart TD
      subgraph system
        metallb[MetalLB]
        nginx[NGINX]
      end
    ```
    """)


def test_the_charts_name_is_the_short_form_and_its_rows_go(tmp_path, capsys):
    write_tree(tmp_path, {
        "system/metallb-system/Chart.yaml": CHART.format(name="metallb"),
        "system/metallb-system/values.yaml": "metallb:\n  speaker: true\n",
        "system/ingress-nginx/Chart.yaml": CHART.format(name="ingress-nginx"),
        "README.md": README,
    })
    assert RunState(Worktree(tmp_path)).name("metallb-system").short == ("metallb",)
    assert main(["plan", "remove-service", "service=metallb-system", "--repo", str(tmp_path), "--format", "json"]) == 0
    residue = [(r["path"], r["text"], r["reason"]) for r in json.loads(capsys.readouterr().out)["residue"]]
    assert residue == [("README.md", "MetalLB hands out the addresses.", "prose")]  # the chart's name in prose
    assert main(["apply", "remove-service", "service=metallb-system", "--repo", str(tmp_path)]) == 0
    after = tree_bytes(tmp_path)
    assert "system/metallb-system/Chart.yaml" not in after
    lines = README.splitlines(keepends=True)
    assert after["README.md"].decode() == "".join(lines[:5] + lines[9:20] + lines[21:])
    assert main(["apply", "remove-service", "service=metallb-system", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == after


def test_a_chart_name_that_is_not_the_folders_leading_words_changes_nothing(tmp_path):
    write_tree(tmp_path, {
        "apps/video-service/Chart.yaml": CHART.format(name="backend"),  # generic: never a short form
        "apps/board-service/Chart.yaml": CHART.format(name="board"),
        "system/metallb-system/Chart.yaml": CHART.format(name="metallb-system"),
        # two folders of the name disagree on the chart's name: no short form
        "other/cert-manager-system/Chart.yaml": CHART.format(name="cert-manager"),
        "again/cert-manager-system/Chart.yaml": CHART.format(name="cert"),
    })
    state = RunState(Worktree(tmp_path))
    assert state.name("video-service").short == ("video",)
    assert state.name("metallb-system").short == ("metallb", "system")
    assert state.name("cert-manager-system").short == ("cert", "manager", "system")


def test_a_chart_name_that_is_a_word_of_the_repositorys_structure_is_no_short_form(tmp_path):
    write_tree(tmp_path, {
        "charts/ingress-nginx/Chart.yaml": CHART.format(name="ingress"),
        **{f"charts/{c}/Chart.yaml": CHART.format(name=c) for c in ("auth", "board", "search")},
        **{f"charts/{c}/values.yaml": "ingress:\n  enabled: true\n" for c in ("auth", "board", "search")},
    })
    assert RunState(Worktree(tmp_path)).name("ingress-nginx").short == ("ingress", "nginx")
