"""Terraform editor: blocks, attributes, object entries and list elements."""

from __future__ import annotations

import pytest

from gitops_bot.edit import hcl
from gitops_bot.edit.base import Unparsable

from .editors import ctx, dedent

PAIRS = {
    "labelled block with the comment that names it": (
        """
        module "a" {
          source = "x"
        }

        # video-service role
        module "pod_identity_video_service" {
          name = "video-service"
        }

        module "b" {
          source = "y"
        }
        """,
        """
        module "a" {
          source = "x"
        }

        module "b" {
          source = "y"
        }
        """),
    "object entry pointing at a removed block, aligned =": (
        """
        output "roles" {
          value = {
            auth_service  = module.pod_identity_auth_service.arn
            video_service = module.pod_identity_video_service.arn
          }
        }
        """,
        """
        output "roles" {
          value = {
            auth_service  = module.pod_identity_auth_service.arn
          }
        }
        """),
    "multi-line list element, non-ASCII comment kept": (
        """
        # 저장소 목록
        locals {
          repos = [
            "prod/auth-service",
            "prod/video-service", # 비디오
            "prod/board-service",
          ]
        }
        """,
        """
        # 저장소 목록
        locals {
          repos = [
            "prod/auth-service",
            "prod/board-service",
          ]
        }
        """),
    "single-line list, last element": (
        'locals {\n  a = ["auth-service", "video-service"]\n}\n',
        'locals {\n  a = ["auth-service"]\n}\n'),
    "single-line list, first element": (
        'locals {\n  a = ["video-service", "auth-service"]\n}\n',
        'locals {\n  a = ["auth-service"]\n}\n'),
    "depends_on reference": (
        'resource "x" "y" {\n  depends_on = [\n    module.a,\n    module.pod_identity_video_service,\n  ]\n}\n',
        'resource "x" "y" {\n  depends_on = [\n    module.a,\n  ]\n}\n'),
}


@pytest.mark.parametrize("name", PAIRS)
def test_pairs(name):
    before, after = (dedent(t) if t.startswith("\n") else t for t in PAIRS[name])
    assert hcl.remove(before, ctx()).text == after
    assert hcl.remove(after, ctx()).text == after


def test_kept_comment_above_removed_block_is_reported():
    text = 'a = 1\n\n# 비디오\nmodule "pod_identity_video_service" {\n  x = 1\n}\n'
    result = hcl.remove(text, ctx())
    assert result.text == "a = 1\n\n# 비디오\n"
    assert result.kept_comments == ["# 비디오"]


def test_list_left_empty_is_refused():
    text = 'locals {\n  a = ["video-service"]\n}\n'
    result = hcl.remove(text, ctx())
    assert result.text == text
    assert "empty" in result.refused[0].reason


def test_noop_and_sibling_component():
    text = 'module "pod_identity_video_service_gateway" {\n  name = "video-service-gateway"\n}\n'
    assert hcl.remove(text, ctx()).text == text


def test_unparsable_hcl_raises():
    with pytest.raises(Unparsable):
        hcl.remove('module "video_service" {\n', ctx())
