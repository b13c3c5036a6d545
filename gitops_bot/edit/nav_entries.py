"""Navigation entries of HTML pages and page templates that link to a path nothing serves now.

A removal that deletes a component's web route (`/db` of emberstone-db on the portal's host,
domain/routes) leaves the menus of the pages still served there pointing at it. The human who
removed emberstone-db deleted those entries, one line each:

    <li><a href="./index.php">Home</a></li>
    <li><a href="/db/">Database</a></li>          <- goes
    <a href="/db/">Database</a>                   <- goes (the mobile menu)

An entry goes only where it is a menu entry by shape: the line holds one link element and nothing
else (an `<li>` around it at most), and the line above or below is another such entry, so the
menu keeps an item. A link inside a sentence, a button, a script or any other markup stays and is
listed. Only markup files are edited (HTML and the page templates of PHP, Twig, Jinja and the
like): a line of code never is, whatever it holds.
"""

from __future__ import annotations

import posixpath
import re

MARKUP_SUFFIXES = frozenset({".html", ".htm", ".php", ".phtml", ".twig", ".j2", ".jinja", ".jinja2", ".njk",
                             ".hbs", ".handlebars", ".mustache", ".erb", ".tmpl", ".gohtml", ".liquid"})

# One link element alone on its line, optionally inside one list item; its text holds no `</a>`.
_ENTRY_RE = re.compile(r"^\s*(?:<li\b[^<>]*>\s*)?<a\b(?P<attributes>[^<>]*)>(?:(?!</a>).)*</a>\s*(?:</li>\s*)?$",
                       re.IGNORECASE)


def is_markup(path: str) -> bool:
    """Whether `path` is a page or page template whose menu lines this module may remove."""
    return posixpath.splitext(path)[1].lower() in MARKUP_SUFFIXES


def dead_entries(lines: list[str], dead: list[int]) -> list[int]:
    """Of the 0-based line numbers `dead` (lines linking to a path nothing serves), those that are
    menu entries: one link element alone on the line, next to another entry that stays."""
    dead_set = set(dead)

    def entry(k: int) -> bool:
        return 0 <= k < len(lines) and bool(_ENTRY_RE.match(lines[k]))

    def neighbour_stays(n: int, step: int) -> bool:
        k = n + step
        while k in dead_set and entry(k):
            k += step  # a run of dead entries: the menu item beyond it is the sibling
        return entry(k)

    return [n for n in dead if entry(n) and (neighbour_stays(n, -1) or neighbour_stays(n, 1))]


def without_lines(text: str, numbers: list[int]) -> str:
    """`text` without the 0-based lines `numbers` (each with its line break)."""
    drop = set(numbers)
    return "".join(line for n, line in enumerate(text.splitlines(keepends=True)) if n not in drop)
