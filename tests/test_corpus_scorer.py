"""The corpus scorer (bench/corpus/score.py) on a small real git history: the human's own diff
replayed as the bot scores 100% with zero damage, a naive sed scores worse, and the real bot is
measured (no network: the mirror is a local bare repository)."""

from __future__ import annotations

import importlib.util
import shutil
import sys

import pytest

from .conftest import EXAMPLE, ROOT, git

spec = importlib.util.spec_from_file_location("score", ROOT / "bench" / "corpus" / "score.py")
score = importlib.util.module_from_spec(spec)
sys.modules["score"] = score  # dataclasses look their module up while the class is built
spec.loader.exec_module(score)


@pytest.fixture
def mirror(tmp_path):
    """A bare mirror whose history has a base and a human commit removing video-service."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work)
    git(work, "init", "--quiet", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "platform")
    base = git(work, "rev-parse", "HEAD")
    shutil.rmtree(work / "services" / "video-service")
    (work / "go.work").write_text((work / "go.work").read_text().replace("\t./services/video-service\n", ""))
    compose = work / "docker" / "compose" / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("VIDEO_SERVICE_URL", "VIDEO_URL"))  # a judgement call
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "remove video-service")
    human = git(work, "rev-parse", "HEAD")
    bare = tmp_path / "mirrors" / "acme+platform" / "repo"
    git(tmp_path, "clone", "--quiet", "--mirror", str(work), str(bare))
    case = score.Case(id="acme-remove-video", repo="acme/platform", kind="remove-service", base=base,
                      commits=[human], recipe="remove-service", params=["service=video-service"])
    return bare, case


def test_truth_replay_is_exact_and_sed_is_worse(mirror):
    bare, case = mirror
    truth, sed = score.score_case(case, bare, ["truth", "sed"])
    assert truth.error == "" and truth.exact and truth.line_recall == 1.0
    assert truth.human_deleted == truth.deleted_both > 0 and truth.damage == truth.extra_target == 0
    assert truth.human_lines > 0 and truth.mentions_bot == truth.mentions_human
    assert not sed.exact and (sed.damage + sed.extra_target) > 0


def test_the_bot_is_scored(mirror):
    bare, case = mirror
    (bot,) = score.score_case(case, bare, ["gitops"])
    assert bot.error == "" and bot.exit_code == 0
    assert bot.file_recall == 1.0  # it deletes the service's source folder as the human did
    assert bot.extra_target > 0  # and removes more than this human did (go.work aside, they stopped early)


def test_excluded_lines_are_not_counted(mirror):
    bare, case = mirror
    (first,) = score.score_case(case, bare, ["truth"])
    case.exclude_lines = ["VIDEO_URL|VIDEO_SERVICE_URL"]
    (second,) = score.score_case(case, bare, ["truth"])
    assert second.human_lines < first.human_lines and second.exact


def test_excluded_lines_are_not_mentions(mirror):
    bare, case = mirror
    case.mention = "VIDEO_SERVICE_URL|VIDEO_URL"
    (first,) = score.score_case(case, bare, ["gitops"])
    case.exclude_lines = ["VIDEO_URL|VIDEO_SERVICE_URL"]
    (second,) = score.score_case(case, bare, ["gitops"])
    assert first.mentions_human > 0 and second.mentions_human == second.mentions_bot == 0
    assert second.mentions_where == [] and second.mentions_unlisted == []


def test_the_mentions_a_run_leaves_are_checked_against_its_report(mirror):
    bare, case = mirror
    (bot,) = score.score_case(case, bare, ["gitops"])
    assert bot.mentions_unlisted is not None and len(bot.mentions_unlisted) <= bot.mentions_bot
    listed = score.listed_lines('{"residue": [{"path": "a.md", "line": 3, "text": "  see video-service "}],'
                                ' "refused": [{"path": "b.sh", "line": 1, "text": "run video-service"}]}')
    assert listed == {("a.md", "see video-service"), ("b.sh", "run video-service")}
    assert score.listed_lines("not json") == set()
    tree = {"a.md": bare.parent / "a.md"}
    tree["a.md"].write_text("x\n  see video-service \nvideo-service again\n")
    mentions = score._mention_lines(tree, case, case.mention_regex())
    assert score._unlisted(mentions, listed) == ["a.md:3: video-service again"]


def test_without_mirrors_nothing_runs(mirror, tmp_path, monkeypatch, capsys):
    _, case = mirror
    monkeypatch.setattr(score, "load_cases", lambda: [case])
    assert score.main(["--mirrors", str(tmp_path / "empty")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The corpus needs bare mirrors of 1 repositories under ")
    assert f"git clone --mirror https://github.com/acme/platform {tmp_path / 'empty'}/acme+platform/repo" in out


def test_every_committed_case_is_well_formed():
    cases = score.load_cases()
    for case in cases:
        assert len(case.base) == 40 and all(len(c) == 40 for c in case.commits), case.id
        assert case.kind in ("remove-service", "set-version", "pin-versions", "config-to-params", "set-param",
                             "set-value", "add-pod-annotation", "sidecar-exclude", "allow-source", "mesh-mode"), case.id
        assert all("=" in p for p in case.params), case.id


def test_a_file_the_human_adds_counts_for_every_bot(tmp_path):
    base, human, bot = (tmp_path / n for n in ("base", "human", "bot"))
    for tree in (base, human, bot):
        tree.mkdir()
        (tree / "values.yaml").write_text("video: {a: 1}\n")
    (human / "values-video.yaml").write_text("a: 1\nb: 2\n")
    case = score.Case(id="c", repo="a/b", kind="config-to-params", base="0" * 40, commits=["1" * 40],
                      recipe="config-to-params", params=["env=prod"])
    missed = score.Score("c", case.kind, "sed")
    score.compare(case, base, human, bot, missed)
    assert (missed.human_lines, missed.matched_lines) == (2, 0)
    (bot / "values-video.yaml").write_text("a: 1\nb: 2\n")
    matched = score.Score("c", case.kind, "truth")
    score.compare(case, base, human, bot, matched)
    assert (matched.human_lines, matched.matched_lines) == (2, 2)


def test_a_line_the_human_added_is_silent_unless_the_report_lists_its_file(tmp_path, monkeypatch):
    """An added line has no line of the tree before to list: the bot's miss is silent when its
    report lists nothing in that file, and told when it lists something there."""
    base, human, bot = (tmp_path / n for n in ("base", "human", "bot"))
    patch = "kind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    spec: {}\n"
    for tree in (base, human, bot):
        tree.mkdir()
        (tree / "patch.yaml").write_text(patch)
    (human / "patch.yaml").write_text(patch.replace("  template:\n", "  template:\n    metadata:\n"
                                                    "      annotations: {sidecar.istio.io/inject: 'false'}\n")
                                      + "\n")  # and a blank line: nothing to tell
    case = score.Case(id="c", repo="a/b", kind="sidecar-exclude", base="0" * 40, commits=["1" * 40],
                      recipe="sidecar-exclude", params=["workloads=db"])
    monkeypatch.setitem(score.LISTED, bot, set())
    silent = score.Score("c", case.kind, "gitops")
    score.compare(case, base, human, bot, silent)
    assert (silent.human_lines, silent.matched_lines) == (3, 0)
    assert silent.silent == ["patch.yaml: +annotations: {sidecar.istio.io/inject: 'false'}", "patch.yaml: +metadata:"]
    monkeypatch.setitem(score.LISTED, bot, {("patch.yaml", "name: db")})
    told = score.Score("c", case.kind, "gitops")
    score.compare(case, base, human, bot, told)
    assert told.silent == []


def test_a_line_the_bot_changed_otherwise_is_not_silent(tmp_path, monkeypatch):
    """A replaced line is judged by the line it replaces: the bot changed it too (to a version of
    its own, in the diff a reviewer reads), so the miss is not silent; a line it left is."""
    base, human, bot = (tmp_path / n for n in ("base", "human", "bot"))
    for tree in (base, human, bot):
        tree.mkdir()
        (tree / "cloudbuild.yaml").write_text("steps:\n- name: skaffold:v2.6.0-lts\n- name: other:v1\n")
    (human / "cloudbuild.yaml").write_text("steps:\n- name: skaffold:v2.6.1\n- name: other:v2\n")
    (bot / "cloudbuild.yaml").write_text("steps:\n- name: skaffold:v2.6.1-lts\n- name: other:v1\n")
    case = score.Case(id="c", repo="a/b", kind="set-version", base="0" * 40, commits=["1" * 40],
                      recipe="set-version", params=["image=skaffold", "version=v2.6.1"])
    monkeypatch.setitem(score.LISTED, bot, set())
    result = score.Score("c", case.kind, "gitops")
    score.compare(case, base, human, bot, result)
    assert (result.human_lines, result.matched_lines) == (4, 1)
    assert result.silent == ["cloudbuild.yaml:3: - name: other:v1"]


def test_the_same_deletion_among_repeated_lines_is_matched_where_the_human_made_it():
    """Deleting `b:` + its `c: s` from a map of such pairs can be aligned at two places with the
    same result; a human who also changed another line of the file got the other one. The bot's
    identical deletion is placed where it overlaps the human's; a different deletion is not."""
    before = ["deps:", "  a:", "    c: s", "  b:", "    c: s", "  d:", "    c: s"]
    bot = before[:3] + before[5:]
    human = ["services:"] + bot[1:]
    h_removed, _ = score.line_changes(before, human)
    assert h_removed == {0, 2, 3}
    assert score.line_changes(before, bot)[0] == {3, 4}  # as the diff aligns it on its own
    assert score.line_changes(before, bot, prefer=h_removed)[0] == {2, 3}
    other = before[:5]  # deletes `d:` + its `c: s`: no place of it is the human's
    assert score.line_changes(before, other, prefer=h_removed)[0] == {5, 6}
    assert score.line_changes(before, before, prefer=h_removed) == (set(), score.collections.Counter())


