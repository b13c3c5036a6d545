"""The state a recipe run threads through its operations."""

from __future__ import annotations

import collections
import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from gitops_bot.domain.config import RepoConfig
from gitops_bot.domain.findings import Conflict, Finding, Validation
from gitops_bot.domain.lookups import NoLookups, ReleaseLookup
from gitops_bot.domain.imports import go_import_prefixes, go_modules
from gitops_bot.domain.names import ServiceName, learn_split, service_name, words
from gitops_bot.domain.pathrefs import Gone
from gitops_bot.domain.scope import PathScope, parse_scope
from gitops_bot.domain.versions import Tool, find_tool, load_catalogue
from gitops_bot.domain.worktree import Literals, Matcher, Probe, Worktree
from gitops_bot.errors import UserError

# Folders whose sub-folders are components (services/<name>, charts/<name>, apps/<env>/<name>.yaml).
_CHART_NAME_RE = re.compile(r"^name:[ \t]*[\"']?([\w.-]+)", re.MULTILINE)
_COMPONENT_PARENTS = frozenset({"services", "charts", "packages", "components", "apps", "cmd"})
# How folders of environments (or a kustomize base and its overlays) are named.
_ENVIRONMENTS = frozenset({"base", "overlays", "production", "prod", "staging", "stage", "dev", "development",
                           "test", "testing", "qa", "uat", "preprod", "sandbox", "local"})


