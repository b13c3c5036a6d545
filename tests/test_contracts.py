"""The seams a new file type, operation or rule plugs into, and the engine's purity:
- every editor is an Editor (KIND, CHECK, claims, remove, still_valid) and ends through the one
  `finish`, so overlapping cuts are a refusal in every editor, never an internal error;
- a file type is added with one module and one registry line (shown with a `.env` editor made
  here, which `plan remove-service` then uses without any other change);
- operations declare their arguments (a recipe step with an unknown one is refused on load);
- check rules carry their id, severity and help;
- a run looks nothing up unless it is given a lookup, and what a lookup returns is checked."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from gitops_bot import edit
from gitops_bot.checks import ALL_RULES, CHECKS
from gitops_bot.checks.render import render
from gitops_bot.cli import main
from gitops_bot.domain.findings import Kind
from gitops_bot.edit import EDITORS, classify
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish
from gitops_bot.engine.recipe import builtin_recipes, parse_recipe
from gitops_bot.engine.run import run_recipe
from gitops_bot.errors import UserError
from gitops_bot.ops import OPERATIONS
from gitops_bot.text.splice import Cut, Lines, Span

from .editors import ctx, dedent


# One text per editor that its remove() cuts something from.
EDITED = {
    "gowork": ("go.work", "go 1.24\n\nuse (\n\t./services/auth-service\n\t./services/video-service\n)\n"),
    "make": ("Makefile", "SERVICES = auth-service video-service\n"),
    "hcl": ("main.tf", 'locals {\n  names = ["auth-service", "video-service"]\n}\n'),
    "helm": ("chart/templates/a.yaml", "{{- if .Values.x }}\na: 1\n{{- end }}\nvideo-service:\n  port: 1\nauth-service:\n  port: 2\n"),
    "yaml": ("values.yaml", "video-service:\n  port: 1\nauth-service:\n  port: 2\n"),
    "shell": ("run.sh", "#!/bin/bash\nSERVICES=(\n  auth-service\n  video-service\n)\n"),
    "markdown": ("README.md", "| Service | Port |\n|---|---|\n| auth-service | 1 |\n| video-service | 2 |\n"),
    "json": ("buf.json", '{"files": ["src/auth-service/api.py", "src/video-service/api.py"]}\n'),
    "dotenv": (".env", "AUTH_SERVICE_PORT=8080\nVIDEO_SERVICE_PORT=8081\n"),
    "script": ("scripts/apps.py", "APPS = [\n    'auth-service',\n    'video-service',\n]\n"),
    "dockerfile": ("docker/Dockerfile.services",
                   "FROM golang:1.24\nCOPY services/auth-service/ ./auth/\nCOPY services/video-service/ ./video/\n"),
    # an editor that removes references to the run's deleted files: the third element is those
    "rst": ("docs/index.rst", ".. toctree::\n\n   services/auth-service\n   services/video-service\n",
            {"docs/services/video-service.rst"}),
    "ignore": (".gitignore", "services/auth-service/bin/\nservices/video-service/bin/\n", {"services/video-service"}),
}


def _context(kind: str) -> RemovalContext:
    """The removal context of EDITED[kind]: the run's deleted files where the entry lists them."""
    path, _, *deleted = EDITED[kind]
    return replace(ctx(), path=path, deleted_paths=frozenset(deleted[0])) if deleted else ctx()


def test_every_editor_keeps_the_contract():
    kinds = [e.KIND for e in EDITORS]
    assert sorted(kinds) == sorted(EDITED) and len(set(kinds)) == len(kinds)
    for editor in EDITORS:
        assert editor.CHECK and callable(editor.claims) and callable(editor.remove) and callable(editor.still_valid)
        path, text, *_ = EDITED[editor.KIND]
        assert classify(path, text) == editor.KIND
        result = editor.remove(text, _context(editor.KIND))
        assert result.text != text and "video-service" not in result.text and not result.refused
        assert editor.still_valid(text, result.text) is None


@pytest.mark.parametrize("kind", sorted(EDITED))
def test_overlapping_cuts_are_a_refusal_in_every_editor(kind, monkeypatch):
    """Every editor ends through `finish`: a splice that reports overlapping cuts (forced here)
    refuses the file's edit instead of crashing (three editors exited 3 before)."""
    def overlapping(text, cuts):
        raise ValueError("cuts overlap at offset 3")

    monkeypatch.setattr("gitops_bot.edit.base.splice", overlapping)
    path, text, *_ = EDITED[kind]
    result = edit.BY_KIND[kind].remove(text, _context(kind))
    assert result.text == text
    assert [(r.kind, r.reason) for r in result.refused][-1] == (Kind.CONFLICTING,
                                                               "conflicting edits: cuts overlap at offset 3")


def test_finish_verifies_changed_text_only_and_refuses_a_failure():
    text = "a\nb\nc\n"
    lines = Lines(text)
    calls = []

    def verify(new):
        calls.append(new)
        return "the result would not parse (x)"

    assert finish(text, lines, [], [], verify) == EditResult(text, [])
    assert calls == []  # nothing changed: nothing to verify
    result = finish(text, lines, [Cut(Span(2, 4))], [Refusal(1, "kept")], verify)
    assert result.text == text and calls == ["a\nc\n"]
    assert [(r.kind, r.reason) for r in result.refused] == [
        (Kind.KEPT, "kept"), (Kind.UNVERIFIED, "edit refused: the result would not parse (x)")]


