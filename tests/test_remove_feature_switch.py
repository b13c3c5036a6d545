"""A component that is a variant (a kustomize component switched on by a Helm value named after
it) removed with `switch=on` (its feature becomes the only way) or `switch=off` (it goes): every
`{{- if .Values.<itsName> }}` is settled, the values key goes, and a commented-out kustomization
entry for the deleted component goes. Without `switch=` an `if` with an `else` is refused."""

from __future__ import annotations

import pytest

from gitops_bot.cli import main
from gitops_bot.edit import helm
from gitops_bot.edit.base import RemovalContext
from gitops_bot.domain.names import service_name
from gitops_bot.domain.worktree import Worktree
from gitops_bot.errors import UserError
from gitops_bot.ops import remove_references
from gitops_bot.ops.state import RunState

from .conftest import tree_bytes, write_tree
from .editors import dedent

KNOWN = {"native-probes", "native-probes-extra", "shop", "cart"}


def ctx(switch: str, name: str = "native-probes") -> RemovalContext:
    return RemovalContext(service_name(name, KNOWN), switch=switch)


TEMPLATE = dedent("""
    spec:
      containers:
      - name: server
        {{- if .Values.nativeProbes }}
        image: {{ .Values.repo }}/cart:{{ .Values.tag }}-native
        {{- else }}
        image: {{ .Values.repo }}/cart:{{ .Values.tag }}
        {{- end }}
        readinessProbe:
          periodSeconds: 15
          {{- if .Values.nativeProbes }}
          grpc:
            port: 7070
          {{- else }}
          exec:
            command: ["/bin/probe", "-addr=:7070"]
          {{- end }}
        {{- if .Values.nativeProbes }}
        startupProbe:
          grpc:
            port: 7070
        {{- end }}
        {{- if not .Values.nativeProbes }}
        env:
        - name: PROBE_BIN
          value: /bin/probe
        {{- end }}
    """)

ON = dedent("""
    spec:
      containers:
      - name: server
        image: {{ .Values.repo }}/cart:{{ .Values.tag }}-native
        readinessProbe:
          periodSeconds: 15
          grpc:
            port: 7070
        startupProbe:
          grpc:
            port: 7070
    """)

OFF = dedent("""
    spec:
      containers:
      - name: server
        image: {{ .Values.repo }}/cart:{{ .Values.tag }}
        readinessProbe:
          periodSeconds: 15
          exec:
            command: ["/bin/probe", "-addr=:7070"]
        env:
        - name: PROBE_BIN
          value: /bin/probe
    """)


@pytest.mark.parametrize("switch, after", [("on", ON), ("off", OFF)])
def test_the_switch_settles_every_block_on_it(switch, after):
    result = helm.remove(TEMPLATE, ctx(switch))
    assert result.text == after
    assert result.refused == []
    assert helm.remove(after, ctx(switch)).text == after  # a second run changes nothing


def test_without_the_switch_an_if_with_an_else_is_refused_and_names_the_parameter():
    result = helm.remove(TEMPLATE, ctx(""))
    assert result.text != TEMPLATE  # the startupProbe block (no else) still goes whole, as before
    reasons = {r.line: r.reason for r in result.refused}
    assert reasons[4] == ("the block guarded by the service has an else branch "
                          "(switch=on or switch=off says which branch stays)")
    assert reasons[23] == "the condition combines the service with others"  # `if not`: unchanged


@pytest.mark.parametrize("condition", [
    "{{- if .Values.nativeProbesExtra }}",  # another component's switch
    "{{- if .Values.shop.enabled }}",  # a switch naming nothing of it
])
@pytest.mark.parametrize("switch", ["on", "off"])
def test_blocks_on_other_switches_are_left_alone(condition, switch):
    text = f"a: 1\n{condition}\nb: 2\n{{{{- else }}}}\nc: 3\n{{{{- end }}}}\n"
    assert helm.remove(text, ctx(switch)).text == text


