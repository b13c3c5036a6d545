"""Markdown: what a careful human removes with a service, and nothing else.

- terraform-docs rows of the variables, outputs and modules the run removed from the module the
  page documents (`RemovalContext.undeclared`);
- table rows and list items whose leading term names the service (a task-list item `- [x] video`
  too), each list item with the lines and nested items indented under it;
- HTML table rows (`<tr>` ... `</tr>` on lines of their own) whose first cell with text names it;
- a heading section (`# video-service` down to the next heading of the same or a higher level)
  whose heading is the service's name; a section that would be the whole document is refused.

- a shell code block whose every command acts on a path into the service or one the run deleted,
  with the paragraph introducing it when that names the service and ends with `:` (an install
  command for the removed component);
- a one-cell table row that is only the service's image (`| [![][video-demo]][video-demo] |`),
  with the caption row under it when that names the service, and the link reference
  definitions (`[video-demo]: https://...`) that only removed text used;
- a Mermaid diagram line that only declares the service's node (`video[Video]`), unless another
  line of the diagram uses the node;
- the service's item in a prose enumeration of three or more names joined by commas alone
  (`Common applications: Gitea, Seafile, Jellyfin...`; `Debugger` of `cloud-debugger` in `Cloud
  Monitoring, Tracing, Debugger, Profiler`, whose first item carries the vendor word for all),
  with the comma that joins it, when every item is a name (capitalised, in backticks, or a
  known component); never in a changelog (a record of the past), never in a list that an
  `and`/`or` ends (the grammar would change);
- a step of a pseudo-code outline (a code fence without a language, or `text`, nested by
  indentation) that names the service and ends with `:` (`create MetalLB config:`), with the lines
  indented under it; a condition (`if ...:`, `else:`) stays, since its branches belong together,
  and so does a drawn tree (`├── video/`);
- an argument line naming the service in a `\\`-continued command of a shell (or untagged) code
  block (`    clouddebugger.googleapis.com \\` of `gcloud services enable ...`), while another
  argument line of that command stays;
- a command of such a block that repeats another of it for the service (the same words but
  where it names the service: `gcloud projects add-iam-policy-binding ... --role
  roles/clouddebugger.agent` beside the same command granting `roles/cloudtrace.agent`), with a
  blank line that separated it;
- links to deleted paths and documented commands into a deleted versioned folder
  (markdown_paths: a list item led by such a link goes, another link becomes plain text, a command's path
  is re-pointed to the version that stays);
- the service as one of a heading's alternatives joined by `/` (`#### KServe / KFServing`), when
  no link of the page uses the heading's anchor;
- a relation clause or short trailing sentence about the service in a line of prose (`... engine
  and intended replacement for icloudpd`, `... endpoint. Used in conjunction with volsync.`; see
  edit/prose.py); never in a changelog.

A row or item about a variable named like the service that a `.env` file still sets once the run
edited it (`LLM_MODEL`, another component's setting: `RemovalContext.kept_variables`) is refused.

Other prose stays (the residue report lists it). Code inside fences is edited only as above.
Verify: every table keeps a consistent number of columns.
"""

from __future__ import annotations

import functools
import posixpath
import re

from gitops_bot.domain.names import ServiceName, without_vendor, words
from gitops_bot.edit import markdown_paths, prose
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, finish
from gitops_bot.edit.blocks import tidy_blank_lines
from gitops_bot.edit.shell import STATEFUL
from gitops_bot.text.markdown import TABLE_DELIMITER_RE
from gitops_bot.text.splice import Cut, Lines, Span, merge_cuts, splice

KIND = "markdown"
CHECK = "table column counts consistent"

_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_ITEM_RE = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_FENCE_LANG_RE = re.compile(r"^\s*(?:```|~~~)\s*([\w-]*)\s*$")  # a language word alone, or nothing
_SHELL_FENCES = frozenset({"", "sh", "bash", "shell", "console", "zsh"})
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)(\s+#+)?\s*$")
_TASK_RE = re.compile(r"^\[[ xX]\]\s+")
_TAG_RE = re.compile(r"<[^>]*>")
_ANCHOR_RE = re.compile(r"^<a\s+name=\"[^\"]*\"\s*>\s*</a>")
_PATH_CELL_RE = re.compile(r"^`?[\w.-]*(/[\w.-]+)+/?`?$")  # `./modules/x`, apps/x/upstream
_CELL_RE = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.IGNORECASE)
_TFDOCS_ANCHOR_RE = re.compile(r'^\s*\|\s*<a name="((?:input|output|module)_[\w-]+)"></a>')
# The parts of an image or link: `![alt]`, `[label]`, `(address)`.
_MEDIA_PART_RE = re.compile(r"!?\[([^\[\]]*)\]|\(([^()\s]*)\)")
_DEFINITION_RE = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*\S+")
# A Mermaid line that only declares a node: `id`, `id[Label]`, `id(Label)`, `id([Label])`.
_NODE_RE = re.compile(r"^\s*([A-Za-z][\w-]*)\s*(?:\[\(?([^\]()]*)\)?\]|\(\[?([^\])]*)\]?\))?\s*;?\s*$")
_MERMAID_WORDS = frozenset({"end", "subgraph", "graph", "flowchart", "direction", "style", "classdef", "class",
                            "click", "linkstyle", "td", "tb", "lr", "rl", "bt"})
