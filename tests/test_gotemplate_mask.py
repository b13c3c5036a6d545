"""`gotemplate.mask` is linear and masks exactly as the first (quadratic) version did: on every
template of the example monorepo and the fixtures, on a generated 2,000-action template, and on
the layouts where "the line holds only actions" is easy to get wrong."""

from __future__ import annotations

import pytest

from gitops_bot.parse import gotemplate
from gitops_bot.parse.gotemplate import TemplateError, lex, mask
from gitops_bot.text.splice import Lines

from .conftest import EXAMPLE, ROOT


def reference_mask(text: str, actions) -> str:
    """The first version of `mask`, kept as the reference: for each action, every action is
    blanked from the action's lines to see whether anything else is left on them."""
    chars = list(text)
    lines = Lines(text)
    for a in actions:
        first, last = lines.line_of(a.start), lines.line_of(a.end - 1)
        span_start, span_end = lines.start(first), lines.end(last)
        rest = list(text[span_start:span_end])
        for b in actions:
            if b.end > span_start and b.start < span_end:
                for i in range(max(b.start, span_start), min(b.end, span_end)):
                    rest[i - span_start] = " "
        alone = not "".join(rest).strip()
        for i in range(a.start, a.end):
            if chars[i] != "\n":
                chars[i] = " " if alone else "x"
    return "".join(chars)


def templates() -> list[tuple[str, str]]:
    found = []
    for root in (EXAMPLE, ROOT / "tests" / "fixtures", ROOT / "tests" / "golden"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".tpl"):
                text = path.read_bytes().decode("utf-8")
                if "{{" in text:
                    found.append((path.relative_to(ROOT).as_posix(), text))
    return found


def test_every_template_of_the_corpus_is_masked_as_before():
    masked = 0
    for name, text in templates():
        try:
            actions = lex(text)
        except TemplateError:
            continue
        assert mask(text, actions) == reference_mask(text, actions), name
        masked += 1
    assert masked >= 20


def generated_template(routes: int = 334) -> str:
    """A chart template of `routes` guarded blocks, six actions each, in every layout."""
    parts = ['{{- /* generated */ -}}\n', 'apiVersion: v1\nkind: List\nitems:\n']
    for i in range(routes):
        parts.append(
            f'{{{{- if .Values.routes.r{i}.enabled }}}}\n'
            f'  - name: {{{{ include "chart.name" . }}}}-r{i}\n'
            f'    labels: {{{{- include "chart.labels" . | nindent 6 }}}}\n'
            f'    {{{{ `multi\n    line` }}}} {{{{ .Values.x }}}}\n'
            f'{{{{- end }}}}\n')
    return "".join(parts)


def test_a_2000_action_template_is_masked_as_before():
    text = generated_template()
    actions = lex(text)
    assert len(actions) == 2005
    assert mask(text, actions) == reference_mask(text, actions)


LAYOUTS = {
    "action-only line": "a:\n{{- include \"x\" . }}\nb: 1\n",
    "two actions on a line": "{{ if .A }}{{ end }}\nb: 1\n",
    "inline action": "name: {{ .Values.name }}\n",
    "action then text on its last line": "{{ .A\n}} tail\n",
    "text then a multi-line action": "head {{ .A\n}}\n",
    "multi-line action alone": "{{- /* a\ncomment */ -}}\nk: v\n",
    "action shares a line with the next action's first line": "{{ .A }} {{ .B\n}} x\n",
    "blanks around": "   {{ .A }}   \n",
    "CRLF": "a:\r\n  {{- .A }}\r\n  b: {{ .B }}\r\n",
    "no final newline": "k: v\n{{ end }}",
    "unicode blanks": "\u00a0{{ .A }}\x0c\nk: {{ .B }}\u2003\n",
    "first and last lines": "{{ .A }}\nk\n{{ .B }}\n",
    "empty text between actions": "{{ .A }}{{ .B }}",
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_layouts_are_masked_as_before(text):
    actions = lex(text)
    masked = mask(text, actions)
    assert masked == reference_mask(text, actions)
    assert len(masked) == len(text) and [i for i, c in enumerate(masked) if c == "\n"] == [
        i for i, c in enumerate(text) if c == "\n"]


def test_no_actions_no_change():
    assert mask("a: 1\n", []) == "a: 1\n" and mask("", []) == ""


def test_each_stretch_between_actions_is_read_once(monkeypatch):
    """Linear: the lines are visited once per stretch of text between actions, not once per
    action for every action (counted, not timed)."""
    text = generated_template()
    actions = lex(text)
    visits = 0
    real = gotemplate.bisect_right

    def counting(*args):
        nonlocal visits
        visits += 1
        return real(*args)

    monkeypatch.setattr(gotemplate, "bisect_right", counting)
    mask(text, actions)
    assert visits <= 3 * len(actions) + 1
