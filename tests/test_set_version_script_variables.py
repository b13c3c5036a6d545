"""set-version: two forms found on real repositories that a run used to leave (listed, but not moved):

- a script variable whose name says nothing (`COMMIT="1.28.0"`) that the script itself writes into
  one of the tool's forms (`github.com/istio/istio/releases/download/${COMMIT}/`,
  `ghcr.io/dexidp/dex:${COMMIT}`, with `${REPOSITORY_NAME}` expanded from the file): it is the
  tool's version; the same value feeding another project's URL is not;
- a setup action's key (`go-version:`) an earlier bump left behind is written like the key's newest
  occurrence (`'1.17.5'` beside `'1.18'` -> `'1.19'`).

Before/after trees compared byte for byte, look-alikes that must not move, second run no-op."""

from __future__ import annotations

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree


def check(tmp_path, capsys, forms: dict, unchanged: dict, *params) -> dict:
    """Apply, compare the tree byte for byte, and return the residue of a second (no-op) plan."""
    repo = write_tree(tmp_path, {**{p: b for p, (b, _a) in forms.items()}, **unchanged})
    assert run(repo, *params) == 0
    expected = {**{p: a for p, (_b, a) in forms.items()}, **unchanged}
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(expected.items())}
    code, second = report(repo, capsys, *params)
    assert code == 0 and second["files"] == []  # idempotent
    return {(r["path"], r["line"]): r["reason"] for r in second["residue"]}


FETCH = ('NAME="mesh"\nCOMMIT="{v}"  # bump me\nBRANCH=${{NAME}}-${{COMMIT?}}\n'
         'wget "https://github.com/istio/istio/releases/download/${{COMMIT}}/istio-${{COMMIT}}-linux-amd64.tar.gz"\n')
IMAGE = ('REPOSITORY_NAME="dexidp/dex"\nexport RELEASE=v{v}\n'
         'sed -i "s|ghcr.io/dexidp/dex:v[0-9.]*|ghcr.io/dexidp/dex:$RELEASE|g" deploy.yaml\n'
         'TEXT="[${{RELEASE#v}}](https://github.com/${{REPOSITORY_NAME}}/releases/tag/${{RELEASE}})"\n')
# look-alikes: the same version feeding another project's release URL (the file holds an istio
# image, so it is scanned), a variable assigned two versions, a variable never used in a form
ISTIO_UNCHANGED = {
    "hack/other.sh": ('# mirrors istio/istio\nCOMMIT="1.28.0"\n'
                      'wget "https://github.com/knative/serving/releases/download/${COMMIT}/serving.yaml"\n'),
    "hack/twice.sh": ('COMMIT="1.28.0"\nif [ -n "$OLD" ]; then\n  COMMIT="1.27.0"\nfi\n'
                      'curl -LO https://github.com/istio/istio/releases/download/$COMMIT/istio.tgz\n'),
    "hack/unused.sh": 'TAG="1.28.0"\necho "https://github.com/istio/istio/releases/tag/$RELEASE"\n',
}


def test_a_script_variable_feeding_the_release_url_moves(tmp_path, capsys):
    forms = {"scripts/fetch.sh": (FETCH.format(v="1.28.0"), FETCH.format(v="1.29.0"))}
    residue = check(tmp_path, capsys, forms, ISTIO_UNCHANGED, "tool=istio", "version=1.29.0")
    assert ("hack/other.sh", 2) not in residue  # not in a path naming istio, not naming it: not listed
    assert ("hack/unused.sh", 1) not in residue
    kept = ("kept: shell variable ($COMMIT writes the tool's version): $COMMIT is assigned 1.27.0 and 1.28.0: "
            "left to a human")
    assert residue[("hack/twice.sh", 1)] == residue[("hack/twice.sh", 3)] == kept