# Three or more items joined by `, ` alone: each a word, capitalised words after it, or code;
# the last one ends the sentence, a parenthesis or the list (`LiveKit (video rooms)` is more
# than a name: no enumeration of names).
_ENUM_ITEM = r"(?:`[^`]+`|[A-Za-z0-9][\w.+-]*(?: [A-Z0-9][\w.+-]*){0,3})"
_ENUMERATION_RE = re.compile(rf"(?<![\w`.+-]){_ENUM_ITEM}(?:, {_ENUM_ITEM}){{2,}}(?=\s*$|\.|[;:)\]]|,(?! ?[\w`]))")
_ENUM_ITEM_RE = re.compile(_ENUM_ITEM)
# A record of the past: its lines say what was, never what is.
_CHANGELOG_RE = re.compile(r"change[-_]?log|history|release[-_]?notes", re.IGNORECASE)
_MAX_HTML_ROW = 20  # lines; a longer `<tr>` block is not a row of a simple table


def _term(text: str) -> str:
    """The leading term of a list item or a cell: `**video-service**: ...` -> video-service; an
    empty HTML anchor before it and Markdown escapes in it are dropped (terraform-docs writes
    `<a name="module_video_service"></a> [video\\_service](#module\\_video\\_service)`)."""
    text = _ANCHOR_RE.sub("", _TASK_RE.sub("", text.strip())).strip()
    text = text.replace("\\_", "_")
    m = re.match(r"^\[([^\]]+)\]\([^)]*\)", text)
    if m:
        text = m.group(1)
    text = re.split(r"[:(–—]| - ", text, maxsplit=1)[0]
    return text.strip().strip("*_`").strip()


def _is_service(term: str, name: ServiceName) -> bool:
    """The term is the service: one of its own identifiers, or its name written as prose spells
    it (`MetalLB`, `KFServing`, `Video Service`), compared without case and separators."""
    if name.owns(term):
        return True
    return bool(term) and re.sub(r"[-_ ]", "", term).lower() in {"".join(name.tokens), "".join(name.short)}


def _row_is_service(cells: list[str], name: ServiceName) -> bool:
    """A table row about the service: its first cell's term is the service, or a cell is only a
    path into the service (terraform-docs' Source column, `./modules/video-service`)."""
    if _is_service(_term(cells[0]), name):
        return True
    return any(_PATH_CELL_RE.match(c) and name.in_path(c.strip("`")) for c in cells[1:])


def _undeclared_row(row: str, undeclared: frozenset[str]) -> bool:
    """A terraform-docs row (`| <a name="input_x"></a> [x](#input\\_x) | ...`) of a variable,
    output or module the run removed from the module the page documents."""
    m = _TFDOCS_ANCHOR_RE.match(row)
    return bool(m and m.group(1) in undeclared)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def claims(path: str, text: str) -> bool:
    """`*.md` and `*.markdown`."""
    return posixpath.splitext(path)[1].lower() in (".md", ".markdown")


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's table rows, list items, HTML table rows and heading section."""
    name = ctx.name
    lines = Lines(text, comment="<!--")
    after_separator = _after_separator(lines)
    fenced = _fenced(lines)
    refused: list[Refusal] = []
    cuts = _section_cuts(lines, fenced, name, refused) + _html_row_cuts(lines, fenced, name)
    cuts += _command_block_cuts(lines, ctx) + _diagram_node_cuts(lines, name) + _outline_step_cuts(lines, name)
    cuts += _argument_line_cuts(lines, name)
    cuts += [c for c in _output_row_cuts(lines, name, ctx.peers) if not any(c.span.overlaps(k.span) for k in cuts)]
    for n in range(len(lines)):
        if fenced[n]:
            continue
        line = lines.line(n)
        if _ROW_RE.match(line) and not TABLE_DELIMITER_RE.match(line):
            if n > 0 and TABLE_DELIMITER_RE.match(lines.line(n - 1)) or after_separator[n]:
                if _kept_variable(_term(_cells(line)[0]), ctx, n, refused):
                    continue
                if _row_is_service(_cells(line), name) or _undeclared_row(line, ctx.undeclared):
                    cuts.append(Cut(lines.span(n, n)))
                elif _media_row_is_service(line, name):
                    last = n + 1 if _caption_of(lines, n, name) else n
                    cuts.append(Cut(lines.span(n, last)))
            continue
        item = _ITEM_RE.match(line)
        term = _term(item.group(3)) if item else ""
        if item and _is_service(term, name) and not _kept_variable(term, ctx, n, refused):
            cuts.append(Cut(lines.span(n, _item_end(lines, n, len(item.group(1))))))
    if not _CHANGELOG_RE.search(posixpath.basename(ctx.path)):
        cuts += _enumeration_cuts(lines, fenced, name, cuts, ctx.peers)
        cuts += _link_enumeration_cuts(lines, fenced, name, cuts)
        cuts += _prose_cuts(lines, fenced, name, cuts) + _heading_alternative_cuts(lines, fenced, name, cuts)
    cuts += _unused_definition_cuts(lines, fenced, cuts)
    path_cuts, notes = _path_cuts(lines, fenced, ctx, cuts)
    result = finish(text, lines, cuts + path_cuts, refused, lambda new: still_valid(text, new))
    if result.text != text:
        result.notes.extend(notes)
    return result


