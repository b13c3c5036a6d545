"""Untrusted text shown in Markdown (PR bodies, replies, job summaries): as inert code."""

from __future__ import annotations

import re


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
