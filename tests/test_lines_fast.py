"""`Lines` is built with C-speed primitives; these tests pin it to the per-character loop it
replaced (kept here as the reference), on arbitrary text with every kind of line ending."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_bot.text.splice import Lines, line_starts


class ReferenceLines(Lines):
    """The Lines of before the rewrite: a Python loop over every character."""

    def __init__(self, text: str, comment: str | tuple[str, ...] = "#") -> None:  # noqa: D107
        self.text = text
        self.comment = comment
        self.starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)
        if self.starts[-1] == len(text) and len(self.starts) > 1:
            self.starts.pop()


# Line endings of every platform, comment prefixes of every editor, blanks and tabs.
PIECES = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "#", "//", "<!--", "{{/*", " ", "\t", "a", "key: v",
                          "é", "\u2028", "\x0c", "-", "|"])
TEXTS = st.one_of(st.text(max_size=120), st.lists(PIECES, max_size=40).map("".join))
COMMENTS = st.sampled_from(["#", "//", "<!--", ("#", "//"), ("{{/*", "{{- /*")])


def observe(lines: Lines) -> list:
    """Everything a Lines answers, for every line (and one past the end)."""
    n = len(lines)
    out = [n, lines.starts]
    for i in range(n + 1):
        out.append((lines.start(i), lines.end(i), lines.line(i), lines.indent(i), lines.is_blank(i),
                    lines.is_comment(i)))
    for offset in range(len(lines.text) + 1):
        out.append(lines.line_of(offset))
    if n:
        out.append(lines.span(0, n - 1))
    return out


@settings(max_examples=400)
@given(TEXTS, COMMENTS)
def test_lines_equals_the_reference(text, comment):
    assert observe(Lines(text, comment)) == observe(ReferenceLines(text, comment))


def test_line_starts_edges():
    assert line_starts("") == [0]
    assert line_starts("\n") == [0]
    assert line_starts("a\n") == [0]
    assert line_starts("a\nb") == [0, 2]
    assert line_starts("\n\n") == [0, 1]
    assert line_starts("a\r\nb\r\n") == [0, 3]
    assert line_starts("a\rb\u2028c") == [0]  # only \n ends a line


def test_lines_equals_the_reference_on_every_example_file():
    from .conftest import EXAMPLE, ROOT

    for root in (EXAMPLE, ROOT / "tests" / "fixtures"):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            assert Lines(text).starts == ReferenceLines(text).starts, path
