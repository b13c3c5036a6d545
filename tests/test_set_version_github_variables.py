"""set-version github=OWNER/REPO: a ref of the project written as a variable
(`releases/download/${YQ_VERSION}/`, `v$(VERSION)`) moves where the same file assigns it, in the
assignment's own form; a variable assigned no version in the file is listed with the URL's line
(never a silent miss). Constructed before/after trees, look-alikes, a second run that changes nothing."""

from __future__ import annotations

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

SCRIPT = """#!/bin/bash
set -eu
YQ_VERSION="v4.5.0"
FORK_VERSION="v4.5.0"
OTHER="v4.5.0"
curl -sL https://github.com/mikefarah/yq/releases/download/${YQ_VERSION}/yq_linux_amd64 -o yq
curl -sL https://github.com/acme/yq/releases/download/${FORK_VERSION}/yq_linux_amd64 -o fork
"""

MAKEFILE = """TOOL_VERSION ?= 4.5.0

bin/yq:
\tcurl -sL -o $@ https://github.com/mikefarah/yq/archive/v$(TOOL_VERSION).tar.gz
"""


def test_a_variable_ref_moves_where_the_file_assigns_it(tmp_path, capsys):
    repo = write_tree(tmp_path, {"tools.sh": SCRIPT, "Makefile": MAKEFILE})
    assert run(repo, "github=mikefarah/yq", "version=v4.6.1") == 0
    assert tree_bytes(repo) == {
        "Makefile": MAKEFILE.replace("?= 4.5.0", "?= 4.6.1").encode(),  # the ref is v + the value
        "tools.sh": SCRIPT.replace('YQ_VERSION="v4.5.0"', 'YQ_VERSION="v4.6.1"').encode(),
    }
    code, second = report(repo, capsys, "github=mikefarah/yq", "version=v4.6.1")
    assert code == 0 and second["files"] == [] and second["residue"] == []


def test_a_variable_assigned_elsewhere_is_listed_with_the_urls_line(tmp_path, capsys):
    text = "#!/bin/bash\ncurl -sL https://github.com/mikefarah/yq/releases/download/${YQ_TAG}/yq -o yq\n"
    repo = write_tree(tmp_path, {"get.sh": text})
    code, result = report(repo, capsys, "github=mikefarah/yq", "version=v4.6.1")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("get.sh", 2, "release asset URL: its ref is ${YQ_TAG}, assigned no version in this file: "
                      "set it where it is assigned")]


def test_a_variable_that_holds_no_version_is_listed_not_moved(tmp_path, capsys):
    text = 'BRANCH=main\ncurl -sL https://raw.githubusercontent.com/mikefarah/yq/${BRANCH}/README.md\n'
    repo = write_tree(tmp_path, {"get.sh": text})
    code, result = report(repo, capsys, "github=mikefarah/yq", "version=v4.6.1")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"]) for r in result["residue"]] == [("get.sh", 2)]