def _path_cuts(lines: Lines, fenced: list[bool], ctx: RemovalContext,
               cuts: list[Cut]) -> tuple[list[Cut], list[tuple[int, str]]]:
    """The cuts of the links to deleted paths and the re-pointed commands (markdown_paths), less
    those on lines another cut already edits, with the notes of those made; none in a changelog
    (a record of the past: its links said what was)."""
    if _CHANGELOG_RE.search(posixpath.basename(ctx.path)):
        return [], []
    shell = [range(first + 1, end) for first, end, lang in fences(lines) if lang in _SHELL_FENCES]
    links, link_notes = markdown_paths.link_cuts(lines, fenced, ctx)
    commands, command_notes = markdown_paths.repoint_cuts(lines, shell, ctx)
    taken = [c.span for c in cuts]
    kept = [c for c in links + commands if not any(s.start < c.span.end and c.span.start < s.end for s in taken)]
    edited = {lines.line_of(c.span.start) + 1 for c in kept if c.replacement}
    return kept, [note for note in link_notes + command_notes if note[0] in edited]


def _kept_variable(term: str, ctx: RemovalContext, n: int, refused: list[Refusal]) -> bool:
    """True (and refused) when the term of the row or item on line n is a variable named like the
    component that a `.env` file still sets (`LLM_MODEL`, kept there as another component's
    setting): its documentation stays while the setting does."""
    if term not in ctx.kept_variables:
        return False
    refused.append(Refusal(n + 1, f"documents {term}, which a .env file still sets for another component: "
                                  "check whether it still applies"))
    return True


# A top-level line of a configuration sample: `enable_x = true`, `xCollector = {`, `key: value`.
_SETTING_LINE_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*(?:=(?!=)|:(?!:))")
_CLOSER_RE = re.compile(r"^[}\])]+,?$")


def documents_only(path: str, text: str, removed: frozenset[str]) -> bool:
    """Whether a documentation page is only about settings the run removed: named after one of
    them (`aws-open-telemetry.md` for `enable_aws_open_telemetry`), with code samples, each of
    which sets only removed settings at its top level (`enable_aws_open_telemetry = true`;
    `awsOtelCollector = { ... }`). Such a page documents how to turn on what no longer exists."""
    stem = "".join(words(posixpath.basename(path).split(".", 1)[0]))
    if len(stem) < 5 or _CHANGELOG_RE.search(path) or not any(stem in "".join(words(r)) for r in removed):
        return False
    lines = Lines(text)
    blocks = fences(lines)
    if not blocks:
        return False
    for first, end, _ in blocks:
        body = [lines.line(k) for k in range(first + 1, end) if lines.line(k).strip()]
        indent = min((len(b) - len(b.lstrip()) for b in body), default=0)
        top = [b.strip() for b in body if len(b) - len(b.lstrip()) == indent and not _CLOSER_RE.match(b.strip())]
        if not top or not all((m := _SETTING_LINE_RE.match(t)) and m.group(1) in removed for t in top):
            return False
    return True


def _enumeration_cuts(lines: Lines, fenced: list[bool], name: ServiceName, cuts: list[Cut],
                      peers: frozenset[str] = frozenset()) -> list[Cut]:
    """Cut the service's item, with its comma, from the comma-joined enumerations of names on
    lines no other cut touches (enumeration_span)."""
    taken = [c.span for c in cuts]
    found = []
    for n in range(len(lines)):
        line = lines.line(n)
        if fenced[n] or _ROW_RE.match(line) or _HEADING_RE.match(line):
            continue
        start, end = lines.start(n), lines.start(n) + len(line)
        if any(Span(start, end).overlaps(s) for s in taken):
            continue
        span = enumeration_span(line, name, peers)
        if span:
            found.append(Cut(Span(start + span[0], start + span[1])))
    return found


def enumeration_span(line: str, name: ServiceName, peers: frozenset[str] = frozenset()) -> tuple[int, int] | None:
    """The span of a line (prose, or a comment's text) that is the service's item, with its
    comma, in a comma-joined enumeration of names (names: capitalised, in backticks, known
    components or `peers`; `Gitea, Seafile, Jellyfin` -> `Gitea,
    Jellyfin`; `for Cloud Monitoring, Tracing, Debugger, Profiler:` -> `for Cloud Monitoring,
    Tracing, Profiler:` for cloud-debugger), or None."""
    # A name that starts with a vendor word (`cloud-debugger`) is also its item `Debugger` in a
    # list whose first item has that vendor word (`Cloud Monitoring, Tracing, Debugger`): the
    # vendor qualifies every item.
    rest = words(without_vendor(name.raw) or "")
    vendor = name.tokens[:len(name.tokens) - len(rest)] if rest else ()
    squashed = re.sub(r"[-_ ]", "", line.lower())
    if "".join(name.tokens) not in squashed and not (rest and "".join(rest) in squashed):
        return None
    for m in _ENUMERATION_RE.finditer(line):
        # a full stop after the last item ends the sentence: it is not the item's
        items = [(i.start(), i.start() + len(t), t) for i in _ENUM_ITEM_RE.finditer(line, m.start(), m.end())
                 for t in [i.group().rstrip(".") or i.group()]]
        items[0] = _without_lead_in(*items[0])
        if not all(_is_name_item(i[2], name) or i[2].strip("`") in peers for i in items):
            continue
        doomed = [k for k, i in enumerate(items) if _is_service(i[2].strip("`"), name)
                  or rest and k and words(i[2]) == rest and words(items[0][2])[:len(vendor)] == vendor]
        if len(doomed) != 1:
            continue
        k = doomed[0]
        if k + 1 < len(items):  # with the comma and space after it
            return items[k][0], items[k + 1][0]
        return items[k - 1][1], items[k][1]  # the last one, with the comma before it
    return None


