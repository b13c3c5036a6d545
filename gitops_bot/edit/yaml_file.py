"""YAML: remove a service's entries by locating them with ruamel's round-trip positions and
splicing the original text; verify by re-parsing and comparing data.

What is removed (DESIGN.md section 1, DOMAIN.md chore 1):
- mapping entries whose key names the service or its address (`video-service:`, `videoService:`,
  `VIDEO_SERVICE_URL:`);
- sequence items that are the service (`- video-service`, `- services/video-service/**`), or
  mappings whose identifying fields all point at it (`- name: app_video / user: video`, a
  Prometheus job, a route whose only destination is the service);
- items of flow sequences (`[auth, video, board]`), edited character by character;
- patterns of a Flux Alert's `exclusionList`/`inclusionList` naming the service (its events stop);
- alternatives inside regexes and PromQL (`a-service|video-service`), and whole `or ...` lines of
  multi-line PromQL expressions;
- the same inside YAML embedded in block scalars (`prometheus.yml: |`);
- a commented-out example command that runs a compose service the edit removes, beside the same
  command for another service (`#   docker compose ... run videoTests` under `... run cartTests`);
- a comment line that is one whole sentence recording the service's history (`# Ported from the
  retired video-apps provider.`, edit/prose.py).
A collection that would become empty takes its parent entry with it; a document that would become
empty, a flow mapping, or an anchor that is still used elsewhere is refused.

What stays (h4, issue 12: lines a human leaves on real repositories):
- a manifest named for the service (`metadata.name: video-service-app`) is the service's own: it
  goes whole from a multi-document file (a file holding only it is refused: delete the file),
  and nothing inside it is edited as if it were a reference from elsewhere;
- a kustomization that generates a resource named for the service (`configMapGenerator:
  - name: video-service-values`) is the service's own overlay: its edits are refused;
- the name in capitals in a list of capitalised single words none of which is a component
  (`acronyms: [AI, API, LLM]` of a docs generator): a vocabulary, not the component `llm`;
- regex alternatives inside shell scripts (`run: |`, `script: |`) stay, as in shell files: a
  pattern there may filter free text (PR titles, logs), not select services. A workflow step's
  `run: |` script gets the shell editor's own rules (call lines, `case` patterns, loop words,
  JSON arrays: embedded_shell.py).
And a kustomization's `resources:`/`components:` entry whose file (or folder's kustomization)
the run deleted goes, whatever its name: kustomize cannot build a missing resource. A kustomize
`Kustomization` is a list of references, never the service's own manifest: its entries go one by
one, and a list they leave empty keeps its key (`resources:` with nothing under it, which kustomize
reads as no resources): the folder still builds, and whatever a Flux Kustomization or an overlay
points at it stays valid.

The planner works on a *parse text* whose line/column geometry equals the original's; for Helm
templates that is the template with actions masked (see helm.py).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from gitops_bot.domain import images
from gitops_bot.domain.findings import Kind
from gitops_bot.domain.names import ServiceName, pointer_matches, words
from gitops_bot.domain.pathrefs import docs_root
from gitops_bot.edit import embedded_shell, markdown, prose, yaml_apps
from gitops_bot.edit.base import EditResult, Leftovers, Refusal, RemovalContext, Unparsable, finish, newly_broken
from gitops_bot.edit.blocks import (
    comment_above,
    is_banner,
    kept_comment_above,
    leading_comments,
    trim_trailing,
    yaml_entry_stop,
)
from gitops_bot.parse.gotemplate import TemplateError, lex, mask
from gitops_bot.parse.yaml import load_rt, load_safe, load_tagged, quoted_end
from gitops_bot.text.splice import Cut, Lines, Span

KIND = "yaml"
CHECK = "re-parsed; data equals the original minus the removed entries"

# Fields whose value says what a list item is or points at.
POINTER_KEYS = frozenset({"name", "job_name", "jobName", "service", "serviceName", "app", "cluster",
                          "application", "host", "chart", "user", "target", "hostname",
                          "alert", "record"})
_ALTERNATION_RE = re.compile(r"(?<![\w.*+-])((?:[\w.*+-]+\|)+[\w.*+-]+)(?![\w.*+-])")
_PROMQL_CONTINUATION_RE = re.compile(r"^\s*(or|and|unless)\s")
_DOC_MARKER_RE = re.compile(r"^(---|\.\.\.)(\s|$)")
DataPath = tuple[Any, ...]
# Keys whose block scalar is a shell script (GitHub Actions `run`, GitLab/Taskfile `script`).
SCRIPT_KEYS = frozenset({"run", "script"})
# A kustomization's lists of relative references to files or folders.
# docker/build-push-action's newline-separated NAME=value list.
BUILD_ARGS_KEY = "build-args"
_BUILD_ARG_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)=")
KUSTOMIZE_LISTS = frozenset({"resources", "components", "bases", "crds", "patchesStrategicMerge"})
# A Flux notification Alert's lists of regexes over event messages.
_EVENT_FILTER_PATHS = frozenset({("spec", "exclusionList"), ("spec", "inclusionList")})
KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def is_kustomization(path: str) -> bool:
    """Whether `path` is a kustomization, or a Jinja template of one (`kustomization.yaml.j2`)."""
    return path.rpartition("/")[2].removesuffix(".j2") in KUSTOMIZATION_FILES


def rendered_forms(target: str, templated: bool) -> tuple[str, ...]:
    """The paths a reference to `target` may mean: itself, and in a Jinja template (`templated`)
    also the template that renders it (`./openebs.yaml` beside `openebs.yaml.j2`)."""
    return (target, target + ".j2") if templated else (target,)


# -- scalar text edits (shared by the planner and by verification) ------------------------
def remove_alternatives(line: str, name: ServiceName) -> str | None:
    """Drop the service's alternatives from `a|video-service|b` groups in one line; None when a
    group would become empty (the caller refuses)."""
    def fix(m: re.Match[str]) -> str:
        alts = m.group(1).split("|")
        keep = [a for a in alts if not _alternative_is_service(a, name)]
        if not keep:
            raise _EmptyAlternation
        return "|".join(keep)
    try:
        return _ALTERNATION_RE.sub(fix, line)
    except _EmptyAlternation:
        return None




# An option that leaves paths out (`--exclude`, `--exclude-dir`, `--ignore`, `--skip-paths`).
_EXCLUSION_FLAG_RE = re.compile(r"--?(?:exclude|ignore|skip)(?:[-_][\w-]*)?")


def _exclusion_pairs(node: CommentedSeq, doomed: list[int]) -> list[int] | None:
    """The items of an argument list that go with the component's paths: each doomed item must
    be a path or glob (`'stacks/video/*'`) that follows an exclusion option, and goes with that
    option (`--exclude, 'stacks/video/*'`): excluding what no longer exists changes nothing.
    None when any doomed item is another kind of argument (removing it changes the command)."""
    pairs: set[int] = set()
    for i in doomed:
        option = node[i - 1] if i > 0 else None
        if not (isinstance(option, str) and _EXCLUSION_FLAG_RE.fullmatch(option) and "/" in node[i]):
            return None
        pairs.update((i - 1, i))
    return sorted(pairs)


class _EmptyAlternation(Exception):
    pass


def _alternative_is_service(alt: str, name: ServiceName) -> bool:
    core = re.sub(r"(\.\*|\.\+|\*)+$", "", alt)
    core = re.sub(r"[_-]+$", "", core)
    return bool(core) and name.owns(core)


def comment_names_key(comment: str, key: str) -> bool:
    """True when a comment says a key's words consecutively, in any spelling (`# Tracebased
    Tests` for `traceBasedTests`)."""
    mine = "".join(words(key))
    found = words(comment)
    return bool(mine) and any("".join(found[i:j]) == mine for i in range(len(found))
                              for j in range(i + 1, len(found) + 1))


def build_arg_is_service(line: str, name: ServiceName) -> bool:
    """A `NAME=value` line of a build-args list whose NAME is the component's (`VIDEO_VERSION`)."""
    m = _BUILD_ARG_RE.match(line)
    return m is not None and name.owns(m.group(1))


def drop_build_args(value: str, name: ServiceName) -> str:
    """A build-args list without the component's arguments (used to verify the splice)."""
    return "".join(line for line in value.splitlines(keepends=True) if not build_arg_is_service(line, name))


def is_promql_continuation(line: str, name: ServiceName) -> bool:
    """An `or sum(rate(video_service_...))` line of a multi-line expression."""
    return bool(_PROMQL_CONTINUATION_RE.match(line)) and bool(name.mentions(line))


def edit_scalar(value: str, name: ServiceName) -> str:
    """The scalar text edits applied to a whole string value (used to verify the splice)."""
    out = []
    for line in value.splitlines(keepends=True):
        if "\n" in value and is_promql_continuation(line, name):
            continue
        fixed = remove_alternatives(line, name) if name.mentions(line) else line
        out.append(line if fixed is None else fixed)
    return "".join(out)


# -- the planner --------------------------------------------------------------------------
@dataclass
class Plan:
    """Cuts to make, data paths they delete, and what was refused."""

    cuts: list[Cut] = field(default_factory=list)
    deleted: set[DataPath] = field(default_factory=set)
    embedded: dict[DataPath, set[DataPath]] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)
    kept_comments: list[str] = field(default_factory=list)
    block_scalar_lines: set[int] = field(default_factory=set)
    script_lines: set[int] = field(default_factory=set)  # lines of `run: |` shell scripts
    build_args: set[DataPath] = field(default_factory=set)  # `build-args: |` scalars that lose lines
    # The scripts of workflow steps the shell rules edited: their data path, the new script.
    scripts: dict[DataPath, str] = field(default_factory=dict)
    shell_lines: set[int] = field(default_factory=set)  # lines those edits touch
    emptied: set[DataPath] = field(default_factory=set)  # kustomize lists left empty, their key kept
    # scalars rewritten, not deleted, with their new value (a helmfile `needs` entry rewired)
    rewritten: dict[DataPath, str] = field(default_factory=dict)


class _Planner:
    def __init__(self, parse_text: str, name: ServiceName,
                 kept: tuple[tuple[tuple[str, ...], str], ...] = (), deleted: frozenset[str] = frozenset(),
                 gone: Callable[[str], bool] = lambda ref: False, removed_vars: frozenset[str] = frozenset(),
                 kustomization: bool = False, secrets: frozenset[str] = frozenset(),
                 bracketed: bool = False, leftovers: Leftovers = Leftovers()) -> None:
        self.text = parse_text
        self.leftovers = leftovers  # what the deletion left meaningless here (RemovalContext)
        self.bracketed = bracketed  # an emptied kustomize list is written `[]` (RemovalContext)
        self.secrets = secrets  # secrets the run deleted that workloads here may read
        self.kustomization = kustomization  # the file is a kustomization.yaml
        self.lines = Lines(parse_text)
        self.name = name
        self.kept = kept  # value paths a template left in place still reads, with why
        self.deleted = deleted  # paths the run deleted: a pointer into one points at the component
        self.compose_mine: set[str] = set()  # the component's compose services in this document
        # variables the run removed from the `.env` beside a compose file: passing one through goes
        self.removed_vars = removed_vars
        self.in_compose = False  # whether the current document is a compose file
        # helmfile: the component's releases, the repositories only they used, and the `needs`
        # entries of other releases that named them, each with what replaces it (yaml_apps)
        self.helm_releases: set[int] = set()
        self.helm_repositories: set[int] = set()
        self.helm_needs: dict[tuple[int, int], list[str]] = {}
        self.plan = Plan()
        self.gone = gone  # whether a kustomization entry points at something the run deleted
        self.options_possible = False  # whether the current document's deep keys may be a tool's options
        self.doc: Any = None  # the document being planned

    # -- entry points ---------------------------------------------------------------------
    def run(self, docs: list[Any], root: DataPath = ()) -> Plan:
        for i, doc in enumerate(docs):
            self.doc = doc
            if isinstance(doc, CommentedMap) and "kind" in doc and not _is_kustomize(doc) and (
                    self._item_is_service(doc) or self._named_for_service(doc) or secret_of(doc, self.name)):
                if len(docs) > 1:
                    self._remove_document(doc)
                    self.plan.deleted.add(root + (i,))
                else:
                    self._refuse(doc.lc.line, "the file's only manifest is the service's: delete the file")
                continue
            mark = len(self.plan.cuts), set(self.plan.deleted)
            self.compose_mine = yaml_apps.compose_services_of(doc, self.name, self.deleted, self._comment_names_it)
            self.in_compose = yaml_apps.is_compose(doc)
            self._helmfile(doc)
            # Compose files and manifests name services by their keys; elsewhere a deep key may
            # be another tool's option, unless the document names the service higher up.
            self.options_possible = isinstance(doc, CommentedMap) and "kind" not in doc \
                and "services" not in doc and not _defines_shallow(doc, self.name)
            if self._visit(doc, root + (i,)):
                self.plan.cuts[mark[0]:] = []
                self.plan.deleted = mark[1]
                self._refuse(getattr(doc.lc, "line", 0), "every entry of the document names the service")
            elif len(self.plan.cuts) > mark[0] and (generated := self._generated_for_service(doc)):
                # The overlay of the service itself: what it names is the service's own (its
                # HelmRelease patch, its values); cutting those would leave a broken overlay.
                self.plan.cuts[mark[0]:] = []
                self.plan.deleted = mark[1]
                self._refuse(generated.lc.line, "the kustomization generates the service's own "
                                                f"{generated['name']}: it is the service's; "
                                                "delete it or edit it by hand")
            else:
                self._orphaned_dependabot_groups(doc, root + (i,))
        return self.plan

    def _helmfile(self, doc: Any) -> None:
        """Find, in a helmfile document, what goes with the component's releases."""
        self.helm_releases = yaml_apps.helmfile_releases_of(doc, self.name) if yaml_apps.is_helmfile(doc) else set()
        self.helm_repositories = yaml_apps.helmfile_repositories_of(doc, self.helm_releases) \
            if self.helm_releases else set()
        self.helm_needs = yaml_apps.helmfile_needs(doc, self.helm_releases) if self.helm_releases else {}

    def _helmfile_entry(self, path: DataPath, index: int) -> bool:
        """A release of the component, or a repository only its releases used."""
        return (path[1:] == ("releases",) and index in self.helm_releases) \
            or (path[1:] == ("repositories",) and index in self.helm_repositories)

    def _rewire_needs(self, node: CommentedSeq, path: DataPath) -> bool | None:
        """A helmfile release's `needs` list with entries naming a removed release: each becomes
        the removed release's own need (installation order kept: spegel, which waited for the
        removed approver, now waits for what the approver waited for), or goes when the release
        already has it; one that would need several is refused. True when every entry goes (the
        key goes too); None when the list names no removed release."""
        if len(path) != 4 or path[1] != "releases" or path[3] != "needs":
            return None
        mine = {i: self.helm_needs[(path[2], i)] for i in range(len(node)) if (path[2], i) in self.helm_needs}
        if not mine:
            return None
        doomed = []
        for i, inherited in mine.items():
            line, col = node.lc.item(i)
            if len(inherited) > 1:
                self._refuse(line, f"needs {node[i]}, which the removal takes, and that release needed "
                                   f"{', '.join(inherited)}: rewire this release's needs by hand")
            elif inherited:
                start = self.lines.start(line) + col
                quote = self.text[start] if self.text[start] in "\"'" else ""
                self.plan.cuts.append(Cut(Span(start, self._flow_item_end(start)), quote + inherited[0] + quote))
                self.plan.rewritten[path + (i,)] = inherited[0]
            else:
                doomed.append(i)
        if not doomed:
            return False
        if node.fa.flow_style():
            return self._cut_flow_items(node, path, doomed)
        return sum(self._remove_item(node, i, path) for i in doomed) == len(node)

    def _requests_device(self, key: str, path: DataPath) -> bool:
        """A container's request of a resource the deleted device plugin advertised
        (`resources: limits: smarter-devices/coral: "1"`)."""
        return bool(self.leftovers.device_prefixes) and len(path) >= 2 and path[-2] == "resources" \
            and path[-1] in ("limits", "requests") and key.partition("/")[0] in self.leftovers.device_prefixes

    def _comment_names_it(self, node: CommentedMap, key: Any) -> bool:
        """Whether the comment block directly above `key` of `node` names the component."""
        line, col = node.lc.key(key)
        top = comment_above(self.lines, line, col)
        return any(self.name.names_in_comment(self.lines.line(n)) for n in range(top, line))

    def _named_for_service(self, doc: CommentedMap) -> bool:
        return named_for(doc, self.name)

    def _generated_for_service(self, doc: Any) -> CommentedMap | None:
        """The first configMapGenerator/secretGenerator entry of a kustomization that is named
        for the service, or None."""
        if not isinstance(doc, CommentedMap):
            return None
        for key in ("configMapGenerator", "secretGenerator"):
            entries = doc.get(key)
            for entry in entries if isinstance(entries, CommentedSeq) else ():
                if isinstance(entry, CommentedMap) and isinstance(entry.get("name"), str) \
                        and self.name.owns(entry["name"]):
                    return entry
        return None

    # -- traversal ------------------------------------------------------------------------
    def _visit(self, node: Any, path: DataPath) -> bool:
        """Plan removals inside `node`; True when every child of `node` goes (the caller then
        removes `node` itself)."""
        if isinstance(node, CommentedMap):
            return self._visit_map(node, path)
        if isinstance(node, CommentedSeq):
            return self._visit_seq(node, path)
        return False

    def _visit_map(self, node: CommentedMap, path: DataPath) -> bool:
        removed = 0
        # keys that are the component's by what the mapping is: its compose services, or another
        # service's settings group for it
        its_keys = (self.compose_mine if yaml_apps.names_compose_services(path) else set()) \
            | yaml_apps.settings_group(node, self.name)
        # Own keys only: keys merged in through `<<: *anchor` are written (and edited) where the
        # anchor is defined, and have no position in this map.
        for key, value in list(node.non_merged_items()):
            # a top-level `services:` map (compose) holds the component's own services by names
            # it owns (`tracetest-server` of tracetest), each a whole service block
            if isinstance(key, str) and path[-1:] == ("substitute",) and key in self.leftovers.used_substitutions:
                continue
            if isinstance(key, str) and (self.name.addresses(key) or key in its_keys
                                         or (path[1:] == ("services",) and self.name.owns(key))
                                         or self._requests_device(key, path)
                                         or (path[-1:] == ("substitute",)
                                             and key in self.leftovers.unused_substitutions)
                                         or (path[-1:] == ("labels",) and key in self.leftovers.orphaned_labels)):
                if self._withheld(path + (key,), node.lc.key(key)[0]) or self._foreign_option(node, key, path):
                    continue
                if len(node) == 1 and self._heads_item(node, key):
                    # the list item is this one entry (`- Sharkord:` and the fields under it): the
                    # item goes whole, by the caller, dash and all
                    self.plan.deleted.add(path + (key,))
                    removed += 1
                elif self._remove_key(node, key):
                    self.plan.deleted.add(path + (key,))
                    removed += 1
                continue
            if isinstance(value, (CommentedMap, CommentedSeq)):
                if not self._visit(value, path + (key,)):
                    continue
                if self.kustomization and len(path) == 1 and key in KUSTOMIZE_LISTS \
                        and isinstance(value, CommentedSeq) and not value.fa.flow_style():
                    # its items are cut; the key stays (kustomize builds it as no resources), as
                    # the repository writes an empty list: `resources: []` or the bare key
                    self.plan.emptied.add(path + (key,))
                    if self.bracketed:
                        line, col = node.lc.key(key)
                        colon = self.text.index(":", self.lines.start(line) + col + len(key))
                        self.plan.cuts.append(Cut(Span(colon + 1, colon + 1), " []"))
                elif not self._withheld(path + (key,), node.lc.key(key)[0]) and self._remove_key(node, key):
                    self.plan.deleted.add(path + (key,))
                    removed += 1
            elif isinstance(value, (LiteralScalarString, FoldedScalarString)):
                self._block_scalar(node, key, value, path + (key,))
        return len(node) > 0 and removed == len(node)

    def _visit_seq(self, node: CommentedSeq, path: DataPath) -> bool:
        rewired = self._rewire_needs(node, path)
        if rewired is not None:
            return rewired
        if node.fa.flow_style():
            return self._visit_flow_seq(node, path)
        removed = 0
        env_list = bool(path) and path[-1] == "environment"
        compose_names = self.compose_mine if yaml_apps.names_compose_services(path) else set()
        for i, item in enumerate(node):
            verdict = yaml_apps.environment_item(item, self.name) if env_list and isinstance(item, str) else None
            if verdict is not None and not verdict[0] and self.in_compose and item.strip() in self.removed_vars:
                verdict = True, None  # a pass-through of a variable the run removed from `.env`
            if verdict is not None:
                removed += self._environment_item(node, i, verdict, path)
            elif self._item_is_service(item) and not _vocabulary_word(node, item, self.name) \
                    or (isinstance(item, str) and item in compose_names) \
                    or self._gone_entry(item, path) or self._event_filter(item, path) \
                    or self._reads_removed_secret(item, path) or self._helmfile_entry(path, i):
                if self._is_flag_list(node):
                    self._refuse(node.lc.item(i)[0], "argument list: removing one word would change the command")
                    continue
                if not self._withheld(path + (i,), node.lc.item(i)[0]):
                    removed += self._remove_item(node, i, path)
            elif isinstance(item, (CommentedMap, CommentedSeq)):
                if self._visit(item, path + (i,)) and not self._withheld(path + (i,), node.lc.item(i)[0]):
                    removed += self._remove_item(node, i, path)
        return len(node) > 0 and removed == len(node)

    def _foreign_option(self, node: CommentedMap, key: str, path: DataPath) -> bool:
        """True (and refused) for a key spelled like the service deep in another tool's settings
        (`predictor_servers.X.protocols.kfserving`, a protocol named like the component): three
        or more keys down, a mapping with nothing under it naming the service, and no sibling
        that is a known component, in a values-like document (not a compose file, not a manifest)
        without a shallower key naming the service. Per-service entries sit higher
        (`services.video-service`, `scrapeTargets.videoService`), name the service beneath
        (`host: video-service`), or are compose references (`depends_on: {video-service: ...}`)."""
        value = node[key]
        if not self.options_possible or len(path) < 4 or not isinstance(value, CommentedMap) \
                or _mentions_within(value, self.name):
            return False
        if any(isinstance(k, str) and k != key and words(k) in self.name.known for k in node):
            return False
        self._refuse(node.lc.key(key)[0], "a key spelled like the service deep in another tool's settings, "
                                          "with nothing under it naming the service: edit it by hand")
        return True

    def _item_is_service(self, item: Any) -> bool:
        if isinstance(item, str):
            return pointer_matches(self.name, item) or yaml_apps.into_deleted(item, self.deleted)
        if isinstance(item, CommentedMap):
            if len(item) == 1 and isinstance(only := next(iter(item.values())), str) \
                    and yaml_apps.into_deleted(only, self.deleted):
                return True  # a titled entry of a deleted page (`- Title: add-ons/x.md`, MkDocs' nav)
            if resource_of_its_api(item, self.name):
                return True  # an object of its API (a health check on its ReplicationSources): its CRDs go
            if _calls_its_tasks(item, self.name) or _mounts_its_folder(item, self.name):
                return True
            pointers = list(_pointers(item)) + yaml_apps.path_pointers(item)
            return bool(pointers) and all(pointer_matches(self.name, p) or yaml_apps.into_deleted(p, self.deleted)
                                          or self._source_of_service(p) for p in pointers)
        return False

    def _environment_item(self, node: CommentedSeq, index: int, verdict: tuple[bool, str | None],
                          path: DataPath) -> int:
        """Act on yaml_apps.environment_item's verdict for a compose `environment:` item."""
        goes, why = verdict
        line = node.lc.item(index)[0]
        if why:
            return self._refuse(line, why)
        if not goes or self._withheld(path + (index,), line):
            return 0
        return self._remove_item(node, index, path)

    def _orphaned_dependabot_groups(self, doc: Any, path: DataPath) -> None:
        """The dependabot groups only removed `updates` entries named go with them (the whole
        `multi-ecosystem-groups` map when none is left)."""
        removed = {p[-1] for p in self.plan.deleted if p[:-1] == path + ("updates",)}
        orphans = [k for k in yaml_apps.orphaned_dependabot_groups(doc, removed)
                   if path + ("multi-ecosystem-groups", k) not in self.plan.deleted]
        groups = doc.get("multi-ecosystem-groups") if orphans else None
        if groups is not None and len(orphans) == len(groups):
            if self._remove_key(doc, "multi-ecosystem-groups"):
                self.plan.deleted.add(path + ("multi-ecosystem-groups",))
            return
        for key in orphans:
            if self._remove_key(groups, key):
                self.plan.deleted.add(path + ("multi-ecosystem-groups", key))

    def _source_of_service(self, pointer: str) -> bool:
        """A reference whose last path segment is one of the service's own names: the chart of
        a release (`oci://ghcr.io/org/charts/volsync-perfectra1n`, a fork named after it)."""
        if "/" not in pointer:
            return False
        last = re.split(r"[:@]", pointer.rstrip("/").rsplit("/", 1)[-1], maxsplit=1)[0]
        return self.name.owns(last)

    def _reads_removed_secret(self, item: Any, path: DataPath) -> bool:
        """A container's `env` item reading a secret the run deleted (`valueFrom: secretKeyRef:
        name: S`), or its `envFrom` item (`secretRef: name: S`): the pod would not start."""
        if not self.secrets or not path or path[-1] not in ("env", "envFrom") or not isinstance(item, CommentedMap):
            return False
        ref = item.get("valueFrom", {}).get("secretKeyRef") if isinstance(item.get("valueFrom"), dict) \
            else item.get("secretRef")
        return isinstance(ref, dict) and ref.get("name") in self.secrets

    def _event_filter(self, item: Any, path: DataPath) -> bool:
        """A Flux Alert's `exclusionList`/`inclusionList` pattern naming the service (`"video
        configured"`): it filters the service's own events, which stop with it."""
        doc = self.doc
        return path[1:] in _EVENT_FILTER_PATHS and isinstance(item, str) and bool(self.name.mentions(item)) \
            and isinstance(doc, CommentedMap) and doc.get("kind") == "Alert" \
            and str(doc.get("apiVersion", "")).startswith("notification.toolkit.fluxcd.io/")

    def _gone_entry(self, item: Any, path: DataPath) -> bool:
        """A kustomization's `resources:`-like entry whose target the run deleted."""
        return len(path) == 2 and path[1] in KUSTOMIZE_LISTS and isinstance(item, str) and self.gone(item)

    def _withheld(self, path: DataPath, line: int) -> bool:
        """True (and refused) when the entry at `path` (document index first) holds or lies in a
        value that a template block left in place still reads."""
        data = tuple(path[1:])
        for read, why in self.kept:
            if read[:len(data)] == data or data[:len(read)] == read:
                self._refuse(line, f"withheld: {why} still reads .Values.{'.'.join(read)}", Kind.WITHHELD)
                return True
        return False

    @staticmethod
    def _is_flag_list(node: CommentedSeq) -> bool:
        return any(isinstance(v, str) and v.startswith("-") for v in node)

    def _remove_document(self, doc: CommentedMap) -> None:
        """Cut a whole manifest of a multi-document stream with its own `---` marker (or, for
        the first document, the marker that follows it)."""
        lines = self.lines
        above = doc.lc.line - 1
        while above >= 0 and (lines.is_blank(above) or lines.is_comment(above)):
            above -= 1
        below = doc.lc.line + 1
        while below < len(lines) and not _DOC_MARKER_RE.match(lines.line(below)):
            below += 1
        if above >= 0 and _DOC_MARKER_RE.match(lines.line(above)):
            self.plan.cuts.append(Cut(lines.span(above, below - 1)))
        else:
            self.plan.cuts.append(Cut(lines.span(0, min(below, len(lines) - 1))))

    # -- block entries --------------------------------------------------------------------
    def _heads_item(self, node: CommentedMap, key: Any) -> bool:
        """Whether `key` is written after its list item's dash (`- Sharkord:`)."""
        line, col = node.lc.key(key)
        return self.lines.line(line)[:col].strip() == "-" and not node.fa.flow_style()

    def _remove_key(self, node: CommentedMap, key: Any) -> int:
        line, col = node.lc.key(key)
        if node.fa.flow_style():
            return self._refuse(line, "flow mapping: edit it by hand")
        if self.lines.line(line)[:col].strip():
            return self._refuse(line, "first key of a list item: the item would lose its dash")
        self._cut_block(line, col, is_key=True, key=key)
        return 1

    def _remove_item(self, node: CommentedSeq, index: int, path: DataPath) -> int:
        line, col = node.lc.item(index)
        head = self.lines.line(line)[:col]
        dash = head.rstrip().rfind("-")
        if dash < 0 or head[:dash].strip() or head[dash + 1:].strip():
            return self._refuse(line, "list item in an unusual layout")
        self._cut_block(line, dash, is_key=False)
        self.plan.deleted.add(path + (index,))
        return 1

    def _cut_block(self, first: int, col: int, is_key: bool, key: Any = None) -> None:
        stop = yaml_entry_stop(self.lines, first, col, is_key)
        last = trim_trailing(self.lines, first, stop, col)
        # the comment above goes when it names the component, or the entry itself by its key
        # (`# Tracebased Tests` above `traceBasedTests:`)
        first = leading_comments(self.lines, first, col, lambda c: self.name.names_in_comment(c)
                                 or (isinstance(key, str) and comment_names_key(c, key)))
        first = self._own_comment_above(first, last, col)
        self.plan.kept_comments += kept_comment_above(self.lines, first, col)
        self.plan.cuts.append(Cut(self.lines.span(first, last)))

    def _own_comment_above(self, first: int, last: int, col: int) -> int:
        """`first`, moved up over a comment block directly above the entry that can describe
        nothing else: it follows a sibling this run removes as well (`# NOTE: pinned for X`
        between two removed items would come to sit above an unrelated one), or it forms a
        paragraph with the entry alone (a blank line or the parent's line above it, a blank line,
        a dedent or the end below the entry). A boxed or one-line short heading (`# Databases`)
        heads a section and stays, and so does a comment that opens the file or a document."""
        lines = self.lines
        top = comment_above(lines, first, col)
        if top == first or any(is_banner(lines.line(n)) for n in range(top, first)):
            return first
        start = lines.start(top)
        after_removed = any(cut.replacement == "" and cut.span.end == start and cut.span.start < start
                            for cut in self.plan.cuts)
        if after_removed:
            return top
        heading = first - top == 1 and len(words(lines.line(top))) <= 3
        # at the top of the file or of a document it may be the file's header (a licence): it stays
        above_opens = top > 0 and (lines.is_blank(top - 1) or (
            not lines.is_comment(top - 1) and lines.indent(top - 1) < col
            and not _DOC_MARKER_RE.match(lines.line(top - 1))))
        below = last + 1
        below_closes = below >= len(lines) or lines.is_blank(below) or (
            not lines.is_comment(below) and lines.indent(below) < col)
        return top if above_opens and below_closes and not heading else first

    # -- flow sequences -------------------------------------------------------------------
    def _visit_flow_seq(self, node: CommentedSeq, path: DataPath) -> bool:
        doomed = [i for i, item in enumerate(node) if isinstance(item, str)
                  and pointer_matches(self.name, item)]
        if not doomed:
            return False
        if self._is_flag_list(node):
            doomed = _exclusion_pairs(node, doomed)
            if doomed is None or len(doomed) == len(node):
                self._refuse(node.lc.line, "argument list: removing one word would change the command")
                return False
        return self._cut_flow_items(node, path, doomed)

    def _cut_flow_items(self, node: CommentedSeq, path: DataPath, doomed: list[int]) -> bool:
        """Cut the `doomed` items of a flow list with their commas; True when that is every item
        (the caller removes the key instead)."""
        if len(doomed) == len(node):
            return True
        starts = [self.lines.start(node.lc.item(i)[0]) + node.lc.item(i)[1] for i in range(len(node))]
        ends = [self._flow_item_end(s) for s in starts]
        kept = [i for i in range(len(node)) if i not in doomed]
        for i in doomed:
            nxt = next((k for k in kept if k > i), None)
            if nxt is not None:
                self.plan.cuts.append(Cut(Span(starts[i], starts[i + 1])))
        trailing = [i for i in doomed if i > kept[-1]]
        if trailing:
            self.plan.cuts.append(Cut(Span(ends[kept[-1]], ends[trailing[-1]])))
        self.plan.deleted.update(path + (i,) for i in doomed)
        return False

    def _flow_item_end(self, start: int) -> int:
        text = self.text
        if text[start:start + 1] in ("'", '"'):
            return quoted_end(text, start)
        i = start
        while i < len(text) and text[i] not in ",]}\n#":
            i += 1
        while i > start and text[i - 1] in " \t":
            i -= 1
        return i

    # -- block scalars: PromQL lines and embedded YAML --------------------------------------
    def _block_scalar(self, node: CommentedMap, key: Any, value: str, path: DataPath) -> None:
        line, col = node.lc.key(key)
        stop = yaml_entry_stop(self.lines, line, col, is_key=True)
        content = range(line + 1, stop)
        self.plan.block_scalar_lines.update(content)
        if key in SCRIPT_KEYS:
            self.plan.script_lines.update(content)
            if isinstance(value, LiteralScalarString) and embedded_shell.is_step_script(self.doc, path, key):
                self._step_script(line, stop, value, path)
        if key == BUILD_ARGS_KEY:
            self._build_args(content, value, path)
        if isinstance(key, str) and key.endswith((".yml", ".yaml")) and self.name.mentions(value):
            self._embedded_yaml(content, path)
        elif key == "patch" and any(s in value for s in self.leftovers.unused_substitutions):
            self._embedded_yaml(content, path)  # a Flux Kustomization patch passing one of them on

    def _step_script(self, line: int, stop: int, value: str, path: DataPath) -> None:
        """Plan the shell editor's cuts in a workflow step's script (embedded_shell.py)."""
        edit = embedded_shell.edit(self.lines, line, stop, str(value), self.name)
        self.plan.refused.extend(edit.refused)
        if edit.cuts and edit.new_value is not None:
            self.plan.cuts.extend(edit.cuts)
            self.plan.scripts[path] = edit.new_value
            for cut in edit.cuts:
                self.plan.shell_lines.update(range(self.lines.line_of(cut.span.start),
                                                   self.lines.line_of(max(cut.span.start, cut.span.end - 1)) + 1))

    def _build_args(self, content: range, value: str, path: DataPath) -> None:
        """A `build-args: |` list (docker/build-push-action: one NAME=value a line) loses the
        arguments named for the component (`VIDEO_VERSION=...`); one left empty is refused."""
        doomed = [n for n in content if build_arg_is_service(self.lines.line(n), self.name)]
        if not doomed:
            return
        if len(doomed) == len([line for line in value.splitlines() if line.strip()]):
            self._refuse(doomed[0], "every build argument is the service's: remove the key by hand")
            return
        self.plan.cuts.extend(Cut(self.lines.span(n, n)) for n in doomed)
        self.plan.build_args.add(path)

    def _embedded_yaml(self, content: range, path: DataPath) -> None:
        # The embedded text is parsed where it stands (same lines, same columns), so a leading
        # `---` (gethomepage's services.yaml starts with one) is blanked: indented, it would read
        # as a plain scalar. A block holding several documents is not planned.
        filled = [n for n in content if not self.lines.is_blank(n)]
        markers = [n for n in filled if self.lines.line(n).strip() == "---"]
        if markers not in ([], filled[:1]):
            return
        masked = "".join(self.lines.line(n) + "\n" if n in content and n not in markers else "\n"
                         for n in range(len(self.lines)))
        try:
            docs = load_rt(masked)
        except YAMLError:
            return
        sub = _Planner(masked, self.name, leftovers=self.leftovers)
        sub.lines = self.lines  # same geometry, original line texts for comments and dashes
        sub.text = self.text
        plan = sub.run(docs)
        self.plan.cuts.extend(plan.cuts)
        self.plan.refused.extend(plan.refused)
        self.plan.kept_comments.extend(plan.kept_comments)
        if plan.deleted:
            self.plan.embedded[path] = plan.deleted

    def _refuse(self, line: int, reason: str, kind: Kind = Kind.KEPT) -> int:
        self.plan.refused.append(Refusal(line + 1, reason, kind=kind))
        return 0


