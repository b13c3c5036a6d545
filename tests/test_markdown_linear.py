"""The Markdown editor's table walk is one forward pass: it must answer exactly what the old
walk back from every row answered (kept here as the reference), and a 2,000-row table must be
edited like a short one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_bot.edit import markdown
from gitops_bot.text.splice import Lines

from .conftest import EXAMPLE, ROOT
from .editors import ctx


def reference_after_separator(lines: Lines, n: int) -> bool:
    """The walk of before the rewrite: back from row n while lines are rows, to a separator."""
    m = n - 1
    while m >= 0 and markdown._ROW_RE.match(lines.line(m)):
        if markdown.TABLE_DELIMITER_RE.match(lines.line(m)):
            return True
        m -= 1
    return False


def assert_same_flags(text: str) -> None:
    lines = Lines(text, comment="<!--")
    assert markdown._after_separator(lines) == [reference_after_separator(lines, n) for n in range(len(lines))]


# Rows, separators with and without outer pipes, a bare `---`, fences, blanks, list items.
LINES = st.sampled_from(["| a | b |", "|---|---|", "| :-- | --: |", "---|---", "---", "| video-service | x |",
                         "```", "~~~", "", "  ", "- **video-service**: y", "text", "|x|", "| only |\r",
                         "  | indented | row |  "])


@settings(max_examples=300)
@given(st.lists(LINES, max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_flags_equal_the_reference(lines, newline):
    assert_same_flags(newline.join(lines) + newline)


def test_flags_equal_the_reference_on_every_markdown_file():
    for root in (EXAMPLE, ROOT / "tests"):
        for path in sorted(root.rglob("*.md")):
            assert_same_flags(path.read_text(encoding="utf-8"))


def test_a_2000_row_table_loses_exactly_the_service_row():
    rows = [f"| svc{i:04d}-service | team {i} |\n" for i in range(2000)]
    rows[1000] = "| video-service | team video |\n"
    header = "# Services\n\n| Service | Owner |\n|---|---|\n"
    text = header + "".join(rows) + "\nEnd.\n"
    expected = header + "".join(rows[:1000] + rows[1001:]) + "\nEnd.\n"
    result = markdown.remove(text, ctx())
    assert result.text == expected and not result.refused
    assert markdown.verify(text) is None and markdown.verify(result.text) is None


def test_a_row_in_a_second_table_without_separator_stays():
    text = "| a | b |\n|---|---|\n| x | y |\n\n| video-service | 1 |\n| other | 2 |\n"
    assert markdown.remove(text, ctx()).text == text
