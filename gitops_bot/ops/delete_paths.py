"""Operation `delete_paths`: delete the directories and files that belong to a component:
its source tree, its chart, its ArgoCD Application per environment, any file named after it.

A directory or file belongs to it when its name (without extensions) is the component's name
or one of its own names (`video-service`, `video-service-dashboard.json`), never a longer
sibling component's.
"""

from __future__ import annotations

from gitops_bot.ops.base import Operation
from gitops_bot.ops.state import RunState


def _stem(basename: str) -> str:
    return basename.split(".", 1)[0] if not basename.startswith(".") else basename


def run(state: RunState, args: dict[str, str]) -> None:
    name = state.component(args["name"])
    state.add_residue_name(name)
    quick = name.prefilter()  # most names fail this cheap test before the word comparison
    doomed_dirs = [d for d in state.tree.dirs()
                   if quick.passes(d.rsplit("/", 1)[-1]) and name.owns(d.rsplit("/", 1)[-1])]
    for path in state.tree.paths():
        # a path that fails the cheap test names the component nowhere, neither in its own
        # name nor in a folder's: most of a large tree is passed over here
        if not quick.passes(path) or state.tree.is_deleted(path):
            continue
        base = path.rsplit("/", 1)[-1]
        in_doomed_dir = any(path.startswith(d + "/") for d in doomed_dirs)
        if in_doomed_dir or (quick.passes(base) and name.owns(_stem(base))):
            state.tree.delete(path)


OPERATION = Operation("delete_paths", run, required=("name",), optional=(),
                      description="delete the directories and files that belong to a component")
