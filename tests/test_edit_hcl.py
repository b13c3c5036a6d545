"""Terraform editor: blocks, attributes, object entries and list elements."""

from __future__ import annotations

from dataclasses import replace

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


# -- blocks made for the component under another label, and what must stay -------------------
# Each case: (before, after, context overrides). `after` is what a careful human leaves; the
# editor is run again on `after` (idempotence) and on an untouched neighbour (no-op).
MADE_FOR = {
    "generic module named by its input, with the comment that names it": (
        """
        # ECR repository for the video-service image
        module "ecr" {
          source    = "./modules/ecr"
          repo_name = "platform-video-service-images"
        }

        module "ecr_web" {
          source    = "./modules/ecr"
          repo_name = "platform-web"
        }
        """,
        """
        module "ecr_web" {
          source    = "./modules/ecr"
          repo_name = "platform-web"
        }
        """, {}),
    "a variable whose default is the component's name": (
        """
        variable "team" {
          default = "webops"
        }

        variable "namespace" {
          type    = string
          default = "video-service"
        }

        variable "environment" {
          default = "production"
        }
        """,
        """
        variable "team" {
          default = "webops"
        }

        variable "environment" {
          default = "production"
        }
        """, {}),
    "a module whose local source was deleted with the component": (
        """
        module "cert_manager" {
          source = "./cert-manager"
        }

        module "video_collector" {
          count  = var.enable_video ? 1 : 0
          source = "./video-service-addon"
        }
        """,
        """
        module "cert_manager" {
          source = "./cert-manager"
        }
        """, {"path": "addons/main.tf", "deleted_paths": frozenset({"addons/video-service-addon/main.tf"})}),
    "an output whose value comes from the component goes whole": (
        """
        output "a" {
          value = module.a.arn
        }

        output "video_irsa_arn" {
          description = "IRSA role"
          value       = length(module.video_service) > 0 ? module.video_service[0].arn : null
        }
        """,
        """
        output "a" {
          value = module.a.arn
        }
        """, {}),
    "a section banner goes with the section it heads": (
        """
        output "a" {
          value = module.a.arn
        }

        #-------------------------------
        # Video Outputs
        #-------------------------------
        output "video_service_endpoint" {
          value = var.create && var.enable ? module.video_service[0].endpoint : null
        }

        output "video_service_id" {
          value = var.create && var.enable ? module.video_service[0].id : null
        }
        """,
        """
        output "a" {
          value = module.a.arn
        }
        """, {}),
    "a banner over a section that keeps an item stays": (
        """
        ###########
        # Modules #
        ###########

        module "a" {
          source = "x"
        }

        module "video_service" {
          source = "y"
        }
        """,
        """
        ###########
        # Modules #
        ###########

        module "a" {
          source = "x"
        }
        """, {}),
    "a file whose every block goes is emptied, banners and all": (
        """
        ##################################
        # video class ingress controller #
        ##################################

        module "video_service_controllers" {
          source = "x"
        }



        ##############
        # validation #
        ##############

        module "video_service_validator" {
          source = "y"
        }
        """,
        "", {}),
    "an entry of an object that reads a removed module behind an input flag": (
        """
        locals {
          argocd_addons = {
            certManager  = var.enable_cert_manager ? module.cert_manager[0].config : null
            videoAddon   = var.enable_video ? module.video_collector[0].config : null
          }
        }
        """,
        """
        locals {
          argocd_addons = {
            certManager  = var.enable_cert_manager ? module.cert_manager[0].config : null
          }
        }
        """, {"path": "addons/locals.tf",
              "neighbours": (("addons/main.tf",
                              'module "video_collector" {\n  source = "./video-service-addon"\n}\n'),),
              "deleted_paths": frozenset({"addons/video-service-addon/main.tf"})}),
}


