"""reStructuredText toctrees: an entry whose page the run deleted goes with its line; pages that
stay keep their entries (even when they name the component); a toctree left with nothing is
refused; and end to end, only the component's own pages are deleted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gitops_bot.cli import main
from gitops_bot.edit import classify, rst

from .conftest import tree_bytes, write_tree
from .editors import ctx, dedent

DELETED = frozenset({"docs/services/video-service.rst", "docs/services", "docs/streaming/index.rst",
                     "docs/streaming", "docs/api/video.md"})


def _ctx(path: str = "docs/index.rst"):
    return replace(ctx(), path=path, deleted_paths=DELETED)


PAIRS = {
    "entries with options, a titled entry, an entry with its suffix": (
        """
        Platform
        ========

        .. toctree::
           :maxdepth: 2
           :caption: Services

           services/auth-service
           services/video-service
           Streaming <streaming/index>
           api/video.md
           services/board-service

        The video-service pages moved.
        """,
        """
        Platform
        ========

        .. toctree::
           :maxdepth: 2
           :caption: Services

           services/auth-service
           services/board-service

        The video-service pages moved.
        """),
    "the last entry of a nested toctree, before the next section": (
        """
        .. note::

           .. toctree::
              :hidden:

              services/auth-service
              services/video-service

        Next
        ----
        """,
        """
        .. note::

           .. toctree::
              :hidden:

              services/auth-service

        Next
        ----
        """),
}

NOOPS = {
    "a page that stays, though it names the component": """
        .. toctree::

           services/auth-service
           guides/video-service-tuning
        """,
    "globs, self, a folder of that name, an external link": """
        .. toctree::
           :glob:

           services/*
           self
           streaming
           Upstream <https://example.com/services/video-service>
           services/auth-service
        """,
    "prose and other directives": """
        See services/video-service for history.

        .. code-block:: text

           services/video-service
        """,
}


@pytest.mark.parametrize("before, after", PAIRS.values(), ids=PAIRS.keys())
def test_pairs(before, after):
    before, after = dedent(before), dedent(after)
    result = rst.remove(before, _ctx())
    assert (result.text, result.refused) == (after, [])
    assert rst.remove(after, _ctx()).text == after


@pytest.mark.parametrize("text", NOOPS.values(), ids=NOOPS.keys())
def test_look_alikes_are_left(text):
    text = dedent(text)
    result = rst.remove(text, _ctx())
    assert (result.text, result.refused) == (text, [])


def test_entries_resolve_from_the_files_folder_and_from_above_when_absolute():
    text = ".. toctree::\n\n   ../services/video-service\n   /services/auth-service\n   /docs/streaming/index\n"
    result = rst.remove(text, _ctx("docs/guides/index.rst"))
    assert result.text == ".. toctree::\n\n   /services/auth-service\n"
    nothing_deleted = rst.remove(text, replace(ctx(), path="docs/guides/index.rst"))
    assert nothing_deleted.text == text


def test_a_toctree_that_would_lose_every_entry_is_refused():
    text = dedent("""
        Video
        =====

        .. toctree::

           services/video-service
        """)
    result = rst.remove(text, _ctx())
    assert result.text == text
    assert [(r.line, r.reason) for r in result.refused] == [(6, "the toctree would lose every entry: remove it by hand")]


def test_classification_and_still_valid():
    assert classify("docs/index.rst", "x") == "rst"
    assert rst.still_valid(".. toctree::\n\n   a\n", ".. toctree::\n") is None
    assert rst.still_valid(".. toctree::\n\n   a\n", "a\n") == "1 toctree directive(s) would be lost"
    assert rst.toctrees(".. toctree::\n   :maxdepth: 1\n\n   a\n   :not-an-option:\n\nb\n") == \
        [[(3, "a"), (4, ":not-an-option:")]]


def test_remove_service_deletes_only_the_components_pages_and_their_entries(tmp_path):
    index = dedent("""
        Services
        ========

        .. toctree::
           :maxdepth: 1

           services/auth-service
           services/video-service
           services/video-service-gateway
           guides/streaming
        """)
    write_tree(tmp_path, {
        "services/auth-service/Dockerfile": "FROM scratch\n",
        "services/video-service/Dockerfile": "FROM scratch\n",
        "services/video-service/docs/design.rst": "Design\n======\n",
        "services/video-service-gateway/Dockerfile": "FROM scratch\n",
        "docs/index.rst": index,
        "docs/services/auth-service.rst": "Auth\n====\n",
        "docs/services/video-service.rst": "Video\n=====\n",
        "docs/services/video-service-gateway.rst": "Gateway\n=======\n",
        "docs/guides/streaming.rst": "Streaming\n=========\n\nServed by video-service.\n",
    })
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    after = tree_bytes(tmp_path)
    gone = {"services/video-service/Dockerfile", "services/video-service/docs/design.rst",
            "docs/services/video-service.rst"}
    assert set(before) - set(after) == gone
    assert after["docs/index.rst"].decode() == index.replace("   services/video-service\n", "")
    assert {p: after[p] for p in after if p != "docs/index.rst"} == \
        {p: before[p] for p in before if p not in gone and p != "docs/index.rst"}
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == after