@pytest.mark.parametrize("text, reason", [
    ("{{- if and .Values.nativeProbes .Values.shop.enabled }}\nb: 2\n{{- end }}\n",
     "switch=on settles only `if .Values.<switch>` (or `if not`); this condition is more than the service's switch"),
    ("{{- with .Values.nativeProbes }}\nport: {{ .port }}\n{{- end }}\n",
     "switch=on settles only `if .Values.<switch>` (or `if not`); this condition is more than the service's switch"),
    ("{{- if .Values.nativeProbes }}\nb: 2\n{{- else if .Values.shop.enabled }}\nc: 3\n{{- end }}\n",
     "an `else if` chain on the service's switch: settle it by hand"),
    ("{{- if .Values.nativeProbes }}b: 2\n{{- else }}\nc: 3\n{{- end }}\n",
     "the block shares a line with other content"),
])
def test_what_the_switch_cannot_settle_is_refused_whole(text, reason):
    result = helm.remove(text, ctx("on"))
    assert result.text == text
    assert [r.reason for r in result.refused] == [reason]


def test_switch_off_still_removes_a_with_block_without_else_whole():
    text = "a: 1\n{{- with .Values.nativeProbes }}\nport: {{ .port }}\n{{- end }}\n"
    assert helm.remove(text, ctx("off")).text == "a: 1\n"


# -- the whole recipe on a small repository ----------------------------------------------------
BEFORE = {
    "chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    "chart/values.yaml": ("tag: v1\n\n# Specifies if the probes are native.\nnativeProbes: false\n\n"
                          "shop:\n  enabled: true\n"),
    "chart/templates/cart.yaml": TEMPLATE,
    "kustomize/kustomization.yaml": (
        "resources:\n- base\ncomponents:\n# - components/tracing\n# - components/native-probes\n"
        "# - components/native-probes-extra\n"),
    "kustomize/base/kustomization.yaml": "resources:\n- cart.yaml\n",
    "kustomize/base/cart.yaml": "kind: Deployment\nmetadata:\n  name: cart\n",
    "kustomize/components/tracing/kustomization.yaml": "kind: Component\n",
    "kustomize/components/native-probes/kustomization.yaml": (
        "kind: Component\nimages:\n- name: cart\n  newTag: SHOP_VERSION-native\n- name: shop\n  newTag: v2\n"),
    "kustomize/components/native-probes-extra/kustomization.yaml": "kind: Component\n",
    "docs/notes.yaml": "# - ../kustomize/components/native-probes\nkeep: true\n",
}


def _after(template: str) -> dict[str, bytes]:
    after = {path: text.encode() for path, text in BEFORE.items()
             if path != "kustomize/components/native-probes/kustomization.yaml"}
    after["chart/templates/cart.yaml"] = template.encode()
    # the comment forms a paragraph with the key alone: it goes with it
    after["chart/values.yaml"] = b"tag: v1\n\nshop:\n  enabled: true\n"
    after["kustomize/kustomization.yaml"] = (
        b"resources:\n- base\ncomponents:\n# - components/tracing\n# - components/native-probes-extra\n")
    return after


# switch=on with the variant image known as the deleted component's: the plain image stays.
ON_PLAIN_IMAGE = ON.replace("{{ .Values.tag }}-native\n", "{{ .Values.tag }}\n")


@pytest.mark.parametrize("switch, template", [("on", ON_PLAIN_IMAGE), ("off", OFF)])
def test_remove_service_with_a_switch_byte_for_byte(tmp_path, capsys, switch, template):
    root = write_tree(tmp_path, BEFORE)
    args = ["apply", "remove-service", "service=native-probes", f"switch={switch}", "--repo", str(root)]
    assert main(args) == 0
    assert tree_bytes(root) == _after(template)
    out = capsys.readouterr().out
    # A commented-out entry outside a kustomization is not an entry: it stays, listed.
    assert "docs/notes.yaml:1: # - ../kustomize/components/native-probes" in out
    # The image variant the deleted component set is no longer deployed: said for the reviewer.
    variant = ("chart/templates/cart.yaml:4: image: {{ .Values.repo }}/cart:{{ .Values.tag }}  (switch=on keeps "
               "the plain image: the image variant -native, which the removed component set "
               "(kustomize/components/native-probes/kustomization.yaml), is no longer deployed here)")
    assert (variant in out) == (switch == "on")
    assert main(args) == 0  # a second run changes nothing
    assert tree_bytes(root) == _after(template)


