"""The libyaml fast path of `load_rt` (parse/libyaml_rt.py) builds what ruamel's pure-Python
round-trip loader builds: node types, values, key order, `.lc` positions of every key, value and
item, flow styles, anchors, merge keys and tags, on every YAML file and masked template of the
example monorepo and the fixtures, on mutated copies of them, and on the cases where the two
parsers are known to differ. Where it does not vouch for a text, `load_rt` is the pure loader."""

from __future__ import annotations

import ast
import random

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from gitops_bot.parse import libyaml_rt
from gitops_bot.parse.gotemplate import TemplateError, lex, mask
from gitops_bot.parse.yaml import load_rt, load_rt_pure

from .conftest import EXAMPLE, ROOT

CORPUS_ROOTS = (EXAMPLE, ROOT / "tests" / "fixtures", ROOT / "tests" / "golden")


def shape(node, path=()) -> list[tuple]:
    """Everything of a round-trip node tree that anyone could read, comments (`.ca`) and the
    folded-scalar dump hint aside: one row per node, in order."""
    if isinstance(node, CommentedMap):
        merge = getattr(node, "_yaml_merge", None)
        rows = [(path, type(node).__name__, node.lc.line, node.lc.col, node.fa.flow_style(),
                 {repr(k): v for k, v in (node.lc.data or {}).items()}, [repr(k) for k in node],
                 [repr(k) for k, _ in node.non_merged_items()],
                 getattr(node.yaml_anchor(), "value", None), getattr(merge, "merge_pos", None),
                 [len(m) for m in merge or []], str(node.tag))]
        for key in node:
            rows += shape(node[key], path + (repr(key),))
        return rows
    if isinstance(node, CommentedSeq):
        rows = [(path, type(node).__name__, node.lc.line, node.lc.col, node.fa.flow_style(),
                 dict(node.lc.data or {}), len(node), getattr(node.yaml_anchor(), "value", None), str(node.tag))]
        for i, item in enumerate(node):
            rows += shape(item, path + (i,))
        return rows
    return [(path, type(node).__name__, repr(node), getattr(getattr(node, "anchor", None), "value", None),
             getattr(getattr(node, "tag", None), "value", None))]


def shapes(docs: list) -> list[list[tuple]]:
    return [shape(doc, (i,)) for i, doc in enumerate(docs)]


def corpus() -> list[tuple[str, str]]:
    """(name, text) for every YAML file of the corpus, and the masked copy of every template."""
    texts = []
    for root in CORPUS_ROOTS:
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".yaml", ".yml", ".tpl") or not path.is_file():
                continue
            text = path.read_bytes().decode("utf-8")
            name = path.relative_to(ROOT).as_posix()
            texts.append((name, text))
            if "{{" in text:
                try:
                    texts.append((name + " (masked)", mask(text, lex(text))))
                except TemplateError:
                    pass
    return texts


CORPUS = corpus()


def fast_or_none(text: str):
    try:
        return libyaml_rt.load(text)
    except Exception:
        return None


def test_the_fast_path_builds_the_pure_loaders_nodes_on_every_corpus_text():
    handled = 0
    for name, text in CORPUS:
        fast = fast_or_none(text)
        if fast is None:
            continue
        handled += 1
        assert shapes(fast) == shapes(load_rt_pure(text)), name
    parsable = sum(1 for _, text in CORPUS if _parses(text))
    # The proof must cover the corpus, not a corner of it: only the texts with a tab, a tag, a
    # folded scalar or an empty flow entry go the slow way, and the corpus has almost none.
    assert parsable > 100 and handled >= 0.95 * parsable, (handled, parsable)


def _parses(text: str) -> bool:
    try:
        load_rt_pure(text)
        return True
    except YAMLError:
        return False


def test_load_rt_equals_the_pure_loader_on_every_corpus_text():
    for name, text in CORPUS:
        try:
            expected = shapes(load_rt_pure(text))
        except YAMLError as exc:
            with pytest.raises(YAMLError) as raised:
                load_rt(text)
            assert str(raised.value) == str(exc), name  # the pure loader's error, word for word
            continue
        assert shapes(load_rt(text)) == expected, name