_WORD_ITEM_RE = re.compile(r"[A-Z][A-Za-z0-9]*")
_CAPITALS_RE = re.compile(r"[A-Z][A-Z0-9]*")


def _vocabulary_word(node: CommentedSeq, item: Any, name: ServiceName) -> bool:
    """True for the name in capitals (`LLM` of `llm`) in a list of capitalised single words none
    of which is another component (`acronyms: [AI, API, LLM, OTel]`): a vocabulary, not a list
    of components, which the repository writes as it writes their names."""
    if not isinstance(item, str) or not _CAPITALS_RE.fullmatch(item) or item == name.raw or len(node) < 3:
        return False
    return all(isinstance(i, str) and _WORD_ITEM_RE.fullmatch(i) and (i == item or words(i) not in name.known)
               for i in node)


def named_for(doc: dict, name: ServiceName) -> bool:
    """A manifest whose own name (`metadata.name`) is the service's or one of its parts
    (`video-service-app`, `video-service-ingress`): one word more at most, since a longer
    name (`argo-workflow-spark-manager`) is often another component's thing that merely
    starts with the service's name."""
    metadata = doc.get("metadata")
    own = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(own, str):
        return False
    return name.identifies(own) or (name.owns(own) and len(words(own)) <= len(name.tokens) + 1)


