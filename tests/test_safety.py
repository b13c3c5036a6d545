"""Safety: nothing of the repository executes, nothing unvalidated from the network is written,
and names that are not components are refused before anything is deleted.

Each test reproduces one finding of the safety review with its input verbatim."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.cli import main
from gitops_bot.edit import helm, make, shell
from gitops_bot.subprocesses import checker_env, git_overrides

from .conftest import EXAMPLE, ROOT, tree_bytes
from .fakes.releases import FakeReleases

VERSIONS = ROOT / "tests" / "fixtures" / "versions" / "repo"


# -- 1. repository content never executes -----------------------------------------------------
def hostile_makefile(marker) -> str:
    """A Makefile that writes `marker` if anything evaluates it, in each way make can."""
    return (f"$(file >{marker}.file,$(GITHUB_TOKEN))\n"
            f"override SHELL := /bin/sh -c 'touch {marker}.shell' ; /bin/sh\n"
            f"X := $(shell touch {marker}.shellfn)\n"
            f"-load {marker}.so\n"
            f"-include {marker}.generated\n"
            f"{marker}.generated:\n\ttouch {marker}.include\n"
            "SERVICES = auth-service video-service board-service\n"
            "build:\n\tfor s in $(SERVICES); do echo $$s; done\n")


def test_plan_never_evaluates_a_makefile(tmp_path, monorepo, monkeypatch, capsys):
    marker = tmp_path / "outside" / "pwned"
    marker.parent.mkdir()
    (monorepo / "Makefile").write_text(hostile_makefile(marker), encoding="utf-8")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 0
    out = capsys.readouterr().out
    assert "+SERVICES = auth-service board-service" in out  # the Makefile was edited and verified
    assert list(marker.parent.iterdir()) == []


def test_the_reported_makefile_leaks_no_token(monorepo, monkeypatch, capsys):
    """The finding's input verbatim: `make -n` wrote the token to /tmp/x."""
    import os

    target = "/tmp/x"
    before = os.stat(target).st_mtime_ns if os.path.exists(target) else None
    makefile = monorepo / "makefiles" / "_variables.mk"
    makefile.write_text("$(file >/tmp/x,$(GITHUB_TOKEN))\n" + makefile.read_text(encoding="utf-8"))
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 0
    assert "makefiles/_variables.mk" in capsys.readouterr().out
    after = os.stat(target).st_mtime_ns if os.path.exists(target) else None
    assert after == before
    assert before is not None or not os.path.exists(target)


def test_makefile_grammar_check_catches_what_make_would_reject():
    assert make.grammar_problem("ifeq ($(A),1)\nB = 1\n") == "missing endif"
    assert make.grammar_problem("B = 1\nendif\n") == "line 2: endif without a conditional"
    assert make.grammar_problem("define X\nbody\n") == "line 1: define without endef"
    assert make.grammar_problem("A = 1\nstray words\n") == "line 2: missing separator"
    assert make.grammar_problem("A = $(patsubst a,b,$(B)\n") == "line 1: unterminated variable reference"
    assert make.grammar_problem("\techo a\nall:\n") == "line 1: recipe commences before first target"
    ok = "ifdef X\n  A = 1\nelse\nA := $(shell echo)\nendif\n$(eval $(call rule,a))\nall: a\n\t@echo $(A)\n"
    assert make.grammar_problem(ok) is None
    assert make.still_valid(ok, ok.replace("endif\n", "")) == "missing endif"


def test_bash_checks_get_no_secret_and_no_startup_file(tmp_path, monkeypatch):
    marker = tmp_path / "sourced"
    startup = tmp_path / "startup.sh"
    startup.write_text(f"touch {marker}\n")
    monkeypatch.setenv("BASH_ENV", str(startup))
    monkeypatch.setenv("ENV", str(startup))
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    assert shell.still_valid("echo ok\n", "echo $(id)\n") is None  # parsed, not run
    assert not marker.exists()
    assert set(checker_env()) == {"PATH", "LC_ALL", "LANG"}


