"""Refresh the webhook payloads the action tests use, from the @octokit/webhooks-examples npm
package (GitHub's own examples):

    python tests/data/webhooks/update.py [VERSION]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# file name -> (event, index of the example in the package)
WANTED = {
    "issue_comment.created.json": ("issue_comment", 0),
    "issue_comment.edited.json": ("issue_comment", 7),
    "workflow_dispatch.json": ("workflow_dispatch", 0),
    # no `edited` example is published: the tests make one from this (action, changes.body.from)
    "pull_request.opened.json": ("pull_request", 0),
}


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else "latest"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"@octokit/webhooks-examples@{version}", "--silent"], cwd=tmp,
                       check=True, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("octokit-webhooks-examples-*.tgz"))
        with tarfile.open(tarball) as tar:
            index = json.load(tar.extractfile("package/api.github.com/index.json"))
            package = json.load(tar.extractfile("package/package.json"))
    events = {entry["name"]: entry["examples"] for entry in index}
    here = Path(__file__).parent
    for name, (event, i) in WANTED.items():
        (here / name).write_text(json.dumps(events[event][i], indent=2) + "\n")
    (here / "SOURCE").write_text(f"@octokit/webhooks-examples@{package['version']} api.github.com/index.json\n")


if __name__ == "__main__":
    main()