def test_remove_service_without_a_switch_refuses_and_keeps_the_value(tmp_path, capsys):
    root = write_tree(tmp_path, BEFORE)
    assert main(["apply", "remove-service", "service=native-probes", "--repo", str(root)]) == 1
    out = capsys.readouterr().out
    assert "chart/templates/cart.yaml:4: the block guarded by the service has an else branch" in out
    assert "nativeProbes: false" in (root / "chart/values.yaml").read_text()  # still read by the kept blocks


def test_a_bad_switch_value_is_bad_input(tmp_path, capsys):
    root = write_tree(tmp_path, BEFORE)
    before = tree_bytes(root)
    assert main(["plan", "remove-service", "service=native-probes", "switch=yes", "--repo", str(root)]) == 2
    assert "parameter switch='yes' does not match ^(on|off)$" in capsys.readouterr().err
    assert tree_bytes(root) == before


def test_the_operation_checks_the_switch_itself(tmp_path):
    # A repository's own recipe may pass switch without the built-in recipe's pattern.
    state = RunState(Worktree(write_tree(tmp_path, BEFORE)))
    with pytest.raises(UserError, match="switch='true'"):
        remove_references.run(state, {"name": "native-probes", "switch": "true"})


def test_a_commented_out_kustomization_entry_with_crlf_endings_goes_with_its_line_ending():
    from gitops_bot.edit import yaml_file

    text = "components:\r\n  # - components/native-probes\r\n  #- ../x/native-probes # why\r\n- components/tracing\r\n"
    deleted = frozenset({"k/components/native-probes", "k/components/native-probes/kustomization.yaml"})
    context = RemovalContext(service_name("native-probes", KNOWN), deleted, path="k/kustomization.yaml")
    result = yaml_file.remove(text, context)
    # The entry with a trailing comment is not a bare commented-out entry: it stays (residue).
    assert result.text == "components:\r\n  #- ../x/native-probes # why\r\n- components/tracing\r\n"
    assert yaml_file.remove(result.text, context).text == result.text


def test_image_variants_are_the_suffixes_of_the_deleted_kustomizations_tags(tmp_path):
    from gitops_bot.ops.footprint import image_variants

    files = {
        "a/kustomization.yaml": ("images:\n- name: x\n  newTag: ONLINE_VERSION-native-probes\n"
                                 "- name: y\n  newTag: 1.2.3-debug\n- name: z\n  newTag: v1.2.3\n"
                                 "- name: w\n  newTag: latest\n- name: u\n  newName: other\n"),
        "b/kustomization.yaml": "images:\n- name: x\n  newTag: ${TAG}-slim\n",
        "c/kustomization.yaml": "images:\n- name: x\n  newTag: v9-kept\n",  # not deleted
        "d/values.yaml": "images:\n- newTag: v1-values\n",  # not a kustomization
        "e/kustomization.yaml": "images: [\n",  # unparsable: sets nothing
    }
    tree = Worktree(write_tree(tmp_path, files))
    deleted = frozenset({"a/kustomization.yaml", "b/kustomization.yaml", "d/values.yaml", "e/kustomization.yaml", "a"})
    assert image_variants(tree, deleted) == (
        ("native-probes", "a/kustomization.yaml"), ("debug", "a/kustomization.yaml"), ("slim", "b/kustomization.yaml"))


