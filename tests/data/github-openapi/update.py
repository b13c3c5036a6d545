"""Regenerate operations.json: the subset of GitHub's official OpenAPI description (the
@octokit/openapi npm package, api.github.com, dereferenced) for the operations gitops-bot calls.
The fake GitHub server in tests/fakes/github.py validates every request it receives and every
response it sends against it.

    python tests/data/github-openapi/update.py            # latest @octokit/openapi
    python tests/data/github-openapi/update.py 23.0.2     # a given version

Needs npm (the registry only); writes operations.json beside this file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# (method, path) of every GitHub REST operation the bot uses; keep in sync with gitops_bot/delivery/github.py
# gitops_bot/delivery/releases.py and gitops_bot/delivery/api_commit.py (tests fail on a call outside this list;
# tests/fakes/releases.py validates the lookups' answers against it too).
OPERATIONS = [
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("post", "/repos/{owner}/{repo}/pulls"),
    ("patch", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("get", "/repos/{owner}/{repo}/releases/latest"),
    ("get", "/repos/{owner}/{repo}/tags"),
    ("get", "/repos/{owner}/{repo}/git/trees/{tree_sha}"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("post", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/reactions"),
    ("get", "/orgs/{org}/teams/{team_slug}/memberships/{username}"),
    # the verified-commit path (gitops_bot/delivery/api_commit.py): the git data API
    ("post", "/repos/{owner}/{repo}/git/blobs"),
    ("post", "/repos/{owner}/{repo}/git/trees"),
    ("post", "/repos/{owner}/{repo}/git/commits"),
    ("get", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("post", "/repos/{owner}/{repo}/git/refs"),
    ("patch", "/repos/{owner}/{repo}/git/refs/{ref}"),
]


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else "latest"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"@octokit/openapi@{version}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("octokit-openapi-*.tgz"))
        with tarfile.open(tarball) as tar:
            member = tar.getmember("package/generated/api.github.com.deref.json")
            spec = json.load(tar.extractfile(member))
            package = json.load(tar.extractfile(tar.getmember("package/package.json")))
    subset = {
        "source": f"@octokit/openapi@{package['version']} generated/api.github.com.deref.json",
        "openapi": spec["openapi"],
        "operations": {},
    }
    for method, path in OPERATIONS:
        op = spec["paths"][path][method]
        subset["operations"][f"{method.upper()} {path}"] = {
            "operationId": op["operationId"],
            "parameters": op.get("parameters", []),
            "requestBody": op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema"),
            "responses": {status: (r.get("content", {}).get("application/json", {}) or {}).get("schema")
                          for status, r in op["responses"].items()},
        }
    out = Path(__file__).with_name("operations.json")
    out.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out} from {subset['source']}")


if __name__ == "__main__":
    main()
