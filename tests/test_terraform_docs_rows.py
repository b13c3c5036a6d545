"""terraform-docs tables follow the module (issue 12): a removal that drops a module's
variables, outputs and module calls also drops their rows from the Markdown page in the module's
folder, as regenerating the docs would; rows of what the module still declares stay."""

from __future__ import annotations

from dataclasses import replace

from gitops_bot.cli import main
from gitops_bot.edit import markdown

from .conftest import tree_bytes, write_tree
from .editors import ctx, dedent

README = dedent("""
    # Platform

    ## Inputs

    | Name | Description | Type | Default | Required |
    |------|-------------|------|---------|:--------:|
    | <a name="input_enable_video"></a> [enable\\_video](#input\\_enable\\_video) | Enable the recordings API | `bool` | `false` | no |
    | <a name="input_region"></a> [region](#input\\_region) | AWS region | `string` | n/a | yes |
    | <a name="input_video_alias"></a> [video\\_alias](#input\\_video\\_alias) | Workspace alias | `string` | `null` | no |

    ## Outputs

    | Name | Description |
    |------|-------------|
    | <a name="output_auth_endpoint"></a> [auth\\_endpoint](#output\\_auth\\_endpoint) | n/a |
    | <a name="output_video_endpoint"></a> [video\\_endpoint](#output\\_video\\_endpoint) | n/a |
    """)
MODULES = dedent("""
    ## Modules

    | Name | Source | Version |
    |------|--------|---------|
    | <a name="module_auth_service"></a> [auth\\_service](#module\\_auth\\_service) | ./modules/auth-service | n/a |
    | <a name="module_video_service"></a> [video\\_service](#module\\_video\\_service) | ./modules/video-service | n/a |
    """)
FILES = {
    "main.tf": dedent("""
        module "video_service" {
          count  = var.enable_video ? 1 : 0
          source = "./modules/video-service"
          alias  = var.video_alias
        }

        module "auth_service" {
          source = "./modules/auth-service"
          region = var.region
        }
        """),
    "variables.tf": dedent("""
        variable "enable_video" {
          type    = bool
          default = false
        }

        variable "video_alias" {
          type    = string
          default = null
        }

        variable "region" {
          type = string
        }
        """),
    "outputs.tf": dedent("""
        output "video_endpoint" {
          value = module.video_service[0].endpoint
        }

        output "auth_endpoint" {
          value = module.auth_service.endpoint
        }
        """),
    "modules/video-service/main.tf": 'output "endpoint" { value = "x" }\n',
    "modules/auth-service/main.tf": 'variable "region" {}\noutput "endpoint" { value = "y" }\n',
    # a page of another module, whose .tf files the run does not change: untouched
    "modules/auth-service/README.md": '| Name |\n|------|\n| <a name="input_region"></a> [region](#input\\_region) |\n',
}


def _rows_gone(text: str, *anchors: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not any(f'name="{a}"' in line for a in anchors))


def test_the_rows_of_what_the_module_no_longer_declares_go(tmp_path):
    write_tree(tmp_path, {**FILES, "README.md": MODULES + "\n" + README})
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    after = tree_bytes(tmp_path)
    assert after["README.md"].decode() == _rows_gone(MODULES + "\n" + README, "module_video_service",
                                                     "input_enable_video", "input_video_alias",
                                                     "output_video_endpoint")
    assert after["modules/auth-service/README.md"] == before["modules/auth-service/README.md"]
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == after


def test_a_page_that_does_not_name_the_component_follows_its_module_too(tmp_path):
    """The inputs page names only `enable_video` and `video_alias`, never `video-service`: it is
    edited because its module's declarations changed, not because of a mention."""
    write_tree(tmp_path, {**FILES, "INPUTS.md": README})
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / "INPUTS.md").read_text() == _rows_gone(README, "input_enable_video", "input_video_alias",
                                                             "output_video_endpoint")


def test_the_editor_drops_only_the_rows_it_is_told_are_undeclared():
    c = replace(ctx("video-service"), undeclared=frozenset({"input_video_alias", "output_gone"}))
    assert markdown.remove(README, c).text == _rows_gone(README, "input_video_alias")
    # nothing undeclared: a stale row of a variable the module never declared stays
    assert markdown.remove(README, ctx("video-service")).text == README
