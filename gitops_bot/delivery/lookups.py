"""The lookups the commands give a run (domain/lookups.py's ReleaseLookup), from the environment:
GitHub releases, tags and trees (GITHUB_TOKEN, GITHUB_API_URL), OCI registries (anonymous; GITOPS_BOT_REGISTRY_URLS,
GITOPS_BOT_REGISTRY_AUTH) and HTTP Helm repositories (anonymous). Each client is built, and its
HTTP machinery imported, only when a lookup of its kind is made."""

from __future__ import annotations

import os
from typing import Mapping


class Lookups:
    """Every lookup a recipe may ask for, each delegated to its client."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        self._github = self._registries = self._helm = None

    def latest_release_tag(self, slug: str) -> str | None:
        return self._github_releases().latest_release_tag(slug)

    def unavailable(self) -> str | None:
        return self._github_releases().unavailable()

    def tag_commits(self, slug: str) -> dict[str, str] | None:
        return self._github_releases().tag_commits(slug)

    def repository_tree(self, slug: str, ref: str):
        return self._github_releases().repository_tree(slug, ref)

    def image_tags(self, image: str) -> list[str] | None:
        return self._oci().image_tags(image)

    def image_digest(self, image: str, tag: str) -> str | None:
        return self._oci().image_digest(image, tag)

    def chart_versions(self, repo_url: str, chart: str) -> list[str] | None:
        if self._helm is None:
            from gitops_bot.delivery.helm_repos import HelmRepositories

            self._helm = HelmRepositories()
        return self._helm.chart_versions(repo_url, chart)

    def _github_releases(self):
        if self._github is None:
            from gitops_bot.delivery.releases import GitHubReleases

            self._github = GitHubReleases(self.env)
        return self._github

    def _oci(self):
        if self._registries is None:
            from gitops_bot.delivery.registries import OciRegistries

            self._registries = OciRegistries(self.env)
        return self._registries
