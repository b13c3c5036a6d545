"""A documentation page that is only about settings the run removed (named after one, every code
sample setting only removed ones) goes, whatever its own spelling of the component's name
(corpus: an add-on's `aws-open-telemetry.md` page for the `aws-opentelemetry-eks` module, whose
samples are `enable_aws_open_telemetry = true` and the GitOps key). Constructed trees; pages that
also document something else stay."""

from __future__ import annotations

import pytest

from gitops_bot.cli import main
from gitops_bot.edit import markdown

from .conftest import tree_bytes, write_tree

TREE = {
    "modules/addons/video-streamer/main.tf": 'resource "null_resource" "this" {}\n',
    "modules/addons/cart-cache/main.tf": 'resource "null_resource" "this" {}\n',
    "modules/addons/main.tf": (
        'module "video_streamer" {\n  count  = var.enable_video_streaming ? 1 : 0\n  source = "./video-streamer"\n}\n\n'
        'module "cart_cache" {\n  count  = var.enable_cart_cache ? 1 : 0\n  source = "./cart-cache"\n}\n'
    ),
    "modules/addons/variables.tf": (
        'variable "enable_video_streaming" {\n  type    = bool\n  default = false\n}\n\n'
        'variable "enable_cart_cache" {\n  type    = bool\n  default = false\n}\n'
    ),
    "modules/addons/locals.tf": (
        "locals {\n  gitops_config = {\n"
        "    videoStreaming = var.enable_video_streaming ? module.video_streamer[0].gitops_config : null\n"
        "    cartCache      = var.enable_cart_cache ? module.cart_cache[0].gitops_config : null\n  }\n}\n"
    ),
}

PAGE = ("# Video streaming\n\nStreams rooms.\n\n## Usage\n\n```hcl\nenable_video_streaming = true\n```\n\n"
        "### GitOps\n\n```\nvideoStreaming = {\n  enable = true\n}\n```\n")


def test_the_page_of_the_removed_settings_goes(tmp_path):
    write_tree(tmp_path, {**TREE, "docs/add-ons/video-streaming.md": PAGE, "docs/add-ons/cart-cache.md": "# Cart\n"})
    assert main(["apply", "remove-service", "service=video-streamer", "--repo", str(tmp_path)]) == 0
    after = tree_bytes(tmp_path)
    assert "docs/add-ons/video-streaming.md" not in after
    assert after["docs/add-ons/cart-cache.md"] == b"# Cart\n"
    assert main(["apply", "remove-service", "service=video-streamer", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == after


STAYS = {
    "a sample that sets another setting too": ("docs/add-ons/video-streaming.md",
                                               PAGE.replace("= true\n```", "= true\nenable_cart_cache = true\n```", 1)),
    "named after none of them": ("docs/add-ons/overview.md", PAGE),
    "no code sample": ("docs/add-ons/video-streaming.md", "# Video streaming\n\nSet enable_video_streaming.\n"),
    "a changelog": ("docs/video-streaming-changelog.md", PAGE),
}


@pytest.mark.parametrize("path,page", STAYS.values(), ids=STAYS.keys())
def test_a_page_about_more_stays(tmp_path, path, page):
    write_tree(tmp_path, {**TREE, path: page})
    main(["apply", "remove-service", "service=video-streamer", "--repo", str(tmp_path)])
    assert tree_bytes(tmp_path)[path] == page.encode()


def test_documents_only_reads_top_level_lines_of_each_sample():
    removed = frozenset({"enable_video_streaming", "videoStreaming"})
    assert markdown.documents_only("docs/video-streaming.md", PAGE, removed)
    assert not markdown.documents_only("docs/video-streaming.md", PAGE, frozenset({"enable_video_streaming"}))
