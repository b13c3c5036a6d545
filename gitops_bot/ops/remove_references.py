"""Operation `remove_references`: remove every structural reference to a component from the
files that mention it, each through the editor for its file type (gitops_bot.edit).

Application source code and binary files are never edited; what is left is the residue report's
job. A file that cannot be parsed never stops the run: when it names the component it is refused
and listed (nothing in it is changed; the rest of the change goes on), and when it does not (it
only passed the cheap prefilter, like `notifications.yaml` for `noti`) it has nothing to remove.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from ruamel.yaml.error import YAMLError

from gitops_bot.console import progress
from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.domain.names import ServiceName, without_vendor
from gitops_bot.domain.pathrefs import Gone, gone_paths, referring, successors
from gitops_bot.domain.worktree import Literals
from gitops_bot.edit import (classify, editor_for, env_file, hcl, ignore_file, make, markdown, removal_kind, shell,
                              yaml_apps, yaml_file)
from gitops_bot.edit.base import EditResult, Leftovers, Refusal, RemovalContext, Unparsable
from gitops_bot.edit.shell import variant_re
from gitops_bot.edit.yaml_file import KUSTOMIZE_LISTS, is_kustomization
from gitops_bot.errors import UserError
from gitops_bot.ops import footprint, quoted_copies
from gitops_bot.ops.state import RunState
from gitops_bot.parse.yaml import load_safe

SWITCH_VALUES = ("on", "off")


def run(state: RunState, args: dict[str, str]) -> None:
    state.limit_to(args.get("paths", ""))
    switch = args.get("switch", "")
    if switch not in ("", *SWITCH_VALUES):  # a repository's own recipe may pass anything
        raise UserError(f"switch={switch!r}: say on (the component's feature stays, always on) or off (it goes)")
    name = state.component(args["name"])
    state.add_residue_name(name)
    rest = without_vendor(name.raw)
    if rest:  # listed, never edited: `Debugger` and `DISABLE_DEBUGGER` for cloud-debugger
        state.add_residue_name(state.name(rest))
    tree = state.tree
    gone = gone_paths(tree)
    ctx = RemovalContext(name, gone.deleted, switch=switch, successors=successors(tree, gone),
                         image_variants=footprint.image_variants(tree, gone.deleted) if switch else (),
                         removed_secrets=_removed_secrets(tree, gone.deleted),
                         empty_lists_bracketed=_writes_empty_lists_bracketed(tree), peers=_peers(gone, name),
                         leftovers=Leftovers(footprint.device_prefixes(tree, gone.deleted, name),
                                             *_substitutions(tree, name, state.candidates(name)),
                                             _orphaned_labels(tree, gone.deleted)))
    build_scripts: list[str] = []
    if ctx.image_variants:
        retired, build_scripts = _retired_variants(state, ctx)
        ctx = replace(ctx, retired_variants=retired)
    to_edit = _to_edit(state, name, ctx, gone)
    to_edit += [p for p in build_scripts if p not in set(to_edit)]
    files = [(path, tree.read(path)) for path in to_edit if not tree.is_deleted(path)]
    files = [(path, text, removal_kind(path, text)) for path, text in files if text is not None]
    modules = _terraform_modules(state, [path for path, _, kind in files if kind == "hcl"])
    # The other .tf files of those modules may refer to a block made for the component under
    # another name (`module.ecr`): the HCL editor removes those references too.
    listed = {path for path, _, _ in files}
    files += [(path, text, "hcl") for module in modules.values() for path, text in module.items()
              if path not in listed]
    # Inputs only the component read leave their module, and the calls that pass them lose them.
    dropped = tuple((folder, names) for folder, module in sorted(modules.items())
                    if (names := hcl.dropped_inputs(ctx, module)))
    if dropped:
        ctx = replace(ctx, dropped_inputs=dropped)
        listed |= {path for path, _, _ in files}
        files += [(path, text, "hcl") for path, text in _callers(state, ctx) if path not in listed]
    # A module's Markdown (terraform-docs tables) is judged against its .tf files once edited.
    listed = {path for path, _, _ in files}
    files += [(path, text, "markdown") for path, text in _module_docs(state, modules) if path not in listed]
    # a paths= scope: the other files stay as they are; another tool's configuration stays whole
    files = [f for f in files if state.in_scope(f[0]) and f[0] not in state.others_config]
    # `.env` files first: a compose file loses the pass-through of a variable they lost; compose
    # files next: a Makefile loses the lines that run a compose service they lost. Then
    # templates: a template block that stays keeps the values it reads in its chart; Markdown
    # last: its terraform-docs rows follow the declarations the other edits removed.
    files.sort(key=lambda f: _order(f[0], f[2]))
    crossing = _Crossing(state, name)
    kept: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for path, text, kind in files:
        editor = editor_for(kind)
        if editor is None:
            continue
        chart_values = kept.get(posixpath.dirname(path), ())
        module = modules.get(posixpath.dirname(path), {}) if kind == "hcl" else {}
        docs = _undeclared(tree, posixpath.dirname(path)) if kind == "markdown" else frozenset()
        result = _edit(editor, text, crossing.context(replace(
            ctx, kept_values=tuple(chart_values), path=path, undeclared=docs,
            neighbours=tuple((p, t) for p, t in module.items() if p != path)), kind))
        crossing.edited(path, kind, text, result.text)
        if kind == "helm" and "/templates/" in path:
            chart = path.split("/templates/", 1)[0]
            kept.setdefault(chart, []).extend(
                (read, f"the template block at {path}:{r.line}, which was refused,")
                for r in result.refused for read in r.reads)
        _record(state, editor, path, text, result)
    crossing.services_gone()
    crossing.refuse_calls()
    _operated_resources(state, name)
    _follow_quoted_copies(state, files)
    pages = crossing.settings_pages()
    if pages:
        _unlink_pages(state, ctx, pages, {path for path, _, _ in files})


# Kubernetes' and Helm's own label domains: their labels mean more than any one selector.
_STANDARD_LABEL_DOMAINS = ("kubernetes.io", "k8s.io", "helm.sh")


def _orphaned_labels(tree, deleted: frozenset[str]) -> frozenset[str]:
    """The label keys the deleted YAML files selected on (`matchLabels`, a Kyverno `selector`)
    that the files left write only as labels (`  snapshot.home.cluster/enabled: "true"`): what
    made a resource the deleted component's target, now meaningless (budimanjojo removed the
    kopia snapshot policy's label from 16 PVCs). A key some file left still selects on, or uses
    otherwise (`kubectl get -l key`), stays."""
    keys = set()
    for path in sorted(deleted):
        text = tree.original(path) if path.endswith((".yaml", ".yml")) else None
        text = text if text and "matchLabels" in text else None
        try:
            docs = load_safe(text) if text else []
        except (YAMLError, RecursionError, ValueError):
            continue
        keys |= {k for doc in docs for k in _match_label_keys(doc)
                 if "/" in k and not k.split("/", 1)[0].endswith(_STANDARD_LABEL_DOMAINS)}
    orphaned = set()
    for key in sorted(keys):
        entry = re.compile(rf"""^[ \t]*["']?{re.escape(key)}["']?[ \t]*:""")
        live = [p for p in tree.grep(Literals([key])) if not tree.is_deleted(p)]
        lines = [line for p in live for line in (tree.read(p) or "").splitlines() if key in line]
        if lines and all(entry.match(line) for line in lines) \
                and not any(_selects(tree.read(p) or "", key) for p in live):
            orphaned.add(key)
    return frozenset(orphaned)


def _match_label_keys(node) -> set[str]:
    if isinstance(node, dict):
        found = set(node["matchLabels"]) if isinstance(node.get("matchLabels"), dict) else set()
        return found.union(*(_match_label_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_match_label_keys(v) for v in node))
    return set()


def _selects(text: str, key: str) -> bool:
    """Whether a text's YAML selects on label `key` (a `matchLabels` holding it)."""
    try:
        return any(key in _match_label_keys(doc) for doc in load_safe(text))
    except (YAMLError, RecursionError, ValueError):
        return True  # unreadable: it may select on it


def _substitutions(tree, name: ServiceName, candidates: list[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The Flux `postBuild.substitute` variables named for the component (`VOLSYNC_*`), split
    into those no file left reads as `${NAME}` other than by passing it on (`NAME: ${NAME}`): the
    component's settings, read only by its deleted files (joryirving's VOLSYNC_SNAPSHOTCLASS);
    and those still read (Leftovers.unused_substitutions, used_substitutions). Both the
    definitions and the reads name the component: only its `candidates` are read."""
    named = set()
    for path in tree.grep(Literals([b"substitute"]), among=candidates):
        if path.endswith((".yaml", ".yml")) and not tree.is_deleted(path):
            named |= {k for k in _substitute_keys(tree.read(path) or "") if name.owns(k)}
    if not named:
        return frozenset(), frozenset()
    # passing a variable on (`NAME: ${NAME}`, in a patch) is no read of it
    passed_on = {k: re.compile(rf"\s*{re.escape(k)}:\s*[\"']?\$\{{{re.escape(k)}\}}[\"']?\s*") for k in named}
    used = set()
    for path in tree.grep(Literals(["${" + k for k in sorted(named)]), among=candidates):
        if tree.is_deleted(path):
            continue
        for line in (tree.read(path) or "").splitlines():
            used |= {k for k in named if "${" + k in line and not passed_on[k].fullmatch(line)}
    return frozenset(named - used), frozenset(used)


_SUBSTITUTE_KEY_RE = re.compile(r"^(?P<i>[ \t]*)substitute:[ \t]*\n(?P<body>(?:(?P=i)[ \t]+[^\n]*\n)+)", re.MULTILINE)


def _substitute_keys(text: str) -> set[str]:
    """The keys of the `substitute:` maps of a text, as written (block maps; also inside a
    patch's block scalar, which a YAML parse would not open)."""
    return {m.group(1) for block in _SUBSTITUTE_KEY_RE.finditer(text)
            for m in re.finditer(r"^[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*:", block.group("body"), re.MULTILINE)}


def _peers(gone: Gone, name: ServiceName) -> frozenset[str]:
    """The names of the folders and files beside the deleted ones named for the component
    (`forgejo` of `database/clusters/forgejo.yaml` beside the deleted `temporal.yaml`)."""
    def stem(path: str) -> str:
        return posixpath.basename(path).split(".", 1)[0]

    mine = [d for d in gone.deleted if name.owns(stem(d))]
    parents = {posixpath.dirname(d) for d in mine}
    return frozenset(stem(p) for p in gone.folders | gone.files
                     if posixpath.dirname(p) in parents and p not in gone.deleted and stem(p)
                     and not name.owns(stem(p)))


# A kustomize list written empty: `resources: []`.
_EMPTY_KUSTOMIZE_LIST_RE = re.compile(r"^[ \t]*(?:" + "|".join(sorted(KUSTOMIZE_LISTS)) + r"):[ \t]*\[\][ \t]*$",
                                      re.MULTILINE)


# The role word of an operator's name: `dragonfly-operator` runs the objects of `dragonflydb.io`.
_OPERATOR_ROLES = frozenset({"operator", "controller"})
_API_VERSION_RE = re.compile(r"^\s*(?:-\s+)?apiVersion:\s*[\"']?(?P<group>[a-z0-9.-]+\.[a-z]+)/[\w.]+")


def _operated_resources(state: RunState, name: ServiceName) -> None:
    """Refuse, with the reason, each remaining manifest or health check of the API group an
    operator the run removed served (`dragonfly-operator` and `dragonflydb.io`: the group's
    name is the operator's less its role word, and a short suffix): its CRDs go with the
    operator, so the object cannot apply; another app's database instance is not the bot's to
    delete (groups the component's own name spells are its objects, removed by the editors)."""
    if len(name.tokens) < 2 or name.tokens[-1] not in _OPERATOR_ROLES:
        return
    base = "".join(name.tokens[:-1])
    tree = state.tree
    for path in tree.grep(Literals([base])):
        text = tree.read(path) if path.endswith((".yaml", ".yml")) and state.in_scope(path) else None
        for number, line in enumerate((text or "").splitlines(), start=1):
            m = _API_VERSION_RE.match(line)
            label = m.group("group").split(".")[-2] if m else ""
            if label.startswith(base) and len(label) - len(base) <= 3 and not name.identifies(label):
                why = (f"refers to objects of {m.group('group')}, whose operator {name.raw} this change removes: it "
                       "cannot apply without its CRDs; remove or replace it by hand")
                state.refused.append(Finding(path, number, line.strip(), why, Kind.DANGLING))


def _writes_empty_lists_bracketed(tree) -> bool:
    """Whether one of the repository's kustomizations writes an empty list as `[]` (its
    convention for a list the removal empties; without one, the bare key stays)."""
    kustomizations = [p for p in tree.paths() if is_kustomization(p)]
    return any(_EMPTY_KUSTOMIZE_LIST_RE.search(tree.read(p) or "")
               for p in tree.grep(Literals([b"[]"]), among=kustomizations))


def _follow_quoted_copies(state: RunState, files: list[tuple[str, str, str]]) -> None:
    """Documentation pages that quote an edited file in a code fence lose the lines the edit
    deleted there too (quoted_copies: only where the fence holds the same lines around them)."""
    tree = state.tree
    wanted = [d for path, before, kind in files if kind != "markdown" and not tree.is_deleted(path)
              for d in quoted_copies.deletions(before, tree.read(path) or "")]
    if not wanted:
        return
    removed = Literals({line.strip() for d in wanted for line in d.removed if line.strip()})
    editor = editor_for("markdown")
    pages = [p for p in tree.paths() if markdown.claims(p, "") and not tree.is_deleted(p) and state.in_scope(p)]
    for path in tree.grep(removed, among=pages):
        text = tree.read(path)
        if text is None or removal_kind(path, text) != "markdown":
            continue
        after = quoted_copies.apply(text, wanted)
        if after != text:
            tree.write(path, after)
            if not any(v.path == path for v in state.validation):
                state.validation.append(Validation(path, editor.CHECK, True))


def _unlink_pages(state: RunState, ctx: RemovalContext, pages: list[str], edited: set[str]) -> None:
    """The documentation pages settings_pages deleted (after the edits: which settings went is
    known only then) are linked from index pages and site navigation (`| [AWS Distro for Open
    Telemetry](../add-ons/aws-open-telemetry.md) | ...`, mkdocs.yml's `nav:`): the files that
    refer to them, and that the edits above did not read, lose those entries as for any deleted
    path. A file they read is not edited twice (its refusals would be reported twice): the
    reference check lists what is left there."""
    tree = state.tree
    gone = gone_paths(tree)
    among = [p for p in tree.grep(Literals({posixpath.basename(p) for p in pages}))
             if p not in edited and not tree.is_deleted(p) and state.in_scope(p)]
    for path, _ in sorted(referring(tree, gone, among=among).items()):
        text = tree.read(path)
        kind = removal_kind(path, text) if text is not None else None
        editor = editor_for(kind) if kind else None
        if editor is not None:
            _record(state, editor, path, text, _edit(editor, text, replace(ctx, path=path, deleted_paths=gone.deleted)))


class _Crossing:
    """What one file's edit tells the files edited after it: the variables removed from `.env`
    files (compose files lose their pass-throughs) and the compose services removed (Makefiles
    lose the lines that run them). What the run removed under names of its own (compose
    services, make targets) may still be named elsewhere (`make run-tracetesting` in a
    workflow): the residue lists those names too. The variables named like the component that
    a `.env` file still sets after its edit (another component's: `LLM_MODEL` of an agent) stay
    documented too: a Markdown row about one is refused, not removed."""

    def __init__(self, state: RunState, name: ServiceName) -> None:
        self.state = state
        self.name = name
        self.variables: list[tuple[str, frozenset[str]]] = []
        self.kept_variables: set[str] = set()  # named like the component, still set in a `.env`
        self.services: set[str] = set()  # compose services removed from a file...
        self.settled = False  # ...less those a compose file still defines, once all are edited
        self.targets: set[str] = set()  # make targets removed, whose callers are refused at the end
        self.settings: set[str] = set()  # Terraform variables and attributes removed (settings_pages)

    def context(self, ctx: RemovalContext, kind: str) -> RemovalContext:
        if kind == make.KIND:
            self.services_gone()
        return replace(ctx, removed_variables=tuple(self.variables), removed_services=frozenset(self.services),
                       kept_variables=frozenset(self.kept_variables))

    def edited(self, path: str, kind: str, before: str, after: str) -> None:
        if kind == env_file.KIND:
            self.kept_variables |= {n for n, _ in env_file.assignments(after) if self.name.owns(n)}
        if before == after:
            return
        if kind == env_file.KIND:
            self.variables.append((posixpath.dirname(path), env_file.removed_names(before, after)))
        elif kind == "yaml" and _COMPOSE_FILE_RE.match(path.rpartition("/")[2]):
            self.services |= yaml_apps.removed_compose_services(before, after)
        elif kind == "hcl":
            self.settings |= hcl.removed_settings(before, after)
        elif kind == make.KIND:
            gone = make.targets(before) - make.targets(after)
            self._list(gone)
            self.targets |= gone

    def services_gone(self) -> None:
        """Settle the removed compose services once every compose file is edited (they come
        first): an override removed from one file leaves its service defined in another."""
        if self.settled or not self.services:
            return
        self.settled = True
        self.services -= _compose_services(self.state)
        self._list(self.services)

    def refuse_calls(self) -> None:
        """A line elsewhere that still runs a removed make target (`make run-tracetesting` in a
        workflow step) would fail: refused and listed, for a human to remove or replace (comments
        and documentation pages are residue). A GitHub workflow that exists only to run such
        targets (_only_runs) is deleted instead. The pass over the tree that finds the files for all
        the targets also finds the residue's candidates (the names are known once the edits are
        done): one pass, not two."""
        calls = {t: _make_call(re.escape(t)) for t in sorted(self.targets)}
        if not calls:
            return
        tree, found = self.state.tree, []
        holding = self.state.prefetch_candidates(self.state.residue_names, also=Literals(calls))
        # Compiled application source is never edited (its mentions of the targets are residue).
        for path in (p for p in holding if not p.endswith(_COMPILED_SOURCE)):
            text = tree.read(path) if self.state.in_scope(path) else None
            if text is None or classify(path, text) in _PROSE:
                continue  # a page that tells readers to run it is residue (prose)
            found += [(target, path, number, line) for number, line in enumerate(text.splitlines(), start=1)
                      if not line.lstrip().startswith("#") for target, call in calls.items() if call.search(line)]
        # a workflow that exists to run them (every job only sets up and runs one) goes whole
        for path in sorted({path for _, path, _, _ in found}):
            if _WORKFLOW_RE.match(path) and _only_runs(tree.read(path) or "", list(calls.values())):
                tree.delete(path)
        found = [f for f in found if not tree.is_deleted(f[1])]
        self.state.refused.extend(Finding(path, number, line, f"runs make target {target}, which the run removed: "
                                          "remove or replace the call", Kind.KEPT)
                                  for target, path, number, line in sorted(found))

    def settings_pages(self) -> list[str]:
        """Delete the documentation pages that are only about settings the edits removed (named
        after one, every code sample setting only removed ones: markdown.documents_only), such
        as the page telling how to enable the removed add-on, whatever its own spelling of the
        name (`aws-open-telemetry.md` for `aws-opentelemetry-eks`)."""
        settings = frozenset(s for s in self.settings if len(s) > 3)
        if not settings:
            return []
        tree = self.state.tree
        deleted = []
        for path in tree.grep(Literals(settings)):
            if path.endswith((".md", ".markdown")) and self.state.in_scope(path) and not tree.is_deleted(path) \
                    and markdown.documents_only(path, tree.read(path) or "", settings):
                tree.delete(path)
                deleted.append(path)
        return deleted

    def _list(self, names: set[str]) -> None:
        for raw in sorted(names):
            if any(c.isalpha() for c in raw) and "$" not in raw:
                self.state.add_residue_name(self.state.name(raw))


_WORKFLOW_RE = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")
# Steps that only prepare a job (check the code out, install a toolchain): no work of their own.
_SETUP_ACTION_RE = re.compile(r"^[\w.-]+/(?:checkout|setup-[\w-]+)(?:@|$)")


def _only_runs(text: str, calls: list[re.Pattern[str]]) -> bool:
    """Whether a GitHub workflow exists only to run the removed make targets: not reusable
    (`workflow_call`: other workflows call it), and every job has steps, each a setup action
    (checkout, setup-*) or a `run:` script that calls one of them (`make build && make
    run-tracetesting`), at least one of the latter."""
    try:
        docs = load_safe(text)
    except YAMLError:
        return False
    doc = docs[0] if len(docs) == 1 else None
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict) or not doc["jobs"]:
        return False
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on:` key as true
    if triggers == "workflow_call" or isinstance(triggers, (dict, list)) and "workflow_call" in triggers:
        return False
    return all(_job_only_runs(job, calls) for job in doc["jobs"].values())


def _job_only_runs(job: object, calls: list[re.Pattern[str]]) -> bool:
    steps = job.get("steps") if isinstance(job, dict) else None
    if not isinstance(steps, list) or not steps:
        return False
    runs = 0
    for step in steps:
        if not isinstance(step, dict):
            return False
        if isinstance(step.get("uses"), str) and "run" not in step and _SETUP_ACTION_RE.match(step["uses"]):
            continue
        script = step.get("run")
        lines = [ln for ln in script.splitlines() if not ln.lstrip().startswith("#")] if isinstance(script, str) else []
        if not any(call.search(ln) for ln in lines for call in calls):
            return False
        runs += 1
    return runs > 0


# Application source in compiled languages and generated data: never a script that runs make.
_COMPILED_SOURCE = (".go", ".java", ".kt", ".rs", ".c", ".h", ".cpp", ".cs", ".swift", ".scala", ".mod", ".sum",
                    ".proto", ".sql", ".css", ".html", ".xml", ".gradle", ".vue", ".php", ".tsx", ".jsx")


def _make_call(target: str) -> re.Pattern[str]:
    """A `make ...` (or `$(MAKE) ...`) invocation naming `target` (a regex) among its words."""
    return re.compile(r"(?:\bmake|\$[({]MAKE[)}])\s[^\n#]*?(?<![\w./-])(?:" + target + r")(?![\w./-])")


def _compose_services(state: RunState) -> set[str]:
    """The services the repository's compose files define now."""
    found: set[str] = set()
    for path in state.tree.paths():
        if _COMPOSE_FILE_RE.match(path.rpartition("/")[2]) and not state.tree.is_deleted(path):
            found |= yaml_apps.compose_services(state.tree.read(path) or "")
    return found


_ORDER = {"helm": 0, "markdown": 2}
_PROSE = frozenset({"markdown", "rst"})


def _order(path: str, kind: str) -> int:
    """Where a file comes in the edits: `.env` files, compose files, Helm templates, the rest,
    Markdown (see run)."""
    if kind == env_file.KIND:
        return -2
    if _COMPOSE_FILE_RE.match(path.rpartition("/")[2]):
        return -1
    return _ORDER.get(kind, 1)
# Top-level Terraform declarations, with the prefix terraform-docs gives their anchors.
_DECLARATION_RE = re.compile(r'^(variable|output|module)\s+"([^"]+)"', re.MULTILINE)
_ANCHOR_KIND = {"variable": "input", "output": "output", "module": "module"}


def _module_docs(state: RunState, modules: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """The Markdown files at the top of each Terraform module folder the run edits: their
    terraform-docs tables may document what the edits remove."""
    found = []
    for folder in modules:
        paths = state.tree.under(folder) if folder else state.tree.paths()
        for path in paths:
            if posixpath.dirname(path) == folder and path.endswith(".md") and not state.tree.is_deleted(path):
                text = state.tree.read(path)
                if text is not None:
                    found.append((path, text))
    return found


def _undeclared(tree, folder: str) -> frozenset[str]:
    """terraform-docs anchors (`input_x`, `output_y`, `module_z`) of the declarations this run
    removed from the .tf files directly in `folder`."""
    before: set[str] = set()
    after: set[str] = set()
    for path in tree.touched():
        if path.endswith(".tf") and posixpath.dirname(path) == folder:
            for text, names in ((tree.original(path), before), (tree.read(path), after)):
                names.update(f"{_ANCHOR_KIND[k]}_{n}" for k, n in _DECLARATION_RE.findall(text or ""))
    return frozenset(before - after)


def _removed_secrets(tree, deleted: frozenset[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """The secrets the deleted YAML files defined, by folder (RemovalContext.removed_secrets),
    less those another file of the folder still defines."""
    found: dict[str, set[str]] = {}
    for path in sorted(deleted):
        if path.endswith((".yaml", ".yml")) and (names := yaml_file.defined_secrets(tree.original(path) or "")):
            found.setdefault(posixpath.dirname(path), set()).update(names)
    for folder, names in found.items():
        for path in tree.under(folder) if folder else tree.paths():
            if posixpath.dirname(path) == folder and not tree.is_deleted(path) and path.endswith((".yaml", ".yml")):
                names -= yaml_file.defined_secrets(tree.read(path) or "")
    return tuple((folder, frozenset(names)) for folder, names in found.items() if names)


def _to_edit(state: RunState, name, ctx: RemovalContext, gone: Gone) -> list[str]:
    """The files that mention the name and, when the run deleted files, every kustomization
    file (its `resources:` may list a deleted file under another name: kustomize cannot build a
    missing resource) and every file naming a deleted path by its path (a workflow `paths:`
    filter, a Dockerfile COPY): the editors remove only entries whose target was deleted; every
    ignore file (a pattern there may name a deleted folder under another name); the YAML files
    requesting a deleted device plugin's resources; and when a `.env` file names it, the compose
    files beside it, which may pass its variables through."""
    paths = list(state.candidates(name))
    seen = set(paths)
    env_folders = {posixpath.dirname(p) for p in paths if env_file.claims(p, "")}
    if ctx.deleted_paths:
        paths += [p for p in state.tree.paths() if p not in seen and (
            is_kustomization(p) or ignore_file.claims(p, ""))]
        seen.update(paths)
        paths += [p for p in referring(state.tree, gone, among=state.deleted_path_files(gone)["refs"])
                  if p not in seen]
        seen.update(paths)
    for folder, secrets in ctx.removed_secrets:  # workloads beside a deleted secret may read it
        paths += [p for p in (state.tree.under(folder) if folder else state.tree.paths())
                  if p not in seen and posixpath.dirname(p) == folder and not state.tree.is_deleted(p)
                  and any(s in (state.tree.read(p) or "") for s in secrets)]
        seen.update(paths)
    if ctx.leftovers.orphaned_labels:  # resources labelled for what only deleted files selected
        paths += [p for p in state.tree.grep(Literals(sorted(ctx.leftovers.orphaned_labels)))
                  if p not in seen and p.endswith((".yaml", ".yml")) and not state.tree.is_deleted(p)]
        seen.update(paths)
    if ctx.leftovers.device_prefixes:  # workloads requesting the deleted device plugin's resources
        paths += [p for p in state.tree.grep(Literals([d + "/" for d in sorted(ctx.leftovers.device_prefixes)]))
                  if p not in seen and p.endswith((".yaml", ".yml"))]
        seen.update(paths)
    if env_folders:
        paths += [p for p in state.tree.paths() if p not in seen and p.rpartition("/")[0] in env_folders
                  and _COMPOSE_FILE_RE.match(p.rpartition("/")[2])]
    return paths


_COMPOSE_FILE_RE = re.compile(r"(docker-)?compose([.-][\w.-]+)?\.ya?ml$")


def _terraform_modules(state: RunState, paths: list[str]) -> dict[str, dict[str, str]]:
    """The `.tf` files of each folder holding one of `paths` (a Terraform module: what one file
    declares the others may reference), with their text before this operation edits any."""
    folders = {posixpath.dirname(path) for path in paths}
    modules: dict[str, dict[str, str]] = {folder: {} for folder in folders}
    if not folders:
        return modules
    tree = state.tree
    for path in tree.paths():
        if not path.endswith(".tf"):
            continue
        folder = posixpath.dirname(path)
        if folder in modules and not tree.is_deleted(path):
            text = tree.read(path)
            if text is not None:
                modules[folder][path] = text
    return modules


def _callers(state: RunState, ctx: RemovalContext) -> list[tuple[str, str]]:
    """The .tf files that may pass an input some module drops (the editor judges each call)."""
    found = []
    for path in state.tree.paths():
        if path.endswith(".tf") and not state.tree.is_deleted(path):
            text = state.tree.read(path)
            if text is not None and hcl.may_call(ctx, text):
                found.append((path, text))
    return found


def _retired_variants(state: RunState, ctx: RemovalContext) -> tuple[frozenset[str], list[str]]:
    """The image variants of the deleted component that no file deploys once this run has edited
    it (each file that names one, edited on its own, no longer does; shell scripts only build
    them), and the scripts in scope that name one: a block there that only builds it goes."""
    tree = state.tree
    retired, scripts = set(), set()
    for suffix, _ in ctx.image_variants:
        named, deployed = variant_re(suffix), False
        for path in tree.paths():
            text = None if tree.is_deleted(path) else tree.read(path)
            if text is None or "-" + suffix not in text or not named.search(text):
                continue
            if shell.claims(path, text):
                scripts.add(path)
                continue
            editor = editor_for(removal_kind(path, text)) if state.in_scope(path) else None
            if editor is None or named.search(_edit(editor, text, ctx).text):
                deployed = True
                break
        if not deployed:
            retired.add(suffix)
    return frozenset(retired), sorted(p for p in scripts if state.in_scope(p)) if retired else []


def _edit(editor, text: str, ctx: RemovalContext) -> EditResult:
    progress().editor()
    try:
        return editor.remove(text, ctx)
    except Unparsable as exc:
        return _unparsable(text, ctx, exc.line, str(exc))
    except RecursionError:  # our own walk of a parsed tree can be deeper than Python allows
        return _unparsable(text, ctx, 1, "nested too deeply to edit safely")


def _unparsable(text: str, ctx: RemovalContext, line: int, problem: str) -> EditResult:
    """A file that does not parse is left as it is: refused and listed when it names the
    component (a human finishes it), passed over when it does not."""
    if not ctx.name.mentions(text):
        return EditResult(text)
    return EditResult(text, [Refusal(line, f"cannot parse it ({problem}): nothing in it was changed; "
                                           "remove the references by hand", kind=Kind.UNPARSABLE)])


def _record(state: RunState, editor, path: str, text: str, result) -> None:
    """Write an editor's result to the tree and report its refusals and validation."""
    tree = state.tree
    for refusal in result.refused:
        state.refused.append(Finding(path, refusal.line, _line(text, refusal.line), refusal.reason, refusal.kind))
        if refusal.kind is Kind.UNVERIFIED:
            state.validation.append(Validation(path, editor.CHECK, False, refusal.reason))
    if result.text != text and not result.text.strip():
        tree.delete(path)  # nothing but the service was in it (a template inside one `if`): a human deletes it
    elif result.text != text:
        tree.write(path, result.text)
        state.validation.append(Validation(path, editor.CHECK, True))
        old_lines = text.splitlines()
        state.notes.extend(Finding(path, line, _line(text, line).strip(), why) for line, why in result.notes)
        for comment in dict.fromkeys(result.kept_comments):
            if comment in old_lines:
                state.notes.append(Finding(path, old_lines.index(comment) + 1, comment.strip(),
                                           "comment above a removed entry: check it still applies"))


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""
