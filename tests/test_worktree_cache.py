"""One read of each file and one parse of each text per run: the Worktree keeps file bytes for
its greps (within a budget) and the run's parse memo (parse.cache) keeps parses; `check` relies
on both."""

from __future__ import annotations

import pathlib
import random
import re
from collections import Counter

import pytest

from gitops_bot.domain import worktree as worktree_module
from gitops_bot.domain.names import Prefilter
from gitops_bot.domain.worktree import Literals, Worktree
from gitops_bot.engine.check import check_repo
from gitops_bot.parse import yaml as parse_yaml

from .conftest import EXAMPLE, ROOT

VERSIONS = ROOT / "tests" / "fixtures" / "versions" / "repo"


def write(root: pathlib.Path, files: dict[str, bytes]) -> pathlib.Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


@pytest.fixture
def reads(monkeypatch):
    """Path -> how many times its bytes were read from disk (by the scan's reader, and by
    pathlib where the tree reads one file at a time)."""
    counts: Counter = Counter()
    real_path_read, real_scan_read = pathlib.Path.read_bytes, worktree_module.read_file

    def read_bytes(self):
        counts[self.resolve()] += 1
        return real_path_read(self)

    def read_file(path):
        counts[pathlib.Path(path).resolve()] += 1
        return real_scan_read(path)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    monkeypatch.setattr(worktree_module, "read_file", read_file)
    return counts


@pytest.mark.parametrize("root", [EXAMPLE, VERSIONS], ids=["example", "versions"])
def test_check_reads_each_file_once_and_parses_each_yaml_text_once(root, reads, monkeypatch):
    loads: Counter = Counter()
    real = parse_yaml._load_rt  # the round-trip parse behind load_rt's per-run cache

    def counting(text):
        loads[text] += 1
        return real(text)

    monkeypatch.setattr(parse_yaml, "_load_rt", counting)
    problems = check_repo(root)
    assert problems  # the trees have problems of every rule: all rules ran
    # .gitops-bot.yaml is read once more, by the configuration loader before the tree exists
    tree_reads = {p: n for p, n in reads.items() if p.name != ".gitops-bot.yaml"}
    assert tree_reads and max(tree_reads.values()) == 1, [p for p, n in tree_reads.items() if n > 1]
    assert loads and max(loads.values()) == 1


@pytest.mark.parametrize("budget", [0, 10, 1 << 30])
def test_greps_and_texts_do_not_depend_on_the_budget(tmp_path, budget):
    root = write(tmp_path, {"a.txt": b"alpha beta\n", "b/c.yaml": b"beta: 1\r\n", "bin.dat": b"\0beta",
                            "latin.txt": "b\xe9ta".encode("latin-1")})
    tree, plain = Worktree(root, cache_budget=budget), Worktree(root, cache_budget=0)
    for pattern in (re.compile(b"beta"), re.compile(b"alpha|\\d"), re.compile(b"b")):
        assert tree.grep(pattern) == plain.grep(pattern)
    assert tree.grep(re.compile(b"beta")) == ["a.txt", "b/c.yaml", "bin.dat"]
    assert [tree.original(p) for p in tree.paths()] == ["alpha beta\n", "beta: 1\r\n", None, None]
    assert sum(len(d) for d in tree._bytes.values()) <= budget
    assert "bin.dat" not in tree._bytes  # binary content is never kept


def test_past_the_budget_only_matched_files_are_kept(tmp_path, reads):
    root = write(tmp_path, {f"f{i}.txt": (b"hit " if i % 3 == 0 else b"miss") + b"." * 96 for i in range(9)})
    tree = Worktree(root, cache_budget=500)  # 5 of the 9 files of 100 bytes
    assert tree.grep(re.compile(b"hit")) == ["f0.txt", "f3.txt", "f6.txt"]
    assert sorted(tree._bytes) == ["f0.txt", "f3.txt", "f6.txt"]  # the misses were let go
    assert tree.grep(re.compile(b"miss")) == ["f1.txt", "f2.txt", "f4.txt", "f5.txt", "f7.txt", "f8.txt"]
    # matched now: kept while the budget lasts (two more of 100 bytes)
    assert sorted(tree._bytes) == ["f0.txt", "f1.txt", "f2.txt", "f3.txt", "f6.txt"]
    assert [tree.original(f"f{i}.txt")[:4] for i in range(3)] == ["hit ", "miss", "miss"]
    assert reads[(root / "f0.txt").resolve()] == 1 and reads[(root / "f1.txt").resolve()] == 2