# Where the two parsers put things differently (found by mutating corpus files): each case is
# either moved to ruamel's place or sent down the pure path.
DIFFERING = {
    "empty value, then a key": "a:\nb: 1\n",
    "empty value, blank lines": "a:\n\n   \nb: 1\n",
    "empty value, comment line": "a:\n# c\nb: 1\n",
    "empty value, indented comment line": "a:\n  # c\nb: 1\n",
    "empty value, end of the stream": "x:\n  a:\n",
    "empty value, trailing comment": "x:\n  a:\n# trailing\n",
    "empty value, block end": "x:\n  a:\ny: 2\n",
    "empty value, no final newline": "x:\n  a:",
    "end-of-line comment, then a key": "a:  # c\nb: 1\n",
    "end-of-line comment, then a comment line": "a:  # c\n# d\nb: 1\n",
    "end-of-line comment, end of the stream": "version: # c\n",
    "end-of-line comment, block end": "x:\n  a:  # c\ny: 1\n",
    "end-of-line comment, document end": "a:  # c\n---\nb: 1\n",
    "empty value, document marker": "a:\n---\nb: 1\n",
    "empty value, sequence after": "a:\n- 1\nb:\n",
    "empty value in an indentless sequence": "a:\n- x:\n- y\n",
    "empty value in a sequence item": "- a:\n  b: 1\n- c:\n",
    "empty value of an explicit key": "? a\n:\nb: 1\n",
    "explicit key after an empty value": "a:\n? b\n: 1\n",
    "empty value, CRLF": "a:\r\n\r\nb: 1\r\n",
    "empty item": "- \n- a\n",
    "empty flow value": "config: {a: }\n",
    "empty flow key": "config: {? }\n",
    "empty pair in a flow sequence": "names: [metrics-server: ]\n",
    "tab in a plain scalar": "name: inf\tra\n",
    "tab before a value": "a:\t1\n",
    "tag": "tag: !!str v1.8.0\n",
    "tagged key": "!!str name: x\n",
    "anchor with a colon": "server: &ahttps://kubernetes.default.svc\n",
    "anchor and merge key": "base: &b\n  x: 1\nuse:\n  <<: *b\n  y: 2\n",
    "folded scalar": "d: >\n  folded\n  more\n\n  para\n",
    "directive": "%YAML 1.1\n---\nj: yes\n",
    "unicode line separator": "a: x\u2028y\nb: 1\n",
    "non-ASCII comment": "# 변경 시 리뷰 필수\nkey:  # 주석\n  k: 값\nnext:\n",
}


@pytest.mark.parametrize("text", DIFFERING.values(), ids=DIFFERING.keys())
def test_where_the_parsers_differ_load_rt_is_the_pure_loader(text):
    assert outcome(load_rt, text) == outcome(load_rt_pure, text)


def outcome(load, text: str):
    """The shapes of what `load` builds, or its error message."""
    try:
        return shapes(load(text))
    except YAMLError as exc:
        return str(exc)


@pytest.mark.parametrize("text", [DIFFERING[k] for k in (
    "tab in a plain scalar", "tag", "anchor with a colon", "folded scalar", "directive",
    "empty flow value", "empty pair in a flow sequence", "unicode line separator")])
def test_texts_the_fast_path_does_not_vouch_for_are_not_loaded_by_it(text):
    with pytest.raises(Exception):
        libyaml_rt.load(text)


def test_errors_are_the_pure_loaders():
    text = "a: [1, 2\nb: 3\n"
    with pytest.raises(YAMLError) as pure:
        load_rt_pure(text)
    with pytest.raises(YAMLError) as ours:
        load_rt(text)
    assert str(ours.value) == str(pure.value) and ours.value.problem_mark.line == pure.value.problem_mark.line