def secret_of(doc: dict, name: ServiceName) -> bool:
    """An ExternalSecret whose every `data` item reads one of the service's remote keys
    (`remoteRef: {key: video-service.webhook}`), with no `dataFrom`: the service's secret handed
    to another component, which cannot sync once the service's keys are gone."""
    spec = doc.get("spec")
    if doc.get("kind") != "ExternalSecret" or not isinstance(spec, dict) or spec.get("dataFrom"):
        return False
    data = spec.get("data")
    keys = [item.get("remoteRef", {}).get("key") if isinstance(item, dict) and isinstance(item.get("remoteRef"), dict)
            else None for item in data] if isinstance(data, list) else []
    return bool(keys) and all(isinstance(k, str) and pointer_matches(name, k) for k in keys)


# A go-task call of another Taskfile's task: `- task: :volsync:state-suspend` (namespace, task).
_TASK_CALL_RE = re.compile(r":?(?P<namespace>[\w-]+):[\w:-]+")


def _calls_its_tasks(item: dict, name: ServiceName) -> bool:
    """A go-task command calling a task of the component's Taskfile (`- task: :volsync:state-suspend`,
    with its `vars:` perhaps): its include goes with it, as joryirving's volsync removal did."""
    call = item.get("task")
    m = _TASK_CALL_RE.fullmatch(call) if isinstance(call, str) and set(item) <= {"task", "vars", "silent"} else None
    return bool(m) and name.identifies(m.group("namespace"))


