"""The pull-request body at scale: residue grouped by file in collapsed sections, a wholly
deleted folder as one row, a summary first, and a body that stays under GitHub's limit by
listing less, never by cutting the reproduce command or the marker."""

from __future__ import annotations

import pytest

from gitops_bot import __version__
from gitops_bot.delivery.pr import (BODY_LIMIT, COLLAPSE_OVER, RERUN_BOX, read_marker, render_body, rerun_requested,
                                     rerun_ticked, title, untick_rerun)
from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.engine.changeset import ChangeSet, FileChange
from gitops_bot.engine.recipe import builtin_recipes

from .conftest import ROOT

RECIPE = builtin_recipes()["remove-service"]
PARAMS = {"service": "video-service"}


def body(changes: ChangeSet, folders=()) -> str:
    return render_body(RECIPE, PARAMS, changes, "acme/platform", "main", "a" * 40, "b" * 40, folders=folders)


def deleted(path: str, lines: int) -> FileChange:
    return FileChange(path, "deleted", "x\n" * lines, None, "source")


def test_the_title_is_a_conventional_commit():
    assert title(RECIPE, PARAMS) == "chore(gitops): remove video-service"


def snapshot_changes() -> ChangeSet:
    """One of each: a wholly deleted folder, a modified and an added file; a refused edit; a
    residue file with one entry, one with a few of one reason, one with an entry about the whole
    file and two reasons, and one with more than COLLAPSE_OVER entries."""
    return ChangeSet("remove-service", PARAMS, files=[
        deleted("services/video-service/main.go", 30), deleted("services/video-service/go.mod", 5),
        FileChange("go.work", "modified", "use (\n\t./a\n\t./services/video-service\n)\n", "use (\n\t./a\n)\n",
                   "gowork"),
        FileChange("docs/new.md", "added", None, "a\nb\n", "markdown"),
    ], residue=[
        Finding("docs/adr/0004.md", 15, "This affects video-service.", "prose"),
        Finding("docs/runbook.md", 6, "see video-service", "prose"),
        Finding("docs/runbook.md", 9, "video-service is down", "prose"),
        Finding("clients/video.go", 0, "(not deleted)",
                "named like video-service but inside clients, another component: kept", Kind.KEPT),
        Finding("clients/video.go", 3, "// calls video-service", "comment"),
        Finding("clients/video.go", 4, "type VideoClient struct {", "source code"),
        *[Finding("CHANGELOG.md", i, f"- {i}: video-service fix", "changelog") for i in range(1, 12)],
    ], refused=[Finding("scripts/ci.sh", 7, "video-service)", "the case pattern would become empty")])


SNAPSHOTS = ROOT / "tests" / "data" / "snapshots"


def test_the_body_snapshot():
    """Summary first; refused edits; the files, a wholly deleted folder as one row; the residue as
    one list of files (one entry: a line; a few: nested under the file, on its line their one
    reason; an entry about the whole file with its own reason) and a collapsed section for a file
    with many; the reproduce command; the re-run checkbox; the marker."""
    expected = (SNAPSHOTS / "pr_body.md").read_text(encoding="utf-8").replace("@VERSION@", __version__)
    assert body(snapshot_changes(), folders=["services/video-service"]) == expected
    assert COLLAPSE_OVER == 10


def test_untrusted_paths_stay_inert_in_every_form():
    changes = ChangeSet("remove-service", PARAMS, files=[deleted("a.txt", 1)], residue=[
        Finding("<img src=x onerror=alert(1)>.md", 1, "video", "prose"),
        *[Finding("<b>x</b>.md", i, "video", "prose") for i in range(1, 13)]])
    text = body(changes)
    assert "- [ ] [`<img src=x onerror=alert(1)>.md:1`](https://github.com/acme/platform/blob/bbbbbbbbbbbb/" in text
    assert all(text[i - 2:i] == "[`" for i in range(len(text)) if text.startswith("<img", i))
    assert "<details><summary><code>&lt;b&gt;x&lt;/b&gt;.md</code> (12)</summary>" in text
    assert "<b>" not in text.replace("[`<b>x</b>.md`]", "")