@pytest.mark.parametrize("case", MADE_FOR)
def test_blocks_made_for_the_component(case):
    before, after, extra = MADE_FOR[case]
    before, after = dedent(before), dedent(after) if after else after
    context = replace(ctx(), **extra)
    assert hcl.remove(before, context).text == after
    if after:
        assert hcl.remove(after, context).text == after


def test_a_block_for_another_thing_under_a_comment_naming_the_component_stays():
    text = '# next to the video-service image\nmodule "ecr_web" {\n  repo_name = "platform-web"\n}\n'
    assert hcl.remove(text, ctx()).text == text


def test_a_generic_block_that_only_mentions_the_component_stays():
    # The name input is another thing's; the component is only an argument.
    text = 'module "ecr" {\n  repo_name = "platform-web"\n  readers   = ["video-service-reader"]\n}\n'
    assert hcl.remove(text, ctx()).text == text


STAYS = {
    "a removed block still referenced in the same file": (
        'resource "aws_route53_zone" "video_service_zone" {\n  name = "video.example.com"\n}\n\n'
        'resource "aws_route53_record" "parent_ns" {\n'
        '  name = "ns.${aws_route53_zone.video_service_zone.name}"\n}\n',
        {}, "aws_route53_zone.video_service_zone is still referenced at this file:6"),
    "a module whose deleted folder is still referenced by another file of the module": (
        'module "collector" {\n  source = "./video-service"\n}\n',
        {"path": "a/main.tf", "deleted_paths": frozenset({"a/video-service/main.tf"}),
         "neighbours": (("a/app.tf", 'module "app" {\n  image = "${module.collector.url}:1.0"\n}\n'),)},
        "module.collector is still referenced at a/app.tf:2"),
    "a depends_on on a removed block that depended on others": (
        'module "video_service" {\n  depends_on = [module.db]\n}\n\nmodule "api" {\n'
        '  depends_on = [\n    module.db,\n    module.video_service,\n  ]\n}\n',
        {}, "depends_on module.video_service, which is removed and itself depended on others"),
    "a map key still indexed elsewhere (local)": (
        'locals {\n  ports = {\n    auth-service  = 8001\n    video-service = 8002\n  }\n}\n\n'
        'module "x" {\n  port = local.ports["video-service"]\n}\n',
        {}, 'local.ports["video-service"] is still indexed at this file:9'),
    "a map key still indexed elsewhere (variable default)": (
        'variable "ports" {\n  default = {\n    auth-service  = 8001\n    video-service = 8002\n  }\n}\n',
        {"path": "v.tf", "neighbours": (("m.tf", 'module "x" {\n  port = var.ports["video-service"]\n}\n'),)},
        'var.ports["video-service"] is still indexed at m.tf:2'),
}


@pytest.mark.parametrize("case", STAYS)
def test_what_is_still_referenced_stays_and_is_listed(case):
    text, extra, reason = STAYS[case]
    result = hcl.remove(text, replace(ctx(), **extra))
    assert result.text == text
    assert any(reason in r.reason for r in result.refused), result.refused


def test_a_depends_on_a_removed_block_without_dependencies_of_its_own_goes():
    before = ('module "video_service" {\n  source = "x"\n}\n\nmodule "api" {\n'
              '  depends_on = [\n    module.db,\n    module.video_service,\n  ]\n}\n')
    after = 'module "api" {\n  depends_on = [\n    module.db,\n  ]\n}\n'
    assert hcl.remove(before, ctx()).text == after
    assert hcl.remove(after, ctx()).text == after


def test_a_map_key_nothing_indexes_goes():
    before = ('variable "ports" {\n  default = {\n    auth-service  = 8001\n    video-service = 8002\n  }\n}\n')
    after = 'variable "ports" {\n  default = {\n    auth-service  = 8001\n  }\n}\n'
    reader = 'module "x" {\n  port = var.ports["auth-service"]\n}\n'
    context = replace(ctx(), path="v.tf", neighbours=(("m.tf", reader),))
    assert hcl.remove(before, context).text == after
    assert hcl.remove(after, context).text == after


