"""A name that starts with a vendor word (`cloud-debugger`, `aws-batch`): prose drops the vendor.
In an enumeration whose first item carries the vendor word for all (`Cloud Monitoring, Tracing,
Debugger, Profiler`) the bare item goes; anywhere else the bare word is only listed in the residue
(`DISABLE_DEBUGGER`, which application code may read), never edited."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.names import without_vendor
from gitops_bot.edit import markdown
from tests.editors import ctx

from .conftest import tree_bytes, write_tree

PAIRS = {
    "a middle item, after a lead-in": (
        "- Enable the APIs for Cloud Monitoring, Tracing, Debugger, Profiler:\n",
        "- Enable the APIs for Cloud Monitoring, Tracing, Profiler:\n",
        "cloud-debugger",
    ),
    "the last item": ("Runs on AWS Lambda, Fargate, Batch.\n", "Runs on AWS Lambda, Fargate.\n", "aws-batch"),
    # the full stop that ends the sentence is not the item's (any enumeration)
    "the sentence's last item, its full stop kept": ("Apps: Gitea, Seafile, Jellyfin.\n", "Apps: Gitea, Seafile.\n",
                                                     "jellyfin"),
}

NOOPS = {
    "the first item lacks the vendor word": ("Monitoring, Tracing, Debugger, Profiler.\n", "cloud-debugger"),
    "an and-list": ("Cloud Monitoring, Tracing, and Debugger.\n", "cloud-debugger"),
    "no vendor word in the name": ("Video Player, Service, Auth.\n", "video-service"),
    "the bare word in a sentence": ("Attach a debugger to the pod.\n", "cloud-debugger"),
}


@pytest.mark.parametrize("before,after,service", PAIRS.values(), ids=PAIRS.keys())
def test_pairs(before, after, service):
    assert markdown.remove(before, ctx(service)).text == after
    assert markdown.remove(after, ctx(service)).text == after


@pytest.mark.parametrize("text,service", NOOPS.values(), ids=NOOPS.keys())
def test_look_alikes_stay(text, service):
    assert markdown.remove(text, ctx(service)).text == text


def test_without_vendor():
    assert without_vendor("cloud-debugger") == "debugger"
    assert without_vendor("aws-load-balancer-controller") == "load-balancer-controller"
    assert without_vendor("aws-sqs") is None  # too short a word to list by
    assert without_vendor("video-service") is None


def test_the_bare_word_is_listed_in_the_residue_and_not_edited(tmp_path, capsys):
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payment\nspec:\n  template:\n"
                  "    spec:\n      containers:\n        - name: server\n          env:\n"
                  "            - name: DISABLE_DEBUGGER\n              value: \"1\"\n")
    files = {"terraform/main.tf": 'locals {\n  apis = [\n    "clouddebugger.googleapis.com",\n'
                                  '    "cloudtrace.googleapis.com",\n  ]\n}\n',
             "manifests/payment.yaml": deployment}
    write_tree(tmp_path, files)
    capsys.readouterr()
    assert main(["plan", "remove-service", "service=cloud-debugger", "--repo", str(tmp_path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert ("manifests/payment.yaml", 11) in {(r["path"], r["line"]) for r in report["residue"]}
    assert main(["apply", "remove-service", "service=cloud-debugger", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path)["manifests/payment.yaml"] == deployment.encode()
    kept = b'locals {\n  apis = [\n    "cloudtrace.googleapis.com",\n  ]\n}\n'
    assert tree_bytes(tmp_path)["terraform/main.tf"] == kept