def test_a_tree_within_the_budget_is_read_once_for_any_number_of_greps(tmp_path, reads):
    root = write(tmp_path, {f"f{i}.txt": f"x{i}\n".encode() for i in range(5)})
    tree = Worktree(root)
    for pattern in (b"x1", b"x2", b"y", b"x"):
        tree.grep(re.compile(pattern))
    assert [tree.original(f"f{i}.txt") for i in range(5)] == [f"x{i}\n" for i in range(5)]
    assert sorted(reads.values()) == [1] * 5


def test_grep_sees_pending_edits_and_deletions(tmp_path):
    root = write(tmp_path, {"a.txt": b"old\n", "b.txt": b"old\n"})
    tree = Worktree(root)
    assert tree.grep(re.compile(b"old")) == ["a.txt", "b.txt"]
    tree.write("a.txt", "new\n")
    tree.delete("b.txt")
    assert tree.grep(re.compile(b"old")) == [] and tree.grep(re.compile(b"new")) == ["a.txt"]
    assert tree.original("a.txt") == "old\n"


def test_grep_many_is_each_grep_in_one_pass(tmp_path, reads):
    root = write(tmp_path, {f"f{i}.txt": f"x{i}\n".encode() for i in range(5)})
    tree = Worktree(root)
    patterns = {"even": re.compile(rb"x[024]"), "one": re.compile(b"x1"), "none": re.compile(b"y")}
    assert tree.grep_many(patterns) == {"even": ["f0.txt", "f2.txt", "f4.txt"], "one": ["f1.txt"], "none": []}
    tree.grep(re.compile(b"x"))
    assert sorted(reads.values()) == [1] * 5


def test_under_is_the_paths_below_a_folder_and_nothing_beside_it(tmp_path):
    root = write(tmp_path, {p: b"" for p in ("a/b/x", "a/b.txt", "a/b0", "a/b/c/y", "a/bb/z", "a-b/q")})
    tree = Worktree(root)
    assert tree.under("a/b") == ["a/b/c/y", "a/b/x"]
    assert tree.under("a") == ["a/b.txt", "a/b/c/y", "a/b/x", "a/b0", "a/bb/z"]
    assert tree.under("zz") == []


def test_a_later_grep_for_words_holding_an_earlier_word_reads_only_the_files_that_held_it(tmp_path, reads):
    root = write(tmp_path, {"a.yaml": b"image: Video-Service:1\n", "b.md": b"the video player\n",
                            "c.txt": b"video-service.yaml\n", "d.txt": b"nothing\n", "e.txt": b"audio-service\n"})
    tree = Worktree(root, cache_budget=0)  # nothing kept: every read is counted
    assert tree.grep(Prefilter(("video",))) == ["a.yaml", "b.md", "c.txt"]
    tree.write("d.txt", "now video-service.yaml\n")  # a file the run wrote since: searched too
    reads.clear()
    found = tree.grep_many({"refs": Literals(["video-service.yaml"]), "name": Prefilter(("video", "service"))})
    assert found == {"refs": ["c.txt", "d.txt"], "name": ["a.yaml", "c.txt", "d.txt"]}
    assert sorted(p.name for p in reads) == ["a.yaml", "b.md", "c.txt"]  # d.txt's text is pending


def test_words_no_earlier_pass_saw_are_searched_in_every_file(tmp_path, reads):
    root = write(tmp_path, {"a.txt": b"video\n", "b.txt": b"run: make e2e-media\n", "c.txt": b"E2E_MEDIA=1\n"})
    tree = Worktree(root, cache_budget=0)
    tree.grep(Prefilter(("video",)))
    reads.clear()
    found = tree.grep_many({"calls": Literals(["e2e-media", "video-build"]),
                            "name": Prefilter(("e", "2", "e", "media"))})
    assert found == {"calls": ["b.txt"], "name": ["b.txt", "c.txt"]}
    assert len(reads) == 3


