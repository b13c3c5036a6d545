"""Markdown text: untrusted text shown as inert code (PR bodies, replies, job summaries), and the
syntax the Markdown editors share (a table's delimiter row)."""

from __future__ import annotations

import re

# A table's delimiter row: `|---|:--:|`, or with single dashes when the pipes frame it
# (`| - | - |`, which GitHub renders too).
TABLE_DELIMITER_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$|^\s*\|(\s*:?-+:?\s*\|)+\s*$")


def code(text: object, table: bool = False) -> str:
    """`text` as one inline code span, the way to show untrusted text in Markdown: inside it,
    links, images, HTML, emphasis, autolinks, #references and @mentions are plain text. The
    fence is one backtick longer than any run of backticks in the text, so nothing in it can
    close the span early; line breaks become spaces. In a table cell (`table`), `|` is escaped,
    which GitHub's table parser needs even inside code."""
    text = " ".join(str(text).splitlines()) or " "
    if table:
        text = text.replace("|", "\\|")
    fence = fence_for(text, 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fence_for(text: str, shortest: int) -> str:
    """Backticks one longer than any run of them in `text` (at least `shortest`): a fence the
    text cannot close."""
    return "`" * max(shortest, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
