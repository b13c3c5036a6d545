"""Operation `delete_paths`: delete the component's footprint (ops/footprint.py): its own
folders (source tree, chart, tests folder) and the files named after it at configuration places
(its ArgoCD Application per environment, its dashboard) and the files holding only its manifests
(a NetworkPolicy named for it in `network-policies.yaml`), never a same-named file of another
component or of application code; those are listed in the residue with the reason.

A folder or file is named after it when its name (without extensions) is the component's name
or one of its own names (`video-service`, `video-service-dashboard.json`), never a longer
sibling component's. With `paths=` (a scope), only the footprint's files inside it go. The
images its deleted pages show that no file left names go too (footprint.page_images), and so do
the Flux sources only its HelmReleases installed from (footprint.dedicated_sources); a
kustomization that listed only its resources and is the last file of its folder is listed
(footprint.emptied_kustomizations).
"""

from __future__ import annotations

from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.ops.footprint import (dedicated_sources, emptied_kustomizations, footprint, manifest_files,
                                      other_tools_configuration, page_images)
from gitops_bot.ops.state import RunState


def run(state: RunState, args: dict[str, str]) -> None:
    state.limit_to(args.get("paths", ""))
    name = state.component(args["name"])
    state.add_residue_name(name)
    tree = state.tree
    found = footprint(tree, name, state.project_dirs(), state.in_scope if state.scope else None)
    other_tools_configuration(tree, name, state.candidates(name), found)
    if found.roots or found.files:  # nothing of its own found: its name may be another's word
        manifest_files(tree, name, state.candidates(name), state.project_dirs(), found)
        dedicated_sources(tree, name, found)
        emptied_kustomizations(tree, name, found)
    # a folder goes whole, with the vendored dependencies the listing skips (`assets/vendor/`)
    deleted = []
    for path in [p for root in found.roots for p in tree.under(root) + tree.vendored_under(root)] + found.files:
        if not tree.is_deleted(path) and state.in_scope(path):
            tree.delete(path)
            deleted.append(path)
    # the pictures of its deleted pages that nothing else shows go with them
    for path in page_images(tree, deleted):
        if state.in_scope(path):
            tree.delete(path)
    state.others_config.update(found.others)
    state.notes.extend(Finding(path, 0, "(not deleted)", reason, Kind.KEPT) for path, reason in found.kept
                       if state.in_scope(path.rstrip("/")))
    # a folder deleted under a name of its own (`test/tracetesting/`, `src/videopostgres/`) may
    # still be named elsewhere (`- name: Run tracetesting`): the residue lists those too
    for alias in found.aliases:
        state.add_residue_name(state.name(alias))
