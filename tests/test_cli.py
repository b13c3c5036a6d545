"""The CLI contract: commands, exit codes, one-line errors that leave the repository as it was."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gitops_bot.cli import main

from .conftest import tree_bytes


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_recipes_lists_builtins_with_parameters(capsys):
    code, out, _ = run(capsys, "recipes")
    assert code == 0
    assert "remove-service" in out and "service=" in out


def test_repo_recipes_are_listed_and_runnable(monorepo, capsys):
    folder = monorepo / ".gitops-bot" / "recipes"
    folder.mkdir(parents=True)
    (folder / "drop-component.yaml").write_text(
        "name: drop-component\ndescription: Remove a component's references only.\n"
        "parameters:\n  component:\n    pattern: '^[a-z-]+$'\n"
        "steps:\n  - op: remove_references\n    name: '{component}'\n")
    code, out, _ = run(capsys, "recipes", "--repo", str(monorepo))
    assert code == 0 and "drop-component" in out and ".gitops-bot/recipes/drop-component.yaml" in out
    code, out, _ = run(capsys, "plan", "drop-component", "component=livekit", "--repo", str(monorepo),
                       "--format", "json")
    report = json.loads(out)
    files = {f["path"]: f["status"] for f in report["files"]}
    assert files and set(files.values()) == {"modified"}  # no directory deletion step
    # exit 1: the statefulset's only manifest is livekit's, and so is each of its ArgoCD
    # Applications (named livekit-dev, livekit-prod); this recipe deletes no file
    assert code == 1 and [r["path"] for r in report["refused"]] == [
        "k8s/helm/charts/livekit/templates/statefulset.yaml",
        "k8s/argocd/apps/dev/livekit.yaml", "k8s/argocd/apps/prod/livekit.yaml"]


@pytest.mark.parametrize("argv, message", [
    (["plan", "no-such-recipe"],
     "unknown recipe 'no-such-recipe' (available: add-pod-annotation, allow-source, config-to-params, mesh-mode, "
     "pin-versions, remove-service, set-param, set-value, set-version, sidecar-exclude)"),
    (["plan", "remove-service"], "recipe remove-service needs parameter service="),
    (["plan", "remove-service", "service=Video Service"], "does not match"),
    (["plan", "remove-service", "service=../etc"], "does not match"),
    (["plan", "remove-service", "video-service", "livekit"], "parameter 'video-service' is not key=value"),
    (["plan", "remove-service", "service=a", "colour=red"], "has no parameter 'colour'"),
    (["apply", "remove-service", "service=a", "service=b"], "given twice"),
])
def test_bad_input_is_one_line_exit_2(monorepo, capsys, argv, message):
    before = tree_bytes(monorepo)
    code, out, err = run(capsys, *argv, "--repo", str(monorepo))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("gitops-bot: error: ") and message in err
    assert out == ""
    assert tree_bytes(monorepo) == before


def test_repo_that_is_not_a_directory(tmp_path, capsys):
    code, _, err = run(capsys, "plan", "remove-service", "service=a", "--repo", str(tmp_path / "nope"))
    assert code == 2 and "not a directory" in err


def test_an_unparsable_file_naming_the_service_is_refused_and_the_rest_goes_on(monorepo, capsys):
    broken = monorepo / "k8s" / "helm" / "environments" / "staging.yaml"
    text = "video-service:\n  replicaCount: [1\n"
    broken.write_text(text)
    code, out, err = run(capsys, "apply", "remove-service", "service=video-service", "--repo", str(monorepo))
    assert code == 1 and err == ""  # a human must finish it: exit 1, not a stopped run
    assert broken.read_text() == text
    assert ("k8s/helm/environments/staging.yaml:3: cannot parse it (line 3: YAML does not parse: "
            "while parsing a flow sequence): nothing in it was changed; remove the references by hand") in out
    assert not (monorepo / "services" / "video-service").exists()  # the rest of the change was made


def test_an_unparsable_file_that_does_not_name_the_service_is_passed_over(monorepo, capsys):
    unrelated = monorepo / "k8s" / "videos-archive.yaml"  # passes the prefilter (`video`), names nothing
    unrelated.write_text("archive: [1\n")
    code, out, _ = run(capsys, "plan", "remove-service", "service=video-service", "--repo", str(monorepo))
    assert code == 0 and "videos-archive" not in out and "refused" not in out


def test_invalid_repo_recipe_is_reported_with_its_file(monorepo, capsys):
    folder = monorepo / ".gitops-bot" / "recipes"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("name: bad\ndescription: x\nsteps:\n  - op: explode\n")
    code, _, err = run(capsys, "recipes", "--repo", str(monorepo))
    assert code == 2 and ".gitops-bot/recipes/bad.yaml:4: step 1: unknown operation 'explode'" in err


def test_repo_recipe_cannot_shadow_a_builtin(monorepo, capsys):
    folder = monorepo / ".gitops-bot" / "recipes"
    folder.mkdir(parents=True)
    (folder / "x.yaml").write_text("name: remove-service\ndescription: x\nsteps:\n"
                                   "  - op: delete_paths\n    name: x\n")
    code, _, err = run(capsys, "recipes", "--repo", str(monorepo))
    assert code == 2 and "shadow" in err


def test_internal_error_exits_3(monorepo, capsys, monkeypatch):
    import gitops_bot.engine.run as engine

    def boom(*_):
        raise RuntimeError("kaput")

    monkeypatch.setattr(engine, "residue", boom)
    code, _, err = run(capsys, "plan", "remove-service", "service=livekit", "--repo", str(monorepo))
    assert code == 3 and "internal error: RuntimeError: kaput" in err and "Traceback" not in err
    assert err.count("\n") == 1
    code, _, err = run(capsys, "--debug", "plan", "remove-service", "livekit", "--repo", str(monorepo))
    assert code == 3 and "Traceback" in err and 'raise RuntimeError("kaput")' in err


def test_a_typo_in_a_recipe_name_is_answered_with_the_closest(monorepo, capsys):
    code, _, err = run(capsys, "plan", "remove-servce", "video-service", "--repo", str(monorepo))
    assert code == 2 and "did you mean: remove-service?" in err and err.count("\n") == 1


def test_plan_text_has_diff_then_summary_and_colour_on_request(monorepo, capsys):
    code, out, _ = run(capsys, "plan", "remove-service", "service=livekit", "--repo", str(monorepo))
    assert code == 0
    assert out.index("--- a/") < out.index("remove-service: 20 files") < out.index("residue: 8 entries")
    assert "\033[" not in out
    _, coloured, _ = run(capsys, "plan", "remove-service", "service=livekit", "--repo", str(monorepo),
                         "--color", "always")
    assert "\033[31m-" in coloured


def test_apply_prints_summary_and_residue(monorepo, capsys):
    code, out, _ = run(capsys, "apply", "remove-service", "service=livekit", "--repo", str(monorepo))
    assert code == 0 and out.startswith("remove-service: 20 files (5 deleted, 15 modified)")
    assert "[ ] docs/runbook.md:9:" in out
    assert not (monorepo / "k8s" / "helm" / "charts" / "livekit").exists()


def test_help_does_not_import_heavy_modules():
    code = ("import sys; from gitops_bot.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('git', 'github', 'ruamel.yaml', 'hcl2', 'lark') if m in sys.modules]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_catalogue_tool_run_loads_neither_the_open_targets_nor_the_removal(monorepo):
    """set-version tool= (the scheduled bump) imports what it uses: not the open targets' module and
    their GitHub, Terraform and Python readers, nor the removal's operations."""
    code = ("import sys; from gitops_bot.cli import main\n"
            f"status = main(['plan', 'set-version', 'tool=istio', 'version=1.28.2', '--repo', {str(monorepo)!r}])\n"
            "unused = ('gitops_bot.ops.version_targets', 'gitops_bot.domain.terraform_refs',\n"
            "          'gitops_bot.domain.github_refs', 'gitops_bot.domain.python_packages',\n"
            "          'gitops_bot.ops.remove_references', 'gitops_bot.ops.footprint')\n"
            "print(status, [m for m in unused if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "set-version: " in out and " files (" in out  # it changed files: the run did its work
    assert out.strip().splitlines()[-1] == "0 []"


def test_console_script_runs(monorepo):
    proc = subprocess.run([sys.executable, "-m", "gitops_bot.cli", "plan", "remove-service",
                           "service=livekit", "--repo", str(monorepo), "--exit-code"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "remove-service: 20 files" in proc.stdout


def test_refused_edits_are_listed_in_the_residue_with_their_reason(monorepo, capsys):
    (monorepo / "k8s" / "helm" / "environments" / "extra.yaml").write_text(
        "ports: {auth-service: 8001, video-service: 8003}\nargs: [--upstream, video-service]\n")
    code, out, _ = run(capsys, "plan", "remove-service", "service=video-service", "--repo", str(monorepo),
                       "--format", "json")
    report = json.loads(out)
    extra = [(r["line"], r["reason"]) for r in report["residue"] if r["path"].endswith("extra.yaml")]
    assert extra == [(1, "edit refused: flow mapping: edit it by hand"),
                     (2, "edit refused: argument list: removing one word would change the command")]
    assert len([r for r in report["refused"] if r["path"].endswith("extra.yaml")]) == 2


def test_yaml_with_template_actions_is_edited_as_a_template(monorepo, capsys):
    appset = monorepo / "k8s" / "argocd" / "appsets" / "raw.yaml"
    appset.write_text("spec:\n  template:\n    metadata:\n      name: {{name}}\n"
                      "  elements:\n    - name: video-service\n    - name: auth-service\n")
    code, _, _ = run(capsys, "apply", "remove-service", "service=video-service", "--repo", str(monorepo))
    assert code == 0
    assert appset.read_text() == ("spec:\n  template:\n    metadata:\n      name: {{name}}\n"
                                  "  elements:\n    - name: auth-service\n")


def test_parameters_may_follow_options(monorepo, capsys):
    code, out, _ = run(capsys, "plan", "remove-service", "--repo", str(monorepo), "service=livekit", "--exit-code")
    assert code == 1 and "remove-service: 20 files" in out
    with pytest.raises(SystemExit):
        main(["plan", "remove-service", "--repo", str(monorepo), "--bogus"])


def test_a_typo_of_a_component_exits_2_with_did_you_mean(monorepo, capsys):
    before = tree_bytes(monorepo)
    code, out, err = run(capsys, "apply", "remove-service", "service=vidoe-service", "--repo", str(monorepo))
    assert (code, out) == (2, "")
    assert err == ("gitops-bot: error: nothing in this repository is named 'vidoe-service'; "
                   "did you mean: video-service?\n")
    assert tree_bytes(monorepo) == before


def test_a_component_already_removed_is_a_no_op_while_anything_still_names_it(tmp_path, capsys):
    for folder in ("payment", "payments"):
        (tmp_path / "services" / folder).mkdir(parents=True)
        (tmp_path / "services" / folder / "main.go").write_text("package main\n")
    (tmp_path / "README.md").write_text("The payments service was merged into payment.\n")
    assert run(capsys, "apply", "remove-service", "service=payments", "--repo", str(tmp_path))[0] == 0
    before = tree_bytes(tmp_path)
    code, out, err = run(capsys, "apply", "remove-service", "service=payments", "--repo", str(tmp_path))
    assert (code, err) == (0, "") and "0 files (no changes)" in out  # the README still names it: not a typo
    (tmp_path / "README.md").unlink()  # now nothing names it, and `payment` is close: read as a typo
    code, _, err = run(capsys, "apply", "remove-service", "service=payments", "--repo", str(tmp_path))
    assert (code, err) == (2, "gitops-bot: error: nothing in this repository is named 'payments'; "
                              "did you mean: payment?\n")
    assert tree_bytes(tmp_path) == {p: b for p, b in before.items() if p != "README.md"}


def test_refused_edits_are_listed_before_validation_and_residue(monorepo, capsys):
    (monorepo / "k8s" / "anchors.yaml").write_text("services:\n  video-service: &common\n    port: 81\n"
                                                   "  auth-service:\n    <<: *common\n")
    code, out, _ = run(capsys, "plan", "remove-service", "service=video-service", "--repo", str(monorepo))
    summary = out[out.index("remove-service: "):].splitlines()
    assert code == 1 and summary[1] == "refused edits (1), for a human to finish:"
    assert summary[2].startswith("  k8s/anchors.yaml:2: it defines the anchor &common")
    assert summary[3].startswith("validation:")


def test_a_bare_word_is_the_recipes_positional_parameter(monorepo, capsys):
    code, bare, _ = run(capsys, "plan", "remove-service", "video-service", "--repo", str(monorepo), "--format", "json")
    code2, keyed, _ = run(capsys, "plan", "remove-service", "service=video-service", "--repo", str(monorepo),
                          "--format", "json")
    assert code == code2 and bare == keyed and json.loads(bare)["files"]


def test_every_json_output_has_a_format_version(monorepo, capsys):
    versions = {}
    for argv in (["plan", "remove-service", "video-service", "--format", "json"], ["recipes", "--json"],
                 ["components", "--json"], ["check", "--format", "json"],
                 ["apply", "remove-service", "video-service", "--format", "json"]):
        _, out, _ = run(capsys, *argv, "--repo", str(monorepo))
        versions[argv[0]] = json.loads(out)["format_version"]
    assert versions == dict.fromkeys(versions, 1)


def test_apply_json_is_the_plan_json(monorepo, capsys):
    _, planned, _ = run(capsys, "plan", "remove-service", "video-service", "--format", "json", "--repo", str(monorepo))
    _, applied, _ = run(capsys, "apply", "remove-service", "video-service", "--format", "json", "--repo", str(monorepo))
    assert json.loads(applied) == json.loads(planned)


def test_plan_shows_deleted_files_and_folders_as_one_line_each(monorepo, capsys):
    _, out, _ = run(capsys, "plan", "remove-service", "video-service", "--repo", str(monorepo))
    deleted = [line for line in out.splitlines() if line.startswith("deleted: ")]
    assert deleted == ["deleted: dashboards/video-service.json (6 lines)",
                       "deleted: k8s/argocd/apps/dev/video-service.yaml (24 lines)",
                       "deleted: k8s/argocd/apps/prod/video-service.yaml (24 lines)",
                       "deleted: k8s/helm/charts/video-service/ (3 files, 51 lines)",
                       "deleted: services/video-service/ (4 files, 35 lines)"]
    assert "+++ /dev/null" not in out
    _, full, _ = run(capsys, "plan", "remove-service", "video-service", "--full", "--repo", str(monorepo))
    assert full.count("+++ /dev/null") == 3 + 3 + 4 and "deleted: " not in full  # 3 files, 2 folders of 3 and 4


def test_plan_stat_is_one_line_per_file(monorepo, capsys):
    _, out, _ = run(capsys, "plan", "remove-service", "video-service", "--stat", "--repo", str(monorepo))
    _, js, _ = run(capsys, "plan", "remove-service", "video-service", "--format", "json", "--repo", str(monorepo))
    files = json.loads(js)["files"]
    rows = [line for line in out.splitlines() if " | " in line]
    assert len(rows) == len(files) and "| deleted  +0 -24" in out and "@@" not in out


def test_no_color_turns_auto_colour_off(monorepo, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, out, _ = run(capsys, "plan", "remove-service", "livekit", "--repo", str(monorepo))
    assert "\033[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(capsys, "plan", "remove-service", "livekit", "--repo", str(monorepo))
    assert "\033[" not in out


def test_plan_lists_a_file_s_first_hunks_and_counts_the_rest(tmp_path, capsys):
    from .conftest import write_tree

    lines = "".join(f"services/video-service/tmp{i}\n" + "".join(f"other/{i}/{k}\n" for k in range(7))
                    for i in range(12))
    repo = write_tree(tmp_path / "repo", {".dockerignore": lines, "services/video-service/main.go": "package main\n",
                                          "services/api/main.go": "package main\n"})
    _, out, _ = run(capsys, "plan", "remove-service", "video-service", "--repo", str(repo))
    assert out.count("\n@@ -") == 8 and "@@ … 4 more hunks in this file (-4 +0 lines): --full shows them" in out
    _, full, _ = run(capsys, "plan", "remove-service", "video-service", "--full", "--repo", str(repo))
    assert full.count("\n@@ -") == 12 + 1 and "more hunks" not in full  # and the deleted main.go