def _mounts_its_folder(item: dict, name: ServiceName) -> bool:
    """A host mount whose source and destination are both folders named for the component (a
    Talos kubelet `extraMounts` entry binding `/var/openebs/local` for openebs's volumes): the
    component's storage, mounted for it alone."""
    ends = [item.get("source"), item.get("destination")]
    return all(isinstance(p, str) and p.startswith("/") and any(name.identifies(s) for s in p.split("/"))
               for p in ends)


def resource_of_its_api(doc: dict, name: ServiceName) -> bool:
    """A custom resource of the service's own API group: one under the domain the service's
    project owns (`apiVersion: tekton.dev/v1` or `triggers.tekton.dev/v1` for tekton,
    `cert-manager.io/v1` for cert-manager). Its CRDs go with the service, so the object cannot
    exist without it, wherever the file is (a `.ci/` pipeline the service ran). Only the label
    before the top-level domain counts: `monitoring.coreos.com` is CoreOS's group, not a
    component named monitoring's."""
    api = doc.get("apiVersion")
    if not isinstance(api, str) or "/" not in api:
        return False
    labels = api.split("/", 1)[0].split(".")
    return len(labels) >= 2 and name.identifies(labels[-2])


def api_group_labels(text: str) -> frozenset[str]:
    """The labels of the API groups a YAML file's documents are of, the top-level domain left
    out (`kopiur`, `home-operations` of `kopiur.home-operations.com/v1alpha1`); core kinds
    (`v1`) have none. An unparsable file has none."""
    try:
        docs = [d for d in load_safe(_plain(text)) if isinstance(d, dict)]
    except (TemplateError, YAMLError):
        return frozenset()
    groups = [d["apiVersion"].split("/", 1)[0] for d in docs
              if isinstance(d.get("apiVersion"), str) and "/" in d["apiVersion"]]
    return frozenset(label for g in groups for label in g.split(".")[:-1])


