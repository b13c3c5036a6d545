"""What a removal leaves behind (issue 12): a file the removal empties is deleted, as a human
would, instead of staying as a 0-byte file; a file that keeps anything else is edited."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

CHART = "charts/platform"


def template(service: str, key: str) -> str:
    return (f"{{{{- if .Values.{key}.enabled }}}}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
            f"  name: {service}\n{{{{- end }}}}\n")


def test_a_template_the_removal_empties_is_deleted(tmp_path):
    write_tree(tmp_path, {
        "services/video-service/main.go": "package main\n",
        f"{CHART}/Chart.yaml": "apiVersion: v2\nname: platform\nversion: 0.1.0\n",
        f"{CHART}/values.yaml": "videoService:\n  enabled: true\nauthService:\n  enabled: true\n",
        f"{CHART}/templates/media-cm.yaml": template("video-service", "videoService"),
        f"{CHART}/templates/shared-cm.yaml": template("video-service", "videoService") + "---\n"
                                              + template("auth-service", "authService"),
        f"{CHART}/templates/auth-cm.yaml": template("auth-service", "authService"),
    })
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert f"{CHART}/templates/media-cm.yaml" not in files  # emptied: deleted, not left as 0 bytes
    assert files[f"{CHART}/templates/shared-cm.yaml"] == "---\n" + template("auth-service", "authService")
    assert files[f"{CHART}/templates/auth-cm.yaml"] == template("auth-service", "authService")
    assert files[f"{CHART}/values.yaml"] == "authService:\n  enabled: true\n"
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing
