"""HCL verification parses only the top-level items an edit changed, and its verdict is always
the whole-file verification's: on every removal the editor makes in the corpus's Terraform, and
on random cuts (whole blocks, lines, characters) that break files in every way."""

from __future__ import annotations

import collections
import random

import pytest

from gitops_bot.domain.names import service_name
from gitops_bot.edit import hcl
from gitops_bot.edit.base import RemovalContext
from gitops_bot.edit.blocks import tidy_cuts
from gitops_bot.parse import hcl as parse_hcl
from gitops_bot.text.splice import Cut, Lines, Span, splice

from .conftest import EXAMPLE, ROOT

TERRAFORM = sorted(p for root in (EXAMPLE, ROOT / "tests" / "fixtures", ROOT / "tests" / "golden")
                   for p in root.rglob("*.tf"))
NAMES = ["video-service", "auth-service", "user-service", "board-service", "chat-service",
         "notification-service", "frontend", "livekit", "istio", "karpenter", "metrics-server"]


@pytest.fixture
def parsed(monkeypatch):
    """The texts python-hcl2 parsed."""
    texts: collections.Counter = collections.Counter()
    real = parse_hcl._parse

    def counting(text):
        texts[text] += 1
        return real(text)

    monkeypatch.setattr(parse_hcl, "_parse", counting)
    return texts


def whole_file_only(monkeypatch):
    monkeypatch.setattr(hcl, "verify_cuts", lambda old, tree, cuts, new, removed: hcl.verify(tree, new, removed))


@pytest.mark.parametrize("name", NAMES)
def test_every_removal_in_the_corpus_is_judged_as_the_whole_file_judges_it(name, monkeypatch):
    ctx = RemovalContext(service_name(name, frozenset(NAMES)))
    texts = [p.read_text(encoding="utf-8") for p in TERRAFORM]
    targeted = [hcl.remove(text, ctx) for text in texts]
    whole_file_only(monkeypatch)
    assert [hcl.remove(text, ctx) for text in texts] == targeted


def test_removing_a_block_parses_nothing_more(parsed):
    text = (EXAMPLE / "terraform" / "prod" / "compute" / "pod-identity.tf").read_text(encoding="utf-8")
    result = hcl.remove(text, RemovalContext(service_name("video-service", frozenset(NAMES))))
    assert result.text != text and not result.refused
    assert list(parsed) == [text]  # the locate parse only: no block was changed, one went whole


def test_a_changed_block_is_parsed_alone(parsed):
    text = (EXAMPLE / "terraform" / "prod" / "compute" / "outputs.tf").read_text(encoding="utf-8")
    result = hcl.remove(text, RemovalContext(service_name("video-service", frozenset(NAMES))))
    assert result.text != text
    assert result.text not in parsed and len(parsed) == 2
    piece = next(t for t in parsed if t != text)
    assert len(piece) < len(result.text) and piece in result.text


def _random_cuts(rnd: random.Random, text: str, tree) -> list[Cut]:
    lines = Lines(text)
    extents = hcl._extents(text, tree) or []
    cuts = []
    for _ in range(rnd.randint(1, 3)):
        kind = rnd.random()
        if kind < 0.35 and extents:
            _, start, end = rnd.choice(extents)  # a whole item, maybe with the lines around it
            first, last = lines.line_of(start), lines.line_of(end - 1)
            first -= rnd.random() < 0.3 and first > 0
            last += rnd.random() < 0.3 and last + 1 < len(lines)
            cuts.append(Cut(lines.span(first, last)))
        elif kind < 0.75:
            n = rnd.randrange(len(lines))
            cuts.append(Cut(lines.span(n, min(n + rnd.randint(0, 2), len(lines) - 1))))
        else:
            s = rnd.randrange(len(text))
            cuts.append(Cut(Span(s, min(len(text), s + rnd.randint(1, 12))), rnd.choice(["", "x", "}", "\n"])))
    return cuts


@pytest.mark.parametrize("seed", range(3))
def test_random_cuts_get_the_whole_files_verdict(seed):
    rnd = random.Random(seed)
    sources = [p.read_text(encoding="utf-8") for p in TERRAFORM]
    trees = [parse_hcl.parse(text) for text in sources]
    targeted_ok = 0
    for _ in range(150):
        k = rnd.randrange(len(sources))
        text, tree = sources[k], trees[k]
        try:
            cuts = tidy_cuts(Lines(text), _random_cuts(rnd, text, tree))
            new = splice(text, cuts)
        except ValueError:
            continue  # overlapping cuts: finish refuses those before verifying
        blocks = parse_hcl.top_level_blocks(tree)
        removed = set(rnd.sample(blocks, rnd.randint(0, min(2, len(blocks)))))
        expected = hcl.verify(tree, new, removed)
        assert hcl.verify_cuts(text, tree, cuts, new, removed) == expected, (text, cuts)
        targeted_ok += expected is None and hcl._changed_pieces(text, tree, cuts, new) is not None
    assert targeted_ok >= 10  # the targeted path did answer, not only the fallback
