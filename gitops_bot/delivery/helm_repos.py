"""Chart versions from HTTP Helm repositories: `<repoURL>/index.yaml`, its `entries.<chart>[].version`.

Anonymous; one download per repository and run. OCI chart repositories (`oci://`) are looked
up as images would be, not here (delivery/registries.py).
"""

from __future__ import annotations

from gitops_bot.delivery.http import request
from gitops_bot.errors import UserError


class HelmRepositories:
    """The versions of a chart in an HTTP Helm repository."""

    def __init__(self) -> None:
        self._indexes: dict[str, dict] = {}

    def chart_versions(self, repo_url: str, chart: str) -> list[str]:
        """Every version `index.yaml` lists for `chart`; a UserError when the index cannot be read or
        does not list the chart."""
        entries = self._entries(repo_url.rstrip("/"))
        releases = entries.get(chart)
        if not isinstance(releases, list):
            raise UserError(f"Helm repository {repo_url}: no chart {chart!r} in its index.yaml")
        versions = [r.get("version") for r in releases if isinstance(r, dict)]
        if not versions or not all(isinstance(v, str) for v in versions):
            raise UserError(f"Helm repository {repo_url}: index.yaml is malformed (chart {chart!r} "
                            "has entries without a version string)")
        return versions

    def _entries(self, base: str) -> dict:
        if base not in self._indexes:
            resp = request(f"{base}/index.yaml", {"Accept": "application/x-yaml, text/yaml, */*"},
                           what=f"Helm repository {base}")
            if resp.status != 200:
                raise UserError(f"Helm repository {base}: index.yaml: HTTP {resp.status}")
            self._indexes[base] = _parse(base, resp.body)
        return self._indexes[base]


def _parse(base: str, body: bytes) -> dict:
    """The `entries` mapping of an index.yaml (safe load: it comes from the network)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=False).load(body.decode("utf-8"))
    except (YAMLError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"Helm repository {base}: index.yaml does not parse: "
                        f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}") from exc
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise UserError(f"Helm repository {base}: index.yaml is malformed (no `entries:` mapping)")
    return entries
