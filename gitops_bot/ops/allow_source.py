"""Operation `allow_source`: let an ArgoCD AppProject's Applications deploy from a repository,
by appending it to the project's `spec.sourceRepos` in the list's own style.

An Application whose `repoURL` its project does not permit never syncs (ArgoCD shows it
`Unknown`); the fix is one line in the AppProject, easy to forget when a chart moves to a new
repository. With `repo=`, that repository goes to `project=` or, without it, to every project
one of whose Applications uses it unpermitted; with no `repo=`, every repository each project's
Applications use and its list does not permit (`check`'s `app-source-not-permitted`). A
repository already permitted (also by a glob) is not added again.
"""

from __future__ import annotations


from gitops_bot.domain.argocd import Application, Project, normalize_repo, repo_permitted
from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.edit import yaml_list
from gitops_bot.errors import UserError, did_you_mean
from gitops_bot.ops import argocd_tree
from gitops_bot.ops.state import RunState


def run(state: RunState, args: dict[str, str]) -> None:
    repo, wanted = args.get("repo") or "", args.get("project") or ""
    projects = argocd_tree.projects(state)
    if not projects:
        raise UserError("no ArgoCD AppProject in this repository (kind: AppProject)")
    by_name: dict[str, list[Project]] = {}
    for project in projects:
        by_name.setdefault(project.name, []).append(project)
    if wanted and wanted not in by_name:
        raise UserError(f"no AppProject named {wanted!r}" + (did_you_mean(wanted, by_name, cutoff=0.5)
                                                            or f" (projects: {', '.join(sorted(by_name))})"))
    apps = argocd_tree.applications(state)
    missing = _missing(apps, by_name, repo, wanted)
    if repo and not missing and not wanted and not _used(apps, repo):
        raise UserError(f"no Application deploys from {repo}: name the project (project=NAME)")
    for name, repos in missing.items():
        found = by_name[name]
        if len(found) != 1:
            places = ", ".join(p.file for p in found)
            state.refused.append(Finding(found[0].file, found[0].line, "", f"AppProject {name} is defined "
                                         f"{len(found)} times ({places}): not changed", Kind.KEPT))
            continue
        _append(state, found[0], repos)


def _used(apps: list[Application], repo: str) -> bool:
    return any(normalize_repo(s.repo_url) == normalize_repo(repo) for a in apps for s in a.sources)


def _missing(apps: list[Application], by_name: dict[str, list[Project]], repo: str,
             wanted: str) -> dict[str, list[str]]:
    """Project name -> the repositories to add, in the order the Applications name them."""
    missing: dict[str, list[str]] = {}

    def add(name: str, url: str) -> None:
        found = by_name.get(name)
        permitted = found and len(found) == 1 and repo_permitted(url, found[0].source_repos)
        seen = {normalize_repo(u) for u in missing.get(name, [])}
        if found and not permitted and normalize_repo(url) not in seen:
            missing.setdefault(name, []).append(url)

    if repo and wanted:
        add(wanted, repo)
        return missing
    for app in apps:
        if wanted and app.project != wanted:
            continue
        for source in app.sources:
            if source.repo_url and (not repo or normalize_repo(source.repo_url) == normalize_repo(repo)):
                add(app.project, repo or source.repo_url)
    return missing


def _append(state: RunState, project: Project, repos: list[str]) -> None:
    tree = state.tree
    text = tree.read(project.file) or ""
    try:
        updated = yaml_list.append_strings(text, project.doc_index, ["spec", "sourceRepos"], repos)
    except yaml_list.AppendRefused as exc:
        state.refused.append(Finding(project.file, project.repos_line or project.line, "",
                                     f"sourceRepos of {project.name} not changed ({exc}): add {', '.join(repos)}",
                                     Kind.KEPT))
        return
    tree.write(project.file, updated)
    if not any(v.path == project.file for v in state.validation):  # two projects of one file: one check
        state.validation.append(Validation(project.file, yaml_list.CHECK, True))