_SNIPPETS = (":", " ", "\n", "-", "- ", "#", " #", "\t", "'", '"', "[", "]", "{", "}", ",", "?", "? ",
             "&a ", "*a", "!!str ", "|", ">", "---\n", "...\n", "  ", "\r\n", ": ", "\n\n", "k:", "\n  #c\n",
             "%", "<<: *a\n", "&a", "&a:b ")


def _mutate(rnd: random.Random, text: str) -> str:
    for _ in range(rnd.randint(1, 3)):
        op, i = rnd.random(), rnd.randrange(len(text) + 1)
        lines = text.split("\n")
        j = rnd.randrange(len(lines))
        if op < 0.5:
            text = text[:i] + rnd.choice(_SNIPPETS) + text[i:]
        elif op < 0.7:
            text = text[:i] + text[i + rnd.randint(1, 5):]
        elif op < 0.85:
            lines[j] = lines[j].lstrip() if rnd.random() < 0.5 else "  " + lines[j]
            text = "\n".join(lines)
        else:
            lines.insert(rnd.randrange(len(lines)), lines[j])
            text = "\n".join(lines)
    return text


@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.ReusedAnchorWarning")
@pytest.mark.parametrize("seed", range(3))
def test_on_mutated_corpus_texts_the_fast_path_agrees_or_stands_aside(seed):
    """Broken, odd and hand-mangled YAML: wherever the fast path returns nodes, the pure loader
    returns the same nodes (it never accepts a text the pure loader refuses)."""
    rnd = random.Random(seed)
    small = [text for _, text in CORPUS if len(text) < 6000]
    agreed = 0
    for _ in range(600):
        text = _mutate(rnd, rnd.choice(small))
        fast = fast_or_none(text)
        if fast is None:
            continue
        try:
            pure = load_rt_pure(text)
        except NotImplementedError:
            continue  # ruamel's comment handling gives up on some mangled texts; not a parse result
        assert shapes(fast) == shapes(pure), repr(text)
        agreed += 1
    assert agreed > 100  # the mutations leave plenty of parsable texts to compare


def test_nothing_reads_comment_attachments():
    """The fast path attaches no comments (`.ca`): everything finds comments in the text, by
    line. A reader of `.ca` would need `load_rt_pure`."""
    for path in sorted((ROOT / "gitops_bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("ca", "yaml_end_comment_extend"):
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} reads .{node.attr}")


def test_deep_nesting_is_still_too_deep():
    from gitops_bot.parse.yaml import TooDeep

    with pytest.raises(TooDeep):
        load_rt("".join("  " * i + f"k{i}:\n" for i in range(3000)))


def test_the_example_monorepo_is_read_by_the_fast_path():
    """Every YAML file of the example monorepo (templates masked) takes the fast path."""
    missed = [name for name, text in CORPUS if name.startswith("examples/") and "{{" not in text
              and _parses(text) and fast_or_none(text) is None]
    assert missed == []



@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.ReusedAnchorWarning")  # pytest's filters replace ours here
def test_an_anchor_defined_again_reads_as_yaml_says_and_quietly(tmp_path):
    """budimanjojo/home-cluster's ExternalSecrets define `&name` in each item: valid YAML (an alias
    means the nearest anchor before it). libyaml's safe loader refuses it and ruamel's own parser
    warns on stderr; every reader gives the data, a removal in such a file passes its re-parse
    check, and a run prints no warning (a new process: the test runner's own warning filters
    would hide what a user sees)."""
    import subprocess
    import sys

    from gitops_bot.parse.yaml import load_rt, load_safe, load_tagged

    text = "items:\n  - name: &name first\n    ref: *name\n  - name: &name second\n    ref: *name\n"
    expected = [{"items": [{"name": "first", "ref": "first"}, {"name": "second", "ref": "second"}]}]
    assert load_safe(text) == expected
    assert load_rt(text) == expected
    assert load_tagged(text) == expected
    (tmp_path / "secrets.yaml").write_text(text + "video-service: on\n")
    run = subprocess.run([sys.executable, "-m", "gitops_bot.cli", "apply", "remove-service", "service=video-service",
                          "--repo", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr == ""
    assert (tmp_path / "secrets.yaml").read_text() == text