def test_a_file_that_does_not_name_the_component_is_left_unless_it_refers_to_a_removed_block():
    neighbour = (("a/ecr.tf", '# the video-service image\nmodule "ecr" {\n  repo_name = "video-service"\n}\n'),)
    text = 'output "web" {\n  value = module.ecr_web.url\n}\n'
    assert hcl.remove(text, replace(ctx(), path="a/outputs.tf", neighbours=neighbour)).text == text
    broken = 'output "web" {\n'  # not parsed at all: it names neither the component nor a removed block
    assert hcl.remove(broken, replace(ctx(), path="a/x.tf", neighbours=neighbour)).text == broken


def test_a_module_whose_folder_only_lost_a_subfolder_stays():
    text = 'module "addons" {\n  source = "../modules/addons"\n}\n'
    context = replace(ctx(), path="envs/main.tf", deleted_paths=frozenset({"modules/addons/video-service/main.tf"}))
    assert hcl.remove(text, context).text == text


def test_an_input_is_dropped_only_when_the_folder_is_known():
    # Without the module's other files (path unknown), a variable nothing here reads may be read
    # elsewhere: it stays.
    text = 'variable "enable_video_recorder" {\n  default = false\n}\n'
    assert hcl.remove(text, ctx()).text == text


def test_an_input_of_a_removed_block_goes_unless_that_block_stays():
    variables = 'variable "team" {\n  default = "x"\n}\n\nvariable "video_flag" {\n  default = false\n}\n'
    main_tf = ("main.tf", 'module "video_service" {\n  count = var.video_flag ? 1 : 0\n}\n')
    context = replace(ctx(), path="variables.tf", neighbours=(main_tf,))
    assert hcl.remove(variables, context).text == 'variable "team" {\n  default = "x"\n}\n'
    # An output that cannot be cut still reads the module, so its run keeps it: so does the input.
    reader = ("outputs.tf", 'output "u" {\n  value = "url: ${module.video_service[0].url}"\n}\n')
    context = replace(ctx(), path="variables.tf", neighbours=(main_tf, reader))
    assert hcl.remove(variables, context).text == variables


def test_a_cloud_api_named_after_the_component_with_its_words_run_together_goes():
    before = ('locals {\n  apis = [\n    "container.googleapis.com",\n    "videoservice.googleapis.com",\n'
              '    "cloudtrace.googleapis.com"\n  ]\n}\n')
    after = 'locals {\n  apis = [\n    "container.googleapis.com",\n    "cloudtrace.googleapis.com"\n  ]\n}\n'
    assert hcl.remove(before, ctx()).text == after
    assert hcl.remove(after, ctx()).text == after
    other = 'locals {\n  apis = ["videoservicegateway.googleapis.com", "video.googleapis.com"]\n}\n'
    assert hcl.remove(other, ctx()).text == other


def test_a_block_guessed_to_be_the_components_stays_quietly_while_code_that_stays_reads_it():
    # Its generic label and its name input are only a guess: code that stays still reading it
    # says the guess is doubtful. It stays, not refused (its mention is in the residue report).
    text = '# the video-service image\nmodule "ecr" {\n  repo_name = "video-service"\n}\n'
    reader = ("a/app.tf", 'module "app" {\n  image = "${module.ecr.url}:1.0"\n}\n')
    result = hcl.remove(text, replace(ctx(), path="a/ecr.tf", neighbours=(reader,)))
    assert result.text == text and result.refused == []
    variables = 'variable "name" {\n  default = "video-service"\n}\n'
    reader = ("a/main.tf", 'module "vpc" {\n  name = var.name\n}\n')
    result = hcl.remove(variables, replace(ctx(), path="a/variables.tf", neighbours=(reader,)))
    assert result.text == variables and result.refused == []