@dataclass
class RunState:
    """The in-memory tree plus what operations report about it."""

    tree: Worktree
    # The repository's configuration, parsed once where the run starts (the CLI from the
    # checkout, the action from the default branch under its `config:` name, run_recipe from the
    # tree when given none). None: the built-in catalogue only.
    config: RepoConfig | None = None
    # How operations look things up outside the repository (the caller's; by default nothing
    # is looked up and what would need it is reported).
    releases: ReleaseLookup = field(default_factory=NoLookups)
    refused: list[Finding] = field(default_factory=list)
    validation: list[Validation] = field(default_factory=list)
    residue_names: list[ServiceName] = field(default_factory=list)
    # Residue the operations found themselves; lines are the original text's (the engine maps
    # them into the result).
    notes: list[Finding] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # What an operation found before changing anything (set-version: each version and its form).
    found: list[Finding] = field(default_factory=list)
    # The files the run may change (`paths=`); None: the whole tree.
    scope: PathScope | None = None
    # Files the component's footprint found to be another tool's configuration though named for
    # it (footprint.Footprint.others): kept whole and listed, so no editor refuses or edits them.
    others_config: set[str] = field(default_factory=set)
    _known: frozenset[str] | None = None
    _component_dirs: dict[str, str] | None = None
    _project_dirs: frozenset[str] | None = None
    _checked: set[str] = field(default_factory=set)
    _candidates: dict[str, list[str]] = field(default_factory=dict)
    _catalogue: dict[str, Tool] | None = None
    _names: dict[str, ServiceName] = field(default_factory=dict)
    # The deleted paths of the last deleted_path_files pass, and the files it found.
    _gone_hits: tuple[frozenset[str], frozenset[str]] | None = None
    _go_modules: dict[str, str] | None = None
    _charts: list[str] | None = None  # the Chart.yaml files of the tree

    @property
    def catalogue(self) -> dict[str, Tool]:
        """The tool catalogue of this run: the built-in tools and the configuration's `tools:`."""
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.config)
        return self._catalogue

    def tool(self, name: str) -> Tool:
        """The catalogue's tool `name`; UserError naming the known tools otherwise."""
        return find_tool(name, self.catalogue)

    def known_components(self) -> frozenset[str]:
        """Names of the repository's components (folders under services/, charts/, ..., the
        ArgoCD apps, and each project folder: one with a Dockerfile, go.mod, package.json, ...),
        so that `video-service` is never mistaken for part of a longer sibling such as
        `video-service-gateway`."""
        if self._known is None:
            found = set(self.component_dirs().values())
            # a project name several projects share (`server`, `app`) is structure, not a component
            projects = collections.Counter(d.rsplit("/", 1)[-1] for d in self.project_dirs())
            found.update(n for n, count in projects.items() if count == 1)
            for p in self.tree.paths():
                parts = p.split("/")
                if len(parts) >= 3 and parts[-3] == "apps" and p.endswith((".yaml", ".yml")):
                    found.add(parts[-1].rsplit(".", 1)[0])
            self._known = frozenset(found)
        return self._known

    def component_dirs(self) -> dict[str, str]:
        """Each component directory (`services/video-service`) and the component it holds. Under
        a folder of environments (`apps/base`, `apps/production`, `apps/staging`: sub-folders of
        a component parent named as environments are named, sharing two or more sub-folder
        names with another such, Flux's example layout) the components are one level down
        (`apps/base/homarr`). Two services that both have `cmd/` and `internal/` are not that.
        An app's own kustomize components (`longhorn/app/components/backup` beside the app's
        `base/` and its environments' `overlays/`) are parts of that app, not components of the
        repository; a repository's kustomize components (`kustomize/components/spanner` beside
        `kustomize/base` alone) are its removable features."""
        if self._component_dirs is None:
            self._component_dirs = {}
            below: dict[str, set[str]] = collections.defaultdict(set)
            for d in self.tree.dirs():
                parent, _, base = d.rpartition("/")
                below[parent].add(base)
            for d in self.tree.dirs():
                parts = d.split("/")
                if len(parts) >= 2 and parts[-2] in _COMPONENT_PARENTS:
                    parent = d.rpartition("/")[0]
                    if parts[-2] == "components" and {"base", "overlays"} <= below[parent.rpartition("/")[0]]:
                        continue
                    siblings = [below[f"{parent}/{s}"] for s in below[parent]
                                if s != parts[-1] and s in _ENVIRONMENTS]
                    if parts[-1] in _ENVIRONMENTS and any(len(below[d] & other) >= 2 for other in siblings):
                        self._component_dirs.update({f"{d}/{c}": c for c in below[d]})
                    else:
                        self._component_dirs[d] = parts[-1]
        return self._component_dirs

    def project_dirs(self) -> frozenset[str]:
        """Folders that are a component's project from their own content (a Dockerfile, go.mod,
        package.json, ...), wherever they are: what a same-named file inside belongs to."""
        if self._project_dirs is None:
            from gitops_bot.ops.footprint import project_dirs  # a removal's, not every run's, import

            self._project_dirs = project_dirs(self.tree)
        return self._project_dirs

    def candidates(self, name: ServiceName) -> list[str]:
        """Files in scope whose original text matches the name's prefilter (one pass over the
        tree per name). Every file a remove operation edits, and every residue mention, is among
        them or among the files an operation wrote."""
        self.prefetch_candidates([name])
        return self._candidates["-".join(name.short)]

    def prefetch_candidates(self, names: Iterable[ServiceName], also: Matcher | None = None) -> list[str]:
        """Fill the candidates of several names in one pass over the tree (each file read once
        for all their prefilters) rather than one pass per name; the files `also` matches, found
        in the same pass (a caller's own prefilter, in scope or not), are returned."""
        wanted: dict[object, Matcher] = {"-".join(n.short): n.prefilter() for n in names}  # by what it searches
        wanted = {key: prefilter for key, prefilter in wanted.items() if key not in self._candidates}
        new = [n for n in names if "-".join(n.short) in wanted]
        if also is not None:
            wanted[None] = also
        if not wanted:
            return []
        probes = {("probe", word): Probe(word) for word in self._foreseen(new)}
        hits = self.tree.grep_many({**wanted, **probes})
        for key, paths in hits.items():
            if key is not None and key not in probes:
                self._candidates[key] = [p for p in paths if self.in_scope(p)]
        return hits.get(None, [])

    def _foreseen(self, names: list[ServiceName]) -> set[str]:
        """Words the pass for `names` also looks for, for later passes only: the longest word of
        each make target whose rule mentions one of them without naming it (`e2e-media:` running
        the component's tests). A removal that empties such a rule lists the target's name, and
        the pass for that name then reads only the files the first pass saw holding the word
        (Worktree.grep_many's gates) instead of the whole tree again."""
        if not names:
            return set()
        from gitops_bot.edit import make  # a removal's, not every run's, import

        found: set[str] = set()
        for path in self.tree.paths():
            if make.claims(path, ""):
                text = self.tree.original(path)
                for name in names if text else ():
                    prefilter = name.prefilter()
                    if prefilter.passes(text):
                        found |= {max(words(t), key=len) for t in make.targets_mentioning(text, prefilter.passes)
                                  if words(t) and prefilter.first_text not in t.lower()}
        return found

    def go_modules(self) -> dict[str, str]:
        """The repository's Go modules from its go.mod files as they were (read once per run)."""
        if self._go_modules is None:
            self._go_modules = go_modules((p, self.tree.original(p) or "") for p in self.tree.paths()
                                          if p.rpartition("/")[2] == "go.mod")
        return self._go_modules

    def deleted_path_files(self, gone: Gone) -> dict[str, list[str]]:
        """The files whose bytes hold a deleted path's name (`refs`) or a word an import of one
        holds (`imports`). At most one pass over the tree per run, and usually none: the names
        of what a removal deletes hold the component's name, which the name's own pass found
        (see Worktree.grep_many). Asked again for the same deleted paths (after the edits), only
        the files found before and those the run wrote since are read again, as no other file
        has changed."""
        words = {"refs": Literals(gone.basenames),
                 "imports": Literals({n.split(".", 1)[0] or n for n in gone.basenames}
                                     | go_import_prefixes(self.go_modules(), gone))}
        if self._gone_hits is not None and self._gone_hits[0] == gone.deleted:
            return self.tree.grep_many(words, among=sorted(self._gone_hits[1] | set(self.tree.touched())))
        hits = self.tree.grep_many(words)
        self._gone_hits = (gone.deleted, frozenset(p for found in hits.values() for p in found))
        return hits

    def limit_to(self, paths: str) -> None:
        """Limit the run to the files the `paths=` globs cover ("" leaves the whole tree);
        UserError (exit 2) for a malformed glob or one that matches no file."""
        if paths and (self.scope is None or self.scope.text != paths):
            self.scope = parse_scope(paths, self.tree.paths())
            self._candidates.clear()

    def in_scope(self, path: str) -> bool:
        """Whether the run may change `path` (always, without a `paths=` scope)."""
        return self.scope is None or self.scope.matches(path)

    def name(self, raw: str) -> ServiceName:
        """The ServiceName of `raw`: its sibling components, the words a name written as one word
        has where the files that name it write it apart (`feature-flag-service`), and the short
        form its own chart gives it (read once, before any operation deletes the chart)."""
        if raw not in self._names:
            name = service_name(raw, self.known_components())
            if len(name.tokens) == 1:
                texts = (self.tree.original(p) or "" for p in self.candidates(name))
                name = service_name(raw, self.known_components(), learn_split(raw, texts))
            short = self._chart_short_form(name)
            # a short form that is a word of the repository's structure (`ingress:` keys in most
            # charts) would match far more than the component: none then
            if short and self._structural_evidence(service_name("-".join(short), self.known_components())):
                short = ()
            self._names[raw] = replace(name, short_form=short) if short else name
        return self._names[raw]

    def _chart_short_form(self, name: ServiceName) -> tuple[str, ...]:
        """The words of the `name:` of the Chart.yaml in the component's own folder when they are
        the leading words of its name (`metallb` in `system/metallb-system/Chart.yaml`): the
        folder is named after the namespace, the chart after the component. () otherwise, or
        when two such folders disagree."""
        found = set()
        for path in self.chart_files():
            folder = path.rpartition("/")[0]
            if words(folder.rpartition("/")[2]) != name.tokens:
                continue
            chart = words(self.chart_name(path) or "")
            if chart and len(chart) < len(name.tokens) and name.tokens[:len(chart)] == chart:
                found.add(chart)
        return found.pop() if len(found) == 1 else ()

    def chart_files(self) -> list[str]:
        """The Chart.yaml files of the tree (the listing is walked once per run)."""
        if self._charts is None:
            self._charts = [p for p in self.tree.paths() if p.rpartition("/")[2] == "Chart.yaml"]
        return self._charts

    def chart_name(self, path: str) -> str | None:
        """The `name:` a Chart.yaml gives its chart, or None."""
        m = _CHART_NAME_RE.search(self.tree.read(path) or "")
        return m.group(1) if m else None

    def component(self, raw: str) -> ServiceName:
        """The name of a component to remove, checked before anything is deleted: it must hold a
        word, and it must not be a word of the repository's structure (a folder that holds
        components, a file or key that most components have). UserError (exit 2) otherwise."""
        name = self.name(raw)
        if raw in self._checked:
            return name
        if not name.tokens:
            raise UserError(f"{raw!r} is not a component name: it holds no letter or digit")
        if "".join(name.tokens) not in {"".join(words(k)) for k in self.known_components()}:
            longer = [k for k in sorted(self.known_components())
                      if words(k)[:-1] == name.tokens and words(k)[-1] in ("service", "svc")]
            if longer:  # `user` alone would match every `user:` key; the component is `user-service`
                raise UserError(f"{raw!r} is not a component of this repository; did you mean: "
                                f"{', '.join(longer)}?")
            evidence = self._structural_evidence(name)
            if evidence:
                raise UserError(f"{raw!r} is part of the repository's structure, not a component "
                                f"({evidence}); did you mean: {', '.join(self._suggestions(raw))}?")
            close = difflib.get_close_matches(raw, sorted(self.known_components()), n=3, cutoff=0.8)
            if close and not self._named_anywhere(name):  # a typo, not a component already removed
                raise UserError(f"nothing in this repository is named {raw!r}; did you mean: {', '.join(close)}?")
        self._checked.add(raw)
        return name

    def _named_anywhere(self, name: ServiceName) -> bool:
        """Whether any path or any file's text names `name` (its spellings or a path part it owns)."""
        quick = name.prefilter()
        if any(quick.passes(p) and any(name.owns(part.split(".", 1)[0]) for part in p.split("/"))
               for p in self.tree.paths()):
            return True
        regex = name.mention_regex()
        return any(regex.search(self.tree.read(p) or "") for p in self.candidates(name))

    def _structural_evidence(self, name: ServiceName) -> str | None:
        """Why `name` looks like structure rather than a component, or None."""
        return self._folder_of_components(name) or self._shared_by_most(name)

    def _folder_of_components(self, name: ServiceName) -> str | None:
        """A folder of that name holding several components (`k8s/`, `charts/`)."""
        comps = self.component_dirs()
        for d in self.tree.dirs():
            if name.identifies(d.rsplit("/", 1)[-1]):
                inside = {c for cd, c in comps.items() if cd.startswith(d + "/")}
                if len(inside) >= 2:
                    return f"the folder {d}/ holds {len(inside)} components"
        return None

    def _shared_by_most(self, name: ServiceName) -> str | None:
        """A folder or file (`values.yaml`, `templates/`) in most other components, or a YAML key
        (`service:`) in most of those that have YAML."""
        others = {c for c in self.component_dirs().values() if not name.owns(c)}
        key_re = re.compile(r"(?m)^[ \t]*(?:-[ \t]+)?[\"']?(?:" + "|".join(re.escape(s) for s in name.spellings())
                            + r")[\"']?[ \t]*:(?:[ \t]|$)")
        candidates = set(self.candidates(name))
        having: dict[str, set[str]] = {"folder or file": set(), "key": set()}
        among: dict[str, set[str]] = {"folder or file": others, "key": set()}
        for path in self.tree.paths():
            comp, rest = self._owner(path)
            if comp not in others:
                continue
            if any(name.identifies(part.split(".", 1)[0]) for part in rest.split("/")):
                having["folder or file"].add(comp)
            if path.endswith((".yaml", ".yml")):
                among["key"].add(comp)
                if path in candidates and key_re.search(self.tree.read(path) or ""):
                    having["key"].add(comp)
        for what, comps_having in having.items():
            if len(comps_having) >= max(2, (len(among[what]) + 1) // 2):
                return f"a {what} of that name is in {len(comps_having)} of {len(among[what])} components"
        return None

    def _owner(self, path: str) -> tuple[str | None, str]:
        """The component whose directory holds `path`, and the path below that directory."""
        parts = path.split("/")
        for i in range(len(parts) - 1, 0, -1):
            comp = self.component_dirs().get("/".join(parts[:i]))
            if comp is not None:
                return comp, "/".join(parts[i:])
        return None, path

    def _suggestions(self, raw: str) -> list[str]:
        known = sorted(self.known_components())
        return difflib.get_close_matches(raw, known, n=5, cutoff=0.5) or known[:10]

    def add_residue_name(self, name: ServiceName) -> None:
        """Search the residue for `name` too, unless an earlier name already mentions it
        (`video-service-build`, a removed make target, after `video-service`): every line naming
        it in its usual spellings is listed through the earlier name, and each name costs a
        pass over the tree."""
        if not any(n.raw == name.raw or n.mentions(name.raw) for n in self.residue_names):
            self.residue_names.append(name)
