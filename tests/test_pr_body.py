"""The pull-request body at scale: residue grouped by file in collapsed sections, a wholly
deleted folder as one row, a summary first, and a body that stays under GitHub's limit by
listing less, never by cutting the reproduce command or the marker."""

from __future__ import annotations

from gitops_bot.delivery.pr import BODY_LIMIT, read_marker, render_body, title
from gitops_bot.domain.findings import Finding
from gitops_bot.engine.changeset import ChangeSet, FileChange
from gitops_bot.engine.recipe import builtin_recipes

RECIPE = builtin_recipes()["remove-service"]
PARAMS = {"service": "video-service"}


def body(changes: ChangeSet, folders=()) -> str:
    return render_body(RECIPE, PARAMS, changes, "acme/platform", "main", "a" * 40, "b" * 40, folders=folders)


def deleted(path: str, lines: int) -> FileChange:
    return FileChange(path, "deleted", "x\n" * lines, None, "source")


def test_the_title_is_a_conventional_commit():
    assert title(RECIPE, PARAMS) == "chore(gitops): remove video-service"


def test_residue_is_grouped_by_file_in_collapsed_sections():
    changes = ChangeSet("remove-service", PARAMS, files=[deleted("a.txt", 1)], residue=[
        Finding("docs/runbook.md", 6, "see video-service", "prose"),
        Finding("docs/runbook.md", 9, "video-service is down", "prose"),
        Finding("<img src=x onerror=alert(1)>.md", 1, "video", "prose")])
    text = body(changes)
    assert "3 entries in 2 files still name what the recipe changed" in text
    assert ("<details><summary><code>docs/runbook.md</code> (2)</summary>\n\n"
            "[`docs/runbook.md`](https://github.com/acme/platform/blob/bbbbbbbbbbbb/docs/runbook.md)\n\n"
            "prose:\n- [ ] L6 `see video-service`\n- [ ] L9 `video-service is down`\n\n</details>") in text
    # a file with one entry is one checklist line; what it quotes stays in code spans
    assert "- [ ] [`<img src=x onerror=alert(1)>.md:1`](https://github.com/acme/platform/blob/bbbbbbbbbbbb/" in text
    assert all(text[i - 2:i] == "[`" for i in range(len(text)) if text.startswith("<img", i))


def test_a_deleted_folder_is_one_row_and_the_summary_comes_first():
    changes = ChangeSet("remove-service", PARAMS, files=[
        deleted("services/video-service/main.go", 30), deleted("services/video-service/go.mod", 5),
        deleted("dashboards/video.json", 6)])
    text = body(changes, folders=["services/video-service"])
    assert text.startswith("`remove-service` run by gitops-bot on `main` at aaaaaaaaaaaa: 3 files (3 deleted) "
                           "(folders: `services/video-service/`)")
    assert "| `services/video-service/` | deleted (2 files) | 0 | 35 | folder |" in text
    assert "| `dashboards/video.json` | deleted | 0 | 6 | source |" in text and "main.go" not in text


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
