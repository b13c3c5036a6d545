"""The corpus's own count of imports left pointing at deleted files (bench/corpus/dangling_imports.py):
each language's import form counts when it resolves to a deleted file and only then."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("dangling_imports", ROOT / "bench" / "corpus" / "dangling_imports.py")
dangling_imports = importlib.util.module_from_spec(spec)
sys.modules["dangling_imports"] = dangling_imports
spec.loader.exec_module(dangling_imports)


def count(files: dict[str, str], deleted: set[str]) -> int:
    """Import lines of the files not in `deleted` that resolve to one that is."""
    texts = {path: text.splitlines() for path, text in files.items()}
    live = [p for p in files if p not in deleted]
    return dangling_imports.imports_of_deleted(live, deleted, texts.get)


@pytest.mark.parametrize("importer, target, expected", [
    ("import { api } from '../api/videoService';", "web/src/api/videoService.ts", 1),
    ("const v = require('./video');", "web/src/pages/video/index.js", 1),
    ("const v = await import('./video');", "web/src/pages/video.tsx", 1),
    ("import { api } from '../api/videoService';", "web/src/api/otherService.ts", 0),
    ("import React from 'react';", "web/src/api/videoService.ts", 0),
])
def test_javascript_relative_imports(importer, target, expected):
    files = {"web/src/pages/home.tsx": importer + "\n", target: "export const api = 1;\n"}
    assert count(files, {target}) == expected


def test_a_javascript_import_that_still_resolves_to_a_live_file_is_not_counted():
    files = {"web/src/pages/home.tsx": "import v from './video';\n",
             "web/src/pages/video.ts": "", "web/src/pages/video/index.ts": ""}
    assert count(files, {"web/src/pages/video/index.ts"}) == 0


@pytest.mark.parametrize("line, expected", [
    ("from clients.video_client import VideoClient", 1),
    ("import clients.video_client as vc", 1),
    ("from clients import video_client", 1),
    ("from .video_client import VideoClient", 1),
    ("from clients.search_client import SearchClient", 0),
    ("import os", 0),
])
def test_python_imports(line, expected):
    files = {"svc/api/clients/main.py": line + "\n", "svc/api/clients/video_client.py": "",
             "svc/api/clients/search_client.py": ""}
    assert count(files, {"svc/api/clients/video_client.py"}) == expected


def test_a_python_module_still_present_under_another_root_is_not_counted():
    files = {"a/main.py": "import helpers\n", "video/helpers.py": "", "search/helpers.py": ""}
    assert count(files, {"video/helpers.py"}) == 0


def test_go_imports_resolve_through_the_module_of_the_tree():
    files = {"go.mod": "module example.com/platform\n\ngo 1.22\n",
             "services/api/main.go": ('package main\n\nimport (\n\t"fmt"\n'
                                      '\tvc "example.com/platform/internal/videoclient"\n)\n'),
             "services/api/other.go": 'package main\n\nimport "example.com/platform/internal/search"\n',
             "internal/videoclient/client.go": "package videoclient\n",
             "internal/search/search.go": "package search\n"}
    assert count(files, {"internal/videoclient/client.go"}) == 1
    assert count(files, {"internal/search/search.go"}) == 1
    # a package with a file left is still importable
    files["internal/videoclient/doc.go"] = "package videoclient\n"
    assert count(files, {"internal/videoclient/client.go"}) == 0


def test_proto_imports_by_suffix():
    files = {"protos/api.proto": 'syntax = "proto3";\nimport "video/video.proto";\n',
             "protos/video/video.proto": 'syntax = "proto3";\n'}
    assert count(files, {"protos/video/video.proto"}) == 1
    assert count(files, set()) == 0
