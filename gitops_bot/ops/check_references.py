"""Operation `check_references`: after a removal, nothing may point at what it deleted unnoticed.

It reads every live file that names a deleted file or folder by its path (domain/pathrefs) and
every import of remaining source code that resolves to one (domain/imports). The editors
(remove_references) already removed such references where they are a structural entry (a
kustomization resource, a compose build context, a go.work `use`, a Dockerfile COPY, a Makefile
include, a workflow `paths:` filter, a Terraform module source); what is left is listed:

- an import of remaining source code, or a reference in configuration, a script or a build file
  (the build or the deploy would fail on it): refused, so the run exits 1, with the file and line;
  an import is also listed at the deleted path as `still imported by PATH:LINE`;
- a path in prose, a comment, an ignore file (`.gitignore`: the pattern now matches nothing) or
  application code that is not an import (a broken link, a command in a README): residue, with
  the deleted path it names; a card of a documentation page whose every link leads to a deleted
  page goes whole (edit/markup_links), and is listed;
- a link of a page still served on a host where a deleted route served a path (`<a href="/db/">`
  in the portal sharing emberstone-db's host, domain/routes), or a link on any host to the path
  of a proxy route the run cut (`http://localhost:8080/feature/`): residue, with the route; a
  menu entry of a markup page that is that link alone goes (edit/markup_links), and is listed.

The check is recorded in the validation report with what it read, whatever it finds.
"""

from __future__ import annotations

import posixpath

from gitops_bot.domain import routes
from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.domain.imports import JS_FILES, Import, imports_of_deleted
from gitops_bot.domain.pathrefs import Gone, Reference, gone_paths, referring
from gitops_bot.domain.worktree import Literals
from gitops_bot.edit import SOURCE_SUFFIXES, classify, markup_links, still_valid
from gitops_bot.ops.state import RunState
from gitops_bot.text.diff import opcodes

CHECK = "no path reference or import left pointing at a deleted path"
MENU_CHECK = "menu entries to a path nothing serves removed whole (one link element a line)"
CARD_CHECK = "cards linking only to deleted pages removed whole (balanced elements, tables even)"
_IMPORTING = (".go", ".py", *JS_FILES)
_PROSE_KINDS = frozenset({"markdown"})
_PROSE_SUFFIXES = frozenset({".md", ".mdx", ".rst", ".txt", ".adoc"})
_COMMENT_MARKS = ("#", "//", "<!--")


def run(state: RunState, args: dict[str, str]) -> None:
    tree = state.tree
    gone = gone_paths(tree)
    if not gone.deleted:
        return
    modules = state.go_modules()
    hits = state.deleted_path_files(gone)  # no new pass over the tree when remove_references made one
    found = referring(tree, gone, among=hits["refs"])
    imported = _imports(state, gone, modules, hits["imports"])
    notes_before, kept = len(state.notes), 0
    for path in sorted(set(found) | set(imported)):
        kept += _record_imports(state, path, imported.get(path, []))
        skip = {i.line for i in imported.get(path, [])}  # an import line is reported once, as an import
        kept += _record_references(state, path, [r for r in found.get(path, []) if r.line not in skip], gone)
    listed = len(state.notes) - notes_before - sum(map(len, imported.values()))
    links, entries = _route_links(state)
    detail = (f"searched every file for the {_count(len(gone.deleted), 'deleted path')}: "
              f"{_count(kept, 'reference')} left in code or configuration{' (refused edits)' if kept else ''}, "
              f"{listed} in prose, comments or other source (residue)"
              + (f"; {_count(links - entries, 'link')} to a removed route's path (residue)" if links > entries else "")
              + (f"; {_count(entries, 'menu entry', 'menu entries')} linking to one, removed" if entries else ""))
    state.validation.append(Validation("(every file)", CHECK, ok=not kept, detail=detail))


def _record_imports(state: RunState, path: str, imports: list[Import]) -> int:
    """Refuse each import of a deleted path, and list it at the deleted path; how many."""
    for item in imports:
        line = _original_line(state.tree, path, item.line)
        state.refused.append(Finding(path, line, item.text, f"imports {item.target}, which this change deletes: "
                                     "the code no longer builds; change it by hand", Kind.DANGLING))
        state.notes.append(Finding(item.target, 0, "(deleted)", f"still imported by {path}:{item.line}",
                                   Kind.DANGLING))
    return len(imports)


