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


def test_the_index_row_and_the_navigation_entry_of_the_deleted_page_go(tmp_path):
    """The page is deleted after the edits (only then is it known which settings went); the
    index page's row and mkdocs.yml's `nav:` entry (relative to its `docs_dir`) that lead to it
    go too, so no link is left dangling; the other rows and entries stay."""
    index = ("| Add-on | What it does |\n|---|---|\n| [Cart cache](../add-ons/cart-cache.md) | Caches carts. |\n"
             "| [Video streaming](../add-ons/video-streaming.md) | Streams rooms. |\n")
    nav = ('site_name: Add-ons\ndocs_dir: "site-docs"\nnav:\n  - Add-ons:\n      - Overview: "add-ons/index.md"\n'
           '      - Cart cache: "add-ons/cart-cache.md"\n      - Video streaming: "add-ons/video-streaming.md"\n')
    write_tree(tmp_path, {**TREE, "site-docs/add-ons/video-streaming.md": PAGE,
                          "site-docs/add-ons/cart-cache.md": "# Cart\n", "site-docs/add-ons/index.md": index,
                          "mkdocs.yml": nav})
    assert main(["apply", "remove-service", "service=video-streamer", "--repo", str(tmp_path)]) == 0
    after = tree_bytes(tmp_path)
    assert "site-docs/add-ons/video-streaming.md" not in after
    assert after["site-docs/add-ons/index.md"] == index.rsplit("| [Video", 1)[0].encode()
    assert after["mkdocs.yml"] == nav.replace('      - Video streaming: "add-ons/video-streaming.md"\n', "").encode()
    assert main(["apply", "remove-service", "service=video-streamer", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == after


def test_a_navigation_entry_of_a_page_that_stays_is_not_touched():
    """`docs_dir` resolves nav paths; an entry whose page is still there names no deleted path."""
    from gitops_bot.domain.pathrefs import Gone, docs_root, references

    gone = Gone(frozenset({"docs/a/x.md"}), frozenset({"docs/a/x.md", "docs/a/y.md"}), frozenset({"docs", "docs/a"}))
    nav = 'nav:\n  - X: "a/x.md"\n  - Y: "a/y.md"\n'
    assert docs_root("mkdocs.yml", nav) == "docs" and docs_root("site/mkdocs.yaml", "docs_dir: src\n") == "site/src"
    assert docs_root("other.yml", nav) is None
    assert [r.line for r in references(nav, "mkdocs.yml", gone)] == [2]
    assert references(nav, "config.yml", gone) == []  # not a MkDocs configuration: `a/x.md` is no page