def test_greps_after_greps_find_what_a_fresh_tree_finds(tmp_path):
    """Random trees, words and edits: a tree with the memory of earlier passes answers every
    grep as a tree that has none (the evidence only ever skips files that cannot match)."""
    rng = random.Random(11)
    vocabulary = ["video", "Video", "VIDEO", "service", "video-service", "video_service", "e2e", "media",
                  "videos", "vid", "audio", "-", "_", " ", "\n", "make "]
    for _ in range(30):
        folder = tmp_path / str(rng.random())
        files = {f"f{i}.txt": "".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 8))).encode()
                 for i in range(12)}
        tree = Worktree(write(folder, files), cache_budget=rng.choice([0, 40, 1 << 20]))
        for _ in range(6):
            if rng.random() < 0.3:
                path = rng.choice(sorted(files))
                text = "".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 6)))
                tree.write(path, text)
                files[path] = text.encode()
            patterns = {}
            for k in range(rng.randint(1, 3)):
                chosen = rng.sample(vocabulary[:10], rng.randint(1, 3))
                if rng.random() < 0.5:
                    patterns[k] = Literals(chosen)
                else:
                    patterns[k] = Prefilter(tuple(w.strip("-_ ") or "x" for w in chosen))
            fresh = Worktree(folder, cache_budget=0)
            for path, data in files.items():
                if tree.read(path) != (fresh.read(path)):
                    fresh.write(path, data.decode())
            assert tree.grep_many(patterns) == fresh.grep_many(patterns)


def test_a_prefilter_tests_its_longest_word_first():
    assert Prefilter(("e", "2", "e", "media")).first == b"media"
    assert Prefilter(("Video", "service")).needs == (b"video", b"service")
    assert Prefilter(()).first == b""


def test_word_index_finds_exactly_the_words_a_file_holds():
    """_WordIndex.present (keys on lowered bytes, then each word of a found key's group) gives
    what one substring search per word gives, case variants, empty and one-byte words included."""
    words = [b"ISTIO_VERSION", b"istio_version", b"Istio_Version", b"kind_node_version", b"quay.io/argoproj/argocd",
             b"quay.io/jetstack/cert-manager", b"\\", b"", b"base", b"helm.sh/chart", b"ab", b"AB_VERSIONX"]
    index = worktree_module._WordIndex(words)
    assert sorted(w for group in index.groups.values() for w in group) == sorted(set(words))
    rng = random.Random(7)
    alphabet = [b"ISTIO_", b"istio_", b"VERSION", b"version", b"Version", b"kind_node_", b"quay.io/", b"argoproj/",
                b"argocd", b"jetstack/", b"cert-manager", b"\\", b"base", b"helm.sh/", b"chart", b"a", b"b", b"AB_",
                b"X", b" ", b"\n"]
    for _ in range(2000):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        assert index.present(data, data.lower()) == {w for w in words if w in data}, data


def test_word_tested_matchers_give_in_one_pass_what_their_search_gives(tmp_path):
    """grep_many answers versions.Anchors and the floating and unpinned marks from one _WordIndex
    (worktree.WordTested); each answer is the one `search` gives file by file."""
    from gitops_bot.domain.floating import FLOATING_MARK
    from gitops_bot.domain.unpinned import UNPINNED_MARK
    from gitops_bot.domain.versions import Anchors, builtin_tools

    root = write(tmp_path, {
        "a.sh": b"ISTIO_VERSION=1.2.3\n", "b.sh": b"istio_version = 1\n", "c.yaml": b"chart: base\n",
        "d.yaml": b"repoURL: https://istio-release.storage.googleapis.com/charts\nchart: base\n",
        "e.yaml": b"repoURL: \"https:\\/\\/x\"\nchart: cni\n", "f.yaml": b"image: x\n", "g.yaml": b"tag: latest\n",
        "h.yaml": b"tag:   'latest'\n", "i.txt": b"latest\n", "Dockerfile": b"FROM alpine\n", "j.py": b"from x\n",
        "k.yaml": b"container: y\n", "l.txt": b"Upgrade.Cattle.IO/\n",
        "m.txt": b"UPGRADE.CATTLE.IO/ upgrade.cattle.io/\n"})
    matchers = {name: tool.anchors() for name, tool in builtin_tools().items()}
    matchers.update(floating=FLOATING_MARK, unpinned=UNPINNED_MARK,
                    empty_repository=Anchors((b"zzz",), (b"base",), b""), no_words=Anchors(()))
    tree = Worktree(root)
    together = tree.grep_many(matchers)
    for key, m in matchers.items():
        assert together[key] == [p for p in tree.paths() if m.search((root / p).read_bytes())], key
    assert together["istio"] == ["a.sh", "b.sh", "d.yaml", "e.yaml"]
    assert together["floating"] == ["f.yaml", "g.yaml", "h.yaml", "m.txt"]
    assert together["unpinned"] == ["Dockerfile", "f.yaml", "g.yaml", "h.yaml", "k.yaml", "m.txt"]


