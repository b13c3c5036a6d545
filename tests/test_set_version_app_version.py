"""set-version image=: a Helm chart whose values leave the image's tag empty (`tag: ""`) and whose
templates tag it with `.Chart.AppVersion` takes its tag from Chart.yaml's appVersion, so the
appVersion moves with the image (and the chart's own version with it when the two were equal: the
chart released with its application); so does an appVersion equal to the tag the values set.
Look-alikes: a values tag that is set to another version, a template reading
the appVersion for another image, a chart version of its own. Byte-for-byte trees, second run no-op."""

from __future__ import annotations

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

CHART = ("apiVersion: v2\nname: {name}\n# bump on every change\nversion: {version}\n\n"
         "# the application's release\nappVersion: \"{app}\"\n")
SCAFFOLD = ('      containers:\n        - name: app\n          image: "{{ .Values.image.repository }}:'
            '{{ .Values.image.tag | default .Chart.AppVersion }}"\n')
PER_SERVICE = ("      containers:\n        - image: {{ .Values.images.repository }}/{{ .Values.cart.name }}:"
               "{{ .Values.images.tag | default .Chart.AppVersion }}\n")


def _check(tmp_path, capsys, forms: dict, unchanged: dict, *params) -> None:
    repo = write_tree(tmp_path, {**{p: b for p, (b, _a) in forms.items()}, **unchanged})
    assert run(repo, *params) == 0
    expected = {**{p: a for p, (_b, a) in forms.items()}, **unchanged}
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(expected.items())}
    code, second = report(repo, capsys, *params)
    assert code == 0 and second["files"] == []


def test_the_scaffold_chart_moves_its_app_version_and_its_own_version(tmp_path, capsys):
    forms = {"chart/Chart.yaml": (CHART.format(name="app", version="1.4.0", app="v1.4.0"),
                                  CHART.format(name="app", version="1.5.0", app="v1.5.0")),
             "k8s/app.yaml": ("image: ghcr.io/acme/app:v1.4.0\n", "image: ghcr.io/acme/app:v1.5.0\n")}
    unchanged = {"chart/values.yaml": 'image:\n  repository: ghcr.io/acme/app\n  tag: ""\n',
                 "chart/templates/deployment.yaml": SCAFFOLD}
    _check(tmp_path, capsys, forms, unchanged, "image=ghcr.io/acme/app", "version=v1.5.0")


def test_a_prefix_moves_the_app_version_of_per_service_images(tmp_path, capsys):
    forms = {"helm/Chart.yaml": (CHART.format(name="shop", version="0.3.0", app="0.2.9"),
                                 CHART.format(name="shop", version="0.3.0", app="0.4.0"))}
    unchanged = {"helm/values.yaml": "images:\n  repository: reg.io/shop  # all services\ncart:\n  name: cart\n",
                 "helm/templates/cart.yaml": PER_SERVICE}
    _check(tmp_path, capsys, forms, unchanged, "image=reg.io/shop/*", "version=0.4.0")


def test_an_app_version_equal_to_the_tag_the_values_set_moves_with_it(tmp_path, capsys):
    # podinfo's chart: values `tag: 6.9.2`, Chart.yaml `version: 6.9.2` and `appVersion: 6.9.2`;
    # its release commit moved all three (the chart says which application it deploys)
    values = "image:\n  repository: ghcr.io/acme/app\n  tag: v1.4.0\n"
    forms = {"set/values.yaml": (values, values.replace("1.4.0", "1.5.0")),
             "set/Chart.yaml": (CHART.format(name="set", version="1.4.0", app="v1.4.0"),
                                CHART.format(name="set", version="1.5.0", app="v1.5.0"))}
    _check(tmp_path, capsys, forms, {"set/templates/deployment.yaml": SCAFFOLD}, "image=ghcr.io/acme/app",
           "version=v1.5.0")