# An enumeration of three or more Markdown links, the last after `and` or `or` perhaps:
# `[flux](https://...), [spegel](https://...), and [openebs](https://...)`.
_LINK = r"\[[^\[\]]+\]\([^()\s]+\)"
_LINK_RE = re.compile(_LINK)
_LINK_ENUMERATION_RE = re.compile(rf"{_LINK}(?:, {_LINK})+(?:,? (?:and|or) {_LINK})?")
# Words that introduce examples (`check out projects like [rook-ceph](...), [openebs](...)`):
# a suggestion to readers keeps a removed component, which is still a project one may choose.
_EXAMPLES_RE = re.compile(r"\b(?:like|such as|e\.g\.|for example|alternatives?|check out)\b", re.IGNORECASE)


def _link_enumeration_cuts(lines: Lines, fenced: list[bool], name: ServiceName, cuts: list[Cut]) -> list[Cut]:
    """Cut the service's link from the enumerations of links on lines no other cut touches
    (`Components: [flux](...), [reloader](...), and [openebs](...).` -> `... [flux](...), and
    [reloader](...).`), the conjunction moved to the new last item; an enumeration of examples
    (`projects like ...`) stays."""
    found = []
    for _n, start, line in _free_lines(lines, fenced, name, cuts):
        if _ROW_RE.match(line) or _HEADING_RE.match(line):
            continue
        for m in _LINK_ENUMERATION_RE.finditer(line):
            rebuilt = _without_link(m.group(), name)
            sentence = re.split(r"[.!?:]\s", line[:m.start()])[-1]
            if rebuilt is not None and not _EXAMPLES_RE.search(sentence):
                found.append(Cut(Span(start + m.start(), start + m.end()), rebuilt))
    return found


def _without_link(enumeration: str, name: ServiceName) -> str | None:
    """The enumeration written again without the service's one link (`A, B, and C` less C is
    `A, and B`; of three, `A and B`), or None when no link or more than one is the service's."""
    links = _LINK_RE.findall(enumeration)
    doomed = [k for k, link in enumerate(links) if _is_service(link[1:link.index("]")], name)]
    if len(links) < 3 or len(doomed) != 1:
        return None
    conjunction = re.search(r",? (and|or) (?=\[[^\[\]]+\]\([^()\s]+\)$)", enumeration)
    rest = links[:doomed[0]] + links[doomed[0] + 1:]
    if conjunction is None:
        return ", ".join(rest)
    if len(rest) == 2:
        return f"{rest[0]} {conjunction.group(1)} {rest[1]}"
    return ", ".join(rest[:-1]) + conjunction.group() + rest[-1]


def _without_lead_in(start: int, end: int, item: str) -> tuple[int, int, str]:
    """An enumeration's first item without the lower-case words that lead into the list (`for
    Cloud Monitoring` -> `Cloud Monitoring`), when capitalised words follow them."""
    m = re.match(r"(?:[a-z]+ )+(?=[A-Z0-9])", item)
    return (start + m.end(), end, item[m.end():]) if m else (start, end, item)


def _free_lines(lines: Lines, fenced: list[bool], name: ServiceName, cuts: list[Cut]):
    """(line number, its start offset, its text) of the lines outside code fences that spell the
    service's name and that no cut touches."""
    taken = [c.span for c in cuts]
    for n in range(len(lines)):
        line = lines.line(n)
        if fenced[n] or "".join(name.tokens) not in re.sub(r"[-_ ]", "", line.lower()):
            continue
        start, end = lines.start(n), lines.start(n) + len(line)
        if not any(s.start < end and start < s.end for s in taken):
            yield n, start, line


def _prose_cuts(lines: Lines, fenced: list[bool], name: ServiceName, cuts: list[Cut]) -> list[Cut]:
    """Cut the relation clauses and short trailing sentences about the service from lines of
    prose (edit/prose.py: `... engine and intended replacement for icloudpd` -> `... engine`)."""
    found = []
    is_service = functools.partial(_is_service, name=name)
    for n, start, line in _free_lines(lines, fenced, name, cuts):
        if _ROW_RE.match(line) or _HEADING_RE.match(line):
            continue
        spans = prose.clause_spans(line, is_service) + prose.trailing_sentence_spans(line, is_service)
        found += [Cut(Span(start + a, start + b)) for a, b in spans]
    return found


