"""Markup that links to what a removal took away: menu entries and cards, removed whole.

Menu entries. A removal that deletes a component's web route (`/db` of emberstone-db on the
portal's host, domain/routes) leaves the menus of the pages still served there pointing at it.
The human who removed emberstone-db deleted those entries, one line each:

    <li><a href="./index.php">Home</a></li>
    <li><a href="/db/">Database</a></li>          <- goes
    <a href="/db/">Database</a>                   <- goes (the mobile menu)

An entry goes only where it is a menu entry by shape: the line holds one link element and nothing
else (an `<li>` around it at most), and the line above or below is another such entry, so the
menu keeps an item. Only markup files are edited (HTML and the page templates of PHP, Twig, Jinja
and the like): a line of code never is, whatever it holds.

Cards. A documentation site's page (Docusaurus MDX in `.md`) shows a grid of cards, each a
`<div className="...card...">` element on lines of its own holding a link to a page; when the
removal deletes the page, the card whose every link leads to a deleted page goes whole, and a
grid left without an element goes with it (data-on-eks's PostgreSQL page pointed two showcase
cards at the removed CloudNativePG blueprint).

A link inside a sentence, a button, a script or any other markup stays and is listed.
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


# An element's opening tag alone on its line (`<div className="showcase-card featured">`), its
# closing tag alone on its line; a line's div tags, to balance them.
_DIV_OPEN_LINE_RE = re.compile(r"^\s*<div\b(?P<attributes>[^<>]*[^/<>])?>\s*$")
_DIV_CLOSE_LINE_RE = re.compile(r"^\s*</div>\s*$")
_DIV_OPEN_RE = re.compile(r"<div\b[^<>]*?(?<!/)>")
_DIV_CLOSE_RE = re.compile(r"</div>")
_CARD_CLASS_RE = re.compile(r"""\bclass(?:Name)?\s*=\s*["'][^"']*\bcard\b""")
_LINKS_RE = re.compile(r"""\bhref\s*=|\]\(""")


def _depth_change(line: str) -> int:
    return len(_DIV_OPEN_RE.findall(line)) - len(_DIV_CLOSE_RE.findall(line))


def _enclosing_div(lines: list[str], n: int) -> int | None:
    """The line opening the innermost div element around line n (on a line of its own), or None."""
    depth = 0
    for k in range(n - 1, -1, -1):
        depth += _depth_change(lines[k])
        if depth > 0:
            return k if _DIV_OPEN_LINE_RE.match(lines[k]) else None
    return None


def _closing_line(lines: list[str], start: int) -> int | None:
    """The line closing the div element opened on line `start` (alone on its line), or None."""
    depth = 0
    for k in range(start, len(lines)):
        depth += _depth_change(lines[k])
        if depth == 0:
            return k if k > start and _DIV_CLOSE_LINE_RE.match(lines[k]) else None
    return None


def _card_around(lines: list[str], n: int) -> tuple[int, int] | None:
    """The first and last line of the card element (a div whose class names `card`) around line n."""
    k = n
    while (start := _enclosing_div(lines, k)) is not None:
        if _CARD_CLASS_RE.search(lines[start]):
            end = _closing_line(lines, start)
            return (start, end) if end is not None else None
        k = start
    return None


_FENCE_RE = re.compile(r"^\s*(```|~~~)")


def _fenced(lines: list[str]) -> list[bool]:
    """For each line, whether it is a code fence line or inside a fence."""
    flags, inside = [], False
    for line in lines:
        fence = bool(_FENCE_RE.match(line))
        flags.append(inside or fence)
        inside = inside != fence
    return flags


def dead_cards(lines: list[str], dead: list[int]) -> list[tuple[int, int]]:
    """The line spans (first, last, 0-based) of the card elements to remove: the cards around the
    lines `dead` (links to deleted pages) whose every link is one of those lines, outside code
    fences; where such cards leave their parent element without another element, the parent
    instead (one level)."""
    dead_set, fenced = set(dead), _fenced(lines)
    cards: list[tuple[int, int]] = []
    for n in dead:
        card = _card_around(lines, n) if not fenced[n] else None
        if card is None or card in cards:
            continue
        links = [k for k in range(card[0], card[1] + 1) if _LINKS_RE.search(lines[k])]
        if links and all(k in dead_set for k in links):
            cards.append(card)
    return _with_emptied_parents(lines, cards)


def _with_emptied_parents(lines: list[str], cards: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`cards`, where all of a parent element's children are among them, replaced by the parent."""
    spans: list[tuple[int, int]] = []
    for card in cards:
        start = _enclosing_div(lines, card[0])
        end = _closing_line(lines, start) if start is not None else None
        if start is None or end is None:
            spans.append(card)
            continue
        inside = [k for k in range(start + 1, end) if lines[k].strip()]
        covered = {k for a, b in cards for k in range(a, b + 1)}
        span = (start, end) if all(k in covered for k in inside) else card
        if span not in spans:
            spans.append(span)
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` without the lines of `spans` (0-based, inclusive) and one blank line that each span
    leaves doubled (the blank line after it when the line before it is blank too)."""
    kept = text.splitlines(keepends=True)
    drop: set[int] = set()
    for first, last in spans:
        drop.update(range(first, last + 1))
        after, before = last + 1, first - 1
        if after < len(kept) and not kept[after].strip() and (before < 0 or not kept[before].strip()
                                                               or before in drop):
            drop.add(after)
    return "".join(line for n, line in enumerate(kept) if n not in drop)
