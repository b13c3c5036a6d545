"""The ArgoCD documents of a run's tree: Applications and AppProjects of its plain YAML files,
for the operations that edit them (set-param, allow-source). Helm templates of these documents
are not parsed: their fields are template expressions, not values to edit."""

from __future__ import annotations

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.argocd import Application, Project, applications_in, projects_in
from gitops_bot.ops.state import RunState
from gitops_bot.parse.yaml import load_rt


class _Marks:
    """A prefilter: the files that may hold one of these ArgoCD kinds."""

    def __init__(self, *kinds: bytes) -> None:
        self.kinds = kinds

    def search(self, data: bytes) -> bool:
        return b"argoproj.io" in data and any(kind in data for kind in self.kinds)


def applications(state: RunState) -> list[Application]:
    """Every ArgoCD Application in the run's scope."""
    return [a for path, docs in _documents(state, b"kind: Application") for a in applications_in(path, docs)]


def projects(state: RunState) -> list[Project]:
    """Every ArgoCD AppProject in the run's scope."""
    return [p for path, docs in _documents(state, b"kind: AppProject") for p in projects_in(path, docs)]


def _documents(state: RunState, kind: bytes):
    tree = state.tree
    for path in tree.grep(_Marks(kind)):
        if not path.endswith((".yaml", ".yml")) or not state.in_scope(path):
            continue
        text = tree.read(path)
        if text is None or "{{" in text:
            continue
        try:
            yield path, load_rt(text)
        except YAMLError:
            continue  # a file that does not parse holds no document this can edit
