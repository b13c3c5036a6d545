"""Rule `app-source-not-permitted` (error): an ArgoCD Application whose `repoURL` its AppProject's
`spec.sourceRepos` does not permit. ArgoCD refuses to sync it and shows it `Unknown` (a
"not permitted in project" condition), which is easy to miss when the Application was added in
the same change as its new repository. Projects the repository does not define are not judged
(the `default` project, or one managed elsewhere). The fix is `allow-source`.
"""

from __future__ import annotations

from gitops_bot.checks.model import Problem, RepoIndex, Rule, fix_command
from gitops_bot.domain.argocd import repo_permitted


def _not_permitted(index: RepoIndex) -> list[Problem]:
    projects = {}
    for project in index.projects():
        projects.setdefault(project.name, []).append(project)
    problems = []
    for app in index.applications():
        defined = projects.get(app.project)
        if not defined or len(defined) != 1:
            continue  # not defined here (or defined twice: which one ArgoCD has is not ours to say)
        project = defined[0]
        for source in app.sources:
            if source.repo_url and not repo_permitted(source.repo_url, project.source_repos):
                problems.append(RULE.problem(
                    app.file, source.line,
                    f"Application {app.name} deploys from {source.repo_url}, which AppProject {project.name} "
                    f"({project.file}) does not permit: ArgoCD will not sync it",
                    fix_command("apply", "allow-source", repo=source.repo_url, project=project.name)))
    return problems


RULE = Rule("app-source-not-permitted", "error",
            "An ArgoCD Application whose repoURL its AppProject's sourceRepos does not permit", _not_permitted,
            "ArgoCD refuses to sync an Application whose source repository its AppProject's spec.sourceRepos "
            "does not permit and shows it Unknown with a 'not permitted in project' condition, which is easy to "
            "miss when the Application and its new repository arrive in the same change.",
            "Add the repository to the project's `sourceRepos`: `gitops-bot apply allow-source repo=URL "
            "project=NAME` (the finding gives both).")