def only_manifests_of(text: str, name: ServiceName) -> bool:
    """True for a YAML file whose every document is a manifest of the service: named for it (a
    `NetworkPolicy` named `video-service-ingress` in `network-policies.yaml`), its secret
    (secret_of) or a resource of its own API group (resource_of_its_api): the file is the
    service's own, whatever its name. A template counts when its actions are values only
    (`namespace: {{ .Release.Namespace }}`): a block (`if`, `range`) may render something else."""
    try:
        docs = [d for d in load_safe(_plain(text)) if d is not None]
    except TemplateError:
        docs = _kyverno_policies(text)  # `{{ request.object... }}` is Kyverno's, in strings
    except YAMLError:
        return False
    return bool(docs) and all(isinstance(d, dict) and "kind" in d and not _is_kustomize(d)
                              and (named_for(d, name) or secret_of(d, name) or resource_of_its_api(d, name)
                                   or runs_only_its_image(d, name))
                              for d in docs)


# Kinds that run a tool once or on a schedule, or make others do so (a Kyverno policy generating
# a CronJob): one whose images are the component's is a task of the component.
_TASK_KINDS = frozenset({"Job", "CronJob", "Pod", "ClusterPolicy", "Policy"})
# Images a task runs beside its tool to wait or fetch (an init container `wait-for` on alpine).
_UTILITY_IMAGES = frozenset({"alpine", "busybox", "bash", "curl", "ubuntu", "debian", "kubectl"})


