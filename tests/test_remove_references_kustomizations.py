"""remove_references visits every kustomization once the run deleted files: an entry for a file
deleted under a name that is not the service's (a NetworkPolicy file for it, deleted by
delete_paths' rules) must go, or kustomize can no longer build the folder."""

from __future__ import annotations

from gitops_bot.domain.worktree import Worktree
from gitops_bot.ops import remove_references
from gitops_bot.ops.state import RunState

KUSTOMIZATION = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
                 "  - cluster-issuers.yaml\n  - network-policies.yaml\n")


def _repo(tmp_path):
    configs = tmp_path / "infra" / "configs"
    configs.mkdir(parents=True)
    (configs / "kustomization.yaml").write_text(KUSTOMIZATION)
    (configs / "cluster-issuers.yaml").write_text("kind: ClusterIssuer\nmetadata:\n  name: letsencrypt\n")
    (configs / "network-policies.yaml").write_text(
        "kind: NetworkPolicy\nmetadata:\n  name: video-service-ingress\n")
    (tmp_path / "video-service.yaml").write_text("kind: Deployment\nmetadata:\n  name: video-service\n")
    return RunState(Worktree(tmp_path))


def test_an_entry_for_a_file_the_run_deleted_goes_from_a_kustomization_not_naming_the_service(tmp_path):
    state = _repo(tmp_path)
    state.tree.delete("video-service.yaml")
    state.tree.delete("infra/configs/network-policies.yaml")  # as a deletion rule for the service would
    remove_references.run(state, {"name": "video-service"})
    after = KUSTOMIZATION.replace("  - network-policies.yaml\n", "")
    assert state.tree.read("infra/configs/kustomization.yaml") == after


def test_without_deletions_the_kustomizations_are_not_read(tmp_path):
    state = _repo(tmp_path)
    remove_references.run(state, {"name": "video-service"})
    assert state.tree.read("infra/configs/kustomization.yaml") == KUSTOMIZATION


def test_a_second_run_changes_nothing(tmp_path):
    state = _repo(tmp_path)
    state.tree.delete("infra/configs/network-policies.yaml")
    remove_references.run(state, {"name": "video-service"})
    once = state.tree.read("infra/configs/kustomization.yaml")
    remove_references.run(state, {"name": "video-service"})
    assert state.tree.read("infra/configs/kustomization.yaml") == once != KUSTOMIZATION


# A kustomization whose only entry is the component's file (a policies folder holding one
# policy): the entry goes and `resources:` stays, empty, which kustomize reads as no resources,
# so a Flux Kustomization or an overlay that points at the folder still builds. It is written as
# the repository writes an empty list: the bare key (fluxcd/flux2-multi-tenancy), or `[]` where
# another kustomization says `resources: []` (bjw-s-labs/home-ops).
ONLY_ENTRY = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
              "  - video-policy.yaml\n")


def _policies(tmp_path, kustomization: str):
    folder = tmp_path / "infra" / "policies"
    folder.mkdir(parents=True)
    (folder / "kustomization.yaml").write_text(kustomization)
    (folder / "video-policy.yaml").write_text("kind: ClusterPolicy\nmetadata:\n  name: video-policy\n")
    state = RunState(Worktree(tmp_path))
    state.tree.delete("infra/policies/video-policy.yaml")
    return state


def test_the_only_entry_goes_and_the_list_key_stays_empty(tmp_path):
    state = _policies(tmp_path, ONLY_ENTRY)
    remove_references.run(state, {"name": "video-policy"})
    after = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
    assert state.tree.read("infra/policies/kustomization.yaml") == after
    assert not state.refused
    remove_references.run(state, {"name": "video-policy"})  # a second run changes nothing
    assert state.tree.read("infra/policies/kustomization.yaml") == after and not state.refused


def test_a_repository_that_writes_empty_lists_bracketed_gets_one(tmp_path):
    state = _policies(tmp_path, ONLY_ENTRY)
    (tmp_path / "infra" / "git").mkdir()
    (tmp_path / "infra" / "git" / "kustomization.yaml").write_text("kind: Kustomization\nresources: []\n")
    state = RunState(Worktree(tmp_path))
    state.tree.delete("infra/policies/video-policy.yaml")
    remove_references.run(state, {"name": "video-policy"})
    after = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n"
    assert state.tree.read("infra/policies/kustomization.yaml") == after and not state.refused
    remove_references.run(state, {"name": "video-policy"})  # a second run changes nothing
    assert state.tree.read("infra/policies/kustomization.yaml") == after


def test_a_list_with_another_entry_keeps_it(tmp_path):
    state = _policies(tmp_path, ONLY_ENTRY + "  - other-policy.yaml\n")
    remove_references.run(state, {"name": "video-policy"})
    assert state.tree.read("infra/policies/kustomization.yaml") == ONLY_ENTRY.replace(
        "  - video-policy.yaml\n", "  - other-policy.yaml\n")


def test_a_flux_kustomization_of_the_component_is_still_its_own_manifest(tmp_path):
    # Flux's Kustomization custom resource named for the component is the component's object
    # (the look-alike of a kustomize file): a file holding only it is not edited.
    text = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
            "  name: video-policy\nspec:\n  path: ./infra/policies\n")
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "policies.yaml").write_text(text)
    state = RunState(Worktree(tmp_path))
    remove_references.run(state, {"name": "video-policy"})
    assert state.tree.read("clusters/policies.yaml") == text