def _heading_alternative_cuts(lines: Lines, fenced: list[bool], name: ServiceName, cuts: list[Cut]) -> list[Cut]:
    """Cut the service from a heading that names alternatives joined by `/` (`#### KServe /
    KFServing` -> `#### KServe`), with its separator, when every alternative is a name and no
    link of the page uses the heading's anchor (it would change)."""
    found = []
    for n, start, line in _free_lines(lines, fenced, name, cuts):
        m = _HEADING_RE.match(line)
        if not m:
            continue
        title, offset = m.group(2), m.start(2)
        items = [(i.start(1), i.end(1)) for i in re.finditer(r"\s*([^/\s](?:[^/]*[^/\s])?)\s*", title)]
        texts = [title[a:b] for a, b in items]
        doomed = [k for k, t in enumerate(texts) if _is_service(t.strip("`*_"), name)]
        if len(items) < 2 or len(doomed) != 1 or title.count("/") != len(items) - 1 \
                or not all(_ENUM_ITEM_RE.fullmatch(t) and _is_name_item(t, name) for t in texts):
            continue
        if "#" + _anchor(title) in lines.text:
            continue
        k = doomed[0]
        # from the end of the alternative before it (or its own start) to its end (or the next one's start)
        a, b = (items[k - 1][1], items[k][1]) if k else (items[0][0], items[1][0])
        found.append(Cut(Span(start + offset + a, start + offset + b)))
    return found