def test_a_deletion_slides_down_to_the_humans_place_too():
    before = ["deps:", "  a:", "    c: s", "  b:", "    c: s", "  d:", "    c: s"]
    human = before[:3] + before[5:]  # deletes `b:` + its `c: s`, as {3, 4}
    bot = ["services:"] + before[1:2] + before[4:]  # the same deletion, aligned as {2, 3}, and another change
    h_removed, _ = score.line_changes(before, human)
    assert h_removed == {3, 4}
    assert score.line_changes(before, bot)[0] == {0, 2, 3}  # as the diff aligns it on its own
    assert score.line_changes(before, bot, prefer=h_removed)[0] == {0, 3, 4}


def test_dangling_counts_only_folders_that_are_gone():
    """A folder that keeps a file is not deleted: naming it is no dangling reference; a folder
    emptied by the change is, and so is a lone deleted file in a folder that stays."""
    deleted = {"infra/controllers/weave.yaml", "apps/video/base/a.yaml", "apps/video/b.yaml", "docs/video.md"}
    remaining = ["infra/controllers/kustomization.yaml", "apps/kustomization.yaml", "docs/index.md"]
    assert score._deleted_roots(deleted, remaining) == {"infra/controllers/weave.yaml", "apps/video", "docs/video.md"}


def test_a_line_rewritten_to_drop_the_target_is_over_reach_not_damage(tmp_path):
    """The bot shortens a prose list naming the target where the human left it: the removed line
    and its rewrite are over-reach (they are an edit of a mention); a line the bot changed that
    never named the target stays damage."""
    base, human, bot = (tmp_path / n for n in ("base", "human", "bot"))
    for tree in (base, human, bot):
        tree.mkdir()
    text = "Apps: Gitea, Seafile, Jellyfin\nport: 80\nother: 1\n"
    (base / "README.md").write_text(text)
    (human / "README.md").write_text(text)
    (bot / "README.md").write_text("Apps: Gitea, Jellyfin\nport: 80\nother: 2\n")
    case = score.Case(id="c", repo="a/b", kind="remove-service", base="0" * 40, commits=["1" * 40],
                      recipe="remove-service", params=["service=seafile"])
    scored = score.Score("c", case.kind, "gitops")
    score.compare(case, base, human, bot, scored)
    assert (scored.extra_target, scored.damage) == (2, 2)  # the list line twice; `other:` before and after
    assert score.edited_mentions(["a seafile b", "x"], ["a b", "y"], case.mention_regex()) == {"a b": 1}


