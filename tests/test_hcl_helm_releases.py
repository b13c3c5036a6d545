"""helm_release blocks read without python-hcl2's grammar (parse/hcl.py `_releases`): the same
answers as the grammar's reading on constructed Terraform that puts braces, quotes and
look-alike attributes inside strings, heredocs, comments and nested blocks; None (the grammar
decides) where a value needs it or the text does not balance."""

from __future__ import annotations

import pytest

from gitops_bot.parse import hcl

TRICKY = '''\
# resource "helm_release" "commented" { version = "0.0.1" }
/* resource "helm_release" "block_comment" {
  version = "0.0.2"
} */
locals {
  note = "a } brace and a \\" quote in a string"
  url  = "${lookup(var.urls, "x}", "y")}/charts"
}

resource "helm_release" "istio_base" {
  name       = "istio-base"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "base"
  version    = "1.24.0" # pinned
  values = [<<-EOT
    version = "9.9.9"
    }
  EOT
  ]
  set {
    name  = "version"
    value = "7.7.7"
  }
}

resource "helm_release" "local" {
  name  = "local"
  chart = "./charts/local"
}

resource "aws_s3_bucket" "b" {
  version = "not a release"
}
'''


def test_the_scan_reads_what_the_grammar_reads(monkeypatch):
    assert hcl._releases(TRICKY) is not None
    assert hcl.helm_release_versions(TRICKY) == hcl._parsed_release_versions(TRICKY) == [
        ("https://istio-release.storage.googleapis.com/charts", "base", "1.24.0",
         TRICKY.index("1.24.0"), TRICKY.index("1.24.0") + 6)]
    line = TRICKY[:TRICKY.index('resource "helm_release" "local"')].count("\n") + 1
    assert hcl.helm_releases_without_version(TRICKY) == [("local", None, "./charts/local", line)]
    monkeypatch.setattr(hcl, "_releases", lambda text: None)  # the grammar's own reading
    assert hcl.helm_releases_without_version(TRICKY) == [("local", None, "./charts/local", line)]


@pytest.mark.parametrize("text", [
    'resource "helm_release" "x" {\n  chart = "c"\n  version = try(var.v, "1.0.0")\n}\n',  # a try() default
    'resource "helm_release" "x" {\n  chart = "c"\n  version = "1.0.0"\n',  # not balanced
    'resource "helm_release" "x" {\n  chart = "c\\"d"\n  version = "1.0.0"\n}\n',  # an escape
    'resource "helm_release" "x" {\n  values = [<<EOF\nnever closed\n',  # an unterminated heredoc
])
def test_unsure_texts_go_to_the_grammar(text):
    assert hcl._releases(text) is None


def test_an_interpolated_chart_is_no_literal():
    """The grammar's reading joined an interpolation's tree into the chart's name; the scan says
    it is no plain string, and the check reports the release by its name."""
    text = 'resource "helm_release" "celeborn" {\n  chart = "${path.module}/charts/celeborn"\n}\n'
    assert hcl.helm_releases_without_version(text) == [("celeborn", None, None, 1)]


def test_a_file_without_releases_is_not_scanned():
    assert hcl._releases('resource "aws_s3_bucket" "b" {\n') == []


@pytest.mark.parametrize("after, same", [
    (TRICKY.replace('"1.24.0"', '"1.28.2"'), True),  # a version replaced by another
    (TRICKY.replace('"1.24.0"', '"1.28.2"').replace('"base"', '"istio-base"'), True),
    (TRICKY.replace('"1.24.0"', '"1.${x}"'), False),  # an interpolation: the grammar decides
    (TRICKY.replace('"1.24.0"', '"1.2\\\\"'), False),  # an escape
    (TRICKY.replace('"1.24.0"', '"1.24.0" "'), False),  # structure changed
    (TRICKY.replace('version    = "1.24.0"', 'version    = var.v'), False),
    (TRICKY.replace("# pinned", "# pinned to 1.28"), False),  # a comment: the grammar decides
])
def test_a_change_of_plain_string_bodies_keeps_the_structure(after, same):
    assert hcl.same_structure(TRICKY, after) is same


def test_a_verdict_without_the_grammar_is_the_grammars(monkeypatch):
    """The editor's check skips the parse only where it could not fail."""
    from gitops_bot.edit import hcl as hcl_editor

    after = TRICKY.replace('"1.24.0"', '"1.28.2"')
    monkeypatch.setattr(hcl_editor, "parse_hcl", lambda text: pytest.fail("parsed"))
    assert hcl_editor.still_valid(TRICKY, after) is None