LOOKALIKES = {
    # the values set another tag than the appVersion: it is not the image's tag
    "set/Chart.yaml": CHART.format(name="set", version="1.4.0", app="v1.3.0"),
    "set/values.yaml": "image:\n  repository: ghcr.io/acme/app\n  tag: v1.4.0\n",
    "set/templates/deployment.yaml": SCAFFOLD,
    # the appVersion tags another image (the sidecar's repository key), not ghcr.io/acme/app
    "other/Chart.yaml": CHART.format(name="other", version="1.4.0", app="v1.4.0"),
    "other/values.yaml": ('image:\n  repository: ghcr.io/acme/app\n  tag: ""\n'
                          'sidecar:\n  repository: ghcr.io/acme/proxy\n  tag: ""\n'),
    "other/templates/deployment.yaml": ("image: {{ .Values.sidecar.repository }}:{{ .Values.sidecar.tag | default "
                                        ".Chart.AppVersion }}\nimage2: {{ .Values.image.repository }}:latest\n"),
}


def test_look_alikes_keep_their_app_version(tmp_path, capsys):
    values = LOOKALIKES["set/values.yaml"]
    forms = {"set/values.yaml": (values, values.replace("1.4.0", "1.5.0"))}
    unchanged = {p: t for p, t in LOOKALIKES.items() if p not in forms}
    _check(tmp_path, capsys, forms, unchanged, "image=ghcr.io/acme/app", "version=v1.5.0")


def test_a_chart_at_the_repository_root(tmp_path, capsys):
    forms = {"Chart.yaml": (CHART.format(name="app", version="2.0.0", app="2.0.0"),
                            CHART.format(name="app", version="2.1.0", app="2.1.0"))}
    unchanged = {"values.yaml": 'image:\n  repository: ghcr.io/acme/app\n  tag: ""\n',
                 "templates/deployment.yaml": SCAFFOLD}
    _check(tmp_path, capsys, forms, unchanged, "image=ghcr.io/acme/app", "version=2.1.0")


RELEASE = 'package version\n\n// VERSION is set at release time\nvar VERSION = "{v}"\nvar REVISION = "unknown"\n'


def test_the_images_own_program_moves_its_release_constant(tmp_path, capsys):
    # podinfo's release: `module github.com/stefanprodan/podinfo` builds ghcr.io/stefanprodan/podinfo,
    # and pkg/version/version.go's VERSION moves with the image's tag
    forms = {"pkg/version/version.go": (RELEASE.format(v="1.4.0"), RELEASE.format(v="1.5.0")),
             "cmd/shop/version.go": ('package main\n\nconst Version string = "v1.4.0"\n',
                                     'package main\n\nconst Version string = "v1.5.0"\n'),
             "deploy/app.yaml": ("image: ghcr.io/acme/shop:1.4.0\n", "image: ghcr.io/acme/shop:1.5.0\n")}
    unchanged = {"go.mod": "module github.com/acme/shop/v2\n\ngo 1.22\n",
                 "tools/cli/go.mod": "module github.com/acme/shop-cli\n",  # another module, yet inside:
                 "tools/cli/version.go": 'package main\n\nconst Version = "1.4.0"\n',  # its own release
                 "pkg/version/minimum.go": 'package version\n\nvar VERSION = "1.4.0"\n',  # not version.go
                 "pkg/api/version.go": 'package api\n\nvar Version = "1.3.0"\n'}  # another version
    _check(tmp_path, capsys, forms, unchanged, "image=ghcr.io/acme/shop", "version=1.5.0")


def test_a_release_constant_of_another_project_stays(tmp_path, capsys):
    # the module is not the image's project: its VERSION, equal by chance, is only listed
    unchanged = {"go.mod": "module github.com/acme/operator\n",
                 "version/version.go": RELEASE.format(v="1.4.0")}
    forms = {"deploy/app.yaml": ("image: ghcr.io/acme/shop:1.4.0\n", "image: ghcr.io/acme/shop:1.5.0\n")}
    _check(tmp_path, capsys, forms, unchanged, "image=ghcr.io/acme/shop", "version=1.5.0")
    write_tree(tmp_path, {"deploy/app.yaml": "image: ghcr.io/acme/shop:1.4.0\n"})
    code, planned = report(tmp_path, capsys, "image=ghcr.io/acme/shop", "version=1.5.0")
    assert code == 0 and [(r["path"], r["line"]) for r in planned["residue"]] == [("version/version.go", 4)]