def test_a_huge_file_list_shows_counts_only_when_entries_do_not_fit():
    folder = "docs/a-folder-with-a-long-name"
    residue = [Finding(f"{folder}/page-{i // 40}.md", i % 40 + 1, "video-service " * 20, "prose")
               for i in range(30_000)]
    files = [FileChange(f"k8s/app-{i}.yaml", "modified", "a: 1\n", "a: 2\n", "yaml") for i in range(3_000)]
    text = body(ChangeSet("remove-service", PARAMS, files=files, residue=residue))
    assert len(text) < BODY_LIMIT and "<details>" not in text
    link = f"[`{folder}/page-0.md`](https://github.com/acme/platform/blob/bbbbbbbbbbbb/{folder}/page-0.md)"
    assert f"\n- {link} (40)\n" in text
    assert "\n… and 710 more files: run the command below\n" in text


def test_a_deleted_folder_is_one_row_and_the_summary_comes_first():
    changes = ChangeSet("remove-service", PARAMS, files=[
        deleted("services/video-service/main.go", 30), deleted("services/video-service/go.mod", 5),
        deleted("dashboards/video.json", 6)])
    text = body(changes, folders=["services/video-service"])
    assert text.startswith("`remove-service` run by gitops-bot on `main` at aaaaaaaaaaaa: 3 files (3 deleted) "
                           "(folders: `services/video-service/`)")
    assert "| `services/video-service/` | deleted folder (2 files, -35) |" in text
    assert "| `dashboards/video.json` | deleted (-6) |" in text and "main.go" not in text


def test_a_huge_report_stays_under_the_limit_with_what_a_reviewer_needs():
    residue = [Finding(f"docs/page-{i // 40}.md", i % 40 + 1, "video-service " * 20, "prose") for i in range(30_000)]
    files = [FileChange(f"k8s/app-{i}.yaml", "modified", "a: 1\n", "a: 2\n", "yaml") for i in range(3_000)]
    refused = [Finding(f"k8s/r-{i}.yaml", 1, "", "edit refused: layout") for i in range(500)]
    text = body(ChangeSet("remove-service", PARAMS, files=files, residue=residue, refused=refused))
    assert len(text) < BODY_LIMIT
    assert "gitops-bot plan remove-service service=video-service" in text  # reproduce
    assert read_marker(text)["recipe"] == "remove-service"
    assert "### Refused: finish these by hand" in text and "more: run the command below" in text
    assert "30000 entries in 750 files" in text
    assert text.rstrip().splitlines()[-3] == RERUN_BOX  # the checkbox survives the budget too


def test_the_rerun_checkbox_ticked_by_an_edit():
    text = body(snapshot_changes())
    ticked = text.replace("- [ ] <!-- gitops-bot:rerun -->", "- [x] <!-- gitops-bot:rerun -->")
    assert rerun_ticked(text) is False and rerun_ticked(ticked) is True and rerun_ticked("no box") is None
    assert rerun_requested(ticked, text)
    assert rerun_requested(ticked.replace("\n", "\r\n"), None)  # GitHub's editor writes CRLF; no `from`
    assert not rerun_requested(ticked, ticked)  # already ticked: another part of the body was edited
    assert not rerun_requested(text, ticked)  # unticked
    assert untick_rerun(ticked) == text and untick_rerun("no box") == "no box"


@pytest.mark.parametrize("line", [
    "`- [x] <!-- gitops-bot:rerun -->`",  # quoted from a file: a code span
    "  - [x] <!-- gitops-bot:rerun -->",  # not at the start of a line
    "- [x] <!-- gitops-bot:rerun-later -->",
])
def test_look_alikes_of_the_checkbox_are_not_it(line):
    assert rerun_ticked(f"text\n{line}\n") is None
