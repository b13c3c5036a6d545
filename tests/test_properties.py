"""Property tests: edits never touch bytes outside their spans, YAML removal deletes only whole
lines and yields exactly the intended data, and rendered diffs reconstruct the new text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_bot.domain.names import service_name
from gitops_bot.text.diff import _slide, opcodes
from gitops_bot.edit import yaml_file
from gitops_bot.text.splice import Cut, Span, splice

from .editors import ctx


@given(st.text(max_size=200), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 20), st.text(max_size=5)),
                                       max_size=6))
def test_splice_keeps_every_byte_outside_the_cuts(text, raw):
    cuts, taken = [], []
    for start, length, replacement in raw:
        start = min(start, len(text))
        end = min(len(text), start + length)
        if any(start < e and s < end or start == s for s, e in taken):
            continue
        taken.append((start, end))
        cuts.append(Cut(Span(start, end), replacement))
    result = splice(text, cuts)
    pos = 0
    out = []
    for cut in sorted(cuts, key=lambda c: c.span.start):
        out.append(text[pos:cut.span.start])
        out.append(cut.replacement)
        pos = cut.span.end
    assert result == "".join(out) + text[pos:]


KEYS = ["auth-service", "board", "videoService", "video-service", "VIDEO_SERVICE_URL", "replicas", "env"]


@st.composite
def yaml_documents(draw, depth=0):
    """Block-style YAML mappings with comments, blank lines and service keys at any depth."""
    lines: list[str] = []
    indent = "  " * depth
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=5, unique=True))
    for key in keys:
        if draw(st.booleans()):
            lines.append(f"{indent}# about {draw(st.sampled_from(['things', 'video-service', '설정']))}")
        if depth < 2 and draw(st.booleans()):
            lines.append(f"{indent}{key}:")
            lines.extend(draw(yaml_documents(depth + 1)))
        else:
            value = draw(st.sampled_from(['1', '"x"', '""', 'true', "[a, b]", "video-service"]))
            comment = draw(st.sampled_from(["", "  # note", "  # 비고"]))
            lines.append(f"{indent}{key}: {value}{comment}")
        if draw(st.booleans()):
            lines.append("")
    return lines


def _strip_service_keys(data):
    if isinstance(data, dict):
        name = ctx().name
        kept = {k: _strip_service_keys(v) for k, v in data.items() if not name.addresses(k)}
        return kept
    return data


@settings(max_examples=150, deadline=None)
@given(yaml_documents())
def test_yaml_removal_deletes_whole_lines_only(lines):
    text = "\n".join(["root: 1"] + lines) + "\n"
    result = yaml_file.remove(text, ctx())
    old_lines = text.splitlines()
    new_lines = result.text.splitlines()
    it = iter(old_lines)
    assert all(line in it for line in new_lines), "result is not a subsequence of the original lines"
    assert result.refused == []
    expected = _drop_emptied(_strip_service_keys(yaml_file.load_safe(text)[0]))
    assert yaml_file.load_safe(result.text)[0] == expected
    assert yaml_file.remove(result.text, ctx()).text == result.text


def _drop_emptied(data):
    """A mapping emptied by the removal goes with its parent key (the editor's rule)."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            v = _drop_emptied(v)
            if isinstance(v, dict) and not v:  # every generated mapping had children
                continue
            out[k] = v
        return out
    return data


@given(st.lists(st.sampled_from(["a\n", "b\n", "  x: 1\n", "\n", "c"]), max_size=25),
       st.lists(st.sampled_from(["a\n", "b\n", "  x: 1\n", "\n", "c"]), max_size=25))
def test_diff_opcodes_reconstruct_the_new_text(a, b):
    ops = _slide(a, b, opcodes(a, b))
    rebuilt, pos = [], 0
    for tag, a1, a2, b1, b2 in ops:
        assert a1 == pos
        if tag == "equal":
            assert a[a1:a2] == b[b1:b2]
        rebuilt += a[a1:a2] if tag == "equal" else b[b1:b2]
        pos = a2
    assert pos == len(a) and rebuilt == b


# -- the name prefilter equals the case-insensitive pattern it replaces ----------------------------

@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=60) | st.text(alphabet="vViIdDeEoO-_ sSrRcC\n", max_size=40).map(str.encode),
       name=st.sampled_from(["video-service", "livekit", "VIDEO_SERVICE", "board-svc", "a-b-c"]))
def test_the_name_prefilter_finds_what_the_case_insensitive_pattern_finds(data, name):
    words = service_name(name).short
    reference = re.compile(b"(?i)" + b"[-_]?".join(re.escape(w.encode()) for w in words))
    prefilter = service_name(name).prefilter()
    assert bool(prefilter.search(data)) == bool(reference.search(data))
    text = data.decode("utf-8", "replace")
    assert prefilter.passes(text) == bool(reference.search(text.encode()))