def runs_only_its_image(doc: dict, name: ServiceName) -> bool:
    """A Job, CronJob, Pod or Kyverno policy that runs the component's image, and no other but a
    utility one (`ghcr.io/onedr0p/kopia` after an alpine `wait-for`: budimanjojo removed kopia
    with its restore Job and the policy that generated its snapshot CronJobs). A long-running
    workload on the same image may be another component's own instance: not this rule's."""
    if doc.get("kind") not in _TASK_KINDS:
        return False
    names = [images.repository_name(i) for i in _images(doc)]
    return any(name.identifies(n) for n in names) \
        and all(name.identifies(n) or n in _UTILITY_IMAGES for n in names)


def _images(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image" and isinstance(value, str):
                yield value
            else:
                yield from _images(value)
    elif isinstance(node, list):
        for item in node:
            yield from _images(item)


def _kyverno_policies(text: str) -> list:
    """The documents of a file of Kyverno policies (whose `{{ }}` are Kyverno's variables inside
    strings, not Go template actions), or [] for any other file."""
    try:
        docs = [d for d in load_safe(text) if d is not None]
    except YAMLError:
        return []
    return docs if docs and all(isinstance(d, dict) and str(d.get("apiVersion", "")).startswith("kyverno.io/")
                                for d in docs) else []


def defined_secrets(text: str) -> frozenset[str]:
    """The names of the Secrets a manifest file defines (a Secret, a SealedSecret, an
    ExternalSecret's target), read through value-only template actions; none when unreadable."""
    try:
        docs = load_safe(_plain(text))
    except (YAMLError, TemplateError):
        return frozenset()
    found = set()
    for doc in docs:
        if not isinstance(doc, dict) or doc.get("kind") not in ("Secret", "SealedSecret", "ExternalSecret"):
            continue
        spec, metadata = doc.get("spec"), doc.get("metadata")
        target = spec.get("target") if isinstance(spec, dict) and doc["kind"] == "ExternalSecret" else None
        own = target.get("name") if isinstance(target, dict) else None
        own = own or (metadata.get("name") if isinstance(metadata, dict) else None)
        if isinstance(own, str):
            found.add(own)
    return frozenset(found)


def _plain(text: str) -> str:
    """The YAML of a template whose actions are values only, masked (raises TemplateError for
    any block, which may render something else); the text itself when it has no actions."""
    if "{{" not in text:
        return text
    actions = lex(text)
    if any(a.keyword != "comment" and not a.keyword.startswith((".", "$")) for a in actions):
        raise TemplateError("not a plain manifest")  # a block, an include: it may render anything
    return mask(text, actions)


def _is_kustomize(doc: dict) -> bool:
    """A kustomize Kustomization or Component (not Flux's `Kustomization` custom resource)."""
    return str(doc.get("apiVersion", "")).startswith("kustomize.config.k8s.io/")


def _defines_shallow(node: Any, name: ServiceName, depth: int = 1) -> bool:
    """True when a mapping key in the first three levels of `node` names the service."""
    if isinstance(node, CommentedSeq) and depth <= 3:
        return any(_defines_shallow(v, name, depth) for v in node)
    if not isinstance(node, CommentedMap) or depth > 3:
        return False
    return any((isinstance(k, str) and name.addresses(k)) or _defines_shallow(v, name, depth + 1)
               for k, v in node.items())


def _mentions_within(node: Any, name: ServiceName) -> bool:
    """True when a key or scalar anywhere under `node` mentions the service."""
    if isinstance(node, CommentedMap):
        return any(_mentions_within(k, name) or _mentions_within(v, name) for k, v in node.items())
    if isinstance(node, CommentedSeq):
        return any(_mentions_within(v, name) for v in node)
    return isinstance(node, str) and bool(name.mentions(node))


def _pointers(node: Any) -> Iterator[str]:
    """Scalars that say what a mapping points at: identifying fields and name-like list items,
    searched through nested mappings and lists."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if key in POINTER_KEYS and isinstance(value, str):
                yield value
            elif isinstance(value, (CommentedMap, CommentedSeq)):
                yield from _pointers(value)
    elif isinstance(node, CommentedSeq):
        for item in node:
            if isinstance(item, str) and re.search(r"[A-Za-z]", item) and not item.startswith("-"):
                yield item
            elif isinstance(item, (CommentedMap, CommentedSeq)):
                yield from _pointers(item)


def plan_removal(parse_text: str, name: ServiceName,
                 kept: tuple[tuple[tuple[str, ...], str], ...] = (), deleted: frozenset[str] = frozenset(),
                 gone: Callable[[str], bool] = lambda ref: False, removed_vars: frozenset[str] = frozenset(),
                 kustomization: bool = False, secrets: frozenset[str] = frozenset(),
                 bracketed: bool = False, leftovers: Leftovers = Leftovers()) -> Plan:
    """Plan the service's removal in YAML text (raises YAMLError when it does not parse); entries
    holding a value path in `kept` stay, refused; list items pointing into `deleted` paths go, and
    kustomization entries for which `gone` holds, and compose `environment:` pass-throughs of
    `removed_vars`, and container env items reading the deleted `secrets`, and what the deletion
    left meaningless (`leftovers`: device requests, Flux substitutions, labels). In a
    `kustomization` file a list left empty keeps its key (written `[]` when `bracketed`)."""
    return _Planner(parse_text, name, kept, deleted, gone, removed_vars, kustomization,
                    secrets, bracketed, leftovers).run(load_rt(parse_text))


def _deleted_as_written(text: str, ctx: RemovalContext) -> frozenset[str]:
    """The deleted paths as the file writes paths: from the repository's root, and in a MkDocs
    configuration also from its docs folder (`nav:` names `add-ons/x.md` for `docs/add-ons/x.md`),
    so a navigation entry of a deleted page goes like any list item pointing into a deleted path."""
    root = docs_root(ctx.path, text)
    if root is None or not ctx.deleted_paths:
        return ctx.deleted_paths
    return ctx.deleted_paths | {p[len(root) + 1:] for p in ctx.deleted_paths if p.startswith(root + "/")}


def deleted_reference(ctx: RemovalContext) -> Callable[[str], bool]:
    """For a kustomization file: whether a relative reference in it names a file the run deleted,
    or a folder whose kustomization it deleted. Other files: never."""
    if not is_kustomization(ctx.path) or not ctx.deleted_paths:
        return lambda ref: False
    folder, templated = posixpath.dirname(ctx.path), ctx.path.endswith(".j2")

    def gone(ref: str) -> bool:
        if re.search(r"^[a-z]+://|[?{$]", ref) or ref.startswith("/"):
            return False  # remote, templated or absolute: not a file of this repository
        target = posixpath.normpath(posixpath.join(folder, ref.strip()))
        if target.startswith("../") or target == "..":
            return False
        return any(t in ctx.deleted_paths for t in rendered_forms(target, templated)) or any(
            t in ctx.deleted_paths for f in KUSTOMIZATION_FILES
            for t in rendered_forms(posixpath.join(target, f), templated))
    return gone


# A commented-out list item holding one path: `# - components/native-grpc-health-check`.
_COMMENTED_ITEM_RE = re.compile(r"^[ \t]*#[ \t]*-[ \t]+([^\s#]+)[ \t]*\r?$", re.MULTILINE)


def commented_out_entries(text: str, ctx: RemovalContext) -> list[Cut]:
    """Cuts of a kustomization's commented-out entries (`# - components/x`) that point at what
    the run deleted: an entry kept there to be switched on later can no longer be."""
    if not is_kustomization(ctx.path) or not ctx.deleted_paths:
        return []
    gone, lines = deleted_reference(ctx), Lines(text)
    cuts = [Cut(lines.span(n, n)) for m in _COMMENTED_ITEM_RE.finditer(text)
            if gone(m.group(1)) and lines.start(n := lines.line_of(m.start())) == m.start()]
    # A line inside a block scalar (a patch) that looks like one is data, not a comment: it stays.
    try:
        return [c for c in cuts if load_tagged(text[:c.span.start] + text[c.span.end:]) == load_tagged(text)]
    except YAMLError:
        return []


_COMMENT_LINE_RE = re.compile(r"^\s*#(.*)$")


def commented_commands(text: str, plan: Plan) -> list[Cut]:
    """Cuts of the commented-out commands (a usage note: `#   docker compose ... run videoTests`,
    `\\`-continued over comment lines) that run a compose service this edit removes, beside the
    same command for another service (`... run cartTests`): the note's example for what is gone.
    A lone example stays (its mention is in the residue), and so do comment-like lines that are
    data (inside a block scalar)."""
    removed = {p[2] for p in plan.deleted if len(p) == 3 and p[1] == "services" and isinstance(p[2], str)}
    if not removed:
        return []
    lines, commands, n = Lines(text), [], 0
    while n < len(lines):
        m = _COMMENT_LINE_RE.match(lines.line(n))
        if not m:
            n += 1
            continue
        first, body = n, m.group(1)
        while body.rstrip().endswith("\\") and n + 1 < len(lines) and _COMMENT_LINE_RE.match(lines.line(n + 1)):
            n += 1
            body = body.rstrip()[:-1] + " " + _COMMENT_LINE_RE.match(lines.line(n)).group(1)
        commands.append((first, n, body.split()))
        n += 1
    cuts = []
    for first, last, mine in commands:
        if len(mine) < 3 or not removed.intersection(mine):
            continue
        for _, _, theirs in commands:
            differ = [i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b] if len(theirs) == len(mine) else []
            if len(differ) == 1 and mine[differ[0]] in removed and theirs[differ[0]] not in removed:
                cuts.append(Cut(lines.span(first, last)))
                break
    try:
        return [c for c in cuts if load_tagged(text[:c.span.start] + text[c.span.end:]) == load_tagged(text)]
    except YAMLError:
        return []


# A comment line holding one whole sentence: `# Ported from the retired x provider.`
_COMMENT_SENTENCE_RE = re.compile(r"^[ \t]*#[ \t]*([A-Z][^#]*\.)[ \t]*$")
_COMMENT_TEXT_RE = re.compile(r"^[ \t]*#[ \t]*(\S.*?)[ \t]*$")


def history_comment_cuts(text: str, name: ServiceName) -> list[Cut]:
    """Cuts of the comment lines that are one whole sentence recording the component's history
    (edit/prose.py: `# Ported 1:1 from the retired video-apps provider.`): the line above ends a
    sentence (or is no comment text) and the line below starts one (or is none)."""
    if not name.mentions(text):
        return []
    lines, cuts = Lines(text), []
    for n in range(len(lines)):
        m = _COMMENT_SENTENCE_RE.match(lines.line(n))
        if not m or not prose.history_sentence(m.group(1), name.owns):
            continue
        above = _COMMENT_TEXT_RE.match(lines.line(n - 1)) if n else None
        below = _COMMENT_TEXT_RE.match(lines.line(n + 1)) if n + 1 < len(lines) else None
        if (above is None or above.group(1).endswith((".", ":")) or above.group(1).startswith("yaml-language-server")) \
                and (below is None or below.group(1)[:1].isupper()):
            cuts.append(Cut(lines.span(n, n)))
    # A line inside a block scalar that looks like one is data, not a comment: it stays.
    try:
        return [c for c in cuts if load_tagged(text[:c.span.start] + text[c.span.end:]) == load_tagged(text)]
    except YAMLError:
        return []


def comment_enumeration_cuts(text: str, name: ServiceName, peers: frozenset[str] = frozenset()) -> list[Cut]:
    """Cuts of the component's item, with its comma, from an enumeration of names in a comment
    line (`# ... namespace (forgejo, propagit, rybbit, temporal).`; markdown.enumeration_span)."""
    if not name.mentions(text):
        return []
    lines, cuts = Lines(text), []
    for n in range(len(lines)):
        line = lines.line(n)
        if not line.lstrip().startswith("#"):
            continue
        at = line.index("#")
        span = markdown.enumeration_span(line[at:], name, peers)
        if span:
            cuts.append(Cut(Span(lines.start(n) + at + span[0], lines.start(n) + at + span[1])))
    # A line inside a block scalar that looks like a comment is data: it stays.
    try:
        return [c for c in cuts if load_tagged(text[:c.span.start] + text[c.span.end:]) == load_tagged(text)]
    except YAMLError:
        return []


def scalar_line_cuts(parse_text: str, name: ServiceName, plan: Plan) -> list[Cut]:
    """Line-level edits inside scalars: regex alternatives and PromQL `or` lines."""
    lines = Lines(parse_text)
    cuts: list[Cut] = []
    for n in range(len(lines)):
        line = lines.line(n)
        if not name.mentions(line):
            continue
        if n in plan.block_scalar_lines and is_promql_continuation(line, name):
            cuts.append(Cut(lines.span(n, n)))
            continue
        if n in plan.shell_lines:
            continue  # the shell editor's rules edited this line of a step's script
        fixed = remove_alternatives(line, name)
        if fixed != line and n in plan.script_lines:
            plan.refused.append(Refusal(n + 1, "pattern in a shell script: it may match more than the service"))
        elif fixed is None:
            plan.refused.append(Refusal(n + 1, "every alternative of the pattern names the service"))
        elif fixed != line:
            cuts.append(Cut(Span(lines.start(n), lines.start(n) + len(line)), fixed))
    return cuts


# -- verification -------------------------------------------------------------------------
def prune(data: Any, deleted: set[DataPath], path: DataPath = ()) -> Any:
    """`data` without the nodes at the `deleted` paths."""
    if isinstance(data, dict):
        return {k: prune(v, deleted, path + (k,)) for k, v in data.items() if path + (k,) not in deleted}
    if isinstance(data, list):
        return [prune(v, deleted, path + (i,)) for i, v in enumerate(data) if path + (i,) not in deleted]
    return data


def rewrite(data: Any, rewritten: dict[DataPath, str]) -> Any:
    """`data` with the scalars at the `rewritten` paths set to their new values (in place)."""
    for path, value in rewritten.items():
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return data


def same_data(expected: Any, actual: Any, name: ServiceName, plan: Plan, path: DataPath = ()) -> bool:
    """Compare re-parsed data with the original minus deletions; scalars may differ only by the
    scalar edits, embedded YAML only by its own deletions."""
    if path in plan.emptied and expected == [] and actual in (None, []):
        return True  # a kustomize list emptied on purpose: its key stays, an empty list
    if path in plan.scripts and isinstance(expected, str):
        return actual == plan.scripts[path]
    if path in plan.embedded and isinstance(expected, str) and isinstance(actual, str):
        try:
            return prune(load_safe(expected), plan.embedded[path]) == load_safe(actual)
        except YAMLError:
            return False
    if isinstance(expected, dict) and isinstance(actual, dict):
        return list(expected) == list(actual) and all(
            same_data(expected[k], actual[k], name, plan, path + (k,)) for k in expected)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            same_data(e, a, name, plan, path + (i,)) for i, (e, a) in enumerate(zip(expected, actual, strict=True)))
    if isinstance(expected, str) and isinstance(actual, str) and expected != actual:
        if path in plan.build_args:
            expected = drop_build_args(expected, name)
        return edit_scalar(expected, name) == actual
    return expected == actual


# Jinja's own delimiters: a `.yaml.j2` template that uses them is not YAML until rendered.
_JINJA_DELIMITERS_RE = re.compile(r"\{[{%#]")


def claims(path: str, text: str) -> bool:
    """`.yaml`/`.yml` files (those with template actions are claimed by Helm's editor first), and
    Jinja templates of YAML (`.yaml.j2`) whose actions are YAML comments: makejinja's `#{ var }#`
    and `#% if %#` delimiters (onedr0p's cluster-template), which leave the template valid YAML
    whose comments the edits keep. A template with Jinja's own `{{ }}` is not claimed."""
    base = path.rpartition("/")[2].lower()
    if base.endswith((".yaml.j2", ".yml.j2")):
        return not _JINJA_DELIMITERS_RE.search(text)
    return posixpath.splitext(base)[1] in (".yaml", ".yml")


def remove(text: str, ctx: RemovalContext) -> EditResult:
    """Remove the service's entries from a YAML file."""
    name = ctx.name
    try:
        plan = plan_removal(text, name, ctx.kept_values, _deleted_as_written(text, ctx), deleted_reference(ctx),
                            ctx.variables_removed_here(), is_kustomization(ctx.path),
                            ctx.secrets_removed_here(), ctx.empty_lists_bracketed, ctx.leftovers)
    except YAMLError as exc:
        raise Unparsable(_error_line(exc), "YAML does not parse: " + _first_line(exc)) from exc
    cuts = plan.cuts + scalar_line_cuts(text, name, plan) + commented_out_entries(text, ctx)
    cuts += commented_commands(text, plan)
    cuts += [c for c in history_comment_cuts(text, name) if not any(c.span.overlaps(k.span) for k in cuts)]
    cuts += [c for c in comment_enumeration_cuts(text, name, ctx.peers)
             if not any(c.span.overlaps(k.span) for k in cuts)]
    blocked = orphaned_anchor(text, cuts) or _applied_feature(text, ctx, plan)
    if blocked is not None:
        return EditResult(text, plan.refused + [blocked])
    return finish(text, Lines(text), cuts, plan.refused, lambda new: verify(text, new, name, plan),
                  plan.kept_comments)


def _applied_feature(text: str, ctx: RemovalContext, plan: Plan) -> Refusal | None:
    """With switch=on (the component's feature is made permanent), a refusal of the whole edit of
    a kustomization that applies the component: dropping its entry would switch the feature off
    in that overlay, and folding what the component did into it is a human's job."""
    if ctx.switch != "on" or not is_kustomization(ctx.path):
        return None
    entries = sorted(p for p in plan.deleted if len(p) == 3 and p[1] in KUSTOMIZE_LISTS)
    if not entries:
        return None
    doc, key, index = entries[0]
    line = load_rt(text)[doc][key].lc.item(index)[0] + 1
    return Refusal(line, "switch=on keeps the component's feature, but this kustomization applies the component, "
                         "which the run deleted: fold what it did into this overlay by hand")


# An anchor (`&name`) or alias (`*name`) token: after the start of a line, a space or a flow
# indicator, so that `a&b` inside a URL is neither. Anchor names end at whitespace or `,[]{}`.
_TOKEN_START, _ALIAS_END = r"(?:^|(?<=[\s\[{,]))", r"(?=$|[\s,\]}])"
_ANCHOR_RE = re.compile(_TOKEN_START + r"&([^\s,\[\]{}]+)", re.MULTILINE)


# Where a YAML document starts or ends: `---` or `...` at the start of a line.
_DOCUMENT_START_RE = re.compile(r"^(?:---|\.\.\.)(?=[ \t]|$)", re.MULTILINE)


def _anchor_named(name: str) -> re.Pattern[str]:
    """The definition of anchor `name` (`&name`)."""
    return re.compile(_TOKEN_START + "&" + re.escape(name) + _ALIAS_END, re.MULTILINE)


def orphaned_anchor(text: str, cuts: list[Cut]) -> Refusal | None:
    """A refusal (of the file's whole edit) when a removed entry defines an anchor that the text
    left behind still uses: the result would not parse (an undefined alias), and where the anchor
    should go instead (its next user, with the values written out) is a human's choice."""
    removed = [c.span for c in cuts if not c.replacement]
    documents = [m.start() for m in _DOCUMENT_START_RE.finditer(text)]
    for span in removed:
        for m in _ANCHOR_RE.finditer(text, span.start, span.end):
            alias = re.compile(_TOKEN_START + r"\*" + re.escape(m.group(1)) + _ALIAS_END, re.MULTILINE)
            # an alias means the nearest anchor of its name before it, in its own document
            # (joryirving's toolhive.yaml redefines `&name` in each of its documents)
            users = [u for u in alias.finditer(text, m.end()) if not any(r.start <= u.start() < r.end for r in removed)
                     and not any(m.end() <= d < u.start() for d in documents)
                     and not _anchor_named(m.group(1)).search(text, m.end(), u.start())]
            if users:
                used_at = text.count("\n", 0, users[0].start()) + 1
                return Refusal(text.count("\n", 0, span.start) + 1,
                               f"it defines the anchor &{m.group(1)}, which line {used_at} still uses (the result "
                               "would not parse): move the anchor to its next user by hand")
    return None


def still_valid(before: str, after: str) -> str | None:
    """None unless `after` no longer parses where `before` did."""
    return newly_broken(_parse_problem, before, after)


def _parse_problem(text: str) -> str | None:
    try:
        load_safe(text)
    except YAMLError as exc:
        return f"the result would not parse ({str(exc).splitlines()[0]})"
    return None


def verify(old: str, new: str, name: ServiceName, plan: Plan) -> str | None:
    """None when `new` parses and equals `old`'s data with the planned deletions applied."""
    if old == new:
        return None
    # Tags read as inert data: mkdocs.yml's `!!python/name:...` must not stop a nav edit.
    try:
        actual = load_tagged(new)
    except YAMLError as exc:
        return f"the result would not parse ({_first_line(exc)})"
    expected = prune(rewrite(load_tagged(old), plan.rewritten), plan.deleted)
    # A mapping document emptied on purpose (remove_entries) reads back as no document at all.
    expected = [doc for doc in expected if doc != {}] if actual in ([], [None]) else expected
    actual = [] if actual == [None] else actual
    if not same_data(expected, actual, name, plan):
        return "the result's data differs from the intended deletion"
    return None


def _error_line(exc: YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else 1


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def remove_entries(text: str, targets: list[tuple[DataPath, ServiceName]]) -> EditResult:
    """Remove the mapping entries at the given data paths (doc index first), each with the
    comment above it that names its owner; an entry left empty goes too. Refusals, or a result
    that does not verify, leave the text unchanged."""
    docs = load_rt(text)
    plan = Plan()
    for path, owner in targets:
        path = _widen_to_nonempty_parent(docs, path)
        planner = _Planner(text, owner)
        planner.plan = plan
        parent = _lookup(docs, path[:-1])
        if planner._remove_key(parent, path[-1]):
            plan.deleted.add(path)
    if plan.refused:
        return EditResult(text, plan.refused)
    return finish(text, Lines(text), plan.cuts, [], lambda new: verify(text, new, ServiceName(""), plan),
                  plan.kept_comments)


def _lookup(docs: list[Any], path: DataPath) -> Any:
    node: Any = docs
    for key in path:
        node = node[key]
    return node


def _widen_to_nonempty_parent(docs: list[Any], path: DataPath) -> DataPath:
    """A key that is its mapping's only entry takes the mapping's own entry with it."""
    while len(path) > 2 and len(_lookup(docs, path[:-1])) == 1:
        path = path[:-1]
    return path
