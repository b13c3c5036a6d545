"""A component's footprint: the folders and files that are its own, found from the repository's
structure, and the paths named like it that are not (kept, each with the reason).

- Its folders (roots): a folder named after it (`video-service`, the gerund `tracetesting` of
  `tracetest`), or a folder and its parent spelling its name (`istio/gateway`), the parent
  skipped when it is a layout folder (`immich/base/typesense` for immich-typesense). A root inside
  another component's project that holds source code is that project's code (`agents/llm/`
  of an agent): kept, unless it is a project itself.
- Its files: a file named after it (`apps/dev/video-service.yaml`, `video-service.json`, or with
  its words in another order: `ingress-beta.tf` for `beta-ingress`) outside its folders, unless
  it is application source code (`media-service/.../video.go`), an image (a page elsewhere may
  show it) or inside another component's project (`src/agent/.../llm.py`); a documentation page
  named after it is its page wherever it is (a docs site is a project too). A file inside a
  folder that another component's Dockerfile copies into its image (`telemetry-schema/` of a docs
  builder) is that component's input: kept, since deleting it changes what the other one builds.
- The build folders of its dedicated compose dependencies: a service that only its compose
  services use, with a comment above it naming the component (`# Postgres used by the Video
  service`), built from a project folder of the same name (`src/videopostgres/`).
- Two roots of the same shape (the same scripts, Terraform files or build manifests at their
  top, such as two Terraform stacks each with its `cleanup.sh`) are two components that share
  the name, unless they are its copies per environment (`overlays/dev/x`, `overlays/prod/x`):
  nothing is deleted, the user deletes the one they mean, or names it by a `paths=` scope that
  holds only one of them (the other is then no twin: outside the scope, nothing is touched).
- Its page under another name: a documentation page that the Markdown inside its folders links
  to (`docs/job-schedulers/argo-workflows-eks` from `argo-workflow/README.md`) and that names one
  of its folders by its path (`cd schedulers/terraform/argo-workflow`): the page of that folder.
- Its manifest files: a YAML file (among the files naming it) whose every document is a manifest
  named for it (`network-policies.yaml` holding only the NetworkPolicy `video-service-ingress`),
  unless inside another component's project (that project's deployment files are its own), or
  another tool's configuration: resources of the API group of a tool that a HelmRelease of its
  name installs, in a folder named for that tool (kopiur's ClusterRepository named `volsync` in
  `kopiur-repository/`): kept whole and listed, no editor touches them.
- The images its deleted pages show (`![](img/x-pods.png)` beside the page) that no file left
  names: nothing else shows them (page_images).
- Its emptied kustomizations: one whose every `resources:` entry is the component's, when it is
  the last file of its folder and no file names that folder by its path (a namespace folder that
  held only the component), is listed: kept and emptied, the folder's fate the reviewer's;
  unless the folder is named as the component's namespace (`openebs-system/`): it goes whole,
  with the file creating that namespace.
- Its devices: when it is a device plugin (its deleted workload mounts the kubelet's
  `device-plugins` folder), the prefix of the extended resources it advertised, when that prefix
  is its own name's first word (`smarter-devices/coral` of smarter-device-manager): what
  consumers request from it in `resources:` goes (device_prefixes).
- Its image variants: the tag suffixes its deleted kustomizations set on images (`newTag:
  VERSION-native-grpc-probes`), which a Helm branch kept by `switch=on` may still deploy.

A project is a folder with a build or package manifest (Dockerfile, go.mod, package.json, ...).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.names import ServiceName, words
from gitops_bot.domain.worktree import Literals, Worktree
from gitops_bot.edit import SOURCE_SUFFIXES, dockerfile, yaml_apps, yaml_file
from gitops_bot.edit.blocks import comment_above
from gitops_bot.parse.yaml import load_rt, load_safe
from gitops_bot.text.splice import Lines

# Files that make their folder a project: what builds or packages it.
PROJECT_MARKERS = frozenset({"Dockerfile", "go.mod", "package.json", "pyproject.toml", "setup.py",
                             "requirements.txt", "pom.xml", "build.gradle", "build.gradle.kts", "Cargo.toml",
                             "Gemfile", "composer.json", "mix.exs"})
# What a folder is run or built by: two folders with the same of these at their top are two
# things of one shape (two Terraform stacks with their cleanup.sh, two charts). Data and docs
# (values.yaml, README.md) say nothing: a chart and its app folder both have a values.yaml.
_ENTRY_SUFFIXES = (".sh", ".bash", ".tf")
_ENTRY_FILES = PROJECT_MARKERS | {"Chart.yaml"}
_DOC_SUFFIXES = frozenset({".md", ".mdx", ".rst", ".adoc"})
_COMPOSE_FILE_RE = re.compile(r"(docker-)?compose([.-][\w.-]+)?\.ya?ml")
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp"})


@dataclass
class Footprint:
    """What delete_paths deletes (roots and files) and what it keeps, with the reason."""

    roots: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    # Names its deleted folders go by that are not its own name: the gerund folder
    # (`tracetesting`), a dedicated dependency (`videopostgres`). The residue searches them too.
    aliases: list[str] = field(default_factory=list)
    # Files named for it that are another tool's configuration (other_tools_configuration):
    # kept, and no editor of the run touches them.
    others: list[str] = field(default_factory=list)


def project_dirs(tree: Worktree) -> frozenset[str]:
    """Folders holding a build or package manifest (the repository root excepted)."""
    found = set()
    for p in tree.paths():  # rpartition, not posixpath: this runs once per file of the tree
        folder, _, base = p.rpartition("/")
        if folder and base in PROJECT_MARKERS:
            found.add(folder)
    return frozenset(found)


def footprint(tree: Worktree, name: ServiceName, projects: frozenset[str],
              in_scope: Callable[[str], bool] | None = None) -> Footprint:
    """The component's own folders and files in `tree`, and the same-named paths kept. With
    `in_scope` (a `paths=` scope), only the roots with a file in it can be twins: a scope that
    holds one of two same-named components says which one is meant."""
    found = Footprint()
    candidates = _named_folders(tree, name)
    for root in candidates:
        reason = _not_own_folder(tree, root, name, projects)
        if reason:
            found.kept.append((root + "/", reason))
        else:
            found.roots.append(root)
    named = _named_files(tree, name, candidates)
    inputs = _build_inputs(tree, found.roots) if named else {}
    for path in named:
        reason = _not_own_file(path, name, projects) or _input_of_other(path, inputs)
        if reason:
            found.kept.append((path, reason))
        else:
            found.files.append(path)
    scoped = [r for r in found.roots if in_scope is None or any(in_scope(p) for p in tree.under(r))]
    twins = _same_shape(tree, scoped)
    if twins:
        why = (f"{len(twins)} components are named {name.raw} ({', '.join(twins)}): delete the one you mean "
               "by hand, or limit the run to it with paths=")
        found.kept = [(p, why) for p in [r + "/" for r in found.roots] + found.files] + found.kept
        found.roots, found.files = [], []
    elif found.roots:
        found.aliases = [b for r in found.roots if not name.owns(b := r.rsplit("/", 1)[-1]) and name.names_folder(b)]
        dependencies = [f for f in _dependency_folders(tree, name, found.roots, projects) if f not in found.roots]
        found.roots += dependencies
        found.aliases += [f.rsplit("/", 1)[-1] for f in dependencies]
        found.files += [p for p in _linked_pages(tree, found.roots) if p not in found.files]
    return found


# An image a page shows: `![alt](img/x.png "title")` or `<img src="img/x.png">`.
_PAGE_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*?\bsrc=[\"']([^\"']+)", re.IGNORECASE)


def page_images(tree: Worktree, pages: list[str]) -> list[str]:
    """The images the deleted documentation `pages` show by a relative path (`img/superset1.png`
    beside the page) that no file left names: a removed page's pictures, which no other page
    shows (any live file holding the image's file name keeps it: a page, a sidebar, a config)."""
    shown: set[str] = set()
    for page in pages:
        if posixpath.splitext(page)[1].lower() not in _DOC_SUFFIXES:
            continue
        folder = posixpath.dirname(page)
        for m in _PAGE_IMAGE_RE.finditer(tree.original(page) or ""):
            ref = (m.group(1) or m.group(2)).split("#", 1)[0].split("?", 1)[0]
            if ":" in ref or ref.startswith("/"):
                continue  # an address, or a path from a site root only its builder resolves
            path = posixpath.normpath(posixpath.join(folder, ref))
            if posixpath.splitext(path)[1].lower() in _IMAGE_SUFFIXES and tree.listed(path) \
                    and not tree.is_deleted(path):
                shown.add(path)
    if not shown:
        return []
    names = {p.rpartition("/")[2] for p in shown}
    used = set()
    for path in tree.grep(Literals(names)):
        text = tree.read(path) if not tree.is_deleted(path) else None
        used |= {n for n in names if text and n in text}
    return sorted(p for p in shown if p.rpartition("/")[2] not in used)


def manifest_files(tree: Worktree, name: ServiceName, paths: list[str], projects: frozenset[str],
                   found: Footprint) -> None:
    """Add to `found` the YAML files among `paths` (those naming the component) that hold only
    its own manifests (see the module), outside its folders and the files already found."""
    for path in paths:
        if not _yaml_path(path) or tree.is_deleted(path) or path in found.files \
                or any(path.startswith(r + "/") for r in found.roots):
            continue
        if path in found.others:
            continue
        if yaml_file.only_manifests_of(tree.read(path) or "", name):
            owner = _enclosing(path, projects)
            if owner:
                found.kept.append((path, f"only {name.raw}'s manifests, but inside {owner}, another component: kept"))
            else:
                found.files.append(path)


def other_tools_configuration(tree: Worktree, name: ServiceName, paths: list[str], found: Footprint) -> None:
    """Add to `found` (kept, and others) the YAML files among `paths` whose manifests are named
    for the component but are another tool's configuration (_tool_folder). Found whether or not
    the component is still there: a second run leaves them as the first did."""
    installed: dict[str, bool] = {}  # per tool: each answer is a pass over the tree
    for path in paths:
        if not _yaml_path(path) or tree.is_deleted(path):
            continue
        text = tree.read(path) or ""
        tool = yaml_file.only_manifests_of(text, name) and _tool_folder(tree, path, text, name, installed)
        if tool:
            found.kept.append((path, f"named for {name.raw}, but resources of {tool}'s API group in its "
                                     f"folder: {tool}'s configuration, kept"))
            found.others.append(path)


# Flux sources a HelmRelease installs its chart from, by the release's reference to them.
_FLUX_SOURCES = frozenset({"HelmRepository", "OCIRepository", "GitRepository"})


def dedicated_sources(tree: Worktree, name: ServiceName, found: Footprint) -> None:
    """Add to `found` the file of each Flux source (a HelmRepository, OCIRepository or
    GitRepository) that only the component's HelmReleases install from (`sourceRef` or
    `chartRef` naming it: `kubernetes-sigs-nfd` of node-feature-discovery's release), when that
    file holds nothing but the source. A source another release or file still names stays; a
    bootstrap helmfile's repository of the same name that only the component's helmfile releases
    used goes with them (yaml_apps.helmfile_repositories_of), so it does not keep the source."""
    going = [p for r in found.roots for p in tree.under(r)] + found.files
    sources = {ref for p in going if _yaml_path(p) for ref in _release_sources(tree, p)}
    for kind, source in sorted(sources):
        naming = [p for p in tree.grep(Literals([source])) if not tree.is_deleted(p) and p not in going
                  and not any(p.startswith(r + "/") for r in found.roots)]
        defined = [p for p in naming if _only_source(tree, p, kind, source)]
        if len(defined) == 1 and not [p for p in naming if p != defined[0] and _names_source(tree, p, source)
                                      and not _helmfile_repository_going(tree, p, name, source)]:
            found.files.append(defined[0])


def emptied_kustomizations(tree: Worktree, name: ServiceName, found: Footprint) -> None:
    """List in `found.kept` each kustomization whose every `resources:` entry is the component's
    (its folders and files) and that is the last file of its folder, a folder no file names by
    its path: the editor empties its list, and whether the folder (a namespace, with its
    components) goes too is the reviewer's call. Humans differ: budimanjojo deleted the
    namespace folder `postgres-operator/` with its only operator, bjw-s kept `database/` with
    `resources: []` when its only broker went. A folder named as the component's namespace
    (`openebs-system/`) goes whole: the namespace was the component's. A Jinja template's
    entries (`./openebs/ks.yaml` in `kustomization.yaml.j2`) name what the templates render."""
    going = set(found.files) | {p for r in found.roots for p in tree.under(r)}
    for path in [p for p in tree.paths() if yaml_file.is_kustomization(p)]:
        folder = posixpath.dirname(path)
        if path in going or not folder or tree.is_deleted(path):
            continue
        docs = _yaml_docs(tree, path)
        resources = docs[0].get("resources") if len(docs) == 1 and isinstance(docs[0], dict) else None
        if not isinstance(resources, list) or not resources or not all(isinstance(r, str) for r in resources):
            continue
        own = _namespace_folder(folder, name)
        # in the component's namespace folder, the file creating that namespace goes with it
        gone = going | ({p for p in tree.under(folder) if _only_namespace(tree, p)} if own else set())
        entries = [posixpath.normpath(posixpath.join(folder, r)) for r in resources]
        if not all(any(t in gone or any(t == r or t.startswith(r + "/") for r in found.roots)
                       for t in yaml_file.rendered_forms(e, path.endswith(".j2"))) for e in entries):
            continue
        if not all(p == path or p in gone or tree.is_deleted(p) for p in tree.under(folder)) \
                or _folder_named(tree, folder, going):
            continue
        if own:
            found.roots.append(folder)
        else:
            found.kept.append((path, "it listed only the component's resources and is its folder's last file: kept, "
                                     "its list emptied; delete the folder if what it adds (a namespace) goes too"))


# What a namespace folder adds to its component's name: `openebs-system`, `vault-ns`.
_NAMESPACE_SUFFIXES = frozenset({"system", "ns", "namespace"})


def _namespace_folder(folder: str, name: ServiceName) -> bool:
    """Whether `folder` is named as the component's namespace: its name and one namespace word."""
    t = words(folder.rpartition("/")[2])
    return len(t) == len(name.tokens) + 1 and t[:-1] == name.tokens and t[-1] in _NAMESPACE_SUFFIXES


def _only_namespace(tree: Worktree, path: str) -> bool:
    """Whether a YAML file holds only Namespace manifests."""
    docs = _yaml_docs(tree, path)
    return bool(docs) and all(isinstance(d, dict) and d.get("kind") == "Namespace" for d in docs)


def _folder_named(tree: Worktree, folder: str, going: set[str]) -> bool:
    """Whether a file that stays names the folder by its path (a Flux Kustomization's `path:
    ./infra/configs`, which would fail on a missing folder: flux2-multi-tenancy kept such a
    kustomization, emptied)."""
    return any(p not in going and not p.startswith(folder + "/") for p in tree.grep(Literals([folder])))


def _helmfile_repository_going(tree: Worktree, path: str, name: ServiceName, source: str) -> bool:
    """Whether a helmfile names `source` only as a repository that the component's releases
    alone used (onedr0p's bootstrap `repositories: - name: postfinance` of kubelet-csr-approver),
    and in those releases' `chart:` lines: the removal takes both."""
    docs = _yaml_docs(tree, path)
    helmfiles = [d for d in docs if yaml_apps.is_helmfile(d)]
    if len(helmfiles) != len(docs) or not helmfiles:
        return False
    for doc in helmfiles:
        releases = yaml_apps.helmfile_releases_of(doc, name)
        repositories = yaml_apps.helmfile_repositories_of(doc, releases)
        kept = [v for k, v in doc.items() if k not in ("releases", "repositories")] \
            + [r for i, r in enumerate(doc["releases"]) if i not in releases] \
            + [r for i, r in enumerate(doc.get("repositories") or ()) if i not in repositories]
        if source in str(kept):
            return False
    return True


def _yaml_path(path: str) -> bool:
    """A YAML file's path, or a Jinja template's of one (`.yaml.j2`: yaml_file.claims)."""
    return path.endswith((".yaml", ".yml", ".yaml.j2", ".yml.j2"))


def _yaml_docs(tree: Worktree, path: str) -> list:
    """The documents of a YAML file or of a template yaml_file claims (none for another file, or
    one that does not parse)."""
    if not _yaml_path(path) or not yaml_file.claims(path, tree.read(path) or ""):
        return []
    try:
        return [d for d in load_safe(tree.read(path) or "") if d is not None]
    except (YAMLError, RecursionError, ValueError):
        return []


def _release_sources(tree: Worktree, path: str) -> set[tuple[str, str]]:
    """(kind, name) of the sources the HelmReleases of a file install from."""
    if "HelmRelease" not in (tree.read(path) or ""):
        return set()
    found = set()
    for doc in _yaml_docs(tree, path):
        spec = doc.get("spec") if isinstance(doc, dict) and doc.get("kind") == "HelmRelease" else None
        chart = spec.get("chart") if isinstance(spec, dict) else None
        chart_spec = chart.get("spec") if isinstance(chart, dict) else None
        refs = [chart_spec.get("sourceRef") if isinstance(chart_spec, dict) else None,
                spec.get("chartRef") if isinstance(spec, dict) else None]
        found |= {(r["kind"], r["name"]) for r in refs
                  if isinstance(r, dict) and r.get("kind") in _FLUX_SOURCES and isinstance(r.get("name"), str)}
    return found


def _only_source(tree: Worktree, path: str, kind: str, name: str) -> bool:
    """Whether a YAML file holds exactly one document: the source `kind`/`name`."""
    docs = _yaml_docs(tree, path)
    return len(docs) == 1 and isinstance(docs[0], dict) and docs[0].get("kind") == kind \
        and isinstance(docs[0].get("metadata"), dict) and docs[0]["metadata"].get("name") == name


def _names_source(tree: Worktree, path: str, name: str) -> bool:
    """Whether a file refers to the source by its name as a word (not only as its file's name in
    a kustomization's `resources:`, which goes with the file)."""
    text = tree.read(path) or ""
    return any(re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.ya?ml\b)", line) for line in text.splitlines())


def _named_folders(tree: Worktree, name: ServiceName) -> list[str]:
    """The top-most folders named after the component (sorted: a parent before its children)."""
    # the first word less its last letter is in every name the folder may have (`manag` of
    # `managing`): a cheap test that passes most folders over
    first = name.tokens[0][:-1]
    tail_words = name.tokens[1:]
    chosen: list[str] = []
    for d in tree.dirs():
        if any(d.startswith(c + "/") for c in chosen):
            continue
        parent, _, base = d.rpartition("/")
        if first in base.lower() and name.names_folder(base):
            chosen.append(d)
        elif parent and tail_words and name.spelled_by(_owner_of(parent), base):
            chosen.append(d)
    return chosen


# Folders that lay an app out rather than name it: `immich/base/typesense` is immich's typesense.
_LAYOUT_FOLDERS = frozenset({"base", "app", "apps", "overlays", "components", "resources"})


def _owner_of(parent: str) -> str:
    """The folder name that spells the start of a sub-component's name: the parent, or the one
    above it when the parent is a layout folder (`immich` of `immich/base/`)."""
    up, _, last = parent.rpartition("/")
    return up.rsplit("/", 1)[-1] if last in _LAYOUT_FOLDERS and up else last


def _not_own_folder(tree: Worktree, root: str, name: ServiceName, projects: frozenset[str]) -> str | None:
    """Why a folder named like the component is not its own, or None when it is: inside another
    project (and not a project itself), its source code, or a folder named by the short form
    only (`assets/video/` of a frontend is not `video-service`'s)."""
    owner = _enclosing(root, projects)
    if not owner or root in projects:
        return None
    if _holds_source(tree, root):
        return f"named like {name.raw} but inside {owner}, another component's source: kept"
    if words(root.rsplit("/", 1)[-1]) == name.short != name.tokens:
        return f"named like {name.raw}'s short form but inside {owner}, another component: kept"
    return None


def _named_files(tree: Worktree, name: ServiceName, folders: list[str]) -> list[str]:
    """Files outside those folders whose name (without extensions) the component owns."""
    first = name.tokens[0]
    found = []
    for path in tree.paths():
        base = path.rsplit("/", 1)[-1]
        # every word is in the name in any order, so a file without the first word is passed over
        if first not in base.lower() or tree.is_deleted(path) or any(path.startswith(f + "/") for f in folders):
            continue
        stem = base if base.startswith(".") else base.split(".", 1)[0]
        if name.owns(stem) or name.reorders(stem):
            found.append(path)
    return found


def _not_own_file(path: str, name: ServiceName, projects: frozenset[str]) -> str | None:
    """Why a file named like the component is not its own, or None when it is."""
    suffix = posixpath.splitext(path)[1].lower()
    owner = _enclosing(path, projects)
    what = "source code" if suffix in SOURCE_SUFFIXES else "an image" if suffix in _IMAGE_SUFFIXES else None
    # a page named after the component is its page, in a docs site's project too
    if owner and suffix not in _DOC_SUFFIXES:
        return f"{what or 'a file'} named like {name.raw} but inside {owner}, another component: kept"
    if what == "source code":
        return f"source code named like {name.raw}: kept (code goes only with the component's folder)"
    if what:
        return f"an image named like {name.raw}: kept (a page outside its folders may show it)"
    return None


def _dependency_folders(tree: Worktree, name: ServiceName, roots: list[str], projects: frozenset[str]) -> list[str]:
    """The build folders of the component's dedicated compose dependencies (see the module)."""
    found = []
    for path in tree.paths():
        if not _COMPOSE_FILE_RE.fullmatch(path.rpartition("/")[2]) or not name.mentions(tree.read(path) or ""):
            continue
        text = tree.read(path) or ""
        try:
            docs = load_rt(text)
        except YAMLError:
            continue  # the editors refuse it
        lines = Lines(text)
        for doc in docs:
            if not yaml_apps.is_compose(doc):
                continue
            services = doc["services"]
            mine = yaml_apps.compose_services_of(doc, name, frozenset(roots))

            def comment_names_it(dep: str) -> bool:
                line, col = services.lc.key(dep)
                return any(name.names_in_comment(lines.line(n)) for n in range(comment_above(lines, line, col), line))
            for dep in yaml_apps.dedicated_dependencies(doc, mine, comment_names_it):
                folder = yaml_apps.build_folder(services[dep])
                if folder in projects and words(folder.rsplit("/", 1)[-1]) == words(dep) \
                        and not any(p.startswith(folder + "/") for p in projects):
                    found.append(folder)
    return found


# A link or path in a page: segments around slashes, a scheme in front allowed.
_LINK_RE = re.compile(r"(?:[a-z]+://)?[\w.~-]+(?:/[\w.~-]+)+")


def _linked_pages(tree: Worktree, roots: list[str]) -> list[str]:
    """Documentation pages outside `roots` that are the component's page under another name
    (`job-schedulers/argo-workflows-eks.md` of the folder `argo-workflow`): a page the Markdown
    inside a root sends readers to (a link whose last two segments are the page's folder and
    name: a docs site's URL or a relative path) and that itself names a root by its path (`cd
    schedulers/terraform/argo-workflow`, a Code repo link). A page only linked to (a shared
    glossary) or only naming the folder (another guide using it) is not the component's."""
    wanted: set[tuple[str, str]] = set()
    for root in roots:
        for path in tree.under(root):
            if posixpath.splitext(path)[1].lower() in _DOC_SUFFIXES:
                wanted.update(_tail(link) for link in _LINK_RE.findall(tree.read(path) or ""))
    if not wanted:
        return []
    named = [re.compile(r"(?<![\w.-])" + re.escape(r) + r"(?![\w.-])") for r in roots]
    found = []
    for path in tree.paths():
        if posixpath.splitext(path)[1].lower() not in _DOC_SUFFIXES or _tail(path) not in wanted \
                or tree.is_deleted(path) or any(path.startswith(r + "/") for r in roots):
            continue
        text = tree.read(path) or ""
        if any(n.search(text) for n in named):
            found.append(path)
    return found


def _tail(path: str) -> tuple[str, str]:
    """The last folder and the name without its extension of a path or link."""
    folder, _, base = path.rstrip("/").rpartition("/")
    stem = base.rsplit(".", 1)[0] if posixpath.splitext(base)[1].lower() in _DOC_SUFFIXES else base
    return folder.rpartition("/")[2], stem


def _build_inputs(tree: Worktree, roots: list[str]) -> dict[str, str]:
    """Folders that a Dockerfile outside `roots` copies into its image (COPY/ADD sources that are
    folders of the tree, read from the repository root or from the Dockerfile's folder, as a
    build context may be either), each with that Dockerfile."""
    folders = set(tree.dirs())
    found: dict[str, str] = {}
    for path in tree.paths():
        if not dockerfile.claims(path, "") or tree.is_deleted(path) \
                or any(path.startswith(r + "/") for r in roots):
            continue
        for source in dockerfile.copied_sources(tree.read(path) or ""):
            if any(c in source for c in "*?[$"):
                continue
            for base in ("", posixpath.dirname(path)):
                folder = posixpath.normpath(posixpath.join(base, source))
                if folder in folders:
                    found.setdefault(folder, path)
    return found


def _input_of_other(path: str, inputs: dict[str, str]) -> str | None:
    """Why a file named like the component is another component's build input, or None."""
    if posixpath.splitext(path)[1].lower() in _DOC_SUFFIXES:
        return None  # the component's page, as above
    for folder, consumer in inputs.items():
        if path.startswith(folder + "/"):
            return f"inside {folder}/, which {consumer} copies into its image: kept (another component's input)"
    return None


def _tool_folder(tree: Worktree, path: str, text: str, name: ServiceName,
                 installed: dict[str, bool]) -> str | None:
    """The other tool whose configuration the manifests of `text` are: a tool that a HelmRelease
    of its own name installs here, whose API group they are of, in a folder (or its parent, for
    an `<app>/app/` layout) named for it. kopiur's ClusterRepository named `volsync` in
    `kopiur-repository/` points kopiur at volsync's old data and stays when volsync goes. A
    group's category label (`monitoring` of `monitoring.coreos.com`) is no tool: nothing of
    that name is installed. None when the group is the component's own."""
    tools = {w for folder in path.split("/")[:-1][-2:] for w in words(folder)}
    candidates = sorted(label for label in yaml_file.api_group_labels(text) & tools if not name.identifies(label))
    for label in candidates:
        if label not in installed:
            installed[label] = _installed(tree, label)
    return next((label for label in candidates if installed[label]), None)


def _installed(tree: Worktree, tool: str) -> bool:
    """Whether a HelmRelease named `tool` installs it in the tree."""
    for path in tree.grep(Literals([tool])):
        if tree.is_deleted(path) or "HelmRelease" not in (tree.read(path) or ""):
            continue
        if any(isinstance(d, dict) and d.get("kind") == "HelmRelease" and isinstance(d.get("metadata"), dict)
               and d["metadata"].get("name") == tool for d in _yaml_docs(tree, path)):
            return True
    return False


def _enclosing(path: str, projects: frozenset[str]) -> str | None:
    """The nearest project folder strictly above `path`, or None."""
    parent = posixpath.dirname(path)
    while parent:
        if parent in projects:
            return parent
        parent = posixpath.dirname(parent)
    return None


def _holds_source(tree: Worktree, folder: str) -> bool:
    return any(posixpath.splitext(p)[1].lower() in SOURCE_SUFFIXES for p in tree.under(folder))


def _same_shape(tree: Worktree, roots: list[str]) -> list[str]:
    """Roots that share an entry file at their top with another root (their shape), or []."""
    if len(roots) < 2:
        return []
    tops = {r: _top_files(tree, r) for r in roots}
    return [r for r in roots if any(tops[r] & tops[o] and not _per_place_copies(r, o) for o in roots if o != r)]


def _per_place_copies(a: str, b: str) -> bool:
    """True for one component's folders per environment or cluster (`overlays/dev/x`,
    `overlays/prod/x`): the paths differ in one folder above the component's."""
    pa, pb = a.split("/"), b.split("/")
    return len(pa) == len(pb) and pa[-1] == pb[-1] and sum(x != y for x, y in zip(pa, pb)) == 1


def _top_files(tree: Worktree, folder: str) -> frozenset[str]:
    start = len(folder) + 1
    tops = (p[start:] for p in tree.under(folder) if "/" not in p[start:])
    return frozenset(t for t in tops if t.endswith(_ENTRY_SUFFIXES) or t in _ENTRY_FILES)


# A kustomize `images:` tag that is a version (or a placeholder for one) plus a variant suffix:
# `ONLINE_BOUTIQUE_VERSION-native-grpc-probes`, `v1.2.0-debug` -> `native-grpc-probes`, `debug`.
_VARIANT_TAG_RE = re.compile(r"(?:v?[0-9]+(?:\.[0-9]+)*|[A-Z][A-Z0-9_]*|\$\{?[A-Za-z_]\w*\}?)-([a-z][a-z0-9.-]*)")


def image_variants(tree: Worktree, deleted: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The image tag suffixes the deleted kustomizations set (`images: - newTag: VERSION-suffix`),
    each with the file that set it: the image variants that were the component's."""
    found: dict[str, str] = {}
    for path in sorted(deleted):
        if path.rpartition("/")[2] not in ("kustomization.yaml", "kustomization.yml"):
            continue
        try:
            docs = load_safe(tree.original(path) or "")
        except YAMLError:  # an unparsable deleted file sets nothing we can read
            continue
        for doc in docs:
            images = doc.get("images") if isinstance(doc, dict) else None
            for item in images if isinstance(images, list) else ():
                tag = item.get("newTag") if isinstance(item, dict) else None
                m = _VARIANT_TAG_RE.fullmatch(tag) if isinstance(tag, str) else None
                if m:
                    found.setdefault(m.group(1), path)
    return tuple(found.items())


# Where the kubelet's device plugins register: a workload mounting it advertises extended resources.
_DEVICE_PLUGIN_DIR = "/var/lib/kubelet/device-plugins"
# An extended resource requested in a `resources:` map: `smarter-devices/coral: "1"`.
_EXTENDED_RESOURCE_RE = re.compile(r"""^[ \t]*["']?([a-z0-9][a-z0-9.-]*)/[\w.-]+["']?[ \t]*:""", re.MULTILINE)
# First words that say nothing of whose a resource prefix is.
_GENERIC_WORDS = frozenset({"generic", "device", "devices", "k8s", "kube", "kubernetes", "node", "gpu", "cluster"})


def device_prefixes(tree: Worktree, deleted: frozenset[str], name: ServiceName) -> frozenset[str]:
    """The prefixes of the extended resources a deleted device plugin advertised, as the files
    left request them: a prefix whose first word is the component's own first word, with no dot
    (`smarter-devices` of smarter-device-manager). A vendor's domain (`nvidia.com`) is not one:
    the vendor's other plugins (an operator replacing it) advertise the same resources."""
    first = name.tokens[0] if name.tokens else ""
    if len(first) < 3 or first in _GENERIC_WORDS:
        return frozenset()
    if not any(_DEVICE_PLUGIN_DIR in (tree.original(p) or "") for p in deleted if p.endswith((".yaml", ".yml"))):
        return frozenset()
    found = set()
    for path in tree.grep(Literals([first + "-"])):
        if path.endswith((".yaml", ".yml")) and not tree.is_deleted(path):
            found |= {m.group(1) for m in _EXTENDED_RESOURCE_RE.finditer(tree.read(path) or "")
                      if "." not in m.group(1) and words(m.group(1))[:1] == (first,)}
    return frozenset(found)
