"""set-version github=OWNER/REPO: a ref of the project written as a variable
(`releases/download/${YQ_VERSION}/`, `v$(VERSION)`) moves where the same file assigns it, in the
assignment's own form; a variable assigned no version in the file is listed with the URL's line
(never a silent miss). Constructed before/after trees, look-alikes, a second run that changes nothing."""

from __future__ import annotations

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree
from .fakes.releases import FakeReleases

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


def test_a_variable_whose_raw_url_names_a_file_gone_at_the_new_ref_is_refused(tmp_path, capsys, monkeypatch):
    """With a token, every URL a variable builds is checked at the new ref (GitHub's trees API):
    one naming a file upstream moved refuses the assignment's edit (exit 1, nothing written)."""
    script = ('#!/bin/bash\nKYVERNO="v1.5.5"\nkubectl apply -f '
              'https://raw.githubusercontent.com/kyverno/kyverno/${KYVERNO}/definitions/release/install.yaml\n')
    repo = write_tree(tmp_path, {"install.sh": script})
    with FakeReleases({}, trees={"kyverno/kyverno@v1.6.0": ["config/install.yaml"],
                                 "kyverno/kyverno@v1.5.6": ["definitions/release/install.yaml"]}) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        code, result = report(repo, capsys, "github=kyverno/kyverno", "version=v1.6.0")
        assert code == 1 and result["files"] == []
        assert [(r["line"], r["reason"]) for r in result["refused"]] == [
            (2, "shell variable (the ref of raw file URL): edit refused: definitions/release/install.yaml "
                "is not in kyverno/kyverno at v1.6.0 (the same name there: config/install.yaml): "
                "write the new path by hand")]
        assert run(repo, "github=kyverno/kyverno", "version=v1.5.6") == 0
    assert fake.violations == []
    assert tree_bytes(repo) == {"install.sh": script.replace('"v1.5.5"', '"v1.5.6"').encode()}