def test_a_commented_out_entry_inside_a_patch_is_data_and_stays():
    from gitops_bot.edit import yaml_file

    text = ("patches:\n- patch: |-\n    # - components/native-probes\n    kind: Deployment\n"
            "# - components/native-probes\n")
    deleted = frozenset({"components/native-probes", "components/native-probes/kustomization.yaml"})
    context = RemovalContext(service_name("native-probes", KNOWN), deleted, path="kustomization.yaml")
    result = yaml_file.remove(text, context)
    assert result.text == "patches:\n- patch: |-\n    # - components/native-probes\n    kind: Deployment\n"
    assert result.refused == []


@pytest.mark.parametrize("switch, code", [("on", 1), ("off", 0)])
def test_an_overlay_that_applies_the_component_is_refused_with_switch_on(tmp_path, capsys, switch, code):
    overlay_before = ("resources:\n- ../kustomize/base\ncomponents:\n- ../kustomize/components/native-probes\n"
                      "- ../kustomize/components/tracing\n")
    files = {**BEFORE, "overlay/kustomization.yaml": overlay_before}
    root = write_tree(tmp_path, files)
    assert main(["apply", "remove-service", "service=native-probes", f"switch={switch}", "--repo", str(root)]) == code
    overlay = (root / "overlay/kustomization.yaml").read_text()
    if switch == "on":  # dropping the entry would switch the feature off there: a human folds it in
        assert overlay == files["overlay/kustomization.yaml"]
        assert ("overlay/kustomization.yaml:4: switch=on keeps the component's feature, but this kustomization "
                "applies the component") in capsys.readouterr().out
    else:  # off: the feature goes, and so does its entry
        assert overlay == "resources:\n- ../kustomize/base\ncomponents:\n- ../kustomize/components/tracing\n"


@pytest.mark.parametrize("condition", ["{{- if .Values.features.nativeProbes.enabled }}",
                                       "{{ if $.Values.nativeProbes }}"])
def test_a_nested_or_rooted_switch_is_the_switch_too(condition):
    text = f"a: 1\n{condition}\nb: 2\n{{{{- else }}}}\nc: 3\n{{{{- end }}}}\nd: 4\n"
    assert helm.remove(text, ctx("on")).text == "a: 1\nb: 2\nd: 4\n"
    assert helm.remove(text, ctx("off")).text == "a: 1\nc: 3\nd: 4\n"


VARIANT = (("native", "k/components/native-probes/kustomization.yaml"),)


def test_switch_on_keeps_the_plain_image_when_the_if_branch_only_adds_the_components_variant():
    context = RemovalContext(service_name("native-probes", KNOWN), switch="on", image_variants=VARIANT)
    result = helm.remove(TEMPLATE, context)
    assert result.text == ON_PLAIN_IMAGE
    assert [line for line, _ in result.notes] == [7]
    assert helm.remove(result.text, context).text == result.text  # a second run changes nothing


@pytest.mark.parametrize("if_branch, variants", [
    # the branch differs in more than the variant suffix: the switch's branch stays as it is
    ("image: {{ .Values.repo }}/cart:{{ .Values.tag }}-native\n  imagePullPolicy: Always", VARIANT),
    # a suffix that is not an image variant of the removed component
    ("image: {{ .Values.repo }}/cart:{{ .Values.tag }}-native", (("debug", "k/x/kustomization.yaml"),)),
    # the suffix is only a prefix of a longer tag part
    ("image: {{ .Values.repo }}/cart:{{ .Values.tag }}-native.1", VARIANT),
])
def test_the_if_branch_stays_unless_it_is_exactly_the_plain_image_plus_the_variant(if_branch, variants):
    text = (f"spec:\n  {{{{- if .Values.nativeProbes }}}}\n  {if_branch}\n  {{{{- else }}}}\n"
            "  image: {{ .Values.repo }}/cart:{{ .Values.tag }}\n  {{- end }}\n")
    context = RemovalContext(service_name("native-probes", KNOWN), switch="on", image_variants=variants)
    assert helm.remove(text, context).text == f"spec:\n  {if_branch}\n"


