"""Progress, -q, -v and --color (gitops_bot/console.py): the reporter driven by a fake clock (no
timed assertions), and the flags through the CLI on every command."""

from __future__ import annotations

import io
import json
import re

import pytest

from gitops_bot import console
from gitops_bot.cli import main

from .conftest import write_tree


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def fresh_settings():
    console.configure()
    yield
    console.configure()


def run_reporter(stream, clock, work):
    with console.reporting("plan demo", stream=stream, clock=clock) as progress:
        work(progress)
    return stream.getvalue()


def long_run(clock):
    """Two steps: the first scans 3 files in 0.5 s; the second scans one at 1.5 s (the first line),
    edits one right after (within EVERY_LIVE: no new line) and scans one more at 1.8 s."""
    def work(progress):
        progress.begin("delete_paths", 1, 2)
        for _ in range(3):
            progress.scan()
        clock.now += 0.5
        progress.begin("remove_references", 2, 2)
        clock.now += 1.0
        progress.scan()
        progress.edit()
        clock.now += 0.3
        progress.scan()
    return work


def test_a_run_under_a_second_prints_nothing():
    clock = Clock()

    def quick(progress):
        progress.begin("delete_paths", 1, 1)
        progress.scan()
        clock.now += 0.9
        progress.scan()
    assert run_reporter(Tty(), clock, quick) == ""


def test_on_a_terminal_one_line_is_rewritten_then_cleared():
    clock = Clock()
    out = run_reporter(Tty(), clock, long_run(clock))
    assert out == ("\r\033[Kgitops-bot: plan demo: remove_references (2/2), 4 files scanned"
                   "\r\033[Kgitops-bot: plan demo: remove_references (2/2), 5 files scanned, 1 files edited"
                   "\r\033[K")


def test_not_a_terminal_prints_nothing_unless_verbose():
    clock = Clock()
    assert run_reporter(io.StringIO(), clock, long_run(clock)) == ""
    console.configure(verbose=True)
    clock = Clock()
    out = run_reporter(io.StringIO(), clock, long_run(clock))
    assert out == ("gitops-bot: plan demo: delete_paths (1/2)\n"
                   "gitops-bot: plan demo: remove_references (2/2)\n"
                   "gitops-bot: plan demo: remove_references (2/2), 4 files scanned\n"  # then one a second at most
                   "gitops-bot: plan demo: 5 files scanned, 1 files edited in 1.8 s\n")


def test_quiet_prints_no_progress_even_on_a_terminal():
    console.configure(quiet=True)
    clock = Clock()
    assert run_reporter(Tty(), clock, long_run(clock)) == ""


def test_outside_a_command_the_reporter_is_silent():
    progress = console.progress()
    progress.scan()
    progress.begin("x", 1, 1)
    assert not progress.enabled


def test_notes_and_colour(monkeypatch, capsys):
    console.note("completed an interrupted apply")
    assert capsys.readouterr().err == "gitops-bot: completed an interrupted apply\n"
    console.configure(quiet=True)
    console.note("completed an interrupted apply")
    assert capsys.readouterr().err == ""
    tty = Tty()
    console.configure(color="auto")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert console.use_color(tty) and not console.use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set (no-color.org)
    assert console.use_color(tty)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not console.use_color(tty)
    console.configure(color="always")
    assert console.use_color(io.StringIO()) and console.paint("x", "31", io.StringIO()) == "\033[31mx\033[0m"
    console.configure(color="never")
    assert not console.use_color(tty) and console.paint("x", "31", tty) == "x"


# -- through the CLI ------------------------------------------------------------------------------
def cli(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path / "repo", {
        "services/video-service/main.go": "package main\n", "services/api/main.go": "package main\n",
        "go.work": "go 1.22\n\nuse (\n\t./services/api\n\t./services/video-service\n)\n",
        "docs/index.md": "The video-service serves rooms.\n"})


def test_verbose_plan_names_each_step_and_a_tally(repo, capsys):
    code, out, err = cli(capsys, "plan", "remove-service", "video-service", "--repo", str(repo), "-v")
    assert code == 0 and "--- a/go.work" in out
    steps = [line for line in err.splitlines() if line.endswith(")")]
    assert steps[0] == "gitops-bot: plan remove-service: delete_paths (1/4)" and len(steps) == 4
    tally = r"gitops-bot: plan remove-service: \d+ files scanned, [1-9]\d* editors run, 2 files edited in \d+\.\d s"
    assert re.fullmatch(tally, err.splitlines()[-1])


def test_without_flags_stderr_that_is_not_a_terminal_stays_empty(repo, capsys):
    assert cli(capsys, "plan", "remove-service", "video-service", "--repo", str(repo))[2] == ""


@pytest.mark.parametrize("argv", [
    ["-q", "plan", "remove-service", "video-service"],
    ["plan", "remove-service", "video-service", "-q"],
    ["--color", "always", "plan", "remove-service", "video-service"],
    ["plan", "remove-service", "video-service", "--color", "always"],
])
def test_flags_go_before_or_after_the_command(repo, capsys, argv):
    code, out, err = cli(capsys, *argv, "--repo", str(repo))
    assert code == 0 and err == ""
    assert ("\033[31m-" in out) == ("always" in argv)


def test_quiet_silences_notes_but_not_errors(repo, capsys):
    (repo / ".git").mkdir()
    journal = repo / ".git" / "gitops-bot"
    journal.mkdir()
    (journal / "journal.json").write_text("{}")  # a half-applied change: plan notes it
    assert "half-applied change" in cli(capsys, "plan", "remove-service", "video-service", "--repo", str(repo))[2]
    assert cli(capsys, "plan", "remove-service", "video-service", "--repo", str(repo), "-q")[2] == ""
    code, _, err = cli(capsys, "-q", "plan", "remove-servce", "--repo", str(repo))
    assert code == 2 and "did you mean: remove-service?" in err


def test_quiet_and_verbose_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["-q", "recipes", "-v"])
    assert exc.value.code == 2 and "-q and -v exclude each other" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["recipes"], ["components"], ["check"], ["plan", "remove-service", "api"],
                                     ["apply", "remove-service", "api"], ["config", "validate"]])
def test_every_command_takes_the_output_flags(repo, capsys, command):
    code, _, err = cli(capsys, *command, "--color", "never", "-q", "--repo", str(repo))
    assert code in (0, 1) and "unrecognized" not in err


def test_check_colours_severities_on_request(tmp_path, capsys):
    repo = write_tree(tmp_path / "repo", {"k8s/app.yaml": "image: nginx:latest\n"})
    _, plain, _ = cli(capsys, "check", "--repo", str(repo))
    _, coloured, _ = cli(capsys, "check", "--repo", str(repo), "--color", "always")
    assert "\033[" not in plain and "\033[" in coloured
    assert re.sub(r"\033\[\d+m", "", coloured) == plain


def test_components_and_recipes_format_json(repo, capsys):
    for command in (["components", "--repo", str(repo)], ["recipes"]):
        _, formatted, _ = cli(capsys, *command, "--format", "json")
        _, flagged, _ = cli(capsys, *command, "--json")
        assert formatted == flagged and json.loads(formatted)["format_version"] == 1