def test_git_gets_no_secret_and_no_hooks(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    monkeypatch.setenv("GH_TOKEN", "ghp_secret")
    monkeypatch.setenv("BASH_ENV", "/tmp/x")
    overrides = git_overrides()
    assert overrides["GITHUB_TOKEN"] == overrides["GH_TOKEN"] == overrides["BASH_ENV"] == ""
    config = {overrides[k]: overrides[k.replace("KEY", "VALUE")] for k in overrides if k.startswith("GIT_CONFIG_KEY")}
    assert config == {"core.hooksPath": "/dev/null", "core.fsmonitor": "false"}


def test_missing_bash_is_a_clear_error(monorepo, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(monorepo / "no-such-bin"))
    before = tree_bytes(monorepo)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 2
    assert capsys.readouterr().err == ("gitops-bot: error: bash is not installed: gitops-bot needs it to "
                                       "check the files it edits\n")
    assert tree_bytes(monorepo) == before


# -- 2. values from the network are validated before they are written ---------------------------
@pytest.mark.parametrize("tag", ["v1.2.3$(touch${IFS}/tmp/x)", "v1.2.3;rm -rf /", "v1.2.3\nX=1", "main", ""])
def test_a_release_tag_that_is_not_a_version_is_refused(tmp_path, monkeypatch, capsys, tag):
    repo = tmp_path / "repo"
    shutil.copytree(VERSIONS, repo)
    before = tree_bytes(repo)
    releases = {"argoproj/argo-rollouts": tag, "kubernetes-sigs/gateway-api": "v1.3.0",
                "actions/setup-go": "v5.4.0"}
    with FakeReleases(releases) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        assert main(["apply", "pin-versions", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"has the tag {tag!r}, which is not a plain version" in err
    assert tree_bytes(repo) == before


# -- 3. names that are not components --------------------------------------------------------
@pytest.mark.parametrize("name, message", [
    ("k8s", "'k8s' is part of the repository's structure, not a component (the folder k8s/ holds"),
    ("values", "'values' is part of the repository's structure, not a component (a folder or file of that "
               "name is in"),
    ("service", "'service' is part of the repository's structure, not a component (a key of that name is in"),
    ("templates", "(a folder or file of that name is in"),
    ("user", "'user' is not a component of this repository; did you mean: user-service?"),
])
def test_structural_words_are_refused_with_suggestions(monorepo, capsys, name, message):
    before = tree_bytes(monorepo)
    assert main(["apply", "remove-service", f"service={name}", "--repo", str(monorepo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "did you mean: " in err
    assert tree_bytes(monorepo) == before


def drop_component_recipe(repo) -> None:
    """A repository recipe whose parameter has no pattern (any value passes the recipe)."""
    folder = repo / ".gitops-bot" / "recipes"
    folder.mkdir(parents=True)
    (folder / "drop.yaml").write_text(
        "name: drop-component\ndescription: drop a component\nparameters:\n  component:\n"
        "    positional: true\nsteps:\n  - op: delete_paths\n    name: '{component}'\n"
        "  - op: remove_references\n    name: '{component}'\n")


@pytest.mark.parametrize("value", [".", "-", "_", "+", ","])
def test_a_name_without_a_word_deletes_nothing(monorepo, capsys, value):
    drop_component_recipe(monorepo)
    before = tree_bytes(monorepo)
    assert main(["apply", "drop-component", f"component={value}", "--repo", str(monorepo)]) == 2
    assert capsys.readouterr().err == (f"gitops-bot: error: {value!r} is not a component name: it holds no "
                                       "letter or digit\n")
    assert tree_bytes(monorepo) == before


def test_comment_command_with_a_wordless_name_is_refused(monorepo):
    from gitops_bot.delivery import comments as commands
    from gitops_bot.engine.recipe import available_recipes

    drop_component_recipe(monorepo)
    recipe = available_recipes(monorepo)["drop-component"]
    params = commands.resolve_params(commands.parse("/gitops-bot drop-component ,"), recipe)
    assert recipe.check_params(params) == {"component": ","}  # the grammar lets it through ...
    before = tree_bytes(monorepo)
    assert main(["apply", "drop-component", "component=,", "--repo", str(monorepo)]) == 2  # ... the engine not
    assert tree_bytes(monorepo) == before


def test_a_sibling_whose_name_extends_the_component_is_kept(monorepo, capsys):
    (monorepo / "services" / "user").mkdir()
    (monorepo / "services" / "user" / "main.go").write_text("package main\n")
    # exit 1: the Makefile lines that build user-service are refused (they act on another service)
    assert main(["plan", "remove-service", "service=user", "--repo", str(monorepo), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    deleted = [f["path"] for f in report["files"] if f["status"] == "deleted"]
    assert deleted == ["services/user/main.go"]
    assert not any("user-service" in f["diff"] for f in report["files"] if f["status"] == "modified")


def test_example_components_still_remove(monorepo, capsys):
    for name in ("video-service", "livekit", "minio"):
        assert main(["plan", "remove-service", f"service={name}", "--repo", str(EXAMPLE), "--exit-code"]) == 1
    capsys.readouterr()


# -- 4. a refused edit withholds every edit that depends on it --------------------------------
CHART = "k8s/helm/charts/istio-config"
VIDEO_ROUTE_END = "          port: {{ .Values.services.videoService.port }}\n{{- end }}\n"


@pytest.mark.parametrize("change, reason", [
    ((VIDEO_ROUTE_END, VIDEO_ROUTE_END.replace("{{- end }}", "{{- else }}\n# video is off\n{{- end }}")),
     "the block guarded by the service has an else branch"),
    (("{{- if .Values.services.videoService.enabled }}",
      "{{- if or .Values.services.videoService.enabled .Values.gateway.all }}"),
     "the condition combines the service with others"),
])
def test_a_refused_template_block_keeps_its_items_and_its_values(monorepo, capsys, change, reason):
    template = monorepo / CHART / "templates" / "httproute.yaml"
    template.write_text(template.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    values = monorepo / CHART / "values.yaml"
    before_template = template.read_bytes()
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 1  # refused
    out = capsys.readouterr().out
    assert template.read_bytes() == before_template  # not half a block: the route stays whole
    # ... and the values it reads stay (the principal, read by another template, goes)
    assert "  videoService:\n    enabled: true\n    port: 8080\n" in values.read_text(encoding="utf-8")
    assert "sa/video-service" not in values.read_text(encoding="utf-8")
    assert f"{CHART}/templates/httproute.yaml:38: {reason}" in out
    assert (f"{CHART}/values.yaml:13: withheld: the template block at {CHART}/templates/httproute.yaml:38, "
            "which was refused, still reads .Values.services.videoService.enabled") in out
    assert not (monorepo / "services" / "video-service").exists()  # the rest of the removal goes on


def test_a_with_block_naming_the_service_goes_whole():
    from .editors import ctx, dedent

    text = dedent("""
        {{- with .Values.videoService }}
        - name: video-service
          port: {{ .port }}
        {{- end }}
        - name: auth-service
        """)
    assert helm_remove(text, ctx()) == "- name: auth-service\n"
    with_else = text.replace("{{- end }}", "{{- else }}\n- name: fallback\n{{- end }}")
    result = helm.remove(with_else, ctx())
    assert result.text == with_else
    assert [r.reason.split(" (")[0] for r in result.refused] == [
        "the block guarded by the service has an else branch",
        "withheld: inside the template block at line 1, which was refused"]


def helm_remove(text, context):
    return helm.remove(text, context).text


# -- 8. smaller ones: unreadable, linked, deep and explosive input ---------------------------
def test_an_unreadable_file_is_reported_not_skipped(monorepo, monkeypatch, capsys):
    # Tests run as root, which reads any file whatever its mode, so the failure is injected at
    # the one place the tree reads files while scanning.
    from gitops_bot.domain import worktree

    secret = monorepo / "k8s" / "helm" / "environments" / "secret.yaml"
    secret.write_text("video-service: {token: x}\n")
    real = worktree.read_file

    def read_file(path):
        if path == str(secret):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(worktree, "read_file", read_file)
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 0
    out = capsys.readouterr().out
    assert ("[ ] k8s/helm/environments/secret.yaml:0: (unreadable file)  (could not be read "
            "(Permission denied): check it by hand)") in out


def test_an_unreadable_folder_is_a_clear_error(monorepo, monkeypatch, capsys):
    import os

    real = os.scandir

    def scandir(path):
        if str(path).endswith("terraform"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 2
    assert capsys.readouterr().err == "gitops-bot: error: cannot read the folder terraform/: Permission denied\n"


def test_a_values_file_linked_out_of_the_repository_is_neither_read_nor_replaced(tmp_path, monorepo, capsys):
    outside = tmp_path / "outside.yaml"
    outside.write_text("video-service:\n  config:\n    A: '1'\n")
    values = monorepo / "k8s" / "helm" / "environments" / "prod.yaml"
    values.unlink()
    values.symlink_to(outside)
    assert main(["apply", "config-to-params", "env=prod", "--repo", str(monorepo)]) == 2
    err = capsys.readouterr().err
    assert err == (f"gitops-bot: error: k8s/helm/environments/prod.yaml is a symbolic link (to {outside}): "
                   "gitops-bot never reads or writes through links\n")
    assert values.is_symlink() and outside.read_text() == "video-service:\n  config:\n    A: '1'\n"


def test_a_recipe_folder_linked_out_of_the_repository_is_refused(tmp_path, monorepo, capsys):
    elsewhere = tmp_path / "recipes"
    elsewhere.mkdir()
    (monorepo / ".gitops-bot").mkdir()
    (monorepo / ".gitops-bot" / "recipes").symlink_to(elsewhere)
    assert main(["recipes", "--repo", str(monorepo)]) == 2
    assert "is a symbolic link" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["a: " + "[" * 3000 + "video-service" + "]" * 3000 + "\n",
                                  "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "video-service: 1\n"])
def test_deep_yaml_is_refused_with_a_clear_reason(monorepo, capsys, text):
    (monorepo / "k8s" / "deep.yaml").write_text(text)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    assert ("k8s/deep.yaml:1: cannot parse it (line 1: YAML does not parse: nested too deeply to parse): "
            "nothing in it was changed; remove the references by hand") in captured.out
    assert (monorepo / "k8s" / "deep.yaml").read_text() == text


def test_yaml_tags_construct_nothing(tmp_path, monorepo, capsys):
    marker = tmp_path / "constructed"
    (monorepo / "k8s" / "tag.yaml").write_text(
        f'a: !!python/object/apply:os.system ["touch {marker}"]\nvideo-service: 1\nb: 2\n')
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 1  # refused
    assert "k8s/tag.yaml:1: edit refused: the result would not parse (could not determine a constructor" \
        in capsys.readouterr().out
    assert not marker.exists()


def test_a_recipe_alias_bomb_is_refused_before_it_expands(monorepo, capsys):
    folder = monorepo / ".gitops-bot" / "recipes"
    folder.mkdir(parents=True)
    levels = ["    name: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"    name: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    (folder / "bomb.yaml").write_text("name: bomb\ndescription: boom\nsteps:\n" + "".join(
        f"  - op: delete_paths\n{line}\n" for line in levels))
    assert main(["recipes", "--repo", str(monorepo)]) == 2
    assert capsys.readouterr().err == ("gitops-bot: error: .gitops-bot/recipes/bomb.yaml:1: YAML aliases expand "
                                       "this file to more than 100,000 values; refusing to read it\n")


def test_a_config_alias_bomb_is_refused_before_it_expands(monorepo, capsys):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    (monorepo / ".gitops-bot.yaml").write_text("recipes:\n  remove-service:\n" + "".join(
        f"    {line}\n" for line in levels))
    assert main(["plan", "remove-service", "video-service", "--repo", str(monorepo)]) == 2
    assert capsys.readouterr().err == ("gitops-bot: error: .gitops-bot.yaml:1: YAML aliases expand "
                                       "this file to more than 100,000 values; refusing to read it\n")


@pytest.mark.parametrize("recipe, message", [
    ("name: r\ndescription: d\nsteps: {op: delete_paths}\n", "steps must be a list"),
    ("name: r\ndescription: d\nparameters: [a]\nsteps: []\n", "parameters must be a mapping"),
    ("name: r\ndescription: [a, b]\nsteps: []\n", "description must be a single value"),
    ("name: r\ndescription: d\nsteps:\n  - op: [delete_paths]\n", "step 1: op must be a single value"),
])
def test_malformed_recipe_fields_are_one_clear_line(monorepo, capsys, recipe, message):
    folder = monorepo / ".gitops-bot" / "recipes"
    folder.mkdir(parents=True)
    (folder / "r.yaml").write_text(recipe)
    assert main(["recipes", "--repo", str(monorepo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_a_config_file_linked_out_of_the_repository_is_refused(tmp_path, monorepo, capsys):
    outside = tmp_path / "config.yaml"
    outside.write_text("recipes: {}\n")
    (monorepo / ".gitops-bot.yaml").unlink(missing_ok=True)  # the example's own
    (monorepo / ".gitops-bot.yaml").symlink_to(outside)
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 2
    assert capsys.readouterr().err == (f"gitops-bot: error: .gitops-bot.yaml is a symbolic link (to {outside}): "
                                       "gitops-bot never reads or writes through links\n")


def test_importing_gitpython_shows_git_no_secret():
    """GitPython runs `git version` when imported; in a fresh process (where it is not imported
    yet) that program's environment holds no token."""
    import os
    import subprocess
    import sys

    code = ("import json, os, sys\n"
            "seen = []\n"
            "sys.addaudithook(lambda e, a: seen.append(dict(a[3] if a[3] is not None else os.environ))"
            " if e == 'subprocess.Popen' else None)\n"
            "from gitops_bot.subprocesses import import_git\n"
            "import_git()\n"
            "print(json.dumps([sorted(k for k, v in env.items() if 'ghs_secret' in v) for env in seen]))\n"
            "print(os.environ['GITHUB_TOKEN'])\n")
    env = dict(os.environ, GITHUB_TOKEN="ghs_secret", GH_TOKEN="ghs_secret")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    leaks, token = out.splitlines()
    assert json.loads(leaks) and all(found == [] for found in json.loads(leaks))  # git ran, and saw no token
    assert token == "ghs_secret"  # the process's own environment is restored


def test_make_is_not_needed(tmp_path, monorepo, monkeypatch, capsys):
    import shutil as sh

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bash").symlink_to(sh.which("bash"))
    monkeypatch.setenv("PATH", str(bin_dir))  # bash and nothing else: no make, no git
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo)]) == 0
    out = capsys.readouterr().out
    assert "+++ b/makefiles/_variables.mk" in out and "FAILED" not in out
