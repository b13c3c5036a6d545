"""SOPS-encrypted files are never edited: the MAC over their values would fail, and Flux would
stop applying them. An edit planned there is refused and listed (exit 1) with the file left
byte for byte; a component's own encrypted file is still deleted whole. Also the homepage
dashboard these secrets usually feed: its tile for the component goes."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.encryption import sops_encrypted

from .conftest import tree_bytes, write_tree

MAC = "ENC[AES256_GCM,data:R0dHRw==,iv:SEhISA==,tag:SUlJSQ==,type:str]"
SECRET = f"""apiVersion: v1
kind: Secret
metadata:
  name: homepage-secret
stringData:
  ombi: ENC[AES256_GCM,data:QUFBQQ==,iv:QkJCQg==,tag:Q0NDQw==,type:str]
  HOMEPAGE_VAR_JELLYFIN_KEY: ENC[AES256_GCM,data:RERERA==,iv:RUVFRQ==,tag:RkZGRg==,type:str]
sops:
  age:
    - recipient: age1qqexample
  lastmodified: "2024-01-01T00:00:00Z"
  mac: {MAC}
  encrypted_regex: ^(data|stringData)$
  version: 3.8.1
"""
CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: homepage-config
data:
  services.yaml: |
    ---
    - Media:
        - Jellyfin:
            href: https://jellyfin.example.com
            widget:
              type: jellyfin
              key: {{HOMEPAGE_VAR_JELLYFIN_KEY}}
        - Ombi:
            href: https://ombi.example.com
            widget:
              type: ombi
              url: http://ombi.default.svc.cluster.local:3579
              key: {{HOMEPAGE_VAR_OMBI_KEY}}
"""
TREE = {
    "apps/kustomization.yaml": "resources:\n  - ./homepage\n  - ./ombi\n",
    "apps/ombi/kustomization.yaml": "resources:\n  - helmrelease.yaml\n  - secret.sops.yaml\n",
    "apps/ombi/helmrelease.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
                                  "metadata:\n  name: ombi\nspec:\n  chart:\n    spec:\n      chart: ombi\n",
    "apps/ombi/secret.sops.yaml": SECRET.replace("homepage-secret", "ombi-secret"),
    "apps/homepage/kustomization.yaml": "resources:\n  - configmap.yaml\n  - secret.sops.yaml\n",
    "apps/homepage/configmap.yaml": CONFIGMAP,
    "apps/homepage/secret.sops.yaml": SECRET,
}


def test_removal_leaves_an_encrypted_file_whole_and_lists_its_entry(tmp_path, capsys):
    write_tree(tmp_path, TREE)
    assert main(["apply", "remove-service", "service=ombi", "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    files = {p: data.decode() for p, data in tree_bytes(tmp_path).items()}
    assert files["apps/homepage/secret.sops.yaml"] == SECRET
    refused = [(r["path"], r["line"], r["text"]) for r in report["refused"]]
    assert refused == [("apps/homepage/secret.sops.yaml", 6, SECRET.splitlines()[5].strip())]
    assert "encrypted by SOPS" in report["refused"][0]["reason"]
    assert not any(v["path"] == "apps/homepage/secret.sops.yaml" for v in report["validation"])
    # the component's own encrypted secret goes with its folder
    assert not any(p.startswith("apps/ombi/") for p in files)
    # the dashboard tile goes, placeholders and all; the other tile stays
    assert files["apps/homepage/configmap.yaml"] == CONFIGMAP.split("        - Ombi:\n")[0]
    assert files["apps/kustomization.yaml"] == "resources:\n  - ./homepage\n"
    # a second run plans the same refusal and nothing else
    assert main(["plan", "remove-service", "service=ombi", "--repo", str(tmp_path), "--format", "json"]) == 1
    again = json.loads(capsys.readouterr().out)
    assert again["files"] == [] and [r["line"] for r in again["refused"]] == [6]


def test_set_version_does_not_move_a_tag_in_an_encrypted_values_file(tmp_path, capsys):
    # encrypted_regex leaves the image readable, but the MAC still covers it
    encrypted = ("image:\n  repository: ghcr.io/example/app\n  tag: 1.2.0\n"
                 f"password: ENC[AES256_GCM,data:QUFBQQ==,iv:QkJCQg==,tag:Q0NDQw==,type:str]\n"
                 f"sops:\n  mac: {MAC}\n  encrypted_regex: ^password$\n  version: 3.8.1\n")
    plain = "image:\n  repository: ghcr.io/example/app\n  tag: 1.2.0\n"
    write_tree(tmp_path, {"values.sops.yaml": encrypted, "values.yaml": plain})
    assert main(["apply", "set-version", "image=ghcr.io/example/app", "version=1.3.0",
                 "--repo", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert tree_bytes(tmp_path) == {"values.sops.yaml": encrypted.encode(),
                                    "values.yaml": plain.replace("1.2.0", "1.3.0").encode()}
    assert [(r["path"], r["line"], r["text"]) for r in report["refused"]] == [("values.sops.yaml", 3, "tag: 1.2.0")]


@pytest.mark.parametrize("text", [
    SECRET,
    '{\n  "data": "ENC[AES256_GCM,data:QQ==,type:str]",\n  "sops": {\n    "mac": "' + MAC + '"\n  }\n}\n',
    "TOKEN=ENC[AES256_GCM,data:QQ==,type:str]\nsops_version=3.8.1\nsops_mac=" + MAC + "\n",
])
def test_sops_files_are_recognised_in_each_format(text):
    assert sops_encrypted(text)


@pytest.mark.parametrize("text", [
    "mac: aa:bb:cc:dd:ee:ff\n",  # a MAC address is no MAC of SOPS
    "network:\n  mac: 00:11:22:33:44:55\n",
    "note: values look like ENC[...] once encrypted\n",
    "",
])
def test_look_alikes_are_not_encrypted(text):
    assert not sops_encrypted(text)
