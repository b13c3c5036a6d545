"""A component's tasks and what only they selected (issue 12): budimanjojo/home-cluster removed
kopia with its restore Job, the Kyverno policy that generated a snapshot CronJob per labelled
PVC (both run the kopia image, the policy beside an alpine `wait-for`), and the policy's label on
16 PVCs. A long-running workload on the same image, and a label another selector still reads,
stay."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

POLICY = """\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: snapshot-cronjob
spec:
  rules:
    - name: create-snapshot-cronjob
      match:
        any:
          - resources:
              kinds: [PersistentVolumeClaim]
              selector:
                matchLabels:
                  snapshot.example.com/enabled: "true"
                  app.kubernetes.io/name: "*"
      generate:
        kind: CronJob
        name: "{{ request.object.metadata.name }}-snapshot"
        data:
          spec:
            jobTemplate:
              spec:
                template:
                  spec:
                    initContainers:
                      - name: wait-for
                        image: ghcr.io/acme/alpine:3.16
                    containers:
                      - name: snapshot
                        image: ghcr.io/acme/kopia:0.11.3
"""


def pvc(app: str) -> str:
    return (f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {app}-config\n  labels:\n"
            f"    app.kubernetes.io/name: {app}\n    snapshot.example.com/enabled: \"true\"\nspec:\n"
            "  accessModes: [ReadWriteOnce]\n")


TREE = {
    "apps/kopia/helmrelease.yaml": "kind: HelmRelease\nmetadata:\n  name: kopia\n",
    "apps/kustomization.yaml": "resources:\n  - ./kopia/helmrelease.yaml\n  - ./policies/snapshot-cronjob.yaml\n"
                               "  - ./radarr/pvc.yaml\n  - ./sonarr/pvc.yaml\n",
    "apps/policies/snapshot-cronjob.yaml": POLICY,
    "hack/restore-job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: restore\nspec:\n  template:\n"
                             "    spec:\n      containers:\n        - name: restore\n"
                             "          image: ghcr.io/acme/kopia:0.11.3\n          env:\n"
                             "            - name: KOPIA_PASSWORD\n              value: none\n",
    "apps/radarr/pvc.yaml": pvc("radarr"),
    "apps/sonarr/pvc.yaml": pvc("sonarr"),
    # a server of its own on the same image: another component's instance
    "apps/backup-server/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: backup-server\n"
                                          "spec:\n  template:\n    spec:\n      containers:\n"
                                          "        - image: ghcr.io/acme/kopia:0.11.3\n",
}


def test_its_tasks_go_and_the_labels_only_they_selected(tmp_path):
    write_tree(tmp_path, TREE)
    assert main(["apply", "remove-service", "service=kopia", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert sorted(files) == ["apps/backup-server/deployment.yaml", "apps/kustomization.yaml",
                             "apps/radarr/pvc.yaml", "apps/sonarr/pvc.yaml"]
    assert files["apps/kustomization.yaml"] == "resources:\n  - ./radarr/pvc.yaml\n  - ./sonarr/pvc.yaml\n"
    for app in ("radarr", "sonarr"):  # Kubernetes' own app.kubernetes.io/name means more: it stays
        assert files[f"apps/{app}/pvc.yaml"] == pvc(app).replace('    snapshot.example.com/enabled: "true"\n', "")
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=kopia", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


def test_a_label_another_file_still_selects_on_stays(tmp_path):
    tree = dict(TREE)
    tree["apps/backup-server/deployment.yaml"] += ("---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n"
                                                   "  name: snapshot-agent\nspec:\n  selector:\n    matchLabels:\n"
                                                   "      snapshot.example.com/enabled: \"true\"\n")
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=kopia", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / "apps/radarr/pvc.yaml").read_text() == pvc("radarr")
