"""A device plugin's removal takes its consumers' requests of the resources it advertised
(issue 12): onedr0p/home-ops removed smarter-device-manager with the `smarter-devices/coral:
"1"` limits of frigate, rtlamr2mqtt and zwave-js-ui, whose prefix the plugin's own files never
write. The prefix is the plugin's own first word, so only a plugin (a workload mounting the
kubelet's device-plugins folder) has one; a vendor's domain (`nvidia.com/gpu`) stays, as the
vendor's other plugins advertise it too."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

PLUGIN = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: smarter-device-manager
spec:
  values:
    persistence:
      device-plugins:
        type: hostPath
        hostPath: /var/lib/kubelet/device-plugins
"""


def consumer(name: str, limits: str, extra: str = "") -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\nspec:\n"
            f"  values:\n    containers:\n      main:\n{extra}        resources:\n          requests:\n"
            f"            cpu: 10m\n          limits:\n{limits}            memory: 512Mi\n")


TREE = {
    "apps/kube-system/kustomization.yaml": "resources:\n  - ./smarter-device-manager/ks.yaml\n",
    "apps/kube-system/smarter-device-manager/ks.yaml": "kind: Kustomization\nmetadata:\n  name: smarter-device-manager\n",
    "apps/kube-system/smarter-device-manager/app/helmrelease.yaml": PLUGIN,
    "apps/default/frigate/helmrelease.yaml": consumer(
        "frigate", '            nvidia.com/gpu: "1"\n            smarter-devices/coral: "1"\n',
        # a templated value makes the file a template to the editors
        '        env:\n          HOST: "{{ .Release.Name }}.example.com"\n'),
    "apps/default/zwave/helmrelease.yaml": consumer("zwave", '            smarter-devices/ttyACM0: "1"\n'),
}


def test_consumers_lose_the_requests_of_a_removed_device_plugin(tmp_path):
    write_tree(tmp_path, TREE)
    assert main(["apply", "remove-service", "service=smarter-device-manager", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert files["apps/default/zwave/helmrelease.yaml"] == \
        TREE["apps/default/zwave/helmrelease.yaml"].replace('            smarter-devices/ttyACM0: "1"\n', "")
    assert files["apps/default/frigate/helmrelease.yaml"] == \
        TREE["apps/default/frigate/helmrelease.yaml"].replace('            smarter-devices/coral: "1"\n', "")
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=smarter-device-manager", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


def test_requests_stay_when_the_removed_component_is_no_device_plugin(tmp_path):
    tree = dict(TREE)
    tree["apps/kube-system/smarter-device-manager/app/helmrelease.yaml"] = \
        PLUGIN.replace("/var/lib/kubelet/device-plugins", "/var/lib/smarter")
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=smarter-device-manager", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    for path in ("apps/default/zwave/helmrelease.yaml", "apps/default/frigate/helmrelease.yaml"):
        assert files[path] == tree[path]