# -- a build script's block that only builds a variant nothing deploys any more -------------------
SCRIPT = dedent("""
    #!/bin/bash
    for dir in src/*; do
        docker build -t "${image}" .
        docker push "${image}"

        if [ "$svc" != "frontend" ]
        then
            log "Building: ${image}-native"
            docker build -t "${image}-native" . --target slim
            docker push "${image}-native"
        fi
        if [ "$svc" != "cart" ]; then
            docker push "${image}-native"
        fi
    done
    """)

SCRIPT_AFTER = dedent("""
    #!/bin/bash
    for dir in src/*; do
        docker build -t "${image}" .
        docker push "${image}"
    done
    """)


def _retired(*suffixes: str) -> RemovalContext:
    return RemovalContext(service_name("native-probes", KNOWN), switch="on", retired_variants=frozenset(suffixes))


def test_a_block_that_only_builds_a_retired_variant_goes():
    from gitops_bot.edit import shell

    result = shell.remove(SCRIPT, _retired("native"))
    assert result.text == SCRIPT_AFTER
    assert shell.remove(SCRIPT_AFTER, _retired("native")).text == SCRIPT_AFTER


@pytest.mark.parametrize("body", [
    '    docker build -t "${image}-native" .\n    echo done\n',  # a command that is not the variant's
    '    docker push "${image}-native.1"\n',  # another tag that starts like it
    '    docker push "${image}-native"\nelse\n    docker push "${image}"\n',  # an else branch
    '    if true; then docker push "${image}-native"; fi\n',  # a nested compound command
    '    docker build -t "${image}-native" \\\n        --target slim .\n',  # a continuation line without it
])
def test_a_block_doing_more_than_building_the_variant_stays(body):
    from gitops_bot.edit import shell

    text = f'#!/bin/bash\nif [ -n "$x" ]; then\n{body}fi\n'
    assert shell.remove(text, _retired("native")).text == text


def test_without_retired_variants_the_script_is_left_alone():
    from gitops_bot.edit import shell

    assert shell.remove(SCRIPT, _retired()).text == SCRIPT
    assert shell.remove(SCRIPT, _retired("debug")).text == SCRIPT


@pytest.mark.parametrize("switch", ["on", "off"])
def test_remove_service_drops_the_build_of_a_variant_nothing_deploys(tmp_path, switch):
    root = write_tree(tmp_path, {**BEFORE, "scripts/release.sh": SCRIPT})
    assert main(["apply", "remove-service", "service=native-probes", f"switch={switch}", "--repo", str(root)]) == 0
    assert (root / "scripts/release.sh").read_text() == SCRIPT_AFTER
    assert main(["apply", "remove-service", "service=native-probes", f"switch={switch}", "--repo", str(root)]) == 0
    assert (root / "scripts/release.sh").read_text() == SCRIPT_AFTER


@pytest.mark.parametrize("deployer", [
    # a plain manifest that deploys the variant: nothing the run edits
    ("deploy/cart.yaml", "kind: Deployment\nspec:\n  image: shop/cart:v1-native\n"),
    # a template branch that is more than the plain image plus the suffix: kept with switch=on
    ("chart/templates/extra.yaml", "{{- if .Values.nativeProbes }}\nimage: x/cart:v1-native\npull: Always\n"
                                   "{{- else }}\nimage: x/cart:v1\n{{- end }}\n"),
])
def test_a_variant_still_deployed_elsewhere_keeps_its_build(tmp_path, deployer):
    path, text = deployer
    root = write_tree(tmp_path, {**BEFORE, "scripts/release.sh": SCRIPT, path: text})
    main(["apply", "remove-service", "service=native-probes", "switch=on", "--repo", str(root)])
    assert (root / "scripts/release.sh").read_text() == SCRIPT