def _record_references(state: RunState, path: str, refs: list[Reference], gone: Gone) -> int:
    """Refuse each structural reference left (one per line), list the others as residue; how
    many were refused."""
    text = state.tree.read(path) or ""
    lines, kind = text.splitlines(), classify(path, text)
    # a line an editor already refused is on the human's list once, with the editor's reason
    listed = {f.text.strip() for f in state.refused if f.path == path}
    cards = _remove_cards(state, path, text, [r.line - 1 for r in refs]) if kind in _PROSE_KINDS else []
    in_card = {n + 1 for first, last in cards for n in range(first, last + 1)}
    refused = 0
    for ref in _first_per_line(refs):
        if ref.line in in_card:
            state.notes.append(Finding(path, _original_line(state.tree, path, ref.line), lines[ref.line - 1].strip(),
                                       f"removed: the card linking to {ref.target}, which this change deletes",
                                       Kind.DANGLING))
            continue
        finding, structural = _finding(path, lines[ref.line - 1], ref, kind, ref.target in gone.folders)
        finding.line = _original_line(state.tree, path, ref.line)
        if structural and finding.text in listed:
            refused += 1
            continue
        (state.refused if structural else state.notes).append(finding)
        refused += structural
    return refused


def _remove_cards(state: RunState, path: str, text: str, dead: list[int]) -> list[tuple[int, int]]:
    """Write the page without the cards whose every link is one of the lines `dead` (0-based;
    edit/markup_links), when it stays a valid page; the spans removed."""
    cards = markup_links.dead_cards(text.splitlines(), dead)
    if not cards:
        return []
    after = markup_links.without_spans(text, cards)
    problem = still_valid("markdown", text, after)
    state.validation.append(Validation(path, CARD_CHECK, problem is None, problem or ""))
    if problem is not None:
        return []
    state.tree.write(path, after)
    return cards


def _route_links(state: RunState) -> tuple[int, int]:
    """List the links of pages still served on a host where a deleted (or cut) HTTPRoute or
    Ingress served a path, unless a remaining route serves that path there too, removing those
    that are menu entries; and every link to the path of a proxy route the run cut
    (domain/routes). How many links were listed, and how many entries of those removed."""
    tree = state.tree
    touched = [p for p in tree.touched() if p.endswith((".yaml", ".yml"))]
    notes_before, entries = len(state.notes), 0
    for path in touched:
        now = set(routes.routes(tree.read(path) or "")) if not tree.is_deleted(path) else set()
        for route in [r for r in routes.routes(tree.original(path) or "") if r not in now]:
            entries += _links_on_its_host(state, route)
    for path in [p for p in touched if not tree.is_deleted(p)]:
        for prefix in sorted(routes.removed_prefixes(tree.original(path) or "", tree.read(path) or "")):
            _links_to(state, prefix, f"links to {prefix}, the path of the route the run removed from {path}")
    return len(state.notes) - notes_before, entries


def _links_on_its_host(state: RunState, route: routes.Route) -> int:
    """List the links to a removed route's path in the apps still served on its host; remove
    those that are menu entries of a markup page (edit/markup_links); how many were."""
    tree = state.tree
    apps, still = set(), False
    for path in tree.grep(Literals(sorted(route.hosts))):
        text = tree.read(path) if path.endswith((".yaml", ".yml")) and not tree.is_deleted(path) else None
        if text is None or not routes.hosts_served(text) & route.hosts:
            continue
        apps.add(routes.app_folder(path))
        still |= any(r.prefix == route.prefix and r.hosts & route.hosts for r in routes.routes(text))
    if still:
        return 0
    link = routes.link_pattern(route.prefix)
    removed = 0
    where = f"to {route.prefix}, the path the deleted {route.kind} {route.name} served on " \
            f"{', '.join(sorted(route.hosts))}"
    for page in sorted({p for app in apps for p in tree.under(app) if not tree.is_deleted(p)}):
        lines = (tree.read(page) or "").splitlines()
        dead = [n for n, line in enumerate(lines) if link.search(line)]
        entries = markup_links.dead_entries(lines, dead) if dead and markup_links.is_markup(page) else []
        for n in dead:
            state.notes.append(Finding(page, _original_line(tree, page, n + 1), lines[n].strip(),
                                       f"removed: the menu entry linking {where}" if n in entries
                                       else f"links {where}",
                                       Kind.DANGLING))
        if entries:
            tree.write(page, markup_links.without_lines(tree.read(page) or "", entries))
            state.validation.append(Validation(page, MENU_CHECK, True))
            removed += len(entries)
    return removed


