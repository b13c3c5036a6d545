"""Terraform / HCL: locate with python-hcl2's Lark tree (character offsets), splice, verify.

Removes blocks labelled for the service (`module "pod_identity_video_service"`) or made for it
under a generic label (`module "ecr"` whose `repo_name` names it under a comment naming it, a
module whose local `source` was deleted with it, `variable "namespace"` whose default is its
name), attributes and object entries that name it or point at such a block
(`video_service = module.pod_identity_video_service.role_arn`), outputs whose value comes from
it, list elements that name it (`"prod/video-service"`), and the banners of sections left empty.

A Terraform module is a folder: given the folder's other files (`RemovalContext.neighbours`),
the editor counts the blocks they remove as the component's, and keeps (and lists) a block that
code left in place there or here still refers to, a map key still indexed, and a `depends_on`
element whose removed block depended on others; a variable only removed code read, named after
the component or a removed block, goes, and `dropped_inputs` lets its callers (module blocks
whose local `source` is that folder: `RemovalContext.dropped_inputs`) drop the argument.

Verify: the result parses and holds exactly the original top-level blocks minus the removed ones
(parsing only the top-level items the edit changed, when that is enough: see `verify_cuts`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace

from gitops_bot.domain.names import pointer_matches, words
from gitops_bot.edit.base import EditResult, Refusal, RemovalContext, Unparsable, finish, newly_broken
from gitops_bot.edit.blocks import kept_comment_above, leading_comments, tidy_cuts
from gitops_bot.parse.hcl import (
    address,
    attributes,
    block_key,
    children,
    is_node,
    same_structure,
    string_parts,
    token_text,
    top_level_blocks,
    walk,
)
from gitops_bot.parse.hcl import parse as parse_hcl
from gitops_bot.text.splice import Cut, Lines, Span, merge_cuts, splice

KIND = "hcl"
CHECK = "parses; top-level blocks equal the original minus the removed ones"

# A reference in an expression: `module.x`, `var.x`, `local.x`, `data.t.x`, `t.x` (a resource).
_REFERENCE_RE = re.compile(r"\b((?:data\.)?[a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
_COMMENT = ("#", "//")
# Words too general to tie an input to a component (`enable_amazon_x` is not about `amazon`).
_GENERAL_WORDS = frozenset({"amazon", "azure", "google", "enable", "enabled", "config", "configs", "addon", "addons",
                            "module", "service", "services", "cluster", "kubernetes", "helm", "chart", "values",
                            "settings", "controller", "controllers", "operator", "manager", "managed"})
# A section banner: a comment line drawn with a run of one character (`#####`, `#----`, `# ===`).
_BANNER_RE = re.compile(r"^\s*(#|//)\s*.*([#=*~_-])\2{3,}")


@dataclass
class _Removal:
    """A top-level block (or attribute) the edit takes whole, with the cut that takes it."""

    node: object
    address: str | None
    cut: Cut
    # Made for it on a guess (a generic label whose name input or default names it): if code
    # that stays still refers to it, the guess is doubtful and it stays without a refusal (its
    # mention is in the residue report like any other).
    guessed: bool = False


@dataclass
class _KeyCut:
    """A map entry removed from `local.x` or `var.x` (whose key code elsewhere may still index)."""

    owner: str
    key: str
    cut: Cut
    node: object


class _Editor:
    def __init__(self, text: str, tree, ctx: RemovalContext, path: str = "",
                 gone: frozenset[str] = frozenset(), others: tuple[tuple[str, str], ...] = (),
                 elsewhere: dict | None = None) -> None:
        self.text = text
        self.lines = Lines(text, comment=_COMMENT)
        self.name = ctx.name
        self.path = path
        self.deleted = ctx.deleted_paths
        self.others = others  # the folder's other .tf files as they will be after this run
        self.elsewhere = elsewhere or {}  # their top-level blocks, by address
        self.cuts: list[Cut] = []
        self.refused: list[Refusal] = []
        self.removed_blocks: set[tuple[str, ...]] = set()
        self.kept_comments: list[str] = []
        self.items = [n for body in children(tree) for n in children(body)
                      if is_node(n, "block") or is_node(n, "attribute")]
        self.blocks = {address(block_key(n)): n for n in self.items if is_node(n, "block")}
        self.doomed: dict[int, _Removal] = {}  # id(node) -> its removal
        self.taken: set[int] = set()  # id() of every node cut whole, at any depth
        self.ctx = ctx
        self.gone = set(gone)  # addresses of the blocks removed here and in the folder's other files
        self.key_cuts: list[_KeyCut] = []

    # -- the passes -----------------------------------------------------------------------
    def run(self) -> "_Editor":
        """Decide the top-level blocks made for the component and cut them and the entries,
        keys and list elements that name it or point at them (`finish_plan` then judges the
        cuts against the folder)."""
        chosen = [n for n in self.items if is_node(n, "block") and block_key(n)[0] != "output"
                  and self._made_for_service(n)]
        self.gone |= {a for a in (address(block_key(n)) for n in chosen) if a}
        chosen += [n for n in self.items if is_node(n, "block") and block_key(n)[0] == "output"
                   and self._output_of_service(n)]
        for node in self.items:
            if any(node is c for c in chosen):
                self._take(node)
            elif is_node(node, "block"):
                self._block(node)
            else:
                self._top_attribute(node)
        return self

    def finish_plan(self) -> None:
        """The folder-wide checks, once the cuts are known: nothing still referenced goes, and
        an input only removed code read goes too (when the folder is known)."""
        self._keep_referenced()
        if self.ctx.path:
            self._drop_dead_inputs()
        self._banners()

    def _take(self, node) -> None:
        key = block_key(node) if is_node(node, "block") else ()
        before = len(self.cuts)
        if self._cut_lines(node):
            self.doomed[id(node)] = _Removal(node, address(key), self.cuts[before], self._guessed(key, node))
            if key:
                self.removed_blocks.add(key)

    def _top_attribute(self, node) -> None:
        before = len(self.cuts)
        self._entry(node, token_text(node.children[0]), node.children[-1])
        if len(self.cuts) == before + 1 and self.cuts[-1].span.start <= node.meta.start_pos:
            self.doomed[id(node)] = _Removal(node, None, self.cuts[-1])

    def _block(self, node) -> None:
        key = block_key(node)
        dropped = self._dropped_arguments(node) if key[0] == "module" else frozenset()
        for child in children(node):
            if is_node(child, "body"):
                for item in children(child):
                    if is_node(item, "block"):
                        self._nested_block(item)
                    elif is_node(item, "attribute"):
                        attr = token_text(item.children[0])
                        if attr in dropped:
                            self._cut_lines(item)
                            continue
                        # The map a `locals` attribute or a variable's default holds is indexed
                        # elsewhere as local.<attr>["key"] / var.<name>["key"].
                        owner = f"local.{attr}" if key[0] == "locals" else \
                            f"var.{key[1]}" if key[0] == "variable" and attr == "default" and len(key) == 2 else None
                        self._entry(item, attr, item.children[-1], inner=owner)

    def _nested_block(self, node) -> None:
        if any(self.name.labels(label) for label in block_key(node)[1:]):
            self._cut_lines(node)
            return
        for child in children(node):
            if is_node(child, "body"):
                for item in children(child):
                    if is_node(item, "block"):
                        self._nested_block(item)
                    elif is_node(item, "attribute"):
                        self._entry(item, token_text(item.children[0]), item.children[-1])

    # -- what is made for the component ---------------------------------------------------
    def _made_for_service(self, node) -> bool:
        """Labelled for it (`module "pod_identity_video_service"`), or labelled generically but
        made for it: a module whose local `source` was deleted with the component, a variable
        whose default is its name, a block whose name input is its name (or names it, under a
        comment that names it too)."""
        key = block_key(node)
        if any(self.name.labels(label) for label in key[1:]):
            return True
        attrs = attributes(node)
        if key[0] == "variable":
            default = _plain(attrs.get("default"))
            return default is not None and self.name.identifies(default)
        if key[0] not in ("module", "resource", "data"):
            return False
        if key[0] == "module" and self._source_deleted(_plain(attrs.get("source"))):
            return True
        names = [_plain(v) for k, v in attrs.items() if k == "name" or k.endswith("_name")]
        names = [v for v in names if v]
        if any(self.name.identifies(v) for v in names):
            return True
        return any(self.name.labels(v) for v in names) and self._comment_names(node)

    def _guessed(self, key: tuple[str, ...], node) -> bool:
        """True for a block taken only because an input or default names the component."""
        if not key or key[0] not in ("module", "resource", "data", "variable") or \
                any(self.name.labels(label) for label in key[1:]):
            return False
        return not (key[0] == "module" and self._source_deleted(_plain(attributes(node).get("source"))))

    def _output_of_service(self, node) -> bool:
        """An output whose value comes from the component alone goes whole (an output without
        its value is not valid Terraform)."""
        value = attributes(node).get("value")
        return value is not None and self._points_at_service(value)

    def _dropped_arguments(self, node) -> frozenset[str]:
        """The arguments of a module call whose module (a local folder) drops those inputs."""
        source = _plain(attributes(node).get("source"))
        if not source or not source.startswith(("./", "../")) or not self.path or not self.ctx.dropped_inputs:
            return frozenset()
        target = _folder_of(self.path, source)
        return next((names for folder, names in self.ctx.dropped_inputs if folder == target), frozenset())

    def _source_deleted(self, source: str | None) -> bool:
        if not source or not source.startswith(("./", "../")) or not self.path:
            return False
        target = _folder_of(self.path, source)
        # The module's own .tf files went (a deleted file deeper down, a submodule, is not it).
        return any(posixpath.dirname(p) == target and p.endswith(".tf") for p in self.deleted)

    def _comment_names(self, node) -> bool:
        first = self.lines.line_of(node.meta.start_pos)
        return leading_comments(self.lines, first, self.lines.indent(first), self.name.names_in_comment) < first

    # -- entries, lists -------------------------------------------------------------------
    def _entry(self, node, key: str, value, owner: str | None = None, inner: str | None = None) -> None:
        """An attribute or object element: removed when its key names the service or its value
        points at a block made for it; otherwise searched inside. `owner` is the map it is a
        key of (`local.services`), `inner` the map its value is, when code may index them."""
        if self.name.labels(key) or self._points_at_service(value):
            before = len(self.cuts)
            if self._cut_lines(node) and owner and is_node(node, "object_elem"):
                self.key_cuts.append(_KeyCut(owner, key, self.cuts[before], node))
            return
        if key == "depends_on":
            for sub in walk(value):
                if is_node(sub, "tuple"):
                    self._tuple(sub, depends_on=True)
                    return
            return
        self._expression(value, inner)

    def _expression(self, node, owner: str | None = None) -> None:
        for sub in walk(node):
            if is_node(sub, "object"):
                for elem in children(sub):
                    if is_node(elem, "object_elem"):
                        self._entry(elem, token_text(elem.children[0]), elem.children[-1], owner)
                return
            if is_node(sub, "tuple"):
                self._tuple(sub)
                return

    def _tuple(self, node, depends_on: bool = False) -> None:
        elems = [c for c in children(node) if is_node(c, "expr_term")]
        doomed = [i for i, e in enumerate(elems) if self._element_is_service(e)]
        if depends_on:
            doomed = [i for i in doomed if not self._repoint(elems[i])]
        if not doomed:
            for e in elems:
                self._expression(e)
            return
        if len(doomed) == len(elems):
            self._refuse(node.meta.start_pos, "the list would become empty")
            return
        kept = [i for i in range(len(elems)) if i not in doomed]
        for i in doomed:
            e = elems[i]
            if self._own_line(e.meta.start_pos, e.meta.end_pos):
                self._cut_lines(e)
            elif any(k > i for k in kept):
                self.cuts.append(Cut(Span(e.meta.start_pos, elems[i + 1].meta.start_pos)))
            else:
                prev = elems[max(k for k in kept if k < i)]
                self.cuts.append(Cut(Span(prev.meta.end_pos, e.meta.end_pos)))

    def _repoint(self, elem) -> bool:
        """True (and refused) when a `depends_on` element names a removed block that itself
        depended on others: dropping the element would drop that ordering too, and which of
        them the dependant still needs is for a human to say."""
        ref = self.text[elem.meta.start_pos:elem.meta.end_pos].strip()
        target = self.blocks.get(ref) if ref in self.blocks else self.elsewhere.get(ref)
        if target is None or "depends_on" not in attributes(target):
            return False
        self._refuse(elem.meta.start_pos, f"depends_on {ref}, which is removed and itself depended on others: "
                                          "re-point it to what it still needs, or drop it")
        return True

    def _element_is_service(self, elem) -> bool:
        literal_text = token_text(elem)
        if literal_text and is_node(elem.children[0], "string"):
            return pointer_matches(self.name, literal_text) or self._squashed_host(literal_text)
        return self._points_at_service(elem)

    def _squashed_host(self, value: str) -> bool:
        """A host named after the component with its words run together, as cloud APIs are
        (`clouddebugger.googleapis.com` for `cloud-debugger`)."""
        tokens = self.name.tokens
        host = re.fullmatch(r"([a-z0-9]+)\.[a-z0-9.-]+", value)
        return len(tokens) > 1 and host is not None and host.group(1) == "".join(tokens)

    def _points_at_service(self, value) -> bool:
        """A short one-line expression whose references all point at blocks made for the
        component (inputs `var.x` aside: `var.enable_x ? module.x[0].y : null`)."""
        if getattr(value, "meta", None) is None or value.meta.empty:
            return False
        source = self.text[value.meta.start_pos:value.meta.end_pos]
        if is_node(value, "expr_term") and value.children and is_node(value.children[0], "string"):
            return False
        if len(source) >= 200 or "\n" in source:
            return False
        refs = _REFERENCE_RE.findall(source)
        # A variable made for the component goes only once nothing reads it: reading it is no
        # reason to go.
        hits = [self.name.labels(n) or (p != "var" and f"{p}.{n}" in self.gone) for p, n in refs]
        return any(hits) and all(h or p == "var" for (p, _), h in zip(refs, hits))

    # -- spans ----------------------------------------------------------------------------
    def _own_line(self, start: int, end: int) -> bool:
        first, last = self.lines.line_of(start), self.lines.line_of(end - 1)
        before = self.text[self.lines.start(first):start]
        after = self.text[end:self.lines.start(last) + len(self.lines.line(last))]
        after = re.sub(r"^\s*,?\s*((#|//).*)?$", "", after)
        return not before.strip() and not after.strip()

    def _cut_lines(self, node) -> bool:
        start, end = node.meta.start_pos, node.meta.end_pos
        if not self._own_line(start, end):
            self._refuse(start, "the entry shares its line with other content")
            return False
        first, last = self.lines.line_of(start), self.lines.line_of(end - 1)
        col = self.lines.indent(first)
        first = leading_comments(self.lines, first, col, self.name.names_in_comment)
        self.kept_comments += kept_comment_above(self.lines, first, col)
        self.cuts.append(Cut(self.lines.span(first, last)))
        self.taken.add(id(node))
        return True

    def _refuse(self, offset: int, reason: str) -> None:
        self.refused.append(Refusal(self.lines.line_of(offset) + 1, reason))

    # -- what stays referenced stays --------------------------------------------------------
    def _keep_referenced(self) -> None:
        """A removed block that code left in place (here or in the folder's other files) still
        refers to, and a removed map key something still indexes, are put back and listed:
        removing them would leave a dangling reference."""
        while True:
            texts = [(self.path, self._blanked())] + list(self.others)
            back = False
            for removal in list(self.doomed.values()):
                where = removal.address and _referenced(removal.address, texts)
                if where:
                    self._put_back(removal.cut, removal.node, None if removal.guessed else
                                   f"{removal.address} is still referenced at {where}: it stays")
                    del self.doomed[id(removal.node)]
                    self.removed_blocks.discard(block_key(removal.node) if is_node(removal.node, "block") else ())
                    back = True
            for kc in list(self.key_cuts):
                key = re.escape(kc.key)
                pattern = re.escape(kc.owner) + r'(\[\s*"' + key + r'"\s*\]|\.' + key + r"\b)"
                where = _referenced(pattern, texts, regex=True)
                if where:
                    self._put_back(kc.cut, kc.node, f'{kc.owner}["{kc.key}"] is still indexed at {where}: '
                                                      "the entry stays")
                    self.key_cuts.remove(kc)
                    back = True
            if not back:
                return

    def _put_back(self, cut: Cut, node, reason: str | None) -> None:
        self.cuts = [c for c in self.cuts if c != cut]
        self.taken.discard(id(node))
        if reason:
            self._refuse(node.meta.start_pos, reason)

    def _blanked(self, spans=()) -> str:
        """The text with the cuts (and `spans`) blanked rather than taken, so that line numbers
        stay the original's."""
        cuts = merge_cuts(list(self.cuts) + [Cut(Span(*span)) for span in spans])
        return splice(self.text, [Cut(c.span, "\n" * self.text.count("\n", *c.span)) for c in cuts])

    def _drop_dead_inputs(self) -> None:
        """A variable that only removed code read (it was read before, and nothing in the
        module reads it now) was an input of the component: it goes, and its callers' arguments
        with it (see `dropped_inputs`)."""
        for node in self.items:
            key = block_key(node)
            if key[0] != "variable" or len(key) != 2 or id(node) in self.taken:
                continue
            own = (self.lines.start(self.lines.line_of(node.meta.start_pos)), node.meta.end_pos)
            var = f"var.{key[1]}"
            if not self._named_after_removed(key[1]):
                continue  # a general input (tags, environment) stays though only removed code read it
            before = [(self.path, self._blanked_only(own))] + list(self.ctx.neighbours)
            after = [(self.path, self._blanked([own]))] + list(self.others)
            if _referenced(var, before) and not _referenced(var, after):
                self._take(node)

    def _named_after_removed(self, variable: str) -> bool:
        """True when a distinctive word of the component's name or of a removed block's label
        is part of the variable's name (`enable_aws_open_telemetry` for the module
        `aws_opentelemetry_collector`), separators ignored."""
        squashed = "".join(words(variable))
        labels = [self.name.raw] + [a.split(".")[-1] for a in self.gone]
        return any(len(w) >= 5 and w not in _GENERAL_WORDS and w in squashed for label in labels for w in words(label))

    def _blanked_only(self, span) -> str:
        return self.text[:span[0]] + "\n" * self.text.count("\n", *span) + self.text[span[1]:]

    # -- banners ----------------------------------------------------------------------------
    def _banners(self) -> None:
        """A section banner (`#####` / `#----` comment lines above a run of items) goes when
        every item of its section goes, at the top level and inside a block's body; a file
        whose every item goes is emptied (and deleted)."""
        if not self.items:
            return
        if all(id(n) in self.taken for n in self.items):
            self.cuts, self.kept_comments = [Cut(Span(0, len(self.text)))], []
            return
        self._sections(self.items, -1)
        for node in self.items:
            if is_node(node, "block") and id(node) not in self.taken:
                body = [c for c in children(node) if is_node(c, "body")]
                items = [n for b in body for n in children(b) if is_node(n, "block") or is_node(n, "attribute")]
                if any(id(n) in self.taken for n in items):
                    self._sections(items, self.lines.line_of(node.meta.start_pos))

    def _sections(self, items: list, head: int) -> None:
        """Cut the banners of `items`' sections whose every item goes; `head` is the line of the
        block header above them (-1 at the top of a file, whose opening comment is no banner)."""
        starts = []
        prev_last = head
        for node in items:
            first = self.lines.line_of(node.meta.start_pos)
            col = self.lines.indent(first)
            comments = [n for n in range(prev_last + 1, first)
                        if self.lines.is_comment(n) and self.lines.indent(n) == col]
            banner = any(_BANNER_RE.match(self.lines.line(n)) for n in comments)
            starts.append(comments[0] if banner and prev_last >= 0 else None)
            prev_last = self.lines.line_of(node.meta.end_pos - 1)
        for i, top in enumerate(starts):
            if top is None:
                continue
            j = next((k for k in range(i + 1, len(starts)) if starts[k] is not None), len(starts))
            if all(id(n) in self.taken for n in items[i:j]):
                # One cut from the banner to the section's last line, so that the blank-line
                # rules see one removed stretch, not a banner and blocks with gaps between.
                last = self.lines.line_of(items[j - 1].meta.end_pos - 1)
                self.cuts.append(Cut(self.lines.span(top, last)))
                banner_lines = {self.lines.line(n) for n in range(top, last + 1)}
                self.kept_comments = [c for c in self.kept_comments if c not in banner_lines]


def _folder_of(path: str, source: str) -> str:
    """The repository folder a local module `source` of the file at `path` names ('' for the root)."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), source))
    return "" if target == "." else target


def _plain(expr) -> str | None:
    """The text of a plain string literal (no interpolation), else None."""
    parts = string_parts(expr) if expr is not None else []
    return "".join(str(t) for p in parts for t in p.children) if parts else None


def _referenced(what: str, texts, regex: bool = False) -> str | None:
    """`path:line` of the first place in `texts` ((path, text) pairs) that refers to an
    address (or matches a pattern), comments aside; None when nothing does."""
    pattern = re.compile(what if regex else r"(?<![\w.-])" + re.escape(what) + r"(?![\w-])")
    for path, text in texts:
        for n, line in enumerate(text.split("\n")):
            code = re.sub(r"\s(#|//).*$", "", line)
            if code.lstrip().startswith(("#", "//")):
                continue
            if pattern.search(code):
                return f"{path or 'this file'}:{n + 1}"
    return None


def claims(path: str, text: str) -> bool:
    """Terraform and HCL files: `.tf`, `.tfvars`, `.hcl`, and OpenTofu's `.tofu` (the same
    language; cloud-foundation-fabric keeps a `versions.tofu` twin of each `versions.tf`)."""
    return posixpath.splitext(path)[1].lower() in (".tf", ".tfvars", ".hcl", ".tofu")


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the component's blocks (labelled for it, or made for it), the entries and list
    elements that name it or point at such blocks, and the banners of sections left empty.
    With `ctx.neighbours` (the other files of the Terraform module, as they were before the
    run), their removed blocks count as the component's here, and a block still referenced
    there stays; a file that does not name the component is edited only where it refers to
    such a block."""
    names_it = ctx.name.prefilter().search(text.encode()) is not None
    mentions = names_it or may_call(ctx, text)
    folder = _Folder(ctx) if ctx.neighbours else None
    if not mentions and (folder is None or (_referenced_any(folder.gone, text) is None and 'variable "' not in text)):
        if folder is None:
            _parse_or_raise(text)
        return EditResult(text)
    try:
        tree = _parse_or_raise(text)
    except Unparsable as exc:
        if names_it:
            raise
        return EditResult(text, [Refusal(exc.line, f"refers to a removed block, but {exc.problem}")])
    editor = folder.plan(text, tree, ctx) if folder else _Editor(text, tree, ctx, ctx.path).run()
    editor.finish_plan()
    return finish(text, editor.lines, editor.cuts, editor.refused,
                  lambda new: verify_cuts(text, tree, tidy_cuts(editor.lines, editor.cuts), new,
                                          editor.removed_blocks), editor.kept_comments)


