"""A component's secret handed to another component (issue 12: references to its footprint go
like references to its name): an ExternalSecret whose every key is the component's goes (a file
holding only it is the component's, template or not), and a workload beside it (same folder: same
chart or kustomization) loses the `env`/`envFrom` items that read the secret, since the pod would
not start without it. Before/after byte for byte, look-alikes unchanged, a second run a no-op."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree


def external_secret(name: str, *keys: str) -> str:
    data = "".join(f"    - secretKey: k{i}\n      remoteRef:\n        key: {k}\n" for i, k in enumerate(keys))
    return ("apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n"
            f"  name: {name}\n  namespace: {{{{ .Release.Namespace }}}}\nspec:\n  data:\n{data}")


GENERATOR = ("# Gitea\n- name: gitea.admin\n  data:\n    - key: password\n\n"
             "# Video CI\n- name: video-ci.webhook\n  data:\n    - key: token\n")
JOB_HEAD = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: config\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: config\n          image: golang\n")
ADMIN_ENV = ("            - name: ADMIN_PASSWORD\n              valueFrom:\n                secretKeyRef:\n"
             "                  name: gitea-admin-secret\n                  key: k0\n")
WEBHOOK_ENV = ("            - name: WEBHOOK_TOKEN\n              valueFrom:\n                secretKeyRef:\n"
               "                  name: gitea-webhook-secret\n                  key: k0\n")
ENV_FROM = "          envFrom:\n            - secretRef:\n                name: gitea-webhook-secret\n"
JOB = JOB_HEAD + "          env:\n" + ADMIN_ENV + WEBHOOK_ENV + ENV_FROM + "          workingDir: /src\n"
MIXED = external_secret("mixed-secret", "video-ci.webhook", "gitea.admin")


def _repo(tmp_path) -> None:
    write_tree(tmp_path, {
        "platform/video-ci/kustomization.yaml": "resources:\n  - ingress.yaml\n",
        "platform/video-ci/ingress.yaml": "kind: Ingress\nmetadata:\n  name: video-ci\n",
        "platform/secrets/config.yaml": GENERATOR,
        "platform/gitea/Chart.yaml": "apiVersion: v2\nname: gitea\nversion: 0.1.0\n",
        "platform/gitea/templates/webhook-secret.yaml": external_secret("gitea-webhook-secret", "video-ci.webhook"),
        "platform/gitea/templates/admin-secret.yaml": external_secret("gitea-admin-secret", "gitea.admin"),
        "platform/gitea/templates/job.yaml": JOB,
        # look-alikes: a secret with another component's key too, and a workload in another
        # folder reading a secret of the same name (another namespace's secret)
        "platform/gitea/templates/mixed-secret.yaml": MIXED,
        "platform/other/job.yaml": JOB,
    })


def _apply(tmp_path) -> int:
    return main(["apply", "remove-service", "service=video-ci", "--repo", str(tmp_path)])


def test_the_secret_and_the_env_items_reading_it_go(tmp_path):
    _repo(tmp_path)
    assert _apply(tmp_path) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert files == {
        "platform/secrets/config.yaml": "# Gitea\n- name: gitea.admin\n  data:\n    - key: password\n",
        "platform/gitea/Chart.yaml": "apiVersion: v2\nname: gitea\nversion: 0.1.0\n",
        "platform/gitea/templates/admin-secret.yaml": external_secret("gitea-admin-secret", "gitea.admin"),
        "platform/gitea/templates/job.yaml": JOB_HEAD + "          env:\n" + ADMIN_ENV + "          workingDir: /src\n",
        "platform/gitea/templates/mixed-secret.yaml": MIXED,
        "platform/other/job.yaml": JOB,
    }
    before = tree_bytes(tmp_path)
    assert _apply(tmp_path) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


def test_a_secret_another_file_of_the_folder_still_defines_stays_read(tmp_path):
    _repo(tmp_path)
    write_tree(tmp_path, {"platform/gitea/templates/webhook-copy.yaml":
                          "kind: Secret\nmetadata:\n  name: gitea-webhook-secret\n"})
    _apply(tmp_path)
    assert (tmp_path / "platform/gitea/templates/job.yaml").read_text() == JOB