def _links_to(state: RunState, prefix: str, why: str) -> None:
    """List every line of a live file that links to `prefix` on any host."""
    tree = state.tree
    link = routes.link_pattern(prefix, urls=True)
    for page in tree.grep(Literals([prefix])):
        text = tree.read(page) if not tree.is_deleted(page) else None
        for number, line in enumerate((text or "").splitlines(), start=1):
            if link.search(line):
                state.notes.append(Finding(page, _original_line(tree, page, number), line.strip(), why,
                                           Kind.DANGLING))


def _count(n: int, what: str, plural: str = "") -> str:
    return f"{n} {what if n == 1 else plural or what + 's'}"


def _imports(state: RunState, gone: Gone, modules, candidates: list[str]) -> dict[str, list[Import]]:
    """Per remaining source file, its imports of deleted paths. An import names the deleted
    path's name (Go: the import path of a deleted package), so a byte prefilter over the tree
    (`candidates`: the files holding such a word) picks the files to read."""
    tree = state.tree
    found = {}
    for path in candidates:
        text = tree.read(path) if path.endswith(_IMPORTING) else None
        hits = imports_of_deleted(path, text, gone, modules) if text is not None else []
        if hits:
            found[path] = hits
    return found


def _first_per_line(refs: list[Reference]) -> list[Reference]:
    """One reference per line (the first): a line is one entry of the report."""
    seen, out = set(), []
    for ref in refs:
        if ref.line not in seen:
            seen.add(ref.line)
            out.append(ref)
    return out


def _finding(path: str, line: str, ref: Reference, kind: str, folder: bool) -> tuple[Finding, bool]:
    """The finding for a reference left, and whether it is structural: one in configuration, a
    script or a build file is refused (the build or deploy would fail on it); one in prose, a
    comment or application code is residue."""
    target = ref.target + ("/" if folder else "")
    suffix = posixpath.splitext(path)[1].lower()
    base = posixpath.basename(path)
    if kind in _PROSE_KINDS or suffix in _PROSE_SUFFIXES:
        where = "prose (a broken link or command)"
    elif base.startswith(".") and base.endswith("ignore"):  # .gitignore, .dockerignore: matches nothing now
        where = "an ignore pattern"
    elif _in_comment(line, ref.column):
        where = "a comment"
    elif kind == "source" or suffix in SOURCE_SUFFIXES:
        where = "source code"
    else:
        return Finding(path, ref.line, line.strip(), f"still names {target}, which this change deletes: "
                       "remove or re-point it by hand", Kind.DANGLING), True
    return Finding(path, ref.line, line.strip(), f"{where} names {target}, which this change deletes",
                   Kind.DANGLING), False


def _in_comment(line: str, column: int) -> bool:
    """Whether the word at `column` (1-based) follows a comment mark that starts the line or
    follows a space (`# see charts/x`, `key: v  # charts/x`)."""
    before = line[:column - 1]
    stripped = before.lstrip()
    if stripped.startswith(_COMMENT_MARKS):
        return True
    return " #" in before or "\t#" in before


def _original_line(tree, path: str, line: int) -> int:
    """The original file's number of a line of the current text (refusals and notes speak of the
    original; the report maps them to the result)."""
    before, after = tree.original(path), tree.read(path)
    if before is None or after is None or before == after:
        return line
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, a1, _, b1, b2 in opcodes(a, b):
        if tag == "equal" and b1 < line <= b2:
            return a1 + line - b1
    return line