def test_dangling_lines_are_listed_with_path_and_line(tmp_path):
    """The JSON lists each dangling line (`path:line: text`), so a reader sees what the count is."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("intro\nsee apps/video/base here\nnot ./apps/videos/x\n")
    case = score.Case(id="c", repo="a/b", kind="remove-service", base="0" * 40, commits=["1" * 40],
                      recipe="remove-service", params=["service=video"])
    tree = {"docs/a.md": tmp_path / "docs" / "a.md"}
    assert score._dangling({"apps/video/base/k.yaml"}, tree, case) == ["docs/a.md:2: see apps/video/base here"]


def test_dangling_lines_relative_to_the_file_and_to_a_mkdocs_docs_folder(tmp_path):
    """A Markdown link relative to its page and a MkDocs `nav:` entry relative to `docs_dir`
    name the deleted page as surely as a path from the root; a path that only looks alike
    (another folder's file of the same name) does not."""
    files = {"docs/add-ons/index.md": "| [X](../add-ons/x.md) | x |\n| [Y](../add-ons/y.md) | y |\n",
             "mkdocs.yml": 'docs_dir: "docs"\nnav:\n  - X: "add-ons/x.md"\n  - Y: "add-ons/y.md"\n',
             "other/README.md": "see [x](add-ons/x.md)\n"}
    tree = {}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
        tree[rel] = tmp_path / rel
    case = score.Case(id="c", repo="a/b", kind="remove-service", base="0" * 40, commits=["1" * 40],
                      recipe="remove-service", params=["service=x"])
    assert score._dangling({"docs/add-ons/x.md"}, tree, case) == [
        "docs/add-ons/index.md:1: | [X](../add-ons/x.md) | x |", 'mkdocs.yml:3: - X: "add-ons/x.md"']


@pytest.mark.parametrize("before, removed, expected", [
    # a group's heading, its patterns naming the target and its separator: over, not damage
    (["# keep", "a", "", "# Mix artifacts", "ff/_build", "ff/deps", "", "b"], {3, 4, 5, 6}, {3, 6}),
    # braces of a removed record
    (["[", "  {", '    "files": ["ff/**"]', "  },", "  {", '    "files": ["x/**"]', "  }", "]"], {1, 2, 3}, {1, 3}),
    # a removal that glues two blocks: its blank line is damage
    (["a:", "", "ff: 1", "b:"], {1, 2}, set()),
    # a heading over a group that continues after the removal stays damage
    (["# Tools", "ff/bin", "x/bin"], {0, 1}, set()),
    # a run with a line that does not name the target is not the target's block
    (["", "ff/a", "other"], {0, 1, 2}, set()),
    # a shell pause between a removed deploy and its removed wait is part of the step
    (["a", "", "deploy ff", "", "echo ff", "sleep 5", "wait ff", "", "b"], {2, 3, 4, 5, 6, 7}, {3, 5, 7}),
    # the same deletion placed where a diff puts it (`# ff ... / (blank) / ####`) glues nothing:
    # slid up one line (`#### / # ff ... / (blank)`) it sits between blank and banner
    (["x", "####", "", "####", "# ff", "ff/a", "", "####", "# y"], {4, 5, 6, 7}, {4, 6, 7}),
])
def test_lines_that_went_with_a_removed_mention(before, removed, expected):
    import re
    assert score.removed_with_mentions(before, removed, re.compile("ff")) == expected


def test_lines_the_human_removed_too_belong_to_the_targets_block():
    """A compose service the human replaced: a line that does not name the target, at the level
    of the one that does, was removed by the human too, so the bot's removal of the run is
    over-reach, not damage."""
    import re
    before = ["  a:", "    x: 1", "", "  # ff service", "  ff:", "    build: .", "  other: 1", "", "  b:"]
    removed = {3, 4, 5, 6, 7}
    assert score.removed_with_mentions(before, removed, re.compile("ff")) == set()
    assert score.removed_with_mentions(before, removed, re.compile("ff"), theirs={6}) == {3, 5, 7}


@pytest.mark.parametrize("before, removed, expected", [
    # a helmfile release named for the target: its namespace/version lines are its body
    (["releases:", "  - name: ff", "    namespace: kube-system", "    version: 1.2.4", "",
      "  - name: b", "    namespace: x"], {1, 2, 3}, {1, 2, 3}),
    # a map under a key named for the target (a dashboard entry), nested deeper
    (["dashboards:", "  ff:", "    gnetId: 1", "    datasource:", "      - name: DS", "  b:", "    gnetId: 2"],
     {1, 2, 3, 4}, {2, 3, 4}),
    # a line at the head's own level after the body is not the target's: the run is damage
    (["  ff:", "    x: 1", "  other: 2"], {0, 1, 2}, set()),
])
def test_the_body_of_an_entry_named_for_the_target_is_its_block(before, removed, expected):
    import re
    assert score.removed_with_mentions(before, removed, re.compile("ff")) == expected


SERVICE = ["apiVersion: v1", "kind: Service", "metadata:", "  name: ff-metrics", "  namespace: ff", "  labels:",
           "    app: x", "spec:", "  selector:", "    app: x-metrics"]


CARD = ['<div className="card">', "<h3>Deploy</h3>", '<a href="/site/docs/ff" className="link">', "<span>Go</span>",
        "</a>", "</div>"]


@pytest.mark.parametrize("before, removed, expected", [
    # a card of a docs page whose one link leads to the target's page, removed whole
    (["<div>", ""] + CARD + ["", "</div>"], set(range(2, 9)), set(range(2, 9))),
    # an element that also links elsewhere is not the target's
    (CARD[:4] + ['<a href="/site/docs/other">x</a>'] + CARD[4:], set(range(7)), set()),
    # an element removed only in part is judged line by line: here the link element is whole
    (CARD, set(range(5)), {2, 3, 4}),
])
def test_an_element_linking_only_to_the_target_is_its_block(before, removed, expected):
    import re
    assert score.removed_with_mentions(before, removed, re.compile("ff")) == expected


@pytest.mark.parametrize("before, removed, expected", [
    # a Kubernetes object named for the target, removed whole with its separator: the target's own
    (SERVICE + ["---", "kind: ConfigMap", "metadata:", "  name: b"], {*range(10), 10}, {*range(10), 10}),
    # ... the second document of its file, its separator before it
    (["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: b", "---"] + SERVICE, {*range(4, 15)},
     {*range(4, 15)}),
    # an object of another name that only mentions the target (a label, a selector) is damage, but
    # for the `labels:` key its removal emptied
    (["apiVersion: v1", "kind: Service", "metadata:", "  name: other", "  labels:", "    app: ff", "spec:",
      "  type: ClusterIP"], set(range(8)), {4}),
    # a name deeper than metadata's first level (a label `name:`) does not make the object the target's
    (["apiVersion: v1", "kind: Service", "metadata:", "  name: other", "  labels:", "    name: ff", "spec:",
      "  type: ClusterIP"], set(range(8)), {4}),
    # an object only partly removed is judged line by line
    (SERVICE, set(range(5)), set()),
    # a key the removal emptied, its entries naming the target (what is nested under one is its own)
    (["spec:", "  dependsOn:", "    - name: ff", "      namespace: storage", "  interval: 1h"], {1, 2, 3},
     {1, 2, 3}),
    # a key with an entry of another name removed with it is damage, but for the target's entry
    (["spec:", "  dependsOn:", "    - name: ff", "    - name: b", "  interval: 1h"], {1, 2, 3}, set()),
])
def test_blocks_that_name_the_target_once(before, removed, expected):
    import re
    assert score.removed_with_mentions(before, removed, re.compile("ff")) == expected


# -- recorded lookups, replayed over HTTP on the loopback -------------------------------------------
def test_recorded_lookups_are_served_through_the_bots_documented_settings(tmp_path):
    """The replay's environment (GITHUB_TOKEN, GITHUB_API_URL, GITOPS_BOT_REGISTRY_URLS) is all the
    bot's own lookups need to get the recorded answers; what was not recorded is unknown."""
    from gitops_bot.delivery.lookups import Lookups
    from gitops_bot.errors import UserError

    digest = "sha256:" + "d" * 64
    lookups = {"releases": {"acme/tool": "v0.2.0"}, "tags": {"actions/checkout": {"v4": "a" * 40, "v4.1.1": "a" * 40}},
               "images": {"busybox": ["1.38.0"], "ghcr.io/acme/api": ["2.0.1"]}, "digests": {"busybox:1.38.0": digest}}
    with score.Replay.serving(lookups) as env:
        assert set(env) == {"GITHUB_TOKEN", "GITHUB_API_URL", "GITOPS_BOT_REGISTRY_URLS"}
        bot = Lookups(env)
        assert bot.latest_release_tag("acme/tool") == "v0.2.0"
        assert bot.latest_release_tag("acme/other") is None
        assert bot.tag_commits("actions/checkout") == {"v4": "a" * 40, "v4.1.1": "a" * 40}
        assert bot.image_tags("busybox") == ["1.38.0"] and bot.image_tags("ghcr.io/acme/api") == ["2.0.1"]
        assert bot.image_digest("busybox", "1.38.0") == digest
        with pytest.raises(UserError, match="not found"):
            bot.image_tags("nginx")
    with score.Replay.serving({}) as env:
        assert env == {}


@pytest.mark.parametrize("image, expected", [
    ("busybox", ("docker.io", "library/busybox")), ("acme/api", ("docker.io", "acme/api")),
    ("ghcr.io/acme/api", ("ghcr.io", "acme/api")), ("localhost:5000/x", ("localhost:5000", "x")),
])
def test_replay_places_images_as_docker_does(image, expected):
    assert score.Replay.registry(image) == expected


def test_a_case_with_an_unknown_lookup_is_refused(tmp_path):
    (tmp_path / "a+b.toml").write_text('repo = "a/b"\n[[case]]\nid = "x"\nkind = "pin-versions"\nbase = "0"\n'
                                       'commits = ["1"]\nrecipe = "pin-versions"\nparams = []\n'
                                       '[case.lookups]\nchart = { x = ["1.0.0"] }\n')
    with pytest.raises(SystemExit, match="unknown lookups chart"):
        score.load_cases(tmp_path)


# -- over lines confirmed by the repository's later history ----------------------------------------
def _history(tmp_path, steps):
    """A bare mirror whose commits write `steps` (each {path: text}) in order; their shas."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "--quiet", "-b", "main")
    shas = []
    for files in steps:
        for path, text in files.items():
            (work / path).write_text(text)
        git(work, "add", "-A")
        git(work, "commit", "--quiet", "-m", f"step {len(shas)}")
        shas.append(git(work, "rev-parse", "HEAD"))
    bare = tmp_path / "mirror"
    git(tmp_path, "clone", "--quiet", "--mirror", str(work), str(bare))
    return bare, shas


def test_over_lines_are_confirmed_by_a_later_commit_that_makes_them_too(tmp_path):
    """The human moves a.yaml to 1.1.0; the bot moves b, c and d too. A later commit writes the
    bot's very line in b (same line); the next bump moves c from 1.0.0 past 1.1.0 (moved on); d is
    never moved: not confirmed. over_where names each line; over_confirmed counts b's and c's."""
    old = {n: f"# {n}\nimage: acme/api:1.0.0\n" for n in ("a.yaml", "b.yaml", "c.yaml", "d.yaml")}
    bare, shas = _history(tmp_path, [old, {"a.yaml": "# a.yaml\nimage: acme/api:1.1.0\n"},
                                      {"b.yaml": "# b.yaml\nimage: acme/api:1.1.0\n"},
                                      {"c.yaml": "# c.yaml\nimage: acme/api:1.2.0\n",
                                       "d.yaml": "# d\n" + old["d.yaml"]}])
    case = score.Case(id="c", repo="a/b", kind="set-version", base=shas[0], commits=[shas[1]], recipe="set-version",
                      params=["image=acme/api", "version=1.1.0"], mention=r"acme/api:1\.[01]\.0")
    base, human, bot = (tmp_path / n for n in ("base", "human", "bot"))
    score.materialise(bare, shas[0], base)
    score.human_tree(bare, case, base, human)
    shutil.copytree(base, bot)
    for name in old:
        (bot / name).write_text(old[name].replace("1.0.0", "1.1.0"))
    scored = score.Score("c", case.kind, "gitops")
    score.compare(case, base, human, bot, scored)
    score.confirm_over(bare, case, human, scored)
    seen = {(e["path"], e["side"], e["line"], e["text"], e["how"], e["confirmed"]) for e in scored.over_where}
    assert seen == {("b.yaml", "-", 2, "image: acme/api:1.0.0", "same line", shas[2]),
                    ("b.yaml", "+", 2, "image: acme/api:1.1.0", "same line", shas[2]),
                    ("c.yaml", "-", 2, "image: acme/api:1.0.0", "moved on", shas[3]),
                    ("c.yaml", "+", 2, "image: acme/api:1.1.0", "moved on", shas[3]),
                    ("d.yaml", "-", 2, "image: acme/api:1.0.0", "", ""),
                    ("d.yaml", "+", 2, "image: acme/api:1.1.0", "", "")}
    assert (scored.extra_target, scored.over_confirmed, scored.damage) == (6, 4, 0)


@pytest.mark.parametrize("old, new, expected", [
    ("  go-version: '1.17.5'", "  go-version: '1.18.0'", ("  go-version: '", "1.17.5", "1.18.0", "'")),
    ("image: x/proxyv2:1.28.0", "image: x/proxyv2:1.29.0", ("image: x/proxyv2:", "1.28.0", "1.29.0", "")),
    ("image: busybox:latest", "image: busybox:1.38.0@sha256:ab", ("image: busybox:", "latest", "1.38.0@sha256:ab", "")),
])
def test_an_edit_slot_is_whole_version_tokens(old, new, expected):
    assert score.edit_slot(old, new) == expected


def test_mentions_left_that_later_commits_removed_are_stale(tmp_path):
    """The human removes video-service from a.md's list but leaves it in b.md and c.md; the bot
    also removes it from b.md. A later commit deletes the b.md and c.md lines (the repository held
    them dead) and keeps CHANGELOG.md's: the bot left 1 stale mention (c.md), the human 2."""
    old = {"a.md": "- video-service\n- auth\n", "b.md": "- video-service\n- auth\n",
           "c.md": "see video-service\nmore\n", "CHANGELOG.md": "- added video-service\n"}
    bare, shas = _history(tmp_path, [old, {"a.md": "- auth\n"},
                                      {"b.md": "- auth\n", "c.md": "more\n", "CHANGELOG.md": old["CHANGELOG.md"] + "x\n"}])
    case = score.Case(id="c", repo="a/b", kind="remove-service", base=shas[0], commits=[shas[1]],
                      recipe="remove-service", params=["service=video-service"])
    base, human, bot = (tmp_path / n for n in ("base", "human", "bot"))
    score.materialise(bare, shas[0], base)
    score.human_tree(bare, case, base, human)
    shutil.copytree(human, bot)
    (bot / "b.md").write_text("- auth\n")
    scored = score.Score("c", case.kind, "gitops")
    score.stale_mentions(bare, case, human, bot, scored)
    assert scored.mentions_stale == ["c.md:1: see video-service"] and scored.mentions_stale_human == 2