def test_a_script_variable_feeding_the_image_tag_moves_with_its_v(tmp_path, capsys):
    forms = {"scripts/sync.sh": (IMAGE.format(v="2.43.1"), IMAGE.format(v="2.45.0"))}
    check(tmp_path, capsys, forms, {}, "tool=dex", "version=v2.45.0")


def test_go_version_in_an_istio_script_is_not_istio(tmp_path, capsys):
    """A Go 1.24.0 beside an Istio 1.24.0 in one script: only the asked tool's variable moves."""
    before = ('GO="1.24.0"\nISTIO="1.24.0"\nwget https://go.dev/dl/go${GO}.linux-amd64.tar.gz\n'
              'wget https://github.com/istio/istio/releases/download/${ISTIO}/istio.tgz\n')
    after = before.replace('ISTIO="1.24.0"', 'ISTIO="1.25.0"')
    check(tmp_path, capsys, {"get.sh": (before, after)}, {}, "tool=istio", "version=1.25.0")


def _workflow(version: str) -> str:
    return ("jobs:\n  test:\n    steps:\n      - uses: actions/setup-go@v3\n        with:\n"
            f"          go-version: '{version}'\n")


def test_a_stale_setup_key_is_written_like_the_newest(tmp_path, capsys):
    forms = {".github/workflows/main.yaml": (_workflow("1.17.5"), _workflow("1.19")),
             ".github/workflows/pr.yaml": (_workflow("1.18"), _workflow("1.19")),
             "Dockerfile": ("FROM golang:1.18.4-alpine\n", "FROM golang:1.19.0-alpine\n")}
    check(tmp_path, capsys, forms, {}, "tool=go", "version=1.19.0")


def test_setup_keys_at_the_same_minor_keep_their_own_precision(tmp_path, capsys):
    forms = {".github/workflows/main.yaml": (_workflow("1.18.4"), _workflow("1.19.0")),
             ".github/workflows/pr.yaml": (_workflow("1.18"), _workflow("1.19")),
             ".github/workflows/old.yaml": (_workflow("1.17.5"), _workflow("1.19.0"))}
    check(tmp_path, capsys, forms, {}, "tool=go", "version=1.19.0")


# `hub:` beside `tag:` (Istio's values, IstioOperator spec, the injector's values JSON)
OPERATOR = "spec:\n  hub: gcr.io/istio-release\n  profile: default\n  tag: {v}\n  values:\n    global:\n      proxy: {{}}\n"
INJECTOR = ('data:\n  values: |-\n    {{\n      "global": {{\n        "hub": "gcr.io/istio-release",\n'
            '        "proxy": {{\n          "image": "proxyv2",\n          "tag": "9.9.9"\n        }},\n'
            '        "tag": "{v}"\n      }}\n    }}\n')
HUB_UNCHANGED = {
    # another hub's tag, a tag whose hub is in a nested mapping, a Go tag beside an Istio hub's sibling
    "other/values.yaml": "image:\n  hub: docker.io/acme\n  tag: 1.28.0\n",
    "nested/values.yaml": "global:\n  images:\n    hub: docker.io/istio\n  tag: 1.28.0\n",
    "go/values.yaml": "istio:\n  hub: docker.io/istio\n  tag: 1.28.0\ngolang:\n  tag: 1.28.0\n",
}


def test_a_tag_beside_the_tools_hub_moves(tmp_path, capsys):
    forms = {"istio/profile.yaml": (OPERATOR.format(v="1.28.0"), OPERATOR.format(v="1.29.0")),
             "patches/injector.yaml": (INJECTOR.format(v="1.28.0"), INJECTOR.format(v="1.29.0")),
             "go/values.yaml": (HUB_UNCHANGED["go/values.yaml"],
                                HUB_UNCHANGED["go/values.yaml"].replace("tag: 1.28.0\ngolang", "tag: 1.29.0\ngolang"))}
    unchanged = {p: t for p, t in HUB_UNCHANGED.items() if p not in forms}
    check(tmp_path, capsys, forms, unchanged, "tool=istio", "version=1.29.0")
