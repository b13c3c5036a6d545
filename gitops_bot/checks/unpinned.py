"""Rule `unpinned-image` (warning): a container image tagged `:latest` or not tagged at all
(domain/unpinned.py: manifests, compose, Helm values tags, workflow containers, Dockerfile
FROM). What runs changes when the registry's tag moves, without a commit. The fix hint shows the
pinned form and the recipe that writes it (`pin-versions image=...`, through the registry lookup).
(`floating-version` leaves images to this rule.)
"""

from __future__ import annotations

from gitops_bot.checks.model import UNPINNED_FILES, Problem, RepoIndex, Rule, fix_command
from gitops_bot.domain.unpinned import VALUES_TAG, may_hold, unpinned_images
from gitops_bot.edit import classify


def _unpinned(index: RepoIndex) -> list[Problem]:
    problems = []
    for path in filter(may_hold, index.candidates(UNPINNED_FILES)):
        text = index.tree.read(path)
        if text is None:
            continue
        for f in unpinned_images(path, text, classify(path, text)):
            how = "tagged latest" if f.start != f.end else "not tagged"
            if f.subject == VALUES_TAG:
                problems.append(RULE.problem(path, f.line, "image tag latest (no repository beside it): it changes "
                                                           "without a commit", "pin it: tag: <X.Y.Z>"))
                continue
            pinned = "tag: <X.Y.Z>" if f.kind == "image tag" else f"{f.subject}:<X.Y.Z>"
            fix = f"pin it as {pinned}: " + fix_command("apply", "pin-versions", image=f.subject)
            problems.append(RULE.problem(path, f.line, f"image {f.subject} is {how}: it changes without a commit", fix))
    return problems


RULE = Rule("unpinned-image", "warning", "A container image tagged latest or not tagged at all", _unpinned,
            "An image tagged latest or not tagged at all runs whatever the registry's tag points to when a pod "
            "starts: what runs changes without a commit, and two replicas can run different builds.",
            "Pin the image to a release tag: `gitops-bot apply pin-versions image=REPOSITORY` looks up its "
            "newest stable tag (add `digest=resolve` to pin its digest too).")