def test_where_limits_a_key_to_its_paths_and_keep_limits_what_is_kept(tmp_path, reads):
    """grep_many's `where` tests a key's pattern only on the paths it allows (the others' keys
    are unaffected); `keep` names the unmatched files whose bytes stay for `original` (the
    others are read again, and give the same text)."""
    root = write(tmp_path, {"a.yaml": b"image: x\n", "b.go": b"image: y\n", "c.yaml": b"name: z\n",
                            "d.txt": b"other\n"})
    tree = Worktree(root, keep=lambda p: p.endswith(".yaml"))
    found = tree.grep_many({"yaml-only": re.compile(b"image:"), "all": re.compile(b"image:")},
                           where={"yaml-only": lambda p: p.endswith(".yaml")})
    assert found == {"yaml-only": ["a.yaml"], "all": ["a.yaml", "b.go"]}
    assert [tree.original(p) for p in ("a.yaml", "b.go", "c.yaml", "d.txt")] == \
        ["image: x\n", "image: y\n", "name: z\n", "other\n"]
    assert {p.name: n for p, n in reads.items()} == {"a.yaml": 1, "b.go": 1, "c.yaml": 1, "d.txt": 2}
    assert tree.grep(re.compile(b"e")) == Worktree(root).grep(re.compile(b"e"))


def test_a_removed_make_target_named_apart_is_found_without_a_second_pass(tmp_path, monkeypatch, capsys):
    """The first pass of a removal also notes the files holding the longest word of each make
    target whose every recipe line names the component (RunState._foreseen): when the removal
    empties `e2e-media:` and lists its callers, their pass reads those files only, not the
    whole tree again; the report is the one the whole pass gives."""
    import json

    from gitops_bot.cli import main
    from gitops_bot.ops.state import RunState

    files = {"services/video-service/main.go": b"package main\n", "services/chat-service/main.go": b"package main\n",
             "Makefile": b"e2e-media:\n\tgo test ./e2e/... -run 'Test(Media|VideoService)'\n\nlint:\n\tgo vet\n",
             # a workflow that does more than run the removed target: it stays, its step is refused
             ".github/workflows/e2e.yml": (b"jobs:\n  e2e:\n    steps:\n      - run: make e2e-media\n"
                                           b"      - run: make lint\n"),
             "docs/media.md": b"Run `make e2e-media` for the media tests.\n"}
    files.update({f"notes/n{i}.txt": b"nothing to see\n" for i in range(20)})
    write(tmp_path, files)

    def plan() -> dict:
        assert main(["plan", "remove-service", "service=video-service", "--repo", str(tmp_path),
                     "--format", "json"]) == 1
        return json.loads(capsys.readouterr().out)

    grepped: Counter = Counter()  # how many passes read each file
    real_data = Worktree._data

    def data(self, path):
        grepped[path] += 1
        return real_data(self, path)

    monkeypatch.setattr(Worktree, "_data", data)
    report = plan()
    assert [(r["path"], r["line"]) for r in report["refused"]] == [(".github/workflows/e2e.yml", 4)]
    assert ("docs/media.md", 1) in {(r["path"], r["line"]) for r in report["residue"]}
    assert {p: n for p, n in grepped.items() if p.startswith("notes/")} == {f"notes/n{i}.txt": 1 for i in range(20)}
    grepped.clear()
    monkeypatch.setattr(RunState, "_foreseen", lambda self, names: set())
    assert plan() == report
    assert {p: n for p, n in grepped.items() if p.startswith("notes/")} == {f"notes/n{i}.txt": 2 for i in range(20)}
