"""Adding Helm parameters to Applications in the file's own style, and how values become
parameter strings."""

from __future__ import annotations

import pytest

from gitops_bot.edit.yaml_insert import InsertRefused, remove_parameters, update_parameters
from gitops_bot.domain.helm_params import NewParameter, Unmovable, escape_key, parameter_value

from .editors import dedent

P = NewParameter("config.A", "1", True, 1, "# why")
Q = NewParameter("config.B", "x y", False, 2)

PAIRS = {
    "plain style values stay plain where safe": (
        """
        spec:
          source:
            helm:
              parameters:
                - name: image.tag
                  value: v1
        """,
        """
        spec:
          source:
            helm:
              parameters:
                - name: image.tag
                  value: v1
                - name: config.A
                  value: "1"  # why
                  forceString: true
                - name: config.B
                  value: x y
        """),
    "single quotes": (
        """
        spec:
          source:
            helm:
              parameters:
              - name: image.tag
                value: 'v1'
        """,
        """
        spec:
          source:
            helm:
              parameters:
              - name: image.tag
                value: 'v1'
              - name: config.A
                value: '1'  # why
                forceString: true
              - name: config.B
                value: 'x y'
        """),
    "no helm block, no final newline": (
        "spec:\n  source:\n    path: charts/a\n  destination: {}",
        "spec:\n  source:\n    path: charts/a\n    helm:\n      parameters:\n"
        "        - name: config.A\n          value: \"1\"  # why\n          forceString: true\n"
        "        - name: config.B\n          value: \"x y\"\n  destination: {}"),
    "helm with other keys, CRLF": (
        "spec:\r\n  source:\r\n    helm:\r\n      releaseName: a\r\n",
        "spec:\r\n  source:\r\n    helm:\r\n      releaseName: a\r\n      parameters:\r\n"
        "        - name: config.A\r\n          value: \"1\"  # why\r\n          forceString: true\r\n"
        "        - name: config.B\r\n          value: \"x y\"\r\n"),
}


@pytest.mark.parametrize("name", PAIRS)
def test_insertion_pairs(name):
    before, after = (dedent(t) if t.startswith("\n") else t for t in PAIRS[name])
    assert update_parameters(before, 0, None, [P, Q], {}) == after


def test_replacing_a_value_keeps_its_comment():
    text = "spec:\n  source:\n    helm:\n      parameters:\n      - name: config.A\n        value: '/x'  # old\n"
    new = update_parameters(text, 0, None, [], {"config.A": NewParameter("config.A", "", False, 1)})
    assert new == "spec:\n  source:\n    helm:\n      parameters:\n      - name: config.A\n        value: ''  # old\n"


def test_flow_parameters_are_refused():
    with pytest.raises(InsertRefused):
        update_parameters("spec:\n  source:\n    helm:\n      parameters: []\n", 0, None, [P], {})


@pytest.mark.parametrize("value, raw, quoted, expected", [
    ("", '""', True, ("", False)),
    (True, "true", False, ("true", False)),
    ("yes", "yes", False, ("true", False)),  # what Helm's YAML 1.1 reader sees in the values file
    ("yes", '"yes"', True, ("yes", False)),
    (8080, "8080", False, ("8080", False)),
    (0.50, "0.50", False, ("0.50", False)),
    ("20", '"20"', True, ("20", True)),
    ("null", "'null'", True, ("null", True)),
    ("a,b", '"a,b"', True, ("a,b", False)),
])
def test_parameter_values(value, raw, quoted, expected):
    assert parameter_value(value, raw, quoted) == expected


@pytest.mark.parametrize("value", [None, [1, 2], "{a,b}"])
def test_unmovable_values(value):
    with pytest.raises(Unmovable):
        parameter_value(value, str(value), True)


def test_escape_key():
    assert escape_key("path.prefix") == "path\\.prefix"
    assert escape_key("a,b") == "a\\,b"


REMOVALS = {
    "an item and the comment above it": (
        """
        spec:
          source:
            helm:
              parameters:
                - name: image.tag
                  value: "1"
                # the JWT mode
                - name: config.MODE
                  value: "false"
                  forceString: true
                - name: last
                  value: x
          destination: {}
        """,
        """
        spec:
          source:
            helm:
              parameters:
                - name: image.tag
                  value: "1"
                - name: last
                  value: x
          destination: {}
        """),
    "the last item takes parameters: with it": (
        """
        spec:
          source:
            helm:
              valueFiles:
              - a.yaml
              parameters:
              - name: config.MODE
                value: x
          destination: {}
        """,
        """
        spec:
          source:
            helm:
              valueFiles:
              - a.yaml
          destination: {}
        """),
    "and helm: when it held nothing else": (
        "spec:\n  source:\n    path: x\n    helm:\n      parameters:\n      - name: config.MODE\n"
        "        value: b\n  destination: {}\n",
        "spec:\n  source:\n    path: x\n  destination: {}\n"),
}


@pytest.mark.parametrize("name", REMOVALS)
def test_removal_pairs(name):
    before, after = (dedent(t) if t.startswith("\n") else t for t in REMOVALS[name])
    assert remove_parameters(before, 0, None, frozenset({"config.MODE"})) == after


def test_removing_an_absent_parameter_changes_nothing():
    text = "spec:\n  source:\n    helm:\n      parameters:\n      - name: a\n        value: b\n"
    assert remove_parameters(text, 0, None, frozenset({"config.MODE"})) == text


def test_removal_from_a_flow_list_is_refused():
    with pytest.raises(InsertRefused):
        remove_parameters("spec:\n  source:\n    helm:\n      parameters: [{name: a, value: b}]\n",
                          0, None, frozenset({"a"}))
