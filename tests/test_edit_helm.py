"""Helm template editor: lexer, guarded blocks, masked YAML edits, verification."""

from __future__ import annotations

import pytest

from gitops_bot.edit import helm
from gitops_bot.edit.base import Unparsable
from gitops_bot.parse import gotemplate

from .editors import ctx, dedent


def test_lexer_handles_strings_raw_strings_and_comments():
    text = '{{/* a }} comment */}}x{{ "}}" }}y{{ `}}` }}z{{- if .A -}}{{ end }}'
    actions = gotemplate.lex(text)
    assert [a.keyword for a in actions] == ["comment", '"}}"', "`}}`", "if", "end"]
    assert gotemplate.mask(text, actions).replace(" ", "").replace("x", "") == "yz"


def test_unbalanced_template_is_unparsable():
    with pytest.raises(Unparsable):
        helm.remove("{{- if .Values.videoService.enabled }}\na: 1\n", ctx())


PAIRS = {
    "guarded block with its comment": (
        """
        {{- if .Values.authService.enabled }}
        a: 1
        {{- end }}
        {{- /* video service route */}}
        {{- if .Values.services.videoService.enabled }}
        ---
        kind: HTTPRoute
        {{- end }}
        """,
        """
        {{- if .Values.authService.enabled }}
        a: 1
        {{- end }}
        """),
    "masked YAML: list item and alternatives next to actions": (
        """
        spec:
          hosts:
            - internal.{{ .Values.host }}
          http:
            - route:
                - destination:
                    host: auth-service
            - route:
                - destination:
                    host: video-service
          expr: up{job=~"auth-service|video-service"}
        """,
        """
        spec:
          hosts:
            - internal.{{ .Values.host }}
          http:
            - route:
                - destination:
                    host: auth-service
          expr: up{job=~"auth-service"}
        """),
    "a YAML cut inside a range block": (
        """
        items:
          {{- range .Values.items }}
          - {{ . }}
          {{- end }}
          - video-service
          - auth-service
        """,
        """
        items:
          {{- range .Values.items }}
          - {{ . }}
          {{- end }}
          - auth-service
        """),
}


@pytest.mark.parametrize("name", PAIRS)
def test_pairs(name):
    before, after = (dedent(t) for t in PAIRS[name])
    assert helm.remove(before, ctx()).text == after
    assert helm.remove(after, ctx()).text == after


def test_block_with_else_is_refused():
    text = "{{- if .Values.videoService.enabled }}\na: 1\n{{- else }}\nb: 2\n{{- end }}\n"
    result = helm.remove(text, ctx())
    assert result.text == text
    assert "else branch" in result.refused[0].reason


def test_or_condition_is_refused():
    text = "{{- if or .Values.videoService.enabled .Values.x }}\na: 1\n{{- end }}\n"
    result = helm.remove(text, ctx())
    assert result.text == text
    assert "combines" in result.refused[0].reason


def test_cut_across_block_boundary_is_refused():
    text = dedent("""
        list:
          - name: video-service
            {{- if .Values.x }}
            extra: 1
        other: 2
            {{- end }}
        """)
    result = helm.remove(text, ctx())
    assert result.text == text
    assert any("template block" in r.reason for r in result.refused)


def test_action_in_an_alternation_line_is_refused():
    text = 'expr: up{job=~"{{ .Values.prefix }}|video-service|auth-service"}\n'
    result = helm.remove(text, ctx())
    assert result.text == text
    assert "template action" in result.refused[0].reason


def test_noop_template():
    text = "kind: ConfigMap\ndata:\n  a: {{ .Values.a | quote }}\n"
    assert helm.remove(text, ctx()).text == text


def test_route_document_inside_a_removed_block_is_not_refused():
    text = dedent("""
        {{- if .Values.services.authService.enabled }}
        ---
        kind: HTTPRoute
        metadata:
          name: auth-service
        {{- end }}
        {{- if .Values.services.videoService.enabled }}
        ---
        kind: HTTPRoute
        metadata:
          name: video-service
        spec:
          rules:
            - backendRefs:
                - name: video-service
        {{- end }}
        {{- if .Values.services.boardService.enabled }}
        ---
        kind: HTTPRoute
        metadata:
          name: board-service
        {{- end }}
        """)
    result = helm.remove(text, ctx())
    assert result.refused == []
    assert "video-service" not in result.text and result.text.count("kind: HTTPRoute") == 2


def test_comments_around_template_actions_lose_the_service_as_in_plain_yaml():
    """An ExternalSecret whose keys are templated (`{{ .name }}`) is a template to the editor;
    its comments are still YAML's: an enumeration loses the service (swibrow/home-ops's
    `# ... (forgejo, propagit, rybbit, temporal).`), a comment line holding an action stays."""
    before = dedent("""
        # Databases of the shared cluster (auth-service, board-service, video-service).
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        spec:
          target:
            template:
              data:
                # {{ .user }} of auth-service, board-service, video-service
                url: "postgres://{{ .user }}@db"
    """)
    after = before.replace("board-service, video-service).", "board-service).")
    assert helm.remove(before, ctx()).text == after
    assert helm.remove(after, ctx()).text == after