# -- a new file type: one module, one registry line ---------------------------------------------
class _DotEnv:
    """A minimal `.env` editor, as a new file type would be written: variables named after the
    component (`VIDEO_SERVICE_ADDR=...`) go, with the shared blank-line rules."""

    KIND = "dotenv"
    CHECK = "every line is NAME=VALUE or a comment"

    @staticmethod
    def claims(path: str, text: str) -> bool:
        return path.rsplit("/", 1)[-1] == ".env"

    @staticmethod
    def remove(text: str, context: RemovalContext) -> EditResult:
        lines = Lines(text)
        cuts = [Cut(lines.span(n, n)) for n in range(len(lines))
                if context.name.mentions(lines.line(n).split("=", 1)[0])]
        return finish(text, lines, cuts, [], lambda new: _DotEnv.still_valid(text, new))

    @staticmethod
    def still_valid(before: str, after: str) -> str | None:
        ok = re.compile(r"\s*(#.*)?|[A-Za-z_][A-Za-z0-9_]*=.*")
        return None if all(ok.fullmatch(line) for line in after.splitlines()) else "not NAME=VALUE"


def test_a_new_file_type_is_one_module_and_one_registry_line(monorepo, monkeypatch, capsys):
    (monorepo / "docker" / ".env").write_text("AUTH_SERVICE_ADDR=auth:8080\nVIDEO_SERVICE_ADDR=video:8080\n")
    monkeypatch.setattr(edit, "EDITORS", (*edit.EDITORS, _DotEnv))  # the registry line
    monkeypatch.setattr(edit, "BY_KIND", {e.KIND: e for e in edit.EDITORS})
    assert main(["plan", "remove-service", "service=video-service", "--repo", str(monorepo), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    changed = {f["path"]: f for f in report["files"]}
    assert changed["docker/.env"]["kind"] == "dotenv"
    assert "-VIDEO_SERVICE_ADDR=video:8080" in changed["docker/.env"]["diff"]
    assert ("docker/.env", _DotEnv.CHECK, True) in {(v["path"], v["check"], v["ok"]) for v in report["validation"]}


# -- operations declare their arguments ---------------------------------------------------------
def test_a_step_with_an_argument_its_operation_does_not_take_is_refused():
    text = dedent("""
        name: drop-it
        description: d
        parameters:
          service: {description: s, required: true}
        steps:
          - op: delete_paths
            name: "{service}"
            nmae: "{service}"
    """)
    with pytest.raises(UserError) as exc:
        parse_recipe(text, "drop-it.yaml")
    assert exc.value.message == "drop-it.yaml:6: step 1 (delete_paths) has no argument nmae (arguments: name, paths)"


def test_every_builtin_step_gives_what_its_operation_declares():
    for recipe in builtin_recipes().values():
        for step in recipe.steps:
            operation = OPERATIONS[step.op]
            assert operation.name == step.op and operation.check_args(step.args) is None


# -- check rules carry their metadata -----------------------------------------------------------
def test_rules_carry_id_severity_and_help_into_sarif():
    assert list(CHECKS) == [r.id for r in CHECKS.values()] and "unparsable-file" in ALL_RULES
    assert all(r.severity in ("error", "warning") and r.help for r in ALL_RULES.values())
    sarif = json.loads(render([], "sarif"))
    described = {r["id"]: r["shortDescription"]["text"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert described == {rule.id: rule.help for rule in ALL_RULES.values()}


# -- the engine looks nothing up unless given a lookup -------------------------------------------
ROLLOUTS = "kubectl apply -f https://github.com/argoproj/argo-rollouts/releases/latest/download/install.yaml\n"


class _Releases:
    def __init__(self, tag):
        self.tag, self.asked = tag, []

    def latest_release_tag(self, slug):
        self.asked.append(slug)
        return self.tag

    def unavailable(self):
        return None


@pytest.fixture
def floating(tmp_path):
    (tmp_path / "install.sh").write_text("#!/bin/bash\n" + ROLLOUTS)
    return tmp_path


def test_a_run_given_no_lookup_looks_nothing_up(floating, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "a-token-the-engine-must-not-use")
    monkeypatch.setattr("socket.socket.connect", lambda *a: pytest.fail("the engine opened a connection"))
    changes = run_recipe(floating, builtin_recipes()["pin-versions"], {})
    assert changes.files == []
    assert [r.reason for r in changes.residue] == [
        "floating release URL: no version given and no release lookup in this run to look up "
        "argoproj/argo-rollouts's latest release"]


def test_a_run_uses_the_lookup_it_is_given_and_checks_what_it_returns(floating):
    releases = _Releases("v1.8.3")
    changes = run_recipe(floating, builtin_recipes()["pin-versions"], {}, releases=releases)
    assert releases.asked == ["argoproj/argo-rollouts"]
    assert "releases/download/${ARGO_ROLLOUTS_VERSION}/install.yaml" in changes.files[0].after
    with pytest.raises(UserError, match="not a plain version"):
        run_recipe(floating, builtin_recipes()["pin-versions"], {}, releases=_Releases("v1;rm -rf /"))
    assert (floating / "install.sh").read_text() == "#!/bin/bash\n" + ROLLOUTS