def _anchor(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _is_name_item(item: str, name: ServiceName) -> bool:
    """An enumeration's item that is a name: capitalised (`Node-RED`, `Z-Wave JS UI`), in
    backticks, or a component the repository knows."""
    return item[:1].isupper() or item[:1].isdigit() or item.startswith("`") or _is_service(item, name) \
        or words(item) in name.known


def _media_row_is_service(row: str, name: ServiceName) -> bool:
    """A one-cell row that is only an image or link (`| [![][video-demo]][video-demo] |`) whose
    reference label, alt text or address names the service."""
    cells = _cells(row)
    if len(cells) != 1 or not cells[0]:
        return False
    rest, parts = cells[0], []
    while True:  # innermost first: `[![][video-demo]][video-demo]`
        parts += [a or b for a, b in _MEDIA_PART_RE.findall(rest)]
        shorter = _MEDIA_PART_RE.sub("", rest)
        if shorter == rest:
            break
        rest = shorter
    if rest.strip():
        return False  # words of its own: a caption, not an image
    return any(name.owns(p) or name.in_path(p) or _is_service(p, name) for p in parts if p)


def _caption_of(lines: Lines, n: int, name: ServiceName) -> bool:
    """Whether the row under the image row at line n is its caption: a one-cell row of a
    one-column table, not an image itself, that names the service."""
    if n + 1 >= len(lines) or not _ROW_RE.match(lines.line(n + 1)):
        return False
    cells = _cells(lines.line(n + 1))
    return (len(cells) == 1 and not _media_row_is_service(lines.line(n + 1), name)
            and bool(name.mentions(cells[0]) or name.names_in_comment(cells[0])))


def _definitions(lines: Lines, fenced: list[bool]) -> list[tuple[int, str]]:
    """(line, label) of every link reference definition outside code fences."""
    return [(n, m.group(1)) for n in range(len(lines)) if not fenced[n]
            for m in [_DEFINITION_RE.match(lines.line(n))] if m]


def _unused_definition_cuts(lines: Lines, fenced: list[bool], cuts: list[Cut]) -> list[Cut]:
    """The link reference definitions (`[video-demo]: https://...`) that only the removed text
    used: nothing left refers to them."""
    if not cuts:
        return []
    text = lines.text
    try:
        kept = splice(text, cuts)
    except ValueError:
        return []
    removed = "".join(text[c.span.start:c.span.end] for c in merge_cuts(cuts))
    found = []
    for n, label in _definitions(lines, fenced):
        use = re.compile(r"\[" + re.escape(label) + r"\](?!:)", re.IGNORECASE)
        if use.search(removed) and not use.search(kept):
            found.append(Cut(lines.span(n, n)))
    return found


def _item_end(lines: Lines, n: int, indent: int) -> int:
    """Last line of the list item on line n: the lines indented deeper than its marker, nested
    items included (a child left behind would join the previous item)."""
    last = n
    while last + 1 < len(lines) and lines.line(last + 1).strip() and lines.indent(last + 1) > indent:
        last += 1
    return last


def _fenced(lines: Lines) -> list[bool]:
    """For each line, whether it is a fence line or inside a code fence."""
    flags, inside = [], False
    for n in range(len(lines)):
        fence = bool(_FENCE_RE.match(lines.line(n)))
        flags.append(inside or fence)
        inside = inside != fence
    return flags


def _section_cuts(lines: Lines, fenced: list[bool], name: ServiceName, refused: list[Refusal]) -> list[Cut]:
    """The cut of each heading section whose heading is the service's name: from the heading to
    the next heading of the same or a higher level. A section that holds all of the document's
    text (front matter aside) is refused: the document is the service's (delete it, or edit it
    by hand)."""
    headings = [(n, m) for n in range(len(lines)) if not fenced[n]
                for m in [_HEADING_RE.match(lines.line(n))] if m]
    cuts = []
    for i, (first, m) in enumerate(headings):
        if not _is_service(_term(m.group(2)), name):
            continue
        level = len(m.group(1))
        stop = next((n for n, h in headings[i + 1:] if len(h.group(1)) <= level), len(lines))
        last = stop - 1
        while last > first and lines.is_blank(last):
            last -= 1
        front = _front_matter_end(lines)
        if all(lines.is_blank(n) for n in range(front, len(lines)) if not first <= n <= last):
            refused.append(Refusal(first + 1, "the service's section is the whole document: delete the file "
                                              "or edit it by hand"))
            continue
        cuts.append(_whole_lines_cut(lines, first, last))
    return cuts


def _front_matter_end(lines: Lines) -> int:
    """The first line after a leading `---` ... `---` front-matter block (0 without one): a page's
    metadata, not content of its own."""
    if len(lines) and lines.line(0).strip() == "---":
        for n in range(1, len(lines)):
            if lines.line(n).strip() in ("---", "..."):
                return n + 1
    return 0


def _whole_lines_cut(lines: Lines, first: int, last: int) -> Cut:
    """The cut of lines first..last with one separator blank line kept; at the end of a text
    without a final newline, the newline before the cut goes too (the state is kept)."""
    text = lines.text
    first, last = tidy_blank_lines(lines, first, last)
    span = lines.span(first, last)
    if span.end == len(text) and not text.endswith("\n") and span.start > 0:
        span = Span(span.start - 1, span.end)
    return Cut(span)


def _command_block_cuts(lines: Lines, ctx: RemovalContext) -> list[Cut]:
    """The cut of each shell code block whose every command acts on a path into the service or
    one the run deleted (`kustomize build apps/video-service/overlays | kubectl apply -f -`),
    with the paragraph that introduces it: plain text that names the service and ends with `:`.
    A block introduced by anything else stays (its mention is in the residue)."""
    cuts = []
    fenced = _fenced(lines)
    for first, end, lang in fences(lines):
        body = [lines.line(k) for k in range(first + 1, end) if lines.line(k).strip()]
        if lang in _SHELL_FENCES and body and all(_acts_on_removed(b, ctx) for b in body):
            top = _lead_in(lines, fenced, first, ctx.name)
            if top is not None:
                cuts.append(_whole_lines_cut(lines, top, end))
    return cuts


def _argument_line_cuts(lines: Lines, name: ServiceName) -> list[Cut]:
    """In a shell code block (or an untagged one), a line of a `\\`-continued command that is one
    argument naming the component (`    clouddebugger.googleapis.com \\` in `gcloud services enable
    a \\ b \\ c`) goes; as the command's last line, the ` \\` before it goes too. Only while
    another argument line of the same command stays, so no command loses all its operands.
    A command that repeats another of the block for the component (see _repeats_for) goes whole."""
    cuts = []
    for first, end, lang in fences(lines):
        if lang not in _SHELL_FENCES and lang != "?":
            continue
        commands = _commands(lines, first, end)
        for k, last in commands:
            if _repeats_for(lines, (k, last), commands, name):
                cuts.append(_command_cut(lines, k, last, first, end))
            else:
                cuts += _command_argument_cuts(lines, k, last, name)
    return cuts


def _commands(lines: Lines, first: int, end: int) -> list[tuple[int, int]]:
    """(first, last line) of each command in the code block between lines first and end (the
    fences): a line with the `\\`-continued lines after it; blank and comment lines are none."""
    found = []
    k = first + 1
    while k < end:
        last = k
        while last + 1 < end and lines.line(last).rstrip().endswith("\\"):
            last += 1
        if not lines.is_blank(k) and not lines.line(k).lstrip().startswith("#"):
            found.append((k, last))
        k = last + 1
    return found


def _command_words(lines: Lines, command: tuple[int, int]) -> list[str]:
    text = " ".join(lines.line(n).rstrip().removesuffix("\\") for n in range(command[0], command[1] + 1))
    return text.split()


def _names_component(word: str, name: ServiceName) -> bool:
    """A command word naming the component, whole or as a part between `/`, `:`, `=` or `@`
    (`roles/clouddebugger.agent`, `--service=video-service`)."""
    return any(name.owns(part.strip("\"'`")) for part in re.split(r"[/:=@]", word) if part)


# A row of a command's tabular output: columns separated by two or more spaces (or a tab).
_COLUMNS_RE = re.compile(r"\s{2,}|\t")


def _output_row_cuts(lines: Lines, name: ServiceName, peers: frozenset[str] = frozenset()) -> list[Cut]:
    """The rows of a command's tabular output quoted in a code fence (`kubectl get svc -A`,
    `kubectl get policyreport -A`) whose first column is the component (its namespace or name),
    in a table whose other rows start with other known components or the component's peers
    (the folders beside its own, RemovalContext.peers): the output of a cluster
    without it. A table that lists no other component stays (its rows may be the component's
    own resources, shown on purpose)."""
    cuts = []
    for first, end, _ in fences(lines):
        rows = {k: _COLUMNS_RE.split(lines.line(k).strip()) for k in range(first + 1, end)}
        rows = {k: cols for k, cols in rows.items() if len(cols) >= 3}
        mine = [k for k, cols in rows.items() if name.owns(cols[0])]
        others = {cols[0] for k, cols in rows.items()
                  if k not in mine and (_is_other_component(cols[0], name) or cols[0] in peers)}
        if mine and len(others) >= 2:
            cuts += [Cut(lines.span(k, k)) for k in mine]
    return cuts


def _is_other_component(word: str, name: ServiceName) -> bool:
    return words(word) in name.known and not name.owns(word)


def _repeats_for(lines: Lines, command: tuple[int, int], commands: list[tuple[int, int]], name: ServiceName) -> bool:
    """The command repeats another command of the same block for the component: the same words
    (a stateful builtin such as `cd` or `export` aside) but where it names the component, and
    the other names something else in the same place (`gcloud projects add-iam-policy-binding
    ... --role roles/clouddebugger.agent` beside the same command with `--role
    roles/cloudtrace.agent`: _for_another)."""
    mine = _command_words(lines, command)
    if not mine or mine[0] in STATEFUL:
        return False
    for other in commands:
        theirs = _command_words(lines, other)
        if other == command or len(theirs) != len(mine):
            continue
        differ = [i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b]
        if differ and all(_for_another(mine[i], theirs[i], name) for i in differ):
            return True
    return False


def _for_another(mine: str, theirs: str, name: ServiceName) -> bool:
    """Two words that differ in one part only (between `/`, `.`, `:`, `=` or `@`), which names
    the component in `mine` and not in `theirs`: `roles/clouddebugger.agent` and
    `roles/cloudtrace.agent`, `apps/video-service/base` and `apps/board-service/base`; not a
    path into another structure (`common/istio-1-16/gateway/base`, `common/knative/overlays`)."""
    a, b = re.split(r"([/.:=@])", mine), re.split(r"([/.:=@])", theirs)
    if len(a) != len(b):
        return False
    differ = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(differ) == 1 and _names_component(a[differ[0]], name) and not _names_component(b[differ[0]], name)


def _command_cut(lines: Lines, first: int, last: int, fence: int, end: int) -> Cut:
    """The cut of the command on lines first..last of the code block fence..end with one blank
    line that separated it: the one above when it is the block's last command, else the one
    below when it has blank lines on both sides."""
    if lines.is_blank(first - 1) and first - 1 > fence and last + 1 == end:
        first -= 1
    elif lines.is_blank(first - 1) and last + 1 < end and lines.is_blank(last + 1):
        last += 1
    return Cut(lines.span(first, last))


def _command_argument_cuts(lines: Lines, first: int, last: int, name: ServiceName) -> list[Cut]:
    """The cuts of the component's argument lines in the command on lines first..last."""
    args = {n: lines.line(n).strip().removesuffix("\\").strip() for n in range(first + 1, last + 1)}
    args = {n: a for n, a in args.items() if a and " " not in a and not a.startswith(("-", "#"))}
    doomed = [n for n, a in args.items() if name.owns(a)]
    if not doomed or len(doomed) == len(args):
        return []
    cuts = [Cut(lines.span(n, n)) for n in doomed if n != last]
    if last in doomed:  # the line before it ends the command now: its continuation goes
        keep = max(n for n in range(first, last) if n not in doomed)
        before = lines.line(keep)
        end_of_words = lines.start(keep) + len(before.rstrip().removesuffix("\\").rstrip())
        cuts.append(Cut(Span(end_of_words, lines.start(last) + len(lines.line(last)))))
    return cuts


def fences(lines: Lines) -> list[tuple[int, int, str]]:
    """(opening line, closing line, language word in lower case) of every closed code fence."""
    found, opening = [], None
    for n in range(len(lines)):
        if _FENCE_RE.match(lines.line(n)):
            if opening is None:
                opening = n
            else:
                m = _FENCE_LANG_RE.match(lines.line(opening))
                found.append((opening, n, m.group(1).lower() if m else "?"))
                opening = None
    return found


def _diagram_node_cuts(lines: Lines, name: ServiceName) -> list[Cut]:
    """The cut of each Mermaid flowchart line that only declares the service's node
    (`video[Video Service]`), when no other line of the diagram uses the node (an edge
    `video --> db` would be left pointing at nothing: that stays, in the residue)."""
    cuts = []
    for first, end, lang in fences(lines):
        if lang != "mermaid":
            continue
        body = range(first + 1, end)
        for k in body:
            node = _NODE_RE.match(lines.line(k))
            if not node or node.group(1).lower() in _MERMAID_WORDS:
                continue
            label = node.group(2) or node.group(3) or ""
            if not (name.identifies(node.group(1)) or (label and _is_service(label.strip("\"' "), name))):
                continue
            use = re.compile(r"(?<![\w-])" + re.escape(node.group(1)) + r"(?![\w-])")
            if not any(use.search(lines.line(j)) for j in body if j != k):
                cuts.append(Cut(lines.span(k, k)))
    return cuts


_OUTLINE_FENCES = frozenset({"", "text", "txt", "plaintext", "pseudo", "pseudocode"})
_TREE_DRAWING_RE = re.compile(r"[\u2500-\u257f]")  # box-drawing characters: a drawn file tree
_CONDITION_RE = re.compile(r"^\s*(if|else|elif|elsif|when|unless|otherwise|for|while|case|switch|try|except)\b",
                           re.IGNORECASE)


def _outline_step_cuts(lines: Lines, name: ServiceName) -> list[Cut]:
    """The cut of each step of a pseudo-code outline that names the service (see the module),
    from its line to the last line indented under it."""
    cuts = []
    for first, end, lang in fences(lines):
        body = range(first + 1, end)
        if lang not in _OUTLINE_FENCES or any(_TREE_DRAWING_RE.search(lines.line(k)) for k in body):
            continue
        k = first + 1
        while k < end:
            line = lines.line(k)
            last = _indented_under(lines, k, end)
            if last > k and line.rstrip().endswith(":") and not _CONDITION_RE.match(line) \
                    and any(_is_service(w, name) for w in re.findall(r"[\w.-]+", line)):
                cuts.append(Cut(lines.span(k, last)))
                k = last + 1
            else:
                k += 1
    return cuts


def _indented_under(lines: Lines, k: int, end: int) -> int:
    """The last line before `end` indented deeper than line k, in the run right under it (k
    itself when none is); blank lines at the end of the run are not in it."""
    own = len(lines.line(k)) - len(lines.line(k).lstrip())
    last, j = k, k + 1
    while j < end:
        line = lines.line(j)
        if line.strip():
            if len(line) - len(line.lstrip()) <= own:
                break
            last = j
        j += 1
    return last


def _acts_on_removed(command: str, ctx: RemovalContext) -> bool:
    """Whether a command line names a path into the service or one the run deleted."""
    for word in command.split():
        word = word.strip("\"'`,;")
        path = word[2:] if word.startswith("./") else word
        if "/" in path and (ctx.name.in_path(path) or path.rstrip("/") in ctx.deleted_paths):
            return True
    return False


def _lead_in(lines: Lines, fenced: list[bool], fence: int, name: ServiceName) -> int | None:
    """The first line of the paragraph that introduces the code block at line `fence` (one
    blank line between them at most), when it is plain text naming the service and ending with
    `:`; else None."""
    last = fence - 1
    if last >= 0 and lines.is_blank(last):
        last -= 1
    first = last
    while first > 0 and not lines.is_blank(first - 1) and not fenced[first - 1]:
        first -= 1
    if last < 0 or first > last or fenced[last] or not lines.line(last).rstrip().endswith(":"):
        return None
    text = [lines.line(k) for k in range(first, last + 1)]
    if any(_HEADING_RE.match(t) or _ITEM_RE.match(t) or _ROW_RE.match(t) or t.lstrip().startswith("<") for t in text):
        return None
    return first if any(name.mentions(t) or name.names_in_comment(t) for t in text) else None


def _html_row_cuts(lines: Lines, fenced: list[bool], name: ServiceName) -> list[Cut]:
    """The cut of each HTML table row (`<tr>` and `</tr>` on lines of their own) whose first
    cell with text names the service."""
    cuts = []
    n = 0
    while n < len(lines):
        if fenced[n] or lines.line(n).strip().lower() != "<tr>":
            n += 1
            continue
        end = next((k for k in range(n + 1, min(len(lines), n + _MAX_HTML_ROW))
                    if lines.line(k).strip().lower() in ("</tr>", "<tr>")), None)
        if end is None or lines.line(end).strip().lower() != "</tr>":
            n += 1
            continue
        body = " ".join(lines.line(k) for k in range(n + 1, end))
        texts = [t for t in (_TAG_RE.sub("", c).strip() for c in _CELL_RE.findall(body)) if t]
        if texts and _is_service(_term(texts[0]), name):
            cuts.append(Cut(lines.span(n, end)))
        n = end + 1
    return cuts


def still_valid(before: str, after: str) -> str | None:
    """None unless a table whose rows agreed on their column count no longer does: more tables
    disagree than before (a footnote row `| _* recommended_ |` under a table is the author's)."""
    problem = verify(after)
    if problem is None or _uneven_tables(after) <= _uneven_tables(before):
        return None
    return problem


def _after_separator(lines: Lines) -> list[bool]:
    """For each line, whether the unbroken run of table rows directly above it holds a
    separator row (`|---|---|`): one forward pass, where walking back from every row made a
    long table quadratic (3 s for 2,000 rows). Fences are not looked at, as before."""
    flags = []
    seen = False  # a separator in the run of rows that ends on the previous line
    for n in range(len(lines)):
        flags.append(seen)
        line = lines.line(n)
        seen = bool(_ROW_RE.match(line)) and (seen or bool(TABLE_DELIMITER_RE.match(line)))
    return flags


def _table_shapes(text: str) -> list[list[int]]:
    tables: list[list[int]] = []
    previous_row = False
    for line in text.splitlines():
        if _ROW_RE.match(line):
            if not previous_row:
                tables.append([])
            tables[-1].append(len(_cells(line)))
            previous_row = True
        else:
            previous_row = False
    return tables


def _uneven_tables(text: str) -> int:
    return sum(len(set(table)) > 1 for table in _table_shapes(text))


def verify(new: str) -> str | None:
    """None when every table's rows have as many columns as its header."""
    for table in _table_shapes(new):
        if len(set(table)) > 1:
            return "a table's rows would have different numbers of columns"
    return None