def _parse_or_raise(text: str):
    try:
        return parse_hcl(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unparsable(getattr(exc, "line", 1) or 1, f"HCL does not parse: {problem}") from exc


class _Folder:
    """A Terraform module's other files, judged for one file's edit: which blocks the folder
    removes (each file on its own first), and what the other files will read once their own
    edits are made knowing all of those."""

    def __init__(self, ctx: RemovalContext) -> None:
        self.trees = {}
        for path, other in ctx.neighbours:
            try:
                self.trees[path] = parse_hcl(other) if ctx.name.prefilter().search(other.encode()) else None
            except Exception:  # python-hcl2 raises lark errors of several types: read as plain text
                self.trees[path] = None
        self.ctx = ctx
        self.gone: set[str] = set()
        for path, other in ctx.neighbours:
            if self.trees[path] is not None:
                self.gone |= _Editor(other, self.trees[path], ctx, path).run().gone

    def plan(self, text: str, tree, ctx: RemovalContext) -> _Editor:
        """This file's editor, run knowing the folder (finish_plan still to do). Each other
        file is edited as its own run will edit it: its cuts, less the blocks that the cut
        texts of the rest of the folder still refer to (which its own run keeps too)."""
        gone = frozenset(self.gone | _Editor(text, tree, ctx, ctx.path).run().gone)
        views, elsewhere = {}, {}
        cut = {ctx.path: splice(text, _Editor(text, tree, ctx, ctx.path, gone).run().cuts)}
        for path, other in ctx.neighbours:
            other_tree = self.trees[path]
            if other_tree is None and _referenced_any(gone, other):
                try:
                    other_tree = parse_hcl(other)
                except Exception:  # python-hcl2 raises lark errors of several types: read as plain text
                    other_tree = None
            cut[path] = other
            if other_tree is not None:
                views[path] = _Editor(other, other_tree, ctx, path, gone).run()
                elsewhere.update({a: n for a, n in views[path].blocks.items() if a})
                cut[path] = splice(other, views[path].cuts)
        others = []
        for path, other in ctx.neighbours:
            view = views.get(path)
            if view is not None:
                view.others = tuple((p, t) for p, t in cut.items() if p != path)
                view._keep_referenced()
                other = splice(other, view.cuts)
            others.append((path, other))
        return _Editor(text, tree, ctx, ctx.path, gone, tuple(others), elsewhere).run()


_DECLARED_RE = re.compile(r'^\s*(?:variable|output|module)\s+"([\w-]+)"|^\s*([A-Za-z_][\w-]*)\s*=(?!=)', re.MULTILINE)


def removed_settings(before: str, after: str) -> frozenset[str]:
    """The names `before` declares (`variable "enable_x"`, an attribute `awsOtelCollector = ...`)
    that `after` (a result of `remove`) no longer does: the settings the edit took away."""
    def declared(text: str) -> set[str]:
        return {a or b for a, b in _DECLARED_RE.findall(text)}
    return frozenset(declared(before) - declared(after))


def dropped_inputs(ctx: RemovalContext, files: dict[str, str]) -> frozenset[str]:
    """The variables a Terraform module folder (`files`: its .tf files by path) drops in this
    removal because only removed code read them; its callers drop the matching arguments."""
    dropped: set[str] = set()
    for path, text in files.items():
        if "variable" not in text:
            continue
        neighbours = tuple((p, t) for p, t in files.items() if p != path)
        mine = replace(ctx, path=path, neighbours=neighbours, dropped_inputs=())
        folder = _Folder(mine)
        try:
            tree = parse_hcl(text)
        except Exception:  # python-hcl2 raises lark errors of several types: nothing dropped
            continue
        editor = folder.plan(text, tree, mine)
        editor.finish_plan()
        dropped |= {key[1] for key in editor.removed_blocks if key[0] == "variable" and len(key) == 2}
    return frozenset(dropped)


def may_call(ctx: RemovalContext, text: str) -> bool:
    """True when `text` may pass an input some module drops (`enable_x = true`)."""
    names = {n for _, names in ctx.dropped_inputs for n in names}
    if not names:
        return False
    return re.search(r"^\s*(" + "|".join(map(re.escape, sorted(names))) + r")\s*=", text, re.M) is not None


def _referenced_any(addresses, text: str) -> str | None:
    """The first of `addresses` that `text` refers to, or None."""
    return next((a for a in sorted(addresses) if not a.startswith("var.") and _referenced(a, [("", text)])), None)


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` no longer parses where `before` did (a change only of plain string
    bodies, such as a version, keeps the structure and is not parsed: parse/hcl.same_structure)."""
    if same_structure(before, after):
        return None
    return newly_broken(_parse_problem, before, after)


def _parse_problem(text: str) -> str | None:
    try:
        parse_hcl(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several types
        return f"the result would not parse ({str(exc).strip().splitlines()[0]})"
    return None


def verify(old_tree, new: str, removed: set[tuple[str, ...]]) -> str | None:
    """None when `new` parses and holds the old top-level blocks minus the removed ones."""
    try:
        new_tree = parse_hcl(new)
    except Exception as exc:
        return f"the result would not parse ({str(exc).splitlines()[0]})"
    expected = [k for k in top_level_blocks(old_tree) if k not in removed]
    if top_level_blocks(new_tree) != expected:
        return "the result's blocks differ from the intended removal"
    return None


# -- targeted verification ---------------------------------------------------------------
# python-hcl2 parses ~50-70 kB/s: re-parsing a whole 7 kB file to verify the removal of one of
# its thirty blocks costs 0.1 s. A file's top level is a sequence of items (blocks and
# attributes) with stretches of blank lines and comments between them, and the grammar's body
# is any such sequence (`body: (new_line_or_comment? (attribute | block))* ...`). So when every
# cut lies inside one item, inside one stretch, or takes whole items, and the stretches are
# still blanks and comments, the result parses exactly when each changed item parses on its
# own; an untouched item parses as it did.
def verify_cuts(old: str, old_tree, cuts: list[Cut], new: str, removed: set[tuple[str, ...]]) -> str | None:
    """`verify(old_tree, new, removed)`, parsing only the top-level items the cuts changed when
    that is enough to say the result is right. Whenever it is not (a cut across an item's edge,
    a `/* */` comment between items, an item sharing a line, a changed item that does not parse
    alone as one item of its kind, blocks that differ), the whole result is parsed and judged
    as `verify` judges it, so the verdict and its message are always `verify`'s."""
    pieces = _changed_pieces(old, old_tree, cuts, new)
    if pieces is None:
        return verify(old_tree, new, removed)
    keys = []
    for item, piece in pieces:
        if piece is not None:
            try:
                alone = _items(parse_hcl(piece))
            except Exception:  # python-hcl2 raises lark errors of several types
                return verify(old_tree, new, removed)
            if len(alone) != 1 or alone[0].data != item.data:
                return verify(old_tree, new, removed)
            item = alone[0]
        if is_node(item, "block"):
            keys.append(block_key(item))
    if keys != [k for k in top_level_blocks(old_tree) if k not in removed]:
        return verify(old_tree, new, removed)
    return None


def _items(tree) -> list:
    """The top-level blocks and attributes of a tree, in order."""
    return [n for body in children(tree) for n in children(body) if is_node(n, "block") or is_node(n, "attribute")]


def _changed_pieces(old: str, old_tree, cuts: list[Cut], new: str) -> list[tuple] | None:
    """(item, None) for each untouched item that stays and (item, its new text) for each changed
    one, in order; None when the cuts or the layout do not fit the rules above."""
    extents = _extents(old, old_tree)
    if extents is None:
        return None
    bounds = [0] + [b for _, start, end in extents for b in (start, end)] + [len(old)]
    segments = []
    for k in range(len(bounds) - 1):
        a, b = bounds[k], bounds[k + 1]
        local = []
        for cut in cuts:
            s, e = max(cut.span.start, a), min(cut.span.end, b)
            if s < e or (s == e == cut.span.start == cut.span.end and a <= s < b):
                if cut.replacement and (cut.span.start < a or cut.span.end > b):
                    return None  # a replacement across a boundary
                local.append(Cut(Span(s - a, e - a), cut.replacement))
        segments.append(splice(old[a:b], local) if local else old[a:b])
    if "".join(segments) != new:
        return None  # the cuts given are not the ones that made `new`
    pieces = []
    for k, (item, start, end) in enumerate(extents):
        gap_before, text = segments[2 * k], segments[2 * k + 1]
        if not _blank_or_comments(gap_before) or (gap_before and not gap_before.endswith("\n")) \
                or (text and not text.endswith("\n") and k < len(extents) - 1):
            return None  # a piece that would run into the next one
        if text == old[start:end]:
            pieces.append((item, None))
        elif text:
            if any(cut.span.start < start < cut.span.end or cut.span.start < end < cut.span.end for cut in cuts):
                return None  # partly cut by a cut that reaches outside the item
            pieces.append((item, text))
        elif not any(cut.span.start <= start and end <= cut.span.end for cut in cuts):
            return None  # emptied by cuts inside it, not taken whole
    return pieces if _blank_or_comments(segments[-1]) else None


def _extents(old: str, old_tree) -> list[tuple] | None:
    """(item, first offset, end offset) of each top-level item, as whole lines; None when an
    item shares a line with anything but a trailing comment."""
    lines = Lines(old)
    extents: list[tuple] = []
    for item in _items(old_tree):
        start = lines.start(lines.line_of(item.meta.start_pos))
        end = lines.end(lines.line_of(item.meta.end_pos - 1))
        head, tail = old[start:item.meta.start_pos], old[item.meta.end_pos:end].strip()
        if head.strip() or (tail and not tail.startswith(("#", "//"))) or (extents and start < extents[-1][2]):
            return None
        extents.append((item, start, end))
    return extents


def _blank_or_comments(text: str) -> bool:
    """Only blank lines and `#`/`//` comment lines (a `/* */` comment could hide a cut in it)."""
    return "/*" not in text and all(not line.strip() or line.lstrip().startswith(("#", "//"))
                                    for line in text.split("\n"))
