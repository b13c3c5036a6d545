"""One parse per text per parser within a run (parse/cache.py): a hit hands back the same nodes
and parses nothing; outside a run nothing is kept; a remove-service run parses no text twice
with the same parser."""

from __future__ import annotations

import collections
import dataclasses
import shutil

import pytest
from ruamel.yaml.error import YAMLError

from gitops_bot.engine.recipe import find_recipe
from gitops_bot.engine.run import run_recipe
from gitops_bot.parse import cache, hcl, libyaml_rt
from gitops_bot.parse import yaml as parse_yaml

from .conftest import EXAMPLE

TEXT = "a:\n  b: [1, 2]\nc: d\n"
HCL = 'module "x" {\n  name = "y"\n}\n'


@pytest.fixture
def calls(monkeypatch):
    """How many times each underlying parser ran, per text."""
    counted: collections.Counter = collections.Counter()

    def counting(label, real):
        def parse(text, *args, **kwargs):
            counted[(label, text)] += 1
            return real(text, *args, **kwargs)
        return parse

    monkeypatch.setattr(libyaml_rt, "load", counting("yaml-rt", libyaml_rt.load))
    monkeypatch.setattr(parse_yaml, "load_rt_pure", counting("yaml-rt-pure", parse_yaml.load_rt_pure))
    monkeypatch.setattr(parse_yaml, "_load_safe", counting("yaml-safe", parse_yaml._load_safe))
    monkeypatch.setattr(hcl, "_parse", counting("hcl", hcl._parse))
    return counted


def test_a_hit_returns_the_same_nodes_and_parses_nothing(calls):
    with cache.scope():
        first, again = parse_yaml.load_rt(TEXT), parse_yaml.load_rt(TEXT)
        safe, safe_again = parse_yaml.load_safe(TEXT), parse_yaml.load_safe(TEXT)
        tree, tree_again = hcl.parse(HCL), hcl.parse(HCL)
    assert first[0] is again[0] and first is not again  # the nodes are shared, the list is the caller's
    assert safe[0] is safe_again[0] and tree is tree_again
    assert calls == {("yaml-rt", TEXT): 1, ("yaml-safe", TEXT): 1, ("hcl", HCL): 1}


def test_the_parsers_do_not_share_entries(calls):
    with cache.scope():
        rt, safe = parse_yaml.load_rt(TEXT), parse_yaml.load_safe(TEXT)
    assert type(rt[0]).__name__ == "CommentedMap" and type(safe[0]) is dict


def test_outside_a_run_nothing_is_kept(calls):
    assert parse_yaml.load_rt(TEXT)[0] is not parse_yaml.load_rt(TEXT)[0]
    assert hcl.parse(HCL) is not hcl.parse(HCL)
    assert calls[("yaml-rt", TEXT)] == 2 and calls[("hcl", HCL)] == 2


def test_a_scope_forgets_when_it_ends_and_nested_scopes_share(calls):
    with cache.scope():
        outer = parse_yaml.load_rt(TEXT)
        with cache.scope():
            assert parse_yaml.load_rt(TEXT)[0] is outer[0]
        assert parse_yaml.load_rt(TEXT)[0] is outer[0]
    assert parse_yaml.load_rt(TEXT)[0] is not outer[0]
    assert calls[("yaml-rt", TEXT)] == 2


def test_a_failure_is_kept_and_raised_again_without_parsing_again(calls):
    bad = "a: [1\n"
    with cache.scope():
        for _ in range(2):
            with pytest.raises(YAMLError):
                parse_yaml.load_safe(bad)
    assert calls[("yaml-safe", bad)] == 1


def test_parse_once_shares_one_result_between_equal_parsers_until_the_text_changes():
    calls = []

    @dataclasses.dataclass(frozen=True)
    class Upper:  # like set_version's scanner: a parser that is a value
        tag: str

        def __call__(self, text):
            calls.append((self.tag, text))
            return [self.tag + text.upper()]

    with cache.scope():
        first = cache.parse_once(Upper("a"), "x")
        assert cache.parse_once(Upper("a"), "x") is first and calls == [("a", "x")]
        assert cache.parse_once(Upper("a"), "y") == ["aY"]  # an edited text
        assert cache.parse_once(Upper("b"), "x") == ["bX"]  # another parser
    assert len(calls) == 3
    cache.parse_once(Upper("a"), "x")  # outside a run: parsed again
    assert len(calls) == 4


def test_past_the_budget_the_least_recently_used_results_go(calls, monkeypatch):
    monkeypatch.setattr(cache, "BUDGET", 2 * len(TEXT))
    other, third = TEXT.replace("c: d", "c: e"), TEXT.replace("c: d", "c: f")
    with cache.scope():
        kept = parse_yaml.load_rt(TEXT)
        parse_yaml.load_rt(other)
        assert parse_yaml.load_rt(TEXT)[0] is kept[0]  # a hit: TEXT is now the most recent
        parse_yaml.load_rt(third)  # over the budget: `other`, the least recently used, goes
        assert parse_yaml.load_rt(TEXT)[0] is kept[0]
        parse_yaml.load_rt(other)
    assert calls[("yaml-rt", TEXT)] == 1 and calls[("yaml-rt", other)] == 2


def test_a_remove_service_run_parses_no_text_twice_with_one_parser(tmp_path, calls):
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    # Two files with the same text: the second is read from the cache.
    values = repo / "k8s" / "helm" / "environments" / "dev.yaml"
    (repo / "k8s" / "helm" / "environments" / "dev-copy.yaml").write_bytes(values.read_bytes())
    changes = run_recipe(repo, find_recipe("remove-service", repo), {"service": "video-service"})
    assert changes.files and calls
    assert [key for key, n in calls.items() if n > 1] == []
    assert not any(label == "yaml-rt-pure" for label, _ in calls)  # every text took the fast path
